/*
 * test-dns.c - unit tests for DNS names (src/util-dnsname.c) and the
 * DNS/mDNS/LLMNR parser (src/fingerprint-dns.c).
 *
 * Messages are written by hand as hex, one field per group, with text in
 * single quotes ('local' is 6c 6f 63 61 6c).  Comments give the offset of
 * every name and pointer target, so each compression pointer can be
 * checked by eye: c0 0c points at offset 12.  Every message is copied into
 * an exactly-sized heap buffer, so AddressSanitizer catches a one-byte
 * over-read.
 *
 * Groups: names on their own (escapes, buffer sizes), good messages with
 * every expected field, a table of hostile messages with the result each
 * must give, caps (records, pool), and a sweep over every prefix of every
 * good message checking the invariants that hold after any parse.
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

#include "fingerprint-dns.h"
#include "util-dnsname.h"

/* ------------------------------------------------------------ messages */

#define HDR_QUERY1 "1234 0100 0001 0000 0000 0000"

/*
 * A query for www.example.com A, 33 bytes: id 0x1234, RD.  Question name
 * at 12: 03 'www' at 12, 07 'example' at 16, 03 'com' at 24, root at 28;
 * type A (29-30), class IN (31-32).
 */
#define Q_WWW "03 'www' 07 'example' 03 'com' 00 0001 0001"
static const char dns_query[] = HDR_QUERY1 Q_WWW;

/*
 * Its answer, 63 bytes: QR RD RA, one question, two answers.
 * At 33: c0 0c (-> 12, www.example.com) CNAME IN, TTL 3600, rdlength 2,
 *        rdata at 45: c0 10 (-> 16, example.com).
 * At 47: c0 2d (-> 45, itself a pointer -> 16: two jumps) A IN, TTL 300,
 *        rdlength 4, 93.184.216.34.
 */
static const char dns_answer[] = "1234 8180 0001 0002 0000 0000" Q_WWW
	"c00c 0005 0001 00000e10 0002 c010"
	"c02d 0001 0001 0000012c 0004 5db8d822";

/*
 * An mDNS announcement from a Hue bridge, 158 bytes: id 0, QR AA, three
 * answers and one additional record.
 *  12  PTR  owner 04 '_hue' (12) 04 '_tcp' (17) 05 'local' (22) 00 (28);
 *           class IN (no cache-flush: shared), TTL 4500, rdlength 23;
 *           rdata at 39: 14 'Philips Hue - 1A2B3C' (39), c0 0c (60 -> 12).
 *  62  SRV  owner c0 27 (-> 39, the instance), class 8001 (cache-flush
 *           IN), TTL 120, rdlength 20; rdata at 74: priority 0, weight 0,
 *           port 443, target at 80: 0b 'Philips-hue' (80), c0 16 (92 -> 22).
 *  94  TXT  owner c0 27, class 8001, TTL 4500, rdlength 36; rdata at 106:
 *           19 'bridgeid=001788fffe1a2b3c' (25 bytes), 09 'md=BSB002'.
 * 142  A    owner c0 50 (-> 80, Philips-hue.local), class 8001, TTL 120,
 *           rdlength 4, 192.168.1.20.
 */
static const char mdns_hue[] = "0000 8400 0000 0003 0000 0001"
	"04 '_hue' 04 '_tcp' 05 'local' 00 000c 0001 00001194 0017"
	"14 'Philips Hue - 1A2B3C' c00c"
	"c027 0021 8001 00000078 0014 0000 0000 01bb 0b 'Philips-hue' c016"
	"c027 0010 8001 00001194 0024 19 'bridgeid=001788fffe1a2b3c' 09 'md=BSB002'"
	"c050 0001 8001 00000078 0004 c0a80114";

/*
 * An mDNS query, 65 bytes: one question _hue._tcp.local PTR with the
 * unicast-response bit (class 8001), and one known answer - another
 * bridge's PTR - which the summary must not take as the sender's.
 *  12  question: 04 '_hue' 04 '_tcp' 05 'local' 00 (12-28), PTR, 8001.
 *  33  answer: c0 0c PTR IN, TTL 4500, rdlength 20: 11 'Hue Bridge 9F9F9F'
 *      (17 bytes), c0 0c.
 */
static const char mdns_query_known[] = "0000 0000 0001 0001 0000 0000"
	"04 '_hue' 04 '_tcp' 05 'local' 00 000c 8001"
	"c00c 000c 0001 00001194 0014 11 'Hue Bridge 9F9F9F' c00c";

/*
 * An mDNS probe, 51 bytes: question for Philips-hue.local ANY with the
 * unicast-response bit; the authority section holds the A record the
 * prober proposes - its own, so the summary takes it.
 *  12  question: 0b 'Philips-hue' (12) 05 'local' (24) 00 (30), ANY, 8001.
 *  35  authority: c0 0c A IN, TTL 120, rdlength 4, 192.168.1.20.
 */
static const char mdns_probe[] = "0000 0000 0001 0000 0001 0000"
	"0b 'Philips-hue' 05 'local' 00 00ff 8001"
	"c00c 0001 0001 00000078 0004 c0a80114";

/*
 * An LLMNR query (RFC 4795), 25 bytes: id 0x8a3f, no flags, one question,
 * the single-label name 07 'printer' 00 at 12, type A, class IN.
 */
static const char llmnr_query[] = "8a3f 0000 0001 0000 0000 0000 07 'printer' 00 0001 0001";

/* ------------------------------------------------------------ helpers */

#define MAX_MSG 1024

/*
 * Parses spaced hex ("1234 0100") with 'quoted text' into out; returns
 * the byte count.
 */
static size_t parse_hex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;

	for (const char *s = hex; *s != '\0';) {
		unsigned byte = 0;

		if (*s == ' ') {
			s++;
			continue;
		}
		if (*s == '\'') {
			for (s++; *s != '\'' && *s != '\0'; s++) {
				assert_true(n < cap);
				out[n++] = (uint8_t)*s;
			}
			assert_true(*s == '\'');
			s++;
			continue;
		}
		assert_true(n < cap && isxdigit((unsigned char)s[0]) &&
			    isxdigit((unsigned char)s[1]) && sscanf(s, "%2x", &byte) == 1);
		out[n++] = (uint8_t)byte;
		s += 2;
	}
	return n;
}

/* An exactly-sized heap copy, so that ASan sees a read one byte past. */
static uint8_t *heap_copy(const uint8_t *bytes, size_t len)
{
	uint8_t *buf = malloc(len > 0 ? len : 1);

	assert_non_null(buf);
	if (len > 0)
		memcpy(buf, bytes, len);
	return buf;
}

/* True when off is the start of a string in the pool. */
static bool pool_string_start(const struct dns_info *info, uint16_t off)
{
	return off == 0 || (off < info->pool_used && info->pool[off - 1] == '\0');
}

static void check_record(const struct dns_info *info, const struct dns_record *r, bool question)
{
	assert_true(pool_string_start(info, r->name));
	assert_true(pool_string_start(info, r->target));
	assert_true(strlen(dns_text(info, r->name)) < DNS_NAME_TEXT_MAX);
	assert_true(strlen(dns_text(info, r->target)) < DNS_NAME_TEXT_MAX);
	assert_true(r->addr_len == 0 || r->addr_len == 4 || r->addr_len == 16);
	assert_true(r->ntxt <= DNS_TXT_STRINGS_KEPT);
	for (size_t i = 0; i < r->ntxt; i++)
		assert_true(pool_string_start(info, r->txt[i]));
	if (question)
		assert_int_equal(r->section, DNS_SECTION_QUESTION);
	else
		assert_true(r->section >= DNS_SECTION_ANSWER && r->section <= DNS_SECTION_ADDITIONAL);
}

/* What holds after any parse, good or bad. */
static void check_invariants(const struct dns_info *info, enum dns_result r, size_t len)
{
	assert_int_equal(info->result, r);
	assert_true(r < DNS_RESULT_MAX);
	assert_true(info->nquestions <= DNS_MAX_RECORDS_KEPT);
	assert_true(info->nanswers <= DNS_MAX_RECORDS_KEPT);
	assert_true(info->pool_used >= 1 && info->pool_used <= DNS_TEXT_POOL_BYTES);
	assert_int_equal(info->pool[0], '\0');
	assert_int_equal(info->pool[info->pool_used - 1], '\0');
	for (size_t i = 0; i < info->nquestions; i++)
		check_record(info, &info->questions[i], true);
	for (size_t i = 0; i < info->nanswers; i++)
		check_record(info, &info->answers[i], false);
	assert_true(info->err_offset <= len);
	assert_true(info->trailing_bytes <= len);
	if (r == DNS_OK)
		assert_false(info->truncated);
	else
		assert_int_equal(info->trailing_bytes, 0);
	if (r == DNS_ERR_NAME)
		assert_true(info->name_err != DNS_NAME_OK);
	assert_true(info->nquestions + info->nanswers + info->records_skipped <=
		    (size_t)info->qdcount + info->ancount + info->nscount + info->arcount);
}

/* Parses bytes from an exactly-sized heap copy into info. */
static enum dns_result parse_bytes(const uint8_t *bytes, size_t len, struct dns_info *info)
{
	uint8_t *buf = heap_copy(bytes, len);
	enum dns_result r = dns_parse(buf, len, info);

	check_invariants(info, r, len);
	free(buf);
	return r;
}

static enum dns_result parse_msg(const char *hex, struct dns_info *info)
{
	uint8_t bytes[MAX_MSG];

	return parse_bytes(bytes, parse_hex(hex, bytes, sizeof(bytes)), info);
}

static const char *qname(const struct dns_info *info, size_t i)
{
	return dns_text(info, info->questions[i].name);
}

static const char *aname(const struct dns_info *info, size_t i)
{
	return dns_text(info, info->answers[i].name);
}

static const char *atarget(const struct dns_info *info, size_t i)
{
	return dns_text(info, info->answers[i].target);
}

/* One info reused by all tests, as a caller would: about 10 KiB. */
static struct dns_info info_buf;

/* ----------------------------------------------------------- names */

/* Decodes a name at off of a message given as hex, from a heap copy. */
static enum dns_name_result decode_at(const char *hex, size_t off, char *text, size_t size,
				      size_t *end)
{
	uint8_t bytes[MAX_MSG];
	size_t len = parse_hex(hex, bytes, sizeof(bytes));
	uint8_t *buf = heap_copy(bytes, len);
	enum dns_name_result r = dns_name_decode(buf, len, off, text, size, end);

	free(buf);
	return r;
}

static void test_name_plain_and_root(void **state)
{
	char text[DNS_NAME_TEXT_MAX];
	size_t end = 0;

	(void)state;
	assert_int_equal(decode_at("07 'example' 03 'com' 00", 0, text, sizeof(text), &end),
			 DNS_NAME_OK);
	assert_string_equal(text, "example.com");
	assert_int_equal(end, 13);
	/* The root name alone is ".". */
	assert_int_equal(decode_at("00", 0, text, sizeof(text), &end), DNS_NAME_OK);
	assert_string_equal(text, ".");
	assert_int_equal(end, 1);
	/* A pointer ends the name in place: end is just past it, at 9. */
	assert_int_equal(decode_at("03 'com' 00 01 'a' c0 00", 5, text, sizeof(text), &end),
			 DNS_NAME_OK);
	assert_string_equal(text, "a.com");
	assert_int_equal(end, 9);
}

static void test_name_escapes(void **state)
{
	char text[DNS_NAME_TEXT_MAX];
	size_t end;

	(void)state;
	/* A dot, a backslash and a NUL inside labels; case and UTF-8 kept. */
	assert_int_equal(decode_at("03 'a.b' 02 5c 41 03 'x' 00 'y' 05 'L' c3a9 'on' 00", 0, text,
				   sizeof(text), &end),
			 DNS_NAME_OK);
	assert_string_equal(text, "a\\.b.\\\\A.x\\000y.L\xc3\xa9on");
	assert_int_equal(end, 18);
	/* The escape helper: dots are plain outside labels. */
	char esc[DNS_ESCAPED_BYTE_MAX];
	assert_int_equal(dns_escape_byte('.', false, esc), 1);
	assert_int_equal(esc[0], '.');
	assert_int_equal(dns_escape_byte('.', true, esc), 2);
	assert_memory_equal(esc, "\\.", 2);
	assert_int_equal(dns_escape_byte(0, false, esc), 4);
	assert_memory_equal(esc, "\\000", 4);
}

static void test_name_no_room(void **state)
{
	char text[8];
	size_t end = 99;

	(void)state;
	/* "example.com" needs 12 bytes; 8 hold "example" and its NUL. */
	assert_int_equal(decode_at("07 'example' 03 'com' 00", 0, text, sizeof(text), &end),
			 DNS_NAME_ERR_NO_ROOM);
	assert_string_equal(text, "example");
	assert_int_equal(end, 99); /* not changed on error */
	/* An escape is never cut in half: "ab\." does not fit in 4. */
	assert_int_equal(decode_at("03 'ab.' 00", 0, text, 4, &end), DNS_NAME_ERR_NO_ROOM);
	assert_string_equal(text, "ab");
	/* The root needs 2 bytes. */
	assert_int_equal(decode_at("00", 0, text, 1, &end), DNS_NAME_ERR_NO_ROOM);
	assert_string_equal(text, "");
}

static void test_name_args_and_skip(void **state)
{
	static const uint8_t msg[] = { 3, 'c', 'o', 'm', 0, 1, 'a', 0xc0, 0x00 };
	char text[DNS_NAME_TEXT_MAX];
	size_t end = 0;

	(void)state;
	assert_int_equal(dns_name_decode(NULL, 0, 0, text, sizeof(text), &end),
			 DNS_NAME_ERR_ARGS);
	assert_int_equal(dns_name_decode(msg, sizeof(msg), 0, NULL, 10, &end), DNS_NAME_ERR_ARGS);
	assert_int_equal(dns_name_decode(msg, sizeof(msg), 0, text, 0, &end), DNS_NAME_ERR_ARGS);
	assert_int_equal(dns_name_decode(msg, sizeof(msg), 10, text, sizeof(text), &end),
			 DNS_NAME_ERR_ARGS);
	/* At the very end there is no name: truncated, not an argument error. */
	assert_int_equal(dns_name_decode(msg, sizeof(msg), sizeof(msg), text, sizeof(text), &end),
			 DNS_NAME_ERR_TRUNCATED);
	/* Skipping stops at the pointer without following it. */
	assert_int_equal(dns_name_skip(msg, sizeof(msg), 5, &end), DNS_NAME_OK);
	assert_int_equal(end, 9);
	assert_int_equal(dns_name_skip(msg, sizeof(msg), 0, &end), DNS_NAME_OK);
	assert_int_equal(end, 5);
	/* ... but still refuses a pointer that is not backwards. */
	static const uint8_t fwd[] = { 0xc0, 0x00 };
	assert_int_equal(dns_name_skip(fwd, sizeof(fwd), 0, &end), DNS_NAME_ERR_POINTER);
	assert_string_equal(dns_name_result_name(DNS_NAME_ERR_POINTER), "dns_name.pointer");
	assert_string_equal(dns_name_result_name((enum dns_name_result)99), "dns_name.unknown");
}

/* ----------------------------------------------------- good messages */

static void test_query(void **state)
{
	struct dns_info *info = &info_buf;

	(void)state;
	assert_int_equal(parse_msg(dns_query, info), DNS_OK);
	assert_int_equal(info->id, 0x1234);
	assert_int_equal(info->flags, 0x0100);
	assert_false(info->is_response);
	assert_int_equal(info->qdcount, 1);
	assert_int_equal(info->nquestions, 1);
	assert_int_equal(info->nanswers, 0);
	assert_string_equal(qname(info, 0), "www.example.com");
	assert_int_equal(info->questions[0].type, DNS_TYPE_A);
	assert_int_equal(info->questions[0].class_, DNS_CLASS_IN);
	assert_int_equal(info->trailing_bytes, 0);
	assert_int_equal(info->records_skipped, 0);
}

static void test_answer_with_pointers(void **state)
{
	struct dns_info *info = &info_buf;
	const struct dns_record *cname = &info->answers[0], *a = &info->answers[1];

	(void)state;
	assert_int_equal(parse_msg(dns_answer, info), DNS_OK);
	assert_true(info->is_response);
	assert_int_equal(DNS_RCODE(info->flags), 0);
	assert_int_equal(info->ancount, 2);
	assert_int_equal(info->nanswers, 2);
	assert_string_equal(qname(info, 0), "www.example.com");

	assert_string_equal(aname(info, 0), "www.example.com");
	assert_int_equal(cname->type, DNS_TYPE_CNAME);
	assert_int_equal(cname->section, DNS_SECTION_ANSWER);
	assert_int_equal(cname->ttl, 3600);
	assert_int_equal(cname->rdlength, 2);
	assert_string_equal(atarget(info, 0), "example.com");
	assert_false(cname->rdata_bad);

	assert_string_equal(aname(info, 1), "example.com");
	assert_int_equal(a->type, DNS_TYPE_A);
	assert_int_equal(a->ttl, 300);
	assert_int_equal(a->addr_len, 4);
	assert_memory_equal(a->addr, "\x5d\xb8\xd8\x22", 4);
	assert_string_equal(atarget(info, 1), "");
	assert_int_equal(info->records_rdata_bad, 0);
}

static void test_mdns_hue(void **state)
{
	struct dns_info *info = &info_buf;
	const struct dns_record *ptr = &info->answers[0], *srv = &info->answers[1];
	const struct dns_record *txt = &info->answers[2], *a = &info->answers[3];

	(void)state;
	assert_int_equal(parse_msg(mdns_hue, info), DNS_OK);
	assert_int_equal(info->flags, DNS_FLAG_QR | DNS_FLAG_AA);
	assert_int_equal(info->nquestions, 0);
	assert_int_equal(info->nanswers, 4);

	assert_string_equal(aname(info, 0), "_hue._tcp.local");
	assert_int_equal(ptr->type, DNS_TYPE_PTR);
	assert_int_equal(ptr->class_, DNS_CLASS_IN);
	assert_int_equal(ptr->ttl, 4500);
	assert_string_equal(atarget(info, 0), "Philips Hue - 1A2B3C._hue._tcp.local");

	assert_string_equal(aname(info, 1), "Philips Hue - 1A2B3C._hue._tcp.local");
	assert_int_equal(srv->type, DNS_TYPE_SRV);
	assert_int_equal(srv->class_, DNS_CLASS_MDNS_BIT | DNS_CLASS_IN);
	assert_int_equal(srv->class_ & DNS_CLASS_MASK, DNS_CLASS_IN);
	assert_int_equal(srv->srv_priority, 0);
	assert_int_equal(srv->srv_weight, 0);
	assert_int_equal(srv->srv_port, 443);
	assert_string_equal(atarget(info, 1), "Philips-hue.local");

	assert_int_equal(txt->type, DNS_TYPE_TXT);
	assert_int_equal(txt->rdlength, 36);
	assert_int_equal(txt->ntxt, 2);
	assert_false(txt->txt_cut);
	assert_string_equal(dns_text(info, txt->txt[0]), "bridgeid=001788fffe1a2b3c");
	assert_string_equal(dns_text(info, txt->txt[1]), "md=BSB002");

	assert_string_equal(aname(info, 3), "Philips-hue.local");
	assert_int_equal(a->section, DNS_SECTION_ADDITIONAL);
	assert_int_equal(a->addr_len, 4);
	assert_memory_equal(a->addr, "\xc0\xa8\x01\x14", 4);

	struct mdns_summary sum;
	mdns_summarize(info, &sum);
	assert_int_equal(sum.nservices, 1);
	assert_string_equal(sum.services[0], "_hue._tcp.local");
	assert_int_equal(sum.ninstances, 1);
	assert_string_equal(sum.instances[0], "Philips Hue - 1A2B3C._hue._tcp.local");
	assert_int_equal(sum.nhosts, 1); /* the SRV target and the A owner, once */
	assert_string_equal(sum.hosts[0], "Philips-hue.local");
	assert_int_equal(sum.ntxt, 1); /* bridgeid is not a model key */
	assert_string_equal(sum.txt[0], "md=BSB002");
	assert_int_equal(sum.dropped, 0);
}

static void test_mdns_query_known_answer(void **state)
{
	struct dns_info *info = &info_buf;
	struct mdns_summary sum;

	(void)state;
	assert_int_equal(parse_msg(mdns_query_known, info), DNS_OK);
	assert_false(info->is_response);
	assert_string_equal(qname(info, 0), "_hue._tcp.local");
	assert_int_equal(info->questions[0].type, DNS_TYPE_PTR);
	assert_int_equal(info->questions[0].class_, DNS_CLASS_MDNS_BIT | DNS_CLASS_IN);
	assert_int_equal(info->nanswers, 1);
	assert_string_equal(atarget(info, 0), "Hue Bridge 9F9F9F._hue._tcp.local");
	/* A known answer is someone else's record: nothing about the sender. */
	mdns_summarize(info, &sum);
	assert_int_equal(sum.nservices + sum.ninstances + sum.nhosts + sum.ntxt, 0);
}

static void test_mdns_probe(void **state)
{
	struct dns_info *info = &info_buf;
	struct mdns_summary sum;

	(void)state;
	assert_int_equal(parse_msg(mdns_probe, info), DNS_OK);
	assert_string_equal(qname(info, 0), "Philips-hue.local");
	assert_int_equal(info->questions[0].type, DNS_TYPE_ANY);
	assert_int_equal(info->answers[0].section, DNS_SECTION_AUTHORITY);
	mdns_summarize(info, &sum);
	assert_int_equal(sum.nhosts, 1);
	assert_string_equal(sum.hosts[0], "Philips-hue.local");
	assert_int_equal(sum.nservices, 0);
}

static void test_llmnr(void **state)
{
	struct dns_info *info = &info_buf;

	(void)state;
	assert_int_equal(parse_msg(llmnr_query, info), DNS_OK);
	assert_int_equal(info->id, 0x8a3f);
	assert_false(info->is_response);
	assert_int_equal(info->nquestions, 1);
	assert_string_equal(qname(info, 0), "printer");
	assert_int_equal(info->questions[0].type, DNS_TYPE_A);
}

/*
 * Service enumeration, a subtype, a reverse PTR, and a TXT owned by an
 * instance whose label holds a dot, 167 bytes:
 *  12  PTR owner 09 '_services' (12) 07 '_dns-sd' (22) 04 '_udp' (30)
 *      05 'local' (35) 00 (41); rdlength 12, rdata at 52: 04 '_ipp' (52)
 *      04 '_tcp' (57) c0 23 (62 -> 35).
 *  64  PTR owner 08 '_printer' (64) 04 '_sub' (73) c0 34 (78 -> 52,
 *      _ipp._tcp.local); rdlength 9, rdata at 90: 06 'HP.One' c0 34.
 *  99  PTR owner 02 '20' 01 '1' 03 '168' 03 '192' 07 'in-addr' 04 'arpa' 00
 *      (99-125), class 8001; rdlength 8, rdata at 136: 05 'hp-pr' c0 23.
 * 144  TXT owner c0 5a (-> 90, the instance), rdlength 11: 0a 'ty=HP 9010'.
 */
static const char mdns_misc[] = "0000 8400 0000 0004 0000 0000"
	"09 '_services' 07 '_dns-sd' 04 '_udp' 05 'local' 00 000c 0001 00001194 000c"
	"04 '_ipp' 04 '_tcp' c023"
	"08 '_printer' 04 '_sub' c034 000c 0001 00001194 0009 06 'HP.One' c034"
	"02 '20' 01 '1' 03 '168' 03 '192' 07 'in-addr' 04 'arpa' 00 000c 8001 00000078 0008"
	"05 'hp-pr' c023"
	"c05a 0010 8001 00001194 000b 0a 'ty=HP 9010'";

static void test_mdns_summary_kinds(void **state)
{
	struct dns_info *info = &info_buf;
	struct mdns_summary sum;

	(void)state;
	assert_int_equal(parse_msg(mdns_misc, info), DNS_OK);
	assert_int_equal(info->nanswers, 4);
	assert_string_equal(atarget(info, 0), "_ipp._tcp.local");
	assert_string_equal(aname(info, 1), "_printer._sub._ipp._tcp.local");
	assert_string_equal(atarget(info, 1), "HP\\.One._ipp._tcp.local");
	assert_string_equal(aname(info, 2), "20.1.168.192.in-addr.arpa");
	assert_string_equal(atarget(info, 2), "hp-pr.local");
	assert_string_equal(aname(info, 3), "HP\\.One._ipp._tcp.local");
	mdns_summarize(info, &sum);
	assert_int_equal(sum.nservices, 1);
	assert_string_equal(sum.services[0], "_ipp._tcp.local");
	assert_int_equal(sum.ninstances, 1);
	assert_string_equal(sum.instances[0], "HP\\.One._ipp._tcp.local");
	assert_int_equal(sum.nhosts, 1);
	assert_string_equal(sum.hosts[0], "hp-pr.local");
	assert_int_equal(sum.ntxt, 1);
	assert_string_equal(sum.txt[0], "ty=HP 9010");
}

/* ------------------------------------------------------ hostile cases */

/* 16 bytes of 'a'; four make a 64-byte label, three and 15 a 63-byte one. */
#define A16 "61616161616161616161616161616161"
#define A15 "616161616161616161616161616161"
#define A13 "61616161616161616161616161"
#define A63 A16 A16 A16 A15
#define L63 "3f" A63

#define HDR_Q1 "0000 0000 0001 0000 0000 0000"
#define HDR_Q2 "0000 0000 0002 0000 0000 0000"
#define HDR_A1 "0000 8400 0000 0001 0000 0000"
#define HDR_A2 "0000 8400 0000 0002 0000 0000"
#define QTAIL "0001 0001"
#define RRTAIL(rdlen) "0001 0001 00000078 " rdlen
#define RRNULL "000a 0001 00000000 0000" /* a NULL record, no rdata: never rdata_bad */

struct hostile_case {
	const char *name;
	const char *hex;
	enum dns_result result;
	enum dns_name_result name_err;
	size_t nquestions, nanswers;
	size_t rdata_bad; /* records_rdata_bad */
	bool truncated;
};

#define NE DNS_NAME_OK
#define BAD_NAME(e) DNS_ERR_NAME, DNS_NAME_ERR_##e
#define CUT_NAME DNS_ERR_TRUNCATED, DNS_NAME_ERR_TRUNCATED

static const struct hostile_case hostile[] = {
	{ "empty", "", DNS_ERR_SHORT, NE, 0, 0, 0, false },
	{ "header only, counts 0", "0000 0000 0000 0000 0000 0000", DNS_OK, NE, 0, 0, 0, false },
	/* Pointers: each must point before the start of its run of labels. */
	{ "pointer to itself", HDR_Q1 "c00c" QTAIL, BAD_NAME(POINTER), 0, 0, 0, false },
	{ "forward pointer", HDR_Q1 "c00e 00" QTAIL, BAD_NAME(POINTER), 0, 0, 0, false },
	{ "pointer past the end", HDR_Q1 "c0ff" QTAIL, BAD_NAME(POINTER), 0, 0, 0, false },
	{ "pointer 0x3fff", HDR_Q1 "ffff" QTAIL, BAD_NAME(POINTER), 0, 0, 0, false },
	/*
	 * Two pointers to each other: the first record's rdata at 23 is
	 * c0 19 (-> 25); the second record's owner at 25 is c0 17 (-> 23).
	 * The walk takes 25 -> 23, then refuses 23 -> 25.
	 */
	{ "two pointers to each other", HDR_A2 "00 000a 0001 00000000 0002 c019"
	  "c017" RRTAIL("0004") "01020304", BAD_NAME(POINTER), 0, 1, 0, false },
	/* Label 01 'a' (12-13), then a pointer at 14 back to 12: a loop via a label. */
	{ "pointer back into its own name", HDR_Q1 "01 61 c00c" QTAIL, BAD_NAME(POINTER),
	  0, 0, 0, false },
	/* A pointer into the header: legal bytes, read as labels, 00 at 0 is the root. */
	{ "pointer into the header", HDR_Q1 "c000" QTAIL, DNS_OK, NE, 1, 0, 0, false },
	/* Labels. */
	{ "label length 64", HDR_Q1 "40" A63 "61 00" QTAIL, BAD_NAME(LABEL_TYPE), 0, 0, 0, false },
	{ "label length 63", HDR_Q1 L63 "00" QTAIL, DNS_OK, NE, 1, 0, 0, false },
	{ "label type 0x80", HDR_Q1 "80 00" QTAIL, BAD_NAME(LABEL_TYPE), 0, 0, 0, false },
	/* Names: 3 * 64 + 62 + 1 = 255 is the longest; 4 * 64 + 1 = 257 is too long. */
	{ "name of 255 bytes", HDR_Q1 L63 L63 L63 "3d" A16 A16 A16 A13 "00"
	  QTAIL, DNS_OK, NE, 1, 0, 0, false },
	{ "name of 257 bytes", HDR_Q1 L63 L63 L63 L63 "00" QTAIL, BAD_NAME(TOO_LONG), 0, 0, 0,
	  false },
	/*
	 * Too long only through a pointer: the first record's rdata at 23 is
	 * a 193-byte name (three 63-byte labels); the second record's owner
	 * at 216 is one more 63-byte label and c0 17 (-> 23): 64 + 193 = 257.
	 */
	{ "name of 257 bytes through a pointer", HDR_A2 "00 000a 0001 00000000 00c1" L63 L63 L63
	  "00" L63 "c017" RRNULL, BAD_NAME(TOO_LONG), 0, 1, 0, false },
	/*
	 * Sixteen pointers in a row in the first record's rdata (at 23: the
	 * root, then at 24, 26, ..., 54 pointers each 2 bytes back, the first
	 * to 23).  The owner at 56 pointing to 54 takes 17 jumps; pointing to
	 * 52, 16, which is allowed.
	 */
	{ "17 jumps", HDR_A2 "00 000a 0001 00000000 0021 00 c017 c018 c01a c01c c01e c020 c022"
	  "c024 c026 c028 c02a c02c c02e c030 c032 c034 c036" RRNULL,
	  BAD_NAME(TOO_MANY_JUMPS), 0, 1, 0, false },
	{ "16 jumps", HDR_A2 "00 000a 0001 00000000 0021 00 c017 c018 c01a c01c c01e c020 c022"
	  "c024 c026 c028 c02a c02c c02e c030 c032 c034 c034" RRNULL,
	  DNS_OK, NE, 0, 2, 0, false },
	/* Counts and lengths that lie. */
	{ "qdcount 2, one question", HDR_Q2 "00" QTAIL, DNS_ERR_TRUNCATED, NE, 1, 0, 0, true },
	{ "ancount 65535, no records", "0000 8400 0000 ffff 0000 0000", DNS_ERR_TRUNCATED, NE,
	  0, 0, 0, true },
	{ "arcount 1, nothing", "0000 8400 0000 0000 0000 0001", DNS_ERR_TRUNCATED, NE, 0, 0, 0,
	  true },
	{ "rdlength past the end", HDR_A1 "00" RRTAIL("0010") "01020304", DNS_ERR_RDLENGTH, NE,
	  0, 0, 0, true },
	{ "rdlength 65535", HDR_A1 "00" RRTAIL("ffff"), DNS_ERR_RDLENGTH, NE, 0, 0, 0, true },
	/* The message ends inside a name or a record. */
	{ "cut inside a label", HDR_Q1 "07 6578", CUT_NAME, 0, 0, 0, true },
	{ "no root byte", HDR_Q1 "03 'com'", CUT_NAME, 0, 0, 0, true },
	{ "half a pointer", HDR_Q1 "c0", CUT_NAME, 0, 0, 0, true },
	{ "question without class", HDR_Q1 "00 0001", DNS_ERR_TRUNCATED, NE, 0, 0, 0, true },
	{ "record without rdlength", HDR_A1 "00 0001 0001 00000078", DNS_ERR_TRUNCATED, NE, 0, 0,
	  0, true },
	/* Bad rdata: the record is kept, flagged, and the parse goes on. */
	{ "A of 5 bytes", HDR_A2 "00" RRTAIL("0005") "0102030405 00" RRTAIL("0004") "01020304",
	  DNS_OK, NE, 0, 2, 1, false },
	{ "AAAA of 4 bytes", HDR_A1 "00 001c 0001 00000078 0004 01020304", DNS_OK, NE, 0, 1, 1,
	  false },
	{ "PTR target overruns rdata", HDR_A1 "00 000c 0001 00000078 0002 03 'com' 00",
	  DNS_OK, NE, 0, 1, 1, false },
	{ "PTR target pointer loop", HDR_A1 "00 000c 0001 00000078 0002 c017", DNS_OK, NE, 0, 1,
	  1, false },
	{ "PTR junk after target", HDR_A1 "00 000c 0001 00000078 0003 00 ffff", DNS_OK, NE, 0, 1,
	  1, false },
	{ "SRV of 5 bytes", HDR_A1 "00 0021 0001 00000078 0005 0000000001", DNS_OK, NE, 0, 1, 1,
	  false },
	{ "TXT string past rdata", HDR_A1 "00 0010 0001 00000078 0003 05 'ab'", DNS_OK, NE, 0, 1,
	  1, false },
	{ "HINFO with one string", HDR_A1 "00 000d 0001 00000078 0004 03 'arm'", DNS_OK, NE, 0,
	  1, 1, false },
	{ "trailing bytes", HDR_Q1 "00" QTAIL "deadbeef", DNS_OK, NE, 1, 0, 0, false },
};

static void test_hostile(void **state)
{
	struct dns_info *info = &info_buf;

	(void)state;
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		const struct hostile_case *h = &hostile[i];
		enum dns_result r = parse_msg(h->hex, info);

		if (r != h->result || info->name_err != h->name_err ||
		    info->nquestions != h->nquestions || info->nanswers != h->nanswers ||
		    info->records_rdata_bad != h->rdata_bad || info->truncated != h->truncated)
			fail_msg("case \"%s\": %s (%s), %zu questions, %zu records, %zu bad, "
				 "truncated %d; want %s (%s), %zu, %zu, %zu, %d",
				 h->name, dns_result_name(r), dns_name_result_name(info->name_err),
				 info->nquestions, info->nanswers, info->records_rdata_bad,
				 info->truncated, dns_result_name(h->result),
				 dns_name_result_name(h->name_err), h->nquestions, h->nanswers,
				 h->rdata_bad, h->truncated);
	}
}

/* Details of some hostile cases that the table does not show. */
static void test_hostile_details(void **state)
{
	struct dns_info *info = &info_buf;

	(void)state;
	assert_int_equal(parse_msg(HDR_Q1 "c000" QTAIL, info), DNS_OK);
	assert_string_equal(qname(info, 0), ".");
	assert_int_equal(parse_msg(HDR_Q1 L63 L63 L63 "3d" A16 A16 A16 A13 "00" QTAIL, info),
			 DNS_OK);
	assert_int_equal(strlen(qname(info, 0)), 3 * 63 + 61 + 3); /* 255 on the wire */
	assert_int_equal(parse_msg(HDR_Q1 "00" QTAIL "deadbeef", info), DNS_OK);
	assert_int_equal(info->trailing_bytes, 4);
	/* The error is at the second question, at 17. */
	assert_int_equal(parse_msg(HDR_Q2 "00" QTAIL, info), DNS_ERR_TRUNCATED);
	assert_int_equal(info->err_offset, 17);
	/* A failed target leaves "" and the owner intact. */
	assert_int_equal(parse_msg(HDR_A1 "01 'x' 00 000c 0001 00000078 0002 c019", info), DNS_OK);
	assert_string_equal(aname(info, 0), "x");
	assert_string_equal(atarget(info, 0), "");
	assert_true(info->answers[0].rdata_bad);
	/* An A of 5 bytes keeps no address. */
	assert_int_equal(parse_msg(HDR_A1 "00" RRTAIL("0005") "0102030405", info), DNS_OK);
	assert_int_equal(info->answers[0].addr_len, 0);
	/* A TXT string cut by its rdata keeps the strings before it. */
	assert_int_equal(parse_msg(HDR_A1 "00 0010 0001 00000078 0006 02 'ok' 05 'ab'", info),
			 DNS_OK);
	assert_int_equal(info->answers[0].ntxt, 1);
	assert_string_equal(dns_text(info, info->answers[0].txt[0]), "ok");
	/* A name that fails in a record leaves the records before it. */
	assert_int_equal(parse_msg(HDR_A2 "01 'k' 00" RRTAIL("0004") "01020304 c0ff" RRTAIL("0000"),
				   info),
			 DNS_ERR_NAME);
	assert_int_equal(info->nanswers, 1);
	assert_string_equal(aname(info, 0), "k");
	assert_int_equal(info->err_offset, 29);
	assert_string_equal(dns_result_name(DNS_ERR_NAME), "dns.bad_name");
	assert_string_equal(dns_result_name((enum dns_result)99), "dns.unknown");
	assert_int_equal(dns_parse(NULL, 0, info), DNS_ERR_ARGS);
	assert_int_equal(dns_parse((const uint8_t *)"", 0, NULL), DNS_ERR_ARGS);
}

/* Every cut of the 12-byte header is too short. */
static void test_header_truncations(void **state)
{
	uint8_t bytes[MAX_MSG];
	size_t len = parse_hex(dns_query, bytes, sizeof(bytes));

	(void)state;
	assert_true(len > DNS_HEADER_LEN);
	for (size_t cut = 0; cut < DNS_HEADER_LEN; cut++)
		assert_int_equal(parse_bytes(bytes, cut, &info_buf), DNS_ERR_SHORT);
	assert_int_equal(parse_bytes(bytes, DNS_HEADER_LEN, &info_buf), DNS_ERR_TRUNCATED);
}

/* ------------------------------------------------------------- caps */

/* A tiny message writer for the cases too big to write out by hand. */
struct writer {
	uint8_t buf[16384];
	size_t len;
};

static void put8(struct writer *w, uint8_t v)
{
	assert_true(w->len < sizeof(w->buf));
	w->buf[w->len++] = v;
}

static void put16(struct writer *w, uint16_t v)
{
	put8(w, (uint8_t)(v >> 8));
	put8(w, (uint8_t)v);
}

static void put_header(struct writer *w, uint16_t qd, uint16_t an)
{
	w->len = 0;
	put16(w, 0);
	put16(w, 0x8400);
	put16(w, qd);
	put16(w, an);
	put16(w, 0);
	put16(w, 0);
}

/* 20 root questions: 16 kept, 4 counted. */
static void test_cap_questions(void **state)
{
	static struct writer w;

	(void)state;
	put_header(&w, 20, 0);
	for (int i = 0; i < 20; i++) {
		put8(&w, 0);
		put16(&w, DNS_TYPE_A);
		put16(&w, DNS_CLASS_IN);
	}
	assert_int_equal(parse_bytes(w.buf, w.len, &info_buf), DNS_OK);
	assert_int_equal(info_buf.nquestions, DNS_MAX_RECORDS_KEPT);
	assert_int_equal(info_buf.records_skipped, 4);
}

/*
 * 20 records, each owned by a 255-byte name of NUL bytes (four labels:
 * 63, 63, 63, 61) whose text is 1003 bytes of "\000" and dots, with a TXT
 * of 255 NULs (1020 bytes of text).  The pool takes some, then is full;
 * the rest are counted.  Records past 16 are walked without decoding.
 */
static void test_cap_pool(void **state)
{
	static struct writer w;
	static const uint8_t labels[] = { 63, 63, 63, 61 };

	(void)state;
	put_header(&w, 0, 20);
	for (int r = 0; r < 20; r++) {
		for (size_t l = 0; l < sizeof(labels); l++) {
			put8(&w, labels[l]);
			for (int i = 0; i < labels[l]; i++)
				put8(&w, 0);
		}
		put8(&w, 0);
		put16(&w, DNS_TYPE_TXT);
		put16(&w, DNS_CLASS_IN);
		put16(&w, 0);
		put16(&w, 120);
		put16(&w, 256);
		put8(&w, 255);
		for (int i = 0; i < 255; i++)
			put8(&w, 0);
	}
	assert_int_equal(parse_bytes(w.buf, w.len, &info_buf), DNS_OK);
	assert_true(info_buf.pool_full);
	/* 1004 + 1021 bytes each: 4 fit in the 8191 after offset 0. */
	assert_int_equal(info_buf.nanswers, 4);
	assert_int_equal(info_buf.records_skipped, 16);
	assert_int_equal(strlen(aname(&info_buf, 3)), 1003);
	assert_memory_equal(aname(&info_buf, 3), "\\000\\000", 8);
	assert_int_equal(strlen(dns_text(&info_buf, info_buf.answers[3].txt[0])), 1020);
}

/* More TXT strings than DNS_TXT_STRINGS_KEPT: the first 16 are kept. */
static void test_cap_txt(void **state)
{
	static struct writer w;

	(void)state;
	put_header(&w, 0, 1);
	put8(&w, 0);
	put16(&w, DNS_TYPE_TXT);
	put16(&w, DNS_CLASS_IN);
	put16(&w, 0);
	put16(&w, 120);
	put16(&w, 20 * 4);
	for (int i = 0; i < 20; i++) {
		put8(&w, 3);
		put8(&w, 'k');
		put8(&w, '=');
		put8(&w, (uint8_t)('a' + i));
	}
	assert_int_equal(parse_bytes(w.buf, w.len, &info_buf), DNS_OK);
	assert_int_equal(info_buf.answers[0].ntxt, DNS_TXT_STRINGS_KEPT);
	assert_true(info_buf.answers[0].txt_cut);
	assert_false(info_buf.answers[0].rdata_bad);
	assert_string_equal(dns_text(&info_buf, info_buf.answers[0].txt[15]), "k=p");
}

/*
 * The TXT text buffer filled to its last byte: 255 NULs (1020 bytes of
 * text and a NUL), "a" (2 more), "" (the last byte), then "" again, for
 * which not even a NUL fits.
 */
static void test_cap_txt_bytes(void **state)
{
	static struct writer w;

	(void)state;
	put_header(&w, 0, 1);
	put8(&w, 0);
	put16(&w, DNS_TYPE_TXT);
	put16(&w, DNS_CLASS_IN);
	put16(&w, 0);
	put16(&w, 120);
	put16(&w, 256 + 2 + 1 + 1);
	put8(&w, 255);
	for (int i = 0; i < 255; i++)
		put8(&w, 0);
	put8(&w, 1);
	put8(&w, 'a');
	put8(&w, 0);
	put8(&w, 0);
	assert_int_equal(parse_bytes(w.buf, w.len, &info_buf), DNS_OK);
	assert_int_equal(info_buf.answers[0].ntxt, 3);
	assert_true(info_buf.answers[0].txt_cut);
	assert_int_equal(strlen(dns_text(&info_buf, info_buf.answers[0].txt[0])), 1020);
	assert_string_equal(dns_text(&info_buf, info_buf.answers[0].txt[1]), "a");
	assert_string_equal(dns_text(&info_buf, info_buf.answers[0].txt[2]), "");
}

/* The size the header documents, so that a change to it is noticed. */
static void test_struct_size(void **state)
{
	(void)state;
	print_message("struct dns_info: %zu bytes, struct dns_record: %zu\n",
		      sizeof(struct dns_info), sizeof(struct dns_record));
	assert_true(sizeof(struct dns_info) <= 11 * 1024);
}

/* --------------------------------------------------------- prefixes */

static const char *const good_msgs[] = {
	dns_query, dns_answer, mdns_hue, mdns_query_known, mdns_probe, llmnr_query, mdns_misc,
};

/* Every strict prefix of a good message fails cleanly; the whole parses. */
static void test_prefix_sweep(void **state)
{
	(void)state;
	for (size_t m = 0; m < sizeof(good_msgs) / sizeof(good_msgs[0]); m++) {
		uint8_t bytes[MAX_MSG];
		size_t len = parse_hex(good_msgs[m], bytes, sizeof(bytes));

		for (size_t cut = 0; cut < len; cut++) {
			enum dns_result r = parse_bytes(bytes, cut, &info_buf);

			if (r == DNS_OK)
				fail_msg("message %zu cut to %zu bytes parsed", m, cut);
		}
		assert_int_equal(parse_bytes(bytes, len, &info_buf), DNS_OK);
		assert_int_equal(info_buf.trailing_bytes, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_plain_and_root),
		cmocka_unit_test(test_name_escapes),
		cmocka_unit_test(test_name_no_room),
		cmocka_unit_test(test_name_args_and_skip),
		cmocka_unit_test(test_query),
		cmocka_unit_test(test_answer_with_pointers),
		cmocka_unit_test(test_mdns_hue),
		cmocka_unit_test(test_mdns_query_known_answer),
		cmocka_unit_test(test_mdns_probe),
		cmocka_unit_test(test_llmnr),
		cmocka_unit_test(test_mdns_summary_kinds),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_hostile_details),
		cmocka_unit_test(test_header_truncations),
		cmocka_unit_test(test_cap_questions),
		cmocka_unit_test(test_cap_pool),
		cmocka_unit_test(test_cap_txt),
		cmocka_unit_test(test_cap_txt_bytes),
		cmocka_unit_test(test_struct_size),
		cmocka_unit_test(test_prefix_sweep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
