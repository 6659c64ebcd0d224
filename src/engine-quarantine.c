/*
 * engine-quarantine.c - incidents to quarantine requests.
 *
 * Each incident event (opened, escalated, closed) is handed to the
 * quarantine policy (quarantine.h), which decides: send a signed request,
 * send a release, hold it (rate limit), or refuse (allowlist, severity,
 * cause, already quarantined), or in dry-run say what it would have sent.
 * Requests and releases go to the Redis stream through the Redis sink;
 * every decision an operator should see becomes a `quarantine` event
 * (docs/events.md): what was decided, about which device and incident,
 * and why.  Refusals for severity, cause or an active quarantine are the
 * everyday case and write nothing.
 *
 * A request is XADDed by the output thread, queued in order with the
 * events (output_queue_job()): Redis being slow or away can make that
 * thread wait up to its command timeout, never the packet path.  Without
 * an output queue (unit tests) it is XADDed at once.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine-private.h"
#include "output-device.h"
#include "output-queue.h"
#include "output-redis.h"
#include "util-time.h"

#define QUARANTINE_MAX_ADDRS DEVICE_MAX_ADDRS

/*
 * A request as an output-thread job: the stream name with its NUL, then
 * the fields, each a 32-bit length (host order: the blob never leaves the
 * process) and its bytes.
 */
#define XADD_JOB_ITEMS (1 + 2 * QF_COUNT)

static size_t put_item(unsigned char *out, const void *p, size_t len)
{
	uint32_t l = (uint32_t)len;

	memcpy(out, &l, sizeof(l));
	memcpy(out + sizeof(l), p, len);
	return sizeof(l) + len;
}

/* On the output thread: unpacks a request and XADDs it (ctx: the Redis sink). */
static void xadd_job(void *ctx, const void *data, size_t len)
{
	const unsigned char *p = data, *end = p + len;
	const char *item[XADD_JOB_ITEMS];
	size_t lens[XADD_JOB_ITEMS], n = 0;

	while (n < XADD_JOB_ITEMS && (size_t)(end - p) >= sizeof(uint32_t)) {
		uint32_t l;

		memcpy(&l, p, sizeof(l));
		p += sizeof(l);
		if (l > (size_t)(end - p))
			return; /* cannot happen: the packet thread packed it */
		item[n] = (const char *)p;
		lens[n++] = l;
		p += l;
	}
	if (n < 3 || lens[0] == 0 || item[0][lens[0] - 1] != '\0')
		return;
	/* A refusal is counted by the Redis sink (dropped) like any entry it loses. */
	(void)output_redis_xadd(ctx, item[0], item + 1, lens + 1, n - 1);
}

/*
 * Hands the request to the output thread; 0 when queued (or, without a
 * queue, written or spooled), -1 when it could not be.
 */
static int send_request(struct engine *e, const struct quarantine_decision *d, size_t n)
{
	unsigned char *blob;
	size_t size = sizeof(uint32_t) + strlen(e->quarantine_stream) + 1, at = 0;
	int rc;

	if (e->quarantine_via == NULL)
		return output_redis_xadd(e->redis, e->quarantine_stream, d->argv->argv,
					 d->argv->len, n);
	for (size_t i = 0; i < n; i++)
		size += sizeof(uint32_t) + d->argv->len[i];
	blob = malloc(size);
	if (blob == NULL)
		return -1;
	at += put_item(blob, e->quarantine_stream, strlen(e->quarantine_stream) + 1);
	for (size_t i = 0; i < n; i++)
		at += put_item(blob + at, d->argv->argv[i], d->argv->len[i]);
	rc = output_queue_job(e->quarantine_via, xadd_job, e->redis, blob, at);
	free(blob);
	return rc;
}

static const char *const decision_names[QD_KIND_COUNT] = {
	[QD_SEND] = "sent",
	[QD_RELEASE] = "release_sent",
	[QD_WOULD_SEND] = "would_send",
	[QD_HELD] = "held",
	[QD_REFUSED_ALLOWLIST] = "refused_allowlist",
	[QD_REFUSED_SEVERITY] = "refused_severity",
	[QD_REFUSED_CAUSE] = "refused_cause",
	[QD_REFUSED_ACTIVE] = "refused_active",
	[QD_DROPPED] = "dropped",
};

/* Only these decisions are worth an event: the rest is every incident's normal case. */
static bool decision_reported(enum quarantine_decision_kind k)
{
	return k == QD_SEND || k == QD_RELEASE || k == QD_WOULD_SEND || k == QD_HELD ||
	       k == QD_REFUSED_ALLOWLIST || k == QD_DROPPED;
}

static void put_time(struct json_buf *jb, const char *key, ew_usec_t ts)
{
	char buf[EW_TIMESTAMP_LEN];

	ew_time_format(ts, buf);
	json_string(jb, key, buf);
}

/* Writes the `quarantine` event of one decision. */
static void decision_event(struct engine *e, const struct quarantine_decision *d, bool sent_ok)
{
	char id[17];

	json_reset(&e->jb);
	json_open_object(&e->jb, NULL);
	put_time(&e->jb, "timestamp", e->now_us);
	json_string(&e->jb, "event_type", "quarantine");
	snprintf(id, sizeof(id), "%016" PRIx64, d->device_key);
	json_open_object(&e->jb, "quarantine");
	json_string(&e->jb, "decision", decision_names[d->kind]);
	json_bool(&e->jb, "dry_run", d->dry_run);
	json_string(&e->jb, "device_key", id);
	if (d->incident_id != 0) {
		snprintf(id, sizeof(id), "%016" PRIx64, d->incident_id);
		json_string(&e->jb, "incident_id", id);
	}
	if (d->req != NULL) {
		json_string(&e->jb, "request_id", d->req->request_id);
		json_string(&e->jb, "action", qreq_action_name((enum qreq_action)d->req->action));
		if (d->req->mac[0] != '\0')
			json_string(&e->jb, "mac", d->req->mac);
		json_string(&e->jb, "addrs", d->req->addrs);
		if (d->req->allow[0] != '\0')
			json_string(&e->jb, "allow", d->req->allow);
		put_time(&e->jb, "expires", d->req->expires_us);
	}
	if (d->kind == QD_SEND || d->kind == QD_RELEASE)
		json_bool(&e->jb, "delivered", sent_ok);
	json_bytes(&e->jb, "reason", (const uint8_t *)d->reason, strlen(d->reason));
	json_close_object(&e->jb);
	json_close_object(&e->jb);
	e->c.incident_events++;
	engine_emit(e);
}

/* The policy's decisions: send what is to be sent, then say what happened. */
static void on_decision(void *ctx, const struct quarantine_decision *d)
{
	struct engine *e = ctx;
	bool sent_ok = false;

	if ((d->kind == QD_SEND || d->kind == QD_RELEASE) && d->argv != NULL) {
		size_t n = 0;

		while (n < 2 * QF_COUNT && d->argv->argv[n] != NULL)
			n++;
		sent_ok = e->redis != NULL && send_request(e, d, n) == 0;
		if (!sent_ok)
			e->quarantine_send_errors++;
		else
			engine_enforcement_sent(e, d);
	}
	if (!e->silent && decision_reported(d->kind))
		decision_event(e, d, sent_ok);
}

void engine_quarantine_notify(struct engine *e, const struct device *d, const struct incident *inc,
			      enum quarantine_event ev)
{
	struct ew_addr addrs[QUARANTINE_MAX_ADDRS];
	struct baseline_dest dests[BASELINE_DESTS_MAX];
	char dest_text[BASELINE_DESTS_MAX][80]; /* "tcp/" + an IPv6 address + "/65535" */
	const char *dest_ptr[BASELINE_DESTS_MAX];
	struct quarantine_incident qi;

	if (e->quarantine == NULL || (ev == QEV_CLOSED && e->finishing))
		return;
	memset(&qi, 0, sizeof(qi));
	qi.event = ev;
	qi.dev.key = inc->device_key;
	if (d != NULL) {
		qi.dev.has_mac = d->key_kind == DEVICE_KEY_MAC;
		memcpy(qi.dev.mac, d->mac, 6);
		for (size_t i = 0; i < d->naddr && i < QUARANTINE_MAX_ADDRS; i++)
			addrs[qi.dev.naddrs++] = d->addr[i].addr;
		if (d->key_kind == DEVICE_KEY_IP && qi.dev.naddrs == 0)
			addrs[qi.dev.naddrs++] = d->ip;
		qi.dev.addrs = addrs;
		qi.dev.class_name = d->class_name;
		qi.dev.name = output_device_name(d);
	}
	qi.incident_id = inc->id;
	qi.cause = inc->cause;
	qi.severity = inc->severity;
	qi.score = inc->score_max;
	qi.ts = e->now_us;
	/* restrict keeps the device's baseline destinations open (isolate ignores them). */
	if (d != NULL && e->scorer != NULL && ev != QEV_CLOSED) {
		qi.ndests = scorer_destinations(e->scorer, d, e->now_us, dests, BASELINE_DESTS_MAX);
		for (size_t i = 0; i < qi.ndests; i++) {
			char a[64];

			ew_addr_format(&dests[i].addr, a, sizeof(a));
			snprintf(dest_text[i], sizeof(dest_text[i]), "%s/%s/%u",
				 dests[i].proto == EW_IPPROTO_TCP ? "tcp" : "udp", a,
				 (unsigned)dests[i].port);
			dest_ptr[i] = dest_text[i];
		}
		qi.dests = dest_ptr;
	}
	quarantine_notify(e->quarantine, &qi);
}

int engine_set_quarantine(struct engine *e, const struct quarantine_settings *qs,
			  struct output_sink *redis, struct output_sink *via, const char *stream,
			  const char *enforcement_stream, char *err, size_t errlen)
{
	struct quarantine *q;
	char *copy = strdup(stream);

	if (copy == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	q = quarantine_create(qs, on_decision, e, err, errlen);
	if (q == NULL) {
		free(copy);
		return -1;
	}
	quarantine_destroy(e->quarantine);
	free(e->quarantine_stream);
	e->quarantine = q;
	e->quarantine_stream = copy;
	e->redis = redis;
	e->quarantine_via = via;
	/* Made once: jobs of the output queue may still hold it. */
	if (enforcement_stream != NULL && redis != NULL && via != NULL && e->enforcement == NULL &&
	    (e->enforcement = enforcement_feed_create(redis, via, enforcement_stream,
						      (uint64_t)time(NULL) * 1000)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}
