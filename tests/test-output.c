/*
 * test-output.c - unit tests of the output queue (src/output-queue.c), the
 * syslog sink (src/output-syslog.c) and the file sink's reopen
 * (src/output-file.c).
 *
 * The queue is driven with sinks defined here: one that records what it
 * gets, one that fails on purpose, and one that blocks on a condition
 * variable until the test lets it go, so a full queue is reached exactly
 * and not by racing the output thread.  The syslog sink sends to real
 * sockets the tests create (a unix datagram socket, UDP and TCP on
 * 127.0.0.1 port 0) and the bytes received are compared with messages
 * worked out by hand.  Run under ASan/UBSan to catch leaks and races on
 * freed lines.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "output-queue.h"
#include "output-syslog.h"
#include "output.h"

/* ------------------------------------------------------- test sinks */

#define REC_MAX 4096

/*
 * Records every call: lines as "L:text", reopens as "R", flushes as "F".
 * Optionally fails every fail_every-th write, or blocks before writing
 * until released.
 */
struct rec_sink {
	struct output_sink base;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	char *log[REC_MAX];
	size_t n;
	unsigned fail_every; /* 0: never */
	unsigned writes;
	bool block;          /* hold each write until released */
	bool entered;        /* a write is waiting to be released */
	bool *closed;        /* set on close (the sink is freed then) */
	char error[64];
};

static void rec_note(struct rec_sink *r, const char *prefix, const char *text, size_t len)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "%s%.*s", prefix, (int)len, text);
	if (r->n < REC_MAX)
		r->log[r->n++] = strdup(buf);
}

static int rec_write(struct output_sink *s, const char *line, size_t len)
{
	struct rec_sink *r = (struct rec_sink *)s;
	int rc = 0;

	pthread_mutex_lock(&r->lock);
	r->entered = true;
	pthread_cond_broadcast(&r->cond);
	while (r->block)
		pthread_cond_wait(&r->cond, &r->lock);
	r->entered = false;
	r->writes++;
	if (r->fail_every && r->writes % r->fail_every == 0) {
		snprintf(r->error, sizeof(r->error), "refused write %u", r->writes);
		rc = -1;
	} else {
		rec_note(r, "L:", line, len);
	}
	pthread_mutex_unlock(&r->lock);
	return rc;
}

static int rec_flush(struct output_sink *s)
{
	struct rec_sink *r = (struct rec_sink *)s;

	pthread_mutex_lock(&r->lock);
	rec_note(r, "F", "", 0);
	pthread_mutex_unlock(&r->lock);
	return 0;
}

static int rec_reopen(struct output_sink *s)
{
	struct rec_sink *r = (struct rec_sink *)s;

	pthread_mutex_lock(&r->lock);
	rec_note(r, "R", "", 0);
	pthread_mutex_unlock(&r->lock);
	return 0;
}

static void rec_free(struct rec_sink *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->log[i]);
	pthread_cond_destroy(&r->cond);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

/* Closing through the queue only marks it; the test reads the log, then rec_free()s. */
static int rec_close(struct output_sink *s, char *err, size_t errlen)
{
	struct rec_sink *r = (struct rec_sink *)s;

	(void)err;
	(void)errlen;
	if (r->closed)
		*r->closed = true;
	return 0;
}

static const char *rec_error(const struct output_sink *s)
{
	return ((const struct rec_sink *)s)->error;
}

static const struct output_ops rec_ops = {
	.name = "rec",
	.write_line = rec_write,
	.flush = rec_flush,
	.close = rec_close,
	.error = rec_error,
	.reopen = rec_reopen,
};

static struct rec_sink *rec_new(void)
{
	struct rec_sink *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	r->base.ops = &rec_ops;
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->cond, NULL);
	return r;
}

/* Waits until the output thread sits inside rec_write(). */
static void rec_wait_entered(struct rec_sink *r)
{
	pthread_mutex_lock(&r->lock);
	while (!r->entered)
		pthread_cond_wait(&r->cond, &r->lock);
	pthread_mutex_unlock(&r->lock);
}

static void rec_release(struct rec_sink *r)
{
	pthread_mutex_lock(&r->lock);
	r->block = false;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
}

/* Only the "L:" entries, joined with '|'. */
static const char *rec_lines(struct rec_sink *r)
{
	static char buf[8192];
	size_t used = 0;

	buf[0] = '\0';
	pthread_mutex_lock(&r->lock);
	for (size_t i = 0; i < r->n; i++)
		if (r->log[i][0] == 'L')
			used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s%s",
						 used ? "|" : "", r->log[i] + 2);
	pthread_mutex_unlock(&r->lock);
	return buf;
}

static struct output_queue *queue_over(struct rec_sink **sinks, size_t n, uint32_t events,
				       uint64_t bytes)
{
	struct output_queue_config cfg = { .max_events = events, .max_bytes = bytes };
	struct output_sink *s[OUTPUT_QUEUE_MAX_SINKS];
	char err[256] = "";
	struct output_queue *q;

	for (size_t i = 0; i < n; i++)
		s[i] = &sinks[i]->base;
	q = output_queue_create(&cfg, s, n, err, sizeof(err));
	if (q == NULL)
		fail_msg("output_queue_create: %s", err);
	return q;
}

static int put(struct output_queue *q, const char *text)
{
	struct output_sink *s = output_queue_sink(q);

	return s->ops->write_line(s, text, strlen(text));
}

/* ------------------------------------------------------------ the queue */

/* 1000 lines reach two sinks complete and in order; counters match. */
static void test_queue_order(void **state)
{
	struct rec_sink *r[2] = { rec_new(), rec_new() };
	struct output_queue *q = queue_over(r, 2, 65536, 1u << 20);
	struct output_queue_stats st;
	char line[32];

	(void)state;
	for (int i = 0; i < 1000; i++) {
		snprintf(line, sizeof(line), "%d", i);
		assert_int_equal(put(q, line), 0);
	}
	assert_int_equal(output_queue_sink(q)->ops->flush(output_queue_sink(q)), 0);
	output_queue_stats(q, &st);
	assert_int_equal(st.queued, 1000);
	assert_int_equal(st.written, 1000);
	assert_int_equal(st.dropped, 0);
	assert_int_equal(st.depth, 0);
	assert_int_equal(st.bytes, 0);
	assert_int_equal(st.nsinks, 2);
	assert_string_equal(st.sink[1].name, "rec");
	for (int k = 0; k < 2; k++) {
		size_t lines = 0;

		assert_int_equal(st.sink[k].written, 1000);
		for (size_t i = 0; i < r[k]->n; i++) {
			if (r[k]->log[i][0] != 'L')
				continue;
			snprintf(line, sizeof(line), "L:%zu", lines++);
			assert_string_equal(r[k]->log[i], line);
		}
		assert_int_equal(lines, 1000);
		/* The flush reached the sink after the last line. */
		assert_string_equal(r[k]->log[r[k]->n - 1], "F");
	}
	assert_int_equal(output_queue_close(q, NULL, NULL, 0), 0);
	rec_free(r[0]);
	rec_free(r[1]);
}

/*
 * A line written and nothing after it: the output thread, going idle,
 * flushes the sinks by itself (within its naps, well under a second), so
 * a quiet sensor's last alert does not wait in a file buffer.
 */
static void test_queue_idle_flush(void **state)
{
	struct rec_sink *r[1] = { rec_new() };
	struct output_queue *q = queue_over(r, 1, 64, 1u << 20);
	bool flushed = false;

	(void)state;
	assert_int_equal(put(q, "alone"), 0);
	for (int i = 0; i < 200 && !flushed; i++) {
		struct timespec ms10 = { 0, 10 * 1000 * 1000 };

		pthread_mutex_lock(&r[0]->lock);
		flushed = r[0]->n == 2 && strcmp(r[0]->log[0], "L:alone") == 0 &&
			  strcmp(r[0]->log[1], "F") == 0;
		pthread_mutex_unlock(&r[0]->lock);
		if (!flushed)
			nanosleep(&ms10, NULL);
	}
	assert_true(flushed);
	assert_int_equal(output_queue_close(q, NULL, NULL, 0), 0);
	rec_free(r[0]);
}

/* A job writes "J<data>" to the sink it is given, from the output thread. */
static void rec_job(void *ctx, const void *data, size_t len)
{
	struct output_sink *sink = ctx;
	char text[64];

	snprintf(text, sizeof(text), "J%.*s", (int)len, (const char *)data);
	sink->ops->write_line(sink, text, strlen(text));
}

/*
 * Jobs run on the output thread in order with the lines around them, on a
 * copy of their data; they count as queued and in jobs_run, not as lines
 * written.  A sink that is not a queue takes no job.
 */
static void test_queue_jobs(void **state)
{
	struct rec_sink *r[1] = { rec_new() };
	struct output_queue *q = queue_over(r, 1, 64, 1u << 20);
	struct output_queue_stats st;
	char data[8] = "x1";

	(void)state;
	assert_int_equal(put(q, "a"), 0);
	assert_int_equal(output_queue_job(output_queue_sink(q), rec_job, &r[0]->base, data, 2), 0);
	data[1] = '2'; /* the queue copied it */
	assert_int_equal(put(q, "b"), 0);
	assert_int_equal(output_queue_job(output_queue_sink(q), rec_job, &r[0]->base, data, 2), 0);
	assert_int_equal(output_queue_sink(q)->ops->flush(output_queue_sink(q)), 0);
	assert_string_equal(rec_lines(r[0]), "a|Jx1|b|Jx2");
	output_queue_stats(q, &st);
	assert_int_equal(st.queued, 4);
	assert_int_equal(st.written, 2);
	assert_int_equal(st.jobs_run, 2);
	assert_int_equal(st.depth, 0);
	assert_int_equal(output_queue_job(&r[0]->base, rec_job, NULL, data, 2), -1);
	assert_int_equal(output_queue_job(output_queue_sink(q), NULL, NULL, data, 2), -1);
	assert_int_equal(output_queue_close(q, NULL, NULL, 0), 0);
	rec_free(r[0]);
}

/*
 * A count cap of 4: line 0 is held inside the blocked sink and still
 * counts (it is in memory), so lines 1..3 fill the queue (1 + 3 = 4) and
 * lines 4 and 5 are dropped without waiting.
 */
static void test_queue_full_drops_events(void **state)
{
	struct rec_sink *r = rec_new();
	struct output_queue *q;
	struct output_queue_stats st;

	(void)state;
	r->block = true;
	q = queue_over(&r, 1, 4, 1u << 20);
	assert_int_equal(put(q, "l0"), 0);
	rec_wait_entered(r);
	assert_int_equal(put(q, "l1"), 0);
	assert_int_equal(put(q, "l2"), 0);
	assert_int_equal(put(q, "l3"), 0);
	assert_int_equal(put(q, "l4"), -1);
	assert_int_equal(put(q, "l5"), -1);
	output_queue_stats(q, &st);
	assert_int_equal(st.queued, 4);
	assert_int_equal(st.dropped, 2);
	assert_int_equal(st.depth, 4);
	assert_int_equal(st.depth_max, 4);
	assert_int_equal(st.bytes, 8); /* 4 lines of 2 bytes */
	assert_int_equal(st.written, 0);
	rec_release(r);
	assert_int_equal(output_queue_sink(q)->ops->flush(output_queue_sink(q)), 0);
	output_queue_stats(q, &st);
	assert_int_equal(st.written, 4);
	assert_int_equal(st.depth, 0);
	assert_string_equal(rec_lines(r), "l0|l1|l2|l3");
	/* Room again: the next line is taken. */
	assert_int_equal(put(q, "l6"), 0);
	assert_int_equal(output_queue_close(q, &st, NULL, 0), 0);
	assert_int_equal(st.written, 5);
	assert_int_equal(st.dropped, 2);
	assert_string_equal(rec_lines(r), "l0|l1|l2|l3|l6");
	rec_free(r);
}

/*
 * A byte cap of 10: "aaaa" (4, held in the sink) + "bbbb" (4) + "cc" (2)
 * = 10 fits; "d" would make 11 and is dropped; a line of 11 bytes can
 * never fit and is dropped even once the queue is empty.
 */
static void test_queue_full_drops_bytes(void **state)
{
	struct rec_sink *r = rec_new();
	struct output_queue *q;
	struct output_queue_stats st;

	(void)state;
	r->block = true;
	q = queue_over(&r, 1, 1000, 10);
	assert_int_equal(put(q, "aaaa"), 0);
	rec_wait_entered(r);
	assert_int_equal(put(q, "bbbb"), 0);
	assert_int_equal(put(q, "cc"), 0);
	assert_int_equal(put(q, "d"), -1);
	output_queue_stats(q, &st);
	assert_int_equal(st.bytes, 10);
	assert_int_equal(st.bytes_max, 10);
	rec_release(r);
	assert_int_equal(output_queue_sink(q)->ops->flush(output_queue_sink(q)), 0);
	assert_int_equal(put(q, "12345678901"), -1);
	assert_int_equal(put(q, "1234567890"), 0);
	assert_int_equal(output_queue_close(q, &st, NULL, 0), 0);
	assert_int_equal(st.queued, 4);
	assert_int_equal(st.dropped, 2);
	assert_int_equal(st.written, 4);
	assert_string_equal(rec_lines(r), "aaaa|bbbb|cc|1234567890");
	rec_free(r);
}

/* wait_when_full (offline runs): a queue of one line loses nothing. */
static void test_queue_wait_when_full(void **state)
{
	struct rec_sink *r = rec_new();
	struct output_queue_config cfg = { .max_events = 1, .max_bytes = 64,
					   .wait_when_full = true };
	struct output_sink *s = &r->base;
	struct output_queue_stats st;
	struct output_queue *q;
	char err[256];

	(void)state;
	q = output_queue_create(&cfg, &s, 1, err, sizeof(err));
	assert_non_null(q);
	for (int i = 0; i < 500; i++) {
		char line[16];

		snprintf(line, sizeof(line), "%d", i);
		assert_int_equal(put(q, line), 0);
	}
	assert_int_equal(output_queue_close(q, &st, err, sizeof(err)), 0);
	assert_int_equal(st.written, 500);
	assert_int_equal(st.dropped, 0);
	assert_int_equal(st.depth_max, 1);
	assert_int_equal(r->writes, 500);
	rec_free(r);
}

/* A failing sink is counted and does not keep lines from the others. */
static void test_queue_sink_errors(void **state)
{
	struct rec_sink *r[2] = { rec_new(), rec_new() };
	struct output_queue *q;
	struct output_queue_stats st;

	(void)state;
	r[0]->fail_every = 3; /* writes 3 and 6 of 7 fail */
	q = queue_over(r, 2, 100, 1000);
	for (int i = 1; i <= 7; i++) {
		char line[8];

		snprintf(line, sizeof(line), "%d", i);
		assert_int_equal(put(q, line), 0);
	}
	assert_int_equal(output_queue_close(q, &st, NULL, 0), 0);
	assert_int_equal(st.written, 7);
	assert_int_equal(st.sink_errors, 2);
	assert_int_equal(st.sink[0].errors, 2);
	assert_int_equal(st.sink[0].written, 5);
	assert_string_equal(st.sink[0].last_error, "refused write 6");
	assert_int_equal(st.sink[1].errors, 0);
	assert_int_equal(st.sink[1].written, 7);
	assert_string_equal(rec_lines(r[0]), "1|2|4|5|7");
	assert_string_equal(rec_lines(r[1]), "1|2|3|4|5|6|7");
	rec_free(r[0]);
	rec_free(r[1]);
}

/* close() without flush writes everything, closes the sink and joins the thread. */
static void test_queue_close_drains(void **state)
{
	struct rec_sink *r = rec_new();
	struct output_queue *q = queue_over(&r, 1, 100, 1000);
	struct output_queue_stats st;
	bool closed = false;

	(void)state;
	r->closed = &closed;
	assert_int_equal(put(q, "x"), 0);
	assert_int_equal(put(q, "y"), 0);
	assert_int_equal(output_queue_close(q, &st, NULL, 0), 0);
	assert_true(closed);
	assert_int_equal(st.written, 2);
	assert_int_equal(st.abandoned, 0);
	assert_string_equal(rec_lines(r), "x|y");
	assert_int_equal(output_queue_close(NULL, NULL, NULL, 0), 0);
	rec_free(r);
}

static void *release_later(void *arg)
{
	struct timespec t = { 0, 300 * 1000000L };

	nanosleep(&t, NULL);
	rec_release(arg);
	return NULL;
}

/*
 * A sink stuck on line 0 past the 100 ms drain timeout: close gives up on
 * the 2 lines behind it, waits only for the line in hand (released after
 * 300 ms), closes the sink and says how many were lost.
 */
static void test_queue_close_abandons(void **state)
{
	struct rec_sink *r = rec_new();
	struct output_queue_config cfg = { .max_events = 10, .max_bytes = 100,
					   .drain_timeout_ms = 100 };
	struct output_sink *s = &r->base;
	struct output_queue_stats st;
	struct output_queue *q;
	pthread_t t;
	bool closed = false;
	char err[256] = "";

	(void)state;
	r->block = true;
	r->closed = &closed;
	q = output_queue_create(&cfg, &s, 1, err, sizeof(err));
	assert_non_null(q);
	assert_int_equal(put(q, "0"), 0);
	rec_wait_entered(r);
	assert_int_equal(put(q, "1"), 0);
	assert_int_equal(put(q, "2"), 0);
	/* A flush cannot finish either: it times out and says so. */
	assert_int_equal(output_queue_sink(q)->ops->flush(output_queue_sink(q)), -1);
	assert_string_equal(output_queue_sink(q)->ops->error(output_queue_sink(q)),
			    "flush: 3 lines still waiting after 100 ms");
	assert_int_equal(pthread_create(&t, NULL, release_later, r), 0);
	assert_int_equal(output_queue_close(q, &st, err, sizeof(err)), -1);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_string_equal(err,
			    "2 event lines not written: the output did not catch up within 100 ms");
	assert_true(closed);
	assert_int_equal(st.written, 1);
	assert_int_equal(st.abandoned, 2);
	assert_int_equal(st.depth, 0);
	assert_string_equal(rec_lines(r), "0");
	rec_free(r);
}

/* A reopen request is acted on before the next line, once. */
static void test_queue_reopen(void **state)
{
	struct rec_sink *r = rec_new();
	struct output_queue *q = queue_over(&r, 1, 100, 1000);
	struct output_queue_stats st;

	(void)state;
	assert_int_equal(put(q, "a"), 0);
	assert_int_equal(output_queue_sink(q)->ops->flush(output_queue_sink(q)), 0);
	output_queue_set_reopen();
	assert_int_equal(put(q, "b"), 0);
	assert_int_equal(output_queue_sink(q)->ops->flush(output_queue_sink(q)), 0);
	/* The queue's own reopen op does the same for this queue. */
	assert_int_equal(output_queue_sink(q)->ops->reopen(output_queue_sink(q)), 0);
	assert_int_equal(put(q, "c"), 0);
	assert_int_equal(output_queue_close(q, &st, NULL, 0), 0);
	assert_int_equal(st.reopens, 2);
	assert_int_equal(r->n, 7);
	assert_string_equal(r->log[0], "L:a");
	assert_string_equal(r->log[1], "F");
	assert_string_equal(r->log[2], "R");
	assert_string_equal(r->log[3], "L:b");
	assert_string_equal(r->log[4], "F");
	assert_string_equal(r->log[5], "R");
	assert_string_equal(r->log[6], "L:c");
	rec_free(r);
}

static void test_queue_bad_config(void **state)
{
	struct rec_sink *r = rec_new();
	struct output_sink *s[OUTPUT_QUEUE_MAX_SINKS + 1];
	struct output_queue_config cfg = { .max_events = 1, .max_bytes = 1 };
	char err[256];

	(void)state;
	for (size_t i = 0; i <= OUTPUT_QUEUE_MAX_SINKS; i++)
		s[i] = &r->base;
	assert_null(output_queue_create(&cfg, s, 0, err, sizeof(err)));
	assert_string_equal(err, "output queue: 0 outputs (1..8)");
	assert_null(output_queue_create(&cfg, s, 9, err, sizeof(err)));
	assert_string_equal(err, "output queue: 9 outputs (1..8)");
	cfg.max_events = 0;
	assert_null(output_queue_create(&cfg, s, 1, err, sizeof(err)));
	assert_string_equal(err, "output queue: limits must be at least 1");
	rec_free(r);
}

/* ------------------------------------------------------ the file sink */

static char tmpdir[] = "/tmp/test-output-XXXXXX";

static const char *tmp_path(const char *base)
{
	static char path[4][128];
	static int which;

	which = (which + 1) % 4;
	snprintf(path[which], sizeof(path[which]), "%s/%s", tmpdir, base);
	return path[which];
}

static const char *slurp(const char *path)
{
	static char buf[4096];
	FILE *fp = fopen(path, "rb");
	size_t n;

	if (fp == NULL)
		return "(missing)";
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static void fput(struct output_sink *s, const char *text)
{
	assert_int_equal(s->ops->write_line(s, text, strlen(text)), 0);
}

/*
 * Rotation by rename: the sink keeps writing to the renamed file until
 * reopened, then to a new file at the path; a reopen with no rename
 * appends instead of truncating.
 */
static void test_file_reopen_after_rename(void **state)
{
	char err[256] = "";
	struct output_sink *s;

	(void)state;
	s = output_file_open(tmp_path("events.json"), err, sizeof(err));
	assert_non_null(s);
	fput(s, "a");
	fput(s, "b");
	assert_int_equal(s->ops->flush(s), 0);
	assert_int_equal(rename(tmp_path("events.json"), tmp_path("events.json.1")), 0);
	fput(s, "c"); /* not reopened yet: follows the renamed file */
	assert_int_equal(s->ops->reopen(s), 0);
	fput(s, "d");
	assert_int_equal(s->ops->flush(s), 0);
	assert_string_equal(slurp(tmp_path("events.json.1")), "a\nb\nc\n");
	assert_string_equal(slurp(tmp_path("events.json")), "d\n");
	assert_int_equal(s->ops->reopen(s), 0);
	fput(s, "e");
	assert_int_equal(s->ops->close(s, err, sizeof(err)), 0);
	assert_string_equal(slurp(tmp_path("events.json")), "d\ne\n");
	unlink(tmp_path("events.json"));
	unlink(tmp_path("events.json.1"));
}

/* When the path cannot be opened again, lines keep going to the old file. */
static void test_file_reopen_fails(void **state)
{
	char err[256] = "";
	struct output_sink *s;

	(void)state;
	assert_int_equal(mkdir(tmp_path("d"), 0700), 0);
	s = output_file_open(tmp_path("d/ev.json"), err, sizeof(err));
	assert_non_null(s);
	fput(s, "1");
	assert_int_equal(rename(tmp_path("d"), tmp_path("gone")), 0);
	assert_int_equal(s->ops->reopen(s), -1);
	assert_string_equal(s->ops->error(s), "reopen: No such file or directory");
	fput(s, "2");
	assert_int_equal(s->ops->close(s, err, sizeof(err)), -1);
	assert_string_equal(err, "reopen: No such file or directory");
	assert_string_equal(slurp(tmp_path("gone/ev.json")), "1\n2\n");
	unlink(tmp_path("gone/ev.json"));
	rmdir(tmp_path("gone"));
}

/* The whole path: SIGHUP's flag, through the queue's thread, to the file. */
static void test_file_reopen_through_queue(void **state)
{
	struct output_queue_config cfg = { .max_events = 100, .max_bytes = 1000 };
	struct output_queue_stats st;
	struct output_queue *q;
	struct output_sink *f;
	char err[256] = "";

	(void)state;
	f = output_file_open(tmp_path("q.json"), err, sizeof(err));
	assert_non_null(f);
	q = output_queue_create(&cfg, &f, 1, err, sizeof(err));
	assert_non_null(q);
	assert_int_equal(put(q, "{\"n\":1}"), 0);
	assert_int_equal(output_queue_sink(q)->ops->flush(output_queue_sink(q)), 0);
	assert_int_equal(rename(tmp_path("q.json"), tmp_path("q.json.1")), 0);
	output_queue_set_reopen();
	assert_int_equal(put(q, "{\"n\":2}"), 0);
	assert_int_equal(output_queue_close(q, &st, err, sizeof(err)), 0);
	assert_int_equal(st.reopens, 1);
	assert_string_equal(slurp(tmp_path("q.json.1")), "{\"n\":1}\n");
	assert_string_equal(slurp(tmp_path("q.json")), "{\"n\":2}\n");
	unlink(tmp_path("q.json"));
	unlink(tmp_path("q.json.1"));
}

/* ----------------------------------------------------- syslog format */

/*
 * 2026-03-03T09:01:00 UTC: 56 years from 1970 with 14 leap days
 * (1972..2024) = 20454 days, + Jan 31 + Feb 28 + 2 = 20515 days;
 * 20515 * 86400 = 1772496000, + 9 h 1 min (32460 s) = 1772528460.
 */
static const struct timespec t_event = { 1772528460, 1752000 }; /* .001752 */

static void fixed_now(struct timespec *ts)
{
	*ts = t_event;
}

#define ALERT_HIGH                                                                         \
	"{\"timestamp\":\"2026-03-03T09:01:00.001752+0000\",\"event_type\":\"alert\","      \
	"\"device\":{\"mac\":\"3c:d9:2b:1a:2b:3c\"},\"alert\":{\"rule\":\"arp-spoof\","      \
	"\"severity\":\"high\"}}"

static const char *header(uint32_t facility, const char *line)
{
	static char buf[OUTPUT_SYSLOG_HEADER_MAX];
	size_t n = output_syslog_header(buf, facility, &t_event, "sensor1", "edgewatch", 4242,
					line, strlen(line));

	assert_int_equal(n, strlen(buf));
	return buf;
}

static void test_syslog_header(void **state)
{
	(void)state;
	/* local0 (16) and high (error, 3): 16 * 8 + 3 = 131. */
	assert_string_equal(header(16, ALERT_HIGH),
			    "<131>1 2026-03-03T09:01:00.001752Z sensor1 edgewatch 4242 alert - ");
	/* kern (0) and critical (2): 0 * 8 + 2 = 2. */
	assert_string_equal(header(0, "{\"event_type\":\"anomaly\",\"anomaly\":"
				      "{\"severity\":\"critical\"}}"),
			    "<2>1 2026-03-03T09:01:00.001752Z sensor1 edgewatch 4242 anomaly - ");
	/* local7 (23) and a flow (informational, 6): 23 * 8 + 6 = 190. */
	assert_string_equal(header(23, "{\"timestamp\":\"x\",\"event_type\":\"flow\"}"),
			    "<190>1 2026-03-03T09:01:00.001752Z sensor1 edgewatch 4242 flow - ");
	/* No event_type: MSGID "-", informational: 16 * 8 + 6 = 134. */
	assert_string_equal(header(16, "not json"),
			    "<134>1 2026-03-03T09:01:00.001752Z sensor1 edgewatch 4242 - - ");
}

struct sev_case {
	const char *line;
	unsigned sev;
};

static void test_syslog_severity(void **state)
{
	static char far[OUTPUT_SYSLOG_SCAN_BYTES + 100];
	static const struct sev_case cases[] = {
		{ "{\"event_type\":\"alert\",\"alert\":{\"severity\":\"critical\"}}", 2 },
		{ "{\"event_type\":\"alert\",\"alert\":{\"severity\":\"high\"}}", 3 },
		{ "{\"event_type\":\"anomaly\",\"anomaly\":{\"severity\":\"medium\"}}", 4 },
		{ "{\"event_type\":\"alert\",\"alert\":{\"severity\":\"low\"}}", 5 },
		{ "{\"event_type\":\"alert\",\"alert\":{\"severity\":\"info\"}}", 6 },
		/* An alert whose severity is missing or unknown: warning. */
		{ "{\"event_type\":\"alert\",\"alert\":{}}", 4 },
		{ "{\"event_type\":\"alert\",\"alert\":{\"severity\":\"extreme\"}}", 4 },
		{ "{\"event_type\":\"alert\",\"alert\":{\"severity\":\"high", 4 }, /* cut */
		/* Other events are informational whatever they carry. */
		{ "{\"event_type\":\"flow\",\"severity\":\"critical\"}", 6 },
		{ "{\"event_type\":\"device\"}", 6 },
		{ "", 6 },
		{ "{\"event_type\":\"alert", 6 }, /* cut inside the type */
		/* Quoted text cannot pose as a key: its quotes are escaped. */
		{ "{\"event_type\":\"flow\",\"x\":\"\\\"event_type\\\":\\\"alert\\\"\"}", 6 },
		{ "{\"event_type\":\"alert\",\"e\":\"\\\"severity\\\":\\\"critical\\\"\","
		  "\"alert\":{\"severity\":\"low\"}}", 5 },
		/* A type longer than a MSGID (32) or with a space is not read. */
		{ "{\"event_type\":\"alertalertalertalertalertalertaler\"}", 6 },
		{ "{\"event_type\":\"al ert\"}", 6 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned got = output_syslog_severity(cases[i].line, strlen(cases[i].line));

		if (got != cases[i].sev)
			fail_msg("case %zu '%s': severity %u, want %u", i, cases[i].line, got,
				 cases[i].sev);
	}
	/* A severity past the scan limit is not read (warning), one inside it is. */
	memset(far, ' ', sizeof(far));
	memcpy(far, "{\"event_type\":\"alert\",", 22);
	memcpy(far + OUTPUT_SYSLOG_SCAN_BYTES - 19, "\"severity\":\"high\"}", 18);
	assert_int_equal(output_syslog_severity(far, OUTPUT_SYSLOG_SCAN_BYTES), 3);
	memset(far + OUTPUT_SYSLOG_SCAN_BYTES - 19, ' ', 18);
	memcpy(far + OUTPUT_SYSLOG_SCAN_BYTES - 2, "\"severity\":\"high\"}", 18);
	assert_int_equal(output_syslog_severity(far, sizeof(far)), 4);
	/* The MSGID of a type too long for one is "-". */
	assert_string_equal(header(16, cases[14].line),
			    "<134>1 2026-03-03T09:01:00.001752Z sensor1 edgewatch 4242 - - ");
}

struct target_case {
	const char *text;
	int transport; /* -1: refused */
	const char *host, *port, *path, *err;
};

static void test_syslog_targets(void **state)
{
	static const struct target_case cases[] = {
		{ "", OUTPUT_SYSLOG_UNIX, "", "", "/dev/log", NULL },
		{ "unix:///run/syslog.sock", OUTPUT_SYSLOG_UNIX, "", "", "/run/syslog.sock", NULL },
		{ "udp://logs.example:5514", OUTPUT_SYSLOG_UDP, "logs.example", "5514", "", NULL },
		{ "udp://10.0.0.2", OUTPUT_SYSLOG_UDP, "10.0.0.2", "514", "", NULL },
		{ "tcp://[2001:db8::5]:6514", OUTPUT_SYSLOG_TCP, "2001:db8::5", "6514", "", NULL },
		{ "tcp://[::1]", OUTPUT_SYSLOG_TCP, "::1", "514", "", NULL },
		{ "tcp://h:65535", OUTPUT_SYSLOG_TCP, "h", "65535", "", NULL },
		{ "http://x", -1, 0, 0, 0,
		  "output.syslog.target: 'http://x': expected udp://HOST:PORT, tcp://HOST:PORT or "
		  "unix:///PATH" },
		{ "unix://dev/log", -1, 0, 0, 0,
		  "output.syslog.target: 'unix://dev/log': the path must be absolute" },
		{ "udp://", -1, 0, 0, 0, "output.syslog.target: 'udp://': no host" },
		{ "udp://:514", -1, 0, 0, 0, "output.syslog.target: 'udp://:514': no host" },
		{ "tcp://h:0", -1, 0, 0, 0,
		  "output.syslog.target: 'tcp://h:0': port is not a number 1..65535" },
		{ "tcp://h:65536", -1, 0, 0, 0,
		  "output.syslog.target: 'tcp://h:65536': port is not a number 1..65535" },
		{ "tcp://h:", -1, 0, 0, 0,
		  "output.syslog.target: 'tcp://h:': port is not a number 1..65535" },
		{ "tcp://h:+1", -1, 0, 0, 0,
		  "output.syslog.target: 'tcp://h:+1': port is not a number 1..65535" },
		{ "tcp://2001:db8::5:514", -1, 0, 0, 0,
		  "output.syslog.target: 'tcp://2001:db8::5:514': an IPv6 address must be in "
		  "brackets: [ADDR]:PORT" },
		{ "tcp://[::1", -1, 0, 0, 0, "output.syslog.target: 'tcp://[::1': '[' without ']'" },
		{ "tcp://[::1]514", -1, 0, 0, 0,
		  "output.syslog.target: 'tcp://[::1]514': expected ':PORT' after ']'" },
		{ "udp://a b:1", -1, 0, 0, 0,
		  "output.syslog.target: 'udp://a b:1': bad character in host" },
	};
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct target_case *c = &cases[i];
		struct output_syslog_target t;
		int rc = output_syslog_parse_target(c->text, &t, err, sizeof(err));

		if (c->transport < 0) {
			if (rc != -1 || strcmp(err, c->err) != 0)
				fail_msg("'%s': got %d '%s', want '%s'", c->text, rc, rc ? err : "",
					 c->err);
			continue;
		}
		if (rc != 0)
			fail_msg("'%s': refused: %s", c->text, err);
		assert_int_equal(t.transport, c->transport);
		assert_string_equal(t.host, c->host);
		assert_string_equal(t.port, c->port);
		assert_string_equal(t.path, c->path);
	}
	/* A 108-byte path does not fit sun_path with its NUL. */
	{
		char text[7 + 109];
		struct output_syslog_target t;

		memcpy(text, "unix://", 7);
		memset(text + 7, 'p', 108);
		text[7] = '/';
		text[7 + 108] = '\0';
		assert_int_equal(output_syslog_parse_target(text, &t, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "': socket path is too long"));
	}
}

static void test_syslog_open_checks(void **state)
{
	struct output_syslog_config cfg = { .target = "udp://127.0.0.1:9", .facility = 24,
					    .app_name = "edgewatch" };
	char err[256];

	(void)state;
	assert_null(output_syslog_open(&cfg, err, sizeof(err)));
	assert_string_equal(err, "output.syslog.facility: 24 is not a facility (0..23)");
	cfg.facility = 16;
	cfg.app_name = "edge watch";
	assert_null(output_syslog_open(&cfg, err, sizeof(err)));
	assert_string_equal(err, "output.syslog.app_name: only printable ASCII without spaces");
	cfg.app_name = "";
	assert_null(output_syslog_open(&cfg, err, sizeof(err)));
	assert_string_equal(err, "output.syslog.app_name: must be 1..48 characters");
	cfg.app_name = "edgewatch";
	cfg.target = "udp://no-such-host.invalid:514";
	assert_null(output_syslog_open(&cfg, err, sizeof(err)));
	assert_int_equal(strncmp(err, "output.syslog.target: no-such-host.invalid: ", 44), 0);
}

/* ---------------------------------------------------- syslog sockets */

#define FLOW_LINE "{\"timestamp\":\"2026-03-03T09:01:00.001752+0000\",\"event_type\":\"flow\"}"

/* Receives one datagram or stream chunk within a second; its length, or -1. */
static ssize_t recv_within(int fd, char *buf, size_t cap)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, 1000) != 1)
		return -1;
	return recv(fd, buf, cap, 0);
}

/* Reads exactly n bytes from a stream within a second each. */
static void recv_exact(int fd, char *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t k = recv_within(fd, buf + got, n - got);

		if (k <= 0)
			fail_msg("stream ended after %zu of %zu bytes", got, n);
		got += (size_t)k;
	}
	buf[n] = '\0';
}

static struct output_sink *syslog_to(const char *target, uint32_t timeout_ms)
{
	struct output_syslog_config cfg = {
		.target = target, .facility = 16, .app_name = "edgewatch", .hostname = "h 1",
		.timeout_ms = timeout_ms, .backoff_min_ms = 50, .backoff_max_ms = 200,
		.now = fixed_now,
	};
	char err[256] = "";
	struct output_sink *s = output_syslog_open(&cfg, err, sizeof(err));

	if (s == NULL)
		fail_msg("output_syslog_open(%s): %s", target, err);
	return s;
}

/*
 * The expected message for FLOW_LINE: local0 informational = 16 * 8 + 6
 * = 134; the host "h 1" made printable is "h_1"; PROCID is our pid.
 */
static const char *flow_message(void)
{
	static char buf[512];

	snprintf(buf, sizeof(buf), "<134>1 2026-03-03T09:01:00.001752Z h_1 edgewatch %ld flow - %s",
		 (long)getpid(), FLOW_LINE);
	return buf;
}

static void test_syslog_unix(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char target[160], buf[1024];
	struct output_syslog_stats st;
	struct output_sink *s;
	int fd;

	(void)state;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", tmp_path("log"));
	snprintf(target, sizeof(target), "unix://%s", sa.sun_path);
	s = syslog_to(target, 500);
	/* No socket yet: an error, and the next line tries again. */
	assert_int_equal(s->ops->write_line(s, FLOW_LINE, strlen(FLOW_LINE)), -1);
	assert_string_equal(s->ops->error(s), "syslog connect: No such file or directory");
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(s->ops->write_line(s, FLOW_LINE, strlen(FLOW_LINE)), 0);
	assert_int_equal(recv_within(fd, buf, sizeof(buf) - 1), (ssize_t)strlen(flow_message()));
	buf[strlen(flow_message())] = '\0';
	assert_string_equal(buf, flow_message());
	output_syslog_stats(s, &st);
	assert_int_equal(st.sent, 1);
	assert_int_equal(st.send_errors, 1);
	assert_int_equal(st.connects, 1);
	assert_int_equal(s->ops->close(s, NULL, 0), 0);
	close(fd);
	unlink(sa.sun_path);
}

/* A socket on 127.0.0.1, port chosen by the kernel; returns the fd and sets *port. */
static int local_socket(int type, unsigned *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, type, 0);

	assert_true(fd >= 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	*port = ntohs(sa.sin_port);
	if (type == SOCK_STREAM)
		assert_int_equal(listen(fd, 4), 0);
	return fd;
}

static void test_syslog_udp(void **state)
{
	static char big[10000], buf[16384];
	char target[64], want[128];
	struct output_syslog_stats st;
	struct output_sink *s;
	unsigned port;
	size_t hlen;
	int fd;

	(void)state;
	fd = local_socket(SOCK_DGRAM, &port);
	snprintf(target, sizeof(target), "udp://127.0.0.1:%u", port);
	s = syslog_to(target, 500);
	assert_int_equal(s->ops->write_line(s, FLOW_LINE, strlen(FLOW_LINE)), 0);
	assert_int_equal(recv_within(fd, buf, sizeof(buf)), (ssize_t)strlen(flow_message()));
	buf[strlen(flow_message())] = '\0';
	assert_string_equal(buf, flow_message());
	/*
	 * A 10000-byte line: the datagram is cut at 8192 bytes in all, so it
	 * holds the header (no event_type: MSGID "-") and the line's first
	 * 8192 - header bytes.
	 */
	memset(big, 'z', sizeof(big));
	snprintf(want, sizeof(want), "<134>1 2026-03-03T09:01:00.001752Z h_1 edgewatch %ld - - ",
		 (long)getpid());
	hlen = strlen(want);
	assert_int_equal(s->ops->write_line(s, big, sizeof(big)), 0);
	assert_int_equal(recv_within(fd, buf, sizeof(buf)), 8192);
	assert_int_equal(memcmp(buf, want, hlen), 0);
	for (size_t i = hlen; i < 8192; i++)
		if (buf[i] != 'z')
			fail_msg("byte %zu is %d, want 'z'", i, buf[i]);
	output_syslog_stats(s, &st);
	assert_int_equal(st.sent, 2);
	assert_int_equal(st.truncated, 1);
	assert_int_equal(s->ops->close(s, NULL, 0), 0);
	close(fd);
}

/* "LEN SP MSG" for the message of FLOW_LINE (RFC 6587 octet counting). */
static const char *flow_frame(void)
{
	static char buf[600];

	snprintf(buf, sizeof(buf), "%zu %s", strlen(flow_message()), flow_message());
	return buf;
}

static void test_syslog_tcp(void **state)
{
	char target[64], buf[2048], want[2048];
	struct output_syslog_stats st;
	struct output_sink *s;
	unsigned port;
	int lfd, c1, c2;
	size_t flen = strlen(flow_frame());

	(void)state;
	lfd = local_socket(SOCK_STREAM, &port);
	snprintf(target, sizeof(target), "tcp://127.0.0.1:%u", port);
	s = syslog_to(target, 500);
	assert_int_equal(s->ops->write_line(s, FLOW_LINE, strlen(FLOW_LINE)), 0);
	assert_int_equal(s->ops->write_line(s, FLOW_LINE, strlen(FLOW_LINE)), 0);
	c1 = accept(lfd, NULL, NULL);
	assert_true(c1 >= 0);
	recv_exact(c1, buf, 2 * flen);
	snprintf(want, sizeof(want), "%s%s", flow_frame(), flow_frame());
	assert_string_equal(buf, want);
	/* The collector goes away; the sink notices before sending and connects anew. */
	close(c1);
	{
		struct timespec t = { 0, 20 * 1000000L }; /* let the FIN arrive */

		nanosleep(&t, NULL);
	}
	assert_int_equal(s->ops->write_line(s, FLOW_LINE, strlen(FLOW_LINE)), 0);
	c2 = accept(lfd, NULL, NULL);
	assert_true(c2 >= 0);
	recv_exact(c2, buf, flen);
	assert_string_equal(buf, flow_frame());
	output_syslog_stats(s, &st);
	assert_int_equal(st.connects, 2);
	assert_int_equal(st.sent, 3);
	assert_int_equal(s->ops->close(s, NULL, 0), 0);
	close(c2);
	close(lfd);
}

/* Nobody listening: refused, then no new attempt while the 50 ms backoff lasts. */
static void test_syslog_tcp_backoff(void **state)
{
	char target[64], want[128];
	struct output_syslog_stats st;
	struct output_sink *s;
	unsigned port;
	int lfd;

	(void)state;
	lfd = local_socket(SOCK_STREAM, &port);
	close(lfd); /* the port is now closed */
	snprintf(target, sizeof(target), "tcp://127.0.0.1:%u", port);
	s = syslog_to(target, 500);
	assert_int_equal(s->ops->write_line(s, FLOW_LINE, strlen(FLOW_LINE)), -1);
	assert_string_equal(s->ops->error(s), "syslog connect: Connection refused");
	assert_int_equal(s->ops->write_line(s, FLOW_LINE, strlen(FLOW_LINE)), -1);
	snprintf(want, sizeof(want), "syslog: not connected to 127.0.0.1:%u (next attempt in ",
		 port);
	assert_int_equal(strncmp(s->ops->error(s), want, strlen(want)), 0);
	output_syslog_stats(s, &st);
	assert_int_equal(st.connects, 0);
	assert_int_equal(st.send_errors, 2);
	assert_int_equal(s->ops->close(s, NULL, 0), 0);
}

static double mono_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/*
 * A collector that accepts and never reads: once the socket buffers are
 * full, a line fails after the 200 ms timeout instead of hanging.
 */
static void test_syslog_tcp_timeout(void **state)
{
	static char line[65536];
	char target[64];
	struct output_sink *s;
	unsigned port;
	int lfd, c = -1, i, rc = 0;
	double t0 = 0, took = 0;

	(void)state;
	memset(line, 'q', sizeof(line));
	lfd = local_socket(SOCK_STREAM, &port);
	snprintf(target, sizeof(target), "tcp://127.0.0.1:%u", port);
	s = syslog_to(target, 200);
	for (i = 0; i < 4000 && rc == 0; i++) {
		t0 = mono_s();
		rc = s->ops->write_line(s, line, sizeof(line));
		took = mono_s() - t0;
		if (c < 0)
			c = accept(lfd, NULL, NULL);
	}
	assert_int_equal(rc, -1);
	assert_string_equal(s->ops->error(s), "syslog send: Connection timed out");
	if (took < 0.19 || took > 1.5)
		fail_msg("the failing write took %.3f s, want about 0.2 s", took);
	assert_int_equal(s->ops->close(s, NULL, 0), 0);
	close(c);
	close(lfd);
}

/* ----------------------------------------------------------------- main */

static int files_setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int files_teardown(void **state)
{
	(void)state;
	return rmdir(tmpdir);
}

int main(void)
{
	const struct CMUnitTest queue_tests[] = {
		cmocka_unit_test(test_queue_order),
		cmocka_unit_test(test_queue_jobs),
		cmocka_unit_test(test_queue_idle_flush),
		cmocka_unit_test(test_queue_full_drops_events),
		cmocka_unit_test(test_queue_full_drops_bytes),
		cmocka_unit_test(test_queue_wait_when_full),
		cmocka_unit_test(test_queue_sink_errors),
		cmocka_unit_test(test_queue_close_drains),
		cmocka_unit_test(test_queue_close_abandons),
		cmocka_unit_test(test_queue_reopen),
		cmocka_unit_test(test_queue_bad_config),
	};
	const struct CMUnitTest file_tests[] = {
		cmocka_unit_test(test_file_reopen_after_rename),
		cmocka_unit_test(test_file_reopen_fails),
		cmocka_unit_test(test_file_reopen_through_queue),
		cmocka_unit_test(test_syslog_unix),
	};
	const struct CMUnitTest syslog_tests[] = {
		cmocka_unit_test(test_syslog_header),
		cmocka_unit_test(test_syslog_severity),
		cmocka_unit_test(test_syslog_targets),
		cmocka_unit_test(test_syslog_open_checks),
		cmocka_unit_test(test_syslog_udp),
		cmocka_unit_test(test_syslog_tcp),
		cmocka_unit_test(test_syslog_tcp_backoff),
		cmocka_unit_test(test_syslog_tcp_timeout),
	};
	int failed = 0;

	failed += cmocka_run_group_tests_name("output_queue", queue_tests, NULL, NULL);
	failed += cmocka_run_group_tests_name("output_files", file_tests, files_setup,
					      files_teardown);
	failed += cmocka_run_group_tests_name("output_syslog", syslog_tests, NULL, NULL);
	return failed == 0 ? 0 : 1;
}
