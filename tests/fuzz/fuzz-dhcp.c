/*
 * fuzz-dhcp.c - libFuzzer target for the DHCPv4 parser.
 *
 * The input is one UDP payload, copied into a heap buffer of exactly its
 * size so that AddressSanitizer sees a read of even one byte past it.
 * Most random inputs fail the cookie check; seed the corpus with real
 * DHCP messages (240 bytes of header and cookie, then options).
 *
 * After each parse the target checks the parser's promises and traps
 * when one is broken: a known result, lengths within their maxima,
 * strings NUL-terminated where the length says, the request list text
 * matching the list, an all-zero result when the message was refused,
 * and the same answer from a second parse of the same bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fingerprint-dhcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
	if (!ok)
		__builtin_trap();
}

/* The request list as text, written independently of the parser. */
static void check_prl_text(const struct dhcp_info *d)
{
	char want[DHCP_CODE_TEXT_SIZE(DHCP_PRL_MAX)];
	size_t at = 0;

	want[0] = '\0';
	for (size_t i = 0; i < d->prl_len; i++) {
		int w = snprintf(want + at, sizeof(want) - at, i == 0 ? "%u" : ",%u",
				 (unsigned)d->prl[i]);

		check(w > 0 && (size_t)w < sizeof(want) - at);
		at += (size_t)w;
	}
	check(strcmp(d->prl_text, want) == 0);
}

/* options_order is a list of at most DHCP_ORDER_MAX codes, each 1-254. */
static void check_order(const struct dhcp_info *d)
{
	const char *s = d->options_order;
	size_t codes = 0;

	check(memchr(s, '\0', sizeof(d->options_order)) != NULL);
	while (*s != '\0') {
		unsigned v = 0;
		size_t digits = 0;

		for (; *s >= '0' && *s <= '9'; s++, digits++)
			v = v * 10 + (unsigned)(*s - '0');
		check(digits >= 1 && digits <= 3 && v >= 1 && v <= 254);
		codes++;
		if (*s == ',')
			s++;
		else
			check(*s == '\0');
	}
	check(codes <= DHCP_ORDER_MAX);
}

/*
 * A name decoded from wire format holds no NUL, and every escape is whole
 * ("\.", "\\" or "\000"), even when the text was cut.
 */
static void check_wire_text(const struct dhcp_info *d)
{
	const char *s = d->fqdn;
	size_t i = 0;

	check(strlen(s) == d->fqdn_len);
	while (i < d->fqdn_len) {
		if (s[i] != '\\') {
			i++;
			continue;
		}
		check(i + 1 < d->fqdn_len);
		if (s[i + 1] == '0') {
			check(i + 3 < d->fqdn_len && strncmp(s + i, "\\000", 4) == 0);
			i += 4;
		} else {
			check(s[i + 1] == '.' || s[i + 1] == '\\');
			i += 2;
		}
	}
}

static void check_info(const struct dhcp_info *d, enum dhcp_result r)
{
	static const struct dhcp_info zero;

	check((unsigned)r < DHCP_RESULT_MAX);
	check(strncmp(dhcp_result_name(r), "dhcp.", 5) == 0);
	check(d->hostname_len <= DHCP_NAME_MAX && d->hostname[d->hostname_len] == '\0');
	check(d->vendor_class_len <= DHCP_VENDOR_MAX &&
	      d->vendor_class[d->vendor_class_len] == '\0');
	check(d->fqdn_len <= DHCP_FQDN_MAX && d->fqdn[d->fqdn_len] == '\0');
	check(d->has_fqdn || (d->fqdn_len == 0 && d->fqdn_flags == 0));
	check(d->mud_url_len <= DHCP_MUD_URL_MAX && d->mud_url[d->mud_url_len] == '\0');
	if (d->fqdn_flags & DHCP_FQDN_FLAG_E)
		check_wire_text(d);
	check(d->prl_len <= DHCP_PRL_MAX);
	check_prl_text(d);
	check_order(d);
	if (r == DHCP_NOT_DHCP || r == DHCP_TRUNCATED)
		check(memcmp(d, &zero, sizeof(zero)) == 0);
	else
		check(d->op == 1 || d->op == 2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dhcp_info d, again;
	enum dhcp_result r;
	uint8_t *buf = malloc(size);

	if (buf == NULL && size != 0)
		return 0;
	if (size != 0)
		memcpy(buf, data, size);
	r = dhcp_parse(buf, size, &d);
	check_info(&d, r);
	/* The parse depends on the bytes alone. */
	check(dhcp_parse(buf, size, &again) == r && memcmp(&d, &again, sizeof(d)) == 0);
	free(buf);
	return 0;
}
