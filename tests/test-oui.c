/*
 * test-oui.c - unit tests of the MAC vendor registry (src/device-oui.c).
 *
 * Hand-made registries written into a temporary directory: quoted names
 * with commas and "" quotes, a record spread over several lines, all three
 * prefix lengths nested inside each other so that the longest match is
 * what answers, duplicates, and optional files left out.  Then a table of
 * broken files, each with the exact one-line message expected, the line
 * worked out by hand.  Last, when Debian's ieee-data is installed, the
 * real registry: lookups of well-known prefixes against the file's own
 * line as grep finds it.  Run under ASan to catch leaks and overruns.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "device-oui.h"

#define ERRLEN 512
#define REAL_DIR "/usr/share/ieee-data"

#define HEADER "Registry,Assignment,Organization Name,Organization Address\r\n"

/*
 * oui.csv: CRLF line ends as in the real files, a quoted name with a
 * comma, one with "" quotes (the real 001ECB), an address over three
 * lines, a blank line, trailing and leading blanks, a duplicate (the real
 * 080030), lower-case hex, and prefixes with the local and group bits set
 * (the real 02608C and 1100AA).  11 distinct prefixes.
 */
static const char good_oui[] =
	HEADER
	"MA-L,001788,Philips Lighting BV,High Tech Campus 45 Eindhoven Noord Brabant NL 5656 AE \r\n"
	"MA-L,000C29,\"VMware, Inc.\",3401 Hillview Avenue Palo Alto CA US 94304 \r\n"
	"MA-L,001ECB,\"\"\"RPC \"\"Energoautomatika\"\" Ltd\",\"Krasnokazarmennaya st., 13/1 "
	"Moscow  RU 111250 \"\r\n"
	"MA-L,0050C2,IEEE Registration Authority,445 Hoes Lane Piscataway NJ US 08554 \r\n"
	"MA-L,5885E9,Realme Chongqing,\"No.24 Nichang Boulevard, \n" /* lines 6-8 */
	"Huixing Block,\n"
	"Chongqing CN 401120 \"\r\n"
	"\r\n"
	"MA-L,D46137,Umbrella Corp   ,\r\n" /* line 10 */
	"MA-L,080030,NETWORK RESEARCH CORPORATION,2380 N. ROSE AVENUE OXNARD CA US 93010 \r\n"
	"MA-L,080030,CERN,CH-1211  GENEVE SUISSE/SWITZ CH 023 \r\n"
	"MA-L,a0b1c2,\t lower-case hex \t,\r\n"
	"MA-L,02608C,3COM,local bit set\r\n"
	"MA-L,1100AA,Private,group bit set\r\n"
	"MA-L,70B3D5,IEEE Registration Authority,445 Hoes Lane Piscataway NJ US 08554 \r\n";

/* mam.csv, with bare LF line ends: 28-bit blocks inside 0050C2 and D46137. */
static const char good_mam[] =
	"Registry,Assignment,Organization Name,Organization Address\n"
	"MA-M,0050C27,Twenty-Eight Bits Ltd,\n"
	"MA-M,D461379,\"Nine, Inc.\",\n";

/* iab.csv: a 36-bit block inside the 28-bit 0050C27, and one that MA-S also lists. */
static const char good_iab[] =
	HEADER
	"IAB,0050C27D5,DEUTA-WERKE GmbH,Paffrather Strasse 140 Bergisch-Gladbach NRW DE 51465 \r\n"
	"IAB,70B3D5F2F,IAB Loser,\r\n";

/* oui36.csv, whose last line has no line end; MA-S loads before IAB, so it wins 70B3D5F2F. */
static const char good_oui36[] =
	HEADER
	"MA-S,70B3D5F2F,TELEPLATFORMS,\"Polbina st., 3/1 Moscow  RU 109388 \"\r\n"
	"MA-S,70B3D5719,2M Technology,802 Greenview Drive  Grand Prairie TX US 75050 ";

/* ------------------------------------------------------------ fixture */

static char tmpdir[] = "/tmp/test-oui-XXXXXX";

static const char *tmp_path(const char *base)
{
	static char path[sizeof(tmpdir) + 256 + 2];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, base);
	return path;
}

static void write_file(const char *base, const char *data, size_t len)
{
	FILE *fp = fopen(tmp_path(base), "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static void write_text(const char *base, const char *text)
{
	write_file(base, text, strlen(text));
}

static int group_setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

/* Empties tmpdir after every test (files and the directories some tests make). */
static int clear_dir(void **state)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;

	(void)state;
	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (unlink(tmp_path(e->d_name)) < 0)
			rmdir(tmp_path(e->d_name));
	}
	closedir(d);
	return 0;
}

static int group_teardown(void **state)
{
	clear_dir(state);
	return rmdir(tmpdir);
}

/* "tmpdir/rest", the form every message takes. */
static const char *in_tmp(const char *rest)
{
	static char want[ERRLEN];

	snprintf(want, sizeof(want), "%s/%s", tmpdir, rest);
	return want;
}

static struct oui_db *load_ok(void)
{
	char err[ERRLEN];
	struct oui_db *db = oui_db_load(tmpdir, err, sizeof(err));

	if (db == NULL)
		fail_msg("load failed: %s", err);
	assert_string_equal(err, "");
	return db;
}

static void expect_load_error(const char *want_rest)
{
	char err[ERRLEN];

	assert_null(oui_db_load(tmpdir, err, sizeof(err)));
	assert_string_equal(err, in_tmp(want_rest));
}

/* Looks up aa:bb:cc:dd:ee:ff, given as six bytes. */
static const char *lookup(const struct oui_db *db, uint8_t a, uint8_t b, uint8_t c, uint8_t d,
			  uint8_t e, uint8_t f)
{
	const uint8_t mac[6] = { a, b, c, d, e, f };

	return oui_db_lookup(db, mac);
}

static void assert_name(const char *got, const char *want)
{
	if (want == NULL)
		assert_null(got);
	else if (got == NULL)
		fail_msg("expected '%s', got NULL", want);
	else
		assert_string_equal(got, want);
}

/* ------------------------------------------------------------ good files */

/* oui.csv, mam.csv and iab.csv; oui36.csv is missing, which is fine. */
static void test_longest_prefix(void **state)
{
	struct oui_db *db;

	(void)state;
	write_text("oui.csv", good_oui);
	write_text("mam.csv", good_mam);
	write_text("iab.csv", good_iab);
	db = load_ok();
	assert_int_equal(oui_db_count(db), 11 + 2 + 2);

	/* 0050C2 (24) holds 0050C27 (28) holds 0050C27D5 (36). */
	assert_name(lookup(db, 0x00, 0x50, 0xc2, 0x7d, 0x5a, 0xbc), "DEUTA-WERKE GmbH");
	assert_name(lookup(db, 0x00, 0x50, 0xc2, 0x7d, 0x50, 0x00), "DEUTA-WERKE GmbH");
	assert_name(lookup(db, 0x00, 0x50, 0xc2, 0x7d, 0x5f, 0xff), "DEUTA-WERKE GmbH");
	assert_name(lookup(db, 0x00, 0x50, 0xc2, 0x7d, 0x4f, 0xff), "Twenty-Eight Bits Ltd");
	assert_name(lookup(db, 0x00, 0x50, 0xc2, 0x7d, 0x60, 0x00), "Twenty-Eight Bits Ltd");
	assert_name(lookup(db, 0x00, 0x50, 0xc2, 0x70, 0x00, 0x00), "Twenty-Eight Bits Ltd");
	assert_name(lookup(db, 0x00, 0x50, 0xc2, 0x7f, 0xff, 0xff), "Twenty-Eight Bits Ltd");
	assert_name(lookup(db, 0x00, 0x50, 0xc2, 0x6f, 0xff, 0xff), "IEEE Registration Authority");
	assert_name(lookup(db, 0x00, 0x50, 0xc2, 0x80, 0x00, 0x00), "IEEE Registration Authority");
	assert_name(lookup(db, 0xd4, 0x61, 0x37, 0x9a, 0xbc, 0xde), "Nine, Inc.");
	assert_name(lookup(db, 0xd4, 0x61, 0x37, 0x8f, 0xff, 0xff), "Umbrella Corp");
	/* Without oui36.csv the IAB row answers for 70B3D5F2F. */
	assert_name(lookup(db, 0x70, 0xb3, 0xd5, 0xf2, 0xf1, 0x23), "IAB Loser");
	assert_name(lookup(db, 0x70, 0xb3, 0xd5, 0x71, 0x90, 0x00), "IEEE Registration Authority");

	/* Quoting, trimming, several lines, lower-case hex, the first of two rows. */
	assert_name(lookup(db, 0x00, 0x17, 0x88, 0x12, 0x34, 0x56), "Philips Lighting BV");
	assert_name(lookup(db, 0x00, 0x0c, 0x29, 0xab, 0xcd, 0xef), "VMware, Inc.");
	assert_name(lookup(db, 0x00, 0x1e, 0xcb, 0x00, 0x00, 0x01),
		    "\"RPC \"Energoautomatika\" Ltd");
	assert_name(lookup(db, 0x58, 0x85, 0xe9, 0x00, 0x00, 0x00), "Realme Chongqing");
	assert_name(lookup(db, 0x08, 0x00, 0x30, 0x01, 0x02, 0x03), "NETWORK RESEARCH CORPORATION");
	assert_name(lookup(db, 0xa0, 0xb1, 0xc2, 0x00, 0x00, 0x00), "lower-case hex");

	/* Unknown prefixes, and the neighbours of known ones. */
	assert_name(lookup(db, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00), NULL);
	assert_name(lookup(db, 0x00, 0x17, 0x87, 0xff, 0xff, 0xff), NULL);
	assert_name(lookup(db, 0x00, 0x17, 0x89, 0x00, 0x00, 0x00), NULL);
	assert_name(lookup(db, 0xfc, 0xff, 0xff, 0xff, 0xff, 0xff), NULL);
	oui_db_free(db);
}

/* Names are interned: two rows with one organisation share one string. */
static void test_names_shared(void **state)
{
	struct oui_db *db;

	(void)state;
	write_text("oui.csv", good_oui);
	db = load_ok();
	assert_ptr_equal(lookup(db, 0x00, 0x50, 0xc2, 0x00, 0x00, 0x00),
			 lookup(db, 0x70, 0xb3, 0xd5, 0x00, 0x00, 0x00));
	oui_db_free(db);
}

/* All four files: MA-S is read before IAB, so it keeps the prefix both list. */
static void test_all_four_files(void **state)
{
	struct oui_db *db;

	(void)state;
	write_text("oui.csv", good_oui);
	write_text("mam.csv", good_mam);
	write_text("oui36.csv", good_oui36);
	write_text("iab.csv", good_iab);
	db = load_ok();
	assert_int_equal(oui_db_count(db), 11 + 2 + 2 + 2 - 1);
	assert_name(lookup(db, 0x70, 0xb3, 0xd5, 0xf2, 0xf1, 0x23), "TELEPLATFORMS");
	assert_name(lookup(db, 0x70, 0xb3, 0xd5, 0x71, 0x9f, 0xff), "2M Technology");
	assert_name(lookup(db, 0x70, 0xb3, 0xd5, 0x71, 0xa0, 0x00), "IEEE Registration Authority");
	assert_name(lookup(db, 0x00, 0x50, 0xc2, 0x7d, 0x5a, 0xbc), "DEUTA-WERKE GmbH");
	oui_db_free(db);
}

/* oui.csv alone: every optional file missing; 36- and 28-bit blocks fall back to MA-L. */
static void test_only_oui(void **state)
{
	struct oui_db *db;

	(void)state;
	write_text("oui.csv", good_oui);
	db = load_ok();
	assert_int_equal(oui_db_count(db), 11);
	assert_name(lookup(db, 0x00, 0x50, 0xc2, 0x7d, 0x5a, 0xbc), "IEEE Registration Authority");
	assert_name(lookup(db, 0xd4, 0x61, 0x37, 0x9a, 0xbc, 0xde), "Umbrella Corp");
	oui_db_free(db);
}

/* A registry with only its header is empty, not an error. */
static void test_header_only(void **state)
{
	struct oui_db *db;

	(void)state;
	write_text("oui.csv", HEADER);
	db = load_ok();
	assert_int_equal(oui_db_count(db), 0);
	assert_name(lookup(db, 0x00, 0x17, 0x88, 0x00, 0x00, 0x00), NULL);
	oui_db_free(db);
}

/* A UTF-8 byte order mark, a trailing "/" on the directory, no final line end. */
static void test_bom_and_trailing_slash(void **state)
{
	char dir[128], err[ERRLEN];
	struct oui_db *db;

	(void)state;
	write_text("oui.csv", "\xef\xbb\xbf" HEADER "MA-L,001788,Philips Lighting BV,x");
	snprintf(dir, sizeof(dir), "%s/", tmpdir);
	db = oui_db_load(dir, err, sizeof(err));
	assert_non_null(db);
	assert_int_equal(oui_db_count(db), 1);
	assert_name(lookup(db, 0x00, 0x17, 0x88, 0x00, 0x00, 0x00), "Philips Lighting BV");
	oui_db_free(db);
	unlink(tmp_path("oui.csv"));
	assert_null(oui_db_load(dir, err, sizeof(err)));
	assert_string_equal(err, in_tmp("oui.csv: No such file or directory"));
}

/*
 * Randomised MACs (local bit) and group addresses answer NULL even where
 * the table lists their prefix (02608C and 1100AA in good_oui), and the
 * bits of a listed vendor's prefix turn it into a NULL too.
 */
static void test_local_and_multicast(void **state)
{
	static const uint8_t philips[6] = { 0x00, 0x17, 0x88, 0x01, 0x02, 0x03 };
	static const uint8_t local[6] = { 0x02, 0x17, 0x88, 0x01, 0x02, 0x03 };
	static const uint8_t group[6] = { 0x01, 0x17, 0x88, 0x01, 0x02, 0x03 };
	static const uint8_t random_mac[6] = { 0xda, 0xa1, 0x19, 0x5e, 0x00, 0x01 };
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t ipv4_mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb };
	static const uint8_t ipv6_mcast[6] = { 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 };
	struct oui_db *db;

	(void)state;
	assert_false(mac_is_local_admin(philips));
	assert_false(mac_is_multicast(philips));
	assert_true(mac_is_local_admin(local));
	assert_false(mac_is_multicast(local));
	assert_false(mac_is_local_admin(group));
	assert_true(mac_is_multicast(group));
	assert_true(mac_is_local_admin(random_mac));
	assert_false(mac_is_multicast(random_mac));
	assert_true(mac_is_local_admin(bcast));
	assert_true(mac_is_multicast(bcast));
	assert_false(mac_is_local_admin(ipv4_mcast));
	assert_true(mac_is_multicast(ipv4_mcast));
	assert_true(mac_is_local_admin(ipv6_mcast));
	assert_true(mac_is_multicast(ipv6_mcast));

	write_text("oui.csv", good_oui);
	db = load_ok();
	assert_name(oui_db_lookup(db, philips), "Philips Lighting BV");
	assert_name(oui_db_lookup(db, local), NULL);
	assert_name(oui_db_lookup(db, group), NULL);
	assert_name(oui_db_lookup(db, bcast), NULL);
	assert_name(lookup(db, 0x02, 0x60, 0x8c, 0x00, 0x00, 0x01), NULL);
	assert_name(lookup(db, 0x11, 0x00, 0xaa, 0x00, 0x00, 0x01), NULL);
	oui_db_free(db);
}

/* NULL handles, a NULL directory, no room or a tiny room for the message. */
static void test_null_and_small_err(void **state)
{
	static const uint8_t mac[6] = { 0x00, 0x17, 0x88, 0x00, 0x00, 0x00 };
	char err[16];

	(void)state;
	oui_db_free(NULL);
	assert_int_equal(oui_db_count(NULL), 0);
	assert_null(oui_db_lookup(NULL, mac));
	assert_null(oui_db_load(NULL, err, sizeof(err)));
	assert_string_equal(err, "(registry): no ");
	assert_null(oui_db_load(tmpdir, NULL, 0));
	memset(err, 'x', sizeof(err));
	assert_null(oui_db_load(tmpdir, err, 0));
	assert_int_equal(err[0], 'x');
	assert_null(oui_db_load(tmpdir, err, sizeof(err)));
	assert_int_equal(strlen(err), sizeof(err) - 1);
	assert_int_equal(strncmp(err, tmpdir, sizeof(err) - 1), 0);
}

/* ------------------------------------------------------------ limits */

/* A record of exactly 1024 bytes loads; one byte more is refused. */
static void test_line_limit(void **state)
{
	char text[2048];
	const char *row = "MA-L,001788,Philips Lighting BV,";
	size_t hlen = strlen(HEADER), rlen = strlen(row);
	struct oui_db *db;

	(void)state;
	memcpy(text, HEADER, hlen);
	memcpy(text + hlen, row, rlen);
	memset(text + hlen + rlen, 'a', 1024 - rlen);
	memcpy(text + hlen + 1024, "\r\n", 3);
	write_text("oui.csv", text);
	db = load_ok();
	assert_name(lookup(db, 0x00, 0x17, 0x88, 0x00, 0x00, 0x00), "Philips Lighting BV");
	oui_db_free(db);

	memcpy(text + hlen + 1024, "a\r\n", 4);
	write_text("oui.csv", text);
	expect_load_error("oui.csv:2: line is longer than 1024 bytes");
}

/* Writes a header and `rows` distinct MA-L rows as oui.csv. */
static void write_rows(size_t rows)
{
	size_t cap = strlen(HEADER) + rows * 24 + 1, n;
	char *text = malloc(cap);

	assert_non_null(text);
	n = (size_t)snprintf(text, cap, "%s", HEADER);
	for (size_t i = 0; i < rows; i++)
		n += (size_t)snprintf(text + n, cap - n, "MA-L,%06zX,V%zu,\n", i, i % 100);
	write_file("oui.csv", text, n);
	free(text);
}

/* 200,000 rows load; the next one is refused with its line. */
static void test_entry_cap(void **state)
{
	struct oui_db *db;

	(void)state;
	write_rows(200000);
	db = load_ok();
	assert_int_equal(oui_db_count(db), 200000);
	assert_name(lookup(db, 0x03, 0x0d, 0x3f, 0x00, 0x00, 0x00), NULL); /* local bit */
	assert_name(lookup(db, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00), NULL); /* group bit */
	assert_name(lookup(db, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00), "V56"); /* row 256 */
	assert_name(lookup(db, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00), "V0");
	oui_db_free(db);
	write_rows(200001);
	expect_load_error("oui.csv:200002: more than 200000 entries");
}

/* Size from fstat: 32 MiB is read (and found to be zeros); 32 MiB + 1 is refused unread. */
static void test_file_size_limit(void **state)
{
	int fd;

	(void)state;
	fd = open(tmp_path("oui.csv"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 32 * 1024 * 1024), 0);
	assert_int_equal(close(fd), 0);
	expect_load_error("oui.csv:1: NUL byte in file");
	assert_int_equal(truncate(tmp_path("oui.csv"), 32 * 1024 * 1024 + 1), 0);
	expect_load_error("oui.csv: file is larger than 33554432 bytes");
}

/* Only a missing optional file is skipped; one that cannot be read is an error. */
static void test_unreadable_files(void **state)
{
	(void)state;
	expect_load_error("oui.csv: No such file or directory");
	write_text("mam.csv", good_mam);
	expect_load_error("oui.csv: No such file or directory");
	assert_int_equal(mkdir(tmp_path("oui.csv"), 0700), 0);
	expect_load_error("oui.csv: Is a directory");
	assert_int_equal(rmdir(tmp_path("oui.csv")), 0);
	write_text("oui.csv", good_oui);
	assert_int_equal(mkdir(tmp_path("iab.csv"), 0700), 0);
	expect_load_error("iab.csv: Is a directory");
}

/* ------------------------------------------------------------ bad files */

#define R4(x) x x x x
#define R16(x) R4(R4(x))

struct bad_case {
	const char *name;
	const char *file; /* the broken file; a good oui.csv goes with any other */
	const char *text;
	size_t len; /* 0: strlen(text) */
	const char *msg; /* expected error after "tmpdir/" */
};

static struct bad_case bad_cases[] = {
	{ "bad_hex", "oui.csv", HEADER "MA-L,001788,Philips,x\r\nMA-L,00G788,Bad,x\r\n", 0,
	  "oui.csv:3: assignment '00G788' is not hexadecimal" },
	{ "hex_with_space", "oui.csv", HEADER "MA-L, 01788,Bad,x\r\n", 0,
	  "oui.csv:2: assignment ' 01788' is not hexadecimal" },
	{ "hex_with_prefix", "oui.csv", HEADER "MA-L,0x1788,Bad,x\r\n", 0,
	  "oui.csv:2: assignment '0x1788' is not hexadecimal" },
	{ "short_assignment", "oui.csv", HEADER "MA-L,00178,Short,x\r\n", 0,
	  "oui.csv:2: assignment '00178' has 5 hex digits, expected 6" },
	{ "empty_assignment", "oui.csv", HEADER "MA-L,,Nobody,x\r\n", 0,
	  "oui.csv:2: assignment '' has 0 hex digits, expected 6" },
	{ "long_assignment_quoted_cut", "oui.csv",
	  HEADER "MA-L,0123456789ABCDEF0123456789ABCDEF01234567,X,y\r\n", 0,
	  "oui.csv:2: assignment '0123456789ABCDEF0123456789ABCDEF...' has 40 hex digits, "
	  "expected 6" },
	{ "mam_wrong_length", "mam.csv", HEADER "MA-M,0050C27D,X,\r\n", 0,
	  "mam.csv:2: assignment '0050C27D' has 8 hex digits, expected 7" },
	{ "iab_wrong_length", "iab.csv", HEADER "IAB,0050C27,X,\r\n", 0,
	  "iab.csv:2: assignment '0050C27' has 7 hex digits, expected 9" },
	{ "oui36_oui_length", "oui36.csv", HEADER "MA-S,70B3D5,X,\r\n", 0,
	  "oui36.csv:2: assignment '70B3D5' has 6 hex digits, expected 9" },
	{ "missing_field", "oui.csv", HEADER "MA-L,001788,Philips\r\n", 0,
	  "oui.csv:2: expected 4 fields, found 3" },
	{ "registry_only", "oui.csv", HEADER "MA-L\r\n", 0,
	  "oui.csv:2: expected 4 fields, found 1" },
	{ "extra_field", "oui.csv", HEADER "MA-L,001788,Philips,addr,more\r\n", 0,
	  "oui.csv:2: expected 4 fields, found 5" },
	{ "unquoted_comma_in_name", "oui.csv", HEADER "MA-L,000C29,VMware, Inc.,Palo Alto\r\n", 0,
	  "oui.csv:2: expected 4 fields, found 5" },
	{ "cr_line_ends", "oui.csv", HEADER "MA-L,001788,Philips,x\rMA-L,000C29,VMware,y\r", 0,
	  "oui.csv:2: expected 4 fields, found 7" },
	{ "unterminated_quote", "oui.csv",
	  HEADER "MA-L,000C29,VMware,x\r\nMA-L,001788,\"Philips,addr\r\n", 0,
	  "oui.csv:3: unterminated quoted field" },
	{ "unterminated_quote_swallows", "oui.csv",
	  HEADER "MA-L,001788,\"Philips,addr\r\n" R16(R4("MA-L,000C29,VMware,x\r\n")), 0,
	  "oui.csv:2: line is longer than 1024 bytes (unterminated quote?)" },
	{ "text_after_quote", "oui.csv", HEADER "MA-L,001788,\"Philips\" BV,x\r\n", 0,
	  "oui.csv:2: text after a closing quote" },
	{ "quote_in_plain_field", "oui.csv", HEADER "MA-L,001788,Phil\"ips,x\r\n", 0,
	  "oui.csv:2: quote inside an unquoted field" },
	{ "space_before_quote", "oui.csv", HEADER "MA-L,001788, \"Philips\",x\r\n", 0,
	  "oui.csv:2: quote inside an unquoted field" },
	{ "wrong_registry", "oui.csv", HEADER "MA-M,0017881,Philips,x\r\n", 0,
	  "oui.csv:2: registry 'MA-M', expected 'MA-L'" },
	{ "iab_row_in_oui36", "oui36.csv", HEADER "IAB,70B3D5F2F,X,\r\n", 0,
	  "oui36.csv:2: registry 'IAB', expected 'MA-S'" },
	{ "control_char_in_message", "oui.csv", HEADER "MA\x01L,001788,X,y\r\n", 0,
	  "oui.csv:2: registry 'MA?L', expected 'MA-L'" },
	{ "empty_name", "oui.csv", HEADER "MA-L,001788,\" \t \",x\r\n", 0,
	  "oui.csv:2: empty organization name" },
	{ "bad_header", "oui.csv", "Registry,Assignment,Organization Name\r\n", 0,
	  "oui.csv:1: not an IEEE registry: expected the header "
	  "'Registry,Assignment,Organization Name,Organization Address'" },
	{ "no_header", "oui.csv", "MA-L,001788,Philips,x\r\n", 0,
	  "oui.csv:1: not an IEEE registry: expected the header "
	  "'Registry,Assignment,Organization Name,Organization Address'" },
	{ "txt_format", "oui.csv", "OUI/MA-L\t\t\tOrganization\n00-17-88   (hex)\t\tPhilips\n", 0,
	  "oui.csv:1: not an IEEE registry: expected the header "
	  "'Registry,Assignment,Organization Name,Organization Address'" },
	{ "bad_header_in_mam", "mam.csv", "Registry,Assignment\n", 0,
	  "mam.csv:1: not an IEEE registry: expected the header "
	  "'Registry,Assignment,Organization Name,Organization Address'" },
	{ "empty_file", "oui.csv", "", 0, "oui.csv:1: empty file, expected the header" },
	{ "blank_lines_only", "oui.csv", "\r\n\n\r\n", 0, "oui.csv:1: empty file, expected the header" },
	{ "nul_byte", "oui.csv", HEADER "MA-L,001788,Phil\0ips,x\r\n", sizeof(HEADER) - 1 + 24,
	  "oui.csv:2: NUL byte in file" },
	{ "line_after_multiline_record", "oui.csv",
	  HEADER "MA-L,5885E9,Realme,\"a\nb\nc\"\r\nMA-L,XYZ,Bad,x\r\n", 0,
	  "oui.csv:5: assignment 'XYZ' is not hexadecimal" },
	{ "line_after_blank_lines", "oui.csv", HEADER "\r\n\r\nMA-L,12,Bad,x\r\n", 0,
	  "oui.csv:4: assignment '12' has 2 hex digits, expected 6" },
	{ "error_in_second_file", "iab.csv",
	  HEADER "IAB,0050C27D5,DEUTA-WERKE GmbH,x\r\nIAB,0050C27D6,\"DEUTA\"\"\",x,y\r\n", 0,
	  "iab.csv:3: expected 4 fields, found 5" },
};

#define NBAD (sizeof(bad_cases) / sizeof(bad_cases[0]))

static void test_bad_case(void **state)
{
	const struct bad_case *c = *state;

	if (strcmp(c->file, "oui.csv") != 0)
		write_text("oui.csv", good_oui);
	write_file(c->file, c->text, c->len ? c->len : strlen(c->text));
	expect_load_error(c->msg);
}

/* ------------------------------------------------------------ the real registry */

/* A copy of s without surrounding blanks; tabs count as blanks, as in the loader. */
static void trim_copy(char *out, size_t outlen, const char *s, size_t n)
{
	size_t a = 0;

	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	while (a < n && (s[a] == ' ' || s[a] == '\t'))
		a++;
	snprintf(out, outlen, "%.*s", (int)(n - a), s + a);
}

/*
 * The organisation on the first line of `file` that starts "reg,hex,",
 * read by grep and split here by hand: 0, or -1 when there is no such line.
 */
static int grep_name(const char *file, const char *reg, const char *hex, char *name,
		     size_t namelen)
{
	char cmd[256], line[2048], buf[2048];
	const char *p;
	size_t n = 0;
	FILE *fp;
	bool got;

	snprintf(cmd, sizeof(cmd), "grep -m1 '^%s,%s,' %s/%s", reg, hex, REAL_DIR, file);
	fp = popen(cmd, "r");
	assert_non_null(fp);
	got = fgets(line, sizeof(line), fp) != NULL;
	pclose(fp);
	if (!got)
		return -1;
	p = line + strlen(reg) + 1 + strlen(hex) + 1;
	if (*p != '"') {
		trim_copy(name, namelen, p, strcspn(p, ",\r\n"));
		return 0;
	}
	for (p++; *p != '\0' && n < sizeof(buf) - 1; p++) {
		if (*p == '"' && p[1] != '"')
			break;
		if (*p == '"')
			p++;
		buf[n++] = *p;
	}
	trim_copy(name, namelen, buf, n);
	return 0;
}

/* A MAC whose first hex digits are hex and whose other digits are a fixed pattern. */
static void mac_from_hex(uint8_t mac[6], const char *hex)
{
	static const char fill[] = "A5C3E1B7D9F2";
	char digits[13];
	size_t n = strlen(hex);

	memcpy(digits, hex, n);
	memcpy(digits + n, fill + n, 12 - n);
	digits[12] = '\0';
	for (size_t i = 0; i < 6; i++) {
		unsigned v;

		assert_int_equal(sscanf(digits + 2 * i, "%2x", &v), 1);
		mac[i] = (uint8_t)v;
	}
}

static bool contains_nocase(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay != '\0'; hay++) {
		size_t i = 0;

		while (i < n && hay[i] != '\0' &&
		       (hay[i] | 0x20) == (needle[i] | 0x20))
			i++;
		if (i == n)
			return true;
	}
	return false;
}

/* The db's answer for the row `reg,hex,` of file, checked against the row itself. */
static void check_real_row(const struct oui_db *db, const char *file, const char *reg,
			   const char *hex, const char *brand)
{
	char want[512];
	uint8_t mac[6];

	if (grep_name(file, reg, hex, want, sizeof(want)) < 0) {
		print_message("no %s row %s in %s/%s; not checked\n", reg, hex, REAL_DIR, file);
		return;
	}
	mac_from_hex(mac, hex);
	assert_name(oui_db_lookup(db, mac), want);
	if (brand != NULL && !contains_nocase(want, brand))
		fail_msg("%s %s is '%s', not %s", reg, hex, want, brand);
	mac[0] |= 0x02; /* the same prefix, randomised */
	assert_null(oui_db_lookup(db, mac));
}

/* The first assignment in file, as grep finds it: 0, or -1 when there is none. */
static int grep_first_hex(const char *file, const char *reg, char *hex, size_t hexlen)
{
	char cmd[256], line[2048];
	FILE *fp;
	bool got;

	snprintf(cmd, sizeof(cmd), "grep -m1 '^%s,' %s/%s", reg, REAL_DIR, file);
	fp = popen(cmd, "r");
	assert_non_null(fp);
	got = fgets(line, sizeof(line), fp) != NULL;
	pclose(fp);
	if (!got)
		return -1;
	snprintf(hex, hexlen, "%.*s", (int)strcspn(line + strlen(reg) + 1, ","),
		 line + strlen(reg) + 1);
	return 0;
}

/* Distinct prefixes over the files, counted by a shell pipeline; MA-S and IAB share a table. */
static long count_real_prefixes(void)
{
	FILE *fp = popen("cd " REAL_DIR " && cat oui.csv mam.csv oui36.csv iab.csv 2>/dev/null"
			 " | grep -oE '^(MA-L|MA-M|MA-S|IAB),[0-9A-Fa-f]+,'"
			 " | sed 's/^MA-S,/IAB,/' | tr a-f A-F | sort -u | wc -l",
			 "r");
	long n = -1;

	assert_non_null(fp);
	if (fscanf(fp, "%ld", &n) != 1)
		n = -1;
	pclose(fp);
	return n;
}

static void test_real_registry(void **state)
{
	static const struct {
		const char *file, *reg, *hex, *brand;
	} rows[] = {
		{ "oui.csv", "MA-L", "001788", "Philips" },
		{ "oui.csv", "MA-L", "B0C554", "D-Link" },
		{ "oui.csv", "MA-L", "50C7BF", "TP-Link" },
		{ "oui.csv", "MA-L", "000C29", "VMware" },
		{ "oui.csv", "MA-L", "001ECB", NULL },    /* quoted, "" inside */
		{ "oui.csv", "MA-L", "080030", NULL },    /* listed three times: the first */
		{ "iab.csv", "IAB", "0050C27D5", NULL },  /* inside 0050C2 */
		{ "oui36.csv", "MA-S", "70B3D5F2F", NULL }, /* inside 70B3D5 */
	};
	static const char *const firsts[][2] = {
		{ "mam.csv", "MA-M" }, { "oui36.csv", "MA-S" }, { "iab.csv", "IAB" },
	};
	char err[ERRLEN], hex[32];
	struct oui_db *db;
	long expected;

	(void)state;
	if (access(REAL_DIR "/oui.csv", R_OK) != 0) {
		print_message("%s/oui.csv not installed (Debian package ieee-data); skipped\n",
			      REAL_DIR);
		skip();
	}
	db = oui_db_load(REAL_DIR, err, sizeof(err));
	if (db == NULL)
		fail_msg("%s", err);
	expected = count_real_prefixes();
	assert_true(expected > 0);
	assert_int_equal(oui_db_count(db), expected);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		check_real_row(db, rows[i].file, rows[i].reg, rows[i].hex, rows[i].brand);
	for (size_t i = 0; i < sizeof(firsts) / sizeof(firsts[0]); i++)
		if (grep_first_hex(firsts[i][0], firsts[i][1], hex, sizeof(hex)) == 0)
			check_real_row(db, firsts[i][0], firsts[i][1], hex, NULL);
	oui_db_free(db);
}

/* ------------------------------------------------------------ main */

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_longest_prefix, clear_dir),
		cmocka_unit_test_teardown(test_names_shared, clear_dir),
		cmocka_unit_test_teardown(test_all_four_files, clear_dir),
		cmocka_unit_test_teardown(test_only_oui, clear_dir),
		cmocka_unit_test_teardown(test_header_only, clear_dir),
		cmocka_unit_test_teardown(test_bom_and_trailing_slash, clear_dir),
		cmocka_unit_test_teardown(test_local_and_multicast, clear_dir),
		cmocka_unit_test_teardown(test_null_and_small_err, clear_dir),
		cmocka_unit_test_teardown(test_line_limit, clear_dir),
		cmocka_unit_test_teardown(test_entry_cap, clear_dir),
		cmocka_unit_test_teardown(test_file_size_limit, clear_dir),
		cmocka_unit_test_teardown(test_unreadable_files, clear_dir),
		cmocka_unit_test(test_real_registry),
	};
	struct CMUnitTest bad_tests[NBAD];
	int failed = 0;

	for (size_t i = 0; i < NBAD; i++) {
		struct CMUnitTest t = { bad_cases[i].name, test_bad_case, NULL, clear_dir,
					&bad_cases[i] };

		bad_tests[i] = t;
	}
	failed += cmocka_run_group_tests_name("oui", tests, group_setup, group_teardown);
	/* The first group removed its directory; the second makes a new one. */
	memcpy(tmpdir + strlen(tmpdir) - 6, "XXXXXX", 6);
	failed += cmocka_run_group_tests_name("oui_bad_input", bad_tests, group_setup,
					      group_teardown);
	return failed == 0 ? 0 : 1;
}
