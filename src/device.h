/*
 * device.h - the device record: one machine on the monitored segment.
 *
 * A device is keyed by its MAC address where the segment shows it, and
 * carries every address bound to it and every fingerprinting signal seen
 * from it.  Where the MAC says nothing about the sender (hosts behind a
 * router, whose packets all carry the router's MAC; captures without a
 * link layer), a device is keyed by its address inside the home networks
 * instead (DEVICE_KEY_IP).  Signals are kept in
 * bounded sets per kind (device-signal.h), each value with when it was
 * first and last seen and how often, so an operator can check every
 * claim the sensor makes about a device.
 *
 * Memory: a record is fixed-size apart from its signal values, which are
 * capped per kind (DEVICE_SIGNAL_SLOTS values of at most
 * DEVICE_SIGNAL_VALUE_MAX bytes); the device table owns every record.
 */
#ifndef EW_DEVICE_H
#define EW_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "packet.h"
#include "util-list.h"

#define DEVICE_MAX_ADDRS 8          /* addresses kept per device */
#define DEVICE_SIGNAL_SLOTS 8       /* distinct values kept per signal kind */
#define DEVICE_SIGNAL_VALUE_MAX 255 /* bytes kept of one value */
#define DEVICE_SRC_TRACK 32         /* distinct foreign source addresses counted per device */
/*
 * A router recognised by its traffic alone, with no fingerprint rule for
 * it, is classified "router" with this weight: that of the shipped rule
 * router-forwards-traffic, so both give the same confidence (80).
 */
#define DEVICE_ROUTER_BUILTIN_WEIGHT 80

/* Kinds of fingerprinting signal; names in device_signal_kind_name(). */
enum device_signal_kind {
	SIG_DHCP_HOSTNAME = 0, /* option 12 */
	SIG_DHCP_VENDOR,       /* option 60 */
	SIG_DHCP_PRL,          /* option 55, "1,3,6,15" */
	SIG_DHCP_FQDN,         /* option 81 */
	SIG_MUD_URL,           /* its RFC 8520 MUD URL: DHCP option 161, LLDP */
	SIG_MDNS_SERVICE,      /* "_hue._tcp.local" */
	SIG_MDNS_NAME,         /* instance and host names */
	SIG_MDNS_TXT,          /* model/maker TXT strings: "md=BSB002" */
	SIG_NETBIOS_NAME,      /* names it registers over NetBIOS-NS */
	SIG_LLMNR_NAME,        /* names it answers for over LLMNR */
	SIG_SSDP_SERVER,       /* SERVER: header */
	SIG_SSDP_TYPE,         /* NT: of its NOTIFYs, ST: of its answers: what it is */
	SIG_SSDP_SEARCH,       /* ST: of its M-SEARCHes: what it looks for */
	SIG_SSDP_USER_AGENT,   /* USER-AGENT: of its M-SEARCHes */
	SIG_TLS_SNI,           /* server names in its ClientHellos */
	SIG_TLS_JA3,           /* its ClientHello fingerprints */
	SIG_DNS_QUERY,         /* names it resolved */
	SIG_HTTP_USER_AGENT,   /* User-Agent of its HTTP requests */
	SIG_NTP_SERVER,        /* addresses of the NTP servers it asks */
	SIG_APP_PROTO,         /* application protocols it used */
	SIG_SERVICE_PORT,      /* "tcp/80": ports on which it answered */
	SIG_TCP_SYN,           /* "64:65535:1460:7:M,S,T,N,W" of its SYNs */
	SIG_OS_GUESS,          /* OS family its SYNs suggest */
	SIG_LLDP_NAME,         /* LLDP system name */
	SIG_LLDP_DESCRIPTION,  /* LLDP system description: maker, model, firmware */
	SIG_LLDP_CAPABILITIES, /* LLDP enabled capabilities: "bridge,router" */
	SIG_KIND_MAX
};

/* How an address became bound to the device. */
enum device_addr_source {
	ADDR_FROM_TRAFFIC = 0,
	ADDR_FROM_ARP,
	ADDR_FROM_DHCP,
	ADDR_FROM_NDP, /* an IPv6 neighbour advertisement for the address */
	ADDR_FROM_MAX
};

struct device_addr {
	struct ew_addr addr;
	uint8_t source; /* enum device_addr_source, the first seen */
	/*
	 * Bound by ARP, DHCP or NDP at least once: a protocol in which the
	 * machine (or its DHCP server) vouches for the address.  Only these
	 * count as a router's own; an address merely seen in its traffic may
	 * be a host's behind it.
	 */
	bool owned;
	ew_usec_t first_ts, last_ts;
};

/* What identifies a device in the table. */
enum device_key_kind {
	DEVICE_KEY_MAC = 0, /* its MAC address: the segment shows it */
	DEVICE_KEY_IP,      /* its address inside the home networks: no MAC of its own is seen */
};

/* Router evidence, private to device-table.c (the addresses counted below). */
struct device_src_set;

struct device_signal {
	char *value; /* owned, NUL-terminated, raw bytes from the wire (escaped on output) */
	ew_usec_t first_ts, last_ts;
	uint32_t count;
};

struct device_signal_set {
	struct device_signal slot[DEVICE_SIGNAL_SLOTS];
	uint8_t n;
	uint32_t dropped; /* distinct values not kept: the set was full */
};

struct device {
	uint8_t key_kind;   /* enum device_key_kind */
	uint8_t mac[6];     /* DEVICE_KEY_MAC: the key; all zero for DEVICE_KEY_IP */
	struct ew_addr ip;  /* DEVICE_KEY_IP: the key; EW_AF_NONE for DEVICE_KEY_MAC */
	bool local_admin;   /* locally administered (often randomised) MAC */
	const char *vendor; /* IEEE registry name; NULL unknown; owned by the OUI db */
	ew_usec_t first_ts, last_ts;
	/* Packets and bytes of its ended flows (local ends only), and its ARP. */
	uint64_t pkts_out, bytes_out, pkts_in, bytes_in;
	uint64_t flows_out, flows_in; /* flows it opened / answered */
	/*
	 * Packets it sent from addresses not its own, counted once it is
	 * recognised as a router (device-table.c says when); non-zero means
	 * "router": it owns no address outside the home networks, and the
	 * hosts behind it become devices of their own, keyed by address.
	 */
	uint64_t routed_pkts;
	/*
	 * The evidence: distinct source addresses it sent from that are not
	 * bound to it by ARP, DHCP or NDP, outside and inside the home
	 * networks (both saturate at DEVICE_SRC_TRACK).
	 */
	uint32_t outside_srcs, inside_srcs;
	struct device_src_set *srcs; /* private to device-table.c; NULL until needed */

	struct device_addr addr[DEVICE_MAX_ADDRS];
	uint8_t naddr;
	uint32_t addrs_dropped;

	struct device_signal_set sig[SIG_KIND_MAX];

	/* Classification by the fingerprint rules (device-rules.h); "" until classified. */
	char class_name[24];
	char class_vendor[48];
	char class_model[48];
	uint8_t class_confidence; /* 0..100 */

	uint8_t reported;  /* private to device-table.c */
	/* Table links, private to device-table.c. */
	struct device *hash_next;
	struct ew_list_node lru; /* on the table's present or gone list */
};

const char *device_signal_kind_name(enum device_signal_kind k);

/*
 * Why d counts as a router, for class evidence: "forwards traffic from 23
 * addresses outside the home networks" (or "32 or more"), or "sends from
 * 6 addresses inside the home networks that are not its own"; "" when it
 * is not one.  Always NUL-terminates buf (len > 0).
 */
void device_router_evidence(const struct device *d, char *buf, size_t len);
/* The kind with this name, or -1. */
int device_signal_kind_from_name(const char *name);

/*
 * True for the kinds the device's software writes (tls_ja3,
 * dhcp_fingerprint, http_user_agent, service_port, mud_url): a new
 * value of one on a settled device is reported as a probable firmware
 * change.
 */
bool device_signal_is_firmware(enum device_signal_kind k);

/* The value of kind k that d sent last (NUL-terminated, owned by d); NULL: none. */
const char *device_signal_latest(const struct device *d, enum device_signal_kind k);

#endif /* EW_DEVICE_H */
