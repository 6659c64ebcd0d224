/*
 * output-setup.h - the sensor's outputs as the configuration asks for
 * them: the JSON-lines file, syslog, Redis, behind one output thread.
 *
 * The engine writes to the fan-out sink this returns; a bounded queue
 * hands each line to the output thread, which writes it to every
 * configured sink in order (output-queue.h).  Reading files, a full queue
 * waits (nothing is lost and the result does not depend on how fast the
 * outputs are); on a live capture it drops and counts, because the packet
 * path must never wait on an output.
 *
 * With output.privacy pseudonymised or minimal, every sink is wrapped in
 * a privacy filter (output-privacy.h) reading output.privacy_key_file
 * once here; outputs_redis() still returns the Redis sink itself, for
 * quarantine requests, which are not event lines.
 *
 * Ownership: struct outputs owns the queue and every sink; close it with
 * outputs_close() (accepts NULL).
 */
#ifndef EW_OUTPUT_SETUP_H
#define EW_OUTPUT_SETUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "output-queue.h"
#include "output-redis.h"
#include "output.h"

struct outputs;

struct outputs_request {
	const struct ew_conf *conf;
	const char *file;      /* the JSON lines file ("-" stdout), as -o or output.file */
	const char *redis_url; /* --redis URL, else output.redis.url; NULL or "": none */
	const char *state_dir; /* for the Redis spool; NULL: no spool */
	bool live;             /* a live capture: drop when full instead of waiting */
	/* Notices from the outputs (Redis reconnects, drops); called on the output thread. */
	void (*notice)(void *ctx, const char *msg);
	void *notice_ctx;
};

/* What happened to the lines, read when the outputs close. */
struct outputs_summary {
	struct output_queue_stats queue;
	bool redis;                   /* a Redis sink was open */
	/* output.privacy filters, summed over the sinks: lines passed on, lines
	 * dropped because they did not parse (also counted as the sinks' errors). */
	uint64_t privacy_lines, privacy_dropped;
	char error[256];              /* the first failure, or "" */
};

/* NULL with a one-line message in err when an output cannot be set up. */
struct outputs *outputs_open(const struct outputs_request *req, char *err, size_t errlen);

/* The sink the engine writes to. */
struct output_sink *outputs_sink(struct outputs *o);

/* The Redis sink, for quarantine requests (output-redis.h); NULL when Redis is off. */
struct output_sink *outputs_redis(struct outputs *o);

/*
 * A snapshot of the queue's counters, and of the Redis sink's when there
 * is one (*has_redis).  Safe while the output thread runs (both take
 * their own locks).
 */
void outputs_stats(struct outputs *o, struct output_queue_stats *q, struct redis_out_stats *r,
		   bool *has_redis);

/*
 * The privacy filters' counters so far, summed over the sinks (lines
 * passed on, lines dropped); false when output.privacy is full.  Safe
 * while the output thread runs (atomics).
 */
bool outputs_privacy_stats(struct outputs *o, uint64_t *lines, uint64_t *dropped);

/* Asks for the file to be reopened (log rotation); async-signal-safe. */
void outputs_reopen(void);

/*
 * Drains the queue and closes every sink; *sum says what was written,
 * dropped, spooled and failed.  -1 when anything was lost or failed (the
 * first failure in sum->error).  Nothing is printed here.
 */
int outputs_close(struct outputs *o, struct outputs_summary *sum);

#endif /* EW_OUTPUT_SETUP_H */
