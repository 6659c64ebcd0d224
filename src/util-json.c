/*
 * util-json.c - JSON event writer with byte-exact escaping (see util-json.h).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util-json.h"

void json_init(struct json_buf *jb)
{
	memset(jb, 0, sizeof(*jb));
}

void json_reset(struct json_buf *jb)
{
	jb->len = 0;
	jb->depth = 0;
	jb->err = false;
	if (jb->data)
		jb->data[0] = '\0';
}

void json_free(struct json_buf *jb)
{
	if (jb == NULL)
		return;
	free(jb->data);
	json_init(jb);
}

/* Makes room for n more bytes plus a NUL; false (and err) past the cap. */
static bool json_reserve(struct json_buf *jb, size_t n)
{
	if (jb->err)
		return false;
	if (n > JSON_MAX_EVENT_BYTES || jb->len + n + 1 > JSON_MAX_EVENT_BYTES) {
		jb->err = true;
		return false;
	}
	if (jb->len + n + 1 <= jb->cap)
		return true;
	size_t cap = jb->cap ? jb->cap : 512;
	while (cap < jb->len + n + 1)
		cap *= 2;
	if (cap > JSON_MAX_EVENT_BYTES)
		cap = JSON_MAX_EVENT_BYTES;
	char *p = realloc(jb->data, cap);
	if (p == NULL) {
		jb->err = true;
		return false;
	}
	jb->data = p;
	jb->cap = cap;
	return true;
}

static void json_put(struct json_buf *jb, const char *s, size_t n)
{
	if (!json_reserve(jb, n))
		return;
	memcpy(jb->data + jb->len, s, n);
	jb->len += n;
	jb->data[jb->len] = '\0';
}

static void json_putc(struct json_buf *jb, char c)
{
	json_put(jb, &c, 1);
}

/*
 * Length of the valid UTF-8 sequence starting at s (1..4), or 0 when the
 * bytes there are not valid UTF-8 (RFC 3629: no overlongs, no surrogates,
 * nothing above U+10FFFF).
 */
static size_t utf8_valid_len(const uint8_t *s, size_t len)
{
	uint8_t c = s[0];
	size_t n;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff)
		return 0;
	if (cp >= 0xd800 && cp <= 0xdfff)
		return 0;
	return n;
}

void json_escape_into(struct json_buf *jb, const uint8_t *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0;

	while (i < len && !jb->err) {
		uint8_t c = s[i];
		size_t n;

		if (c == '"' || c == '\\') {
			char esc[2] = { '\\', (char)c };
			json_put(jb, esc, 2);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			json_put(jb, esc, 6);
			i++;
		} else if ((n = utf8_valid_len(s + i, len - i)) == 0) {
			json_put(jb, "\\ufffd", 6);
			i++;
		} else if (n == 3 && c == 0xe2 && s[i + 1] == 0x80 &&
			   (s[i + 2] == 0xa8 || s[i + 2] == 0xa9)) {
			json_put(jb, s[i + 2] == 0xa8 ? "\\u2028" : "\\u2029", 6);
			i += 3;
		} else {
			json_put(jb, (const char *)s + i, n);
			i += n;
		}
	}
}

/* Writes the comma and key that precede a value at the current level. */
static void json_member(struct json_buf *jb, const char *key)
{
	if (jb->depth > 0) {
		if (!jb->first[jb->depth - 1])
			json_putc(jb, ',');
		jb->first[jb->depth - 1] = false;
	}
	if (key != NULL) {
		json_putc(jb, '"');
		json_escape_into(jb, (const uint8_t *)key, strlen(key));
		json_put(jb, "\":", 2);
	}
}

static void json_open(struct json_buf *jb, const char *key, char c)
{
	json_member(jb, key);
	if (jb->depth >= JSON_MAX_DEPTH) {
		jb->err = true;
		return;
	}
	json_putc(jb, c);
	jb->first[jb->depth++] = true;
}

static void json_close(struct json_buf *jb, char c)
{
	if (jb->depth <= 0) {
		jb->err = true;
		return;
	}
	jb->depth--;
	json_putc(jb, c);
}

void json_open_object(struct json_buf *jb, const char *key)
{
	json_open(jb, key, '{');
}

void json_close_object(struct json_buf *jb)
{
	json_close(jb, '}');
}

void json_open_array(struct json_buf *jb, const char *key)
{
	json_open(jb, key, '[');
}

void json_close_array(struct json_buf *jb)
{
	json_close(jb, ']');
}

void json_bytes(struct json_buf *jb, const char *key, const uint8_t *s, size_t len)
{
	json_member(jb, key);
	json_putc(jb, '"');
	json_escape_into(jb, s, len);
	json_putc(jb, '"');
}

void json_string(struct json_buf *jb, const char *key, const char *s)
{
	json_bytes(jb, key, (const uint8_t *)s, strlen(s));
}

static void json_number(struct json_buf *jb, const char *key, const char *text, int n)
{
	json_member(jb, key);
	if (n > 0)
		json_put(jb, text, (size_t)n);
}

/* Decimal digits by hand: printf's machinery is a measurable cost per event. */
void json_uint(struct json_buf *jb, const char *key, uint64_t v)
{
	char tmp[24];
	int i = (int)sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	json_number(jb, key, tmp + i, (int)sizeof(tmp) - i);
}

void json_int(struct json_buf *jb, const char *key, int64_t v)
{
	char tmp[24];
	json_number(jb, key, tmp, snprintf(tmp, sizeof(tmp), "%" PRId64, v));
}

void json_bool(struct json_buf *jb, const char *key, bool v)
{
	json_number(jb, key, v ? "true" : "false", v ? 4 : 5);
}

void json_double(struct json_buf *jb, const char *key, double v)
{
	char tmp[40];

	if (!isfinite(v)) {
		json_number(jb, key, "null", 4);
		return;
	}
	json_number(jb, key, tmp, snprintf(tmp, sizeof(tmp), "%.6g", v));
}
