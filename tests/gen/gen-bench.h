/*
 * gen-bench.h - the heavy flows bench adds to its homes.
 */
#ifndef EW_GEN_BENCH_H
#define EW_GEN_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gen-home.h"

#define GEN_BENCH_EXTRA 3 /* most events bench adds to one site */

/* The events bench adds to site index, stored in out; returns how many. */
size_t bench_site_events(uint32_t index, const struct event_def *out[GEN_BENCH_EXTRA]);
/* A TLS connection to cl moving a few megabytes (an upload from d, or a
 * download), then closed and reopened a minute or more later. */
void bulk_start(struct site *st, struct device *d, int cl, bool upload, uint64_t t);

#endif /* EW_GEN_BENCH_H */
