/*
 * test-device.c - the device table: new, changed and gone events, the
 * settling rule, bounded sets, eviction, and what packets and flows bind.
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
#include "device-table.h"

#define SEC EW_USEC_PER_SEC
#define MAX_SEEN 32

struct seen {
	int n;
	enum device_event_kind kind[MAX_SEEN];
	char field[MAX_SEEN][32];
	char after[MAX_SEEN][64];
	uint8_t mac_last[MAX_SEEN];
};

static void on_event(void *ctx, const struct device *d, const struct device_change *ch)
{
	struct seen *s = ctx;

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

static void test_new_and_address_change(void **state)
{
	struct seen s = { 0 };
	struct device_table *dt = device_table_create(16, 3600, NULL, on_event, &s);
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
	struct device_table *dt = device_table_create(16, 3600, NULL, on_event, &s);
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
	struct device_table *dt = device_table_create(16, 3600, NULL, on_event, &s);
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
	struct device_table *dt = device_table_create(16, 60, NULL, on_event, &s);
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
	struct device_table *dt = device_table_create(4, 0, NULL, on_event, &s);
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

static void test_local_addresses(void **state)
{
	struct ew_addr a;
	uint8_t g6[16] = { 0x20, 0x01, 0x0d, 0xb8 }, ula[16] = { 0xfd, 0x12 };

	(void)state;
	a = v4(10, 1, 2, 3);
	assert_true(ew_addr_is_local(&a));
	a = v4(172, 31, 0, 1);
	assert_true(ew_addr_is_local(&a));
	a = v4(172, 32, 0, 1);
	assert_false(ew_addr_is_local(&a));
	a = v4(192, 168, 0, 1);
	assert_true(ew_addr_is_local(&a));
	a = v4(169, 254, 9, 9);
	assert_true(ew_addr_is_local(&a));
	a = v4(8, 8, 8, 8);
	assert_false(ew_addr_is_local(&a));
	ew_addr_set_v6(&a, g6);
	assert_false(ew_addr_is_local(&a));
	ew_addr_set_v6(&a, ula);
	assert_true(ew_addr_is_local(&a));
}

/* A router's MAC behind internet addresses is counted as routing, and owns none of them. */
static void test_router_not_owner(void **state)
{
	struct seen s = { 0 };
	struct device_table *dt = device_table_create(16, 0, NULL, on_event, &s);
	const uint8_t gw[6] = { 0x9c, 0x3d, 0xcf, 0, 0, 1 };
	struct ew_packet p;
	struct device *d;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.kind = EW_PKT_IP;
	p.has_mac = true;
	memcpy(p.src_mac, gw, 6);
	memcpy(p.dst_mac, plug, 6);
	p.src = v4(52, 89, 0, 1);
	p.dst = v4(192, 168, 1, 21);
	p.wirelen = 100;
	p.ts_us = 5 * SEC;
	device_observe_packet(dt, &p);
	d = device_table_find(dt, gw);
	assert_non_null(d);
	assert_int_equal(d->naddr, 0);
	assert_int_equal(d->routed_pkts, 1);
	assert_int_equal(s.n, 1); /* announced */
	/* The plug, which has not sent anything, is not created by being a destination. */
	assert_null(device_table_find(dt, plug));
	device_table_destroy(dt);
}

/* Neighbour advertisements bind their target; short or forwarded ones do not. */
static void test_ndp_binding(void **state)
{
	struct seen s = { 0 };
	struct device_table *dt = device_table_create(16, 0, NULL, on_event, &s);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_and_address_change),
		cmocka_unit_test(test_group_macs),
		cmocka_unit_test(test_signals_and_settling),
		cmocka_unit_test(test_gone_and_back),
		cmocka_unit_test(test_eviction),
		cmocka_unit_test(test_local_addresses),
		cmocka_unit_test(test_router_not_owner),
		cmocka_unit_test(test_ndp_binding),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
