/*
 * fuzz-ssdp.c - libFuzzer target for the SSDP parser.
 *
 * The whole input is one datagram, copied into a heap buffer of exactly
 * its size so that AddressSanitizer sees a read of even one byte past it.
 *
 * After each parse the target checks the parser's promises and traps when
 * one is broken: the result and kind in range and consistent, every kept
 * value NUL-terminated inside its buffer, trimmed, free of line ends, cut
 * only when full, and absent values empty; the header count within one
 * past the cap; the error line set exactly when a line was at fault.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fingerprint-ssdp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_value(const struct ssdp_value *v)
{
	size_t n = strnlen(v->text, SSDP_VALUE_MAX);

	if (n >= SSDP_VALUE_MAX)
		__builtin_trap();
	if (!v->present && (n != 0 || v->cut))
		__builtin_trap();
	if (v->cut && n != SSDP_VALUE_MAX - 1)
		__builtin_trap();
	if (n > 0 && (v->text[0] == ' ' || v->text[0] == '\t'))
		__builtin_trap();
	if (memchr(v->text, '\n', n) != NULL)
		__builtin_trap();
}

static void check_info(const struct ssdp_info *in, enum ssdp_result r, size_t len)
{
	const struct ssdp_value *vals[] = {
		&in->server, &in->nt,	    &in->nts,	     &in->usn,
		&in->st,     &in->location, &in->user_agent, &in->cache_control,
	};

	if ((unsigned)r >= SSDP_RESULT_MAX || in->result != r)
		__builtin_trap();
	if ((unsigned)in->kind > SSDP_KIND_RESPONSE)
		__builtin_trap();
	if (r == SSDP_OK && in->kind == SSDP_KIND_NONE)
		__builtin_trap();
	if (in->kind != SSDP_KIND_RESPONSE && in->status != 0)
		__builtin_trap();
	if (in->nheaders > SSDP_MAX_HEADERS + 1)
		__builtin_trap();
	if ((r == SSDP_OK || r == SSDP_ERR_EMPTY) != (in->err_line == 0))
		__builtin_trap();
	if (in->err_line > len + 1)
		__builtin_trap();
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
		check_value(vals[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ssdp_info info;
	uint8_t *buf = malloc(size > 0 ? size : 1);
	enum ssdp_result r;

	if (buf == NULL)
		return 0;
	if (size > 0)
		memcpy(buf, data, size);
	r = ssdp_parse(buf, size, &info);
	check_info(&info, r, size);
	free(buf);
	return 0;
}
