/*
 * decode-l4.c - transport headers: TCP, UDP, ICMP and ICMPv6.
 *
 * Fills ports, TCP state fields or ICMP type/code, and points
 * pkt->payload at the application bytes that were captured.  Length
 * fields are judged against the IP payload length the IP header claims
 * (so a snaplen cut is not mistaken for a lie), while reads are bounded
 * by what was captured.
 *
 * Other IP protocols (GRE, ESP, SCTP, ...) are usable packets without a
 * transport decode, counted as "ip.proto_other".
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode-private.h"
#include "util-bytes.h"

#define TCP_MIN_HDR_LEN 20
#define UDP_HDR_LEN 8
#define ICMP_MIN_LEN 4 /* type, code, checksum */
#define ICMP_HDR_LEN 8 /* plus the type-specific word */

/* Whatever the cursor has left is the application payload. */
static void set_payload(struct ew_packet *pkt, const struct ew_cursor *c)
{
	pkt->payload = c->p;
	pkt->payload_len = (uint32_t)ew_cursor_left(c);
}

/* The fixed 20 bytes of the TCP header, copied out of the packet. */
struct tcp_fixed {
	uint16_t sport, dport;
	uint32_t seq, ack;
	size_t hdr_len; /* data offset in bytes */
	uint8_t flags;
	uint16_t win;
};

static bool tcp_read_fixed(struct ew_cursor *c, struct tcp_fixed *h)
{
	h->sport = ew_be16(c);
	h->dport = ew_be16(c);
	h->seq = ew_be32(c);
	h->ack = ew_be32(c);
	h->hdr_len = (size_t)(ew_u8(c) >> 4) * 4;
	h->flags = ew_u8(c);
	h->win = ew_be16(c);
	ew_skip(c, 4); /* checksum, urgent pointer */
	return !c->bad;
}

static enum decode_event decode_tcp(struct ew_packet *pkt, struct decode_stats *stats,
				    const uint8_t *p, size_t len, size_t ip_payload_len)
{
	struct ew_cursor c;
	struct tcp_fixed h;

	ew_cursor_init(&c, p, len);
	if (!tcp_read_fixed(&c, &h))
		return DE_TCP_TRUNCATED;
	/*
	 * An offset the datagram cannot hold is a lie; one the capture
	 * does not hold is a snaplen cut through the options.
	 */
	if (h.hdr_len < TCP_MIN_HDR_LEN || h.hdr_len > ip_payload_len)
		return DE_TCP_BAD_OFFSET;
	if (h.hdr_len > len)
		return DE_TCP_TRUNCATED;
	if (!decode_options_well_formed(c.p, h.hdr_len - TCP_MIN_HDR_LEN))
		decode_note(stats, DE_TCP_BAD_OPTION);
	pkt->tcp_opts = c.p;
	pkt->tcp_opts_len = (uint32_t)(h.hdr_len - TCP_MIN_HDR_LEN);
	ew_skip(&c, h.hdr_len - TCP_MIN_HDR_LEN);

	pkt->has_l4 = true;
	pkt->sport = h.sport;
	pkt->dport = h.dport;
	pkt->tcp_seq = h.seq;
	pkt->tcp_ack = h.ack;
	pkt->tcp_flags = h.flags;
	pkt->tcp_win = h.win;
	set_payload(pkt, &c);
	return DE_NONE;
}

static enum decode_event decode_udp(struct ew_packet *pkt, const uint8_t *p, size_t len,
				    size_t ip_payload_len)
{
	struct ew_cursor c;
	uint16_t sport, dport, udp_len;

	ew_cursor_init(&c, p, len);
	sport = ew_be16(&c);
	dport = ew_be16(&c);
	udp_len = ew_be16(&c);
	ew_skip(&c, 2); /* checksum */
	if (c.bad)
		return DE_UDP_TRUNCATED;
	if (udp_len < UDP_HDR_LEN || udp_len > ip_payload_len)
		return DE_UDP_BAD_LEN;

	pkt->has_l4 = true;
	pkt->sport = sport;
	pkt->dport = dport;
	/*
	 * The UDP length, not the IP one, ends the payload; then clamp to
	 * the capture.  len >= UDP_HDR_LEN here.
	 */
	pkt->payload = c.p;
	pkt->payload_len = (uint32_t)((udp_len < len ? udp_len : len) - UDP_HDR_LEN);
	return DE_NONE;
}

/* ICMP and ICMPv6 share a layout; only the truncation event differs. */
static enum decode_event decode_icmp(struct ew_packet *pkt, const uint8_t *p, size_t len,
				     enum decode_event truncated)
{
	struct ew_cursor c;
	uint8_t type, code;

	ew_cursor_init(&c, p, len);
	type = ew_u8(&c);
	code = ew_u8(&c);
	ew_skip(&c, 2); /* checksum */
	if (c.bad)
		return truncated;

	pkt->has_l4 = true;
	pkt->icmp_type = type;
	pkt->icmp_code = code;
	/*
	 * The body (echo data, the quoted datagram of an error) follows
	 * the type-specific word, when that was captured.
	 */
	if (ew_skip(&c, ICMP_HDR_LEN - ICMP_MIN_LEN))
		set_payload(pkt, &c);
	return DE_NONE;
}

enum decode_event decode_l4(struct ew_packet *pkt, struct decode_stats *stats,
			    const uint8_t *p, size_t len, size_t ip_payload_len)
{
	switch (pkt->l4_proto) {
	case EW_IPPROTO_TCP:
		return decode_tcp(pkt, stats, p, len, ip_payload_len);
	case EW_IPPROTO_UDP:
		return decode_udp(pkt, p, len, ip_payload_len);
	case EW_IPPROTO_ICMP:
		return decode_icmp(pkt, p, len, DE_ICMP_TRUNCATED);
	case EW_IPPROTO_ICMPV6:
		return decode_icmp(pkt, p, len, DE_ICMPV6_TRUNCATED);
	default:
		decode_note(stats, DE_IP_PROTO_OTHER);
		return DE_NONE;
	}
}
