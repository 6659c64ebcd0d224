/*
 * quarantine-sign.h - the quarantine request as it travels: its fields,
 * their canonical encoding, the HMAC-SHA256 signature over it, the key
 * file, and a strict parser for a request as received from Redis.
 *
 * Shared by the sensor (which builds and signs requests), edgewatch-ctl
 * (manual releases, listing) and the enforcement point (which parses and
 * verifies them).  The contract is written out in docs/redis.md,
 * "Quarantine requests"; in short, a request is one stream entry with the
 * fields of enum qreq_field, in that order, all strings, and
 *
 *   canonical = "edgewatch-quarantine-v1\n"
 *               + for each field v .. expires_us:  NAME "=" LEN ":" VALUE "\n"
 *   sig       = lowercase hex of HMAC-SHA256(key, canonical)
 *
 * The length prefix means no value, whatever bytes it holds, can forge a
 * field boundary.
 *
 * Memory: a struct qreq holds every field in fixed buffers (no
 * allocation, nothing to free); a struct qreq_argv points into the qreq
 * it was made from and is valid as long as that qreq is unchanged.  A
 * struct qkey holds the key bytes; wipe it with qkey_wipe() when done.
 * Errors are values with a bounded message; nothing here prints.
 */
#ifndef EW_QUARANTINE_SIGN_H
#define EW_QUARANTINE_SIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "packet.h"

#define QREQ_VERSION "1"
#define QREQ_CANONICAL_MAGIC "edgewatch-quarantine-v1\n"

#define QREQ_REQUEST_ID_HEX 32 /* 128 random bits */
#define QREQ_INCIDENT_ID_HEX 16
#define QREQ_SIG_HEX 64        /* HMAC-SHA256: 32 bytes */
#define QREQ_SENSOR_ID_MAX 64  /* bytes, [A-Za-z0-9._-], at least 1 */
#define QREQ_MAC_LEN 17        /* "aa:bb:cc:dd:ee:ff", lowercase */
#define QREQ_ADDRS_MAX 511     /* bytes of the addrs field */
#define QREQ_ADDRS_ENTRIES_MAX 16
#define QREQ_ALLOW_MAX 4095    /* bytes of the allow field */
#define QREQ_ALLOW_ENTRIES_MAX 64
#define QREQ_REASON_MAX 256    /* bytes, no byte < 0x20 nor 0x7f */
#define QREQ_CAUSE_MAX 63      /* bytes, "anomaly" or a rule id: [A-Za-z0-9._:-] */
#define QREQ_U64_DEC_MAX 20    /* digits of a uint64_t */

#define QKEY_MIN_BYTES 32      /* a shorter key is a configuration error */
#define QKEY_MAX_BYTES 1024    /* a longer key file is refused, not truncated */

/* The fields, in their wire and canonical order; sig is not signed. */
enum qreq_field {
	QF_V = 0,
	QF_REQUEST_ID,
	QF_SENSOR_ID,
	QF_ACTION,
	QF_MAC,
	QF_ADDRS,
	QF_ALLOW,
	QF_REASON,
	QF_INCIDENT_ID,
	QF_CAUSE,
	QF_ISSUED_US,
	QF_EXPIRES_US,
	QF_SIG,
	QF_COUNT
};
#define QF_SIGNED_COUNT QF_SIG /* v .. expires_us */

/* "v", "request_id", ... "sig"; NULL out of range. */
const char *qreq_field_name(enum qreq_field f);

enum qreq_action { QREQ_ISOLATE = 0, QREQ_RESTRICT, QREQ_RELEASE, QREQ_ACTION_COUNT };

/* "isolate", "restrict", "release"; NULL out of range. */
const char *qreq_action_name(enum qreq_action a);
/* The action with this name, or -1. */
int qreq_action_from_name(const char *s, size_t n);

/* A request; every text field NUL-terminated. */
struct qreq {
	char request_id[QREQ_REQUEST_ID_HEX + 1];
	char sensor_id[QREQ_SENSOR_ID_MAX + 1];
	uint8_t action; /* enum qreq_action */
	char mac[QREQ_MAC_LEN + 1];             /* "" for a device known only by address */
	char addrs[QREQ_ADDRS_MAX + 1];         /* "192.168.1.20,fe80::1" */
	char allow[QREQ_ALLOW_MAX + 1];         /* "udp/192.168.1.1/53,..."; "" for release */
	char reason[QREQ_REASON_MAX + 1];
	char incident_id[QREQ_INCIDENT_ID_HEX + 1]; /* "" for a manual release */
	char cause[QREQ_CAUSE_MAX + 1];
	uint64_t issued_us, expires_us;         /* Unix microseconds */
	char sig[QREQ_SIG_HEX + 1];             /* "" until signed */
};

/*
 * Field/value pairs ready for XADD (redisCommandArgv after "XADD", stream,
 * "*"): argv[2*i] is the name of field i, argv[2*i+1] its value.
 */
struct qreq_argv {
	const char *argv[2 * QF_COUNT];
	size_t len[2 * QF_COUNT];
	char num[2][QREQ_U64_DEC_MAX + 1]; /* issued_us, expires_us as text */
};
void qreq_to_argv(const struct qreq *r, struct qreq_argv *out);

/*
 * Checks every field of r against the contract (syntax, lengths, the
 * action's rules: release has allow "" and expires_us == issued_us;
 * isolate/restrict have an incident id and expires_us > issued_us).  The
 * signature is checked only for syntax, and only if want_sig.  0, or -1
 * with "FIELD: problem" in err.
 */
int qreq_validate(const struct qreq *r, bool want_sig, char *err, size_t errlen);

/*
 * The canonical encoding of r's signed fields into buf (len bytes).
 * Returns the length of the encoding (which may be >= len: then buf holds
 * a truncated, NUL-terminated prefix and the caller needs a bigger
 * buffer); buf is NUL-terminated when len > 0.  QREQ_CANONICAL_MAX is
 * always enough for a request that passes qreq_validate.
 */
#define QREQ_CANONICAL_MAX 6144
size_t qreq_canonical(const struct qreq *r, char *buf, size_t len);

/* The signing key: raw bytes of the key file. */
struct qkey {
	unsigned char bytes[QKEY_MAX_BYTES];
	size_t len;
};

/*
 * Reads the key file once (at start): its bytes, one trailing "\n"
 * removed; fewer than QKEY_MIN_BYTES or more than QKEY_MAX_BYTES is an
 * error.  A key file that is not a regular file, or that group or others
 * may read or write, is refused too (the key would be a secret in name
 * only).  0, or -1 with "PATH: problem" in err (key left empty).
 */
int qkey_read_file(const char *path, struct qkey *key, char *err, size_t errlen);
/* The same checks on bytes in memory (tests, callers with their own storage). */
int qkey_set(struct qkey *key, const void *bytes, size_t len, char *err, size_t errlen);
/* Overwrites the key bytes (OPENSSL_cleanse); accepts NULL. */
void qkey_wipe(struct qkey *key);

/*
 * HMAC-SHA256 of msg under key, as 64 lowercase hex digits and a NUL into
 * hex.  Any key length (RFC 4231 vectors use short keys); -1 only if
 * libcrypto fails.
 */
int qreq_hmac_hex(const void *key, size_t key_len, const void *msg, size_t msg_len,
		  char hex[QREQ_SIG_HEX + 1]);

/* Fills r->sig from the canonical encoding of r.  -1 if r fails qreq_validate (err says why). */
int qreq_sign(struct qreq *r, const struct qkey *key, char *err, size_t errlen);

/*
 * Recomputes the signature and compares it with r->sig in constant time
 * (CRYPTO_memcmp).  True only when they match; a missing, short or
 * non-hex sig is false.
 */
bool qreq_verify_sig(const struct qreq *r, const struct qkey *key);

/*
 * Why an enforcement point rejects a request (the "detail" of a rejected
 * outcome).  QREQ_REJ_NONE: accepted.
 */
enum qreq_reject {
	QREQ_REJ_NONE = 0,
	QREQ_REJ_UNSIGNED,      /* no sig field */
	QREQ_REJ_BAD_SIGNATURE,
	QREQ_REJ_MALFORMED,     /* a field missing, repeated, unknown or ill-formed */
	QREQ_REJ_STALE,         /* issued_us further than max_skew from the enforcer's clock */
	QREQ_REJ_EXPIRED,       /* isolate/restrict with expires_us <= now */
	QREQ_REJ_REPLAY,        /* enforcer's state: a request id seen before */
	QREQ_REJ_NOT_ALLOWED,   /* enforcer's policy: it will not act on this device */
	QREQ_REJ_COUNT
};
/* "", "unsigned", "bad_signature", "malformed", "stale", "expired", "replay", "not_allowed". */
const char *qreq_reject_name(enum qreq_reject r);

/* Outcomes reported on the enforcement stream. */
enum qreq_outcome {
	QREQ_OUT_APPLIED = 0,
	QREQ_OUT_ALREADY,
	QREQ_OUT_RELEASED,
	QREQ_OUT_EXPIRED,
	QREQ_OUT_REJECTED,
	QREQ_OUT_COUNT
};
/* "applied", "already", "released", "expired", "rejected"; NULL out of range. */
const char *qreq_outcome_name(enum qreq_outcome o);
/* The outcome with this name, or -1. */
int qreq_outcome_from_name(const char *s, size_t n);

#define QREQ_MAX_SKEW_US_DEFAULT (300 * EW_USEC_PER_SEC)

/*
 * Parses a request as received: n strings, field/value alternating (the
 * entry's field array from XREAD/XRANGE; lengths explicit, values may hold
 * any bytes, NUL included).  Every field must appear exactly once, no
 * other field may appear, and each must pass qreq_validate.  Returns
 * QREQ_REJ_NONE with *out filled, QREQ_REJ_UNSIGNED when everything but
 * sig is well-formed and sig is absent, else QREQ_REJ_MALFORMED; err says
 * which field and why.  The signature itself is not checked here.
 */
enum qreq_reject qreq_parse(const char *const *str, const size_t *len, size_t n,
			    struct qreq *out, char *err, size_t errlen);

/*
 * The enforcement point's checks after qreq_parse, in the contract's
 * order: signature (bad_signature), issued_us within max_skew_us of now_us
 * (stale), expires_us > now_us for isolate/restrict (expired).  Replay
 * and policy are the enforcer's own.
 */
enum qreq_reject qreq_check(const struct qreq *r, const struct qkey *key, uint64_t now_us,
			    uint64_t max_skew_us);

/* One entry of addrs or allow, parsed. */
struct qreq_dest {
	uint8_t proto;       /* EW_IPPROTO_TCP / EW_IPPROTO_UDP; 0 for an addrs entry */
	struct ew_addr addr;
	uint16_t port;       /* 0 for an addrs entry */
};

/*
 * Iterates over a validated addrs ("192.168.1.20,fe80::1") or allow
 * ("tcp/198.51.100.20/443,...") list: *pos starts at 0; returns 1 with
 * *out filled and *pos advanced, 0 at the end, -1 on a syntax error.
 */
int qreq_addrs_next(const char *list, size_t *pos, struct qreq_dest *out);
int qreq_allow_next(const char *list, size_t *pos, struct qreq_dest *out);

/* Whether s is a MAC as the contract writes it ("aa:bb:cc:dd:ee:ff", lowercase). */
bool qreq_mac_valid(const char *s, size_t n);

/*
 * qerr: the quarantine modules' error idiom: one bounded message into err
 * (errlen bytes; err NULL or errlen 0: none), and -1 to return.
 */
__attribute__((format(printf, 3, 4)))
int qerr(char *err, size_t errlen, const char *fmt, ...);

#endif /* EW_QUARANTINE_SIGN_H */
