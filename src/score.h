/*
 * score.h - the behavioural scoring stage: from packets and flows to each
 * device's baseline, and from baselines to reports.
 *
 * For every IP packet the stage finds the device at each end (by MAC,
 * else by address inside the home networks; routers are skipped: they
 * carry other machines' traffic) and feeds its baseline: packets and bytes
 * each way, flows opened and accepted, DNS queries and the names in them,
 * failed connections (RST or ICMP unreachable received, SYN never
 * answered), the services it answers on, the application protocols and
 * JA3 of its flows.  DNS answers seen on the wire name the remote ends
 * (dns-cache.h), so a report says "first contact with evil.example"
 * rather than a bare address.  At each bin boundary every baseline closes
 * its bin, so windows are judged even for devices that went quiet.
 *
 * Reports go to the caller's callback with the device they concern; the
 * caller folds them into incidents and writes the events.
 *
 * Ownership: the stage owns its baselines and DNS cache; it borrows the
 * model and the device table, which must outlive it.
 */
#ifndef EW_SCORE_H
#define EW_SCORE_H

#include <stdbool.h>
#include <stdint.h>

#include "baseline-table.h"
#include "baseline.h"
#include "device-table.h"
#include "dns-cache.h"
#include "flow.h"
#include "model.h"

struct scorer;

/* A report about device d (NULL when its record was evicted meanwhile) with identity key. */
typedef void (*scorer_report_fn)(void *ctx, const struct device *d, uint64_t device_key,
				 const struct baseline_report *r);

struct scorer_stats {
	uint64_t packets_scored; /* packet ends fed to a baseline */
	uint64_t reports;        /* anomalous windows reported */
	uint64_t dns_queries;    /* queries counted */
	uint64_t no_baseline;    /* observations lost: the baseline could not be allocated */
};

/* NULL on allocation failure. */
struct scorer *scorer_create(const struct model *m, struct device_table *dt,
			     uint32_t max_baselines, uint32_t dns_cache_entries,
			     scorer_report_fn fn, void *ctx);
void scorer_destroy(struct scorer *s); /* accepts NULL */

/*
 * One IP packet of flow f in direction dir; new_flow when it opened the
 * flow.  Call after the flow table counted it.  The ends' devices and
 * baselines are remembered in the flow (its score_* fields).
 */
void scorer_packet(struct scorer *s, struct flow *f, enum flow_dir dir, bool new_flow,
		   const struct ew_packet *pkt);

/*
 * nDPI is done with flow f (decided or gave up) at now: its application
 * protocol ("" unknown) and JA3 join the client's profiles.  Called as
 * soon as detection ends, not when the flow does, so a long session seen
 * during learning is learned during learning.
 */
void scorer_flow_classified(struct scorer *s, const struct flow *f, const char *app,
			    ew_usec_t now);

/* Flow f ended at now (a SYN never answered counts as a failed connection). */
void scorer_flow_end(struct scorer *s, const struct flow *f, ew_usec_t now);

/* Packet time moved on to now: closes the bins that ended, for every baseline. */
void scorer_tick(struct scorer *s, ew_usec_t now);

/*
 * The device at one end of flow f (FLOW_TOSERVER: the client), by the MAC
 * of that end's first packet, else by its address inside the home
 * networks; NULL when none (an Internet host, a router's far side).
 */
struct device *scorer_flow_device(const struct scorer *s, const struct flow *f,
				  enum flow_dir side);

/*
 * The device pkt is addressed to, as scoring finds a packet's receiver:
 * by the frame's destination MAC, then by address, for a home address
 * only and never a router.  At a flow's first packet this finds the
 * server, whose MAC the flow learns only from its answer.
 */
struct device *scorer_packet_receiver(const struct scorer *s, const struct ew_packet *pkt);

/* The identity of a device, as baselines and incidents key it. */
uint64_t scorer_device_key(const struct device *d);

/* The name that resolved to addr on the wire, or NULL. */
const char *scorer_name_of(const struct scorer *s, const struct ew_addr *addr);

/* Whether addr is inside the home networks. */
bool scorer_is_internal(const struct scorer *s, const struct ew_addr *addr);

/* The model's settings and priors for device d (its class, else "default"). */
void scorer_env(const struct scorer *s, const struct device *d, struct baseline_env *env);

/* The device table was replaced (a damaged inventory was dropped): use dt from now on. */
void scorer_set_devices(struct scorer *s, struct device_table *dt);

/* Off: packets and flows pass by untouched (to measure what scoring costs). */
void scorer_set_enabled(struct scorer *s, bool enabled);

/* --learn: fold everything, report nothing. */
void scorer_set_learn_only(struct scorer *s, bool learn_only);

/* Ends every baseline's learning phase (after --learn). */
void scorer_end_learning(struct scorer *s);

/* The inventory's view of d's baseline at now; false when d has none. */
bool scorer_summary(struct scorer *s, const struct device *d, ew_usec_t now,
		    struct baseline_summary *out);

/* d's baseline destinations at now (baseline_destinations()); 0 when d has no baseline. */
size_t scorer_destinations(struct scorer *s, const struct device *d, ew_usec_t now,
			   struct baseline_dest *out, size_t max);

struct baseline_table *scorer_baselines(struct scorer *s);
const struct scorer_stats *scorer_stats(const struct scorer *s);
const struct dns_cache *scorer_dns(const struct scorer *s);

#endif /* EW_SCORE_H */
