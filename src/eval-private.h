/*
 * eval-private.h - what the three parts of the evaluator share
 * (eval-labels.c: identities, times and the labels CSV; eval-events.c:
 * reading event lines into records; eval-score.c: scoring the records
 * against the labels).  Nothing else includes it: everyone else goes
 * through eval.h.
 *
 * The records are kept compact and flat so that an event file of any
 * size costs memory only for what is kept; every array has a cap
 * (EVAL_DETECTIONS_MAX, EVAL_DEVICES_MAX) and a counter for hitting it.
 */
#ifndef EW_EVAL_PRIVATE_H
#define EW_EVAL_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eval.h"

/* Twice the cap, a power of two: linear probing stays short. */
#define DEVSET_SLOTS (2u * EVAL_DEVICES_MAX)

enum det_status { DET_OPENED = 0, DET_ESCALATED };

/* An opened or escalated incident: a detection of dev at ts_us. */
struct det {
	struct eval_dev dev;
	uint8_t status;   /* enum det_status */
	bool has_id;
	uint64_t incident;
	int64_t ts_us;
	int64_t close_us; /* set by scoring: when the incident closed */
	char cause[EVAL_CAUSE_MAX];
	char severity[EVAL_SEVERITY_MAX];
};

struct close_rec {
	uint64_t incident;
	int64_t ts_us;
};

struct eval {
	struct ejson *json;
	char *line; /* eval_read's buffer: EVAL_LINE_MAX bytes */
	struct det *det;
	size_t ndet, det_cap;
	struct close_rec *close;
	size_t nclose, close_cap;
	struct eval_dev *devset; /* DEVSET_SLOTS; kind NONE = empty */
	struct eval_counts c;
};

/* One bounded message into err (errlen 0: none); returns -1. */
__attribute__((format(printf, 3, 4)))
int eval_errf(char *err, size_t errlen, const char *fmt, ...);

/* A lowercase "aa:bb:cc:dd:ee:ff" into d; -1 if it is not one (d's kind untouched). */
int eval_parse_mac(struct eval_dev *d, const char *s, size_t n);
/* An IPv4 or IPv6 address (n bytes, no NUL) into d, IPv4-mapped as IPv4; -1 if neither. */
int eval_parse_ip(struct eval_dev *d, const char *s, size_t n);
/* An evicted record's "device_key": exactly 16 lowercase hex digits. */
int eval_parse_hex64(const char *s, size_t n, uint64_t *out);

#endif /* EW_EVAL_PRIVATE_H */
