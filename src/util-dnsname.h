/*
 * util-dnsname.h - decode DNS wire-format names (RFC 1035 3.1, 4.1.4).
 *
 * A name is read at an offset of a whole message, following compression
 * pointers, and written as dotted text into a caller's buffer.  Used by
 * the DNS, mDNS and LLMNR parser (fingerprint-dns.c); nothing here knows
 * about records.
 *
 * Text form.  Label bytes are kept as they are (mDNS instance names are
 * UTF-8 and may hold spaces, quotes or control bytes; the output layer
 * escapes them for JSON), except three, so that the text is unambiguous
 * and a C string:
 *
 *   '.'  inside a label  ->  "\."    (the dot stays a label separator)
 *   '\\' inside a label  ->  "\\\\"  (so "\." can only mean a dot)
 *   NUL  inside a label  ->  "\000"  (so the string is not cut short)
 *
 * This is the master-file convention of RFC 1035 5.1, applied only where
 * it is needed.  Labels are joined by '.', with no trailing dot; the root
 * name is ".".  Letter case is kept as sent.
 *
 * Hostile names.  A compression pointer must point strictly before the
 * first byte of the run of labels that it ends (for the first pointer: the
 * start of the name).  Targets therefore strictly decrease, so no chain
 * can loop - a pointer to itself, two pointers to each other and forward
 * pointers (including ones past the end) are all refused - and at most
 * DNS_NAME_MAX_JUMPS pointers are followed per name, which bounds the
 * work.  Labels longer than 63 octets (a length byte of 64..191 is one of
 * the reserved label types) and names longer than 255 octets on the wire
 * are refused.
 */
#ifndef EW_UTIL_DNSNAME_H
#define EW_UTIL_DNSNAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_LABEL_MAX 63      /* octets of one label (RFC 1035 2.3.4) */
#define DNS_NAME_WIRE_MAX 255 /* octets of a whole name, length bytes included */
/*
 * Compression pointers followed per name.  Real compressors chain a few
 * (an SRV target pointing into a PTR target pointing into a question);
 * 16 leaves room for that while bounding the work a hostile name costs.
 */
#define DNS_NAME_MAX_JUMPS 16
/*
 * Escaped text of one name, with its NUL.  The worst case is a 255-byte
 * name of NUL bytes in labels of 63, 63, 63 and 61: 250 * 4 bytes of
 * "\000", three dots and the NUL make 1004 bytes.
 */
#define DNS_NAME_TEXT_MAX 1024
/* Longest escaped form of one byte ("\000"), without a NUL. */
#define DNS_ESCAPED_BYTE_MAX 4

enum dns_name_result {
	DNS_NAME_OK = 0,
	DNS_NAME_ERR_TRUNCATED,   /* the message ends inside the name */
	DNS_NAME_ERR_LABEL_TYPE,  /* length byte 64..191: long label or reserved type */
	DNS_NAME_ERR_POINTER,     /* pointer not strictly backwards (loop, forward, past end) */
	DNS_NAME_ERR_TOO_MANY_JUMPS,
	DNS_NAME_ERR_TOO_LONG,    /* more than DNS_NAME_WIRE_MAX octets */
	DNS_NAME_ERR_NO_ROOM,     /* the text buffer is smaller than the text */
	DNS_NAME_ERR_ARGS,        /* NULL buffer, or the offset is past the message */
	DNS_NAME_RESULT_MAX
};

/*
 * Decodes the name at msg[off] into text (NUL-terminated, escaped as
 * above).  On success *end is the offset just past the name where it sits
 * (after its root byte or its first pointer; pointers are not followed for
 * this), which is where the rest of a record continues.  On error text
 * holds "" - or, for DNS_NAME_ERR_NO_ROOM, as much text as fit - and *end
 * is not changed.  A text_size of DNS_NAME_TEXT_MAX never gives NO_ROOM.
 *
 * msg is read only within [0, msg_len); nothing is kept after the call.
 */
enum dns_name_result dns_name_decode(const uint8_t *msg, size_t msg_len, size_t off,
				     char *text, size_t text_size, size_t *end);

/*
 * Steps over the name at msg[off] without following its pointer: checks
 * the labels that sit there (types, lengths, at most DNS_NAME_WIRE_MAX
 * octets) and sets *end as dns_name_decode() would.  Costs only the bytes
 * stepped over, for records a caller counts but does not keep.
 */
enum dns_name_result dns_name_skip(const uint8_t *msg, size_t msg_len, size_t off, size_t *end);

/*
 * Writes the escaped form of one byte of a label (in_label true) or of a
 * character-string such as a TXT string (false: the dot is not special)
 * into out; returns how many chars were written (1..DNS_ESCAPED_BYTE_MAX).
 * No NUL is written.
 */
size_t dns_escape_byte(uint8_t b, bool in_label, char out[DNS_ESCAPED_BYTE_MAX]);

/* A stable dotted name for a result ("dns.name_pointer"), for counters. */
const char *dns_name_result_name(enum dns_name_result r);

#endif /* EW_UTIL_DNSNAME_H */
