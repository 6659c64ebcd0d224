/*
 * gen-dns.h - DNS and mDNS messages in wire form, for ew-pcapgen.
 *
 * Names are written label by label (no compression except the explicit
 * 0xC00C-style pointers a caller asks for), so a message reads in the
 * order its fields appear on the wire.
 */
#ifndef EW_GEN_DNS_H
#define EW_GEN_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gen-build.h"
#include "gen-bytes.h"

#define DNS_A 1
#define DNS_PTR 12
#define DNS_TXT 16
#define DNS_AAAA 28
#define DNS_SRV 33
#define DNS_OPT 41
#define DNS_ANY 255
#define DNS_IN 1
#define DNS_FLUSH 0x8000 /* mDNS cache-flush / unicast-response bit */

/* DNS (also mDNS): names in wire form, 0xC00C-style pointers. */
void gen_dns_header(struct gen_buf *b, uint16_t id, uint16_t flags, uint16_t qd, uint16_t an,
		    uint16_t ns, uint16_t ar);
void gen_dns_name(struct gen_buf *b, const char *name);
void gen_dns_ptr(struct gen_buf *b, uint16_t offset);
void gen_dns_question(struct gen_buf *b, const char *name, uint16_t type, uint16_t cls);
/* Starts a record; name NULL uses ptr. Returns the rdlength offset for
 * gen_dns_rr_end(). */
size_t gen_dns_rr(struct gen_buf *b, const char *name, uint16_t ptr, uint16_t type,
		  uint16_t cls, uint32_t ttl_s);
void gen_dns_rr_end(struct gen_buf *b, size_t rdlen_off);

/*
 * A unicast query for name (type A or AAAA) or its response, which
 * answers with answer when that is of the type's family (else no answer
 * record: "no such data"), through a pointer to the question.  edns adds
 * an OPT record as glibc and Apple's resolver send one.
 */
size_t gen_dns_message(uint8_t *out, size_t cap, uint16_t id, bool response, const char *name,
		       uint16_t type, const struct gen_addr *answer, uint32_t ttl_s, bool edns);

#endif /* EW_GEN_DNS_H */
