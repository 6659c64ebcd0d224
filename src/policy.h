/*
 * policy.h - network segmentation policy: named zones, the flows each
 * zone may open to another, and the verdict on a flow at its start
 * (the language is in docs/policy.md).
 *
 * A policy file names zones by address blocks and VLAN ids (first zone
 * in file order that holds an address wins; a non-home address in none
 * is in the built-in zone `internet`, a home address in none in
 * `unzoned`) and lists rules "from zone to zone, for these client
 * classes, on this protocol and these server ports: allow or deny";
 * the first rule that matches decides, and `default` decides the rest.
 *
 * The loader is the usual two-pass YAML reader (util-yaml.h): the first
 * problem stops it with one line "FILE:LINE:COL: problem".
 *
 * The module also learns: policy_learn_flow() keeps a bounded set of
 * (client class, from zone, to zone, protocol, server port) tuples with
 * counts, and policy_export() writes them as a policy that the same
 * loader reads back, so an operator starts from what the network does.
 *
 * Ownership: a struct policy owns everything in it and keeps no pointer
 * to the caller's memory (the home networks are copied).  Strings in a
 * verdict point into the policy and live as long as it.  Nothing prints.
 */
#ifndef EW_POLICY_H
#define EW_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "packet.h"
#include "util-cidr.h"

#define POLICY_ERRLEN 512
#define POLICY_FILE_MAX (1u << 20)  /* bytes of a policy file */
#define POLICY_ZONES_MAX 64         /* zones of a file, built-in ones not counted */
#define POLICY_RULES_MAX 1024       /* rules of a file */
#define POLICY_LIST_MAX 256         /* items of any one list (cidrs, vlans, classes, ports) */
#define POLICY_NAME_MAX 31          /* bytes of a zone name, rule id or class */
#define POLICY_LEARN_DEFAULT_MAX 4096u /* learned tuples kept by default */

/* The built-in zones; reserved as names. */
#define POLICY_ZONE_INTERNET "internet"
#define POLICY_ZONE_UNZONED "unzoned"

struct policy;

/*
 * Loads the policy text (len bytes; name is for messages).  home is the
 * configuration's network.home_networks (copied): an address outside it
 * and in no zone is in `internet`.  NULL with the message in err.
 */
struct policy *policy_load_buffer(const char *name, const char *text, size_t len,
				  const struct ew_cidr_list *home, char *err, size_t errlen);
struct policy *policy_load_file(const char *path, const struct ew_cidr_list *home, char *err,
				size_t errlen);

/*
 * A policy with no rules and `default: allow` whose zones are the home
 * networks, one zone per block named "home1", "home2" ...: the zoning
 * that policy_export() uses when no file is in force.  NULL when out of memory.
 */
struct policy *policy_from_home(const struct ew_cidr_list *home);

void policy_free(struct policy *p); /* accepts NULL */

/* A flow at its start, as policy_check() judges it. */
struct policy_view {
	struct ew_addr client, server;
	uint16_t vlan;            /* innermost VLAN id; 0: untagged */
	uint8_t proto;            /* IP protocol */
	uint16_t client_port, server_port; /* meaningful for TCP and UDP only */
	const char *client_class; /* the client device's class; "" or NULL: not classified */
	const char *server_class; /* the server device's, likewise */
	const char *client_name;  /* the DNS name that resolved to client; NULL: none known */
	const char *server_name;  /* the DNS name that resolved to server; NULL: none known */
	const char *client_mud_url; /* the MUD URL the client device announced; NULL: none */
	const char *server_mud_url; /* the server device's, likewise */
};

enum policy_result {
	POLICY_ALLOW = 0,     /* a rule allowed it, or default allow */
	POLICY_DENY_RULE,     /* rule_id denied it */
	POLICY_DENY_DEFAULT,  /* no rule matched and the default is deny */
};

/* The two sides of a MUD profile (RFC 8520 from-device-policy, to-device-policy). */
enum policy_mud_dir {
	POLICY_MUD_FROM_DEVICE = 0, /* flows the device opens: it is the client */
	POLICY_MUD_TO_DEVICE,       /* flows opened to the device: it is the server */
	POLICY_MUD_DIRS
};

/* One end's MUD profile (`mud:`) on the flow. */
struct policy_mud_verdict {
	bool violation;                   /* the profile does not accept the flow */
	const char *cls;                  /* the class whose profile judged it; NULL: none did */
	const char *file;                 /* its MUD file, as resolved */
	bool by_url;                      /* chosen by the MUD URL the device announced */
	uint8_t severity;                 /* enum ew_severity of a violation */
	char why[192];                    /* what did not match */
};

struct policy_verdict {
	enum policy_result result;
	const char *rule_id;              /* the rule that matched; NULL: none */
	uint32_t rule_line;               /* its line in the file; 0: none */
	uint8_t severity;                 /* enum ew_severity of a denial */
	const char *client_zone, *server_zone;
	/*
	 * Beside the rules: [POLICY_MUD_FROM_DEVICE] is the client class's
	 * profile on a flow it opened, [POLICY_MUD_TO_DEVICE] the server
	 * class's on a flow opened to it.
	 */
	struct policy_mud_verdict mud[POLICY_MUD_DIRS];
};

/* The zone of address a seen on VLAN vlan (never NULL). */
const char *policy_zone_of(const struct policy *p, const struct ew_addr *a, uint16_t vlan);

/*
 * The verdict on a flow: first matching rule, else the default; and,
 * beside it, the MUD profiles of the client (its from-device side) and
 * of the server (its to-device side): the profile whose mud-url the
 * device announced, else its class's.
 */
void policy_check(const struct policy *p, const struct policy_view *v,
		  struct policy_verdict *out);

/* How many zones and rules the file defined (built-in zones not counted). */
size_t policy_zone_count(const struct policy *p);
size_t policy_rule_count(const struct policy *p);

/*
 * MUD profiles (docs/policy.md "MUD profiles"): how many classes have
 * one, and how many of their ACEs were skipped for holding a match
 * edgewatch cannot judge (controller, my-controller ...).
 */
size_t policy_mud_count(const struct policy *p);
uint32_t policy_mud_unsupported_count(const struct policy *p);

/* ------------------------------------------------------------ learning */

struct policy_learn;

struct policy_learn_stats {
	uint64_t flows;     /* flows fed */
	uint64_t tuples;    /* distinct tuples kept */
	uint64_t dropped;   /* flows whose new tuple found the set full */
};

/* NULL when out of memory; cap tuples at most (>= 1). */
struct policy_learn *policy_learn_create(uint32_t cap);
void policy_learn_destroy(struct policy_learn *l); /* accepts NULL */

/* Records the flow's tuple under zoning p (its zones); -1 when the set is full. */
int policy_learn_flow(struct policy_learn *l, const struct policy *p,
		      const struct policy_view *v);

const struct policy_learn_stats *policy_learn_stats(const struct policy_learn *l);

/*
 * Writes to path a policy file with the zones of p and, per client class
 * (`unknown` for devices with none), one allow rule per (from zone, to
 * zone, protocol) with the server ports seen, then `default: deny`.
 * Tuples naming a zone p does not have (learned under an older policy)
 * are left out.  0, or -1 with "PATH: reason" in err.
 */
int policy_export(const struct policy *p, const struct policy_learn *l, const char *path,
		  char *err, size_t errlen);

#endif /* EW_POLICY_H */
