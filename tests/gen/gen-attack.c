/*
 * gen-attack.c - plays the attacks one after another on a long-running
 * site and labels each: the attack table, the run actor, and the sink
 * wrapper that notes the first and last frame an attack emits.
 *
 * The steps themselves are in gen-attack-scan.c (scans, flood, ARP
 * spoofing) and gen-attack-conn.c (connections: brute force, C2, DNS
 * tunnel, exfiltration, a new service).
 */
#include "gen-attack-private.h"

#include <stdlib.h>
#include <string.h>

static const struct attack_def attack_defs[ATTACK_COUNT] = {
	[ATTACK_MIRAI_SCAN] = { "mirai_scan", DEV_CAMERA, 60, 180, mirai_scan_step },
	[ATTACK_TELNET_BRUTEFORCE] = { "telnet_bruteforce", DEV_CAMERA, 60, 180,
				       telnet_bruteforce_step },
	[ATTACK_C2_BEACON] = { "c2_beacon", DEV_PLUG, 60, 180, c2_beacon_step },
	[ATTACK_DNS_TUNNEL] = { "dns_tunnel", DEV_HUE, 60, 180, dns_tunnel_step },
	/* Long enough to move 50-200 MB at a home uplink's pace. */
	[ATTACK_EXFILTRATION] = { "exfiltration", DEV_HASS, 120, 180, exfiltration_step },
	[ATTACK_UDP_FLOOD] = { "udp_flood", DEV_SHELLY, 60, 60, udp_flood_step },
	[ATTACK_ARP_SPOOF] = { "arp_spoof", DEV_PRINTER, 60, 180, arp_spoof_step },
	[ATTACK_LATERAL_SCAN] = { "lateral_scan", DEV_ECHO, 60, 180, lateral_scan_step },
	[ATTACK_NEW_SERVICE] = { "new_service", DEV_NEST, 60, 180, new_service_step },
};

int attack_from_name(const char *name, enum attack_id *id)
{
	for (int i = 0; i < ATTACK_COUNT; i++) {
		if (strcmp(name, attack_defs[i].name) == 0) {
			*id = (enum attack_id)i;
			return 0;
		}
	}
	return -1;
}

const char *attack_name(enum attack_id id)
{
	return id < ATTACK_COUNT ? attack_defs[id].name : "?";
}

/* ------------------------------------------------------------ helpers */

struct device *attack_device(struct attack_run *run)
{
	return &run->st->dev[attack_defs[run->order[run->cur]].dev];
}

void attack_peer_external(struct peer *p, struct site *st, uint32_t ip4, uint16_t rtt_ms,
			  uint8_t ttl, uint8_t tcp)
{
	memset(p, 0, sizeof(*p));
	gen_addr4(&p->addr, ip4);
	memcpy(p->mac, st->dev[DEV_ROUTER].mac, 6);
	p->ttl = ttl;
	p->tcp = tcp;
	p->delay_us = rtt_ms * 1000u + gen_rng_below(&st->rng, rtt_ms * 100u + 1);
}

struct device *attack_device_at(struct site *st, unsigned host)
{
	for (int i = 0; i <= DEV_COUNT; i++)
		if (st->dev[i].def->host == host)
			return &st->dev[i];
	return NULL;
}

uint32_t attack_ip4(const struct device *d)
{
	return (uint32_t)d->ip4.b[0] << 24 | (uint32_t)d->ip4.b[1] << 16 |
	       (uint32_t)d->ip4.b[2] << 8 | d->ip4.b[3];
}

/* ------------------------------------------------------------ the run */

/* Every frame emitted while an attack steps is the attack's. */
static void record_emit(void *ctx, uint64_t ts_us, const uint8_t *frame, size_t len,
			const struct gen_meta *meta)
{
	struct attack_run *run = ctx;

	if (ts_us < run->first_us)
		run->first_us = ts_us;
	if (ts_us > run->last_us)
		run->last_us = ts_us;
	run->saved.emit(run->saved.ctx, ts_us, frame, len, meta);
}

/* The attack is over: label it and schedule the next, or the run's end. */
static void attack_done(struct attack_run *run, struct sim *sim, uint64_t t)
{
	const struct attack_def *def = &attack_defs[run->order[run->cur]];
	uint64_t after;

	if (run->first_us <= run->last_us && sim->out->label)
		sim->out->label(sim->out->ctx, run->st->dev[def->dev].mac, run->first_us,
				run->last_us, def->name);
	after = (run->first_us <= run->last_us ? run->last_us : t) + run->opt->gap_s * SEC;
	run->active = false;
	run->cur++;
	if (run->cur < run->n) {
		run->a.next_us = after;
		return;
	}
	run->a.next_us = NEVER;
	if (!run->opt->duration_s)
		sim->end_us = after;
}

static void run_step(struct actor *a, struct sim *sim)
{
	struct attack_run *run = (struct attack_run *)a;
	const struct attack_def *def = &attack_defs[run->order[run->cur]];
	uint64_t t = a->next_us, next;

	if (!run->active) {
		run->active = true;
		run->steps = 0;
		run->first_us = NEVER;
		run->last_us = 0;
		run->end_us = t + gen_rng_range(&run->st->rng, def->min_s, def->max_s) * SEC;
		memset(&run->u, 0, sizeof(run->u));
	}
	run->saved = sim->sink;
	sim->sink.emit = record_emit;
	sim->sink.ctx = run;
	next = def->step(run, t);
	sim->sink = run->saved;
	run->steps++;
	if (next == NEVER)
		attack_done(run, sim, t);
	else
		a->next_us = next;
}

int attacks_start(struct site *st, const struct gen_options *opt)
{
	uint32_t mask = opt->attack_mask ? opt->attack_mask : (1u << ATTACK_COUNT) - 1;
	struct attack_run *run;

	if (!gen_link_has_arp(opt->link))
		return -1;
	run = calloc(1, sizeof(*run));
	if (!run)
		return -1;
	run->st = st;
	run->opt = opt;
	for (int i = 0; i < ATTACK_COUNT; i++)
		if (mask & (1u << i))
			run->order[run->n++] = (uint8_t)i;
	if (run->n == 0) {
		free(run);
		return -1;
	}
	actor_start(st->sim, &run->a, st->start_us + opt->warmup_s * SEC, run_step, true);
	return st->sim->failed ? -1 : 0;
}
