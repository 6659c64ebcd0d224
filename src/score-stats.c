/*
 * score-stats.c - exponentially weighted statistics and Holt's forecaster
 * (score-stats.h).
 *
 * Every update is written in error-correction form (old + w * (new - old))
 * rather than as a weighted sum (w * new + (1 - w) * old): the two agree
 * in exact arithmetic, but only the first leaves a value that is already
 * right exactly unchanged in floating point, which is what lets a
 * straight line be forecast exactly and a constant feature keep a spread
 * of exactly 0.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "score-stats.h"

#define EW_LN2 0.69314718055994530942 /* ln 2; M_LN2 is not ISO C */

/* Holt's level and trend never leave this range (a trend could otherwise
 * walk off with alpha = 0, one step per sample). */
#define HOLT_LIMIT (EW_STAT_X_MAX * 1e3)

/* Harmonic sums of fewer terms than this are added up term by term. */
#define HARMONIC_DIRECT_MAX 64

static double clamp(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* A smoothing factor in [0, 1]; NaN counts as 0. */
static double clamp01(double a)
{
	if (!(a >= 0.0)) /* also NaN */
		return 0.0;
	return a > 1.0 ? 1.0 : a;
}

static double stat_alpha(double alpha)
{
	double a = clamp01(alpha);

	return a < EW_STAT_ALPHA_MIN ? EW_STAT_ALPHA_MIN : a;
}

static uint32_t sat_add32(uint32_t n, uint32_t k)
{
	return n > UINT32_MAX - k ? UINT32_MAX : n + k;
}

/* Weight of the sample that follows n >= 1 samples: max(a, 1/(n+1)). */
static double stat_weight(uint32_t n, double a)
{
	double plain = 1.0 / ((double)n + 1.0);

	return plain > a ? plain : a;
}

/* ------------------------------------------------------------ ew_stat */

void ew_stat_init(struct ew_stat *s)
{
	memset(s, 0, sizeof(*s));
}

void ew_stat_init_prior(struct ew_stat *s, double mean, double spread)
{
	ew_stat_init(s);
	if (isfinite(mean))
		s->mean = clamp(mean, -EW_STAT_X_MAX, EW_STAT_X_MAX);
	if (isfinite(spread) && spread > 0.0) {
		spread = clamp(spread, 0.0, EW_STAT_X_MAX);
		s->var = spread * spread;
		s->mad = spread / EW_MAD_TO_SD;
	}
}

void ew_stat_add(struct ew_stat *s, double x, double alpha)
{
	if (!isfinite(x))
		return;
	x = clamp(x, -EW_STAT_X_MAX, EW_STAT_X_MAX);
	if (s->n == 0) {
		/* No mean before it, so no deviation: var and mad stay. */
		s->mean = x;
		s->n = 1;
		return;
	}
	double w = stat_weight(s->n, stat_alpha(alpha));
	double d = x - s->mean;

	s->mad += w * (fabs(d) - s->mad);
	s->mean += w * d;
	s->var = (1.0 - w) * (s->var + w * d * d);
	s->n = sat_add32(s->n, 1);
}

/* r(x) with psi(x) = ln x + r(x) for x >= 6: the asymptotic series, error < 1e-11. */
static double digamma_rest(double x)
{
	double x2 = 1.0 / (x * x);

	return -0.5 / x - x2 * (1.0 / 12 - x2 * (1.0 / 120 - x2 / 252));
}

/* sum_{j=a}^{b-1} 1/j for 1 <= a <= b, without cancellation. */
static double harmonic_range(double a, double b)
{
	double h = 0.0;

	if (b - a <= HARMONIC_DIRECT_MAX) {
		for (double j = a; j < b; j++)
			h += 1.0 / j;
		return h;
	}
	for (; a < 6.0 && a < b; a++)
		h += 1.0 / a;
	/* psi(b) - psi(a), with the logarithms' difference taken as one log1p. */
	return h + log1p((b - a) / a) + (digamma_rest(b) - digamma_rest(a));
}

/*
 * k zeros from n >= 1 while the weights are 1/(n+1): the samples so far
 * and m zeros averaged plainly.  With p = n/(n+m):
 *   mean' = p mean
 *   var'  = p var + p (1-p) mean^2        (population variance of the union)
 *   mad'  = p (mad + |mean| (H(n+m-1) - H(n-1)))
 * the last because (j+1) mad_{j+1} = j mad_j + |mean_j| with mean_j = mean n/j.
 */
static void zeros_plain(struct ew_stat *s, uint32_t m)
{
	double n0 = (double)s->n;
	double p = n0 / (n0 + (double)m);
	double m0 = s->mean;

	s->mad = p * (s->mad + fabs(m0) * harmonic_range(n0, n0 + (double)m));
	s->var = p * s->var + p * (1.0 - p) * m0 * m0;
	s->mean = p * m0;
	s->n = sat_add32(s->n, m);
}

/*
 * r zeros at constant weight a, q = (1-a)^r:
 *   mean' = q mean
 *   var'  = q (var + mean^2 (1 - q))
 *   mad'  = q mad + r a (1-a)^(r-1) |mean|
 * (sum the geometric series of var_{j+1} = (1-a)(var_j + a mean_j^2) and
 * mad_{j+1} = (1-a) mad_j + a |mean_j| with mean_j = (1-a)^j mean).
 */
static void zeros_alpha(struct ew_stat *s, uint32_t r, double a)
{
	double q, q1;

	if (a >= 1.0) {
		q = 0.0;
		q1 = r == 1 ? 1.0 : 0.0;
	} else {
		double l = log1p(-a); /* exact for tiny a, where 1 - a is not */
		q = exp((double)r * l);
		q1 = exp((double)(r - 1) * l);
	}
	double m0 = s->mean;

	s->mad = q * s->mad + (double)r * a * q1 * fabs(m0);
	s->var = q * (s->var + m0 * m0 * (1.0 - q));
	s->mean = q * m0;
	s->n = sat_add32(s->n, r);
}

void ew_stat_add_zeros(struct ew_stat *s, uint32_t k, double alpha)
{
	double a = stat_alpha(alpha);

	if (k == 0)
		return;
	if (s->n == 0) {
		ew_stat_add(s, 0.0, a);
		k--;
	}
	/*
	 * The plain phase lasts while 1/(n+1) > a, i.e. up to the first n >=
	 * 1/a - 1; a >= 1e-9 puts that below 1e9, short of saturation.  The
	 * estimate is nudged to agree with stat_weight()'s own comparison in
	 * floating point, so that this matches k single adds.
	 */
	double c = ceil(1.0 / a - 1.0);
	uint32_t end = c < (double)s->n ? s->n : (uint32_t)c;

	while (end > s->n && !(1.0 / (double)end > a))
		end--;
	while (1.0 / ((double)end + 1.0) > a)
		end++;
	uint32_t plain = end - s->n;

	if (plain > k)
		plain = k;
	if (plain > 0)
		zeros_plain(s, plain);
	if (k > plain)
		zeros_alpha(s, k - plain, a);
}

double ew_stat_spread(const struct ew_stat *s)
{
	double robust = EW_MAD_TO_SD * s->mad;
	double floor_sd = sqrt(s->var > 0.0 ? s->var : 0.0) / 4.0;

	return robust > floor_sd ? robust : floor_sd;
}

double ew_stat_z(const struct ew_stat *s, double x, double min_spread)
{
	if (isnan(x))
		return 0.0;
	x = clamp(x, -EW_STAT_X_MAX, EW_STAT_X_MAX); /* +-inf too */
	/* Below 1e-9 a z could overflow: 2e15 / 1e-300 is infinite. */
	if (!(min_spread >= EW_STAT_MIN_SPREAD) || !isfinite(min_spread))
		min_spread = EW_STAT_MIN_SPREAD;
	double sp = ew_stat_spread(s);

	return (x - s->mean) / (sp > min_spread ? sp : min_spread);
}

double ew_alpha_for_half_life(double half_life)
{
	if (!(half_life > 0.0))
		return 1.0;
	/* 1 - 2^(-1/h) = -expm1(-ln2 / h), exact for long half-lives. */
	double a = -expm1(-EW_LN2 / half_life);

	return a < EW_STAT_ALPHA_MIN ? EW_STAT_ALPHA_MIN : a;
}

/* ------------------------------------------------------------ holt */

void holt_init(struct holt *h)
{
	memset(h, 0, sizeof(*h));
}

bool holt_forecast(const struct holt *h, uint32_t warmup, double *forecast, double *spread)
{
	if (h->n == 0 || h->n < warmup)
		return false;
	if (forecast != NULL)
		*forecast = h->level + h->trend;
	if (spread != NULL)
		*spread = EW_MAD_TO_SD * h->resid_mad;
	return true;
}

void holt_update(struct holt *h, double x, double alpha, double beta)
{
	if (!isfinite(x))
		return;
	x = clamp(x, -EW_STAT_X_MAX, EW_STAT_X_MAX);
	if (h->n == 0) {
		h->level = x;
		h->trend = 0.0;
		h->n = 1;
		return;
	}
	if (h->n == 1) {
		h->trend = x - h->level;
		h->level = x;
		h->n = 2;
		return;
	}
	double a = clamp01(alpha), b = clamp01(beta);
	double f = h->level + h->trend;
	double e = x - f;
	/* Error number n - 1: the first is averaged with weight 1. */
	double w = 1.0 / (double)(h->n - 1);

	if (w < a)
		w = a;
	h->resid_mad += w * (fabs(e) - h->resid_mad);

	double level = clamp(f + a * e, -HOLT_LIMIT, HOLT_LIMIT);

	h->trend = clamp(h->trend + b * ((level - h->level) - h->trend), -HOLT_LIMIT, HOLT_LIMIT);
	h->level = level;
	h->n = sat_add32(h->n, 1);
}
