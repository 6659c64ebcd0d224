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

#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "policy.h"

struct engine_policy_stats {
	uint64_t flows_checked;  /* flows judged against a policy */
	uint64_t violations;     /* flows the policy denied */
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

/* Zeroes when the policy is off. */
void engine_policy_get_stats(const struct engine *e, struct engine_policy_stats *out);

/* engine_destroy()'s part: frees the engine's policy state. */
void engine_policy_free(struct engine *e);

#endif /* EW_ENGINE_POLICY_H */
