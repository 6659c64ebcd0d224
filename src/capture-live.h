/*
 * capture-live.h - read packets from a network interface (a mirrored
 * switch port).
 *
 * libpcap with its Linux memory-mapped ring (TPACKET_V3, what
 * pcap_activate() sets up by default), promiscuous unless told otherwise,
 * a kernel buffer of the given size, and either immediate delivery or a
 * short timeout.  Packets go to the same callback as offline reading, so
 * the pipeline cannot tell a live capture from a replay of it.
 *
 * The run returns when capture_request_stop() was called (a signal) or
 * the interface fails.  Between packets, and at least every timeout_ms
 * when the wire is quiet, on_idle gets the wall clock, so that timers
 * (flow timeouts, bins, incidents) keep running on an idle network.
 *
 * Ownership: the handle owns the pcap handle; close it with
 * capture_live_close() (accepts NULL).
 */
#ifndef EW_CAPTURE_LIVE_H
#define EW_CAPTURE_LIVE_H

#include <stdbool.h>
#include <stdint.h>

#include "capture-file.h"

#define CAPTURE_LIVE_DEFAULT_SNAPLEN 262144 /* whole packets, as tcpdump */
#define CAPTURE_LIVE_DEFAULT_BUFFER_MIB 64u /* kernel ring: ~0.5 s of a busy gigabit port */
#define CAPTURE_LIVE_DEFAULT_TIMEOUT_MS 100 /* a stop request waits at most this long */

struct capture_live_options {
	const char *iface;
	const char *bpf;       /* NULL: everything */
	int snaplen;           /* bytes kept of each packet */
	bool promiscuous;
	uint32_t buffer_mib;   /* kernel buffer */
	int timeout_ms;        /* delivery timeout; also the longest wait for a stop */
	bool immediate;        /* deliver each packet at once (low latency, more wake-ups) */
};

struct capture_live_stats {
	uint64_t received;   /* packets the kernel saw (pcap_stats ps_recv) */
	uint64_t dropped;    /* dropped by the kernel: buffer full (ps_drop) */
	uint64_t if_dropped; /* dropped by the interface or driver (ps_ifdrop) */
	uint64_t delivered;  /* handed to the callback */
};

typedef void (*capture_idle_fn)(void *ctx, ew_usec_t now_us);

struct capture_live;

void capture_live_defaults(struct capture_live_options *o);

/* Opens and activates the interface; NULL with a one-line message naming it. */
struct capture_live *capture_live_open(const struct capture_live_options *o,
				       char err[CAPTURE_ERRLEN]);

/* The link type of the open interface. */
int capture_live_dlt(const struct capture_live *c);

/*
 * Delivers packets until a stop is requested (CAPTURE_OK) or the
 * interface fails (CAPTURE_ERR_OPEN with a message).
 */
enum capture_status capture_live_run(struct capture_live *c, capture_packet_fn on_packet,
				     capture_idle_fn on_idle, void *ctx,
				     char err[CAPTURE_ERRLEN]);

/* The kernel's counters (they wrap at 2^32 in libpcap; kept monotonic here). */
void capture_live_stats(struct capture_live *c, struct capture_live_stats *st);

void capture_live_close(struct capture_live *c);

#endif /* EW_CAPTURE_LIVE_H */
