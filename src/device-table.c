/*
 * device-table.c - bounded device table with change detection (see device-table.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device-table.h"

/*
 * A signal's second distinct value is a change worth an event only once
 * the device has been watched this long: the first minutes of a device
 * show its repertoire (several TLS stacks, a DHCP renewal with other
 * options), not a change of firmware.
 */
#define DEVICE_SETTLE_S 600

struct device_list {
	struct device *head, *tail; /* head: unseen the longest */
};

struct device_table {
	struct device **buckets;
	uint32_t bucket_mask;
	uint32_t max_devices;
	ew_usec_t gone_after_us;
	const struct oui_db *oui;
	device_event_fn on_event;
	void *ctx;
	device_classify_fn classify;
	void *classify_ctx;
	struct device_list present, gone; /* every device is on exactly one */
	struct device_table_stats stats;
};

#define REPORTED_GONE 0x01 /* in device.reported: a gone event was sent */
#define REPORTED_NEW 0x02  /* in device.reported: the new event was sent */

static const char *const kind_names[SIG_KIND_MAX] = {
	[SIG_DHCP_HOSTNAME] = "dhcp_hostname", [SIG_DHCP_VENDOR] = "dhcp_vendor_class",
	[SIG_DHCP_PRL] = "dhcp_fingerprint",   [SIG_DHCP_FQDN] = "dhcp_fqdn",
	[SIG_MDNS_SERVICE] = "mdns_service",   [SIG_MDNS_NAME] = "mdns_name",
	[SIG_MDNS_TXT] = "mdns_txt",           [SIG_NETBIOS_NAME] = "netbios_name",
	[SIG_LLMNR_NAME] = "llmnr_name",       [SIG_SSDP_SERVER] = "ssdp_server",
	[SIG_SSDP_TYPE] = "ssdp_type",         [SIG_SSDP_SEARCH] = "ssdp_search",
	[SIG_SSDP_USER_AGENT] = "ssdp_user_agent",
	[SIG_TLS_SNI] = "tls_sni",             [SIG_TLS_JA3] = "tls_ja3",
	[SIG_DNS_QUERY] = "dns_query",         [SIG_HTTP_USER_AGENT] = "http_user_agent",
	[SIG_NTP_SERVER] = "ntp_server",       [SIG_APP_PROTO] = "app_proto",
	[SIG_SERVICE_PORT] = "service_port",   [SIG_TCP_SYN] = "tcp_syn",
	[SIG_OS_GUESS] = "os_guess",
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

/* Kinds whose new value on a settled device suggests new firmware or a spoofed MAC. */
static bool kind_change_matters(enum device_signal_kind k)
{
	return k == SIG_DHCP_VENDOR || k == SIG_DHCP_PRL || k == SIG_DHCP_HOSTNAME ||
	       k == SIG_TLS_JA3 || k == SIG_SSDP_SERVER;
}

static void list_unlink(struct device_list *l, struct device *d)
{
	if (d->lru_prev)
		d->lru_prev->lru_next = d->lru_next;
	else
		l->head = d->lru_next;
	if (d->lru_next)
		d->lru_next->lru_prev = d->lru_prev;
	else
		l->tail = d->lru_prev;
	d->lru_prev = d->lru_next = NULL;
}

static void list_append(struct device_list *l, struct device *d)
{
	d->lru_next = NULL;
	d->lru_prev = l->tail;
	if (l->tail)
		l->tail->lru_next = d;
	else
		l->head = d;
	l->tail = d;
}

static uint32_t mac_hash(const uint8_t mac[6])
{
	/* The NIC-specific half varies most; fold in the vendor half too. */
	uint64_t v = 0;
	for (int i = 0; i < 6; i++)
		v = (v << 8) | mac[i];
	v ^= v >> 29;
	v *= 0xbf58476d1ce4e5b9ULL;
	v ^= v >> 32;
	return (uint32_t)v;
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
					 const struct oui_db *oui, device_event_fn on_event,
					 void *ctx)
{
	struct device_table *dt;
	uint32_t nb = 256;

	if (max_devices == 0 || (dt = calloc(1, sizeof(*dt))) == NULL)
		return NULL;
	while (nb < max_devices && nb < (1u << 30))
		nb <<= 1;
	dt->buckets = calloc(nb, sizeof(*dt->buckets));
	if (dt->buckets == NULL) {
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
	free(dt);
}

struct device *device_table_find(const struct device_table *dt, const uint8_t mac[6])
{
	struct device *d = dt->buckets[mac_hash(mac) & dt->bucket_mask];

	while (d != NULL && memcmp(d->mac, mac, 6) != 0)
		d = d->hash_next;
	return d;
}

static void evict_one(struct device_table *dt)
{
	struct device_list *l = dt->gone.head ? &dt->gone : &dt->present;
	struct device *victim = l->head, **pp;

	if (victim == NULL)
		return;
	list_unlink(l, victim);
	pp = &dt->buckets[mac_hash(victim->mac) & dt->bucket_mask];
	while (*pp != victim)
		pp = &(*pp)->hash_next;
	*pp = victim->hash_next;
	device_free(victim);
	dt->stats.active--;
	dt->stats.evicted++;
}

static struct device *device_new(struct device_table *dt, const uint8_t mac[6], ew_usec_t ts)
{
	struct device *d;
	uint32_t b;

	if (dt->stats.active >= dt->max_devices)
		evict_one(dt);
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	memcpy(d->mac, mac, 6);
	d->local_admin = (mac[0] & 0x02) != 0;
	d->vendor = dt->oui ? oui_db_lookup(dt->oui, mac) : NULL;
	d->first_ts = d->last_ts = ts;
	b = mac_hash(mac) & dt->bucket_mask;
	d->hash_next = dt->buckets[b];
	dt->buckets[b] = d;
	list_append(&dt->present, d);
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
 * Re-classifies after new evidence.  "unknown" becoming a class, or a
 * class refined while the device is still being learnt, is not news; a
 * settled device turning from one known class into another is.
 */
static void reclassify(struct device_table *dt, struct device *d, ew_usec_t ts)
{
	char before[sizeof(d->class_name)];

	if (dt->classify == NULL)
		return;
	memcpy(before, d->class_name, sizeof(before));
	dt->classify(dt->classify_ctx, d);
	if (before[0] != '\0' && strcmp(before, "unknown") != 0 &&
	    strcmp(before, d->class_name) != 0 && settled(d, ts))
		emit_before(dt, d, DEVICE_CHANGED, ts, "class", -1, d->class_name, before);
}

void device_table_reclassify_all(struct device_table *dt)
{
	if (dt->classify == NULL)
		return;
	for (uint32_t b = 0; b <= dt->bucket_mask; b++)
		for (struct device *d = dt->buckets[b]; d != NULL; d = d->hash_next)
			dt->classify(dt->classify_ctx, d);
}

void device_table_announce(struct device_table *dt, struct device *d)
{
	if (d->reported & REPORTED_NEW)
		return;
	d->reported |= REPORTED_NEW;
	reclassify(dt, d, d->first_ts);
	emit(dt, d, DEVICE_NEW, d->first_ts, NULL, -1, NULL);
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
		return create ? device_new(dt, mac, ts) : NULL;
	if (ts > d->last_ts)
		d->last_ts = ts;
	if (d->reported & REPORTED_GONE) {
		d->reported &= (uint8_t)~REPORTED_GONE;
		list_unlink(&dt->gone, d);
		list_append(&dt->present, d);
		emit(dt, d, DEVICE_CHANGED, ts, "presence", -1, "present");
		return d;
	}
	list_unlink(&dt->present, d);
	list_append(&dt->present, d);
	return d;
}

void device_table_bind_addr(struct device_table *dt, struct device *d,
			    const struct ew_addr *a, enum device_addr_source src, ew_usec_t ts)
{
	bool had_v4 = false;
	char text[EW_ADDR_STRLEN];

	for (int i = 0; i < d->naddr; i++) {
		struct device_addr *da = &d->addr[i];
		if (da->addr.family == a->family && memcmp(da->addr.bytes, a->bytes, 16) == 0) {
			if (ts > da->last_ts)
				da->last_ts = ts;
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
	d->addr[d->naddr].first_ts = d->addr[d->naddr].last_ts = ts;
	d->naddr++;
	if (had_v4 && a->family == EW_AF_INET) {
		ew_addr_format(a, text, sizeof(text));
		emit(dt, d, DEVICE_CHANGED, ts, "address", -1, text);
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

struct device *device_table_restore(struct device_table *dt, const uint8_t mac[6],
				    ew_usec_t first_ts, ew_usec_t last_ts)
{
	struct device *d = device_table_touch(dt, mac, last_ts, true);

	if (d == NULL)
		return NULL;
	d->reported |= REPORTED_NEW;
	if (first_ts < d->first_ts)
		d->first_ts = first_ts;
	return d;
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
	while ((d = dt->present.head) != NULL && now_us > d->last_ts &&
	       now_us - d->last_ts > dt->gone_after_us) {
		list_unlink(&dt->present, d);
		list_append(&dt->gone, d);
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
