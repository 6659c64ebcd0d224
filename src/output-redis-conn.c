/*
 * output-redis-conn.c - the Redis sink's connection (see
 * output-redis-private.h): connecting within what is left of a call's
 * budget, the handshake (AUTH, SELECT), exponential backoff with jitter
 * after any failure, and reading the password.
 *
 * hiredis 0.14 resolves host names with getaddrinfo(), which no timeout
 * bounds: use an address or a unix socket where that matters.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "output-redis-private.h"
#include "util-file.h"

uint64_t redis_out_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

__attribute__((format(printf, 2, 3)))
void redis_out_notice(struct redis_sink *rs, const char *fmt, ...)
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
void redis_out_set_error(struct redis_sink *rs, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rs->error, sizeof(rs->error), fmt, ap);
	va_end(ap);
}

/* ---------------------------------------------------------- connection */

void redis_out_disconnect(struct redis_sink *rs)
{
	uint64_t delay = rs->backoff_ms, now = redis_out_now_ms();

	if (rs->ctx != NULL) {
		redisFree(rs->ctx);
		rs->ctx = NULL;
		redis_out_notice(rs, "redis: connection lost: %s; spooling", rs->error);
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
void redis_out_free_reply(redisReply *r)
{
	if (r != NULL)
		freeReplyObject(r);
}

/* ms left before deadline; 0 when it has passed. */
uint64_t redis_out_left_ms(uint64_t deadline)
{
	uint64_t now = redis_out_now_ms();

	return now < deadline ? deadline - now : 0;
}

/* The context's socket timeout to what is left; false when nothing is. */
bool redis_out_arm_timeout(struct redis_sink *rs, uint64_t deadline)
{
	uint64_t left = redis_out_left_ms(deadline);

	return left > 0 && redisSetTimeout(rs->ctx, ms_tv(left)) == REDIS_OK;
}

/* A reply's failure as text in rs->error; true when reply is usable. */
bool redis_out_reply_ok(struct redis_sink *rs, redisReply *r, const char *what)
{
	if (r == NULL) {
		redis_out_set_error(rs, "%s: %s", what,
				    rs->ctx->err != 0 ? rs->ctx->errstr : "no reply");
		return false;
	}
	if (r->type == REDIS_REPLY_ERROR) {
		redis_out_set_error(rs, "%s: %.*s", what, (int)(r->len > 160 ? 160 : r->len),
				    r->str);
		return false;
	}
	return true;
}

static bool simple_command(struct redis_sink *rs, uint64_t deadline, const char *what, int argc,
			   const char **argv)
{
	redisReply *r;
	bool ok;

	if (!redis_out_arm_timeout(rs, deadline)) {
		redis_out_set_error(rs, "%s: timed out", what);
		return false;
	}
	r = redisCommandArgv(rs->ctx, argc, argv, NULL);
	ok = redis_out_reply_ok(rs, r, what);
	redis_out_free_reply(r);
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
	uint64_t now = redis_out_now_ms();

	rs->st.connect_failures++;
	rs->fails_unreported++;
	if (rs->last_fail_report_ms != 0 && now - rs->last_fail_report_ms < REDIS_OUT_DROP_REPORT_MS)
		return;
	redis_out_notice(rs, "redis: cannot connect (%llu attempt(s)): %s",
			 (unsigned long long)rs->fails_unreported, rs->error);
	rs->fails_unreported = 0;
	rs->last_fail_report_ms = now;
}

/* Connects when due (or when forced); true when connected afterwards. */
bool redis_out_ensure_connected(struct redis_sink *rs, uint64_t deadline, bool force)
{
	uint64_t left;
	struct timeval tv;

	if (rs->ctx != NULL)
		return true;
	if (!force && redis_out_now_ms() < rs->next_attempt_ms)
		return false;
	left = redis_out_left_ms(deadline);
	if (left == 0)
		return false;
	tv = ms_tv(left < rs->connect_timeout_ms ? left : rs->connect_timeout_ms);
	rs->ctx = rs->url.kind == REDIS_URL_UNIX
			  ? redisConnectUnixWithTimeout(rs->url.path, tv)
			  : redisConnectWithTimeout(rs->url.host, rs->url.port, tv);
	if (rs->ctx == NULL || rs->ctx->err != 0) {
		redis_out_set_error(rs, "connect: %s",
				    rs->ctx != NULL ? rs->ctx->errstr : "out of memory");
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
	redis_out_notice(rs, "redis: connected; %llu spooled entries to replay",
			 (unsigned long long)(rs->spool != NULL ? spool_pending(rs->spool) : 0));
	return true;
fail:
	if (rs->ctx != NULL)
		redisFree(rs->ctx);
	rs->ctx = NULL;
	report_connect_failure(rs);
	redis_out_disconnect(rs);
	return false;
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
