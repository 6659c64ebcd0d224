/*
 * fingerprint-login.h - logins sent in clear, for the hygiene audit: an
 * HTTP request's Basic authorization, and the judgement shared by every
 * clear-text login of whether its password is one anybody would try
 * first.  (MQTT's CONNECT is read by fingerprint-mqtt.h.)
 *
 * The request is hostile input: only its head (up to the first empty
 * line, within the bytes captured) is searched, the encoded credentials
 * are decoded into a bounded buffer, and neither user name nor password
 * is kept or returned.
 */
#ifndef EW_FINGERPRINT_LOGIN_H
#define EW_FINGERPRINT_LOGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A password that is empty, the user name itself (user may be NULL), or a
 * factory default or placeholder from a short list (docs/events.md names
 * it): a finding an operator agrees with at once.
 */
bool login_password_weak(const uint8_t *password, size_t n, const uint8_t *user,
			 size_t user_n);

struct http_basic {
	bool found;         /* an "Authorization: Basic" header that decodes to user:password */
	bool weak_password; /* login_password_weak() of it */
};

/*
 * The head of an HTTP request (the client's first payload): whether it
 * carries Basic credentials.  A header that does not decode, or has no
 * ':', counts as not found.
 */
void http_basic_parse(const uint8_t *p, size_t len, struct http_basic *out);

#endif /* EW_FINGERPRINT_LOGIN_H */
