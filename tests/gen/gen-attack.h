/*
 * gen-attack.h - the attacks of the attacks scenario: what compromised
 * IoT devices do, one at a time on a long-running home (gen-benign.h).
 *
 * Each attack runs on its own device for 60-180 s of simulated time; the
 * first starts after a benign warm-up, each next one a quiet gap after the
 * previous one's last frame, and the run ends a gap after the last.  When
 * an attack is over, the scenario's output gets a label: the device's
 * MAC and the times of the attack's first and last frame (all frames
 * emitted while the attack steps are its own).
 */
#ifndef EW_GEN_ATTACK_H
#define EW_GEN_ATTACK_H

#include <stdint.h>

#include "gen-home.h"
#include "gen-scenario.h"

enum attack_id {
	ATTACK_MIRAI_SCAN,        /* camera */
	ATTACK_TELNET_BRUTEFORCE, /* camera */
	ATTACK_C2_BEACON,         /* plug */
	ATTACK_DNS_TUNNEL,        /* Hue bridge */
	ATTACK_EXFILTRATION,      /* Home Assistant hub */
	ATTACK_UDP_FLOOD,         /* Shelly */
	ATTACK_ARP_SPOOF,         /* printer */
	ATTACK_LATERAL_SCAN,      /* Echo */
	ATTACK_NEW_SERVICE,       /* Nest */
	ATTACK_COUNT
};

#define GEN_ATTACK_WARMUP_S 7200 /* benign traffic before the first attack */
#define GEN_ATTACK_GAP_S 600     /* benign traffic between two attacks */

/* Returns 0 and sets *id, or -1 for an unknown attack name. */
int attack_from_name(const char *name, enum attack_id *id);
/* The attack's name as labels carry it ("mirai_scan", ...). */
const char *attack_name(enum attack_id id);
/* Schedules opt's attacks (opt->attack_mask, 0: all, in enum order) on
 * site st, whose run must outlive them.  Returns 0, or -1 when out of
 * memory or when the link has no ARP (arp_spoof and lateral_scan need it). */
int attacks_start(struct site *st, const struct gen_options *opt);

#endif /* EW_GEN_ATTACK_H */
