/*
 * util-yaml.h - reading hostile YAML with libyaml's event API, the way
 * edgewatch's loaders do it.
 *
 * A loader reads the text in two passes over libyaml's events, each with
 * a fresh parser (yread_run).  The first, yread_check(), only decides
 * whether the text is YAML we are willing to interpret: well formed, no
 * NUL byte, no anchors or aliases (a few bytes could expand into
 * gigabytes, the "billion laughs"), no tags (they ask for conversions we
 * do not do), no nesting deeper than the loader allows (libyaml 0.2.5 has
 * no nesting limit of its own, so "[[[[..." would grow its stacks with
 * the input).  The second pass is the loader's own walk, from the
 * stream down to the root node through yread_document() (or, for a file
 * whose root mapping holds one key, yread_root_key_walk()), then with the
 * value helpers below, which word their messages the same for every
 * loader.
 *
 * Errors are values: the functions returning int return 0, or -1 after
 * writing one line "NAME:LINE:COL: problem" (or "NAME: problem") into the
 * caller's buffer, with control characters replaced so that the message
 * stays one line.  Lines and columns are 1-based, columns in characters.
 * Nothing is printed.
 */
#ifndef EW_UTIL_YAML_H
#define EW_UTIL_YAML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <yaml.h>

#define YREAD_QUOTE_MAX 40 /* bytes of a key or value quoted in a message */

struct yread {
	yaml_parser_t parser;      /* valid during yread_run() */
	const char *name;          /* for messages */
	const unsigned char *text; /* the whole input */
	size_t len;
	char *err;                 /* errlen bytes; NULL: no messages */
	size_t errlen;
};

/* Sets up y over text (len bytes; NULL text is empty); clears err. */
void yread_init(struct yread *y, const char *name, const char *text, size_t len, char *err,
		size_t errlen);

/* "name: problem"; returns -1. */
__attribute__((format(printf, 2, 3)))
int yread_error(struct yread *y, const char *fmt, ...);

/* "name:line:col: problem" at a node's mark; returns -1. */
__attribute__((format(printf, 3, 4)))
int yread_error_at(struct yread *y, yaml_mark_t mark, const char *fmt, ...);

/* The next event; -1 with the parser's own message at its own place. */
int yread_next(struct yread *y, yaml_event_t *ev);

/* Runs pass(ctx) over the whole text with a fresh parser; its result. */
int yread_run(struct yread *y, int (*pass)(void *ctx), void *ctx);

/* The first pass: the safety checks above, with nesting up to max_depth. */
int yread_check(struct yread *y, int max_depth);

/* "a mapping", "a sequence" or "a scalar", for messages. */
const char *yread_node_kind(const yaml_event_t *ev);

/* An unquoted empty, "~" or "null" scalar: YAML's spellings of "no value". */
bool yread_is_null(const yaml_event_t *ev);

/*
 * A plain decimal scalar: 0 or [1-9][0-9]*, no sign, no leading zero
 * (YAML 1.1 would read 010 as octal 8), no 0x, no underscores.
 * Saturates past UINT32_MAX, so any length of digits is safe and simply
 * out of the caller's range.
 */
bool yread_decimal(const char *d, size_t n, uint64_t *out);

/* At most YREAD_QUOTE_MAX bytes of text for a message, "..." marking a cut; NUL as '?'. */
const char *yread_quote(char buf[YREAD_QUOTE_MAX + 4], const char *text, size_t len);

/*
 * Reads the file at path whole (ew_read_file(), at most max_bytes) into
 * *text, which the caller frees, and *len; or -1 with "PATH: TOO_BIG
 * MAX bytes" (too_big: "larger than", say) or "PATH: the system's reason"
 * in err.
 */
int yread_file(const char *path, uint32_t max_bytes, const char *too_big, char **text,
	       size_t *len, char *err, size_t errlen);

/* ------------------------------------------------- scalars, keys, values */

/* Is ev a scalar spelling exactly w?  (Length-aware: a scalar may hold a NUL.) */
bool yread_is_word(const yaml_event_t *ev, const char *w);

/* Does s (n bytes) hold a control character (NUL included)? */
bool yread_has_control(const char *s, size_t n);

/*
 * Is the scalar ev a boolean: true/false, yes/no, on/off in any case?
 * Sets *out when it is.  The caller words the complaint when it is not.
 */
bool yread_bool(const yaml_event_t *ev, bool *out);

/*
 * The scalar ev as a plain decimal (yread_decimal) within lo..hi, into
 * *out; key names the value in messages:
 *   "KEY: 'TEXT' is not a plain decimal integer"
 *   "KEY: TEXT is out of range LO..HI"  (also for "-5": a number, below any range)
 */
int yread_uint(struct yread *y, const char *key, const yaml_event_t *ev, uint64_t lo,
	       uint64_t hi, uint64_t *out);

/*
 * Reads the next event into ev: the value of key, which must be a scalar
 * with a value ("KEY: expected WANT, found a mapping", "KEY: a value is
 * required").  On success the caller deletes ev; on error it is deleted.
 */
int yread_scalar(struct yread *y, const char *key, const char *want, yaml_event_t *ev);

/* A fixed set of mapping keys, each allowed once, for yread_key(). */
struct yread_keys {
	const char *const *name; /* n keys; bit i of a seen mask is name[i] */
	int n;
	const char *prefix;      /* before every message: "" or "threshold: " */
	const char *unknown;     /* after "unknown key 'x'": "", " in a rule" ... */
};

/*
 * Which of keys the key event ev is, marking it in *seen; or -1 with
 * "PREFIXa key must be a scalar, not ...", "PREFIXunknown key 'x'UNKNOWN"
 * or "PREFIXduplicate key 'k'".  At most 32 keys.
 */
int yread_key(struct yread *y, const yaml_event_t *ev, const struct yread_keys *keys,
	      uint32_t *seen);

/*
 * After a mapping of keys (a rule, say) whose start was at: the first
 * key in the mask required (bit i: keys->name[i]) missing from seen, as
 * "WHAT 'ID': missing 'KEY'", or "WHAT: missing 'KEY'" while id is NULL.
 * 0 when none is missing.
 */
int yread_require(struct yread *y, yaml_mark_t at, const char *what, const char *id,
		  const struct yread_keys *keys, uint32_t required, uint32_t seen);

/* ------------------------------------------------------ the shared walk */

/*
 * The rest of a mapping whose start event has been read: pair(ctx, key)
 * for each key event (of any kind: pair says which it takes), which also
 * reads the value; the key is deleted after.  Stops at the first -1.
 */
int yread_mapping(struct yread *y, int (*pair)(void *ctx, const yaml_event_t *key), void *ctx);

/*
 * The rest of a mapping of fixed keys: each key is checked by yread_key()
 * (marking *seen), then value(ctx, k) reads the value of keys->name[k].
 */
int yread_keyed_mapping(struct yread *y, const struct yread_keys *keys, uint32_t *seen,
			int (*value)(void *ctx, int k), void *ctx);

/* The rest of a sequence, the same way: item(ctx, ev) with each item's first event. */
int yread_sequence(struct yread *y, int (*item)(void *ctx, const yaml_event_t *ev), void *ctx);

/*
 * The rest of a sequence of mappings, such as a file's list of rules:
 * map(ctx, start) reads each from its start event; any other item is
 * "a WHAT must be a mapping, not a scalar".
 */
int yread_mappings(struct yread *y, const char *what,
		   int (*map)(void *ctx, const yaml_event_t *start), void *ctx);

/*
 * A loader's second pass over a stream of at most one document: reads
 * the stream and document events around the root node, whose first event
 * root(ctx, ev) gets (ev is deleted after it returns).  A second document
 * is "only one YAML document is allowed".  A stream of no document (empty
 * text, comments only) is nothing to read, 0, unless no_document says
 * otherwise: then it is the error, at the end of the stream.
 */
int yread_document(struct yread *y, const char *no_document,
		   int (*root)(void *ctx, const yaml_event_t *ev), void *ctx);

/*
 * The shape of a file whose root mapping holds one key, "rules: [...]":
 * the key must be there once and nothing else; its value is read by
 * read(ctx, start) from its start event (deleted after), and anything
 * else is "KEY: expected a sequence, found ..." (or a mapping).
 */
struct yread_root_key {
	const char *key;
	yaml_event_type_t value;  /* YAML_SEQUENCE_START_EVENT or YAML_MAPPING_START_EVENT */
	/*
	 * true: no document, a null root, a null value or no key at all is
	 * nothing to read (a file of defaults commented out); false: each is
	 * an error ("missing 'KEY'", "KEY: expected ..., found nothing").
	 */
	bool optional;
	const char *no_document;  /* the error for a stream of no document; NULL: 0 */
	const char *not_mapping;  /* the error for a root that is not a mapping */
	const char *unknown;      /* after "unknown key 'x'": "" or " (valid: KEY)" */
	int (*read)(void *ctx, const yaml_event_t *start);
};

/* The whole second pass for such a file (yread_document with the rules above). */
int yread_root_key_walk(struct yread *y, const struct yread_root_key *rk, void *ctx);

#endif /* EW_UTIL_YAML_H */
