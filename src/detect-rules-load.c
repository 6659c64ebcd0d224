/*
 * detect-rules-load.c - reads, checks and compiles a detection file (see
 * detect-rules.h; the language is in docs/detections.md).
 *
 * Same discipline as the device rule loader: two passes over libyaml's
 * events (util-yaml.h), the first only checking that the text is YAML we
 * are willing to interpret, the second walking the one shape a file has
 * - a mapping with a "detections" list of rule mappings - and compiling
 * each rule: every key known, every value checked and turned into what
 * the matcher compares (masks, ranges, address lists with the caller's
 * variables expanded).  The first problem stops the load, so an error is
 * one line with the place of the node at fault, and the set is handed
 * out only when the whole text is good.
 *
 * A rule's "match" and "threshold" mappings are compiled by
 * detect-rules-cond.c; the words of the language are detect-rules-lang.c's.
 * The caps (rules, items per list, bytes per file and per title) bound a
 * set to a few MiB whatever the input; variables are the caller's own
 * configuration.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "detect-rules-private.h"
#include "util-yaml.h"

/* Real files nest four levels (detections, rule, match, list); room to spare, no more. */
#define DETECT_MAX_DEPTH 8

/* Keys of a rule mapping; bits in rule_draft.seen. */
enum rule_key { KEY_ID = 0, KEY_TITLE, KEY_SEVERITY, KEY_MATCH, KEY_THRESHOLD, KEY_COUNT };

static const char *const rule_keys[KEY_COUNT] = {
	"id", "title", "severity", "match", "threshold",
};

static const struct yread_keys rule_key_set = { rule_keys, KEY_COUNT, "", " in a rule" };

/* A rule being read; it owns its allocations until committed into the set. */
struct rule_draft {
	struct detect_loader *ld; /* the load it is part of */
	struct detect_rule rule;
	yaml_mark_t start;   /* of the rule's mapping */
	uint32_t seen;       /* 1 << enum rule_key */
};

/* ------------------------------------------------------------ helpers */

static int load_mapping_value(struct detect_loader *ld, struct detect_rule *rule,
			      const char *key)
{
	yaml_event_t ev;
	int rc;

	if (yread_next(&ld->y, &ev) < 0)
		return -1;
	if (ev.type == YAML_MAPPING_START_EVENT)
		rc = key[0] == 'm' ? dl_load_match(ld, rule, &ev) : dl_load_threshold(ld, rule, &ev);
	else if (yread_is_null(&ev) && key[0] == 'm')
		rc = yread_error_at(&ld->y, ev.start_mark,
				    "match: a rule needs at least one condition");
	else
		rc = yread_error_at(&ld->y, ev.start_mark, "%s: expected a mapping, found %s",
				    key, yread_is_null(&ev) ? "nothing" : yread_node_kind(&ev));
	yaml_event_delete(&ev);
	return rc;
}

/* -------------------------------------------------------------- rules */

static int load_id(struct detect_loader *ld, struct detect_rule *rule)
{
	char q[YREAD_QUOTE_MAX + 4];
	yaml_event_t ev;
	int rc = 0;

	if (yread_scalar(&ld->y, "id", "a string", &ev) < 0)
		return -1;
	if (!detect_id_ok(dl_sv(&ev), dl_sn(&ev)))
		rc = yread_error_at(&ld->y, ev.start_mark,
				    "id: '%s' is not 1 to %d lower-case letters, digits or '-'",
				    yread_quote(q, dl_sv(&ev), dl_sn(&ev)), DETECT_ID_MAX);
	for (size_t i = 0; rc == 0 && i < ld->r->n; i++)
		if (strcmp(ld->r->rule[i].id, dl_sv(&ev)) == 0)
			rc = yread_error_at(&ld->y, ev.start_mark,
					    "duplicate rule id '%s' (first on line %u)", dl_sv(&ev),
					    (unsigned)ld->r->rule[i].line);
	if (rc == 0 && (rule->id = strndup(dl_sv(&ev), dl_sn(&ev))) == NULL)
		rc = yread_error(&ld->y, "out of memory");
	yaml_event_delete(&ev);
	return rc;
}

static int load_title(struct detect_loader *ld, struct detect_rule *rule)
{
	yaml_event_t ev;
	int rc = 0;

	if (yread_scalar(&ld->y, "title", "a string", &ev) < 0)
		return -1;
	if (dl_sn(&ev) > DETECT_TITLE_MAX)
		rc = yread_error_at(&ld->y, ev.start_mark, "title: longer than %d bytes",
				    DETECT_TITLE_MAX);
	else if (memchr(dl_sv(&ev), '\0', dl_sn(&ev)) != NULL || yread_has_control(dl_sv(&ev), dl_sn(&ev)))
		rc = yread_error_at(&ld->y, ev.start_mark, "title: control character in title");
	else if ((rule->title = strndup(dl_sv(&ev), dl_sn(&ev))) == NULL)
		rc = yread_error(&ld->y, "out of memory");
	yaml_event_delete(&ev);
	return rc;
}

static int load_severity(struct detect_loader *ld, struct detect_rule *rule)
{
	char q[YREAD_QUOTE_MAX + 4];
	yaml_event_t ev;
	int s, rc = 0;

	if (yread_scalar(&ld->y, "severity", "a string", &ev) < 0)
		return -1;
	if ((s = detect_severity_parse(dl_sv(&ev), dl_sn(&ev))) < 0)
		rc = yread_error_at(&ld->y, ev.start_mark,
				    "severity: '%s' is not info, low, medium, high or critical",
				    yread_quote(q, dl_sv(&ev), dl_sn(&ev)));
	else
		rule->severity = (uint8_t)s;
	yaml_event_delete(&ev);
	return rc;
}

/* The value of key k of a rule mapping (yread_keyed_mapping). */
static int load_rule_value(void *ctx, int k)
{
	struct rule_draft *dr = ctx;
	struct detect_loader *ld = dr->ld;

	switch ((enum rule_key)k) {
	case KEY_ID:
		return load_id(ld, &dr->rule);
	case KEY_TITLE:
		return load_title(ld, &dr->rule);
	case KEY_SEVERITY:
		return load_severity(ld, &dr->rule);
	case KEY_MATCH:
		return load_mapping_value(ld, &dr->rule, "match");
	case KEY_THRESHOLD:
		return load_mapping_value(ld, &dr->rule, "threshold");
	default:
		return yread_error(&ld->y, "internal error: rule key %d", (int)k);
	}
}

/*
 * The earliest stage at which every condition is known.  A rule cannot
 * need the SYN's sequence number and nDPI's answer at once: the first
 * is gone by the time the second exists.
 */
static int rule_stage(struct detect_loader *ld, struct rule_draft *dr)
{
	struct detect_rule *rule = &dr->rule;
	int late = -1;

	rule->stage = DETECT_FLOW_START;
	for (int c = 0; c < DC_COUNT; c++) {
		if ((rule->has & (1u << c)) && detect_cond_stage((enum detect_cond)c) == DETECT_FLOW_END) {
			rule->stage = DETECT_FLOW_END;
			if (late < 0)
				late = c;
		}
	}
	if (!(rule->has & (1u << DC_TCP_SYN_SEQ_IS_DST)))
		return 0;
	if (late >= 0)
		return yread_error_at(&ld->y, dr->start,
				      "rule '%s': tcp_syn_seq_is_dst is known only at the SYN and "
				      "%s only at the flow's end; make two rules",
				      rule->id, detect_cond_key((enum detect_cond)late));
	rule->stage = DETECT_SYN;
	return 0;
}

/* After the rule's mapping: are the required keys there?  Then keep it. */
static int commit_rule(struct detect_loader *ld, struct rule_draft *dr)
{
	static const uint32_t required = 1u << KEY_ID | 1u << KEY_TITLE | 1u << KEY_SEVERITY |
					 1u << KEY_MATCH;
	struct detect_rules *r = ld->r;

	if (yread_require(&ld->y, dr->start, "rule", dr->rule.id, &rule_key_set, required,
			  dr->seen) < 0)
		return -1;
	if (rule_stage(ld, dr) < 0)
		return -1;
	if (r->n == r->cap) {
		size_t cap = r->cap == 0 ? 16 : r->cap * 2;
		struct detect_rule *p;

		if (cap > DETECT_RULES_MAX)
			cap = DETECT_RULES_MAX;
		p = realloc(r->rule, cap * sizeof(*p));
		if (p == NULL)
			return yread_error(&ld->y, "out of memory");
		r->rule = p;
		r->cap = cap;
	}
	r->rule[r->n++] = dr->rule; /* the set owns what the draft owned */
	memset(&dr->rule, 0, sizeof(dr->rule));
	return 0;
}

/* One rule mapping, after its start event map. */
static int load_rule(void *ctx, const yaml_event_t *map)
{
	struct detect_loader *ld = ctx;
	struct rule_draft dr;
	int rc;

	memset(&dr, 0, sizeof(dr));
	dr.ld = ld;
	dr.start = map->start_mark;
	dr.rule.line = (uint32_t)map->start_mark.line + 1;
	dr.rule.client_classes = DETECT_CLASS_ALL;
	dr.rule.server_classes = DETECT_CLASS_ALL;
	if (ld->r->n == DETECT_RULES_MAX)
		return yread_error_at(&ld->y, map->start_mark, "more than %d rules",
				      DETECT_RULES_MAX);
	rc = yread_keyed_mapping(&ld->y, &rule_key_set, &dr.seen, load_rule_value, &dr);
	if (rc == 0)
		rc = commit_rule(ld, &dr);
	detect_rule_release(&dr.rule); /* a no-op after a commit */
	return rc;
}

/* The items of the "detections" list, after its start event. */
static int load_rules(void *ctx, const yaml_event_t *start)
{
	struct detect_loader *ld = ctx;

	(void)start;
	return yread_mappings(&ld->y, "rule", load_rule, ld);
}

/* A stream of exactly one document: a mapping with "detections" and nothing else. */
static const struct yread_root_key detections_root = {
	.key = "detections",
	.value = YAML_SEQUENCE_START_EVENT,
	.optional = false,
	.no_document = "no rules: expected a mapping with 'detections'",
	.not_mapping = "expected a mapping with 'detections'",
	.unknown = "",
	.read = load_rules,
};

/* ------------------------------------------------------------ the set */

/* FNV-1a: a rule's id names its threshold entries, across reloads. */
static uint64_t id_key(const char *id)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *id != '\0'; id++)
		h = (h ^ (uint8_t)*id) * 0x100000001b3ull;
	return h;
}

/* The enabled rules of each stage, so that matching a view skips the others. */
static int index_stages(struct detect_rules *r)
{
	for (size_t i = 0; i < r->n; i++) {
		struct detect_rule *rule = &r->rule[i];

		rule->key = id_key(rule->id);
		if (rule->disabled) {
			r->ndisabled++;
			continue;
		}
		if (r->by_stage[rule->stage] == NULL) {
			r->by_stage[rule->stage] = malloc(r->n * sizeof(uint32_t));
			if (r->by_stage[rule->stage] == NULL)
				return -1;
		}
		r->by_stage[rule->stage][r->nby_stage[rule->stage]++] = (uint32_t)i;
	}
	return 0;
}

void detect_rule_release(struct detect_rule *rule)
{
	free(rule->id);
	free(rule->title);
	free(rule->client_ports);
	free(rule->server_ports);
	free(rule->apps);
	for (size_t i = 0; i < 4; i++)
		ew_cidr_list_free(&rule->cidrs[i]);
	memset(rule, 0, sizeof(*rule));
}

void detect_rules_free(struct detect_rules *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n; i++)
		detect_rule_release(&r->rule[i]);
	for (size_t s = 0; s < DETECT_NSTAGES; s++)
		free(r->by_stage[s]);
	free(r->rule);
	free(r);
}

static int load_pass(void *ctx)
{
	struct detect_loader *ld = ctx;

	return yread_root_key_walk(&ld->y, &detections_root, ld);
}

struct detect_rules *detect_rules_load_buffer(const char *name, const char *text, size_t len,
					      const struct detect_var *vars, size_t nvars,
					      char *err, size_t errlen)
{
	struct detect_loader ld;

	yread_init(&ld.y, name != NULL ? name : "(detections)", text, len, err, errlen);
	ld.vars = vars;
	ld.nvars = vars != NULL ? nvars : 0;
	ld.r = NULL;
	if (ld.y.len > DETECT_RULES_FILE_MAX) {
		yread_error(&ld.y, "larger than %u bytes", DETECT_RULES_FILE_MAX);
		return NULL;
	}
	if (yread_check(&ld.y, DETECT_MAX_DEPTH) < 0)
		return NULL;
	ld.r = calloc(1, sizeof(*ld.r));
	if (ld.r == NULL) {
		yread_error(&ld.y, "out of memory");
		return NULL;
	}
	if (yread_run(&ld.y, load_pass, &ld) < 0) {
		detect_rules_free(ld.r);
		return NULL;
	}
	if (index_stages(ld.r) < 0) {
		yread_error(&ld.y, "out of memory");
		detect_rules_free(ld.r);
		return NULL;
	}
	return ld.r;
}

struct detect_rules *detect_rules_load_file(const char *path, const struct detect_var *vars,
					    size_t nvars, char *err, size_t errlen)
{
	struct detect_rules *r;
	char *text;
	size_t len;

	if (yread_file(path, DETECT_RULES_FILE_MAX, "larger than", &text, &len, err, errlen) < 0)
		return NULL;
	r = detect_rules_load_buffer(path, text, len, vars, nvars, err, errlen);
	free(text);
	return r;
}
