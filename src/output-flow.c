/*
 * output-flow.c - format an ended flow as an EVE-style `flow` event.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "flow-key.h"
#include "output-flow.h"
#include "util-time.h"

#define FLOW_MAX_RISK_NAMES 64

static const char *const end_reason_names[] = {
	[FLOW_END_TIMEOUT] = "timeout",
	[FLOW_END_EVICTED] = "evicted",
	[FLOW_END_REUSED] = "reused",
	[FLOW_END_SHUTDOWN] = "shutdown",
};

static const char *const dpi_state_names[] = {
	[FLOW_DPI_NONE] = "none",       [FLOW_DPI_RUNNING] = "running",
	[FLOW_DPI_DONE] = "detected",   [FLOW_DPI_GAVE_UP] = "gave_up",
	[FLOW_DPI_SKIPPED] = "skipped",
};

const char *output_ip_proto_name(uint8_t proto, char *buf, size_t len)
{
	switch (proto) {
	case EW_IPPROTO_TCP: return "TCP";
	case EW_IPPROTO_UDP: return "UDP";
	case EW_IPPROTO_ICMP: return "ICMP";
	case EW_IPPROTO_ICMPV6: return "IPv6-ICMP";
	case 2: return "IGMP";
	case 47: return "GRE";
	case 50: return "ESP";
	case 51: return "AH";
	case 132: return "SCTP";
	default:
		snprintf(buf, len, "%u", proto);
		return buf;
	}
}

void output_flow_app_proto(const struct dpi *d, const struct flow *f, char *buf, size_t len)
{
	uint16_t id = f->master_proto ? f->master_proto : f->app_proto;
	const char *name = id ? dpi_proto_name(d, id) : "unknown";
	size_t i;

	for (i = 0; name[i] != '\0' && i + 1 < len; i++)
		buf[i] = (char)tolower((unsigned char)name[i]);
	buf[i] = '\0';
}

/* Suricata's flow states: a TCP flow is "new" until answered, "closed" after FIN/RST. */
static const char *flow_state(const struct flow *f)
{
	if (f->key.proto == EW_IPPROTO_TCP) {
		if ((f->tcp_close & FLOW_TCP_RST) ||
		    (f->tcp_close & (FLOW_TCP_FIN_TOSERVER | FLOW_TCP_FIN_TOCLIENT)) ==
			    (FLOW_TCP_FIN_TOSERVER | FLOW_TCP_FIN_TOCLIENT))
			return "closed";
		return (f->tcp_close & FLOW_TCP_ANSWERED) ? "established" : "new";
	}
	return f->pkts[FLOW_TOCLIENT] ? "established" : "new";
}

static void put_time(struct json_buf *jb, const char *key, ew_usec_t ts)
{
	char buf[EW_TIMESTAMP_LEN];
	ew_time_format(ts, buf);
	json_string(jb, key, buf);
}

static void put_hex8(struct json_buf *jb, const char *key, uint8_t v)
{
	char buf[3];
	snprintf(buf, sizeof(buf), "%02x", v);
	json_string(jb, key, buf);
}

static void put_tcp(struct json_buf *jb, const struct flow *f)
{
	uint8_t all = f->tcp_flags[0] | f->tcp_flags[1];

	json_open_object(jb, "tcp");
	put_hex8(jb, "tcp_flags", all);
	put_hex8(jb, "tcp_flags_ts", f->tcp_flags[FLOW_TOSERVER]);
	put_hex8(jb, "tcp_flags_tc", f->tcp_flags[FLOW_TOCLIENT]);
	json_bool(jb, "syn", all & EW_TH_SYN);
	json_bool(jb, "fin", all & EW_TH_FIN);
	json_bool(jb, "rst", all & EW_TH_RST);
	json_bool(jb, "psh", all & EW_TH_PSH);
	json_bool(jb, "ack", all & EW_TH_ACK);
	json_close_object(jb);
}

static void put_endpoints(struct json_buf *jb, const struct flow *f)
{
	char addr[EW_ADDR_STRLEN], pbuf[8];
	int cs = f->client_side, ss = 1 - f->client_side;

	if (f->key.vlan[0] || f->key.vlan[1]) {
		json_open_array(jb, "vlan");
		json_uint(jb, NULL, f->key.vlan[0]);
		if (f->key.vlan[1])
			json_uint(jb, NULL, f->key.vlan[1]);
		json_close_array(jb);
	}
	flow_key_addr_str(&f->key, cs, addr, sizeof(addr));
	json_string(jb, "src_ip", addr);
	if (f->key.proto == EW_IPPROTO_TCP || f->key.proto == EW_IPPROTO_UDP)
		json_uint(jb, "src_port", f->key.port[cs]);
	flow_key_addr_str(&f->key, ss, addr, sizeof(addr));
	json_string(jb, "dest_ip", addr);
	if (f->key.proto == EW_IPPROTO_TCP || f->key.proto == EW_IPPROTO_UDP)
		json_uint(jb, "dest_port", f->key.port[ss]);
	json_string(jb, "proto", output_ip_proto_name(f->key.proto, pbuf, sizeof(pbuf)));
}

static void put_flow_object(struct json_buf *jb, const struct flow *f, enum flow_end_reason why)
{
	json_open_object(jb, "flow");
	json_uint(jb, "pkts_toserver", f->pkts[FLOW_TOSERVER]);
	json_uint(jb, "pkts_toclient", f->pkts[FLOW_TOCLIENT]);
	json_uint(jb, "bytes_toserver", f->bytes[FLOW_TOSERVER]);
	json_uint(jb, "bytes_toclient", f->bytes[FLOW_TOCLIENT]);
	put_time(jb, "start", f->first_ts);
	put_time(jb, "end", f->last_ts);
	json_uint(jb, "age", (f->last_ts - f->first_ts) / EW_USEC_PER_SEC);
	json_string(jb, "state", flow_state(f));
	json_string(jb, "reason", end_reason_names[why]);
	if (f->fragmented)
		json_bool(jb, "fragmented", true);
	json_close_object(jb);
}

static void put_ndpi(struct json_buf *jb, const struct flow *f, const struct dpi *d)
{
	const char *risks[FLOW_MAX_RISK_NAMES];
	size_t nrisks = dpi_risk_names(f->risk, risks, FLOW_MAX_RISK_NAMES);
	char label[96];

	json_open_object(jb, "ndpi");
	if (f->master_proto && f->app_proto && f->master_proto != f->app_proto)
		snprintf(label, sizeof(label), "%s.%s", dpi_proto_name(d, f->master_proto),
			 dpi_proto_name(d, f->app_proto));
	else
		snprintf(label, sizeof(label), "%s",
			 dpi_proto_name(d, f->master_proto ? f->master_proto : f->app_proto));
	json_string(jb, "protocol", label);
	json_string(jb, "master_protocol", dpi_proto_name(d, f->master_proto));
	json_string(jb, "app_protocol", dpi_proto_name(d, f->app_proto));
	json_string(jb, "category", dpi_category_name(d, f->category));
	json_string(jb, "detection", dpi_state_names[f->dpi_state]);
	if (f->proto_guessed)
		json_bool(jb, "guessed", true);
	if (nrisks > 0) {
		json_open_array(jb, "risks");
		for (size_t i = 0; i < nrisks; i++)
			json_string(jb, NULL, risks[i]);
		json_close_array(jb);
	}
	json_close_object(jb);
}

int output_flow_format(struct json_buf *jb, const struct flow *f, enum flow_end_reason why,
		       const struct dpi *d, const char *app_proto)
{
	json_reset(jb);
	json_open_object(jb, NULL);
	put_time(jb, "timestamp", f->first_ts);
	json_uint(jb, "flow_id", f->id);
	json_string(jb, "event_type", "flow");
	put_endpoints(jb, f);
	json_string(jb, "app_proto", app_proto);
	put_flow_object(jb, f, why);
	if (f->key.proto == EW_IPPROTO_TCP && !f->fragmented)
		put_tcp(jb, f);
	put_ndpi(jb, f, d);
	if (f->server_name)
		json_string(jb, "server_name", f->server_name);
	if (f->ja3_client[0] != '\0') {
		json_open_object(jb, "tls");
		json_open_object(jb, "ja3");
		json_string(jb, "hash", f->ja3_client);
		json_close_object(jb);
		json_close_object(jb);
	}
	json_close_object(jb);
	return jb->err || jb->depth != 0 ? -1 : 0;
}
