/*
 * test-eval.c - unit tests of edgewatch-eval's library part: the JSON
 * reader (src/eval-json.c), the labels parser and the scoring
 * (src/eval.c).
 *
 * The JSON reader gets well-formed text with every escape (bytes worked
 * out from RFC 8259 and RFC 3629), then a table of hostile texts, each
 * with the exact message and byte offset worked out by hand.  The labels
 * parser gets a good file with CRLF and comments, then a table of bad
 * lines with their exact messages.  The scoring gets a hand-written
 * event stream against six labelled attacks; which are detected, their
 * latencies, the false alerts and the device-days are worked out in the
 * comments of test_score.  Run under ASan to catch overruns and leaks.
 */
#define _GNU_SOURCE /* fmemopen */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval-json.h"
#include "eval.h"

/* 2026-03-02T08:00:00Z: (56 * 365 + 14 leap days + 31 + 28 + 1) * 86400 + 8 * 3600. */
#define T0 1772438400LL
#define S(x) ((int64_t)((x) * 1000000LL))

/* ------------------------------------------------------------ JSON: good text */

static struct ejson *parse_ok(const char *text, size_t len)
{
	struct ejson *j = ejson_create();

	assert_non_null(j);
	if (ejson_parse(j, text, len) != 0)
		fail_msg("parse failed: %s", ejson_error(j));
	assert_string_equal(ejson_error(j), "");
	return j;
}

static void test_json_nested(void **state)
{
	static const char text[] =
		" {\"a\": {\"b\": [1, -2.5e1, true, false, null, {\"c\": \"d\"}]}, \"e\": 0, \"e\": 7 } ";
	struct ejson *j = parse_ok(text, strlen(text));
	const struct ejson_value *root = ejson_root(j), *b, *v;
	size_t n;

	(void)state;
	assert_int_equal(root->type, EJSON_OBJECT);
	assert_int_equal(root->count, 3); /* a, e, e */
	b = ejson_get(j, ejson_get(j, root, "a"), "b");
	assert_non_null(b);
	assert_int_equal(b->type, EJSON_ARRAY);
	assert_int_equal(b->count, 6);
	v = ejson_first(j, b);
	assert_int_equal(v->type, EJSON_NUMBER);
	assert_true(v->num == 1.0);
	v = ejson_next(j, v);
	assert_true(v->num == -25.0);
	assert_int_equal((v = ejson_next(j, v))->type, EJSON_TRUE);
	assert_int_equal((v = ejson_next(j, v))->type, EJSON_FALSE);
	assert_int_equal((v = ejson_next(j, v))->type, EJSON_NULL);
	v = ejson_next(j, v);
	assert_true(ejson_string_is(j, ejson_get(j, v, "c"), "d"));
	assert_null(ejson_next(j, v));
	/* A repeated name: the last one, as JSON.parse does. */
	assert_true(ejson_get(j, root, "e")->num == 7.0);
	assert_string_equal(ejson_key(j, ejson_first(j, root), &n), "a");
	assert_int_equal(n, 1);
	/* Queries on the wrong kind of value answer NULL, never crash. */
	assert_null(ejson_get(j, b, "c"));
	assert_null(ejson_get(j, NULL, "c"));
	assert_null(ejson_string(j, b, NULL));
	assert_null(ejson_first(j, ejson_get(j, root, "e")));
	assert_false(ejson_string_is(j, NULL, "x"));
	ejson_destroy(j);
}

struct str_case {
	const char *name;
	const char *json; /* a JSON string, quotes included */
	const char *want;
	size_t want_len;
};

#define SC(n, j, w) { n, j, w, sizeof(w) - 1 }

static const struct str_case str_cases[] = {
	SC("short escapes", "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t"),
	/* U+00E9: 110 00011, 10 101001 */
	SC("two-byte", "\"\\u00e9\"", "\xc3\xa9"),
	/* U+20AC: 1110 0010, 10 000010, 10 101100 */
	SC("three-byte, uppercase hex", "\"\\u20AC\"", "\xe2\x82\xac"),
	/* U+1F600 = D83D DE00: 0x10000 + (0x3d << 10) + 0x200 */
	SC("surrogate pair", "\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80"),
	SC("lone high surrogate", "\"\\ud83dx\"", "\xef\xbf\xbdx"),
	SC("lone low surrogate", "\"\\ude00\"", "\xef\xbf\xbd"),
	/* The escape after a lone high surrogate is read on its own. */
	SC("high then not low", "\"\\ud83d\\u0041\"", "\xef\xbf\xbd" "A"),
	SC("escaped NUL", "\"a\\u0000b\"", "a\0b"),
	/* Not UTF-8 (a lone continuation, a cut sequence, 0xff): kept as bytes. */
	SC("invalid UTF-8 kept", "\"\x80\xc3\xff\"", "\x80\xc3\xff"),
	SC("empty", "\"\"", ""),
};

static void test_json_strings(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(str_cases) / sizeof(str_cases[0]); i++) {
		const struct str_case *c = &str_cases[i];
		struct ejson *j = parse_ok(c->json, strlen(c->json));
		size_t n;
		const char *s = ejson_string(j, ejson_root(j), &n);

		if (s == NULL || n != c->want_len || memcmp(s, c->want, n) != 0)
			fail_msg("%s: wrong bytes (length %zu, want %zu)", c->name, n, c->want_len);
		assert_int_equal(s[n], '\0');
		ejson_destroy(j);
	}
}

/* A string of 1000 "\u20ac": 6000 bytes of text give 3000 bytes; no overflow. */
static void test_json_many_escapes(void **state)
{
	char *text = malloc(6002);
	struct ejson *j;
	size_t n;
	const char *s;

	(void)state;
	assert_non_null(text);
	text[0] = '"';
	for (int i = 0; i < 1000; i++)
		memcpy(text + 1 + 6 * i, "\\u20ac", 6);
	text[6001] = '"';
	j = parse_ok(text, 6002);
	s = ejson_string(j, ejson_root(j), &n);
	assert_int_equal(n, 3000);
	assert_memory_equal(s + 2997, "\xe2\x82\xac", 3);
	ejson_destroy(j);
	free(text);
}

static void test_json_numbers(void **state)
{
	struct ejson *j = ejson_create();
	char *big;

	(void)state;
	/* The text need not end with NUL: "1234" with len 3 is 123. */
	assert_int_equal(ejson_parse(j, "1234", 3), 0);
	assert_true(ejson_root(j)->num == 123.0);
	assert_int_equal(ejson_parse(j, "-0.5E+2", 7), 0);
	assert_true(ejson_root(j)->num == -50.0);
	/* Out of range: strtod's +-HUGE_VAL and 0. */
	assert_int_equal(ejson_parse(j, "1e999999", 8), 0);
	assert_true(isinf(ejson_root(j)->num) && ejson_root(j)->num > 0);
	assert_int_equal(ejson_parse(j, "-1e999999", 9), 0);
	assert_true(isinf(ejson_root(j)->num) && ejson_root(j)->num < 0);
	assert_int_equal(ejson_parse(j, "1e-999999", 9), 0);
	assert_true(ejson_root(j)->num == 0.0);
	/* 100000 digits, 10^99999: inf, in an array with a string after it. */
	big = malloc(100000 + 16);
	assert_non_null(big);
	big[0] = '[';
	big[1] = '1';
	memset(big + 2, '0', 99999);
	memcpy(big + 100001, ",\"x\"]", 5);
	assert_int_equal(ejson_parse(j, big, 100006), 0);
	assert_true(isinf(ejson_first(j, ejson_root(j))->num));
	assert_true(ejson_string_is(j, ejson_next(j, ejson_first(j, ejson_root(j))), "x"));
	free(big);
	ejson_destroy(j);
}

/* ------------------------------------------------------------ JSON: hostile text */

struct bad_case {
	const char *text;
	size_t len;
	const char *err;
};

#define BC(t, e) { t, sizeof(t) - 1, e }

static const struct bad_case bad_cases[] = {
	BC("", "at byte 0: expected a value, found the end"),
	BC("   ", "at byte 3: expected a value, found the end"),
	BC("{\"a\":\"abc", "at byte 9: unterminated string"),
	BC("\"abc\\", "at byte 5: unterminated string"),
	BC("\"\\x\"", "at byte 2: bad escape \\x"),
	BC("\"\\u12\"", "at byte 3: truncated \\u escape"),
	BC("\"\\u12G4\"", "at byte 3: bad \\u escape"),
	BC("\"\\ud83d\\u12\"", "at byte 9: truncated \\u escape"),
	BC("\"a\nb\"", "at byte 2: control byte 0x0a in string"),
	BC("\"a\0b\"", "at byte 2: control byte 0x00 in string"),
	BC("{\"a\":\0}", "at byte 5: unexpected byte 0x00"),
	BC("01", "at byte 1: leading zero in number"),
	BC("-", "at byte 1: bad number"),
	BC("-a", "at byte 1: bad number"),
	BC("1.", "at byte 2: bad number: no digit after '.'"),
	BC("1e", "at byte 2: bad number: no digit in exponent"),
	BC("1e+", "at byte 3: bad number: no digit in exponent"),
	BC("+1", "at byte 0: unexpected byte 0x2b"),
	BC(".5", "at byte 0: unexpected byte 0x2e"),
	BC("NaN", "at byte 0: unexpected byte 0x4e"),
	BC("tru", "at byte 0: unexpected 't'"),
	BC("nul", "at byte 0: unexpected 'n'"),
	BC("[1,]", "at byte 3: unexpected byte 0x5d"),
	BC("[1 2]", "at byte 3: expected ',' or ']'"),
	BC("[1", "at byte 2: unterminated array"),
	BC("{\"a\" 1}", "at byte 5: expected ':'"),
	BC("{\"a\":1,}", "at byte 7: expected a member name"),
	BC("{1:2}", "at byte 1: expected a member name"),
	BC("{\"a\":1", "at byte 6: unterminated object"),
	BC("{\"a\":1 \"b\":2}", "at byte 7: expected ',' or '}'"),
	BC("{} x", "at byte 3: text after the value"),
	BC("{}{}", "at byte 2: text after the value"),
	/* 33 levels: the 33rd '[' is at byte 32. */
	BC("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
	   "at byte 32: nesting deeper than 32"),
};

static void test_json_bad(void **state)
{
	struct ejson *j = ejson_create();

	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];

		if (ejson_parse(j, c->text, c->len) != -1)
			fail_msg("case %zu parsed", i);
		if (strcmp(ejson_error(j), c->err) != 0)
			fail_msg("case %zu: got '%s', want '%s'", i, ejson_error(j), c->err);
		assert_null(ejson_root(j)); /* no half tree after a failure */
	}
	ejson_destroy(j);
}

/* 32 levels parse; a million '[' stop at the 33rd, with no deep recursion. */
static void test_json_depth(void **state)
{
	struct ejson *j = ejson_create();
	char ok[64];
	char *deep = malloc(1000000);

	(void)state;
	memset(ok, '[', 32);
	memset(ok + 32, ']', 32);
	assert_int_equal(ejson_parse(j, ok, 64), 0);
	assert_non_null(deep);
	memset(deep, '[', 1000000);
	assert_int_equal(ejson_parse(j, deep, 1000000), -1);
	assert_string_equal(ejson_error(j), "at byte 32: nesting deeper than 32");
	free(deep);
	ejson_destroy(j);
}

/*
 * The value cap: "[0,0,...,0]" with k zeros is k + 1 values.  65535
 * zeros fit (65536 values); with 65536 zeros the last zero, at byte
 * 1 + 2 * 65535 = 131071, is one too many, found at its end (131072).
 */
static void test_json_value_cap(void **state)
{
	struct ejson *j = ejson_create();
	size_t len = 1 + 2 * 65536;
	char *text = malloc(len);

	(void)state;
	assert_non_null(text);
	text[0] = '[';
	for (size_t i = 0; i < 65536; i++) {
		text[1 + 2 * i] = '0';
		text[2 + 2 * i] = ',';
	}
	text[len - 1] = ']';
	assert_int_equal(ejson_parse(j, text, len), -1);
	assert_string_equal(ejson_error(j), "at byte 131072: more than 65536 values");
	/* One zero fewer: "[" + 65535 * "0," with the last ',' made ']'. */
	text[len - 3] = ']';
	assert_int_equal(ejson_parse(j, text, len - 2), 0);
	assert_int_equal(ejson_root(j)->count, 65535);
	free(text);
	ejson_destroy(j);
}

/* ------------------------------------------------------------ small parsers */

static void test_seconds(void **state)
{
	static const struct {
		const char *s;
		int rc;
		int64_t us;
	} cases[] = {
		{ "0", 0, 0 },
		{ "12", 0, 12000000 },
		{ "12.5", 0, 12500000 },
		{ "12.000001", 0, 12000001 },
		{ "0012.100", 0, 12100000 },
		{ "100000000000", 0, 100000000000LL * 1000000 },
		{ "100000000001", -1, 0 },  /* past EVAL_SECONDS_MAX */
		{ "1000000000000", -1, 0 }, /* 13 digits */
		{ "1.1234567", -1, 0 },
		{ "1.", -1, 0 },
		{ ".5", -1, 0 },
		{ "", -1, 0 },
		{ "-1", -1, 0 },
		{ "+1", -1, 0 },
		{ " 1", -1, 0 },
		{ "1 ", -1, 0 },
		{ "1e3", -1, 0 },
		{ "1.2.3", -1, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t us = -7;
		int rc = eval_seconds_parse(cases[i].s, strlen(cases[i].s), &us);

		if (rc != cases[i].rc || (rc == 0 && us != cases[i].us))
			fail_msg("'%s': rc %d us %lld", cases[i].s, rc, (long long)us);
	}
}

static void test_time(void **state)
{
	static const struct {
		const char *s;
		int rc;
		int64_t us;
	} cases[] = {
		{ "2026-03-02T08:00:01.250000Z", 0, S(T0) + 1250000 },
		{ "2026-03-02T08:00:01.250000+0000", 0, S(T0) + 1250000 },
		{ "2026-03-02T09:00:01.25+01:00", 0, S(T0) + 1250000 },
		{ "2026-03-02T07:30:01.25-0030", 0, S(T0) + 1250000 },
		{ "2026-03-02T08:00:00Z", 0, S(T0) },
		/* 7 decimals: cut to the microsecond. */
		{ "2026-03-02T08:00:00.1234567Z", 0, S(T0) + 123456 },
		{ "1970-01-01T00:00:00Z", 0, 0 },
		/* 2024-01-01 is day 54 * 365 + 13 leap days = 19723; + 31 + 28 = 19782. */
		{ "2024-02-29T00:00:00Z", 0, S(19782LL * 86400) },
		/* 2000 is a leap year (divisible by 400): 30 * 365 + 7 + 59 = 11016. */
		{ "2000-02-29T00:00:00Z", 0, S(11016LL * 86400) },
		/* After February of a leap year: one day more. */
		{ "2024-03-01T00:00:00Z", 0, S(19783LL * 86400) },
		/* 2024 has 366 days: its last is day 19723 + 365; 2025-01-01 is 1735689600. */
		{ "2024-12-31T23:59:59Z", 0, S(20088LL * 86400 + 86399) },
		{ "2100-02-29T00:00:00Z", -1, 0 }, /* 2100 is not */
		{ "2023-02-29T00:00:00Z", -1, 0 },
		{ "2026-13-01T00:00:00Z", -1, 0 },
		{ "2026-04-31T00:00:00Z", -1, 0 },
		{ "2026-03-02T24:00:00Z", -1, 0 },
		{ "2026-03-02 08:00:00Z", -1, 0 },
		{ "2026-03-02T08:00:00", -1, 0 },
		{ "2026-03-02T08:00:00.Z", -1, 0 },
		{ "2026-03-02T08:00:00.1234567890Z", -1, 0 },
		{ "2026-03-02T08:00:00+01", -1, 0 },
		{ "2026-03-02T08:00:00Zx", -1, 0 },
		{ "1969-12-31T23:59:59Z", -1, 0 },
		{ "1970-01-01T00:00:00+01:00", -1, 0 }, /* before the epoch */
		{ "2026-3-2T08:00:00Z", -1, 0 },
		{ "", -1, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t us = -7;
		int rc = eval_time_parse(cases[i].s, strlen(cases[i].s), &us);

		if (rc != cases[i].rc || (rc == 0 && us != cases[i].us))
			fail_msg("'%s': rc %d us %lld", cases[i].s, rc, (long long)us);
	}
}

static void test_dev(void **state)
{
	struct eval_dev d, e;
	char buf[EVAL_DEV_STRLEN];

	(void)state;
	assert_int_equal(eval_dev_parse(&d, "00:1a:2b:3c:4d:5e", 17), 0);
	assert_int_equal(d.kind, EVAL_DEV_MAC);
	assert_memory_equal(d.b, "\x00\x1a\x2b\x3c\x4d\x5e", 6);
	eval_dev_format(&d, buf);
	assert_string_equal(buf, "00:1a:2b:3c:4d:5e");
	assert_int_equal(eval_dev_parse(&d, "10.0.0.4", 8), 0);
	assert_int_equal(d.kind, EVAL_DEV_IP4);
	/* The IPv4-mapped spelling is the same identity. */
	assert_int_equal(eval_dev_parse(&e, "::ffff:10.0.0.4", 15), 0);
	assert_memory_equal(&d, &e, sizeof(d));
	assert_int_equal(eval_dev_parse(&d, "fe80::1", 7), 0);
	assert_int_equal(d.kind, EVAL_DEV_IP6);
	eval_dev_format(&d, buf);
	assert_string_equal(buf, "fe80::1");
	assert_int_equal(eval_dev_parse(&d, "00:1A:2b:3c:4d:5e", 17), -1);
	assert_int_equal(eval_dev_parse(&d, "00:1a:2b:3c:4d:5e:", 18), -1);
	assert_int_equal(eval_dev_parse(&d, "10.0.0.4\0", 9), -1);
	assert_int_equal(eval_dev_parse(&d, "", 0), -1);
	assert_int_equal(d.kind, EVAL_DEV_NONE);
}

/* ------------------------------------------------------------ labels */

#define H "device,start,end,scenario\n"

static void test_labels_good(void **state)
{
	static const char text[] =
		"# written by hand\r\n"
		"device,start,end,scenario\r\n"
		"\r\n"
		"00:11:22:33:44:55,1772438500.5,1772438600.000001,mirai_scan\r\n"
		"10.0.0.4,1772438500,1772438500,udp_flood\n"
		"# a comment\n"
		"  \t\n"
		"fe80::1,1,2,x\n"
		"::ffff:10.0.0.5,0.000001,100000000000,y"; /* no final newline */
	struct eval_labels l = { 0 };
	char err[EVAL_ERRLEN];

	(void)state;
	if (eval_labels_parse("l.csv", text, sizeof(text) - 1, &l, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(l.n, 4);
	assert_int_equal(l.row[0].line, 4);
	assert_int_equal(l.row[0].dev.kind, EVAL_DEV_MAC);
	assert_true(l.row[0].start_us == 1772438500500000LL);
	assert_true(l.row[0].end_us == 1772438600000001LL);
	assert_string_equal(l.row[0].scenario, "mirai_scan");
	assert_int_equal(l.row[1].line, 5);
	assert_int_equal(l.row[1].dev.kind, EVAL_DEV_IP4);
	assert_memory_equal(l.row[1].dev.b, "\x0a\x00\x00\x04", 4);
	assert_true(l.row[1].start_us == l.row[1].end_us);
	assert_int_equal(l.row[2].line, 8);
	assert_int_equal(l.row[2].dev.kind, EVAL_DEV_IP6);
	assert_int_equal(l.row[3].line, 9);
	assert_int_equal(l.row[3].dev.kind, EVAL_DEV_IP4);
	assert_true(l.row[3].start_us == 1);
	assert_true(l.row[3].end_us == 100000000000LL * 1000000);
	eval_labels_free(&l);
	eval_labels_free(&l); /* twice is harmless */

	/* A header and nothing else: zero rows is a valid evaluation. */
	assert_int_equal(eval_labels_parse("l.csv", H, strlen(H), &l, err, sizeof(err)), 0);
	assert_int_equal(l.n, 0);
	eval_labels_free(&l);
}

struct label_bad {
	const char *text;
	size_t len; /* 0: strlen */
	const char *err;
};

static const struct label_bad label_bads[] = {
	{ "", 0, "l.csv: no header line \"device,start,end,scenario\"" },
	{ "# only\n\n", 0, "l.csv: no header line \"device,start,end,scenario\"" },
	{ "device,start,end\n", 0, "l.csv:1: expected the header \"device,start,end,scenario\"" },
	{ "Device,start,end,scenario\n", 0,
	  "l.csv:1: expected the header \"device,start,end,scenario\"" },
	{ H "00:11:22:33:44:55,1,2\n", 0,
	  "l.csv:2: expected 4 fields (device,start,end,scenario), found 3" },
	{ H "00:11:22:33:44:55,1,2,a,b\n", 0,
	  "l.csv:2: expected 4 fields (device,start,end,scenario), found 5" },
	{ H "00:11:22:33:44:5g,1,2,a\n", 0,
	  "l.csv:2: device: '00:11:22:33:44:5g' is not a lowercase MAC or an IP address" },
	{ H "00:11:22:33:44:AA,1,2,a\n", 0,
	  "l.csv:2: device: '00:11:22:33:44:AA' is not a lowercase MAC or an IP address" },
	{ H "00-11-22-33-44-55,1,2,a\n", 0,
	  "l.csv:2: device: '00-11-22-33-44-55' is not a lowercase MAC or an IP address" },
	{ H "999.1.1.1,1,2,a\n", 0,
	  "l.csv:2: device: '999.1.1.1' is not a lowercase MAC or an IP address" },
	{ H ",1,2,a\n", 0, "l.csv:2: device: '' is not a lowercase MAC or an IP address" },
	/* 50 bytes, quoted as the first 40 and "...". */
	{ H "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,1,2,a\n", 0,
	  "l.csv:2: device: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' is not a lowercase MAC or "
	  "an IP address" },
	{ H "10.0.0.1,1.1234567,2,a\n", 0,
	  "l.csv:2: start: '1.1234567' is not Unix seconds with at most 6 decimals" },
	{ H "10.0.0.1, 1,2,a\n", 0,
	  "l.csv:2: start: ' 1' is not Unix seconds with at most 6 decimals" },
	{ H "10.0.0.1,-1,2,a\n", 0,
	  "l.csv:2: start: '-1' is not Unix seconds with at most 6 decimals" },
	{ H "10.0.0.1,,2,a\n", 0, "l.csv:2: start: '' is not Unix seconds with at most 6 decimals" },
	{ H "10.0.0.1,1,abc,a\n", 0,
	  "l.csv:2: end: 'abc' is not Unix seconds with at most 6 decimals" },
	{ H "10.0.0.1,1,1000000000000,a\n", 0,
	  "l.csv:2: end: '1000000000000' is not Unix seconds with at most 6 decimals" },
	{ H "10.0.0.1,10,9.999999,a\n", 0, "l.csv:2: end is before start" },
	{ H "10.0.0.1,1,2,\n", 0, "l.csv:2: scenario: empty" },
	{ H "10.0.0.1,1,2,a b\n", 0,
	  "l.csv:2: scenario: byte 0x20 not allowed (printable ASCII, no spaces or quotes)" },
	{ H "10.0.0.1,1,2,\"a\"\n", 0,
	  "l.csv:2: scenario: byte 0x22 not allowed (printable ASCII, no spaces or quotes)" },
	{ H "10.0.0.1,1,2,a\rb\n", 0,
	  "l.csv:2: scenario: byte 0x0d not allowed (printable ASCII, no spaces or quotes)" },
	{ H "10.0.0.1,1,2,caf\xc3\xa9\n", 0,
	  "l.csv:2: scenario: byte 0xc3 not allowed (printable ASCII, no spaces or quotes)" },
	/* 65 bytes. */
	{ H "10.0.0.1,1,2,aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", 0,
	  "l.csv:2: scenario: longer than 64 bytes" },
	{ H "10.0.0.1,1,2,a\0b\n", sizeof(H "10.0.0.1,1,2,a\0b\n") - 1, "l.csv:2: NUL byte" },
	/* Comments and blank lines count as lines. */
	{ "# c\r\n\r\n" H "# x\n10.0.0.1,1,2,ok\n10.0.0.1,1,2\n", 0,
	  "l.csv:6: expected 4 fields (device,start,end,scenario), found 3" },
};

static void test_labels_bad(void **state)
{
	char err[EVAL_ERRLEN];

	(void)state;
	for (size_t i = 0; i < sizeof(label_bads) / sizeof(label_bads[0]); i++) {
		const struct label_bad *c = &label_bads[i];
		struct eval_labels l = { 0 };
		size_t len = c->len ? c->len : strlen(c->text);

		if (eval_labels_parse("l.csv", c->text, len, &l, err, sizeof(err)) != -1)
			fail_msg("case %zu parsed", i);
		if (strcmp(err, c->err) != 0)
			fail_msg("case %zu: got '%s', want '%s'", i, err, c->err);
		assert_null(l.row);
	}
}

/* The caps: a line of 513 bytes, and row 16385. */
static void test_labels_caps(void **state)
{
	char err[EVAL_ERRLEN];
	struct eval_labels l = { 0 };
	static const char row[] = "10.0.0.1,1,2,a\n";
	size_t hl = strlen(H), rl = strlen(row), len = hl + (EVAL_LABELS_MAX + 1) * rl;
	char *text = malloc(len > 600 ? len : 600);

	(void)state;
	assert_non_null(text);
	memcpy(text, H, hl);
	memset(text + hl, 'a', 513);
	text[hl + 513] = '\n';
	assert_int_equal(eval_labels_parse("l.csv", text, hl + 514, &l, err, sizeof(err)), -1);
	assert_string_equal(err, "l.csv:2: line longer than 512 bytes");
	for (size_t i = 0; i <= EVAL_LABELS_MAX; i++)
		memcpy(text + hl + i * rl, row, rl);
	assert_int_equal(eval_labels_parse("l.csv", text, len, &l, err, sizeof(err)), -1);
	assert_string_equal(err, "l.csv:16386: more than 16384 rows");
	assert_int_equal(eval_labels_parse("l.csv", text, len - rl, &l, err, sizeof(err)), 0);
	assert_int_equal(l.n, EVAL_LABELS_MAX);
	eval_labels_free(&l);
	free(text);
}

/* ------------------------------------------------------------ events */

static FILE *mem_file(const char *text, size_t len)
{
	FILE *f = fmemopen((void *)(uintptr_t)text, len, "r");

	assert_non_null(f);
	return f;
}

/*
 * Line handling: CRLF, blank lines, a last line without newline, a line
 * of exactly EVAL_LINE_MAX bytes (read, then malformed: it is not JSON)
 * and one of EVAL_LINE_MAX + 1 (skipped as too long).
 */
static void test_read_lines(void **state)
{
	size_t max = EVAL_LINE_MAX, len = 0;
	char *text = malloc(2 * max + 400);
	struct eval *e = eval_create();
	char err[EVAL_ERRLEN];
	const struct eval_counts *c;

	(void)state;
	assert_non_null(text);
	assert_non_null(e);
#define ADD(s) (memcpy(text + len, s, strlen(s)), len += strlen(s))
	ADD("{\"event_type\":\"flow\",\"timestamp\":\"2026-03-02T08:00:00Z\"}\r\n");
	ADD("\n \r\n");
	memset(text + len, 'x', max);
	len += max;
	ADD("\n");
	memset(text + len, '{', max + 1);
	len += max + 1;
	ADD("\n{not json}\n");
	ADD("[1,2]\n");                      /* JSON, not an object */
	ADD("{\"timestamp\":\"2026-03-02T08:00:00Z\"}\n"); /* no event_type */
	ADD("{\"event_type\":\"flow\",\"timestamp\":\"yesterday\"}\n");
	ADD("{\"event_type\":\"stats\"}\n"); /* fine: no time, no span */
	ADD("{\"event_type\":\"flow\",\"timestamp\":\"2026-03-02T08:00:10Z\"}");
#undef ADD
	FILE *f = mem_file(text, len);

	assert_int_equal(eval_read(e, f, err, sizeof(err)), 0);
	fclose(f);
	c = eval_counts(e);
	assert_int_equal(c->lines, 9);
	assert_int_equal(c->events, 3);
	assert_int_equal(c->too_long, 1);
	assert_int_equal(c->malformed, 2);
	assert_int_equal(c->unusable, 3);
	assert_int_equal(c->timed, 2);
	assert_true(c->first_us == S(T0) && c->last_us == S(T0 + 10));
	/* Direct callers are held to the same cap. */
	eval_add_line(e, text + 80, max + 1);
	assert_int_equal(c->too_long, 2);
	eval_destroy(e);
	free(text);
}

/*
 * The scoring case.  T0 = 2026-03-02T08:00:00Z; times below are
 * seconds after T0; tolerance 60 s.  Devices: A ..:0a, B ..:0b, C ..:0c,
 * E ..:0e (MACs), D 10.0.0.4 (IP-keyed), K an evicted record's key.
 *
 * Labels (window = [start, end + 60]):
 *   L1 A scan   [100, 200]   -> [100, 260]
 *   L2 B beacon [1000, 1100] -> [1000, 1160]
 *   L3 C tunnel [2000, 2050] -> [2000, 2110]
 *   L4 A arp    [3000, 3100] -> [3000, 3160]
 *   L5 D flood  [4000, 4000] -> [4000, 4060]
 *   L6 B exfil  [5000, 5100] -> [5000, 5160]
 *
 * Detections ("opened" unless said), and what each is:
 *   1. A 103.5 alert iot-telnet-outbound high, closed at 600
 *                                              L1's (A, inside)    on target
 *   2. C 150   anomaly, closed at 300          in L1's window      collateral
 *   3. B 500   anomaly, closed at 600          in no window        false
 *   4. B 1150  anomaly medium, closed at 1500  L2's (1150 <= 1160) on target
 *   5. A 2010  anomaly, closed at 2500         in L3's window      collateral
 *   6. C 2111  anomaly                         1 s past L3's end   false
 *   7. A 2900  anomaly medium, escalated at 2950 (high), closed at 3200:
 *              opened before L4 and still open at 3000         false
 *   8. D 4010  alert, no cause: rule udp-flood critical  L5's  on target
 *   9. K 5050  anomaly                         in L6's window      collateral
 * Incidents 6, 8 and 9 never close in the stream, so they count as open
 * to its end (no later row of their devices: it does not matter here).
 *
 * So: opened 9 = 3 on target (1, 4, 8) + 3 collateral (2, 5, 9) + 3 false
 * (3, 6, 7).  Rows:
 *   L1 detected by 1: latency 103.5 - 100 = 3.5 s; collateral 1 (C 150)
 *   L2 detected by 4: latency 1150 - 1000 = 150 s; collateral 0
 *   L3 not detected (6 is late); collateral 1 (A 2010)
 *   L4 detected "already open" by 7's incident: latency 0, cause anomaly,
 *      severity of the last event before 3000 (the escalation: high)
 *   L5 detected by 8: latency 10 s, cause udp-flood, critical
 *   L6 not detected; collateral 1 (K 5050)
 * Detected 4 of 6; latencies 0, 3.5, 10, 150: median (3.5 + 10) / 2 =
 * 6.75 s, max 150 s.
 * Devices: A, B, C, E from device events, D from its alert; K is not
 * counted: 5.  Span: the first event at 0, the last at 8640 s = 0.1 day.
 * Device-days 5 * 0.1 = 0.5; false alerts per 100 device-days
 * 3 * 100 / 0.5 = 600.
 */
#define MAC(x) "\"device\":{\"mac\":\"00:00:00:00:00:" x "\",\"key\":\"mac\"}"
#define INC(id, st, cause) \
	"\"incident\":{\"id\":\"" id "\",\"status\":\"" st "\",\"cause\":\"" cause "\",\"hits\":1}"
#define ANOM(ts, dev, id, st, sev) \
	"{\"timestamp\":\"2026-03-02T" ts "\",\"event_type\":\"anomaly\"," dev "," \
	INC(id, st, "anomaly") ",\"anomaly\":{\"score\":12.5,\"severity\":\"" sev "\"}}\n"

static const char score_events[] =
	"{\"timestamp\":\"2026-03-02T08:00:00.000000Z\",\"event_type\":\"flow\",\"src_ip\":\"10.0.0.9\"}\n"
	"{\"timestamp\":\"2026-03-02T08:00:00Z\",\"event_type\":\"device\",\"event\":\"new\","
	"\"mac\":\"00:00:00:00:00:0a\",\"key\":\"mac\",\"addresses\":[\"10.0.0.10\"]}\n"
	"{\"timestamp\":\"2026-03-02T08:00:00Z\",\"event_type\":\"device\",\"event\":\"new\","
	"\"mac\":\"00:00:00:00:00:0b\",\"key\":\"mac\"}\n"
	"{\"timestamp\":\"2026-03-02T08:00:00Z\",\"event_type\":\"device\",\"event\":\"new\","
	"\"mac\":\"00:00:00:00:00:0c\",\"key\":\"mac\"}\n"
	"{\"timestamp\":\"2026-03-02T08:00:00Z\",\"event_type\":\"device\",\"event\":\"changed\","
	"\"mac\":\"00:00:00:00:00:0e\",\"key\":\"mac\"}\n"
	/* 1 */
	"{\"timestamp\":\"2026-03-02T08:01:43.500000+0000\",\"event_type\":\"alert\"," MAC("0a") ","
	INC("00000000000000a1", "opened", "iot-telnet-outbound")
	",\"alert\":{\"rule\":\"iot-telnet-outbound\",\"severity\":\"high\"}}\n"
	"{\"timestamp\":\"2026-03-02T08:10:00Z\",\"event_type\":\"alert\"," MAC("0a") ","
	INC("00000000000000a1", "closed", "iot-telnet-outbound") "}\n"
	/* 2, closed */
	ANOM("08:02:30Z", MAC("0c"), "00000000000000c1", "opened", "low")
	ANOM("08:05:00Z", MAC("0c"), "00000000000000c1", "closed", "low")
	/* 3, closed */
	ANOM("08:08:20Z", MAC("0b"), "00000000000000b1", "opened", "low")
	ANOM("08:10:00Z", MAC("0b"), "00000000000000b1", "closed", "low")
	/* 4, closed */
	ANOM("08:19:10Z", MAC("0b"), "00000000000000b2", "opened", "medium")
	ANOM("08:25:00Z", MAC("0b"), "00000000000000b2", "closed", "medium")
	/* 5, closed */
	ANOM("08:33:30Z", MAC("0a"), "00000000000000a2", "opened", "low")
	ANOM("08:41:40Z", MAC("0a"), "00000000000000a2", "closed", "low")
	/* 6 */
	ANOM("08:35:11Z", MAC("0c"), "00000000000000c2", "opened", "low")
	/* 7, escalated, closed */
	ANOM("08:48:20Z", MAC("0a"), "00000000000000a3", "opened", "medium")
	ANOM("08:49:10Z", MAC("0a"), "00000000000000a3", "escalated", "high")
	ANOM("08:53:20Z", MAC("0a"), "00000000000000a3", "closed", "high")
	/* 8: IP-keyed, no cause in the incident */
	"{\"timestamp\":\"2026-03-02T09:06:50Z\",\"event_type\":\"alert\","
	"\"device\":{\"ip\":\"10.0.0.4\",\"key\":\"ip\"},"
	"\"incident\":{\"id\":\"00000000000000d1\",\"status\":\"opened\"},"
	"\"alert\":{\"rule\":\"udp-flood\",\"severity\":\"critical\"}}\n"
	/* 9: evicted record */
	ANOM("09:24:10Z", "\"device\":{\"device_key\":\"0123456789abcdef\"}", "00000000000000e1",
	     "opened", "low")
	/* Not usable: no device, an unknown status, no timestamp. */
	"{\"timestamp\":\"2026-03-02T08:02:00Z\",\"event_type\":\"anomaly\","
	INC("00000000000000f1", "opened", "anomaly") "}\n"
	ANOM("08:02:00Z", MAC("0b"), "00000000000000f2", "reopened", "low")
	"{\"event_type\":\"alert\"," MAC("0b") "," INC("00000000000000f3", "opened", "x") "}\n"
	"{\"timestamp\":\"2026-03-02T10:24:00Z\",\"event_type\":\"flow\"}\n";

static void load_score_labels(struct eval_labels *l)
{
	char text[1024], err[EVAL_ERRLEN];

	snprintf(text, sizeof(text),
		 H "00:00:00:00:00:0a,%lld,%lld,scan\n"
		 "00:00:00:00:00:0b,%lld,%lld,beacon\n"
		 "00:00:00:00:00:0c,%lld,%lld,tunnel\n"
		 "00:00:00:00:00:0a,%lld,%lld,arp\n"
		 "10.0.0.4,%lld,%lld,flood\n"
		 "00:00:00:00:00:0b,%lld,%lld,exfil\n",
		 T0 + 100, T0 + 200, T0 + 1000, T0 + 1100, T0 + 2000, T0 + 2050, T0 + 3000,
		 T0 + 3100, T0 + 4000, T0 + 4000, T0 + 5000, T0 + 5100);
	if (eval_labels_parse("l.csv", text, strlen(text), l, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(l->n, 6);
}

static void check_row(const struct eval_row *w, bool detected, bool already, int64_t lat_us,
		      const char *cause, const char *sev, uint64_t collateral)
{
	assert_int_equal(w->detected, detected);
	assert_int_equal(w->already_open, already);
	if (detected) {
		assert_true(w->latency_us == lat_us);
		assert_string_equal(w->cause, cause);
		assert_string_equal(w->severity, sev);
	}
	assert_int_equal(w->collateral, collateral);
}

static void test_score(void **state)
{
	struct eval_labels l = { 0 };
	struct eval_result r = { 0 };
	struct eval *e = eval_create();
	char err[EVAL_ERRLEN];
	const struct eval_counts *c;
	FILE *f = mem_file(score_events, sizeof(score_events) - 1);

	(void)state;
	load_score_labels(&l);
	assert_int_equal(eval_read(e, f, err, sizeof(err)), 0);
	fclose(f);
	c = eval_counts(e);
	/* 1 flow + 4 device + 16 detection events + 1 last flow used; 3 unusable. */
	assert_int_equal(c->events, 22);
	assert_int_equal(c->unusable, 3);
	assert_int_equal(c->malformed, 0);
	assert_int_equal(c->detections, 10); /* 9 opened + 1 escalated */
	assert_int_equal(c->opened, 9);
	assert_int_equal(c->closes, 6);
	assert_int_equal(c->devices, 5);
	assert_int_equal(eval_score(e, &l, EVAL_TOLERANCE_DEFAULT_US, &r, err, sizeof(err)), 0);
	assert_int_equal(r.n, 6);
	check_row(&r.row[0], true, false, S(3.5), "iot-telnet-outbound", "high", 1);
	check_row(&r.row[1], true, false, S(150), "anomaly", "medium", 0);
	check_row(&r.row[2], false, false, 0, NULL, NULL, 1);
	check_row(&r.row[3], true, true, 0, "anomaly", "high", 0);
	check_row(&r.row[4], true, false, S(10), "udp-flood", "critical", 0);
	check_row(&r.row[5], false, false, 0, NULL, NULL, 1);
	assert_string_equal(r.row[4].label->scenario, "flood");
	assert_int_equal(r.detected, 4);
	assert_true(r.latency_median_s == 6.75);
	assert_true(r.latency_max_s == 150.0);
	assert_int_equal(r.opened, 9);
	assert_int_equal(r.on_target, 3);
	assert_int_equal(r.collateral, 3);
	assert_int_equal(r.false_alerts, 3);
	assert_int_equal(r.devices, 5);
	assert_true(r.span_s == 8640.0);
	assert_true(fabs(r.device_days - 0.5) < 1e-12);
	assert_true(fabs(r.false_per_100dd - 600.0) < 1e-9);

	/*
	 * A tolerance of 61 s: detection 6 (C at 2111) falls in L3's window
	 * [2000, 2111]: L3 detected with latency 111 s, and 6 is on target.
	 * Latencies 0, 3.5, 10, 111, 150: median 10.
	 */
	eval_result_free(&r);
	assert_int_equal(eval_score(e, &l, S(61), &r, err, sizeof(err)), 0);
	check_row(&r.row[2], true, false, S(111), "anomaly", "low", 1);
	assert_int_equal(r.detected, 5);
	assert_true(r.latency_median_s == 10.0);
	assert_int_equal(r.on_target, 4);
	assert_int_equal(r.false_alerts, 2);

	/*
	 * Tolerance 0: L2's detection at 1150 is past 1100 and L5's at 4010
	 * past 4000, so 4 and 8 become false alerts; L1 and L4 (already
	 * open) are unchanged.  Opened: on target 1; collateral 2 (150 in
	 * [100, 200]), 5 (2010 in [2000, 2050]), 9 (5050 in [5000, 5100]);
	 * false 3, 4, 6, 7, 8.
	 */
	eval_result_free(&r);
	assert_int_equal(eval_score(e, &l, 0, &r, err, sizeof(err)), 0);
	assert_false(r.row[1].detected);
	assert_false(r.row[4].detected);
	assert_int_equal(r.detected, 2);
	assert_true(r.latency_median_s == 1.75); /* (0 + 3.5) / 2 */
	assert_int_equal(r.on_target, 1);
	assert_int_equal(r.collateral, 3);
	assert_int_equal(r.false_alerts, 5);
	eval_result_free(&r);
	eval_labels_free(&l);
	eval_destroy(e);
}

static void test_check(void **state)
{
	struct eval_labels l = { 0 };
	struct eval_result r = { 0 };
	struct eval *e = eval_create();
	struct eval_limits lim = { false, -1, -1, -1 };
	char err[EVAL_ERRLEN], why[EVAL_ERRLEN];

	(void)state;
	load_score_labels(&l);
	eval_add_line(e, score_events, 0); /* empty: ignored */
	for (const char *p = score_events, *nl; (nl = strchr(p, '\n')) != NULL; p = nl + 1)
		eval_add_line(e, p, (size_t)(nl - p));
	assert_int_equal(eval_score(e, &l, EVAL_TOLERANCE_DEFAULT_US, &r, err, sizeof(err)), 0);
	assert_int_equal(r.detected, 4); /* the same stream line by line */
	assert_int_equal(eval_check(&r, &lim, why, sizeof(why)), 0);
	lim.require_detected = true;
	assert_int_equal(eval_check(&r, &lim, why, sizeof(why)), -1);
	assert_string_equal(why, "2 of 6 scenarios not detected");
	lim.require_detected = false;
	/* L3 (line 4 of the labels) is the first row not detected. */
	lim.max_latency_s = 200;
	assert_int_equal(eval_check(&r, &lim, why, sizeof(why)), -1);
	assert_string_equal(why, "tunnel (line 4) not detected within 200 s");
	lim.max_latency_s = -1;
	lim.max_median_s = 6.75;
	assert_int_equal(eval_check(&r, &lim, why, sizeof(why)), 0);
	lim.max_median_s = 6.7;
	assert_int_equal(eval_check(&r, &lim, why, sizeof(why)), -1);
	assert_string_equal(why, "median latency over 6.7 s");
	lim.max_median_s = -1;
	lim.max_false_per_100dd = 600;
	assert_int_equal(eval_check(&r, &lim, why, sizeof(why)), 0);
	lim.max_false_per_100dd = 599;
	assert_int_equal(eval_check(&r, &lim, why, sizeof(why)), -1);
	assert_string_equal(why, "3 false alerts: over 599 per 100 device-days");
	eval_result_free(&r);

	/*
	 * With a tolerance of 61 s only L6 (line 7) is missed; a limit of
	 * 100 s then fails first on L2 (latency 150 s, line 3).
	 */
	assert_int_equal(eval_score(e, &l, S(61), &r, err, sizeof(err)), 0);
	lim = (struct eval_limits){ false, 100, -1, -1 };
	assert_int_equal(eval_check(&r, &lim, why, sizeof(why)), -1);
	assert_string_equal(why, "beacon (line 3) detected later than 100 s");
	eval_result_free(&r);
	eval_labels_free(&l);
	eval_destroy(e);
}

/*
 * Windows that overlap.  X ..:01 has a long window [0, 1000] and a
 * short one [100, 200] inside it; Y ..:02 has [2000, 3000] and Z ..:03
 * [2100, 2200].  Tolerance 10 s: [0, 1010], [100, 210], [2000, 3010],
 * [2100, 2210].  Events, seconds after T0:
 *   X incident 1 opened 140, escalated 150, closed 160
 *   X incident 2 opened 500, closed 510
 *   Y incident 3 opened 1990, closed 1995
 *   Y incident 5 escalated 2150 (its opened event missing), closed 2160
 *   Z incident 4 opened 2500, closed 2510
 * Rows:
 *   X long:  first detection in [0, 1010] is 140: latency 140 s, low.
 *            Opened in the window: 140 and 500, both X's: collateral 0.
 *   X short: 140 - 100 = 40 s; collateral 0 (X's own 140 is opened,
 *            its escalation at 150 is not counted at all).
 *   Y:       incident 3 closed before 2000, so not already open; the
 *            escalation at 2150: latency 150 s, medium.  Z's 2500 is in
 *            the window: collateral 1.
 *   Z:       nothing of Z in [2100, 2210]: not detected; collateral 0.
 * Opened: X 140 on target; X 500 on target: past the short window but
 * inside the long one (the largest end so far decides, not the last
 * window's); Y 1990 before every window: false; Z 2500 inside Y's
 * window only: collateral.
 */
static void test_score_overlaps(void **state)
{
	static const char events[] =
		ANOM("08:02:20Z", MAC("01"), "0000000000000001", "opened", "low")
		ANOM("08:02:30Z", MAC("01"), "0000000000000001", "escalated", "high")
		ANOM("08:02:40Z", MAC("01"), "0000000000000001", "closed", "high")
		ANOM("08:08:20Z", MAC("01"), "0000000000000002", "opened", "low")
		ANOM("08:08:30Z", MAC("01"), "0000000000000002", "closed", "low")
		ANOM("08:33:10Z", MAC("02"), "0000000000000003", "opened", "low")
		ANOM("08:33:15Z", MAC("02"), "0000000000000003", "closed", "low")
		ANOM("08:35:50Z", MAC("02"), "0000000000000005", "escalated", "medium")
		ANOM("08:36:00Z", MAC("02"), "0000000000000005", "closed", "medium")
		ANOM("08:41:40Z", MAC("03"), "0000000000000004", "opened", "low")
		ANOM("08:41:50Z", MAC("03"), "0000000000000004", "closed", "low");
	struct eval_labels l = { 0 };
	struct eval_result r = { 0 };
	struct eval *e = eval_create();
	char text[512], err[EVAL_ERRLEN];
	FILE *f = mem_file(events, sizeof(events) - 1);

	(void)state;
	snprintf(text, sizeof(text),
		 H "00:00:00:00:00:01,%lld,%lld,long\n00:00:00:00:00:01,%lld,%lld,short\n"
		 "00:00:00:00:00:02,%lld,%lld,y\n00:00:00:00:00:03,%lld,%lld,z\n",
		 T0, T0 + 1000, T0 + 100, T0 + 200, T0 + 2000, T0 + 3000, T0 + 2100, T0 + 2200);
	assert_int_equal(eval_labels_parse("l.csv", text, strlen(text), &l, err, sizeof(err)), 0);
	assert_int_equal(eval_read(e, f, err, sizeof(err)), 0);
	fclose(f);
	assert_int_equal(eval_score(e, &l, S(10), &r, err, sizeof(err)), 0);
	check_row(&r.row[0], true, false, S(140), "anomaly", "low", 0);
	check_row(&r.row[1], true, false, S(40), "anomaly", "low", 0);
	check_row(&r.row[2], true, false, S(150), "anomaly", "medium", 1);
	check_row(&r.row[3], false, false, 0, NULL, NULL, 0);
	assert_int_equal(r.opened, 4);
	assert_int_equal(r.on_target, 2);
	assert_int_equal(r.collateral, 1);
	assert_int_equal(r.false_alerts, 1);
	eval_result_free(&r);
	eval_labels_free(&l);
	eval_destroy(e);
}

/* Nothing at all, and a false alert over zero device-days. */
static void test_score_empty(void **state)
{
	struct eval_labels l = { 0 };
	struct eval_result r = { 0 };
	struct eval *e = eval_create();
	struct eval_limits lim = { true, 1, 1, 0 };
	char err[EVAL_ERRLEN], why[EVAL_ERRLEN];
	static const char one[] = ANOM("08:00:00Z", MAC("0a"), "0000000000000001", "opened", "low");

	(void)state;
	assert_int_equal(eval_labels_parse("l.csv", H, strlen(H), &l, err, sizeof(err)), 0);
	assert_int_equal(eval_score(e, &l, EVAL_TOLERANCE_DEFAULT_US, &r, err, sizeof(err)), 0);
	assert_int_equal(r.n, 0);
	assert_true(isnan(r.latency_median_s) && isnan(r.latency_max_s));
	assert_true(r.device_days == 0 && isnan(r.false_per_100dd));
	/* Zero rows meet every limit: nothing was missed, nothing was false. */
	assert_int_equal(eval_check(&r, &lim, why, sizeof(why)), 0);
	eval_result_free(&r);

	/* One opened incident, one timestamp: span 0, 1 device, 0 device-days. */
	eval_add_line(e, one, sizeof(one) - 2);
	assert_int_equal(eval_score(e, &l, EVAL_TOLERANCE_DEFAULT_US, &r, err, sizeof(err)), 0);
	assert_int_equal(r.false_alerts, 1);
	assert_int_equal(r.devices, 1);
	assert_true(r.device_days == 0 && isnan(r.false_per_100dd));
	lim = (struct eval_limits){ false, -1, -1, 1000 };
	assert_int_equal(eval_check(&r, &lim, why, sizeof(why)), -1);
	assert_string_equal(why, "1 false alerts: over 1000 per 100 device-days");
	eval_result_free(&r);
	eval_labels_free(&l);
	eval_destroy(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_nested),
		cmocka_unit_test(test_json_strings),
		cmocka_unit_test(test_json_many_escapes),
		cmocka_unit_test(test_json_numbers),
		cmocka_unit_test(test_json_bad),
		cmocka_unit_test(test_json_depth),
		cmocka_unit_test(test_json_value_cap),
		cmocka_unit_test(test_seconds),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_dev),
		cmocka_unit_test(test_labels_good),
		cmocka_unit_test(test_labels_bad),
		cmocka_unit_test(test_labels_caps),
		cmocka_unit_test(test_read_lines),
		cmocka_unit_test(test_score),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_score_overlaps),
		cmocka_unit_test(test_score_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
