/*
 * eval-events.c - reading edgewatch's event lines for the evaluator (see
 * eval.h): each line is parsed, reduced to compact records (detections,
 * closes, a set of devices) and forgotten, so an event file of any size
 * costs memory only for what is kept, and that has caps.  Malformed lines
 * are counted, never fatal.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval-json.h"
#include "eval-private.h"
#include "util-hash.h"

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
		return eval_parse_mac(d, s, n);
	if ((s = ejson_string(j, ip, &n)) != NULL)
		return eval_parse_ip(d, s, n);
	if ((s = ejson_string(j, key, &n)) == NULL || eval_parse_hex64(s, n, &k) < 0)
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
	    eval_parse_hex64(s, n, &d.incident) == 0)
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
		return eval_errf(err, errlen, "out of memory");
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
		return eval_errf(err, errlen, "read error: %s", strerror(errno));
	return 0;
}

