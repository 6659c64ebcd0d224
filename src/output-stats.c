/*
 * output-stats.c - the `stats` event line (see output-stats.h).
 */
#include "output-stats.h"
#include "util-time.h"

/* Decoder errors by their stable names; facts (fragments, unknown ethertypes) stay out. */
static void write_decode_errors(struct json_buf *jb, const struct decode_stats *ds)
{
	json_open_object(jb, "by_reason");
	for (int ev = DE_NONE + 1; ds != NULL && ev < DE_MAX; ev++)
		if (ds->events[ev] != 0 && decode_event_is_error((enum decode_event)ev))
			json_uint(jb, decode_event_name((enum decode_event)ev), ds->events[ev]);
	json_close_object(jb);
}

static void write_capture(struct json_buf *jb, const struct stats_snapshot *s,
			  const struct stats_extra *x)
{
	json_open_object(jb, "capture");
	if (x->interface != NULL) {
		json_string(jb, "interface", x->interface);
		json_uint(jb, "kernel_received", x->kernel_received);
		json_uint(jb, "kernel_dropped", x->kernel_dropped);
		json_uint(jb, "if_dropped", x->if_dropped);
	}
	json_uint(jb, "packets", s->packets);
	json_uint(jb, "bytes", s->bytes);
	json_uint(jb, "untracked", s->untracked);
	json_close_object(jb);
}

static void write_tables(struct json_buf *jb, const struct stats_snapshot *s)
{
	json_open_object(jb, "flows");
	json_uint(jb, "active", s->flows_active);
	json_uint(jb, "peak", s->flows_peak);
	json_uint(jb, "max", s->flows_max);
	json_uint(jb, "created", s->flows_created);
	json_uint(jb, "evicted", s->flows_evicted);
	json_close_object(jb);
	json_open_object(jb, "devices");
	json_uint(jb, "active", s->devices_active);
	json_uint(jb, "peak", s->devices_peak);
	json_uint(jb, "max", s->devices_max);
	json_uint(jb, "evicted", s->devices_evicted);
	json_close_object(jb);
	json_open_object(jb, "baselines");
	json_uint(jb, "active", s->baselines_active);
	json_uint(jb, "evicted", s->baselines_evicted);
	json_close_object(jb);
	json_open_object(jb, "incidents");
	json_uint(jb, "open", s->incidents_open);
	json_uint(jb, "opened", s->incidents_opened);
	json_close_object(jb);
}

static void write_outputs(struct json_buf *jb, const struct stats_snapshot *s,
			  const struct stats_extra *x)
{
	json_open_object(jb, "events");
	json_uint(jb, "written", s->events_written);
	json_uint(jb, "dropped", s->events_dropped);
	json_uint(jb, "output_errors", s->output_errors);
	json_close_object(jb);
	if (x->has_queue) {
		json_open_object(jb, "output_queue");
		json_uint(jb, "depth", x->queue_depth);
		json_uint(jb, "depth_max", x->queue_depth_max);
		json_uint(jb, "written", x->queue_written);
		json_uint(jb, "dropped", x->queue_dropped);
		json_close_object(jb);
	}
	if (x->has_redis) {
		json_open_object(jb, "redis");
		json_string(jb, "state", x->redis_connected ? "connected" : "backing_off");
		json_uint(jb, "spool_pending", x->redis_spool_pending);
		json_uint(jb, "spool_bytes", x->redis_spool_bytes);
		json_uint(jb, "dropped", x->redis_dropped);
		json_close_object(jb);
	}
}

/* The policy's verdicts and the privacy filters' lines, when they are on. */
static void write_policy_privacy(struct json_buf *jb, const struct stats_snapshot *s,
				 const struct stats_extra *x)
{
	if (s->enforcement.enabled) {
		const struct stats_enforcement *en = &s->enforcement;

		json_open_object(jb, "quarantine");
		json_open_object(jb, "enforcement");
		json_uint(jb, "reports", en->reports);
		json_uint(jb, "unmatched", en->unmatched);
		json_uint(jb, "malformed", en->malformed);
		json_uint(jb, "overflow", en->overflow);
		json_uint(jb, "read_errors", en->read_errors);
		json_close_object(jb);
		json_close_object(jb);
	}
	if (s->has_policy) {
		json_open_object(jb, "policy");
		json_uint(jb, "flows_checked", s->policy_flows_checked);
		json_open_object(jb, "violations");
		json_uint(jb, "rule", s->policy_denied_rule);
		json_uint(jb, "default", s->policy_denied_default);
		json_uint(jb, "mud_from_device", s->policy_mud_from_device);
		json_uint(jb, "mud_to_device", s->policy_mud_to_device);
		json_close_object(jb);
		json_uint(jb, "mud_unsupported_aces", s->policy_mud_unsupported_aces);
		json_close_object(jb);
	}
	if (x->has_privacy) {
		json_open_object(jb, "privacy");
		json_uint(jb, "lines", x->privacy_lines);
		json_uint(jb, "dropped", x->privacy_dropped);
		json_close_object(jb);
	}
}

int output_stats_event(struct json_buf *jb, const struct stats_snapshot *s,
		       const struct stats_extra *x)
{
	char ts[EW_TIMESTAMP_LEN];

	json_reset(jb);
	ew_time_format(x->ts_us, ts);
	json_open_object(jb, NULL);
	json_string(jb, "timestamp", ts);
	json_string(jb, "event_type", "stats");
	json_open_object(jb, "stats");
	json_string(jb, "reason", x->reason != NULL ? x->reason : "interval");
	/* Whole milliseconds: enough for an operator, and exact in JSON. */
	if (x->has_process)
		json_uint(jb, "uptime_ms", x->uptime_s > 0 ? (uint64_t)(x->uptime_s * 1000.0) : 0);
	write_capture(jb, s, x);
	json_open_object(jb, "decode_errors");
	json_uint(jb, "total", s->decode_errors);
	write_decode_errors(jb, s->decode);
	json_close_object(jb);
	write_tables(jb, s);
	write_outputs(jb, s, x);
	write_policy_privacy(jb, s, x);
	if (x->has_process) {
		json_open_object(jb, "memory");
		json_uint(jb, "rss_kb", x->rss_kb);
		json_uint(jb, "peak_rss_kb", x->peak_rss_kb);
		json_close_object(jb);
	}
	json_close_object(jb);
	json_close_object(jb);
	return jb->err ? -1 : 0;
}
