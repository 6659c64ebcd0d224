/*
 * output-stats.h - the `stats` event: the sensor's health as one JSON line.
 *
 * The numbers an operator watches on a sensor that runs for months:
 * packets the kernel received and dropped, decoder errors by reason, the
 * tables that grow (flows, devices, baselines, incidents) against their
 * caps, events written and lost, the output queue, Redis and its spool,
 * the segmentation policy's verdicts, the privacy filters, and memory.  The caller gathers them into struct stats_snapshot (see
 * engine_write_stats()); this module only writes them, so it is tested
 * with made-up numbers.  The fields are described in docs/events.md.
 *
 * Ownership: the snapshot and its strings are borrowed for the call.
 */
#ifndef EW_OUTPUT_STATS_H
#define EW_OUTPUT_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include "decode.h"
#include "packet.h"
#include "util-json.h"

/* What only the program knows: the capture, the outputs, the process. */
struct stats_extra {
	ew_usec_t ts_us;          /* the event's time: wall clock live, packet time offline */
	double uptime_s;          /* since the start of the run */
	const char *reason;       /* "interval", "signal" (SIGUSR1) or "exit" */
	/*
	 * Uptime and memory are written only with has_process: a run over
	 * files leaves them (and the queue and Redis) out, so that the same
	 * input still gives byte-identical output.
	 */
	bool has_process;
	const char *interface;    /* NULL: reading files, no "capture" object */
	uint64_t kernel_received, kernel_dropped, if_dropped; /* pcap_stats() */
	bool has_queue;           /* the output queue's counters below are set */
	uint64_t queue_depth, queue_depth_max, queue_dropped, queue_written;
	bool has_redis;           /* a Redis output is configured */
	bool redis_connected;
	uint64_t redis_spool_pending, redis_spool_bytes, redis_dropped;
	/*
	 * output.privacy filters (pseudonymised or minimal), summed over the
	 * outputs: lines rewritten and passed on, lines dropped because they
	 * did not parse.  They run on the output thread: reading files, the
	 * caller drains the queue first, so that the numbers are exact.
	 */
	bool has_privacy;
	uint64_t privacy_lines, privacy_dropped;
	uint64_t rss_kb, peak_rss_kb; /* resident memory now and at most (KiB) */
};

/* The enforcement points' reports read back (engine_enforcement_stats()). */
struct stats_enforcement {
	bool enabled;         /* live, quarantine on, a Redis output: the rest is set */
	uint64_t reports;     /* about this sensor's requests */
	uint64_t unmatched;   /* about requests it does not know (other sensors, earlier runs) */
	uint64_t malformed;   /* entries with a field missing or out of the contract */
	uint64_t overflow;    /* dropped: the packet thread fell 256 reports behind */
	uint64_t read_errors; /* rounds that could not read the stream */
};

/* What the engine knows: filled by engine_write_stats(). */
struct stats_snapshot {
	uint64_t packets, bytes, decode_errors, untracked;
	const struct decode_stats *decode; /* for the errors by reason */
	uint64_t flows_active, flows_peak, flows_created, flows_evicted, flows_max;
	uint64_t devices_active, devices_peak, devices_evicted, devices_max;
	uint64_t baselines_active, baselines_evicted;
	uint64_t incidents_open, incidents_opened;
	uint64_t events_written, events_dropped, output_errors;
	/* The segmentation policy (engine-policy.h), when one is in force. */
	/* Live with quarantine on: the enforcement points' reports read back. */
	struct stats_enforcement enforcement;
	bool has_policy;
	uint64_t policy_flows_checked, policy_denied_rule, policy_denied_default;
	uint64_t policy_mud_from_device, policy_mud_to_device, policy_mud_unsupported_aces;
};

/* Builds the line in jb (reset first); 0, or -1 when jb failed (out of memory). */
int output_stats_event(struct json_buf *jb, const struct stats_snapshot *s,
		       const struct stats_extra *x);

#endif /* EW_OUTPUT_STATS_H */
