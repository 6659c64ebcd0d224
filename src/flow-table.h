/*
 * flow-table.h - the bounded table of live flows.
 *
 * O(1) lookup by key (chained hash, buckets sized to the flow cap).  Each
 * flow sits on one of a few idle lists, one per timeout class (TCP new,
 * TCP established, TCP closed, UDP, ICMP, other).  Every packet moves its
 * flow to the tail of its list, so each list is ordered by last activity
 * and its head is the next to time out: expiry costs a few comparisons per
 * packet, whatever the table size.
 *
 * The table never holds more than max_flows records.  When a new flow
 * arrives at a full table, the flow idle the longest (the oldest of the
 * list heads) is ended early with FLOW_END_EVICTED and counted, so memory
 * stays bounded under a flood of new flows.
 *
 * Time is whatever the caller says it is: packet timestamps, never the
 * wall clock, so a capture always expires flows at the same points.
 *
 * Ownership: the table owns all flow records.  The end callback is given
 * each record as it ends; it must release f->dpi and must not keep the
 * pointer: the record is freed when the callback returns.
 */
#ifndef EW_FLOW_TABLE_H
#define EW_FLOW_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "flow.h"
#include "packet.h"

struct flow_table;

struct flow_timeouts {
	uint32_t tcp_new_s, tcp_s, tcp_closed_s, udp_s, icmp_s, other_s;
};

typedef void (*flow_end_fn)(void *ctx, struct flow *f, enum flow_end_reason why);

struct flow_table_stats {
	uint64_t active;        /* flows in the table now */
	uint64_t peak_active;   /* most flows at once */
	uint64_t created;       /* flows started */
	uint64_t ended[FLOW_END_SHUTDOWN + 1]; /* by reason */
	uint64_t alloc_failed;  /* packets not tracked: out of memory */
};

/*
 * Creates a table for at most max_flows flows (>= 1).  hash_seed varies
 * bucket placement (set it randomly to resist collision floods; output
 * does not depend on it).  Returns NULL on allocation failure.
 */
struct flow_table *flow_table_create(uint32_t max_flows, const struct flow_timeouts *to,
				     uint64_t hash_seed, flow_end_fn on_end, void *ctx);

/* Ends every flow (FLOW_END_SHUTDOWN, oldest first) and frees the table.  Accepts NULL. */
void flow_table_destroy(struct flow_table *ft);

/*
 * Finds or creates the flow of an IP packet and accounts the packet in it
 * (counters, TCP flags and teardown, timeout class).  *dir receives the
 * packet's direction.  Returns NULL only when a record cannot be
 * allocated (counted in alloc_failed).  The pointer is valid until the
 * next call into the table.
 */
struct flow *flow_table_packet(struct flow_table *ft, const struct ew_packet *pkt,
			       enum flow_dir *dir);

/* Ends flows idle past their timeout at time now_us. */
void flow_table_expire(struct flow_table *ft, ew_usec_t now_us);

/* Ends every flow with FLOW_END_SHUTDOWN, oldest first. */
void flow_table_flush(struct flow_table *ft);

const struct flow_table_stats *flow_table_stats(const struct flow_table *ft);

/*
 * Bytes held by the table's records and buckets (for memory reports);
 * server names (at most FLOW_SERVER_NAME_MAX + 1 each) are not included.
 */
size_t flow_table_memory(const struct flow_table *ft);

/* Stable 51-bit flow id: fits a JSON number exactly in every consumer. */
uint64_t flow_id_of(const struct flow_key *key, ew_usec_t first_ts);

#endif /* EW_FLOW_TABLE_H */
