/*
 * output-queue.c - the bounded queue and the output thread (see
 * output-queue.h).
 *
 * A line is copied into one allocation (node header and text) before the
 * lock is taken, so the packet thread holds the lock only to link it in.
 * The queue is a singly linked FIFO: memory follows what is waiting, not
 * the caps, so a queue allowed 16M lines costs nothing until it fills.
 *
 * The output thread takes one line at a time and counts it done only after
 * every sink had it: depth and bytes are what is held in memory, and a
 * full queue frees room line by line.  It waits on a condition variable
 * with a short timeout, because a signal handler cannot signal one: the
 * timeout is what notices a SIGHUP while no event arrives.
 *
 * What this file deliberately does not do: retry a line a sink refused
 * (each sink decides its own retries and spooling), or let one slow sink
 * get behind the others (one thread keeps one order for all).
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "output-queue.h"

/* How often an idle output thread looks for a reopen request. */
#define OUTPUT_QUEUE_TICK_MS 250u

/* The reopen request must be settable from a signal handler: lock-free only. */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "a signal handler needs a lock-free atomic int");

/* Bumped by output_queue_set_reopen(); each queue remembers the value it acted on. */
static atomic_uint output_reopen_generation;

struct queue_line {
	struct queue_line *next;
	output_queue_job_fn job; /* NULL: a line for the sinks; else a job run with text */
	void *job_ctx;
	size_t len;
	char text[]; /* len bytes, no NUL */
};

struct output_queue {
	struct output_sink base; /* first: the ops pointer */
	struct output_sink *sinks[OUTPUT_QUEUE_MAX_SINKS];
	size_t nsinks;
	uint32_t max_events;
	uint64_t max_bytes;
	uint32_t drain_timeout_ms;
	bool wait_when_full;

	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t work; /* to the output thread: a line, a flush, a reopen or stop */
	pthread_cond_t done; /* from it: a line written, a flush done, exited */

	/* Under lock. */
	struct queue_line *head, *tail;
	bool thread_idle;     /* waiting on work */
	bool stopping;        /* close() began: write what is queued, then exit */
	bool abandon;         /* close() stopped waiting: exit after the current line */
	bool exited;
	unsigned producers_waiting; /* wait_when_full writers waiting on done */
	uint64_t flush_asked, flush_done;
	int flush_rc;         /* of the latest flush round */
	uint64_t reopen_asked, reopen_done; /* this queue's own reopen op */
	struct output_queue_stats st;
	char error[OUTPUT_QUEUE_ERRLEN]; /* the first problem, or "" */

	/* Output thread only. */
	unsigned reopen_seen; /* output_reopen_generation last acted on */
	bool unflushed;       /* lines written since the sinks were last flushed */
};

/* ------------------------------------------------------------- helpers */

static struct timespec deadline_after_ms(uint32_t ms)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += (time_t)(ms / 1000u);
	t.tv_nsec += (long)(ms % 1000u) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

/* Keeps the first problem only: later ones are usually its consequences. */
static void queue_note_error(struct output_queue *q, const char *what, const char *msg)
{
	if (q->error[0] == '\0')
		snprintf(q->error, sizeof(q->error), "%s: %s", what, msg);
}

/* A sink failed (write, flush or reopen): count it, keep its words.  Under lock. */
static void queue_sink_failed(struct output_queue *q, size_t i, const char *msg)
{
	struct output_queue_sink_stats *ss = &q->st.sink[i];

	ss->errors++;
	q->st.sink_errors++;
	snprintf(ss->last_error, sizeof(ss->last_error), "%s", msg[0] ? msg : "failed");
	queue_note_error(q, ss->name, ss->last_error);
}

/* ----------------------------------------------------- the output thread */

/*
 * One sink's message, copied on the output thread (which alone touches the
 * sinks) so that the lock is never held across a sink call.
 */
struct sink_result {
	int rc;
	char msg[OUTPUT_QUEUE_ERRLEN];
};

static void sink_result(struct sink_result *r, const struct output_sink *s, int rc)
{
	r->rc = rc;
	r->msg[0] = '\0';
	if (rc != 0)
		snprintf(r->msg, sizeof(r->msg), "%s", s->ops->error(s));
}

/* Reopens every sink that can be; called and returns with the lock held. */
static void queue_reopen_sinks(struct output_queue *q)
{
	struct sink_result r[OUTPUT_QUEUE_MAX_SINKS];

	pthread_mutex_unlock(&q->lock);
	for (size_t i = 0; i < q->nsinks; i++) {
		struct output_sink *s = q->sinks[i];

		sink_result(&r[i], s, s->ops->reopen ? s->ops->reopen(s) : 0);
	}
	pthread_mutex_lock(&q->lock);
	for (size_t i = 0; i < q->nsinks; i++)
		if (r[i].rc != 0)
			queue_sink_failed(q, i, r[i].msg);
	q->st.reopens++;
}

/* Writes one line to every sink, then counts it done; lock held on entry and exit. */
static void queue_write_line(struct output_queue *q, struct queue_line *l)
{
	struct sink_result r[OUTPUT_QUEUE_MAX_SINKS];

	pthread_mutex_unlock(&q->lock);
	if (l->job != NULL) {
		l->job(l->job_ctx, l->text, l->len);
		pthread_mutex_lock(&q->lock);
		q->st.jobs_run++;
		goto done;
	}
	for (size_t i = 0; i < q->nsinks; i++) {
		struct output_sink *s = q->sinks[i];

		sink_result(&r[i], s, s->ops->write_line(s, l->text, l->len));
	}
	pthread_mutex_lock(&q->lock);
	for (size_t i = 0; i < q->nsinks; i++) {
		if (r[i].rc != 0)
			queue_sink_failed(q, i, r[i].msg);
		else
			q->st.sink[i].written++;
	}
	q->st.written++;
	q->unflushed = true;
done:
	q->st.depth--;
	q->st.bytes -= l->len;
	free(l);
	if (q->producers_waiting > 0)
		pthread_cond_broadcast(&q->done);
}

/* Flushes every sink, counting failures; lock held on entry and exit.  0 or -1. */
static int queue_flush_all(struct output_queue *q)
{
	struct sink_result r[OUTPUT_QUEUE_MAX_SINKS];
	int rc = 0;

	q->unflushed = false;
	pthread_mutex_unlock(&q->lock);
	for (size_t i = 0; i < q->nsinks; i++)
		sink_result(&r[i], q->sinks[i], q->sinks[i]->ops->flush(q->sinks[i]));
	pthread_mutex_lock(&q->lock);
	for (size_t i = 0; i < q->nsinks; i++) {
		if (r[i].rc != 0) {
			queue_sink_failed(q, i, r[i].msg);
			rc = -1;
		}
	}
	return rc;
}

static void queue_flush_sinks(struct output_queue *q)
{
	uint64_t round = q->flush_asked;
	int rc = queue_flush_all(q);

	q->flush_rc = rc;
	q->flush_done = round;
	pthread_cond_broadcast(&q->done);
}

/* Whether a reopen was asked for, globally or of this queue; takes the request. */
static bool queue_take_reopen(struct output_queue *q)
{
	unsigned gen = atomic_load_explicit(&output_reopen_generation, memory_order_relaxed);

	if (gen == q->reopen_seen && q->reopen_done == q->reopen_asked)
		return false;
	q->reopen_seen = gen;
	q->reopen_done = q->reopen_asked;
	return true;
}

/*
 * After draining the queue the thread naps this long, this many times,
 * before it waits to be woken: a line waits at most 1 ms, and a busy
 * sensor wakes its output thread about 1000 times a second instead of
 * once per line.
 */
#define OUTPUT_QUEUE_SHORT_WAIT_MS 1u
#define OUTPUT_QUEUE_SHORT_WAITS 20u

/*
 * Order of work: a reopen first (so that no line goes to a rotated file
 * after the request was seen), then lines, then a flush (it must follow
 * the lines queued before it), then stopping once nothing is left.
 */
static void *queue_thread(void *arg)
{
	struct output_queue *q = arg;
	unsigned short_waits = 0;

	pthread_mutex_lock(&q->lock);
	for (;;) {
		if (q->abandon)
			break;
		if (queue_take_reopen(q)) {
			queue_reopen_sinks(q);
			continue;
		}
		if (q->head != NULL) {
			struct queue_line *l = q->head;

			q->head = l->next;
			if (q->head == NULL)
				q->tail = NULL;
			queue_write_line(q, l);
			short_waits = 0;
			continue;
		}
		if (q->flush_done != q->flush_asked) {
			queue_flush_sinks(q);
			continue;
		}
		if (q->stopping)
			break;
		if (short_waits < OUTPUT_QUEUE_SHORT_WAITS) {
			/*
			 * Just drained: nap OUTPUT_QUEUE_SHORT_WAIT_MS without
			 * calling ourselves idle, so the packet thread does not
			 * wake us for every line (a futex call and two context
			 * switches each, which cost a busy sensor a fifth of its
			 * time); lines that come meanwhile go out together.
			 */
			struct timespec t = deadline_after_ms(OUTPUT_QUEUE_SHORT_WAIT_MS);

			short_waits++;
			pthread_cond_timedwait(&q->work, &q->lock, &t);
			continue;
		}
		if (q->unflushed) {
			/*
			 * Going idle with lines in the sinks' buffers: flush them,
			 * so that a quiet sensor's last alert reaches a file a SIEM
			 * tails now, not when the buffer fills.  A busy sensor
			 * never gets here between lines and keeps its batching.
			 */
			(void)queue_flush_all(q);
			continue;
		}
		{
			struct timespec t = deadline_after_ms(OUTPUT_QUEUE_TICK_MS);

			q->thread_idle = true;
			pthread_cond_timedwait(&q->work, &q->lock, &t);
			q->thread_idle = false;
		}
	}
	q->exited = true;
	pthread_cond_broadcast(&q->done);
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

/* -------------------------------------------------------- the producer */

static void queue_wake(struct output_queue *q)
{
	if (q->thread_idle)
		pthread_cond_signal(&q->work);
}

static bool queue_has_room(const struct output_queue *q, size_t len)
{
	return q->st.depth < q->max_events && len <= q->max_bytes - q->st.bytes;
}

static int queue_drop(struct output_queue *q, struct queue_line *l)
{
	q->st.dropped++;
	pthread_mutex_unlock(&q->lock);
	free(l);
	return -1;
}

/* Queues a line (job NULL) or a job; the producer's side of both. */
static int queue_push(struct output_queue *q, output_queue_job_fn job, void *job_ctx,
		      const void *line, size_t len)
{
	struct queue_line *l = NULL;

	/* Too long to ever fit, or no memory: dropped like a full queue's line. */
	if (len <= q->max_bytes)
		l = malloc(sizeof(*l) + len);
	pthread_mutex_lock(&q->lock);
	if (l == NULL || q->stopping)
		return queue_drop(q, l);
	while (!queue_has_room(q, len)) {
		if (!q->wait_when_full || q->exited)
			return queue_drop(q, l);
		q->producers_waiting++;
		pthread_cond_wait(&q->done, &q->lock);
		q->producers_waiting--;
	}
	l->next = NULL;
	l->job = job;
	l->job_ctx = job_ctx;
	l->len = len;
	memcpy(l->text, line, len);
	if (q->tail != NULL)
		q->tail->next = l;
	else
		q->head = l;
	q->tail = l;
	q->st.queued++;
	q->st.depth++;
	q->st.bytes += len;
	if (q->st.depth > q->st.depth_max)
		q->st.depth_max = q->st.depth;
	if (q->st.bytes > q->st.bytes_max)
		q->st.bytes_max = q->st.bytes;
	queue_wake(q);
	pthread_mutex_unlock(&q->lock);
	return 0;
}

static int queue_write(struct output_sink *s, const char *line, size_t len)
{
	return queue_push((struct output_queue *)s, NULL, NULL, line, len);
}

/* Waits on done until pred(q) or the deadline; lock held.  0, or -1 on timeout. */
static int queue_wait(struct output_queue *q, bool (*pred)(const struct output_queue *),
		      const struct timespec *deadline)
{
	while (!pred(q))
		if (pthread_cond_timedwait(&q->done, &q->lock, deadline) == ETIMEDOUT && !pred(q))
			return -1;
	return 0;
}

static bool queue_flushed(const struct output_queue *q)
{
	return q->flush_done == q->flush_asked || q->exited;
}

static int queue_flush(struct output_sink *s)
{
	struct output_queue *q = (struct output_queue *)s;
	struct timespec t = deadline_after_ms(q->drain_timeout_ms);
	int rc;

	pthread_mutex_lock(&q->lock);
	q->flush_asked++;
	queue_wake(q);
	rc = queue_wait(q, queue_flushed, &t);
	if (rc < 0) {
		char msg[96];

		snprintf(msg, sizeof(msg), "%llu lines still waiting after %u ms",
			 (unsigned long long)q->st.depth, q->drain_timeout_ms);
		queue_note_error(q, "flush", msg);
	} else if (q->flush_rc != 0 || q->exited) {
		rc = -1;
	}
	pthread_mutex_unlock(&q->lock);
	return rc;
}

static const char *queue_error(const struct output_sink *s)
{
	return ((const struct output_queue *)s)->error;
}

static int queue_reopen(struct output_sink *s)
{
	struct output_queue *q = (struct output_queue *)s;

	pthread_mutex_lock(&q->lock);
	q->reopen_asked++;
	queue_wake(q);
	pthread_mutex_unlock(&q->lock);
	return 0;
}

static int queue_close_op(struct output_sink *s, char *err, size_t errlen)
{
	return output_queue_close((struct output_queue *)s, NULL, err, errlen);
}

static const struct output_ops queue_ops = {
	.name = "queue",
	.write_line = queue_write,
	.flush = queue_flush,
	.close = queue_close_op,
	.error = queue_error,
	.reopen = queue_reopen,
};

/* ------------------------------------------------------------ lifetime */

static int queue_init_sync(struct output_queue *q)
{
	pthread_condattr_t ca;
	int rc = -1;

	if (pthread_condattr_init(&ca) != 0)
		return -1;
	/* Deadlines on the monotonic clock: a clock step must not stretch a wait. */
	if (pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0 &&
	    pthread_mutex_init(&q->lock, NULL) == 0) {
		if (pthread_cond_init(&q->work, &ca) == 0) {
			if (pthread_cond_init(&q->done, &ca) == 0)
				rc = 0;
			else
				pthread_cond_destroy(&q->work);
		}
		if (rc < 0)
			pthread_mutex_destroy(&q->lock);
	}
	pthread_condattr_destroy(&ca);
	return rc;
}

/* Starts the thread with every signal blocked, so that signals go to the packet thread. */
static int queue_start_thread(struct output_queue *q)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&q->thread, NULL, queue_thread, q);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

struct output_queue *output_queue_create(const struct output_queue_config *cfg,
					 struct output_sink *const *sinks, size_t nsinks,
					 char *err, size_t errlen)
{
	struct output_queue *q;
	int rc;

	if (nsinks == 0 || nsinks > OUTPUT_QUEUE_MAX_SINKS) {
		snprintf(err, errlen, "output queue: %zu outputs (1..%d)", nsinks,
			 OUTPUT_QUEUE_MAX_SINKS);
		return NULL;
	}
	if (cfg->max_events == 0 || cfg->max_bytes == 0) {
		snprintf(err, errlen, "output queue: limits must be at least 1");
		return NULL;
	}
	q = calloc(1, sizeof(*q));
	if (q == NULL) {
		snprintf(err, errlen, "output queue: out of memory");
		return NULL;
	}
	q->base.ops = &queue_ops;
	q->max_events = cfg->max_events;
	q->max_bytes = cfg->max_bytes;
	q->drain_timeout_ms = cfg->drain_timeout_ms ? cfg->drain_timeout_ms
						    : OUTPUT_QUEUE_DRAIN_TIMEOUT_MS;
	q->wait_when_full = cfg->wait_when_full;
	q->nsinks = nsinks;
	q->st.nsinks = nsinks;
	for (size_t i = 0; i < nsinks; i++) {
		q->sinks[i] = sinks[i];
		q->st.sink[i].name = sinks[i]->ops->name;
	}
	/* A reopen asked before the queue existed is not this queue's business. */
	q->reopen_seen = atomic_load(&output_reopen_generation);
	if (queue_init_sync(q) < 0) {
		snprintf(err, errlen, "output queue: cannot set up locks");
		goto fail;
	}
	rc = queue_start_thread(q);
	if (rc != 0) {
		snprintf(err, errlen, "output queue: cannot start the output thread: %s",
			 strerror(rc));
		pthread_cond_destroy(&q->done);
		pthread_cond_destroy(&q->work);
		pthread_mutex_destroy(&q->lock);
		goto fail;
	}
	return q;
fail:
	free(q);
	return NULL;
}

struct output_sink *output_queue_sink(struct output_queue *q)
{
	return &q->base;
}

int output_queue_job(struct output_sink *q_sink, output_queue_job_fn fn, void *ctx,
		     const void *data, size_t len)
{
	if (q_sink == NULL || q_sink->ops != &queue_ops || fn == NULL)
		return -1;
	return queue_push((struct output_queue *)q_sink, fn, ctx, data, len);
}

void output_queue_stats(struct output_queue *q, struct output_queue_stats *st)
{
	pthread_mutex_lock(&q->lock);
	*st = q->st;
	pthread_mutex_unlock(&q->lock);
}

static bool queue_exited(const struct output_queue *q)
{
	return q->exited;
}

/* Lets the thread drain and exit, or tells it to give up at the deadline; then joins. */
static void queue_stop(struct output_queue *q)
{
	struct timespec t = deadline_after_ms(q->drain_timeout_ms);

	pthread_mutex_lock(&q->lock);
	q->stopping = true;
	pthread_cond_signal(&q->work);
	if (queue_wait(q, queue_exited, &t) < 0)
		q->abandon = true;
	pthread_mutex_unlock(&q->lock);
	/* After abandon the thread ends its current line; each sink bounds that itself. */
	pthread_join(q->thread, NULL);
	while (q->head != NULL) {
		struct queue_line *l = q->head;

		q->head = l->next;
		q->st.abandoned++;
		q->st.depth--;
		q->st.bytes -= l->len;
		free(l);
	}
	q->tail = NULL;
}

int output_queue_close(struct output_queue *q, struct output_queue_stats *final, char *err,
		       size_t errlen)
{
	char sink_err[OUTPUT_QUEUE_ERRLEN] = "";
	int rc = 0;

	if (q == NULL)
		return 0;
	queue_stop(q);
	/* The sinks are closed even after a failure: each flushes what it holds. */
	for (size_t i = 0; i < q->nsinks; i++) {
		char one[OUTPUT_QUEUE_ERRLEN] = "";

		if (q->sinks[i]->ops->close(q->sinks[i], one, sizeof(one)) != 0) {
			q->st.sink[i].errors++;
			q->st.sink_errors++;
			snprintf(q->st.sink[i].last_error, OUTPUT_QUEUE_ERRLEN, "%s", one);
			if (rc == 0)
				snprintf(sink_err, sizeof(sink_err), "%s", one);
			rc = -1;
		}
	}
	if (rc == 0 && q->st.abandoned > 0) {
		snprintf(sink_err, sizeof(sink_err),
			 "%llu event lines not written: the output did not catch up within %u ms",
			 (unsigned long long)q->st.abandoned, q->drain_timeout_ms);
		rc = -1;
	}
	if (rc < 0 && err != NULL && errlen > 0)
		snprintf(err, errlen, "%s", sink_err);
	if (final != NULL)
		*final = q->st;
	pthread_cond_destroy(&q->done);
	pthread_cond_destroy(&q->work);
	pthread_mutex_destroy(&q->lock);
	free(q);
	return rc;
}

void output_queue_set_reopen(void)
{
	atomic_fetch_add_explicit(&output_reopen_generation, 1u, memory_order_relaxed);
}
