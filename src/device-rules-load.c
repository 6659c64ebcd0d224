/*
 * device-rules-load.c - reads, checks and compiles a rule file (see
 * device-rules.h; the language is in docs/rules.md).
 *
 * As in every edgewatch loader, the text is read in two passes over
 * libyaml's events (util-yaml.h): the first only checks that it is YAML
 * we are willing to interpret, the second walks the one shape a rule
 * file has - a mapping with a "rules" list of rule mappings - and
 * compiles each rule: every key known, every pattern checked and
 * normalised, so that matching never meets a surprise.  Both passes stop
 * at the first problem, so an error is always one line with the place
 * of the node at fault.  The set is built on the side and handed out
 * only when the whole text is good.
 *
 * What is acceptable in a rule (classes, conditions, patterns) is
 * decided in device-rules-lang.c; the set's memory is device-rules-set.c.
 * The caps (rules, patterns per condition and in all, bytes per pattern
 * and per file) bound a set to a few MiB whatever the input.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "device-rules-private.h"
#include "util-yaml.h"

/* Real files nest five levels (rules, rule, when, list); room to spare, no more. */
#define RULES_MAX_DEPTH 8

#define RULES_LABEL_MAX 64 /* bytes of a vendor or model name */

/*
 * Patterns over all rules.  Without this, a 4 MiB file of "[a,a,a,...]"
 * would compile to two million patterns and some 50 MiB of memory.
 */
#define RULES_PATTERNS_TOTAL_MAX 65536

/* Keys of a rule mapping; bits in rule_draft.seen. */
enum rule_key { KEY_ID = 0, KEY_CLASS, KEY_VENDOR, KEY_MODEL, KEY_WEIGHT, KEY_WHEN, KEY_COUNT };

static const char *const rule_keys[KEY_COUNT] = {
	"id", "class", "vendor", "model", "weight", "when",
};

static const struct yread_keys rule_key_set = { rule_keys, KEY_COUNT, "", " in a rule" };

/* One load: the input and the set being built. */
struct rules_loader {
	struct yread y;
	struct device_rules *r;
};

/* A rule being read; committed into the set at the end of its mapping. */
struct rule_draft {
	struct rules_loader *ld; /* the load it is part of */
	struct device_rule rule;
	yaml_mark_t start;   /* of the rule's mapping */
	uint32_t seen;       /* 1 << enum rule_key */
	uint32_t conds_seen; /* 1 << rule_cond_def.index */
	struct rule_cond cond[RULES_NCONDS];
};

/* ------------------------------------------------------------ helpers */

static const char *sv(const yaml_event_t *ev)
{
	return (const char *)ev->data.scalar.value;
}

static size_t sn(const yaml_event_t *ev)
{
	return ev->data.scalar.length;
}

/* ------------------------------------------------ second pass: rules */

/*
 * Checks one pattern of condition def (a scalar event) and stores its
 * compiled form in *out.  in_flow: it is an item of a [...] list.
 */
static int load_pattern(struct rules_loader *ld, const struct rule_cond_def *def,
			const yaml_event_t *ev, bool in_flow, const char **out)
{
	const char *v = sv(ev), *why;
	size_t n = sn(ev);
	char q[YREAD_QUOTE_MAX + 4], norm[DEVICE_RULES_PATTERN_MAX + 1];
	const char *k = def->key;

	if (yread_is_null(ev) || n == 0)
		return yread_error_at(&ld->y, ev->start_mark, "%s: empty pattern", k);
	if (n > DEVICE_RULES_PATTERN_MAX)
		return yread_error_at(&ld->y, ev->start_mark, "%s: pattern is longer than %d bytes",
				      k, DEVICE_RULES_PATTERN_MAX);
	if (memchr(v, '\0', n) != NULL)
		return yread_error_at(&ld->y, ev->start_mark, "%s: NUL byte in pattern", k);
	if (yread_has_control(v, n))
		return yread_error_at(&ld->y, ev->start_mark, "%s: control character in pattern",
				      k);
	/* In [1,3,6] the commas split the list: 1, 3 and 6 would be three fingerprints. */
	if (def->check == CHECK_PRL && in_flow && ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
		return yread_error_at(&ld->y, ev->start_mark,
				      "%s: quote fingerprints inside [...]: '%s'", k,
				      yread_quote(q, v, n));
	if ((why = rules_pattern_check(def, v, n, norm)) != NULL)
		return yread_error_at(&ld->y, ev->start_mark, "%s: '%s' %s", k,
				      yread_quote(q, v, n), why);
	if (ld->r->npatterns >= RULES_PATTERNS_TOTAL_MAX)
		return yread_error_at(&ld->y, ev->start_mark, "more than %d patterns in all",
				      RULES_PATTERNS_TOTAL_MAX);
	*out = rules_strndup(ld->r, norm, strlen(norm));
	if (*out == NULL)
		return yread_error(&ld->y, "out of memory");
	ld->r->npatterns++;
	return 0;
}

/* A boolean condition: true/false (yes/no, on/off as in the configuration). */
static int load_flag(struct rules_loader *ld, const struct rule_cond_def *def, struct rule_cond *c)
{
	char q[YREAD_QUOTE_MAX + 4];
	yaml_event_t ev;
	int rc = 0;

	if (yread_scalar(&ld->y, def->key, "a boolean", &ev) < 0)
		return -1;
	if (!yread_bool(&ev, &c->flag))
		rc = yread_error_at(&ld->y, ev.start_mark,
				    "%s: '%s' is not a boolean (true or false)", def->key,
				    yread_quote(q, sv(&ev), sn(&ev)));
	yaml_event_delete(&ev);
	return rc;
}

/* The items of a list of patterns, after its start event seq. */
static int load_pattern_list(struct rules_loader *ld, const struct rule_cond_def *def,
			     const yaml_event_t *seq, const char **pat, uint16_t *npat)
{
	bool in_flow = seq->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE;

	for (;;) {
		yaml_event_t ev;
		int rc = 0;

		if (yread_next(&ld->y, &ev) < 0)
			return -1;
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			return *npat > 0 ? 0
					 : yread_error_at(&ld->y, seq->start_mark, "%s: empty list",
							  def->key);
		}
		if (ev.type != YAML_SCALAR_EVENT)
			rc = yread_error_at(&ld->y, ev.start_mark,
					    "%s: expected a string, found %s", def->key,
					    yread_node_kind(&ev));
		else if (*npat == DEVICE_RULES_PATTERNS_MAX)
			rc = yread_error_at(&ld->y, ev.start_mark, "%s: more than %d patterns",
					    def->key, DEVICE_RULES_PATTERNS_MAX);
		else
			rc = load_pattern(ld, def, &ev, in_flow, &pat[(*npat)++]);
		yaml_event_delete(&ev);
		if (rc < 0)
			return -1;
	}
}

/* The value of one condition: a pattern or a list of them, or a boolean. */
static int load_cond(struct rules_loader *ld, const struct rule_cond_def *def, struct rule_cond *c)
{
	const char *pat[DEVICE_RULES_PATTERNS_MAX];
	yaml_event_t ev;
	int rc;

	c->what = def->what;
	c->source = def->source;
	c->sig = def->sig;
	c->match = def->match;
	if (def->check == CHECK_BOOL)
		return load_flag(ld, def, c);
	if (yread_next(&ld->y, &ev) < 0)
		return -1;
	c->npat = 0;
	if (ev.type == YAML_SEQUENCE_START_EVENT)
		rc = load_pattern_list(ld, def, &ev, pat, &c->npat);
	else if (ev.type == YAML_SCALAR_EVENT && yread_is_null(&ev))
		rc = yread_error_at(&ld->y, ev.start_mark, "%s: a value is required", def->key);
	else if (ev.type == YAML_SCALAR_EVENT)
		rc = load_pattern(ld, def, &ev, false, &pat[c->npat++]);
	else
		rc = yread_error_at(&ld->y, ev.start_mark,
				    "%s: expected a string or a list of strings, found %s",
				    def->key, yread_node_kind(&ev));
	yaml_event_delete(&ev);
	if (rc < 0)
		return -1;
	c->pat = rules_alloc(ld->r, c->npat * sizeof(*c->pat));
	if (c->pat == NULL)
		return yread_error(&ld->y, "out of memory");
	memcpy(c->pat, pat, c->npat * sizeof(*c->pat));
	return 0;
}

/* One condition of the "when" mapping: its key, then its value. */
static int load_when_pair(void *ctx, const yaml_event_t *key)
{
	struct rule_draft *dr = ctx;
	struct rules_loader *ld = dr->ld;
	const struct rule_cond_def *def;
	char q[YREAD_QUOTE_MAX + 4];

	if (key->type != YAML_SCALAR_EVENT)
		return yread_error_at(&ld->y, key->start_mark, "a key must be a scalar, not %s",
				      yread_node_kind(key));
	if ((def = rules_cond_def(sv(key), sn(key))) == NULL)
		return yread_error_at(&ld->y, key->start_mark, "unknown condition '%s'",
				      yread_quote(q, sv(key), sn(key)));
	if (dr->conds_seen & (1u << def->index))
		return yread_error_at(&ld->y, key->start_mark, "duplicate condition '%s'",
				      def->key);
	dr->conds_seen |= 1u << def->index;
	if (load_cond(ld, def, &dr->cond[dr->rule.ncond]) < 0)
		return -1;
	dr->rule.ncond++;
	return 0;
}

/* The "when" mapping, after its start event map. */
static int load_when(struct rules_loader *ld, struct rule_draft *dr, const yaml_event_t *map)
{
	if (yread_mapping(&ld->y, load_when_pair, dr) < 0)
		return -1;
	if (dr->rule.ncond == 0)
		return yread_error_at(&ld->y, map->start_mark,
				      "when: a rule needs at least one condition");
	return 0;
}

static int load_when_value(struct rules_loader *ld, struct rule_draft *dr)
{
	yaml_event_t ev;
	int rc;

	if (yread_next(&ld->y, &ev) < 0)
		return -1;
	if (ev.type == YAML_MAPPING_START_EVENT)
		rc = load_when(ld, dr, &ev);
	else if (yread_is_null(&ev))
		rc = yread_error_at(&ld->y, ev.start_mark,
				    "when: a rule needs at least one condition");
	else
		rc = yread_error_at(&ld->y, ev.start_mark, "when: expected a mapping, found %s",
				    yread_node_kind(&ev));
	yaml_event_delete(&ev);
	return rc;
}

static int load_id(struct rules_loader *ld, struct rule_draft *dr)
{
	char q[YREAD_QUOTE_MAX + 4];
	yaml_event_t ev;
	int rc = 0;

	if (yread_scalar(&ld->y, "id", "a string", &ev) < 0)
		return -1;
	if (!rules_id_ok(sv(&ev), sn(&ev)))
		rc = yread_error_at(&ld->y, ev.start_mark,
				    "id: '%s' is not 1 to %d lower-case letters, digits or '-'",
				    yread_quote(q, sv(&ev), sn(&ev)), RULES_ID_MAX);
	for (size_t i = 0; rc == 0 && i < ld->r->n; i++)
		if (strcmp(ld->r->rule[i].id, sv(&ev)) == 0)
			rc = yread_error_at(&ld->y, ev.start_mark,
					    "duplicate rule id '%s' (first on line %u)", sv(&ev),
					    (unsigned)ld->r->rule[i].line);
	if (rc == 0 && (dr->rule.id = rules_strndup(ld->r, sv(&ev), sn(&ev))) == NULL)
		rc = yread_error(&ld->y, "out of memory");
	yaml_event_delete(&ev);
	return rc;
}

static int load_class(struct rules_loader *ld, struct rule_draft *dr)
{
	char q[YREAD_QUOTE_MAX + 4];
	yaml_event_t ev;
	int idx, rc = 0;

	if (yread_scalar(&ld->y, "class", "a string", &ev) < 0)
		return -1;
	idx = rules_class_index(sv(&ev), sn(&ev));
	if (idx < 0 && strcmp(sv(&ev), "unknown") == 0)
		rc = yread_error_at(&ld->y, ev.start_mark,
				    "class: 'unknown' is what no rule says; name a class");
	else if (idx < 0)
		rc = yread_error_at(&ld->y, ev.start_mark, "class: unknown class '%s'",
				    yread_quote(q, sv(&ev), sn(&ev)));
	else
		dr->rule.class_idx = (uint8_t)idx;
	yaml_event_delete(&ev);
	return rc;
}

static int load_label(struct rules_loader *ld, const char *key, uint16_t *idx)
{
	yaml_event_t ev;
	int rc = 0;

	if (yread_scalar(&ld->y, key, "a string", &ev) < 0)
		return -1;
	if (sn(&ev) > RULES_LABEL_MAX)
		rc = yread_error_at(&ld->y, ev.start_mark, "%s: longer than %d bytes", key,
				    RULES_LABEL_MAX);
	else if (memchr(sv(&ev), '\0', sn(&ev)) != NULL || yread_has_control(sv(&ev), sn(&ev)))
		rc = yread_error_at(&ld->y, ev.start_mark, "%s: control character in name", key);
	else if (rules_intern_label(ld->r, sv(&ev), sn(&ev), idx) < 0)
		rc = yread_error(&ld->y, "out of memory");
	yaml_event_delete(&ev);
	return rc;
}

static int load_weight(struct rules_loader *ld, struct rule_draft *dr)
{
	char q[YREAD_QUOTE_MAX + 4];
	yaml_event_t ev;
	uint64_t w;
	int rc = 0;
	/* "-5" is a number, just out of range; say so rather than "not a number". */
	bool minus;

	if (yread_scalar(&ld->y, "weight", "an integer", &ev) < 0)
		return -1;
	minus = sn(&ev) > 1 && sv(&ev)[0] == '-';
	if (!yread_decimal(sv(&ev) + minus, sn(&ev) - minus, &w))
		rc = yread_error_at(&ld->y, ev.start_mark,
				    "weight: '%s' is not a plain decimal integer",
				    yread_quote(q, sv(&ev), sn(&ev)));
	else if (minus || w < 1 || w > 100)
		rc = yread_error_at(&ld->y, ev.start_mark, "weight: %s is out of range 1..100",
				    yread_quote(q, sv(&ev), sn(&ev)));
	else
		dr->rule.weight = (uint8_t)w;
	yaml_event_delete(&ev);
	return rc;
}

/* The value of key k of a rule mapping (yread_keyed_mapping). */
static int load_rule_value(void *ctx, int k)
{
	struct rule_draft *dr = ctx;
	struct rules_loader *ld = dr->ld;

	switch ((enum rule_key)k) {
	case KEY_ID:
		return load_id(ld, dr);
	case KEY_CLASS:
		return load_class(ld, dr);
	case KEY_VENDOR:
		return load_label(ld, "vendor", &dr->rule.vendor);
	case KEY_MODEL:
		return load_label(ld, "model", &dr->rule.model);
	case KEY_WEIGHT:
		return load_weight(ld, dr);
	case KEY_WHEN:
		return load_when_value(ld, dr);
	default:
		return yread_error(&ld->y, "internal error: rule key %d", (int)k);
	}
}

/* After the rule's mapping: are the required keys there?  Then keep it. */
static int commit_rule(struct rules_loader *ld, struct rule_draft *dr)
{
	static const uint32_t required = 1u << KEY_ID | 1u << KEY_CLASS | 1u << KEY_WEIGHT |
					 1u << KEY_WHEN;
	struct device_rules *r = ld->r;

	if (yread_require(&ld->y, dr->start, "rule", dr->rule.id, &rule_key_set, required,
			  dr->seen) < 0)
		return -1;
	dr->rule.cond = rules_alloc(r, dr->rule.ncond * sizeof(*dr->rule.cond));
	if (dr->rule.cond == NULL)
		return yread_error(&ld->y, "out of memory");
	memcpy(dr->rule.cond, dr->cond, dr->rule.ncond * sizeof(*dr->rule.cond));
	if (rules_append(r, &dr->rule) < 0)
		return yread_error(&ld->y, "out of memory");
	return 0;
}

/* One rule mapping, after its start event map. */
static int load_rule(void *ctx, const yaml_event_t *map)
{
	struct rules_loader *ld = ctx;
	struct rule_draft dr;

	memset(&dr, 0, sizeof(dr));
	dr.ld = ld;
	dr.start = map->start_mark;
	dr.rule.line = (uint32_t)map->start_mark.line + 1;
	if (ld->r->n == DEVICE_RULES_MAX)
		return yread_error_at(&ld->y, map->start_mark, "more than %d rules",
				      DEVICE_RULES_MAX);
	if (yread_keyed_mapping(&ld->y, &rule_key_set, &dr.seen, load_rule_value, &dr) < 0)
		return -1;
	return commit_rule(ld, &dr);
}

/* The items of the "rules" list, after its start event. */
static int load_rules(void *ctx, const yaml_event_t *start)
{
	struct rules_loader *ld = ctx;

	(void)start;
	return yread_mappings(&ld->y, "rule", load_rule, ld);
}

/* ------------------------------------------------------------ loading */

/* A stream of exactly one document: a mapping with "rules" and nothing else. */
static const struct yread_root_key rules_root = {
	.key = "rules",
	.value = YAML_SEQUENCE_START_EVENT,
	.optional = false,
	.no_document = "no rules: expected a mapping with 'rules'",
	.not_mapping = "expected a mapping with 'rules'",
	.unknown = "",
	.read = load_rules,
};

static int load_pass(void *ctx)
{
	struct rules_loader *ld = ctx;

	return yread_root_key_walk(&ld->y, &rules_root, ld);
}

struct device_rules *device_rules_load_buffer(const char *name, const char *text, size_t len,
					      char *err, size_t errlen)
{
	struct rules_loader ld;

	yread_init(&ld.y, name != NULL ? name : "(rules)", text, len, err, errlen);
	ld.r = NULL;
	if (ld.y.len > DEVICE_RULES_FILE_MAX) {
		yread_error(&ld.y, "larger than %u bytes", DEVICE_RULES_FILE_MAX);
		return NULL;
	}
	if (yread_check(&ld.y, RULES_MAX_DEPTH) < 0)
		return NULL;
	ld.r = rules_set_new();
	if (ld.r == NULL) {
		yread_error(&ld.y, "out of memory");
		return NULL;
	}
	if (yread_run(&ld.y, load_pass, &ld) < 0) {
		device_rules_free(ld.r);
		return NULL;
	}
	return ld.r;
}

struct device_rules *device_rules_load_file(const char *path, char *err, size_t errlen)
{
	struct device_rules *r;
	char *text;
	size_t len;

	if (yread_file(path, DEVICE_RULES_FILE_MAX, "larger than", &text, &len, err, errlen) < 0)
		return NULL;
	r = device_rules_load_buffer(path, text, len, err, errlen);
	free(text);
	return r;
}
