/*
 * test-conf.c - unit tests of the configuration loader (src/conf.c) and
 * of the address blocks its lists hold (src/util-cidr.c).
 *
 * The defaults, the embedded default file, valid files, and a table of
 * bad inputs each with the exact one-line message expected, its line and
 * column worked out by hand from the text.  Every failed load must leave
 * the configuration exactly as it was.  Run under ASan to catch leaks.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture-live.h"
#include "conf.h"
#include "util-cidr.h"

#define NAME "t.yaml"

static int load(struct ew_conf *c, const char *text, char *err)
{
	return conf_load_buffer(c, NAME, text, strlen(text), err);
}

/* NULL-safe string comparison for the string fields. */
static void assert_str_same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

/*
 * A string list as "[a|b|c]", for comparisons (two calls in one assertion
 * need two buffers, so they alternate).
 */
static const char *slist_text(const struct ew_string_list *l)
{
	static char bufs[2][EW_CONF_MAX_LIST_ITEMS * (EW_CONF_MAX_LIST_ITEM_BYTES + 1) + 3];
	static int which;
	char *buf = bufs[which ^= 1];
	size_t used = 0;

	used += (size_t)snprintf(buf + used, sizeof(bufs[0]) - used, "[");
	for (size_t i = 0; i < l->n; i++)
		used += (size_t)snprintf(buf + used, sizeof(bufs[0]) - used, "%s%s", i ? "|" : "",
					 l->v[i]);
	snprintf(buf + used, sizeof(bufs[0]) - used, "]");
	return buf;
}

/* Replaces l with the one string text. */
static void set_slist(struct ew_string_list *l, const char *text)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = malloc(sizeof(*l->v));
	assert_non_null(l->v);
	l->v[0] = strdup(text);
	assert_non_null(l->v[0]);
	l->n = 1;
}

/* Replaces *field (a string owned by the configuration) with a copy of text. */
static void set_str(char **field, const char *text)
{
	free(*field);
	*field = strdup(text);
	assert_non_null(*field);
}

static void assert_conf_equal(const struct ew_conf *a, const struct ew_conf *b)
{
	assert_int_equal(a->max_flows, b->max_flows);
	assert_int_equal(a->tcp_timeout_s, b->tcp_timeout_s);
	assert_int_equal(a->tcp_new_timeout_s, b->tcp_new_timeout_s);
	assert_int_equal(a->tcp_closed_timeout_s, b->tcp_closed_timeout_s);
	assert_int_equal(a->udp_timeout_s, b->udp_timeout_s);
	assert_int_equal(a->icmp_timeout_s, b->icmp_timeout_s);
	assert_int_equal(a->other_timeout_s, b->other_timeout_s);
	assert_int_equal(a->dpi_max_packets, b->dpi_max_packets);
	assert_int_equal(a->dpi_max_active, b->dpi_max_active);
	assert_int_equal(a->max_devices, b->max_devices);
	assert_int_equal(a->gone_after_s, b->gone_after_s);
	assert_str_same(a->state_dir, b->state_dir);
	assert_str_same(a->device_rules, b->device_rules);
	assert_str_same(a->bpf_filter, b->bpf_filter);
	assert_str_same(a->output_file, b->output_file);
	assert_true(ew_cidr_list_equal(&a->home_networks, &b->home_networks));
	assert_true(ew_cidr_list_equal(&a->dns_servers, &b->dns_servers));
	assert_int_equal(a->output_queue_events, b->output_queue_events);
	assert_int_equal(a->output_queue_mib, b->output_queue_mib);
	assert_int_equal(a->syslog_enabled, b->syslog_enabled);
	assert_str_same(a->syslog_target, b->syslog_target);
	assert_int_equal(a->syslog_facility, b->syslog_facility);
	assert_str_same(a->syslog_app_name, b->syslog_app_name);
	assert_str_same(a->redis_url, b->redis_url);
	assert_str_same(a->redis_user, b->redis_user);
	assert_str_same(a->redis_password_file, b->redis_password_file);
	assert_int_equal(a->redis_connect_timeout_ms, b->redis_connect_timeout_ms);
	assert_int_equal(a->redis_command_timeout_ms, b->redis_command_timeout_ms);
	assert_str_same(a->redis_alerts_stream, b->redis_alerts_stream);
	assert_str_same(a->redis_events_stream, b->redis_events_stream);
	assert_int_equal(a->redis_maxlen, b->redis_maxlen);
	assert_str_same(a->redis_channel, b->redis_channel);
	assert_int_equal(a->redis_spool_mib, b->redis_spool_mib);
	assert_int_equal(a->output_privacy, b->output_privacy);
	assert_str_same(a->output_privacy_key_file, b->output_privacy_key_file);
	assert_int_equal(a->quarantine_enabled, b->quarantine_enabled);
	assert_int_equal(a->quarantine_dry_run, b->quarantine_dry_run);
	assert_str_same(a->quarantine_stream, b->quarantine_stream);
	assert_str_same(a->quarantine_enforcement_stream, b->quarantine_enforcement_stream);
	assert_str_same(a->quarantine_key_file, b->quarantine_key_file);
	assert_str_same(a->quarantine_sensor_id, b->quarantine_sensor_id);
	assert_int_equal(a->quarantine_min_severity, b->quarantine_min_severity);
	assert_int_equal(a->threshold_percent, b->threshold_percent);
	assert_string_equal(slist_text(&a->quarantine_causes), slist_text(&b->quarantine_causes));
	assert_int_equal(a->quarantine_action, b->quarantine_action);
	assert_int_equal(a->quarantine_ttl_s, b->quarantine_ttl_s);
	assert_int_equal(a->quarantine_release_on_close, b->quarantine_release_on_close);
	assert_string_equal(slist_text(&a->quarantine_allow), slist_text(&b->quarantine_allow));
	assert_int_equal(a->quarantine_max_per_hour, b->quarantine_max_per_hour);
	assert_str_same(a->daemon_user, b->daemon_user);
	assert_int_equal(a->daemon_allow_root, b->daemon_allow_root);
	assert_str_same(a->daemon_pid_file, b->daemon_pid_file);
	assert_int_equal(a->stats_interval_s, b->stats_interval_s);
	assert_str_same(a->capture_interface, b->capture_interface);
	assert_int_equal(a->capture_snaplen, b->capture_snaplen);
	assert_int_equal(a->capture_buffer_mib, b->capture_buffer_mib);
	assert_int_equal(a->capture_promiscuous, b->capture_promiscuous);
	assert_int_equal(a->capture_immediate, b->capture_immediate);
}

/* A list's blocks in text, ", "-separated, for comparisons. */
static const char *list_text(const struct ew_cidr_list *l)
{
	static char buf[64 * EW_CIDR_STRLEN];
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < l->n; i++) {
		char one[EW_CIDR_STRLEN];

		ew_cidr_format(&l->v[i], one, sizeof(one));
		used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s%s", i ? ", " : "", one);
	}
	return buf;
}

/* Replaces l with the one block text. */
static void set_list(struct ew_cidr_list *l, const char *text)
{
	struct ew_cidr c;

	ew_cidr_list_free(l);
	assert_int_equal(ew_cidr_parse(text, &c, NULL, 0), 0);
	assert_int_equal(ew_cidr_list_add(l, &c), 0);
}

/* A configuration that differs from the defaults in every field. */
static void init_perturbed(struct ew_conf *c)
{
	conf_init_defaults(c);
	c->max_flows = 7;
	c->tcp_timeout_s = 7;
	c->tcp_new_timeout_s = 7;
	c->tcp_closed_timeout_s = 7;
	c->udp_timeout_s = 7;
	c->icmp_timeout_s = 7;
	c->other_timeout_s = 7;
	c->dpi_max_packets = 7;
	c->dpi_max_active = 7;
	c->max_devices = 7;
	c->gone_after_s = 7;
	c->state_dir = strdup("/seven");
	c->device_rules = strdup("/seven.yaml");
	c->bpf_filter = strdup("port 7");
	free(c->output_file);
	c->output_file = strdup("seven.json");
	set_list(&c->home_networks, "192.0.2.0/24");
	set_list(&c->dns_servers, "192.0.2.53");
	c->output_queue_events = 7;
	c->output_queue_mib = 7;
	c->syslog_enabled = true;
	set_str(&c->syslog_target, "udp://seven:7");
	c->syslog_facility = 7;
	set_str(&c->syslog_app_name, "seven");
	set_str(&c->redis_url, "redis://seven");
	set_str(&c->redis_user, "seven");
	set_str(&c->redis_password_file, "/seven.pw");
	c->redis_connect_timeout_ms = 7;
	c->redis_command_timeout_ms = 7;
	set_str(&c->redis_alerts_stream, "seven:a");
	set_str(&c->redis_events_stream, "seven:e");
	c->redis_maxlen = 7;
	set_str(&c->redis_channel, "seven");
	c->redis_spool_mib = 7;
	c->output_privacy = EW_PRIVACY_MINIMAL;
	set_str(&c->output_privacy_key_file, "/seven.key");
	c->quarantine_enabled = true;
	c->quarantine_dry_run = false;
	set_str(&c->quarantine_stream, "seven:q");
	set_str(&c->quarantine_enforcement_stream, "seven:x");
	set_str(&c->quarantine_key_file, "/seven.key");
	set_str(&c->quarantine_sensor_id, "seven");
	c->quarantine_min_severity = 0;
	c->threshold_percent = 77;
	set_slist(&c->quarantine_causes, "seven");
	c->quarantine_action = EW_QUARANTINE_RESTRICT;
	c->quarantine_ttl_s = 77;
	c->quarantine_release_on_close = false;
	set_slist(&c->quarantine_allow, "mac:07:07:07:07:07:07");
	c->quarantine_max_per_hour = 7;
	set_str(&c->daemon_user, "seven");
	c->daemon_allow_root = true;
	set_str(&c->daemon_pid_file, "/seven.pid");
	c->stats_interval_s = 7;
	set_str(&c->capture_interface, "eth7");
	c->capture_snaplen = 77;
	c->capture_buffer_mib = 7;
	c->capture_promiscuous = false;
	c->capture_immediate = true;
	assert_non_null(c->bpf_filter);
	assert_non_null(c->output_file);
}

/* ------------------------------------------------------------ defaults */

static void test_defaults(void **state)
{
	struct ew_conf c;

	(void)state;
	conf_init_defaults(&c);
	assert_int_equal(c.max_flows, EW_DEFAULT_MAX_FLOWS);
	assert_int_equal(c.tcp_timeout_s, EW_DEFAULT_TCP_TIMEOUT_S);
	assert_int_equal(c.tcp_new_timeout_s, EW_DEFAULT_TCP_NEW_TIMEOUT_S);
	assert_int_equal(c.tcp_closed_timeout_s, EW_DEFAULT_TCP_CLOSED_TIMEOUT_S);
	assert_int_equal(c.udp_timeout_s, EW_DEFAULT_UDP_TIMEOUT_S);
	assert_int_equal(c.icmp_timeout_s, EW_DEFAULT_ICMP_TIMEOUT_S);
	assert_int_equal(c.other_timeout_s, EW_DEFAULT_OTHER_TIMEOUT_S);
	assert_int_equal(c.dpi_max_packets, EW_DEFAULT_DPI_MAX_PACKETS);
	assert_int_equal(c.dpi_max_active, EW_DEFAULT_DPI_MAX_ACTIVE);
	assert_int_equal(c.max_devices, EW_DEFAULT_MAX_DEVICES);
	assert_int_equal(c.gone_after_s, EW_DEFAULT_DEVICE_GONE_AFTER_S);
	assert_null(c.state_dir);
	assert_null(c.device_rules);
	assert_null(c.bpf_filter);
	assert_string_equal(c.output_file, EW_DEFAULT_OUTPUT_FILE);
	assert_string_equal(list_text(&c.home_networks),
			    "10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 169.254.0.0/16, fc00::/7, "
			    "fe80::/10");
	assert_int_equal(c.dns_servers.n, 0);
	assert_null(c.detection_rules);
	assert_null(c.models_dir);
	assert_int_equal(c.min_severity, 2); /* medium */
	assert_int_equal(c.threshold_percent, 100);
	assert_int_equal(c.output_queue_events, 65536);
	assert_int_equal(c.output_queue_mib, 64);
	assert_false(c.syslog_enabled);
	assert_null(c.syslog_target);
	assert_int_equal(c.syslog_facility, 16); /* local0: RFC 5424 code 16 */
	assert_string_equal(c.syslog_app_name, "edgewatch");
	assert_null(c.redis_url);
	assert_null(c.redis_user);
	assert_null(c.redis_password_file);
	assert_int_equal(c.redis_connect_timeout_ms, 1000);
	assert_int_equal(c.redis_command_timeout_ms, 1000);
	assert_string_equal(c.redis_alerts_stream, "edgewatch:alerts");
	assert_string_equal(c.redis_events_stream, "edgewatch:events");
	assert_int_equal(c.redis_maxlen, 100000);
	assert_null(c.redis_channel);
	assert_int_equal(c.redis_spool_mib, 256);
	assert_int_equal(c.output_privacy, EW_PRIVACY_FULL);
	assert_null(c.output_privacy_key_file);
	assert_false(c.quarantine_enabled);
	assert_true(c.quarantine_dry_run);
	assert_string_equal(c.quarantine_stream, "edgewatch:quarantine");
	assert_string_equal(c.quarantine_enforcement_stream, "edgewatch:enforcement");
	assert_null(c.quarantine_key_file);
	assert_null(c.quarantine_sensor_id);
	assert_int_equal(c.quarantine_min_severity, 3); /* high */
	assert_string_equal(slist_text(&c.quarantine_causes), "[anomaly|mirai-syn-seq|arp-spoof]");
	assert_true(conf_string_list_has(&c.quarantine_causes, "arp-spoof"));
	assert_false(conf_string_list_has(&c.quarantine_causes, "arp"));
	assert_int_equal(c.quarantine_action, EW_QUARANTINE_ISOLATE);
	assert_int_equal(c.quarantine_ttl_s, 3600);
	assert_true(c.quarantine_release_on_close);
	assert_int_equal(c.quarantine_allow.n, 0);
	assert_int_equal(c.quarantine_max_per_hour, 5);
	assert_string_equal(c.daemon_user, "edgewatch");
	assert_false(c.daemon_allow_root);
	assert_null(c.daemon_pid_file);
	assert_int_equal(c.stats_interval_s, 60);
	assert_null(c.capture_interface);
	/* The -i options' defaults moved here: the two must agree. */
	assert_int_equal(c.capture_snaplen, CAPTURE_LIVE_DEFAULT_SNAPLEN);
	assert_int_equal(c.capture_buffer_mib, CAPTURE_LIVE_DEFAULT_BUFFER_MIB);
	assert_true(c.capture_promiscuous);
	assert_false(c.capture_immediate);
	conf_free(&c);
	assert_int_equal(c.home_networks.n, 0);
	assert_int_equal(c.quarantine_causes.n, 0);
	assert_null(c.quarantine_causes.v);
	assert_null(c.home_networks.v);
}

/* Starting from values that differ everywhere proves every key is in the text. */
static void test_default_yaml_equals_table(void **state)
{
	struct ew_conf c, ref;
	char err[EW_CONF_ERRLEN];

	(void)state;
	init_perturbed(&c);
	conf_init_defaults(&ref);
	assert_int_equal(load(&c, conf_default_yaml(), err), 0);
	assert_string_equal(err, "");
	assert_conf_equal(&c, &ref);
	conf_free(&c);
	conf_free(&ref);
}

static void test_free_null_and_twice(void **state)
{
	struct ew_conf c;

	(void)state;
	conf_free(NULL);
	conf_init_defaults(&c);
	conf_free(&c);
	conf_free(&c);
	assert_null(c.output_file);
	conf_init_defaults(&c); /* reusable after conf_free() */
	assert_string_equal(c.output_file, "-");
	conf_free(&c);
}

/* ---------------------------------------------------------- valid files */

static const char full_file[] =
	"# every key, none at its default\n"
	"flow:\n"
	"  max_flows: 1000\n"
	"  timeouts:\n"
	"    tcp: 1200\n"
	"    tcp_new: 20\n"
	"    tcp_closed: 0\n"
	"    udp: 90\n"
	"    icmp: 15\n"
	"    other: 45\n"
	"dpi:\n"
	"  max_packets: \"8\"\n"
	"  max_active: 0\n"
	"network:\n"
	"  home_networks:\n"
	"    - 10.1.0.0/16\n"
	"    - 2001:db8:1::/48\n"
	"  dns_servers: [10.1.0.1, \"fd00::53\"]\n"
	"detection:\n"
	"  rules: /etc/edgewatch/detections.yaml\n"
	"  models: /etc/edgewatch/models\n"
	"  min_severity: high\n"
	"capture:\n"
	"  filter: 'not port 22'\n"
	"output:\n"
	"  file: /var/log/edgewatch/events.json\n";

static void test_full_file(void **state)
{
	struct ew_conf c;
	char err[EW_CONF_ERRLEN];

	(void)state;
	conf_init_defaults(&c);
	assert_int_equal(load(&c, full_file, err), 0);
	assert_string_equal(err, "");
	assert_int_equal(c.max_flows, 1000);
	assert_int_equal(c.tcp_timeout_s, 1200);
	assert_int_equal(c.tcp_new_timeout_s, 20);
	assert_int_equal(c.tcp_closed_timeout_s, 0);
	assert_int_equal(c.udp_timeout_s, 90);
	assert_int_equal(c.icmp_timeout_s, 15);
	assert_int_equal(c.other_timeout_s, 45);
	assert_int_equal(c.dpi_max_packets, 8);
	assert_int_equal(c.dpi_max_active, 0);
	assert_string_equal(c.bpf_filter, "not port 22");
	assert_string_equal(c.output_file, "/var/log/edgewatch/events.json");
	assert_string_equal(list_text(&c.home_networks), "10.1.0.0/16, 2001:db8:1::/48");
	assert_string_equal(list_text(&c.dns_servers), "10.1.0.1/32, fd00::53/128");
	assert_string_equal(c.detection_rules, "/etc/edgewatch/detections.yaml");
	assert_string_equal(c.models_dir, "/etc/edgewatch/models");
	assert_int_equal(c.min_severity, 3); /* info 0, low 1, medium 2, high 3 */
	conf_free(&c);
}

/* The delivery and quarantine keys, each away from its default. */
static void test_delivery_keys(void **state)
{
	static const char text[] =
		"output:\n"
		"  queue_events: 16777216\n"
		"  queue_bytes: 4096\n"
		"  privacy: pseudonymised\n"
		"  privacy_key_file: /etc/edgewatch/privacy.key\n"
		"  syslog:\n"
		"    enabled: yes\n"
		"    target: tcp://[2001:db8::5]:6514\n"
		"    facility: local7\n"
		"    app_name: sensor-1\n"
		"  redis:\n"
		"    url: redis://edge@10.0.0.2:6380/2\n"
		"    user: edge\n"
		"    password_file: /etc/edgewatch/redis.pw\n"
		"    connect_timeout_ms: 60000\n"
		"    command_timeout_ms: 1\n"
		"    alerts_stream: a\n"
		"    events_stream: e\n"
		"    maxlen: 1000000000\n"
		"    channel: alerts\n"
		"    spool_mib: 0\n"
		"quarantine:\n"
		"  enabled: true\n"
		"  dry_run: off\n"
		"  stream: q\n"
		"  enforcement_stream: x\n"
		"  key_file: /etc/edgewatch/q.key\n"
		"  sensor_id: lab-7\n"
		"  min_severity: critical\n"
		"  causes: [anomaly, \"telnet-out\"]\n"
		"  action: restrict\n"
		"  ttl: 60\n"
		"  release_on_close: false\n"
		"  allow:\n"
		"    - mac:00:11:22:33:44:55\n"
		"    - ip:10.0.0.0/24\n"
		"    - class:plc\n"
		"    - 'name:Pump *'\n"
		"  max_per_hour: 0\n";
	struct ew_conf c;
	char err[EW_CONF_ERRLEN];

	(void)state;
	conf_init_defaults(&c);
	assert_int_equal(load(&c, text, err), 0);
	assert_int_equal(c.output_queue_events, 16777216);
	assert_int_equal(c.output_queue_mib, 4096);
	assert_true(c.syslog_enabled);
	assert_string_equal(c.syslog_target, "tcp://[2001:db8::5]:6514");
	assert_int_equal(c.syslog_facility, 23); /* local7 = 16 + 7 */
	assert_string_equal(c.syslog_app_name, "sensor-1");
	assert_string_equal(c.redis_url, "redis://edge@10.0.0.2:6380/2");
	assert_string_equal(c.redis_user, "edge");
	assert_string_equal(c.redis_password_file, "/etc/edgewatch/redis.pw");
	assert_int_equal(c.redis_connect_timeout_ms, 60000);
	assert_int_equal(c.redis_command_timeout_ms, 1);
	assert_string_equal(c.redis_alerts_stream, "a");
	assert_string_equal(c.redis_events_stream, "e");
	assert_int_equal(c.redis_maxlen, 1000000000);
	assert_string_equal(c.redis_channel, "alerts");
	assert_int_equal(c.redis_spool_mib, 0);
	assert_int_equal(c.output_privacy, EW_PRIVACY_PSEUDONYMISED);
	assert_string_equal(c.output_privacy_key_file, "/etc/edgewatch/privacy.key");
	assert_true(c.quarantine_enabled);
	assert_false(c.quarantine_dry_run);
	assert_string_equal(c.quarantine_stream, "q");
	assert_string_equal(c.quarantine_enforcement_stream, "x");
	assert_string_equal(c.quarantine_key_file, "/etc/edgewatch/q.key");
	assert_string_equal(c.quarantine_sensor_id, "lab-7");
	assert_int_equal(c.quarantine_min_severity, 4); /* critical */
	assert_string_equal(slist_text(&c.quarantine_causes), "[anomaly|telnet-out]");
	assert_int_equal(c.quarantine_action, EW_QUARANTINE_RESTRICT);
	assert_int_equal(c.quarantine_ttl_s, 60);
	assert_false(c.quarantine_release_on_close);
	assert_string_equal(slist_text(&c.quarantine_allow),
			    "[mac:00:11:22:33:44:55|ip:10.0.0.0/24|class:plc|name:Pump *]");
	assert_int_equal(c.quarantine_max_per_hour, 0);
	/* A list replaces the old one whole; null and [] empty it; "" unsets a string. */
	assert_int_equal(load(&c, "quarantine:\n  causes: [arp-spoof]\n  allow:\n"
				  "output:\n  redis:\n    url: \"\"\n", err), 0);
	assert_string_equal(slist_text(&c.quarantine_causes), "[arp-spoof]");
	assert_int_equal(c.quarantine_allow.n, 0);
	assert_null(c.quarantine_allow.v);
	assert_null(c.redis_url);
	assert_int_equal(load(&c, "quarantine: {causes: []}\n", err), 0);
	assert_int_equal(c.quarantine_causes.n, 0);
	assert_false(conf_string_list_has(&c.quarantine_causes, "anomaly"));
	conf_free(&c);
}

/*
 * 64 items of 256 bytes load (the largest list there is); a 257-byte item
 * and a 65th item are refused.  In "quarantine: {allow: [" (21 bytes) each
 * item "x, " takes 3 bytes, so item k (from 1) starts at column
 * 22 + 3 * (k - 1): the 65th at 22 + 192 = 214.
 */
static void test_string_list_limits(void **state)
{
	char text[64 + 65 * 3 + 16], err[EW_CONF_ERRLEN];
	char big[32 + 64 * (EW_CONF_MAX_LIST_ITEM_BYTES + 8)]; /* "    - " item "\n" */
	size_t used;
	struct ew_conf c;

	(void)state;
	conf_init_defaults(&c);
	used = (size_t)snprintf(big, sizeof(big), "quarantine:\n  allow:\n");
	for (int i = 0; i < 64; i++) {
		used += (size_t)snprintf(big + used, sizeof(big) - used, "    - ");
		memset(big + used, 'a' + i % 26, EW_CONF_MAX_LIST_ITEM_BYTES);
		used += EW_CONF_MAX_LIST_ITEM_BYTES;
		big[used++] = '\n';
	}
	big[used] = '\0';
	assert_int_equal(load(&c, big, err), 0);
	assert_int_equal(c.quarantine_allow.n, 64);
	assert_int_equal(strlen(c.quarantine_allow.v[63]), 256);
	assert_int_equal(c.quarantine_allow.v[63][0], 'a' + 63 % 26); /* 'l' */
	for (int entries = 64; entries <= 65; entries++) {
		used = (size_t)snprintf(text, sizeof(text), "quarantine: {allow: [");
		for (int i = 0; i < entries; i++)
			used += (size_t)snprintf(text + used, sizeof(text) - used, "%sx", i ? ", " : "");
		snprintf(text + used, sizeof(text) - used, "]}\n");
		if (entries == 64) {
			assert_int_equal(load(&c, text, err), 0);
			assert_int_equal(c.quarantine_allow.n, 64);
			assert_string_equal(c.quarantine_allow.v[0], "x");
		} else {
			assert_int_equal(load(&c, text, err), -1);
			assert_string_equal(err, NAME ":1:214: quarantine.allow: more than 64 items");
			assert_int_equal(c.quarantine_allow.n, 64); /* the previous list stays */
		}
	}
	conf_free(&c);
}

/*
 * A list replaces the previous one whole; null or [] empties
 * dns_servers (any resolver); host bits are cleared.
 */
static void test_lists_replace_and_empty(void **state)
{
	struct ew_conf c;
	char err[EW_CONF_ERRLEN];

	(void)state;
	conf_init_defaults(&c);
	/* In flow style a block starting with ':' must be quoted (YAML's rule, not ours). */
	assert_int_equal(load(&c, "network:\n  home_networks: [10.1.2.3/16]\n  dns_servers: [\"::1\"]\n",
			      err), 0);
	assert_string_equal(list_text(&c.home_networks), "10.1.0.0/16");
	assert_string_equal(list_text(&c.dns_servers), "::1/128");
	assert_int_equal(load(&c, "network:\n  dns_servers:\n", err), 0);
	assert_int_equal(c.dns_servers.n, 0);
	assert_string_equal(list_text(&c.home_networks), "10.1.0.0/16"); /* untouched */
	assert_int_equal(load(&c, "network: {dns_servers: [10.0.0.1, 10.0.0.2]}\n", err), 0);
	assert_int_equal(load(&c, "network: {dns_servers: []}\n", err), 0);
	assert_int_equal(c.dns_servers.n, 0);
	conf_free(&c);
}

/*
 * 64 blocks load; a 65th is refused at its own column: the flow
 * sequence starts after "network: {home_networks: [" (26 bytes), each
 * entry "10.0.0.1, " is 10 bytes, so entry k (from 1) starts at column
 * 27 + 10 * (k - 1): the 65th at 667.
 */
static void test_list_limit(void **state)
{
	char text[64 + 65 * 10 + 16], err[EW_CONF_ERRLEN];
	size_t used;
	struct ew_conf c;

	(void)state;
	conf_init_defaults(&c);
	for (int entries = 64; entries <= 65; entries++) {
		used = (size_t)snprintf(text, sizeof(text), "network: {home_networks: [");
		for (int i = 0; i < entries; i++)
			used += (size_t)snprintf(text + used, sizeof(text) - used, "%s10.0.0.1",
						 i ? ", " : "");
		snprintf(text + used, sizeof(text) - used, "]}\n");
		if (entries == 64) {
			assert_int_equal(load(&c, text, err), 0);
			assert_int_equal(c.home_networks.n, 64);
		} else {
			assert_int_equal(load(&c, text, err), -1);
			assert_string_equal(err, NAME ":1:667: network.home_networks: more than 64 "
						 "address blocks");
			assert_int_equal(c.home_networks.n, 64); /* the previous list stays */
		}
	}
	conf_free(&c);
}

static void test_flow_style_and_markers(void **state)
{
	struct ew_conf c;
	char err[EW_CONF_ERRLEN];

	(void)state;
	conf_init_defaults(&c);
	assert_int_equal(load(&c,
			      "%YAML 1.1\n---\n"
			      "flow: {max_flows: 16777216, timeouts: {tcp: 86400, tcp_closed: 3600}}\n"
			      "dpi: {max_packets: 255, max_active: 16777216}\n"
			      "...\n",
			      err),
			 0);
	assert_int_equal(c.max_flows, 16777216);
	assert_int_equal(c.tcp_timeout_s, 86400);
	assert_int_equal(c.tcp_closed_timeout_s, 3600);
	assert_int_equal(c.udp_timeout_s, EW_DEFAULT_UDP_TIMEOUT_S);
	assert_int_equal(c.dpi_max_packets, 255);
	assert_int_equal(c.dpi_max_active, 16777216);
	conf_free(&c);
}

/* Texts with nothing to set: the defaults stand. */
static void test_empty_inputs(void **state)
{
	static const char *const texts[] = {
		"", "\n\n", "# only a comment\n# and another\n", "---\n", "--- ~\n", "{}\n",
		"flow:\n  # max_flows: 5\n", "flow:\n  timeouts:\n", "\xef\xbb\xbf# BOM\n",
	};
	char err[EW_CONF_ERRLEN];

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct ew_conf c, ref;

		conf_init_defaults(&c);
		conf_init_defaults(&ref);
		assert_int_equal(load(&c, texts[i], err), 0);
		assert_conf_equal(&c, &ref);
		conf_free(&c);
		conf_free(&ref);
	}
	/* A NULL text of length 0 is an empty file too. */
	{
		struct ew_conf c;

		conf_init_defaults(&c);
		assert_int_equal(conf_load_buffer(&c, NAME, NULL, 0, err), 0);
		conf_free(&c);
	}
}

/* An empty or null filter means none; the previous value is released. */
static void test_filter_unset(void **state)
{
	static const char *const texts[] = {
		"capture:\n  filter: \"\"\n", "capture:\n  filter: ''\n", "capture:\n  filter:\n",
		"capture:\n  filter: ~\n", "capture:\n  filter: null\n",
	};
	char err[EW_CONF_ERRLEN];

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct ew_conf c;

		conf_init_defaults(&c);
		assert_int_equal(load(&c, "capture:\n  filter: tcp\n", err), 0);
		assert_string_equal(c.bpf_filter, "tcp");
		assert_int_equal(load(&c, texts[i], err), 0);
		assert_null(c.bpf_filter);
		conf_free(&c);
	}
}

static void test_string_limits(void **state)
{
	struct ew_conf c;
	char err[EW_CONF_ERRLEN];
	size_t head = strlen("capture:\n  filter: ");
	char *text = malloc(head + EW_CONF_MAX_STRING + 3);

	(void)state;
	assert_non_null(text);
	memcpy(text, "capture:\n  filter: ", head);
	memset(text + head, 'a', EW_CONF_MAX_STRING);
	strcpy(text + head + EW_CONF_MAX_STRING, "\n");
	conf_init_defaults(&c);
	assert_int_equal(load(&c, text, err), 0);
	assert_int_equal(strlen(c.bpf_filter), EW_CONF_MAX_STRING);
	/* One byte more is refused, and the previous value stays. */
	strcpy(text + head + EW_CONF_MAX_STRING, "a\n");
	assert_int_equal(load(&c, text, err), -1);
	assert_string_equal(err, NAME ":2:11: capture.filter: string is longer than 4096 bytes");
	assert_int_equal(strlen(c.bpf_filter), EW_CONF_MAX_STRING);
	/* Escapes and non-ASCII text pass through as bytes. */
	assert_int_equal(load(&c, "output:\n  file: \"caf\\u00e9\\tx.json\"\n", err), 0);
	assert_string_equal(c.output_file, "caf\xc3\xa9\tx.json");
	conf_free(&c);
	free(text);
}

/* Later loads override earlier ones key by key; ASan checks nothing leaks. */
static void test_load_twice(void **state)
{
	struct ew_conf c;
	char err[EW_CONF_ERRLEN];

	(void)state;
	conf_init_defaults(&c);
	assert_int_equal(load(&c,
			      "flow:\n  max_flows: 100\n  timeouts:\n    udp: 5\n"
			      "capture:\n  filter: udp\noutput:\n  file: a.json\n",
			      err),
			 0);
	assert_int_equal(load(&c, "flow:\n  max_flows: 200\noutput:\n  file: b.json\n", err),
			 0);
	assert_int_equal(c.max_flows, 200);
	assert_int_equal(c.udp_timeout_s, 5);
	assert_string_equal(c.bpf_filter, "udp");
	assert_string_equal(c.output_file, "b.json");
	conf_free(&c);
}

/* --------------------------------------------------- failures change nothing */

static void test_failed_load_keeps_conf(void **state)
{
	struct ew_conf c, ref;
	char err[EW_CONF_ERRLEN];
	const char *filter, *file;

	(void)state;
	init_perturbed(&c);
	init_perturbed(&ref);
	filter = c.bpf_filter;
	file = c.output_file;
	/* The strings and numbers before the bad line were already applied to the copy. */
	assert_int_equal(load(&c,
			      "capture:\n  filter: icmp\noutput:\n  file: other.json\n"
			      "flow:\n  timeouts:\n    udp: 1\n  max_flows: 0\n",
			      err),
			 -1);
	assert_string_equal(err, NAME ":8:14: flow.max_flows: 0 is out of range 1..16777216");
	assert_conf_equal(&c, &ref);
	assert_ptr_equal(c.bpf_filter, filter);
	assert_ptr_equal(c.output_file, file);
	conf_free(&c);
	conf_free(&ref);
}

/* ------------------------------------------------------------- bad input */

struct bad_case {
	const char *name;
	const char *text;
	size_t len; /* 0: strlen(text) */
	const char *err;
};

#define BAD(n, t, e) { n, t, 0, e }
#define BAD_LEN(n, t, e) { n, t, sizeof(t) - 1, e }
#define D41 "12345678901234567890123456789012345678901"
/* 257 bytes: one more than a string-list item may hold (5 * 50 + 7). */
#define D50 "12345678901234567890123456789012345678901234567890"
#define ITEM257 D50 D50 D50 D50 D50 "1234567"

/* Not const: cmocka hands each test its case through a void * state. */
static struct bad_case bad_cases[] = {
	/* YAML syntax: libyaml's own words at its own place. */
	BAD("syntax_tab_indent", "flow:\n\tmax_flows: 5\n",
	    NAME ":2:1: found character that cannot start any token"),
	BAD("syntax_bad_indent", "flow:\n  max_flows: 5\n   tcp: 2\n",
	    NAME ":3:7: mapping values are not allowed in this context"),
	BAD("syntax_unclosed_flow", "flow:\n  max_flows: 5\n  timeouts: {tcp: 5\n",
	    NAME ":4:1: did not find expected ',' or '}'"),
	BAD("syntax_unclosed_quote", "output:\n  file: \"x\n",
	    NAME ":3:1: found unexpected end of stream"),
	BAD("syntax_bad_utf8", "output:\n  file: \xff\n",
	    NAME ":2:9: invalid leading UTF-8 octet"),
	BAD("syntax_control_char", "flow:\n  max_flows: 5\x01\n",
	    NAME ":2:15: control characters are not allowed"),
	BAD_LEN("nul_byte", "flow:\n  max_flows: 5\0\n", NAME ":2:15: NUL byte in input"),
	BAD_LEN("nul_byte_after_utf8", "output:\n  file: \"\xc3\xa9\"\0\n",
		NAME ":2:12: NUL byte in input"),
	/* A name out of a setting's list, and one that is not a scalar. */
	BAD("enum_unknown", "detection:\n  min_severity: loud\n",
	    NAME ":2:17: detection.min_severity: 'loud' is not one of info, low, medium, high, "
		 "critical"),
	BAD("enum_case", "detection:\n  min_severity: High\n",
	    NAME ":2:17: detection.min_severity: 'High' is not one of info, low, medium, high, "
		 "critical"),
	BAD("enum_null", "detection:\n  min_severity:\n",
	    NAME ":2:16: detection.min_severity: a value is required"),
	/* daemon, stats, capture: bounds worked out from conf.c's table. */
	BAD("stats_interval_over", "stats:\n  interval: 86401\n",
	    NAME ":2:13: stats.interval: 86401 is out of range 0..86400"),
	BAD("stats_interval_negative", "stats:\n  interval: -1\n",
	    NAME ":2:13: stats.interval: -1 is out of range 0..86400"),
	BAD("daemon_user_empty", "daemon:\n  user: \"\"\n", NAME ":2:9: daemon.user: a value is required"),
	BAD("daemon_user_null", "daemon:\n  user:\n", NAME ":2:8: daemon.user: a value is required"),
	/* 33 bytes: one more than useradd allows. */
	BAD("daemon_user_long", "daemon:\n  user: 123456789012345678901234567890123\n",
	    NAME ":2:9: daemon.user: string is longer than 32 bytes"),
	BAD("daemon_allow_root_word", "daemon:\n  allow_root: maybe\n",
	    NAME ":2:15: daemon.allow_root: 'maybe' is not a boolean (true/false, yes/no, on/off)"),
	BAD("daemon_unknown", "daemon:\n  pid: /run/x\n", NAME ":2:3: unknown key 'daemon.pid'"),
	BAD("capture_snaplen_low", "capture:\n  snaplen: 63\n",
	    NAME ":2:12: capture.snaplen: 63 is out of range 64..262144"),
	BAD("capture_snaplen_high", "capture:\n  snaplen: 262145\n",
	    NAME ":2:12: capture.snaplen: 262145 is out of range 64..262144"),
	BAD("capture_buffer_zero", "capture:\n  buffer_mib: 0\n",
	    NAME ":2:15: capture.buffer_mib: 0 is out of range 1..2047"),
	BAD("capture_buffer_high", "capture:\n  buffer_mib: 2048\n",
	    NAME ":2:15: capture.buffer_mib: 2048 is out of range 1..2047"),
	BAD("threshold_percent_low", "detection:\n  threshold_percent: 24\n",
	    NAME ":2:22: detection.threshold_percent: 24 is out of range 25..1000"),
	BAD("threshold_percent_high", "detection:\n  threshold_percent: 1001\n",
	    NAME ":2:22: detection.threshold_percent: 1001 is out of range 25..1000"),
	/* 16 bytes: IFNAMSIZ with no room for the NUL. */
	BAD("capture_interface_long", "capture:\n  interface: eth0123456789012\n",
	    NAME ":2:14: capture.interface: string is longer than 15 bytes"),
	BAD("capture_promiscuous_number", "capture:\n  promiscuous: 2\n",
	    NAME ":2:16: capture.promiscuous: '2' is not a boolean (true/false, yes/no, on/off)"),
	BAD("capture_immediate_list", "capture:\n  immediate: [yes]\n",
	    NAME ":2:14: capture.immediate: expected a boolean, found a sequence"),
	/* Shape of the document. */
	BAD("top_sequence", "- flow\n- dpi\n", NAME ":1:1: the top level must be a mapping"),
	BAD("top_scalar", "# comment\nflow\n", NAME ":2:1: the top level must be a mapping"),
	BAD("two_documents", "flow:\n  max_flows: 5\n---\ndpi:\n  max_packets: 3\n",
	    NAME ":3:1: only one YAML document is allowed"),
	/* Keys. */
	BAD("unknown_top", "flwo:\n  max_flows: 1\n", NAME ":1:1: unknown key 'flwo'"),
	BAD("unknown_nested", "flow:\n  foo: 1\n", NAME ":2:3: unknown key 'flow.foo'"),
	BAD("unknown_deep", "flow:\n  timeouts:\n    tcpp: 5\n",
	    NAME ":3:5: unknown key 'flow.timeouts.tcpp'"),
	BAD("unknown_empty", "\"\": 1\n", NAME ":1:1: unknown key ''"),
	BAD("unknown_long", "dpi:\n  " D41 D41 ": 1\n",
	    NAME ":2:3: unknown key 'dpi.1234567890123456789012345678901234567890...'"),
	BAD("unknown_control_chars", "\"a\\nb\\0c\": 1\n", NAME ":1:1: unknown key 'a?b?c'"),
	BAD("dotted_key", "flow.max_flows: 5\n",
	    NAME ":1:1: '.' in key 'flow.max_flows'; nest mappings instead"),
	BAD("key_sequence", "[a]: 1\n", NAME ":1:1: a key must be a scalar, not a sequence"),
	BAD("key_mapping", "? {a: 1}\n: 2\n", NAME ":1:3: a key must be a scalar, not a mapping"),
	BAD("duplicate_leaf", "flow:\n  max_flows: 1\n  max_flows: 2\n",
	    NAME ":3:3: duplicate key 'flow.max_flows'"),
	BAD("duplicate_section", "dpi:\n  max_packets: 3\ndpi:\n  max_active: 4\n",
	    NAME ":3:1: duplicate key 'dpi'"),
	BAD("duplicate_flow_style", "flow: {timeouts: {udp: 1, udp: 1}}\n",
	    NAME ":1:27: duplicate key 'flow.timeouts.udp'"),
	/* Node kinds. */
	BAD("mapping_for_integer", "flow:\n  max_flows:\n    a: 1\n",
	    NAME ":3:5: flow.max_flows: expected an integer, found a mapping"),
	BAD("mapping_for_string", "output:\n  file: {a: 1}\n",
	    NAME ":2:9: output.file: expected a string, found a mapping"),
	BAD("scalar_for_section", "flow: 5\n", NAME ":1:7: flow: expected a mapping, found a scalar"),
	BAD("scalar_for_subsection", "flow:\n  timeouts: 30\n",
	    NAME ":2:13: flow.timeouts: expected a mapping, found a scalar"),
	BAD("sequence_for_integer", "flow:\n  max_flows: [1, 2]\n",
	    NAME ":2:14: flow.max_flows: expected an integer, found a sequence"),
	BAD("sequence_for_string", "capture:\n  filter:\n    - tcp\n",
	    NAME ":3:5: capture.filter: expected a string, found a sequence"),
	BAD("sequence_for_section", "dpi: []\n", NAME ":1:6: dpi: expected a mapping, found a sequence"),
	/* Integers. */
	BAD("int_word", "dpi:\n  max_packets: abc\n",
	    NAME ":2:16: dpi.max_packets: 'abc' is not a plain decimal integer"),
	BAD("int_hex", "dpi:\n  max_packets: 0x10\n",
	    NAME ":2:16: dpi.max_packets: '0x10' is not a plain decimal integer"),
	BAD("int_leading_zero", "dpi:\n  max_packets: 010\n",
	    NAME ":2:16: dpi.max_packets: '010' is not a plain decimal integer"),
	BAD("int_plus", "dpi:\n  max_packets: +5\n",
	    NAME ":2:16: dpi.max_packets: '+5' is not a plain decimal integer"),
	BAD("int_underscore", "dpi:\n  max_packets: 1_0\n",
	    NAME ":2:16: dpi.max_packets: '1_0' is not a plain decimal integer"),
	BAD("int_fraction", "dpi:\n  max_packets: 5.0\n",
	    NAME ":2:16: dpi.max_packets: '5.0' is not a plain decimal integer"),
	BAD("int_minus_zero", "dpi:\n  max_active: -0\n",
	    NAME ":2:15: dpi.max_active: '-0' is not a plain decimal integer"),
	BAD("int_quoted_space", "dpi:\n  max_packets: \" 5\"\n",
	    NAME ":2:16: dpi.max_packets: ' 5' is not a plain decimal integer"),
	BAD("int_null", "flow:\n  max_flows:\n", NAME ":2:13: flow.max_flows: a value is required"),
	BAD("int_tilde", "flow:\n  max_flows: ~\n", NAME ":2:14: flow.max_flows: a value is required"),
	BAD("int_negative", "flow:\n  max_flows: -1\n",
	    NAME ":2:14: flow.max_flows: -1 is out of range 1..16777216"),
	BAD("int_overflow_u32", "flow:\n  max_flows: 4294967296\n",
	    NAME ":2:14: flow.max_flows: 4294967296 is out of range 1..16777216"),
	BAD("int_overflow_u64", "flow:\n  max_flows: 99999999999999999999999\n",
	    NAME ":2:14: flow.max_flows: 99999999999999999999999 is out of range 1..16777216"),
	BAD("int_overflow_huge", "flow:\n  max_flows: " D41 "\n",
	    NAME ":2:14: flow.max_flows: 1234567890123456789012345678901234567890..."
		 " is out of range 1..16777216"),
	BAD("int_zero", "flow:\n  max_flows: 0\n",
	    NAME ":2:14: flow.max_flows: 0 is out of range 1..16777216"),
	BAD("int_above_max", "flow:\n  max_flows: 16777217\n",
	    NAME ":2:14: flow.max_flows: 16777217 is out of range 1..16777216"),
	BAD("timeout_zero", "flow:\n  timeouts:\n    tcp: 0\n",
	    NAME ":3:10: flow.timeouts.tcp: 0 is out of range 1..86400"),
	BAD("timeout_above_day", "flow:\n  timeouts:\n    icmp: 86401\n",
	    NAME ":3:11: flow.timeouts.icmp: 86401 is out of range 1..86400"),
	BAD("closed_above_hour", "flow:\n  timeouts:\n    tcp_closed: 3601\n",
	    NAME ":3:17: flow.timeouts.tcp_closed: 3601 is out of range 0..3600"),
	BAD("dpi_packets_256", "dpi:\n  max_packets: 256\n",
	    NAME ":2:16: dpi.max_packets: 256 is out of range 1..255"),
	BAD("dpi_active_above", "dpi: {max_active: 16777217}\n",
	    NAME ":1:19: dpi.max_active: 16777217 is out of range 0..16777216"),
	/* Strings. */
	BAD("string_empty", "output:\n  file: \"\"\n", NAME ":2:9: output.file: a value is required"),
	BAD("string_null", "output:\n  file:\n", NAME ":2:8: output.file: a value is required"),
	BAD("string_nul_escape", "output:\n  file: \"a\\0b\"\n",
	    NAME ":2:9: output.file: NUL byte in string"),
	/* Address-block lists (columns: "  home_networks: " is 17 bytes, "  dns_servers: [" 16). */
	BAD("list_scalar", "network:\n  home_networks: 10.0.0.0/8\n",
	    NAME ":2:18: network.home_networks: expected a list of address blocks, found a scalar"),
	BAD("list_mapping", "network:\n  home_networks: {a: 1}\n",
	    NAME ":2:18: network.home_networks: expected a list of address blocks, found a mapping"),
	BAD("list_empty", "network:\n  home_networks: []\n",
	    NAME ":2:18: network.home_networks: at least 1 address block is required"),
	BAD("list_null", "network:\n  home_networks:\n",
	    NAME ":2:17: network.home_networks: at least 1 address block is required"),
	BAD("list_nested", "network:\n  home_networks: [[10.0.0.0/8]]\n",
	    NAME ":2:19: network.home_networks: expected an address block, found a sequence"),
	BAD("list_item_mapping", "network:\n  home_networks:\n    - {a: 1}\n",
	    NAME ":3:7: network.home_networks: expected an address block, found a mapping"),
	BAD("cidr_v4_prefix", "network:\n  home_networks:\n    - 10.0.0.0/33\n",
	    NAME ":3:7: network.home_networks: bad address block '10.0.0.0/33': prefix 33 is out "
		 "of range for IPv4 (0..32)"),
	BAD("cidr_v6_prefix", "network:\n  dns_servers: [fe80::1/129]\n",
	    NAME ":2:17: network.dns_servers: bad address block 'fe80::1/129': prefix 129 is out "
		 "of range for IPv6 (0..128)"),
	BAD("cidr_two_slashes", "network:\n  dns_servers: [10.0.0.1/8/8]\n",
	    NAME ":2:17: network.dns_servers: bad address block '10.0.0.1/8/8': prefix '8/8' is "
		 "not a number"),
	BAD("cidr_name", "network:\n  home_networks: [example.com]\n",
	    NAME ":2:19: network.home_networks: bad address block 'example.com': 'example.com' is "
		 "not an IPv4 or IPv6 address"),
	BAD("cidr_empty", "network:\n  home_networks: [\"\"]\n",
	    NAME ":2:19: network.home_networks: bad address block '': empty address block"),
	BAD("cidr_null_item", "network:\n  home_networks: [10.0.0.0/8, ~]\n",
	    NAME ":2:31: network.home_networks: bad address block '~': '~' is not an IPv4 or "
		 "IPv6 address"),
	BAD("cidr_nul_escape", "network:\n  dns_servers: [\"10.0.0.1\\0\"]\n",
	    NAME ":2:17: network.dns_servers: NUL byte in address block"),
	BAD("cidr_too_long", "network:\n  dns_servers: [" D41 D41 "]\n",
	    NAME ":2:17: network.dns_servers: bad address block "
		 "'1234567890123456789012345678901234567890...': address block is too long (at "
		 "most 49 characters)"),
	BAD("list_unknown_key", "network:\n  home_network: []\n",
	    NAME ":2:3: unknown key 'network.home_network'"),
	/*
	 * String lists ("  causes: " is 10 bytes, "  causes: [" 11, "  allow: [" 10)
	 * and the delivery keys' bounds.
	 */
	BAD("slist_scalar", "quarantine:\n  causes: anomaly\n",
	    NAME ":2:11: quarantine.causes: expected a list of strings, found a scalar"),
	BAD("slist_mapping", "quarantine:\n  causes: {anomaly: 1}\n",
	    NAME ":2:11: quarantine.causes: expected a list of strings, found a mapping"),
	BAD("slist_item_sequence", "quarantine:\n  allow: [[mac:00:11:22:33:44:55]]\n",
	    NAME ":2:11: quarantine.allow: expected a string, found a sequence"),
	BAD("slist_item_mapping", "quarantine:\n  allow:\n    - {class: plc}\n",
	    NAME ":3:7: quarantine.allow: expected a string, found a mapping"),
	BAD("slist_item_empty", "quarantine:\n  causes: [\"\"]\n",
	    NAME ":2:12: quarantine.causes: empty item"),
	BAD("slist_item_null", "quarantine:\n  causes: [anomaly, ~]\n",
	    NAME ":2:21: quarantine.causes: empty item"),
	BAD("slist_item_nul", "quarantine:\n  causes: [\"a\\0b\"]\n",
	    NAME ":2:12: quarantine.causes: NUL byte in string"),
	BAD("slist_item_too_long", "quarantine:\n  causes:\n    - " ITEM257 "\n",
	    NAME ":3:7: quarantine.causes: item is longer than 256 bytes"),
	BAD("facility_unknown", "output:\n  syslog:\n    facility: local8\n",
	    NAME ":3:15: output.syslog.facility: 'local8' is not one of kern, user, mail, daemon, "
		 "auth, syslog, lpr, news, uucp, cron, authpriv, ftp, ntp, audit, alert, clock, "
		 "local0, local1, local2, local3, local4, local5, local6, local7"),
	BAD("facility_number", "output:\n  syslog:\n    facility: 16\n",
	    NAME ":3:15: output.syslog.facility: '16' is not one of kern, user, mail, daemon, "
		 "auth, syslog, lpr, news, uucp, cron, authpriv, ftp, ntp, audit, alert, clock, "
		 "local0, local1, local2, local3, local4, local5, local6, local7"),
	BAD("syslog_enabled_word", "output:\n  syslog:\n    enabled: maybe\n",
	    NAME ":3:14: output.syslog.enabled: 'maybe' is not a boolean (true/false, yes/no, "
		 "on/off)"),
	BAD("app_name_empty", "output:\n  syslog:\n    app_name: \"\"\n",
	    NAME ":3:15: output.syslog.app_name: a value is required"),
	BAD("app_name_49", "output:\n  syslog:\n    app_name: " D41 "12345678\n",
	    NAME ":3:15: output.syslog.app_name: string is longer than 48 bytes"),
	BAD("privacy_unknown", "output:\n  privacy: pseudonymized\n",
	    NAME ":2:12: output.privacy: 'pseudonymized' is not one of full, pseudonymised, minimal"),
	BAD("privacy_bool", "output:\n  privacy: off\n",
	    NAME ":2:12: output.privacy: 'off' is not one of full, pseudonymised, minimal"),
	BAD("privacy_key_inline", "output:\n  privacy_key: secret\n",
	    NAME ":2:3: unknown key 'output.privacy_key'"),
	BAD("queue_events_zero", "output:\n  queue_events: 0\n",
	    NAME ":2:17: output.queue_events: 0 is out of range 1..16777216"),
	BAD("queue_bytes_above", "output:\n  queue_bytes: 4097\n",
	    NAME ":2:16: output.queue_bytes: 4097 is out of range 1..4096"),
	BAD("redis_connect_above", "output:\n  redis:\n    connect_timeout_ms: 60001\n",
	    NAME ":3:25: output.redis.connect_timeout_ms: 60001 is out of range 1..60000"),
	BAD("redis_maxlen_zero", "output:\n  redis:\n    maxlen: 0\n",
	    NAME ":3:13: output.redis.maxlen: 0 is out of range 1..1000000000"),
	BAD("redis_spool_above", "output:\n  redis:\n    spool_mib: 65537\n",
	    NAME ":3:16: output.redis.spool_mib: 65537 is out of range 0..65536"),
	BAD("redis_inline_password", "output:\n  redis:\n    password: hunter2\n",
	    NAME ":3:5: unknown key 'output.redis.password'"),
	BAD("quarantine_action", "quarantine:\n  action: block\n",
	    NAME ":2:11: quarantine.action: 'block' is not one of isolate, restrict"),
	BAD("quarantine_ttl_short", "quarantine:\n  ttl: 59\n",
	    NAME ":2:8: quarantine.ttl: 59 is out of range 60..604800"),
	BAD("quarantine_per_hour", "quarantine:\n  max_per_hour: 10001\n",
	    NAME ":2:17: quarantine.max_per_hour: 10001 is out of range 0..10000"),
	BAD("sensor_id_65", "quarantine:\n  sensor_id: " D41 "123456789012345678901234\n",
	    NAME ":2:14: quarantine.sensor_id: string is longer than 64 bytes"),
	/* What could make a small file expensive, or mean something we do not do. */
	BAD("anchor", "flow:\n  max_flows: &n 5\n", NAME ":2:14: anchors are not allowed"),
	BAD("anchor_mapping", "flow: &f\n  max_flows: 5\n", NAME ":1:7: anchors are not allowed"),
	BAD("alias", "flow:\n  max_flows: *n\n", NAME ":2:14: aliases are not allowed"),
	BAD("billion_laughs", "a: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\n",
	    NAME ":1:4: anchors are not allowed"),
	BAD("tag", "flow:\n  max_flows: !!int 5\n", NAME ":2:14: tags are not allowed"),
	BAD("local_tag", "output: !file\n  file: x\n", NAME ":1:9: tags are not allowed"),
	BAD("nesting_9", "[[[[[[[[[1]]]]]]]]]\n", NAME ":1:9: nesting is deeper than 8 levels"),
	BAD("nesting_9_in_mapping", "a: [[[[[[[[1]]]]]]]]\n",
	    NAME ":1:11: nesting is deeper than 8 levels"),
};

static void test_bad_case(void **state)
{
	const struct bad_case *bc = *state;
	size_t len = bc->len ? bc->len : strlen(bc->text);
	struct ew_conf c, ref;
	char err[EW_CONF_ERRLEN];

	init_perturbed(&c);
	init_perturbed(&ref);
	assert_int_equal(conf_load_buffer(&c, NAME, bc->text, len, err), -1);
	assert_string_equal(err, bc->err);
	assert_conf_equal(&c, &ref);
	conf_free(&c);
	conf_free(&ref);
}

/* 100000 '[' stop at the ninth, quickly and without growing. */
static void test_deep_nesting_flood(void **state)
{
	size_t n = 100000;
	char *text = malloc(n + 1);
	struct ew_conf c;
	char err[EW_CONF_ERRLEN];

	(void)state;
	assert_non_null(text);
	memset(text, '[', n);
	text[n] = '\0';
	conf_init_defaults(&c);
	assert_int_equal(conf_load_buffer(&c, NAME, text, n, err), -1);
	assert_string_equal(err, NAME ":1:9: nesting is deeper than 8 levels");
	conf_free(&c);
	free(text);
}

static void test_long_name_truncated(void **state)
{
	char name[600];
	struct ew_conf c;
	char err[EW_CONF_ERRLEN];

	(void)state;
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	conf_init_defaults(&c);
	assert_int_equal(conf_load_buffer(&c, name, "x: 1\n", 5, err), -1);
	assert_int_equal(strlen(err), EW_CONF_ERRLEN - 1);
	assert_int_equal(conf_load_buffer(&c, NULL, "x: 1\n", 5, err), -1);
	assert_string_equal(err, "(config):1:1: unknown key 'x'");
	conf_free(&c);
}

/* ---------------------------------------------------------------- files */

static char tmpdir[] = "/tmp/test-conf-XXXXXX";

static const char *tmp_path(const char *base)
{
	static char path[64];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, base);
	return path;
}

static void write_file(const char *path, const char *data, size_t len)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static int files_setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int files_teardown(void **state)
{
	static const char *const names[] = { "good.yaml", "bad.yaml", "big.yaml", "limit.yaml" };

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		unlink(tmp_path(names[i]));
	return rmdir(tmpdir);
}

static void test_file_missing(void **state)
{
	struct ew_conf c;
	char err[EW_CONF_ERRLEN];

	(void)state;
	conf_init_defaults(&c);
	assert_int_equal(conf_load_file(&c, "/nonexistent/edgewatch.yaml", err), -1);
	assert_string_equal(err, "/nonexistent/edgewatch.yaml: No such file or directory");
	assert_int_equal(conf_load_file(&c, tmpdir, err), -1);
	assert_int_equal(strncmp(err, tmpdir, strlen(tmpdir)), 0);
	assert_string_equal(err + strlen(tmpdir), ": Is a directory");
	conf_free(&c);
}

static void test_file_good_and_bad(void **state)
{
	struct ew_conf c;
	char err[EW_CONF_ERRLEN], want[EW_CONF_ERRLEN];
	const char *bad = "dpi:\n  max_packets: 0\n";

	(void)state;
	conf_init_defaults(&c);
	write_file(tmp_path("good.yaml"), full_file, strlen(full_file));
	assert_int_equal(conf_load_file(&c, tmp_path("good.yaml"), err), 0);
	assert_int_equal(c.max_flows, 1000);
	assert_string_equal(c.bpf_filter, "not port 22");
	write_file(tmp_path("bad.yaml"), bad, strlen(bad));
	assert_int_equal(conf_load_file(&c, tmp_path("bad.yaml"), err), -1);
	snprintf(want, sizeof(want), "%s:2:16: dpi.max_packets: 0 is out of range 1..255",
		 tmp_path("bad.yaml"));
	assert_string_equal(err, want);
	assert_int_equal(c.dpi_max_packets, 8);
	conf_free(&c);
}

/* 1 MiB of comments loads; one byte more is refused before parsing. */
static void test_file_size_limit(void **state)
{
	size_t limit = 1024 * 1024;
	char *data = malloc(limit + 1);
	struct ew_conf c;
	char err[EW_CONF_ERRLEN], want[EW_CONF_ERRLEN];

	(void)state;
	assert_non_null(data);
	memset(data, ' ', limit + 1);
	data[0] = '#';
	data[limit - 1] = '\n';
	data[limit] = '\n';
	conf_init_defaults(&c);
	write_file(tmp_path("limit.yaml"), data, limit);
	assert_int_equal(conf_load_file(&c, tmp_path("limit.yaml"), err), 0);
	write_file(tmp_path("big.yaml"), data, limit + 1);
	assert_int_equal(conf_load_file(&c, tmp_path("big.yaml"), err), -1);
	snprintf(want, sizeof(want), "%s: file is larger than 1048576 bytes",
		 tmp_path("big.yaml"));
	assert_string_equal(err, want);
	conf_free(&c);
	free(data);
}

/* ------------------------------------------------- address blocks (util-cidr) */

struct cidr_case {
	const char *text;
	const char *want;    /* formatted block, or NULL when refused */
	unsigned prefix;     /* in the 16-byte space, when accepted */
	const char *err;     /* the message, when refused */
};

static const struct cidr_case cidr_cases[] = {
	/* IPv4 /n is /96+n in the mapped space; host bits are cleared. */
	{ "10.0.0.0/8", "10.0.0.0/8", 104, NULL },
	{ "10.1.2.3/8", "10.0.0.0/8", 104, NULL },
	{ "172.31.255.255/12", "172.16.0.0/12", 108, NULL }, /* 31 = 0001 1111: keep 0001 */
	{ "192.168.1.7", "192.168.1.7/32", 128, NULL },
	{ "0.0.0.0/0", "0.0.0.0/0", 96, NULL },
	{ "10.0.0.1/0008", NULL, 0, "prefix '0008' is not a number" },
	{ "fd00::/8", "fd00::/8", 8, NULL },
	{ "fe80::1:2/10", "fe80::/10", 10, NULL },
	{ "fe80::1/63", "fe80::/63", 63, NULL },
	{ "2001:db8:1:ffff::/63", "2001:db8:1:fffe::/63", 63, NULL }, /* ffff -> fffe */
	{ "::1", "::1/128", 128, NULL },
	{ "::/0", "::/0", 0, NULL },
	{ "::ffff:10.0.0.0/104", "::ffff:10.0.0.0/104", 104, NULL },
	/* Refused. */
	{ "", NULL, 0, "empty address block" },
	{ "10.0.0.0/33", NULL, 0, "prefix 33 is out of range for IPv4 (0..32)" },
	{ "::/129", NULL, 0, "prefix 129 is out of range for IPv6 (0..128)" },
	{ "10.0.0.0/999", NULL, 0, "prefix 999 is out of range for IPv4 (0..32)" },
	{ "10.0.0.0/", NULL, 0, "prefix '' is not a number" },
	{ "10.0.0.0/+8", NULL, 0, "prefix '+8' is not a number" },
	{ "10.0.0.0/ 8", NULL, 0, "prefix ' 8' is not a number" },
	{ "10.0.0.0/8 ", NULL, 0, "prefix '8 ' is not a number" },
	{ "10.0.0.0/-1", NULL, 0, "prefix '-1' is not a number" },
	{ " 10.0.0.0/8", NULL, 0, "' 10.0.0.0' is not an IPv4 or IPv6 address" },
	{ "10.0.0/8", NULL, 0, "'10.0.0' is not an IPv4 or IPv6 address" },
	{ "1.2.3.4.5", NULL, 0, "'1.2.3.4.5' is not an IPv4 or IPv6 address" },
	{ "256.0.0.0/8", NULL, 0, "'256.0.0.0' is not an IPv4 or IPv6 address" },
	{ "gggg::1", NULL, 0, "'gggg::1' is not an IPv4 or IPv6 address" },
	{ "1:2:3:4:5:6:7:8:9", NULL, 0, "'1:2:3:4:5:6:7:8:9' is not an IPv4 or IPv6 address" },
	{ "/8", NULL, 0, "'' is not an IPv4 or IPv6 address" },
	{ "fe80::1%eth0", NULL, 0, "'fe80::1%eth0' is not an IPv4 or IPv6 address" },
	/* 50 characters: one more than the longest block. */
	{ "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/1281", NULL, 0,
	  "address block is too long (at most 49 characters)" },
};

static void test_cidr_parse(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cidr_cases) / sizeof(cidr_cases[0]); i++) {
		const struct cidr_case *t = &cidr_cases[i];
		struct ew_cidr c;
		char err[96] = "untouched", text[EW_CIDR_STRLEN];
		int rc = ew_cidr_parse(t->text, &c, err, sizeof(err));

		if (t->want == NULL) {
			if (rc != -1 || strcmp(err, t->err) != 0)
				fail_msg("'%s': got %d '%s', want -1 '%s'", t->text, rc, err, t->err);
			continue;
		}
		if (rc != 0)
			fail_msg("'%s': refused: %s", t->text, err);
		ew_cidr_format(&c, text, sizeof(text));
		if (strcmp(text, t->want) != 0 || c.prefix != t->prefix)
			fail_msg("'%s': got %s (prefix %u), want %s (%u)", t->text, text, c.prefix,
				 t->want, t->prefix);
	}
	/* The longest block there is (49 characters) is accepted. */
	{
		struct ew_cidr c;

		assert_int_equal(ew_cidr_parse("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/128", &c,
					       NULL, 0), 0);
	}
}

static struct ew_addr addr_of(const char *text)
{
	struct ew_cidr c;

	assert_int_equal(ew_cidr_parse(text, &c, NULL, 0), 0);
	return c.addr;
}

static void test_cidr_contains(void **state)
{
	struct ew_cidr_list l = { NULL, 0, 0 }, copy = { NULL, 0, 0 };
	struct ew_cidr c;
	struct ew_addr any = addr_of("10.1.0.1");
	char small[6];

	(void)state;
	assert_false(ew_cidr_list_contains(&l, &any)); /* empty: nothing is inside */
	assert_int_equal(ew_cidr_parse("10.1.0.0/16", &c, NULL, 0), 0);
	assert_int_equal(ew_cidr_list_add(&l, &c), 0);
	assert_int_equal(ew_cidr_parse("fe80::/10", &c, NULL, 0), 0);
	assert_int_equal(ew_cidr_list_add(&l, &c), 0);
	assert_false(ew_cidr_list_contains(&l, &(struct ew_addr){ 0 })); /* no family */
	{
		struct ew_addr a = addr_of("10.1.255.255");
		assert_true(ew_cidr_list_contains(&l, &a));
		a = addr_of("10.1.0.0");
		assert_true(ew_cidr_list_contains(&l, &a));
		a = addr_of("10.2.0.0");
		assert_false(ew_cidr_list_contains(&l, &a));
		a = addr_of("10.0.255.255");
		assert_false(ew_cidr_list_contains(&l, &a));
		a = addr_of("febf:ffff::1");
		assert_true(ew_cidr_list_contains(&l, &a));
		a = addr_of("fec0::1");
		assert_false(ew_cidr_list_contains(&l, &a));
		/* The mapped form of an IPv4 address is the same 16 bytes. */
		a = addr_of("::ffff:10.1.0.1");
		assert_true(ew_cidr_list_contains(&l, &a));
		a.family = EW_AF_NONE;
		assert_false(ew_cidr_list_contains(&l, &a));
	}
	/* IPv4 /0 is every IPv4 address and no IPv6 one; ::/0 is everything. */
	assert_int_equal(ew_cidr_parse("0.0.0.0/0", &c, NULL, 0), 0);
	{
		struct ew_addr v4 = addr_of("203.0.113.9"), v6 = addr_of("2001:db8::1");
		assert_true(ew_cidr_contains(&c, &v4));
		assert_false(ew_cidr_contains(&c, &v6));
		assert_int_equal(ew_cidr_parse("::/0", &c, NULL, 0), 0);
		assert_true(ew_cidr_contains(&c, &v4));
		assert_true(ew_cidr_contains(&c, &v6));
	}
	/* Copies are deep and equal; free leaves an empty, reusable list. */
	copy.v = l.v; /* as if copied by assignment: overwritten, not freed */
	assert_int_equal(ew_cidr_list_copy(&copy, &l), 0);
	assert_ptr_not_equal(copy.v, l.v);
	assert_true(ew_cidr_list_equal(&copy, &l));
	copy.v[1].prefix = 11;
	assert_false(ew_cidr_list_equal(&copy, &l));
	ew_cidr_list_free(&copy);
	assert_int_equal(copy.n, 0);
	assert_false(ew_cidr_list_equal(&copy, &l));
	assert_int_equal(ew_cidr_list_copy(&copy, &copy), 0); /* empty into itself */
	ew_cidr_list_free(&copy);
	ew_cidr_list_free(NULL);
	/* Formatting into a small buffer cuts, always NUL-terminated. */
	ew_cidr_format(&l.v[0], small, sizeof(small));
	assert_string_equal(small, "10.1.");
	ew_cidr_list_free(&l);
	ew_cidr_list_free(&l);
	assert_null(l.v);
}

/* ------------------------------------------------- daemon, stats, capture */

/* The extremes of each new bound are accepted. */
static void test_daemon_keys(void **state)
{
	static const char text[] =
		"daemon:\n  user: \"12345678901234567890123456789012\"\n  allow_root: yes\n"
		"  pid_file: /run/edgewatch/edgewatch.pid\n"
		"stats:\n  interval: 0\n"
		"capture:\n  interface: eth012345678901\n  snaplen: 64\n  buffer_mib: 2047\n"
		"  promiscuous: off\n  immediate: on\n";
	struct ew_conf c;
	char err[EW_CONF_ERRLEN];

	(void)state;
	conf_init_defaults(&c);
	assert_int_equal(load(&c, text, err), 0);
	assert_string_equal(c.daemon_user, "12345678901234567890123456789012"); /* 32 bytes */
	assert_true(c.daemon_allow_root);
	assert_string_equal(c.daemon_pid_file, "/run/edgewatch/edgewatch.pid");
	assert_int_equal(c.stats_interval_s, 0);
	assert_string_equal(c.capture_interface, "eth012345678901"); /* 15 bytes */
	assert_int_equal(c.capture_snaplen, 64);
	assert_int_equal(c.capture_buffer_mib, 2047);
	assert_false(c.capture_promiscuous);
	assert_true(c.capture_immediate);
	assert_int_equal(load(&c, "stats:\n  interval: 86400\ncapture:\n  snaplen: 262144\n"
				  "  buffer_mib: 1\n  interface: \"\"\n"
				  "daemon:\n  pid_file: \"\"\n", err), 0);
	assert_int_equal(c.stats_interval_s, 86400);
	assert_int_equal(c.capture_snaplen, 262144);
	assert_int_equal(c.capture_buffer_mib, 1);
	assert_null(c.capture_interface); /* empty: unset again */
	assert_null(c.daemon_pid_file);
	conf_free(&c);
}

struct change_log {
	char text[512];
};

static void note_change(void *ctx, const char *key, bool applied)
{
	struct change_log *cl = ctx;
	size_t used = strlen(cl->text);

	snprintf(cl->text + used, sizeof(cl->text) - used, "%s%s=%s", used ? " " : "", key,
		 applied ? "applied" : "restart");
}

/*
 * A reload exchanges the reloadable settings only, and names every change
 * in table order: flow.max_flows, device.rules, network.dns_servers,
 * detection.min_severity, daemon.user, stats.interval.
 */
static void test_take_reloadable(void **state)
{
	static const char text[] =
		"flow:\n  max_flows: 1000\ndevice:\n  rules: /x.yaml\n"
		"network:\n  dns_servers: [192.0.2.53]\ndetection:\n  min_severity: high\n"
		"daemon:\n  user: other\nstats:\n  interval: 5\n";
	struct ew_conf running, fresh;
	struct change_log cl = { "" };
	char err[EW_CONF_ERRLEN];

	(void)state;
	conf_init_defaults(&running);
	conf_init_defaults(&fresh);
	assert_int_equal(load(&fresh, text, err), 0);
	/* 4 reloadable changed: device.rules, dns_servers, min_severity, interval. */
	assert_int_equal(conf_take_reloadable(&running, &fresh, note_change, &cl), 4);
	assert_string_equal(cl.text, "flow.max_flows=restart device.rules=applied "
				     "network.dns_servers=applied detection.min_severity=applied "
				     "daemon.user=restart stats.interval=applied");
	/* Applied: the new values in running, the old ones in fresh (to be freed). */
	assert_int_equal(running.stats_interval_s, 5);
	assert_int_equal(fresh.stats_interval_s, 60);
	assert_int_equal(running.min_severity, 3);
	assert_string_equal(running.device_rules, "/x.yaml");
	assert_null(fresh.device_rules);
	assert_string_equal(list_text(&running.dns_servers), "192.0.2.53/32");
	assert_int_equal(fresh.dns_servers.n, 0);
	/* Not reloadable: running keeps its values. */
	assert_int_equal(running.max_flows, EW_DEFAULT_MAX_FLOWS);
	assert_string_equal(running.daemon_user, "edgewatch");
	conf_free(&fresh);
	/* The same again: the reloadable ones are in already; only the restart ones differ. */
	conf_init_defaults(&fresh);
	assert_int_equal(load(&fresh, text, err), 0);
	cl.text[0] = '\0';
	assert_int_equal(conf_take_reloadable(&running, &fresh, note_change, &cl), 0);
	assert_string_equal(cl.text, "flow.max_flows=restart daemon.user=restart");
	conf_free(&fresh);
	conf_free(&running);
}

/* ----------------------------------------------------------------- main */

#define NBAD (sizeof(bad_cases) / sizeof(bad_cases[0]))

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_default_yaml_equals_table),
		cmocka_unit_test(test_free_null_and_twice),
		cmocka_unit_test(test_full_file),
		cmocka_unit_test(test_lists_replace_and_empty),
		cmocka_unit_test(test_delivery_keys),
		cmocka_unit_test(test_string_list_limits),
		cmocka_unit_test(test_list_limit),
		cmocka_unit_test(test_flow_style_and_markers),
		cmocka_unit_test(test_empty_inputs),
		cmocka_unit_test(test_filter_unset),
		cmocka_unit_test(test_string_limits),
		cmocka_unit_test(test_load_twice),
		cmocka_unit_test(test_failed_load_keeps_conf),
		cmocka_unit_test(test_deep_nesting_flood),
		cmocka_unit_test(test_long_name_truncated),
		cmocka_unit_test(test_daemon_keys),
		cmocka_unit_test(test_take_reloadable),
	};
	const struct CMUnitTest file_tests[] = {
		cmocka_unit_test(test_file_missing),
		cmocka_unit_test(test_file_good_and_bad),
		cmocka_unit_test(test_file_size_limit),
	};
	const struct CMUnitTest cidr_tests[] = {
		cmocka_unit_test(test_cidr_parse),
		cmocka_unit_test(test_cidr_contains),
	};
	struct CMUnitTest bad_tests[NBAD];
	int failed = 0;

	for (size_t i = 0; i < NBAD; i++) {
		struct CMUnitTest t = { bad_cases[i].name, test_bad_case, NULL, NULL,
					&bad_cases[i] };

		bad_tests[i] = t;
	}
	failed += cmocka_run_group_tests_name("conf", tests, NULL, NULL);
	failed += cmocka_run_group_tests_name("cidr", cidr_tests, NULL, NULL);
	failed += cmocka_run_group_tests_name("conf_bad_input", bad_tests, NULL, NULL);
	failed += cmocka_run_group_tests_name("conf_files", file_tests, files_setup,
					      files_teardown);
	return failed == 0 ? 0 : 1;
}
