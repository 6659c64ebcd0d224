/*
 * device-table.h - the bounded table of devices on the segment.
 *
 * Devices are keyed by MAC address, or by IP address for hosts whose MAC
 * the segment does not show (O(1) lookup either way; device.h).  The
 * table holds the home networks (a copy of the configuration's
 * home_networks), the one definition of "inside" the device stage uses,
 * and the router evidence: a MAC that sends from several addresses that
 * are not its own is a router (device_table_foreign_source), and the
 * inside addresses behind it become devices keyed by IP.  Each packet that shows
 * a device refreshes it; addresses and signals are bound through the
 * table so that it can tell the caller what changed: a device's first
 * sight ("new"), a second distinct value of an address or of a
 * fingerprint (a new DHCP fingerprint, a new JA3: a firmware change or a
 * spoofed MAC), and a device unseen for `gone_after_s` ("gone").  The
 * first value of a signal is learning, not change, and raises no event.
 *
 * Bounded: at most max_devices records; a new device in a full table
 * evicts the one unseen the longest (counted, no event).
 *
 * Time is packet time, passed in by the caller.
 *
 * Ownership: the table owns the records and every signal string; the
 * vendor names belong to the OUI db, which must outlive the table.
 * Event callbacks get records that stay valid until the next call that
 * may evict (device_table_touch with create).
 */
#ifndef EW_DEVICE_TABLE_H
#define EW_DEVICE_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "device.h"
#include "device-oui.h"
#include "util-cidr.h"

struct device_table;

enum device_event_kind { DEVICE_NEW = 0, DEVICE_CHANGED, DEVICE_GONE };

struct device_change {
	enum device_event_kind kind;
	ew_usec_t ts;       /* packet time of the change */
	const char *field;  /* DEVICE_CHANGED: "address", a signal kind name, or "presence" */
	int sig_kind;       /* enum device_signal_kind for signal changes, else -1 */
	const char *after;  /* the new value ("present" for presence) */
	const char *before; /* "class": the previous class; NULL for the others */
	/*
	 * The values before are the device's other values of that kind (its
	 * other IPv4 addresses for "address"; "gone" for presence), read
	 * from the record by the event writer.
	 */
};

typedef void (*device_event_fn)(void *ctx, const struct device *d,
				const struct device_change *ch);

struct device_table_stats {
	uint64_t active, peak_active, created, evicted, gone;
	uint64_t ip_keyed; /* active devices keyed by IP */
	uint64_t routers;  /* devices recognised as routers by their traffic */
	uint64_t ip_refused; /* addresses not made devices: over DEVICE_IP_NEW_PER_MIN */
};

/*
 * New devices keyed by IP are rate-limited: DEVICE_IP_NEW_BURST at once,
 * then DEVICE_IP_NEW_PER_MIN a minute of packet time (a token bucket).
 * Every source address behind a router could otherwise become a device:
 * a flood of spoofed inside sources would cost a device record and a
 * "new" event per packet.  A home or office behind a router shows its
 * hosts well within the burst; one larger is learnt over a few minutes,
 * as its hosts speak again.  Refusals are counted (ip_refused).
 */
#define DEVICE_IP_NEW_BURST 256u
#define DEVICE_IP_NEW_PER_MIN 64u

/*
 * Router recognition (device_table_foreign_source), each threshold with
 * its reason.  A host's own addresses are bound to it by ARP, DHCP or
 * NDP, and those never count; what a host may still show before (or
 * without) such a binding is a handful of its own:
 *
 * - outside the home networks, its global IPv6 addresses: a stable one
 *   and up to two temporary ones (the current and the deprecated one
 *   still carrying old connections, RFC 8981) = 3.  A fourth distinct
 *   outside address is someone else's traffic: forwarded.
 * - inside, its IPv4 address, its link-local IPv6 address and a stable
 *   and a temporary ULA = 4.  A fifth is another machine behind it.
 *
 * A router forwarding internet traffic passes the first bound within
 * seconds (every server that answers is another address).
 */
#define DEVICE_ROUTER_OUTSIDE_MIN 4
#define DEVICE_ROUTER_INSIDE_MIN 5

/*
 * Called when a device gains a signal value it did not have (and when it
 * is created), so its class can be worked out again; fills the class_*
 * fields.  Set with device_table_set_classifier().
 */
typedef void (*device_classify_fn)(void *ctx, struct device *d);

/*
 * NULL on allocation failure.  home: the home networks, copied (NULL or
 * empty: no address is inside, so no device is keyed by IP and every
 * sender's traffic counts as from outside).  oui may be NULL (no vendor
 * names).
 */
struct device_table *device_table_create(uint32_t max_devices, uint32_t gone_after_s,
					 const struct ew_cidr_list *home, const struct oui_db *oui,
					 device_event_fn on_event, void *ctx);
void device_table_destroy(struct device_table *dt); /* accepts NULL */

/*
 * The device with this MAC, refreshed at ts; created when create is set
 * and it is unknown.  NULL for multicast/broadcast MACs, unknown devices
 * without create, or allocation failure.  A new device is announced
 * (DEVICE_NEW) by device_table_announce(), so that the event can carry
 * the address the same packet binds.
 */
struct device *device_table_touch(struct device_table *dt, const uint8_t mac[6], ew_usec_t ts,
				  bool create);

/*
 * Installs the classifier (NULL: none).  A settled device whose known
 * class turns into another raises DEVICE_CHANGED "class".
 */
void device_table_set_classifier(struct device_table *dt, device_classify_fn fn, void *ctx);

/* Classifies every device again, without events (after loading a saved inventory). */
void device_table_reclassify_all(struct device_table *dt);

/* Emits DEVICE_NEW for a device not yet announced; no-op otherwise. */
void device_table_announce(struct device_table *dt, struct device *d);

/* The device with this MAC, or NULL; does not refresh it. */
struct device *device_table_find(const struct device_table *dt, const uint8_t mac[6]);

/* Whether a lies inside the home networks. */
bool device_table_is_home(const struct device_table *dt, const struct ew_addr *a);

/*
 * The device keyed by this address (DEVICE_KEY_IP), refreshed at ts, as
 * device_table_touch.  NULL for an address outside the home networks,
 * unspecified or multicast (they are never devices), unknown devices
 * without create, over the rate of new IP-keyed devices, or allocation
 * failure.  The MAC-keyed device most
 * recently touched is never the one evicted to make room, so a caller
 * may keep using the router it just touched.
 */
struct device *device_table_touch_ip(struct device_table *dt, const struct ew_addr *a,
				     ew_usec_t ts, bool create);

/* The device keyed by this address, or NULL; does not refresh it. */
struct device *device_table_find_ip(const struct device_table *dt, const struct ew_addr *a);

/* Whether a is bound to d by ARP, DHCP or NDP (device_addr.owned). */
bool device_owns_addr(const struct device *d, const struct ew_addr *a);

/*
 * Router evidence: MAC-keyed d sent a packet from a, an address not bound
 * to it by ARP, DHCP or NDP.  Counts the distinct such addresses, outside
 * and inside the home networks; past DEVICE_ROUTER_OUTSIDE_MIN or
 * DEVICE_ROUTER_INSIDE_MIN, d is a router from then on (routed_pkts > 0):
 * its inside addresses that no protocol bound to it move to devices of
 * their own keyed by IP (DEVICE_NEW each), and it is classified again.
 * Returns whether d is a router (false for IP-keyed devices).
 */
bool device_table_foreign_source(struct device_table *dt, struct device *d,
				 const struct ew_addr *a, ew_usec_t ts);

/*
 * Binds an address to a device (DEVICE_CHANGED "address" when it is its
 * second IPv4 one).  A binding by ARP, DHCP or NDP marks the address as
 * the device's own and takes it out of the router evidence.
 */
void device_table_bind_addr(struct device_table *dt, struct device *d,
			    const struct ew_addr *a, enum device_addr_source src, ew_usec_t ts);

/*
 * Records a signal value (len bytes, need not be NUL-terminated; cut at
 * DEVICE_SIGNAL_VALUE_MAX).  DEVICE_CHANGED when the kind already held a
 * different value and the kind is one whose change matters (see .c).
 */
void device_table_signal(struct device_table *dt, struct device *d, enum device_signal_kind k,
			 const char *value, size_t len, ew_usec_t ts);

/*
 * Restoring a saved inventory: a known device (no DEVICE_NEW), its
 * addresses and signal values as they were, without events.  NULL when
 * the MAC is not a device's or allocation fails; a MAC already present
 * returns the existing record.
 */
struct device *device_table_restore(struct device_table *dt, const uint8_t mac[6],
				    ew_usec_t first_ts, ew_usec_t last_ts);
struct device *device_table_restore_ip(struct device_table *dt, const struct ew_addr *a,
				       ew_usec_t first_ts, ew_usec_t last_ts);
bool device_table_restore_signal(struct device *d, enum device_signal_kind k, const char *value,
				 uint32_t count, ew_usec_t first_ts, ew_usec_t last_ts);

/* Emits DEVICE_GONE for devices unseen longer than gone_after_s at now. */
void device_table_expire(struct device_table *dt, ew_usec_t now_us);

/* Calls fn for every device, in order of first sight (then MAC devices before IP ones, then key). */
void device_table_foreach(const struct device_table *dt,
			  void (*fn)(void *ctx, const struct device *d), void *ctx);

const struct device_table_stats *device_table_stats(const struct device_table *dt);

#endif /* EW_DEVICE_TABLE_H */
