/*
 * util-dnsname.c - decode DNS wire-format names, with compression.
 *
 * One walker serves both entry points: dns_name_decode() follows pointers
 * and writes text, dns_name_skip() stops at the first pointer and writes
 * nothing.  The rules that keep hostile names harmless (see the header)
 * live in walk_name() and nowhere else.
 */
#include "util-dnsname.h"

#include <string.h>

#include "util-bytes.h"

#define DNS_PTR_MASK 0xc0  /* top two bits of a length byte: 11 is a pointer */
#define DNS_PTR_HI_MASK 0x3f

/* Escaped text being built in the caller's buffer; always NUL-terminated. */
struct name_text {
	char *buf; /* NULL when only skipping */
	size_t size;
	size_t len;
};

static bool text_put(struct name_text *t, const char *s, size_t n)
{
	if (t->buf == NULL)
		return true;
	/* Keep one byte for the NUL, and never write half an escape. */
	if (n >= t->size - t->len)
		return false;
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = '\0';
	return true;
}

size_t dns_escape_byte(uint8_t b, bool in_label, char out[DNS_ESCAPED_BYTE_MAX])
{
	if (b == '\0') {
		memcpy(out, "\\000", 4);
		return 4;
	}
	if (b == '\\' || (in_label && b == '.')) {
		out[0] = '\\';
		out[1] = (char)b;
		return 2;
	}
	out[0] = (char)b;
	return 1;
}

/* Copies one label of n bytes from the cursor, escaped, after a dot if needed. */
static enum dns_name_result read_label(struct ew_cursor *c, uint8_t n, struct name_text *t)
{
	char esc[DNS_ESCAPED_BYTE_MAX];

	if (!ew_need(c, n))
		return DNS_NAME_ERR_TRUNCATED;
	if (t->buf == NULL) {
		ew_skip(c, n);
		return DNS_NAME_OK;
	}
	if (t->len > 0 && !text_put(t, ".", 1))
		return DNS_NAME_ERR_NO_ROOM;
	for (uint8_t i = 0; i < n; i++) {
		if (!text_put(t, esc, dns_escape_byte(ew_u8(c), true, esc)))
			return DNS_NAME_ERR_NO_ROOM;
	}
	return DNS_NAME_OK;
}

/*
 * Walks the name at msg[off].  With follow, pointers are taken (each must
 * point strictly before the start of the run of labels it ends, so the
 * targets strictly decrease and cannot loop); without, the walk stops at
 * the first pointer after checking it points backwards.  *end gets the
 * offset just past the name where it sits.
 */
static enum dns_name_result walk_name(const uint8_t *msg, size_t msg_len, size_t off,
				      bool follow, struct name_text *t, size_t *end)
{
	struct ew_cursor c;
	size_t run_start = off, wire = 0, end_off = 0;
	unsigned jumps = 0;
	enum dns_name_result r;

	ew_cursor_init(&c, msg + off, msg_len - off);
	for (;;) {
		size_t at = (size_t)(c.p - msg);
		uint8_t b = ew_u8(&c);

		if (c.bad)
			return DNS_NAME_ERR_TRUNCATED;
		if ((b & DNS_PTR_MASK) == DNS_PTR_MASK) {
			size_t target = ((size_t)(b & DNS_PTR_HI_MASK) << 8) | ew_u8(&c);

			if (c.bad)
				return DNS_NAME_ERR_TRUNCATED;
			if (jumps == 0)
				end_off = at + 2;
			if (target >= run_start)
				return DNS_NAME_ERR_POINTER;
			if (!follow)
				break;
			if (++jumps > DNS_NAME_MAX_JUMPS)
				return DNS_NAME_ERR_TOO_MANY_JUMPS;
			run_start = target;
			ew_cursor_init(&c, msg + target, msg_len - target);
			continue;
		}
		if (b > DNS_LABEL_MAX)
			return DNS_NAME_ERR_LABEL_TYPE;
		/* Every label costs its length byte; the root byte ends the name. */
		wire += 1 + (size_t)b;
		if (wire > DNS_NAME_WIRE_MAX)
			return DNS_NAME_ERR_TOO_LONG;
		if (b == 0) {
			if (jumps == 0)
				end_off = at + 1;
			if (t->buf != NULL && t->len == 0 && !text_put(t, ".", 1))
				return DNS_NAME_ERR_NO_ROOM;
			break;
		}
		/* Leave room for the root byte that must still follow. */
		if (wire + 1 > DNS_NAME_WIRE_MAX)
			return DNS_NAME_ERR_TOO_LONG;
		r = read_label(&c, b, t);
		if (r != DNS_NAME_OK)
			return r;
	}
	*end = end_off;
	return DNS_NAME_OK;
}

enum dns_name_result dns_name_decode(const uint8_t *msg, size_t msg_len, size_t off,
				     char *text, size_t text_size, size_t *end)
{
	struct name_text t = { text, text_size, 0 };
	enum dns_name_result r;

	if (text == NULL || text_size == 0 || end == NULL)
		return DNS_NAME_ERR_ARGS;
	text[0] = '\0';
	if (msg == NULL || off > msg_len)
		return DNS_NAME_ERR_ARGS;
	r = walk_name(msg, msg_len, off, true, &t, end);
	/* A partial name is not a name; only NO_ROOM keeps what fit. */
	if (r != DNS_NAME_OK && r != DNS_NAME_ERR_NO_ROOM)
		text[0] = '\0';
	return r;
}

enum dns_name_result dns_name_skip(const uint8_t *msg, size_t msg_len, size_t off, size_t *end)
{
	struct name_text t = { NULL, 0, 0 };

	if (msg == NULL || end == NULL || off > msg_len)
		return DNS_NAME_ERR_ARGS;
	return walk_name(msg, msg_len, off, false, &t, end);
}

const char *dns_name_result_name(enum dns_name_result r)
{
	static const char *const names[DNS_NAME_RESULT_MAX] = {
		[DNS_NAME_OK] = "dns_name.ok",
		[DNS_NAME_ERR_TRUNCATED] = "dns_name.truncated",
		[DNS_NAME_ERR_LABEL_TYPE] = "dns_name.label_type",
		[DNS_NAME_ERR_POINTER] = "dns_name.pointer",
		[DNS_NAME_ERR_TOO_MANY_JUMPS] = "dns_name.too_many_jumps",
		[DNS_NAME_ERR_TOO_LONG] = "dns_name.too_long",
		[DNS_NAME_ERR_NO_ROOM] = "dns_name.no_room",
		[DNS_NAME_ERR_ARGS] = "dns_name.args",
	};

	if ((unsigned)r >= DNS_NAME_RESULT_MAX)
		return "dns_name.unknown";
	return names[r];
}
