/*
 * test-mqtt.c - the MQTT CONNECT reader of the hygiene audit
 * (src/fingerprint-mqtt.h), on packets built here byte by byte after the
 * MQTT 3.1, 3.1.1 and 5.0 layouts, hostile ones included: every prefix of
 * a good packet, lengths that run past the packet or the capture, flags a
 * CONNECT may not carry.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fingerprint-login.h"
#include "fingerprint-mqtt.h"

struct pkt {
	uint8_t b[512];
	size_t n;
};

static void put(struct pkt *p, const void *d, size_t n)
{
	assert_true(p->n + n <= sizeof(p->b));
	memcpy(p->b + p->n, d, n);
	p->n += n;
}

static void put_u8(struct pkt *p, uint8_t v)
{
	put(p, &v, 1);
}

static void put_str(struct pkt *p, const char *s)
{
	size_t n = strlen(s);

	put_u8(p, (uint8_t)(n >> 8));
	put_u8(p, (uint8_t)n);
	put(p, s, n);
}

/*
 * A CONNECT: 0x10, the remaining length (one byte: these bodies stay under
 * 128), then body.  extra is added to the remaining length as written
 * (negative: a length that ends before the fields do).
 */
static void connect_of(struct pkt *out, const struct pkt *body, int extra)
{
	memset(out, 0, sizeof(*out));
	put_u8(out, 0x10);
	put_u8(out, (uint8_t)((int)body->n + extra));
	put(out, body->b, body->n);
}

/* The variable header and payload of a 3.1.1 (level 4) or 3.1 (level 3) CONNECT. */
static void body_v4(struct pkt *b, uint8_t level, uint8_t flags, const char *user,
		    const char *password)
{
	memset(b, 0, sizeof(*b));
	put_str(b, level == 3 ? "MQIsdp" : "MQTT");
	put_u8(b, level);
	put_u8(b, flags);
	put_u8(b, 0);
	put_u8(b, 60); /* keep-alive */
	put_str(b, "plug-7");
	if (flags & 0x04) {
		put_str(b, "will/topic");
		put_str(b, "gone");
	}
	if (flags & 0x80)
		put_str(b, user);
	if (flags & 0x40)
		put_str(b, password);
}

static enum mqtt_connect_result parse(const struct pkt *p, struct mqtt_connect *mc)
{
	/* From a heap copy of exactly n bytes, so that ASan sees any read past it. */
	uint8_t *copy = malloc(p->n ? p->n : 1);
	enum mqtt_connect_result r;

	assert_non_null(copy);
	memcpy(copy, p->b, p->n);
	r = mqtt_connect_parse(copy, p->n, mc);
	free(copy);
	return r;
}

static void test_logins(void **state)
{
	static const struct {
		uint8_t level, flags;
		const char *user, *password;
		bool has_password, weak;
	} cases[] = {
		{ 4, 0xc2, "shelly", "Tr7!kq2PzW", true, false }, /* the bundled capture's */
		{ 4, 0xc2, "shelly", "admin", true, true },        /* a default */
		{ 4, 0xc2, "02D5050223D3", "02D5050223D3", true, true }, /* the user name */
		{ 4, 0xc2, "u", "", true, true },                   /* empty */
		{ 4, 0xc6, "u", "123456", true, true },             /* after a will */
		{ 3, 0xc2, "u", "s3cret-enough", true, false },     /* MQTT 3.1 */
		{ 4, 0x82, "u", NULL, false, false },               /* user name only */
		{ 4, 0x02, NULL, NULL, false, false },              /* no login */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pkt body, p;
		struct mqtt_connect mc;

		body_v4(&body, cases[i].level, cases[i].flags, cases[i].user, cases[i].password);
		connect_of(&p, &body, 0);
		assert_int_equal(parse(&p, &mc), MQTT_CONNECT_OK);
		assert_int_equal(mc.level, cases[i].level);
		assert_int_equal(mc.has_user, (cases[i].flags & 0x80) != 0);
		assert_int_equal(mc.has_password, cases[i].has_password);
		assert_int_equal(mc.weak_password, cases[i].weak);
	}
}

/* MQTT 5: properties after the keep-alive and before the will. */
static void test_v5(void **state)
{
	struct pkt body, p;
	struct mqtt_connect mc;

	(void)state;
	memset(&body, 0, sizeof(body));
	put_str(&body, "MQTT");
	put_u8(&body, 5);
	put_u8(&body, 0xc6);
	put_u8(&body, 0);
	put_u8(&body, 30);
	put_u8(&body, 5); /* properties: session expiry (0x11) and 4 bytes */
	put(&body, "\x11\x00\x00\x0e\x10", 5);
	put_str(&body, "cam-2");
	put_u8(&body, 2); /* will properties: payload format (0x01), 1 */
	put(&body, "\x01\x01", 2);
	put_str(&body, "t");
	put_str(&body, "m");
	put_str(&body, "cam");
	put_str(&body, "guest");
	connect_of(&p, &body, 0);
	assert_int_equal(parse(&p, &mc), MQTT_CONNECT_OK);
	assert_int_equal(mc.level, 5);
	assert_true(mc.has_password && mc.weak_password);
}

static void test_not_connect(void **state)
{
	struct pkt body, p;
	struct mqtt_connect mc;

	(void)state;
	/* A PUBLISH, an HTTP request, nothing. */
	memset(&p, 0, sizeof(p));
	put(&p, "\x30\x05\x00\x01t\x01\x02", 7);
	assert_int_equal(parse(&p, &mc), MQTT_NOT_CONNECT);
	memset(&p, 0, sizeof(p));
	put(&p, "GET / HTTP/1.1\r\n", 16);
	assert_int_equal(parse(&p, &mc), MQTT_NOT_CONNECT);
	memset(&p, 0, sizeof(p));
	assert_int_equal(parse(&p, &mc), MQTT_NOT_CONNECT);
	/* 0x10 but another protocol name. */
	memset(&body, 0, sizeof(body));
	put_str(&body, "MQTTX");
	put(&body, "\x04\xc2\x00\x3c", 4);
	connect_of(&p, &body, 0);
	assert_int_equal(parse(&p, &mc), MQTT_NOT_CONNECT);
	/* A remaining length of five bytes: none MQTT allows. */
	memset(&p, 0, sizeof(p));
	put(&p, "\x10\xff\xff\xff\xff\x01\x00\x04MQTT", 12);
	assert_int_equal(parse(&p, &mc), MQTT_NOT_CONNECT);
	assert_false(mc.has_password);
}

static void test_malformed(void **state)
{
	struct pkt body, p;
	struct mqtt_connect mc;

	(void)state;
	/* The reserved flag, a level that does not exist, a password without a user before 5. */
	body_v4(&body, 4, 0xc3, "u", "p");
	connect_of(&p, &body, 0);
	assert_int_equal(parse(&p, &mc), MQTT_CONNECT_MALFORMED);
	body_v4(&body, 4, 0xc2, "u", "p");
	body.b[6] = 7;
	connect_of(&p, &body, 0);
	assert_int_equal(parse(&p, &mc), MQTT_CONNECT_MALFORMED);
	body_v4(&body, 4, 0x42, NULL, "p");
	connect_of(&p, &body, 0);
	assert_int_equal(parse(&p, &mc), MQTT_CONNECT_MALFORMED);
	/* Whole packet captured, but its remaining length ends inside the password. */
	body_v4(&body, 4, 0xc2, "user", "longpassword");
	connect_of(&p, &body, -4);
	assert_int_equal(parse(&p, &mc), MQTT_CONNECT_MALFORMED);
	assert_true(mc.has_password);
	assert_false(mc.weak_password);
	/* A client id length running past everything. */
	body_v4(&body, 4, 0x02, NULL, NULL);
	body.b[10] = 0xff;
	body.b[11] = 0xff;
	connect_of(&p, &body, 0);
	assert_int_equal(parse(&p, &mc), MQTT_CONNECT_MALFORMED);
}

/*
 * Every prefix of a good packet (a capture cut anywhere): never a read past
 * the bytes given (ASan), never OK before the end, and once the flags are
 * in, the password flag is known (PARTIAL).
 */
static void test_prefixes(void **state)
{
	struct pkt body, p, cut;
	struct mqtt_connect mc;
	size_t flags_end = 2 + 6 + 1 + 1; /* header, "MQTT", level, flags */

	(void)state;
	body_v4(&body, 4, 0xc6, "shelly", "admin");
	connect_of(&p, &body, 0);
	for (size_t n = 0; n < p.n; n++) {
		enum mqtt_connect_result r;

		cut = p;
		cut.n = n;
		r = parse(&cut, &mc);
		if (n < flags_end) {
			assert_int_equal(r, MQTT_NOT_CONNECT);
		} else {
			assert_int_equal(r, MQTT_CONNECT_PARTIAL);
			assert_true(mc.has_password);
			assert_false(mc.weak_password);
		}
	}
	assert_int_equal(parse(&p, &mc), MQTT_CONNECT_OK);
	assert_true(mc.weak_password);
}

static void test_http_basic(void **state)
{
	static const struct {
		const char *request;
		bool found, weak;
	} cases[] = {
		/* admin:admin (the user name), admin:1234 (a default), cam:Xy9-2qLm (neither). */
		{ "GET /cgi-bin/snap HTTP/1.1\r\nHost: cam\r\nAuthorization: Basic YWRtaW46YWRtaW4=\r\n\r\n",
		  true, true },
		{ "GET / HTTP/1.0\r\nauthorization:basic   YWRtaW46MTIzNA\r\n\r\n", true, true },
		{ "POST /api HTTP/1.1\r\nAuthorization: Basic Y2FtOlh5OS0ycUxt\r\n\r\n", true, false },
		/* user:"" (empty password). */
		{ "GET / HTTP/1.1\nAuthorization: Basic dXNlcjo=\n\n", true, true },
		/* Another scheme, no colon inside ("admin"), not base64, after the head, not HTTP. */
		{ "GET / HTTP/1.1\r\nAuthorization: Bearer abc.def\r\n\r\n", false, false },
		{ "GET / HTTP/1.1\r\nAuthorization: Basic YWRtaW4=\r\n\r\n", false, false },
		{ "GET / HTTP/1.1\r\nAuthorization: Basic ***\r\n\r\n", false, false },
		{ "GET / HTTP/1.1\r\n\r\nAuthorization: Basic YWRtaW46YWRtaW4=\r\n", false, false },
		{ "\x16\x03\x01Authorization: Basic YWRtaW46YWRtaW4=\r\n", false, false },
		/* Cut inside the header line: the capture ends before the line does. */
		{ "GET / HTTP/1.1\r\nAuthorization: Basic YWRtaW46YWRt", true, false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = strlen(cases[i].request);
		uint8_t *copy = malloc(n);
		struct http_basic hb;

		assert_non_null(copy);
		memcpy(copy, cases[i].request, n);
		http_basic_parse(copy, n, &hb);
		free(copy);
		if (hb.found != cases[i].found || hb.weak_password != cases[i].weak)
			fail_msg("case %zu: found %d weak %d", i, hb.found, hb.weak_password);
	}
	/* Every prefix of a request: never a read past it (ASan). */
	const char *r = cases[0].request;

	for (size_t n = 0; n <= strlen(r); n++) {
		uint8_t *copy = malloc(n ? n : 1);
		struct http_basic hb;

		assert_non_null(copy);
		memcpy(copy, r, n);
		http_basic_parse(copy, n, &hb);
		free(copy);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_logins),    cmocka_unit_test(test_v5),
		cmocka_unit_test(test_not_connect), cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_prefixes),  cmocka_unit_test(test_http_basic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
