/*
 * packet.h - the shared vocabulary of the pipeline: addresses, time and
 * the decoded view of one packet.
 *
 * This is the only header every stage includes.  It holds no functions
 * beyond tiny helpers for its own types (ew_addr_format lives in
 * util-addr.c), so that no stage depends on another's implementation
 * through it.
 *
 * Ownership: a struct ew_packet points into the capture buffer it was
 * decoded from.  Those pointers are valid only for the duration of the
 * packet callback; a stage that wants to keep bytes must copy them.
 */
#ifndef EW_PACKET_H
#define EW_PACKET_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* Microseconds since the Unix epoch, taken from packet timestamps. */
typedef uint64_t ew_usec_t;
#define EW_USEC_PER_SEC 1000000ULL

/*
 * An IP address.  IPv4 addresses are stored as IPv4-mapped IPv6
 * (::ffff:a.b.c.d) so that flow keys have one fixed layout and one
 * comparison for both families; `family` says how to print it.
 */
enum ew_family { EW_AF_NONE = 0, EW_AF_INET = 4, EW_AF_INET6 = 6 };

struct ew_addr {
	uint8_t bytes[16];
	uint8_t family; /* enum ew_family */
};

static inline void ew_addr_set_v4(struct ew_addr *a, const uint8_t v4[4])
{
	memset(a->bytes, 0, 10);
	a->bytes[10] = 0xff;
	a->bytes[11] = 0xff;
	memcpy(a->bytes + 12, v4, 4);
	a->family = EW_AF_INET;
}

static inline void ew_addr_set_v6(struct ew_addr *a, const uint8_t v6[16])
{
	memcpy(a->bytes, v6, 16);
	a->family = EW_AF_INET6;
}

/* Longest text form of an address, with its terminating NUL. */
#define EW_ADDR_STRLEN 46

/* Text form of an address ("192.168.1.20", "fe80::1") into buf (EW_ADDR_STRLEN bytes). */
void ew_addr_format(const struct ew_addr *a, char *buf, size_t len);

/* What the decoder found at the top of the stack it understood. */
enum ew_pkt_kind {
	EW_PKT_OTHER = 0, /* decoded link layer, payload not IP, ARP or LLDP */
	EW_PKT_ARP,
	EW_PKT_IP,
	EW_PKT_LLDP,      /* payload/payload_len: the LLDPDU; src_mac: its sender */
};

/* IANA protocol numbers the pipeline treats specially. */
#define EW_IPPROTO_ICMP 1
#define EW_IPPROTO_TCP 6
#define EW_IPPROTO_UDP 17
#define EW_IPPROTO_ICMPV6 58

/* TCP flag bits as on the wire. */
#define EW_TH_FIN 0x01
#define EW_TH_SYN 0x02
#define EW_TH_RST 0x04
#define EW_TH_PSH 0x08
#define EW_TH_ACK 0x10
#define EW_TH_URG 0x20
#define EW_TH_ECE 0x40
#define EW_TH_CWR 0x80

/* At most this many 802.1Q/802.1ad tags are decoded (QinQ). */
#define EW_MAX_VLAN_TAGS 2

struct ew_arp {
	uint16_t op;          /* 1 request, 2 reply */
	uint8_t sha[6], tha[6];
	uint8_t spa[4], tpa[4];
};

struct ew_packet {
	ew_usec_t ts_us;
	uint32_t caplen;  /* bytes captured */
	uint32_t wirelen; /* bytes on the wire */

	/* Link layer. */
	bool has_mac;
	uint8_t src_mac[6], dst_mac[6];
	uint8_t vlan_count;
	uint16_t vlan_id[EW_MAX_VLAN_TAGS]; /* outermost first, 12-bit ids */
	uint16_t ethertype;                 /* of the network layer */

	enum ew_pkt_kind kind;
	struct ew_arp arp; /* valid when kind == EW_PKT_ARP */

	/*
	 * Network layer (kind == EW_PKT_IP).  l3 points at the IP header and
	 * l3_len is the IP datagram's length clamped to what was captured:
	 * exactly what nDPI wants.
	 */
	const uint8_t *l3;
	uint32_t l3_len;
	uint8_t ip_version; /* 4 or 6 */
	uint8_t ttl;        /* TTL or hop limit */
	uint8_t l4_proto;   /* after IPv6 extension headers */
	bool is_fragment;   /* any fragment: ports are not known/trusted */
	struct ew_addr src, dst;
	uint32_t ip_len; /* IP datagram length as the header claims */

	/* Transport layer (not set for fragments). */
	bool has_l4;
	uint16_t sport, dport; /* host order; ICMP: 0 */
	uint8_t tcp_flags;
	uint32_t tcp_seq, tcp_ack;
	uint16_t tcp_win;
	/* TCP options as captured (within the header), for SYN fingerprints. */
	const uint8_t *tcp_opts;
	uint32_t tcp_opts_len;
	uint8_t icmp_type, icmp_code;

	/* Application payload above TCP/UDP (or the ICMP body). */
	const uint8_t *payload;
	uint32_t payload_len;
};

#endif /* EW_PACKET_H */
