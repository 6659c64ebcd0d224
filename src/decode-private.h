/*
 * decode-private.h - what the decode-*.c files share with each other.
 *
 * Not part of the public API: only decode.c and the layer decoders include
 * this.  Every layer decoder has the same contract so that the layers
 * chain without special cases:
 *
 *   - it gets the packet being filled, the stats, and the captured bytes
 *     of its own layer and everything above it (p, len);
 *   - it reads those bytes only through a struct ew_cursor;
 *   - it counts informational events itself with decode_note() and keeps
 *     going;
 *   - it returns DE_NONE when the packet is usable, or the error event
 *     that made it unusable.  Errors are counted once, by decode_packet(),
 *     so a layer must not count the error it returns.
 */
#ifndef EW_DECODE_PRIVATE_H
#define EW_DECODE_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "packet.h"

/* Ethertypes the decoder dispatches on. */
#define EW_ETHERTYPE_IPV4 0x0800
#define EW_ETHERTYPE_ARP 0x0806
#define EW_ETHERTYPE_IPV6 0x86dd

typedef enum decode_event decode_layer_fn(struct ew_packet *pkt,
					  struct decode_stats *stats,
					  const uint8_t *p, size_t len);

/* decode.c */

/* Counts an event that leaves the packet usable (a fragment, ...). */
void decode_note(struct decode_stats *stats, enum decode_event ev);

/*
 * Walks IPv4 or TCP options (the two share one layout: EOL 0, NOP 1,
 * else type, length, value with the length covering type and length).
 * Returns false at the first option whose length is below 2 or runs
 * past the option area, or whose length byte is missing.
 */
bool decode_options_well_formed(const uint8_t *p, size_t len);

/* decode-link.c: one decoder per supported DLT. */
decode_layer_fn decode_ethernet;
decode_layer_fn decode_sll;
decode_layer_fn decode_sll2;
decode_layer_fn decode_raw_ip;   /* version nibble picks IPv4 or IPv6 */
decode_layer_fn decode_raw_ipv4; /* DLT_IPV4 */
decode_layer_fn decode_raw_ipv6; /* DLT_IPV6 */
decode_layer_fn decode_null;     /* family in the capturing host's order */
decode_layer_fn decode_loop;     /* family in network order */

/* decode-arp.c */
decode_layer_fn decode_arp;

/* decode-ipv4.c, decode-ipv6.c: set kind, l3 and the addresses. */
decode_layer_fn decode_ipv4;
decode_layer_fn decode_ipv6;

/*
 * decode-l4.c: decodes the transport header of pkt->l4_proto.  len is
 * what was captured of the IP payload; ip_payload_len is the IP payload
 * length the IP header claims (>= len), against which length fields
 * inside the transport header are judged.
 */
enum decode_event decode_l4(struct ew_packet *pkt, struct decode_stats *stats,
			    const uint8_t *p, size_t len, size_t ip_payload_len);

#endif /* EW_DECODE_PRIVATE_H */
