/*
 * fingerprint-dns.c - DNS, mDNS and LLMNR messages into a bounded summary.
 *
 * The parse is one pass over the message: the header, then each question
 * and record in order.  A record is read into locals first (names into
 * stack buffers of DNS_NAME_TEXT_MAX) and then committed: copied into the
 * info's arrays and text pool if both have room, counted as skipped if
 * not.  So a failed or dropped record never leaves half its text behind.
 *
 * What stops the parse (a named dns_result): a short header, the end of
 * the message inside a record or before the counted records, a bad owner
 * name, an rdlength past the end.  What does not: rdata that does not fit
 * its type (an A record of 5 bytes, a PTR whose name overruns its rdata)
 * - rdlength still says where the next record starts, so the record is
 * kept with rdata_bad set and the parse goes on.
 *
 * The mDNS summary at the end only reads the parsed info.
 */
#include "fingerprint-dns.h"

#include <stddef.h>
#include <string.h>

#include "util-bytes.h"

#define A_LEN 4
#define AAAA_LEN 16

/* Records hold pool offsets as uint16_t. */
_Static_assert(DNS_TEXT_POOL_BYTES <= UINT16_MAX, "pool offsets must fit in 16 bits");

/* ------------------------------------------------------------ text pool */

const char *dns_text(const struct dns_info *info, uint16_t off)
{
	if (info == NULL || off >= info->pool_used)
		return "";
	return info->pool + off;
}

/* Copies s (with its NUL) into the pool; false when it does not fit. */
static bool pool_add(struct dns_info *info, const char *s, uint16_t *off)
{
	size_t n = strlen(s) + 1;

	if (n == 1) { /* offset 0 always holds "" */
		*off = 0;
		return true;
	}
	if (n > sizeof(info->pool) - info->pool_used)
		return false;
	memcpy(info->pool + info->pool_used, s, n);
	*off = (uint16_t)info->pool_used;
	info->pool_used += n;
	return true;
}

/* ------------------------------------------------------ one record's data */

/*
 * A question or record as read, before it is committed: the record
 * itself with its text still in these buffers instead of the pool.
 */
struct rr_scratch {
	struct dns_record rec;
	char name[DNS_NAME_TEXT_MAX];
	char target[DNS_NAME_TEXT_MAX];
	char txt[DNS_TXT_TEXT_MAX];     /* strings one after another, each with its NUL */
	size_t txt_start[DNS_TXT_STRINGS_KEPT];
	size_t txt_used;
};

struct parser {
	const uint8_t *msg;
	size_t len;
	size_t off; /* start of the next question or record */
	struct dns_info *out;
};

/* A cursor over msg[from, to): the rdata of one record, or the rest of msg. */
static void cursor_at(const struct parser *p, struct ew_cursor *c, size_t from, size_t to)
{
	ew_cursor_init(c, p->msg + from, to - from);
}

/* Where a cursor over p->msg stands, as an offset. */
static size_t cursor_off(const struct parser *p, const struct ew_cursor *c)
{
	return (size_t)(c->p - p->msg);
}

/*
 * Reads the name in the rdata at msg[at] into s->target.  The message is
 * treated as ending at the rdata's end: a name's own labels must stay in
 * the rdata, and its pointers can only point further back anyway.  A
 * name that does not decode is not kept; one that ends before the rdata
 * does is kept, but the bytes left over make the rdata bad.
 */
static void read_target(const struct parser *p, size_t at, size_t rd_end,
			struct rr_scratch *s)
{
	size_t end;

	if (dns_name_decode(p->msg, rd_end, at, s->target, sizeof(s->target), &end) !=
	    DNS_NAME_OK) {
		s->target[0] = '\0';
		s->rec.rdata_bad = true;
		return;
	}
	if (end != rd_end)
		s->rec.rdata_bad = true;
}

/* Appends one character-string of n bytes, escaped; false when it is cut. */
static bool txt_keep(struct rr_scratch *s, struct ew_cursor *c, uint8_t n)
{
	char esc[DNS_ESCAPED_BYTE_MAX];
	size_t used = s->txt_used;

	if (s->rec.ntxt >= DNS_TXT_STRINGS_KEPT)
		return false;
	for (uint8_t i = 0; i < n; i++) {
		size_t e = dns_escape_byte(ew_u8(c), false, esc);

		if (e >= sizeof(s->txt) - used)
			return false; /* only whole strings are kept: "md=BSB0" would mislead */
		memcpy(s->txt + used, esc, e);
		used += e;
	}
	/* The loop leaves room for the NUL, but an empty string may come when full. */
	if (used >= sizeof(s->txt))
		return false;
	s->txt[used++] = '\0';
	s->txt_start[s->rec.ntxt++] = s->txt_used;
	s->txt_used = used;
	return true;
}

/*
 * Reads the character-strings of TXT or HINFO rdata (RFC 1035 3.3): each
 * a length byte and that many bytes, together filling the rdata exactly.
 * Each string is handed to txt_keep() through a cursor of its own, so a
 * string it gives up on cannot leave the walk inside it; strings past
 * the caps are still stepped over and checked.
 */
static void read_strings(const struct parser *p, size_t from, size_t to,
			      struct rr_scratch *s)
{
	struct ew_cursor c;

	cursor_at(p, &c, from, to);
	while (ew_cursor_left(&c) > 0) {
		uint8_t n = ew_u8(&c);
		struct ew_cursor str;

		if (!ew_need(&c, n)) {
			s->rec.rdata_bad = true;
			return;
		}
		ew_cursor_init(&str, c.p, n);
		ew_skip(&c, n);
		if (!s->rec.txt_cut && !txt_keep(s, &str, n))
			s->rec.txt_cut = true;
	}
}

/* Decodes rdata at msg[from, from + rdlength) by type, into s. */
static void read_rdata(const struct parser *p, size_t from, struct rr_scratch *s)
{
	size_t to = from + s->rec.rdlength;
	struct ew_cursor c;

	cursor_at(p, &c, from, to);
	switch (s->rec.type) {
	case DNS_TYPE_A:
	case DNS_TYPE_AAAA: {
		size_t want = s->rec.type == DNS_TYPE_A ? A_LEN : AAAA_LEN;

		if (s->rec.rdlength != want) {
			s->rec.rdata_bad = true;
			break;
		}
		ew_copy(&c, s->rec.addr, want);
		s->rec.addr_len = (uint8_t)want;
		break;
	}
	case DNS_TYPE_NS:
	case DNS_TYPE_CNAME:
	case DNS_TYPE_PTR:
		read_target(p, from, to, s);
		break;
	case DNS_TYPE_SRV:
		s->rec.srv_priority = ew_be16(&c);
		s->rec.srv_weight = ew_be16(&c);
		s->rec.srv_port = ew_be16(&c);
		if (c.bad) {
			s->rec.rdata_bad = true;
			break;
		}
		read_target(p, cursor_off(p, &c), to, s);
		break;
	case DNS_TYPE_TXT:
	case DNS_TYPE_HINFO:
		read_strings(p, from, to, s);
		if (s->rec.type == DNS_TYPE_HINFO && s->rec.ntxt != 2 && !s->rec.txt_cut)
			s->rec.rdata_bad = true;
		break;
	default:
		break; /* kept as type, class, ttl and rdlength */
	}
}

/* ------------------------------------------------- questions and records */

/* Records the failure of an owner name; a name the message cuts is truncation. */
static enum dns_result name_failed(struct parser *p, enum dns_name_result nr)
{
	p->out->name_err = nr;
	if (nr == DNS_NAME_ERR_TRUNCATED) {
		p->out->truncated = true;
		return DNS_ERR_TRUNCATED;
	}
	return DNS_ERR_NAME;
}

/*
 * Reads the question or record at p->off into s and moves p->off past it.
 * Unless keep, the owner name is only stepped over and rdata not decoded:
 * the record is counted, not kept, and costs only its bytes.
 */
static enum dns_result read_record(struct parser *p, enum dns_section sec, bool keep,
				   struct rr_scratch *s)
{
	struct ew_cursor c;
	enum dns_name_result nr;
	size_t name_end, rd;

	memset(&s->rec, 0, sizeof(s->rec));
	s->rec.section = (uint8_t)sec;
	s->name[0] = s->target[0] = '\0';
	s->txt_used = 0;
	if (p->off >= p->len) {
		p->out->truncated = true; /* the header counts more than there are */
		return DNS_ERR_TRUNCATED;
	}
	nr = keep ? dns_name_decode(p->msg, p->len, p->off, s->name, sizeof(s->name), &name_end)
		  : dns_name_skip(p->msg, p->len, p->off, &name_end);
	if (nr != DNS_NAME_OK)
		return name_failed(p, nr);

	cursor_at(p, &c, name_end, p->len);
	s->rec.type = ew_be16(&c);
	s->rec.class_ = ew_be16(&c);
	if (sec != DNS_SECTION_QUESTION) {
		s->rec.ttl = ew_be32(&c);
		s->rec.rdlength = ew_be16(&c);
	}
	if (c.bad) {
		p->out->truncated = true;
		return DNS_ERR_TRUNCATED;
	}
	rd = cursor_off(p, &c);
	if (s->rec.rdlength > p->len - rd) {
		p->out->truncated = true;
		return DNS_ERR_RDLENGTH;
	}
	if (keep && sec != DNS_SECTION_QUESTION)
		read_rdata(p, rd, s);
	p->off = rd + s->rec.rdlength;
	return DNS_OK;
}

/*
 * Moves a record from scratch into slot and its text into the pool, all
 * or nothing: when the pool cannot take all its text, what was copied is
 * given back and the record is not kept.
 */
static bool commit(struct dns_info *info, const struct rr_scratch *s, struct dns_record *slot)
{
	size_t mark = info->pool_used;
	struct dns_record rec = s->rec;

	if (!pool_add(info, s->name, &rec.name) || !pool_add(info, s->target, &rec.target))
		goto full;
	for (size_t i = 0; i < rec.ntxt; i++) {
		if (!pool_add(info, s->txt + s->txt_start[i], &rec.txt[i]))
			goto full;
	}
	*slot = rec;
	return true;
full:
	info->pool_used = mark;
	info->pool_full = true;
	return false;
}

static enum dns_result parse_section(struct parser *p, enum dns_section sec, uint16_t count,
				     struct rr_scratch *s)
{
	struct dns_info *info = p->out;
	bool question = sec == DNS_SECTION_QUESTION;
	struct dns_record *kept = question ? info->questions : info->answers;
	size_t *nkept = question ? &info->nquestions : &info->nanswers;

	for (uint32_t i = 0; i < count; i++) {
		/*
		 * Once the pool is full, later records are not even decoded:
		 * otherwise a long message of small records after a full pool
		 * would have every name followed through its pointers.
		 */
		bool keep = *nkept < DNS_MAX_RECORDS_KEPT && !info->pool_full;
		enum dns_result r = read_record(p, sec, keep, s);

		if (r != DNS_OK)
			return r;
		if (keep && commit(info, s, &kept[*nkept])) {
			(*nkept)++;
			if (s->rec.rdata_bad)
				info->records_rdata_bad++;
		} else {
			info->records_skipped++;
		}
	}
	return DNS_OK;
}

static enum dns_result parse_header(struct parser *p)
{
	struct dns_info *info = p->out;
	struct ew_cursor c;

	cursor_at(p, &c, 0, p->len);
	info->id = ew_be16(&c);
	info->flags = ew_be16(&c);
	info->qdcount = ew_be16(&c);
	info->ancount = ew_be16(&c);
	info->nscount = ew_be16(&c);
	info->arcount = ew_be16(&c);
	if (c.bad)
		return DNS_ERR_SHORT;
	info->is_response = (info->flags & DNS_FLAG_QR) != 0;
	p->off = DNS_HEADER_LEN;
	return DNS_OK;
}

static enum dns_result parse_message(struct parser *p)
{
	/* Scratch for one record: about 3 KiB, so it is not in the info. */
	struct rr_scratch s;
	const struct dns_info *info = p->out;
	enum dns_result r;

	r = parse_header(p);
	if (r == DNS_OK)
		r = parse_section(p, DNS_SECTION_QUESTION, info->qdcount, &s);
	if (r == DNS_OK)
		r = parse_section(p, DNS_SECTION_ANSWER, info->ancount, &s);
	if (r == DNS_OK)
		r = parse_section(p, DNS_SECTION_AUTHORITY, info->nscount, &s);
	if (r == DNS_OK)
		r = parse_section(p, DNS_SECTION_ADDITIONAL, info->arcount, &s);
	return r;
}

enum dns_result dns_parse(const uint8_t *msg, size_t len, struct dns_info *out)
{
	struct parser p = { msg, len, 0, out };
	enum dns_result r;

	if (out == NULL)
		return DNS_ERR_ARGS;
	/* Clear all but the pool, whose first byte makes offset 0 read "". */
	memset(out, 0, offsetof(struct dns_info, pool));
	out->pool[0] = '\0';
	out->pool_used = 1;
	if (msg == NULL) {
		out->result = DNS_ERR_ARGS;
		return DNS_ERR_ARGS;
	}
	r = parse_message(&p);
	if (r == DNS_OK)
		out->trailing_bytes = len - p.off;
	else
		out->err_offset = p.off;
	out->result = r;
	return r;
}

const char *dns_result_name(enum dns_result r)
{
	static const char *const names[DNS_RESULT_MAX] = {
		[DNS_OK] = "dns.ok",
		[DNS_ERR_ARGS] = "dns.args",
		[DNS_ERR_SHORT] = "dns.short",
		[DNS_ERR_TRUNCATED] = "dns.truncated",
		[DNS_ERR_NAME] = "dns.bad_name",
		[DNS_ERR_RDLENGTH] = "dns.bad_rdlength",
	};

	if ((unsigned)r >= DNS_RESULT_MAX)
		return "dns.unknown";
	return names[r];
}

/* ---------------------------------------------------------- mDNS summary */

/* TXT keys (RFC 6763 6.4: compared without regard to case) naming a model or maker. */
static const char *const mdns_model_keys[] = {
	"am",           /* AirPlay: "AppleTV5,3" */
	"manufacturer",
	"md",           /* Google Cast, HomeKit: model */
	"mdl",
	"model",        /* Apple _device-info */
	"modelid",      /* Philips Hue: "BSB002" */
	"product",      /* printers (RFC 6763 appendix): "(HP OfficeJet ...)" */
	"ty",           /* printers: make and model */
	"usb_MDL",
	"usb_MFG",
	"vendor",
};

static int ascii_lower(int ch)
{
	return ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch;
}

/* Compares n bytes without regard to ASCII case; locale-independent. */
static bool ascii_ieq(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (ascii_lower((unsigned char)a[i]) != ascii_lower((unsigned char)b[i]))
			return false;
		if (a[i] == '\0')
			return true;
	}
	return true;
}

/* Length of the first label of escaped name text ("\." does not end it). */
static size_t label_len(const char *s)
{
	size_t i = 0;

	while (s[i] != '\0' && s[i] != '.') {
		if (s[i] == '\\' && s[i + 1] != '\0')
			i++; /* "\." and "\\\\" are two chars; "\000" is plain after its backslash */
		i++;
	}
	return i;
}

/* The text after the first label, or NULL when there is none. */
static const char *after_label(const char *s)
{
	size_t n = label_len(s);

	return s[n] == '.' ? s + n + 1 : NULL;
}

static bool label_is(const char *s, const char *want)
{
	size_t n = strlen(want);

	return label_len(s) == n && ascii_ieq(s, want, n);
}

/* "_name._tcp.domain" or "_name._udp.domain" (RFC 6763 7). */
static bool is_service_type(const char *s)
{
	const char *proto = s[0] == '_' ? after_label(s) : NULL;

	return proto != NULL && (label_is(proto, "_tcp") || label_is(proto, "_udp")) &&
	       after_label(proto) != NULL;
}

/* The service type of an instance name "Instance._name._tcp.local", or NULL. */
static const char *service_of_instance(const char *s)
{
	const char *rest = after_label(s);

	return rest != NULL && is_service_type(rest) ? rest : NULL;
}

/* The service type a PTR owner browses: itself, or a subtype's ("_x._sub._http._tcp"). */
static const char *service_of_owner(const char *s)
{
	const char *rest;

	if (is_service_type(s))
		return s;
	rest = after_label(s);
	if (rest != NULL && label_is(rest, "_sub"))
		rest = after_label(rest);
	else
		rest = NULL;
	return rest != NULL && is_service_type(rest) ? rest : NULL;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && ascii_ieq(s + n - m, suffix, m);
}

static bool is_reverse_name(const char *s)
{
	return ends_with(s, ".in-addr.arpa") || ends_with(s, ".ip6.arpa");
}

static bool is_model_txt(const char *s)
{
	const char *eq = strchr(s, '=');
	size_t n;

	if (eq == NULL)
		return false;
	n = (size_t)(eq - s);
	for (size_t i = 0; i < sizeof(mdns_model_keys) / sizeof(mdns_model_keys[0]); i++) {
		if (strlen(mdns_model_keys[i]) == n && ascii_ieq(s, mdns_model_keys[i], n))
			return true;
	}
	return false;
}

/* Adds s to a list unless empty, the root, or already there (any case). */
static void add_unique(const char **list, size_t *n, size_t max, const char *s,
		       size_t *dropped)
{
	if (s == NULL || s[0] == '\0' || strcmp(s, ".") == 0)
		return;
	for (size_t i = 0; i < *n; i++) {
		if (strlen(list[i]) == strlen(s) && ascii_ieq(list[i], s, strlen(s)))
			return;
	}
	if (*n >= max) {
		(*dropped)++;
		return;
	}
	list[(*n)++] = s;
}

#define ADD(sum, field, max, s) \
	add_unique((sum)->field, &(sum)->n##field, (max), (s), &(sum)->dropped)

static void summarize_ptr(struct mdns_summary *sum, const char *owner, const char *target)
{
	const char *service;

	if (ascii_ieq(owner, "_services._dns-sd._udp.", strlen("_services._dns-sd._udp."))) {
		if (is_service_type(target)) /* service enumeration (RFC 6763 9) */
			ADD(sum, services, MDNS_MAX_SERVICES, target);
		return;
	}
	if (is_reverse_name(owner)) {
		ADD(sum, hosts, MDNS_MAX_HOSTS, target);
		return;
	}
	service = service_of_owner(owner);
	if (service != NULL) {
		ADD(sum, services, MDNS_MAX_SERVICES, service);
		ADD(sum, instances, MDNS_MAX_INSTANCES, target);
	}
}

/* SRV and TXT owners are instances when they look like one. */
static void summarize_instance(struct mdns_summary *sum, const char *owner)
{
	const char *service = service_of_instance(owner);

	if (service != NULL) {
		ADD(sum, instances, MDNS_MAX_INSTANCES, owner);
		ADD(sum, services, MDNS_MAX_SERVICES, service);
	}
}

static void summarize_record(struct mdns_summary *sum, const struct dns_info *info,
			     const struct dns_record *r)
{
	const char *owner = dns_text(info, r->name);
	const char *target = dns_text(info, r->target);

	switch (r->type) {
	case DNS_TYPE_PTR:
		summarize_ptr(sum, owner, target);
		break;
	case DNS_TYPE_SRV:
		summarize_instance(sum, owner);
		ADD(sum, hosts, MDNS_MAX_HOSTS, target);
		break;
	case DNS_TYPE_TXT:
		summarize_instance(sum, owner);
		for (size_t i = 0; i < r->ntxt; i++) {
			const char *t = dns_text(info, r->txt[i]);

			if (is_model_txt(t))
				ADD(sum, txt, MDNS_MAX_TXT, t);
		}
		break;
	case DNS_TYPE_A:
	case DNS_TYPE_AAAA:
	case DNS_TYPE_HINFO:
		ADD(sum, hosts, MDNS_MAX_HOSTS, owner);
		break;
	default:
		break;
	}
}

void mdns_summarize(const struct dns_info *info, struct mdns_summary *out)
{
	if (out == NULL)
		return;
	memset(out, 0, sizeof(*out));
	if (info == NULL)
		return;
	for (size_t i = 0; i < info->nanswers && i < DNS_MAX_RECORDS_KEPT; i++) {
		const struct dns_record *r = &info->answers[i];

		/* A query's answers are known answers: other devices' records. */
		if (info->is_response || r->section == DNS_SECTION_AUTHORITY)
			summarize_record(out, info, r);
	}
}
