/*
 * util-json.h - build one JSON object per event, safely.
 *
 * A small streaming writer: the caller opens objects and arrays and adds
 * keyed values; commas and nesting are tracked here.  Every string goes
 * through one escaper, so a line is valid JSON whatever bytes a packet
 * carried: control characters and DEL become \u00XX, quotes and
 * backslashes are escaped, U+2028/U+2029 are escaped (they break
 * JavaScript consumers), and bytes that are not valid UTF-8 (overlong
 * forms, surrogates, truncated sequences) become U+FFFD.
 *
 * Memory: the buffer grows up to JSON_MAX_EVENT_BYTES; past that, or on
 * allocation failure, the writer sets `err` and drops further output, so
 * the caller can count the event as dropped instead of emitting half of
 * it.  json_free() releases the buffer; json_reset() keeps it for reuse.
 */
#ifndef EW_UTIL_JSON_H
#define EW_UTIL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_DEPTH 16
#define JSON_MAX_EVENT_BYTES (1u << 20) /* one event line, 1 MiB */

struct json_buf {
	char *data;
	size_t len, cap;
	int depth;
	bool first[JSON_MAX_DEPTH]; /* no member written yet at this level */
	bool err;                   /* overflowed, out of memory or misnested */
};

void json_init(struct json_buf *jb);
void json_reset(struct json_buf *jb);
void json_free(struct json_buf *jb);

/* key is NULL inside arrays and for the top-level object. */
void json_open_object(struct json_buf *jb, const char *key);
void json_close_object(struct json_buf *jb);
void json_open_array(struct json_buf *jb, const char *key);
void json_close_array(struct json_buf *jb);

void json_string(struct json_buf *jb, const char *key, const char *s);
/* Arbitrary bytes from a packet, escaped as described above. */
void json_bytes(struct json_buf *jb, const char *key, const uint8_t *s, size_t len);
void json_uint(struct json_buf *jb, const char *key, uint64_t v);
void json_int(struct json_buf *jb, const char *key, int64_t v);
void json_bool(struct json_buf *jb, const char *key, bool v);
/* A finite double with 6 significant decimals; NaN/inf become null. */
void json_double(struct json_buf *jb, const char *key, double v);

/* Appends the escaped form of s (without quotes) to out; used by tests. */
void json_escape_into(struct json_buf *jb, const uint8_t *s, size_t len);

#endif /* EW_UTIL_JSON_H */
