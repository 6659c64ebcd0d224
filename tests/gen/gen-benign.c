/*
 * gen-benign.c - the long-running home: each device's habits as a script,
 * its persistent cloud sessions and the speakers' music streams.
 *
 * The numbers are the devices' real habits where they are known: SNTP
 * every 1024 s (ntpd's and chrony's longest default poll) or hourly
 * (busybox ntpd on cameras and plugs), DHCP renewals at T1 (half the
 * router's 24 h lease), firmware checks once a day, SSDP NOTIFY well
 * inside the announced max-age of 1800 s.  What makes a day vary comes
 * from random phases and jitter, the household's day and night, motion
 * clips, music, reconnects and browsing.
 */
#include "gen-benign.h"

#include <stdlib.h>

#include "gen-cloud.h"
#include "gen-tls.h"
#include "gen-truth.h"

#define MIN_MS (60 * 1000u)
#define HOUR_MS (3600 * 1000u)
#define DAY_MS (24 * HOUR_MS)

/*
 * What a home does all day.  The first time of a periodic entry is at_ms
 * plus a random phase within its period, drawn per site, so sites differ
 * and daily checks do not all fall at the start.  Jitter stays under
 * 4294 s (the scheduler draws it in microseconds from 32 bits).
 */
static const struct event_def benign_events[] = {
	/* The router re-confirms a neighbour about every 30-60 s. */
	{ 500, 45000, 30000, EV_ARP_REFRESH, DEV_ROUTER, 0, 0, 0 },
	/* Home Assistant: Hue polling (the v1 API integration), update and
	 * alert checks, the Shelly's MQTT session, a look at the camera. */
	{ 1000, 0, 0, EV_MQTT, DEV_SHELLY, 0, 0, 0 },
	{ 2000, 30000, 4000, EV_HUE_POLL, DEV_HASS, 0, 0, 0 },
	{ 2500, 1024000, 2000, EV_NTP, DEV_HASS, CL_NTPDEB, 0, 0 },
	{ 3000, 30 * MIN_MS, 10 * MIN_MS, EV_TLS, DEV_HASS, CL_HAVER, 1, 0 },
	{ 3500, HOUR_MS, 15 * MIN_MS, EV_TLS, DEV_HASS, CL_HAALERT, 1, 0 },
	{ 4000, 4 * HOUR_MS, HOUR_MS, EV_RTSP, DEV_HASS, 0, 45, ONLY_DAY },
	{ 4500, 12 * HOUR_MS, MIN_MS, EV_RENEW, DEV_HASS, 0, 0, 0 },
	/* Camera: cloud session with status uploads and motion clips. */
	{ 1500, 0, 0, EV_SESSION, DEV_CAMERA, CL_HIK, 30, 0 },
	{ 5000, HOUR_MS, 20000, EV_NTP, DEV_CAMERA, CL_NTPWIN, 0, 0 },
	{ 5500, DAY_MS, HOUR_MS, EV_TLS, DEV_CAMERA, CL_HIKFW, 1, 0 },
	{ 6000, 12 * HOUR_MS, MIN_MS, EV_RENEW, DEV_CAMERA, 0, 0, 0 },
	/* Kasa plug: a heartbeat every 60 +- 2 s to its cloud. */
	{ 2200, 0, 0, EV_SESSION, DEV_PLUG, CL_TPLINK, 60, 0 },
	{ 6500, HOUR_MS, 10000, EV_NTP, DEV_PLUG, CL_NTPPOOL, 0, 0 },
	{ 7000, DAY_MS, HOUR_MS, EV_TLS, DEV_PLUG, CL_TPFW, 1, 0 },
	{ 7500, 12 * HOUR_MS, MIN_MS, EV_RENEW, DEV_PLUG, 0, 0, 0 },
	/* Hue bridge. */
	{ 2700, 0, 0, EV_SESSION, DEV_HUE, CL_HUE, 45, 0 },
	{ 8000, 1024000, 2000, EV_NTP, DEV_HUE, CL_NTPHUE, 0, 0 },
	{ 8500, 5 * MIN_MS, 30000, EV_SSDP_NOTIFY, DEV_HUE, 0, 0, 0 },
	{ 9000, DAY_MS, HOUR_MS, EV_TLS, DEV_HUE, CL_HUEFW, 1, 0 },
	{ 9500, 12 * HOUR_MS, MIN_MS, EV_RENEW, DEV_HUE, 0, 0, 0 },
	/* Nest Mini: FCM channel, connectivity checks, Google APIs. */
	{ 3200, 0, 0, EV_SESSION, DEV_NEST, CL_MTALK, 240, 0 },
	{ 10000, 5 * MIN_MS, MIN_MS, EV_HTTP, DEV_NEST, CL_GSTATIC, 0, 0 },
	{ 10500, 15 * MIN_MS, 5 * MIN_MS, EV_TLS, DEV_NEST, CL_GOOGLEAPIS, 2, 0 },
	{ 11000, 1024000, 2000, EV_NTP, DEV_NEST, CL_NTPGOOG, 0, 0 },
	{ 11500, DAY_MS, HOUR_MS, EV_TLS, DEV_NEST, CL_GOOGFW, 1, 0 },
	{ 12000, 12 * HOUR_MS, MIN_MS, EV_RENEW, DEV_NEST, 0, 0, 0 },
	/* Echo Dot: Alexa's channel, metrics, music at times. */
	{ 3700, 0, 0, EV_SESSION, DEV_ECHO, CL_ALEXA, 60, 0 },
	{ 12500, 5 * MIN_MS, MIN_MS, EV_TLS, DEV_ECHO, CL_AMZMETRICS, 1, 0 },
	{ 13000, HOUR_MS, 10000, EV_NTP, DEV_ECHO, CL_NTPAMZ, 0, 0 },
	{ 13500, DAY_MS, HOUR_MS, EV_TLS, DEV_ECHO, CL_AMZFW, 1, 0 },
	{ 14000, 0, 0, EV_AUDIO, DEV_ECHO, CL_AMZMUSIC, 0, 0 },
	{ 14500, 12 * HOUR_MS, MIN_MS, EV_RENEW, DEV_ECHO, 0, 0, 0 },
	/* Sonos One: its cloud, metrics, NOTIFY, music. */
	{ 15000, 2 * MIN_MS, 10000, EV_TLS, DEV_SONOS, CL_SONOS, 1, 0 },
	{ 15500, 30 * MIN_MS, 5 * MIN_MS, EV_TLS, DEV_SONOS, CL_SONOSMET, 1, 0 },
	{ 16000, 15 * MIN_MS, MIN_MS, EV_SSDP_NOTIFY, DEV_SONOS, 0, 0, 0 },
	{ 16500, DAY_MS, HOUR_MS, EV_TLS, DEV_SONOS, CL_SONOSUPD, 1, 0 },
	{ 17000, 0, 0, EV_AUDIO, DEV_SONOS, CL_MUSIC, 0, 0 },
	{ 17500, 12 * HOUR_MS, MIN_MS, EV_RENEW, DEV_SONOS, 0, 0, 0 },
	/* Printer: ePrint XMPP, NOTIFY, the daily firmware check. */
	{ 4200, 0, 0, EV_SESSION, DEV_PRINTER, CL_HPXMPP, 120, 0 },
	{ 18000, 30 * MIN_MS, 2 * MIN_MS, EV_SSDP_NOTIFY, DEV_PRINTER, 0, 0, 0 },
	{ 18500, DAY_MS, HOUR_MS, EV_HTTP, DEV_PRINTER, CL_HPFW, 0, 0 },
	{ 19000, 12 * HOUR_MS, MIN_MS, EV_RENEW, DEV_PRINTER, 0, 0, 0 },
	/* iPhone: push channel, iCloud, discovery while in use, a person. */
	{ 4700, 0, 0, EV_SESSION, DEV_PHONE, CL_APNS, 300, 0 },
	{ 19500, 30 * MIN_MS, 20 * MIN_MS, EV_TLS, DEV_PHONE, CL_ICLOUD, 2, 0 },
	{ 20000, 4 * HOUR_MS, HOUR_MS, EV_NTP, DEV_PHONE, CL_NTPAPPLE, 0, 0 },
	{ 20500, 40 * MIN_MS, 20 * MIN_MS, EV_MDNS_BROWSE, DEV_PHONE, 0, 0, ONLY_DAY },
	{ 21000, 2 * HOUR_MS, HOUR_MS, EV_SSDP_SEARCH, DEV_PHONE, 0, 0, ONLY_DAY },
	{ 21500, 2 * HOUR_MS, HOUR_MS, EV_HTTP, DEV_PHONE, CL_CAPTIVE, 0, ONLY_DAY },
	{ 22000, 0, 0, EV_USER, DEV_PHONE, 0, 0, 0 },
	{ 22500, 12 * HOUR_MS, MIN_MS, EV_RENEW, DEV_PHONE, 0, 0, 0 },
	/* Windows laptop: asleep at night; settings, sign-in, updates. */
	{ 23000, 15 * MIN_MS, 5 * MIN_MS, EV_TLS, DEV_LAPTOP, CL_WINSET, 2, ONLY_DAY },
	{ 23500, HOUR_MS, 15 * MIN_MS, EV_TLS, DEV_LAPTOP, CL_LIVE, 2, ONLY_DAY },
	{ 24000, HOUR_MS, 30 * MIN_MS, EV_HTTP, DEV_LAPTOP, CL_NCSI, 0, ONLY_DAY },
	{ 24500, 4 * HOUR_MS, HOUR_MS, EV_NTP, DEV_LAPTOP, CL_NTPWIN, 1, ONLY_DAY },
	{ 25000, 4 * HOUR_MS, HOUR_MS, EV_TLS, DEV_LAPTOP, CL_WUPDATE, 2, ONLY_DAY },
	{ 25500, 0, 0, EV_USER, DEV_LAPTOP, 0, 0, 0 },
	{ 26000, 12 * HOUR_MS, MIN_MS, EV_RENEW, DEV_LAPTOP, 0, 0, ONLY_DAY },
	/* Shelly: MQTT (above), time, firmware. */
	{ 26500, HOUR_MS, 10000, EV_NTP, DEV_SHELLY, CL_NTPGOOG, 0, 0 },
	{ 27000, DAY_MS, HOUR_MS, EV_TLS, DEV_SHELLY, CL_SHELLYFW, 1, 0 },
	{ 27500, 12 * HOUR_MS, MIN_MS, EV_RENEW, DEV_SHELLY, 0, 0, 0 },
};

const struct event_def *benign_script(size_t *n)
{
	*n = sizeof(benign_events) / sizeof(benign_events[0]);
	return benign_events;
}

/* ------------------------------------------------------------ cloud sessions */

enum session_state { SES_CLOSED, SES_OPEN, SES_CLIP };

struct session {
	struct actor a;
	struct site *st;
	struct device *d;
	int cl;
	uint32_t period_s;
	enum session_state state;
	uint64_t close_at_us;  /* this connection's planned end */
	uint64_t next_clip_us; /* camera: the next motion event */
	uint64_t clip_left;    /* bytes of the clip still to send */
	struct gen_conv c;
};

#define CLIP_CHUNK 32768
#define CLIP_CHUNK_US (60 * MS)                /* ~4.4 Mbit/s uplink */
#define CLIP_DAY_MEAN_US (75 * 60 * SEC)       /* a motion event every 75 min */
#define CLIP_NIGHT_MEAN_US (5 * 3600 * SEC)    /* ... every 5 h at night */
#define SESSION_LIFE_MIN_US (2 * 3600 * SEC)   /* reconnect after 2 to 10 h */
#define SESSION_LIFE_SPAN_US (8 * 3600 * SEC)

static uint64_t next_clip(struct site *st, uint64_t t)
{
	return t + gen_rng_exp(&st->rng, site_awake(t) ? CLIP_DAY_MEAN_US : CLIP_NIGHT_MEAN_US);
}

static uint64_t next_beat(struct session *s, uint64_t t)
{
	uint64_t period_us = s->period_s * SEC, jitter_us = period_us / 30;

	return t + period_us - jitter_us + gen_rng_range(&s->st->rng, 0, 2 * jitter_us);
}

/* One heartbeat: request and answer; the camera's request carries a status
 * report with a snapshot (a few kilobytes). */
static uint64_t session_beat(struct session *s, uint64_t t)
{
	static uint8_t q[8192], resp[512];
	struct gen_rng *r = &s->st->rng;
	const struct gen_sink *sk = site_sink(s->st);
	size_t qn = s->d->id == DEV_CAMERA ? 1500 + gen_rng_below(r, 4500) : 30 + gen_rng_below(r, 90);
	size_t ql = gen_tls_app_data(q, sizeof(q), qn, r);
	size_t rl = gen_tls_app_data(resp, sizeof(resp), 25 + gen_rng_below(r, 70), r);
	uint64_t t1 = gen_tcp_send(sk, &s->c, 0, t, q, ql);

	t = gen_tcp_send(sk, &s->c, 1, t1 + s->c.delay_us[1], resp, rl);
	gen_tcp_ack(sk, &s->c, 0, t + s->c.delay_us[0]);
	return t;
}

static void session_step(struct actor *a, struct sim *sim)
{
	static uint8_t chunk[CLIP_CHUNK + 256];
	struct session *s = (struct session *)a;
	struct site *st = s->st;
	const struct gen_sink *sk = &sim->sink;
	uint64_t t = a->next_us;

	switch (s->state) {
	case SES_CLOSED:
		t = tls_connect(st, s->d, s->cl, t, &s->c, 1, 300, 400, GEN_CLOSE_NONE);
		s->close_at_us = t + SESSION_LIFE_MIN_US + gen_rng_range(&st->rng, 0, SESSION_LIFE_SPAN_US);
		s->state = SES_OPEN;
		a->next_us = next_beat(s, t);
		return;
	case SES_CLIP:
		if (s->clip_left > 0) {
			size_t n = s->clip_left < CLIP_CHUNK ? (size_t)s->clip_left : CLIP_CHUNK;
			size_t len = gen_tls_app_data(chunk, sizeof(chunk), n, &st->rng);

			s->c.bulk = true;
			t = gen_tcp_send(sk, &s->c, 0, t, chunk, len);
			s->c.bulk = false;
			gen_tcp_ack(sk, &s->c, 1, t + s->c.delay_us[1]);
			s->clip_left -= n;
			a->next_us = t + CLIP_CHUNK_US;
			return;
		}
		s->state = SES_OPEN;
		s->next_clip_us = next_clip(st, t);
		a->next_us = next_beat(s, session_beat(s, t));
		return;
	case SES_OPEN:
		break;
	}
	if (t >= s->close_at_us) {
		/* Most often the device closes to refresh; sometimes the cloud
		 * front end restarts and resets the connection. */
		if (gen_rng_below(&st->rng, 4) == 0) {
			gen_tcp_seg(sk, &s->c, 1, t, GEN_TCP_RST | GEN_TCP_ACK, NULL, 0);
		} else {
			t = gen_tcp_close(sk, &s->c, 0, t);
		}
		s->state = SES_CLOSED;
		a->next_us = t + 2 * SEC + gen_rng_below(&st->rng, 40 * SEC);
		return;
	}
	if (s->d->id == DEV_CAMERA && t >= s->next_clip_us) {
		/* A motion clip: 2-6 MB up the same connection. */
		s->clip_left = 2000000 + gen_rng_below(&st->rng, 4000000);
		s->state = SES_CLIP;
		a->next_us = t + 1000;
		return;
	}
	a->next_us = next_beat(s, session_beat(s, t));
}

void session_start(struct site *st, struct device *d, int cl, uint32_t period_s, uint64_t t)
{
	struct session *s = calloc(1, sizeof(*s));

	if (!s) {
		st->sim->failed = true;
		return;
	}
	*s = (struct session){ .st = st, .d = d, .cl = cl, .period_s = period_s };
	s->next_clip_us = next_clip(st, t);
	actor_start(st->sim, &s->a, t, session_step, true);
}

/* ------------------------------------------------------------ music */

/*
 * A speaker's music: in a listening session it opens a TLS connection to
 * its streaming service and, per track, fetches the whole file quickly
 * (2-5 MB: 96-160 kbit/s streams) and then plays it for 2.5-5 minutes
 * (connection idle), as Spotify Connect and Amazon Music clients do.
 */
struct audio {
	struct actor a;
	struct site *st;
	struct device *d;
	int cl;
	bool playing, between_tracks;
	uint64_t end_us;       /* end of the listening session */
	uint64_t track_left;   /* bytes of the current track still to fetch */
	struct gen_conv c;
};

#define AUDIO_CHUNK 65536
#define AUDIO_CHUNK_US (25 * MS) /* ~20 Mbit/s downlink */
#define AUDIO_CHECK_US (30 * 60 * SEC)

/* Chance in percent that a listening session starts in a half hour. */
static unsigned audio_chance(uint64_t t)
{
	uint64_t hour = t / (3600 * SEC) % 24;

	if (hour >= 7 && hour < 9)
		return 15;
	if (hour >= 17 && hour < 23)
		return 15;
	return site_awake(t) ? 3 : 0;
}

static void audio_step(struct actor *a, struct sim *sim)
{
	static uint8_t chunk[AUDIO_CHUNK + 512];
	struct audio *m = (struct audio *)a;
	struct site *st = m->st;
	const struct gen_sink *sk = &sim->sink;
	uint64_t t = a->next_us;

	if (!m->playing) {
		if (gen_rng_below(&st->rng, 100) >= audio_chance(t)) {
			/* Asked again in 15-45 minutes. */
			a->next_us = t + AUDIO_CHECK_US / 2 + gen_rng_range(&st->rng, 0, AUDIO_CHECK_US);
			return;
		}
		t = tls_connect(st, m->d, m->cl, t, &m->c, 2, 600, 3000, GEN_CLOSE_NONE);
		m->playing = true;
		m->end_us = t + 10 * 60 * SEC + gen_rng_below(&st->rng, 50 * 60) * SEC;
		m->track_left = 2000000 + gen_rng_below(&st->rng, 3000000);
		a->next_us = t + 20 * MS;
		return;
	}
	if (m->track_left > 0) {
		size_t n = m->track_left < AUDIO_CHUNK ? (size_t)m->track_left : AUDIO_CHUNK;
		size_t len = gen_tls_app_data(chunk, sizeof(chunk), n, &st->rng);

		m->c.bulk = true;
		t = gen_tcp_send(sk, &m->c, 1, t, chunk, len);
		m->c.bulk = false;
		gen_tcp_ack(sk, &m->c, 0, t + m->c.delay_us[0]);
		m->track_left -= n;
		a->next_us = t + AUDIO_CHUNK_US;
		return;
	}
	if (m->between_tracks) {
		/* The next track is requested and fetched. */
		static uint8_t q[1024];
		size_t ql = gen_tls_app_data(q, sizeof(q), 300 + gen_rng_below(&st->rng, 400), &st->rng);

		t = gen_tcp_send(sk, &m->c, 0, t, q, ql);
		m->between_tracks = false;
		m->track_left = 2000000 + gen_rng_below(&st->rng, 3000000);
		a->next_us = t + m->c.delay_us[1];
		return;
	}
	if (t >= m->end_us) {
		gen_tcp_close(sk, &m->c, 0, t);
		m->playing = false;
		a->next_us = t + AUDIO_CHECK_US;
		return;
	}
	/* The track plays (the connection idles, well under TCP's 500 s). */
	m->between_tracks = true;
	a->next_us = t + 150 * SEC + gen_rng_below(&st->rng, 150) * SEC;
}

void audio_start(struct site *st, struct device *d, int cl, uint64_t t)
{
	struct audio *m = calloc(1, sizeof(*m));

	if (!m) {
		st->sim->failed = true;
		return;
	}
	*m = (struct audio){ .st = st, .d = d, .cl = cl };
	actor_start(st->sim, &m->a, t, audio_step, true);
}
