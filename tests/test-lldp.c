/*
 * test-lldp.c - the LLDP reader of the device stage
 * (src/fingerprint-lldp.h), on LLDPDUs built here TLV by TLV after IEEE
 * 802.1AB and RFC 8520 10, hostile ones included: every prefix of a good
 * frame, headers and values cut off by the capture, a capabilities TLV
 * of the wrong size, repeats, values longer than kept.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fingerprint-lldp.h"

struct pdu {
	uint8_t b[2048];
	size_t n;
};

/* One TLV: the 7-bit type and 9-bit length header, then n bytes of value. */
static void tlv(struct pdu *p, unsigned type, const void *v, size_t n)
{
	assert_true(n <= 511 && p->n + 2 + n <= sizeof(p->b));
	p->b[p->n++] = (uint8_t)(type << 1 | n >> 8);
	p->b[p->n++] = (uint8_t)n;
	if (n > 0) /* End has no value: v may be NULL */
		memcpy(p->b + p->n, v, n);
	p->n += n;
}

static void tlv_text(struct pdu *p, unsigned type, const char *s)
{
	tlv(p, type, s, strlen(s));
}

/* An organisationally specific TLV (127): OUI, subtype, then the text. */
static void tlv_org(struct pdu *p, const uint8_t oui[3], uint8_t subtype, const char *s)
{
	uint8_t v[300];
	size_t n = strlen(s);

	assert_true(n + 4 <= sizeof(v));
	memcpy(v, oui, 3);
	v[3] = subtype;
	memcpy(v + 4, s, n);
	tlv(p, 127, v, n + 4);
}

static const uint8_t iana[3] = { 0x00, 0x00, 0x5e };
static const uint8_t ieee_8021[3] = { 0x00, 0x80, 0xc2 };

#define NAME "plc-line-3"
#define DESC "Siemens, SIMATIC S7, CPU 1516-3 PN/DP, FW: V2.9.4"
#define URL "https://mud.example.com/s7-1500.json"

/*
 * A PLC's frame: chassis id (MAC), port id, TTL, system name, system
 * description, capabilities (has bridge+station-only, enables
 * station-only: 0x0084 / 0x0080), an IEEE 802.1 TLV, the MUD URL, End.
 */
static void good(struct pdu *p)
{
	static const uint8_t chassis[] = { 4, 0x00, 0x1b, 0x1b, 0x12, 0x34, 0x56 };
	static const uint8_t ttl[] = { 0, 120 }, caps[] = { 0x00, 0x84, 0x00, 0x80 };

	memset(p, 0, sizeof(*p));
	tlv(p, 1, chassis, sizeof(chassis));
	tlv_text(p, 2, "\x07port-001");
	tlv(p, 3, ttl, sizeof(ttl));
	tlv_text(p, 5, NAME);
	tlv_text(p, 6, DESC);
	tlv(p, 7, caps, sizeof(caps));
	tlv_org(p, ieee_8021, 1, "\x00\x01");
	tlv_org(p, iana, 1, URL);
	tlv(p, 0, NULL, 0);
}

static void test_good(void **state)
{
	struct pdu p;
	struct lldp_info info;
	char caps[LLDP_CAPS_TEXT_SIZE];

	(void)state;
	good(&p);
	assert_int_equal(lldp_parse(p.b, p.n, &info), LLDP_OK);
	assert_string_equal(info.name, NAME);
	assert_int_equal(info.name_len, strlen(NAME));
	assert_string_equal(info.description, DESC);
	assert_string_equal(info.mud_url, URL);
	assert_true(info.has_caps);
	assert_int_equal(info.caps, 0x0084);
	assert_int_equal(info.enabled, 0x0080);
	assert_false(info.truncated_field);
	lldp_caps_text(info.enabled, caps, sizeof(caps));
	assert_string_equal(caps, "station-only");
	lldp_caps_text(info.caps, caps, sizeof(caps));
	assert_string_equal(caps, "bridge,station-only");
	/* Padding after End is not read. */
	p.b[p.n++] = 0xff;
	assert_int_equal(lldp_parse(p.b, p.n, &info), LLDP_OK);
	assert_string_equal(info.mud_url, URL);
}

static void test_caps_text(void **state)
{
	char buf[LLDP_CAPS_TEXT_SIZE], small[16];

	(void)state;
	lldp_caps_text(0, buf, sizeof(buf));
	assert_string_equal(buf, "");
	lldp_caps_text(0x0014, buf, sizeof(buf));
	assert_string_equal(buf, "bridge,router");
	lldp_caps_text(0x0020, buf, sizeof(buf));
	assert_string_equal(buf, "telephone");
	/* Every bit: the reserved ones by number, and it all fits. */
	lldp_caps_text(0xffff, buf, sizeof(buf));
	assert_string_equal(buf, "other,repeater,bridge,wlan-access-point,router,telephone,"
				 "docsis-cable,station-only,c-vlan,s-vlan,tpmr,bit11,bit12,bit13,"
				 "bit14,bit15");
	/* A small buffer stops before a name that does not fit whole. */
	lldp_caps_text(0x0014, small, 10);
	assert_string_equal(small, "bridge");
}

/* Each row: a PDU built by gen, the result, and what must hold of it. */
struct hostile {
	const char *name;
	void (*gen)(struct pdu *p);
	enum lldp_result want;
	const char *name_kept, *url_kept; /* NULL: nothing */
	bool has_caps, cut;
};

static void gen_header_cut(struct pdu *p)
{
	memset(p, 0, sizeof(*p));
	tlv_text(p, 5, "sw1");
	p->b[p->n++] = 0x0c; /* one byte of the next TLV's header */
}

static void gen_value_cut(struct pdu *p)
{
	memset(p, 0, sizeof(*p));
	tlv_text(p, 5, "sw1");
	tlv_text(p, 6, "description");
	p->n -= 3; /* the description's last 3 bytes are not captured */
}

static void gen_caps_3(struct pdu *p)
{
	static const uint8_t caps[] = { 0x00, 0x14, 0x00 };

	memset(p, 0, sizeof(*p));
	tlv(p, 7, caps, sizeof(caps));
	tlv_text(p, 5, "sw1");
}

static void gen_repeats(struct pdu *p)
{
	memset(p, 0, sizeof(*p));
	tlv_text(p, 5, "first");
	tlv_text(p, 5, "second");
	tlv_org(p, iana, 1, "https://a.example/1");
	tlv_org(p, iana, 1, "https://b.example/2");
}

static void gen_long_name(struct pdu *p)
{
	char name[301];

	memset(name, 'n', 300);
	name[300] = '\0';
	memset(p, 0, sizeof(*p));
	tlv_text(p, 5, name);
}

static void gen_other_orgs(struct pdu *p)
{
	memset(p, 0, sizeof(*p));
	tlv_org(p, ieee_8021, 1, "https://not.a.mud.url/");
	tlv_org(p, iana, 2, "https://not.subtype.1/");
	tlv(p, 127, iana, 3); /* an OUI and no subtype */
	tlv_org(p, iana, 1, "");
}

static void gen_no_end(struct pdu *p)
{
	memset(p, 0, sizeof(*p));
	tlv_text(p, 5, "sw1");
}

static void gen_empty(struct pdu *p)
{
	memset(p, 0, sizeof(*p));
}

static void gen_end_first(struct pdu *p)
{
	memset(p, 0, sizeof(*p));
	tlv(p, 0, NULL, 0);
	tlv_text(p, 5, "after-end");
}

static const struct hostile hostile[] = {
	{ "header cut", gen_header_cut, LLDP_TRUNCATED, "sw1", NULL, false, false },
	{ "value cut", gen_value_cut, LLDP_TRUNCATED, "sw1", NULL, false, false },
	{ "caps of 3 bytes", gen_caps_3, LLDP_BAD_VALUE, "sw1", NULL, false, false },
	{ "repeats keep the first", gen_repeats, LLDP_OK, "first", "https://a.example/1", false,
	  false },
	{ "name of 300", gen_long_name, LLDP_OK, NULL, NULL, false, true },
	{ "other OUIs and subtypes", gen_other_orgs, LLDP_OK, NULL, NULL, false, false },
	{ "no End", gen_no_end, LLDP_OK, "sw1", NULL, false, false },
	{ "empty", gen_empty, LLDP_OK, NULL, NULL, false, false },
	{ "End first", gen_end_first, LLDP_OK, NULL, NULL, false, false },
};

static void test_hostile(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		const struct hostile *h = &hostile[i];
		struct pdu p;
		struct lldp_info info;
		enum lldp_result r;
		uint8_t *copy;

		h->gen(&p);
		/* A heap copy of exactly n bytes, so that a read past it is caught. */
		copy = malloc(p.n ? p.n : 1);
		assert_non_null(copy);
		memcpy(copy, p.b, p.n);
		r = lldp_parse(copy, p.n, &info);
		free(copy);
		if (r != h->want)
			fail_msg("%s: result %s", h->name, lldp_result_name(r));
		if (h->name_kept != NULL)
			assert_string_equal(info.name, h->name_kept);
		else if (!h->cut)
			assert_int_equal(info.name_len, 0);
		if (h->url_kept != NULL)
			assert_string_equal(info.mud_url, h->url_kept);
		else
			assert_int_equal(info.mud_url_len, 0);
		assert_int_equal(info.has_caps, h->has_caps);
		assert_int_equal(info.truncated_field, h->cut);
		if (h->cut) {
			assert_int_equal(info.name_len, LLDP_TEXT_MAX);
			assert_int_equal(info.name[LLDP_TEXT_MAX], '\0');
		}
	}
}

/* Every prefix of the good frame: never a read past it, and only OK or TRUNCATED. */
static void test_prefixes(void **state)
{
	struct pdu p;

	(void)state;
	good(&p);
	for (size_t n = 0; n <= p.n; n++) {
		uint8_t *copy = malloc(n ? n : 1);
		struct lldp_info info;
		enum lldp_result r;

		assert_non_null(copy);
		memcpy(copy, p.b, n);
		r = lldp_parse(copy, n, &info);
		free(copy);
		assert_true(r == LLDP_OK || r == LLDP_TRUNCATED);
		assert_true(info.name_len <= LLDP_TEXT_MAX && info.name[info.name_len] == '\0');
		/* The MUD URL is whole or absent: a cut TLV keeps nothing. */
		assert_true(info.mud_url_len == 0 || strcmp(info.mud_url, URL) == 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_caps_text),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_prefixes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
