/*
 * device-rules.h - fingerprint rules: what kind of device is this?
 *
 * A rule file (rules/devices.yaml, the language is in docs/rules.md)
 * lists rules such as "a DHCP host name DS-2CD* means a Hikvision
 * camera, weight 90".  device_rules_classify() runs every rule against
 * one device record: each rule whose conditions all hold adds its weight
 * to its class, and the class with the highest total wins.  The answer
 * carries a confidence and the evidence behind it, so an operator can
 * check every claim against the device's signals.
 *
 * Loading is strict: every problem is an error, with the place of the
 * offending YAML node, and a bad file yields no rule set at all, so a
 * caller reloading rules keeps its previous set.  Errors are values:
 * the loaders return NULL and leave one line, "FILE:LINE:COL: problem"
 * (or "FILE: problem" when no place is involved), in err (errlen bytes,
 * always NUL-terminated when errlen > 0); nothing is printed here.
 *
 * Bounded: at most DEVICE_RULES_MAX rules of at most
 * DEVICE_RULES_PATTERNS_MAX patterns per condition, patterns of at most
 * DEVICE_RULES_PATTERN_MAX bytes, files of at most DEVICE_RULES_FILE_MAX
 * bytes.  Classifying one device costs at most one pass over the rules,
 * each pattern tested against each of the device's values of its kind
 * in time linear in the product of their lengths (globs never
 * backtrack more than that), plus a sort of the matching rules.
 *
 * Ownership and threads: a loaded rule set is never modified, so
 * several threads may classify with it at once.  Strings in a struct
 * device_class (class_name, vendor, model, rule_id, what, pattern)
 * point into the rule set or are static; they are valid until
 * device_rules_free().  The evidence values are copies.
 */
#ifndef EW_DEVICE_RULES_H
#define EW_DEVICE_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "device.h"

#define DEVICE_RULES_MAX 2000             /* rules in one file */
#define DEVICE_RULES_PATTERNS_MAX 64      /* patterns in one condition */
#define DEVICE_RULES_PATTERN_MAX 128      /* bytes of one pattern */
#define DEVICE_RULES_FILE_MAX (4u << 20)  /* bytes of one rule file */
#define DEVICE_RULES_ERRLEN 256           /* enough for any message */

#define DEVICE_EVIDENCE_MAX 8
#define DEVICE_EVIDENCE_VALUE_MAX 96 /* bytes of a value copy, NUL included */

struct device_rules;

/* One condition of a matching rule and what satisfied it. */
struct device_evidence {
	const char *rule_id;
	/*
	 * What was looked at: a signal kind name as device_signal_kind_name()
	 * spells it ("dhcp_hostname", "tls_sni"), or "vendor",
	 * "mac_randomized", "routes_traffic".
	 */
	const char *what;
	/* The device's value, cut to 95 bytes; raw bytes from the wire: escape before printing. */
	char value[DEVICE_EVIDENCE_VALUE_MAX];
	const char *pattern; /* the rule's pattern it matched, as written (suffixes lower-cased); NULL for built-in evidence */
	uint8_t weight;      /* the rule's weight; a rule of two conditions gives two entries */
};

struct device_class {
	const char *class_name; /* "unknown" when no rule matched */
	const char *vendor;     /* NULL when no matching rule names one */
	const char *model;      /* NULL when no matching rule of the class names one */
	uint8_t confidence;     /* 0..100; 0 only for "unknown" (docs/rules.md) */
	uint32_t score;         /* the class's total weight */
	uint32_t runner_up;     /* the next class's total weight, 0 if none */
	/* Conditions of the winning class's rules, heaviest rule first. */
	struct device_evidence evidence[DEVICE_EVIDENCE_MAX];
	size_t nevidence;
	size_t evidence_dropped; /* entries beyond DEVICE_EVIDENCE_MAX */
};

/* Loads and checks a rule file; NULL with a message in err on any problem. */
struct device_rules *device_rules_load_file(const char *path, char *err, size_t errlen);

/*
 * Same from text of len bytes (need not be NUL-terminated); name is used
 * in messages.  Refuses more than DEVICE_RULES_FILE_MAX bytes.
 */
struct device_rules *device_rules_load_buffer(const char *name, const char *text, size_t len,
					      char *err, size_t errlen);

/* Releases the set and every string it owns; accepts NULL. */
void device_rules_free(struct device_rules *r);

/* Rules loaded; 0 for NULL. */
size_t device_rules_count(const struct device_rules *r);

/*
 * Classifies d; fills every field of *out.  r or d NULL gives "unknown".
 * Uses about 13 KiB of stack.
 */
void device_rules_classify(const struct device_rules *r, const struct device *d,
			   struct device_class *out);

#endif /* EW_DEVICE_RULES_H */
