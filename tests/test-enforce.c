/*
 * test-enforce.c - unit tests of the enforcement point's decisions
 * (src/enforce.c) and the nft script text it asks for (src/enforce-nft.c).
 *
 * Requests are built and signed with quarantine-sign.h as the sensor
 * does, handed to enforce_decide() as the field/value strings Redis
 * would deliver, at a fake clock.  Every expected script is written out
 * by hand: the elements, the add/delete/add pattern that makes a script
 * idempotent, and timeouts worked out from the clock in the comments.
 * Then the hostile cases: tampered fields (each one), unsigned,
 * malformed, stale, expired, replayed, not allowed; and the state:
 * redelivery after a crash ("already"), release, expiry reports, caps.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enforce-nft.h"
#include "enforce.h"
#include "quarantine-sign.h"

/* 2023-11-14T22:13:20Z: 1 700 000 000 s. */
#define NOW (1700000000ULL * EW_USEC_PER_SEC)
#define SEC EW_USEC_PER_SEC

#define RID1 "0123456789abcdef0123456789abcdef"
#define RID2 "fedcba9876543210fedcba9876543210"
#define RID3 "00000000000000000000000000000003"
#define MAC1 "02:00:00:00:00:01"

/* ------------------------------------------------------------ helpers */

static struct qkey test_key;

/* One entry as Redis delivers it: field/value strings, editable. */
struct entry {
	const char *str[2 * QF_COUNT + 4];
	size_t len[2 * QF_COUNT + 4];
	size_t n;
	struct qreq r;
	struct qreq_argv av;
};

static void req_init(struct qreq *r, const char *rid, enum qreq_action a, const char *mac,
		     const char *addrs, const char *allow, uint64_t issued_us, uint64_t expires_us)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->request_id, sizeof(r->request_id), "%s", rid);
	snprintf(r->sensor_id, sizeof(r->sensor_id), "sensor-1");
	r->action = (uint8_t)a;
	snprintf(r->mac, sizeof(r->mac), "%s", mac);
	snprintf(r->addrs, sizeof(r->addrs), "%s", addrs);
	snprintf(r->allow, sizeof(r->allow), "%s", allow);
	snprintf(r->reason, sizeof(r->reason), "beaconing to a new host");
	if (a != QREQ_RELEASE)
		snprintf(r->incident_id, sizeof(r->incident_id), "00000000000000ab");
	snprintf(r->cause, sizeof(r->cause), "anomaly");
	r->issued_us = issued_us;
	r->expires_us = expires_us;
}

/* Signs r and lays it out as an entry. */
static void entry_from(struct entry *e, const struct qreq *r)
{
	char err[256];

	e->r = *r;
	assert_int_equal(qreq_sign(&e->r, &test_key, err, sizeof(err)), 0);
	qreq_to_argv(&e->r, &e->av);
	for (size_t i = 0; i < 2 * QF_COUNT; i++) {
		e->str[i] = e->av.argv[i];
		e->len[i] = e->av.len[i];
	}
	e->n = 2 * QF_COUNT;
}

static void entry_set(struct entry *e, enum qreq_field f, const char *value)
{
	e->str[2 * f + 1] = value;
	e->len[2 * f + 1] = strlen(value);
}

/* Removes field f (its pair) from the entry. */
static void entry_drop(struct entry *e, enum qreq_field f)
{
	size_t at = 2 * (size_t)f;
	for (size_t i = at; i + 2 < e->n; i++) {
		e->str[i] = e->str[i + 2];
		e->len[i] = e->len[i + 2];
	}
	e->n -= 2;
}

static struct enforcer *new_enforcer(const struct enforce_config *over)
{
	struct enforce_config c = { .table = "edgewatch", .key = &test_key,
				    .max_skew_us = 300 * SEC };
	char err[ENFORCE_ERRLEN];

	if (over) {
		c = *over;
		c.key = &test_key;
		if (!c.table)
			c.table = "edgewatch";
		if (!c.max_skew_us)
			c.max_skew_us = 300 * SEC;
	}
	struct enforcer *en = enforce_new(&c, err, sizeof(err));
	assert_non_null(en);
	return en;
}

static void decide(struct enforcer *en, const struct entry *e, const char *entry_id, uint64_t now,
		   struct enforce_decision *d)
{
	enforce_decide(en, e->str, e->len, e->n, entry_id, now, d);
}

static void expect_reject(struct enforcer *en, const struct entry *e, uint64_t now,
			  enum qreq_reject why)
{
	struct enforce_decision d;

	decide(en, e, "1-0", now, &d);
	assert_int_equal(d.verdict, ENFORCE_REPORT);
	assert_int_equal(d.outcome, QREQ_OUT_REJECTED);
	assert_string_equal(qreq_reject_name(d.detail), qreq_reject_name(why));
	assert_null(d.script);
}

/* The isolate of the first tests: MAC1, 10.99.1.2, DNS to 10.99.2.2. */
static void isolate1(struct entry *e, uint64_t issued, uint64_t expires)
{
	struct qreq r;

	req_init(&r, RID1, QREQ_ISOLATE, MAC1, "10.99.1.2", "udp/10.99.2.2/53", issued, expires);
	entry_from(e, &r);
}

#define ISOLATE1_SCRIPT(T)                                                                   \
	"add element inet edgewatch isolated_mac { 02:00:00:00:00:01 }\n"                    \
	"delete element inet edgewatch isolated_mac { 02:00:00:00:00:01 }\n"                 \
	"add element inet edgewatch isolated_mac { 02:00:00:00:00:01 timeout " T " }\n"      \
	"add element inet edgewatch isolated_v4 { 10.99.1.2 }\n"                             \
	"delete element inet edgewatch isolated_v4 { 10.99.1.2 }\n"                          \
	"add element inet edgewatch isolated_v4 { 10.99.1.2 timeout " T " }\n"               \
	"add element inet edgewatch allow_v4 { 10.99.1.2 . 10.99.2.2 . udp . 53 }\n"         \
	"delete element inet edgewatch allow_v4 { 10.99.1.2 . 10.99.2.2 . udp . 53 }\n"      \
	"add element inet edgewatch allow_v4 { 10.99.1.2 . 10.99.2.2 . udp . 53 timeout " T \
	" }\n"

static int setup_key(void **state)
{
	char err[128];
	(void)state;
	return qkey_set(&test_key, "k-0123456789abcdef0123456789abcdef", 34, err, sizeof(err));
}

/* ------------------------------------------------------------ applying */

static void test_isolate_applied(void **state)
{
	struct enforcer *en = new_enforcer(NULL);
	struct enforce_decision d;
	struct entry e;
	struct enforce_stats st;
	(void)state;

	/* Issued now, expires in 60 s: timeout 60 000 ms. */
	isolate1(&e, NOW, NOW + 60 * SEC);
	decide(en, &e, "1700000000000-0", NOW, &d);
	assert_int_equal(d.verdict, ENFORCE_REPORT);
	assert_int_equal(d.outcome, QREQ_OUT_APPLIED);
	assert_int_equal(d.detail, QREQ_REJ_NONE);
	assert_string_equal(d.request_id, RID1);
	assert_string_equal(d.script, ISOLATE1_SCRIPT("60000ms"));
	assert_int_equal(d.script_len, strlen(ISOLATE1_SCRIPT("60000ms")));
	/* Kept until max(expires, issued + skew) = max(NOW + 60 s, NOW + 300 s). */
	assert_int_equal(d.keep_until_us, NOW + 300 * SEC);
	enforce_commit(en, true);
	enforce_get_stats(en, &st);
	assert_int_equal(st.applied, 1);
	assert_int_equal(st.seen_count, 1);
	assert_int_equal(st.active_count, 1);
	enforce_free(en);
}

static void test_timeout_rounding(void **state)
{
	struct enforce_decision d;
	struct entry e;
	(void)state;

	isolate1(&e, NOW, NOW + 60 * SEC);
	/* 1.5 s later: 58.5 s left = 58 500 ms. */
	struct enforcer *en = new_enforcer(NULL);
	decide(en, &e, "1-0", NOW + 1500000, &d);
	assert_string_equal(d.script, ISOLATE1_SCRIPT("58500ms"));
	enforce_free(en);
	/* 1 us later: 59 999 999 us left, rounded up to 60 000 ms, never shorter. */
	en = new_enforcer(NULL);
	decide(en, &e, "1-0", NOW + 1, &d);
	assert_string_equal(d.script, ISOLATE1_SCRIPT("60000ms"));
	enforce_free(en);
	/* 1 us before expiry: 1 us left rounds up to 1 ms. */
	en = new_enforcer(NULL);
	decide(en, &e, "1-0", NOW + 60 * SEC - 1, &d);
	assert_int_equal(d.outcome, QREQ_OUT_APPLIED);
	assert_string_equal(d.script, ISOLATE1_SCRIPT("1ms"));
	enforce_free(en);
}

static void test_restrict_two_families_no_mac(void **state)
{
	struct enforcer *en = new_enforcer(NULL);
	struct enforce_decision d;
	struct entry e;
	struct qreq r;
	(void)state;

	/* Each allow entry pairs with the device addresses of its own family only. */
	req_init(&r, RID2, QREQ_RESTRICT, "", "10.99.1.2,fd00::2",
		 "tcp/198.51.100.20/443,udp/2001:db8::1/123,tcp/198.51.100.20/443", NOW,
		 NOW + 3600 * SEC);
	entry_from(&e, &r);
	decide(en, &e, "5-1", NOW, &d);
	assert_int_equal(d.outcome, QREQ_OUT_APPLIED);
	/* 3600 s = 3 600 000 ms; the repeated allow entry appears once. */
	assert_string_equal(
		d.script,
		"add element inet edgewatch isolated_v4 { 10.99.1.2 }\n"
		"delete element inet edgewatch isolated_v4 { 10.99.1.2 }\n"
		"add element inet edgewatch isolated_v4 { 10.99.1.2 timeout 3600000ms }\n"
		"add element inet edgewatch isolated_v6 { fd00::2 }\n"
		"delete element inet edgewatch isolated_v6 { fd00::2 }\n"
		"add element inet edgewatch isolated_v6 { fd00::2 timeout 3600000ms }\n"
		"add element inet edgewatch allow_v4 { 10.99.1.2 . 198.51.100.20 . tcp . 443 }\n"
		"delete element inet edgewatch allow_v4 { 10.99.1.2 . 198.51.100.20 . tcp . 443 }\n"
		"add element inet edgewatch allow_v4 { 10.99.1.2 . 198.51.100.20 . tcp . 443 "
		"timeout 3600000ms }\n"
		"add element inet edgewatch allow_v6 { fd00::2 . 2001:db8::1 . udp . 123 }\n"
		"delete element inet edgewatch allow_v6 { fd00::2 . 2001:db8::1 . udp . 123 }\n"
		"add element inet edgewatch allow_v6 { fd00::2 . 2001:db8::1 . udp . 123 "
		"timeout 3600000ms }\n");
	enforce_free(en);
}

/* ------------------------------------------------------------ idempotence, replay */

static void test_redelivery_is_already(void **state)
{
	struct enforcer *en = new_enforcer(NULL);
	struct enforce_decision d;
	struct entry e;
	struct enforce_stats st;
	(void)state;

	isolate1(&e, NOW, NOW + 60 * SEC);
	decide(en, &e, "7-0", NOW, &d);
	assert_int_equal(d.outcome, QREQ_OUT_APPLIED);
	enforce_commit(en, true);
	/*
	 * The same entry again (the enforcer died before XACK), 10 s later:
	 * "already", and the same elements with the time left, 50 000 ms.
	 */
	decide(en, &e, "7-0", NOW + 10 * SEC, &d);
	assert_int_equal(d.verdict, ENFORCE_REPORT);
	assert_int_equal(d.outcome, QREQ_OUT_ALREADY);
	assert_int_equal(d.detail, QREQ_REJ_NONE);
	/*
	 * The device is in the active table now, so the old entries (the
	 * same ones) are removed first, then set: the state is the same.
	 */
	assert_string_equal(
		d.script,
		"add element inet edgewatch isolated_mac { 02:00:00:00:00:01 }\n"
		"delete element inet edgewatch isolated_mac { 02:00:00:00:00:01 }\n"
		"add element inet edgewatch isolated_v4 { 10.99.1.2 }\n"
		"delete element inet edgewatch isolated_v4 { 10.99.1.2 }\n"
		"add element inet edgewatch allow_v4 { 10.99.1.2 . 10.99.2.2 . udp . 53 }\n"
		"delete element inet edgewatch allow_v4 { 10.99.1.2 . 10.99.2.2 . udp . 53 }\n"
		ISOLATE1_SCRIPT("50000ms"));
	enforce_commit(en, true);
	enforce_get_stats(en, &st);
	assert_int_equal(st.applied, 1);
	assert_int_equal(st.already, 1);
	assert_int_equal(st.seen_count, 1);
	assert_int_equal(st.active_count, 1);

	/* The same signed request in another entry: a replay, nothing to run. */
	expect_reject(en, &e, NOW + 20 * SEC, QREQ_REJ_REPLAY);
	enforce_free(en);
}

static void test_uncommitted_is_not_seen(void **state)
{
	struct enforcer *en = new_enforcer(NULL);
	struct enforce_decision d;
	struct entry e;
	(void)state;

	/* nft failed, no commit: the retry of the same entry is applied, not "already". */
	isolate1(&e, NOW, NOW + 60 * SEC);
	decide(en, &e, "7-0", NOW, &d);
	decide(en, &e, "7-0", NOW + SEC, &d);
	assert_int_equal(d.outcome, QREQ_OUT_APPLIED);
	/* And a different entry is not a replay either until something was committed. */
	decide(en, &e, "8-0", NOW + SEC, &d);
	assert_int_equal(d.outcome, QREQ_OUT_APPLIED);
	enforce_free(en);
}

/* The durable store: scripted answers. */
static int lookup_answer;
static const char *lookup_entry;
static int lookup_calls;

static int fake_lookup(void *ctx, const char *request_id, char *entry_id, size_t len)
{
	(void)ctx;
	lookup_calls++;
	assert_string_equal(request_id, RID1);
	if (lookup_answer == 1)
		snprintf(entry_id, len, "%s", lookup_entry);
	return lookup_answer;
}

static void test_durable_seen_store(void **state)
{
	struct enforce_config c = { .seen_lookup = fake_lookup };
	struct enforcer *en = new_enforcer(&c);
	struct enforce_decision d;
	struct entry e;
	(void)state;

	isolate1(&e, NOW, NOW + 60 * SEC);
	lookup_answer = -1; /* Redis unreachable: no decision, the entry stays pending */
	decide(en, &e, "9-0", NOW, &d);
	assert_int_equal(d.verdict, ENFORCE_RETRY);
	assert_null(d.script);
	lookup_answer = 1; /* seen before a restart, from this very entry */
	lookup_entry = "9-0";
	decide(en, &e, "9-0", NOW, &d);
	assert_int_equal(d.outcome, QREQ_OUT_ALREADY);
	assert_non_null(d.script);
	lookup_entry = "3-0"; /* seen in another entry, perhaps by another enforcer */
	expect_reject(en, &e, NOW, QREQ_REJ_REPLAY);
	lookup_answer = 0;
	decide(en, &e, "9-0", NOW, &d);
	assert_int_equal(d.outcome, QREQ_OUT_APPLIED);
	enforce_commit(en, true);
	/* Once in memory the store is not asked again: 4 calls so far, still 4. */
	decide(en, &e, "9-0", NOW, &d);
	assert_int_equal(d.outcome, QREQ_OUT_ALREADY);
	assert_int_equal(lookup_calls, 4);
	enforce_free(en);
}

/* ------------------------------------------------------------ rejections */

static void test_tampered_each_field(void **state)
{
	struct enforcer *en = new_enforcer(NULL);
	struct entry e;
	(void)state;

	/* Every signed field changed to another well-formed value: bad_signature. */
	static const struct {
		enum qreq_field f;
		const char *value;
	} cases[] = {
		{ QF_REQUEST_ID, RID2 },
		{ QF_SENSOR_ID, "sensor-2" },
		{ QF_ACTION, "restrict" },
		{ QF_MAC, "02:00:00:00:00:02" },
		{ QF_ADDRS, "10.99.1.3" },
		{ QF_ALLOW, "udp/10.99.2.2/54" },
		{ QF_REASON, "beaconing to a new hosT" },
		{ QF_INCIDENT_ID, "00000000000000ac" },
		{ QF_CAUSE, "rule-1" },
		{ QF_ISSUED_US, "1700000000000001" },
		{ QF_EXPIRES_US, "1700000060000001" },
		/* The signature itself: one digit off, and all zeros. */
		{ QF_SIG, "0000000000000000000000000000000000000000000000000000000000000000" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		isolate1(&e, NOW, NOW + 60 * SEC);
		entry_set(&e, cases[i].f, cases[i].value);
		expect_reject(en, &e, NOW, QREQ_REJ_BAD_SIGNATURE);
	}
	isolate1(&e, NOW, NOW + 60 * SEC);
	char sig[QREQ_SIG_HEX + 1];
	memcpy(sig, e.r.sig, sizeof(sig));
	sig[63] = sig[63] == '0' ? '1' : '0';
	entry_set(&e, QF_SIG, sig);
	expect_reject(en, &e, NOW, QREQ_REJ_BAD_SIGNATURE);

	/* Signed with another key. */
	struct qkey other;
	char err[128];
	assert_int_equal(qkey_set(&other, "another key, 32 bytes or more....", 33, err,
				  sizeof(err)), 0);
	struct qreq r;
	req_init(&r, RID1, QREQ_ISOLATE, MAC1, "10.99.1.2", "", NOW, NOW + 60 * SEC);
	assert_int_equal(qreq_sign(&r, &other, err, sizeof(err)), 0);
	struct qreq_argv av;
	qreq_to_argv(&r, &av);
	struct enforce_decision d;
	enforce_decide(en, av.argv, av.len, 2 * QF_COUNT, "1-0", NOW, &d);
	assert_int_equal(d.detail, QREQ_REJ_BAD_SIGNATURE);
	/* The request id is reported: the fields parsed, only the signature is wrong. */
	assert_string_equal(d.request_id, RID1);
	enforce_free(en);
}

static void test_unsigned(void **state)
{
	struct enforcer *en = new_enforcer(NULL);
	struct enforce_decision d;
	struct entry e;
	(void)state;

	isolate1(&e, NOW, NOW + 60 * SEC);
	entry_drop(&e, QF_SIG);
	decide(en, &e, "1-0", NOW, &d);
	assert_int_equal(d.outcome, QREQ_OUT_REJECTED);
	assert_string_equal(qreq_reject_name(d.detail), "unsigned");
	assert_string_equal(d.request_id, RID1);
	assert_null(d.script);
	enforce_free(en);
}

static void test_malformed(void **state)
{
	struct enforcer *en = new_enforcer(NULL);
	struct enforce_decision d;
	struct entry e;
	(void)state;

	static const struct {
		enum qreq_field f;
		const char *value;
		const char *reported_id; /* what the report may carry */
	} cases[] = {
		{ QF_MAC, "02:00:00:00:00:0g", RID1 },
		{ QF_MAC, "02:00:00:00:00:01;", RID1 },
		{ QF_ADDRS, "", RID1 },
		{ QF_ADDRS, "10.99.1.256", RID1 },
		{ QF_ADDRS, "10.99.1.2 } ; flush ruleset", RID1 },
		{ QF_ALLOW, "icmp/10.99.2.2/0", RID1 },
		{ QF_ALLOW, "udp/10.99.2.2/65536", RID1 },
		{ QF_ACTION, "drop", RID1 },
		{ QF_ISSUED_US, "-1", RID1 },
		{ QF_ISSUED_US, "99999999999999999999999", RID1 },
		{ QF_REASON, "two\nlines", RID1 },
		{ QF_V, "2", RID1 },
		/* A request id that is not 32 lowercase hex digits is never echoed. */
		{ QF_REQUEST_ID, "0123456789ABCDEF0123456789ABCDEF", "" },
		{ QF_REQUEST_ID, "0123", "" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		isolate1(&e, NOW, NOW + 60 * SEC);
		entry_set(&e, cases[i].f, cases[i].value);
		decide(en, &e, "1-0", NOW, &d);
		assert_int_equal(d.outcome, QREQ_OUT_REJECTED);
		assert_string_equal(qreq_reject_name(d.detail), "malformed");
		assert_string_equal(d.request_id, cases[i].reported_id);
		assert_null(d.script);
	}

	/* A field missing, a field twice, an unknown field, a NUL inside a value. */
	isolate1(&e, NOW, NOW + 60 * SEC);
	entry_drop(&e, QF_REASON);
	expect_reject(en, &e, NOW, QREQ_REJ_MALFORMED);
	isolate1(&e, NOW, NOW + 60 * SEC);
	e.str[e.n] = "reason";
	e.len[e.n++] = 6;
	e.str[e.n] = "again";
	e.len[e.n++] = 5;
	expect_reject(en, &e, NOW, QREQ_REJ_MALFORMED);
	isolate1(&e, NOW, NOW + 60 * SEC);
	e.str[e.n] = "extra";
	e.len[e.n++] = 5;
	e.str[e.n] = "";
	e.len[e.n++] = 0;
	expect_reject(en, &e, NOW, QREQ_REJ_MALFORMED);
	isolate1(&e, NOW, NOW + 60 * SEC);
	e.str[2 * QF_REASON + 1] = "nul\0inside";
	e.len[2 * QF_REASON + 1] = 10;
	expect_reject(en, &e, NOW, QREQ_REJ_MALFORMED);
	/* An odd count: a field without its value. */
	isolate1(&e, NOW, NOW + 60 * SEC);
	e.n = 3;
	expect_reject(en, &e, NOW, QREQ_REJ_MALFORMED);
	/* No fields at all (an entry deleted before it was read): skipped, not reported. */
	enforce_decide(en, NULL, NULL, 0, "1-0", NOW, &d);
	assert_int_equal(d.verdict, ENFORCE_SKIP);
	enforce_free(en);
}

static void test_stale_and_expired(void **state)
{
	struct enforcer *en = new_enforcer(NULL);
	struct enforce_decision d;
	struct entry e;
	(void)state;

	/* Issued 300 s before our clock: exactly the skew, accepted. */
	isolate1(&e, NOW - 300 * SEC, NOW + 60 * SEC);
	decide(en, &e, "1-0", NOW, &d);
	assert_int_equal(d.outcome, QREQ_OUT_APPLIED);
	/* 300 s + 1 us before, or after: stale. */
	isolate1(&e, NOW - 300 * SEC - 1, NOW + 60 * SEC);
	expect_reject(en, &e, NOW, QREQ_REJ_STALE);
	isolate1(&e, NOW + 300 * SEC + 1, NOW + 600 * SEC);
	expect_reject(en, &e, NOW, QREQ_REJ_STALE);
	/* Expires at our clock: expired (expires_us must be > now). */
	isolate1(&e, NOW - 10 * SEC, NOW);
	expect_reject(en, &e, NOW, QREQ_REJ_EXPIRED);
	/* A release carries expires == issued and is never "expired", only stale. */
	struct qreq r;
	req_init(&r, RID3, QREQ_RELEASE, MAC1, "10.99.1.2", "", NOW - 200 * SEC, NOW - 200 * SEC);
	entry_from(&e, &r);
	decide(en, &e, "2-0", NOW, &d);
	assert_int_equal(d.outcome, QREQ_OUT_RELEASED);
	enforce_free(en);
}

static void test_not_allowed(void **state)
{
	struct enforce_config c = { .actions_allowed = 1u << QREQ_ISOLATE | 1u << QREQ_RELEASE };
	struct enforcer *en = new_enforcer(&c);
	struct enforce_decision d;
	struct entry e;
	struct qreq r;
	(void)state;

	req_init(&r, RID2, QREQ_RESTRICT, MAC1, "10.99.1.2", "tcp/198.51.100.20/443", NOW,
		 NOW + 60 * SEC);
	entry_from(&e, &r);
	expect_reject(en, &e, NOW, QREQ_REJ_NOT_ALLOWED);
	/* The default longest time to live is 7 days = 604 800 s: that is accepted, +1 us is not. */
	isolate1(&e, NOW, NOW + 604800 * SEC);
	decide(en, &e, "1-0", NOW, &d);
	assert_int_equal(d.outcome, QREQ_OUT_APPLIED);
	assert_non_null(strstr(d.script, "timeout 604800000ms"));
	isolate1(&e, NOW, NOW + 604800 * SEC + 1);
	expect_reject(en, &e, NOW, QREQ_REJ_NOT_ALLOWED);
	enforce_free(en);
}

/* ------------------------------------------------------------ release and expiry */

static void test_release_removes_allow_entries(void **state)
{
	struct enforcer *en = new_enforcer(NULL);
	struct enforce_decision d;
	struct entry e;
	struct qreq r;
	struct enforce_stats st;
	(void)state;

	isolate1(&e, NOW, NOW + 60 * SEC);
	decide(en, &e, "1-0", NOW, &d);
	enforce_commit(en, true);
	/* The release names the MAC and address but no allow list: the table's memory supplies it. */
	req_init(&r, RID2, QREQ_RELEASE, MAC1, "10.99.1.2", "", NOW + 5 * SEC, NOW + 5 * SEC);
	entry_from(&e, &r);
	decide(en, &e, "2-0", NOW + 5 * SEC, &d);
	assert_int_equal(d.outcome, QREQ_OUT_RELEASED);
	assert_int_equal(d.detail, QREQ_REJ_NONE);
	assert_string_equal(
		d.script,
		"add element inet edgewatch isolated_mac { 02:00:00:00:00:01 }\n"
		"delete element inet edgewatch isolated_mac { 02:00:00:00:00:01 }\n"
		"add element inet edgewatch isolated_v4 { 10.99.1.2 }\n"
		"delete element inet edgewatch isolated_v4 { 10.99.1.2 }\n"
		"add element inet edgewatch allow_v4 { 10.99.1.2 . 10.99.2.2 . udp . 53 }\n"
		"delete element inet edgewatch allow_v4 { 10.99.1.2 . 10.99.2.2 . udp . 53 }\n");
	/* Release keeps its id until issued + skew = NOW + 5 s + 300 s. */
	assert_int_equal(d.keep_until_us, NOW + 305 * SEC);
	enforce_commit(en, true);
	enforce_get_stats(en, &st);
	assert_int_equal(st.released, 1);
	assert_int_equal(st.active_count, 0);
	/* Released: nothing left to expire. */
	assert_int_equal(enforce_expire(en, NOW + 3600 * SEC, NULL, NULL), 0);

	/* A release of a device never quarantined here removes only its own elements. */
	req_init(&r, RID3, QREQ_RELEASE, "", "fd00::9", "", NOW, NOW);
	entry_from(&e, &r);
	decide(en, &e, "3-0", NOW + 5 * SEC, &d);
	assert_int_equal(d.outcome, QREQ_OUT_RELEASED);
	assert_string_equal(d.script, "add element inet edgewatch isolated_v6 { fd00::9 }\n"
				      "delete element inet edgewatch isolated_v6 { fd00::9 }\n");
	enforce_free(en);
}

static void test_new_request_replaces_allow_list(void **state)
{
	struct enforcer *en = new_enforcer(NULL);
	struct enforce_decision d;
	struct entry e;
	struct qreq r;
	(void)state;

	isolate1(&e, NOW, NOW + 60 * SEC);
	decide(en, &e, "1-0", NOW, &d);
	enforce_commit(en, true);
	/* A restrict for the same MAC, new address: the old entries go, then the new ones. */
	req_init(&r, RID2, QREQ_RESTRICT, MAC1, "10.99.1.7", "tcp/198.51.100.20/443", NOW,
		 NOW + 120 * SEC);
	entry_from(&e, &r);
	decide(en, &e, "2-0", NOW, &d);
	assert_int_equal(d.outcome, QREQ_OUT_APPLIED);
	assert_string_equal(
		d.script,
		"add element inet edgewatch isolated_mac { 02:00:00:00:00:01 }\n"
		"delete element inet edgewatch isolated_mac { 02:00:00:00:00:01 }\n"
		"add element inet edgewatch isolated_v4 { 10.99.1.2 }\n"
		"delete element inet edgewatch isolated_v4 { 10.99.1.2 }\n"
		"add element inet edgewatch allow_v4 { 10.99.1.2 . 10.99.2.2 . udp . 53 }\n"
		"delete element inet edgewatch allow_v4 { 10.99.1.2 . 10.99.2.2 . udp . 53 }\n"
		"add element inet edgewatch isolated_mac { 02:00:00:00:00:01 }\n"
		"delete element inet edgewatch isolated_mac { 02:00:00:00:00:01 }\n"
		"add element inet edgewatch isolated_mac { 02:00:00:00:00:01 timeout 120000ms }\n"
		"add element inet edgewatch isolated_v4 { 10.99.1.7 }\n"
		"delete element inet edgewatch isolated_v4 { 10.99.1.7 }\n"
		"add element inet edgewatch isolated_v4 { 10.99.1.7 timeout 120000ms }\n"
		"add element inet edgewatch allow_v4 { 10.99.1.7 . 198.51.100.20 . tcp . 443 }\n"
		"delete element inet edgewatch allow_v4 { 10.99.1.7 . 198.51.100.20 . tcp . 443 }\n"
		"add element inet edgewatch allow_v4 { 10.99.1.7 . 198.51.100.20 . tcp . 443 "
		"timeout 120000ms }\n");
	enforce_commit(en, true);
	struct enforce_stats st;
	enforce_get_stats(en, &st);
	assert_int_equal(st.active_count, 1); /* one device, one record */
	enforce_free(en);
}

static char expired_ids[4][QREQ_REQUEST_ID_HEX + 1];
static size_t expired_n;

static void on_expired(void *ctx, const char *request_id)
{
	(void)ctx;
	if (expired_n < 4)
		snprintf(expired_ids[expired_n++], sizeof(expired_ids[0]), "%s", request_id);
}

static void test_expiry_reported_once(void **state)
{
	struct enforcer *en = new_enforcer(NULL);
	struct enforce_decision d;
	struct entry e;
	(void)state;

	isolate1(&e, NOW, NOW + 60 * SEC);
	decide(en, &e, "1-0", NOW, &d);
	enforce_commit(en, true);
	expired_n = 0;
	/* 1 us before the end: nothing; at the end: RID1, once. */
	assert_int_equal(enforce_expire(en, NOW + 60 * SEC - 1, on_expired, NULL), 0);
	assert_int_equal(enforce_expire(en, NOW + 60 * SEC, on_expired, NULL), 1);
	assert_int_equal(expired_n, 1);
	assert_string_equal(expired_ids[0], RID1);
	assert_int_equal(enforce_expire(en, NOW + 120 * SEC, on_expired, NULL), 0);
	/* A dry run remembers the id but no quarantine: nothing ever expires. */
	struct qreq r;
	req_init(&r, RID2, QREQ_ISOLATE, MAC1, "10.99.1.2", "", NOW, NOW + 60 * SEC);
	entry_from(&e, &r);
	decide(en, &e, "2-0", NOW, &d);
	enforce_commit(en, false);
	assert_int_equal(enforce_expire(en, NOW + 120 * SEC, on_expired, NULL), 0);
	expect_reject(en, &e, NOW, QREQ_REJ_REPLAY); /* "1-0" is another entry */
	enforce_free(en);
}

static void test_caps(void **state)
{
	struct enforce_config c = { .seen_max = 2, .active_max = 2 };
	struct enforcer *en = new_enforcer(&c);
	struct enforce_decision d;
	struct entry e;
	struct qreq r;
	struct enforce_stats st;
	static const char *const ids[3] = { RID1, RID2, RID3 };
	static const char *const addrs[3] = { "10.0.0.1", "10.0.0.2", "10.0.0.3" };
	(void)state;

	/* Three devices, ending after 600, 500 and 400 s: the caps are 2. */
	for (int i = 0; i < 3; i++) {
		req_init(&r, ids[i], QREQ_ISOLATE, "", addrs[i], "", NOW,
			 NOW + (uint64_t)(600 - 100 * i) * SEC);
		entry_from(&e, &r);
		decide(en, &e, "1-0", NOW, &d);
		assert_int_equal(d.outcome, QREQ_OUT_APPLIED);
		enforce_commit(en, true);
	}
	enforce_get_stats(en, &st);
	assert_int_equal(st.seen_count, 2);
	assert_int_equal(st.active_count, 2);
	/*
	 * The third push dropped what ends first among the first two: the
	 * seen id kept until max(500, 300) = 500 s (RID2) and the quarantine
	 * ending at 500 s (RID2 too).
	 */
	assert_int_equal(st.seen_evicted, 1);
	assert_int_equal(st.active_evicted, 1);
	expired_n = 0;
	assert_int_equal(enforce_expire(en, NOW + 1000 * SEC, on_expired, NULL), 2);
	assert_string_equal(expired_ids[0], RID1);
	assert_string_equal(expired_ids[1], RID3);
	enforce_free(en);
}

static void test_config_checks(void **state)
{
	struct enforce_config c = { .key = &test_key, .table = "edge watch" };
	char err[ENFORCE_ERRLEN];
	(void)state;

	assert_null(enforce_new(&c, err, sizeof(err)));
	assert_string_equal(err, "table: not a valid nft table name");
	assert_true(enft_table_name_valid("edgewatch"));
	assert_true(enft_table_name_valid("ew_2"));
	assert_false(enft_table_name_valid("2ew"));
	assert_false(enft_table_name_valid("_ew"));
	assert_false(enft_table_name_valid(""));
	assert_false(enft_table_name_valid("ew;flush"));
	/* 32 bytes is the limit. */
	assert_true(enft_table_name_valid("abcdefghijklmnopqrstuvwxyzabcdef"));
	assert_false(enft_table_name_valid("abcdefghijklmnopqrstuvwxyzabcdefg"));
}

/* ------------------------------------------------------------ the table */

static void test_setup_script(void **state)
{
	struct enft_buf b = { 0 };
	(void)state;

	assert_int_equal(enft_script_setup(&b, "ew"), 0);
	assert_string_equal(
		b.text,
		"add table inet ew\n"
		"add set inet ew isolated_mac { type ether_addr; flags timeout; }\n"
		"add set inet ew isolated_v4 { type ipv4_addr; flags timeout; }\n"
		"add set inet ew isolated_v6 { type ipv6_addr; flags timeout; }\n"
		"add set inet ew allow_v4 { type ipv4_addr . ipv4_addr . inet_proto . inet_service; "
		"flags timeout; }\n"
		"add set inet ew allow_v6 { type ipv6_addr . ipv6_addr . inet_proto . inet_service; "
		"flags timeout; }\n"
		"add chain inet ew forward { type filter hook forward priority filter - 1; policy "
		"accept; }\n"
		"flush chain inet ew forward\n"
		"add rule inet ew forward ip saddr . ip daddr . meta l4proto . th dport @allow_v4 "
		"accept\n"
		"add rule inet ew forward ip daddr . ip saddr . meta l4proto . th sport @allow_v4 "
		"accept\n"
		"add rule inet ew forward ip6 saddr . ip6 daddr . meta l4proto . th dport @allow_v6 "
		"accept\n"
		"add rule inet ew forward ip6 daddr . ip6 saddr . meta l4proto . th sport @allow_v6 "
		"accept\n"
		"add rule inet ew forward ether saddr @isolated_mac drop\n"
		"add rule inet ew forward ip saddr @isolated_v4 drop\n"
		"add rule inet ew forward ip daddr @isolated_v4 drop\n"
		"add rule inet ew forward ip6 saddr @isolated_v6 drop\n"
		"add rule inet ew forward ip6 daddr @isolated_v6 drop\n");
	enft_buf_free(&b);
}

static void test_largest_script_fits(void **state)
{
	struct enft_target t;
	struct enft_buf b = { 0 };
	(void)state;

	/*
	 * 16 IPv6 addresses x 64 IPv6 allows = 1024 allow elements of up to
	 * 39 + 3 + 39 + 3 + 3 + 3 + 5 = 95 bytes, each written 3 times (about
	 * 300 KiB): under the 1 MiB cap, with an old target of the same size.
	 */
	memset(&t, 0, sizeof(t));
	t.n_addrs = QREQ_ADDRS_ENTRIES_MAX;
	for (size_t i = 0; i < t.n_addrs; i++) {
		memset(t.addrs[i].bytes, 0xff, 16);
		t.addrs[i].bytes[15] = (uint8_t)i;
		t.addrs[i].family = EW_AF_INET6;
	}
	t.n_allow = QREQ_ALLOW_ENTRIES_MAX;
	for (size_t i = 0; i < t.n_allow; i++) {
		memset(t.allow[i].addr.bytes, 0xee, 16);
		t.allow[i].addr.bytes[15] = (uint8_t)i;
		t.allow[i].addr.family = EW_AF_INET6;
		t.allow[i].proto = EW_IPPROTO_TCP;
		t.allow[i].port = 65535;
	}
	assert_int_equal(enft_script_apply(&b, "edgewatch", &t, &t, 604800000), 0);
	assert_false(b.overflow);
	assert_true(b.len > 300000 && b.len < ENFT_SCRIPT_MAX);
	/* 1024 allow elements + 16 addresses, each on 5 lines (2 removing the old, 3 setting). */
	size_t timeouts = 0;
	for (const char *p = b.text; (p = strstr(p, "timeout 604800000ms")); p++)
		timeouts++;
	assert_int_equal(timeouts, 1024 + 16);
	enft_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_isolate_applied),
		cmocka_unit_test(test_timeout_rounding),
		cmocka_unit_test(test_restrict_two_families_no_mac),
		cmocka_unit_test(test_redelivery_is_already),
		cmocka_unit_test(test_uncommitted_is_not_seen),
		cmocka_unit_test(test_durable_seen_store),
		cmocka_unit_test(test_tampered_each_field),
		cmocka_unit_test(test_unsigned),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_stale_and_expired),
		cmocka_unit_test(test_not_allowed),
		cmocka_unit_test(test_release_removes_allow_entries),
		cmocka_unit_test(test_new_request_replaces_allow_list),
		cmocka_unit_test(test_expiry_reported_once),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_config_checks),
		cmocka_unit_test(test_setup_script),
		cmocka_unit_test(test_largest_script_fits),
	};
	return cmocka_run_group_tests(tests, setup_key, NULL);
}
