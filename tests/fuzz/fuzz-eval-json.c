/*
 * fuzz-eval-json.c - libFuzzer target for edgewatch-eval's JSON reader,
 * which reads event files a user hands it (hostile as any input).
 *
 * Parses the input as one line; on success walks the whole tree, reading
 * every string and key, and checks that each stays inside the input and
 * that the walk ends (children counts agree with what is reached).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eval-json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
	if (!ok)
		abort();
}

static size_t walk(const struct ejson *j, const struct ejson_value *v, int depth)
{
	size_t seen = 1, len;

	check(depth <= EJSON_MAX_DEPTH + 1);
	if (v->type == EJSON_STRING) {
		const char *s = ejson_string(j, v, &len);

		check(s != NULL);
		/* Reading every byte makes ASan check the whole string is inside a buffer. */
		volatile unsigned char sum = 0;

		for (size_t i = 0; i < len; i++)
			sum ^= (unsigned char)s[i];
		(void)sum;
	}
	if (v->type == EJSON_ARRAY || v->type == EJSON_OBJECT) {
		size_t kids = 0;

		for (const struct ejson_value *c = ejson_first(j, v); c != NULL; c = ejson_next(j, c)) {
			if (v->type == EJSON_OBJECT)
				check(ejson_key(j, c, &len) != NULL);
			seen += walk(j, c, depth + 1);
			kids++;
		}
		check(kids == v->count);
	}
	return seen;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ejson *j = ejson_create();

	check(j != NULL);
	if (ejson_parse(j, (const char *)data, size) == 0)
		check(walk(j, ejson_root(j), 0) <= EJSON_MAX_VALUES);
	else
		check(memchr(ejson_error(j), '\0', EJSON_ERRLEN) != NULL);
	ejson_destroy(j);
	return 0;
}
