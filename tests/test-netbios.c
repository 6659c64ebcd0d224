/*
 * test-netbios.c - own host names from NetBIOS-NS and LLMNR messages,
 * built by hand (RFC 1002 4.2, RFC 4795), and hostile encodings.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fingerprint-netbios.h"

/* "GUNNAR" padded with spaces to 15, suffix 0x00, first-level encoded. */
static void encode(const char *name, uint8_t suffix, char out[33])
{
	uint8_t raw[16];

	memset(raw, ' ', 15);
	memcpy(raw, name, strlen(name));
	raw[15] = suffix;
	for (int i = 0; i < 16; i++) {
		out[2 * i] = (char)('A' + (raw[i] >> 4));
		out[2 * i + 1] = (char)('A' + (raw[i] & 15));
	}
	out[32] = '\0';
}

/* A NetBIOS-NS message: header with flags, one question of the encoded name. */
static size_t nbns(uint8_t *buf, uint16_t flags, uint16_t ancount, const char *name)
{
	char enc[33];
	size_t n = 0;

	encode(name, 0, enc);
	buf[n++] = 0x12; buf[n++] = 0x34;
	buf[n++] = (uint8_t)(flags >> 8); buf[n++] = (uint8_t)flags;
	buf[n++] = 0; buf[n++] = ancount ? 0 : 1; /* questions */
	buf[n++] = 0; buf[n++] = (uint8_t)ancount;
	buf[n++] = 0; buf[n++] = 0; buf[n++] = 0; buf[n++] = 0;
	buf[n++] = 32;
	memcpy(buf + n, enc, 32);
	n += 32;
	buf[n++] = 0;
	buf[n++] = 0; buf[n++] = 0x20; /* NB */
	buf[n++] = 0; buf[n++] = 1;    /* IN */
	if (ancount) { /* the answer record's TTL, rdlength 6, NB flags + address */
		static const uint8_t rr[] = { 0, 0, 0x0e, 0x10, 0, 6, 0, 0, 192, 168, 1, 28 };
		memcpy(buf + n, rr, sizeof(rr));
		n += sizeof(rr);
	}
	return n;
}

static size_t names_of(const uint8_t *msg, size_t len, bool netbios, char names[4][256])
{
	uint8_t *copy = malloc(len ? len : 1); /* exact size for ASan */
	size_t n;

	assert_non_null(copy);
	memcpy(copy, msg, len);
	n = netbios ? netbios_own_names(copy, len, names, 4) : llmnr_own_names(copy, len, names, 4);
	free(copy);
	return n;
}

static void test_registration_and_query(void **state)
{
	uint8_t buf[128];
	char names[4][256];
	size_t len;

	(void)state;
	/* Registration (opcode 5, RD, broadcast): the host's own name. */
	len = nbns(buf, 0x2910, 0, "DESKTOP-7K2M4QX");
	assert_int_equal(names_of(buf, len, true, names), 1);
	assert_string_equal(names[0], "DESKTOP-7K2M4QX");
	/* Refresh (opcode 8) too. */
	len = nbns(buf, 0x4010, 0, "GUNNAR");
	assert_int_equal(names_of(buf, len, true, names), 1);
	assert_string_equal(names[0], "GUNNAR");
	/* A query names someone else: nothing. */
	len = nbns(buf, 0x0110, 0, "PRINTER1");
	assert_int_equal(names_of(buf, len, true, names), 0);
	/* A positive answer is the owner speaking. */
	len = nbns(buf, 0x8500, 1, "NAS-01");
	assert_int_equal(names_of(buf, len, true, names), 1);
	assert_string_equal(names[0], "NAS-01");
}

static void test_decode_rules(void **state)
{
	char enc[64], out[NETBIOS_NAME_TEXT];

	(void)state;
	encode("A", 0x20, enc);
	assert_int_equal(netbios_decode(enc, out), 1);
	assert_string_equal(out, "A");
	strcpy(enc, "FEEFFDFECACACACACACACACACACACAAA.WORKGROUP");
	assert_int_equal(netbios_decode(enc, out), 4); /* "TEST" with a scope */
	assert_string_equal(out, "TEST");
	strcpy(enc, "FEEFFDFECACACACACACACACACACACAAQ"); /* 'Q' is not a nibble */
	assert_int_equal(netbios_decode(enc, out), -1);
	strcpy(enc, "FEEFFDFEEF"); /* short */
	assert_int_equal(netbios_decode(enc, out), -1);
	strcpy(enc, "CKAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"); /* "*" then NULs: no name */
	assert_int_equal(netbios_decode(enc, out), -1);
	strcpy(enc, "FEEFFDFECACACACACACACACACACACAAAX"); /* a 33rd letter */
	assert_int_equal(netbios_decode(enc, out), -1);
}

static void test_llmnr(void **state)
{
	/* LLMNR response for "nas" with an A record (RFC 4795 uses DNS format). */
	static const uint8_t resp[] = {
		0xab, 0xcd, 0x80, 0x00, 0, 1, 0, 1, 0, 0, 0, 0,
		3, 'n', 'a', 's', 0, 0, 1, 0, 1,
		0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4, 192, 168, 1, 40,
	};
	uint8_t query[sizeof(resp)];
	char names[4][256];

	(void)state;
	assert_int_equal(names_of(resp, sizeof(resp), false, names), 1);
	assert_string_equal(names[0], "nas");
	memcpy(query, resp, sizeof(resp));
	query[2] = 0; /* QR clear: a query */
	assert_int_equal(names_of(query, sizeof(query), false, names), 0);
}

/* Every truncation of a good message parses without reading past it. */
static void test_prefixes(void **state)
{
	uint8_t buf[128];
	char names[4][256];
	size_t len = nbns(buf, 0x2910, 0, "DESKTOP-7K2M4QX");

	(void)state;
	for (size_t i = 0; i < len; i++)
		assert_int_equal(names_of(buf, i, true, names), 0);
	assert_int_equal(names_of(buf, len, true, names), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registration_and_query),
		cmocka_unit_test(test_decode_rules),
		cmocka_unit_test(test_llmnr),
		cmocka_unit_test(test_prefixes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
