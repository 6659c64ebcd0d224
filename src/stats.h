/*
 * stats.h - the end-of-run summary an operator reads on stderr.
 *
 * Packets, bytes, flows (by protocol and by how they ended), the
 * applications found, decoder events by name (errors apart from facts),
 * nDPI state use, speed and peak memory.
 */
#ifndef EW_STATS_H
#define EW_STATS_H

#include <stdint.h>
#include <stdio.h>

#include "engine.h"

struct run_info {
	unsigned files_ok, files_failed;
	double wall_s;       /* elapsed wall-clock time of the run */
	double cpu_s;        /* user + system CPU time */
	uint64_t peak_rss_kb;
};

/* Fills cpu_s and peak_rss_kb from getrusage(). */
void stats_fill_rusage(struct run_info *ri);

/*
 * Resident memory now (/proc/self/statm) and at most (getrusage), in KiB;
 * 0 for what cannot be read.
 */
void stats_memory_kb(uint64_t *rss_kb, uint64_t *peak_rss_kb);

void stats_write_summary(FILE *out, const char *prog, const struct engine *e,
			 const struct run_info *ri);

#endif /* EW_STATS_H */
