/*
 * fuzz-qreq.c - libFuzzer target for what an enforcement point reads: a
 * quarantine request's fields as they come out of a Redis stream.
 *
 * The input is split at NUL bytes into up to 32 strings, taken as
 * alternating field names and values, and given to qreq_parse(); a
 * request that parses goes through qreq_check() with a fixed key.  The
 * target checks what the contract promises: a parsed request's strings
 * are terminated and valid again (qreq_validate), its canonical encoding
 * fits the documented bound, and check never says "none" for a request
 * whose signature the key does not verify.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "quarantine-sign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
	if (!ok)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char key_text[] = "fuzz-key-0123456789abcdefghijklmnopqrstuv";
	const char *str[32];
	size_t len[32], n = 0, start = 0;
	char canon[QREQ_CANONICAL_MAX], err[256];
	struct qreq r;
	struct qkey key;
	enum qreq_reject rej;

	for (size_t i = 0; i <= size && n < 32; i++)
		if (i == size || data[i] == '\0') {
			str[n] = (const char *)data + start;
			len[n] = i - start;
			n++;
			start = i + 1;
		}
	rej = qreq_parse(str, len, n, &r, err, sizeof(err));
	check(memchr(err, '\0', sizeof(err)) != NULL);
	if (rej != QREQ_REJ_NONE)
		return 0;
	check(qreq_validate(&r, true, err, sizeof(err)) == 0);
	check(qreq_canonical(&r, canon, sizeof(canon)) < sizeof(canon));
	check(qkey_set(&key, key_text, sizeof(key_text) - 1, err, sizeof(err)) == 0);
	if (qreq_check(&r, &key, r.issued_us, 300u * 1000000u) == QREQ_REJ_NONE)
		check(qreq_verify_sig(&r, &key));
	qkey_wipe(&key);
	return 0;
}
