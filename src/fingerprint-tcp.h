/*
 * fingerprint-tcp.h - what a TCP SYN says about the operating system that
 * sent it: initial TTL, window, MSS, window scale and the order of its
 * options (the traits p0f popularised), and a coarse OS family guess.
 *
 * Reads only pkt->tcp_opts (inside the captured TCP header); hostile
 * option lengths end the walk and are recorded as a quirk, never read
 * past.
 */
#ifndef EW_FINGERPRINT_TCP_H
#define EW_FINGERPRINT_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "packet.h"

#define TCP_FP_OPTS_MAX 40 /* option bytes fit in 40, so at most 40 options */

struct tcp_syn_fp {
	uint8_t ttl;          /* as observed */
	uint8_t ttl_initial;  /* rounded up to 32, 64, 128 or 255 */
	uint16_t win;
	uint16_t mss;         /* 0 when absent */
	int wscale;           /* -1 when absent */
	char layout[TCP_FP_OPTS_MAX * 4 + 1]; /* "M,S,T,N,W"; other kinds as numbers */
	bool bad_options;     /* an option's length was wrong: the walk stopped there */
};

/* Fills fp from a SYN without ACK; false for any other packet. */
bool tcp_syn_fingerprint(const struct ew_packet *pkt, struct tcp_syn_fp *fp);

/* "64:65535:1460:7:M,S,T,N,W" - initial TTL, window, MSS, scale (or -), layout. */
void tcp_syn_fp_text(const struct tcp_syn_fp *fp, char *buf, size_t len);

/*
 * A coarse OS family: "embedded stack" (MSS only: lwIP and similar, as in
 * many IoT devices), "network OS/RTOS" (other SYNs with initial TTL 255),
 * "Windows", "Linux/Android", "macOS/iOS", "FreeBSD", or "unknown".
 */
const char *tcp_syn_os_guess(const struct tcp_syn_fp *fp);

#endif /* EW_FINGERPRINT_TCP_H */
