/*
 * detect-rules-cond.c - compiles a rule's "match" and "threshold"
 * mappings (see docs/detections.md): each condition's value checked
 * item by item and turned into what the matcher compares - class masks
 * with groups folded in, protocol bits, port ranges, app patterns, risk
 * bits, address lists with the caller's variables expanded.
 *
 * Part of the loader (detect-rules-load.c walks the file and the rules);
 * it stops at the first problem with one message at the node at fault.
 * The words it accepts are detect-rules-lang.c's.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect-rules-private.h"
#include "dpi.h"
#include "util-yaml.h"

/* A plain decimal in lo..hi into *out, from a scalar already read. */
static int check_uint(struct detect_loader *ld, const char *key, const yaml_event_t *ev,
		      uint64_t lo, uint64_t hi, uint64_t *out)
{
	char q[YREAD_QUOTE_MAX + 4];
	/* "-5" is a number, just out of range; say so rather than "not a number". */
	bool minus = dl_sn(ev) > 1 && dl_sv(ev)[0] == '-';

	if (!yread_decimal(dl_sv(ev) + minus, dl_sn(ev) - minus, out))
		return yread_error_at(&ld->y, ev->start_mark,
				      "%s: '%s' is not a plain decimal integer", key,
				      yread_quote(q, dl_sv(ev), dl_sn(ev)));
	if (minus || *out < lo || *out > hi)
		return yread_error_at(&ld->y, ev->start_mark,
				      "%s: %s is out of range %llu..%llu", key,
				      yread_quote(q, dl_sv(ev), dl_sn(ev)), (unsigned long long)lo,
				      (unsigned long long)hi);
	return 0;
}

/* true/false (yes/no, on/off as in the configuration), from a scalar already read. */
static int check_bool(struct detect_loader *ld, const char *key, const yaml_event_t *ev,
		      bool *out)
{
	char q[YREAD_QUOTE_MAX + 4];

	if (yread_bool(ev, out))
		return 0;
	return yread_error_at(&ld->y, ev->start_mark, "%s: '%s' is not a boolean (true or false)",
			      key, yread_quote(q, dl_sv(ev), dl_sn(ev)));
}

/* ------------------------------------------------------- list values */

/* What the items of one condition add up to while its list is read. */
struct cond_acc {
	uint32_t classes;
	uint64_t protos[4];
	struct detect_port_range ports[DETECT_LIST_MAX];
	struct detect_app apps[DETECT_LIST_MAX];
	uint16_t n;
	uint64_t risks;
};

/* An address condition's item: a block, or a variable whose blocks it stands for. */
static int load_cidr_item(struct detect_loader *ld, const struct detect_cond_def *def,
			  const yaml_event_t *ev, struct detect_rule *rule)
{
	struct ew_cidr_list *l = &rule->cidrs[detect_cidr_slot((enum detect_cond)def->cond)];
	char q[YREAD_QUOTE_MAX + 4], why[128];
	const struct ew_cidr_list *var = NULL;
	struct ew_cidr c;
	size_t i;

	if (dl_sv(ev)[0] != '$') {
		if (dl_sn(ev) >= EW_CIDR_STRLEN)
			return yread_error_at(&ld->y, ev->start_mark,
					      "%s: '%s' is not an address block", def->key,
					      yread_quote(q, dl_sv(ev), dl_sn(ev)));
		if (ew_cidr_parse(dl_sv(ev), &c, why, sizeof(why)) < 0)
			return yread_error_at(&ld->y, ev->start_mark, "%s: %s", def->key, why);
		if (ew_cidr_list_add(l, &c) < 0)
			return yread_error(&ld->y, "out of memory");
		return 0;
	}
	if (!detect_var_name_ok(dl_sv(ev) + 1, dl_sn(ev) - 1))
		return yread_error_at(&ld->y, ev->start_mark,
				      "%s: '%s' is not a variable name ($ and up to %d of A-Z, "
				      "0-9, _)", def->key, yread_quote(q, dl_sv(ev), dl_sn(ev)),
				      DETECT_VAR_NAME_MAX);
	for (i = 0; i < ld->nvars; i++)
		if (ld->vars[i].name != NULL && strcmp(ld->vars[i].name, dl_sv(ev) + 1) == 0)
			break;
	if (i == ld->nvars)
		return yread_error_at(&ld->y, ev->start_mark, "%s: unknown variable '%s'",
				      def->key, yread_quote(q, dl_sv(ev), dl_sn(ev)));
	var = ld->vars[i].cidrs;
	if (var == NULL || var->n == 0) {
		/* Kept but disabled: see detect-rules.h, "Variables". */
		if (!rule->disabled)
			snprintf(rule->reason, sizeof(rule->reason), "%s is empty", dl_sv(ev));
		rule->disabled = true;
		return 0;
	}
	for (i = 0; i < var->n; i++)
		if (ew_cidr_list_add(l, &var->v[i]) < 0)
			return yread_error(&ld->y, "out of memory");
	return 0;
}

/* One item of a list condition (a scalar with text, no NUL or control byte). */
static int load_item(struct detect_loader *ld, const struct detect_cond_def *def,
		     const yaml_event_t *ev, struct cond_acc *acc, struct detect_rule *rule)
{
	char q[YREAD_QUOTE_MAX + 4];
	const char *k = def->key, *why;
	int v;

	yread_quote(q, dl_sv(ev), dl_sn(ev));
	switch (def->value) {
	case DV_CLASSES:
		if (detect_class_bit(dl_sv(ev), dl_sn(ev)) == 0)
			return yread_error_at(&ld->y, ev->start_mark, "%s: unknown class '%s'", k,
					      q);
		acc->classes |= detect_class_bit(dl_sv(ev), dl_sn(ev));
		return 0;
	case DV_GROUPS:
		if (detect_group_mask(dl_sv(ev), dl_sn(ev)) == 0)
			return yread_error_at(&ld->y, ev->start_mark,
					      "%s: unknown class group '%s' (iot, ot, network, "
					      "general)", k, q);
		acc->classes |= detect_group_mask(dl_sv(ev), dl_sn(ev));
		return 0;
	case DV_PROTOS:
		if ((v = detect_proto_parse(dl_sv(ev), dl_sn(ev))) < 0)
			return yread_error_at(&ld->y, ev->start_mark,
					      "%s: '%s' is not a protocol (tcp, udp, icmp, icmpv6 "
					      "or 0..255)", k, q);
		acc->protos[v / 64] |= 1ull << (v % 64);
		return 0;
	case DV_PORTS:
		if (detect_port_parse(dl_sv(ev), dl_sn(ev), &acc->ports[acc->n]) < 0)
			return yread_error_at(&ld->y, ev->start_mark,
					      "%s: '%s' is not a port or range such as 23 or "
					      "8000-8999 (0..65535)", k, q);
		acc->n++;
		return 0;
	case DV_APPS:
		if ((why = detect_app_check(dl_sv(ev), dl_sn(ev))) != NULL)
			return yread_error_at(&ld->y, ev->start_mark, "%s: '%s' %s", k, q, why);
		acc->apps[acc->n].prefix = dl_sv(ev)[dl_sn(ev) - 1] == '*';
		acc->apps[acc->n].len = (uint8_t)(dl_sn(ev) - acc->apps[acc->n].prefix);
		memcpy(acc->apps[acc->n].text, dl_sv(ev), acc->apps[acc->n].len);
		acc->apps[acc->n].text[acc->apps[acc->n].len] = '\0';
		acc->n++;
		return 0;
	case DV_RISKS:
		if ((v = dpi_risk_from_name(dl_sv(ev))) < 0)
			return yread_error_at(&ld->y, ev->start_mark, "%s: unknown nDPI risk '%s'",
					      k, q);
		acc->risks |= 1ull << v;
		return 0;
	case DV_CIDRS:
		return load_cidr_item(ld, def, ev, rule);
	default:
		return yread_error(&ld->y, "internal error: value kind %d", (int)def->value);
	}
}

/* Checks an item event and hands it to load_item(). */
static int load_item_event(struct detect_loader *ld, const struct detect_cond_def *def,
			   const yaml_event_t *ev, struct cond_acc *acc, struct detect_rule *rule,
			   unsigned *nitems)
{
	const char *k = def->key;

	if (ev->type != YAML_SCALAR_EVENT)
		return yread_error_at(&ld->y, ev->start_mark, "%s: expected a string, found %s",
				      k, yread_node_kind(ev));
	if (yread_is_null(ev) || dl_sn(ev) == 0)
		return yread_error_at(&ld->y, ev->start_mark, "%s: empty value", k);
	if (memchr(dl_sv(ev), '\0', dl_sn(ev)) != NULL || yread_has_control(dl_sv(ev), dl_sn(ev)))
		return yread_error_at(&ld->y, ev->start_mark, "%s: control character in value",
				      k);
	if (*nitems == DETECT_LIST_MAX)
		return yread_error_at(&ld->y, ev->start_mark, "%s: more than %d items", k,
				      DETECT_LIST_MAX);
	(*nitems)++;
	return load_item(ld, def, ev, acc, rule);
}

/* Moves what a list condition read into the rule. */
static int store_acc(struct detect_loader *ld, const struct detect_cond_def *def,
		     const struct cond_acc *acc, struct detect_rule *rule)
{
	struct detect_port_range **ports = NULL;
	uint16_t *nports = NULL;

	switch (def->cond) {
	case DC_CLIENT_CLASS:
	case DC_CLASS_GROUP:
		rule->client_classes &= acc->classes; /* both given: both must hold */
		return 0;
	case DC_SERVER_CLASS:
	case DC_SERVER_CLASS_GROUP:
		rule->server_classes &= acc->classes;
		return 0;
	case DC_PROTO:
		memcpy(rule->protos, acc->protos, sizeof(rule->protos));
		return 0;
	case DC_NDPI_RISK:
		rule->risks = acc->risks;
		return 0;
	case DC_CLIENT_PORT:
		ports = &rule->client_ports;
		nports = &rule->nclient_ports;
		break;
	case DC_SERVER_PORT:
		ports = &rule->server_ports;
		nports = &rule->nserver_ports;
		break;
	case DC_APP:
		rule->apps = malloc(acc->n * sizeof(*rule->apps));
		if (rule->apps == NULL)
			return yread_error(&ld->y, "out of memory");
		memcpy(rule->apps, acc->apps, acc->n * sizeof(*rule->apps));
		rule->napps = acc->n;
		return 0;
	default: /* address lists were filled item by item */
		return 0;
	}
	*ports = malloc(acc->n * sizeof(**ports));
	if (*ports == NULL)
		return yread_error(&ld->y, "out of memory");
	memcpy(*ports, acc->ports, acc->n * sizeof(**ports));
	*nports = acc->n;
	return 0;
}

/* A condition whose value is one item or a list of them. */
static int load_list_cond(struct detect_loader *ld, const struct detect_cond_def *def,
			  struct detect_rule *rule)
{
	struct cond_acc *acc;
	yaml_event_t ev;
	unsigned nitems = 0;
	int rc;

	/* About 5 KiB: on the heap rather than in a deep stack frame. */
	acc = calloc(1, sizeof(*acc));
	if (acc == NULL)
		return yread_error(&ld->y, "out of memory");
	if (yread_next(&ld->y, &ev) < 0) {
		free(acc);
		return -1;
	}
	if (ev.type == YAML_SCALAR_EVENT && yread_is_null(&ev)) {
		rc = yread_error_at(&ld->y, ev.start_mark, "%s: a value is required", def->key);
	} else if (ev.type == YAML_SCALAR_EVENT) {
		rc = load_item_event(ld, def, &ev, acc, rule, &nitems);
	} else if (ev.type != YAML_SEQUENCE_START_EVENT) {
		rc = yread_error_at(&ld->y, ev.start_mark,
				    "%s: expected a string or a list of strings, found %s",
				    def->key, yread_node_kind(&ev));
	} else {
		yaml_mark_t start = ev.start_mark;

		for (rc = 0; rc == 0;) {
			yaml_event_delete(&ev);
			if (yread_next(&ld->y, &ev) < 0) {
				free(acc);
				return -1;
			}
			if (ev.type == YAML_SEQUENCE_END_EVENT)
				break;
			rc = load_item_event(ld, def, &ev, acc, rule, &nitems);
		}
		if (rc == 0 && nitems == 0)
			rc = yread_error_at(&ld->y, start, "%s: empty list", def->key);
	}
	yaml_event_delete(&ev);
	if (rc == 0)
		rc = store_acc(ld, def, acc, rule);
	free(acc);
	return rc;
}

/* A condition whose value is one scalar: direction, a boolean, an integer. */
static int load_scalar_cond(struct detect_loader *ld, const struct detect_cond_def *def,
			    struct detect_rule *rule)
{
	const char *want = def->value == DV_BOOL ? "a boolean"
			   : def->value == DV_UINT ? "an integer" : "a string";
	char q[YREAD_QUOTE_MAX + 4];
	yaml_event_t ev;
	bool flag = false;
	int rc = 0, dir;

	if (yread_scalar(&ld->y, def->key, want, &ev) < 0)
		return -1;
	if (def->value == DV_DIRECTION) {
		if ((dir = detect_direction_parse(dl_sv(&ev), dl_sn(&ev))) < 0)
			rc = yread_error_at(&ld->y, ev.start_mark,
					    "direction: '%s' is not outbound, inbound, internal "
					    "or any", yread_quote(q, dl_sv(&ev), dl_sn(&ev)));
		rule->direction = (uint8_t)(dir < 0 ? 0 : dir);
	} else if (def->value == DV_UINT) {
		rc = check_uint(ld, def->key, &ev, 0, UINT32_MAX, &rule->min_bytes_toserver);
	} else if ((rc = check_bool(ld, def->key, &ev, &flag)) == 0) {
		if (def->cond == DC_CLIENT_INTERNAL)
			rule->client_internal = flag;
		else if (def->cond == DC_SERVER_INTERNAL)
			rule->server_internal = flag;
		else if (def->cond == DC_ANSWERED)
			rule->answered = flag;
		else if (!flag) /* DC_TCP_SYN_SEQ_IS_DST: "false" would match every SYN */
			rc = yread_error_at(&ld->y, ev.start_mark,
					    "tcp_syn_seq_is_dst: only true is meaningful");
	}
	yaml_event_delete(&ev);
	return rc;
}

/* The rule whose "match" mapping is being read. */
struct match_ctx {
	struct detect_loader *ld;
	struct detect_rule *rule;
};

/* One condition of the "match" mapping: its key, then its value. */
static int load_match_pair(void *ctx, const yaml_event_t *key)
{
	struct match_ctx *m = ctx;
	struct detect_loader *ld = m->ld;
	const struct detect_cond_def *def;
	char q[YREAD_QUOTE_MAX + 4];

	if (key->type != YAML_SCALAR_EVENT)
		return yread_error_at(&ld->y, key->start_mark, "a key must be a scalar, not %s",
				      yread_node_kind(key));
	if ((def = detect_cond_def(dl_sv(key), dl_sn(key))) == NULL)
		return yread_error_at(&ld->y, key->start_mark, "unknown condition '%s'",
				      yread_quote(q, dl_sv(key), dl_sn(key)));
	if (m->rule->has & (1u << def->cond))
		return yread_error_at(&ld->y, key->start_mark, "duplicate condition '%s'",
				      def->key);
	m->rule->has |= 1u << def->cond;
	if (def->value == DV_DIRECTION || def->value == DV_BOOL || def->value == DV_UINT)
		return load_scalar_cond(ld, def, m->rule);
	return load_list_cond(ld, def, m->rule);
}

/* The "match" mapping, after its start event map. */
int dl_load_match(struct detect_loader *ld, struct detect_rule *rule, const yaml_event_t *map)
{
	struct match_ctx m = { ld, rule };

	if (yread_mapping(&ld->y, load_match_pair, &m) < 0)
		return -1;
	if (rule->has == 0)
		return yread_error_at(&ld->y, map->start_mark,
				      "match: a rule needs at least one condition");
	return 0;
}

/* ---------------------------------------------------------- threshold */

static const char *const thr_keys[] = { "count", "seconds", "distinct" };
static const struct yread_keys thr_key_set = { thr_keys, 3, "threshold: ", "" };

/* A "threshold" mapping being read: its values are checked together at its end. */
struct thr_ctx {
	struct detect_loader *ld;
	struct detect_rule *rule;
	yaml_mark_t count_mark;
	uint64_t count, seconds;
	uint32_t seen; /* 1 << index in thr_keys */
};

/* The value of key k of the "threshold" mapping (yread_keyed_mapping). */
static int load_threshold_value(void *ctx, int k)
{
	static const char *const names[] = { "threshold: count", "threshold: seconds",
					     "threshold: distinct" };
	struct thr_ctx *t = ctx;
	struct detect_loader *ld = t->ld;
	char q[YREAD_QUOTE_MAX + 4];
	yaml_event_t ev;
	int rc = 0;

	if (yread_scalar(&ld->y, names[k], k == 2 ? "a string" : "an integer", &ev) < 0)
		return -1;
	if (k == 0) {
		t->count_mark = ev.start_mark;
		rc = check_uint(ld, names[k], &ev, 1, DETECT_COUNT_MAX, &t->count);
	} else if (k == 1) {
		rc = check_uint(ld, names[k], &ev, 1, DETECT_WINDOW_MAX_S, &t->seconds);
	} else if (yread_is_word(&ev, "server_addr")) {
		t->rule->thr_kind = THR_DISTINCT_ADDR;
	} else if (yread_is_word(&ev, "server_port")) {
		t->rule->thr_kind = THR_DISTINCT_PORT;
	} else {
		rc = yread_error_at(&ld->y, ev.start_mark,
				    "threshold: distinct: '%s' is not server_addr or server_port",
				    yread_quote(q, dl_sv(&ev), dl_sn(&ev)));
	}
	yaml_event_delete(&ev);
	return rc;
}

/* The "threshold" mapping's keys, after its start event map. */
int dl_load_threshold(struct detect_loader *ld, struct detect_rule *rule,
		      const yaml_event_t *map)
{
	struct thr_ctx t = { ld, rule, map->start_mark, 0, 0, 0 };
	uint64_t max;

	rule->thr_kind = THR_COUNT;
	if (yread_keyed_mapping(&ld->y, &thr_key_set, &t.seen, load_threshold_value, &t) < 0)
		return -1;
	for (size_t k = 0; k < 2; k++)
		if (!(t.seen & (1u << k)))
			return yread_error_at(&ld->y, map->start_mark, "threshold: missing '%s'",
					      thr_keys[k]);
	/* The distinct values are kept exactly, in a set of at most DETECT_DISTINCT_MAX. */
	max = rule->thr_kind == THR_COUNT ? DETECT_COUNT_MAX : DETECT_DISTINCT_MAX;
	if (t.count > max)
		return yread_error_at(&ld->y, t.count_mark,
				      "threshold: count %llu is out of range 1..%llu with distinct",
				      (unsigned long long)t.count, (unsigned long long)max);
	rule->thr_count = (uint32_t)t.count;
	rule->thr_seconds = (uint32_t)t.seconds;
	return 0;
}
