/*
 * output-device.c - device events, inventory JSON and the inventory table.
 */
#include <string.h>

#include "output-device.h"
#include "output-posture.h"
#include "util-time.h"

#define TABLE_NAME_WIDTH 24
#define TABLE_VENDOR_WIDTH 22
#define TABLE_FINDINGS_WIDTH 24

static const char *const event_names[] = {
	[DEVICE_NEW] = "new", [DEVICE_CHANGED] = "changed", [DEVICE_GONE] = "gone",
};

static const char *const addr_source_names[] = {
	[ADDR_FROM_TRAFFIC] = "traffic", [ADDR_FROM_ARP] = "arp", [ADDR_FROM_DHCP] = "dhcp",
	[ADDR_FROM_NDP] = "ndp",
};

void output_mac_text(const uint8_t mac[6], char buf[18])
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < 6; i++) {
		buf[i * 3] = hex[mac[i] >> 4];
		buf[i * 3 + 1] = hex[mac[i] & 15];
		buf[i * 3 + 2] = i < 5 ? ':' : '\0';
	}
}

static void put_time(struct json_buf *jb, const char *key, ew_usec_t ts)
{
	char buf[EW_TIMESTAMP_LEN];

	ew_time_format(ts, buf);
	json_string(jb, key, buf);
}

/*
 * The key: "mac" for a device keyed by MAC; "ip" (and no "mac") for one
 * keyed by its address inside the home networks; "key" says which.
 */
static void put_key(struct json_buf *jb, const struct device *d)
{
	char text[EW_ADDR_STRLEN > 18 ? EW_ADDR_STRLEN : 18];

	if (d->key_kind == DEVICE_KEY_IP) {
		ew_addr_format(&d->ip, text, sizeof(text));
		json_string(jb, "ip", text);
		json_string(jb, "key", "ip");
		return;
	}
	output_mac_text(d->mac, text);
	json_string(jb, "mac", text);
	json_string(jb, "key", "mac");
}

/* Identity common to every device line: key, vendor, addresses. */
void output_device_identity(struct json_buf *jb, const struct device *d)
{
	char a[EW_ADDR_STRLEN];

	put_key(jb, d);
	if (d->vendor)
		json_string(jb, "vendor", d->vendor);
	if (d->local_admin)
		json_bool(jb, "local_admin_mac", true);
	if (d->routed_pkts)
		json_bool(jb, "router", true);
	json_open_array(jb, "addresses");
	for (int i = 0; i < d->naddr; i++) {
		ew_addr_format(&d->addr[i].addr, a, sizeof(a));
		json_string(jb, NULL, a);
	}
	json_close_array(jb);
	if (d->class_name[0] != '\0') {
		json_string(jb, "class", d->class_name);
		json_uint(jb, "class_confidence", d->class_confidence);
		if (d->class_vendor[0] != '\0')
			json_string(jb, "class_vendor", d->class_vendor);
		if (d->class_model[0] != '\0')
			json_string(jb, "class_model", d->class_model);
	}
}

/* Why the device has its class: each matching rule and what it matched. */
static void put_evidence(struct json_buf *jb, const struct device *d,
			 const struct device_rules *rules)
{
	struct device_class c;

	device_rules_classify(rules, d, &c);
	json_open_array(jb, "class_evidence");
	for (size_t i = 0; i < c.nevidence; i++) {
		const struct device_evidence *ev = &c.evidence[i];
		json_open_object(jb, NULL);
		json_string(jb, "rule", ev->rule_id);
		json_string(jb, "signal", ev->what);
		json_string(jb, "value", ev->value);
		if (ev->pattern)
			json_string(jb, "pattern", ev->pattern);
		json_uint(jb, "weight", ev->weight);
		json_close_object(jb);
	}
	json_close_array(jb);
	json_uint(jb, "class_score", c.score);
	json_uint(jb, "class_runner_up_score", c.runner_up);
}

/* The values of a change before it: the other values of the same kind. */
static void put_before(struct json_buf *jb, const struct device *d, const struct device_change *ch)
{
	char a[EW_ADDR_STRLEN];

	json_open_array(jb, "before");
	if (ch->sig_kind >= 0) {
		const struct device_signal_set *s = &d->sig[ch->sig_kind];
		for (int i = 0; i < s->n; i++)
			if (strcmp(s->slot[i].value, ch->after) != 0)
				json_string(jb, NULL, s->slot[i].value);
	} else if (ch->before != NULL) {
		json_string(jb, NULL, ch->before);
	} else if (strcmp(ch->field, "address") == 0) {
		for (int i = 0; i < d->naddr; i++) {
			if (d->addr[i].addr.family != EW_AF_INET)
				continue;
			ew_addr_format(&d->addr[i].addr, a, sizeof(a));
			if (strcmp(a, ch->after) != 0)
				json_string(jb, NULL, a);
		}
	} else {
		json_string(jb, NULL, "gone");
	}
	json_close_array(jb);
}

int output_device_event(struct json_buf *jb, const struct device *d,
			const struct device_change *ch)
{
	json_reset(jb);
	json_open_object(jb, NULL);
	put_time(jb, "timestamp", ch->ts);
	json_string(jb, "event_type", "device");
	json_string(jb, "event", event_names[ch->kind]);
	output_device_identity(jb, d);
	if (ch->kind == DEVICE_CHANGED) {
		json_open_object(jb, "change");
		json_string(jb, "field", ch->field);
		put_before(jb, d, ch);
		json_string(jb, "after", ch->after);
		if (ch->sig_kind >= 0 &&
		    device_signal_is_firmware((enum device_signal_kind)ch->sig_kind))
			json_bool(jb, "probable_firmware_change", true);
		json_close_object(jb);
	}
	put_time(jb, "first_seen", d->first_ts);
	put_time(jb, "last_seen", d->last_ts);
	json_close_object(jb);
	return jb->err || jb->depth != 0 ? -1 : 0;
}

static void put_signals(struct json_buf *jb, const struct device *d)
{
	json_open_object(jb, "signals");
	for (int k = 0; k < SIG_KIND_MAX; k++) {
		const struct device_signal_set *s = &d->sig[k];
		if (s->n == 0)
			continue;
		json_open_array(jb, device_signal_kind_name((enum device_signal_kind)k));
		for (int i = 0; i < s->n; i++) {
			json_open_object(jb, NULL);
			json_string(jb, "value", s->slot[i].value);
			json_uint(jb, "count", s->slot[i].count);
			put_time(jb, "first_seen", s->slot[i].first_ts);
			put_time(jb, "last_seen", s->slot[i].last_ts);
			json_close_object(jb);
		}
		if (s->dropped) {
			json_open_object(jb, NULL);
			json_uint(jb, "values_not_kept", s->dropped);
			json_close_object(jb);
		}
		json_close_array(jb);
	}
	json_close_object(jb);
}

/* What the device's baseline holds: phase, sizes, its beacons. */
static void put_baseline(struct json_buf *jb, const struct baseline_summary *bs)
{
	json_open_object(jb, "baseline");
	json_string(jb, "phase", bs->learning ? "learning" : "detecting");
	json_uint(jb, "bins_learned", bs->bins_learned);
	json_open_object(jb, "profile_items");
	for (unsigned c = 0; c < BLC_COUNT; c++)
		json_uint(jb, model_category_name((enum bl_category)c), bs->items[c]);
	json_close_object(jb);
	json_open_array(jb, "beacons");
	for (size_t i = 0; i < bs->nbeacons; i++) {
		const struct baseline_beacon *bc = &bs->beacon[i];

		json_open_object(jb, NULL);
		json_bytes(jb, "endpoint", (const uint8_t *)bc->endpoint, strlen(bc->endpoint));
		json_double(jb, "period_s", bc->period_s);
		json_double(jb, "jitter_s", bc->jitter_s);
		json_uint(jb, "contacts", bc->contacts);
		put_time(jb, "last_contact", bc->last_us);
		json_string(jb, "state", bc->overdue ? "overdue" : "regular");
		json_close_object(jb);
	}
	json_close_array(jb);
	json_uint(jb, "beats_missed", bs->overdue_total);
	json_close_object(jb);
}

/* The device's posture audit record, as the posture event lists it (docs/events.md). */
static void put_posture(struct json_buf *jb, const struct posture_device *pd)
{
	json_open_object(jb, "posture");
	output_posture_members(jb, pd);
	json_close_object(jb);
}

int output_device_inventory(struct json_buf *jb, const struct device *d,
			    const struct device_rules *rules, const struct baseline_summary *bs,
			    const struct posture_device *pd)
{
	char a[EW_ADDR_STRLEN];

	json_reset(jb);
	json_open_object(jb, NULL);
	json_string(jb, "event_type", "inventory");
	output_device_identity(jb, d);
	/* Without rules, a router still has the evidence of its traffic. */
	if (rules != NULL || d->routed_pkts > 0)
		put_evidence(jb, d, rules);
	json_open_array(jb, "address_details");
	for (int i = 0; i < d->naddr; i++) {
		json_open_object(jb, NULL);
		ew_addr_format(&d->addr[i].addr, a, sizeof(a));
		json_string(jb, "address", a);
		json_string(jb, "source", addr_source_names[d->addr[i].source]);
		put_time(jb, "first_seen", d->addr[i].first_ts);
		put_time(jb, "last_seen", d->addr[i].last_ts);
		json_close_object(jb);
	}
	json_close_array(jb);
	put_time(jb, "first_seen", d->first_ts);
	put_time(jb, "last_seen", d->last_ts);
	json_uint(jb, "pkts_out", d->pkts_out);
	json_uint(jb, "bytes_out", d->bytes_out);
	json_uint(jb, "pkts_in", d->pkts_in);
	json_uint(jb, "bytes_in", d->bytes_in);
	json_uint(jb, "flows_out", d->flows_out);
	json_uint(jb, "flows_in", d->flows_in);
	put_signals(jb, d);
	if (bs != NULL)
		put_baseline(jb, bs);
	if (pd != NULL)
		put_posture(jb, pd);
	json_close_object(jb);
	return jb->err || jb->depth != 0 ? -1 : 0;
}

/* A value for the table: control bytes and non-ASCII shown as '?', cut to width. */
static void table_text(FILE *out, const char *s, int width)
{
	int n = 0;

	for (; s && *s && n < width; s++, n++)
		fputc((unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7f ? *s : '?', out);
	for (; n < width; n++)
		fputc(' ', out);
}

static const char *first_value(const struct device *d, enum device_signal_kind k)
{
	return d->sig[k].n ? d->sig[k].slot[0].value : "";
}

/*
 * The name an operator knows the device by: DHCP, NetBIOS, LLMNR, mDNS,
 * then LLDP system names (last: switches often keep a factory default).
 */
const char *output_device_name(const struct device *d)
{
	static const enum device_signal_kind order[] = {
		SIG_DHCP_HOSTNAME, SIG_NETBIOS_NAME, SIG_LLMNR_NAME, SIG_MDNS_NAME, SIG_LLDP_NAME,
	};

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (d->sig[order[i]].n)
			return first_value(d, order[i]);
	return "";
}

/* The most used value of a signal kind (ties: the first seen), or "". */
static const char *top_value(const struct device *d, enum device_signal_kind k, int skip)
{
	const struct device_signal_set *set = &d->sig[k];
	int best = -1, second = -1;

	for (int i = 0; i < set->n; i++) {
		if (best < 0 || set->slot[i].count > set->slot[best].count) {
			second = best;
			best = i;
		} else if (second < 0 || set->slot[i].count > set->slot[second].count) {
			second = i;
		}
	}
	if (skip == 0)
		return best >= 0 ? set->slot[best].value : "";
	return second >= 0 ? set->slot[second].value : "";
}

/* "telnet,http_clear": the finding names, cut to fit buf (len > 0); "" when none. */
static void findings_text(const struct posture_device *pd, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned f = 0; pd != NULL && f < PF_COUNT && used + 1 < len; f++) {
		int n;

		if (!(pd->findings & (1u << f)))
			continue;
		n = snprintf(buf + used, len - used, "%s%s", used ? "," : "",
			     posture_finding_name((enum posture_finding)f));
		if (n < 0)
			break;
		used += (size_t)n; /* past len - 1 when cut: the loop ends */
	}
}

void output_device_table_row(FILE *out, const struct device *d, const struct posture_device *pd,
			     bool header)
{
	char findings[TABLE_FINDINGS_WIDTH + 1];

	char mac[18], a[EW_ADDR_STRLEN] = "", first[EW_TIMESTAMP_LEN], last[EW_TIMESTAMP_LEN];
	char conf[8];
	const char *dest;

	if (header)
		fprintf(out, "%-17s  %-15s  %-*s  %-12s  %4s  %-*s  %-19s  %-19s  %-24s  %-*s  %s\n",
			"MAC", "IPv4", TABLE_VENDOR_WIDTH, "VENDOR", "CLASS", "CONF",
			TABLE_NAME_WIDTH, "NAME", "FIRST SEEN", "LAST SEEN", "PROTOCOLS",
			TABLE_FINDINGS_WIDTH, "FINDINGS", "TOP DESTINATIONS");
	/* A device keyed by IP has no MAC to show; its key is its address. */
	if (d->key_kind == DEVICE_KEY_IP) {
		snprintf(mac, sizeof(mac), "-");
		ew_addr_format(&d->ip, a, sizeof(a));
	} else {
		output_mac_text(d->mac, mac);
	}
	for (int i = 0; i < d->naddr && a[0] == '\0'; i++)
		if (d->addr[i].addr.family == EW_AF_INET) {
			ew_addr_format(&d->addr[i].addr, a, sizeof(a));
			break;
		}
	ew_time_format(d->first_ts, first);
	ew_time_format(d->last_ts, last);
	first[19] = last[19] = '\0'; /* to the second */
	fprintf(out, "%-17s  %-15s  ", mac, a[0] ? a : "-");
	table_text(out, d->vendor ? d->vendor : (d->local_admin ? "(random MAC)" : "-"),
		   TABLE_VENDOR_WIDTH);
	fputs("  ", out);
	table_text(out, d->class_name[0] ? d->class_name : "-", 12);
	snprintf(conf, sizeof(conf), "%u", d->class_confidence);
	fprintf(out, "  %4s  ", d->class_name[0] ? conf : "-");
	table_text(out, output_device_name(d)[0] ? output_device_name(d) : "-", TABLE_NAME_WIDTH);
	fprintf(out, "  %-19s  %-19s  ", first, last);
	{
		char protos[25] = "";
		size_t used = 0;
		for (int i = 0; i < d->sig[SIG_APP_PROTO].n && used < sizeof(protos) - 1; i++)
			used += (size_t)snprintf(protos + used, sizeof(protos) - used, "%s%s",
						 i ? "," : "", d->sig[SIG_APP_PROTO].slot[i].value);
		table_text(out, protos[0] ? protos : "-", 24);
	}
	fputs("  ", out);
	findings_text(pd, findings, sizeof(findings));
	table_text(out, findings[0] ? findings : "-", TABLE_FINDINGS_WIDTH);
	fputs("  ", out);
	dest = top_value(d, SIG_TLS_SNI, 0);
	if (dest[0] == '\0')
		dest = top_value(d, SIG_DNS_QUERY, 0);
	table_text(out, dest[0] ? dest : "-", (int)strlen(dest[0] ? dest : "-"));
	dest = top_value(d, SIG_TLS_SNI, 1);
	if (dest[0] != '\0') {
		fputc(' ', out);
		table_text(out, dest, (int)strlen(dest));
	}
	fputc('\n', out);
}
