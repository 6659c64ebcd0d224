/*
 * eval.c - scoring detections against labelled attacks (see eval.h).
 *
 * Three parts: the small parsers (device identities, seconds, RFC 3339
 * times), the labels CSV, and the events: each line is read into
 * compact records (detections, closes, a set of devices) and forgotten,
 * so an event file of any size costs memory only for what is kept, and
 * that has caps.  Scoring then sorts the records once and answers every
 * question with binary searches, so neither a long capture nor many
 * labels makes it quadratic.
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "eval-json.h"
#include "eval.h"
#include "util-file.h"
#include "util-hash.h"

#define LABELS_HEADER "device,start,end,scenario"
#define QUOTE_MAX 40 /* bytes of a bad value quoted in a message */

/* Twice the cap, a power of two: linear probing stays short. */
#define DEVSET_SLOTS (2u * EVAL_DEVICES_MAX)

__attribute__((format(printf, 3, 4)))
static int errf(char *err, size_t errlen, const char *fmt, ...)
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

static int parse_mac(struct eval_dev *d, const char *s, size_t n)
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

static int parse_ip(struct eval_dev *d, const char *s, size_t n)
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
	if (parse_mac(d, s, n) == 0 || parse_ip(d, s, n) == 0)
		return 0;
	memset(d, 0, sizeof(*d));
	return -1;
}

/* An evicted record's "device_key": 16 lowercase hex digits. */
static int parse_hex64(const char *s, size_t n, uint64_t *out)
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
				return errf(err, errlen, "%s: out of memory", name);
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
		return errf(err, errlen, "%s: no header line \"" LABELS_HEADER "\"", name);
	}
	*out = l;
	return 0;
bad:
	eval_labels_free(&l);
	return errf(err, errlen, "%s:%u: %s", name, line, problem);
}

int eval_labels_load(const char *path, struct eval_labels *out, char *err, size_t errlen)
{
	char *text;
	size_t len;
	int rc;

	if (ew_read_file(path, EVAL_LABELS_FILE_MAX, &text, &len) < 0)
		return errf(err, errlen, "%s: %s", path,
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

/* ------------------------------------------------------------ events */

enum det_status { DET_OPENED = 0, DET_ESCALATED };

/* An opened or escalated incident: a detection of dev at ts_us. */
struct det {
	struct eval_dev dev;
	uint8_t status;   /* enum det_status */
	bool has_id;
	uint64_t incident;
	int64_t ts_us;
	int64_t close_us; /* set by scoring: when the incident closed */
	char cause[EVAL_CAUSE_MAX];
	char severity[EVAL_SEVERITY_MAX];
};

struct close_rec {
	uint64_t incident;
	int64_t ts_us;
};

struct eval {
	struct ejson *json;
	char *line; /* eval_read's buffer: EVAL_LINE_MAX bytes */
	struct det *det;
	size_t ndet, det_cap;
	struct close_rec *close;
	size_t nclose, close_cap;
	struct eval_dev *devset; /* DEVSET_SLOTS; kind NONE = empty */
	struct eval_counts c;
};

struct eval *eval_create(void)
{
	struct eval *e = calloc(1, sizeof(*e));

	if (e == NULL)
		return NULL;
	e->json = ejson_create();
	e->devset = calloc(DEVSET_SLOTS, sizeof(*e->devset));
	if (e->json == NULL || e->devset == NULL)
		goto fail;
	return e;
fail:
	eval_destroy(e);
	return NULL;
}

void eval_destroy(struct eval *e)
{
	if (e == NULL)
		return;
	ejson_destroy(e->json);
	free(e->line);
	free(e->det);
	free(e->close);
	free(e->devset);
	free(e);
}

const struct eval_counts *eval_counts(const struct eval *e)
{
	return &e->c;
}

static void devset_add(struct eval *e, const struct eval_dev *d)
{
	size_t i = (size_t)ew_hash64(d, sizeof(*d), 0) & (DEVSET_SLOTS - 1);

	for (;; i = (i + 1) & (DEVSET_SLOTS - 1)) {
		if (e->devset[i].kind == EVAL_DEV_NONE)
			break;
		if (memcmp(&e->devset[i], d, sizeof(*d)) == 0)
			return;
	}
	if (e->c.devices >= EVAL_DEVICES_MAX) {
		e->c.devices_dropped++;
		return;
	}
	e->devset[i] = *d;
	e->c.devices++;
}

/*
 * The identity in obj: by "key" ("ip" or "mac"), else whichever of
 * "mac", "ip" is there, else an evicted record's "device_key".
 */
static int dev_from(const struct ejson *j, const struct ejson_value *obj, struct eval_dev *d)
{
	const struct ejson_value *mac = ejson_get(j, obj, "mac"), *ip = ejson_get(j, obj, "ip");
	const struct ejson_value *key = ejson_get(j, obj, "device_key");
	const char *s;
	size_t n;
	uint64_t k;

	if (ejson_string_is(j, ejson_get(j, obj, "key"), "ip") || mac == NULL)
		mac = NULL;
	else
		ip = NULL;
	memset(d, 0, sizeof(*d));
	if ((s = ejson_string(j, mac, &n)) != NULL)
		return parse_mac(d, s, n);
	if ((s = ejson_string(j, ip, &n)) != NULL)
		return parse_ip(d, s, n);
	if ((s = ejson_string(j, key, &n)) == NULL || parse_hex64(s, n, &k) < 0)
		return -1;
	d->kind = EVAL_DEV_KEY;
	for (int i = 0; i < 8; i++)
		d->b[i] = (uint8_t)(k >> (56 - 8 * i));
	return 0;
}

/* A string member copied for tables: cut to fit, control bytes as '?'. */
static void copy_text(char *dst, size_t size, const struct ejson *j, const struct ejson_value *v)
{
	size_t n;
	const char *s = ejson_string(j, v, &n);

	if (s == NULL)
		n = 0;
	if (n > size - 1)
		n = size - 1;
	for (size_t i = 0; i < n; i++)
		dst[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	dst[n] = '\0';
}

static void *grow(void *p, size_t *cap, size_t elem)
{
	size_t ncap = *cap ? *cap * 2 : 256;
	void *q;

	if (ncap > EVAL_DETECTIONS_MAX)
		ncap = EVAL_DETECTIONS_MAX;
	q = realloc(p, ncap * elem);
	if (q != NULL)
		*cap = ncap;
	return q;
}

/* An anomaly or alert event at ts: a detection, a close, or unusable (-1). */
static int add_detection(struct eval *e, const struct ejson_value *root, bool is_alert,
			 int64_t ts)
{
	const struct ejson *j = e->json;
	const struct ejson_value *inc = ejson_get(j, root, "incident");
	const struct ejson_value *st = ejson_get(j, inc, "status");
	const struct ejson_value *body = ejson_get(j, root, is_alert ? "alert" : "anomaly");
	const char *s;
	size_t n;
	bool closed = false;
	struct det d;

	memset(&d, 0, sizeof(d));
	if (dev_from(j, ejson_get(j, root, "device"), &d.dev) < 0)
		return -1;
	if ((s = ejson_string(j, ejson_get(j, inc, "id"), &n)) != NULL &&
	    parse_hex64(s, n, &d.incident) == 0)
		d.has_id = true;
	if (ejson_string_is(j, st, "opened"))
		d.status = DET_OPENED;
	else if (ejson_string_is(j, st, "escalated"))
		d.status = DET_ESCALATED;
	else if (!(closed = ejson_string_is(j, st, "closed")))
		return -1;
	if (d.dev.kind != EVAL_DEV_KEY)
		devset_add(e, &d.dev);
	if (closed) {
		if (!d.has_id)
			return 0; /* nothing to tie it to; harmless */
		if (e->nclose == e->close_cap) {
			void *p = e->nclose < EVAL_DETECTIONS_MAX
					  ? grow(e->close, &e->close_cap, sizeof(*e->close))
					  : NULL;
			if (p == NULL) {
				e->c.dropped++;
				return 0;
			}
			e->close = p;
		}
		e->close[e->nclose].incident = d.incident;
		e->close[e->nclose++].ts_us = ts;
		e->c.closes++;
		return 0;
	}
	d.ts_us = ts;
	copy_text(d.cause, sizeof(d.cause), j, ejson_get(j, inc, "cause"));
	if (d.cause[0] == '\0') {
		if (is_alert)
			copy_text(d.cause, sizeof(d.cause), j, ejson_get(j, body, "rule"));
		else
			snprintf(d.cause, sizeof(d.cause), "anomaly");
	}
	copy_text(d.severity, sizeof(d.severity), j, ejson_get(j, body, "severity"));
	if (e->ndet == e->det_cap) {
		void *p = e->ndet < EVAL_DETECTIONS_MAX ? grow(e->det, &e->det_cap, sizeof(*e->det))
							: NULL;
		if (p == NULL) {
			e->c.dropped++;
			return 0;
		}
		e->det = p;
	}
	e->det[e->ndet++] = d;
	e->c.detections++;
	if (d.status == DET_OPENED)
		e->c.opened++;
	return 0;
}

/* A parsed event; -1 when it is not one we can use. */
static int add_event(struct eval *e)
{
	const struct ejson *j = e->json;
	const struct ejson_value *root = ejson_root(j);
	const struct ejson_value *type = ejson_get(j, root, "event_type");
	const struct ejson_value *tsv = ejson_get(j, root, "timestamp");
	bool is_alert = ejson_string_is(j, type, "alert");
	bool is_det = is_alert || ejson_string_is(j, type, "anomaly");
	const char *s;
	size_t n;
	int64_t ts = 0;
	struct eval_dev d;

	if (root == NULL || root->type != EJSON_OBJECT || ejson_string(j, type, NULL) == NULL)
		return -1;
	/* Only detections need a time; other events without one do not widen the span. */
	if (tsv != NULL) {
		if ((s = ejson_string(j, tsv, &n)) == NULL || eval_time_parse(s, n, &ts) < 0)
			return -1;
	} else if (is_det) {
		return -1;
	}
	if (is_det && add_detection(e, root, is_alert, ts) < 0)
		return -1;
	if (ejson_string_is(j, type, "device") && dev_from(j, root, &d) == 0 &&
	    d.kind != EVAL_DEV_KEY)
		devset_add(e, &d);
	if (tsv != NULL) {
		if (e->c.timed == 0 || ts < e->c.first_us)
			e->c.first_us = ts;
		if (e->c.timed == 0 || ts > e->c.last_us)
			e->c.last_us = ts;
		e->c.timed++;
	}
	return 0;
}

void eval_add_line(struct eval *e, const char *line, size_t len)
{
	size_t i = 0;

	while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
		i++;
	if (i == len)
		return;
	e->c.lines++;
	if (len > EVAL_LINE_MAX)
		e->c.too_long++;
	else if (ejson_parse(e->json, line, len) < 0)
		e->c.malformed++;
	else if (add_event(e) < 0)
		e->c.unusable++;
	else
		e->c.events++;
}

int eval_read(struct eval *e, FILE *f, char *err, size_t errlen)
{
	size_t n = 0;
	bool too_long = false;

	if (e->line == NULL && (e->line = malloc(EVAL_LINE_MAX)) == NULL)
		return errf(err, errlen, "out of memory");
	for (;;) {
		int ch = getc_unlocked(f);

		if (ch == EOF || ch == '\n') {
			if (too_long) {
				e->c.lines++;
				e->c.too_long++;
			} else if (n > 0) {
				eval_add_line(e, e->line, n);
			}
			n = 0;
			too_long = false;
			if (ch == EOF)
				break;
		} else if (too_long) {
			continue; /* the rest of a line past the cap, read and dropped */
		} else if (n == EVAL_LINE_MAX) {
			too_long = true;
		} else {
			e->line[n++] = (char)ch;
		}
	}
	if (ferror(f))
		return errf(err, errlen, "read error: %s", strerror(errno));
	return 0;
}

/* ------------------------------------------------------------ scoring */

/* A labelled window, for the searches of the classification. */
struct win {
	struct eval_dev dev;
	int64_t start_us, end_us;
	int64_t end_max_us; /* the largest end up to this one (in its device run, or in all) */
};

static int cmp_i64(int64_t a, int64_t b)
{
	return a < b ? -1 : a > b;
}

static int cmp_close(const void *pa, const void *pb)
{
	const struct close_rec *a = pa, *b = pb;

	return a->incident != b->incident ? (a->incident < b->incident ? -1 : 1)
					  : cmp_i64(a->ts_us, b->ts_us);
}

static int cmp_det(const void *pa, const void *pb)
{
	const struct det *a = pa, *b = pb;
	int c = memcmp(&a->dev, &b->dev, sizeof(a->dev));

	if (c != 0)
		return c;
	if (a->ts_us != b->ts_us)
		return cmp_i64(a->ts_us, b->ts_us);
	return (int)a->status - (int)b->status; /* opened before escalated at one time */
}

static int cmp_win_dev(const void *pa, const void *pb)
{
	const struct win *a = pa, *b = pb;
	int c = memcmp(&a->dev, &b->dev, sizeof(a->dev));

	return c != 0 ? c : cmp_i64(a->start_us, b->start_us);
}

static int cmp_win_start(const void *pa, const void *pb)
{
	const struct win *a = pa, *b = pb;

	return cmp_i64(a->start_us, b->start_us);
}

static int cmp_i64p(const void *pa, const void *pb)
{
	return cmp_i64(*(const int64_t *)pa, *(const int64_t *)pb);
}

/*
 * When the incident of d closed: the first close of its id at or after
 * d; never (INT64_MAX) when the stream has none; d's own time when the
 * event had no id to tie it to.
 */
static int64_t close_time(const struct eval *e, const struct det *d)
{
	size_t lo = 0, hi = e->nclose;

	if (!d->has_id)
		return d->ts_us;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct close_rec *c = &e->close[mid];

		if (c->incident < d->incident || (c->incident == d->incident && c->ts_us < d->ts_us))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < e->nclose && e->close[lo].incident == d->incident ? e->close[lo].ts_us
								      : INT64_MAX;
}

/* [*lo, *hi): the detections of dev (sorted by device). */
static void det_range(const struct eval *e, const struct eval_dev *dev, size_t *lo, size_t *hi)
{
	size_t a = 0, b = e->ndet;

	while (a < b) {
		size_t mid = a + (b - a) / 2;

		if (memcmp(&e->det[mid].dev, dev, sizeof(*dev)) < 0)
			a = mid + 1;
		else
			b = mid;
	}
	*lo = a;
	for (b = e->ndet; a < b;) {
		size_t mid = a + (b - a) / 2;

		if (memcmp(&e->det[mid].dev, dev, sizeof(*dev)) <= 0)
			a = mid + 1;
		else
			b = mid;
	}
	*hi = a;
}

/* The first index in [lo, hi) of e->det with ts_us >= t. */
static size_t det_from(const struct eval *e, size_t lo, size_t hi, int64_t t)
{
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (e->det[mid].ts_us < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Number of v[0..n) (sorted) that are < t (strict) or <= t. */
static size_t count_before(const int64_t *v, size_t n, int64_t t, bool inclusive)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid] < t || (inclusive && v[mid] == t))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Scores one row; pm[i] is the latest close among the device's detections up to i. */
static void score_row(const struct eval *e, const int64_t *pm, const int64_t *opened_ts,
		      size_t nopened, int64_t tol, struct eval_row *row)
{
	const struct eval_label *l = row->label;
	int64_t until = l->end_us + tol;
	size_t lo, hi, i, all, own = 0;
	const struct det *hit = NULL;

	det_range(e, &l->dev, &lo, &hi);
	i = det_from(e, lo, hi, l->start_us);
	if (i > lo && pm[i - 1] >= l->start_us) {
		/* An incident opened before the attack was still open when it began. */
		size_t k = i;

		while (k-- > lo && e->det[k].close_us < l->start_us)
			;
		hit = &e->det[k];
		row->already_open = true;
		row->latency_us = 0;
	} else if (i < hi && e->det[i].ts_us <= until) {
		hit = &e->det[i];
		row->latency_us = hit->ts_us - l->start_us;
	}
	if (hit != NULL) {
		row->detected = true;
		memcpy(row->cause, hit->cause, sizeof(row->cause));
		memcpy(row->severity, hit->severity, sizeof(row->severity));
	}
	for (size_t k = i; k < hi && e->det[k].ts_us <= until; k++)
		own += e->det[k].status == DET_OPENED;
	all = count_before(opened_ts, nopened, until, true) -
	      count_before(opened_ts, nopened, l->start_us, false);
	row->collateral = all - own;
}

/*
 * The window index arrays: by (device, start) with the running largest
 * end inside each device's run, and by start with the running largest
 * end over all.  "Is t inside some window" is then one search each.
 */
static void windows_prepare(struct win *by_dev, struct win *by_start, size_t n)
{
	qsort(by_dev, n, sizeof(*by_dev), cmp_win_dev);
	qsort(by_start, n, sizeof(*by_start), cmp_win_start);
	for (size_t i = 0; i < n; i++) {
		bool run = i > 0 &&
			   memcmp(&by_dev[i].dev, &by_dev[i - 1].dev, sizeof(by_dev[i].dev)) == 0;

		by_dev[i].end_max_us = run && by_dev[i - 1].end_max_us > by_dev[i].end_us
					       ? by_dev[i - 1].end_max_us
					       : by_dev[i].end_us;
		by_start[i].end_max_us = i > 0 && by_start[i - 1].end_max_us > by_start[i].end_us
						 ? by_start[i - 1].end_max_us
						 : by_start[i].end_us;
	}
}

/* Some window of w[lo, hi) (sorted by start, end_max_us running from lo) holds t. */
static bool in_windows(const struct win *w, size_t lo, size_t hi, int64_t t, int64_t tol)
{
	size_t a = lo, b = hi;

	while (a < b) {
		size_t mid = a + (b - a) / 2;

		if (w[mid].start_us <= t)
			a = mid + 1;
		else
			b = mid;
	}
	return a > lo && w[a - 1].end_max_us + tol >= t;
}

/* Sorts out every "opened" detection: on target, collateral or false. */
static void classify_opened(const struct eval *e, const struct win *by_dev,
			    const struct win *by_start, size_t nwin, int64_t tol,
			    struct eval_result *r)
{
	size_t lo = 0, hi = 0;

	for (size_t i = 0; i < e->ndet; i++) {
		const struct det *d = &e->det[i];

		if (i == 0 || memcmp(&d->dev, &e->det[i - 1].dev, sizeof(d->dev)) != 0) {
			/* Detections and windows are both sorted by device: walk them together. */
			lo = hi;
			while (lo < nwin && memcmp(&by_dev[lo].dev, &d->dev, sizeof(d->dev)) < 0)
				lo++;
			hi = lo;
			while (hi < nwin && memcmp(&by_dev[hi].dev, &d->dev, sizeof(d->dev)) == 0)
				hi++;
		}
		if (d->status != DET_OPENED)
			continue;
		r->opened++;
		if (in_windows(by_dev, lo, hi, d->ts_us, tol))
			r->on_target++;
		else if (in_windows(by_start, 0, nwin, d->ts_us, tol))
			r->collateral++;
		else
			r->false_alerts++;
	}
}

static void latency_stats(struct eval_result *r, int64_t *lat)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n; i++)
		if (r->row[i].detected)
			lat[n++] = r->row[i].latency_us;
	r->detected = n;
	r->latency_median_s = r->latency_max_s = NAN;
	if (n == 0)
		return;
	qsort(lat, n, sizeof(*lat), cmp_i64p);
	r->latency_max_s = (double)lat[n - 1] / 1e6;
	r->latency_median_s = n % 2 ? (double)lat[n / 2] / 1e6
				    : ((double)lat[n / 2 - 1] + (double)lat[n / 2]) / 2e6;
}

int eval_score(struct eval *e, const struct eval_labels *l, int64_t tolerance_us,
	       struct eval_result *out, char *err, size_t errlen)
{
	struct eval_result r = { 0 };
	size_t nrow = l->n, nopened = 0;
	int64_t *pm = malloc((e->ndet + 1) * sizeof(*pm));
	int64_t *opened_ts = malloc((e->ndet + 1) * sizeof(*opened_ts));
	int64_t *lat = malloc((nrow + 1) * sizeof(*lat));
	struct win *by_dev = malloc((nrow + 1) * sizeof(*by_dev));
	struct win *by_start = malloc((nrow + 1) * sizeof(*by_start));
	int rc = -1;

	r.row = calloc(nrow + 1, sizeof(*r.row));
	if (!pm || !opened_ts || !lat || !by_dev || !by_start || !r.row) {
		errf(err, errlen, "out of memory");
		goto done;
	}
	/* qsort's base may not be NULL, even for 0 elements: nothing stored yet. */
	if (e->nclose > 1)
		qsort(e->close, e->nclose, sizeof(*e->close), cmp_close);
	for (size_t i = 0; i < e->ndet; i++)
		e->det[i].close_us = close_time(e, &e->det[i]);
	if (e->ndet > 1)
		qsort(e->det, e->ndet, sizeof(*e->det), cmp_det);
	for (size_t i = 0; i < e->ndet; i++) {
		const struct det *d = &e->det[i];
		bool run = i > 0 && memcmp(&d->dev, &e->det[i - 1].dev, sizeof(d->dev)) == 0;

		pm[i] = run && pm[i - 1] > d->close_us ? pm[i - 1] : d->close_us;
		if (d->status == DET_OPENED)
			opened_ts[nopened++] = d->ts_us;
	}
	qsort(opened_ts, nopened, sizeof(*opened_ts), cmp_i64p);
	for (size_t i = 0; i < nrow; i++) {
		const struct eval_label *lb = &l->row[i];

		by_dev[i] = (struct win){ lb->dev, lb->start_us, lb->end_us, lb->end_us };
		by_start[i] = by_dev[i];
		r.row[i].label = lb;
		score_row(e, pm, opened_ts, nopened, tolerance_us, &r.row[i]);
	}
	r.n = nrow;
	windows_prepare(by_dev, by_start, nrow);
	classify_opened(e, by_dev, by_start, nrow, tolerance_us, &r);
	latency_stats(&r, lat);
	r.devices = e->c.devices;
	r.span_s = e->c.timed > 0 ? (double)(e->c.last_us - e->c.first_us) / 1e6 : 0;
	r.device_days = (double)r.devices * r.span_s / 86400.0;
	r.false_per_100dd = r.device_days > 0 ? (double)r.false_alerts * 100.0 / r.device_days
					      : NAN;
	*out = r;
	r.row = NULL;
	rc = 0;
done:
	free(r.row);
	free(pm);
	free(opened_ts);
	free(lat);
	free(by_dev);
	free(by_start);
	return rc;
}

void eval_result_free(struct eval_result *r)
{
	if (r == NULL)
		return;
	free(r->row);
	r->row = NULL;
	r->n = 0;
}

int eval_check(const struct eval_result *r, const struct eval_limits *lim, char *why,
	       size_t len)
{
	if (lim->require_detected && r->detected < r->n)
		return errf(why, len, "%zu of %zu scenarios not detected", r->n - r->detected, r->n);
	if (lim->max_latency_s >= 0) {
		for (size_t i = 0; i < r->n; i++) {
			const struct eval_row *w = &r->row[i];

			if (!w->detected || (double)w->latency_us / 1e6 > lim->max_latency_s)
				return errf(why, len, "%s (line %u) %s %g s", w->label->scenario,
					    w->label->line,
					    w->detected ? "detected later than" : "not detected within",
					    lim->max_latency_s);
		}
	}
	if (lim->max_median_s >= 0 && r->n > 0 &&
	    (r->detected == 0 || r->latency_median_s > lim->max_median_s))
		return errf(why, len, "median latency %s %g s",
			    r->detected == 0 ? "undefined (nothing detected), limit" : "over",
			    lim->max_median_s);
	if (lim->max_false_per_100dd >= 0 && r->false_alerts > 0 &&
	    (r->device_days <= 0 || r->false_per_100dd > lim->max_false_per_100dd))
		return errf(why, len, "%" PRIu64 " false alerts: over %g per 100 device-days",
			    r->false_alerts, lim->max_false_per_100dd);
	return 0;
}
