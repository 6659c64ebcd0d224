/*
 * gen-build.h - packet builders for ew-pcapgen, the test-capture generator.
 *
 * Everything here is deterministic: randomness comes only from the
 * caller's struct gen_rng.  Frames are handed to a struct gen_sink
 * together with a struct gen_meta that says what the frame is (its flow
 * key and the label the scenario gave it), so the scenario can keep its
 * ground truth from what it wrote rather than by parsing it back.
 *
 * Frames of one conversation are described by a struct gen_conv: both
 * endpoints' addresses, ports and link-layer addresses, plus the TCP state
 * (next sequence numbers) that the TCP helpers advance.  Builders may be
 * called out of time order (an ACK "later" than a data segment that is
 * built after it); the sink is expected to sort by timestamp.
 *
 * This is test tooling: a request that cannot be built (payload larger
 * than the MTU, an unknown link type) is a bug in the generator itself
 * and stops in gen_bug().  Nothing here reads untrusted input.
 */
#ifndef EW_GEN_BUILD_H
#define EW_GEN_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gen-rng.h"

/* ------------------------------------------------------------ link layer */

enum gen_link {
	GEN_LINK_ETHER,
	GEN_LINK_VLAN, /* one 802.1Q tag, id 10 */
	GEN_LINK_QINQ, /* 802.1ad outer id 100, 802.1Q inner id 10 */
	GEN_LINK_SLL,
	GEN_LINK_SLL2,
	GEN_LINK_RAW,
	GEN_LINK_NULL,
	GEN_LINK_LOOP,
};

#define GEN_VLAN_INNER_ID 10
#define GEN_VLAN_OUTER_ID 100

/* Returns 0 and sets *link, or -1 for an unknown name. */
int gen_link_from_name(const char *name, enum gen_link *link);
const char *gen_link_name(enum gen_link link);
int gen_link_dlt(enum gen_link link);      /* for pcap_open_dead() */
int gen_link_linktype(enum gen_link link); /* LINKTYPE_ value, for pcapng */
/* False for raw/null/loop, which have no place for ARP. */
bool gen_link_has_arp(enum gen_link link);
/* The outer VLAN id frames carry, 0 for none: the truth's vlan column. */
uint16_t gen_link_vlan(enum gen_link link);

/* ------------------------------------------------------------ addresses */

#define GEN_AF_INET 4
#define GEN_AF_INET6 6

struct gen_addr {
	uint8_t family; /* GEN_AF_INET or GEN_AF_INET6 */
	uint8_t b[16];  /* IPv4 in b[0..3] */
};

void gen_addr4(struct gen_addr *a, uint32_t host_order);
/* prefix8 is the first 8 bytes, iid the last 8 (both big-endian). */
void gen_addr6(struct gen_addr *a, uint64_t prefix8, uint64_t iid);
bool gen_addr_is_group(const struct gen_addr *a); /* multicast/broadcast */
/* The Ethernet group address for a multicast/broadcast IP address. */
void gen_group_mac(const struct gen_addr *a, uint8_t mac[6]);
/* Modified EUI-64 interface identifier from a MAC (RFC 4291). */
uint64_t gen_eui64(const uint8_t mac[6]);
/* ff02::1:ffXX:XXXX for a unicast IPv6 address (RFC 4291 2.7.1). */
void gen_solicited_node(const struct gen_addr *a, struct gen_addr *out);

/* ------------------------------------------------------------ frames */

/* What the ground truth needs about a frame; filled by the builders. */
struct gen_meta {
	struct gen_addr src, dst;
	uint16_t sport, dport;
	uint8_t proto;     /* IP protocol number; 0 for ARP */
	uint8_t tcp_flags; /* GEN_TCP_* */
	uint8_t app;       /* the scenario's label; opaque here */
	const char *server_name; /* NULL, or a string that outlives the run */
	bool bulk;         /* bulk payload: the writer may store it sliced */
};

struct gen_sink {
	void (*emit)(void *ctx, uint64_t ts_us, const uint8_t *frame, size_t len,
		     const struct gen_meta *meta);
	void *ctx;
	enum gen_link link;
	uint8_t local_mac[6]; /* the capturing host, for SLL packet types */
	bool null_le;         /* write DLT_NULL's family little-endian */
};

/* IP options for every packet of a conversation. */
#define GEN_OPT_IP4_RR 0x01  /* IPv4 record-route option (ping -R) */
#define GEN_OPT_IP6_HBH 0x02 /* IPv6 hop-by-hop header, router alert (MLD) */
#define GEN_OPT_IP6_DST 0x04 /* IPv6 destination-options header (PadN) */
#define GEN_OPT_DF 0x08      /* IPv4 don't-fragment */

/* TCP flags. */
#define GEN_TCP_FIN 0x01
#define GEN_TCP_SYN 0x02
#define GEN_TCP_RST 0x04
#define GEN_TCP_PSH 0x08
#define GEN_TCP_ACK 0x10

/* Which options a stack puts in its SYN (the SYN-ACK answers in kind). */
enum gen_syn_style {
	GEN_SYN_LINUX,   /* MSS, SACK_PERM, TS (if negotiated), NOP, WS */
	GEN_SYN_WINDOWS, /* MSS, NOP, WS, NOP, NOP, SACK_PERM */
	GEN_SYN_MINIMAL, /* MSS only, as lwIP sends */
	GEN_SYN_NONE,    /* no options: a raw-socket scanner's SYN (Mirai);
			    the answer carries MSS only */
};

/*
 * One conversation.  Index 0 is the client (the side that speaks first),
 * 1 the server.  mac[i] is the link-layer address side i's frames carry on
 * the LAN: the router's for a host beyond it, the group address for a
 * multicast destination.
 */
struct gen_conv {
	struct gen_addr addr[2];
	uint8_t mac[2][6];
	uint16_t port[2];
	uint8_t ttl[2];     /* TTL / hop limit as seen by the sensor */
	uint8_t proto;      /* 6, 17, 1 or 58 */
	uint8_t opts;       /* GEN_OPT_* */
	uint8_t app;        /* copied into gen_meta */
	const char *server_name;
	uint32_t delay_us[2]; /* side i answers this long after the sensor saw
				 the other side's packet */
	uint32_t us_per_kb;   /* serialisation time of 1000 bytes */
	uint32_t flow_label;
	uint16_t ip_id[2];
	/* TCP */
	uint32_t seq[2];     /* next sequence number side i sends */
	uint16_t win[2];     /* window field after the handshake */
	uint16_t syn_win[2]; /* window field in SYN / SYN-ACK */
	uint16_t mss[2];     /* MSS side i announces */
	uint8_t wscale[2];
	bool tcp_ts;         /* RFC 7323 timestamps negotiated */
	uint8_t syn_style[2]; /* enum gen_syn_style of each side */
	uint32_t ts_base[2]; /* each side's timestamp clock at time 0 */
	bool bulk;           /* copied into gen_meta: payload that may be sliced */
};

/* Randomises ISNs, IP ids, flow label and timestamp clocks. */
void gen_conv_randomise(struct gen_conv *c, struct gen_rng *rng);

/* Builders.  dir is the sending side (0 client, 1 server). */
void gen_udp(const struct gen_sink *s, struct gen_conv *c, int dir, uint64_t ts_us,
	     const uint8_t *payload, size_t len);
/* ICMP (IPv4) or ICMPv6 by address family; rest is the 4 bytes after the
 * checksum (id and sequence for echo). */
void gen_icmp(const struct gen_sink *s, struct gen_conv *c, int dir, uint64_t ts_us,
	      uint8_t type, uint8_t code, uint32_t rest, const uint8_t *body, size_t len);
/* An ARP frame on an Ethernet-like link (callers check gen_link_has_arp). */
void gen_arp(const struct gen_sink *s, uint64_t ts_us, uint16_t op, const uint8_t eth_dst[6],
	     const uint8_t sha[6], uint32_t spa, const uint8_t tha[6], uint32_t tpa);
/* The same with an Ethernet source other than sha (arpspoof restoring a
 * cache sends the true owner's address from its own card). */
void gen_arp_from(const struct gen_sink *s, uint64_t ts_us, uint16_t op, const uint8_t eth_src[6],
		  const uint8_t eth_dst[6], const uint8_t sha[6], uint32_t spa, const uint8_t tha[6],
		  uint32_t tpa);

/* One TCP segment from the current sequence numbers; advances seq[dir]. */
void gen_tcp_seg(const struct gen_sink *s, struct gen_conv *c, int dir, uint64_t ts_us,
		 uint8_t flags, const uint8_t *payload, size_t len);
/* SYN, SYN-ACK, ACK; returns the time of the client's ACK. */
uint64_t gen_tcp_open(const struct gen_sink *s, struct gen_conv *c, uint64_t ts_us);
/*
 * Sends len bytes from dir in MSS-sized segments, PSH on the last, and the
 * receiver's ACK for every second segment.  The last segment is left
 * unacknowledged for the caller.  Returns the time of the last segment.
 */
uint64_t gen_tcp_send(const struct gen_sink *s, struct gen_conv *c, int dir, uint64_t ts_us,
		      const uint8_t *data, size_t len);
void gen_tcp_ack(const struct gen_sink *s, struct gen_conv *c, int dir, uint64_t ts_us);
/* FIN from dir, FIN-ACK back, last ACK; returns the time of the last ACK. */
uint64_t gen_tcp_close(const struct gen_sink *s, struct gen_conv *c, int dir, uint64_t ts_us);

/* One application message of a scripted TCP exchange. */
struct gen_msg {
	uint8_t dir;
	uint32_t think_us; /* sender's pause after it learnt of the last message */
	const uint8_t *data;
	size_t len;
};

enum gen_close { GEN_CLOSE_CLIENT, GEN_CLOSE_SERVER, GEN_CLOSE_RST, GEN_CLOSE_NONE };

/*
 * A whole connection: handshake, the messages in order with ACKs (carried
 * on the answer when it follows within a delayed-ACK interval, else pure),
 * then the teardown.  Returns the time of the last frame.
 */
uint64_t gen_tcp_exchange(const struct gen_sink *s, struct gen_conv *c, uint64_t ts_us,
			  const struct gen_msg *msgs, size_t n, enum gen_close close);

#endif /* EW_GEN_BUILD_H */
