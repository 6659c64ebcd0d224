/*
 * gen-home.c - the home network as data: TCP stacks, devices, cloud hosts
 * and the timed script; and the model that turns a device and a peer into
 * a conversation (addresses, ports, TTLs, each side's TCP stack).
 */
#include "gen-home.h"

#include <stdio.h>
#include <string.h>

#include "gen-tls.h"

/* ------------------------------------------------------------ data */

/* TCP stack behaviour: SYN options, MSS, windows, ephemeral port range. */
static const struct tcp_profile {
	uint8_t syn_style;
	bool ts;
	uint8_t wscale;
	uint16_t mss4; /* IPv4; IPv6 announces 20 less */
	uint16_t syn_win, win;
	uint16_t port_lo, port_hi;
} tcp_profiles[] = {
	[TCP_LINUX] = { GEN_SYN_LINUX, true, 7, 1460, 64240, 502, 32768, 60999 },
	[TCP_APPLE] = { GEN_SYN_LINUX, true, 6, 1460, 65535, 2058, 49152, 65535 },
	[TCP_WINDOWS] = { GEN_SYN_WINDOWS, false, 8, 1460, 64240, 1026, 49152, 65535 },
	[TCP_LWIP] = { GEN_SYN_MINIMAL, false, 0, 1436, 5744, 5744, 49152, 65535 },
	[TCP_SERVER] = { GEN_SYN_LINUX, true, 9, 1460, 65160, 501, 32768, 60999 },
};

/* DHCP option 55 lists as the real client software sends them. */
static const uint8_t prl_windows[] = { 1, 3, 6, 15, 31, 33, 43, 44, 46, 47, 119, 121, 249, 252, 0 };
static const uint8_t prl_apple[] = { 1, 121, 3, 6, 15, 108, 114, 119, 252, 0 };
static const uint8_t prl_dhcpcd[] = { 1, 121, 33, 3, 6, 12, 15, 26, 28, 42, 51, 54, 58, 59, 119, 0 };
static const uint8_t prl_udhcp[] = { 1, 3, 6, 12, 15, 28, 42, 0 };
static const uint8_t prl_android[] = { 1, 3, 6, 15, 26, 28, 51, 58, 59, 43, 0 };
static const uint8_t prl_esp[] = { 1, 3, 28, 6, 15, 44, 46, 47, 31, 33, 121, 43, 0 };
static const uint8_t prl_hp[] = { 1, 3, 6, 15, 44, 46, 47, 12, 81, 0 };

/* The devices of a home (pcaps/README.md has them as a table), the router last. */
static const struct dev_def dev_defs[DEV_COUNT + 1] = {
	[DEV_HASS] = { "Raspberry Pi 4 running Home Assistant and Mosquitto",
		{ 0xdc, 0xa6, 0x32, 0x1b, 0x7e, 0x42 }, 10, "homeassistant",
		"dhcpcd-9.4.1:Linux-6.1.21-v8+:aarch64:BCM2835", prl_dhcpcd, 1500, false, false, 3, 64,
		TCP_LINUX, GEN_TLS_OPENSSL, true, true, false, 250 },
	[DEV_CAMERA] = { "Hikvision DS-2CD2043G2-I camera",
		{ 0x44, 0x19, 0xb6, 0x3a, 0x7c, 0x01 }, 20, "DS-2CD2043G2-I", "udhcp 1.20.2",
		prl_udhcp, 576, false, false, 1, 64,
		TCP_LINUX, GEN_TLS_OPENSSL, false, false, true, 350 },
	[DEV_PLUG] = { "TP-Link Kasa HS110 smart plug",
		{ 0x50, 0xc7, 0xbf, 0x8e, 0x12, 0x34 }, 21, "HS110", "udhcp 1.19.4",
		prl_udhcp, 576, false, true, 1, 64,
		TCP_LINUX, GEN_TLS_MBEDTLS, false, false, true, 3500 },
	[DEV_HUE] = { "Philips Hue bridge v2",
		{ 0x00, 0x17, 0x88, 0x6a, 0x2b, 0x3c }, 22, "Philips-hue", NULL,
		prl_udhcp, 576, false, false, 1, 64,
		TCP_LINUX, GEN_TLS_MBEDTLS, false, true, true, 450 },
	[DEV_NEST] = { "Google Nest Mini speaker",
		{ 0xf4, 0xf5, 0xd8, 0x91, 0x5e, 0x07 }, 23, "Google-Nest-Mini", "dhcpcd-6.8.2",
		prl_dhcpcd, 1500, false, false, 3, 64,
		TCP_LINUX, GEN_TLS_BORING, true, true, false, 2600 },
	[DEV_ECHO] = { "Amazon Echo Dot speaker",
		{ 0x68, 0x54, 0xfd, 0x3c, 0x88, 0x19 }, 24, "amazon-5a1c3e9b7", "android-dhcp-9",
		prl_android, 1500, false, false, 1, 64,
		TCP_LINUX, GEN_TLS_OPENSSL, true, true, false, 2700 },
	[DEV_SONOS] = { "Sonos One speaker",
		{ 0x48, 0xa6, 0xb8, 0xc0, 0xff, 0xee }, 25, "SonosZP", "udhcp 1.31.1",
		prl_udhcp, 576, false, false, 1, 64,
		TCP_LINUX, GEN_TLS_OPENSSL, true, true, true, 2100 },
	[DEV_PRINTER] = { "HP OfficeJet Pro 9010 printer",
		{ 0x3c, 0xd9, 0x2b, 0x1a, 0x2b, 0x3c }, 26, "HP3CD92B1A2B3C",
		"Hewlett-Packard JetDirect", prl_hp, 1500, false, false, 1, 64,
		TCP_LINUX, GEN_TLS_OPENSSL, false, true, true, 3100 },
	[DEV_PHONE] = { "Apple iPhone",
		{ 0xf0, 0x18, 0x98, 0x5d, 0xa1, 0x7c }, 27, "iPhone", NULL,
		prl_apple, 1500, false, false, 1, 64,
		TCP_APPLE, GEN_TLS_APPLE, true, true, false, 2200 },
	[DEV_LAPTOP] = { "Windows 11 laptop (Intel Wi-Fi)",
		{ 0x8c, 0x8d, 0x28, 0x44, 0x19, 0xa2 }, 28, "DESKTOP-7K2M4QX", "MSFT 5.0",
		prl_windows, 0, true, false, 1, 128,
		TCP_WINDOWS, GEN_TLS_SCHANNEL, true, true, false, 1600 },
	[DEV_SHELLY] = { "Shelly Plug S (ESP8266, lwIP)",
		{ 0x24, 0x0a, 0xc4, 0xa1, 0xb2, 0xc3 }, 29, "shellyplug-s-a1b2c3", NULL,
		prl_esp, 1500, false, false, 0, 255,
		TCP_LWIP, GEN_TLS_MBEDTLS, false, false, true, 4200 },
	[DEV_ROUTER] = { "Netgear router: DHCP, DNS forwarder",
		{ 0x9c, 0x3d, 0xcf, 0x5e, 0x21, 0x01 }, 1, NULL, NULL,
		NULL, 0, false, false, 0, 64,
		TCP_LINUX, GEN_TLS_OPENSSL, false, true, true, 300 },
};

/* Each name resolves, in the capture's own DNS answers, to this address. */
static const struct cloud_def clouds[CL_COUNT] = {
	[CL_HIK] = { "dev.hik-connect.com", 0, 10, false, 443, 38, 49, 60 },
	[CL_TPLINK] = { "n-devs.tplinkcloud.com", 0, 20, false, 443, 92, 46, 300 },
	[CL_HUE] = { "ws.meethue.com", 0, 30, false, 443, 31, 52, 300 },
	[CL_MTALK] = { "mtalk.google.com", 1, 40, true, 5228, 13, 118, 300 },
	[CL_GOOGLEAPIS] = { "www.googleapis.com", 1, 41, true, 443, 13, 118, 300 },
	[CL_GSTATIC] = { "connectivitycheck.gstatic.com", 1, 42, true, 80, 12, 118, 300 },
	[CL_ALEXA] = { "avs-alexa-4-na.amazon.com", 0, 50, true, 443, 86, 233, 60 },
	[CL_AMZMETRICS] = { "device-metrics-us.amazon.com", 0, 51, true, 443, 84, 233, 60 },
	[CL_SONOS] = { "api.ws.sonos.com", 0, 60, false, 443, 41, 49, 60 },
	[CL_SONOSMET] = { "msmetrics.ws.sonos.com", 0, 61, false, 443, 42, 49, 60 },
	[CL_HPXMPP] = { "xmpp001.hpeprint.com", 0, 70, false, 5223, 112, 47, 300 },
	[CL_HPFW] = { "h10089.www1.hp.com", 2, 71, true, 80, 15, 56, 20 },
	[CL_ICLOUD] = { "gateway.icloud.com", 1, 80, true, 443, 24, 55, 60 },
	[CL_SMOOT] = { "api.smoot.apple.com", 1, 81, true, 443, 25, 55, 60 },
	[CL_APNS] = { "1-courier.push.apple.com", 1, 82, true, 5223, 26, 55, 60 },
	[CL_CAPTIVE] = { "captive.apple.com", 2, 83, true, 80, 9, 56, 60 },
	[CL_LIVE] = { "login.live.com", 1, 90, true, 443, 19, 116, 60 },
	[CL_WINSET] = { "settings-win.data.microsoft.com", 1, 91, true, 443, 21, 116, 60 },
	[CL_BING] = { "www.bing.com", 1, 92, true, 443, 18, 116, 60 },
	[CL_NCSI] = { "www.msftconnecttest.com", 2, 93, false, 80, 20, 116, 30 },
	[CL_NCSI6] = { "ipv6.msftconnecttest.com", 2, 94, true, 80, 20, 116, 30 },
	[CL_HAVER] = { "version.home-assistant.io", 0, 100, true, 443, 29, 57, 300 },
	[CL_HAALERT] = { "alerts.home-assistant.io", 0, 101, true, 443, 29, 57, 300 },
	[CL_NTPPOOL] = { "pool.ntp.org", 2, 123, false, 123, 27, 53, 150 },
	[CL_NTPDEB] = { "2.debian.pool.ntp.org", 2, 124, true, 123, 23, 53, 150 },
	[CL_NTPGOOG] = { "time.google.com", 1, 123, true, 123, 12, 118, 300 },
	[CL_NTPAPPLE] = { "time.apple.com", 1, 124, true, 123, 16, 55, 300 },
	[CL_NTPWIN] = { "time.windows.com", 1, 125, false, 123, 33, 116, 300 },
	[CL_NTPAMZ] = { "ntp-g7g.amazon.com", 0, 123, false, 123, 48, 233, 300 },
	[CL_NTPHUE] = { "time.meethue.com", 0, 124, false, 123, 31, 52, 300 },
	[CL_HIKUP] = { "clip-upload.hik-connect.com", 0, 11, false, 443, 40, 49, 60 },
	[CL_MUSIC] = { "audio-ak-spotify-com.akamaized.net", 2, 130, true, 443, 11, 58, 20 },
	[CL_HIKFW] = { "firmware.hik-connect.com", 0, 12, false, 443, 39, 49, 300 },
	[CL_TPFW] = { "download.tplinkcloud.com", 0, 21, false, 443, 90, 46, 300 },
	[CL_HUEFW] = { "firmware.meethue.com", 0, 32, false, 443, 31, 52, 300 },
	[CL_GOOGFW] = { "update.googleapis.com", 1, 43, true, 443, 13, 118, 300 },
	[CL_AMZFW] = { "softwareupdates.amazon.com", 0, 52, true, 443, 85, 233, 60 },
	[CL_SONOSUPD] = { "update.sonos.com", 0, 62, false, 443, 42, 49, 60 },
	[CL_SHELLYFW] = { "repo.shelly.cloud", 2, 131, false, 443, 24, 52, 300 },
	[CL_AMZMUSIC] = { "dmusic-stream.amazon.com", 0, 53, true, 443, 18, 233, 60 },
	[CL_WUPDATE] = { "ctldl.windowsupdate.com", 1, 95, true, 443, 17, 116, 300 },
	[CL_SPOTIFY] = { "spclient.wg.spotify.com", 2, 132, true, 443, 12, 58, 300 },
};

/*
 * What a home does.  Devices that join (plug, laptop, phone, Shelly) do
 * nothing before their EV_JOIN; all DHCP joins fall within 25 s of each
 * other because every DISCOVER shares the 0.0.0.0:68 -> broadcast:67 flow.
 */
static const struct event_def smart_home_script[] = {
	{ 500, 17000, 6000, EV_ARP_REFRESH, DEV_ROUTER, 0, 0, 0 },
	{ 1000, 0, 0, EV_KEEPALIVE, DEV_CAMERA, CL_HIK, 30, 0 },
	{ 2000, 0, 0, EV_JOIN, DEV_PLUG, 0, 0, 0 },
	{ 3500, 0, 0, EV_NTP, DEV_HASS, CL_NTPDEB, 0, 0 },
	{ 4200, 0, 0, EV_KEEPALIVE, DEV_HUE, CL_HUE, 45, 0 },
	{ 5100, 0, 0, EV_KEEPALIVE, DEV_ECHO, CL_ALEXA, 30, 0 },
	{ 6000, 120000, 20000, EV_TLS, DEV_HASS, CL_HAVER, 1, 0 },
	{ 6600, 0, 0, EV_KEEPALIVE, DEV_PLUG, CL_TPLINK, 60, 0 },
	{ 7000, 0, 0, EV_KEEPALIVE, DEV_NEST, CL_MTALK, 120, 0 },
	{ 8000, 60000, 5000, EV_HUE_POLL, DEV_HASS, 0, 0, 0 },
	{ 9000, 0, 0, EV_KEEPALIVE, DEV_PRINTER, CL_HPXMPP, 60, 0 },
	{ 10000, 0, 0, EV_NTP, DEV_PLUG, CL_NTPPOOL, 0, 0 },
	{ 12000, 0, 0, EV_JOIN, DEV_LAPTOP, 0, 0, 0 },
	{ 15500, 0, 0, EV_HTTP, DEV_LAPTOP, CL_NCSI, 0, 0 },
	{ 15700, 0, 0, EV_HTTP, DEV_LAPTOP, CL_NCSI6, 0, ONLY_V6 },
	{ 16000, 0, 0, EV_NTP, DEV_LAPTOP, CL_NTPWIN, 1, 0 },
	{ 17000, 90000, 15000, EV_TLS, DEV_LAPTOP, CL_WINSET, 2, 0 },
	{ 19000, 150000, 20000, EV_TLS, DEV_LAPTOP, CL_LIVE, 2, 0 },
	{ 20000, 100000, 10000, EV_TLS, DEV_ECHO, CL_AMZMETRICS, 1, 0 },
	{ 22000, 0, 0, EV_NTP, DEV_CAMERA, CL_NTPWIN, 0, 0 },
	{ 24000, 150000, 10000, EV_HTTP, DEV_NEST, CL_GSTATIC, 0, 0 },
	{ 25000, 90000, 10000, EV_TLS, DEV_NEST, CL_GOOGLEAPIS, 2, 0 },
	{ 28000, 0, 0, EV_JOIN, DEV_PHONE, 0, 0, 0 },
	{ 31500, 0, 0, EV_HTTP, DEV_PHONE, CL_CAPTIVE, 0, 0 },
	{ 32000, 0, 0, EV_MDNS_BROWSE, DEV_PHONE, 0, 0, 0 },
	{ 33000, 0, 0, EV_NTP, DEV_PHONE, CL_NTPAPPLE, 0, 0 },
	{ 33500, 0, 0, EV_KEEPALIVE, DEV_PHONE, CL_APNS, 240, 0 },
	{ 34000, 70000, 20000, EV_TLS, DEV_PHONE, CL_ICLOUD, 2, 0 },
	{ 36000, 0, 0, EV_SSDP_SEARCH, DEV_PHONE, 0, 0, 0 },
	{ 37000, 180000, 20000, EV_SSDP_NOTIFY, DEV_HUE, 0, 0, 0 },
	{ 38000, 180000, 20000, EV_SSDP_NOTIFY, DEV_SONOS, 0, 0, 0 },
	{ 40000, 0, 0, EV_JOIN, DEV_SHELLY, 0, 0, 0 },
	{ 44500, 0, 0, EV_MDNS_ANNOUNCE, DEV_SHELLY, 0, 0, 0 },
	{ 46000, 0, 0, EV_MQTT, DEV_SHELLY, 0, 0, 0 },
	{ 47000, 0, 0, EV_NTP, DEV_SHELLY, CL_NTPGOOG, 0, 0 },
	{ 47500, 120000, 10000, EV_TLS, DEV_SONOS, CL_SONOS, 1, 0 },
	{ 48000, 0, 0, EV_RTSP, DEV_HASS, 0, 8, 0 },
	{ 52000, 0, 0, EV_PING, DEV_LAPTOP, 0, 0, 0 },
	{ 55000, 0, 0, EV_TLS, DEV_PHONE, CL_SMOOT, 1, 0 },
	{ 58000, 0, 0, EV_HTTP, DEV_PRINTER, CL_HPFW, 0, 0 },
	{ 62000, 0, 0, EV_RENEW, DEV_CAMERA, 0, 0, 0 },
	{ 75000, 180000, 20000, EV_TLS, DEV_SONOS, CL_SONOSMET, 1, 0 },
	{ 80000, 120000, 30000, EV_TLS, DEV_LAPTOP, CL_BING, 3, 0 },
	{ 95000, 0, 0, EV_NTP, DEV_NEST, CL_NTPGOOG, 0, 0 },
	{ 100000, 0, 0, EV_NTP, DEV_ECHO, CL_NTPAMZ, 0, 0 },
	{ 105000, 0, 0, EV_NTP, DEV_HUE, CL_NTPHUE, 0, 0 },
	{ 120000, 0, 0, EV_V6_QUERY, DEV_ROUTER, 0, 0, ONLY_V6 },
	{ 150000, 0, 0, EV_RENEW, DEV_SONOS, 0, 0, 0 },
	{ 180000, 120000, 20000, EV_TLS, DEV_HASS, CL_HAALERT, 1, 0 },
	{ 230000, 0, 0, EV_PING, DEV_LAPTOP, 0, 1, 0 },
	{ 260000, 0, 0, EV_TLS, DEV_PHONE, CL_SMOOT, 1, 0 },
};

/* ------------------------------------------------------------ model */

const struct dev_def *home_device(enum dev_id id)
{
	return &dev_defs[id];
}

const struct cloud_def *home_cloud(int cl)
{
	return &clouds[cl];
}

const struct event_def *home_script(size_t *n)
{
	*n = sizeof(smart_home_script) / sizeof(smart_home_script[0]);
	return smart_home_script;
}

uint64_t site_mix(uint32_t index)
{
	struct gen_rng r = { 0x5173u + (uint64_t)index * 0x9e3779b97f4a7c15ULL };

	return gen_rng_next(&r);
}

void device_init(struct site *st, struct device *d, enum dev_id id, bool bench)
{
	const struct dev_def *def = &dev_defs[id];
	uint64_t mix = site_mix(st->index) + id;
	uint64_t ll_iid, gl_iid;

	d->def = def;
	d->id = id;
	memcpy(d->mac, def->mac, 6);
	if (bench) {
		/* Keep the vendor's OUI; vary the NIC-specific half per site. */
		d->mac[3] ^= (uint8_t)(mix >> 8);
		d->mac[4] ^= (uint8_t)(mix >> 16);
		d->mac[5] ^= (uint8_t)(mix >> 24) ^ (uint8_t)st->index;
	}
	gen_addr4(&d->ip4, st->net4 | def->host);
	ll_iid = def->eui64 ? gen_eui64(d->mac) : gen_rng_next(&st->rng) & ~0x0200000000000000ULL;
	gl_iid = def->eui64 ? ll_iid : gen_rng_next(&st->rng) & ~0x0200000000000000ULL;
	if (id == DEV_ROUTER)
		gl_iid = 1;
	gen_addr6(&d->ll6, 0xfe80000000000000ULL, ll_iid);
	gen_addr6(&d->gl6, st->prefix6, gl_iid);
	d->next_port = (uint16_t)(tcp_profiles[def->tcp].port_lo + gen_rng_below(&st->rng, 3000));
	if (def->hostname)
		snprintf(d->mdns_host, sizeof(d->mdns_host), "%s.local", def->hostname);
}

uint16_t eph_port(struct site *st, struct device *d)
{
	uint16_t lo = tcp_profiles[d->def->tcp].port_lo, hi = tcp_profiles[d->def->tcp].port_hi;
	uint16_t p = d->next_port;

	/* Mostly sequential, with small random steps: never reused in a run. */
	d->next_port = (uint16_t)(p + 1 + gen_rng_below(&st->rng, 4));
	if (d->next_port > hi || d->next_port < lo)
		d->next_port = lo;
	return p;
}

void cloud_addr(int cl, int family, struct gen_addr *a)
{
	static const uint32_t nets[3] = { 0xc6336400, 0xcb007100, 0xc0000200 };
	const struct cloud_def *c = &clouds[cl];

	if (family == GEN_AF_INET)
		gen_addr4(a, nets[c->net] | c->host);
	else
		gen_addr6(a, 0x20010db800f00000ULL | c->net, c->host);
}

void peer_dev(struct peer *p, struct site *st, const struct device *d, int family,
	      bool link_local)
{
	if (family == GEN_AF_INET)
		p->addr = d->ip4;
	else
		p->addr = link_local ? d->ll6 : d->gl6;
	memcpy(p->mac, d->mac, 6);
	p->ttl = family == GEN_AF_INET ? d->def->ttl : (d->def->ttl == 128 ? 128 : 64);
	p->tcp = d->def->tcp;
	p->delay_us = d->def->lan_delay_us + gen_rng_below(&st->rng, d->def->lan_delay_us / 2 + 1);
}

void peer_cloud(struct peer *p, struct site *st, int cl, int family)
{
	cloud_addr(cl, family, &p->addr);
	memcpy(p->mac, st->dev[DEV_ROUTER].mac, 6);
	p->ttl = clouds[cl].ttl;
	p->tcp = TCP_SERVER;
	p->delay_us = clouds[cl].rtt_ms * 1000 + gen_rng_below(&st->rng, clouds[cl].rtt_ms * 100 + 1);
}

void peer_remote(struct peer *p, struct site *st, const struct remote *r, int family)
{
	p->addr = family == GEN_AF_INET6 && r->addr6.family ? r->addr6 : r->addr4;
	memcpy(p->mac, st->dev[DEV_ROUTER].mac, 6);
	p->ttl = r->ttl;
	p->tcp = TCP_SERVER;
	p->delay_us = r->rtt_ms * 1000u + gen_rng_below(&st->rng, r->rtt_ms * 100u + 1);
}

void remote_of_cloud(int cl, struct remote *r)
{
	const struct cloud_def *c = &clouds[cl];

	memset(r, 0, sizeof(*r));
	r->name = c->name;
	cloud_addr(cl, GEN_AF_INET, &r->addr4);
	if (c->v6)
		cloud_addr(cl, GEN_AF_INET6, &r->addr6);
	r->port = c->port;
	r->rtt_ms = c->rtt_ms;
	r->ttl = c->ttl;
	r->dns_ttl_s = c->dns_ttl_s;
}

void peer_group(struct peer *p, const struct gen_addr *group)
{
	memset(p, 0, sizeof(*p));
	p->addr = *group;
	gen_group_mac(group, p->mac);
}

void conv_init(struct gen_conv *c, struct site *st, const struct peer *cli, uint16_t cport,
	       const struct peer *srv, uint16_t sport, uint8_t proto, uint8_t app,
	       const char *name)
{
	const struct peer *p[2] = { cli, srv };

	memset(c, 0, sizeof(*c));
	for (int i = 0; i < 2; i++) {
		const struct tcp_profile *tp = &tcp_profiles[p[i]->tcp];

		c->addr[i] = p[i]->addr;
		memcpy(c->mac[i], p[i]->mac, 6);
		c->ttl[i] = p[i]->ttl;
		c->delay_us[i] = p[i]->delay_us;
		c->syn_style[i] = tp->syn_style;
		c->mss[i] = (uint16_t)(tp->mss4 - (cli->addr.family == GEN_AF_INET6 ? 20 : 0));
		c->syn_win[i] = tp->syn_win;
		c->win[i] = tp->win;
		c->wscale[i] = tp->wscale;
	}
	/* Without window scaling on both sides the window field is the
	 * window itself, so a scaled stack advertises its SYN window. */
	if (c->syn_style[0] == GEN_SYN_MINIMAL || c->syn_style[1] == GEN_SYN_MINIMAL) {
		c->win[0] = c->syn_win[0];
		c->win[1] = c->syn_win[1];
	}
	c->port[0] = cport;
	c->port[1] = sport;
	c->proto = proto;
	c->app = app;
	c->server_name = name;
	c->tcp_ts = tcp_profiles[cli->tcp].ts && tcp_profiles[srv->tcp].ts;
	c->us_per_kb = srv->tcp == TCP_SERVER ? 160 : 60;
	c->opts = proto == 6 ? GEN_OPT_DF : 0;
	gen_conv_randomise(c, &st->rng);
}
