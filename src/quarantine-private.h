/*
 * quarantine-private.h - the policy's state, shared by its two parts:
 * quarantine-settings.c (checking and copying the settings, matching
 * causes and the allowlist) and quarantine.c (the decision engine: the
 * active set, the rate limit, held requests, releases).  Nothing else
 * includes it: everyone else goes through quarantine.h.
 */
#ifndef EW_QUARANTINE_PRIVATE_H
#define EW_QUARANTINE_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "quarantine.h"

enum allow_kind { ALLOW_MAC = 0, ALLOW_IP, ALLOW_CLASS, ALLOW_NAME };

struct allow_entry {
	uint8_t kind; /* enum allow_kind */
	uint8_t mac[6];
	struct ew_cidr cidr;
	char *text; /* the whole entry as configured ("class:plc"); owned */
	const char *arg; /* into text, after the prefix */
};

/* A device in the active set: what its release needs. */
struct active {
	uint64_t device_key, incident_id;
	ew_usec_t expires_us;
	char mac[QREQ_MAC_LEN + 1];
	char addrs[QREQ_ADDRS_MAX + 1];
	char cause[QREQ_CAUSE_MAX + 1];
	char request_id[QREQ_REQUEST_ID_HEX + 1];
};

/* A request waiting for the rate limit; req.expires_us is kept from when it was held. */
struct held {
	uint64_t device_key, incident_id;
	struct qreq req;
};

struct quarantine {
	bool enabled, dry_run, release_on_close;
	char sensor_id[QREQ_SENSOR_ID_MAX + 1];
	uint8_t min_severity, action;
	double min_score;
	char **causes;
	size_t ncauses;
	struct allow_entry *allow;
	size_t nallow;
	ew_usec_t ttl_us;
	uint32_t max_per_hour;
	char isolate_allow[QREQ_ALLOW_MAX + 1];
	struct qkey key;

	quarantine_decision_fn fn;
	void *ctx;
	quarantine_random_fn rand_fn;
	void *rand_ctx;

	struct active *active; /* nactive used, grown up to QUARANTINE_ACTIVE_MAX */
	size_t nactive, active_cap;
	struct held *held[QUARANTINE_HELD_MAX]; /* FIFO ring */
	size_t held_head, nheld;
	ew_usec_t *sent; /* ring of the times requests were sent, max_per_hour slots */
	size_t sent_head, nsent;
	ew_usec_t now_us;

	struct quarantine_stats st;
	struct qreq req;        /* scratch: the request being decided */
	struct qreq_argv argv;
};

/*
 * Checks s and copies it into q (zeroed before the call).  -1 with
 * "quarantine.FIELD: problem" in err; what was copied so far is freed by
 * quarantine_settings_free() all the same.
 */
int quarantine_settings_copy(struct quarantine *q, const struct quarantine_settings *s,
			     char *err, size_t errlen);
/* Frees what quarantine_settings_copy() allocated and wipes the key; q itself stays. */
void quarantine_settings_free(struct quarantine *q);

/* Whether some configured cause pattern matches cause. */
bool quarantine_cause_allowed(const struct quarantine *q, const char *cause);
/* The allowlist entry that protects the device, or NULL. */
const struct allow_entry *quarantine_allowlisted(const struct quarantine *q,
						 const struct quarantine_device *dev);

/*
 * Copies n bytes of hostile text into dst (size bytes, NUL-terminated) as
 * printable ASCII, other bytes as \xNN, never cutting an escape in half.
 */
void quarantine_escape(char *dst, size_t size, const char *s, size_t n);

#endif /* EW_QUARANTINE_PRIVATE_H */
