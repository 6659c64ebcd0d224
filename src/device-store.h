/*
 * device-store.h - the device inventory on disk, so it survives restarts.
 *
 * A small line-oriented text file, versioned, one record per line:
 *
 *   edgewatch-inventory 1
 *   D <mac> <first_us> <last_us> <pkts_out> <bytes_out> <pkts_in> <bytes_in>
 *     <flows_out> <flows_in> <routed>
 *   A <address> <source> <first_us> <last_us>
 *   S <signal kind> <count> <first_us> <last_us> <value>
 *
 * A and S lines belong to the D line above them.  Fields are separated by
 * one space; values are escaped (%XX for bytes below 0x21, above 0x7e and
 * '%'), so a value is one field whatever bytes it holds.  Text rather
 * than JSON: the reader is a few bounded lines of code, not a parser.
 *
 * Saving is atomic: a temporary file in the same directory, fsync, rename,
 * fsync of the directory; a crash leaves the old file or the new one.
 * Loading a damaged file never fails the sensor: the file is renamed to
 * "<path>.corrupt" (set aside for a person to look at), the problem is
 * reported as "FILE:LINE: problem", and the table is rebuilt from traffic.
 */
#ifndef EW_DEVICE_STORE_H
#define EW_DEVICE_STORE_H

#include <stddef.h>

#include "device-table.h"

#define DEVICE_STORE_FILE "inventory.state"
#define DEVICE_STORE_LINE_MAX 4096 /* longest line accepted */

enum device_store_result {
	STORE_OK = 0,   /* loaded (or saved) */
	STORE_MISSING,  /* no file yet: a first run */
	STORE_CORRUPT,  /* damaged: set aside as .corrupt, nothing loaded */
	STORE_IO_ERROR, /* could not read or write; message in err */
};

/* Writes every device of dt to path atomically. */
enum device_store_result device_store_save(const struct device_table *dt, const char *path,
					   char *err, size_t errlen);

/*
 * Loads path into dt (which should be empty), without device events:
 * these devices are known.  *loaded receives the number of devices.
 */
enum device_store_result device_store_load(struct device_table *dt, const char *path,
					   size_t *loaded, char *err, size_t errlen);

#endif /* EW_DEVICE_STORE_H */
