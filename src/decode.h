/*
 * decode.h - turn captured bytes into a struct ew_packet.
 *
 * The decoder understands Ethernet (with up to two 802.1Q/802.1ad tags,
 * and PPPoE sessions inside),
 * Linux cooked capture v1 and v2, raw IP and BSD null/loopback link types;
 * IPv4 with options, IPv6 with extension headers, TCP, UDP, ICMP, ICMPv6
 * and ARP.  Every read is bounds-checked against the captured length.
 *
 * Malformed or truncated input never crashes and never stops the run: it
 * becomes a named decoder event, counted in struct decode_stats, and the
 * packet is skipped.  Some events are not errors but facts worth counting
 * (an IPv4 fragment, an unknown ethertype); see decode_event_is_error().
 *
 * Ownership: decode_packet() writes only into *pkt and *stats; pkt points
 * into `data`, valid as long as the caller's buffer is.
 */
#ifndef EW_DECODE_H
#define EW_DECODE_H

#include <stdint.h>

#include "packet.h"

/* DLT_* values the decoder accepts (as in pcap/dlt.h). */
#define EW_DLT_NULL 0
#define EW_DLT_EN10MB 1
#define EW_DLT_RAW 12      /* OpenBSD-style raw; also 14 on some systems */
#define EW_DLT_RAW_ALT 14
#define EW_DLT_LOOP 108
#define EW_DLT_LINUX_SLL 113
#define EW_DLT_IPV4 228
#define EW_DLT_IPV6 229
#define EW_DLT_LINUX_SLL2 276
#define EW_LINKTYPE_RAW 101 /* LINKTYPE_RAW as written in pcap files */

/*
 * Decoder events.  The name table in decode.c gives each a stable
 * dotted name ("ipv4.truncated") used in stats output and docs.
 */
enum decode_event {
	DE_NONE = 0,
	/* link layer */
	DE_LINK_UNSUPPORTED,
	DE_ETH_TRUNCATED,
	DE_VLAN_TRUNCATED,
	DE_VLAN_TOO_DEEP,
	DE_SLL_TRUNCATED,
	DE_SLL2_TRUNCATED,
	DE_NULL_TRUNCATED,
	DE_NULL_UNKNOWN_FAMILY,
	DE_ETHERTYPE_OTHER, /* not an error: a protocol we do not decode */
	DE_PPPOE_TRUNCATED,
	DE_PPPOE_OTHER, /* not an error: PPP carrying neither IPv4 nor IPv6 */
	/* ARP */
	DE_ARP_TRUNCATED,
	DE_ARP_UNSUPPORTED, /* not Ethernet/IPv4 ARP */
	/* IPv4 */
	DE_IPV4_TRUNCATED,
	DE_IPV4_BAD_VERSION,
	DE_IPV4_BAD_IHL,
	DE_IPV4_BAD_TOTAL_LEN,
	DE_IPV4_BAD_OPTION,
	DE_IPV4_FRAGMENT, /* not an error: counted, kept out of port flows */
	/* IPv6 */
	DE_IPV6_TRUNCATED,
	DE_IPV6_BAD_VERSION,
	DE_IPV6_BAD_PAYLOAD_LEN,
	DE_IPV6_EXT_TRUNCATED,
	DE_IPV6_EXT_TOO_MANY,
	DE_IPV6_FRAGMENT, /* not an error */
	/* transport */
	DE_TCP_TRUNCATED,
	DE_TCP_BAD_OFFSET,
	DE_TCP_BAD_OPTION,
	DE_UDP_TRUNCATED,
	DE_UDP_BAD_LEN,
	DE_ICMP_TRUNCATED,
	DE_ICMPV6_TRUNCATED,
	DE_IP_PROTO_OTHER, /* not an error: IP protocol without a decoder */
	DE_MAX
};

struct decode_stats {
	uint64_t events[DE_MAX];
};

/* Stable dotted name of an event, e.g. "ipv4.truncated". */
const char *decode_event_name(enum decode_event ev);

/* True when the event means the packet was malformed or truncated. */
int decode_event_is_error(enum decode_event ev);

/* True when the decoder has a link-layer parser for this DLT. */
int decode_linktype_supported(int dlt);

/*
 * Decodes one captured frame.  Returns DE_NONE when pkt holds a usable
 * decode (kind ARP, IP or OTHER), or the error event that made the packet
 * unusable (already counted in stats).  Informational events such as a
 * fragment are counted in stats but the packet is still returned usable.
 *
 * ts_us, caplen and wirelen are copied into pkt.
 */
enum decode_event decode_packet(int dlt, const uint8_t *data, uint32_t caplen,
				uint32_t wirelen, ew_usec_t ts_us,
				struct ew_packet *pkt, struct decode_stats *stats);

#endif /* EW_DECODE_H */
