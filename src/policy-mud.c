/*
 * policy-mud.c - reads an RFC 8520 MUD file into the list of ACEs its
 * from-device-policy names, and judges a flow the device opened against
 * them (see policy-mud.h for what is read and what is not).
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
#include <strings.h>

#include "eval-json.h"
#include "policy-mud.h"
#include "util-yaml.h"

#define PROTO_ANY (-1)

struct mud_ace {
	char acl[POLICY_MUD_NAME_MAX + 1];
	char name[POLICY_MUD_NAME_MAX + 1];
	bool accept;
	uint8_t family;       /* 4, 6, or 0: either (no ipv4/ipv6 container) */
	int proto;            /* 0..255 or PROTO_ANY */
	bool has_net;
	struct ew_cidr net;
	char dnsname[POLICY_MUD_DNSNAME_MAX + 1]; /* "": any */
	bool local;           /* ietf-mud local-networks: server in the home networks */
	bool has_ports;
	uint16_t port_lo, port_hi;
	bool to_device_only;  /* direction-initiated to-device: never a flow the device opens */
	bool unsupported;     /* holds a match we cannot evaluate: never matches */
};

struct policy_mud {
	struct mud_ace *ace;
	size_t nace;
	uint32_t unsupported;
	uint32_t to_device;
};

struct mload {
	struct ejson *j;
	const char *name, *text;
	size_t len;
	char *err;
	size_t errlen;
	struct policy_mud *m;
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

static int ace_network(struct mload *ld, struct mud_ace *a, const struct ejson_value *v, int fam)
{
	char text[64], why[96];
	size_t n;
	const char *s = ejson_string(ld->j, v, &n);

	if (s == NULL)
		return merr(ld, v, "destination-ipv%d-network: expected a string, found %s", fam,
			    kind(v));
	/* A v4 block is written with dots only, a v6 one with colons (v4-mapped aside). */
	if (n == 0 || n >= sizeof(text) || memchr(s, '\0', n) != NULL ||
	    (fam == 4) != (memchr(s, ':', n) == NULL) ||
	    ew_cidr_parse(memcpy(text, s, n + 1), &a->net, why, sizeof(why)) != 0)
		return merr(ld, v, "destination-ipv%d-network: not an IPv%d address block", fam,
			    fam);
	a->has_net = true;
	return 0;
}

/* The ipv4 or ipv6 container of an ACE's matches. */
static int ace_ip(struct mload *ld, struct mud_ace *a, const struct ejson_value *c, int fam)
{
	for (const struct ejson_value *m = ejson_first(ld->j, c); m != NULL;
	     m = ejson_next(ld->j, m)) {
		const char *k = ejson_key(ld->j, m, NULL);
		uint32_t u;
		size_t n;
		const char *s;

		if (strcmp(k, "protocol") == 0) {
			if (integer(ld, m, "protocol", 0, 255, &u) < 0)
				return -1;
			if (a->proto != PROTO_ANY && a->proto != (int)u)
				return merr(ld, m, "protocol %u contradicts the %s match", u,
					    a->proto == EW_IPPROTO_TCP ? "tcp" : "udp");
			a->proto = (int)u;
		} else if (strcmp(k, fam == 4 ? "destination-ipv4-network" :
					 "destination-ipv6-network") == 0) {
			if (ace_network(ld, a, m, fam) < 0)
				return -1;
		} else if (strcmp(k, "ietf-acldns:dst-dnsname") == 0) {
			s = ejson_string(ld->j, m, &n);
			if (s == NULL || !dnsname_ok(s, n))
				return merr(ld, m, "ietf-acldns:dst-dnsname: not a DNS name");
			memcpy(a->dnsname, s, n);
			a->dnsname[n] = '\0';
			if (n > 0 && a->dnsname[n - 1] == '.')
				a->dnsname[n - 1] = '\0';
		} else {
			/* Source blocks and names, DSCP, TTL ...: not a fact we judge by. */
			a->unsupported = true;
		}
	}
	return 0;
}

/* destination-port: {operator: eq, port} or {lower-port, upper-port}. */
static int ace_port(struct mload *ld, struct mud_ace *a, const struct ejson_value *p)
{
	const struct ejson_value *op, *port, *lo, *hi;
	uint32_t l, h;

	if (p->type != EJSON_OBJECT)
		return merr(ld, p, "destination-port: expected an object, found %s", kind(p));
	op = ejson_get(ld->j, p, "operator");
	port = ejson_get(ld->j, p, "port");
	lo = ejson_get(ld->j, p, "lower-port");
	hi = ejson_get(ld->j, p, "upper-port");
	if (lo != NULL || hi != NULL) {
		if (lo == NULL || hi == NULL || op != NULL || port != NULL)
			return merr(ld, p, "destination-port: a range needs lower-port and "
					   "upper-port and nothing else");
		if (integer(ld, lo, "lower-port", 0, 65535, &l) < 0 ||
		    integer(ld, hi, "upper-port", 0, 65535, &h) < 0)
			return -1;
		if (l > h)
			return merr(ld, lo, "destination-port: lower-port %u above upper-port %u", l,
				    h);
	} else {
		if (op == NULL || port == NULL)
			return merr(ld, p, "destination-port: needs operator and port, or "
					   "lower-port and upper-port");
		if (!ejson_string_is(ld->j, op, "eq"))
			return merr(ld, op, "destination-port: operator not supported (only eq)");
		if (integer(ld, port, "port", 0, 65535, &l) < 0)
			return -1;
		h = l;
	}
	a->has_ports = true;
	a->port_lo = (uint16_t)l;
	a->port_hi = (uint16_t)h;
	return 0;
}

/* The tcp or udp container of an ACE's matches. */
static int ace_l4(struct mload *ld, struct mud_ace *a, const struct ejson_value *c, int proto)
{
	if (a->proto != PROTO_ANY && a->proto != proto)
		return merr(ld, c, "a %s match contradicts protocol %d",
			    proto == EW_IPPROTO_TCP ? "tcp" : "udp", a->proto);
	a->proto = proto;
	for (const struct ejson_value *m = ejson_first(ld->j, c); m != NULL;
	     m = ejson_next(ld->j, m)) {
		const char *k = ejson_key(ld->j, m, NULL);

		if (strcmp(k, "destination-port") == 0) {
			if (ace_port(ld, a, m) < 0)
				return -1;
		} else if (strcmp(k, "ietf-mud:direction-initiated") == 0) {
			if (ejson_string_is(ld->j, m, "to-device"))
				a->to_device_only = true;
			else if (!ejson_string_is(ld->j, m, "from-device"))
				return merr(ld, m, "ietf-mud:direction-initiated: not from-device "
						   "or to-device");
		} else {
			a->unsupported = true; /* source-port, flags ... */
		}
	}
	return 0;
}

/* The ietf-mud:mud container: local-networks, or a match we cannot judge. */
static int ace_mud(struct mload *ld, struct mud_ace *a, const struct ejson_value *c)
{
	static const char *const other[] = { "same-manufacturer", "manufacturer", "controller",
					     "my-controller", "model" };

	for (const struct ejson_value *m = ejson_first(ld->j, c); m != NULL;
	     m = ejson_next(ld->j, m)) {
		const char *k = ejson_key(ld->j, m, NULL);
		bool known = strcmp(k, "local-networks") == 0;

		for (size_t i = 0; !known && i < sizeof(other) / sizeof(other[0]); i++)
			if (strcmp(k, other[i]) == 0) {
				a->unsupported = true;
				known = true;
			}
		if (!known)
			return merr(ld, m, "ietf-mud:mud: unknown match '%.40s'", k);
		if (strcmp(k, "local-networks") == 0)
			a->local = true;
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

static int read_ace(struct mload *ld, const char *acl, const struct ejson_value *v)
{
	struct policy_mud *m = ld->m;
	const struct ejson_value *name, *ms, *acts, *fw;
	struct mud_ace *a;

	if (v->type != EJSON_OBJECT)
		return merr(ld, v, "ace: expected an object, found %s", kind(v));
	if (m->nace == POLICY_MUD_ACES_MAX)
		return merr(ld, v, "more than %d ACEs", POLICY_MUD_ACES_MAX);
	a = &m->ace[m->nace];
	memset(a, 0, sizeof(*a));
	a->proto = PROTO_ANY;
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
	if (a->has_ports && a->proto != EW_IPPROTO_TCP && a->proto != EW_IPPROTO_UDP)
		return merr(ld, ms, "destination-port without a tcp or udp match");
	if (a->unsupported)
		m->unsupported++;
	m->nace++;
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

static int read_from_device(struct mload *ld, const struct ejson_value *refs,
			    const struct ejson_value *acls)
{
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
	if ((from = ejson_get(ld->j, mud, "from-device-policy")) == NULL)
		return merr(ld, mud, "ietf-mud:mud: no 'from-device-policy'");
	if ((to = ejson_get(ld->j, mud, "to-device-policy")) != NULL) {
		if (policy_refs(ld, to, "to-device-policy", &refs) < 0)
			return -1;
		ld->m->to_device = refs->count;
	}
	if (policy_refs(ld, from, "from-device-policy", &refs) < 0)
		return -1;
	return read_from_device(ld, refs, acls);
}

/* ------------------------------------------------------------ the API */

void policy_mud_free(struct policy_mud *m)
{
	if (m == NULL)
		return;
	free(m->ace);
	free(m);
}

struct policy_mud *policy_mud_load_buffer(const char *name, const char *text, size_t len,
					  char *err, size_t errlen)
{
	struct mload ld = { NULL, name != NULL ? name : "(mud)", text, len, err, errlen, NULL };
	size_t off;
	int rc, used = 0;

	if (len > POLICY_MUD_FILE_MAX) {
		snprintf(err, errlen, "%s: larger than %u bytes", ld.name, POLICY_MUD_FILE_MAX);
		return NULL;
	}
	if ((ld.j = ejson_create()) == NULL || (ld.m = calloc(1, sizeof(*ld.m))) == NULL ||
	    (ld.m->ace = calloc(POLICY_MUD_ACES_MAX, sizeof(*ld.m->ace))) == NULL) {
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

/* ------------------------------------------------------------ verdict */

static bool is_v4(const struct ew_addr *a)
{
	static const uint8_t prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return memcmp(a->bytes, prefix, sizeof(prefix)) == 0;
}

static bool ace_matches_flow(const struct mud_ace *a, const struct ew_cidr_list *home,
			     const struct policy_view *v)
{
	if (a->unsupported || a->to_device_only)
		return false;
	if (a->family != 0 && (a->family == 4) != is_v4(&v->server))
		return false;
	if (a->proto != PROTO_ANY && a->proto != v->proto)
		return false;
	if (a->has_net && !ew_cidr_contains(&a->net, &v->server))
		return false;
	if (a->local && (home == NULL || !ew_cidr_list_contains(home, &v->server)))
		return false;
	if (a->dnsname[0] != '\0') {
		size_t n = v->server_name != NULL ? strlen(v->server_name) : 0;

		/* Names compare without case and without a final dot. */
		if (n > 0 && v->server_name[n - 1] == '.')
			n--;
		if (n == 0 || n != strlen(a->dnsname) ||
		    strncasecmp(v->server_name, a->dnsname, n) != 0)
			return false;
	}
	if (a->has_ports &&
	    ((v->proto != EW_IPPROTO_TCP && v->proto != EW_IPPROTO_UDP) ||
	     v->server_port < a->port_lo || v->server_port > a->port_hi))
		return false;
	return true;
}

bool policy_mud_allows(const struct policy_mud *m, const struct ew_cidr_list *home,
		       const struct policy_view *v, char *why, size_t whylen)
{
	for (size_t i = 0; i < m->nace; i++) {
		const struct mud_ace *a = &m->ace[i];

		if (!ace_matches_flow(a, home, v))
			continue;
		if (a->accept)
			return true;
		snprintf(why, whylen, "ACE '%s' of ACL '%s' drops it", a->name, a->acl);
		return false;
	}
	snprintf(why, whylen, "no ACE of the from-device-policy accepts it (%zu ACEs, %u skipped "
			      "as unsupported; server name %s)", m->nace, (unsigned)m->unsupported,
		 v->server_name != NULL && v->server_name[0] != '\0' ? v->server_name : "unknown");
	return false;
}

size_t policy_mud_ace_count(const struct policy_mud *m)
{
	return m->nace;
}

uint32_t policy_mud_unsupported(const struct policy_mud *m)
{
	return m->unsupported;
}

uint32_t policy_mud_to_device(const struct policy_mud *m)
{
	return m->to_device;
}
