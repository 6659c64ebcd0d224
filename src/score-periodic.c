/*
 * score-periodic.c - recurring exchanges (score-periodic.h).
 *
 * The defaults, argued:
 *  - min_gap_s 2: a beacon is often several flows (a DNS query, then a
 *    TLS connection, sometimes a retry) within a second or so.  Taken as
 *    separate contacts they would make gaps of 0.1 s and 60 s alternate
 *    and no beacon would ever look regular.
 *  - rel_tol 0.1: firmware timers drift by far less than 1%, but the
 *    device's scheduler and the network add delay; 10% of the period is
 *    ample for that, while random traffic is far outside it (the gaps of
 *    a Poisson process deviate from their mean by 2/e = 74% of it on
 *    average).
 *  - abs_tol_s 2: for short periods 10% is below what one retransmitted
 *    SYN (1 s) or a queued packet adds; 2 s absorbs that.
 *  - overdue_k 4: four mean absolute deviations are five standard
 *    deviations of normal jitter, so a beacon that is merely late is
 *    almost never called missing.
 *  - overdue_slack_s 5: at least one resolver retry (5 s) past the
 *    expected time, for beacons whose jitter is near zero.
 *  - regular_after 5: five gaps (six contacts) before a key counts as
 *    regular, 5 minutes for a 60 s beacon.  Fewer would let a handful of
 *    coincidental contacts pass; for random traffic even one gap within
 *    10% of a mean of 60 s has probability ~7%.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "score-periodic.h"

/* Parameters are capped here: a day in seconds, or a factor of 1e6. */
#define PERIODIC_PARAM_MAX 86400.0

/* A parameter as used: NaN or negative gives 0, huge gives the cap. */
static double param(double v)
{
	if (!(v >= 0.0))
		return 0.0;
	return v > PERIODIC_PARAM_MAX ? PERIODIC_PARAM_MAX : v;
}

void periodic_params_default(struct periodic_params *pp)
{
	pp->min_gap_s = 2.0;
	pp->rel_tol = 0.1;
	pp->abs_tol_s = 2.0;
	pp->overdue_k = 4.0;
	pp->overdue_slack_s = 5.0;
	pp->regular_after = 5;
}

void periodic_set_init(struct periodic_set *ps)
{
	memset(ps, 0, sizeof(*ps));
}

static double tolerance_s(const struct periodic_entry *e, const struct periodic_params *pp)
{
	double rel = param(pp->rel_tol) * e->period_s;
	double abs_s = param(pp->abs_tol_s);

	return rel > abs_s ? rel : abs_s;
}

static int find_index(const struct periodic_set *ps, uint64_t key)
{
	for (unsigned i = 0; i < ps->n && i < PERIODIC_SLOTS; i++)
		if (ps->e[i].key == key)
			return (int)i;
	return -1;
}

const struct periodic_entry *periodic_find(const struct periodic_set *ps, uint64_t key)
{
	int i = find_index(ps, key);

	return i < 0 ? NULL : &ps->e[i];
}

/*
 * The slot for a new key.  When full, an IRREGULAR entry goes first (the
 * least recently contacted one): a known beacon is what this set is for,
 * and a burst of one-off contacts must not flush it.
 */
static struct periodic_entry *take_slot(struct periodic_set *ps)
{
	struct periodic_entry *victim = NULL, *oldest = &ps->e[0];

	if (ps->n < PERIODIC_SLOTS)
		return &ps->e[ps->n++];
	for (unsigned i = 0; i < PERIODIC_SLOTS; i++) {
		struct periodic_entry *e = &ps->e[i];

		if (e->last_us < oldest->last_us)
			oldest = e;
		if (e->state == PERIODIC_IRREGULAR && (victim == NULL || e->last_us < victim->last_us))
			victim = e;
	}
	if (ps->replaced < UINT32_MAX)
		ps->replaced++;
	return victim != NULL ? victim : oldest;
}

/* Folds a gap into period and jitter: plain average first, then PERIODIC_EW_ALPHA. */
static void fold_gap(struct periodic_entry *e, double gap_s)
{
	uint32_t gaps_before = e->n - 1; /* e->n >= 1 */

	if (gaps_before == 0) {
		e->period_s = gap_s;
		e->jitter_s = 0.0; /* one gap deviates from nothing */
	} else {
		double w = 1.0 / ((double)gaps_before + 1.0);

		if (w < PERIODIC_EW_ALPHA)
			w = PERIODIC_EW_ALPHA;
		e->jitter_s += w * (fabs(gap_s - e->period_s) - e->jitter_s);
		e->period_s += w * (gap_s - e->period_s);
	}
	if (e->n < UINT32_MAX)
		e->n++;
}

enum periodic_event periodic_observe(struct periodic_set *ps, uint64_t key, ew_usec_t ts,
				     const struct periodic_params *pp)
{
	int i = find_index(ps, key);

	if (i < 0) {
		struct periodic_entry *e = take_slot(ps);

		memset(e, 0, sizeof(*e));
		e->key = key;
		e->first_us = e->last_us = ts;
		e->n = 1;
		e->state = PERIODIC_IRREGULAR;
		return PERIODIC_EV_NONE;
	}

	struct periodic_entry *e = &ps->e[i];

	if (ts < e->last_us)
		return PERIODIC_EV_NONE; /* out of order: time only moves forward */
	double gap_s = (double)(ts - e->last_us) / (double)EW_USEC_PER_SEC;

	if (gap_s < param(pp->min_gap_s))
		return PERIODIC_EV_NONE; /* the same exchange */
	fold_gap(e, gap_s);
	e->last_us = ts;

	double tol = tolerance_s(e, pp);

	switch (e->state) {
	case PERIODIC_OVERDUE:
		e->state = e->jitter_s > 2.0 * tol ? PERIODIC_IRREGULAR : PERIODIC_REGULAR;
		return PERIODIC_EV_RESUMED;
	case PERIODIC_REGULAR:
		if (e->jitter_s > 2.0 * tol)
			e->state = PERIODIC_IRREGULAR;
		return PERIODIC_EV_NONE;
	default:
		if (e->n - 1 >= pp->regular_after && e->jitter_s <= tol) {
			e->state = PERIODIC_REGULAR;
			return PERIODIC_EV_BECAME_REGULAR;
		}
		return PERIODIC_EV_NONE;
	}
}

size_t periodic_overdue(struct periodic_set *ps, ew_usec_t now, const struct periodic_params *pp,
			unsigned *out, size_t max)
{
	size_t count = 0;

	for (unsigned i = 0; i < ps->n && i < PERIODIC_SLOTS && count < max; i++) {
		struct periodic_entry *e = &ps->e[i];

		if (e->state != PERIODIC_REGULAR || now <= e->last_us)
			continue;
		double late_s = param(pp->overdue_k) * e->jitter_s;
		double slack_s = param(pp->overdue_slack_s);
		double due_s = e->period_s + (late_s > slack_s ? late_s : slack_s);

		if ((double)(now - e->last_us) / (double)EW_USEC_PER_SEC > due_s) {
			e->state = PERIODIC_OVERDUE;
			out[count++] = i;
		}
	}
	return count;
}
