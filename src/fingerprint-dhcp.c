/*
 * fingerprint-dhcp.c - DHCPv4 messages to device fingerprinting signals.
 *
 * We parse DHCP ourselves rather than take nDPI's view of it because
 * nDPI 4.2 cuts the parameter request list at 47 characters, and the
 * whole list is the best fingerprint a DHCP client gives away.
 *
 * The parse is one pass over the fixed header and then over each option
 * field in RFC 3396 order (options, file, sname).  Values of options that
 * may be repeated are gathered into struct parse_state as they go past
 * and judged only at the end, because a piece of an option means nothing
 * until all its pieces are in.  Every read is through struct ew_cursor;
 * each option's value gets a cursor of its own, exactly as long as the
 * option's length byte says, once that length is known to be there.
 *
 * Deliberately not done: the sname and file fields as names (only as
 * option space when overloaded), options we do not fingerprint on (their
 * codes still go into options_order), giaddr, xid, secs and flags.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fingerprint-dhcp.h"
#include "util-bytes.h"

/* RFC 2131 2: op .. giaddr 28 bytes, chaddr 16, sname 64, file 128. */
#define DHCP_CHADDR_LEN 16
#define DHCP_SNAME_LEN 64
#define DHCP_FILE_LEN 128
#define DHCP_COOKIE 0x63825363u /* 99.130.83.99 */

#define HTYPE_ETHERNET 1
#define ETHER_ADDR_LEN 6

#define OPT_PAD 0
#define OPT_HOSTNAME 12
#define OPT_REQUESTED_IP 50
#define OPT_OVERLOAD 52
#define OPT_MSG_TYPE 53
#define OPT_SERVER_ID 54
#define OPT_PRL 55
#define OPT_MAX_MSG_SIZE 57
#define OPT_VENDOR_CLASS 60
#define OPT_FQDN 81
#define OPT_MUD_URL 161
#define OPT_END 255

/* Option 52's value: which of the two fields carry options. */
#define OVERLOAD_FILE 1
#define OVERLOAD_SNAME 2

/* Option 81: flags, RCODE1, RCODE2 come before the name (RFC 4702 2). */
#define FQDN_HDR_LEN 3
#define DNS_NAME_WIRE_MAX 255 /* RFC 1035 3.1: octets of a wire-format name */
#define DNS_LABEL_MAX 63      /* larger length bytes are pointers or reserved types */

/* Where an option was found; option 52 counts only in the options field. */
enum opt_field { FIELD_OPTIONS, FIELD_FILE, FIELD_SNAME };

/* The fixed header as read, before we know the message is DHCP. */
struct fixed_hdr {
	uint8_t op, htype, hlen;
	uint8_t ciaddr[4], yiaddr[4], siaddr[4];
	uint8_t chaddr[DHCP_CHADDR_LEN];
	struct ew_cursor sname, file; /* each exactly its field */
	uint32_t cookie;
};

/*
 * The pieces of an option of fixed size, concatenated.  `len` counts
 * every byte seen, so that pieces adding up to more than the size are
 * caught, while only the first sizeof(v) are stored.
 */
struct fixed_opt {
	bool seen;
	size_t len;
	uint8_t v[4];
};

/* Option 81 concatenated: its header and a wire name at most 255 octets long. */
#define FQDN_RAW_MAX (FQDN_HDR_LEN + DNS_NAME_WIRE_MAX)

struct parse_state {
	struct dhcp_info *out;
	enum dhcp_result result;
	struct fixed_opt msg_type, requested_ip, server_id, max_msg_size, overload;
	bool fqdn_seen;
	size_t fqdn_raw_len; /* bytes stored; FQDN_RAW_MAX + 1 once more came */
	uint8_t fqdn_raw[FQDN_RAW_MAX];
	uint8_t order[DHCP_ORDER_MAX];
	size_t order_len;
};

/* DHCP_BAD_OPTION wins: it says that part of the message was not read at all. */
static void note_result(struct parse_state *st, enum dhcp_result r)
{
	if (st->result == DHCP_OK || r == DHCP_BAD_OPTION)
		st->result = r;
}

/*
 * Gives *sub the next n bytes of c as a cursor of its own and moves c
 * past them; false, with c marked bad, when fewer than n are left.
 */
static bool take_sub(struct ew_cursor *c, size_t n, struct ew_cursor *sub)
{
	if (!ew_need(c, n)) {
		ew_cursor_init(sub, c->end, 0);
		sub->bad = true;
		return false;
	}
	ew_cursor_init(sub, c->p, n);
	return ew_skip(c, n);
}

static bool read_fixed(struct ew_cursor *c, struct fixed_hdr *h)
{
	h->op = ew_u8(c);
	h->htype = ew_u8(c);
	h->hlen = ew_u8(c);
	ew_skip(c, 1 + 4 + 2 + 2); /* hops, xid, secs, flags */
	ew_copy(c, h->ciaddr, 4);
	ew_copy(c, h->yiaddr, 4);
	ew_copy(c, h->siaddr, 4);
	ew_skip(c, 4); /* giaddr */
	ew_copy(c, h->chaddr, DHCP_CHADDR_LEN);
	take_sub(c, DHCP_SNAME_LEN, &h->sname);
	take_sub(c, DHCP_FILE_LEN, &h->file);
	h->cookie = ew_be32(c);
	return !c->bad;
}

static void keep_fixed(const struct fixed_hdr *h, struct dhcp_info *out)
{
	out->op = h->op;
	memcpy(out->ciaddr, h->ciaddr, 4);
	memcpy(out->yiaddr, h->yiaddr, 4);
	memcpy(out->siaddr, h->siaddr, 4);
	/* Only an Ethernet-style chaddr is a MAC we can key a device on. */
	if (h->htype == HTYPE_ETHERNET && h->hlen == ETHER_ADDR_LEN) {
		memcpy(out->chaddr, h->chaddr, ETHER_ADDR_LEN);
		out->has_chaddr = true;
	}
}

/*
 * Appends the rest of val to dst[0..cap), where *len bytes are already
 * used; bytes that do not fit are dropped and reported through *cut.
 */
static void append_bytes(struct ew_cursor *val, uint8_t *dst, size_t cap, size_t *len,
			 bool *cut)
{
	while (ew_cursor_left(val) > 0) {
		uint8_t b = ew_u8(val);

		if (*len >= cap) {
			*cut = true;
			return;
		}
		dst[(*len)++] = b;
	}
}

static void fixed_append(struct fixed_opt *f, struct ew_cursor *val)
{
	f->seen = true;
	while (ew_cursor_left(val) > 0) {
		uint8_t b = ew_u8(val);

		if (f->len < sizeof(f->v))
			f->v[f->len] = b;
		f->len++;
	}
}

/* True when the pieces of a fixed-size option add up to exactly size bytes. */
static bool fixed_ok(struct parse_state *st, const struct fixed_opt *f, size_t size)
{
	if (!f->seen)
		return false;
	if (f->len != size) {
		note_result(st, DHCP_BAD_VALUE);
		return false;
	}
	return true;
}

static void fqdn_append(struct parse_state *st, struct ew_cursor *val)
{
	bool over = false;

	st->fqdn_seen = true;
	/* The excess is judged in finish_fqdn(): an error for a wire name, a cut for text. */
	append_bytes(val, st->fqdn_raw, FQDN_RAW_MAX, &st->fqdn_raw_len, &over);
	if (over)
		st->fqdn_raw_len = FQDN_RAW_MAX + 1;
}

static void note_order(struct parse_state *st, uint8_t code)
{
	if (st->order_len >= DHCP_ORDER_MAX) {
		st->out->truncated_field = true;
		return;
	}
	st->order[st->order_len++] = code;
}

static void handle_option(struct parse_state *st, uint8_t code, struct ew_cursor *val,
			  enum opt_field field)
{
	struct dhcp_info *out = st->out;

	note_order(st, code);
	switch (code) {
	case OPT_HOSTNAME:
		append_bytes(val, (uint8_t *)out->hostname, DHCP_NAME_MAX, &out->hostname_len,
			     &out->truncated_field);
		break;
	case OPT_VENDOR_CLASS:
		append_bytes(val, (uint8_t *)out->vendor_class, DHCP_VENDOR_MAX,
			     &out->vendor_class_len, &out->truncated_field);
		break;
	case OPT_PRL:
		append_bytes(val, out->prl, DHCP_PRL_MAX, &out->prl_len, &out->truncated_field);
		break;
	case OPT_FQDN:
		fqdn_append(st, val);
		break;
	case OPT_MUD_URL:
		append_bytes(val, (uint8_t *)out->mud_url, DHCP_MUD_URL_MAX, &out->mud_url_len,
			     &out->truncated_field);
		break;
	case OPT_MSG_TYPE:
		fixed_append(&st->msg_type, val);
		break;
	case OPT_REQUESTED_IP:
		fixed_append(&st->requested_ip, val);
		break;
	case OPT_SERVER_ID:
		fixed_append(&st->server_id, val);
		break;
	case OPT_MAX_MSG_SIZE:
		fixed_append(&st->max_msg_size, val);
		break;
	case OPT_OVERLOAD:
		/*
		 * RFC 2131 4.1: option 52 belongs in the options field.  One
		 * in file or sname comes too late to change what is read, so
		 * it is malformed, not a second opinion.
		 */
		if (field == FIELD_OPTIONS)
			fixed_append(&st->overload, val);
		else
			note_result(st, DHCP_BAD_VALUE);
		break;
	default:
		break;
	}
}

/*
 * Walks the options in one field until its end option or its last byte.
 * Returns false at an option whose length byte or value is cut off by
 * the end of the field: nothing after it can be framed.
 */
static bool walk_field(struct parse_state *st, struct ew_cursor *c, enum opt_field field)
{
	while (ew_cursor_left(c) > 0) {
		struct ew_cursor val;
		uint8_t code = ew_u8(c);
		uint8_t len;

		if (code == OPT_PAD)
			continue;
		if (code == OPT_END)
			return true;
		len = ew_u8(c);
		if (c->bad || !take_sub(c, len, &val))
			return false;
		handle_option(st, code, &val, field);
	}
	return true;
}

/*
 * The FQDN text being written.  Each piece is written whole or not at
 * all, and once one does not fit nothing more is: a cut name is a prefix
 * of the whole text and never ends in half an escape.
 */
struct fqdn_text {
	struct dhcp_info *out;
	bool cut;
};

static void fqdn_put(struct fqdn_text *t, const char *s, size_t n)
{
	struct dhcp_info *out = t->out;

	if (t->cut || DHCP_FQDN_MAX - out->fqdn_len < n) {
		t->cut = true;
		return;
	}
	memcpy(out->fqdn + out->fqdn_len, s, n);
	out->fqdn_len += n;
}

/*
 * Writes one label.  '.', '\' and NUL inside it are escaped ("\.", "\\",
 * "\000": RFC 1035 5.1) so that one label cannot pose as two and the
 * text stays a C string; the separator before a label goes out with the
 * label's first byte, so a cut never leaves a bare '.' at the end.
 */
static void fqdn_put_label(struct fqdn_text *t, struct ew_cursor *label, bool after_label)
{
	bool first = true;

	while (ew_cursor_left(label) > 0) {
		uint8_t b = ew_u8(label);
		char chunk[5];
		size_t n = 0;

		if (first && after_label)
			chunk[n++] = '.';
		if (b == '\0') {
			memcpy(chunk + n, "\\000", 4);
			n += 4;
		} else {
			if (b == '.' || b == '\\')
				chunk[n++] = '\\';
			chunk[n++] = (char)b;
		}
		fqdn_put(t, chunk, n);
		first = false;
	}
}

/*
 * Turns a DNS wire-format name into dotted text.  RFC 4702 2.3.1 allows
 * a partial name, without the root label; after the root label nothing
 * may follow.  The root name alone is written ".", as DNS tools write
 * it.  Compression pointers (RFC 4702 2.3.1 forbids them here) and the
 * reserved label types are refused, as is a label cut short.
 */
static bool fqdn_from_wire(struct ew_cursor *c, struct fqdn_text *t)
{
	bool first = true;

	while (ew_cursor_left(c) > 0) {
		struct ew_cursor label;
		uint8_t label_len = ew_u8(c);

		if (label_len == 0) {
			if (first)
				fqdn_put(t, ".", 1);
			return ew_cursor_left(c) == 0;
		}
		if (label_len > DNS_LABEL_MAX || !take_sub(c, label_len, &label))
			return false;
		fqdn_put_label(t, &label, !first);
		first = false;
	}
	return true;
}

static void finish_fqdn(struct parse_state *st)
{
	struct dhcp_info *out = st->out;
	struct fqdn_text text = { out, false };
	struct ew_cursor c;
	uint8_t flags;

	if (!st->fqdn_seen)
		return;
	ew_cursor_init(&c, st->fqdn_raw, st->fqdn_raw_len > FQDN_RAW_MAX ? FQDN_RAW_MAX
									 : st->fqdn_raw_len);
	flags = ew_u8(&c);
	ew_skip(&c, 2); /* RCODE1, RCODE2: deprecated, ignored */
	if (c.bad)
		goto bad;
	if (flags & DHCP_FQDN_FLAG_E) {
		/* More than FQDN_RAW_MAX bytes is a wire name over 255 octets. */
		if (st->fqdn_raw_len > FQDN_RAW_MAX || !fqdn_from_wire(&c, &text))
			goto bad;
	} else {
		append_bytes(&c, (uint8_t *)out->fqdn, DHCP_FQDN_MAX, &out->fqdn_len, &text.cut);
		if (st->fqdn_raw_len > FQDN_RAW_MAX)
			text.cut = true;
	}
	out->has_fqdn = true;
	out->fqdn_flags = flags;
	out->fqdn[out->fqdn_len] = '\0';
	if (text.cut)
		out->truncated_field = true;
	return;
bad:
	/* Nothing of a refused name is kept. */
	note_result(st, DHCP_BAD_VALUE);
	memset(out->fqdn, 0, sizeof(out->fqdn));
	out->fqdn_len = 0;
}

/* Writes codes as "1,3,6,15"; dst has room for DHCP_CODE_TEXT_SIZE(n) bytes. */
static void codes_to_text(const uint8_t *codes, size_t n, char *dst)
{
	size_t at = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned v = codes[i];

		if (i > 0)
			dst[at++] = ',';
		if (v >= 100)
			dst[at++] = (char)('0' + v / 100);
		if (v >= 10)
			dst[at++] = (char)('0' + v / 10 % 10);
		dst[at++] = (char)('0' + v % 10);
	}
	dst[at] = '\0';
}

/* Judges what was gathered from all the fields, after the walk. */
static void finish(struct parse_state *st)
{
	struct dhcp_info *out = st->out;

	/* Type 0 is not a message type, and would read as "absent". */
	if (fixed_ok(st, &st->msg_type, 1)) {
		if (st->msg_type.v[0] != 0)
			out->msg_type = st->msg_type.v[0];
		else
			note_result(st, DHCP_BAD_VALUE);
	}
	if (fixed_ok(st, &st->requested_ip, 4)) {
		memcpy(out->requested_ip, st->requested_ip.v, 4);
		out->has_requested_ip = true;
	}
	if (fixed_ok(st, &st->server_id, 4)) {
		memcpy(out->server_id, st->server_id.v, 4);
		out->has_server_id = true;
	}
	if (fixed_ok(st, &st->max_msg_size, 2)) {
		out->max_msg_size = (uint16_t)(st->max_msg_size.v[0] << 8 | st->max_msg_size.v[1]);
		out->has_max_msg_size = true;
	}
	finish_fqdn(st);
	out->hostname[out->hostname_len] = '\0';
	out->vendor_class[out->vendor_class_len] = '\0';
	codes_to_text(out->prl, out->prl_len, out->prl_text);
	codes_to_text(st->order, st->order_len, out->options_order);
}

/*
 * Walks the options field, then the file and sname fields if option 52
 * (judged once the options field is done) hands them over.  A field that
 * cannot be framed stops the walk: the fields after it are not read.
 */
static void walk_all(struct parse_state *st, struct fixed_hdr *h, struct ew_cursor *options)
{
	uint8_t overload;

	if (!walk_field(st, options, FIELD_OPTIONS))
		goto broken;
	if (!fixed_ok(st, &st->overload, 1))
		return;
	overload = st->overload.v[0];
	if (overload < OVERLOAD_FILE || overload > (OVERLOAD_FILE | OVERLOAD_SNAME)) {
		note_result(st, DHCP_BAD_VALUE);
		return;
	}
	if ((overload & OVERLOAD_FILE) && !walk_field(st, &h->file, FIELD_FILE))
		goto broken;
	if ((overload & OVERLOAD_SNAME) && !walk_field(st, &h->sname, FIELD_SNAME))
		goto broken;
	return;
broken:
	note_result(st, DHCP_BAD_OPTION);
}

enum dhcp_result dhcp_parse(const uint8_t *payload, size_t len, struct dhcp_info *out)
{
	struct parse_state st;
	struct fixed_hdr h;
	struct ew_cursor c;

	memset(out, 0, sizeof(*out));
	/* A NULL payload would make the cursor's end pointer arithmetic on NULL. */
	if (payload == NULL)
		return DHCP_TRUNCATED;
	ew_cursor_init(&c, payload, len);
	if (!read_fixed(&c, &h))
		return DHCP_TRUNCATED;
	if (h.cookie != DHCP_COOKIE || (h.op != 1 && h.op != 2))
		return DHCP_NOT_DHCP;

	memset(&st, 0, sizeof(st));
	st.out = out;
	st.result = DHCP_OK;
	keep_fixed(&h, out);
	walk_all(&st, &h, &c);
	finish(&st);
	return st.result;
}

const char *dhcp_result_name(enum dhcp_result r)
{
	static const char *const names[DHCP_RESULT_MAX] = {
		[DHCP_OK] = "dhcp.ok",
		[DHCP_NOT_DHCP] = "dhcp.not_dhcp",
		[DHCP_TRUNCATED] = "dhcp.truncated",
		[DHCP_BAD_OPTION] = "dhcp.bad_option",
		[DHCP_BAD_VALUE] = "dhcp.bad_value",
	};

	/* An enum parameter is not a promise: the value may come from anywhere. */
	if ((unsigned)r >= DHCP_RESULT_MAX || names[r] == NULL)
		return "dhcp.unknown";
	return names[r];
}
