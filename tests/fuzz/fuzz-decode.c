/*
 * fuzz-decode.c - libFuzzer target for the packet decoder.
 *
 * The first input byte picks the link type (low four bits) and how the
 * wire length relates to the capture (top two bits: whole frame, cut by a
 * snaplen, cut by a large snaplen, or a bogus wire length below the
 * capture).  The rest is the frame, copied into a heap buffer of exactly
 * its size so that AddressSanitizer sees a read of even one byte past it.
 *
 * After each decode the target checks the decoder's promises and traps
 * when one is broken: pointers inside the buffer (and the payload inside
 * the IP datagram), the returned event counted exactly once, no error
 * counted for a usable packet, fragments without ports.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int fuzz_dlts[] = {
	EW_DLT_EN10MB, EW_DLT_LINUX_SLL, EW_DLT_LINUX_SLL2, EW_DLT_RAW,  EW_DLT_RAW_ALT,
	EW_LINKTYPE_RAW, EW_DLT_IPV4,    EW_DLT_IPV6,       EW_DLT_NULL, EW_DLT_LOOP,
};

#define N_DLTS (sizeof(fuzz_dlts) / sizeof(fuzz_dlts[0]))

/* True when [p, p + n) lies within [lo, lo + len); NULL only with n 0. */
static int range_within(const uint8_t *lo, size_t len, const uint8_t *p, uint32_t n)
{
	uintptr_t start = (uintptr_t)lo, end = start + len, at = (uintptr_t)p;

	if (p == NULL)
		return n == 0;
	return at >= start && at <= end && n <= end - at;
}

static uint32_t fuzz_wirelen(uint8_t selector, uint32_t caplen)
{
	switch (selector >> 6) {
	case 0:
		return caplen;
	case 1:
		return caplen + 1500;
	case 2:
		return caplen + 65535;
	default:
		return caplen / 2; /* a lying pcap header */
	}
}

static void check_pointers(const struct ew_packet *pkt, const uint8_t *buf, size_t len)
{
	if (!range_within(buf, len, pkt->l3, pkt->l3_len))
		__builtin_trap();
	if (!range_within(buf, len, pkt->payload, pkt->payload_len))
		__builtin_trap();
	/* The payload never reaches past the datagram into padding. */
	if (pkt->kind == EW_PKT_IP && pkt->payload != NULL &&
	    !range_within(pkt->l3, pkt->l3_len, pkt->payload, pkt->payload_len))
		__builtin_trap();
}

static void check_events(enum decode_event ev, const struct decode_stats *stats)
{
	uint64_t errors = 0;

	if ((unsigned)ev >= DE_MAX)
		__builtin_trap();
	for (int i = 0; i < DE_MAX; i++) {
		if (decode_event_is_error((enum decode_event)i))
			errors += stats->events[i];
	}
	if (ev == DE_NONE ? errors != 0 : (errors != 1 || stats->events[ev] != 1))
		__builtin_trap();
}

static void check_packet(const struct ew_packet *pkt, enum decode_event ev)
{
	if (pkt->vlan_count > EW_MAX_VLAN_TAGS)
		__builtin_trap();
	if (pkt->is_fragment && (pkt->has_l4 || pkt->sport != 0 || pkt->dport != 0))
		__builtin_trap();
	if (ev == DE_NONE && pkt->kind == EW_PKT_IP && pkt->l3 == NULL)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct decode_stats stats;
	struct ew_packet pkt;
	enum decode_event ev;
	uint8_t *buf;
	size_t len;

	if (size == 0 || size - 1 > UINT32_MAX / 2)
		return 0;
	len = size - 1;
	buf = malloc(len);
	if (buf == NULL && len != 0)
		return 0;
	if (len != 0)
		memcpy(buf, data + 1, len);

	memset(&stats, 0, sizeof(stats));
	ev = decode_packet(fuzz_dlts[(data[0] & 0x0f) % N_DLTS], buf, (uint32_t)len,
			   fuzz_wirelen(data[0], (uint32_t)len), 0, &pkt, &stats);
	check_pointers(&pkt, buf, len);
	check_events(ev, &stats);
	check_packet(&pkt, ev);
	free(buf);
	return 0;
}
