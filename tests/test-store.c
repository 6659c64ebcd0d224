/*
 * test-store.c - the inventory on disk: a save/load round trip keeps every
 * field and value (hostile bytes included), and damaged files are
 * reported with file:line, set aside and never half-loaded.
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
	struct device_table *a = device_table_create(16, 0, NULL, on_event, NULL);
	struct device_table *b = device_table_create(16, 0, NULL, on_event, NULL);
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
	/* Seen again, a restored device is not announced as new. */
	device_table_touch(b, cam, 5000, true);
	assert_int_equal(events, 0);
	device_table_destroy(a);
	device_table_destroy(b);
}

static void test_missing(void **state)
{
	struct device_table *t = device_table_create(16, 0, NULL, on_event, NULL);
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
	{ "edgewatch-inventory 2\n", "1: not an edgewatch inventory of version 1" },
	{ "edgewatch-inventory 1\nA 10.0.0.1 0 1 2\n", "2: an A line before any D line" },
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
	{ "edgewatch-inventory 1\nD 1 2 3 4 5 6 7 8 9 10 11 12 13\n", "2: too many fields" },
};

static void test_damaged(void **state)
{
	char err[512], want[512], aside[sizeof(path) + 16];

	(void)state;
	snprintf(aside, sizeof(aside), "%s.corrupt", path);
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct device_table *t = device_table_create(16, 0, NULL, on_event, NULL);
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
	struct device_table *t = device_table_create(16, 0, NULL, on_event, NULL);
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
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_long_line),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
