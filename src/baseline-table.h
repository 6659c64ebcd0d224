/*
 * baseline-table.h - the baselines of every device, keyed by device identity.
 *
 * Baselines live apart from the device records so that each module owns
 * its memory: a device evicted from the device table may come back with
 * the baseline it had, and the baselines can be saved and loaded on their
 * own.  Bounded: at most cap baselines; a new one in a full table replaces
 * the one used least recently (counted).
 *
 * Ownership: the table owns every baseline; a pointer from
 * baseline_table_get() is valid until the next get (which may evict).
 */
#ifndef EW_BASELINE_TABLE_H
#define EW_BASELINE_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "baseline.h"

struct baseline_table;

struct baseline_table_stats {
	uint64_t active, created, evicted, alloc_failed;
};

struct baseline_table *baseline_table_create(uint32_t cap); /* NULL on allocation failure */
void baseline_table_destroy(struct baseline_table *t);      /* accepts NULL */

/* The baseline of device key, created with first_us when create is set; NULL if none/OOM. */
struct baseline *baseline_table_get(struct baseline_table *t, uint64_t key, ew_usec_t first_us,
				    bool create);

/* Drops every baseline (a damaged file was half loaded). */
void baseline_table_clear(struct baseline_table *t);

/* Calls fn for every baseline, least recently used first. */
void baseline_table_foreach(struct baseline_table *t,
			    void (*fn)(void *ctx, uint64_t key, struct baseline *b), void *ctx);

/*
 * Adopts a baseline built elsewhere (loading saved state) under key,
 * replacing any it held.  -1 on allocation failure (b is then freed).
 */
int baseline_table_put(struct baseline_table *t, uint64_t key, struct baseline *b);

const struct baseline_table_stats *baseline_table_stats(const struct baseline_table *t);

#endif /* EW_BASELINE_TABLE_H */
