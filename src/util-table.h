/*
 * util-table.h - how many buckets a bounded chained hash table gets.
 *
 * The tables keyed by device (baseline-table.c) and by (device, cause)
 * (incident.c) size their bucket array once, at create time, to their
 * cap: a power of two (so a bucket is `hash & (n - 1)`) at least the cap,
 * so that full chains average one entry, and never under
 * EW_BUCKETS_MIN nor over EW_BUCKETS_MAX (past that, chains grow longer
 * rather than the array growing past 128 MiB of pointers).
 *
 * Ownership: none; a pure function of its argument.
 */
#ifndef EW_UTIL_TABLE_H
#define EW_UTIL_TABLE_H

#include <stdint.h>

#define EW_BUCKETS_MIN 16u
#define EW_BUCKETS_MAX (1u << 24)

/* The smallest power of two >= cap, clamped to [EW_BUCKETS_MIN, EW_BUCKETS_MAX]. */
static inline uint32_t ew_buckets_for(uint32_t cap)
{
	uint32_t n = EW_BUCKETS_MIN;

	while (n < cap && n < EW_BUCKETS_MAX)
		n <<= 1;
	return n;
}

#endif /* EW_UTIL_TABLE_H */
