/*
 * detect-rules.h - the signature and policy layer: which flows deserve an
 * alert of their own, whatever the statistical models say.
 *
 * A detection file (rules/detections.yaml; the language is in
 * docs/detections.md) lists rules such as "an IoT device opened telnet
 * to the Internet: high" or "nDPI saw clear-text credentials: high".
 * The engine describes what it knows at three moments - a TCP SYN, a
 * flow's first packet, a flow's end - in a struct detect_view, and
 * detect_rules_match() returns the rules that fire, each with a
 * one-line explanation built from the view that a person can check.
 *
 * Stages.  Every condition is known from some stage on (ports at the
 * first packet, nDPI's answer only at the end, the SYN's sequence number
 * only at the SYN).  The loader gives each rule the earliest stage at
 * which all its conditions are known, and the rule is tried at that
 * stage only, so a flow fires a rule at most once.  A rule that needs
 * the SYN's sequence number together with something known only at the
 * end is refused at load.
 *
 * Variables.  A rule may name an address list by variable ($DNS_SERVERS,
 * $HOME_NET); the caller supplies the lists at load and the set keeps
 * its own copies.  A rule that uses a variable whose list is empty is
 * loaded but disabled (detect_rules_info() says so and why): "DNS to a
 * resolver other than the configured ones" must not fire on every DNS
 * query when no resolver is configured.
 *
 * Thresholds.  A rule with a threshold fires when one client device has
 * matched it `count` times (or reached `count` distinct servers or
 * ports) within a tumbling window of `seconds`, once per window.  The
 * counts live in a struct detect_state that the caller owns, one per
 * packet-processing thread: a fixed table of at most max_entries
 * (rule, device) entries, least recently used evicted first (counted).
 * Entries are keyed by the rule's id, so a reloaded set with the same
 * ids goes on counting where the old one stopped.
 *
 * Loading is strict, as for the device rules: every problem is an error
 * with the place of the offending YAML node, "FILE:LINE:COL: problem"
 * (or "FILE: problem"), written into err (errlen bytes, always
 * NUL-terminated when errlen > 0); nothing is printed.  A bad file
 * yields no set at all: a caller reloading on SIGHUP keeps using its
 * previous set (it simply keeps its pointer) and frees the old set only
 * after the new one loaded.
 *
 * Ownership and threads: a loaded set is never modified, so several
 * threads may match with it at once, each with its own state.  Strings
 * in a struct detect_hit or struct detect_rule_info (id, title, reason)
 * point into the set and are valid until detect_rules_free(); the
 * explanation is a copy.  The view's strings are borrowed for the call.
 */
#ifndef EW_DETECT_RULES_H
#define EW_DETECT_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "packet.h"
#include "util-cidr.h"

#define DETECT_RULES_MAX 1000            /* rules in one file */
#define DETECT_LIST_MAX 64               /* items in one condition's list */
#define DETECT_RULES_FILE_MAX (1u << 20) /* bytes of one file */
#define DETECT_RULES_ERRLEN 256          /* enough for any message */
#define DETECT_TITLE_MAX 96              /* bytes of a rule's title */
#define DETECT_DISTINCT_MAX 64           /* largest count of a `distinct` threshold */
#define DETECT_COUNT_MAX 1000000         /* largest count of a plain threshold */
#define DETECT_WINDOW_MAX_S 86400        /* longest threshold window */
#define DETECT_EXPLAIN_MAX 384           /* bytes of an explanation, NUL included */
#define DETECT_VAR_NAME_MAX 32           /* bytes of a variable's name, without '$' */

/* When a view is taken; the order is the order of a flow's life. */
enum detect_stage {
	DETECT_SYN = 0,    /* a TCP SYN without ACK: tcp_seq is valid */
	DETECT_FLOW_START, /* a flow's first packet */
	DETECT_FLOW_END,   /* the flow ended: nDPI's answer and the counters are valid */
	DETECT_NSTAGES,
};

enum detect_severity {
	DETECT_SEV_INFO = 0,
	DETECT_SEV_LOW,
	DETECT_SEV_MEDIUM,
	DETECT_SEV_HIGH,
	DETECT_SEV_CRITICAL,
};

/* "info" ... "critical"; "unknown" out of range. */
const char *detect_severity_name(enum detect_severity s);

/* "syn", "flow_start", "flow_end"; "unknown" out of range. */
const char *detect_stage_name(enum detect_stage s);

/*
 * What the engine knows about one flow at one stage.  Fields marked with
 * a stage are read only from that stage on; the others are valid at all
 * three.  NULL strings read as "".  Zero the struct, then fill it.
 */
struct detect_view {
	uint8_t stage;                /* enum detect_stage */
	uint8_t proto;                /* IP protocol number */
	struct ew_addr client_addr, server_addr;
	uint16_t client_port, server_port; /* 0 for ICMP */
	bool client_internal, server_internal; /* inside the configured home networks */
	const char *client_class, *server_class; /* "camera"...; "" when unknown */
	uint64_t client_device_key, server_device_key; /* device identity; 0 unknown */
	uint32_t tcp_seq;             /* DETECT_SYN: the SYN's sequence number */
	/* DETECT_FLOW_END: */
	const char *app;              /* nDPI "master.app" label as flows print it ("TLS.Google") */
	uint64_t ndpi_risk;           /* nDPI risk bitmap */
	uint64_t pkts_toserver, pkts_toclient, bytes_toserver, bytes_toclient;
	bool answered;                /* the server side sent a packet */
	const char *server_name;      /* SNI, Host or DNS query; raw bytes, "" none */
	ew_usec_t ts;                 /* packet time (the last packet at DETECT_FLOW_END) */
};

/* One rule that fired. */
struct detect_hit {
	const char *rule_id;          /* into the set */
	const char *title;            /* into the set */
	enum detect_severity severity;
	uint8_t stage;                /* enum detect_stage */
	uint32_t threshold_count;     /* the threshold reached; 0 for a rule without one */
	/*
	 * "camera 192.168.1.20 opened tcp/23 to 203.0.113.5 (external); rule
	 * iot-telnet-outbound: Telnet opened by an IoT device".  May hold raw
	 * bytes of a server name: escape before printing.  Always terminated.
	 */
	char explain[DETECT_EXPLAIN_MAX];
};

/* An address list the caller names for the rules: name "DNS_SERVERS" is $DNS_SERVERS. */
struct detect_var {
	const char *name;
	const struct ew_cidr_list *cidrs; /* copied at load; NULL is an empty list */
};

struct detect_rules;
struct detect_state;

/*
 * Loads and checks a detection file; NULL with a message in err on any
 * problem.  vars (nvars entries, may be NULL when 0) are the variables
 * the rules may use; a name the file uses and vars lacks is an error.
 */
struct detect_rules *detect_rules_load_file(const char *path, const struct detect_var *vars,
					    size_t nvars, char *err, size_t errlen);

/*
 * Same from text of len bytes (need not be NUL-terminated); name is used
 * in messages.  Refuses more than DETECT_RULES_FILE_MAX bytes.
 */
struct detect_rules *detect_rules_load_buffer(const char *name, const char *text, size_t len,
					      const struct detect_var *vars, size_t nvars,
					      char *err, size_t errlen);

/* Releases the set and everything it owns; accepts NULL. */
void detect_rules_free(struct detect_rules *r);

/* Rules loaded, enabled or not; 0 for NULL. */
size_t detect_rules_count(const struct detect_rules *r);

/* Rules disabled by an empty variable; 0 for NULL. */
size_t detect_rules_disabled_count(const struct detect_rules *r);

struct detect_rule_info {
	const char *id, *title;
	enum detect_severity severity;
	enum detect_stage stage;     /* the stage it is tried at */
	bool has_threshold;
	bool disabled;
	/* When disabled: "$DNS_SERVERS is empty"; "" otherwise. */
	const char *reason;
};

/* Rule i (< detect_rules_count()) in file order; -1 when out of range. */
int detect_rules_info(const struct detect_rules *r, size_t i, struct detect_rule_info *out);

/*
 * Tries the enabled rules of the view's stage against v and writes a
 * hit for each that fires, in file order, at most max; returns how many
 * were written (further hits are counted in st as hits_dropped).  A rule
 * with a threshold needs st: with st NULL it never fires.  Costs one
 * pass over the stage's rules, each condition a comparison with at most
 * DETECT_LIST_MAX items (address lists: with their length), plus one
 * table look-up per threshold rule whose conditions hold.
 */
size_t detect_rules_match(const struct detect_rules *r, struct detect_state *st,
			  const struct detect_view *v, struct detect_hit *hits, size_t max);

/* ------------------------------------------------- threshold state */

#define DETECT_STATE_DEFAULT_ENTRIES 4096
#define DETECT_STATE_MAX_ENTRIES (1u << 20)

struct detect_state_stats {
	uint64_t entries;      /* in use now */
	uint64_t max_entries;  /* the cap given at create */
	uint64_t evictions;    /* entries taken from their pair because the table was full */
	uint64_t windows;      /* windows started */
	uint64_t fired;        /* threshold hits */
	uint64_t hits_dropped; /* hits beyond the caller's max */
};

/*
 * State for max_entries (rule, device) pairs (1..DETECT_STATE_MAX_ENTRIES),
 * allocated at once: about 1.1 KiB each.  NULL when out of memory or out
 * of range.
 */
struct detect_state *detect_state_create(size_t max_entries);

/* Accepts NULL. */
void detect_state_destroy(struct detect_state *st);

/* Forgets every count (the stats stay). */
void detect_state_clear(struct detect_state *st);

const struct detect_state_stats *detect_state_stats(const struct detect_state *st);

#endif /* EW_DETECT_RULES_H */
