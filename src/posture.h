/*
 * posture.h - the encryption and hygiene audit: per device, what the wire
 * shows about how it is kept (issue 7).
 *
 * Each ended flow is looked at from the device's side: the clear-text
 * protocols it uses (telnet, FTP, HTTP to the Internet, MQTT on 1883,
 * SNMP v1/v2c, CoAP without DTLS), what nDPI saw of its TLS (an obsolete
 * version, a weak cipher, a self-signed or expired certificate),
 * credentials it sent in clear, services it exposes (telnet; UPnP/SSDP or
 * anything answered to the Internet), and the DNS resolvers it uses
 * (unexpected ones when network.dns_servers lists the expected).  A
 * finding is recorded once per device with when it was first and last
 * seen, how often, and an example a person can check ("203.0.113.5:23").
 *
 * posture_observe() says which findings are new for the device, so the
 * caller writes a `posture` event exactly when a device's posture changes.
 *
 * Bounded: at most cap devices (the one unseen longest is dropped when
 * full, counted); O(1) per flow apart from the resolver set (4 per device).
 *
 * Ownership: the table owns its records; risk bits and the resolver list
 * are copied at create.  Nothing here prints.
 */
#ifndef EW_POSTURE_H
#define EW_POSTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "packet.h"
#include "util-cidr.h"

enum posture_finding {
	PF_TELNET = 0,          /* uses telnet (either end) */
	PF_FTP,                 /* uses FTP */
	PF_HTTP_CLEAR,          /* plain HTTP to the Internet */
	PF_CLEARTEXT_CREDENTIALS, /* credentials seen in clear (nDPI; an MQTT login) */
	PF_MQTT_CLEAR,          /* MQTT without TLS (tcp/1883) */
	PF_SNMP,                /* SNMP v1/v2c: community strings in clear */
	PF_COAP_CLEAR,          /* CoAP without DTLS (udp/5683) */
	PF_TLS_OBSOLETE,        /* TLS older than 1.2 (nDPI) */
	PF_TLS_WEAK_CIPHER,     /* weak TLS cipher (nDPI) */
	PF_TLS_SELF_SIGNED,     /* a self-signed certificate (nDPI) */
	PF_TLS_EXPIRED,         /* an expired certificate (nDPI) */
	PF_EXPOSES_TELNET,      /* answers telnet */
	PF_EXPOSES_UPNP,        /* answers SSDP/UPnP to the Internet */
	PF_EXPOSED_TO_INTERNET, /* answers a connection from the Internet */
	PF_UNEXPECTED_RESOLVER, /* asks a DNS resolver outside network.dns_servers */
	PF_WEAK_CREDENTIALS,    /* logs in with a default, empty or user-name password, in clear */
	PF_COUNT
};

/* "telnet", "ftp", "http_clear", ...; NULL out of range. */
const char *posture_finding_name(enum posture_finding f);

#define POSTURE_EXAMPLE_MAX 64 /* bytes of an example, NUL included */
#define POSTURE_RESOLVERS 4    /* DNS resolvers kept per device */

struct posture_item {
	ew_usec_t first_us, last_us;
	uint32_t count;
	char example[POSTURE_EXAMPLE_MAX]; /* "203.0.113.5:23": the first flow that showed it */
};

struct posture_device {
	uint64_t key;                 /* the device's identity (score.h) */
	uint32_t findings;            /* bit per enum posture_finding */
	struct posture_item item[PF_COUNT];
	struct ew_addr resolver[POSTURE_RESOLVERS];
	uint8_t nresolvers;
};

/* One ended flow, from the device's side. */
struct posture_view {
	bool device_is_client;        /* the device opened the flow */
	bool peer_internal;           /* the other end is inside the home networks */
	uint8_t proto;                /* IP protocol */
	uint16_t server_port;
	const struct ew_addr *peer;   /* the other end's address */
	const char *app;              /* nDPI's "master.app" name, lower or upper case; "" unknown */
	bool app_guessed;             /* nDPI named it by its port alone: not evidence of use */
	uint64_t risk;                /* nDPI risk bitmap */
	bool answered;                /* the server accepted: a SYN+ACK for TCP, any reply otherwise */
	bool login_clear;             /* the client sent a password in clear (an MQTT login) */
	bool login_weak;              /* and it was a default, empty or its user name */
};

/* nDPI risk bits the audit reads, by the caller (dpi.h: dpi_risk_from_name), -1 when unknown. */
struct posture_risks {
	int cleartext_credentials, tls_obsolete, tls_weak_cipher, tls_self_signed, tls_expired;
};

struct posture_stats {
	uint64_t devices, evicted, flows;
};

struct posture;

/* NULL on allocation failure.  dns_servers may be NULL or empty (any resolver is expected). */
struct posture *posture_create(uint32_t cap, const struct posture_risks *risks,
			       const struct ew_cidr_list *dns_servers);
void posture_destroy(struct posture *p); /* accepts NULL */

/* Records what the flow shows; returns the bits of findings new for the device. */
uint32_t posture_observe(struct posture *p, uint64_t device_key, const struct posture_view *v,
			 ew_usec_t ts);

/* The device's record, or NULL; valid until the next observe. */
const struct posture_device *posture_find(const struct posture *p, uint64_t device_key);

/* Calls fn for every device with findings, in order of first sight. */
void posture_foreach(const struct posture *p,
		     void (*fn)(void *ctx, const struct posture_device *d), void *ctx);

const struct posture_stats *posture_get_stats(const struct posture *p);

#endif /* EW_POSTURE_H */
