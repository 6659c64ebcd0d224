/*
 * eval-labels.c - the ground truth side of the evaluator (see eval.h):
 * device identities, Unix seconds and RFC 3339 times, and the labels
 * CSV, each parsed strictly with every length checked before it is read.
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "eval-private.h"
#include "util-file.h"

#define LABELS_HEADER "device,start,end,scenario"
#define QUOTE_MAX 40 /* bytes of a bad value quoted in a message */

__attribute__((format(printf, 3, 4)))
int eval_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen == 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* ------------------------------------------------------------ small parsers */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1; /* uppercase too: edgewatch writes lowercase and so must labels */
}

int eval_parse_mac(struct eval_dev *d, const char *s, size_t n)
{
	if (n != 17)
		return -1;
	for (int i = 0; i < 6; i++) {
		int hi = hexval(s[i * 3]), lo = hexval(s[i * 3 + 1]);

		if (hi < 0 || lo < 0 || (i < 5 && s[i * 3 + 2] != ':'))
			return -1;
		d->b[i] = (uint8_t)(hi * 16 + lo);
	}
	d->kind = EVAL_DEV_MAC;
	return 0;
}

int eval_parse_ip(struct eval_dev *d, const char *s, size_t n)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	char buf[INET6_ADDRSTRLEN];

	if (n == 0 || n >= sizeof(buf) || memchr(s, '\0', n) != NULL)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, d->b) == 1) {
		d->kind = EVAL_DEV_IP4;
		return 0;
	}
	if (inet_pton(AF_INET6, buf, d->b) != 1)
		return -1;
	d->kind = EVAL_DEV_IP6;
	/* edgewatch keeps IPv4 as mapped IPv6 internally; one identity for both spellings. */
	if (memcmp(d->b, mapped, sizeof(mapped)) == 0) {
		memmove(d->b, d->b + 12, 4);
		memset(d->b + 4, 0, 12);
		d->kind = EVAL_DEV_IP4;
	}
	return 0;
}

int eval_dev_parse(struct eval_dev *d, const char *s, size_t n)
{
	memset(d, 0, sizeof(*d));
	if (eval_parse_mac(d, s, n) == 0 || eval_parse_ip(d, s, n) == 0)
		return 0;
	memset(d, 0, sizeof(*d));
	return -1;
}

/* An evicted record's "device_key": 16 lowercase hex digits. */
int eval_parse_hex64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (n != 16)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int h = hexval(s[i]);

		if (h < 0)
			return -1;
		v = v << 4 | (uint64_t)h;
	}
	*out = v;
	return 0;
}

void eval_dev_format(const struct eval_dev *d, char buf[EVAL_DEV_STRLEN])
{
	uint64_t k = 0;

	switch (d->kind) {
	case EVAL_DEV_MAC:
		snprintf(buf, EVAL_DEV_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x", d->b[0], d->b[1],
			 d->b[2], d->b[3], d->b[4], d->b[5]);
		return;
	case EVAL_DEV_IP4:
	case EVAL_DEV_IP6:
		if (inet_ntop(d->kind == EVAL_DEV_IP4 ? AF_INET : AF_INET6, d->b, buf,
			      EVAL_DEV_STRLEN) == NULL)
			snprintf(buf, EVAL_DEV_STRLEN, "?");
		return;
	case EVAL_DEV_KEY:
		for (int i = 0; i < 8; i++)
			k = k << 8 | d->b[i];
		snprintf(buf, EVAL_DEV_STRLEN, "key:%016" PRIx64, k);
		return;
	default:
		snprintf(buf, EVAL_DEV_STRLEN, "-");
	}
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int eval_seconds_parse(const char *s, size_t n, int64_t *us)
{
	int64_t sec = 0, frac = 0;
	size_t i = 0, fd = 0;

	/* Twelve digits reach EVAL_SECONDS_MAX; more could overflow before the check. */
	for (; i < n && is_digit(s[i]); i++) {
		if (i >= 12)
			return -1;
		sec = sec * 10 + (s[i] - '0');
	}
	if (i == 0 || sec > EVAL_SECONDS_MAX)
		return -1;
	if (i < n) {
		if (s[i++] != '.')
			return -1;
		for (; i < n && is_digit(s[i]); i++, fd++) {
			if (fd >= 6)
				return -1;
			frac = frac * 10 + (s[i] - '0');
		}
		if (fd == 0 || i != n)
			return -1;
	}
	for (; fd < 6; fd++)
		frac *= 10;
	*us = sec * 1000000 + frac;
	return 0;
}

/* n digits at s as a number; -1 unless they are all digits. */
static int digits(const char *s, size_t n, int *out)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days from 1970-01-01 to y-m-d (a valid date, y >= 1970). */
static int64_t days_since_epoch(int y, int m, int d)
{
	static const int before_month[12] = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334 };
	/* Leap days in years 1..y-1 by the Gregorian rule, the same for 1..1969. */
	int64_t py = y - 1, p70 = 1969;
	int64_t leaps = (py / 4 - py / 100 + py / 400) - (p70 / 4 - p70 / 100 + p70 / 400);

	return 365 * (int64_t)(y - 1970) + leaps + before_month[m - 1] +
	       (m > 2 && leap(y) ? 1 : 0) + (d - 1);
}

int eval_time_parse(const char *s, size_t n, int64_t *us)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, h, mi, se, oh = 0, om = 0, sign = 0;
	int64_t frac = 0, t;
	size_t i = 19, fd = 0;

	if (n < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
	    s[13] != ':' || s[16] != ':' || digits(s, 4, &y) < 0 || digits(s + 5, 2, &mo) < 0 ||
	    digits(s + 8, 2, &d) < 0 || digits(s + 11, 2, &h) < 0 ||
	    digits(s + 14, 2, &mi) < 0 || digits(s + 17, 2, &se) < 0)
		return -1;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 ||
	    d > mdays[mo - 1] + (mo == 2 && leap(y) ? 1 : 0) || h > 23 || mi > 59 || se > 60)
		return -1;
	if (s[i] == '.') {
		for (i++; i < n && is_digit(s[i]); i++, fd++) {
			if (fd >= 9)
				return -1;
			if (fd < 6)
				frac = frac * 10 + (s[i] - '0');
		}
		if (fd == 0)
			return -1;
		for (; fd < 6; fd++)
			frac *= 10;
	}
	if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
		i++;
	} else if (i < n && (s[i] == '+' || s[i] == '-')) {
		sign = s[i] == '+' ? 1 : -1;
		if (n - i == 6 && s[i + 3] == ':' && digits(s + i + 1, 2, &oh) == 0 &&
		    digits(s + i + 4, 2, &om) == 0)
			i += 6;
		else if (n - i == 5 && digits(s + i + 1, 2, &oh) == 0 &&
			 digits(s + i + 3, 2, &om) == 0)
			i += 5;
		else
			return -1;
		if (oh > 23 || om > 59)
			return -1;
	} else {
		return -1;
	}
	if (i != n)
		return -1;
	t = days_since_epoch(y, mo, d) * 86400 + h * 3600 + mi * 60 + se -
	    sign * (oh * 3600 + om * 60);
	if (t < 0)
		return -1;
	*us = t * 1000000 + frac;
	return 0;
}

/* ------------------------------------------------------------ labels */

/* A value for a message: cut, control bytes as '?'. */
static const char *quote(char buf[QUOTE_MAX + 4], const char *s, size_t n)
{
	size_t k = n > QUOTE_MAX ? QUOTE_MAX : n;

	for (size_t i = 0; i < k; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	if (n > QUOTE_MAX) {
		memcpy(buf + k, "...", 3);
		k += 3;
	}
	buf[k] = '\0';
	return buf;
}

static bool blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return false;
	return true;
}

/* One data row (no NUL, no newline) into *row; the problem, or NULL. */
static const char *parse_row(const char *s, size_t n, struct eval_label *row, char *why,
			     size_t whylen)
{
	const char *f[4];
	size_t fl[4], nf = 0, from = 0;
	char q[QUOTE_MAX + 4];

	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != ',')
			continue;
		if (nf < 4) {
			f[nf] = s + from;
			fl[nf] = i - from;
		}
		nf++;
		from = i + 1;
	}
	if (nf != 4) {
		snprintf(why, whylen, "expected 4 fields (device,start,end,scenario), found %zu", nf);
		return why;
	}
	if (eval_dev_parse(&row->dev, f[0], fl[0]) < 0) {
		snprintf(why, whylen, "device: '%s' is not a lowercase MAC or an IP address",
			 quote(q, f[0], fl[0]));
		return why;
	}
	for (int k = 1; k <= 2; k++)
		if (eval_seconds_parse(f[k], fl[k], k == 1 ? &row->start_us : &row->end_us) < 0) {
			snprintf(why, whylen, "%s: '%s' is not Unix seconds with at most 6 decimals",
				 k == 1 ? "start" : "end", quote(q, f[k], fl[k]));
			return why;
		}
	if (row->end_us < row->start_us)
		return "end is before start";
	if (fl[3] == 0)
		return "scenario: empty";
	if (fl[3] > EVAL_SCENARIO_MAX) {
		snprintf(why, whylen, "scenario: longer than %d bytes", EVAL_SCENARIO_MAX);
		return why;
	}
	for (size_t i = 0; i < fl[3]; i++) {
		unsigned char b = (unsigned char)f[3][i];

		/* Names go into tables and JSON as they are: printable, no spaces, no quotes. */
		if (b <= 0x20 || b >= 0x7f || b == '"') {
			snprintf(why, whylen,
				 "scenario: byte 0x%02x not allowed (printable ASCII, no spaces or quotes)",
				 b);
			return why;
		}
	}
	memcpy(row->scenario, f[3], fl[3]);
	row->scenario[fl[3]] = '\0';
	return NULL;
}

int eval_labels_parse(const char *name, const char *text, size_t len, struct eval_labels *out,
		      char *err, size_t errlen)
{
	struct eval_labels l = { 0 };
	size_t cap = 0, pos = 0;
	unsigned line = 0;
	bool header = false;
	char why[160];
	const char *problem;

	while (pos < len) {
		const char *s = text + pos, *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos;

		pos += n + (nl ? 1 : 0);
		line++;
		if (n > 0 && s[n - 1] == '\r')
			n--;
		if (n > EVAL_LABEL_LINE_MAX) {
			snprintf(why, sizeof(why), "line longer than %d bytes", EVAL_LABEL_LINE_MAX);
			problem = why;
			goto bad;
		}
		if (memchr(s, '\0', n) != NULL) {
			problem = "NUL byte";
			goto bad;
		}
		if (blank(s, n) || s[0] == '#')
			continue;
		if (!header) {
			if (n != strlen(LABELS_HEADER) || memcmp(s, LABELS_HEADER, n) != 0) {
				problem = "expected the header \"" LABELS_HEADER "\"";
				goto bad;
			}
			header = true;
			continue;
		}
		if (l.n >= EVAL_LABELS_MAX) {
			snprintf(why, sizeof(why), "more than %d rows", EVAL_LABELS_MAX);
			problem = why;
			goto bad;
		}
		if (l.n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct eval_label *r = realloc(l.row, ncap * sizeof(*r));

			if (r == NULL) {
				eval_labels_free(&l);
				return eval_errf(err, errlen, "%s: out of memory", name);
			}
			l.row = r;
			cap = ncap;
		}
		memset(&l.row[l.n], 0, sizeof(l.row[0]));
		if ((problem = parse_row(s, n, &l.row[l.n], why, sizeof(why))) != NULL)
			goto bad;
		l.row[l.n++].line = line;
	}
	if (!header) {
		eval_labels_free(&l);
		return eval_errf(err, errlen, "%s: no header line \"" LABELS_HEADER "\"", name);
	}
	*out = l;
	return 0;
bad:
	eval_labels_free(&l);
	return eval_errf(err, errlen, "%s:%u: %s", name, line, problem);
}

int eval_labels_load(const char *path, struct eval_labels *out, char *err, size_t errlen)
{
	char *text;
	size_t len;
	int rc;

	if (ew_read_file(path, EVAL_LABELS_FILE_MAX, &text, &len) < 0)
		return eval_errf(err, errlen, "%s: %s", path,
				 errno == EFBIG ? "larger than 16 MiB" : strerror(errno));
	rc = eval_labels_parse(path, text, len, out, err, errlen);
	free(text);
	return rc;
}

void eval_labels_free(struct eval_labels *l)
{
	if (l == NULL)
		return;
	free(l->row);
	l->row = NULL;
	l->n = 0;
}
