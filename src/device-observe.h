/*
 * device-observe.h - feed the device table from packets and ended flows.
 *
 * Per packet, but only where it can tell something (device_packet_wanted:
 * ARP, a flow's first packet each way, the ports that carry identity
 * (DHCP, mDNS, SSDP), and once a minute per flow end to keep last_seen
 * fresh): refresh the sending device, bind its local addresses and record
 * the signals it announces.  Per ended flow: packet and byte counts, the
 * protocols, TLS names and fingerprints, DNS names and offered services
 * of the two ends.  So a long video stream costs the device stage one
 * comparison per packet.
 *
 * "Local" addresses are the private and link-local ranges (RFC 1918,
 * 169.254/16, fe80::/10, fc00::/7); a device sending from other
 * addresses is forwarding traffic (a router) and does not own them.
 */
#ifndef EW_DEVICE_OBSERVE_H
#define EW_DEVICE_OBSERVE_H

#include "device-table.h"
#include "flow.h"
#include "packet.h"

bool ew_addr_is_local(const struct ew_addr *a);

/* Seconds between refreshes of a device by the same flow end. */
#define DEVICE_REFRESH_S 60

/* True when this packet of flow f (direction dir) should go to device_observe_packet. */
bool device_packet_wanted(const struct flow *f, const struct ew_packet *pkt, enum flow_dir dir);

void device_observe_packet(struct device_table *dt, const struct ew_packet *pkt);

/* app: the flow's lowercase application protocol ("tls", "dns", "unknown"). */
void device_observe_flow(struct device_table *dt, const struct flow *f, const char *app);

#endif /* EW_DEVICE_OBSERVE_H */
