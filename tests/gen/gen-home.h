/*
 * gen-home.h - the home network: its devices, the Internet hosts they
 * talk to and the timed script of what they do, and the site model the
 * scenario files share.
 *
 * A site is one home LAN: a router and eleven devices with their
 * addresses, ports in use and DNS caches.  smart-home runs one site,
 * bench 256 of them on different subnets.  Everything a site does is
 * drawn from its own random stream (st->rng), in a fixed order, so a
 * run is repeatable.
 *
 * What each device does is written as data in gen-home.c: the device
 * table, the cloud table and the event script.  The script's order and
 * the gaps in it are chosen so that no 5-tuple is reused and no flow idles
 * past the limits the truth enforces (gen-truth.h); the truth table checks
 * this as it counts.
 */
#ifndef EW_GEN_HOME_H
#define EW_GEN_HOME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gen-build.h"
#include "gen-rng.h"
#include "gen-sim.h"

enum dev_id {
	DEV_HASS, DEV_CAMERA, DEV_PLUG, DEV_HUE, DEV_NEST, DEV_ECHO, DEV_SONOS, DEV_PRINTER,
	DEV_PHONE, DEV_LAPTOP, DEV_SHELLY, DEV_COUNT,
	DEV_ROUTER = DEV_COUNT,
};

/* TCP stack behaviour: SYN options, MSS, windows, ephemeral port range. */
enum tcp_prof { TCP_LINUX, TCP_APPLE, TCP_WINDOWS, TCP_LWIP, TCP_SERVER };

/* One kind of device, as it behaves on the network. */
struct dev_def {
	const char *what;
	uint8_t mac[6];
	uint8_t host;             /* last octet of its IPv4 address */
	const char *hostname;     /* DHCP option 12 */
	const char *vendor_class; /* DHCP option 60, NULL: not sent */
	const uint8_t *prl;       /* DHCP option 55 */
	uint16_t dhcp_max_msg;    /* DHCP option 57, 0: not sent */
	bool fqdn;                /* sends DHCP option 81 */
	bool dhcp_bcast;          /* sets the BOOTP broadcast flag */
	uint8_t arp_probes;       /* RFC 5227 probes after an ACK */
	uint8_t ttl;
	uint8_t tcp;              /* enum tcp_prof */
	uint8_t tls;              /* enum gen_tls_stack */
	bool tls13;
	bool dual_stack;          /* speaks IPv6 when the run has --ipv6 */
	bool eui64;               /* IPv6 interface ids from the MAC */
	uint32_t lan_delay_us;    /* reaction time seen from the router (Wi-Fi > wire) */
};

/* Internet hosts.  Addresses are from the documentation ranges. */
enum cloud_id {
	CL_HIK, CL_TPLINK, CL_HUE, CL_MTALK, CL_GOOGLEAPIS, CL_GSTATIC, CL_ALEXA, CL_AMZMETRICS,
	CL_SONOS, CL_SONOSMET, CL_HPXMPP, CL_HPFW, CL_ICLOUD, CL_SMOOT, CL_APNS, CL_CAPTIVE,
	CL_LIVE, CL_WINSET, CL_BING, CL_NCSI, CL_NCSI6, CL_HAVER, CL_HAALERT, CL_NTPPOOL,
	CL_NTPDEB, CL_NTPGOOG, CL_NTPAPPLE, CL_NTPWIN, CL_NTPAMZ, CL_NTPHUE, CL_HIKUP,
	CL_MUSIC,
	/* Only in the long-running site (gen-benign.c): firmware checks, more
	 * streaming, Windows Update. */
	CL_HIKFW, CL_TPFW, CL_HUEFW, CL_GOOGFW, CL_AMZFW, CL_SONOSUPD, CL_SHELLYFW, CL_AMZMUSIC,
	CL_WUPDATE, CL_SPOTIFY, CL_COUNT
};

struct cloud_def {
	const char *name;
	uint8_t net;        /* 0: 198.51.100/24, 1: 203.0.113/24, 2: 192.0.2/24 */
	uint8_t host;
	bool v6;            /* has an AAAA record (2001:db8:f0:<net>::<host>) */
	uint16_t port;      /* service port for TLS/HTTP */
	uint16_t rtt_ms;
	uint8_t ttl;        /* IP TTL its packets arrive with */
	uint16_t dns_ttl_s;
};

/* Any Internet host as a device reaches it: a cloud of the table
 * (remote_of_cloud) or one a scenario makes up (a browsing destination,
 * an attacker's server). */
struct remote {
	const char *name;       /* DNS name and TLS SNI; outlives the run */
	struct gen_addr addr4;
	struct gen_addr addr6;  /* family 0: the name has no AAAA record */
	uint16_t port;
	uint16_t rtt_ms;
	uint8_t ttl;            /* IP TTL its packets arrive with */
	uint32_t dns_ttl_s;
};

/* A device of one site: its addresses and what it remembers. */
struct device {
	const struct dev_def *def;
	enum dev_id id;
	uint8_t mac[6];
	struct gen_addr ip4, ll6, gl6;
	uint16_t next_port;
	uint64_t ready_us;    /* configured (has its addresses) from this time */
	char mdns_host[64];   /* "<hostname>.local": a truth server name */
	uint64_t dns_expiry_us[CL_COUNT];
};

struct ev_actor; /* a script entry bound to a site (gen-scenario.c) */

struct site {
	struct sim *sim;
	uint32_t index;
	uint32_t net4;     /* host order, the .0 address */
	uint64_t prefix6;  /* first 8 bytes of the /64 */
	uint64_t start_us;
	struct gen_rng rng;
	struct device dev[DEV_COUNT + 1]; /* [DEV_ROUTER] is the router */
	unsigned arp_next;
	char hue_host[16];  /* HTTP Host of the bridge's local API */
	struct ev_actor *events;
	size_t n_events;
};

/* One endpoint as a conversation sees it. */
struct peer {
	struct gen_addr addr;
	uint8_t mac[6];
	uint8_t ttl;
	uint8_t tcp;
	uint32_t delay_us;
};

/* ------------------------------------------------------------ the script */

enum ev_kind {
	EV_JOIN,          /* DHCP DORA, ARP probe/announce, gateway ARP; SLAAC */
	EV_RENEW,         /* unicast DHCP REQUEST/ACK */
	EV_ARP_REFRESH,   /* router and a neighbour re-confirm each other */
	EV_TLS,           /* DNS lookup, then one TLS session of arg requests */
	EV_KEEPALIVE,     /* persistent TLS connection, heartbeat every arg s */
	EV_HTTP,          /* DNS lookup, then one HTTP GET */
	EV_HUE_POLL,      /* Home Assistant polls the Hue bridge over HTTP */
	EV_NTP,           /* SNTP; arg 1: from port 123 */
	EV_MQTT,          /* Shelly's MQTT session with the broker on hass */
	EV_RTSP,          /* hass streams from the camera for arg s (0: always) */
	EV_MDNS_BROWSE,
	EV_MDNS_ANNOUNCE,
	EV_SSDP_SEARCH,
	EV_SSDP_NOTIFY,
	EV_PING,          /* arg 0: router, record-route; 1: a cloud host */
	EV_V6_QUERY,      /* router's RA and MLD query, devices report */
	EV_BULK,          /* arg 0: upload, 1: download (bench) */
	/* The long-running site's habits (gen-benign.c): */
	EV_SESSION,       /* persistent cloud session, heartbeat every arg s */
	EV_AUDIO,         /* a speaker that streams music at times */
	EV_USER,          /* a person browsing on the phone or laptop */
};

#define ONLY_V6 1  /* only in --ipv6 runs */
#define ONLY_DAY 2 /* only while the household is up (site_awake) */

struct event_def {
	uint32_t at_ms;     /* from the site's start */
	uint32_t period_ms; /* 0: once */
	uint32_t jitter_ms;
	uint8_t kind, dev, cloud;
	uint16_t arg;
	uint8_t only;
};

/* ------------------------------------------------------------ data */

const struct dev_def *home_device(enum dev_id id);
const struct cloud_def *home_cloud(int cl);
/* The smart-home script, n entries, in start order. */
const struct event_def *home_script(size_t *n);

/* ------------------------------------------------------------ model */

static inline const struct gen_sink *site_sink(const struct site *st)
{
	return &st->sim->sink;
}

/* Whether the run has IPv6 (--ipv6). */
static inline bool site_v6(const struct site *st)
{
	return st->sim->opt->ipv6;
}

/* Whether d speaks IPv6 at time t: dual-stack, in a --ipv6 run, configured. */
static inline bool dev_v6(const struct site *st, const struct device *d, uint64_t t)
{
	return site_v6(st) && d->def->dual_stack && t >= d->ready_us;
}

/* Whether the household is up at t: 07:00 to 23:00 local time, which
 * is UTC (the simulated start, 08:00Z, is a morning). */
static inline bool site_awake(uint64_t t_us)
{
	uint64_t hour = t_us / 3600000000ULL % 24;

	return hour >= 7 && hour < 23;
}

/* A fixed hash of a site index, for per-site variation that needs no
 * random stream. */
uint64_t site_mix(uint32_t index);
/* Fills d, device id of st; bench varies the MACs per site. */
void device_init(struct site *st, struct device *d, enum dev_id id, bool bench);
/* d's next ephemeral port, in its stack's range; never reused in a run. */
uint16_t eph_port(struct site *st, struct device *d);
/* Cloud host cl's address in family (GEN_AF_INET or GEN_AF_INET6). */
void cloud_addr(int cl, int family, struct gen_addr *a);

/* Endpoints: a device (link_local picks fe80:: for IPv6), a cloud host
 * beyond the router, a multicast/broadcast group. */
void peer_dev(struct peer *p, struct site *st, const struct device *d, int family,
	      bool link_local);
void peer_cloud(struct peer *p, struct site *st, int cl, int family);
void peer_group(struct peer *p, const struct gen_addr *group);
/* A remote host beyond the router (as peer_cloud for any remote). */
void peer_remote(struct peer *p, struct site *st, const struct remote *r, int family);
/* Cloud host cl as a remote. */
void remote_of_cloud(int cl, struct remote *r);
/* A conversation from cli:cport to srv:sport with each side's TCP stack,
 * labelled app and name (NULL or a string that outlives the run). */
void conv_init(struct gen_conv *c, struct site *st, const struct peer *cli, uint16_t cport,
	       const struct peer *srv, uint16_t sport, uint8_t proto, uint8_t app,
	       const char *name);

#endif /* EW_GEN_HOME_H */
