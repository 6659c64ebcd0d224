/*
 * incident.c - one incident per device and cause (see incident.h).
 *
 * Open incidents sit in a chained hash keyed by (device, cause) and on a
 * list in order of their last hit, so expiry looks only at the head: the
 * incident quiet the longest.  Hits arrive in packet-time order (the
 * engine's clock never goes back), so that list is also ordered by
 * last_us.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incident.h"
#include "util-hash.h"
#include "util-list.h"
#include "util-table.h"

struct incident_table {
	struct incident **bucket;
	uint32_t nbuckets; /* power of two */
	uint32_t cap;
	uint64_t quiet_us;
	incident_close_fn on_close;
	void *ctx;
	struct ew_list lru; /* head: quiet the longest */
	struct incident_stats st;
};

static const char *const severity_names[SEV_COUNT] = {
	"info", "low", "medium", "high", "critical",
};

const char *ew_severity_name(enum ew_severity s)
{
	return (unsigned)s < SEV_COUNT ? severity_names[s] : "unknown";
}

#define INCIDENT_HASH_SEED 0x5bd1e9955bd1e995ULL

/* The device key seeds the hash of the cause: (device, cause) as one value. */
static uint64_t key_hash(uint64_t device_key, const char *cause)
{
	return ew_hash64(cause, strlen(cause), ew_hash64_u64(device_key, INCIDENT_HASH_SEED));
}

/* The incident quiet the longest, or NULL. */
static struct incident *quietest(const struct incident_table *t)
{
	return EW_CONTAINER_OF(ew_list_first(&t->lru), struct incident, lru);
}

struct incident_table *incident_table_create(uint32_t cap, uint32_t quiet_s,
					     incident_close_fn on_close, void *ctx)
{
	struct incident_table *t;

	if (cap == 0)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->nbuckets = ew_buckets_for(cap);
	t->bucket = calloc(t->nbuckets, sizeof(*t->bucket));
	if (t->bucket == NULL) {
		free(t);
		return NULL;
	}
	t->cap = cap;
	t->quiet_us = (uint64_t)quiet_s * EW_USEC_PER_SEC;
	t->on_close = on_close;
	t->ctx = ctx;
	return t;
}

void incident_table_destroy(struct incident_table *t)
{
	struct ew_list_node *n, *next;

	if (t == NULL)
		return;
	/* Every open incident is on the list; the list is dropped with the table. */
	for (n = ew_list_first(&t->lru); n != NULL; n = next) {
		next = ew_list_next(n);
		free(EW_CONTAINER_OF(n, struct incident, lru));
	}
	free(t->bucket);
	free(t);
}

static struct incident **bucket_of(struct incident_table *t, uint64_t device_key,
				   const char *cause)
{
	return &t->bucket[key_hash(device_key, cause) & (t->nbuckets - 1)];
}

/* Unlinks, reports and frees one incident. */
static void close_incident(struct incident_table *t, struct incident *inc, bool forced)
{
	struct incident **pp = bucket_of(t, inc->device_key, inc->cause);

	while (*pp != NULL && *pp != inc)
		pp = &(*pp)->next;
	if (*pp == inc)
		*pp = inc->next;
	ew_list_remove(&t->lru, &inc->lru);
	inc->open = false;
	t->st.closed++;
	if (forced)
		t->st.forced_closed++;
	t->st.active--;
	if (t->on_close)
		t->on_close(t->ctx, inc, forced);
	free(inc);
}

static struct incident *find(struct incident_table *t, uint64_t device_key, const char *cause)
{
	for (struct incident *inc = *bucket_of(t, device_key, cause); inc; inc = inc->next)
		if (inc->device_key == device_key && strcmp(inc->cause, cause) == 0)
			return inc;
	return NULL;
}

static struct incident *open_incident(struct incident_table *t, uint64_t device_key,
				      const char *cause, ew_usec_t ts)
{
	struct incident *inc, *quiet = quietest(t);
	struct incident **b;

	if (t->st.active >= t->cap && quiet != NULL)
		close_incident(t, quiet, true);
	inc = calloc(1, sizeof(*inc));
	if (inc == NULL)
		return NULL;
	inc->device_key = device_key;
	snprintf(inc->cause, sizeof(inc->cause), "%s", cause);
	inc->id = ew_hash64_u64(ts, key_hash(device_key, inc->cause));
	inc->first_us = ts;
	inc->open = true;
	b = bucket_of(t, device_key, inc->cause);
	inc->next = *b;
	*b = inc;
	ew_list_append(&t->lru, &inc->lru);
	t->st.opened++;
	t->st.active++;
	if (t->st.active > t->st.peak_active)
		t->st.peak_active = t->st.active;
	return inc;
}

enum incident_action incident_hit(struct incident_table *t, uint64_t device_key,
				  const char *cause, enum ew_severity sev, double score,
				  ew_usec_t ts, struct incident **out)
{
	char key_cause[INCIDENT_CAUSE_MAX];
	struct incident *inc;
	enum incident_action act;

	/* Causes are rule ids or fixed names; a long one is cut the same way every time. */
	snprintf(key_cause, sizeof(key_cause), "%s", cause);
	cause = key_cause;
	inc = find(t, device_key, cause);
	*out = NULL;
	if (inc == NULL) {
		inc = open_incident(t, device_key, cause, ts);
		if (inc == NULL) {
			t->st.suppressed++;
			return INCIDENT_SUPPRESSED;
		}
		act = INCIDENT_OPENED;
	} else if ((unsigned)sev > inc->severity_reported ||
		   (score > 0 && score >= 2.0 * inc->score_reported)) {
		act = INCIDENT_ESCALATED;
	} else {
		act = INCIDENT_SUPPRESSED;
	}
	inc->hits++;
	if ((unsigned)sev > inc->severity)
		inc->severity = (uint8_t)sev;
	if (score > inc->score_max)
		inc->score_max = score;
	if (ts > inc->last_us)
		inc->last_us = ts;
	else if (inc->last_us == 0)
		inc->last_us = ts;
	ew_list_move_to_tail(&t->lru, &inc->lru);
	if (act == INCIDENT_SUPPRESSED) {
		inc->suppressed++;
		t->st.suppressed++;
	} else {
		inc->reports++;
		inc->severity_reported = inc->severity;
		inc->score_reported = inc->score_max;
		if (act == INCIDENT_ESCALATED)
			t->st.escalated++;
	}
	*out = inc;
	return act;
}

void incident_note_enforcement(struct incident_table *t, uint64_t device_key, const char *cause,
			       uint64_t id, const char *outcome, const char *enforcer)
{
	struct incident *inc = find(t, device_key, cause);

	if (inc == NULL || inc->id != id)
		return; /* closed since, or a later incident of the same cause */
	snprintf(inc->enforcement, sizeof(inc->enforcement), "%s", outcome);
	snprintf(inc->enforcer, sizeof(inc->enforcer), "%s", enforcer);
}

void incident_expire(struct incident_table *t, ew_usec_t now)
{
	struct incident *inc;

	while ((inc = quietest(t)) != NULL && inc->last_us + t->quiet_us < now)
		close_incident(t, inc, false);
}

void incident_flush(struct incident_table *t)
{
	struct incident *inc;

	while ((inc = quietest(t)) != NULL)
		close_incident(t, inc, false);
}

const struct incident_stats *incident_table_stats(const struct incident_table *t)
{
	return &t->st;
}
