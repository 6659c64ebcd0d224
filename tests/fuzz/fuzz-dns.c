/*
 * fuzz-dns.c - libFuzzer target for the DNS name decoder and the
 * DNS/mDNS/LLMNR parser.
 *
 * The whole input is one message, copied into a heap buffer of exactly
 * its size so that AddressSanitizer sees a read of even one byte past it.
 * It is parsed, summarized as mDNS, and one name is decoded directly at
 * an offset the first two bytes pick, into a text buffer whose size the
 * third byte picks.
 *
 * After each call the target checks the parser's promises and traps when
 * one is broken: counts within the caps, every text offset at the start of
 * a string inside the used pool, the error fields consistent with the
 * result, summary strings inside the pool; for names, the end offset
 * inside the message and past the start, the text NUL-terminated within
 * its buffer, and decode and skip agreeing on where a name ends.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fingerprint-dns.h"
#include "util-dnsname.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reused between runs, as a caller would: about 10 KiB. */
static struct dns_info info;

static void check_text(const struct dns_info *in, uint16_t off)
{
	if (off != 0 && (off >= in->pool_used || in->pool[off - 1] != '\0'))
		__builtin_trap();
	if (strlen(in->pool + off) >= DNS_NAME_TEXT_MAX)
		__builtin_trap();
}

static void check_record(const struct dns_info *in, const struct dns_record *r)
{
	check_text(in, r->name);
	check_text(in, r->target);
	if (r->ntxt > DNS_TXT_STRINGS_KEPT)
		__builtin_trap();
	for (size_t i = 0; i < r->ntxt; i++)
		check_text(in, r->txt[i]);
	if (r->addr_len != 0 && r->addr_len != 4 && r->addr_len != 16)
		__builtin_trap();
	if (r->section > DNS_SECTION_ADDITIONAL)
		__builtin_trap();
}

static void check_info(const struct dns_info *in, enum dns_result r, size_t len)
{
	size_t counted = (size_t)in->qdcount + in->ancount + in->nscount + in->arcount;

	if ((unsigned)r >= DNS_RESULT_MAX || in->result != r)
		__builtin_trap();
	if (in->nquestions > DNS_MAX_RECORDS_KEPT || in->nanswers > DNS_MAX_RECORDS_KEPT)
		__builtin_trap();
	if (in->nquestions + in->nanswers + in->records_skipped > counted)
		__builtin_trap();
	if (in->pool_used < 1 || in->pool_used > DNS_TEXT_POOL_BYTES || in->pool[0] != '\0' ||
	    in->pool[in->pool_used - 1] != '\0')
		__builtin_trap();
	if (in->err_offset > len || in->trailing_bytes > len)
		__builtin_trap();
	if ((r == DNS_OK) == in->truncated && r != DNS_ERR_NAME && r != DNS_ERR_SHORT &&
	    r != DNS_ERR_ARGS)
		__builtin_trap();
	if ((r == DNS_ERR_NAME) != (in->name_err != DNS_NAME_OK && !in->truncated))
		__builtin_trap();
	for (size_t i = 0; i < in->nquestions; i++)
		check_record(in, &in->questions[i]);
	for (size_t i = 0; i < in->nanswers; i++)
		check_record(in, &in->answers[i]);
}

static void check_list(const struct dns_info *in, const char *const *list, size_t n, size_t max)
{
	if (n > max)
		__builtin_trap();
	for (size_t i = 0; i < n; i++) {
		if (list[i] < in->pool || list[i] >= in->pool + in->pool_used)
			__builtin_trap();
	}
}

static void check_summary(const struct dns_info *in)
{
	struct mdns_summary sum;

	mdns_summarize(in, &sum);
	check_list(in, sum.services, sum.nservices, MDNS_MAX_SERVICES);
	check_list(in, sum.instances, sum.ninstances, MDNS_MAX_INSTANCES);
	check_list(in, sum.hosts, sum.nhosts, MDNS_MAX_HOSTS);
	check_list(in, sum.txt, sum.ntxt, MDNS_MAX_TXT);
}

static void check_name(const uint8_t *buf, size_t len, size_t off, size_t text_size)
{
	char text[DNS_NAME_TEXT_MAX];
	size_t end = SIZE_MAX, skip_end = SIZE_MAX;
	enum dns_name_result r = dns_name_decode(buf, len, off, text, text_size, &end);
	enum dns_name_result rs = dns_name_skip(buf, len, off, &skip_end);

	if ((unsigned)r >= DNS_NAME_RESULT_MAX || (unsigned)rs >= DNS_NAME_RESULT_MAX)
		__builtin_trap();
	if (strnlen(text, text_size) >= text_size)
		__builtin_trap();
	if (r == DNS_NAME_OK && (end <= off || end > len || text[0] == '\0'))
		__builtin_trap();
	if (r != DNS_NAME_OK && end != SIZE_MAX)
		__builtin_trap();
	/* Where the name ends in place does not depend on following pointers. */
	if (r == DNS_NAME_OK && (rs != DNS_NAME_OK || skip_end != end))
		__builtin_trap();
	if (text_size == DNS_NAME_TEXT_MAX && r == DNS_NAME_ERR_NO_ROOM)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size > 0 ? size : 1);
	enum dns_result r;

	if (buf == NULL)
		return 0;
	if (size > 0)
		memcpy(buf, data, size);

	r = dns_parse(buf, size, &info);
	check_info(&info, r, size);
	check_summary(&info);
	if (size >= 3) {
		size_t off = (((size_t)data[0] << 8) | data[1]) % (size + 1);
		size_t text_size = data[2] == 0 ? DNS_NAME_TEXT_MAX : data[2];

		check_name(buf, size, off, text_size);
	}
	free(buf);
	return 0;
}
