/*
 * eval-score.c - scoring what eval-events.c read against the labels
 * (rules in eval.h and docs/detection.md).  The records are sorted once
 * and every question is then a binary search, so neither a long capture
 * nor many labels makes scoring quadratic.
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eval-private.h"

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
		eval_errf(err, errlen, "out of memory");
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
		return eval_errf(why, len, "%zu of %zu scenarios not detected", r->n - r->detected,
				 r->n);
	if (lim->max_latency_s >= 0) {
		for (size_t i = 0; i < r->n; i++) {
			const struct eval_row *w = &r->row[i];

			if (!w->detected || (double)w->latency_us / 1e6 > lim->max_latency_s)
				return eval_errf(
					why, len, "%s (line %u) %s %g s", w->label->scenario,
					w->label->line,
					w->detected ? "detected later than" : "not detected within",
					lim->max_latency_s);
		}
	}
	if (lim->max_median_s >= 0 && r->n > 0 &&
	    (r->detected == 0 || r->latency_median_s > lim->max_median_s))
		return eval_errf(why, len, "median latency %s %g s",
				 r->detected == 0 ? "undefined (nothing detected), limit" : "over",
				 lim->max_median_s);
	if (lim->max_false_per_100dd >= 0 && r->false_alerts > 0 &&
	    (r->device_days <= 0 || r->false_per_100dd > lim->max_false_per_100dd))
		return eval_errf(why, len, "%" PRIu64 " false alerts: over %g per 100 device-days",
				 r->false_alerts, lim->max_false_per_100dd);
	return 0;
}
