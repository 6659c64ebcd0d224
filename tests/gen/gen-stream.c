/*
 * gen-stream.c - long-lived flows, each an actor that emits one step at a
 * time: devices' persistent TLS connections to their clouds with
 * heartbeats, the Shelly's MQTT session with the broker on Home
 * Assistant, and RTSP from Home Assistant to the camera with interleaved
 * H.264 RTP and RTCP.
 */
#include "gen-stream.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen-bytes.h"
#include "gen-cloud.h"
#include "gen-tls.h"
#include "gen-truth.h"

/* ------------------------------------------------------------ cloud keep-alives */

/* A device's persistent TLS connection to its cloud, with heartbeats. */
struct keepalive {
	struct actor a;
	struct site *st;
	struct device *d;
	int cl;
	uint32_t period_s;
	bool open;
	struct gen_conv c;
};

static void keepalive_step(struct actor *a, struct sim *sim)
{
	struct keepalive *k = (struct keepalive *)a;
	struct site *st = k->st;
	struct gen_rng *r = &st->rng;
	uint64_t t = a->next_us;
	uint8_t q[512], resp[512];

	(void)sim;
	if (!k->open) {
		t = tls_connect(st, k->d, k->cl, t, &k->c, 1, 300, 400, GEN_CLOSE_NONE);
		k->open = true;
	} else {
		size_t ql = gen_tls_app_data(q, sizeof(q), 30 + gen_rng_below(r, 90), r);
		size_t rl = gen_tls_app_data(resp, sizeof(resp), 25 + gen_rng_below(r, 70), r);
		uint64_t t1 = gen_tcp_send(site_sink(st), &k->c, 0, t, q, ql);

		t = gen_tcp_send(site_sink(st), &k->c, 1, t1 + k->c.delay_us[1], resp, rl);
		gen_tcp_ack(site_sink(st), &k->c, 0, t + k->c.delay_us[0]);
	}
	a->next_us = t + k->period_s * SEC * 9 / 10 + gen_rng_below(r, (uint32_t)(k->period_s * SEC / 5));
}


void keepalive_start(struct site *st, struct device *d, int cl, uint32_t period_s, uint64_t t)
{
	struct keepalive *k = calloc(1, sizeof(*k));

	if (!k) {
		st->sim->failed = true;
		return;
	}
	*k = (struct keepalive){ .st = st, .d = d, .cl = cl, .period_s = period_s };
	actor_start(st->sim, &k->a, t, keepalive_step, true);
}

/* ------------------------------------------------------------ MQTT */

/* MQTT (3.1.1) from the Shelly plug to the broker on Home Assistant. */
struct mqtt {
	struct actor a;
	struct site *st;
	unsigned ticks;
	struct gen_conv c;
};

static void mqtt_str(struct gen_buf *b, const char *s)
{
	gen_put16(b, (uint16_t)strlen(s));
	gen_putstr(b, s);
}

/* Appends one MQTT control packet whose variable part was built in var. */
static void mqtt_emit(struct gen_buf *out, uint8_t type_flags, const struct gen_buf *var)
{
	size_t len = var->len;

	gen_put8(out, type_flags);
	do { /* remaining length: 7 bits per byte, high bit = more follow */
		uint8_t v = len & 0x7f;

		len >>= 7;
		gen_put8(out, (uint8_t)(v | (len ? 0x80 : 0)));
	} while (len);
	gen_putn(out, var->p, var->len);
}

static void mqtt_publish(struct gen_buf *out, const char *topic, const char *payload, bool retain)
{
	uint8_t mem[512];
	struct gen_buf v;

	gen_buf_init(&v, mem, sizeof(mem));
	mqtt_str(&v, topic);
	gen_putstr(&v, payload);
	mqtt_emit(out, (uint8_t)(0x30 | (retain ? 1 : 0)), &v);
}

static void mqtt_step(struct actor *a, struct sim *sim)
{
	struct mqtt *m = (struct mqtt *)a;
	struct site *st = m->st;
	const char *id = st->dev[DEV_SHELLY].def->hostname;
	uint8_t mem[5][512], tmp[512];
	struct gen_buf b[5], v;
	char topic[128], val[64], json[256];
	uint64_t t = a->next_us;

	(void)sim;
	for (int i = 0; i < 5; i++)
		gen_buf_init(&b[i], mem[i], sizeof(mem[i]));
	if (m->ticks == 0) {
		struct peer cli, srv;

		peer_dev(&cli, st, &st->dev[DEV_SHELLY], GEN_AF_INET, false);
		peer_dev(&srv, st, &st->dev[DEV_HASS], GEN_AF_INET, false);
		conv_init(&m->c, st, &cli, eph_port(st, &st->dev[DEV_SHELLY]), &srv, 1883, 6, GEN_APP_MQTT, NULL);
		gen_buf_init(&v, tmp, sizeof(tmp));
		mqtt_str(&v, "MQTT");
		gen_put8(&v, 4);    /* protocol level 3.1.1 */
		gen_put8(&v, 0xe6); /* user, password, will retain, will QoS 0, will, clean */
		gen_put16(&v, 60);  /* keep-alive, seconds */
		mqtt_str(&v, id);
		snprintf(topic, sizeof(topic), "shellies/%s/online", id);
		mqtt_str(&v, topic);
		mqtt_str(&v, "false");
		mqtt_str(&v, "shelly");
		mqtt_str(&v, "Tr7!kq2PzW");
		mqtt_emit(&b[0], 0x10, &v);
		gen_putn(&b[1], (const uint8_t[4]){ 0x20, 0x02, 0x00, 0x00 }, 4); /* CONNACK */
		mqtt_publish(&b[2], topic, "true", true);
		gen_buf_init(&v, tmp, sizeof(tmp));
		gen_put16(&v, 1);
		snprintf(topic, sizeof(topic), "shellies/%s/relay/0/command", id);
		mqtt_str(&v, topic);
		gen_put8(&v, 0);
		mqtt_str(&v, "shellies/command");
		gen_put8(&v, 0);
		mqtt_emit(&b[2], 0x82, &v); /* SUBSCRIBE, in the same segment */
		gen_putn(&b[3], (const uint8_t[6]){ 0x90, 0x04, 0x00, 0x01, 0x00, 0x00 }, 6);
		snprintf(topic, sizeof(topic), "shellies/%s/announce", id);
		snprintf(json, sizeof(json), "{\"id\":\"%s\",\"model\":\"SHPLG-S\",\"mac\":\"240AC4A1B2C3\","
			 "\"ip\":\"%u.%u.%u.%u\",\"new_fw\":false,\"fw_ver\":\"20230913-112003/"
			 "v1.14.0-gcb84623\"}", id, st->dev[DEV_SHELLY].ip4.b[0], st->dev[DEV_SHELLY].ip4.b[1],
			 st->dev[DEV_SHELLY].ip4.b[2], st->dev[DEV_SHELLY].ip4.b[3]);
		mqtt_publish(&b[4], topic, json, false);
		struct gen_msg msgs[5] = {
			{ 0, 2 * MS, b[0].p, gen_buf_done(&b[0]) },
			{ 1, 400, b[1].p, gen_buf_done(&b[1]) },
			{ 0, 6 * MS, b[2].p, gen_buf_done(&b[2]) },
			{ 1, 300, b[3].p, gen_buf_done(&b[3]) },
			{ 0, 25 * MS, b[4].p, gen_buf_done(&b[4]) },
		};
		t = gen_tcp_exchange(site_sink(st), &m->c, t, msgs, 5, GEN_CLOSE_NONE);
	} else if (m->ticks % 2) {
		/* Power readings: two PUBLISHes in one segment. */
		snprintf(topic, sizeof(topic), "shellies/%s/relay/0/power", id);
		unsigned watts = 8 + gen_rng_below(&st->rng, 40);
		unsigned hundredths = gen_rng_below(&st->rng, 100);

		snprintf(val, sizeof(val), "%u.%02u", watts, hundredths);
		mqtt_publish(&b[0], topic, val, false);
		snprintf(topic, sizeof(topic), "shellies/%s/relay/0/energy", id);
		snprintf(val, sizeof(val), "%u", 18400 + m->ticks);
		mqtt_publish(&b[0], topic, val, false);
		t = gen_tcp_send(site_sink(st), &m->c, 0, t, b[0].p, gen_buf_done(&b[0]));
		gen_tcp_ack(site_sink(st), &m->c, 1, t + m->c.delay_us[1]);
	} else {
		static const uint8_t pingreq[2] = { 0xc0, 0 }, pingresp[2] = { 0xd0, 0 };

		t = gen_tcp_send(site_sink(st), &m->c, 0, t, pingreq, 2);
		t = gen_tcp_send(site_sink(st), &m->c, 1, t + m->c.delay_us[1], pingresp, 2);
		gen_tcp_ack(site_sink(st), &m->c, 0, t + m->c.delay_us[0]);
	}
	m->ticks++;
	a->next_us = t + 30 * SEC + gen_rng_below(&st->rng, 2 * SEC);
}

void mqtt_start(struct site *st, uint64_t t)
{
	struct mqtt *m = calloc(1, sizeof(*m));

	if (!m) {
		st->sim->failed = true;
		return;
	}
	m->st = st;
	actor_start(st->sim, &m->a, t, mqtt_step, true);
}

/* ------------------------------------------------------------ RTSP, RTP */

/* RTSP from Home Assistant to the camera, then interleaved RTP video. */
struct rtsp {
	struct actor a;
	struct site *st;
	uint64_t end_us;      /* NEVER: streams for the whole run */
	uint32_t frame_us;    /* 1 / frame rate */
	uint32_t gop;         /* frames per I-frame */
	uint32_t iframe, pframe; /* typical frame sizes, bytes */
	uint32_t frames;
	uint16_t rtp_seq;
	uint32_t rtp_ts, ssrc;
	uint64_t next_rtcp_us;
	bool playing;
	char url[96];
	struct gen_conv c;
};

#define RTP_MAX_PAYLOAD 1400
#define RTCP_INTERVAL_US (5 * SEC)

static uint8_t video_buf[256 * 1024];

static size_t rtsp_msg(uint8_t *out, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static size_t rtsp_msg(uint8_t *out, size_t cap, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf((char *)out, cap, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= cap)
		gen_bug("RTSP message too long"); /* the buffers are sized for these texts */
	return (size_t)n;
}

static void rtsp_setup(struct rtsp *r, uint64_t t)
{
	static const char ua[] = "User-Agent: Lavf60.16.100\r\n";
	static const char nonce[] = "a9f2c4e1b7d05f3e8c6a2b4d9e1f7c30";
	struct site *st = r->st;
	struct device *cam = &st->dev[DEV_CAMERA];
	uint8_t m[10][1536];
	char date[64], ip[INET_ADDRSTRLEN];
	size_t n[10], sdp_len;
	char sdp[1024];
	struct peer cli, srv;

	peer_dev(&cli, st, &st->dev[DEV_HASS], GEN_AF_INET, false);
	peer_dev(&srv, st, cam, GEN_AF_INET, false);
	conv_init(&r->c, st, &cli, eph_port(st, &st->dev[DEV_HASS]), &srv, 554, 6, GEN_APP_RTSP, NULL);
	inet_ntop(AF_INET, cam->ip4.b, ip, sizeof(ip));
	snprintf(r->url, sizeof(r->url), "rtsp://%s:554/Streaming/Channels/%u", ip,
		 r->end_us == NEVER ? 101 : 102);
	http_date(date, sizeof(date), t);
	n[0] = rtsp_msg(m[0], sizeof(m[0]), "OPTIONS %s RTSP/1.0\r\nCSeq: 1\r\n%s\r\n", r->url, ua);
	n[1] = rtsp_msg(m[1], sizeof(m[1]), "RTSP/1.0 200 OK\r\nCSeq: 1\r\nPublic: OPTIONS, DESCRIBE, "
			"PLAY, PAUSE, SETUP, TEARDOWN, SET_PARAMETER, GET_PARAMETER\r\nDate:  %s\r\n\r\n", date);
	n[2] = rtsp_msg(m[2], sizeof(m[2]), "DESCRIBE %s RTSP/1.0\r\nAccept: application/sdp\r\n"
			"CSeq: 2\r\n%s\r\n", r->url, ua);
	n[3] = rtsp_msg(m[3], sizeof(m[3]), "RTSP/1.0 401 Unauthorized\r\nCSeq: 2\r\nWWW-Authenticate: "
			"Digest realm=\"IP Camera(C6390)\", nonce=\"%s\", stale=\"FALSE\"\r\n"
			"Date:  %s\r\n\r\n", nonce, date);
	n[4] = rtsp_msg(m[4], sizeof(m[4]), "DESCRIBE %s RTSP/1.0\r\nAccept: application/sdp\r\nCSeq: 3\r\n"
			"%sAuthorization: Digest username=\"admin\", realm=\"IP Camera(C6390)\", "
			"nonce=\"%s\", uri=\"%s\", response=\"5d9f4c8b2e71a3f06b4c9d2e8a1f7b35\"\r\n\r\n",
			r->url, ua, nonce, r->url);
	sdp_len = (size_t)snprintf(sdp, sizeof(sdp), "v=0\r\no=- 1109162014219182 1109162014219192 IN IP4 "
			"%s\r\ns=Media Presentation\r\ne=NONE\r\nb=AS:5050\r\nt=0 0\r\na=control:%s/\r\n"
			"m=video 0 RTP/AVP 96\r\nc=IN IP4 0.0.0.0\r\nb=AS:5000\r\na=recvonly\r\n"
			"a=x-dimensions:%s\r\na=control:%s/trackID=1\r\na=rtpmap:96 H264/90000\r\n"
			"a=fmtp:96 profile-level-id=420029; packetization-mode=1; "
			"sprop-parameter-sets=Z01AHpWoKA9k,aO48gA==\r\n", ip, r->url,
			r->end_us == NEVER ? "2560,1440" : "640,480", r->url);
	n[5] = rtsp_msg(m[5], sizeof(m[5]), "RTSP/1.0 200 OK\r\nCSeq: 3\r\nContent-Type: application/sdp\r\n"
			"Content-Base: %s/\r\nContent-Length: %zu\r\n\r\n%s", r->url, sdp_len, sdp);
	n[6] = rtsp_msg(m[6], sizeof(m[6]), "SETUP %s/trackID=1 RTSP/1.0\r\nTransport: RTP/AVP/TCP;"
			"unicast;interleaved=0-1\r\nCSeq: 4\r\n%s\r\n", r->url, ua);
	n[7] = rtsp_msg(m[7], sizeof(m[7]), "RTSP/1.0 200 OK\r\nCSeq: 4\r\nSession: 1273222592;timeout=60"
			"\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=%08x;mode=\"play\"\r\n"
			"Date:  %s\r\n\r\n", r->ssrc, date);
	n[8] = rtsp_msg(m[8], sizeof(m[8]), "PLAY %s/ RTSP/1.0\r\nRange: npt=0.000-\r\nCSeq: 5\r\n%s"
			"Session: 1273222592\r\n\r\n", r->url, ua);
	n[9] = rtsp_msg(m[9], sizeof(m[9]), "RTSP/1.0 200 OK\r\nCSeq: 5\r\nSession: 1273222592\r\n"
			"RTP-Info: url=%s/trackID=1;seq=%u;rtptime=%u\r\nDate:  %s\r\n\r\n", r->url,
			r->rtp_seq, r->rtp_ts, date);
	struct gen_msg msgs[10];

	for (int i = 0; i < 10; i++)
		msgs[i] = (struct gen_msg){ (uint8_t)(i & 1), i & 1 ? 1500 + gen_rng_below(&st->rng, 6000) :
					    400 + gen_rng_below(&st->rng, 800), m[i], n[i] };
	r->a.next_us = gen_tcp_exchange(site_sink(st), &r->c, t, msgs, 10, GEN_CLOSE_NONE) + 20 * MS;
	r->next_rtcp_us = r->a.next_us + RTCP_INTERVAL_US;
	r->playing = true;
}

/* One video frame as H.264 FU-A fragments in interleaved RTP packets. */
static size_t rtsp_frame(struct rtsp *r, size_t bytes, bool idr)
{
	struct gen_rng *rng = &r->st->rng;
	struct gen_buf b;
	size_t off = 0;

	gen_buf_init(&b, video_buf, sizeof(video_buf));
	while (off < bytes) {
		size_t n = bytes - off < RTP_MAX_PAYLOAD ? bytes - off : RTP_MAX_PAYLOAD;
		bool first = off == 0, last = off + n == bytes;

		gen_put8(&b, '$');
		gen_put8(&b, 0); /* channel 0: RTP */
		gen_put16(&b, (uint16_t)(12 + 2 + n));
		gen_put8(&b, 0x80);
		gen_put8(&b, (uint8_t)(96 | (last ? 0x80 : 0)));
		gen_put16(&b, r->rtp_seq++);
		gen_put32(&b, r->rtp_ts);
		gen_put32(&b, r->ssrc);
		gen_put8(&b, 0x7c); /* FU indicator: NRI 3, type 28 */
		gen_put8(&b, (uint8_t)((first ? 0x80 : 0) | (last ? 0x40 : 0) | (idr ? 5 : 1)));
		gen_putn(&b, gen_random_bytes(rng, n), n);
		off += n;
	}
	if (r->a.next_us >= r->next_rtcp_us) {
		/* Sender report (RFC 3550 6.4.1) on channel 1. */
		gen_put8(&b, '$');
		gen_put8(&b, 1);
		gen_put16(&b, 28);
		gen_put32(&b, 0x80c80006);
		gen_put32(&b, r->ssrc);
		ntp_put_time(&b, r->a.next_us);
		gen_put32(&b, r->rtp_ts);
		gen_put32(&b, r->frames * 3);
		gen_put32(&b, (uint32_t)(r->frames * (r->pframe + 20)));
	}
	return gen_buf_done(&b);
}

static void rtsp_step(struct actor *a, struct sim *sim)
{
	struct rtsp *r = (struct rtsp *)a;
	struct gen_rng *rng = &r->st->rng;
	const struct gen_sink *s = &sim->sink;
	uint64_t t = a->next_us;

	if (!r->playing) {
		rtsp_setup(r, t);
		return;
	}
	if (t >= r->end_us) {
		uint8_t m[2][256];
		size_t n0 = rtsp_msg(m[0], sizeof(m[0]), "TEARDOWN %s/ RTSP/1.0\r\nCSeq: 6\r\n"
				     "User-Agent: Lavf60.16.100\r\nSession: 1273222592\r\n\r\n", r->url);
		size_t n1 = rtsp_msg(m[1], sizeof(m[1]), "RTSP/1.0 200 OK\r\nCSeq: 6\r\n"
				     "Session: 1273222592\r\n\r\n");

		t = gen_tcp_send(s, &r->c, 0, t, m[0], n0);
		t = gen_tcp_send(s, &r->c, 1, t + r->c.delay_us[1], m[1], n1);
		gen_tcp_close(s, &r->c, 0, t + r->c.delay_us[0] + 300);
		a->next_us = NEVER;
		return;
	}
	bool idr = r->frames % r->gop == 0;
	uint32_t typical = idr ? r->iframe : r->pframe;
	size_t len = rtsp_frame(r, typical * 7 / 10 + gen_rng_below(rng, typical * 6 / 10), idr);
	uint64_t last = gen_tcp_send(s, &r->c, 1, t, video_buf, len);

	if (t >= r->next_rtcp_us) {
		/* The receiver's report, carrying the ACK. */
		uint8_t rr[36] = { '$', 1, 0, 32, 0x81, 0xc9, 0x00, 0x07 };

		memcpy(rr + 8, (const uint8_t[4]){ 0x5a, 0x17, 0x3c, 0x01 }, 4);
		memcpy(rr + 12, (const uint8_t[4]){ r->ssrc >> 24, r->ssrc >> 16, r->ssrc >> 8, r->ssrc }, 4);
		gen_tcp_send(s, &r->c, 0, last + r->c.delay_us[0], rr, sizeof(rr));
		r->next_rtcp_us += RTCP_INTERVAL_US;
	} else {
		gen_tcp_ack(s, &r->c, 0, last + r->c.delay_us[0]);
	}
	r->frames++;
	r->rtp_ts += 90000 / (uint32_t)(SEC / r->frame_us);
	a->next_us = t + r->frame_us;
}

void rtsp_start(struct site *st, uint64_t t, uint32_t seconds)
{
	struct rtsp *r = calloc(1, sizeof(*r));

	if (!r) {
		st->sim->failed = true;
		return;
	}
	r->st = st;
	r->end_us = seconds ? t + seconds * SEC : NEVER;
	/* Sub-stream (640x480, 10 fps) for a look; main stream for recording. */
	r->frame_us = seconds ? 100 * MS : 40 * MS;
	r->gop = seconds ? 20 : 50;
	r->iframe = seconds ? 14000 : 60000;
	r->pframe = seconds ? 1600 : 3600;
	r->rtp_seq = (uint16_t)gen_rng_next(&st->rng);
	r->rtp_ts = (uint32_t)gen_rng_next(&st->rng);
	r->ssrc = (uint32_t)gen_rng_next(&st->rng);
	actor_start(st->sim, &r->a, t, rtsp_step, true);
}
