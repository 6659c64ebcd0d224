/*
 * gen-lan.h - the LAN's own traffic: DHCP, ARP, IPv6 ND/MLD, ICMP echo.
 */
#ifndef EW_GEN_LAN_H
#define EW_GEN_LAN_H

#include <stdbool.h>
#include <stdint.h>

#include "gen-home.h"

/* DORA, then RFC 5227 probes/announcements and the gateway lookup;
 * returns when d is configured. */
uint64_t dhcp_join(struct site *st, struct device *d, uint64_t t);
/* Unicast REQUEST/ACK of a configured device. */
void dhcp_renew(struct site *st, struct device *d, uint64_t t);
/* The router and the next configured device re-confirm each other. */
void arp_refresh(struct site *st, uint64_t t);
/* SLAAC at link-up: MLD join and DAD from ::, RS/RA, neighbour lookups. */
void v6_join(struct site *st, struct device *d, uint64_t t);
/* The router's periodic RA and MLD general query; everyone reports. */
void v6_query(struct site *st, uint64_t t);
/* Four echo requests and replies: to the router with record-route, or to
 * a cloud host (over IPv6 with a destination-options header). */
void icmp_ping(struct site *st, struct device *d, bool to_cloud, uint64_t t);

#endif /* EW_GEN_LAN_H */
