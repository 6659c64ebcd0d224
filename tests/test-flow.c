/*
 * test-flow.c - flow keys, direction, timeouts, TCP teardown, eviction.
 *
 * Packets are built directly as struct ew_packet so these tests exercise
 * the flow table alone; expected counts are worked out by hand in the
 * comments beside each assertion.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "flow-key.h"
#include "flow-table.h"

#define SEC EW_USEC_PER_SEC
/*
 * The id of 192.168.1.10:40000 -> 52.89.0.1:443/TCP first seen at
 * 2026-03-02T08:00:00Z, recorded when ids were made byte-order
 * independent: a change here changes every id users may have stored.
 */
#define FLOW_ID_GOLDEN 0x3954f1bcc2304ULL

struct ended {
	uint64_t count;
	uint64_t by_reason[FLOW_END_SHUTDOWN + 1];
	struct flow last;       /* copy of the last ended flow */
	uint32_t first_ip_last_octet[16];
	size_t nfirst;
};

static void on_end(void *ctx, struct flow *f, enum flow_end_reason why)
{
	struct ended *e = ctx;

	e->count++;
	e->by_reason[why]++;
	e->last = *f;
	if (e->nfirst < 16)
		e->first_ip_last_octet[e->nfirst++] = f->key.addr[f->client_side][15];
}

static const struct flow_timeouts test_to = {
	.tcp_new_s = 30, .tcp_s = 600, .tcp_closed_s = 10,
	.udp_s = 60, .icmp_s = 30, .other_s = 60,
};

static struct ew_packet pkt4(uint8_t proto, uint32_t src, uint16_t sport, uint32_t dst,
			     uint16_t dport, uint8_t flags, ew_usec_t ts)
{
	struct ew_packet p;
	uint8_t a[4];

	memset(&p, 0, sizeof(p));
	p.kind = EW_PKT_IP;
	p.ip_version = 4;
	p.l4_proto = proto;
	a[0] = (uint8_t)(src >> 24); a[1] = (uint8_t)(src >> 16);
	a[2] = (uint8_t)(src >> 8); a[3] = (uint8_t)src;
	ew_addr_set_v4(&p.src, a);
	a[0] = (uint8_t)(dst >> 24); a[1] = (uint8_t)(dst >> 16);
	a[2] = (uint8_t)(dst >> 8); a[3] = (uint8_t)dst;
	ew_addr_set_v4(&p.dst, a);
	p.has_l4 = true;
	p.sport = sport;
	p.dport = dport;
	p.tcp_flags = flags;
	p.ts_us = ts;
	p.wirelen = 60;
	p.caplen = 60;
	return p;
}

#define CAM 0xc0a8010aU /* 192.168.1.10 */
#define CLOUD 0x34590001U /* 52.89.0.1 */

static void test_key_symmetric(void **state)
{
	struct ew_packet a = pkt4(EW_IPPROTO_TCP, CAM, 40000, CLOUD, 443, 0, 0);
	struct ew_packet b = pkt4(EW_IPPROTO_TCP, CLOUD, 443, CAM, 40000, 0, 0);
	struct flow_key ka, kb;
	int sa, sb;

	(void)state;
	sa = flow_key_from_packet(&ka, &a);
	sb = flow_key_from_packet(&kb, &b);
	assert_true(flow_key_equal(&ka, &kb));
	assert_int_not_equal(sa, sb);
	assert_true(flow_key_hash(&ka, 7) == flow_key_hash(&kb, 7));

	/* A different VLAN, port or protocol is a different flow. */
	b.vlan_count = 1;
	b.vlan_id[0] = 10;
	flow_key_from_packet(&kb, &b);
	assert_false(flow_key_equal(&ka, &kb));
	b = pkt4(EW_IPPROTO_UDP, CLOUD, 443, CAM, 40000, 0, 0);
	flow_key_from_packet(&kb, &b);
	assert_false(flow_key_equal(&ka, &kb));

	/* Fragments and ICMP have no ports in the key. */
	a.is_fragment = true;
	flow_key_from_packet(&ka, &a);
	assert_int_equal(ka.port[0], 0);
	assert_int_equal(ka.port[1], 0);
}

static void test_tcp_handshake_direction(void **state)
{
	struct ended e = { 0 };
	struct flow_table *ft = flow_table_create(100, &test_to, 1, on_end, &e);
	enum flow_dir d;
	struct flow *f;
	struct ew_packet p;

	(void)state;
	p = pkt4(EW_IPPROTO_TCP, CAM, 40000, CLOUD, 443, EW_TH_SYN, 1 * SEC);
	f = flow_table_packet(ft, &p, &d);
	assert_int_equal(d, FLOW_TOSERVER);
	p = pkt4(EW_IPPROTO_TCP, CLOUD, 443, CAM, 40000, EW_TH_SYN | EW_TH_ACK, 1 * SEC + 100);
	assert_ptr_equal(flow_table_packet(ft, &p, &d), f);
	assert_int_equal(d, FLOW_TOCLIENT);
	p = pkt4(EW_IPPROTO_TCP, CAM, 40000, CLOUD, 443, EW_TH_ACK, 1 * SEC + 200);
	flow_table_packet(ft, &p, &d);
	assert_int_equal(f->pkts[FLOW_TOSERVER], 2);
	assert_int_equal(f->pkts[FLOW_TOCLIENT], 1);
	assert_int_equal(f->bytes[FLOW_TOSERVER], 120);
	assert_int_equal(f->tcp_flags[FLOW_TOSERVER], EW_TH_SYN | EW_TH_ACK);
	assert_int_equal(f->tcp_flags[FLOW_TOCLIENT], EW_TH_SYN | EW_TH_ACK);
	assert_int_equal(f->first_ts, 1 * SEC);
	assert_int_equal(f->last_ts, 1 * SEC + 200);
	assert_int_equal(flow_table_stats(ft)->active, 1);
	flow_table_destroy(ft);
	assert_int_equal(e.by_reason[FLOW_END_SHUTDOWN], 1);
}

/* A flow first seen at the SYN+ACK still names the SYN sender as client. */
static void test_synack_first(void **state)
{
	struct ended e = { 0 };
	struct flow_table *ft = flow_table_create(100, &test_to, 1, on_end, &e);
	struct ew_packet p = pkt4(EW_IPPROTO_TCP, CLOUD, 443, CAM, 40000,
				  EW_TH_SYN | EW_TH_ACK, 5 * SEC);
	enum flow_dir d;
	struct flow *f;

	(void)state;
	f = flow_table_packet(ft, &p, &d);
	assert_int_equal(d, FLOW_TOCLIENT);
	assert_int_equal(f->key.port[f->client_side], 40000);
	flow_table_destroy(ft);
}

static void test_udp_timeout(void **state)
{
	struct ended e = { 0 };
	struct flow_table *ft = flow_table_create(100, &test_to, 1, on_end, &e);
	struct ew_packet p = pkt4(EW_IPPROTO_UDP, CAM, 5353, 0xe00000fbU, 5353, 0, 10 * SEC);
	enum flow_dir d;

	(void)state;
	flow_table_packet(ft, &p, &d);
	flow_table_expire(ft, 70 * SEC); /* idle exactly 60 s: not yet */
	assert_int_equal(e.count, 0);
	flow_table_expire(ft, 70 * SEC + 1); /* idle 60 s + 1 µs */
	assert_int_equal(e.count, 1);
	assert_int_equal(e.by_reason[FLOW_END_TIMEOUT], 1);
	assert_int_equal(flow_table_stats(ft)->active, 0);
	flow_table_destroy(ft);
}

/* Unanswered SYNs go after 30 s; answered connections stay for 600 s. */
static void test_tcp_classes(void **state)
{
	struct ended e = { 0 };
	struct flow_table *ft = flow_table_create(100, &test_to, 1, on_end, &e);
	struct ew_packet p;
	enum flow_dir d;

	(void)state;
	p = pkt4(EW_IPPROTO_TCP, CAM, 40001, CLOUD, 23, EW_TH_SYN, 0);
	flow_table_packet(ft, &p, &d);
	p = pkt4(EW_IPPROTO_TCP, CAM, 40002, CLOUD, 443, EW_TH_SYN, 0);
	flow_table_packet(ft, &p, &d);
	p = pkt4(EW_IPPROTO_TCP, CLOUD, 443, CAM, 40002, EW_TH_SYN | EW_TH_ACK, 1);
	flow_table_packet(ft, &p, &d);
	flow_table_expire(ft, 31 * SEC);
	assert_int_equal(e.count, 1); /* the unanswered port-23 SYN */
	assert_int_equal(e.last.key.port[e.last.client_side ^ 1], 23);
	flow_table_expire(ft, 600 * SEC);
	assert_int_equal(e.count, 1);
	flow_table_expire(ft, 601 * SEC);
	assert_int_equal(e.count, 2);
	flow_table_destroy(ft);
}

static void test_fin_rst_and_reuse(void **state)
{
	struct ended e = { 0 };
	struct flow_table *ft = flow_table_create(100, &test_to, 1, on_end, &e);
	struct ew_packet p;
	enum flow_dir d;
	struct flow *f;

	(void)state;
	p = pkt4(EW_IPPROTO_TCP, CAM, 40000, CLOUD, 1883, EW_TH_SYN, 0);
	flow_table_packet(ft, &p, &d);
	p = pkt4(EW_IPPROTO_TCP, CLOUD, 1883, CAM, 40000, EW_TH_SYN | EW_TH_ACK, 1);
	flow_table_packet(ft, &p, &d);
	p = pkt4(EW_IPPROTO_TCP, CAM, 40000, CLOUD, 1883, EW_TH_FIN | EW_TH_ACK, 2);
	flow_table_packet(ft, &p, &d);
	p = pkt4(EW_IPPROTO_TCP, CLOUD, 1883, CAM, 40000, EW_TH_FIN | EW_TH_ACK, 3);
	f = flow_table_packet(ft, &p, &d);
	assert_int_equal(f->tcp_close & (FLOW_TCP_FIN_TOSERVER | FLOW_TCP_FIN_TOCLIENT),
			 FLOW_TCP_FIN_TOSERVER | FLOW_TCP_FIN_TOCLIENT);
	/* Closed: the 10 s closed timeout applies, not 600 s. */
	flow_table_expire(ft, 10 * SEC + 3);
	assert_int_equal(e.count, 0);
	/* The same 5-tuple reused by a new SYN ends the old flow at once. */
	p = pkt4(EW_IPPROTO_TCP, CAM, 40000, CLOUD, 1883, EW_TH_SYN, 5 * SEC);
	f = flow_table_packet(ft, &p, &d);
	assert_int_equal(e.by_reason[FLOW_END_REUSED], 1);
	assert_int_equal(e.last.pkts[0] + e.last.pkts[1], 4);
	assert_int_equal(f->pkts[FLOW_TOSERVER], 1);
	assert_int_equal(f->first_ts, 5 * SEC);
	/* An RST closes too. */
	p = pkt4(EW_IPPROTO_TCP, CLOUD, 1883, CAM, 40000, EW_TH_RST, 5 * SEC + 1);
	flow_table_packet(ft, &p, &d);
	flow_table_expire(ft, 15 * SEC + 2);
	assert_int_equal(e.by_reason[FLOW_END_TIMEOUT], 1);
	flow_table_destroy(ft);
}

/* Echo request and reply are one ICMP flow. */
static void test_icmp_one_flow(void **state)
{
	struct ended e = { 0 };
	struct flow_table *ft = flow_table_create(100, &test_to, 1, on_end, &e);
	struct ew_packet p;
	enum flow_dir d;
	struct flow *f;

	(void)state;
	p = pkt4(EW_IPPROTO_ICMP, CAM, 0, CLOUD, 0, 0, 0);
	p.icmp_type = 8;
	f = flow_table_packet(ft, &p, &d);
	p = pkt4(EW_IPPROTO_ICMP, CLOUD, 0, CAM, 0, 0, 1);
	p.icmp_type = 0;
	assert_ptr_equal(flow_table_packet(ft, &p, &d), f);
	assert_int_equal(d, FLOW_TOCLIENT);
	assert_int_equal(flow_table_stats(ft)->created, 1);
	flow_table_destroy(ft);
}

/*
 * A flood of 10,000 new flows through a table capped at 1,000: the table
 * never grows past 1,000, 9,000 flows are evicted, and the victims are
 * always the oldest idle ones (so flow i is evicted by flow i + 1000).
 */
static void test_flood_eviction(void **state)
{
	struct ended e = { 0 };
	struct flow_table *ft = flow_table_create(1000, &test_to, 99, on_end, &e);
	enum flow_dir d;

	(void)state;
	for (uint32_t i = 0; i < 10000; i++) {
		struct ew_packet p = pkt4(EW_IPPROTO_UDP, 0x0a000000U + i, 1024, CLOUD, 53, 0,
					  (ew_usec_t)i);
		assert_non_null(flow_table_packet(ft, &p, &d));
		assert_true(flow_table_stats(ft)->active <= 1000);
		if (i == 1000) {
			/* The 1001st flow evicted the first: 10.0.0.0. */
			assert_int_equal(e.count, 1);
			assert_int_equal(e.first_ip_last_octet[0], 0);
		}
	}
	assert_int_equal(flow_table_stats(ft)->active, 1000);
	assert_int_equal(flow_table_stats(ft)->peak_active, 1000);
	assert_int_equal(e.by_reason[FLOW_END_EVICTED], 9000);
	/* The survivors are the newest: the last evicted was 10.0.35.39 (i = 8999). */
	assert_int_equal(e.last.key.addr[e.last.client_side][14], 8999 >> 8);
	assert_int_equal(e.last.key.addr[e.last.client_side][15], 8999 & 0xff);
	flow_table_flush(ft);
	assert_int_equal(e.by_reason[FLOW_END_SHUTDOWN], 1000);
	flow_table_destroy(ft);
}

/* Shutdown ends flows oldest first, whatever their class. */
static void test_flush_order(void **state)
{
	struct ended e = { 0 };
	struct flow_table *ft = flow_table_create(100, &test_to, 3, on_end, &e);
	struct ew_packet p;
	enum flow_dir d;

	(void)state;
	p = pkt4(EW_IPPROTO_UDP, 0x0a000002U, 1, CLOUD, 53, 0, 2); /* .2 at t=2 */
	flow_table_packet(ft, &p, &d);
	p = pkt4(EW_IPPROTO_TCP, 0x0a000001U, 1, CLOUD, 80, EW_TH_SYN, 1); /* .1 at t=1 */
	flow_table_packet(ft, &p, &d);
	p = pkt4(EW_IPPROTO_ICMP, 0x0a000003U, 0, CLOUD, 0, 0, 3); /* .3 at t=3 */
	flow_table_packet(ft, &p, &d);
	flow_table_flush(ft);
	assert_int_equal(e.nfirst, 3);
	assert_int_equal(e.first_ip_last_octet[0], 1);
	assert_int_equal(e.first_ip_last_octet[1], 2);
	assert_int_equal(e.first_ip_last_octet[2], 3);
	flow_table_destroy(ft);
}

static void test_flow_id(void **state)
{
	struct ew_packet a = pkt4(EW_IPPROTO_TCP, CAM, 40000, CLOUD, 443, 0, 0);
	struct ew_packet b = pkt4(EW_IPPROTO_TCP, CLOUD, 443, CAM, 40000, 0, 0);
	struct flow_key ka, kb;

	(void)state;
	flow_key_from_packet(&ka, &a);
	flow_key_from_packet(&kb, &b);
	assert_true(flow_id_of(&ka, 1234) == flow_id_of(&kb, 1234));
	assert_true(flow_id_of(&ka, 1234) != flow_id_of(&ka, 1235));
	assert_true(flow_id_of(&ka, 1234) < (1ULL << 51));
	assert_true(flow_id_of(&ka, 1234) > 0);
}

static void test_ipv6_key(void **state)
{
	struct ew_packet p = pkt4(EW_IPPROTO_UDP, 0, 546, 0, 547, 0, 0);
	uint8_t a6[16] = { 0xfe, 0x80, [15] = 1 }, b6[16] = { 0xff, 0x02, [13] = 1, [15] = 2 };
	struct flow_key k;
	char buf[EW_ADDR_STRLEN];
	int side;

	(void)state;
	ew_addr_set_v6(&p.src, a6);
	ew_addr_set_v6(&p.dst, b6);
	side = flow_key_from_packet(&k, &p);
	flow_key_addr_str(&k, side, buf, sizeof(buf));
	assert_string_equal(buf, "fe80::1");
	flow_key_addr_str(&k, 1 - side, buf, sizeof(buf));
	assert_string_equal(buf, "ff02::1:2");
}

/* IPv6 packets with IPv4-mapped addresses are not the IPv4 flow. */
static void test_mapped_v6_is_not_v4(void **state)
{
	struct ew_packet v4 = pkt4(EW_IPPROTO_UDP, CAM, 1000, CLOUD, 53, 0, 0);
	struct ew_packet v6 = v4;
	struct flow_key k4, k6;

	(void)state;
	v6.src.family = EW_AF_INET6; /* same 16 bytes: ::ffff:192.168.1.10 */
	v6.dst.family = EW_AF_INET6;
	flow_key_from_packet(&k4, &v4);
	flow_key_from_packet(&k6, &v6);
	assert_false(flow_key_equal(&k4, &k6));
	assert_true(flow_id_of(&k4, 0) != flow_id_of(&k6, 0));
}

/* Flow ids are fixed numbers, the same on every machine and run. */
static void test_flow_id_golden(void **state)
{
	struct ew_packet p = pkt4(EW_IPPROTO_TCP, CAM, 40000, CLOUD, 443, 0, 0);
	struct flow_key k;

	(void)state;
	flow_key_from_packet(&k, &p);
	assert_int_equal(flow_id_of(&k, 1772438400000000ULL), FLOW_ID_GOLDEN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_symmetric),
		cmocka_unit_test(test_tcp_handshake_direction),
		cmocka_unit_test(test_synack_first),
		cmocka_unit_test(test_udp_timeout),
		cmocka_unit_test(test_tcp_classes),
		cmocka_unit_test(test_fin_rst_and_reuse),
		cmocka_unit_test(test_icmp_one_flow),
		cmocka_unit_test(test_flood_eviction),
		cmocka_unit_test(test_flush_order),
		cmocka_unit_test(test_flow_id),
		cmocka_unit_test(test_ipv6_key),
		cmocka_unit_test(test_mapped_v6_is_not_v4),
		cmocka_unit_test(test_flow_id_golden),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
