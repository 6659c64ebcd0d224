/*
 * output-redis-private.h - the Redis sink's state, shared by its parts:
 * output-redis-conn.c (connecting, the handshake, the backoff),
 * output-redis-deliver.c (entries: live XADD, the journal, replay),
 * output-redis-read.c (reading a stream back) and output-redis.c (the
 * sink's operations and opening it).  Nothing else includes it but the
 * unit tests: everyone else goes through output-redis.h.
 *
 * Every function here that takes the sink expects its mutex held (or the
 * sink not yet shared, while it is being opened).
 */
#ifndef EW_OUTPUT_REDIS_PRIVATE_H
#define EW_OUTPUT_REDIS_PRIVATE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hiredis/hiredis.h>

#include "output-redis.h"
#include "spool.h"
#include "util-redis-url.h"

/* One stream entry: pointers into the caller's memory or the journal's buffer. */
struct entry {
	const char *stream;
	size_t stream_len;
	size_t nfields;
	const char *const *fields;
	const size_t *lens;
};

struct redis_sink {
	struct output_sink base; /* first: the ops pointer */
	pthread_mutex_t mu;
	struct redis_url url;
	char *user, *password, *alerts_stream, *events_stream, *channel;
	uint32_t connect_timeout_ms, command_timeout_ms;
	char maxlen[16];
	redisContext *ctx;          /* NULL while backing off */
	bool ever_connected;
	/*
	 * After an error reply, replay sends one entry at a time until one is
	 * accepted: entries pipelined behind a refused one would be applied,
	 * then sent again on every retry.
	 */
	bool probe;
	uint32_t backoff_ms;        /* the next delay before jitter */
	uint64_t next_attempt_ms;
	uint64_t rng;               /* for jitter */
	struct spool *spool;        /* NULL: no journal */
	unsigned char *enc;         /* a journal record being built */
	size_t enc_size;
	struct redis_out_stats st;
	uint64_t drops_unreported;
	uint64_t last_drop_report_ms;
	uint64_t last_fail_report_ms;
	uint64_t fails_unreported;
	void (*log)(void *ctx, const char *msg);
	void *log_ctx;
	char error[REDIS_OUT_ERRLEN];
};

/* ---- output-redis-conn.c */

uint64_t redis_out_now_ms(void); /* CLOCK_MONOTONIC */
/* One line to the log hook, if any. */
__attribute__((format(printf, 2, 3)))
void redis_out_notice(struct redis_sink *rs, const char *fmt, ...);
/* The sink's last error (rs->error), bounded. */
__attribute__((format(printf, 2, 3)))
void redis_out_set_error(struct redis_sink *rs, const char *fmt, ...);
/* ms left before deadline; 0 when it has passed. */
uint64_t redis_out_left_ms(uint64_t deadline);
/* The context's socket timeout to what is left; false when nothing is. */
bool redis_out_arm_timeout(struct redis_sink *rs, uint64_t deadline);
/* A reply's failure as text in rs->error; true when reply is usable. */
bool redis_out_reply_ok(struct redis_sink *rs, redisReply *r, const char *what);
void redis_out_free_reply(redisReply *r); /* accepts NULL */
/* Drops the connection (if any) and schedules the next attempt with backoff and jitter. */
void redis_out_disconnect(struct redis_sink *rs);
/* Connects when due (or when forced); true when connected afterwards. */
bool redis_out_ensure_connected(struct redis_sink *rs, uint64_t deadline, bool force);

/* ---- output-redis-deliver.c */

/* The one path every entry takes: live when possible, else the journal; 0 or -1 (dropped). */
int redis_out_deliver(struct redis_sink *rs, const struct entry *e, const char *pub,
		      size_t pub_len);
/* Empties the journal within the budget; true when it is empty and connected. */
bool redis_out_replay(struct redis_sink *rs, uint64_t deadline);
/* Reports unreported drops through the log hook, at most once a minute unless now_anyway. */
void redis_out_report_drops(struct redis_sink *rs, bool now_anyway);

/* ---- output-redis-read.c */

/*
 * The entries of one XREAD reply for one stream to fn, as
 * output_redis_read() describes; -1 when the reply itself is of the wrong
 * shape.  Apart so that tests can feed it hand-made replies.
 */
int redis_out_xread_entries(const redisReply *r, redis_entry_fn fn, void *ctx, char *last_id,
			    size_t last_id_size);

#endif /* EW_OUTPUT_REDIS_PRIVATE_H */
