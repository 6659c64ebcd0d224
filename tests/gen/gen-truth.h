/*
 * gen-truth.h - the ground truth of a generated capture.
 *
 * The caller feeds every frame it actually writes to gen_truth_account();
 * the truth therefore describes the file exactly, even when a packet
 * limit cuts the run short.
 *
 * The truth keeps one record per flow, keyed the way the sensor keys
 * flows (outer VLAN id, IP protocol, both addresses, both ports; ICMP by
 * addresses only), and refuses traffic that would make the sensor's flow
 * split ambiguous: a UDP/ICMP gap over 25 s, a TCP gap over 500 s, a
 * packet after a completed TCP teardown, or two labels for one flow.
 * Such a refusal is a bug in a scenario, reported as an error.
 */
#ifndef EW_GEN_TRUTH_H
#define EW_GEN_TRUTH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "gen-build.h"

/* The application label a scenario puts in gen_meta.app: the truth's app
 * column (GEN_APP_NONE is written "-"). */
enum gen_app {
	GEN_APP_NONE, GEN_APP_DHCP, GEN_APP_DNS, GEN_APP_MDNS, GEN_APP_SSDP, GEN_APP_NTP,
	GEN_APP_TLS, GEN_APP_HTTP, GEN_APP_MQTT, GEN_APP_RTSP, GEN_APP_ICMP, GEN_APP_ICMPV6,
	GEN_APP_COUNT
};

enum gen_truth_mode {
	GEN_TRUTH_FLOWS,    /* keep every flow and write one line each */
	GEN_TRUTH_TOTALS,   /* bounded: expire idle flows, write totals only */
	GEN_TRUTH_ALL_NEW,  /* every IP frame is a new flow (flood): no table */
};

struct gen_truth;

/* NULL when out of memory; free with gen_truth_free() (NULL is fine). */
struct gen_truth *gen_truth_new(enum gen_truth_mode mode, uint16_t vlan);
void gen_truth_free(struct gen_truth *t);
/* Counts one written frame; -1 if it breaks the unambiguity rules, with
 * the reason in gen_truth_error(). */
int gen_truth_account(struct gen_truth *t, uint64_t ts_us, size_t len,
		      const struct gen_meta *meta);
/* The reason of the last failure; valid as long as t. */
const char *gen_truth_error(const struct gen_truth *t);
/* Records the device-days a long run covered: written as a header line
 * "# device_days N" after "# format" (only when set). */
void gen_truth_set_device_days(struct gen_truth *t, double device_days);
/* Writes the .truth file; returns 0 or -1 (with errno) on I/O error. */
int gen_truth_write(const struct gen_truth *t, FILE *f, const char *link_name,
		    const char *format_name);

#endif /* EW_GEN_TRUTH_H */
