/*
 * eval.h - scoring edgewatch's detections against labelled attacks.
 *
 * The ground truth is a labels CSV (one row per attack: device, start,
 * end, scenario); the detections are edgewatch's anomaly and alert
 * events.  Scoring (docs/detection.md, "Evaluation"):
 *
 *   - an anomaly or alert event with incident status "opened" or
 *     "escalated" is a detection of its device at its timestamp;
 *   - a row is detected by the first detection naming its device inside
 *     [start, end + tolerance]; latency = that time - start.  If an
 *     incident of the device opened before start was still open at start
 *     (its "closed" event, if any, is at or after start), the row is
 *     detected "already open" with latency 0 and that incident's cause;
 *   - every "opened" event falls in exactly one of three sets: on target
 *     (inside a window of a row naming its device), collateral (inside a
 *     window of another device's row) or false (neither: benign parts);
 *   - device-days = distinct devices (named in device, anomaly or alert
 *     events; not the bare keys of evicted records, which may repeat a
 *     named one) x (last - first event timestamp, any event) / 86400.
 *
 * Devices are compared as identities, not text: a MAC, an IPv4 or IPv6
 * address (an IPv4-mapped IPv6 one is the IPv4 one) or an evicted
 * record's 64-bit key.  A row naming a MAC matches events whose device
 * has that "mac"; a row naming an address matches IP-keyed devices.
 *
 * Errors are values: functions return 0/-1 and write one bounded line
 * into err ("FILE:LINE: problem" for the labels).  Malformed event lines
 * are counted (struct eval_counts), never fatal.  Nothing is printed.
 *
 * Bounded: labels files of EVAL_LABELS_FILE_MAX bytes and EVAL_LABELS_MAX
 * rows; event lines of EVAL_LINE_MAX bytes; EVAL_DETECTIONS_MAX stored
 * detections and closes, EVAL_DEVICES_MAX devices (past those, counted as
 * dropped).  Scoring costs O((D + L) log(D + L)) for D detections and L
 * rows, plus the detections inside each row's window.
 *
 * Ownership: eval_labels and eval_result own their arrays (free with
 * their _free functions, which accept zeroed structs).  A result's rows
 * point into the labels it was scored against.
 */
#ifndef EW_EVAL_H
#define EW_EVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define EVAL_LABELS_FILE_MAX (16u << 20)
#define EVAL_LABELS_MAX 16384
#define EVAL_LABEL_LINE_MAX 512      /* bytes of one labels line */
#define EVAL_SCENARIO_MAX 64         /* bytes of a scenario name */
#define EVAL_LINE_MAX (1u << 20)     /* bytes of one event line, newline excluded */
#define EVAL_DETECTIONS_MAX (1u << 18) /* about 32 MiB of records at most */
#define EVAL_DEVICES_MAX 65536
#define EVAL_CAUSE_MAX 64            /* bytes of a cause, NUL included (as incident.h) */
#define EVAL_SEVERITY_MAX 16
#define EVAL_SECONDS_MAX 100000000000LL /* largest Unix seconds accepted: year 5138 */
#define EVAL_TOLERANCE_DEFAULT_US (60 * 1000000LL)
#define EVAL_ERRLEN 256
#define EVAL_DEV_STRLEN 48

enum eval_dev_kind { EVAL_DEV_NONE = 0, EVAL_DEV_MAC, EVAL_DEV_IP4, EVAL_DEV_IP6, EVAL_DEV_KEY };

/* A device identity: kind and its bytes (6, 4, 16 or 8 big-endian), the rest zero. */
struct eval_dev {
	uint8_t kind;
	uint8_t b[16];
};

/* A lowercase MAC "aa:bb:cc:dd:ee:ff" or an IP address; -1 if neither. */
int eval_dev_parse(struct eval_dev *d, const char *s, size_t n);
/* Text form: the MAC, the address, or "key:<16 hex>". */
void eval_dev_format(const struct eval_dev *d, char buf[EVAL_DEV_STRLEN]);

/* Unix seconds with at most 6 decimals ("12", "12.5", "12.000001") in microseconds. */
int eval_seconds_parse(const char *s, size_t n, int64_t *us);

/*
 * An RFC 3339 time as edgewatch writes it: "2026-03-02T08:00:01.250000Z";
 * 0 to 9 decimals (kept to the microsecond), offset "Z", "+HH:MM" or
 * "+HHMM" (either sign).  Microseconds since the epoch; -1 if malformed.
 */
int eval_time_parse(const char *s, size_t n, int64_t *us);

/* ------------------------------------------------------------ labels */

struct eval_label {
	struct eval_dev dev;
	int64_t start_us, end_us;
	char scenario[EVAL_SCENARIO_MAX + 1];
	unsigned line; /* in the file, 1-based */
};

struct eval_labels {
	struct eval_label *row;
	size_t n;
};

/*
 * Parses a labels CSV (see docs/detection.md): header
 * "device,start,end,scenario", then one row per attack; CRLF, blank
 * lines and lines starting with '#' are fine, anything else wrong is
 * "NAME:LINE: problem".  *out is set only on success.
 */
int eval_labels_parse(const char *name, const char *text, size_t len, struct eval_labels *out,
		      char *err, size_t errlen);
int eval_labels_load(const char *path, struct eval_labels *out, char *err, size_t errlen);
void eval_labels_free(struct eval_labels *l);

/* ------------------------------------------------------------ events */

struct eval_counts {
	uint64_t lines;           /* non-blank lines read */
	uint64_t events;          /* parsed and usable */
	uint64_t too_long;        /* longer than EVAL_LINE_MAX: skipped */
	uint64_t malformed;       /* not JSON: skipped */
	uint64_t unusable;        /* JSON, but no object, timestamp or (detections) device/incident */
	uint64_t detections;      /* opened + escalated events stored */
	uint64_t opened;          /* of which "opened" */
	uint64_t closes;          /* "closed" events stored */
	uint64_t dropped;         /* detections or closes past EVAL_DETECTIONS_MAX */
	uint64_t devices;         /* distinct devices */
	uint64_t devices_dropped; /* device sightings past EVAL_DEVICES_MAX */
	uint64_t timed;           /* events with a timestamp */
	int64_t first_us, last_us; /* their span; valid when timed > 0 */
};

struct eval;

struct eval *eval_create(void); /* NULL when out of memory */
void eval_destroy(struct eval *e); /* accepts NULL */

/* One event line (len bytes, no newline needed); problems are counted. */
void eval_add_line(struct eval *e, const char *line, size_t len);

/* Every line of f; -1 on a read error (counts kept for what was read). */
int eval_read(struct eval *e, FILE *f, char *err, size_t errlen);

const struct eval_counts *eval_counts(const struct eval *e);

/* ------------------------------------------------------------ scoring */

struct eval_row {
	const struct eval_label *label;
	bool detected;
	bool already_open;
	int64_t latency_us;                /* when detected */
	char cause[EVAL_CAUSE_MAX];        /* of the first detection: "anomaly" or a rule id */
	char severity[EVAL_SEVERITY_MAX];  /* "" when the event gave none */
	uint64_t collateral;               /* "opened" of other devices in the window */
};

struct eval_result {
	struct eval_row *row; /* one per label, in file order */
	size_t n, detected;
	double latency_median_s, latency_max_s; /* NaN when nothing detected */
	uint64_t opened, on_target, collateral, false_alerts;
	uint64_t devices;
	double span_s, device_days;
	double false_per_100dd; /* NaN when device_days is 0 */
};

/*
 * Scores what e read against l; -1 only when out of memory.  Sorts e's
 * records in place (more lines may still be added and scored again).
 */
int eval_score(struct eval *e, const struct eval_labels *l, int64_t tolerance_us,
	       struct eval_result *out, char *err, size_t errlen);
void eval_result_free(struct eval_result *r);

/* Pass/fail thresholds; a negative value means "not asked". */
struct eval_limits {
	bool require_detected;
	double max_latency_s;       /* every row detected within it */
	double max_median_s;        /* median of detected rows within it */
	double max_false_per_100dd;
};

/*
 * 0 when r meets every limit asked; -1 with the first unmet one in why.
 * An undetected row fails max_latency_s; no detection at all (with rows)
 * fails max_median_s; false alerts over zero device-days fail
 * max_false_per_100dd.
 */
int eval_check(const struct eval_result *r, const struct eval_limits *lim, char *why,
	       size_t len);

#endif /* EW_EVAL_H */
