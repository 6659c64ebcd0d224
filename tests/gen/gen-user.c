/*
 * gen-user.c - browsing people: the pool of destinations and the actor
 * that visits them.
 *
 * The pool is made of word pairs under a handful of top-level domains;
 * the names share addresses in the documentation ranges the way sites
 * share CDN front ends.  Popularity is steep: a visit picks index
 * floor(300 u^3) for uniform u, so the first name gets 15 % of visits,
 * the first ten a third, and each of the last fifty about one in a
 * thousand: a few new destinations appear every day.
 */
#include "gen-user.h"

#include <stdio.h>
#include <stdlib.h>

#include "gen-cloud.h"

static const char *const pool_first[25] = {
	"news", "mail", "shop", "video", "cloud", "photo", "music", "games", "travel", "bank",
	"sport", "weather", "recipe", "home", "tech", "book", "social", "learn", "health", "auto",
	"market", "city", "film", "garden", "pet",
};
static const char *const pool_second[12] = {
	"hub", "zone", "daily", "world", "point", "base", "line", "spot", "net", "box", "land", "wave",
};
static const char *const pool_tld[5] = { "com", "net", "org", "io", "co.uk" };

static char pool_names[USER_POOL_NAMES][48];

void user_pool_remote(unsigned i, struct remote *r)
{
	static const uint32_t nets[3] = { 0xc6336400, 0xcb007100, 0xc0000200 };
	uint64_t h = site_mix(0x10000 + i);

	i %= USER_POOL_NAMES;
	if (!pool_names[i][0])
		snprintf(pool_names[i], sizeof(pool_names[i]), "www.%s%s.%s", pool_first[i % 25],
			 pool_second[i / 25 % 12], pool_tld[i % 5]);
	*r = (struct remote){ .name = pool_names[i], .port = 443 };
	/* Hosts 140-253: clear of the cloud table's addresses. */
	gen_addr4(&r->addr4, nets[i % 3] | (140 + (i * 37) % 114));
	if (i % 3 == 1)
		gen_addr6(&r->addr6, 0x20010db800f00000ULL | (i % 3), 140 + (i * 37) % 114);
	r->rtt_ms = (uint16_t)(8 + h % 140);
	r->ttl = (uint8_t)(50 + (h >> 8) % 10);
	r->dns_ttl_s = (h >> 16) % 3 == 0 ? 60 : (h >> 16) % 3 == 1 ? 300 : 3600;
}

struct user {
	struct actor a;
	struct site *st;
	struct device *d;
	uint64_t session_end_us; /* 0: not browsing */
	uint64_t dns_expiry_us[USER_POOL_NAMES];
};

#define SESSION_GAP_DAY_US (50 * 60 * SEC)
#define SESSION_GAP_NIGHT_US (6 * 3600 * SEC)

static unsigned pick_name(struct gen_rng *rng)
{
	uint64_t u = gen_rng_below(rng, 1u << 20); /* u / 2^20 in [0, 1) */

	return (unsigned)(u * u / (1u << 20) * u / (1u << 20) * USER_POOL_NAMES / (1u << 20));
}

/* One page: a lookup if needed, then one to three connections to the
 * site opened within a few hundred milliseconds. */
static uint64_t user_visit(struct user *u, uint64_t t)
{
	struct gen_rng *rng = &u->st->rng;
	unsigned i = pick_name(rng), conns = 1 + gen_rng_below(rng, 3);
	struct remote r;
	struct gen_conv c;
	uint64_t end = t;

	user_pool_remote(i, &r);
	if (u->dns_expiry_us[i] <= t) {
		t = dns_resolve(u->st, u->d, &r, t) + 200;
		u->dns_expiry_us[i] = t + r.dns_ttl_s * SEC;
	}
	for (unsigned k = 0; k < conns; k++) {
		uint64_t start = t + k * (50 * MS + gen_rng_below(rng, 250 * MS));
		int nreq = 1 + (int)gen_rng_below(rng, 4);
		uint32_t pick = gen_rng_below(rng, 100);
		enum gen_close close = pick < 50 ? GEN_CLOSE_CLIENT : pick < 85 ? GEN_CLOSE_SERVER :
										  GEN_CLOSE_RST;
		uint64_t e = tls_connect_remote(u->st, u->d, &r, start, &c, nreq, 700, 3500, close);

		if (e > end)
			end = e;
	}
	return end;
}

static void user_step(struct actor *a, struct sim *sim)
{
	struct user *u = (struct user *)a;
	struct gen_rng *rng = &u->st->rng;
	uint64_t t = a->next_us;
	bool awake = site_awake(t);

	(void)sim;
	if (u->session_end_us == 0) {
		/* The laptop sleeps at night; the phone is picked up rarely. */
		if (!awake && u->d->id == DEV_LAPTOP) {
			a->next_us = t + 3600 * SEC + gen_rng_below(rng, 1800) * SEC;
			return;
		}
		u->session_end_us = t + 3 * 60 * SEC + gen_rng_below(rng, 40 * 60) * SEC;
	}
	if (t >= u->session_end_us) {
		u->session_end_us = 0;
		a->next_us = t + gen_rng_exp(rng, awake ? SESSION_GAP_DAY_US : SESSION_GAP_NIGHT_US);
		return;
	}
	/* Reading time between pages: seconds to a couple of minutes. */
	a->next_us = user_visit(u, t) + 3 * SEC + gen_rng_exp(rng, 45 * SEC);
}

void user_start(struct site *st, struct device *d, uint64_t t)
{
	struct user *u = calloc(1, sizeof(*u));

	if (!u) {
		st->sim->failed = true;
		return;
	}
	u->st = st;
	u->d = d;
	actor_start(st->sim, &u->a, t + gen_rng_exp(&st->rng, 10 * 60 * SEC), user_step, true);
}
