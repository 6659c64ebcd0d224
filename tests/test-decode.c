/*
 * test-decode.c - unit tests for the packet decoder (src/decode*.c).
 *
 * Every packet is written out by hand, byte by byte, with the expected
 * fields worked out in the comments next to it; offsets in comments are
 * from the start of the frame.  Each packet is copied into an
 * exactly-sized heap buffer before decoding, so that AddressSanitizer
 * catches a read of even one byte past the capture.
 *
 * Three groups: good packets (one per link type and per feature), a table
 * of hostile packets (each with the event it must return and count), and
 * a sweep over every prefix of the good packets checking that no decode
 * ever points outside the buffer.  Checksums are left 0: the decoder does
 * not verify them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "decode.h"

/* ------------------------------------------------------------ packets */

#define MAC_A 0x00, 0x11, 0x22, 0x33, 0x44, 0x55
#define MAC_B 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb
#define ETH_HDR(hi, lo) MAC_A, MAC_B, hi, lo
#define V6_DOC(last) 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, last

/*
 * IPv4/UDP, 29 bytes: total length 29, TTL 128, 10.1.2.3 -> 10.1.2.4,
 * UDP 12345 -> 123, length 9, one payload byte 0x2a at offset 28.
 */
#define RAW_IPV4_UDP \
	0x45, 0x00, 0x00, 0x1d, 0x00, 0x02, 0x00, 0x00, 0x80, 0x11, 0x00, 0x00, \
	0x0a, 0x01, 0x02, 0x03, 0x0a, 0x01, 0x02, 0x04, \
	0x30, 0x39, 0x00, 0x7b, 0x00, 0x09, 0x00, 0x00, 0x2a

/*
 * IPv6/TCP, 60 bytes: payload length 20, hop limit 64, 2001:db8::1 ->
 * 2001:db8::2, TCP 50000 -> 443, seq 1, ack 0, offset 5, SYN, win 65535.
 */
#define RAW_IPV6_TCP \
	0x60, 0x00, 0x00, 0x00, 0x00, 0x14, 0x06, 0x40, V6_DOC(0x01), V6_DOC(0x02), \
	0xc3, 0x50, 0x01, 0xbb, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, \
	0x50, 0x02, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00

static const uint8_t raw_ipv4_udp[] = { RAW_IPV4_UDP };
static const uint8_t raw_ipv6_tcp[] = { RAW_IPV6_TCP };
static const uint8_t null_le_ipv4[] = { 0x02, 0x00, 0x00, 0x00, RAW_IPV4_UDP };
static const uint8_t null_be_ipv6[] = { 0x00, 0x00, 0x00, 0x1e, RAW_IPV6_TCP }; /* 30: macOS */
static const uint8_t loop_ipv4[] = { 0x00, 0x00, 0x00, 0x02, RAW_IPV4_UDP };

/*
 * Ethernet/IPv4/TCP, 62 bytes.  IPv4 at 14: total 48, DF, TTL 64,
 * 192.168.1.10 -> 93.184.216.34.  TCP at 34: 49152 -> 80, seq 0x01020304,
 * ack 0x0a0b0c0d, offset 6 (byte 46), PSH|ACK, win 64240, MSS option at
 * 54.  Payload "GET " at 58, 4 bytes.
 */
static const uint8_t eth_ipv4_tcp[] = {
	ETH_HDR(0x08, 0x00),
	0x45, 0x00, 0x00, 0x30, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00,
	0xc0, 0xa8, 0x01, 0x0a, 0x5d, 0xb8, 0xd8, 0x22,
	0xc0, 0x00, 0x00, 0x50, 0x01, 0x02, 0x03, 0x04, 0x0a, 0x0b, 0x0c, 0x0d,
	0x60, 0x18, 0xfa, 0xf0, 0x00, 0x00, 0x00, 0x00,
	0x02, 0x04, 0x05, 0xb4,
	0x47, 0x45, 0x54, 0x20,
};

/*
 * Ethernet/802.1Q/IPv4/UDP, 50 bytes.  TCI 0xa064 at 14 (PCP 5, VID 100).
 * IPv4 at 18: total 32.  UDP at 38: 53000 -> 53, length 12 (bytes 42-43).
 * Payload de ad be ef at 46.
 */
static const uint8_t eth_vlan_ipv4_udp[] = {
	ETH_HDR(0x81, 0x00), 0xa0, 0x64, 0x08, 0x00,
	0x45, 0x00, 0x00, 0x20, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x00, 0x00,
	0xc0, 0xa8, 0x01, 0x0a, 0xc0, 0xa8, 0x01, 0x01,
	0xcf, 0x08, 0x00, 0x35, 0x00, 0x0c, 0x00, 0x00,
	0xde, 0xad, 0xbe, 0xef,
};

/*
 * Ethernet/802.1ad/802.1Q/IPv6/UDP, 74 bytes.  Outer TCI 0x2005 (VID 5),
 * inner TCI 0x00c8 (VID 200).  IPv6 at 22: payload 12, hop limit 255,
 * fe80::1 -> ff02::fb.  UDP at 62: 5353 -> 5353, length 12.  Payload at 70.
 */
static const uint8_t eth_qinq_ipv6_udp[] = {
	ETH_HDR(0x88, 0xa8), 0x20, 0x05, 0x81, 0x00, 0x00, 0xc8, 0x86, 0xdd,
	0x60, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x11, 0xff,
	0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
	0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfb,
	0x14, 0xe9, 0x14, 0xe9, 0x00, 0x0c, 0x00, 0x00,
	0x01, 0x02, 0x03, 0x04,
};

/*
 * Three stacked tags: one more than EW_MAX_VLAN_TAGS.
 */
static const uint8_t eth_three_tags[] = {
	ETH_HDR(0x88, 0xa8), 0x00, 0x01, 0x81, 0x00, 0x00, 0x02, 0x81, 0x00,
	0x00, 0x03, 0x08, 0x00, RAW_IPV4_UDP,
};

/*
 * Linux cooked v1/IPv4/ICMP echo request, 52 bytes.  ARPHRD_ETHER, halen
 * 6, source MAC_B.  IPv4 at 16: total 36, TTL 64, 10.0.0.2 -> 10.0.0.1.
 * ICMP at 36: type 8 code 0, id 1 seq 2.  Echo data "abcdefgh" at 44.
 */
static const uint8_t sll_ipv4_icmp[] = {
	0x00, 0x00, 0x00, 0x01, 0x00, 0x06, MAC_B, 0x00, 0x00, 0x08, 0x00,
	0x45, 0x00, 0x00, 0x24, 0xab, 0xcd, 0x00, 0x00, 0x40, 0x01, 0x00, 0x00,
	0x0a, 0x00, 0x00, 0x02, 0x0a, 0x00, 0x00, 0x01,
	0x08, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x02,
	'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h',
};

/*
 * Linux cooked v2/IPv6/ICMPv6 echo request, 72 bytes.  ifindex 2,
 * ARPHRD_ETHER, outgoing, halen 6, MAC_B.  IPv6 at 20: payload 12, hop
 * limit 255.  ICMPv6 at 60: type 128 code 0.  Data 01 02 03 04 at 68.
 */
static const uint8_t sll2_ipv6_icmpv6[] = {
	0x86, 0xdd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01, 0x04, 0x06,
	MAC_B, 0x00, 0x00,
	0x60, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x3a, 0xff, V6_DOC(0x01), V6_DOC(0x02),
	0x80, 0x00, 0x00, 0x00, 0x00, 0x07, 0x00, 0x01,
	0x01, 0x02, 0x03, 0x04,
};

/*
 * Ethernet/IPv4 with a router-alert option/UDP, 50 bytes.  IHL 6, total
 * 36, TTL 1, 192.168.1.10 -> 224.0.0.251.  Option 94 04 00 00 at 34.  UDP
 * at 38: 5353 -> 5353, length 12.  Payload 11 22 33 44 at 46.
 */
static const uint8_t eth_ipv4_opt_udp[] = {
	ETH_HDR(0x08, 0x00),
	0x46, 0x00, 0x00, 0x24, 0x00, 0x03, 0x00, 0x00, 0x01, 0x11, 0x00, 0x00,
	0xc0, 0xa8, 0x01, 0x0a, 0xe0, 0x00, 0x00, 0xfb,
	0x94, 0x04, 0x00, 0x00,
	0x14, 0xe9, 0x14, 0xe9, 0x00, 0x0c, 0x00, 0x00,
	0x11, 0x22, 0x33, 0x44,
};

/*
 * Ethernet/IPv6/hop-by-hop/destination options/TCP, 93 bytes.  IPv6 at
 * 14: payload 39 = 8 + 8 + 20 + 3, next header 0.  Hop-by-hop at 54 (next
 * 60, length byte 55 = 0, PadN).  Destination options at 62 (next 6).
 * TCP at 70: 50000 -> 80, seq 100, ack 200, PSH|ACK, win 256.
 * Payload "hi\n" at 90.
 */
static const uint8_t eth_ipv6_hbh_dst_tcp[] = {
	ETH_HDR(0x86, 0xdd),
	0x60, 0x00, 0x00, 0x00, 0x00, 0x27, 0x00, 0x40, V6_DOC(0x01), V6_DOC(0x02),
	0x3c, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00,
	0x06, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00,
	0xc3, 0x50, 0x00, 0x50, 0x00, 0x00, 0x00, 0x64, 0x00, 0x00, 0x00, 0xc8,
	0x50, 0x18, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
	'h', 'i', '\n',
};

/*
 * IPv6 with nine extension headers (eight destination-options headers
 * after a hop-by-hop one), then UDP: one past the cap of eight.
 */
#define EXT_DST 0x3c, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00
static const uint8_t raw_ipv6_nine_ext[] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x50, 0x00, 0x40, V6_DOC(0x01), V6_DOC(0x02),
	EXT_DST, EXT_DST, EXT_DST, EXT_DST, EXT_DST, EXT_DST, EXT_DST, EXT_DST,
	0x11, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00,
	0x13, 0x88, 0x13, 0x88, 0x00, 0x08, 0x00, 0x00,
};

/*
 * Ethernet/IPv4/UDP first fragment, 50 bytes: MF set, offset 0 (bytes
 * 20-21 = 20 00), total 36.  The UDP header inside claims length 1500.
 */
static const uint8_t eth_ipv4_frag_first[] = {
	ETH_HDR(0x08, 0x00),
	0x45, 0x00, 0x00, 0x24, 0x00, 0x04, 0x20, 0x00, 0x40, 0x11, 0x00, 0x00,
	0xc0, 0xa8, 0x01, 0x0a, 0xc0, 0xa8, 0x01, 0x01,
	0x13, 0x88, 0x13, 0x88, 0x05, 0xdc, 0x00, 0x00,
	1, 2, 3, 4, 5, 6, 7, 8,
};

/*
 * IPv6/fragment header/UDP, 56 bytes.  Payload 16, next header 44.
 * Fragment header at 40: next 17, offset 0, M set (bytes 42-43 = 00 01).
 * UDP at 48: 5000 -> 5000, length 32.
 */
static const uint8_t raw_ipv6_frag[] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x10, 0x2c, 0x40, V6_DOC(0x01), V6_DOC(0x02),
	0x11, 0x00, 0x00, 0x01, 0xde, 0xad, 0xbe, 0xef,
	0x13, 0x88, 0x13, 0x88, 0x00, 0x20, 0x00, 0x00,
};

/*
 * Ethernet/ARP request, 60 bytes with 18 bytes of padding.  Who has
 * 192.168.1.1, tell 192.168.1.10 (MAC_B).
 */
static const uint8_t eth_arp[] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, MAC_B, 0x08, 0x06,
	0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
	MAC_B, 0xc0, 0xa8, 0x01, 0x0a,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0xa8, 0x01, 0x01,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

/*
 * Ethernet/IPv4/UDP with one payload byte, padded to the 60-byte
 * minimum: total length 29, UDP length 9, payload 0x7a at 42, then 17
 * bytes of padding that must not count as payload.
 */
static const uint8_t eth_ipv4_udp_padded[] = {
	ETH_HDR(0x08, 0x00),
	0x45, 0x00, 0x00, 0x1d, 0x00, 0x05, 0x00, 0x00, 0x40, 0x11, 0x00, 0x00,
	0xc0, 0xa8, 0x01, 0x0a, 0xc0, 0xa8, 0x01, 0x01,
	0xd4, 0x31, 0x00, 0x35, 0x00, 0x09, 0x00, 0x00,
	0x7a,
	0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee,
	0xee, 0xee, 0xee, 0xee, 0xee,
};

/*
 * The first 64 bytes of a 1514-byte Ethernet/IPv4/TCP frame cut by the
 * snaplen: total length 1500, TCP 49153 -> 443, ACK, 10 captured payload
 * bytes at 54.
 */
static const uint8_t eth_ipv4_tcp_snapped[] = {
	ETH_HDR(0x08, 0x00),
	0x45, 0x00, 0x05, 0xdc, 0x00, 0x06, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00,
	0xc0, 0xa8, 0x01, 0x0a, 0x5d, 0xb8, 0xd8, 0x22,
	0xc0, 0x01, 0x01, 0xbb, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x20, 0x00,
	0x50, 0x10, 0x01, 0xf5, 0x00, 0x00, 0x00, 0x00,
	0x17, 0x03, 0x03, 0x05, 0xa7, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* ------------------------------------------------------------ helpers */

#define PKT(a) (a), sizeof(a)
#define MAX_PKT 128
#define MAX_PATCHES 4

struct patch {
	uint16_t off;
	uint8_t val;
};

struct decoded {
	uint8_t *buf;
	size_t len;
	struct ew_packet pkt;
	struct decode_stats stats;
	enum decode_event ev;
};

/*
 * Decodes the first `cut` bytes of a patched copy of bytes[0..len).  The
 * bytes go into an exactly-sized heap buffer, so that ASan sees any read
 * past the capture.  wirelen 0 means "same as cut".
 */
static void run_cut(struct decoded *d, int dlt, const uint8_t *bytes, size_t len, size_t cut,
		    uint32_t wirelen, const struct patch *patches, size_t npatch)
{
	uint8_t full[MAX_PKT];

	assert_true(len <= sizeof(full) && cut <= len);
	memcpy(full, bytes, len);
	for (size_t i = 0; i < npatch; i++) {
		assert_true(patches[i].off < len);
		full[patches[i].off] = patches[i].val;
	}
	memset(d, 0, sizeof(*d));
	d->len = cut;
	d->buf = malloc(cut);
	assert_true(d->buf != NULL || cut == 0);
	if (cut > 0)
		memcpy(d->buf, full, cut);
	d->ev = decode_packet(dlt, d->buf, (uint32_t)cut, wirelen ? wirelen : (uint32_t)cut,
			      1234567, &d->pkt, &d->stats);
}

static void run(struct decoded *d, int dlt, const uint8_t *bytes, size_t len)
{
	run_cut(d, dlt, bytes, len, len, 0, NULL, 0);
}

static uint64_t events_total(const struct decode_stats *s)
{
	uint64_t n = 0;

	for (int i = 0; i < DE_MAX; i++)
		n += s->events[i];
	return n;
}

/* Every pointer the decoder hands out lies inside the captured buffer. */
static void assert_within(const struct decoded *d)
{
	uintptr_t lo = (uintptr_t)d->buf, hi = lo + d->len;
	uintptr_t l3 = (uintptr_t)d->pkt.l3, pl = (uintptr_t)d->pkt.payload;

	if (d->pkt.l3 != NULL)
		assert_true(l3 >= lo && l3 <= hi && d->pkt.l3_len <= hi - l3);
	else
		assert_int_equal(d->pkt.l3_len, 0);
	if (d->pkt.payload != NULL)
		assert_true(pl >= lo && pl <= hi && d->pkt.payload_len <= hi - pl);
	else
		assert_int_equal(d->pkt.payload_len, 0);
}

/* Checks what must hold after any decode, good or bad, and frees. */
static void done(struct decoded *d)
{
	assert_within(d);
	assert_true(d->ev < DE_MAX);
	assert_int_equal(decode_event_is_error(d->ev), d->ev != DE_NONE);
	if (d->ev != DE_NONE)
		assert_int_equal(d->stats.events[d->ev], 1);
	if (d->pkt.is_fragment) /* fragments never carry ports */
		assert_true(!d->pkt.has_l4 && d->pkt.sport == 0 && d->pkt.dport == 0 &&
			    d->pkt.payload == NULL);
	free(d->buf);
}

static void assert_v4(const struct ew_addr *a, uint8_t b0, uint8_t b1, uint8_t b2, uint8_t b3)
{
	const uint8_t want[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, b0, b1, b2, b3 };

	assert_int_equal(a->family, EW_AF_INET);
	assert_memory_equal(a->bytes, want, 16);
}

static void assert_v6_doc(const struct ew_addr *a, uint8_t last)
{
	const uint8_t want[16] = { V6_DOC(last) };

	assert_int_equal(a->family, EW_AF_INET6);
	assert_memory_equal(a->bytes, want, 16);
}

static const uint8_t mac_a[6] = { MAC_A };
static const uint8_t mac_b[6] = { MAC_B };
static const uint8_t mac_zero[6];

#define EN EW_DLT_EN10MB
#define ALL(a) (a), sizeof(a), 0
#define P(...) { __VA_ARGS__ }, sizeof((struct patch[]){ __VA_ARGS__ }) / sizeof(struct patch)
#define NOP { { 0, 0 } }, 0

#define EXPECT_EQ(name, got, want)                                                       \
	do {                                                                             \
		if ((uint64_t)(got) != (uint64_t)(want))                                 \
			fail_msg("case \"%s\": %s is %llu, want %llu", (name), #got,     \
				 (unsigned long long)(got), (unsigned long long)(want)); \
	} while (0)

/* ------------------------------------------------------ good packets */

/*
 * What a good packet decodes to, with no event at all.  Offsets are from
 * the start of the frame.  payload_off 0 means "no transport decode":
 * has_l4 false and no payload.
 */
struct good_case {
	const char *name;
	int dlt;
	const uint8_t *bytes;
	size_t len;
	uint32_t wirelen; /* 0: same as len */
	struct patch patch[MAX_PATCHES];
	size_t npatch;
	uint16_t ethertype;
	uint8_t vlan_count;
	uint16_t vlan_id[EW_MAX_VLAN_TAGS];
	size_t l3_off;
	uint32_t l3_len, ip_len;
	uint8_t ttl, l4_proto;
	uint16_t sport, dport;
	size_t payload_off;
	uint32_t payload_len;
};

#define NOVLAN 0, { 0, 0 }
#define IP4 0x0800
#define IP6 0x86dd
#define RAW4(name, dlt) \
	{ name, dlt, ALL(raw_ipv4_udp), NOP, IP4, NOVLAN, 0, 29, 29, 128, 17, 12345, 123, 28, 1 }
#define RAW6(name, dlt, ...) \
	{ name, dlt, ALL(raw_ipv6_tcp), __VA_ARGS__, IP6, NOVLAN, 0, 60, 60, 64, 6, 50000, 443, 60, 0 }
#define NULL6(name, ...) { name, EW_DLT_NULL, ALL(null_be_ipv6), __VA_ARGS__, IP6, NOVLAN, \
			   4, 60, 60, 64, 6, 50000, 443, 64, 0 }
#define EXT6(name, ...) { name, EN, ALL(eth_ipv6_hbh_dst_tcp), __VA_ARGS__, IP6, NOVLAN, \
			  14, 79, 79, 64, 6, 50000, 80, 90, 3 }

static const struct good_case good[] = {
	{ "ethernet ipv4 tcp", EN, ALL(eth_ipv4_tcp), NOP, IP4, NOVLAN, 14, 48, 48, 64, 6,
	  49152, 80, 58, 4 },
	{ "802.1q ipv4 udp", EN, ALL(eth_vlan_ipv4_udp), NOP, IP4, 1, { 100, 0 }, 18, 32, 32, 64,
	  17, 53000, 53, 46, 4 },
	{ "802.1ad+802.1q ipv6 udp", EN, ALL(eth_qinq_ipv6_udp), NOP, IP6, 2, { 5, 200 }, 22, 52,
	  52, 255, 17, 5353, 5353, 70, 4 },
	{ "0x9100+802.1q ipv6 udp", EN, ALL(eth_qinq_ipv6_udp), P({ 12, 0x91 }, { 13, 0x00 }),
	  IP6, 2, { 5, 200 }, 22, 52, 52, 255, 17, 5353, 5353, 70, 4 },
	{ "sll ipv4 icmp", EW_DLT_LINUX_SLL, ALL(sll_ipv4_icmp), NOP, IP4, NOVLAN, 16, 36, 36,
	  64, 1, 0, 0, 44, 8 },
	{ "sll2 ipv6 icmpv6", EW_DLT_LINUX_SLL2, ALL(sll2_ipv6_icmpv6), NOP, IP6, NOVLAN, 20,
	  52, 52, 255, 58, 0, 0, 68, 4 },
	RAW4("raw(12) ipv4", EW_DLT_RAW),
	RAW4("raw(14) ipv4", EW_DLT_RAW_ALT),
	RAW4("linktype raw ipv4", EW_LINKTYPE_RAW),
	RAW4("dlt ipv4", EW_DLT_IPV4),
	RAW6("raw(12) ipv6", EW_DLT_RAW, NOP),
	RAW6("linktype raw ipv6", EW_LINKTYPE_RAW, NOP),
	RAW6("dlt ipv6", EW_DLT_IPV6, NOP),
	{ "null little-endian ipv4", EW_DLT_NULL, ALL(null_le_ipv4), NOP, IP4, NOVLAN, 4, 29,
	  29, 128, 17, 12345, 123, 32, 1 },
	NULL6("null big-endian ipv6 (30)", NOP),
	NULL6("null big-endian ipv6 (10)", P({ 3, 10 })),
	NULL6("null big-endian ipv6 (28)", P({ 3, 28 })),
	NULL6("null little-endian ipv6 (24)", P({ 0, 24 }, { 3, 0 })),
	{ "loop ipv4", EW_DLT_LOOP, ALL(loop_ipv4), NOP, IP4, NOVLAN, 4, 29, 29, 128, 17, 12345,
	  123, 32, 1 },
	{ "ipv4 router-alert option", EN, ALL(eth_ipv4_opt_udp), NOP, IP4, NOVLAN, 14, 36, 36,
	  1, 17, 5353, 5353, 46, 4 },
	{ "ipv4 nop nop nop eol options", EN, ALL(eth_ipv4_opt_udp),
	  P({ 34, 1 }, { 35, 1 }, { 36, 1 }, { 37, 0 }), IP4, NOVLAN, 14, 36, 36, 1, 17, 5353,
	  5353, 46, 4 },
	EXT6("ipv6 hop-by-hop, dst options", NOP),
	/* AH length 2 is (2 + 2) * 4 = 16 bytes, over both option headers. */
	EXT6("ipv6 ah", P({ 20, 51 }, { 54, 6 }, { 55, 2 })),
	EXT6("ipv6 routing, mobility", P({ 20, 43 }, { 54, 135 })),
	/* Fragment header with offset 0 and M clear; UDP length 8. */
	{ "ipv6 atomic fragment", EW_DLT_IPV6, ALL(raw_ipv6_frag), P({ 43, 0 }, { 53, 8 }), IP6,
	  NOVLAN, 0, 56, 56, 64, 17, 5000, 5000, 56, 0 },
	RAW6("ipv6 payload length 0", EW_DLT_IPV6, P({ 5, 0 })),
	{ "ipv6 no next header", EW_DLT_IPV6, ALL(raw_ipv6_tcp), P({ 6, 59 }), IP6, NOVLAN, 0,
	  60, 60, 64, 59, 0, 0, 0, 0 },
	{ "ethernet padding trimmed", EN, ALL(eth_ipv4_udp_padded), NOP, IP4, NOVLAN, 14, 29,
	  29, 64, 17, 54321, 53, 42, 1 },
	/* IPv4 total 32 takes in 3 padding bytes; UDP length 9 still ends it. */
	{ "udp shorter than ip payload", EN, ALL(eth_ipv4_udp_padded), P({ 17, 32 }), IP4,
	  NOVLAN, 14, 32, 32, 64, 17, 54321, 53, 42, 1 },
	{ "snaplen-cut tcp", EN, eth_ipv4_tcp_snapped, sizeof(eth_ipv4_tcp_snapped), 1514, NOP,
	  IP4, NOVLAN, 14, 50, 1500, 64, 6, 49153, 443, 54, 10 },
	/* Total 1500, UDP length 1480, of which 29 bytes were captured. */
	{ "snaplen-cut udp", EW_DLT_RAW, raw_ipv4_udp, sizeof(raw_ipv4_udp), 1500,
	  P({ 2, 0x05 }, { 3, 0xdc }, { 24, 0x05 }, { 25, 0xc8 }), IP4, NOVLAN, 0, 29, 1500,
	  128, 17, 12345, 123, 28, 1 },
	/* Payload length 276, of which 20 bytes were captured. */
	{ "snaplen-cut ipv6", EW_DLT_IPV6, raw_ipv6_tcp, sizeof(raw_ipv6_tcp), 316, P({ 4, 1 }),
	  IP6, NOVLAN, 0, 60, 316, 64, 6, 50000, 443, 60, 0 },
};

static void check_good_l4(const struct good_case *g, const struct decoded *d)
{
	if (g->payload_off == 0) {
		EXPECT_EQ(g->name, d->pkt.has_l4, 0);
		EXPECT_EQ(g->name, d->pkt.payload == NULL, 1);
		return;
	}
	EXPECT_EQ(g->name, d->pkt.has_l4, 1);
	EXPECT_EQ(g->name, d->pkt.sport, g->sport);
	EXPECT_EQ(g->name, d->pkt.dport, g->dport);
	EXPECT_EQ(g->name, d->pkt.payload - d->buf, g->payload_off);
	EXPECT_EQ(g->name, d->pkt.payload_len, g->payload_len);
}

static void test_good_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		const struct good_case *g = &good[i];
		struct decoded d;

		run_cut(&d, g->dlt, g->bytes, g->len, g->len, g->wirelen, g->patch, g->npatch);
		EXPECT_EQ(g->name, d.ev, DE_NONE);
		EXPECT_EQ(g->name, events_total(&d.stats), 0);
		EXPECT_EQ(g->name, d.pkt.kind, EW_PKT_IP);
		EXPECT_EQ(g->name, d.pkt.ethertype, g->ethertype);
		EXPECT_EQ(g->name, d.pkt.ip_version, g->ethertype == IP4 ? 4 : 6);
		EXPECT_EQ(g->name, d.pkt.vlan_count, g->vlan_count);
		EXPECT_EQ(g->name, d.pkt.vlan_id[0], g->vlan_id[0]);
		EXPECT_EQ(g->name, d.pkt.vlan_id[1], g->vlan_id[1]);
		EXPECT_EQ(g->name, d.pkt.l3 - d.buf, g->l3_off);
		EXPECT_EQ(g->name, d.pkt.l3_len, g->l3_len);
		EXPECT_EQ(g->name, d.pkt.ip_len, g->ip_len);
		EXPECT_EQ(g->name, d.pkt.ttl, g->ttl);
		EXPECT_EQ(g->name, d.pkt.l4_proto, g->l4_proto);
		EXPECT_EQ(g->name, d.pkt.is_fragment, 0);
		check_good_l4(g, &d);
		done(&d);
	}
}

/* The fields the table does not cover: MACs, addresses, TCP state. */
static void test_ethernet_tcp_fields(void **state)
{
	struct decoded d;

	(void)state;
	run_cut(&d, EN, PKT(eth_ipv4_tcp), sizeof(eth_ipv4_tcp), 9000, NULL, 0);
	assert_int_equal(d.ev, DE_NONE);
	assert_int_equal(d.pkt.ts_us, 1234567);
	assert_int_equal(d.pkt.caplen, 62);
	assert_int_equal(d.pkt.wirelen, 9000);
	assert_true(d.pkt.has_mac);
	assert_memory_equal(d.pkt.dst_mac, mac_a, 6);
	assert_memory_equal(d.pkt.src_mac, mac_b, 6);
	assert_v4(&d.pkt.src, 192, 168, 1, 10);
	assert_v4(&d.pkt.dst, 93, 184, 216, 34);
	assert_int_equal(d.pkt.tcp_seq, 0x01020304);
	assert_int_equal(d.pkt.tcp_ack, 0x0a0b0c0d);
	assert_int_equal(d.pkt.tcp_flags, EW_TH_PSH | EW_TH_ACK);
	assert_int_equal(d.pkt.tcp_win, 64240);
	assert_memory_equal(d.pkt.payload, "GET ", 4);
	done(&d);

	run(&d, EW_DLT_IPV6, PKT(raw_ipv6_tcp));
	assert_false(d.pkt.has_mac);
	assert_v6_doc(&d.pkt.src, 1);
	assert_v6_doc(&d.pkt.dst, 2);
	assert_int_equal(d.pkt.tcp_seq, 1);
	assert_int_equal(d.pkt.tcp_flags, EW_TH_SYN);
	assert_int_equal(d.pkt.tcp_win, 65535);
	done(&d);
}

/* Cooked captures know only the sender's address, and only on Ethernet. */
static void test_cooked_macs_and_icmp(void **state)
{
	static const struct patch not_ether[] = { { 9, 0x04 } }; /* ARPHRD 4 */
	struct decoded d;

	(void)state;
	run(&d, EW_DLT_LINUX_SLL, PKT(sll_ipv4_icmp));
	assert_true(d.pkt.has_mac);
	assert_memory_equal(d.pkt.src_mac, mac_b, 6);
	assert_memory_equal(d.pkt.dst_mac, mac_zero, 6);
	assert_v4(&d.pkt.src, 10, 0, 0, 2);
	assert_int_equal(d.pkt.icmp_type, 8);
	assert_int_equal(d.pkt.icmp_code, 0);
	assert_memory_equal(d.pkt.payload, "abcdefgh", 8);
	done(&d);

	run(&d, EW_DLT_LINUX_SLL2, PKT(sll2_ipv6_icmpv6));
	assert_true(d.pkt.has_mac);
	assert_memory_equal(d.pkt.src_mac, mac_b, 6);
	assert_int_equal(d.pkt.icmp_type, 128);
	done(&d);

	run_cut(&d, EW_DLT_LINUX_SLL2, PKT(sll2_ipv6_icmpv6), sizeof(sll2_ipv6_icmpv6), 0,
		not_ether, 1);
	assert_int_equal(d.ev, DE_NONE);
	assert_false(d.pkt.has_mac);
	done(&d);
}

static void test_arp(void **state)
{
	static const uint8_t spa[4] = { 192, 168, 1, 10 }, tpa[4] = { 192, 168, 1, 1 };
	struct decoded d;

	(void)state;
	run(&d, EN, PKT(eth_arp));
	assert_int_equal(d.ev, DE_NONE);
	assert_int_equal(events_total(&d.stats), 0);
	assert_int_equal(d.pkt.kind, EW_PKT_ARP);
	assert_int_equal(d.pkt.ethertype, 0x0806);
	assert_int_equal(d.pkt.arp.op, 1);
	assert_memory_equal(d.pkt.arp.sha, mac_b, 6);
	assert_memory_equal(d.pkt.arp.spa, spa, 4);
	assert_memory_equal(d.pkt.arp.tha, mac_zero, 6);
	assert_memory_equal(d.pkt.arp.tpa, tpa, 4);
	assert_null(d.pkt.l3);
	done(&d);
}

/* --------------------------------------------- odd and hostile packets */

/*
 * Each row: the bytes, the DLT, the one event decode_packet() must count
 * and what it must return (the event for an error, DE_NONE for a fact
 * like a fragment).  done() checks that fragments carry no ports.
 */
struct hostile_case {
	const char *name;
	int dlt;
	const uint8_t *bytes;
	size_t len;       /* bytes captured: all of `bytes` or a prefix */
	uint32_t wirelen; /* 0: same as len */
	struct patch patch[MAX_PATCHES];
	size_t npatch;
	enum decode_event ret;
	enum decode_event counted;
};

/* A prefix of a packet, as a snaplen would cut it: the wire had it all. */
#define CUT(a, n) (a), (n), sizeof(a)
#define ERR(ev) ev, ev
#define NOTE(ev) DE_NONE, ev
#define SLL EW_DLT_LINUX_SLL
#define SLL2 EW_DLT_LINUX_SLL2
#define V6 EW_DLT_IPV6

static const struct hostile_case hostile[] = {
	/* Truncation: one byte short of each header. */
	{ "eth 13 bytes", EN, CUT(eth_ipv4_tcp, 13), NOP, ERR(DE_ETH_TRUNCATED) },
	{ "eth caplen 0", EN, CUT(eth_ipv4_tcp, 0), NOP, ERR(DE_ETH_TRUNCATED) },
	{ "vlan tag 3 bytes", EN, CUT(eth_vlan_ipv4_udp, 17), NOP, ERR(DE_VLAN_TRUNCATED) },
	{ "inner tag 3 bytes", EN, CUT(eth_qinq_ipv6_udp, 21), NOP, ERR(DE_VLAN_TRUNCATED) },
	{ "sll 15 bytes", SLL, CUT(sll_ipv4_icmp, 15), NOP, ERR(DE_SLL_TRUNCATED) },
	{ "sll caplen 0", SLL, CUT(sll_ipv4_icmp, 0), NOP, ERR(DE_SLL_TRUNCATED) },
	{ "sll2 19 bytes", SLL2, CUT(sll2_ipv6_icmpv6, 19), NOP, ERR(DE_SLL2_TRUNCATED) },
	{ "null 3 bytes", EW_DLT_NULL, CUT(null_le_ipv4, 3), NOP, ERR(DE_NULL_TRUNCATED) },
	{ "loop 3 bytes", EW_DLT_LOOP, CUT(loop_ipv4, 3), NOP, ERR(DE_NULL_TRUNCATED) },
	{ "arp fixed part 7 bytes", EN, CUT(eth_arp, 14 + 7), NOP, ERR(DE_ARP_TRUNCATED) },
	{ "arp addresses 19 bytes", EN, CUT(eth_arp, 22 + 19), NOP, ERR(DE_ARP_TRUNCATED) },
	{ "ipv4 19 bytes", EN, CUT(eth_ipv4_tcp, 14 + 19), NOP, ERR(DE_IPV4_TRUNCATED) },
	{ "raw caplen 0", EW_DLT_RAW, CUT(raw_ipv4_udp, 0), NOP, ERR(DE_IPV4_TRUNCATED) },
	{ "ipv4 options cut", EN, CUT(eth_ipv4_opt_udp, 14 + 23), NOP, ERR(DE_IPV4_TRUNCATED) },
	{ "tcp 19 bytes", EN, CUT(eth_ipv4_tcp, 34 + 19), NOP, ERR(DE_TCP_TRUNCATED) },
	{ "tcp options cut", EN, CUT(eth_ipv4_tcp, 34 + 23), NOP, ERR(DE_TCP_TRUNCATED) },
	{ "udp 7 bytes", EN, CUT(eth_vlan_ipv4_udp, 38 + 7), NOP, ERR(DE_UDP_TRUNCATED) },
	{ "icmp 3 bytes", SLL, CUT(sll_ipv4_icmp, 36 + 3), NOP, ERR(DE_ICMP_TRUNCATED) },
	{ "ipv6 39 bytes", V6, CUT(raw_ipv6_tcp, 39), NOP, ERR(DE_IPV6_TRUNCATED) },
	{ "hop-by-hop 7 bytes", EN, CUT(eth_ipv6_hbh_dst_tcp, 54 + 7), NOP,
	  ERR(DE_IPV6_EXT_TRUNCATED) },
	{ "dst options 1 byte", EN, CUT(eth_ipv6_hbh_dst_tcp, 62 + 1), NOP,
	  ERR(DE_IPV6_EXT_TRUNCATED) },
	{ "fragment header 7 bytes", V6, CUT(raw_ipv6_frag, 47), NOP, ERR(DE_IPV6_EXT_TRUNCATED) },
	{ "tcp over ipv6 19 bytes", V6, CUT(raw_ipv6_tcp, 59), NOP, ERR(DE_TCP_TRUNCATED) },
	{ "icmpv6 3 bytes", SLL2, CUT(sll2_ipv6_icmpv6, 63), NOP, ERR(DE_ICMPV6_TRUNCATED) },
	/* Link layer. */
	{ "three vlan tags", EN, ALL(eth_three_tags), NOP, ERR(DE_VLAN_TOO_DEEP) },
	{ "null family 7", EW_DLT_NULL, ALL(null_le_ipv4), P({ 0, 7 }), ERR(DE_NULL_UNKNOWN_FAMILY) },
	{ "loop family in host order", EW_DLT_LOOP, ALL(loop_ipv4), P({ 0, 2 }, { 3, 0 }),
	  ERR(DE_NULL_UNKNOWN_FAMILY) },
	{ "unsupported dlt", 147, ALL(eth_ipv4_tcp), NOP, ERR(DE_LINK_UNSUPPORTED) },
	{ "lldp", EN, ALL(eth_ipv4_tcp), P({ 12, 0x88 }, { 13, 0xcc }), NOTE(DE_ETHERTYPE_OTHER) },
	{ "802.3 length", EN, ALL(eth_ipv4_tcp), P({ 12, 0 }, { 13, 0x30 }), NOTE(DE_ETHERTYPE_OTHER) },
	{ "arp for ieee802", EN, ALL(eth_arp), P({ 15, 6 }), NOTE(DE_ARP_UNSUPPORTED) },
	{ "arp hlen 8", EN, ALL(eth_arp), P({ 18, 8 }), NOTE(DE_ARP_UNSUPPORTED) },
	/* IPv4. */
	{ "ipv4 version 6", EN, ALL(eth_ipv4_tcp), P({ 14, 0x65 }), ERR(DE_IPV4_BAD_VERSION) },
	{ "raw version 5", EW_DLT_RAW, ALL(raw_ipv4_udp), P({ 0, 0x55 }), ERR(DE_IPV4_BAD_VERSION) },
	{ "ihl 4", EN, ALL(eth_ipv4_tcp), P({ 14, 0x44 }), ERR(DE_IPV4_BAD_IHL) },
	{ "ihl 0", EN, ALL(eth_ipv4_tcp), P({ 14, 0x40 }), ERR(DE_IPV4_BAD_IHL) },
	{ "total length 19", EN, ALL(eth_ipv4_tcp), P({ 16, 0 }, { 17, 19 }),
	  ERR(DE_IPV4_BAD_TOTAL_LEN) },
	{ "total length 0", EN, ALL(eth_ipv4_tcp), P({ 16, 0 }, { 17, 0 }),
	  ERR(DE_IPV4_BAD_TOTAL_LEN) },
	{ "ihl 15 > total length", EN, ALL(eth_ipv4_tcp), P({ 14, 0x4f }), ERR(DE_IPV4_BAD_TOTAL_LEN) },
	{ "ihl 15 not captured", EN, ALL(eth_ipv4_tcp), P({ 14, 0x4f }, { 16, 5 }),
	  ERR(DE_IPV4_TRUNCATED) },
	{ "ipv4 zero-length option", EN, ALL(eth_ipv4_opt_udp), P({ 34, 7 }, { 35, 0 }),
	  NOTE(DE_IPV4_BAD_OPTION) },
	{ "ipv4 option length 1", EN, ALL(eth_ipv4_opt_udp), P({ 35, 1 }), NOTE(DE_IPV4_BAD_OPTION) },
	{ "ipv4 option past header", EN, ALL(eth_ipv4_opt_udp), P({ 35, 8 }),
	  NOTE(DE_IPV4_BAD_OPTION) },
	{ "ipv4 option without length", EN, ALL(eth_ipv4_opt_udp),
	  P({ 34, 1 }, { 35, 1 }, { 36, 1 }, { 37, 0x44 }), NOTE(DE_IPV4_BAD_OPTION) },
	{ "ipv4 gre", EW_DLT_RAW, ALL(raw_ipv4_udp), P({ 9, 47 }), NOTE(DE_IP_PROTO_OTHER) },
	{ "ipv4 first fragment", EN, ALL(eth_ipv4_frag_first), NOP, NOTE(DE_IPV4_FRAGMENT) },
	/* MF clear, offset 185 (1480 bytes), total length 28. */
	{ "ipv4 later fragment", EN, eth_ipv4_frag_first, 14 + 28, 0,
	  P({ 16, 0 }, { 17, 28 }, { 20, 0 }, { 21, 0xb9 }), NOTE(DE_IPV4_FRAGMENT) },
	/* IPv6. */
	{ "ipv6 version 4", EN, ALL(eth_qinq_ipv6_udp), P({ 22, 0x40 }), ERR(DE_IPV6_BAD_VERSION) },
	{ "ipv6 payload beyond frame", V6, ALL(raw_ipv6_tcp), P({ 4, 1 }),
	  ERR(DE_IPV6_BAD_PAYLOAD_LEN) },
	{ "hop-by-hop length 255", EN, ALL(eth_ipv6_hbh_dst_tcp), P({ 55, 0xff }),
	  ERR(DE_IPV6_EXT_TRUNCATED) },
	{ "ah length 255", EN, ALL(eth_ipv6_hbh_dst_tcp), P({ 20, 51 }, { 55, 0xff }),
	  ERR(DE_IPV6_EXT_TRUNCATED) },
	{ "nine extension headers", V6, ALL(raw_ipv6_nine_ext), NOP, ERR(DE_IPV6_EXT_TOO_MANY) },
	{ "ipv6 esp", V6, ALL(raw_ipv6_tcp), P({ 6, 50 }), NOTE(DE_IP_PROTO_OTHER) },
	{ "ipv6 first fragment", V6, ALL(raw_ipv6_frag), NOP, NOTE(DE_IPV6_FRAGMENT) },
	/* Offset 185, M clear: the field reads 05 c8. */
	{ "ipv6 later fragment", V6, ALL(raw_ipv6_frag), P({ 42, 0x05 }, { 43, 0xc8 }),
	  NOTE(DE_IPV6_FRAGMENT) },
	/* Transport. */
	{ "tcp offset 4", EN, ALL(eth_ipv4_tcp), P({ 46, 0x40 }), ERR(DE_TCP_BAD_OFFSET) },
	{ "tcp offset 15 > ip payload", EN, ALL(eth_ipv4_tcp), P({ 46, 0xf0 }),
	  ERR(DE_TCP_BAD_OFFSET) },
	{ "tcp zero-length option", EN, ALL(eth_ipv4_tcp), P({ 55, 0 }), NOTE(DE_TCP_BAD_OPTION) },
	{ "tcp option past header", EN, ALL(eth_ipv4_tcp), P({ 55, 8 }), NOTE(DE_TCP_BAD_OPTION) },
	{ "udp length 3", EN, ALL(eth_vlan_ipv4_udp), P({ 42, 0 }, { 43, 3 }), ERR(DE_UDP_BAD_LEN) },
	{ "udp length > ip payload", EN, ALL(eth_vlan_ipv4_udp), P({ 43, 13 }), ERR(DE_UDP_BAD_LEN) },
	{ "udp length 65535", EW_DLT_RAW, ALL(raw_ipv4_udp), P({ 24, 0xff }, { 25, 0xff }),
	  ERR(DE_UDP_BAD_LEN) },
};

static void test_hostile_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		const struct hostile_case *h = &hostile[i];
		struct decoded d;

		run_cut(&d, h->dlt, h->bytes, h->len, h->len, h->wirelen, h->patch, h->npatch);
		EXPECT_EQ(h->name, d.ev, h->ret);
		EXPECT_EQ(h->name, d.stats.events[h->counted], 1);
		EXPECT_EQ(h->name, events_total(&d.stats), 1);
		done(&d);
	}
}

/* ------------------------------------------------------ prefix sweep */

/*
 * Every prefix of a packet, both as a snaplen cut (the wire had it all)
 * and as a frame that really was that short.  done() checks pointers and
 * counters whatever the outcome.
 */
static void sweep_prefixes(int dlt, const uint8_t *bytes, size_t len, const struct patch *patch,
			   size_t npatch)
{
	for (size_t cut = 0; cut <= len; cut++) {
		for (int snapped = 0; snapped <= 1; snapped++) {
			struct decoded d;

			run_cut(&d, dlt, bytes, len, cut, snapped ? (uint32_t)len : 0, patch,
				npatch);
			done(&d);
		}
	}
}

static void test_prefix_sweep(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		sweep_prefixes(good[i].dlt, good[i].bytes, good[i].len, good[i].patch,
			       good[i].npatch);
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++)
		sweep_prefixes(hostile[i].dlt, hostile[i].bytes, hostile[i].len,
			       hostile[i].patch, hostile[i].npatch);
	sweep_prefixes(EN, PKT(eth_arp), NULL, 0);
}

/* ------------------------------------------------------ API contract */

#define EV(e, error) { e, #e, error }
static const struct {
	enum decode_event ev;
	const char *enum_name;
	int error;
} all_events[] = {
	EV(DE_NONE, 0), EV(DE_LINK_UNSUPPORTED, 1), EV(DE_ETH_TRUNCATED, 1),
	EV(DE_VLAN_TRUNCATED, 1), EV(DE_VLAN_TOO_DEEP, 1), EV(DE_SLL_TRUNCATED, 1),
	EV(DE_SLL2_TRUNCATED, 1), EV(DE_NULL_TRUNCATED, 1), EV(DE_NULL_UNKNOWN_FAMILY, 1),
	EV(DE_ETHERTYPE_OTHER, 0), EV(DE_ARP_TRUNCATED, 1), EV(DE_ARP_UNSUPPORTED, 0),
	EV(DE_IPV4_TRUNCATED, 1), EV(DE_IPV4_BAD_VERSION, 1), EV(DE_IPV4_BAD_IHL, 1),
	EV(DE_IPV4_BAD_TOTAL_LEN, 1), EV(DE_IPV4_BAD_OPTION, 0), EV(DE_IPV4_FRAGMENT, 0),
	EV(DE_IPV6_TRUNCATED, 1), EV(DE_IPV6_BAD_VERSION, 1), EV(DE_IPV6_BAD_PAYLOAD_LEN, 1),
	EV(DE_IPV6_EXT_TRUNCATED, 1), EV(DE_IPV6_EXT_TOO_MANY, 1), EV(DE_IPV6_FRAGMENT, 0),
	EV(DE_TCP_TRUNCATED, 1), EV(DE_TCP_BAD_OFFSET, 1), EV(DE_TCP_BAD_OPTION, 0),
	EV(DE_UDP_TRUNCATED, 1), EV(DE_UDP_BAD_LEN, 1), EV(DE_ICMP_TRUNCATED, 1),
	EV(DE_ICMPV6_TRUNCATED, 1), EV(DE_IP_PROTO_OTHER, 0),
};

/* The documented rule: drop "DE_", lower-case, first '_' becomes '.'. */
static void name_by_rule(const char *enum_name, char *out, size_t size)
{
	size_t i = 0;
	int dotted = 0;

	for (const char *s = enum_name + 3; *s != '\0' && i + 1 < size; s++, i++) {
		if (*s == '_' && !dotted) {
			out[i] = '.';
			dotted = 1;
		} else {
			out[i] = (char)(*s >= 'A' && *s <= 'Z' ? *s - 'A' + 'a' : *s);
		}
	}
	out[i] = '\0';
}

static void test_event_names_and_kinds(void **state)
{
	size_t n = sizeof(all_events) / sizeof(all_events[0]);
	char want[64];

	(void)state;
	assert_int_equal(n, DE_MAX); /* the list above covers the enum */
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(all_events[i].ev, i);
		name_by_rule(all_events[i].enum_name, want, sizeof(want));
		assert_string_equal(decode_event_name(all_events[i].ev), want);
		assert_int_equal(decode_event_is_error(all_events[i].ev), all_events[i].error);
	}
	assert_string_equal(decode_event_name(DE_VLAN_TOO_DEEP), "vlan.too_deep");
	assert_string_equal(decode_event_name(DE_IP_PROTO_OTHER), "ip.proto_other");
	assert_string_equal(decode_event_name(DE_MAX), "unknown");
	assert_false(decode_event_is_error(DE_MAX));
}

static void test_linktypes(void **state)
{
	static const int yes[] = { 0, 1, 12, 14, 101, 108, 113, 228, 229, 276 };
	static const int no[] = { -1, 2, 105, 127, 147, 192, 1000 };

	(void)state;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		assert_true(decode_linktype_supported(yes[i]));
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		assert_false(decode_linktype_supported(no[i]));
}

/* Stats accumulate across packets; a missing buffer or stats is survivable. */
static void test_stats_and_null(void **state)
{
	struct decode_stats stats;
	struct ew_packet pkt;

	(void)state;
	memset(&stats, 0, sizeof(stats));
	assert_int_equal(decode_packet(EN, NULL, 0, 0, 0, &pkt, &stats), DE_ETH_TRUNCATED);
	assert_int_equal(decode_packet(EN, NULL, 100, 100, 0, &pkt, &stats), DE_ETH_TRUNCATED);
	assert_int_equal(decode_packet(147, NULL, 0, 0, 0, &pkt, &stats), DE_LINK_UNSUPPORTED);
	assert_int_equal(stats.events[DE_ETH_TRUNCATED], 2);
	assert_int_equal(stats.events[DE_LINK_UNSUPPORTED], 1);
	assert_int_equal(decode_packet(EW_DLT_RAW, raw_ipv4_udp, sizeof(raw_ipv4_udp),
				       sizeof(raw_ipv4_udp), 0, &pkt, NULL),
			 DE_NONE);
	assert_int_equal(pkt.dport, 123);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_table),
		cmocka_unit_test(test_ethernet_tcp_fields),
		cmocka_unit_test(test_cooked_macs_and_icmp),
		cmocka_unit_test(test_arp),
		cmocka_unit_test(test_hostile_table),
		cmocka_unit_test(test_prefix_sweep),
		cmocka_unit_test(test_event_names_and_kinds),
		cmocka_unit_test(test_linktypes),
		cmocka_unit_test(test_stats_and_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
