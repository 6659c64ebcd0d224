/*
 * gen-scenario.c - runs the scenarios.  smart-home is one site (a home
 * LAN: a router and eleven devices) playing the script in gen-home.c;
 * bench is 256 such sites on different subnets with the heavy flows of
 * gen-bench.c added; flood is gen-flood.c.  benign is one or more sites
 * living for days (gen-benign.c), attacks one such site with the attacks
 * of gen-attack.c after a warm-up.
 *
 * Each script entry becomes an actor of the run (gen-sim.h) that, when
 * due, calls the behaviour its kind names: the LAN's own traffic
 * (gen-lan.c), service discovery (gen-discovery.c), short exchanges with
 * cloud hosts (gen-cloud.c) or a long-lived flow (gen-stream.c).
 */
#include "gen-scenario.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen-attack.h"
#include "gen-bench.h"
#include "gen-benign.h"
#include "gen-cloud.h"
#include "gen-discovery.h"
#include "gen-flood.h"
#include "gen-home.h"
#include "gen-lan.h"
#include "gen-sim.h"
#include "gen-stream.h"
#include "gen-user.h"

/* ------------------------------------------------------------ the script */

/* One script entry bound to a site: its actor. */
struct ev_actor {
	struct actor a;
	struct site *st;
	const struct event_def *def;
};

static void run_event(struct site *st, const struct event_def *e, uint64_t t)
{
	struct device *d = &st->dev[e->dev];

	if (e->kind != EV_JOIN && d->ready_us > t)
		return; /* not on the network yet */
	if ((e->only & ONLY_DAY) && !site_awake(t))
		return;
	switch (e->kind) {
	case EV_JOIN: {
		uint64_t done = dhcp_join(st, d, t);

		if (site_v6(st) && d->def->dual_stack) {
			v6_join(st, d, t + 60 * MS);
			if (done < t + 2500 * MS)
				done = t + 2500 * MS;
		}
		d->ready_us = done;
		break;
	}
	case EV_RENEW: dhcp_renew(st, d, t); break;
	case EV_ARP_REFRESH: arp_refresh(st, t); break;
	case EV_TLS: tls_session(st, d, e->cloud, t, e->arg, 400, 3000); break;
	case EV_HTTP: http_get(st, d, e->cloud, t); break;
	case EV_HUE_POLL: hue_poll(st, d, t); break;
	case EV_NTP: ntp_sync(st, d, e->cloud, t, e->arg == 1); break;
	case EV_RTSP: rtsp_start(st, t, e->arg); break;
	case EV_MDNS_BROWSE: mdns_browse(st, d, t); break;
	case EV_MDNS_ANNOUNCE: mdns_announce(st, d, t); break;
	case EV_SSDP_SEARCH: ssdp_search(st, d, t); break;
	case EV_SSDP_NOTIFY: ssdp_notify(st, d, t); break;
	case EV_PING: icmp_ping(st, d, e->arg == 1, t); break;
	case EV_V6_QUERY: v6_query(st, t); break;
	case EV_KEEPALIVE: keepalive_start(st, d, e->cloud, e->arg, t); break;
	case EV_MQTT: mqtt_start(st, t); break;
	case EV_BULK: bulk_start(st, d, e->cloud, e->arg == 0, t); break;
	case EV_SESSION: session_start(st, d, e->cloud, e->arg, t); break;
	case EV_AUDIO: audio_start(st, d, e->cloud, t); break;
	case EV_USER: user_start(st, d, t); break;
	default: break;
	}
}

static void event_step(struct actor *a, struct sim *sim)
{
	struct ev_actor *ea = (struct ev_actor *)a;
	const struct event_def *e = ea->def;

	(void)sim;
	run_event(ea->st, e, a->next_us);
	if (e->period_ms == 0)
		a->next_us = NEVER;
	else
		a->next_us += (uint64_t)(e->period_ms - e->jitter_ms / 2) * MS +
			      gen_rng_below(&ea->st->rng, e->jitter_ms * 1000 + 1);
}

/* ------------------------------------------------------------ sites */

/* What a site plays: the smart-home script, it with bench's heavy flows,
 * or the long-running script. */
enum site_kind { SITE_HOME, SITE_BENCH, SITE_LIFE };

static void site_add_event(struct site *st, const struct event_def *e, uint64_t phase_us)
{
	struct ev_actor *ea = &st->events[st->n_events++];

	ea->st = st;
	ea->def = e;
	actor_start(st->sim, &ea->a, st->start_us + e->at_ms * MS + phase_us, event_step, false);
}

static int site_init(struct site *st, struct sim *sim, uint32_t index, enum site_kind kind,
		     uint64_t start_us)
{
	const struct event_def *script, *extra[GEN_BENCH_EXTRA];
	/* A long-running site 0 is the smart-home LAN itself; others vary
	 * their subnet and MACs as bench's do. */
	bool varied = kind == SITE_BENCH || (kind == SITE_LIFE && index > 0);
	size_t n;

	script = kind == SITE_LIFE ? benign_script(&n) : home_script(&n);
	memset(st, 0, sizeof(*st));
	st->sim = sim;
	st->index = index;
	st->start_us = start_us;
	gen_rng_seed(&st->rng, sim->opt->seed * 0x2545f4914f6cdd1dULL + index);
	st->net4 = varied ? 0x0a000000u | (index & 0xffff) << 8 : 0xc0a80100u;
	st->prefix6 = 0x20010db800010000ULL | (varied ? index & 0xffff : 0);
	for (int i = 0; i <= DEV_COUNT; i++)
		device_init(st, &st->dev[i], (enum dev_id)i, varied);
	snprintf(st->hue_host, sizeof(st->hue_host), "%u.%u.%u.%u", st->dev[DEV_HUE].ip4.b[0],
		 st->dev[DEV_HUE].ip4.b[1], st->dev[DEV_HUE].ip4.b[2], st->dev[DEV_HUE].ip4.b[3]);
	st->events = calloc(n + GEN_BENCH_EXTRA, sizeof(*st->events));
	if (!st->events)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct event_def *e = &script[i];
		uint64_t phase = 0;

		if (e->kind == EV_JOIN)
			st->dev[e->dev].ready_us = NEVER;
		/* Long-running habits start at a random point of their period. */
		if (kind == SITE_LIFE && e->period_ms > 0)
			phase = gen_rng_below(&st->rng, e->period_ms) * MS;
		if (!(e->only & ONLY_V6) || sim->opt->ipv6)
			site_add_event(st, e, phase);
	}
	if (kind == SITE_BENCH) {
		/* Most bench packets belong to these: video, uploads, music. */
		size_t k = bench_site_events(index, extra);

		for (size_t i = 0; i < k; i++)
			site_add_event(st, extra[i], 0);
	}
	return 0;
}

/* ------------------------------------------------------------ runs */

static int run_sites(const struct gen_options *opt, const struct gen_output *out,
		     enum site_kind kind)
{
	bool bench = kind == SITE_BENCH;
	uint32_t nsites = bench ? GEN_BENCH_SITES : kind == SITE_LIFE && opt->sites ? opt->sites : 1;
	struct site *sites = calloc(nsites, sizeof(*sites));
	struct gen_rng rng;
	struct sim sim;
	int rc = -1;

	if (!sites)
		return -1;
	sim_init(&sim, opt, out, home_device(DEV_ROUTER)->mac);
	gen_rng_seed(&rng, opt->seed);
	if (kind == SITE_HOME)
		sim.end_us = GEN_START_S * SEC + (opt->duration_s ? opt->duration_s : GEN_SMART_HOME_S) * SEC;
	else if (opt->duration_s)
		sim.end_us = GEN_START_S * SEC + opt->duration_s * SEC;
	else if (kind == SITE_LIFE && opt->scenario == GEN_BENIGN)
		sim.end_us = GEN_START_S * SEC + GEN_BENIGN_S * SEC;
	for (uint32_t i = 0; i < nsites; i++) {
		/* Bench sites boot within 20 s of each other, so their DHCP
		 * broadcasts (one shared flow) never pause for 25 s. */
		uint64_t start = GEN_START_S * SEC + (nsites > 1 ? gen_rng_below(&rng, 20 * SEC) : 0);

		if (site_init(&sites[i], &sim, i, kind, start) != 0)
			goto out;
	}
	/* The attacks end the run themselves, a gap after the last one. */
	if (opt->scenario == GEN_ATTACKS && attacks_start(&sites[0], opt) != 0)
		goto out;
	rc = sim_run(&sim);
out:
	for (uint32_t i = 0; i < nsites; i++)
		free(sites[i].events);
	free(sites);
	return rc;
}

double gen_scenario_device_days(const struct gen_options *opt, uint64_t last_us)
{
	uint32_t nsites = opt->sites ? opt->sites : 1;

	if ((opt->scenario != GEN_BENIGN && opt->scenario != GEN_ATTACKS) ||
	    last_us <= GEN_START_S * SEC)
		return 0;
	if (opt->scenario == GEN_ATTACKS)
		nsites = 1;
	_Static_assert(GEN_DEVICES_PER_SITE == DEV_COUNT, "a home's device count");
	return (double)nsites * GEN_DEVICES_PER_SITE * (double)(last_us - GEN_START_S * SEC) /
	       (86400.0 * SEC);
}

enum gen_truth_mode gen_truth_mode_for(enum gen_scenario_kind kind)
{
	if (kind == GEN_FLOOD)
		return GEN_TRUTH_ALL_NEW;
	/* The long runs keep totals only: a flow table of days would grow. */
	return kind == GEN_SMART_HOME ? GEN_TRUTH_FLOWS : GEN_TRUTH_TOTALS;
}

int gen_scenario_from_name(const char *name, enum gen_scenario_kind *kind)
{
	static const char *const names[] = { [GEN_SMART_HOME] = "smart-home", [GEN_FLOOD] = "flood",
					     [GEN_BENCH] = "bench", [GEN_BENIGN] = "benign",
					     [GEN_ATTACKS] = "attacks" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(name, names[i]) == 0) {
			*kind = (enum gen_scenario_kind)i;
			return 0;
		}
	}
	return -1;
}

int gen_scenario_run(const struct gen_options *opt, const struct gen_output *out)
{
	switch (opt->scenario) {
	case GEN_SMART_HOME: return run_sites(opt, out, SITE_HOME);
	case GEN_BENCH: return run_sites(opt, out, SITE_BENCH);
	case GEN_BENIGN:
	case GEN_ATTACKS: return run_sites(opt, out, SITE_LIFE);
	case GEN_FLOOD: return flood_run(opt, out);
	}
	return -1;
}
