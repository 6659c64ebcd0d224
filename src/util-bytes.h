/*
 * util-bytes.h - a bounds-checked read cursor over untrusted bytes.
 *
 * Every read from packet memory goes through this cursor.  A read that
 * would run past the end fails and leaves the cursor marked bad, so a
 * parser can do a run of reads and check once; nothing is ever read
 * beyond `end`.  There are no struct casts on packet memory anywhere.
 */
#ifndef EW_UTIL_BYTES_H
#define EW_UTIL_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ew_cursor {
	const uint8_t *p;   /* next byte to read */
	const uint8_t *end; /* one past the last readable byte */
	bool bad;           /* a read failed; all later reads fail too */
};

static inline void ew_cursor_init(struct ew_cursor *c, const uint8_t *p, size_t len)
{
	c->p = p;
	c->end = p + len;
	c->bad = false;
}

static inline size_t ew_cursor_left(const struct ew_cursor *c)
{
	return c->bad ? 0 : (size_t)(c->end - c->p);
}

/* True when n more bytes can be read; marks the cursor bad otherwise. */
static inline bool ew_need(struct ew_cursor *c, size_t n)
{
	if (c->bad || (size_t)(c->end - c->p) < n) {
		c->bad = true;
		return false;
	}
	return true;
}

static inline uint8_t ew_u8(struct ew_cursor *c)
{
	if (!ew_need(c, 1))
		return 0;
	return *c->p++;
}

static inline uint16_t ew_be16(struct ew_cursor *c)
{
	if (!ew_need(c, 2))
		return 0;
	uint16_t v = (uint16_t)((c->p[0] << 8) | c->p[1]);
	c->p += 2;
	return v;
}

static inline uint16_t ew_le16(struct ew_cursor *c)
{
	if (!ew_need(c, 2))
		return 0;
	uint16_t v = (uint16_t)((c->p[1] << 8) | c->p[0]);
	c->p += 2;
	return v;
}

static inline uint32_t ew_be32(struct ew_cursor *c)
{
	if (!ew_need(c, 4))
		return 0;
	uint32_t v = ((uint32_t)c->p[0] << 24) | ((uint32_t)c->p[1] << 16) |
		     ((uint32_t)c->p[2] << 8) | (uint32_t)c->p[3];
	c->p += 4;
	return v;
}

static inline uint32_t ew_le32(struct ew_cursor *c)
{
	if (!ew_need(c, 4))
		return 0;
	uint32_t v = ((uint32_t)c->p[3] << 24) | ((uint32_t)c->p[2] << 16) |
		     ((uint32_t)c->p[1] << 8) | (uint32_t)c->p[0];
	c->p += 4;
	return v;
}

/* Copies n bytes out; on failure dst is zeroed. */
static inline bool ew_copy(struct ew_cursor *c, void *dst, size_t n)
{
	if (!ew_need(c, n)) {
		for (size_t i = 0; i < n; i++)
			((uint8_t *)dst)[i] = 0;
		return false;
	}
	for (size_t i = 0; i < n; i++)
		((uint8_t *)dst)[i] = c->p[i];
	c->p += n;
	return true;
}

static inline bool ew_skip(struct ew_cursor *c, size_t n)
{
	if (!ew_need(c, n))
		return false;
	c->p += n;
	return true;
}

/*
 * The n bytes as a decimal uint64_t into *out: 1 or more digits (leading
 * zeros allowed), nothing else, no overflow; false otherwise (*out untouched).
 */
static inline bool ew_dec_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		uint64_t d = (uint64_t)(unsigned char)s[i] - '0';

		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

/*
 * Whether each of the n bytes is printable ASCII other than the space
 * (0x21..0x7e): a name or URL that needs no quoting or escaping anywhere.
 */
static inline bool ew_graph_ascii(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

#endif /* EW_UTIL_BYTES_H */
