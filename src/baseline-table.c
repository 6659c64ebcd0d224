/*
 * baseline-table.c - baselines keyed by device identity (see baseline-table.h).
 *
 * A chained hash sized to the cap and a recency list; both O(1).
 */
#include <stdlib.h>

#include "baseline-table.h"
#include "util-hash.h"

struct entry {
	uint64_t key;
	struct baseline *b;
	struct entry *next;              /* hash chain */
	struct entry *lru_prev, *lru_next; /* head: used least recently */
};

struct baseline_table {
	struct entry **bucket;
	uint32_t nbuckets; /* power of two */
	uint32_t cap;
	struct entry *lru_head, *lru_tail;
	struct baseline_table_stats st;
};

struct baseline_table *baseline_table_create(uint32_t cap)
{
	struct baseline_table *t;
	uint32_t n = 16;

	if (cap == 0)
		return NULL;
	while (n < cap && n < (1u << 24))
		n <<= 1;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->bucket = calloc(n, sizeof(*t->bucket));
	if (t->bucket == NULL) {
		free(t);
		return NULL;
	}
	t->nbuckets = n;
	t->cap = cap;
	return t;
}

void baseline_table_destroy(struct baseline_table *t)
{
	struct entry *e, *next;

	if (t == NULL)
		return;
	for (e = t->lru_head; e != NULL; e = next) {
		next = e->lru_next;
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

static void lru_unlink(struct baseline_table *t, struct entry *e)
{
	if (e->lru_prev)
		e->lru_prev->lru_next = e->lru_next;
	else
		t->lru_head = e->lru_next;
	if (e->lru_next)
		e->lru_next->lru_prev = e->lru_prev;
	else
		t->lru_tail = e->lru_prev;
	e->lru_prev = e->lru_next = NULL;
}

static void lru_append(struct baseline_table *t, struct entry *e)
{
	e->lru_prev = t->lru_tail;
	e->lru_next = NULL;
	if (t->lru_tail)
		t->lru_tail->lru_next = e;
	else
		t->lru_head = e;
	t->lru_tail = e;
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
	lru_unlink(t, e);
	baseline_destroy(e->b);
	free(e);
	t->st.active--;
}

/* Links a new entry for key holding b; evicts first when full.  NULL on OOM. */
static struct entry *insert(struct baseline_table *t, uint64_t key, struct baseline *b)
{
	struct entry *e;
	struct entry **pp;

	if (t->st.active >= t->cap && t->lru_head != NULL) {
		remove_entry(t, t->lru_head);
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
	lru_append(t, e);
	t->st.active++;
	return e;
}

struct baseline *baseline_table_get(struct baseline_table *t, uint64_t key, ew_usec_t first_us,
				    bool create)
{
	struct entry *e = find(t, key);
	struct baseline *b;

	if (e != NULL) {
		lru_unlink(t, e);
		lru_append(t, e);
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
	while (t->lru_head != NULL)
		remove_entry(t, t->lru_head);
}

void baseline_table_foreach(struct baseline_table *t,
			    void (*fn)(void *ctx, uint64_t key, struct baseline *b), void *ctx)
{
	for (struct entry *e = t->lru_head; e != NULL; e = e->lru_next)
		fn(ctx, e->key, e->b);
}

const struct baseline_table_stats *baseline_table_stats(const struct baseline_table *t)
{
	return &t->st;
}
