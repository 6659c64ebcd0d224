/*
 * quarantine.h - the quarantine policy: which incidents ask enforcement
 * points to cut a device off, and when to let it back.
 *
 * The engine tells this module about incidents (opened, escalated,
 * closed) and the passing of packet time; the module answers with
 * decisions through a callback: a signed request to XADD, a release to
 * XADD, a request held by the rate limit, a dry-run "would have sent", or
 * a refusal (allowlisted device, severity or score too low, cause not
 * allowed, device already quarantined, a table full).  Every decision
 * carries a one-line reason the engine can log or turn into an alert.
 *
 * The module owns:
 *   - the set of active quarantines (at most QUARANTINE_ACTIVE_MAX; a
 *     full set refuses new ones rather than forget one whose release
 *     would then never be sent), each released when its TTL ends or, if
 *     configured, when the incident that asked for it closes;
 *   - the hourly rate limit: a sliding window of the requests sent in the
 *     last hour; a request beyond max_per_hour is held (at most
 *     QUARANTINE_HELD_MAX, oldest first) and sent when the window allows,
 *     unless its would-be expiry passes first.  Releases are never held:
 *     letting a device back must not wait.
 *
 * Time is always the caller's (packet time), so an offline run gives the
 * same decisions every time; only request ids are random (getrandom),
 * and tests replace that source with quarantine_set_random().
 *
 * Dry run: the module decides exactly as it would (active set, rate
 * limit, expiry) but every request or release is reported as
 * QD_WOULD_SEND and nothing is to be sent.
 *
 * Memory: quarantine_create() copies everything it keeps from the
 * settings; the caller's strings may be freed afterwards.  The pointers
 * in a decision are valid only during the callback.  Nothing is printed.
 */
#ifndef EW_QUARANTINE_H
#define EW_QUARANTINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "incident.h"
#include "packet.h"
#include "quarantine-sign.h"
#include "util-cidr.h"

#define QUARANTINE_ACTIVE_MAX 1024   /* devices quarantined at once */
#define QUARANTINE_HELD_MAX 256      /* requests waiting for the rate limit */
#define QUARANTINE_ALLOW_MAX 256     /* allowlist entries */
#define QUARANTINE_CAUSES_MAX 256    /* cause patterns */
#define QUARANTINE_PER_HOUR_MAX 10000 /* a larger max_per_hour is a configuration error */
#define QUARANTINE_WINDOW_US (3600 * EW_USEC_PER_SEC) /* the rate limit's window */
#define QUARANTINE_TTL_S_MAX (30 * 86400) /* a longer TTL is a configuration error */

/*
 * The settings, as conf.c reads them (quarantine.* and
 * network.dns_servers).  Strings and lists are borrowed for the
 * duration of quarantine_create() only.
 */
struct quarantine_settings {
	bool enabled;              /* quarantine.enabled: false -> notifications are ignored */
	bool dry_run;              /* quarantine.dry_run */
	const char *sensor_id;     /* quarantine.sensor_id: 1..64 of [A-Za-z0-9._-] */
	uint8_t min_severity;      /* quarantine.min_severity: enum ew_severity */
	double min_score;          /* score the incident must reach as well; 0: any (no config key yet) */
	/* quarantine.causes: "anomaly", rule ids, or globs ("arp-*", "*"); none: nothing qualifies. */
	const char *const *causes;
	size_t ncauses;
	uint8_t action;            /* quarantine.action: QREQ_ISOLATE or QREQ_RESTRICT */
	uint32_t ttl_s;            /* quarantine.ttl: 1..QUARANTINE_TTL_S_MAX */
	bool release_on_close;     /* quarantine.release_on_close */
	/* quarantine.allow: "mac:aa:bb:cc:dd:ee:ff", "ip:CIDR", "class:NAME", "name:GLOB". */
	const char *const *allow;
	size_t nallow;
	uint32_t max_per_hour;     /* quarantine.max_per_hour: 0 sends none (all held, then dropped) */
	/* network.dns_servers: isolate lets the device reach each host block on udp/53 and udp/67. */
	const struct ew_cidr_list *dns_servers;
	const struct qkey *key;    /* read from quarantine.key_file; copied */
};

/* A device as the engine knows it when its incident changes. */
struct quarantine_device {
	uint64_t key;              /* incident device_key: the identity in the active set */
	bool has_mac;
	uint8_t mac[6];
	const struct ew_addr *addrs; /* its addresses; at least one is needed for a request */
	size_t naddrs;
	const char *class_name;    /* "" or NULL: unclassified */
	const char *name;          /* "" or NULL: no name known (DHCP host name, mDNS, ...) */
};

enum quarantine_event { QEV_OPENED = 0, QEV_ESCALATED, QEV_CLOSED };

/* One incident notification. */
struct quarantine_incident {
	enum quarantine_event event;
	struct quarantine_device dev;
	uint64_t incident_id;
	const char *cause;         /* "anomaly" or the rule id */
	uint8_t severity;          /* enum ew_severity */
	double score;
	ew_usec_t ts;              /* packet time */
	/*
	 * For restrict: the device's baseline destinations, "tcp/198.51.100.20/443";
	 * entries that do not parse are skipped and counted.  Ignored for isolate.
	 */
	const char *const *dests;
	size_t ndests;
};

enum quarantine_decision_kind {
	QD_SEND = 0,           /* a request (isolate/restrict) to XADD */
	QD_RELEASE,            /* a release to XADD (TTL ended, incident closed) */
	QD_WOULD_SEND,         /* dry run: req is what would have been sent */
	QD_HELD,               /* over the rate limit: held, sent later (an alert should say so) */
	QD_REFUSED_ALLOWLIST,  /* the device is on the allowlist */
	QD_REFUSED_SEVERITY,   /* below min_severity or min_score */
	QD_REFUSED_CAUSE,      /* the cause is not in the list */
	QD_REFUSED_ACTIVE,     /* already quarantined or held: no duplicate request */
	QD_DROPPED,            /* could not be made or kept: no address, table or queue full,
				  expired while held, no random id */
	QD_KIND_COUNT
};

/* "send", "release", "would_send", "held", "refused_allowlist", ... */
const char *quarantine_decision_name(enum quarantine_decision_kind k);

#define QUARANTINE_REASON_MAX 320 /* bytes of a decision's reason, NUL included */

struct quarantine_decision {
	enum quarantine_decision_kind kind;
	bool dry_run;
	uint64_t device_key;
	uint64_t incident_id;          /* 0 for none */
	/* SEND, RELEASE, WOULD_SEND, HELD: the signed request (held: as it stands now). */
	const struct qreq *req;
	const struct qreq_argv *argv;  /* SEND, RELEASE: field/value pairs for XADD; else NULL */
	const char *reason;            /* one line, no control bytes */
};

typedef void (*quarantine_decision_fn)(void *ctx, const struct quarantine_decision *d);

/* Source of request ids: fills 16 bytes; 0 or -1. */
typedef int (*quarantine_random_fn)(void *ctx, uint8_t out[16]);

struct quarantine_stats {
	uint64_t decisions[QD_KIND_COUNT];
	uint64_t dests_skipped;    /* restrict destinations that did not parse or fit */
	uint64_t active, peak_active, held, peak_held;
};

struct quarantine;

/*
 * Checks and copies the settings.  NULL with "quarantine.FIELD: problem"
 * in err on a bad setting (unknown action, allow entry that does not
 * parse, bad sensor id, TTL out of range, key shorter than
 * QKEY_MIN_BYTES, or no key while enabled and not a dry run) or
 * allocation failure.
 */
struct quarantine *quarantine_create(const struct quarantine_settings *s,
				     quarantine_decision_fn fn, void *ctx, char *err,
				     size_t errlen);
void quarantine_destroy(struct quarantine *q); /* accepts NULL; sends no releases */

/* Replaces getrandom() as the source of request ids (tests). */
void quarantine_set_random(struct quarantine *q, quarantine_random_fn fn, void *ctx);

/*
 * One incident notification.  Before deciding on it, the module acts on
 * the passage of time up to inc->ts (quarantine_tick).  Decisions are
 * reported through the callback before this returns.
 */
void quarantine_notify(struct quarantine *q, const struct quarantine_incident *inc);

/*
 * Packet time moved to now: releases quarantines whose TTL ended and
 * sends held requests the window now allows (dropping those whose expiry
 * passed).  Call it as packet time advances (the engine's housekeeping).
 * Time never runs backwards here: an earlier now is taken as the latest
 * seen.
 */
void quarantine_tick(struct quarantine *q, ew_usec_t now);

/* Whether the device is in the active set (tests, the engine's output). */
bool quarantine_is_active(const struct quarantine *q, uint64_t device_key);

const struct quarantine_stats *quarantine_get_stats(const struct quarantine *q);

#endif /* EW_QUARANTINE_H */
