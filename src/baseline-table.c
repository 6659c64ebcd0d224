/*
 * baseline-table.c - baselines keyed by device identity (see baseline-table.h).
 *
 * A chained hash sized to the cap and a recency list; both O(1).
 */
#include <stdlib.h>

#include "baseline-table.h"
#include "util-hash.h"
#include "util-list.h"
#include "util-table.h"

struct entry {
	uint64_t key;
	struct baseline *b;
	struct entry *next;      /* hash chain */
	struct ew_list_node lru; /* on the table's recency list */
};

struct baseline_table {
	struct entry **bucket;
	uint32_t nbuckets; /* power of two */
	uint32_t cap;
	struct ew_list lru; /* head: used least recently */
	struct baseline_table_stats st;
};

struct baseline_table *baseline_table_create(uint32_t cap)
{
	struct baseline_table *t;

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
	return t;
}

static struct entry *entry_of(struct ew_list_node *n)
{
	return EW_CONTAINER_OF(n, struct entry, lru);
}

void baseline_table_destroy(struct baseline_table *t)
{
	struct ew_list_node *n, *next;

	if (t == NULL)
		return;
	/* Every entry is on the list; the list is dropped with the table. */
	for (n = ew_list_first(&t->lru); n != NULL; n = next) {
		struct entry *e = entry_of(n);

		next = ew_list_next(n);
		baseline_destroy(e->b);
		free(e);
	}
	free(t->bucket);
	free(t);
}

static struct entry **bucket_of(const struct baseline_table *t, uint64_t key)
{
	return &t->bucket[ew_hash64_u64(key, 0x62617365ULL) & (t->nbuckets - 1)];
}

static struct entry *find(const struct baseline_table *t, uint64_t key)
{
	for (struct entry *e = *bucket_of(t, key); e != NULL; e = e->next)
		if (e->key == key)
			return e;
	return NULL;
}

static void remove_entry(struct baseline_table *t, struct entry *e)
{
	struct entry **pp = bucket_of(t, e->key);

	while (*pp != NULL && *pp != e)
		pp = &(*pp)->next;
	if (*pp == e)
		*pp = e->next;
	ew_list_remove(&t->lru, &e->lru);
	baseline_destroy(e->b);
	free(e);
	t->st.active--;
}

/* Links a new entry for key holding b; evicts first when full.  NULL on OOM. */
static struct entry *insert(struct baseline_table *t, uint64_t key, struct baseline *b)
{
	struct entry *e, *oldest = entry_of(ew_list_first(&t->lru));
	struct entry **pp;

	if (t->st.active >= t->cap && oldest != NULL) {
		remove_entry(t, oldest);
		t->st.evicted++;
	}
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return NULL;
	e->key = key;
	e->b = b;
	pp = bucket_of(t, key);
	e->next = *pp;
	*pp = e;
	ew_list_append(&t->lru, &e->lru);
	t->st.active++;
	return e;
}

struct baseline *baseline_table_get(struct baseline_table *t, uint64_t key, ew_usec_t first_us,
				    bool create)
{
	struct entry *e = find(t, key);
	struct baseline *b;

	if (e != NULL) {
		ew_list_move_to_tail(&t->lru, &e->lru);
		return e->b;
	}
	if (!create)
		return NULL;
	b = baseline_create(first_us);
	if (b == NULL || insert(t, key, b) == NULL) {
		baseline_destroy(b);
		t->st.alloc_failed++;
		return NULL;
	}
	t->st.created++;
	return b;
}

int baseline_table_put(struct baseline_table *t, uint64_t key, struct baseline *b)
{
	struct entry *e = find(t, key);

	if (e != NULL)
		remove_entry(t, e);
	if (insert(t, key, b) == NULL) {
		baseline_destroy(b);
		t->st.alloc_failed++;
		return -1;
	}
	return 0;
}

void baseline_table_clear(struct baseline_table *t)
{
	struct entry *e;

	while ((e = entry_of(ew_list_first(&t->lru))) != NULL)
		remove_entry(t, e);
}

void baseline_table_foreach(struct baseline_table *t,
			    void (*fn)(void *ctx, uint64_t key, struct baseline *b), void *ctx)
{
	for (struct ew_list_node *n = ew_list_first(&t->lru); n != NULL; n = ew_list_next(n)) {
		const struct entry *e = entry_of(n);

		fn(ctx, e->key, e->b);
	}
}

const struct baseline_table_stats *baseline_table_stats(const struct baseline_table *t)
{
	return &t->st;
}
