/*
 * gen-sim.h - the scheduler that plays a scenario in simulated time.
 *
 * Each thing a scenario does is an actor with a next-event time; the run
 * steps actors in time order, and a step may emit a whole short exchange
 * (a DNS lookup, a TLS session) whose frames reach a few seconds into the
 * future.  Before an actor runs at time T the output is told that nothing
 * earlier than T will follow, so it can write its sorted frames with
 * bounded memory.  Long-lived flows are actors that emit one step at a
 * time, so a run goes on as long as asked in constant space.  Equal times
 * are broken by start order, so a run is deterministic.
 */
#ifndef EW_GEN_SIM_H
#define EW_GEN_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gen-build.h"
#include "gen-scenario.h"

/* Simulated time is in microseconds since the Unix epoch. */
#define MS 1000ULL
#define SEC 1000000ULL
#define NEVER UINT64_MAX /* the time of an actor that has finished */

struct sim;

/* The first member of each actor type, which its step() casts back. */
struct actor {
	uint64_t next_us; /* NEVER when finished */
	uint32_t id;      /* breaks ties between equal times, for determinism */
	void (*step)(struct actor *a, struct sim *sim);
	bool owned;       /* freed by the engine when finished */
};

/* One run: its options, its output and the actors still to step. */
struct sim {
	const struct gen_options *opt;
	const struct gen_output *out;
	struct gen_sink sink;
	struct actor **heap;
	size_t n_actors, cap_actors;
	uint32_t next_id;
	uint64_t end_us;
	bool failed;
};

/* Frames built on sim->sink go to out; local_mac is the capturing host's,
 * for the SLL packet types. */
void sim_init(struct sim *sim, const struct gen_options *opt, const struct gen_output *out,
	      const uint8_t local_mac[6]);
/* Schedules a to step first at at_us.  An owned actor is freed by the
 * engine once finished or at the end of the run.  If it cannot be
 * scheduled, sim->failed is set (and an owned a freed). */
void actor_start(struct sim *sim, struct actor *a, uint64_t at_us,
		 void (*step)(struct actor *, struct sim *), bool owned);
/* Steps actors in time order until none is left before end_us, then
 * flushes the output with a final horizon.  Returns 0 or -1. */
int sim_run(struct sim *sim);

#endif /* EW_GEN_SIM_H */
