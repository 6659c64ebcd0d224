/*
 * device-rules-lang.c - the vocabulary of the rule language: its classes,
 * its conditions and what a pattern of each condition may look like.
 *
 * docs/rules.md documents the same lists; a class or condition added here
 * must be added there.  Nothing here reads YAML or touches a device: the
 * loader asks these functions whether a word or pattern is acceptable and
 * what its compiled form is.
 */
#include <string.h>

#include "device-rules-private.h"
#include "util-yaml.h"

#define RULES_PROTO_MAX 32     /* bytes of an app_proto name; nDPI's longest is 22 */
#define RULES_DNS_NAME_MAX 253 /* RFC 1035, in text form without the final dot */
#define RULES_DNS_LABEL_MAX 63

static const char *const class_names[] = {
	"camera", "nvr", "doorbell", "smart-plug", "smart-switch", "bulb", "light-bridge",
	"speaker", "tv", "streamer", "thermostat", "sensor", "lock", "hub", "printer", "nas",
	"router", "access-point", "network-switch", "plc", "hmi", "building-controller",
	"voip-phone", "phone", "tablet", "computer", "server", "game-console", "appliance",
	"wearable", "iot-module",
};

_Static_assert(sizeof(class_names) / sizeof(class_names[0]) == RULES_NCLASSES,
	       "RULES_NCLASSES must count class_names");

const char *rules_class_name(size_t i)
{
	return i < RULES_NCLASSES ? class_names[i] : "unknown";
}

int rules_class_index(const char *name, size_t n)
{
	for (size_t i = 0; i < RULES_NCLASSES; i++)
		if (strlen(class_names[i]) == n && memcmp(class_names[i], name, n) == 0)
			return (int)i;
	return -1;
}

/*
 * The conditions.  "what" is the signal kind's name as
 * device_signal_kind_name() spells it (tests/test-rules.c checks that),
 * so evidence names the same thing the inventory does.
 */
#define SIGNAL(k, what, sig, match, check, i) \
	{ (k), (what), RULE_SRC_SIGNAL, (sig), (match), (check), (i) }

static const struct rule_cond_def cond_defs[] = {
	{ "vendor", "vendor", RULE_SRC_VENDOR, 0, RULE_MATCH_GLOB, CHECK_GLOB, 0 },
	SIGNAL("dhcp_hostname", "dhcp_hostname", SIG_DHCP_HOSTNAME, RULE_MATCH_GLOB, CHECK_GLOB, 1),
	SIGNAL("dhcp_vendor_class", "dhcp_vendor_class", SIG_DHCP_VENDOR, RULE_MATCH_GLOB,
	       CHECK_GLOB, 2),
	SIGNAL("dhcp_fingerprint", "dhcp_fingerprint", SIG_DHCP_PRL, RULE_MATCH_EXACT, CHECK_PRL,
	       3),
	SIGNAL("dhcp_fqdn", "dhcp_fqdn", SIG_DHCP_FQDN, RULE_MATCH_GLOB, CHECK_GLOB, 4),
	SIGNAL("mdns_service", "mdns_service", SIG_MDNS_SERVICE, RULE_MATCH_GLOB, CHECK_GLOB, 5),
	SIGNAL("mdns_name", "mdns_name", SIG_MDNS_NAME, RULE_MATCH_GLOB, CHECK_GLOB, 6),
	SIGNAL("mdns_txt", "mdns_txt", SIG_MDNS_TXT, RULE_MATCH_GLOB, CHECK_GLOB, 7),
	SIGNAL("ssdp_server", "ssdp_server", SIG_SSDP_SERVER, RULE_MATCH_GLOB, CHECK_GLOB, 8),
	SIGNAL("ssdp_type", "ssdp_type", SIG_SSDP_TYPE, RULE_MATCH_GLOB, CHECK_GLOB, 9),
	SIGNAL("ssdp_user_agent", "ssdp_user_agent", SIG_SSDP_USER_AGENT, RULE_MATCH_GLOB,
	       CHECK_GLOB, 10),
	SIGNAL("tls_sni", "tls_sni", SIG_TLS_SNI, RULE_MATCH_GLOB, CHECK_GLOB, 11),
	SIGNAL("tls_sni_suffix", "tls_sni", SIG_TLS_SNI, RULE_MATCH_SUFFIX, CHECK_SUFFIX, 12),
	SIGNAL("dns_query", "dns_query", SIG_DNS_QUERY, RULE_MATCH_GLOB, CHECK_GLOB, 13),
	SIGNAL("dns_suffix", "dns_query", SIG_DNS_QUERY, RULE_MATCH_SUFFIX, CHECK_SUFFIX, 14),
	SIGNAL("http_user_agent", "http_user_agent", SIG_HTTP_USER_AGENT, RULE_MATCH_GLOB,
	       CHECK_GLOB, 15),
	SIGNAL("ntp_server", "ntp_server", SIG_NTP_SERVER, RULE_MATCH_GLOB, CHECK_GLOB, 16),
	SIGNAL("ja3", "tls_ja3", SIG_TLS_JA3, RULE_MATCH_NOCASE, CHECK_JA3, 17),
	SIGNAL("app_proto", "app_proto", SIG_APP_PROTO, RULE_MATCH_NOCASE, CHECK_PROTO, 18),
	SIGNAL("service_port", "service_port", SIG_SERVICE_PORT, RULE_MATCH_EXACT, CHECK_PORT, 19),
	SIGNAL("tcp_syn", "tcp_syn", SIG_TCP_SYN, RULE_MATCH_GLOB, CHECK_GLOB, 20),
	SIGNAL("os_guess", "os_guess", SIG_OS_GUESS, RULE_MATCH_GLOB, CHECK_GLOB, 21),
	{ "mac_randomized", "mac_randomized", RULE_SRC_MAC_RANDOM, 0, RULE_MATCH_BOOL, CHECK_BOOL,
	  22 },
	{ "routes_traffic", "routes_traffic", RULE_SRC_ROUTES, 0, RULE_MATCH_BOOL, CHECK_BOOL, 23 },
	SIGNAL("netbios_name", "netbios_name", SIG_NETBIOS_NAME, RULE_MATCH_GLOB, CHECK_GLOB, 24),
	SIGNAL("llmnr_name", "llmnr_name", SIG_LLMNR_NAME, RULE_MATCH_GLOB, CHECK_GLOB, 25),
	SIGNAL("ssdp_search", "ssdp_search", SIG_SSDP_SEARCH, RULE_MATCH_GLOB, CHECK_GLOB, 26),
	SIGNAL("mud_url", "mud_url", SIG_MUD_URL, RULE_MATCH_GLOB, CHECK_GLOB, 27),
	SIGNAL("lldp_name", "lldp_name", SIG_LLDP_NAME, RULE_MATCH_GLOB, CHECK_GLOB, 28),
	SIGNAL("lldp_description", "lldp_description", SIG_LLDP_DESCRIPTION, RULE_MATCH_GLOB,
	       CHECK_GLOB, 29),
	SIGNAL("lldp_capabilities", "lldp_capabilities", SIG_LLDP_CAPABILITIES, RULE_MATCH_GLOB,
	       CHECK_GLOB, 30),
};

_Static_assert(sizeof(cond_defs) / sizeof(cond_defs[0]) == RULES_NCONDS,
	       "RULES_NCONDS must count cond_defs");
_Static_assert(RULES_NCONDS <= 32, "a rule keeps the conditions it has seen in 32 bits");

const struct rule_cond_def *rules_cond_def(const char *key, size_t n)
{
	for (size_t i = 0; i < RULES_NCONDS; i++)
		if (strlen(cond_defs[i].key) == n && memcmp(cond_defs[i].key, key, n) == 0)
			return &cond_defs[i];
	return NULL;
}

/* ------------------------------------------------------------ words */

/* Is every byte of s[0..n) a lower-case letter, a digit or in extra? */
static bool all_in(const char *s, size_t n, const char *extra)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		      (s[i] != '\0' && strchr(extra, s[i]) != NULL)))
			return false;
	return true;
}

bool rules_id_ok(const char *s, size_t n)
{
	return n >= 1 && n <= RULES_ID_MAX && all_in(s, n, "-");
}

/* ------------------------------------------------------------ patterns */

/* "1,3,6,15": option numbers 0..255 as fingerprint-dhcp.c writes them. */
static bool prl_ok(const char *s, size_t n)
{
	size_t i = 0;

	for (;;) {
		size_t j = i;
		uint64_t x;

		while (j < n && s[j] != ',')
			j++;
		if (!yread_decimal(s + i, j - i, &x) || x > 255)
			return false;
		if (j == n)
			return true;
		i = j + 1; /* a trailing comma fails the next round's empty number */
	}
}

/*
 * A DNS name suffix: an optional leading dot, then labels of letters,
 * digits, '-' and '_' joined by dots; one final dot is dropped.  Writes
 * the lower-cased form into out.
 */
static bool suffix_ok(const char *s, size_t n, char *out)
{
	size_t label = 0, start = s[0] == '.';

	if (n > 1 && s[n - 1] == '.')
		n--;
	if (n <= start || n - start > RULES_DNS_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] + 32) : s[i];

		out[i] = c;
		if (i < start)
			continue;
		if (c == '.' && label == 0)
			return false; /* an empty label */
		if (c == '.')
			label = 0;
		else if (!all_in(&c, 1, "-_") || ++label > RULES_DNS_LABEL_MAX)
			return false;
	}
	out[n] = '\0';
	return label > 0;
}

/* "tcp/554" or "udp/47808": 1..65535, no leading zero. */
static bool port_ok(const char *s, size_t n)
{
	uint64_t port;

	if (n < 5 || (memcmp(s, "tcp/", 4) != 0 && memcmp(s, "udp/", 4) != 0))
		return false;
	return yread_decimal(s + 4, n - 4, &port) && port >= 1 && port <= 65535;
}

const char *rules_pattern_check(const struct rule_cond_def *def, const char *v, size_t n,
				char norm[DEVICE_RULES_PATTERN_MAX + 1])
{
	memcpy(norm, v, n);
	norm[n] = '\0';
	switch (def->check) {
	case CHECK_GLOB:
		return rules_glob_check(v, n);
	case CHECK_PRL:
		return prl_ok(v, n) ? NULL : "is not a DHCP option list such as 1,3,6,15";
	case CHECK_SUFFIX:
		return suffix_ok(v, n, norm) ? NULL : "is not a DNS name suffix";
	case CHECK_JA3:
		return n == 32 && strspn(norm, "0123456789abcdef") == 32
			       ? NULL
			       : "is not a JA3 hash (32 lower-case hex digits)";
	case CHECK_PROTO:
		return n <= RULES_PROTO_MAX && all_in(v, n, "._-")
			       ? NULL
			       : "is not a protocol name such as rtsp (lower case)";
	case CHECK_PORT:
		return port_ok(v, n) ? NULL : "is not a port such as tcp/554 (1..65535)";
	default:
		return "is not a pattern of a boolean condition";
	}
}
