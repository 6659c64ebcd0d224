/*
 * detect-rules-state.c - threshold counts: how often each client device
 * has matched each threshold rule in the current window.
 *
 * A fixed table of (rule, device) entries allocated at create, found
 * through a chained hash and kept in least-recently-used order: when
 * every entry is taken, a new pair takes the one untouched longest
 * (counted as an eviction), so a scan from many spoofed sources costs
 * counts, never memory.  Windows are tumbling: one starts at the first
 * match of the pair, the matches of the next `seconds` count toward
 * it, and the first match after that starts a new one.  A window fires
 * once, when its count reaches the threshold.
 *
 * Distinct counting keeps the values themselves (server addresses, or
 * ports), at most DETECT_DISTINCT_MAX of them, which the loader makes
 * the largest count a distinct threshold may have: the set is exact,
 * so 15 servers are 15, never "about 16".
 *
 * Time is the packets' time (the view's ts).  A view older than its
 * entry's window start (packets out of order) counts toward the current
 * window rather than starting one.
 */
#include <stdlib.h>
#include <string.h>

#include "detect-rules-private.h"

#define NIL UINT32_MAX

struct entry {
	uint64_t rule_key, dev_key;
	ew_usec_t window_start_us;
	uint32_t count;         /* matches in the window, or distinct values */
	bool fired;             /* this window has fired */
	uint32_t hnext;         /* hash chain, or free list */
	uint32_t lprev, lnext;  /* LRU order: head most recent */
	uint8_t vals[DETECT_DISTINCT_MAX][16];
};

struct detect_state {
	struct entry *e;
	size_t cap;
	uint32_t *bucket;
	size_t nbuckets;        /* a power of two */
	uint32_t lru_head, lru_tail, free_head;
	struct detect_state_stats stats;
};

static void reset(struct detect_state *st)
{
	for (size_t i = 0; i < st->nbuckets; i++)
		st->bucket[i] = NIL;
	for (size_t i = 0; i < st->cap; i++)
		st->e[i].hnext = i + 1 < st->cap ? (uint32_t)(i + 1) : NIL;
	st->free_head = 0;
	st->lru_head = st->lru_tail = NIL;
	st->stats.entries = 0;
}

struct detect_state *detect_state_create(size_t max_entries)
{
	struct detect_state *st;

	if (max_entries == 0 || max_entries > DETECT_STATE_MAX_ENTRIES)
		return NULL;
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return NULL;
	st->cap = max_entries;
	for (st->nbuckets = 1; st->nbuckets < max_entries; st->nbuckets <<= 1)
		;
	st->e = calloc(st->cap, sizeof(*st->e));
	st->bucket = calloc(st->nbuckets, sizeof(*st->bucket));
	if (st->e == NULL || st->bucket == NULL) {
		detect_state_destroy(st);
		return NULL;
	}
	st->stats.max_entries = max_entries;
	reset(st);
	return st;
}

void detect_state_destroy(struct detect_state *st)
{
	if (st == NULL)
		return;
	free(st->e);
	free(st->bucket);
	free(st);
}

void detect_state_clear(struct detect_state *st)
{
	if (st != NULL)
		reset(st);
}

const struct detect_state_stats *detect_state_stats(const struct detect_state *st)
{
	return &st->stats;
}

void detect_state_count_dropped(struct detect_state *st)
{
	if (st != NULL)
		st->stats.hits_dropped++;
}

/* splitmix64's finaliser: spreads keys that differ in few bits. */
static uint64_t mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static size_t slot_of(const struct detect_state *st, uint64_t rule_key, uint64_t dev_key)
{
	return (size_t)(mix(rule_key ^ mix(dev_key)) & (st->nbuckets - 1));
}

/*
 * The client's identity: its device key, or, for a client the device
 * table does not know (key 0), a key made of its address with the top
 * bit set, so that unknown clients are not all one.
 */
static uint64_t client_key(const struct detect_view *v)
{
	uint64_t k = 0;

	if (v->client_device_key != 0)
		return v->client_device_key;
	for (size_t i = 0; i < 16; i++)
		k = mix(k ^ v->client_addr.bytes[i]);
	return k | (1ull << 63);
}

static void lru_unlink(struct detect_state *st, uint32_t i)
{
	struct entry *e = &st->e[i];

	if (e->lprev != NIL)
		st->e[e->lprev].lnext = e->lnext;
	else
		st->lru_head = e->lnext;
	if (e->lnext != NIL)
		st->e[e->lnext].lprev = e->lprev;
	else
		st->lru_tail = e->lprev;
}

static void lru_push(struct detect_state *st, uint32_t i)
{
	struct entry *e = &st->e[i];

	e->lprev = NIL;
	e->lnext = st->lru_head;
	if (st->lru_head != NIL)
		st->e[st->lru_head].lprev = i;
	st->lru_head = i;
	if (st->lru_tail == NIL)
		st->lru_tail = i;
}

static void hash_unlink(struct detect_state *st, uint32_t i)
{
	uint32_t *p = &st->bucket[slot_of(st, st->e[i].rule_key, st->e[i].dev_key)];

	while (*p != NIL && *p != i)
		p = &st->e[*p].hnext;
	if (*p == i)
		*p = st->e[i].hnext;
}

/* A free entry, or the least recently used one taken from its pair. */
static uint32_t take_entry(struct detect_state *st)
{
	uint32_t i = st->free_head;

	if (i != NIL) {
		st->free_head = st->e[i].hnext;
		st->stats.entries++;
		return i;
	}
	i = st->lru_tail;
	lru_unlink(st, i);
	hash_unlink(st, i);
	st->stats.evictions++;
	return i;
}

static void start_window(struct detect_state *st, struct entry *e, ew_usec_t ts)
{
	e->window_start_us = ts;
	e->count = 0;
	e->fired = false;
	st->stats.windows++;
}

static struct entry *find_or_add(struct detect_state *st, uint64_t rule_key, uint64_t dev_key,
				 ew_usec_t ts)
{
	size_t slot = slot_of(st, rule_key, dev_key);
	uint32_t i;

	for (i = st->bucket[slot]; i != NIL; i = st->e[i].hnext) {
		if (st->e[i].rule_key == rule_key && st->e[i].dev_key == dev_key) {
			lru_unlink(st, i);
			lru_push(st, i);
			return &st->e[i];
		}
	}
	i = take_entry(st);
	st->e[i].rule_key = rule_key;
	st->e[i].dev_key = dev_key;
	st->e[i].hnext = st->bucket[slot];
	st->bucket[slot] = i;
	lru_push(st, i);
	start_window(st, &st->e[i], ts);
	return &st->e[i];
}

/* Adds the view's server address or port to the entry's set; true when new. */
static bool add_distinct(struct entry *e, const struct detect_rule *rule,
			 const struct detect_view *v)
{
	uint8_t val[16] = { 0 };

	if (rule->thr_kind == THR_DISTINCT_ADDR) {
		memcpy(val, v->server_addr.bytes, 16);
	} else {
		val[0] = (uint8_t)(v->server_port >> 8);
		val[1] = (uint8_t)v->server_port;
	}
	for (uint32_t i = 0; i < e->count; i++)
		if (memcmp(e->vals[i], val, 16) == 0)
			return false;
	/* The loader keeps thr_count <= DETECT_DISTINCT_MAX; this guards the array anyway. */
	if (e->count >= DETECT_DISTINCT_MAX)
		return false;
	memcpy(e->vals[e->count], val, 16);
	return true;
}

bool detect_state_count(struct detect_state *st, const struct detect_rule *rule,
			const struct detect_view *v)
{
	uint64_t window_us = (uint64_t)rule->thr_seconds * EW_USEC_PER_SEC;
	struct entry *e = find_or_add(st, rule->key, client_key(v), v->ts);

	if (v->ts > e->window_start_us && v->ts - e->window_start_us >= window_us)
		start_window(st, e, v->ts);
	if (e->fired)
		return false;
	if (rule->thr_kind == THR_COUNT)
		e->count++;
	else if (add_distinct(e, rule, v))
		e->count++;
	if (e->count < rule->thr_count)
		return false;
	e->fired = true;
	st->stats.fired++;
	return true;
}
