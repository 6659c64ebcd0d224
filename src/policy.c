/*
 * policy.c - the verdict of a segmentation policy on a flow, and the
 * learned set of flows that policy_export() turns into a starting
 * policy (see policy.h; the loader is policy-load.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy-mud.h"
#include "policy-private.h"

const char *policy_zone_name(const struct policy *p, int z)
{
	if (z == POLICY_Z_ANY)
		return "any";
	if (z >= 0 && (size_t)z < p->nzones)
		return p->zone[z].name;
	return z == policy_z_internet(p) ? POLICY_ZONE_INTERNET : POLICY_ZONE_UNZONED;
}

int policy_zone_find(const struct policy *p, const char *name, size_t n)
{
	for (size_t i = 0; i < p->nzones; i++)
		if (strlen(p->zone[i].name) == n && memcmp(p->zone[i].name, name, n) == 0)
			return (int)i;
	if (n == 3 && memcmp(name, "any", 3) == 0)
		return POLICY_Z_ANY;
	if (n == strlen(POLICY_ZONE_INTERNET) && memcmp(name, POLICY_ZONE_INTERNET, n) == 0)
		return policy_z_internet(p);
	if (n == strlen(POLICY_ZONE_UNZONED) && memcmp(name, POLICY_ZONE_UNZONED, n) == 0)
		return policy_z_unzoned(p);
	return -2;
}

/*
 * First zone in file order holding a: by block, or by the flow's VLAN
 * for a home address (an Internet host is on no VLAN of ours, whatever
 * tag the frames carried across the mirror).
 */
/*
 * Multicast (224.0.0.0/4, ff00::/8) and the limited broadcast stay on the
 * segment: mDNS or SSDP is not a flow to the Internet.  Addresses are kept
 * v4-mapped (::ffff:a.b.c.d) for IPv4, as util-cidr.h says.
 */
static bool stays_local(const struct ew_addr *a)
{
	static const uint8_t v4_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (memcmp(a->bytes, v4_prefix, sizeof(v4_prefix)) == 0)
		return (a->bytes[12] & 0xf0) == 0xe0 ||
		       (a->bytes[12] == 255 && a->bytes[13] == 255 && a->bytes[14] == 255 &&
			a->bytes[15] == 255);
	return a->bytes[0] == 0xff;
}

static int zone_index(const struct policy *p, const struct ew_addr *a, uint16_t vlan)
{
	bool home = ew_cidr_list_contains(&p->home, a) || stays_local(a);

	for (size_t i = 0; i < p->nzones; i++) {
		const struct policy_zone *z = &p->zone[i];

		if (ew_cidr_list_contains(&z->cidrs, a))
			return (int)i;
		for (size_t k = 0; home && vlan != 0 && k < z->nvlans; k++)
			if (z->vlans[k] == vlan)
				return (int)i;
	}
	return home ? policy_z_unzoned(p) : policy_z_internet(p);
}

const char *policy_zone_of(const struct policy *p, const struct ew_addr *a, uint16_t vlan)
{
	return policy_zone_name(p, zone_index(p, a, vlan));
}

static bool proto_matches(int rule_proto, uint8_t proto)
{
	if (rule_proto == POLICY_PROTO_ANY)
		return true;
	if (rule_proto == POLICY_PROTO_ICMP)
		return proto == EW_IPPROTO_ICMP || proto == EW_IPPROTO_ICMPV6;
	return rule_proto == proto;
}

/*
 * A class a rule cannot name (none, or one spelled outside [a-z0-9_-] by
 * a custom fingerprint rule) is "unknown", here and in the learned set,
 * so that an exported policy matches the devices it was learned from.
 */
static const char *class_of(const char *cls)
{
	if (cls == NULL || !policy_name_ok(cls, strlen(cls), POLICY_CLASS_MAX))
		return "";
	return cls;
}

static bool class_matches(const struct policy_rule *r, const char *cls)
{
	if (r->nclasses == 0)
		return true;
	cls = class_of(cls);
	for (size_t i = 0; i < r->nclasses; i++) {
		/* "unknown" names the devices no fingerprint rule classified. */
		if (strcmp(r->classes[i], cls) == 0 ||
		    (cls[0] == '\0' && strcmp(r->classes[i], "unknown") == 0))
			return true;
	}
	return false;
}

static bool port_matches(const struct policy_rule *r, uint8_t proto, uint16_t port)
{
	if (r->nports == 0)
		return true;
	/* Ports name TCP and UDP services: a rule with ports says nothing of ICMP. */
	if (proto != EW_IPPROTO_TCP && proto != EW_IPPROTO_UDP)
		return false;
	for (size_t i = 0; i < r->nports; i++)
		if (port >= r->ports[i].lo && port <= r->ports[i].hi)
			return true;
	return false;
}

/*
 * The profile of one end of the flow: the one whose mud-url the device
 * announced (RFC 8520's own way of naming a device's profile, and more
 * precise than a class guessed from its traffic), else its class's.
 */
static const struct policy_mud_entry *mud_entry_of(const struct policy *p, const char *url,
						   const char *cls, bool *by_url)
{
	*by_url = false;
	if (url != NULL && url[0] != '\0')
		for (size_t i = 0; i < p->nmud; i++)
			if (strcmp(policy_mud_url(p->mud[i].mud), url) == 0) {
				*by_url = true;
				return &p->mud[i];
			}
	if (cls[0] == '\0')
		return NULL;
	for (size_t i = 0; i < p->nmud; i++)
		if (strcmp(p->mud[i].cls, cls) == 0)
			return &p->mud[i];
	return NULL;
}

/*
 * The MUD profile of one end, if it has one, on the flow: the client's
 * from-device side (a flow it opened) or the server's to-device side (a
 * flow opened to it).  A profile without a to-device side does not judge.
 */
static void mud_check(const struct policy *p, const struct policy_view *v,
		      enum policy_mud_dir dir, struct policy_mud_verdict *out)
{
	bool from = dir == POLICY_MUD_FROM_DEVICE, by_url;
	const struct policy_mud_entry *me =
		mud_entry_of(p, from ? v->client_mud_url : v->server_mud_url,
			     class_of(from ? v->client_class : v->server_class), &by_url);

	if (me == NULL || !policy_mud_judges(me->mud, dir))
		return;
	out->cls = me->cls;
	out->file = me->file;
	out->by_url = by_url;
	if (!policy_mud_allows(me->mud, dir, &p->home, v, out->why, sizeof(out->why))) {
		out->violation = true;
		out->severity = me->severity;
	}
}

static void mud_checks(const struct policy *p, const struct policy_view *v,
		       struct policy_verdict *out)
{
	mud_check(p, v, POLICY_MUD_FROM_DEVICE, &out->mud[POLICY_MUD_FROM_DEVICE]);
	mud_check(p, v, POLICY_MUD_TO_DEVICE, &out->mud[POLICY_MUD_TO_DEVICE]);
}

void policy_check(const struct policy *p, const struct policy_view *v,
		  struct policy_verdict *out)
{
	int cz = zone_index(p, &v->client, v->vlan), sz = zone_index(p, &v->server, v->vlan);

	memset(out, 0, sizeof(*out));
	out->client_zone = policy_zone_name(p, cz);
	out->server_zone = policy_zone_name(p, sz);
	for (size_t i = 0; i < p->nrules; i++) {
		const struct policy_rule *r = &p->rule[i];

		if ((r->from != POLICY_Z_ANY && r->from != cz) ||
		    (r->to != POLICY_Z_ANY && r->to != sz) || !proto_matches(r->proto, v->proto) ||
		    !class_matches(r, v->client_class) || !port_matches(r, v->proto, v->server_port))
			continue;
		out->rule_id = r->id;
		out->rule_line = r->line;
		out->result = r->allow ? POLICY_ALLOW : POLICY_DENY_RULE;
		out->severity = r->allow ? 0 : r->severity;
		mud_checks(p, v, out);
		return;
	}
	out->result = p->default_allow ? POLICY_ALLOW : POLICY_DENY_DEFAULT;
	out->severity = p->default_allow ? 0 : p->default_severity;
	mud_checks(p, v, out);
}

size_t policy_mud_count(const struct policy *p)
{
	return p->nmud;
}

uint32_t policy_mud_unsupported_count(const struct policy *p)
{
	uint32_t n = 0;

	for (size_t i = 0; i < p->nmud; i++)
		n += policy_mud_unsupported(p->mud[i].mud);
	return n;
}

size_t policy_zone_count(const struct policy *p)
{
	return p->nzones;
}

size_t policy_rule_count(const struct policy *p)
{
	return p->nrules;
}

/* ----------------------------------------------------------- learning */

/* One (class, from, to, proto, port) seen; zones by name, to outlive a reload. */
struct learn_tuple {
	char cls[POLICY_NAME_MAX + 1];
	char from[POLICY_NAME_MAX + 1], to[POLICY_NAME_MAX + 1];
	uint8_t proto;
	uint16_t port;
	bool used;
	uint64_t count;
};

struct policy_learn {
	struct learn_tuple *slot; /* open addressing, 2 * cap slots: never more than half full */
	uint32_t nslots, cap;
	struct policy_learn_stats st;
};

struct policy_learn *policy_learn_create(uint32_t cap)
{
	struct policy_learn *l;

	if (cap == 0 || cap > (1u << 24))
		return NULL;
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	l->cap = cap;
	l->nslots = cap * 2;
	if ((l->slot = calloc(l->nslots, sizeof(*l->slot))) == NULL) {
		free(l);
		return NULL;
	}
	return l;
}

void policy_learn_destroy(struct policy_learn *l)
{
	if (l == NULL)
		return;
	free(l->slot);
	free(l);
}

static uint64_t fnv(uint64_t h, const void *data, size_t n)
{
	const uint8_t *b = data;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

static bool tuple_same(const struct learn_tuple *a, const struct learn_tuple *b)
{
	return a->proto == b->proto && a->port == b->port && strcmp(a->cls, b->cls) == 0 &&
	       strcmp(a->from, b->from) == 0 && strcmp(a->to, b->to) == 0;
}

int policy_learn_flow(struct policy_learn *l, const struct policy *p,
		      const struct policy_view *v)
{
	struct learn_tuple t;
	uint64_t h = 0xcbf29ce484222325ull;
	const char *cls = class_of(v->client_class)[0] != '\0' ? v->client_class : "unknown";

	memset(&t, 0, sizeof(t));
	snprintf(t.cls, sizeof(t.cls), "%s", cls);
	snprintf(t.from, sizeof(t.from), "%s", policy_zone_of(p, &v->client, v->vlan));
	snprintf(t.to, sizeof(t.to), "%s", policy_zone_of(p, &v->server, v->vlan));
	/* ICMP and ICMPv6 are one protocol to the language (`icmp`). */
	t.proto = v->proto == EW_IPPROTO_ICMPV6 ? EW_IPPROTO_ICMP : v->proto;
	t.port = t.proto == EW_IPPROTO_TCP || t.proto == EW_IPPROTO_UDP ? v->server_port : 0;
	h = fnv(h, t.cls, strlen(t.cls) + 1);
	h = fnv(h, t.from, strlen(t.from) + 1);
	h = fnv(h, t.to, strlen(t.to) + 1);
	h = fnv(h, &t.proto, 1);
	h = fnv(h, &t.port, 2);
	l->st.flows++;
	for (uint32_t i = 0, s = (uint32_t)(h % l->nslots); i < l->nslots;
	     i++, s = (s + 1) % l->nslots) {
		struct learn_tuple *x = &l->slot[s];

		if (x->used && tuple_same(x, &t)) {
			x->count++;
			return 0;
		}
		if (!x->used) {
			if (l->st.tuples == l->cap) {
				l->st.dropped++;
				return -1;
			}
			*x = t;
			x->used = true;
			x->count = 1;
			l->st.tuples++;
			return 0;
		}
	}
	l->st.dropped++;
	return -1;
}

const struct policy_learn_stats *policy_learn_stats(const struct policy_learn *l)
{
	return &l->st;
}

/* ------------------------------------------------------------- export */

static int tuple_cmp(const void *pa, const void *pb)
{
	const struct learn_tuple *a = *(const struct learn_tuple *const *)pa;
	const struct learn_tuple *b = *(const struct learn_tuple *const *)pb;
	int c;

	if ((c = strcmp(a->cls, b->cls)) != 0 || (c = strcmp(a->from, b->from)) != 0 ||
	    (c = strcmp(a->to, b->to)) != 0)
		return c;
	if (a->proto != b->proto)
		return a->proto < b->proto ? -1 : 1;
	return a->port < b->port ? -1 : a->port > b->port;
}

static void write_zones(FILE *f, const struct policy *p)
{
	char block[EW_CIDR_STRLEN];

	fprintf(f, "zones:\n");
	if (p->nzones == 0)
		fprintf(f, "  {}\n");
	for (size_t i = 0; i < p->nzones; i++) {
		const struct policy_zone *z = &p->zone[i];

		/* Quoted: a zone may be called "null", which YAML reads as nothing. */
		fprintf(f, "  \"%s\":\n", z->name);
		if (z->cidrs.n > 0) {
			fprintf(f, "    cidrs: [");
			for (size_t k = 0; k < z->cidrs.n; k++) {
				ew_cidr_format(&z->cidrs.v[k], block, sizeof(block));
				fprintf(f, "%s\"%s\"", k ? ", " : "", block);
			}
			fprintf(f, "]\n");
		}
		if (z->nvlans > 0) {
			fprintf(f, "    vlans: [");
			for (size_t k = 0; k < z->nvlans; k++)
				fprintf(f, "%s%u", k ? ", " : "", (unsigned)z->vlans[k]);
			fprintf(f, "]\n");
		}
	}
}

static bool same_group(const struct learn_tuple *a, const struct learn_tuple *b)
{
	return strcmp(a->cls, b->cls) == 0 && strcmp(a->from, b->from) == 0 &&
	       strcmp(a->to, b->to) == 0 && a->proto == b->proto;
}

/* One allow rule for the tuples t[0..n) of one group (at most POLICY_LIST_MAX ports). */
static void write_rule(FILE *f, unsigned id, struct learn_tuple *const *t, size_t n)
{
	const struct learn_tuple *g = t[0];
	uint64_t flows = 0;

	for (size_t i = 0; i < n; i++)
		flows += t[i]->count;
	fprintf(f, "  # %llu flows seen\n", (unsigned long long)flows);
	fprintf(f, "  - id: learned-%u\n    from: \"%s\"\n    to: \"%s\"\n    class: [\"%s\"]\n", id,
		g->from, g->to, g->cls);
	if (g->proto == EW_IPPROTO_TCP || g->proto == EW_IPPROTO_UDP) {
		fprintf(f, "    proto: %s\n    ports: [", g->proto == EW_IPPROTO_TCP ? "tcp" : "udp");
		for (size_t i = 0; i < n; i++)
			fprintf(f, "%s%u", i ? ", " : "", (unsigned)t[i]->port);
		fprintf(f, "]\n");
	} else if (g->proto == EW_IPPROTO_ICMP) {
		fprintf(f, "    proto: icmp\n");
	} else {
		fprintf(f, "    proto: %u\n", (unsigned)g->proto);
	}
	fprintf(f, "    action: allow\n");
}

int policy_export(const struct policy *p, const struct policy_learn *l, const char *path,
		  char *err, size_t errlen)
{
	struct learn_tuple **t = NULL;
	size_t n = 0, skipped = 0;
	unsigned id = 0;
	FILE *f;

	if (l->st.tuples > 0 && (t = malloc(l->st.tuples * sizeof(*t))) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	for (uint32_t s = 0; s < l->nslots; s++) {
		struct learn_tuple *x = &l->slot[s];

		if (!x->used)
			continue;
		/* Zones of an older policy (before a reload) cannot be written as rules. */
		if (policy_zone_find(p, x->from, strlen(x->from)) < 0 ||
		    policy_zone_find(p, x->to, strlen(x->to)) < 0) {
			skipped++;
			continue;
		}
		t[n++] = x;
	}
	if (n > 0)
		qsort(t, n, sizeof(*t), tuple_cmp);
	if ((f = fopen(path, "w")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(t);
		return -1;
	}
	fprintf(f, "# edgewatch policy learned from %llu flows (%zu tuples; %llu not kept: set "
		   "full; %zu of other zones)\n",
		(unsigned long long)l->st.flows, n, (unsigned long long)l->st.dropped, skipped);
	write_zones(f, p);
	fprintf(f, "default: deny\nrules:\n");
	if (n == 0)
		fprintf(f, "  []\n");
	for (size_t i = 0; i < n;) {
		size_t k = i + 1;

		while (k < n && k - i < POLICY_LIST_MAX && same_group(t[i], t[k]))
			k++;
		/* The loader takes at most POLICY_RULES_MAX: the file must load back. */
		if (id == POLICY_RULES_MAX) {
			fprintf(f, "# %zu tuples left out: a policy holds at most %d rules\n", n - i,
				POLICY_RULES_MAX);
			break;
		}
		write_rule(f, ++id, t + i, k - i);
		i = k;
	}
	free(t);
	if (ferror(f) | (fclose(f) != 0)) {
		snprintf(err, errlen, "%s: write failed", path);
		return -1;
	}
	return 0;
}
