/*
 * engine-private.h - the engine's state, shared by engine.c (the packet
 * path) and engine-quarantine.c (turning incidents into quarantine
 * requests).  Nothing else includes it.
 */
#ifndef EW_ENGINE_PRIVATE_H
#define EW_ENGINE_PRIVATE_H

#include "detect-arp.h"
#include "engine.h"
#include "posture.h"
#include "quarantine.h"
#include "util-json.h"

struct engine {
	const struct ew_conf *conf;
	struct output_sink *out;
	struct flow_table *flows;
	struct dpi *dpi;
	struct device_table *devices;
	const struct oui_db *oui;
	const struct device_rules *rules;
	/* Behavioural scoring and rules: both optional. */
	struct model default_model; /* used until engine_set_model() */
	const struct model *model;
	struct scorer *scorer;
	struct incident_table *incidents;
	const struct detect_rules *detections;
	struct detect_state *detect_state;
	bool learn_only;
	struct arp_watch *arp;
	enum ew_severity alert_min; /* rule hits below this are counted, not reported */
	char *baselines_path;       /* saved every save_every_us of packet time; NULL never */
	ew_usec_t save_every_us, last_save_us;
	/* Quarantine requests (engine-quarantine.c): NULL when off. */
	struct quarantine *quarantine;
	struct output_sink *redis;  /* where requests go (borrowed); NULL: none */
	struct output_sink *quarantine_via; /* the output queue that XADDs them; NULL: at once */
	bool finishing;             /* engine_finish(): closing incidents is not their end */
	struct posture *posture;    /* the encryption and hygiene audit (engine-posture.c) */
	struct engine_policy *policy; /* segmentation policy state (engine-policy.c); NULL: off */
	char *quarantine_stream;
	uint64_t quarantine_send_errors;
	struct enforcement_feed *enforcement; /* reports read back (engine-enforcement.c); NULL: off */
	struct json_buf jb;
	ew_usec_t now_us; /* latest packet time seen */
	bool silent;      /* being destroyed: end flows without events */
	struct decode_stats decode;
	struct engine_counters c;
};

/* Writes the event built in e->jb to the output, counting what happened. */
void engine_emit(struct engine *e);

/*
 * A rule's hit hv on device d (d may be NULL; key is its incident key) into
 * the incident of its rule (hv->rule_id): the alert event when the incident
 * opens or escalates, and the quarantine policy told; a repeat is only
 * counted in the incident.  The caller counts the hit and applies
 * alert_min.
 */
struct alert_hit_view;
void engine_raise_alert(struct engine *e, const struct device *d, uint64_t key,
			const struct alert_hit_view *hv);

/*
 * An incident's event was written (or it closed): tell the quarantine
 * policy.  d may be NULL (the device record is gone); no-op when off.
 */
void engine_quarantine_notify(struct engine *e, const struct device *d, const struct incident *inc,
			      enum quarantine_event ev);

/*
 * engine-enforcement.c: the feed of enforcement reports, read from stream
 * through redis by jobs on the output queue via (all borrowed; they
 * outlive the feed), from start_ms (wall clock) on.  NULL on a missing
 * argument or allocation failure.
 */
struct enforcement_feed *enforcement_feed_create(struct output_sink *redis,
						 struct output_sink *via, const char *stream,
						 uint64_t start_ms);
void enforcement_feed_destroy(struct enforcement_feed *fb); /* accepts NULL */
/* A request or release was sent: remembered so that its reports find their incident. */
void engine_enforcement_sent(struct engine *e, const struct quarantine_decision *d);

/* The audit's table for this configuration; NULL on allocation failure. */
struct posture *engine_posture_create(const struct ew_conf *conf);

/*
 * The client's first payload of a TCP flow: a login in clear (an MQTT
 * CONNECT with a password, an HTTP request with Basic credentials) marks
 * the flow for the audit (flow.login).
 */
void engine_posture_login(struct engine *e, struct flow *f, const struct ew_packet *pkt);

/* An ended flow (its application name): both ends' posture, events for what is new. */
void engine_posture_flow(struct engine *e, const struct flow *f, const char *app);

/*
 * A new flow (its first packet, pkt): the segmentation policy's verdict,
 * and learning.
 */
void engine_policy_flow(struct engine *e, const struct flow *f, const struct ew_packet *pkt);

#endif /* EW_ENGINE_PRIVATE_H */
