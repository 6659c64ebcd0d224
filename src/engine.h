/*
 * engine.h - one packet's path through the pipeline.
 *
 * decode -> device table (identity from ARP, DHCP, mDNS, SSDP) ->
 * flow table -> nDPI -> (flow ends) -> device signals, flow event -> outputs.
 * The engine owns the stages' state for one packet-processing thread and
 * the counters an operator needs to trust the result.  It keeps time from
 * packet timestamps only (the latest seen), so offline runs are
 * deterministic.
 *
 * Ownership: the engine owns its flow table, nDPI module and JSON buffer;
 * it borrows the configuration and the output sink, which must outlive it.
 */
#ifndef EW_ENGINE_H
#define EW_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "baseline-store.h"
#include "conf.h"
#include "decode.h"
#include "device-rules.h"
#include "device-store.h"
#include "device-table.h"
#include "detect-rules.h"
#include "dpi.h"
#include "flow-table.h"
#include "incident.h"
#include "model.h"
#include "output.h"
#include "score.h"

#define ENGINE_APP_SLOTS 1024 /* nDPI 4.2 has about 300 protocol ids */

struct engine;

struct engine_counters {
	uint64_t packets;         /* frames read */
	uint64_t bytes;           /* their length on the wire */
	uint64_t ip_packets, arp_packets, other_packets;
	uint64_t decode_errors;   /* frames skipped as malformed */
	uint64_t untracked;       /* IP packets not tracked: flow or nDPI allocation failed */
	uint64_t events_written;  /* lines handed to the output */
	uint64_t device_events;   /* of which device events */
	uint64_t incident_events; /* of which anomaly and alert events */
	uint64_t posture_events;  /* of which posture events */
	uint64_t rule_hits;       /* detection rule matches, reported or folded */
	uint64_t events_dropped;  /* events that could not be built */
	uint64_t state_saves, state_save_errors; /* periodic baseline saves */
	uint64_t output_errors;   /* lines the output failed to write */
	uint64_t flows_by_app[ENGINE_APP_SLOTS]; /* by nDPI id (master, else app) */
	ew_usec_t first_ts, last_ts;
};

/*
 * NULL with a message in err when a stage cannot be created.  oui (MAC
 * vendor names) may be NULL; it is borrowed and must outlive the engine.
 */
struct engine *engine_create(const struct ew_conf *conf, struct output_sink *out,
			     const struct oui_db *oui, char *err, size_t errlen);

/* Processes one captured frame of link type dlt. */
void engine_packet(struct engine *e, int dlt, ew_usec_t ts_us, const uint8_t *data,
		   uint32_t caplen, uint32_t wirelen);

/*
 * Time passes without a packet (a live capture on a quiet wire): flows,
 * devices, bins and incidents whose time is up at now_us are ended.  The
 * engine's clock never goes back; packets move it on by themselves.
 */
void engine_tick(struct engine *e, ew_usec_t now_us);

/* End of input: ends every flow (reason shutdown) and flushes the output. */
void engine_finish(struct engine *e);

/* Accepts NULL.  Does not end flows: call engine_finish() first to keep them. */
void engine_destroy(struct engine *e);

const struct engine_counters *engine_counters(const struct engine *e);
const struct decode_stats *engine_decode_stats(const struct engine *e);
const struct flow_table_stats *engine_flow_stats(const struct engine *e);
const struct dpi *engine_dpi(const struct engine *e);
const struct device_table *engine_devices(const struct engine *e);

/*
 * The fingerprint rules that classify devices (NULL: no classes).  Borrowed:
 * they must outlive the engine or be replaced before they are freed.  The
 * devices already known are classified again with them (no events).
 */
void engine_set_rules(struct engine *e, const struct device_rules *rules);
const struct device_rules *engine_rules(const struct engine *e);

/*
 * The device inventory kept across runs (device-store.h).  A damaged file
 * is set aside and the engine starts with an empty device table.
 */
enum device_store_result engine_load_inventory(struct engine *e, const char *path,
					       size_t *loaded, char *err, size_t errlen);
enum device_store_result engine_save_inventory(const struct engine *e, const char *path,
					       char *err, size_t errlen);

/*
 * The behavioural model that scores devices (model.h).  The engine starts
 * with the built-in defaults; a model set here is borrowed and must
 * outlive the engine.  Setting it starts the baselines afresh, so do it
 * before the first packet.  learn_only: build baselines, report no
 * anomaly (--learn).  -1 when the state cannot be allocated (the previous
 * model stays).
 */
int engine_set_model(struct engine *e, const struct model *m, bool learn_only);

/* The detection rules (NULL: none); borrowed like the fingerprint rules.  -1 out of memory. */
int engine_set_detections(struct engine *e, const struct detect_rules *rules);

/*
 * Rule hits below this severity are counted (rule_hits) but open no
 * incident and write no event: nDPI flags many harmless oddities (a TLS
 * client without SNI, Apple push on 5223) that would bury the alerts
 * that matter.  Default medium.
 */
#define ENGINE_DEFAULT_ALERT_MIN SEV_MEDIUM
void engine_set_alert_min_severity(struct engine *e, enum ew_severity min);

/*
 * The baselines kept across runs (baseline-store.h), loaded into the
 * current model's scorer: call after engine_set_model().  A damaged or
 * incompatible file is set aside and the devices learn again.
 */
enum baseline_store_result engine_load_baselines(struct engine *e, const char *path,
						 size_t *loaded, char *err, size_t errlen);
enum baseline_store_result engine_save_baselines(struct engine *e, const char *path, char *err,
						 size_t errlen);
/* Also save to path every every_s seconds of packet time (NULL: never).  -1 out of memory. */
int engine_set_baselines_file(struct engine *e, const char *path, uint32_t every_s);

/*
 * Quarantine requests (quarantine.h): incidents go to the policy in qs,
 * and the requests it decides on are added to stream through redis (the
 * Redis sink, borrowed; NULL: decisions are still made and reported as
 * `quarantine` events, but nothing can be delivered).  via: the output
 * queue (output_queue_sink()) whose thread does the XADD, in order with
 * the events, so the packet path never waits on Redis; NULL: at once.
 * enforcement_stream: where enforcement points report (read back when
 * live, engine_enforcement_poll()); NULL: not read.  -1 with a message
 * when the policy's settings are refused.
 */
struct quarantine_settings;
int engine_set_quarantine(struct engine *e, const struct quarantine_settings *qs,
			  struct output_sink *redis, struct output_sink *via, const char *stream,
			  const char *enforcement_stream, char *err, size_t errlen);

/*
 * Live only: reads the enforcement points' reports back (about once a
 * second, as a job of the output thread) and turns those about this
 * sensor's requests into `quarantine` events and into their incidents.
 * Call it from the capture's idle tick with the wall clock in ms.
 */
void engine_enforcement_poll(struct engine *e, uint64_t wall_ms);

struct stats_enforcement;
void engine_enforcement_stats(const struct engine *e, struct stats_enforcement *st);

/* The encryption and hygiene audit (posture.h), for the end-of-run table. */
struct posture;
const struct posture *engine_posture(const struct engine *e);

struct scorer *engine_scorer(struct engine *e);
const struct incident_stats *engine_incident_stats(const struct engine *e);

/*
 * A `stats` event (output-stats.h) through the engine's output: the
 * engine's own counters and tables with what the program adds in x.
 * Counted like any event (events_written or events_dropped).
 */
struct stats_extra;
void engine_write_stats(struct engine *e, const struct stats_extra *x);

/*
 * After a configuration reload has exchanged the reloadable settings in
 * the configuration the engine borrows (conf_take_reloadable()): the
 * settings the engine holds copies of take their new values.  Today that
 * is detection.min_severity; the rest are read where they are used.
 */
void engine_conf_changed(struct engine *e);

#endif /* EW_ENGINE_H */
