/*
 * decode-ipv4.c - the IPv4 header: checks it, fills addresses and
 * lengths, and hands the payload to the transport decoder.
 *
 * Two lengths matter and are kept apart: the datagram length the header
 * claims, and what was captured of it.  The datagram is trimmed to the
 * claimed length first (short Ethernet frames are padded to 60 bytes and
 * the padding is not payload), then clamped to the capture (a snaplen
 * cut is normal and the packet is still decoded).
 *
 * Checksums are not verified: with checksum offload, captured outbound
 * packets routinely carry wrong ones.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode-private.h"
#include "util-bytes.h"

#define IPV4_MIN_HDR_LEN 20
#define IPV4_FLAG_MF 0x2000
#define IPV4_FRAG_OFFSET_MASK 0x1fff

/* The fixed 20 bytes of the header, copied out of the packet. */
struct ipv4_fixed {
	uint8_t version;
	size_t hdr_len; /* IHL in bytes */
	uint16_t total_len;
	uint16_t frag; /* flags and fragment offset */
	uint8_t ttl;
	uint8_t proto;
	uint8_t src[4], dst[4];
};

static bool ipv4_read_fixed(struct ew_cursor *c, struct ipv4_fixed *h)
{
	uint8_t ver_ihl = ew_u8(c);

	h->version = (uint8_t)(ver_ihl >> 4);
	h->hdr_len = (size_t)(ver_ihl & 0x0f) * 4;
	ew_skip(c, 1); /* DSCP, ECN */
	h->total_len = ew_be16(c);
	ew_skip(c, 2); /* identification */
	h->frag = ew_be16(c);
	h->ttl = ew_u8(c);
	h->proto = ew_u8(c);
	ew_skip(c, 2); /* checksum */
	ew_copy(c, h->src, sizeof(h->src));
	ew_copy(c, h->dst, sizeof(h->dst));
	return !c->bad;
}

/* Order matters: each check relies on the ones before it. */
static enum decode_event ipv4_check(const struct ipv4_fixed *h, size_t captured)
{
	if (h->version != 4)
		return DE_IPV4_BAD_VERSION;
	if (h->hdr_len < IPV4_MIN_HDR_LEN)
		return DE_IPV4_BAD_IHL;
	if (h->total_len < h->hdr_len)
		return DE_IPV4_BAD_TOTAL_LEN;
	/* Options cut by the snaplen: too little left to trust. */
	if (h->hdr_len > captured)
		return DE_IPV4_TRUNCATED;
	return DE_NONE;
}

static void ipv4_fill(struct ew_packet *pkt, const struct ipv4_fixed *h,
		      const uint8_t *p, size_t captured)
{
	pkt->kind = EW_PKT_IP;
	pkt->l3 = p;
	pkt->l3_len = (uint32_t)(h->total_len < captured ? h->total_len : captured);
	pkt->ip_version = 4;
	pkt->ttl = h->ttl;
	pkt->l4_proto = h->proto;
	pkt->ip_len = h->total_len;
	ew_addr_set_v4(&pkt->src, h->src);
	ew_addr_set_v4(&pkt->dst, h->dst);
}

enum decode_event decode_ipv4(struct ew_packet *pkt, struct decode_stats *stats,
			      const uint8_t *p, size_t len)
{
	struct ew_cursor c;
	struct ipv4_fixed h;
	enum decode_event ev;

	ew_cursor_init(&c, p, len);
	if (!ipv4_read_fixed(&c, &h))
		return DE_IPV4_TRUNCATED;
	ev = ipv4_check(&h, len);
	if (ev != DE_NONE)
		return ev;
	ipv4_fill(pkt, &h, p, len);

	/*
	 * From here on nothing reads past the datagram: padding after it
	 * must not be mistaken for payload.
	 */
	ew_cursor_init(&c, p, pkt->l3_len);
	ew_skip(&c, IPV4_MIN_HDR_LEN);
	/*
	 * A malformed option is worth counting, but addresses and ports
	 * are still right, so the packet stays usable.
	 */
	if (!decode_options_well_formed(c.p, h.hdr_len - IPV4_MIN_HDR_LEN))
		decode_note(stats, DE_IPV4_BAD_OPTION);
	ew_skip(&c, h.hdr_len - IPV4_MIN_HDR_LEN);

	/*
	 * Only the first fragment has the transport header, and none can
	 * be trusted to have its ports: keep fragments out of port flows.
	 */
	if ((h.frag & (IPV4_FLAG_MF | IPV4_FRAG_OFFSET_MASK)) != 0) {
		decode_note(stats, DE_IPV4_FRAGMENT);
		pkt->is_fragment = true;
		return DE_NONE;
	}
	return decode_l4(pkt, stats, c.p, ew_cursor_left(&c), h.total_len - h.hdr_len);
}
