/*
 * device-observe.c - device signals from packets and flows (see device-observe.h).
 */
#include <stdio.h>
#include <string.h>

#include "device-observe.h"
#include "flow-key.h"
#include "fingerprint-dhcp.h"
#include "fingerprint-dns.h"
#include "fingerprint-lldp.h"
#include "fingerprint-netbios.h"
#include "fingerprint-ssdp.h"
#include "fingerprint-tcp.h"

static bool addr_is_unspecified(const struct ew_addr *a)
{
	static const uint8_t zero[16];

	if (a->family == EW_AF_INET)
		return memcmp(a->bytes + 12, zero, 4) == 0;
	return memcmp(a->bytes, zero, 16) == 0;
}

/*
 * LLDP is link-local by rule (bridges never forward it), so the frame's
 * source MAC is the announcing machine's own.  What was read before a
 * cut-off TLV still counts.
 */
static void observe_lldp(struct device_table *dt, const struct ew_packet *pkt)
{
	struct lldp_info info;
	char caps[LLDP_CAPS_TEXT_SIZE];
	struct device *d;
	ew_usec_t ts = pkt->ts_us;

	(void)lldp_parse(pkt->payload, pkt->payload_len, &info);
	if ((d = device_table_touch(dt, pkt->src_mac, ts, true)) == NULL)
		return;
	device_table_signal(dt, d, SIG_LLDP_NAME, info.name, info.name_len, ts);
	device_table_signal(dt, d, SIG_LLDP_DESCRIPTION, info.description, info.description_len,
			    ts);
	device_table_signal(dt, d, SIG_MUD_URL, info.mud_url, info.mud_url_len, ts);
	if (info.has_caps) {
		lldp_caps_text(info.enabled, caps, sizeof(caps));
		device_table_signal(dt, d, SIG_LLDP_CAPABILITIES, caps, strlen(caps), ts);
	}
	device_table_announce(dt, d);
}

static void observe_arp(struct device_table *dt, const struct ew_packet *pkt)
{
	struct device *d = device_table_touch(dt, pkt->arp.sha, pkt->ts_us, true);
	struct ew_addr a;

	if (d == NULL)
		return;
	d->pkts_out++;
	d->bytes_out += pkt->wirelen;
	ew_addr_set_v4(&a, pkt->arp.spa);
	/* 0.0.0.0 is an ARP probe (RFC 5227): the sender has no address yet. */
	if (!addr_is_unspecified(&a))
		device_table_bind_addr(dt, d, &a, ADDR_FROM_ARP, pkt->ts_us);
	device_table_announce(dt, d);
}

#define DHCP_MSG_ACK 5

/*
 * DHCP names the client by its hardware address (chaddr), which is right
 * even when a relay agent forwarded the message; a client's own messages
 * carry its fingerprints, the server's ACK binds the leased address.
 */
static void observe_dhcp(struct device_table *dt, const struct ew_packet *pkt)
{
	struct dhcp_info info;
	enum dhcp_result r = dhcp_parse(pkt->payload, pkt->payload_len, &info);
	ew_usec_t ts = pkt->ts_us;
	struct device *d;
	struct ew_addr a;

	if ((r != DHCP_OK && r != DHCP_BAD_VALUE && r != DHCP_BAD_OPTION) || !info.has_chaddr)
		return;
	if ((d = device_table_touch(dt, info.chaddr, ts, true)) == NULL)
		return;
	if (info.op == 1) {
		device_table_signal(dt, d, SIG_DHCP_HOSTNAME, info.hostname, info.hostname_len, ts);
		device_table_signal(dt, d, SIG_DHCP_VENDOR, info.vendor_class,
				    info.vendor_class_len, ts);
		if (info.prl_len > 0)
			device_table_signal(dt, d, SIG_DHCP_PRL, info.prl_text,
					    strlen(info.prl_text), ts);
		if (info.has_fqdn)
			device_table_signal(dt, d, SIG_DHCP_FQDN, info.fqdn, info.fqdn_len, ts);
		device_table_signal(dt, d, SIG_MUD_URL, info.mud_url, info.mud_url_len, ts);
	} else if (info.msg_type == DHCP_MSG_ACK) {
		ew_addr_set_v4(&a, info.yiaddr);
		if (!addr_is_unspecified(&a))
			device_table_bind_addr(dt, d, &a, ADDR_FROM_DHCP, ts);
	}
	device_table_announce(dt, d);
}

static void signal_list(struct device_table *dt, struct device *d, enum device_signal_kind k,
			const char *const *values, size_t n, ew_usec_t ts)
{
	for (size_t i = 0; i < n; i++)
		device_table_signal(dt, d, k, values[i], strlen(values[i]), ts);
}

/*
 * mDNS: the services, instance and host names and model TXT strings the
 * sender vouches for (mdns_summarize reads only its own records).  The
 * parse result is a few KiB: on the stack, for one packet.
 */
static void observe_mdns(struct device_table *dt, struct device *d, const struct ew_packet *pkt)
{
	struct dns_info info;
	struct mdns_summary sum;

	dns_parse(pkt->payload, pkt->payload_len, &info);
	mdns_summarize(&info, &sum); /* a cut message still names what it got to */
	signal_list(dt, d, SIG_MDNS_SERVICE, sum.services, sum.nservices, pkt->ts_us);
	signal_list(dt, d, SIG_MDNS_NAME, sum.instances, sum.ninstances, pkt->ts_us);
	signal_list(dt, d, SIG_MDNS_NAME, sum.hosts, sum.nhosts, pkt->ts_us);
	signal_list(dt, d, SIG_MDNS_TXT, sum.txt, sum.ntxt, pkt->ts_us);
}

static void ssdp_signal(struct device_table *dt, struct device *d, enum device_signal_kind k,
			const struct ssdp_value *v, ew_usec_t ts)
{
	if (v->present)
		device_table_signal(dt, d, k, v->text, strlen(v->text), ts);
}

/* SSDP: what a device announces (NOTIFY, responses) or searches with. */
static void observe_ssdp(struct device_table *dt, struct device *d, const struct ew_packet *pkt)
{
	struct ssdp_info info;

	if (ssdp_parse(pkt->payload, pkt->payload_len, &info) != SSDP_OK)
		return;
	ssdp_signal(dt, d, SIG_SSDP_SERVER, &info.server, pkt->ts_us);
	/*
	 * What a device announces is what it is; what it searches for is
	 * what it wants (a camera searching for the router's gateway service
	 * is not a router), so the two are kept apart.
	 */
	if (info.kind == SSDP_KIND_MSEARCH)
		ssdp_signal(dt, d, SIG_SSDP_SEARCH, &info.st, pkt->ts_us);
	else
		ssdp_signal(dt, d, SIG_SSDP_TYPE, info.kind == SSDP_KIND_NOTIFY ? &info.nt : &info.st,
			    pkt->ts_us);
	ssdp_signal(dt, d, SIG_SSDP_USER_AGENT, &info.user_agent, pkt->ts_us);
}

/* The traits of a SYN it sent, and the OS family they suggest. */
static void observe_syn(struct device_table *dt, struct device *d, const struct ew_packet *pkt)
{
	struct tcp_syn_fp fp;
	char text[256];
	const char *os;

	if (!tcp_syn_fingerprint(pkt, &fp))
		return;
	tcp_syn_fp_text(&fp, text, sizeof(text));
	device_table_signal(dt, d, SIG_TCP_SYN, text, strlen(text), pkt->ts_us);
	os = tcp_syn_os_guess(&fp);
	device_table_signal(dt, d, SIG_OS_GUESS, os, strlen(os), pkt->ts_us);
}

#define ICMPV6_NEIGHBOR_ADVERT 136

/*
 * A neighbour advertisement (RFC 4861 4.4) says "this MAC has this IPv6
 * address": how global and privacy addresses, which are not local ranges,
 * get bound.  The decoder points payload just past the 8-byte ICMPv6
 * header, at the target address.
 */
static void observe_ndp(struct device_table *dt, struct device *d, const struct ew_packet *pkt)
{
	struct ew_addr target;

	if (pkt->l4_proto != EW_IPPROTO_ICMPV6 || pkt->icmp_type != ICMPV6_NEIGHBOR_ADVERT ||
	    pkt->icmp_code != 0 || pkt->payload_len < 16)
		return;
	ew_addr_set_v6(&target, pkt->payload);
	if (!addr_is_unspecified(&target) && target.bytes[0] != 0xff)
		device_table_bind_addr(dt, d, &target, ADDR_FROM_NDP, pkt->ts_us);
}

#define OWN_NAMES_MAX 4

/* Names a host claims for itself over NetBIOS-NS (137) or LLMNR (5355). */
static void observe_own_names(struct device_table *dt, struct device *d,
			      const struct ew_packet *pkt, bool netbios)
{
	char names[OWN_NAMES_MAX][256];
	size_t n = netbios ? netbios_own_names(pkt->payload, pkt->payload_len, names, OWN_NAMES_MAX)
			   : llmnr_own_names(pkt->payload, pkt->payload_len, names, OWN_NAMES_MAX);

	for (size_t i = 0; i < n; i++)
		device_table_signal(dt, d, netbios ? SIG_NETBIOS_NAME : SIG_LLMNR_NAME, names[i],
				    strlen(names[i]), pkt->ts_us);
}

static bool identity_port(uint16_t port)
{
	return port == 67 || port == 68 || port == 5353 || port == 1900 || port == 5355 ||
	       port == 137;
}

bool device_packet_wanted(const struct flow *f, const struct ew_packet *pkt, enum flow_dir dir)
{
	if (f->pkts[dir] == 1 || pkt->ts_us - f->dev_seen_ts[dir] >= DEVICE_REFRESH_S * EW_USEC_PER_SEC)
		return true;
	if (pkt->l4_proto == EW_IPPROTO_ICMPV6)
		return pkt->icmp_type == ICMPV6_NEIGHBOR_ADVERT;
	return pkt->l4_proto == EW_IPPROTO_UDP && pkt->has_l4 &&
	       (identity_port(pkt->sport) || identity_port(pkt->dport));
}

/* Whether d holds an IPv4 address other than a. */
static bool has_other_v4(const struct device *d, const struct ew_addr *a)
{
	for (int i = 0; i < d->naddr; i++)
		if (d->addr[i].addr.family == EW_AF_INET &&
		    memcmp(d->addr[i].addr.bytes, a->bytes, 16) != 0)
			return true;
	return false;
}

/* Who sent an IP packet: the device of its link address, and the machine behind the address. */
struct sender {
	struct device *link; /* the MAC-keyed device of the source MAC; NULL without one */
	struct device *host; /* the device the source address belongs to; NULL: none of ours */
};

/*
 * The device an IP packet's source address speaks for, refreshed and
 * announced:
 *
 * - no MAC in the capture: the IP-keyed device of an inside address;
 * - its MAC's device when the address is that device's own (bound by
 *   ARP, DHCP or NDP; or link-local, which no router forwards),
 *   unspecified (a DHCP client), or when that device
 *   is a host: an inside address is bound to it from traffic, as before,
 *   except a second IPv4 address, which only ARP or DHCP binds (a host
 *   renumbered says so in them; a MAC sending from several IPv4
 *   addresses unannounced is more likely a router than a host, and an
 *   "address changed" event for each host behind it would be noise);
 * - an address that is not its own counts as router evidence
 *   (device_table_foreign_source); once the MAC is a router, an inside
 *   address is a host behind it, keyed by IP, and an outside one is
 *   nobody's (forwarded from the internet).
 */
static struct sender find_sender(struct device_table *dt, const struct ew_packet *pkt)
{
	struct sender s = { NULL, NULL };
	bool inside = device_table_is_home(dt, &pkt->src);
	ew_usec_t ts = pkt->ts_us;

	if (!pkt->has_mac) {
		if (inside && (s.host = device_table_touch_ip(dt, &pkt->src, ts, true)) != NULL)
			device_table_bind_addr(dt, s.host, &pkt->src, ADDR_FROM_TRAFFIC, ts);
		goto announce;
	}
	if ((s.link = device_table_touch(dt, pkt->src_mac, ts, true)) == NULL)
		return s;
	/* A link-local source is never forwarded: it is the MAC's own machine. */
	if (addr_is_unspecified(&pkt->src) || device_owns_addr(s.link, &pkt->src) ||
	    ew_addr_is_link_local(&pkt->src)) {
		s.host = s.link;
		if (!addr_is_unspecified(&pkt->src))
			device_table_bind_addr(dt, s.link, &pkt->src, ADDR_FROM_TRAFFIC, ts);
		goto announce;
	}
	if (inside && s.link->routed_pkts == 0 &&
	    !(pkt->src.family == EW_AF_INET && has_other_v4(s.link, &pkt->src)))
		device_table_bind_addr(dt, s.link, &pkt->src, ADDR_FROM_TRAFFIC, ts);
	if (!device_table_foreign_source(dt, s.link, &pkt->src, ts))
		s.host = s.link; /* a host sending from an address no protocol has bound yet */
	else if (inside && (s.host = device_table_touch_ip(dt, &pkt->src, ts, true)) != NULL)
		device_table_bind_addr(dt, s.host, &pkt->src, ADDR_FROM_TRAFFIC, ts);
announce:
	if (s.link != NULL)
		device_table_announce(dt, s.link);
	if (s.host != NULL && s.host != s.link)
		device_table_announce(dt, s.host);
	return s;
}

void device_observe_packet(struct device_table *dt, const struct ew_packet *pkt)
{
	struct sender s;

	if (pkt->kind == EW_PKT_ARP) {
		if (pkt->has_mac)
			observe_arp(dt, pkt);
		return;
	}
	if (pkt->kind == EW_PKT_LLDP) {
		if (pkt->has_mac)
			observe_lldp(dt, pkt);
		return;
	}
	if (pkt->kind != EW_PKT_IP)
		return;
	s = find_sender(dt, pkt);
	/* Only inside senders: a router forwards other machines' SYNs. */
	if (pkt->l4_proto == EW_IPPROTO_TCP && s.host != NULL &&
	    device_table_is_home(dt, &pkt->src))
		observe_syn(dt, s.host, pkt);
	/*
	 * NDP is link-local by rule: hop limit 255 proves it was not
	 * forwarded, so the sender is the MAC's own machine.
	 */
	if (pkt->l4_proto == EW_IPPROTO_ICMPV6 && pkt->ttl == 255 && (s.link || s.host))
		observe_ndp(dt, s.link ? s.link : s.host, pkt);
	if (pkt->l4_proto != EW_IPPROTO_UDP || !pkt->has_l4 || pkt->payload_len == 0)
		return;
	/* DHCP names its client by chaddr, whoever carried the message. */
	if ((pkt->sport == 68 && pkt->dport == 67) || (pkt->sport == 67 && pkt->dport == 68))
		observe_dhcp(dt, pkt);
	else if (s.host == NULL)
		return;
	else if (pkt->sport == 5353)
		observe_mdns(dt, s.host, pkt);
	else if (pkt->sport == 1900 || pkt->dport == 1900)
		observe_ssdp(dt, s.host, pkt);
	else if (pkt->sport == 137)
		observe_own_names(dt, s.host, pkt, true);
	else if (pkt->sport == 5355)
		observe_own_names(dt, s.host, pkt, false);
}

static bool is_tls_app(const char *app)
{
	return strcmp(app, "tls") == 0 || strcmp(app, "quic") == 0 || strcmp(app, "dtls") == 0;
}

static struct ew_addr side_addr(const struct flow *f, int side)
{
	struct ew_addr a;

	if (f->key.family == EW_AF_INET)
		ew_addr_set_v4(&a, f->key.addr[side] + 12);
	else
		ew_addr_set_v6(&a, f->key.addr[side]);
	return a;
}

/* What the client end tells: protocols, names it looked for, TLS stacks. */
static void observe_client(struct device_table *dt, struct device *d, const struct flow *f,
			   const char *app)
{
	ew_usec_t ts = f->last_ts;

	d->flows_out++;
	d->pkts_out += f->pkts[FLOW_TOSERVER];
	d->bytes_out += f->bytes[FLOW_TOSERVER];
	d->pkts_in += f->pkts[FLOW_TOCLIENT];
	d->bytes_in += f->bytes[FLOW_TOCLIENT];
	if (strcmp(app, "unknown") != 0)
		device_table_signal(dt, d, SIG_APP_PROTO, app, strlen(app), ts);
	if (f->server_name != NULL) {
		if (is_tls_app(app))
			device_table_signal(dt, d, SIG_TLS_SNI, f->server_name,
					    strlen(f->server_name), ts);
		else if (strcmp(app, "dns") == 0)
			device_table_signal(dt, d, SIG_DNS_QUERY, f->server_name,
					    strlen(f->server_name), ts);
	}
	if (f->ja3_client[0] != '\0')
		device_table_signal(dt, d, SIG_TLS_JA3, f->ja3_client, strlen(f->ja3_client), ts);
	if (f->user_agent != NULL)
		device_table_signal(dt, d, SIG_HTTP_USER_AGENT, f->user_agent,
				    strlen(f->user_agent), ts);
	if (strcmp(app, "ntp") == 0) {
		char server[EW_ADDR_STRLEN];
		flow_key_addr_str(&f->key, 1 - f->client_side, server, sizeof(server));
		device_table_signal(dt, d, SIG_NTP_SERVER, server, strlen(server), ts);
	}
}

/* A server end that answered offers a service on its port. */
static void observe_server(struct device_table *dt, struct device *d, const struct flow *f)
{
	int ss = 1 - f->client_side;
	char svc[16];

	d->pkts_out += f->pkts[FLOW_TOCLIENT];
	d->bytes_out += f->bytes[FLOW_TOCLIENT];
	d->pkts_in += f->pkts[FLOW_TOSERVER];
	d->bytes_in += f->bytes[FLOW_TOSERVER];
	if (f->pkts[FLOW_TOCLIENT] == 0)
		return;
	if (f->key.proto == EW_IPPROTO_TCP &&
	    (f->tcp_flags[FLOW_TOCLIENT] & (EW_TH_SYN | EW_TH_ACK)) != (EW_TH_SYN | EW_TH_ACK))
		return; /* only a SYN+ACK proves the port accepts connections */
	if (f->key.proto != EW_IPPROTO_TCP && f->key.proto != EW_IPPROTO_UDP)
		return;
	d->flows_in++;
	snprintf(svc, sizeof(svc), "%s/%u", f->key.proto == EW_IPPROTO_TCP ? "tcp" : "udp",
		 f->key.port[ss]);
	device_table_signal(dt, d, SIG_SERVICE_PORT, svc, strlen(svc), f->last_ts);
}

/*
 * The known device that one end of an ended flow (address a, sent from
 * MAC mac when has_mac) is, refreshed to the flow's last packet (exact
 * to the µs); never created here.  Its MAC's device when the address is
 * that device's own, or an inside address of a host; the IP-keyed device
 * of an inside address behind a router or without a MAC; nobody for an
 * outside address that is not a device's own (a MAC behind it is the
 * router's, not the host's).
 */
static struct device *flow_end(struct device_table *dt, const struct flow *f, int dir,
			       const struct ew_addr *a)
{
	bool inside = device_table_is_home(dt, a);
	struct device *d = NULL;

	if (f->has_mac & (1u << dir))
		d = device_table_find(dt, f->mac[dir]);
	if (d != NULL && (device_owns_addr(d, a) || ew_addr_is_link_local(a) ||
			  (inside && d->routed_pkts == 0)))
		return device_table_touch(dt, f->mac[dir], f->last_ts, false);
	return inside ? device_table_touch_ip(dt, a, f->last_ts, false) : NULL;
}

void device_observe_flow(struct device_table *dt, const struct flow *f, const char *app)
{
	struct ew_addr client = side_addr(f, f->client_side);
	struct ew_addr server = side_addr(f, 1 - f->client_side);
	struct device *d;

	if ((d = flow_end(dt, f, FLOW_TOSERVER, &client)) != NULL)
		observe_client(dt, d, f, app);
	if ((d = flow_end(dt, f, FLOW_TOCLIENT, &server)) != NULL)
		observe_server(dt, d, f);
}
