/*
 * baseline.h - one device's behavioural baseline, and the scoring of what
 * it does against it.
 *
 * Time is cut into bins of model->bin_s seconds (aligned to the epoch, so
 * every device's bins line up).  While a bin is open the baseline counts
 * the device's numeric features (model.h: bytes, packets, flows, distinct
 * remote ends and ports, DNS queries and names, failed connections,
 * internal and external fan-out); when it closes, each feature is judged
 * against what the device usually does and folded into its statistics:
 *
 *  - learning (the device's first model->learn_s seconds): judged against
 *    its class's priors only, on a stricter threshold, so that a plug that
 *    opens 500 connections a minute is caught on day one;
 *  - detecting: judged against its own exponentially weighted mean and
 *    robust spread, a one-step forecast (Holt, with warm-up) and the
 *    envelope of its busiest bins (decaying over a week); a feature is as
 *    anomalous as the least alarmed of the three says, which keeps a slow
 *    daily trend or a nightly backup from looking like an attack.
 *
 * A window scored anomalous is kept out of the statistics, so an attack
 * does not teach the baseline that it is normal.  Counts that only grow
 * within a bin are also checked as they grow (O(1), the feature that
 * moved), so a scan is reported within seconds rather than at the end of
 * its minute.
 *
 * Categorical profiles (remote endpoints, application protocols, server
 * ports, JA3, offered services) record every item; after learning, a
 * first-seen item scores by how settled the profile was and how much the
 * class's novelty counts.  Recurring exchanges are tracked per endpoint,
 * so a new beacon (a contact that turned periodic after learning) is
 * reported.  Damped statistics over 0.2 s .. 100 s give the short-term
 * packet rate of the device, checked against its learned peak rate.
 *
 * Every report carries the evidence: each feature's observed value with
 * the mean and spread it was judged against and where they came from
 * (prior or learned), and each novel item with what the profile held.
 *
 * Memory: a baseline is one fixed-size allocation (sizeof is about 10 KiB,
 * dominated by the profiles); no per-packet allocation.
 * Ownership: the caller (the engine, through the device record) owns it.
 */
#ifndef EW_BASELINE_H
#define EW_BASELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "packet.h"
#include "profile.h"

struct baseline;

/*
 * The judged values of a report: the BLF_COUNT counted features
 * (model.h), then the device's short-term packet rate out, then the
 * short-term packet rate of its busiest pair (the device and one remote
 * end, packets both ways).
 */
#define BASELINE_RATE BLF_COUNT
#define BASELINE_PAIR_RATE (BLF_COUNT + 1)
#define BASELINE_JUDGED (BLF_COUNT + 2)

/* What a report explains (bounded, for one event). */
#define BASELINE_REPORT_FEATURES 3
#define BASELINE_REPORT_NOVEL 2
#define BASELINE_ITEM_MAX 128 /* bytes of a novel item's text in a report */

struct baseline_feature_report {
	uint8_t feature;   /* enum bl_feature, BASELINE_RATE or BASELINE_PAIR_RATE */
	bool prior;        /* judged against the class prior (learning) */
	bool forecast;     /* the forecast was the least alarmed judge */
	bool envelope;     /* the envelope (busiest bin remembered) was the least alarmed judge */
	double observed;   /* value in the window (per second for the rate) */
	double mean;       /* what the judge expected */
	double spread;     /* the spread it divided by (floored) */
	double z;          /* (observed - mean) / spread */
	double score;      /* its contribution to the window's score */
	/*
	 * The rates only (BASELINE_RATE, BASELINE_PAIR_RATE), from the damped
	 * statistics at the moment judged: packet size in bytes and the gap
	 * between packets in seconds (mean and standard deviation over the
	 * last seconds), and for the pair its remote end.
	 */
	bool has_shape;
	double size_mean, size_sd, gap_mean, gap_sd;
	bool has_remote;
	struct ew_addr remote;
};

struct baseline_novel_report {
	uint8_t category; /* enum bl_category */
	bool periodic;    /* a new recurring contact, not a first sight */
	char item[BASELINE_ITEM_MAX]; /* the item as observed, cut at BASELINE_ITEM_MAX - 1 bytes */
	double period_s;  /* periodic: the contact's period */
	uint32_t known;   /* items the profile held */
	uint32_t settled_bins; /* bins the profile had gone without a new item */
	double score;
};

struct baseline_report {
	ew_usec_t window_start, window_end; /* [start, end) judged: a bin, or its start to now */
	bool early;        /* judged on a bin still open */
	bool learning;     /* the device is still learning */
	double score;      /* the window's score: the largest contribution */
	double threshold;  /* model->anomaly_score */
	uint32_t bins_learned; /* bins folded into the statistics so far */
	size_t nfeatures;  /* features over threshold, highest score first */
	struct baseline_feature_report feature[BASELINE_REPORT_FEATURES];
	size_t nnovel;
	struct baseline_novel_report novel[BASELINE_REPORT_NOVEL];
};

/* What scoring judges with: the settings and the device's class priors. */
struct baseline_env {
	const struct model *model;
	const struct model_class *cls; /* model_class_for(model, the device's class) */
	/*
	 * Learn only (--learn on a capture known to be clean): every bin is
	 * folded into the statistics and nothing is reported.
	 */
	bool learn_only;
};

/* NULL on allocation failure.  first_us: the device's first sight. */
struct baseline *baseline_create(ew_usec_t first_us);
void baseline_destroy(struct baseline *b); /* accepts NULL */

/*
 * The observations.  Each returns true with *r filled when it made the
 * window anomalous (a report is due); false otherwise.  ts is packet time,
 * never earlier than a previous call's (the engine's clock).
 */

/*
 * A packet the device sent (out) or received, of `bytes` on the wire, with
 * a remote end (its hash, and its address, which a report may name).
 */
bool baseline_packet(struct baseline *b, const struct baseline_env *env, ew_usec_t ts, bool out,
		     uint32_t bytes, uint64_t remote_hash, const struct ew_addr *remote,
		     struct baseline_report *r);

/*
 * A flow the device opened (out) or that was opened to it.  remote_hash
 * identifies the remote address, endpoint_hash/label the remote end as a
 * person names it (DNS name where known, else the address); server_port
 * with proto ("tcp/443") is the port the flow went to; ports from 32768 up
 * are one item ("udp/32768+"): a reply to someone's ephemeral port is not
 * a new service.  profile false: count only, no profile or beacon
 * tracking (infrastructure such as DHCP).
 */
bool baseline_flow_start(struct baseline *b, const struct baseline_env *env, ew_usec_t ts,
			 bool out, uint64_t remote_hash, bool remote_internal,
			 uint64_t endpoint_hash, const char *endpoint_label, uint8_t proto,
			 uint16_t server_port, bool profile, struct baseline_report *r);

/*
 * The destination (address, TCP or UDP, server port) of a flow the device
 * opened, after baseline_flow_start() for it: remembered for a restrict
 * quarantine (baseline_destinations()).  Unicast destinations only; the
 * caller leaves out infrastructure and replies as it does for profiles.
 */
void baseline_destination(struct baseline *b, ew_usec_t ts, const struct ew_addr *addr,
			  uint8_t proto, uint16_t port);

/*
 * The device's baseline destinations at now, most used first, at most
 * max: those used in at least one bin that closed without being
 * anomalous, and either used while the device learned (or in what
 * --learn folded) or first used at least BASELINE_DEST_SETTLE_S before
 * now, so that what an attack opened in its first hour, before any
 * incident, is not kept open by a restrict.  At most BASELINE_DESTS_MAX
 * are remembered; when full, a new one replaces an unconfirmed one, else
 * the one used least recently.  How many were written.
 */
#define BASELINE_DESTS_MAX 16
#define BASELINE_DEST_SETTLE_S 3600u
struct baseline_dest {
	struct ew_addr addr;
	uint8_t proto;
	uint16_t port;
	uint32_t flows;
	ew_usec_t first_us, last_us;
};
size_t baseline_destinations(const struct baseline *b, ew_usec_t now, struct baseline_dest *out,
			     size_t max);

/* A connection of the device failed: SYN unanswered, RST received, ICMP unreachable. */
bool baseline_failed(struct baseline *b, const struct baseline_env *env, ew_usec_t ts,
		     struct baseline_report *r);

/* A DNS query it sent, by the hash of the name asked. */
bool baseline_dns_query(struct baseline *b, const struct baseline_env *env, ew_usec_t ts,
			uint64_t name_hash, struct baseline_report *r);

/* A categorical item (application protocol, JA3, offered service; endpoints come with flows). */
bool baseline_item(struct baseline *b, const struct baseline_env *env, ew_usec_t ts,
		   enum bl_category c, const char *label, struct baseline_report *r);

/*
 * Closes the device's bins that ended before now and scores the last one
 * that had activity.  The engine calls it at every bin boundary for every
 * device, so a window is judged when it ends even if the device went quiet.
 */
bool baseline_tick(struct baseline *b, const struct baseline_env *env, ew_usec_t now,
		   struct baseline_report *r);

/*
 * Ends the learning phase now (after --learn on a clean capture), so that
 * the next run detects from its first packet.
 */
void baseline_end_learning(struct baseline *b);

/*
 * Saving and restoring (baseline-store.h): a baseline is one flat record
 * of baseline_record_size() bytes with no pointers in it.  Restoring
 * checks every field a damaged record could make dangerous (set sizes,
 * string terminators, booleans, finite numbers) and returns NULL with the
 * reason in why when one is wrong.
 */
size_t baseline_record_size(void);
void baseline_to_record(const struct baseline *b, void *record);
struct baseline *baseline_from_record(const void *record, size_t len, char *why,
				      size_t whylen);

/*
 * The class priors for class_name, remembered in the baseline so that the
 * model's class list is scanned only when the device's class changes.
 */
const struct model_class *baseline_class(struct baseline *b, const struct model *m,
					 const char *class_name);

/* What the inventory shows of a baseline (baseline_summarize()). */
#define BASELINE_SUMMARY_BEACONS 8

struct baseline_beacon {
	char endpoint[PROFILE_LABEL_MAX]; /* as the endpoint profile names it; "" if it fell out */
	double period_s, jitter_s;
	uint32_t contacts;
	ew_usec_t last_us;
	bool overdue; /* its next contact is late: the period is broken */
};

struct baseline_summary {
	bool learning;
	uint32_t bins_learned;
	uint32_t items[BLC_COUNT]; /* profile sizes */
	size_t nbeacons;           /* regular or overdue contacts, at most BASELINE_SUMMARY_BEACONS */
	struct baseline_beacon beacon[BASELINE_SUMMARY_BEACONS];
	uint32_t overdue_total;    /* beacons found late so far */
};

/* Fills *out for the inventory at now. */
void baseline_summarize(const struct baseline *b, const struct model *m, ew_usec_t now,
			struct baseline_summary *out);

/* Read-only facts for outputs and tests. */
bool baseline_learning(const struct baseline *b, const struct model *m, ew_usec_t now);
uint32_t baseline_bins_learned(const struct baseline *b);
const struct profile *baseline_profile(const struct baseline *b, enum bl_category c);
/* The learned mean and spread of a feature (n = bins folded). */
void baseline_feature_stat(const struct baseline *b, enum bl_feature f, double *mean,
			   double *spread, uint32_t *n);

/* The profile capacity of each category (items kept). */
uint8_t baseline_profile_cap(enum bl_category c);

#endif /* EW_BASELINE_H */
