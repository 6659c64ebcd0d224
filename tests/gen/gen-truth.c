/*
 * gen-truth.c - the truth table: one record per flow, counted from the
 * frames as they are written, and the .truth file made from it.
 *
 * In totals mode (bench) flows that can no longer receive packets are
 * forgotten in expiry order, so memory stays bounded however long the run.
 */
#include "gen-truth.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util-list.h" /* a data structure only: the truth shares no logic with the sensor */

static const char *const app_names[GEN_APP_COUNT] = {
	"-", "dhcp", "dns", "mdns", "ssdp", "ntp", "tls", "http", "mqtt", "rtsp", "icmp", "icmpv6",
};

#define TRUTH_UDP_GAP_US 25000000ULL  /* longest silence inside a UDP/ICMP flow: 25 s */
#define TRUTH_TCP_GAP_US 500000000ULL /* ... inside a TCP flow: 500 s */
#define TRUTH_KEY_LEN 40
#define TRUTH_MIN_BUCKETS 1024

struct truth_flow {
	uint8_t key[TRUTH_KEY_LEN];
	struct gen_addr addr[2]; /* [0] sent the first packet */
	uint16_t port[2];
	uint8_t proto, app;
	uint8_t fins; /* bit i: side i sent a FIN */
	bool closed;
	char *name; /* owned copy (GEN_TRUTH_FLOWS only): scenarios free theirs */
	uint64_t first_us, last_us;
	uint64_t pkts[2], bytes[2];
	struct truth_flow *hnext;
	struct ew_list_node lru; /* expiry order (GEN_TRUTH_TOTALS only) */
};

struct gen_truth {
	enum gen_truth_mode mode;
	uint16_t vlan;
	uint64_t packets, bytes, arp, flows;
	struct truth_flow **buckets;
	size_t nbuckets, count;
	struct ew_list lru[2];    /* [0] UDP/ICMP, [1] TCP; head: idle the longest */
	double device_days;       /* 0: not a long run, no header line */
	char err[320];
};

struct gen_truth *gen_truth_new(enum gen_truth_mode mode, uint16_t vlan)
{
	struct gen_truth *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->mode = mode;
	t->vlan = vlan;
	t->nbuckets = TRUTH_MIN_BUCKETS;
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	if (!t->buckets) {
		free(t);
		return NULL;
	}
	return t;
}

void gen_truth_free(struct gen_truth *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nbuckets; i++) {
		while (t->buckets[i]) {
			struct truth_flow *f = t->buckets[i];

			t->buckets[i] = f->hnext;
			free(f->name);
			free(f);
		}
	}
	free(t->buckets);
	free(t);
}

const char *gen_truth_error(const struct gen_truth *t)
{
	return t->err;
}

static bool is_icmp(uint8_t proto)
{
	return proto == 1 || proto == 58;
}

static int addr_port_cmp(const struct gen_addr *a, uint16_t ap, const struct gen_addr *b,
			 uint16_t bp)
{
	int c = memcmp(a->b, b->b, 16);

	if (c)
		return c;
	return (int)ap - (int)bp;
}

/* The sensor's key: outer VLAN, protocol, sorted (address, port) pairs. */
static void truth_key(const struct gen_truth *t, const struct gen_meta *m, uint8_t *k)
{
	uint16_t sp = is_icmp(m->proto) ? 0 : m->sport, dp = is_icmp(m->proto) ? 0 : m->dport;
	bool swap = addr_port_cmp(&m->src, sp, &m->dst, dp) > 0;
	const struct gen_addr *lo = swap ? &m->dst : &m->src, *hi = swap ? &m->src : &m->dst;
	uint16_t lp = swap ? dp : sp, hp = swap ? sp : dp;

	memset(k, 0, TRUTH_KEY_LEN);
	memcpy(k, &t->vlan, 2);
	k[2] = m->proto;
	k[3] = m->src.family;
	memcpy(k + 4, lo->b, 16);
	memcpy(k + 20, &lp, 2);
	memcpy(k + 22, hi->b, 16);
	memcpy(k + 38, &hp, 2);
}

static size_t truth_hash(const uint8_t *k, size_t nbuckets)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */

	for (size_t i = 0; i < TRUTH_KEY_LEN; i++)
		h = (h ^ k[i]) * 0x100000001b3ULL;
	return (size_t)(h & (nbuckets - 1));
}

static void truth_grow(struct gen_truth *t)
{
	size_t n = t->nbuckets * 2;
	struct truth_flow **b = calloc(n, sizeof(*b));

	if (!b)
		return; /* keep the longer chains rather than fail */
	for (size_t i = 0; i < t->nbuckets; i++) {
		while (t->buckets[i]) {
			struct truth_flow *f = t->buckets[i];
			size_t h = truth_hash(f->key, n);

			t->buckets[i] = f->hnext;
			f->hnext = b[h];
			b[h] = f;
		}
	}
	free(t->buckets);
	t->buckets = b;
	t->nbuckets = n;
}

/* The expiry list of f's kind: in totals mode every flow is on it. */
static struct ew_list *lru_of(struct gen_truth *t, const struct truth_flow *f)
{
	return &t->lru[f->proto == 6];
}

/* Forgets f; only totals mode does, so f is on its expiry list. */
static void truth_remove(struct gen_truth *t, struct truth_flow *f)
{
	struct truth_flow **pp = &t->buckets[truth_hash(f->key, t->nbuckets)];

	while (*pp != f)
		pp = &(*pp)->hnext;
	*pp = f->hnext;
	ew_list_remove(lru_of(t, f), &f->lru);
	t->count--;
	free(f->name);
	free(f);
}

/* Totals mode forgets flows that can no longer receive packets. */
static void truth_expire(struct gen_truth *t, uint64_t now)
{
	for (int tcp = 0; tcp < 2; tcp++) {
		uint64_t gap = tcp ? TRUTH_TCP_GAP_US : TRUTH_UDP_GAP_US;
		struct truth_flow *f;

		while ((f = EW_CONTAINER_OF(ew_list_first(&t->lru[tcp]), struct truth_flow, lru)) &&
		       now - f->last_us > gap)
			truth_remove(t, f);
	}
}

static int truth_fail(struct gen_truth *t, const struct truth_flow *f, const char *why)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	int af = f->addr[0].family == GEN_AF_INET ? AF_INET : AF_INET6;

	inet_ntop(af, f->addr[0].b, a, sizeof(a));
	inet_ntop(af, f->addr[1].b, b, sizeof(b));
	snprintf(t->err, sizeof(t->err), "ambiguous truth: %s in flow proto %u %s:%u - %s:%u",
		 why, f->proto, a, f->port[0], b, f->port[1]);
	return -1;
}

static struct truth_flow *truth_create(struct gen_truth *t, const uint8_t *key,
				       const struct gen_meta *m, uint64_t ts_us)
{
	struct truth_flow *f = calloc(1, sizeof(*f));
	size_t h;

	if (!f)
		return NULL;
	if (t->count >= t->nbuckets)
		truth_grow(t);
	memcpy(f->key, key, TRUTH_KEY_LEN);
	f->addr[0] = m->src;
	f->addr[1] = m->dst;
	f->port[0] = is_icmp(m->proto) ? 0 : m->sport;
	f->port[1] = is_icmp(m->proto) ? 0 : m->dport;
	f->proto = m->proto;
	f->app = m->app;
	if (t->mode == GEN_TRUTH_FLOWS && m->server_name) {
		f->name = strdup(m->server_name);
		if (!f->name) {
			free(f);
			return NULL;
		}
	}
	f->first_us = ts_us;
	h = truth_hash(key, t->nbuckets);
	f->hnext = t->buckets[h];
	t->buckets[h] = f;
	if (t->mode == GEN_TRUTH_TOTALS)
		ew_list_append(lru_of(t, f), &f->lru);
	t->count++;
	t->flows++;
	return f;
}

int gen_truth_account(struct gen_truth *t, uint64_t ts_us, size_t len, const struct gen_meta *m)
{
	uint8_t key[TRUTH_KEY_LEN];
	struct truth_flow *f;
	int dir;

	t->packets++;
	t->bytes += len;
	if (m->proto == 0) {
		t->arp++;
		return 0;
	}
	if (t->mode == GEN_TRUTH_ALL_NEW) {
		t->flows++;
		return 0;
	}
	if (t->mode == GEN_TRUTH_TOTALS)
		truth_expire(t, ts_us);
	truth_key(t, m, key);
	for (f = t->buckets[truth_hash(key, t->nbuckets)]; f; f = f->hnext)
		if (memcmp(f->key, key, TRUTH_KEY_LEN) == 0)
			break;
	if (!f) {
		f = truth_create(t, key, m, ts_us);
		if (!f) {
			snprintf(t->err, sizeof(t->err), "out of memory");
			return -1;
		}
	} else if (f->closed) {
		return truth_fail(t, f, "packet after TCP teardown");
	} else if (ts_us - f->last_us > (m->proto == 6 ? TRUTH_TCP_GAP_US : TRUTH_UDP_GAP_US)) {
		return truth_fail(t, f, "idle gap over the limit");
	} else if (f->app != m->app) {
		return truth_fail(t, f, "two applications");
	}
	dir = addr_port_cmp(&m->src, is_icmp(m->proto) ? 0 : m->sport, &f->addr[0], f->port[0]) == 0 ? 0 : 1;
	f->pkts[dir]++;
	f->bytes[dir] += len;
	f->last_us = ts_us;
	if (m->proto == 6) {
		if (m->tcp_flags & GEN_TCP_RST)
			f->closed = true;
		else if (m->tcp_flags & GEN_TCP_FIN)
			f->fins |= (uint8_t)(1 << dir);
		else if (f->fins == 3 && m->tcp_flags == GEN_TCP_ACK)
			f->closed = true; /* the last ACK of the teardown */
	}
	if (t->mode == GEN_TRUTH_TOTALS) {
		if (f->closed)
			truth_remove(t, f);
		else
			ew_list_move_to_tail(lru_of(t, f), &f->lru);
	}
	return 0;
}

struct truth_line {
	uint64_t first_us;
	char text[400];
};

static int line_cmp(const void *a, const void *b)
{
	const struct truth_line *x = a, *y = b;

	if (x->first_us != y->first_us)
		return x->first_us < y->first_us ? -1 : 1;
	return strcmp(x->text, y->text);
}

static void format_flow(const struct truth_flow *f, uint16_t vlan, char *out, size_t len)
{
	static const char *const names[] = { [1] = "ICMP", [6] = "TCP", [17] = "UDP", [58] = "IPv6-ICMP" };
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	int af = f->addr[0].family == GEN_AF_INET ? AF_INET : AF_INET6;

	inet_ntop(af, f->addr[0].b, a, sizeof(a));
	inet_ntop(af, f->addr[1].b, b, sizeof(b));
	snprintf(out, len, "%s\t%s\t%u\t%s\t%u\t%u\t%llu\t%llu\t%llu\t%llu\t%s\t%s",
		 names[f->proto], a, f->port[0], b, f->port[1], vlan,
		 (unsigned long long)f->pkts[0], (unsigned long long)f->pkts[1],
		 (unsigned long long)f->bytes[0], (unsigned long long)f->bytes[1],
		 app_names[f->app < GEN_APP_COUNT ? f->app : 0], f->name ? f->name : "-");
}

void gen_truth_set_device_days(struct gen_truth *t, double device_days)
{
	t->device_days = device_days;
}

int gen_truth_write(const struct gen_truth *t, FILE *f, const char *link_name,
		    const char *format_name)
{
	struct truth_line *lines = NULL;
	size_t n = 0;

	fprintf(f, "# packets %llu\n# bytes %llu\n# flows %llu\n# arp %llu\n# link %s\n# format %s\n",
		(unsigned long long)t->packets, (unsigned long long)t->bytes,
		(unsigned long long)t->flows, (unsigned long long)t->arp, link_name, format_name);
	if (t->device_days > 0)
		fprintf(f, "# device_days %.3f\n", t->device_days);
	if (t->mode == GEN_TRUTH_FLOWS && t->count > 0) {
		lines = calloc(t->count, sizeof(*lines));
		if (!lines)
			return -1;
		for (size_t i = 0; i < t->nbuckets; i++) {
			for (const struct truth_flow *fl = t->buckets[i]; fl; fl = fl->hnext) {
				lines[n].first_us = fl->first_us;
				format_flow(fl, t->vlan, lines[n].text, sizeof(lines[n].text));
				n++;
			}
		}
		qsort(lines, n, sizeof(*lines), line_cmp);
		for (size_t i = 0; i < n; i++)
			fprintf(f, "%s\n", lines[i].text);
		free(lines);
	}
	return ferror(f) ? -1 : 0;
}
