/*
 * test-redis.c - unit tests of the Redis output's parts that need no
 * server: the URL parser (src/util-redis-url.c) with a table of good URLs
 * and hostile ones with their exact messages; the journal (src/spool.c):
 * order, consumption, the head kept across a reopen, the cap, and
 * hand-made damaged files whose surviving records and cut bytes are
 * worked out in the comments; the password reader; and the sink itself
 * against a server that is not there (everything spooled, or dropped and
 * counted without a journal); hostile XREAD replies, parsed from RESP by
 * hiredis's own reader as a server's answer would be.  tests/test-redis.sh
 * covers a real server.
 */
#define _GNU_SOURCE /* memmem */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output-redis-private.h"
#include "output-redis.h"
#include "spool.h"
#include "util-hash.h"
#include "util-redis-url.h"

static char dir[] = "/tmp/test-redis-XXXXXX";
static char path[sizeof(dir) + 64];

static int setup(void **state)
{
	(void)state;
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dir, REDIS_OUT_SPOOL_FILE);
	return 0;
}

static int teardown(void **state)
{
	char cmd[sizeof(dir) + 16];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static long file_size(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 ? (long)st.st_size : -1;
}

/* ------------------------------------------------------------ URLs */

struct url_ok {
	const char *url;
	enum redis_url_kind kind;
	const char *host_or_path;
	unsigned port;
	const char *user;
	unsigned db;
};

static void test_url_good(void **state)
{
	static const struct url_ok cases[] = {
		{"redis://localhost", REDIS_URL_TCP, "localhost", 6379, "", 0},
		{"redis://edgewatch@10.0.0.5:6380/3", REDIS_URL_TCP, "10.0.0.5", 6380, "edgewatch", 3},
		{"redis://[::1]:7000?db=15", REDIS_URL_TCP, "::1", 7000, "", 15},
		{"redis://[fe80::1]", REDIS_URL_TCP, "fe80::1", 6379, "", 0},
		{"redis://h/", REDIS_URL_TCP, "h", 6379, "", 0},
		{"redis://h:65535/65535", REDIS_URL_TCP, "h", 65535, "", 65535},
		{"redis://u.s-e_r@redis-1.lan:1/0", REDIS_URL_TCP, "redis-1.lan", 1, "u.s-e_r", 0},
		{"unix:///run/redis/redis.sock", REDIS_URL_UNIX, "/run/redis/redis.sock", 0, "", 0},
		{"unix:///tmp/r.sock?db=2", REDIS_URL_UNIX, "/tmp/r.sock", 0, "", 2},
	};
	char err[128];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct url_ok *c = &cases[i];
		struct redis_url u;

		if (redis_url_parse(c->url, &u, err, sizeof(err)) != 0)
			fail_msg("%s: %s", c->url, err);
		assert_int_equal(u.kind, c->kind);
		assert_string_equal(c->kind == REDIS_URL_TCP ? u.host : u.path, c->host_or_path);
		assert_int_equal(u.port, c->port);
		assert_string_equal(u.user, c->user);
		assert_int_equal(u.db, c->db);
		assert_string_equal(err, "");
	}
}

struct url_bad {
	const char *url;
	const char *message;
};

static void test_url_bad(void **state)
{
	static const struct url_bad cases[] = {
		{"", "redis URL: empty"},
		{"http://x", "redis URL: unknown scheme (want redis:// or unix://)"},
		{"REDIS://x", "redis URL: unknown scheme (want redis:// or unix://)"},
		{"redis://user:pw@host",
		 "redis URL: a password in the URL is refused (use a password file or "
		 "EDGEWATCH_REDIS_PASSWORD)"},
		{"redis://:pw@host",
		 "redis URL: a password in the URL is refused (use a password file or "
		 "EDGEWATCH_REDIS_PASSWORD)"},
		{"redis://@host", "redis URL: empty user name"},
		{"redis://a@b@host", "redis URL: more than one '@'"},
		{"redis://", "redis URL: empty host"},
		{"redis://:6379", "redis URL: empty host"},
		{"redis://[]:1", "redis URL: empty host"},
		{"redis://host:0", "redis URL: port '0' is not a number 1..65535"},
		{"redis://host:65536", "redis URL: port '65536' is not a number 1..65535"},
		{"redis://host:", "redis URL: port '' is not a number 1..65535"},
		{"redis://host:-1", "redis URL: port '-1' is not a number 1..65535"},
		{"redis://host:0080", "redis URL: port '0080' is not a number 1..65535"},
		/* 10 digits would overflow 32 bits; decimal_in reads them in 64. */
		{"redis://host:4294967297", "redis URL: port '4294967297' is not a number 1..65535"},
		{"redis://host:99999999999", "redis URL: port '99999999999' is not a number 1..65535"},
		{"redis://host/65536", "redis URL: db '65536' is not a number 0..65535"},
		{"redis://host/1/2", "redis URL: db '1/2' is not a number 0..65535"},
		{"redis://host/1?db=2", "redis URL: db given twice"},
		{"redis://host?user=x", "redis URL: unknown query 'user=x' (only db=N)"},
		{"redis://host?db=", "redis URL: db '' is not a number 0..65535"},
		{"unix:///r.sock?db=1&x=2", "redis URL: db '1&x=2' is not a number 0..65535"},
		/* "redis://" is 8 bytes: "ho" at 8 and 9, the space at 10. */
		{"redis://ho st", "redis URL: byte 0x20 at offset 10 is not allowed"},
		{"redis://h%41st", "redis URL: byte 0x25 at offset 9 is not allowed"},
		{"redis://host\n", "redis URL: byte 0x0a at offset 12 is not allowed"},
		{"redis://h\xc3\xa9", "redis URL: byte 0xc3 at offset 9 is not allowed"},
		{"redis://host#frag", "redis URL: byte 0x23 at offset 12 is not allowed"},
		{"redis://[::1", "redis URL: '[' without ']' in the host"},
		{"redis://[::g]", "redis URL: bad IPv6 address '::g'"},
		{"redis://[::1]x", "redis URL: unexpected 'x' after the host"},
		{"redis://ho;st", "redis URL: bad host name 'ho;st'"},
		/* 50 bytes of host: the message quotes 40 and marks the cut. */
		{"redis://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!",
		 "redis URL: bad host name 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...'"},
		{"unix://run/r.sock", "redis URL: unix socket path must be absolute (unix:///path)"},
		{"unix://", "redis URL: unix socket path must be absolute (unix:///path)"},
		{"unix:///run/", "redis URL: socket path names a directory"},
	};
	char err[160];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct redis_url u;

		memset(&u, 0x5a, sizeof(u));
		if (redis_url_parse(cases[i].url, &u, err, sizeof(err)) != -1)
			fail_msg("accepted: %s", cases[i].url);
		assert_string_equal(err, cases[i].message);
		/* Nothing half-filled is left behind. */
		assert_int_equal(u.port, 0);
		assert_string_equal(u.host, "");
	}
}

static void test_url_limits(void **state)
{
	char url[REDIS_URL_MAX + 64], err[128];
	struct redis_url u;

	(void)state;
	assert_int_equal(redis_url_parse(NULL, &u, err, sizeof(err)), -1);
	assert_string_equal(err, "redis URL: empty");

	/* A path of exactly 107 bytes fits sun_path; 108 does not. */
	memcpy(url, "unix:///", 8);
	memset(url + 8, 'a', 106);
	url[8 + 106] = '\0';
	assert_int_equal(redis_url_parse(url, &u, err, sizeof(err)), 0);
	assert_int_equal(strlen(u.path), 107);
	url[8 + 106] = 'a';
	url[8 + 107] = '\0';
	assert_int_equal(redis_url_parse(url, &u, err, sizeof(err)), -1);
	assert_string_equal(err, "redis URL: socket path longer than 107 bytes");

	/* Host: 253 bytes fit, 254 do not. */
	memcpy(url, "redis://", 8);
	memset(url + 8, 'h', 253);
	url[8 + 253] = '\0';
	assert_int_equal(redis_url_parse(url, &u, err, sizeof(err)), 0);
	url[8 + 253] = 'h';
	url[8 + 254] = '\0';
	assert_int_equal(redis_url_parse(url, &u, err, sizeof(err)), -1);
	assert_string_equal(err, "redis URL: host longer than 253 bytes");

	/* User: 128 bytes fit, 129 do not. */
	memset(url + 8, 'u', 129);
	memcpy(url + 8 + 129, "@h", 3);
	assert_int_equal(redis_url_parse(url, &u, err, sizeof(err)), -1);
	assert_string_equal(err, "redis URL: user name longer than 128 bytes");
	memmove(url + 9, url + 10, strlen(url + 10) + 1);
	assert_int_equal(redis_url_parse(url, &u, err, sizeof(err)), 0);
	assert_int_equal(strlen(u.user), 128);

	/* The whole URL: 1024 bytes are read, 1025 refused before any parsing. */
	memset(url, 'x', REDIS_URL_MAX + 1);
	url[REDIS_URL_MAX + 1] = '\0';
	assert_int_equal(redis_url_parse(url, &u, err, sizeof(err)), -1);
	assert_string_equal(err, "redis URL: longer than 1024 bytes");

	/* A short buffer gets a cut but terminated message. */
	assert_int_equal(redis_url_parse("", &u, err, 8), -1);
	assert_string_equal(err, "redis U");
}

/* ------------------------------------------------------------ journal */

static void put_le(unsigned char *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* Builds journal bytes by hand: the header with head, then records. */
struct jbuf {
	unsigned char b[512];
	size_t n;
};

static void j_header(struct jbuf *j, uint64_t head, bool good_head_sum)
{
	memcpy(j->b, "EWSPOOL1", 8);
	put_le(j->b + 8, head, 8);
	put_le(j->b + 16, ew_hash64(j->b + 8, 8, SPOOL_SEED) ^ (good_head_sum ? 0 : 1), 8);
	j->n = 24;
}

static void j_record(struct jbuf *j, const char *payload, uint32_t len_field, bool good_sum)
{
	size_t n = strlen(payload);

	put_le(j->b + j->n, len_field, 4);
	put_le(j->b + j->n + 4, ew_hash64(payload, n, SPOOL_SEED) ^ (good_sum ? 0 : 1), 8);
	memcpy(j->b + j->n + 12, payload, n);
	j->n += 12 + n;
}

static void j_write(const struct jbuf *j)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_int_equal(fwrite(j->b, 1, j->n, fp), j->n);
	assert_int_equal(fclose(fp), 0);
}

static struct spool *open_ok(uint64_t cap)
{
	char err[SPOOL_ERRLEN];
	struct spool *sp = spool_open(path, cap, err, sizeof(err));

	if (sp == NULL)
		fail_msg("%s", err);
	return sp;
}

/* Reads the next record and checks it is text. */
static void expect_record(struct spool *sp, uint64_t *pos, const char *text)
{
	const void *data;
	size_t len;

	assert_int_equal(spool_read(sp, pos, &data, &len), 1);
	assert_int_equal(len, strlen(text));
	assert_memory_equal(data, text, len);
}

static void test_spool_round_trip(void **state)
{
	struct spool *sp;
	uint64_t pos;
	const void *data;
	size_t len;

	(void)state;
	unlink(path);
	sp = open_ok(1 << 20);
	assert_int_equal(file_size(path), 24);
	assert_int_equal(spool_append(sp, "abc", 3), 0);
	assert_int_equal(spool_append(sp, "hello", 5), 0);
	assert_int_equal(spool_append(sp, "", 0), 0);
	/* 24 + (12 + 3) + (12 + 5) + (12 + 0) = 68 */
	assert_int_equal(file_size(path), 68);
	assert_int_equal(spool_pending(sp), 3);
	pos = spool_head(sp);
	assert_int_equal(pos, 24);
	expect_record(sp, &pos, "abc");
	assert_int_equal(pos, 39);
	expect_record(sp, &pos, "hello");
	assert_int_equal(pos, 56);
	expect_record(sp, &pos, "");
	assert_int_equal(pos, 68);
	assert_int_equal(spool_read(sp, &pos, &data, &len), 0);
	/* Two delivered: the head moves to 56 and stays there across a reopen. */
	assert_int_equal(spool_consume(sp, 56, 2), 0);
	assert_int_equal(spool_pending(sp), 1);
	spool_close(sp);
	sp = open_ok(1 << 20);
	assert_int_equal(spool_head(sp), 56);
	assert_int_equal(spool_pending(sp), 1);
	pos = spool_head(sp);
	expect_record(sp, &pos, "");
	/* The last one delivered: the file is cut back to its header. */
	assert_int_equal(spool_consume(sp, pos, 1), 0);
	assert_int_equal(file_size(path), 24);
	assert_int_equal(spool_head(sp), 24);
	/* A consume past the end is refused. */
	assert_int_equal(spool_consume(sp, 24, 1), -1);
	spool_close(sp);
	spool_close(NULL);
}

static void test_spool_cap(void **state)
{
	struct spool *sp;
	struct spool_stats st;

	(void)state;
	unlink(path);
	/* Room for two 3-byte records: 24 + 2 * (12 + 3) = 54. */
	sp = open_ok(54);
	assert_int_equal(spool_append(sp, "abc", 3), 0);
	assert_int_equal(spool_append(sp, "def", 3), 0);
	assert_int_equal(spool_append(sp, "ghi", 3), 1);
	assert_int_equal(spool_append(sp, "", 0), 1); /* 54 + 12 > 54 */
	spool_get_stats(sp, &st);
	assert_int_equal(st.refused_full, 2);
	assert_int_equal(st.appended, 2);
	assert_int_equal(st.records, 2);
	assert_int_equal(st.file_bytes, 54);
	assert_int_equal(file_size(path), 54);
	spool_close(sp);
}

struct damage_case {
	const char *name;
	void (*build)(struct jbuf *j);
	uint64_t pending;       /* records kept */
	uint64_t corrupt_bytes; /* bytes cut */
	long size;              /* the file after open */
	const char *first;      /* the first record replayed, or NULL */
};

/* "abc" 24..39, "hello" 39..56, then 7 bytes of a record header cut short. */
static void build_cut_header(struct jbuf *j)
{
	j_header(j, 24, true);
	j_record(j, "abc", 3, true);
	j_record(j, "hello", 5, true);
	memcpy(j->b + j->n, "\x05\0\0\0\1\2\3", 7);
	j->n += 7;
}

/* "hello" fails its checksum: cut at 39, its 12 + 5 = 17 bytes lost. */
static void build_bad_sum(struct jbuf *j)
{
	j_header(j, 24, true);
	j_record(j, "abc", 3, true);
	j_record(j, "hello", 5, false);
}

/* A length of 0xffffffff (past SPOOL_RECORD_MAX): cut at 39, 17 bytes. */
static void build_huge_len(struct jbuf *j)
{
	j_header(j, 24, true);
	j_record(j, "abc", 3, true);
	j_record(j, "hello", 0xffffffffu, true);
}

/* A length of 100 with 5 bytes there: cut at 39, 17 bytes. */
static void build_len_past_end(struct jbuf *j)
{
	j_header(j, 24, true);
	j_record(j, "abc", 3, true);
	j_record(j, "hello", 100, true);
}

/* The first record damaged: a good one after it is lost too, 15 + 17 = 32. */
static void build_first_bad(struct jbuf *j)
{
	j_header(j, 24, true);
	j_record(j, "abc", 3, false);
	j_record(j, "hello", 5, true);
}

/* A head whose checksum fails: replay from the first record, both kept. */
static void build_bad_head(struct jbuf *j)
{
	j_header(j, 39, false);
	j_record(j, "abc", 3, true);
	j_record(j, "hello", 5, true);
}

/* A head past the end of the file (with a good checksum): the same. */
static void build_head_past_end(struct jbuf *j)
{
	j_header(j, 4096, true);
	j_record(j, "abc", 3, true);
	j_record(j, "hello", 5, true);
}

/* A good head at 39: "abc" was delivered, only "hello" is pending. */
static void build_head_mid(struct jbuf *j)
{
	j_header(j, 39, true);
	j_record(j, "abc", 3, true);
	j_record(j, "hello", 5, true);
}

static void test_spool_damaged(void **state)
{
	static const struct damage_case cases[] = {
		{"cut header", build_cut_header, 2, 7, 56, "abc"},
		{"bad checksum", build_bad_sum, 1, 17, 39, "abc"},
		{"huge length", build_huge_len, 1, 17, 39, "abc"},
		{"length past end", build_len_past_end, 1, 17, 39, "abc"},
		{"first record bad", build_first_bad, 0, 32, 24, NULL},
		{"bad head", build_bad_head, 2, 0, 56, "abc"},
		{"head past end", build_head_past_end, 2, 0, 56, "abc"},
		{"head mid", build_head_mid, 1, 0, 56, "hello"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct damage_case *c = &cases[i];
		struct jbuf j;
		struct spool *sp;
		struct spool_stats st;
		uint64_t pos;

		print_message("damage case: %s\n", c->name);
		c->build(&j);
		j_write(&j);
		sp = open_ok(1 << 20);
		spool_get_stats(sp, &st);
		assert_int_equal(st.records, c->pending);
		assert_int_equal(st.corrupt_bytes, c->corrupt_bytes);
		assert_int_equal(st.corrupt_tails, c->corrupt_bytes > 0 ? 1 : 0);
		assert_int_equal(file_size(path), c->size);
		pos = spool_head(sp);
		if (c->first != NULL)
			expect_record(sp, &pos, c->first);
		/* New records go after what survived. */
		assert_int_equal(spool_append(sp, "new", 3), 0);
		assert_int_equal(spool_pending(sp), c->pending + 1);
		spool_close(sp);
	}
}

static void test_spool_damaged_while_open(void **state)
{
	struct spool *sp;
	uint64_t pos;
	const void *data;
	size_t len;
	int fd;

	(void)state;
	unlink(path);
	sp = open_ok(1 << 20);
	assert_int_equal(spool_append(sp, "abc", 3), 0);
	assert_int_equal(spool_append(sp, "hello", 5), 0);
	/* Someone overwrites "hello"'s first byte (offset 39 + 12 = 51). */
	fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "J", 1, 51), 1);
	close(fd);
	pos = spool_head(sp);
	expect_record(sp, &pos, "abc");
	assert_int_equal(spool_read(sp, &pos, &data, &len), -1);
	assert_int_equal(spool_pending(sp), 1); /* "abc" is still there */
	assert_int_equal(file_size(path), 39);
	spool_close(sp);
}

static void test_spool_not_ours(void **state)
{
	char err[SPOOL_ERRLEN], want[SPOOL_ERRLEN + 64];
	static const char text[] = "this is somebody's data, not a journal\n";
	FILE *fp;

	(void)state;
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	assert_null(spool_open(path, 1 << 20, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s: not an edgewatch spool journal (left alone)", path);
	assert_string_equal(err, want);
	assert_int_equal(file_size(path), (long)strlen(text));

	/* Two bytes that are not the start of a header: also refused. */
	fp = fopen(path, "w");
	fputs("xy", fp);
	fclose(fp);
	assert_null(spool_open(path, 1 << 20, err, sizeof(err)));
	assert_string_equal(err, want);

	/* A header cut short at creation ("EWSP"): rewritten whole. */
	fp = fopen(path, "w");
	fputs("EWSP", fp);
	fclose(fp);
	spool_close(open_ok(1 << 20));
	assert_int_equal(file_size(path), 24);
}

/* ------------------------------------------------------------ password */

static const char *pw_file(const char *content, size_t n, mode_t mode)
{
	static char p[sizeof(dir) + 16];
	FILE *fp;

	snprintf(p, sizeof(p), "%s/pw", dir);
	unlink(p);
	fp = fopen(p, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(content, 1, n, fp), n);
	fclose(fp);
	assert_int_equal(chmod(p, mode), 0);
	return p;
}

static void test_password(void **state)
{
	char buf[8], err[256], want[256];
	const char *p;

	(void)state;
	p = pw_file("pw\n", 3, 0600);
	assert_int_equal(redis_read_password(p, buf, sizeof(buf), err, sizeof(err)), 0);
	assert_string_equal(buf, "pw");
	/* One newline is removed, not two. */
	p = pw_file("pw\n\n", 4, 0600);
	assert_int_equal(redis_read_password(p, buf, sizeof(buf), err, sizeof(err)), 0);
	assert_string_equal(buf, "pw\n");
	p = pw_file("pw", 2, 0400);
	assert_int_equal(redis_read_password(p, buf, sizeof(buf), err, sizeof(err)), 0);
	assert_string_equal(buf, "pw");
	/* 7 bytes + newline fit an 8-byte buffer; 8 bytes do not. */
	p = pw_file("1234567\n", 8, 0600);
	assert_int_equal(redis_read_password(p, buf, sizeof(buf), err, sizeof(err)), 0);
	assert_string_equal(buf, "1234567");
	p = pw_file("12345678", 8, 0600);
	assert_int_equal(redis_read_password(p, buf, sizeof(buf), err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: password too long", p);
	assert_string_equal(err, want);
	p = pw_file("123456789\n", 10, 0600);
	assert_int_equal(redis_read_password(p, buf, sizeof(buf), err, sizeof(err)), -1);
	assert_string_equal(err, want);

	p = pw_file("pw\n", 3, 0640);
	assert_int_equal(redis_read_password(p, buf, sizeof(buf), err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: group or others may read it (mode 0640): chmod 600 it",
		 p);
	assert_string_equal(err, want);
	p = pw_file("pw\n", 3, 0604);
	assert_int_equal(redis_read_password(p, buf, sizeof(buf), err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: group or others may read it (mode 0604): chmod 600 it",
		 p);
	assert_string_equal(err, want);

	p = pw_file("\n", 1, 0600);
	assert_int_equal(redis_read_password(p, buf, sizeof(buf), err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: empty", p);
	assert_string_equal(err, want);
	p = pw_file("a\0b\n", 4, 0600);
	assert_int_equal(redis_read_password(p, buf, sizeof(buf), err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: has a NUL byte", p);
	assert_string_equal(err, want);

	snprintf(want, sizeof(want), "%s/none", dir);
	assert_int_equal(redis_read_password(want, buf, sizeof(buf), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file or directory"));

	/* No file: the environment, or nothing. */
	setenv(REDIS_OUT_ENV_PASSWORD, "envpw", 1);
	assert_int_equal(redis_read_password(NULL, buf, sizeof(buf), err, sizeof(err)), 0);
	assert_string_equal(buf, "envpw");
	assert_int_equal(redis_read_password("", buf, sizeof(buf), err, sizeof(err)), 0);
	assert_string_equal(buf, "envpw");
	setenv(REDIS_OUT_ENV_PASSWORD, "12345678", 1);
	assert_int_equal(redis_read_password(NULL, buf, sizeof(buf), err, sizeof(err)), -1);
	assert_string_equal(err, "EDGEWATCH_REDIS_PASSWORD: longer than 7 bytes");
	unsetenv(REDIS_OUT_ENV_PASSWORD);
	assert_int_equal(redis_read_password(NULL, buf, sizeof(buf), err, sizeof(err)), 0);
	assert_string_equal(buf, "");
}

/* ------------------------------------------------------------ the sink */

static char sock_url[sizeof(dir) + 32];
static int log_lines;

static void count_log(void *ctx, const char *msg)
{
	(void)ctx;
	(void)msg;
	log_lines++;
}

static struct redis_out_config config(const char *spool_dir)
{
	struct redis_out_config c = {
		.url = sock_url, .connect_timeout_ms = 100, .command_timeout_ms = 100,
		.alerts_stream = "edgewatch:alerts", .events_stream = "edgewatch:events",
		.maxlen = 1000, .spool_dir = spool_dir, .spool_cap_bytes = 1 << 20,
		.log = count_log,
	};

	/* A socket path where no server listens. */
	snprintf(sock_url, sizeof(sock_url), "unix://%s/no.sock", dir);
	return c;
}

static void expect_open_error(const struct redis_out_config *c, const char *message)
{
	char err[256];

	assert_null(output_redis_open(c, err, sizeof(err)));
	assert_string_equal(err, message);
}

static void test_sink_config(void **state)
{
	struct redis_out_config c = config(NULL);

	(void)state;
	signal(SIGPIPE, SIG_DFL);
	expect_open_error(&c, "redis: SIGPIPE must be ignored before the Redis output opens");
	signal(SIGPIPE, SIG_IGN);
	c.url = "redis://u:p@h";
	expect_open_error(&c, "redis URL: a password in the URL is refused (use a password file or "
			      "EDGEWATCH_REDIS_PASSWORD)");
	c.url = "redis://u@h";
	expect_open_error(&c,
			  "redis: a user needs a password (password_file or EDGEWATCH_REDIS_PASSWORD)");
	c.user = "v";
	c.password = "p";
	expect_open_error(&c, "redis: the user in the URL and output.redis.user differ");
	c = config(NULL);
	c.events_stream = "edge watch";
	expect_open_error(&c, "redis: events_stream has a space, control or non-ASCII byte");
	c.events_stream = "";
	expect_open_error(&c, "redis: events_stream must be 1..256 bytes");
	c = config(NULL);
	c.maxlen = 0;
	expect_open_error(&c, "redis: timeouts and maxlen must be at least 1");
}

static void test_sink_spools_when_down(void **state)
{
	struct redis_out_config c = config(dir);
	struct output_sink *s;
	struct redis_out_stats st;
	static const char *lines[] = {
		"{\"event_type\":\"flow\",\"n\":1}",
		"{\"event_type\":\"alert\",\"alert\":{\"severity\":\"high\"},\"n\":2}",
		"{\"n\":3}",
	};
	const char *f[] = {"seq", "1"};
	size_t l[] = {3, 1};
	char err[256];
	struct spool *sp;
	uint64_t pos;
	const void *data;
	size_t len;

	(void)state;
	unlink(path);
	signal(SIGPIPE, SIG_IGN);
	log_lines = 0;
	s = output_redis_open(&c, err, sizeof(err));
	if (s == NULL)
		fail_msg("%s", err);
	assert_string_equal(s->ops->name, "redis");
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(s->ops->write_line(s, lines[i], strlen(lines[i])), 0);
	assert_int_equal(output_redis_xadd(s, "edgewatch:q", f, l, 2), 0);
	/* Bad arguments: refused, not counted as drops. */
	assert_int_equal(output_redis_xadd(s, "edgewatch:q", f, l, 1), -1);
	assert_int_equal(output_redis_xadd(s, "edgewatch:q", f, l, 0), -1);
	assert_int_equal(output_redis_xadd(s, "", f, l, 2), -1);
	output_redis_stats(s, &st);
	assert_int_equal(st.written, 0);
	assert_int_equal(st.spooled, 4);
	assert_int_equal(st.dropped, 0);
	assert_int_equal(st.spool_pending, 4);
	assert_int_equal(st.state, REDIS_OUT_BACKING_OFF);
	assert_true(st.connect_failures >= 1);
	assert_true(log_lines >= 1); /* the failed connect */
	assert_int_equal(s->ops->flush(s), 0);
	assert_int_equal(s->ops->close(s, err, sizeof(err)), 0);

	/* The journal keeps them in order, with their streams and fields. */
	sp = open_ok(1 << 20);
	assert_int_equal(spool_pending(sp), 4);
	pos = spool_head(sp);
	assert_int_equal(spool_read(sp, &pos, &data, &len), 1);
	assert_non_null(memmem(data, len, "edgewatch:events", 16));
	assert_non_null(memmem(data, len, lines[0], strlen(lines[0])));
	assert_int_equal(spool_read(sp, &pos, &data, &len), 1);
	assert_non_null(memmem(data, len, "edgewatch:alerts", 16));
	assert_non_null(memmem(data, len, "severity", 8));
	assert_int_equal(spool_read(sp, &pos, &data, &len), 1);
	assert_non_null(memmem(data, len, lines[2], strlen(lines[2])));
	assert_int_equal(spool_read(sp, &pos, &data, &len), 1);
	assert_non_null(memmem(data, len, "edgewatch:q", 11));
	assert_int_equal(spool_read(sp, &pos, &data, &len), 0);
	spool_close(sp);
}

static void test_sink_drops_without_spool(void **state)
{
	struct redis_out_config c = config(NULL);
	struct output_sink *s;
	struct redis_out_stats st;
	char err[256];

	(void)state;
	signal(SIGPIPE, SIG_IGN);
	s = output_redis_open(&c, err, sizeof(err));
	assert_non_null(s);
	assert_int_equal(s->ops->write_line(s, "{}", 2), -1);
	assert_int_equal(s->ops->write_line(s, "{}", 2), -1);
	output_redis_stats(s, &st);
	assert_int_equal(st.dropped, 2);
	assert_int_equal(st.spooled, 0);
	assert_int_equal(s->ops->close(s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "redis: 2 entries dropped (connect: "));
}

/* What redis_out_xread_entries() handed over: one "id:n" per call, and the fields. */
struct xread_seen {
	char calls[256];
	char fields[256];
};

static void xread_fn(void *ctx, const char *id, const char *const *kv, const size_t *lens,
		     size_t n)
{
	struct xread_seen *seen = ctx;
	size_t at = strlen(seen->calls);

	snprintf(seen->calls + at, sizeof(seen->calls) - at, "%s%s:%zu", at > 0 ? " " : "", id, n);
	for (size_t i = 0; i < n; i++) {
		at = strlen(seen->fields);
		snprintf(seen->fields + at, sizeof(seen->fields) - at, "%s%.*s", at > 0 ? "," : "",
			 (int)lens[i], kv[i]);
	}
}

/* A reply as hiredis parses it from the RESP text a server would send. */
static redisReply *resp(const char *text, size_t len)
{
	redisReader *rd = redisReaderCreate();
	void *reply = NULL;

	assert_non_null(rd);
	assert_int_equal(redisReaderFeed(rd, text, len), REDIS_OK);
	assert_int_equal(redisReaderGetReply(rd, &reply), REDIS_OK);
	assert_non_null(reply);
	redisReaderFree(rd);
	return reply;
}

static int xread_n(const char *text, size_t len, struct xread_seen *seen, char *last_id,
		   size_t size)
{
	redisReply *r = resp(text, len);
	int n;

	memset(seen, 0, sizeof(*seen));
	n = redis_out_xread_entries(r, xread_fn, seen, last_id, size);
	freeReplyObject(r);
	return n;
}

/* A reply from a string literal, NUL bytes inside included. */
#define xread(lit, seen, last_id, size) xread_n(lit, sizeof(lit) - 1, seen, last_id, size)

#define STREAM_HEAD "*1\r\n*2\r\n$1\r\ns\r\n" /* one stream, named "s" */

static void test_xread_reply_shapes(void **state)
{
	struct xread_seen seen;
	char last[48] = "0-0";
	char small[4] = "0-0";

	(void)state;
	/* Nothing new (a nil array): no entry, the position kept. */
	assert_int_equal(xread("*-1\r\n", &seen, last, sizeof(last)), 0);
	assert_string_equal(last, "0-0");
	/* Replies of the wrong shape: an integer, two streams, entries not an array. */
	assert_int_equal(xread(":1\r\n", &seen, last, sizeof(last)), -1);
	assert_int_equal(xread("*2\r\n*0\r\n*0\r\n", &seen, last, sizeof(last)), -1);
	assert_int_equal(xread(STREAM_HEAD ":3\r\n", &seen, last, sizeof(last)), -1);
	assert_string_equal(seen.calls, "");
	assert_string_equal(last, "0-0");
	/*
	 * Five entries: a good one; one with an integer value; one whose id is
	 * 41 bytes (longer than any stream id); one with an odd number of
	 * fields; one that is not an array.  The good one comes with its
	 * fields, the second and fourth with none (so the caller counts them),
	 * the others not at all; the position moves to the fourth.
	 */
	assert_int_equal(xread(STREAM_HEAD "*5\r\n"
			       "*2\r\n$3\r\n1-0\r\n*2\r\n$7\r\noutcome\r\n$7\r\napplied\r\n"
			       "*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\na\r\n:5\r\n"
			       "*2\r\n$41\r\n11111111111111111111-11111111111111111111\r\n*0\r\n"
			       "*2\r\n$3\r\n3-0\r\n*1\r\n$1\r\na\r\n"
			       ":7\r\n",
			       &seen, last, sizeof(last)),
			 1);
	assert_string_equal(seen.calls, "1-0:2 2-0:0 3-0:0");
	assert_string_equal(seen.fields, "outcome,applied");
	assert_string_equal(last, "3-0");
	/* A position that does not fit the caller's buffer is not cut: it stays. */
	assert_int_equal(xread(STREAM_HEAD "*1\r\n*2\r\n$5\r\n12-34\r\n*2\r\n$1\r\na\r\n$0\r\n\r\n",
			       &seen, small, sizeof(small)),
			 1);
	assert_string_equal(seen.calls, "12-34:2");
	assert_string_equal(seen.fields, "a,");
	assert_string_equal(small, "0-0");
	/* An entry without fields (XADD never makes one) is malformed too. */
	assert_int_equal(xread(STREAM_HEAD "*1\r\n*2\r\n$3\r\n4-0\r\n*0\r\n", &seen, last,
			       sizeof(last)),
			 0);
	assert_string_equal(seen.calls, "4-0:0");
	assert_string_equal(last, "4-0");
	/*
	 * Ids the next XREAD could not start after are skipped, so the reads
	 * do not fail for ever: a name, a NUL inside, a number past 2^64 - 1,
	 * a missing sequence; then 2^64 - 1 itself, which is good.
	 */
	assert_int_equal(xread(STREAM_HEAD "*5\r\n"
			       "*2\r\n$1\r\ns\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n"
			       "*2\r\n$3\r\n5\0000\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n"
			       "*2\r\n$22\r\n18446744073709551616-0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n"
			       "*2\r\n$2\r\n6-\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n"
			       "*2\r\n$22\r\n18446744073709551615-1\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n",
			       &seen, last, sizeof(last)),
			 1);
	assert_string_equal(seen.calls, "18446744073709551615-1:2");
	assert_string_equal(last, "18446744073709551615-1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_good),
		cmocka_unit_test(test_url_bad),
		cmocka_unit_test(test_url_limits),
		cmocka_unit_test(test_spool_round_trip),
		cmocka_unit_test(test_spool_cap),
		cmocka_unit_test(test_spool_damaged),
		cmocka_unit_test(test_spool_damaged_while_open),
		cmocka_unit_test(test_spool_not_ours),
		cmocka_unit_test(test_password),
		cmocka_unit_test(test_sink_config),
		cmocka_unit_test(test_sink_spools_when_down),
		cmocka_unit_test(test_sink_drops_without_spool),
		cmocka_unit_test(test_xread_reply_shapes),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
