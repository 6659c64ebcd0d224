/*
 * enforcer-main.c - edgewatch-enforcer, the reference enforcement point:
 * reads signed quarantine requests from a Redis stream with a consumer
 * group, applies them to an nftables table it owns and reports each
 * outcome to the enforcement stream (docs/enforcer.md).
 *
 * This file is only the Redis side and the loop; what to do with a
 * request is enforce.c's, the table is enforce-nft.c's.  Delivery is at
 * least once: an entry is acknowledged (XACK) only after nft succeeded
 * and the outcome was reported, so a crash in between leaves it pending;
 * at start the enforcer takes over entries that dead consumers left
 * pending (XAUTOCLAIM) and reprocesses its own, which enforce.c answers
 * with "already".  The request ids acted on are also kept in Redis
 * ("STREAM:seen:ID", expiring with the request) so that this survives a
 * restart and is shared by every enforcer of the group.
 */
#define _GNU_SOURCE /* gethostname in unistd.h with -std=c11 */

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "enforce-nft.h"
#include "enforce.h"
#include "log.h"
#include "quarantine-sign.h"
#include "util-redis-url.h"

#define PROGNAME "edgewatch-enforcer"
#define DEFAULT_REDIS "redis://127.0.0.1:6379"
#define DEFAULT_STREAM "edgewatch:quarantine"
#define DEFAULT_REPORT_STREAM "edgewatch:enforcement"
#define DEFAULT_GROUP "edgewatch-enforcers"
#define DEFAULT_TABLE "edgewatch"
#define DEFAULT_MAX_SKEW_S 300
#define NAME_MAX_BYTES 128          /* stream, group and consumer names */
#define READ_COUNT 64               /* entries per XREADGROUP / XAUTOCLAIM */
#define BLOCK_MS 1000               /* so a signal or an expiry is seen within a second */
#define CLAIM_IDLE_MS 60000         /* a consumer silent this long is taken as dead */
#define RETRY_INTERVAL_US (5 * EW_USEC_PER_SEC) /* between retries of failed entries */
#define REPORT_MAXLEN "100000"      /* the report stream is trimmed to about this */
#define CONNECT_TIMEOUT_S 5
#define FIELDS_MAX 256              /* strings in one entry; more is malformed */

struct options {
	const char *redis_url, *redis_user, *stream, *report_stream, *group, *key_file, *table;
	char consumer[NAME_MAX_BYTES + 1];
	uint64_t max_skew_s, ttl_max_s;
	unsigned actions;
	bool once, dry_run;
};

struct run {
	const struct options *o;
	struct redis_url url;
	redisContext *c;
	struct enforcer *e;
	bool retry;        /* some entry is left pending: read our pending list again */
	uint64_t retry_at_us;
	int failures;      /* entries left pending in this run (--once exit status) */
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * EW_USEC_PER_SEC + (uint64_t)ts.tv_nsec / 1000;
}

/* ------------------------------------------------------------ Redis */

static void redis_close(struct run *r)
{
	if (r->c)
		redisFree(r->c);
	r->c = NULL;
}

/* A reply that is an error (or none: the connection failed), logged; true if so. */
static bool reply_failed(struct run *r, const redisReply *rep, const char *what)
{
	if (!rep) {
		log_warnx("redis: %s: %s", what, r->c && r->c->err ? r->c->errstr : "no reply");
		return true;
	}
	if (rep->type == REDIS_REPLY_ERROR) {
		log_warnx("redis: %s: %.*s", what, (int)(rep->len > 200 ? 200 : rep->len), rep->str);
		return true;
	}
	return false;
}

static int redis_connect(struct run *r)
{
	struct timeval tv = { CONNECT_TIMEOUT_S, 0 };
	/* Commands block up to BLOCK_MS; the timeout leaves room for that. */
	struct timeval cmd_tv = { CONNECT_TIMEOUT_S + BLOCK_MS / 1000, 0 };
	const char *password = getenv("EDGEWATCH_REDIS_PASSWORD");
	const char *user = r->o->redis_user ? r->o->redis_user : r->url.user;
	redisReply *rep;

	redis_close(r);
	if (r->url.kind == REDIS_URL_UNIX)
		r->c = redisConnectUnixWithTimeout(r->url.path, tv);
	else
		r->c = redisConnectWithTimeout(r->url.host, r->url.port, tv);
	if (!r->c || r->c->err) {
		log_warnx("redis: cannot connect: %s", r->c ? r->c->errstr : "out of memory");
		redis_close(r);
		return -1;
	}
	redisSetTimeout(r->c, cmd_tv);
	if (password && password[0]) {
		if (user[0])
			rep = redisCommand(r->c, "AUTH %s %s", user, password);
		else
			rep = redisCommand(r->c, "AUTH %s", password);
		bool bad = reply_failed(r, rep, "AUTH");
		freeReplyObject(rep);
		if (bad)
			goto fail;
	}
	if (r->url.db) {
		rep = redisCommand(r->c, "SELECT %u", r->url.db);
		bool bad = reply_failed(r, rep, "SELECT");
		freeReplyObject(rep);
		if (bad)
			goto fail;
	}
	/* The group starts at the stream's end: requests older than the group are not ours. */
	rep = redisCommand(r->c, "XGROUP CREATE %s %s $ MKSTREAM", r->o->stream, r->o->group);
	if (rep && rep->type == REDIS_REPLY_ERROR && strncmp(rep->str, "BUSYGROUP", 9) == 0) {
		freeReplyObject(rep);
		return 0;
	}
	bool bad = reply_failed(r, rep, "XGROUP CREATE");
	freeReplyObject(rep);
	return bad ? (redis_close(r), -1) : 0;
fail:
	redis_close(r);
	return -1;
}

/* The durable seen store for enforce.c: GET STREAM:seen:ID. */
static int seen_lookup(void *ctx, const char *request_id, char *entry_id, size_t len)
{
	struct run *r = ctx;
	redisReply *rep;
	int rc = -1;

	if (!r->c)
		return -1;
	rep = redisCommand(r->c, "GET %s:seen:%s", r->o->stream, request_id);
	if (reply_failed(r, rep, "GET seen")) {
		rc = -1;
	} else if (rep->type == REDIS_REPLY_NIL) {
		rc = 0;
	} else if (rep->type == REDIS_REPLY_STRING) {
		snprintf(entry_id, len, "%.*s", (int)rep->len, rep->str);
		rc = 1;
	}
	freeReplyObject(rep);
	return rc;
}

static int seen_store(struct run *r, const char *request_id, const char *entry_id,
		      uint64_t keep_until_us)
{
	/* PXAT: the key lives exactly as long as the request could be replayed. */
	redisReply *rep = redisCommand(r->c, "SET %s:seen:%s %s PXAT %llu", r->o->stream,
				       request_id, entry_id,
				       (unsigned long long)(keep_until_us / 1000 + 1));
	bool bad = reply_failed(r, rep, "SET seen");

	freeReplyObject(rep);
	return bad ? -1 : 0;
}

static int report(struct run *r, const char *request_id, enum qreq_outcome outcome,
		  enum qreq_reject detail, uint64_t at_us)
{
	char at[QREQ_U64_DEC_MAX + 1];
	/*
	 * In a dry run the outcome is what would have happened; the detail
	 * says that nothing did.
	 */
	const char *det = r->o->dry_run && outcome != QREQ_OUT_REJECTED ? "dry_run"
									 : qreq_reject_name(detail);
	const char *argv[] = {
		"XADD",       r->o->report_stream, "MAXLEN", "~",       REPORT_MAXLEN, "*",
		"v",          "1",                 "request_id", request_id, "enforcer_id",
		r->o->consumer, "outcome",         qreq_outcome_name(outcome), "detail", det,
		"at_us",      at,
	};
	size_t n = sizeof(argv) / sizeof(argv[0]);
	redisReply *rep;

	snprintf(at, sizeof(at), "%llu", (unsigned long long)at_us);
	rep = redisCommandArgv(r->c, (int)n, argv, NULL);
	bool bad = reply_failed(r, rep, "XADD report");
	freeReplyObject(rep);
	return bad ? -1 : 0;
}

static int ack(struct run *r, const char *entry_id)
{
	redisReply *rep = redisCommand(r->c, "XACK %s %s %s", r->o->stream, r->o->group, entry_id);
	bool bad = reply_failed(r, rep, "XACK");

	freeReplyObject(rep);
	return bad ? -1 : 0;
}

/* ------------------------------------------------------------ one entry */

static void leave_pending(struct run *r)
{
	r->retry = true;
	r->retry_at_us = now_us() + RETRY_INTERVAL_US;
	r->failures++;
}

/* Decides, applies, reports and acknowledges one entry [id, [f, v, ...]]. */
static void process_entry(struct run *r, const redisReply *entry)
{
	const char *str[FIELDS_MAX];
	size_t len[FIELDS_MAX], n = 0;
	struct enforce_decision d;
	char err[ENFT_ERR_MAX + 64];

	if (entry->type != REDIS_REPLY_ARRAY || entry->elements != 2 ||
	    entry->element[0]->type != REDIS_REPLY_STRING)
		return;
	const char *id = entry->element[0]->str;
	const redisReply *f = entry->element[1];
	if (f->type == REDIS_REPLY_ARRAY) {
		if (f->elements > FIELDS_MAX) {
			/* No request has this many fields: a pair that can never parse. */
			str[0] = "";
			len[0] = 0;
			str[1] = "";
			len[1] = 0;
			n = 2;
		} else {
			for (size_t i = 0; i < f->elements; i++) {
				const redisReply *x = f->element[i];
				bool s = x->type == REDIS_REPLY_STRING;
				str[n] = s ? x->str : "";
				len[n++] = s ? x->len : 0;
			}
		}
	}
	uint64_t t = now_us();
	enforce_decide(r->e, str, len, n, id, t, &d);
	if (d.verdict == ENFORCE_RETRY) {
		log_warnx("entry %s: %s; left pending", id, d.why);
		leave_pending(r);
		return;
	}
	if (d.verdict == ENFORCE_SKIP) {
		ack(r, id);
		return;
	}
	if (d.script && !r->o->dry_run &&
	    enft_run(ENFT_NFT_PATH, d.script, d.script_len, err, sizeof(err)) < 0) {
		log_warnx("entry %s request %s: %s; left pending", id, d.request_id, err);
		leave_pending(r);
		return;
	}
	if (d.script) {
		enforce_commit(r->e, !r->o->dry_run);
		if (seen_store(r, d.request_id, id, d.keep_until_us) < 0) {
			leave_pending(r);
			return;
		}
	}
	if (d.outcome == QREQ_OUT_REJECTED)
		log_warnx("entry %s request %s: rejected: %s (%s)", id,
			  d.request_id[0] ? d.request_id : "-", qreq_reject_name(d.detail), d.why);
	else
		log_info("entry %s request %s: %s%s", id, d.request_id,
			 qreq_outcome_name(d.outcome), r->o->dry_run ? " (dry run)" : "");
	if (report(r, d.request_id, d.outcome, d.detail, t) < 0 || ack(r, id) < 0)
		leave_pending(r); /* reprocessed later: "already", never applied twice */
}

/* The entries of an XREADGROUP reply: [[stream, [entry, ...]]]; how many. */
static size_t process_read(struct run *r, const redisReply *rep, char *last_id, size_t last_len)
{
	size_t n = 0;

	if (!rep || rep->type != REDIS_REPLY_ARRAY)
		return 0;
	for (size_t s = 0; s < rep->elements; s++) {
		const redisReply *st = rep->element[s];
		if (st->type != REDIS_REPLY_ARRAY || st->elements != 2 ||
		    st->element[1]->type != REDIS_REPLY_ARRAY)
			continue;
		const redisReply *entries = st->element[1];
		for (size_t i = 0; i < entries->elements && !stop_requested; i++) {
			const redisReply *en = entries->element[i];
			process_entry(r, en);
			if (last_id && en->type == REDIS_REPLY_ARRAY && en->elements >= 1 &&
			    en->element[0]->type == REDIS_REPLY_STRING)
				snprintf(last_id, last_len, "%s", en->element[0]->str);
			n++;
		}
	}
	return n;
}

/*
 * Our own pending entries, from the start: those a crash or a failure
 * left unacknowledged.  Each is read once per call (the cursor moves past
 * it even when it stays pending).
 */
static int process_pending(struct run *r)
{
	char cursor[ENFORCE_ENTRY_ID_MAX] = "0";

	r->retry = false;
	while (!stop_requested) {
		redisReply *rep = redisCommand(r->c, "XREADGROUP GROUP %s %s COUNT %d STREAMS %s %s",
					       r->o->group, r->o->consumer, READ_COUNT,
					       r->o->stream, cursor);
		if (reply_failed(r, rep, "XREADGROUP pending")) {
			freeReplyObject(rep);
			return -1;
		}
		size_t n = process_read(r, rep, cursor, sizeof(cursor));
		freeReplyObject(rep);
		if (n == 0)
			break;
	}
	return 0;
}

/* Takes over what consumers silent for CLAIM_IDLE_MS left pending. */
static int claim_dead(struct run *r)
{
	char cursor[ENFORCE_ENTRY_ID_MAX] = "0-0";
	size_t claimed = 0;

	/* Bounded: each round moves the cursor; 0-0 means the list was walked. */
	for (int round = 0; round < 10000 && !stop_requested; round++) {
		redisReply *rep = redisCommand(r->c, "XAUTOCLAIM %s %s %s %d %s COUNT %d JUSTID",
					       r->o->stream, r->o->group, r->o->consumer,
					       CLAIM_IDLE_MS, cursor, READ_COUNT);
		if (reply_failed(r, rep, "XAUTOCLAIM")) {
			freeReplyObject(rep);
			return -1;
		}
		bool done = true;
		if (rep->type == REDIS_REPLY_ARRAY && rep->elements >= 2 &&
		    rep->element[0]->type == REDIS_REPLY_STRING) {
			snprintf(cursor, sizeof(cursor), "%s", rep->element[0]->str);
			if (rep->element[1]->type == REDIS_REPLY_ARRAY)
				claimed += rep->element[1]->elements;
			done = strcmp(cursor, "0-0") == 0;
		}
		freeReplyObject(rep);
		if (done)
			break;
	}
	if (claimed)
		log_info("took over %zu pending entries from silent consumers", claimed);
	return 0;
}

static void on_expired(void *ctx, const char *request_id)
{
	struct run *r = ctx;

	log_info("request %s: expired", request_id);
	report(r, request_id, QREQ_OUT_EXPIRED, QREQ_REJ_NONE, now_us());
}

/* After (re)connecting: claim, then our own pending entries. */
static int start_session(struct run *r)
{
	if (redis_connect(r) < 0 || claim_dead(r) < 0 || process_pending(r) < 0) {
		redis_close(r);
		return -1;
	}
	return 0;
}

static int run_loop(struct run *r)
{
	while (!stop_requested) {
		if (r->c && r->c->err)
			redis_close(r);
		if (!r->c) {
			if (r->o->once)
				return 1;
			sleep(1);
			if (start_session(r) < 0)
				continue;
		}
		if (r->retry && now_us() >= r->retry_at_us && process_pending(r) < 0)
			continue;
		redisReply *rep;
		if (r->o->once)
			rep = redisCommand(r->c, "XREADGROUP GROUP %s %s COUNT %d STREAMS %s >",
					   r->o->group, r->o->consumer, READ_COUNT, r->o->stream);
		else
			rep = redisCommand(r->c,
					   "XREADGROUP GROUP %s %s COUNT %d BLOCK %d STREAMS %s >",
					   r->o->group, r->o->consumer, READ_COUNT, BLOCK_MS,
					   r->o->stream);
		if (reply_failed(r, rep, "XREADGROUP")) {
			freeReplyObject(rep);
			if (r->c)
				redis_close(r);
			continue;
		}
		size_t n = process_read(r, rep, NULL, 0);
		freeReplyObject(rep);
		enforce_expire(r->e, now_us(), on_expired, r);
		if (r->o->once && n == 0)
			break;
	}
	return r->failures ? 1 : 0;
}

/* ------------------------------------------------------------ start-up */

static void usage(FILE *fp)
{
	fprintf(fp,
		"usage: " PROGNAME " --key-file FILE [options]\n"
		"  --redis URL            redis://[user@]host[:port][/db] or unix:///path (" DEFAULT_REDIS ")\n"
		"  --redis-user NAME      ACL user (for unix sockets; else the URL's user@)\n"
		"  --stream NAME          requests (" DEFAULT_STREAM ")\n"
		"  --report-stream NAME   outcomes (" DEFAULT_REPORT_STREAM ")\n"
		"  --group NAME           consumer group (" DEFAULT_GROUP ")\n"
		"  --consumer NAME        this enforcer's name (the host name)\n"
		"  --key-file FILE        the HMAC key shared with the sensors\n"
		"  --table NAME           the nft table it owns, family inet (" DEFAULT_TABLE ")\n"
		"  --max-skew S           accepted clock difference in seconds (%d)\n"
		"  --max-ttl S            longest quarantine accepted in seconds (%d)\n"
		"  --actions LIST         actions it takes: isolate,restrict,release (all)\n"
		"  --once                 process what is in the stream, then exit\n"
		"  --dry-run              verify and report, change nothing\n"
		"  -f, --foreground       accepted; it always runs in the foreground\n"
		"  -q, --quiet            log only problems\n"
		"The password, if any, comes from EDGEWATCH_REDIS_PASSWORD.\n",
		DEFAULT_MAX_SKEW_S, ENFORCE_TTL_MAX_S_DEFAULT);
}

static bool parse_seconds(const char *s, uint64_t max, uint64_t *out)
{
	char *end;

	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v == 0 || v > max)
		return false;
	*out = v;
	return true;
}

static bool parse_actions(const char *list, unsigned *out)
{
	const char *p = list;

	*out = 0;
	while (*p) {
		size_t n = strcspn(p, ",");
		int a = qreq_action_from_name(p, n);
		if (a < 0)
			return false;
		*out |= 1u << a;
		p += n + (p[n] == ',');
	}
	return *out != 0;
}

static bool name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > NAME_MAX_BYTES)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

static void parse_options(int argc, char **argv, struct options *o)
{
	enum { O_REDIS = 256, O_USER, O_STREAM, O_REPORT, O_GROUP, O_CONSUMER, O_KEY, O_TABLE, O_SKEW,
	       O_TTL, O_ACTIONS, O_ONCE, O_DRY };
	static const struct option longopts[] = {
		{ "redis", required_argument, NULL, O_REDIS },
		{ "redis-user", required_argument, NULL, O_USER },
		{ "stream", required_argument, NULL, O_STREAM },
		{ "report-stream", required_argument, NULL, O_REPORT },
		{ "group", required_argument, NULL, O_GROUP },
		{ "consumer", required_argument, NULL, O_CONSUMER },
		{ "key-file", required_argument, NULL, O_KEY },
		{ "table", required_argument, NULL, O_TABLE },
		{ "max-skew", required_argument, NULL, O_SKEW },
		{ "max-ttl", required_argument, NULL, O_TTL },
		{ "actions", required_argument, NULL, O_ACTIONS },
		{ "once", no_argument, NULL, O_ONCE },
		{ "dry-run", no_argument, NULL, O_DRY },
		{ "foreground", no_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "fqh", longopts, NULL)) != -1) {
		switch (ch) {
		case O_REDIS: o->redis_url = optarg; break;
		case O_USER: o->redis_user = optarg; break;
		case O_STREAM: o->stream = optarg; break;
		case O_REPORT: o->report_stream = optarg; break;
		case O_GROUP: o->group = optarg; break;
		case O_CONSUMER: snprintf(o->consumer, sizeof(o->consumer), "%s", optarg); break;
		case O_KEY: o->key_file = optarg; break;
		case O_TABLE: o->table = optarg; break;
		case O_SKEW:
			if (!parse_seconds(optarg, 86400, &o->max_skew_s))
				fatalx(2, "--max-skew: not a number of seconds in 1..86400: %.40s", optarg);
			break;
		case O_TTL:
			if (!parse_seconds(optarg, 366 * 86400ULL, &o->ttl_max_s))
				fatalx(2, "--max-ttl: not a number of seconds in 1..31622400: %.40s", optarg);
			break;
		case O_ACTIONS:
			if (!parse_actions(optarg, &o->actions))
				fatalx(2, "--actions: not a list of isolate, restrict, release: %.60s",
				       optarg);
			break;
		case O_ONCE: o->once = true; break;
		case O_DRY: o->dry_run = true; break;
		case 'f': break;
		case 'q': log_init(PROGNAME, 0); break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (optind != argc) {
		usage(stderr);
		exit(2);
	}
	if (!o->key_file)
		fatalx(2, "--key-file is required");
	if (!o->consumer[0] && gethostname(o->consumer, sizeof(o->consumer) - 1) < 0)
		fatalx(2, "no --consumer and no host name: %s", strerror(errno));
	if (o->redis_user && !name_ok(o->redis_user))
		fatalx(2, "--redis-user: 1..%d bytes, no spaces or control bytes", NAME_MAX_BYTES);
	if (!name_ok(o->stream) || !name_ok(o->report_stream) || !name_ok(o->group) ||
	    !name_ok(o->consumer))
		fatalx(2, "stream, group and consumer names: 1..%d bytes, no spaces or control bytes",
		       NAME_MAX_BYTES);
	if (!enft_table_name_valid(o->table))
		fatalx(2, "--table: [A-Za-z][A-Za-z0-9_]*, at most %d bytes", ENFT_TABLE_MAX);
}

int main(int argc, char **argv)
{
	struct options o = {
		.redis_url = DEFAULT_REDIS, .stream = DEFAULT_STREAM,
		.report_stream = DEFAULT_REPORT_STREAM, .group = DEFAULT_GROUP,
		.table = DEFAULT_TABLE, .max_skew_s = DEFAULT_MAX_SKEW_S,
		.ttl_max_s = ENFORCE_TTL_MAX_S_DEFAULT,
	};
	struct run r = { .o = &o };
	struct qkey key;
	char err[512];
	struct sigaction sa;

	log_init(PROGNAME, 1);
	parse_options(argc, argv, &o);
	if (redis_url_parse(o.redis_url, &r.url, err, sizeof(err)) < 0)
		fatalx(2, "%s", err);
	if (qkey_read_file(o.key_file, &key, err, sizeof(err)) < 0)
		fatalx(2, "%s", err);

	struct enforce_config ec = {
		.table = o.table, .key = &key, .max_skew_us = o.max_skew_s * EW_USEC_PER_SEC,
		.ttl_max_us = o.ttl_max_s * EW_USEC_PER_SEC, .actions_allowed = o.actions,
		.seen_lookup = seen_lookup, .seen_ctx = &r,
	};
	r.e = enforce_new(&ec, err, sizeof(err));
	if (!r.e)
		fatalx(1, "%s", err);

	if (!o.dry_run) {
		struct enft_buf b = { 0 };
		int rc = enft_script_setup(&b, o.table);
		if (rc == 0)
			rc = enft_run(ENFT_NFT_PATH, b.text, b.len, err, sizeof(err));
		enft_buf_free(&b);
		if (rc < 0)
			fatalx(1, "cannot set up table inet %s: %s", o.table, err);
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: a blocked read returns to the loop */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (start_session(&r) < 0 && o.once)
		fatalx(1, "cannot start a session with redis");
	log_info("reading %s as %s/%s, table inet %s%s", o.stream, o.group, o.consumer, o.table,
		 o.dry_run ? " (dry run)" : "");
	int status = run_loop(&r);

	redis_close(&r);
	enforce_free(r.e);
	qkey_wipe(&key);
	return status;
}
