/*
 * gen-cloud.c - a device's short exchanges: name lookups through the
 * router's DNS forwarder, TLS sessions with cloud hosts, HTTP GETs
 * (connectivity checks, a firmware check, and Home Assistant polling the
 * Hue bridge on the LAN) and SNTP.
 *
 * Every session to a cloud host starts with a lookup unless the device's
 * cache still holds the name, and connects to the address the answer gave.
 */
#include "gen-cloud.h"

#include <string.h>
#include <time.h>

#include "gen-bytes.h"
#include "gen-dns.h"
#include "gen-tls.h"
#include "gen-truth.h"

/* ------------------------------------------------------------ DNS */

/*
 * One lookup of name by d through the router: A, and AAAA from the same
 * socket on dual-stack systems, as glibc and Apple's resolver do; the
 * answers are a4 and a6 (NULL or family 0: no such record) with ttl_s.
 * Returns when the device has its answer.
 */
static uint64_t dns_exchange(struct site *st, struct device *d, const char *name,
			     const struct gen_addr *a4, const struct gen_addr *a6, uint32_t ttl_s,
			     uint16_t id, uint64_t t)
{
	int fam = dev_v6(st, d, t) ? GEN_AF_INET6 : GEN_AF_INET;
	struct peer cli, srv;
	struct gen_conv c;
	uint8_t msg[512];
	uint64_t done = t;
	int n = d->def->dual_stack ? 2 : 1;

	peer_dev(&cli, st, d, fam, false);
	peer_dev(&srv, st, &st->dev[DEV_ROUTER], fam, false);
	conv_init(&c, st, &cli, eph_port(st, d), &srv, 53, 17, GEN_APP_DNS, name);
	for (int i = 0; i < n; i++) {
		uint16_t type = i ? DNS_AAAA : DNS_A;
		uint64_t tq = t + (uint64_t)i * 180;
		/* The router forwards upstream: a few to tens of milliseconds. */
		uint64_t ta = tq + 2500 + gen_rng_below(&st->rng, 28000);
		size_t len = gen_dns_message(msg, sizeof(msg), (uint16_t)(id + i), false, name, type,
					 NULL, 0, d->def->dual_stack);

		gen_udp(site_sink(st), &c, 0, tq, msg, len);
		len = gen_dns_message(msg, sizeof(msg), (uint16_t)(id + i), true, name, type,
				  type == DNS_A ? a4 : (a6 && a6->family ? a6 : NULL), ttl_s,
				  d->def->dual_stack);
		gen_udp(site_sink(st), &c, 1, ta, msg, len);
		if (ta > done)
			done = ta;
	}
	return done + c.delay_us[0];
}

/* Resolves a cloud name for d through the router unless d's cache still
 * holds it. */
static uint64_t dns_lookup(struct site *st, struct device *d, int cl, uint64_t t)
{
	const struct cloud_def *cd = home_cloud(cl);
	struct gen_addr a4, a6;
	/* Drawn before the cache check, as it always was: the committed
	 * captures depend on the order of draws. */
	uint16_t id = (uint16_t)gen_rng_next(&st->rng);
	uint64_t done;

	if (d->dns_expiry_us[cl] > t)
		return t;
	cloud_addr(cl, GEN_AF_INET, &a4);
	cloud_addr(cl, GEN_AF_INET6, &a6);
	done = dns_exchange(st, d, cd->name, &a4, cd->v6 ? &a6 : NULL, cd->dns_ttl_s, id, t);
	d->dns_expiry_us[cl] = t + cd->dns_ttl_s * SEC;
	return done;
}

uint64_t dns_resolve(struct site *st, struct device *d, const struct remote *r, uint64_t t)
{
	uint16_t id = (uint16_t)gen_rng_next(&st->rng);

	return dns_exchange(st, d, r->name, &r->addr4, &r->addr6, r->dns_ttl_s, id, t);
}

/* Which family d reaches cloud cl over: IPv6 for most dual-stack sessions. */
static int cloud_family(struct site *st, const struct device *d, int cl, uint64_t t)
{
	if (cl == CL_NCSI6)
		return GEN_AF_INET6;
	if (!home_cloud(cl)->v6 || !dev_v6(st, d, t))
		return GEN_AF_INET;
	return gen_rng_below(&st->rng, 10) < 6 ? GEN_AF_INET6 : GEN_AF_INET;
}

static void cloud_conv(struct gen_conv *c, struct site *st, struct device *d, int cl,
		       uint64_t t, uint8_t proto, uint8_t app, const char *name)
{
	int fam = cloud_family(st, d, cl, t);
	struct peer cli, srv;

	peer_dev(&cli, st, d, fam, false);
	peer_cloud(&srv, st, cl, fam);
	conv_init(c, st, &cli, eph_port(st, d), &srv, home_cloud(cl)->port, proto, app, name);
}

/* ------------------------------------------------------------ TLS */

#define TLS_FLIGHT_MAX 6000
#define TLS_MSG_MAX 20000

struct tls_script {
	struct gen_tls_hello hello;
	uint8_t ch[1024], sf[TLS_FLIGHT_MAX], cf[TLS_MSG_MAX], resp[4][TLS_MSG_MAX / 2],
		req[4][2048];
	struct gen_msg msgs[12];
	size_t n;
};

/* Scratch for the one TLS script being built (large; single-threaded). */
static struct tls_script tls_scratch;

static void tls_hello(struct gen_tls_hello *h, struct site *st, const struct device *d,
		      const char *sni)
{
	memset(h, 0, sizeof(*h));
	h->stack = (enum gen_tls_stack)d->def->tls;
	h->tls13 = d->def->tls13;
	h->sni = sni;
	if (h->stack == GEN_TLS_APPLE || h->stack == GEN_TLS_BORING || h->stack == GEN_TLS_SCHANNEL)
		h->alpn = "h2,http/1.1";
	gen_rng_fill(&st->rng, h->session_id, sizeof(h->session_id));
	/* TLS 1.2 devices reconnect with a ticket: an abbreviated handshake. */
	h->resume = !(h->tls13 && h->stack != GEN_TLS_MBEDTLS);
}

/* The handshake and nreq request/response pairs as an exchange script. */
static void tls_script_build(struct tls_script *ts, struct site *st, const struct device *d,
			     const char *sni, int nreq, size_t req_len, size_t resp_len)
{
	struct gen_rng *r = &st->rng;
	size_t cf, len, extra;
	uint32_t think;

	/*
	 * Each random draw is its own statement: C leaves the order in which
	 * an initializer list or an argument list is evaluated unspecified,
	 * and compilers differ, which would make the output compiler-specific.
	 */
	tls_hello(&ts->hello, st, d, sni);
	ts->n = 0;
	len = gen_tls_client_hello(ts->ch, sizeof(ts->ch), &ts->hello, r);
	ts->msgs[ts->n++] = (struct gen_msg){ 0, 150, ts->ch, len };
	think = 600 + gen_rng_below(r, 2500);
	extra = 2400 + gen_rng_below(r, 1900);
	len = gen_tls_server_flight(ts->sf, sizeof(ts->sf), &ts->hello, extra, r);
	ts->msgs[ts->n++] = (struct gen_msg){ 1, think, ts->sf, len };
	cf = gen_tls_client_finish(ts->cf, sizeof(ts->cf), &ts->hello, r);
	for (int i = 0; i < nreq && i < 4; i++) {
		size_t q = req_len / 2 + gen_rng_below(r, (uint32_t)req_len + 1);
		size_t a = resp_len / 2 + gen_rng_below(r, (uint32_t)resp_len + 1);

		if (i == 0) {
			/* Finished and the first request leave in one write. */
			cf += gen_tls_app_data(ts->cf + cf, sizeof(ts->cf) - cf, q, r);
			ts->msgs[ts->n++] = (struct gen_msg){ 0, 300, ts->cf, cf };
		} else {
			think = 20000 + gen_rng_below(r, 400000);
			len = gen_tls_app_data(ts->req[i], sizeof(ts->req[i]), q, r);
			ts->msgs[ts->n++] = (struct gen_msg){ 0, think, ts->req[i], len };
		}
		think = 2000 + gen_rng_below(r, 40000);
		len = gen_tls_app_data(ts->resp[i], sizeof(ts->resp[i]), a, r);
		ts->msgs[ts->n++] = (struct gen_msg){ 1, think, ts->resp[i], len };
	}
}

uint64_t tls_connect(struct site *st, struct device *d, int cl, uint64_t t, struct gen_conv *c,
		     int nreq, size_t req_len, size_t resp_len, enum gen_close close)
{
	t = dns_lookup(st, d, cl, t) + 300;
	cloud_conv(c, st, d, cl, t, 6, GEN_APP_TLS, home_cloud(cl)->name);
	tls_script_build(&tls_scratch, st, d, home_cloud(cl)->name, nreq, req_len, resp_len);
	return gen_tcp_exchange(site_sink(st), c, t, tls_scratch.msgs, tls_scratch.n, close);
}

uint64_t tls_connect_remote(struct site *st, struct device *d, const struct remote *r, uint64_t t,
			    struct gen_conv *c, int nreq, size_t req_len, size_t resp_len,
			    enum gen_close close)
{
	int fam = GEN_AF_INET;
	struct peer cli, srv;

	/* Dual-stack systems prefer IPv6 most of the time, as cloud_family. */
	if (r->addr6.family && dev_v6(st, d, t) && gen_rng_below(&st->rng, 10) < 6)
		fam = GEN_AF_INET6;
	peer_dev(&cli, st, d, fam, false);
	peer_remote(&srv, st, r, fam);
	conv_init(c, st, &cli, eph_port(st, d), &srv, r->port, 6, GEN_APP_TLS, r->name);
	tls_script_build(&tls_scratch, st, d, r->name, nreq, req_len, resp_len);
	return gen_tcp_exchange(site_sink(st), c, t, tls_scratch.msgs, tls_scratch.n, close);
}

uint64_t tls_session(struct site *st, struct device *d, int cl, uint64_t t, int nreq,
		     size_t req_len, size_t resp_len)
{
	struct gen_conv c;
	uint32_t pick = gen_rng_below(&st->rng, 100);
	enum gen_close close = pick < 60 ? GEN_CLOSE_CLIENT : pick < 88 ? GEN_CLOSE_SERVER :
									   GEN_CLOSE_RST;

	return tls_connect(st, d, cl, t, &c, nreq, req_len, resp_len, close);
}

/* ------------------------------------------------------------ HTTP */

void http_date(char *buf, size_t len, uint64_t ts_us)
{
	time_t s = (time_t)(ts_us / SEC);
	struct tm tm;

	gmtime_r(&s, &tm);
	strftime(buf, len, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

struct http_def {
	int cl;
	const char *request; /* "@" stands for the Host */
	const char *status, *headers, *body;
	enum gen_close close;
};

static const struct http_def http_defs[] = {
	{ CL_CAPTIVE, "GET /hotspot-detect.html HTTP/1.0\r\nHost: @\r\nConnection: close\r\n"
		"User-Agent: CaptiveNetworkSupport-481.0.2 wispr\r\n\r\n",
	  "HTTP/1.0 200 OK", "Content-Type: text/html\r\n",
	  "<HTML><HEAD><TITLE>Success</TITLE></HEAD><BODY>Success</BODY></HTML>", GEN_CLOSE_SERVER },
	{ CL_NCSI, "GET /connecttest.txt HTTP/1.1\r\nConnection: Close\r\n"
		"User-Agent: Microsoft NCSI\r\nHost: @\r\n\r\n",
	  "HTTP/1.1 200 OK", "Cache-Control: max-age=30,must-revalidate\r\nContent-Type: text/plain\r\n",
	  "Microsoft Connect Test", GEN_CLOSE_SERVER },
	{ CL_NCSI6, "GET /connecttest.txt HTTP/1.1\r\nConnection: Close\r\n"
		"User-Agent: Microsoft NCSI\r\nHost: @\r\n\r\n",
	  "HTTP/1.1 200 OK", "Cache-Control: max-age=30,must-revalidate\r\nContent-Type: text/plain\r\n",
	  "Microsoft Connect Test", GEN_CLOSE_SERVER },
	{ CL_GSTATIC, "GET /generate_204 HTTP/1.1\r\nHost: @\r\n"
		"User-Agent: Mozilla/5.0 (Linux; Android 9; Build/PQ3A) AppleWebKit/537.36 (KHTML, "
		"like Gecko) Chrome/120.0.0.0 Safari/537.36 CrKey/1.56.500000 DeviceType/AudioAssistant"
		"\r\nConnection: Keep-Alive\r\nAccept-Encoding: gzip\r\n\r\n",
	  "HTTP/1.1 204 No Content", "Cross-Origin-Resource-Policy: cross-origin\r\n", "",
	  GEN_CLOSE_CLIENT },
	{ CL_HPFW, "GET /pub/softlib/software13/printers/OJP9010/fw_update.xml HTTP/1.1\r\n"
		"Host: @\r\nUser-Agent: HP-ChaiSOE/1.0\r\nAccept: */*\r\n\r\n",
	  "HTTP/1.1 200 OK", "Content-Type: text/xml\r\nETag: \"5e3-61a9f0c3b2e80\"\r\n",
	  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<fwupdate><product>OfficeJet Pro 9010"
	  "</product><version>2402A</version><url>http://h10089.www1.hp.com/pub/softlib/"
	  "software13/printers/OJP9010/OJP9010_2402A.ful2</url><size>61433856</size>"
	  "<critical>false</critical></fwupdate>\n", GEN_CLOSE_CLIENT },
};

static size_t http_response(uint8_t *out, size_t cap, const char *status, const char *headers,
			    const char *body, size_t body_len, uint64_t ts_us, bool close)
{
	char date[64];
	struct gen_buf b;

	http_date(date, sizeof(date), ts_us);
	gen_buf_init(&b, out, cap);
	gen_putf(&b, "%s\r\nDate: %s\r\n%sContent-Length: %zu\r\n%s\r\n", status, date, headers,
		 body_len, close ? "Connection: close\r\n" : "");
	gen_putn(&b, body, body_len);
	return gen_buf_done(&b);
}

uint64_t http_get(struct site *st, struct device *d, int cl, uint64_t t)
{
	const struct http_def *h = NULL;
	uint8_t req[1024], resp[2048];
	struct gen_buf b;
	struct gen_conv c;

	for (size_t i = 0; i < sizeof(http_defs) / sizeof(http_defs[0]); i++)
		if (http_defs[i].cl == cl)
			h = &http_defs[i];
	if (!h)
		return t;
	t = dns_lookup(st, d, cl, t) + 250;
	cloud_conv(&c, st, d, cl, t, 6, GEN_APP_HTTP, home_cloud(cl)->name);
	gen_buf_init(&b, req, sizeof(req));
	for (const char *p = h->request; *p; p++) {
		if (*p == '@')
			gen_putstr(&b, home_cloud(cl)->name);
		else
			gen_put8(&b, (uint8_t)*p);
	}
	struct gen_msg msgs[2] = {
		{ 0, 120, req, gen_buf_done(&b) },
		{ 1, 300 + gen_rng_below(&st->rng, 3000), resp,
		  http_response(resp, sizeof(resp), h->status, h->headers, h->body, strlen(h->body),
				t + c.delay_us[1], h->close == GEN_CLOSE_SERVER) },
	};
	return gen_tcp_exchange(site_sink(st), &c, t, msgs, 2, h->close);
}

/* Home Assistant polls the Hue bridge's local REST API. */
uint64_t hue_poll(struct site *st, struct device *hass, uint64_t t)
{
	static const char *const names[] = { "Kitchen", "Living room", "Hallway", "Porch" };
	struct device *hue = &st->dev[DEV_HUE];
	uint8_t req[512], body[4096], resp[4600];
	struct gen_buf b, j;
	struct peer cli, srv;
	struct gen_conv c;

	peer_dev(&cli, st, hass, GEN_AF_INET, false);
	peer_dev(&srv, st, hue, GEN_AF_INET, false);
	conv_init(&c, st, &cli, eph_port(st, hass), &srv, 80, 6, GEN_APP_HTTP, st->hue_host);
	gen_buf_init(&b, req, sizeof(req));
	gen_putf(&b, "GET /api/Ks9Qm2xVbL7rT0pWc4YhZ8nE1aJdFgU3/lights HTTP/1.1\r\nHost: %s\r\n"
		 "User-Agent: HomeAssistant/2026.2.3 aiohttp/3.11.11 Python/3.13\r\n"
		 "Accept: */*\r\nAccept-Encoding: gzip, deflate\r\n\r\n", st->hue_host);
	gen_buf_init(&j, body, sizeof(body));
	gen_putstr(&j, "{");
	for (int i = 0; i < 4; i++) {
		/* One draw per statement: argument order is unspecified. */
		const char *on = gen_rng_below(&st->rng, 2) ? "true" : "false";
		unsigned bri = 1 + gen_rng_below(&st->rng, 254);
		unsigned hue_val = gen_rng_below(&st->rng, 65535);
		unsigned sat = gen_rng_below(&st->rng, 254);

		gen_putf(&j, "%s\"%d\":{\"state\":{\"on\":%s,\"bri\":%u,\"hue\":%u,\"sat\":%u,"
			 "\"effect\":\"none\",\"xy\":[0.4573,0.41],\"ct\":366,\"alert\":\"select\","
			 "\"colormode\":\"ct\",\"mode\":\"homeautomation\",\"reachable\":true},"
			 "\"type\":\"Extended color light\",\"name\":\"%s\",\"modelid\":\"LCA001\","
			 "\"manufacturername\":\"Signify Netherlands B.V.\",\"productname\":\"Hue color "
			 "lamp\",\"uniqueid\":\"00:17:88:01:08:6d:%02x:1c-0b\",\"swversion\":"
			 "\"1.104.2\"}", i ? "," : "", i + 1, on, bri, hue_val, sat, names[i], 0x20 + i);
	}
	gen_putstr(&j, "}");
	struct gen_msg msgs[2] = {
		{ 0, 100, req, gen_buf_done(&b) },
		{ 1, 8000 + gen_rng_below(&st->rng, 20000), resp,
		  http_response(resp, sizeof(resp), "HTTP/1.1 200 OK",
				"Cache-Control: no-store, no-cache, must-revalidate, post-check=0, "
				"pre-check=0\r\nPragma: no-cache\r\nContent-type: application/json\r\n",
				(const char *)body, gen_buf_done(&j), t, true) },
	};
	return gen_tcp_exchange(site_sink(st), &c, t, msgs, 2, GEN_CLOSE_SERVER);
}

/* ------------------------------------------------------------ NTP */

#define NTP_UNIX_OFFSET 2208988800ULL

void ntp_put_time(struct gen_buf *b, uint64_t ts_us)
{
	gen_put32(b, (uint32_t)(ts_us / SEC + NTP_UNIX_OFFSET));
	gen_put32(b, (uint32_t)(((ts_us % SEC) << 32) / SEC));
}

/* SNTP exchange; fixed_port 123 for Windows' w32time, else ephemeral. */
uint64_t ntp_sync(struct site *st, struct device *d, int cl, uint64_t t, bool fixed_port)
{
	uint8_t q[48], r[48];
	struct gen_buf b;
	struct gen_conv c;
	bool win = d->def->tcp == TCP_WINDOWS;

	t = dns_lookup(st, d, cl, t) + 400;
	cloud_conv(&c, st, d, cl, t, 17, GEN_APP_NTP, NULL);
	if (fixed_port)
		c.port[0] = 123;
	gen_buf_init(&b, q, sizeof(q));
	gen_put8(&b, win ? 0x1b : 0x23); /* LI 0, version 3 / 4, mode 3 (client) */
	gen_put8(&b, 0);
	gen_put8(&b, win ? 10 : 6);
	gen_put8(&b, 0xe9);
	gen_put32(&b, 0);
	gen_put32(&b, win ? 0x00010000 : 0);
	gen_put32(&b, 0);
	gen_putn(&b, (const uint8_t[24]){ 0 }, 24);
	ntp_put_time(&b, t);
	gen_udp(site_sink(st), &c, 0, t, q, gen_buf_done(&b));
	uint64_t tr = t + c.delay_us[1];
	gen_buf_init(&b, r, sizeof(r));
	gen_put8(&b, win ? 0x1c : 0x24); /* mode 4 (server) */
	gen_put8(&b, cl == CL_NTPGOOG ? 1 : 2);
	gen_put8(&b, win ? 10 : 6);
	gen_put8(&b, 0xe7);
	gen_put32(&b, cl == CL_NTPGOOG ? 0 : 0x00000c1e);
	gen_put32(&b, cl == CL_NTPGOOG ? 0x00000002 : 0x00001f3a);
	gen_put32(&b, cl == CL_NTPGOOG ? 0x474f4f47 /* GOOG */ : 0xc0000201);
	ntp_put_time(&b, tr - 9 * SEC);
	ntp_put_time(&b, t);
	ntp_put_time(&b, tr - c.delay_us[1] / 2);
	ntp_put_time(&b, tr - c.delay_us[1] / 2 + 40);
	gen_udp(site_sink(st), &c, 1, tr, r, gen_buf_done(&b));
	return tr;
}
