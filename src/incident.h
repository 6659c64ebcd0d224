/*
 * incident.h - folding detections into incidents: one per device and cause.
 *
 * A scan raises the same detection for every packet of every bin it
 * lasts; an operator wants one incident that opens, is updated while it
 * lasts and closes when it ends, with the count of repeats that were not
 * reported.  Every detection (a model window over threshold, a rule hit)
 * is a "hit" on the incident keyed by (device, cause); the table says
 * whether the hit deserves an event:
 *
 *   OPENED     the first hit, or the first after the previous incident of
 *              that key closed;
 *   ESCALATED  severity rose, or the score at least doubled since the
 *              last report (so a growing attack is seen growing);
 *   SUPPRESSED anything else (counted in the incident).
 *
 * An incident with no hit for quiet_s seconds of packet time closes
 * (incident_expire) and is reported once more with its totals.
 *
 * Bounded: at most cap open incidents; a hit that would open one more
 * closes the one quiet the longest first (counted as forced).
 *
 * Ownership: the table owns the incidents; pointers handed out stay
 * valid until the next incident_hit/expire/flush call.
 */
#ifndef EW_INCIDENT_H
#define EW_INCIDENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "packet.h"
#include "util-list.h"

enum ew_severity { SEV_INFO = 0, SEV_LOW, SEV_MEDIUM, SEV_HIGH, SEV_CRITICAL, SEV_COUNT };

/* "info", "low", "medium", "high", "critical". */
const char *ew_severity_name(enum ew_severity s);

#define INCIDENT_CAUSE_MAX 64 /* bytes of a cause, NUL included: "anomaly", a rule id */

struct incident {
	uint64_t id;          /* stable: hash of device, cause and first hit time */
	uint64_t device_key;  /* the device's identity (baseline.h: baseline_device_key) */
	char cause[INCIDENT_CAUSE_MAX];
	uint8_t severity;      /* enum ew_severity: the highest seen */
	uint8_t severity_reported;
	double score_max, score_reported;
	ew_usec_t first_us, last_us;
	uint32_t hits;         /* detections folded in, reported or not */
	uint32_t reports;      /* events written for it (open and escalations) */
	uint32_t suppressed;   /* hits that raised no event */
	bool open;
	/*
	 * What the enforcement point did with the quarantine it asked for
	 * (engine-enforcement.c): an outcome of docs/redis.md ("applied",
	 * "rejected", ...) and who reported it; "" while nothing is known.
	 */
	char enforcement[12];
	char enforcer[65];
	/* Table links, private to incident.c. */
	struct incident *next;   /* hash chain */
	struct ew_list_node lru; /* on the table's list in order of last hit */
};

enum incident_action { INCIDENT_OPENED, INCIDENT_ESCALATED, INCIDENT_SUPPRESSED };

struct incident_stats {
	uint64_t opened, escalated, suppressed, closed, forced_closed, active, peak_active;
};

struct incident_table;

/* Called for each incident that closes; the record is freed after the call. */
typedef void (*incident_close_fn)(void *ctx, const struct incident *inc, bool forced);

/* NULL on allocation failure.  cap >= 1; quiet_s: seconds without a hit before closing. */
struct incident_table *incident_table_create(uint32_t cap, uint32_t quiet_s,
					     incident_close_fn on_close, void *ctx);
void incident_table_destroy(struct incident_table *t); /* accepts NULL; no close calls */

/*
 * Folds one detection into the (device_key, cause) incident; *out is the
 * incident (valid until the next call).  NULL *out only when allocation
 * failed (then the return is SUPPRESSED and the hit is counted as such).
 */
enum incident_action incident_hit(struct incident_table *t, uint64_t device_key,
				  const char *cause, enum ew_severity sev, double score,
				  ew_usec_t ts, struct incident **out);

/*
 * An enforcement point's report on the quarantine the incident (device_key,
 * cause) with this id asked for: recorded in it while it is open (its later
 * events show it).  Strings are copied, cut to the fields' sizes.
 */
void incident_note_enforcement(struct incident_table *t, uint64_t device_key, const char *cause,
			       uint64_t id, const char *outcome, const char *enforcer);

/* Closes incidents with no hit for quiet_s before now. */
void incident_expire(struct incident_table *t, ew_usec_t now);

/* End of input: closes every open incident (not forced). */
void incident_flush(struct incident_table *t);

const struct incident_stats *incident_table_stats(const struct incident_table *t);

#endif /* EW_INCIDENT_H */
