/*
 * detect-rules-private.h - what the files of the detection module share
 * with each other and with their unit test, and nothing else includes:
 *
 *   detect-rules-lang.c     the vocabulary: conditions, their stages, values
 *   detect-rules-load.c     the YAML walk that compiles a file into a set
 *   detect-rules-cond.c     ... and each rule's "match" and "threshold"
 *   detect-rules-match.c    trying a set's rules against a view
 *   detect-rules-explain.c  the one-line explanation of a hit
 *   detect-rules-state.c    threshold counts: a bounded table, LRU order
 *
 * The loader turns each rule into a struct detect_rule whose values are
 * already checked and compiled (class bit masks, port ranges, a risk bit
 * mask, address lists with variables expanded), so that matching never
 * parses or rejects anything: it only compares.
 */
#ifndef EW_DETECT_RULES_PRIVATE_H
#define EW_DETECT_RULES_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "detect-rules.h"
#include "util-cidr.h"
#include "util-yaml.h"

#define DETECT_ID_MAX 64   /* bytes of a rule id */
#define DETECT_APP_MAX 64  /* bytes of an app pattern, '*' included */

/* The conditions of a rule's "match" mapping; bits in detect_rule.has. */
enum detect_cond {
	DC_CLIENT_CLASS = 0,
	DC_SERVER_CLASS,
	DC_CLASS_GROUP,        /* the client's class group */
	DC_SERVER_CLASS_GROUP,
	DC_PROTO,
	DC_CLIENT_PORT,
	DC_SERVER_PORT,
	DC_DIRECTION,
	DC_CLIENT_INTERNAL,
	DC_SERVER_INTERNAL,
	DC_CLIENT_IN,
	DC_CLIENT_NOT_IN,
	DC_SERVER_IN,
	DC_SERVER_NOT_IN,
	DC_TCP_SYN_SEQ_IS_DST,
	DC_APP,
	DC_NDPI_RISK,
	DC_ANSWERED,
	DC_MIN_BYTES_TOSERVER,
	DC_COUNT,
};

/* How a condition's value is written and read. */
enum detect_value_kind {
	DV_CLASSES,  /* class names, or "unknown" */
	DV_GROUPS,   /* class group names */
	DV_PROTOS,   /* tcp, udp, icmp, icmpv6 or 0..255 */
	DV_PORTS,    /* 0..65535 or "lo-hi" */
	DV_DIRECTION,
	DV_BOOL,
	DV_CIDRS,    /* address blocks or $VARIABLES */
	DV_APPS,     /* nDPI labels, exact or "prefix*" */
	DV_RISKS,    /* nDPI risk names */
	DV_UINT,     /* a plain decimal integer */
};

struct detect_cond_def {
	const char *key;
	uint8_t cond;  /* enum detect_cond */
	uint8_t value; /* enum detect_value_kind */
	uint8_t stage; /* enum detect_stage: the first at which it is known */
};

/* The condition called key (n bytes), or NULL. */
const struct detect_cond_def *detect_cond_def(const char *key, size_t n);

/* The key and the stage of condition c. */
const char *detect_cond_key(enum detect_cond c);
enum detect_stage detect_cond_stage(enum detect_cond c);

/* Class bit i is rules_class_name(i); this bit is the unknown class (""). */
#define DETECT_CLASS_UNKNOWN_BIT 31
#define DETECT_CLASS_ALL 0xffffffffu

/* The mask of class (or "unknown") s of n bytes; 0 when no such class. */
uint32_t detect_class_bit(const char *s, size_t n);

/* The mask of class group s of n bytes ("iot", "ot", "network", "general"); 0 when none. */
uint32_t detect_group_mask(const char *s, size_t n);

/* The mask of the class name c ("" or NULL: unknown; a name not known: 0). */
uint32_t detect_class_mask_of(const char *c);

enum detect_direction { DIR_ANY = 0, DIR_OUTBOUND, DIR_INBOUND, DIR_INTERNAL };

/* "outbound" ... by value; -1 when s (n bytes) is none of them. */
int detect_direction_parse(const char *s, size_t n);

/* Severity by name; -1 when none. */
int detect_severity_parse(const char *s, size_t n);

/* IP protocol by name or number; -1 when neither. */
int detect_proto_parse(const char *s, size_t n);

/* "tcp", "udp", "icmp", "icmpv6", or NULL for others. */
const char *detect_proto_name(uint8_t proto);

struct detect_port_range {
	uint16_t lo, hi;
};

/* "23" or "8000-8999" (n bytes); -1 when not a port or range lo <= hi. */
int detect_port_parse(const char *s, size_t n, struct detect_port_range *out);

/*
 * Checks an app pattern of n bytes: letters, digits, '_', '-', '.', and
 * an optional final '*'.  NULL if good, else why not.
 */
const char *detect_app_check(const char *s, size_t n);

/* Is s (n bytes) a rule id: 1..DETECT_ID_MAX lower-case letters, digits and '-'? */
bool detect_id_ok(const char *s, size_t n);

/* Is s (n bytes) a variable name: [A-Z][A-Z0-9_]*, at most DETECT_VAR_NAME_MAX bytes? */
bool detect_var_name_ok(const char *s, size_t n);

/* Threshold kinds. */
enum detect_thr_kind { THR_NONE = 0, THR_COUNT, THR_DISTINCT_ADDR, THR_DISTINCT_PORT };

struct detect_app {
	char text[DETECT_APP_MAX + 1]; /* without the '*' */
	uint8_t len;
	bool prefix;
};

struct detect_rule {
	char *id;
	char *title;
	uint8_t severity;         /* enum detect_severity */
	uint8_t stage;            /* enum detect_stage */
	bool disabled;
	char reason[DETECT_VAR_NAME_MAX + 16]; /* "$DNS_SERVERS is empty" */
	uint32_t line;            /* of the rule's mapping, for messages */
	uint64_t key;             /* hash of the id: names its threshold entries */
	uint32_t has;             /* 1 << enum detect_cond */

	uint32_t client_classes, server_classes; /* class masks, groups folded in */
	uint64_t protos[4];                      /* bit per IP protocol */
	struct detect_port_range *client_ports, *server_ports;
	uint16_t nclient_ports, nserver_ports;
	uint8_t direction;                       /* enum detect_direction */
	bool client_internal, server_internal, answered;
	struct ew_cidr_list cidrs[4];            /* client_in, client_not_in, server_in, server_not_in */
	struct detect_app *apps;
	uint16_t napps;
	uint64_t risks;                          /* nDPI risk bits */
	uint64_t min_bytes_toserver;

	uint8_t thr_kind;                        /* enum detect_thr_kind */
	uint32_t thr_count;
	uint32_t thr_seconds;
};

/* Index into detect_rule.cidrs of an address condition. */
static inline int detect_cidr_slot(enum detect_cond c)
{
	return (int)c - (int)DC_CLIENT_IN;
}

struct detect_rules {
	struct detect_rule *rule;
	size_t n, cap;
	size_t ndisabled;
	/* Indexes of the enabled rules of each stage, in file order. */
	uint32_t *by_stage[DETECT_NSTAGES];
	size_t nby_stage[DETECT_NSTAGES];
};

/* Frees what one rule owns (not the rule itself). */
void detect_rule_release(struct detect_rule *r);

/* -------------------- the loader's parts (detect-rules-load.c, detect-rules-cond.c) */

/* One load: the input, the caller's variables and the set being built. */
struct detect_loader {
	struct yread y;
	const struct detect_var *vars;
	size_t nvars;
	struct detect_rules *r;
};

static inline const char *dl_sv(const yaml_event_t *ev)
{
	return (const char *)ev->data.scalar.value;
}

static inline size_t dl_sn(const yaml_event_t *ev)
{
	return ev->data.scalar.length;
}

/* (Words, control characters, scalar values: util-yaml.h's yread_is_word() and kin.) */

/* The "match" and "threshold" mappings of a rule, after their start event map. */
int dl_load_match(struct detect_loader *ld, struct detect_rule *rule, const yaml_event_t *map);
int dl_load_threshold(struct detect_loader *ld, struct detect_rule *rule,
		      const yaml_event_t *map);

/* ---------------------------------------------- matching (detect-rules-match.c) */

/*
 * Do all of rule's conditions hold for v?  Thresholds aside.  class_mask
 * holds detect_class_mask_of() of v's client and server classes.
 */
bool detect_rule_holds(const struct detect_rule *rule, const struct detect_view *v,
		       const uint32_t class_mask[2]);

/* Does the SYN's sequence number equal its IPv4 destination address? */
bool detect_syn_seq_is_dst(const struct detect_view *v);

/* ------------------------------------------ explanations (detect-rules-explain.c) */

/* Writes hit->explain for rule fired by v. */
void detect_explain(const struct detect_rule *rule, const struct detect_view *v,
		    struct detect_hit *hit);

/* --------------------------------------------- thresholds (detect-rules-state.c) */

/*
 * Counts one match of rule by v's client; true exactly when this match
 * makes the count reach the rule's threshold in the current window.
 */
bool detect_state_count(struct detect_state *st, const struct detect_rule *rule,
			const struct detect_view *v);

/* Counts a hit the caller had no room for. */
void detect_state_count_dropped(struct detect_state *st);

#endif /* EW_DETECT_RULES_PRIVATE_H */
