/*
 * test-score.c - unit tests of the numeric building blocks of
 * behavioural scoring: util-hash.c, score-stats.c, score-damped.c,
 * score-periodic.c and util-sketch.c.
 *
 * Expected values are worked out by hand in the comments next to them.
 * Where a result is a closed form over many steps (k silent bins, a
 * steady stream), the test compares it with the step-by-step definition
 * and says why the tolerance is what it is.  Every module also gets a
 * table of hostile inputs (NaN, infinities, huge and negative values,
 * time running backwards) after which no state may hold a NaN or an
 * infinity.  Random inputs come from a fixed-seed xorshift generator, so
 * every run sees the same numbers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <string.h>

#include "score-damped.h"
#include "score-periodic.h"
#include "score-stats.h"
#include "util-hash.h"
#include "util-sketch.h"

#define SEC 1000000ULL                   /* microseconds */
#define T0 (1700000000ULL * SEC)         /* a realistic packet time */

/* ------------------------------------------------------------ helpers */

static void near(double got, double want, double tol, const char *what)
{
	if (!(fabs(got - want) <= tol))
		fail_msg("%s: got %.17g, want %.17g +- %g", what, got, want, tol);
}

/* Relative comparison, with an absolute floor for values near 0. */
static void near_rel(double got, double want, double rel, const char *what)
{
	double tol = rel * fmax(fabs(want), 1e-300);

	if (!(fabs(got - want) <= tol))
		fail_msg("%s: got %.17g, want %.17g (rel %g)", what, got, want, rel);
}

static uint64_t rng_state = 0x9d2c5680a5c3e1f7ULL;

static void rng_seed(uint64_t s)
{
	rng_state = s != 0 ? s : 1;
}

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Uniform in [0, 1). */
static double rng_unit(void)
{
	return (double)(rng() >> 11) / 9007199254740992.0;
}

static void stat_finite(const struct ew_stat *s)
{
	assert_true(isfinite(s->mean));
	assert_true(isfinite(s->var));
	assert_true(isfinite(s->mad));
	assert_true(s->var >= 0.0);
	assert_true(s->mad >= 0.0);
	assert_true(isfinite(ew_stat_spread(s)));
}

static void holt_finite(const struct holt *h)
{
	assert_true(isfinite(h->level));
	assert_true(isfinite(h->trend));
	assert_true(isfinite(h->resid_mad));
	assert_true(h->resid_mad >= 0.0);
}

static void damped_finite(const struct damped *d)
{
	for (unsigned i = 0; i < DAMPED_NSCALES; i++) {
		assert_true(isfinite(d->w[i]));
		assert_true(isfinite(d->ls[i]));
		assert_true(isfinite(d->ss[i]));
	}
}

/* ------------------------------------------------------------ hash */

/*
 * The values are pinned: baselines saved to disk hold these hashes, so a
 * change here breaks every saved baseline (util-hash.h).  The properties
 * below are checked independently of the pinned numbers.
 */
static void test_hash_pinned(void **state)
{
	(void)state;
	assert_true(ew_hash64(NULL, 0, 0) == 0xb89fd513c3285150ULL);
	assert_true(ew_hash64("edgewatch", 9, 0) == 0xfe553f7efeeba5e8ULL);
	assert_true(ew_hash64("edgewatch", 9, 1) == 0x12e5dfccf921a512ULL);
	assert_true(ew_hash64("api.example.com:443", 19, 0x5eed) == 0xac4f7d0f02e97b9dULL);
	assert_true(ew_hash64_u64(0x0123456789abcdefULL, 7) == 0x832260b2eea84315ULL);
}

static void test_hash_properties(void **state)
{
	/* ew_hash64_u64 is the hash of the little-endian bytes, on any host. */
	static const uint8_t le[8] = { 0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01 };
	char buf[40] = "0123456789abcdefghijklmnopqrstuvwxyzABC";

	(void)state;
	assert_true(ew_hash64_u64(0x0123456789abcdefULL, 7) == ew_hash64(le, 8, 7));
	/* Length is part of the input: "a" and "a\0" differ, as do "" and "\0". */
	assert_true(ew_hash64("a", 1, 0) != ew_hash64("a\0", 2, 0));
	assert_true(ew_hash64("", 0, 0) != ew_hash64("\0", 1, 0));
	assert_true(ew_hash64("x", 1, 0) != ew_hash64("x", 1, 1));
	/* Alignment does not matter: the same bytes at an odd address. */
	memcpy(buf + 1, "edgewatch", 9);
	assert_true(ew_hash64(buf + 1, 9, 0) == ew_hash64("edgewatch", 9, 0));

	/*
	 * Avalanche: flipping any one input bit of a 39-byte input changes
	 * about half of the 64 output bits.  Over all 312 flips the mean must
	 * be near 32 (binomial sd 4 per flip, 0.23 for the mean of 312: 30..34
	 * is over eight sd) and no flip may change fewer than 12 bits (5 sd).
	 */
	uint64_t base = ew_hash64(buf, 39, 42);
	unsigned total = 0, least = 64;

	for (unsigned bit = 0; bit < 39 * 8; bit++) {
		buf[bit / 8] ^= (char)(1u << (bit % 8));
		unsigned changed = (unsigned)__builtin_popcountll(base ^ ew_hash64(buf, 39, 42));

		buf[bit / 8] ^= (char)(1u << (bit % 8));
		total += changed;
		if (changed < least)
			least = changed;
	}
	assert_true(total >= 30 * 312 && total <= 34 * 312);
	assert_true(least >= 12);
}

/* ------------------------------------------------------------ ew_stat */

static void test_stat_hand(void **state)
{
	struct ew_stat s;

	(void)state;
	/*
	 * 2, 4, 6 with alpha 0.5 (weights max(0.5, 1/(n+1))):
	 *   2: first sample: mean 2, var 0, mad 0, n 1.
	 *   4: w = max(0.5, 1/2) = 0.5, d = 4 - 2 = 2
	 *      mad = 0 + 0.5 (2 - 0) = 1; mean = 2 + 0.5*2 = 3;
	 *      var = 0.5 (0 + 0.5*4) = 1.
	 *   6: w = max(0.5, 1/3) = 0.5, d = 6 - 3 = 3
	 *      mad = 1 + 0.5 (3 - 1) = 2; mean = 3 + 0.5*3 = 4.5;
	 *      var = 0.5 (1 + 0.5*9) = 2.75.
	 * All exact in binary.
	 */
	ew_stat_init(&s);
	assert_int_equal(s.n, 0);
	ew_stat_add(&s, 2, 0.5);
	assert_true(s.mean == 2 && s.var == 0 && s.mad == 0 && s.n == 1);
	ew_stat_add(&s, 4, 0.5);
	assert_true(s.mean == 3 && s.var == 1 && s.mad == 1 && s.n == 2);
	ew_stat_add(&s, 6, 0.5);
	assert_true(s.mean == 4.5 && s.var == 2.75 && s.mad == 2 && s.n == 3);

	/*
	 * spread = max(1.2533141 * 2, sqrt(2.75)/4) = max(2.5066283, 0.4145781)
	 *        = 2.5066283;  z(10) = (10 - 4.5) / 2.5066283 = 2.1942
	 */
	near(ew_stat_spread(&s), 2.5066282746310006, 1e-12, "spread 2,4,6");
	near(ew_stat_z(&s, 10, 1.0), 5.5 / 2.5066282746310006, 1e-12, "z 10");
	near(ew_stat_z(&s, 10, 1.0), 2.19418, 1e-5, "z 10 by hand");

	/*
	 * With alpha 0.1 the same samples are averaged plainly (weights 1,
	 * 1/2, 1/3): mean 4, var = population variance ((4+0+4)/3) = 8/3;
	 * mad: after 4 it is 1 (as above); then w = 1/3, d = 6 - 3 = 3:
	 * mad = 1 + (3 - 1)/3 = 5/3.
	 */
	ew_stat_init(&s);
	ew_stat_add(&s, 2, 0.1);
	ew_stat_add(&s, 4, 0.1);
	ew_stat_add(&s, 6, 0.1);
	near(s.mean, 4.0, 1e-15, "plain mean");
	near(s.var, 8.0 / 3, 1e-15, "plain var");
	near(s.mad, 5.0 / 3, 1e-15, "plain mad");
}

static void test_stat_prior(void **state)
{
	struct ew_stat s;

	(void)state;
	/*
	 * Prior mean 100, spread 10: var 100, mad 10/1.2533141 = 7.9788456.
	 * spread = max(1.2533141*7.9788456, 10/4) = 10; z(130) = 30/10 = 3.
	 */
	ew_stat_init_prior(&s, 100, 10);
	assert_int_equal(s.n, 0);
	near(ew_stat_spread(&s), 10, 1e-12, "prior spread");
	near(ew_stat_z(&s, 130, 1), 3, 1e-12, "prior z");

	/* First sample 50: replaces the mean, leaves var and mad. */
	ew_stat_add(&s, 50, 0.01);
	assert_true(s.mean == 50 && s.var == 100 && s.n == 1);
	near(s.mad, 7.978845608028654, 1e-12, "prior mad kept");
	/*
	 * 70: w = max(0.01, 1/2) = 0.5, d = 20:
	 *   mad = 7.9788456 + 0.5 (20 - 7.9788456) = 13.9894228
	 *   mean = 60;  var = 0.5 (100 + 0.5*400) = 150.
	 */
	ew_stat_add(&s, 70, 0.01);
	near(s.mad, 13.989422804014327, 1e-12, "mad after prior");
	assert_true(s.mean == 60 && s.var == 150);

	/* A broken prior is no prior. */
	ew_stat_init_prior(&s, NAN, -3);
	assert_true(s.mean == 0 && s.var == 0 && s.mad == 0 && s.n == 0);
	ew_stat_init_prior(&s, INFINITY, INFINITY);
	assert_true(s.mean == 0 && s.var == 0 && s.mad == 0);
	ew_stat_init_prior(&s, 1e300, 1e300); /* clamped to 1e15 */
	assert_true(s.mean == EW_STAT_X_MAX && s.var == EW_STAT_X_MAX * EW_STAT_X_MAX);
	stat_finite(&s);
}

static void check_zeros_case(const double *xs, size_t nx, double alpha, uint32_t k)
{
	struct ew_stat a, b;

	ew_stat_init(&a);
	for (size_t i = 0; i < nx; i++)
		ew_stat_add(&a, xs[i], alpha);
	b = a;
	ew_stat_add_zeros(&a, k, alpha);
	for (uint32_t i = 0; i < k; i++)
		ew_stat_add(&b, 0.0, alpha);
	/*
	 * Tolerances: the loop itself rounds at every step (k up to 2e5
	 * steps, ~1e-16 each, so ~1e-11 relative at worst); mean and var are
	 * closed forms; mad uses a harmonic sum in the plain phase.
	 */
	assert_int_equal(a.n, b.n);
	near(a.mean, b.mean, 1e-10 * fabs(b.mean) + 1e-300, "zeros mean");
	near(a.var, b.var, 1e-10 * fabs(b.var) + 1e-300, "zeros var");
	near(a.mad, b.mad, 1e-9 * fabs(b.mad) + 1e-300, "zeros mad");
}

static void test_stat_zeros(void **state)
{
	static const double xs[] = { 120, 80, 100, 95, 130, 70, 110, 100 };
	static const double one[] = { 1000 };
	struct ew_stat s;

	(void)state;
	/*
	 * By hand, after 2, 4, 6 at alpha 0.5 (mean 4.5, var 2.75, mad 2):
	 *   0: d = -4.5: mad = 2 + 0.5 (4.5 - 2) = 3.25; mean 2.25;
	 *      var = 0.5 (2.75 + 0.5*20.25) = 6.4375
	 *   0: d = -2.25: mad = 3.25 + 0.5 (2.25 - 3.25) = 2.75; mean 1.125;
	 *      var = 0.5 (6.4375 + 0.5*5.0625) = 4.484375
	 * and the closed forms with q = 0.25: mean 0.25*4.5 = 1.125,
	 * var 0.25 (2.75 + 20.25*0.75) = 4.484375, mad 0.25*2 + 2*0.5*0.5*4.5 = 2.75.
	 */
	ew_stat_init(&s);
	ew_stat_add(&s, 2, 0.5);
	ew_stat_add(&s, 4, 0.5);
	ew_stat_add(&s, 6, 0.5);
	ew_stat_add_zeros(&s, 2, 0.5);
	assert_int_equal(s.n, 5);
	near(s.mean, 1.125, 1e-15, "zeros hand mean");
	near(s.var, 4.484375, 1e-14, "zeros hand var");
	near(s.mad, 2.75, 1e-15, "zeros hand mad");

	/* k = 0 changes nothing. */
	struct ew_stat before = s;

	ew_stat_add_zeros(&s, 0, 0.5);
	assert_memory_equal(&s, &before, sizeof(s));

	/* From empty, from one sample, within and across the plain phase. */
	check_zeros_case(NULL, 0, 0.5, 1);
	check_zeros_case(NULL, 0, 0.01, 300);
	check_zeros_case(one, 1, 0.01, 1);
	check_zeros_case(one, 1, 0.01, 50);   /* plain only: 1/(n+1) > 0.01 until n = 99 */
	check_zeros_case(one, 1, 0.01, 98);   /* ends exactly at the switch */
	check_zeros_case(one, 1, 0.01, 99);
	check_zeros_case(one, 1, 0.01, 500);  /* both phases */
	check_zeros_case(xs, 8, 0.5, 7);      /* alpha phase only */
	check_zeros_case(xs, 8, 1.0, 1);      /* a = 1: the last value is all */
	check_zeros_case(xs, 8, 1.0, 3);
	check_zeros_case(xs, 8, 1.0 / 3, 40); /* 1/3 is not exact in binary */
	check_zeros_case(xs, 8, 0.001, 2000);
	check_zeros_case(xs, 8, ew_alpha_for_half_life(1440), 200000); /* > 64 plain terms */

	/* The count saturates, the statistics stay finite. */
	ew_stat_init(&s);
	ew_stat_add(&s, 5, 0.1);
	ew_stat_add_zeros(&s, UINT32_MAX, 0.1);
	assert_int_equal(s.n, UINT32_MAX);
	stat_finite(&s);
	ew_stat_add_zeros(&s, UINT32_MAX, 1e-300);
	assert_int_equal(s.n, UINT32_MAX);
	stat_finite(&s);
}

static void test_stat_z_floor(void **state)
{
	struct ew_stat s;

	(void)state;
	/* A perfectly regular device: spread 0, so min_spread decides. */
	ew_stat_init(&s);
	for (int i = 0; i < 10; i++)
		ew_stat_add(&s, 5, 0.1);
	assert_true(ew_stat_spread(&s) == 0);
	near(ew_stat_z(&s, 6, 0.5), 2, 0, "z floor");          /* (6-5)/0.5 */
	near(ew_stat_z(&s, 5, 0.5), 0, 0, "z at mean");
	near(ew_stat_z(&s, 4, 0.25), -4, 0, "z below");        /* (4-5)/0.25 */
	near(ew_stat_z(&s, 6, 0), 1e9, 1e-3, "z floor 0");     /* 1/1e-9 */
	near(ew_stat_z(&s, 6, -1), 1e9, 1e-3, "z floor <0");
	near(ew_stat_z(&s, 6, NAN), 1e9, 1e-3, "z floor NaN");
	near(ew_stat_z(&s, 6, INFINITY), 1e9, 1e-3, "z floor inf");
	assert_true(ew_stat_z(&s, NAN, 1) == 0);
	near(ew_stat_z(&s, INFINITY, 1), 1e15 - 5, 0, "z +inf");
	near(ew_stat_z(&s, -INFINITY, 1), -1e15 - 5, 0, "z -inf");

	/*
	 * The sd/4 floor: 0 in 999 bins then one 1000.  With plain weights
	 * (alpha 1e-9) over 1000 samples: mean 1, var = 1000^2/1000 - 1 = 999,
	 * mad = 1000/1000 = 1 (the spike deviates by 1000 from the mean 0
	 * before it, weight 1/1000).  1.2533*1 = 1.2533 < sqrt(999)/4 =
	 * 7.9017: the floor.
	 */
	ew_stat_init(&s);
	ew_stat_add_zeros(&s, 999, 0);
	ew_stat_add(&s, 1000, 0);
	near(s.mean, 1, 1e-12, "spike mean");
	near(s.var, 999, 1e-9, "spike var");
	near(s.mad, 1, 1e-12, "spike mad");
	near(ew_stat_spread(&s), sqrt(999) / 4, 1e-12, "spread floor");
}

static void test_alpha_half_life(void **state)
{
	(void)state;
	near(ew_alpha_for_half_life(1), 0.5, 1e-15, "h 1");              /* 1 - 2^-1 */
	near(ew_alpha_for_half_life(2), 1 - sqrt(0.5), 1e-15, "h 2");    /* 0.29289 */
	/* h 1440: (1-a)^1440 = 1/2, a ~ ln2/1440 = 4.8135e-4 */
	double a = ew_alpha_for_half_life(1440);

	near(pow(1 - a, 1440), 0.5, 1e-12, "h 1440 halves");
	near(a, 4.8135e-4, 2e-7, "h 1440 ~ ln2/1440");
	assert_true(ew_alpha_for_half_life(0) == 1);
	assert_true(ew_alpha_for_half_life(-5) == 1);
	assert_true(ew_alpha_for_half_life(NAN) == 1);
	assert_true(ew_alpha_for_half_life(INFINITY) == EW_STAT_ALPHA_MIN);
	assert_true(ew_alpha_for_half_life(1e300) == EW_STAT_ALPHA_MIN);
}

static void test_stat_hostile(void **state)
{
	static const double xs[] = { NAN, INFINITY, -INFINITY, 1e300, -1e300, DBL_MAX, -DBL_MAX,
				     DBL_MIN / 4, -5, 0, 1e15, -1e15, 3 };
	static const double alphas[] = { NAN, -1, 0, 2, INFINITY, -INFINITY, 1e-300, 0.5, 1 };
	struct ew_stat s;

	(void)state;
	/* Ignored: n does not move, nothing changes. */
	ew_stat_init(&s);
	ew_stat_add(&s, 7, 0.5);
	struct ew_stat before = s;

	ew_stat_add(&s, NAN, 0.5);
	ew_stat_add(&s, INFINITY, 0.5);
	ew_stat_add(&s, -INFINITY, 0.5);
	assert_memory_equal(&s, &before, sizeof(s));

	/* Huge values are clamped: first sample 1e300 gives mean 1e15. */
	ew_stat_init(&s);
	ew_stat_add(&s, 1e300, 0.5);
	assert_true(s.mean == EW_STAT_X_MAX);

	/* Every pair of sample and alpha, in sequence, on one statistic. */
	ew_stat_init(&s);
	for (size_t r = 0; r < 50; r++)
		for (size_t i = 0; i < sizeof(xs) / sizeof(xs[0]); i++)
			for (size_t j = 0; j < sizeof(alphas) / sizeof(alphas[0]); j++) {
				ew_stat_add(&s, xs[i], alphas[j]);
				stat_finite(&s);
				ew_stat_add_zeros(&s, (uint32_t)(r * 7919 + i), alphas[j]);
				stat_finite(&s);
				assert_true(isfinite(ew_stat_z(&s, xs[i], alphas[j])));
			}
}

/* ------------------------------------------------------------ holt */

static void test_holt_line(void **state)
{
	struct holt h;
	double f, sp;

	(void)state;
	holt_init(&h);
	/* Nothing seen: no answer, whatever the warm-up. */
	assert_false(holt_forecast(&h, 0, &f, &sp));

	/*
	 * x_t = 10 + 2t, warm-up 5: no answer after 0..4 samples; after 5
	 * (t = 0..4) the forecast of t = 5 is 20, and it stays exact: the
	 * first two samples give level 12, trend 2; each later sample equals
	 * its forecast, so e = 0 and level' = f + a*0 = f, trend' = trend +
	 * b*((f - level) - trend) = trend + b*0.  Spread 0 (all errors 0).
	 */
	for (int t = 0; t < 60; t++) {
		bool ok = holt_forecast(&h, 5, &f, &sp);

		if (t < 5) {
			assert_false(ok);
		} else {
			assert_true(ok);
			assert_true(f == 10 + 2 * t);
			assert_true(sp == 0);
		}
		holt_update(&h, 10 + 2 * t, 0.3, 0.1);
	}
	/* NULL outputs are allowed. */
	assert_true(holt_forecast(&h, 5, NULL, NULL));
}

static void test_holt_step(void **state)
{
	struct holt h;
	double f, sp;

	(void)state;
	/*
	 * 20 samples of 5 (alpha 0.5, beta 0.1): level 5, trend 0, resid 0.
	 * Then 10: forecast 5, error 5.  The error's weight is
	 * max(0.5, 1/19) = 0.5: resid = 0 + 0.5 (5 - 0) = 2.5.
	 * level = 5 + 0.5*5 = 7.5; trend = 0 + 0.1 ((7.5 - 5) - 0) = 0.25.
	 * Forecast 7.75, spread 1.2533141 * 2.5 = 3.1332853.
	 */
	holt_init(&h);
	for (int i = 0; i < 20; i++)
		holt_update(&h, 5, 0.5, 0.1);
	assert_true(holt_forecast(&h, 10, &f, &sp));
	assert_true(f == 5 && sp == 0);
	holt_update(&h, 10, 0.5, 0.1);
	assert_true(holt_forecast(&h, 10, &f, &sp));
	near(f, 7.75, 1e-15, "after step");
	near(sp, 3.1332853432887506, 1e-12, "spread after step");
	/*
	 * Then constant 10.  The error follows e' = (2 - a - ab) e - (1-a) e''
	 * (Holt's error recursion), roots of z^2 - 1.45 z + 0.5: 0.885 and
	 * 0.565, so after 300 steps the error is ~0.885^300 ~ 1e-16 of the
	 * step: the forecast is 10 to 1e-9.
	 */
	for (int i = 0; i < 300; i++)
		holt_update(&h, 10, 0.5, 0.1);
	assert_true(holt_forecast(&h, 10, &f, &sp));
	near(f, 10, 1e-9, "settled on the new level");
}

static void test_holt_hostile(void **state)
{
	static const double xs[] = { NAN, INFINITY, -INFINITY, 1e300, -1e300, DBL_MAX, -5, 0 };
	static const double ps[] = { NAN, -1, 0, 0.5, 1, 2, INFINITY };
	struct holt h;
	double f, sp;

	(void)state;
	/* Non-finite samples are ignored entirely. */
	holt_init(&h);
	holt_update(&h, NAN, 0.5, 0.5);
	holt_update(&h, INFINITY, 0.5, 0.5);
	assert_int_equal(h.n, 0);
	assert_false(holt_forecast(&h, 0, &f, &sp));

	/* Alternating extremes, every parameter: stays finite. */
	for (size_t r = 0; r < 200; r++)
		for (size_t i = 0; i < sizeof(xs) / sizeof(xs[0]); i++)
			for (size_t j = 0; j < sizeof(ps) / sizeof(ps[0]); j++) {
				holt_update(&h, (r % 2 ? 1 : -1) * xs[i], ps[j], ps[(j + r) % 7]);
				holt_finite(&h);
			}
	assert_true(holt_forecast(&h, 1, &f, &sp));
	assert_true(isfinite(f) && isfinite(sp));

	/* alpha 0: the trend walks the level off; the clamp holds it. */
	holt_init(&h);
	holt_update(&h, -1e15, 0, 0);
	holt_update(&h, 1e15, 0, 0); /* trend 2e15 */
	for (int i = 0; i < 10000; i++)
		holt_update(&h, 0, 0, 0);
	holt_finite(&h);
	assert_true(fabs(h.level) <= EW_STAT_X_MAX * 1e3);
}

/* ------------------------------------------------------------ damped */

/*
 * A steady 10 events/s for 2000 s.  The weight just after an event is
 * 1/(1 - q), q = 2^(-lambda/10), and just before the next q/(1 - q);
 * half-way it is q^(1/2)/(1 - q) = 1/(2 sinh(y/2)), y = lambda ln2 / 10,
 * so the rate read half-way is 10 y/(2 sinh(y/2)) ~ 10 (1 - y^2/24):
 * 9.950 at lambda 5, 9.982 at 3, 9.998 at 1, 10.000 at the others.  The slowest
 * scale (half-life 100 s) has forgotten its empty start to 2^-20 after
 * 2000 s.  So 1% (0.1) holds at every scale with room; a 2% error in
 * lambda or ln 2 would break it.
 */
static void test_damped_rate(void **state)
{
	struct damped d;
	ew_usec_t t = T0;

	(void)state;
	damped_init(&d);
	for (int k = 0; k < 20000; k++) {
		damped_update(&d, t, (k % 2) ? 110 : 90);
		t += SEC / 10;
	}
	ew_usec_t last = t - SEC / 10;

	for (unsigned i = 0; i < DAMPED_NSCALES; i++) {
		/* The finite sum: q^(1/2) (1 + q + ... + q^19999) lambda ln2. */
		double q = exp2(-damped_lambda[i] / 10);
		double exact = damped_lambda[i] * log(2) * sqrt(q) * (1 - pow(q, 20000)) / (1 - q);

		near(damped_rate(&d, last + SEC / 20, i), 10, 0.1, "steady rate");
		near(damped_rate(&d, last + SEC / 20, i), exact, 1e-9, "steady rate, exact");
	}
	/* Right after an event at lambda 5: 5 ln2 / (1 - 2^-0.5) = 11.8328. */
	near(damped_rate(&d, last, 0), 11.83276, 1e-4, "rate just after");
	/* Just before the next: 11.8328 - 5 ln2 = 8.3670. */
	near(damped_rate(&d, last + SEC / 10, 0), 8.36703, 1e-4, "rate just before");

	/*
	 * Values alternate 90/110: at the slow scales the mean is 100 and the
	 * sd 10.  The window's last value weighs most, which shifts the mean
	 * by 10 (1 - q)/(1 + q) (q = 2^(-lambda/10)): 0.35 at lambda 1, 0.0035
	 * at 0.01; the sd is sqrt(100 - shift^2) >= 9.99.
	 */
	for (unsigned i = 2; i < DAMPED_NSCALES; i++) {
		double w, m, sd;

		damped_read(&d, last, i, &w, &m, &sd);
		near(m, 100, 0.5, "mean");
		near(sd, 10, 0.02, "sd");
	}
	/* Out of range scale: zeros. */
	assert_true(damped_rate(&d, last, DAMPED_NSCALES) == 0);
	damped_finite(&d);
}

static void test_damped_decay(void **state)
{
	/* 1/lambda seconds in microseconds; lambda 3 is checked over 3 s (2^-9). */
	static const ew_usec_t half_us[DAMPED_NSCALES] = { 200000, 3 * SEC, SEC, 10 * SEC,
							   100 * SEC };
	static const double factor[DAMPED_NSCALES] = { 0.5, 1.0 / 512, 0.5, 0.5, 0.5 };
	struct damped d, copy;

	(void)state;
	damped_init(&d);
	for (int k = 0; k < 10; k++)
		damped_update(&d, T0 + (ew_usec_t)k * 1000, 1.0);
	copy = d;
	for (unsigned i = 0; i < DAMPED_NSCALES; i++) {
		double w0, w1, m0, m1, s0, s1;

		damped_read(&d, T0 + 9000, i, &w0, &m0, &s0);
		damped_read(&d, T0 + 9000 + half_us[i], i, &w1, &m1, &s1);
		near_rel(w1, w0 * factor[i], 1e-12, "decay by half");
		/* Decay does not move mean or sd. */
		assert_true(m1 == m0 && s1 == s0 && m0 == 1);
	}
	/* Reading changed nothing. */
	assert_memory_equal(&d, &copy, sizeof(d));

	/* Never updated: all zero, at any time. */
	damped_init(&d);
	double w, m, sd;

	damped_read(&d, T0, 0, &w, &m, &sd);
	assert_true(w == 0 && m == 0 && sd == 0);

	/*
	 * A long silence forgets everything: after 1 hour lambda 5 has decayed
	 * by 2^-18000 = 0, and mean/sd read as 0 below weight 1e-9.
	 */
	damped_update(&d, T0, 50);
	damped_read(&d, T0 + 3600 * SEC, 0, &w, &m, &sd);
	assert_true(w == 0 && m == 0 && sd == 0);
	/* lambda 0.01 after 1000 s: 2^-10, still known; after an hour 2^-36 < 1e-9. */
	damped_read(&d, T0 + 1000 * SEC, 4, &w, &m, &sd);
	near(w, 1.0 / 1024, 1e-15, "slow scale after 1000 s");
	assert_true(m == 50 && sd == 0);
	damped_read(&d, T0 + 3600 * SEC, 4, &w, &m, &sd);
	near(w, exp2(-36), 1e-20, "slow scale after an hour");
	assert_true(m == 0 && sd == 0);
}

/*
 * The decay factors come from one exp2 and products of it: each weight
 * after two updates dt apart must be 1 + 2^(-lambda dt) to within
 * rounding, on both sides of the 64 s cut past which the fast scales
 * count as fully decayed (2^-64 vanishes next to 1 in a double anyway).
 * damped_update2() gives the same bytes as two damped_update() calls.
 */
static void test_damped_factors(void **state)
{
	static const double dts[] = { 0.000001, 0.001, 0.5, 1, 10, 63.9, 64.1, 1000, 86400 };

	(void)state;
	for (size_t k = 0; k < sizeof(dts) / sizeof(dts[0]); k++) {
		ew_usec_t t1 = T0 + (ew_usec_t)(dts[k] * 1e6 + 0.5);
		double dt = (double)(t1 - T0) / 1e6;
		struct damped a, b, c, d;

		damped_init(&a);
		damped_update(&a, T0, 3.0);
		damped_update(&a, t1, 5.0);
		for (unsigned i = 0; i < DAMPED_NSCALES; i++) {
			double f = exp2(-damped_lambda[i] * dt);

			near_rel(a.w[i], 1.0 + f, 1e-13, "weight after dt");
			near_rel(a.ls[i], 5.0 + 3.0 * f, 1e-13, "linear sum after dt");
			near_rel(a.ss[i], 25.0 + 9.0 * f, 1e-13, "squared sum after dt");
		}
		damped_init(&b);
		damped_init(&c);
		damped_init(&d);
		damped_update(&b, T0, 3.0);
		damped_update(&c, T0, 7.0);
		damped_update(&d, T0, 7.0);
		damped_update2(&b, 5.0, &c, 11.0, t1);
		damped_update(&d, t1, 11.0);
		assert_memory_equal(&a, &b, sizeof(a));
		assert_memory_equal(&c, &d, sizeof(c));
	}
}

static void test_damped_hostile(void **state)
{
	struct damped d, copy;
	double w, m, sd;

	(void)state;
	damped_init(&d);
	damped_update(&d, T0, 10);
	copy = d;
	/* NaN and infinities are ignored, time included. */
	damped_update(&d, T0 + SEC, NAN);
	damped_update(&d, T0 + SEC, INFINITY);
	damped_update(&d, T0 + SEC, -INFINITY);
	assert_memory_equal(&d, &copy, sizeof(d));

	/* Time running backwards: no decay (no growth), last_us stays. */
	damped_update(&d, T0 - 5 * SEC, 10);
	assert_true(d.last_us == T0);
	for (unsigned i = 0; i < DAMPED_NSCALES; i++)
		assert_true(d.w[i] == 2);
	damped_read(&d, 0, 0, &w, &m, &sd); /* now before last: as last */
	assert_true(w == 2 && m == 10 && sd == 0);

	/* Huge values clamp to 1e15; sums stay finite even for a million at one instant. */
	for (int k = 0; k < 1000000; k++)
		damped_update(&d, T0, (k % 2) ? 1e300 : -DBL_MAX);
	damped_finite(&d);
	damped_read(&d, T0, 0, &w, &m, &sd);
	assert_true(isfinite(w) && isfinite(m) && isfinite(sd));
	/* ss/w = 1e30 (1 - 2e-6): sd 1e15 (1 - 1e-6) */
	near(sd, 1e15, 1e10, "sd of +-1e15");
	/* NULL outputs. */
	damped_read(&d, T0, 0, NULL, NULL, NULL);
}

static void test_damped_pairs(void **state)
{
	struct damped_pairs dp;
	struct damped_pair *p;

	(void)state;
	damped_pairs_init(&dp);
	/* Keys 1..8, a packet each at seconds 1..8. */
	for (uint64_t k = 1; k <= DAMPED_PAIRS; k++) {
		p = damped_pairs_get(&dp, k);
		assert_true(p == &dp.p[k - 1] && dp.key[k - 1] == k);
		damped_pair_update(p, T0 + k * SEC, 100.0 * (double)k);
	}
	assert_int_equal(dp.n, DAMPED_PAIRS);
	assert_int_equal(dp.replaced, 0);

	/* Existing key: same slot, stats kept; a packet at 9 s makes it the newest. */
	p = damped_pairs_get(&dp, 1);
	assert_true(p == &dp.p[0] && p->s[0][DPS_W] == 1);
	damped_pair_update(p, T0 + 9 * SEC, 100.0);
	/* An older packet does not move the time back. */
	damped_pair_update(p, T0, 100.0);
	assert_true(p->last_us == T0 + 9 * SEC);

	/*
	 * New key 100: the oldest last packet is key 2's (2 s; key 1's is 9 s):
	 * slot 1, empty.  Then key 101 takes key 3's slot 2.
	 */
	p = damped_pairs_get(&dp, 100);
	assert_true(p == &dp.p[1] && dp.key[1] == 100 && p->s[0][DPS_W] == 0 && p->last_us == 0);
	damped_pair_update(p, T0 + 10 * SEC, 1.0);
	assert_int_equal(dp.replaced, 1);
	assert_null(damped_pairs_find(&dp, 2));
	p = damped_pairs_get(&dp, 101);
	assert_true(p == &dp.p[2]);
	damped_pair_update(p, T0 + 11 * SEC, 1.0);
	assert_int_equal(dp.replaced, 2);
	/* Next out: key 4 (4 s), then 5. */
	p = damped_pairs_get(&dp, 102);
	assert_true(p == &dp.p[3]);
	damped_pair_update(p, T0 + 12 * SEC, 1.0);
	assert_true(damped_pairs_get(&dp, 103) == &dp.p[4]);
	assert_non_null(damped_pairs_find(&dp, 1));
	assert_null(damped_pairs_find(&dp, 5));
	/* A pair not updated yet is the oldest: the next new key takes its slot. */
	assert_true(damped_pairs_get(&dp, 104) == &dp.p[4]);
	assert_null(damped_pairs_find(&dp, 103));
	assert_int_equal(dp.replaced, 5);
}

/*
 * One pair by hand: packets of 100 then 300 bytes 0.5 s apart, then 200
 * bytes 1.5 s later.  At lambda 1 (index 1), read at the last packet:
 * w = 1 + 2^-1.5 + 2^-2 (the first packet decayed by 2 s), sizes weighted
 * alike; the gaps are 0.5 s (weight 2^-1.5) and 1.5 s (weight 1): the
 * first packet has none.
 */
static void test_damped_pair_hand(void **state)
{
	struct damped_pair p;
	struct damped_pair_view v;
	double w1 = exp2(-1.5), w0 = exp2(-2.0), w, m, var, gw, gm, gvar;

	(void)state;
	memset(&p, 0, sizeof(p));
	damped_pair_read(&p, T0, 1, &v);
	assert_true(v.rate == 0 && v.size_mean == 0 && v.gap_mean == 0);
	damped_pair_update(&p, T0, 100);
	damped_pair_update(&p, T0 + 500000, 300);
	damped_pair_update(&p, T0 + 2 * SEC, 200);
	w = 1 + w1 + w0;
	m = (200 + 300 * w1 + 100 * w0) / w;
	var = (200.0 * 200 + 300.0 * 300 * w1 + 100.0 * 100 * w0) / w - m * m;
	gw = 1 + w1;
	gm = (1.5 + 0.5 * w1) / gw;
	gvar = (1.5 * 1.5 + 0.25 * w1) / gw - gm * gm;
	damped_pair_read(&p, T0 + 2 * SEC, 1, &v);
	near_rel(v.rate, w * log(2), 1e-12, "pair rate");
	near_rel(damped_pair_rate(&p, T0 + 2 * SEC, 1), w * log(2), 1e-12, "pair rate, cheap");
	near_rel(v.size_mean, m, 1e-12, "pair size mean");
	near_rel(v.size_sd, sqrt(var), 1e-9, "pair size sd");
	near_rel(v.gap_mean, gm, 1e-12, "pair gap mean");
	near_rel(v.gap_sd, sqrt(gvar), 1e-9, "pair gap sd");
	/* A second later everything has decayed by half at lambda 1: the rate halves. */
	near_rel(damped_pair_rate(&p, T0 + 3 * SEC, 1), w * log(2) / 2, 1e-12, "decayed");
	damped_pair_read(&p, T0 + 3 * SEC, 1, &v);
	near_rel(v.size_mean, m, 1e-12, "decay keeps the mean");
	/* Hostile values: NaN ignored, huge clamped. */
	damped_pair_update(&p, T0 + 3 * SEC, NAN);
	damped_pair_read(&p, T0 + 3 * SEC, 1, &v);
	near_rel(v.rate, w * log(2) / 2, 1e-12, "NaN ignored");
	damped_pair_update(&p, T0 + 3 * SEC, 1e300);
	assert_true(isfinite(p.s[0][DPS_SS]) && isfinite(p.s[2][DPS_SS]));
}

/* ------------------------------------------------------------ periodic */

static void test_periodic_hand(void **state)
{
	struct periodic_set ps;
	struct periodic_params pp;
	const struct periodic_entry *e;

	(void)state;
	periodic_params_default(&pp);
	periodic_set_init(&ps);
	/*
	 * Gaps 60, 62, 58:
	 *   60: period 60, jitter 0
	 *   62: w = 1/2: jitter = 0 + 0.5 |62 - 60| = 1; period 61
	 *   58: w = 1/3: jitter = 1 + (|58 - 61| - 1)/3 = 5/3; period = 61 + (58 - 61)/3 = 60
	 * A contact 0.5 s after one is the same exchange: ignored.
	 */
	assert_int_equal(periodic_observe(&ps, 7, T0, &pp), PERIODIC_EV_NONE);
	assert_int_equal(periodic_observe(&ps, 7, T0 + SEC / 2, &pp), PERIODIC_EV_NONE);
	assert_int_equal(periodic_observe(&ps, 7, T0 + 60 * SEC, &pp), PERIODIC_EV_NONE);
	assert_int_equal(periodic_observe(&ps, 7, T0 + 122 * SEC, &pp), PERIODIC_EV_NONE);
	assert_int_equal(periodic_observe(&ps, 7, T0 + 180 * SEC, &pp), PERIODIC_EV_NONE);
	e = periodic_find(&ps, 7);
	assert_non_null(e);
	assert_int_equal(e->n, 4);
	near(e->period_s, 60, 1e-12, "period");
	near(e->jitter_s, 5.0 / 3, 1e-12, "jitter");
	assert_true(e->first_us == T0 && e->last_us == T0 + 180 * SEC);
	assert_int_equal(e->state, PERIODIC_IRREGULAR);
	assert_null(periodic_find(&ps, 8));
}

/* Beacon gaps 60 s +- 1 s: 60 + {+1, -1, +0.5, -0.5, 0, +1, ...}. */
static ew_usec_t beacon_gap(unsigned k)
{
	static const int64_t dev_ms[] = { 1000, -1000, 500, -500, 0 };

	return (ew_usec_t)(60000 + dev_ms[k % 5]) * 1000;
}

static void test_periodic_regular(void **state)
{
	struct periodic_set ps;
	struct periodic_params pp;

	(void)state;
	/*
	 * Deviations of at most ~2 s from the running mean keep the jitter
	 * under 2 s, well inside max(0.1 * 60, 2) = 6 s: the entry becomes
	 * regular exactly at gap regular_after, not one before, and says so
	 * once.
	 */
	for (uint32_t ra = 1; ra <= 8; ra++) {
		ew_usec_t t = T0;

		periodic_params_default(&pp);
		pp.regular_after = ra;
		periodic_set_init(&ps);
		assert_int_equal(periodic_observe(&ps, 42, t, &pp), PERIODIC_EV_NONE);
		for (unsigned gap = 1; gap <= 40; gap++) {
			t += beacon_gap(gap);
			enum periodic_event ev = periodic_observe(&ps, 42, t, &pp);

			assert_int_equal(ev, gap == ra ? PERIODIC_EV_BECAME_REGULAR : PERIODIC_EV_NONE);
		}
		assert_int_equal(ps.e[0].state, PERIODIC_REGULAR);
		near(ps.e[0].period_s, 60, 1.0, "beacon period");
		assert_true(ps.e[0].jitter_s < 2);
	}
}

static void test_periodic_random(void **state)
{
	struct periodic_set ps;
	struct periodic_params pp;

	(void)state;
	periodic_params_default(&pp);
	/*
	 * Exponential gaps of mean 60 s (a Poisson source) and uniform gaps in
	 * 10..110 s: their mean absolute deviation (44 s and 25 s) is far
	 * beyond 6 s, and becoming regular needs the EW jitter to sink below
	 * it - several consecutive gaps within +-6 s of the mean, each with
	 * probability under 0.12.  2000 gaps each, never.
	 */
	for (int kind = 0; kind < 2; kind++) {
		ew_usec_t t = T0;

		rng_seed(1234 + (uint64_t)kind);
		periodic_set_init(&ps);
		for (int k = 0; k < 2000; k++) {
			double u = rng_unit();
			double gap_s = kind == 0 ? -60 * log(1 - u) : 10 + 100 * u;

			t += (ew_usec_t)(gap_s * 1e6);
			assert_int_equal(periodic_observe(&ps, 9, t, &pp), PERIODIC_EV_NONE);
			assert_int_equal(ps.e[0].state, PERIODIC_IRREGULAR);
		}
		assert_true(ps.e[0].jitter_s > 6);
	}
}

/* A 60 s beacon without jitter, regular after its 10th gap; returns the last contact. */
static ew_usec_t exact_beacon(struct periodic_set *ps, uint64_t key, ew_usec_t t,
			      const struct periodic_params *pp)
{
	for (int k = 0; k <= 10; k++) {
		periodic_observe(ps, key, t, pp);
		t += 60 * SEC;
	}
	assert_int_equal(periodic_find(ps, key)->state, PERIODIC_REGULAR);
	return t - 60 * SEC;
}

static void test_periodic_overdue(void **state)
{
	struct periodic_set ps;
	struct periodic_params pp;
	unsigned out[PERIODIC_SLOTS];

	(void)state;
	periodic_params_default(&pp);
	periodic_set_init(&ps);
	ew_usec_t last = exact_beacon(&ps, 5, T0, &pp);

	/*
	 * Period 60, jitter 0: due by last + 60 + max(4*0, 5) = last + 65 s.
	 * At 65 s exactly it is not late; a microsecond later it is, once.
	 */
	assert_int_equal(periodic_overdue(&ps, last + 30 * SEC, &pp, out, 16), 0);
	assert_int_equal(periodic_overdue(&ps, last + 65 * SEC, &pp, out, 16), 0);
	assert_int_equal(periodic_overdue(&ps, last + 65 * SEC + 1, &pp, out, 16), 1);
	assert_int_equal(out[0], 0);
	assert_int_equal(ps.e[0].state, PERIODIC_OVERDUE);
	assert_int_equal(periodic_overdue(&ps, last + 100 * SEC, &pp, out, 16), 0);
	assert_int_equal(periodic_overdue(&ps, last + 110 * SEC, &pp, out, 16), 0);

	/*
	 * The next contact, a beat late (gap 120), resumes it.  Ten gaps
	 * before, so w = max(0.125, 1/11) = 0.125: jitter = 0.125 * 60 = 7.5,
	 * period = 60 + 0.125 * 60 = 67.5; tolerance max(6.75, 2): 7.5 is
	 * under twice that, so it is REGULAR again.
	 */
	assert_int_equal(periodic_observe(&ps, 5, last + 120 * SEC, &pp), PERIODIC_EV_RESUMED);
	assert_int_equal(ps.e[0].state, PERIODIC_REGULAR);
	near(ps.e[0].period_s, 67.5, 1e-12, "period after resume");
	near(ps.e[0].jitter_s, 7.5, 1e-12, "jitter after resume");
	assert_int_equal(periodic_observe(&ps, 5, last + 180 * SEC, &pp), PERIODIC_EV_NONE);

	/* Two late keys, room for one: one now, the other next call, each once. */
	periodic_set_init(&ps);
	exact_beacon(&ps, 1, T0, &pp);
	last = exact_beacon(&ps, 2, T0 + SEC, &pp);
	assert_int_equal(periodic_overdue(&ps, last + 200 * SEC, &pp, out, 1), 1);
	assert_int_equal(out[0], 0);
	assert_int_equal(ps.e[1].state, PERIODIC_REGULAR);
	assert_int_equal(periodic_overdue(&ps, last + 200 * SEC, &pp, out, 1), 1);
	assert_int_equal(out[0], 1);
	assert_int_equal(periodic_overdue(&ps, last + 200 * SEC, &pp, out, 1), 0);
	assert_int_equal(periodic_overdue(&ps, last + 200 * SEC, &pp, NULL, 0), 0);
}

static void test_periodic_eviction(void **state)
{
	struct periodic_set ps;
	struct periodic_params pp;

	(void)state;
	periodic_params_default(&pp);
	periodic_set_init(&ps);
	/* Key 100 regular, last contact at T0 + 600 s (the oldest of all). */
	exact_beacon(&ps, 100, T0, &pp);
	/* Keys 1..15 once each, at 1000 + k s. */
	for (uint64_t k = 1; k < PERIODIC_SLOTS; k++)
		periodic_observe(&ps, k, T0 + (1000 + k) * SEC, &pp);
	assert_int_equal(ps.n, PERIODIC_SLOTS);
	/* A new key replaces the least recent IRREGULAR one (key 1), not the beacon. */
	periodic_observe(&ps, 200, T0 + 2000 * SEC, &pp);
	assert_int_equal(ps.replaced, 1);
	assert_null(periodic_find(&ps, 1));
	assert_non_null(periodic_find(&ps, 100));
	assert_true(ps.e[1].key == 200 && ps.e[1].n == 1 && ps.e[1].state == PERIODIC_IRREGULAR);
	periodic_observe(&ps, 201, T0 + 2001 * SEC, &pp);
	assert_null(periodic_find(&ps, 2));

	/* All regular: the least recent goes. */
	periodic_set_init(&ps);
	for (uint64_t k = 0; k < PERIODIC_SLOTS; k++)
		exact_beacon(&ps, k, T0 + k * SEC, &pp);
	periodic_observe(&ps, 999, T0 + 5000 * SEC, &pp);
	assert_null(periodic_find(&ps, 0));
	assert_int_equal(ps.e[0].key, 999);
	assert_int_equal(ps.replaced, 1);
}

static void test_periodic_hostile(void **state)
{
	struct periodic_set ps;
	struct periodic_params pp;
	unsigned out[PERIODIC_SLOTS];

	(void)state;
	periodic_params_default(&pp);
	periodic_set_init(&ps);
	/* Time running backwards is ignored. */
	periodic_observe(&ps, 1, T0 + 100 * SEC, &pp);
	assert_int_equal(periodic_observe(&ps, 1, T0, &pp), PERIODIC_EV_NONE);
	assert_int_equal(ps.e[0].n, 1);
	assert_true(ps.e[0].last_us == T0 + 100 * SEC);

	/*
	 * NaN and negative parameters count as 0: min gap 0, tolerance 0.
	 * Exact 10 s gaps have jitter 0 <= 0 and become regular at gap 5;
	 * due = period + max(0, 0) = 10 s.
	 */
	pp.min_gap_s = NAN;
	pp.rel_tol = -1;
	pp.abs_tol_s = NAN;
	pp.overdue_k = NAN;
	pp.overdue_slack_s = -INFINITY;
	periodic_set_init(&ps);
	for (unsigned k = 0; k <= 5; k++)
		assert_int_equal(periodic_observe(&ps, 3, T0 + k * 10 * SEC, &pp),
				 k == 5 ? PERIODIC_EV_BECAME_REGULAR : PERIODIC_EV_NONE);
	assert_int_equal(periodic_overdue(&ps, T0 + 60 * SEC, &pp, out, 16), 0);
	assert_int_equal(periodic_overdue(&ps, T0 + 60 * SEC + 1, &pp, out, 16), 1);

	/* Same instant repeatedly, huge jumps, wrap-free times: all finite. */
	pp.rel_tol = INFINITY;
	pp.abs_tol_s = 1e300;
	periodic_set_init(&ps);
	for (unsigned k = 0; k < 1000; k++) {
		ew_usec_t t = (k % 3 == 0) ? T0 : (k % 3 == 1) ? UINT64_MAX - k : (ew_usec_t)k;

		periodic_observe(&ps, k % 20, t, &pp);
		periodic_overdue(&ps, UINT64_MAX, &pp, out, 16);
	}
	for (unsigned i = 0; i < ps.n; i++) {
		assert_true(isfinite(ps.e[i].period_s) && ps.e[i].period_s >= 0);
		assert_true(isfinite(ps.e[i].jitter_s) && ps.e[i].jitter_s >= 0);
	}
	assert_true(ps.n <= PERIODIC_SLOTS);
}

/* ------------------------------------------------------------ sketch */

static void test_sketch_basic(void **state)
{
	struct sketch s;

	(void)state;
	sketch_clear(&s);
	assert_true(sketch_estimate(&s) == 0);
	assert_true(sketch_add(&s, 12345));
	assert_false(sketch_add(&s, 12345)); /* same item: same bit */
	assert_int_equal(sketch_bits_set(&s), 1);
	/* One bit set: -512 ln(511/512) = 1.000977836 */
	near(sketch_estimate(&s), 1.0009778359313155, 1e-12, "one item");

	/* 100000 items in 512 bits: P(a bit stays 0) = e^-195, so all set: the ceiling. */
	for (uint64_t i = 0; i < 100000; i++)
		sketch_add(&s, ew_hash64_u64(i, 3));
	assert_int_equal(sketch_bits_set(&s), SKETCH_BITS);
	assert_true(sketch_estimate(&s) == SKETCH_CEILING);
	near(SKETCH_CEILING, 512 * log(512), 1e-9, "ceiling is m ln m");
	sketch_clear(&s);
	assert_int_equal(sketch_bits_set(&s), 0);
}

/*
 * The accuracy table of util-sketch.h: 1000 bitmaps per size, random
 * items hashed with ew_hash64_u64.  Linear counting's relative standard
 * error is sqrt(m (e^t - t - 1)) / n with t = n/m: 0.0% (1 item: one bit,
 * estimate 1.001), 3.1% at 10, 3.2% at 100, 3.7% at 500 and 7.5% at 2000
 * (where only ~10 of 512 bits stay zero, so the tail is long).  The
 * asserted bounds sit above the measured values (header) with room for a
 * different seed, and fail if the estimator or the bit choice is biased.
 */
static void test_sketch_accuracy(void **state)
{
	/*
	 * bias_max: linear counting overestimates by about (e^t - t - 1)/(2n):
	 * 0.1% at 1..500 items, 1.1% at 2000; the mean of 1000 trials adds
	 * 3 standard errors (3 * 7.5% / sqrt(1000) = 0.7% at 2000).
	 */
	static const struct {
		unsigned n;
		double mean_max, worst_max, bias_max;
	} cases[] = {
		{ 1, 0.002, 0.002, 0.002 },
		{ 10, 0.03, 0.25, 0.005 },
		{ 100, 0.04, 0.15, 0.005 },
		{ 500, 0.04, 0.16, 0.006 },
		{ 2000, 0.09, 0.50, 0.02 },
	};

	(void)state;
	rng_seed(0x5ce7c4);
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		double sum = 0, worst = 0, bias = 0;

		for (int trial = 0; trial < 1000; trial++) {
			struct sketch s;

			sketch_clear(&s);
			for (unsigned i = 0; i < cases[c].n; i++)
				sketch_add(&s, ew_hash64_u64(rng(), 0));
			double err = (sketch_estimate(&s) - cases[c].n) / cases[c].n;

			bias += err;
			sum += fabs(err);
			worst = fmax(worst, fabs(err));
		}
		print_message("sketch %4u items: mean |err| %.4f worst %.4f bias %+.4f\n",
			      cases[c].n, sum / 1000, worst, bias / 1000);
		assert_true(sum / 1000 <= cases[c].mean_max);
		assert_true(worst <= cases[c].worst_max);
		assert_true(fabs(bias / 1000) <= cases[c].bias_max);
	}

	/* Weak hashes (consecutive numbers, as raw port numbers would be) are spread too. */
	struct sketch s;

	sketch_clear(&s);
	for (uint64_t port = 1; port <= 500; port++)
		sketch_add(&s, port);
	near(sketch_estimate(&s), 500, 0.15 * 500, "consecutive raw items");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_pinned),
		cmocka_unit_test(test_hash_properties),
		cmocka_unit_test(test_stat_hand),
		cmocka_unit_test(test_stat_prior),
		cmocka_unit_test(test_stat_zeros),
		cmocka_unit_test(test_stat_z_floor),
		cmocka_unit_test(test_alpha_half_life),
		cmocka_unit_test(test_stat_hostile),
		cmocka_unit_test(test_holt_line),
		cmocka_unit_test(test_holt_step),
		cmocka_unit_test(test_holt_hostile),
		cmocka_unit_test(test_damped_rate),
		cmocka_unit_test(test_damped_decay),
		cmocka_unit_test(test_damped_hostile),
		cmocka_unit_test(test_damped_pairs),
		cmocka_unit_test(test_damped_factors),
		cmocka_unit_test(test_damped_pair_hand),
		cmocka_unit_test(test_periodic_hand),
		cmocka_unit_test(test_periodic_regular),
		cmocka_unit_test(test_periodic_random),
		cmocka_unit_test(test_periodic_overdue),
		cmocka_unit_test(test_periodic_eviction),
		cmocka_unit_test(test_periodic_hostile),
		cmocka_unit_test(test_sketch_basic),
		cmocka_unit_test(test_sketch_accuracy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
