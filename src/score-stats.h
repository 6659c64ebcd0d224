/*
 * score-stats.h - exponentially weighted statistics of one numeric
 * feature, and a one-step forecaster (Holt's linear method).
 *
 * Both are plain structs of numbers (no pointers), O(1) per sample, so a
 * baseline can hold one per feature, save it to disk and read it back.
 *
 * Hostile or broken input never poisons the state: a NaN or infinite
 * sample is ignored (the call changes nothing), a finite sample is
 * clamped to +-EW_STAT_X_MAX so that squares stay far from overflow, and
 * smoothing factors are clamped to [0, 1] (NaN counts as 0).  No
 * function ever stores a NaN or infinity, whatever its arguments.
 */
#ifndef EW_SCORE_STATS_H
#define EW_SCORE_STATS_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Largest magnitude of a sample.  1e15 bytes is a petabyte per bin: no
 * counter a device produces gets there, and its square (1e30) leaves the
 * variance 278 orders of magnitude of headroom.
 */
#define EW_STAT_X_MAX 1e15

/*
 * Smallest weight a sample of ew_stat ever gets (alpha below it is raised
 * to it): the plain-average start-up then ends after at most 1e9 samples,
 * before the 32-bit count saturates.
 */
#define EW_STAT_ALPHA_MIN 1e-9

/* Smallest divisor of a z-score. */
#define EW_STAT_MIN_SPREAD 1e-9

/* Normal distributions: sd = sqrt(pi/2) * mean absolute deviation. */
#define EW_MAD_TO_SD 1.2533141373155003

/* Exponentially weighted mean, variance and mean absolute deviation of one feature. */
struct ew_stat {
	double mean, var, mad; /* mad: EW mean of |x - mean| (before the update) */
	uint32_t n;            /* samples folded in, saturating */
};

void ew_stat_init(struct ew_stat *s); /* empty: n = 0, mean = var = mad = 0 */

/*
 * n = 0 but mean = mean, var = spread^2, mad = spread / EW_MAD_TO_SD (the
 * mad of a normal with that sd), so that ew_stat_spread() and ew_stat_z()
 * answer from the prior before any sample.  A non-finite or negative
 * spread counts as 0.  The first sample replaces the prior's mean; the
 * prior's var and mad then count as one sample's worth of spread (see
 * ew_stat_add), so they fade as data comes in.
 */
void ew_stat_init_prior(struct ew_stat *s, double mean, double spread);

/*
 * Folds in x.  The weight of the new sample is max(alpha, 1/(n+1)): the first
 * samples are averaged plainly (no start-up bias from a zero or prior
 * mean), later ones weighted alpha.
 *
 * With w that weight and d = x - mean:
 *   mad  <- mad + w (|d| - mad)
 *   mean <- mean + w d
 *   var  <- (1 - w) (var + w d^2)
 * which for w = 1/(n+1) is exactly the population variance of the samples.
 * The first sample (n = 0, w = 1) sets mean = x and leaves var and mad as
 * they were (0, or the prior's): with no mean before it, it carries no
 * deviation.  So after 2, 4, 6 with alpha 0.5: mean 4.5, var 2.75, mad 2
 * (worked in tests/test-score.c).
 */
void ew_stat_add(struct ew_stat *s, double x, double alpha);

/*
 * Folds in k samples of 0 (a device silent for k bins) in O(1) for any k.
 * The result equals k calls of ew_stat_add(s, 0, alpha): mean and var by
 * closed forms that are exact up to rounding (relative 1e-12); mad exactly
 * once the weights have reached alpha, and within 1e-9 relative during the
 * plain-average start-up, where it needs a harmonic sum (computed with the
 * digamma function's asymptotic series).
 */
void ew_stat_add_zeros(struct ew_stat *s, uint32_t k, double alpha);

/*
 * Robust spread: max(EW_MAD_TO_SD * mad, sqrt(var) / 4).
 *
 * The mad is the estimate: one huge bin moves it by w*|d| where it moves
 * the variance by w*d^2, so a single past spike does not blind the scorer
 * to the next.  The floor at a quarter of the standard deviation is for
 * features that are near-constant with rare legitimate bursts (0 in 999
 * bins of 1000, then 1 MB): their mad is tiny and every burst would score
 * in the hundreds; the floor caps that at four times the z the variance
 * would give, while never binding for normal-ish data (where 1.25 mad ==
 * sd).  0 for an empty or perfectly constant statistic.
 */
double ew_stat_spread(const struct ew_stat *s);

/*
 * (x - mean) / max(spread, min_spread); min_spread > 0 guards a perfectly
 * regular device.  x is clamped like a sample (NaN gives 0); a min_spread
 * below EW_STAT_MIN_SPREAD, NaN or infinite counts as EW_STAT_MIN_SPREAD,
 * so |z| <= 2e15 / 1e-9 = 2e24, always finite.
 */
double ew_stat_z(const struct ew_stat *s, double x, double min_spread);

/*
 * alpha that halves a sample's weight after half_life samples:
 * 1 - 2^(-1/half_life).  half_life <= 0 or NaN gives 1 (no memory);
 * +inf gives EW_STAT_ALPHA_MIN.
 */
double ew_alpha_for_half_life(double half_life);

/*
 * Holt's double exponential smoothing with an explicit warm-up: it does
 * not answer until it has seen `warmup` samples (nDPI 4.2's DES helper
 * folds the current value into its own forecast and answers after one
 * sample; this one forecasts BEFORE seeing the value it is judged on).
 *
 * The first sample sets the level, the second sets the trend (x2 - x1);
 * from the third on each sample is first compared with the forecast
 * level + trend (the error goes into resid_mad, with weight
 * max(alpha, 1/errors so far)) and then folded in:
 *   level' = alpha x + (1 - alpha) (level + trend)
 *   trend' = beta (level' - level) + (1 - beta) trend
 * A straight line is therefore forecast exactly, with spread 0, from the
 * third sample on.  level and trend are clamped to +-EW_STAT_X_MAX * 1e3.
 */
struct holt {
	double level, trend;
	double resid_mad; /* EW mean |x - forecast| of past one-step errors */
	uint32_t n;       /* samples folded in, saturating */
};

void holt_init(struct holt *h);

/*
 * false during warm-up (n < warmup, or no sample at all); else the
 * forecast of the next sample (level + trend) and its spread
 * (EW_MAD_TO_SD * resid_mad).  Either output pointer may be NULL.
 */
bool holt_forecast(const struct holt *h, uint32_t warmup, double *forecast, double *spread);

/* Folds in the sample that followed the last forecast. */
void holt_update(struct holt *h, double x, double alpha, double beta);

#endif /* EW_SCORE_STATS_H */
