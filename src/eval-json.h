/*
 * eval-json.h - a small JSON reader for edgewatch's own event lines.
 *
 * edgewatch-eval reads back the JSON lines edgewatch wrote, but an
 * event file is still input from outside the program: it may have been
 * cut, edited or concatenated with something else.  This reader parses
 * one line (RFC 8259, nothing more lenient) into a tree of values that
 * the caller queries by member name; members it never asks for are
 * simply skipped.
 *
 * What it does with hostile text:
 *   - strings: every escape, \uXXXX included, with surrogate pairs joined
 *     into one UTF-8 character; a lone surrogate becomes U+FFFD.  Raw
 *     bytes >= 0x80 are kept as they are, valid UTF-8 or not (the
 *     caller compares bytes).  \u0000 decodes to a NUL byte, so strings
 *     carry a length; a raw control byte (NUL included) is an error, as
 *     the RFC says.
 *   - numbers: the RFC's grammar only (no "+1", "01", ".5", "NaN", hex);
 *     any number of digits is accepted and converted by strtod, so an
 *     out-of-range value becomes +-HUGE_VAL or 0.
 *   - nesting deeper than EJSON_MAX_DEPTH and documents of more than
 *     EJSON_MAX_VALUES values are errors, so neither the stack nor the
 *     tree grows with the input beyond those caps; memory is at most
 *     about (text length + EJSON_MAX_VALUES * sizeof(struct ejson_value)).
 *   - a member name given twice: ejson_get() returns the last one, as
 *     JavaScript's JSON.parse does.
 *
 * Errors are values: ejson_parse() returns -1 and ejson_error() says
 * "at byte N: problem" (N 0-based).  Nothing is printed.
 *
 * Ownership: the reader owns the tree.  Value pointers and strings it
 * hands out stay valid until the next ejson_parse() or ejson_destroy().
 */
#ifndef EW_EVAL_JSON_H
#define EW_EVAL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EJSON_MAX_DEPTH 32      /* edgewatch writes at most 16 levels */
#define EJSON_MAX_VALUES 65536  /* a real event has a few hundred */
#define EJSON_ERRLEN 96

enum ejson_type {
	EJSON_NULL = 0,
	EJSON_FALSE,
	EJSON_TRUE,
	EJSON_NUMBER,
	EJSON_STRING,
	EJSON_ARRAY,
	EJSON_OBJECT,
};

/* One value of the tree; read only.  Links are indices, 0 meaning none. */
struct ejson_value {
	enum ejson_type type;
	double num;                 /* EJSON_NUMBER */
	uint32_t str_off, str_len;  /* EJSON_STRING: the decoded bytes */
	uint32_t key_off, key_len;  /* a member of an object: its decoded name */
	uint32_t child;             /* first element or member */
	uint32_t next;              /* next element or member of the parent */
	uint32_t count;             /* elements or members */
};

struct ejson;

/* NULL when out of memory. */
struct ejson *ejson_create(void);
void ejson_destroy(struct ejson *j); /* accepts NULL */

/* Parses len bytes of text (no NUL needed); 0, or -1 with ejson_error() set. */
int ejson_parse(struct ejson *j, const char *text, size_t len);

/* The message of the last failed parse ("" after a good one). */
const char *ejson_error(const struct ejson *j);

/* The top-level value of the last good parse. */
const struct ejson_value *ejson_root(const struct ejson *j);

/* The value of member key of obj (the last one of that name); NULL if none or obj not an object. */
const struct ejson_value *ejson_get(const struct ejson *j, const struct ejson_value *obj,
				    const char *key);

/* First element/member of an array/object, and the one after v; NULL at the end. */
const struct ejson_value *ejson_first(const struct ejson *j, const struct ejson_value *v);
const struct ejson_value *ejson_next(const struct ejson *j, const struct ejson_value *v);

/*
 * The bytes of a string value (NUL-terminated, but may hold NULs: use
 * *len), or NULL when v is NULL or not a string.  len may be NULL.
 */
const char *ejson_string(const struct ejson *j, const struct ejson_value *v, size_t *len);

/* The name of a member (as ejson_string). */
const char *ejson_key(const struct ejson *j, const struct ejson_value *member, size_t *len);

/* v is a string equal to s, byte for byte (a string with a NUL never equals s). */
bool ejson_string_is(const struct ejson *j, const struct ejson_value *v, const char *s);

#endif /* EW_EVAL_JSON_H */
