/*
 * score-periodic.h - recurring exchanges (beacons) of one device.
 *
 * IoT devices contact the same endpoints at fixed periods: a cloud
 * keep-alive every 60 s, an NTP poll every 1024 s.  A new periodic
 * contact (a command-and-control beacon) or a broken period (a device
 * that stopped phoning home) must be visible.  A periodic_set follows up
 * to PERIODIC_SLOTS endpoints of one device, each by a 64-bit key (an
 * endpoint hash), estimating the period as an exponentially weighted mean
 * of the gaps between contacts and the jitter as the EW mean absolute
 * deviation of the gaps from that mean.  O(PERIODIC_SLOTS) per call, no
 * pointers: saved to disk as is.
 *
 * States: IRREGULAR until the entry has had regular_after gaps and its
 * jitter is within tolerance, max(rel_tol * period, abs_tol_s); then
 * REGULAR (event BECAME_REGULAR).  A REGULAR entry whose jitter grows
 * past twice the tolerance falls back to IRREGULAR (the hysteresis keeps
 * a beacon near the limit from flapping), and reports BECAME_REGULAR
 * again if it settles.  periodic_overdue() turns a REGULAR entry whose
 * next contact is late into OVERDUE, once; its next contact reports
 * RESUMED and makes it REGULAR again (or IRREGULAR if the long gap broke
 * the tolerance).  The long gap is folded in like any other, so a
 * device that lengthens its period for good stops being reported.
 *
 * Times only move forward: a contact earlier than the entry's last one
 * is ignored.  Parameters that are NaN or negative count as 0, larger
 * than 86400 as 86400.  Structs are zeroed on creation (padding too), so
 * they can be written to disk byte for byte.
 */
#ifndef EW_SCORE_PERIODIC_H
#define EW_SCORE_PERIODIC_H

#include <stddef.h>
#include <stdint.h>

#include "packet.h"

#define PERIODIC_SLOTS 16

/*
 * Weight of a new gap in the period and jitter once the first gaps have
 * been averaged plainly (weight max(this, 1/gaps)): about the last eight
 * gaps count, so a period change is followed within ten or so contacts.
 */
#define PERIODIC_EW_ALPHA 0.125

enum periodic_state { PERIODIC_IRREGULAR = 0, PERIODIC_REGULAR, PERIODIC_OVERDUE };

enum periodic_event { PERIODIC_EV_NONE = 0, PERIODIC_EV_BECAME_REGULAR, PERIODIC_EV_RESUMED };

struct periodic_entry {
	uint64_t key;
	ew_usec_t first_us, last_us;
	double period_s;     /* EW mean of inter-arrival gaps */
	double jitter_s;     /* EW mean absolute deviation of the gaps */
	uint32_t n;          /* contacts (gaps: n - 1), saturating */
	uint8_t state;       /* enum periodic_state */
};

struct periodic_set {
	struct periodic_entry e[PERIODIC_SLOTS];
	uint8_t n;         /* entries in use: e[0..n) */
	uint32_t replaced; /* entries evicted for a new key, saturating */
};

struct periodic_params {
	double min_gap_s, rel_tol, abs_tol_s, overdue_k, overdue_slack_s;
	uint32_t regular_after;
};

/*
 * Defaults (each argued in score-periodic.c):
 *   min_gap_s 2        one beacon is often a DNS query then a TLS flow
 *                      within a second or so: one exchange, not two
 *   rel_tol 0.1        firmware timers are exact to well under 1%; 10%
 *                      leaves room for scheduling and network delay yet
 *                      rejects random traffic (the gaps of a Poisson
 *                      source deviate by ~74% of their mean on average)
 *   abs_tol_s 2        short periods: a retransmitted SYN (1 s) or a
 *                      queued packet moves a 10 s beat by more than 10%
 *   overdue_k 4        4 jitters (~5 standard deviations of normal
 *                      jitter) past the expected time before a beat
 *                      counts as missed
 *   overdue_slack_s 5  at least the resolver's retry (5 s) past it
 *   regular_after 5    gaps (6 contacts) before a key counts as regular:
 *                      a 60 s beacon is recognised after 5 minutes, and
 *                      a few coincidental contacts are not enough
 */
void periodic_params_default(struct periodic_params *pp);

void periodic_set_init(struct periodic_set *ps);

/*
 * One contact with key at ts (contacts closer than min_gap_s to the
 * previous counted one are one exchange: ignore them).  Returns
 * BECAME_REGULAR the first time the key has had `regular_after` gaps
 * whose deviation from the mean stays within tolerance (jitter <=
 * max(rel_tol*period, abs_tol_s)); RESUMED when an OVERDUE key is
 * contacted again.  Replaces the least recently contacted IRREGULAR
 * entry (else the least recent) when full, counted.
 */
enum periodic_event periodic_observe(struct periodic_set *ps, uint64_t key, ew_usec_t ts,
				     const struct periodic_params *pp);

/*
 * Marks REGULAR keys whose next contact is later than last + period +
 * max(k*jitter, slack) as OVERDUE and writes up to max of their entries'
 * indexes to out; returns how many.  O(slots).  A late entry that does
 * not fit in out stays REGULAR and is reported by the next call, so each
 * missed beat is reported exactly once.
 */
size_t periodic_overdue(struct periodic_set *ps, ew_usec_t now, const struct periodic_params *pp,
			unsigned *out, size_t max);

/* The entry for key, or NULL. */
const struct periodic_entry *periodic_find(const struct periodic_set *ps, uint64_t key);

#endif /* EW_SCORE_PERIODIC_H */
