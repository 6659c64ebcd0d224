/*
 * ctl-main.c - edgewatch-ctl: an operator's view of quarantines, through
 * Redis.
 *
 *   edgewatch-ctl [--redis URL] [--redis-user U] [--stream S] [--enforcement-stream S]
 *                 quarantine list [--key-file F]
 *   edgewatch-ctl [...] quarantine release MAC --key-file F [--sensor-id ID] [--addrs A,B]
 *
 * "list" reads the request stream and the enforcement stream from the
 * start (XRANGE, in pages) and prints each device whose last request was
 * isolate or restrict, not released since, not past its expiry, and not
 * rejected or expired by the enforcer; a request no enforcer answered
 * yet is shown as pending.  With --key-file, requests whose signature
 * does not verify are ignored (and counted): without it the list shows
 * what the stream claims, which anyone who may XADD can write.
 *
 * "release" XADDs a signed release (docs/redis.md, "Quarantine
 * requests"): the device's addresses are taken from its last request in
 * the stream unless --addrs gives them, the cause is "manual" and the
 * incident id empty.
 *
 * Everything read from Redis is hostile: entries go through qreq_parse,
 * text from the enforcement stream is length-checked and printed
 * escaped, and the number of entries read is capped.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "quarantine-sign.h"
#include "util-redis-url.h"

#define CTL_DEFAULT_REDIS "redis://127.0.0.1:6379"
#define CTL_DEFAULT_STREAM "edgewatch:quarantine"
#define CTL_DEFAULT_ENF_STREAM "edgewatch:enforcement"
#define CTL_TIMEOUT_S 5
#define CTL_PAGE 500                 /* entries per XRANGE */
#define CTL_ENTRIES_MAX 2000000      /* entries read per stream; more is refused, not cut */
#define CTL_ENFORCER_ID_MAX 64       /* bytes of an enforcer_id shown */
#define CTL_STREAM_NAME_MAX 256

/* ---------------------------------------------------------------- a small string map */

struct map_slot {
	char *key; /* owned; NULL: empty */
	void *val; /* owned (malloc) */
};

struct map {
	struct map_slot *slot;
	size_t cap, n; /* cap a power of two; kept at most half full */
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a: the keys are not chosen to collide here */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static struct map_slot *map_find(struct map *m, const char *key)
{
	if (m->cap == 0)
		return NULL;
	for (size_t i = hash_str(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (m->slot[i].key == NULL)
			return &m->slot[i];
		if (strcmp(m->slot[i].key, key) == 0)
			return &m->slot[i];
	}
}

static int map_grow(struct map *m)
{
	struct map old = *m;
	size_t cap = m->cap ? m->cap * 2 : 256;

	m->slot = calloc(cap, sizeof *m->slot);
	if (m->slot == NULL) {
		*m = old;
		return -1;
	}
	m->cap = cap;
	for (size_t i = 0; i < old.cap; i++)
		if (old.slot[i].key != NULL)
			*map_find(m, old.slot[i].key) = old.slot[i];
	free(old.slot);
	return 0;
}

/* The value slot for key, created (val NULL) if absent; NULL when out of memory. */
static struct map_slot *map_put(struct map *m, const char *key)
{
	struct map_slot *s;

	if ((m->n + 1) * 2 > m->cap && map_grow(m) != 0)
		return NULL;
	s = map_find(m, key);
	if (s->key == NULL) {
		s->key = strdup(key);
		if (s->key == NULL)
			return NULL;
		s->val = NULL;
		m->n++;
	}
	return s;
}

static void map_free(struct map *m)
{
	for (size_t i = 0; i < m->cap; i++) {
		free(m->slot[i].key);
		free(m->slot[i].val);
	}
	free(m->slot);
	memset(m, 0, sizeof *m);
}

/* ---------------------------------------------------------------- Redis */

struct ctl {
	struct redis_url url;
	const char *stream, *enf_stream;
	const char *key_file, *sensor_id, *addrs;
	redisContext *c;
	struct qkey key;
	bool have_key;
};

static redisContext *ctl_connect(const struct redis_url *u)
{
	struct timeval tv = { CTL_TIMEOUT_S, 0 };
	const char *password = getenv("EDGEWATCH_REDIS_PASSWORD");
	redisContext *c = u->kind == REDIS_URL_UNIX ? redisConnectUnixWithTimeout(u->path, tv)
						    : redisConnectWithTimeout(u->host, u->port, tv);
	redisReply *rep;
	char db[16];

	if (c == NULL || c->err) {
		fprintf(stderr, "edgewatch-ctl: redis: cannot connect: %s\n",
			c ? c->errstr : "out of memory");
		redisFree(c);
		return NULL;
	}
	redisSetTimeout(c, tv);
	if (password != NULL && password[0] != '\0') {
		const char *a[3] = { "AUTH", u->user, password };

		rep = u->user[0] ? redisCommandArgv(c, 3, a, NULL)
				 : redisCommandArgv(c, 2, (const char *[]){ "AUTH", password }, NULL);
		if (rep == NULL || rep->type == REDIS_REPLY_ERROR) {
			fprintf(stderr, "edgewatch-ctl: redis: AUTH refused\n");
			freeReplyObject(rep);
			redisFree(c);
			return NULL;
		}
		freeReplyObject(rep);
	}
	if (u->db != 0) {
		snprintf(db, sizeof db, "%u", u->db);
		rep = redisCommandArgv(c, 2, (const char *[]){ "SELECT", db }, NULL);
		if (rep == NULL || rep->type == REDIS_REPLY_ERROR) {
			fprintf(stderr, "edgewatch-ctl: redis: SELECT %s refused\n", db);
			freeReplyObject(rep);
			redisFree(c);
			return NULL;
		}
		freeReplyObject(rep);
	}
	return c;
}

/* The id just after "MS-SEQ", for the next page; -1 if id is not a stream id. */
static int next_id(const char *id, size_t len, char *out, size_t outlen)
{
	char buf[48], *dash, *end;
	unsigned long long ms, seq;

	if (len == 0 || len >= sizeof buf)
		return -1;
	memcpy(buf, id, len);
	buf[len] = '\0';
	dash = strchr(buf, '-');
	if (dash == NULL || dash == buf || dash[1] == '\0')
		return -1;
	*dash = '\0';
	errno = 0;
	ms = strtoull(buf, &end, 10);
	if (errno || *end != '\0' || buf[0] == '-')
		return -1;
	seq = strtoull(dash + 1, &end, 10);
	if (errno || *end != '\0' || dash[1] == '-')
		return -1;
	if (seq == UINT64_MAX) {
		if (ms == UINT64_MAX)
			return 1; /* the last possible id: nothing after it */
		ms++;
		seq = 0;
	} else {
		seq++;
	}
	snprintf(out, outlen, "%llu-%llu", ms, seq);
	return 0;
}

typedef int (*entry_fn)(void *ctx, const char *const *str, const size_t *len, size_t n);

/*
 * Calls fn for every entry of stream, oldest first, with its field/value
 * strings.  0, or -1 after printing why (Redis error, a reply not shaped
 * like XRANGE's, more than CTL_ENTRIES_MAX entries, fn's own -1).
 */
static int scan_stream(redisContext *c, const char *stream, entry_fn fn, void *ctx)
{
	char start[48] = "-", count[16];
	size_t total = 0;

	snprintf(count, sizeof count, "%d", CTL_PAGE);
	for (;;) {
		const char *argv[6] = { "XRANGE", stream, start, "+", "COUNT", count };
		redisReply *rep = redisCommandArgv(c, 6, argv, NULL);
		int rc = 0;

		if (rep == NULL || rep->type != REDIS_REPLY_ARRAY) {
			fprintf(stderr, "edgewatch-ctl: XRANGE %s: %s\n", stream,
				rep == NULL ? c->errstr
					    : rep->type == REDIS_REPLY_ERROR ? rep->str : "not an array");
			freeReplyObject(rep);
			return -1;
		}
		for (size_t i = 0; i < rep->elements && rc == 0; i++) {
			const redisReply *e = rep->element[i], *f;
			const char *str[2 * QF_COUNT + 2];
			size_t len[2 * QF_COUNT + 2], n;

			if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 ||
			    e->element[0]->type != REDIS_REPLY_STRING ||
			    e->element[1]->type != REDIS_REPLY_ARRAY) {
				fprintf(stderr, "edgewatch-ctl: XRANGE %s: unexpected reply\n", stream);
				rc = -1;
				break;
			}
			if (++total > CTL_ENTRIES_MAX) {
				fprintf(stderr, "edgewatch-ctl: %s: more than %d entries; trim it\n",
					stream, CTL_ENTRIES_MAX);
				rc = -1;
				break;
			}
			f = e->element[1];
			/*
			 * More strings than any entry we read may hold: hand over an odd
			 * count of them, which every reader treats as malformed.
			 */
			n = f->elements < sizeof str / sizeof str[0] ? f->elements
								     : sizeof str / sizeof str[0] - 1;
			for (size_t j = 0; j < n; j++) {
				bool s = f->element[j]->type == REDIS_REPLY_STRING;

				str[j] = s ? f->element[j]->str : NULL;
				len[j] = s ? f->element[j]->len : 0;
			}
			rc = fn(ctx, str, len, n);
			if (rc == 0 && i + 1 == rep->elements &&
			    next_id(e->element[0]->str, e->element[0]->len, start, sizeof start) != 0)
				rc = 1;
		}
		bool more = rep->elements == CTL_PAGE;

		freeReplyObject(rep);
		if (rc < 0)
			return -1;
		if (rc > 0 || !more)
			return 0;
	}
}

/* ---------------------------------------------------------------- list */

struct outcome {
	int outcome; /* enum qreq_outcome */
	char enforcer[CTL_ENFORCER_ID_MAX * 4 + 1]; /* escaped */
};

struct device_state {
	bool quarantined;
	char mac[QREQ_MAC_LEN + 1];
	char addrs[QREQ_ADDRS_MAX + 1];
	char request_id[QREQ_REQUEST_ID_HEX + 1];
	char sensor_id[QREQ_SENSOR_ID_MAX + 1];
	uint8_t action;
	uint64_t expires_us;
};

struct list_run {
	struct ctl *ctl;
	struct map outcomes; /* request_id -> struct outcome */
	struct map devices;  /* mac, or addrs for a device without one -> struct device_state */
	uint64_t malformed, unverified, enf_malformed;
};

/* Printable ASCII of at most max bytes of s (n), other bytes as \xNN. */
static void escape(char *out, size_t outlen, const char *s, size_t n, size_t max)
{
	size_t at = 0;

	for (size_t i = 0; i < n && i < max && at + 5 < outlen; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch >= 0x21 && ch < 0x7f && ch != '\\')
			out[at++] = (char)ch;
		else
			at += (size_t)snprintf(out + at, outlen - at, "\\x%02x", ch);
	}
	out[at] = '\0';
}

static int on_outcome(void *ctx, const char *const *str, const size_t *len, size_t n)
{
	struct list_run *lr = ctx;
	const char *rid = NULL, *enf = "";
	size_t rid_len = 0, enf_len = 0;
	int outcome = -1;
	struct map_slot *s;
	struct outcome *o;
	char key[QREQ_REQUEST_ID_HEX + 1];

	for (size_t i = 0; i + 1 < n; i += 2) {
		if (str[i] == NULL || str[i + 1] == NULL)
			continue;
		if (len[i] == 10 && memcmp(str[i], "request_id", 10) == 0) {
			rid = str[i + 1];
			rid_len = len[i + 1];
		} else if (len[i] == 11 && memcmp(str[i], "enforcer_id", 11) == 0) {
			enf = str[i + 1];
			enf_len = len[i + 1];
		} else if (len[i] == 7 && memcmp(str[i], "outcome", 7) == 0) {
			outcome = qreq_outcome_from_name(str[i + 1], len[i + 1]);
		}
	}
	if (rid == NULL || rid_len != QREQ_REQUEST_ID_HEX || outcome < 0 ||
	    strspn(rid, "0123456789abcdef") < QREQ_REQUEST_ID_HEX) {
		lr->enf_malformed++;
		return 0;
	}
	memcpy(key, rid, QREQ_REQUEST_ID_HEX);
	key[QREQ_REQUEST_ID_HEX] = '\0';
	s = map_put(&lr->outcomes, key);
	if (s == NULL || (s->val == NULL && (s->val = malloc(sizeof *o)) == NULL)) {
		fprintf(stderr, "edgewatch-ctl: out of memory\n");
		return -1;
	}
	o = s->val;
	o->outcome = outcome; /* the last report for a request wins */
	escape(o->enforcer, sizeof o->enforcer, enf, enf_len, CTL_ENFORCER_ID_MAX);
	return 0;
}

static const struct outcome *outcome_of(struct list_run *lr, const char *request_id)
{
	struct map_slot *s = map_find(&lr->outcomes, request_id);

	return s != NULL && s->key != NULL ? s->val : NULL;
}

static int on_request(void *ctx, const char *const *str, const size_t *len, size_t n)
{
	struct list_run *lr = ctx;
	struct qreq r;
	char err[160];
	const struct outcome *o;
	struct map_slot *s;
	struct device_state *d;

	if (qreq_parse(str, len, n, &r, err, sizeof err) != QREQ_REJ_NONE) {
		lr->malformed++;
		return 0;
	}
	if (lr->ctl->have_key && !qreq_verify_sig(&r, &lr->ctl->key)) {
		lr->unverified++;
		return 0;
	}
	o = outcome_of(lr, r.request_id);
	/* A request an enforcer refused changes nothing; nor does a refused release. */
	if (o != NULL && o->outcome == QREQ_OUT_REJECTED)
		return 0;
	s = map_put(&lr->devices, r.mac[0] ? r.mac : r.addrs);
	if (s == NULL || (s->val == NULL && (s->val = calloc(1, sizeof *d)) == NULL)) {
		fprintf(stderr, "edgewatch-ctl: out of memory\n");
		return -1;
	}
	d = s->val;
	if (r.action == QREQ_RELEASE) {
		d->quarantined = false;
		return 0;
	}
	d->quarantined = o == NULL || o->outcome == QREQ_OUT_APPLIED || o->outcome == QREQ_OUT_ALREADY;
	memcpy(d->mac, r.mac, sizeof d->mac);
	memcpy(d->addrs, r.addrs, sizeof d->addrs);
	memcpy(d->request_id, r.request_id, sizeof d->request_id);
	memcpy(d->sensor_id, r.sensor_id, sizeof d->sensor_id);
	d->action = r.action;
	d->expires_us = r.expires_us;
	return 0;
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * EW_USEC_PER_SEC + (uint64_t)ts.tv_nsec / 1000;
}

static int cmp_devices(const void *a, const void *b)
{
	const struct device_state *x = *(const struct device_state *const *)a;
	const struct device_state *y = *(const struct device_state *const *)b;
	int c = strcmp(x->mac, y->mac);

	return c != 0 ? c : strcmp(x->addrs, y->addrs);
}

static int cmd_list(struct ctl *ctl)
{
	struct list_run lr = { .ctl = ctl };
	const struct device_state **show = NULL;
	size_t nshow = 0;
	uint64_t now = now_us();
	int rc = 1;

	if (scan_stream(ctl->c, ctl->enf_stream, on_outcome, &lr) != 0 ||
	    scan_stream(ctl->c, ctl->stream, on_request, &lr) != 0)
		goto out;
	show = calloc(lr.devices.n + 1, sizeof *show);
	if (show == NULL)
		goto out;
	for (size_t i = 0; i < lr.devices.cap; i++) {
		const struct device_state *d = lr.devices.slot[i].val;

		if (d != NULL && d->quarantined && d->expires_us > now)
			show[nshow++] = d;
	}
	qsort(show, nshow, sizeof *show, cmp_devices);
	printf("%-17s  %-7s  %-20s  %-32s  %-16s  %s\n", "mac", "action", "expires (UTC)",
	       "request_id", "outcome", "addrs");
	for (size_t i = 0; i < nshow; i++) {
		const struct device_state *d = show[i];
		const struct outcome *o = outcome_of(&lr, d->request_id);
		time_t t = (time_t)(d->expires_us / EW_USEC_PER_SEC);
		struct tm tm;
		char when[32], outcome[CTL_ENFORCER_ID_MAX * 4 + 24];

		gmtime_r(&t, &tm);
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
		if (o == NULL)
			snprintf(outcome, sizeof outcome, "pending");
		else
			snprintf(outcome, sizeof outcome, "%s%s%s", qreq_outcome_name(o->outcome),
				 o->enforcer[0] ? " by " : "", o->enforcer);
		printf("%-17s  %-7s  %-20s  %-32s  %-16s  %s\n", d->mac[0] ? d->mac : "-",
		       qreq_action_name((enum qreq_action)d->action), when, d->request_id, outcome,
		       d->addrs);
	}
	printf("%zu device%s quarantined", nshow, nshow == 1 ? "" : "s");
	if (lr.malformed || lr.unverified || lr.enf_malformed)
		printf(" (ignored: %" PRIu64 " malformed requests, %" PRIu64
		       " with a bad signature, %" PRIu64 " malformed outcomes)",
		       lr.malformed, lr.unverified, lr.enf_malformed);
	printf("\n");
	rc = 0;
out:
	free(show);
	map_free(&lr.outcomes);
	map_free(&lr.devices);
	return rc;
}

/* ---------------------------------------------------------------- release */

struct find_run {
	const char *mac;
	char addrs[QREQ_ADDRS_MAX + 1]; /* of the device's last isolate/restrict request */
};

static int on_find(void *ctx, const char *const *str, const size_t *len, size_t n)
{
	struct find_run *fr = ctx;
	struct qreq r;
	char err[160];

	if (qreq_parse(str, len, n, &r, err, sizeof err) == QREQ_REJ_NONE &&
	    r.action != QREQ_RELEASE && strcmp(r.mac, fr->mac) == 0)
		memcpy(fr->addrs, r.addrs, sizeof fr->addrs);
	return 0;
}

/* A MAC as typed ("AA-BB-..." or "aa:bb:...") in the contract's form; -1 if it is not one. */
static int normalise_mac(const char *in, char out[QREQ_MAC_LEN + 1])
{
	if (strlen(in) != QREQ_MAC_LEN)
		return -1;
	for (int i = 0; i < QREQ_MAC_LEN; i++) {
		char c = in[i];

		if (i % 3 == 2)
			c = (c == '-' || c == ':') ? ':' : 'x';
		else if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		out[i] = c;
	}
	out[QREQ_MAC_LEN] = '\0';
	return qreq_mac_valid(out, QREQ_MAC_LEN) ? 0 : -1;
}

static int cmd_release(struct ctl *ctl, const char *mac_text)
{
	struct qreq r;
	struct qreq_argv av;
	struct find_run fr;
	uint8_t rnd[16];
	char err[256], host[256];
	const char *argv[3 + 2 * QF_COUNT];
	size_t argvlen[3 + 2 * QF_COUNT];
	redisReply *rep;

	memset(&r, 0, sizeof r);
	if (normalise_mac(mac_text, r.mac) != 0) {
		fprintf(stderr, "edgewatch-ctl: \"%.40s\" is not a MAC (aa:bb:cc:dd:ee:ff)\n",
			mac_text);
		return 2;
	}
	if (ctl->addrs != NULL) {
		snprintf(r.addrs, sizeof r.addrs, "%s", ctl->addrs);
	} else {
		fr.mac = r.mac;
		fr.addrs[0] = '\0';
		if (scan_stream(ctl->c, ctl->stream, on_find, &fr) != 0)
			return 1;
		if (fr.addrs[0] == '\0') {
			fprintf(stderr, "edgewatch-ctl: no request for %s in %s: give its addresses "
				"with --addrs\n", r.mac, ctl->stream);
			return 1;
		}
		memcpy(r.addrs, fr.addrs, sizeof r.addrs);
	}
	if (ctl->sensor_id != NULL) {
		snprintf(r.sensor_id, sizeof r.sensor_id, "%s", ctl->sensor_id);
	} else {
		if (gethostname(host, sizeof host) != 0)
			host[0] = '\0';
		host[sizeof host - 1] = '\0';
		snprintf(r.sensor_id, sizeof r.sensor_id, "%s", host);
	}
	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd) {
		fprintf(stderr, "edgewatch-ctl: getrandom: %s\n", strerror(errno));
		return 1;
	}
	for (int i = 0; i < 16; i++)
		snprintf(r.request_id + 2 * i, 3, "%02x", rnd[i]);
	r.action = QREQ_RELEASE;
	snprintf(r.reason, sizeof r.reason, "manual release by edgewatch-ctl");
	snprintf(r.cause, sizeof r.cause, "manual");
	r.issued_us = r.expires_us = now_us();
	if (qreq_sign(&r, &ctl->key, err, sizeof err) != 0) {
		fprintf(stderr, "edgewatch-ctl: release not made: %s%s\n", err,
			strncmp(err, "sensor_id", 9) == 0 ? " (give --sensor-id)" : "");
		return 1;
	}
	qreq_to_argv(&r, &av);
	argv[0] = "XADD";
	argv[1] = ctl->stream;
	argv[2] = "*";
	for (int i = 0; i < 3; i++)
		argvlen[i] = strlen(argv[i]);
	for (int i = 0; i < 2 * QF_COUNT; i++) {
		argv[3 + i] = av.argv[i];
		argvlen[3 + i] = av.len[i];
	}
	rep = redisCommandArgv(ctl->c, 3 + 2 * QF_COUNT, argv, argvlen);
	if (rep == NULL || rep->type != REDIS_REPLY_STRING) {
		fprintf(stderr, "edgewatch-ctl: XADD %s: %s\n", ctl->stream,
			rep == NULL ? ctl->c->errstr
				    : rep->type == REDIS_REPLY_ERROR ? rep->str : "unexpected reply");
		freeReplyObject(rep);
		return 1;
	}
	printf("release of %s sent: request %s, entry %s\n", r.mac, r.request_id, rep->str);
	freeReplyObject(rep);
	return 0;
}

/* ---------------------------------------------------------------- main */

static void usage(FILE *fp)
{
	fprintf(fp,
		"usage: edgewatch-ctl [options] quarantine list [--key-file F]\n"
		"       edgewatch-ctl [options] quarantine release MAC --key-file F "
		"[--sensor-id ID] [--addrs A,B]\n"
		"options:\n"
		"  --redis URL               redis://[user@]host[:port][/db] or unix:///path ("
		CTL_DEFAULT_REDIS ")\n"
		"  --redis-user NAME         the Redis ACL user (default: the URL's)\n"
		"  --stream S                request stream (" CTL_DEFAULT_STREAM ")\n"
		"  --enforcement-stream S    outcome stream (" CTL_DEFAULT_ENF_STREAM ")\n"
		"  --key-file F              the signing key (list: show only requests it verifies)\n"
		"  --sensor-id ID            the release's sensor_id (default: the host name)\n"
		"  --addrs A,B               the device's addresses (default: from its last request)\n"
		"The Redis password, if any, comes from EDGEWATCH_REDIS_PASSWORD.\n");
}

static bool stream_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > CTL_STREAM_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] == 0x7f)
			return false;
	return true;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "redis", required_argument, NULL, 'r' },
		{ "redis-user", required_argument, NULL, 'u' },
		{ "stream", required_argument, NULL, 's' },
		{ "enforcement-stream", required_argument, NULL, 'e' },
		{ "key-file", required_argument, NULL, 'k' },
		{ "sensor-id", required_argument, NULL, 'i' },
		{ "addrs", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl ctl = { .stream = CTL_DEFAULT_STREAM, .enf_stream = CTL_DEFAULT_ENF_STREAM };
	const char *url = CTL_DEFAULT_REDIS, *user = NULL;
	char err[256];
	bool list;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'r': url = optarg; break;
		case 'u': user = optarg; break;
		case 's': ctl.stream = optarg; break;
		case 'e': ctl.enf_stream = optarg; break;
		case 'k': ctl.key_file = optarg; break;
		case 'i': ctl.sensor_id = optarg; break;
		case 'a': ctl.addrs = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 2 || strcmp(argv[0], "quarantine") != 0 ||
	    !((list = strcmp(argv[1], "list") == 0) ? argc == 2
						      : strcmp(argv[1], "release") == 0 && argc == 3)) {
		usage(stderr);
		return 2;
	}
	if (!stream_name_ok(ctl.stream) || !stream_name_ok(ctl.enf_stream)) {
		fprintf(stderr, "edgewatch-ctl: a stream name is 1..%d bytes without spaces\n",
			CTL_STREAM_NAME_MAX);
		return 2;
	}
	if (!list && ctl.key_file == NULL) {
		fprintf(stderr, "edgewatch-ctl: quarantine release needs --key-file\n");
		return 2;
	}
	if (redis_url_parse(url, &ctl.url, err, sizeof err) != 0) {
		fprintf(stderr, "edgewatch-ctl: %s\n", err);
		return 2;
	}
	if (user != NULL) {
		if (user[0] == '\0' || strlen(user) > REDIS_URL_USER_MAX) {
			fprintf(stderr, "edgewatch-ctl: --redis-user: 1..%d bytes\n",
				REDIS_URL_USER_MAX);
			return 2;
		}
		memcpy(ctl.url.user, user, strlen(user) + 1);
	}
	if (ctl.key_file != NULL) {
		if (qkey_read_file(ctl.key_file, &ctl.key, err, sizeof err) != 0) {
			fprintf(stderr, "edgewatch-ctl: %s\n", err);
			return 1;
		}
		ctl.have_key = true;
	}
	ctl.c = ctl_connect(&ctl.url);
	if (ctl.c == NULL) {
		qkey_wipe(&ctl.key);
		return 1;
	}
	rc = list ? cmd_list(&ctl) : cmd_release(&ctl, argv[2]);
	redisFree(ctl.c);
	qkey_wipe(&ctl.key);
	return rc;
}
