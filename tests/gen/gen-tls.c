/*
 * gen-tls.c - TLS ClientHello and ServerHello encoders, with each client
 * stack's cipher suites, extensions and groups as tables.
 */
#include "gen-tls.h"

#include <string.h>

#include "gen-bytes.h"

#define TLS_HANDSHAKE 22
#define TLS_CCS 20
#define TLS_APPDATA 23
#define TLS_RECORD_MAX 16384

/* Extension numbers (IANA TLS ExtensionType registry). */
enum {
	EXT_SNI = 0, EXT_STATUS = 5, EXT_GROUPS = 10, EXT_POINTS = 11, EXT_SIGALGS = 13,
	EXT_ALPN = 16, EXT_SCT = 18, EXT_PADDING = 21, EXT_ETM = 22, EXT_EMS = 23,
	EXT_COMPRESS_CERT = 27, EXT_TICKET = 35, EXT_VERSIONS = 43, EXT_PSK_MODES = 45,
	EXT_KEY_SHARE = 51, EXT_RENEG = 0xff01,
	EXT_GREASE = 0x10000, /* pseudo id: a GREASE extension (RFC 8701) */
	EXT_END = -1,
};

#define GREASE 0x0a0a /* placeholder replaced by a random GREASE value */

struct tls_stack_def {
	bool tls13;
	bool grease;
	bool pad_to_512; /* BoringSSL-style padding extension */
	const uint16_t *suites;
	const int *exts;
	const uint16_t *groups;
	const uint16_t *sigalgs;
};

static const uint16_t suites_openssl[] = {
	0x1302, 0x1303, 0x1301, 0xc02c, 0xc030, 0x009f, 0xcca9, 0xcca8, 0xccaa, 0xc02b, 0xc02f,
	0x009e, 0xc024, 0xc028, 0x006b, 0xc023, 0xc027, 0x0067, 0xc00a, 0xc014, 0x0039, 0xc009,
	0xc013, 0x0033, 0x009d, 0x009c, 0x003d, 0x003c, 0x0035, 0x002f, 0x00ff, 0 };
static const uint16_t suites_mbedtls[] = {
	0xc02c, 0xc030, 0xc0ad, 0xc024, 0xc028, 0xc00a, 0xc014, 0x009f, 0xc09f, 0x006b, 0x0039,
	0xc02b, 0xc02f, 0xc0ac, 0xc023, 0xc027, 0xc009, 0xc013, 0x009e, 0xc09e, 0x0067, 0x0033,
	0x009d, 0xc09d, 0x003d, 0x0035, 0x009c, 0xc09c, 0x003c, 0x002f, 0x00ff, 0 };
static const uint16_t suites_boring[] = {
	GREASE, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013,
	0xc014, 0x009c, 0x009d, 0x002f, 0x0035, 0 };
static const uint16_t suites_apple[] = {
	GREASE, 0x1301, 0x1302, 0x1303, 0xc02c, 0xc02b, 0xcca9, 0xc030, 0xc02f, 0xcca8, 0xc00a,
	0xc009, 0xc014, 0xc013, 0x009d, 0x009c, 0x0035, 0x002f, 0xc008, 0xc012, 0x000a, 0 };
static const uint16_t suites_schannel[] = {
	0x1302, 0x1301, 0xc02c, 0xc02b, 0xc030, 0xc02f, 0xc024, 0xc023, 0xc028, 0xc027, 0xc00a,
	0xc009, 0xc014, 0xc013, 0x009d, 0x009c, 0x003d, 0x003c, 0x0035, 0x002f, 0x000a, 0 };

static const int exts_openssl[] = {
	EXT_SNI, EXT_POINTS, EXT_GROUPS, EXT_TICKET, EXT_ALPN, EXT_ETM, EXT_EMS, EXT_SIGALGS,
	EXT_VERSIONS, EXT_PSK_MODES, EXT_KEY_SHARE, EXT_END };
static const int exts_mbedtls[] = {
	EXT_SNI, EXT_SIGALGS, EXT_GROUPS, EXT_POINTS, EXT_TICKET, EXT_EMS, EXT_END };
static const int exts_boring[] = {
	EXT_GREASE, EXT_SNI, EXT_EMS, EXT_RENEG, EXT_GROUPS, EXT_POINTS, EXT_TICKET, EXT_ALPN,
	EXT_STATUS, EXT_SIGALGS, EXT_SCT, EXT_KEY_SHARE, EXT_PSK_MODES, EXT_VERSIONS,
	EXT_COMPRESS_CERT, EXT_GREASE, EXT_PADDING, EXT_END };
static const int exts_apple[] = {
	EXT_GREASE, EXT_SNI, EXT_EMS, EXT_RENEG, EXT_GROUPS, EXT_POINTS, EXT_ALPN, EXT_STATUS,
	EXT_SIGALGS, EXT_SCT, EXT_KEY_SHARE, EXT_PSK_MODES, EXT_VERSIONS, EXT_COMPRESS_CERT,
	EXT_GREASE, EXT_PADDING, EXT_END };
static const int exts_schannel[] = {
	EXT_SNI, EXT_STATUS, EXT_GROUPS, EXT_POINTS, EXT_SIGALGS, EXT_TICKET, EXT_ALPN, EXT_EMS,
	EXT_RENEG, EXT_VERSIONS, EXT_PSK_MODES, EXT_KEY_SHARE, EXT_END };

static const uint16_t groups_common[] = { GREASE, 0x001d, 0x0017, 0x0018, 0 };
static const uint16_t groups_openssl[] = { 0x001d, 0x0017, 0x001e, 0x0019, 0x0018, 0 };
static const uint16_t groups_mbedtls[] = { 0x0017, 0x0018, 0x0019, 0x001d, 0 };
static const uint16_t sigalgs_openssl[] = {
	0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0809, 0x080a, 0x080b, 0x0804, 0x0805, 0x0806,
	0x0401, 0x0501, 0x0601, 0x0303, 0x0203, 0x0301, 0x0201, 0x0302, 0x0202, 0x0402, 0x0502,
	0x0602, 0 };
static const uint16_t sigalgs_mbedtls[] = {
	0x0603, 0x0601, 0x0503, 0x0501, 0x0403, 0x0401, 0x0303, 0x0301, 0x0203, 0x0201, 0 };
static const uint16_t sigalgs_browser[] = {
	0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601, 0 };
static const uint16_t sigalgs_schannel[] = {
	0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0201, 0x0403, 0x0503, 0x0203, 0x0202, 0x0601,
	0x0603, 0 };

static const struct tls_stack_def tls_stacks[] = {
	[GEN_TLS_OPENSSL] = { true, false, false, suites_openssl, exts_openssl, groups_openssl,
			      sigalgs_openssl },
	[GEN_TLS_MBEDTLS] = { false, false, false, suites_mbedtls, exts_mbedtls, groups_mbedtls,
			      sigalgs_mbedtls },
	[GEN_TLS_BORING] = { true, true, true, suites_boring, exts_boring, groups_common,
			     sigalgs_browser },
	[GEN_TLS_APPLE] = { true, true, true, suites_apple, exts_apple, groups_common,
			    sigalgs_browser },
	[GEN_TLS_SCHANNEL] = { true, false, false, suites_schannel, exts_schannel,
			       groups_common + 1, sigalgs_schannel },
};

/* One GREASE value per hello, as BoringSSL derives them from the random. */
static uint16_t grease_value(struct gen_rng *rng)
{
	uint8_t g = (uint8_t)(gen_rng_below(rng, 16) << 4 | 0x0a);

	return (uint16_t)(g << 8 | g);
}

/* A length-prefixed list of 16-bit values; TLS 1.3 suites (0x13xx) only
 * when the hello offers TLS 1.3, as a stack capped at 1.2 sends. */
static void put_u16_list(struct gen_buf *b, const uint16_t *v, uint16_t grease, bool with_grease,
			 bool tls13_suites)
{
	size_t off = b->len;

	gen_put16(b, 0);
	for (; *v; v++) {
		if ((*v == GREASE && !with_grease) || (!tls13_suites && (*v >> 8) == 0x13))
			continue;
		gen_put16(b, *v == GREASE ? grease : *v);
	}
	gen_patch16(b, off, (uint16_t)(b->len - off - 2));
}

static bool hello_tls13(const struct gen_tls_hello *h)
{
	return h->tls13 && tls_stacks[h->stack].tls13;
}

static void put_alpn(struct gen_buf *b, const char *alpn)
{
	/* alpn is a comma-separated list, e.g. "h2,http/1.1". */
	size_t off = b->len;

	gen_put16(b, 0);
	while (*alpn) {
		const char *comma = strchr(alpn, ',');
		size_t n = comma ? (size_t)(comma - alpn) : strlen(alpn);

		gen_put8(b, (uint8_t)n);
		gen_putn(b, alpn, n);
		alpn += n + (comma ? 1 : 0);
	}
	gen_patch16(b, off, (uint16_t)(b->len - off - 2));
}

/* Writes one extension (type, length, body); false if not applicable. */
static bool put_extension(struct gen_buf *b, int ext, const struct gen_tls_hello *h,
			  const struct tls_stack_def *d, uint16_t grease, struct gen_rng *rng,
			  size_t hello_start)
{
	bool t13 = hello_tls13(h);
	uint8_t key[32];
	size_t off;

	if ((ext == EXT_ALPN && !h->alpn) || (!t13 && (ext == EXT_VERSIONS || ext == EXT_PSK_MODES ||
						     ext == EXT_KEY_SHARE)))
		return false;
	if (ext == EXT_PADDING) {
		/* Pad the handshake body to 512 bytes (BoringSSL's rule). */
		size_t now = b->len - hello_start + 4;

		if (now >= 508)
			return false;
		gen_put16(b, EXT_PADDING);
		gen_put16(b, (uint16_t)(508 - now));
		for (size_t i = 0; i < 508 - now; i++)
			gen_put8(b, 0);
		return true;
	}
	gen_put16(b, ext == EXT_GREASE ? grease : (uint16_t)ext);
	off = b->len;
	gen_put16(b, 0);
	switch (ext) {
	case EXT_SNI:
		gen_put16(b, (uint16_t)(strlen(h->sni) + 3));
		gen_put8(b, 0); /* host_name */
		gen_put16(b, (uint16_t)strlen(h->sni));
		gen_putstr(b, h->sni);
		break;
	case EXT_STATUS:
		gen_put8(b, 1); /* ocsp */
		gen_put32(b, 0);
		break;
	case EXT_GROUPS:
		put_u16_list(b, d->groups, grease, d->grease, true);
		break;
	case EXT_POINTS:
		if (d->grease) {
			gen_put8(b, 1);
			gen_put8(b, 0);
		} else {
			gen_put8(b, 3);
			gen_put8(b, 0);
			gen_put8(b, 1);
			gen_put8(b, 2);
		}
		break;
	case EXT_SIGALGS:
		put_u16_list(b, d->sigalgs, grease, false, true);
		break;
	case EXT_ALPN:
		put_alpn(b, h->alpn);
		break;
	case EXT_TICKET:
		if (h->resume)
			gen_putn(b, gen_random_bytes(rng, 192), 192);
		break;
	case EXT_VERSIONS:
		gen_put8(b, d->grease ? 6 : 4);
		if (d->grease)
			gen_put16(b, grease);
		gen_put16(b, 0x0304);
		gen_put16(b, 0x0303);
		break;
	case EXT_PSK_MODES:
		gen_put8(b, 1);
		gen_put8(b, 1); /* psk_dhe_ke */
		break;
	case EXT_KEY_SHARE:
		gen_put16(b, d->grease ? 41 : 36);
		if (d->grease) {
			gen_put16(b, grease);
			gen_put16(b, 1);
			gen_put8(b, 0);
		}
		gen_put16(b, 0x001d);
		gen_put16(b, 32);
		gen_rng_fill(rng, key, sizeof(key));
		gen_putn(b, key, sizeof(key));
		break;
	case EXT_COMPRESS_CERT:
		gen_put8(b, 2);
		gen_put16(b, h->stack == GEN_TLS_APPLE ? 1 : 2); /* zlib / brotli */
		break;
	case EXT_RENEG:
		gen_put8(b, 0);
		break;
	case EXT_GREASE:
		if (b->len - hello_start > 100)
			gen_put8(b, 0); /* BoringSSL's second GREASE carries one byte */
		break;
	default: /* EXT_SCT, EXT_ETM, EXT_EMS: empty */
		break;
	}
	gen_patch16(b, off, (uint16_t)(b->len - off - 2));
	return true;
}

size_t gen_tls_client_hello(uint8_t *out, size_t cap, const struct gen_tls_hello *h,
			    struct gen_rng *rng)
{
	const struct tls_stack_def *d = &tls_stacks[h->stack];
	uint16_t grease = grease_value(rng);
	uint8_t random[32];
	struct gen_buf b;
	size_t ext_off, hs;
	bool sid = hello_tls13(h) || h->resume;

	gen_buf_init(&b, out, cap);
	gen_put8(&b, TLS_HANDSHAKE);
	gen_put16(&b, 0x0301); /* record version of a first flight */
	gen_put16(&b, 0);
	hs = b.len;
	gen_put8(&b, 1); /* client_hello */
	gen_put24(&b, 0);
	gen_put16(&b, 0x0303);
	gen_rng_fill(rng, random, sizeof(random));
	gen_putn(&b, random, sizeof(random));
	gen_put8(&b, sid ? 32 : 0);
	if (sid)
		gen_putn(&b, h->session_id, 32);
	put_u16_list(&b, d->suites, grease, d->grease, hello_tls13(h));
	gen_put8(&b, 1);
	gen_put8(&b, 0); /* null compression */
	ext_off = b.len;
	gen_put16(&b, 0);
	for (const int *e = d->exts; *e != EXT_END; e++) {
		if (*e == EXT_PADDING && !d->pad_to_512)
			continue;
		put_extension(&b, *e, h, d, grease, rng, hs);
	}
	gen_patch16(&b, ext_off, (uint16_t)(b.len - ext_off - 2));
	gen_patch24(&b, hs + 1, (uint32_t)(b.len - hs - 4));
	gen_patch16(&b, 3, (uint16_t)(b.len - 5));
	return gen_buf_done(&b);
}

static void put_record(struct gen_buf *b, uint8_t type, const uint8_t *body, size_t len)
{
	gen_put8(b, type);
	gen_put16(b, 0x0303);
	gen_put16(b, (uint16_t)len);
	gen_putn(b, body, len);
}

size_t gen_tls_server_flight(uint8_t *out, size_t cap, const struct gen_tls_hello *h,
			     size_t extra, struct gen_rng *rng)
{
	static const uint8_t ccs = 1;
	bool t13 = hello_tls13(h);
	uint8_t random[32], key[32];
	struct gen_buf b;
	size_t hs, ext_off;

	gen_buf_init(&b, out, cap);
	gen_put8(&b, TLS_HANDSHAKE);
	gen_put16(&b, 0x0303);
	gen_put16(&b, 0);
	hs = b.len;
	gen_put8(&b, 2); /* server_hello */
	gen_put24(&b, 0);
	gen_put16(&b, 0x0303);
	gen_rng_fill(rng, random, sizeof(random));
	gen_putn(&b, random, sizeof(random));
	/* TLS 1.3 echoes the legacy session id; 1.2 resumption echoes it too. */
	gen_put8(&b, 32);
	gen_putn(&b, h->session_id, 32);
	gen_put16(&b, t13 ? 0x1301 : 0xc02f);
	gen_put8(&b, 0);
	ext_off = b.len;
	gen_put16(&b, 0);
	if (t13) {
		gen_put16(&b, EXT_VERSIONS);
		gen_put16(&b, 2);
		gen_put16(&b, 0x0304);
		gen_put16(&b, EXT_KEY_SHARE);
		gen_put16(&b, 36);
		gen_put16(&b, 0x001d);
		gen_put16(&b, 32);
		gen_rng_fill(rng, key, sizeof(key));
		gen_putn(&b, key, sizeof(key));
	} else {
		gen_put16(&b, EXT_RENEG);
		gen_put16(&b, 1);
		gen_put8(&b, 0);
		gen_put16(&b, EXT_EMS);
		gen_put16(&b, 0);
	}
	gen_patch16(&b, ext_off, (uint16_t)(b.len - ext_off - 2));
	gen_patch24(&b, hs + 1, (uint32_t)(b.len - hs - 4));
	gen_patch16(&b, 3, (uint16_t)(b.len - 5));
	put_record(&b, TLS_CCS, &ccs, 1);
	if (t13) {
		/* EncryptedExtensions, Certificate, CertificateVerify, Finished. */
		while (extra > 0) {
			size_t n = extra < TLS_RECORD_MAX ? extra : TLS_RECORD_MAX;

			put_record(&b, TLS_APPDATA, gen_random_bytes(rng, n), n);
			extra -= n;
		}
	} else {
		put_record(&b, TLS_HANDSHAKE, gen_random_bytes(rng, 40), 40); /* Finished */
	}
	return gen_buf_done(&b);
}

size_t gen_tls_client_finish(uint8_t *out, size_t cap, const struct gen_tls_hello *h,
			     struct gen_rng *rng)
{
	static const uint8_t ccs = 1;
	struct gen_buf b;

	gen_buf_init(&b, out, cap);
	put_record(&b, TLS_CCS, &ccs, 1);
	if (hello_tls13(h))
		put_record(&b, TLS_APPDATA, gen_random_bytes(rng, 53), 53);
	else
		put_record(&b, TLS_HANDSHAKE, gen_random_bytes(rng, 40), 40);
	return gen_buf_done(&b);
}

size_t gen_tls_app_data(uint8_t *out, size_t cap, size_t len, struct gen_rng *rng)
{
	struct gen_buf b;

	gen_buf_init(&b, out, cap);
	while (len > 0) {
		size_t n = len < TLS_RECORD_MAX ? len : TLS_RECORD_MAX;

		put_record(&b, TLS_APPDATA, gen_random_bytes(rng, n), n);
		len -= n;
	}
	return gen_buf_done(&b);
}
