/*
 * engine-policy.c - new flows to the segmentation policy (policy.h):
 * the verdict at the flow's first packet, a `policy:<rule>` incident
 * and `alert` event for a denial, a `policy:mud:<class>` one for a flow
 * outside the MUD profile of the client's class (a flow it opened) or of
 * the server's (a flow opened to it), and the learned tuples behind
 * --export-policy.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine-policy.h"
#include "engine-private.h"
#include "output-alert.h"
#include "output-device.h"
#include "output-flow.h"

struct engine_policy {
	const struct policy *policy;  /* borrowed; NULL: nothing enforced */
	struct policy *home_zoning;   /* owned: the zoning used for learning without a policy */
	struct policy_learn *learn;   /* owned; NULL: not learning */
	struct engine_policy_stats st;
};

static struct engine_policy *state(struct engine *e)
{
	if (e->policy == NULL)
		e->policy = calloc(1, sizeof(*e->policy));
	return e->policy;
}

int engine_set_policy(struct engine *e, const struct policy *p)
{
	if (p == NULL && e->policy == NULL)
		return 0;
	if (state(e) == NULL)
		return -1;
	e->policy->policy = p;
	return 0;
}

int engine_policy_learn(struct engine *e, uint32_t cap)
{
	struct engine_policy *ep = state(e);

	if (ep == NULL)
		return -1;
	if (ep->home_zoning == NULL &&
	    (ep->home_zoning = policy_from_home(&e->conf->home_networks)) == NULL)
		return -1;
	if (ep->learn == NULL && (ep->learn = policy_learn_create(cap)) == NULL)
		return -1;
	return 0;
}

int engine_export_policy(const struct engine *e, const char *path, char *err, size_t errlen)
{
	const struct engine_policy *ep = e->policy;

	if (ep == NULL || ep->learn == NULL) {
		snprintf(err, errlen, "%s: nothing learned (engine_policy_learn was not called)",
			 path);
		return -1;
	}
	return policy_export(ep->policy != NULL ? ep->policy : ep->home_zoning, ep->learn, path,
			     err, errlen);
}

void engine_policy_get_stats(const struct engine *e, struct engine_policy_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (e->policy == NULL || e->policy->policy == NULL)
		return;
	*out = e->policy->st;
	out->enforced = true;
	out->mud_unsupported_aces = policy_mud_unsupported_count(e->policy->policy);
}

void engine_policy_free(struct engine *e)
{
	if (e->policy == NULL)
		return;
	policy_free(e->policy->home_zoning);
	policy_learn_destroy(e->policy->learn);
	free(e->policy);
	e->policy = NULL;
}

/* "camera 'kitchen-cam' 44:19:b6:3a:7c:01 192.168.1.20", or the address alone. */
static void device_label(const struct device *d, const char *addr, char *buf, size_t len)
{
	char mac[18];
	const char *name;

	if (d == NULL) {
		snprintf(buf, len, "%s", addr);
		return;
	}
	name = output_device_name(d);
	/* An address-keyed device has no MAC of its own (all zero). */
	if (memcmp(d->mac, "\0\0\0\0\0\0", 6) == 0)
		mac[0] = '\0';
	else
		output_mac_text(d->mac, mac);
	snprintf(buf, len, "%s%s%s%s%s%s %s", d->class_name[0] ? d->class_name : "device",
		 name[0] ? " '" : "", name, name[0] ? "'" : "", mac[0] ? " " : "", mac, addr);
}

/* What a violation breaks: the zone rules, or one end's MUD profile. */
enum violation_kind {
	VK_RULES,     /* a deny rule or the default */
	VK_MUD_FROM,  /* the client's profile, from-device side */
	VK_MUD_TO,    /* the server's profile, to-device side */
};

/* The cause, the explanation's reason and the severity of a violation of kind k. */
static enum ew_severity violation_why(const struct policy_verdict *vd, enum violation_kind k,
				      char *cause, size_t causelen, char *why, size_t whylen)
{
	const struct policy_mud_verdict *mv;

	if (k == VK_RULES) {
		snprintf(cause, causelen, "policy:%s", vd->rule_id != NULL ? vd->rule_id : "default");
		if (vd->result == POLICY_DENY_RULE)
			snprintf(why, whylen, "rule '%s' (line %u) denies it", vd->rule_id,
				 (unsigned)vd->rule_line);
		else
			snprintf(why, whylen, "no rule allows it and the default is deny");
		return (enum ew_severity)vd->severity;
	}
	mv = &vd->mud[k == VK_MUD_TO ? POLICY_MUD_TO_DEVICE : POLICY_MUD_FROM_DEVICE];
	snprintf(cause, causelen, "policy:mud:%s", mv->cls);
	if (mv->by_url)
		snprintf(why, whylen,
			 "outside the MUD profile %s, the one its announced MUD URL names: %s",
			 mv->file, mv->why);
	else
		snprintf(why, whylen, "outside the MUD profile %s of class %s: %s", mv->file,
			 mv->cls, mv->why);
	return (enum ew_severity)mv->severity;
}

/* Counts the violation by kind (policy.* in the stats event). */
static void count_violation(struct engine_policy_stats *st, const struct policy_verdict *vd,
			    enum violation_kind k)
{
	st->violations++;
	if (k == VK_MUD_FROM)
		st->mud_from_device++;
	else if (k == VK_MUD_TO)
		st->mud_to_device++;
	else if (vd->result == POLICY_DENY_RULE)
		st->denied_rule++;
	else
		st->denied_default++;
}

/*
 * A violation of kind k as an incident and, when it opens or escalates,
 * an alert event.  The incident is the device whose profile the flow
 * breaks (the server's, for the to-device side); for the zone rules the
 * client's, or the server's when the client is not a device we track.
 */
static void violation(struct engine *e, const struct flow *f, const struct policy_view *v,
		      const struct policy_verdict *vd, const struct device *client,
		      const struct device *server, enum violation_kind k)
{
	char ctext[EW_ADDR_STRLEN], stext[EW_ADDR_STRLEN], ptext[8], clabel[128], slabel[128];
	char cause[INCIDENT_CAUSE_MAX], why[320], text[640], sname[300];
	const struct device *d = k == VK_MUD_TO || client == NULL ? server : client;
	uint64_t key = d != NULL ? scorer_device_key(d) : 0;
	struct alert_hit_view hv;
	const char *proto;

	ew_addr_format(&v->client, ctext, sizeof(ctext));
	ew_addr_format(&v->server, stext, sizeof(stext));
	proto = output_ip_proto_name(v->proto, ptext, sizeof(ptext));
	device_label(client, ctext, clabel, sizeof(clabel));
	device_label(server, stext, slabel, sizeof(slabel));
	memset(&hv, 0, sizeof(hv));
	hv.severity = violation_why(vd, k, cause, sizeof(cause), why, sizeof(why));
	if (v->server_name != NULL && v->server_name[0] != '\0')
		snprintf(sname, sizeof(sname), " (%s)", v->server_name);
	else
		sname[0] = '\0';
	snprintf(text, sizeof(text), "%s in zone %s opened %s to %s%s port %u in zone %s: %s",
		 clabel, vd->client_zone, proto, slabel, sname, (unsigned)v->server_port,
		 vd->server_zone, why);
	hv.rule_id = cause;
	hv.title = k != VK_RULES ? "Flow outside the device's MUD profile" :
				   "Flow against the segmentation policy";
	hv.explanation = text;
	hv.client = ctext;
	hv.server = stext;
	hv.proto = proto;
	hv.client_port = f->key.port[f->client_side];
	hv.server_port = v->server_port;
	hv.app = "";
	count_violation(&e->policy->st, vd, k);
	e->c.rule_hits++;
	if (hv.severity >= e->alert_min)
		engine_raise_alert(e, d, key, &hv); /* the incident's cause is hv.rule_id */
}

/*
 * The server's device at the flow's first packet.  The flow learns the
 * server's MAC from its first answer, after the verdict, so a device
 * keyed by MAC is found by the packet's destination MAC, as the scorer
 * finds the receiver of a packet: for a home address only, and never a
 * router, whose MAC carries every packet bound for another subnet.
 */
static const struct device *server_at_start(const struct engine *e, const struct flow *f,
					    const struct ew_packet *pkt)
{
	const struct device *d = scorer_flow_device(e->scorer, f, FLOW_TOCLIENT);

	return d != NULL || pkt == NULL ? d : scorer_packet_receiver(e->scorer, pkt);
}

void engine_policy_flow(struct engine *e, const struct flow *f, const struct ew_packet *pkt)
{
	struct engine_policy *ep = e->policy;
	const struct device *client, *server;
	struct policy_verdict vd;
	struct policy_view v;
	unsigned ci = f->client_side, si = 1u - f->client_side;

	if (ep == NULL || e->silent || (ep->policy == NULL && ep->learn == NULL))
		return;
	/*
	 * A TCP flow that starts with a reset or a FIN opened nothing we
	 * saw: it is the backscatter of a spoofed connection, or the end of
	 * one that began before the capture.  Judged, it would be blamed on
	 * whoever sent the RST or FIN, often the wrong end.
	 */
	if (pkt != NULL && pkt->l4_proto == EW_IPPROTO_TCP && pkt->has_l4 &&
	    (pkt->tcp_flags & (EW_TH_RST | EW_TH_FIN)) != 0)
		return;
	memset(&v, 0, sizeof(v));
	memcpy(v.client.bytes, f->key.addr[ci], sizeof(v.client.bytes));
	memcpy(v.server.bytes, f->key.addr[si], sizeof(v.server.bytes));
	v.client.family = v.server.family = f->key.family;
	client = scorer_flow_device(e->scorer, f, FLOW_TOSERVER);
	server = server_at_start(e, f, pkt);
	/* The innermost tag is the LAN's own (QinQ puts the carrier's outside). */
	v.vlan = f->key.vlan[1] != 0 ? f->key.vlan[1] : f->key.vlan[0];
	v.proto = f->key.proto;
	v.client_port = f->key.port[ci];
	v.server_port = f->key.port[si];
	v.client_class = client != NULL ? client->class_name : "";
	v.server_class = server != NULL ? server->class_name : "";
	v.client_name = scorer_name_of(e->scorer, &v.client);
	v.server_name = scorer_name_of(e->scorer, &v.server);
	v.client_mud_url = client != NULL ? device_signal_latest(client, SIG_MUD_URL) : NULL;
	v.server_mud_url = server != NULL ? device_signal_latest(server, SIG_MUD_URL) : NULL;
	if (ep->learn != NULL)
		(void)policy_learn_flow(ep->learn, ep->policy != NULL ? ep->policy : ep->home_zoning,
					&v); /* a full set is counted in its stats */
	if (ep->policy == NULL)
		return;
	ep->st.flows_checked++;
	policy_check(ep->policy, &v, &vd);
	if (vd.result != POLICY_ALLOW)
		violation(e, f, &v, &vd, client, server, VK_RULES);
	if (vd.mud[POLICY_MUD_FROM_DEVICE].violation)
		violation(e, f, &v, &vd, client, server, VK_MUD_FROM);
	if (vd.mud[POLICY_MUD_TO_DEVICE].violation)
		violation(e, f, &v, &vd, client, server, VK_MUD_TO);
}
