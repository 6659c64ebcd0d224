/*
 * device.h - the device record: one machine on the monitored segment.
 *
 * A device is keyed by its MAC address and carries every address bound to
 * it and every fingerprinting signal seen from it.  Signals are kept in
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
#include <stdint.h>

#include "packet.h"

#define DEVICE_MAX_ADDRS 8          /* addresses kept per device */
#define DEVICE_SIGNAL_SLOTS 8       /* distinct values kept per signal kind */
#define DEVICE_SIGNAL_VALUE_MAX 255 /* bytes kept of one value */

/* Kinds of fingerprinting signal; names in device_signal_kind_name(). */
enum device_signal_kind {
	SIG_DHCP_HOSTNAME = 0, /* option 12 */
	SIG_DHCP_VENDOR,       /* option 60 */
	SIG_DHCP_PRL,          /* option 55, "1,3,6,15" */
	SIG_DHCP_FQDN,         /* option 81 */
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
	ew_usec_t first_ts, last_ts;
};

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
	uint8_t mac[6];
	bool local_admin;   /* locally administered (often randomised) MAC */
	const char *vendor; /* IEEE registry name; NULL unknown; owned by the OUI db */
	ew_usec_t first_ts, last_ts;
	/* Packets and bytes of its ended flows (local ends only), and its ARP. */
	uint64_t pkts_out, bytes_out, pkts_in, bytes_in;
	uint64_t flows_out, flows_in; /* flows it opened / answered */
	/*
	 * Times it was seen sending from an address outside the local
	 * networks: it forwards traffic, so it is a router (and is not taken
	 * for the owner of every address behind it).
	 */
	uint64_t routed_pkts;

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
	struct device *hash_next, *lru_prev, *lru_next;
};

const char *device_signal_kind_name(enum device_signal_kind k);
/* The kind with this name, or -1. */
int device_signal_kind_from_name(const char *name);

#endif /* EW_DEVICE_H */
