/*
 * gen-lan.c - the LAN's own traffic: DHCP joins and renewals, ARP (RFC 5227
 * probes and announcements, neighbour re-checks), IPv6 SLAAC with ND and
 * MLDv2, and ICMP echo.
 *
 * Each DHCP client sends the options its real software sends (see the
 * device table in gen-home.c), since sensors fingerprint them.
 */
#include "gen-lan.h"

#include <string.h>

#include "gen-bytes.h"
#include "gen-truth.h"

/* ------------------------------------------------------------ DHCP, ARP */

enum { DHCPDISCOVER = 1, DHCPOFFER = 2, DHCPREQUEST = 3, DHCPACK = 5 };
#define BOOTP_MIN_LEN 300 /* clients and servers pad to the BOOTP size */
#define ARP_REQUEST 1
#define ARP_REPLY 2

static const uint8_t bcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* A link-level helper: ARP frames exist only on links that carry them. */
static void arp(struct site *st, uint64_t t, uint16_t op, const uint8_t *eth_dst,
		const uint8_t *sha, uint32_t spa, const uint8_t *tha, uint32_t tpa)
{
	static const uint8_t zero[6];

	if (gen_link_has_arp(st->sim->opt->link))
		gen_arp(site_sink(st), t, op, eth_dst, sha, spa, tha ? tha : zero, tpa);
}

static uint32_t ip4_of(const struct device *d)
{
	return (uint32_t)d->ip4.b[0] << 24 | (uint32_t)d->ip4.b[1] << 16 |
	       (uint32_t)d->ip4.b[2] << 8 | d->ip4.b[3];
}

static void dhcp_client_options(struct gen_buf *b, const struct site *st, const struct device *d,
				uint8_t type, bool renewing)
{
	const struct dev_def *def = d->def;

	gen_put8(b, 61); /* client identifier: hardware type 1 + MAC */
	gen_put8(b, 7);
	gen_put8(b, 1);
	gen_putn(b, d->mac, 6);
	if (!renewing && (type == DHCPREQUEST || def->tcp == TCP_WINDOWS || def->tcp == TCP_APPLE)) {
		gen_put8(b, 50); /* requested address */
		gen_put8(b, 4);
		gen_putn(b, d->ip4.b, 4);
	}
	if (type == DHCPREQUEST && !renewing) {
		gen_put8(b, 54); /* the server chosen */
		gen_put8(b, 4);
		gen_putn(b, st->dev[DEV_ROUTER].ip4.b, 4);
	}
	if (def->dhcp_max_msg) {
		gen_put8(b, 57); /* maximum message size */
		gen_put8(b, 2);
		gen_put16(b, def->dhcp_max_msg);
	}
	if (def->tcp == TCP_APPLE) {
		gen_put8(b, 51);
		gen_put8(b, 4);
		gen_put32(b, 7776000);
	}
	gen_put8(b, 12);
	gen_put8(b, (uint8_t)strlen(def->hostname));
	gen_putstr(b, def->hostname);
	if (def->fqdn && type == DHCPREQUEST) {
		gen_put8(b, 81); /* flags 0: the server does not update DNS */
		gen_put8(b, (uint8_t)(3 + strlen(def->hostname)));
		gen_put8(b, 0);
		gen_put8(b, 0);
		gen_put8(b, 0);
		gen_putstr(b, def->hostname);
	}
	if (def->vendor_class) {
		gen_put8(b, 60);
		gen_put8(b, (uint8_t)strlen(def->vendor_class));
		gen_putstr(b, def->vendor_class);
	}
	gen_put8(b, 55);
	gen_put8(b, (uint8_t)strlen((const char *)def->prl));
	gen_putstr(b, (const char *)def->prl);
}

static void dhcp_server_options(struct gen_buf *b, const struct site *st)
{
	const uint8_t *r = st->dev[DEV_ROUTER].ip4.b;

	gen_put8(b, 54);
	gen_put8(b, 4);
	gen_putn(b, r, 4);
	gen_put8(b, 51);
	gen_put8(b, 4);
	gen_put32(b, 86400);
	gen_put8(b, 58);
	gen_put8(b, 4);
	gen_put32(b, 43200);
	gen_put8(b, 59);
	gen_put8(b, 4);
	gen_put32(b, 75600);
	gen_put8(b, 1);
	gen_put8(b, 4);
	gen_put32(b, 0xffffff00);
	gen_put8(b, 28);
	gen_put8(b, 4);
	gen_put32(b, st->net4 | 0xff);
	gen_put8(b, 3);
	gen_put8(b, 4);
	gen_putn(b, r, 4);
	gen_put8(b, 6);
	gen_put8(b, 4);
	gen_putn(b, r, 4);
	gen_put8(b, 15);
	gen_put8(b, 3);
	gen_putstr(b, "lan");
}

static size_t dhcp_message(uint8_t *out, size_t cap, const struct site *st, const struct device *d,
			   uint8_t type, uint32_t xid, uint16_t secs, bool renewing)
{
	bool server = type == DHCPOFFER || type == DHCPACK;
	struct gen_buf b;

	gen_buf_init(&b, out, cap);
	gen_put8(&b, server ? 2 : 1); /* BOOTREPLY / BOOTREQUEST */
	gen_put8(&b, 1);
	gen_put8(&b, 6);
	gen_put8(&b, 0);
	gen_put32(&b, xid);
	gen_put16(&b, server ? 0 : secs);
	gen_put16(&b, d->def->dhcp_bcast && !renewing ? 0x8000 : 0);
	gen_putn(&b, renewing ? d->ip4.b : (const uint8_t[4]){ 0 }, 4); /* ciaddr */
	gen_putn(&b, server ? d->ip4.b : (const uint8_t[4]){ 0 }, 4);   /* yiaddr */
	gen_put32(&b, 0);
	gen_put32(&b, 0);
	gen_putn(&b, d->mac, 6);
	for (int i = 0; i < 10 + 64 + 128; i++) /* chaddr padding, sname, file */
		gen_put8(&b, 0);
	gen_put32(&b, 0x63825363);
	gen_put8(&b, 53);
	gen_put8(&b, 1);
	gen_put8(&b, type);
	if (server)
		dhcp_server_options(&b, st);
	else
		dhcp_client_options(&b, st, d, type, renewing);
	gen_put8(&b, 255);
	while (b.len < BOOTP_MIN_LEN && !b.overflow)
		gen_put8(&b, 0);
	return gen_buf_done(&b);
}

/* Client-side conversation of a DHCP exchange, and the server's replies. */
static void dhcp_convs(struct gen_conv *cli, struct gen_conv *srv, struct site *st,
		       struct device *d, bool renewing)
{
	struct device *r = &st->dev[DEV_ROUTER];
	struct gen_addr any, all;
	struct peer pc, pr, pg;

	gen_addr4(&any, 0);
	gen_addr4(&all, 0xffffffff);
	peer_dev(&pc, st, d, GEN_AF_INET, false);
	peer_dev(&pr, st, r, GEN_AF_INET, false);
	if (renewing) {
		conv_init(cli, st, &pc, 68, &pr, 67, 17, GEN_APP_DHCP, NULL);
		*srv = *cli;
		return;
	}
	pc.addr = any;
	peer_group(&pg, &all);
	conv_init(cli, st, &pc, 68, &pg, 67, 17, GEN_APP_DHCP, NULL);
	/* Offers go to the broadcast address if the client asked, else to
	 * the offered address at the client's MAC. */
	pc.addr = d->def->dhcp_bcast ? all : d->ip4;
	if (d->def->dhcp_bcast)
		memcpy(pc.mac, bcast_mac, 6);
	conv_init(srv, st, &pr, 67, &pc, 68, 17, GEN_APP_DHCP, NULL);
}

/* DORA, then RFC 5227 probes/announcements and the gateway lookup. */
uint64_t dhcp_join(struct site *st, struct device *d, uint64_t t)
{
	struct device *r = &st->dev[DEV_ROUTER];
	struct gen_conv cli, srv;
	uint8_t msg[600];
	uint32_t xid = (uint32_t)gen_rng_next(&st->rng);
	bool new_lease = d->id == DEV_PHONE || d->id == DEV_SHELLY;
	uint64_t t_offer, t_req, t_ack, tp;

	dhcp_convs(&cli, &srv, st, d, false);
	gen_udp(site_sink(st), &cli, 0, t, msg, dhcp_message(msg, sizeof(msg), st, d, DHCPDISCOVER, xid, 0, false));
	/* For an address it has not leased before, the server pings it first;
	 * nobody answers the ARP, so no echo request ever leaves. */
	if (new_lease) {
		arp(st, t + 900, ARP_REQUEST, bcast_mac, r->mac, ip4_of(r), NULL, ip4_of(d));
		arp(st, t + 1000900, ARP_REQUEST, bcast_mac, r->mac, ip4_of(r), NULL, ip4_of(d));
	}
	t_offer = t + (new_lease ? 2 * SEC : 1500 + gen_rng_below(&st->rng, 3000));
	gen_udp(site_sink(st), &srv, 0, t_offer, msg, dhcp_message(msg, sizeof(msg), st, d, DHCPOFFER, xid, 0, false));
	t_req = t_offer + d->def->lan_delay_us + 3000 + gen_rng_below(&st->rng, 8000);
	gen_udp(site_sink(st), &cli, 0, t_req, msg, dhcp_message(msg, sizeof(msg), st, d, DHCPREQUEST, xid,
							 d->def->tcp == TCP_WINDOWS ? 2 : 0, false));
	t_ack = t_req + 1200 + gen_rng_below(&st->rng, 2000);
	gen_udp(site_sink(st), &srv, 0, t_ack, msg, dhcp_message(msg, sizeof(msg), st, d, DHCPACK, xid, 0, false));
	tp = t_ack + 30 * MS;
	for (int i = 0; i < d->def->arp_probes; i++) {
		arp(st, tp, ARP_REQUEST, bcast_mac, d->mac, 0, NULL, ip4_of(d));
		tp += SEC + gen_rng_below(&st->rng, 400 * MS);
	}
	for (int i = 0; i < (d->def->arp_probes > 1 ? 2 : 1); i++) {
		arp(st, tp, ARP_REQUEST, bcast_mac, d->mac, ip4_of(d), NULL, ip4_of(d));
		tp += (d->def->arp_probes > 1 ? 2 * SEC : 0) + 5 * MS;
	}
	arp(st, tp, ARP_REQUEST, bcast_mac, d->mac, ip4_of(d), NULL, ip4_of(r));
	arp(st, tp + 400, ARP_REPLY, d->mac, r->mac, ip4_of(r), d->mac, ip4_of(d));
	return tp + MS;
}

void dhcp_renew(struct site *st, struct device *d, uint64_t t)
{
	struct gen_conv c, unused;
	uint8_t msg[600];
	uint32_t xid = (uint32_t)gen_rng_next(&st->rng);

	dhcp_convs(&c, &unused, st, d, true);
	gen_udp(site_sink(st), &c, 0, t, msg, dhcp_message(msg, sizeof(msg), st, d, DHCPREQUEST, xid, 0, true));
	gen_udp(site_sink(st), &c, 1, t + c.delay_us[1] + 900, msg,
		dhcp_message(msg, sizeof(msg), st, d, DHCPACK, xid, 0, true));
}

/* The router (or a device) re-confirms a neighbour with a unicast ARP. */
void arp_refresh(struct site *st, uint64_t t)
{
	struct device *r = &st->dev[DEV_ROUTER];

	for (unsigned tries = 0; tries < DEV_COUNT; tries++) {
		struct device *d = &st->dev[st->arp_next++ % DEV_COUNT];

		if (d->ready_us > t)
			continue;
		if (st->arp_next % 3 == 0) {
			arp(st, t, ARP_REQUEST, r->mac, d->mac, ip4_of(d), NULL, ip4_of(r));
			arp(st, t + 300, ARP_REPLY, d->mac, r->mac, ip4_of(r), d->mac, ip4_of(d));
		} else {
			arp(st, t, ARP_REQUEST, d->mac, r->mac, ip4_of(r), NULL, ip4_of(d));
			arp(st, t + d->def->lan_delay_us, ARP_REPLY, r->mac, d->mac, ip4_of(d), r->mac,
			    ip4_of(r));
		}
		return;
	}
}

/* ------------------------------------------------------------ IPv6 ND, MLD */

enum { ICMP6_ECHO = 128, MLD_QUERY = 130, ND_RS = 133, ND_RA = 134, ND_NS = 135, ND_NA = 136,
       MLD2_REPORT = 143 };

static void icmp6(struct site *st, uint64_t t, const struct gen_addr *src, const uint8_t *smac,
		  const struct gen_addr *dst, const uint8_t *dmac, uint8_t type, uint32_t rest,
		  const uint8_t *body, size_t len)
{
	bool mld = type == MLD_QUERY || type == MLD2_REPORT;
	struct gen_conv c;

	memset(&c, 0, sizeof(c));
	c.addr[0] = *src;
	c.addr[1] = *dst;
	memcpy(c.mac[0], smac, 6);
	if (dmac)
		memcpy(c.mac[1], dmac, 6);
	else
		gen_group_mac(dst, c.mac[1]);
	/* ND must arrive with hop limit 255 (RFC 4861); MLD is link-local, 1,
	 * and carries a router alert in a hop-by-hop header (RFC 3810). */
	c.ttl[0] = mld ? 1 : 255;
	c.opts = mld ? GEN_OPT_IP6_HBH : 0;
	c.proto = 58;
	c.app = GEN_APP_ICMPV6;
	gen_icmp(site_sink(st), &c, 0, t, type, 0, rest, body, len);
}

static size_t nd_lla(uint8_t *p, uint8_t type, const uint8_t mac[6])
{
	p[0] = type; /* 1: source, 2: target link-layer address */
	p[1] = 1;
	memcpy(p + 2, mac, 6);
	return 8;
}

static void nd_ns(struct site *st, uint64_t t, const struct gen_addr *src, const uint8_t *mac,
		  const struct gen_addr *target)
{
	struct gen_addr sn;
	uint8_t body[24];
	bool dad = src->b[0] == 0;

	gen_solicited_node(target, &sn);
	memcpy(body, target->b, 16);
	icmp6(st, t, src, mac, &sn, NULL, ND_NS, 0, body, dad ? 16 : 16 + nd_lla(body + 16, 1, mac));
}

static void nd_na(struct site *st, uint64_t t, const struct gen_addr *src, const uint8_t *smac,
		  const struct gen_addr *dst, const uint8_t *dmac, bool router)
{
	uint8_t body[24];

	memcpy(body, src->b, 16);
	icmp6(st, t, src, smac, dst, dmac, ND_NA, (router ? 0x80000000u : 0) | 0x60000000u, body,
	      16 + nd_lla(body + 16, 2, smac));
}

static void mld_report(struct site *st, uint64_t t, const struct gen_addr *src, const uint8_t *mac,
		       const struct gen_addr *groups, size_t n, uint8_t record_type)
{
	struct gen_addr all_mld;
	uint8_t body[4 * 20];

	gen_addr6(&all_mld, 0xff02000000000000ULL, 0x16);
	for (size_t i = 0; i < n && i < 4; i++) {
		body[i * 20] = record_type; /* 4: CHANGE_TO_EXCLUDE (join), 2: MODE_IS_EXCLUDE */
		body[i * 20 + 1] = 0;
		body[i * 20 + 2] = body[i * 20 + 3] = 0;
		memcpy(body + i * 20 + 4, groups[i].b, 16);
	}
	icmp6(st, t, src, mac, &all_mld, NULL, MLD2_REPORT, (uint32_t)n, body, n * 20);
}

static size_t ra_body(uint8_t *p, const struct site *st)
{
	const struct device *r = &st->dev[DEV_ROUTER];
	size_t n = 8;

	memset(p, 0, 8); /* reachable time, retransmit timer: unspecified */
	n += nd_lla(p + n, 1, r->mac);
	memcpy(p + n, (const uint8_t[8]){ 5, 1, 0, 0, 0, 0, 0x05, 0xdc }, 8); /* MTU 1500 */
	n += 8;
	memcpy(p + n, (const uint8_t[16]){ 3, 4, 64, 0xc0, 0, 1, 0x51, 0x80, 0, 0, 0x38, 0x40 }, 16);
	memcpy(p + n + 16, r->gl6.b, 8); /* prefix: on-link, autonomous, 1 d / 4 h */
	memset(p + n + 24, 0, 8);
	n += 32;
	memcpy(p + n, (const uint8_t[8]){ 25, 3, 0, 0, 0, 0, 0x07, 0x08 }, 8); /* RDNSS, 1800 s */
	memcpy(p + n + 8, r->gl6.b, 16);
	return n + 24;
}

/* SLAAC at link-up: MLD join and DAD from ::, RS/RA, neighbour lookups. */
void v6_join(struct site *st, struct device *d, uint64_t t)
{
	struct device *r = &st->dev[DEV_ROUTER];
	struct gen_addr any, groups[2], all_routers;
	uint8_t body[128];

	memset(&any, 0, sizeof(any));
	any.family = GEN_AF_INET6;
	gen_addr6(&all_routers, 0xff02000000000000ULL, 2);
	gen_solicited_node(&d->ll6, &groups[0]);
	gen_solicited_node(&d->gl6, &groups[1]);
	mld_report(st, t, &any, d->mac, groups, 2, 4);
	nd_ns(st, t + 8 * MS, &any, d->mac, &d->ll6);
	mld_report(st, t + 450 * MS, &any, d->mac, groups, 2, 4);
	icmp6(st, t + 1010 * MS, &d->ll6, d->mac, &all_routers, NULL, ND_RS, 0, body,
	      nd_lla(body, 1, d->mac));
	icmp6(st, t + 1012 * MS, &r->ll6, r->mac, &d->ll6, d->mac, ND_RA, 64u << 24 | 1800, body,
	      ra_body(body, st));
	nd_ns(st, t + 1200 * MS, &any, d->mac, &d->gl6);
	nd_ns(st, t + 2300 * MS, &d->gl6, d->mac, &r->gl6);
	nd_na(st, t + 2300 * MS + 400, &r->gl6, r->mac, &d->gl6, d->mac, true);
	nd_ns(st, t + 2310 * MS, &r->gl6, r->mac, &d->gl6);
	nd_na(st, t + 2310 * MS + d->def->lan_delay_us, &d->gl6, d->mac, &r->gl6, r->mac, false);
}

static bool speaks_mdns(enum dev_id id)
{
	return id == DEV_HASS || id == DEV_HUE || id == DEV_NEST || id == DEV_SONOS ||
	       id == DEV_PRINTER || id == DEV_PHONE;
}

/* The router's periodic RA and MLD general query; everyone reports. */
void v6_query(struct site *st, uint64_t t)
{
	struct device *r = &st->dev[DEV_ROUTER];
	struct gen_addr all_nodes, groups[3];
	uint8_t body[128];

	gen_addr6(&all_nodes, 0xff02000000000000ULL, 1);
	icmp6(st, t, &r->ll6, r->mac, &all_nodes, NULL, ND_RA, 64u << 24 | 1800, body, ra_body(body, st));
	memset(body, 0, 20);
	body[16] = 2;   /* QRV */
	body[17] = 125; /* QQIC: 125 s */
	icmp6(st, t + 4 * MS, &r->ll6, r->mac, &all_nodes, NULL, MLD_QUERY, 10000u << 16, body, 20);
	for (int i = 0; i < DEV_COUNT; i++) {
		struct device *d = &st->dev[i];
		size_t n = 0;

		if (!dev_v6(st, d, t))
			continue;
		gen_solicited_node(&d->ll6, &groups[n++]);
		if (memcmp(d->ll6.b + 13, d->gl6.b + 13, 3) != 0)
			gen_solicited_node(&d->gl6, &groups[n++]);
		if (speaks_mdns(d->id))
			gen_addr6(&groups[n++], 0xff02000000000000ULL, 0xfb);
		mld_report(st, t + 50 * MS + gen_rng_below(&st->rng, 9 * SEC), &d->ll6, d->mac, groups, n, 2);
	}
}

/* ------------------------------------------------------------ ICMP echo */

void icmp_ping(struct site *st, struct device *d, bool to_cloud, uint64_t t)
{
	static const char win_payload[] = "abcdefghijklmnopqrstuvwabcdefghi";
	int fam = to_cloud && dev_v6(st, d, t) ? GEN_AF_INET6 : GEN_AF_INET;
	struct peer cli, srv;
	struct gen_conv c;
	uint16_t seq = (uint16_t)(0x20 + gen_rng_below(&st->rng, 200));

	peer_dev(&cli, st, d, fam, false);
	if (to_cloud)
		peer_cloud(&srv, st, CL_BING, fam);
	else
		peer_dev(&srv, st, &st->dev[DEV_ROUTER], fam, false);
	conv_init(&c, st, &cli, 0, &srv, 0, fam == GEN_AF_INET ? 1 : 58,
		  fam == GEN_AF_INET ? GEN_APP_ICMP : GEN_APP_ICMPV6, NULL);
	/* "ping -r 9" to the router; over IPv6 a destination-options header. */
	c.opts = to_cloud ? (fam == GEN_AF_INET6 ? GEN_OPT_IP6_DST : 0) : GEN_OPT_IP4_RR;
	for (int i = 0; i < 4; i++, t += SEC) {
		uint32_t rest = 1u << 16 | (uint16_t)(seq + i);
		uint8_t req = fam == GEN_AF_INET ? 8 : ICMP6_ECHO;

		gen_icmp(site_sink(st), &c, 0, t, req, 0, rest, (const uint8_t *)win_payload, 32);
		gen_icmp(site_sink(st), &c, 1, t + c.delay_us[1], (uint8_t)(fam == GEN_AF_INET ? 0 : req + 1),
			 0, rest, (const uint8_t *)win_payload, 32);
	}
}
