/*
 * test-privacy.c - unit tests of the privacy filter (src/output-privacy.c):
 * for each level, hand-written event lines and the exact lines expected.
 *
 * Every pseudonym below was computed outside edgewatch, with OpenSSL's
 * command line, and pasted here:
 *
 *   printf %s VALUE | openssl dgst -sha256 -hmac 0123456789abcdef0123456789abcdef
 *
 * keeping the first 16 hex digits.  KEY is that 32-byte key.  The home
 * networks are the default ones (RFC 1918, 169.254/16, fc00::/7, fe80::/10).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "output-privacy.h"

#define KEY "0123456789abcdef0123456789abcdef"
#define KEY2 "fedcba9876543210fedcba9876543210"

/* openssl dgst -sha256 -hmac KEY of each value, first 16 hex digits. */
#define P_IP20 "p:370667377413d79b"    /* 192.168.1.20 */
#define P_IP1 "p:f346514f73ce6ff8"     /* 192.168.1.1 */
#define P_IP10 "p:4c8c904d8996cd00"    /* 10.0.0.9 */
#define P_FE80 "p:942feff74e071d17"    /* fe80::1 */
#define P_MAC44 "p:8227bf2b8a2b169d"   /* 44:19:b6:3a:7c:01 */
#define P_MAC3C "p:90cb076342d20730"   /* 3c:d9:2b:1a:2b:3c */
#define P_MAC9C "p:6b4615e963d7182f"   /* 9c:3d:cf:5e:21:01 */
#define P_HPOJ "p:27508cc656ba6cb9"    /* HP-OfficeJet */
#define P_HPPR "p:ccefe27a68986ec8"    /* HP-Printer */
#define P_NAS "p:5528b56a4bd69cc5"     /* nas.local */
#define P_NVR "p:4fa2662e81743c09"     /* nvr.local */
#define P_CAM "p:17b693e59c8f2338"     /* cam-livingroom */
#define P_ROUTER "p:d513ef6a4ab15f06"  /* router.example.com */
/* openssl dgst -sha256 -hmac KEY2 of 192.168.1.20: 5713d5fd5a0aa824... */
#define P2_IP20 "p:5713d5fd5a0aa824"

struct fixture {
	struct ew_conf conf;
	struct output_privacy *pseudo, *minimal;
};

static struct output_privacy *make(struct ew_conf *c, enum ew_output_privacy level,
				   const char *key, struct output_privacy_tally *tally)
{
	struct output_privacy_config pc = {
		.level = level,
		.key = (const unsigned char *)key,
		.key_len = strlen(key),
		.home_networks = &c->home_networks,
		.tally = tally,
	};
	char err[128] = "";
	struct output_privacy *p = output_privacy_create(&pc, err, sizeof err);

	assert_non_null(p);
	assert_string_equal(err, "");
	return p;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	conf_init_defaults(&f->conf);
	f->pseudo = make(&f->conf, EW_PRIVACY_PSEUDONYMISED, KEY, NULL);
	f->minimal = make(&f->conf, EW_PRIVACY_MINIMAL, KEY, NULL);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	output_privacy_destroy(f->pseudo);
	output_privacy_destroy(f->minimal);
	conf_free(&f->conf);
	free(f);
	return 0;
}

/* Filters in and compares with want, byte for byte. */
static void check(struct output_privacy *p, const char *in, const char *want)
{
	const char *out = NULL;
	size_t len = 0;
	int rc = output_privacy_filter(p, in, strlen(in), &out, &len);

	if (rc != 0)
		fail_msg("dropped: %s\n  line: %s", output_privacy_error(p), in);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(out, want, len);
}

/* ---- hand-written events: the line, then what each level makes of it ---- */

/* A TLS flow from an inside client to an outside server: the server's name is evidence. */
static const char flow_out[] =
	"{\"timestamp\":\"2016-04-21T13:36:38.838513+0000\",\"flow_id\":1860805654853143,"
	"\"event_type\":\"flow\",\"src_ip\":\"192.168.1.20\",\"src_port\":4227,"
	"\"dest_ip\":\"184.73.254.250\",\"dest_port\":8443,\"proto\":\"TCP\",\"app_proto\":\"tls\","
	"\"flow\":{\"pkts_toserver\":46,\"age\":5,\"state\":\"closed\",\"reason\":\"timeout\"},"
	"\"ndpi\":{\"protocol\":\"TLS\",\"risks\":[\"Weak TLS Cipher\"]},"
	"\"server_name\":\"api.xbcs.net\",\"tls\":{\"ja3\":{\"hash\":"
	"\"84e49be168d95094b4eeaa1b94791fcb\"}}}";

/* A flow to an inside server: its name names a host of the home. */
static const char flow_in[] =
	"{\"event_type\":\"flow\",\"src_ip\":\"192.168.1.20\",\"dest_ip\":\"192.168.1.1\","
	"\"server_name\":\"router.example.com\",\"vlan\":[10]}";

static const char device_new[] =
	"{\"timestamp\":\"2026-03-02T08:00:01.000000+0000\",\"event_type\":\"device\","
	"\"event\":\"new\",\"mac\":\"44:19:B6:3a:7c:01\",\"key\":\"mac\","
	"\"vendor\":\"Hangzhou Hikvision Digital Technology Co.,Ltd.\","
	"\"addresses\":[\"192.168.1.20\",\"fe80::1\"],\"local_admin_mac\":true}";

static const char device_changed[] =
	"{\"event_type\":\"device\",\"event\":\"changed\",\"mac\":\"3c:d9:2b:1a:2b:3c\","
	"\"key\":\"mac\",\"change\":{\"field\":\"dhcp_hostname\",\"before\":[\"HP-OfficeJet\"],"
	"\"after\":\"HP-Printer\"}}";

static const char anomaly[] =
	"{\"event_type\":\"anomaly\",\"device\":{\"ip\":\"10.0.0.9\",\"key\":\"ip\","
	"\"name\":\"HP-OfficeJet\"},\"anomaly\":{\"score\":2901,\"expected\":1.99753,"
	"\"features\":[{\"name\":\"flows_out\",\"z\":-3}],"
	"\"novel\":[{\"category\":\"endpoint\",\"item\":\"nas.local\"},"
	"{\"category\":\"endpoint\",\"item\":\"10.0.0.9\"},"
	"{\"category\":\"endpoint\",\"item\":\"example.org\"}],"
	"\"explanation\":\"flows_out 8705 to 10.0.0.9\"}}";

static const char alert[] =
	"{\"event_type\":\"alert\",\"device\":{\"mac\":\"3c:d9:2b:1a:2b:3c\",\"key\":\"mac\","
	"\"class\":\"printer\",\"name\":\"HP-OfficeJet\"},"
	"\"incident\":{\"id\":\"530d44a5657fcbb7\",\"status\":\"opened\",\"hits\":1},"
	"\"alert\":{\"rule\":\"arp-spoof\",\"title\":\"ARP claim\",\"severity\":\"high\","
	"\"explanation\":\"3c:d9:2b:1a:2b:3c says 192.168.1.1 is at its MAC; "
	"to 8.8.8.8:53, mac:9c:3d:cf:5e:21:01.\","
	"\"flow\":{\"proto\":\"UDP\",\"src_ip\":\"192.168.1.20\",\"dest_ip\":\"8.8.8.8\"}}}";

static const char inventory[] =
	"{\"event_type\":\"inventory\",\"mac\":\"44:19:b6:3a:7c:01\",\"key\":\"mac\","
	"\"name\":\"cam-livingroom\",\"addresses\":[\"192.168.1.20\"],"
	"\"class_evidence\":[{\"rule\":\"hik\",\"signal\":\"dhcp_hostname\","
	"\"value\":\"cam-livingroom\",\"weight\":40},{\"rule\":\"r2\",\"signal\":\"ssdp_server\","
	"\"value\":\"Linux/3.0 UPnP/1.0\",\"weight\":10}],"
	"\"signals\":{\"dhcp_hostname\":[{\"value\":\"cam-livingroom\",\"count\":2}],"
	"\"tls_sni\":[{\"value\":\"api.hik-connect.com\",\"count\":5},"
	"{\"value\":\"nvr.local\",\"count\":1}],"
	"\"ssdp_server\":[{\"value\":\"Linux/3.0 UPnP/1.0\",\"count\":1}],"
	"\"ntp_server\":[{\"value\":\"192.168.1.1\",\"count\":3},"
	"{\"value\":\"162.159.200.1\",\"count\":3}],"
	"\"http_user_agent\":[{\"value\":\"Hik/1.0\",\"count\":1},{\"values_not_kept\":4}]},"
	"\"pkts_out\":10}";

/* device_key of a MAC-keyed device is its MAC: it gets the MAC's pseudonym. */
static const char quarantine[] =
	"{\"event_type\":\"quarantine\",\"quarantine\":{\"decision\":\"would_send\","
	"\"dry_run\":true,\"device_key\":\"00004419b63a7c01\",\"incident_id\":\"98ce95ebc317c97e\","
	"\"action\":\"isolate\",\"mac\":\"44:19:b6:3a:7c:01\",\"addrs\":\"192.168.1.20,fe80::1\","
	"\"allow\":\"mac:9c:3d:cf:5e:21:01\","
	"\"reason\":\"dry run: isolate 44:19:b6:3a:7c:01 for 3600 s\"}}";

static void test_pseudonym_is_hmac(void **state)
{
	char ps[OUTPUT_PRIVACY_PSEUDONYM_LEN + 1];

	(void)state;
	assert_int_equal(output_privacy_pseudonym(KEY, 32, "192.168.1.20", 12, ps), 0);
	assert_string_equal(ps, P_IP20);
	assert_int_equal(output_privacy_pseudonym(KEY2, 32, "192.168.1.20", 12, ps), 0);
	assert_string_equal(ps, P2_IP20);
}

static void test_pseudonymised(void **state)
{
	struct fixture *f = *state;
	struct output_privacy *p = f->pseudo;

	check(p, flow_out,
	      "{\"timestamp\":\"2016-04-21T13:36:38.838513+0000\",\"flow_id\":1860805654853143,"
	      "\"event_type\":\"flow\",\"src_ip\":\"" P_IP20 "\",\"src_port\":4227,"
	      "\"dest_ip\":\"184.73.254.250\",\"dest_port\":8443,\"proto\":\"TCP\","
	      "\"app_proto\":\"tls\",\"flow\":{\"pkts_toserver\":46,\"age\":5,\"state\":\"closed\","
	      "\"reason\":\"timeout\"},\"ndpi\":{\"protocol\":\"TLS\",\"risks\":[\"Weak TLS Cipher\"]},"
	      "\"server_name\":\"api.xbcs.net\",\"tls\":{\"ja3\":{\"hash\":"
	      "\"84e49be168d95094b4eeaa1b94791fcb\"}}}");
	check(p, flow_in,
	      "{\"event_type\":\"flow\",\"src_ip\":\"" P_IP20 "\",\"dest_ip\":\"" P_IP1 "\","
	      "\"server_name\":\"" P_ROUTER "\",\"vlan\":[10]}");
	/* The upper-case B of the MAC is lower-cased first: the same device, the same pseudonym. */
	check(p, device_new,
	      "{\"timestamp\":\"2026-03-02T08:00:01.000000+0000\",\"event_type\":\"device\","
	      "\"event\":\"new\",\"mac\":\"" P_MAC44 "\",\"key\":\"mac\","
	      "\"vendor\":\"Hangzhou Hikvision Digital Technology Co.,Ltd.\","
	      "\"addresses\":[\"" P_IP20 "\",\"" P_FE80 "\"],\"local_admin_mac\":true}");
	check(p, device_changed,
	      "{\"event_type\":\"device\",\"event\":\"changed\",\"mac\":\"" P_MAC3C "\","
	      "\"key\":\"mac\",\"change\":{\"field\":\"dhcp_hostname\",\"before\":[\"" P_HPOJ "\"],"
	      "\"after\":\"" P_HPPR "\"}}");
	check(p, anomaly,
	      "{\"event_type\":\"anomaly\",\"device\":{\"ip\":\"" P_IP10 "\",\"key\":\"ip\","
	      "\"name\":\"" P_HPOJ "\"},\"anomaly\":{\"score\":2901,\"expected\":1.99753,"
	      "\"features\":[{\"name\":\"flows_out\",\"z\":-3}],"
	      "\"novel\":[{\"category\":\"endpoint\",\"item\":\"" P_NAS "\"},"
	      "{\"category\":\"endpoint\",\"item\":\"" P_IP10 "\"},"
	      "{\"category\":\"endpoint\",\"item\":\"example.org\"}],"
	      "\"explanation\":\"flows_out 8705 to " P_IP10 "\"}}");
	check(p, alert,
	      "{\"event_type\":\"alert\",\"device\":{\"mac\":\"" P_MAC3C "\",\"key\":\"mac\","
	      "\"class\":\"printer\",\"name\":\"" P_HPOJ "\"},"
	      "\"incident\":{\"id\":\"530d44a5657fcbb7\",\"status\":\"opened\",\"hits\":1},"
	      "\"alert\":{\"rule\":\"arp-spoof\",\"title\":\"ARP claim\",\"severity\":\"high\","
	      "\"explanation\":\"" P_MAC3C " says " P_IP1 " is at its MAC; "
	      "to 8.8.8.8:53, mac:" P_MAC9C ".\","
	      "\"flow\":{\"proto\":\"UDP\",\"src_ip\":\"" P_IP20 "\",\"dest_ip\":\"8.8.8.8\"}}}");
	check(p, inventory,
	      "{\"event_type\":\"inventory\",\"mac\":\"" P_MAC44 "\",\"key\":\"mac\","
	      "\"name\":\"" P_CAM "\",\"addresses\":[\"" P_IP20 "\"],"
	      "\"class_evidence\":[{\"rule\":\"hik\",\"signal\":\"dhcp_hostname\","
	      "\"value\":\"" P_CAM "\",\"weight\":40},{\"rule\":\"r2\",\"signal\":\"ssdp_server\","
	      "\"value\":\"Linux/3.0 UPnP/1.0\",\"weight\":10}],"
	      "\"signals\":{\"dhcp_hostname\":[{\"value\":\"" P_CAM "\",\"count\":2}],"
	      "\"tls_sni\":[{\"value\":\"api.hik-connect.com\",\"count\":5},"
	      "{\"value\":\"" P_NVR "\",\"count\":1}],"
	      "\"ssdp_server\":[{\"value\":\"Linux/3.0 UPnP/1.0\",\"count\":1}],"
	      "\"ntp_server\":[{\"value\":\"" P_IP1 "\",\"count\":3},"
	      "{\"value\":\"162.159.200.1\",\"count\":3}],"
	      "\"http_user_agent\":[{\"value\":\"Hik/1.0\",\"count\":1},{\"values_not_kept\":4}]},"
	      "\"pkts_out\":10}");
	check(p, quarantine,
	      "{\"event_type\":\"quarantine\",\"quarantine\":{\"decision\":\"would_send\","
	      "\"dry_run\":true,\"device_key\":\"" P_MAC44 "\",\"incident_id\":\"98ce95ebc317c97e\","
	      "\"action\":\"isolate\",\"mac\":\"" P_MAC44 "\",\"addrs\":\"" P_IP20 "," P_FE80 "\","
	      "\"allow\":\"mac:" P_MAC9C "\","
	      "\"reason\":\"dry run: isolate " P_MAC44 " for 3600 s\"}}");
	assert_int_equal(output_privacy_lines(p), 8);
	assert_int_equal(output_privacy_dropped(p), 0);
}

static void test_minimal(void **state)
{
	struct fixture *f = *state;
	struct output_privacy *p = f->minimal;

	check(p, flow_out,
	      "{\"timestamp\":\"2016-04-21T13:36:38.838513+0000\",\"flow_id\":1860805654853143,"
	      "\"event_type\":\"flow\",\"src_ip\":\"" P_IP20 "\",\"src_port\":4227,"
	      "\"dest_ip\":\"184.73.254.250\",\"dest_port\":8443,\"proto\":\"TCP\","
	      "\"app_proto\":\"tls\",\"flow\":{\"pkts_toserver\":46,\"age\":5,\"state\":\"closed\","
	      "\"reason\":\"timeout\"},\"ndpi\":{\"protocol\":\"TLS\",\"risks\":[\"Weak TLS Cipher\"]},"
	      "\"tls\":{\"ja3\":{\"hash\":\"84e49be168d95094b4eeaa1b94791fcb\"}}}");
	check(p, flow_in,
	      "{\"event_type\":\"flow\",\"src_ip\":\"" P_IP20 "\",\"dest_ip\":\"" P_IP1 "\","
	      "\"vlan\":[10]}");
	check(p, device_new,
	      "{\"timestamp\":\"2026-03-02T08:00:01.000000+0000\",\"event_type\":\"device\","
	      "\"event\":\"new\",\"mac\":\"" P_MAC44 "\",\"key\":\"mac\","
	      "\"vendor\":\"Hangzhou Hikvision Digital Technology Co.,Ltd.\","
	      "\"addresses\":[\"" P_IP20 "\",\"" P_FE80 "\"],\"local_admin_mac\":true}");
	check(p, device_changed,
	      "{\"event_type\":\"device\",\"event\":\"changed\",\"mac\":\"" P_MAC3C "\","
	      "\"key\":\"mac\",\"change\":{\"field\":\"dhcp_hostname\"}}");
	/* Names go, also a feature's; a first-seen address stays (as a pseudonym), a name goes. */
	check(p, anomaly,
	      "{\"event_type\":\"anomaly\",\"device\":{\"ip\":\"" P_IP10 "\",\"key\":\"ip\"},"
	      "\"anomaly\":{\"score\":2901,\"expected\":1.99753,\"features\":[{\"z\":-3}],"
	      "\"novel\":[{\"category\":\"endpoint\"},"
	      "{\"category\":\"endpoint\",\"item\":\"" P_IP10 "\"},"
	      "{\"category\":\"endpoint\"}]}}");
	check(p, alert,
	      "{\"event_type\":\"alert\",\"device\":{\"mac\":\"" P_MAC3C "\",\"key\":\"mac\","
	      "\"class\":\"printer\"},"
	      "\"incident\":{\"id\":\"530d44a5657fcbb7\",\"status\":\"opened\",\"hits\":1},"
	      "\"alert\":{\"rule\":\"arp-spoof\",\"title\":\"ARP claim\",\"severity\":\"high\","
	      "\"flow\":{\"proto\":\"UDP\",\"src_ip\":\"" P_IP20 "\",\"dest_ip\":\"8.8.8.8\"}}}");
	check(p, inventory,
	      "{\"event_type\":\"inventory\",\"mac\":\"" P_MAC44 "\",\"key\":\"mac\","
	      "\"addresses\":[\"" P_IP20 "\"],"
	      "\"class_evidence\":[{\"rule\":\"hik\",\"signal\":\"dhcp_hostname\",\"weight\":40},"
	      "{\"rule\":\"r2\",\"signal\":\"ssdp_server\",\"weight\":10}],"
	      "\"signals\":{\"ntp_server\":[{\"value\":\"" P_IP1 "\",\"count\":3},"
	      "{\"value\":\"162.159.200.1\",\"count\":3}]},"
	      "\"pkts_out\":10}");
	check(p, quarantine,
	      "{\"event_type\":\"quarantine\",\"quarantine\":{\"decision\":\"would_send\","
	      "\"dry_run\":true,\"device_key\":\"" P_MAC44 "\",\"incident_id\":\"98ce95ebc317c97e\","
	      "\"action\":\"isolate\",\"mac\":\"" P_MAC44 "\",\"addrs\":\"" P_IP20 "," P_FE80 "\"}}");
}

/* Text around addresses: ports, sentence ends, outside addresses, look-alikes. */
static void test_free_text(void **state)
{
	struct fixture *f = *state;

	check(f->pseudo,
	      "{\"example\":\"to 192.168.1.1:80, from [fe80::1]:5353 and 203.0.113.42:80.\"}",
	      "{\"example\":\"to " P_IP1 ":80, from [" P_FE80 "]:5353 and 203.0.113.42:80.\"}");
	/* A time, a version, a score and a 16-digit id are no addresses; ab:... has 7 groups. */
	check(f->pseudo,
	      "{\"t\":\"13:36:38.838513 v1.2 2.3 s 065852a8248dcc4f ab:3c:d9:2b:1a:2b:3c:4d\"}",
	      "{\"t\":\"13:36:38.838513 v1.2 2.3 s 065852a8248dcc4f ab:3c:d9:2b:1a:2b:3c:4d\"}");
	/* Control bytes and invalid UTF-8 come out escaped as edgewatch writes them. */
	check(f->pseudo, "{\"s\":\"a\\u001bb\\\"c\xff\"}", "{\"s\":\"a\\u001bb\\\"c\\ufffd\"}");
	/* Numbers: integers exact, fractions with 6 significant digits, 1e+06 as an integer. */
	check(f->pseudo, "{\"n\":[0,-3,1e+06,3599.82,2251799813685247,true,false]}",
	      "{\"n\":[0,-3,1000000,3599.82,2251799813685247,true,false]}");
}

/* Lines that do not parse, or cannot be written again, are dropped and counted. */
static void test_hostile_dropped(void **state)
{
	struct fixture *f = *state;
	struct output_privacy_tally tally = { 0 };
	struct output_privacy *p = make(&f->conf, EW_PRIVACY_PSEUDONYMISED, KEY, &tally);
	char deep[160]; /* 16 * 6 + 2 + 16 + 1 = 115 bytes */
	static const struct {
		const char *line;
		const char *why;
	} bad[] = {
		{ "not json", "not JSON (at byte 0: unexpected 'n')" },
		{ "{\"src_ip\":\"192.168.1.20\"", "not JSON" },   /* cut short */
		{ "[\"192.168.1.20\"]", "not a JSON object" },
		{ "{\"a\":null}", "a null value" },
		{ "{\"a\\u0000b\":1}", "a member name holds a NUL byte" },
		{ "", "not JSON" },
		{ NULL, "too deep or too long to write again" }, /* 17 levels: over util-json's 16 */
	};
	const char *out = "x";
	size_t len = 1;

	/* 17 nested objects: ejson takes 32, the writer only 16. */
	memset(deep, 0, sizeof deep);
	for (int i = 0; i < 16; i++)
		strcat(deep, "{\"a\":");
	strcat(deep, "{}");
	for (int i = 0; i < 16; i++)
		strcat(deep, "}");
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const char *line = bad[i].line != NULL ? bad[i].line : deep;

		assert_int_equal(output_privacy_filter(p, line, strlen(line), &out, &len), -1);
		assert_null(out);
		assert_int_equal(len, 0);
		assert_non_null(strstr(output_privacy_error(p), bad[i].why));
	}
	assert_int_equal(output_privacy_dropped(p), 7);
	assert_int_equal(atomic_load(&tally.dropped), 7);
	/* A good line after bad ones: the error is cleared, the line counted. */
	check(p, "{\"ip\":\"192.168.1.20\"}", "{\"ip\":\"" P_IP20 "\"}");
	assert_string_equal(output_privacy_error(p), "");
	assert_int_equal(atomic_load(&tally.lines), 1);
	output_privacy_destroy(p);
}

static void test_bad_config(void **state)
{
	struct fixture *f = *state;
	char err[128];
	struct output_privacy_config pc = {
		.level = EW_PRIVACY_FULL,
		.key = (const unsigned char *)KEY,
		.key_len = 32,
		.home_networks = &f->conf.home_networks,
	};

	assert_null(output_privacy_create(&pc, err, sizeof err));
	assert_string_equal(err, "privacy filter: level must be pseudonymised or minimal");
	pc.level = EW_PRIVACY_MINIMAL;
	pc.key_len = 0;
	assert_null(output_privacy_create(&pc, err, sizeof err));
	assert_string_equal(err, "privacy filter: the key must be 1..1024 bytes");
}

/* ---- the wrapping sink ---- */

struct rec_sink {
	struct output_sink base;
	char lines[4][256];
	int n, closed;
};

static int rec_write(struct output_sink *s, const char *line, size_t len)
{
	struct rec_sink *r = (struct rec_sink *)s;

	assert_true(r->n < 4 && len < sizeof r->lines[0]);
	memcpy(r->lines[r->n], line, len);
	r->lines[r->n++][len] = '\0';
	return 0;
}

static int rec_flush(struct output_sink *s)
{
	(void)s;
	return 0;
}

static int rec_close(struct output_sink *s, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	((struct rec_sink *)s)->closed++;
	return 0;
}

static const char *rec_error(const struct output_sink *s)
{
	(void)s;
	return "";
}

static const struct output_ops rec_ops = {
	.name = "rec", .write_line = rec_write, .flush = rec_flush, .close = rec_close,
	.error = rec_error,
};

static struct output_sink *wrap(struct ew_conf *c, struct rec_sink *r, const char *key)
{
	struct output_privacy_config pc = {
		.level = EW_PRIVACY_PSEUDONYMISED,
		.key = (const unsigned char *)key,
		.key_len = strlen(key),
		.home_networks = &c->home_networks,
	};
	char err[64];
	struct output_sink *s;

	memset(r, 0, sizeof(*r));
	r->base.ops = &rec_ops;
	s = output_privacy_wrap(&r->base, &pc, err, sizeof err);
	assert_non_null(s);
	return s;
}

/* Two sinks with the same key agree; another key gives other pseudonyms; drops reach close. */
static void test_sinks(void **state)
{
	struct fixture *f = *state;
	struct rec_sink r1, r2, r3;
	struct output_sink *s1 = wrap(&f->conf, &r1, KEY);
	struct output_sink *s2 = wrap(&f->conf, &r2, KEY);
	struct output_sink *s3 = wrap(&f->conf, &r3, KEY2);
	const char line[] = "{\"src_ip\":\"192.168.1.20\"}";
	char err[128] = "";

	assert_string_equal(s1->ops->name, "rec"); /* the queue's stats name the real output */
	assert_int_equal(s1->ops->write_line(s1, line, strlen(line)), 0);
	assert_int_equal(s2->ops->write_line(s2, line, strlen(line)), 0);
	assert_int_equal(s3->ops->write_line(s3, line, strlen(line)), 0);
	assert_string_equal(r1.lines[0], "{\"src_ip\":\"" P_IP20 "\"}");
	assert_string_equal(r2.lines[0], r1.lines[0]);
	assert_string_equal(r3.lines[0], "{\"src_ip\":\"" P2_IP20 "\"}");

	/* A broken line never reaches the inner sink. */
	assert_int_equal(s1->ops->write_line(s1, "{\"src_ip\":", 10), -1);
	assert_int_equal(r1.n, 1);
	assert_string_equal(s1->ops->error(s1),
			    "privacy: line dropped: not JSON (at byte 10: expected a value, found the end)");
	assert_int_equal(s1->ops->flush(s1), 0);
	assert_int_equal(s1->ops->close(s1, err, sizeof err), -1);
	assert_int_equal(r1.closed, 1);
	assert_non_null(strstr(err, "(1 dropped in all)"));
	assert_int_equal(s2->ops->close(s2, err, sizeof err), 0);
	assert_int_equal(s3->ops->close(s3, err, sizeof err), 0);
	assert_int_equal(r2.closed + r3.closed, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pseudonym_is_hmac),
		cmocka_unit_test_setup_teardown(test_pseudonymised, setup, teardown),
		cmocka_unit_test_setup_teardown(test_minimal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_config, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sinks, setup, teardown),
	};

	return cmocka_run_group_tests_name("privacy", tests, NULL, NULL);
}
