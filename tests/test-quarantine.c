/*
 * test-quarantine.c - unit tests of quarantine requests: the canonical
 * encoding, HMAC-SHA256 signing and verification, the key file and the
 * hostile-input parser (src/quarantine-sign.c), then the policy engine
 * (src/quarantine.c): severity, causes, the allowlist in each form, the
 * rate limit with its held requests, dry run, TTL expiry, release on
 * close, restrict's destinations and no duplicate requests.
 *
 * Expected bytes are written out by hand (lengths counted in the
 * comments); the one signature of a full request was computed outside
 * this code, with `openssl dgst -sha256 -hmac KEY` over those bytes.
 * Packet time is the only clock: every time below is explicit.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "quarantine-sign.h"
#include "quarantine.h"
#include "util-cidr.h"

#define KEY32 "0123456789abcdef0123456789abcdef" /* 32 bytes: the minimum */
#define T0 1700000000000000ULL                   /* 2023-11-14T22:13:20Z in microseconds */
#define SEC EW_USEC_PER_SEC

/* ------------------------------------------------------------ helpers */

static void key_of(struct qkey *k, const char *s)
{
	char err[128];

	assert_int_equal(qkey_set(k, s, strlen(s), err, sizeof err), 0);
}

/* The request of the canonical-bytes test. */
static void sample_request(struct qreq *r)
{
	memset(r, 0, sizeof *r);
	strcpy(r->request_id, "00112233445566778899aabbccddeeff");
	strcpy(r->sensor_id, "sensor-1");
	r->action = QREQ_ISOLATE;
	strcpy(r->mac, "aa:bb:cc:dd:ee:ff");
	strcpy(r->addrs, "192.168.1.20");
	strcpy(r->allow, "udp/192.168.1.1/53,udp/192.168.1.1/67");
	strcpy(r->reason, "x=3:y"); /* '=' and ':' inside a value: the length prefix copes */
	strcpy(r->incident_id, "0123456789abcdef");
	strcpy(r->cause, "anomaly");
	r->issued_us = T0;
	r->expires_us = T0 + 3600 * SEC;
}

/* A received entry: the field/value strings of a request, editable. */
struct entry {
	const char *str[2 * QF_COUNT + 2];
	size_t len[2 * QF_COUNT + 2];
	size_t n;
};

static void entry_of(const struct qreq *r, struct qreq_argv *av, struct entry *e)
{
	qreq_to_argv(r, av);
	memset(e, 0, sizeof *e);
	for (int i = 0; i < 2 * QF_COUNT; i++) {
		e->str[i] = av->argv[i];
		e->len[i] = av->len[i];
	}
	e->n = 2 * QF_COUNT;
}

static void entry_set(struct entry *e, enum qreq_field f, const char *v)
{
	e->str[2 * f + 1] = v;
	e->len[2 * f + 1] = strlen(v);
}

static enum qreq_reject entry_parse(const struct entry *e, struct qreq *out)
{
	char err[160];

	return qreq_parse(e->str, e->len, e->n, out, err, sizeof err);
}

/* ------------------------------------------------------------ encoding */

static void test_canonical_bytes(void **state)
{
	struct qreq r;
	char buf[QREQ_CANONICAL_MAX];
	/*
	 * Lengths: magic 24; "v=1:1\n" 6; request_id 11+3+32+1 = 47;
	 * sensor_id 10+2+8+1 = 21; action 7+2+7+1 = 17; mac 4+3+17+1 = 25;
	 * addrs 6+3+12+1 = 22; allow 6+3+37+1 = 47 (18+1+18 = 37);
	 * reason 7+2+5+1 = 15; incident_id 12+3+16+1 = 32; cause 6+2+7+1 = 16;
	 * issued_us 10+3+16+1 = 30; expires_us 11+3+16+1 = 31.  Sum 333.
	 */
	static const char expect[] =
		"edgewatch-quarantine-v1\n"
		"v=1:1\n"
		"request_id=32:00112233445566778899aabbccddeeff\n"
		"sensor_id=8:sensor-1\n"
		"action=7:isolate\n"
		"mac=17:aa:bb:cc:dd:ee:ff\n"
		"addrs=12:192.168.1.20\n"
		"allow=37:udp/192.168.1.1/53,udp/192.168.1.1/67\n"
		"reason=5:x=3:y\n"
		"incident_id=16:0123456789abcdef\n"
		"cause=7:anomaly\n"
		"issued_us=16:1700000000000000\n"
		"expires_us=16:1700003600000000\n";

	(void)state;
	sample_request(&r);
	assert_int_equal(qreq_canonical(&r, buf, sizeof buf), 333);
	assert_int_equal(sizeof expect - 1, 333);
	assert_string_equal(buf, expect);
	/* Too small a buffer: the full length is still reported, the prefix NUL-terminated. */
	assert_int_equal(qreq_canonical(&r, buf, 30), 333);
	assert_string_equal(buf, "edgewatch-quarantine-v1\nv=1:1"); /* 24 + 5 = 29 bytes */
}

static void test_hmac_rfc4231_case2(void **state)
{
	char hex[QREQ_SIG_HEX + 1];

	(void)state;
	/* RFC 4231, test case 2: key "Jefe", data "what do ya want for nothing?". */
	assert_int_equal(qreq_hmac_hex("Jefe", 4, "what do ya want for nothing?", 28, hex), 0);
	assert_string_equal(hex,
			    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

static void test_sign_known_answer(void **state)
{
	struct qreq r;
	struct qkey k;
	char err[128];

	(void)state;
	key_of(&k, KEY32);
	sample_request(&r);
	assert_int_equal(qreq_sign(&r, &k, err, sizeof err), 0);
	/* openssl dgst -sha256 -hmac 0123456789abcdef0123456789abcdef over the 333 bytes above. */
	assert_string_equal(r.sig,
			    "8e69407b4fc3b5789b31a1d13b5a2bf0cac1a62c77cd211e91e02f3a3041f3d0");
	assert_true(qreq_verify_sig(&r, &k));
	qkey_wipe(&k);
	assert_int_equal(k.len, 0);
}

/* Each signed field changed to another well-formed value: parses, but the signature fails. */
static void test_verify_rejects_tampering(void **state)
{
	static const char *const other[QF_SIGNED_COUNT] = {
		[QF_V] = NULL, /* only "1" is well-formed: below */
		[QF_REQUEST_ID] = "00112233445566778899aabbccddeefe",
		[QF_SENSOR_ID] = "sensor-2",
		[QF_ACTION] = "restrict",
		[QF_MAC] = "aa:bb:cc:dd:ee:fe",
		[QF_ADDRS] = "192.168.1.20,192.168.1.21",
		[QF_ALLOW] = "udp/192.168.1.1/53",
		[QF_REASON] = "x=3:z",
		[QF_INCIDENT_ID] = "0123456789abcdee",
		[QF_CAUSE] = "port-scan",
		[QF_ISSUED_US] = "1700000000000001",
		[QF_EXPIRES_US] = "1700003600000001",
	};
	struct qreq r, got;
	struct qreq_argv av;
	struct entry e;
	struct qkey k, wrong;
	char err[128], sig[QREQ_SIG_HEX + 1];

	(void)state;
	key_of(&k, KEY32);
	key_of(&wrong, "0123456789abcdef0123456789abcdeF"); /* one bit of case differs */
	sample_request(&r);
	assert_int_equal(qreq_sign(&r, &k, err, sizeof err), 0);

	entry_of(&r, &av, &e);
	assert_int_equal(entry_parse(&e, &got), QREQ_REJ_NONE);
	assert_int_equal(qreq_check(&got, &k, T0, QREQ_MAX_SKEW_US_DEFAULT), QREQ_REJ_NONE);
	assert_int_equal(qreq_check(&got, &wrong, T0, QREQ_MAX_SKEW_US_DEFAULT),
			 QREQ_REJ_BAD_SIGNATURE);

	for (int f = QF_REQUEST_ID; f < QF_SIGNED_COUNT; f++) {
		entry_of(&r, &av, &e);
		entry_set(&e, (enum qreq_field)f, other[f]);
		assert_int_equal(entry_parse(&e, &got), QREQ_REJ_NONE);
		if (qreq_verify_sig(&got, &k))
			fail_msg("field %s tampered, signature still verifies", qreq_field_name(f));
	}
	entry_of(&r, &av, &e);
	entry_set(&e, QF_V, "2");
	assert_int_equal(entry_parse(&e, &got), QREQ_REJ_MALFORMED);

	/* The signature itself: one digit changed; cut short; missing. */
	strcpy(sig, r.sig);
	sig[10] = sig[10] == '0' ? '1' : '0';
	entry_of(&r, &av, &e);
	entry_set(&e, QF_SIG, sig);
	assert_int_equal(entry_parse(&e, &got), QREQ_REJ_NONE);
	assert_int_equal(qreq_check(&got, &k, T0, QREQ_MAX_SKEW_US_DEFAULT),
			 QREQ_REJ_BAD_SIGNATURE);
	strcpy(sig, r.sig);
	sig[63] = '\0';
	entry_of(&r, &av, &e);
	entry_set(&e, QF_SIG, sig);
	assert_int_equal(entry_parse(&e, &got), QREQ_REJ_MALFORMED);
	got = r;
	got.sig[63] = '\0'; /* a truncated sig in a struct never verifies either */
	assert_false(qreq_verify_sig(&got, &k));
	entry_of(&r, &av, &e);
	e.n -= 2; /* sig is the last pair */
	assert_int_equal(entry_parse(&e, &got), QREQ_REJ_UNSIGNED);
	qkey_wipe(&k);
	qkey_wipe(&wrong);
}

static void test_check_clock(void **state)
{
	struct qreq r;
	struct qkey k;
	char err[128];
	uint64_t skew = QREQ_MAX_SKEW_US_DEFAULT; /* 300 s */

	(void)state;
	key_of(&k, KEY32);
	sample_request(&r); /* issued T0, expires T0 + 3600 s */
	assert_int_equal(qreq_sign(&r, &k, err, sizeof err), 0);
	assert_int_equal(qreq_check(&r, &k, T0 + 300 * SEC, skew), QREQ_REJ_NONE);
	assert_int_equal(qreq_check(&r, &k, T0 - 300 * SEC, skew), QREQ_REJ_NONE);
	assert_int_equal(qreq_check(&r, &k, T0 + 300 * SEC + 1, skew), QREQ_REJ_STALE);
	assert_int_equal(qreq_check(&r, &k, T0 - 300 * SEC - 1, skew), QREQ_REJ_STALE);
	/* Expired: with a 10-hour skew allowance the clock check passes and expiry decides. */
	assert_int_equal(qreq_check(&r, &k, T0 + 3600 * SEC - 1, 36000 * SEC), QREQ_REJ_NONE);
	assert_int_equal(qreq_check(&r, &k, T0 + 3600 * SEC, 36000 * SEC), QREQ_REJ_EXPIRED);
	assert_string_equal(qreq_reject_name(QREQ_REJ_BAD_SIGNATURE), "bad_signature");
	assert_string_equal(qreq_reject_name(QREQ_REJ_NOT_ALLOWED), "not_allowed");
	assert_string_equal(qreq_outcome_name(QREQ_OUT_ALREADY), "already");
	assert_int_equal(qreq_outcome_from_name("rejected", 8), QREQ_OUT_REJECTED);
	assert_int_equal(qreq_outcome_from_name("reject", 6), -1);
}

/* ------------------------------------------------------------ the parser, hostile */

struct bad_value {
	enum qreq_field f;
	const char *v;
	size_t len; /* 0: strlen */
};

static void test_parse_bad_values(void **state)
{
	static char long_reason[QREQ_REASON_MAX + 2];
	static char long_sensor[QREQ_SENSOR_ID_MAX + 2];
	static char long_allow[QREQ_ALLOW_MAX + 40]; /* 4135 bytes */
	const struct bad_value bad[] = {
		{ QF_REQUEST_ID, "00112233445566778899AABBCCDDEEFF", 0 }, /* uppercase */
		{ QF_REQUEST_ID, "00112233445566778899aabbccddeef", 0 },  /* 31 digits */
		{ QF_REQUEST_ID, "00112233445566778899aabbccddeeffa", 0 },/* 33 digits */
		{ QF_SENSOR_ID, "", 0 },
		{ QF_SENSOR_ID, "sensor 1", 0 },
		{ QF_SENSOR_ID, long_sensor, 0 },                        /* 65 bytes */
		{ QF_ACTION, "Isolate", 0 },
		{ QF_ACTION, "isolate\0x", 9 },                          /* NUL inside */
		{ QF_MAC, "AA:BB:CC:DD:EE:FF", 0 },
		{ QF_MAC, "aa-bb-cc-dd-ee-ff", 0 },
		{ QF_MAC, "aa:bb:cc:dd:ee:f", 0 },
		{ QF_ADDRS, "", 0 },                                     /* at least one */
		{ QF_ADDRS, "192.168.1.20,", 0 },                        /* trailing comma */
		{ QF_ADDRS, "192.168.1.20,,fe80::1", 0 },
		{ QF_ADDRS, "192.168.1.256", 0 },
		{ QF_ADDRS, "fe80::1%eth0", 0 },                         /* zone: not an address */
		{ QF_ALLOW, "icmp/192.168.1.1/1", 0 },
		{ QF_ALLOW, "udp/192.168.1.1/0", 0 },
		{ QF_ALLOW, "udp/192.168.1.1/65536", 0 },
		{ QF_ALLOW, "udp/192.168.1.1/053", 0 },
		{ QF_ALLOW, "udp/192.168.1.1", 0 },
		{ QF_ALLOW, "udp//53", 0 },
		{ QF_ALLOW, long_allow, 0 },                             /* over 4095 bytes */
		{ QF_REASON, "two\nlines", 0 },
		{ QF_REASON, "bell\x07", 0 },
		{ QF_REASON, "del\x7f", 0 },
		{ QF_REASON, long_reason, 0 },                           /* 257 bytes */
		{ QF_INCIDENT_ID, "", 0 },                               /* only a release may omit it */
		{ QF_INCIDENT_ID, "0123456789abcdeg", 0 },
		{ QF_CAUSE, "", 0 },
		{ QF_CAUSE, "port scan", 0 },
		{ QF_ISSUED_US, "01700000000000000", 0 },                /* leading zero */
		{ QF_ISSUED_US, "-1", 0 },
		{ QF_ISSUED_US, "", 0 },
		{ QF_ISSUED_US, "18446744073709551616", 0 },             /* 2^64: overflow */
		{ QF_EXPIRES_US, "1700000000000000", 0 },                /* == issued: isolate */
		{ QF_EXPIRES_US, "1699999999999999", 0 },                /* before issued */
		{ QF_SIG, "8E69407B4FC3B5789B31A1D13B5A2BF0CAC1A62C77CD211E91E02F3A3041F3D0", 0 },
		{ QF_SIG, "", 0 },
	};
	struct qreq r, got;
	struct qreq_argv av;
	struct entry e;
	struct qkey k;
	char err[128];

	(void)state;
	memset(long_reason, 'r', QREQ_REASON_MAX + 1);
	memset(long_sensor, 's', QREQ_SENSOR_ID_MAX + 1);
	/* 205 entries of 19 bytes and 204 commas: 4099 bytes, over the 4095 a value may have. */
	for (size_t i = 0; i < 205; i++)
		memcpy(long_allow + 20 * i, i < 204 ? "udp/192.168.1.1/530," : "udp/192.168.1.1/530",
		       i < 204 ? 20 : 19);
	assert_int_equal(strlen(long_allow), 4099);
	key_of(&k, KEY32);
	sample_request(&r);
	assert_int_equal(qreq_sign(&r, &k, err, sizeof err), 0);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		entry_of(&r, &av, &e);
		e.str[2 * bad[i].f + 1] = bad[i].v;
		e.len[2 * bad[i].f + 1] = bad[i].len ? bad[i].len : strlen(bad[i].v);
		if (entry_parse(&e, &got) != QREQ_REJ_MALFORMED)
			fail_msg("case %zu (%s = \"%.40s\") not rejected as malformed", i,
				 qreq_field_name(bad[i].f), bad[i].v);
	}
	entry_of(&r, &av, &e);
	entry_set(&e, QF_ALLOW, long_allow);
	assert_int_equal(qreq_parse(e.str, e.len, e.n, &got, err, sizeof err),
			 QREQ_REJ_MALFORMED);
	assert_string_equal(err, "allow: 4099 bytes is too long");
	qkey_wipe(&k);
}

static void test_parse_bad_shapes(void **state)
{
	struct qreq r, got;
	struct qreq_argv av;
	struct entry e;
	struct qkey k;
	char err[160];

	(void)state;
	key_of(&k, KEY32);
	sample_request(&r);
	assert_int_equal(qreq_sign(&r, &k, err, sizeof err), 0);

	entry_of(&r, &av, &e); /* odd count: a field without its value */
	e.n--;
	assert_int_equal(entry_parse(&e, &got), QREQ_REJ_MALFORMED);
	entry_of(&r, &av, &e); /* a field repeated */
	e.str[2 * QF_REASON] = "cause";
	e.len[2 * QF_REASON] = 5;
	assert_int_equal(qreq_parse(e.str, e.len, e.n, &got, err, sizeof err),
			 QREQ_REJ_MALFORMED);
	assert_string_equal(err, "cause: appears twice");
	entry_of(&r, &av, &e); /* an unknown extra field */
	e.str[e.n] = "extra";
	e.len[e.n] = 5;
	e.str[e.n + 1] = "x";
	e.len[e.n + 1] = 1;
	e.n += 2;
	assert_int_equal(entry_parse(&e, &got), QREQ_REJ_MALFORMED);
	entry_of(&r, &av, &e); /* a field name with a NUL inside: not a field */
	e.str[2 * QF_CAUSE] = "cause\0";
	e.len[2 * QF_CAUSE] = 6;
	assert_int_equal(entry_parse(&e, &got), QREQ_REJ_MALFORMED);
	entry_of(&r, &av, &e); /* a field missing: action (pairs moved up over it) */
	memmove(&e.str[2 * QF_ACTION], &e.str[2 * QF_ACTION + 2],
		(e.n - 2 * QF_ACTION - 2) * sizeof e.str[0]);
	memmove(&e.len[2 * QF_ACTION], &e.len[2 * QF_ACTION + 2],
		(e.n - 2 * QF_ACTION - 2) * sizeof e.len[0]);
	e.n -= 2;
	assert_int_equal(qreq_parse(e.str, e.len, e.n, &got, err, sizeof err),
			 QREQ_REJ_MALFORMED);
	assert_string_equal(err, "action: missing");
	/* Fields in another order are still one request (Redis keeps the order; we do not need it). */
	entry_of(&r, &av, &e);
	e.str[0] = av.argv[2 * QF_SIG];
	e.len[0] = av.len[2 * QF_SIG];
	e.str[1] = av.argv[2 * QF_SIG + 1];
	e.len[1] = av.len[2 * QF_SIG + 1];
	e.str[2 * QF_SIG] = av.argv[0];
	e.len[2 * QF_SIG] = av.len[0];
	e.str[2 * QF_SIG + 1] = av.argv[1];
	e.len[2 * QF_SIG + 1] = av.len[1];
	assert_int_equal(entry_parse(&e, &got), QREQ_REJ_NONE);
	assert_true(qreq_verify_sig(&got, &k));
	/* No strings at all; more pairs than the contract has fields. */
	assert_int_equal(qreq_parse(e.str, e.len, 0, &got, err, sizeof err), QREQ_REJ_MALFORMED);
	assert_int_equal(qreq_parse(e.str, e.len, 2 * QF_COUNT + 2, &got, err, sizeof err),
			 QREQ_REJ_MALFORMED);

	/* A release: allow must be "", expires == issued, incident id may be "". */
	r.action = QREQ_RELEASE;
	r.allow[0] = '\0';
	r.incident_id[0] = '\0';
	r.expires_us = r.issued_us;
	assert_int_equal(qreq_sign(&r, &k, err, sizeof err), 0);
	entry_of(&r, &av, &e);
	assert_int_equal(entry_parse(&e, &got), QREQ_REJ_NONE);
	/* A release is never "expired": it only lets a device back. */
	assert_int_equal(qreq_check(&got, &k, T0 + 1, QREQ_MAX_SKEW_US_DEFAULT), QREQ_REJ_NONE);
	entry_set(&e, QF_ALLOW, "udp/192.168.1.1/53");
	assert_int_equal(entry_parse(&e, &got), QREQ_REJ_MALFORMED);
	entry_of(&r, &av, &e);
	entry_set(&e, QF_EXPIRES_US, "1700000000000001");
	assert_int_equal(entry_parse(&e, &got), QREQ_REJ_MALFORMED);
	qkey_wipe(&k);
}

static void test_list_iterators(void **state)
{
	struct qreq_dest d;
	size_t pos = 0;
	const char *allow = "tcp/198.51.100.20/443,udp/2001:db8::1/123";

	(void)state;
	assert_int_equal(qreq_allow_next(allow, &pos, &d), 1);
	assert_int_equal(d.proto, EW_IPPROTO_TCP);
	assert_int_equal(d.port, 443);
	assert_int_equal(d.addr.family, EW_AF_INET);
	assert_int_equal(d.addr.bytes[15], 20);
	assert_int_equal(qreq_allow_next(allow, &pos, &d), 1);
	assert_int_equal(d.proto, EW_IPPROTO_UDP);
	assert_int_equal(d.port, 123);
	assert_int_equal(d.addr.family, EW_AF_INET6);
	assert_int_equal(d.addr.bytes[0], 0x20);
	assert_int_equal(d.addr.bytes[15], 1);
	assert_int_equal(qreq_allow_next(allow, &pos, &d), 0);
	pos = 0;
	assert_int_equal(qreq_addrs_next("10.0.0.1,fe80::1", &pos, &d), 1);
	assert_int_equal(pos, 9); /* "10.0.0.1," */
	assert_int_equal(qreq_addrs_next("10.0.0.1,fe80::1", &pos, &d), 1);
	assert_int_equal(d.addr.family, EW_AF_INET6);
	assert_int_equal(qreq_addrs_next("10.0.0.1,fe80::1", &pos, &d), 0);
	assert_true(qreq_mac_valid("00:11:22:aa:bb:cc", 17));
	assert_false(qreq_mac_valid("00:11:22:aa:bb:cc:", 18));
	assert_false(qreq_mac_valid("00:11:22:aa:bb:cC", 17));
}

/* ------------------------------------------------------------ the key file */

static int write_key(const char *path, const char *text, size_t n, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || write(fd, text, n) != (ssize_t)n || fchmod(fd, mode) != 0)
		return -1;
	return close(fd);
}

static void test_key_file(void **state)
{
	char path[] = "/tmp/ew-test-key-XXXXXX";
	char big[QKEY_MAX_BYTES + 1];
	struct qkey k;
	char err[256];
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	/* 32 bytes and a newline: the newline is not part of the key. */
	assert_int_equal(write_key(path, KEY32 "\n", 33, 0600), 0);
	assert_int_equal(qkey_read_file(path, &k, err, sizeof err), 0);
	assert_int_equal(k.len, 32);
	assert_memory_equal(k.bytes, KEY32, 32);
	/* Only one newline is removed: 31 bytes + "\n\n" is 32 bytes of key. */
	assert_int_equal(write_key(path, "0123456789abcdef0123456789abcde\n\n", 33, 0400), 0);
	assert_int_equal(qkey_read_file(path, &k, err, sizeof err), 0);
	assert_int_equal(k.len, 32);
	assert_int_equal(k.bytes[31], '\n');
	/* 31 bytes + "\n": too short. */
	assert_int_equal(write_key(path, "0123456789abcdef0123456789abcde\n", 32, 0600), 0);
	assert_int_equal(qkey_read_file(path, &k, err, sizeof err), -1);
	assert_non_null(strstr(err, "key is 31 bytes; at least 32 are needed"));
	assert_int_equal(k.len, 0);
	/* Readable by others; by its group. */
	assert_int_equal(write_key(path, KEY32, 32, 0604), 0);
	assert_int_equal(qkey_read_file(path, &k, err, sizeof err), -1);
	assert_non_null(strstr(err, ": readable or writable by group or others (chmod 600)"));
	assert_int_equal(write_key(path, KEY32, 32, 0640), 0);
	assert_int_equal(qkey_read_file(path, &k, err, sizeof err), -1);
	/* Longer than the cap. */
	memset(big, 'k', sizeof big);
	assert_int_equal(write_key(path, big, sizeof big, 0600), 0);
	assert_int_equal(qkey_read_file(path, &k, err, sizeof err), -1);
	assert_non_null(strstr(err, "over 1024 bytes"));
	unlink(path);
	assert_int_equal(qkey_read_file(path, &k, err, sizeof err), -1);
	assert_int_equal(qkey_read_file("/tmp", &k, err, sizeof err), -1);
}

/* ------------------------------------------------------------ the policy */

#define MAX_SEEN 32

struct seen {
	size_t n;
	enum quarantine_decision_kind kind[MAX_SEEN];
	bool had_argv[MAX_SEEN];
	bool dry[MAX_SEEN];
	struct qreq req[MAX_SEEN]; /* zero when the decision carried none */
	char reason[MAX_SEEN][QUARANTINE_REASON_MAX];
};

static void on_decision(void *ctx, const struct quarantine_decision *d)
{
	struct seen *s = ctx;

	assert_true(s->n < MAX_SEEN);
	s->kind[s->n] = d->kind;
	s->had_argv[s->n] = d->argv != NULL;
	s->dry[s->n] = d->dry_run;
	if (d->req != NULL)
		s->req[s->n] = *d->req;
	else
		memset(&s->req[s->n], 0, sizeof s->req[s->n]);
	snprintf(s->reason[s->n], QUARANTINE_REASON_MAX, "%s", d->reason);
	s->n++;
}

/* Request ids 000...01, 000...02, ...: predictable, so tests can name them. */
static int counter_random(void *ctx, uint8_t out[16])
{
	unsigned *c = ctx;

	memset(out, 0, 16);
	out[15] = (uint8_t)++*c;
	return 0;
}

struct fixture {
	struct quarantine_settings s;
	struct qkey key;
	struct ew_cidr_list dns;
	const char *causes[4];
	const char *allow[8];
	struct seen seen;
	unsigned counter;
	struct quarantine *q;
};

static void fixture_init(struct fixture *fx)
{
	struct ew_cidr c;
	char err[128];

	memset(fx, 0, sizeof *fx);
	key_of(&fx->key, KEY32);
	assert_int_equal(ew_cidr_parse("192.168.1.1", &c, err, sizeof err), 0);
	assert_int_equal(ew_cidr_list_add(&fx->dns, &c), 0);
	/* A block, not a host: no server to open a hole for; left out of isolate's list. */
	assert_int_equal(ew_cidr_parse("10.0.0.0/8", &c, err, sizeof err), 0);
	assert_int_equal(ew_cidr_list_add(&fx->dns, &c), 0);
	fx->causes[0] = "anomaly";
	fx->causes[1] = "arp-*";
	fx->s.enabled = true;
	fx->s.sensor_id = "sensor-1";
	fx->s.min_severity = SEV_HIGH;
	fx->s.causes = fx->causes;
	fx->s.ncauses = 2;
	fx->s.action = QREQ_ISOLATE;
	fx->s.ttl_s = 3600;
	fx->s.allow = fx->allow;
	fx->s.max_per_hour = 100; /* no test but the rate limit's comes near it */
	fx->s.dns_servers = &fx->dns;
	fx->s.key = &fx->key;
}

static void fixture_start(struct fixture *fx)
{
	char err[256];

	fx->q = quarantine_create(&fx->s, on_decision, &fx->seen, err, sizeof err);
	if (fx->q == NULL)
		fail_msg("quarantine_create: %s", err);
	quarantine_set_random(fx->q, counter_random, &fx->counter);
}

static void fixture_done(struct fixture *fx)
{
	quarantine_destroy(fx->q);
	ew_cidr_list_free(&fx->dns);
	qkey_wipe(&fx->key);
}

/* Device n: MAC 02:00:00:00:00:0n, address 192.168.1.(100+n), key n. */
struct tdev {
	struct ew_addr addr;
	const char *class_name, *name;
};

static struct quarantine_incident incident(struct tdev *td, unsigned n, enum quarantine_event ev,
					   const char *cause, uint8_t sev, ew_usec_t ts)
{
	struct quarantine_incident inc;
	uint8_t v4[4] = { 192, 168, 1, (uint8_t)(100 + n) };

	memset(&inc, 0, sizeof inc);
	ew_addr_set_v4(&td->addr, v4);
	inc.event = ev;
	inc.dev.key = n;
	inc.dev.has_mac = true;
	inc.dev.mac[0] = 0x02;
	inc.dev.mac[5] = (uint8_t)n;
	inc.dev.addrs = &td->addr;
	inc.dev.naddrs = 1;
	inc.dev.class_name = td->class_name;
	inc.dev.name = td->name;
	inc.incident_id = 0xab00 + n;
	inc.cause = cause;
	inc.severity = sev;
	inc.score = 9.5;
	inc.ts = ts;
	return inc;
}

static void notify(struct fixture *fx, unsigned n, enum quarantine_event ev, const char *cause,
		   uint8_t sev, ew_usec_t ts)
{
	struct tdev td = { .class_name = "", .name = "" };
	struct quarantine_incident inc = incident(&td, n, ev, cause, sev, ts);

	quarantine_notify(fx->q, &inc);
}

static void test_policy_request_fields(void **state)
{
	struct fixture fx;
	struct qreq got;
	struct qreq_argv av;
	struct entry e;

	(void)state;
	fixture_init(&fx);
	fixture_start(&fx);
	notify(&fx, 7, QEV_OPENED, "anomaly", SEV_CRITICAL, T0);
	assert_int_equal(fx.seen.n, 1);
	assert_int_equal(fx.seen.kind[0], QD_SEND);
	assert_true(fx.seen.had_argv[0]);
	{
		const struct qreq *r = &fx.seen.req[0];

		assert_string_equal(r->request_id, "00000000000000000000000000000001");
		assert_string_equal(r->sensor_id, "sensor-1");
		assert_int_equal(r->action, QREQ_ISOLATE);
		assert_string_equal(r->mac, "02:00:00:00:00:07");
		assert_string_equal(r->addrs, "192.168.1.107");
		/* DNS and DHCP on the one host server; 10.0.0.0/8 left out. */
		assert_string_equal(r->allow, "udp/192.168.1.1/53,udp/192.168.1.1/67");
		assert_string_equal(r->incident_id, "000000000000ab07");
		assert_string_equal(r->cause, "anomaly");
		assert_string_equal(r->reason,
				    "incident 000000000000ab07: anomaly, severity critical, score 9.50");
		assert_int_equal(r->issued_us, T0);
		assert_int_equal(r->expires_us, T0 + 3600 * SEC);
		/* What the engine would XADD is what an enforcer accepts. */
		entry_of(r, &av, &e);
		assert_int_equal(entry_parse(&e, &got), QREQ_REJ_NONE);
		assert_int_equal(qreq_check(&got, &fx.key, T0 + 1, QREQ_MAX_SKEW_US_DEFAULT),
				 QREQ_REJ_NONE);
	}
	assert_true(quarantine_is_active(fx.q, 7));
	assert_int_equal(quarantine_get_stats(fx.q)->active, 1);
	fixture_done(&fx);
}

static void test_policy_severity_and_cause(void **state)
{
	struct fixture fx;

	(void)state;
	fixture_init(&fx);
	fx.s.min_score = 5.0;
	fixture_start(&fx);
	notify(&fx, 1, QEV_OPENED, "anomaly", SEV_MEDIUM, T0);   /* below high */
	notify(&fx, 2, QEV_OPENED, "port-scan", SEV_CRITICAL, T0); /* not a listed cause */
	notify(&fx, 3, QEV_ESCALATED, "arp-spoof", SEV_HIGH, T0);  /* "arp-*" matches */
	assert_int_equal(fx.seen.n, 3);
	assert_int_equal(fx.seen.kind[0], QD_REFUSED_SEVERITY);
	assert_string_equal(fx.seen.reason[0],
			    "02:00:00:00:00:01: severity medium (score 9.50) is below "
			    "quarantine.min_severity high or the minimum score");
	assert_int_equal(fx.seen.kind[1], QD_REFUSED_CAUSE);
	assert_string_equal(fx.seen.reason[1],
			    "02:00:00:00:00:02: cause port-scan is not in quarantine.causes");
	assert_int_equal(fx.seen.kind[2], QD_SEND);
	assert_string_equal(fx.seen.req[2].cause, "arp-spoof");
	assert_false(quarantine_is_active(fx.q, 1));
	assert_true(quarantine_is_active(fx.q, 3));
	/* The score counts too: 4.9 < 5.0 at critical severity. */
	{
		struct tdev td = { .class_name = "", .name = "" };
		struct quarantine_incident inc =
			incident(&td, 4, QEV_OPENED, "anomaly", SEV_CRITICAL, T0);

		inc.score = 4.9;
		quarantine_notify(fx.q, &inc);
	}
	assert_int_equal(fx.seen.kind[3], QD_REFUSED_SEVERITY);
	fixture_done(&fx);
}

static void test_policy_allowlist(void **state)
{
	struct fixture fx;
	struct tdev td[6] = {
		{ .class_name = "", .name = "" },          /* 1: by MAC (written in capitals) */
		{ .class_name = "", .name = "" },          /* 2: 10.1.2.3 in ip:10.1.0.0/16 */
		{ .class_name = "PLC", .name = "" },       /* 3: class, case ignored */
		{ .class_name = "", .name = "gw-kitchen" },/* 4: name glob */
		{ .class_name = "camera", .name = "cam-1" },/* 5: nothing matches: quarantined */
		{ .class_name = "", .name = "" },          /* 6: 192.168.1.106: outside the /16 */
	};

	(void)state;
	fixture_init(&fx);
	fx.allow[0] = "mac:02:00:00:00:00:01";
	fx.allow[1] = "ip:10.1.7.7/16"; /* host bits cleared: 10.1.0.0/16 */
	fx.allow[2] = "class:plc";
	fx.allow[3] = "name:gw-*";
	fx.s.nallow = 4;
	fixture_start(&fx);
	for (unsigned n = 1; n <= 6; n++) {
		struct quarantine_incident inc =
			incident(&td[n - 1], n, QEV_OPENED, "anomaly", SEV_HIGH, T0);
		const uint8_t v4[4] = { 10, 1, 2, 3 };

		if (n == 2)
			ew_addr_set_v4(&td[1].addr, v4);
		quarantine_notify(fx.q, &inc);
	}
	assert_int_equal(fx.seen.n, 6);
	assert_int_equal(fx.seen.kind[0], QD_REFUSED_ALLOWLIST);
	assert_string_equal(fx.seen.reason[0],
			    "02:00:00:00:00:01: never quarantined (quarantine.allow "
			    "mac:02:00:00:00:00:01)");
	assert_int_equal(fx.seen.kind[1], QD_REFUSED_ALLOWLIST);
	assert_non_null(strstr(fx.seen.reason[1], "(quarantine.allow ip:10.1.7.7/16)"));
	assert_int_equal(fx.seen.kind[2], QD_REFUSED_ALLOWLIST);
	assert_non_null(strstr(fx.seen.reason[2], "class:plc"));
	assert_int_equal(fx.seen.kind[3], QD_REFUSED_ALLOWLIST);
	assert_non_null(strstr(fx.seen.reason[3], "name:gw-*"));
	assert_int_equal(fx.seen.kind[4], QD_SEND);
	assert_int_equal(fx.seen.kind[5], QD_SEND);
	fixture_done(&fx);
}

static void test_policy_rate_limit(void **state)
{
	struct fixture fx;

	(void)state;
	fixture_init(&fx);
	fx.s.max_per_hour = 2;
	fx.s.ttl_s = 7200;
	fixture_start(&fx);
	notify(&fx, 1, QEV_OPENED, "anomaly", SEV_HIGH, T0);
	notify(&fx, 2, QEV_OPENED, "anomaly", SEV_HIGH, T0 + 10 * SEC);
	notify(&fx, 3, QEV_OPENED, "anomaly", SEV_HIGH, T0 + 20 * SEC); /* the 3rd in the hour */
	assert_int_equal(fx.seen.n, 3);
	assert_int_equal(fx.seen.kind[0], QD_SEND);
	assert_int_equal(fx.seen.kind[1], QD_SEND);
	assert_int_equal(fx.seen.kind[2], QD_HELD);
	assert_false(fx.seen.had_argv[2]);
	assert_string_equal(fx.seen.reason[2],
			    "rate limit: 2 requests in the last hour (quarantine.max_per_hour); "
			    "isolate 02:00:00:00:00:03 held until the window allows");
	assert_int_equal(quarantine_get_stats(fx.q)->held, 1);
	/* Another incident of the held device: no second request. */
	notify(&fx, 3, QEV_ESCALATED, "anomaly", SEV_CRITICAL, T0 + 30 * SEC);
	assert_int_equal(fx.seen.kind[3], QD_REFUSED_ACTIVE);
	/* The first send (T0) leaves the window at T0 + 3600 s, not a microsecond before. */
	quarantine_tick(fx.q, T0 + 3600 * SEC - 1);
	assert_int_equal(fx.seen.n, 4);
	quarantine_tick(fx.q, T0 + 3600 * SEC);
	assert_int_equal(fx.seen.n, 5);
	assert_int_equal(fx.seen.kind[4], QD_SEND);
	assert_true(fx.seen.had_argv[4]);
	assert_string_equal(fx.seen.req[4].mac, "02:00:00:00:00:03");
	/* Issued when sent; expiry kept from when it was held: T0 + 20 s + 7200 s. */
	assert_int_equal(fx.seen.req[4].issued_us, T0 + 3600 * SEC);
	assert_int_equal(fx.seen.req[4].expires_us, T0 + 7220 * SEC);
	assert_true(qreq_verify_sig(&fx.seen.req[4], &fx.key));
	assert_true(quarantine_is_active(fx.q, 3));
	assert_int_equal(quarantine_get_stats(fx.q)->held, 0);
	/* In the window now: T0 + 10 s and T0 + 3600 s; a 4th device waits again. */
	notify(&fx, 4, QEV_OPENED, "anomaly", SEV_HIGH, T0 + 3601 * SEC);
	assert_int_equal(fx.seen.kind[5], QD_HELD);
	quarantine_tick(fx.q, T0 + 3610 * SEC); /* T0 + 10 s leaves: the 4th goes */
	assert_int_equal(fx.seen.kind[6], QD_SEND);
	assert_int_equal(fx.seen.n, 7);
	fixture_done(&fx);
}

static void test_policy_held_expires(void **state)
{
	struct fixture fx;

	(void)state;
	fixture_init(&fx);
	fx.s.max_per_hour = 1;
	fx.s.ttl_s = 100;
	fixture_start(&fx);
	notify(&fx, 1, QEV_OPENED, "anomaly", SEV_HIGH, T0);
	notify(&fx, 2, QEV_OPENED, "anomaly", SEV_HIGH, T0 + SEC); /* held, would expire T0+101 s */
	assert_int_equal(fx.seen.kind[1], QD_HELD);
	/* At T0 + 3600 s device 1's TTL ended long ago (release), and the held one expired. */
	quarantine_tick(fx.q, T0 + 3600 * SEC);
	assert_int_equal(fx.seen.n, 4);
	assert_int_equal(fx.seen.kind[2], QD_RELEASE);
	assert_int_equal(fx.seen.kind[3], QD_DROPPED);
	assert_string_equal(fx.seen.reason[3], "held request for 02:00:00:00:00:02 expired "
					       "before the rate limit allowed it");
	assert_false(quarantine_is_active(fx.q, 2));
	fixture_done(&fx);
}

static void test_policy_rate_zero(void **state)
{
	struct fixture fx;

	(void)state;
	fixture_init(&fx);
	fx.s.max_per_hour = 0; /* "0 sends none" (conf-default.c) */
	fx.s.ttl_s = 60;
	fixture_start(&fx);
	notify(&fx, 1, QEV_OPENED, "anomaly", SEV_HIGH, T0);
	assert_int_equal(fx.seen.kind[0], QD_HELD);
	assert_string_equal(fx.seen.reason[0], "rate limit: quarantine.max_per_hour is 0; "
					       "isolate 02:00:00:00:00:01 held, never sent");
	quarantine_tick(fx.q, T0 + 59 * SEC);
	assert_int_equal(fx.seen.n, 1);
	quarantine_tick(fx.q, T0 + 60 * SEC); /* its would-be expiry: dropped, never sent */
	assert_int_equal(fx.seen.n, 2);
	assert_int_equal(fx.seen.kind[1], QD_DROPPED);
	assert_int_equal(quarantine_get_stats(fx.q)->decisions[QD_SEND], 0);
	fixture_done(&fx);
}

static void test_policy_ttl_release(void **state)
{
	struct fixture fx;
	struct qreq got;
	struct qreq_argv av;
	struct entry e;

	(void)state;
	fixture_init(&fx);
	fx.s.ttl_s = 60;
	fixture_start(&fx);
	notify(&fx, 5, QEV_OPENED, "anomaly", SEV_HIGH, T0);
	quarantine_tick(fx.q, T0 + 60 * SEC - 1);
	assert_int_equal(fx.seen.n, 1);
	quarantine_tick(fx.q, T0 + 60 * SEC);
	assert_int_equal(fx.seen.n, 2);
	assert_int_equal(fx.seen.kind[1], QD_RELEASE);
	assert_true(fx.seen.had_argv[1]);
	{
		const struct qreq *r = &fx.seen.req[1];

		assert_int_equal(r->action, QREQ_RELEASE);
		assert_string_equal(r->request_id, "00000000000000000000000000000002");
		assert_string_equal(r->mac, "02:00:00:00:00:05");
		assert_string_equal(r->addrs, "192.168.1.105");
		assert_string_equal(r->allow, "");
		assert_string_equal(r->incident_id, "000000000000ab05");
		assert_string_equal(r->reason,
				    "ttl ended (request 00000000000000000000000000000001)");
		assert_int_equal(r->issued_us, T0 + 60 * SEC);
		assert_int_equal(r->expires_us, T0 + 60 * SEC);
		entry_of(r, &av, &e);
		assert_int_equal(entry_parse(&e, &got), QREQ_REJ_NONE);
		assert_int_equal(qreq_check(&got, &fx.key, T0 + 60 * SEC, QREQ_MAX_SKEW_US_DEFAULT),
				 QREQ_REJ_NONE);
	}
	assert_false(quarantine_is_active(fx.q, 5));
	/* Released, the device may be quarantined again by its next incident. */
	notify(&fx, 5, QEV_OPENED, "anomaly", SEV_HIGH, T0 + 61 * SEC);
	assert_int_equal(fx.seen.kind[2], QD_SEND);
	/* Time never runs backwards: an old tick releases nothing early. */
	quarantine_tick(fx.q, T0);
	assert_int_equal(fx.seen.n, 3);
	fixture_done(&fx);
}

static void test_policy_release_on_close(void **state)
{
	struct fixture fx;

	(void)state;
	fixture_init(&fx);
	fx.s.release_on_close = true;
	fixture_start(&fx);
	notify(&fx, 1, QEV_OPENED, "anomaly", SEV_HIGH, T0);
	/* Another incident of the device closing (not the one that asked) changes nothing. */
	{
		struct tdev td = { .class_name = "", .name = "" };
		struct quarantine_incident inc =
			incident(&td, 1, QEV_CLOSED, "arp-spoof", SEV_HIGH, T0 + SEC);

		inc.incident_id = 0x999;
		quarantine_notify(fx.q, &inc);
	}
	assert_int_equal(fx.seen.n, 1);
	notify(&fx, 1, QEV_CLOSED, "anomaly", SEV_HIGH, T0 + 2 * SEC);
	assert_int_equal(fx.seen.n, 2);
	assert_int_equal(fx.seen.kind[1], QD_RELEASE);
	assert_string_equal(fx.seen.req[1].reason, "incident 000000000000ab01 closed "
						   "(request 00000000000000000000000000000001)");
	assert_int_equal(fx.seen.req[1].issued_us, T0 + 2 * SEC);
	assert_false(quarantine_is_active(fx.q, 1));
	fixture_done(&fx);

	/* Off: the close is ignored and the TTL decides. */
	fixture_init(&fx);
	fixture_start(&fx);
	notify(&fx, 1, QEV_OPENED, "anomaly", SEV_HIGH, T0);
	notify(&fx, 1, QEV_CLOSED, "anomaly", SEV_HIGH, T0 + 2 * SEC);
	assert_int_equal(fx.seen.n, 1);
	assert_true(quarantine_is_active(fx.q, 1));
	fixture_done(&fx);
}

static void test_policy_dry_run(void **state)
{
	struct fixture fx;

	(void)state;
	fixture_init(&fx);
	fx.s.dry_run = true;
	fx.s.ttl_s = 60;
	fx.s.max_per_hour = 1;
	fixture_start(&fx);
	notify(&fx, 1, QEV_OPENED, "anomaly", SEV_HIGH, T0);
	notify(&fx, 1, QEV_ESCALATED, "anomaly", SEV_CRITICAL, T0 + SEC);
	notify(&fx, 2, QEV_OPENED, "anomaly", SEV_HIGH, T0 + SEC);
	quarantine_tick(fx.q, T0 + 60 * SEC);
	/* would-send, refused (already), held, would-send release: nothing to XADD at all. */
	assert_int_equal(fx.seen.n, 4);
	assert_int_equal(fx.seen.kind[0], QD_WOULD_SEND);
	assert_int_equal(fx.seen.req[0].action, QREQ_ISOLATE);
	assert_true(qreq_verify_sig(&fx.seen.req[0], &fx.key)); /* what it would have sent */
	assert_int_equal(fx.seen.kind[1], QD_REFUSED_ACTIVE);
	assert_int_equal(fx.seen.kind[2], QD_HELD);
	assert_int_equal(fx.seen.kind[3], QD_WOULD_SEND);
	assert_int_equal(fx.seen.req[3].action, QREQ_RELEASE);
	for (size_t i = 0; i < fx.seen.n; i++) {
		assert_false(fx.seen.had_argv[i]);
		assert_true(fx.seen.dry[i]);
		assert_int_equal(strncmp(fx.seen.reason[i], "dry run: ", 9), 0);
	}
	assert_int_equal(quarantine_get_stats(fx.q)->decisions[QD_SEND], 0);
	assert_int_equal(quarantine_get_stats(fx.q)->decisions[QD_RELEASE], 0);
	assert_int_equal(quarantine_get_stats(fx.q)->decisions[QD_WOULD_SEND], 2);
	fixture_done(&fx);
}

static void test_policy_restrict(void **state)
{
	struct fixture fx;
	struct tdev td = { .class_name = "", .name = "" };
	const char *dests[] = {
		"tcp/198.51.100.20/443",
		"udp/192.0.2.123/123",
		"bogus",                    /* not proto/addr/port */
		"tcp/1.2.3.4/99999",        /* port out of range */
		"tcp/1.2.3.4/1,tcp/1.2.3.4/2", /* two entries in one string: smuggling */
		"tcp/2001:db8::5/8883",
		"udp/192.168.1.1/53",       /* the DNS server: in the isolate list already */
		"tcp/198.51.100.20/443",    /* twice */
	};
	const char *dns_only[] = { "udp/192.168.1.1/53" };
	struct quarantine_incident inc;

	(void)state;
	fixture_init(&fx);
	fx.s.action = QREQ_RESTRICT;
	fixture_start(&fx);
	inc = incident(&td, 1, QEV_OPENED, "anomaly", SEV_HIGH, T0);
	inc.dests = dests;
	inc.ndests = 8;
	quarantine_notify(fx.q, &inc);
	assert_int_equal(fx.seen.kind[0], QD_SEND);
	assert_int_equal(fx.seen.req[0].action, QREQ_RESTRICT);
	/* The infrastructure isolate keeps (DNS, DHCP), then the baseline. */
	assert_string_equal(fx.seen.req[0].allow,
			    "udp/192.168.1.1/53,udp/192.168.1.1/67,"
			    "tcp/198.51.100.20/443,udp/192.0.2.123/123,tcp/2001:db8::5/8883");
	assert_int_equal(quarantine_get_stats(fx.q)->dests_skipped, 3);
	/* No baseline destinations: isolate, the milder cut, and the reason says why. */
	inc = incident(&td, 2, QEV_OPENED, "anomaly", SEV_HIGH, T0);
	quarantine_notify(fx.q, &inc);
	assert_int_equal(fx.seen.kind[1], QD_SEND);
	assert_int_equal(fx.seen.req[1].action, QREQ_ISOLATE);
	assert_string_equal(fx.seen.req[1].allow, "udp/192.168.1.1/53,udp/192.168.1.1/67");
	assert_non_null(strstr(fx.seen.reason[1], "isolate instead of restrict"));
	/* Only a destination isolate keeps already: restrict would be isolate too. */
	inc = incident(&td, 3, QEV_OPENED, "anomaly", SEV_HIGH, T0);
	inc.dests = dns_only;
	inc.ndests = 1;
	quarantine_notify(fx.q, &inc);
	assert_int_equal(fx.seen.kind[2], QD_SEND);
	assert_int_equal(fx.seen.req[2].action, QREQ_ISOLATE);
	assert_non_null(strstr(fx.seen.reason[2], "beyond isolate's"));
	assert_string_equal(fx.seen.req[2].allow, "udp/192.168.1.1/53,udp/192.168.1.1/67");
	assert_int_equal(quarantine_get_stats(fx.q)->dests_skipped, 3);
	fixture_done(&fx);
}

/* At most 64 entries in all: the two infrastructure entries leave room for 62 destinations. */
static void test_policy_restrict_cap(void **state)
{
	struct fixture fx;
	struct tdev td = { .class_name = "", .name = "" };
	char text[70][32];
	const char *dests[70];
	struct quarantine_incident inc;
	size_t commas = 0;

	(void)state;
	for (int i = 0; i < 70; i++) {
		snprintf(text[i], sizeof(text[i]), "tcp/198.51.100.%d/443", i + 1);
		dests[i] = text[i];
	}
	fixture_init(&fx);
	fx.s.action = QREQ_RESTRICT;
	fixture_start(&fx);
	inc = incident(&td, 1, QEV_OPENED, "anomaly", SEV_HIGH, T0);
	inc.dests = dests;
	inc.ndests = 70;
	quarantine_notify(fx.q, &inc);
	assert_int_equal(fx.seen.kind[0], QD_SEND);
	assert_int_equal(fx.seen.req[0].action, QREQ_RESTRICT);
	for (const char *p = fx.seen.req[0].allow; *p; p++)
		commas += *p == ',';
	assert_int_equal(commas + 1, 64);
	assert_non_null(strstr(fx.seen.req[0].allow, ",tcp/198.51.100.62/443"));
	assert_null(strstr(fx.seen.req[0].allow, "tcp/198.51.100.63/443"));
	assert_int_equal(quarantine_get_stats(fx.q)->dests_skipped, 8);
	fixture_done(&fx);
}

static void test_policy_no_duplicates(void **state)
{
	struct fixture fx;

	(void)state;
	fixture_init(&fx);
	fixture_start(&fx);
	notify(&fx, 1, QEV_OPENED, "anomaly", SEV_HIGH, T0);
	notify(&fx, 1, QEV_ESCALATED, "anomaly", SEV_CRITICAL, T0 + SEC);
	notify(&fx, 1, QEV_OPENED, "arp-spoof", SEV_CRITICAL, T0 + 2 * SEC);
	assert_int_equal(fx.seen.n, 3);
	assert_int_equal(fx.seen.kind[0], QD_SEND);
	assert_int_equal(fx.seen.kind[1], QD_REFUSED_ACTIVE);
	assert_int_equal(fx.seen.kind[2], QD_REFUSED_ACTIVE);
	assert_string_equal(fx.seen.reason[2], "02:00:00:00:00:01: already quarantined");
	assert_int_equal(quarantine_get_stats(fx.q)->decisions[QD_SEND], 1);
	fixture_done(&fx);
}

static void test_policy_hostile_device(void **state)
{
	struct fixture fx;
	struct tdev td = { .class_name = "", .name = "" };
	struct quarantine_incident inc;
	char long_cause[80];

	(void)state;
	fixture_init(&fx);
	fx.causes[0] = "*";
	fx.s.ncauses = 1;
	fixture_start(&fx);
	/* A cause with a newline from a rule id gone wrong: refused as not encodable, one line. */
	inc = incident(&td, 1, QEV_OPENED, "bad\ncause", SEV_HIGH, T0);
	quarantine_notify(fx.q, &inc);
	assert_int_equal(fx.seen.kind[0], QD_DROPPED);
	assert_null(strchr(fx.seen.reason[0], '\n'));
	/* Longer than a request may carry: refused, never cut to a different cause. */
	memset(long_cause, 'a', sizeof long_cause - 1);
	long_cause[sizeof long_cause - 1] = '\0';
	inc = incident(&td, 2, QEV_OPENED, long_cause, SEV_HIGH, T0);
	quarantine_notify(fx.q, &inc);
	assert_int_equal(fx.seen.kind[1], QD_DROPPED);
	/* No address known: nothing an enforcer could act on. */
	inc = incident(&td, 3, QEV_OPENED, "anomaly", SEV_HIGH, T0);
	inc.dev.naddrs = 0;
	quarantine_notify(fx.q, &inc);
	assert_int_equal(fx.seen.kind[2], QD_DROPPED);
	assert_string_equal(fx.seen.reason[2],
			    "request not made: no address known for 02:00:00:00:00:03");
	assert_int_equal(quarantine_get_stats(fx.q)->active, 0);
	fixture_done(&fx);
}

static void test_policy_bad_settings(void **state)
{
	struct fixture fx;
	char err[256];
	struct {
		const char *allow, *expect;
	} bad_allow[] = {
		{ "mac:02:00:00:00:00", "quarantine.allow[0]: \"mac:02:00:00:00:00\" is not "
					"mac:MAC, ip:CIDR, class:NAME or name:GLOB" },
		{ "ip:192.168.1.0/33", "quarantine.allow[0]: \"ip:192.168.1.0/33\": " },
		{ "class:", "quarantine.allow[0]: \"class:\" is not" },
		{ "name:[abc", "quarantine.allow[0]: \"name:[abc\" has an unclosed '['" },
		{ "host:x", "quarantine.allow[0]: \"host:x\" is not" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof bad_allow / sizeof bad_allow[0]; i++) {
		fixture_init(&fx);
		fx.allow[0] = bad_allow[i].allow;
		fx.s.nallow = 1;
		assert_null(quarantine_create(&fx.s, on_decision, &fx.seen, err, sizeof err));
		if (strncmp(err, bad_allow[i].expect, strlen(bad_allow[i].expect)) != 0)
			fail_msg("case %zu: got \"%s\"", i, err);
		fixture_done(&fx);
	}
	fixture_init(&fx);
	fx.s.ttl_s = 0;
	assert_null(quarantine_create(&fx.s, on_decision, &fx.seen, err, sizeof err));
	assert_string_equal(err, "quarantine.ttl: not 1..2592000 seconds");
	fx.s.ttl_s = 60;
	fx.s.action = QREQ_RELEASE;
	assert_null(quarantine_create(&fx.s, on_decision, &fx.seen, err, sizeof err));
	assert_string_equal(err, "quarantine.action: not isolate or restrict");
	fx.s.action = QREQ_ISOLATE;
	fx.s.sensor_id = "has space";
	assert_null(quarantine_create(&fx.s, on_decision, &fx.seen, err, sizeof err));
	assert_string_equal(err, "quarantine.sensor_id: not 1..64 of [A-Za-z0-9._-]");
	fx.s.sensor_id = "s1";
	fx.s.key = NULL;
	assert_null(quarantine_create(&fx.s, on_decision, &fx.seen, err, sizeof err));
	assert_string_equal(err, "quarantine.key_file: no key");
	fx.s.dry_run = true; /* a dry run may go without a key */
	fx.q = quarantine_create(&fx.s, on_decision, &fx.seen, err, sizeof err);
	assert_non_null(fx.q);
	notify(&fx, 1, QEV_OPENED, "anomaly", SEV_HIGH, T0);
	assert_int_equal(fx.seen.kind[0], QD_WOULD_SEND);
	assert_string_equal(fx.seen.req[0].sig, "");
	fixture_done(&fx);
	/* Disabled: notifications do nothing. */
	fixture_init(&fx);
	fx.s.enabled = false;
	fixture_start(&fx);
	notify(&fx, 1, QEV_OPENED, "anomaly", SEV_CRITICAL, T0);
	assert_int_equal(fx.seen.n, 0);
	fixture_done(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canonical_bytes),
		cmocka_unit_test(test_hmac_rfc4231_case2),
		cmocka_unit_test(test_sign_known_answer),
		cmocka_unit_test(test_verify_rejects_tampering),
		cmocka_unit_test(test_check_clock),
		cmocka_unit_test(test_parse_bad_values),
		cmocka_unit_test(test_parse_bad_shapes),
		cmocka_unit_test(test_list_iterators),
		cmocka_unit_test(test_key_file),
		cmocka_unit_test(test_policy_request_fields),
		cmocka_unit_test(test_policy_severity_and_cause),
		cmocka_unit_test(test_policy_allowlist),
		cmocka_unit_test(test_policy_rate_limit),
		cmocka_unit_test(test_policy_held_expires),
		cmocka_unit_test(test_policy_rate_zero),
		cmocka_unit_test(test_policy_ttl_release),
		cmocka_unit_test(test_policy_release_on_close),
		cmocka_unit_test(test_policy_dry_run),
		cmocka_unit_test(test_policy_restrict),
		cmocka_unit_test(test_policy_restrict_cap),
		cmocka_unit_test(test_policy_no_duplicates),
		cmocka_unit_test(test_policy_hostile_device),
		cmocka_unit_test(test_policy_bad_settings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
