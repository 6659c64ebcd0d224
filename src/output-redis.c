/*
 * output-redis.c - events to Redis streams, spooled while Redis is away
 * (contract in output-redis.h and docs/redis.md).
 *
 * One rule keeps the order: an entry goes to the server only when the
 * journal is empty and the connection is up; otherwise it goes to the
 * end of the journal.  Any failure (connection lost, timeout, error
 * reply) closes the connection, puts the entry that failed in the journal
 * and starts the backoff; the next successful connect replays the journal
 * from its head before anything new.  A timeout or lost connection leaves
 * it unknown whether the server applied the command, so the entry is
 * kept: at least once, never at most once.
 *
 * Each call has a budget (command_timeout_ms); the socket timeout is set
 * to what is left of it before each exchange.  hiredis 0.14 resolves host
 * names with getaddrinfo(), which no timeout bounds: use an address or a
 * unix socket where that matters.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "output-redis.h"
#include "spool.h"
#include "util-file.h"
#include "util-redis-url.h"

#define NAME_MAX_BYTES 256 /* stream and channel names */
#define TOKEN_MAX 32       /* event_type and severity values */
#define ARGS_MAX (6 + 2 * REDIS_OUT_FIELDS_MAX) /* XADD s MAXLEN ~ n * fields */
#define REPLAY_BATCH_BYTES (1024u * 1024u)

/* One stream entry: pointers into the caller's memory or the journal's buffer. */
struct entry {
	const char *stream;
	size_t stream_len;
	size_t nfields;
	const char *const *fields;
	const size_t *lens;
};

struct redis_sink {
	struct output_sink base; /* first: the ops pointer */
	pthread_mutex_t mu;
	struct redis_url url;
	char *user, *password, *alerts_stream, *events_stream, *channel;
	uint32_t connect_timeout_ms, command_timeout_ms;
	char maxlen[16];
	redisContext *ctx;          /* NULL while backing off */
	bool ever_connected;
	/*
	 * After an error reply, replay sends one entry at a time until one is
	 * accepted: entries pipelined behind a refused one would be applied,
	 * then sent again on every retry.
	 */
	bool probe;
	uint32_t backoff_ms;        /* the next delay before jitter */
	uint64_t next_attempt_ms;
	uint64_t rng;               /* for jitter */
	struct spool *spool;        /* NULL: no journal */
	unsigned char *enc;         /* a journal record being built */
	size_t enc_size;
	struct redis_out_stats st;
	uint64_t drops_unreported;
	uint64_t last_drop_report_ms;
	uint64_t last_fail_report_ms;
	uint64_t fails_unreported;
	void (*log)(void *ctx, const char *msg);
	void *log_ctx;
	char error[REDIS_OUT_ERRLEN];
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

__attribute__((format(printf, 2, 3)))
static void notice(struct redis_sink *rs, const char *fmt, ...)
{
	char msg[REDIS_OUT_ERRLEN + 64];
	va_list ap;

	if (rs->log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rs->log(rs->log_ctx, msg);
}

__attribute__((format(printf, 2, 3)))
static void set_error(struct redis_sink *rs, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rs->error, sizeof(rs->error), fmt, ap);
	va_end(ap);
}

/* ---------------------------------------------------------- connection */

static void disconnect(struct redis_sink *rs)
{
	uint64_t delay = rs->backoff_ms, now = now_ms();

	if (rs->ctx != NULL) {
		redisFree(rs->ctx);
		rs->ctx = NULL;
		notice(rs, "redis: connection lost: %s; spooling", rs->error);
	}
	/* Half the delay fixed, half random: sensors restarted together spread out. */
	rs->rng ^= rs->rng << 13;
	rs->rng ^= rs->rng >> 7;
	rs->rng ^= rs->rng << 17;
	delay = delay / 2 + rs->rng % (delay / 2 + 1);
	rs->next_attempt_ms = now + delay;
	rs->backoff_ms = rs->backoff_ms >= REDIS_OUT_BACKOFF_MAX_MS / 2 ? REDIS_OUT_BACKOFF_MAX_MS
									: rs->backoff_ms * 2;
	rs->st.state = REDIS_OUT_BACKING_OFF;
}

static struct timeval ms_tv(uint64_t ms)
{
	struct timeval tv = {.tv_sec = (time_t)(ms / 1000), .tv_usec = (suseconds_t)(ms % 1000) * 1000};

	return tv;
}

/* freeReplyObject() of NULL is safe only in some hiredis versions. */
static void free_reply(redisReply *r)
{
	if (r != NULL)
		freeReplyObject(r);
}

/* ms left before deadline; 0 when it has passed. */
static uint64_t left_ms(uint64_t deadline)
{
	uint64_t now = now_ms();

	return now < deadline ? deadline - now : 0;
}

/* The context's socket timeout to what is left; false when nothing is. */
static bool arm_timeout(struct redis_sink *rs, uint64_t deadline)
{
	uint64_t left = left_ms(deadline);

	return left > 0 && redisSetTimeout(rs->ctx, ms_tv(left)) == REDIS_OK;
}

/* A reply's failure as text in rs->error; true when reply is usable. */
static bool reply_ok(struct redis_sink *rs, redisReply *r, const char *what)
{
	if (r == NULL) {
		set_error(rs, "%s: %s", what,
			  rs->ctx->err != 0 ? rs->ctx->errstr : "no reply");
		return false;
	}
	if (r->type == REDIS_REPLY_ERROR) {
		set_error(rs, "%s: %.*s", what, (int)(r->len > 160 ? 160 : r->len), r->str);
		return false;
	}
	return true;
}

static bool simple_command(struct redis_sink *rs, uint64_t deadline, const char *what, int argc,
			   const char **argv)
{
	redisReply *r;
	bool ok;

	if (!arm_timeout(rs, deadline)) {
		set_error(rs, "%s: timed out", what);
		return false;
	}
	r = redisCommandArgv(rs->ctx, argc, argv, NULL);
	ok = reply_ok(rs, r, what);
	free_reply(r);
	return ok;
}

static bool handshake(struct redis_sink *rs, uint64_t deadline)
{
	char db[16];

	if (rs->password[0] != '\0') {
		const char *a2[] = {"AUTH", rs->password};
		const char *a3[] = {"AUTH", rs->user, rs->password};

		if (rs->user[0] != '\0' ? !simple_command(rs, deadline, "AUTH", 3, a3)
					: !simple_command(rs, deadline, "AUTH", 2, a2))
			return false;
	}
	if (rs->url.db != 0) {
		const char *a[] = {"SELECT", db};

		snprintf(db, sizeof(db), "%u", rs->url.db);
		if (!simple_command(rs, deadline, "SELECT", 2, a))
			return false;
	}
	return true;
}

static void report_connect_failure(struct redis_sink *rs)
{
	uint64_t now = now_ms();

	rs->st.connect_failures++;
	rs->fails_unreported++;
	if (rs->last_fail_report_ms != 0 && now - rs->last_fail_report_ms < REDIS_OUT_DROP_REPORT_MS)
		return;
	notice(rs, "redis: cannot connect (%llu attempt(s)): %s", (unsigned long long)rs->fails_unreported,
	       rs->error);
	rs->fails_unreported = 0;
	rs->last_fail_report_ms = now;
}

/* Connects when due (or when forced); true when connected afterwards. */
static bool ensure_connected(struct redis_sink *rs, uint64_t deadline, bool force)
{
	uint64_t left;
	struct timeval tv;

	if (rs->ctx != NULL)
		return true;
	if (!force && now_ms() < rs->next_attempt_ms)
		return false;
	left = left_ms(deadline);
	if (left == 0)
		return false;
	tv = ms_tv(left < rs->connect_timeout_ms ? left : rs->connect_timeout_ms);
	rs->ctx = rs->url.kind == REDIS_URL_UNIX
			  ? redisConnectUnixWithTimeout(rs->url.path, tv)
			  : redisConnectWithTimeout(rs->url.host, rs->url.port, tv);
	if (rs->ctx == NULL || rs->ctx->err != 0) {
		set_error(rs, "connect: %s", rs->ctx != NULL ? rs->ctx->errstr : "out of memory");
		goto fail;
	}
	if (!handshake(rs, deadline))
		goto fail;
	if (rs->ever_connected)
		rs->st.reconnects++;
	rs->ever_connected = true;
	rs->backoff_ms = REDIS_OUT_BACKOFF_MIN_MS;
	rs->st.state = REDIS_OUT_CONNECTED;
	rs->fails_unreported = 0;
	rs->last_fail_report_ms = 0;
	notice(rs, "redis: connected; %llu spooled entries to replay",
	       (unsigned long long)(rs->spool != NULL ? spool_pending(rs->spool) : 0));
	return true;
fail:
	if (rs->ctx != NULL)
		redisFree(rs->ctx);
	rs->ctx = NULL;
	report_connect_failure(rs);
	disconnect(rs);
	return false;
}

/* ------------------------------------------------------------- entries */

static void append_xadd(struct redis_sink *rs, const struct entry *e)
{
	const char *argv[ARGS_MAX];
	size_t lens[ARGS_MAX];
	size_t argc = 0;

	argv[argc] = "XADD", lens[argc++] = 4;
	argv[argc] = e->stream, lens[argc++] = e->stream_len;
	argv[argc] = "MAXLEN", lens[argc++] = 6;
	argv[argc] = "~", lens[argc++] = 1;
	argv[argc] = rs->maxlen, lens[argc++] = strlen(rs->maxlen);
	argv[argc] = "*", lens[argc++] = 1;
	for (size_t i = 0; i < e->nfields; i++)
		argv[argc] = e->fields[i], lens[argc++] = e->lens[i];
	/* Only fails on out of memory; the reply read then fails too. */
	redisAppendCommandArgv(rs->ctx, (int)argc, argv, lens);
}

static void put_u32(unsigned char *p, size_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/*
 * Journal record: u32 count (1 + fields), then per item u32 length and
 * bytes: the stream name, then names and values.  Little-endian.
 */
static int encode(struct redis_sink *rs, const struct entry *e, size_t *len)
{
	size_t need = 4 + 4 + e->stream_len, off = 0;
	unsigned char *p;

	for (size_t i = 0; i < e->nfields; i++) {
		if (e->lens[i] > SPOOL_RECORD_MAX)
			return -1;
		need += 4 + e->lens[i];
	}
	if (need > SPOOL_RECORD_MAX)
		return -1;
	if (need > rs->enc_size) {
		if ((p = realloc(rs->enc, need)) == NULL)
			return -1;
		rs->enc = p;
		rs->enc_size = need;
	}
	p = rs->enc;
	put_u32(p, 1 + e->nfields), off = 4;
	put_u32(p + off, e->stream_len), off += 4;
	memcpy(p + off, e->stream, e->stream_len), off += e->stream_len;
	for (size_t i = 0; i < e->nfields; i++) {
		put_u32(p + off, e->lens[i]), off += 4;
		memcpy(p + off, e->fields[i], e->lens[i]), off += e->lens[i];
	}
	*len = off;
	return 0;
}

/* The inverse, over hostile bytes; field arrays hold 2 * REDIS_OUT_FIELDS_MAX. */
static int decode(const unsigned char *p, size_t n, struct entry *e, const char **fields,
		  size_t *lens)
{
	size_t off = 4, count, len;

	if (n < 4)
		return -1;
	count = get_u32(p);
	if (count < 1 || count > 1 + 2 * REDIS_OUT_FIELDS_MAX || (count - 1) % 2 != 0)
		return -1;
	for (size_t i = 0; i < count; i++) {
		if (n - off < 4)
			return -1;
		len = get_u32(p + off), off += 4;
		if (n - off < len)
			return -1;
		if (i == 0) {
			e->stream = (const char *)p + off;
			e->stream_len = len;
		} else {
			fields[i - 1] = (const char *)p + off;
			lens[i - 1] = len;
		}
		off += len;
	}
	if (off != n)
		return -1;
	e->nfields = count - 1;
	e->fields = fields;
	e->lens = lens;
	return 0;
}

static void report_drops(struct redis_sink *rs, bool now_anyway)
{
	uint64_t now = now_ms();

	if (rs->drops_unreported == 0)
		return;
	if (!now_anyway && rs->last_drop_report_ms != 0 &&
	    now - rs->last_drop_report_ms < REDIS_OUT_DROP_REPORT_MS)
		return;
	notice(rs, "redis: dropped %llu entries (%s); %llu in all",
	       (unsigned long long)rs->drops_unreported,
	       rs->spool != NULL ? "spool full" : "no spool", (unsigned long long)rs->st.dropped);
	rs->drops_unreported = 0;
	rs->last_drop_report_ms = now;
}

static int drop(struct redis_sink *rs)
{
	rs->st.dropped++;
	rs->drops_unreported++;
	report_drops(rs, false);
	return -1;
}

static int to_spool(struct redis_sink *rs, const struct entry *e)
{
	size_t len;
	int r;

	if (rs->spool == NULL || encode(rs, e, &len) != 0)
		return drop(rs);
	r = spool_append(rs->spool, rs->enc, len);
	if (r != 0) {
		if (r < 0)
			set_error(rs, "%s", spool_error(rs->spool));
		return drop(rs);
	}
	rs->st.spooled++;
	return 0;
}

/*
 * Sends up to one batch of journal entries; 1 when some were delivered
 * and more may follow, 0 when the journal is empty, -1 on failure
 * (disconnected) or when the budget is spent.
 */
static int replay_batch(struct redis_sink *rs, uint64_t deadline)
{
	const char *fields[2 * REDIS_OUT_FIELDS_MAX];
	size_t lens[2 * REDIS_OUT_FIELDS_MAX], len, n = 0, bytes = 0;
	uint64_t pos = spool_head(rs->spool), ends[REDIS_OUT_REPLAY_BATCH];
	const void *data;
	struct entry e;
	int r;

	/* Armed before anything is queued: a spent budget then costs nothing. */
	if (!arm_timeout(rs, deadline))
		return -1;
	while (n < (rs->probe ? 1u : REDIS_OUT_REPLAY_BATCH) && bytes < REPLAY_BATCH_BYTES &&
	       (r = spool_read(rs->spool, &pos, &data, &len)) == 1) {
		if (decode(data, len, &e, fields, lens) != 0) {
			/* Checksummed but not ours (another version?): skip, counted. */
			if (n == 0) {
				spool_consume(rs->spool, pos, 1);
				drop(rs);
				return 1;
			}
			pos -= SPOOL_RECORD_HEADER_BYTES + len;
			break;
		}
		append_xadd(rs, &e);
		ends[n++] = pos;
		bytes += len;
	}
	if (n == 0)
		return spool_pending(rs->spool) > 0 ? -1 : 0;
	for (size_t i = 0; i < n; i++) {
		redisReply *reply = NULL;

		if (redisGetReply(rs->ctx, (void **)&reply) != REDIS_OK || !reply_ok(rs, reply, "XADD")) {
			if (reply != NULL) {
				rs->st.command_errors++;
				rs->probe = true;
			}
			free_reply(reply);
			if (i > 0)
				spool_consume(rs->spool, ends[i - 1], i);
			rs->st.replayed += i;
			disconnect(rs);
			return -1;
		}
		free_reply(reply);
	}
	spool_consume(rs->spool, ends[n - 1], n);
	rs->st.replayed += n;
	rs->probe = false;
	return 1;
}

/* Empties the journal within the budget; true when it is empty and connected. */
static bool replay(struct redis_sink *rs, uint64_t deadline)
{
	int r = 1;

	if (rs->spool == NULL)
		return true;
	while (rs->ctx != NULL && spool_pending(rs->spool) > 0 && r == 1) {
		if (left_ms(deadline) == 0)
			return false;
		r = replay_batch(rs, deadline);
	}
	return rs->ctx != NULL && spool_pending(rs->spool) == 0;
}

/* XADD now (and PUBLISH pub when set); 0, or -1 having disconnected. */
static int send_live(struct redis_sink *rs, const struct entry *e, const char *pub,
		     size_t pub_len, uint64_t deadline)
{
	redisReply *reply = NULL;

	if (!arm_timeout(rs, deadline)) {
		set_error(rs, "XADD: timed out");
		disconnect(rs);
		return -1;
	}
	append_xadd(rs, e);
	if (pub != NULL) {
		const char *argv[] = {"PUBLISH", rs->channel, pub};
		size_t lens[] = {7, strlen(rs->channel), pub_len};

		redisAppendCommandArgv(rs->ctx, 3, argv, lens);
	}
	if (redisGetReply(rs->ctx, (void **)&reply) != REDIS_OK || !reply_ok(rs, reply, "XADD")) {
		if (reply != NULL) {
			rs->st.command_errors++;
			rs->probe = true;
		}
		free_reply(reply);
		disconnect(rs);
		return -1;
	}
	free_reply(reply);
	rs->st.written++;
	if (pub != NULL) {
		reply = NULL;
		if (redisGetReply(rs->ctx, (void **)&reply) != REDIS_OK) {
			/* The entry is in the stream; only the notification is lost. */
			rs->st.publish_errors++;
			set_error(rs, "PUBLISH: %s", rs->ctx->errstr);
			disconnect(rs);
		} else if (reply->type == REDIS_REPLY_ERROR) {
			rs->st.publish_errors++;
		}
		free_reply(reply);
	}
	return 0;
}

/* The one path every entry takes: live when possible, else the journal. */
static int deliver(struct redis_sink *rs, const struct entry *e, const char *pub, size_t pub_len)
{
	uint64_t start = now_ms(), deadline = start + rs->command_timeout_ms;

	/*
	 * The replay may use half the budget: the new entry keeps the rest, so
	 * that a long backlog does not make a healthy server look timed out.
	 */
	if (ensure_connected(rs, deadline, false) &&
	    replay(rs, start + rs->command_timeout_ms / 2 + 1) &&
	    send_live(rs, e, pub, pub_len, deadline) == 0)
		return 0;
	return to_spool(rs, e);
}

/* ------------------------------------------------------------ the sink */

/* The string value of "key":"..." (first match), if [a-z0-9_-]{1,TOKEN_MAX}. */
static size_t scan_token(const char *line, size_t len, const char *key, char *out)
{
	size_t klen = strlen(key), n = 0;

	for (size_t i = 0; i + klen <= len; i++) {
		if (memcmp(line + i, key, klen) != 0)
			continue;
		for (i += klen; i < len && n < TOKEN_MAX; i++, n++) {
			char c = line[i];

			if (c == '"')
				break;
			if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
				return 0;
			out[n] = c;
		}
		if (i >= len || line[i] != '"')
			return 0;
		out[n] = '\0';
		return n;
	}
	return 0;
}

static int redis_write_line(struct output_sink *s, const char *line, size_t len)
{
	struct redis_sink *rs = (struct redis_sink *)s;
	char type[TOKEN_MAX + 1], sev[TOKEN_MAX + 1];
	size_t type_len = scan_token(line, len, "\"event_type\":\"", type), sev_len = 0;
	bool alertish = (type_len == 5 && memcmp(type, "alert", 5) == 0) ||
			(type_len == 7 && memcmp(type, "anomaly", 7) == 0);
	const char *fields[6];
	size_t lens[6], nf = 0;
	struct entry e;
	int rc;

	fields[nf] = "type", lens[nf++] = 4;
	fields[nf] = type, lens[nf++] = type_len;
	if (alertish && (sev_len = scan_token(line, len, "\"severity\":\"", sev)) > 0) {
		fields[nf] = "severity", lens[nf++] = 8;
		fields[nf] = sev, lens[nf++] = sev_len;
	}
	fields[nf] = "event", lens[nf++] = 5;
	fields[nf] = line, lens[nf++] = len;
	e.stream = alertish ? rs->alerts_stream : rs->events_stream;
	e.stream_len = strlen(e.stream);
	e.nfields = nf;
	e.fields = fields;
	e.lens = lens;
	pthread_mutex_lock(&rs->mu);
	rc = deliver(rs, &e, rs->channel[0] != '\0' ? line : NULL, len);
	pthread_mutex_unlock(&rs->mu);
	return rc;
}

int output_redis_xadd(struct output_sink *s, const char *stream, const char *const *fields,
		      const size_t *lens, size_t nfields)
{
	struct redis_sink *rs = (struct redis_sink *)s;
	struct entry e = {stream, 0, nfields, fields, lens};
	int rc;

	if (stream == NULL || stream[0] == '\0' || nfields == 0 || nfields % 2 != 0 ||
	    nfields > 2 * REDIS_OUT_FIELDS_MAX)
		return -1;
	e.stream_len = strnlen(stream, NAME_MAX_BYTES + 1);
	if (e.stream_len > NAME_MAX_BYTES)
		return -1;
	pthread_mutex_lock(&rs->mu);
	rc = deliver(rs, &e, NULL, 0);
	pthread_mutex_unlock(&rs->mu);
	return rc;
}

static int redis_flush(struct output_sink *s)
{
	struct redis_sink *rs = (struct redis_sink *)s;
	uint64_t deadline = now_ms() + rs->command_timeout_ms;
	int rc = 0;

	pthread_mutex_lock(&rs->mu);
	/* A quiet period is when a backlog drains: nothing new arrives to push it. */
	if (rs->spool != NULL && spool_pending(rs->spool) > 0 &&
	    ensure_connected(rs, deadline, false))
		replay(rs, deadline);
	if (rs->spool != NULL && spool_sync(rs->spool) != 0) {
		set_error(rs, "%s", spool_error(rs->spool));
		rc = -1;
	}
	report_drops(rs, false);
	pthread_mutex_unlock(&rs->mu);
	return rc;
}

static void sink_free(struct redis_sink *rs)
{
	if (rs->ctx != NULL)
		redisFree(rs->ctx);
	spool_close(rs->spool);
	if (rs->password != NULL) {
		/* Not left in freed memory for a core dump to show. */
		volatile char *p = rs->password;

		while (*p != '\0')
			*p++ = '\0';
	}
	free(rs->user);
	free(rs->password);
	free(rs->alerts_stream);
	free(rs->events_stream);
	free(rs->channel);
	free(rs->enc);
	pthread_mutex_destroy(&rs->mu);
	free(rs);
}

static int redis_close(struct output_sink *s, char *err, size_t errlen)
{
	struct redis_sink *rs = (struct redis_sink *)s;
	uint64_t deadline;
	int rc = 0;

	if (rs == NULL)
		return 0;
	deadline = now_ms() + rs->command_timeout_ms;
	pthread_mutex_lock(&rs->mu);
	if (rs->spool != NULL && spool_pending(rs->spool) > 0 && ensure_connected(rs, deadline, true))
		replay(rs, deadline);
	report_drops(rs, true);
	if (rs->st.dropped > 0) {
		snprintf(err, errlen, "redis: %llu entries dropped (%s)",
			 (unsigned long long)rs->st.dropped,
			 rs->error[0] != '\0' ? rs->error : "spool full");
		rc = -1;
	}
	pthread_mutex_unlock(&rs->mu);
	sink_free(rs);
	return rc;
}

static const char *redis_error(const struct output_sink *s)
{
	return ((const struct redis_sink *)s)->error;
}

static const struct output_ops redis_ops = {
	.name = "redis",
	.write_line = redis_write_line,
	.flush = redis_flush,
	.close = redis_close,
	.error = redis_error,
};

void output_redis_stats(struct output_sink *s, struct redis_out_stats *st)
{
	struct redis_sink *rs = (struct redis_sink *)s;

	pthread_mutex_lock(&rs->mu);
	*st = rs->st;
	if (rs->spool != NULL) {
		struct spool_stats ss;

		spool_get_stats(rs->spool, &ss);
		st->spool_pending = ss.records;
		st->spool_bytes = ss.file_bytes;
		st->spool_corrupt_bytes = ss.corrupt_bytes;
	}
	pthread_mutex_unlock(&rs->mu);
}

/* ------------------------------------------------------------ opening */

/* A stream or channel name: 1..NAME_MAX_BYTES printable bytes, or "" when may_be_empty. */
static int check_name(const char *what, const char *v, bool may_be_empty, char *err,
		      size_t errlen)
{
	size_t n = v != NULL ? strnlen(v, NAME_MAX_BYTES + 1) : 0;

	if (n == 0 && may_be_empty)
		return 0;
	if (n == 0 || n > NAME_MAX_BYTES) {
		snprintf(err, errlen, "redis: %s must be 1..%d bytes", what, NAME_MAX_BYTES);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)v[i] <= 0x20 || (unsigned char)v[i] >= 0x7f) {
			snprintf(err, errlen, "redis: %s has a space, control or non-ASCII byte",
				 what);
			return -1;
		}
	return 0;
}

static int check_config(const struct redis_out_config *c, struct redis_url *url, char *err,
			size_t errlen)
{
	const char *user = c->user != NULL ? c->user : "";
	struct sigaction sa;

	if (redis_url_parse(c->url, url, err, errlen) != 0)
		return -1;
	if (user[0] != '\0' && url->user[0] != '\0' && strcmp(user, url->user) != 0) {
		snprintf(err, errlen, "redis: the user in the URL and output.redis.user differ");
		return -1;
	}
	if ((user[0] != '\0' || url->user[0] != '\0') && (c->password == NULL || c->password[0] == '\0')) {
		snprintf(err, errlen, "redis: a user needs a password (password_file or %s)",
			 REDIS_OUT_ENV_PASSWORD);
		return -1;
	}
	if (c->connect_timeout_ms == 0 || c->command_timeout_ms == 0 || c->maxlen == 0) {
		snprintf(err, errlen, "redis: timeouts and maxlen must be at least 1");
		return -1;
	}
	if (check_name("alerts_stream", c->alerts_stream, false, err, errlen) != 0 ||
	    check_name("events_stream", c->events_stream, false, err, errlen) != 0 ||
	    check_name("channel", c->channel, true, err, errlen) != 0)
		return -1;
	/*
	 * hiredis writes with write(2): a server that closes the connection
	 * would kill the process with SIGPIPE unless it is ignored or handled.
	 */
	if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL) {
		snprintf(err, errlen, "redis: SIGPIPE must be ignored before the Redis output opens");
		return -1;
	}
	return 0;
}

static char *dup_or_empty(const char *s)
{
	return strdup(s != NULL ? s : "");
}

struct output_sink *output_redis_open(const struct redis_out_config *c, char *err, size_t errlen)
{
	struct redis_sink *rs;
	struct redis_url url;
	char path[4096];

	if (check_config(c, &url, err, errlen) != 0)
		return NULL;
	if ((rs = calloc(1, sizeof(*rs))) == NULL) {
		snprintf(err, errlen, "redis: out of memory");
		return NULL;
	}
	pthread_mutex_init(&rs->mu, NULL);
	rs->base.ops = &redis_ops;
	rs->url = url;
	rs->user = dup_or_empty(c->user != NULL && c->user[0] != '\0' ? c->user : url.user);
	rs->password = dup_or_empty(c->password);
	rs->alerts_stream = dup_or_empty(c->alerts_stream);
	rs->events_stream = dup_or_empty(c->events_stream);
	rs->channel = dup_or_empty(c->channel);
	if (rs->user == NULL || rs->password == NULL || rs->alerts_stream == NULL ||
	    rs->events_stream == NULL || rs->channel == NULL) {
		snprintf(err, errlen, "redis: out of memory");
		goto fail;
	}
	rs->connect_timeout_ms = c->connect_timeout_ms;
	rs->command_timeout_ms = c->command_timeout_ms;
	snprintf(rs->maxlen, sizeof(rs->maxlen), "%u", c->maxlen);
	rs->log = c->log;
	rs->log_ctx = c->log_ctx;
	rs->backoff_ms = REDIS_OUT_BACKOFF_MIN_MS;
	rs->rng = (uint64_t)getpid() << 32 ^ now_ms() ^ 0x9e3779b97f4a7c15u;
	rs->st.state = REDIS_OUT_BACKING_OFF;
	if (c->spool_dir != NULL && c->spool_dir[0] != '\0' && c->spool_cap_bytes > 0) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", c->spool_dir,
				     REDIS_OUT_SPOOL_FILE) >= sizeof(path)) {
			snprintf(err, errlen, "redis: spool directory name too long");
			goto fail;
		}
		if ((rs->spool = spool_open(path, c->spool_cap_bytes, err, errlen)) == NULL)
			goto fail;
	}
	/* The first attempt now, so that a start-up with Redis up begins connected. */
	ensure_connected(rs, now_ms() + rs->command_timeout_ms, true);
	return &rs->base;
fail:
	sink_free(rs);
	return NULL;
}

/* ------------------------------------------------------------ password */

int redis_read_password(const char *file, char *buf, size_t len, char *err, size_t errlen)
{
	char *text = NULL;
	size_t n = 0;
	struct stat stb;
	int fd;

	if (len == 0)
		return -1;
	buf[0] = '\0';
	if (file == NULL || file[0] == '\0') {
		const char *env = getenv(REDIS_OUT_ENV_PASSWORD);

		if (env == NULL)
			return 0;
		if (strlen(env) >= len) {
			snprintf(err, errlen, "%s: longer than %zu bytes", REDIS_OUT_ENV_PASSWORD,
				 len - 1);
			return -1;
		}
		memcpy(buf, env, strlen(env) + 1);
		return 0;
	}
	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		return -1;
	}
	if (fstat(fd, &stb) != 0 || !S_ISREG(stb.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", file);
		goto fail;
	}
	if ((stb.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		snprintf(err, errlen, "%s: group or others may read it (mode %04o): chmod 600 it",
			 file, (unsigned)(stb.st_mode & 07777));
		goto fail;
	}
	if (ew_read_fd(fd, len, &text, &n) != 0) {
		snprintf(err, errlen, "%s: %s", file,
			 errno == EFBIG ? "password too long" : strerror(errno));
		goto fail;
	}
	if (n > 0 && text[n - 1] == '\n')
		n--;
	if (n == 0 || n >= len || memchr(text, '\0', n) != NULL) {
		snprintf(err, errlen, "%s: %s", file,
			 n == 0 ? "empty" : n >= len ? "password too long" : "has a NUL byte");
		goto fail;
	}
	memcpy(buf, text, n);
	buf[n] = '\0';
	explicit_bzero(text, n);
	free(text);
	close(fd);
	return 0;
fail:
	if (text != NULL) {
		explicit_bzero(text, n);
		free(text);
	}
	close(fd);
	return -1;
}
