/*
 * gen-bytes.h - writing bytes for ew-pcapgen: big-endian stores, a bounded
 * writer for application messages, and the stop for generator bugs.
 *
 * This is test tooling that reads no untrusted input.  A request that
 * cannot be met (a message larger than its buffer, a DNS label over 63
 * bytes, a frame over the MTU) is a bug in the generator itself: gen_bug()
 * says what and aborts, so no broken capture is ever written.
 */
#ifndef EW_GEN_BYTES_H
#define EW_GEN_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Prints "internal error: what" and aborts. */
void gen_bug(const char *what) __attribute__((noreturn));

static inline void gen_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void gen_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* A bounded writer; writes past cap are dropped and set overflow. */
struct gen_buf {
	uint8_t *p;
	size_t len, cap;
	bool overflow;
};

void gen_buf_init(struct gen_buf *b, uint8_t *mem, size_t cap);
void gen_put8(struct gen_buf *b, uint8_t v);
void gen_put16(struct gen_buf *b, uint16_t v);
void gen_put24(struct gen_buf *b, uint32_t v);
void gen_put32(struct gen_buf *b, uint32_t v);
void gen_putn(struct gen_buf *b, const void *data, size_t len);
void gen_putstr(struct gen_buf *b, const char *s);
void gen_putf(struct gen_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Overwrites a big-endian length written earlier at off. */
void gen_patch16(struct gen_buf *b, size_t off, uint16_t v);
void gen_patch24(struct gen_buf *b, size_t off, uint32_t v);
/* Aborts if the message did not fit: a generator bug. */
size_t gen_buf_done(const struct gen_buf *b);

#endif /* EW_GEN_BYTES_H */
