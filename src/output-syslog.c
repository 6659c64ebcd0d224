/*
 * output-syslog.c - event lines as RFC 5424 syslog messages (see
 * output-syslog.h).
 *
 * Every socket is non-blocking and every wait goes through poll() with
 * what is left of the message's time budget, so a collector that stops
 * reading costs the output thread at most timeout_ms per line, never a
 * hang.  TCP is a byte stream: a message cut short by a timeout would run
 * into the next one's length prefix, so a partly sent message ends the
 * connection and the next line starts a new one.
 *
 * Deliberately not done: TLS (RFC 5425; put a local relay in front),
 * re-resolving a host name after start, trying a name's second address.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "output-syslog.h"

#define SYSLOG_BACKOFF_MIN_MS 1000u
#define SYSLOG_BACKOFF_MAX_MS 60000u
#define SYSLOG_MSGID_MAX 32u        /* RFC 5424 MSGID */
#define SYSLOG_EVENT_TYPE_SCAN 256u /* event_type is the second key of every line */
#define SYSLOG_TCP_PREFIX_MAX 24u   /* "LEN " for any size_t */

struct syslog_sink {
	struct output_sink base; /* first: the ops pointer */
	struct output_syslog_target target;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	int fd; /* -1 when not connected */
	uint32_t facility, timeout_ms, backoff_min_ms, backoff_max_ms, backoff_ms;
	uint64_t next_connect_ms; /* TCP: no attempt before this (monotonic) */
	long procid;
	char host[OUTPUT_SYSLOG_HOST_MAX + 1];
	char app[OUTPUT_SYSLOG_APP_NAME_MAX + 1];
	void (*now)(struct timespec *ts);
	_Atomic uint64_t sent, truncated, connects, send_errors;
	char error[400]; /* room for the longest host name in a message */
};

/* -------------------------------------------------------------- format */

static bool printusascii(unsigned char c)
{
	return c >= 33 && c <= 126;
}

/*
 * Finds "KEY":"VALUE" within line[0..scan) and copies VALUE (printable,
 * no quote or backslash, at most cap - 1 bytes) into out.  false when the
 * key is absent or the value does not fit those rules.  A JSON string
 * cannot contain the pattern: its quotes are escaped, so a match is a key.
 */
static bool scan_field(const char *line, size_t len, size_t scan, const char *key, char *out,
		       size_t cap)
{
	char pat[32];
	size_t plen = (size_t)snprintf(pat, sizeof(pat), "\"%s\":\"", key);

	if (len > scan)
		len = scan;
	for (size_t i = 0; i + plen <= len; i++) {
		size_t n = 0;

		if (line[i] != '"' || memcmp(line + i, pat, plen) != 0)
			continue;
		for (i += plen; i < len && line[i] != '"'; i++) {
			if (n + 1 >= cap || !printusascii((unsigned char)line[i]) || line[i] == '\\')
				return false;
			out[n++] = line[i];
		}
		out[n] = '\0';
		return i < len && n > 0;
	}
	return false;
}

unsigned output_syslog_severity(const char *line, size_t len)
{
	/* RFC 5424: 2 critical, 3 error, 4 warning, 5 notice, 6 informational. */
	static const struct {
		const char *name;
		unsigned sev;
	} map[] = {
		{ "critical", 2 }, { "high", 3 }, { "medium", 4 }, { "low", 5 }, { "info", 6 },
	};
	char type[SYSLOG_MSGID_MAX + 1], sev[16];

	if (!scan_field(line, len, SYSLOG_EVENT_TYPE_SCAN, "event_type", type, sizeof(type)) ||
	    (strcmp(type, "alert") != 0 && strcmp(type, "anomaly") != 0))
		return 6;
	if (scan_field(line, len, OUTPUT_SYSLOG_SCAN_BYTES, "severity", sev, sizeof(sev)))
		for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
			if (strcmp(sev, map[i].name) == 0)
				return map[i].sev;
	/* An alert whose severity cannot be read is still worth a warning. */
	return 4;
}

size_t output_syslog_header(char *buf, uint32_t facility, const struct timespec *now,
			    const char *host, const char *app, long procid, const char *line,
			    size_t len)
{
	char msgid[SYSLOG_MSGID_MAX + 1], stamp[32];
	struct tm tm;
	time_t secs = now->tv_sec;
	int n;

	if (!scan_field(line, len, SYSLOG_EVENT_TYPE_SCAN, "event_type", msgid, sizeof(msgid)))
		strcpy(msgid, "-");
	if (gmtime_r(&secs, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		strcpy(stamp, "-");
	else
		snprintf(stamp + strlen(stamp), sizeof(stamp) - strlen(stamp), ".%06ldZ",
			 now->tv_nsec / 1000);
	n = snprintf(buf, OUTPUT_SYSLOG_HEADER_MAX, "<%u>1 %s %s %s %ld %s - ",
		     facility * 8u + output_syslog_severity(line, len), stamp, host, app, procid,
		     msgid);
	/* host <= 255 and app <= 48 keep this far below the buffer; clamp all the same. */
	if (n < 0)
		return 0;
	return (size_t)n < OUTPUT_SYSLOG_HEADER_MAX ? (size_t)n : OUTPUT_SYSLOG_HEADER_MAX - 1;
}

/* -------------------------------------------------------------- target */

static int target_error(char *err, size_t errlen, const char *text, const char *why)
{
	snprintf(err, errlen, "output.syslog.target: '%.200s': %s", text, why);
	return -1;
}

static bool host_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '-' || c == '_' || c == ':' || c == '%';
}

/* "HOST", "HOST:PORT", "[V6]" or "[V6]:PORT" into t->host and t->port. */
static int parse_host_port(const char *text, const char *hp, struct output_syslog_target *t,
			   char *err, size_t errlen)
{
	const char *host = hp, *end, *port = NULL;
	size_t hlen;

	if (hp[0] == '[') {
		host = hp + 1;
		end = strchr(host, ']');
		if (end == NULL)
			return target_error(err, errlen, text, "'[' without ']'");
		if (end[1] == ':')
			port = end + 2;
		else if (end[1] != '\0')
			return target_error(err, errlen, text, "expected ':PORT' after ']'");
	} else {
		end = strchr(hp, ':');
		if (end != NULL && strchr(end + 1, ':') != NULL)
			return target_error(err, errlen, text,
					    "an IPv6 address must be in brackets: [ADDR]:PORT");
		if (end != NULL)
			port = end + 1;
		else
			end = hp + strlen(hp);
	}
	hlen = (size_t)(end - host);
	if (hlen == 0)
		return target_error(err, errlen, text, "no host");
	if (hlen >= sizeof(t->host))
		return target_error(err, errlen, text, "host name is too long");
	for (size_t i = 0; i < hlen; i++)
		if (!host_char((unsigned char)host[i]))
			return target_error(err, errlen, text, "bad character in host");
	memcpy(t->host, host, hlen);
	t->host[hlen] = '\0';
	if (port == NULL) {
		snprintf(t->port, sizeof(t->port), "%u", OUTPUT_SYSLOG_DEFAULT_PORT);
		return 0;
	}
	{
		size_t n = strlen(port);
		unsigned long v = 0;

		if (n == 0 || n > 5 || port[0] == '0' || strspn(port, "0123456789") != n)
			return target_error(err, errlen, text, "port is not a number 1..65535");
		for (size_t i = 0; i < n; i++)
			v = v * 10 + (unsigned long)(port[i] - '0');
		if (v > 65535)
			return target_error(err, errlen, text, "port is not a number 1..65535");
		memcpy(t->port, port, n + 1);
	}
	return 0;
}

int output_syslog_parse_target(const char *text, struct output_syslog_target *t, char *err,
			       size_t errlen)
{
	memset(t, 0, sizeof(*t));
	if (text == NULL || text[0] == '\0') {
		t->transport = OUTPUT_SYSLOG_UNIX;
		strcpy(t->path, OUTPUT_SYSLOG_DEFAULT_SOCKET);
		return 0;
	}
	if (strncmp(text, "unix://", 7) == 0) {
		const char *p = text + 7;

		t->transport = OUTPUT_SYSLOG_UNIX;
		if (p[0] != '/')
			return target_error(err, errlen, text, "the path must be absolute");
		if (strlen(p) >= sizeof(t->path))
			return target_error(err, errlen, text, "socket path is too long");
		strcpy(t->path, p);
		return 0;
	}
	if (strncmp(text, "udp://", 6) == 0 || strncmp(text, "tcp://", 6) == 0) {
		t->transport = text[0] == 'u' ? OUTPUT_SYSLOG_UDP : OUTPUT_SYSLOG_TCP;
		return parse_host_port(text, text + 6, t, err, errlen);
	}
	return target_error(err, errlen, text,
			    "expected udp://HOST:PORT, tcp://HOST:PORT or unix:///PATH");
}

/* ------------------------------------------------------------- sockets */

static uint64_t mono_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

static int syslog_fail(struct syslog_sink *ss, const char *what, int e)
{
	snprintf(ss->error, sizeof(ss->error), "syslog %s: %s", what, strerror(e));
	ss->send_errors++;
	return -1;
}

static void syslog_disconnect(struct syslog_sink *ss)
{
	if (ss->fd >= 0)
		close(ss->fd);
	ss->fd = -1;
}

/* Waits for events on fd until deadline_ms; 0 when ready, else -1 with errno. */
static int wait_fd(int fd, short events, uint64_t deadline_ms)
{
	for (;;) {
		uint64_t now = mono_ms();
		struct pollfd p = { .fd = fd, .events = events };
		int rc;

		if (now >= deadline_ms) {
			errno = ETIMEDOUT;
			return -1;
		}
		rc = poll(&p, 1, (int)(deadline_ms - now));
		if (rc > 0)
			return 0;
		if (rc == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (errno != EINTR)
			return -1;
	}
}

/* A non-blocking connect that gives up at deadline_ms. */
static int connect_by(int fd, const struct sockaddr *sa, socklen_t len, uint64_t deadline_ms)
{
	int soerr = 0;
	socklen_t sl = sizeof(soerr);

	if (connect(fd, sa, len) == 0)
		return 0;
	if (errno != EINPROGRESS)
		return -1;
	if (wait_fd(fd, POLLOUT, deadline_ms) < 0)
		return -1;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
		return -1;
	if (soerr != 0) {
		errno = soerr;
		return -1;
	}
	return 0;
}

static int syslog_connect(struct syslog_sink *ss, uint64_t deadline_ms)
{
	int type = ss->target.transport == OUTPUT_SYSLOG_TCP ? SOCK_STREAM : SOCK_DGRAM;
	int fd = socket(ss->addr.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return syslog_fail(ss, "socket", errno);
	if (connect_by(fd, (const struct sockaddr *)&ss->addr, ss->addrlen, deadline_ms) < 0) {
		int e = errno;

		close(fd);
		return syslog_fail(ss, "connect", e);
	}
	ss->fd = fd;
	ss->connects++;
	return 0;
}

/*
 * A syslog collector never writes on the connection, so a readable socket
 * means it closed (or reset) it.  Seeing that before sending saves the one
 * message that would otherwise vanish into a dead connection.
 */
static bool tcp_peer_gone(int fd)
{
	char c;
	ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);

	return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

/* TCP: connected, or an error while the backoff lasts or the attempt fails. */
static int tcp_ensure(struct syslog_sink *ss, uint64_t deadline_ms)
{
	uint64_t now = mono_ms();

	if (ss->fd >= 0 && tcp_peer_gone(ss->fd))
		syslog_disconnect(ss); /* the next attempt is due at once */
	if (ss->fd >= 0)
		return 0;
	if (now < ss->next_connect_ms) {
		snprintf(ss->error, sizeof(ss->error),
			 "syslog: not connected to %s:%s (next attempt in %llu ms)", ss->target.host,
			 ss->target.port, (unsigned long long)(ss->next_connect_ms - now));
		ss->send_errors++;
		return -1;
	}
	if (syslog_connect(ss, deadline_ms) < 0) {
		ss->next_connect_ms = mono_ms() + ss->backoff_ms;
		ss->backoff_ms = ss->backoff_ms * 2 < ss->backoff_max_ms ? ss->backoff_ms * 2
									 : ss->backoff_max_ms;
		return -1;
	}
	ss->backoff_ms = ss->backoff_min_ms;
	return 0;
}

/* Sends the whole of iov[0..n) on the stream by deadline_ms; -1 (errno) otherwise. */
static int send_all(int fd, struct iovec *iov, int n, uint64_t deadline_ms)
{
	struct msghdr m;

	while (n > 0) {
		ssize_t w;

		memset(&m, 0, sizeof(m));
		m.msg_iov = iov;
		m.msg_iovlen = (size_t)n;
		w = sendmsg(fd, &m, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				return -1;
			if (wait_fd(fd, POLLOUT, deadline_ms) < 0)
				return -1;
			continue;
		}
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

static int tcp_send(struct syslog_sink *ss, const char *hdr, size_t hlen, const char *line,
		    size_t len, uint64_t deadline_ms)
{
	char prefix[SYSLOG_TCP_PREFIX_MAX];
	struct iovec iov[3];
	int plen;

	if (tcp_ensure(ss, deadline_ms) < 0)
		return -1;
	/* RFC 6587 3.4.1: MSG-LEN SP SYSLOG-MSG, the length in octets, in decimal. */
	plen = snprintf(prefix, sizeof(prefix), "%zu ", hlen + len);
	iov[0] = (struct iovec){ prefix, (size_t)plen };
	iov[1] = (struct iovec){ (void *)(uintptr_t)hdr, hlen };
	iov[2] = (struct iovec){ (void *)(uintptr_t)line, len };
	if (send_all(ss->fd, iov, 3, deadline_ms) < 0) {
		int e = errno;

		/* Part of a frame may be out: the stream is unusable, start over. */
		syslog_disconnect(ss);
		return syslog_fail(ss, "send", e);
	}
	return 0;
}

/* One datagram, cut to cap bytes (counted); waits for room up to deadline_ms. */
static int dgram_send(struct syslog_sink *ss, const char *hdr, size_t hlen, const char *line,
		      size_t len, size_t cap, uint64_t deadline_ms)
{
	struct iovec iov[2];
	struct msghdr m;

	if (ss->fd < 0 && syslog_connect(ss, deadline_ms) < 0)
		return -1;
	if (hlen + len > cap) {
		len = cap - hlen;
		ss->truncated++;
	}
	iov[0] = (struct iovec){ (void *)(uintptr_t)hdr, hlen };
	iov[1] = (struct iovec){ (void *)(uintptr_t)line, len };
	memset(&m, 0, sizeof(m));
	m.msg_iov = iov;
	m.msg_iovlen = 2;
	for (;;) {
		if (sendmsg(ss->fd, &m, MSG_NOSIGNAL) >= 0)
			return 0;
		if (errno == EINTR)
			continue;
		if ((errno == EAGAIN || errno == EWOULDBLOCK) &&
		    wait_fd(ss->fd, POLLOUT, deadline_ms) == 0)
			continue;
		break;
	}
	{
		int e = errno;

		/*
		 * A local daemon that restarted has a new socket at the same
		 * path: connect again on the next line.  UDP keeps its socket
		 * (a refused datagram says nothing about the next one).
		 */
		if (ss->target.transport == OUTPUT_SYSLOG_UNIX)
			syslog_disconnect(ss);
		return syslog_fail(ss, "send", e);
	}
}

/* ---------------------------------------------------------------- ops */

static int syslog_write_line(struct output_sink *s, const char *line, size_t len)
{
	struct syslog_sink *ss = (struct syslog_sink *)s;
	char hdr[OUTPUT_SYSLOG_HEADER_MAX];
	struct timespec now;
	uint64_t deadline_ms = mono_ms() + ss->timeout_ms;
	size_t hlen;
	int rc;

	ss->now(&now);
	hlen = output_syslog_header(hdr, ss->facility, &now, ss->host, ss->app, ss->procid, line,
				    len);
	switch (ss->target.transport) {
	case OUTPUT_SYSLOG_TCP:
		rc = tcp_send(ss, hdr, hlen, line, len, deadline_ms);
		break;
	case OUTPUT_SYSLOG_UDP:
		rc = dgram_send(ss, hdr, hlen, line, len, OUTPUT_SYSLOG_UDP_MAX_BYTES, deadline_ms);
		break;
	default:
		rc = dgram_send(ss, hdr, hlen, line, len, OUTPUT_SYSLOG_UNIX_MAX_BYTES,
				deadline_ms);
		break;
	}
	if (rc == 0)
		ss->sent++;
	return rc;
}

static int syslog_flush(struct output_sink *s)
{
	(void)s; /* every message is sent as it is written */
	return 0;
}

/* A new connection on the next line (a restarted daemon, a moved socket). */
static int syslog_reopen(struct output_sink *s)
{
	struct syslog_sink *ss = (struct syslog_sink *)s;

	syslog_disconnect(ss);
	ss->next_connect_ms = 0;
	ss->backoff_ms = ss->backoff_min_ms;
	return 0;
}

static int syslog_close(struct output_sink *s, char *err, size_t errlen)
{
	struct syslog_sink *ss = (struct syslog_sink *)s;

	if (ss == NULL)
		return 0;
	syslog_disconnect(ss);
	/* Lost messages are the queue's counters' business; closing itself cannot fail. */
	(void)err;
	(void)errlen;
	free(ss);
	return 0;
}

static const char *syslog_error(const struct output_sink *s)
{
	return ((const struct syslog_sink *)s)->error;
}

static const struct output_ops syslog_ops = {
	.name = "syslog",
	.write_line = syslog_write_line,
	.flush = syslog_flush,
	.close = syslog_close,
	.error = syslog_error,
	.reopen = syslog_reopen,
};

/* --------------------------------------------------------------- open */

static void clock_realtime(struct timespec *ts)
{
	clock_gettime(CLOCK_REALTIME, ts);
}

/* The host name as RFC 5424 allows it: printable ASCII, else '_'; "-" when unknown. */
static void set_host(struct syslog_sink *ss, const char *given)
{
	char name[OUTPUT_SYSLOG_HOST_MAX + 1] = "";
	size_t n;

	if (given != NULL)
		snprintf(name, sizeof(name), "%s", given);
	else if (gethostname(name, sizeof(name)) != 0)
		name[0] = '\0';
	name[sizeof(name) - 1] = '\0';
	n = strlen(name);
	for (size_t i = 0; i < n; i++)
		if (!printusascii((unsigned char)name[i]))
			name[i] = '_';
	snprintf(ss->host, sizeof(ss->host), "%s", n ? name : "-");
}

static int check_app(const char *app, char *err, size_t errlen)
{
	size_t n = app ? strlen(app) : 0;

	if (n == 0 || n > OUTPUT_SYSLOG_APP_NAME_MAX) {
		snprintf(err, errlen, "output.syslog.app_name: must be 1..%u characters",
			 OUTPUT_SYSLOG_APP_NAME_MAX);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (!printusascii((unsigned char)app[i])) {
			snprintf(err, errlen,
				 "output.syslog.app_name: only printable ASCII without spaces");
			return -1;
		}
	}
	return 0;
}

static int resolve(struct syslog_sink *ss, char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL;
	int rc;

	if (ss->target.transport == OUTPUT_SYSLOG_UNIX) {
		struct sockaddr_un *un = (struct sockaddr_un *)&ss->addr;

		un->sun_family = AF_UNIX;
		memcpy(un->sun_path, ss->target.path, strlen(ss->target.path) + 1);
		ss->addrlen = (socklen_t)sizeof(*un);
		return 0;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = ss->target.transport == OUTPUT_SYSLOG_TCP ? SOCK_STREAM : SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICSERV;
	rc = getaddrinfo(ss->target.host, ss->target.port, &hints, &res);
	if (rc != 0 || res == NULL || res->ai_addrlen > sizeof(ss->addr)) {
		snprintf(err, errlen, "output.syslog.target: %s: %s", ss->target.host,
			 rc != 0 ? gai_strerror(rc) : "no address");
		if (res != NULL)
			freeaddrinfo(res);
		return -1;
	}
	memcpy(&ss->addr, res->ai_addr, res->ai_addrlen);
	ss->addrlen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

struct output_sink *output_syslog_open(const struct output_syslog_config *cfg, char *err,
				       size_t errlen)
{
	struct syslog_sink *ss;

	if (cfg->facility > 23) {
		snprintf(err, errlen, "output.syslog.facility: %u is not a facility (0..23)",
			 cfg->facility);
		return NULL;
	}
	if (check_app(cfg->app_name, err, errlen) < 0)
		return NULL;
	ss = calloc(1, sizeof(*ss));
	if (ss == NULL) {
		snprintf(err, errlen, "syslog: out of memory");
		return NULL;
	}
	ss->base.ops = &syslog_ops;
	ss->fd = -1;
	if (output_syslog_parse_target(cfg->target, &ss->target, err, errlen) < 0 ||
	    resolve(ss, err, errlen) < 0)
		goto fail;
	ss->facility = cfg->facility;
	ss->timeout_ms = cfg->timeout_ms ? cfg->timeout_ms : OUTPUT_SYSLOG_TIMEOUT_MS;
	ss->backoff_min_ms = cfg->backoff_min_ms ? cfg->backoff_min_ms : SYSLOG_BACKOFF_MIN_MS;
	ss->backoff_max_ms = cfg->backoff_max_ms ? cfg->backoff_max_ms : SYSLOG_BACKOFF_MAX_MS;
	if (ss->backoff_max_ms < ss->backoff_min_ms)
		ss->backoff_max_ms = ss->backoff_min_ms;
	ss->backoff_ms = ss->backoff_min_ms;
	ss->procid = (long)getpid();
	ss->now = cfg->now ? cfg->now : clock_realtime;
	set_host(ss, cfg->hostname);
	snprintf(ss->app, sizeof(ss->app), "%s", cfg->app_name);
	return &ss->base;
fail:
	free(ss);
	return NULL;
}

void output_syslog_stats(const struct output_sink *s, struct output_syslog_stats *st)
{
	const struct syslog_sink *ss = (const struct syslog_sink *)s;

	st->sent = ss->sent;
	st->truncated = ss->truncated;
	st->connects = ss->connects;
	st->send_errors = ss->send_errors;
}
