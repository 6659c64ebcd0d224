/*
 * flow-key.c - canonical bidirectional flow keys (see flow-key.h).
 */
#include <endian.h>
#include <string.h>

#include "flow-key.h"
#include "util-hash.h"

/* Orders (address, port) pairs so that both directions agree. */
static int side_cmp(const uint8_t a[16], uint16_t pa, const uint8_t b[16], uint16_t pb)
{
	int c = memcmp(a, b, 16);
	if (c != 0)
		return c;
	return (int)pa - (int)pb;
}

int flow_key_from_packet(struct flow_key *key, const struct ew_packet *pkt)
{
	uint16_t sport = 0, dport = 0;
	int src_side;

	memset(key, 0, sizeof(*key));
	if (pkt->has_l4 && !pkt->is_fragment &&
	    (pkt->l4_proto == EW_IPPROTO_TCP || pkt->l4_proto == EW_IPPROTO_UDP)) {
		sport = pkt->sport;
		dport = pkt->dport;
	}
	src_side = side_cmp(pkt->src.bytes, sport, pkt->dst.bytes, dport) <= 0 ? 0 : 1;
	memcpy(key->addr[src_side], pkt->src.bytes, 16);
	key->port[src_side] = sport;
	memcpy(key->addr[1 - src_side], pkt->dst.bytes, 16);
	key->port[1 - src_side] = dport;
	for (int i = 0; i < pkt->vlan_count && i < EW_MAX_VLAN_TAGS; i++)
		key->vlan[i] = pkt->vlan_id[i];
	key->proto = pkt->l4_proto;
	key->family = pkt->src.family;
	return src_side;
}

bool flow_key_equal(const struct flow_key *a, const struct flow_key *b)
{
	/* The family matters: ::ffff:a.b.c.d in IPv6 is not IPv4's a.b.c.d. */
	return a->proto == b->proto && a->family == b->family && a->port[0] == b->port[0] &&
	       a->port[1] == b->port[1] && a->vlan[0] == b->vlan[0] &&
	       a->vlan[1] == b->vlan[1] &&
	       memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
}

/* Little-endian load whatever the host: flow ids must not depend on the CPU. */
static uint64_t load64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return le64toh(v); /* free on little-endian hosts */
}

uint64_t flow_key_hash(const struct flow_key *key, uint64_t seed)
{
	uint64_t h = seed ^ ((uint64_t)key->proto << 56) ^ ((uint64_t)key->family << 48);

	h = ew_mix64(h ^ load64(key->addr[0]));
	h = ew_mix64(h ^ load64(key->addr[0] + 8));
	h = ew_mix64(h ^ load64(key->addr[1]));
	h = ew_mix64(h ^ load64(key->addr[1] + 8));
	h = ew_mix64(h ^ ((uint64_t)key->port[0] << 48 | (uint64_t)key->port[1] << 32 |
			  (uint64_t)key->vlan[0] << 16 | key->vlan[1]));
	return h;
}

void flow_key_addr_str(const struct flow_key *key, int side, char *buf, size_t len)
{
	struct ew_addr a;

	memcpy(a.bytes, key->addr[side], 16);
	a.family = key->family;
	ew_addr_format(&a, buf, len);
}
