/*
 * util-redis-url.c - parse redis:// and unix:// URLs (see the header).
 *
 * The whole text is screened first (length, then one byte at a time), so
 * that the part parsers below only ever see printable ASCII and messages
 * can quote pieces of it without cleaning them again.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "util-redis-url.h"

#define QUOTE_MAX 40 /* bytes of input quoted in a message */

__attribute__((format(printf, 3, 4)))
static int url_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (err == NULL || errlen == 0)
		return -1;
	n = snprintf(err, errlen, "redis URL: ");
	if (n > 0 && (size_t)n < errlen) {
		va_start(ap, fmt);
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* At most QUOTE_MAX bytes of s[0..n), "..." marking a cut. */
static const char *quote(char buf[QUOTE_MAX + 4], const char *s, size_t n)
{
	size_t k = n > QUOTE_MAX ? QUOTE_MAX : n;

	memcpy(buf, s, k);
	if (k < n)
		memcpy(buf + k, "...", 4);
	else
		buf[k] = '\0';
	return buf;
}

/*
 * Bytes no part of a URL may hold: controls and space (they would cut or
 * hide part of the value in a log line), non-ASCII, '%' (escapes are not
 * decoded), '#' (fragments mean nothing here), quotes and backslashes.
 */
static bool byte_refused(unsigned char c)
{
	return c <= 0x20 || c >= 0x7f || c == '%' || c == '#' || c == '"' || c == '\\';
}

/* A plain decimal in [lo, hi]: digits only, no sign, no leading zero. */
static bool decimal_in(const char *s, size_t n, unsigned long lo, unsigned long hi,
		       unsigned long *out)
{
	unsigned long v = 0;

	if (n == 0 || n > 10 || (n > 1 && s[0] == '0'))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0'); /* 10 digits fit in 64 bits */
	}
	if (v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static int parse_db(const char *s, size_t n, unsigned *db, char *err, size_t errlen)
{
	unsigned long v;
	char q[QUOTE_MAX + 4];

	if (!decimal_in(s, n, 0, REDIS_URL_DB_MAX, &v))
		return url_fail(err, errlen, "db '%s' is not a number 0..%u", quote(q, s, n),
				REDIS_URL_DB_MAX);
	*db = (unsigned)v;
	return 0;
}

/* The part after '?': only "db=N". */
static int parse_query(const char *q, size_t n, unsigned *db, char *err, size_t errlen)
{
	char b[QUOTE_MAX + 4];

	if (n < 3 || memcmp(q, "db=", 3) != 0)
		return url_fail(err, errlen, "unknown query '%s' (only db=N)", quote(b, q, n));
	return parse_db(q + 3, n - 3, db, err, errlen);
}

static int parse_unix(const char *p, size_t n, struct redis_url *u, char *err, size_t errlen)
{
	if (n == 0 || p[0] != '/')
		return url_fail(err, errlen, "unix socket path must be absolute (unix:///path)");
	if (n > REDIS_URL_PATH_MAX)
		return url_fail(err, errlen, "socket path longer than %d bytes", REDIS_URL_PATH_MAX);
	if (p[n - 1] == '/')
		return url_fail(err, errlen, "socket path names a directory");
	u->kind = REDIS_URL_UNIX;
	memcpy(u->path, p, n);
	u->path[n] = '\0';
	return 0;
}

static bool host_byte_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '-' || c == '_';
}

static bool ipv6_byte_ok(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
	       c == ':' || c == '.';
}

/* host[:port] or [v6][:port], a is the authority without its user. */
static int parse_host_port(const char *a, size_t n, struct redis_url *u, char *err,
			   size_t errlen)
{
	const char *host = a, *rest;
	size_t host_n, rest_n;
	char q[QUOTE_MAX + 4];
	unsigned long port;

	if (n > 0 && a[0] == '[') {
		const char *close = memchr(a, ']', n);

		if (close == NULL)
			return url_fail(err, errlen, "'[' without ']' in the host");
		host = a + 1;
		host_n = (size_t)(close - host);
		for (size_t i = 0; i < host_n; i++)
			if (!ipv6_byte_ok(host[i]))
				return url_fail(err, errlen, "bad IPv6 address '%s'",
						quote(q, host, host_n));
		rest = close + 1;
	} else {
		const char *colon = memchr(a, ':', n);

		host_n = colon != NULL ? (size_t)(colon - a) : n;
		for (size_t i = 0; i < host_n; i++)
			if (!host_byte_ok(host[i]))
				return url_fail(err, errlen, "bad host name '%s'",
						quote(q, host, host_n));
		rest = a + host_n;
	}
	rest_n = n - (size_t)(rest - a);
	if (host_n == 0)
		return url_fail(err, errlen, "empty host");
	if (host_n > REDIS_URL_HOST_MAX)
		return url_fail(err, errlen, "host longer than %d bytes", REDIS_URL_HOST_MAX);
	u->port = REDIS_URL_DEFAULT_PORT;
	if (rest_n > 0) {
		if (rest[0] != ':')
			return url_fail(err, errlen, "unexpected '%s' after the host",
					quote(q, rest, rest_n));
		if (!decimal_in(rest + 1, rest_n - 1, 1, 65535, &port))
			return url_fail(err, errlen, "port '%s' is not a number 1..65535",
					quote(q, rest + 1, rest_n - 1));
		u->port = (uint16_t)port;
	}
	u->kind = REDIS_URL_TCP;
	memcpy(u->host, host, host_n);
	u->host[host_n] = '\0';
	return 0;
}

/* [user@]host[:port][/db], p without the scheme and the query. */
static int parse_tcp(const char *p, size_t n, struct redis_url *u, bool *db_set, char *err,
		     size_t errlen)
{
	const char *slash = memchr(p, '/', n);
	size_t auth_n = slash != NULL ? (size_t)(slash - p) : n;
	const char *at = memchr(p, '@', auth_n);
	const char *hp = p;
	size_t hp_n = auth_n;

	if (at != NULL) {
		size_t user_n = (size_t)(at - p);

		if (memchr(p, ':', user_n) != NULL)
			return url_fail(err, errlen,
					"a password in the URL is refused (use a password file "
					"or EDGEWATCH_REDIS_PASSWORD)");
		if (user_n == 0)
			return url_fail(err, errlen, "empty user name");
		if (user_n > REDIS_URL_USER_MAX)
			return url_fail(err, errlen, "user name longer than %d bytes",
					REDIS_URL_USER_MAX);
		memcpy(u->user, p, user_n);
		u->user[user_n] = '\0';
		hp = at + 1;
		hp_n = auth_n - user_n - 1;
		if (memchr(hp, '@', hp_n) != NULL)
			return url_fail(err, errlen, "more than one '@'");
	}
	if (parse_host_port(hp, hp_n, u, err, errlen) != 0)
		return -1;
	if (slash != NULL && (size_t)(slash - p) + 1 < n) {
		const char *d = slash + 1;

		if (parse_db(d, n - (size_t)(d - p), &u->db, err, errlen) != 0)
			return -1;
		*db_set = true;
	}
	return 0;
}

static int parse(const char *url, struct redis_url *u, char *err, size_t errlen)
{
	size_t n = strnlen(url, REDIS_URL_MAX + 1);
	const char *query, *body;
	size_t body_n;
	bool db_set = false;
	unsigned query_db = 0;

	if (n == 0)
		return url_fail(err, errlen, "empty");
	if (n > REDIS_URL_MAX)
		return url_fail(err, errlen, "longer than %d bytes", REDIS_URL_MAX);
	for (size_t i = 0; i < n; i++)
		if (byte_refused((unsigned char)url[i]))
			return url_fail(err, errlen, "byte 0x%02x at offset %zu is not allowed",
					(unsigned char)url[i], i);
	if (strncmp(url, "redis://", 8) == 0)
		body = url + 8;
	else if (strncmp(url, "unix://", 7) == 0)
		body = url + 7;
	else
		return url_fail(err, errlen, "unknown scheme (want redis:// or unix://)");
	query = memchr(body, '?', n - (size_t)(body - url));
	body_n = query != NULL ? (size_t)(query - body) : n - (size_t)(body - url);
	if (query != NULL &&
	    parse_query(query + 1, n - (size_t)(query + 1 - url), &query_db, err, errlen) != 0)
		return -1;
	if (body == url + 7) {
		if (parse_unix(body, body_n, u, err, errlen) != 0)
			return -1;
	} else if (parse_tcp(body, body_n, u, &db_set, err, errlen) != 0) {
		return -1;
	}
	if (query != NULL) {
		if (db_set)
			return url_fail(err, errlen, "db given twice");
		u->db = query_db;
	}
	return 0;
}

int redis_url_parse(const char *url, struct redis_url *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (url == NULL)
		return url_fail(err, errlen, "empty");
	if (parse(url, out, err, errlen) != 0) {
		memset(out, 0, sizeof(*out));
		return -1;
	}
	return 0;
}
