/*
 * test-json.c - the JSON writer: escaping of hostile bytes, nesting, caps.
 *
 * Expected strings are written out by hand from RFC 8259 (escapes) and
 * RFC 3629 (what is valid UTF-8).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "util-json.h"

static const char *escape(const void *s, size_t len)
{
	static struct json_buf jb;

	json_free(&jb);
	json_init(&jb);
	json_escape_into(&jb, s, len);
	assert_false(jb.err);
	return jb.data ? jb.data : "";
}

struct esc_case {
	const char *name;
	const char *in;
	size_t len;
	const char *want;
};

#define C(n, s, w) { n, s, sizeof(s) - 1, w }

static const struct esc_case esc_cases[] = {
	C("plain", "iot.example.com", "iot.example.com"),
	C("quote and backslash", "a\"b\\c", "a\\\"b\\\\c"),
	C("newline tab cr", "a\nb\tc\rd", "a\\u000ab\\u0009c\\u000dd"),
	C("nul inside", "a\0b", "a\\u0000b"),
	C("escape char", "\x1b[31m", "\\u001b[31m"),
	C("del", "\x7f", "\\u007f"),
	C("two-byte utf8", "caf\xc3\xa9", "caf\xc3\xa9"),
	C("three-byte utf8", "\xe2\x82\xac", "\xe2\x82\xac"),
	C("four-byte utf8", "\xf0\x9f\x93\xb7", "\xf0\x9f\x93\xb7"),
	C("lone continuation", "a\x80z", "a\\ufffdz"),
	C("overlong slash", "\xc0\xaf", "\\ufffd\\ufffd"),
	C("overlong three-byte", "\xe0\x80\xaf", "\\ufffd\\ufffd\\ufffd"),
	C("surrogate", "\xed\xa0\x80", "\\ufffd\\ufffd\\ufffd"),
	C("above U+10FFFF", "\xf4\x90\x80\x80", "\\ufffd\\ufffd\\ufffd\\ufffd"),
	C("invalid lead f5", "\xf5", "\\ufffd"),
	C("truncated at end", "ab\xe2\x82", "ab\\ufffd\\ufffd"),
	C("latin1 byte", "\xe9t\xe9", "\\ufffdt\\ufffd"),
	C("line separator", "a\xe2\x80\xa8" "b", "a\\u2028b"),
	C("paragraph separator", "\xe2\x80\xa9", "\\u2029"),
	C("ff byte", "\xff\xfe", "\\ufffd\\ufffd"),
};

static void test_escape_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(esc_cases) / sizeof(esc_cases[0]); i++) {
		const struct esc_case *c = &esc_cases[i];
		const char *got = escape(c->in, c->len);
		if (strcmp(got, c->want) != 0)
			fail_msg("case '%s': got '%s', want '%s'", c->name, got, c->want);
	}
}

/* Every byte value alone: output is never a raw control byte or invalid. */
static void test_every_byte(void **state)
{
	(void)state;
	for (int b = 0; b < 256; b++) {
		uint8_t in = (uint8_t)b;
		const char *got = escape(&in, 1);
		for (const char *p = got; *p; p++)
			assert_true((unsigned char)*p >= 0x20 && (unsigned char)*p != 0x7f);
		if (b >= 0x20 && b < 0x7f && b != '"' && b != '\\') {
			assert_int_equal(strlen(got), 1);
		} else {
			assert_true(got[0] == '\\');
		}
	}
}

static void test_object_nesting(void **state)
{
	struct json_buf jb;

	(void)state;
	json_init(&jb);
	json_open_object(&jb, NULL);
	json_string(&jb, "event_type", "flow");
	json_uint(&jb, "n", 18446744073709551615ULL);
	json_int(&jb, "neg", -5);
	json_bool(&jb, "t", true);
	json_open_array(&jb, "vlan");
	json_uint(&jb, NULL, 10);
	json_uint(&jb, NULL, 20);
	json_close_array(&jb);
	json_open_object(&jb, "o");
	json_close_object(&jb);
	json_double(&jb, "d", 0.5);
	json_double(&jb, "nan", 0.0 / 0.0);
	json_bytes(&jb, "k\"ey", (const uint8_t *)"\x01", 1);
	json_close_object(&jb);
	assert_false(jb.err);
	assert_string_equal(jb.data,
			    "{\"event_type\":\"flow\",\"n\":18446744073709551615,\"neg\":-5,"
			    "\"t\":true,\"vlan\":[10,20],\"o\":{},\"d\":0.5,\"nan\":null,"
			    "\"k\\\"ey\":\"\\u0001\"}");
	assert_int_equal(jb.len, strlen(jb.data));

	/* Reset keeps the buffer and starts a fresh event. */
	json_reset(&jb);
	json_open_object(&jb, NULL);
	json_close_object(&jb);
	assert_string_equal(jb.data, "{}");
	json_free(&jb);
	json_free(NULL);
}

static void test_misnesting_sets_err(void **state)
{
	struct json_buf jb;

	(void)state;
	json_init(&jb);
	json_close_object(&jb);
	assert_true(jb.err);
	json_free(&jb);

	json_init(&jb);
	for (int i = 0; i < JSON_MAX_DEPTH + 1; i++)
		json_open_array(&jb, NULL);
	assert_true(jb.err);
	json_free(&jb);
}

/* An event past the cap is refused whole, not cut. */
static void test_size_cap(void **state)
{
	struct json_buf jb;
	size_t big = JSON_MAX_EVENT_BYTES / 4 + 1;
	uint8_t *ctl = malloc(big);

	(void)state;
	assert_non_null(ctl);
	memset(ctl, 0x01, big); /* each becomes 6 bytes escaped */
	json_init(&jb);
	json_open_object(&jb, NULL);
	json_bytes(&jb, "x", ctl, big);
	assert_true(jb.err);
	assert_true(jb.len < JSON_MAX_EVENT_BYTES);
	json_free(&jb);
	free(ctl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_table),
		cmocka_unit_test(test_every_byte),
		cmocka_unit_test(test_object_nesting),
		cmocka_unit_test(test_misnesting_sets_err),
		cmocka_unit_test(test_size_cap),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	escape("", 0);
	return rc;
}
