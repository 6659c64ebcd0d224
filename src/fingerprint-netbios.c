/*
 * fingerprint-netbios.c - own host names from NetBIOS-NS and LLMNR (see
 * fingerprint-netbios.h).
 */
#include <stdio.h>
#include <string.h>

#include "fingerprint-dns.h"
#include "fingerprint-netbios.h"

#define NETBIOS_ENCODED_LEN 32
#define NB_OPCODE_QUERY 0
#define NB_OPCODE_REGISTRATION 5
#define NB_OPCODE_REFRESH 8
#define NB_OPCODE_REFRESH_ALT 9 /* some stacks send 9, as RFC 1002 allows */

int netbios_decode(const char *label, char out[NETBIOS_NAME_TEXT])
{
	int n = 0;

	/* The label must be exactly the 32 letters, nothing after (scope is separate). */
	for (int i = 0; i < NETBIOS_ENCODED_LEN; i++)
		if (label[i] < 'A' || label[i] > 'P')
			return -1;
	if (label[NETBIOS_ENCODED_LEN] != '\0' && label[NETBIOS_ENCODED_LEN] != '.')
		return -1;
	for (int i = 0; i < 15; i++) {
		char c = (char)(((label[2 * i] - 'A') << 4) | (label[2 * i + 1] - 'A'));
		out[n++] = c;
	}
	out[n] = '\0';
	while (n > 0 && out[n - 1] == ' ')
		out[--n] = '\0';
	/* A name with a NUL inside would be cut by C strings: refuse it. */
	return (int)strlen(out) == n ? n : -1;
}

static size_t add_name(char names[][256], size_t n, size_t max, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return n;
	if (n < max && name[0] != '\0')
		snprintf(names[n++], 256, "%s", name);
	return n;
}

size_t netbios_own_names(const uint8_t *msg, size_t len, char names[][256], size_t max)
{
	struct dns_info info; /* about 10 KiB, for one message */
	char name[NETBIOS_NAME_TEXT];
	unsigned opcode;
	size_t n = 0;

	if (dns_parse(msg, len, &info) != DNS_OK)
		return 0;
	opcode = DNS_OPCODE(info.flags);
	if (opcode == NB_OPCODE_REGISTRATION || opcode == NB_OPCODE_REFRESH ||
	    opcode == NB_OPCODE_REFRESH_ALT) {
		for (size_t i = 0; i < info.nquestions; i++)
			if (netbios_decode(dns_text(&info, info.questions[i].name), name) > 0)
				n = add_name(names, n, max, name);
	} else if (opcode == NB_OPCODE_QUERY && info.is_response) {
		/* A positive answer is the owner speaking for itself. */
		for (size_t i = 0; i < info.nanswers; i++)
			if (netbios_decode(dns_text(&info, info.answers[i].name), name) > 0)
				n = add_name(names, n, max, name);
	}
	return n;
}

size_t llmnr_own_names(const uint8_t *msg, size_t len, char names[][256], size_t max)
{
	struct dns_info info;
	size_t n = 0;

	if (dns_parse(msg, len, &info) != DNS_OK || !info.is_response)
		return 0;
	for (size_t i = 0; i < info.nanswers; i++)
		n = add_name(names, n, max, dns_text(&info, info.answers[i].name));
	return n;
}
