/*
 * util-hash.c - the seeded 64-bit hash of util-hash.h.
 *
 * A multiply-xorshift construction: each 8-byte word (read little-endian
 * byte by byte, so the result does not depend on the CPU's byte order or
 * on alignment) is scrambled on its own, xored into the state, and the
 * state multiplied and rotated; the tail is padded with zeros and the
 * length folded in, so "a" and "a\0" differ.  A final avalanche makes
 * every input bit reach every output bit.
 *
 * The constants and the order of operations are part of the on-disk
 * format of saved baselines (see the header): do not change them.
 */
#include <stdint.h>
#include <string.h>

#include "util-hash.h"

#define HASH_K1 0x9e3779b97f4a7c15ULL /* 2^64 / golden ratio, odd */
#define HASH_K2 0xd6e8feb86659fd93ULL
#define HASH_K3 0xa0761d6478bd642fULL

static uint64_t rotl64(uint64_t x, unsigned r)
{
	return (x << r) | (x >> (64 - r));
}

/* Xorshift-multiply rounds: a bijection of 64-bit words that avalanches. */
static uint64_t scramble(uint64_t x)
{
	x ^= x >> 32;
	x *= HASH_K2;
	x ^= x >> 29;
	x *= HASH_K3;
	x ^= x >> 32;
	return x;
}

/* Up to 8 bytes as a little-endian word; missing high bytes are 0. */
static uint64_t load_le(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

uint64_t ew_hash64(const void *data, size_t len, uint64_t seed)
{
	const uint8_t *p = data;
	uint64_t h = (seed + HASH_K3) ^ ((uint64_t)len * HASH_K1);
	size_t left = len;

	while (left >= 8) {
		h ^= scramble(load_le(p, 8) + HASH_K1);
		h = rotl64(h, 27) * HASH_K1 + HASH_K3;
		p += 8;
		left -= 8;
	}
	if (left > 0) {
		h ^= scramble(load_le(p, left) + HASH_K1);
		h = rotl64(h, 27) * HASH_K1 + HASH_K3;
	}
	return scramble(h ^ (h >> 31));
}

uint64_t ew_hash64_u64(uint64_t x, uint64_t seed)
{
	uint8_t b[8];

	for (unsigned i = 0; i < 8; i++)
		b[i] = (uint8_t)(x >> (8 * i));
	return ew_hash64(b, sizeof(b), seed);
}
