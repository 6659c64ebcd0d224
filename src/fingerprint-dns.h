/*
 * fingerprint-dns.h - parse DNS, mDNS and LLMNR messages into a bounded
 * summary, and pull out what mDNS says about the device that sent it.
 *
 * All three protocols share the RFC 1035 message format; dns_parse()
 * does not know which port a message came from and does not need to.
 * mDNS reuses the top bit of the class field (RFC 6762 5.4 and 10.2: the
 * unicast-response bit in questions, the cache-flush bit in records); the
 * class is kept as sent, and DNS_CLASS_MASK strips that bit.
 *
 * Memory.  struct dns_info is fixed at about 10.5 KiB (10 712 bytes on
 * x86-64: 32 records of 76 bytes and the 8 KiB pool; the unit test prints
 * it and fails past 11 KiB), with no allocation: the caller keeps one on
 * its stack or reuses one per thread.  dns_parse() itself uses about
 * 3 KiB of stack for the record being read.  Names and strings are
 * not stored in every record at their worst-case size (1 KiB each); they
 * go into one text pool in the info, and records hold offsets into it,
 * read with dns_text().  A realistic mDNS announcement uses well under a
 * tenth of the pool (the Google Cast one in pcaps/, with twelve TXT
 * strings, takes 517 bytes); a hostile one that fills it loses records,
 * which are counted in records_skipped and flagged by pool_full.
 *
 * Ownership.  dns_parse() reads msg only during the call and copies what
 * it keeps.  Strings returned by dns_text() and the pointers in a struct
 * mdns_summary point into the struct dns_info they came from, and are
 * valid until it is parsed into again or goes away.
 */
#ifndef EW_FINGERPRINT_DNS_H
#define EW_FINGERPRINT_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util-dnsname.h"

#define DNS_HEADER_LEN 12
#define DNS_MAX_RECORDS_KEPT 16  /* questions, and records: more are counted, not kept */
#define DNS_TXT_STRINGS_KEPT 16  /* per TXT (or HINFO) record; Cast sends 12 */
#define DNS_TXT_TEXT_MAX 1024    /* escaped bytes kept of one record's strings */
#define DNS_TEXT_POOL_BYTES 8192 /* all names and strings of one message */

/* Header flag bits (RFC 1035 4.1.1). */
#define DNS_FLAG_QR 0x8000
#define DNS_FLAG_AA 0x0400
#define DNS_FLAG_TC 0x0200
#define DNS_OPCODE(flags) (((flags) >> 11) & 0x0f)
#define DNS_RCODE(flags) ((flags) & 0x000f)

/* The mDNS unicast-response / cache-flush bit and the class without it. */
#define DNS_CLASS_MDNS_BIT 0x8000
#define DNS_CLASS_MASK 0x7fff
#define DNS_CLASS_IN 1

/* Record types whose data dns_parse() decodes; others keep only rdlength. */
#define DNS_TYPE_A 1
#define DNS_TYPE_NS 2
#define DNS_TYPE_CNAME 5
#define DNS_TYPE_PTR 12
#define DNS_TYPE_HINFO 13
#define DNS_TYPE_TXT 16
#define DNS_TYPE_AAAA 28
#define DNS_TYPE_SRV 33
#define DNS_TYPE_ANY 255

enum dns_section {
	DNS_SECTION_QUESTION = 0,
	DNS_SECTION_ANSWER,
	DNS_SECTION_AUTHORITY,
	DNS_SECTION_ADDITIONAL,
};

/*
 * One question or resource record.  Text fields are offsets into the
 * info's pool; read them with dns_text().  Offset 0 is always "".
 */
struct dns_record {
	uint16_t name;      /* owner name */
	uint16_t type;
	uint16_t class_;    /* as sent, mDNS bit included */
	uint8_t section;    /* enum dns_section */
	bool rdata_bad;     /* rdata does not fit its type; the record is kept anyway */
	uint32_t ttl;       /* records only */
	uint16_t rdlength;  /* records only */
	/* NS, CNAME, PTR, SRV: the name pointed to; otherwise 0 (""). */
	uint16_t target;
	/* SRV (RFC 2782). */
	uint16_t srv_priority, srv_weight, srv_port;
	/* A: 4 bytes, AAAA: 16; addr_len 0 otherwise. */
	uint8_t addr[16];
	uint8_t addr_len;
	/* TXT strings, or HINFO's CPU and OS; escaped like names, dots kept. */
	uint8_t ntxt;
	bool txt_cut;       /* more strings or bytes than were kept */
	uint16_t txt[DNS_TXT_STRINGS_KEPT];
};

enum dns_result {
	DNS_OK = 0,
	DNS_ERR_ARGS,           /* NULL message or info */
	DNS_ERR_SHORT,          /* fewer than DNS_HEADER_LEN bytes */
	DNS_ERR_TRUNCATED,      /* ended before the records the header counts */
	DNS_ERR_NAME,           /* a bad owner name; see name_err */
	DNS_ERR_RDLENGTH,       /* rdlength runs past the end of the message */
	DNS_RESULT_MAX
};

struct dns_info {
	uint16_t id, flags;
	bool is_response;      /* QR bit */
	uint16_t qdcount, ancount, nscount, arcount;

	struct dns_record questions[DNS_MAX_RECORDS_KEPT];
	size_t nquestions;
	/* Answer, authority and additional records, in message order. */
	struct dns_record answers[DNS_MAX_RECORDS_KEPT];
	size_t nanswers;

	size_t records_skipped; /* walked but not kept: past the caps, or after the pool filled */
	size_t records_rdata_bad; /* kept records whose rdata did not fit their type */
	size_t trailing_bytes;  /* after the last counted record: a quirk */
	bool truncated;         /* ended before the records the header counts (the
				 * TC bit, a server's "message cut", is in flags) */
	bool pool_full;
	enum dns_result result; /* as returned */
	enum dns_name_result name_err; /* why an owner name failed: DNS_ERR_NAME, or
					* DNS_ERR_TRUNCATED inside a name */
	size_t err_offset;      /* where the parse stopped, on error */

	/* Text of names and strings; keep last (dns_parse clears what precedes it). */
	size_t pool_used;
	char pool[DNS_TEXT_POOL_BYTES];
};

/*
 * Parses a DNS/mDNS/LLMNR message.  Never reads outside [msg, msg + len).
 * On error, out still holds the header and every record parsed before
 * the fault (a cut mDNS announcement still names its services), with
 * result, name_err and err_offset set.
 *
 * Work is bounded: records that are not kept (past DNS_MAX_RECORDS_KEPT,
 * or once the pool is full) are walked, not decoded - their names are
 * stepped over in place and their rdata skipped by rdlength - so a
 * message costs a pass over its bytes plus, for at most 32 kept records
 * of at most two names each, DNS_NAME_WIRE_MAX bytes and
 * DNS_NAME_MAX_JUMPS pointers per name.
 */
enum dns_result dns_parse(const uint8_t *msg, size_t len, struct dns_info *out);

/* The text at a pool offset; "" for an offset the pool does not hold. */
const char *dns_text(const struct dns_info *info, uint16_t off);

/* A stable dotted name for a result ("dns.truncated"), for counters. */
const char *dns_result_name(enum dns_result r);

/* --------------------------------------------------------------- mDNS */

#define MDNS_MAX_SERVICES 8
#define MDNS_MAX_INSTANCES 8
#define MDNS_MAX_HOSTS 4
#define MDNS_MAX_TXT 8

/*
 * What an mDNS message says about its sender, for device fingerprinting.
 * Every string points into the struct dns_info it came from; duplicates
 * (compared without regard to ASCII case) appear once.
 *
 *   services   service types: "_hue._tcp.local"
 *   instances  service instances: "Philips Hue - 1A2B3C._hue._tcp.local"
 *   hosts      host names: SRV targets, owners of A/AAAA/HINFO records,
 *              targets of reverse-lookup PTRs: "Philips-hue.local"
 *   txt        TXT strings whose key names a model or maker (md=, model=,
 *              modelid=, manufacturer=, ty=, am=, usb_MFG=, usb_MDL=, ...),
 *              whole: "md=BSB002"
 *
 * Meant for mDNS (port 5353); on a unicast DNS answer it would list the
 * looked-up names as hosts.  Only records the sender vouches for are read: all records of a
 * response, but of a query only the authority section (a probe's
 * proposed records).  A query's answer section holds known answers -
 * other devices' records - and its questions are what it looks for.
 */
struct mdns_summary {
	const char *services[MDNS_MAX_SERVICES];
	size_t nservices;
	const char *instances[MDNS_MAX_INSTANCES];
	size_t ninstances;
	const char *hosts[MDNS_MAX_HOSTS];
	size_t nhosts;
	const char *txt[MDNS_MAX_TXT];
	size_t ntxt;
	size_t dropped; /* distinct items that did not fit */
};

void mdns_summarize(const struct dns_info *info, struct mdns_summary *out);

#endif /* EW_FINGERPRINT_DNS_H */
