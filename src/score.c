/*
 * score.c - packets and flows to baselines (see score.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "score.h"
#include "util-dnsname.h"
#include "util-hash.h"

#define DNS_PORT 53
#define EPHEMERAL_PORT_MIN 32768u
#define DHCP_SERVER_PORT 67
#define DHCPV6_SERVER_PORT 547
#define DNS_HEADER_LEN 12
#define ICMP4_UNREACHABLE 3
#define ICMP6_UNREACHABLE 1

/* Hash seeds: distinct per use, fixed because baselines are saved to disk. */
#define SEED_REMOTE 0x72656d6f7465ULL   /* "remote" */
#define SEED_ENDPOINT 0x656e64706fULL   /* "endpo" */
#define SEED_DNS_NAME 0x646e736e616dULL /* "dnsnam" */
#define SEED_IP_KEY 0x69706b6579ULL     /* "ipkey" */

struct scorer {
	const struct model *model;
	struct device_table *devices;
	struct baseline_table *baselines;
	struct dns_cache *dns;
	scorer_report_fn report;
	void *ctx;
	uint64_t last_tick_bin;
	uint64_t tables_replaced; /* device tables swapped under us (scorer_set_devices) */
	bool learn_only;
	bool disabled; /* --no-scoring: for measuring what scoring costs */
	struct baseline_report r; /* filled by one observation at a time */
	struct scorer_stats st;
};

struct scorer *scorer_create(const struct model *m, struct device_table *dt,
			     uint32_t max_baselines, uint32_t dns_cache_entries,
			     scorer_report_fn fn, void *ctx)
{
	struct scorer *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->model = m;
	s->devices = dt;
	s->report = fn;
	s->ctx = ctx;
	s->baselines = baseline_table_create(max_baselines);
	s->dns = dns_cache_create(dns_cache_entries);
	if (s->baselines == NULL || s->dns == NULL) {
		scorer_destroy(s);
		return NULL;
	}
	return s;
}

void scorer_destroy(struct scorer *s)
{
	if (s == NULL)
		return;
	baseline_table_destroy(s->baselines);
	dns_cache_destroy(s->dns);
	free(s);
}

uint64_t scorer_device_key(const struct device *d)
{
	uint64_t k = 0;

	if (d->key_kind == DEVICE_KEY_IP)
		return ew_hash64(d->ip.bytes, sizeof(d->ip.bytes), SEED_IP_KEY) | (1ULL << 63);
	/* A MAC is 48 bits: the key is the MAC itself, so it reads back from a saved file. */
	for (int i = 0; i < 6; i++)
		k = k << 8 | d->mac[i];
	return k;
}

bool scorer_is_internal(const struct scorer *s, const struct ew_addr *addr)
{
	return device_table_is_home(s->devices, addr);
}

const char *scorer_name_of(const struct scorer *s, const struct ew_addr *addr)
{
	return dns_cache_lookup(s->dns, addr);
}

void scorer_env(const struct scorer *s, const struct device *d, struct baseline_env *env)
{
	env->model = s->model;
	env->cls = model_class_for(s->model, d != NULL ? d->class_name : NULL);
	env->learn_only = s->learn_only;
}

void scorer_set_devices(struct scorer *s, struct device_table *dt)
{
	s->devices = dt;
	s->tables_replaced++;
}

/*
 * Moves on whenever a record a flow may remember is freed: a device or a
 * baseline evicted, or the device table replaced.  Flows holding another
 * generation look their ends up again.
 */
static uint64_t generation(const struct scorer *s)
{
	return device_table_stats(s->devices)->evicted + baseline_table_stats(s->baselines)->evicted +
	       s->tables_replaced;
}

void scorer_set_enabled(struct scorer *s, bool enabled)
{
	s->disabled = !enabled;
}

void scorer_set_learn_only(struct scorer *s, bool learn_only)
{
	s->learn_only = learn_only;
}

static void end_learning_one(void *ctx, uint64_t key, struct baseline *b)
{
	(void)ctx;
	(void)key;
	baseline_end_learning(b);
}

void scorer_end_learning(struct scorer *s)
{
	baseline_table_foreach(s->baselines, end_learning_one, NULL);
}

/*
 * Routers and gateways carry every other machine's traffic: scoring them
 * would judge the whole network as one device.  They are recognised by
 * forwarding (device-table.h: even one packet sent from an address
 * outside the home networks) or classified so, and left out.
 */
static bool is_router(const struct device *d)
{
	/* One packet from an address outside the home networks is forwarding already. */
	return d->routed_pkts > 0 || d->outside_srcs > 0 || strcmp(d->class_name, "router") == 0;
}

/*
 * The device that sent (src) or received a packet: nobody for an address
 * outside the home networks (an Internet host, its packets carried by the
 * router's MAC); else the MAC's device unless that is a router, then the
 * device keyed by the address, if the table made one.
 */
static struct device *end_device(const struct scorer *s, const struct ew_packet *pkt, bool src)
{
	const struct ew_addr *a = src ? &pkt->src : &pkt->dst;
	struct device *d = NULL;

	if (!device_table_is_home(s->devices, a))
		return NULL;
	if (pkt->has_mac)
		d = device_table_find(s->devices, src ? pkt->src_mac : pkt->dst_mac);
	if (d != NULL && !is_router(d))
		return d;
	d = device_table_find_ip(s->devices, a);
	return d != NULL && !is_router(d) ? d : NULL;
}

static struct baseline *baseline_of(struct scorer *s, const struct device *d,
				    struct baseline_env *env)
{
	struct baseline *b = baseline_table_get(s->baselines, scorer_device_key(d), d->first_ts,
						true);

	if (b == NULL) {
		s->st.no_baseline++;
		return NULL;
	}
	env->model = s->model;
	env->cls = baseline_class(b, s->model, d->class_name);
	env->learn_only = s->learn_only;
	return b;
}

static void deliver(struct scorer *s, const struct device *d, bool due)
{
	if (!due)
		return;
	s->st.reports++;
	if (s->report)
		s->report(s->ctx, d, scorer_device_key(d), &s->r);
}

static uint64_t addr_hash(const struct ew_addr *a)
{
	return ew_hash64(a->bytes, sizeof(a->bytes), SEED_REMOTE);
}

/* The remote end as a person names it: the name it was resolved from, else the address. */
static void endpoint_of(const struct scorer *s, const struct ew_addr *a, char *label,
			size_t len, uint64_t *hash)
{
	const char *name = dns_cache_lookup(s->dns, a);

	if (name != NULL && name[0] != '\0')
		snprintf(label, len, "%s", name);
	else
		ew_addr_format(a, label, len);
	*hash = ew_hash64(label, strlen(label), SEED_ENDPOINT);
}

/* The question name of a DNS query (QR clear, one question at least); false otherwise. */
static bool dns_query_name(const struct ew_packet *pkt, char *name, size_t len)
{
	const uint8_t *m = pkt->payload;
	size_t end;

	if (pkt->payload_len < DNS_HEADER_LEN || (m[2] & 0x80) != 0)
		return false;
	if (((unsigned)m[4] << 8 | m[5]) == 0)
		return false;
	return dns_name_decode(m, pkt->payload_len, DNS_HEADER_LEN, name, len, &end) ==
	       DNS_NAME_OK;
}

/*
 * DHCP: every device renews its lease at its own period, often longer
 * than learning, and the exchange says nothing about its behaviour; its
 * flows feed the numbers but no profile.
 */
static bool is_infrastructure(const struct flow *f)
{
	return f->key.proto == EW_IPPROTO_UDP &&
	       (f->key.port[0] == DHCP_SERVER_PORT || f->key.port[1] == DHCP_SERVER_PORT ||
		f->key.port[0] == DHCPV6_SERVER_PORT || f->key.port[1] == DHCPV6_SERVER_PORT);
}

/*
 * A UDP datagram from a service port to an ephemeral one opening a flow:
 * an answer to a question sent elsewhere (an SSDP M-SEARCH to the
 * multicast group is answered by unicast).  Not a destination of the
 * device's own choosing, so it joins no profile.
 */
static bool is_reply(const struct ew_packet *pkt)
{
	return pkt->l4_proto == EW_IPPROTO_UDP && pkt->sport < EPHEMERAL_PORT_MIN &&
	       pkt->dport >= EPHEMERAL_PORT_MIN;
}

/*
 * A multicast or broadcast destination (IPv4 224/4 and up, IPv6 ff00::/8):
 * not a place a restrict quarantine could keep open.
 */
static bool is_group_address(const struct ew_addr *a)
{
	if (a->family == EW_AF_INET)
		return a->bytes[12] >= 224;
	return a->family == EW_AF_INET6 && a->bytes[0] == 0xff;
}

/* One end of a packet's flow: its device and baseline (NULL: none), and the far end's hash. */
struct end {
	struct device *d;
	struct baseline *b;
	uint64_t remote;
};

/*
 * The device and baseline at end `side` (0 client, 1 server) of flow f,
 * for packet pkt whose sender is that end (sender) or not; remembered in
 * the flow for its later packets.
 */
static void end_of(struct scorer *s, struct flow *f, unsigned side, bool sender,
		   const struct ew_packet *pkt, uint64_t gen, struct end *e)
{
	if ((f->score_valid & (1u << side)) && f->score_gen == gen) {
		e->d = f->score_dev[side];
		e->b = f->score_bl[side];
		e->remote = f->score_remote[side];
		return;
	}
	e->d = end_device(s, pkt, sender);
	e->b = NULL;
	e->remote = addr_hash(sender ? &pkt->dst : &pkt->src);
	if (e->d != NULL) {
		e->b = baseline_table_get(s->baselines, scorer_device_key(e->d), e->d->first_ts,
					  true);
		if (e->b == NULL)
			s->st.no_baseline++;
	}
	/* Creating a baseline may have evicted one: the generation is read again. */
	if (f->score_gen != generation(s)) {
		f->score_valid = 0;
		f->score_gen = generation(s);
	}
	f->score_dev[side] = e->d;
	f->score_bl[side] = e->b;
	f->score_remote[side] = e->remote;
	f->score_valid |= (uint8_t)(1u << side);
}

static void env_of(const struct scorer *s, const struct end *e, struct baseline_env *env)
{
	env->model = s->model;
	env->cls = baseline_class(e->b, s->model, e->d->class_name);
	env->learn_only = s->learn_only;
}

static void sender_side(struct scorer *s, const struct flow *f, enum flow_dir dir,
			bool new_flow, const struct ew_packet *pkt, const struct end *e)
{
	struct baseline_env env;
	struct baseline *b = e->b;
	struct device *d = e->d;

	env_of(s, e, &env);
	s->st.packets_scored++;
	deliver(s, d, baseline_packet(b, &env, pkt->ts_us, true, pkt->wirelen, e->remote, &pkt->dst,
				      &s->r));
	if (new_flow && dir == FLOW_TOSERVER) {
		char label[DNS_NAME_TEXT_MAX];
		uint64_t ep;

		bool chosen = !is_infrastructure(f) && !is_reply(pkt);

		endpoint_of(s, &pkt->dst, label, sizeof(label), &ep);
		deliver(s, d, baseline_flow_start(b, &env, pkt->ts_us, true, e->remote,
						  device_table_is_home(s->devices, &pkt->dst), ep,
						  label, pkt->l4_proto, pkt->dport, chosen, &s->r));
		if (chosen && !is_group_address(&pkt->dst))
			baseline_destination(b, pkt->ts_us, &pkt->dst, pkt->l4_proto, pkt->dport);
	}
	/* The first answer of a flow: the device offers that service. */
	if (dir == FLOW_TOCLIENT && f->pkts[FLOW_TOCLIENT] == 1 && !is_infrastructure(f) &&
	    (pkt->l4_proto == EW_IPPROTO_UDP ||
	     (pkt->l4_proto == EW_IPPROTO_TCP &&
	      (pkt->tcp_flags & (EW_TH_SYN | EW_TH_ACK)) == (EW_TH_SYN | EW_TH_ACK)))) {
		char svc[16];

		snprintf(svc, sizeof(svc), "%s/%u", pkt->l4_proto == EW_IPPROTO_TCP ? "tcp" : "udp",
			 (unsigned)pkt->sport);
		deliver(s, d, baseline_item(b, &env, pkt->ts_us, BLC_SERVICE, svc, &s->r));
	}
	if (pkt->l4_proto == EW_IPPROTO_UDP && pkt->dport == DNS_PORT && pkt->has_l4) {
		char name[DNS_NAME_TEXT_MAX];

		if (dns_query_name(pkt, name, sizeof(name))) {
			s->st.dns_queries++;
			deliver(s, d, baseline_dns_query(b, &env, pkt->ts_us,
							 ew_hash64(name, strlen(name),
								   SEED_DNS_NAME),
							 &s->r));
		}
	}
}

static void receiver_side(struct scorer *s, bool new_flow, enum flow_dir dir,
			  const struct ew_packet *pkt, const struct end *e)
{
	struct baseline_env env;
	struct baseline *b = e->b;
	struct device *d = e->d;
	bool failed;

	env_of(s, e, &env);
	s->st.packets_scored++;
	deliver(s, d, baseline_packet(b, &env, pkt->ts_us, false, pkt->wirelen, e->remote, &pkt->src,
				      &s->r));
	if (new_flow && dir == FLOW_TOSERVER) {
		char label[DNS_NAME_TEXT_MAX];
		uint64_t ep;

		endpoint_of(s, &pkt->src, label, sizeof(label), &ep);
		deliver(s, d, baseline_flow_start(b, &env, pkt->ts_us, false, e->remote,
						  device_table_is_home(s->devices, &pkt->src), ep,
						  label, pkt->l4_proto, pkt->dport, false, &s->r));
	}
	failed = (pkt->l4_proto == EW_IPPROTO_TCP && (pkt->tcp_flags & EW_TH_RST)) ||
		 (pkt->l4_proto == EW_IPPROTO_ICMP && pkt->icmp_type == ICMP4_UNREACHABLE) ||
		 (pkt->l4_proto == EW_IPPROTO_ICMPV6 && pkt->icmp_type == ICMP6_UNREACHABLE);
	if (failed)
		deliver(s, d, baseline_failed(b, &env, pkt->ts_us, &s->r));
}

void scorer_packet(struct scorer *s, struct flow *f, enum flow_dir dir, bool new_flow,
		   const struct ew_packet *pkt)
{
	unsigned sender = dir == FLOW_TOSERVER ? 0 : 1;
	struct end src, dst;
	uint64_t gen;

	if (s->disabled)
		return;
	/* DNS answers name the remote ends of the flows that follow them. */
	if (pkt->l4_proto == EW_IPPROTO_UDP && pkt->has_l4 && pkt->sport == DNS_PORT &&
	    pkt->payload_len > 0)
		(void)dns_cache_add_response(s->dns, pkt->payload, pkt->payload_len, pkt->ts_us);
	gen = generation(s);
	end_of(s, f, sender, true, pkt, gen, &src);
	end_of(s, f, 1u - sender, false, pkt, generation(s), &dst);
	/* The receiver's lookup may have evicted the sender's baseline: then look again. */
	if (!(f->score_valid & (1u << sender)))
		end_of(s, f, sender, true, pkt, generation(s), &src);
	if (src.b != NULL)
		sender_side(s, f, dir, new_flow, pkt, &src);
	/*
	 * A report may not free anything, so dst is still valid; but the two
	 * ends may be one device (a packet to itself): count it once.
	 */
	if (dst.b != NULL && dst.d != src.d)
		receiver_side(s, new_flow, dir, pkt, &dst);
}

struct device *scorer_flow_device(const struct scorer *s, const struct flow *f,
				  enum flow_dir side)
{
	struct ew_packet view;
	unsigned idx = side == FLOW_TOSERVER ? f->client_side : 1u - f->client_side;

	memset(&view, 0, sizeof(view));
	view.has_mac = (f->has_mac & (1u << side)) != 0;
	memcpy(view.src_mac, f->mac[side], 6);
	memcpy(view.src.bytes, f->key.addr[idx], 16);
	view.src.family = f->key.family;
	return end_device(s, &view, true);
}

void scorer_flow_classified(struct scorer *s, const struct flow *f, const char *app,
			    ew_usec_t now)
{
	struct device *d = scorer_flow_device(s, f, FLOW_TOSERVER);
	struct baseline_env env;
	struct baseline *b;

	if (s->disabled || d == NULL || is_infrastructure(f) ||
	    (b = baseline_of(s, d, &env)) == NULL)
		return;
	if (app != NULL && app[0] != '\0' && strcmp(app, "Unknown") != 0)
		deliver(s, d, baseline_item(b, &env, now, BLC_APP_PROTO, app, &s->r));
	if (f->ja3_client[0] != '\0')
		deliver(s, d, baseline_item(b, &env, now, BLC_JA3, f->ja3_client, &s->r));
}

void scorer_flow_end(struct scorer *s, const struct flow *f, ew_usec_t now)
{
	struct device *d;
	struct baseline_env env;
	struct baseline *b;

	if (s->disabled || f->key.proto != EW_IPPROTO_TCP || (f->tcp_close & FLOW_TCP_ANSWERED))
		return;
	d = scorer_flow_device(s, f, FLOW_TOSERVER);
	if (d == NULL || (b = baseline_of(s, d, &env)) == NULL)
		return;
	/* A SYN never answered: a failed connection, counted when the flow gives up. */
	deliver(s, d, baseline_failed(b, &env, now, &s->r));
}

struct tick_ctx {
	struct scorer *s;
	ew_usec_t now;
};

static void tick_one(void *ctx, uint64_t key, struct baseline *b)
{
	struct tick_ctx *tc = ctx;
	struct scorer *s = tc->s;
	const struct device *d = NULL;
	struct baseline_env env;

	/* The device record may be gone; a MAC key still finds a live one. */
	if (!(key >> 63)) {
		uint8_t mac[6];

		for (int i = 5; i >= 0; i--, key >>= 8)
			mac[i] = (uint8_t)key;
		d = device_table_find(s->devices, mac);
	}
	scorer_env(s, d, &env);
	if (baseline_tick(b, &env, tc->now, &s->r) && d != NULL) {
		s->st.reports++;
		if (s->report)
			s->report(s->ctx, d, scorer_device_key(d), &s->r);
	}
}

void scorer_tick(struct scorer *s, ew_usec_t now)
{
	uint64_t bin = now / ((uint64_t)s->model->bin_s * EW_USEC_PER_SEC);
	struct tick_ctx tc = { s, now };

	if (s->disabled || bin <= s->last_tick_bin)
		return;
	s->last_tick_bin = bin;
	baseline_table_foreach(s->baselines, tick_one, &tc);
}

bool scorer_summary(struct scorer *s, const struct device *d, ew_usec_t now,
		    struct baseline_summary *out)
{
	struct baseline *b = baseline_table_get(s->baselines, scorer_device_key(d), 0, false);

	if (b == NULL)
		return false;
	baseline_summarize(b, s->model, now, out);
	return true;
}

struct device *scorer_packet_receiver(const struct scorer *s, const struct ew_packet *pkt)
{
	return end_device(s, pkt, false);
}

size_t scorer_destinations(struct scorer *s, const struct device *d, ew_usec_t now,
			   struct baseline_dest *out, size_t max)
{
	struct baseline *b = baseline_table_get(s->baselines, scorer_device_key(d), 0, false);

	return b != NULL ? baseline_destinations(b, now, out, max) : 0;
}

struct baseline_table *scorer_baselines(struct scorer *s)
{
	return s->baselines;
}

const struct scorer_stats *scorer_stats(const struct scorer *s)
{
	return &s->st;
}

const struct dns_cache *scorer_dns(const struct scorer *s)
{
	return s->dns;
}
