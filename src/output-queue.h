/*
 * output-queue.h - event lines handed from the packet thread to one output
 * thread, which writes each to every configured sink.
 *
 * The queue is itself an output sink (a fan-out): the engine writes to it
 * as to a file, and write_line() only copies the line into a bounded
 * queue and returns.  A slow disk, a syslog server or Redis reconnecting
 * can therefore never hold up the packet path.  When the queue is full
 * (output.queue_events lines or output.queue_bytes bytes of text), the
 * line is dropped and counted, never waited for, unless the queue was
 * made with wait_when_full (offline reading, where waiting loses nothing
 * and the output must not depend on the machine's speed).
 *
 * One output thread writes the lines in the order they were queued, to
 * each sink in the order given, so every sink sees the events in the order
 * of events.  It reopens the sinks (log rotation) between two lines after
 * output_queue_set_reopen(), which a signal handler may call.
 *
 * Ownership: output_queue_create() takes the sinks only when it succeeds;
 * from then on they are closed by the queue's close.  write_line() copies
 * the line; the caller's buffer is free again when it returns.  The
 * queue's own functions (write_line, flush, close, output_queue_stats) are
 * for one producer thread; output_queue_set_reopen() for any thread or
 * signal handler.
 */
#ifndef EW_OUTPUT_QUEUE_H
#define EW_OUTPUT_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "output.h"

#define OUTPUT_QUEUE_MAX_SINKS 8    /* file, syslog, Redis and room to spare */
#define OUTPUT_QUEUE_ERRLEN 256     /* a sink's last error, NUL included */
#define OUTPUT_QUEUE_DRAIN_TIMEOUT_MS 5000u /* flush()/close() wait when not configured */

struct output_queue;

struct output_queue_config {
	uint32_t max_events;       /* lines waiting at most (output.queue_events), >= 1 */
	uint64_t max_bytes;        /* bytes of line text waiting at most (output.queue_bytes
				    * MiB times 1048576), >= 1; a longer line is dropped */
	uint32_t drain_timeout_ms; /* how long flush() and close() wait for the output
				    * thread to catch up; 0 = OUTPUT_QUEUE_DRAIN_TIMEOUT_MS */
	bool wait_when_full;       /* wait for room instead of dropping (offline runs only) */
};

struct output_queue_sink_stats {
	const char *name;   /* the sink's ops->name (static text) */
	uint64_t written;   /* lines this sink accepted */
	uint64_t errors;    /* its failed write_line, flush and reopen calls */
	char last_error[OUTPUT_QUEUE_ERRLEN]; /* its message after the latest failure, or "" */
};

struct output_queue_stats {
	uint64_t queued;      /* lines accepted by write_line() */
	uint64_t written;     /* lines the output thread has handed to every sink */
	uint64_t jobs_run;    /* output_queue_job() jobs the output thread has run */
	uint64_t dropped;     /* lines refused: queue full (lines or bytes), a line longer
			       * than max_bytes alone, out of memory, or written after close began */
	uint64_t abandoned;   /* lines freed unwritten because close() stopped waiting */
	uint64_t sink_errors; /* the sinks' errors, summed */
	uint64_t reopens;     /* reopen rounds done */
	uint64_t depth, depth_max; /* lines waiting now / the most so far */
	uint64_t bytes, bytes_max; /* bytes of text waiting now / the most so far */
	size_t nsinks;
	struct output_queue_sink_stats sink[OUTPUT_QUEUE_MAX_SINKS];
};

/*
 * Starts the output thread over sinks[0..nsinks) (1..OUTPUT_QUEUE_MAX_SINKS
 * of them).  NULL with a message in err on bad limits or when the thread
 * cannot start; the caller then still owns the sinks.  The thread starts
 * with every signal blocked, so signals reach the packet thread.
 */
struct output_queue *output_queue_create(const struct output_queue_config *cfg,
					 struct output_sink *const *sinks, size_t nsinks,
					 char *err, size_t errlen);

/*
 * The queue as an output sink, for the engine.  Its ops:
 *  - write_line: queues a copy; 0, or -1 when the line was dropped (counted);
 *  - flush: waits (up to the drain timeout) until every line queued so far
 *    is written and every sink flushed; -1 on timeout or a sink's failure;
 *  - close: output_queue_close(q, NULL, err, errlen);
 *  - error: the first problem seen ("" if none);
 *  - reopen: reopens the sinks now, like output_queue_set_reopen().
 */
struct output_sink *output_queue_sink(struct output_queue *q);

/*
 * A job for the output thread, run in order with the lines around it:
 * fn(ctx, data, len) on a copy of data (for instance a quarantine request
 * to XADD, which must not wait on the packet path and must not overtake
 * the events before it).  q_sink is output_queue_sink()'s value; ctx must
 * outlive the queue (a sink the queue owns does).  Limits, counters and
 * dropping as for a line: 0 when queued, -1 when dropped.
 */
typedef void (*output_queue_job_fn)(void *ctx, const void *data, size_t len);
int output_queue_job(struct output_sink *q_sink, output_queue_job_fn fn, void *ctx,
		     const void *data, size_t len);

/* The counters now (a consistent snapshot). */
void output_queue_stats(struct output_queue *q, struct output_queue_stats *st);

/*
 * Lets the output thread write what is queued (waiting up to the drain
 * timeout), stops and joins it, then closes every sink in order.  Fills
 * *final (may be NULL) with the last counters and frees the queue (accepts
 * NULL).  -1 when a sink's close failed (its message in err) or lines had
 * to be abandoned.  Lines dropped while running do not make it fail: they
 * are in the counters.
 */
int output_queue_close(struct output_queue *q, struct output_queue_stats *final, char *err,
		       size_t errlen);

/*
 * Asks every queue's output thread to reopen its sinks before its next
 * line (within a quarter of a second when idle).  Async-signal-safe: one
 * lock-free atomic increment, for a SIGHUP handler.
 */
void output_queue_set_reopen(void);

#endif /* EW_OUTPUT_QUEUE_H */
