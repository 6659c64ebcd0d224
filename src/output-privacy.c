/*
 * output-privacy.c - pseudonymise or minimise event lines before they
 * leave the sensor (see output-privacy.h and docs/privacy.md).
 *
 * The line is parsed, not patched with string searches: only the tree
 * says for certain which member a value belongs to, and a value from a
 * packet may itself look like JSON.  The decisions are one function,
 * decide(), keyed by the member's name and the names of the objects
 * around it; the table of docs/privacy.md is written from it.  Every
 * string that decide() does not replace or drop as a whole still goes
 * through rewrite_text(), which replaces MACs and inside addresses
 * wherever they appear (explanations, reasons, allowlists, examples): a
 * field this file has never heard of is therefore still scrubbed of the
 * identifiers it can recognise.
 */
#define _POSIX_C_SOURCE 200809L

#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <arpa/inet.h>
#include <openssl/crypto.h>

#include "eval-json.h"
#include "output-privacy.h"
#include "packet.h"
#include "quarantine-sign.h"
#include "util-json.h"

#define PRIV_ERRLEN 128
/* Longest run of address characters worth trying: an IPv6 address with an IPv4 tail, a port. */
#define PRIV_TOKEN_MAX 63
#define PRIV_INT_EXACT 9007199254740992.0 /* 2^53: doubles hold every integer up to here */

/* What happens to a member. */
enum priv_action {
	PA_TEXT = 0, /* keep; MACs and inside addresses inside the text replaced */
	PA_PSEUDO,   /* the whole value replaced by its pseudonym */
	PA_NAME,     /* a DNS name: pseudonym when the server is inside or the name local */
	PA_DROP,     /* the member left out */
};

struct output_privacy {
	enum ew_output_privacy level;
	unsigned char key[QKEY_MAX_BYTES];
	size_t key_len;
	struct ew_cidr_list home;
	struct output_privacy_tally *tally;
	struct ejson *j;
	struct json_buf jb;
	char *tmp;                /* one rewritten string; grows up to JSON_MAX_EVENT_BYTES */
	size_t tmp_len, tmp_cap;
	/* Governing names of the containers around the current member, outermost first. */
	const char *path[EJSON_MAX_DEPTH + 1];
	int depth;
	const char *event_type;   /* of the current line, or "" */
	bool server_inside;       /* dest_ip of the current line is inside */
	bool bad;                 /* the current line cannot be written safely */
	char err[PRIV_ERRLEN];
	uint64_t lines, dropped;
};

static bool is_hex(unsigned char c)
{
	return isxdigit(c) != 0;
}

static bool streq(const char *a, const char *b)
{
	return a != NULL && strcmp(a, b) == 0;
}

static bool in_list(const char *s, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

/* Signal kinds (output-device.c) whose values are a device's own host names. */
static const char *const host_name_signals[] = {
	"dhcp_hostname", "dhcp_fqdn", "mdns_name", "netbios_name", "llmnr_name", "lldp_name", NULL,
};
/* Signal kinds whose values are names or free text: all dropped by minimal. */
static const char *const text_signals[] = {
	"dhcp_hostname", "dhcp_vendor_class", "dhcp_fqdn",  "mdns_service",  "mdns_name",
	"mdns_txt",      "netbios_name",      "llmnr_name", "ssdp_server",   "ssdp_type",
	"ssdp_search",   "ssdp_user_agent",   "tls_sni",    "dns_query",     "http_user_agent",
	"mud_url",       "lldp_name",         "lldp_description", NULL,
};
/* Signal kinds holding DNS names that may be an inside host's. */
static const char *const dns_name_signals[] = { "tls_sni", "dns_query", NULL };
/* change.field values whose before/after are names or free text. */
static const char *const text_change_fields[] = {
	"dhcp_hostname", "dhcp_vendor_class", "ssdp_server", "mud_url", NULL,
};

static bool parse_addr(const char *s, size_t n, struct ew_addr *a);

static const char *path_at(const struct output_privacy *p, int up)
{
	return p->depth - 1 - up >= 0 ? p->path[p->depth - 1 - up] : "";
}

/* A sibling string member of holder, or "". */
static const char *sibling(const struct output_privacy *p, const struct ejson_value *holder,
			   const char *name)
{
	const char *s = ejson_string(p->j, ejson_get(p->j, holder, name), NULL);

	return s != NULL ? s : "";
}

/*
 * The decision for member `name` of the object holder (whose own name is
 * path_at(0)).  docs/privacy.md lists the same rules as a table.
 */
static enum priv_action decide(const struct output_privacy *p, const struct ejson_value *holder,
			       const char *name)
{
	const char *par = path_at(p, 0);
	bool minimal = p->level == EW_PRIVACY_MINIMAL;
	bool root = p->depth == 1; /* the root object is on the path as "" */

	if (strcmp(name, "mac") == 0 || strcmp(name, "device_key") == 0)
		return PA_PSEUDO; /* a MAC, or a MAC in 16 hex digits */
	if (minimal) {
		if (strcmp(name, "name") == 0 || strcmp(name, "server_name") == 0 ||
		    strcmp(name, "explanation") == 0)
			return PA_DROP;
		if (strcmp(par, "quarantine") == 0 &&
		    (strcmp(name, "reason") == 0 || strcmp(name, "allow") == 0))
			return PA_DROP;
		if (strcmp(par, "signals") == 0 && in_list(name, text_signals))
			return PA_DROP;
		if (strcmp(par, "class_evidence") == 0 && strcmp(name, "value") == 0)
			return PA_DROP;
		if (strcmp(par, "change") == 0 &&
		    (strcmp(name, "before") == 0 || strcmp(name, "after") == 0) &&
		    in_list(sibling(p, holder, "field"), text_change_fields))
			return PA_DROP;
		/* A first-seen DNS name or a beacon's name is a name; an address is kept (scrubbed). */
		if ((strcmp(par, "novel") == 0 && strcmp(name, "item") == 0) ||
		    (strcmp(par, "beacons") == 0 && strcmp(name, "endpoint") == 0)) {
			const char *v = sibling(p, holder, name);
			struct ew_addr a;

			if (!parse_addr(v, strlen(v), &a))
				return PA_DROP;
		}
	}
	if (strcmp(name, "name") == 0 &&
	    (strcmp(par, "device") == 0 ||
	     (root && (streq(p->event_type, "device") || streq(p->event_type, "inventory")))))
		return PA_PSEUDO;
	if (root && strcmp(name, "server_name") == 0)
		return PA_NAME;
	if (strcmp(name, "value") == 0 && strcmp(path_at(p, 2), "signals") == 0) {
		if (in_list(par, host_name_signals))
			return PA_PSEUDO;
		if (in_list(par, dns_name_signals))
			return PA_NAME;
	}
	if (strcmp(par, "class_evidence") == 0 && strcmp(name, "value") == 0) {
		const char *sig = sibling(p, holder, "signal");

		if (in_list(sig, host_name_signals))
			return PA_PSEUDO;
		if (in_list(sig, dns_name_signals))
			return PA_NAME;
	}
	if (strcmp(par, "change") == 0 && (strcmp(name, "before") == 0 || strcmp(name, "after") == 0) &&
	    strcmp(sibling(p, holder, "field"), "dhcp_hostname") == 0)
		return PA_PSEUDO;
	if ((strcmp(par, "novel") == 0 && strcmp(name, "item") == 0) ||
	    (strcmp(par, "beacons") == 0 && strcmp(name, "endpoint") == 0))
		return PA_NAME;
	return PA_TEXT;
}

/* ---- pseudonyms and text ---- */

int output_privacy_pseudonym(const void *key, size_t key_len, const void *value, size_t len,
			     char out[OUTPUT_PRIVACY_PSEUDONYM_LEN + 1])
{
	char hex[QREQ_SIG_HEX + 1];

	out[0] = '\0';
	if (qreq_hmac_hex(key, key_len, value, len, hex) != 0)
		return -1;
	memcpy(out, "p:", 2);
	memcpy(out + 2, hex, OUTPUT_PRIVACY_PSEUDONYM_LEN - 2);
	out[OUTPUT_PRIVACY_PSEUDONYM_LEN] = '\0';
	OPENSSL_cleanse(hex, sizeof hex);
	return 0;
}

static void tmp_put(struct output_privacy *p, const void *s, size_t n)
{
	if (p->bad)
		return;
	if (n > JSON_MAX_EVENT_BYTES - p->tmp_len) {
		snprintf(p->err, sizeof p->err, "a rewritten string is over %u bytes",
			 JSON_MAX_EVENT_BYTES);
		p->bad = true;
		return;
	}
	if (p->tmp_len + n + 1 > p->tmp_cap) {
		size_t cap = p->tmp_cap != 0 ? p->tmp_cap : 256;
		char *t;

		while (cap < p->tmp_len + n + 1)
			cap *= 2;
		t = realloc(p->tmp, cap);
		if (t == NULL) {
			snprintf(p->err, sizeof p->err, "out of memory");
			p->bad = true;
			return;
		}
		p->tmp = t;
		p->tmp_cap = cap;
	}
	memcpy(p->tmp + p->tmp_len, s, n);
	p->tmp_len += n;
	p->tmp[p->tmp_len] = '\0';
}

static void tmp_pseudo(struct output_privacy *p, const void *v, size_t n)
{
	char ps[OUTPUT_PRIVACY_PSEUDONYM_LEN + 1];

	if (output_privacy_pseudonym(p->key, p->key_len, v, n, ps) != 0) {
		snprintf(p->err, sizeof p->err, "HMAC failed");
		p->bad = true;
		return;
	}
	tmp_put(p, ps, OUTPUT_PRIVACY_PSEUDONYM_LEN);
}

/* s[i..i+17) is a MAC "aa:bb:cc:dd:ee:ff" standing alone (a word of its own, or after "mac:"). */
static bool mac_at(const char *s, size_t len, size_t i)
{
	if (len - i < 17)
		return false;
	for (size_t k = 0; k < 17; k++) {
		unsigned char c = (unsigned char)s[i + k];

		if (k % 3 == 2 ? c != ':' : !is_hex(c))
			return false;
	}
	if (i > 0 && isalnum((unsigned char)s[i - 1]))
		return false;
	return i + 17 == len ||
	       (!isalnum((unsigned char)s[i + 17]) && s[i + 17] != ':');
}

/* The n bytes at s as an address (exactly: no port, no prefix); false if they are none. */
static bool parse_addr(const char *s, size_t n, struct ew_addr *a)
{
	char buf[PRIV_TOKEN_MAX + 1];
	uint8_t b[16];

	if (n == 0 || n > PRIV_TOKEN_MAX)
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (memchr(buf, ':', n) != NULL) {
		if (inet_pton(AF_INET6, buf, b) != 1)
			return false;
		ew_addr_set_v6(a, b);
		return true;
	}
	if (inet_pton(AF_INET, buf, b) != 1)
		return false;
	ew_addr_set_v4(a, b);
	return true;
}

static bool addr_char(unsigned char c)
{
	return is_hex(c) || c == ':' || c == '.';
}

/*
 * The address at the start of the run s[0..n): the whole run, the run
 * without trailing dots and colons (end of a sentence), or an IPv4
 * address before ":PORT".  Its length, or 0.
 */
static size_t addr_in_run(const char *s, size_t n, struct ew_addr *a)
{
	const char *colon;

	if (n > PRIV_TOKEN_MAX || (memchr(s, '.', n) == NULL && memchr(s, ':', n) == NULL))
		return 0;
	if (parse_addr(s, n, a))
		return n;
	while (n > 0 && (s[n - 1] == '.' || s[n - 1] == ':'))
		n--;
	if (parse_addr(s, n, a))
		return n;
	colon = memchr(s, ':', n);
	if (colon != NULL && parse_addr(s, (size_t)(colon - s), a) && a->family == EW_AF_INET)
		return (size_t)(colon - s);
	return 0;
}

/* An address inside the home networks: its pseudonym (of the canonical text); else as is. */
static void tmp_addr(struct output_privacy *p, const struct ew_addr *a, const char *s, size_t n)
{
	char text[EW_ADDR_STRLEN];

	if (!ew_cidr_list_contains(&p->home, a)) {
		tmp_put(p, s, n);
		return;
	}
	ew_addr_format(a, text, sizeof text);
	tmp_pseudo(p, text, strlen(text));
}

/* Copies s into tmp with every MAC and every inside address replaced by its pseudonym. */
static void rewrite_text(struct output_privacy *p, const char *s, size_t len)
{
	size_t i = 0;

	p->tmp_len = 0;
	tmp_put(p, "", 0);
	while (i < len && !p->bad) {
		if (mac_at(s, len, i)) {
			char mac[17];

			for (size_t k = 0; k < 17; k++)
				mac[k] = (char)tolower((unsigned char)s[i + k]);
			tmp_pseudo(p, mac, sizeof mac);
			i += 17;
			continue;
		}
		if (addr_char((unsigned char)s[i]) &&
		    (i == 0 || !addr_char((unsigned char)s[i - 1]))) {
			struct ew_addr a;
			size_t e = i, n;

			while (e < len && addr_char((unsigned char)s[e]))
				e++;
			n = addr_in_run(s + i, e - i, &a);
			if (n > 0) {
				tmp_addr(p, &a, s + i, n);
				i += n;
				continue;
			}
		}
		tmp_put(p, s + i, 1);
		i++;
	}
}

/* Names that only mean something inside: no dot, or a local or reverse-lookup suffix. */
static bool local_name(const char *s, size_t len)
{
	static const char *const suffixes[] = {
		".local", ".lan", ".home", ".internal", ".localdomain", ".home.arpa",
		".in-addr.arpa", ".ip6.arpa", NULL,
	};

	while (len > 0 && s[len - 1] == '.')
		len--; /* a fully qualified "printer.local." */
	if (memchr(s, '.', len) == NULL)
		return true;
	for (const char *const *x = suffixes; *x != NULL; x++) {
		size_t n = strlen(*x);

		if (len >= n && strncasecmp(s + len - n, *x, n) == 0)
			return true;
	}
	return false;
}

/*
 * A device key of a MAC-keyed device: 16 hex digits, the first four
 * zero (docs/events.md).  Into mac as "aa:bb:cc:dd:ee:ff" (no NUL).
 */
static bool mac_key(const char *s, size_t len, char mac[17])
{
	if (len != 16 || memcmp(s, "0000", 4) != 0)
		return false;
	for (size_t i = 0; i < 16; i++)
		if (!is_hex((unsigned char)s[i]))
			return false;
	for (size_t i = 0; i < 6; i++) {
		mac[3 * i] = (char)tolower((unsigned char)s[4 + 2 * i]);
		mac[3 * i + 1] = (char)tolower((unsigned char)s[5 + 2 * i]);
		if (i < 5)
			mac[3 * i + 2] = ':';
	}
	return true;
}

/* Writes the string value v as action says. */
static void put_string(struct output_privacy *p, const char *key, const char *s, size_t len,
		       enum priv_action action)
{
	struct ew_addr a;

	if (action == PA_NAME) {
		if (parse_addr(s, len, &a))
			action = PA_TEXT;
		else if (p->server_inside || local_name(s, len))
			action = PA_PSEUDO;
		else
			action = PA_TEXT;
	}
	if (action == PA_PSEUDO && len > 0) {
		char mac[17];

		p->tmp_len = 0;
		if (mac_key(s, len, mac)) {
			tmp_pseudo(p, mac, sizeof mac); /* the device's key: the same pseudonym as its mac */
		} else if (parse_addr(s, len, &a)) {
			char text[EW_ADDR_STRLEN];

			ew_addr_format(&a, text, sizeof text);
			tmp_pseudo(p, text, strlen(text));
		} else if (len == 17 && mac_at(s, len, 0)) {
			rewrite_text(p, s, len); /* lower-cased as in free text */
		} else {
			tmp_pseudo(p, s, len);
		}
	} else {
		rewrite_text(p, s, len);
	}
	if (!p->bad)
		json_bytes(&p->jb, key, (const uint8_t *)p->tmp, p->tmp_len);
}

/* ---- the walk ---- */

static void put_number(struct output_privacy *p, const char *key, double v)
{
	if (isfinite(v) && v == floor(v) && fabs(v) <= PRIV_INT_EXACT) {
		if (v >= 0)
			json_uint(&p->jb, key, (uint64_t)v);
		else
			json_int(&p->jb, key, (int64_t)v);
		return;
	}
	json_double(&p->jb, key, v);
}

static void put_value(struct output_privacy *p, const char *key, const struct ejson_value *v,
		      const char *gov, enum priv_action action);

static void put_container(struct output_privacy *p, const char *key,
			  const struct ejson_value *v, const char *gov, enum priv_action action)
{
	if (p->depth >= EJSON_MAX_DEPTH) {
		snprintf(p->err, sizeof p->err, "nested too deep");
		p->bad = true;
		return;
	}
	p->path[p->depth++] = gov;
	if (v->type == EJSON_OBJECT) {
		json_open_object(&p->jb, key);
		for (const struct ejson_value *m = ejson_first(p->j, v); m != NULL && !p->bad;
		     m = ejson_next(p->j, m)) {
			size_t klen;
			const char *k = ejson_key(p->j, m, &klen);
			enum priv_action a;

			if (strlen(k) != klen) {
				snprintf(p->err, sizeof p->err, "a member name holds a NUL byte");
				p->bad = true;
				break;
			}
			a = decide(p, v, k);
			if (a != PA_DROP)
				put_value(p, k, m, k, a);
		}
		json_close_object(&p->jb);
	} else {
		json_open_array(&p->jb, key);
		/* Elements take the array's decision: "addresses" holds addresses throughout. */
		for (const struct ejson_value *e = ejson_first(p->j, v); e != NULL && !p->bad;
		     e = ejson_next(p->j, e))
			put_value(p, NULL, e, gov, action);
		json_close_array(&p->jb);
	}
	p->depth--;
}

static void put_value(struct output_privacy *p, const char *key, const struct ejson_value *v,
		      const char *gov, enum priv_action action)
{
	size_t len;
	const char *s;

	switch (v->type) {
	case EJSON_NULL:
		/* util-json has no null; edgewatch never writes one (events.md: "absent, never null"). */
		snprintf(p->err, sizeof p->err, "a null value");
		p->bad = true;
		break;
	case EJSON_FALSE:
	case EJSON_TRUE:
		json_bool(&p->jb, key, v->type == EJSON_TRUE);
		break;
	case EJSON_NUMBER:
		put_number(p, key, v->num);
		break;
	case EJSON_STRING:
		s = ejson_string(p->j, v, &len);
		put_string(p, key, s, len, action);
		break;
	case EJSON_ARRAY:
	case EJSON_OBJECT:
		put_container(p, key, v, gov, action);
		break;
	}
}

/* The facts about the whole line that decide() needs: its type, whether its server is inside. */
static void line_facts(struct output_privacy *p, const struct ejson_value *root)
{
	const char *dest = ejson_string(p->j, ejson_get(p->j, root, "dest_ip"), NULL);
	const char *type = ejson_string(p->j, ejson_get(p->j, root, "event_type"), NULL);
	struct ew_addr a;

	p->event_type = type != NULL ? type : "";
	p->server_inside = dest != NULL && parse_addr(dest, strlen(dest), &a) &&
			   ew_cidr_list_contains(&p->home, &a);
}

static int drop(struct output_privacy *p, const char *why)
{
	if (why != NULL)
		snprintf(p->err, sizeof p->err, "%s", why);
	p->dropped++;
	if (p->tally != NULL)
		atomic_fetch_add(&p->tally->dropped, 1);
	return -1;
}

int output_privacy_filter(struct output_privacy *p, const char *line, size_t len,
			  const char **out, size_t *out_len)
{
	const struct ejson_value *root;

	*out = NULL;
	*out_len = 0;
	p->err[0] = '\0';
	p->bad = false;
	p->depth = 0;
	if (ejson_parse(p->j, line, len) != 0) {
		char why[PRIV_ERRLEN];

		snprintf(why, sizeof why, "not JSON (%s)", ejson_error(p->j));
		return drop(p, why);
	}
	root = ejson_root(p->j);
	if (root->type != EJSON_OBJECT)
		return drop(p, "not a JSON object");
	line_facts(p, root);
	json_reset(&p->jb);
	put_container(p, NULL, root, "", PA_TEXT);
	if (p->bad)
		return drop(p, NULL);
	if (p->jb.err || p->jb.depth != 0)
		return drop(p, "too deep or too long to write again");
	p->lines++;
	if (p->tally != NULL)
		atomic_fetch_add(&p->tally->lines, 1);
	*out = p->jb.data;
	*out_len = p->jb.len;
	return 0;
}

const char *output_privacy_error(const struct output_privacy *p)
{
	return p->err;
}

uint64_t output_privacy_lines(const struct output_privacy *p)
{
	return p->lines;
}

uint64_t output_privacy_dropped(const struct output_privacy *p)
{
	return p->dropped;
}

struct output_privacy *output_privacy_create(const struct output_privacy_config *cfg, char *err,
					     size_t errlen)
{
	struct output_privacy *p;

	if (cfg->level != EW_PRIVACY_PSEUDONYMISED && cfg->level != EW_PRIVACY_MINIMAL) {
		snprintf(err, errlen, "privacy filter: level must be pseudonymised or minimal");
		return NULL;
	}
	if (cfg->key == NULL || cfg->key_len == 0 || cfg->key_len > QKEY_MAX_BYTES) {
		snprintf(err, errlen, "privacy filter: the key must be 1..%d bytes", QKEY_MAX_BYTES);
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		goto oom;
	p->level = cfg->level;
	memcpy(p->key, cfg->key, cfg->key_len);
	p->key_len = cfg->key_len;
	p->tally = cfg->tally;
	json_init(&p->jb);
	if (cfg->home_networks != NULL && ew_cidr_list_copy(&p->home, cfg->home_networks) != 0)
		goto oom;
	if ((p->j = ejson_create()) == NULL)
		goto oom;
	return p;
oom:
	output_privacy_destroy(p);
	snprintf(err, errlen, "privacy filter: out of memory");
	return NULL;
}

void output_privacy_destroy(struct output_privacy *p)
{
	if (p == NULL)
		return;
	OPENSSL_cleanse(p->key, sizeof p->key);
	ew_cidr_list_free(&p->home);
	ejson_destroy(p->j);
	json_free(&p->jb);
	free(p->tmp);
	free(p);
}

/* ---- the wrapping sink ---- */

struct privacy_sink {
	struct output_sink base; /* first: the ops see a struct output_sink */
	struct output_ops ops;   /* privacy_ops named as the inner sink, for the queue's stats */
	struct output_sink *inner;
	struct output_privacy *filter;
	char error[PRIV_ERRLEN + 32];
	bool failed;
};

static int psink_write_line(struct output_sink *s, const char *line, size_t len)
{
	struct privacy_sink *ps = (struct privacy_sink *)s;
	const char *out;
	size_t out_len;

	if (output_privacy_filter(ps->filter, line, len, &out, &out_len) != 0) {
		snprintf(ps->error, sizeof ps->error, "privacy: line dropped: %s",
			 output_privacy_error(ps->filter));
		ps->failed = true;
		return -1;
	}
	return ps->inner->ops->write_line(ps->inner, out, out_len);
}

static int psink_flush(struct output_sink *s)
{
	struct privacy_sink *ps = (struct privacy_sink *)s;

	return ps->inner->ops->flush(ps->inner);
}

static int psink_close(struct output_sink *s, char *err, size_t errlen)
{
	struct privacy_sink *ps = (struct privacy_sink *)s;
	int rc = ps->inner->ops->close(ps->inner, err, errlen);

	if (rc == 0 && ps->failed) {
		snprintf(err, errlen, "%s (%llu dropped in all)", ps->error,
			 (unsigned long long)output_privacy_dropped(ps->filter));
		rc = -1;
	}
	output_privacy_destroy(ps->filter);
	free(ps);
	return rc;
}

static const char *psink_error(const struct output_sink *s)
{
	const struct privacy_sink *ps = (const struct privacy_sink *)s;
	const char *inner = ps->inner->ops->error(ps->inner);

	return inner[0] != '\0' ? inner : ps->error;
}

static int psink_reopen(struct output_sink *s)
{
	struct privacy_sink *ps = (struct privacy_sink *)s;

	return ps->inner->ops->reopen != NULL ? ps->inner->ops->reopen(ps->inner) : 0;
}

static const struct output_ops privacy_ops = {
	.name = "privacy", /* replaced by the inner sink's name */
	.write_line = psink_write_line,
	.flush = psink_flush,
	.close = psink_close,
	.error = psink_error,
	.reopen = psink_reopen,
};

struct output_sink *output_privacy_wrap(struct output_sink *inner,
					const struct output_privacy_config *cfg, char *err,
					size_t errlen)
{
	struct privacy_sink *ps = calloc(1, sizeof(*ps));

	if (ps == NULL) {
		snprintf(err, errlen, "privacy filter: out of memory");
		return NULL;
	}
	ps->filter = output_privacy_create(cfg, err, errlen);
	if (ps->filter == NULL) {
		free(ps);
		return NULL;
	}
	ps->ops = privacy_ops;
	ps->ops.name = inner->ops->name;
	ps->base.ops = &ps->ops;
	ps->inner = inner;
	return &ps->base;
}
