/*
 * test-store.c - the inventory on disk: a save/load round trip keeps every
 * field and value (hostile bytes included), devices keyed by IP and the
 * router evidence included; version 1 files still load; damaged files
 * are reported with file:line, set aside and never half-loaded.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "device-store.h"

static char dir[] = "/tmp/test-store-XXXXXX";
static char path[sizeof(dir) + 32];
static int events;

static void on_event(void *ctx, const struct device *d, const struct device_change *ch)
{
	(void)ctx;
	(void)d;
	(void)ch;
	events++;
}

static const uint8_t cam[6] = { 0x44, 0x19, 0xb6, 0x3a, 0x7c, 0x01 };

static void write_text(const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static int setup(void **state)
{
	(void)state;
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dir, DEVICE_STORE_FILE);
	return 0;
}

static int teardown(void **state)
{
	char p[sizeof(path) + 16];

	(void)state;
	unlink(path);
	snprintf(p, sizeof(p), "%s.corrupt", path);
	unlink(p);
	rmdir(dir);
	return 0;
}

static void test_round_trip(void **state)
{
	struct device_table *a = device_table_create(16, 0, NULL, NULL, on_event, NULL);
	struct device_table *b = device_table_create(16, 0, NULL, NULL, on_event, NULL);
	const char hostile[] = "a b%c\x01\t\xff\"\\z";
	uint8_t v6[16] = { 0xfe, 0x80, [15] = 7 }, v4[4] = { 192, 168, 1, 20 };
	struct ew_addr a4, a6;
	struct device *d, *r;
	char err[256];
	size_t n;

	(void)state;
	d = device_table_touch(a, cam, 1000, true);
	d->pkts_out = 11;
	d->bytes_in = 22;
	d->flows_in = 3;
	ew_addr_set_v4(&a4, v4);
	ew_addr_set_v6(&a6, v6);
	device_table_bind_addr(a, d, &a4, ADDR_FROM_DHCP, 1500);
	device_table_bind_addr(a, d, &a6, ADDR_FROM_TRAFFIC, 1600);
	device_table_signal(a, d, SIG_DHCP_HOSTNAME, hostile, strlen(hostile), 2000);
	device_table_signal(a, d, SIG_DHCP_HOSTNAME, hostile, strlen(hostile), 3000);
	device_table_signal(a, d, SIG_TLS_SNI, "dev.hik-connect.com", 19, 2500);
	assert_int_equal(device_store_save(a, path, err, sizeof(err)), STORE_OK);

	events = 0;
	assert_int_equal(device_store_load(b, path, &n, err, sizeof(err)), STORE_OK);
	assert_int_equal(n, 1);
	assert_int_equal(events, 0); /* known devices are not new */
	r = device_table_find(b, cam);
	assert_non_null(r);
	assert_int_equal(r->first_ts, 1000);
	assert_int_equal(r->last_ts, 1000);
	assert_int_equal(r->pkts_out, 11);
	assert_int_equal(r->bytes_in, 22);
	assert_int_equal(r->flows_in, 3);
	assert_int_equal(r->naddr, 2);
	assert_int_equal(r->addr[0].source, ADDR_FROM_DHCP);
	assert_memory_equal(r->addr[0].addr.bytes, a4.bytes, 16);
	assert_int_equal(r->addr[1].addr.family, EW_AF_INET6);
	assert_int_equal(r->addr[1].first_ts, 1600);
	assert_int_equal(r->sig[SIG_DHCP_HOSTNAME].n, 1);
	assert_string_equal(r->sig[SIG_DHCP_HOSTNAME].slot[0].value, hostile);
	assert_int_equal(r->sig[SIG_DHCP_HOSTNAME].slot[0].count, 2);
	assert_int_equal(r->sig[SIG_DHCP_HOSTNAME].slot[0].last_ts, 3000);
	assert_string_equal(r->sig[SIG_TLS_SNI].slot[0].value, "dev.hik-connect.com");
	assert_true(r->addr[0].owned);  /* by DHCP */
	assert_false(r->addr[1].owned); /* from traffic */
	/* Seen again, a restored device is not announced as new. */
	device_table_touch(b, cam, 5000, true);
	assert_int_equal(events, 0);
	device_table_destroy(a);
	device_table_destroy(b);
}

/* A router with its evidence and a host behind it, keyed by IP, survive a restart. */
static void test_round_trip_ip_keyed(void **state)
{
	struct device_table *a = device_table_create(16, 0, NULL, NULL, on_event, NULL);
	struct device_table *b = device_table_create(16, 0, NULL, NULL, on_event, NULL);
	const uint8_t gw[6] = { 0x9c, 0x3d, 0xcf, 0x5e, 0x21, 0x01 };
	uint8_t h4[4] = { 10, 1, 0, 11 }, own4[4] = { 10, 1, 0, 1 };
	uint8_t h6[16] = { 0xfd, 0x00, [14] = 0xbe, [15] = 0xef };
	struct ew_addr host, host6, own;
	struct device *d, *r;
	char err[256], why[96];
	size_t n;
	FILE *fp;
	char line[128];

	(void)state;
	ew_addr_set_v4(&host, h4);
	ew_addr_set_v6(&host6, h6);
	ew_addr_set_v4(&own, own4);
	d = device_table_touch(a, gw, 100, true);
	device_table_bind_addr(a, d, &own, ADDR_FROM_ARP, 100);
	d->routed_pkts = 40;
	d->outside_srcs = 23;
	d->inside_srcs = 2;
	/* device_table_touch_ip refuses addresses outside the (here empty) home networks... */
	assert_null(device_table_touch_ip(a, &host, 200, true));
	/* ...but a restored one is kept whatever the networks are now. */
	d = device_table_restore_ip(a, &host, 200, 300);
	assert_non_null(d);
	device_table_bind_addr(a, d, &host, ADDR_FROM_TRAFFIC, 200);
	d->flows_out = 5;
	d->bytes_in = 77;
	device_table_signal(a, d, SIG_TLS_SNI, "example.org", 11, 250);
	assert_non_null(device_table_restore_ip(a, &host6, 400, 400));
	assert_int_equal(device_store_save(a, path, err, sizeof(err)), STORE_OK);
	/* The file says version 2 and writes the host as an I line. */
	fp = fopen(path, "r");
	assert_non_null(fp);
	assert_non_null(fgets(line, sizeof(line), fp));
	assert_string_equal(line, "edgewatch-inventory 2\n");
	assert_non_null(fgets(line, sizeof(line), fp));
	assert_string_equal(line, "D 9c:3d:cf:5e:21:01 100 100 0 0 0 0 0 0 40 23 2\n");
	assert_non_null(fgets(line, sizeof(line), fp));
	assert_string_equal(line, "A 10.1.0.1 1 100 100 1\n");
	assert_non_null(fgets(line, sizeof(line), fp));
	assert_string_equal(line, "I 10.1.0.11 200 300 0 0 0 77 5 0\n");
	fclose(fp);

	events = 0;
	assert_int_equal(device_store_load(b, path, &n, err, sizeof(err)), STORE_OK);
	assert_int_equal(n, 3);
	assert_int_equal(events, 0);
	assert_int_equal(device_table_stats(b)->ip_keyed, 2);
	r = device_table_find(b, gw);
	assert_non_null(r);
	assert_int_equal(r->routed_pkts, 40);
	device_router_evidence(r, why, sizeof(why));
	assert_string_equal(why, "forwards traffic from 23 addresses outside the home networks");
	assert_true(r->addr[0].owned);
	r = device_table_find_ip(b, &host);
	assert_non_null(r);
	assert_int_equal(r->key_kind, DEVICE_KEY_IP);
	assert_int_equal(r->first_ts, 200);
	assert_int_equal(r->last_ts, 300);
	assert_int_equal(r->flows_out, 5);
	assert_int_equal(r->bytes_in, 77);
	assert_int_equal(r->naddr, 1);
	assert_false(r->addr[0].owned);
	assert_string_equal(r->sig[SIG_TLS_SNI].slot[0].value, "example.org");
	assert_non_null(device_table_find_ip(b, &host6));
	/* The MAC lookup never finds an IP-keyed device (its MAC is all zero). */
	{
		static const uint8_t zero[6];
		assert_null(device_table_find(b, zero));
	}
	device_table_destroy(a);
	device_table_destroy(b);
}

/*
 * A version 1 file (before devices keyed by IP): 11-field D lines and
 * 5-field A lines; an address is the device's own when its first source
 * was ARP (1), DHCP (2) or NDP (3), not traffic (0).
 */
static void test_version_1_loads(void **state)
{
	struct device_table *t = device_table_create(16, 0, NULL, NULL, on_event, NULL);
	const uint8_t mac[6] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55 };
	struct device *d;
	char err[256];
	size_t n;

	(void)state;
	write_text("edgewatch-inventory 1\n"
		   "D 00:11:22:33:44:55 1 2 3 4 5 6 7 8 9\n"
		   "A 10.0.0.1 1 1 2\n"
		   "A 10.0.0.2 0 1 2\n"
		   "S tls_sni 1 1 2 a.example\n");
	assert_int_equal(device_store_load(t, path, &n, err, sizeof(err)), STORE_OK);
	assert_int_equal(n, 1);
	d = device_table_find(t, mac);
	assert_non_null(d);
	assert_int_equal(d->routed_pkts, 9);
	assert_int_equal(d->flows_in, 8);
	assert_int_equal(d->outside_srcs, 0);
	assert_int_equal(d->naddr, 2);
	assert_true(d->addr[0].owned);
	assert_false(d->addr[1].owned);
	device_table_destroy(t);
}

static void test_missing(void **state)
{
	struct device_table *t = device_table_create(16, 0, NULL, NULL, on_event, NULL);
	char err[256];
	size_t n;

	(void)state;
	unlink(path);
	assert_int_equal(device_store_load(t, path, &n, err, sizeof(err)), STORE_MISSING);
	assert_int_equal(n, 0);
	device_table_destroy(t);
}

struct bad_case {
	const char *text;
	const char *want; /* message after "PATH:" */
};

static const struct bad_case bad_cases[] = {
	{ "", "0: empty file" },
	{ "edgewatch-inventory 3\n", "1: not an edgewatch inventory of version 1 or 2" },
	{ "edgewatch-inventory 1\nA 10.0.0.1 0 1 2\n", "2: an A line before any D or I line" },
	{ "edgewatch-inventory 1\nD 00:11:22:33:44:55 1 2 3 4 5 6 7 8\n", "2: a D line has 11 fields" },
	{ "edgewatch-inventory 1\nD 00:11:22:33:44:zz 1 2 0 0 0 0 0 0 0\n", "2: bad MAC address" },
	{ "edgewatch-inventory 1\nD ff:ff:ff:ff:ff:ff 1 2 0 0 0 0 0 0 0\n", "2: not a device MAC address" },
	{ "edgewatch-inventory 1\nD 00:11:22:33:44:55 1 -2 0 0 0 0 0 0 0\n", "2: bad number" },
	{ "edgewatch-inventory 1\nD 00:11:22:33:44:55 1 2 0 0 0 0 0 0 0\nA 10.0.0.300 0 1 2\n",
	  "3: bad address" },
	{ "edgewatch-inventory 1\nD 00:11:22:33:44:55 1 2 0 0 0 0 0 0 0\nA 10.0.0.3 9 1 2\n",
	  "3: bad A line" },
	{ "edgewatch-inventory 1\nD 00:11:22:33:44:55 1 2 0 0 0 0 0 0 0\nS nope 1 1 2 x\n",
	  "3: unknown signal kind" },
	{ "edgewatch-inventory 1\nD 00:11:22:33:44:55 1 2 0 0 0 0 0 0 0\nS tls_sni 1 1 2 a%0\n",
	  "3: bad escape in a value" },
	{ "edgewatch-inventory 1\nD 00:11:22:33:44:55 1 2 0 0 0 0 0 0 0\nS tls_sni 1 1 2 a%00b\n",
	  "3: bad escape in a value" },
	{ "edgewatch-inventory 1\nD 00:11:22:33:44:55 1 2 0 0 0 0 0 0 0\nS tls_sni 1 1 2 a b\n",
	  "3: bad S line" },
	{ "edgewatch-inventory 1\nX\n", "2: unknown record type" },
	{ "edgewatch-inventory 1\nD 00:11:22:33:44:55 1 2 0 0 0 0 0 0 0", "2: last line not terminated (file cut short?)" },
	{ "edgewatch-inventory 1\nD 1 2 3 4 5 6 7 8 9 10 11 12 13 14\n", "2: too many fields" },
	/* Version 2: I lines, longer D and A lines; version 1 has no I lines. */
	{ "edgewatch-inventory 1\nI 10.0.0.1 1 2 0 0 0 0 0 0\n", "2: unknown record type" },
	{ "edgewatch-inventory 2\nD 00:11:22:33:44:55 1 2 0 0 0 0 0 0 0\n", "2: a D line has 13 fields" },
	{ "edgewatch-inventory 2\nD 00:11:22:33:44:55 1 2 0 0 0 0 0 0 0 33 0\n",
	  "2: router evidence count out of range" },
	{ "edgewatch-inventory 2\nD 00:11:22:33:44:55 1 2 0 0 0 0 0 0 0 0 x\n", "2: bad number" },
	{ "edgewatch-inventory 2\nD 00:11:22:33:44:55 1 2 0 0 0 0 0 0 0 0 0\nA 10.0.0.1 0 1 2\n",
	  "3: bad A line" },
	{ "edgewatch-inventory 2\nD 00:11:22:33:44:55 1 2 0 0 0 0 0 0 0 0 0\nA 10.0.0.1 0 1 2 2\n",
	  "3: bad A line" },
	{ "edgewatch-inventory 2\nI 10.0.0.1 1 2 0 0 0 0 0\n", "2: an I line has 10 fields" },
	{ "edgewatch-inventory 2\nI 10.0.0.256 1 2 0 0 0 0 0 0\n", "2: bad address" },
	{ "edgewatch-inventory 2\nI 10.0.0.1 1 2 0 0 0 0 0 -1\n", "2: bad number" },
	{ "edgewatch-inventory 2\nI 224.0.0.251 1 2 0 0 0 0 0 0\n", "2: not a device address" },
	{ "edgewatch-inventory 2\nI 0.0.0.0 1 2 0 0 0 0 0 0\n", "2: not a device address" },
	{ "edgewatch-inventory 2\nS tls_sni 1 1 2 x\n", "2: an S line before any D or I line" },
};

static void test_damaged(void **state)
{
	char err[512], want[512], aside[sizeof(path) + 16];

	(void)state;
	snprintf(aside, sizeof(aside), "%s.corrupt", path);
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct device_table *t = device_table_create(16, 0, NULL, NULL, on_event, NULL);
		size_t n = 99;

		unlink(aside);
		write_text(bad_cases[i].text);
		assert_int_equal(device_store_load(t, path, &n, err, sizeof(err)), STORE_CORRUPT);
		assert_int_equal(n, 0);
		snprintf(want, sizeof(want), "%s:%s; set aside as %s", path, bad_cases[i].want, aside);
		if (strcmp(err, want) != 0)
			fail_msg("case %zu: got '%s', want '%s'", i, err, want);
		assert_int_equal(access(path, F_OK), -1); /* moved away */
		assert_int_equal(access(aside, F_OK), 0);
		device_table_destroy(t);
	}
}

/* A line past DEVICE_STORE_LINE_MAX is damage, not a buffer overrun. */
static void test_long_line(void **state)
{
	struct device_table *t = device_table_create(16, 0, NULL, NULL, on_event, NULL);
	char *text = malloc(DEVICE_STORE_LINE_MAX + 64);
	char err[512];
	size_t n;

	(void)state;
	assert_non_null(text);
	strcpy(text, "edgewatch-inventory 1\nS ");
	memset(text + 24, 'x', DEVICE_STORE_LINE_MAX + 10);
	strcpy(text + 24 + DEVICE_STORE_LINE_MAX + 10, "\n");
	write_text(text);
	assert_int_equal(device_store_load(t, path, &n, err, sizeof(err)), STORE_CORRUPT);
	assert_non_null(strstr(err, ":2: line too long"));
	free(text);
	device_table_destroy(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_round_trip_ip_keyed),
		cmocka_unit_test(test_version_1_loads),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_long_line),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
