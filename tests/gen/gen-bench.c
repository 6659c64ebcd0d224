/*
 * gen-bench.c - what bench adds to its homes: the heavy long-lived flows
 * that carry most of its packets.  Every 4th home records its camera's
 * main stream over RTSP, every 6th uploads camera clips and every 8th
 * downloads music, both over TLS, a few megabytes at a time.
 */
#include "gen-bench.h"

#include <stdlib.h>

#include "gen-cloud.h"
#include "gen-tls.h"

static const struct event_def bench_nvr = { 3000, 0, 0, EV_RTSP, DEV_HASS, 0, 0, 0 };
static const struct event_def bench_upload = { 20000, 0, 0, EV_BULK, DEV_CAMERA, CL_HIKUP, 0, 0 };
static const struct event_def bench_music = { 9000, 0, 0, EV_BULK, DEV_SONOS, CL_MUSIC, 1, 0 };

size_t bench_site_events(uint32_t index, const struct event_def *out[GEN_BENCH_EXTRA])
{
	size_t n = 0;

	if (index % 4 == 0)
		out[n++] = &bench_nvr;
	if (index % 6 == 1)
		out[n++] = &bench_upload;
	if (index % 8 == 3)
		out[n++] = &bench_music;
	return n;
}

/* ------------------------------------------------------------ bulk transfers */

/* A TLS connection moving megabytes (clip upload, music download). */
struct bulk {
	struct actor a;
	struct site *st;
	struct device *d;
	int cl;
	bool upload, open;
	uint64_t left;
	struct gen_conv c;
};

#define BULK_CHUNK 32768
#define BULK_CHUNK_US (40 * MS) /* ~6.5 Mbit/s */

static void bulk_step(struct actor *a, struct sim *sim)
{
	static uint8_t chunk[BULK_CHUNK + 256];
	struct bulk *k = (struct bulk *)a;
	struct site *st = k->st;
	const struct gen_sink *s = &sim->sink;
	uint64_t t = a->next_us;
	int dir = k->upload ? 0 : 1;

	if (!k->open) {
		a->next_us = tls_connect(st, k->d, k->cl, t, &k->c, 1, 400, 300, GEN_CLOSE_NONE) +
			     5 * MS;
		k->left = (k->upload ? 2 : 3) * 1000000ULL + gen_rng_below(&st->rng, 4000000);
		k->open = true;
	} else if (k->left > 0) {
		size_t n = k->left < BULK_CHUNK ? (size_t)k->left : BULK_CHUNK;
		size_t len = gen_tls_app_data(chunk, sizeof(chunk), n, &st->rng);

		t = gen_tcp_send(s, &k->c, dir, t, chunk, len);
		gen_tcp_ack(s, &k->c, !dir, t + k->c.delay_us[!dir]);
		k->left -= n;
		a->next_us = t + BULK_CHUNK_US;
	} else {
		gen_tcp_close(s, &k->c, 0, t);
		k->open = false;
		a->next_us = t + 60 * SEC + gen_rng_below(&st->rng, 180 * SEC);
	}
}

void bulk_start(struct site *st, struct device *d, int cl, bool upload, uint64_t t)
{
	struct bulk *k = calloc(1, sizeof(*k));

	if (!k) {
		st->sim->failed = true;
		return;
	}
	*k = (struct bulk){ .st = st, .d = d, .cl = cl, .upload = upload };
	actor_start(st->sim, &k->a, t, bulk_step, true);
}
