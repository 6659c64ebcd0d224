/*
 * baseline-store.h - the baselines on disk, so learning survives restarts.
 *
 * One binary file in the state directory, written atomically (temporary
 * file, fsync, rename; util-file.h):
 *
 *   header  "EWBASEL\\0", u32 version, u32 record size, u32 bin seconds,
 *           u32 zero, u64 record count             (32 bytes, host order)
 *   record  u64 device key, the baseline record (baseline.h), u64 check
 *
 * where check is ew_hash64 of key and record.  Host byte order: the file
 * is the sensor's own memory, not an exchange format.
 *
 * Loading never fails the sensor.  A file of another version, record size
 * or bin length (bins would mean something else) is INCOMPATIBLE; a file
 * cut short, with a bad check or an impossible field is CORRUPT.  Either
 * way the file is renamed aside ("path.incompatible", "path.corrupt") for
 * a person to look at, the reason is returned, nothing of it is kept, and
 * the devices learn again.
 */
#ifndef EW_BASELINE_STORE_H
#define EW_BASELINE_STORE_H

#include <stddef.h>

#include "baseline-table.h"

#define BASELINE_STORE_FILE "baselines.state"
#define BASELINE_STORE_VERSION 2u

enum baseline_store_result {
	BASELINE_STORE_OK = 0,
	BASELINE_STORE_MISSING,      /* no file yet: a first run */
	BASELINE_STORE_CORRUPT,      /* damaged: set aside, nothing loaded */
	BASELINE_STORE_INCOMPATIBLE, /* another version or bin length: set aside */
	BASELINE_STORE_IO_ERROR,     /* could not read or write */
};

enum baseline_store_result baseline_store_save(struct baseline_table *t, uint32_t bin_s,
					       const char *path, char *err, size_t errlen);

/*
 * Loads into t (which should be empty; it is left empty when the file is
 * not loaded); *loaded receives the number of baselines.
 */
enum baseline_store_result baseline_store_load(struct baseline_table *t, uint32_t bin_s,
					       const char *path, size_t *loaded, char *err,
					       size_t errlen);

#endif /* EW_BASELINE_STORE_H */
