/*
 * output-posture.h - the `posture` event (a device's findings changed)
 * and the end-of-run table of devices by finding (docs/events.md).
 *
 * Nothing is owned; the event is built in jb (reset first), -1 when it
 * could not be built.
 */
#ifndef EW_OUTPUT_POSTURE_H
#define EW_OUTPUT_POSTURE_H

#include <stdint.h>
#include <stdio.h>

#include "device.h"
#include "posture.h"
#include "util-json.h"

/* The findings and DNS resolvers of pd, as members of the object open in jb. */
void output_posture_members(struct json_buf *jb, const struct posture_device *pd);

/* d may be NULL (record evicted): the device key is printed instead.  fresh: the new findings. */
int output_posture_event(struct json_buf *jb, ew_usec_t ts, const struct device *d,
			 const struct posture_device *pd, uint32_t fresh);

/*
 * The table: one line per finding that some device has, with the number
 * of devices and the first few of them ("telnet: 2 devices: cam-lobby
 * 44:19:b6:3a:7c:01, ...").  name_of gives a device's label by key.
 */
void output_posture_table(FILE *out, const struct posture *p,
			  const char *(*name_of)(void *ctx, uint64_t key, char *buf, size_t len),
			  void *ctx);

#endif /* EW_OUTPUT_POSTURE_H */
