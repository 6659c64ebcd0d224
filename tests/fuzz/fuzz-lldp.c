/*
 * fuzz-lldp.c - libFuzzer target for the LLDP reader (fingerprint-lldp.h).
 *
 * The whole input is one LLDPDU, copied into a heap buffer of exactly its
 * size so that AddressSanitizer sees a read of even one byte past it.
 * After each parse the target checks the reader's promises and traps when
 * one is broken: the result in range; every kept string within
 * LLDP_TEXT_MAX and NUL-terminated; no capabilities without the TLV; the
 * capability names always fitting their buffer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fingerprint-lldp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_text(const char *s, size_t len)
{
	if (len > LLDP_TEXT_MAX || s[len] != '\0')
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);
	struct lldp_info info;
	char caps[LLDP_CAPS_TEXT_SIZE];
	enum lldp_result r;

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	r = lldp_parse(copy, size, &info);
	free(copy);
	if ((unsigned)r >= LLDP_RESULT_MAX)
		__builtin_trap();
	check_text(info.name, info.name_len);
	check_text(info.description, info.description_len);
	check_text(info.mud_url, info.mud_url_len);
	if (!info.has_caps && (info.caps != 0 || info.enabled != 0))
		__builtin_trap();
	lldp_caps_text(info.caps | info.enabled, caps, sizeof(caps));
	if (strlen(caps) >= sizeof(caps))
		__builtin_trap();
	return 0;
}
