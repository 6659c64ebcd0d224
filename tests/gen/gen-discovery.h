/*
 * gen-discovery.h - mDNS and SSDP service discovery.
 */
#ifndef EW_GEN_DISCOVERY_H
#define EW_GEN_DISCOVERY_H

#include <stdint.h>

#include "gen-home.h"

/* The phone browses for services; each responder answers twice. */
void mdns_browse(struct site *st, struct device *phone, uint64_t t);
/* d claims its host name: three probes, then two announcements. */
void mdns_announce(struct site *st, struct device *d, uint64_t t);
/* The phone's M-SEARCHes and the unicast answers (MX 1: within a second). */
void ssdp_search(struct site *st, struct device *phone, uint64_t t);
/* A NOTIFY burst of d's device types, if d is a UPnP device. */
void ssdp_notify(struct site *st, struct device *d, uint64_t t);

#endif /* EW_GEN_DISCOVERY_H */
