/*
 * output-alert.c - anomaly and alert events (see output-alert.h).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "output-alert.h"
#include "output-device.h"
#include "util-time.h"

#define EXPLAIN_MAX 1024 /* bytes of an explanation: a few features and items */

static const char *const status_names[] = {
	[ALERT_OPENED] = "opened", [ALERT_ESCALATED] = "escalated", [ALERT_CLOSED] = "closed",
};

enum ew_severity output_anomaly_severity(const struct model *m, double score)
{
	if (score >= m->severity_critical)
		return SEV_CRITICAL;
	if (score >= m->severity_high)
		return SEV_HIGH;
	if (score >= m->severity_medium)
		return SEV_MEDIUM;
	return SEV_LOW;
}

static void put_time(struct json_buf *jb, const char *key, ew_usec_t ts)
{
	char buf[EW_TIMESTAMP_LEN];

	ew_time_format(ts, buf);
	json_string(jb, key, buf);
}

static void put_header(struct json_buf *jb, ew_usec_t ts, const char *type)
{
	json_reset(jb);
	json_open_object(jb, NULL);
	put_time(jb, "timestamp", ts);
	json_string(jb, "event_type", type);
}

/* The device object; the bare key when the record is gone. */
static void put_device(struct json_buf *jb, const struct device *d, uint64_t key)
{
	char hex[17];

	json_open_object(jb, "device");
	if (d != NULL) {
		const char *name = output_device_name(d);

		output_device_identity(jb, d);
		if (name[0] != '\0')
			json_string(jb, "name", name);
	} else {
		snprintf(hex, sizeof(hex), "%016" PRIx64, key);
		json_string(jb, "device_key", hex);
	}
	json_close_object(jb);
}

static void put_incident(struct json_buf *jb, const struct incident *inc, enum alert_status st)
{
	char id[17];

	snprintf(id, sizeof(id), "%016" PRIx64, inc->id);
	json_open_object(jb, "incident");
	json_string(jb, "id", id);
	json_string(jb, "status", status_names[st]);
	json_string(jb, "cause", inc->cause);
	put_time(jb, "first_seen", inc->first_us);
	put_time(jb, "last_seen", inc->last_us);
	json_uint(jb, "hits", inc->hits);
	json_uint(jb, "suppressed", inc->suppressed);
	if (inc->enforcement[0] != '\0') {
		json_open_object(jb, "enforcement");
		json_string(jb, "outcome", inc->enforcement);
		json_string(jb, "enforcer_id", inc->enforcer);
		json_close_object(jb);
	}
	json_close_object(jb);
}

static const char *feature_name(uint8_t f)
{
	if (f < BLF_COUNT)
		return model_feature_name((enum bl_feature)f);
	return f == BASELINE_PAIR_RATE ? "peak_pair_rate_pps" : "peak_rate_pps";
}

static const char *basis_name(const struct baseline_feature_report *fr)
{
	return fr->prior ? "class_prior" : fr->forecast ? "forecast" : fr->envelope ? "envelope"
										    : "learned";
}

/* Appends printf output to buf at *off, never past len. */
__attribute__((format(printf, 4, 5)))
static void append(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*off >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *off, len - *off, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	*off += (size_t)n < len - *off ? (size_t)n : len - *off - 1;
}

void output_anomaly_explain(const struct baseline_report *r, const char *class_for_priors,
			    char *buf, size_t len)
{
	size_t off = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < r->nfeatures; i++) {
		const struct baseline_feature_report *fr = &r->feature[i];

		append(buf, len, &off, "%s %.6g", feature_name(fr->feature), fr->observed);
		if (fr->has_remote) {
			char ra[64]; /* an IPv6 address in text is at most 45 bytes */

			ew_addr_format(&fr->remote, ra, sizeof(ra));
			append(buf, len, &off, " with %s", ra);
		}
		if (fr->has_shape)
			append(buf, len, &off,
			       " (packets of %.0f +/- %.0f bytes, %.3g +/- %.3g s apart)",
			       fr->size_mean, fr->size_sd, fr->gap_mean, fr->gap_sd);
		append(buf, len, &off, " %s; ", r->early ? "so far in this window" : "in the window");
		if (fr->prior)
			append(buf, len, &off, "the %s class prior expects %.6g +/- %.6g (z %.1f)",
			       class_for_priors && class_for_priors[0] ? class_for_priors
								       : "default",
			       fr->mean, fr->spread, fr->z);
		else if (fr->envelope)
			append(buf, len, &off,
			       "the most it did in a window lately is %.6g; this is %.1f spreads "
			       "of %.6g above that",
			       fr->mean, fr->z, fr->spread);
		else
			append(buf, len, &off,
			       "its %s is %.6g +/- %.6g over %" PRIu32 " bins (z %.1f)",
			       fr->forecast ? "forecast" : "learned baseline", fr->mean,
			       fr->spread, r->bins_learned, fr->z);
		append(buf, len, &off, ". ");
	}
	for (size_t i = 0; i < r->nnovel; i++) {
		const struct baseline_novel_report *nv = &r->novel[i];
		const char *cat = model_category_name((enum bl_category)nv->category);

		if (nv->periodic)
			append(buf, len, &off,
			       "new periodic contact with %s every %.1f s, an end first met after "
			       "learning. ",
			       nv->item, nv->period_s);
		else
			append(buf, len, &off,
			       "first %s %s; the profile held %" PRIu32 " and had no new one for "
			       "%" PRIu32 " bins. ",
			       cat, nv->item, nv->known, nv->settled_bins);
	}
	/* Drop the trailing space. */
	if (off > 0 && buf[off - 1] == ' ')
		buf[off - 1] = '\0';
}

static void put_window(struct json_buf *jb, const struct baseline_report *r)
{
	json_open_object(jb, "window");
	put_time(jb, "start", r->window_start);
	put_time(jb, "end", r->window_end);
	json_bool(jb, "partial", r->early);
	json_close_object(jb);
}

static void put_features(struct json_buf *jb, const struct baseline_report *r)
{
	json_open_array(jb, "features");
	for (size_t i = 0; i < r->nfeatures; i++) {
		const struct baseline_feature_report *fr = &r->feature[i];

		json_open_object(jb, NULL);
		json_string(jb, "name", feature_name(fr->feature));
		json_double(jb, "observed", fr->observed);
		json_double(jb, "expected", fr->mean);
		json_double(jb, "spread", fr->spread);
		json_double(jb, "z", fr->z);
		json_string(jb, "basis", basis_name(fr));
		json_double(jb, "score", fr->score);
		if (fr->has_remote) {
			char ra[64]; /* an IPv6 address in text is at most 45 bytes */

			ew_addr_format(&fr->remote, ra, sizeof(ra));
			json_string(jb, "remote", ra);
		}
		if (fr->has_shape) {
			json_double(jb, "packet_bytes_mean", fr->size_mean);
			json_double(jb, "packet_bytes_sd", fr->size_sd);
			json_double(jb, "gap_s_mean", fr->gap_mean);
			json_double(jb, "gap_s_sd", fr->gap_sd);
		}
		json_close_object(jb);
	}
	json_close_array(jb);
}

static void put_novel(struct json_buf *jb, const struct baseline_report *r)
{
	json_open_array(jb, "novel");
	for (size_t i = 0; i < r->nnovel; i++) {
		const struct baseline_novel_report *nv = &r->novel[i];

		json_open_object(jb, NULL);
		json_string(jb, "category", model_category_name((enum bl_category)nv->category));
		json_bytes(jb, "item", (const uint8_t *)nv->item, strlen(nv->item));
		json_uint(jb, "profile_items", nv->known);
		json_uint(jb, "settled_bins", nv->settled_bins);
		if (nv->periodic)
			json_double(jb, "period_s", nv->period_s);
		json_double(jb, "score", nv->score);
		json_close_object(jb);
	}
	json_close_array(jb);
}

int output_anomaly_event(struct json_buf *jb, ew_usec_t ts, const struct device *d,
			 uint64_t device_key, const struct incident *inc, enum alert_status st,
			 const struct baseline_report *r, const char *class_for_priors)
{
	char text[EXPLAIN_MAX];

	put_header(jb, ts, "anomaly");
	put_device(jb, d, device_key);
	put_incident(jb, inc, st);
	json_open_object(jb, "anomaly");
	json_double(jb, "score", r->score);
	json_double(jb, "threshold", r->threshold);
	json_string(jb, "severity", ew_severity_name((enum ew_severity)inc->severity));
	json_string(jb, "phase", r->learning ? "learning" : "detecting");
	json_uint(jb, "bins_learned", r->bins_learned);
	put_window(jb, r);
	put_features(jb, r);
	put_novel(jb, r);
	output_anomaly_explain(r, class_for_priors, text, sizeof(text));
	json_bytes(jb, "explanation", (const uint8_t *)text, strlen(text));
	json_close_object(jb);
	json_close_object(jb);
	return jb->err ? -1 : 0;
}

int output_alert_event(struct json_buf *jb, ew_usec_t ts, const struct device *d,
		       uint64_t device_key, const struct incident *inc, enum alert_status st,
		       const struct alert_hit_view *hit)
{
	put_header(jb, ts, "alert");
	put_device(jb, d, device_key);
	put_incident(jb, inc, st);
	json_open_object(jb, "alert");
	json_string(jb, "rule", hit->rule_id);
	if (hit->title)
		json_string(jb, "title", hit->title);
	json_string(jb, "severity", ew_severity_name(hit->severity));
	if (hit->explanation)
		json_bytes(jb, "explanation", (const uint8_t *)hit->explanation,
			   strlen(hit->explanation));
	if (hit->client != NULL && hit->server != NULL) {
		json_open_object(jb, "flow");
		if (hit->proto)
			json_string(jb, "proto", hit->proto);
		json_string(jb, "src_ip", hit->client);
		json_uint(jb, "src_port", hit->client_port);
		json_string(jb, "dest_ip", hit->server);
		json_uint(jb, "dest_port", hit->server_port);
		if (hit->app && hit->app[0])
			json_string(jb, "app_proto", hit->app);
		json_close_object(jb);
	}
	json_close_object(jb);
	json_close_object(jb);
	return jb->err ? -1 : 0;
}

int output_incident_closed(struct json_buf *jb, ew_usec_t ts, const struct device *d,
			   const struct incident *inc, bool forced)
{
	bool anomaly = strcmp(inc->cause, "anomaly") == 0;

	put_header(jb, ts, anomaly ? "anomaly" : "alert");
	put_device(jb, d, inc->device_key);
	put_incident(jb, inc, ALERT_CLOSED);
	json_open_object(jb, anomaly ? "anomaly" : "alert");
	if (!anomaly)
		json_string(jb, "rule", inc->cause);
	json_string(jb, "severity", ew_severity_name((enum ew_severity)inc->severity));
	if (anomaly)
		json_double(jb, "score", inc->score_max);
	json_uint(jb, "reports", inc->reports);
	json_bool(jb, "forced", forced);
	json_close_object(jb);
	json_close_object(jb);
	return jb->err ? -1 : 0;
}
