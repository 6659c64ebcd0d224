/*
 * enforce.c - the enforcement point's decisions (see enforce.h).
 *
 * Verification of the fields and the signature is quarantine-sign.c's;
 * this file adds what only an enforcer knows: its clock, its policy, the
 * request ids it has acted on and what its table holds per device.  Both
 * tables are small arrays searched linearly: at a few requests an hour
 * a scan of some thousand entries costs nothing, and there is no hash to
 * attack.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enforce-nft.h"
#include "enforce.h"

struct seen_entry {
	char request_id[QREQ_REQUEST_ID_HEX + 1];
	char entry_id[ENFORCE_ENTRY_ID_MAX];
	uint64_t keep_until_us;
};

struct active_entry {
	char request_id[QREQ_REQUEST_ID_HEX + 1];
	uint64_t expires_us;
	struct enft_target target;
};

/* What enforce_commit() records: the last decision that carries a script. */
struct pending {
	bool valid;
	bool release;
	bool already; /* a redelivery of a request already committed */
	char request_id[QREQ_REQUEST_ID_HEX + 1];
	char entry_id[ENFORCE_ENTRY_ID_MAX];
	uint64_t keep_until_us, expires_us, now_us;
	struct enft_target target;
};

struct enforcer {
	char table[ENFT_TABLE_MAX + 1];
	const struct qkey *key;
	uint64_t max_skew_us, ttl_max_us;
	unsigned actions_allowed;
	enforce_seen_lookup_fn seen_lookup;
	void *seen_ctx;

	struct seen_entry *seen;
	size_t seen_n, seen_max;
	struct active_entry **active;
	size_t active_n, active_max;

	struct qreq req;      /* the request being decided */
	struct pending pending;
	struct enft_buf script;
	struct enforce_stats stats;
};

/* ------------------------------------------------------------ life cycle */

struct enforcer *enforce_new(const struct enforce_config *c, char *err, size_t errlen)
{
	struct enforcer *e = NULL;

	if (!c->table || !enft_table_name_valid(c->table)) {
		snprintf(err, errlen, "table: not a valid nft table name");
		return NULL;
	}
	if (!c->key) {
		snprintf(err, errlen, "no key");
		return NULL;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		goto fail;
	snprintf(e->table, sizeof(e->table), "%s", c->table);
	e->key = c->key;
	e->max_skew_us = c->max_skew_us;
	e->ttl_max_us = c->ttl_max_us ? c->ttl_max_us : ENFORCE_TTL_MAX_S_DEFAULT * EW_USEC_PER_SEC;
	e->actions_allowed = c->actions_allowed ? c->actions_allowed : (1u << QREQ_ACTION_COUNT) - 1;
	e->seen_lookup = c->seen_lookup;
	e->seen_ctx = c->seen_ctx;
	e->seen_max = c->seen_max ? c->seen_max : ENFORCE_SEEN_DEFAULT;
	e->active_max = c->active_max ? c->active_max : ENFORCE_ACTIVE_DEFAULT;
	e->seen = calloc(e->seen_max, sizeof(*e->seen));
	e->active = calloc(e->active_max, sizeof(*e->active));
	if (!e->seen || !e->active)
		goto fail;
	return e;
fail:
	snprintf(err, errlen, "out of memory");
	enforce_free(e);
	return NULL;
}

void enforce_free(struct enforcer *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->active_n; i++)
		free(e->active[i]);
	free(e->active);
	free(e->seen);
	enft_buf_free(&e->script);
	free(e);
}

void enforce_get_stats(const struct enforcer *e, struct enforce_stats *out)
{
	*out = e->stats;
	out->seen_count = e->seen_n;
	out->active_count = e->active_n;
}

/* ------------------------------------------------------------ seen request ids */

static const struct seen_entry *seen_find(const struct enforcer *e, const char *request_id,
					  uint64_t now_us)
{
	for (size_t i = 0; i < e->seen_n; i++)
		if (e->seen[i].keep_until_us >= now_us &&
		    strcmp(e->seen[i].request_id, request_id) == 0)
			return &e->seen[i];
	return NULL;
}

static void seen_add(struct enforcer *e, const struct pending *p)
{
	struct seen_entry *slot = NULL;

	for (size_t i = 0; i < e->seen_n && !slot; i++)
		if (strcmp(e->seen[i].request_id, p->request_id) == 0 ||
		    e->seen[i].keep_until_us < p->now_us)
			slot = &e->seen[i]; /* the same id again, or a dead entry to reuse */
	if (!slot && e->seen_n < e->seen_max)
		slot = &e->seen[e->seen_n++];
	if (!slot) {
		/* Full of live ids: drop the one that ends first, and count it. */
		slot = &e->seen[0];
		for (size_t i = 1; i < e->seen_n; i++)
			if (e->seen[i].keep_until_us < slot->keep_until_us)
				slot = &e->seen[i];
		e->stats.seen_evicted++;
	}
	memcpy(slot->request_id, p->request_id, sizeof(slot->request_id));
	memcpy(slot->entry_id, p->entry_id, sizeof(slot->entry_id));
	slot->keep_until_us = p->keep_until_us;
}

/* ------------------------------------------------------------ active quarantines */

static size_t active_find(const struct enforcer *e, const struct enft_target *t)
{
	for (size_t i = 0; i < e->active_n; i++)
		if (enft_target_overlaps(&e->active[i]->target, t))
			return i;
	return SIZE_MAX;
}

static void active_remove(struct enforcer *e, size_t i)
{
	free(e->active[i]);
	e->active[i] = e->active[--e->active_n];
}

static void active_set(struct enforcer *e, const struct pending *p)
{
	size_t i = active_find(e, &p->target);
	struct active_entry *a;

	if (i != SIZE_MAX) {
		a = e->active[i];
	} else {
		if (e->active_n == e->active_max) {
			size_t first = 0;
			for (size_t k = 1; k < e->active_n; k++)
				if (e->active[k]->expires_us < e->active[first]->expires_us)
					first = k;
			active_remove(e, first);
			e->stats.active_evicted++;
		}
		a = malloc(sizeof(*a));
		if (!a)
			return; /* only the "expired" report and old allow entries are lost */
		e->active[e->active_n++] = a;
	}
	memcpy(a->request_id, p->request_id, sizeof(a->request_id));
	a->expires_us = p->expires_us;
	a->target = p->target;
}

size_t enforce_expire(struct enforcer *e, uint64_t now_us, enforce_expired_fn fn, void *ctx)
{
	size_t n = 0;

	for (size_t i = 0; i < e->active_n;) {
		if (e->active[i]->expires_us > now_us) {
			i++;
			continue;
		}
		if (fn)
			fn(ctx, e->active[i]->request_id);
		active_remove(e, i);
		e->stats.expired++;
		n++;
	}
	return n;
}

/* ------------------------------------------------------------ decisions */

static void reject(struct enforcer *e, struct enforce_decision *d, enum qreq_reject why)
{
	d->verdict = ENFORCE_REPORT;
	d->outcome = QREQ_OUT_REJECTED;
	d->detail = why;
	e->stats.rejected++;
}

/*
 * The request id of an entry that failed to parse, for the report: only
 * if it has the contract's shape, so a report never echoes junk.
 */
static void raw_request_id(const char *const *str, const size_t *len, size_t n, char *out)
{
	out[0] = '\0';
	for (size_t i = 0; i + 1 < n; i += 2) {
		if (len[i] != 10 || memcmp(str[i], "request_id", 10) != 0)
			continue;
		if (len[i + 1] != QREQ_REQUEST_ID_HEX)
			return;
		for (size_t k = 0; k < QREQ_REQUEST_ID_HEX; k++) {
			char c = str[i + 1][k];
			if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
				return;
		}
		memcpy(out, str[i + 1], QREQ_REQUEST_ID_HEX);
		out[QREQ_REQUEST_ID_HEX] = '\0';
		return;
	}
}

static int hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* The binary device of a validated request; -1 if a list does not parse after all. */
static int target_from(const struct qreq *r, struct enft_target *t)
{
	struct qreq_dest d;
	size_t pos = 0;
	int rc;

	memset(t, 0, sizeof(*t));
	if (r->mac[0]) {
		if (!qreq_mac_valid(r->mac, strlen(r->mac)))
			return -1;
		for (int i = 0; i < 6; i++)
			t->mac[i] = (uint8_t)(hex_nibble(r->mac[3 * i]) << 4 |
					      hex_nibble(r->mac[3 * i + 1]));
		t->has_mac = true;
	}
	while ((rc = qreq_addrs_next(r->addrs, &pos, &d)) == 1) {
		if (t->n_addrs == QREQ_ADDRS_ENTRIES_MAX)
			return -1;
		t->addrs[t->n_addrs++] = d.addr;
	}
	if (rc < 0 || t->n_addrs == 0)
		return -1;
	pos = 0;
	while ((rc = qreq_allow_next(r->allow, &pos, &d)) == 1) {
		if (t->n_allow == QREQ_ALLOW_ENTRIES_MAX)
			return -1;
		t->allow[t->n_allow++] = d;
	}
	return rc < 0 ? -1 : 0;
}

/*
 * Whether the request id was acted on already: 1 from this same entry
 * (a redelivery), 2 from another (a replay), 0 never, -1 cannot tell.
 */
static int seen_state(struct enforcer *e, const char *entry_id, uint64_t now_us)
{
	const struct seen_entry *s = seen_find(e, e->req.request_id, now_us);
	char other[ENFORCE_ENTRY_ID_MAX];

	if (s)
		return strcmp(s->entry_id, entry_id) == 0 ? 1 : 2;
	if (!e->seen_lookup)
		return 0;
	int rc = e->seen_lookup(e->seen_ctx, e->req.request_id, other, sizeof(other));
	if (rc <= 0)
		return rc;
	other[sizeof(other) - 1] = '\0';
	return strcmp(other, entry_id) == 0 ? 1 : 2;
}

static void make_script(struct enforcer *e, struct enforce_decision *d, uint64_t now_us)
{
	struct pending *p = &e->pending;
	size_t i = active_find(e, &p->target);
	const struct enft_target *old = i == SIZE_MAX ? NULL : &e->active[i]->target;
	int rc;

	enft_buf_reset(&e->script);
	if (p->release) {
		rc = enft_script_release(&e->script, e->table, old, &p->target);
	} else {
		/* Rounded up to the millisecond: never shorter than asked. */
		uint64_t timeout_ms = (p->expires_us - now_us + 999) / 1000;
		rc = enft_script_apply(&e->script, e->table, old, &p->target, timeout_ms);
	}
	if (rc < 0) {
		snprintf(d->why, sizeof(d->why), "the nft script would pass %u bytes",
			 ENFT_SCRIPT_MAX);
		p->valid = false;
		reject(e, d, QREQ_REJ_MALFORMED);
		return;
	}
	d->script = e->script.text;
	d->script_len = e->script.len;
}

void enforce_decide(struct enforcer *e, const char *const *str, const size_t *len, size_t n,
		    const char *entry_id, uint64_t now_us, struct enforce_decision *d)
{
	struct qreq *r = &e->req;
	struct pending *p = &e->pending;
	enum qreq_reject rej;

	memset(d, 0, sizeof(*d));
	p->valid = false;
	if (n == 0) {
		d->verdict = ENFORCE_SKIP; /* an entry deleted from the stream before we read it */
		return;
	}
	e->stats.decided++;
	rej = qreq_parse(str, len, n, r, d->why, sizeof(d->why));
	if (rej != QREQ_REJ_NONE) {
		raw_request_id(str, len, n, d->request_id);
		reject(e, d, rej);
		return;
	}
	memcpy(d->request_id, r->request_id, sizeof(d->request_id));
	rej = qreq_check(r, e->key, now_us, e->max_skew_us);
	if (rej != QREQ_REJ_NONE) {
		snprintf(d->why, sizeof(d->why), "%s", qreq_reject_name(rej));
		reject(e, d, rej);
		return;
	}
	bool release = r->action == QREQ_RELEASE;
	if (!(e->actions_allowed & (1u << r->action))) {
		snprintf(d->why, sizeof(d->why), "action %s is not allowed here",
			 qreq_action_name(r->action));
		reject(e, d, QREQ_REJ_NOT_ALLOWED);
		return;
	}
	if (!release && r->expires_us - now_us > e->ttl_max_us) {
		snprintf(d->why, sizeof(d->why), "time to live %llu s is past the maximum %llu s",
			 (unsigned long long)((r->expires_us - now_us) / EW_USEC_PER_SEC),
			 (unsigned long long)(e->ttl_max_us / EW_USEC_PER_SEC));
		reject(e, d, QREQ_REJ_NOT_ALLOWED);
		return;
	}
	int seen = seen_state(e, entry_id, now_us);
	if (seen < 0) {
		d->verdict = ENFORCE_RETRY;
		snprintf(d->why, sizeof(d->why), "cannot tell whether the request was seen");
		return;
	}
	if (seen == 2) {
		snprintf(d->why, sizeof(d->why), "request id seen before in another entry");
		reject(e, d, QREQ_REJ_REPLAY);
		return;
	}
	if (target_from(r, &p->target) < 0) {
		snprintf(d->why, sizeof(d->why), "addrs or allow does not parse");
		reject(e, d, QREQ_REJ_MALFORMED);
		return;
	}
	p->valid = true;
	p->release = release;
	p->already = seen == 1;
	memcpy(p->request_id, r->request_id, sizeof(p->request_id));
	snprintf(p->entry_id, sizeof(p->entry_id), "%s", entry_id);
	p->expires_us = r->expires_us;
	p->now_us = now_us;
	p->keep_until_us = r->issued_us + e->max_skew_us;
	if (r->expires_us > p->keep_until_us)
		p->keep_until_us = r->expires_us;
	d->keep_until_us = p->keep_until_us;
	d->verdict = ENFORCE_REPORT;
	d->outcome = seen == 1 ? QREQ_OUT_ALREADY : release ? QREQ_OUT_RELEASED : QREQ_OUT_APPLIED;
	make_script(e, d, now_us);
}

void enforce_commit(struct enforcer *e, bool track)
{
	struct pending *p = &e->pending;

	if (!p->valid)
		return;
	p->valid = false;
	seen_add(e, p);
	if (track) {
		if (p->release) {
			size_t i;
			/* Every record the release touched: a device may have had two. */
			while ((i = active_find(e, &p->target)) != SIZE_MAX)
				active_remove(e, i);
		} else {
			active_set(e, p);
		}
	}
	if (p->already)
		e->stats.already++;
	else if (p->release)
		e->stats.released++;
	else
		e->stats.applied++;
}
