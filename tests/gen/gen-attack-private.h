/*
 * gen-attack-private.h - what the attack files share: the run that plays
 * the attacks one after another, and each attack's step function.
 * Not for other modules.
 */
#ifndef EW_GEN_ATTACK_PRIVATE_H
#define EW_GEN_ATTACK_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include "gen-attack.h"
#include "gen-build.h"
#include "gen-home.h"
#include "gen-sim.h"

struct attack_run;

/*
 * One attack.  step() is called at the time it asked for (the first time
 * with run->steps == 0), emits what the attack does then, and returns
 * when it wants to step again, or NEVER once it is over.  It starts
 * nothing new after run->end_us, and cleans up (closes, restores) before
 * saying NEVER.
 */
struct attack_def {
	const char *name;
	enum dev_id dev;         /* the attacking (compromised) device */
	uint32_t min_s, max_s;   /* how long it runs */
	uint64_t (*step)(struct attack_run *run, uint64_t t);
};

/* Per-attack state; the run zeroes it before an attack's first step. */
union attack_state {
	struct { uint16_t sport, win; uint32_t rate_per_s; } mirai;
	struct { unsigned tries; } telnet;
	struct { struct remote r; uint64_t dns_expiry_us; } c2;
	struct { struct gen_conv c; } dns;
	struct { struct remote r; struct gen_conv c; uint64_t left, chunk_us; } exfil;
	struct { struct gen_conv c; uint32_t pps; } flood;
	struct { unsigned restores_left; bool restoring; } arp;
	struct { unsigned next_host; uint16_t sport; uint64_t per_host_us; } lateral;
	struct { unsigned sessions_left; uint64_t every_us; } service;
};

struct attack_run {
	struct actor a;
	struct site *st;
	const struct gen_options *opt;
	uint8_t order[ATTACK_COUNT];
	unsigned n, cur;
	bool active;
	uint64_t steps;      /* steps of the current attack so far */
	uint64_t end_us;     /* the current attack starts nothing after this */
	uint64_t first_us, last_us; /* its first and last frame */
	struct gen_sink saved;      /* the run's sink while an attack steps */
	union attack_state u;
};

/* The attacking device of run's current attack. */
struct device *attack_device(struct attack_run *run);
/* A host beyond the router at IPv4 ip4 (host order) with a TCP stack. */
void attack_peer_external(struct peer *p, struct site *st, uint32_t ip4, uint16_t rtt_ms,
			  uint8_t ttl, uint8_t tcp);
/* The device of st at host number host of its /24, or NULL. */
struct device *attack_device_at(struct site *st, unsigned host);
/* d's IPv4 address, host order. */
uint32_t attack_ip4(const struct device *d);

/* The steps (gen-attack-scan.c, gen-attack-conn.c). */
uint64_t mirai_scan_step(struct attack_run *run, uint64_t t);
uint64_t udp_flood_step(struct attack_run *run, uint64_t t);
uint64_t arp_spoof_step(struct attack_run *run, uint64_t t);
uint64_t lateral_scan_step(struct attack_run *run, uint64_t t);
uint64_t telnet_bruteforce_step(struct attack_run *run, uint64_t t);
uint64_t c2_beacon_step(struct attack_run *run, uint64_t t);
uint64_t dns_tunnel_step(struct attack_run *run, uint64_t t);
uint64_t exfiltration_step(struct attack_run *run, uint64_t t);
uint64_t new_service_step(struct attack_run *run, uint64_t t);

#endif /* EW_GEN_ATTACK_PRIVATE_H */
