/*
 * gen-attack-scan.c - the attacks made of raw packets: Mirai's telnet
 * scanner, a UDP flood, ARP cache poisoning and a SYN scan of the LAN.
 */
#include "gen-attack-private.h"

#include <string.h>

#include "gen-rng.h"
#include "gen-truth.h"

#define ARP_REQUEST 1
#define ARP_REPLY 2

static const uint8_t bcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t zero_mac[6];

/* ------------------------------------------------------------ mirai_scan */

/*
 * Mirai's scanner (2016, and the many bots built from its published
 * source): a raw socket sends TCP SYNs without options to random IPv4
 * addresses, 9 in 10 on port 23 and 1 in 10 on 2323, from one source
 * port and window drawn at start, a random IP id per packet, and the
 * sequence number set to the destination address so that answers can be
 * recognised without state.  It skips the ranges its source skips in
 * spirit: private, loopback, multicast and reserved networks and a few
 * large organisations' /8s.  Most targets never answer; a few send RST,
 * fewer SYN-ACK (which the camera's own kernel, knowing no socket,
 * resets).  Some addresses fall in the home's own /24: the camera ARPs
 * for them, and only those that exist get the SYN (and answer RST).
 */
static bool mirai_skips(uint32_t ip)
{
	static const uint8_t skip_first[] = { 0, 3, 6, 7, 10, 11, 15, 16, 21, 22, 26, 28, 29, 30,
					      33, 55, 56, 127, 214, 215 };
	uint8_t a = (uint8_t)(ip >> 24), b = (uint8_t)(ip >> 16);

	for (size_t i = 0; i < sizeof(skip_first); i++)
		if (a == skip_first[i])
			return true;
	return a >= 224 || (a == 192 && b == 168) || (a == 172 && b >= 16 && b < 32) ||
	       (a == 100 && b >= 64 && b < 128) || (a == 169 && b == 254) ||
	       (a == 198 && (b == 18 || b == 19));
}

static void mirai_probe(struct attack_run *run, uint64_t t, uint32_t dst, bool internal)
{
	struct site *st = run->st;
	struct device *cam = attack_device(run), *target = NULL;
	const struct gen_sink *sk = site_sink(st);
	struct gen_rng *rng = &st->rng;
	struct peer src, dstp;
	struct gen_conv c;

	if (internal) {
		target = attack_device_at(st, dst & 0xff);
		if (!target) {
			/* The kernel asks who has it; nobody answers, no SYN leaves. */
			gen_arp(sk, t, ARP_REQUEST, bcast_mac, cam->mac, attack_ip4(cam), zero_mac, dst);
			return;
		}
		peer_dev(&dstp, st, target, GEN_AF_INET, false);
	} else {
		attack_peer_external(&dstp, st, dst, (uint16_t)(20 + gen_rng_below(rng, 230)),
				     (uint8_t)(40 + gen_rng_below(rng, 20)), TCP_SERVER);
	}
	peer_dev(&src, st, cam, GEN_AF_INET, false);
	src.ttl = 64;
	conv_init(&c, st, &src, run->u.mirai.sport, &dstp, gen_rng_below(rng, 10) == 0 ? 2323 : 23,
		  6, GEN_APP_NONE, NULL);
	c.opts = 0;
	c.tcp_ts = false;
	c.syn_style[0] = GEN_SYN_NONE;
	c.syn_win[0] = run->u.mirai.win;
	c.seq[0] = dst; /* the trait: sequence number == destination address */
	c.ip_id[0] = (uint16_t)gen_rng_next(rng);
	gen_tcp_seg(sk, &c, 0, t, GEN_TCP_SYN, NULL, 0);
	uint32_t fate = gen_rng_below(rng, 1000);

	if (internal || fate < 20) {
		c.seq[1] = 0; /* closed port */
		gen_tcp_seg(sk, &c, 1, t + c.delay_us[1], GEN_TCP_RST | GEN_TCP_ACK, NULL, 0);
	} else if (fate < 23) {
		gen_tcp_seg(sk, &c, 1, t + c.delay_us[1], GEN_TCP_SYN | GEN_TCP_ACK, NULL, 0);
		gen_tcp_seg(sk, &c, 0, t + c.delay_us[1] + 150, GEN_TCP_RST, NULL, 0);
	}
}

uint64_t mirai_scan_step(struct attack_run *run, uint64_t t)
{
	struct site *st = run->st;
	struct gen_rng *rng = &st->rng;
	uint32_t n;

	if (run->steps == 0) {
		run->u.mirai.sport = (uint16_t)(1024 + gen_rng_below(rng, 64511));
		run->u.mirai.win = (uint16_t)(1024 + gen_rng_below(rng, 64511));
		run->u.mirai.rate_per_s = 50 + gen_rng_below(rng, 151);
	}
	if (t >= run->end_us)
		return NEVER;
	/* One tenth of a second of probes, evenly spread with jitter. */
	n = run->u.mirai.rate_per_s / 10 + gen_rng_below(rng, 3);
	for (uint32_t i = 0; i < n; i++) {
		uint64_t ti = t + i * (100 * MS / n) + gen_rng_below(rng, 2000);
		bool internal = gen_rng_below(rng, 100) < 3;
		uint32_t dst;

		if (internal) {
			dst = st->net4 | (1 + gen_rng_below(rng, 254));
			if ((dst & 0xff) == attack_device(run)->def->host)
				continue;
		} else {
			do
				dst = (uint32_t)gen_rng_next(rng);
			while (mirai_skips(dst));
		}
		mirai_probe(run, ti, dst, internal);
	}
	return t + 100 * MS;
}

/* ------------------------------------------------------------ udp_flood */

/*
 * Mirai's "udpplain" flood: a connected UDP socket to one victim sends
 * 512-byte random payloads as fast as it can (here 1000-2000 packets/s,
 * what an ESP8266 manages, and a capture of ~40 MB holds); one source and
 * destination port, so the
 * kernel's incrementing IP ids and one flow.  The payload is bulk: the
 * writer may store it sliced (--slice).
 */
uint64_t udp_flood_step(struct attack_run *run, uint64_t t)
{
	struct site *st = run->st;
	struct gen_rng *rng = &st->rng;
	struct gen_conv *c = &run->u.flood.c;
	uint32_t n;

	if (run->steps == 0) {
		struct device *d = attack_device(run);
		struct peer src, victim;

		peer_dev(&src, st, d, GEN_AF_INET, false);
		/* A victim never seen before: 203.0.113.99. */
		attack_peer_external(&victim, st, 0xcb007163, 60, 50, TCP_SERVER);
		conv_init(c, st, &src, eph_port(st, d), &victim, (uint16_t)(1024 + gen_rng_below(rng, 64000)),
			  17, GEN_APP_NONE, NULL);
		c->bulk = true;
		run->u.flood.pps = 1000 + gen_rng_below(rng, 1001);
	}
	if (t >= run->end_us)
		return NEVER;
	/* Ten milliseconds of packets per step. */
	n = run->u.flood.pps / 100;
	for (uint32_t i = 0; i < n; i++)
		gen_udp(site_sink(st), c, 0, t + i * (10 * MS / n) + gen_rng_below(rng, 200),
			gen_random_bytes(rng, 512), 512);
	return t + 10 * MS;
}

/* ------------------------------------------------------------ arp_spoof */

/*
 * arpspoof (dsniff) or ettercap poisoning every host: unsolicited ARP
 * replies to each device saying the router's address is at the printer's
 * MAC, every 1-2 s.  When it stops it re-ARPs three times, a second
 * apart, with the router's true MAC (from its own card), as arpspoof
 * does on exit.  Without forwarding the victims' traffic (not modelled),
 * the capture point still sees the router's own frames.
 */
uint64_t arp_spoof_step(struct attack_run *run, uint64_t t)
{
	struct site *st = run->st;
	struct device *me = attack_device(run), *rtr = &st->dev[DEV_ROUTER];
	const struct gen_sink *sk = site_sink(st);
	bool restore = t >= run->end_us;
	uint64_t ti = t;

	if (restore && !run->u.arp.restoring) {
		run->u.arp.restoring = true;
		run->u.arp.restores_left = 3;
	}
	for (int i = 0; i < DEV_COUNT; i++) {
		struct device *d = &st->dev[i];

		if (d == me)
			continue;
		if (restore)
			gen_arp_from(sk, ti, ARP_REPLY, me->mac, d->mac, rtr->mac, attack_ip4(rtr),
				     d->mac, attack_ip4(d));
		else
			gen_arp(sk, ti, ARP_REPLY, d->mac, me->mac, attack_ip4(rtr), d->mac,
				attack_ip4(d));
		ti += 200 + gen_rng_below(&st->rng, 800);
	}
	if (restore)
		return --run->u.arp.restores_left ? t + SEC : NEVER;
	return t + SEC + gen_rng_below(&st->rng, 1000) * MS;
}

/* ------------------------------------------------------------ lateral_scan */

/* Open ports of the home's hosts among those the scan tries. */
static bool port_open(enum dev_id id, uint16_t port)
{
	switch (id) {
	case DEV_ROUTER: return port == 80 || port == 443;
	case DEV_HASS: return port == 22;
	case DEV_CAMERA: return port == 80 || port == 443 || port == 554;
	case DEV_HUE: return port == 80 || port == 443;
	case DEV_PRINTER: return port == 80 || port == 443;
	case DEV_LAPTOP: return port == 445;
	case DEV_SHELLY: return port == 80;
	default: return false;
	}
}

/*
 * A worm's SYN scan of its own /24 (as nmap -sS or Mozi/Gafgyt spreaders
 * do): address by address, the Echo's kernel ARPs for the next host
 * (the router it knows already); for each host that answers, SYNs with
 * MSS only and window 1024 from one source port to 22, 23, 80, 443, 445,
 * 554 and 8080 in random order.  Open ports answer SYN-ACK (and get the
 * Echo kernel's RST), closed ones RST.  Addresses nobody holds cost one
 * unanswered ARP request.
 */
static void lateral_host(struct attack_run *run, uint64_t t, struct device *target)
{
	static const uint16_t ports[7] = { 22, 23, 80, 443, 445, 554, 8080 };
	struct site *st = run->st;
	struct gen_rng *rng = &st->rng;
	struct device *me = attack_device(run);
	const struct gen_sink *sk = site_sink(st);
	uint16_t order[7];
	struct peer src, dst;

	memcpy(order, ports, sizeof(order));
	for (int i = 6; i > 0; i--) {
		int j = (int)gen_rng_below(rng, (uint32_t)i + 1);
		uint16_t x = order[i];

		order[i] = order[j];
		order[j] = x;
	}
	for (int i = 0; i < 7; i++, t += 1000 + gen_rng_below(rng, 4000)) {
		struct gen_conv c;

		peer_dev(&src, st, me, GEN_AF_INET, false);
		peer_dev(&dst, st, target, GEN_AF_INET, false);
		conv_init(&c, st, &src, run->u.lateral.sport, &dst, order[i], 6, GEN_APP_NONE, NULL);
		c.tcp_ts = false;
		c.syn_style[0] = GEN_SYN_MINIMAL;
		c.syn_win[0] = 1024;
		c.mss[0] = 1460;
		gen_tcp_seg(sk, &c, 0, t, GEN_TCP_SYN, NULL, 0);
		if (port_open(target->id, order[i])) {
			gen_tcp_seg(sk, &c, 1, t + c.delay_us[1], GEN_TCP_SYN | GEN_TCP_ACK, NULL, 0);
			gen_tcp_seg(sk, &c, 0, t + c.delay_us[1] + 120, GEN_TCP_RST, NULL, 0);
		} else {
			c.seq[1] = 0;
			gen_tcp_seg(sk, &c, 1, t + c.delay_us[1], GEN_TCP_RST | GEN_TCP_ACK, NULL, 0);
		}
	}
}

uint64_t lateral_scan_step(struct attack_run *run, uint64_t t)
{
	struct site *st = run->st;
	struct device *me = attack_device(run), *target;
	const struct gen_sink *sk = site_sink(st);
	uint64_t next = t;
	unsigned host;

	if (run->steps == 0) {
		run->u.lateral.sport = (uint16_t)(40000 + gen_rng_below(&st->rng, 25000));
		run->u.lateral.next_host = 1;
		/* The whole /24 in the attack's time, a few seconds to spare. */
		run->u.lateral.per_host_us = (run->end_us - t - 5 * SEC) / 253;
	}
	host = run->u.lateral.next_host++;
	if (host == me->def->host)
		host = run->u.lateral.next_host++;
	if (host > 254)
		return NEVER;
	next = t + run->u.lateral.per_host_us;
	target = attack_device_at(st, host);
	if (host != st->dev[DEV_ROUTER].def->host) {
		gen_arp(sk, t, ARP_REQUEST, bcast_mac, me->mac, attack_ip4(me), zero_mac, st->net4 | host);
		if (target) {
			t += target->def->lan_delay_us;
			gen_arp(sk, t, ARP_REPLY, me->mac, target->mac, attack_ip4(target), me->mac,
				attack_ip4(me));
		}
		t += 500;
	}
	if (target)
		lateral_host(run, t, target);
	return next;
}
