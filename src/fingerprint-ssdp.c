/*
 * fingerprint-ssdp.c - SSDP start line and headers into struct ssdp_info.
 *
 * Lines are read one at a time through the bounds-checked cursor into a
 * local buffer of SSDP_LINE_MAX bytes; everything after that works on the
 * copy.  NUL bytes become spaces on the way in, so the copy is a C string
 * and a NUL can neither cut a value short nor hide the rest of a line.
 */
#include "fingerprint-ssdp.h"

#include <string.h>

#include "util-bytes.h"

#define HTTP_VERSION_PREFIX "HTTP/1."
#define STATUS_DIGITS 3

/* One line of the message, without its line end. */
struct ssdp_line {
	/* Room for SSDP_LINE_MAX bytes, the CR of a CRLF, and a NUL. */
	char text[SSDP_LINE_MAX + 2];
	size_t len;
	bool had_nul; /* NULs were read as spaces */
};

enum line_status { LINE_OK, LINE_NONE, LINE_TOO_LONG };

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t';
}

static int ascii_lower(int ch)
{
	return ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch;
}

/* s[0..n) equals the NUL-terminated want, without regard to ASCII case. */
static bool ascii_ieq(const char *s, size_t n, const char *want)
{
	if (strlen(want) != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (ascii_lower((unsigned char)s[i]) != ascii_lower((unsigned char)want[i]))
			return false;
	}
	return true;
}

/*
 * Reads up to and including the next LF.  A CR before the LF is dropped;
 * a bare LF and a last line with no LF are quirks.  Stops reading as soon
 * as the line is known to be too long, so a huge line costs no more than
 * SSDP_LINE_MAX bytes of copying.
 */
static enum line_status read_line(struct ew_cursor *c, struct ssdp_line *l, uint32_t *quirks)
{
	bool ended = false;

	l->len = 0;
	l->had_nul = false;
	if (ew_cursor_left(c) == 0)
		return LINE_NONE;
	while (ew_cursor_left(c) > 0) {
		uint8_t b = ew_u8(c);

		if (b == '\n') {
			ended = true;
			break;
		}
		if (l->len == SSDP_LINE_MAX + 1)
			return LINE_TOO_LONG;
		if (b == '\0') {
			*quirks |= SSDP_QUIRK_NUL;
			l->had_nul = true;
			b = ' ';
		}
		l->text[l->len++] = (char)b;
	}
	if (l->len > 0 && l->text[l->len - 1] == '\r')
		l->len--;
	else if (ended)
		*quirks |= SSDP_QUIRK_BARE_LF;
	if (!ended)
		*quirks |= SSDP_QUIRK_NO_LINE_END;
	if (l->len > SSDP_LINE_MAX)
		return LINE_TOO_LONG;
	l->text[l->len] = '\0';
	return LINE_OK;
}

/* "HTTP/1.x" at s[0..n): sets *minor. */
static bool parse_version(const char *s, size_t n, uint8_t *minor)
{
	size_t plen = strlen(HTTP_VERSION_PREFIX);

	if (n != plen + 1 || memcmp(s, HTTP_VERSION_PREFIX, plen) != 0 || s[plen] < '0' ||
	    s[plen] > '9')
		return false;
	*minor = (uint8_t)(s[plen] - '0');
	return true;
}

/* "HTTP/1.1 200 OK", or with no reason phrase at all. */
static bool parse_status_line(const char *s, size_t n, struct ssdp_info *info)
{
	const char *sp = memchr(s, ' ', n);
	const char *code;
	uint16_t status = 0;

	if (sp == NULL || !parse_version(s, (size_t)(sp - s), &info->http_minor))
		return false;
	code = sp + 1;
	if ((size_t)(s + n - code) < STATUS_DIGITS)
		return false;
	for (size_t i = 0; i < STATUS_DIGITS; i++) {
		if (code[i] < '0' || code[i] > '9')
			return false;
		status = (uint16_t)(status * 10 + (uint16_t)(code[i] - '0'));
	}
	if (code + STATUS_DIGITS != s + n && code[STATUS_DIGITS] != ' ')
		return false;
	info->kind = SSDP_KIND_RESPONSE;
	info->status = status;
	return true;
}

/* "NOTIFY * HTTP/1.1" or "M-SEARCH * HTTP/1.1": three fields, one space apart. */
static bool parse_request_line(const char *s, size_t n, struct ssdp_info *info)
{
	const char *sp1 = memchr(s, ' ', n);
	const char *target, *sp2;
	size_t method_len;

	if (sp1 == NULL)
		return false;
	method_len = (size_t)(sp1 - s);
	target = sp1 + 1;
	sp2 = memchr(target, ' ', (size_t)(s + n - target));
	if (sp2 == NULL || sp2 == target ||
	    !parse_version(sp2 + 1, (size_t)(s + n - (sp2 + 1)), &info->http_minor))
		return false;
	if (method_len == strlen("NOTIFY") && memcmp(s, "NOTIFY", method_len) == 0)
		info->kind = SSDP_KIND_NOTIFY;
	else if (method_len == strlen("M-SEARCH") && memcmp(s, "M-SEARCH", method_len) == 0)
		info->kind = SSDP_KIND_MSEARCH;
	else
		return false;
	if (sp2 - target != 1 || target[0] != '*')
		info->quirks |= SSDP_QUIRK_TARGET;
	return true;
}

static bool parse_start_line(const struct ssdp_line *l, struct ssdp_info *info)
{
	if (strncmp(l->text, HTTP_VERSION_PREFIX, strlen(HTTP_VERSION_PREFIX)) == 0)
		return parse_status_line(l->text, l->len, info);
	return parse_request_line(l->text, l->len, info);
}

/* The kept value a header name selects, or NULL for headers not kept. */
static struct ssdp_value *kept_value(struct ssdp_info *info, const char *name, size_t n)
{
	const struct {
		const char *name;
		struct ssdp_value *v;
	} kept[] = {
		{ "SERVER", &info->server },
		{ "NT", &info->nt },
		{ "NTS", &info->nts },
		{ "USN", &info->usn },
		{ "ST", &info->st },
		{ "LOCATION", &info->location },
		{ "USER-AGENT", &info->user_agent },
		{ "CACHE-CONTROL", &info->cache_control },
	};

	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
		if (ascii_ieq(name, n, kept[i].name))
			return kept[i].v;
	}
	return NULL;
}

static void keep_value(struct ssdp_value *v, const char *s, size_t n)
{
	if (n > SSDP_VALUE_MAX - 1) {
		n = SSDP_VALUE_MAX - 1;
		v->cut = true;
	}
	memcpy(v->text, s, n);
	v->text[n] = '\0';
	v->present = true;
}

/* "Name: value": name trimmed at its end, value at both ends. */
static void parse_header(const struct ssdp_line *l, struct ssdp_info *info)
{
	const char *colon = memchr(l->text, ':', l->len);
	const char *val, *end = l->text + l->len;
	struct ssdp_value *v;
	size_t name_len;

	if (colon == NULL) {
		info->quirks |= SSDP_QUIRK_NO_COLON;
		return;
	}
	name_len = (size_t)(colon - l->text);
	while (name_len > 0 && is_space(l->text[name_len - 1])) {
		name_len--;
		info->quirks |= SSDP_QUIRK_SPACE_NAME;
	}
	if (name_len == 0) {
		info->quirks |= SSDP_QUIRK_EMPTY_NAME;
		return;
	}
	if (memchr(l->text, ' ', name_len) != NULL || memchr(l->text, '\t', name_len) != NULL)
		info->quirks |= SSDP_QUIRK_SPACE_NAME;
	v = kept_value(info, l->text, name_len);
	if (v == NULL)
		return;
	if (v->present) {
		info->quirks |= SSDP_QUIRK_DUPLICATE;
		return;
	}
	val = colon + 1;
	while (val < end && is_space(*val))
		val++;
	while (end > val && is_space(end[-1]))
		end--;
	keep_value(v, val, (size_t)(end - val));
}

/* Reads header lines up to the empty line or the end of the message. */
static enum ssdp_result parse_headers(struct ew_cursor *c, struct ssdp_line *l,
				      struct ssdp_info *info)
{
	for (;;) {
		enum line_status st = read_line(c, l, &info->quirks);

		info->err_line++;
		if (st == LINE_NONE) {
			info->quirks |= SSDP_QUIRK_NO_EMPTY_LINE;
			return SSDP_OK;
		}
		if (st == LINE_TOO_LONG)
			return SSDP_ERR_LINE_TOO_LONG;
		if (l->len == 0) {
			if (ew_cursor_left(c) > 0)
				info->quirks |= SSDP_QUIRK_BODY;
			return SSDP_OK;
		}
		if (++info->nheaders > SSDP_MAX_HEADERS)
			return SSDP_ERR_TOO_MANY_HEADERS;
		if (is_space(l->text[0]))
			info->quirks |= SSDP_QUIRK_FOLDED; /* obs-fold: skipped, not joined */
		else
			parse_header(l, info);
	}
}

static enum ssdp_result parse_message(struct ew_cursor *c, struct ssdp_info *info)
{
	/* One line buffer for the whole message: 2 KiB, so not in the info. */
	struct ssdp_line l;
	enum line_status st;

	info->err_line = 1;
	st = read_line(c, &l, &info->quirks);
	if (st == LINE_TOO_LONG)
		return SSDP_ERR_LINE_TOO_LONG;
	/* A NUL read as a space must not turn "NOTIFY\0*" into a start line. */
	if (st != LINE_OK || l.had_nul || !parse_start_line(&l, info))
		return SSDP_ERR_START_LINE;
	return parse_headers(c, &l, info);
}

enum ssdp_result ssdp_parse(const uint8_t *p, size_t len, struct ssdp_info *out)
{
	struct ew_cursor c;
	enum ssdp_result r;

	if (out == NULL)
		return SSDP_ERR_ARGS;
	memset(out, 0, sizeof(*out));
	if (p == NULL)
		r = SSDP_ERR_ARGS;
	else if (len == 0)
		r = SSDP_ERR_EMPTY;
	else {
		ew_cursor_init(&c, p, len);
		r = parse_message(&c, out);
	}
	if (r == SSDP_OK)
		out->err_line = 0;
	out->result = r;
	return r;
}

const char *ssdp_result_name(enum ssdp_result r)
{
	static const char *const names[SSDP_RESULT_MAX] = {
		[SSDP_OK] = "ssdp.ok",
		[SSDP_ERR_ARGS] = "ssdp.args",
		[SSDP_ERR_EMPTY] = "ssdp.empty",
		[SSDP_ERR_START_LINE] = "ssdp.bad_start_line",
		[SSDP_ERR_LINE_TOO_LONG] = "ssdp.line_too_long",
		[SSDP_ERR_TOO_MANY_HEADERS] = "ssdp.too_many_headers",
	};

	if ((unsigned)r >= SSDP_RESULT_MAX)
		return "ssdp.unknown";
	return names[r];
}
