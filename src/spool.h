/*
 * spool.h - a bounded, append-only journal of opaque records on disk.
 *
 * The Redis output keeps here what it could not deliver, and replays it in
 * order when the server is back.  The file is
 *
 *     header   "EWSPOOL1"  head (u64 LE)  ew_hash64(head bytes, SPOOL_SEED) (u64 LE)
 *     records  len (u32 LE)  ew_hash64(payload, SPOOL_SEED) (u64 LE)  payload
 *
 * "head" is the offset of the first record not yet delivered: records
 * before it were consumed.  It is rewritten in place (8 + 8 bytes, one
 * pwrite) as records are consumed, so that a restart replays little that
 * was already delivered; a torn or stale head only means a record is
 * delivered twice, never that one is skipped, because the head is written
 * only after delivery.  When every record is consumed the file is cut back
 * to its header.
 *
 * At open the records from head on are checked; the first one that is
 * cut short or fails its checksum ends the journal: the file is truncated
 * there and the bytes dropped are counted (a crash mid-append leaves such
 * a tail; nothing after a damaged record can be trusted to start on a
 * record boundary).
 *
 * Durability: write() puts records in the page cache, which survives a
 * crash of edgewatch; fsync(), which is what survives a power cut, is
 * paid once per SPOOL_FSYNC_RECORDS appends or SPOOL_FSYNC_INTERVAL_MS,
 * whichever comes first, and at spool_sync() and close.  A record per
 * fsync would cost a flash write per event exactly when events pile up
 * (the server is down); the window lost to a power cut is bounded instead.
 *
 * The cap is on the file's size, header included: an append that would
 * pass it is refused and counted, never blocks.
 *
 * Not thread-safe: one owner calls all functions.  Nothing is printed.
 */
#ifndef EW_SPOOL_H
#define EW_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#define SPOOL_HEADER_BYTES 24u
#define SPOOL_RECORD_HEADER_BYTES 12u
#define SPOOL_RECORD_MAX (4u * 1024u * 1024u) /* payload bytes; more is damage */
#define SPOOL_SEED 0x65777370u                /* "ewsp": fixes the checksums' values */
#define SPOOL_FSYNC_RECORDS 64u
#define SPOOL_FSYNC_INTERVAL_MS 1000u
#define SPOOL_ERRLEN 256

struct spool;

struct spool_stats {
	uint64_t records;         /* not yet consumed, in the file */
	uint64_t file_bytes;      /* the file's size */
	uint64_t appended;        /* records appended since open */
	uint64_t consumed;        /* records consumed since open */
	uint64_t refused_full;    /* appends refused by the cap */
	uint64_t corrupt_bytes;   /* bytes of damaged tail truncated (at open or read) */
	uint64_t corrupt_tails;   /* times a damaged tail was found */
	uint64_t fsyncs;
};

/*
 * Opens (creating it, mode 0600) the journal at path, capped at
 * cap_bytes (at least SPOOL_HEADER_BYTES).  NULL with "path: problem" in
 * err on an I/O error or a file that is not a journal (it is left alone:
 * it may be somebody's data).  The records already in it are kept.
 */
struct spool *spool_open(const char *path, uint64_t cap_bytes, char *err, size_t errlen);

/*
 * Appends one record of len bytes.  0; 1 when the cap refused it
 * (counted); -1 on an I/O error (message in spool_error()).
 */
int spool_append(struct spool *sp, const void *data, size_t len);

/*
 * Replay: *pos starts at spool_head(); each call yields the record there
 * and advances *pos past it.  *data stays valid until the next call or
 * consume.  1 with a record, 0 at the end, -1 on damage (the tail from
 * *pos is truncated and counted) or an I/O error.
 */
uint64_t spool_head(const struct spool *sp);
int spool_read(struct spool *sp, uint64_t *pos, const void **data, size_t *len);

/*
 * Marks the nrecords records before pos (a value from spool_read)
 * consumed; when none is left the file is cut back to its header.  0 or
 * -1.
 */
int spool_consume(struct spool *sp, uint64_t pos, uint64_t nrecords);

/* fsync now if anything was appended since the last one.  0 or -1. */
int spool_sync(struct spool *sp);

/* Records not yet consumed. */
uint64_t spool_pending(const struct spool *sp);

void spool_get_stats(const struct spool *sp, struct spool_stats *st);

/* The last I/O error, or "". */
const char *spool_error(const struct spool *sp);

/* Syncs and closes; accepts NULL. */
void spool_close(struct spool *sp);

#endif /* EW_SPOOL_H */
