/*
 * policy-private.h - the compiled policy, shared by policy-load.c (which
 * builds it) and policy.c (which judges flows and learns).  Nothing
 * else includes it.
 */
#ifndef EW_POLICY_PRIVATE_H
#define EW_POLICY_PRIVATE_H

#include "policy.h"

/* Zone indexes past the file's own zones (0 .. nzones-1). */
#define POLICY_Z_ANY (-1)  /* in a rule: any zone */

/* Protocols of a rule besides plain numbers 0..255. */
#define POLICY_PROTO_ANY (-1)
#define POLICY_PROTO_ICMP (-2) /* ICMP or ICMPv6 */

struct policy_zone {
	char name[POLICY_NAME_MAX + 1];
	uint32_t line;
	struct ew_cidr_list cidrs;
	uint16_t *vlans;
	size_t nvlans;
};

struct policy_ports {
	uint16_t lo, hi;
};

struct policy_rule {
	char id[POLICY_NAME_MAX + 1];
	uint32_t line;
	int from, to;              /* zone index, POLICY_Z_ANY, or the built-ins (policy.c) */
	char (*classes)[POLICY_NAME_MAX + 1];
	size_t nclasses;           /* 0: any class */
	int proto;                 /* number, POLICY_PROTO_ANY or POLICY_PROTO_ICMP */
	struct policy_ports *ports;
	size_t nports;             /* 0: any port */
	bool allow;
	uint8_t severity;          /* enum ew_severity, for a deny */
};

struct policy_mud;

/* One `mud:` entry: a device class and its profile (policy-mud.h). */
struct policy_mud_entry {
	char cls[POLICY_NAME_MAX + 1];
	char *file;              /* the path as resolved; owned */
	struct policy_mud *mud;  /* owned */
	uint8_t severity;        /* enum ew_severity */
};

#define POLICY_MUD_CLASSES_MAX 64 /* `mud:` entries of a file */
#define POLICY_MUD_PATH_MAX 1023   /* bytes of a MUD file's path, as resolved */

struct policy {
	struct policy_zone *zone;
	size_t nzones, zcap;
	struct policy_rule *rule;
	size_t nrules, rcap;
	bool default_allow;
	uint8_t default_severity;
	struct ew_cidr_list home;
	struct policy_mud_entry *mud;
	size_t nmud;
};

/* A device class: device.h keeps 23 bytes of it. */
#define POLICY_CLASS_MAX 23

/* 1 to max of [a-z0-9_-]: names that need no escaping anywhere. */
static inline bool policy_name_ok(const char *s, size_t n, size_t max)
{
	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		      s[i] == '_'))
			return false;
	return true;
}

/* Index of the built-in zones: after the file's own. */
static inline int policy_z_internet(const struct policy *p)
{
	return (int)p->nzones;
}
static inline int policy_z_unzoned(const struct policy *p)
{
	return (int)p->nzones + 1;
}

/* A zone's name by index (built-ins and "any" included). */
const char *policy_zone_name(const struct policy *p, int z);

/* The index of zone name (built-ins and "any" included); -2 when unknown. */
int policy_zone_find(const struct policy *p, const char *name, size_t n);

#endif /* EW_POLICY_PRIVATE_H */
