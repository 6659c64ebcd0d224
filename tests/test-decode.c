/*
 * test-decode.c - unit tests for the packet decoder (src/decode*.c).
 *
 * Packets are written out by hand as hex, one header field per group,
 * with the expected values worked out in comments (offsets count from the
 * start of the frame; checksums are 0, as the decoder does not verify
 * them).  Each is copied into an exactly-sized heap buffer before
 * decoding, so that AddressSanitizer catches a one-byte over-read.
 *
 * Three groups: a table of good packets, a table of odd and hostile ones
 * (each with the event it must return and count), and a sweep over every
 * prefix of all of them checking that nothing points outside the buffer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"

/* ------------------------------------------------------------ packets */

#define MAC_A "001122334455"
#define MAC_B "66778899aabb"
#define ETH_HDR(type) MAC_A MAC_B type
#define V6_DOC(last) "20010db8 00000000 00000000 000000" last /* 2001:db8::last */

/* IPv4/UDP, 29 bytes: TTL 128; UDP 12345 -> 123, length 9 (24-25); 2a at 28. */
#define RAW_IPV4_UDP \
	"45 00 001d 0002 0000 80 11 0000 0a010203 0a010204" \
	"3039 007b 0009 0000" "2a"

/*
 * IPv6/TCP, 60 bytes: payload length 20 (bytes 4-5), next header 6 (6),
 * hop limit 64; TCP at 40: 50000 -> 443, seq 1, SYN, window 65535.
 */
#define RAW_IPV6_TCP \
	"60000000 0014 06 40" V6_DOC("01") V6_DOC("02") \
	"c350 01bb 00000001 00000000 50 02 ffff 0000 0000"

static const char raw_ipv4_udp[] = RAW_IPV4_UDP;
static const char raw_ipv6_tcp[] = RAW_IPV6_TCP;
static const char null_le_ipv4[] = "02000000" RAW_IPV4_UDP;
static const char null_be_ipv6[] = "0000001e" RAW_IPV6_TCP; /* 30: macOS */
static const char loop_ipv4[] = "00000002" RAW_IPV4_UDP;

/*
 * Ethernet/IPv4/TCP, 62 bytes.  IPv4 at 14: total 48, DF, TTL 64,
 * 192.168.1.10 -> 93.184.216.34.  TCP at 34: 49152 -> 80, seq 0x01020304,
 * ack 0x0a0b0c0d, offset 6 (byte 46), PSH|ACK, window 64240; MSS option
 * at 54 (length byte 55).  Payload "GET " at 58.
 */
static const char eth_ipv4_tcp[] = ETH_HDR("0800")
	"45 00 0030 1234 4000 40 06 0000 c0a8010a 5db8d822"
	"c000 0050 01020304 0a0b0c0d 60 18 faf0 0000 0000" "020405b4"
	"47455420";

/*
 * Ethernet/802.1Q/IPv4/UDP, 50 bytes: TCI a064 (PCP 5, VID 100); IPv4 at
 * 18; UDP at 38: 53000 -> 53, length 12 (bytes 42-43); payload at 46.
 */
static const char eth_vlan_ipv4_udp[] = ETH_HDR("8100") "a064 0800"
	"45 00 0020 0001 0000 40 11 0000 c0a8010a c0a80101"
	"cf08 0035 000c 0000" "deadbeef";

/*
 * Ethernet/802.1ad/802.1Q/IPv6/UDP, 74 bytes: VIDs 5 and 200; IPv6 at 22,
 * hop limit 255; UDP at 62: 5353 -> 5353, length 12; payload at 70.
 */
static const char eth_qinq_ipv6_udp[] = ETH_HDR("88a8") "2005 8100 00c8 86dd"
	"60000000 000c 11 ff fe800000000000000000000000000001 ff0200000000000000000000000000fb"
	"14e9 14e9 000c 0000" "01020304";

/*
 * Ethernet/PPPoE session/PPP/IPv4/UDP, 53 bytes: PPPoE length 31 (2 PPP
 * protocol bytes + the 29-byte datagram) so the 2 trailing pad bytes are
 * cut off; IPv4 at 22, payload at 50.
 */
static const char eth_pppoe_ipv4_udp[] = ETH_HDR("8864") "11 00 0001 001f 0021"
	RAW_IPV4_UDP "0000";

/* Three stacked tags: one more than EW_MAX_VLAN_TAGS. */
static const char eth_three_tags[] = ETH_HDR("88a8") "0001 8100 0002 8100 0003 0800"
	RAW_IPV4_UDP;

/*
 * Linux cooked v1/IPv4/ICMP echo request, 52 bytes: ARPHRD_ETHER, halen 6,
 * MAC_B; IPv4 at 16, 10.0.0.2 -> 10.0.0.1; ICMP at 36; "abcdefgh" at 44.
 */
static const char sll_ipv4_icmp[] = "0000 0001 0006" MAC_B "0000 0800"
	"45 00 0024 abcd 0000 40 01 0000 0a000002 0a000001"
	"08 00 0000 0001 0002" "6162636465666768";

/*
 * Linux cooked v2/IPv6/ICMPv6 echo request, 72 bytes: ARPHRD_ETHER (bytes
 * 8-9), outgoing, MAC_B; IPv6 at 20; ICMPv6 at 60, type 128; data at 68.
 */
static const char sll2_ipv6_icmpv6[] = "86dd 0000 00000002 0001 04 06" MAC_B "0000"
	"60000000 000c 3a ff" V6_DOC("01") V6_DOC("02")
	"80 00 0000 0007 0001" "01020304";

/*
 * Ethernet/IPv4 with a router-alert option/UDP, 50 bytes: IHL 6, total 36,
 * TTL 1; option 94 04 0000 at 34; UDP at 38, length 12; payload at 46.
 */
static const char eth_ipv4_opt_udp[] = ETH_HDR("0800")
	"46 00 0024 0003 0000 01 11 0000 c0a8010a e00000fb" "94 04 0000"
	"14e9 14e9 000c 0000" "11223344";

/*
 * Ethernet/IPv6/hop-by-hop/destination options/TCP, 93 bytes: payload 39 =
 * 8 + 8 + 20 + 3, next header 0 (byte 20); hop-by-hop at 54 (length byte
 * 55); destination options at 62; TCP at 70: 50000 -> 80; "hi\n" at 90.
 */
static const char eth_ipv6_hbh_dst_tcp[] = ETH_HDR("86dd")
	"60000000 0027 00 40" V6_DOC("01") V6_DOC("02")
	"3c 00 0104 00000000" "06 00 0104 00000000"
	"c350 0050 00000064 000000c8 50 18 0100 0000 0000" "68690a";

/* IPv6 with nine extension headers, one past the cap, then UDP. */
#define EXT_DST "3c 00 0104 00000000"
static const char raw_ipv6_nine_ext[] = "60000000 0050 00 40" V6_DOC("01") V6_DOC("02")
	EXT_DST EXT_DST EXT_DST EXT_DST EXT_DST EXT_DST EXT_DST EXT_DST "11 00 0104 00000000"
	"1388 1388 0008 0000";

/* Ethernet/IPv4/UDP first fragment, 50 bytes: MF set, offset 0 (20-21). */
static const char eth_ipv4_frag_first[] = ETH_HDR("0800")
	"45 00 0024 0004 2000 40 11 0000 c0a8010a c0a80101"
	"1388 1388 05dc 0000" "0102030405060708";

/*
 * IPv6/fragment/UDP, 56 bytes: fragment header at 40 with offset 0 and M
 * set (bytes 42-43); UDP at 48: 5000 -> 5000, length 32 (bytes 52-53).
 */
static const char raw_ipv6_frag[] = "60000000 0010 2c 40" V6_DOC("01") V6_DOC("02")
	"11 00 0001 deadbeef" "1388 1388 0020 0000";

/* Ethernet/ARP request, 60 bytes: who has .1, tell .10; hrd 14-15, hln 18. */
static const char eth_arp[] = "ffffffffffff" MAC_B "0806"
	"0001 0800 06 04 0001" MAC_B "c0a8010a" "000000000000 c0a80101"
	"000000000000000000000000000000000000";

/*
 * Ethernet/IPv4/UDP padded to 60 bytes: total length 29 (byte 17), UDP
 * length 9, payload 7a at 42, then 17 bytes of padding that are not payload.
 */
static const char eth_ipv4_udp_padded[] = ETH_HDR("0800")
	"45 00 001d 0005 0000 40 11 0000 c0a8010a c0a80101"
	"d431 0035 0009 0000" "7a" "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee";

/* The first 64 bytes of a 1514-byte Ethernet/IPv4/TCP frame: 10 payload bytes. */
static const char eth_ipv4_tcp_snapped[] = ETH_HDR("0800")
	"45 00 05dc 0006 4000 40 06 0000 c0a8010a 5db8d822"
	"c001 01bb 00001000 00002000 50 10 01f5 0000 0000" "17030305a70000000000";

/* ------------------------------------------------------------ helpers */

#define MAX_PKT 128
#define MAX_PATCHES 4
#define ALL_BYTES SIZE_MAX  /* input.cut: capture the whole packet */
#define WIRE_FULL UINT32_MAX /* input.wirelen: the wire had the whole packet */

struct patch {
	uint16_t off;
	uint8_t val;
};

/* A test packet: the hex with patches applied, cut and decoded as dlt. */
struct input {
	const char *name;
	int dlt;
	const char *hex;
	size_t cut;       /* bytes captured, or ALL_BYTES */
	uint32_t wirelen; /* 0: same as captured, or WIRE_FULL */
	struct patch patch[MAX_PATCHES];
	size_t npatch;
};

struct decoded {
	uint8_t *buf;
	size_t len;
	struct ew_packet pkt;
	struct decode_stats stats;
	enum decode_event ev;
};

/* Parses spaced hex ("45 00 001d") into out; returns the byte count. */
static size_t parse_hex(const char *hex, uint8_t out[MAX_PKT])
{
	size_t n = 0;

	for (const char *s = hex; *s != '\0';) {
		unsigned byte = 0;

		if (*s == ' ') {
			s++;
			continue;
		}
		assert_true(n < MAX_PKT && isxdigit((unsigned char)s[0]) &&
			    isxdigit((unsigned char)s[1]) && sscanf(s, "%2x", &byte) == 1);
		out[n++] = (uint8_t)byte;
		s += 2;
	}
	return n;
}

/* Parses the packet and applies its patches; returns its length. */
static size_t build(const struct input *in, uint8_t out[MAX_PKT])
{
	size_t n = parse_hex(in->hex, out);

	for (size_t i = 0; i < in->npatch; i++) {
		assert_true(in->patch[i].off < n);
		out[in->patch[i].off] = in->patch[i].val;
	}
	return n;
}

/* Decodes bytes[0..cut) from a heap copy of exactly that size. */
static void decode_copy(struct decoded *d, int dlt, const uint8_t *bytes, size_t cut,
			uint32_t wirelen)
{
	memset(d, 0, sizeof(*d));
	d->len = cut;
	d->buf = malloc(cut);
	assert_true(d->buf != NULL || cut == 0);
	if (cut > 0)
		memcpy(d->buf, bytes, cut);
	d->ev = decode_packet(dlt, d->buf, (uint32_t)cut, wirelen, 1234567, &d->pkt, &d->stats);
}

static void run_input(struct decoded *d, const struct input *in)
{
	uint8_t full[MAX_PKT];
	size_t len = build(in, full);
	size_t cut = in->cut == ALL_BYTES ? len : in->cut;
	uint32_t wire = in->wirelen == WIRE_FULL ? (uint32_t)len : in->wirelen;

	assert_true(cut <= len);
	decode_copy(d, in->dlt, full, cut, wire != 0 ? wire : (uint32_t)cut);
}

static void run(struct decoded *d, int dlt, const char *hex)
{
	const struct input in = { "", dlt, hex, ALL_BYTES, 0, { { 0, 0 } }, 0 };

	run_input(d, &in);
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

/* Compares bytes with the hex spelling of what they should be. */
static void assert_bytes(const uint8_t *got, const char *hex)
{
	uint8_t want[MAX_PKT];

	assert_memory_equal(got, want, parse_hex(hex, want));
}

/* 4 bytes of hex for IPv4, stored as ::ffff:a.b.c.d; 16 for IPv6. */
static void assert_addr(const struct ew_addr *a, const char *hex)
{
	uint8_t want[MAX_PKT];
	size_t n = parse_hex(hex, want);

	assert_int_equal(a->family, n == 4 ? EW_AF_INET : EW_AF_INET6);
	if (n == 4)
		assert_bytes(a->bytes, "00000000 00000000 0000ffff");
	assert_memory_equal(a->bytes + 16 - n, want, n);
}

#define EN EW_DLT_EN10MB
#define SLL EW_DLT_LINUX_SLL
#define SLL2 EW_DLT_LINUX_SLL2
#define V6 EW_DLT_IPV6
#define RAW EW_DLT_RAW
#define NUL EW_DLT_NULL
#define LOOP EW_DLT_LOOP
#define ALL(h) (h), ALL_BYTES, 0
/* A prefix of a packet, as a snaplen would cut it: the wire had it all. */
#define CUT(h, n) (h), (n), WIRE_FULL
#define PART(h, n) (h), (n), 0          /* a frame that really was n bytes */
#define WIRE(h, n) (h), ALL_BYTES, (n) /* all captured of an n-byte frame */
#define P(...) { __VA_ARGS__ }, sizeof((struct patch[]){ __VA_ARGS__ }) / sizeof(struct patch)
#define NOP { { 0, 0 } }, 0
#define IN(...) { __VA_ARGS__ }
/* Table rows: an input (name, dlt, bytes, patches), then what to expect. */
#define G(name, dlt, src, patch, type, ...) \
	{ IN(name, dlt, src, patch), type, NOVLAN, __VA_ARGS__ }
#define H(name, dlt, src, patch, expect) { IN(name, dlt, src, patch), expect }

#define EXPECT_EQ(name, got, want)                                                       \
	do {                                                                             \
		if ((uint64_t)(got) != (uint64_t)(want))                                 \
			fail_msg("case \"%s\": %s is %llu, want %llu", (name), #got,     \
				 (unsigned long long)(got), (unsigned long long)(want)); \
	} while (0)

/* ------------------------------------------------------ good packets */

/*
 * What a good packet decodes to, with no event at all.  Offsets count
 * from the start of the frame.  payload_off 0 means "no transport decode":
 * has_l4 false and no payload.
 */
struct good_case {
	struct input in;
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
#define RAW4(name, dlt, hex, off) \
	{ IN(name, dlt, ALL(hex), NOP), IP4, NOVLAN, off, 29, 29, 128, 17, 12345, 123, off + 28, 1 }
#define RAW6(name, dlt, hex, off, ...)                                                     \
	{ IN(name, dlt, ALL(hex), __VA_ARGS__), IP6, NOVLAN, off, 60, 60, 64, 6, 50000, 443, \
	  off + 60, 0 }
#define EXT6(name, ...) { IN(name, EN, ALL(eth_ipv6_hbh_dst_tcp), __VA_ARGS__), IP6, NOVLAN, \
			  14, 79, 79, 64, 6, 50000, 80, 90, 3 }

static const struct good_case good[] = {
	G("eth ipv4 tcp", EN, ALL(eth_ipv4_tcp), NOP, IP4, 14, 48, 48, 64, 6, 49152, 80, 58, 4),
	G("pppoe ipv4 udp", EN, ALL(eth_pppoe_ipv4_udp), NOP, IP4, 22, 29, 29, 128, 17, 12345, 123,
	  50, 1),
	{ IN("802.1q ipv4 udp", EN, ALL(eth_vlan_ipv4_udp), NOP),
	  IP4, 1, { 100, 0 }, 18, 32, 32, 64, 17, 53000, 53, 46, 4 },
	{ IN("802.1ad+802.1q ipv6 udp", EN, ALL(eth_qinq_ipv6_udp), NOP),
	  IP6, 2, { 5, 200 }, 22, 52, 52, 255, 17, 5353, 5353, 70, 4 },
	{ IN("0x9100+802.1q ipv6 udp", EN, ALL(eth_qinq_ipv6_udp), P({ 12, 0x91 }, { 13, 0 })),
	  IP6, 2, { 5, 200 }, 22, 52, 52, 255, 17, 5353, 5353, 70, 4 },
	G("sll ipv4 icmp", SLL, ALL(sll_ipv4_icmp), NOP, IP4, 16, 36, 36, 64, 1, 0, 0, 44, 8),
	G("sll2 icmpv6", SLL2, ALL(sll2_ipv6_icmpv6), NOP, IP6, 20, 52, 52, 255, 58, 0, 0, 68, 4),
	RAW4("raw(12) ipv4", EW_DLT_RAW, raw_ipv4_udp, 0),
	RAW4("raw(14) ipv4", EW_DLT_RAW_ALT, raw_ipv4_udp, 0),
	RAW4("linktype raw ipv4", EW_LINKTYPE_RAW, raw_ipv4_udp, 0),
	RAW4("dlt ipv4", EW_DLT_IPV4, raw_ipv4_udp, 0),
	RAW6("raw(12) ipv6", EW_DLT_RAW, raw_ipv6_tcp, 0, NOP),
	RAW6("linktype raw ipv6", EW_LINKTYPE_RAW, raw_ipv6_tcp, 0, NOP),
	RAW6("dlt ipv6", V6, raw_ipv6_tcp, 0, NOP),
	RAW4("null little-endian ipv4", EW_DLT_NULL, null_le_ipv4, 4),
	RAW6("null big-endian ipv6 (30)", EW_DLT_NULL, null_be_ipv6, 4, NOP),
	RAW6("null big-endian ipv6 (10)", EW_DLT_NULL, null_be_ipv6, 4, P({ 3, 10 })),
	RAW6("null big-endian ipv6 (28)", EW_DLT_NULL, null_be_ipv6, 4, P({ 3, 28 })),
	RAW6("null little-endian ipv6 (24)", EW_DLT_NULL, null_be_ipv6, 4, P({ 0, 24 }, { 3, 0 })),
	RAW4("loop ipv4", EW_DLT_LOOP, loop_ipv4, 4),
	G("ipv4 opts", EN, ALL(eth_ipv4_opt_udp), NOP, IP4, 14, 36, 36, 1, 17, 5353, 5353, 46, 4),
	G("ipv4 nop nop nop eol", EN, ALL(eth_ipv4_opt_udp),
	  P({ 34, 1 }, { 35, 1 }, { 36, 1 }, { 37, 0 }), IP4, 14, 36, 36, 1, 17, 5353, 5353, 46, 4),
	EXT6("ipv6 hop-by-hop, dst options", NOP),
	/* AH length 2 is (2 + 2) * 4 = 16 bytes, over both option headers. */
	EXT6("ipv6 ah", P({ 20, 51 }, { 54, 6 }, { 55, 2 })),
	EXT6("ipv6 routing, mobility", P({ 20, 43 }, { 54, 135 })),
	/* Fragment header with offset 0 and M clear; UDP length 8. */
	G("ipv6 atomic fragment", V6, ALL(raw_ipv6_frag), P({ 43, 0 }, { 53, 8 }),
	  IP6, 0, 56, 56, 64, 17, 5000, 5000, 56, 0),
	RAW6("ipv6 payload length 0", V6, raw_ipv6_tcp, 0, P({ 5, 0 })),
	G("no next hdr", V6, ALL(raw_ipv6_tcp), P({ 6, 59 }), IP6, 0, 60, 60, 64, 59, 0, 0, 0, 0),
	G("padding", EN, ALL(eth_ipv4_udp_padded), NOP, IP4, 14, 29, 29, 64, 17, 54321, 53, 42, 1),
	/* IPv4 total 32 takes in 3 padding bytes; UDP length 9 still ends it. */
	G("udp shorter than ip payload", EN, ALL(eth_ipv4_udp_padded), P({ 17, 32 }),
	  IP4, 14, 32, 32, 64, 17, 54321, 53, 42, 1),
	G("snaplen-cut tcp", EN, WIRE(eth_ipv4_tcp_snapped, 1514), NOP,
	  IP4, 14, 50, 1500, 64, 6, 49153, 443, 54, 10),
	/* Total 1500, UDP length 1480, of which 29 bytes were captured. */
	G("snaplen-cut udp", RAW, WIRE(raw_ipv4_udp, 1500),
	  P({ 2, 0x05 }, { 3, 0xdc }, { 24, 0x05 }, { 25, 0xc8 }),
	  IP4, 0, 29, 1500, 128, 17, 12345, 123, 28, 1),
	/* Payload length 276, of which 20 bytes were captured. */
	G("snaplen-cut ipv6", V6, WIRE(raw_ipv6_tcp, 316), P({ 4, 1 }),
	  IP6, 0, 60, 316, 64, 6, 50000, 443, 60, 0),
};

static void check_good_l4(const struct good_case *g, const struct decoded *d)
{
	const char *name = g->in.name;

	if (g->payload_off == 0) {
		EXPECT_EQ(name, d->pkt.has_l4, 0);
		EXPECT_EQ(name, d->pkt.payload == NULL, 1);
		return;
	}
	EXPECT_EQ(name, d->pkt.has_l4, 1);
	EXPECT_EQ(name, d->pkt.sport, g->sport);
	EXPECT_EQ(name, d->pkt.dport, g->dport);
	EXPECT_EQ(name, d->pkt.payload - d->buf, g->payload_off);
	EXPECT_EQ(name, d->pkt.payload_len, g->payload_len);
}

static void test_good_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		const struct good_case *g = &good[i];
		const char *name = g->in.name;
		struct decoded d;

		run_input(&d, &g->in);
		EXPECT_EQ(name, d.ev, DE_NONE);
		EXPECT_EQ(name, events_total(&d.stats), 0);
		EXPECT_EQ(name, d.pkt.kind, EW_PKT_IP);
		EXPECT_EQ(name, d.pkt.ethertype, g->ethertype);
		EXPECT_EQ(name, d.pkt.ip_version, g->ethertype == IP4 ? 4 : 6);
		EXPECT_EQ(name, d.pkt.vlan_count, g->vlan_count);
		EXPECT_EQ(name, d.pkt.vlan_id[0], g->vlan_id[0]);
		EXPECT_EQ(name, d.pkt.vlan_id[1], g->vlan_id[1]);
		EXPECT_EQ(name, d.pkt.l3 - d.buf, g->l3_off);
		EXPECT_EQ(name, d.pkt.l3_len, g->l3_len);
		EXPECT_EQ(name, d.pkt.ip_len, g->ip_len);
		EXPECT_EQ(name, d.pkt.ttl, g->ttl);
		EXPECT_EQ(name, d.pkt.l4_proto, g->l4_proto);
		EXPECT_EQ(name, d.pkt.is_fragment, 0);
		check_good_l4(g, &d);
		done(&d);
	}
}

/* The fields the table does not cover: MACs, addresses, TCP state. */
static void test_ethernet_tcp_fields(void **state)
{
	const struct input jumbo_wire = { "", EN, eth_ipv4_tcp, ALL_BYTES, 9000, NOP };
	struct decoded d;

	(void)state;
	run_input(&d, &jumbo_wire);
	assert_int_equal(d.ev, DE_NONE);
	assert_int_equal(d.pkt.ts_us, 1234567);
	assert_int_equal(d.pkt.caplen, 62);
	assert_int_equal(d.pkt.wirelen, 9000);
	assert_true(d.pkt.has_mac);
	assert_bytes(d.pkt.dst_mac, MAC_A);
	assert_bytes(d.pkt.src_mac, MAC_B);
	assert_addr(&d.pkt.src, "c0a8010a");
	assert_addr(&d.pkt.dst, "5db8d822");
	assert_int_equal(d.pkt.tcp_seq, 0x01020304);
	assert_int_equal(d.pkt.tcp_ack, 0x0a0b0c0d);
	assert_int_equal(d.pkt.tcp_flags, EW_TH_PSH | EW_TH_ACK);
	assert_int_equal(d.pkt.tcp_win, 64240);
	assert_bytes(d.pkt.payload, "47455420");
	done(&d);

	run(&d, V6, raw_ipv6_tcp);
	assert_false(d.pkt.has_mac);
	assert_addr(&d.pkt.src, V6_DOC("01"));
	assert_addr(&d.pkt.dst, V6_DOC("02"));
	assert_int_equal(d.pkt.tcp_seq, 1);
	assert_int_equal(d.pkt.tcp_flags, EW_TH_SYN);
	assert_int_equal(d.pkt.tcp_win, 65535);
	done(&d);
}

/* Cooked captures know only the sender's address, and only on Ethernet. */
static void test_cooked_macs_and_icmp(void **state)
{
	const struct input not_ether = { "", SLL2, ALL(sll2_ipv6_icmpv6), P({ 9, 4 }) };
	struct decoded d;

	(void)state;
	run(&d, SLL, sll_ipv4_icmp);
	assert_true(d.pkt.has_mac);
	assert_bytes(d.pkt.src_mac, MAC_B);
	assert_bytes(d.pkt.dst_mac, "000000000000");
	assert_addr(&d.pkt.src, "0a000002");
	assert_int_equal(d.pkt.icmp_type, 8);
	assert_int_equal(d.pkt.icmp_code, 0);
	assert_bytes(d.pkt.payload, "6162636465666768");
	done(&d);

	run(&d, SLL2, sll2_ipv6_icmpv6);
	assert_true(d.pkt.has_mac);
	assert_bytes(d.pkt.src_mac, MAC_B);
	assert_int_equal(d.pkt.icmp_type, 128);
	done(&d);

	run_input(&d, &not_ether);
	assert_int_equal(d.ev, DE_NONE);
	assert_false(d.pkt.has_mac);
	done(&d);
}

static void test_arp(void **state)
{
	struct decoded d;

	(void)state;
	run(&d, EN, eth_arp);
	assert_int_equal(d.ev, DE_NONE);
	assert_int_equal(events_total(&d.stats), 0);
	assert_int_equal(d.pkt.kind, EW_PKT_ARP);
	assert_int_equal(d.pkt.ethertype, 0x0806);
	assert_int_equal(d.pkt.arp.op, 1);
	assert_bytes(d.pkt.arp.sha, MAC_B);
	assert_bytes(d.pkt.arp.spa, "c0a8010a");
	assert_bytes(d.pkt.arp.tha, "000000000000");
	assert_bytes(d.pkt.arp.tpa, "c0a80101");
	assert_null(d.pkt.l3);
	done(&d);
}

/*
 * LLDP (0x88cc), untagged and behind a VLAN tag: no event, the LLDPDU as
 * payload for the device stage, which checks its lengths itself.
 */
static const char eth_lldp[] = "0180c200000e" MAC_B "88cc" "0206 04" MAC_B "0000";
static const char eth_vlan_lldp[] = "0180c200000e" MAC_B "8100 0064 88cc" "0206 04" MAC_B
				    "0000";

static void test_lldp(void **state)
{
	struct decoded d;

	(void)state;
	run(&d, EN, eth_lldp);
	assert_int_equal(d.ev, DE_NONE);
	assert_int_equal(events_total(&d.stats), 0);
	assert_int_equal(d.pkt.kind, EW_PKT_LLDP);
	assert_int_equal(d.pkt.ethertype, 0x88cc);
	assert_int_equal(d.pkt.payload_len, 11);     /* 2 + 7 + 2: chassis id TLV and End */
	assert_ptr_equal(d.pkt.payload, d.buf + 14); /* right after the ethertype */
	assert_bytes(d.pkt.src_mac, MAC_B);
	done(&d);
	run(&d, EN, eth_vlan_lldp);
	assert_int_equal(d.ev, DE_NONE);
	assert_int_equal(d.pkt.kind, EW_PKT_LLDP);
	assert_int_equal(d.pkt.payload_len, 11);
	assert_ptr_equal(d.pkt.payload, d.buf + 18);
	done(&d);
}

/* --------------------------------------------- odd and hostile packets */

/*
 * Each row: the packet, the one event decode_packet() must count, and
 * what it must return: the event itself for an error, DE_NONE for a fact
 * such as a fragment.  done() checks that fragments carry no ports.
 */
struct hostile_case {
	struct input in;
	enum decode_event ret;
	enum decode_event counted;
};

#define ERR(ev) ev, ev
#define NOTE(ev) DE_NONE, ev

static const struct hostile_case hostile[] = {
	/* Truncation: one byte short of each header. */
	H("eth 13 bytes", EN, CUT(eth_ipv4_tcp, 13), NOP, ERR(DE_ETH_TRUNCATED)),
	H("eth caplen 0", EN, CUT(eth_ipv4_tcp, 0), NOP, ERR(DE_ETH_TRUNCATED)),
	H("vlan tag 3 bytes", EN, CUT(eth_vlan_ipv4_udp, 17), NOP, ERR(DE_VLAN_TRUNCATED)),
	H("inner tag 3 bytes", EN, CUT(eth_qinq_ipv6_udp, 21), NOP, ERR(DE_VLAN_TRUNCATED)),
	H("sll 15 bytes", SLL, CUT(sll_ipv4_icmp, 15), NOP, ERR(DE_SLL_TRUNCATED)),
	H("sll caplen 0", SLL, CUT(sll_ipv4_icmp, 0), NOP, ERR(DE_SLL_TRUNCATED)),
	H("sll2 19 bytes", SLL2, CUT(sll2_ipv6_icmpv6, 19), NOP, ERR(DE_SLL2_TRUNCATED)),
	H("null 3 bytes", NUL, CUT(null_le_ipv4, 3), NOP, ERR(DE_NULL_TRUNCATED)),
	H("loop 3 bytes", LOOP, CUT(loop_ipv4, 3), NOP, ERR(DE_NULL_TRUNCATED)),
	H("arp fixed 7 bytes", EN, CUT(eth_arp, 14 + 7), NOP, ERR(DE_ARP_TRUNCATED)),
	H("arp addrs 19 bytes", EN, CUT(eth_arp, 22 + 19), NOP, ERR(DE_ARP_TRUNCATED)),
	H("ipv4 19 bytes", EN, CUT(eth_ipv4_tcp, 14 + 19), NOP, ERR(DE_IPV4_TRUNCATED)),
	H("raw caplen 0", RAW, CUT(raw_ipv4_udp, 0), NOP, ERR(DE_IPV4_TRUNCATED)),
	H("ipv4 options cut", EN, CUT(eth_ipv4_opt_udp, 37), NOP, ERR(DE_IPV4_TRUNCATED)),
	H("tcp 19 bytes", EN, CUT(eth_ipv4_tcp, 34 + 19), NOP, ERR(DE_TCP_TRUNCATED)),
	H("tcp options cut", EN, CUT(eth_ipv4_tcp, 34 + 23), NOP, ERR(DE_TCP_TRUNCATED)),
	H("udp 7 bytes", EN, CUT(eth_vlan_ipv4_udp, 38 + 7), NOP, ERR(DE_UDP_TRUNCATED)),
	H("icmp 3 bytes", SLL, CUT(sll_ipv4_icmp, 36 + 3), NOP, ERR(DE_ICMP_TRUNCATED)),
	H("ipv6 39 bytes", V6, CUT(raw_ipv6_tcp, 39), NOP, ERR(DE_IPV6_TRUNCATED)),
	H("hbh 7 bytes", EN, CUT(eth_ipv6_hbh_dst_tcp, 61), NOP, ERR(DE_IPV6_EXT_TRUNCATED)),
	H("dst 1 byte", EN, CUT(eth_ipv6_hbh_dst_tcp, 63), NOP, ERR(DE_IPV6_EXT_TRUNCATED)),
	H("frag 7 bytes", V6, CUT(raw_ipv6_frag, 47), NOP, ERR(DE_IPV6_EXT_TRUNCATED)),
	H("tcp/ipv6 19 bytes", V6, CUT(raw_ipv6_tcp, 59), NOP, ERR(DE_TCP_TRUNCATED)),
	H("icmpv6 3 bytes", SLL2, CUT(sll2_ipv6_icmpv6, 63), NOP, ERR(DE_ICMPV6_TRUNCATED)),
	/* Link layer. */
	H("three vlan tags", EN, ALL(eth_three_tags), NOP, ERR(DE_VLAN_TOO_DEEP)),
	H("pppoe 7 bytes", EN, CUT(eth_pppoe_ipv4_udp, 14 + 7), NOP, ERR(DE_PPPOE_TRUNCATED)),
	H("pppoe version 2", EN, ALL(eth_pppoe_ipv4_udp), P({ 14, 0x21 }), ERR(DE_PPPOE_TRUNCATED)),
	H("pppoe length 1", EN, ALL(eth_pppoe_ipv4_udp), P({ 19, 1 }), ERR(DE_PPPOE_TRUNCATED)),
	H("pppoe length cuts ipv4", EN, ALL(eth_pppoe_ipv4_udp), P({ 19, 12 }),
	  ERR(DE_IPV4_TRUNCATED)),
	H("ppp lcp", EN, ALL(eth_pppoe_ipv4_udp), P({ 20, 0xc0 }, { 21, 0x21 }),
	  NOTE(DE_PPPOE_OTHER)),
	H("null family 7", NUL, ALL(null_le_ipv4), P({ 0, 7 }), ERR(DE_NULL_UNKNOWN_FAMILY)),
	H("loop family 2 << 24", LOOP, ALL(loop_ipv4), P({ 0, 2 }, { 3, 0 }),
	  ERR(DE_NULL_UNKNOWN_FAMILY)),
	H("dlt 147", 147, ALL(eth_ipv4_tcp), NOP, ERR(DE_LINK_UNSUPPORTED)),
	H("ethertype 88cd", EN, ALL(eth_ipv4_tcp), P({ 12, 0x88 }, { 13, 0xcd }),
	  NOTE(DE_ETHERTYPE_OTHER)),
	H("802.3", EN, ALL(eth_ipv4_tcp), P({ 12, 0 }, { 13, 0x30 }), NOTE(DE_ETHERTYPE_OTHER)),
	H("arp hrd 6", EN, ALL(eth_arp), P({ 15, 6 }), NOTE(DE_ARP_UNSUPPORTED)),
	H("arp hln 8", EN, ALL(eth_arp), P({ 18, 8 }), NOTE(DE_ARP_UNSUPPORTED)),
	/* IPv4. */
	H("ipv4 version 6", EN, ALL(eth_ipv4_tcp), P({ 14, 0x65 }), ERR(DE_IPV4_BAD_VERSION)),
	H("raw version 5", RAW, ALL(raw_ipv4_udp), P({ 0, 0x55 }), ERR(DE_IPV4_BAD_VERSION)),
	H("ihl 4", EN, ALL(eth_ipv4_tcp), P({ 14, 0x44 }), ERR(DE_IPV4_BAD_IHL)),
	H("ihl 0", EN, ALL(eth_ipv4_tcp), P({ 14, 0x40 }), ERR(DE_IPV4_BAD_IHL)),
	H("total 19", EN, ALL(eth_ipv4_tcp), P({ 16, 0 }, { 17, 19 }), ERR(DE_IPV4_BAD_TOTAL_LEN)),
	H("total 0", EN, ALL(eth_ipv4_tcp), P({ 16, 0 }, { 17, 0 }), ERR(DE_IPV4_BAD_TOTAL_LEN)),
	H("ihl 15 > total", EN, ALL(eth_ipv4_tcp), P({ 14, 0x4f }), ERR(DE_IPV4_BAD_TOTAL_LEN)),
	H("ihl 15 not captured", EN, ALL(eth_ipv4_tcp), P({ 14, 0x4f }, { 16, 5 }),
	  ERR(DE_IPV4_TRUNCATED)),
	H("option len 0", EN, ALL(eth_ipv4_opt_udp), P({ 34, 7 }, { 35, 0 }),
	  NOTE(DE_IPV4_BAD_OPTION)),
	H("option len 1", EN, ALL(eth_ipv4_opt_udp), P({ 35, 1 }), NOTE(DE_IPV4_BAD_OPTION)),
	H("option past header", EN, ALL(eth_ipv4_opt_udp), P({ 35, 8 }), NOTE(DE_IPV4_BAD_OPTION)),
	H("option without len", EN, ALL(eth_ipv4_opt_udp),
	  P({ 34, 1 }, { 35, 1 }, { 36, 1 }, { 37, 0x44 }), NOTE(DE_IPV4_BAD_OPTION)),
	H("ipv4 gre", RAW, ALL(raw_ipv4_udp), P({ 9, 47 }), NOTE(DE_IP_PROTO_OTHER)),
	H("ipv4 first fragment", EN, ALL(eth_ipv4_frag_first), NOP, NOTE(DE_IPV4_FRAGMENT)),
	/* MF clear, offset 185 (1480 bytes), total length 28. */
	H("ipv4 later fragment", EN, PART(eth_ipv4_frag_first, 14 + 28),
	  P({ 16, 0 }, { 17, 28 }, { 20, 0 }, { 21, 0xb9 }), NOTE(DE_IPV4_FRAGMENT)),
	/* IPv6. */
	H("ipv6 version 4", EN, ALL(eth_qinq_ipv6_udp), P({ 22, 0x40 }), ERR(DE_IPV6_BAD_VERSION)),
	H("ipv6 plen > frame", V6, ALL(raw_ipv6_tcp), P({ 4, 1 }), ERR(DE_IPV6_BAD_PAYLOAD_LEN)),
	H("hbh len 255", EN, ALL(eth_ipv6_hbh_dst_tcp), P({ 55, 0xff }),
	  ERR(DE_IPV6_EXT_TRUNCATED)),
	H("ah len 255", EN, ALL(eth_ipv6_hbh_dst_tcp), P({ 20, 51 }, { 55, 0xff }),
	  ERR(DE_IPV6_EXT_TRUNCATED)),
	H("nine ext headers", V6, ALL(raw_ipv6_nine_ext), NOP, ERR(DE_IPV6_EXT_TOO_MANY)),
	H("ipv6 esp", V6, ALL(raw_ipv6_tcp), P({ 6, 50 }), NOTE(DE_IP_PROTO_OTHER)),
	H("ipv6 first fragment", V6, ALL(raw_ipv6_frag), NOP, NOTE(DE_IPV6_FRAGMENT)),
	/* Offset 185, M clear: the field reads 05 c8. */
	H("ipv6 later fragment", V6, ALL(raw_ipv6_frag), P({ 42, 0x05 }, { 43, 0xc8 }),
	  NOTE(DE_IPV6_FRAGMENT)),
	/* Transport. */
	H("tcp offset 4", EN, ALL(eth_ipv4_tcp), P({ 46, 0x40 }), ERR(DE_TCP_BAD_OFFSET)),
	H("tcp offset 15 > ip", EN, ALL(eth_ipv4_tcp), P({ 46, 0xf0 }), ERR(DE_TCP_BAD_OFFSET)),
	H("tcp option len 0", EN, ALL(eth_ipv4_tcp), P({ 55, 0 }), NOTE(DE_TCP_BAD_OPTION)),
	H("tcp option past hdr", EN, ALL(eth_ipv4_tcp), P({ 55, 8 }), NOTE(DE_TCP_BAD_OPTION)),
	H("udp len 3", EN, ALL(eth_vlan_ipv4_udp), P({ 42, 0 }, { 43, 3 }), ERR(DE_UDP_BAD_LEN)),
	H("udp len > ip", EN, ALL(eth_vlan_ipv4_udp), P({ 43, 13 }), ERR(DE_UDP_BAD_LEN)),
	H("udp len 65535", RAW, ALL(raw_ipv4_udp), P({ 24, 0xff }, { 25, 0xff }),
	  ERR(DE_UDP_BAD_LEN)),
};

static void test_hostile_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		const struct hostile_case *h = &hostile[i];
		struct decoded d;

		run_input(&d, &h->in);
		EXPECT_EQ(h->in.name, d.ev, h->ret);
		EXPECT_EQ(h->in.name, d.stats.events[h->counted], 1);
		EXPECT_EQ(h->in.name, events_total(&d.stats), 1);
		done(&d);
	}
}

/* ------------------------------------------------------ prefix sweep */

/*
 * Every prefix of a packet, both as a snaplen cut (the wire had it all)
 * and as a frame that really was that short.  done() checks pointers and
 * counters whatever the outcome.
 */
static void sweep_prefixes(const struct input *in)
{
	uint8_t full[MAX_PKT];
	size_t len = build(in, full);

	for (size_t cut = 0; cut <= len; cut++) {
		struct decoded d;

		decode_copy(&d, in->dlt, full, cut, (uint32_t)cut);
		done(&d);
		decode_copy(&d, in->dlt, full, cut, (uint32_t)len);
		done(&d);
	}
}

static void test_prefix_sweep(void **state)
{
	const struct input arp = { "arp", EN, ALL(eth_arp), NOP };

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		sweep_prefixes(&good[i].in);
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++)
		sweep_prefixes(&hostile[i].in);
	sweep_prefixes(&arp);
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
	EV(DE_ETHERTYPE_OTHER, 0), EV(DE_PPPOE_TRUNCATED, 1), EV(DE_PPPOE_OTHER, 0),
	EV(DE_ARP_TRUNCATED, 1), EV(DE_ARP_UNSUPPORTED, 0),
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
	int underscores = 0;

	for (const char *s = enum_name + 3; *s != '\0' && i + 1 < size; s++)
		out[i++] = (char)(*s == '_' && underscores++ == 0 ? '.' : tolower((uint8_t)*s));
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

/* Linktypes; stats accumulate; a missing buffer or stats is survivable. */
static void test_api_edges(void **state)
{
	static const int yes[] = { 0, 1, 12, 14, 101, 108, 113, 228, 229, 276 };
	static const int no[] = { -1, 2, 105, 127, 147, 192, 1000 };
	struct decode_stats stats;
	struct ew_packet pkt;

	(void)state;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		assert_true(decode_linktype_supported(yes[i]));
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		assert_false(decode_linktype_supported(no[i]));

	memset(&stats, 0, sizeof(stats));
	assert_int_equal(decode_packet(EN, NULL, 0, 0, 0, &pkt, &stats), DE_ETH_TRUNCATED);
	assert_int_equal(decode_packet(EN, NULL, 100, 100, 0, &pkt, &stats), DE_ETH_TRUNCATED);
	assert_int_equal(decode_packet(147, NULL, 0, 0, 0, &pkt, &stats), DE_LINK_UNSUPPORTED);
	assert_int_equal(stats.events[DE_ETH_TRUNCATED], 2);
	assert_int_equal(stats.events[DE_LINK_UNSUPPORTED], 1);
	assert_int_equal(decode_packet(EN, NULL, 0, 0, 0, &pkt, NULL), DE_ETH_TRUNCATED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_table),
		cmocka_unit_test(test_ethernet_tcp_fields),
		cmocka_unit_test(test_cooked_macs_and_icmp),
		cmocka_unit_test(test_arp),
		cmocka_unit_test(test_lldp),
		cmocka_unit_test(test_hostile_table),
		cmocka_unit_test(test_prefix_sweep),
		cmocka_unit_test(test_event_names_and_kinds),
		cmocka_unit_test(test_api_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
