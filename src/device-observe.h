/*
 * device-observe.h - feed the device table from packets and ended flows.
 *
 * Per packet, but only where it can tell something (device_packet_wanted:
 * ARP, LLDP, a flow's first packet each way, the ports that carry identity
 * (DHCP, mDNS, SSDP), and once a minute per flow end to keep last_seen
 * fresh): refresh the sending device, bind its local addresses and record
 * the signals it announces.  Per ended flow: packet and byte counts, the
 * protocols, TLS names and fingerprints, DNS names and offered services
 * of the two ends.  So a long video stream costs the device stage one
 * comparison per packet.
 *
 * "Local" means inside the home networks the table was created with
 * (the configuration's network.home_networks).  A MAC sending from
 * addresses that are not its own is counted as a possible router
 * (device_table_foreign_source); once it is one, it owns no address it
 * forwards for, and each inside address behind it is a device of its own,
 * keyed by IP.  A capture without link addresses (raw IP, BSD loopback)
 * keys every inside sender by IP.
 */
#ifndef EW_DEVICE_OBSERVE_H
#define EW_DEVICE_OBSERVE_H

#include "device-table.h"
#include "flow.h"
#include "packet.h"

/* Seconds between refreshes of a device by the same flow end. */
#define DEVICE_REFRESH_S 60

/* True when this packet of flow f (direction dir) should go to device_observe_packet. */
bool device_packet_wanted(const struct flow *f, const struct ew_packet *pkt, enum flow_dir dir);

void device_observe_packet(struct device_table *dt, const struct ew_packet *pkt);

/* app: the flow's lowercase application protocol ("tls", "dns", "unknown"). */
void device_observe_flow(struct device_table *dt, const struct flow *f, const char *app);

#endif /* EW_DEVICE_OBSERVE_H */
