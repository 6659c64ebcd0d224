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
#include <stdbool.h>
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

/*
 * Decays and adds one observation.  Written out per scale rather than as
 * a loop: the compiler then pairs the scales into vector instructions
 * (this runs several times per packet).
 */
static void apply(struct damped *restrict d, const double *restrict f, ew_usec_t ts, double x)
{
	double xx = x * x;

	_Static_assert(DAMPED_NSCALES == 5, "apply() knows five scales");
	d->w[0] = d->w[0] * f[0] + 1.0;
	d->w[1] = d->w[1] * f[1] + 1.0;
	d->w[2] = d->w[2] * f[2] + 1.0;
	d->w[3] = d->w[3] * f[3] + 1.0;
	d->w[4] = d->w[4] * f[4] + 1.0;
	d->ls[0] = d->ls[0] * f[0] + x;
	d->ls[1] = d->ls[1] * f[1] + x;
	d->ls[2] = d->ls[2] * f[2] + x;
	d->ls[3] = d->ls[3] * f[3] + x;
	d->ls[4] = d->ls[4] * f[4] + x;
	d->ss[0] = d->ss[0] * f[0] + xx;
	d->ss[1] = d->ss[1] * f[1] + xx;
	d->ss[2] = d->ss[2] * f[2] + xx;
	d->ss[3] = d->ss[3] * f[3] + xx;
	d->ss[4] = d->ss[4] * f[4] + xx;
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
		double dt = since_s(d, now);

		/* Read right after an update (the usual case): no decay, no exp2. */
		w = dt > 0 ? d->w[i] * exp2(-damped_lambda[i] * dt) : d->w[i];
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
	double w, dt;

	if (i >= DAMPED_NSCALES)
		return 0.0;
	/* The weight alone (this runs for every packet): no mean, no square root. */
	dt = since_s(d, now);
	w = dt > 0 ? d->w[i] * exp2(-damped_lambda[i] * dt) : d->w[i];
	return w * damped_lambda[i] * EW_LN2;
}

/* ------------------------------------------------------------ pairs */

void damped_pairs_init(struct damped_pairs *dp)
{
	memset(dp, 0, sizeof(*dp));
}

/* The slot of key, or -1. */
static int pair_slot(const struct damped_pairs *dp, uint64_t key)
{
	for (unsigned i = 0; i < dp->n && i < DAMPED_PAIRS; i++)
		if (dp->key[i] == key)
			return (int)i;
	return -1;
}

struct damped_pair *damped_pairs_find(struct damped_pairs *dp, uint64_t key)
{
	int i = pair_slot(dp, key);

	return i >= 0 ? &dp->p[i] : NULL;
}

struct damped_pair *damped_pairs_get(struct damped_pairs *dp, uint64_t key)
{
	int i = pair_slot(dp, key);
	unsigned v;

	if (i >= 0)
		return &dp->p[i];
	if (dp->n < DAMPED_PAIRS) {
		v = dp->n++;
	} else {
		/* Full: the pair idle longest makes room (first of equals). */
		v = 0;
		for (unsigned k = 1; k < DAMPED_PAIRS; k++)
			if (dp->p[k].last_us < dp->p[v].last_us)
				v = k;
		if (dp->replaced < UINT32_MAX)
			dp->replaced++;
	}
	dp->key[v] = key;
	memset(&dp->p[v], 0, sizeof(dp->p[v]));
	return &dp->p[v];
}

/* ------------------------------------------------------- one pair */

const double damped_pair_lambda[DAMPED_PAIR_NSCALES] = { 5.0, 1.0, 0.01 };

/* 2^(-lambda dt) for the pair's three rates from one exp2, as decay_factors() does. */
static void pair_factors(double dt, double f[DAMPED_PAIR_NSCALES])
{
	double u, u2, u5, u10, one;

	_Static_assert(DAMPED_PAIR_NSCALES == 3, "pair_factors() knows the three rates");
	if (dt <= 0) {
		f[0] = f[1] = f[2] = 1.0;
		return;
	}
	u = exp2(-0.01 * dt);
	f[2] = u;
	if (dt > 64.0) {
		f[0] = f[1] = 0.0;
		return;
	}
	u2 = u * u;
	u5 = u2 * u2 * u;
	u10 = u5 * u5;
	one = u10 * u10;        /* u^20 */
	one = one * one * u10;  /* u^50 */
	one = one * one;        /* u^100: lambda 1 */
	f[1] = one;
	u2 = one * one;
	f[0] = u2 * u2 * one;   /* lambda 5 */
}

/*
 * One scale's six sums decayed by f, plus add.  Written out: the compiler
 * pairs the six into three vector multiply-adds (a loop here costs three
 * times as many instructions, and this runs for every packet).
 */
static inline void pair_row(double *restrict sum, double f, const double *restrict add)
{
	_Static_assert(DPS_COUNT == 6, "pair_row() knows six sums");
	sum[0] = sum[0] * f + add[0];
	sum[1] = sum[1] * f + add[1];
	sum[2] = sum[2] * f + add[2];
	sum[3] = sum[3] * f + add[3];
	sum[4] = sum[4] * f + add[4];
	sum[5] = sum[5] * f + add[5];
}

void damped_pair_update(struct damped_pair *restrict p, ew_usec_t ts, double size)
{
	double f[DAMPED_PAIR_NSCALES], add[DPS_COUNT], gap;
	bool has_gap = p->last_us != 0;

	if (!isfinite(size))
		return;
	size = clamp_x(size);
	gap = has_gap && ts > p->last_us ? (double)(ts - p->last_us) / (double)EW_USEC_PER_SEC
					 : 0.0;
	pair_factors(gap, f);
	add[DPS_W] = 1.0;
	add[DPS_LS] = size;
	add[DPS_SS] = size * size;
	add[DPS_GW] = has_gap ? 1.0 : 0.0;
	add[DPS_GLS] = gap;
	add[DPS_GSS] = gap * gap;
	pair_row(p->s[0], f[0], add);
	pair_row(p->s[1], f[1], add);
	pair_row(p->s[2], f[2], add);
	if (ts > p->last_us)
		p->last_us = ts;
}

double damped_pair_rate(const struct damped_pair *p, ew_usec_t now, unsigned i)
{
	double dt;

	if (i >= DAMPED_PAIR_NSCALES)
		return 0.0;
	dt = now > p->last_us ? (double)(now - p->last_us) / (double)EW_USEC_PER_SEC : 0.0;
	/* Read right after an update (every packet): no decay, no exp2. */
	return (dt > 0 ? p->s[i][DPS_W] * exp2(-damped_pair_lambda[i] * dt) : p->s[i][DPS_W]) *
	       damped_pair_lambda[i] * EW_LN2;
}

/* Mean and sd of a damped sum pair (0, 0 below the empty weight). */
static void mean_sd(double w, double ls, double ss, double *mean, double *sd)
{
	double m, var;

	if (!(w >= DAMPED_W_EMPTY)) {
		*mean = *sd = 0.0;
		return;
	}
	m = ls / w;
	var = ss / w - m * m;
	*mean = m;
	*sd = var > 0.0 ? sqrt(var) : 0.0;
}

void damped_pair_read(const struct damped_pair *p, ew_usec_t now, unsigned i,
		      struct damped_pair_view *v)
{
	double dt, decay;

	memset(v, 0, sizeof(*v));
	if (i >= DAMPED_PAIR_NSCALES || p->last_us == 0)
		return;
	dt = now > p->last_us ? (double)(now - p->last_us) / (double)EW_USEC_PER_SEC : 0.0;
	decay = dt > 0 ? exp2(-damped_pair_lambda[i] * dt) : 1.0;
	/* Decay scales sums and weights alike: means and sds need none. */
	const double *sum = p->s[i];

	v->rate = sum[DPS_W] * decay * damped_pair_lambda[i] * EW_LN2;
	mean_sd(sum[DPS_W] * decay, sum[DPS_LS] * decay, sum[DPS_SS] * decay, &v->size_mean,
		&v->size_sd);
	mean_sd(sum[DPS_GW] * decay, sum[DPS_GLS] * decay, sum[DPS_GSS] * decay, &v->gap_mean,
		&v->gap_sd);
}
