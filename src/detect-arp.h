/*
 * detect-arp.h - ARP spoofing: a MAC claiming an address another MAC holds.
 *
 * arpspoof, ettercap and their kin poison neighbours' caches with ARP
 * replies saying "the gateway's address is at my MAC".  The watch keeps,
 * per IPv4 address, the MAC that claimed it (as ARP sender) and when it
 * last did.  A claim by another MAC while the holder is still active
 * (claimed within hold_s) is a conflict, reported against the new
 * claimant; the holder keeps the address, so a spoofer that keeps
 * claiming keeps conflicting.  Once the holder has been silent for hold_s
 * the address passes to the new MAC without a report: DHCP gave it to
 * another machine.  Probes (sender 0.0.0.0) claim nothing.
 *
 * Bounded: at most cap addresses; a new one in a full table replaces the
 * one claimed longest ago (counted).  O(1) per ARP packet.
 *
 * Ownership: the watch owns its table; nothing is borrowed.
 */
#ifndef EW_DETECT_ARP_H
#define EW_DETECT_ARP_H

#include <stdbool.h>
#include <stdint.h>

#include "packet.h"

#define ARP_WATCH_DEFAULT_HOLD_S 300u /* an ARP cache entry's usual life */

struct arp_watch;

struct arp_conflict {
	uint8_t ip[4];
	uint8_t holder_mac[6];    /* who holds the address */
	uint8_t claimant_mac[6];  /* who claimed it now */
	ew_usec_t holder_last_us; /* the holder's last claim */
	uint32_t holder_claims;   /* claims the holder made */
	bool reply;               /* the claim was an ARP reply (a request otherwise) */
};

struct arp_watch_stats {
	uint64_t claims, conflicts, handovers, replaced;
};

struct arp_watch *arp_watch_create(uint32_t cap, uint32_t hold_s); /* NULL on OOM */
void arp_watch_destroy(struct arp_watch *w);                        /* accepts NULL */

/* One decoded ARP packet; true with *out filled on a conflict. */
bool arp_watch_packet(struct arp_watch *w, const struct ew_arp *arp, ew_usec_t ts,
		      struct arp_conflict *out);

const struct arp_watch_stats *arp_watch_stats(const struct arp_watch *w);

#endif /* EW_DETECT_ARP_H */
