/*
 * engine-policy.h - the segmentation policy in the engine: every flow is
 * judged at its start (policy.h) and a violation is a `policy:<rule>`
 * incident on the client device, written as an `alert` event; the flows
 * can also be learned, to export a starting policy at the end of a run.
 *
 * Ownership: the policy handed to engine_set_policy() is borrowed and
 * must outlive its use (until the next call or engine_destroy()); the
 * learned set and the fallback zoning are the engine's.
 */
#ifndef EW_ENGINE_POLICY_H
#define EW_ENGINE_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "policy.h"

struct engine_policy_stats {
	bool enforced;           /* a policy is in force */
	uint64_t flows_checked;  /* flows judged against a policy */
	/*
	 * Violations, all kinds together and by kind: a flow a rule denied,
	 * one the default denied, one outside the MUD profile of its
	 * client's class (from-device) or of its server's (to-device).  One
	 * flow may break the rules and both profiles: it counts in each kind.
	 */
	uint64_t violations;
	uint64_t denied_rule, denied_default, mud_from_device, mud_to_device;
	uint32_t mud_unsupported_aces; /* ACEs of the policy's MUD files skipped as unsupported */
};

/* The policy to enforce (borrowed); NULL: none.  -1 when out of memory. */
int engine_set_policy(struct engine *e, const struct policy *p);

/*
 * Record each flow's (class, zones, protocol, port) tuple, at most cap
 * of them, for engine_export_policy().  -1 when out of memory.
 */
int engine_policy_learn(struct engine *e, uint32_t cap);

/* policy_export() with the policy in force, else one zone per home network. */
int engine_export_policy(const struct engine *e, const char *path, char *err, size_t errlen);

/* Zeroes (enforced false) when no policy is in force. */
void engine_policy_get_stats(const struct engine *e, struct engine_policy_stats *out);

/* engine_destroy()'s part: frees the engine's policy state. */
void engine_policy_free(struct engine *e);

#endif /* EW_ENGINE_POLICY_H */
