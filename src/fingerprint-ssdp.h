/*
 * fingerprint-ssdp.h - parse SSDP messages (UPnP discovery, HTTP over
 * UDP port 1900) into the few header values that identify a device.
 *
 * Three start lines are understood: "NOTIFY * HTTP/1.1" (an announcement),
 * "M-SEARCH * HTTP/1.1" (a search) and "HTTP/1.x <status> <reason>" (a
 * search response).  Header names are compared without regard to ASCII
 * case; lines may end in CRLF or a bare LF.  Eight values are kept, each
 * cut to SSDP_VALUE_MAX - 1 bytes with a flag when cut.
 *
 * Strict where it matters, lenient where devices are sloppy.  These stop
 * the parse with a named result: an empty message, an unknown start line,
 * a line longer than SSDP_LINE_MAX, more than SSDP_MAX_HEADERS header
 * lines.  These are quirks, recorded as bits and otherwise tolerated
 * (odd but real devices send them, and they help tell devices apart): a
 * bare LF, a header line without a colon (skipped), NUL bytes (read as
 * spaces, as RFC 9110 5.5 allows), a repeated header (the first is kept),
 * a folded continuation line (skipped), a last line with no line end, no
 * empty line at the end, bytes after the empty line, a request target
 * other than "*".
 *
 * Memory: struct ssdp_info is fixed, about 2 KiB (2 096 bytes on x86-64:
 * eight values of 258 bytes; the unit test prints it), with no
 * allocation; ssdp_parse() uses about 2 KiB of stack for one line.  ssdp_parse()
 * reads p only during the call and copies what it keeps.  On error, out
 * still holds the start line and the headers read before the fault.
 */
#ifndef EW_FINGERPRINT_SSDP_H
#define EW_FINGERPRINT_SSDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SSDP_PORT 1900
/*
 * Longest line, without its line end.  Real SSDP lines are under 300
 * bytes (LOCATION URLs, USNs); 2 KiB leaves room for verbose vendors
 * while refusing a header built to be huge.
 */
#define SSDP_LINE_MAX 2048
/* Header lines read per message; real messages have 5 to 15. */
#define SSDP_MAX_HEADERS 64
/* Bytes kept of one value, with its NUL. */
#define SSDP_VALUE_MAX 256

enum ssdp_kind {
	SSDP_KIND_NONE = 0,
	SSDP_KIND_NOTIFY,
	SSDP_KIND_MSEARCH,
	SSDP_KIND_RESPONSE,
};

enum ssdp_result {
	SSDP_OK = 0,
	SSDP_ERR_ARGS,             /* NULL message or info */
	SSDP_ERR_EMPTY,            /* no bytes at all */
	SSDP_ERR_START_LINE,       /* not one of the three start lines */
	SSDP_ERR_LINE_TOO_LONG,    /* a line over SSDP_LINE_MAX */
	SSDP_ERR_TOO_MANY_HEADERS, /* more than SSDP_MAX_HEADERS header lines */
	SSDP_RESULT_MAX
};

/* Quirk bits: legal-but-odd or sloppy things seen while parsing. */
#define SSDP_QUIRK_BARE_LF 0x0001      /* a line ended in LF without CR */
#define SSDP_QUIRK_NO_COLON 0x0002     /* a header line without ':' was skipped */
#define SSDP_QUIRK_NUL 0x0004          /* NUL bytes were read as spaces */
#define SSDP_QUIRK_DUPLICATE 0x0008    /* a kept header came twice; the first won */
#define SSDP_QUIRK_FOLDED 0x0010       /* a continuation line (obs-fold) was skipped */
#define SSDP_QUIRK_NO_LINE_END 0x0020  /* the last line had no line end */
#define SSDP_QUIRK_NO_EMPTY_LINE 0x0040 /* the message ended before an empty line */
#define SSDP_QUIRK_BODY 0x0080         /* bytes after the empty line */
#define SSDP_QUIRK_TARGET 0x0100       /* request target was not "*" */
#define SSDP_QUIRK_SPACE_NAME 0x0200   /* whitespace inside or after a header name */
#define SSDP_QUIRK_EMPTY_NAME 0x0400   /* a line began with ':' */

struct ssdp_value {
	char text[SSDP_VALUE_MAX]; /* trimmed of surrounding spaces and tabs */
	bool present;
	bool cut;                  /* longer than SSDP_VALUE_MAX - 1 bytes */
};

struct ssdp_info {
	enum ssdp_kind kind;
	uint16_t status;     /* responses: 200 for "HTTP/1.1 200 OK" */
	uint8_t http_minor;  /* the x of HTTP/1.x */
	struct ssdp_value server;        /* responses and NOTIFY: OS, UPnP and product */
	struct ssdp_value nt, nts;       /* NOTIFY: type, ssdp:alive / ssdp:byebye */
	struct ssdp_value usn;
	struct ssdp_value st;            /* M-SEARCH target; responses echo it */
	struct ssdp_value location;      /* URL of the device description */
	struct ssdp_value user_agent;    /* M-SEARCH */
	struct ssdp_value cache_control; /* "max-age=1800" */
	size_t nheaders;     /* header lines read, kept or not */
	uint32_t quirks;     /* SSDP_QUIRK_* */
	enum ssdp_result result;
	size_t err_line;     /* 1-based line where the parse stopped, on error */
};

/* Parses one SSDP datagram.  Never reads outside [p, p + len). */
enum ssdp_result ssdp_parse(const uint8_t *p, size_t len, struct ssdp_info *out);

/* A stable dotted name for a result ("ssdp.bad_start_line"), for counters. */
const char *ssdp_result_name(enum ssdp_result r);

#endif /* EW_FINGERPRINT_SSDP_H */
