/*
 * output-redis-deliver.c - how an entry reaches Redis (see
 * output-redis.c for the ordering rule): XADD now when the journal is
 * empty and the connection up, else the end of the journal; the
 * journal's record encoding (decoded as hostile bytes: the file may be
 * damaged or another version's), and its replay in pipelined batches.
 */
#include <stdlib.h>
#include <string.h>

#include "output-redis-private.h"

#define ARGS_MAX (6 + 2 * REDIS_OUT_FIELDS_MAX) /* XADD s MAXLEN ~ n * fields */
#define REPLAY_BATCH_BYTES (1024u * 1024u)

/* ------------------------------------------------------------- entries */

static void append_xadd(struct redis_sink *rs, const struct entry *e)
{
	const char *argv[ARGS_MAX];
	size_t lens[ARGS_MAX];
	size_t argc = 0;

	argv[argc] = "XADD", lens[argc++] = 4;
	argv[argc] = e->stream, lens[argc++] = e->stream_len;
	argv[argc] = "MAXLEN", lens[argc++] = 6;
	argv[argc] = "~", lens[argc++] = 1;
	argv[argc] = rs->maxlen, lens[argc++] = strlen(rs->maxlen);
	argv[argc] = "*", lens[argc++] = 1;
	for (size_t i = 0; i < e->nfields; i++)
		argv[argc] = e->fields[i], lens[argc++] = e->lens[i];
	/* Only fails on out of memory; the reply read then fails too. */
	redisAppendCommandArgv(rs->ctx, (int)argc, argv, lens);
}

static void put_u32(unsigned char *p, size_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/*
 * Journal record: u32 count (1 + fields), then per item u32 length and
 * bytes: the stream name, then names and values.  Little-endian.
 */
static int encode(struct redis_sink *rs, const struct entry *e, size_t *len)
{
	size_t need = 4 + 4 + e->stream_len, off = 0;
	unsigned char *p;

	for (size_t i = 0; i < e->nfields; i++) {
		if (e->lens[i] > SPOOL_RECORD_MAX)
			return -1;
		need += 4 + e->lens[i];
	}
	if (need > SPOOL_RECORD_MAX)
		return -1;
	if (need > rs->enc_size) {
		if ((p = realloc(rs->enc, need)) == NULL)
			return -1;
		rs->enc = p;
		rs->enc_size = need;
	}
	p = rs->enc;
	put_u32(p, 1 + e->nfields), off = 4;
	put_u32(p + off, e->stream_len), off += 4;
	memcpy(p + off, e->stream, e->stream_len), off += e->stream_len;
	for (size_t i = 0; i < e->nfields; i++) {
		put_u32(p + off, e->lens[i]), off += 4;
		memcpy(p + off, e->fields[i], e->lens[i]), off += e->lens[i];
	}
	*len = off;
	return 0;
}

/* The inverse, over hostile bytes; field arrays hold 2 * REDIS_OUT_FIELDS_MAX. */
static int decode(const unsigned char *p, size_t n, struct entry *e, const char **fields,
		  size_t *lens)
{
	size_t off = 4, count, len;

	if (n < 4)
		return -1;
	count = get_u32(p);
	if (count < 1 || count > 1 + 2 * REDIS_OUT_FIELDS_MAX || (count - 1) % 2 != 0)
		return -1;
	for (size_t i = 0; i < count; i++) {
		if (n - off < 4)
			return -1;
		len = get_u32(p + off), off += 4;
		if (n - off < len)
			return -1;
		if (i == 0) {
			e->stream = (const char *)p + off;
			e->stream_len = len;
		} else {
			fields[i - 1] = (const char *)p + off;
			lens[i - 1] = len;
		}
		off += len;
	}
	if (off != n)
		return -1;
	e->nfields = count - 1;
	e->fields = fields;
	e->lens = lens;
	return 0;
}

void redis_out_report_drops(struct redis_sink *rs, bool now_anyway)
{
	uint64_t now = redis_out_now_ms();

	if (rs->drops_unreported == 0)
		return;
	if (!now_anyway && rs->last_drop_report_ms != 0 &&
	    now - rs->last_drop_report_ms < REDIS_OUT_DROP_REPORT_MS)
		return;
	redis_out_notice(rs, "redis: dropped %llu entries (%s); %llu in all",
			 (unsigned long long)rs->drops_unreported,
			 rs->spool != NULL ? "spool full" : "no spool",
			 (unsigned long long)rs->st.dropped);
	rs->drops_unreported = 0;
	rs->last_drop_report_ms = now;
}

static int drop(struct redis_sink *rs)
{
	rs->st.dropped++;
	rs->drops_unreported++;
	redis_out_report_drops(rs, false);
	return -1;
}

static int to_spool(struct redis_sink *rs, const struct entry *e)
{
	size_t len;
	int r;

	if (rs->spool == NULL || encode(rs, e, &len) != 0)
		return drop(rs);
	r = spool_append(rs->spool, rs->enc, len);
	if (r != 0) {
		if (r < 0)
			redis_out_set_error(rs, "%s", spool_error(rs->spool));
		return drop(rs);
	}
	rs->st.spooled++;
	return 0;
}

/*
 * Reads the reply to one pipelined XADD; false, with rs->error set, when
 * there was none or the server refused the entry.  A refusal is counted
 * and turns on probing (see struct redis_sink).
 */
static bool xadd_reply_ok(struct redis_sink *rs)
{
	redisReply *reply = NULL;
	bool ok = redisGetReply(rs->ctx, (void **)&reply) == REDIS_OK &&
		  redis_out_reply_ok(rs, reply, "XADD");

	if (!ok && reply != NULL) {
		rs->st.command_errors++;
		rs->probe = true;
	}
	redis_out_free_reply(reply);
	return ok;
}

/*
 * Sends up to one batch of journal entries; 1 when some were delivered
 * and more may follow, 0 when the journal is empty, -1 on failure
 * (disconnected) or when the budget is spent.
 */
static int replay_batch(struct redis_sink *rs, uint64_t deadline)
{
	const char *fields[2 * REDIS_OUT_FIELDS_MAX];
	size_t lens[2 * REDIS_OUT_FIELDS_MAX], len, n = 0, bytes = 0;
	uint64_t pos = spool_head(rs->spool), ends[REDIS_OUT_REPLAY_BATCH];
	const void *data;
	struct entry e;
	int r;

	/* Armed before anything is queued: a spent budget then costs nothing. */
	if (!redis_out_arm_timeout(rs, deadline))
		return -1;
	while (n < (rs->probe ? 1u : REDIS_OUT_REPLAY_BATCH) && bytes < REPLAY_BATCH_BYTES &&
	       (r = spool_read(rs->spool, &pos, &data, &len)) == 1) {
		if (decode(data, len, &e, fields, lens) != 0) {
			/* Checksummed but not ours (another version?): skip, counted. */
			if (n == 0) {
				spool_consume(rs->spool, pos, 1);
				drop(rs);
				return 1;
			}
			pos -= SPOOL_RECORD_HEADER_BYTES + len;
			break;
		}
		append_xadd(rs, &e);
		ends[n++] = pos;
		bytes += len;
	}
	if (n == 0)
		return spool_pending(rs->spool) > 0 ? -1 : 0;
	for (size_t i = 0; i < n; i++) {
		if (!xadd_reply_ok(rs)) {
			if (i > 0)
				spool_consume(rs->spool, ends[i - 1], i);
			rs->st.replayed += i;
			redis_out_disconnect(rs);
			return -1;
		}
	}
	spool_consume(rs->spool, ends[n - 1], n);
	rs->st.replayed += n;
	rs->probe = false;
	return 1;
}

/* Empties the journal within the budget; true when it is empty and connected. */
bool redis_out_replay(struct redis_sink *rs, uint64_t deadline)
{
	int r = 1;

	if (rs->spool == NULL)
		return true;
	while (rs->ctx != NULL && spool_pending(rs->spool) > 0 && r == 1) {
		if (redis_out_left_ms(deadline) == 0)
			return false;
		r = replay_batch(rs, deadline);
	}
	return rs->ctx != NULL && spool_pending(rs->spool) == 0;
}

/* XADD now (and PUBLISH pub when set); 0, or -1 having disconnected. */
static int send_live(struct redis_sink *rs, const struct entry *e, const char *pub,
		     size_t pub_len, uint64_t deadline)
{
	if (!redis_out_arm_timeout(rs, deadline)) {
		redis_out_set_error(rs, "XADD: timed out");
		redis_out_disconnect(rs);
		return -1;
	}
	append_xadd(rs, e);
	if (pub != NULL) {
		const char *argv[] = {"PUBLISH", rs->channel, pub};
		size_t lens[] = {7, strlen(rs->channel), pub_len};

		redisAppendCommandArgv(rs->ctx, 3, argv, lens);
	}
	if (!xadd_reply_ok(rs)) {
		redis_out_disconnect(rs);
		return -1;
	}
	rs->st.written++;
	if (pub != NULL) {
		redisReply *reply = NULL;

		if (redisGetReply(rs->ctx, (void **)&reply) != REDIS_OK) {
			/* The entry is in the stream; only the notification is lost. */
			rs->st.publish_errors++;
			redis_out_set_error(rs, "PUBLISH: %s", rs->ctx->errstr);
			redis_out_disconnect(rs);
		} else if (reply->type == REDIS_REPLY_ERROR) {
			rs->st.publish_errors++;
		}
		redis_out_free_reply(reply);
	}
	return 0;
}

/* The one path every entry takes: live when possible, else the journal. */
int redis_out_deliver(struct redis_sink *rs, const struct entry *e, const char *pub,
		      size_t pub_len)
{
	uint64_t start = redis_out_now_ms(), deadline = start + rs->command_timeout_ms;

	/*
	 * The replay may use half the budget: the new entry keeps the rest, so
	 * that a long backlog does not make a healthy server look timed out.
	 */
	if (redis_out_ensure_connected(rs, deadline, false) &&
	    redis_out_replay(rs, start + rs->command_timeout_ms / 2 + 1) &&
	    send_live(rs, e, pub, pub_len, deadline) == 0)
		return 0;
	return to_spool(rs, e);
}
