/*
 * profile.h - one categorical profile of a device's baseline: a bounded
 * set of the items of one kind it has been seen with (remote endpoints,
 * application protocols, server ports, JA3 hashes, offered services; see
 * enum bl_category in model.h), each with a count, and how long the set
 * has gone without a first-seen item.
 *
 * The set knows nothing of what an item is: the caller hashes it into
 * `key` and passes a printable label for reports.  Keys are compared
 * whole; two items whose hashes collide are one item.
 *
 * Bounded: a profile holds at most `cap` items (<= PROFILE_CAP_MAX,
 * inline, no allocation; the struct is 2320 bytes on x86-64 whatever cap
 * is, so a device's five profiles take 11.3 KiB).  When it is full, a new item replaces the least
 * seen one only if that one is still rare (count below
 * PROFILE_REPLACE_MAX_COUNT); otherwise the new item is not kept and is
 * counted in `dropped`.  Either way it is reported as new.
 *
 * Settling.  Time is cut into bins by the caller (baseline.c), which
 * calls profile_bin_closed() at the end of each.  A bin in which some
 * item was first seen resets `bins_since_new` to 0; any other bin adds 1.
 * profile_settledness() reads only closed bins: an item new in the open
 * bin does not lower it until that bin closes.  So every novel item of a
 * bin is judged against the same settledness, whether it is asked before
 * or after the item is observed, and the first novel item of a bin does
 * not hide the ones after it.
 *
 * Ownership: a struct profile is plain data the caller embeds; nothing to
 * free.  Pointers from profile_find()/profile_top() point into it and are
 * valid until the next profile_observe() on it.
 */
#ifndef EW_PROFILE_H
#define EW_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "packet.h"

#define PROFILE_LABEL_MAX 40 /* bytes kept of an item's printable label, NUL included */

/*
 * A full set replaces its least seen item only when that item has been
 * seen fewer times than this.  Items seen once or twice are often noise (a
 * one-off lookup, an NTP pool member); an item seen this often is part of
 * what the device does.  Without the rule, a burst of distinct items (a
 * scan, a DGA, a spray of endpoints) would wash the learned items out and
 * make them "novel" again when the device next uses them.  With it, the
 * burst churns only among the rare slots and the learned items stay.
 */
#define PROFILE_REPLACE_MAX_COUNT 4u

struct profile_item {
	uint64_t key;          /* hash of the item (the caller's) */
	uint32_t count;        /* times seen (saturating) */
	ew_usec_t first_us, last_us;
	/*
	 * "api.tplinkcloud.com", "tcp/443": the label given when the item was
	 * added (or the first non-empty one after), cut at PROFILE_LABEL_MAX - 1
	 * bytes, NUL-terminated.  Raw bytes, cut without regard to UTF-8: the
	 * output layer escapes.  An embedded NUL ends the label early.
	 */
	char label[PROFILE_LABEL_MAX];
};

/* One category's bounded set. Fixed capacity given at init (<= PROFILE_CAP_MAX), items inline. */
#define PROFILE_CAP_MAX 16
struct profile {
	struct profile_item item[PROFILE_CAP_MAX];
	uint8_t n, cap;
	bool new_in_bin;           /* an item was first seen in the open bin */
	uint32_t dropped;          /* distinct items not kept (set full, replacement refused; saturating) */
	uint32_t bins_since_new;   /* closed bins since the last one with a first-seen item (saturating) */
	uint32_t bins;             /* closed bins in all (saturating) */
};

/* Empties p; cap clamped to 1..PROFILE_CAP_MAX. */
void profile_init(struct profile *p, uint8_t cap);

enum profile_seen { PROFILE_KNOWN = 0, PROFILE_NEW };

/*
 * Records one sighting of key at ts.  KNOWN: the count goes up (saturating)
 * and last_us moves to ts (never back).  NEW: the key was not in the set;
 * it is added with count 1 - into a free slot, or over the item with the
 * lowest count (the oldest last_us among equals, then the lowest slot) if
 * that count is below PROFILE_REPLACE_MAX_COUNT; else it is not kept and
 * `dropped` goes up.  Every NEW marks the open bin as having a new item.
 * label may be NULL or len 0 (an empty label).
 */
enum profile_seen profile_observe(struct profile *p, uint64_t key, const char *label, size_t len,
				  ew_usec_t ts);

/* The item with this key, or NULL.  A scan of at most PROFILE_CAP_MAX keys. */
const struct profile_item *profile_find(const struct profile *p, uint64_t key);

/* A bin closed: bins++, and bins_since_new++ unless an item was new in it (then 0). */
void profile_bin_closed(struct profile *p);

/*
 * 0..1: how settled the set is, as of the last closed bin:
 * min(1, bins_since_new / settle_bins), and 0 while bins < settle_bins (a
 * profile still filling cannot call anything novel).  settle_bins 0 means
 * no settling is asked for: 1 always.
 */
double profile_settledness(const struct profile *p, uint32_t settle_bins);

/*
 * Writes pointers to up to max items into out, highest count first (ties:
 * most recent last_us, then lowest key); returns how many.
 */
size_t profile_top(const struct profile *p, const struct profile_item **out, size_t max);

#endif /* EW_PROFILE_H */
