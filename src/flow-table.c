/*
 * flow-table.c - bounded flow table with per-class idle lists (see flow-table.h).
 */
#include <stdlib.h>
#include <string.h>

#include "flow-key.h"
#include "flow-table.h"
#include "util-list.h"

/* Timeout classes: one idle list each, ordered by last activity. */
enum timeout_class {
	TC_TCP_NEW = 0, /* no packet from the server side yet */
	TC_TCP_EST,
	TC_TCP_CLOSED, /* RST, or FIN seen in both directions */
	TC_UDP,
	TC_ICMP,
	TC_OTHER,
	TC_MAX
};

struct idle_list {
	struct ew_list flows; /* head = idle the longest */
	ew_usec_t timeout_us;
};

struct flow_table {
	struct flow **buckets;
	uint64_t bucket_mask;
	uint64_t seed;
	uint32_t max_flows;
	struct idle_list lists[TC_MAX];
	flow_end_fn on_end;
	void *ctx;
	struct flow_table_stats stats;
};

/* The flow idle the longest on l, or NULL. */
static struct flow *idle_head(const struct idle_list *l)
{
	return EW_CONTAINER_OF(ew_list_first(&l->flows), struct flow, lru);
}

static void idle_unlink(struct flow_table *ft, struct flow *f)
{
	ew_list_remove(&ft->lists[f->timeout_class].flows, &f->lru);
}

static void idle_append(struct flow_table *ft, struct flow *f, enum timeout_class tc)
{
	f->timeout_class = (uint8_t)tc;
	ew_list_append(&ft->lists[tc].flows, &f->lru);
}

static void hash_unlink(struct flow_table *ft, struct flow *f)
{
	struct flow **pp = &ft->buckets[flow_key_hash(&f->key, ft->seed) & ft->bucket_mask];

	while (*pp != NULL && *pp != f)
		pp = &(*pp)->hash_next;
	if (*pp == f)
		*pp = f->hash_next;
}

/* Unlinks, reports and frees one flow. */
static void flow_end(struct flow_table *ft, struct flow *f, enum flow_end_reason why)
{
	hash_unlink(ft, f);
	idle_unlink(ft, f);
	ft->stats.active--;
	ft->stats.ended[why]++;
	if (ft->on_end)
		ft->on_end(ft->ctx, f, why);
	free(f->server_name);
	free(f->user_agent);
	free(f);
}

/* The flow idle the longest across all lists (ties: lowest class), or NULL. */
static struct flow *oldest_idle(const struct flow_table *ft)
{
	struct flow *best = NULL;

	for (int i = 0; i < TC_MAX; i++) {
		struct flow *h = idle_head(&ft->lists[i]);
		if (h && (best == NULL || h->last_ts < best->last_ts))
			best = h;
	}
	return best;
}

struct flow_table *flow_table_create(uint32_t max_flows, const struct flow_timeouts *to,
				     uint64_t hash_seed, flow_end_fn on_end, void *ctx)
{
	struct flow_table *ft;
	uint64_t nb = 1024;

	if (max_flows == 0)
		return NULL;
	ft = calloc(1, sizeof(*ft));
	if (ft == NULL)
		return NULL;
	/* Load factor at most 1 when full keeps chains short. */
	while (nb < max_flows)
		nb <<= 1;
	ft->buckets = calloc(nb, sizeof(*ft->buckets));
	if (ft->buckets == NULL) {
		free(ft);
		return NULL;
	}
	ft->bucket_mask = nb - 1;
	ft->seed = hash_seed;
	ft->max_flows = max_flows;
	ft->on_end = on_end;
	ft->ctx = ctx;
	ft->lists[TC_TCP_NEW].timeout_us = to->tcp_new_s * EW_USEC_PER_SEC;
	ft->lists[TC_TCP_EST].timeout_us = to->tcp_s * EW_USEC_PER_SEC;
	ft->lists[TC_TCP_CLOSED].timeout_us = to->tcp_closed_s * EW_USEC_PER_SEC;
	ft->lists[TC_UDP].timeout_us = to->udp_s * EW_USEC_PER_SEC;
	ft->lists[TC_ICMP].timeout_us = to->icmp_s * EW_USEC_PER_SEC;
	ft->lists[TC_OTHER].timeout_us = to->other_s * EW_USEC_PER_SEC;
	return ft;
}

void flow_table_flush(struct flow_table *ft)
{
	struct flow *f;

	while ((f = oldest_idle(ft)) != NULL)
		flow_end(ft, f, FLOW_END_SHUTDOWN);
}

void flow_table_destroy(struct flow_table *ft)
{
	if (ft == NULL)
		return;
	flow_table_flush(ft);
	free(ft->buckets);
	free(ft);
}

void flow_table_expire(struct flow_table *ft, ew_usec_t now_us)
{
	for (int i = 0; i < TC_MAX; i++) {
		const struct idle_list *l = &ft->lists[i];
		struct flow *f;

		while ((f = idle_head(l)) != NULL && now_us - f->last_ts > l->timeout_us)
			flow_end(ft, f, FLOW_END_TIMEOUT);
	}
}

uint64_t flow_id_of(const struct flow_key *key, ew_usec_t first_ts)
{
	/* A fixed seed: ids must not change from run to run. */
	uint64_t h = flow_key_hash(key, 0x6564676577617463ULL ^ first_ts);
	h &= (1ULL << 51) - 1;
	return h ? h : 1;
}

static enum timeout_class class_of(const struct flow *f)
{
	/* Fragments carry no TCP state: the TCP classes would mislead. */
	if (f->fragmented)
		return TC_OTHER;
	switch (f->key.proto) {
	case EW_IPPROTO_TCP:
		if (f->tcp_close & FLOW_TCP_RST)
			return TC_TCP_CLOSED;
		if ((f->tcp_close & (FLOW_TCP_FIN_TOSERVER | FLOW_TCP_FIN_TOCLIENT)) ==
		    (FLOW_TCP_FIN_TOSERVER | FLOW_TCP_FIN_TOCLIENT))
			return TC_TCP_CLOSED;
		/*
		 * Answered, or carrying data: a real session.  A mirror port that
		 * shows one direction only must not cut long one-way streams into
		 * 30-second pieces; unanswered empty SYNs (scans) still go fast.
		 */
		return (f->tcp_close & (FLOW_TCP_ANSWERED | FLOW_TCP_DATA)) ? TC_TCP_EST
									   : TC_TCP_NEW;
	case EW_IPPROTO_UDP:
		return TC_UDP;
	case EW_IPPROTO_ICMP:
	case EW_IPPROTO_ICMPV6:
		return TC_ICMP;
	default:
		return TC_OTHER;
	}
}

static struct flow *flow_new(struct flow_table *ft, const struct flow_key *key,
			     int src_side, const struct ew_packet *pkt, uint64_t bucket)
{
	struct flow *f;

	if (ft->stats.active >= ft->max_flows) {
		struct flow *victim = oldest_idle(ft);
		if (victim)
			flow_end(ft, victim, FLOW_END_EVICTED);
	}
	f = calloc(1, sizeof(*f));
	if (f == NULL) {
		ft->stats.alloc_failed++;
		return NULL;
	}
	f->key = *key;
	f->client_side = (uint8_t)src_side;
	/* A flow first seen at its SYN+ACK belongs to the SYN's sender. */
	if (key->proto == EW_IPPROTO_TCP && pkt->has_l4 &&
	    (pkt->tcp_flags & (EW_TH_SYN | EW_TH_ACK)) == (EW_TH_SYN | EW_TH_ACK))
		f->client_side = (uint8_t)(1 - src_side);
	f->first_ts = f->last_ts = pkt->ts_us;
	f->id = flow_id_of(key, pkt->ts_us);
	f->hash_next = ft->buckets[bucket];
	ft->buckets[bucket] = f;
	idle_append(ft, f, class_of(f));
	ft->stats.active++;
	ft->stats.created++;
	if (ft->stats.active > ft->stats.peak_active)
		ft->stats.peak_active = ft->stats.active;
	return f;
}

static void flow_account(struct flow *f, const struct ew_packet *pkt, enum flow_dir dir)
{
	f->pkts[dir]++;
	f->bytes[dir] += pkt->wirelen;
	if (pkt->has_mac && !(f->has_mac & (1u << dir))) {
		memcpy(f->mac[dir], pkt->src_mac, 6);
		f->has_mac |= (uint8_t)(1u << dir);
	}
	if (pkt->ts_us > f->last_ts)
		f->last_ts = pkt->ts_us;
	if (pkt->is_fragment)
		f->fragmented = true;
	if (f->key.proto != EW_IPPROTO_TCP || !pkt->has_l4)
		return;
	f->tcp_flags[dir] |= pkt->tcp_flags;
	if (dir == FLOW_TOCLIENT)
		f->tcp_close |= FLOW_TCP_ANSWERED;
	if (pkt->payload_len > 0)
		f->tcp_close |= FLOW_TCP_DATA;
	if (pkt->tcp_flags & EW_TH_RST)
		f->tcp_close |= FLOW_TCP_RST;
	if (pkt->tcp_flags & EW_TH_FIN)
		f->tcp_close |= dir == FLOW_TOSERVER ? FLOW_TCP_FIN_TOSERVER : FLOW_TCP_FIN_TOCLIENT;
}

static struct flow *bucket_find(struct flow *f, const struct flow_key *key)
{
	while (f != NULL && !flow_key_equal(&f->key, key))
		f = f->hash_next;
	return f;
}

struct flow *flow_table_packet(struct flow_table *ft, const struct ew_packet *pkt,
			       enum flow_dir *dir)
{
	struct flow_key key;
	int src_side = flow_key_from_packet(&key, pkt);
	uint64_t bucket = flow_key_hash(&key, ft->seed) & ft->bucket_mask;
	struct flow *f = bucket_find(ft->buckets[bucket], &key);

	/* A new SYN on a closed connection's 5-tuple starts a new flow. */
	if (f != NULL && f->timeout_class == TC_TCP_CLOSED && pkt->has_l4 &&
	    (pkt->tcp_flags & (EW_TH_SYN | EW_TH_ACK)) == EW_TH_SYN) {
		flow_end(ft, f, FLOW_END_REUSED);
		f = NULL;
	}
	if (f == NULL) {
		f = flow_new(ft, &key, src_side, pkt, bucket);
		if (f == NULL)
			return NULL;
	}
	*dir = src_side == f->client_side ? FLOW_TOSERVER : FLOW_TOCLIENT;
	flow_account(f, pkt, *dir);
	idle_unlink(ft, f);
	idle_append(ft, f, class_of(f));
	return f;
}

const struct flow_table_stats *flow_table_stats(const struct flow_table *ft)
{
	return &ft->stats;
}

size_t flow_table_memory(const struct flow_table *ft)
{
	return sizeof(*ft) + (ft->bucket_mask + 1) * sizeof(*ft->buckets) +
	       ft->stats.active * sizeof(struct flow);
}
