/*
 * baseline-private.h - the baseline record, shared by baseline.c (the
 * scoring) and baseline-record.c (saving, restoring and summarising).
 * Nothing else includes it: everyone else goes through baseline.h.
 *
 * The record is flat (no pointers but the class cache, which records
 * clear), so that it can be written to disk as it is and checked field by
 * field when read back.
 */
#ifndef EW_BASELINE_PRIVATE_H
#define EW_BASELINE_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include "baseline.h"
#include "profile.h"
#include "score-damped.h"
#include "score-periodic.h"
#include "score-stats.h"
#include "util-sketch.h"

/* Items kept per category (baseline.c): endpoints matter most and vary most. */
extern const uint8_t baseline_profile_caps[BLC_COUNT];

/*
 * A destination the device opened flows to (address, protocol, server
 * port), for a restrict quarantine.  It becomes part of the baseline once
 * a bin it was used in closes without being anomalous (bins > 0); one
 * first used in an anomalous bin is forgotten when that bin closes, so an
 * attack's destinations never join the list an enforcement point would
 * keep open.
 */
struct bl_dest {
	struct ew_addr addr;
	uint8_t proto;
	bool in_open_bin;  /* used in the open bin: judged when it closes */
	bool learned;      /* used in a bin that closed while the device learned */
	uint16_t port;
	uint32_t flows;    /* flows opened to it, saturating */
	uint32_t bins;     /* non-anomalous bins it was used in, saturating */
	ew_usec_t first_us, last_us;
};

struct baseline {
	ew_usec_t first_us;
	uint64_t bin;          /* index of the open bin: ts / bin length */
	bool started;          /* bin is valid */
	bool learned;          /* learning ended early (--learn): detect at once */
	uint32_t time_jumps;   /* times packet time went back before the open bin */
	uint32_t overdue_total; /* regular contacts found late (broken periods) */
	bool bin_active;       /* something was counted in the open bin */
	bool bin_anomalous;    /* reported: keep the bin out of the statistics */
	uint32_t early_fired;  /* bit per judged value (BASELINE_JUDGED) reported in the open bin */

	/* The open bin. */
	double count[BLF_COUNT]; /* the counted features; distinct ones come from sketches */
	struct sketch sk_remote, sk_ports, sk_names, sk_internal, sk_external;
	double peak_rate;        /* highest short-term packet rate out in the bin */
	double peak_pair_rate;   /* highest short-term packet rate of one pair in the bin */
	uint64_t peak_pair_key;  /* that pair's key (the remote end's hash) */
	struct ew_addr peak_pair_addr; /* and its address */

	/* What was learned. */
	struct ew_stat stat[BLF_COUNT];
	struct holt holt[BLF_COUNT];
	struct ew_stat peak_rate_stat;
	struct ew_stat peak_pair_rate_stat;
	/* Decaying maximum of each judged value per bin. */
	double envelope[BASELINE_JUDGED];
	/* Levels at which each judged value becomes anomalous in the open bin (trip_level()). */
	double trip[BASELINE_JUDGED];
	bool trips_valid;
	uint32_t bins_learned;

	struct damped rate; /* packets out, value bytes */
	struct damped gap;  /* seconds between packets out (jitter) */
	/*
	 * Per remote end (the few busiest, least recently used replaced):
	 * packets both ways, value bytes (rate and size), and the gaps between
	 * them (jitter).
	 */
	struct damped_pairs pairs;
	struct bl_dest dest[BASELINE_DESTS_MAX];
	uint8_t ndest;

	/*
	 * The class priors last used, by class name: finding a class scans the
	 * model's list, which would otherwise happen for every packet.  Not
	 * saved (pointers): cleared in records.
	 */
	const struct model *cls_model;
	const struct model_class *cls;
	char cls_name[MODEL_CLASS_NAME_MAX];
	struct profile prof[BLC_COUNT];
	struct periodic_set periodic;
};

#endif /* EW_BASELINE_PRIVATE_H */
