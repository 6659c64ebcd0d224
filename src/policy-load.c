/*
 * policy-load.c - reads and checks a segmentation policy file (see
 * policy.h; the language is in docs/policy.md).
 *
 * The discipline of the other loaders: a first pass that only decides
 * the text is YAML we are willing to read (util-yaml.h), then a walk of
 * the one shape a file has - a mapping of "zones", "default" and
 * "rules" - checking every key and value as it goes.  Rules may name
 * zones defined further down, so zone names in rules are resolved once
 * the whole mapping is read, each error still at the rule's own node.
 * The first problem stops the load; the policy is handed out only whole.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incident.h"
#include "policy-mud.h"
#include "policy-private.h"
#include "util-yaml.h"

/* policy, zones, zone, list: four levels; room to spare, no more. */
#define POLICY_MAX_DEPTH 6

struct loader {
	struct yread y;
	struct policy *p;
	/* Zone names of each rule, resolved after the whole file is read. */
	yaml_mark_t (*zone_mark)[2];
	char (*zone_ref)[2][POLICY_NAME_MAX + 1];
};

enum { ROOT_ZONES = 0, ROOT_DEFAULT, ROOT_RULES, ROOT_MUD, ROOT_COUNT };
static const char *const root_keys[ROOT_COUNT] = { "zones", "default", "rules", "mud" };
static const struct yread_keys root_key_set = { root_keys, ROOT_COUNT, "",
						" (valid: zones, default, rules, mud)" };

enum { MK_FILE = 0, MK_SEVERITY, MK_COUNT };
static const char *const mud_keys[MK_COUNT] = { "file", "severity" };
static const struct yread_keys mud_key_set = { mud_keys, MK_COUNT, "mud: ", " in a mud entry" };

enum { ZK_CIDRS = 0, ZK_VLANS, ZK_COUNT };
static const char *const zone_keys[ZK_COUNT] = { "cidrs", "vlans" };
static const struct yread_keys zone_key_set = { zone_keys, ZK_COUNT, "", " in a zone" };

enum {
	RK_ID = 0, RK_FROM, RK_TO, RK_CLASS, RK_PROTO, RK_PORTS, RK_ACTION, RK_SEVERITY, RK_COUNT
};
static const char *const rule_keys[RK_COUNT] = {
	"id", "from", "to", "class", "proto", "ports", "action", "severity",
};
static const struct yread_keys rule_key_set = { rule_keys, RK_COUNT, "", " in a rule" };

static const char *sv(const yaml_event_t *ev)
{
	return (const char *)ev->data.scalar.value;
}

static size_t sn(const yaml_event_t *ev)
{
	return ev->data.scalar.length;
}

static bool name_ok(const char *s, size_t n)
{
	return policy_name_ok(s, n, POLICY_NAME_MAX);
}

static int bad_name(struct loader *ld, const yaml_event_t *ev, const char *what, int max)
{
	char q[YREAD_QUOTE_MAX + 4];

	return yread_error_at(&ld->y, ev->start_mark,
			      "%s '%s' is not 1 to %d lower-case letters, digits, '-' or '_'", what,
			      yread_quote(q, sv(ev), sn(ev)), max);
}

/* ------------------------------------------------------------- zones */

struct zone_draft {
	struct loader *ld;
	struct policy_zone *z;
};

static int zone_cidr(void *ctx, const yaml_event_t *ev)
{
	struct zone_draft *zd = ctx;
	char q[YREAD_QUOTE_MAX + 4], text[64], why[128];
	struct ew_cidr c;

	if (ev->type != YAML_SCALAR_EVENT || yread_is_null(ev))
		return yread_error_at(&zd->ld->y, ev->start_mark,
				      "cidrs: expected an address block, found %s",
				      yread_is_null(ev) ? "nothing" : yread_node_kind(ev));
	if (zd->z->cidrs.n == POLICY_LIST_MAX)
		return yread_error_at(&zd->ld->y, ev->start_mark, "cidrs: more than %d blocks",
				      POLICY_LIST_MAX);
	if (sn(ev) >= sizeof(text) || memchr(sv(ev), '\0', sn(ev)) != NULL ||
	    ew_cidr_parse(memcpy(text, sv(ev), sn(ev) + 1), &c, why, sizeof(why)) != 0)
		return yread_error_at(&zd->ld->y, ev->start_mark, "cidrs: '%s' is not an address block%s%s",
				      yread_quote(q, sv(ev), sn(ev)),
				      sn(ev) < sizeof(text) ? ": " : "",
				      sn(ev) < sizeof(text) ? why : "");
	if (ew_cidr_list_add(&zd->z->cidrs, &c) != 0)
		return yread_error(&zd->ld->y, "out of memory");
	return 0;
}

static int zone_vlan(void *ctx, const yaml_event_t *ev)
{
	struct zone_draft *zd = ctx;
	uint64_t v;

	if (ev->type != YAML_SCALAR_EVENT)
		return yread_error_at(&zd->ld->y, ev->start_mark,
				      "vlans: expected a VLAN id, found %s", yread_node_kind(ev));
	if (yread_uint(&zd->ld->y, "vlans", ev, 1, 4094, &v) < 0)
		return -1;
	if (zd->z->nvlans == POLICY_LIST_MAX)
		return yread_error_at(&zd->ld->y, ev->start_mark, "vlans: more than %d ids",
				      POLICY_LIST_MAX);
	if (zd->z->vlans == NULL &&
	    (zd->z->vlans = calloc(POLICY_LIST_MAX, sizeof(*zd->z->vlans))) == NULL)
		return yread_error(&zd->ld->y, "out of memory");
	zd->z->vlans[zd->z->nvlans++] = (uint16_t)v;
	return 0;
}

/* A list value: the sequence start, then item() for each; key names it. */
static int read_list(struct yread *y, const char *key, int (*item)(void *, const yaml_event_t *),
		     void *ctx)
{
	yaml_event_t ev;
	int rc;

	if (yread_next(y, &ev) < 0)
		return -1;
	if (ev.type != YAML_SEQUENCE_START_EVENT) {
		rc = yread_error_at(y, ev.start_mark, "%s: expected a sequence, found %s", key,
				    yread_is_null(&ev) ? "nothing" : yread_node_kind(&ev));
		yaml_event_delete(&ev);
		return rc;
	}
	yaml_event_delete(&ev);
	return yread_sequence(y, item, ctx);
}

static int zone_value(void *ctx, int k)
{
	struct zone_draft *zd = ctx;

	return read_list(&zd->ld->y, zone_keys[k], k == ZK_CIDRS ? zone_cidr : zone_vlan, zd);
}

/* One "name: {cidrs: [...], vlans: [...]}" pair of the zones mapping. */
static int zone_pair(void *ctx, const yaml_event_t *key)
{
	struct loader *ld = ctx;
	struct policy *p = ld->p;
	struct zone_draft zd = { ld, NULL };
	char q[YREAD_QUOTE_MAX + 4];
	yaml_event_t ev;
	uint32_t seen = 0;
	int rc;

	if (key->type != YAML_SCALAR_EVENT)
		return yread_error_at(&ld->y, key->start_mark, "a zone name must be a scalar, not %s",
				      yread_node_kind(key));
	if (!name_ok(sv(key), sn(key)))
		return bad_name(ld, key, "zone name", POLICY_NAME_MAX);
	if (yread_is_word(key, POLICY_ZONE_INTERNET) || yread_is_word(key, POLICY_ZONE_UNZONED) ||
	    yread_is_word(key, "any"))
		return yread_error_at(&ld->y, key->start_mark, "zone '%s' is built in",
				      yread_quote(q, sv(key), sn(key)));
	for (size_t i = 0; i < p->nzones; i++)
		if (strcmp(p->zone[i].name, sv(key)) == 0)
			return yread_error_at(&ld->y, key->start_mark,
					      "duplicate zone '%s' (first on line %u)", sv(key),
					      (unsigned)p->zone[i].line);
	if (p->nzones == POLICY_ZONES_MAX)
		return yread_error_at(&ld->y, key->start_mark, "more than %d zones",
				      POLICY_ZONES_MAX);
	if (p->nzones == p->zcap) {
		size_t cap = p->zcap == 0 ? 8 : p->zcap * 2;
		struct policy_zone *z = realloc(p->zone, cap * sizeof(*z));

		if (z == NULL)
			return yread_error(&ld->y, "out of memory");
		p->zone = z;
		p->zcap = cap;
	}
	zd.z = &p->zone[p->nzones++];
	memset(zd.z, 0, sizeof(*zd.z));
	memcpy(zd.z->name, sv(key), sn(key));
	zd.z->line = (uint32_t)key->start_mark.line + 1;
	if (yread_next(&ld->y, &ev) < 0)
		return -1;
	if (ev.type != YAML_MAPPING_START_EVENT) {
		rc = yread_error_at(&ld->y, ev.start_mark,
				    "zone '%s': expected a mapping with 'cidrs' and/or 'vlans', "
				    "found %s", zd.z->name,
				    yread_is_null(&ev) ? "nothing" : yread_node_kind(&ev));
		yaml_event_delete(&ev);
		return rc;
	}
	yaml_event_delete(&ev);
	if (yread_keyed_mapping(&ld->y, &zone_key_set, &seen, zone_value, &zd) < 0)
		return -1;
	if (zd.z->cidrs.n == 0 && zd.z->nvlans == 0)
		return yread_error_at(&ld->y, key->start_mark,
				      "zone '%s': needs at least one of 'cidrs' or 'vlans'",
				      zd.z->name);
	return 0;
}

/* ------------------------------------------------------------- rules */

struct rule_draft {
	struct loader *ld;
	struct policy_rule *r;
	yaml_mark_t start;
	uint32_t seen;
};

static int rule_id(struct rule_draft *dr)
{
	struct loader *ld = dr->ld;
	yaml_event_t ev;
	int rc = 0;

	if (yread_scalar(&ld->y, "id", "a string", &ev) < 0)
		return -1;
	if (!name_ok(sv(&ev), sn(&ev)))
		rc = bad_name(ld, &ev, "id:", POLICY_NAME_MAX);
	for (size_t i = 0; rc == 0 && i + 1 < ld->p->nrules; i++)
		if (strcmp(ld->p->rule[i].id, sv(&ev)) == 0)
			rc = yread_error_at(&ld->y, ev.start_mark,
					    "duplicate rule id '%s' (first on line %u)", sv(&ev),
					    (unsigned)ld->p->rule[i].line);
	if (rc == 0)
		memcpy(dr->r->id, sv(&ev), sn(&ev));
	yaml_event_delete(&ev);
	return rc;
}

/* from / to: kept as text, resolved when every zone is known. */
static int rule_zone(struct rule_draft *dr, int side)
{
	struct loader *ld = dr->ld;
	size_t idx = ld->p->nrules - 1;
	yaml_event_t ev;
	int rc = 0;

	if (yread_scalar(&ld->y, side ? "to" : "from", "a zone name", &ev) < 0)
		return -1;
	if (!name_ok(sv(&ev), sn(&ev)))
		rc = bad_name(ld, &ev, side ? "to: zone" : "from: zone", POLICY_NAME_MAX);
	else {
		memcpy(ld->zone_ref[idx][side], sv(&ev), sn(&ev));
		ld->zone_ref[idx][side][sn(&ev)] = '\0';
		ld->zone_mark[idx][side] = ev.start_mark;
	}
	yaml_event_delete(&ev);
	return rc;
}

static int rule_class(void *ctx, const yaml_event_t *ev)
{
	struct rule_draft *dr = ctx;
	struct policy_rule *r = dr->r;

	if (ev->type != YAML_SCALAR_EVENT || yread_is_null(ev))
		return yread_error_at(&dr->ld->y, ev->start_mark,
				      "class: expected a device class, found %s",
				      yread_is_null(ev) ? "nothing" : yread_node_kind(ev));
	/* Classes are 23 bytes at most in the device table (device.h). */
	if (!name_ok(sv(ev), sn(ev)) || sn(ev) > POLICY_CLASS_MAX)
		return bad_name(dr->ld, ev, "class:", POLICY_CLASS_MAX);
	if (r->nclasses == POLICY_LIST_MAX)
		return yread_error_at(&dr->ld->y, ev->start_mark, "class: more than %d classes",
				      POLICY_LIST_MAX);
	if (r->classes == NULL && (r->classes = calloc(POLICY_LIST_MAX, sizeof(*r->classes))) == NULL)
		return yread_error(&dr->ld->y, "out of memory");
	memcpy(r->classes[r->nclasses++], sv(ev), sn(ev));
	return 0;
}

/* "443" or "8000-8999" (a string, or a plain integer). */
static int rule_port(void *ctx, const yaml_event_t *ev)
{
	struct rule_draft *dr = ctx;
	struct policy_rule *r = dr->r;
	char q[YREAD_QUOTE_MAX + 4];
	const char *s, *dash;
	uint64_t lo, hi;

	if (ev->type != YAML_SCALAR_EVENT || yread_is_null(ev))
		return yread_error_at(&dr->ld->y, ev->start_mark,
				      "ports: expected a port or a range, found %s",
				      yread_is_null(ev) ? "nothing" : yread_node_kind(ev));
	s = sv(ev);
	dash = memchr(s, '-', sn(ev));
	if (dash == NULL) {
		if (!yread_decimal(s, sn(ev), &lo))
			goto bad;
		hi = lo;
	} else if (!yread_decimal(s, (size_t)(dash - s), &lo) ||
		   !yread_decimal(dash + 1, sn(ev) - (size_t)(dash - s) - 1, &hi)) {
		goto bad;
	}
	if (lo > 65535 || hi > 65535 || lo > hi)
		return yread_error_at(&dr->ld->y, ev->start_mark,
				      "ports: '%s' is out of range 0..65535 or not LO-HI with LO <= HI",
				      yread_quote(q, s, sn(ev)));
	if (r->nports == POLICY_LIST_MAX)
		return yread_error_at(&dr->ld->y, ev->start_mark, "ports: more than %d items",
				      POLICY_LIST_MAX);
	if (r->ports == NULL && (r->ports = calloc(POLICY_LIST_MAX, sizeof(*r->ports))) == NULL)
		return yread_error(&dr->ld->y, "out of memory");
	r->ports[r->nports].lo = (uint16_t)lo;
	r->ports[r->nports++].hi = (uint16_t)hi;
	return 0;
bad:
	return yread_error_at(&dr->ld->y, ev->start_mark,
			      "ports: '%s' is not a port number or a range like 8000-8999",
			      yread_quote(q, s, sn(ev)));
}

static int rule_proto(struct rule_draft *dr)
{
	struct loader *ld = dr->ld;
	char q[YREAD_QUOTE_MAX + 4];
	yaml_event_t ev;
	uint64_t n;
	int rc = 0;

	if (yread_scalar(&ld->y, "proto", "a protocol", &ev) < 0)
		return -1;
	if (yread_is_word(&ev, "tcp"))
		dr->r->proto = EW_IPPROTO_TCP;
	else if (yread_is_word(&ev, "udp"))
		dr->r->proto = EW_IPPROTO_UDP;
	else if (yread_is_word(&ev, "icmp"))
		dr->r->proto = POLICY_PROTO_ICMP;
	else if (yread_is_word(&ev, "any"))
		dr->r->proto = POLICY_PROTO_ANY;
	else if (yread_decimal(sv(&ev), sn(&ev), &n) && n <= 255)
		dr->r->proto = (int)n;
	else
		rc = yread_error_at(&ld->y, ev.start_mark,
				    "proto: '%s' is not tcp, udp, icmp, any or a number 0..255",
				    yread_quote(q, sv(&ev), sn(&ev)));
	yaml_event_delete(&ev);
	return rc;
}

static int rule_action(struct rule_draft *dr)
{
	struct loader *ld = dr->ld;
	char q[YREAD_QUOTE_MAX + 4];
	yaml_event_t ev;
	int rc = 0;

	if (yread_scalar(&ld->y, "action", "allow or deny", &ev) < 0)
		return -1;
	if (yread_is_word(&ev, "allow") || yread_is_word(&ev, "deny"))
		dr->r->allow = yread_is_word(&ev, "allow");
	else
		rc = yread_error_at(&ld->y, ev.start_mark, "action: '%s' is not allow or deny",
				    yread_quote(q, sv(&ev), sn(&ev)));
	yaml_event_delete(&ev);
	return rc;
}

static int severity_value(struct loader *ld, const char *key, uint8_t *out)
{
	char q[YREAD_QUOTE_MAX + 4];
	yaml_event_t ev;
	int rc = -1;

	if (yread_scalar(&ld->y, key, "a severity", &ev) < 0)
		return -1;
	for (int s = SEV_INFO; s < SEV_COUNT; s++)
		if (yread_is_word(&ev, ew_severity_name((enum ew_severity)s))) {
			*out = (uint8_t)s;
			rc = 0;
		}
	if (rc < 0)
		yread_error_at(&ld->y, ev.start_mark,
			       "%s: '%s' is not info, low, medium, high or critical", key,
			       yread_quote(q, sv(&ev), sn(&ev)));
	yaml_event_delete(&ev);
	return rc;
}

static int rule_value(void *ctx, int k)
{
	struct rule_draft *dr = ctx;

	switch (k) {
	case RK_ID: return rule_id(dr);
	case RK_FROM: return rule_zone(dr, 0);
	case RK_TO: return rule_zone(dr, 1);
	case RK_CLASS: return read_list(&dr->ld->y, "class", rule_class, dr);
	case RK_PROTO: return rule_proto(dr);
	case RK_PORTS: return read_list(&dr->ld->y, "ports", rule_port, dr);
	case RK_ACTION: return rule_action(dr);
	case RK_SEVERITY: return severity_value(dr->ld, "severity", &dr->r->severity);
	default: return yread_error(&dr->ld->y, "internal error: rule key %d", k);
	}
}

/* Room for one more rule and its zone references. */
static int grow_rules(struct loader *ld, yaml_mark_t at)
{
	struct policy *p = ld->p;
	size_t cap = p->rcap == 0 ? 16 : p->rcap * 2;
	struct policy_rule *r;
	void *m, *z;

	if (p->nrules == POLICY_RULES_MAX)
		return yread_error_at(&ld->y, at, "more than %d rules", POLICY_RULES_MAX);
	if (p->nrules < p->rcap)
		return 0;
	if (cap > POLICY_RULES_MAX)
		cap = POLICY_RULES_MAX;
	r = realloc(p->rule, cap * sizeof(*r));
	if (r != NULL)
		p->rule = r;
	m = realloc(ld->zone_mark, cap * sizeof(*ld->zone_mark));
	if (m != NULL)
		ld->zone_mark = m;
	z = realloc(ld->zone_ref, cap * sizeof(*ld->zone_ref));
	if (z != NULL)
		ld->zone_ref = z;
	if (r == NULL || m == NULL || z == NULL)
		return yread_error(&ld->y, "out of memory");
	p->rcap = cap;
	return 0;
}

static int load_rule(void *ctx, const yaml_event_t *map)
{
	static const uint32_t required = 1u << RK_ID | 1u << RK_FROM | 1u << RK_TO |
					 1u << RK_ACTION;
	struct loader *ld = ctx;
	struct rule_draft dr = { ld, NULL, map->start_mark, 0 };
	size_t idx;

	if (grow_rules(ld, map->start_mark) < 0)
		return -1;
	idx = ld->p->nrules++;
	dr.r = &ld->p->rule[idx];
	memset(dr.r, 0, sizeof(*dr.r));
	memset(ld->zone_ref[idx], 0, sizeof(ld->zone_ref[idx]));
	dr.r->line = (uint32_t)map->start_mark.line + 1;
	dr.r->proto = POLICY_PROTO_ANY;
	dr.r->severity = SEV_MEDIUM;
	if (yread_keyed_mapping(&ld->y, &rule_key_set, &dr.seen, rule_value, &dr) < 0)
		return -1;
	if (yread_require(&ld->y, dr.start, "rule", dr.r->id[0] ? dr.r->id : NULL, &rule_key_set,
			  required, dr.seen) < 0)
		return -1;
	if (dr.r->allow && (dr.seen & 1u << RK_SEVERITY))
		return yread_error_at(&ld->y, dr.start, "rule '%s': severity is for deny rules",
				      dr.r->id);
	if (dr.r->nports > 0 && dr.r->proto != POLICY_PROTO_ANY &&
	    dr.r->proto != EW_IPPROTO_TCP && dr.r->proto != EW_IPPROTO_UDP)
		return yread_error_at(&ld->y, dr.start,
				      "rule '%s': ports need proto tcp, udp or any", dr.r->id);
	return 0;
}

/* -------------------------------------------------------------- mud */

static int severity_value(struct loader *ld, const char *key, uint8_t *out);

struct mud_draft {
	struct loader *ld;
	struct policy_mud_entry *me;
	yaml_mark_t file_mark;
	char path[POLICY_MUD_PATH_MAX + 1];
};

/* The MUD file's path: relative to the policy file's directory. */
static int mud_path(struct mud_draft *md, const yaml_event_t *ev)
{
	struct loader *ld = md->ld;
	const char *slash = strrchr(ld->y.name, '/');
	size_t dir = slash != NULL && sv(ev)[0] != '/' ? (size_t)(slash - ld->y.name) + 1 : 0;

	if (ev->type != YAML_SCALAR_EVENT || sn(ev) == 0 || yread_is_null(ev) ||
	    memchr(sv(ev), '\0', sn(ev)) != NULL || yread_has_control(sv(ev), sn(ev)))
		return yread_error_at(&ld->y, ev->start_mark, "mud: expected a file name, found %s",
				      ev->type == YAML_SCALAR_EVENT ? "nothing" : yread_node_kind(ev));
	if (dir + sn(ev) > POLICY_MUD_PATH_MAX)
		return yread_error_at(&ld->y, ev->start_mark, "mud: path longer than %d bytes",
				      POLICY_MUD_PATH_MAX);
	memcpy(md->path, ld->y.name, dir);
	memcpy(md->path + dir, sv(ev), sn(ev));
	md->path[dir + sn(ev)] = '\0';
	md->file_mark = ev->start_mark;
	return 0;
}

static int mud_value(void *ctx, int k)
{
	struct mud_draft *md = ctx;
	yaml_event_t ev;
	int rc;

	if (k == MK_SEVERITY)
		return severity_value(md->ld, "severity", &md->me->severity);
	if (yread_next(&md->ld->y, &ev) < 0)
		return -1;
	rc = mud_path(md, &ev);
	yaml_event_delete(&ev);
	return rc;
}

/* One "class: FILE" or "class: {file: FILE, severity: S}" pair of the mud mapping. */
static int mud_pair(void *ctx, const yaml_event_t *key)
{
	struct loader *ld = ctx;
	struct policy *p = ld->p;
	struct mud_draft md = { ld, NULL, key->start_mark, "" };
	uint32_t seen = 0;
	yaml_event_t ev;
	int rc;

	if (key->type != YAML_SCALAR_EVENT)
		return yread_error_at(&ld->y, key->start_mark, "mud: a class must be a scalar, not %s",
				      yread_node_kind(key));
	if (!name_ok(sv(key), sn(key)) || sn(key) > POLICY_CLASS_MAX)
		return bad_name(ld, key, "mud: class", POLICY_CLASS_MAX);
	for (size_t i = 0; i < p->nmud; i++)
		if (strcmp(p->mud[i].cls, sv(key)) == 0)
			return yread_error_at(&ld->y, key->start_mark, "mud: duplicate class '%s'",
					      sv(key));
	if (p->nmud == POLICY_MUD_CLASSES_MAX)
		return yread_error_at(&ld->y, key->start_mark, "mud: more than %d classes",
				      POLICY_MUD_CLASSES_MAX);
	if (p->mud == NULL && (p->mud = calloc(POLICY_MUD_CLASSES_MAX, sizeof(*p->mud))) == NULL)
		return yread_error(&ld->y, "out of memory");
	md.me = &p->mud[p->nmud++];
	memcpy(md.me->cls, sv(key), sn(key));
	md.me->severity = SEV_MEDIUM;
	if (yread_next(&ld->y, &ev) < 0)
		return -1;
	if (ev.type == YAML_MAPPING_START_EVENT) {
		rc = yread_keyed_mapping(&ld->y, &mud_key_set, &seen, mud_value, &md);
		if (rc == 0)
			rc = yread_require(&ld->y, key->start_mark, "mud entry", md.me->cls,
					   &mud_key_set, 1u << MK_FILE, seen);
	} else {
		rc = mud_path(&md, &ev);
	}
	yaml_event_delete(&ev);
	if (rc < 0)
		return -1;
	if ((md.me->file = strdup(md.path)) == NULL)
		return yread_error(&ld->y, "out of memory");
	/* The MUD file's own message (FILE:LINE:COL inside it) is the load's error. */
	if ((md.me->mud = policy_mud_load_file(md.path, ld->y.err, ld->y.errlen)) == NULL)
		return -1;
	return 0;
}

/* ------------------------------------------------------------- root */

static int read_default(struct loader *ld)
{
	char q[YREAD_QUOTE_MAX + 4];
	yaml_event_t ev;
	int rc = 0;

	if (yread_scalar(&ld->y, "default", "allow or deny", &ev) < 0)
		return -1;
	if (yread_is_word(&ev, "allow") || yread_is_word(&ev, "deny"))
		ld->p->default_allow = yread_is_word(&ev, "allow");
	else
		rc = yread_error_at(&ld->y, ev.start_mark, "default: '%s' is not allow or deny",
				    yread_quote(q, sv(&ev), sn(&ev)));
	yaml_event_delete(&ev);
	return rc;
}

static int root_value(void *ctx, int k)
{
	struct loader *ld = ctx;
	yaml_event_t ev;
	int rc;

	if (k == ROOT_DEFAULT)
		return read_default(ld);
	if (yread_next(&ld->y, &ev) < 0)
		return -1;
	if (k == ROOT_ZONES && ev.type == YAML_MAPPING_START_EVENT)
		rc = yread_mapping(&ld->y, zone_pair, ld);
	else if (k == ROOT_MUD && ev.type == YAML_MAPPING_START_EVENT)
		rc = yread_mapping(&ld->y, mud_pair, ld);
	else if (k == ROOT_RULES && ev.type == YAML_SEQUENCE_START_EVENT)
		rc = yread_mappings(&ld->y, "rule", load_rule, ld);
	else
		rc = yread_error_at(&ld->y, ev.start_mark, "%s: expected a %s, found %s",
				    root_keys[k], k != ROOT_RULES ? "mapping" : "sequence",
				    yread_is_null(&ev) ? "nothing" : yread_node_kind(&ev));
	yaml_event_delete(&ev);
	return rc;
}

/* Every rule's zone names, now that every zone is known. */
static int resolve_zones(struct loader *ld)
{
	struct policy *p = ld->p;

	for (size_t i = 0; i < p->nrules; i++) {
		for (int side = 0; side < 2; side++) {
			const char *name = ld->zone_ref[i][side];
			int z = policy_zone_find(p, name, strlen(name));

			if (z == -2)
				return yread_error_at(&ld->y, ld->zone_mark[i][side],
						      "%s: unknown zone '%s'", side ? "to" : "from",
						      name);
			if (side)
				p->rule[i].to = z;
			else
				p->rule[i].from = z;
		}
	}
	return 0;
}

static int root(void *ctx, const yaml_event_t *ev)
{
	struct loader *ld = ctx;
	uint32_t seen = 0;

	if (ev->type != YAML_MAPPING_START_EVENT)
		return yread_error_at(&ld->y, ev->start_mark,
				      "expected a mapping with 'zones', 'default' and 'rules'");
	if (yread_keyed_mapping(&ld->y, &root_key_set, &seen, root_value, ld) < 0)
		return -1;
	return resolve_zones(ld);
}

static int load_pass(void *ctx)
{
	struct loader *ld = ctx;

	return yread_document(&ld->y, "no policy: expected a mapping with 'zones', 'default' "
				      "and 'rules'", root, ld);
}

void policy_free(struct policy *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->nzones; i++) {
		ew_cidr_list_free(&p->zone[i].cidrs);
		free(p->zone[i].vlans);
	}
	for (size_t i = 0; i < p->nrules; i++) {
		free(p->rule[i].classes);
		free(p->rule[i].ports);
	}
	for (size_t i = 0; i < p->nmud; i++) {
		free(p->mud[i].file);
		policy_mud_free(p->mud[i].mud);
	}
	free(p->mud);
	free(p->zone);
	free(p->rule);
	ew_cidr_list_free(&p->home);
	free(p);
}

/* An empty policy (default allow) with its own copy of home; NULL when out of memory. */
static struct policy *policy_new(const struct ew_cidr_list *home)
{
	struct policy *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	p->default_allow = true;
	p->default_severity = SEV_MEDIUM;
	if (home != NULL && ew_cidr_list_copy(&p->home, home) != 0) {
		free(p);
		return NULL;
	}
	return p;
}

struct policy *policy_load_buffer(const char *name, const char *text, size_t len,
				  const struct ew_cidr_list *home, char *err, size_t errlen)
{
	struct loader ld;
	int rc;

	memset(&ld, 0, sizeof(ld));
	yread_init(&ld.y, name != NULL ? name : "(policy)", text, len, err, errlen);
	if (ld.y.len > POLICY_FILE_MAX) {
		yread_error(&ld.y, "larger than %u bytes", POLICY_FILE_MAX);
		return NULL;
	}
	if (yread_check(&ld.y, POLICY_MAX_DEPTH) < 0)
		return NULL;
	if ((ld.p = policy_new(home)) == NULL) {
		yread_error(&ld.y, "out of memory");
		return NULL;
	}
	rc = yread_run(&ld.y, load_pass, &ld);
	free(ld.zone_mark);
	free(ld.zone_ref);
	if (rc < 0) {
		policy_free(ld.p);
		return NULL;
	}
	return ld.p;
}

struct policy *policy_load_file(const char *path, const struct ew_cidr_list *home, char *err,
				size_t errlen)
{
	struct policy *p;
	char *text;
	size_t len;

	if (yread_file(path, POLICY_FILE_MAX, "larger than", &text, &len, err, errlen) < 0)
		return NULL;
	p = policy_load_buffer(path, text, len, home, err, errlen);
	free(text);
	return p;
}

struct policy *policy_from_home(const struct ew_cidr_list *home)
{
	struct policy *p = policy_new(home);
	size_t n = home != NULL ? home->n : 0;

	if (p == NULL)
		return NULL;
	if (n > POLICY_ZONES_MAX)
		n = POLICY_ZONES_MAX;
	if (n > 0 && (p->zone = calloc(n, sizeof(*p->zone))) == NULL)
		goto fail;
	p->zcap = n;
	for (size_t i = 0; i < n; i++) {
		struct policy_zone *z = &p->zone[p->nzones++];

		snprintf(z->name, sizeof(z->name), "home%zu", i + 1);
		if (ew_cidr_list_add(&z->cidrs, &home->v[i]) != 0)
			goto fail;
	}
	return p;
fail:
	policy_free(p);
	return NULL;
}
