/*
 * test-posture.c - the encryption and hygiene audit, flow by flow, with
 * the findings each hand-made flow must (and must not) give.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "posture.h"

#define B(f) (1u << (f))
#define T0 1772438400000000ULL

/* Risk bits as a test sees them: any distinct numbers do. */
static const struct posture_risks risks = {
	.cleartext_credentials = 3, .tls_obsolete = 10, .tls_weak_cipher = 11,
	.tls_self_signed = 12, .tls_expired = 13,
};

static struct ew_addr v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	struct ew_addr x;
	const uint8_t q[4] = { a, b, c, d };

	ew_addr_set_v4(&x, q);
	return x;
}

static struct posture_view view(bool client, bool internal, uint8_t proto, uint16_t port,
				const struct ew_addr *peer, const char *app, uint64_t risk,
				bool answered)
{
	struct posture_view v = {
		.device_is_client = client, .peer_internal = internal, .proto = proto,
		.server_port = port, .peer = peer, .app = app, .risk = risk, .answered = answered,
	};
	return v;
}

static void test_cleartext(void **state)
{
	struct posture *p = posture_create(16, &risks, NULL);
	struct ew_addr cloud = v4(203, 0, 113, 5), lan = v4(192, 168, 1, 10);
	struct posture_view v;

	(void)state;
	/* Telnet out to the Internet, named by nDPI: telnet only (the device is the client). */
	v = view(true, false, 6, 23, &cloud, "Telnet", 0, true);
	assert_int_equal(posture_observe(p, 1, &v, T0), B(PF_TELNET));
	/* The same again: nothing new, but counted. */
	assert_int_equal(posture_observe(p, 1, &v, T0 + 1), 0);
	assert_int_equal(posture_find(p, 1)->item[PF_TELNET].count, 2);
	assert_int_equal(posture_find(p, 1)->item[PF_TELNET].first_us, T0);
	assert_int_equal(posture_find(p, 1)->item[PF_TELNET].last_us, T0 + 1);
	assert_string_equal(posture_find(p, 1)->item[PF_TELNET].example, "to 203.0.113.5:23");
	/* HTTP: to the Internet is clear text; to the LAN (a bridge's API) is not counted. */
	v = view(true, true, 6, 80, &lan, "HTTP", 0, true);
	assert_int_equal(posture_observe(p, 2, &v, T0), 0);
	v = view(true, false, 6, 80, &cloud, "HTTP.Google", 0, true);
	assert_int_equal(posture_observe(p, 2, &v, T0), B(PF_HTTP_CLEAR));
	/* A name nDPI only guessed from port 80 (nothing was sent) is not HTTP in use. */
	v = view(true, false, 6, 80, &cloud, "HTTP", 0, true);
	v.app_guessed = true;
	assert_int_equal(posture_observe(p, 8, &v, T0), 0);
	/* "HTTPS" is not "HTTP": the master name is matched whole. */
	v = view(true, false, 6, 443, &cloud, "HTTPS", 0, true);
	assert_int_equal(posture_observe(p, 3, &v, T0), 0);
	/* A refused connection to 1883 (or a scan's SYN to 23) shows no protocol in use... */
	v = view(true, false, 6, 1883, &cloud, "", 0, false);
	assert_int_equal(posture_observe(p, 4, &v, T0), 0);
	v = view(true, false, 6, 23, &cloud, "Telnet", 0, false);
	assert_int_equal(posture_observe(p, 4, &v, T0), 0);
	/* ...an accepted one does: MQTT by its port, then SNMP, CoAP, FTP by port. */
	v = view(true, false, 6, 1883, &cloud, "", 0, true);
	assert_int_equal(posture_observe(p, 4, &v, T0), B(PF_MQTT_CLEAR));
	v = view(true, true, 17, 161, &lan, "", 0, true);
	assert_int_equal(posture_observe(p, 4, &v, T0), B(PF_SNMP));
	v = view(true, false, 17, 5683, &cloud, "", 0, true);
	assert_int_equal(posture_observe(p, 4, &v, T0), B(PF_COAP_CLEAR));
	v = view(true, false, 6, 21, &cloud, "", 0, true);
	assert_int_equal(posture_observe(p, 4, &v, T0), B(PF_FTP));
	assert_int_equal(posture_find(p, 4)->findings,
			 B(PF_MQTT_CLEAR) | B(PF_SNMP) | B(PF_COAP_CLEAR) | B(PF_FTP));
	posture_destroy(p);
}

static void test_tls_and_credentials(void **state)
{
	struct posture *p = posture_create(16, &risks, NULL);
	struct ew_addr cloud = v4(198, 51, 100, 7);
	struct posture_view v;

	(void)state;
	/* Bits 3, 10, 12 set: credentials in clear, obsolete TLS, self-signed. */
	v = view(true, false, 6, 443, &cloud, "TLS", (1ULL << 3) | (1ULL << 10) | (1ULL << 12),
		 true);
	assert_int_equal(posture_observe(p, 7, &v, T0),
			 B(PF_CLEARTEXT_CREDENTIALS) | B(PF_TLS_OBSOLETE) | B(PF_TLS_SELF_SIGNED));
	/* Bit 13 (expired) and 11 (weak cipher) later: only those are new. */
	v.risk = (1ULL << 13) | (1ULL << 11) | (1ULL << 12);
	assert_int_equal(posture_observe(p, 7, &v, T0 + 5), B(PF_TLS_EXPIRED) | B(PF_TLS_WEAK_CIPHER));
	posture_destroy(p);
}

static void test_exposure(void **state)
{
	struct posture *p = posture_create(16, &risks, NULL);
	struct ew_addr outside = v4(45, 33, 1, 2), lan = v4(192, 168, 1, 5);
	struct posture_view v;

	(void)state;
	/* Answering telnet on the LAN: uses and exposes telnet, not to the Internet. */
	v = view(false, true, 6, 23, &lan, "", 0, true);
	assert_int_equal(posture_observe(p, 9, &v, T0), B(PF_TELNET) | B(PF_EXPOSES_TELNET));
	/* A SYN from the Internet that was never answered exposes nothing. */
	v = view(false, false, 6, 8080, &outside, "", 0, false);
	assert_int_equal(posture_observe(p, 9, &v, T0), 0);
	/* Answered: the device accepts connections from the Internet. */
	v.answered = true;
	assert_int_equal(posture_observe(p, 9, &v, T0), B(PF_EXPOSED_TO_INTERNET));
	assert_string_equal(posture_find(p, 9)->item[PF_EXPOSED_TO_INTERNET].example,
			    "from 45.33.1.2:8080");
	/* SSDP answered to the Internet: UPnP exposed. */
	v = view(false, false, 17, 1900, &outside, "SSDP", 0, true);
	assert_int_equal(posture_observe(p, 9, &v, T0), B(PF_EXPOSES_UPNP));
	posture_destroy(p);
}

static void test_resolvers(void **state)
{
	struct ew_cidr_list expected = { 0 };
	struct ew_cidr c;
	char err[128];
	struct posture *any, *p;
	struct ew_addr router = v4(192, 168, 1, 1), google = v4(8, 8, 8, 8);
	struct posture_view v;

	(void)state;
	assert_int_equal(ew_cidr_parse("192.168.1.1", &c, err, sizeof(err)), 0);
	assert_int_equal(ew_cidr_list_add(&expected, &c), 0);
	p = posture_create(16, &risks, &expected);
	any = posture_create(16, &risks, NULL);
	ew_cidr_list_free(&expected); /* copied at create */
	v = view(true, true, 17, 53, &router, "DNS", 0, true);
	assert_int_equal(posture_observe(p, 1, &v, T0), 0);
	v = view(true, false, 17, 53, &google, "DNS", 0, true);
	assert_int_equal(posture_observe(p, 1, &v, T0), B(PF_UNEXPECTED_RESOLVER));
	/* Without a configured list every resolver is expected, but still recorded. */
	assert_int_equal(posture_observe(any, 1, &v, T0), 0);
	assert_int_equal(posture_find(any, 1)->nresolvers, 1);
	assert_int_equal(posture_find(p, 1)->nresolvers, 2);
	/* Five distinct resolvers: four kept. */
	for (uint8_t i = 0; i < 5; i++) {
		struct ew_addr r = v4(10, 0, 0, (uint8_t)(i + 1));

		v = view(true, true, 17, 53, &r, "DNS", 0, true);
		posture_observe(any, 2, &v, T0);
	}
	assert_int_equal(posture_find(any, 2)->nresolvers, POSTURE_RESOLVERS);
	posture_destroy(p);
	posture_destroy(any);
}

static int order[8], norder;

static void collect(void *ctx, const struct posture_device *d)
{
	(void)ctx;
	order[norder++] = (int)d->key;
}

static void test_bound_and_order(void **state)
{
	struct posture *p = posture_create(2, &risks, NULL);
	struct ew_addr cloud = v4(203, 0, 113, 5);
	struct posture_view v = view(true, false, 6, 23, &cloud, "", 0, true);

	(void)state;
	posture_observe(p, 5, &v, T0);
	posture_observe(p, 6, &v, T0);
	posture_observe(p, 5, &v, T0 + 1); /* 6 is now unseen the longest */
	posture_observe(p, 7, &v, T0 + 2); /* full: 6 goes */
	assert_null(posture_find(p, 6));
	assert_int_equal(posture_get_stats(p)->evicted, 1);
	assert_int_equal(posture_get_stats(p)->devices, 2);
	norder = 0;
	posture_foreach(p, collect, NULL);
	assert_int_equal(norder, 2);
	assert_int_equal(order[0], 5); /* first sight order: 5, then 7 */
	assert_int_equal(order[1], 7);
	assert_string_equal(posture_finding_name(PF_TLS_SELF_SIGNED), "tls_self_signed_certificate");
	assert_null(posture_finding_name(PF_COUNT));
	posture_destroy(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cleartext),      cmocka_unit_test(test_tls_and_credentials),
		cmocka_unit_test(test_exposure),       cmocka_unit_test(test_resolvers),
		cmocka_unit_test(test_bound_and_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
