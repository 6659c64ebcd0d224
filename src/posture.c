/*
 * posture.c - the encryption and hygiene audit (see posture.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "posture.h"
#include "util-hash.h"
#include "util-list.h"

#define APP_MAX 64

/* Well-known ports, for flows nDPI could not name (a bare SYN, a refused connection). */
#define PORT_FTP 21
#define PORT_TELNET 23
#define PORT_DNS 53
#define PORT_SNMP 161
#define PORT_SNMP_TRAP 162
#define PORT_MQTT 1883
#define PORT_SSDP 1900
#define PORT_COAP 5683

static const char *const finding_names[PF_COUNT] = {
	[PF_TELNET] = "telnet",
	[PF_FTP] = "ftp",
	[PF_HTTP_CLEAR] = "http_clear",
	[PF_CLEARTEXT_CREDENTIALS] = "cleartext_credentials",
	[PF_WEAK_CREDENTIALS] = "weak_credentials",
	[PF_MQTT_CLEAR] = "mqtt_clear",
	[PF_SNMP] = "snmp_v1_v2c",
	[PF_COAP_CLEAR] = "coap_clear",
	[PF_TLS_OBSOLETE] = "tls_obsolete_version",
	[PF_TLS_WEAK_CIPHER] = "tls_weak_cipher",
	[PF_TLS_SELF_SIGNED] = "tls_self_signed_certificate",
	[PF_TLS_EXPIRED] = "tls_expired_certificate",
	[PF_EXPOSES_TELNET] = "exposes_telnet",
	[PF_EXPOSES_UPNP] = "exposes_upnp_to_internet",
	[PF_EXPOSED_TO_INTERNET] = "accepts_internet_connections",
	[PF_UNEXPECTED_RESOLVER] = "unexpected_dns_resolver",
};

const char *posture_finding_name(enum posture_finding f)
{
	return (unsigned)f < PF_COUNT ? finding_names[f] : NULL;
}

struct record {
	struct posture_device d;
	uint64_t seq;               /* order of first sight */
	struct record *next;        /* hash chain */
	struct ew_list_node lru;    /* head: unseen the longest */
};

struct posture {
	struct record **bucket;
	uint32_t nbuckets, cap;
	struct ew_list lru;
	uint64_t seq;
	struct posture_risks risks;
	struct ew_cidr_list dns_servers;
	struct posture_stats st;
};

struct posture *posture_create(uint32_t cap, const struct posture_risks *risks,
			       const struct ew_cidr_list *dns_servers)
{
	struct posture *p = calloc(1, sizeof(*p));
	uint32_t n = 16;

	if (p == NULL || cap == 0) {
		free(p);
		return NULL;
	}
	while (n < cap && n < (1u << 24))
		n <<= 1;
	p->bucket = calloc(n, sizeof(*p->bucket));
	if (p->bucket == NULL ||
	    (dns_servers != NULL && ew_cidr_list_copy(&p->dns_servers, dns_servers) != 0)) {
		free(p->bucket);
		free(p);
		return NULL;
	}
	p->nbuckets = n;
	p->cap = cap;
	p->risks = *risks;
	ew_list_init(&p->lru);
	return p;
}

void posture_destroy(struct posture *p)
{
	if (p == NULL)
		return;
	for (uint32_t i = 0; i < p->nbuckets; i++) {
		struct record *r = p->bucket[i], *next;

		for (; r != NULL; r = next) {
			next = r->next;
			free(r);
		}
	}
	ew_cidr_list_free(&p->dns_servers);
	free(p->bucket);
	free(p);
}

static struct record **bucket_of(const struct posture *p, uint64_t key)
{
	return &p->bucket[ew_hash64_u64(key, 0x706f737475ULL) & (p->nbuckets - 1)];
}

static struct record *find(const struct posture *p, uint64_t key)
{
	for (struct record *r = *bucket_of(p, key); r != NULL; r = r->next)
		if (r->d.key == key)
			return r;
	return NULL;
}

static void drop(struct posture *p, struct record *r)
{
	struct record **pp = bucket_of(p, r->d.key);

	while (*pp != NULL && *pp != r)
		pp = &(*pp)->next;
	if (*pp == r)
		*pp = r->next;
	ew_list_remove(&p->lru, &r->lru);
	free(r);
	p->st.devices--;
}

/* The device's record, made (evicting the one unseen longest when full) if new. */
static struct record *get(struct posture *p, uint64_t key)
{
	struct record *r = find(p, key);
	struct record **b;

	if (r != NULL) {
		ew_list_move_to_tail(&p->lru, &r->lru);
		return r;
	}
	if (p->st.devices >= p->cap && ew_list_first(&p->lru) != NULL) {
		drop(p, EW_CONTAINER_OF(ew_list_first(&p->lru), struct record, lru));
		p->st.evicted++;
	}
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return NULL;
	r->d.key = key;
	r->seq = ++p->seq;
	b = bucket_of(p, key);
	r->next = *b;
	*b = r;
	ew_list_append(&p->lru, &r->lru);
	p->st.devices++;
	return r;
}

static bool risk_has(uint64_t risk, int bit)
{
	return bit >= 0 && bit < 64 && (risk >> bit & 1u);
}

/* nDPI names are "HTTP", "HTTP.Google", "TLS.YouTube": the master is before the dot. */
static bool app_is(const char *app, const char *master)
{
	size_t n = strlen(master);

	return strncmp(app, master, n) == 0 && (app[n] == '\0' || app[n] == '.');
}

/* What nDPI's risks say (they come from payload, so the flow was answered). */
static uint32_t risk_findings(const struct posture *p, const struct posture_view *v)
{
	uint32_t f = 0;

	if (risk_has(v->risk, p->risks.cleartext_credentials))
		f |= 1u << PF_CLEARTEXT_CREDENTIALS;
	if (risk_has(v->risk, p->risks.tls_obsolete))
		f |= 1u << PF_TLS_OBSOLETE;
	if (risk_has(v->risk, p->risks.tls_weak_cipher))
		f |= 1u << PF_TLS_WEAK_CIPHER;
	if (risk_has(v->risk, p->risks.tls_self_signed))
		f |= 1u << PF_TLS_SELF_SIGNED;
	if (risk_has(v->risk, p->risks.tls_expired))
		f |= 1u << PF_TLS_EXPIRED;
	return f;
}

/* The findings this one flow shows, as bits. */
static uint32_t findings_of(const struct posture *p, const struct posture_view *v, const char *app)
{
	bool tcp = v->proto == EW_IPPROTO_TCP, udp = v->proto == EW_IPPROTO_UDP;
	uint16_t port = v->server_port;
	uint32_t f = 0;

	/*
	 * A protocol is used only when the server answered: a scan's SYN to
	 * port 23 (and nDPI's guess from that port) is not telnet, and a
	 * refused connection shows nothing of how the device is kept.
	 */
	if (!v->answered)
		return risk_findings(p, v);
	if (app_is(app, "telnet") || (tcp && port == PORT_TELNET))
		f |= 1u << PF_TELNET;
	if (app_is(app, "ftp_control") || app_is(app, "ftp") || (tcp && port == PORT_FTP))
		f |= 1u << PF_FTP;
	if (v->device_is_client && !v->peer_internal && app_is(app, "http"))
		f |= 1u << PF_HTTP_CLEAR;
	if (app_is(app, "mqtt") || (tcp && port == PORT_MQTT))
		f |= 1u << PF_MQTT_CLEAR;
	if (app_is(app, "snmp") || (udp && (port == PORT_SNMP || port == PORT_SNMP_TRAP)))
		f |= 1u << PF_SNMP;
	if (app_is(app, "coap") || (udp && port == PORT_COAP))
		f |= 1u << PF_COAP_CLEAR;
	f |= risk_findings(p, v);
	/* A login in clear is the client's: it gave its password away. */
	if (v->device_is_client && v->login_clear)
		f |= 1u << PF_CLEARTEXT_CREDENTIALS;
	if (v->device_is_client && v->login_weak)
		f |= 1u << PF_WEAK_CREDENTIALS;
	if (!v->device_is_client) {
		if (f & (1u << PF_TELNET))
			f |= 1u << PF_EXPOSES_TELNET;
		if (!v->peer_internal) {
			f |= 1u << PF_EXPOSED_TO_INTERNET;
			if (app_is(app, "ssdp") || app_is(app, "upnp") || (udp && port == PORT_SSDP))
				f |= 1u << PF_EXPOSES_UPNP;
		}
	}
	return f;
}

/* A DNS query from the device: remember the resolver; flag one the site does not expect. */
static uint32_t resolver_of(const struct posture *p, struct posture_device *d,
			    const struct posture_view *v, const char *app)
{
	bool dns = app_is(app, "dns") ||
		   ((v->proto == EW_IPPROTO_UDP || v->proto == EW_IPPROTO_TCP) &&
		    v->server_port == PORT_DNS);
	bool known = false;

	if (!v->device_is_client || !dns || v->peer == NULL)
		return 0;
	for (unsigned i = 0; i < d->nresolvers; i++)
		known |= memcmp(&d->resolver[i], v->peer, sizeof(*v->peer)) == 0;
	if (!known && d->nresolvers < POSTURE_RESOLVERS)
		d->resolver[d->nresolvers++] = *v->peer;
	if (p->dns_servers.n > 0 && !ew_cidr_list_contains(&p->dns_servers, v->peer))
		return 1u << PF_UNEXPECTED_RESOLVER;
	return 0;
}

uint32_t posture_observe(struct posture *p, uint64_t device_key, const struct posture_view *v,
			 ew_usec_t ts)
{
	char app[APP_MAX], peer[EW_ADDR_STRLEN];
	struct record *r;
	uint32_t seen, fresh;
	size_t i;

	/*
	 * Names compared in lower case: nDPI writes "HTTP", flows print "http".
	 * A name nDPI only guessed from the port (a connection opened and
	 * closed without a byte, a scan) says nothing of the protocol in use.
	 */
	for (i = 0; !v->app_guessed && v->app != NULL && v->app[i] != '\0' && i < sizeof(app) - 1;
	     i++)
		app[i] = (char)tolower((unsigned char)v->app[i]);
	app[i] = '\0';
	p->st.flows++;
	r = get(p, device_key);
	if (r == NULL)
		return 0;
	seen = findings_of(p, v, app) | resolver_of(p, &r->d, v, app);
	fresh = seen & ~r->d.findings;
	if (v->peer != NULL)
		ew_addr_format(v->peer, peer, sizeof(peer));
	else
		snprintf(peer, sizeof(peer), "?");
	for (unsigned f = 0; f < PF_COUNT; f++) {
		struct posture_item *it = &r->d.item[f];

		if (!(seen & (1u << f)))
			continue;
		if (fresh & (1u << f)) {
			it->first_us = ts;
			snprintf(it->example, sizeof(it->example), "%s %s:%u",
				 v->device_is_client ? "to" : "from", peer, (unsigned)v->server_port);
		}
		it->last_us = ts;
		if (it->count < UINT32_MAX)
			it->count++;
	}
	r->d.findings |= seen;
	return fresh;
}

const struct posture_device *posture_find(const struct posture *p, uint64_t device_key)
{
	const struct record *r = find(p, device_key);

	return r != NULL ? &r->d : NULL;
}

static int by_seq(const void *a, const void *b)
{
	const struct record *x = *(const struct record *const *)a;
	const struct record *y = *(const struct record *const *)b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void posture_foreach(const struct posture *p,
		     void (*fn)(void *ctx, const struct posture_device *d), void *ctx)
{
	struct record **all = malloc((p->st.devices + 1) * sizeof(*all));
	size_t n = 0;

	if (all == NULL)
		return;
	for (struct ew_list_node *x = ew_list_first(&p->lru); x != NULL; x = ew_list_next(x)) {
		struct record *r = EW_CONTAINER_OF(x, struct record, lru);

		if (r->d.findings != 0)
			all[n++] = r;
	}
	qsort(all, n, sizeof(*all), by_seq);
	for (size_t i = 0; i < n; i++)
		fn(ctx, &all[i]->d);
	free(all);
}

const struct posture_stats *posture_get_stats(const struct posture *p)
{
	return &p->st;
}
