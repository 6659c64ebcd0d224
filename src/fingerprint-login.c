/*
 * fingerprint-login.c - clear-text logins for the hygiene audit
 * (fingerprint-login.h).
 */
#include <string.h>

#include "fingerprint-login.h"

/*
 * Passwords a person tries first on an IoT device: factory defaults and
 * the usual placeholders.  Short on purpose; docs/events.md lists it.
 */
static const char *const weak_passwords[] = {
	"admin", "password", "pass", "1234", "12345", "123456", "12345678", "root", "mqtt",
	"guest", "public", "default", "test", "changeme", "user", NULL,
};

bool login_password_weak(const uint8_t *password, size_t n, const uint8_t *user, size_t user_n)
{
	if (n == 0 || (user != NULL && n == user_n && memcmp(password, user, n) == 0))
		return true;
	for (size_t i = 0; weak_passwords[i] != NULL; i++)
		if (strlen(weak_passwords[i]) == n && memcmp(weak_passwords[i], password, n) == 0)
			return true;
	return false;
}

#define BASIC_DECODED_MAX 192 /* bytes of user:password kept while judging */

static int b64_value(uint8_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Standard base64 (RFC 4648 section 4) of s[0..n), padding optional, into
 * out (at most cap bytes).  The decoded length, or -1 on a character
 * outside the alphabet, a stray '=' or too long a result.
 */
static int b64_decode(const uint8_t *s, size_t n, uint8_t *out, size_t cap)
{
	uint32_t acc = 0;
	size_t bits = 0, len = 0, i = 0;

	while (n > 0 && s[n - 1] == '=')
		n--;
	for (i = 0; i < n; i++) {
		int v = b64_value(s[i]);

		if (v < 0)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (len >= cap)
				return -1;
			out[len++] = (uint8_t)(acc >> bits);
		}
	}
	return (int)len;
}

/* Case-insensitive prefix test of p[0..n) against a lower-case word. */
static bool starts_with_ci(const uint8_t *p, size_t n, const char *word)
{
	size_t w = strlen(word);

	if (n < w)
		return false;
	for (size_t i = 0; i < w; i++) {
		uint8_t c = p[i];

		if (c >= 'A' && c <= 'Z')
			c = (uint8_t)(c + ('a' - 'A'));
		if (c != (uint8_t)word[i])
			return false;
	}
	return true;
}

/* The payload starts like an HTTP/1 request: a method and a space. */
static bool http_request(const uint8_t *p, size_t len)
{
	static const char *const methods[] = { "GET ", "POST ", "PUT ", "HEAD ", "DELETE ",
					       "OPTIONS ", "PATCH ", NULL };

	for (size_t i = 0; methods[i] != NULL; i++) {
		size_t n = strlen(methods[i]);

		if (len >= n && memcmp(p, methods[i], n) == 0)
			return true;
	}
	return false;
}

void http_basic_parse(const uint8_t *p, size_t len, struct http_basic *out)
{
	size_t at = 0;

	memset(out, 0, sizeof(*out));
	/* Only an HTTP request is searched: TLS and the rest cost a comparison or two. */
	if (p == NULL || !http_request(p, len))
		return;
	/* Line by line through the head; the request line first, then headers. */
	while (at < len) {
		const uint8_t *line = p + at, *nl = memchr(line, '\n', len - at);
		size_t n = nl != NULL ? (size_t)(nl - line) : len - at;

		if (n > 0 && line[n - 1] == '\r')
			n--;
		if (n == 0)
			return; /* the empty line: end of the head */
		if (starts_with_ci(line, n, "authorization:")) {
			size_t k = strlen("authorization:");
			uint8_t dec[BASIC_DECODED_MAX];
			const uint8_t *colon;
			int m;

			while (k < n && (line[k] == ' ' || line[k] == '\t'))
				k++;
			if (!starts_with_ci(line + k, n - k, "basic "))
				return;
			k += strlen("basic ");
			while (k < n && line[k] == ' ')
				k++;
			m = b64_decode(line + k, n - k, dec, sizeof(dec));
			if (m <= 0 || (colon = memchr(dec, ':', (size_t)m)) == NULL)
				return;
			out->found = true;
			out->weak_password = login_password_weak(colon + 1,
								 (size_t)m - (size_t)(colon + 1 - dec),
								 dec, (size_t)(colon - dec));
			memset(dec, 0, sizeof(dec)); /* not kept */
			return;
		}
		if (nl == NULL)
			return; /* cut inside a line: the capture ends here */
		at += (size_t)(nl - line) + 1;
	}
}
