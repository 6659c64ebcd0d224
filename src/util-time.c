/*
 * util-time.c - timestamp formatting (see util-time.h).
 */
#include <stdio.h>
#include <time.h>

#include "util-time.h"

void ew_time_format(ew_usec_t ts_us, char buf[EW_TIMESTAMP_LEN])
{
	time_t secs = (time_t)(ts_us / EW_USEC_PER_SEC);
	unsigned usec = (unsigned)(ts_us % EW_USEC_PER_SEC);
	struct tm tm;

	if (gmtime_r(&secs, &tm) == NULL) {
		snprintf(buf, EW_TIMESTAMP_LEN, "1970-01-01T00:00:00.000000+0000");
		return;
	}
	snprintf(buf, EW_TIMESTAMP_LEN, "%04d-%02d-%02dT%02d:%02d:%02d.%06u+0000",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
		 tm.tm_sec, usec);
}
