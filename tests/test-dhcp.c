/*
 * test-dhcp.c - unit tests for the DHCPv4 parser (src/fingerprint-dhcp.c).
 *
 * Messages are written out by hand: the first 44 bytes of the fixed
 * header (op .. chaddr) as hex, the sname and file fields zero-filled,
 * the cookie, then the options as hex with the expected values worked
 * out in comments.  In the hex, 'text' stands for its ASCII bytes and
 * "xx*n" for n bytes of xx.  Offsets count from the start of the UDP
 * payload; the options field starts at 240.
 *
 * Each message is copied into a heap buffer of exactly its size before
 * parsing, so that AddressSanitizer catches a one-byte over-read.
 *
 * Four groups: good messages checked field by field, every truncation of
 * the fixed header, a table of odd and hostile messages (each with the
 * result it must give and what it must still have kept), and a sweep
 * over every prefix of all of them checking the parser's promises.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fingerprint-dhcp.h"

/* ------------------------------------------------------------ helpers */

#define MSG_MAX 100000 /* room for the largest generated message */
#define FIXED_LEN 44   /* op .. chaddr */
#define SNAME_LEN 64
#define FILE_LEN 128
#define OPTIONS_OFF 240
#define COOKIE "63825363"

struct buf {
	uint8_t b[MSG_MAX];
	size_t len;
};

/* A test message; NULL parts take the defaults below. */
struct msg {
	const char *fixed;  /* op .. chaddr, exactly 44 bytes; NULL: CLIENT */
	const char *sname;  /* zero-filled to 64 bytes */
	const char *file;   /* zero-filled to 128 bytes */
	const char *cookie; /* NULL: 63825363 */
	const char *opts;   /* the options field */
	void (*gen)(struct buf *m); /* appends more options after opts */
	bool has_cut;               /* keep only the first `cut` bytes */
	size_t cut;
};

#define CUT(n) .has_cut = true, .cut = (n)

static void put(struct buf *m, uint8_t v)
{
	assert_true(m->len < MSG_MAX);
	m->b[m->len++] = v;
}

/* Spaced hex; 'text' is copied as is; "xx*n" is n bytes of xx. */
static void put_hex(struct buf *m, const char *hex)
{
	for (const char *s = hex; *s != '\0';) {
		unsigned byte = 0;
		unsigned long count = 1;

		if (*s == ' ') {
			s++;
			continue;
		}
		if (*s == '\'') {
			for (s++; *s != '\''; s++) {
				assert_true(*s != '\0');
				put(m, (uint8_t)*s);
			}
			s++;
			continue;
		}
		assert_true(isxdigit((unsigned char)s[0]) && isxdigit((unsigned char)s[1]) &&
			    sscanf(s, "%2x", &byte) == 1);
		s += 2;
		if (*s == '*') {
			char *end;

			count = strtoul(s + 1, &end, 10);
			s = end;
		}
		while (count-- > 0)
			put(m, (uint8_t)byte);
	}
}

/* A field of the fixed header: the hex, then zeros up to its size. */
static void put_field(struct buf *m, const char *hex, size_t size)
{
	size_t start = m->len;

	if (hex != NULL)
		put_hex(m, hex);
	assert_true(m->len - start <= size);
	while (m->len - start < size)
		put(m, 0);
}

/*
 * A DHCP client, 00:11:22:33:44:55: op 1 (0), htype 1 (1), hlen 6 (2),
 * xid 3903f326 (4-7), broadcast flag (10-11), no addresses yet, chaddr
 * at 28 padded to 16 bytes.
 */
#define MAC_PC "001122334455"
#define HDR(op, flags, yiaddr, siaddr, mac) \
	op " 01 06 00 3903f326 0000 " flags " 00000000 " yiaddr " " siaddr " 00000000 " mac " 00*10"
#define CLIENT HDR("01", "8000", "00000000", "00000000", MAC_PC)

static void build(const struct msg *spec, struct buf *m)
{
	m->len = 0;
	put_hex(m, spec->fixed != NULL ? spec->fixed : CLIENT);
	assert_int_equal(m->len, FIXED_LEN);
	put_field(m, spec->sname, SNAME_LEN);
	put_field(m, spec->file, FILE_LEN);
	put_hex(m, spec->cookie != NULL ? spec->cookie : COOKIE);
	if (spec->opts != NULL)
		put_hex(m, spec->opts);
	if (spec->gen != NULL)
		spec->gen(m);
	if (spec->has_cut) {
		assert_true(spec->cut <= m->len);
		m->len = spec->cut;
	}
}

/* Parses bytes[0..len) from a heap copy of exactly that size. */
static enum dhcp_result parse_copy(const uint8_t *bytes, size_t len, struct dhcp_info *d)
{
	uint8_t *copy = malloc(len);
	enum dhcp_result r;

	assert_true(copy != NULL || len == 0);
	if (len > 0)
		memcpy(copy, bytes, len);
	r = dhcp_parse(copy, len, d);
	free(copy);
	return r;
}

/* The code list as text, worked out independently of the parser. */
static void codes_text(const uint8_t *codes, size_t n, char *dst, size_t size)
{
	size_t at = 0;

	dst[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(dst + at, size - at, i == 0 ? "%u" : ",%u", (unsigned)codes[i]);

		assert_true(w > 0 && (size_t)w < size - at);
		at += (size_t)w;
	}
}

static bool all_zero(const struct dhcp_info *d)
{
	static const struct dhcp_info zero;

	return memcmp(d, &zero, sizeof(zero)) == 0;
}

/* What must hold after any parse, good or bad. */
static void check_invariants(const struct dhcp_info *d, enum dhcp_result r)
{
	char prl[DHCP_CODE_TEXT_SIZE(DHCP_PRL_MAX)];

	assert_true((unsigned)r < DHCP_RESULT_MAX);
	assert_true(d->hostname_len <= DHCP_NAME_MAX);
	assert_int_equal(d->hostname[d->hostname_len], '\0');
	assert_true(d->vendor_class_len <= DHCP_VENDOR_MAX);
	assert_int_equal(d->vendor_class[d->vendor_class_len], '\0');
	assert_true(d->fqdn_len <= DHCP_FQDN_MAX);
	assert_int_equal(d->fqdn[d->fqdn_len], '\0');
	assert_true(d->has_fqdn || (d->fqdn_len == 0 && d->fqdn_flags == 0));
	assert_true(d->mud_url_len <= DHCP_MUD_URL_MAX);
	assert_int_equal(d->mud_url[d->mud_url_len], '\0');
	assert_true(d->prl_len <= DHCP_PRL_MAX);
	assert_non_null(memchr(d->options_order, '\0', sizeof(d->options_order)));
	codes_text(d->prl, d->prl_len, prl, sizeof(prl));
	assert_string_equal(d->prl_text, prl);
	if (r == DHCP_NOT_DHCP || r == DHCP_TRUNCATED)
		assert_true(all_zero(d));
	else
		assert_true(d->op == 1 || d->op == 2);
}

static enum dhcp_result run(const struct msg *spec, struct dhcp_info *d)
{
	static struct buf m;
	enum dhcp_result r;

	build(spec, &m);
	r = parse_copy(m.b, m.len, d);
	check_invariants(d, r);
	return r;
}

/* Compares bytes with the hex spelling of what they should be. */
static void assert_bytes(const uint8_t *got, const char *hex)
{
	static struct buf want;

	want.len = 0;
	put_hex(&want, hex);
	assert_memory_equal(got, want.b, want.len);
}

#define EXPECT_EQ(name, got, want)                                                       \
	do {                                                                             \
		if ((uint64_t)(got) != (uint64_t)(want))                                 \
			fail_msg("case \"%s\": %s is %llu, want %llu", (name), #got,     \
				 (unsigned long long)(got), (unsigned long long)(want)); \
	} while (0)

#define EXPECT_STR(name, got, want)                                                    \
	do {                                                                           \
		if (strcmp((got), (want)) != 0)                                        \
			fail_msg("case \"%s\": %s is \"%s\", want \"%s\"", (name), #got, \
				 (got), (want));                                       \
	} while (0)

/* ------------------------------------------------------ good messages */

/*
 * Windows-like DISCOVER, 290 bytes.  Options at 240:
 *   240 35 01 01                53 DISCOVER
 *   243 3d 07 01 MAC            61 client id, hardware type 1
 *   252 0c 09 'DESKTOP-1'       12 host name, 9 bytes
 *   263 3c 08 'MSFT 5.0'        60 vendor class, 8 bytes
 *   273 37 0e ...               55, 14 codes: 1 3 6 15 31 33 43 44 46 47
 *                               119 121 249 252
 *   289 ff                      end
 */
#define DISCOVER_OPTS                                                  \
	"35 01 01" "3d 07 01" MAC_PC "0c 09 'DESKTOP-1'" "3c 08 'MSFT 5.0'" \
	"37 0e 01 03 06 0f 1f 21 2b 2c 2e 2f 77 79 f9 fc" "ff"
static const struct msg discover = { .opts = DISCOVER_OPTS };

/*
 * Android REQUEST from a4:c3:f0:11:22:33, 310 bytes; secs 3 (8-9), no
 * broadcast flag.  Options at 240:
 *   240 35 01 03                53 REQUEST
 *   243 3d 07 01 MAC            61
 *   252 32 04 c0a8010a          50 requested 192.168.1.10
 *   258 36 04 c0a80101          54 server 192.168.1.1
 *   264 39 02 05dc              57 max size 1500
 *   268 3c 0f 'android-dhcp-13' 60, 15 bytes
 *   285 0c 0a 'Galaxy-S23'      12, 10 bytes
 *   297 37 0a ...               55, 10 codes: 1 3 6 15 26 28 51 58 59 43
 *   309 ff
 */
#define MAC_ANDROID "a4c3f0112233"
static const struct msg android_request = {
	.fixed = "01 01 06 00 5a1b2c3d 0003 0000 00000000 00000000 00000000 00000000"
		 MAC_ANDROID "00*10",
	.opts = "35 01 03" "3d 07 01" MAC_ANDROID "32 04 c0a8010a" "36 04 c0a80101"
		"39 02 05dc" "3c 0f 'android-dhcp-13'" "0c 0a 'Galaxy-S23'"
		"37 0a 01 03 06 0f 1a 1c 33 3a 3b 2b" "ff",
};

/*
 * ESP32 (lwIP/udhcp-style) REQUEST from 24:0a:c4:12:34:56.  Options:
 * 53 REQUEST; 61; 50 192.168.1.20 (c0a80114); 57 576 (0240);
 * 60 'udhcp 1.30.1' (12 bytes); 12 'espressif' (9); 55 1 3 6 12 15 28 42.
 */
#define MAC_ESP "240ac4123456"
static const struct msg esp_request = {
	.fixed = HDR("01", "0000", "00000000", "00000000", MAC_ESP),
	.opts = "35 01 03" "3d 07 01" MAC_ESP "32 04 c0a80114" "39 02 0240"
		"3c 0c 'udhcp 1.30.1'" "0c 09 'espressif'" "37 07 01 03 06 0c 0f 1c 2a" "ff",
};

/*
 * ACK to the DISCOVER client: op 2, yiaddr 192.168.1.10 (16-19), siaddr
 * 192.168.1.1 (20-23).  Options: 53 ACK (5); 54 192.168.1.1; 51 lease
 * 86400 s; 1 netmask; 3 router; 6 DNS; 15 domain 'lan'.
 */
static const struct msg ack = {
	.fixed = HDR("02", "8000", "c0a8010a", "c0a80101", MAC_PC),
	.opts = "35 01 05" "36 04 c0a80101" "33 04 00015180" "01 04 ffffff00"
		"03 04 c0a80101" "06 04 c0a80101" "0f 03 'lan'" "ff",
};

/* DISCOVER asking for options 1 .. 60 (37 3c at 243). */
static const struct msg prl60 = {
	.opts = "35 01 01" "37 3c"
		"01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14"
		"15 16 17 18 19 1a 1b 1c 1d 1e 1f 20 21 22 23 24 25 26 27 28"
		"29 2a 2b 2c 2d 2e 2f 30 31 32 33 34 35 36 37 38 39 3a 3b 3c" "ff",
};

/*
 * Option 81 with S and E (flags 05) and RCODEs 0: the wire name
 * 06 'laptop' 07 'example' 03 'com' 00 is 20 bytes, so the option is
 * 23 (0x17) long.
 */
static const struct msg fqdn_wire = {
	.opts = "35 01 03" "51 17 05 00 00 06 'laptop' 07 'example' 03 'com' 00" "ff",
};

/* Option 81 with only S (flags 01): 'laptop.lan' as ASCII, 3 + 10 = 13 bytes. */
static const struct msg fqdn_ascii = {
	.opts = "35 01 03" "51 0d 01 00 00 'laptop.lan'" "ff",
};

/*
 * Option 161 (a1), RFC 8520: 'https://mud.example.com/cam-1.2' is 8 + 15 +
 * 8 = 31 (0x1f) bytes; sent whole, then in two pieces of 16 and 15 that
 * RFC 3396 joins.
 */
static const struct msg mud_url = {
	.opts = "35 01 03" "a1 1f 'https://mud.example.com/cam-1.2'" "ff",
};
static const struct msg mud_url_split = {
	.opts = "35 01 03" "a1 10 'https://mud.exam'" "a1 0f 'ple.com/cam-1.2'" "ff",
};

static const struct msg *const good_msgs[] = {
	&discover, &android_request, &esp_request, &ack, &prl60, &fqdn_wire, &fqdn_ascii,
	&mud_url, &mud_url_split,
};

#define N_GOOD (sizeof(good_msgs) / sizeof(good_msgs[0]))

static void test_discover(void **state)
{
	struct dhcp_info d;

	(void)state;
	assert_int_equal(run(&discover, &d), DHCP_OK);
	assert_int_equal(d.op, 1);
	assert_int_equal(d.msg_type, 1);
	assert_true(d.has_chaddr);
	assert_bytes(d.chaddr, MAC_PC);
	assert_bytes(d.ciaddr, "00000000");
	assert_bytes(d.yiaddr, "00000000");
	assert_false(d.has_requested_ip);
	assert_false(d.has_server_id);
	assert_false(d.has_max_msg_size);
	assert_int_equal(d.hostname_len, 9);
	assert_string_equal(d.hostname, "DESKTOP-1");
	assert_int_equal(d.vendor_class_len, 8);
	assert_string_equal(d.vendor_class, "MSFT 5.0");
	assert_int_equal(d.prl_len, 14);
	assert_bytes(d.prl, "01 03 06 0f 1f 21 2b 2c 2e 2f 77 79 f9 fc");
	assert_string_equal(d.prl_text, "1,3,6,15,31,33,43,44,46,47,119,121,249,252");
	assert_string_equal(d.options_order, "53,61,12,60,55");
	assert_false(d.has_fqdn);
	assert_false(d.truncated_field);
}

static void test_android_request(void **state)
{
	struct dhcp_info d;

	(void)state;
	assert_int_equal(run(&android_request, &d), DHCP_OK);
	assert_int_equal(d.op, 1);
	assert_int_equal(d.msg_type, 3);
	assert_bytes(d.chaddr, MAC_ANDROID);
	assert_true(d.has_requested_ip);
	assert_bytes(d.requested_ip, "c0a8010a");
	assert_true(d.has_server_id);
	assert_bytes(d.server_id, "c0a80101");
	assert_true(d.has_max_msg_size);
	assert_int_equal(d.max_msg_size, 1500);
	assert_int_equal(d.vendor_class_len, 15);
	assert_string_equal(d.vendor_class, "android-dhcp-13");
	assert_int_equal(d.hostname_len, 10);
	assert_string_equal(d.hostname, "Galaxy-S23");
	assert_string_equal(d.prl_text, "1,3,6,15,26,28,51,58,59,43");
	assert_string_equal(d.options_order, "53,61,50,54,57,60,12,55");
	assert_false(d.truncated_field);
}

static void test_esp_request(void **state)
{
	struct dhcp_info d;

	(void)state;
	assert_int_equal(run(&esp_request, &d), DHCP_OK);
	assert_int_equal(d.msg_type, 3);
	assert_bytes(d.chaddr, MAC_ESP);
	assert_bytes(d.requested_ip, "c0a80114");
	assert_false(d.has_server_id);
	assert_int_equal(d.max_msg_size, 576);
	assert_int_equal(d.vendor_class_len, 12);
	assert_string_equal(d.vendor_class, "udhcp 1.30.1");
	assert_string_equal(d.hostname, "espressif");
	assert_string_equal(d.prl_text, "1,3,6,12,15,28,42");
	assert_string_equal(d.options_order, "53,61,50,57,60,12,55");
}

static void test_ack(void **state)
{
	struct dhcp_info d;

	(void)state;
	assert_int_equal(run(&ack, &d), DHCP_OK);
	assert_int_equal(d.op, 2);
	assert_int_equal(d.msg_type, 5);
	assert_bytes(d.yiaddr, "c0a8010a");
	assert_bytes(d.siaddr, "c0a80101");
	assert_bytes(d.ciaddr, "00000000");
	assert_true(d.has_server_id);
	assert_bytes(d.server_id, "c0a80101");
	assert_false(d.has_requested_ip);
	assert_int_equal(d.prl_len, 0);
	assert_string_equal(d.prl_text, "");
	assert_int_equal(d.hostname_len, 0);
	assert_string_equal(d.options_order, "53,54,51,1,3,6,15");
}

/* 60 codes: 9 one-digit, 51 two-digit, 59 commas = 170 characters. */
static void test_prl_longer_than_ndpi(void **state)
{
	struct dhcp_info d;

	(void)state;
	assert_int_equal(run(&prl60, &d), DHCP_OK);
	assert_int_equal(d.prl_len, 60);
	assert_string_equal(d.prl_text,
			    "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,"
			    "21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,"
			    "41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60");
	assert_int_equal(strlen(d.prl_text), 170);
	assert_false(d.truncated_field);
}

static void test_fqdn(void **state)
{
	struct dhcp_info d;

	(void)state;
	assert_int_equal(run(&fqdn_wire, &d), DHCP_OK);
	assert_true(d.has_fqdn);
	assert_int_equal(d.fqdn_flags, DHCP_FQDN_FLAG_S | DHCP_FQDN_FLAG_E);
	assert_int_equal(d.fqdn_len, 18);
	assert_string_equal(d.fqdn, "laptop.example.com");
	assert_string_equal(d.options_order, "53,81");

	assert_int_equal(run(&fqdn_ascii, &d), DHCP_OK);
	assert_true(d.has_fqdn);
	assert_int_equal(d.fqdn_flags, DHCP_FQDN_FLAG_S);
	assert_int_equal(d.fqdn_len, 10);
	assert_string_equal(d.fqdn, "laptop.lan");
}

static void test_mud_url(void **state)
{
	struct dhcp_info d;

	(void)state;
	assert_int_equal(run(&mud_url, &d), DHCP_OK);
	assert_int_equal(d.mud_url_len, 31);
	assert_string_equal(d.mud_url, "https://mud.example.com/cam-1.2");
	assert_string_equal(d.options_order, "53,161");
	assert_int_equal(run(&mud_url_split, &d), DHCP_OK);
	assert_int_equal(d.mud_url_len, 31);
	assert_string_equal(d.mud_url, "https://mud.example.com/cam-1.2");
	assert_string_equal(d.options_order, "53,161,161");
	assert_false(d.truncated_field);
	/* A DISCOVER without it has none. */
	assert_int_equal(run(&discover, &d), DHCP_OK);
	assert_int_equal(d.mud_url_len, 0);
}

static void test_result_names(void **state)
{
	struct dhcp_info d;

	(void)state;
	assert_string_equal(dhcp_result_name(DHCP_OK), "dhcp.ok");
	assert_string_equal(dhcp_result_name(DHCP_NOT_DHCP), "dhcp.not_dhcp");
	assert_string_equal(dhcp_result_name(DHCP_TRUNCATED), "dhcp.truncated");
	assert_string_equal(dhcp_result_name(DHCP_BAD_OPTION), "dhcp.bad_option");
	assert_string_equal(dhcp_result_name(DHCP_BAD_VALUE), "dhcp.bad_value");
	assert_string_equal(dhcp_result_name(DHCP_RESULT_MAX), "dhcp.unknown");
	assert_string_equal(dhcp_result_name((enum dhcp_result)-1), "dhcp.unknown");
	/* No payload at all. */
	assert_int_equal(dhcp_parse(NULL, 0, &d), DHCP_TRUNCATED);
	assert_true(all_zero(&d));
}

/* --------------------------------------------- fixed-header truncation */

/* Every length short of the cookie's last byte, and then the first that is whole. */
static void test_fixed_header_truncation(void **state)
{
	static struct buf m;
	struct dhcp_info d;

	(void)state;
	build(&(struct msg){ .opts = "" }, &m);
	assert_int_equal(m.len, OPTIONS_OFF);
	for (size_t cut = 0; cut < OPTIONS_OFF; cut++) {
		enum dhcp_result r = parse_copy(m.b, cut, &d);

		if (r != DHCP_TRUNCATED)
			fail_msg("cut %zu: %s", cut, dhcp_result_name(r));
		assert_true(all_zero(&d));
	}
	/* Exactly the header and cookie: a message with no options. */
	assert_int_equal(parse_copy(m.b, OPTIONS_OFF, &d), DHCP_OK);
	assert_int_equal(d.msg_type, 0);
	assert_string_equal(d.options_order, "");
}

/* ------------------------------------------ odd and hostile messages */

/* Appends 0c ff and 255 bytes 'a'..'z', 'a'..: a host name of 255 bytes. */
static void gen_hostname_255(struct buf *m)
{
	put_hex(m, "0c ff");
	for (int i = 0; i < 255; i++)
		put(m, (uint8_t)('a' + i % 26));
}

/* 37 ff and the codes 1 .. 255. */
static void gen_prl_255(struct buf *m)
{
	put_hex(m, "37 ff");
	for (int i = 1; i <= 255; i++)
		put(m, (uint8_t)i);
}

/* Two option 55s of codes 1 .. 200 each: 400 codes concatenated. */
static void gen_prl_2x200(struct buf *m)
{
	for (int n = 0; n < 2; n++) {
		put_hex(m, "37 c8");
		for (int i = 1; i <= 200; i++)
			put(m, (uint8_t)i);
	}
}

/* 300 host names of 255 'h' each: 77,100 bytes of options. */
static void gen_hostname_300x(struct buf *m)
{
	for (int n = 0; n < 300; n++)
		put_hex(m, "0c ff 68*255");
}

/* 400 zero-length vendor classes: 400 codes for options_order. */
static void gen_vendor_400x_empty(struct buf *m)
{
	for (int n = 0; n < 400; n++)
		put_hex(m, "3c 00");
}

/*
 * A wire name of 257 octets in two pieces of option 81, over the 255 of
 * RFC 1035: 3 flag/RCODE bytes and three 63-byte labels (192) and one
 * of 59 (60) fill the first piece's 255; 03 'com' 00 is the second.
 */
static void gen_fqdn_wire_257(struct buf *m)
{
	put_hex(m, "51 ff 04 00 00 3f 61*63 3f 62*63 3f 63*63 3b 64*59");
	put_hex(m, "51 05 03 'com' 00");
}

/* An ASCII name of 252 + 10 = 262 bytes in two pieces: cut to 255. */
static void gen_fqdn_ascii_262(struct buf *m)
{
	put_hex(m, "51 ff 00 00 00 78*252");
	put_hex(m, "51 0a 79*10");
}

/* A MUD URL of 255 + 5 = 260 bytes in two pieces of option 161: cut to 255. */
static void gen_mud_url_260(struct buf *m)
{
	put_hex(m, "a1 ff 'https://' 61*247");
	put_hex(m, "a1 05 62*5");
}

/*
 * A 196-byte wire name of three labels of 63 dots each: 126 characters
 * of text per label once escaped.  Two labels and the dot between them
 * make 253; the third label's separator and first escape (3 more) do
 * not fit in 255.
 */
static void gen_fqdn_dots(struct buf *m)
{
	put_hex(m, "51 c4 04 00 00 3f 2e*63 3f 2e*63 3f 2e*63 00");
}

/* ---- checks for single rows */

static void check_msg_type_1(const char *name, const struct dhcp_info *d)
{
	EXPECT_EQ(name, d->msg_type, 1);
}

static void check_no_msg_type(const char *name, const struct dhcp_info *d)
{
	EXPECT_EQ(name, d->msg_type, 0);
}

static void check_empty_strings(const char *name, const struct dhcp_info *d)
{
	EXPECT_EQ(name, d->hostname_len, 0);
	EXPECT_EQ(name, d->vendor_class_len, 0);
	EXPECT_EQ(name, d->prl_len, 0);
}

static void check_no_fqdn(const char *name, const struct dhcp_info *d)
{
	EXPECT_EQ(name, d->has_fqdn, 0);
	EXPECT_EQ(name, d->fqdn_len, 0);
}

static void check_no_requested_ip(const char *name, const struct dhcp_info *d)
{
	EXPECT_EQ(name, d->has_requested_ip, 0);
}

static void check_no_server_id(const char *name, const struct dhcp_info *d)
{
	EXPECT_EQ(name, d->has_server_id, 0);
}

static void check_no_max_size(const char *name, const struct dhcp_info *d)
{
	EXPECT_EQ(name, d->has_max_msg_size, 0);
}

/* 32 02 c0a8 and 32 02 010a are one option 50 (RFC 3396). */
static void check_split_requested_ip(const char *name, const struct dhcp_info *d)
{
	EXPECT_EQ(name, d->has_requested_ip, 1);
	EXPECT_EQ(name, memcmp(d->requested_ip, "\xc0\xa8\x01\x0a", 4), 0);
}

static void check_control_bytes(const char *name, const struct dhcp_info *d)
{
	EXPECT_EQ(name, d->hostname_len, 5);
	EXPECT_EQ(name, memcmp(d->hostname, "a\0b\nc", 6), 0);
}

static void check_hostname_cut(const char *name, const struct dhcp_info *d)
{
	EXPECT_EQ(name, d->hostname_len, DHCP_NAME_MAX);
	EXPECT_STR(name, d->hostname,
		   "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl");
}

static void check_hostname_64(const char *name, const struct dhcp_info *d)
{
	EXPECT_EQ(name, d->hostname_len, 64);
}

static void check_vendor_cut(const char *name, const struct dhcp_info *d)
{
	EXPECT_EQ(name, d->vendor_class_len, DHCP_VENDOR_MAX);
	EXPECT_EQ(name, d->vendor_class[DHCP_VENDOR_MAX - 1], 'v');
}

/* 1 .. 255: 9 + 90 * 2 + 156 * 3 = 657 digits and 254 commas = 911. */
static void check_prl_255(const char *name, const struct dhcp_info *d)
{
	EXPECT_EQ(name, d->prl_len, 255);
	EXPECT_EQ(name, strlen(d->prl_text), 911);
	EXPECT_EQ(name, strncmp(d->prl_text, "1,2,3,", 6), 0);
	EXPECT_STR(name, d->prl_text + 911 - 11, "253,254,255");
}

/* 200 codes and then 55 of the second list: 1 .. 55. */
static void check_prl_400_cut(const char *name, const struct dhcp_info *d)
{
	EXPECT_EQ(name, d->prl_len, 255);
	EXPECT_EQ(name, d->prl[199], 200);
	EXPECT_EQ(name, d->prl[200], 1);
	EXPECT_EQ(name, d->prl[254], 55);
}

static void check_prl_split(const char *name, const struct dhcp_info *d)
{
	EXPECT_STR(name, d->prl_text, "1,3,6,15");
}

/* 255 "12," less the last comma: 764 characters. */
static void check_order_cap(const char *name, const struct dhcp_info *d)
{
	EXPECT_EQ(name, strlen(d->options_order), 255 * 3 - 1);
}

static void check_hostname_300x(const char *name, const struct dhcp_info *d)
{
	check_order_cap(name, d);
	EXPECT_EQ(name, d->hostname_len, DHCP_NAME_MAX);
	EXPECT_EQ(name, d->hostname[0], 'h');
	EXPECT_EQ(name, d->hostname[DHCP_NAME_MAX - 1], 'h');
}

static void check_overload_both(const char *name, const struct dhcp_info *d)
{
	EXPECT_STR(name, d->hostname, "file");
	EXPECT_STR(name, d->vendor_class, "sname");
	EXPECT_EQ(name, d->msg_type, 1);
}

static void check_hostname_hi(const char *name, const struct dhcp_info *d)
{
	EXPECT_STR(name, d->hostname, "hi");
	EXPECT_EQ(name, d->vendor_class_len, 0);
}

static void check_end_in_file(const char *name, const struct dhcp_info *d)
{
	EXPECT_STR(name, d->hostname, "hi");
	EXPECT_STR(name, d->vendor_class, "yes");
}

static void check_fqdn_escaped(const char *name, const struct dhcp_info *d)
{
	EXPECT_EQ(name, d->has_fqdn, 1);
	EXPECT_STR(name, d->fqdn, "a\\.b.lan");
}

static void check_fqdn_partial(const char *name, const struct dhcp_info *d)
{
	EXPECT_EQ(name, d->has_fqdn, 1);
	EXPECT_STR(name, d->fqdn, "laptop");
}

static void check_fqdn_root_only(const char *name, const struct dhcp_info *d)
{
	EXPECT_EQ(name, d->has_fqdn, 1);
	EXPECT_EQ(name, d->fqdn_flags, DHCP_FQDN_FLAG_E);
	EXPECT_STR(name, d->fqdn, ".");
}

/* A NUL in a label is written as four characters; the text holds no NUL. */
static void check_fqdn_nul(const char *name, const struct dhcp_info *d)
{
	EXPECT_EQ(name, d->has_fqdn, 1);
	EXPECT_EQ(name, d->fqdn_len, 6);
	EXPECT_STR(name, d->fqdn, "a\\000b");
}

/* With E clear the name is bytes as sent: the NUL stays a NUL. */
static void check_fqdn_ascii_nul(const char *name, const struct dhcp_info *d)
{
	EXPECT_EQ(name, d->has_fqdn, 1);
	EXPECT_EQ(name, d->fqdn_len, 3);
	EXPECT_EQ(name, memcmp(d->fqdn, "a\0b", 4), 0);
}

static void check_fqdn_ascii_cut(const char *name, const struct dhcp_info *d)
{
	EXPECT_EQ(name, d->has_fqdn, 1);
	EXPECT_EQ(name, d->fqdn_len, DHCP_FQDN_MAX);
	EXPECT_EQ(name, d->fqdn[251], 'x');
	EXPECT_EQ(name, d->fqdn[252], 'y');
}

static void check_mud_url_cut(const char *name, const struct dhcp_info *d)
{
	EXPECT_EQ(name, d->mud_url_len, DHCP_MUD_URL_MAX);
	EXPECT_EQ(name, memcmp(d->mud_url, "https://", 8), 0);
	EXPECT_EQ(name, d->mud_url[254], 'a');
}

static void check_no_mud_url(const char *name, const struct dhcp_info *d)
{
	EXPECT_EQ(name, d->mud_url_len, 0);
}

static void check_fqdn_dots_cut(const char *name, const struct dhcp_info *d)
{
	EXPECT_EQ(name, d->has_fqdn, 1);
	EXPECT_EQ(name, d->fqdn_len, 253);
	EXPECT_EQ(name, d->fqdn[126], '.');
	EXPECT_EQ(name, d->fqdn[251], '\\');
	EXPECT_EQ(name, d->fqdn[252], '.');
}

static void check_not_ethernet(const char *name, const struct dhcp_info *d)
{
	EXPECT_EQ(name, d->has_chaddr, 0);
	EXPECT_EQ(name, d->chaddr[0], 0);
}

/*
 * Each row: the message, the result dhcp_parse() must return, whether
 * truncated_field must be set, the options_order it must have kept (NULL:
 * not checked) and an optional check of other fields.
 */
struct hostile_case {
	const char *name;
	struct msg m;
	enum dhcp_result want;
	bool truncated;
	const char *order;
	void (*check)(const char *name, const struct dhcp_info *d);
};

#define OK DHCP_OK
#define NOT DHCP_NOT_DHCP
#define TRUNC DHCP_TRUNCATED
#define BADOPT DHCP_BAD_OPTION
#define BADVAL DHCP_BAD_VALUE

static const struct hostile_case hostile[] = {
	/* The fixed header and cookie cut short (every cut: test_fixed_header_truncation). */
	{ "empty", { .opts = DISCOVER_OPTS, CUT(0) }, TRUNC, false, "", NULL },
	{ "op only", { .opts = DISCOVER_OPTS, CUT(1) }, TRUNC, false, "", NULL },
	{ "cut in chaddr", { .opts = DISCOVER_OPTS, CUT(40) }, TRUNC, false, "", NULL },
	{ "cut before file", { .opts = DISCOVER_OPTS, CUT(108) }, TRUNC, false, "", NULL },
	{ "no cookie bytes", { .opts = DISCOVER_OPTS, CUT(236) }, TRUNC, false, "", NULL },
	{ "cookie 3 bytes", { .opts = DISCOVER_OPTS, CUT(239) }, TRUNC, false, "", NULL },
	/* Not DHCP. */
	{ "cookie zero", { .cookie = "00000000", .opts = DISCOVER_OPTS }, NOT, false, "", NULL },
	{ "cookie swapped", { .cookie = "63538263", .opts = DISCOVER_OPTS }, NOT, false, "", NULL },
	{ "cookie off by one", { .cookie = "63825364", .opts = DISCOVER_OPTS }, NOT, false, "",
	  NULL },
	/* RFC 951 BOOTP: the vendor area starts right after file, no cookie. */
	{ "plain bootp", { .cookie = "", .opts = "00*64" }, NOT, false, "", NULL },
	{ "op 0", { .fixed = HDR("00", "0000", "00000000", "00000000", MAC_PC),
		    .opts = DISCOVER_OPTS }, NOT, false, "", NULL },
	{ "op 3", { .fixed = HDR("03", "0000", "00000000", "00000000", MAC_PC),
		    .opts = DISCOVER_OPTS }, NOT, false, "", NULL },
	/* Framing: a length or value past the end of the options field. */
	{ "value past end", { .opts = "35 01 01 0c 10 'abc'" }, BADOPT, false, "53",
	  check_msg_type_1 },
	{ "length byte missing", { .opts = "35 01 01 0c" }, BADOPT, false, "53",
	  check_msg_type_1 },
	{ "length 255 of 1", { .opts = "37 ff 01" }, BADOPT, false, "", check_empty_strings },
	{ "pads then past end", { .opts = "00 00 37 05 01 03" }, BADOPT, false, "",
	  check_empty_strings },
	/* The options before a cut are kept. */
	{ "cut inside prl", { .opts = DISCOVER_OPTS, CUT(280) }, BADOPT, false, "53,61,12,60",
	  check_msg_type_1 },
	{ "cut between options", { .opts = DISCOVER_OPTS, CUT(273) }, OK, false, "53,61,12,60",
	  check_msg_type_1 },
	/* Zero-length and missing things. */
	{ "zero-length strings", { .opts = "0c 00 3c 00 37 00 ff" }, OK, false, "12,60,55",
	  check_empty_strings },
	{ "no end option", { .opts = "35 01 01 0c 02 'hi'" }, OK, false, "53,12",
	  check_msg_type_1 },
	{ "only pads", { .opts = "00*60" }, OK, false, "", check_no_msg_type },
	{ "nothing after cookie", { .opts = "" }, OK, false, "", check_no_msg_type },
	{ "junk after end", { .opts = "00 35 01 01 00 ff 0c ff 'x'" }, OK, false, "53",
	  check_msg_type_1 },
	/* Fixed-size options of the wrong size are ignored. */
	{ "53 length 0", { .opts = "35 00 ff" }, BADVAL, false, "53", check_no_msg_type },
	{ "53 length 2", { .opts = "35 02 01 01 ff" }, BADVAL, false, "53", check_no_msg_type },
	{ "53 value 0", { .opts = "35 01 00 ff" }, BADVAL, false, "53", check_no_msg_type },
	{ "53 twice", { .opts = "35 01 01 35 01 03 ff" }, BADVAL, false, "53,53",
	  check_no_msg_type },
	{ "50 length 3", { .opts = "32 03 c0a801 ff" }, BADVAL, false, "50",
	  check_no_requested_ip },
	{ "54 length 5", { .opts = "36 05 c0a8010101 ff" }, BADVAL, false, "54",
	  check_no_server_id },
	{ "57 length 1", { .opts = "39 01 05 ff" }, BADVAL, false, "57", check_no_max_size },
	{ "50 split in two", { .opts = "32 02 c0a8 32 02 010a ff" }, OK, false, "50,50",
	  check_split_requested_ip },
	/* A bad value does not hide a later framing error, which wins. */
	{ "bad value then bad option", { .opts = "35 02 01 01 0c 09 'x'" }, BADOPT, false, "53",
	  check_no_msg_type },
	/* Strings. */
	{ "nul and newline kept", { .opts = "0c 05 61 00 62 0a 63 ff" }, OK, false, "12",
	  check_control_bytes },
	{ "hostname 64", { .opts = "0c 40 61*64 ff" }, OK, false, "12", check_hostname_64 },
	{ "hostname 65", { .opts = "0c 41 61*65 ff" }, OK, true, "12", check_hostname_64 },
	{ "hostname 255", { .gen = gen_hostname_255 }, OK, true, "12", check_hostname_cut },
	{ "vendor 129", { .opts = "3c 81 76*129 ff" }, OK, true, "60", check_vendor_cut },
	{ "prl 255 codes", { .gen = gen_prl_255 }, OK, false, "55", check_prl_255 },
	{ "prl split (rfc 3396)", { .opts = "37 02 01 03 37 02 06 0f ff" }, OK, false, "55,55",
	  check_prl_split },
	{ "prl 2x200 codes", { .gen = gen_prl_2x200 }, OK, true, "55,55", check_prl_400_cut },
	{ "300 hostnames of 255", { .gen = gen_hostname_300x }, OK, true, NULL,
	  check_hostname_300x },
	{ "400 empty options", { .gen = gen_vendor_400x_empty }, OK, true, NULL,
	  check_order_cap },
	/* Option overload (52): file first, then sname. */
	{ "overload both", { .file = "0c 04 'file' ff", .sname = "3c 05 'sname' ff",
			     .opts = "35 01 01 34 01 03 ff" }, OK, false, "53,52,12,60",
	  check_overload_both },
	{ "no overload: fields unread", { .file = "0c 04 'file' ff", .sname = "3c 02 'no'",
					  .opts = "35 01 01 ff" }, OK, false, "53",
	  check_empty_strings },
	{ "overload file, sname unread", { .file = "0c 02 'hi'", .sname = "3c 02 'no'",
					   .opts = "34 01 01" }, OK, false, "52,12",
	  check_hostname_hi },
	{ "end in file ends file", { .file = "0c 02 'hi' ff 3c 02 'no'", .sname = "3c 03 'yes'",
				     .opts = "34 01 03 ff" }, OK, false, "52,12,60",
	  check_end_in_file },
	/* 0c ff at 111, in the file field (108-235), wants 255 bytes; 123 are left. */
	{ "file option past field", { .file = "35 01 01 0c ff", .sname = "3c 02 'no'",
				      .opts = "34 01 03 ff" }, BADOPT, false, "52,53",
	  check_msg_type_1 },
	/* Option code in sname's last byte (107), no length. */
	{ "sname length byte missing", { .sname = "00*63 0c", .opts = "34 01 02 ff" }, BADOPT,
	  false, "52", check_empty_strings },
	{ "sname option past field", { .sname = "0c 40 'x'", .opts = "34 01 02 ff" }, BADOPT,
	  false, "52", check_empty_strings },
	{ "overload 0", { .file = "0c 02 'hi'", .opts = "34 01 00 ff" }, BADVAL, false, "52",
	  check_empty_strings },
	{ "overload 4", { .file = "0c 02 'hi'", .opts = "34 01 04 ff" }, BADVAL, false, "52",
	  check_empty_strings },
	{ "overload length 2", { .file = "0c 02 'hi'", .opts = "34 02 01 02 ff" }, BADVAL, false,
	  "52", check_empty_strings },
	{ "overload twice", { .file = "0c 02 'hi'", .opts = "34 01 01 34 01 02 ff" }, BADVAL,
	  false, "52,52", check_empty_strings },
	{ "overload inside file", { .file = "34 01 02 0c 02 'hi' ff", .sname = "3c 02 'no'",
				    .opts = "34 01 01 ff" }, BADVAL, false, "52,52,12",
	  check_hostname_hi },
	{ "overload, options broken", { .file = "0c 02 'hi'", .opts = "34 01 03 0c 20 'x'" },
	  BADOPT, false, "52", check_empty_strings },
	/* Option 81. */
	{ "fqdn compression pointer", { .opts = "51 09 04 00 00 03 'foo' c0 0c ff" }, BADVAL,
	  false, "81", check_no_fqdn },
	{ "fqdn only a pointer", { .opts = "51 05 04 00 00 c0 0c ff" }, BADVAL, false, "81",
	  check_no_fqdn },
	{ "fqdn label type 01", { .opts = "51 05 04 00 00 41 'a' ff" }, BADVAL, false, "81",
	  check_no_fqdn },
	{ "fqdn label past end", { .opts = "51 07 04 00 00 05 'abc' ff" }, BADVAL, false, "81",
	  check_no_fqdn },
	{ "fqdn data after root", { .opts = "51 08 04 00 00 01 'a' 00 01 'b' ff" }, BADVAL,
	  false, "81", check_no_fqdn },
	{ "fqdn length 2", { .opts = "51 02 04 00 ff" }, BADVAL, false, "81", check_no_fqdn },
	{ "fqdn length 0", { .opts = "51 00 ff" }, BADVAL, false, "81", check_no_fqdn },
	{ "fqdn wire 257 octets", { .gen = gen_fqdn_wire_257 }, BADVAL, false, "81,81",
	  check_no_fqdn },
	/* 3 + 4 ('a.b') + 4 ('lan') + 1 = 12: a dot inside a label is escaped. */
	{ "fqdn dot in label", { .opts = "51 0c 04 00 00 03 'a.b' 03 'lan' 00 ff" }, OK, false,
	  "81", check_fqdn_escaped },
	{ "fqdn partial name", { .opts = "51 0a 04 00 00 06 'laptop' ff" }, OK, false, "81",
	  check_fqdn_partial },
	{ "fqdn root only", { .opts = "51 04 04 00 00 00 ff" }, OK, false, "81",
	  check_fqdn_root_only },
	{ "fqdn nul in label", { .opts = "51 08 04 00 00 03 61 00 62 00 ff" }, OK, false, "81",
	  check_fqdn_nul },
	{ "fqdn ascii nul", { .opts = "51 06 00 00 00 61 00 62 ff" }, OK, false, "81",
	  check_fqdn_ascii_nul },
	{ "fqdn ascii 262", { .gen = gen_fqdn_ascii_262 }, OK, true, "81,81",
	  check_fqdn_ascii_cut },
	{ "fqdn escapes past 255", { .gen = gen_fqdn_dots }, OK, true, "81",
	  check_fqdn_dots_cut },
	/* Option 161. */
	{ "mud url 260", { .gen = gen_mud_url_260 }, OK, true, "161,161", check_mud_url_cut },
	/* Its length byte says 9 and 4 bytes follow: nothing of it is kept. */
	{ "mud url past end", { .opts = "a1 09 'http'" }, BADOPT, false, "", check_no_mud_url },
	/* Fixed header. */
	{ "htype 6 hlen 16", { .fixed = "01 06 10 00 00000000 0000 0000 00*16 " MAC_PC "00*10",
			       .opts = "35 01 01 ff" }, OK, false, "53", check_not_ethernet },
};

#define N_HOSTILE (sizeof(hostile) / sizeof(hostile[0]))

static void test_hostile_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_HOSTILE; i++) {
		const struct hostile_case *h = &hostile[i];
		struct dhcp_info d;
		enum dhcp_result r = run(&h->m, &d);

		if (r != h->want)
			fail_msg("case \"%s\": %s, want %s", h->name, dhcp_result_name(r),
				 dhcp_result_name(h->want));
		EXPECT_EQ(h->name, d.truncated_field, h->truncated);
		if (h->order != NULL)
			EXPECT_STR(h->name, d.options_order, h->order);
		if (h->check != NULL)
			h->check(h->name, &d);
	}
}

/* ------------------------------------------------------ prefix sweep */

/* Every prefix of a message, each from an exact-size copy. */
static void sweep_prefixes(const struct msg *spec)
{
	static struct buf m;

	build(spec, &m);
	for (size_t cut = 0; cut <= m.len; cut++) {
		struct dhcp_info d;
		enum dhcp_result r = parse_copy(m.b, cut, &d);

		check_invariants(&d, r);
		if (cut < OPTIONS_OFF)
			assert_int_equal(r, DHCP_TRUNCATED);
	}
}

static void test_prefix_sweep(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_GOOD; i++)
		sweep_prefixes(good_msgs[i]);
	for (size_t i = 0; i < N_HOSTILE; i++) {
		/* The 77 KB message would take 77,000 parses; its first 4 KB will do. */
		struct msg spec = hostile[i].m;

		if (spec.gen == gen_hostname_300x) {
			spec.has_cut = true;
			spec.cut = 4096;
		}
		sweep_prefixes(&spec);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_discover),
		cmocka_unit_test(test_android_request),
		cmocka_unit_test(test_esp_request),
		cmocka_unit_test(test_ack),
		cmocka_unit_test(test_prl_longer_than_ndpi),
		cmocka_unit_test(test_fqdn),
		cmocka_unit_test(test_mud_url),
		cmocka_unit_test(test_result_names),
		cmocka_unit_test(test_fixed_header_truncation),
		cmocka_unit_test(test_hostile_table),
		cmocka_unit_test(test_prefix_sweep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
