/*
 * output-flow.h - the `flow` event: one JSON line per ended flow.
 *
 * Field names follow Suricata's EVE format where the concept is the same;
 * docs/events.md documents every field.
 */
#ifndef EW_OUTPUT_FLOW_H
#define EW_OUTPUT_FLOW_H

#include "dpi.h"
#include "flow.h"
#include "util-json.h"

/* Lowercase application protocol for app_proto ("tls", "dns", "unknown"). */
void output_flow_app_proto(const struct dpi *d, const struct flow *f, char *buf, size_t len);

/* IANA-style name of an IP protocol ("TCP", "IPv6-ICMP", "47"). */
const char *output_ip_proto_name(uint8_t proto, char *buf, size_t len);

/*
 * Formats the flow event into jb (reset first); app_proto is the flow's
 * output_flow_app_proto(), which the caller has already worked out.
 * Returns 0, or -1 when the event could not be built (jb->err).
 */
int output_flow_format(struct json_buf *jb, const struct flow *f, enum flow_end_reason why,
		       const struct dpi *d, const char *app_proto);

#endif /* EW_OUTPUT_FLOW_H */
