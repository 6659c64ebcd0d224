/*
 * gen-rng.h - the generator's only source of randomness.
 *
 * splitmix64: tiny, fast and good enough to vary test traffic.  Output
 * depends only on the seed, never on the clock or the platform, so a run
 * repeated with the same seed writes the same bytes.
 */
#ifndef EW_GEN_RNG_H
#define EW_GEN_RNG_H

#include <stddef.h>
#include <stdint.h>

/* Seeded with gen_rng_seed(); copying one forks the sequence. */
struct gen_rng {
	uint64_t state;
};

void gen_rng_seed(struct gen_rng *rng, uint64_t seed);
uint64_t gen_rng_next(struct gen_rng *rng);
/* Uniform in [0, n); n > 0. */
uint32_t gen_rng_below(struct gen_rng *rng, uint32_t n);
/* Uniform in [lo, hi]. */
uint64_t gen_rng_range(struct gen_rng *rng, uint64_t lo, uint64_t hi);
void gen_rng_fill(struct gen_rng *rng, uint8_t *buf, size_t len);
/* Exponentially distributed with the given mean (the gaps of a Poisson
 * process: motion events, user sessions), capped at 20 means. */
uint64_t gen_rng_exp(struct gen_rng *rng, uint64_t mean);

/* len (<= 65536) pseudo-random bytes for bulk payloads, read-only; cheap
 * because it is a slice of a fixed pool at an offset drawn from rng. */
const uint8_t *gen_random_bytes(struct gen_rng *rng, size_t len);

#endif /* EW_GEN_RNG_H */
