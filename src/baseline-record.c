/*
 * baseline-record.c - a baseline as a flat record (saving and restoring,
 * with every field a damaged record could make dangerous checked), the
 * class cache, and the summary the inventory shows (see baseline.h).
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline-private.h"

void baseline_summarize(const struct baseline *b, const struct model *m, ew_usec_t now,
			struct baseline_summary *out)
{
	memset(out, 0, sizeof(*out));
	out->learning = baseline_learning(b, m, now);
	out->bins_learned = b->bins_learned;
	out->overdue_total = b->overdue_total;
	for (unsigned c = 0; c < BLC_COUNT; c++)
		out->items[c] = b->prof[c].n;
	for (unsigned i = 0; i < b->periodic.n && out->nbeacons < BASELINE_SUMMARY_BEACONS; i++) {
		const struct periodic_entry *e = &b->periodic.e[i];
		const struct profile_item *it;
		struct baseline_beacon *bc;

		if (e->state == PERIODIC_IRREGULAR)
			continue;
		bc = &out->beacon[out->nbeacons++];
		it = profile_find(&b->prof[BLC_ENDPOINT], e->key);
		snprintf(bc->endpoint, sizeof(bc->endpoint), "%s", it != NULL ? it->label : "");
		bc->period_s = e->period_s;
		bc->jitter_s = e->jitter_s;
		bc->contacts = e->n;
		bc->last_us = e->last_us;
		bc->overdue = e->state == PERIODIC_OVERDUE;
	}
}


size_t baseline_record_size(void)
{
	return sizeof(struct baseline);
}

void baseline_to_record(const struct baseline *b, void *record)
{
	struct baseline *copy = record;

	/* Baselines come from calloc, so padding bytes are zero: records compare equal. */
	memcpy(record, b, sizeof(*b));
	copy->cls_model = NULL;
	copy->cls = NULL;
	memset(copy->cls_name, 0, sizeof(copy->cls_name));
	copy->trips_valid = false;
	memset(copy->trip, 0, sizeof(copy->trip));
}

const struct model_class *baseline_class(struct baseline *b, const struct model *m,
					 const char *class_name)
{
	const char *name = class_name != NULL ? class_name : "";

	if (b->cls == NULL || b->cls_model != m || strncmp(b->cls_name, name, sizeof(b->cls_name)) != 0) {
		b->cls = model_class_for(m, name);
		b->cls_model = m;
		snprintf(b->cls_name, sizeof(b->cls_name), "%s", name);
	}
	return b->cls;
}

/* A bool read from a record must be 0 or 1 before the struct may hold it. */
static bool raw_bool_ok(const uint8_t *raw, size_t off)
{
	return raw[off] <= 1;
}

static bool finite_all(const double *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return false;
	return true;
}

static bool stat_ok(const struct ew_stat *s)
{
	return isfinite(s->mean) && isfinite(s->var) && isfinite(s->mad) && s->var >= 0 &&
	       s->mad >= 0;
}

static bool profile_ok(const struct profile *p, uint8_t cap)
{
	if (p->cap != cap || p->n > p->cap)
		return false;
	for (unsigned i = 0; i < PROFILE_CAP_MAX; i++)
		if (memchr(p->item[i].label, '\0', sizeof(p->item[i].label)) == NULL)
			return false;
	return true;
}

static bool periodic_ok(const struct periodic_set *ps)
{
	if (ps->n > PERIODIC_SLOTS)
		return false;
	for (unsigned i = 0; i < PERIODIC_SLOTS; i++) {
		const struct periodic_entry *e = &ps->e[i];

		if (e->state > PERIODIC_OVERDUE || !isfinite(e->period_s) || !isfinite(e->jitter_s))
			return false;
	}
	return true;
}

static bool damped_ok(const struct damped *d)
{
	return finite_all(d->w, DAMPED_NSCALES) && finite_all(d->ls, DAMPED_NSCALES) &&
	       finite_all(d->ss, DAMPED_NSCALES);
}

static bool pairs_ok(const struct damped_pairs *dp)
{
	if (dp->n > DAMPED_PAIRS)
		return false;
	for (unsigned i = 0; i < DAMPED_PAIRS; i++) {
		const struct damped_pair *p = &dp->p[i];

		if (!finite_all(&p->s[0][0], DAMPED_PAIR_NSCALES * DPS_COUNT))
			return false;
	}
	return true;
}

/* An address's family is one the formatter knows (0 for none). */
static bool addr_ok(const struct ew_addr *a)
{
	return a->family == 0 || a->family == EW_AF_INET || a->family == EW_AF_INET6;
}

static bool dests_ok(const struct baseline *b)
{
	if (b->ndest > BASELINE_DESTS_MAX)
		return false;
	for (unsigned i = 0; i < b->ndest; i++) {
		const struct bl_dest *d = &b->dest[i];

		if (d->addr.family == 0 || !addr_ok(&d->addr) ||
		    (d->proto != EW_IPPROTO_TCP && d->proto != EW_IPPROTO_UDP))
			return false;
	}
	return true;
}

struct baseline *baseline_from_record(const void *record, size_t len, char *why,
				      size_t whylen)
{
	static const size_t bool_offsets[] = {
		offsetof(struct baseline, started), offsetof(struct baseline, learned),
		offsetof(struct baseline, bin_active),
		offsetof(struct baseline, bin_anomalous),
	};
	static const size_t dest_bool_offsets[] = {
		offsetof(struct bl_dest, in_open_bin),
		offsetof(struct bl_dest, learned),
	};
	const uint8_t *raw = record;
	struct baseline *b;

	if (len != sizeof(*b)) {
		snprintf(why, whylen, "record of %zu bytes, expected %zu", len, sizeof(*b));
		return NULL;
	}
	for (size_t i = 0; i < sizeof(bool_offsets) / sizeof(bool_offsets[0]); i++)
		if (!raw_bool_ok(raw, bool_offsets[i]))
			goto bad;
	for (unsigned c = 0; c < BLC_COUNT; c++)
		if (!raw_bool_ok(raw, offsetof(struct baseline, prof) + c * sizeof(struct profile) +
					      offsetof(struct profile, new_in_bin)))
			goto bad;
	for (unsigned i = 0; i < BASELINE_DESTS_MAX; i++)
		for (size_t k = 0; k < sizeof(dest_bool_offsets) / sizeof(dest_bool_offsets[0]); k++)
			if (!raw_bool_ok(raw, offsetof(struct baseline, dest) +
						      i * sizeof(struct bl_dest) + dest_bool_offsets[k]))
				goto bad;
	b = malloc(sizeof(*b));
	if (b == NULL) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	memcpy(b, record, sizeof(*b));
	b->cls_model = NULL;
	b->cls = NULL;
	b->trips_valid = false;
	if (!finite_all(b->count, BLF_COUNT) || !isfinite(b->peak_rate) ||
	    !isfinite(b->peak_pair_rate) || !finite_all(b->envelope, BASELINE_JUDGED) ||
	    !stat_ok(&b->peak_rate_stat) || !stat_ok(&b->peak_pair_rate_stat) ||
	    !damped_ok(&b->rate) || !damped_ok(&b->gap) || !pairs_ok(&b->pairs) ||
	    !addr_ok(&b->peak_pair_addr) || !dests_ok(b) || !periodic_ok(&b->periodic))
		goto bad_free;
	for (unsigned f = 0; f < BLF_COUNT; f++)
		if (!stat_ok(&b->stat[f]) || !isfinite(b->holt[f].level) ||
		    !isfinite(b->holt[f].trend) || !isfinite(b->holt[f].resid_mad))
			goto bad_free;
	for (unsigned c = 0; c < BLC_COUNT; c++)
		if (!profile_ok(&b->prof[c], baseline_profile_caps[c]))
			goto bad_free;
	return b;
bad_free:
	free(b);
bad:
	snprintf(why, whylen, "a field holds an impossible value");
	return NULL;
}
