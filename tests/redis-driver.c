/*
 * redis-driver.c - writes numbered event lines through the Redis output,
 * for tests/test-redis.sh.
 *
 *   redis-driver --url URL [--user U] [--password-file F] [--spool DIR]
 *                [--spool-cap BYTES] [--count N] [--first K] [--alert-every M]
 *                [--delay-ms D] [--pause-at A[,B..]] [--pause-dir DIR]
 *                [--timeout-ms T] [--drain-ms D] [--channel C] [--xadd STREAM]
 *
 * Line i (i = first .. first+count-1) is
 *   {"timestamp":"2026-03-02T08:00:00.000000+0000","event_type":"flow","seq":"000042"}
 * or, when alert-every divides i, an alert with "alert":{"severity":"high"}.
 * With --pause-at A, after line A it creates DIR/paused.A and waits for
 * DIR/go.A, so the test can stop or start Redis between two lines.  At
 * the end it flushes until the spool is empty (or drain-ms passes), closes
 * and prints the counters on stdout as key=value lines.  --xadd also adds
 * one entry per line through output_redis_xadd (fields seq, n).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "output-redis.h"

static void log_line(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "log: %s\n", msg);
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static int touch(const char *path)
{
	FILE *fp = fopen(path, "w");

	return fp != NULL && fclose(fp) == 0 ? 0 : -1;
}

/* Waits (forever: the test's timeout bounds it) for the go file of pause n. */
static void pause_at(const char *dir, unsigned long n)
{
	char p[4096], g[4096];

	snprintf(p, sizeof(p), "%s/paused.%lu", dir, n);
	snprintf(g, sizeof(g), "%s/go.%lu", dir, n);
	if (touch(p) != 0) {
		fprintf(stderr, "redis-driver: %s: %s\n", p, strerror(errno));
		exit(2);
	}
	while (access(g, F_OK) != 0)
		sleep_ms(20);
}

static int is_pause(const char *list, unsigned long i)
{
	char *end;

	for (const char *p = list; p != NULL && *p != '\0'; p = *end == ',' ? end + 1 : end) {
		unsigned long v = strtoul(p, &end, 10);

		if (end == p)
			return 0;
		if (v == i)
			return 1;
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: redis-driver --url URL [options] (see the source)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct redis_out_config c = {
		.connect_timeout_ms = 1000, .command_timeout_ms = 1000,
		.alerts_stream = "edgewatch:alerts", .events_stream = "edgewatch:events",
		.maxlen = 100000, .spool_cap_bytes = 16u * 1024u * 1024u, .log = log_line,
	};
	const char *pw_file = NULL, *pauses = NULL, *pause_dir = ".", *xadd = NULL;
	unsigned long count = 10, first = 1, alert_every = 0, delay_ms = 0, drain_ms = 10000;
	char password[REDIS_OUT_PASSWORD_MAX + 1], err[512], line[256];
	struct output_sink *s;
	struct redis_out_stats st;
	int rc = 0;

	signal(SIGPIPE, SIG_IGN);
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (v == NULL)
			usage();
		i++;
		if (strcmp(o, "--url") == 0)
			c.url = v;
		else if (strcmp(o, "--user") == 0)
			c.user = v;
		else if (strcmp(o, "--password-file") == 0)
			pw_file = v;
		else if (strcmp(o, "--spool") == 0)
			c.spool_dir = v;
		else if (strcmp(o, "--spool-cap") == 0)
			c.spool_cap_bytes = strtoull(v, NULL, 10);
		else if (strcmp(o, "--count") == 0)
			count = strtoul(v, NULL, 10);
		else if (strcmp(o, "--first") == 0)
			first = strtoul(v, NULL, 10);
		else if (strcmp(o, "--alert-every") == 0)
			alert_every = strtoul(v, NULL, 10);
		else if (strcmp(o, "--delay-ms") == 0)
			delay_ms = strtoul(v, NULL, 10);
		else if (strcmp(o, "--pause-at") == 0)
			pauses = v;
		else if (strcmp(o, "--pause-dir") == 0)
			pause_dir = v;
		else if (strcmp(o, "--timeout-ms") == 0)
			c.command_timeout_ms = c.connect_timeout_ms = (uint32_t)strtoul(v, NULL, 10);
		else if (strcmp(o, "--drain-ms") == 0)
			drain_ms = strtoul(v, NULL, 10);
		else if (strcmp(o, "--channel") == 0)
			c.channel = v;
		else if (strcmp(o, "--xadd") == 0)
			xadd = v;
		else
			usage();
	}
	if (c.url == NULL)
		usage();
	if (redis_read_password(pw_file, password, sizeof(password), err, sizeof(err)) != 0) {
		fprintf(stderr, "redis-driver: %s\n", err);
		return 2;
	}
	c.password = password;
	if ((s = output_redis_open(&c, err, sizeof(err))) == NULL) {
		fprintf(stderr, "redis-driver: %s\n", err);
		return 2;
	}
	for (unsigned long i = first; i < first + count; i++) {
		int alert = alert_every != 0 && i % alert_every == 0;
		int n = snprintf(line, sizeof(line),
				 "{\"timestamp\":\"2026-03-02T08:00:00.000000+0000\",\"event_type\":\"%s\","
				 "%s\"seq\":\"%06lu\"}",
				 alert ? "alert" : "flow", alert ? "\"alert\":{\"severity\":\"high\"}," : "",
				 i);

		if (s->ops->write_line(s, line, (size_t)n) != 0)
			rc = 1;
		if (xadd != NULL) {
			char seq[32];
			const char *f[] = {"seq", seq, "n", "x"};
			size_t l[] = {3, 0, 1, 1};

			l[1] = (size_t)snprintf(seq, sizeof(seq), "%06lu", i);
			if (output_redis_xadd(s, xadd, f, l, 4) != 0)
				rc = 1;
		}
		if (pauses != NULL && is_pause(pauses, i))
			pause_at(pause_dir, i);
		if (delay_ms > 0)
			sleep_ms((unsigned)delay_ms);
	}
	for (unsigned long waited = 0;; waited += 50) {
		s->ops->flush(s);
		output_redis_stats(s, &st);
		if ((st.spool_pending == 0 && st.state == REDIS_OUT_CONNECTED) || waited >= drain_ms)
			break;
		sleep_ms(50);
	}
	printf("written=%llu\nspooled=%llu\nreplayed=%llu\ndropped=%llu\nreconnects=%llu\n"
	       "pending=%llu\ncorrupt_bytes=%llu\nconnected=%d\n",
	       (unsigned long long)st.written, (unsigned long long)st.spooled,
	       (unsigned long long)st.replayed, (unsigned long long)st.dropped,
	       (unsigned long long)st.reconnects, (unsigned long long)st.spool_pending,
	       (unsigned long long)st.spool_corrupt_bytes, st.state == REDIS_OUT_CONNECTED);
	if (s->ops->close(s, err, sizeof(err)) != 0) {
		fprintf(stderr, "redis-driver: close: %s\n", err);
		rc = 1;
	}
	return rc;
}
