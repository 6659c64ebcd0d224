/*
 * output-alert.h - `anomaly` and `alert` events: one line per incident
 * opened, escalated or closed (docs/events.md).
 *
 * Every event names the device the way the inventory does (MAC or home
 * address, vendor, class, name) and carries its incident (id, status,
 * hits, suppressed repeats) and the evidence a person can check: for an
 * anomaly, each feature's observed value beside the expectation it was
 * judged against and where that came from (class prior, learned mean,
 * forecast), and each novel item with what the profile held; for an
 * alert, the rule and the flow it matched.
 *
 * The writers build the line in jb (reset first); -1 when it could not be
 * built (out of memory).  Nothing is owned.
 */
#ifndef EW_OUTPUT_ALERT_H
#define EW_OUTPUT_ALERT_H

#include "baseline.h"
#include "device.h"
#include "incident.h"
#include "model.h"
#include "util-json.h"

/* "opened", "escalated", "closed". */
enum alert_status { ALERT_OPENED = 0, ALERT_ESCALATED, ALERT_CLOSED };

/* The severity of an anomaly score, by the model's bands. */
enum ew_severity output_anomaly_severity(const struct model *m, double score);

/* A behavioural anomaly.  d may be NULL (device evicted): the key is printed instead. */
int output_anomaly_event(struct json_buf *jb, ew_usec_t ts, const struct device *d,
			 uint64_t device_key, const struct incident *inc, enum alert_status st,
			 const struct baseline_report *r, const char *class_for_priors);

/*
 * A rule's alert: rule id, title, severity, one-line explanation and the
 * flow's ends (client, server and ports as text; any may be NULL).
 */
struct alert_hit_view {
	const char *rule_id, *title, *explanation;
	enum ew_severity severity;
	const char *client, *server, *proto;
	uint16_t client_port, server_port;
	const char *app;
};
int output_alert_event(struct json_buf *jb, ew_usec_t ts, const struct device *d,
		       uint64_t device_key, const struct incident *inc, enum alert_status st,
		       const struct alert_hit_view *hit);

/* An incident that closed (either kind): its totals. */
int output_incident_closed(struct json_buf *jb, ew_usec_t ts, const struct device *d,
			   const struct incident *inc, bool forced);

/* The explanation text of an anomaly report, bounded, for events and tests. */
void output_anomaly_explain(const struct baseline_report *r, const char *class_for_priors,
			    char *buf, size_t len);

#endif /* EW_OUTPUT_ALERT_H */
