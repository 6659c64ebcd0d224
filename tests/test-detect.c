/*
 * test-detect.c - unit tests of the signature and policy layer
 * (src/detect-rules-*.c, rules/detections.yaml).
 *
 * First the loader: a table of bad files, each with the exact one-line
 * message expected (line and column counted by hand from the text), the
 * caps, stages and variables.  Then the shipped file: it loads, and each
 * policy rule fires on a hand-built view that should trigger it and on
 * no near miss - the whole set is matched each time and the list of
 * rules that fired compared exactly, so a rule that fires where another
 * was meant is caught too.  Then thresholds (window, per-device counts,
 * the state table's LRU eviction) and explanations, word for word.  Run
 * under ASan to catch leaks from loads that fail half-way.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect-rules-private.h"
#include "detect-rules.h"
#include "dpi.h"
#include "util-cidr.h"

#define NAME "t.yaml"
#define ERRLEN DETECT_RULES_ERRLEN
#define MAXHITS 8
#define SEC EW_USEC_PER_SEC
#define T0 (1700000000ull * SEC) /* any packet time */

/* ------------------------------------------------------------ helpers */

static void cidrs(struct ew_cidr_list *l, const char *const *blocks)
{
	char err[128];

	memset(l, 0, sizeof(*l));
	for (; *blocks != NULL; blocks++) {
		struct ew_cidr c;

		assert_int_equal(ew_cidr_parse(*blocks, &c, err, sizeof(err)), 0);
		assert_int_equal(ew_cidr_list_add(l, &c), 0);
	}
}

#define BLOCKS(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* The test's configuration: home 192.168.1.0/24, resolver 192.168.1.1. */
static struct ew_cidr_list dns_list, home_list, empty_list;

static void vars_init(void)
{
	cidrs(&dns_list, BLOCKS("192.168.1.1"));
	cidrs(&home_list, BLOCKS("192.168.1.0/24", "fd00::/8"));
	memset(&empty_list, 0, sizeof(empty_list));
}

static void vars_done(void)
{
	ew_cidr_list_free(&dns_list);
	ew_cidr_list_free(&home_list);
}

static struct detect_rules *load_vars(const char *text, const struct detect_var *vars,
				      size_t nvars, char *err)
{
	return detect_rules_load_buffer(NAME, text, strlen(text), vars, nvars, err, ERRLEN);
}

static struct detect_rules *load_ok_vars(const char *text, const struct detect_var *vars,
					 size_t nvars)
{
	char err[ERRLEN];
	struct detect_rules *r = load_vars(text, vars, nvars, err);

	if (r == NULL)
		fail_msg("unexpected error: %s", err);
	assert_string_equal(err, "");
	return r;
}

static struct detect_rules *load_ok(const char *text)
{
	return load_ok_vars(text, NULL, 0);
}

static struct ew_addr addr(const char *text)
{
	struct ew_addr a;
	uint8_t b[16];

	memset(&a, 0, sizeof(a));
	if (strchr(text, ':') != NULL) {
		assert_int_equal(inet_pton(AF_INET6, text, b), 1);
		ew_addr_set_v6(&a, b);
	} else {
		assert_int_equal(inet_pton(AF_INET, text, b), 1);
		ew_addr_set_v4(&a, b);
	}
	return a;
}

/*
 * A view of a flow from client to server: internal means inside the
 * test's home networks; the device key is taken from the address text,
 * so each client address is one device.
 */
static struct detect_view view(uint8_t stage, const char *cls, const char *client, const char *server,
			       uint8_t proto, uint16_t dport)
{
	struct detect_view v;

	memset(&v, 0, sizeof(v));
	v.stage = stage;
	v.proto = proto;
	v.client_addr = addr(client);
	v.server_addr = addr(server);
	v.client_port = 40000;
	v.server_port = dport;
	v.client_internal = ew_cidr_list_contains(&home_list, &v.client_addr);
	v.server_internal = ew_cidr_list_contains(&home_list, &v.server_addr);
	v.client_class = cls;
	v.server_class = "";
	for (const char *p = client; *p != '\0'; p++)
		v.client_device_key = v.client_device_key * 31 + (uint8_t)*p;
	v.ts = T0;
	return v;
}

/* The ids of the rules that fire, comma-separated, in file order. */
static const char *fired(const struct detect_rules *r, struct detect_state *st,
			 const struct detect_view *v)
{
	static char out[1024];
	struct detect_hit hits[MAXHITS];
	size_t n = detect_rules_match(r, st, v, hits, MAXHITS);

	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			strcat(out, ",");
		strcat(out, hits[i].rule_id);
	}
	return out;
}

/* Fires exactly one rule and returns its hit. */
static struct detect_hit fire_one(const struct detect_rules *r, struct detect_state *st,
				  const struct detect_view *v)
{
	struct detect_hit hits[MAXHITS];
	size_t n = detect_rules_match(r, st, v, hits, MAXHITS);

	assert_int_equal(n, 1);
	return hits[0];
}

/* ------------------------------------------------------------ loading */

static const char valid_rules[] =
	"# two rules\n"
	"detections:\n"
	"  - id: telnet-out\n"
	"    title: Telnet out\n"
	"    severity: high\n"
	"    match:\n"
	"      client_class: [camera, smart-plug]\n"
	"      proto: tcp\n"
	"      server_port: [23, \"2300-2399\"]\n"
	"      direction: outbound\n"
	"  - {id: creds, title: Creds, severity: critical,\n"
	"     match: {ndpi_risk: [Clear-Text Credentials, possible_exploit], app: \"HTTP*\"}}\n";

static void test_load_valid(void **state)
{
	struct detect_rules *r;
	struct detect_rule_info info;
	struct detect_view v;

	(void)state;
	vars_init();
	r = load_ok(valid_rules);
	assert_int_equal(detect_rules_count(r), 2);
	assert_int_equal(detect_rules_disabled_count(r), 0);
	assert_int_equal(detect_rules_info(r, 0, &info), 0);
	assert_string_equal(info.id, "telnet-out");
	assert_string_equal(info.title, "Telnet out");
	assert_int_equal(info.severity, DETECT_SEV_HIGH);
	assert_int_equal(info.stage, DETECT_FLOW_START);
	assert_false(info.has_threshold);
	assert_false(info.disabled);
	assert_string_equal(info.reason, "");
	assert_int_equal(detect_rules_info(r, 1, &info), 0);
	assert_int_equal(info.severity, DETECT_SEV_CRITICAL);
	assert_int_equal(info.stage, DETECT_FLOW_END);
	assert_int_equal(detect_rules_info(r, 2, &info), -1);

	/* 2350 is inside 2300-2399; 2400 is not; a bulb is not in the list. */
	v = view(DETECT_FLOW_START, "smart-plug", "192.168.1.30", "198.51.100.7", EW_IPPROTO_TCP,
		 2350);
	assert_string_equal(fired(r, NULL, &v), "telnet-out");
	v.server_port = 2400;
	assert_string_equal(fired(r, NULL, &v), "");
	v.server_port = 23;
	v.client_class = "bulb";
	assert_string_equal(fired(r, NULL, &v), "");

	/* Risk by nDPI's text and by alias; app "HTTP*" covers "HTTP.Google", any case. */
	v = view(DETECT_FLOW_END, "computer", "192.168.1.40", "198.51.100.7", EW_IPPROTO_TCP, 80);
	v.app = "http.Google";
	v.ndpi_risk = 1ull << 40; /* possible_exploit */
	assert_string_equal(fired(r, NULL, &v), "creds");
	v.app = "TLS";
	assert_string_equal(fired(r, NULL, &v), "");
	v.app = "HTTP";
	v.ndpi_risk = 1ull << 12; /* http_numeric_ip_host: not in the list */
	assert_string_equal(fired(r, NULL, &v), "");
	/* The same view at another stage: the rule is not tried there. */
	v.ndpi_risk = 1ull << 36;
	assert_string_equal(fired(r, NULL, &v), "creds");
	v.stage = DETECT_FLOW_START;
	assert_string_equal(fired(r, NULL, &v), "");
	v.stage = DETECT_NSTAGES;
	assert_string_equal(fired(r, NULL, &v), "");
	detect_rules_free(r);

	/* NULLs. */
	detect_rules_free(NULL);
	assert_int_equal(detect_rules_count(NULL), 0);
	assert_int_equal(detect_rules_disabled_count(NULL), 0);
	assert_int_equal(detect_rules_info(NULL, 0, &info), -1);
	assert_int_equal(detect_rules_match(NULL, NULL, &v, NULL, 0), 0);
	vars_done();
}

struct bad_case {
	const char *text;
	const char *msg; /* without the "t.yaml:" prefix */
};

#define HEAD "detections:\n  - id: a\n    title: t\n    severity: low\n"

/*
 * Each text with the message it must give.  In texts built on HEAD,
 * line 1 is "detections:", the rule mapping starts at 2:5 ("id"), and
 * what follows starts on line 5.  In "    match: {" the '{' is column
 * 12, so a condition's key starts at 13 and its value after "key: ".
 */
static const struct bad_case bad_cases[] = {
	/* Shape of the file. */
	{ "", "1:1: no rules: expected a mapping with 'detections'" },
	{ "- a\n", "1:1: expected a mapping with 'detections'" },
	{ "{}\n", "1:1: missing 'detections'" },
	{ "rules: []\n", "1:1: unknown key 'rules'" },
	{ "detections: []\ndetections: []\n", "2:1: duplicate key 'detections'" },
	{ "detections: 5\n", "1:13: detections: expected a sequence, found a scalar" },
	{ "detections:\n", "1:12: detections: expected a sequence, found nothing" },
	{ "detections:\n  - foo\n", "2:5: a rule must be a mapping, not a scalar" },
	{ "detections: []\n---\ndetections: []\n", "2:1: only one YAML document is allowed" },
	/* Hostile YAML. */
	{ "detections: [\n", "2:1: did not find expected node content" },
	{ "detections: &x []\n", "1:13: anchors are not allowed" },
	{ "detections: *x\n", "1:13: aliases are not allowed" },
	{ "detections: !!seq []\n", "1:13: tags are not allowed" },
	/* The mapping is level 1, so the eighth '[' (column 13 + 7) is level 9. */
	{ "detections: [[[[[[[[[]]]]]]]]]\n", "1:20: nesting is deeper than 8 levels" },
	{ "detections: [\"\xff\"]\n", "1:15: invalid leading UTF-8 octet" },
	/* Keys of a rule. */
	{ HEAD "    colour: red\n", "5:5: unknown key 'colour' in a rule" },
	{ HEAD "    severity: high\n", "5:5: duplicate key 'severity'" },
	{ HEAD, "2:5: rule 'a': missing 'match'" },
	{ "detections:\n  - title: t\n", "2:5: rule: missing 'id'" },
	{ "detections:\n  - id: a\n    title: t\n    match: {proto: tcp}\n",
	  "2:5: rule 'a': missing 'severity'" },
	{ "detections:\n  - {id: a, title: t, severity: low, match: {proto: tcp}}\n"
	  "  - {id: a, title: t, severity: low, match: {proto: tcp}}\n",
	  "3:10: duplicate rule id 'a' (first on line 2)" },
	{ "detections:\n  - id: Bad_Id\n",
	  "2:9: id: 'Bad_Id' is not 1 to 64 lower-case letters, digits or '-'" },
	{ "detections:\n  - id: a\n    severity: urgent\n",
	  "3:15: severity: 'urgent' is not info, low, medium, high or critical" },
	{ "detections:\n  - id: a\n    severity: [high]\n",
	  "3:15: severity: expected a string, found a sequence" },
	{ "detections:\n  - id: a\n    title: \"a\\tb\"\n",
	  "3:12: title: control character in title" },
	/* 40 + 57 = 97 bytes. */
	{ "detections:\n  - id: a\n    title: \"0123456789012345678901234567890123456789"
	  "012345678901234567890123456789012345678901234567890123456\"\n",
	  "3:12: title: longer than 96 bytes" },
	/* The "match" mapping. */
	{ HEAD "    match: 5\n", "5:12: match: expected a mapping, found a scalar" },
	{ HEAD "    match:\n", "5:11: match: a rule needs at least one condition" },
	{ HEAD "    match: {}\n", "5:12: match: a rule needs at least one condition" },
	{ HEAD "    match: {colour: red}\n", "5:13: unknown condition 'colour'" },
	{ HEAD "    match: {proto: tcp, proto: udp}\n", "5:25: duplicate condition 'proto'" },
	{ HEAD "    match:\n      proto:\n", "6:13: proto: a value is required" },
	{ HEAD "    match: {proto: sctpx}\n",
	  "5:20: proto: 'sctpx' is not a protocol (tcp, udp, icmp, icmpv6 or 0..255)" },
	{ HEAD "    match: {proto: 256}\n",
	  "5:20: proto: '256' is not a protocol (tcp, udp, icmp, icmpv6 or 0..255)" },
	/* Classes. */
	{ HEAD "    match: {client_class: toaster}\n", "5:27: client_class: unknown class 'toaster'" },
	{ HEAD "    match: {client_class: [camera, [x]]}\n",
	  "5:36: client_class: expected a string, found a sequence" },
	{ HEAD "    match: {client_class: [camera, {a: b}]}\n",
	  "5:36: client_class: expected a string, found a mapping" },
	{ HEAD "    match: {client_class: {a: b}}\n",
	  "5:27: client_class: expected a string or a list of strings, found a mapping" },
	{ HEAD "    match: {client_class: [camera, ~]}\n", "5:36: client_class: empty value" },
	{ HEAD "    match: {class_group: iott}\n",
	  "5:26: class_group: unknown class group 'iott' (iot, ot, network, general)" },
	/* Ports. */
	{ HEAD "    match: {server_port: 70000}\n",
	  "5:26: server_port: '70000' is not a port or range such as 23 or 8000-8999 (0..65535)" },
	{ HEAD "    match: {server_port: 9000-8000}\n",
	  "5:26: server_port: '9000-8000' is not a port or range such as 23 or 8000-8999 "
	  "(0..65535)" },
	{ HEAD "    match: {server_port: 8000-}\n",
	  "5:26: server_port: '8000-' is not a port or range such as 23 or 8000-8999 (0..65535)" },
	{ HEAD "    match: {server_port: [23, 023]}\n",
	  "5:31: server_port: '023' is not a port or range such as 23 or 8000-8999 (0..65535)" },
	{ HEAD "    match: {server_port: []}\n", "5:26: server_port: empty list" },
	/* Risks, apps. */
	{ HEAD "    match: {ndpi_risk: [clear_text_credential]}\n",
	  "5:25: ndpi_risk: unknown nDPI risk 'clear_text_credential'" },
	{ HEAD "    match: {ndpi_risk: no_risk}\n", "5:24: ndpi_risk: unknown nDPI risk 'no_risk'" },
	{ HEAD "    match: {app: \"TLS*x\"}\n",
	  "5:18: app: 'TLS*x' is not an nDPI protocol label such as TLS.Google or TLS* "
	  "(letters, digits, '_', '-', '.', a final '*')" },
	{ HEAD "    match: {app: \"*\"}\n", "5:18: app: '*' names no protocol" },
	/* Addresses and variables. */
	{ HEAD "    match: {server_not_in: $RESOLVERS}\n",
	  "5:28: server_not_in: unknown variable '$RESOLVERS'" },
	{ HEAD "    match: {server_not_in: $dns}\n",
	  "5:28: server_not_in: '$dns' is not a variable name ($ and up to 32 of A-Z, 0-9, _)" },
	{ HEAD "    match: {server_in: [10.0.0.0/33]}\n",
	  "5:25: server_in: prefix 33 is out of range for IPv4 (0..32)" },
	{ HEAD "    match: {server_in: [example.com]}\n",
	  "5:25: server_in: 'example.com' is not an IPv4 or IPv6 address" },
	{ HEAD "    match: {client_in: \"0123456789012345678901234567890123456789012345678901\"}\n",
	  "5:24: client_in: '0123456789012345678901234567890123456789...' is not an address "
	  "block" },
	/* Scalars. */
	{ HEAD "    match: {direction: out}\n",
	  "5:24: direction: 'out' is not outbound, inbound, internal or any" },
	{ HEAD "    match: {answered: maybe}\n",
	  "5:23: answered: 'maybe' is not a boolean (true or false)" },
	{ HEAD "    match: {answered: [true]}\n",
	  "5:23: answered: expected a boolean, found a sequence" },
	{ HEAD "    match: {tcp_syn_seq_is_dst: false}\n",
	  "5:33: tcp_syn_seq_is_dst: only true is meaningful" },
	{ HEAD "    match: {min_bytes_toserver: -1}\n",
	  "5:33: min_bytes_toserver: -1 is out of range 0..4294967295" },
	{ HEAD "    match: {min_bytes_toserver: 1e6}\n",
	  "5:33: min_bytes_toserver: '1e6' is not a plain decimal integer" },
	/* Stages. */
	{ HEAD "    match: {tcp_syn_seq_is_dst: true, app: HTTP}\n",
	  "2:5: rule 'a': tcp_syn_seq_is_dst is known only at the SYN and app only at the "
	  "flow's end; make two rules" },
	/*
	 * Thresholds: "    threshold: {" puts the brace at column 16; in
	 * "{distinct: server_addr, count: 100" the 100 is at 16 + 31 = 47.
	 */
	{ HEAD "    match: {proto: tcp}\n    threshold: {seconds: 60}\n",
	  "6:16: threshold: missing 'count'" },
	{ HEAD "    match: {proto: tcp}\n    threshold: {count: 5}\n",
	  "6:16: threshold: missing 'seconds'" },
	{ HEAD "    match: {proto: tcp}\n    threshold: {count: 0, seconds: 60}\n",
	  "6:24: threshold: count: 0 is out of range 1..1000000" },
	{ HEAD "    match: {proto: tcp}\n    threshold: {count: 5, seconds: 86401}\n",
	  "6:36: threshold: seconds: 86401 is out of range 1..86400" },
	{ HEAD "    match: {proto: tcp}\n"
	  "    threshold: {distinct: server_addr, count: 100, seconds: 60}\n",
	  "6:47: threshold: count 100 is out of range 1..64 with distinct" },
	{ HEAD "    match: {proto: tcp}\n"
	  "    threshold: {distinct: client_addr, count: 10, seconds: 60}\n",
	  "6:27: threshold: distinct: 'client_addr' is not server_addr or server_port" },
	{ HEAD "    match: {proto: tcp}\n    threshold: {count: 1, seconds: 1, per: device}\n",
	  "6:39: threshold: unknown key 'per'" },
	{ HEAD "    match: {proto: tcp}\n    threshold: {count: 1, count: 2}\n",
	  "6:27: threshold: duplicate key 'count'" },
	{ HEAD "    match: {proto: tcp}\n    threshold: 5\n",
	  "6:16: threshold: expected a mapping, found a scalar" },
	{ HEAD "    match: {proto: tcp}\n    threshold:\n",
	  "6:15: threshold: expected a mapping, found nothing" },
};

static void test_load_errors(void **state)
{
	struct detect_var vars[] = { { "DNS_SERVERS", &dns_list } };

	(void)state;
	vars_init();
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		char err[ERRLEN], want[ERRLEN + 16];
		struct detect_rules *r = load_vars(bad_cases[i].text, vars, 1, err);

		snprintf(want, sizeof(want), NAME ":%s", bad_cases[i].msg);
		if (r != NULL || strcmp(err, want) != 0)
			fail_msg("case %zu: got %s\n  want %s", i, r != NULL ? "a set" : err, want);
	}
	vars_done();
}

/* A NUL inside a value, and a message cut to a small buffer. */
static void test_load_nul_and_cut(void **state)
{
	static const char text[] = HEAD "    match: {app: \"a\\0b\"}\n";
	static const char raw[] = "detections: []\n\0";
	char err[ERRLEN], small[16];

	(void)state;
	assert_null(load_vars(text, NULL, 0, err));
	assert_string_equal(err, NAME ":5:18: app: control character in value");
	/* A raw NUL byte is refused by the first pass. */
	assert_null(detect_rules_load_buffer(NAME, raw, sizeof(raw) - 1, NULL, 0, err, ERRLEN));
	assert_non_null(strstr(err, "NUL"));
	/* "t.yaml:1:1: missing 'detections'" cut to 15 bytes and a NUL. */
	assert_null(detect_rules_load_buffer(NAME, "{}", 2, NULL, 0, small, sizeof(small)));
	assert_string_equal(small, "t.yaml:1:1: mis");
	assert_null(detect_rules_load_buffer(NAME, "{}", 2, NULL, 0, NULL, 0));
}

static void test_load_caps(void **state)
{
	size_t cap = DETECT_RULES_FILE_MAX + 2; /* room for every text below */
	char *text = calloc(1, cap), err[ERRLEN];
	size_t len;

	(void)state;
	assert_non_null(text);
	/* 1001 rules: the one past the cap is refused at its own line, 1 + 1001 = 1002. */
	len = (size_t)snprintf(text, cap, "detections:\n");
	for (int i = 0; i <= DETECT_RULES_MAX; i++)
		len += (size_t)snprintf(text + len, cap - len,
					"  - {id: r%d, title: t, severity: low, match: {proto: 6}}\n",
					i);
	assert_null(detect_rules_load_buffer(NAME, text, len, NULL, 0, err, ERRLEN));
	assert_string_equal(err, NAME ":1002:5: more than 1000 rules");

	/* 65 ports: "    match: {server_port: [" then "1, " per port; port 65 at 27 + 64 * 3 = 219. */
	len = (size_t)snprintf(text, cap, HEAD "    match: {server_port: [");
	for (int i = 1; i <= DETECT_LIST_MAX + 1; i++)
		len += (size_t)snprintf(text + len, cap - len, "%d%s", i % 10,
					i <= DETECT_LIST_MAX ? ", " : "]}\n");
	assert_null(detect_rules_load_buffer(NAME, text, len, NULL, 0, err, ERRLEN));
	assert_string_equal(err, NAME ":5:219: server_port: more than 64 items");

	/* A file over the cap is refused before it is parsed. */
	assert_null(detect_rules_load_buffer(NAME, text, DETECT_RULES_FILE_MAX + 1, NULL, 0, err,
					     ERRLEN));
	assert_string_equal(err, NAME ": larger than 1048576 bytes");
	free(text);

	assert_null(detect_rules_load_file("/nonexistent/detections.yaml", NULL, 0, err, ERRLEN));
	assert_string_equal(err, "/nonexistent/detections.yaml: No such file or directory");
}

/* Stages: the earliest at which every condition is known. */
static void test_stages(void **state)
{
	struct detect_rules *r = load_ok(
		"detections:\n"
		"  - {id: a, title: t, severity: low, match: {tcp_syn_seq_is_dst: true, "
		"server_port: 23}}\n"
		"  - {id: b, title: t, severity: low, match: {server_port: 23}}\n"
		"  - {id: c, title: t, severity: low, match: {server_port: 23, answered: false}}\n"
		"  - {id: d, title: t, severity: low, match: {min_bytes_toserver: 0}}\n");
	struct detect_rule_info info;
	static const enum detect_stage want[] = { DETECT_SYN, DETECT_FLOW_START, DETECT_FLOW_END,
						  DETECT_FLOW_END };

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(detect_rules_info(r, i, &info), 0);
		assert_int_equal(info.stage, want[i]);
	}
	detect_rules_free(r);
	assert_string_equal(detect_stage_name(DETECT_SYN), "syn");
	assert_string_equal(detect_stage_name(DETECT_FLOW_END), "flow_end");
	assert_string_equal(detect_stage_name(DETECT_NSTAGES), "unknown");
	assert_string_equal(detect_severity_name(DETECT_SEV_CRITICAL), "critical");
	assert_string_equal(detect_severity_name((enum detect_severity)9), "unknown");
}

/* The condition table is indexed by enum detect_cond. */
static void test_cond_table(void **state)
{
	(void)state;
	for (int c = 0; c < DC_COUNT; c++) {
		const char *k = detect_cond_key((enum detect_cond)c);
		const struct detect_cond_def *def = detect_cond_def(k, strlen(k));

		assert_non_null(def);
		assert_int_equal(def->cond, c);
	}
	assert_null(detect_cond_def("proto ", 6));
}

/* Risk names: nDPI's texts (any case) and the aliases, both ways. */
static void test_risk_names(void **state)
{
	(void)state;
	assert_int_equal(dpi_risk_from_name("Clear-Text Credentials"), 36);
	assert_int_equal(dpi_risk_from_name("clear-text credentials"), 36);
	assert_int_equal(dpi_risk_from_name("clear_text_credentials"), 36);
	assert_int_equal(dpi_risk_from_name("possible_exploit"), 40);
	assert_int_equal(dpi_risk_from_name("Known Protocol on Non Standard Port"), 5);
	assert_int_equal(dpi_risk_from_name("suspicious_dga_domain"), 16);
	assert_int_equal(dpi_risk_from_name("CLEAR_TEXT_CREDENTIALS"), -1); /* aliases: exact */
	assert_int_equal(dpi_risk_from_name("Clear-Text Credentials "), -1);
	assert_int_equal(dpi_risk_from_name(""), -1);
	assert_int_equal(dpi_risk_from_name("0"), -1);
	assert_int_equal(dpi_risk_from_name(NULL), -1);
	for (int bit = 1; bit < 42; bit++) {
		assert_non_null(dpi_risk_alias(bit));
		assert_int_equal(dpi_risk_from_name(dpi_risk_alias(bit)), bit);
		assert_int_equal(dpi_risk_from_name(dpi_risk_text(bit)), bit);
	}
	assert_null(dpi_risk_alias(0));
	assert_null(dpi_risk_alias(42));
	assert_null(dpi_risk_text(-1));
	assert_string_equal(dpi_risk_text(36), "Clear-Text Credentials");
}

/* ------------------------------------------------------------ variables */

static const char dns_rule[] =
	"detections:\n"
	"  - id: dns-unexpected-resolver\n"
	"    title: DNS elsewhere\n"
	"    severity: medium\n"
	"    match: {proto: udp, server_port: 53, server_not_in: $DNS_SERVERS, direction: any}\n"
	"  - {id: to-home, title: t, severity: info, match: {server_in: [$HOME_NET, 10.0.0.0/8]}}\n";

static void test_variables(void **state)
{
	struct detect_var vars[] = { { "DNS_SERVERS", &dns_list }, { "HOME_NET", &home_list } };
	struct detect_var empty[] = { { "DNS_SERVERS", &empty_list }, { "HOME_NET", NULL } };
	struct detect_rules *r;
	struct detect_rule_info info;
	struct detect_view v;

	(void)state;
	vars_init();
	/* None configured: both rules are kept, disabled, and say why; nothing fires. */
	r = load_ok_vars(dns_rule, empty, 2);
	assert_int_equal(detect_rules_count(r), 2);
	assert_int_equal(detect_rules_disabled_count(r), 2);
	assert_int_equal(detect_rules_info(r, 0, &info), 0);
	assert_true(info.disabled);
	assert_string_equal(info.reason, "$DNS_SERVERS is empty");
	assert_int_equal(detect_rules_info(r, 1, &info), 0);
	assert_string_equal(info.reason, "$HOME_NET is empty");
	v = view(DETECT_FLOW_START, "camera", "192.168.1.20", "8.8.8.8", EW_IPPROTO_UDP, 53);
	assert_string_equal(fired(r, NULL, &v), "");
	detect_rules_free(r);

	/* 192.168.1.1 configured: 8.8.8.8 fires, 192.168.1.1 does not. */
	r = load_ok_vars(dns_rule, vars, 2);
	assert_int_equal(detect_rules_disabled_count(r), 0);
	assert_string_equal(fired(r, NULL, &v), "dns-unexpected-resolver");
	v.server_addr = addr("192.168.1.1");
	/* ... but it is in $HOME_NET, so the second rule fires. */
	assert_string_equal(fired(r, NULL, &v), "to-home");
	v.server_addr = addr("10.1.2.3"); /* in the literal block, not the resolver */
	assert_string_equal(fired(r, NULL, &v), "dns-unexpected-resolver,to-home");
	v.server_port = 5353;
	assert_string_equal(fired(r, NULL, &v), "to-home");
	detect_rules_free(r);

	/* The set keeps its own copies: the caller's lists may go. */
	r = load_ok_vars(dns_rule, vars, 2);
	vars_done();
	v = view(DETECT_FLOW_START, "camera", "10.0.0.5", "192.168.1.1", EW_IPPROTO_UDP, 53);
	assert_string_equal(fired(r, NULL, &v), "to-home");
	detect_rules_free(r);
}

/* ------------------------------------------------------ the shipped file */

static struct detect_rules *load_repo_rules(const struct ew_cidr_list *dns)
{
	const char *srcdir = getenv("EW_SRCDIR");
	struct detect_var vars[] = { { "DNS_SERVERS", dns }, { "HOME_NET", &home_list } };
	char path[4096], err[ERRLEN];
	struct detect_rules *r;

	snprintf(path, sizeof(path), "%s/rules/detections.yaml", srcdir != NULL ? srcdir : "..");
	r = detect_rules_load_file(path, vars, 2, err, sizeof(err));
	if (r == NULL)
		fail_msg("%s", err);
	return r;
}

static void test_repo_load(void **state)
{
	struct detect_rules *r;
	struct detect_rule_info info;
	size_t stages[DETECT_NSTAGES] = { 0 };

	(void)state;
	vars_init();
	r = load_repo_rules(&dns_list);
	assert_true(detect_rules_count(r) >= 20);
	assert_int_equal(detect_rules_disabled_count(r), 0);
	for (size_t i = 0; i < detect_rules_count(r); i++) {
		assert_int_equal(detect_rules_info(r, i, &info), 0);
		assert_true(strlen(info.title) > 0);
		stages[info.stage]++;
	}
	/* mirai-syn-seq is the one SYN rule; there are policy and nDPI rules. */
	assert_int_equal(stages[DETECT_SYN], 1);
	assert_true(stages[DETECT_FLOW_START] >= 8);
	assert_true(stages[DETECT_FLOW_END] >= 15);
	detect_rules_free(r);

	/* Without resolvers the DNS rule, and only it, is disabled. */
	r = load_repo_rules(&empty_list);
	assert_int_equal(detect_rules_disabled_count(r), 1);
	for (size_t i = 0; i < detect_rules_count(r); i++) {
		assert_int_equal(detect_rules_info(r, i, &info), 0);
		if (info.disabled) {
			assert_string_equal(info.id, "dns-unexpected-resolver");
			assert_string_equal(info.reason, "$DNS_SERVERS is empty");
		}
	}
	detect_rules_free(r);
	vars_done();
}

struct policy_case {
	const char *what;
	uint8_t stage;
	const char *cls, *client, *server;
	uint8_t proto;
	uint16_t port;
	const char *server_class; /* NULL: "" */
	const char *app;
	uint64_t risk;
	bool answered;
	const char *want; /* ids that fire, in file order */
};

#define TCP EW_IPPROTO_TCP
#define UDP EW_IPPROTO_UDP
#define RISK(bit) (1ull << (bit))

/*
 * 192.168.1.0/24 and fd00::/8 are home; 203.0.113.5 and 2001:db8::5 are
 * the Internet.  Each rule's positive case, then its near misses.
 */
static const struct policy_case policy_cases[] = {
	{ "telnet out from a camera", DETECT_FLOW_START, "camera", "192.168.1.20", "203.0.113.5",
	  TCP, 23, NULL, NULL, 0, false, "iot-telnet-outbound" },
	{ "telnet 2323 out from a plug over IPv6", DETECT_FLOW_START, "smart-plug", "fd00::20",
	  "2001:db8::5", TCP, 2323, NULL, NULL, 0, false, "iot-telnet-outbound" },
	{ "telnet out from a PLC", DETECT_FLOW_START, "plc", "192.168.1.21", "203.0.113.5", TCP,
	  23, NULL, NULL, 0, false, "iot-telnet-outbound" },
	{ "telnet out from a computer", DETECT_FLOW_START, "computer", "192.168.1.22",
	  "203.0.113.5", TCP, 23, NULL, NULL, 0, false, "" },
	{ "telnet out from an unknown device", DETECT_FLOW_START, "", "192.168.1.22",
	  "203.0.113.5", TCP, 23, NULL, NULL, 0, false, "" },
	{ "telnet from a camera to the NVR", DETECT_FLOW_START, "camera", "192.168.1.20",
	  "192.168.1.50", TCP, 23, "nvr", NULL, 0, false, "" },
	{ "udp/23 from a camera", DETECT_FLOW_START, "camera", "192.168.1.20", "203.0.113.5", UDP,
	  23, NULL, NULL, 0, false, "" },
	{ "tcp/24 from a camera", DETECT_FLOW_START, "camera", "192.168.1.20", "203.0.113.5", TCP,
	  24, NULL, NULL, 0, false, "" },
	{ "ssh out from a camera", DETECT_FLOW_START, "camera", "192.168.1.20", "203.0.113.5", TCP,
	  22, NULL, NULL, 0, false, "iot-ssh-outbound" },
	{ "ssh from a camera to the NVR", DETECT_FLOW_START, "camera", "192.168.1.20",
	  "192.168.1.50", TCP, 22, "nvr", NULL, 0, false, "" },
	{ "ssh out from the NAS", DETECT_FLOW_START, "nas", "192.168.1.60", "203.0.113.5", TCP, 22,
	  NULL, NULL, 0, false, "" },
	{ "ssh in to a camera from outside", DETECT_FLOW_START, "", "203.0.113.5", "192.168.1.20",
	  TCP, 22, "camera", NULL, 0, false, "" },
	{ "IRC out from a bulb", DETECT_FLOW_START, "bulb", "192.168.1.23", "203.0.113.5", TCP,
	  6667, NULL, NULL, 0, false, "iot-irc-outbound" },
	{ "6670 out from a bulb", DETECT_FLOW_START, "bulb", "192.168.1.23", "203.0.113.5", TCP,
	  6670, NULL, NULL, 0, false, "" },
	{ "SMTP out from a camera", DETECT_FLOW_START, "camera", "192.168.1.20", "203.0.113.5",
	  TCP, 25, NULL, NULL, 0, false, "iot-smtp-outbound" },
	{ "submission out from a camera", DETECT_FLOW_START, "camera", "192.168.1.20",
	  "203.0.113.5", TCP, 587, NULL, NULL, 0, false, "" },
	{ "RDP out from a module", DETECT_FLOW_START, "iot-module", "192.168.1.24", "203.0.113.5",
	  TCP, 3389, NULL, NULL, 0, false, "iot-remote-desktop-outbound" },
	{ "VNC :3 out from a module", DETECT_FLOW_START, "iot-module", "192.168.1.24",
	  "203.0.113.5", TCP, 5903, NULL, NULL, 0, false, "iot-remote-desktop-outbound" },
	{ "VNC :4 out from a module", DETECT_FLOW_START, "iot-module", "192.168.1.24",
	  "203.0.113.5", TCP, 5904, NULL, NULL, 0, false, "" },
	{ "Modbus from outside", DETECT_FLOW_START, "", "203.0.113.5", "192.168.1.70", TCP, 502,
	  "plc", NULL, 0, false, "ot-protocol-inbound" },
	{ "BACnet from outside", DETECT_FLOW_START, "", "203.0.113.5", "192.168.1.71", UDP, 47808,
	  "building-controller", NULL, 0, false, "ot-protocol-inbound" },
	{ "Modbus inside", DETECT_FLOW_START, "hmi", "192.168.1.72", "192.168.1.70", TCP, 502,
	  "plc", NULL, 0, false, "" },
	{ "Modbus out from a PLC", DETECT_FLOW_START, "plc", "192.168.1.70", "203.0.113.5", TCP,
	  502, NULL, NULL, 0, false, "ot-protocol-outbound" },
	{ "Modbus out from a computer", DETECT_FLOW_START, "computer", "192.168.1.22",
	  "203.0.113.5", TCP, 502, NULL, NULL, 0, false, "" },
	{ "DNS to a public resolver", DETECT_FLOW_START, "camera", "192.168.1.20", "8.8.8.8", UDP,
	  53, NULL, NULL, 0, false, "dns-unexpected-resolver" },
	{ "DNS to the configured resolver", DETECT_FLOW_START, "camera", "192.168.1.20",
	  "192.168.1.1", UDP, 53, NULL, NULL, 0, false, "" },
	{ "the resolver forwarding upstream", DETECT_FLOW_START, "router", "192.168.1.1",
	  "8.8.8.8", UDP, 53, NULL, NULL, 0, false, "" },
	{ "DNS from outside to outside", DETECT_FLOW_START, "", "198.51.100.1", "8.8.8.8", UDP, 53,
	  NULL, NULL, 0, false, "" },
	/* At the flow's end. */
	{ "ssh of a camera answered outside", DETECT_FLOW_END, "", "203.0.113.5", "192.168.1.20",
	  TCP, 22, "camera", "SSH", 0, true, "iot-admin-exposed-inbound" },
	{ "ssh of a camera not answered", DETECT_FLOW_END, "", "203.0.113.5", "192.168.1.20",
	  TCP, 22, "camera", "", 0, false, "" },
	{ "ssh of a computer answered outside", DETECT_FLOW_END, "", "203.0.113.5",
	  "192.168.1.22", TCP, 22, "computer", "SSH", 0, true, "" },
	{ "Tor from a TV", DETECT_FLOW_END, "tv", "192.168.1.25", "203.0.113.5", TCP, 9001, NULL,
	  "TLS.Tor", 0, true, "iot-tor" },
	{ "tor from a TV, nDPI's case aside", DETECT_FLOW_END, "tv", "192.168.1.25",
	  "203.0.113.5", TCP, 9001, NULL, "tor", 0, true, "iot-tor" },
	{ "BitTorrent from a TV", DETECT_FLOW_END, "tv", "192.168.1.25", "203.0.113.5", TCP, 6881,
	  NULL, "BitTorrent", 0, true, "" },
	{ "Tor from a computer", DETECT_FLOW_END, "computer", "192.168.1.22", "203.0.113.5", TCP,
	  9001, NULL, "TLS.Tor", 0, true, "" },
	{ "ELF to a camera", DETECT_FLOW_END, "camera", "192.168.1.20", "203.0.113.5", TCP, 80,
	  NULL, "HTTP", RISK(4), true, "iot-binary-download,ndpi-binary-transfer" },
	{ "ELF to a computer", DETECT_FLOW_END, "computer", "192.168.1.22", "203.0.113.5", TCP, 80,
	  NULL, "HTTP", RISK(4), true, "ndpi-binary-transfer" },
	{ "telnet password of a camera", DETECT_FLOW_END, "camera", "192.168.1.20", "203.0.113.5",
	  TCP, 23, NULL, "Telnet", RISK(36), true, "ndpi-clear-text-credentials" },
	{ "Log4Shell and a DGA name", DETECT_FLOW_END, "computer", "192.168.1.22", "203.0.113.5",
	  TCP, 80, NULL, "HTTP", RISK(40) | RISK(16), true,
	  "ndpi-possible-exploit,ndpi-suspicious-dga-domain" },
	{ "no risk at all", DETECT_FLOW_END, "camera", "192.168.1.20", "203.0.113.5", TCP, 443,
	  NULL, "TLS.Amazon", 0, true, "" },
	{ "a risk no rule names (bit 0)", DETECT_FLOW_END, "camera", "192.168.1.20",
	  "203.0.113.5", TCP, 443, NULL, "TLS", RISK(0), true, "" },
};

static void test_repo_policy(void **state)
{
	struct detect_rules *r;

	(void)state;
	vars_init();
	r = load_repo_rules(&dns_list);
	for (size_t i = 0; i < sizeof(policy_cases) / sizeof(policy_cases[0]); i++) {
		const struct policy_case *c = &policy_cases[i];
		struct detect_state *st = detect_state_create(64);
		struct detect_view v = view(c->stage, c->cls, c->client, c->server, c->proto,
					    c->port);
		const char *got;

		v.server_class = c->server_class != NULL ? c->server_class : "";
		v.app = c->app;
		v.ndpi_risk = c->risk;
		v.answered = c->answered;
		got = fired(r, st, &v);
		if (strcmp(got, c->want) != 0)
			fail_msg("%s: fired '%s', want '%s'", c->what, got, c->want);
		detect_state_destroy(st);
	}
	detect_rules_free(r);
	vars_done();
}

/*
 * Mirai: 203.0.113.5 is 0xcb.0x00.0x71.0x05, so a SYN with sequence
 * number 0xcb007105 has the trait.  The rule wants two such SYNs from
 * one device in 300 s.
 */
static void test_repo_mirai(void **state)
{
	struct detect_rules *r;
	struct detect_state *st = detect_state_create(64);
	struct detect_view v;
	struct detect_hit hit;

	(void)state;
	vars_init();
	r = load_repo_rules(&dns_list);
	v = view(DETECT_SYN, "camera", "192.168.1.20", "203.0.113.5", TCP, 23);
	v.tcp_seq = 0xcb007106; /* dst + 1: never */
	for (int i = 0; i < 5; i++)
		assert_string_equal(fired(r, st, &v), "");
	v.tcp_seq = 0xcb007105;
	v.stage = DETECT_FLOW_START; /* the trait is looked at only at the SYN stage */
	assert_string_equal(fired(r, st, &v), "iot-telnet-outbound");
	v.stage = DETECT_SYN;
	assert_string_equal(fired(r, st, &v), "");
	v.ts += 299 * SEC;
	hit = fire_one(r, st, &v);
	assert_string_equal(hit.rule_id, "mirai-syn-seq");
	assert_int_equal(hit.severity, DETECT_SEV_CRITICAL);
	assert_int_equal(hit.stage, DETECT_SYN);
	assert_int_equal(hit.threshold_count, 2);
	assert_string_equal(hit.explain,
			    "camera 192.168.1.20 sent 2 matching SYNs within 300 s (threshold 2), "
			    "the last tcp/23 to 203.0.113.5 (external), sequence number "
			    "0xcb007105 = destination address; rule mirai-syn-seq: Mirai scanner "
			    "SYN (sequence number equals destination address)");
	/* Once per window. */
	assert_string_equal(fired(r, st, &v), "");
	/* The trait needs IPv4 and TCP. */
	v.proto = UDP;
	v.ts += 600 * SEC;
	assert_string_equal(fired(r, st, &v), "");
	assert_string_equal(fired(r, st, &v), "");
	detect_rules_free(r);
	detect_state_destroy(st);
	vars_done();
}

/* ------------------------------------------------------------ thresholds */

static void test_sweep_threshold(void **state)
{
	struct detect_rules *r;
	struct detect_state *st = detect_state_create(64);
	struct detect_view v;
	struct detect_hit hit;
	char server[32];

	(void)state;
	vars_init();
	r = load_repo_rules(&dns_list);
	v = view(DETECT_FLOW_START, "camera", "192.168.1.20", "192.168.1.100", TCP, 80);
	/* 15 distinct servers, .100 to .114, each twice: no alert. */
	for (int i = 0; i < 30; i++) {
		snprintf(server, sizeof(server), "192.168.1.%d", 100 + i % 15);
		v.server_addr = addr(server);
		v.ts = T0 + (uint64_t)i * SEC;
		assert_string_equal(fired(r, st, &v), "");
	}
	/* Multicast is not counted. */
	v.server_addr = addr("239.255.255.250");
	v.server_internal = true;
	assert_string_equal(fired(r, st, &v), "");
	v.server_internal = false;
	/* The 16th, at T0 + 59 s: within the window that began at T0. */
	v.server_addr = addr("192.168.1.115");
	v.server_internal = true;
	v.ts = T0 + 59 * SEC;
	hit = fire_one(r, st, &v);
	assert_string_equal(hit.rule_id, "internal-sweep");
	assert_int_equal(hit.severity, DETECT_SEV_MEDIUM);
	assert_int_equal(hit.threshold_count, 16);
	assert_string_equal(hit.explain,
			    "camera 192.168.1.20 opened flows to 16 distinct internal addresses "
			    "within 60 s (threshold 16), the last tcp/80 to 192.168.1.115 "
			    "(internal); rule internal-sweep: Sweep of internal addresses");
	/* Once per window: the 17th does not fire again. */
	v.server_addr = addr("192.168.1.116");
	assert_string_equal(fired(r, st, &v), "");
	/* T0 + 60 s starts a new window, which counts from one again: 15 quiet, the 16th fires. */
	for (int i = 0; i < 16; i++) {
		snprintf(server, sizeof(server), "192.168.1.%d", 200 + i);
		v.server_addr = addr(server);
		v.ts = T0 + 60 * SEC + (uint64_t)i * SEC;
		assert_string_equal(fired(r, st, &v), i < 15 ? "" : "internal-sweep");
	}
	assert_int_equal(detect_state_stats(st)->fired, 2);
	/* internal-sweep and internal-port-scan each started 2 windows for this device. */
	assert_int_equal(detect_state_stats(st)->windows, 4);
	assert_int_equal(detect_state_stats(st)->entries, 2);
	detect_rules_free(r);
	detect_state_destroy(st);
	vars_done();
}

/* Two devices of 10 servers each are 10 and 10, not 20. */
static void test_threshold_per_device(void **state)
{
	struct detect_rules *r;
	struct detect_state *st = detect_state_create(64);
	char server[32];

	(void)state;
	vars_init();
	r = load_repo_rules(&dns_list);
	for (int i = 0; i < 20; i++) {
		struct detect_view v = view(DETECT_FLOW_START, "camera",
					    i < 10 ? "192.168.1.20" : "192.168.1.21",
					    "192.168.1.100", TCP, 80);

		snprintf(server, sizeof(server), "192.168.1.%d", 100 + i);
		v.server_addr = addr(server);
		assert_string_equal(fired(r, st, &v), "");
	}
	/*
	 * A client without a device key is counted by its address, apart from
	 * its keyed entry: 6 more servers from .20 are 6, not 16.
	 */
	for (int i = 0; i < 6; i++) {
		struct detect_view v = view(DETECT_FLOW_START, "camera", "192.168.1.20",
					    "192.168.1.100", TCP, 80);

		v.client_device_key = 0;
		snprintf(server, sizeof(server), "192.168.1.%d", 150 + i);
		v.server_addr = addr(server);
		assert_string_equal(fired(r, st, &v), "");
	}
	detect_rules_free(r);
	detect_state_destroy(st);
	vars_done();
}

static const char count_rule[] =
	"detections:\n"
	"  - id: telnet-burst\n"
	"    title: Telnet burst\n"
	"    severity: low\n"
	"    match: {server_port: 23}\n"
	"    threshold: {count: 3, seconds: 10}\n"
	"  - id: port-scan\n"
	"    title: Port scan\n"
	"    severity: low\n"
	"    match: {server_port: 1000-1999}\n"
	"    threshold: {distinct: server_port, count: 3, seconds: 10}\n";

static void test_count_threshold(void **state)
{
	struct detect_rules *r = load_ok(count_rule);
	struct detect_state *st = detect_state_create(16);
	struct detect_view v;
	struct detect_hit hit;

	(void)state;
	vars_init();
	v = view(DETECT_FLOW_START, "", "192.168.1.20", "203.0.113.5", TCP, 23);
	/* Count mode: the same flow counts each time; the third fires, the fourth not. */
	assert_string_equal(fired(r, st, &v), "");
	assert_string_equal(fired(r, st, &v), "");
	hit = fire_one(r, st, &v);
	assert_string_equal(hit.explain,
			    "device 192.168.1.20 opened 3 matching flows within 10 s (threshold "
			    "3), the last tcp/23 to 203.0.113.5 (external); rule telnet-burst: "
			    "Telnet burst");
	assert_string_equal(fired(r, st, &v), "");
	/* Out of order (older than the window start) counts in the current window. */
	v.ts = T0 - 5 * SEC;
	assert_string_equal(fired(r, st, &v), "");
	/* Distinct ports: 1000, 1000, 1001, then 1002 reaches 3. */
	v.ts = T0;
	v.server_port = 1000;
	assert_string_equal(fired(r, st, &v), "");
	assert_string_equal(fired(r, st, &v), "");
	v.server_port = 1001;
	assert_string_equal(fired(r, st, &v), "");
	v.server_port = 1002;
	hit = fire_one(r, st, &v);
	assert_string_equal(hit.explain,
			    "device 192.168.1.20 opened flows to 3 distinct server ports within "
			    "10 s (threshold 3), the last tcp/1002 to 203.0.113.5 (external); "
			    "rule port-scan: Port scan");
	/* Without state, threshold rules never fire. */
	v.server_port = 23;
	assert_string_equal(fired(r, NULL, &v), "");
	/* Cleared state starts over. */
	detect_state_clear(st);
	assert_int_equal(detect_state_stats(st)->entries, 0);
	assert_string_equal(fired(r, st, &v), "");
	assert_string_equal(fired(r, st, &v), "");
	assert_string_equal(fired(r, st, &v), "telnet-burst");
	detect_rules_free(r);
	detect_state_destroy(st);
	vars_done();
}

/*
 * A table of 2 entries and three devices A, B, C, each wanting 3 telnet
 * flows: A 2, B 2, then C takes A's entry (least recently used), and A's
 * third flow starts it over at 1, taking B's entry; B's third flow
 * starts B over too.  Then A: 1 + 2 more = 3 fires.
 */
static void test_state_eviction(void **state)
{
	struct detect_rules *r = load_ok(count_rule);
	struct detect_state *st = detect_state_create(2);
	struct detect_view a, b, c;

	(void)state;
	vars_init();
	assert_null(detect_state_create(0));
	assert_null(detect_state_create(DETECT_STATE_MAX_ENTRIES + 1));
	a = view(DETECT_FLOW_START, "", "192.168.1.1", "203.0.113.5", TCP, 23);
	b = view(DETECT_FLOW_START, "", "192.168.1.2", "203.0.113.5", TCP, 23);
	c = view(DETECT_FLOW_START, "", "192.168.1.3", "203.0.113.5", TCP, 23);
	assert_string_equal(fired(r, st, &a), "");
	assert_string_equal(fired(r, st, &a), "");
	assert_string_equal(fired(r, st, &b), "");
	assert_string_equal(fired(r, st, &b), "");
	assert_int_equal(detect_state_stats(st)->evictions, 0);
	assert_string_equal(fired(r, st, &c), "");              /* evicts A */
	assert_int_equal(detect_state_stats(st)->evictions, 1);
	assert_string_equal(fired(r, st, &a), "");              /* A at 1, evicts B */
	assert_string_equal(fired(r, st, &b), "");              /* B at 1, evicts C */
	assert_int_equal(detect_state_stats(st)->evictions, 3);
	assert_int_equal(detect_state_stats(st)->entries, 2);
	assert_int_equal(detect_state_stats(st)->max_entries, 2);
	assert_string_equal(fired(r, st, &a), "");              /* A at 2 */
	assert_string_equal(fired(r, st, &a), "telnet-burst");  /* A at 3 */
	/* B kept its entry: at 2, then 3 fires; nothing more was evicted. */
	assert_string_equal(fired(r, st, &b), "");
	assert_string_equal(fired(r, st, &b), "telnet-burst");
	assert_int_equal(detect_state_stats(st)->evictions, 3);
	detect_rules_free(r);
	detect_state_destroy(st);
	detect_state_destroy(NULL);
	vars_done();
}

/* ------------------------------------------------------------ explanations */

static void test_explain(void **state)
{
	struct detect_rules *r;
	struct detect_view v;
	struct detect_hit hit, hits[1];
	struct detect_state *st = detect_state_create(4);
	char name[300];

	(void)state;
	vars_init();
	r = load_repo_rules(&dns_list);
	v = view(DETECT_FLOW_START, "camera", "192.168.1.20", "203.0.113.5", TCP, 23);
	hit = fire_one(r, st, &v);
	assert_string_equal(hit.title, "Telnet opened by an IoT device");
	assert_int_equal(hit.severity, DETECT_SEV_HIGH);
	assert_int_equal(hit.threshold_count, 0);
	assert_string_equal(hit.explain,
			    "camera 192.168.1.20 opened tcp/23 to 203.0.113.5 (external); rule "
			    "iot-telnet-outbound: Telnet opened by an IoT device");

	/* At the flow's end: the label, the name, the risks the rule named. */
	v.stage = DETECT_FLOW_END;
	v.app = "Telnet";
	v.server_name = "bad.example";
	v.ndpi_risk = RISK(36) | RISK(22); /* credentials; unsafe_protocol is another rule's */
	v.answered = true;
	assert_int_equal(detect_rules_match(r, st, &v, hits, 1), 1);
	assert_string_equal(hits[0].explain,
			    "camera 192.168.1.20 opened tcp/23 to 203.0.113.5 (external), app "
			    "Telnet, name bad.example, nDPI risk Clear-Text Credentials; rule "
			    "ndpi-clear-text-credentials: Clear-text credentials (nDPI)");
	/* Two rules fired, room for one: the other is counted as dropped. */
	assert_int_equal(detect_state_stats(st)->hits_dropped, 1);
	assert_int_equal(detect_rules_match(r, st, &v, hits, 0), 0);
	/* unsafe_protocol's window fired above, so only credentials is dropped now. */
	assert_int_equal(detect_state_stats(st)->hits_dropped, 2);

	/*
	 * A hostile server name of 299 bytes and both IPv6 addresses at full
	 * length: the name is cut to 64 bytes, and the whole stays within the
	 * buffer with the rule's part intact.
	 */
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	v = view(DETECT_FLOW_END, "camera", "fd00:1111:2222:3333:4444:5555:6666:7777",
		 "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff", TCP, 80);
	v.app = "HTTP";
	v.server_name = name;
	v.ndpi_risk = RISK(40) | RISK(1) | RISK(2) | RISK(3);
	hit = fire_one(r, st, &v);
	assert_string_equal(hit.rule_id, "ndpi-possible-exploit");
	assert_true(strlen(hit.explain) < DETECT_EXPLAIN_MAX);
	assert_non_null(strstr(hit.explain, "nnnnnnnn, nDPI risk XSS Attack + SQL Injection + 2 "
					    "more; rule ndpi-possible-exploit: Possible exploit in "
					    "a flow (nDPI)"));
	assert_non_null(strstr(hit.explain, ", name nnnn"));
	assert_null(strstr(hit.explain, "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"));
	detect_rules_free(r);

	/* A 64-byte id, a 96-byte title and a long description: the description gives way. */
	r = load_ok("detections:\n"
		    "  - id: long-title-01234567890123456789012345678901234567890123456789012\n"
		    "    title: \"0123456789012345678901234567890123456789012345678901234567890123"
		    "45678901234567890123456789012345\"\n"
		    "    severity: info\n"
		    "    match: {app: \"H*\", answered: false, min_bytes_toserver: 0}\n");
	v.answered = false;
	v.bytes_toserver = 18446744073709551615ull;
	v.client_class = "a-very-long-class-name-that-no-device-has-but-the-view-is-hostile";
	hit = fire_one(r, NULL, &v);
	/*
	 * The suffix "; rule <64-byte id>: <96-byte title>" is 7 + 64 + 2 + 96
	 * = 169 bytes, so the description keeps 384 - 169 - 1 = 214 bytes, the
	 * last three of them "..." (211..213), and the whole is 383 bytes.
	 */
	assert_int_equal(strlen(hit.explain), DETECT_EXPLAIN_MAX - 1);
	assert_memory_equal(hit.explain + 211, "...; rule long-title-", 21);
	assert_memory_equal(hit.explain, "a-very-long-class-name", 22);
	detect_rules_free(r);
	detect_state_destroy(st);
	vars_done();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_valid),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_load_nul_and_cut),
		cmocka_unit_test(test_load_caps),
		cmocka_unit_test(test_stages),
		cmocka_unit_test(test_cond_table),
		cmocka_unit_test(test_risk_names),
		cmocka_unit_test(test_variables),
		cmocka_unit_test(test_repo_load),
		cmocka_unit_test(test_repo_policy),
		cmocka_unit_test(test_repo_mirai),
		cmocka_unit_test(test_sweep_threshold),
		cmocka_unit_test(test_threshold_per_device),
		cmocka_unit_test(test_count_threshold),
		cmocka_unit_test(test_state_eviction),
		cmocka_unit_test(test_explain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
