/*
 * device-rules-private.h - what the files of the rules module share with
 * each other and with their unit test, and nothing else includes:
 *
 *   device-rules-lang.c   the vocabulary: classes, conditions, pattern checks
 *   device-rules-load.c   the YAML walk that compiles a file into a set
 *   device-rules-set.c    the set's memory
 *   device-rules-match.c  globs, suffixes, and scoring a device
 *
 * The loader turns each rule into a struct device_rule whose patterns
 * are already checked and normalised, so that matching never has to
 * parse or reject anything: it only compares.
 */
#ifndef EW_DEVICE_RULES_PRIVATE_H
#define EW_DEVICE_RULES_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "device-rules.h"

/* Where a condition looks. */
enum rule_source {
	RULE_SRC_SIGNAL = 0,  /* the device's values of one signal kind */
	RULE_SRC_VENDOR,      /* the IEEE organisation name of its MAC prefix */
	RULE_SRC_MAC_RANDOM,  /* its MAC is locally administered */
	RULE_SRC_ROUTES,      /* it forwards traffic from outside addresses */
};

/* How a pattern is compared with a value. */
enum rule_match {
	RULE_MATCH_GLOB = 0, /* rules_glob_match(): *, ?, [...], \, ASCII case ignored */
	RULE_MATCH_EXACT,    /* byte for byte */
	RULE_MATCH_NOCASE,   /* equal but for ASCII case */
	RULE_MATCH_SUFFIX,   /* rules_suffix_match(): a DNS name on a label boundary */
	RULE_MATCH_BOOL,     /* the condition's flag equals the device's */
};

struct rule_cond {
	const char *what;   /* evidence name: a signal kind name or "vendor", ... */
	uint8_t source;     /* enum rule_source */
	uint8_t sig;        /* enum device_signal_kind, for RULE_SRC_SIGNAL */
	uint8_t match;      /* enum rule_match */
	bool flag;          /* RULE_MATCH_BOOL: the value wanted */
	uint16_t npat;      /* 1..DEVICE_RULES_PATTERNS_MAX; 0 for booleans */
	const char **pat;   /* normalised, NUL-terminated; owned by the set */
};

struct device_rule {
	const char *id;
	uint8_t class_idx;   /* into rules_class_name() */
	uint8_t weight;      /* 1..100 */
	uint16_t vendor;     /* label index, 0 = none */
	uint16_t model;      /* label index, 0 = none */
	uint8_t ncond;
	uint32_t line;       /* 1-based line of the rule, for messages */
	struct rule_cond *cond;
};

struct rules_chunk; /* the set's arena (device-rules-set.c) */

struct device_rules {
	struct device_rule *rule;
	size_t n, cap;
	/*
	 * Distinct vendor and model names, interned so that the matcher
	 * can add weights up per name by index; label[0] is unused.
	 */
	const char **label;
	size_t nlabels, label_cap;
	size_t npatterns;            /* over all rules */
	struct rules_chunk *chunks;  /* every string and small array of the set */
};

/* ------------------------------------- the language (device-rules-lang.c) */

/* Classes, in the order of docs/rules.md; "unknown" is not among them. */
#define RULES_NCLASSES 31

/* Name of class i (< RULES_NCLASSES). */
const char *rules_class_name(size_t i);

/* Index of a class name of n bytes, or -1. */
int rules_class_index(const char *name, size_t n);

/* How a condition's patterns are checked at load. */
enum rule_check { CHECK_GLOB, CHECK_PRL, CHECK_SUFFIX, CHECK_JA3, CHECK_PROTO, CHECK_PORT,
		  CHECK_BOOL };

/* One kind of condition in a rule's "when" mapping. */
struct rule_cond_def {
	const char *key;  /* in the "when" mapping */
	const char *what; /* in evidence: the signal kind name */
	uint8_t source;   /* enum rule_source */
	uint8_t sig;      /* enum device_signal_kind */
	uint8_t match;    /* enum rule_match */
	uint8_t check;    /* enum rule_check */
	uint8_t index;    /* its place in the table, for "seen" bits */
};

#define RULES_NCONDS 31

/* The condition called key (n bytes), or NULL. */
const struct rule_cond_def *rules_cond_def(const char *key, size_t n);

/*
 * Checks a pattern of n bytes (NUL and control bytes already refused,
 * n <= DEVICE_RULES_PATTERN_MAX) for the condition def and writes its
 * compiled form into norm.  NULL if good, else why not, as words that
 * follow the quoted pattern: "is not a JA3 hash (...)".
 */
const char *rules_pattern_check(const struct rule_cond_def *def, const char *v, size_t n,
				char norm[DEVICE_RULES_PATTERN_MAX + 1]);

/* Is s (n bytes) a rule id: 1..RULES_ID_MAX lower-case letters, digits and '-'? */
#define RULES_ID_MAX 64
bool rules_id_ok(const char *s, size_t n);

/* ---------------------------------- globs and suffixes (device-rules-match.c) */

/*
 * Checks a glob of n bytes; NULL if good, else why not, as words that
 * follow the quoted pattern: "has an unclosed '['".
 */
const char *rules_glob_check(const char *p, size_t n);

/* Does the whole of s match glob p (checked by rules_glob_check)? */
bool rules_glob_match(const char *p, const char *s);

/*
 * Does DNS name s end in suffix x on a label boundary?  x is lower-case
 * without a trailing dot; a leading dot in x excludes x itself.
 */
bool rules_suffix_match(const char *x, const char *s);

/* ------------------------------------- the set's memory (device-rules-set.c) */

/* An empty set; NULL when out of memory. */
struct device_rules *rules_set_new(void);

/* n bytes owned by the set, aligned for any type; NULL when out of memory. */
void *rules_alloc(struct device_rules *r, size_t n);

/* A NUL-terminated copy of s[0..n) owned by the set. */
char *rules_strndup(struct device_rules *r, const char *s, size_t n);

/* The label index of a vendor or model name, added if new; -1 when out of memory. */
int rules_intern_label(struct device_rules *r, const char *s, size_t n, uint16_t *idx);

/* Appends a rule (its strings and arrays already the set's); -1 when out of memory. */
int rules_append(struct device_rules *r, const struct device_rule *rule);

#endif /* EW_DEVICE_RULES_PRIVATE_H */
