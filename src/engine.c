/*
 * engine.c - the packet pipeline (see engine.h).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "device-observe.h"
#include "engine.h"
#include "output-device.h"
#include "output-flow.h"
#include "util-json.h"

struct engine {
	const struct ew_conf *conf;
	struct output_sink *out;
	struct flow_table *flows;
	struct dpi *dpi;
	struct device_table *devices;
	const struct oui_db *oui;
	const struct device_rules *rules;
	struct json_buf jb;
	ew_usec_t now_us; /* latest packet time seen */
	bool silent;      /* being destroyed: end flows without events */
	struct decode_stats decode;
	struct engine_counters c;
};

/* Bucket placement only: a random seed resists crafted collisions. */
static uint64_t hash_seed(void)
{
	uint64_t seed = 0x9e3779b97f4a7c15ULL;

	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != (ssize_t)sizeof(seed))
		seed ^= (uint64_t)(uintptr_t)&seed;
	return seed;
}

static void emit(struct engine *e)
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
	emit(e);
}

/* Flow-table callback: finish detection, feed the devices, log the flow. */
static void on_flow_end(void *ctx, struct flow *f, enum flow_end_reason why)
{
	struct engine *e = ctx;
	char app_name[64];
	uint16_t app;

	dpi_flow_end(e->dpi, f);
	if (e->silent)
		return;
	output_flow_app_proto(e->dpi, f, app_name, sizeof(app_name));
	device_observe_flow(e->devices, f, app_name);
	app = f->master_proto ? f->master_proto : f->app_proto;
	e->c.flows_by_app[app < ENGINE_APP_SLOTS ? app : 0]++;
	if (output_flow_format(&e->jb, f, why, e->dpi, app_name) != 0) {
		e->c.events_dropped++;
		return;
	}
	emit(e);
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
	e->devices = device_table_create(conf->max_devices, conf->gone_after_s, oui,
					 on_device_event, e);
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
	return e;
fail:
	device_table_destroy(e->devices);
	dpi_destroy(e->dpi);
	json_free(&e->jb);
	free(e);
	return NULL;
}

void engine_packet(struct engine *e, int dlt, ew_usec_t ts_us, const uint8_t *data,
		   uint32_t caplen, uint32_t wirelen)
{
	struct ew_packet pkt;
	enum decode_event ev;
	enum flow_dir dir;
	struct flow *f;

	e->c.packets++;
	e->c.bytes += wirelen;
	if (e->c.first_ts == 0 || ts_us < e->c.first_ts)
		e->c.first_ts = ts_us;
	if (ts_us > e->now_us) {
		e->now_us = ts_us;
		e->c.last_ts = ts_us;
		flow_table_expire(e->flows, ts_us);
		device_table_expire(e->devices, ts_us);
	}
	ev = decode_packet(dlt, data, caplen, wirelen, ts_us, &pkt, &e->decode);
	if (ev != DE_NONE) {
		e->c.decode_errors++;
		return;
	}
	if (pkt.kind == EW_PKT_ARP) {
		device_observe_packet(e->devices, &pkt);
		e->c.arp_packets++;
		return;
	}
	if (pkt.kind != EW_PKT_IP) {
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
	dpi_packet(e->dpi, f, &pkt, dir);
}

void engine_finish(struct engine *e)
{
	flow_table_flush(e->flows);
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
	fresh = device_table_create(e->conf->max_devices, e->conf->gone_after_s, e->oui,
				    on_device_event, e);
	if (fresh != NULL) {
		device_table_set_classifier(fresh, classify_device, e);
		device_table_destroy(e->devices);
		e->devices = fresh;
	}
	*loaded = 0;
	return r;
}

enum device_store_result engine_save_inventory(const struct engine *e, const char *path,
					       char *err, size_t errlen)
{
	return device_store_save(e->devices, path, err, errlen);
}
