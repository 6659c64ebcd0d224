/*
 * gen-attack-conn.c - the attacks made of connections: telnet brute
 * force, a C2 beacon, a DNS tunnel, a bulk exfiltration and a bind shell
 * on a new port.
 */
#include "gen-attack-private.h"

#include <stdio.h>
#include <string.h>

#include "gen-bytes.h"
#include "gen-cloud.h"
#include "gen-dns.h"
#include "gen-rng.h"
#include "gen-tls.h"
#include "gen-truth.h"

static void random_chars(struct gen_rng *rng, char *out, size_t n, const char *alphabet)
{
	size_t k = strlen(alphabet);

	for (size_t i = 0; i < n; i++)
		out[i] = alphabet[gen_rng_below(rng, (uint32_t)k)];
	out[n] = '\0';
}

/* ------------------------------------------------------------ telnet_bruteforce */

/*
 * Mirai's and Gafgyt's brute forcer: connect to tcp/23 of one host,
 * answer the telnet option negotiation with WONT/DONT, and at the login
 * and password prompts type a pair from a list of factory defaults
 * (these are the well-known IoT defaults such bots carry); one to three
 * pairs per connection, "Login incorrect" after each, then reconnect:
 * tens of connections a minute.  The victim is a busybox telnetd on the
 * Internet at 203.0.113.77 that echoes what is typed.
 */
static const char *const creds[][2] = {
	{ "root", "xc3511" }, { "root", "vizxv" }, { "admin", "admin" }, { "root", "admin" },
	{ "root", "888888" }, { "root", "xmhdipc" }, { "root", "default" }, { "root", "123456" },
	{ "root", "54321" }, { "support", "support" }, { "admin", "password" }, { "root", "root" },
	{ "root", "12345" }, { "user", "user" }, { "root", "pass" }, { "admin", "1234" },
	{ "root", "1111" }, { "admin", "smcadmin" }, { "root", "666666" }, { "root", "password" },
	{ "root", "klv123" }, { "service", "service" }, { "guest", "guest" }, { "ubnt", "ubnt" },
};

#define NCREDS (sizeof(creds) / sizeof(creds[0]))
#define TELNET_MSGS 16

uint64_t telnet_bruteforce_step(struct attack_run *run, uint64_t t)
{
	/* IAC DO ECHO, IAC DO NAWS, IAC WILL ECHO, IAC WILL SGA; and the bot's refusals. */
	static const uint8_t iac_srv[12] = { 255, 253, 1, 255, 253, 31, 255, 251, 1, 255, 251, 3 };
	static const uint8_t iac_cli[12] = { 255, 252, 1, 255, 252, 31, 255, 254, 1, 255, 254, 3 };
	static const char prompt[] = "\r\n\r\n(none) login: ";
	static const char incorrect[] = "\r\nLogin incorrect\r\n(none) login: ";
	static char text[TELNET_MSGS][64];
	struct site *st = run->st;
	struct gen_rng *rng = &st->rng;
	struct device *d = attack_device(run);
	struct gen_msg msgs[TELNET_MSGS];
	struct peer cli, srv;
	struct gen_conv c;
	unsigned pairs = 1 + gen_rng_below(rng, 3);
	size_t n = 0;

	if (t >= run->end_us)
		return NEVER;
	peer_dev(&cli, st, d, GEN_AF_INET, false);
	attack_peer_external(&srv, st, 0xcb00714d, 150, 47, TCP_LINUX);
	conv_init(&c, st, &cli, eph_port(st, d), &srv, 23, 6, GEN_APP_NONE, NULL);
	msgs[n++] = (struct gen_msg){ 1, 2000 + gen_rng_below(rng, 20000), iac_srv, sizeof(iac_srv) };
	msgs[n++] = (struct gen_msg){ 0, 300, iac_cli, sizeof(iac_cli) };
	msgs[n++] = (struct gen_msg){ 1, 3000, (const uint8_t *)prompt, sizeof(prompt) - 1 };
	for (unsigned i = 0; i < pairs; i++) {
		const char *const *pair = creds[run->u.telnet.tries++ % NCREDS];
		char *user = text[n], *echo = text[n + 1], *pass = text[n + 2];

		snprintf(user, sizeof(text[0]), "%s\r\n", pair[0]);
		/* The server echoes the name (it said WILL ECHO), then asks. */
		snprintf(echo, sizeof(text[0]), "%s\r\nPassword: ", pair[0]);
		snprintf(pass, sizeof(text[0]), "%s\r\n", pair[1]);
		msgs[n++] = (struct gen_msg){ 0, 20000 + gen_rng_below(rng, 60000), (const uint8_t *)user,
					      strlen(user) };
		msgs[n++] = (struct gen_msg){ 1, 2000, (const uint8_t *)echo, strlen(echo) };
		msgs[n++] = (struct gen_msg){ 0, 20000 + gen_rng_below(rng, 60000), (const uint8_t *)pass,
					      strlen(pass) };
		/* login(1) sleeps before it says no. */
		msgs[n++] = (struct gen_msg){ 1, (uint32_t)(1500 * MS + gen_rng_below(rng, 1500 * MS)),
					      (const uint8_t *)incorrect, sizeof(incorrect) - 1 };
	}
	gen_tcp_exchange(site_sink(st), &c, t, msgs, n, GEN_CLOSE_CLIENT);
	return t + 1500 * MS + gen_rng_below(rng, 1500 * MS);
}

/* ------------------------------------------------------------ c2_beacon */

/*
 * A bot checking in with its command server, as Cobalt Strike's HTTPS
 * beacon or IoT bots' TLS C2 do: a name from a domain generation
 * algorithm (14 random characters under .top), looked up first and again
 * when its 300 s TTL ends; then every 30 +- 1 s a short TLS session to
 * 198.51.100.213:443 (never contacted otherwise), one small request and
 * a small answer, closed by the bot.
 */
static char c2_name[32]; /* outlives the frames that point at it */

uint64_t c2_beacon_step(struct attack_run *run, uint64_t t)
{
	struct site *st = run->st;
	struct device *d = attack_device(run);
	struct remote *r = &run->u.c2.r;
	struct gen_conv c;

	if (run->steps == 0) {
		char label[16];

		random_chars(&st->rng, label, 14, "abcdefghijklmnopqrstuvwxyz0123456789");
		snprintf(c2_name, sizeof(c2_name), "%s.top", label);
		*r = (struct remote){ .name = c2_name, .port = 443, .rtt_ms = 140, .ttl = 48,
				      .dns_ttl_s = 300 };
		gen_addr4(&r->addr4, 0xc63364d5);
	}
	if (t >= run->end_us)
		return NEVER;
	if (run->u.c2.dns_expiry_us <= t) {
		uint64_t asked = t;

		t = dns_resolve(st, d, r, t) + 300;
		run->u.c2.dns_expiry_us = asked + r->dns_ttl_s * SEC;
	}
	tls_connect_remote(st, d, r, t, &c, 1, 160, 120, GEN_CLOSE_CLIENT);
	return t + 29 * SEC + gen_rng_below(&st->rng, 2 * SEC);
}

/* ------------------------------------------------------------ dns_tunnel */

/*
 * A DNS tunnel (iodine, dnscat2) carrying data out through the router's
 * forwarder: from one socket, 5-10 TXT queries a second, each for 60
 * random base32 characters under t.exfil-example.com (the data), each
 * answered by the tunnel's authoritative server with a TXT record of
 * base32 text (its data), no caching (TTL 0).
 */
static char tunnel_first_name[96]; /* the flow's name; outlives its frames */

uint64_t dns_tunnel_step(struct attack_run *run, uint64_t t)
{
	static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";
	struct site *st = run->st;
	struct gen_rng *rng = &st->rng;
	struct gen_conv *c = &run->u.dns.c;
	char label[64], name[96], txt[256];
	uint8_t msg[700];
	struct gen_buf b;
	uint16_t id = (uint16_t)gen_rng_next(rng);
	size_t rd, len;

	if (t >= run->end_us)
		return NEVER;
	random_chars(rng, label, 60, b32);
	snprintf(name, sizeof(name), "%s.t.exfil-example.com", label);
	if (run->steps == 0) {
		struct device *d = attack_device(run);
		struct peer cli, srv;

		memcpy(tunnel_first_name, name, sizeof(name));
		peer_dev(&cli, st, d, GEN_AF_INET, false);
		peer_dev(&srv, st, &st->dev[DEV_ROUTER], GEN_AF_INET, false);
		conv_init(c, st, &cli, eph_port(st, d), &srv, 53, 17, GEN_APP_DNS, tunnel_first_name);
	}
	gen_buf_init(&b, msg, sizeof(msg));
	gen_dns_header(&b, id, 0x0100, 1, 0, 0, 0);
	gen_dns_question(&b, name, DNS_TXT, DNS_IN);
	len = gen_buf_done(&b);
	gen_udp(site_sink(st), c, 0, t, msg, len);
	gen_buf_init(&b, msg, sizeof(msg));
	gen_dns_header(&b, id, 0x8180, 1, 1, 0, 0);
	gen_dns_question(&b, name, DNS_TXT, DNS_IN);
	rd = gen_dns_rr(&b, NULL, 12, DNS_TXT, DNS_IN, 0);
	len = 100 + gen_rng_below(rng, 120);
	random_chars(rng, txt, len, b32);
	gen_put8(&b, (uint8_t)len);
	gen_putn(&b, txt, len);
	gen_dns_rr_end(&b, rd);
	/* The answer comes back from the tunnel's server through the forwarder. */
	gen_udp(site_sink(st), c, 1, t + 20 * MS + gen_rng_below(rng, 60 * MS), msg, gen_buf_done(&b));
	return t + 100 * MS + gen_rng_below(rng, 100 * MS);
}

/* ------------------------------------------------------------ exfiltration */

/*
 * Data theft at a home uplink's pace: the hub (a Raspberry Pi, the house's
 * storage) looks up a file-drop host never used before and pushes 50-120
 * MB (more would not fit a ~40 MB capture even sliced) over one TLS
 * connection to it in the attack's 2-3 minutes, as rclone or curl
 * uploading a tarball would.  The payload is bulk: the writer may
 * store it sliced (--slice).
 */
#define EXFIL_CHUNK 65536

uint64_t exfiltration_step(struct attack_run *run, uint64_t t)
{
	static uint8_t chunk[EXFIL_CHUNK + 512];
	struct site *st = run->st;
	struct device *d = attack_device(run);
	const struct gen_sink *sk = site_sink(st);
	struct gen_conv *c = &run->u.exfil.c;

	if (run->steps == 0) {
		struct remote *r = &run->u.exfil.r;
		uint64_t chunks;

		*r = (struct remote){ .name = "upload.filedrop-example.net", .port = 443, .rtt_ms = 35,
				      .ttl = 52, .dns_ttl_s = 300 };
		gen_addr4(&r->addr4, 0xc00002de); /* 192.0.2.222 */
		t = dns_resolve(st, d, r, t) + 300;
		t = tls_connect_remote(st, d, r, t, c, 1, 500, 200, GEN_CLOSE_NONE);
		run->u.exfil.left = 50000000 + gen_rng_below(&st->rng, 70000001);
		chunks = (run->u.exfil.left + EXFIL_CHUNK - 1) / EXFIL_CHUNK;
		run->u.exfil.chunk_us = (run->end_us - t - 2 * SEC) / chunks;
		return t + 5 * MS;
	}
	if (run->u.exfil.left > 0) {
		size_t n = run->u.exfil.left < EXFIL_CHUNK ? (size_t)run->u.exfil.left : EXFIL_CHUNK;
		size_t len = gen_tls_app_data(chunk, sizeof(chunk), n, &st->rng);
		uint64_t last;

		c->bulk = true;
		last = gen_tcp_send(sk, c, 0, t, chunk, len);
		c->bulk = false;
		gen_tcp_ack(sk, c, 1, last + c->delay_us[1]);
		run->u.exfil.left -= n;
		return t + run->u.exfil.chunk_us;
	}
	{
		uint8_t resp[256];
		size_t rl = gen_tls_app_data(resp, sizeof(resp), 120, &st->rng);

		t = gen_tcp_send(sk, c, 1, t + c->delay_us[1], resp, rl);
		gen_tcp_close(sk, c, 0, t + c->delay_us[0]);
	}
	return NEVER;
}

/* ------------------------------------------------------------ new_service */

/*
 * A bind shell (Metasploit's shell_bind_tcp on its default port 4444,
 * reachable from outside through a port mapping the malware asked the
 * router for): the Nest now accepts connections on tcp/4444 from
 * 203.0.113.66, which sends a few shell commands and reads their output,
 * three to five sessions spread over the attack.
 */
static const struct { const char *cmd, *out; } shell[] = {
	{ "id\n", "uid=0(root) gid=0(root)\n" },
	{ "uname -a\n", "Linux localhost 4.9.113 #1 SMP PREEMPT Tue Jan 9 2024 armv7l GNU/Linux\n" },
	{ "cat /proc/cpuinfo\n",
	  "processor\t: 0\nmodel name\t: ARMv7 Processor rev 4 (v7l)\nBogoMIPS\t: 48.00\n"
	  "Features\t: half thumb fastmult vfp edsp neon vfpv3 tls vfpv4 idiva idivt vfpd32 lpae\n"
	  "CPU implementer\t: 0x41\nCPU architecture: 7\nCPU variant\t: 0x0\nCPU part\t: 0xc07\n\n"
	  "processor\t: 1\nmodel name\t: ARMv7 Processor rev 4 (v7l)\nBogoMIPS\t: 48.00\n"
	  "Hardware\t: Generic DT based system\nRevision\t: 0000\nSerial\t\t: 0000000000000000\n" },
	{ "ls -la /data\n",
	  "drwxrwx--x  9 1000 1000 4096 Mar  1 22:14 .\ndrwxr-xr-x 17 0 0 4096 Jan  1  1970 ..\n"
	  "drwx------  3 1000 1000 4096 Mar  1 22:14 chrome\ndrwx------  2 1000 1000 4096 Feb 11 "
	  "06:02 log\n-rw-------  1 1000 1000 1318 Mar  1 22:14 wifi.conf\n" },
	{ "cat /etc/passwd\n", "root:x:0:0:root:/root:/bin/sh\nsystem:x:1000:1000::/data:/bin/false\n" },
	{ "ps\n",
	  "  PID USER       VSZ STAT COMMAND\n    1 root      2320 S    init\n  212 root     "
	  "98404 S    /system/chrome/cast_shell\n  377 root      1104 S    /tmp/.x -l 4444\n"
	  "  401 root      1100 R    ps\n" },
};

#define SHELL_CMDS (sizeof(shell) / sizeof(shell[0]))

static void shell_session(struct attack_run *run, uint64_t t)
{
	struct site *st = run->st;
	struct gen_rng *rng = &st->rng;
	struct device *d = attack_device(run);
	struct gen_msg msgs[2 * 5];
	unsigned ncmd = 3 + gen_rng_below(rng, 3);
	struct peer ext, me;
	struct gen_conv c;
	size_t n = 0;

	attack_peer_external(&ext, st, 0xcb007142, 180, 44, TCP_LINUX);
	peer_dev(&me, st, d, GEN_AF_INET, false);
	conv_init(&c, st, &ext, (uint16_t)(40000 + gen_rng_below(rng, 20000)), &me, 4444, 6,
		  GEN_APP_NONE, NULL);
	for (unsigned i = 0; i < ncmd; i++) {
		unsigned k = gen_rng_below(rng, SHELL_CMDS);

		msgs[n++] = (struct gen_msg){ 0, (uint32_t)(800 * MS + gen_rng_below(rng, 5 * SEC)),
					      (const uint8_t *)shell[k].cmd, strlen(shell[k].cmd) };
		msgs[n++] = (struct gen_msg){ 1, 2000 + gen_rng_below(rng, 30000),
					      (const uint8_t *)shell[k].out, strlen(shell[k].out) };
	}
	gen_tcp_exchange(site_sink(st), &c, t, msgs, n, GEN_CLOSE_CLIENT);
}

uint64_t new_service_step(struct attack_run *run, uint64_t t)
{
	if (run->steps == 0) {
		run->u.service.sessions_left = 3 + gen_rng_below(&run->st->rng, 3);
		run->u.service.every_us = (run->end_us - t) / run->u.service.sessions_left;
	}
	if (run->u.service.sessions_left == 0)
		return NEVER;
	run->u.service.sessions_left--;
	shell_session(run, t);
	return run->u.service.sessions_left ? t + run->u.service.every_us : NEVER;
}
