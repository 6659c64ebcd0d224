/*
 * dns-cache.c - addresses to the names they were looked up as, from DNS
 * responses (see dns-cache.h for what is recorded and why).
 *
 * Parsing is fingerprint-dns.c's: dns_parse() walks the whole message
 * with its bounds and compression-loop checks and keeps the first
 * DNS_MAX_RECORDS_KEPT records decoded; this file only reads that
 * summary - it never touches message bytes itself.
 *
 * Storage is one array of `capacity` entries, a power-of-two array of
 * hash-chain heads (at least twice the entries, so chains stay short),
 * and a doubly linked list through the entries in order of their last
 * answer, all linked by index.  Slots are handed out in order until the
 * array is full; after that a new address takes the slot of the entry it
 * evicts, so nothing is ever freed before destroy.
 */
#include "dns-cache.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fingerprint-dns.h"
#include "util-hash.h"

#define NIL UINT32_MAX /* no entry: end of a chain or of the LRU list */

#define DNS_OPCODE_QUERY 0
#define DNS_RCODE_NOERROR 0

struct dc_entry {
	struct ew_addr addr;
	uint32_t ttl_s;
	ew_usec_t answered_us;
	uint64_t seq;                /* order of last answer, for the oldest in a chain */
	uint32_t chain_next;         /* next entry in the same hash chain */
	uint32_t lru_prev, lru_next; /* towards the newest, towards the oldest */
	char name[DNS_CACHE_NAME_MAX];
};

struct dns_cache {
	struct dc_entry *entry;
	uint32_t capacity, used; /* slots handed out so far: entry[0, used) */
	uint32_t *chain_head;
	uint32_t bucket_mask;
	uint32_t newest, oldest; /* ends of the LRU list */
	uint64_t seq;
	struct dns_cache_stats st;
	/* Scratch for dns_parse(): 10.5 KiB that need not sit on the caller's stack. */
	struct dns_info info;
};

/* ------------------------------------------------------------- memory */

struct dns_cache *dns_cache_create(uint32_t capacity)
{
	struct dns_cache *c;
	uint32_t nbuckets = 1;

	if (capacity < 1)
		capacity = 1;
	if (capacity > DNS_CACHE_CAPACITY_MAX)
		capacity = DNS_CACHE_CAPACITY_MAX;
	while (nbuckets < 2 * capacity) /* no overflow: capacity <= 2^18 */
		nbuckets <<= 1;

	c = calloc(1, sizeof(*c));
	if (c == NULL)
		goto fail;
	c->entry = calloc(capacity, sizeof(*c->entry));
	c->chain_head = malloc(nbuckets * sizeof(*c->chain_head));
	if (c->entry == NULL || c->chain_head == NULL)
		goto fail;
	for (uint32_t i = 0; i < nbuckets; i++)
		c->chain_head[i] = NIL;
	c->capacity = capacity;
	c->bucket_mask = nbuckets - 1;
	c->newest = c->oldest = NIL;
	return c;
fail:
	dns_cache_destroy(c);
	return NULL;
}

void dns_cache_destroy(struct dns_cache *c)
{
	if (c == NULL)
		return;
	free(c->entry);
	free(c->chain_head);
	free(c);
}

const struct dns_cache_stats *dns_cache_stats(const struct dns_cache *c)
{
	return &c->st;
}

/* ------------------------------------------------------------ hashing */

/* Unseeded, so addresses can be picked to collide: DNS_CACHE_CHAIN_MAX bounds the damage. */
static uint32_t bucket_of(const struct dns_cache *c, const struct ew_addr *a)
{
	uint64_t hi, lo;

	memcpy(&hi, a->bytes, 8);
	memcpy(&lo, a->bytes + 8, 8);
	return (uint32_t)(ew_mix64(hi ^ ew_mix64(lo ^ a->family)) & c->bucket_mask);
}

static bool addr_eq(const struct ew_addr *a, const struct ew_addr *b)
{
	return a->family == b->family && memcmp(a->bytes, b->bytes, sizeof(a->bytes)) == 0;
}

/* --------------------------------------------------- lists by index */

static void lru_unlink(struct dns_cache *c, uint32_t i)
{
	struct dc_entry *e = &c->entry[i];

	if (e->lru_prev != NIL)
		c->entry[e->lru_prev].lru_next = e->lru_next;
	else
		c->newest = e->lru_next;
	if (e->lru_next != NIL)
		c->entry[e->lru_next].lru_prev = e->lru_prev;
	else
		c->oldest = e->lru_prev;
	e->lru_prev = e->lru_next = NIL;
}

static void lru_push_newest(struct dns_cache *c, uint32_t i)
{
	struct dc_entry *e = &c->entry[i];

	e->lru_prev = NIL;
	e->lru_next = c->newest;
	if (c->newest != NIL)
		c->entry[c->newest].lru_prev = i;
	else
		c->oldest = i;
	c->newest = i;
}

/* Takes entry i out of its chain and the LRU list; its slot is then free to reuse. */
static void evict(struct dns_cache *c, uint32_t i)
{
	uint32_t *link = &c->chain_head[bucket_of(c, &c->entry[i].addr)];

	while (*link != NIL && *link != i)
		link = &c->entry[*link].chain_next;
	if (*link == i)
		*link = c->entry[i].chain_next;
	lru_unlink(c, i);
	c->st.evicted++;
}

/* ------------------------------------------------------------ entries */

static void fill(struct dns_cache *c, uint32_t i, const char *name, ew_usec_t ts, uint32_t ttl_s)
{
	struct dc_entry *e = &c->entry[i];
	size_t n = strlen(name); /* < DNS_CACHE_NAME_MAX, checked by the caller */

	memcpy(e->name, name, n + 1);
	e->answered_us = ts;
	e->ttl_s = ttl_s;
	e->seq = ++c->seq;
}

/* Records addr -> name, refreshing the entry if addr is held. */
static void record(struct dns_cache *c, const struct ew_addr *addr, const char *name,
		   ew_usec_t ts, uint32_t ttl_s)
{
	uint32_t b = bucket_of(c, addr);
	uint32_t len = 0, chain_oldest = NIL, slot;

	for (uint32_t i = c->chain_head[b]; i != NIL; i = c->entry[i].chain_next) {
		if (addr_eq(&c->entry[i].addr, addr)) {
			fill(c, i, name, ts, ttl_s);
			lru_unlink(c, i);
			lru_push_newest(c, i);
			c->st.replaced++;
			return;
		}
		if (chain_oldest == NIL || c->entry[i].seq < c->entry[chain_oldest].seq)
			chain_oldest = i;
		len++;
	}

	/*
	 * A chain this long only comes from addresses chosen to collide: make
	 * room in it rather than let lookups slow down.  Evicting changes the
	 * chain, so b's head is read again after.
	 */
	if (len >= DNS_CACHE_CHAIN_MAX) {
		slot = chain_oldest;
		evict(c, slot);
	} else if (c->used < c->capacity) {
		slot = c->used++;
		c->st.entries++;
	} else {
		slot = c->oldest;
		evict(c, slot);
	}

	c->entry[slot].addr = *addr;
	fill(c, slot, name, ts, ttl_s);
	c->entry[slot].chain_next = c->chain_head[b];
	c->chain_head[b] = slot;
	lru_push_newest(c, slot);
	c->st.inserted++;
}

static const struct dc_entry *find(const struct dns_cache *c, const struct ew_addr *addr)
{
	if (c == NULL || addr == NULL)
		return NULL;
	for (uint32_t i = c->chain_head[bucket_of(c, addr)]; i != NIL; i = c->entry[i].chain_next) {
		if (addr_eq(&c->entry[i].addr, addr))
			return &c->entry[i];
	}
	return NULL;
}

const char *dns_cache_lookup_info(const struct dns_cache *c, const struct ew_addr *addr,
				  ew_usec_t *answered_us, uint32_t *ttl_s)
{
	const struct dc_entry *e = find(c, addr);

	if (e == NULL)
		return NULL;
	if (answered_us != NULL)
		*answered_us = e->answered_us;
	if (ttl_s != NULL)
		*ttl_s = e->ttl_s;
	return e->name;
}

const char *dns_cache_lookup(const struct dns_cache *c, const struct ew_addr *addr)
{
	return dns_cache_lookup_info(c, addr, NULL, NULL);
}

/* ----------------------------------------------------------- responses */

/* DNS names compare without regard to ASCII case (RFC 4343); other bytes exactly. */
static bool name_eq(const char *a, const char *b)
{
	for (;; a++, b++) {
		unsigned char x = (unsigned char)*a, y = (unsigned char)*b;

		if (x >= 'A' && x <= 'Z')
			x = (unsigned char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (unsigned char)(y - 'A' + 'a');
		if (x != y)
			return false;
		if (x == '\0')
			return true;
	}
}

/*
 * The names that stand for the question: the question's own and every
 * CNAME target reached from it through the answer section.  At most one
 * name per kept record plus the question's.
 */
struct alias_set {
	const char *name[DNS_MAX_RECORDS_KEPT + 1];
	size_t n;
};

static bool alias_has(const struct alias_set *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++) {
		if (name_eq(s->name[i], name))
			return true;
	}
	return false;
}

static bool usable(const struct dns_record *r)
{
	return r->section == DNS_SECTION_ANSWER && !r->rdata_bad &&
	       (r->class_ & DNS_CLASS_MASK) == DNS_CLASS_IN;
}

/*
 * Follows CNAMEs from the question.  Each pass adds at least one name or
 * stops, and a name is added once, so a loop of CNAMEs (a -> b -> a)
 * ends, after at most DNS_MAX_RECORDS_KEPT passes over as many records.
 */
static void follow_cnames(const struct dns_info *info, struct alias_set *s)
{
	bool grew = true;

	while (grew) {
		grew = false;
		for (size_t i = 0; i < info->nanswers; i++) {
			const struct dns_record *r = &info->answers[i];
			const char *target = dns_text(info, r->target);

			if (!usable(r) || r->type != DNS_TYPE_CNAME || target[0] == '\0')
				continue;
			if (!alias_has(s, dns_text(info, r->name)) || alias_has(s, target))
				continue;
			if (s->n < sizeof(s->name) / sizeof(s->name[0])) {
				s->name[s->n++] = target;
				grew = true;
			}
		}
	}
}

/* Whether a well-formed message is one whose answers we record; sets *qname. */
static bool answerable(const struct dns_info *info, const char **qname)
{
	const struct dns_record *q = &info->questions[0];

	if (!info->is_response || DNS_OPCODE(info->flags) != DNS_OPCODE_QUERY ||
	    DNS_RCODE(info->flags) != DNS_RCODE_NOERROR)
		return false;
	/* Several questions in one message are legal on paper and unused in practice. */
	if (info->qdcount != 1 || info->nquestions != 1)
		return false;
	if ((q->class_ & DNS_CLASS_MASK) != DNS_CLASS_IN)
		return false;
	*qname = dns_text(info, q->name);
	/* Plain names fit (253 chars at most); only escaped bytes make one longer. */
	return strlen(*qname) < DNS_CACHE_NAME_MAX;
}

int dns_cache_add_response(struct dns_cache *c, const uint8_t *msg, size_t len, ew_usec_t ts)
{
	const struct dns_info *info;
	struct alias_set aliases;
	const char *qname;
	int recorded = 0;

	if (c == NULL)
		return -1;
	if (dns_parse(msg, len, &c->info) != DNS_OK) {
		c->st.malformed++;
		return -1;
	}
	info = &c->info;
	if (!answerable(info, &qname)) {
		c->st.ignored++;
		return 0;
	}

	aliases.name[0] = qname;
	aliases.n = 1;
	follow_cnames(info, &aliases);

	for (size_t i = 0; i < info->nanswers; i++) {
		const struct dns_record *r = &info->answers[i];
		struct ew_addr a;

		if (!usable(r) || !alias_has(&aliases, dns_text(info, r->name)))
			continue;
		if (r->type == DNS_TYPE_A && r->addr_len == 4)
			ew_addr_set_v4(&a, r->addr);
		else if (r->type == DNS_TYPE_AAAA && r->addr_len == 16)
			ew_addr_set_v6(&a, r->addr);
		else
			continue;
		record(c, &a, qname, ts, r->ttl);
		recorded++;
	}
	return recorded;
}
