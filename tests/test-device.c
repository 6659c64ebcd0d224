/*
 * test-device.c - the device table: new, changed and gone events, the
 * settling rule, bounded sets, eviction, and what packets and flows bind;
 * the home networks (util-cidr.c and what "inside" changes), router
 * recognition, and devices keyed by IP behind a router or in captures
 * without MACs.
 *
 * Expected events are worked out by hand from the rules in
 * device-table.h and device-observe.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device-observe.h"
#include "device-rules.h"
#include "device-table.h"
#include "output-device.h"
#include "util-cidr.h"

#define SEC EW_USEC_PER_SEC
#define MAX_SEEN 32

struct seen {
	int n;
	int total; /* events, also those past MAX_SEEN */
	enum device_event_kind kind[MAX_SEEN];
	char field[MAX_SEEN][32];
	char after[MAX_SEEN][64];
	uint8_t mac_last[MAX_SEEN];
};

static void on_event(void *ctx, const struct device *d, const struct device_change *ch)
{
	struct seen *s = ctx;

	s->total++;
	if (s->n >= MAX_SEEN)
		return;
	s->kind[s->n] = ch->kind;
	snprintf(s->field[s->n], sizeof(s->field[0]), "%s", ch->field ? ch->field : "");
	snprintf(s->after[s->n], sizeof(s->after[0]), "%s", ch->after ? ch->after : "");
	s->mac_last[s->n] = d->mac[5];
	s->n++;
}

static const uint8_t plug[6] = { 0x50, 0xc7, 0xbf, 0x00, 0x00, 0x01 };
static const uint8_t cam[6] = { 0x44, 0x19, 0xb6, 0x00, 0x00, 0x02 };

static struct ew_addr v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	struct ew_addr x;
	const uint8_t b4[4] = { a, b, c, d };

	ew_addr_set_v4(&x, b4);
	return x;
}

/* The configuration's default home networks (conf.c), and a narrower one. */
static struct ew_cidr_list home, home_10_1;

static void list_of(struct ew_cidr_list *l, const char *const *blocks)
{
	for (; *blocks != NULL; blocks++) {
		struct ew_cidr c;
		char err[96];

		assert_int_equal(ew_cidr_parse(*blocks, &c, err, sizeof(err)), 0);
		assert_int_equal(ew_cidr_list_add(l, &c), 0);
	}
}

static int lists_setup(void **state)
{
	static const char *const def[] = { "10.0.0.0/8",  "172.16.0.0/12", "192.168.0.0/16",
					   "169.254.0.0/16", "fc00::/7", "fe80::/10", NULL };
	static const char *const narrow[] = { "10.1.0.0/16", NULL };

	(void)state;
	list_of(&home, def);
	list_of(&home_10_1, narrow);
	return 0;
}

static int lists_teardown(void **state)
{
	(void)state;
	ew_cidr_list_free(&home);
	ew_cidr_list_free(&home_10_1);
	return 0;
}

static struct device_table *table(uint32_t max, uint32_t gone_s, struct seen *s)
{
	struct device_table *dt = device_table_create(max, gone_s, &home, NULL, on_event, s);

	assert_non_null(dt);
	return dt;
}

static void test_new_and_address_change(void **state)
{
	struct seen s = { 0 };
	struct device_table *dt = table(16, 3600, &s);
	struct device *d;
	struct ew_addr a1 = v4(192, 168, 1, 21), a2 = v4(192, 168, 1, 99);
	uint8_t ll[16] = { 0xfe, 0x80, [15] = 1 };
	struct ew_addr a6;

	(void)state;
	d = device_table_touch(dt, plug, 1 * SEC, true);
	assert_non_null(d);
	assert_int_equal(s.n, 0); /* not announced until told */
	device_table_bind_addr(dt, d, &a1, ADDR_FROM_ARP, 1 * SEC);
	device_table_announce(dt, d);
	device_table_announce(dt, d);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.kind[0], DEVICE_NEW);
	/* The same address again, and an IPv6 address: no event. */
	device_table_bind_addr(dt, d, &a1, ADDR_FROM_TRAFFIC, 2 * SEC);
	ew_addr_set_v6(&a6, ll);
	device_table_bind_addr(dt, d, &a6, ADDR_FROM_TRAFFIC, 2 * SEC);
	assert_int_equal(s.n, 1);
	assert_int_equal(d->naddr, 2);
	assert_int_equal(d->addr[0].last_ts, 2 * SEC);
	/* A second IPv4 address is a change. */
	device_table_bind_addr(dt, d, &a2, ADDR_FROM_DHCP, 3 * SEC);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.kind[1], DEVICE_CHANGED);
	assert_string_equal(s.field[1], "address");
	assert_string_equal(s.after[1], "192.168.1.99");
	device_table_destroy(dt);
}

/* Group MACs and the zero MAC are not devices. */
static void test_group_macs(void **state)
{
	struct seen s = { 0 };
	struct device_table *dt = table(16, 3600, &s);
	const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb };
	const uint8_t zero[6] = { 0 };
	const uint8_t local[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };

	(void)state;
	assert_null(device_table_touch(dt, bcast, 1, true));
	assert_null(device_table_touch(dt, mcast, 1, true));
	assert_null(device_table_touch(dt, zero, 1, true));
	assert_true(device_table_touch(dt, local, 1, true)->local_admin);
	assert_int_equal(device_table_stats(dt)->created, 1);
	device_table_destroy(dt);
}

/*
 * A second JA3 is a change only once the device has been watched for
 * 600 s (DEVICE_SETTLE_S); SNI values never raise events; a full set
 * counts what it drops.
 */
static void test_signals_and_settling(void **state)
{
	struct seen s = { 0 };
	struct device_table *dt = table(16, 3600, &s);
	struct device *d = device_table_touch(dt, cam, 0, true);
	char v[32];

	(void)state;
	device_table_announce(dt, d);
	device_table_signal(dt, d, SIG_TLS_JA3, "aaaa", 4, 10 * SEC);
	device_table_signal(dt, d, SIG_TLS_JA3, "bbbb", 4, 20 * SEC); /* learning */
	assert_int_equal(s.n, 1);
	device_table_signal(dt, d, SIG_TLS_JA3, "aaaa", 4, 700 * SEC); /* known value */
	assert_int_equal(s.n, 1);
	assert_int_equal(d->sig[SIG_TLS_JA3].slot[0].count, 2);
	assert_int_equal(d->sig[SIG_TLS_JA3].slot[0].last_ts, 700 * SEC);
	device_table_signal(dt, d, SIG_TLS_JA3, "cccc", 4, 700 * SEC); /* settled: change */
	assert_int_equal(s.n, 2);
	assert_string_equal(s.field[1], "tls_ja3");
	assert_string_equal(s.after[1], "cccc");
	for (int i = 0; i < DEVICE_SIGNAL_SLOTS + 3; i++) {
		snprintf(v, sizeof(v), "host%d.example", i);
		device_table_signal(dt, d, SIG_TLS_SNI, v, strlen(v), 800 * SEC);
	}
	assert_int_equal(s.n, 2);
	assert_int_equal(d->sig[SIG_TLS_SNI].n, DEVICE_SIGNAL_SLOTS);
	assert_int_equal(d->sig[SIG_TLS_SNI].dropped, 3);
	/* Values are cut at DEVICE_SIGNAL_VALUE_MAX bytes and may hold any byte. */
	{
		char big[400];
		memset(big, 'x', sizeof(big));
		big[3] = '\x01';
		device_table_signal(dt, d, SIG_DHCP_HOSTNAME, big, sizeof(big), 900 * SEC);
		assert_int_equal(strlen(d->sig[SIG_DHCP_HOSTNAME].slot[0].value),
				 DEVICE_SIGNAL_VALUE_MAX);
	}
	device_table_destroy(dt);
}

static void test_gone_and_back(void **state)
{
	struct seen s = { 0 };
	struct device_table *dt = table(16, 60, &s);
	struct device *d;

	(void)state;
	d = device_table_touch(dt, plug, 0, true);
	device_table_announce(dt, d);
	d = device_table_touch(dt, cam, 50 * SEC, true);
	device_table_announce(dt, d);
	device_table_expire(dt, 60 * SEC); /* plug idle exactly 60 s: not yet */
	assert_int_equal(s.n, 2);
	device_table_expire(dt, 60 * SEC + 1);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.kind[2], DEVICE_GONE);
	assert_int_equal(s.mac_last[2], 0x01);
	device_table_expire(dt, 70 * SEC); /* reported once */
	assert_int_equal(s.n, 3);
	device_table_touch(dt, plug, 80 * SEC, false);
	assert_int_equal(s.n, 4);
	assert_int_equal(s.kind[3], DEVICE_CHANGED);
	assert_string_equal(s.field[3], "presence");
	assert_int_equal(device_table_stats(dt)->gone, 1);
	device_table_destroy(dt);
}

/* A full table forgets the device unseen the longest. */
static void test_eviction(void **state)
{
	struct seen s = { 0 };
	struct device_table *dt = table(4, 0, &s);
	uint8_t mac[6] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0 };

	(void)state;
	for (uint8_t i = 0; i < 10; i++) {
		mac[5] = i;
		assert_non_null(device_table_touch(dt, mac, (ew_usec_t)i * SEC, true));
		mac[5] = 0; /* device 0 keeps talking: never the victim */
		device_table_touch(dt, mac, (ew_usec_t)i * SEC, false);
	}
	assert_int_equal(device_table_stats(dt)->active, 4);
	assert_int_equal(device_table_stats(dt)->evicted, 6);
	mac[5] = 0;
	assert_non_null(device_table_find(dt, mac));
	mac[5] = 9;
	assert_non_null(device_table_find(dt, mac));
	mac[5] = 5;
	assert_null(device_table_find(dt, mac));
	device_table_destroy(dt);
}

/* The default home networks hold exactly the private and link-local ranges. */
static void test_local_addresses(void **state)
{
	struct seen s = { 0 };
	struct device_table *dt = table(16, 0, &s);
	struct ew_addr a;
	uint8_t g6[16] = { 0x20, 0x01, 0x0d, 0xb8 }, ula[16] = { 0xfd, 0x12 };
	uint8_t ll[16] = { 0xfe, 0xbf, [15] = 1 }, past_ll[16] = { 0xfe, 0xc0, [15] = 1 };

	(void)state;
	a = v4(10, 1, 2, 3);
	assert_true(device_table_is_home(dt, &a));
	a = v4(172, 31, 255, 255); /* last of 172.16.0.0/12 */
	assert_true(device_table_is_home(dt, &a));
	a = v4(172, 32, 0, 0); /* first past it */
	assert_false(device_table_is_home(dt, &a));
	a = v4(172, 15, 255, 255);
	assert_false(device_table_is_home(dt, &a));
	a = v4(192, 168, 0, 1);
	assert_true(device_table_is_home(dt, &a));
	a = v4(192, 169, 0, 1);
	assert_false(device_table_is_home(dt, &a));
	a = v4(169, 254, 9, 9);
	assert_true(device_table_is_home(dt, &a));
	a = v4(8, 8, 8, 8);
	assert_false(device_table_is_home(dt, &a));
	ew_addr_set_v6(&a, g6);
	assert_false(device_table_is_home(dt, &a));
	ew_addr_set_v6(&a, ula);
	assert_true(device_table_is_home(dt, &a));
	ew_addr_set_v6(&a, ll); /* fe80::/10 runs to febf:... */
	assert_true(device_table_is_home(dt, &a));
	ew_addr_set_v6(&a, past_ll);
	assert_false(device_table_is_home(dt, &a));
	device_table_destroy(dt);
}

/* An IP packet from src (with src_mac when mac is given) at ts seconds. */
static struct ew_packet ip_pkt(const uint8_t *mac, struct ew_addr src, uint64_t ts_s)
{
	struct ew_packet p;

	memset(&p, 0, sizeof(p));
	p.kind = EW_PKT_IP;
	p.has_mac = mac != NULL;
	if (mac != NULL)
		memcpy(p.src_mac, mac, 6);
	p.src = src;
	p.dst = v4(192, 0, 2, 99);
	p.l4_proto = EW_IPPROTO_UDP;
	p.wirelen = 100;
	p.ts_us = ts_s * SEC;
	return p;
}

static void observe_from(struct device_table *dt, const uint8_t *mac, struct ew_addr src,
			 uint64_t ts_s)
{
	struct ew_packet p = ip_pkt(mac, src, ts_s);

	device_observe_packet(dt, &p);
}

/* An ARP reply from mac claiming ip: binds it as mac's own. */
static void observe_arp_from(struct device_table *dt, const uint8_t mac[6], struct ew_addr ip,
			     uint64_t ts_s)
{
	struct ew_packet p;

	memset(&p, 0, sizeof(p));
	p.kind = EW_PKT_ARP;
	p.has_mac = true;
	memcpy(p.src_mac, mac, 6);
	p.arp.op = 2;
	memcpy(p.arp.sha, mac, 6);
	memcpy(p.arp.spa, ip.bytes + 12, 4);
	p.wirelen = 60;
	p.ts_us = ts_s * SEC;
	device_observe_packet(dt, &p);
}

static const uint8_t gw[6] = { 0x9c, 0x3d, 0xcf, 0, 0, 1 };

/*
 * A router's MAC behind internet addresses owns none of them.  Three
 * distinct ones are still what a host's own IPv6 addresses could be
 * (device-table.h); the fourth makes it a router: routed_pkts is then
 * the 4 packets counted so far, and the next outside packet adds one.
 */
static void test_router_not_owner(void **state)
{
	struct seen s = { 0 };
	struct device_table *dt = table(16, 0, &s);
	struct device *d;
	struct device_class c;

	(void)state;
	for (uint8_t i = 1; i <= 3; i++)
		observe_from(dt, gw, v4(52, 89, 0, i), 5);
	observe_from(dt, gw, v4(52, 89, 0, 1), 5); /* the same address again: not a new one */
	d = device_table_find(dt, gw);
	assert_non_null(d);
	assert_int_equal(d->naddr, 0);
	assert_int_equal(d->outside_srcs, 3);
	assert_int_equal(d->routed_pkts, 0);
	assert_string_equal(d->class_name, "");
	observe_from(dt, gw, v4(52, 89, 0, 4), 6);
	assert_int_equal(d->outside_srcs, 4);
	assert_int_equal(d->routed_pkts, 5); /* 3 + 1 repeat + 1 */
	assert_int_equal(d->naddr, 0);
	observe_from(dt, gw, v4(52, 89, 0, 4), 7);
	assert_int_equal(d->routed_pkts, 6);
	assert_int_equal(device_table_stats(dt)->routers, 1);
	/* Classified by that evidence alone: no classifier, no rules. */
	assert_string_equal(d->class_name, "router");
	assert_int_equal(d->class_confidence, 80);
	device_rules_classify(NULL, d, &c);
	assert_string_equal(c.class_name, "router");
	assert_int_equal(c.confidence, 80); /* round(80 * 80 / (80 + 0)) */
	assert_int_equal(c.nevidence, 1);
	assert_string_equal(c.evidence[0].rule_id, "builtin-router");
	assert_string_equal(c.evidence[0].what, "routes_traffic");
	assert_string_equal(c.evidence[0].value,
			    "forwards traffic from 4 addresses outside the home networks");
	assert_int_equal(s.n, 1); /* announced once, no class-change event while learning */
	/* The plug, which has not sent anything, is not created by being a destination. */
	assert_null(device_table_find(dt, plug));
	device_table_destroy(dt);
}

/*
 * A routed segment: one router MAC carries 5 inside hosts (10.1.0.11 to
 * .15) and 4 internet addresses; its own 10.1.0.1 is bound by ARP.
 * Order (seconds):           inside  outside  routed_pkts
 *   1 ARP 10.1.0.1 (own)        0       0         0
 *   2 10.1.0.11, 3 10.1.0.12    2       0         0
 *   4..7 198.51.100.1..4        2       4         6  <- the 4th: a router; .11 and .12
 *                                                       move to IP-keyed devices
 *   8,9,10 10.1.0.13..15        5       4         9
 *   11 10.1.0.1 (own)           5       4         9  (its own: not counted)
 *   12 10.1.0.11 again          5       4        10
 * Expected by hand: 6 devices, the router keyed by MAC holding only
 * 10.1.0.1, and 5 keyed by IP, one address each; 6 "new" events.
 */
static void test_routed_segment(void **state)
{
	struct seen s = { 0 };
	struct device_table *dt = table(16, 0, &s);
	struct device *r, *h;

	(void)state;
	observe_arp_from(dt, gw, v4(10, 1, 0, 1), 1);
	observe_from(dt, gw, v4(10, 1, 0, 11), 2);
	observe_from(dt, gw, v4(10, 1, 0, 12), 3);
	r = device_table_find(dt, gw);
	/* Second IPv4 addresses from traffic alone are evidence, not bindings (no event). */
	assert_int_equal(r->naddr, 1);
	assert_int_equal(r->inside_srcs, 2);
	assert_int_equal(s.n, 1);
	for (uint8_t i = 1; i <= 4; i++)
		observe_from(dt, gw, v4(198, 51, 100, i), 3 + i);
	assert_int_equal(r->routed_pkts, 6);
	for (uint8_t i = 13; i <= 15; i++)
		observe_from(dt, gw, v4(10, 1, 0, i), i - 5);
	observe_from(dt, gw, v4(10, 1, 0, 1), 11);
	observe_from(dt, gw, v4(10, 1, 0, 11), 12);

	assert_int_equal(device_table_stats(dt)->active, 6);
	assert_int_equal(device_table_stats(dt)->ip_keyed, 5);
	assert_int_equal(device_table_stats(dt)->routers, 1);
	assert_int_equal(r->key_kind, DEVICE_KEY_MAC);
	assert_int_equal(r->routed_pkts, 10);
	assert_int_equal(r->inside_srcs, 5);
	assert_int_equal(r->outside_srcs, 4);
	assert_int_equal(r->naddr, 1);
	assert_memory_equal(r->addr[0].addr.bytes + 12, "\x0a\x01\x00\x01", 4);
	assert_true(r->addr[0].owned);
	assert_string_equal(r->class_name, "router");
	for (uint8_t i = 11; i <= 15; i++) {
		struct ew_addr a = v4(10, 1, 0, i);

		h = device_table_find_ip(dt, &a);
		assert_non_null(h);
		assert_int_equal(h->key_kind, DEVICE_KEY_IP);
		assert_memory_equal(h->mac, "\0\0\0\0\0\0", 6);
		assert_int_equal(h->naddr, 1);
		assert_memory_equal(h->addr[0].addr.bytes, a.bytes, 16);
		assert_int_equal(h->routed_pkts, 0);
	}
	/* The moved hosts keep the time they were first seen behind the MAC. */
	{
		struct ew_addr a = v4(10, 1, 0, 11);

		h = device_table_find_ip(dt, &a);
		assert_int_equal(h->first_ts, 2 * SEC);
		assert_int_equal(h->last_ts, 12 * SEC);
	}
	assert_int_equal(s.n, 6);
	for (int i = 0; i < s.n; i++)
		assert_int_equal(s.kind[i], DEVICE_NEW);
	assert_int_equal(s.mac_last[0], 0x01); /* the router first; IP devices have a zero MAC */
	/* An internet address is nobody's device. */
	{
		struct ew_addr a = v4(198, 51, 100, 1);
		assert_null(device_table_find_ip(dt, &a));
	}
	device_table_destroy(dt);
}

/*
 * Without outside traffic: four unclaimed inside sources are what one
 * host may show (IPv4, link-local, two ULAs); the fifth makes a router.
 */
static void test_router_by_inside_sources(void **state)
{
	struct seen s = { 0 };
	struct device_table *dt = table(16, 0, &s);
	struct device *r;
	char why[96];

	(void)state;
	for (uint8_t i = 1; i <= 4; i++)
		observe_from(dt, gw, v4(192, 168, 7, i), i);
	r = device_table_find(dt, gw);
	assert_int_equal(r->routed_pkts, 0);
	assert_int_equal(r->naddr, 1); /* .1 from traffic; .2 to .4 only counted */
	assert_int_equal(r->inside_srcs, 4);
	device_router_evidence(r, why, sizeof(why));
	assert_string_equal(why, "");
	/* An ARP for one of them makes it the MAC's own: 3 unclaimed, then 4 with .5. */
	observe_arp_from(dt, gw, v4(192, 168, 7, 1), 5);
	assert_int_equal(r->inside_srcs, 3);
	observe_from(dt, gw, v4(192, 168, 7, 5), 6);
	assert_int_equal(r->routed_pkts, 0);
	observe_from(dt, gw, v4(192, 168, 7, 6), 7);
	assert_int_equal(r->inside_srcs, 5);
	assert_int_equal(r->routed_pkts, 6); /* .1 to .6, a packet each, all counted as foreign */
	assert_int_equal(r->naddr, 1);   /* .1, its own by ARP */
	assert_int_equal(device_table_stats(dt)->ip_keyed, 5);
	device_router_evidence(r, why, sizeof(why));
	assert_string_equal(why, "sends from 5 addresses inside the home networks that are not its own");
	device_table_destroy(dt);
}

/*
 * A capture without MACs (raw IP, BSD loopback): inside senders are
 * devices keyed by IP; outside, unspecified and multicast ones are not.
 */
static void test_raw_ip_capture(void **state)
{
	struct seen s = { 0 };
	struct device_table *dt = table(16, 0, &s);
	uint8_t ula[16] = { 0xfd, 0x00, [15] = 0x20 }, mc[16] = { 0xff, 0x02, [15] = 0xfb };
	struct ew_addr a6, m6, a = v4(192, 168, 1, 20);
	struct flow f;
	struct ew_packet p;
	struct device *d;

	(void)state;
	observe_from(dt, NULL, v4(192, 168, 1, 20), 1);
	observe_from(dt, NULL, v4(192, 168, 1, 20), 2);
	observe_from(dt, NULL, v4(203, 0, 113, 5), 3);
	observe_from(dt, NULL, v4(0, 0, 0, 0), 4);
	observe_from(dt, NULL, v4(224, 0, 0, 251), 4);
	ew_addr_set_v6(&a6, ula);
	ew_addr_set_v6(&m6, mc);
	observe_from(dt, NULL, a6, 5);
	observe_from(dt, NULL, m6, 5);
	assert_int_equal(device_table_stats(dt)->active, 2);
	assert_int_equal(device_table_stats(dt)->ip_keyed, 2);
	assert_int_equal(s.n, 2);
	d = device_table_find_ip(dt, &a);
	assert_non_null(d);
	assert_int_equal(d->first_ts, 1 * SEC);
	assert_int_equal(d->last_ts, 2 * SEC);
	assert_int_equal(d->naddr, 1);
	assert_non_null(device_table_find_ip(dt, &a6));
	/* Without a MAC, a flow's first packet is still wanted by the device stage. */
	memset(&f, 0, sizeof(f));
	f.pkts[FLOW_TOSERVER] = 1;
	p = ip_pkt(NULL, a, 6);
	assert_true(device_packet_wanted(&f, &p, FLOW_TOSERVER));
	/* An ended flow from it is counted to it: client 192.168.1.20 -> 203.0.113.5. */
	f.key.family = EW_AF_INET;
	memcpy(f.key.addr[0], a.bytes, 16);
	f.key.addr[1][10] = f.key.addr[1][11] = 0xff;
	f.key.addr[1][12] = 203, f.key.addr[1][13] = 0, f.key.addr[1][14] = 113, f.key.addr[1][15] = 5;
	f.key.proto = EW_IPPROTO_UDP;
	f.client_side = 0;
	f.pkts[FLOW_TOSERVER] = 3;
	f.pkts[FLOW_TOCLIENT] = 2;
	f.bytes[FLOW_TOSERVER] = 300;
	f.last_ts = 9 * SEC;
	device_observe_flow(dt, &f, "unknown");
	assert_int_equal(d->flows_out, 1);
	assert_int_equal(d->pkts_out, 3);
	assert_int_equal(d->bytes_out, 300);
	assert_int_equal(d->pkts_in, 2);
	assert_int_equal(d->last_ts, 9 * SEC);
	device_table_destroy(dt);
}

/* home_networks of only 10.1.0.0/16: 192.168.1.50 is no longer local. */
static void test_custom_home_networks(void **state)
{
	struct seen s = { 0 };
	struct device_table *dt = device_table_create(16, 0, &home_10_1, NULL, on_event, &s);
	struct ew_addr in = v4(10, 1, 2, 3), out = v4(192, 168, 1, 50), past = v4(10, 2, 0, 1);
	struct device *d;

	(void)state;
	assert_true(device_table_is_home(dt, &in));
	assert_false(device_table_is_home(dt, &out));
	assert_false(device_table_is_home(dt, &past));
	/* A host sending from it is not bound to it, and the address counts as outside. */
	observe_from(dt, plug, out, 1);
	d = device_table_find(dt, plug);
	assert_int_equal(d->naddr, 0);
	assert_int_equal(d->outside_srcs, 1);
	observe_from(dt, plug, in, 2);
	assert_int_equal(d->naddr, 1);
	assert_int_equal(d->inside_srcs, 1);
	/* Without a MAC, only 10.1.2.3 becomes a device. */
	observe_from(dt, NULL, out, 3);
	observe_from(dt, NULL, in, 3);
	assert_null(device_table_find_ip(dt, &out));
	assert_non_null(device_table_find_ip(dt, &in));
	assert_int_equal(device_table_stats(dt)->active, 2);
	device_table_destroy(dt);
	/* No home networks at all: nothing is inside, nothing is keyed by IP. */
	dt = device_table_create(16, 0, NULL, NULL, on_event, &s);
	observe_from(dt, NULL, in, 1);
	assert_int_equal(device_table_stats(dt)->active, 0);
	device_table_destroy(dt);
}

/*
 * A table of 2: the router and one host behind it fill it; moving the
 * second host evicts the first host (unseen the longest after the
 * router is skipped), never the router its caller still holds.
 */
static void test_router_never_evicted_under_caller(void **state)
{
	struct seen s = { 0 };
	struct device_table *dt = device_table_create(2, 0, &home, NULL, on_event, &s);
	struct ew_addr h1 = v4(10, 0, 0, 11), h2 = v4(10, 0, 0, 12), h3 = v4(10, 0, 0, 13);

	(void)state;
	observe_from(dt, gw, h1, 1);
	observe_from(dt, gw, h2, 2);
	for (uint8_t i = 1; i <= 4; i++)
		observe_from(dt, gw, v4(198, 51, 100, i), 2 + i);
	/* At the 4th: h1 moved (table: router, h1), then h2 evicted h1. */
	assert_non_null(device_table_find(dt, gw));
	assert_int_equal(device_table_stats(dt)->active, 2);
	assert_int_equal(device_table_stats(dt)->evicted, 1);
	assert_null(device_table_find_ip(dt, &h1));
	assert_non_null(device_table_find_ip(dt, &h2));
	observe_from(dt, gw, h3, 7);
	assert_non_null(device_table_find(dt, gw));
	assert_non_null(device_table_find_ip(dt, &h3));
	assert_int_equal(device_table_stats(dt)->evicted, 2);
	device_table_destroy(dt);
}

/*
 * A flood of spoofed inside sources behind a router: new IP-keyed devices
 * are rate-limited (DEVICE_IP_NEW_BURST 256 at once, then 64 a minute).
 * The router is recognised by 4 outside addresses at 1..4 s (no inside
 * source yet), then 1000 distinct 10.2.x.y sources at 10 s: 256 become
 * devices, 744 are refused.  60 s later a token has come back every
 * 60/64 s = 0.9375 s: 64 more of 100 new sources, 36 refused.  Known
 * hosts are refreshed whatever the bucket holds.
 */
static void test_ip_device_rate(void **state)
{
	struct seen s = { 0 };
	struct device_table *dt = table(4096, 0, &s);
	struct ew_addr first = v4(10, 2, 0, 0);

	(void)state;
	for (uint8_t i = 1; i <= 4; i++)
		observe_from(dt, gw, v4(198, 51, 100, i), i);
	for (int i = 0; i < 1000; i++)
		observe_from(dt, gw, v4(10, 2, (uint8_t)(i >> 8), (uint8_t)i), 10);
	assert_int_equal(device_table_stats(dt)->ip_keyed, 256);
	assert_int_equal(device_table_stats(dt)->ip_refused, 744);
	for (int i = 0; i < 100; i++)
		observe_from(dt, gw, v4(10, 3, 0, (uint8_t)i), 70);
	assert_int_equal(device_table_stats(dt)->ip_keyed, 256 + 64);
	assert_int_equal(device_table_stats(dt)->ip_refused, 744 + 36);
	observe_from(dt, gw, first, 71); /* the first host again: known, refreshed */
	assert_int_equal(device_table_find_ip(dt, &first)->last_ts, 71 * SEC);
	assert_int_equal(device_table_stats(dt)->ip_refused, 780);
	assert_int_equal(s.total, 1 + 256 + 64); /* the router, then one "new" per device */
	device_table_destroy(dt);
}

/*
 * Ended flows behind a router count to the IP-keyed host, and a flow to
 * the router's own address counts to the router.
 */
static void test_flow_behind_router(void **state)
{
	struct seen s = { 0 };
	struct device_table *dt = table(16, 0, &s);
	struct ew_addr h = v4(10, 1, 0, 11), own = v4(10, 1, 0, 1);
	struct device *r, *d;
	struct flow f;

	(void)state;
	observe_arp_from(dt, gw, own, 1);
	for (uint8_t i = 1; i <= 4; i++)
		observe_from(dt, gw, v4(198, 51, 100, i), 1 + i);
	observe_from(dt, gw, h, 6);
	r = device_table_find(dt, gw);
	d = device_table_find_ip(dt, &h);
	assert_non_null(d);
	memset(&f, 0, sizeof(f));
	f.key.family = EW_AF_INET;
	f.key.proto = EW_IPPROTO_TCP;
	memcpy(f.key.addr[0], h.bytes, 16);
	memcpy(f.key.addr[1], own.bytes, 16);
	f.key.port[1] = 80;
	f.client_side = 0;
	f.has_mac = 3;
	memcpy(f.mac[FLOW_TOSERVER], gw, 6);
	memcpy(f.mac[FLOW_TOCLIENT], gw, 6);
	f.pkts[FLOW_TOSERVER] = 4;
	f.pkts[FLOW_TOCLIENT] = 5;
	f.tcp_flags[FLOW_TOCLIENT] = EW_TH_SYN | EW_TH_ACK;
	f.last_ts = 8 * SEC;
	device_observe_flow(dt, &f, "http");
	assert_int_equal(d->flows_out, 1);
	assert_int_equal(d->pkts_out, 4);
	assert_int_equal(r->flows_out, 0);
	assert_int_equal(r->flows_in, 1); /* served tcp/80 on its own address */
	assert_int_equal(r->sig[SIG_SERVICE_PORT].n, 1);
	assert_string_equal(r->sig[SIG_SERVICE_PORT].slot[0].value, "tcp/80");
	assert_int_equal(d->sig[SIG_APP_PROTO].n, 1);
	device_table_destroy(dt);
}

/* Neighbour advertisements bind their target; short or forwarded ones do not. */
static void test_ndp_binding(void **state)
{
	struct seen s = { 0 };
	struct device_table *dt = table(16, 0, &s);
	uint8_t target[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x42 };
	uint8_t ll[16] = { 0xfe, 0x80, [15] = 2 };
	struct ew_packet p;
	struct device *d;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.kind = EW_PKT_IP;
	p.has_mac = true;
	memcpy(p.src_mac, cam, 6);
	ew_addr_set_v6(&p.src, ll);
	ew_addr_set_v6(&p.dst, ll);
	p.l4_proto = EW_IPPROTO_ICMPV6;
	p.icmp_type = 136;
	p.ttl = 255;
	p.payload = target;
	p.payload_len = 8; /* too short to hold the target */
	device_observe_packet(dt, &p);
	d = device_table_find(dt, cam);
	assert_int_equal(d->naddr, 1); /* the link-local source only */
	p.payload_len = 16;
	p.ttl = 64; /* forwarded: NDP never is */
	device_observe_packet(dt, &p);
	assert_int_equal(d->naddr, 1);
	p.ttl = 255;
	device_observe_packet(dt, &p);
	assert_int_equal(d->naddr, 2);
	assert_int_equal(d->addr[1].source, ADDR_FROM_NDP);
	assert_memory_equal(d->addr[1].addr.bytes, target, 16);
	device_table_destroy(dt);
}

/*
 * A hand-made ended TCP flow between the camera (192.168.1.20, MAC cam)
 * and peer: the camera opens it to port when cam_client, else the peer
 * opens it to the camera's port; answered says whether the server's
 * SYN+ACK was seen.
 */
static void cam_flow(struct device_table *dt, bool cam_client, struct ew_addr peer,
		     uint16_t port, bool answered, char *user_agent, uint64_t ts_s)
{
	struct ew_addr me = v4(192, 168, 1, 20);
	struct flow f;

	memset(&f, 0, sizeof(f));
	f.key.family = EW_AF_INET;
	f.key.proto = EW_IPPROTO_TCP;
	memcpy(f.key.addr[0], cam_client ? me.bytes : peer.bytes, 16);
	memcpy(f.key.addr[1], cam_client ? peer.bytes : me.bytes, 16);
	f.key.port[0] = 40000;
	f.key.port[1] = port;
	f.client_side = 0;
	f.has_mac = cam_client ? 1 : 2; /* bit per direction: only the camera's side */
	memcpy(f.mac[cam_client ? FLOW_TOSERVER : FLOW_TOCLIENT], cam, 6);
	f.pkts[FLOW_TOSERVER] = 3;
	f.pkts[FLOW_TOCLIENT] = 2;
	f.tcp_flags[FLOW_TOCLIENT] = answered ? (EW_TH_SYN | EW_TH_ACK) : (EW_TH_RST | EW_TH_ACK);
	f.user_agent = user_agent; /* not owned by the table: read during the call only */
	f.last_ts = ts_s * SEC;
	device_observe_flow(dt, &f, "http");
}

/* The `change` member of the event the table last raised for the camera. */
static const char *change_json(struct json_buf *jb, struct device_table *dt,
			       const struct seen *s, int sig_kind)
{
	struct device_change ch = { DEVICE_CHANGED, 1, s->field[s->n - 1], sig_kind,
				    s->after[s->n - 1], NULL };
	const char *c;

	assert_int_equal(output_device_event(jb, device_table_find(dt, cam), &ch), 0);
	c = strstr(jb->data, "\"change\":");
	assert_non_null(c);
	return c;
}

/*
 * Firmware changes (issue 7): a User-Agent or an offered service first
 * seen after the device settled (600 s) is a `changed` event marked as a
 * probable firmware change, like a new JA3 or DHCP option 55 list.  A
 * device that shows two User-Agents and two services in its first
 * minutes (its repertoire: a phone's browser and its apps) raises
 * nothing for them, nor for seeing them again later.  Connections the
 * camera refused (RST) offer no service.
 */
static void test_firmware_change_by_flows(void **state)
{
	struct seen s = { 0 };
	struct device_table *dt = table(16, 3600, &s);
	struct ew_addr cloud = v4(203, 0, 113, 5), phone = v4(192, 168, 1, 50);
	struct device *d;
	struct json_buf jb;
	char ua1[] = "CamOS/1.0", ua_upd[] = "CamOS-updater/1.0", ua2[] = "CamOS/2.0";

	(void)state;
	observe_arp_from(dt, cam, v4(192, 168, 1, 20), 1); /* first seen at 1 s */
	d = device_table_find(dt, cam);
	assert_non_null(d);
	device_table_announce(dt, d);
	assert_int_equal(s.n, 1); /* new */
	/* Learning: 10 s and 20 s are before 1 + 600 = 601 s. */
	cam_flow(dt, true, cloud, 80, true, ua1, 10);
	cam_flow(dt, true, cloud, 80, true, ua_upd, 20);
	cam_flow(dt, false, phone, 80, true, NULL, 30);
	cam_flow(dt, false, phone, 554, true, NULL, 40);
	assert_int_equal(s.n, 1);
	assert_int_equal(d->sig[SIG_HTTP_USER_AGENT].n, 2);
	assert_int_equal(d->sig[SIG_SERVICE_PORT].n, 2);
	/* Settled (700 s >= 601 s), but only values already known: no flapping. */
	cam_flow(dt, true, cloud, 80, true, ua_upd, 700);
	cam_flow(dt, true, cloud, 80, true, ua1, 701);
	cam_flow(dt, false, phone, 554, true, NULL, 702);
	cam_flow(dt, false, phone, 80, true, NULL, 703);
	/* Refused (RST): not a service, not a change. */
	cam_flow(dt, false, phone, 8080, false, NULL, 704);
	assert_int_equal(s.n, 1);
	assert_int_equal(d->sig[SIG_SERVICE_PORT].n, 2);
	/* A new User-Agent after settling: a change, the two known ones before. */
	cam_flow(dt, true, cloud, 80, true, ua2, 800);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.kind[1], DEVICE_CHANGED);
	assert_string_equal(s.field[1], "http_user_agent");
	assert_string_equal(s.after[1], "CamOS/2.0");
	json_init(&jb);
	assert_string_equal(change_json(&jb, dt, &s, SIG_HTTP_USER_AGENT),
			    "\"change\":{\"field\":\"http_user_agent\","
			    "\"before\":[\"CamOS/1.0\",\"CamOS-updater/1.0\"],"
			    "\"after\":\"CamOS/2.0\",\"probable_firmware_change\":true},"
			    "\"first_seen\":\"1970-01-01T00:00:01.000000+0000\","
			    "\"last_seen\":\"1970-01-01T00:13:20.000000+0000\"}");
	/* A new service after settling (telnet opened by new firmware): a change. */
	cam_flow(dt, false, phone, 23, true, NULL, 900);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.field[2], "service_port");
	assert_string_equal(s.after[2], "tcp/23");
	assert_non_null(strstr(change_json(&jb, dt, &s, SIG_SERVICE_PORT),
			       "\"change\":{\"field\":\"service_port\","
			       "\"before\":[\"tcp/80\",\"tcp/554\"],\"after\":\"tcp/23\","
			       "\"probable_firmware_change\":true}"));
	/* A JA3 and an option 55 list are firmware kinds too; a hostname is not. */
	device_table_signal(dt, d, SIG_TLS_JA3, "aaaa", 4, 910 * SEC);  /* first: learning */
	device_table_signal(dt, d, SIG_TLS_JA3, "bbbb", 4, 920 * SEC);  /* change */
	device_table_signal(dt, d, SIG_DHCP_PRL, "1,3,6", 5, 930 * SEC);
	device_table_signal(dt, d, SIG_DHCP_PRL, "1,3,6,15", 8, 940 * SEC); /* change */
	assert_int_equal(s.n, 5);
	assert_string_equal(s.field[4], "dhcp_fingerprint");
	assert_non_null(strstr(change_json(&jb, dt, &s, SIG_DHCP_PRL),
			       "\"before\":[\"1,3,6\"],\"after\":\"1,3,6,15\","
			       "\"probable_firmware_change\":true}"));
	device_table_signal(dt, d, SIG_DHCP_HOSTNAME, "cam", 3, 950 * SEC);
	device_table_signal(dt, d, SIG_DHCP_HOSTNAME, "cam-2", 5, 960 * SEC);
	assert_int_equal(s.n, 6);
	assert_string_equal(s.field[5], "dhcp_hostname");
	assert_null(strstr(change_json(&jb, dt, &s, SIG_DHCP_HOSTNAME), "firmware"));
	/* A new MUD URL: makers version the usage description with the firmware. */
	device_table_signal(dt, d, SIG_MUD_URL, "https://mud.example.com/cam-1.2", 31,
			    970 * SEC);
	device_table_signal(dt, d, SIG_MUD_URL, "https://mud.example.com/cam-1.3", 31,
			    980 * SEC);
	assert_int_equal(s.n, 7);
	assert_string_equal(s.field[6], "mud_url");
	assert_non_null(strstr(change_json(&jb, dt, &s, SIG_MUD_URL),
			       "\"before\":[\"https://mud.example.com/cam-1.2\"],"
			       "\"after\":\"https://mud.example.com/cam-1.3\","
			       "\"probable_firmware_change\":true}"));
	assert_true(device_signal_is_firmware(SIG_TLS_JA3));
	assert_true(device_signal_is_firmware(SIG_SERVICE_PORT));
	assert_false(device_signal_is_firmware(SIG_SSDP_SERVER));
	assert_false(device_signal_is_firmware(SIG_KIND_MAX));
	json_free(&jb);
	device_table_destroy(dt);
}

/*
 * The inventory carries the device's posture record: the findings as the
 * posture event lists them and its DNS resolvers; the table names the
 * findings in a 24-column FINDINGS column, cut to fit.  A record whose
 * resolver count is past POSTURE_RESOLVERS (a damaged record) reads no
 * further than the array.
 */
static void test_inventory_posture(void **state)
{
	struct seen s = { 0 };
	struct device_table *dt = table(16, 3600, &s);
	struct posture_device pd;
	struct json_buf jb;
	struct device *d;
	char *text = NULL;
	size_t len = 0;
	FILE *mem;
	const uint8_t r1[4] = { 192, 168, 1, 1 }, r2[4] = { 8, 8, 8, 8 };

	(void)state;
	observe_arp_from(dt, cam, v4(192, 168, 1, 20), 1);
	d = device_table_find(dt, cam);
	memset(&pd, 0, sizeof(pd));
	pd.findings = (1u << PF_TELNET) | (1u << PF_HTTP_CLEAR);
	pd.item[PF_TELNET] = (struct posture_item){ 2 * SEC, 5 * SEC, 3, "to 203.0.113.5:23" };
	pd.item[PF_HTTP_CLEAR] = (struct posture_item){ 4 * SEC, 4 * SEC, 1, "to 192.0.2.9:80" };
	ew_addr_set_v4(&pd.resolver[0], r1);
	ew_addr_set_v4(&pd.resolver[1], r2);
	pd.nresolvers = 2;
	json_init(&jb);
	assert_int_equal(output_device_inventory(&jb, d, NULL, NULL, &pd), 0);
	assert_non_null(strstr(jb.data,
		",\"posture\":{\"findings\":["
		"{\"name\":\"telnet\",\"first_seen\":\"1970-01-01T00:00:02.000000+0000\","
		"\"last_seen\":\"1970-01-01T00:00:05.000000+0000\",\"count\":3,"
		"\"example\":\"to 203.0.113.5:23\"},"
		"{\"name\":\"http_clear\",\"first_seen\":\"1970-01-01T00:00:04.000000+0000\","
		"\"last_seen\":\"1970-01-01T00:00:04.000000+0000\",\"count\":1,"
		"\"example\":\"to 192.0.2.9:80\"}],"
		"\"dns_resolvers\":[\"192.168.1.1\",\"8.8.8.8\"]}}"));
	/* No record: no member. */
	assert_int_equal(output_device_inventory(&jb, d, NULL, NULL, NULL), 0);
	assert_null(strstr(jb.data, "posture"));
	/* A damaged count: only the 4 slots there are (the empty ones format as "::"). */
	pd.nresolvers = 200;
	assert_int_equal(output_device_inventory(&jb, d, NULL, NULL, &pd), 0);
	assert_non_null(strstr(jb.data, "\"dns_resolvers\":[\"192.168.1.1\",\"8.8.8.8\","
					"\"::\",\"::\"]}}"));
	json_free(&jb);

	/* The table: "telnet,http_clear" is 17 of 24 columns, padded. */
	mem = open_memstream(&text, &len);
	assert_non_null(mem);
	output_device_table_row(mem, d, &pd, true);
	fflush(mem);
	assert_non_null(strstr(text, "  FINDINGS                  TOP DESTINATIONS\n"));
	assert_non_null(strstr(text, "  telnet,http_clear         -\n"));
	/* Three findings: "telnet,http_clear,cleartext_credentials" cut to 24. */
	pd.findings |= 1u << PF_CLEARTEXT_CREDENTIALS;
	output_device_table_row(mem, d, &pd, false);
	fflush(mem);
	assert_non_null(strstr(text, "  telnet,http_clear,cleart  -\n"));
	/* No record, or none found: "-". */
	output_device_table_row(mem, d, NULL, false);
	fclose(mem);
	assert_non_null(strstr(text, "  -                         -\n"));
	free(text);
	device_table_destroy(dt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_and_address_change),
		cmocka_unit_test(test_group_macs),
		cmocka_unit_test(test_signals_and_settling),
		cmocka_unit_test(test_firmware_change_by_flows),
		cmocka_unit_test(test_inventory_posture),
		cmocka_unit_test(test_gone_and_back),
		cmocka_unit_test(test_eviction),
		cmocka_unit_test(test_local_addresses),
		cmocka_unit_test(test_router_not_owner),
		cmocka_unit_test(test_routed_segment),
		cmocka_unit_test(test_router_by_inside_sources),
		cmocka_unit_test(test_raw_ip_capture),
		cmocka_unit_test(test_custom_home_networks),
		cmocka_unit_test(test_router_never_evicted_under_caller),
		cmocka_unit_test(test_flow_behind_router),
		cmocka_unit_test(test_ip_device_rate),
		cmocka_unit_test(test_ndp_binding),
	};
	return cmocka_run_group_tests(tests, lists_setup, lists_teardown);
}
