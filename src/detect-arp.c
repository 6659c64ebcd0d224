/*
 * detect-arp.c - ARP spoofing watch (see detect-arp.h).
 *
 * Open addressing over a power-of-two table, keyed by the IPv4 address,
 * with linear probing bounded by PROBE_MAX; a full neighbourhood reuses
 * its entry claimed longest ago.  That keeps every packet O(1) even when
 * a flood of made-up sender addresses arrives.
 */
#include <stdlib.h>
#include <string.h>

#include "detect-arp.h"
#include "util-hash.h"

#define PROBE_MAX 8

struct arp_entry {
	uint32_t ip;
	bool used;
	uint8_t mac[6];
	ew_usec_t last_us;
	uint32_t claims;
};

struct arp_watch {
	struct arp_entry *e;
	uint32_t mask;
	uint64_t hold_us;
	struct arp_watch_stats st;
};

struct arp_watch *arp_watch_create(uint32_t cap, uint32_t hold_s)
{
	struct arp_watch *w = calloc(1, sizeof(*w));
	uint32_t n = 64;

	if (w == NULL)
		return NULL;
	/* Twice the cap keeps probes short. */
	while (n < 2 * (uint64_t)cap && n < (1u << 24))
		n <<= 1;
	w->e = calloc(n, sizeof(*w->e));
	if (w->e == NULL) {
		free(w);
		return NULL;
	}
	w->mask = n - 1;
	w->hold_us = (uint64_t)hold_s * EW_USEC_PER_SEC;
	return w;
}

void arp_watch_destroy(struct arp_watch *w)
{
	if (w == NULL)
		return;
	free(w->e);
	free(w);
}

/* The entry for ip, or the slot to put it in (a free one, else the stalest of the probe run). */
static struct arp_entry *slot_for(struct arp_watch *w, uint32_t ip)
{
	uint32_t h = (uint32_t)ew_hash64_u64(ip, 0x617270ULL);
	struct arp_entry *victim = NULL;

	for (uint32_t i = 0; i < PROBE_MAX; i++) {
		struct arp_entry *e = &w->e[(h + i) & w->mask];

		if (e->used && e->ip == ip)
			return e;
		if (!e->used)
			return e;
		if (victim == NULL || e->last_us < victim->last_us)
			victim = e;
	}
	w->st.replaced++;
	victim->used = false;
	return victim;
}

bool arp_watch_packet(struct arp_watch *w, const struct ew_arp *arp, ew_usec_t ts,
		      struct arp_conflict *out)
{
	uint32_t ip = (uint32_t)arp->spa[0] << 24 | (uint32_t)arp->spa[1] << 16 |
		      (uint32_t)arp->spa[2] << 8 | arp->spa[3];
	struct arp_entry *e;

	/* A probe (RFC 5227) claims nothing; nor does a broadcast or empty sender MAC. */
	if (ip == 0 || (arp->sha[0] & 1) || memcmp(arp->sha, "\0\0\0\0\0\0", 6) == 0)
		return false;
	w->st.claims++;
	e = slot_for(w, ip);
	if (!e->used) {
		e->used = true;
		e->ip = ip;
		memcpy(e->mac, arp->sha, 6);
		e->last_us = ts;
		e->claims = 1;
		return false;
	}
	if (memcmp(e->mac, arp->sha, 6) == 0) {
		if (ts > e->last_us)
			e->last_us = ts;
		if (e->claims < UINT32_MAX)
			e->claims++;
		return false;
	}
	if (ts >= e->last_us && ts - e->last_us > w->hold_us) {
		/* The holder went quiet long ago: the address moved on. */
		w->st.handovers++;
		memcpy(e->mac, arp->sha, 6);
		e->last_us = ts;
		e->claims = 1;
		return false;
	}
	w->st.conflicts++;
	memcpy(out->ip, arp->spa, 4);
	memcpy(out->holder_mac, e->mac, 6);
	memcpy(out->claimant_mac, arp->sha, 6);
	out->holder_last_us = e->last_us;
	out->holder_claims = e->claims;
	out->reply = arp->op == 2;
	return true;
}

const struct arp_watch_stats *arp_watch_stats(const struct arp_watch *w)
{
	return &w->st;
}
