/*
 * test-dpi.c - the nDPI lifecycle: per-flow state exists only while
 * detection runs, the packet budget and the state cap are honoured, and
 * results (protocol, server name) are copied out before the state goes.
 *
 * Packets are raw IPv4 built by hand and decoded by the real decoder; the
 * real nDPI 4.2 does the detection.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "dpi.h"
#include "flow-table.h"

struct harness {
	struct flow_table *ft;
	struct dpi *dpi;
	struct decode_stats ds;
	struct flow last; /* copy of the last flow ended */
	char last_name[FLOW_SERVER_NAME_MAX + 1];
	int ended;
};

static void on_end(void *ctx, struct flow *f, enum flow_end_reason why)
{
	struct harness *h = ctx;

	(void)why;
	dpi_flow_end(h->dpi, f);
	h->last = *f;
	snprintf(h->last_name, sizeof(h->last_name), "%s", f->server_name ? f->server_name : "");
	h->ended++;
}

static struct harness *harness_new(uint32_t max_packets, uint32_t max_active)
{
	static const struct flow_timeouts to = { 30, 600, 10, 60, 30, 60 };
	struct harness *h = calloc(1, sizeof(*h));
	char err[128];

	assert_non_null(h);
	h->dpi = dpi_create(max_packets, max_active, err, sizeof(err));
	assert_non_null(h->dpi);
	h->ft = flow_table_create(64, &to, 1, on_end, h);
	assert_non_null(h->ft);
	return h;
}

static void harness_free(struct harness *h)
{
	flow_table_destroy(h->ft);
	dpi_destroy(h->dpi);
	free(h);
}

/* Builds a raw IPv4 packet around an L4 header + payload. */
static size_t ipv4(uint8_t *buf, uint8_t proto, const uint8_t src[4], const uint8_t dst[4],
		   const uint8_t *l4, size_t l4len)
{
	size_t total = 20 + l4len;

	memset(buf, 0, 20);
	buf[0] = 0x45;
	buf[2] = (uint8_t)(total >> 8);
	buf[3] = (uint8_t)total;
	buf[8] = 64;
	buf[9] = proto;
	memcpy(buf + 12, src, 4);
	memcpy(buf + 16, dst, 4);
	memcpy(buf + 20, l4, l4len);
	return total;
}

static struct flow *feed(struct harness *h, const uint8_t *frame, size_t len, ew_usec_t ts)
{
	uint8_t *copy = malloc(len); /* exact size: ASan sees any over-read */
	struct ew_packet pkt;
	enum flow_dir dir;
	struct flow *f;

	assert_non_null(copy);
	memcpy(copy, frame, len);
	assert_int_equal(decode_packet(EW_DLT_RAW, copy, (uint32_t)len, (uint32_t)len, ts, &pkt,
				       &h->ds),
			 DE_NONE);
	f = flow_table_packet(h->ft, &pkt, &dir);
	assert_non_null(f);
	dpi_packet(h->dpi, f, &pkt, dir);
	free(copy);
	return f;
}

static const uint8_t host[4] = { 192, 168, 1, 20 }, resolver[4] = { 192, 168, 1, 1 };

/*
 * A DNS query for "camera.example.com" A from host:sport to resolver:53,
 * or (response) its answer, 192.0.2.7 with a pointer to the question name.
 */
static size_t dns_message(uint8_t *buf, uint16_t sport, bool response)
{
	static const uint8_t qname[] = "\x06" "camera" "\x07" "example" "\x03" "com";
	uint8_t l4[128];
	size_t n = 8;

	memset(l4, 0, sizeof(l4));
	l4[response ? 2 : 0] = (uint8_t)(sport >> 8);
	l4[response ? 3 : 1] = (uint8_t)sport;
	l4[response ? 1 : 3] = 53;
	/* DNS header: id 0x1234, RD (and QR, RA in the answer), one question. */
	l4[n++] = 0x12; l4[n++] = 0x34; l4[n++] = response ? 0x81 : 0x01;
	l4[n++] = response ? 0x80 : 0x00;
	l4[n++] = 0; l4[n++] = 1; l4[n++] = 0; l4[n++] = response ? 1 : 0;
	l4[n++] = 0; l4[n++] = 0; l4[n++] = 0; l4[n++] = 0;
	memcpy(l4 + n, qname, sizeof(qname)); /* includes the root label's 0 */
	n += sizeof(qname);
	l4[n++] = 0; l4[n++] = 1; l4[n++] = 0; l4[n++] = 1; /* type A, class IN */
	if (response) {
		static const uint8_t answer[] = { 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60,
						  0, 4, 192, 0, 2, 7 };
		memcpy(l4 + n, answer, sizeof(answer));
		n += sizeof(answer);
	}
	l4[4] = (uint8_t)(n >> 8);
	l4[5] = (uint8_t)n;
	if (response)
		return ipv4(buf, EW_IPPROTO_UDP, resolver, host, l4, n);
	return ipv4(buf, EW_IPPROTO_UDP, host, resolver, l4, n);
}

static void test_dns_detected_and_freed(void **state)
{
	struct harness *h = harness_new(32, 100);
	uint8_t pkt[256];
	size_t len = dns_message(pkt, 40000, false);
	struct flow *f;

	(void)state;
	f = feed(h, pkt, len, 1000000);
	/* Known after the query, but nDPI waits for the answer to finish. */
	assert_int_equal(f->dpi_state, FLOW_DPI_RUNNING);
	assert_non_null(f->server_name);
	assert_string_equal(f->server_name, "camera.example.com");
	assert_int_equal(dpi_stats(h->dpi)->active, 1);
	len = dns_message(pkt, 40000, true);
	f = feed(h, pkt, len, 1000100);
	assert_int_equal(f->dpi_state, FLOW_DPI_DONE);
	assert_null(f->dpi);
	assert_string_equal(dpi_proto_name(h->dpi, f->app_proto ? f->app_proto : f->master_proto),
			    "DNS");
	assert_non_null(f->server_name);
	assert_string_equal(f->server_name, "camera.example.com");
	assert_int_equal(dpi_stats(h->dpi)->active, 0);
	assert_int_equal(dpi_stats(h->dpi)->detected, 1);
	harness_free(h);
}

/* SYN, SYN+ACK and ACK carry no payload: no nDPI state is ever allocated. */
static void test_handshake_costs_nothing(void **state)
{
	struct harness *h = harness_new(32, 100);
	uint8_t tcp[20] = { 0x9c, 0x40, 0x01, 0xbb, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, EW_TH_SYN,
			    0xff, 0xff };
	uint8_t pkt[64];
	struct flow *f;

	(void)state;
	f = feed(h, pkt, ipv4(pkt, EW_IPPROTO_TCP, host, resolver, tcp, sizeof(tcp)), 1);
	assert_int_equal(f->dpi_state, FLOW_DPI_NONE);
	assert_null(f->dpi);
	assert_int_equal(dpi_stats(h->dpi)->started, 0);
	harness_free(h);
}

/* Undetectable payload: state is dropped after the packet budget. */
static void test_budget_gives_up(void **state)
{
	struct harness *h = harness_new(4, 100);
	uint8_t l4[8 + 16] = { 0x30, 0x39, 0x7a, 0x69, 0, 24, 0, 0 }; /* 12345 -> 31337 */
	uint8_t pkt[64];
	size_t len;
	struct flow *f = NULL;

	(void)state;
	for (int i = 0; i < 16; i++)
		l4[8 + i] = (uint8_t)(0xa5 ^ (i * 37));
	len = ipv4(pkt, EW_IPPROTO_UDP, host, resolver, l4, sizeof(l4));
	for (int i = 0; i < 3; i++) {
		f = feed(h, pkt, len, (ew_usec_t)(i + 1));
		assert_int_equal(f->dpi_state, FLOW_DPI_RUNNING);
		assert_non_null(f->dpi);
	}
	f = feed(h, pkt, len, 4);
	assert_int_equal(f->dpi_state, FLOW_DPI_GAVE_UP);
	assert_null(f->dpi);
	assert_int_equal(f->dpi_packets, 4);
	/* Later packets do not restart detection. */
	f = feed(h, pkt, len, 5);
	assert_int_equal(f->dpi_packets, 4);
	assert_int_equal(dpi_stats(h->dpi)->active, 0);
	assert_int_equal(dpi_stats(h->dpi)->gave_up, 1);
	harness_free(h);
}

/* With room for one state, a second undecided flow is not inspected, and counted. */
static void test_state_cap(void **state)
{
	struct harness *h = harness_new(8, 1);
	uint8_t l4[8 + 16] = { 0x30, 0x39, 0x7a, 0x69, 0, 24, 0, 0 };
	uint8_t pkt[64];
	struct flow *f;

	(void)state;
	memset(l4 + 8, 0xee, 16);
	f = feed(h, pkt, ipv4(pkt, EW_IPPROTO_UDP, host, resolver, l4, sizeof(l4)), 1);
	assert_int_equal(f->dpi_state, FLOW_DPI_RUNNING);
	l4[1] = 0x3a; /* another source port: another flow */
	f = feed(h, pkt, ipv4(pkt, EW_IPPROTO_UDP, host, resolver, l4, sizeof(l4)), 2);
	assert_int_equal(f->dpi_state, FLOW_DPI_SKIPPED);
	assert_null(f->dpi);
	assert_int_equal(dpi_stats(h->dpi)->cap_reached, 1);
	assert_int_equal(dpi_stats(h->dpi)->peak_active, 1);
	harness_free(h);
}

/* A flow that ends mid-detection gives up, keeps what was found, frees the state. */
static void test_end_during_detection(void **state)
{
	struct harness *h = harness_new(32, 100);
	uint8_t l4[8 + 16] = { 0x30, 0x39, 0x7a, 0x69, 0, 24, 0, 0 };
	uint8_t pkt[64];
	struct flow *f;

	(void)state;
	memset(l4 + 8, 0x42, 16);
	f = feed(h, pkt, ipv4(pkt, EW_IPPROTO_UDP, host, resolver, l4, sizeof(l4)), 1);
	assert_non_null(f->dpi);
	flow_table_flush(h->ft);
	assert_int_equal(h->ended, 1);
	assert_null(h->last.dpi);
	assert_int_equal(h->last.dpi_state, FLOW_DPI_GAVE_UP);
	assert_int_equal(dpi_stats(h->dpi)->active, 0);
	harness_free(h);
}

static void test_risk_names(void **state)
{
	const char *names[4];

	(void)state;
	assert_int_equal(dpi_risk_names(0, names, 4), 0);
	/* Bit 0 is "no risk" and never reported; bits past max are cut. */
	assert_int_equal(dpi_risk_names(1, names, 4), 0);
	assert_int_equal(dpi_risk_names(0x6, names, 4), 2);
	assert_non_null(names[0]);
	assert_int_equal(dpi_risk_names(0x1e, names, 2), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dns_detected_and_freed),
		cmocka_unit_test(test_handshake_costs_nothing),
		cmocka_unit_test(test_budget_gives_up),
		cmocka_unit_test(test_state_cap),
		cmocka_unit_test(test_end_during_detection),
		cmocka_unit_test(test_risk_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
