/*
 * device-rules-match.c - runs compiled rules against a device (see
 * device-rules.h), with the glob and suffix matchers; glob syntax is
 * checked here too so that one file knows it.
 *
 * Scoring, as docs/rules.md states it: a rule matches when each of its
 * conditions holds (a condition holds when any of its patterns matches
 * any of the device's values of its kind); it adds its weight to its
 * class.  The class with the highest total wins; ties go to the class
 * with the heaviest single rule, then to the class name first in byte
 * order, so the answer never depends on the order of the file.  With W
 * the winner's total and R the runner-up's,
 *
 *     confidence = round(min(W, 100) * W / (W + R))
 *
 * that is, the evidence's strength (a total of 100 is as sure as the
 * rules get) scaled by the winner's share of the two leading totals.
 *
 * Globs are matched by our own matcher rather than fnmatch(3): glibc's
 * fnmatch backtracks, and a pattern such as "*a*a*a*a*b" against a long
 * host name from the wire costs time exponential in the number of
 * stars.  Ours keeps one backtrack point (the last star), which is
 * enough for globs and bounds a match by the product of the lengths.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "device-rules-private.h"

/* ------------------------------------------------------------ globs */

static unsigned char lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

static unsigned char upper(unsigned char c)
{
	return c >= 'a' && c <= 'z' ? (unsigned char)(c - 32) : c;
}

/*
 * Walks the bracket expression that starts after p's '[' (and after a
 * '!' or '^'); returns the byte after its ']', or NULL if it is not
 * closed.  With c >= 0, sets *hit when c (either case) is in the set.
 */
static const char *bracket_walk(const char *p, int c, bool *hit, const char **why)
{
	bool first = true;

	for (;;) {
		unsigned char lo, hi;

		if (*p == '\0')
			return *why = "has an unclosed '['", NULL;
		if (*p == ']' && !first)
			return p + 1;
		first = false;
		if (*p == '[' && (p[1] == ':' || p[1] == '=' || p[1] == '.'))
			return *why = "uses a character class such as [:alpha:] (not supported)", NULL;
		if (*p == '\\' && *++p == '\0')
			return *why = "has an unclosed '['", NULL;
		lo = hi = (unsigned char)*p++;
		if (p[0] == '-' && p[1] != ']' && p[1] != '\0') {
			p++;
			if (*p == '\\' && *++p == '\0')
				return *why = "has an unclosed '['", NULL;
			hi = (unsigned char)*p++;
			if (hi < lo)
				return *why = "has a reversed range in [...]", NULL;
		}
		if (c >= 0 && ((lower((unsigned char)c) >= lo && lower((unsigned char)c) <= hi) ||
			       (upper((unsigned char)c) >= lo && upper((unsigned char)c) <= hi)))
			*hit = true;
	}
}

const char *rules_glob_check(const char *p, size_t n)
{
	const char *why = NULL;
	const char *end = p + n;

	while (p < end) {
		if (*p == '\\') {
			if (p + 1 == end)
				return "ends in a lone '\\'";
			p += 2;
		} else if (*p == '[') {
			bool hit = false;

			p++;
			if (*p == '!' || *p == '^')
				p++;
			p = bracket_walk(p, -1, &hit, &why);
			if (p == NULL)
				return why;
		} else {
			p++;
		}
	}
	return NULL;
}

/*
 * Does the pattern element at p (one character, '?', an escape or a
 * bracket expression; not '*') match c?  Sets *next past the element.
 */
static bool glob_one(const char *p, unsigned char c, const char **next)
{
	const char *why;
	bool hit = false, negate;

	switch (*p) {
	case '?':
		*next = p + 1;
		return true;
	case '\\':
		*next = p + 2;
		return lower((unsigned char)p[1]) == lower(c);
	case '[':
		negate = p[1] == '!' || p[1] == '^';
		*next = bracket_walk(p + 1 + negate, c, &hit, &why);
		if (*next == NULL) { /* cannot happen after rules_glob_check(); be literal */
			*next = p + 1;
			return c == '[';
		}
		return hit != negate;
	default:
		*next = p + 1;
		return lower((unsigned char)*p) == lower(c);
	}
}

bool rules_glob_match(const char *p, const char *s)
{
	const char *star_p = NULL, *star_s = NULL;

	while (*s != '\0') {
		const char *next;

		if (*p == '*') {
			while (*p == '*')
				p++;
			if (*p == '\0')
				return true;
			star_p = p;
			star_s = s;
			continue;
		}
		if (*p != '\0' && glob_one(p, (unsigned char)*s, &next)) {
			p = next;
			s++;
			continue;
		}
		if (star_p == NULL)
			return false;
		/* Let the last star swallow one more byte and try again from there. */
		p = star_p;
		s = ++star_s;
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

bool rules_suffix_match(const char *x, const char *s)
{
	size_t xn = strlen(x), sn = strlen(s);

	if (sn > 0 && s[sn - 1] == '.') /* "example.com." is example.com */
		sn--;
	if (x[0] == '.')
		return sn > xn && strncasecmp(s + sn - xn, x, xn) == 0;
	if (sn < xn || strncasecmp(s + sn - xn, x, xn) != 0)
		return false;
	return sn == xn || s[sn - xn - 1] == '.';
}

/* ------------------------------------------------------------ matching */

static bool pattern_match(const struct rule_cond *c, const char *pat, const char *v)
{
	switch (c->match) {
	case RULE_MATCH_GLOB:
		return rules_glob_match(pat, v);
	case RULE_MATCH_EXACT:
		return strcmp(pat, v) == 0;
	case RULE_MATCH_NOCASE:
		return strcasecmp(pat, v) == 0;
	case RULE_MATCH_SUFFIX:
		return rules_suffix_match(pat, v);
	default:
		return false;
	}
}

/* The first of the values (n of them) and pattern that match; false if none. */
static bool cond_match_values(const struct rule_cond *c, const char *const *v, size_t n,
			      const char **value, const char **pattern)
{
	for (size_t i = 0; i < n; i++) {
		if (v[i] == NULL)
			continue;
		for (size_t j = 0; j < c->npat; j++) {
			if (pattern_match(c, c->pat[j], v[i])) {
				*value = v[i];
				*pattern = c->pat[j];
				return true;
			}
		}
	}
	return false;
}

/*
 * Does c hold for d?  Sets *value and *pattern to what made it hold;
 * *value may point into why (for routes_traffic: the reason it routes).
 */
static bool cond_match(const struct rule_cond *c, const struct device *d, const char **value,
		       const char **pattern, char why[DEVICE_EVIDENCE_VALUE_MAX])
{
	const char *v[DEVICE_SIGNAL_SLOTS];
	const struct device_signal_set *set;
	size_t n;
	bool have;

	switch (c->source) {
	case RULE_SRC_VENDOR:
		return d->vendor != NULL && cond_match_values(c, &d->vendor, 1, value, pattern);
	case RULE_SRC_MAC_RANDOM:
	case RULE_SRC_ROUTES:
		have = c->source == RULE_SRC_MAC_RANDOM ? d->local_admin : d->routed_pkts > 0;
		*value = *pattern = c->flag ? "true" : "false";
		if (c->source == RULE_SRC_ROUTES && have) {
			/* The evidence says why, not just "true". */
			device_router_evidence(d, why, DEVICE_EVIDENCE_VALUE_MAX);
			*value = why;
		}
		return have == c->flag;
	case RULE_SRC_SIGNAL:
		if (c->sig >= SIG_KIND_MAX)
			return false;
		set = &d->sig[c->sig];
		n = set->n < DEVICE_SIGNAL_SLOTS ? set->n : DEVICE_SIGNAL_SLOTS;
		for (size_t i = 0; i < n; i++)
			v[i] = set->slot[i].value;
		return cond_match_values(c, v, n, value, pattern);
	default:
		return false;
	}
}

static bool rule_match(const struct device_rule *rule, const struct device *d)
{
	char why[DEVICE_EVIDENCE_VALUE_MAX];

	for (size_t i = 0; i < rule->ncond; i++) {
		const char *value, *pattern;

		if (!cond_match(&rule->cond[i], d, &value, &pattern, why))
			return false;
	}
	return true;
}

/* ------------------------------------------------------------ scoring */

/* A matching rule, as the sorts below see it. */
struct hit {
	uint16_t rule;   /* index in the set */
	uint16_t key;    /* label index while choosing a vendor or model */
	uint8_t weight;
};

/* Totals per class; winner and runner-up by the documented order. */
struct class_tally {
	uint32_t total[RULES_NCLASSES];
	uint8_t heaviest[RULES_NCLASSES];
};

/* Is class a ahead of class b? */
static bool class_ahead(const struct class_tally *t, size_t a, size_t b)
{
	if (t->total[a] != t->total[b])
		return t->total[a] > t->total[b];
	if (t->heaviest[a] != t->heaviest[b])
		return t->heaviest[a] > t->heaviest[b];
	return strcmp(rules_class_name(a), rules_class_name(b)) < 0;
}

static int hit_by_key(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

static int hit_by_weight(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;

	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

/*
 * The best label among n hits keyed by label index (0 = none): the
 * highest total weight, then the heaviest single rule, then the name
 * first in byte order.  NULL when no hit names one.
 */
static const char *best_label(const struct device_rules *r, struct hit *h, size_t n)
{
	uint32_t best_total = 0;
	uint8_t best_heaviest = 0;
	const char *best = NULL;

	qsort(h, n, sizeof(*h), hit_by_key);
	for (size_t i = 0; i < n;) {
		uint32_t total = 0;
		uint8_t heaviest = 0;
		size_t j = i;

		for (; j < n && h[j].key == h[i].key; j++) {
			total += h[j].weight;
			if (h[j].weight > heaviest)
				heaviest = h[j].weight;
		}
		if (h[i].key != 0 &&
		    (best == NULL || total > best_total ||
		     (total == best_total && (heaviest > best_heaviest ||
					      (heaviest == best_heaviest &&
					       strcmp(r->label[h[i].key], best) < 0))))) {
			best = r->label[h[i].key];
			best_total = total;
			best_heaviest = heaviest;
		}
		i = j;
	}
	return best;
}

static uint8_t confidence(uint32_t w, uint32_t runner_up)
{
	uint64_t strength = w < 100 ? w : 100;
	uint64_t sum = (uint64_t)w + runner_up;

	if (w == 0)
		return 0;
	/* round(strength * w / sum), in integers: at least 1 since w >= runner_up. */
	return (uint8_t)((2 * strength * w + sum) / (2 * sum));
}

/* Copies at most DEVICE_EVIDENCE_VALUE_MAX - 1 bytes of v. */
static void copy_value(char *dst, const char *v)
{
	size_t n = strlen(v);

	if (n > DEVICE_EVIDENCE_VALUE_MAX - 1)
		n = DEVICE_EVIDENCE_VALUE_MAX - 1;
	memcpy(dst, v, n);
	dst[n] = '\0';
}

/* Fills the evidence from the winning class's hits, heaviest rule first. */
static void fill_evidence(const struct device_rules *r, const struct device *d,
			  struct hit *h, size_t n, struct device_class *out)
{
	qsort(h, n, sizeof(*h), hit_by_weight);
	for (size_t i = 0; i < n; i++) {
		const struct device_rule *rule = &r->rule[h[i].rule];

		for (size_t k = 0; k < rule->ncond; k++) {
			struct device_evidence *e;
			const char *value = "", *pattern = "";
			char why[DEVICE_EVIDENCE_VALUE_MAX];

			if (out->nevidence == DEVICE_EVIDENCE_MAX) {
				out->evidence_dropped++;
				continue;
			}
			e = &out->evidence[out->nevidence++];
			cond_match(&rule->cond[k], d, &value, &pattern, why);
			e->rule_id = rule->id;
			e->what = rule->cond[k].what;
			copy_value(e->value, value);
			e->pattern = pattern;
			e->weight = rule->weight;
		}
	}
}

/* Keeps the hits of rules of class cls, in place; returns how many. */
static size_t keep_class(const struct device_rules *r, struct hit *h, size_t n, size_t cls)
{
	size_t m = 0;

	for (size_t i = 0; i < n; i++)
		if (r->rule[h[i].rule].class_idx == cls)
			h[m++] = h[i];
	return m;
}

/*
 * Keys the hits by their rules' vendor label, or by model label; a
 * model counts only when its rule names no vendor or the chosen one.
 */
static void key_by_label(const struct device_rules *r, struct hit *h, size_t n, bool model,
			 const char *vendor)
{
	for (size_t i = 0; i < n; i++) {
		const struct device_rule *rule = &r->rule[h[i].rule];

		h[i].key = model ? rule->model : rule->vendor;
		if (model && rule->vendor != 0 &&
		    (vendor == NULL || strcmp(r->label[rule->vendor], vendor) != 0))
			h[i].key = 0;
	}
}

/* Adds up the matching rules' weights per class into t; returns how many matched. */
static size_t tally(const struct device_rules *r, const struct device *d,
		    struct hit hits[DEVICE_RULES_MAX], struct class_tally *t)
{
	size_t nhits = 0;

	for (size_t i = 0; i < r->n && nhits < DEVICE_RULES_MAX; i++) {
		const struct device_rule *rule = &r->rule[i];

		if (!rule_match(rule, d))
			continue;
		hits[nhits++] = (struct hit){ (uint16_t)i, 0, rule->weight };
		t->total[rule->class_idx] += rule->weight;
		if (rule->weight > t->heaviest[rule->class_idx])
			t->heaviest[rule->class_idx] = rule->weight;
	}
	return nhits;
}

/*
 * A router recognised by its own traffic (device-table.c) that no rule
 * recognised: "router" all the same, on that evidence alone, with the
 * weight of the shipped rule that says the same (device.h).
 */
static void builtin_router(const struct device *d, struct device_class *out)
{
	struct device_evidence *e = &out->evidence[0];

	out->class_name = "router";
	out->score = DEVICE_ROUTER_BUILTIN_WEIGHT;
	out->runner_up = 0;
	out->confidence = confidence(out->score, 0);
	e->rule_id = "builtin-router";
	e->what = "routes_traffic";
	device_router_evidence(d, e->value, sizeof(e->value));
	e->pattern = NULL;
	e->weight = DEVICE_ROUTER_BUILTIN_WEIGHT;
	out->nevidence = 1;
}

void device_rules_classify(const struct device_rules *r, const struct device *d,
			   struct device_class *out)
{
	static const struct class_tally zero;
	struct class_tally t = zero;
	struct hit hits[DEVICE_RULES_MAX]; /* 12 KiB; the only large local */
	size_t nhits, best = RULES_NCLASSES, second = RULES_NCLASSES;

	memset(out, 0, sizeof(*out));
	out->class_name = "unknown";
	if (d == NULL)
		return;
	if (r == NULL) {
		if (d->routed_pkts > 0)
			builtin_router(d, out);
		return;
	}
	nhits = tally(r, d, hits, &t);
	for (size_t c = 0; c < RULES_NCLASSES; c++) {
		if (t.total[c] == 0)
			continue;
		if (best == RULES_NCLASSES || class_ahead(&t, c, best)) {
			second = best;
			best = c;
		} else if (second == RULES_NCLASSES || class_ahead(&t, c, second)) {
			second = c;
		}
	}
	if (best == RULES_NCLASSES) {
		if (d->routed_pkts > 0)
			builtin_router(d, out);
		return;
	}
	out->class_name = rules_class_name(best);
	out->score = t.total[best];
	out->runner_up = second < RULES_NCLASSES ? t.total[second] : 0;
	out->confidence = confidence(out->score, out->runner_up);

	/* The maker: any matching rule may name it, whatever its class. */
	key_by_label(r, hits, nhits, false, NULL);
	out->vendor = best_label(r, hits, nhits);
	/* The model: rules of the winning class that agree with that maker. */
	nhits = keep_class(r, hits, nhits, best);
	key_by_label(r, hits, nhits, true, out->vendor);
	out->model = best_label(r, hits, nhits);
	fill_evidence(r, d, hits, nhits, out);
}
