/*
 * profile.c - a categorical profile: a small bounded set of items with
 * counts, and the bin arithmetic that says how settled it is (see
 * profile.h).
 *
 * The set is at most PROFILE_CAP_MAX items held inline and scanned
 * linearly: 32 key compares cost less than any hash table's bookkeeping,
 * and a baseline keeps five of these per device, so they must be small
 * and free of allocation.
 */
#include "profile.h"

#include <string.h>

void profile_init(struct profile *p, uint8_t cap)
{
	memset(p, 0, sizeof(*p));
	if (cap < 1)
		cap = 1;
	if (cap > PROFILE_CAP_MAX)
		cap = PROFILE_CAP_MAX;
	p->cap = cap;
}

/* Adds 1 unless already at the top: counters here never wrap to "rare". */
static uint32_t sat_inc(uint32_t v)
{
	return v == UINT32_MAX ? v : v + 1;
}

/* Copies at most PROFILE_LABEL_MAX - 1 bytes of label, NUL-terminated. */
static void set_label(struct profile_item *it, const char *label, size_t len)
{
	if (label == NULL)
		len = 0;
	if (len > PROFILE_LABEL_MAX - 1)
		len = PROFILE_LABEL_MAX - 1;
	if (len > 0)
		memcpy(it->label, label, len);
	it->label[len] = '\0';
}

/* The slot holding key, or -1. */
static int find_slot(const struct profile *p, uint64_t key)
{
	for (int i = 0; i < p->n; i++) {
		if (p->item[i].key == key)
			return i;
	}
	return -1;
}

const struct profile_item *profile_find(const struct profile *p, uint64_t key)
{
	int i = find_slot(p, key);

	return i < 0 ? NULL : &p->item[i];
}

/*
 * The slot a new item may take in a full set, or -1: the item with the
 * lowest count, the oldest last_us among equals (the lowest slot after
 * that, so the choice never depends on anything but the set), if it is
 * still rare enough to give up.
 */
static int victim(const struct profile *p)
{
	int v = 0;

	for (int i = 1; i < p->n; i++) {
		const struct profile_item *a = &p->item[i], *b = &p->item[v];

		if (a->count < b->count || (a->count == b->count && a->last_us < b->last_us))
			v = i;
	}
	return p->item[v].count < PROFILE_REPLACE_MAX_COUNT ? v : -1;
}

enum profile_seen profile_observe(struct profile *p, uint64_t key, const char *label, size_t len,
				  ew_usec_t ts)
{
	int slot = find_slot(p, key);
	struct profile_item *it;

	if (slot >= 0) {
		it = &p->item[slot];
		it->count = sat_inc(it->count);
		if (ts > it->last_us) /* captures merged out of order must not age an item */
			it->last_us = ts;
		if (it->label[0] == '\0')
			set_label(it, label, len);
		return PROFILE_KNOWN;
	}

	/* First seen: it makes this bin one with a new item, kept or not. */
	p->new_in_bin = true;
	if (p->n < p->cap) {
		slot = p->n++;
	} else {
		slot = victim(p);
		if (slot < 0) {
			p->dropped = sat_inc(p->dropped);
			return PROFILE_NEW;
		}
	}
	it = &p->item[slot];
	it->key = key;
	it->count = 1;
	it->first_us = it->last_us = ts;
	set_label(it, label, len);
	return PROFILE_NEW;
}

void profile_bin_closed(struct profile *p)
{
	p->bins = sat_inc(p->bins);
	if (p->new_in_bin)
		p->bins_since_new = 0;
	else
		p->bins_since_new = sat_inc(p->bins_since_new);
	p->new_in_bin = false;
}

double profile_settledness(const struct profile *p, uint32_t settle_bins)
{
	if (settle_bins == 0)
		return 1.0;
	if (p->bins < settle_bins)
		return 0.0;
	if (p->bins_since_new >= settle_bins)
		return 1.0;
	return (double)p->bins_since_new / (double)settle_bins;
}

/* True when a belongs before b in profile_top()'s order. */
static int top_before(const struct profile_item *a, const struct profile_item *b)
{
	if (a->count != b->count)
		return a->count > b->count;
	if (a->last_us != b->last_us)
		return a->last_us > b->last_us;
	return a->key < b->key;
}

size_t profile_top(const struct profile *p, const struct profile_item **out, size_t max)
{
	const struct profile_item *sorted[PROFILE_CAP_MAX];
	size_t n = p->n;

	/* Insertion sort of at most 32 pointers: simple and stable enough. */
	for (size_t i = 0; i < n; i++) {
		const struct profile_item *it = &p->item[i];
		size_t j = i;

		while (j > 0 && top_before(it, sorted[j - 1])) {
			sorted[j] = sorted[j - 1];
			j--;
		}
		sorted[j] = it;
	}
	if (n > max)
		n = max;
	for (size_t i = 0; i < n; i++)
		out[i] = sorted[i];
	return n;
}
