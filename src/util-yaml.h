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
 * the input).  The second pass is the loader's own walk.
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

#endif /* EW_UTIL_YAML_H */
