/*
 * fuzz-xread.c - libFuzzer target for reading an XREAD reply (the
 * enforcement reports a live sensor reads back).
 *
 * The input is what a server sends: hiredis's own reader parses it into
 * replies as it would off the socket, and each complete reply goes to
 * redis_out_xread_entries().  The target traps when a promise is broken:
 * the count equals the entries handed over with fields; fields come in
 * pairs; every id handed over is 1..40 bytes; the position is either
 * unchanged or the last id handed over.
 *
 * hiredis 0.14's reader allocates whatever count a multi-bulk header
 * announces (1.0 added a cap, maxelements): an input announcing more than
 * 4096 elements or bytes is left out, as that allocation is the library's,
 * not ours.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "output-redis-private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct seen {
	int with_fields;
	char last[64];
};

static void on_entry(void *ctx, const char *id, const char *const *kv, const size_t *lens,
		     size_t n)
{
	struct seen *s = ctx;
	size_t len = strlen(id);

	if (len == 0 || len > 40 || n % 2 != 0 || (n > 0 && (kv == NULL || lens == NULL)))
		__builtin_trap();
	for (size_t i = 0; i < n; i++)
		if (kv[i] == NULL)
			__builtin_trap();
	s->with_fields += n > 0;
	memcpy(s->last, id, len + 1);
}

/* Whether a '*' or '$' header in the input announces more than 4096. */
static int announces_too_much(const uint8_t *data, size_t size)
{
	for (size_t i = 0; i < size; i++) {
		unsigned long n = 0;
		size_t j = i + 1;

		if (data[i] != '*' && data[i] != '$')
			continue;
		while (j < size && data[j] >= '0' && data[j] <= '9' && n <= 4096)
			n = n * 10 + (unsigned long)(data[j++] - '0');
		if (n > 4096)
			return 1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	redisReader *rd;
	void *reply = NULL;

	if (announces_too_much(data, size) || (rd = redisReaderCreate()) == NULL)
		return 0;
	if (redisReaderFeed(rd, (const char *)data, size) != REDIS_OK)
		goto out;
	/* Every complete reply in the input, until the reader wants more or fails. */
	while (redisReaderGetReply(rd, &reply) == REDIS_OK && reply != NULL) {
		struct seen s = { 0, "" };
		char last_id[48] = "0-0";
		int n = redis_out_xread_entries(reply, on_entry, &s, last_id, sizeof(last_id));

		if (n >= 0 && n != s.with_fields)
			__builtin_trap();
		if (n < 0 && s.last[0] != '\0')
			__builtin_trap();
		if (strcmp(last_id, "0-0") != 0 && strcmp(last_id, s.last) != 0)
			__builtin_trap();
		freeReplyObject(reply);
		reply = NULL;
	}
out:
	redisReaderFree(rd);
	return 0;
}
