/*
 * util-sketch.h - bounded distinct counting: linear counting (Whang,
 * Vander-Zanden and Taylor, 1990) in a fixed 512-bit bitmap.
 *
 * "Distinct remote addresses / ports / names per bin" in 64 bytes,
 * whatever a scanning device throws at it.  Each item sets one bit chosen
 * by its 64-bit hash; with z of the m bits still zero, the number of
 * distinct items is estimated as -m ln(z / m).  Items with equal hashes
 * count once, so the caller hashes with a seed (util-hash.h) if the items
 * come from the network.  No pointers: saved to disk as is.
 *
 * Accuracy, measured by tests/test-score.c (1000 bitmaps per size, random
 * items from a fixed-seed generator hashed with ew_hash64_u64), as
 * relative error of the estimate; the test asserts the bounds:
 *   distinct   mean |error|   worst of 1000   bias    asserted (mean/worst)
 *        1         0.1%           0.1%        +0.1%      0.2% /  0.2%
 *       10         1.7%          19.4%        +0.1%      3%   / 25%
 *      100         2.6%          10.6%        +0.1%      4%   / 15%
 *      500         3.1%          12.9%        +0.2%      4%   / 16%
 *     2000         6.6%          42.0%        +1.4%      9%   / 50%
 * One item reads 1.001; at 10 the worst case is two collisions (reads 8);
 * up to ~600 items (a bitmap a bit over two thirds full) the typical
 * error stays near 3%; at 2000 only ~10 bits are still zero and single
 * trials can be far off, so treat estimates past ~1500 as "very many".
 * The useful range ends around m ln m = 3194 items: when all bits are set
 * the estimate is that ceiling, SKETCH_CEILING.
 */
#ifndef EW_UTIL_SKETCH_H
#define EW_UTIL_SKETCH_H

#include <stdbool.h>
#include <stdint.h>

#define SKETCH_BITS 512
/*
 * m ln m for m = 512: the estimate with one zero bit left.  A full bitmap
 * answers this too, read as "at least this many".
 */
#define SKETCH_CEILING 3194.022208020228

struct sketch {
	uint64_t bits[SKETCH_BITS / 64];
};

void sketch_clear(struct sketch *s);

/* Adds an item by its 64-bit hash; returns true if it set a new bit (probably a new item). */
bool sketch_add(struct sketch *s, uint64_t hash);

/* Estimated distinct items: -m ln(zeros/m); when all bits are set, the documented ceiling (m ln m). */
double sketch_estimate(const struct sketch *s);

/* Bits set (0..SKETCH_BITS). */
unsigned sketch_bits_set(const struct sketch *s);

#endif /* EW_UTIL_SKETCH_H */
