/*
 * detect-rules-lang.c - the vocabulary of the detection language: its
 * conditions and the stage each is known at, severities, directions,
 * class groups, protocols, ports and app patterns.
 *
 * docs/detections.md documents the same lists; a word added here must be
 * added there.  Nothing here reads YAML or looks at a flow: the loader
 * asks these functions whether a word is acceptable and what it means.
 *
 * Device classes are the fingerprint rules' classes (device-rules-lang.c
 * is their one list); this file borrows rules_class_index() and
 * rules_class_name() rather than keep a copy that would drift.
 */
#include <string.h>

#include "detect-rules-private.h"
#include "device-rules-private.h"
#include "util-yaml.h"

_Static_assert(RULES_NCLASSES <= DETECT_CLASS_UNKNOWN_BIT,
	       "class masks have one bit per class and one for unknown");

/* Is the text s of n bytes exactly the word w? */
static bool word_is(const char *s, size_t n, const char *w)
{
	return strlen(w) == n && memcmp(s, w, n) == 0;
}

static const struct detect_cond_def cond_defs[] = {
	{ "client_class", DC_CLIENT_CLASS, DV_CLASSES, DETECT_FLOW_START },
	{ "server_class", DC_SERVER_CLASS, DV_CLASSES, DETECT_FLOW_START },
	{ "class_group", DC_CLASS_GROUP, DV_GROUPS, DETECT_FLOW_START },
	{ "server_class_group", DC_SERVER_CLASS_GROUP, DV_GROUPS, DETECT_FLOW_START },
	{ "proto", DC_PROTO, DV_PROTOS, DETECT_FLOW_START },
	{ "client_port", DC_CLIENT_PORT, DV_PORTS, DETECT_FLOW_START },
	{ "server_port", DC_SERVER_PORT, DV_PORTS, DETECT_FLOW_START },
	{ "direction", DC_DIRECTION, DV_DIRECTION, DETECT_FLOW_START },
	{ "client_internal", DC_CLIENT_INTERNAL, DV_BOOL, DETECT_FLOW_START },
	{ "server_internal", DC_SERVER_INTERNAL, DV_BOOL, DETECT_FLOW_START },
	{ "client_in", DC_CLIENT_IN, DV_CIDRS, DETECT_FLOW_START },
	{ "client_not_in", DC_CLIENT_NOT_IN, DV_CIDRS, DETECT_FLOW_START },
	{ "server_in", DC_SERVER_IN, DV_CIDRS, DETECT_FLOW_START },
	{ "server_not_in", DC_SERVER_NOT_IN, DV_CIDRS, DETECT_FLOW_START },
	/* Known only at the SYN itself: the engine does not keep the sequence number. */
	{ "tcp_syn_seq_is_dst", DC_TCP_SYN_SEQ_IS_DST, DV_BOOL, DETECT_SYN },
	{ "app", DC_APP, DV_APPS, DETECT_FLOW_END },
	{ "ndpi_risk", DC_NDPI_RISK, DV_RISKS, DETECT_FLOW_END },
	{ "answered", DC_ANSWERED, DV_BOOL, DETECT_FLOW_END },
	{ "min_bytes_toserver", DC_MIN_BYTES_TOSERVER, DV_UINT, DETECT_FLOW_END },
};

_Static_assert(sizeof(cond_defs) / sizeof(cond_defs[0]) == DC_COUNT,
	       "every condition needs a definition");
_Static_assert(DC_COUNT <= 32, "detect_rule.has has a bit per condition");

const struct detect_cond_def *detect_cond_def(const char *key, size_t n)
{
	for (size_t i = 0; i < DC_COUNT; i++)
		if (word_is(key, n, cond_defs[i].key))
			return &cond_defs[i];
	return NULL;
}

const char *detect_cond_key(enum detect_cond c)
{
	return (unsigned)c < DC_COUNT ? cond_defs[c].key : "?";
}

enum detect_stage detect_cond_stage(enum detect_cond c)
{
	return (unsigned)c < DC_COUNT ? (enum detect_stage)cond_defs[c].stage : DETECT_FLOW_END;
}

uint32_t detect_class_bit(const char *s, size_t n)
{
	int i;

	if (word_is(s, n, "unknown"))
		return 1u << DETECT_CLASS_UNKNOWN_BIT;
	i = rules_class_index(s, n);
	return i < 0 ? 0 : 1u << i;
}

uint32_t detect_class_mask_of(const char *c)
{
	if (c == NULL || c[0] == '\0')
		return 1u << DETECT_CLASS_UNKNOWN_BIT;
	return detect_class_bit(c, strlen(c));
}

/*
 * Class groups.  "iot" is what a policy about embedded devices means:
 * single-purpose devices that have no business opening a shell
 * somewhere.  General-purpose machines (phones, tablets, computers,
 * servers, NAS boxes that run backups over SSH), network gear and the
 * OT controllers, which have their own group, are not in it; neither
 * is a device of unknown class, since nothing is known of it.
 */
static const char *const group_iot[] = {
	"camera", "nvr", "doorbell", "smart-plug", "smart-switch", "bulb", "light-bridge",
	"speaker", "tv", "streamer", "thermostat", "sensor", "lock", "hub", "printer",
	"voip-phone", "appliance", "wearable", "iot-module", NULL,
};
static const char *const group_ot[] = { "plc", "hmi", "building-controller", NULL };
static const char *const group_network[] = { "router", "access-point", "network-switch", NULL };
static const char *const group_general[] = {
	"phone", "tablet", "computer", "server", "nas", "game-console", NULL,
};

static const struct {
	const char *name;
	const char *const *classes;
} groups[] = {
	{ "iot", group_iot },
	{ "ot", group_ot },
	{ "network", group_network },
	{ "general", group_general },
};

uint32_t detect_group_mask(const char *s, size_t n)
{
	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		uint32_t m = 0;

		if (!word_is(s, n, groups[g].name))
			continue;
		for (const char *const *c = groups[g].classes; *c != NULL; c++)
			m |= detect_class_bit(*c, strlen(*c));
		return m;
	}
	return 0;
}

static const char *const direction_names[] = { "any", "outbound", "inbound", "internal" };

int detect_direction_parse(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof(direction_names) / sizeof(direction_names[0]); i++)
		if (word_is(s, n, direction_names[i]))
			return (int)i;
	return -1;
}

static const char *const severity_names[] = { "info", "low", "medium", "high", "critical" };

int detect_severity_parse(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof(severity_names) / sizeof(severity_names[0]); i++)
		if (word_is(s, n, severity_names[i]))
			return (int)i;
	return -1;
}

const char *detect_severity_name(enum detect_severity s)
{
	return (unsigned)s < sizeof(severity_names) / sizeof(severity_names[0])
		       ? severity_names[s]
		       : "unknown";
}

const char *detect_stage_name(enum detect_stage s)
{
	static const char *const names[DETECT_NSTAGES] = { "syn", "flow_start", "flow_end" };

	return (unsigned)s < DETECT_NSTAGES ? names[s] : "unknown";
}

static const struct {
	const char *name;
	uint8_t proto;
} protos[] = {
	{ "tcp", EW_IPPROTO_TCP },
	{ "udp", EW_IPPROTO_UDP },
	{ "icmp", EW_IPPROTO_ICMP },
	{ "icmpv6", EW_IPPROTO_ICMPV6 },
};

int detect_proto_parse(const char *s, size_t n)
{
	uint64_t v;

	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (word_is(s, n, protos[i].name))
			return protos[i].proto;
	if (yread_decimal(s, n, &v) && v <= 255)
		return (int)v;
	return -1;
}

const char *detect_proto_name(uint8_t proto)
{
	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (protos[i].proto == proto)
			return protos[i].name;
	return NULL;
}

int detect_port_parse(const char *s, size_t n, struct detect_port_range *out)
{
	const char *dash = memchr(s, '-', n);
	size_t n1 = dash != NULL ? (size_t)(dash - s) : n;
	uint64_t lo, hi;

	if (!yread_decimal(s, n1, &lo) || lo > 65535)
		return -1;
	hi = lo;
	if (dash != NULL && (!yread_decimal(dash + 1, n - n1 - 1, &hi) || hi > 65535 || hi < lo))
		return -1;
	out->lo = (uint16_t)lo;
	out->hi = (uint16_t)hi;
	return 0;
}

const char *detect_app_check(const char *s, size_t n)
{
	size_t body = n > 0 && s[n - 1] == '*' ? n - 1 : n;

	if (n > DETECT_APP_MAX)
		return "is longer than 64 bytes";
	if (body == 0)
		return "names no protocol";
	for (size_t i = 0; i < body; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '.'))
			return "is not an nDPI protocol label such as TLS.Google or TLS* "
			       "(letters, digits, '_', '-', '.', a final '*')";
	}
	return NULL;
}

bool detect_id_ok(const char *s, size_t n)
{
	if (n == 0 || n > DETECT_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

bool detect_var_name_ok(const char *s, size_t n)
{
	if (n == 0 || n > DETECT_VAR_NAME_MAX || !(s[0] >= 'A' && s[0] <= 'Z'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}
