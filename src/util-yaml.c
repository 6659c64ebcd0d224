/*
 * util-yaml.c - safe YAML reading for the loaders (see util-yaml.h).
 *
 * What the four loaders (conf.c, device-rules-load.c, detect-rules-load.c,
 * model-load.c) would otherwise each write again: the safety pass, the
 * messages, the reading of plain scalars and fixed keys, and the walk
 * from the stream down to the root node.  A message a loader words its
 * own way stays in that loader.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util-file.h"
#include "util-yaml.h"

#define YREAD_PREFIX_MAX 256

void yread_init(struct yread *y, const char *name, const char *text, size_t len, char *err,
		size_t errlen)
{
	memset(y, 0, sizeof(*y));
	y->name = name != NULL ? name : "(input)";
	y->text = (const unsigned char *)(text != NULL ? text : "");
	y->len = text != NULL ? len : 0;
	y->err = err;
	y->errlen = errlen;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
}

/* Control characters (a quoted "\n" in a key, say) would break the one line. */
static void one_line(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

__attribute__((format(printf, 3, 0)))
static int yread_verror(struct yread *y, const char *prefix, const char *fmt, va_list ap)
{
	int n;

	if (y->err == NULL || y->errlen == 0)
		return -1;
	n = snprintf(y->err, y->errlen, "%s", prefix);
	if (n >= 0 && (size_t)n < y->errlen)
		vsnprintf(y->err + n, y->errlen - (size_t)n, fmt, ap);
	one_line(y->err);
	return -1;
}

int yread_error(struct yread *y, const char *fmt, ...)
{
	char prefix[YREAD_PREFIX_MAX];
	va_list ap;

	snprintf(prefix, sizeof(prefix), "%s: ", y->name);
	va_start(ap, fmt);
	yread_verror(y, prefix, fmt, ap);
	va_end(ap);
	return -1;
}

__attribute__((format(printf, 4, 0)))
static int yread_verror_at(struct yread *y, size_t line, size_t col, const char *fmt,
			   va_list ap)
{
	char prefix[YREAD_PREFIX_MAX];

	snprintf(prefix, sizeof(prefix), "%s:%zu:%zu: ", y->name, line, col);
	return yread_verror(y, prefix, fmt, ap);
}

__attribute__((format(printf, 4, 5)))
static int yread_error_line(struct yread *y, size_t line, size_t col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	yread_verror_at(y, line, col, fmt, ap);
	va_end(ap);
	return -1;
}

int yread_error_at(struct yread *y, yaml_mark_t mark, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	yread_verror_at(y, mark.line + 1, mark.column + 1, fmt, ap);
	va_end(ap);
	return -1;
}

/* Line and column of a byte offset, counting columns in characters as libyaml does. */
static void offset_position(const struct yread *y, size_t offset, size_t *line, size_t *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < offset && i < y->len; i++) {
		if (y->text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if ((y->text[i] & 0xc0) != 0x80) { /* not a UTF-8 continuation */
			(*col)++;
		}
	}
}

/* Reports the parser's error: its own words, at its own place. */
static int parser_error(struct yread *y)
{
	const yaml_parser_t *p = &y->parser;
	const char *problem = p->problem ? p->problem : "invalid YAML";
	size_t line = p->problem_mark.line + 1, col = p->problem_mark.column + 1;

	if (p->error == YAML_MEMORY_ERROR)
		return yread_error(y, "out of memory");
	/* The reader (encoding, control characters) leaves the mark unset. */
	if (p->error == YAML_READER_ERROR)
		offset_position(y, p->problem_offset, &line, &col);
	return yread_error_line(y, line, col, "%s", problem);
}

int yread_next(struct yread *y, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&y->parser, ev))
		return parser_error(y);
	return 0;
}

int yread_run(struct yread *y, int (*pass)(void *ctx), void *ctx)
{
	int rc;

	if (!yaml_parser_initialize(&y->parser))
		return yread_error(y, "out of memory");
	yaml_parser_set_input_string(&y->parser, y->text, y->len);
	yaml_parser_set_encoding(&y->parser, YAML_UTF8_ENCODING);
	rc = pass(ctx);
	yaml_parser_delete(&y->parser);
	return rc;
}

/* Checks one event for what we refuse wherever it is; tracks depth. */
static int check_event(struct yread *y, const yaml_event_t *ev, int *depth, int max_depth)
{
	const yaml_char_t *anchor = NULL, *tag = NULL;

	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		return yread_error_at(y, ev->start_mark, "aliases are not allowed");
	case YAML_SCALAR_EVENT:
		anchor = ev->data.scalar.anchor;
		tag = ev->data.scalar.tag;
		break;
	case YAML_SEQUENCE_START_EVENT:
		anchor = ev->data.sequence_start.anchor;
		tag = ev->data.sequence_start.tag;
		(*depth)++;
		break;
	case YAML_MAPPING_START_EVENT:
		anchor = ev->data.mapping_start.anchor;
		tag = ev->data.mapping_start.tag;
		(*depth)++;
		break;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		(*depth)--;
		return 0;
	default:
		return 0;
	}
	if (anchor != NULL)
		return yread_error_at(y, ev->start_mark, "anchors are not allowed");
	if (tag != NULL)
		return yread_error_at(y, ev->start_mark, "tags are not allowed");
	if (*depth > max_depth)
		return yread_error_at(y, ev->start_mark, "nesting is deeper than %d levels",
				      max_depth);
	return 0;
}

struct check_ctx {
	struct yread *y;
	int max_depth;
};

static int check_pass(void *ctx)
{
	struct check_ctx *c = ctx;
	int depth = 0;

	for (;;) {
		yaml_event_t ev;
		int rc;
		bool end;

		if (yread_next(c->y, &ev) < 0)
			return -1;
		rc = check_event(c->y, &ev, &depth, c->max_depth);
		end = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
		if (rc < 0 || end)
			return rc;
	}
}

int yread_check(struct yread *y, int max_depth)
{
	struct check_ctx c = { y, max_depth };
	const unsigned char *nul = memchr(y->text, '\0', y->len);

	/* libyaml's reader stops at a NUL with a vaguer message; name it here. */
	if (nul != NULL) {
		size_t line, col;

		offset_position(y, (size_t)(nul - y->text), &line, &col);
		return yread_error_line(y, line, col, "NUL byte in input");
	}
	return yread_run(y, check_pass, &c);
}

const char *yread_node_kind(const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_MAPPING_START_EVENT:
		return "a mapping";
	case YAML_SEQUENCE_START_EVENT:
		return "a sequence";
	default:
		return "a scalar";
	}
}

bool yread_is_null(const yaml_event_t *ev)
{
	const char *v;

	if (ev->type != YAML_SCALAR_EVENT || ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	v = (const char *)ev->data.scalar.value;
	return v[0] == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
	       strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

const char *yread_quote(char buf[YREAD_QUOTE_MAX + 4], const char *text, size_t len)
{
	size_t n = len < YREAD_QUOTE_MAX ? len : YREAD_QUOTE_MAX;

	for (size_t i = 0; i < n; i++)
		buf[i] = text[i] == '\0' ? '?' : text[i];
	strcpy(buf + n, len > n ? "..." : "");
	return buf;
}

bool yread_decimal(const char *d, size_t n, uint64_t *out)
{
	uint64_t x = 0;

	if (n == 0 || (d[0] == '0' && n > 1))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (d[i] < '0' || d[i] > '9')
			return false;
		if (x <= UINT32_MAX)
			x = x * 10 + (uint64_t)(d[i] - '0');
	}
	*out = x;
	return true;
}

int yread_file(const char *path, uint32_t max_bytes, const char *too_big, char **text,
	       size_t *len, char *err, size_t errlen)
{
	struct yread y;
	int errnum;

	if (ew_read_file(path, max_bytes, text, len) == 0)
		return 0;
	errnum = errno;
	/* yread_error() keeps the message one line whatever the path holds. */
	yread_init(&y, path, NULL, 0, err, errlen);
	/* The cap keeps a wrong path (a capture, /dev/zero) from being read whole. */
	if (errnum == EFBIG)
		return yread_error(&y, "%s %u bytes", too_big, max_bytes);
	return yread_error(&y, "%s", strerror(errnum));
}

/* ------------------------------------------------- scalars, keys, values */

bool yread_is_word(const yaml_event_t *ev, const char *w)
{
	return ev->type == YAML_SCALAR_EVENT && strlen(w) == ev->data.scalar.length &&
	       memcmp(w, ev->data.scalar.value, ev->data.scalar.length) == 0;
}

bool yread_has_control(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return true;
	return false;
}

bool yread_bool(const yaml_event_t *ev, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on" };
	static const char *const no[] = { "false", "no", "off" };
	const char *v = (const char *)ev->data.scalar.value;

	/* A NUL inside ("yes\0junk") would fool the string comparisons. */
	if (memchr(v, '\0', ev->data.scalar.length) != NULL)
		return false;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(v, yes[i]) == 0 || strcasecmp(v, no[i]) == 0) {
			*out = strcasecmp(v, yes[i]) == 0;
			return true;
		}
	}
	return false;
}

int yread_uint(struct yread *y, const char *key, const yaml_event_t *ev, uint64_t lo,
	       uint64_t hi, uint64_t *out)
{
	const char *v = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;
	/* "-5" is a number, just out of range; say so rather than "not a number".  "-0" is not plain. */
	size_t minus = n > 1 && v[0] == '-' && v[1] >= '1' && v[1] <= '9';
	char q[YREAD_QUOTE_MAX + 4];
	uint64_t x;

	if (!yread_decimal(v + minus, n - minus, &x))
		return yread_error_at(y, ev->start_mark, "%s: '%s' is not a plain decimal integer",
				      key, yread_quote(q, v, n));
	if (minus || x < lo || x > hi)
		return yread_error_at(y, ev->start_mark, "%s: %s is out of range %llu..%llu", key,
				      yread_quote(q, v, n), (unsigned long long)lo,
				      (unsigned long long)hi);
	*out = x;
	return 0;
}

int yread_scalar(struct yread *y, const char *key, const char *want, yaml_event_t *ev)
{
	int rc = 0;

	if (yread_next(y, ev) < 0)
		return -1;
	if (ev->type != YAML_SCALAR_EVENT)
		rc = yread_error_at(y, ev->start_mark, "%s: expected %s, found %s", key, want,
				    yread_node_kind(ev));
	else if (yread_is_null(ev))
		rc = yread_error_at(y, ev->start_mark, "%s: a value is required", key);
	if (rc < 0)
		yaml_event_delete(ev);
	return rc;
}

int yread_key(struct yread *y, const yaml_event_t *ev, const struct yread_keys *keys,
	      uint32_t *seen)
{
	char q[YREAD_QUOTE_MAX + 4];

	if (ev->type != YAML_SCALAR_EVENT)
		return yread_error_at(y, ev->start_mark, "%sa key must be a scalar, not %s",
				      keys->prefix, yread_node_kind(ev));
	for (int i = 0; i < keys->n && i < 32; i++) {
		if (!yread_is_word(ev, keys->name[i]))
			continue;
		if (*seen & (1u << i))
			return yread_error_at(y, ev->start_mark, "%sduplicate key '%s'",
					      keys->prefix, keys->name[i]);
		*seen |= 1u << i;
		return i;
	}
	return yread_error_at(y, ev->start_mark, "%sunknown key '%s'%s", keys->prefix,
			      yread_quote(q, (const char *)ev->data.scalar.value,
					  ev->data.scalar.length),
			      keys->unknown);
}

int yread_require(struct yread *y, yaml_mark_t at, const char *what, const char *id,
		  const struct yread_keys *keys, uint32_t required, uint32_t seen)
{
	for (int i = 0; i < keys->n && i < 32; i++) {
		if (!(required & (1u << i)) || (seen & (1u << i)))
			continue;
		if (id == NULL)
			return yread_error_at(y, at, "%s: missing '%s'", what, keys->name[i]);
		return yread_error_at(y, at, "%s '%s': missing '%s'", what, id, keys->name[i]);
	}
	return 0;
}

/* ------------------------------------------------------ the shared walk */

/* Hands each event up to end (a mapping's keys, a sequence's items) to fn. */
static int walk_until(struct yread *y, yaml_event_type_t end,
		      int (*fn)(void *ctx, const yaml_event_t *ev), void *ctx)
{
	for (;;) {
		yaml_event_t ev;
		int rc;

		if (yread_next(y, &ev) < 0)
			return -1;
		if (ev.type == end) {
			yaml_event_delete(&ev);
			return 0;
		}
		rc = fn(ctx, &ev);
		yaml_event_delete(&ev);
		if (rc < 0)
			return -1;
	}
}

int yread_mapping(struct yread *y, int (*pair)(void *ctx, const yaml_event_t *key), void *ctx)
{
	return walk_until(y, YAML_MAPPING_END_EVENT, pair, ctx);
}

int yread_sequence(struct yread *y, int (*item)(void *ctx, const yaml_event_t *ev), void *ctx)
{
	return walk_until(y, YAML_SEQUENCE_END_EVENT, item, ctx);
}

int yread_document(struct yread *y, const char *no_document,
		   int (*root)(void *ctx, const yaml_event_t *ev), void *ctx)
{
	yaml_event_t ev;
	int rc;

	if (yread_next(y, &ev) < 0) /* stream start */
		return -1;
	yaml_event_delete(&ev);
	if (yread_next(y, &ev) < 0)
		return -1;
	if (ev.type == YAML_STREAM_END_EVENT) {
		rc = no_document == NULL ? 0 : yread_error_at(y, ev.start_mark, "%s", no_document);
		yaml_event_delete(&ev);
		return rc;
	}
	yaml_event_delete(&ev); /* document start */
	if (yread_next(y, &ev) < 0)
		return -1;
	rc = root(ctx, &ev);
	yaml_event_delete(&ev);
	if (rc < 0 || yread_next(y, &ev) < 0) /* document end */
		return -1;
	yaml_event_delete(&ev);
	if (yread_next(y, &ev) < 0)
		return -1;
	/* The next document's start: the loaders read one, and a second would go unread. */
	rc = ev.type == YAML_STREAM_END_EVENT
		     ? 0
		     : yread_error_at(y, ev.start_mark, "only one YAML document is allowed");
	yaml_event_delete(&ev);
	return rc;
}

struct keyed_ctx {
	struct yread *y;
	const struct yread_keys *keys;
	uint32_t *seen;
	int (*value)(void *ctx, int k);
	void *ctx;
};

static int keyed_pair(void *ctx, const yaml_event_t *key)
{
	struct keyed_ctx *c = ctx;
	int k = yread_key(c->y, key, c->keys, c->seen);

	return k < 0 ? -1 : c->value(c->ctx, k);
}

int yread_keyed_mapping(struct yread *y, const struct yread_keys *keys, uint32_t *seen,
			int (*value)(void *ctx, int k), void *ctx)
{
	struct keyed_ctx c = { y, keys, seen, value, ctx };

	return yread_mapping(y, keyed_pair, &c);
}

struct mappings_ctx {
	struct yread *y;
	const char *what;
	int (*map)(void *ctx, const yaml_event_t *start);
	void *ctx;
};

static int mappings_item(void *ctx, const yaml_event_t *ev)
{
	struct mappings_ctx *c = ctx;

	if (ev->type == YAML_MAPPING_START_EVENT)
		return c->map(c->ctx, ev);
	return yread_error_at(c->y, ev->start_mark, "a %s must be a mapping, not %s", c->what,
			      yread_node_kind(ev));
}

int yread_mappings(struct yread *y, const char *what,
		   int (*map)(void *ctx, const yaml_event_t *start), void *ctx)
{
	struct mappings_ctx c = { y, what, map, ctx };

	return yread_sequence(y, mappings_item, &c);
}

struct root_key_ctx {
	struct yread *y;
	const struct yread_root_key *rk;
	void *ctx;
};

/* The value of the root key: of the kind the file wants, or (optional files) nothing. */
static int root_key_value(void *ctx, int k)
{
	struct root_key_ctx *c = ctx;
	const struct yread_root_key *rk = c->rk;
	yaml_event_t ev;
	int rc;

	(void)k;
	if (yread_next(c->y, &ev) < 0)
		return -1;
	if (ev.type == rk->value)
		rc = rk->read(c->ctx, &ev);
	else if (rk->optional && yread_is_null(&ev))
		rc = 0;
	else
		rc = yread_error_at(c->y, ev.start_mark, "%s: expected %s, found %s", rk->key,
				    rk->value == YAML_SEQUENCE_START_EVENT ? "a sequence"
									 : "a mapping",
				    yread_is_null(&ev) ? "nothing" : yread_node_kind(&ev));
	yaml_event_delete(&ev);
	return rc;
}

static int root_key_root(void *ctx, const yaml_event_t *ev)
{
	struct root_key_ctx *c = ctx;

	if (ev->type == YAML_MAPPING_START_EVENT) {
		const char *name[1] = { c->rk->key };
		const struct yread_keys keys = { name, 1, "", c->rk->unknown };
		uint32_t seen = 0;

		if (yread_keyed_mapping(c->y, &keys, &seen, root_key_value, c) < 0)
			return -1;
		if (seen == 0 && !c->rk->optional)
			return yread_error_at(c->y, ev->start_mark, "missing '%s'", c->rk->key);
		return 0;
	}
	if (c->rk->optional && yread_is_null(ev))
		return 0;
	return yread_error_at(c->y, ev->start_mark, "%s", c->rk->not_mapping);
}

int yread_root_key_walk(struct yread *y, const struct yread_root_key *rk, void *ctx)
{
	struct root_key_ctx c = { y, rk, ctx };

	return yread_document(y, rk->no_document, root_key_root, &c);
}
