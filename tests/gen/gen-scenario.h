/*
 * gen-scenario.h - the generator's scenarios: smart-home, bench, flood,
 * and the long-running benign and attacks.
 *
 * A scenario produces frames through a struct gen_output that the caller
 * implements (pcapgen.c): frames may arrive out of time order, but never
 * earlier than the last horizon announced, so the output can sort them in
 * a bounded buffer.  The caller feeds every frame it actually writes to
 * its ground truth (gen-truth.h), in the mode gen_truth_mode_for() names.
 */
#ifndef EW_GEN_SCENARIO_H
#define EW_GEN_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gen-build.h"
#include "gen-truth.h"

enum gen_scenario_kind { GEN_SMART_HOME, GEN_FLOOD, GEN_BENCH, GEN_BENIGN, GEN_ATTACKS };

/* Simulated capture start: 2026-03-02T08:00:00Z. */
#define GEN_START_S 1772438400ULL
#define GEN_DEFAULT_SEED 1
#define GEN_SMART_HOME_S 300       /* smart-home's simulated duration */
#define GEN_FLOOD_FLOWS 1000000
#define GEN_BENCH_PACKETS 1000000
#define GEN_BENCH_SITES 256
#define GEN_DEVICES_PER_SITE 11    /* a home's devices, its router not counted */
#define GEN_BENIGN_S 86400         /* benign's default duration: one day */
#define GEN_BENIGN_SITES_MAX 4096  /* benign sites live on 10.0.N.0/24, N < 4096 */

struct gen_options {
	enum gen_scenario_kind scenario;
	enum gen_link link;
	bool ipv6;
	uint64_t seed;
	uint64_t max_packets; /* 0: none (bench: GEN_BENCH_PACKETS) */
	uint64_t flows;       /* flood: number of SYNs */
	uint32_t duration_s;  /* 0: the scenario's default */
	bool null_le;         /* DLT_NULL family written little-endian */
	uint32_t sites;       /* benign: homes (0: 1) */
	uint32_t warmup_s;    /* attacks: benign time before the first attack */
	uint32_t gap_s;       /* attacks: benign time between two attacks */
	uint32_t attack_mask; /* attacks: bit i runs enum attack_id i; 0: all */
};

struct gen_output {
	/* Takes a copy of one frame. */
	void (*frame)(void *ctx, uint64_t ts_us, const uint8_t *data, size_t len,
		      const struct gen_meta *meta);
	/* No frame before ts_us will follow: earlier ones may be written.
	 * Returns 0 to go on, 1 to stop (packet limit reached), -1 on error. */
	int (*horizon)(void *ctx, uint64_t ts_us);
	void *ctx;
	/* attacks: one attack is over; mac is the attacking device's, start
	 * and end the times of its first and last frame.  May be NULL. */
	void (*label)(void *ctx, const uint8_t mac[6], uint64_t start_us, uint64_t end_us,
		      const char *scenario);
};

/* Returns 0 and sets *kind, or -1 for an unknown scenario name. */
int gen_scenario_from_name(const char *name, enum gen_scenario_kind *kind);

/* Runs the scenario to completion (or until horizon() says stop) and
 * flushes with a final horizon of UINT64_MAX.  Returns 0 or -1. */
int gen_scenario_run(const struct gen_options *opt, const struct gen_output *out);

/* Device-days of traffic of a benign or attacks run whose last frame was
 * at last_us: devices (not routers) x sites x days since the start; 0
 * for the other scenarios. */
double gen_scenario_device_days(const struct gen_options *opt, uint64_t last_us);

/* The truth mode a scenario's ground truth uses. */
enum gen_truth_mode gen_truth_mode_for(enum gen_scenario_kind kind);

#endif /* EW_GEN_SCENARIO_H */
