/*
 * output-redis-read.c - reading a stream back on the Redis sink's own
 * connection (output-redis.h: output_redis_read()).
 *
 * The reply is hostile input like a packet: a server (or something
 * speaking for it) may answer with any shape, so every level is checked
 * for its type and size before it is used, and entries of the wrong shape
 * are skipped, never half-read.
 */
#include <stdio.h>
#include <string.h>

#include "output-redis-private.h"
#include "util-bytes.h"

#define STREAM_ID_MAX 40 /* "18446744073709551615-18446744073709551615" is 41 with the NUL */

/* A stream id as XREAD takes it back: two uint64_t in decimal joined by '-'. */
static bool stream_id_ok(const char *p, size_t len)
{
	const char *dash = memchr(p, '-', len);
	uint64_t ms, seq;

	return dash != NULL && ew_dec_u64(p, (size_t)(dash - p), &ms) &&
	       ew_dec_u64(dash + 1, len - (size_t)(dash - p) - 1, &seq);
}

/*
 * One entry [id, [k, v, k, v, ...]] to fn.  -1 when even its id is
 * unusable: not one the next XREAD could start after.  Otherwise the id is
 * copied out (the next read starts after it) and fn gets the fields, or
 * none when they are of the wrong shape or absent (XADD never makes an
 * entry without), so that the caller counts the entry as malformed rather
 * than meet it again and again.  Returns 1 when the fields were handed
 * over, 0 when not.
 */
static int entry_to(const redisReply *en, redis_entry_fn fn, void *ctx, char *id, size_t idlen)
{
	const char *kv[2 * REDIS_OUT_FIELDS_MAX];
	size_t lens[2 * REDIS_OUT_FIELDS_MAX];
	const redisReply *f;

	if (en->type != REDIS_REPLY_ARRAY || en->elements != 2 ||
	    en->element[0]->type != REDIS_REPLY_STRING || en->element[0]->len == 0 ||
	    en->element[0]->len >= idlen || en->element[0]->len > STREAM_ID_MAX ||
	    !stream_id_ok(en->element[0]->str, en->element[0]->len))
		return -1;
	memcpy(id, en->element[0]->str, en->element[0]->len);
	id[en->element[0]->len] = '\0';
	f = en->element[1];
	if (f->type != REDIS_REPLY_ARRAY || f->elements == 0 || f->elements % 2 != 0 ||
	    f->elements > 2 * REDIS_OUT_FIELDS_MAX) {
		fn(ctx, id, NULL, NULL, 0);
		return 0;
	}
	for (size_t i = 0; i < f->elements; i++) {
		if (f->element[i]->type != REDIS_REPLY_STRING) {
			fn(ctx, id, NULL, NULL, 0);
			return 0;
		}
		kv[i] = f->element[i]->str;
		lens[i] = f->element[i]->len;
	}
	fn(ctx, id, kv, lens, f->elements);
	return 1;
}

int redis_out_xread_entries(const redisReply *r, redis_entry_fn fn, void *ctx, char *last_id,
			    size_t last_id_size)
{
	const redisReply *s, *list;
	char id[STREAM_ID_MAX + 1];
	int n = 0;

	if (r->type == REDIS_REPLY_NIL)
		return 0; /* nothing new */
	if (r->type != REDIS_REPLY_ARRAY || r->elements != 1 ||
	    (s = r->element[0])->type != REDIS_REPLY_ARRAY || s->elements != 2 ||
	    (list = s->element[1])->type != REDIS_REPLY_ARRAY)
		return -1;
	for (size_t i = 0; i < list->elements; i++) {
		int rc = entry_to(list->element[i], fn, ctx, id, sizeof(id));

		/* Without a usable id an entry is skipped; the next read starts after the last id. */
		if (rc < 0)
			continue;
		n += rc;
		if (strlen(id) < last_id_size)
			memcpy(last_id, id, strlen(id) + 1);
	}
	return n;
}

int output_redis_read(struct output_sink *s, const char *stream, char *last_id,
		      size_t last_id_size, size_t max, redis_entry_fn fn, void *ctx)
{
	struct redis_sink *rs = (struct redis_sink *)s;
	uint64_t deadline = redis_out_now_ms() + rs->command_timeout_ms;
	char count[24];
	const char *argv[6] = { "XREAD", "COUNT", count, "STREAMS", stream, last_id };
	size_t lens[6];
	redisReply *r;
	int n;

	if (stream == NULL || stream[0] == '\0' || last_id == NULL || last_id[0] == '\0' ||
	    max == 0 || fn == NULL)
		return -1;
	snprintf(count, sizeof(count), "%zu", max);
	for (int i = 0; i < 6; i++)
		lens[i] = strlen(argv[i]);
	pthread_mutex_lock(&rs->mu);
	if (!redis_out_ensure_connected(rs, deadline, false) ||
	    !redis_out_arm_timeout(rs, deadline)) {
		pthread_mutex_unlock(&rs->mu);
		return -1;
	}
	r = redisCommandArgv(rs->ctx, 6, argv, lens);
	if (!redis_out_reply_ok(rs, r, "XREAD")) {
		/* No reply: the connection is broken or timed out; an error reply leaves it be. */
		if (r == NULL)
			redis_out_disconnect(rs);
		redis_out_free_reply(r);
		pthread_mutex_unlock(&rs->mu);
		return -1;
	}
	n = redis_out_xread_entries(r, fn, ctx, last_id, last_id_size);
	if (n < 0)
		redis_out_set_error(rs, "XREAD: a reply of an unexpected shape");
	redis_out_free_reply(r);
	pthread_mutex_unlock(&rs->mu);
	return n;
}
