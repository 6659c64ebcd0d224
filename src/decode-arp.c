/*
 * decode-arp.c - ARP for IPv4 over Ethernet, the only kind device
 * discovery needs.
 *
 * Other ARP variants (other hardware types, other protocol types, RARP
 * with odd sizes) are well-formed traffic we do not model: they are
 * usable packets of kind EW_PKT_OTHER counted as "arp.unsupported".
 */
#include <stddef.h>
#include <stdint.h>

#include "decode-private.h"
#include "util-bytes.h"

#define ARP_HTYPE_ETHER 1
#define ARP_HLEN_ETHER 6
#define ARP_PLEN_IPV4 4

enum decode_event decode_arp(struct ew_packet *pkt, struct decode_stats *stats,
			     const uint8_t *p, size_t len)
{
	struct ew_cursor c;
	uint16_t htype, ptype, op;
	uint8_t hlen, plen;

	ew_cursor_init(&c, p, len);
	htype = ew_be16(&c);
	ptype = ew_be16(&c);
	hlen = ew_u8(&c);
	plen = ew_u8(&c);
	op = ew_be16(&c);
	if (c.bad)
		return DE_ARP_TRUNCATED;

	/*
	 * The sizes are checked, not assumed: they say how long the
	 * addresses that follow are.
	 */
	if (htype != ARP_HTYPE_ETHER || ptype != EW_ETHERTYPE_IPV4 ||
	    hlen != ARP_HLEN_ETHER || plen != ARP_PLEN_IPV4) {
		decode_note(stats, DE_ARP_UNSUPPORTED);
		return DE_NONE;
	}

	pkt->arp.op = op;
	ew_copy(&c, pkt->arp.sha, sizeof(pkt->arp.sha));
	ew_copy(&c, pkt->arp.spa, sizeof(pkt->arp.spa));
	ew_copy(&c, pkt->arp.tha, sizeof(pkt->arp.tha));
	ew_copy(&c, pkt->arp.tpa, sizeof(pkt->arp.tpa));
	if (c.bad)
		return DE_ARP_TRUNCATED;
	pkt->kind = EW_PKT_ARP;
	return DE_NONE;
}
