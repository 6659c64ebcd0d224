/*
 * gen-discovery.c - service discovery on the LAN: the phone's mDNS browse
 * and the responders' answers (PTR/SRV/TXT/A), the Shelly's name probes
 * and announcements, SSDP M-SEARCH with unicast answers, and NOTIFY bursts.
 *
 * All of it is multicast from fixed ports (5353, 1900), so each sender
 * has one flow per group; the truth names an mDNS flow after the first
 * name of its first message.
 */
#include "gen-discovery.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "gen-bytes.h"
#include "gen-cloud.h"
#include "gen-dns.h"
#include "gen-truth.h"

/* ------------------------------------------------------------ mDNS */

struct mdns_service {
	enum dev_id dev;
	const char *type, *instance, *target;
	uint16_t port;
	const char *const txt[8];
};

static const struct mdns_service mdns_services[] = {
	{ DEV_NEST, "_googlecast._tcp.local",
	  "Google-Nest-Mini-8c3e1f5d2a7b4c6e9f0a1b2c3d4e5f60._googlecast._tcp.local",
	  "8c3e1f5d-2a7b-4c6e-9f0a-1b2c3d4e5f60.local", 8009,
	  { "id=8c3e1f5d2a7b4c6e9f0a1b2c3d4e5f60", "cd=5F3A1C9E0B7D2E4F6A8C0E2F4A6C8E0A", "rm=",
	    "ve=05", "md=Google Nest Mini", "ic=/setup/icon.png", "fn=Kitchen speaker", "st=0" } },
	{ DEV_HUE, "_hue._tcp.local", "Philips Hue - 6A2B3C._hue._tcp.local",
	  "001788fffe6a2b3c.local", 443, { "bridgeid=001788fffe6a2b3c", "modelid=BSB002" } },
	{ DEV_PRINTER, "_ipp._tcp.local", "HP OfficeJet Pro 9010 series [1A2B3C]._ipp._tcp.local",
	  "HP3CD92B1A2B3C.local", 631,
	  { "txtvers=1", "qtotal=1", "rp=ipp/print", "ty=HP OfficeJet Pro 9010 series",
	    "pdl=application/pdf,image/jpeg,image/urf", "Color=T", "Duplex=T",
	    "UUID=1c852a4d-b800-1f08-abcd-3cd92b1a2b3c" } },
	{ DEV_SONOS, "_sonos._tcp.local", "Sonos-48A6B8C0FFEE._sonos._tcp.local",
	  "Sonos-48A6B8C0FFEE.local", 1443,
	  { "info=/api/v1/players/RINCON_48A6B8C0FFEE01400/info", "vers=3", "protovers=1.43.1",
	    "bootseq=92", "hhid=Sonos_x8XP1FHJ2kQm" } },
};

static const char *const mdns_browse_types[] = {
	"_googlecast._tcp.local", "_airplay._tcp.local", "_raop._tcp.local", "_hue._tcp.local",
	"_ipp._tcp.local", "_sonos._tcp.local",
};

static size_t mdns_query(uint8_t *out, size_t cap, bool unicast_reply)
{
	size_t n = sizeof(mdns_browse_types) / sizeof(mdns_browse_types[0]);
	struct gen_buf b;

	gen_buf_init(&b, out, cap);
	gen_dns_header(&b, 0, 0, (uint16_t)n, 0, 0, 0);
	for (size_t i = 0; i < n; i++)
		gen_dns_question(&b, mdns_browse_types[i], DNS_PTR,
				 DNS_IN | (unicast_reply ? DNS_FLUSH : 0));
	return gen_buf_done(&b);
}

static void mdns_txt(struct gen_buf *b, const char *const *txt, size_t n)
{
	for (size_t i = 0; i < n && txt[i]; i++) {
		gen_put8(b, (uint8_t)strlen(txt[i]));
		gen_putstr(b, txt[i]);
	}
}

static size_t mdns_answer(uint8_t *out, size_t cap, const struct mdns_service *s,
			  const struct device *d, bool v6)
{
	struct gen_buf b;
	size_t rd;

	gen_buf_init(&b, out, cap);
	gen_dns_header(&b, 0, 0x8400, 0, 1, 0, v6 ? 4 : 3);
	rd = gen_dns_rr(&b, s->type, 0, DNS_PTR, DNS_IN, 4500);
	gen_dns_name(&b, s->instance);
	gen_dns_rr_end(&b, rd);
	rd = gen_dns_rr(&b, s->instance, 0, DNS_TXT, DNS_IN | DNS_FLUSH, 4500);
	mdns_txt(&b, s->txt, 8);
	gen_dns_rr_end(&b, rd);
	rd = gen_dns_rr(&b, s->instance, 0, DNS_SRV, DNS_IN | DNS_FLUSH, 120);
	gen_put16(&b, 0);
	gen_put16(&b, 0);
	gen_put16(&b, s->port);
	gen_dns_name(&b, s->target);
	gen_dns_rr_end(&b, rd);
	rd = gen_dns_rr(&b, s->target, 0, DNS_A, DNS_IN | DNS_FLUSH, 120);
	gen_putn(&b, d->ip4.b, 4);
	gen_dns_rr_end(&b, rd);
	if (v6) {
		rd = gen_dns_rr(&b, s->target, 0, DNS_AAAA, DNS_IN | DNS_FLUSH, 120);
		gen_putn(&b, d->ll6.b, 16);
		gen_dns_rr_end(&b, rd);
	}
	return gen_buf_done(&b);
}

static void mdns_conv(struct gen_conv *c, struct site *st, struct device *d, bool v6)
{
	struct gen_addr group;
	struct peer p, g;

	if (v6)
		gen_addr6(&group, 0xff02000000000000ULL, 0xfb);
	else
		gen_addr4(&group, 0xe00000fb);
	peer_dev(&p, st, d, v6 ? GEN_AF_INET6 : GEN_AF_INET, true);
	p.ttl = 255; /* RFC 6762 section 11 */
	peer_group(&g, &group);
	conv_init(c, st, &p, 5353, &g, 5353, 17, GEN_APP_MDNS, NULL);
}

/* The phone browses for services; each responder answers twice. */
void mdns_browse(struct site *st, struct device *phone, uint64_t t)
{
	static const uint32_t query_at_ms[3] = { 0, 1000, 3000 };
	uint8_t msg[1500];

	for (int v6 = 0; v6 <= (dev_v6(st, phone, t) ? 1 : 0); v6++) {
		struct gen_conv q;

		mdns_conv(&q, st, phone, v6);
		q.server_name = mdns_browse_types[0];
		for (int i = 0; i < 3; i++)
			gen_udp(site_sink(st), &q, 0, t + v6 * 2 * MS + query_at_ms[i] * MS, msg,
				mdns_query(msg, sizeof(msg), i == 0));
		for (size_t s = 0; s < sizeof(mdns_services) / sizeof(mdns_services[0]); s++) {
			struct device *d = &st->dev[mdns_services[s].dev];
			struct gen_conv a;

			if (v6 && !dev_v6(st, d, t))
				continue;
			mdns_conv(&a, st, d, v6);
			a.server_name = mdns_services[s].type; /* no question: the first answer's name */
			for (int i = 0; i < 2; i++)
				gen_udp(site_sink(st), &a, 0, t + query_at_ms[i] * MS + 20 * MS +
					gen_rng_below(&st->rng, 100 * MS), msg,
					mdns_answer(msg, sizeof(msg), &mdns_services[s], d, v6));
		}
	}
}

/* A device claims its host name: three probes, then two announcements. */
void mdns_announce(struct site *st, struct device *d, uint64_t t)
{
	const char *host = d->mdns_host;
	char inst[96];
	struct gen_conv c;
	uint8_t msg[1024];
	struct gen_buf b;
	size_t rd;

	snprintf(inst, sizeof(inst), "%s._http._tcp.local", d->def->hostname);
	mdns_conv(&c, st, d, false);
	c.server_name = host;
	for (int i = 0; i < 3; i++) {
		gen_buf_init(&b, msg, sizeof(msg));
		gen_dns_header(&b, 0, 0, 1, 0, 1, 0);
		gen_dns_question(&b, host, DNS_ANY, DNS_IN | DNS_FLUSH);
		rd = gen_dns_rr(&b, NULL, 12, DNS_A, DNS_IN, 120);
		gen_putn(&b, d->ip4.b, 4);
		gen_dns_rr_end(&b, rd);
		gen_udp(site_sink(st), &c, 0, t + (uint64_t)i * 250 * MS, msg, gen_buf_done(&b));
	}
	for (int i = 0; i < 2; i++) {
		static const char *const txt[] = { "gen=1", "app=SHPLG-S",
						   "ver=20230913-112003/v1.14.0-gcb84623" };

		gen_buf_init(&b, msg, sizeof(msg));
		gen_dns_header(&b, 0, 0x8400, 0, 4, 0, 0);
		rd = gen_dns_rr(&b, host, 0, DNS_A, DNS_IN | DNS_FLUSH, 120);
		gen_putn(&b, d->ip4.b, 4);
		gen_dns_rr_end(&b, rd);
		rd = gen_dns_rr(&b, "_http._tcp.local", 0, DNS_PTR, DNS_IN, 4500);
		gen_dns_name(&b, inst);
		gen_dns_rr_end(&b, rd);
		rd = gen_dns_rr(&b, inst, 0, DNS_SRV, DNS_IN | DNS_FLUSH, 120);
		gen_put16(&b, 0);
		gen_put16(&b, 0);
		gen_put16(&b, 80);
		gen_dns_name(&b, host);
		gen_dns_rr_end(&b, rd);
		rd = gen_dns_rr(&b, inst, 0, DNS_TXT, DNS_IN | DNS_FLUSH, 4500);
		mdns_txt(&b, txt, 3);
		gen_dns_rr_end(&b, rd);
		gen_udp(site_sink(st), &c, 0, t + 750 * MS + (uint64_t)i * SEC, msg, gen_buf_done(&b));
	}
}

/* ------------------------------------------------------------ SSDP */

struct ssdp_def {
	enum dev_id dev;
	uint16_t port;        /* of the description URL */
	const char *path;
	const char *server, *uuid, *extra;
	const char *types[3]; /* NT/ST values after upnp:rootdevice and uuid */
};

static const struct ssdp_def ssdp_defs[] = {
	{ DEV_HUE, 80, "/description.xml", "Hue/1.0 UPnP/1.0 IpBridge/1.65.0",
	  "2f402f80-da50-11e1-9b23-0017886a2b3c", "hue-bridgeid: 001788FFFE6A2B3C\r\n",
	  { "urn:schemas-upnp-org:device:basic:1" } },
	{ DEV_SONOS, 1400, "/xml/device_description.xml",
	  "Linux UPnP/1.0 Sonos/80.1-55240 (ZPS18)", "RINCON_48A6B8C0FFEE01400",
	  "X-RINCON-HOUSEHOLD: Sonos_x8XP1FHJ2kQm\r\nX-RINCON-BOOTSEQ: 92\r\n",
	  { "urn:schemas-upnp-org:device:ZonePlayer:1" } },
	{ DEV_PRINTER, 5200, "/Printer.xml",
	  "HP HTTP Server; HP OfficeJet Pro 9010 series - 1KR49B; Serial Number: TH12A3B4C5",
	  "1c852a4d-b800-1f08-abcd-3cd92b1a2b3c", "",
	  { "urn:schemas-upnp-org:device:Printer:1" } },
};

static const struct ssdp_def *ssdp_def_of(enum dev_id id)
{
	for (size_t i = 0; i < sizeof(ssdp_defs) / sizeof(ssdp_defs[0]); i++)
		if (ssdp_defs[i].dev == id)
			return &ssdp_defs[i];
	return NULL;
}

/* NT/ST value k of a device: rootdevice, its uuid, then its types. */
static void ssdp_type(const struct ssdp_def *s, int k, char *out, size_t len)
{
	if (k == 0)
		snprintf(out, len, "upnp:rootdevice");
	else if (k == 1)
		snprintf(out, len, "uuid:%s", s->uuid);
	else
		snprintf(out, len, "%s", s->types[k - 2]);
}

static size_t ssdp_message(uint8_t *out, size_t cap, const struct ssdp_def *s, const struct device *d,
			   int k, bool notify, uint64_t ts_us)
{
	char ip[INET_ADDRSTRLEN], loc[96], nt[96], usn[192], date[64];
	struct gen_buf b;

	inet_ntop(AF_INET, d->ip4.b, ip, sizeof(ip));
	snprintf(loc, sizeof(loc), "http://%s:%u%s", ip, s->port, s->path);
	ssdp_type(s, k, nt, sizeof(nt));
	if (k == 1)
		snprintf(usn, sizeof(usn), "uuid:%s", s->uuid);
	else
		snprintf(usn, sizeof(usn), "uuid:%s::%s", s->uuid, nt);
	gen_buf_init(&b, out, cap);
	if (notify) {
		gen_putf(&b, "NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nCACHE-CONTROL: "
			 "max-age=1800\r\nLOCATION: %s\r\nNT: %s\r\nNTS: ssdp:alive\r\nSERVER: %s\r\n"
			 "%sUSN: %s\r\n\r\n", loc, nt, s->server, s->extra, usn);
	} else {
		http_date(date, sizeof(date), ts_us);
		gen_putf(&b, "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age = 1800\r\nDATE: %s\r\nEXT:\r\n"
			 "LOCATION: %s\r\nSERVER: %s\r\nST: %s\r\n%sUSN: %s\r\n\r\n", date, loc,
			 s->server, nt, s->extra, usn);
	}
	return gen_buf_done(&b);
}

static void ssdp_group_conv(struct gen_conv *c, struct site *st, struct device *d, uint16_t port)
{
	struct gen_addr group;
	struct peer p, g;

	gen_addr4(&group, 0xeffffffa);
	peer_dev(&p, st, d, GEN_AF_INET, false);
	p.ttl = 2; /* UPnP Device Architecture 1.1: TTL default 2 */
	peer_group(&g, &group);
	conv_init(c, st, &p, port, &g, 1900, 17, GEN_APP_SSDP, NULL);
}

void ssdp_notify(struct site *st, struct device *d, uint64_t t)
{
	const struct ssdp_def *s = ssdp_def_of(d->id);
	struct gen_conv c;
	uint8_t msg[1024];

	if (!s)
		return;
	/* Each burst from a fresh socket: repeats never extend an old flow. */
	ssdp_group_conv(&c, st, d, eph_port(st, d));
	for (int k = 0; k < 3; k++)
		gen_udp(site_sink(st), &c, 0, t + (uint64_t)k * 30 * MS, msg,
			ssdp_message(msg, sizeof(msg), s, d, k, true, t));
}

/* The phone's M-SEARCHes and the unicast answers (MX 1: within a second). */
void ssdp_search(struct site *st, struct device *phone, uint64_t t)
{
	static const char *const targets[2] = { "urn:schemas-upnp-org:device:ZonePlayer:1", "ssdp:all" };
	struct gen_conv q;
	uint8_t msg[1024];
	struct gen_buf b;

	ssdp_group_conv(&q, st, phone, eph_port(st, phone));
	for (int i = 0; i < 2; i++) {
		gen_buf_init(&b, msg, sizeof(msg));
		gen_putf(&b, "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\n"
			 "MX: 1\r\nST: %s\r\nUSER-AGENT: iOS/17.3 UPnP/1.1 Sonos/16.1\r\n\r\n", targets[i]);
		gen_udp(site_sink(st), &q, 0, t + (uint64_t)i * 120 * MS, msg, gen_buf_done(&b));
	}
	for (size_t i = 0; i < sizeof(ssdp_defs) / sizeof(ssdp_defs[0]); i++) {
		const struct ssdp_def *s = &ssdp_defs[i];
		struct device *d = &st->dev[s->dev];
		/* Which NT values each device answers with: Sonos its player type
		 * (to the ZonePlayer search) and its root device (to ssdp:all),
		 * the bridge all three of its types, the printer its root. */
		static const int sonos[] = { 2, 0, -1 }, hue[] = { 0, 1, 2, -1 }, printer[] = { 0, -1 };
		const int *k = s->dev == DEV_SONOS ? sonos : s->dev == DEV_HUE ? hue : printer;
		uint64_t ta = t + (s->dev == DEV_SONOS ? 0 : 120 * MS);
		struct peer pd, pp;
		struct gen_conv a;

		peer_dev(&pd, st, d, GEN_AF_INET, false);
		peer_dev(&pp, st, phone, GEN_AF_INET, false);
		conv_init(&a, st, &pd, 1900, &pp, q.port[0], 17, GEN_APP_SSDP, NULL);
		for (; *k >= 0; k++) {
			ta += 5 * MS + gen_rng_below(&st->rng, 300 * MS); /* MX 1: within a second */
			gen_udp(site_sink(st), &a, 0, ta, msg, ssdp_message(msg, sizeof(msg), s, d, *k, false, ta));
		}
	}
}
