/*
 * util-cidr.c - address blocks and lists of them (see util-cidr.h).
 *
 * Both families live in one 16-byte space (IPv4 as ::ffff:a.b.c.d, as
 * packet.h stores addresses), so membership is one masked comparison
 * whatever the family, and an IPv4 /n is simply a /96+n.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util-cidr.h"

#define CIDR_V4_BASE 96u /* bits before an IPv4 address in the mapped space */

static void set_err(char *err, size_t errlen, const char *msg)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s", msg);
}

/*
 * The prefix length after the '/': one to three decimal digits and
 * nothing else, so "/+8", "/ 8", "/08x" and "/" are refused rather than
 * read as something the writer may not have meant.  -1 when not a number.
 */
static int parse_prefix(const char *p, unsigned *out)
{
	unsigned v = 0;
	size_t i;

	for (i = 0; p[i] != '\0'; i++) {
		if (i == 3 || p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10u + (unsigned)(p[i] - '0');
	}
	if (i == 0)
		return -1;
	*out = v;
	return 0;
}

/* Clears every bit of a past the first prefix bits. */
static void clear_host_bits(uint8_t a[16], unsigned prefix)
{
	for (unsigned i = 0; i < 16; i++) {
		unsigned first_bit = i * 8u;

		if (first_bit >= prefix)
			a[i] = 0;
		else if (prefix - first_bit < 8u)
			a[i] &= (uint8_t)(0xffu << (8u - (prefix - first_bit)));
	}
}

int ew_cidr_parse(const char *text, struct ew_cidr *out, char *err, size_t errlen)
{
	char buf[EW_CIDR_STRLEN];
	char msg[128];
	const char *slash;
	size_t len;
	uint8_t v6[16], v4[4];
	unsigned prefix, max;
	bool is_v6;

	if (text == NULL || text[0] == '\0') {
		set_err(err, errlen, "empty address block");
		return -1;
	}
	len = strnlen(text, sizeof buf);
	if (len >= sizeof buf) {
		snprintf(msg, sizeof msg, "address block is too long (at most %zu characters)",
			 sizeof buf - 1);
		set_err(err, errlen, msg);
		return -1;
	}
	memcpy(buf, text, len + 1);
	slash = strchr(buf, '/');
	if (slash != NULL)
		buf[slash - buf] = '\0';
	is_v6 = strchr(buf, ':') != NULL;
	max = is_v6 ? 128u : 32u;
	if (is_v6 ? inet_pton(AF_INET6, buf, v6) != 1 : inet_pton(AF_INET, buf, v4) != 1) {
		/* The text is bounded above, so quoting it cannot overflow msg's purpose. */
		snprintf(msg, sizeof msg, "'%.*s' is not an IPv4 or IPv6 address", 60, buf);
		set_err(err, errlen, msg);
		return -1;
	}
	prefix = max;
	if (slash != NULL) {
		const char *p = text + (slash - buf) + 1;

		if (parse_prefix(p, &prefix) < 0) {
			snprintf(msg, sizeof msg, "prefix '%.*s' is not a number", 10, p);
			set_err(err, errlen, msg);
			return -1;
		}
		if (prefix > max) {
			snprintf(msg, sizeof msg, "prefix %u is out of range for %s (0..%u)", prefix,
				 is_v6 ? "IPv6" : "IPv4", max);
			set_err(err, errlen, msg);
			return -1;
		}
	}
	memset(out, 0, sizeof *out);
	if (is_v6) {
		ew_addr_set_v6(&out->addr, v6);
	} else {
		ew_addr_set_v4(&out->addr, v4);
		prefix += CIDR_V4_BASE;
	}
	clear_host_bits(out->addr.bytes, prefix);
	out->prefix = (uint8_t)prefix;
	return 0;
}

int ew_cidr_list_add(struct ew_cidr_list *l, const struct ew_cidr *c)
{
	if (l->n == l->cap) {
		size_t cap = l->cap == 0 ? 8 : l->cap * 2;
		struct ew_cidr *v;

		if (cap > SIZE_MAX / sizeof *v)
			return -1;
		v = realloc(l->v, cap * sizeof *v);
		if (v == NULL)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *c;
	return 0;
}

bool ew_cidr_contains(const struct ew_cidr *c, const struct ew_addr *a)
{
	unsigned whole = c->prefix / 8u, rest = c->prefix % 8u;

	if (a->family == EW_AF_NONE || c->prefix > 128u)
		return false;
	if (memcmp(c->addr.bytes, a->bytes, whole) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((c->addr.bytes[whole] ^ a->bytes[whole]) & (uint8_t)(0xffu << (8u - rest))) == 0;
}

bool ew_cidr_list_contains(const struct ew_cidr_list *l, const struct ew_addr *a)
{
	for (size_t i = 0; i < l->n; i++)
		if (ew_cidr_contains(&l->v[i], a))
			return true;
	return false;
}

bool ew_addr_is_link_local(const struct ew_addr *a)
{
	if (a->family == EW_AF_INET)
		return a->bytes[12] == 169 && a->bytes[13] == 254;
	return a->family == EW_AF_INET6 && a->bytes[0] == 0xfe && (a->bytes[1] & 0xc0) == 0x80;
}

bool ew_cidr_list_equal(const struct ew_cidr_list *a, const struct ew_cidr_list *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (a->v[i].prefix != b->v[i].prefix ||
		    memcmp(a->v[i].addr.bytes, b->v[i].addr.bytes, 16) != 0 ||
		    a->v[i].addr.family != b->v[i].addr.family)
			return false;
	return true;
}

int ew_cidr_list_copy(struct ew_cidr_list *dst, const struct ew_cidr_list *src)
{
	dst->v = NULL;
	dst->n = dst->cap = 0;
	if (src->n == 0)
		return 0;
	dst->v = malloc(src->n * sizeof *dst->v);
	if (dst->v == NULL)
		return -1;
	memcpy(dst->v, src->v, src->n * sizeof *dst->v);
	dst->n = dst->cap = src->n;
	return 0;
}

void ew_cidr_list_free(struct ew_cidr_list *l)
{
	if (l == NULL)
		return;
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

void ew_cidr_format(const struct ew_cidr *c, char *buf, size_t len)
{
	char a[EW_ADDR_STRLEN];
	unsigned prefix = c->prefix;

	if (len == 0)
		return;
	ew_addr_format(&c->addr, a, sizeof a);
	if (c->addr.family == EW_AF_INET)
		prefix = prefix >= CIDR_V4_BASE ? prefix - CIDR_V4_BASE : 0;
	snprintf(buf, len, "%s/%u", a, prefix);
}
