/*
 * gen-sim.c - the actor heap and the run loop.
 */
#include "gen-sim.h"

#include <stdlib.h>
#include <string.h>

static bool actor_before(const struct actor *a, const struct actor *b)
{
	return a->next_us < b->next_us || (a->next_us == b->next_us && a->id < b->id);
}

static int actor_push(struct sim *sim, struct actor *a)
{
	size_t i;

	if (sim->n_actors == sim->cap_actors) {
		size_t cap = sim->cap_actors ? sim->cap_actors * 2 : 256;
		struct actor **h = realloc(sim->heap, cap * sizeof(*h));

		if (!h)
			return -1;
		sim->heap = h;
		sim->cap_actors = cap;
	}
	for (i = sim->n_actors++; i > 0; i = (i - 1) / 2) {
		struct actor *parent = sim->heap[(i - 1) / 2];

		if (!actor_before(a, parent))
			break;
		sim->heap[i] = parent;
	}
	sim->heap[i] = a;
	return 0;
}

static struct actor *actor_pop(struct sim *sim)
{
	struct actor *top = sim->heap[0], *last = sim->heap[--sim->n_actors];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= sim->n_actors)
			break;
		if (c + 1 < sim->n_actors && actor_before(sim->heap[c + 1], sim->heap[c]))
			c++;
		if (!actor_before(sim->heap[c], last))
			break;
		sim->heap[i] = sim->heap[c];
		i = c;
	}
	if (sim->n_actors > 0)
		sim->heap[i] = last;
	return top;
}

void actor_start(struct sim *sim, struct actor *a, uint64_t at_us,
		 void (*step)(struct actor *, struct sim *), bool owned)
{
	a->next_us = at_us;
	a->id = sim->next_id++;
	a->step = step;
	a->owned = owned;
	if (actor_push(sim, a) != 0) {
		sim->failed = true;
		if (owned)
			free(a);
	}
}

static void sim_emit(void *ctx, uint64_t ts_us, const uint8_t *frame, size_t len,
		     const struct gen_meta *meta)
{
	struct sim *sim = ctx;

	sim->out->frame(sim->out->ctx, ts_us, frame, len, meta);
}

void sim_init(struct sim *sim, const struct gen_options *opt, const struct gen_output *out,
	      const uint8_t local_mac[6])
{
	memset(sim, 0, sizeof(*sim));
	sim->opt = opt;
	sim->out = out;
	sim->sink.emit = sim_emit;
	sim->sink.ctx = sim;
	sim->sink.link = opt->link;
	sim->sink.null_le = opt->null_le;
	memcpy(sim->sink.local_mac, local_mac, 6);
	sim->end_us = NEVER;
}

int sim_run(struct sim *sim)
{
	int stop = 0;

	while (!stop && !sim->failed && sim->n_actors > 0) {
		struct actor *a = sim->heap[0];

		if (a->next_us >= sim->end_us)
			break;
		stop = sim->out->horizon(sim->out->ctx, a->next_us);
		if (stop)
			break;
		actor_pop(sim);
		a->step(a, sim);
		if (a->next_us != NEVER) {
			if (actor_push(sim, a) != 0)
				sim->failed = true;
		} else if (a->owned) {
			free(a);
		}
	}
	while (sim->n_actors > 0) {
		struct actor *a = actor_pop(sim);

		if (a->owned)
			free(a);
	}
	free(sim->heap);
	sim->heap = NULL;
	if (!stop)
		stop = sim->out->horizon(sim->out->ctx, NEVER);
	return sim->failed || stop < 0 ? -1 : 0;
}
