/*
 * flow-key.h - build, hash and compare bidirectional flow keys.
 *
 * Both directions of a conversation produce the same key: the (address,
 * port) pairs are stored in a canonical order and flow_key_from_packet()
 * says which side the packet's source is.  ICMP flows have ports 0 (echo
 * request and reply fold into one flow); IP fragments have ports 0 too,
 * so they never pollute port-based flows.
 */
#ifndef EW_FLOW_KEY_H
#define EW_FLOW_KEY_H

#include <stdbool.h>
#include <stdint.h>

#include "flow.h"
#include "packet.h"

/*
 * Fills key from an IP packet.  Returns the key side (0 or 1) that the
 * packet's source address/port occupies.
 */
int flow_key_from_packet(struct flow_key *key, const struct ew_packet *pkt);

bool flow_key_equal(const struct flow_key *a, const struct flow_key *b);

/* Seeded hash for bucket selection. */
uint64_t flow_key_hash(const struct flow_key *key, uint64_t seed);

/* Formats side `side`'s address into buf (EW_ADDR_STRLEN bytes). */
void flow_key_addr_str(const struct flow_key *key, int side, char *buf, size_t len);

#endif /* EW_FLOW_KEY_H */
