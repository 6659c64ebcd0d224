/*
 * score-damped.c - damped incremental statistics at several time scales
 * (score-damped.h).
 *
 * Decay is applied lazily, at the next update or read, from the time of
 * the last update, so an idle stream costs nothing.  Times are packet
 * times in microseconds; the difference is taken in integers (exact)
 * before it becomes seconds.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "score-damped.h"

/* Below this weight a scale has forgotten everything: no mean, no sd. */
#define DAMPED_W_EMPTY 1e-9

#define EW_LN2 0.69314718055994530942 /* ln 2; M_LN2 is not ISO C */

/* Half-lives 0.2 s, 0.33 s, 1 s, 10 s, 100 s: a burst, a second, minutes. */
const double damped_lambda[DAMPED_NSCALES] = { 5.0, 3.0, 1.0, 0.1, 0.01 };

void damped_init(struct damped *d)
{
	memset(d, 0, sizeof(*d));
}

/* Seconds from the last update to t (0 if t is not later). */
static double since_s(const struct damped *d, ew_usec_t t)
{
	return t > d->last_us ? (double)(t - d->last_us) / (double)EW_USEC_PER_SEC : 0.0;
}

/*
 * 2^(-lambda * dt) for every scale.  This runs for every packet, and the
 * rates are chosen so that one exp2 call serves all five: with
 * u = 2^(-0.01 dt), 2^(-0.1 dt) = u^10 and 2^(-dt) = u^100, and 2^-3dt and
 * 2^-5dt are powers of that.  Past 64 s the three fast scales are taken
 * as fully decayed (2^-64 of any weight a packet rate can build is far
 * below DAMPED_W_EMPTY), which also keeps the products out of subnormal
 * numbers.  A burst of packets with the same time stamp (dt 0) needs no
 * call at all.
 */
static void decay_factors(double dt, double f[DAMPED_NSCALES])
{
	double u, u2, u5, one, two;

	_Static_assert(DAMPED_NSCALES == 5, "decay_factors() knows the five rates");
	if (dt <= 0) {
		for (unsigned i = 0; i < DAMPED_NSCALES; i++)
			f[i] = 1.0;
		return;
	}
	u = exp2(-0.01 * dt);
	u2 = u * u;
	u5 = u2 * u2 * u;
	f[4] = u;        /* lambda 0.01 */
	f[3] = u5 * u5;  /* lambda 0.1 */
	if (dt > 64.0) {
		f[0] = f[1] = f[2] = 0.0;
		return;
	}
	one = f[3] * f[3];
	one = one * one * f[3];
	one = one * one;   /* u^100 */
	two = one * one;
	f[0] = two * two * one; /* lambda 5 */
	f[1] = two * one;       /* lambda 3 */
	f[2] = one;             /* lambda 1 */
}

static double clamp_x(double x)
{
	return x > DAMPED_X_MAX ? DAMPED_X_MAX : x < -DAMPED_X_MAX ? -DAMPED_X_MAX : x;
}

static void apply(struct damped *d, const double f[DAMPED_NSCALES], ew_usec_t ts, double x)
{
	for (unsigned i = 0; i < DAMPED_NSCALES; i++) {
		d->w[i] = d->w[i] * f[i] + 1.0;
		d->ls[i] = d->ls[i] * f[i] + x;
		d->ss[i] = d->ss[i] * f[i] + x * x;
	}
	if (ts > d->last_us)
		d->last_us = ts;
}

void damped_update(struct damped *d, ew_usec_t ts, double x)
{
	double f[DAMPED_NSCALES];

	if (!isfinite(x))
		return;
	decay_factors(since_s(d, ts), f);
	apply(d, f, ts, clamp_x(x));
}

void damped_update2(struct damped *a, double xa, struct damped *b, double xb, ew_usec_t ts)
{
	double f[DAMPED_NSCALES];

	if (a->last_us != b->last_us || !isfinite(xa) || !isfinite(xb)) {
		damped_update(a, ts, xa);
		damped_update(b, ts, xb);
		return;
	}
	decay_factors(since_s(a, ts), f);
	apply(a, f, ts, clamp_x(xa));
	apply(b, f, ts, clamp_x(xb));
}

void damped_read(const struct damped *d, ew_usec_t now, unsigned i, double *weight, double *mean,
		 double *sd)
{
	double w = 0.0, m = 0.0, s = 0.0;

	if (i < DAMPED_NSCALES) {
		w = d->w[i] * exp2(-damped_lambda[i] * since_s(d, now));
		if (w >= DAMPED_W_EMPTY) {
			/* Decay scales the three sums alike: the ratios need no decay. */
			m = d->ls[i] / d->w[i];
			double var = d->ss[i] / d->w[i] - m * m;

			s = var > 0.0 ? sqrt(var) : 0.0; /* rounding can make it -0.0001 */
		}
	}
	if (weight != NULL)
		*weight = w;
	if (mean != NULL)
		*mean = m;
	if (sd != NULL)
		*sd = s;
}

double damped_rate(const struct damped *d, ew_usec_t now, unsigned i)
{
	double w;

	if (i >= DAMPED_NSCALES)
		return 0.0;
	damped_read(d, now, i, &w, NULL, NULL);
	return w * damped_lambda[i] * EW_LN2;
}

/* ------------------------------------------------------------ pairs */

void damped_pairs_init(struct damped_pairs *dp)
{
	memset(dp, 0, sizeof(*dp));
}

struct damped_pair *damped_pairs_find(struct damped_pairs *dp, uint64_t key)
{
	for (unsigned i = 0; i < dp->n && i < DAMPED_PAIRS; i++)
		if (dp->p[i].key == key)
			return &dp->p[i];
	return NULL;
}

struct damped_pair *damped_pairs_get(struct damped_pairs *dp, uint64_t key, ew_usec_t ts)
{
	struct damped_pair *p = damped_pairs_find(dp, key);

	if (p != NULL) {
		if (ts > p->last_us)
			p->last_us = ts;
		return p;
	}
	if (dp->n < DAMPED_PAIRS) {
		p = &dp->p[dp->n++];
	} else {
		/* Full: the pair idle longest makes room (first of equals). */
		p = &dp->p[0];
		for (unsigned i = 1; i < DAMPED_PAIRS; i++)
			if (dp->p[i].last_us < p->last_us)
				p = &dp->p[i];
		if (dp->replaced < UINT32_MAX)
			dp->replaced++;
	}
	p->key = key;
	damped_init(&p->size);
	damped_init(&p->gap);
	p->last_us = ts;
	return p;
}
