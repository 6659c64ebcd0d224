/*
 * decode-link.c - link-layer decoders: Ethernet (with 802.1Q/802.1ad
 * tags), Linux cooked capture v1 and v2, raw IP and BSD null/loopback.
 *
 * Each one finds where the network layer starts and what it is, fills the
 * link fields of the packet (MACs, VLAN ids, ethertype) and hands over to
 * the ARP, IPv4 or IPv6 decoder.  Frames we cannot go further into (802.3
 * LLC frames, ethertypes without a decoder) are usable packets of kind
 * EW_PKT_OTHER, counted as "ethertype.other".
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "decode-private.h"
#include "util-bytes.h"

/* Type fields up to this value are 802.3 lengths, not ethertypes. */
#define ETH_MAX_PAYLOAD_LEN 1500

#define ETHERTYPE_8021Q 0x8100
#define ETHERTYPE_8021AD 0x88a8
#define ETHERTYPE_QINQ_OLD 0x9100 /* pre-802.1ad vendor QinQ */

/* PPPoE session stage (RFC 2516), as ISP uplinks and some gateways send it. */
#define ETHERTYPE_PPPOE_SESSION 0x8864
#define ETHERTYPE_LLDP 0x88cc
#define PPPOE_VER_TYPE 0x11
#define PPP_PROTO_IPV4 0x0021
#define PPP_PROTO_IPV6 0x0057

#define ETH_ADDR_LEN 6
#define VLAN_ID_MASK 0x0fff

/* Linux ARPHRD_ETHER: the cooked header's address is a MAC. */
#define ARPHRD_ETHER 1
#define SLL_ADDR_LEN 8

/* Address families in null/loop headers.  IPv6 differs per OS. */
#define NULL_AF_INET 2
#define NULL_AF_INET6_LINUX 10
#define NULL_AF_INET6_BSD 24     /* OpenBSD, NetBSD */
#define NULL_AF_INET6_FREEBSD 28
#define NULL_AF_INET6_DARWIN 30

static enum decode_event decode_network(struct ew_packet *pkt, struct decode_stats *stats,
					uint16_t type, const uint8_t *p, size_t len);

/*
 * PPPoE session header (version/type, code, session id, length) and the
 * PPP protocol field.  The PPPoE length bounds the PPP frame: bytes past
 * it are Ethernet padding.  PPP control traffic (LCP, IPCP) is counted,
 * not decoded.
 */
static enum decode_event decode_pppoe(struct ew_packet *pkt, struct decode_stats *stats,
				      const uint8_t *p, size_t len)
{
	struct ew_cursor c;
	uint16_t plen, proto;
	size_t left;

	ew_cursor_init(&c, p, len);
	uint8_t vertype = ew_u8(&c);
	ew_skip(&c, 3); /* code, session id */
	plen = ew_be16(&c);
	proto = ew_be16(&c);
	if (c.bad || vertype != PPPOE_VER_TYPE || plen < 2)
		return DE_PPPOE_TRUNCATED;
	left = ew_cursor_left(&c);
	if ((size_t)plen - 2 < left)
		left = (size_t)plen - 2;
	switch (proto) {
	case PPP_PROTO_IPV4:
		return decode_network(pkt, stats, EW_ETHERTYPE_IPV4, c.p, left);
	case PPP_PROTO_IPV6:
		return decode_network(pkt, stats, EW_ETHERTYPE_IPV6, c.p, left);
	default:
		pkt->ethertype = ETHERTYPE_PPPOE_SESSION;
		decode_note(stats, DE_PPPOE_OTHER);
		return DE_NONE;
	}
}

/*
 * Dispatches on the network-layer type.  An unknown type is not an error:
 * the frame is well formed, we just have nothing more to say about it.
 */
static enum decode_event decode_network(struct ew_packet *pkt, struct decode_stats *stats,
					uint16_t type, const uint8_t *p, size_t len)
{
	if (type <= ETH_MAX_PAYLOAD_LEN) {
		/*
		 * An 802.3 length: LLC follows, and pkt->ethertype stays 0
		 * because this number is not an ethertype.
		 */
		decode_note(stats, DE_ETHERTYPE_OTHER);
		return DE_NONE;
	}
	pkt->ethertype = type;
	switch (type) {
	case EW_ETHERTYPE_IPV4:
		return decode_ipv4(pkt, stats, p, len);
	case EW_ETHERTYPE_IPV6:
		return decode_ipv6(pkt, stats, p, len);
	case EW_ETHERTYPE_ARP:
		return decode_arp(pkt, stats, p, len);
	case ETHERTYPE_PPPOE_SESSION:
		return decode_pppoe(pkt, stats, p, len);
	case ETHERTYPE_LLDP:
		/* Read by the device stage (fingerprint-lldp.h), which checks every length. */
		pkt->kind = EW_PKT_LLDP;
		pkt->payload = p;
		pkt->payload_len = (uint32_t)len;
		return DE_NONE;
	default:
		decode_note(stats, DE_ETHERTYPE_OTHER);
		return DE_NONE;
	}
}

static bool is_vlan_tpid(uint16_t type)
{
	return type == ETHERTYPE_8021Q || type == ETHERTYPE_8021AD ||
	       type == ETHERTYPE_QINQ_OLD;
}

/*
 * Takes the type field just read and peels VLAN tags off the cursor
 * until a network-layer type appears.  The depth is capped: nesting is
 * attacker-controlled, and flow keys hold only EW_MAX_VLAN_TAGS ids.
 * Shared by Ethernet and the cooked headers, which may carry tags the
 * kernel did not strip.
 */
static enum decode_event decode_tags_then_network(struct ew_packet *pkt,
						  struct decode_stats *stats,
						  struct ew_cursor *c, uint16_t type)
{
	while (is_vlan_tpid(type)) {
		if (pkt->vlan_count >= EW_MAX_VLAN_TAGS)
			return DE_VLAN_TOO_DEEP;
		uint16_t tci = ew_be16(c);
		type = ew_be16(c);
		if (c->bad)
			return DE_VLAN_TRUNCATED;
		pkt->vlan_id[pkt->vlan_count++] = tci & VLAN_ID_MASK;
	}
	return decode_network(pkt, stats, type, c->p, ew_cursor_left(c));
}

enum decode_event decode_ethernet(struct ew_packet *pkt, struct decode_stats *stats,
				  const uint8_t *p, size_t len)
{
	struct ew_cursor c;
	uint16_t type;

	ew_cursor_init(&c, p, len);
	ew_copy(&c, pkt->dst_mac, ETH_ADDR_LEN);
	ew_copy(&c, pkt->src_mac, ETH_ADDR_LEN);
	type = ew_be16(&c);
	if (c.bad)
		return DE_ETH_TRUNCATED;
	pkt->has_mac = true;
	return decode_tags_then_network(pkt, stats, &c, type);
}

/*
 * The cooked headers carry only the sender's link address.  It is a MAC
 * only on Ethernet-like interfaces with a 6-byte address; dst_mac stays
 * zero because the capture never saw it.
 */
static void sll_set_src_mac(struct ew_packet *pkt, uint16_t arphrd, unsigned halen,
			    const uint8_t addr[SLL_ADDR_LEN])
{
	if (arphrd != ARPHRD_ETHER || halen != ETH_ADDR_LEN)
		return;
	memcpy(pkt->src_mac, addr, ETH_ADDR_LEN);
	pkt->has_mac = true;
}

/* Linux cooked v1: pkttype 2, arphrd 2, halen 2, addr 8, protocol 2. */
enum decode_event decode_sll(struct ew_packet *pkt, struct decode_stats *stats,
			     const uint8_t *p, size_t len)
{
	struct ew_cursor c;
	uint8_t addr[SLL_ADDR_LEN];
	uint16_t arphrd, halen, type;

	ew_cursor_init(&c, p, len);
	ew_skip(&c, 2); /* packet type: direction, not needed here */
	arphrd = ew_be16(&c);
	halen = ew_be16(&c);
	ew_copy(&c, addr, sizeof(addr));
	type = ew_be16(&c);
	if (c.bad)
		return DE_SLL_TRUNCATED;
	sll_set_src_mac(pkt, arphrd, halen, addr);
	return decode_tags_then_network(pkt, stats, &c, type);
}

/*
 * Linux cooked v2: protocol 2, reserved 2, ifindex 4, arphrd 2,
 * pkttype 1, halen 1, addr 8.
 */
enum decode_event decode_sll2(struct ew_packet *pkt, struct decode_stats *stats,
			      const uint8_t *p, size_t len)
{
	struct ew_cursor c;
	uint8_t addr[SLL_ADDR_LEN];
	uint16_t type, arphrd;
	uint8_t halen;

	ew_cursor_init(&c, p, len);
	type = ew_be16(&c);
	ew_skip(&c, 2 + 4); /* reserved, interface index */
	arphrd = ew_be16(&c);
	ew_skip(&c, 1); /* packet type */
	halen = ew_u8(&c);
	ew_copy(&c, addr, sizeof(addr));
	if (c.bad)
		return DE_SLL2_TRUNCATED;
	sll_set_src_mac(pkt, arphrd, halen, addr);
	return decode_tags_then_network(pkt, stats, &c, type);
}

/*
 * Generic raw IP: the version nibble is all there is to go on.  Anything
 * but 6 goes to the IPv4 decoder, which reports an empty frame as
 * truncated and a nibble that is not 4 as a bad version.
 */
enum decode_event decode_raw_ip(struct ew_packet *pkt, struct decode_stats *stats,
				const uint8_t *p, size_t len)
{
	struct ew_cursor c;
	uint8_t version;

	ew_cursor_init(&c, p, len);
	version = (uint8_t)(ew_u8(&c) >> 4);
	if (!c.bad && version == 6)
		return decode_network(pkt, stats, EW_ETHERTYPE_IPV6, p, len);
	return decode_network(pkt, stats, EW_ETHERTYPE_IPV4, p, len);
}

enum decode_event decode_raw_ipv4(struct ew_packet *pkt, struct decode_stats *stats,
				  const uint8_t *p, size_t len)
{
	return decode_network(pkt, stats, EW_ETHERTYPE_IPV4, p, len);
}

enum decode_event decode_raw_ipv6(struct ew_packet *pkt, struct decode_stats *stats,
				  const uint8_t *p, size_t len)
{
	return decode_network(pkt, stats, EW_ETHERTYPE_IPV6, p, len);
}

/* Maps a null/loop address family to the network layer. */
static enum decode_event decode_family(struct ew_packet *pkt, struct decode_stats *stats,
				       uint32_t family, const uint8_t *p, size_t len)
{
	switch (family) {
	case NULL_AF_INET:
		return decode_network(pkt, stats, EW_ETHERTYPE_IPV4, p, len);
	case NULL_AF_INET6_LINUX:
	case NULL_AF_INET6_BSD:
	case NULL_AF_INET6_FREEBSD:
	case NULL_AF_INET6_DARWIN:
		return decode_network(pkt, stats, EW_ETHERTYPE_IPV6, p, len);
	default:
		return DE_NULL_UNKNOWN_FAMILY;
	}
}

/*
 * DLT_NULL writes the family in the byte order of the host that captured,
 * which a file reader cannot know.  Every family we accept is below
 * 0x10000, so a big-endian reading with high bits set must be a
 * little-endian header.
 */
enum decode_event decode_null(struct ew_packet *pkt, struct decode_stats *stats,
			      const uint8_t *p, size_t len)
{
	struct ew_cursor c, le;
	uint32_t family, family_le;

	ew_cursor_init(&c, p, len);
	le = c;
	family = ew_be32(&c);
	family_le = ew_le32(&le);
	if (c.bad)
		return DE_NULL_TRUNCATED;
	if (family > 0xffff)
		family = family_le;
	return decode_family(pkt, stats, family, c.p, ew_cursor_left(&c));
}

/* DLT_LOOP is DLT_NULL with the family always in network order. */
enum decode_event decode_loop(struct ew_packet *pkt, struct decode_stats *stats,
			      const uint8_t *p, size_t len)
{
	struct ew_cursor c;
	uint32_t family;

	ew_cursor_init(&c, p, len);
	family = ew_be32(&c);
	if (c.bad)
		return DE_NULL_TRUNCATED;
	return decode_family(pkt, stats, family, c.p, ew_cursor_left(&c));
}
