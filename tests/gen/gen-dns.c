/*
 * gen-dns.c - DNS and mDNS wire encoding: header, names, questions,
 * resource records, and the resolver's A/AAAA query and its response.
 */
#include "gen-dns.h"

#include <string.h>

void gen_dns_header(struct gen_buf *b, uint16_t id, uint16_t flags, uint16_t qd, uint16_t an,
		    uint16_t ns, uint16_t ar)
{
	gen_put16(b, id);
	gen_put16(b, flags);
	gen_put16(b, qd);
	gen_put16(b, an);
	gen_put16(b, ns);
	gen_put16(b, ar);
}

void gen_dns_name(struct gen_buf *b, const char *name)
{
	while (*name) {
		const char *dot = strchr(name, '.');
		size_t n = dot ? (size_t)(dot - name) : strlen(name);

		if (n == 0 || n > 63)
			gen_bug("bad DNS label");
		gen_put8(b, (uint8_t)n);
		gen_putn(b, name, n);
		name += n + (dot ? 1 : 0);
	}
	gen_put8(b, 0);
}

void gen_dns_ptr(struct gen_buf *b, uint16_t offset)
{
	gen_put16(b, (uint16_t)(0xc000 | offset));
}

void gen_dns_question(struct gen_buf *b, const char *name, uint16_t type, uint16_t cls)
{
	gen_dns_name(b, name);
	gen_put16(b, type);
	gen_put16(b, cls);
}

size_t gen_dns_rr(struct gen_buf *b, const char *name, uint16_t ptr, uint16_t type,
		  uint16_t cls, uint32_t ttl_s)
{
	if (name)
		gen_dns_name(b, name);
	else
		gen_dns_ptr(b, ptr);
	gen_put16(b, type);
	gen_put16(b, cls);
	gen_put32(b, ttl_s);
	gen_put16(b, 0);
	return b->len - 2;
}

void gen_dns_rr_end(struct gen_buf *b, size_t rdlen_off)
{
	gen_patch16(b, rdlen_off, (uint16_t)(b->len - rdlen_off - 2));
}

size_t gen_dns_message(uint8_t *out, size_t cap, uint16_t id, bool response, const char *name,
		       uint16_t type, const struct gen_addr *answer, uint32_t ttl_s, bool edns)
{
	struct gen_buf b;
	bool has = answer && answer->family == (type == DNS_A ? GEN_AF_INET : GEN_AF_INET6);

	gen_buf_init(&b, out, cap);
	gen_dns_header(&b, id, response ? 0x8180 : 0x0100, 1, response && has, 0, edns);
	gen_dns_question(&b, name, type, DNS_IN);
	if (response && has) {
		size_t rd = gen_dns_rr(&b, NULL, 12, type, DNS_IN, ttl_s);

		gen_putn(&b, answer->b, type == DNS_A ? 4 : 16);
		gen_dns_rr_end(&b, rd);
	}
	if (edns) {
		gen_put8(&b, 0); /* root */
		gen_put16(&b, DNS_OPT);
		gen_put16(&b, response ? 1232 : 1472);
		gen_put32(&b, 0);
		gen_put16(&b, 0);
	}
	return gen_buf_done(&b);
}

