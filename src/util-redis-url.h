/*
 * util-redis-url.h - where a Redis server is, from a URL.
 *
 * Two forms, both from configuration or the command line:
 *
 *     redis://[user@]host[:port][/db][?db=N]   TCP (IPv6 host in brackets: [::1])
 *     unix:///path/to/socket[?db=N]            a unix socket, absolute path
 *
 * A password in the URL ("user:secret@host") is refused: secrets come from
 * a file or the environment, never from text that ends up in process
 * listings, configuration dumps and logs.  Percent-escapes are refused
 * rather than decoded, so what is checked is what is used.  The parser
 * reads hostile text: every part is length-checked against the fixed
 * buffers below, control bytes are refused, and messages quote at most a
 * short, cleaned piece of the input.
 *
 * Nothing is allocated; the result is a plain value.
 */
#ifndef EW_UTIL_REDIS_URL_H
#define EW_UTIL_REDIS_URL_H

#include <stddef.h>
#include <stdint.h>

#define REDIS_URL_MAX 1024       /* bytes of a whole URL */
#define REDIS_URL_HOST_MAX 253   /* a DNS name's longest text form */
#define REDIS_URL_PATH_MAX 107   /* sun_path holds 108 bytes with its NUL */
#define REDIS_URL_USER_MAX 128   /* bytes of an ACL user name */
#define REDIS_URL_DB_MAX 65535u  /* far past any real "databases" setting */
#define REDIS_URL_DEFAULT_PORT 6379

enum redis_url_kind {
	REDIS_URL_TCP,
	REDIS_URL_UNIX,
};

struct redis_url {
	enum redis_url_kind kind;
	char host[REDIS_URL_HOST_MAX + 1]; /* TCP: name or address, brackets removed */
	uint16_t port;                     /* TCP: 1..65535, REDIS_URL_DEFAULT_PORT if absent */
	char path[REDIS_URL_PATH_MAX + 1]; /* unix: the socket's absolute path */
	char user[REDIS_URL_USER_MAX + 1]; /* "" when the URL names none */
	unsigned db;                       /* 0 when the URL names none */
};

/*
 * Parses url into *out.  0, or -1 with "redis URL: problem" in err (the
 * messages are listed in tests/test-redis.c); *out is then zeroed.
 */
int redis_url_parse(const char *url, struct redis_url *out, char *err, size_t errlen);

#endif /* EW_UTIL_REDIS_URL_H */
