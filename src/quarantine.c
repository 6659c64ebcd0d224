/*
 * quarantine.c - the quarantine policy's decision engine (see
 * quarantine.h): which incidents become requests, the set of active
 * quarantines and their releases, the hourly rate limit and the requests
 * it holds.  The settings, and matching causes and the allowlist against
 * them, are quarantine-settings.c's.
 *
 * Order of the checks on an incident, so that the reason an operator
 * reads is the most useful one: the cause (most incidents stop here), the
 * severity and score, the allowlist (a qualifying incident on a protected
 * device is worth a log line saying so), then whether the device is
 * already quarantined or held, and last the rate limit.
 *
 * What this file deliberately does not do: talk to Redis (the engine
 * XADDs what it is handed), remember anything across restarts (the
 * enforcer's own expiry cuts a device loose if the sensor dies), or learn
 * of manual releases (edgewatch-ctl): a device released by hand stays in
 * the active set until its TTL, so the sensor does not re-quarantine it
 * straight away.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "quarantine-private.h"

static const char *const decision_names[QD_KIND_COUNT] = {
	"send",          "release",          "would_send",     "held",    "refused_allowlist",
	"refused_severity", "refused_cause", "refused_active", "dropped",
};

const char *quarantine_decision_name(enum quarantine_decision_kind k)
{
	return (unsigned)k < QD_KIND_COUNT ? decision_names[k] : "";
}

static void format_mac(const uint8_t mac[6], char out[QREQ_MAC_LEN + 1])
{
	snprintf(out, QREQ_MAC_LEN + 1, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2],
		 mac[3], mac[4], mac[5]);
}

/* ---- creating ---- */

static int random_getrandom(void *ctx, uint8_t out[16])
{
	size_t got = 0;

	(void)ctx;
	while (got < 16) {
		ssize_t n = getrandom(out + got, 16 - got, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

struct quarantine *quarantine_create(const struct quarantine_settings *s,
				     quarantine_decision_fn fn, void *ctx, char *err,
				     size_t errlen)
{
	struct quarantine *q = calloc(1, sizeof *q);

	if (q == NULL) {
		qerr(err, errlen, "quarantine: out of memory");
		return NULL;
	}
	q->fn = fn;
	q->ctx = ctx;
	q->rand_fn = random_getrandom;
	if (quarantine_settings_copy(q, s, err, errlen) != 0)
		goto fail;
	if (q->max_per_hour > 0) {
		q->sent = calloc(q->max_per_hour, sizeof *q->sent);
		if (q->sent == NULL) {
			qerr(err, errlen, "quarantine: out of memory");
			goto fail;
		}
	}
	return q;
fail:
	quarantine_destroy(q);
	return NULL;
}

void quarantine_destroy(struct quarantine *q)
{
	if (q == NULL)
		return;
	quarantine_settings_free(q);
	for (size_t i = 0; i < q->nheld; i++)
		free(q->held[(q->held_head + i) % QUARANTINE_HELD_MAX]);
	free(q->active);
	free(q->sent);
	free(q);
}

void quarantine_set_random(struct quarantine *q, quarantine_random_fn fn, void *ctx)
{
	q->rand_fn = fn != NULL ? fn : random_getrandom;
	q->rand_ctx = fn != NULL ? ctx : NULL;
}

/* ---- deciding ---- */

/* Reports one decision; SEND and RELEASE become WOULD_SEND in a dry run. */
__attribute__((format(printf, 6, 7)))
static void decide(struct quarantine *q, enum quarantine_decision_kind kind, uint64_t device_key,
		   uint64_t incident_id, const struct qreq *req, const char *fmt, ...)
{
	struct quarantine_decision d = { 0 };
	char raw[QUARANTINE_REASON_MAX], reason[QUARANTINE_REASON_MAX];
	size_t off = 0;
	va_list ap;

	if (q->dry_run) {
		off = (size_t)snprintf(raw, sizeof raw, "dry run: ");
		if (kind == QD_SEND || kind == QD_RELEASE)
			kind = QD_WOULD_SEND;
	}
	va_start(ap, fmt);
	vsnprintf(raw + off, sizeof raw - off, fmt, ap);
	va_end(ap);
	/* Parts come from the network (causes, class names): keep it one line whatever they hold. */
	quarantine_escape(reason, sizeof reason, raw, strlen(raw));
	d.kind = kind;
	d.dry_run = q->dry_run;
	d.device_key = device_key;
	d.incident_id = incident_id;
	d.req = req;
	if (req != NULL && (kind == QD_SEND || kind == QD_RELEASE)) {
		qreq_to_argv(req, &q->argv);
		d.argv = &q->argv;
	}
	d.reason = reason;
	q->st.decisions[kind]++;
	if (q->fn != NULL)
		q->fn(q->ctx, &d);
}

static struct active *find_active(const struct quarantine *q, uint64_t device_key)
{
	for (size_t i = 0; i < q->nactive; i++)
		if (q->active[i].device_key == device_key)
			return &q->active[i];
	return NULL;
}

static bool is_held(const struct quarantine *q, uint64_t device_key)
{
	for (size_t i = 0; i < q->nheld; i++)
		if (q->held[(q->held_head + i) % QUARANTINE_HELD_MAX]->device_key == device_key)
			return true;
	return false;
}

/* A fresh request id into r; -1 when the random source failed. */
static int new_request_id(struct quarantine *q, struct qreq *r)
{
	uint8_t b[16];

	if (q->rand_fn(q->rand_ctx, b) != 0)
		return -1;
	for (int i = 0; i < 16; i++)
		snprintf(r->request_id + 2 * i, 3, "%02x", b[i]);
	return 0;
}

/* The device's addresses as the addrs field; how many were written. */
static int join_addrs(const struct quarantine_device *dev, char *out, size_t size)
{
	size_t at = 0;
	int n = 0;

	out[0] = '\0';
	for (size_t i = 0; i < dev->naddrs && n < QREQ_ADDRS_ENTRIES_MAX; i++) {
		char a[EW_ADDR_STRLEN];
		size_t len;

		if (dev->addrs[i].family != EW_AF_INET && dev->addrs[i].family != EW_AF_INET6)
			continue;
		ew_addr_format(&dev->addrs[i], a, sizeof a);
		len = strlen(a);
		if (at + (at > 0) + len + 1 > size)
			break;
		if (at > 0)
			out[at++] = ',';
		memcpy(out + at, a, len + 1);
		at += len;
		n++;
	}
	return n;
}

/* Whether the comma-separated list in out[0..at) holds entry d (len bytes) as a whole entry. */
static bool list_has(const char *out, size_t at, const char *d, size_t len)
{
	for (size_t start = 0; start < at;) {
		const char *comma = memchr(out + start, ',', at - start);
		size_t end = comma != NULL ? (size_t)(comma - out) : at;

		if (end - start == len && memcmp(out + start, d, len) == 0)
			return true;
		start = end + 1;
	}
	return false;
}

/*
 * The restrict allow list: the infrastructure isolate keeps (DNS and DHCP
 * to the configured servers, already in out) and then the caller's
 * destinations.  Each destination must be exactly one well-formed entry;
 * those that are not, or do not fit, are skipped and counted.  One the list
 * already holds (the DNS server is often both infrastructure and baseline)
 * is not repeated, so it takes none of the 64 entries.  How many
 * destinations were appended.
 */
static int join_dests(struct quarantine *q, const struct quarantine_incident *inc, char *out,
		      size_t size)
{
	size_t at = strlen(out);
	int n = 0, entries = 0;

	for (size_t i = 0; i < at; i++)
		entries += out[i] == ',';
	entries += at > 0;
	for (size_t i = 0; i < inc->ndests; i++) {
		const char *d = inc->dests[i];
		struct qreq_dest parsed;
		size_t pos = 0, len = d != NULL ? strlen(d) : 0;

		if (d == NULL || qreq_allow_next(d, &pos, &parsed) != 1 || pos != len) {
			q->st.dests_skipped++;
			continue;
		}
		if (list_has(out, at, d, len))
			continue; /* kept open by the entry already there */
		if (entries >= QREQ_ALLOW_ENTRIES_MAX || at + (at > 0) + len + 1 > size) {
			q->st.dests_skipped++;
			continue;
		}
		if (at > 0)
			out[at++] = ',';
		memcpy(out + at, d, len + 1);
		at += len;
		n++;
		entries++;
	}
	return n;
}

static void sign_or_clear(struct quarantine *q, struct qreq *r, char *err, size_t errlen,
			  int *rc)
{
	if (q->key.len > 0)
		*rc = qreq_sign(r, &q->key, err, errlen);
	else /* dry run without a key: checked, reported unsigned */
		*rc = qreq_validate(r, false, err, errlen);
}

/* Rate limit: forgets sends older than the window; whether one more may go at now. */
static bool window_allows(struct quarantine *q, ew_usec_t now)
{
	if (q->max_per_hour == 0)
		return false; /* "0 sends none": every request is held until it expires */
	while (q->nsent > 0 && q->sent[q->sent_head] + QUARANTINE_WINDOW_US <= now) {
		q->sent_head = (q->sent_head + 1) % q->max_per_hour;
		q->nsent--;
	}
	return q->nsent < q->max_per_hour;
}

static void window_record(struct quarantine *q, ew_usec_t now)
{
	if (q->max_per_hour == 0 || q->nsent >= q->max_per_hour)
		return;
	q->sent[(q->sent_head + q->nsent) % q->max_per_hour] = now;
	q->nsent++;
}

/* A slot in the active set for a new quarantine; NULL when the set is full. */
static struct active *active_add(struct quarantine *q)
{
	if (q->nactive == q->active_cap) {
		size_t cap = q->active_cap == 0 ? 16 : q->active_cap * 2;
		struct active *a;

		if (cap > QUARANTINE_ACTIVE_MAX)
			cap = QUARANTINE_ACTIVE_MAX;
		if (cap <= q->active_cap)
			return NULL;
		a = realloc(q->active, cap * sizeof *a);
		if (a == NULL)
			return NULL;
		q->active = a;
		q->active_cap = cap;
	}
	q->st.active = ++q->nactive;
	if (q->st.active > q->st.peak_active)
		q->st.peak_active = q->st.active;
	return &q->active[q->nactive - 1];
}

static void active_remove(struct quarantine *q, struct active *a)
{
	*a = q->active[--q->nactive]; /* order does not matter: lookups are by key */
	q->st.active = q->nactive;
}

/*
 * Sends request r (signed here with issued_us = now) for the device and
 * enters it in the active set.  The set is checked before anything is
 * reported, so a request is never sent that the set could not release.
 */
static void send_request(struct quarantine *q, struct qreq *r, uint64_t device_key,
			 uint64_t incident_id, ew_usec_t now, const char *why)
{
	char err[128];
	struct active *a;
	int rc;

	r->issued_us = now;
	sign_or_clear(q, r, err, sizeof err, &rc);
	if (rc != 0) {
		decide(q, QD_DROPPED, device_key, incident_id, NULL, "request not made: %s", err);
		return;
	}
	a = active_add(q);
	if (a == NULL) {
		decide(q, QD_DROPPED, device_key, incident_id, NULL,
		       "request not made: %d devices already quarantined (the cap)",
		       QUARANTINE_ACTIVE_MAX);
		return;
	}
	memset(a, 0, sizeof *a);
	a->device_key = device_key;
	a->incident_id = incident_id;
	a->expires_us = r->expires_us;
	memcpy(a->mac, r->mac, sizeof a->mac);
	memcpy(a->addrs, r->addrs, sizeof a->addrs);
	memcpy(a->cause, r->cause, sizeof a->cause);
	memcpy(a->request_id, r->request_id, sizeof a->request_id);
	window_record(q, now);
	decide(q, QD_SEND, device_key, incident_id, r, "%s %s (%s) for %llu s: %s",
	       qreq_action_name((enum qreq_action)r->action), r->mac[0] ? r->mac : r->addrs,
	       r->request_id, (unsigned long long)((r->expires_us - now) / EW_USEC_PER_SEC), why);
}

/* Sends the release of a (then removed from the set). */
static void release(struct quarantine *q, struct active *a, ew_usec_t now, const char *why)
{
	struct qreq *r = &q->req;
	char err[128];
	uint64_t key = a->device_key, incident_id = a->incident_id;
	int rc = -1;

	memset(r, 0, sizeof *r);
	r->action = QREQ_RELEASE;
	memcpy(r->sensor_id, q->sensor_id, sizeof r->sensor_id);
	memcpy(r->mac, a->mac, sizeof r->mac);
	memcpy(r->addrs, a->addrs, sizeof r->addrs);
	memcpy(r->cause, a->cause, sizeof r->cause);
	snprintf(r->incident_id, sizeof r->incident_id, "%016" PRIx64, a->incident_id);
	snprintf(r->reason, sizeof r->reason, "%s (request %s)", why, a->request_id);
	r->issued_us = r->expires_us = now;
	active_remove(q, a);
	if (new_request_id(q, r) == 0)
		sign_or_clear(q, r, err, sizeof err, &rc);
	else
		snprintf(err, sizeof err, "no random request id");
	if (rc != 0) {
		decide(q, QD_DROPPED, key, incident_id, NULL, "release not made: %s", err);
		return;
	}
	decide(q, QD_RELEASE, key, incident_id, r, "release %s: %s",
	       r->mac[0] ? r->mac : r->addrs, r->reason);
}

static struct held *held_at(const struct quarantine *q, size_t i)
{
	return q->held[(q->held_head + i) % QUARANTINE_HELD_MAX];
}

static void held_pop(struct quarantine *q)
{
	free(q->held[q->held_head]);
	q->held[q->held_head] = NULL;
	q->held_head = (q->held_head + 1) % QUARANTINE_HELD_MAX;
	q->st.held = --q->nheld;
}

void quarantine_tick(struct quarantine *q, ew_usec_t now)
{
	if (now < q->now_us)
		now = q->now_us;
	q->now_us = now;
	for (size_t i = 0; i < q->nactive;) {
		struct active *a = &q->active[i];

		if (a->expires_us <= now)
			release(q, a, now, "ttl ended"); /* moves the last entry into i */
		else
			i++;
	}
	while (q->nheld > 0) {
		struct held *h = held_at(q, 0);

		if (h->req.expires_us <= now) {
			decide(q, QD_DROPPED, h->device_key, h->incident_id, NULL,
			       "held request for %s expired before the rate limit allowed it",
			       h->req.mac[0] ? h->req.mac : h->req.addrs);
			held_pop(q);
			continue;
		}
		if (!window_allows(q, now))
			break;
		send_request(q, &h->req, h->device_key, h->incident_id, now,
			     "held by the rate limit until now");
		held_pop(q);
	}
}

/* Holds r for the rate limit; reports HELD, or DROPPED when the queue is full. */
static void hold(struct quarantine *q, const struct qreq *r, uint64_t device_key,
		 uint64_t incident_id)
{
	struct held *h;

	if (q->nheld >= QUARANTINE_HELD_MAX || (h = malloc(sizeof *h)) == NULL) {
		decide(q, QD_DROPPED, device_key, incident_id, NULL,
		       "rate limit: %" PRIu32 " requests in the last hour and %d held already; "
		       "request for %s dropped", q->max_per_hour, QUARANTINE_HELD_MAX,
		       r->mac[0] ? r->mac : r->addrs);
		return;
	}
	h->device_key = device_key;
	h->incident_id = incident_id;
	h->req = *r;
	q->held[(q->held_head + q->nheld) % QUARANTINE_HELD_MAX] = h;
	q->st.held = ++q->nheld;
	if (q->st.held > q->st.peak_held)
		q->st.peak_held = q->st.held;
	if (q->max_per_hour == 0)
		decide(q, QD_HELD, device_key, incident_id, &h->req,
		       "rate limit: quarantine.max_per_hour is 0; %s %s held, never sent",
		       qreq_action_name((enum qreq_action)r->action), r->mac[0] ? r->mac : r->addrs);
	else
		decide(q, QD_HELD, device_key, incident_id, &h->req,
		       "rate limit: %" PRIu32 " requests in the last hour "
		       "(quarantine.max_per_hour); %s %s held until the window allows",
		       q->max_per_hour, qreq_action_name((enum qreq_action)r->action),
		       r->mac[0] ? r->mac : r->addrs);
}

/* Builds the request for an incident into q->req; -1 with a DROPPED decision when it cannot. */
static int build_request(struct quarantine *q, const struct quarantine_incident *inc,
			 const char **fallback)
{
	struct qreq *r = &q->req;
	const struct quarantine_device *dev = &inc->dev;

	memset(r, 0, sizeof *r);
	*fallback = "";
	memcpy(r->sensor_id, q->sensor_id, sizeof r->sensor_id);
	r->action = q->action;
	if (dev->has_mac)
		format_mac(dev->mac, r->mac);
	if (join_addrs(dev, r->addrs, sizeof r->addrs) == 0) {
		decide(q, QD_DROPPED, dev->key, inc->incident_id, NULL,
		       "request not made: no address known for %s", r->mac[0] ? r->mac : "device");
		return -1;
	}
	memcpy(r->allow, q->isolate_allow, sizeof r->allow);
	if (r->action == QREQ_RESTRICT && join_dests(q, inc, r->allow, sizeof r->allow) == 0) {
		/* No baseline to keep open: restrict would be isolate under another name. */
		r->action = QREQ_ISOLATE;
		memcpy(r->allow, q->isolate_allow, sizeof r->allow);
		*fallback = "; no baseline destinations beyond isolate's, isolate instead of restrict";
	}
	if (strlen(inc->cause) > QREQ_CAUSE_MAX) {
		decide(q, QD_DROPPED, dev->key, inc->incident_id, NULL,
		       "request not made: cause over %d bytes", QREQ_CAUSE_MAX);
		return -1;
	}
	snprintf(r->incident_id, sizeof r->incident_id, "%016" PRIx64, inc->incident_id);
	snprintf(r->cause, sizeof r->cause, "%s", inc->cause);
	snprintf(r->reason, sizeof r->reason, "incident %s: %s, severity %s, score %.2f",
		 r->incident_id, r->cause, ew_severity_name((enum ew_severity)inc->severity),
		 inc->score);
	r->issued_us = inc->ts;
	r->expires_us = inc->ts + q->ttl_us;
	if (new_request_id(q, r) != 0) {
		decide(q, QD_DROPPED, dev->key, inc->incident_id, NULL,
		       "request not made: no random request id");
		return -1;
	}
	return 0;
}

static void on_closed(struct quarantine *q, const struct quarantine_incident *inc)
{
	struct active *a = find_active(q, inc->dev.key);
	char why[64];

	if (!q->release_on_close)
		return;
	if (a != NULL && a->incident_id == inc->incident_id) {
		snprintf(why, sizeof why, "incident %016" PRIx64 " closed", inc->incident_id);
		release(q, a, q->now_us, why);
		return;
	}
	/* A held request for it would only be released again at once: drop it. */
	for (size_t i = 0; i < q->nheld; i++) {
		struct held *h = held_at(q, i);

		if (h->device_key != inc->dev.key || h->incident_id != inc->incident_id)
			continue;
		decide(q, QD_DROPPED, h->device_key, h->incident_id, NULL,
		       "held request for %s dropped: incident %016" PRIx64 " closed",
		       h->req.mac[0] ? h->req.mac : h->req.addrs, inc->incident_id);
		/* Close the gap in the ring by moving the entries after it forward. */
		free(h);
		for (size_t j = i; j + 1 < q->nheld; j++)
			q->held[(q->held_head + j) % QUARANTINE_HELD_MAX] =
				q->held[(q->held_head + j + 1) % QUARANTINE_HELD_MAX];
		q->held[(q->held_head + q->nheld - 1) % QUARANTINE_HELD_MAX] = NULL;
		q->st.held = --q->nheld;
		return;
	}
}

void quarantine_notify(struct quarantine *q, const struct quarantine_incident *inc)
{
	const struct quarantine_device *dev = &inc->dev;
	const struct allow_entry *ae;
	const struct active *a;
	const char *cause = inc->cause != NULL ? inc->cause : "";
	const char *fallback;
	char label[QREQ_MAC_LEN + 1 + 24], why[QREQ_REASON_MAX + 80];

	if (!q->enabled)
		return;
	quarantine_tick(q, inc->ts);
	if (inc->event == QEV_CLOSED) {
		on_closed(q, inc);
		return;
	}
	snprintf(label, sizeof label, "device %016" PRIx64, dev->key);
	if (dev->has_mac)
		format_mac(dev->mac, label);
	if (!quarantine_cause_allowed(q, cause)) {
		decide(q, QD_REFUSED_CAUSE, dev->key, inc->incident_id, NULL,
		       "%s: cause %s is not in quarantine.causes", label, cause);
		return;
	}
	if (inc->severity < q->min_severity || inc->score < q->min_score) {
		decide(q, QD_REFUSED_SEVERITY, dev->key, inc->incident_id, NULL,
		       "%s: severity %s (score %.2f) is below quarantine.min_severity %s%s", label,
		       ew_severity_name((enum ew_severity)inc->severity), inc->score,
		       ew_severity_name((enum ew_severity)q->min_severity),
		       q->min_score > 0 ? " or the minimum score" : "");
		return;
	}
	ae = quarantine_allowlisted(q, dev);
	if (ae != NULL) {
		decide(q, QD_REFUSED_ALLOWLIST, dev->key, inc->incident_id, NULL,
		       "%s: never quarantined (quarantine.allow %s)", label, ae->text);
		return;
	}
	a = find_active(q, dev->key);
	if (a != NULL || is_held(q, dev->key)) {
		decide(q, QD_REFUSED_ACTIVE, dev->key, inc->incident_id, NULL,
		       "%s: already %s", label,
		       a != NULL ? "quarantined" : "held by the rate limit");
		return;
	}
	if (build_request(q, inc, &fallback) != 0)
		return;
	if (!window_allows(q, inc->ts)) {
		hold(q, &q->req, dev->key, inc->incident_id);
		return;
	}
	snprintf(why, sizeof why, "%s%s", q->req.reason, fallback);
	send_request(q, &q->req, dev->key, inc->incident_id, inc->ts, why);
}

bool quarantine_is_active(const struct quarantine *q, uint64_t device_key)
{
	return find_active(q, device_key) != NULL;
}

const struct quarantine_stats *quarantine_get_stats(const struct quarantine *q)
{
	return &q->st;
}
