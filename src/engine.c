/*
 * engine.c - the packet pipeline (see engine.h).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "baseline-store.h"
#include "baseline-table.h"
#include "device-observe.h"
#include "engine-policy.h"
#include "engine-private.h"
#include "output-alert.h"
#include "output-device.h"
#include "output-flow.h"
#include "output-stats.h"
#include "util-json.h"

#define ENGINE_MAX_INCIDENTS 4096u /* open at once; the one quiet longest closes first */
#define ENGINE_DNS_CACHE_ENTRIES 8192u /* addresses named by DNS answers */
#define ENGINE_DETECT_HITS 8 /* rule hits taken from one stage of one flow */


/* Bucket placement only: a random seed resists crafted collisions. */
static uint64_t hash_seed(void)
{
	uint64_t seed = 0x9e3779b97f4a7c15ULL;

	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != (ssize_t)sizeof(seed))
		seed ^= (uint64_t)(uintptr_t)&seed;
	return seed;
}

void engine_emit(struct engine *e)
{
	if (e->jb.err) {
		e->c.events_dropped++;
		return;
	}
	if (e->out->ops->write_line(e->out, e->jb.data, e->jb.len) != 0)
		e->c.output_errors++;
	else
		e->c.events_written++;
}

/* Device-table callback: a device has new evidence; work out its class again. */
static void classify_device(void *ctx, struct device *d)
{
	struct engine *e = ctx;
	struct device_class c;

	if (e->rules == NULL)
		return;
	device_rules_classify(e->rules, d, &c);
	snprintf(d->class_name, sizeof(d->class_name), "%s", c.class_name ? c.class_name : "");
	snprintf(d->class_vendor, sizeof(d->class_vendor), "%s", c.vendor ? c.vendor : "");
	snprintf(d->class_model, sizeof(d->class_model), "%s", c.model ? c.model : "");
	d->class_confidence = c.confidence;
}

/* Device-table callback: log the event. */
static void on_device_event(void *ctx, const struct device *d, const struct device_change *ch)
{
	struct engine *e = ctx;

	if (e->silent)
		return;
	if (output_device_event(&e->jb, d, ch) != 0) {
		e->c.events_dropped++;
		return;
	}
	e->c.device_events++;
	engine_emit(e);
}

/* A MAC-keyed incident's device, when its record is still in the table. */
static const struct device *device_of_key(const struct engine *e, uint64_t key)
{
	uint8_t mac[6];

	if (key >> 63)
		return NULL; /* an address-keyed device: the key is a hash */
	for (int i = 5; i >= 0; i--, key >>= 8)
		mac[i] = (uint8_t)key;
	return device_table_find(e->devices, mac);
}

/* Incident-table callback: an incident ended; say so with its totals. */
static void on_incident_close(void *ctx, const struct incident *inc, bool forced)
{
	struct engine *e = ctx;
	const struct device *d;

	if (e->silent)
		return;
	d = device_of_key(e, inc->device_key);
	if (output_incident_closed(&e->jb, e->now_us, d, inc, forced) != 0)
		e->c.events_dropped++;
	else {
		e->c.incident_events++;
		engine_emit(e);
	}
	engine_quarantine_notify(e, d, inc, QEV_CLOSED);
}

/* Scorer callback: an anomalous window, folded into the device's incident. */
static void on_score_report(void *ctx, const struct device *d, uint64_t key,
			    const struct baseline_report *r)
{
	struct engine *e = ctx;
	struct incident *inc;
	enum incident_action act;

	if (e->silent || e->learn_only)
		return;
	act = incident_hit(e->incidents, key, "anomaly", output_anomaly_severity(e->model, r->score),
			   r->score, e->now_us, &inc);
	if (inc == NULL || act == INCIDENT_SUPPRESSED)
		return;
	if (output_anomaly_event(&e->jb, e->now_us, d, key, inc,
				 act == INCIDENT_OPENED ? ALERT_OPENED : ALERT_ESCALATED, r,
				 d != NULL ? d->class_name : "") != 0)
		e->c.events_dropped++;
	else {
		e->c.incident_events++;
		engine_emit(e);
	}
	engine_quarantine_notify(e, d, inc, act == INCIDENT_OPENED ? QEV_OPENED : QEV_ESCALATED);
}

void engine_raise_alert(struct engine *e, const struct device *d, uint64_t key,
			const struct alert_hit_view *hv)
{
	struct incident *inc;
	enum incident_action act;

	act = incident_hit(e->incidents, key, hv->rule_id, hv->severity, 0, e->now_us, &inc);
	if (inc == NULL || act == INCIDENT_SUPPRESSED)
		return;
	if (output_alert_event(&e->jb, e->now_us, d, key, inc,
			       act == INCIDENT_OPENED ? ALERT_OPENED : ALERT_ESCALATED, hv) != 0)
		e->c.events_dropped++;
	else {
		e->c.incident_events++;
		engine_emit(e);
	}
	engine_quarantine_notify(e, d, inc, act == INCIDENT_OPENED ? QEV_OPENED : QEV_ESCALATED);
}

/* The view of flow f that the detection rules judge at a stage. */
static void detect_view_of(const struct engine *e, const struct flow *f, enum detect_stage stage,
			   const struct device *client, const struct device *server,
			   struct detect_view *v)
{
	unsigned ci = f->client_side, si = 1u - f->client_side;

	memset(v, 0, sizeof(*v));
	v->stage = (uint8_t)stage;
	v->proto = f->key.proto;
	memcpy(v->client_addr.bytes, f->key.addr[ci], 16);
	memcpy(v->server_addr.bytes, f->key.addr[si], 16);
	v->client_addr.family = v->server_addr.family = f->key.family;
	v->client_port = f->key.port[ci];
	v->server_port = f->key.port[si];
	v->client_internal = device_table_is_home(e->devices, &v->client_addr);
	v->server_internal = device_table_is_home(e->devices, &v->server_addr);
	v->client_class = client != NULL ? client->class_name : "";
	v->server_class = server != NULL ? server->class_name : "";
	v->client_device_key = client != NULL ? scorer_device_key(client) : 0;
	v->server_device_key = server != NULL ? scorer_device_key(server) : 0;
	v->app = "";
	v->server_name = f->server_name != NULL ? f->server_name : "";
	v->ts = e->now_us;
}

/*
 * Runs the detection rules at one stage of flow f; each hit becomes (or
 * repeats) the incident of its rule on the device it concerns: the
 * client's, else the server's.
 */
static void detect_flow(struct engine *e, const struct flow *f, enum detect_stage stage,
			const struct ew_packet *pkt, const char *app)
{
	struct detect_hit hits[ENGINE_DETECT_HITS];
	const struct device *client, *server, *d;
	struct detect_view v;
	char client_text[EW_ADDR_STRLEN], server_text[EW_ADDR_STRLEN], proto_text[8];
	const char *proto;
	size_t n;

	if (e->detections == NULL || e->silent)
		return;
	client = scorer_flow_device(e->scorer, f, FLOW_TOSERVER);
	server = scorer_flow_device(e->scorer, f, FLOW_TOCLIENT);
	/*
	 * At the first packet the flow has not learnt the server's MAC (its
	 * answer brings it): the packet's destination names the device.
	 */
	if (server == NULL && pkt != NULL)
		server = scorer_packet_receiver(e->scorer, pkt);
	detect_view_of(e, f, stage, client, server, &v);
	if (stage == DETECT_SYN && pkt != NULL)
		v.tcp_seq = pkt->tcp_seq;
	if (stage == DETECT_FLOW_END) {
		v.app = app;
		v.ndpi_risk = f->risk;
		v.pkts_toserver = f->pkts[FLOW_TOSERVER];
		v.pkts_toclient = f->pkts[FLOW_TOCLIENT];
		v.bytes_toserver = f->bytes[FLOW_TOSERVER];
		v.bytes_toclient = f->bytes[FLOW_TOCLIENT];
		v.answered = f->pkts[FLOW_TOCLIENT] > 0;
	}
	n = detect_rules_match(e->detections, e->detect_state, &v, hits, ENGINE_DETECT_HITS);
	if (n == 0)
		return;
	ew_addr_format(&v.client_addr, client_text, sizeof(client_text));
	ew_addr_format(&v.server_addr, server_text, sizeof(server_text));
	/* The name is either a constant or written into proto_text: use what it returns. */
	proto = output_ip_proto_name(v.proto, proto_text, sizeof(proto_text));
	d = client != NULL ? client : server;
	for (size_t i = 0; i < n; i++) {
		struct alert_hit_view hv = {
			.rule_id = hits[i].rule_id, .title = hits[i].title,
			.explanation = hits[i].explain,
			.severity = (enum ew_severity)hits[i].severity,
			.client = client_text, .server = server_text, .proto = proto,
			.client_port = v.client_port, .server_port = v.server_port,
			.app = v.app,
		};
		e->c.rule_hits++;
		if (hv.severity < e->alert_min)
			continue;
		engine_raise_alert(e, d, d != NULL ? scorer_device_key(d) : 0, &hv);
	}
}

/*
 * Baselines are saved every save_every_us of packet time as well as at the
 * end, so a crash costs at most that much learning.  A failure is counted
 * and tried again at the next period: it must not stop the packets.
 */
static void save_periodically(struct engine *e)
{
	char err[256];

	if (e->last_save_us == 0) {
		e->last_save_us = e->now_us; /* the first period starts with the first packet */
		return;
	}
	e->last_save_us = e->now_us;
	if (baseline_store_save(scorer_baselines(e->scorer), e->model->bin_s, e->baselines_path,
				err, sizeof(err)) != BASELINE_STORE_OK)
		e->c.state_save_errors++;
	else
		e->c.state_saves++;
}

/* An ARP claim on an address another MAC holds: an alert on the claimant. */
static void arp_conflict_alert(struct engine *e, const struct arp_conflict *c)
{
	const struct device *d = device_table_find(e->devices, c->claimant_mac);
	char ip[EW_ADDR_STRLEN], holder[18], claimant[18], text[256];
	struct ew_addr a;
	const struct device *h = device_table_find(e->devices, c->holder_mac);
	struct alert_hit_view hv = {
		.rule_id = "arp-spoof", .title = "ARP claim on an address another device holds",
		.severity = SEV_HIGH, .explanation = text,
	};
	uint64_t key;

	ew_addr_set_v4(&a, c->ip);
	ew_addr_format(&a, ip, sizeof(ip));
	output_mac_text(c->holder_mac, holder);
	output_mac_text(c->claimant_mac, claimant);
	snprintf(text, sizeof(text),
		 "%s sent an ARP %s saying %s is at its MAC; %s%s%s holds %s and claimed it "
		 "%.1f s before (%u claims)",
		 claimant, c->reply ? "reply" : "request", ip, holder,
		 h != NULL && h->class_name[0] ? " " : "", h != NULL ? h->class_name : "", ip,
		 (double)(e->now_us - c->holder_last_us) / 1e6, (unsigned)c->holder_claims);
	if (d != NULL) {
		key = scorer_device_key(d);
	} else {
		key = 0;
		for (int i = 0; i < 6; i++)
			key = key << 8 | c->claimant_mac[i];
	}
	e->c.rule_hits++;
	engine_raise_alert(e, d, key, &hv);
}

/* Flow-table callback: finish detection, feed the devices, log the flow. */
static void on_flow_end(void *ctx, struct flow *f, enum flow_end_reason why)
{
	struct engine *e = ctx;
	char app_name[64];
	uint16_t app;
	uint8_t dpi_before = f->dpi_state;

	dpi_flow_end(e->dpi, f);
	if (e->silent)
		return;
	output_flow_app_proto(e->dpi, f, app_name, sizeof(app_name));
	device_observe_flow(e->devices, f, app_name);
	if (dpi_before == FLOW_DPI_NONE || dpi_before == FLOW_DPI_RUNNING)
		scorer_flow_classified(e->scorer, f, app_name, e->now_us);
	scorer_flow_end(e->scorer, f, e->now_us);
	detect_flow(e, f, DETECT_FLOW_END, NULL, app_name);
	app = f->master_proto ? f->master_proto : f->app_proto;
	e->c.flows_by_app[app < ENGINE_APP_SLOTS ? app : 0]++;
	if (output_flow_format(&e->jb, f, why, e->dpi, app_name) != 0)
		e->c.events_dropped++;
	else
		engine_emit(e);
	/* After the flow's own event: what it shows of its ends' hygiene. */
	engine_posture_flow(e, f, app_name);
}

struct engine *engine_create(const struct ew_conf *conf, struct output_sink *out,
			     const struct oui_db *oui, char *err, size_t errlen)
{
	struct engine *e = calloc(1, sizeof(*e));
	struct flow_timeouts to;

	if (e == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	e->conf = conf;
	e->out = out;
	e->oui = oui;
	json_init(&e->jb);
	e->dpi = dpi_create(conf->dpi_max_packets, conf->dpi_max_active, err, errlen);
	if (e->dpi == NULL)
		goto fail;
	e->devices = device_table_create(conf->max_devices, conf->gone_after_s,
					 &conf->home_networks, oui, on_device_event, e);
	if (e->devices != NULL)
		device_table_set_classifier(e->devices, classify_device, e);
	if (e->devices == NULL) {
		snprintf(err, errlen, "cannot allocate a device table for %u devices",
			 conf->max_devices);
		goto fail;
	}
	to.tcp_new_s = conf->tcp_new_timeout_s;
	to.tcp_s = conf->tcp_timeout_s;
	to.tcp_closed_s = conf->tcp_closed_timeout_s;
	to.udp_s = conf->udp_timeout_s;
	to.icmp_s = conf->icmp_timeout_s;
	to.other_s = conf->other_timeout_s;
	e->flows = flow_table_create(conf->max_flows, &to, hash_seed(), on_flow_end, e);
	if (e->flows == NULL) {
		snprintf(err, errlen, "cannot allocate a flow table for %u flows", conf->max_flows);
		goto fail;
	}
	e->alert_min = ENGINE_DEFAULT_ALERT_MIN;
	e->posture = engine_posture_create(conf);
	if (e->posture == NULL) {
		snprintf(err, errlen, "cannot allocate the posture audit");
		goto fail;
	}
	e->arp = arp_watch_create(conf->max_devices, ARP_WATCH_DEFAULT_HOLD_S);
	if (e->arp == NULL) {
		snprintf(err, errlen, "cannot allocate the ARP watch");
		goto fail;
	}
	if (model_init_defaults(&e->default_model) != 0 ||
	    engine_set_model(e, &e->default_model, false) != 0) {
		snprintf(err, errlen, "cannot allocate the behavioural model's state");
		goto fail;
	}
	return e;
fail:
	flow_table_destroy(e->flows);
	scorer_destroy(e->scorer);
	incident_table_destroy(e->incidents);
	arp_watch_destroy(e->arp);
	posture_destroy(e->posture);
	model_free(&e->default_model);
	device_table_destroy(e->devices);
	dpi_destroy(e->dpi);
	json_free(&e->jb);
	free(e);
	return NULL;
}

void engine_tick(struct engine *e, ew_usec_t now_us)
{
	/* The clock only moves forward: a late packet does not turn it back. */
	if (now_us <= e->now_us)
		return;
	e->now_us = now_us;
	e->c.last_ts = now_us;
	flow_table_expire(e->flows, now_us);
	device_table_expire(e->devices, now_us);
	scorer_tick(e->scorer, now_us);
	incident_expire(e->incidents, now_us);
	if (e->quarantine != NULL)
		quarantine_tick(e->quarantine, now_us);
	if (e->baselines_path != NULL && now_us - e->last_save_us >= e->save_every_us)
		save_periodically(e);
}

void engine_packet(struct engine *e, int dlt, ew_usec_t ts_us, const uint8_t *data,
		   uint32_t caplen, uint32_t wirelen)
{
	struct ew_packet pkt;
	enum decode_event ev;
	enum flow_dir dir;
	struct flow *f;
	bool new_flow;
	uint8_t dpi_before;

	e->c.packets++;
	e->c.bytes += wirelen;
	if (e->c.first_ts == 0 || ts_us < e->c.first_ts)
		e->c.first_ts = ts_us;
	engine_tick(e, ts_us);
	ev = decode_packet(dlt, data, caplen, wirelen, ts_us, &pkt, &e->decode);
	if (ev != DE_NONE) {
		e->c.decode_errors++;
		return;
	}
	if (pkt.kind == EW_PKT_ARP) {
		struct arp_conflict conflict;

		/* Judged before the claim binds the address in the device table. */
		if (arp_watch_packet(e->arp, &pkt.arp, ts_us, &conflict) && !e->silent)
			arp_conflict_alert(e, &conflict);
		device_observe_packet(e->devices, &pkt);
		e->c.arp_packets++;
		return;
	}
	if (pkt.kind != EW_PKT_IP) {
		if (pkt.kind == EW_PKT_LLDP)
			device_observe_packet(e->devices, &pkt);
		e->c.other_packets++;
		return;
	}
	e->c.ip_packets++;
	f = flow_table_packet(e->flows, &pkt, &dir);
	if (f == NULL) {
		e->c.untracked++;
		return;
	}
	if (device_packet_wanted(f, &pkt, dir)) {
		device_observe_packet(e->devices, &pkt);
		f->dev_seen_ts[dir] = pkt.ts_us;
	}
	new_flow = f->pkts[FLOW_TOSERVER] + f->pkts[FLOW_TOCLIENT] == 1;
	scorer_packet(e->scorer, f, dir, new_flow, &pkt);
	if (pkt.l4_proto == EW_IPPROTO_TCP && pkt.has_l4 &&
	    (pkt.tcp_flags & (EW_TH_SYN | EW_TH_ACK)) == EW_TH_SYN)
		detect_flow(e, f, DETECT_SYN, &pkt, "");
	if (new_flow) {
		detect_flow(e, f, DETECT_FLOW_START, &pkt, "");
		engine_policy_flow(e, f, &pkt);
	}
	if (dir == FLOW_TOSERVER && pkt.l4_proto == EW_IPPROTO_TCP && pkt.payload_len > 0 &&
	    !(f->login & FLOW_LOGIN_CHECKED))
		engine_posture_login(e, f, &pkt);
	dpi_before = f->dpi_state;
	dpi_packet(e->dpi, f, &pkt, dir);
	if ((dpi_before == FLOW_DPI_NONE || dpi_before == FLOW_DPI_RUNNING) &&
	    (f->dpi_state == FLOW_DPI_DONE || f->dpi_state == FLOW_DPI_GAVE_UP)) {
		char app_name[64];

		output_flow_app_proto(e->dpi, f, app_name, sizeof(app_name));
		scorer_flow_classified(e->scorer, f, app_name, e->now_us);
	}
}

void engine_finish(struct engine *e)
{
	flow_table_flush(e->flows);
	/*
	 * Incidents still open are closed with their totals: the run is over.
	 * That is not the attack ending, so quarantines are not released:
	 * their TTL (or a release by hand) ends them, whatever the sensor does.
	 */
	e->finishing = true;
	incident_flush(e->incidents);
	/* A clean capture has been learned: the next run detects from its first packet. */
	if (e->learn_only)
		scorer_end_learning(e->scorer);
	if (e->out->ops->flush(e->out) != 0)
		e->c.output_errors++;
}

void engine_destroy(struct engine *e)
{
	if (e == NULL)
		return;
	/* Flows still held end silently: the output may be gone already. */
	e->silent = true;
	flow_table_destroy(e->flows);
	scorer_destroy(e->scorer);
	incident_table_destroy(e->incidents);
	detect_state_destroy(e->detect_state);
	arp_watch_destroy(e->arp);
	quarantine_destroy(e->quarantine);
	enforcement_feed_destroy(e->enforcement);
	posture_destroy(e->posture);
	engine_policy_free(e);
	free(e->quarantine_stream);
	free(e->baselines_path);
	model_free(&e->default_model);
	device_table_destroy(e->devices);
	dpi_destroy(e->dpi);
	json_free(&e->jb);
	free(e);
}

const struct engine_counters *engine_counters(const struct engine *e)
{
	return &e->c;
}

const struct decode_stats *engine_decode_stats(const struct engine *e)
{
	return &e->decode;
}

const struct flow_table_stats *engine_flow_stats(const struct engine *e)
{
	return flow_table_stats(e->flows);
}

const struct dpi *engine_dpi(const struct engine *e)
{
	return e->dpi;
}

const struct device_table *engine_devices(const struct engine *e)
{
	return e->devices;
}

void engine_set_rules(struct engine *e, const struct device_rules *rules)
{
	e->rules = rules;
	/* Known devices take their classes from the new rules, without events. */
	device_table_reclassify_all(e->devices);
}

const struct device_rules *engine_rules(const struct engine *e)
{
	return e->rules;
}

enum device_store_result engine_load_inventory(struct engine *e, const char *path,
					       size_t *loaded, char *err, size_t errlen)
{
	enum device_store_result r = device_store_load(e->devices, path, loaded, err, errlen);
	struct device_table *fresh;

	if (r == STORE_OK)
		device_table_reclassify_all(e->devices);
	if (r != STORE_CORRUPT)
		return r;
	/* Part of a damaged file may be in the table: start again empty. */
	fresh = device_table_create(e->conf->max_devices, e->conf->gone_after_s,
				    &e->conf->home_networks, e->oui, on_device_event, e);
	if (fresh != NULL) {
		device_table_set_classifier(fresh, classify_device, e);
		device_table_destroy(e->devices);
		e->devices = fresh;
		scorer_set_devices(e->scorer, fresh);
	}
	*loaded = 0;
	return r;
}

enum device_store_result engine_save_inventory(const struct engine *e, const char *path,
					       char *err, size_t errlen)
{
	return device_store_save(e->devices, path, err, errlen);
}

int engine_set_model(struct engine *e, const struct model *m, bool learn_only)
{
	struct scorer *sc = scorer_create(m, e->devices, e->conf->max_devices,
					  ENGINE_DNS_CACHE_ENTRIES, on_score_report, e);
	struct incident_table *it = incident_table_create(ENGINE_MAX_INCIDENTS,
							  m->incident_quiet_s, on_incident_close, e);

	if (sc == NULL || it == NULL) {
		scorer_destroy(sc);
		incident_table_destroy(it);
		return -1;
	}
	scorer_destroy(e->scorer);
	incident_table_destroy(e->incidents);
	e->scorer = sc;
	e->incidents = it;
	e->model = m;
	e->learn_only = learn_only;
	scorer_set_learn_only(sc, learn_only);
	return 0;
}

int engine_set_detections(struct engine *e, const struct detect_rules *rules)
{
	if (rules != NULL && e->detect_state == NULL) {
		e->detect_state = detect_state_create(DETECT_STATE_DEFAULT_ENTRIES);
		if (e->detect_state == NULL)
			return -1;
	}
	e->detections = rules;
	return 0;
}

void engine_set_alert_min_severity(struct engine *e, enum ew_severity min)
{
	e->alert_min = min;
}

struct scorer *engine_scorer(struct engine *e)
{
	return e->scorer;
}

const struct incident_stats *engine_incident_stats(const struct engine *e)
{
	return incident_table_stats(e->incidents);
}

int engine_set_baselines_file(struct engine *e, const char *path, uint32_t every_s)
{
	char *copy = NULL;

	if (path != NULL && (copy = strdup(path)) == NULL)
		return -1;
	free(e->baselines_path);
	e->baselines_path = copy;
	e->save_every_us = (ew_usec_t)every_s * EW_USEC_PER_SEC;
	return 0;
}

enum baseline_store_result engine_load_baselines(struct engine *e, const char *path,
						 size_t *loaded, char *err, size_t errlen)
{
	return baseline_store_load(scorer_baselines(e->scorer), e->model->bin_s, path, loaded,
				   err, errlen);
}

enum baseline_store_result engine_save_baselines(struct engine *e, const char *path, char *err,
						 size_t errlen)
{
	return baseline_store_save(scorer_baselines(e->scorer), e->model->bin_s, path, err,
				   errlen);
}

void engine_write_stats(struct engine *e, const struct stats_extra *x)
{
	const struct flow_table_stats *fs = flow_table_stats(e->flows);
	const struct device_table_stats *dv = device_table_stats(e->devices);
	const struct baseline_table_stats *bs = baseline_table_stats(scorer_baselines(e->scorer));
	const struct incident_stats *is = incident_table_stats(e->incidents);
	struct stats_snapshot s = {
		.packets = e->c.packets,
		.bytes = e->c.bytes,
		.decode_errors = e->c.decode_errors,
		.untracked = e->c.untracked,
		.decode = &e->decode,
		.flows_active = fs->active,
		.flows_peak = fs->peak_active,
		.flows_created = fs->created,
		.flows_evicted = fs->ended[FLOW_END_EVICTED],
		.flows_max = e->conf->max_flows,
		.devices_active = dv->active,
		.devices_peak = dv->peak_active,
		.devices_evicted = dv->evicted,
		.devices_max = e->conf->max_devices,
		.baselines_active = bs->active,
		.baselines_evicted = bs->evicted,
		.incidents_open = is->active,
		.incidents_opened = is->opened,
		/* This event is not counted in itself: the numbers are those before it. */
		.events_written = e->c.events_written,
		.events_dropped = e->c.events_dropped,
		.output_errors = e->c.output_errors,
	};

	struct engine_policy_stats ps;

	engine_policy_get_stats(e, &ps);
	s.has_policy = ps.enforced;
	s.policy_flows_checked = ps.flows_checked;
	s.policy_denied_rule = ps.denied_rule;
	s.policy_denied_default = ps.denied_default;
	s.policy_mud_from_device = ps.mud_from_device;
	s.policy_mud_to_device = ps.mud_to_device;
	s.policy_mud_unsupported_aces = ps.mud_unsupported_aces;
	engine_enforcement_stats(e, &s.enforcement);
	if (output_stats_event(&e->jb, &s, x) != 0) {
		e->c.events_dropped++;
		return;
	}
	engine_emit(e);
}

void engine_conf_changed(struct engine *e)
{
	e->alert_min = (enum ew_severity)e->conf->min_severity;
}
