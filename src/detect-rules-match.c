/*
 * detect-rules-match.c - trying a compiled detection set against what
 * the engine knows of a flow (see detect-rules.h).
 *
 * Everything was checked and compiled at load, so a condition here is a
 * mask test, a range test or a list look-up, and a rule holds when all
 * its conditions do.  Only the rules of the view's stage are tried (the
 * loader indexed them), which is what makes a flow fire a rule at most
 * once.  Threshold counting is detect-rules-state.c's; the words of a
 * hit are detect-rules-explain.c's.
 */
#include <string.h>
#include <strings.h>

#include "detect-rules-private.h"

static bool port_in(const struct detect_port_range *r, size_t n, uint16_t port)
{
	for (size_t i = 0; i < n; i++)
		if (port >= r[i].lo && port <= r[i].hi)
			return true;
	return false;
}

/* nDPI's labels are compared ignoring ASCII case: "tls.google" is "TLS.Google". */
static bool app_in(const struct detect_app *a, size_t n, const char *app)
{
	size_t len = strlen(app);

	for (size_t i = 0; i < n; i++) {
		if (a[i].prefix ? len >= a[i].len && strncasecmp(app, a[i].text, a[i].len) == 0
				: len == a[i].len && strcasecmp(app, a[i].text) == 0)
			return true;
	}
	return false;
}

static bool direction_holds(uint8_t dir, const struct detect_view *v)
{
	switch (dir) {
	case DIR_OUTBOUND:
		return v->client_internal && !v->server_internal;
	case DIR_INBOUND:
		return !v->client_internal && v->server_internal;
	case DIR_INTERNAL:
		return v->client_internal && v->server_internal;
	default:
		return true;
	}
}

bool detect_syn_seq_is_dst(const struct detect_view *v)
{
	const uint8_t *a = v->server_addr.bytes + 12;
	uint32_t dst;

	/* Mirai's scanner sets the SYN's sequence number to the IPv4 target address. */
	if (v->proto != EW_IPPROTO_TCP || v->server_addr.family != EW_AF_INET)
		return false;
	dst = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
	return v->tcp_seq == dst;
}

static bool has(const struct detect_rule *rule, enum detect_cond c)
{
	return (rule->has & (1u << c)) != 0;
}

/* The conditions known at every stage. */
static bool tuple_holds(const struct detect_rule *rule, const struct detect_view *v,
			const uint32_t class_mask[2])
{
	if ((has(rule, DC_CLIENT_CLASS) || has(rule, DC_CLASS_GROUP)) &&
	    (class_mask[0] & rule->client_classes) == 0)
		return false;
	if ((has(rule, DC_SERVER_CLASS) || has(rule, DC_SERVER_CLASS_GROUP)) &&
	    (class_mask[1] & rule->server_classes) == 0)
		return false;
	if (has(rule, DC_PROTO) && !(rule->protos[v->proto / 64] & (1ull << (v->proto % 64))))
		return false;
	if (has(rule, DC_CLIENT_PORT) &&
	    !port_in(rule->client_ports, rule->nclient_ports, v->client_port))
		return false;
	if (has(rule, DC_SERVER_PORT) &&
	    !port_in(rule->server_ports, rule->nserver_ports, v->server_port))
		return false;
	if (has(rule, DC_DIRECTION) && !direction_holds(rule->direction, v))
		return false;
	if (has(rule, DC_CLIENT_INTERNAL) && v->client_internal != rule->client_internal)
		return false;
	if (has(rule, DC_SERVER_INTERNAL) && v->server_internal != rule->server_internal)
		return false;
	if (has(rule, DC_CLIENT_IN) &&
	    !ew_cidr_list_contains(&rule->cidrs[detect_cidr_slot(DC_CLIENT_IN)], &v->client_addr))
		return false;
	if (has(rule, DC_CLIENT_NOT_IN) &&
	    ew_cidr_list_contains(&rule->cidrs[detect_cidr_slot(DC_CLIENT_NOT_IN)],
				  &v->client_addr))
		return false;
	if (has(rule, DC_SERVER_IN) &&
	    !ew_cidr_list_contains(&rule->cidrs[detect_cidr_slot(DC_SERVER_IN)], &v->server_addr))
		return false;
	if (has(rule, DC_SERVER_NOT_IN) &&
	    ew_cidr_list_contains(&rule->cidrs[detect_cidr_slot(DC_SERVER_NOT_IN)],
				  &v->server_addr))
		return false;
	return true;
}

bool detect_rule_holds(const struct detect_rule *rule, const struct detect_view *v,
		       const uint32_t class_mask[2])
{
	if (!tuple_holds(rule, v, class_mask))
		return false;
	if (has(rule, DC_TCP_SYN_SEQ_IS_DST) && !detect_syn_seq_is_dst(v))
		return false;
	if (has(rule, DC_APP) && !app_in(rule->apps, rule->napps, v->app != NULL ? v->app : ""))
		return false;
	if (has(rule, DC_NDPI_RISK) && (v->ndpi_risk & rule->risks) == 0)
		return false;
	if (has(rule, DC_ANSWERED) && v->answered != rule->answered)
		return false;
	if (has(rule, DC_MIN_BYTES_TOSERVER) && v->bytes_toserver < rule->min_bytes_toserver)
		return false;
	return true;
}

size_t detect_rules_match(const struct detect_rules *r, struct detect_state *st,
			  const struct detect_view *v, struct detect_hit *hits, size_t max)
{
	uint32_t class_mask[2];
	size_t n = 0;

	if (r == NULL || v == NULL || v->stage >= DETECT_NSTAGES)
		return 0;
	/* Class names are looked up once per view, not once per rule. */
	class_mask[0] = detect_class_mask_of(v->client_class);
	class_mask[1] = detect_class_mask_of(v->server_class);
	for (size_t i = 0; i < r->nby_stage[v->stage]; i++) {
		const struct detect_rule *rule = &r->rule[r->by_stage[v->stage][i]];

		if (!detect_rule_holds(rule, v, class_mask))
			continue;
		if (rule->thr_kind != THR_NONE && (st == NULL || !detect_state_count(st, rule, v)))
			continue;
		if (n == max || hits == NULL) {
			detect_state_count_dropped(st);
			continue;
		}
		detect_explain(rule, v, &hits[n++]);
	}
	return n;
}

size_t detect_rules_count(const struct detect_rules *r)
{
	return r != NULL ? r->n : 0;
}

size_t detect_rules_disabled_count(const struct detect_rules *r)
{
	return r != NULL ? r->ndisabled : 0;
}

int detect_rules_info(const struct detect_rules *r, size_t i, struct detect_rule_info *out)
{
	const struct detect_rule *rule;

	if (r == NULL || i >= r->n || out == NULL)
		return -1;
	rule = &r->rule[i];
	out->id = rule->id;
	out->title = rule->title;
	out->severity = (enum detect_severity)rule->severity;
	out->stage = (enum detect_stage)rule->stage;
	out->has_threshold = rule->thr_kind != THR_NONE;
	out->disabled = rule->disabled;
	out->reason = rule->reason;
	return 0;
}
