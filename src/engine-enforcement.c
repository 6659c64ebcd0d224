/*
 * engine-enforcement.c - what the enforcement points did with edgewatch's
 * quarantine requests, read back into the incidents that asked.
 *
 * Enforcement points report every decision on a stream of their own
 * (quarantine.enforcement_stream, docs/redis.md): applied, already,
 * released, expired or rejected, with the request id.  A live sensor
 * reads that stream back about once a second: the read is a job on the
 * output thread (output_queue_job()), on the Redis sink's connection, so
 * the packet thread never waits on Redis; the reports come back through a
 * small locked ring, which the packet thread empties at its idle tick.
 * Each report about a request this sensor sent becomes a `quarantine`
 * event (decision `enforcement`) and is recorded in its incident, whose
 * later events say how the enforcement went.  Reports about other
 * sensors' requests (or this sensor's before a restart) are counted and
 * left alone.  Offline runs do not read back: the requests of a capture
 * are in the past.
 *
 * Report fields are hostile input: each is checked against what the
 * contract allows (ids in hex, names from a fixed alphabet, bounded
 * lengths) before it is copied, and a report that fails is counted as
 * malformed and dropped.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine-private.h"
#include "output-queue.h"
#include "output-redis.h"
#include "output-stats.h"
#include "util-bytes.h"
#include "util-time.h"

#define FEED_RING 256         /* reports waiting for the packet thread */
#define FEED_READ_MAX 64      /* entries read per round */
#define FEED_POLL_MS 1000u    /* how often the stream is read */
#define SENT_MAX 1024         /* requests remembered to match reports to */
#define ENFORCER_ID_MAX 64
#define DETAIL_MAX 23

struct enforcement_report {
	char request_id[QREQ_REQUEST_ID_HEX + 1];
	char enforcer[ENFORCER_ID_MAX + 1];
	char outcome[12];
	char detail[DETAIL_MAX + 1];
	uint64_t at_us;
};

/* A request this sensor sent, to match reports with. */
struct sent_request {
	char request_id[QREQ_REQUEST_ID_HEX + 1];
	uint64_t device_key, incident_id;
	char cause[INCIDENT_CAUSE_MAX];
	char mac[QREQ_MAC_LEN + 1];
	uint8_t action;
};

struct enforcement_feed {
	/* Set at creation, read by both threads. */
	struct output_sink *redis, *via;
	char *stream;

	/* Under mu: filled by the output thread, emptied by the packet thread. */
	pthread_mutex_t mu;
	struct enforcement_report ring[FEED_RING];
	unsigned head, n;
	uint64_t overflow, malformed, read_errors;

	/* Output thread only. */
	char last_id[48];

	/* Packet thread only. */
	atomic_bool job_queued; /* cleared by the job when it has run */
	uint64_t next_poll_ms;
	struct sent_request sent[SENT_MAX];
	unsigned sent_next, sent_n;
	uint64_t unmatched, reports;
};

static const char *const outcomes[] = { "applied", "already", "released", "expired",
					"rejected", NULL };

/* A field's value as a NUL-terminated copy if it has 1..max bytes all in `allowed`. */
static bool field_text(const char *v, size_t len, size_t max, const char *allowed, char *out)
{
	if (len == 0 || len > max)
		return false;
	for (size_t i = 0; i < len; i++)
		if (v[i] == '\0' || strchr(allowed, v[i]) == NULL)
			return false;
	memcpy(out, v, len);
	out[len] = '\0';
	return true;
}


#define HEX_LOWER "0123456789abcdef"
#define ID_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-"

/* One report from its field/value pairs; false when a field is missing or malformed. */
static bool report_of(const char *const *kv, const size_t *lens, size_t n,
		      struct enforcement_report *rep)
{
	unsigned have = 0;

	memset(rep, 0, sizeof(*rep));
	for (size_t i = 0; i + 1 < n; i += 2) {
		const char *k = kv[i], *v = kv[i + 1];
		size_t kl = lens[i], vl = lens[i + 1];

#define IS(name) (kl == sizeof(name) - 1 && memcmp(k, name, kl) == 0)
		if (IS("request_id")) {
			if (vl != QREQ_REQUEST_ID_HEX ||
			    !field_text(v, vl, QREQ_REQUEST_ID_HEX, HEX_LOWER, rep->request_id))
				return false;
			have |= 1;
		} else if (IS("enforcer_id")) {
			if (!field_text(v, vl, ENFORCER_ID_MAX, ID_CHARS, rep->enforcer))
				return false;
			have |= 2;
		} else if (IS("outcome")) {
			if (!field_text(v, vl, sizeof(rep->outcome) - 1, "abcdefghijklmnopqrstuvwxyz",
					rep->outcome))
				return false;
			have |= 4;
		} else if (IS("detail")) {
			/* "" for everything but rejected. */
			if (vl > 0 && !field_text(v, vl, DETAIL_MAX, "abcdefghijklmnopqrstuvwxyz_",
						  rep->detail))
				return false;
		} else if (IS("at_us")) {
			if (vl > QREQ_U64_DEC_MAX || !ew_dec_u64(v, vl, &rep->at_us))
				return false;
		}
#undef IS
	}
	if (have != 7)
		return false;
	for (size_t i = 0; outcomes[i] != NULL; i++)
		if (strcmp(rep->outcome, outcomes[i]) == 0)
			return true;
	return false;
}

/* Output thread, lock held by output_redis_read(): one entry of the stream. */
static void on_entry(void *ctx, const char *id, const char *const *kv, const size_t *lens,
		     size_t n)
{
	struct enforcement_feed *fb = ctx;
	struct enforcement_report rep;
	bool ok = report_of(kv, lens, n, &rep);

	(void)id;
	pthread_mutex_lock(&fb->mu);
	if (!ok) {
		fb->malformed++;
	} else if (fb->n == FEED_RING) {
		fb->overflow++;
	} else {
		fb->ring[(fb->head + fb->n) % FEED_RING] = rep;
		fb->n++;
	}
	pthread_mutex_unlock(&fb->mu);
}

/* Output thread: one round of reading the stream. */
static void read_job(void *ctx, const void *data, size_t len)
{
	struct enforcement_feed *fb = ctx;

	(void)data;
	(void)len;
	if (output_redis_read(fb->redis, fb->stream, fb->last_id, sizeof(fb->last_id),
			      FEED_READ_MAX, on_entry, fb) < 0) {
		pthread_mutex_lock(&fb->mu);
		fb->read_errors++;
		pthread_mutex_unlock(&fb->mu);
	}
	atomic_store(&fb->job_queued, false);
}

struct enforcement_feed *enforcement_feed_create(struct output_sink *redis,
						 struct output_sink *via, const char *stream,
						 uint64_t start_ms)
{
	struct enforcement_feed *fb;

	if (redis == NULL || via == NULL || stream == NULL)
		return NULL;
	fb = calloc(1, sizeof(*fb));
	if (fb == NULL || (fb->stream = strdup(stream)) == NULL ||
	    pthread_mutex_init(&fb->mu, NULL) != 0) {
		if (fb != NULL)
			free(fb->stream);
		free(fb);
		return NULL;
	}
	fb->redis = redis;
	fb->via = via;
	/* Reports from a minute before the start on: this run's requests come later. */
	snprintf(fb->last_id, sizeof(fb->last_id), "%" PRIu64 "-0",
		 start_ms > 60000 ? start_ms - 60000 : 0);
	atomic_init(&fb->job_queued, false);
	return fb;
}

void enforcement_feed_destroy(struct enforcement_feed *fb)
{
	if (fb == NULL)
		return;
	pthread_mutex_destroy(&fb->mu);
	free(fb->stream);
	free(fb);
}

/* A request was sent: remembered (the oldest forgotten) to match its reports. */
void engine_enforcement_sent(struct engine *e, const struct quarantine_decision *d)
{
	struct enforcement_feed *fb = e->enforcement;
	struct sent_request *s;

	if (fb == NULL || d->req == NULL)
		return;
	s = &fb->sent[fb->sent_next];
	fb->sent_next = (fb->sent_next + 1) % SENT_MAX;
	if (fb->sent_n < SENT_MAX)
		fb->sent_n++;
	memset(s, 0, sizeof(*s));
	memcpy(s->request_id, d->req->request_id, sizeof(s->request_id));
	s->device_key = d->device_key;
	s->incident_id = d->incident_id;
	snprintf(s->cause, sizeof(s->cause), "%s", d->req->cause);
	memcpy(s->mac, d->req->mac, sizeof(s->mac));
	s->action = d->req->action;
}

static const struct sent_request *sent_find(const struct enforcement_feed *fb, const char *id)
{
	for (unsigned i = 0; i < fb->sent_n; i++)
		if (strcmp(fb->sent[i].request_id, id) == 0)
			return &fb->sent[i];
	return NULL;
}

static void put_time(struct json_buf *jb, const char *key, ew_usec_t ts)
{
	char buf[EW_TIMESTAMP_LEN];

	ew_time_format(ts, buf);
	json_string(jb, key, buf);
}

/* The `quarantine` event of one report about a request of ours. */
static void report_event(struct engine *e, const struct sent_request *s,
			 const struct enforcement_report *rep)
{
	char id[17];

	json_reset(&e->jb);
	json_open_object(&e->jb, NULL);
	put_time(&e->jb, "timestamp", e->now_us);
	json_string(&e->jb, "event_type", "quarantine");
	json_open_object(&e->jb, "quarantine");
	json_string(&e->jb, "decision", "enforcement");
	snprintf(id, sizeof(id), "%016" PRIx64, s->device_key);
	json_string(&e->jb, "device_key", id);
	if (s->incident_id != 0) {
		snprintf(id, sizeof(id), "%016" PRIx64, s->incident_id);
		json_string(&e->jb, "incident_id", id);
	}
	json_string(&e->jb, "request_id", s->request_id);
	json_string(&e->jb, "action", qreq_action_name((enum qreq_action)s->action));
	if (s->mac[0] != '\0')
		json_string(&e->jb, "mac", s->mac);
	json_string(&e->jb, "outcome", rep->outcome);
	if (rep->detail[0] != '\0')
		json_string(&e->jb, "detail", rep->detail);
	json_string(&e->jb, "enforcer_id", rep->enforcer);
	if (rep->at_us != 0)
		put_time(&e->jb, "enforced_at", rep->at_us);
	json_close_object(&e->jb);
	json_close_object(&e->jb);
	e->c.incident_events++;
	engine_emit(e);
}

/* Packet thread: the reports read so far, into events and incidents. */
static void drain(struct engine *e, struct enforcement_feed *fb)
{
	struct enforcement_report batch[FEED_RING];
	unsigned n = 0;

	pthread_mutex_lock(&fb->mu);
	while (fb->n > 0) {
		batch[n++] = fb->ring[fb->head];
		fb->head = (fb->head + 1) % FEED_RING;
		fb->n--;
	}
	pthread_mutex_unlock(&fb->mu);
	for (unsigned i = 0; i < n; i++) {
		const struct sent_request *s = sent_find(fb, batch[i].request_id);

		if (s == NULL) {
			fb->unmatched++; /* another sensor's, or from before a restart */
			continue;
		}
		fb->reports++;
		incident_note_enforcement(e->incidents, s->device_key, s->cause, s->incident_id,
					  batch[i].outcome, batch[i].enforcer);
		if (!e->silent)
			report_event(e, s, &batch[i]);
	}
}

void engine_enforcement_poll(struct engine *e, uint64_t wall_ms)
{
	struct enforcement_feed *fb = e->enforcement;

	if (fb == NULL)
		return;
	drain(e, fb);
	if (wall_ms < fb->next_poll_ms || atomic_load(&fb->job_queued))
		return;
	fb->next_poll_ms = wall_ms + FEED_POLL_MS;
	atomic_store(&fb->job_queued, true);
	if (output_queue_job(fb->via, read_job, fb, "", 0) != 0)
		atomic_store(&fb->job_queued, false); /* queue full: try at the next poll */
}

void engine_enforcement_stats(const struct engine *e, struct stats_enforcement *st)
{
	struct enforcement_feed *fb = e->enforcement;

	memset(st, 0, sizeof(*st));
	if (fb == NULL)
		return;
	st->enabled = true;
	st->reports = fb->reports;
	st->unmatched = fb->unmatched;
	pthread_mutex_lock(&fb->mu);
	st->malformed = fb->malformed;
	st->overflow = fb->overflow;
	st->read_errors = fb->read_errors;
	pthread_mutex_unlock(&fb->mu);
}
