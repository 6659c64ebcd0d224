/*
 * decode.c - the decoder's entry point: picks the link-layer decoder for
 * the capture's DLT, owns the table of event names, and holds the helpers
 * the layer decoders share.
 *
 * The layers themselves live in decode-link.c, decode-arp.c,
 * decode-ipv4.c, decode-ipv6.c and decode-l4.c (see decode-private.h for
 * their common contract).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "decode-private.h"
#include "decode.h"
#include "util-bytes.h"

/*
 * Names follow one rule other modules rely on: the enum name without
 * "DE_", lower-cased, with its first underscore turned into a dot.
 * Designated initialisers keep the table right if the enum is reordered;
 * tests/test-decode.c checks every name against the rule.
 *
 * `error` is false for facts worth counting that leave the packet usable.
 */
static const struct {
	const char *name;
	bool error;
} event_table[DE_MAX] = {
	[DE_NONE] = { "none", false },
	[DE_LINK_UNSUPPORTED] = { "link.unsupported", true },
	[DE_ETH_TRUNCATED] = { "eth.truncated", true },
	[DE_VLAN_TRUNCATED] = { "vlan.truncated", true },
	[DE_VLAN_TOO_DEEP] = { "vlan.too_deep", true },
	[DE_SLL_TRUNCATED] = { "sll.truncated", true },
	[DE_SLL2_TRUNCATED] = { "sll2.truncated", true },
	[DE_NULL_TRUNCATED] = { "null.truncated", true },
	[DE_NULL_UNKNOWN_FAMILY] = { "null.unknown_family", true },
	[DE_ETHERTYPE_OTHER] = { "ethertype.other", false },
	[DE_PPPOE_TRUNCATED] = { "pppoe.truncated", true },
	[DE_PPPOE_OTHER] = { "pppoe.other", false },
	[DE_ARP_TRUNCATED] = { "arp.truncated", true },
	[DE_ARP_UNSUPPORTED] = { "arp.unsupported", false },
	[DE_IPV4_TRUNCATED] = { "ipv4.truncated", true },
	[DE_IPV4_BAD_VERSION] = { "ipv4.bad_version", true },
	[DE_IPV4_BAD_IHL] = { "ipv4.bad_ihl", true },
	[DE_IPV4_BAD_TOTAL_LEN] = { "ipv4.bad_total_len", true },
	/* A bad option is malformed, but addresses and ports are intact. */
	[DE_IPV4_BAD_OPTION] = { "ipv4.bad_option", false },
	[DE_IPV4_FRAGMENT] = { "ipv4.fragment", false },
	[DE_IPV6_TRUNCATED] = { "ipv6.truncated", true },
	[DE_IPV6_BAD_VERSION] = { "ipv6.bad_version", true },
	[DE_IPV6_BAD_PAYLOAD_LEN] = { "ipv6.bad_payload_len", true },
	[DE_IPV6_EXT_TRUNCATED] = { "ipv6.ext_truncated", true },
	[DE_IPV6_EXT_TOO_MANY] = { "ipv6.ext_too_many", true },
	[DE_IPV6_FRAGMENT] = { "ipv6.fragment", false },
	[DE_TCP_TRUNCATED] = { "tcp.truncated", true },
	[DE_TCP_BAD_OFFSET] = { "tcp.bad_offset", true },
	[DE_TCP_BAD_OPTION] = { "tcp.bad_option", false },
	[DE_UDP_TRUNCATED] = { "udp.truncated", true },
	[DE_UDP_BAD_LEN] = { "udp.bad_len", true },
	[DE_ICMP_TRUNCATED] = { "icmp.truncated", true },
	[DE_ICMPV6_TRUNCATED] = { "icmpv6.truncated", true },
	[DE_IP_PROTO_OTHER] = { "ip.proto_other", false },
};

/* One row per supported DLT: the only list of what the decoder accepts. */
static const struct {
	int dlt;
	decode_layer_fn *decode;
} link_table[] = {
	{ EW_DLT_NULL, decode_null },
	{ EW_DLT_EN10MB, decode_ethernet },
	{ EW_DLT_RAW, decode_raw_ip },
	{ EW_DLT_RAW_ALT, decode_raw_ip },
	{ EW_LINKTYPE_RAW, decode_raw_ip },
	{ EW_DLT_LOOP, decode_loop },
	{ EW_DLT_LINUX_SLL, decode_sll },
	{ EW_DLT_IPV4, decode_raw_ipv4 },
	{ EW_DLT_IPV6, decode_raw_ipv6 },
	{ EW_DLT_LINUX_SLL2, decode_sll2 },
};

const char *decode_event_name(enum decode_event ev)
{
	/* An enum parameter is not a promise: the value may come from anywhere. */
	if ((unsigned)ev >= DE_MAX || event_table[ev].name == NULL)
		return "unknown";
	return event_table[ev].name;
}

int decode_event_is_error(enum decode_event ev)
{
	if ((unsigned)ev >= DE_MAX)
		return 0;
	return event_table[ev].error;
}

static decode_layer_fn *link_decoder(int dlt)
{
	for (size_t i = 0; i < sizeof(link_table) / sizeof(link_table[0]); i++) {
		if (link_table[i].dlt == dlt)
			return link_table[i].decode;
	}
	return NULL;
}

int decode_linktype_supported(int dlt)
{
	return link_decoder(dlt) != NULL;
}

void decode_note(struct decode_stats *stats, enum decode_event ev)
{
	stats->events[ev]++;
}

bool decode_options_well_formed(const uint8_t *p, size_t len)
{
	struct ew_cursor c;

	ew_cursor_init(&c, p, len);
	while (ew_cursor_left(&c) > 0) {
		uint8_t type = ew_u8(&c);
		if (type == 0) /* end of option list: the rest is padding */
			return true;
		if (type == 1) /* no-operation: a single byte */
			continue;
		/* A length byte below 2 would loop forever or step back. */
		uint8_t opt_len = ew_u8(&c);
		if (c.bad || opt_len < 2 || !ew_skip(&c, (size_t)opt_len - 2))
			return false;
	}
	return true;
}

enum decode_event decode_packet(int dlt, const uint8_t *data, uint32_t caplen,
				uint32_t wirelen, ew_usec_t ts_us,
				struct ew_packet *pkt, struct decode_stats *stats)
{
	/* Never form NULL + n: a caller with no buffer gets an empty frame. */
	static const uint8_t empty[1];
	struct decode_stats scratch;
	decode_layer_fn *decode = link_decoder(dlt);
	enum decode_event ev;

	if (stats == NULL) {
		memset(&scratch, 0, sizeof(scratch));
		stats = &scratch;
	}
	if (data == NULL) {
		data = empty;
		caplen = 0;
	}
	memset(pkt, 0, sizeof(*pkt));
	pkt->ts_us = ts_us;
	pkt->caplen = caplen;
	pkt->wirelen = wirelen;

	ev = decode != NULL ? decode(pkt, stats, data, caplen) : DE_LINK_UNSUPPORTED;
	if (ev != DE_NONE)
		stats->events[ev]++;
	return ev;
}
