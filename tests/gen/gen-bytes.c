/*
 * gen-bytes.c - the bounded message writer and the stop for generator bugs.
 *
 * A write that does not fit is dropped and remembered rather than checked
 * at every call; gen_buf_done() then turns the overflow into gen_bug(), so
 * message builders read as straight lists of fields.
 */
#include "gen-bytes.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void gen_bug(const char *what)
{
	fprintf(stderr, "ew-pcapgen: internal error: %s\n", what);
	abort();
}

void gen_buf_init(struct gen_buf *b, uint8_t *mem, size_t cap)
{
	b->p = mem;
	b->len = 0;
	b->cap = cap;
	b->overflow = false;
}

void gen_putn(struct gen_buf *b, const void *data, size_t len)
{
	if (len > b->cap - b->len) {
		b->overflow = true;
		return;
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
}

void gen_put8(struct gen_buf *b, uint8_t v)
{
	gen_putn(b, &v, 1);
}

void gen_put16(struct gen_buf *b, uint16_t v)
{
	uint8_t t[2];

	gen_be16(t, v);
	gen_putn(b, t, 2);
}

void gen_put24(struct gen_buf *b, uint32_t v)
{
	uint8_t t[4];

	gen_be32(t, v);
	gen_putn(b, t + 1, 3);
}

void gen_put32(struct gen_buf *b, uint32_t v)
{
	uint8_t t[4];

	gen_be32(t, v);
	gen_putn(b, t, 4);
}

void gen_putstr(struct gen_buf *b, const char *str)
{
	gen_putn(b, str, strlen(str));
}

void gen_putf(struct gen_buf *b, const char *fmt, ...)
{
	size_t room = b->cap - b->len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf((char *)b->p + b->len, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room)
		b->overflow = true;
	else
		b->len += (size_t)n;
}

void gen_patch16(struct gen_buf *b, size_t off, uint16_t v)
{
	if (off + 2 <= b->len)
		gen_be16(b->p + off, v);
}

void gen_patch24(struct gen_buf *b, size_t off, uint32_t v)
{
	uint8_t t[4];

	gen_be32(t, v);
	if (off + 3 <= b->len)
		memcpy(b->p + off, t + 1, 3);
}

size_t gen_buf_done(const struct gen_buf *b)
{
	if (b->overflow)
		gen_bug("message buffer too small");
	return b->len;
}
