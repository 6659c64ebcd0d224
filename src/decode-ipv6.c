/*
 * decode-ipv6.c - the IPv6 header and its extension-header chain.
 *
 * Lengths are handled as in decode-ipv4.c: the datagram is trimmed to
 * the payload length the header claims, then clamped to what was
 * captured.  The extension chain is attacker-controlled, so each header
 * is length-checked and the chain is capped at IPV6_MAX_EXT_HDRS.
 *
 * Jumbograms are not parsed: a payload length of 0 is taken to mean "the
 * rest of the frame", which also covers captures of GRO/TSO super-packets.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode-private.h"
#include "util-bytes.h"

#define IPV6_HDR_LEN 40

/* Longer chains are not seen in real traffic but are cheap to send. */
#define IPV6_MAX_EXT_HDRS 8

/* Next-header values. */
#define NH_HOPOPTS 0
#define NH_ROUTING 43
#define NH_FRAGMENT 44
#define NH_AH 51
#define NH_NONE 59
#define NH_DSTOPTS 60
#define NH_MOBILITY 135

#define IPV6_FRAG_HDR_LEN 8
#define IPV6_FRAG_OFFSET_MASK 0xfff8
#define IPV6_FRAG_MORE 0x0001

/* The fixed 40 bytes of the header, copied out of the packet. */
struct ipv6_fixed {
	uint8_t version;
	uint16_t payload_len;
	uint8_t next;
	uint8_t hop_limit;
	uint8_t src[16], dst[16];
};

static bool ipv6_read_fixed(struct ew_cursor *c, struct ipv6_fixed *h)
{
	uint32_t ver_tc_flow = ew_be32(c);

	h->version = (uint8_t)(ver_tc_flow >> 28);
	h->payload_len = ew_be16(c);
	h->next = ew_u8(c);
	h->hop_limit = ew_u8(c);
	ew_copy(c, h->src, sizeof(h->src));
	ew_copy(c, h->dst, sizeof(h->dst));
	return !c->bad;
}

/*
 * Bytes the frame had on the wire from this layer on: what was captured
 * plus what the snaplen cut off.  A claimed length beyond that cannot be
 * explained by truncation and is a lie.
 */
static size_t wire_left(const struct ew_packet *pkt, size_t captured)
{
	uint32_t cut = pkt->wirelen > pkt->caplen ? pkt->wirelen - pkt->caplen : 0;

	return captured + cut;
}

static void ipv6_fill(struct ew_packet *pkt, const struct ipv6_fixed *h, const uint8_t *p,
		      size_t captured, size_t datagram_len)
{
	pkt->kind = EW_PKT_IP;
	pkt->l3 = p;
	pkt->l3_len = (uint32_t)(datagram_len < captured ? datagram_len : captured);
	pkt->ip_version = 6;
	pkt->ttl = h->hop_limit;
	pkt->l4_proto = h->next;
	pkt->ip_len = (uint32_t)datagram_len;
	ew_addr_set_v6(&pkt->src, h->src);
	ew_addr_set_v6(&pkt->dst, h->dst);
}

static bool ipv6_is_ext(uint8_t nh)
{
	return nh == NH_HOPOPTS || nh == NH_ROUTING || nh == NH_FRAGMENT ||
	       nh == NH_DSTOPTS || nh == NH_AH || nh == NH_MOBILITY;
}

/*
 * The rest of a fragment header, after its next-header byte and the
 * reserved byte.  An atomic fragment (offset 0, no more fragments) is a
 * whole datagram and decodes on; a real fragment ends the walk.
 */
static enum decode_event ipv6_fragment(struct ew_packet *pkt, struct decode_stats *stats,
				       struct ew_cursor *c, uint8_t next)
{
	uint16_t off_more = ew_be16(c);

	ew_skip(c, 4); /* identification */
	if (c->bad)
		return DE_IPV6_EXT_TRUNCATED;
	if ((off_more & (IPV6_FRAG_OFFSET_MASK | IPV6_FRAG_MORE)) != 0) {
		decode_note(stats, DE_IPV6_FRAGMENT);
		pkt->is_fragment = true;
		pkt->l4_proto = next;
	}
	return DE_NONE;
}

/* Size of a non-fragment extension header from its length byte. */
static size_t ipv6_ext_len(uint8_t type, uint8_t len_field)
{
	if (type == NH_AH) /* in 4-byte units, not counting the first 2 */
		return ((size_t)len_field + 2) * 4;
	return ((size_t)len_field + 1) * 8; /* 8-byte units after the first 8 */
}

/*
 * Walks the extension headers at the cursor.  On return *nh is the
 * upper-layer protocol and the cursor is at its header, unless the
 * packet turned out to be a fragment (pkt->is_fragment).
 */
static enum decode_event ipv6_walk_ext(struct ew_packet *pkt, struct decode_stats *stats,
				       struct ew_cursor *c, uint8_t *nh)
{
	for (unsigned n = 0; ipv6_is_ext(*nh); n++) {
		uint8_t type = *nh;
		uint8_t len_field;
		enum decode_event ev;

		if (n == IPV6_MAX_EXT_HDRS)
			return DE_IPV6_EXT_TOO_MANY;
		*nh = ew_u8(c);
		len_field = ew_u8(c); /* reserved in a fragment header */
		if (c->bad)
			return DE_IPV6_EXT_TRUNCATED;
		if (type == NH_FRAGMENT) {
			ev = ipv6_fragment(pkt, stats, c, *nh);
			if (ev != DE_NONE || pkt->is_fragment)
				return ev;
			continue;
		}
		if (!ew_skip(c, ipv6_ext_len(type, len_field) - 2))
			return DE_IPV6_EXT_TRUNCATED;
	}
	return DE_NONE;
}

enum decode_event decode_ipv6(struct ew_packet *pkt, struct decode_stats *stats,
			      const uint8_t *p, size_t len)
{
	struct ew_cursor c;
	struct ipv6_fixed h;
	size_t datagram_len, l4_off;
	uint8_t nh;
	enum decode_event ev;

	ew_cursor_init(&c, p, len);
	if (!ipv6_read_fixed(&c, &h))
		return DE_IPV6_TRUNCATED;
	if (h.version != 6)
		return DE_IPV6_BAD_VERSION;
	if (h.payload_len == 0)
		datagram_len = wire_left(pkt, len);
	else
		datagram_len = IPV6_HDR_LEN + (size_t)h.payload_len;
	if (datagram_len > wire_left(pkt, len))
		return DE_IPV6_BAD_PAYLOAD_LEN;
	ipv6_fill(pkt, &h, p, len, datagram_len);

	/* Nothing past the datagram is read: trailing padding is not ours. */
	ew_cursor_init(&c, p, pkt->l3_len);
	ew_skip(&c, IPV6_HDR_LEN);
	nh = h.next;
	ev = ipv6_walk_ext(pkt, stats, &c, &nh);
	if (ev != DE_NONE || pkt->is_fragment)
		return ev;
	pkt->l4_proto = nh;
	if (nh == NH_NONE)
		return DE_NONE;
	l4_off = (size_t)(c.p - p);
	return decode_l4(pkt, stats, c.p, ew_cursor_left(&c), datagram_len - l4_off);
}
