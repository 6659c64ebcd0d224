/*
 * engine-policy.c - new flows to the segmentation policy (policy.h):
 * the verdict at the flow's first packet, a `policy:<rule>` incident
 * and `alert` event for a denial, a `policy:mud:<class>` one for a flow
 * outside the client class's MUD profile, and the learned tuples behind
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
	if (e->policy == NULL)
		memset(out, 0, sizeof(*out));
	else
		*out = e->policy->st;
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

/*
 * The denial (mud: false) or the MUD violation (mud: true) as an
 * incident and, when it opens or escalates, an alert event.
 */
static void violation(struct engine *e, const struct flow *f, const struct policy_view *v,
		      const struct policy_verdict *vd, const struct device *client,
		      const struct device *server, bool mud)
{
	char ctext[EW_ADDR_STRLEN], stext[EW_ADDR_STRLEN], ptext[8], clabel[128], slabel[128];
	char cause[INCIDENT_CAUSE_MAX], why[320], text[640], sname[300];
	const struct device *d = client != NULL ? client : server;
	uint64_t key = d != NULL ? scorer_device_key(d) : 0;
	struct alert_hit_view hv;
	struct incident *inc;
	enum incident_action act;
	const char *proto;

	ew_addr_format(&v->client, ctext, sizeof(ctext));
	ew_addr_format(&v->server, stext, sizeof(stext));
	proto = output_ip_proto_name(v->proto, ptext, sizeof(ptext));
	device_label(client, ctext, clabel, sizeof(clabel));
	device_label(server, stext, slabel, sizeof(slabel));
	if (mud) {
		snprintf(cause, sizeof(cause), "policy:mud:%s", vd->mud_class);
		snprintf(why, sizeof(why), "outside the MUD profile %s of class %s: %s",
			 vd->mud_file, vd->mud_class, vd->mud_why);
	} else {
		snprintf(cause, sizeof(cause), "policy:%s",
			 vd->rule_id != NULL ? vd->rule_id : "default");
		if (vd->result == POLICY_DENY_RULE)
			snprintf(why, sizeof(why), "rule '%s' (line %u) denies it", vd->rule_id,
				 (unsigned)vd->rule_line);
		else
			snprintf(why, sizeof(why), "no rule allows it and the default is deny");
	}
	if (v->server_name != NULL && v->server_name[0] != '\0')
		snprintf(sname, sizeof(sname), " (%s)", v->server_name);
	else
		sname[0] = '\0';
	snprintf(text, sizeof(text), "%s in zone %s opened %s to %s%s port %u in zone %s: %s",
		 clabel, vd->client_zone, proto, slabel, sname, (unsigned)v->server_port,
		 vd->server_zone, why);
	memset(&hv, 0, sizeof(hv));
	hv.rule_id = cause;
	hv.title = mud ? "Flow outside the device's MUD profile" :
			 "Flow against the segmentation policy";
	hv.explanation = text;
	hv.severity = (enum ew_severity)(mud ? vd->mud_severity : vd->severity);
	hv.client = ctext;
	hv.server = stext;
	hv.proto = proto;
	hv.client_port = f->key.port[f->client_side];
	hv.server_port = v->server_port;
	hv.app = "";
	e->policy->st.violations++;
	e->c.rule_hits++;
	if (hv.severity < e->alert_min)
		return;
	act = incident_hit(e->incidents, key, cause, hv.severity, 0, e->now_us, &inc);
	if (inc == NULL || act == INCIDENT_SUPPRESSED)
		return;
	if (output_alert_event(&e->jb, e->now_us, d, key, inc,
			       act == INCIDENT_OPENED ? ALERT_OPENED : ALERT_ESCALATED, &hv) != 0)
		e->c.events_dropped++;
	else {
		e->c.incident_events++;
		engine_emit(e);
	}
	engine_quarantine_notify(e, d, inc, act == INCIDENT_OPENED ? QEV_OPENED : QEV_ESCALATED);
}

void engine_policy_flow(struct engine *e, const struct flow *f)
{
	struct engine_policy *ep = e->policy;
	const struct device *client, *server;
	struct policy_verdict vd;
	struct policy_view v;
	unsigned ci = f->client_side, si = 1u - f->client_side;

	if (ep == NULL || e->silent || (ep->policy == NULL && ep->learn == NULL))
		return;
	client = scorer_flow_device(e->scorer, f, FLOW_TOSERVER);
	server = scorer_flow_device(e->scorer, f, FLOW_TOCLIENT);
	memset(&v, 0, sizeof(v));
	memcpy(v.client.bytes, f->key.addr[ci], sizeof(v.client.bytes));
	memcpy(v.server.bytes, f->key.addr[si], sizeof(v.server.bytes));
	v.client.family = v.server.family = f->key.family;
	/* The innermost tag is the LAN's own (QinQ puts the carrier's outside). */
	v.vlan = f->key.vlan[1] != 0 ? f->key.vlan[1] : f->key.vlan[0];
	v.proto = f->key.proto;
	v.server_port = f->key.port[si];
	v.client_class = client != NULL ? client->class_name : "";
	v.server_name = scorer_name_of(e->scorer, &v.server);
	if (ep->learn != NULL)
		(void)policy_learn_flow(ep->learn, ep->policy != NULL ? ep->policy : ep->home_zoning,
					&v); /* a full set is counted in its stats */
	if (ep->policy == NULL)
		return;
	ep->st.flows_checked++;
	policy_check(ep->policy, &v, &vd);
	if (vd.result != POLICY_ALLOW)
		violation(e, f, &v, &vd, client, server, false);
	if (vd.mud_violation)
		violation(e, f, &v, &vd, client, server, true);
}
