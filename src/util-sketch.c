/*
 * util-sketch.c - linear counting in a 512-bit bitmap (util-sketch.h).
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "util-sketch.h"

#define SKETCH_INDEX_BITS 9 /* log2(SKETCH_BITS) */

_Static_assert(SKETCH_BITS == 1u << SKETCH_INDEX_BITS, "SKETCH_BITS is 2^SKETCH_INDEX_BITS");

void sketch_clear(struct sketch *s)
{
	memset(s, 0, sizeof(*s));
}

/*
 * The bit for a hash: the top bits after a xorshift-multiply scramble.
 * Good hashes stay as good; weak ones (a caller passing port numbers as
 * they are) are randomised too.  Randomised matters: the estimator
 * assumes items land on bits at random, and a mere multiplication would
 * spread consecutive numbers so evenly that 500 ports read as 1049.
 */
static unsigned bit_of(uint64_t hash)
{
	hash ^= hash >> 31;
	hash *= 0x9e3779b97f4a7c15ULL;
	hash ^= hash >> 29;
	hash *= 0xbf58476d1ce4e5b9ULL;
	return (unsigned)(hash >> (64 - SKETCH_INDEX_BITS));
}

bool sketch_add(struct sketch *s, uint64_t hash)
{
	unsigned b = bit_of(hash);
	uint64_t mask = 1ULL << (b % 64);
	bool fresh = (s->bits[b / 64] & mask) == 0;

	s->bits[b / 64] |= mask;
	return fresh;
}

unsigned sketch_bits_set(const struct sketch *s)
{
	unsigned set = 0;

	for (unsigned i = 0; i < SKETCH_BITS / 64; i++)
		set += (unsigned)__builtin_popcountll(s->bits[i]);
	return set;
}

double sketch_estimate(const struct sketch *s)
{
	unsigned zeros = SKETCH_BITS - sketch_bits_set(s);

	if (zeros == 0)
		return SKETCH_CEILING;
	return -(double)SKETCH_BITS * log((double)zeros / (double)SKETCH_BITS);
}
