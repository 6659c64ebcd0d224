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

#endif /* EW_UTIL_HASH_H */
