/*
 * output-redis.h - events to Redis streams, with an on-disk spool.
 *
 * Each event line becomes one stream entry (XADD with an approximate
 * MAXLEN; fields and key names in docs/redis.md): alert and anomaly events
 * to the alerts stream, the rest to the events stream, and optionally a
 * PUBLISH of the line on a channel for live consumers.
 *
 * Delivery is at least once and in order.  When the server cannot be
 * reached, or refuses a command, entries go to a bounded journal
 * (spool.h) in the state directory; reconnection is tried between writes
 * with exponential backoff (100 ms doubling to 30 s, with jitter), and on
 * reconnect the journal is replayed in order before any new entry.  The
 * journal is read at open, so the order also holds across a restart of
 * edgewatch.  Past the journal's cap entries are dropped, counted and
 * reported through the log hook at most once a minute.  Without a spool
 * (spool_dir NULL or spool_cap_bytes 0) an entry that cannot be written is
 * dropped and counted.
 *
 * Blocking: the sink runs on the output thread.  A call (write_line,
 * flush, output_redis_xadd) spends at most about command_timeout_ms on the
 * network, reconnection and replay included: the connect timeout is
 * clamped to what is left of that budget, and a replay that does not fit
 * resumes at the next call.  While backing off, calls do not touch the
 * network at all.  Calls are serialised by a mutex, so the quarantine
 * module may call output_redis_xadd() from another thread (it then waits
 * as long as a write may).
 *
 * The library prints nothing: messages go to the optional log hook.
 */
#ifndef EW_OUTPUT_REDIS_H
#define EW_OUTPUT_REDIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "output.h"

#define REDIS_OUT_ERRLEN 256
#define REDIS_OUT_PASSWORD_MAX 512       /* bytes of a password */
#define REDIS_OUT_SPOOL_FILE "redis-spool.journal" /* in spool_dir */
#define REDIS_OUT_BACKOFF_MIN_MS 100u
#define REDIS_OUT_BACKOFF_MAX_MS 30000u
#define REDIS_OUT_DROP_REPORT_MS 60000u  /* drop notices at most this often */
#define REDIS_OUT_REPLAY_BATCH 128u      /* entries pipelined per round trip in a replay */
#define REDIS_OUT_FIELDS_MAX 64u         /* field/value pairs of one entry */
#define REDIS_OUT_ENV_PASSWORD "EDGEWATCH_REDIS_PASSWORD"

/*
 * All strings are read during output_redis_open() only (copied).  The
 * defaults named are the configuration's (src/conf.c), not filled in
 * here: every field must be set.
 */
struct redis_out_config {
	const char *url;              /* redis://... or unix://... (util-redis-url.h) */
	const char *user;             /* ACL user, NULL or "" for the URL's (or none) */
	const char *password;         /* NULL or "": no AUTH */
	uint32_t connect_timeout_ms;  /* 1..60000 */
	uint32_t command_timeout_ms;  /* 1..60000: the budget of one call */
	const char *alerts_stream;    /* "edgewatch:alerts" */
	const char *events_stream;    /* "edgewatch:events" */
	uint32_t maxlen;              /* XADD MAXLEN ~ maxlen; 1.. */
	const char *channel;          /* NULL or "": no PUBLISH */
	const char *spool_dir;        /* the state directory; NULL: no spool */
	uint64_t spool_cap_bytes;     /* 0: no spool */
	/* Optional: one line per notice (reconnects, failures, drops). */
	void (*log)(void *ctx, const char *msg);
	void *log_ctx;
};

enum redis_out_state {
	REDIS_OUT_CONNECTED,
	REDIS_OUT_BACKING_OFF, /* not connected; next attempt at a set time */
};

struct redis_out_stats {
	uint64_t written;          /* entries XADDed as they came */
	uint64_t spooled;          /* entries put in the journal */
	uint64_t replayed;         /* journal entries XADDed after a reconnect */
	uint64_t dropped;          /* entries lost: journal full, absent or failing */
	uint64_t reconnects;       /* connections made after the first */
	uint64_t connect_failures; /* attempts that failed (connect, AUTH, SELECT) */
	uint64_t command_errors;   /* error replies to XADD */
	uint64_t publish_errors;   /* PUBLISH that failed (never retried) */
	uint64_t spool_pending;    /* entries in the journal now */
	uint64_t spool_bytes;      /* the journal's size now */
	uint64_t spool_corrupt_bytes; /* damaged journal tail cut at open */
	enum redis_out_state state;
};

/*
 * The sink.  NULL with a message in err when the configuration is
 * unusable (URL, names, the journal cannot be opened).  A server that
 * cannot be reached is not an error here: the sink starts backing off
 * and spools.  close() tries to deliver what the journal holds within one
 * command timeout and keeps the rest for the next start.
 */
struct output_sink *output_redis_open(const struct redis_out_config *c, char *err,
				      size_t errlen);

/*
 * One entry with the given fields (nfields names and values alternating:
 * fields[0] a name, fields[1] its value, ...; lens their lengths; nfields
 * even, at most 2 * REDIS_OUT_FIELDS_MAX) to stream, through the same
 * journal and order as the event lines.  0 when written or kept in the
 * journal, -1 when dropped (counted) or invalid arguments.
 */
int output_redis_xadd(struct output_sink *s, const char *stream, const char *const *fields,
		      const size_t *lens, size_t nfields);

/*
 * Reads a stream back (edgewatch reads the enforcement points' reports):
 * the entries of stream after last_id (an id, "0-0", or "<ms>-0"), at
 * most max, without blocking (XREAD COUNT), on the sink's connection and
 * within one command timeout; while the sink backs off it does nothing.
 * Each entry goes to fn with its id and field/value pairs (kv[0] a name,
 * kv[1] its value, ...; n even; not NUL-terminated: use lens), with the
 * sink's lock held (fn must not call the sink).  An entry whose fields
 * are of the wrong shape goes to fn with none (kv NULL, n 0), so that the
 * caller counts it; one without a usable id is skipped.  last_id
 * (last_id_size bytes) moves to the last entry given to fn, so no entry
 * comes twice.  The number of entries given with their fields, or -1 (not
 * connected, no reply, an error reply, a reply of the wrong shape: the
 * message in the sink's error).
 */
typedef void (*redis_entry_fn)(void *ctx, const char *id, const char *const *kv,
			       const size_t *lens, size_t n);
int output_redis_read(struct output_sink *s, const char *stream, char *last_id,
		      size_t last_id_size, size_t max, redis_entry_fn fn, void *ctx);

/* A snapshot of the counters; s must be a sink from output_redis_open(). */
void output_redis_stats(struct output_sink *s, struct redis_out_stats *st);

/*
 * The password: the contents of file when file is set (one trailing
 * newline removed; a file group or others may read is refused), else the
 * environment variable EDGEWATCH_REDIS_PASSWORD, else "".  0, or -1 with
 * a message in err.  buf holds len bytes with the NUL.
 */
int redis_read_password(const char *file, char *buf, size_t len, char *err, size_t errlen);

#endif /* EW_OUTPUT_REDIS_H */
