/*
 * dns-cache.h - which name an address was looked up as, learned from the
 * DNS responses on the wire, so that events can say "first contact with
 * evil.example (203.0.113.5)" rather than a bare address.
 *
 * Each A/AAAA answer of a response is recorded under the name the client
 * asked for (the question), following CNAME chains inside the message: a
 * question for www.example.com answered by "CNAME cdn.example.net" and
 * "cdn.example.net A 192.0.2.7" records 192.0.2.7 -> www.example.com.
 * An address keeps the name of the latest answer that held it.
 *
 * Entries are kept past their TTL: devices go on using an address long
 * after the answer expired (long-lived connections, firmware that caches
 * on its own), and an old name is far more use to an operator than none.
 * The TTL and the answer's time are kept for the reader to judge
 * (dns_cache_lookup_info).
 *
 * What is recorded (else the response is ignored, counted in `ignored`,
 * and 0 returned): responses (QR set) with opcode QUERY, rcode NOERROR,
 * exactly one question of class IN, whose name's text fits
 * DNS_CACHE_NAME_MAX - 1 bytes.  Answer-section A records with 4 bytes of
 * data and AAAA records with 16, of class IN, whose owner is the question
 * or reached from it by CNAMEs in the answer section; others are skipped.
 * Only the first DNS_MAX_RECORDS_KEPT records of a message are looked at
 * (fingerprint-dns.h).  A message dns_parse() refuses (short header,
 * fewer records than counted, rdlength past the end, a bad owner name) is
 * malformed: -1, nothing recorded.
 *
 * Bounded: at most `capacity` entries of 320 bytes each on x86-64 (312
 * for the entry, 8 for its share of the hash-chain heads; 4096 entries
 * take 1.25 MiB) plus a fixed 10.6 KiB.  A new
 * address in a full cache evicts the entry answered longest ago (LRU by
 * answer, not by lookup: lookups are read-only).  Lookup is O(1) even on
 * hostile input: a hash chain holds at most DNS_CACHE_CHAIN_MAX entries,
 * and a new address in a full chain evicts that chain's oldest (counted
 * in `evicted` too).
 *
 * Ownership: the cache owns its entries and a scratch dns_info (so it is
 * not safe to use from two threads at once).  msg is read only during
 * dns_cache_add_response().  A name returned by a lookup points into the
 * cache and is valid until the next add or destroy.
 */
#ifndef EW_DNS_CACHE_H
#define EW_DNS_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "packet.h"

#define DNS_CACHE_NAME_MAX 256         /* bytes of a name's text, NUL included */
#define DNS_CACHE_CAPACITY_MAX 262144u /* entries; 80 MiB, far past any home segment */
#define DNS_CACHE_CHAIN_MAX 8          /* entries per hash chain (load <= 1/2 makes 8 unlikely by chance) */

struct dns_cache;

/* capacity is clamped to 1..DNS_CACHE_CAPACITY_MAX.  NULL on allocation failure. */
struct dns_cache *dns_cache_create(uint32_t capacity);
void dns_cache_destroy(struct dns_cache *c); /* accepts NULL */

/*
 * Parses one DNS response message (UDP payload, hostile) and records its
 * A/AAAA answers under the question name (see above).  Returns the number
 * of answers recorded (an address answered twice counts twice), or -1
 * when the message is malformed (nothing recorded).  ts is packet time.
 */
int dns_cache_add_response(struct dns_cache *c, const uint8_t *msg, size_t len, ew_usec_t ts);

/* The name for addr, or NULL.  Address and family must both match. */
const char *dns_cache_lookup(const struct dns_cache *c, const struct ew_addr *addr);

/* The same, and when it was answered and with which TTL (either pointer may be NULL). */
const char *dns_cache_lookup_info(const struct dns_cache *c, const struct ew_addr *addr,
				  ew_usec_t *answered_us, uint32_t *ttl_s);

struct dns_cache_stats {
	uint64_t entries;   /* held now */
	uint64_t inserted;  /* addresses added */
	uint64_t replaced;  /* answers for an address already held (name, time and TTL overwritten) */
	uint64_t evicted;   /* entries dropped to make room (cache or chain full) */
	uint64_t malformed; /* messages refused (-1) */
	uint64_t ignored;   /* well-formed messages not looked into: queries, errors, ... */
};
const struct dns_cache_stats *dns_cache_stats(const struct dns_cache *c);

#endif /* EW_DNS_CACHE_H */
