/*
 * output-syslog.h - event lines as RFC 5424 syslog messages.
 *
 * Each line becomes one message
 *     <PRI>1 TIMESTAMP HOST APP-NAME PROCID MSGID - MSG
 * with PRI = facility * 8 + severity, TIMESTAMP the time of sending in UTC
 * with microseconds, MSGID the line's event_type, no structured data ("-")
 * and MSG the JSON line itself.  The severity comes from the event: alert
 * and anomaly events by their "severity" field (critical 2, high 3,
 * medium 4, low 5, info 6), every other event informational (6).  The two
 * fields are found by a short scan of the line, not by parsing it.
 *
 * Transports: the local socket (/dev/log or unix:///PATH, datagrams), UDP
 * (RFC 5426: one message per datagram, cut at OUTPUT_SYSLOG_UDP_MAX_BYTES)
 * and TCP (RFC 6587 octet counting, "LEN SP MSG"; reconnects with
 * backoff).  No call waits longer than the configured timeout: the sink
 * runs on the output thread (output-queue.h), where a stalled collector
 * would hold up every other output.  A message that cannot be sent within
 * it is an error, counted by the queue; nothing is retried or kept.
 *
 * Ownership: the sink copies what it needs from the configuration.
 * Nothing here prints.
 */
#ifndef EW_OUTPUT_SYSLOG_H
#define EW_OUTPUT_SYSLOG_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "output.h"

#define OUTPUT_SYSLOG_DEFAULT_SOCKET "/dev/log"
#define OUTPUT_SYSLOG_DEFAULT_PORT 514u         /* RFC 5426 (UDP); also the usual TCP port */
#define OUTPUT_SYSLOG_UDP_MAX_BYTES 8192u       /* a datagram; longer messages are cut */
#define OUTPUT_SYSLOG_UNIX_MAX_BYTES 65536u     /* a local datagram; the local daemon's limit */
#define OUTPUT_SYSLOG_TIMEOUT_MS 1000u          /* default send/connect timeout */
#define OUTPUT_SYSLOG_APP_NAME_MAX 48u          /* RFC 5424 APP-NAME */
#define OUTPUT_SYSLOG_HOST_MAX 255u             /* RFC 5424 HOSTNAME */
#define OUTPUT_SYSLOG_HEADER_MAX 512u           /* PRI .. "- " with the longest fields */

enum output_syslog_transport {
	OUTPUT_SYSLOG_UNIX, /* datagrams to a local socket */
	OUTPUT_SYSLOG_UDP,
	OUTPUT_SYSLOG_TCP,
};

/* A parsed output.syslog.target. */
struct output_syslog_target {
	enum output_syslog_transport transport;
	char host[256]; /* UDP/TCP: a name or an address, without [] */
	char port[6];   /* UDP/TCP: decimal, 1..65535 */
	char path[108]; /* unix: the socket path (sun_path's size) */
};

struct output_syslog_config {
	const char *target;     /* "" or NULL: /dev/log; "udp://HOST[:PORT]",
				 * "tcp://HOST[:PORT]" ([v6] in brackets), "unix:///PATH" */
	uint32_t facility;      /* 0..23 (conf.h: output.syslog.facility) */
	const char *app_name;   /* 1..48 printable ASCII characters, no space */
	const char *hostname;   /* NULL: gethostname(); anything else is made printable */
	uint32_t timeout_ms;    /* longest wait per message or connect; 0 = default */
	uint32_t backoff_min_ms; /* TCP: first wait before reconnecting; 0 = 1000 */
	uint32_t backoff_max_ms; /* TCP: the wait doubles up to this; 0 = 60000 */
	/* The clock for TIMESTAMP (tests); NULL = clock_gettime(CLOCK_REALTIME). */
	void (*now)(struct timespec *ts);
};

/*
 * Parses a target; 0, or -1 with "output.syslog.target: problem" in err.
 * Does not resolve names (for `edgewatch -n`).
 */
int output_syslog_parse_target(const char *text, struct output_syslog_target *t, char *err,
			       size_t errlen);

/*
 * Opens the sink: parses the target, resolves UDP/TCP host names (once,
 * now: a name that does not resolve at start is a configuration error)
 * and checks app_name.  Does not connect: a collector that is down at
 * start is an error on the first lines, not a reason not to start.  NULL
 * with a message in err.
 */
struct output_sink *output_syslog_open(const struct output_syslog_config *cfg, char *err,
				       size_t errlen);

/* Counters beyond the queue's: messages cut to fit a datagram, (re)connections made. */
struct output_syslog_stats {
	uint64_t sent, truncated, connects, send_errors;
};
/* s must come from output_syslog_open(); the counters are atomic: any thread may read them. */
void output_syslog_stats(const struct output_sink *s, struct output_syslog_stats *st);

/*
 * The syslog severity (RFC 5424, 0..7) of an event line: 2..6 for alert
 * and anomaly events by their severity, 6 otherwise.  Reads at most the
 * first OUTPUT_SYSLOG_SCAN_BYTES of the line.
 */
#define OUTPUT_SYSLOG_SCAN_BYTES 16384u
unsigned output_syslog_severity(const char *line, size_t len);

/*
 * Formats the message header into buf (OUTPUT_SYSLOG_HEADER_MAX bytes):
 * "<PRI>1 TIMESTAMP HOST APP PROCID MSGID - ", for the line that follows
 * it.  host and app must already be printable (the sink checks them).
 * Returns the header's length.
 */
size_t output_syslog_header(char *buf, uint32_t facility, const struct timespec *now,
			    const char *host, const char *app, long procid, const char *line,
			    size_t len);

#endif /* EW_OUTPUT_SYSLOG_H */
