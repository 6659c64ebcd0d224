/*
 * gen-rng.c - splitmix64 and a pool of random bytes for bulk payloads.
 */
#include "gen-rng.h"

#include <stdbool.h>
#include <string.h>

#include "gen-bytes.h"

void gen_rng_seed(struct gen_rng *rng, uint64_t seed)
{
	rng->state = seed;
}

uint64_t gen_rng_next(struct gen_rng *rng)
{
	uint64_t z = (rng->state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint32_t gen_rng_below(struct gen_rng *rng, uint32_t n)
{
	/* Multiply-shift: unbiased enough for test traffic, no division. */
	return (uint32_t)(((gen_rng_next(rng) >> 32) * (uint64_t)n) >> 32);
}

uint64_t gen_rng_range(struct gen_rng *rng, uint64_t lo, uint64_t hi)
{
	if (hi <= lo)
		return lo;
	return lo + gen_rng_next(rng) % (hi - lo + 1);
}

void gen_rng_fill(struct gen_rng *rng, uint8_t *buf, size_t len)
{
	while (len > 0) {
		uint64_t v = gen_rng_next(rng);
		size_t n = len < 8 ? len : 8;

		memcpy(buf, &v, n);
		buf += n;
		len -= n;
	}
}

uint64_t gen_rng_exp(struct gen_rng *rng, uint64_t mean)
{
	/* -ln(u) for u in (0, 1], without libm: u = m * 2^-k with m in
	 * [0.5, 1), so -ln(u) = k ln 2 - ln m, and ln m = 2 atanh(z) with
	 * z = (m - 1) / (m + 1) in (-1/3, 0], whose series converges fast
	 * (four terms: error under 1e-5). */
	double u = ((double)(gen_rng_next(rng) >> 11) + 1.0) / 9007199254740992.0; /* 2^53 */
	double m = u, z, z2, ln_m, x;
	int k = 0;

	while (m < 0.5) {
		m *= 2.0;
		k++;
	}
	z = (m - 1.0) / (m + 1.0);
	z2 = z * z;
	ln_m = 2.0 * z * (1.0 + z2 / 3.0 + z2 * z2 / 5.0 + z2 * z2 * z2 / 7.0);
	x = k * 0.6931471805599453 - ln_m;
	if (x > 20.0)
		x = 20.0;
	return (uint64_t)(x * (double)mean);
}

#define POOL_SIZE 65536
#define POOL_MAX_TAKE 65536

const uint8_t *gen_random_bytes(struct gen_rng *rng, size_t len)
{
	/* Twice the size so any slice up to POOL_MAX_TAKE is contiguous. */
	static uint8_t pool[2 * POOL_SIZE];
	static bool ready;

	if (!ready) {
		struct gen_rng r = { 0x9e9e9e9e };

		gen_rng_fill(&r, pool, sizeof(pool));
		ready = true;
	}
	if (len > POOL_MAX_TAKE)
		gen_bug("random slice too long");
	return pool + gen_rng_below(rng, POOL_SIZE);
}
