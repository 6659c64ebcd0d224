/*
 * capture-file.h - read packets from capture files (offline analysis).
 *
 * pcap and pcapng through libpcap, "-" for standard input, a directory
 * for its capture files in name order.  Timestamps are always delivered
 * in microseconds whatever the file's precision.
 *
 * Errors are values: a run returns a status and a one-line message naming
 * the file (and, for a damaged file, the byte offset where reading
 * stopped); every packet before that point has been delivered.
 */
#ifndef EW_CAPTURE_FILE_H
#define EW_CAPTURE_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "packet.h"

#define CAPTURE_ERRLEN 512

enum capture_status {
	CAPTURE_OK = 0,
	CAPTURE_ERR_OPEN,     /* missing, unreadable or not a capture file */
	CAPTURE_ERR_LINKTYPE, /* a link type the decoder does not handle */
	CAPTURE_ERR_FILTER,   /* the BPF filter does not compile for this file */
	CAPTURE_TRUNCATED,    /* damaged or cut short: read up to the damage */
};

typedef void (*capture_packet_fn)(void *ctx, int dlt, ew_usec_t ts_us,
				  const uint8_t *data, uint32_t caplen, uint32_t wirelen);

/* Called every few thousand packets with the file position and size (0 if unknown). */
typedef void (*capture_progress_fn)(void *ctx, uint64_t pos, uint64_t size);

struct capture_file_result {
	uint64_t packets;  /* delivered from this file */
	uint64_t filtered; /* read but rejected by the BPF filter */
	int dlt;
};

/*
 * Reads every packet of one file (or "-"), applying bpf when not NULL.
 * Returns CAPTURE_OK or an error status with a message in err.
 */
enum capture_status capture_file_run(const char *path, const char *bpf,
				     capture_packet_fn on_packet, capture_progress_fn on_progress,
				     void *ctx, struct capture_file_result *res,
				     char err[CAPTURE_ERRLEN]);

/*
 * Asks the reader to stop after the current packet (async-signal-safe:
 * meant for SIGINT/SIGTERM handlers).  The run returns CAPTURE_OK with
 * everything read so far delivered.
 */
void capture_request_stop(void);
int capture_stop_requested(void);

/*
 * Checks that a BPF filter compiles (for Ethernet), before any file is
 * read, so a typo stops the run before it has produced anything.
 */
int capture_check_filter(const char *bpf, char err[CAPTURE_ERRLEN]);

/*
 * Expands a -r argument: a directory becomes its capture files (regular
 * files starting with a pcap or pcapng magic number) in name order;
 * anything else is returned as is.  *paths is a malloc'd array of
 * malloc'd strings; free with capture_paths_free().
 */
int capture_expand_path(const char *arg, char ***paths, size_t *npaths,
			char err[CAPTURE_ERRLEN]);
void capture_paths_free(char **paths, size_t npaths);

#endif /* EW_CAPTURE_FILE_H */
