/*
 * device-table.c - bounded device table with change detection (see device-table.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device-table.h"
#include "util-list.h"

/*
 * A signal's second distinct value is a change worth an event only once
 * the device has been watched this long: the first minutes of a device
 * show its repertoire (several TLS stacks, a DHCP renewal with other
 * options), not a change of firmware.
 */
#define DEVICE_SETTLE_S 600

/* The addresses behind device.outside_srcs and inside_srcs. */
struct device_src_set {
	struct ew_addr addr[DEVICE_SRC_TRACK];
	ew_usec_t first_ts[DEVICE_SRC_TRACK], last_ts[DEVICE_SRC_TRACK];
	bool outside[DEVICE_SRC_TRACK];
	uint8_t n;
	uint64_t pkts; /* packets from them before it was recognised as a router */
};

struct device_table {
	struct device **buckets;
	uint32_t bucket_mask;
	uint32_t max_devices;
	ew_usec_t gone_after_us;
	struct ew_cidr_list home;  /* owned copy */
	struct device *pinned;     /* never evicted: the MAC device touched last */
	ew_usec_t ip_credit_us;    /* token bucket of new IP-keyed devices, in µs of rate */
	ew_usec_t ip_credit_ts;    /* packet time it was last topped up */
	bool ip_credit_started;    /* false: the bucket is full, no time yet */
	const struct oui_db *oui;
	device_event_fn on_event;
	void *ctx;
	device_classify_fn classify;
	void *classify_ctx;
	/* Every device is on exactly one; head: unseen the longest. */
	struct ew_list present, gone;
	struct device_table_stats stats;
};

#define REPORTED_GONE 0x01 /* in device.reported: a gone event was sent */
#define REPORTED_NEW 0x02  /* in device.reported: the new event was sent */

static const char *const kind_names[SIG_KIND_MAX] = {
	[SIG_DHCP_HOSTNAME] = "dhcp_hostname", [SIG_DHCP_VENDOR] = "dhcp_vendor_class",
	[SIG_DHCP_PRL] = "dhcp_fingerprint",   [SIG_DHCP_FQDN] = "dhcp_fqdn",
	[SIG_MUD_URL] = "mud_url",
	[SIG_MDNS_SERVICE] = "mdns_service",   [SIG_MDNS_NAME] = "mdns_name",
	[SIG_MDNS_TXT] = "mdns_txt",           [SIG_NETBIOS_NAME] = "netbios_name",
	[SIG_LLMNR_NAME] = "llmnr_name",       [SIG_SSDP_SERVER] = "ssdp_server",
	[SIG_SSDP_TYPE] = "ssdp_type",         [SIG_SSDP_SEARCH] = "ssdp_search",
	[SIG_SSDP_USER_AGENT] = "ssdp_user_agent",
	[SIG_TLS_SNI] = "tls_sni",             [SIG_TLS_JA3] = "tls_ja3",
	[SIG_DNS_QUERY] = "dns_query",         [SIG_HTTP_USER_AGENT] = "http_user_agent",
	[SIG_NTP_SERVER] = "ntp_server",       [SIG_APP_PROTO] = "app_proto",
	[SIG_SERVICE_PORT] = "service_port",   [SIG_TCP_SYN] = "tcp_syn",
	[SIG_OS_GUESS] = "os_guess",           [SIG_LLDP_NAME] = "lldp_name",
	[SIG_LLDP_DESCRIPTION] = "lldp_description",
	[SIG_LLDP_CAPABILITIES] = "lldp_capabilities",
};

const char *device_signal_kind_name(enum device_signal_kind k)
{
	return k < SIG_KIND_MAX ? kind_names[k] : "unknown";
}

int device_signal_kind_from_name(const char *name)
{
	for (int k = 0; k < SIG_KIND_MAX; k++)
		if (strcmp(kind_names[k], name) == 0)
			return k;
	return -1;
}

/*
 * Kinds that the software itself writes: its TLS stack (JA3), its DHCP
 * client (the option 55 list), its HTTP client (User-Agent) and the
 * services it offers.  A new one on a settled device most likely means
 * new firmware (or another machine behind the MAC).
 */
bool device_signal_is_firmware(enum device_signal_kind k)
{
	return k == SIG_TLS_JA3 || k == SIG_DHCP_PRL || k == SIG_HTTP_USER_AGENT ||
	       k == SIG_SERVICE_PORT || k == SIG_MUD_URL;
}

const char *device_signal_latest(const struct device *d, enum device_signal_kind k)
{
	const struct device_signal *best = NULL;

	if (k >= SIG_KIND_MAX)
		return NULL;
	for (unsigned i = 0; i < d->sig[k].n; i++)
		if (best == NULL || d->sig[k].slot[i].last_ts > best->last_ts)
			best = &d->sig[k].slot[i];
	return best != NULL ? best->value : NULL;
}

/* Kinds whose new value on a settled device suggests new firmware or a spoofed MAC. */
static bool kind_change_matters(enum device_signal_kind k)
{
	return k == SIG_DHCP_VENDOR || k == SIG_DHCP_HOSTNAME || k == SIG_SSDP_SERVER ||
	       device_signal_is_firmware(k);
}

static struct device *device_of(struct ew_list_node *n)
{
	return EW_CONTAINER_OF(n, struct device, lru);
}

static uint32_t mix64(uint64_t v)
{
	v ^= v >> 29;
	v *= 0xbf58476d1ce4e5b9ULL;
	v ^= v >> 32;
	return (uint32_t)v;
}

static uint32_t mac_hash(const uint8_t mac[6])
{
	/* The NIC-specific half varies most; fold in the vendor half too. */
	uint64_t v = 0;
	for (int i = 0; i < 6; i++)
		v = (v << 8) | mac[i];
	return mix64(v);
}

/* IPv4 differs only in the last 4 bytes, IPv6 hosts mostly in the last 8. */
static uint32_t ip_hash(const struct ew_addr *a)
{
	uint64_t hi = 0, lo = 0;

	for (int i = 0; i < 8; i++) {
		hi = (hi << 8) | a->bytes[i];
		lo = (lo << 8) | a->bytes[8 + i];
	}
	return mix64(lo ^ (hi * 0x9e3779b97f4a7c15ULL) ^ 0x1f);
}

static uint32_t device_hash(const struct device *d)
{
	return d->key_kind == DEVICE_KEY_IP ? ip_hash(&d->ip) : mac_hash(d->mac);
}

static bool same_addr(const struct ew_addr *a, const struct ew_addr *b)
{
	return a->family == b->family && memcmp(a->bytes, b->bytes, 16) == 0;
}

static void emit_before(struct device_table *dt, const struct device *d,
			enum device_event_kind kind, ew_usec_t ts, const char *field, int sig_kind,
			const char *after, const char *before)
{
	struct device_change ch = { kind, ts, field, sig_kind, after, before };

	if (dt->on_event)
		dt->on_event(dt->ctx, d, &ch);
}

static void emit(struct device_table *dt, const struct device *d, enum device_event_kind kind,
		 ew_usec_t ts, const char *field, int sig_kind, const char *after)
{
	emit_before(dt, d, kind, ts, field, sig_kind, after, NULL);
}

struct device_table *device_table_create(uint32_t max_devices, uint32_t gone_after_s,
					 const struct ew_cidr_list *home, const struct oui_db *oui,
					 device_event_fn on_event, void *ctx)
{
	struct device_table *dt;
	uint32_t nb = 256;

	if (max_devices == 0 || (dt = calloc(1, sizeof(*dt))) == NULL)
		return NULL;
	while (nb < max_devices && nb < (1u << 30))
		nb <<= 1;
	dt->buckets = calloc(nb, sizeof(*dt->buckets));
	if (dt->buckets == NULL || (home != NULL && ew_cidr_list_copy(&dt->home, home) < 0)) {
		free(dt->buckets);
		free(dt);
		return NULL;
	}
	dt->bucket_mask = nb - 1;
	dt->max_devices = max_devices;
	dt->gone_after_us = (ew_usec_t)gone_after_s * EW_USEC_PER_SEC;
	dt->oui = oui;
	dt->on_event = on_event;
	dt->ctx = ctx;
	return dt;
}

static void device_free(struct device *d)
{
	for (int k = 0; k < SIG_KIND_MAX; k++)
		for (int i = 0; i < d->sig[k].n; i++)
			free(d->sig[k].slot[i].value);
	free(d->srcs);
	free(d);
}

void device_table_destroy(struct device_table *dt)
{
	if (dt == NULL)
		return;
	for (uint32_t b = 0; b <= dt->bucket_mask; b++) {
		struct device *d = dt->buckets[b], *next;
		for (; d != NULL; d = next) {
			next = d->hash_next;
			device_free(d);
		}
	}
	free(dt->buckets);
	ew_cidr_list_free(&dt->home);
	free(dt);
}

struct device *device_table_find(const struct device_table *dt, const uint8_t mac[6])
{
	struct device *d = dt->buckets[mac_hash(mac) & dt->bucket_mask];

	while (d != NULL && (d->key_kind != DEVICE_KEY_MAC || memcmp(d->mac, mac, 6) != 0))
		d = d->hash_next;
	return d;
}

struct device *device_table_find_ip(const struct device_table *dt, const struct ew_addr *a)
{
	struct device *d = dt->buckets[ip_hash(a) & dt->bucket_mask];

	while (d != NULL && (d->key_kind != DEVICE_KEY_IP || !same_addr(&d->ip, a)))
		d = d->hash_next;
	return d;
}

bool device_table_is_home(const struct device_table *dt, const struct ew_addr *a)
{
	return ew_cidr_list_contains(&dt->home, a);
}

/* The device unseen the longest on l other than the pinned one, or NULL. */
static struct device *oldest_unpinned(const struct device_table *dt, const struct ew_list *l)
{
	struct device *d = device_of(ew_list_first(l));

	if (d != NULL && d == dt->pinned)
		d = device_of(ew_list_next(&d->lru));
	return d;
}

/*
 * Makes room for one more: a gone device if there is one, else the one
 * present but unseen the longest.  The pinned device (the sender of the
 * packet being observed) is passed over, so that creating the devices
 * behind a router never frees the router under its caller.  false when
 * nothing but the pinned device could go.
 */
static bool evict_one(struct device_table *dt)
{
	struct ew_list *l = &dt->gone;
	struct device *victim = oldest_unpinned(dt, l), **pp;

	if (victim == NULL) {
		l = &dt->present;
		victim = oldest_unpinned(dt, l);
	}
	if (victim == NULL)
		return false;
	ew_list_remove(l, &victim->lru);
	pp = &dt->buckets[device_hash(victim) & dt->bucket_mask];
	while (*pp != victim)
		pp = &(*pp)->hash_next;
	*pp = victim->hash_next;
	if (victim->key_kind == DEVICE_KEY_IP)
		dt->stats.ip_keyed--;
	device_free(victim);
	dt->stats.active--;
	dt->stats.evicted++;
	return true;
}

/* A new record keyed by mac (ip NULL) or by ip. */
static struct device *device_new(struct device_table *dt, const uint8_t mac[6],
				 const struct ew_addr *ip, ew_usec_t ts)
{
	struct device *d;
	uint32_t b;

	if (dt->stats.active >= dt->max_devices && !evict_one(dt))
		return NULL;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	if (ip != NULL) {
		d->key_kind = DEVICE_KEY_IP;
		d->ip = *ip;
		dt->stats.ip_keyed++;
	} else {
		memcpy(d->mac, mac, 6);
		d->local_admin = (mac[0] & 0x02) != 0;
		d->vendor = dt->oui ? oui_db_lookup(dt->oui, mac) : NULL;
	}
	d->first_ts = d->last_ts = ts;
	b = device_hash(d) & dt->bucket_mask;
	d->hash_next = dt->buckets[b];
	dt->buckets[b] = d;
	ew_list_append(&dt->present, &d->lru);
	dt->stats.created++;
	if (++dt->stats.active > dt->stats.peak_active)
		dt->stats.peak_active = dt->stats.active;
	return d;
}

void device_table_set_classifier(struct device_table *dt, device_classify_fn fn, void *ctx)
{
	dt->classify = fn;
	dt->classify_ctx = ctx;
}

static bool settled(const struct device *d, ew_usec_t ts)
{
	return ts >= d->first_ts + (ew_usec_t)DEVICE_SETTLE_S * EW_USEC_PER_SEC;
}

/*
 * The classifier's answer, or "router" for a router no rule recognised
 * (none loaded, or none matched): its traffic is evidence enough, and
 * device_rules_classify() gives the same answer with the reason.
 */
static void classify(struct device_table *dt, struct device *d)
{
	if (dt->classify != NULL)
		dt->classify(dt->classify_ctx, d);
	if (d->routed_pkts > 0 &&
	    (d->class_name[0] == '\0' || strcmp(d->class_name, "unknown") == 0)) {
		snprintf(d->class_name, sizeof(d->class_name), "router");
		d->class_vendor[0] = d->class_model[0] = '\0';
		d->class_confidence = DEVICE_ROUTER_BUILTIN_WEIGHT;
	}
}

/*
 * Re-classifies after new evidence.  "unknown" becoming a class, or a
 * class refined while the device is still being learnt, is not news; a
 * settled device turning from one known class into another is.
 */
static void reclassify(struct device_table *dt, struct device *d, ew_usec_t ts)
{
	char before[sizeof(d->class_name)];

	if (dt->classify == NULL && d->routed_pkts == 0)
		return;
	memcpy(before, d->class_name, sizeof(before));
	classify(dt, d);
	if (before[0] != '\0' && strcmp(before, "unknown") != 0 &&
	    strcmp(before, d->class_name) != 0 && settled(d, ts))
		emit_before(dt, d, DEVICE_CHANGED, ts, "class", -1, d->class_name, before);
}

void device_table_reclassify_all(struct device_table *dt)
{
	for (uint32_t b = 0; b <= dt->bucket_mask; b++)
		for (struct device *d = dt->buckets[b]; d != NULL; d = d->hash_next)
			if (dt->classify != NULL || d->routed_pkts > 0)
				classify(dt, d);
}

void device_table_announce(struct device_table *dt, struct device *d)
{
	if (d->reported & REPORTED_NEW)
		return;
	d->reported |= REPORTED_NEW;
	reclassify(dt, d, d->first_ts);
	emit(dt, d, DEVICE_NEW, d->first_ts, NULL, -1, NULL);
}

/* Refreshes a known device at ts; back from gone is news. */
static struct device *refresh(struct device_table *dt, struct device *d, ew_usec_t ts)
{
	if (ts > d->last_ts)
		d->last_ts = ts;
	if (d->reported & REPORTED_GONE) {
		d->reported &= (uint8_t)~REPORTED_GONE;
		ew_list_remove(&dt->gone, &d->lru);
		ew_list_append(&dt->present, &d->lru);
		emit(dt, d, DEVICE_CHANGED, ts, "presence", -1, "present");
		return d;
	}
	ew_list_move_to_tail(&dt->present, &d->lru);
	return d;
}

struct device *device_table_touch(struct device_table *dt, const uint8_t mac[6], ew_usec_t ts,
				  bool create)
{
	static const uint8_t zero[6];
	struct device *d;

	/* Group addresses are not devices; an all-zero MAC is a placeholder. */
	if ((mac[0] & 0x01) || memcmp(mac, zero, 6) == 0)
		return NULL;
	d = device_table_find(dt, mac);
	if (d == NULL)
		d = create ? device_new(dt, mac, NULL, ts) : NULL;
	else
		d = refresh(dt, d, ts);
	if (d != NULL)
		dt->pinned = d;
	return d;
}

/* Unspecified and multicast sources are not machines; broadcast neither. */
static bool addr_can_be_device(const struct ew_addr *a)
{
	static const uint8_t zero[16];
	const uint8_t *v4 = a->bytes + 12;

	if (a->family == EW_AF_INET)
		return memcmp(v4, zero, 4) != 0 && (v4[0] & 0xf0) != 0xe0 &&
		       !(v4[0] == 255 && v4[1] == 255 && v4[2] == 255 && v4[3] == 255);
	return a->family == EW_AF_INET6 && memcmp(a->bytes, zero, 16) != 0 && a->bytes[0] != 0xff;
}

/* µs of credit one new IP-keyed device costs: a minute shared by the rate. */
#define IP_NEW_COST_US (60 * EW_USEC_PER_SEC / DEVICE_IP_NEW_PER_MIN)

/*
 * Takes one token from the bucket of new IP-keyed devices at packet time
 * ts; false (counted) when it is empty.  Time going backwards (merged
 * captures) adds nothing.
 */
static bool ip_new_allowed(struct device_table *dt, ew_usec_t ts)
{
	const ew_usec_t full = (ew_usec_t)DEVICE_IP_NEW_BURST * IP_NEW_COST_US;

	if (!dt->ip_credit_started) {
		dt->ip_credit_started = true;
		dt->ip_credit_us = full;
		dt->ip_credit_ts = ts;
	} else if (ts > dt->ip_credit_ts) {
		ew_usec_t gained = ts - dt->ip_credit_ts;

		dt->ip_credit_us = gained >= full - dt->ip_credit_us ? full : dt->ip_credit_us + gained;
		dt->ip_credit_ts = ts;
	}
	if (dt->ip_credit_us < IP_NEW_COST_US) {
		dt->stats.ip_refused++;
		return false;
	}
	dt->ip_credit_us -= IP_NEW_COST_US;
	return true;
}

struct device *device_table_touch_ip(struct device_table *dt, const struct ew_addr *a,
				     ew_usec_t ts, bool create)
{
	struct device *d;

	if (!addr_can_be_device(a) || !device_table_is_home(dt, a))
		return NULL;
	d = device_table_find_ip(dt, a);
	if (d != NULL)
		return refresh(dt, d, ts);
	if (!create || !ip_new_allowed(dt, ts))
		return NULL;
	return device_new(dt, NULL, a, ts);
}

bool device_owns_addr(const struct device *d, const struct ew_addr *a)
{
	for (int i = 0; i < d->naddr; i++)
		if (d->addr[i].owned && same_addr(&d->addr[i].addr, a))
			return true;
	return false;
}

/* Takes a out of d's router evidence: it is d's own after all. */
static void src_forget(struct device *d, const struct ew_addr *a)
{
	struct device_src_set *s = d->srcs;

	if (s == NULL)
		return;
	for (int i = 0; i < s->n; i++) {
		if (!same_addr(&s->addr[i], a))
			continue;
		if (s->outside[i])
			d->outside_srcs--;
		else
			d->inside_srcs--;
		s->n--;
		s->addr[i] = s->addr[s->n];
		s->outside[i] = s->outside[s->n];
		s->first_ts[i] = s->first_ts[s->n];
		s->last_ts[i] = s->last_ts[s->n];
		return;
	}
}

void device_table_bind_addr(struct device_table *dt, struct device *d,
			    const struct ew_addr *a, enum device_addr_source src, ew_usec_t ts)
{
	bool had_v4 = false, owned = src != ADDR_FROM_TRAFFIC;
	char text[EW_ADDR_STRLEN];

	if (owned)
		src_forget(d, a);
	for (int i = 0; i < d->naddr; i++) {
		struct device_addr *da = &d->addr[i];
		if (same_addr(&da->addr, a)) {
			if (ts > da->last_ts)
				da->last_ts = ts;
			da->owned |= owned;
			return;
		}
		had_v4 |= da->addr.family == EW_AF_INET;
	}
	if (d->naddr >= DEVICE_MAX_ADDRS) {
		d->addrs_dropped++;
		return;
	}
	/*
	 * A second IPv4 address is news (renumbering, a spoofer); IPv6
	 * devices hold several addresses by design and rotate privacy
	 * addresses daily, so those are recorded without an event.
	 */
	d->addr[d->naddr].addr = *a;
	d->addr[d->naddr].source = (uint8_t)src;
	d->addr[d->naddr].owned = owned;
	d->addr[d->naddr].first_ts = d->addr[d->naddr].last_ts = ts;
	d->naddr++;
	if (had_v4 && a->family == EW_AF_INET) {
		ew_addr_format(a, text, sizeof(text));
		emit(dt, d, DEVICE_CHANGED, ts, "address", -1, text);
	}
}

/*
 * Counts a as one of d's foreign sources unless already counted.  The
 * set is allocated at d's first foreign source (routers, and hosts that
 * send from an address before ARP, DHCP or NDP binds it); once it is
 * full the counts stop growing ("32 or more").
 */
static void src_note(struct device *d, const struct ew_addr *a, bool outside, ew_usec_t ts)
{
	struct device_src_set *s = d->srcs;

	if (s == NULL && (s = d->srcs = calloc(1, sizeof(*s))) == NULL)
		return; /* no memory: no evidence, never a wrong one */
	s->pkts++;
	for (int i = 0; i < s->n; i++) {
		if (same_addr(&s->addr[i], a)) {
			if (ts > s->last_ts[i])
				s->last_ts[i] = ts;
			return;
		}
	}
	if (s->n >= DEVICE_SRC_TRACK)
		return;
	s->addr[s->n] = *a;
	s->outside[s->n] = outside;
	s->first_ts[s->n] = s->last_ts[s->n] = ts;
	s->n++;
	if (outside)
		d->outside_srcs++;
	else
		d->inside_srcs++;
}

/* The IP-keyed device of a host seen behind a router from first_ts to last_ts. */
static void host_behind(struct device_table *dt, const struct ew_addr *a, ew_usec_t first_ts,
			ew_usec_t last_ts)
{
	struct device *h = device_table_touch_ip(dt, a, first_ts, true);

	if (h == NULL)
		return;
	if (first_ts < h->first_ts)
		h->first_ts = first_ts;
	refresh(dt, h, last_ts);
	device_table_bind_addr(dt, h, a, ADDR_FROM_TRAFFIC, first_ts);
	device_table_bind_addr(dt, h, a, ADDR_FROM_TRAFFIC, last_ts);
	device_table_announce(dt, h);
}

/*
 * d has just been recognised as a router: the inside addresses it sent
 * from that no protocol bound to it are the hosts behind it, whether
 * they were credited to it from traffic (d->addr) or only counted as
 * evidence (d->srcs).  Each becomes a device of its own, keyed by the
 * address, with the times it was seen.  Signals so far cannot be told
 * apart and stay with d.
 */
static void move_hosts_behind(struct device_table *dt, struct device *d)
{
	struct device *pinned = dt->pinned;
	const struct device_src_set *s = d->srcs;
	int i = 0;

	dt->pinned = d;
	while (i < d->naddr) {
		struct device_addr da = d->addr[i];

		if (da.owned || ew_addr_is_link_local(&da.addr) ||
		    !device_table_is_home(dt, &da.addr)) {
			i++;
			continue;
		}
		memmove(&d->addr[i], &d->addr[i + 1], (size_t)(d->naddr - i - 1) * sizeof(da));
		d->naddr--;
		host_behind(dt, &da.addr, da.first_ts, da.last_ts);
	}
	for (int j = 0; s != NULL && j < s->n; j++)
		if (!s->outside[j] && !ew_addr_is_link_local(&s->addr[j]))
			host_behind(dt, &s->addr[j], s->first_ts[j], s->last_ts[j]);
	dt->pinned = pinned;
}

bool device_table_foreign_source(struct device_table *dt, struct device *d,
				 const struct ew_addr *a, ew_usec_t ts)
{
	if (d->key_kind != DEVICE_KEY_MAC)
		return false;
	src_note(d, a, !device_table_is_home(dt, a), ts);
	if (d->routed_pkts > 0) {
		d->routed_pkts++;
		return true;
	}
	if (d->outside_srcs < DEVICE_ROUTER_OUTSIDE_MIN && d->inside_srcs < DEVICE_ROUTER_INSIDE_MIN)
		return false;
	d->routed_pkts = d->srcs != NULL && d->srcs->pkts > 0 ? d->srcs->pkts : 1;
	dt->stats.routers++;
	move_hosts_behind(dt, d);
	reclassify(dt, d, ts);
	return true;
}

void device_router_evidence(const struct device *d, char *buf, size_t len)
{
	const char *more = d->outside_srcs + d->inside_srcs >= DEVICE_SRC_TRACK ? " or more" : "";

	if (len == 0)
		return;
	buf[0] = '\0';
	if (d->routed_pkts == 0)
		return;
	if (d->outside_srcs >= DEVICE_ROUTER_OUTSIDE_MIN || d->outside_srcs >= d->inside_srcs) {
		if (d->outside_srcs > 0)
			snprintf(buf, len, "forwards traffic from %u%s addresses outside the home networks",
				 d->outside_srcs, more);
		else
			snprintf(buf, len, "forwards traffic from addresses outside the home networks");
	} else {
		snprintf(buf, len, "sends from %u%s addresses inside the home networks that are not its own",
			 d->inside_srcs, more);
	}
}

void device_table_signal(struct device_table *dt, struct device *d, enum device_signal_kind k,
			 const char *value, size_t len, ew_usec_t ts)
{
	struct device_signal_set *s;
	struct device_signal *slot;

	if (k >= SIG_KIND_MAX || len == 0)
		return;
	if (len > DEVICE_SIGNAL_VALUE_MAX)
		len = DEVICE_SIGNAL_VALUE_MAX;
	s = &d->sig[k];
	for (int i = 0; i < s->n; i++) {
		slot = &s->slot[i];
		if (strlen(slot->value) == len && memcmp(slot->value, value, len) == 0) {
			slot->count++;
			if (ts > slot->last_ts)
				slot->last_ts = ts;
			return;
		}
	}
	if (s->n >= DEVICE_SIGNAL_SLOTS) {
		s->dropped++;
		return;
	}
	slot = &s->slot[s->n];
	if ((slot->value = malloc(len + 1)) == NULL) {
		s->dropped++;
		return;
	}
	memcpy(slot->value, value, len);
	slot->value[len] = '\0';
	slot->first_ts = slot->last_ts = ts;
	slot->count = 1;
	s->n++;
	if (s->n > 1 && kind_change_matters(k) && settled(d, ts))
		emit(dt, d, DEVICE_CHANGED, ts, kind_names[k], (int)k, slot->value);
	reclassify(dt, d, ts);
}

static struct device *restored(struct device *d, ew_usec_t first_ts)
{
	if (d == NULL)
		return NULL;
	d->reported |= REPORTED_NEW;
	if (first_ts < d->first_ts)
		d->first_ts = first_ts;
	return d;
}

struct device *device_table_restore(struct device_table *dt, const uint8_t mac[6],
				    ew_usec_t first_ts, ew_usec_t last_ts)
{
	return restored(device_table_touch(dt, mac, last_ts, true), first_ts);
}

/*
 * An IP-keyed device is restored whatever the home networks are now: the
 * file says what was seen; traffic decides what comes next.
 */
struct device *device_table_restore_ip(struct device_table *dt, const struct ew_addr *a,
				       ew_usec_t first_ts, ew_usec_t last_ts)
{
	struct device *d;

	if (!addr_can_be_device(a))
		return NULL;
	d = device_table_find_ip(dt, a);
	d = d != NULL ? refresh(dt, d, last_ts) : device_new(dt, NULL, a, last_ts);
	return restored(d, first_ts);
}

bool device_table_restore_signal(struct device *d, enum device_signal_kind k, const char *value,
				 uint32_t count, ew_usec_t first_ts, ew_usec_t last_ts)
{
	struct device_signal_set *s;
	size_t len = strlen(value);

	if (k >= SIG_KIND_MAX || len == 0 || len > DEVICE_SIGNAL_VALUE_MAX)
		return false;
	s = &d->sig[k];
	if (s->n >= DEVICE_SIGNAL_SLOTS)
		return false;
	if ((s->slot[s->n].value = strdup(value)) == NULL)
		return false;
	s->slot[s->n].count = count;
	s->slot[s->n].first_ts = first_ts;
	s->slot[s->n].last_ts = last_ts;
	s->n++;
	return true;
}

void device_table_expire(struct device_table *dt, ew_usec_t now_us)
{
	struct device *d;

	if (dt->gone_after_us == 0)
		return;
	/* A restored inventory may be "later" than a replayed capture: no underflow. */
	while ((d = device_of(ew_list_first(&dt->present))) != NULL && now_us > d->last_ts &&
	       now_us - d->last_ts > dt->gone_after_us) {
		ew_list_remove(&dt->present, &d->lru);
		ew_list_append(&dt->gone, &d->lru);
		d->reported |= REPORTED_GONE;
		dt->stats.gone++;
		emit(dt, d, DEVICE_GONE, now_us, NULL, -1, NULL);
	}
}

static int cmp_first_seen(const void *a, const void *b)
{
	const struct device *x = *(const struct device *const *)a;
	const struct device *y = *(const struct device *const *)b;

	if (x->first_ts != y->first_ts)
		return x->first_ts < y->first_ts ? -1 : 1;
	if (x->key_kind != y->key_kind)
		return x->key_kind < y->key_kind ? -1 : 1;
	if (x->key_kind == DEVICE_KEY_IP)
		return memcmp(x->ip.bytes, y->ip.bytes, 16);
	return memcmp(x->mac, y->mac, 6);
}

void device_table_foreach(const struct device_table *dt,
			  void (*fn)(void *ctx, const struct device *d), void *ctx)
{
	const struct device **all;
	size_t n = 0;

	if (dt->stats.active == 0)
		return;
	all = malloc(dt->stats.active * sizeof(*all));
	if (all == NULL)
		return;
	for (uint32_t b = 0; b <= dt->bucket_mask; b++)
		for (const struct device *d = dt->buckets[b]; d != NULL; d = d->hash_next)
			all[n++] = d;
	qsort(all, n, sizeof(*all), cmp_first_seen);
	for (size_t i = 0; i < n; i++)
		fn(ctx, all[i]);
	free(all);
}

const struct device_table_stats *device_table_stats(const struct device_table *dt)
{
	return &dt->stats;
}
