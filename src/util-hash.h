/*
 * util-hash.h - a small seeded 64-bit hash for bytes and strings.
 *
 * Not cryptographic: it spreads keys over tables and sketches and names
 * endpoints in saved baselines.  Because baselines are saved to disk and
 * read back by later versions, the value of ew_hash64() for given bytes
 * and seed is part of the on-disk format: it is the same on every CPU
 * (bytes are read little-endian whatever the host) and it MUST NEVER
 * CHANGE between versions.  tests/test-score.c pins known values; a
 * change that breaks them breaks every saved baseline.
 *
 * Against a remote party that picks keys to collide, use a secret seed.
 */
#ifndef EW_UTIL_HASH_H
#define EW_UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>

/* Hash of len bytes at data (data may be NULL when len is 0). */
uint64_t ew_hash64(const void *data, size_t len, uint64_t seed);

/* The same as ew_hash64() of x's 8 little-endian bytes, for numeric keys. */
uint64_t ew_hash64_u64(uint64_t x, uint64_t seed);

/*
 * splitmix64's finaliser: a bijection on 64 bits in which every input bit
 * affects every output bit; for folding words into a bucket or an id.
 * Flow ids are made with it (flow-key.c; tests/test-flow.c pins one), so
 * like ew_hash64() it MUST NEVER CHANGE.  Unseeded: not for keys a remote
 * party picks unless a chain bound or a seed stands behind it.
 */
static inline uint64_t ew_mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

#endif /* EW_UTIL_HASH_H */
