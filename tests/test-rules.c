/*
 * test-rules.c - unit tests of the device fingerprint rules
 * (src/device-rules-*.c, rules/devices.yaml).
 *
 * First the loader: a valid file, then a table of bad files, each with the
 * exact one-line message expected, line and column worked out by hand
 * from the text, and the caps (rules, patterns, bytes).  Then the matcher:
 * globs against fnmatch(3), DNS suffixes, and scoring cases whose totals,
 * tie-breaks and confidences are worked out by hand in the comments.
 * Last, the real rule file: it loads, and it classifies the twelve
 * devices of pcaps/smart-home.pcap as their README says they are, from
 * the signals edgewatch's inventory reports for them.  Run under ASan
 * to catch leaks, notably from loads that fail half-way.
 */
#define _GNU_SOURCE /* FNM_CASEFOLD */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device-rules-private.h"
#include "device-rules.h"
#include "device-table.h"

#define NAME "t.yaml"
#define ERRLEN DEVICE_RULES_ERRLEN

/* ------------------------------------------------------------ helpers */

/* A device record with room for its signal values. */
struct test_device {
	struct device d;
	char store[SIG_KIND_MAX][DEVICE_SIGNAL_SLOTS][DEVICE_SIGNAL_VALUE_MAX + 1];
};

static void dev_init(struct test_device *t, const char *vendor)
{
	memset(t, 0, sizeof(*t));
	t->d.vendor = vendor;
}

static void dev_sig(struct test_device *t, enum device_signal_kind k, const char *v)
{
	struct device_signal_set *set = &t->d.sig[k];

	/* Cut like the device table cuts (snprintf would warn about it). */
	size_t n = strnlen(v, sizeof(t->store[k][set->n]) - 1);

	assert_true(set->n < DEVICE_SIGNAL_SLOTS);
	memcpy(t->store[k][set->n], v, n);
	t->store[k][set->n][n] = '\0';
	set->slot[set->n].value = t->store[k][set->n];
	set->slot[set->n].count = 1;
	set->n++;
}

/* Adds each value of a NULL-terminated list. */
static void dev_sigs(struct test_device *t, enum device_signal_kind k, const char *const *v)
{
	for (; *v != NULL; v++)
		dev_sig(t, k, *v);
}

static struct device_rules *load(const char *text, char *err)
{
	return device_rules_load_buffer(NAME, text, strlen(text), err, ERRLEN);
}

/* Loads text that must be good. */
static struct device_rules *load_ok(const char *text)
{
	char err[ERRLEN];
	struct device_rules *r = load(text, err);

	if (r == NULL)
		fail_msg("unexpected error: %s", err);
	assert_string_equal(err, "");
	return r;
}

/*
 * Loads rules that must be good and classifies d with them.  Strings in
 * *out point into the set, so the set is kept until the next call (or
 * classify_done()) frees it.
 */
static struct device_rules *last_rules;

static void classify_done(void)
{
	device_rules_free(last_rules);
	last_rules = NULL;
}

static void classify_text(const char *rules, const struct device *d, struct device_class *out)
{
	classify_done();
	last_rules = load_ok(rules);
	device_rules_classify(last_rules, d, out);
}

/* ------------------------------------------------------------ loading */

static const char valid_rules[] =
	"# two rules\n"
	"rules:\n"
	"  - id: hik-cam\n"
	"    class: camera\n"
	"    vendor: Hikvision\n"
	"    model: DS-2CD\n"
	"    weight: 80\n"
	"    when:\n"
	"      vendor: [\"Hangzhou Hikvision*\"]\n"
	"      dhcp_hostname: DS-2CD*\n"
	"  - {id: rtsp, class: camera, weight: 40, when: {service_port: [tcp/554, \"udp/554\"]}}\n";

static void test_load_valid(void **state)
{
	struct device_rules *r;
	struct test_device t;
	struct device_class c;

	(void)state;
	r = load_ok(valid_rules);
	assert_int_equal(device_rules_count(r), 2);
	dev_init(&t, "Hangzhou Hikvision Digital Technology Co.,Ltd.");
	dev_sig(&t, SIG_DHCP_HOSTNAME, "DS-2CD2043G2-I");
	dev_sig(&t, SIG_SERVICE_PORT, "tcp/80");
	dev_sig(&t, SIG_SERVICE_PORT, "tcp/554");
	device_rules_classify(r, &t.d, &c);
	/* camera = 80 + 40 = 120, nothing else: confidence min(120,100) * 120/120 = 100. */
	assert_string_equal(c.class_name, "camera");
	assert_int_equal(c.score, 120);
	assert_int_equal(c.runner_up, 0);
	assert_int_equal(c.confidence, 100);
	assert_string_equal(c.vendor, "Hikvision");
	assert_string_equal(c.model, "DS-2CD");
	/* Heaviest rule first, its conditions in file order. */
	assert_int_equal(c.nevidence, 3);
	assert_int_equal(c.evidence_dropped, 0);
	assert_string_equal(c.evidence[0].rule_id, "hik-cam");
	assert_string_equal(c.evidence[0].what, "vendor");
	assert_string_equal(c.evidence[0].value, "Hangzhou Hikvision Digital Technology Co.,Ltd.");
	assert_string_equal(c.evidence[0].pattern, "Hangzhou Hikvision*");
	assert_int_equal(c.evidence[0].weight, 80);
	assert_string_equal(c.evidence[1].what, "dhcp_hostname");
	assert_string_equal(c.evidence[1].value, "DS-2CD2043G2-I");
	assert_string_equal(c.evidence[1].pattern, "DS-2CD*");
	assert_string_equal(c.evidence[2].rule_id, "rtsp");
	assert_string_equal(c.evidence[2].what, "service_port");
	assert_string_equal(c.evidence[2].value, "tcp/554");
	assert_string_equal(c.evidence[2].pattern, "tcp/554");
	assert_int_equal(c.evidence[2].weight, 40);
	device_rules_free(r);
}

static void test_load_empty_list_and_null(void **state)
{
	struct device_rules *r;
	char err[ERRLEN];

	(void)state;
	r = load_ok("rules: []\n");
	assert_int_equal(device_rules_count(r), 0);
	device_rules_free(r);
	device_rules_free(NULL);
	assert_int_equal(device_rules_count(NULL), 0);
	/* NULL text is empty text; NULL err is allowed. */
	assert_null(device_rules_load_buffer("x", NULL, 5, err, sizeof(err)));
	assert_string_equal(err, "x:1:1: no rules: expected a mapping with 'rules'");
	assert_null(device_rules_load_buffer("x", "rules: 1", 8, NULL, 0));
}

struct bad_case {
	const char *text;
	const char *msg; /* without the "t.yaml:" prefix */
};

#define RULE_HEAD "rules:\n  - id: a\n    class: camera\n    weight: 10\n"

/*
 * Each text with the message it must give.  In texts built on RULE_HEAD,
 * line 1 is "rules:", the rule mapping starts at 2:5 ("id"), class is
 * on line 3, weight on line 4, and what follows starts on line 5.
 */
static const struct bad_case bad_cases[] = {
	/* Shape of the file. */
	{ "", "1:1: no rules: expected a mapping with 'rules'" },
	{ "# only a comment\n", "2:1: no rules: expected a mapping with 'rules'" },
	{ "hello\n", "1:1: expected a mapping with 'rules'" },
	{ "- a\n", "1:1: expected a mapping with 'rules'" },
	{ "{}\n", "1:1: missing 'rules'" },
	{ "rule:\n  - id: a\n", "1:1: unknown key 'rule'" },
	{ "rules: []\nrules: []\n", "2:1: duplicate key 'rules'" },
	{ "[a]: 1\n", "1:1: a key must be a scalar, not a sequence" },
	{ "rules: 5\n", "1:8: rules: expected a sequence, found a scalar" },
	{ "rules: {}\n", "1:8: rules: expected a sequence, found a mapping" },
	{ "rules:\n", "1:7: rules: expected a sequence, found nothing" },
	{ "rules:\n  - foo\n", "2:5: a rule must be a mapping, not a scalar" },
	{ "rules: [[]]\n", "1:9: a rule must be a mapping, not a sequence" },
	{ "rules: []\n---\nrules: []\n", "2:1: only one YAML document is allowed" },
	/* YAML we refuse, and YAML that is not YAML. */
	{ "rules: [\n", "2:1: did not find expected node content" },
	{ "rules:\n  - {id: a\n", "3:1: did not find expected ',' or '}'" },
	{ "rules: *x\n", "1:8: aliases are not allowed" },
	{ "rules: &x []\n", "1:8: anchors are not allowed" },
	{ "rules: !!seq []\n", "1:8: tags are not allowed" },
	{ "rules: [[[[[[[[[]]]]]]]]]\n", "1:15: nesting is deeper than 8 levels" },
	{ "rules: []\n\t\n", "2:1: found character that cannot start any token" },
	{ "rules: [\"\xff\"]\n", "1:10: invalid leading UTF-8 octet" },
	/* Keys of a rule. */
	{ RULE_HEAD "    colour: red\n", "5:5: unknown key 'colour' in a rule" },
	{ RULE_HEAD "    id: b\n", "5:5: duplicate key 'id'" },
	{ RULE_HEAD "    {x: 1}: 2\n", "5:5: a key must be a scalar, not a mapping" },
	{ "rules:\n  - class: camera\n    weight: 10\n    when: {vendor: x}\n",
	  "2:5: rule: missing 'id'" },
	{ "rules:\n  - id: a\n    weight: 10\n    when: {vendor: x}\n",
	  "2:5: rule 'a': missing 'class'" },
	{ "rules:\n  - id: a\n    class: camera\n    when: {vendor: x}\n",
	  "2:5: rule 'a': missing 'weight'" },
	{ RULE_HEAD, "2:5: rule 'a': missing 'when'" },
	{ "rules:\n  - {id: a, class: nas, weight: 1, when: {vendor: x}}\n"
	  "  - {id: b, class: nas, weight: 1, when: {vendor: x}}\n"
	  "  - {id: a, class: nas, weight: 1, when: {vendor: x}}\n",
	  "4:10: duplicate rule id 'a' (first on line 2)" },
	{ "rules:\n  - id: Foo_1\n", "2:9: id: 'Foo_1' is not 1 to 64 lower-case letters, digits or '-'" },
	{ "rules:\n  - id: \"\"\n", "2:9: id: '' is not 1 to 64 lower-case letters, digits or '-'" },
	{ "rules:\n  - id:\n", "2:8: id: a value is required" },
	{ "rules:\n  - id: [a]\n", "2:9: id: expected a string, found a sequence" },
	{ "rules:\n  - id: a\n    class: toaster\n", "3:12: class: unknown class 'toaster'" },
	{ "rules:\n  - id: a\n    class: Camera\n", "3:12: class: unknown class 'Camera'" },
	{ "rules:\n  - id: a\n    class: unknown\n",
	  "3:12: class: 'unknown' is what no rule says; name a class" },
	{ "rules:\n  - id: a\n    weight: 0\n", "3:13: weight: 0 is out of range 1..100" },
	{ "rules:\n  - id: a\n    weight: 101\n", "3:13: weight: 101 is out of range 1..100" },
	{ "rules:\n  - id: a\n    weight: -5\n", "3:13: weight: -5 is out of range 1..100" },
	{ "rules:\n  - id: a\n    weight: 99999999999999999999\n",
	  "3:13: weight: 99999999999999999999 is out of range 1..100" },
	{ "rules:\n  - id: a\n    weight: 010\n",
	  "3:13: weight: '010' is not a plain decimal integer" },
	{ "rules:\n  - id: a\n    weight: 1.5\n",
	  "3:13: weight: '1.5' is not a plain decimal integer" },
	{ "rules:\n  - id: a\n    weight: {}\n", "3:13: weight: expected an integer, found a mapping" },
	{ "rules:\n  - id: a\n    vendor: \"0123456789012345678901234567890123456789"
	  "0123456789012345678901234\"\n", "3:13: vendor: longer than 64 bytes" },
	{ "rules:\n  - id: a\n    model: \"a\\tb\"\n", "3:12: model: control character in name" },
	/* The "when" mapping. */
	{ RULE_HEAD "    when: 5\n", "5:11: when: expected a mapping, found a scalar" },
	/* libyaml places an empty value right after its key's colon. */
	{ RULE_HEAD "    when:\n", "5:10: when: a rule needs at least one condition" },
	{ RULE_HEAD "    when: {}\n", "5:11: when: a rule needs at least one condition" },
	{ RULE_HEAD "    when: {colour: red}\n", "5:12: unknown condition 'colour'" },
	{ RULE_HEAD "    when: {vendor: a, vendor: b}\n", "5:23: duplicate condition 'vendor'" },
	{ RULE_HEAD "    when:\n      dhcp_hostname: []\n", "6:22: dhcp_hostname: empty list" },
	{ RULE_HEAD "    when:\n      dhcp_hostname:\n", "6:21: dhcp_hostname: a value is required" },
	{ RULE_HEAD "    when:\n      dhcp_hostname: {a: b}\n",
	  "6:22: dhcp_hostname: expected a string or a list of strings, found a mapping" },
	{ RULE_HEAD "    when:\n      dhcp_hostname: [a, [b]]\n",
	  "6:26: dhcp_hostname: expected a string, found a sequence" },
	{ RULE_HEAD "    when:\n      mac_randomized: maybe\n",
	  "6:23: mac_randomized: 'maybe' is not a boolean (true or false)" },
	{ RULE_HEAD "    when:\n      routes_traffic: [true]\n",
	  "6:23: routes_traffic: expected a boolean, found a sequence" },
	/* Patterns. */
	{ RULE_HEAD "    when:\n      dhcp_hostname: \"\"\n", "6:22: dhcp_hostname: empty pattern" },
	{ RULE_HEAD "    when:\n      dhcp_hostname: [a, ~]\n", "6:26: dhcp_hostname: empty pattern" },
	{ RULE_HEAD "    when:\n      dhcp_hostname: \"DS-[2CD\"\n",
	  "6:22: dhcp_hostname: 'DS-[2CD' has an unclosed '['" },
	{ RULE_HEAD "    when:\n      dhcp_hostname: \"[]\"\n",
	  "6:22: dhcp_hostname: '[]' has an unclosed '['" },
	{ RULE_HEAD "    when:\n      dhcp_hostname: \"[!]\"\n",
	  "6:22: dhcp_hostname: '[!]' has an unclosed '['" },
	{ RULE_HEAD "    when:\n      dhcp_hostname: 'a\\'\n",
	  "6:22: dhcp_hostname: 'a\\' ends in a lone '\\'" },
	{ RULE_HEAD "    when:\n      mdns_name: \"[z-a]*\"\n",
	  "6:18: mdns_name: '[z-a]*' has a reversed range in [...]" },
	{ RULE_HEAD "    when:\n      ssdp_server: \"[[:alpha:]]\"\n",
	  "6:20: ssdp_server: '[[:alpha:]]' uses a character class such as [:alpha:] (not supported)" },
	{ RULE_HEAD "    when:\n      vendor: \"a\\x01b\"\n",
	  "6:15: vendor: control character in pattern" },
	{ RULE_HEAD "    when:\n      vendor: \"a\\0b\"\n", "6:15: vendor: NUL byte in pattern" },
	{ RULE_HEAD "    when:\n      vendor: \"0123456789012345678901234567890123456789"
	  "0123456789012345678901234567890123456789012345678901234567890123456789"
	  "012345678901234567890\"\n",
	  "6:15: vendor: pattern is longer than 128 bytes" },
	{ RULE_HEAD "    when:\n      ja3: 6EBEA828E2098B9974B065019BE2DF7B\n",
	  "6:12: ja3: '6EBEA828E2098B9974B065019BE2DF7B' is not a JA3 hash (32 lower-case hex "
	  "digits)" },
	{ RULE_HEAD "    when:\n      ja3: [6ebea828e2098b9974b065019be2df7]\n",
	  "6:13: ja3: '6ebea828e2098b9974b065019be2df7' is not a JA3 hash (32 lower-case hex "
	  "digits)" },
	{ RULE_HEAD "    when:\n      ja3: 6ebea828e2098b9974b065019be2df7g\n",
	  "6:12: ja3: '6ebea828e2098b9974b065019be2df7g' is not a JA3 hash (32 lower-case hex "
	  "digits)" },
	{ RULE_HEAD "    when:\n      service_port: tcp/0\n",
	  "6:21: service_port: 'tcp/0' is not a port such as tcp/554 (1..65535)" },
	{ RULE_HEAD "    when:\n      service_port: [udp/53, tcp/65536]\n",
	  "6:30: service_port: 'tcp/65536' is not a port such as tcp/554 (1..65535)" },
	{ RULE_HEAD "    when:\n      service_port: sctp/80\n",
	  "6:21: service_port: 'sctp/80' is not a port such as tcp/554 (1..65535)" },
	{ RULE_HEAD "    when:\n      service_port: tcp/080\n",
	  "6:21: service_port: 'tcp/080' is not a port such as tcp/554 (1..65535)" },
	{ RULE_HEAD "    when:\n      service_port: \"tcp/\"\n",
	  "6:21: service_port: 'tcp/' is not a port such as tcp/554 (1..65535)" },
	{ RULE_HEAD "    when:\n      service_port: 554\n",
	  "6:21: service_port: '554' is not a port such as tcp/554 (1..65535)" },
	{ RULE_HEAD "    when:\n      dhcp_fingerprint: [1,3,6,15]\n",
	  "6:26: dhcp_fingerprint: quote fingerprints inside [...]: '1'" },
	{ RULE_HEAD "    when:\n      dhcp_fingerprint: \"1,3,,6\"\n",
	  "6:25: dhcp_fingerprint: '1,3,,6' is not a DHCP option list such as 1,3,6,15" },
	{ RULE_HEAD "    when:\n      dhcp_fingerprint: \"1,3,256\"\n",
	  "6:25: dhcp_fingerprint: '1,3,256' is not a DHCP option list such as 1,3,6,15" },
	{ RULE_HEAD "    when:\n      dhcp_fingerprint: \"1, 3\"\n",
	  "6:25: dhcp_fingerprint: '1, 3' is not a DHCP option list such as 1,3,6,15" },
	{ RULE_HEAD "    when:\n      dhcp_fingerprint: \"1,3,\"\n",
	  "6:25: dhcp_fingerprint: '1,3,' is not a DHCP option list such as 1,3,6,15" },
	{ RULE_HEAD "    when:\n      tls_sni_suffix: \"*.example.com\"\n",
	  "6:23: tls_sni_suffix: '*.example.com' is not a DNS name suffix" },
	{ RULE_HEAD "    when:\n      dns_suffix: example..com\n",
	  "6:19: dns_suffix: 'example..com' is not a DNS name suffix" },
	{ RULE_HEAD "    when:\n      dns_suffix: \".\"\n",
	  "6:19: dns_suffix: '.' is not a DNS name suffix" },
	{ RULE_HEAD "    when:\n      dns_suffix: \"a.0123456789012345678901234567890123456789"
	  "012345678901234567890123.com\"\n",
	  "6:19: dns_suffix: 'a.01234567890123456789012345678901234567...' is not a DNS "
	  "name suffix" },
	{ RULE_HEAD "    when:\n      app_proto: RTSP\n",
	  "6:18: app_proto: 'RTSP' is not a protocol name such as rtsp (lower case)" },
	{ RULE_HEAD "    when:\n      app_proto: \"tls 1.3\"\n",
	  "6:18: app_proto: 'tls 1.3' is not a protocol name such as rtsp (lower case)" },
};

static void test_load_errors(void **state)
{
	size_t failed = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		char err[ERRLEN], want[ERRLEN];
		struct device_rules *r = load(bad_cases[i].text, err);

		snprintf(want, sizeof(want), NAME ":%s", bad_cases[i].msg);
		if (r == NULL && strcmp(err, want) == 0)
			continue;
		print_error("case %zu: %s\n  got:  %s\n  want: %s\n", i, bad_cases[i].text,
			    r != NULL ? "(loaded)" : err, want);
		device_rules_free(r);
		failed++;
	}
	assert_int_equal(failed, 0);
}

/* A NUL inside the text is named, at its place. */
static void test_load_nul(void **state)
{
	static const char text[] = "rules:\n  - a\0b\n";
	char err[ERRLEN];

	(void)state;
	assert_null(device_rules_load_buffer(NAME, text, sizeof(text) - 1, err, ERRLEN));
	assert_string_equal(err, NAME ":2:6: NUL byte in input");
}

/* A short buffer gets a cut but terminated message. */
static void test_load_error_cut(void **state)
{
	char err[12];

	(void)state;
	memset(err, 'x', sizeof(err));
	assert_null(device_rules_load_buffer(NAME, "rules: 5", 8, err, sizeof(err)));
	assert_string_equal(err, NAME ":1:8:"); /* 11 bytes and the NUL */
}

/* Appends printf output to a growing buffer; aborts the test when out of memory. */
struct text {
	char *p;
	size_t len, cap;
};

__attribute__((format(printf, 2, 3)))
static void text_add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
		assert_true(n >= 0);
		if ((size_t)n < t->cap - t->len)
			break;
		t->cap = t->cap * 2 + (size_t)n + 1;
		t->p = realloc(t->p, t->cap);
		assert_non_null(t->p);
	}
	t->len += (size_t)n;
}

static struct text text_new(void)
{
	struct text t = { malloc(4096), 0, 4096 };

	assert_non_null(t.p);
	t.p[0] = '\0';
	return t;
}

/* DEVICE_RULES_MAX rules load; one more is refused at its own line. */
static void test_load_too_many_rules(void **state)
{
	struct text t = text_new();
	struct device_rules *r;
	char err[ERRLEN];

	(void)state;
	text_add(&t, "rules:\n");
	for (int i = 0; i < DEVICE_RULES_MAX; i++)
		text_add(&t, "  - {id: r%d, class: nas, weight: 1, when: {vendor: x}}\n", i);
	r = device_rules_load_buffer(NAME, t.p, t.len, err, ERRLEN);
	assert_non_null(r);
	assert_int_equal(device_rules_count(r), DEVICE_RULES_MAX);
	device_rules_free(r);
	/* Rule 2001 is on line 2002; its mapping starts at column 5. */
	text_add(&t, "  - {id: extra, class: nas, weight: 1, when: {vendor: x}}\n");
	assert_null(device_rules_load_buffer(NAME, t.p, t.len, err, ERRLEN));
	assert_string_equal(err, NAME ":2002:5: more than 2000 rules");
	free(t.p);
}

/* 64 patterns in a condition load; a 65th is refused at its place. */
static void test_load_too_many_patterns(void **state)
{
	struct text t = text_new();
	struct device_rules *r;
	char err[ERRLEN];

	(void)state;
	text_add(&t, RULE_HEAD "    when:\n      vendor: [p0");
	for (int i = 1; i < DEVICE_RULES_PATTERNS_MAX; i++)
		text_add(&t, ",p%d", i);
	r = device_rules_load_buffer(NAME, t.p, t.len, err, ERRLEN);
	assert_null(r); /* unclosed flow sequence */
	text_add(&t, "]\n");
	r = device_rules_load_buffer(NAME, t.p, t.len, err, ERRLEN);
	assert_non_null(r);
	device_rules_free(r);
	/*
	 * "      vendor: [" is 15 columns; "p0" and ",p1" .. ",p9" take 2 + 9 * 3,
	 * ",p10" .. ",p63" take 54 * 4, so the 65th item starts after column
	 * 15 + 29 + 216 + 1 (its comma) = 261, at 262.
	 */
	t.len -= 2;
	text_add(&t, ",p64]\n");
	assert_null(device_rules_load_buffer(NAME, t.p, t.len, err, ERRLEN));
	assert_string_equal(err, NAME ":6:262: vendor: more than 64 patterns");
	free(t.p);
}

/* The patterns of all rules together are capped too. */
static void test_load_too_many_patterns_in_all(void **state)
{
	static const char *const globs[] = { "vendor", "dhcp_hostname", "dhcp_vendor_class",
					     "dhcp_fqdn", "mdns_service", "mdns_name",
					     "ssdp_server", "ssdp_type", "tls_sni", "dns_query" };
	struct text t = text_new();
	char err[ERRLEN], want[ERRLEN];

	(void)state;
	/* 103 rules of 10 conditions of 64 patterns: 65 920 patterns, over 65 536. */
	text_add(&t, "rules:\n");
	for (int k = 0; k < 103; k++) {
		text_add(&t, "  - id: r%d\n    class: nas\n    weight: 1\n    when:\n", k);
		for (int j = 0; j < 10; j++) {
			text_add(&t, "      %s: [a", globs[j]);
			for (int i = 1; i < 64; i++)
				text_add(&t, ",a");
			text_add(&t, "]\n");
		}
	}
	assert_null(device_rules_load_buffer(NAME, t.p, t.len, err, ERRLEN));
	/*
	 * Pattern 65 537 is the first of rule 102 (0-based) past 102 * 640 + 256:
	 * its 5th condition (mdns_service), first item.  Rule k starts on line
	 * 2 + 14k and its condition j is on line 2 + 14k + 4 + j = 1438; the
	 * item follows "      mdns_service: [" (21 columns).
	 */
	snprintf(want, sizeof(want), NAME ":%d:%d: more than 65536 patterns in all",
		 2 + 14 * 102 + 4 + 4, 22);
	assert_string_equal(err, want);
	free(t.p);
}

static void test_load_too_large(void **state)
{
	size_t n = DEVICE_RULES_FILE_MAX + 1;
	char *text = malloc(n), err[ERRLEN];

	(void)state;
	assert_non_null(text);
	memset(text, '#', n);
	assert_null(device_rules_load_buffer(NAME, text, n, err, ERRLEN));
	assert_string_equal(err, NAME ": larger than 4194304 bytes");
	free(text);
}

static void test_load_file_errors(void **state)
{
	char err[ERRLEN];

	(void)state;
	assert_null(device_rules_load_file("/nonexistent/rules.yaml", err, ERRLEN));
	assert_string_equal(err, "/nonexistent/rules.yaml: No such file or directory");
	assert_null(device_rules_load_file("/", err, ERRLEN));
	assert_string_equal(err, "/: Is a directory");
}

/* ------------------------------------------------------------ matching */

struct glob_case {
	const char *pattern, *s;
	bool match;
};

static const struct glob_case glob_cases[] = {
	{ "DS-2CD*", "DS-2CD2043G2-I", true },
	{ "ds-2cd*", "DS-2CD2043G2-I", true }, /* ASCII case ignored */
	{ "DS-2CD*", "DS-2DE4425IW", false },
	{ "*", "", true },
	{ "*", "anything", true },
	{ "", "", true },
	{ "", "a", false },
	{ "?", "", false },
	{ "?", "a", true },
	{ "a?c", "abc", true },
	{ "a?c", "ac", false },
	{ "*iPhone*", "Johns-iPhone", true },
	{ "*iPhone*", "iphone", true },
	{ "*iPhone*", "iPhon", false },
	{ "*a*b", "aaab", true },
	{ "*a*b", "aaabx", false },
	{ "a*b*c", "abc", true },
	{ "a*b*c", "axxbyyczzc", true },
	{ "a*b*c", "axxbyycz", false },
	{ "HS1[0-9][0-9]*", "HS110", true },
	{ "HS1[0-9][0-9]*", "HS1A0", false },
	{ "Galaxy-[!T]*", "Galaxy-S23", true },
	{ "Galaxy-[!T]*", "Galaxy-Tab-S9", false },
	{ "Galaxy-[!T]*", "Galaxy-tab-S9", false }, /* the set ignores case too */
	{ "Galaxy-[^T]*", "Galaxy-A54", true },
	{ "[]]", "]", true },
	{ "[]a]", "a", true },
	{ "[!]]", "]", false },
	{ "[a-]", "-", true },
	{ "x[\\]]y", "x]y", true },
	{ "\\*", "*", true },
	{ "\\*", "a", false },
	{ "a\\?", "a?", true },
	{ "*.local", "Philips-hue.local", true },
	{ "_hue._tcp.local", "_hue._tcp.local", true },
	{ "_hue._tcp.local", "_hue._tcp.localx", false },
	{ "*IpBridge/*", "Hue/1.0 UPnP/1.0 IpBridge/1.65.0", true },
	{ "Linux UPnP/1.0 Sonos/*", "iOS/17.3 UPnP/1.1 Sonos/16.1", false },
	{ "HP[0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F]*", "HP3CD92B1A2B3C", true },
	{ "HP[0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F]*", "HPLAPTOP", false },
};

/* Our glob agrees with the hand-made answers and with glibc's fnmatch(FNM_CASEFOLD). */
static void test_glob(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(glob_cases) / sizeof(glob_cases[0]); i++) {
		const struct glob_case *g = &glob_cases[i];
		bool fn = fnmatch(g->pattern, g->s, FNM_CASEFOLD) == 0;

		assert_null(rules_glob_check(g->pattern, strlen(g->pattern)));
		if (rules_glob_match(g->pattern, g->s) != g->match || fn != g->match)
			fail_msg("glob '%s' on '%s': ours %d, fnmatch %d, want %d", g->pattern,
				 g->s, rules_glob_match(g->pattern, g->s), fn, g->match);
	}
}

/* A pattern that makes a backtracking matcher take exponential time. */
static void test_glob_no_blowup(void **state)
{
	char s[DEVICE_SIGNAL_VALUE_MAX + 1];

	(void)state;
	memset(s, 'a', DEVICE_SIGNAL_VALUE_MAX);
	s[DEVICE_SIGNAL_VALUE_MAX] = '\0';
	for (int i = 0; i < 1000; i++)
		assert_false(rules_glob_match("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", s));
}

static void test_suffix(void **state)
{
	(void)state;
	assert_true(rules_suffix_match("hik-connect.com", "dev.hik-connect.com"));
	assert_true(rules_suffix_match("hik-connect.com", "hik-connect.com"));
	assert_true(rules_suffix_match("hik-connect.com", "DEV.Hik-Connect.COM"));
	assert_true(rules_suffix_match("hik-connect.com", "dev.hik-connect.com."));
	assert_false(rules_suffix_match("hik-connect.com", "xhik-connect.com"));
	assert_false(rules_suffix_match("hik-connect.com", "hik-connect.com.evil.net"));
	assert_false(rules_suffix_match("hik-connect.com", "connect.com"));
	assert_false(rules_suffix_match("hik-connect.com", ""));
	assert_true(rules_suffix_match(".hik-connect.com", "dev.hik-connect.com"));
	assert_false(rules_suffix_match(".hik-connect.com", "hik-connect.com"));
	assert_false(rules_suffix_match(".hik-connect.com", "xhik-connect.com"));
}

/* Suffixes are stored lower-case and without their final dot. */
static void test_suffix_normalised(void **state)
{
	struct test_device t;
	struct device_class c;

	(void)state;
	dev_init(&t, NULL);
	dev_sig(&t, SIG_TLS_SNI, "ws.meethue.com");
	classify_text("rules:\n  - {id: a, class: light-bridge, weight: 5, when: "
		      "{tls_sni_suffix: MeetHue.COM.}}\n", &t.d, &c);
	assert_string_equal(c.class_name, "light-bridge");
	assert_int_equal(c.score, 5);
	classify_done();
}

/* Every condition's evidence names the signal kind as the inventory does. */
static void test_evidence_names(void **state)
{
	static const struct {
		const char *cond, *pattern;
		enum device_signal_kind kind;
		const char *value;
	} conds[] = {
		{ "dhcp_hostname", "h*", SIG_DHCP_HOSTNAME, "host" },
		{ "dhcp_vendor_class", "udhcp*", SIG_DHCP_VENDOR, "udhcp 1.20.2" },
		{ "dhcp_fingerprint", "1,3,6", SIG_DHCP_PRL, "1,3,6" },
		{ "dhcp_fqdn", "h*", SIG_DHCP_FQDN, "host.lan" },
		{ "mud_url", "https://mud.example.com/cam-*", SIG_MUD_URL,
		  "https://mud.example.com/cam-1.2" },
		{ "lldp_name", "plc-*", SIG_LLDP_NAME, "plc-line-3" },
		{ "lldp_description", "*SIMATIC S7*", SIG_LLDP_DESCRIPTION,
		  "Siemens, SIMATIC S7, CPU 1516-3 PN/DP" },
		{ "lldp_capabilities", "*telephone*", SIG_LLDP_CAPABILITIES, "bridge,telephone" },
		{ "mdns_service", "_hue._tcp.local", SIG_MDNS_SERVICE, "_hue._tcp.local" },
		{ "mdns_name", "Philips*", SIG_MDNS_NAME, "Philips-hue.local" },
		{ "ssdp_server", "*IpBridge*", SIG_SSDP_SERVER, "Hue/1.0 UPnP/1.0 IpBridge/1.65.0" },
		{ "ssdp_type", "upnp:rootdevice", SIG_SSDP_TYPE, "upnp:rootdevice" },
		{ "ssdp_user_agent", "iOS/*", SIG_SSDP_USER_AGENT, "iOS/17.3 UPnP/1.1 Sonos/16.1" },
		{ "mdns_txt", "md=*", SIG_MDNS_TXT, "md=Google Nest Mini" },
		{ "http_user_agent", "Microsoft NCSI", SIG_HTTP_USER_AGENT, "Microsoft NCSI" },
		{ "ntp_server", "203.0.113.*", SIG_NTP_SERVER, "203.0.113.125" },
		{ "tcp_syn", "128:*", SIG_TCP_SYN, "128:64240:1460:8:M,N,W,N,N,S" },
		{ "os_guess", "Windows", SIG_OS_GUESS, "Windows" },
		{ "tls_sni", "ws.*", SIG_TLS_SNI, "ws.meethue.com" },
		{ "tls_sni_suffix", "meethue.com", SIG_TLS_SNI, "ws.meethue.com" },
		{ "dns_query", "time.*", SIG_DNS_QUERY, "time.meethue.com" },
		{ "dns_suffix", "meethue.com", SIG_DNS_QUERY, "time.meethue.com" },
		{ "ja3", "6ebea828e2098b9974b065019be2df7b", SIG_TLS_JA3,
		  "6ebea828e2098b9974b065019be2df7b" },
		{ "app_proto", "mdns", SIG_APP_PROTO, "mdns" },
		{ "service_port", "tcp/80", SIG_SERVICE_PORT, "tcp/80" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(conds) / sizeof(conds[0]); i++) {
		char text[512];
		struct test_device t;
		struct device_class c;
		struct device_rules *r;

		snprintf(text, sizeof(text), "rules:\n  - {id: a, class: hub, weight: 9, when: "
			 "{%s: \"%s\"}}\n", conds[i].cond, conds[i].pattern);
		r = load_ok(text);
		dev_init(&t, NULL);
		dev_sig(&t, conds[i].kind, conds[i].value);
		device_rules_classify(r, &t.d, &c);
		assert_string_equal(c.class_name, "hub");
		assert_int_equal(c.nevidence, 1);
		assert_string_equal(c.evidence[0].what, device_signal_kind_name(conds[i].kind));
		assert_string_equal(c.evidence[0].value, conds[i].value);
		/* A device without the value does not match. */
		dev_init(&t, NULL);
		device_rules_classify(r, &t.d, &c);
		assert_string_equal(c.class_name, "unknown");
		device_rules_free(r);
	}
}

/* The boolean conditions look at the MAC and at forwarding. */
static void test_flags(void **state)
{
	static const char rules[] =
		"rules:\n"
		"  - {id: private, class: phone, weight: 15, when: {mac_randomized: true}}\n"
		"  - {id: burned-in, class: computer, weight: 10, when: {mac_randomized: no}}\n"
		"  - {id: fwd, class: router, weight: 80, when: {routes_traffic: yes}}\n";
	struct device_rules *r = load_ok(rules);
	struct test_device t;
	struct device_class c;

	(void)state;
	dev_init(&t, NULL);
	t.d.local_admin = true;
	device_rules_classify(r, &t.d, &c);
	assert_string_equal(c.class_name, "phone");
	assert_string_equal(c.evidence[0].what, "mac_randomized");
	assert_string_equal(c.evidence[0].value, "true");
	dev_init(&t, NULL);
	device_rules_classify(r, &t.d, &c);
	assert_string_equal(c.class_name, "computer");
	t.d.routed_pkts = 3;
	device_rules_classify(r, &t.d, &c);
	/* router 80 against computer 10: round(80 * 80 / 90) = round(71.1) = 71. */
	assert_string_equal(c.class_name, "router");
	assert_int_equal(c.confidence, 71);
	assert_string_equal(c.evidence[0].what, "routes_traffic");
	device_rules_free(r);
}

/* All conditions of a rule must hold; any pattern of a condition will do. */
static void test_and_or(void **state)
{
	static const char rules[] =
		"rules:\n"
		"  - id: both\n"
		"    class: smart-plug\n"
		"    weight: 90\n"
		"    when:\n"
		"      vendor: [\"TP-LINK*\", \"TP-Link*\"]\n"
		"      dhcp_hostname: [\"HS1*\", \"KP*\"]\n";
	struct device_rules *r = load_ok(rules);
	struct test_device t;
	struct device_class c;

	(void)state;
	dev_init(&t, "TP-Link Corporation Limited");
	dev_sig(&t, SIG_DHCP_HOSTNAME, "KP115");
	device_rules_classify(r, &t.d, &c);
	assert_string_equal(c.class_name, "smart-plug");
	assert_int_equal(c.nevidence, 2);
	assert_string_equal(c.evidence[0].pattern, "TP-LINK*"); /* the first that matches */
	assert_string_equal(c.evidence[1].pattern, "KP*");
	dev_init(&t, "TP-Link Corporation Limited");
	dev_sig(&t, SIG_DHCP_HOSTNAME, "Archer-C7");
	device_rules_classify(r, &t.d, &c);
	assert_string_equal(c.class_name, "unknown");
	dev_init(&t, NULL); /* no vendor: the vendor condition cannot hold */
	dev_sig(&t, SIG_DHCP_HOSTNAME, "HS110");
	device_rules_classify(r, &t.d, &c);
	assert_string_equal(c.class_name, "unknown");
	device_rules_free(r);
}

/* The second of several values matches; evidence shows that one. */
static void test_any_value(void **state)
{
	struct test_device t;
	struct device_class c;

	(void)state;
	dev_init(&t, NULL);
	dev_sig(&t, SIG_SERVICE_PORT, "tcp/80");
	dev_sig(&t, SIG_SERVICE_PORT, "tcp/9100");
	classify_text("rules:\n  - {id: raw, class: printer, weight: 60, when: "
		      "{service_port: [tcp/515, tcp/9100]}}\n", &t.d, &c);
	assert_string_equal(c.class_name, "printer");
	assert_int_equal(c.confidence, 60);
	classify_done();
}

/*
 * Scores worked by hand.  Device: host name CAM-1, service tcp/554.
 *   cam-a  camera      60  vendor Acme  model M1   matches
 *   cam-b  camera      30  (no vendor)             matches
 *   plug-a smart-plug  50  vendor Plugco           matches
 *   cam-c  camera      70  vendor Acme             does not match (tcp/80)
 * camera 90, smart-plug 50: confidence round(min(90,100) * 90 / 140) =
 * round(57.86) = 58.  Vendor: Acme 60 against Plugco 50.  Model M1.
 */
static void test_scoring(void **state)
{
	static const char rules[] =
		"rules:\n"
		"  - {id: cam-a, class: camera, vendor: Acme, model: M1, weight: 60,"
		" when: {dhcp_hostname: CAM-*}}\n"
		"  - {id: cam-b, class: camera, weight: 30, when: {service_port: tcp/554}}\n"
		"  - {id: plug-a, class: smart-plug, vendor: Plugco, weight: 50,"
		" when: {dhcp_hostname: \"CAM-?\"}}\n"
		"  - {id: cam-c, class: camera, vendor: Acme, weight: 70,"
		" when: {service_port: tcp/80}}\n";
	struct device_rules *r = load_ok(rules);
	struct test_device t;
	struct device_class c;

	(void)state;
	dev_init(&t, NULL);
	dev_sig(&t, SIG_DHCP_HOSTNAME, "CAM-1");
	dev_sig(&t, SIG_SERVICE_PORT, "tcp/554");
	device_rules_classify(r, &t.d, &c);
	assert_string_equal(c.class_name, "camera");
	assert_int_equal(c.score, 90);
	assert_int_equal(c.runner_up, 50);
	assert_int_equal(c.confidence, 58);
	assert_string_equal(c.vendor, "Acme");
	assert_string_equal(c.model, "M1");
	assert_int_equal(c.nevidence, 2);
	assert_string_equal(c.evidence[0].rule_id, "cam-a");
	assert_string_equal(c.evidence[1].rule_id, "cam-b");
	device_rules_free(r);
}

/*
 * Ties.  a1 + a2 = camera 80 (heaviest 40), b = nvr 80 (heaviest 80): nvr
 * wins on the heaviest rule; confidence round(80 * 80 / 160) = 40.  With
 * only c (bulb 50) and d (camera 50): same total, same heaviest, so the
 * name decides: bulb; round(50 * 50 / 100) = 25.
 */
static void test_ties(void **state)
{
	static const char rules[] =
		"rules:\n"
		"  - {id: a1, class: camera, weight: 40, when: {dhcp_hostname: x}}\n"
		"  - {id: a2, class: camera, weight: 40, when: {dhcp_hostname: x}}\n"
		"  - {id: b, class: nvr, weight: 80, when: {dhcp_hostname: x}}\n"
		"  - {id: d, class: camera, weight: 50, when: {dhcp_hostname: y}}\n"
		"  - {id: c, class: bulb, weight: 50, when: {dhcp_hostname: y}}\n";
	struct device_rules *r = load_ok(rules);
	struct test_device t;
	struct device_class c;

	(void)state;
	dev_init(&t, NULL);
	dev_sig(&t, SIG_DHCP_HOSTNAME, "x");
	device_rules_classify(r, &t.d, &c);
	assert_string_equal(c.class_name, "nvr");
	assert_int_equal(c.score, 80);
	assert_int_equal(c.runner_up, 80);
	assert_int_equal(c.confidence, 40);
	dev_init(&t, NULL);
	dev_sig(&t, SIG_DHCP_HOSTNAME, "y");
	device_rules_classify(r, &t.d, &c);
	assert_string_equal(c.class_name, "bulb");
	assert_int_equal(c.runner_up, 50);
	assert_int_equal(c.confidence, 25);
	device_rules_free(r);
}

/* The confidence function at its edges, each line worked by hand. */
static void test_confidence(void **state)
{
	static const struct {
		unsigned w1, w2, w_other; /* two rules of the winner, one of another class */
		unsigned want;
	} cases[] = {
		{ 30, 0, 0, 30 },    /* 30 alone: min(30,100) = 30 */
		{ 100, 0, 0, 100 },  /* 100 alone */
		{ 100, 50, 50, 75 }, /* 150 against 50: 100 * 150 / 200 = 75 */
		{ 70, 0, 20, 54 },   /* 70 against 20: 70 * 70 / 90 = 54.4 */
		{ 1, 0, 1, 1 },      /* 1 against 1 (the winner by name): 0.5 rounds up */
		{ 100, 100, 100, 67 }, /* 200 against 100: 100 * 200 / 300 = 66.7 */
		{ 90, 0, 10, 81 },   /* 90 against 10: 90 * 90 / 100 = 81 */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[512];
		struct test_device t;
		struct device_class c;
		int n;

		n = snprintf(text, sizeof(text), "rules:\n  - {id: w1, class: camera, weight: %u, "
			     "when: {dhcp_hostname: x}}\n", cases[i].w1);
		if (cases[i].w2)
			n += snprintf(text + n, sizeof(text) - (size_t)n, "  - {id: w2, class: "
				      "camera, weight: %u, when: {dhcp_hostname: x}}\n", cases[i].w2);
		if (cases[i].w_other)
			snprintf(text + n, sizeof(text) - (size_t)n, "  - {id: o, class: doorbell, "
				 "weight: %u, when: {dhcp_hostname: x}}\n", cases[i].w_other);
		dev_init(&t, NULL);
		dev_sig(&t, SIG_DHCP_HOSTNAME, "x");
		classify_text(text, &t.d, &c);
		assert_string_equal(c.class_name, "camera");
		assert_int_equal(c.score, cases[i].w1 + cases[i].w2);
		assert_int_equal(c.runner_up, cases[i].w_other);
		if (c.confidence != cases[i].want)
			fail_msg("case %zu: confidence %u, want %u", i, c.confidence, cases[i].want);
	}
	classify_done();
}

/*
 * The maker may come from a rule of another class; the model only from
 * the winning class, and only from rules naming no maker or that maker.
 *   pi   computer 20  vendor "Raspberry Pi"
 *   ha1  hub      70  model "Home Assistant"
 * gives hub, Raspberry Pi, Home Assistant.  Adding
 *   ha2  hub      40  vendor "Other", model "X"
 * makes Other the maker (40 against 20) but Home Assistant still the
 * model (70 against 40).  With ha2 at 90 and
 *   pi2  computer 80  vendor "Raspberry Pi"
 * Raspberry Pi wins the maker 100 to 90, so X (Other's) cannot be the
 * model although it is the heaviest; hub wins 160 to 100.
 */
static void test_vendor_model(void **state)
{
	static const char base[] =
		"rules:\n"
		"  - {id: pi, class: computer, vendor: Raspberry Pi, weight: 20, when: {dhcp_hostname: h}}\n"
		"  - {id: ha1, class: hub, model: Home Assistant, weight: 70, when: {dhcp_hostname: h}}\n";
	char text[1024];
	struct test_device t;
	struct device_class c;

	(void)state;
	dev_init(&t, NULL);
	dev_sig(&t, SIG_DHCP_HOSTNAME, "h");
	classify_text(base, &t.d, &c);
	assert_string_equal(c.class_name, "hub");
	assert_string_equal(c.vendor, "Raspberry Pi");
	assert_string_equal(c.model, "Home Assistant");
	snprintf(text, sizeof(text), "%s  - {id: ha2, class: hub, vendor: Other, model: X, "
		 "weight: 40, when: {dhcp_hostname: h}}\n", base);
	classify_text(text, &t.d, &c);
	assert_string_equal(c.vendor, "Other");
	assert_string_equal(c.model, "Home Assistant"); /* 70 against 40 */
	/* A maker that lost cannot bring its model: computer's maker wins 90 to 40. */
	snprintf(text, sizeof(text), "%s  - {id: ha2, class: hub, vendor: Other, model: X, "
		 "weight: 90, when: {dhcp_hostname: h}}\n"
		 "  - {id: pi2, class: computer, vendor: Raspberry Pi, weight: 80, "
		 "when: {dhcp_hostname: h}}\n", base);
	classify_text(text, &t.d, &c);
	/* hub 160 against computer 100; Raspberry Pi 100 against Other 90. */
	assert_string_equal(c.class_name, "hub");
	assert_string_equal(c.vendor, "Raspberry Pi");
	assert_string_equal(c.model, "Home Assistant");
	classify_done();
}

/* Evidence stops at DEVICE_EVIDENCE_MAX entries and counts the rest. */
static void test_evidence_cap(void **state)
{
	static const char rules[] =
		"rules:\n"
		"  - id: many\n"
		"    class: camera\n"
		"    weight: 50\n"
		"    when:\n"
		"      dhcp_hostname: h\n"
		"      dhcp_vendor_class: v\n"
		"      dhcp_fqdn: f\n"
		"      mdns_service: s\n"
		"      mdns_name: n\n"
		"      ssdp_server: srv\n"
		"      ssdp_type: t\n"
		"      tls_sni: sni\n"
		"      dns_query: q\n"
		"  - {id: more, class: camera, weight: 60, when: {app_proto: rtsp}}\n";
	struct test_device t;
	struct device_class c;
	char big[300];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	dev_init(&t, NULL);
	dev_sig(&t, SIG_DHCP_HOSTNAME, "h");
	dev_sig(&t, SIG_DHCP_VENDOR, "v");
	dev_sig(&t, SIG_DHCP_FQDN, "f");
	dev_sig(&t, SIG_MDNS_SERVICE, "s");
	dev_sig(&t, SIG_MDNS_NAME, "n");
	dev_sig(&t, SIG_SSDP_SERVER, "srv");
	dev_sig(&t, SIG_SSDP_TYPE, "t");
	dev_sig(&t, SIG_TLS_SNI, "sni");
	dev_sig(&t, SIG_DNS_QUERY, "q");
	dev_sig(&t, SIG_APP_PROTO, "rtsp");
	classify_text(rules, &t.d, &c);
	/* "more" (60) first with one entry, then seven of "many"'s nine. */
	assert_int_equal(c.score, 110);
	assert_int_equal(c.nevidence, DEVICE_EVIDENCE_MAX);
	assert_int_equal(c.evidence_dropped, 2);
	assert_string_equal(c.evidence[0].rule_id, "more");
	assert_string_equal(c.evidence[1].rule_id, "many");
	assert_string_equal(c.evidence[7].what, "ssdp_type");
	/* A long value (a device keeps 255 bytes) is cut to 95 bytes. */
	dev_init(&t, NULL);
	dev_sig(&t, SIG_DHCP_HOSTNAME, big);
	classify_text("rules:\n  - {id: a, class: nas, weight: 1, when: {dhcp_hostname: xx*}}\n",
		      &t.d, &c);
	assert_int_equal(strlen(c.evidence[0].value), DEVICE_EVIDENCE_VALUE_MAX - 1);
	classify_done();
}

static void test_unknown(void **state)
{
	struct device_rules *r = load_ok(valid_rules);
	struct test_device t;
	struct device_class c;

	(void)state;
	dev_init(&t, "Some Maker");
	device_rules_classify(r, &t.d, &c);
	assert_string_equal(c.class_name, "unknown");
	assert_int_equal(c.confidence, 0);
	assert_int_equal(c.score, 0);
	assert_null(c.vendor);
	assert_null(c.model);
	assert_int_equal(c.nevidence, 0);
	device_rules_classify(NULL, &t.d, &c);
	assert_string_equal(c.class_name, "unknown");
	device_rules_classify(r, NULL, &c);
	assert_string_equal(c.class_name, "unknown");
	device_rules_free(r);
}

/* ------------------------------------------------- the real rule file */

static struct device_rules *load_repo_rules(void)
{
	const char *srcdir = getenv("EW_SRCDIR");
	char path[4096], err[ERRLEN];
	struct device_rules *r;

	if (srcdir != NULL)
		snprintf(path, sizeof(path), "%s/rules/devices.yaml", srcdir);
	else
		snprintf(path, sizeof(path), "../rules/devices.yaml");
	r = device_rules_load_file(path, err, sizeof(err));
	if (r == NULL)
		fail_msg("%s", err);
	return r;
}

static void test_repo_rules_load(void **state)
{
	struct device_rules *r = load_repo_rules();

	(void)state;
	assert_true(device_rules_count(r) >= 40);
	device_rules_free(r);
}

#define V(...) ((const char *const[]){ __VA_ARGS__, NULL })

typedef const char *const *value_list; /* NULL-terminated */

struct home_signal {
	enum device_signal_kind kind;
	value_list values; /* NULL ends the list */
};

/*
 * The devices of pcaps/smart-home.pcap (pcaps/README.md) with every signal
 * that `edgewatch -q -r pcaps/smart-home.pcap --inventory-json FILE`
 * reports for them, value for value, and the class and maker the README
 * says they are.
 */
struct home_device {
	const char *what, *mac, *vendor;
	bool routes, local_admin;
	const char *want_class, *want_vendor;
	struct home_signal sig[SIG_KIND_MAX + 1];
};

static const struct home_device home[] = {
	{ "router (Netgear)", "9c:3d:cf:5e:21:01", "NETGEAR", true, false, "router", "NETGEAR",
	  {
		  { SIG_APP_PROTO, V("dhcp") },
		  { SIG_SERVICE_PORT, V("udp/53", "udp/67") },
	  } },
	{ "Raspberry Pi 4, Home Assistant", "dc:a6:32:1b:7e:42", "Raspberry Pi Trading Ltd", false,
	  false, "hub", "Raspberry Pi",
	  {
		  { SIG_TLS_SNI, V("version.home-assistant.io", "alerts.home-assistant.io") },
		  { SIG_TLS_JA3, V("40adfd923eb82b89d8836ba37a19bca1") },
		  { SIG_DNS_QUERY, V("2.debian.pool.ntp.org", "version.home-assistant.io",
				"alerts.home-assistant.io") },
		  { SIG_HTTP_USER_AGENT, V("HomeAssistant/2026.2.3 aiohttp/3.11.11 Python/3.13") },
		  { SIG_NTP_SERVER, V("192.0.2.124") },
		  { SIG_APP_PROTO, V("tls", "http", "dns", "ntp", "rtsp") },
		  { SIG_SERVICE_PORT, V("tcp/1883") },
		  { SIG_TCP_SYN, V("64:64240:1460:7:M,S,T,N,W") },
		  { SIG_OS_GUESS, V("Linux/Android") },
	  } },
	{ "Hikvision DS-2CD2043G2-I", "44:19:b6:3a:7c:01",
	  "Hangzhou Hikvision Digital Technology Co.,Ltd.", false, false, "camera", "Hikvision",
	  {
		  { SIG_DHCP_HOSTNAME, V("DS-2CD2043G2-I") },
		  { SIG_DHCP_VENDOR, V("udhcp 1.20.2") },
		  { SIG_DHCP_PRL, V("1,3,6,12,15,28,42") },
		  { SIG_TLS_SNI, V("dev.hik-connect.com") },
		  { SIG_TLS_JA3, V("871a754af286dfb70c1b53c6887c62e0") },
		  { SIG_DNS_QUERY, V("dev.hik-connect.com", "time.windows.com") },
		  { SIG_NTP_SERVER, V("203.0.113.125") },
		  { SIG_APP_PROTO, V("dns", "ntp", "dhcp", "tls") },
		  { SIG_SERVICE_PORT, V("tcp/554") },
		  { SIG_TCP_SYN, V("64:64240:1460:7:M,S,T,N,W") },
		  { SIG_OS_GUESS, V("Linux/Android") },
	  } },
	{ "TP-Link Kasa HS110", "50:c7:bf:8e:12:34", "TP-LINK TECHNOLOGIES CO.,LTD.", false, false,
	  "smart-plug", "TP-Link",
	  {
		  { SIG_DHCP_HOSTNAME, V("HS110") },
		  { SIG_DHCP_VENDOR, V("udhcp 1.19.4") },
		  { SIG_DHCP_PRL, V("1,3,6,12,15,28,42") },
		  { SIG_TLS_SNI, V("n-devs.tplinkcloud.com") },
		  { SIG_TLS_JA3, V("6ebea828e2098b9974b065019be2df7b") },
		  { SIG_DNS_QUERY, V("n-devs.tplinkcloud.com", "pool.ntp.org") },
		  { SIG_NTP_SERVER, V("192.0.2.123") },
		  { SIG_APP_PROTO, V("dns", "ntp", "tls") },
		  { SIG_TCP_SYN, V("64:64240:1460:7:M,S,T,N,W") },
		  { SIG_OS_GUESS, V("Linux/Android") },
	  } },
	{ "Philips Hue bridge v2", "00:17:88:6a:2b:3c", "Philips Lighting BV", false, false,
	  "light-bridge", "Philips Hue",
	  {
		  { SIG_MDNS_SERVICE, V("_hue._tcp.local") },
		  { SIG_MDNS_NAME, V("Philips Hue - 6A2B3C._hue._tcp.local",
				"001788fffe6a2b3c.local") },
		  { SIG_MDNS_TXT, V("modelid=BSB002") },
		  { SIG_SSDP_SERVER, V("Hue/1.0 UPnP/1.0 IpBridge/1.65.0") },
		  { SIG_SSDP_TYPE, V("upnp:rootdevice", "uuid:2f402f80-da50-11e1-9b23-0017886a2b3c",
				"urn:schemas-upnp-org:device:basic:1") },
		  { SIG_TLS_SNI, V("ws.meethue.com") },
		  { SIG_TLS_JA3, V("6ebea828e2098b9974b065019be2df7b") },
		  { SIG_DNS_QUERY, V("ws.meethue.com", "time.meethue.com") },
		  { SIG_NTP_SERVER, V("198.51.100.124") },
		  { SIG_APP_PROTO, V("dns", "mdns", "ssdp", "ntp", "tls") },
		  { SIG_SERVICE_PORT, V("tcp/80") },
		  { SIG_TCP_SYN, V("64:64240:1460:7:M,S,T,N,W") },
		  { SIG_OS_GUESS, V("Linux/Android") },
	  } },
	{ "Amazon Echo Dot", "68:54:fd:3c:88:19", "Amazon Technologies Inc.", false, false,
	  "speaker", "Amazon",
	  {
		  { SIG_TLS_SNI, V("device-metrics-us.amazon.com", "avs-alexa-4-na.amazon.com") },
		  { SIG_TLS_JA3, V("40adfd923eb82b89d8836ba37a19bca1") },
		  { SIG_DNS_QUERY, V("avs-alexa-4-na.amazon.com", "device-metrics-us.amazon.com",
				"ntp-g7g.amazon.com") },
		  { SIG_NTP_SERVER, V("198.51.100.123") },
		  { SIG_APP_PROTO, V("tls", "dns", "ntp") },
		  { SIG_TCP_SYN, V("64:64240:1460:7:M,S,T,N,W") },
		  { SIG_OS_GUESS, V("Linux/Android") },
	  } },
	{ "Google Nest Mini", "f4:f5:d8:91:5e:07", "Google, Inc.", false, false, "speaker",
	  "Google",
	  {
		  { SIG_MDNS_SERVICE, V("_googlecast._tcp.local") },
		  { SIG_MDNS_NAME, V("Google-Nest-Mini-8c3e1f5d2a7b4c6e9f0a1b2c3d4e5f60._googlecast"
				"._tcp.local", "8c3e1f5d-2a7b-4c6e-9f0a-1b2c3d4e5f60.local") },
		  { SIG_MDNS_TXT, V("md=Google Nest Mini") },
		  { SIG_TLS_SNI, V("www.googleapis.com", "mtalk.google.com") },
		  { SIG_TLS_JA3, V("b32309a26951912be7dba376398abc3b") },
		  { SIG_DNS_QUERY, V("mtalk.google.com", "connectivitycheck.gstatic.com",
				"www.googleapis.com", "time.google.com") },
		  { SIG_HTTP_USER_AGENT, V("Mozilla/5.0 (Linux; Android 9; Build/PQ3A) AppleWebKit/"
				"537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 CrKey/1."
				"56.500000 DeviceType/AudioAssistant") },
		  { SIG_NTP_SERVER, V("203.0.113.123") },
		  { SIG_APP_PROTO, V("http", "tls", "dns", "mdns", "ntp") },
		  { SIG_TCP_SYN, V("64:64240:1460:7:M,S,T,N,W") },
		  { SIG_OS_GUESS, V("Linux/Android") },
	  } },
	{ "HP OfficeJet Pro 9010", "3c:d9:2b:1a:2b:3c", "Hewlett Packard", false, false, "printer",
	  "HP",
	  {
		  { SIG_MDNS_SERVICE, V("_ipp._tcp.local") },
		  { SIG_MDNS_NAME, V("HP OfficeJet Pro 9010 series [1A2B3C]._ipp._tcp.local",
				"HP3CD92B1A2B3C.local") },
		  { SIG_MDNS_TXT, V("ty=HP OfficeJet Pro 9010 series") },
		  { SIG_SSDP_SERVER, V("HP HTTP Server; HP OfficeJet Pro 9010 series - 1KR49B; Seri"
				"al Number: TH12A3B4C5") },
		  { SIG_SSDP_TYPE, V("upnp:rootdevice") },
		  { SIG_TLS_SNI, V("xmpp001.hpeprint.com") },
		  { SIG_TLS_JA3, V("871a754af286dfb70c1b53c6887c62e0") },
		  { SIG_DNS_QUERY, V("xmpp001.hpeprint.com", "h10089.www1.hp.com") },
		  { SIG_HTTP_USER_AGENT, V("HP-ChaiSOE/1.0") },
		  { SIG_APP_PROTO, V("http", "dns", "mdns", "ssdp", "tls") },
		  { SIG_TCP_SYN, V("64:64240:1460:7:M,S,T,N,W") },
		  { SIG_OS_GUESS, V("Linux/Android") },
	  } },
	{ "Windows 11 laptop", "8c:8d:28:44:19:a2", "Intel Corporate", false, false, "computer",
	  NULL,
	  {
		  { SIG_DHCP_HOSTNAME, V("DESKTOP-7K2M4QX") },
		  { SIG_DHCP_VENDOR, V("MSFT 5.0") },
		  { SIG_DHCP_PRL, V("1,3,6,15,31,33,43,44,46,47,119,121,249,252") },
		  { SIG_DHCP_FQDN, V("DESKTOP-7K2M4QX") },
		  { SIG_TLS_SNI, V("settings-win.data.microsoft.com", "login.live.com",
				"www.bing.com") },
		  { SIG_TLS_JA3, V("92a677b1e07e8e2d941ca1e68003ce81") },
		  { SIG_DNS_QUERY, V("www.msftconnecttest.com", "time.windows.com",
				"settings-win.data.microsoft.com", "login.live.com",
				"www.bing.com") },
		  { SIG_HTTP_USER_AGENT, V("Microsoft NCSI") },
		  { SIG_NTP_SERVER, V("203.0.113.125") },
		  { SIG_APP_PROTO, V("http", "tls", "dns", "ntp", "icmp") },
		  { SIG_TCP_SYN, V("128:64240:1460:8:M,N,W,N,N,S") },
		  { SIG_OS_GUESS, V("Windows") },
	  } },
	{ "iPhone", "f0:18:98:5d:a1:7c", "Apple, Inc.", false, false, "phone", "Apple",
	  {
		  { SIG_DHCP_HOSTNAME, V("iPhone") },
		  { SIG_DHCP_PRL, V("1,121,3,6,15,108,114,119,252") },
		  { SIG_SSDP_TYPE, V("urn:schemas-upnp-org:device:ZonePlayer:1", "ssdp:all") },
		  { SIG_SSDP_USER_AGENT, V("iOS/17.3 UPnP/1.1 Sonos/16.1") },
		  { SIG_TLS_SNI, V("gateway.icloud.com", "api.smoot.apple.com",
				"1-courier.push.apple.com") },
		  { SIG_TLS_JA3, V("f7800349e7d27ce19053f763b47101eb") },
		  { SIG_DNS_QUERY, V("captive.apple.com", "time.apple.com",
				"1-courier.push.apple.com", "gateway.icloud.com",
				"api.smoot.apple.com") },
		  { SIG_HTTP_USER_AGENT, V("CaptiveNetworkSupport-481.0.2 wispr") },
		  { SIG_NTP_SERVER, V("203.0.113.124") },
		  { SIG_APP_PROTO, V("http", "tls", "dns", "ntp", "mdns", "ssdp") },
		  { SIG_TCP_SYN, V("64:65535:1460:6:M,S,T,N,W") },
		  { SIG_OS_GUESS, V("Linux/Android") },
	  } },
	{ "Sonos One", "48:a6:b8:c0:ff:ee", "Sonos, Inc.", false, false, "speaker", "Sonos",
	  {
		  { SIG_DHCP_HOSTNAME, V("SonosZP") },
		  { SIG_DHCP_VENDOR, V("udhcp 1.31.1") },
		  { SIG_DHCP_PRL, V("1,3,6,12,15,28,42") },
		  { SIG_MDNS_SERVICE, V("_sonos._tcp.local") },
		  { SIG_MDNS_NAME, V("Sonos-48A6B8C0FFEE._sonos._tcp.local",
				"Sonos-48A6B8C0FFEE.local") },
		  { SIG_SSDP_SERVER, V("Linux UPnP/1.0 Sonos/80.1-55240 (ZPS18)") },
		  { SIG_SSDP_TYPE, V("urn:schemas-upnp-org:device:ZonePlayer:1", "upnp:rootdevice",
				"uuid:RINCON_48A6B8C0FFEE01400") },
		  { SIG_TLS_SNI, V("api.ws.sonos.com", "msmetrics.ws.sonos.com") },
		  { SIG_TLS_JA3, V("40adfd923eb82b89d8836ba37a19bca1") },
		  { SIG_DNS_QUERY, V("api.ws.sonos.com", "msmetrics.ws.sonos.com") },
		  { SIG_APP_PROTO, V("tls", "mdns", "ssdp", "dns", "dhcp") },
		  { SIG_TCP_SYN, V("64:64240:1460:7:M,S,T,N,W") },
		  { SIG_OS_GUESS, V("Linux/Android") },
	  } },
	{ "Shelly Plug S", "24:0a:c4:a1:b2:c3", "Espressif Inc.", false, false, "smart-plug",
	  "Shelly",
	  {
		  { SIG_DHCP_HOSTNAME, V("shellyplug-s-a1b2c3") },
		  { SIG_DHCP_PRL, V("1,3,28,6,15,44,46,47,31,33,121,43") },
		  { SIG_MDNS_SERVICE, V("_http._tcp.local") },
		  { SIG_MDNS_NAME, V("shellyplug-s-a1b2c3.local",
				"shellyplug-s-a1b2c3._http._tcp.local") },
		  { SIG_DNS_QUERY, V("time.google.com") },
		  { SIG_NTP_SERVER, V("203.0.113.123") },
		  { SIG_APP_PROTO, V("mdns", "dns", "ntp", "mqtt") },
		  { SIG_TCP_SYN, V("255:5744:1436:-:M") },
		  { SIG_OS_GUESS, V("embedded stack") },
	  } },
};

/* mDNS and SSDP: what a capture point that misses multicast would not see. */
static bool is_discovery(enum device_signal_kind k)
{
	return k == SIG_MDNS_SERVICE || k == SIG_MDNS_NAME || k == SIG_MDNS_TXT ||
	       k == SIG_SSDP_SERVER || k == SIG_SSDP_TYPE || k == SIG_SSDP_USER_AGENT;
}

static void home_device_build(struct test_device *t, const struct home_device *h,
			      bool discovery)
{
	dev_init(t, h->vendor);
	t->d.routed_pkts = h->routes ? 1 : 0;
	t->d.local_admin = h->local_admin;
	for (const struct home_signal *s = h->sig; s->values != NULL; s++)
		if (discovery || !is_discovery(s->kind))
			dev_sigs(t, s->kind, s->values);
}

static void check_home(bool discovery)
{
	struct device_rules *r = load_repo_rules();

	for (size_t i = 0; i < sizeof(home) / sizeof(home[0]); i++) {
		const struct home_device *h = &home[i];
		struct test_device t;
		struct device_class c;

		home_device_build(&t, h, discovery);
		device_rules_classify(r, &t.d, &c);
		print_message("%-32s %-12s %-12s conf %3u  score %3u/%3u  model %s\n", h->what,
			      c.class_name, c.vendor ? c.vendor : "-", c.confidence, c.score,
			      c.runner_up, c.model ? c.model : "-");
		if (strcmp(c.class_name, h->want_class) != 0)
			fail_msg("%s (%s): class %s, want %s", h->what, h->mac, c.class_name,
				 h->want_class);
		if ((h->want_vendor == NULL) != (c.vendor == NULL) ||
		    (h->want_vendor != NULL && strcmp(c.vendor, h->want_vendor) != 0))
			fail_msg("%s: vendor %s, want %s", h->what, c.vendor ? c.vendor : "(none)",
				 h->want_vendor ? h->want_vendor : "(none)");
		assert_true(c.confidence >= 30);
		assert_true(c.nevidence > 0);
	}
	device_rules_free(r);
}

/* Every signal the inventory reports. */
static void test_smart_home(void **state)
{
	(void)state;
	check_home(true);
}

/*
 * Without mDNS and SSDP (a capture point that misses multicast, or a
 * sensor before it parsed them) the answers must not change.
 */
static void test_smart_home_unicast_only(void **state)
{
	(void)state;
	check_home(false);
}

/*
 * The phone's own M-SEARCH for Sonos players leaves it with the ssdp_type
 * urn:schemas-upnp-org:device:ZonePlayer:1 and the user agent "iOS/17.3
 * UPnP/1.1 Sonos/16.1"; the Sonos rules must not fire on either.
 */
static void test_searcher_is_not_what_it_seeks(void **state)
{
	struct device_rules *r = load_repo_rules();
	struct test_device t;
	struct device_class c;

	(void)state;
	dev_init(&t, NULL);
	dev_sig(&t, SIG_SSDP_TYPE, "urn:schemas-upnp-org:device:ZonePlayer:1");
	dev_sig(&t, SIG_SSDP_TYPE, "ssdp:all");
	dev_sig(&t, SIG_SSDP_USER_AGENT, "iOS/17.3 UPnP/1.1 Sonos/16.1");
	device_rules_classify(r, &t.d, &c);
	assert_string_equal(c.class_name, "phone");
	assert_string_equal(c.evidence[0].rule_id, "ios-ssdp-user-agent");
	device_rules_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_valid),
		cmocka_unit_test(test_load_empty_list_and_null),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_load_nul),
		cmocka_unit_test(test_load_error_cut),
		cmocka_unit_test(test_load_too_many_rules),
		cmocka_unit_test(test_load_too_many_patterns),
		cmocka_unit_test(test_load_too_many_patterns_in_all),
		cmocka_unit_test(test_load_too_large),
		cmocka_unit_test(test_load_file_errors),
		cmocka_unit_test(test_glob),
		cmocka_unit_test(test_glob_no_blowup),
		cmocka_unit_test(test_suffix),
		cmocka_unit_test(test_suffix_normalised),
		cmocka_unit_test(test_evidence_names),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_and_or),
		cmocka_unit_test(test_any_value),
		cmocka_unit_test(test_scoring),
		cmocka_unit_test(test_ties),
		cmocka_unit_test(test_confidence),
		cmocka_unit_test(test_vendor_model),
		cmocka_unit_test(test_evidence_cap),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_repo_rules_load),
		cmocka_unit_test(test_smart_home),
		cmocka_unit_test(test_smart_home_unicast_only),
		cmocka_unit_test(test_searcher_is_not_what_it_seeks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
