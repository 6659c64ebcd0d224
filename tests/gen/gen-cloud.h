/*
 * gen-cloud.h - DNS lookups, TLS sessions, HTTP GETs and SNTP, and the
 * HTTP date and NTP timestamp formats other protocols borrow.
 */
#ifndef EW_GEN_CLOUD_H
#define EW_GEN_CLOUD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gen-build.h"
#include "gen-bytes.h"
#include "gen-home.h"

/*
 * Looks cloud cl up for d (unless cached), then connects with TLS: the
 * handshake, nreq (<= 4) request/response pairs of about req_len and
 * resp_len bytes, then close.  *c is the connection, for more traffic when
 * close is GEN_CLOSE_NONE.  Returns the time of the last frame.
 */
uint64_t tls_connect(struct site *st, struct device *d, int cl, uint64_t t, struct gen_conv *c,
		     int nreq, size_t req_len, size_t resp_len, enum gen_close close);
/* Like tls_connect to any remote host, without a lookup (the caller
 * resolves with dns_resolve when its own cache says so). */
uint64_t tls_connect_remote(struct site *st, struct device *d, const struct remote *r, uint64_t t,
			    struct gen_conv *c, int nreq, size_t req_len, size_t resp_len,
			    enum gen_close close);
/* d looks r's name up through the router (A, and AAAA if dual-stack),
 * whatever any cache holds.  Returns when d has its answer. */
uint64_t dns_resolve(struct site *st, struct device *d, const struct remote *r, uint64_t t);
/* A whole TLS session, closed by the client, the server or a RST. */
uint64_t tls_session(struct site *st, struct device *d, int cl, uint64_t t, int nreq,
		     size_t req_len, size_t resp_len);
/* d's HTTP GET to cloud cl (a connectivity or firmware check). */
uint64_t http_get(struct site *st, struct device *d, int cl, uint64_t t);
/* Home Assistant polls the Hue bridge's local REST API. */
uint64_t hue_poll(struct site *st, struct device *hass, uint64_t t);
/* SNTP exchange; fixed_port 123 for Windows' w32time, else ephemeral. */
uint64_t ntp_sync(struct site *st, struct device *d, int cl, uint64_t t, bool fixed_port);

/* An HTTP Date value (RFC 9110 IMF-fixdate) for simulated time ts_us. */
void http_date(char *buf, size_t len, uint64_t ts_us);
/* An NTP timestamp (seconds since 1900, 32.32 fixed point). */
void ntp_put_time(struct gen_buf *b, uint64_t ts_us);

#endif /* EW_GEN_CLOUD_H */
