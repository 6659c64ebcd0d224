/*
 * test-profile.c - unit tests for categorical profiles (src/profile.c)
 * and the DNS answer cache (src/dns-cache.c), the two bounded stores a
 * device baseline reads when it judges a first-seen item.
 *
 * Profiles: NEW/KNOWN and counts, the replacement rule and the dropped
 * counter of a full set, settledness worked bin by bin, top ordering and
 * label cutting.
 *
 * DNS cache: responses written by hand as hex, one field per group, with
 * text in single quotes ('www' is 77 77 77); comments give the offset of
 * every name a compression pointer targets, so c0 0c can be checked by eye
 * (-> 12).  Every message is copied into an exactly-sized heap buffer, so
 * AddressSanitizer catches a one-byte over-read.  Then a table of hostile
 * messages with the result each must give, every prefix of a good one, and
 * the capacity and chain bounds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns-cache.h"
#include "profile.h"
#include "util-hash.h"
#include "util-table.h"

/* ============================================================ profiles */

static void test_profile_init_clamps(void **state)
{
	struct profile p;

	(void)state;
	profile_init(&p, 0);
	assert_int_equal(p.cap, 1);
	assert_int_equal(p.n, 0);
	profile_init(&p, 200);
	assert_int_equal(p.cap, PROFILE_CAP_MAX);
	profile_init(&p, 5);
	assert_int_equal(p.cap, 5);
	assert_int_equal(p.dropped, 0);
	assert_int_equal(p.bins, 0);
	assert_int_equal(p.bins_since_new, 0);
	assert_false(p.new_in_bin);
}

static void test_profile_new_known(void **state)
{
	struct profile p;
	const struct profile_item *it;

	(void)state;
	profile_init(&p, 8);
	assert_int_equal(profile_observe(&p, 7, "tcp/443", 7, 1000), PROFILE_NEW);
	assert_int_equal(profile_observe(&p, 7, "other", 5, 2000), PROFILE_KNOWN);
	/* A sighting from earlier (merged captures) counts but does not move last_us back. */
	assert_int_equal(profile_observe(&p, 7, NULL, 0, 1500), PROFILE_KNOWN);
	assert_int_equal(profile_observe(&p, 9, NULL, 0, 3000), PROFILE_NEW);
	assert_int_equal(p.n, 2);

	it = profile_find(&p, 7);
	assert_non_null(it);
	assert_int_equal(it->count, 3);
	assert_int_equal(it->first_us, 1000);
	assert_int_equal(it->last_us, 2000);
	assert_string_equal(it->label, "tcp/443"); /* the first label stays */

	/* Added without a label: the first non-empty one later fills it. */
	it = profile_find(&p, 9);
	assert_non_null(it);
	assert_string_equal(it->label, "");
	assert_int_equal(profile_observe(&p, 9, "udp/123", 7, 4000), PROFILE_KNOWN);
	assert_string_equal(profile_find(&p, 9)->label, "udp/123");
	assert_int_equal(profile_find(&p, 9)->count, 2);

	assert_null(profile_find(&p, 8));
	assert_int_equal(p.dropped, 0);
}

static void test_profile_count_saturates(void **state)
{
	struct profile p;

	(void)state;
	profile_init(&p, 1);
	profile_observe(&p, 1, NULL, 0, 1);
	p.item[0].count = UINT32_MAX - 1;
	profile_observe(&p, 1, NULL, 0, 2);
	assert_int_equal(p.item[0].count, UINT32_MAX);
	profile_observe(&p, 1, NULL, 0, 3);
	assert_int_equal(p.item[0].count, UINT32_MAX);
}

/* Observes key n times at ts. */
static void seen(struct profile *p, uint64_t key, unsigned n, ew_usec_t ts)
{
	for (unsigned i = 0; i < n; i++)
		profile_observe(p, key, NULL, 0, ts);
}

static void test_profile_replacement(void **state)
{
	struct profile p;

	(void)state;
	/*
	 * cap 3: A seen 5 times (last 10), B twice (last 100), C twice (last 50).
	 * D is new in a full set.  Lowest count is 2 (B and C); among them
	 * the oldest last_us is C (50 < 100); 2 < PROFILE_REPLACE_MAX_COUNT (4),
	 * so D takes C's slot with count 1.
	 */
	profile_init(&p, 3);
	seen(&p, 'A', 5, 10);
	seen(&p, 'B', 2, 100);
	seen(&p, 'C', 2, 50);
	assert_int_equal(profile_observe(&p, 'D', "d", 1, 200), PROFILE_NEW);
	assert_int_equal(p.n, 3);
	assert_null(profile_find(&p, 'C'));
	assert_non_null(profile_find(&p, 'B'));
	assert_int_equal(profile_find(&p, 'D')->count, 1);
	assert_int_equal(profile_find(&p, 'D')->first_us, 200);
	assert_string_equal(profile_find(&p, 'D')->label, "d");

	/* E: the lowest count is now D's 1, so D goes, although B is older. */
	assert_int_equal(profile_observe(&p, 'E', NULL, 0, 300), PROFILE_NEW);
	assert_null(profile_find(&p, 'D'));
	assert_non_null(profile_find(&p, 'B'));
	assert_int_equal(p.dropped, 0);

	/*
	 * Bring B and E to 3 and 4: the lowest is B with 3 < 4: F replaces
	 * it.  Then F (1) and G... each new item replaces the rare one.
	 */
	seen(&p, 'B', 1, 400); /* B: 3 */
	seen(&p, 'E', 3, 400); /* E: 4 */
	assert_int_equal(profile_observe(&p, 'F', NULL, 0, 500), PROFILE_NEW);
	assert_null(profile_find(&p, 'B'));
	assert_non_null(profile_find(&p, 'F'));

	/*
	 * Now A 5, E 4, F 1 -> bring F to 4: the lowest count is 4, not below
	 * PROFILE_REPLACE_MAX_COUNT, so G is refused: still NEW, dropped 1,
	 * the set unchanged.  Seeing G again is NEW again (it was not kept).
	 */
	seen(&p, 'F', 3, 600);
	assert_int_equal(profile_observe(&p, 'G', NULL, 0, 700), PROFILE_NEW);
	assert_int_equal(p.dropped, 1);
	assert_null(profile_find(&p, 'G'));
	assert_int_equal(p.n, 3);
	assert_int_equal(profile_observe(&p, 'G', NULL, 0, 800), PROFILE_NEW);
	assert_int_equal(p.dropped, 2);
	assert_non_null(profile_find(&p, 'A'));
	assert_non_null(profile_find(&p, 'E'));
	assert_non_null(profile_find(&p, 'F'));
}

/* Equal counts and equal times: the lowest slot goes, so the choice is repeatable. */
static void test_profile_replacement_tie(void **state)
{
	struct profile p;

	(void)state;
	profile_init(&p, 2);
	seen(&p, 'A', 1, 10); /* slot 0 */
	seen(&p, 'B', 1, 10); /* slot 1 */
	profile_observe(&p, 'C', NULL, 0, 20);
	assert_null(profile_find(&p, 'A'));
	assert_non_null(profile_find(&p, 'B'));
	assert_ptr_equal(profile_find(&p, 'C'), &p.item[0]);
}

static void assert_settled(const struct profile *p, uint32_t settle, double want)
{
	assert_float_equal(profile_settledness(p, settle), want, 1e-12);
}

/*
 * settle_bins = 3, bin by bin.  "since" is bins_since_new after the
 * close; settledness = 0 while bins < 3, else min(1, since / 3).
 *
 *  bin  in the bin        bins since  settledness
 *   1   A new              1    0     0   (bins 1 < 3)
 *   2   -                  2    1     0   (bins 2 < 3)
 *   3   A known            3    2     2/3
 *   4   -                  4    3     1
 *   5   -                  5    4     1   (4/3 capped)
 *   6   B new, C new       6    0     0   (1 before the close)
 *   7   B known            7    1     1/3
 */
static void test_profile_settledness_bins(void **state)
{
	struct profile p;

	(void)state;
	profile_init(&p, 8);
	assert_settled(&p, 3, 0.0);

	profile_observe(&p, 'A', NULL, 0, 1);
	profile_bin_closed(&p); /* bin 1 */
	assert_int_equal(p.bins, 1);
	assert_int_equal(p.bins_since_new, 0);
	assert_settled(&p, 3, 0.0);

	profile_bin_closed(&p); /* bin 2 */
	assert_int_equal(p.bins_since_new, 1);
	assert_settled(&p, 3, 0.0);

	profile_observe(&p, 'A', NULL, 0, 3);
	profile_bin_closed(&p); /* bin 3 */
	assert_int_equal(p.bins, 3);
	assert_int_equal(p.bins_since_new, 2);
	assert_settled(&p, 3, 2.0 / 3.0);

	profile_bin_closed(&p); /* bin 4 */
	assert_settled(&p, 3, 1.0);
	profile_bin_closed(&p); /* bin 5 */
	assert_int_equal(p.bins_since_new, 4);
	assert_settled(&p, 3, 1.0);

	/*
	 * Bin 6: two novel items.  Settledness reads closed bins only, so
	 * both are judged at 1, before and after being observed.
	 */
	assert_int_equal(profile_observe(&p, 'B', NULL, 0, 6), PROFILE_NEW);
	assert_settled(&p, 3, 1.0);
	assert_int_equal(profile_observe(&p, 'C', NULL, 0, 6), PROFILE_NEW);
	assert_settled(&p, 3, 1.0);
	profile_bin_closed(&p); /* bin 6 */
	assert_int_equal(p.bins, 6);
	assert_int_equal(p.bins_since_new, 0);
	assert_settled(&p, 3, 0.0);

	profile_observe(&p, 'B', NULL, 0, 7);
	profile_bin_closed(&p); /* bin 7 */
	assert_int_equal(p.bins_since_new, 1);
	assert_settled(&p, 3, 1.0 / 3.0);

	/* The same profile read with other settle lengths: 1/1 -> 1; 1/4 -> 0.25; 0 -> 1. */
	assert_settled(&p, 1, 1.0);
	assert_settled(&p, 4, 0.25);
	assert_settled(&p, 0, 1.0);
	/* 7 bins < 8: still filling. */
	assert_settled(&p, 8, 0.0);
}

/*
 * A refused item is still first-seen behaviour: it resets the count of
 * bins.  cap 1, A seen 4 times in bin 1 (since 0), then 3 quiet bins
 * (since 3, settled 3/3 = 1); B is refused (A's 4 is not below 4) and
 * the bin it was in closes with since 0.
 */
static void test_profile_settledness_dropped(void **state)
{
	struct profile p;

	(void)state;
	profile_init(&p, 1);
	seen(&p, 'A', 4, 1);
	for (int i = 0; i < 4; i++)
		profile_bin_closed(&p);
	assert_int_equal(p.bins_since_new, 3);
	assert_settled(&p, 3, 1.0);
	assert_int_equal(profile_observe(&p, 'B', NULL, 0, 5), PROFILE_NEW);
	assert_int_equal(p.dropped, 1);
	profile_bin_closed(&p);
	assert_int_equal(p.bins_since_new, 0);
	assert_settled(&p, 3, 0.0);
}

/* A profile that never sees an item settles from its start: its first item is novel. */
static void test_profile_settledness_empty(void **state)
{
	struct profile p;

	(void)state;
	profile_init(&p, 4);
	profile_bin_closed(&p);
	profile_bin_closed(&p);
	assert_settled(&p, 3, 0.0); /* bins 2 < 3 */
	profile_bin_closed(&p);
	assert_settled(&p, 3, 1.0); /* bins 3, since 3 */
}

static void test_profile_bins_saturate(void **state)
{
	struct profile p;

	(void)state;
	profile_init(&p, 4);
	p.bins = UINT32_MAX;
	p.bins_since_new = UINT32_MAX;
	profile_bin_closed(&p);
	assert_int_equal(p.bins, UINT32_MAX);
	assert_int_equal(p.bins_since_new, UINT32_MAX);
	assert_settled(&p, UINT32_MAX, 1.0);
}

/*
 * Items: A count 3 last 10, B 5 last 5, C 3 last 20, D (key 4) 1 last 30,
 * E (key 0) 1 last 30.  By count, then most recent, then lowest key:
 * B(5), C(3, 20), A(3, 10), E(1, 30, key 0), D(1, 30, key 4).
 */
static void test_profile_top(void **state)
{
	struct profile p;
	const struct profile_item *top[PROFILE_CAP_MAX];
	const uint64_t A = 1, B = 2, C = 3, D = 4, E = 0;

	(void)state;
	profile_init(&p, 8);
	seen(&p, A, 3, 10);
	seen(&p, B, 5, 5);
	seen(&p, C, 3, 20);
	seen(&p, D, 1, 30);
	seen(&p, E, 1, 30);

	assert_int_equal(profile_top(&p, top, PROFILE_CAP_MAX), 5);
	assert_int_equal(top[0]->key, B);
	assert_int_equal(top[1]->key, C);
	assert_int_equal(top[2]->key, A);
	assert_int_equal(top[3]->key, E);
	assert_int_equal(top[4]->key, D);

	assert_int_equal(profile_top(&p, top, 2), 2);
	assert_int_equal(top[0]->key, B);
	assert_int_equal(top[1]->key, C);
	assert_int_equal(profile_top(&p, NULL, 0), 0);

	profile_init(&p, 8);
	assert_int_equal(profile_top(&p, top, 4), 0);
}

static void test_profile_label_cut(void **state)
{
	struct profile p;
	char big[64];
	const char raw[] = { 'a', (char)0xff, 0x01, 'z' };

	(void)state;
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)('a' + i % 26);
	profile_init(&p, 8);

	/* 64 bytes offered: PROFILE_LABEL_MAX - 1 = 39 kept, then the NUL. */
	profile_observe(&p, 1, big, sizeof(big), 1);
	assert_int_equal(strlen(profile_find(&p, 1)->label), PROFILE_LABEL_MAX - 1);
	assert_memory_equal(profile_find(&p, 1)->label, big, PROFILE_LABEL_MAX - 1);

	/* Exactly 39 fit whole; 40 lose one. */
	profile_observe(&p, 2, big, 39, 1);
	assert_int_equal(strlen(profile_find(&p, 2)->label), 39);
	profile_observe(&p, 3, big, 40, 1);
	assert_int_equal(strlen(profile_find(&p, 3)->label), 39);
	assert_int_equal(profile_find(&p, 3)->label[38], big[38]);

	/* len 0 with a pointer, and NULL with a length: both empty. */
	profile_observe(&p, 4, big, 0, 1);
	assert_string_equal(profile_find(&p, 4)->label, "");
	profile_observe(&p, 5, NULL, 12, 1);
	assert_string_equal(profile_find(&p, 5)->label, "");

	/* Raw bytes are kept as they are; the label is not taken past len. */
	profile_observe(&p, 6, raw, 3, 1);
	assert_int_equal(strlen(profile_find(&p, 6)->label), 3);
	assert_memory_equal(profile_find(&p, 6)->label, raw, 3);
}

/* =========================================================== DNS cache */

#define MAX_MSG 1024

/* Spaced hex ("1234 8180") and 'quoted text' into out; the byte count. */
static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;

	while (*s != '\0') {
		if (*s == ' ') {
			s++;
		} else if (*s == '\'') {
			for (s++; *s != '\''; s++) {
				assert_true(*s != '\0' && n < cap);
				out[n++] = (uint8_t)*s;
			}
			s++;
		} else {
			char two[3] = { s[0], s[1], '\0' };
			char *end;
			unsigned long v = strtoul(two, &end, 16);

			assert_true(n < cap && end == two + 2);
			out[n++] = (uint8_t)v;
			s += 2;
		}
	}
	return n;
}

/* Feeds len bytes through an exactly-sized heap copy. */
static int add_bytes(struct dns_cache *c, const uint8_t *msg, size_t len, ew_usec_t ts)
{
	uint8_t *copy = malloc(len ? len : 1);
	int r;

	assert_non_null(copy);
	memcpy(copy, msg, len);
	r = dns_cache_add_response(c, copy, len, ts);
	free(copy);
	return r;
}

static int add_hex(struct dns_cache *c, const char *hex, ew_usec_t ts)
{
	uint8_t msg[MAX_MSG];

	return add_bytes(c, msg, unhex(hex, msg, sizeof(msg)), ts);
}

static struct ew_addr v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	const uint8_t q[4] = { a, b, c, d };
	struct ew_addr r;

	ew_addr_set_v4(&r, q);
	return r;
}

static const char *lookup4(const struct dns_cache *c, uint8_t a, uint8_t b, uint8_t x, uint8_t d)
{
	struct ew_addr ad = v4(a, b, x, d);

	return dns_cache_lookup(c, &ad);
}

/*
 * Header of a response: id 1234, flags 8180 (QR, RD, RA, NOERROR), one
 * question, one answer.  The question www.example.com A IN at 12:
 * 03 'www' at 12, 07 'example' at 16, 03 'com' at 24, root at 28, type
 * (29-30), class (31-32); the answer starts at 33.
 */
#define HDR_R1 "1234 8180 0001 0001 0000 0000"
#define Q_WWW "03 'www' 07 'example' 03 'com' 00 0001 0001"
/* An answer at 33: c0 0c (-> 12) A IN, TTL 60, rdlength 4, rdata 45-48. */
#define AN_A(addr) "c00c 0001 0001 0000003c 0004 " addr

/* 49 bytes: www.example.com A 192.0.2.1, TTL 60. */
static const char msg_a[] = HDR_R1 Q_WWW AN_A("c0000201");

static void test_dns_a(void **state)
{
	struct dns_cache *c = dns_cache_create(16);
	ew_usec_t at = 0;
	uint32_t ttl = 0;
	struct ew_addr a = v4(192, 0, 2, 1);

	(void)state;
	assert_non_null(c);
	assert_int_equal(add_hex(c, msg_a, 5000000), 1);
	assert_string_equal(dns_cache_lookup_info(c, &a, &at, &ttl), "www.example.com");
	assert_int_equal(at, 5000000);
	assert_int_equal(ttl, 60);
	assert_null(lookup4(c, 192, 0, 2, 2));
	assert_int_equal(dns_cache_stats(c)->entries, 1);
	assert_int_equal(dns_cache_stats(c)->inserted, 1);
	assert_int_equal(dns_cache_stats(c)->malformed, 0);
	assert_int_equal(dns_cache_stats(c)->ignored, 0);
	dns_cache_destroy(c);
}

/*
 * AAAA, 89 bytes: question iot.example.org AAAA IN at 12 (03 'iot',
 * 07 'example', 03 'org', root at 28); two answers c0 0c AAAA IN, TTL
 * 3600, rdlength 16: 2001:db8::1 and 2001:db8::2.
 */
static const char msg_aaaa[] = "1234 8180 0001 0002 0000 0000"
	"03 'iot' 07 'example' 03 'org' 00 001c 0001"
	"c00c 001c 0001 00000e10 0010 20010db8 00000000 00000000 00000001"
	"c00c 001c 0001 00000e10 0010 20010db8 00000000 00000000 00000002";

static void test_dns_aaaa(void **state)
{
	struct dns_cache *c = dns_cache_create(16);
	uint8_t six[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	struct ew_addr a;
	uint32_t ttl = 0;

	(void)state;
	assert_int_equal(add_hex(c, msg_aaaa, 1), 2);
	six[15] = 1;
	ew_addr_set_v6(&a, six);
	assert_string_equal(dns_cache_lookup_info(c, &a, NULL, &ttl), "iot.example.org");
	assert_int_equal(ttl, 3600);
	six[15] = 2;
	ew_addr_set_v6(&a, six);
	assert_string_equal(dns_cache_lookup(c, &a), "iot.example.org");
	/* The same 16 bytes with another family are another address. */
	a.family = EW_AF_INET;
	assert_null(dns_cache_lookup(c, &a));
	assert_int_equal(dns_cache_stats(c)->entries, 2);
	dns_cache_destroy(c);
}

/*
 * The CNAME chain of the brief, 78 bytes, with compression:
 *  12  question www.example.com A IN (as Q_WWW).
 *  33  c0 0c (-> 12) CNAME IN, TTL 300, rdlength 17 (0x11); rdata at 45:
 *      03 'cdn' (45) 07 'example' (49) 03 'net' (57) 00 (61).
 *  62  c0 2d (-> 45, cdn.example.net) A IN, TTL 300, rdlength 4,
 *      192.0.2.7 (74-77).
 * 192.0.2.7 is recorded under the question, www.example.com.
 */
static const char msg_cname[] = "1234 8180 0001 0002 0000 0000" Q_WWW
	"c00c 0005 0001 0000012c 0011 03 'cdn' 07 'example' 03 'net' 00"
	"c02d 0001 0001 0000012c 0004 c0000207";

static void test_dns_cname(void **state)
{
	struct dns_cache *c = dns_cache_create(16);
	uint8_t msg[MAX_MSG];

	(void)state;
	assert_int_equal(unhex(msg_cname, msg, sizeof(msg)), 78);
	assert_int_equal(add_bytes(c, msg, 78, 1), 1);
	assert_string_equal(lookup4(c, 192, 0, 2, 7), "www.example.com");
	assert_int_equal(dns_cache_stats(c)->entries, 1);
	dns_cache_destroy(c);
}

/*
 * A two-step chain given out of order and in other letter cases, without
 * compression; and an A record for a name outside the chain.
 *  question: 03 'www' 07 'example' 03 'com' 00, A IN
 *  1: 04 'cdn2' 07 'example' 03 'net' 00  A IN TTL 300  198.51.100.1
 *  2: 03 'WWW' 07 'Example' 03 'COM' 00   CNAME -> cdn1.example.net
 *     (rdata 04 'cdn1' 07 'example' 03 'net' 00: 1+4+1+7+1+3+1 = 18 = 0x12)
 *  3: 04 'CDN1' 07 'EXAMPLE' 03 'NET' 00  CNAME -> cdn2.example.net (18)
 *  4: 05 'other' 07 'example' 03 'net' 00 A 198.51.100.2: not in the chain.
 * The name recorded is the question's as sent.
 */
static const char msg_chain_unordered[] = "0001 8180 0001 0004 0000 0000" Q_WWW
	"04 'cdn2' 07 'example' 03 'net' 00 0001 0001 0000012c 0004 c6336401"
	"03 'WWW' 07 'Example' 03 'COM' 00 0005 0001 0000012c 0012"
	"   04 'cdn1' 07 'example' 03 'net' 00"
	"04 'CDN1' 07 'EXAMPLE' 03 'NET' 00 0005 0001 0000012c 0012"
	"   04 'cdn2' 07 'example' 03 'net' 00"
	"05 'other' 07 'example' 03 'net' 00 0001 0001 0000012c 0004 c6336402";

/*
 * Case the other way round: the question 03 'WwW' 07 'example' 03 'com',
 * the A owner written out as 03 'www' 07 'EXAMPLE' 03 'com', 198.51.100.3.
 */
static const char msg_case[] = HDR_R1 "03 'WwW' 07 'example' 03 'com' 00 0001 0001"
	"03 'www' 07 'EXAMPLE' 03 'com' 00 0001 0001 0000012c 0004 c6336403";

static void test_dns_cname_unordered(void **state)
{
	struct dns_cache *c = dns_cache_create(16);

	(void)state;
	assert_int_equal(add_hex(c, msg_chain_unordered, 1), 1);
	assert_string_equal(lookup4(c, 198, 51, 100, 1), "www.example.com");
	assert_null(lookup4(c, 198, 51, 100, 2));
	assert_int_equal(add_hex(c, msg_case, 2), 1);
	assert_string_equal(lookup4(c, 198, 51, 100, 3), "WwW.example.com");
	dns_cache_destroy(c);
}

/*
 * A CNAME loop that still reaches an address:
 *  33  c0 0c (www.example.com) CNAME IN TTL 60 rdlength 11; rdata at 45:
 *      01 'a' (45) 07 'example' (47) 00 (55): a.example (1+1+1+7+1 = 11).
 *  56  c0 2d (-> 45, a.example) CNAME IN TTL 60 rdlength 2; rdata at 68:
 *      c0 0c (-> 12): back to www.example.com.
 *  70  c0 2d (a.example) A IN TTL 60 192.0.2.1.
 * The walk must end and record 192.0.2.1 -> www.example.com.
 */
static const char msg_cname_loop[] = "1234 8180 0001 0003 0000 0000" Q_WWW
	"c00c 0005 0001 0000003c 000b 01 'a' 07 'example' 00"
	"c02d 0005 0001 0000003c 0002 c00c"
	"c02d 0001 0001 0000003c 0004 c0000201";

static void test_dns_cname_loop(void **state)
{
	struct dns_cache *c = dns_cache_create(16);

	(void)state;
	assert_int_equal(add_hex(c, msg_cname_loop, 1), 1);
	assert_string_equal(lookup4(c, 192, 0, 2, 1), "www.example.com");
	dns_cache_destroy(c);
}

/*
 * A records with the wrong rdlength are skipped, the good one beside
 * them recorded:
 *  33  c0 0c A IN TTL 60 rdlength 5: c0 00 02 09 ff (one byte too many)
 *  50  c0 0c A IN TTL 60 rdlength 4: 192.0.2.1
 *  66  c0 0c AAAA IN TTL 60 rdlength 4: c0 00 02 0a (not 16)
 */
static const char msg_bad_rdlength[] = "1234 8180 0001 0003 0000 0000" Q_WWW
	"c00c 0001 0001 0000003c 0005 c0000209ff"
	"c00c 0001 0001 0000003c 0004 c0000201"
	"c00c 001c 0001 0000003c 0004 c000020a";

static void test_dns_wrong_rdlength(void **state)
{
	struct dns_cache *c = dns_cache_create(16);

	(void)state;
	assert_int_equal(add_hex(c, msg_bad_rdlength, 1), 1);
	assert_string_equal(lookup4(c, 192, 0, 2, 1), "www.example.com");
	assert_null(lookup4(c, 192, 0, 2, 9));
	assert_null(lookup4(c, 192, 0, 2, 10));
	assert_int_equal(dns_cache_stats(c)->entries, 1);
	assert_int_equal(dns_cache_stats(c)->malformed, 0);
	dns_cache_destroy(c);
}

/* Hostile or unusable messages: the result, and which counter moves. */
enum expect_counter { NONE, MALFORMED, IGNORED };

struct hostile_case {
	const char *what;
	const char *hex;
	int want;
	enum expect_counter counter;
};

static const struct hostile_case hostile[] = {
	{ "empty", "", -1, MALFORMED },
	{ "header cut at 11 bytes", "1234 8180 0001 0001 0000 00", -1, MALFORMED },
	{ "header only, counts a question", HDR_R1, -1, MALFORMED },
	/* ancount 2, one answer present. */
	{ "answer count past the end", "1234 8180 0001 0002 0000 0000" Q_WWW AN_A("c0000201"), -1,
	  MALFORMED },
	/* rdlength 16 with 4 bytes left. */
	{ "rdlength past the end", HDR_R1 Q_WWW "c00c 0001 0001 0000003c 0010 c0000201", -1,
	  MALFORMED },
	/* The A record's data cut: 3 of 4 bytes. */
	{ "rdata cut", HDR_R1 Q_WWW "c00c 0001 0001 0000003c 0004 c00002", -1, MALFORMED },
	/* The question name at 12 is c0 0c: a pointer to itself. */
	{ "question pointer loop", HDR_R1 "c00c 0001 0001" "c00c 0001 0001 0000003c 0004 c0000201",
	  -1, MALFORMED },
	/* The answer owner at 33 is c0 21 (-> 33): itself. */
	{ "answer pointer to itself", HDR_R1 Q_WWW "c021 0001 0001 0000003c 0004 c0000201", -1,
	  MALFORMED },
	/* The answer owner points forward, past the end (0x3ff = 1023). */
	{ "pointer past the end", HDR_R1 Q_WWW "c3ff 0001 0001 0000003c 0004 c0000201", -1,
	  MALFORMED },
	/* Label length 0x40 (64): a reserved label type. */
	{ "label over 63", HDR_R1 "40 'x' 00 0001 0001", -1, MALFORMED },
	/* QR clear: a query, even one carrying an answer section, is not an answer. */
	{ "query", "1234 0100 0001 0001 0000 0000" Q_WWW AN_A("c0000201"), 0, IGNORED },
	/* rcode 3 (NXDOMAIN) and 2 (SERVFAIL) with an answer: not trusted. */
	{ "nxdomain", "1234 8183 0001 0001 0000 0000" Q_WWW AN_A("c0000201"), 0, IGNORED },
	{ "servfail", "1234 8182 0001 0001 0000 0000" Q_WWW AN_A("c0000201"), 0, IGNORED },
	/* Opcode 1 (IQUERY): flags 8000 | 1 << 11 | 0180 = 8980. */
	{ "opcode iquery", "1234 8980 0001 0001 0000 0000" Q_WWW AN_A("c0000201"), 0, IGNORED },
	/* No question: nothing to name the address by (an mDNS announcement). */
	{ "no question", "1234 8400 0000 0001 0000 0000" "03 'www' 07 'example' 03 'com' 00"
	  "0001 0001 0000003c 0004 c0000201", 0, IGNORED },
	/* Two questions (the second c0 0c again): which name would it be? */
	{ "two questions", "1234 8180 0002 0001 0000 0000" Q_WWW "c00c 0001 0001"
	  "c00c 0001 0001 0000003c 0004 c0000201", 0, IGNORED },
	/* Question class CH (3). */
	{ "question class CH", HDR_R1 "03 'www' 07 'example' 03 'com' 00 0001 0003"
	  AN_A("c0000201"), 0, IGNORED },
	/* The answer in class CH, the question IN: looked into, nothing recorded. */
	{ "answer class CH", HDR_R1 Q_WWW "c00c 0001 0003 0000003c 0004 c0000201", 0, NONE },
	/* The A record in the additional section, owned by the question's name. */
	{ "A in additional", "1234 8180 0001 0000 0000 0001" Q_WWW AN_A("c0000201"), 0, NONE },
	/* An answer for another name: 05 'other' c0 10 (-> 16, example.com). */
	{ "A for another name", HDR_R1 Q_WWW "05 'other' c010 0001 0001 0000003c 0004 c0000201",
	  0, NONE },
	/* AAAA with 4 bytes. */
	{ "AAAA rdlength 4", HDR_R1 Q_WWW "c00c 001c 0001 0000003c 0004 c0000201", 0, NONE },
	/*
	 * A CNAME whose rdata holds a byte more than its target (rdlength 18:
	 * 03 'cdn' (45) 07 'example' 03 'net' 00, ff): bad rdata is not
	 * followed, so the A at 63 for c0 2d (-> 45, cdn.example.net) is not
	 * the question's.
	 */
	{ "CNAME rdata too long", "1234 8180 0001 0002 0000 0000" Q_WWW
	  "c00c 0005 0001 0000003c 0012 03 'cdn' 07 'example' 03 'net' 00 ff"
	  "c02d 0001 0001 0000003c 0004 c0000201", 0, NONE },
};

static void test_dns_hostile_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		const struct hostile_case *h = &hostile[i];
		struct dns_cache *c = dns_cache_create(16);
		const struct dns_cache_stats *st = dns_cache_stats(c);
		int r = add_hex(c, h->hex, 1);

		if (r != h->want)
			fail_msg("%s: got %d, want %d", h->what, r, h->want);
		if (st->malformed != (h->counter == MALFORMED) || st->ignored != (h->counter == IGNORED))
			fail_msg("%s: malformed %llu ignored %llu", h->what,
				 (unsigned long long)st->malformed, (unsigned long long)st->ignored);
		if (st->entries != 0 || st->inserted != 0 || lookup4(c, 192, 0, 2, 1) != NULL)
			fail_msg("%s: something was recorded", h->what);
		dns_cache_destroy(c);
	}
}

static void test_dns_null_args(void **state)
{
	struct dns_cache *c = dns_cache_create(4);
	struct ew_addr a = v4(192, 0, 2, 1);

	(void)state;
	assert_int_equal(dns_cache_add_response(NULL, (const uint8_t *)"", 0, 1), -1);
	assert_int_equal(dns_cache_add_response(c, NULL, 12, 1), -1);
	assert_int_equal(dns_cache_stats(c)->malformed, 1);
	assert_null(dns_cache_lookup(c, NULL));
	assert_null(dns_cache_lookup(NULL, &a));
	dns_cache_destroy(c);
	dns_cache_destroy(NULL);
}

/*
 * A question name over 255 octets on the wire: four labels of 63 'x'
 * (4 * 64 = 256 octets) and the root, 257 in all: refused as malformed.
 * Labels of 62 instead (4 * 63 + 1 = 253 octets, 251 chars of text) are a
 * legal name, recorded whole.
 */
static size_t long_name_msg(uint8_t *m, uint8_t label_len)
{
	static const uint8_t hdr[] = { 0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0 };
	static const uint8_t tail[] = { 0, 1, 0, 1,                   /* question A IN */
					0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4,
					192, 0, 2, 1 };                 /* c0 0c A 192.0.2.1 */
	size_t n = 0;

	memcpy(m, hdr, sizeof(hdr));
	n = sizeof(hdr);
	for (int l = 0; l < 4; l++) {
		m[n++] = label_len;
		memset(m + n, 'x', label_len);
		n += label_len;
	}
	m[n++] = 0;
	memcpy(m + n, tail, sizeof(tail));
	return n + sizeof(tail);
}

static void test_dns_long_names(void **state)
{
	struct dns_cache *c = dns_cache_create(4);
	uint8_t m[MAX_MSG];
	size_t n;

	(void)state;
	n = long_name_msg(m, 63);
	assert_int_equal(n, 12 + 257 + 20);
	assert_int_equal(add_bytes(c, m, n, 1), -1);
	assert_int_equal(dns_cache_stats(c)->malformed, 1);

	n = long_name_msg(m, 62);
	assert_int_equal(add_bytes(c, m, n, 1), 1);
	assert_int_equal(strlen(lookup4(c, 192, 0, 2, 1)), 4 * 62 + 3);
	dns_cache_destroy(c);
}

/*
 * A legal name whose text does not fit: two labels of 63 NUL bytes
 * (129 octets on the wire) escape to 2 * 63 * 4 + 1 = 505 chars, over
 * DNS_CACHE_NAME_MAX - 1 = 255: ignored, not cut.
 */
static void test_dns_escaped_name_too_long(void **state)
{
	struct dns_cache *c = dns_cache_create(4);
	static const uint8_t tail[] = { 0, 1, 0, 1, 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4,
					192, 0, 2, 1 };
	uint8_t m[MAX_MSG] = { 0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0 };
	size_t n = 12;

	(void)state;
	for (int l = 0; l < 2; l++) {
		m[n++] = 63;
		memset(m + n, 0, 63);
		n += 63;
	}
	m[n++] = 0;
	memcpy(m + n, tail, sizeof(tail));
	n += sizeof(tail);
	assert_int_equal(add_bytes(c, m, n, 1), 0);
	assert_int_equal(dns_cache_stats(c)->ignored, 1);
	assert_int_equal(dns_cache_stats(c)->entries, 0);
	dns_cache_destroy(c);
}

/* Every proper prefix of the CNAME message lacks counted bytes: all -1, nothing kept. */
static void test_dns_prefixes(void **state)
{
	struct dns_cache *c = dns_cache_create(4);
	uint8_t m[MAX_MSG];
	size_t n = unhex(msg_cname, m, sizeof(m));

	(void)state;
	for (size_t len = 0; len < n; len++)
		assert_int_equal(add_bytes(c, m, len, 1), -1);
	assert_int_equal(dns_cache_stats(c)->malformed, n);
	assert_int_equal(dns_cache_stats(c)->entries, 0);
	assert_int_equal(add_bytes(c, m, n, 1), 1);
	dns_cache_destroy(c);
}

/* msg_a, or the same for iot.example.org (same lengths), answering v4 a.b.c.d. */
static int add_a(struct dns_cache *c, bool iot, struct ew_addr addr, ew_usec_t ts)
{
	uint8_t m[MAX_MSG];
	size_t n = unhex(msg_a, m, sizeof(m));

	assert_int_equal(n, 49);
	if (iot) {
		memcpy(m + 13, "iot", 3);
		memcpy(m + 25, "org", 3);
	}
	memcpy(m + 45, addr.bytes + 12, 4); /* the A rdata, 45-48 */
	return add_bytes(c, m, n, ts);
}

/*
 * Capacity 2: .1, .2, .3 -> .1 (answered longest ago) is evicted.  Then
 * .2 answered again, as iot.example.org: replaced, and now the newest; so
 * .4 evicts .3, not .2.
 */
static void test_dns_eviction(void **state)
{
	struct dns_cache *c = dns_cache_create(2);
	const struct dns_cache_stats *st = dns_cache_stats(c);

	(void)state;
	assert_int_equal(add_a(c, false, v4(192, 0, 2, 1), 1), 1);
	assert_int_equal(add_a(c, false, v4(192, 0, 2, 2), 2), 1);
	assert_int_equal(add_a(c, false, v4(192, 0, 2, 3), 3), 1);
	assert_int_equal(st->entries, 2);
	assert_int_equal(st->evicted, 1);
	assert_null(lookup4(c, 192, 0, 2, 1));
	assert_non_null(lookup4(c, 192, 0, 2, 2));
	assert_non_null(lookup4(c, 192, 0, 2, 3));

	assert_int_equal(add_a(c, true, v4(192, 0, 2, 2), 4), 1);
	assert_int_equal(st->replaced, 1);
	assert_string_equal(lookup4(c, 192, 0, 2, 2), "iot.example.org");
	assert_int_equal(add_a(c, false, v4(192, 0, 2, 4), 5), 1);
	assert_null(lookup4(c, 192, 0, 2, 3));
	assert_string_equal(lookup4(c, 192, 0, 2, 2), "iot.example.org");
	assert_string_equal(lookup4(c, 192, 0, 2, 4), "www.example.com");
	assert_int_equal(st->entries, 2);
	assert_int_equal(st->evicted, 2);
	assert_int_equal(st->inserted, 4);

	/* Capacity 0 is clamped to 1: one entry. */
	dns_cache_destroy(c);
	c = dns_cache_create(0);
	assert_non_null(c);
	add_a(c, false, v4(192, 0, 2, 1), 1);
	add_a(c, false, v4(192, 0, 2, 2), 2);
	assert_int_equal(dns_cache_stats(c)->entries, 1);
	assert_string_equal(lookup4(c, 192, 0, 2, 2), "www.example.com");
	dns_cache_destroy(c);
}

/*
 * Capacity 4096, 10 000 distinct addresses 10.0.x.y: 4096 stay (the last
 * ones), 10 000 - 4096 = 5904 evicted.
 */
static void test_dns_capacity(void **state)
{
	struct dns_cache *c = dns_cache_create(4096);
	const struct dns_cache_stats *st = dns_cache_stats(c);

	(void)state;
	for (unsigned i = 0; i < 10000; i++)
		assert_int_equal(add_a(c, false, v4(10, 0, (uint8_t)(i >> 8), (uint8_t)i), i), 1);
	assert_int_equal(st->entries, 4096);
	assert_int_equal(st->inserted, 10000);
	assert_int_equal(st->evicted, 5904);
	for (unsigned i = 0; i < 10000; i++) {
		const char *name = lookup4(c, 10, 0, (uint8_t)(i >> 8), (uint8_t)i);

		if ((i < 5904) != (name == NULL))
			fail_msg("address %u: %s", i, name ? name : "(none)");
	}
	dns_cache_destroy(c);
}

/*
 * The bucket dns-cache.c puts an address in, written out again here so
 * the test can pick colliding addresses: ew_mix64() over the two halves
 * of the 16 bytes and the family.  If dns-cache.c changes its hash the
 * addresses below stop colliding and the test fails, pointing here.
 */
static uint32_t bucket(const struct ew_addr *a, uint32_t nbuckets)
{
	uint64_t hi, lo;

	memcpy(&hi, a->bytes, 8);
	memcpy(&lo, a->bytes + 8, 8);
	return (uint32_t)(ew_mix64(hi ^ ew_mix64(lo ^ a->family)) & (nbuckets - 1));
}

/*
 * ew_mix64() is splitmix64's finaliser, which flow ids are made of: pin it
 * to the generator's published values.  splitmix64 with state 0 adds the
 * golden gamma 0x9e3779b97f4a7c15 and finalises it: its first output is
 * 0xe220a8397b1dcdaf.  0 is a fixed point (every step of 0 is 0).  For 1:
 *   1 ^ 1>>30 = 1;  * 0xbf58476d1ce4e5b9 = 0xbf58476d1ce4e5b9;
 *   ^ its >>27 (0x17eb08eda3) = 0xbf58477af7ec081a;
 *   * 0x94d049bb133111eb mod 2^64 = 0x5692161dbd2f29de;
 *   ^ its >>31 (0xad242c3b) = 0x5692161d100b05e5.
 */
static void test_mix64_reference(void **state)
{
	(void)state;
	assert_true(ew_mix64(0x9e3779b97f4a7c15ULL) == 0xe220a8397b1dcdafULL);
	assert_true(ew_mix64(0) == 0);
	assert_true(ew_mix64(1) == 0x5692161d100b05e5ULL);
	/* A bijection: two inputs one bit apart never meet. */
	assert_true(ew_mix64(2) != ew_mix64(3));
}

/*
 * ew_buckets_for(cap): the smallest power of two >= cap, within [16, 2^24].
 * 0 and 1 -> 16 (the floor); 16 -> 16; 17 -> 32; 1000 -> 1024 (2^10);
 * 2^24 -> 2^24; 2^24 + 1 and UINT32_MAX -> 2^24 (the ceiling, no overflow
 * of the doubling loop).
 */
static void test_buckets_for(void **state)
{
	(void)state;
	assert_int_equal(ew_buckets_for(0), 16);
	assert_int_equal(ew_buckets_for(1), 16);
	assert_int_equal(ew_buckets_for(16), 16);
	assert_int_equal(ew_buckets_for(17), 32);
	assert_int_equal(ew_buckets_for(1000), 1024);
	assert_int_equal(ew_buckets_for(1u << 24), 1u << 24);
	assert_int_equal(ew_buckets_for((1u << 24) + 1), 1u << 24);
	assert_int_equal(ew_buckets_for(UINT32_MAX), 1u << 24);
}

/*
 * Capacity 16 (32 buckets): nine addresses in one bucket.  The chain holds
 * DNS_CACHE_CHAIN_MAX = 8; the ninth evicts the chain's oldest (the first)
 * although the cache has room for 16.
 */
static void test_dns_chain_bound(void **state)
{
	struct dns_cache *c = dns_cache_create(16);
	const struct dns_cache_stats *st = dns_cache_stats(c);
	struct ew_addr same[DNS_CACHE_CHAIN_MAX + 1];
	size_t n = 0;

	(void)state;
	for (unsigned i = 0; i < 65536 && n < DNS_CACHE_CHAIN_MAX + 1; i++) {
		struct ew_addr a = v4(10, 1, (uint8_t)(i >> 8), (uint8_t)i);

		if (n == 0 || bucket(&a, 32) == bucket(&same[0], 32))
			same[n++] = a;
	}
	assert_int_equal(n, DNS_CACHE_CHAIN_MAX + 1);
	for (size_t i = 0; i < DNS_CACHE_CHAIN_MAX; i++)
		add_a(c, false, same[i], i);
	assert_int_equal(st->entries, DNS_CACHE_CHAIN_MAX);
	assert_int_equal(st->evicted, 0);
	add_a(c, false, same[DNS_CACHE_CHAIN_MAX], 100);
	assert_int_equal(st->entries, DNS_CACHE_CHAIN_MAX);
	assert_int_equal(st->evicted, 1);
	assert_null(dns_cache_lookup(c, &same[0]));
	for (size_t i = 1; i <= DNS_CACHE_CHAIN_MAX; i++)
		assert_non_null(dns_cache_lookup(c, &same[i]));
	dns_cache_destroy(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_profile_init_clamps),
		cmocka_unit_test(test_profile_new_known),
		cmocka_unit_test(test_profile_count_saturates),
		cmocka_unit_test(test_profile_replacement),
		cmocka_unit_test(test_profile_replacement_tie),
		cmocka_unit_test(test_profile_settledness_bins),
		cmocka_unit_test(test_profile_settledness_dropped),
		cmocka_unit_test(test_profile_settledness_empty),
		cmocka_unit_test(test_profile_bins_saturate),
		cmocka_unit_test(test_profile_top),
		cmocka_unit_test(test_profile_label_cut),
		cmocka_unit_test(test_dns_a),
		cmocka_unit_test(test_dns_aaaa),
		cmocka_unit_test(test_dns_cname),
		cmocka_unit_test(test_dns_cname_unordered),
		cmocka_unit_test(test_dns_cname_loop),
		cmocka_unit_test(test_dns_wrong_rdlength),
		cmocka_unit_test(test_dns_hostile_table),
		cmocka_unit_test(test_dns_null_args),
		cmocka_unit_test(test_dns_long_names),
		cmocka_unit_test(test_dns_escaped_name_too_long),
		cmocka_unit_test(test_dns_prefixes),
		cmocka_unit_test(test_dns_eviction),
		cmocka_unit_test(test_dns_capacity),
		cmocka_unit_test(test_dns_chain_bound),
		cmocka_unit_test(test_mix64_reference),
		cmocka_unit_test(test_buckets_for),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
