/*
 * enforce.h - the enforcement point's decisions: what to do with one
 * quarantine request as received, and what to report.
 *
 * enforce_decide() takes a stream entry's field/value strings and the
 * current time and returns a decision: the outcome to report (applied,
 * already, released, rejected with its reason) and, unless rejected, the
 * nft script that puts the table in the state the request asks for (see
 * enforce-nft.h).  The caller runs the script, then calls
 * enforce_commit() so the module remembers the request; if the script
 * failed, it does not commit and tries the entry again later.  Nothing
 * here talks to Redis or runs nft, so the logic is tested with a fake
 * clock and the script text.
 *
 * Checks, in the contract's order (docs/redis.md): fields (malformed,
 * unsigned), signature, clock skew (stale), expiry, then the enforcer's
 * own policy (not_allowed: an action it was told not to take, or a
 * time-to-live past its maximum) and replay.  A request id already
 * committed from the same stream entry is a redelivery (the enforcer
 * crashed before XACK): its script is produced again and the outcome is
 * "already"; from any other entry it is a replay.
 *
 * State, both bounded:
 *  - seen request ids, kept until max(expires_us, issued_us + max_skew):
 *    after that the request is stale or expired anyway.  When full, the
 *    entry that ends first is dropped (counted in seen_evicted).  The
 *    caller may add a durable store (seen_lookup) that survives restarts.
 *  - active quarantines, one per device (same MAC or a shared address):
 *    what the table holds for it, so a release removes the allow entries
 *    too and enforce_expire() can report "expired".  When full, the one
 *    that ends first is forgotten (its elements still time out in nft).
 *
 * Memory: struct enforcer owns everything; a decision's script and
 * strings point into it and are valid until the next enforce_decide().
 */
#ifndef EW_ENFORCE_H
#define EW_ENFORCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "quarantine-sign.h"

#define ENFORCE_ENTRY_ID_MAX 48          /* "ms-seq": 20 + 1 + 20 digits */
#define ENFORCE_SEEN_DEFAULT 16384       /* request ids remembered */
#define ENFORCE_ACTIVE_DEFAULT 4096      /* devices quarantined at once */
#define ENFORCE_TTL_MAX_S_DEFAULT (7 * 86400) /* longest quarantine accepted */
#define ENFORCE_ERRLEN 256

/*
 * The durable seen store (optional): the stream entry id that first
 * carried request_id, into entry_id.  1 found, 0 not found, -1 cannot
 * tell now (the decision is then ENFORCE_RETRY).
 */
typedef int (*enforce_seen_lookup_fn)(void *ctx, const char *request_id, char *entry_id,
				      size_t len);

struct enforce_config {
	const char *table;           /* nft table name, e.g. "edgewatch" */
	const struct qkey *key;      /* borrowed; must outlive the enforcer */
	uint64_t max_skew_us;        /* QREQ_MAX_SKEW_US_DEFAULT */
	uint64_t ttl_max_us;         /* longer isolate/restrict: not_allowed */
	unsigned actions_allowed;    /* bits 1 << enum qreq_action; 0 means all */
	size_t seen_max, active_max; /* 0: the defaults */
	enforce_seen_lookup_fn seen_lookup; /* may be NULL */
	void *seen_ctx;
};

enum enforce_verdict {
	ENFORCE_REPORT, /* report d->outcome; run d->script first if set */
	ENFORCE_RETRY,  /* no decision now (durable store unreachable): keep the entry pending */
	ENFORCE_SKIP,   /* not a request at all (no fields): acknowledge, report nothing */
};

struct enforce_decision {
	enum enforce_verdict verdict;
	enum qreq_outcome outcome;
	enum qreq_reject detail;         /* QREQ_REJ_NONE unless rejected */
	char request_id[QREQ_REQUEST_ID_HEX + 1]; /* "" when the entry had none we can trust */
	const char *script;              /* NULL: nothing to change */
	size_t script_len;
	uint64_t keep_until_us;          /* how long the request id must stay seen */
	char why[ENFORCE_ERRLEN];        /* for the log: which field, and why */
};

struct enforce_stats {
	uint64_t decided, rejected, applied, released, already, expired;
	uint64_t seen_evicted, active_evicted;
	size_t seen_count, active_count;
};

struct enforcer;

/* NULL with a message in err on a bad table name or no memory. */
struct enforcer *enforce_new(const struct enforce_config *c, char *err, size_t errlen);
void enforce_free(struct enforcer *e);

/*
 * Decides on one entry: str/len hold n strings, field/value alternating
 * (values may be any bytes), entry_id its stream id.  Always fills *d.
 */
void enforce_decide(struct enforcer *e, const char *const *str, const size_t *len, size_t n,
		    const char *entry_id, uint64_t now_us, struct enforce_decision *d);

/*
 * Records the request of the last decision as done (its script ran, or
 * in dry-run mode would have): seen from its entry, and the device's
 * quarantine started or ended.  Does nothing for rejections; only valid
 * before the next enforce_decide().  With track false (dry run) only the
 * request id is remembered, not the table's state.
 */
void enforce_commit(struct enforcer *e, bool track);

/*
 * Reports ("expired", request id) each quarantine whose time ended at or
 * before now_us, and forgets it.  Returns how many were reported.
 */
typedef void (*enforce_expired_fn)(void *ctx, const char *request_id);
size_t enforce_expire(struct enforcer *e, uint64_t now_us, enforce_expired_fn fn, void *ctx);

void enforce_get_stats(const struct enforcer *e, struct enforce_stats *out);

#endif /* EW_ENFORCE_H */
