/*
 * detect-rules-explain.c - the one line that says why a rule fired.
 *
 * An explanation is built only from the view and the rule, so a person
 * can check each word against the flow: who (the client's class and
 * address), what (protocol, port, server and where it is), the facts
 * the rule's conditions looked at (the SYN's sequence number, nDPI's
 * label and risks, bytes sent, whether the server answered), for a
 * threshold the count and window, and last the rule's id and title:
 *
 *   camera 192.168.1.20 opened tcp/23 to 203.0.113.5 (external); rule
 *   iot-telnet-outbound: Telnet opened by an IoT device
 *
 * Bounded: strings from packets (app label, server name) are cut, and
 * the rule's part always fits, the description of the flow giving way
 * ("...") when the whole would not.  Bytes are not escaped here; the
 * JSON writer does that.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "detect-rules-private.h"
#include "dpi.h"

#define EXPLAIN_APP_MAX 48    /* bytes of an nDPI label shown */
#define EXPLAIN_NAME_MAX 64   /* bytes of a server name shown */
#define EXPLAIN_RISKS_MAX 2   /* risk names shown; the rest are counted */

struct sbuf {
	char *p;
	size_t cap, len; /* len < cap always */
	bool cut;
};

__attribute__((format(printf, 2, 3)))
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->cut)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->cap - b->len) {
		b->cut = true;
		b->len = b->cap - 1;
		return;
	}
	b->len += (size_t)n;
}

static bool has(const struct detect_rule *rule, enum detect_cond c)
{
	return (rule->has & (1u << c)) != 0;
}

static const char *where(bool internal)
{
	return internal ? "internal" : "external";
}

/* "tcp/23 to 203.0.113.5 (external)" and the facts the rule looked at. */
static void flow_phrase(struct sbuf *b, const struct detect_rule *rule, const struct detect_view *v)
{
	const char *proto = detect_proto_name(v->proto);
	char addr[EW_ADDR_STRLEN];

	ew_addr_format(&v->server_addr, addr, sizeof(addr));
	if (proto == NULL)
		sb_printf(b, "ip-proto-%u", (unsigned)v->proto);
	else if (v->proto == EW_IPPROTO_TCP || v->proto == EW_IPPROTO_UDP)
		sb_printf(b, "%s/%u", proto, (unsigned)v->server_port);
	else
		sb_printf(b, "%s", proto);
	sb_printf(b, " to %s (%s)", addr, where(v->server_internal));
	if (has(rule, DC_TCP_SYN_SEQ_IS_DST))
		sb_printf(b, ", sequence number 0x%08" PRIx32 " = destination address", v->tcp_seq);
	if (v->stage != DETECT_FLOW_END)
		return;
	if (v->app != NULL && v->app[0] != '\0')
		sb_printf(b, ", app %.*s", EXPLAIN_APP_MAX, v->app);
	if (v->server_name != NULL && v->server_name[0] != '\0')
		sb_printf(b, ", name %.*s", EXPLAIN_NAME_MAX, v->server_name);
	if (has(rule, DC_NDPI_RISK)) {
		uint64_t risks = v->ndpi_risk & rule->risks;
		unsigned shown = 0, more = 0;

		for (int bit = 1; bit < 64; bit++) {
			const char *text;

			if (!(risks & (1ull << bit)))
				continue;
			text = dpi_risk_text(bit);
			if (shown == EXPLAIN_RISKS_MAX || text == NULL) {
				more++;
				continue;
			}
			sb_printf(b, "%s%s", shown == 0 ? ", nDPI risk " : " + ", text);
			shown++;
		}
		if (more > 0)
			sb_printf(b, " + %u more", more);
	}
	if (has(rule, DC_MIN_BYTES_TOSERVER))
		sb_printf(b, ", %" PRIu64 " bytes to server", v->bytes_toserver);
	if (has(rule, DC_ANSWERED))
		sb_printf(b, ", %s", v->answered ? "answered" : "unanswered");
}

/* The client's class, or "device" when it has none. */
static const char *class_word(const char *c)
{
	return c == NULL || c[0] == '\0' || strcmp(c, "unknown") == 0 ? "device" : c;
}

/* " internal", " external" or "": which servers a distinct-address threshold counts. */
static const char *server_adjective(const struct detect_rule *rule)
{
	if (has(rule, DC_SERVER_INTERNAL))
		return rule->server_internal ? " internal" : " external";
	if (has(rule, DC_DIRECTION) && rule->direction == DIR_OUTBOUND)
		return " external";
	if (has(rule, DC_DIRECTION) && rule->direction != DIR_ANY)
		return " internal";
	return "";
}

static void threshold_phrase(struct sbuf *b, const struct detect_rule *rule, uint8_t stage)
{
	unsigned c = rule->thr_count, s = rule->thr_seconds;

	switch (rule->thr_kind) {
	case THR_DISTINCT_ADDR:
		sb_printf(b, " opened flows to %u distinct%s addresses within %u s (threshold %u)",
			  c, server_adjective(rule), s, c);
		break;
	case THR_DISTINCT_PORT:
		sb_printf(b, " opened flows to %u distinct server ports within %u s (threshold %u)",
			  c, s, c);
		break;
	default:
		sb_printf(b, " %s %u matching %s within %u s (threshold %u)",
			  stage == DETECT_SYN ? "sent" : "opened", c,
			  stage == DETECT_SYN ? "SYNs" : "flows", s, c);
		break;
	}
	sb_printf(b, ", the last ");
}

void detect_explain(const struct detect_rule *rule, const struct detect_view *v,
		    struct detect_hit *hit)
{
	char suffix[DETECT_ID_MAX + DETECT_TITLE_MAX + 16], addr[EW_ADDR_STRLEN];
	struct sbuf b = { hit->explain, 0, 0, false };
	size_t slen;

	hit->rule_id = rule->id;
	hit->title = rule->title;
	hit->severity = (enum detect_severity)rule->severity;
	hit->stage = v->stage;
	hit->threshold_count = rule->thr_kind != THR_NONE ? rule->thr_count : 0;

	/* The rule's part always fits: 64 + 96 + its words is far below the buffer. */
	slen = (size_t)snprintf(suffix, sizeof(suffix), "; rule %s: %s", rule->id, rule->title);
	if (slen >= sizeof(suffix))
		slen = sizeof(suffix) - 1;
	b.cap = DETECT_EXPLAIN_MAX - slen;

	ew_addr_format(&v->client_addr, addr, sizeof(addr));
	sb_printf(&b, "%s %s", class_word(v->client_class), addr);
	if (rule->thr_kind != THR_NONE)
		threshold_phrase(&b, rule, v->stage);
	else if (v->stage == DETECT_SYN)
		sb_printf(&b, " sent a SYN for ");
	else
		sb_printf(&b, " opened ");
	flow_phrase(&b, rule, v);
	if (b.cut) { /* the flow's description gives way to the rule's part */
		memcpy(hit->explain + b.cap - 4, "...", 4);
		b.len = b.cap - 1;
	}
	memcpy(hit->explain + b.len, suffix, slen + 1);
}
