/*
 * test-mud.c - unit tests of the RFC 8520 MUD profiles of the policy
 * (src/policy-mud.c, and the `mud:` key of src/policy-load.c).
 *
 * First a hand-written profile for a plug - TCP 443 to one DNS name,
 * UDP 123 to anywhere - and flows that must pass and flows that must
 * violate; then the other matches (drop, port range, network,
 * local-networks, IPv6, an unsupported match); then the to-device side
 * (flows opened to the device: the remote end is the client); then the
 * profile through a policy file, with the verdicts beside the rule
 * verdict.  Last a table of malformed MUD files, each with its exact
 * "FILE:LINE:COL: problem"; columns are counted by hand in the comment
 * above each case (1-based).
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

#include "incident.h"
#include "policy-mud.h"
#include "policy.h"

#define NAME "m.json"

/*
 * A profile whose from-device ACL "a" holds the ACEs of ACE_TEXT (a
 * comma-separated list, all on line 3); line 4 closes it.  Line 1 also
 * names a to-device ACL "b", which has no ACE: every flow opened to the
 * device is a violation.
 */
#define MUD(ace_text)                                                                         \
	"{\"ietf-mud:mud\": {\"from-device-policy\": {\"access-lists\": {\"access-list\": "     \
	"[{\"name\": \"a\"}]}}, \"to-device-policy\": {\"access-lists\": {\"access-list\": "     \
	"[{\"name\": \"b\"}]}}},\n"                                                            \
	" \"ietf-access-control-list:acls\": {\"acl\": [{\"name\": \"b\", \"aces\": {\"ace\": "  \
	"[]}}, {\"name\": \"a\", \"aces\": {\"ace\": [\n" ace_text "\n]}}]}}\n"

/*
 * A profile whose from-device ACL "a" accepts everything and whose
 * to-device ACL "b" holds the ACEs of ACE_TEXT, all on line 3.
 */
#define MUD_TO(ace_text)                                                                      \
	"{\"ietf-mud:mud\": {\"from-device-policy\": {\"access-lists\": {\"access-list\": "     \
	"[{\"name\": \"a\"}]}}, \"to-device-policy\": {\"access-lists\": {\"access-list\": "     \
	"[{\"name\": \"b\"}]}}},\n"                                                            \
	" \"ietf-access-control-list:acls\": {\"acl\": [{\"name\": \"a\", \"aces\": {\"ace\": "  \
	"[{\"name\": \"all\", \"actions\": {\"forwarding\": \"accept\"}}]}}, {\"name\": \"b\", "  \
	"\"aces\": {\"ace\": [\n" ace_text "\n]}}]}}\n"

/* The plug: cloud.example.com on TCP 443, NTP anywhere. */
static const char plug[] = MUD(
	"{\"name\": \"cloud\", \"matches\": {\"ipv4\": {\"ietf-acldns:dst-dnsname\": "
	"\"cloud.example.com\", \"protocol\": 6}, \"tcp\": {\"ietf-mud:direction-initiated\": "
	"\"from-device\", \"destination-port\": {\"operator\": \"eq\", \"port\": 443}}}, "
	"\"actions\": {\"forwarding\": \"accept\"}}, "
	"{\"name\": \"ntp\", \"matches\": {\"udp\": {\"destination-port\": {\"operator\": \"eq\", "
	"\"port\": 123}}}, \"actions\": {\"forwarding\": \"accept\"}}");

static struct ew_cidr_list home;

static int setup_home(void **state)
{
	struct ew_cidr c;
	char err[128];

	(void)state;
	memset(&home, 0, sizeof(home));
	if (ew_cidr_parse("192.168.0.0/16", &c, err, sizeof(err)) != 0 ||
	    ew_cidr_list_add(&home, &c) != 0)
		return -1;
	return 0;
}

static int teardown_home(void **state)
{
	(void)state;
	ew_cidr_list_free(&home);
	return 0;
}

static struct policy_mud *load(const char *text, char *err, size_t errlen)
{
	return policy_mud_load_buffer(NAME, text, strlen(text), err, errlen);
}

static void view(struct policy_view *v, const char *server, uint8_t proto, uint16_t port,
		 const char *name)
{
	struct ew_cidr c;
	char err[128];

	memset(v, 0, sizeof(*v));
	assert_int_equal(ew_cidr_parse("192.168.1.21", &c, err, sizeof(err)), 0);
	v->client = c.addr;
	assert_int_equal(ew_cidr_parse(server, &c, err, sizeof(err)), 0);
	v->server = c.addr;
	v->proto = proto;
	v->server_port = port;
	v->server_name = name;
	v->client_class = "smart-plug";
}

/* A flow the plug 192.168.1.21 opens to server:port. */
static bool allows(const struct policy_mud *m, const char *server, uint8_t proto, uint16_t port,
		   const char *name, char *why, size_t whylen)
{
	struct policy_view v;

	view(&v, server, proto, port, name);
	v.client_port = 40000;
	return policy_mud_allows(m, POLICY_MUD_FROM_DEVICE, &home, &v, why, whylen);
}

/* A flow client:cport (named name) opens to the plug's port sport. */
static bool allows_to(const struct policy_mud *m, const char *client, uint8_t proto,
		      uint16_t cport, uint16_t sport, const char *name, char *why, size_t whylen)
{
	struct policy_view v;
	struct ew_cidr c;
	char err[128];

	memset(&v, 0, sizeof(v));
	assert_int_equal(ew_cidr_parse(client, &c, err, sizeof(err)), 0);
	v.client = c.addr;
	assert_int_equal(ew_cidr_parse("192.168.1.21", &c, err, sizeof(err)), 0);
	v.server = c.addr;
	v.proto = proto;
	v.client_port = cport;
	v.server_port = sport;
	v.client_name = name;
	v.server_class = "smart-plug";
	why[0] = '\0';
	return policy_mud_allows(m, POLICY_MUD_TO_DEVICE, &home, &v, why, whylen);
}

static void test_plug(void **state)
{
	char err[256], why[192];
	struct policy_mud *m = load(plug, err, sizeof(err));

	(void)state;
	assert_non_null(m);
	assert_int_equal(policy_mud_ace_count(m, POLICY_MUD_FROM_DEVICE), 2);
	assert_int_equal(policy_mud_ace_count(m, POLICY_MUD_TO_DEVICE), 0);
	assert_int_equal(policy_mud_unsupported(m), 0);
	assert_true(policy_mud_judges(m, POLICY_MUD_TO_DEVICE));
	assert_string_equal(policy_mud_url(m), ""); /* it names no mud-url */
	/* Must pass: the cloud by name (any case, a final dot), NTP to anywhere. */
	assert_true(allows(m, "203.0.113.5", 6, 443, "cloud.example.com", why, sizeof(why)));
	assert_true(allows(m, "203.0.113.5", 6, 443, "CLOUD.Example.COM.", why, sizeof(why)));
	assert_true(allows(m, "192.0.2.123", 17, 123, NULL, why, sizeof(why)));
	assert_true(allows(m, "192.168.1.1", 17, 123, NULL, why, sizeof(why)));
	/* Must violate: no name, another name, a longer name, another port, another protocol. */
	assert_false(allows(m, "203.0.113.5", 6, 443, NULL, why, sizeof(why)));
	assert_string_equal(why, "no ACE of the from-device-policy accepts it (2 ACEs, 0 skipped "
				 "as unsupported; server name unknown)");
	assert_false(allows(m, "203.0.113.5", 6, 443, "evil.example.com", why, sizeof(why)));
	assert_false(allows(m, "203.0.113.5", 6, 443, "x.cloud.example.com", why, sizeof(why)));
	assert_false(allows(m, "203.0.113.5", 6, 80, "cloud.example.com", why, sizeof(why)));
	assert_false(allows(m, "203.0.113.5", 17, 443, "cloud.example.com", why, sizeof(why)));
	assert_false(allows(m, "192.168.1.1", 17, 53, NULL, why, sizeof(why)));
	assert_false(allows(m, "192.0.2.123", 6, 123, NULL, why, sizeof(why)));
	assert_false(allows(m, "192.0.2.123", 1, 0, NULL, why, sizeof(why)));
	/* The to-device ACL "b" is empty: nothing may open a flow to the plug. */
	assert_false(allows_to(m, "192.168.1.10", 6, 40000, 80, NULL, why, sizeof(why)));
	assert_string_equal(why, "no ACE of the to-device-policy accepts it (0 ACEs, 0 skipped "
				 "as unsupported; client name unknown)");
	policy_mud_free(m);
}

/* Drop first, a range, a network, local-networks, IPv6, an ACE we cannot judge. */
static void test_other_matches(void **state)
{
	static const char text[] = MUD(
		"{\"name\": \"no-telnet\", \"matches\": {\"tcp\": {\"destination-port\": "
		"{\"operator\": \"eq\", \"port\": 23}}}, \"actions\": {\"forwarding\": \"drop\"}}, "
		"{\"name\": \"lan\", \"matches\": {\"ietf-mud:mud\": {\"local-networks\": [null]}}, "
		"\"actions\": {\"forwarding\": \"accept\"}}, "
		"{\"name\": \"range\", \"matches\": {\"ipv4\": {\"destination-ipv4-network\": "
		"\"198.51.100.0/24\"}, \"udp\": {\"destination-port\": {\"lower-port\": 8000, "
		"\"upper-port\": 8999}}}, \"actions\": {\"forwarding\": \"accept\"}}, "
		"{\"name\": \"v6\", \"matches\": {\"ipv6\": {\"destination-ipv6-network\": "
		"\"2001:db8:f0::/48\", \"protocol\": 6}}, \"actions\": {\"forwarding\": "
		"\"ietf-access-control-list:accept\"}}, "
		"{\"name\": \"ctl\", \"matches\": {\"ietf-mud:mud\": {\"controller\": "
		"\"urn:ietf:params:mud:dns\"}}, \"actions\": {\"forwarding\": \"accept\"}}");
	char err[256], why[192];
	struct policy_mud *m = load(text, err, sizeof(err));

	(void)state;
	assert_non_null(m);
	assert_int_equal(policy_mud_ace_count(m, POLICY_MUD_FROM_DEVICE), 5);
	assert_int_equal(policy_mud_unsupported(m), 1); /* "ctl" */
	/* Telnet to the LAN: the drop comes first. */
	assert_false(allows(m, "192.168.1.1", 6, 23, NULL, why, sizeof(why)));
	assert_string_equal(why, "ACE 'no-telnet' of ACL 'a' drops it");
	assert_true(allows(m, "192.168.1.10", 6, 1883, NULL, why, sizeof(why)));
	assert_false(allows(m, "10.0.0.1", 6, 1883, NULL, why, sizeof(why))); /* not home */
	/* The range is inclusive at both ends, and only in the block, only UDP. */
	assert_true(allows(m, "198.51.100.7", 17, 8000, NULL, why, sizeof(why)));
	assert_true(allows(m, "198.51.100.7", 17, 8999, NULL, why, sizeof(why)));
	assert_false(allows(m, "198.51.100.7", 17, 7999, NULL, why, sizeof(why)));
	assert_false(allows(m, "198.51.100.7", 17, 9000, NULL, why, sizeof(why)));
	assert_false(allows(m, "198.51.101.7", 17, 8000, NULL, why, sizeof(why)));
	assert_false(allows(m, "198.51.100.7", 6, 8000, NULL, why, sizeof(why)));
	/* The ipv6 ACE: IPv6 only. */
	assert_true(allows(m, "2001:db8:f0::5", 6, 443, NULL, why, sizeof(why)));
	assert_false(allows(m, "2001:db8:f1::5", 6, 443, NULL, why, sizeof(why)));
	assert_false(allows(m, "2001:db8:f0::5", 17, 443, NULL, why, sizeof(why)));
	/* "ctl" would accept anything; skipped, so this is a violation, and says so. */
	assert_false(allows(m, "203.0.113.9", 6, 443, "x.example", why, sizeof(why)));
	assert_string_equal(why, "no ACE of the from-device-policy accepts it (5 ACEs, 1 skipped "
				 "as unsupported; server name x.example)");
	policy_mud_free(m);
}

/* A flow the plug opens to server:port, a device that announced the MUD URL url (NULL: none). */
static bool allows_url(const struct policy_mud *m, const char *server, uint16_t port,
		       const char *url, char *why, size_t whylen)
{
	struct policy_view v;

	view(&v, server, 6, port, NULL);
	v.client_port = 40000;
	v.server_mud_url = url;
	return policy_mud_allows(m, POLICY_MUD_FROM_DEVICE, &home, &v, why, whylen);
}

/*
 * The MUD matches on the remote end's announced MUD URL: same-manufacturer
 * (the authority of the file's own mud-url), manufacturer (an authority,
 * any case), model (the exact URL).  A file without a mud-url cannot say
 * who its own manufacturer is: its same-manufacturer ACE is skipped.
 */
static void test_manufacturer_matches(void **state)
{
#define ACES                                                                                  \
	"{\"name\": \"same\", \"matches\": {\"ietf-mud:mud\": {\"same-manufacturer\": [null]}}, " \
	"\"actions\": {\"forwarding\": \"accept\"}}, "                                           \
	"{\"name\": \"partner\", \"matches\": {\"ietf-mud:mud\": {\"manufacturer\": "           \
	"\"hub.partner.example\"}, \"tcp\": {\"destination-port\": {\"operator\": \"eq\", "        \
	"\"port\": 8883}}}, \"actions\": {\"forwarding\": \"accept\"}}, "                          \
	"{\"name\": \"nvr\", \"matches\": {\"ietf-mud:mud\": {\"model\": "                       \
	"\"https://mud.other.example/nvr-1.json\"}}, \"actions\": {\"forwarding\": \"accept\"}}"
	static const char head[] = "{\"ietf-mud:mud\": {";
	static const char without[] = MUD(ACES);
	char text[sizeof(without) + 64], err[256], why[192];
	struct policy_mud *m;

	(void)state;
	snprintf(text, sizeof(text), "%s\"mud-url\": \"https://MUD.acme.example/cam-2.json\", %s",
		 head, without + strlen(head));
	m = load(text, err, sizeof(err));
	assert_non_null(m);
	assert_int_equal(policy_mud_unsupported(m), 0);
	/* Same maker (authority without case, any path), any port. */
	assert_true(allows_url(m, "192.168.1.30", 554, "https://mud.acme.example/nvr.json", why,
			       sizeof(why)));
	assert_false(allows_url(m, "192.168.1.30", 554, "https://mud.acme.example.evil/x", why,
				sizeof(why)));
	assert_false(allows_url(m, "192.168.1.30", 554, NULL, why, sizeof(why)));
	assert_false(allows_url(m, "192.168.1.30", 554, "mud.acme.example", why, sizeof(why)));
	/* The partner's hub, on 8883 only. */
	assert_true(allows_url(m, "192.168.1.31", 8883, "https://hub.partner.example/h.json", why,
			       sizeof(why)));
	assert_false(allows_url(m, "192.168.1.31", 8884, "https://hub.partner.example/h.json", why,
				sizeof(why)));
	/* The one model, exactly. */
	assert_true(allows_url(m, "192.168.1.32", 80, "https://mud.other.example/nvr-1.json", why,
			       sizeof(why)));
	assert_false(allows_url(m, "192.168.1.32", 80, "https://mud.other.example/nvr-2.json", why,
				sizeof(why)));
	policy_mud_free(m);
	/* No mud-url of its own: "same" is skipped, the others still judge. */
	m = load(without, err, sizeof(err));
	assert_non_null(m);
	assert_int_equal(policy_mud_unsupported(m), 1);
	assert_false(allows_url(m, "192.168.1.30", 554, "https://mud.acme.example/nvr.json", why,
				sizeof(why)));
	assert_true(allows_url(m, "192.168.1.31", 8883, "https://hub.partner.example/h.json", why,
			       sizeof(why)));
	policy_mud_free(m);
#undef ACES
}

/*
 * The to-device side: the flow's client is the remote end.  Web from the
 * LAN only (direction-initiated to-device), the cloud's flows from its
 * port 443 by name, ports 8000 and up from a block, telnet dropped
 * before anything else could accept it, everything but SSH from another
 * block, UDP from privileged ports; an ACE on the device's own address
 * (unsupported) and one for replies to the device's own flows
 * (direction-initiated from-device: never a flow opened to it).
 */
static void test_to_device(void **state)
{
	static const char text[] = MUD_TO(
		"{\"name\": \"web\", \"matches\": {\"ietf-mud:mud\": {\"local-networks\": [null]}, "
		"\"tcp\": {\"ietf-mud:direction-initiated\": \"to-device\", \"destination-port\": "
		"{\"operator\": \"eq\", \"port\": 80}}}, \"actions\": {\"forwarding\": \"accept\"}}, "
		"{\"name\": \"replies\", \"matches\": {\"udp\": {\"ietf-mud:direction-initiated\": "
		"\"from-device\"}}, \"actions\": {\"forwarding\": \"accept\"}}, "
		"{\"name\": \"cloud-back\", \"matches\": {\"ipv4\": {\"ietf-acldns:src-dnsname\": "
		"\"cloud.example.com.\", \"protocol\": 6}, \"tcp\": {\"source-port\": {\"port\": 443}}}, "
		"\"actions\": {\"forwarding\": \"accept\"}}, "
		"{\"name\": \"deny-telnet\", \"matches\": {\"tcp\": {\"destination-port\": "
		"{\"operator\": \"eq\", \"port\": 23}}}, \"actions\": {\"forwarding\": \"drop\"}}, "
		"{\"name\": \"block\", \"matches\": {\"ipv4\": {\"source-ipv4-network\": "
		"\"198.51.100.0/24\"}, \"tcp\": {\"destination-port\": {\"operator\": \"gte\", "
		"\"port\": 8000}}}, \"actions\": {\"forwarding\": \"accept\"}}, "
		"{\"name\": \"self\", \"matches\": {\"ipv4\": {\"destination-ipv4-network\": "
		"\"192.168.1.21/32\"}}, \"actions\": {\"forwarding\": \"accept\"}}, "
		"{\"name\": \"not-ssh\", \"matches\": {\"ipv4\": {\"source-ipv4-network\": "
		"\"203.0.113.0/24\"}, \"tcp\": {\"destination-port\": {\"operator\": \"neq\", "
		"\"port\": 22}}}, \"actions\": {\"forwarding\": \"accept\"}}, "
		"{\"name\": \"low\", \"matches\": {\"udp\": {\"source-port\": {\"operator\": \"lte\", "
		"\"port\": 1023}}}, \"actions\": {\"forwarding\": \"accept\"}}");
	static const struct {
		const char *client;
		uint8_t proto;
		uint16_t cport, sport;
		const char *name;
		bool allowed;
		const char *why; /* NULL: not checked */
	} cases[] = {
		/* "web": from the LAN on TCP 80 only. */
		{ "192.168.1.10", 6, 40000, 80, NULL, true, NULL },
		{ "192.0.2.5", 6, 40000, 80, NULL, false,
		  "no ACE of the to-device-policy accepts it (8 ACEs, 1 skipped as unsupported; "
		  "client name unknown)" },
		{ "192.168.1.10", 6, 40000, 8080, NULL, false, NULL },
		/* UDP 80: "web" is TCP, and "replies" never holds for a flow opened to the device. */
		{ "192.168.1.10", 17, 40000, 80, NULL, false, NULL },
		/* "low": the client's port, 1023 included. */
		{ "192.168.1.10", 17, 123, 80, NULL, true, NULL },
		{ "192.168.1.10", 17, 1023, 80, NULL, true, NULL },
		{ "192.168.1.10", 17, 1024, 80, NULL, false, NULL },
		/* "cloud-back": the client's name (any case, a final dot) and its port 443. */
		{ "198.51.100.9", 6, 443, 5000, "Cloud.Example.com", true, NULL },
		{ "198.51.100.9", 6, 444, 5000, "cloud.example.com", false,
		  "no ACE of the to-device-policy accepts it (8 ACEs, 1 skipped as unsupported; "
		  "client name cloud.example.com)" },
		{ "198.51.100.9", 6, 443, 5000, NULL, false, NULL },
		/* "block": the client's block, the device's port 8000 and up. */
		{ "198.51.100.9", 6, 1234, 8000, NULL, true, NULL },
		{ "198.51.100.9", 6, 1234, 65535, NULL, true, NULL },
		{ "198.51.100.9", 6, 1234, 7999, NULL, false, NULL },
		{ "198.51.101.9", 6, 1234, 8000, NULL, false, NULL },
		/* Telnet is dropped before "not-ssh" could accept it; "not-ssh" is all but 22. */
		{ "203.0.113.7", 6, 50000, 23, NULL, false,
		  "ACE 'deny-telnet' of to-device ACL 'b' drops it" },
		{ "203.0.113.7", 6, 50000, 2222, NULL, true, NULL },
		{ "203.0.113.7", 6, 50000, 22, NULL, false, NULL },
		/* ICMP: every ACE that could hold names a port, or is "self". */
		{ "203.0.113.7", 1, 0, 0, NULL, false, NULL },
	};
	char err[256], why[192];
	struct policy_mud *m = load(text, err, sizeof(err));

	(void)state;
	if (m == NULL)
		fail_msg("%s", err);
	assert_int_equal(policy_mud_ace_count(m, POLICY_MUD_FROM_DEVICE), 1);
	assert_int_equal(policy_mud_ace_count(m, POLICY_MUD_TO_DEVICE), 8);
	assert_int_equal(policy_mud_unsupported(m), 1); /* "self" */
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (allows_to(m, cases[i].client, cases[i].proto, cases[i].cport, cases[i].sport,
			      cases[i].name, why, sizeof(why)) != cases[i].allowed ||
		    (cases[i].why != NULL && strcmp(why, cases[i].why) != 0))
			fail_msg("case %zu (%s): allowed %d, why '%s'", i, cases[i].client,
				 !cases[i].allowed, why);
	/* The device's own flows go by the from-device side ("all"), telnet included. */
	assert_true(allows(m, "192.0.2.5", 6, 23, NULL, why, sizeof(why)));
	policy_mud_free(m);
}

/* Through a policy file: `mud:` relative to it, the verdict beside the rule's. */
static void test_policy_file(void **state)
{
	static const char url[] = "https://mud.example.com/plug-2.json";
	static const char head[] = "{\"ietf-mud:mud\": {";
	char dir[] = "/tmp/test-mud.XXXXXX", path[64], upath[64], pol[128], err[512];
	struct policy_verdict vd;
	struct policy_view v;
	struct policy *p;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/plug.json", dir);
	assert_non_null(f = fopen(path, "w"));
	fputs(plug, f);
	fclose(f);
	/* The same profile published at url, for the hub class. */
	snprintf(upath, sizeof(upath), "%s/url.json", dir);
	assert_non_null(f = fopen(upath, "w"));
	assert_int_equal(strncmp(plug, head, strlen(head)), 0);
	fprintf(f, "%s\"mud-url\": \"%s\", %s", head, url, plug + strlen(head));
	fclose(f);
	snprintf(pol, sizeof(pol), "%s/p.yaml", dir);
	assert_non_null(f = fopen(pol, "w"));
	fputs("default: allow\nmud:\n  smart-plug: {file: plug.json, severity: high}\n"
	      "  camera: plug.json\n  hub: url.json\n", f);
	fclose(f);
	p = policy_load_file(pol, &home, err, sizeof(err));
	assert_non_null(p);
	assert_int_equal(policy_mud_count(p), 3);
	assert_int_equal(policy_mud_unsupported_count(p), 0);

	view(&v, "192.168.1.1", 17, 53, NULL);
	policy_check(p, &v, &vd);
	assert_int_equal(vd.result, POLICY_ALLOW); /* the rules' verdict stands apart */
	assert_true(vd.mud[POLICY_MUD_FROM_DEVICE].violation);
	assert_string_equal(vd.mud[POLICY_MUD_FROM_DEVICE].cls, "smart-plug");
	assert_string_equal(vd.mud[POLICY_MUD_FROM_DEVICE].file, path);
	assert_int_equal(vd.mud[POLICY_MUD_FROM_DEVICE].severity, SEV_HIGH);
	/* The server (the router) has no class: no to-device verdict. */
	assert_false(vd.mud[POLICY_MUD_TO_DEVICE].violation);
	assert_null(vd.mud[POLICY_MUD_TO_DEVICE].cls);

	view(&v, "203.0.113.5", 6, 443, "cloud.example.com");
	policy_check(p, &v, &vd);
	assert_false(vd.mud[POLICY_MUD_FROM_DEVICE].violation);
	assert_string_equal(vd.mud[POLICY_MUD_FROM_DEVICE].cls, "smart-plug");

	/*
	 * A plug opening a flow to a camera: the plug's from-device side
	 * accepts NTP, the camera's to-device side (ACL "b", empty) does not.
	 */
	view(&v, "192.168.1.20", 17, 123, NULL);
	v.server_class = "camera";
	policy_check(p, &v, &vd);
	assert_false(vd.mud[POLICY_MUD_FROM_DEVICE].violation);
	assert_true(vd.mud[POLICY_MUD_TO_DEVICE].violation);
	assert_string_equal(vd.mud[POLICY_MUD_TO_DEVICE].cls, "camera");
	assert_int_equal(vd.mud[POLICY_MUD_TO_DEVICE].severity, SEV_MEDIUM);
	assert_string_equal(vd.mud[POLICY_MUD_TO_DEVICE].why,
			    "no ACE of the to-device-policy accepts it (0 ACEs, 0 skipped as "
			    "unsupported; client name unknown)");

	/* The camera entry takes the default severity; a class with no entry is not judged. */
	view(&v, "192.168.1.1", 17, 53, NULL);
	v.client_class = "camera";
	policy_check(p, &v, &vd);
	assert_true(vd.mud[POLICY_MUD_FROM_DEVICE].violation);
	assert_int_equal(vd.mud[POLICY_MUD_FROM_DEVICE].severity, SEV_MEDIUM);
	v.client_class = "printer";
	v.server_class = "printer";
	policy_check(p, &v, &vd);
	assert_false(vd.mud[POLICY_MUD_FROM_DEVICE].violation);
	assert_null(vd.mud[POLICY_MUD_FROM_DEVICE].cls);
	assert_false(vd.mud[POLICY_MUD_TO_DEVICE].violation);
	v.client_class = "";
	policy_check(p, &v, &vd);
	assert_false(vd.mud[POLICY_MUD_FROM_DEVICE].violation);

	/*
	 * A device announcing url is judged by the file published there,
	 * whatever its class (a printer has no entry; a smart plug's entry
	 * gives way), on both sides; an unknown URL falls back to the class.
	 */
	v.client_class = "printer";
	v.client_mud_url = url;
	policy_check(p, &v, &vd);
	assert_true(vd.mud[POLICY_MUD_FROM_DEVICE].violation);
	assert_true(vd.mud[POLICY_MUD_FROM_DEVICE].by_url);
	assert_string_equal(vd.mud[POLICY_MUD_FROM_DEVICE].cls, "hub");
	assert_string_equal(vd.mud[POLICY_MUD_FROM_DEVICE].file, upath);
	assert_int_equal(vd.mud[POLICY_MUD_FROM_DEVICE].severity, SEV_MEDIUM);
	v.client_class = "smart-plug";
	policy_check(p, &v, &vd);
	assert_string_equal(vd.mud[POLICY_MUD_FROM_DEVICE].cls, "hub");
	v.client_mud_url = "https://mud.example.com/other.json";
	policy_check(p, &v, &vd);
	assert_false(vd.mud[POLICY_MUD_FROM_DEVICE].by_url);
	assert_string_equal(vd.mud[POLICY_MUD_FROM_DEVICE].cls, "smart-plug");
	v.server_class = "";
	v.server_mud_url = url;
	policy_check(p, &v, &vd);
	assert_true(vd.mud[POLICY_MUD_TO_DEVICE].violation);
	assert_true(vd.mud[POLICY_MUD_TO_DEVICE].by_url);
	assert_string_equal(vd.mud[POLICY_MUD_TO_DEVICE].cls, "hub");
	policy_free(p);
	unlink(upath);

	/* A MUD file that does not load: its own FILE:LINE:COL is the policy's error. */
	assert_non_null(f = fopen(path, "w"));
	fputs("{\n  \"ietf-mud:mud\": tru\n}\n", f); /* line 2: 2 spaces, 14+2 bytes: col 19 */
	fclose(f);
	assert_null(policy_load_file(pol, &home, err, sizeof(err)));
	snprintf(pol, sizeof(pol), "%s:2:19: unexpected 't'", path);
	assert_string_equal(err, pol);
	/* A missing one: "PATH: reason". */
	unlink(path);
	snprintf(pol, sizeof(pol), "%s/p.yaml", dir);
	assert_null(policy_load_file(pol, &home, err, sizeof(err)));
	assert_non_null(strstr(err, "plug.json"));
	unlink(pol);
	rmdir(dir);
}

/* Policy-side errors of the `mud:` key: the policy file's FILE:LINE:COL. */
static void test_policy_key_errors(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		/* "mud: 5": the value at col 6. */
		{ "mud: 5\n", "t.yaml:1:6: mud: expected a mapping, found a scalar" },
		/* line 2: 2 spaces, "Bad Class" at col 3. */
		{ "mud:\n  Bad Class: x.json\n",
		  "t.yaml:2:3: mud: class 'Bad Class' is not 1 to 23 lower-case letters, digits, "
		  "'-' or '_'" },
		/* line 2: the key "plug" at col 3 is where the entry is. */
		{ "mud:\n  plug: {severity: high}\n",
		  "t.yaml:2:3: mud entry 'plug': missing 'file'" },
		/* line 2: "  plug: {file: a.json, " is 2+6+1+14 = 23 bytes: "colour" at col 24. */
		{ "mud:\n  plug: {file: a.json, colour: red}\n",
		  "t.yaml:2:24: mud: unknown key 'colour' in a mud entry" },
	};
	char err[512];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct policy *p = policy_load_buffer("t.yaml", cases[i].text, strlen(cases[i].text),
						      &home, err, sizeof(err));

		assert_null(p);
		assert_string_equal(err, cases[i].want);
	}
}

/*
 * Malformed MUD files.  ACE texts sit on line 3 of MUD(); the column
 * arithmetic of each is in its comment.
 */
static void test_malformed(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		/* "{\"a\": }": '{' 1, "\"a\"" 2-4, ':' 5, ' ' 6, '}' at byte 6 = col 7. */
		{ "{\"a\": }", NAME ":1:7: unexpected byte 0x7d" },
		/* Line 2 "  \"x\": tru": 2 + 3 + 2 = 7 bytes before "tru": col 8. */
		{ "{\n  \"x\": tru\n}", NAME ":2:8: unexpected 't'" },
		/* 33 '[': the 33rd (byte 32, col 33) is one level too deep. */
		{ "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
		  NAME ":1:33: nesting deeper than 32" },
		{ "[]", NAME ":1:1: expected an object, found an array" },
		{ "{}", NAME ":1:1: MUD file: no 'ietf-mud:mud'" },
		/*
		 * mud-url: '{' 1, "\"ietf-mud:mud\"" 2-15, ": " 16-17, '{' 18,
		 * "\"mud-url\"" 19-27, ": " 28-29: the value at col 30.
		 */
		{ "{\"ietf-mud:mud\": {\"mud-url\": 5}, \"ietf-access-control-list:acls\": {\"acl\": []}}",
		  NAME ":1:30: ietf-mud:mud: mud-url: expected a string, found a number" },
		{ "{\"ietf-mud:mud\": {\"mud-url\": \"\"}, \"ietf-access-control-list:acls\": {\"acl\": []}}",
		  NAME ":1:30: ietf-mud:mud: mud-url must be 1..255 bytes" },
		{ "{\"ietf-mud:mud\": {\"mud-url\": \"https://a b\"}, "
		  "\"ietf-access-control-list:acls\": {\"acl\": []}}",
		  NAME ":1:30: ietf-mud:mud: mud-url has a space, control or non-ASCII byte" },
		/* '{' 1, "\"ietf-mud:mud\"" 2-15, ':' 16, ' ' 17: 5 at col 18. */
		{ "{\"ietf-mud:mud\": 5}", NAME ":1:18: 'ietf-mud:mud': expected an object, found a number" },
		/* The mud object at col 18 has no from-device-policy. */
		{ "{\"ietf-mud:mud\": {}, \"ietf-access-control-list:acls\": {\"acl\": []}}",
		  NAME ":1:18: ietf-mud:mud: no 'from-device-policy'" },
		/*
		 * from-device-policy names "z": the string is on line 1 at
		 * '{' 1, "\"ietf-mud:mud\"" 2-15, ": " 16-17, '{' 18,
		 * "\"from-device-policy\"" 19-38, ": " 39-40, '{' 41,
		 * "\"access-lists\"" 42-55, ": " 56-57, '{' 58, "\"access-list\""
		 * 59-71, ": " 72-73, '[' 74, '{' 75, "\"name\"" 76-81, ": "
		 * 82-83: "z" at col 84.
		 */
		{ "{\"ietf-mud:mud\": {\"from-device-policy\": {\"access-lists\": {\"access-list\": "
		  "[{\"name\": \"z\"}]}}}, \"ietf-access-control-list:acls\": {\"acl\": []}}",
		  NAME ":1:84: no ACL named 'z'" },
		/*
		 * The MUD matches, line 3: '{' 1, "\"name\"" 2-7, ": " 8-9, "\"x\"" 10-12,
		 * ", " 13-14, "\"matches\"" 15-23, ": " 24-25, '{' 26, "\"ietf-mud:mud\""
		 * 27-40, ": " 41-42, '{' 43, the key from 44: "\"manufacturer\"" 44-57
		 * puts its value at 60, "\"same-manufacturer\"" 44-62 at 65,
		 * "\"local-networks\"" 44-59 at 62, "\"model\"" 44-50 at 53.
		 */
		{ MUD("{\"name\": \"x\", \"matches\": {\"ietf-mud:mud\": {\"manufacturer\": 5}}, "
		      "\"actions\": {\"forwarding\": \"accept\"}}"),
		  NAME ":3:60: ietf-mud:mud: manufacturer: expected a string, found a number" },
		{ MUD("{\"name\": \"x\", \"matches\": {\"ietf-mud:mud\": {\"same-manufacturer\": true}}, "
		      "\"actions\": {\"forwarding\": \"accept\"}}"),
		  NAME ":3:65: ietf-mud:mud: same-manufacturer: expected [null]" },
		{ MUD("{\"name\": \"x\", \"matches\": {\"ietf-mud:mud\": {\"local-networks\": true}}, "
		      "\"actions\": {\"forwarding\": \"accept\"}}"),
		  NAME ":3:62: ietf-mud:mud: local-networks: expected [null]" },
		{ MUD("{\"name\": \"x\", \"matches\": {\"ietf-mud:mud\": {\"model\": \"a b\"}}, "
		      "\"actions\": {\"forwarding\": \"accept\"}}"),
		  NAME ":3:53: ietf-mud:mud: model has a space, control or non-ASCII byte" },
		/* Line 3: '{' 1, "\"name\"" 2-7, ": " 8-9: 5 at col 10. */
		{ MUD("{\"name\": 5, \"actions\": {\"forwarding\": \"accept\"}}"),
		  NAME ":3:10: 'name': expected a string, found a number" },
		/*
		 * '{' 1, "\"name\"" 2-7, ": " 8-9, "\"x\"" 10-12, ", " 13-14,
		 * "\"actions\"" 15-23, ": " 24-25, '{' 26, "\"forwarding\"" 27-38,
		 * ": " 39-40: "allow" at col 41.
		 */
		{ MUD("{\"name\": \"x\", \"actions\": {\"forwarding\": \"allow\"}}"),
		  NAME ":3:41: forwarding: not accept, drop or reject" },
		/* The ACE object itself (col 1) has no actions. */
		{ MUD("{\"name\": \"x\"}"), NAME ":3:1: ace: no 'actions'" },
		/*
		 * '{' 1, "\"name\"" 2-7, ": " 8-9, "\"x\"" 10-12, ", " 13-14,
		 * "\"matches\"" 15-23, ": " 24-25, '{' 26, "\"tcp\"" 27-31, ": "
		 * 32-33, '{' 34, "\"destination-port\"" 35-52, ": " 53-54, '{' 55,
		 * "\"operator\"" 56-65, ": " 66-67, "\"eq\"" 68-71, ", " 72-73,
		 * "\"port\"" 74-79, ": " 80-81: 65536 at col 82.
		 */
		{ MUD("{\"name\": \"x\", \"matches\": {\"tcp\": {\"destination-port\": {\"operator\": "
		      "\"eq\", \"port\": 65536}}}, \"actions\": {\"forwarding\": \"accept\"}}"),
		  NAME ":3:82: 'port': 65536 is not an integer 0..65535" },
		/* As above to col 67: "lt" at col 68. */
		{ MUD("{\"name\": \"x\", \"matches\": {\"tcp\": {\"destination-port\": {\"operator\": "
		      "\"lt\", \"port\": 1}}}, \"actions\": {\"forwarding\": \"accept\"}}"),
		  NAME ":3:68: destination-port: operator not lte, gte, eq or neq" },
		/*
		 * As above to '{' 55, "\"lower-port\"" 56-67, ": " 68-69: 9 at
		 * col 70 (lower above upper is reported at lower-port).
		 */
		{ MUD("{\"name\": \"x\", \"matches\": {\"tcp\": {\"destination-port\": {\"lower-port\": "
		      "9, \"upper-port\": 8}}}, \"actions\": {\"forwarding\": \"accept\"}}"),
		  NAME ":3:70: destination-port: lower-port 9 above upper-port 8" },
		/*
		 * ... '{' 26, "\"ipv4\"" 27-32, ": " 33-34, '{' 35,
		 * "\"ietf-acldns:dst-dnsname\"" 36-60, ": " 61-62: "a..b" at col 63.
		 */
		{ MUD("{\"name\": \"x\", \"matches\": {\"ipv4\": {\"ietf-acldns:dst-dnsname\": "
		      "\"a..b\"}}, \"actions\": {\"forwarding\": \"accept\"}}"),
		  NAME ":3:63: ietf-acldns:dst-dnsname: not a DNS name" },
		/* ... '{' 35, "\"destination-ipv4-network\"" 36-61, ": " 62-63: col 64. */
		{ MUD("{\"name\": \"x\", \"matches\": {\"ipv4\": {\"destination-ipv4-network\": "
		      "\"2001:db8::/32\"}}, \"actions\": {\"forwarding\": \"accept\"}}"),
		  NAME ":3:64: destination-ipv4-network: not an IPv4 address block" },
		/*
		 * ipv4 protocol 17 (col 36-45 "\"protocol\"", ": " 46-47, 17 at
		 * 48-49, "}, " 50-52) then "\"tcp\"" 53-57, ": " 58-59: the tcp
		 * object at col 60 contradicts it.
		 */
		{ MUD("{\"name\": \"x\", \"matches\": {\"ipv4\": {\"protocol\": 17}, \"tcp\": {}}, "
		      "\"actions\": {\"forwarding\": \"accept\"}}"),
		  NAME ":3:60: a tcp match contradicts protocol 17" },
		/* ... '{' 26, "\"ietf-mud:mud\"" 27-40, ": " 41-42, '{' 43, "\"vendor\"" 44-51, ": " 52-53: col 54. */
		{ MUD("{\"name\": \"x\", \"matches\": {\"ietf-mud:mud\": {\"vendor\": \"x\"}}, "
		      "\"actions\": {\"forwarding\": \"accept\"}}"),
		  NAME ":3:54: ietf-mud:mud: unknown match 'vendor'" },
		/*
		 * ... '{' 26, "\"ipv4\"" 27-32, ": " 33-34, '{' 35, "\"protocol\""
		 * 36-45, ": " 46-47, 1 at 48, "}, " 49-51, "\"ietf-mud:mud\"" 52-65,
		 * ": " 66-67, "{}, " 68-71, "\"udp\"" 72-76, ": " 77-78: the udp
		 * object at col 79 contradicts protocol 1.
		 */
		{ MUD("{\"name\": \"x\", \"matches\": {\"ipv4\": {\"protocol\": 1}, \"ietf-mud:mud\": "
		      "{}, \"udp\": {\"destination-port\": {\"operator\": \"eq\", \"port\": 5}}}, "
		      "\"actions\": {\"forwarding\": \"accept\"}}"),
		  NAME ":3:79: a udp match contradicts protocol 1" },
		/* ---- The to-device side: ACE texts on line 3 of MUD_TO(). */
		/*
		 * '{' 1, "\"name\"" 2-7, ": " 8-9, "\"x\"" 10-12, ", " 13-14,
		 * "\"matches\"" 15-23, ": " 24-25, '{' 26, "\"ipv4\"" 27-32, ": "
		 * 33-34, '{' 35, "\"ietf-acldns:src-dnsname\"" 36-60, ": " 61-62:
		 * "a..b" at col 63.
		 */
		{ MUD_TO("{\"name\": \"x\", \"matches\": {\"ipv4\": {\"ietf-acldns:src-dnsname\": "
			 "\"a..b\"}}, \"actions\": {\"forwarding\": \"accept\"}}"),
		  NAME ":3:63: ietf-acldns:src-dnsname: not a DNS name" },
		/* ... '{' 35, "\"source-ipv4-network\"" 36-56, ": " 57-58: col 59. */
		{ MUD_TO("{\"name\": \"x\", \"matches\": {\"ipv4\": {\"source-ipv4-network\": "
			 "\"2001:db8::/32\"}}, \"actions\": {\"forwarding\": \"accept\"}}"),
		  NAME ":3:59: source-ipv4-network: not an IPv4 address block" },
		/*
		 * ... '{' 26, "\"tcp\"" 27-31, ": " 32-33, '{' 34,
		 * "\"source-port\"" 35-47, ": " 48-49, '{' 50, "\"operator\""
		 * 51-60, ": " 61-62: "lt" at col 63.
		 */
		{ MUD_TO("{\"name\": \"x\", \"matches\": {\"tcp\": {\"source-port\": {\"operator\": "
			 "\"lt\", \"port\": 1}}}, \"actions\": {\"forwarding\": \"accept\"}}"),
		  NAME ":3:63: source-port: operator not lte, gte, eq or neq" },
		/* As above to '{' 50, "\"port\"" 51-56, ": " 57-58: 70000 at col 59. */
		{ MUD_TO("{\"name\": \"x\", \"matches\": {\"tcp\": {\"source-port\": {\"port\": "
			 "70000}}}, \"actions\": {\"forwarding\": \"accept\"}}"),
		  NAME ":3:59: 'port': 70000 is not an integer 0..65535" },
		/* An operator without a port: the source-port object at col 50. */
		{ MUD_TO("{\"name\": \"x\", \"matches\": {\"udp\": {\"source-port\": {\"operator\": "
			 "\"eq\"}}}, \"actions\": {\"forwarding\": \"accept\"}}"),
		  NAME ":3:50: source-port: needs port, or lower-port and upper-port" },
		/*
		 * ... '{' 34, "\"ietf-mud:direction-initiated\"" (28 + 2 bytes)
		 * 35-64, ": " 65-66: "both" at col 67.
		 */
		{ MUD_TO("{\"name\": \"x\", \"matches\": {\"tcp\": {\"ietf-mud:direction-initiated\": "
			 "\"both\"}}, \"actions\": {\"forwarding\": \"accept\"}}"),
		  NAME ":3:67: ietf-mud:direction-initiated: not from-device or to-device" },
		/*
		 * A to-device-policy naming a missing ACL: '{' 1,
		 * "\"ietf-mud:mud\"" 2-15, ": " 16-17, '{' 18,
		 * "\"from-device-policy\"" 19-38, ": " 39-40, '{' 41,
		 * "\"access-lists\"" 42-55, ": " 56-57, '{' 58, "\"access-list\""
		 * 59-71, ": " 72-73, "[]" 74-75, "}}" 76-77, ", " 78-79,
		 * "\"to-device-policy\"" 80-97, ": " 98-99, '{' 100,
		 * "\"access-lists\"" 101-114, ": " 115-116, '{' 117,
		 * "\"access-list\"" 118-130, ": " 131-132, '[' 133, '{' 134,
		 * "\"name\"" 135-140, ": " 141-142: "z" at col 143.
		 */
		{ "{\"ietf-mud:mud\": {\"from-device-policy\": {\"access-lists\": {\"access-list\": "
		  "[]}}, \"to-device-policy\": {\"access-lists\": {\"access-list\": [{\"name\": "
		  "\"z\"}]}}}, \"ietf-access-control-list:acls\": {\"acl\": []}}",
		  NAME ":1:143: no ACL named 'z'" },
		/* As above to ": " 98-99: the 5 at col 100. */
		{ "{\"ietf-mud:mud\": {\"from-device-policy\": {\"access-lists\": {\"access-list\": "
		  "[]}}, \"to-device-policy\": 5}, \"ietf-access-control-list:acls\": {\"acl\": []}}",
		  NAME ":1:100: to-device-policy: expected an object, found a number" },
	};
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct policy_mud *m = load(cases[i].text, err, sizeof(err));

		if (m != NULL)
			fail_msg("case %zu loaded", i);
		if (strcmp(err, cases[i].want) != 0)
			fail_msg("case %zu: got '%s', want '%s'", i, err, cases[i].want);
	}
}

/*
 * A to-device ACL of n ACEs, one per line from line 3 (ACE k on line
 * 2 + k); the from-device ACL's one ACE does not count against the cap
 * of the to-device side.  The caller frees.
 */
static char *many_to_device_aces(int n)
{
	static const char ace[] = "{\"name\": \"x\", \"actions\": {\"forwarding\": \"accept\"}}";
	const char *pre = strstr(MUD_TO("@"), "@"), *start = MUD_TO("@");
	size_t len = strlen(start) + (size_t)n * (sizeof(ace) + 2);
	char *t = malloc(len), *w;

	assert_non_null(t);
	w = t + sprintf(t, "%.*s", (int)(pre - start), start);
	for (int i = 0; i < n; i++)
		w += sprintf(w, "%s%s", i ? ",\n" : "", ace);
	sprintf(w, "%s", pre + 1);
	return t;
}

/* Duplicate ACL names (the second name, line 2) and the size cap. */
static void test_caps(void **state)
{
	/*
	 * Line 2: ' ' 1, "\"ietf-access-control-list:acls\"" 2-32, ": " 33-34,
	 * '{' 35, "\"acl\"" 36-40, ": " 41-42, '[' 43, '{' 44, "\"name\"" 45-50,
	 * ": " 51-52, "\"a\"" 53-55, "}, " 56-58, '{' 59, "\"name\"" 60-65, ": "
	 * 66-67: the second "a" at col 68.
	 */
	static const char dup[] =
		"{\"ietf-mud:mud\": {\"from-device-policy\": {\"access-lists\": {\"access-list\": "
		"[]}}},\n \"ietf-access-control-list:acls\": {\"acl\": [{\"name\": \"a\"}, "
		"{\"name\": \"a\"}]}}";
	char err[256], *big;
	size_t n = POLICY_MUD_FILE_MAX + 1;
	struct policy_mud *m;

	(void)state;
	assert_null(load(dup, err, sizeof(err)));
	assert_string_equal(err, NAME ":2:68: duplicate ACL name 'a'");
	assert_non_null(big = malloc(n));
	memset(big, ' ', n);
	assert_null(policy_mud_load_buffer(NAME, big, n, err, sizeof(err)));
	assert_string_equal(err, NAME ": larger than 262144 bytes");
	free(big);

	/* 256 ACEs in the to-device side load; the 257th (line 259, col 1) does not. */
	big = many_to_device_aces(POLICY_MUD_ACES_MAX);
	m = load(big, err, sizeof(err));
	free(big);
	assert_non_null(m);
	assert_int_equal(policy_mud_ace_count(m, POLICY_MUD_TO_DEVICE), 256);
	assert_int_equal(policy_mud_ace_count(m, POLICY_MUD_FROM_DEVICE), 1);
	policy_mud_free(m);
	big = many_to_device_aces(POLICY_MUD_ACES_MAX + 1);
	assert_null(load(big, err, sizeof(err)));
	free(big);
	assert_string_equal(err, NAME ":259:1: more than 256 ACEs in the to-device-policy");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plug),
		cmocka_unit_test(test_other_matches),
		cmocka_unit_test(test_manufacturer_matches),
		cmocka_unit_test(test_to_device),
		cmocka_unit_test(test_policy_file),
		cmocka_unit_test(test_policy_key_errors),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_caps),
	};

	return cmocka_run_group_tests(tests, setup_home, teardown_home);
}
