/*
 * gen-build.c - link, IP, TCP/UDP/ICMP and ARP frame builders and the TCP
 * connection helper.
 *
 * Frames are assembled back to front in one stack buffer: the transport
 * header and payload go at a fixed offset, then the IP header (with any
 * options or extension headers) and the link header are written in front
 * of them.  Checksums are computed over native 16-bit words and stored
 * natively, which RFC 1071 shows is byte-order independent.
 */
#include "gen-build.h"

#include <string.h>

#include <pcap/pcap.h>

#include "gen-bytes.h"

#define GEN_MTU 1500         /* no frame exceeds Ethernet's MTU: no fragments */
#define HEADROOM 128        /* link (<= 22) + IPv6 with two ext headers (56) */
#define FRAME_BUF (HEADROOM + GEN_MTU + 64)
#define ETH_MIN_FRAME 60    /* shortest Ethernet frame without FCS */
#define ETH_MIN_PAYLOAD 46
#define DELAYED_ACK_US 40000 /* receivers piggyback ACKs sent within this */
#define SLL2_IFINDEX 2

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP 0x0806
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_8021Q 0x8100
#define ETHERTYPE_8021AD 0x88a8
#define BSD_AF_INET 2
#define BSD_AF_INET6 24 /* OpenBSD/NetBSD value; Wireshark accepts 24/28/30 */

enum sll_type { SLL_HOST = 0, SLL_BROADCAST = 1, SLL_MULTICAST = 2, SLL_OTHERHOST = 3,
		SLL_OUTGOING = 4 };

/* ------------------------------------------------------------ checksums */

static uint64_t csum_add(uint64_t acc, const uint8_t *p, size_t n)
{
	uint32_t w32;
	uint16_t w16;

	for (; n >= 4; p += 4, n -= 4) {
		memcpy(&w32, p, 4);
		acc += w32;
	}
	if (n >= 2) {
		memcpy(&w16, p, 2);
		acc += w16;
		p += 2;
		n -= 2;
	}
	if (n == 1) {
		uint8_t last[2] = { p[0], 0 };

		memcpy(&w16, last, 2);
		acc += w16;
	}
	return acc;
}

static uint16_t csum_fold(uint64_t acc)
{
	acc = (acc & 0xffffffffu) + (acc >> 32);
	acc = (acc & 0xffffffffu) + (acc >> 32);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

/* Sum of the TCP/UDP/ICMPv6 pseudo header (RFC 793, RFC 8200 8.1). */
static uint64_t csum_pseudo(const struct gen_addr *src, const struct gen_addr *dst,
			    uint8_t proto, size_t l4len)
{
	uint8_t tail[8] = { 0 };
	size_t alen = src->family == GEN_AF_INET ? 4 : 16;
	uint64_t acc = csum_add(csum_add(0, src->b, alen), dst->b, alen);

	if (src->family == GEN_AF_INET) {
		tail[1] = proto;
		gen_be16(tail + 2, (uint16_t)l4len);
		return csum_add(acc, tail, 4);
	}
	gen_be32(tail, (uint32_t)l4len);
	tail[7] = proto;
	return csum_add(acc, tail, 8);
}

/* ------------------------------------------------------------ link layer */

/* dlt is libpcap's value, linktype the one files carry (they differ for
 * DLT_RAW, whose number varies between platforms). */
static const struct {
	const char *name;
	int dlt;
	uint16_t linktype;
	uint8_t hdr_len;
} link_table[] = {
	[GEN_LINK_ETHER] = { "ether", DLT_EN10MB, 1, 14 },
	[GEN_LINK_VLAN] = { "vlan", DLT_EN10MB, 1, 18 },
	[GEN_LINK_QINQ] = { "qinq", DLT_EN10MB, 1, 22 },
	[GEN_LINK_SLL] = { "sll", DLT_LINUX_SLL, 113, 16 },
	[GEN_LINK_SLL2] = { "sll2", DLT_LINUX_SLL2, 276, 20 },
	[GEN_LINK_RAW] = { "raw", DLT_RAW, 101, 0 },
	[GEN_LINK_NULL] = { "null", DLT_NULL, 0, 4 },
	[GEN_LINK_LOOP] = { "loop", DLT_LOOP, 108, 4 },
};

int gen_link_from_name(const char *name, enum gen_link *link)
{
	for (size_t i = 0; i < sizeof(link_table) / sizeof(link_table[0]); i++) {
		if (strcmp(name, link_table[i].name) == 0) {
			*link = (enum gen_link)i;
			return 0;
		}
	}
	return -1;
}

const char *gen_link_name(enum gen_link link)
{
	return link_table[link].name;
}

int gen_link_dlt(enum gen_link link)
{
	return link_table[link].dlt;
}

int gen_link_linktype(enum gen_link link)
{
	return link_table[link].linktype;
}

bool gen_link_has_arp(enum gen_link link)
{
	return link <= GEN_LINK_SLL2;
}

uint16_t gen_link_vlan(enum gen_link link)
{
	if (link == GEN_LINK_VLAN)
		return GEN_VLAN_INNER_ID;
	if (link == GEN_LINK_QINQ)
		return GEN_VLAN_OUTER_ID;
	return 0;
}

static enum sll_type sll_type_of(const struct gen_sink *s, const uint8_t *src, const uint8_t *dst)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	if (memcmp(dst, bcast, 6) == 0)
		return SLL_BROADCAST;
	if (dst[0] & 1)
		return SLL_MULTICAST;
	if (memcmp(src, s->local_mac, 6) == 0)
		return SLL_OUTGOING;
	if (memcmp(dst, s->local_mac, 6) == 0)
		return SLL_HOST;
	return SLL_OTHERHOST;
}

/*
 * Writes the link header in front of the L3 packet at l3 (len bytes, with
 * room behind it for padding), pads short frames the way they look on the
 * wire, and hands the frame to the sink.
 */
static void emit_frame(const struct gen_sink *s, uint64_t ts_us, uint8_t *l3, size_t len,
		       uint16_t ethertype, const uint8_t *src, const uint8_t *dst,
		       const struct gen_meta *meta)
{
	size_t hl = link_table[s->link].hdr_len;
	uint8_t *p = l3 - hl;
	uint32_t fam = ethertype == ETHERTYPE_IPV6 ? BSD_AF_INET6 : BSD_AF_INET;
	enum sll_type st;

	switch (s->link) {
	case GEN_LINK_ETHER:
	case GEN_LINK_VLAN:
	case GEN_LINK_QINQ:
		memcpy(p, dst, 6);
		memcpy(p + 6, src, 6);
		if (s->link == GEN_LINK_QINQ) {
			gen_be16(p + 12, ETHERTYPE_8021AD);
			gen_be16(p + 14, GEN_VLAN_OUTER_ID);
			gen_be16(p + 16, ETHERTYPE_8021Q);
			gen_be16(p + 18, GEN_VLAN_INNER_ID);
		} else if (s->link == GEN_LINK_VLAN) {
			gen_be16(p + 12, ETHERTYPE_8021Q);
			gen_be16(p + 14, GEN_VLAN_INNER_ID);
		}
		gen_be16(p + hl - 2, ethertype);
		/* Frames from the wire arrive padded to the 60-byte minimum. */
		while (hl + len < ETH_MIN_FRAME)
			l3[len++] = 0;
		break;
	case GEN_LINK_SLL:
	case GEN_LINK_SLL2:
		st = sll_type_of(s, src, dst);
		if (s->link == GEN_LINK_SLL) {
			gen_be16(p, (uint16_t)st);
			gen_be16(p + 2, 1); /* ARPHRD_ETHER */
			gen_be16(p + 4, 6);
			memcpy(p + 6, src, 6);
			memset(p + 12, 0, 2);
			gen_be16(p + 14, ethertype);
		} else {
			gen_be16(p, ethertype);
			memset(p + 2, 0, 2);
			gen_be32(p + 4, SLL2_IFINDEX);
			gen_be16(p + 8, 1);
			p[10] = (uint8_t)st;
			p[11] = 6;
			memcpy(p + 12, src, 6);
			memset(p + 18, 0, 2);
		}
		/* Received frames keep their Ethernet padding; sent ones do not. */
		while (st != SLL_OUTGOING && len < ETH_MIN_PAYLOAD)
			l3[len++] = 0;
		break;
	case GEN_LINK_RAW:
		break;
	case GEN_LINK_NULL:
		if (s->null_le) {
			p[0] = (uint8_t)fam;
			p[1] = p[2] = p[3] = 0;
		} else {
			gen_be32(p, fam);
		}
		break;
	case GEN_LINK_LOOP:
		gen_be32(p, fam);
		break;
	default:
		gen_bug("unknown link type");
	}
	s->emit(s->ctx, ts_us, p, hl + len, meta);
}

/* ------------------------------------------------------------ addresses */

void gen_addr4(struct gen_addr *a, uint32_t host_order)
{
	memset(a, 0, sizeof(*a));
	a->family = GEN_AF_INET;
	gen_be32(a->b, host_order);
}

void gen_addr6(struct gen_addr *a, uint64_t prefix8, uint64_t iid)
{
	a->family = GEN_AF_INET6;
	gen_be32(a->b, (uint32_t)(prefix8 >> 32));
	gen_be32(a->b + 4, (uint32_t)prefix8);
	gen_be32(a->b + 8, (uint32_t)(iid >> 32));
	gen_be32(a->b + 12, (uint32_t)iid);
}

bool gen_addr_is_group(const struct gen_addr *a)
{
	if (a->family == GEN_AF_INET)
		return a->b[0] >= 224;
	return a->b[0] == 0xff;
}

void gen_group_mac(const struct gen_addr *a, uint8_t mac[6])
{
	if (a->family == GEN_AF_INET6) {
		mac[0] = mac[1] = 0x33;
		memcpy(mac + 2, a->b + 12, 4);
	} else if (a->b[0] == 255) {
		memset(mac, 0xff, 6);
	} else {
		mac[0] = 0x01;
		mac[1] = 0x00;
		mac[2] = 0x5e;
		mac[3] = a->b[1] & 0x7f;
		mac[4] = a->b[2];
		mac[5] = a->b[3];
	}
}

uint64_t gen_eui64(const uint8_t mac[6])
{
	return (uint64_t)(mac[0] ^ 0x02) << 56 | (uint64_t)mac[1] << 48 | (uint64_t)mac[2] << 40 |
	       0xfffeULL << 24 | (uint64_t)mac[3] << 16 | (uint64_t)mac[4] << 8 | mac[5];
}

void gen_solicited_node(const struct gen_addr *a, struct gen_addr *out)
{
	gen_addr6(out, 0xff02000000000000ULL, 0x00000001ff000000ULL);
	memcpy(out->b + 13, a->b + 13, 3);
}

/* ------------------------------------------------------------ IP */

void gen_conv_randomise(struct gen_conv *c, struct gen_rng *rng)
{
	for (int i = 0; i < 2; i++) {
		c->seq[i] = (uint32_t)gen_rng_next(rng);
		c->ip_id[i] = (uint16_t)gen_rng_next(rng);
		c->ts_base[i] = (uint32_t)gen_rng_next(rng);
	}
	c->flow_label = (uint32_t)gen_rng_next(rng) & 0xfffff;
}

static void fill_meta(struct gen_meta *m, const struct gen_conv *c, int dir, uint8_t flags)
{
	m->src = c->addr[dir];
	m->dst = c->addr[!dir];
	m->sport = c->port[dir];
	m->dport = c->port[!dir];
	m->proto = c->proto;
	m->tcp_flags = flags;
	m->app = c->app;
	m->server_name = c->server_name;
	m->bulk = c->bulk;
}

/* Bytes of IP header (with options / extension headers) c's packets carry. */
static size_t ip_header_len(const struct gen_conv *c)
{
	if (c->addr[0].family == GEN_AF_INET)
		return (c->opts & GEN_OPT_IP4_RR) ? 60 : 20;
	return 40 + ((c->opts & GEN_OPT_IP6_HBH) ? 8 : 0) + ((c->opts & GEN_OPT_IP6_DST) ? 8 : 0);
}

static void ip4_header(uint8_t *p, struct gen_conv *c, int dir, size_t l4len)
{
	size_t hl = ip_header_len(c);

	p[0] = (uint8_t)(0x40 | hl / 4);
	p[1] = 0;
	gen_be16(p + 2, (uint16_t)(hl + l4len));
	gen_be16(p + 4, c->ip_id[dir]++);
	gen_be16(p + 6, (c->opts & GEN_OPT_DF) ? 0x4000 : 0);
	p[8] = c->ttl[dir];
	p[9] = c->proto;
	memset(p + 10, 0, 2);
	memcpy(p + 12, c->addr[dir].b, 4);
	memcpy(p + 16, c->addr[!dir].b, 4);
	if (hl > 20) {
		/* Record route with nine slots; the replier has recorded itself. */
		memset(p + 20, 0, 40);
		p[20] = 7;
		p[21] = 39;
		p[22] = dir ? 8 : 4;
		if (dir)
			memcpy(p + 23, c->addr[1].b, 4);
	}
	uint16_t sum = csum_fold(csum_add(0, p, hl));
	memcpy(p + 10, &sum, 2);
}

static void ip6_header(uint8_t *p, struct gen_conv *c, int dir, size_t l4len)
{
	size_t hl = ip_header_len(c);
	uint8_t *ext = p + 40;
	uint8_t next = c->proto;

	gen_be32(p, 0x60000000u | c->flow_label);
	gen_be16(p + 4, (uint16_t)(hl - 40 + l4len));
	p[7] = c->ttl[dir];
	memcpy(p + 8, c->addr[dir].b, 16);
	memcpy(p + 24, c->addr[!dir].b, 16);
	if (c->opts & GEN_OPT_IP6_HBH) {
		/* Router alert (RFC 2711, value 0 = MLD) then a 2-byte PadN. */
		static const uint8_t hbh[6] = { 0x05, 0x02, 0x00, 0x00, 0x01, 0x00 };

		p[6] = 0;
		ext[0] = (c->opts & GEN_OPT_IP6_DST) ? 60 : next;
		ext[1] = 0;
		memcpy(ext + 2, hbh, 6);
		ext += 8;
	} else {
		p[6] = (c->opts & GEN_OPT_IP6_DST) ? 60 : next;
	}
	if (c->opts & GEN_OPT_IP6_DST) {
		/* Only padding: an option every node must skip. */
		static const uint8_t pad[6] = { 0x01, 0x04, 0, 0, 0, 0 };

		ext[0] = next;
		ext[1] = 0;
		memcpy(ext + 2, pad, 6);
	}
}

/* Prepends the IP header to the transport message at l4 and emits it. */
static void emit_ip(const struct gen_sink *s, struct gen_conv *c, int dir, uint64_t ts_us,
		    uint8_t *l4, size_t l4len, uint8_t tcp_flags)
{
	size_t hl = ip_header_len(c);
	struct gen_meta meta;

	if (hl + l4len > GEN_MTU)
		gen_bug("packet larger than the MTU");
	if (c->addr[0].family == GEN_AF_INET)
		ip4_header(l4 - hl, c, dir, l4len);
	else
		ip6_header(l4 - hl, c, dir, l4len);
	fill_meta(&meta, c, dir, tcp_flags);
	emit_frame(s, ts_us, l4 - hl, hl + l4len,
		   c->addr[0].family == GEN_AF_INET ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6,
		   c->mac[dir], c->mac[!dir], &meta);
}

static void store_csum(uint8_t *at, uint16_t sum)
{
	memcpy(at, &sum, 2);
}

void gen_udp(const struct gen_sink *s, struct gen_conv *c, int dir, uint64_t ts_us,
	     const uint8_t *payload, size_t len)
{
	uint8_t buf[FRAME_BUF];
	uint8_t *l4 = buf + HEADROOM;
	size_t l4len = 8 + len;

	if (l4len > GEN_MTU)
		gen_bug("UDP payload too long");
	gen_be16(l4, c->port[dir]);
	gen_be16(l4 + 2, c->port[!dir]);
	gen_be16(l4 + 4, (uint16_t)l4len);
	memset(l4 + 6, 0, 2);
	memcpy(l4 + 8, payload, len);
	uint16_t sum = csum_fold(csum_add(csum_pseudo(&c->addr[dir], &c->addr[!dir], 17, l4len),
					  l4, l4len));
	store_csum(l4 + 6, sum ? sum : 0xffff); /* 0 means "no checksum" */
	emit_ip(s, c, dir, ts_us, l4, l4len, 0);
}

void gen_icmp(const struct gen_sink *s, struct gen_conv *c, int dir, uint64_t ts_us,
	      uint8_t type, uint8_t code, uint32_t rest, const uint8_t *body, size_t len)
{
	uint8_t buf[FRAME_BUF];
	uint8_t *l4 = buf + HEADROOM;
	size_t l4len = 8 + len;
	uint64_t acc = 0;

	if (l4len > GEN_MTU)
		gen_bug("ICMP body too long");
	l4[0] = type;
	l4[1] = code;
	memset(l4 + 2, 0, 2);
	gen_be32(l4 + 4, rest);
	memcpy(l4 + 8, body, len);
	if (c->addr[0].family == GEN_AF_INET6)
		acc = csum_pseudo(&c->addr[dir], &c->addr[!dir], 58, l4len);
	store_csum(l4 + 2, csum_fold(csum_add(acc, l4, l4len)));
	emit_ip(s, c, dir, ts_us, l4, l4len, 0);
}

void gen_arp(const struct gen_sink *s, uint64_t ts_us, uint16_t op, const uint8_t eth_dst[6],
	     const uint8_t sha[6], uint32_t spa, const uint8_t tha[6], uint32_t tpa)
{
	gen_arp_from(s, ts_us, op, sha, eth_dst, sha, spa, tha, tpa);
}

void gen_arp_from(const struct gen_sink *s, uint64_t ts_us, uint16_t op, const uint8_t eth_src[6],
		  const uint8_t eth_dst[6], const uint8_t sha[6], uint32_t spa, const uint8_t tha[6],
		  uint32_t tpa)
{
	uint8_t buf[FRAME_BUF];
	uint8_t *p = buf + HEADROOM;
	struct gen_meta meta;

	memset(&meta, 0, sizeof(meta));
	gen_be16(p, 1);
	gen_be16(p + 2, ETHERTYPE_IPV4);
	p[4] = 6;
	p[5] = 4;
	gen_be16(p + 6, op);
	memcpy(p + 8, sha, 6);
	gen_be32(p + 14, spa);
	memcpy(p + 18, tha, 6);
	gen_be32(p + 24, tpa);
	emit_frame(s, ts_us, p, 28, ETHERTYPE_ARP, eth_src, eth_dst, &meta);
}

/* ------------------------------------------------------------ TCP */

/* Each side's RFC 7323 clock ticks once per millisecond. */
static uint32_t tcp_clock(const struct gen_conv *c, int side, uint64_t ts_us)
{
	return c->ts_base[side] + (uint32_t)(ts_us / 1000);
}

static size_t tcp_syn_options(uint8_t *o, const struct gen_conv *c, int dir, uint64_t ts_us,
			      bool ack)
{
	/* A SYN-ACK offers nothing its SYN did not: a minimal SYN gets MSS
	 * only, and so does one without options (servers always send MSS). */
	int style = c->syn_style[0] == GEN_SYN_MINIMAL ||
				    (dir == 1 && c->syn_style[0] == GEN_SYN_NONE) ?
			    GEN_SYN_MINIMAL : c->syn_style[dir];
	size_t n = 0;

	if (style == GEN_SYN_NONE)
		return 0;

	o[n++] = 2; /* MSS */
	o[n++] = 4;
	gen_be16(o + n, c->mss[dir]);
	n += 2;
	if (style == GEN_SYN_MINIMAL)
		return n;
	if (style == GEN_SYN_WINDOWS) {
		static const uint8_t tail[] = { 1, 3, 3, 0, 1, 1, 4, 2 };

		memcpy(o + n, tail, sizeof(tail));
		o[n + 3] = c->wscale[dir];
		return n + sizeof(tail);
	}
	if (c->tcp_ts) {
		o[n++] = 4;
		o[n++] = 2;
		o[n++] = 8;
		o[n++] = 10;
		gen_be32(o + n, tcp_clock(c, dir, ts_us));
		gen_be32(o + n + 4, ack ? tcp_clock(c, !dir, ts_us - c->delay_us[dir]) : 0);
		n += 8;
	} else {
		o[n++] = 1;
		o[n++] = 1;
		o[n++] = 4;
		o[n++] = 2;
	}
	o[n++] = 1;
	o[n++] = 3;
	o[n++] = 3;
	o[n++] = c->wscale[dir];
	return n;
}

static void tcp_emit(const struct gen_sink *s, struct gen_conv *c, int dir, uint64_t ts_us,
		     uint8_t flags, uint32_t seq, uint32_t ack, const uint8_t *payload, size_t len)
{
	uint8_t buf[FRAME_BUF];
	uint8_t *l4 = buf + HEADROOM;
	size_t hl = 20;

	if (flags & GEN_TCP_SYN) {
		hl += tcp_syn_options(l4 + 20, c, dir, ts_us, flags & GEN_TCP_ACK);
	} else if (c->tcp_ts) {
		uint8_t *o = l4 + 20;

		o[0] = 1;
		o[1] = 1;
		o[2] = 8;
		o[3] = 10;
		gen_be32(o + 4, tcp_clock(c, dir, ts_us));
		gen_be32(o + 8, tcp_clock(c, !dir, ts_us > c->delay_us[dir] ? ts_us - c->delay_us[dir] : 0));
		hl += 12;
	}
	if (hl + len > GEN_MTU)
		gen_bug("TCP segment too long");
	gen_be16(l4, c->port[dir]);
	gen_be16(l4 + 2, c->port[!dir]);
	gen_be32(l4 + 4, seq);
	gen_be32(l4 + 8, (flags & GEN_TCP_ACK) ? ack : 0);
	l4[12] = (uint8_t)(hl / 4 << 4);
	l4[13] = flags;
	gen_be16(l4 + 14, (flags & GEN_TCP_SYN) ? c->syn_win[dir] : c->win[dir]);
	memset(l4 + 16, 0, 4);
	if (len > 0) /* a bare SYN/ACK/FIN has no payload pointer */
		memcpy(l4 + hl, payload, len);
	size_t l4len = hl + len;
	store_csum(l4 + 16, csum_fold(csum_add(csum_pseudo(&c->addr[dir], &c->addr[!dir], 6, l4len),
					       l4, l4len)));
	emit_ip(s, c, dir, ts_us, l4, l4len, flags);
}

void gen_tcp_seg(const struct gen_sink *s, struct gen_conv *c, int dir, uint64_t ts_us,
		 uint8_t flags, const uint8_t *payload, size_t len)
{
	tcp_emit(s, c, dir, ts_us, flags, c->seq[dir], c->seq[!dir], payload, len);
	c->seq[dir] += (uint32_t)len + ((flags & GEN_TCP_SYN) ? 1 : 0) + ((flags & GEN_TCP_FIN) ? 1 : 0);
}

uint64_t gen_tcp_open(const struct gen_sink *s, struct gen_conv *c, uint64_t ts_us)
{
	uint64_t t = ts_us;

	gen_tcp_seg(s, c, 0, t, GEN_TCP_SYN, NULL, 0);
	t += c->delay_us[1];
	gen_tcp_seg(s, c, 1, t, GEN_TCP_SYN | GEN_TCP_ACK, NULL, 0);
	t += c->delay_us[0];
	gen_tcp_seg(s, c, 0, t, GEN_TCP_ACK, NULL, 0);
	return t;
}

/* Payload bytes per segment from dir: the smaller MSS less TCP options. */
static size_t tcp_seg_size(const struct gen_conv *c)
{
	size_t mss = c->mss[0] < c->mss[1] ? c->mss[0] : c->mss[1];

	return mss - (c->tcp_ts ? 12 : 0);
}

uint64_t gen_tcp_send(const struct gen_sink *s, struct gen_conv *c, int dir, uint64_t ts_us,
		      const uint8_t *data, size_t len)
{
	size_t seg = tcp_seg_size(c), off = 0;
	uint64_t t = ts_us;
	unsigned count = 0;

	while (off < len) {
		size_t n = len - off < seg ? len - off : seg;
		bool last = off + n == len;

		gen_tcp_seg(s, c, dir, t, GEN_TCP_ACK | (last ? GEN_TCP_PSH : 0), data + off, n);
		off += n;
		if (last)
			break;
		/* The receiver acknowledges every second full segment. */
		if (++count % 2 == 0)
			gen_tcp_ack(s, c, !dir, t + c->delay_us[!dir]);
		t += 1 + n * c->us_per_kb / 1000;
	}
	return t;
}

void gen_tcp_ack(const struct gen_sink *s, struct gen_conv *c, int dir, uint64_t ts_us)
{
	gen_tcp_seg(s, c, dir, ts_us, GEN_TCP_ACK, NULL, 0);
}

uint64_t gen_tcp_close(const struct gen_sink *s, struct gen_conv *c, int dir, uint64_t ts_us)
{
	uint64_t t = ts_us;

	gen_tcp_seg(s, c, dir, t, GEN_TCP_FIN | GEN_TCP_ACK, NULL, 0);
	t += c->delay_us[!dir];
	gen_tcp_seg(s, c, !dir, t, GEN_TCP_FIN | GEN_TCP_ACK, NULL, 0);
	t += c->delay_us[dir];
	gen_tcp_seg(s, c, dir, t, GEN_TCP_ACK, NULL, 0);
	return t;
}

uint64_t gen_tcp_exchange(const struct gen_sink *s, struct gen_conv *c, uint64_t ts_us,
			  const struct gen_msg *msgs, size_t n, enum gen_close close)
{
	uint64_t seen = gen_tcp_open(s, c, ts_us); /* sensor time of the last segment */
	int last = 0;
	bool owed = false; /* !last owes an ACK for last's message */

	for (size_t i = 0; i < n; i++) {
		int d = msgs[i].dir;
		uint64_t start = seen + msgs[i].think_us + (d != last ? c->delay_us[d] : 0);

		if (owed && !(d != last && msgs[i].think_us <= DELAYED_ACK_US))
			gen_tcp_ack(s, c, !last, seen + c->delay_us[!last]);
		seen = gen_tcp_send(s, c, d, start, msgs[i].data, msgs[i].len);
		last = d;
		owed = true;
	}
	switch (close) {
	case GEN_CLOSE_CLIENT:
	case GEN_CLOSE_SERVER: {
		int cd = close == GEN_CLOSE_CLIENT ? 0 : 1;

		/* A FIN right behind data, or one that carries the owed ACK. */
		seen = cd == last ? seen + 30 : seen + c->delay_us[cd] + 150;
		return gen_tcp_close(s, c, cd, seen);
	}
	case GEN_CLOSE_RST:
		seen += c->delay_us[0] + 200;
		gen_tcp_seg(s, c, 0, seen, GEN_TCP_RST | GEN_TCP_ACK, NULL, 0);
		return seen;
	case GEN_CLOSE_NONE:
		if (owed) {
			seen += c->delay_us[!last];
			gen_tcp_ack(s, c, !last, seen);
		}
		return seen;
	}
	return seen;
}

