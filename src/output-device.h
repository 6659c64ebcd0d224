/*
 * output-device.h - `device` events and the inventory.
 *
 * A device event says what happened (new, changed, gone) and who the
 * device is (MAC, vendor, addresses); a change names the field, the
 * values before and the new value.  The inventory is the full record of
 * every device with every signal and when it was first and last seen,
 * as JSON (one object per device) or as a table for people.
 */
#ifndef EW_OUTPUT_DEVICE_H
#define EW_OUTPUT_DEVICE_H

#include <stdio.h>

#include "baseline.h"
#include "device-rules.h"
#include "device-table.h"
#include "posture.h"
#include "util-json.h"

/* Formats a device event into jb (reset first); 0, or -1 when it could not be built. */
int output_device_event(struct json_buf *jb, const struct device *d,
			const struct device_change *ch);

/*
 * Formats one inventory record into jb (reset first), with the evidence
 * for its class when rules are given (NULL: class fields only), what
 * its behavioural baseline holds when bs is given, and its posture
 * audit record (posture.h: findings and DNS resolvers) when pd is given
 * (NULL: the audit is off or saw nothing of the device).  Nothing is kept.
 */
int output_device_inventory(struct json_buf *jb, const struct device *d,
			    const struct device_rules *rules, const struct baseline_summary *bs,
			    const struct posture_device *pd);

/*
 * Writes one row of the readable table (and the header first when header
 * is set); the FINDINGS column names pd's findings ("telnet,http_clear"),
 * cut to its width, "-" when pd is NULL or has none.
 */
void output_device_table_row(FILE *out, const struct device *d, const struct posture_device *pd,
			     bool header);

void output_mac_text(const uint8_t mac[6], char buf[18]);

/* The device's identity members (key, vendor, addresses, class) into the open object. */
void output_device_identity(struct json_buf *jb, const struct device *d);

/* The name an operator knows the device by (DHCP, NetBIOS, LLMNR, mDNS, LLDP), or "". */
const char *output_device_name(const struct device *d);

#endif /* EW_OUTPUT_DEVICE_H */
