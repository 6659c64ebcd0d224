/*
 * util-time.h - timestamps in events.
 */
#ifndef EW_UTIL_TIME_H
#define EW_UTIL_TIME_H

#include <stddef.h>

#include "packet.h"

#define EW_TIMESTAMP_LEN 96 /* 31 in practice; room for absurd years */

/*
 * Formats a packet time as "2026-03-02T08:00:01.123456+0000" (UTC, so the
 * same capture gives the same text on every machine).
 */
void ew_time_format(ew_usec_t ts_us, char buf[EW_TIMESTAMP_LEN]);

#endif /* EW_UTIL_TIME_H */
