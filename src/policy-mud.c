/*
 * policy-mud.c - reads an RFC 8520 MUD file into the ACEs its
 * from-device-policy and to-device-policy name (see policy-mud.h for
 * what is read and what is not; policy-mud-match.c judges flows).
 *
 * An ACE's remote end - the one a MUD file can name - is the destination
 * in a from-device ACE and the source in a to-device one.  Matches on
 * the device's own end (a source-ipv4-network in a from-device ACE) name
 * nothing a MUD file written for every device of a model can know, and
 * are unsupported.
 *
 * The JSON reader (eval-json.h) keeps no position in its tree, only in
 * its syntax errors ("at byte N").  Its values are numbered in document
 * order, though, so a problem found in a value is placed by walking the
 * (already valid) text to that value's number: every message is
 * "FILE:LINE:COL: problem" whether the JSON or its content is wrong.
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval-json.h"
#include "policy-mud-private.h"
#include "util-bytes.h"
#include "util-yaml.h"

struct mload {
	struct ejson *j;
	const char *name, *text;
	size_t len;
	char *err;
	size_t errlen;
	struct policy_mud *m;
	enum policy_mud_dir dir; /* the policy being read */
};

/* ------------------------------------------------------------ positions */

/* Past the string that starts at t[i] (a '"'); the text is valid JSON. */
static size_t skip_string(const char *t, size_t len, size_t i)
{
	for (i++; i < len; i++) {
		if (t[i] == '\\')
			i++;
		else if (t[i] == '"')
			return i + 1;
	}
	return len;
}

/*
 * The byte offset of value number target in document order, as
 * eval-json.c numbers them (a container before its members; member
 * names are not values).  Nesting is bounded by the reader's own
 * EJSON_MAX_DEPTH, which the text has passed.
 */
static size_t value_offset(const char *t, size_t len, uint32_t target)
{
	char stack[EJSON_MAX_DEPTH + 2];
	int depth = 0;
	bool want_key = false;
	uint32_t n = 0;
	size_t i = 0;

	while (i < len) {
		char c = t[i];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ':') {
			i++;
			continue;
		}
		if (c == '"' && want_key) {
			i = skip_string(t, len, i);
			want_key = false;
			continue;
		}
		if (c == ',') {
			want_key = depth > 0 && stack[depth - 1] == '{';
			i++;
			continue;
		}
		if (c == '}' || c == ']') {
			if (depth > 0)
				depth--;
			want_key = false;
			i++;
			continue;
		}
		if (n++ == target)
			return i;
		if (c == '{' || c == '[') {
			if (depth < (int)sizeof(stack))
				stack[depth++] = c;
			want_key = c == '{';
			i++;
		} else if (c == '"') {
			i = skip_string(t, len, i);
		} else {
			while (i < len && strchr(",]} \t\r\n", t[i]) == NULL)
				i++;
		}
	}
	return len;
}

static void line_col(const char *t, size_t len, size_t off, unsigned *line, unsigned *col)
{
	size_t start = 0;

	*line = 1;
	if (off > len)
		off = len;
	for (size_t i = 0; i < off; i++)
		if (t[i] == '\n') {
			(*line)++;
			start = i + 1;
		}
	*col = (unsigned)(off - start + 1);
}

/* "NAME:LINE:COL: problem" at value v (NULL: the start); always -1. */
__attribute__((format(printf, 3, 4)))
static int merr(struct mload *ld, const struct ejson_value *v, const char *fmt, ...)
{
	size_t off = 0;
	unsigned line, col;
	va_list ap;
	int n;

	if (ld->err == NULL || ld->errlen == 0)
		return -1;
	if (v != NULL)
		off = value_offset(ld->text, ld->len, (uint32_t)(v - ejson_root(ld->j)));
	line_col(ld->text, ld->len, off, &line, &col);
	n = snprintf(ld->err, ld->errlen, "%s:%u:%u: ", ld->name, line, col);
	if (n < 0 || (size_t)n >= ld->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(ld->err + n, ld->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* ------------------------------------------------------------ values */

static const char *kind(const struct ejson_value *v)
{
	static const char *const names[] = { "null", "false", "true", "a number", "a string",
					     "an array", "an object" };

	return v->type <= EJSON_OBJECT ? names[v->type] : "?";
}

/* Member key of obj, which must be of type t; NULL (no error) when absent. */
static int member(struct mload *ld, const struct ejson_value *obj, const char *key,
		  enum ejson_type t, const struct ejson_value **out)
{
	const struct ejson_value *v = ejson_get(ld->j, obj, key);

	*out = v;
	if (v != NULL && v->type != t)
		return merr(ld, v, "'%s': expected %s, found %s", key,
			    t == EJSON_OBJECT ? "an object" : t == EJSON_ARRAY ? "an array" :
			    t == EJSON_STRING ? "a string" : "a number", kind(v));
	return 0;
}

static int require(struct mload *ld, const struct ejson_value *obj, const char *key,
		   enum ejson_type t, const char *where, const struct ejson_value **out)
{
	if (member(ld, obj, key, t, out) < 0)
		return -1;
	if (*out == NULL)
		return merr(ld, obj, "%s: no '%s'", where, key);
	return 0;
}

/* An integer lo..hi. */
static int integer(struct mload *ld, const struct ejson_value *v, const char *key, double lo,
		   double hi, uint32_t *out)
{
	if (v->type != EJSON_NUMBER)
		return merr(ld, v, "'%s': expected a number, found %s", key, kind(v));
	if (v->num != floor(v->num) || v->num < lo || v->num > hi)
		return merr(ld, v, "'%s': %g is not an integer %g..%g", key, v->num, lo, hi);
	*out = (uint32_t)v->num;
	return 0;
}

/* A name of 1..POLICY_MUD_NAME_MAX bytes without control bytes, copied to out. */
static int name_of(struct mload *ld, const struct ejson_value *v, const char *what, char *out)
{
	size_t n;
	const char *s = ejson_string(ld->j, v, &n);

	if (s == NULL)
		return merr(ld, v, "%s: expected a string, found %s", what, kind(v));
	if (n == 0 || n > POLICY_MUD_NAME_MAX || yread_has_control(s, n))
		return merr(ld, v, "%s: not 1 to %d printable bytes", what, POLICY_MUD_NAME_MAX);
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

/* LDH labels of 1..63 bytes separated by dots, one trailing dot allowed. */
static bool dnsname_ok(const char *s, size_t n)
{
	size_t label = 0;

	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n == 0 || n > POLICY_MUD_DNSNAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if (isalnum((unsigned char)s[i]) || s[i] == '-' || s[i] == '_') {
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return label > 0;
}

/* -------------------------------------------------------------- ACEs */

/*
 * Whether a match on the packet's source (src: true) or destination
 * names the remote end in the policy being read: the server in a
 * from-device ACE, the client in a to-device one.  A match on the
 * device's own end cannot be judged: a MUD file is written for every
 * device of a model and knows no address of one.
 */
static bool names_remote(const struct mload *ld, bool src)
{
	return src == (ld->dir == POLICY_MUD_TO_DEVICE);
}

/* source- or destination-ipvN-network: an address block of that family. */
static int ace_network(struct mload *ld, struct mud_ace *a, const struct ejson_value *v,
		       const char *key, int fam)
{
	char text[64], why[96];
	struct ew_cidr net;
	size_t n;
	const char *s = ejson_string(ld->j, v, &n);

	if (s == NULL)
		return merr(ld, v, "%s: expected a string, found %s", key, kind(v));
	/* A v4 block is written with dots only, a v6 one with colons (v4-mapped aside). */
	if (n == 0 || n >= sizeof(text) || memchr(s, '\0', n) != NULL ||
	    (fam == 4) != (memchr(s, ':', n) == NULL) ||
	    ew_cidr_parse(memcpy(text, s, n + 1), &net, why, sizeof(why)) != 0)
		return merr(ld, v, "%s: not an IPv%d address block", key, fam);
	if (names_remote(ld, key[0] == 's')) {
		a->net = net;
		a->has_net = true;
	} else {
		a->unsupported = true;
	}
	return 0;
}

/* ietf-acldns:src-dnsname or dst-dnsname: a DNS name, kept without a final dot. */
static int ace_dnsname(struct mload *ld, struct mud_ace *a, const struct ejson_value *v,
		       const char *key)
{
	size_t n;
	const char *s = ejson_string(ld->j, v, &n);

	if (s == NULL || !dnsname_ok(s, n))
		return merr(ld, v, "%s: not a DNS name", key);
	if (!names_remote(ld, strcmp(key, "ietf-acldns:src-dnsname") == 0)) {
		a->unsupported = true;
		return 0;
	}
	if (s[n - 1] == '.')
		n--;
	memcpy(a->dnsname, s, n);
	a->dnsname[n] = '\0';
	return 0;
}

/* The ipv4 or ipv6 container of an ACE's matches. */
static int ace_ip(struct mload *ld, struct mud_ace *a, const struct ejson_value *c, int fam)
{
	for (const struct ejson_value *m = ejson_first(ld->j, c); m != NULL;
	     m = ejson_next(ld->j, m)) {
		const char *k = ejson_key(ld->j, m, NULL);
		uint32_t u;
		int rc = 0;

		if (strcmp(k, "protocol") == 0) {
			if (integer(ld, m, "protocol", 0, 255, &u) < 0)
				return -1;
			if (a->proto != MUD_PROTO_ANY && a->proto != (int)u)
				return merr(ld, m, "protocol %u contradicts the %s match", u,
					    a->proto == EW_IPPROTO_TCP ? "tcp" : "udp");
			a->proto = (int)u;
		} else if (strcmp(k, fam == 4 ? "destination-ipv4-network" :
					 "destination-ipv6-network") == 0 ||
			   strcmp(k, fam == 4 ? "source-ipv4-network" : "source-ipv6-network") == 0) {
			rc = ace_network(ld, a, m, k, fam);
		} else if (strcmp(k, "ietf-acldns:dst-dnsname") == 0 ||
			   strcmp(k, "ietf-acldns:src-dnsname") == 0) {
			rc = ace_dnsname(ld, a, m, k);
		} else {
			/* DSCP, TTL, flow label ...: not a fact we judge by. */
			a->unsupported = true;
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

/*
 * source-port or destination-port (RFC 8519 port-range-or-operator):
 * {lower-port, upper-port}, both included, or {operator, port} with
 * operator lte, gte, eq (the default) or neq.
 */
static int ace_port(struct mload *ld, const struct ejson_value *p, const char *key,
		    struct mud_ports *out)
{
	const struct ejson_value *op, *port, *lo, *hi;
	uint32_t l, h;

	if (p->type != EJSON_OBJECT)
		return merr(ld, p, "%s: expected an object, found %s", key, kind(p));
	op = ejson_get(ld->j, p, "operator");
	port = ejson_get(ld->j, p, "port");
	lo = ejson_get(ld->j, p, "lower-port");
	hi = ejson_get(ld->j, p, "upper-port");
	memset(out, 0, sizeof(*out));
	if (lo != NULL || hi != NULL) {
		if (lo == NULL || hi == NULL || op != NULL || port != NULL)
			return merr(ld, p, "%s: a range needs lower-port and upper-port and "
					   "nothing else", key);
		if (integer(ld, lo, "lower-port", 0, 65535, &l) < 0 ||
		    integer(ld, hi, "upper-port", 0, 65535, &h) < 0)
			return -1;
		if (l > h)
			return merr(ld, lo, "%s: lower-port %u above upper-port %u", key, l, h);
	} else {
		if (port == NULL)
			return merr(ld, p, "%s: needs port, or lower-port and upper-port", key);
		if (integer(ld, port, "port", 0, 65535, &l) < 0)
			return -1;
		h = l;
		if (op == NULL || ejson_string_is(ld->j, op, "eq"))
			;
		else if (ejson_string_is(ld->j, op, "lte"))
			l = 0;
		else if (ejson_string_is(ld->j, op, "gte"))
			h = 65535;
		else if (ejson_string_is(ld->j, op, "neq"))
			out->neq = true;
		else
			return merr(ld, op, "%s: operator not lte, gte, eq or neq", key);
	}
	out->set = true;
	out->lo = (uint16_t)l;
	out->hi = (uint16_t)h;
	return 0;
}

/* The tcp or udp container of an ACE's matches. */
static int ace_l4(struct mload *ld, struct mud_ace *a, const struct ejson_value *c, int proto)
{
	if (a->proto != MUD_PROTO_ANY && a->proto != proto)
		return merr(ld, c, "a %s match contradicts protocol %d",
			    proto == EW_IPPROTO_TCP ? "tcp" : "udp", a->proto);
	a->proto = proto;
	for (const struct ejson_value *m = ejson_first(ld->j, c); m != NULL;
	     m = ejson_next(ld->j, m)) {
		const char *k = ejson_key(ld->j, m, NULL);

		if (strcmp(k, "destination-port") == 0 || strcmp(k, "source-port") == 0) {
			if (ace_port(ld, m, k, k[0] == 's' ? &a->src_port : &a->dst_port) < 0)
				return -1;
		} else if (strcmp(k, "ietf-mud:direction-initiated") == 0) {
			if (ejson_string_is(ld->j, m, "to-device"))
				a->initiated = POLICY_MUD_TO_DEVICE;
			else if (ejson_string_is(ld->j, m, "from-device"))
				a->initiated = POLICY_MUD_FROM_DEVICE;
			else
				return merr(ld, m, "ietf-mud:direction-initiated: not from-device "
						   "or to-device");
		} else {
			a->unsupported = true; /* flags, options ... */
		}
	}
	return 0;
}

/* The ietf-mud:mud container: local-networks, or a match we cannot judge. */
/* A YANG `empty` leaf as RFC 7951 writes it, [null] (a bare null is taken too). */
static bool is_empty_leaf(struct mload *ld, const struct ejson_value *v)
{
	const struct ejson_value *e = ejson_first(ld->j, v);

	return v->type == EJSON_NULL ||
	       (v->type == EJSON_ARRAY && v->count == 1 && e != NULL && e->type == EJSON_NULL);
}

/* A string of 1..max printable ASCII bytes without spaces into out; -1 with the error. */
static int mud_text(struct mload *ld, const struct ejson_value *v, const char *key, size_t max,
		    char *out)
{
	const char *s;
	size_t n;

	if (v->type != EJSON_STRING)
		return merr(ld, v, "ietf-mud:mud: %s: expected a string, found %s", key, kind(v));
	s = ejson_string(ld->j, v, &n);
	if (n == 0 || n > max)
		return merr(ld, v, "ietf-mud:mud: %s must be 1..%zu bytes", key, max);
	if (!ew_graph_ascii(s, n))
		return merr(ld, v, "ietf-mud:mud: %s has a space, control or non-ASCII byte", key);
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

/*
 * The ietf-mud:mud matches: local-networks; manufacturer (an authority),
 * same-manufacturer (the authority of this file's own mud-url: without
 * one the ACE cannot be judged) and model (a MUD URL), judged on the MUD
 * URL the remote end announced; controller and my-controller need a
 * controller edgewatch does not know, and are skipped.
 */
static int ace_mud(struct mload *ld, struct mud_ace *a, const struct ejson_value *c)
{
	for (const struct ejson_value *m = ejson_first(ld->j, c); m != NULL;
	     m = ejson_next(ld->j, m)) {
		const char *k = ejson_key(ld->j, m, NULL), *auth;
		size_t n;

		if (strcmp(k, "local-networks") == 0) {
			if (!is_empty_leaf(ld, m))
				return merr(ld, m, "ietf-mud:mud: local-networks: expected [null]");
			a->local = true;
		} else if (strcmp(k, "manufacturer") == 0) {
			if (mud_text(ld, m, k, POLICY_MUD_DNSNAME_MAX, a->manufacturer) < 0)
				return -1;
		} else if (strcmp(k, "model") == 0) {
			if (mud_text(ld, m, k, POLICY_MUD_URL_MAX, a->model) < 0)
				return -1;
		} else if (strcmp(k, "same-manufacturer") == 0) {
			if (!is_empty_leaf(ld, m))
				return merr(ld, m, "ietf-mud:mud: same-manufacturer: expected [null]");
			n = mud_url_authority(ld->m->url, &auth);
			if (n == 0 || n > POLICY_MUD_DNSNAME_MAX) {
				a->unsupported = true; /* no mud-url of its own to compare with */
				continue;
			}
			memcpy(a->manufacturer, auth, n);
			a->manufacturer[n] = '\0';
		} else if (strcmp(k, "controller") == 0 || strcmp(k, "my-controller") == 0) {
			a->unsupported = true;
		} else {
			return merr(ld, m, "ietf-mud:mud: unknown match '%.40s'", k);
		}
	}
	return 0;
}

static int ace_matches(struct mload *ld, struct mud_ace *a, const struct ejson_value *ms)
{
	const struct ejson_value *c;

	for (c = ejson_first(ld->j, ms); c != NULL; c = ejson_next(ld->j, c)) {
		const char *k = ejson_key(ld->j, c, NULL);
		int rc = 0;

		if (c->type != EJSON_OBJECT)
			return merr(ld, c, "matches: '%.40s': expected an object, found %s", k,
				    kind(c));
		if (strcmp(k, "ipv4") == 0 || strcmp(k, "ipv6") == 0) {
			int fam = k[3] == '4' ? 4 : 6;

			if (a->family != 0 && a->family != fam)
				return merr(ld, c, "matches: both ipv4 and ipv6");
			a->family = (uint8_t)fam;
			rc = ace_ip(ld, a, c, fam);
		} else if (strcmp(k, "tcp") == 0 || strcmp(k, "udp") == 0) {
			if (ejson_get(ld->j, ms, k[0] == 't' ? "udp" : "tcp") != NULL)
				return merr(ld, c, "matches: both tcp and udp");
			rc = ace_l4(ld, a, c, k[0] == 't' ? EW_IPPROTO_TCP : EW_IPPROTO_UDP);
		} else if (strcmp(k, "ietf-mud:mud") == 0) {
			rc = ace_mud(ld, a, c);
		} else {
			a->unsupported = true; /* eth, icmp ...: not judged */
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* A free slot at the end of the side's ACEs, grown up to POLICY_MUD_ACES_MAX. */
static struct mud_ace *new_ace(struct mload *ld, const struct ejson_value *v)
{
	struct mud_side *sd = &ld->m->side[ld->dir];
	struct mud_ace *grown;
	size_t cap;

	if (sd->nace == POLICY_MUD_ACES_MAX) {
		merr(ld, v, "more than %d ACEs in the %s-device-policy", POLICY_MUD_ACES_MAX,
		     ld->dir == POLICY_MUD_TO_DEVICE ? "to" : "from");
		return NULL;
	}
	if (sd->nace == sd->cap) {
		cap = sd->cap == 0 ? 8 : sd->cap * 2;
		if (cap > POLICY_MUD_ACES_MAX)
			cap = POLICY_MUD_ACES_MAX;
		if ((grown = realloc(sd->ace, cap * sizeof(*grown))) == NULL) {
			merr(ld, v, "out of memory");
			return NULL;
		}
		sd->ace = grown;
		sd->cap = cap;
	}
	memset(&sd->ace[sd->nace], 0, sizeof(sd->ace[0]));
	return &sd->ace[sd->nace];
}

static int read_ace(struct mload *ld, const char *acl, const struct ejson_value *v)
{
	struct mud_side *sd = &ld->m->side[ld->dir];
	const struct ejson_value *name, *ms, *acts, *fw;
	struct mud_ace *a;

	if (v->type != EJSON_OBJECT)
		return merr(ld, v, "ace: expected an object, found %s", kind(v));
	if ((a = new_ace(ld, v)) == NULL)
		return -1;
	a->proto = MUD_PROTO_ANY;
	a->initiated = -1;
	snprintf(a->acl, sizeof(a->acl), "%s", acl);
	if (require(ld, v, "name", EJSON_STRING, "ace", &name) < 0 ||
	    name_of(ld, name, "ace name", a->name) < 0)
		return -1;
	if (member(ld, v, "matches", EJSON_OBJECT, &ms) < 0 ||
	    require(ld, v, "actions", EJSON_OBJECT, "ace", &acts) < 0 ||
	    require(ld, acts, "forwarding", EJSON_STRING, "actions", &fw) < 0)
		return -1;
	if (ejson_string_is(ld->j, fw, "accept") ||
	    ejson_string_is(ld->j, fw, "ietf-access-control-list:accept"))
		a->accept = true;
	else if (!ejson_string_is(ld->j, fw, "drop") && !ejson_string_is(ld->j, fw, "reject") &&
		 !ejson_string_is(ld->j, fw, "ietf-access-control-list:drop") &&
		 !ejson_string_is(ld->j, fw, "ietf-access-control-list:reject"))
		return merr(ld, fw, "forwarding: not accept, drop or reject");
	if (ms != NULL && ace_matches(ld, a, ms) < 0)
		return -1;
	if ((a->src_port.set || a->dst_port.set) && a->proto != EW_IPPROTO_TCP &&
	    a->proto != EW_IPPROTO_UDP)
		return merr(ld, ms, "a port match without a tcp or udp match");
	if (a->unsupported)
		sd->unsupported++;
	sd->nace++;
	return 0;
}

/* -------------------------------------------------------------- ACLs */

/* The ACL named by ref (a string) in the acl array. */
static int find_acl(struct mload *ld, const struct ejson_value *acls, const struct ejson_value *ref,
		    const struct ejson_value **out)
{
	for (const struct ejson_value *a = ejson_first(ld->j, acls); a != NULL;
	     a = ejson_next(ld->j, a))
		if (ejson_string_is(ld->j, ejson_get(ld->j, a, "name"), ejson_string(ld->j, ref, NULL))) {
			*out = a;
			return 0;
		}
	return merr(ld, ref, "no ACL named '%.*s'", POLICY_MUD_NAME_MAX,
		    ejson_string(ld->j, ref, NULL));
}

/* Every ACL has a unique name; the count is capped. */
static int check_acls(struct mload *ld, const struct ejson_value *acls)
{
	char name[POLICY_MUD_NAME_MAX + 1], other[POLICY_MUD_NAME_MAX + 1];
	const struct ejson_value *n, *b;

	if (acls->count > POLICY_MUD_ACLS_MAX)
		return merr(ld, acls, "more than %d ACLs", POLICY_MUD_ACLS_MAX);
	for (const struct ejson_value *a = ejson_first(ld->j, acls); a != NULL;
	     a = ejson_next(ld->j, a)) {
		if (a->type != EJSON_OBJECT)
			return merr(ld, a, "acl: expected an object, found %s", kind(a));
		if (require(ld, a, "name", EJSON_STRING, "acl", &n) < 0 ||
		    name_of(ld, n, "acl name", name) < 0)
			return -1;
		for (b = ejson_first(ld->j, acls); b != a; b = ejson_next(ld->j, b)) {
			(void)name_of(ld, ejson_get(ld->j, b, "name"), "acl name", other);
			if (strcmp(name, other) == 0)
				return merr(ld, n, "duplicate ACL name '%s'", name);
		}
	}
	return 0;
}

/* The access-list array of a from-/to-device-policy container. */
static int policy_refs(struct mload *ld, const struct ejson_value *pol, const char *key,
		       const struct ejson_value **out)
{
	const struct ejson_value *al;

	*out = NULL;
	if (pol->type != EJSON_OBJECT)
		return merr(ld, pol, "%s: expected an object, found %s", key, kind(pol));
	if (require(ld, pol, "access-lists", EJSON_OBJECT, key, &al) < 0 ||
	    require(ld, al, "access-list", EJSON_ARRAY, "access-lists", out) < 0)
		return -1;
	for (const struct ejson_value *r = ejson_first(ld->j, *out); r != NULL;
	     r = ejson_next(ld->j, r)) {
		const struct ejson_value *n;

		if (r->type != EJSON_OBJECT)
			return merr(ld, r, "access-list: expected an object, found %s", kind(r));
		if (require(ld, r, "name", EJSON_STRING, "access-list", &n) < 0)
			return -1;
	}
	return 0;
}

/* The ACEs of the ACLs refs names, in order, into the side ld->dir. */
static int read_side(struct mload *ld, const struct ejson_value *refs,
		     const struct ejson_value *acls)
{
	ld->m->side[ld->dir].present = true;
	for (const struct ejson_value *r = ejson_first(ld->j, refs); r != NULL;
	     r = ejson_next(ld->j, r)) {
		const struct ejson_value *ref = ejson_get(ld->j, r, "name"), *acl = NULL, *aces, *list;
		char name[POLICY_MUD_NAME_MAX + 1];

		if (name_of(ld, ref, "access-list name", name) < 0 || find_acl(ld, acls, ref, &acl) < 0)
			return -1;
		if (require(ld, acl, "aces", EJSON_OBJECT, "acl", &aces) < 0 ||
		    require(ld, aces, "ace", EJSON_ARRAY, "aces", &list) < 0)
			return -1;
		for (const struct ejson_value *a = ejson_first(ld->j, list); a != NULL;
		     a = ejson_next(ld->j, a))
			if (read_ace(ld, name, a) < 0)
				return -1;
	}
	return 0;
}

/*
 * The optional mud-url: printable ASCII without spaces, at most
 * POLICY_MUD_URL_MAX bytes, as a device could announce it (DHCP option
 * 161 holds 255).  RFC 8520 requires https; the scheme is not checked, as
 * the URL only names the file here and nothing is fetched.
 */
static int read_url(struct mload *ld, const struct ejson_value *mud)
{
	const struct ejson_value *u = ejson_get(ld->j, mud, "mud-url");

	return u == NULL ? 0 : mud_text(ld, u, "mud-url", POLICY_MUD_URL_MAX, ld->m->url);
}

/*
 * The from-device-policy is required; without a to-device-policy the
 * file says nothing of flows opened to the device, and they are not
 * judged.  Both containers' shapes are checked before any ACE is read,
 * then the from-device ACEs, then the to-device ones: the first problem
 * in that order is the one reported.
 */
static int read_mud(struct mload *ld)
{
	const struct ejson_value *root = ejson_root(ld->j), *mud, *top, *acls, *from, *to, *refs;

	if (root->type != EJSON_OBJECT)
		return merr(ld, root, "expected an object, found %s", kind(root));
	if (require(ld, root, "ietf-mud:mud", EJSON_OBJECT, "MUD file", &mud) < 0 ||
	    require(ld, root, "ietf-access-control-list:acls", EJSON_OBJECT, "MUD file", &top) < 0 ||
	    require(ld, top, "acl", EJSON_ARRAY, "ietf-access-control-list:acls", &acls) < 0 ||
	    check_acls(ld, acls) < 0)
		return -1;
	if (read_url(ld, mud) < 0)
		return -1;
	if ((from = ejson_get(ld->j, mud, "from-device-policy")) == NULL)
		return merr(ld, mud, "ietf-mud:mud: no 'from-device-policy'");
	to = ejson_get(ld->j, mud, "to-device-policy");
	if (to != NULL && policy_refs(ld, to, "to-device-policy", &refs) < 0)
		return -1;
	if (policy_refs(ld, from, "from-device-policy", &refs) < 0)
		return -1;
	ld->dir = POLICY_MUD_FROM_DEVICE;
	if (read_side(ld, refs, acls) < 0)
		return -1;
	if (to == NULL)
		return 0;
	(void)policy_refs(ld, to, "to-device-policy", &refs); /* checked above */
	ld->dir = POLICY_MUD_TO_DEVICE;
	return read_side(ld, refs, acls);
}

/* ------------------------------------------------------------ the API */

void policy_mud_free(struct policy_mud *m)
{
	if (m == NULL)
		return;
	for (int d = 0; d < POLICY_MUD_DIRS; d++)
		free(m->side[d].ace);
	free(m);
}

struct policy_mud *policy_mud_load_buffer(const char *name, const char *text, size_t len,
					  char *err, size_t errlen)
{
	struct mload ld = { NULL, name != NULL ? name : "(mud)", text, len, err, errlen, NULL,
			    POLICY_MUD_FROM_DEVICE };
	size_t off;
	int rc, used = 0;

	if (len > POLICY_MUD_FILE_MAX) {
		snprintf(err, errlen, "%s: larger than %u bytes", ld.name, POLICY_MUD_FILE_MAX);
		return NULL;
	}
	if ((ld.j = ejson_create()) == NULL || (ld.m = calloc(1, sizeof(*ld.m))) == NULL) {
		snprintf(err, errlen, "%s: out of memory", ld.name);
		goto fail;
	}
	if (ejson_parse(ld.j, text, len) < 0) {
		unsigned line, col;

		/* "at byte N: problem" -> "NAME:LINE:COL: problem". */
		if (sscanf(ejson_error(ld.j), "at byte %zu: %n", &off, &used) != 1 || used == 0) {
			snprintf(err, errlen, "%s: %s", ld.name, ejson_error(ld.j));
			goto fail;
		}
		line_col(text, len, off, &line, &col);
		snprintf(err, errlen, "%s:%u:%u: %s", ld.name, line, col, ejson_error(ld.j) + used);
		goto fail;
	}
	rc = read_mud(&ld);
	ejson_destroy(ld.j);
	if (rc < 0) {
		policy_mud_free(ld.m);
		return NULL;
	}
	return ld.m;
fail:
	ejson_destroy(ld.j);
	policy_mud_free(ld.m);
	return NULL;
}

struct policy_mud *policy_mud_load_file(const char *path, char *err, size_t errlen)
{
	struct policy_mud *m;
	char *text;
	size_t len;

	if (yread_file(path, POLICY_MUD_FILE_MAX, "larger than", &text, &len, err, errlen) < 0)
		return NULL;
	m = policy_mud_load_buffer(path, text, len, err, errlen);
	free(text);
	return m;
}
