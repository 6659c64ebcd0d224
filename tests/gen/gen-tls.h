/*
 * gen-tls.h - TLS handshake and record encoders for ew-pcapgen.
 *
 * A ClientHello carries what a real stack sends (cipher suites,
 * extensions and their order, GREASE), since sensors fingerprint it; the
 * server's flight and application data are the right record types and
 * lengths around random bytes.
 */
#ifndef EW_GEN_TLS_H
#define EW_GEN_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gen-rng.h"

/* TLS client behaviour: which cipher suites and extensions a stack sends. */
enum gen_tls_stack {
	GEN_TLS_OPENSSL, /* Linux devices, Python, curl */
	GEN_TLS_MBEDTLS, /* small embedded devices, TLS 1.2 only */
	GEN_TLS_BORING,  /* Android / Google devices */
	GEN_TLS_APPLE,   /* iOS network stack */
	GEN_TLS_SCHANNEL,/* Windows */
};

struct gen_tls_hello {
	enum gen_tls_stack stack;
	bool tls13;          /* offer TLS 1.3 (ignored for mbedTLS) */
	const char *sni;
	const char *alpn;    /* NULL for none */
	uint8_t session_id[32];
	bool resume;         /* send a session ticket (TLS 1.2 resumption) */
};

/* Record with a ClientHello; returns its length. */
size_t gen_tls_client_hello(uint8_t *out, size_t cap, const struct gen_tls_hello *h,
			    struct gen_rng *rng);
/* Server's first flight: ServerHello and, for TLS 1.3, CCS and encrypted
 * handshake records of extra bytes; for TLS 1.2 resumption CCS+Finished. */
size_t gen_tls_server_flight(uint8_t *out, size_t cap, const struct gen_tls_hello *h,
			     size_t extra, struct gen_rng *rng);
/* Client's CCS + Finished (as the record types its version uses). */
size_t gen_tls_client_finish(uint8_t *out, size_t cap, const struct gen_tls_hello *h,
			     struct gen_rng *rng);
/* application_data records carrying len bytes of (random) ciphertext. */
size_t gen_tls_app_data(uint8_t *out, size_t cap, size_t len, struct gen_rng *rng);

#endif /* EW_GEN_TLS_H */
