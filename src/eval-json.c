/*
 * eval-json.c - a small JSON reader for event lines (see eval-json.h).
 *
 * Recursive descent over a byte cursor that never reads past len: the
 * text need not be NUL-terminated, and a NUL inside it is just a byte
 * that no rule accepts.  The recursion is bounded by EJSON_MAX_DEPTH.
 *
 * Decoded strings go into one buffer sized for the whole text: a string
 * never decodes to more bytes than its quoted form takes (the longest
 * escape, \uXXXX, gives at most 3 bytes for 6; a surrogate pair 4 for
 * 12), so the decoded strings with their NULs fit in len + 1 bytes and
 * the buffer never grows during a parse.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval-json.h"

struct ejson {
	struct ejson_value *v; /* v[0] is the root */
	size_t nv, cap;
	char *str; /* decoded strings, each followed by a NUL */
	size_t str_len, str_cap;
	char err[EJSON_ERRLEN];
};

/* One parse: the cursor over the text. */
struct cursor {
	struct ejson *j;
	const unsigned char *p;
	size_t len, pos;
	int depth;
};

struct ejson *ejson_create(void)
{
	return calloc(1, sizeof(struct ejson));
}

void ejson_destroy(struct ejson *j)
{
	if (j == NULL)
		return;
	free(j->v);
	free(j->str);
	free(j);
}

const char *ejson_error(const struct ejson *j)
{
	return j->err;
}

__attribute__((format(printf, 2, 3)))
static int fail(struct cursor *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(c->j->err, sizeof(c->j->err), "at byte %zu: ", c->pos);
	if (n < 0 || (size_t)n >= sizeof(c->j->err))
		return -1;
	va_start(ap, fmt);
	vsnprintf(c->j->err + n, sizeof(c->j->err) - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* ------------------------------------------------------------ the tree */

/* A new zeroed value at *out; -1 (with the error set) past the cap. */
static int new_value(struct cursor *c, enum ejson_type type, uint32_t *out)
{
	struct ejson *j = c->j;

	if (j->nv >= EJSON_MAX_VALUES)
		return fail(c, "more than %d values", EJSON_MAX_VALUES);
	if (j->nv == j->cap) {
		size_t cap = j->cap ? j->cap * 2 : 64;
		struct ejson_value *v;

		if (cap > EJSON_MAX_VALUES)
			cap = EJSON_MAX_VALUES;
		v = realloc(j->v, cap * sizeof(*v));
		if (v == NULL)
			return fail(c, "out of memory");
		j->v = v;
		j->cap = cap;
	}
	memset(&j->v[j->nv], 0, sizeof(j->v[0]));
	j->v[j->nv].type = type;
	*out = (uint32_t)j->nv++;
	return 0;
}

/* ------------------------------------------------------------ lexing */

static void skip_ws(struct cursor *c)
{
	while (c->pos < c->len) {
		unsigned char b = c->p[c->pos];

		if (b != ' ' && b != '\t' && b != '\n' && b != '\r')
			break;
		c->pos++;
	}
}

static int peek(const struct cursor *c)
{
	return c->pos < c->len ? c->p[c->pos] : -1;
}

static int hex4(struct cursor *c, unsigned *out)
{
	unsigned v = 0;

	if (c->len - c->pos < 4)
		return fail(c, "truncated \\u escape");
	for (int i = 0; i < 4; i++) {
		unsigned char b = c->p[c->pos + (size_t)i];
		unsigned d;

		if (b >= '0' && b <= '9')
			d = b - '0';
		else if (b >= 'a' && b <= 'f')
			d = b - 'a' + 10;
		else if (b >= 'A' && b <= 'F')
			d = b - 'A' + 10;
		else
			return fail(c, "bad \\u escape");
		v = v * 16 + d;
	}
	c->pos += 4;
	*out = v;
	return 0;
}

static void put_utf8(struct ejson *j, unsigned cp)
{
	char *o = j->str + j->str_len;

	if (cp < 0x80) {
		o[0] = (char)cp;
		j->str_len += 1;
	} else if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		j->str_len += 2;
	} else if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		j->str_len += 3;
	} else {
		o[0] = (char)(0xf0 | (cp >> 18));
		o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[3] = (char)(0x80 | (cp & 0x3f));
		j->str_len += 4;
	}
}

/*
 * After a backslash-u: the code point, joining a surrogate pair.  A lone
 * surrogate (a high one not followed by a low one, or a low one alone)
 * becomes U+FFFD; the escape that follows a lone high one is read again
 * on its own.
 */
static int unicode_escape(struct cursor *c, unsigned *cp)
{
	unsigned hi, lo;

	if (hex4(c, &hi) < 0)
		return -1;
	if (hi >= 0xdc00 && hi <= 0xdfff) {
		*cp = 0xfffd;
		return 0;
	}
	if (hi < 0xd800 || hi > 0xdbff) {
		*cp = hi;
		return 0;
	}
	if (c->len - c->pos >= 6 && c->p[c->pos] == '\\' && c->p[c->pos + 1] == 'u') {
		size_t back = c->pos;

		c->pos += 2;
		if (hex4(c, &lo) < 0)
			return -1;
		if (lo >= 0xdc00 && lo <= 0xdfff) {
			*cp = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
			return 0;
		}
		c->pos = back;
	}
	*cp = 0xfffd;
	return 0;
}

/* A string at the cursor (on its quote); its decoded bytes appended to j->str. */
static int lex_string(struct cursor *c, uint32_t *off, uint32_t *len)
{
	struct ejson *j = c->j;
	size_t start = j->str_len;

	c->pos++; /* the opening quote */
	for (;;) {
		unsigned char b;
		unsigned cp;

		if (c->pos >= c->len)
			return fail(c, "unterminated string");
		b = c->p[c->pos];
		if (b == '"')
			break;
		if (b < 0x20)
			return fail(c, "control byte 0x%02x in string", b);
		c->pos++;
		if (b != '\\') {
			j->str[j->str_len++] = (char)b; /* bytes >= 0x80 kept as they are */
			continue;
		}
		if (c->pos >= c->len)
			return fail(c, "unterminated string");
		b = c->p[c->pos++];
		switch (b) {
		case '"': case '\\': case '/': cp = b; break;
		case 'b': cp = '\b'; break;
		case 'f': cp = '\f'; break;
		case 'n': cp = '\n'; break;
		case 'r': cp = '\r'; break;
		case 't': cp = '\t'; break;
		case 'u':
			if (unicode_escape(c, &cp) < 0)
				return -1;
			break;
		default:
			c->pos--;
			return fail(c, "bad escape \\%c", b >= 0x20 && b < 0x7f ? b : '?');
		}
		put_utf8(j, cp);
	}
	c->pos++; /* the closing quote */
	j->str[j->str_len++] = '\0';
	*off = (uint32_t)start;
	*len = (uint32_t)(j->str_len - start - 1);
	return 0;
}

static bool is_digit(int b)
{
	return b >= '0' && b <= '9';
}

static int lex_number(struct cursor *c, double *out)
{
	struct ejson *j = c->j;
	size_t start = c->pos, n;
	char *copy;

	if (peek(c) == '-')
		c->pos++;
	if (peek(c) == '0') {
		c->pos++;
		if (is_digit(peek(c)))
			return fail(c, "leading zero in number");
	} else if (is_digit(peek(c))) {
		while (is_digit(peek(c)))
			c->pos++;
	} else {
		return fail(c, "bad number");
	}
	if (peek(c) == '.') {
		c->pos++;
		if (!is_digit(peek(c)))
			return fail(c, "bad number: no digit after '.'");
		while (is_digit(peek(c)))
			c->pos++;
	}
	if (peek(c) == 'e' || peek(c) == 'E') {
		c->pos++;
		if (peek(c) == '+' || peek(c) == '-')
			c->pos++;
		if (!is_digit(peek(c)))
			return fail(c, "bad number: no digit in exponent");
		while (is_digit(peek(c)))
			c->pos++;
	}
	/*
	 * strtod needs a NUL after the number, and the text has none of its
	 * own.  The string buffer has room past its end for these bytes and
	 * a NUL (they are text not decoded into any string), and they are
	 * not kept: str_len does not move.
	 */
	n = c->pos - start;
	copy = j->str + j->str_len;
	memcpy(copy, c->p + start, n);
	copy[n] = '\0';
	*out = strtod(copy, NULL); /* out of range: +-HUGE_VAL or 0, by design */
	return 0;
}

static int lex_literal(struct cursor *c, const char *word, size_t n)
{
	if (c->len - c->pos < n || memcmp(c->p + c->pos, word, n) != 0)
		return fail(c, "unexpected '%c'", peek(c) >= 0x20 && peek(c) < 0x7f ? peek(c) : '?');
	c->pos += n;
	return 0;
}

/* ------------------------------------------------------------ parsing */

static int parse_value(struct cursor *c, uint32_t *out);

/* Links child after *last under parent. */
static void link_child(struct ejson *j, uint32_t parent, uint32_t *last, uint32_t child)
{
	if (*last == 0)
		j->v[parent].child = child;
	else
		j->v[*last].next = child;
	*last = child;
	j->v[parent].count++;
}

static int parse_array(struct cursor *c, uint32_t self)
{
	uint32_t last = 0, child;

	c->pos++; /* [ */
	skip_ws(c);
	if (peek(c) == ']') {
		c->pos++;
		return 0;
	}
	for (;;) {
		if (parse_value(c, &child) < 0)
			return -1;
		link_child(c->j, self, &last, child);
		skip_ws(c);
		if (peek(c) == ',') {
			c->pos++;
			continue;
		}
		if (peek(c) == ']') {
			c->pos++;
			return 0;
		}
		return fail(c, peek(c) < 0 ? "unterminated array" : "expected ',' or ']'");
	}
}

static int parse_object(struct cursor *c, uint32_t self)
{
	uint32_t last = 0, child, koff, klen;

	c->pos++; /* { */
	skip_ws(c);
	if (peek(c) == '}') {
		c->pos++;
		return 0;
	}
	for (;;) {
		skip_ws(c);
		if (peek(c) != '"')
			return fail(c, peek(c) < 0 ? "unterminated object" : "expected a member name");
		if (lex_string(c, &koff, &klen) < 0)
			return -1;
		skip_ws(c);
		if (peek(c) != ':')
			return fail(c, "expected ':'");
		c->pos++;
		if (parse_value(c, &child) < 0)
			return -1;
		c->j->v[child].key_off = koff;
		c->j->v[child].key_len = klen;
		link_child(c->j, self, &last, child);
		skip_ws(c);
		if (peek(c) == ',') {
			c->pos++;
			continue;
		}
		if (peek(c) == '}') {
			c->pos++;
			return 0;
		}
		return fail(c, peek(c) < 0 ? "unterminated object" : "expected ',' or '}'");
	}
}

static int parse_container(struct cursor *c, enum ejson_type type, uint32_t *out)
{
	int rc;

	if (c->depth >= EJSON_MAX_DEPTH)
		return fail(c, "nesting deeper than %d", EJSON_MAX_DEPTH);
	if (new_value(c, type, out) < 0)
		return -1;
	c->depth++;
	rc = type == EJSON_ARRAY ? parse_array(c, *out) : parse_object(c, *out);
	c->depth--;
	return rc;
}

static int parse_value(struct cursor *c, uint32_t *out)
{
	uint32_t off = 0, len = 0;
	double num = 0;

	skip_ws(c);
	switch (peek(c)) {
	case '{':
		return parse_container(c, EJSON_OBJECT, out);
	case '[':
		return parse_container(c, EJSON_ARRAY, out);
	case '"':
		if (lex_string(c, &off, &len) < 0 || new_value(c, EJSON_STRING, out) < 0)
			return -1;
		c->j->v[*out].str_off = off;
		c->j->v[*out].str_len = len;
		return 0;
	case 't':
		return lex_literal(c, "true", 4) < 0 ? -1 : new_value(c, EJSON_TRUE, out);
	case 'f':
		return lex_literal(c, "false", 5) < 0 ? -1 : new_value(c, EJSON_FALSE, out);
	case 'n':
		return lex_literal(c, "null", 4) < 0 ? -1 : new_value(c, EJSON_NULL, out);
	case -1:
		return fail(c, "expected a value, found the end");
	default:
		if (peek(c) == '-' || is_digit(peek(c))) {
			if (lex_number(c, &num) < 0 || new_value(c, EJSON_NUMBER, out) < 0)
				return -1;
			c->j->v[*out].num = num;
			return 0;
		}
		return fail(c, "unexpected byte 0x%02x", (unsigned)peek(c));
	}
}

int ejson_parse(struct ejson *j, const char *text, size_t len)
{
	struct cursor c = { .j = j, .p = (const unsigned char *)text, .len = len };
	uint32_t root;

	j->nv = 0;
	j->str_len = 0;
	j->err[0] = '\0';
	if (len >= UINT32_MAX)
		return fail(&c, "text longer than 4 GiB");
	if (j->str_cap < len + 1) {
		char *s = realloc(j->str, len + 1);

		if (s == NULL)
			return fail(&c, "out of memory");
		j->str = s;
		j->str_cap = len + 1;
	}
	if (parse_value(&c, &root) < 0)
		goto fail;
	skip_ws(&c);
	if (c.pos != c.len) {
		fail(&c, "text after the value");
		goto fail;
	}
	return 0;
fail:
	j->nv = 0; /* no tree after a failed parse */
	return -1;
}

/* ------------------------------------------------------------ queries */

const struct ejson_value *ejson_root(const struct ejson *j)
{
	return j->nv > 0 ? &j->v[0] : NULL;
}

const struct ejson_value *ejson_first(const struct ejson *j, const struct ejson_value *v)
{
	if (v == NULL || (v->type != EJSON_ARRAY && v->type != EJSON_OBJECT) || v->child == 0)
		return NULL;
	return &j->v[v->child];
}

const struct ejson_value *ejson_next(const struct ejson *j, const struct ejson_value *v)
{
	return v != NULL && v->next != 0 ? &j->v[v->next] : NULL;
}

const struct ejson_value *ejson_get(const struct ejson *j, const struct ejson_value *obj,
				    const char *key)
{
	const struct ejson_value *found = NULL;
	size_t n = strlen(key);

	if (obj == NULL || obj->type != EJSON_OBJECT)
		return NULL;
	for (const struct ejson_value *m = ejson_first(j, obj); m != NULL; m = ejson_next(j, m))
		if (m->key_len == n && memcmp(j->str + m->key_off, key, n) == 0)
			found = m;
	return found;
}

const char *ejson_string(const struct ejson *j, const struct ejson_value *v, size_t *len)
{
	if (v == NULL || v->type != EJSON_STRING)
		return NULL;
	if (len != NULL)
		*len = v->str_len;
	return j->str + v->str_off;
}

const char *ejson_key(const struct ejson *j, const struct ejson_value *member, size_t *len)
{
	if (member == NULL)
		return NULL;
	if (len != NULL)
		*len = member->key_len;
	return j->str + member->key_off;
}

bool ejson_string_is(const struct ejson *j, const struct ejson_value *v, const char *s)
{
	size_t n;
	const char *t = ejson_string(j, v, &n);

	return t != NULL && n == strlen(s) && memcmp(t, s, n) == 0;
}
