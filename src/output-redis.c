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
 * to what is left of it before each exchange.
 *
 * The parts: output-redis-conn.c connects and backs off,
 * output-redis-deliver.c sends, spools and replays entries; this file is
 * the sink's operations and opening it.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output-redis-private.h"
#include "util-bytes.h"

#define NAME_MAX_BYTES 256 /* stream and channel names */
#define TOKEN_MAX 32       /* event_type and severity values */

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
	rc = redis_out_deliver(rs, &e, rs->channel[0] != '\0' ? line : NULL, len);
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
	rc = redis_out_deliver(rs, &e, NULL, 0);
	pthread_mutex_unlock(&rs->mu);
	return rc;
}

static int redis_flush(struct output_sink *s)
{
	struct redis_sink *rs = (struct redis_sink *)s;
	uint64_t deadline = redis_out_now_ms() + rs->command_timeout_ms;
	int rc = 0;

	pthread_mutex_lock(&rs->mu);
	/* A quiet period is when a backlog drains: nothing new arrives to push it. */
	if (rs->spool != NULL && spool_pending(rs->spool) > 0 &&
	    redis_out_ensure_connected(rs, deadline, false))
		redis_out_replay(rs, deadline);
	if (rs->spool != NULL && spool_sync(rs->spool) != 0) {
		redis_out_set_error(rs, "%s", spool_error(rs->spool));
		rc = -1;
	}
	redis_out_report_drops(rs, false);
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
	deadline = redis_out_now_ms() + rs->command_timeout_ms;
	pthread_mutex_lock(&rs->mu);
	if (rs->spool != NULL && spool_pending(rs->spool) > 0 &&
	    redis_out_ensure_connected(rs, deadline, true))
		redis_out_replay(rs, deadline);
	redis_out_report_drops(rs, true);
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
	if (!ew_graph_ascii(v, n)) {
		snprintf(err, errlen, "redis: %s has a space, control or non-ASCII byte", what);
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
	rs->rng = (uint64_t)getpid() << 32 ^ redis_out_now_ms() ^ 0x9e3779b97f4a7c15u;
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
	redis_out_ensure_connected(rs, redis_out_now_ms() + rs->command_timeout_ms, true);
	return &rs->base;
fail:
	sink_free(rs);
	return NULL;
}
