/*
 * fingerprint-dhcp.h - read a DHCPv4/BOOTP message (RFC 2131, RFC 2132)
 * into the signals that identify the device that sent it.
 *
 * The input is a UDP payload from port 67 or 68.  dhcp_parse() copies
 * what it keeps into *out, so nothing in the result points into the
 * packet, and the packet may go away as soon as the call returns.  The
 * parse never allocates and never prints; malformed input is reported
 * through the return value.
 *
 * What the parser accepts:
 *   - The magic cookie 99.130.83.99 at offset 236 is required.  Plain
 *     BOOTP without it (RFC 951 vendor area) is DHCP_NOT_DHCP: today it
 *     is rarer on these ports than junk, and its vendor area has no
 *     fingerprint worth the risk of reading junk as one.  BOOTP with the
 *     cookie (RFC 1497 vendor extensions) parses, with msg_type 0.
 *   - Options are read from the options field and, when option 52 in the
 *     options field says so, from the file field and then the sname
 *     field, in that order (RFC 2131 4.1, RFC 3396 5).
 *   - A repeated option is concatenated, as RFC 3396 asks: option 55
 *     sent twice is one list, a repeated host name one string.  An option
 *     of fixed size (50, 52, 53, 54, 57) whose pieces do not add up to
 *     that size is ignored and reported as DHCP_BAD_VALUE.
 *   - Pad (0) is skipped; end (255) ends the field it is in.  A field
 *     without an end option is fine when every option in it is whole.
 *
 * Strings (host name, vendor class, FQDN, MUD URL) are the bytes as sent: they may
 * hold NUL, control or non-UTF-8 bytes, so use the _len fields, not
 * strlen(); each also has a NUL after its last byte.  Escaping is the
 * output stage's job.
 */
#ifndef EW_FINGERPRINT_DHCP_H
#define EW_FINGERPRINT_DHCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DHCP_NAME_MAX 64    /* host name (12) kept, bytes */
#define DHCP_VENDOR_MAX 128 /* vendor class id (60) kept, bytes */
#define DHCP_PRL_MAX 255    /* parameter request list (55) kept, option codes */
#define DHCP_FQDN_MAX 255   /* client FQDN (81) kept, bytes of text */
#define DHCP_MUD_URL_MAX 255 /* MUD URL (161) kept, bytes */
#define DHCP_ORDER_MAX 255  /* option codes listed in options_order */

/* Room for n codes as text: up to three digits and a ',' each, and the NUL. */
#define DHCP_CODE_TEXT_SIZE(n) ((n) * 4 + 1)

/* FQDN (81) flag bits (RFC 4702 2.1). */
#define DHCP_FQDN_FLAG_S 0x01 /* the server should update the A record */
#define DHCP_FQDN_FLAG_O 0x02 /* the server overrode the client's S */
#define DHCP_FQDN_FLAG_E 0x04 /* the name is in DNS wire format */
#define DHCP_FQDN_FLAG_N 0x08 /* the server should do no updates */

enum dhcp_result {
	DHCP_OK = 0,
	/* No magic cookie at offset 236, or op is neither 1 nor 2. */
	DHCP_NOT_DHCP,
	/* Shorter than the 236-byte fixed header plus the 4-byte cookie. */
	DHCP_TRUNCATED,
	/*
	 * An option's length byte, or its value, runs past the end of the
	 * field it is in.  The options cannot be framed beyond it, so parsing
	 * stopped there: everything before it (the fixed header and earlier
	 * options) is in *out, nothing after it is.  Takes precedence over
	 * DHCP_BAD_VALUE.
	 */
	DHCP_BAD_OPTION,
	/*
	 * Every option was framed, but at least one had a length or content
	 * its code does not allow (option 53 of two bytes, a compression
	 * pointer in option 81, option 52 outside the options field).  That
	 * option was ignored; everything else is in *out.
	 */
	DHCP_BAD_VALUE,
	DHCP_RESULT_MAX
};

struct dhcp_info {
	uint8_t op;       /* 1 request, 2 reply */
	uint8_t msg_type; /* option 53; 0 when absent (BOOTP with the cookie) */
	uint8_t chaddr[6]; /* client MAC, when htype is 1 and hlen 6 */
	bool has_chaddr;
	uint8_t ciaddr[4], yiaddr[4], siaddr[4];

	uint8_t requested_ip[4]; /* option 50 */
	bool has_requested_ip;
	uint8_t server_id[4]; /* option 54 */
	bool has_server_id;
	uint16_t max_msg_size; /* option 57, bytes */
	bool has_max_msg_size;

	/* Option 12, bytes as sent. */
	char hostname[DHCP_NAME_MAX + 1];
	size_t hostname_len;
	/* Option 60, bytes as sent: "MSFT 5.0", "android-dhcp-13". */
	char vendor_class[DHCP_VENDOR_MAX + 1];
	size_t vendor_class_len;

	/* Option 55: the requested codes in order, and as "1,3,6,15" (all of them). */
	uint8_t prl[DHCP_PRL_MAX];
	size_t prl_len;
	char prl_text[DHCP_CODE_TEXT_SIZE(DHCP_PRL_MAX)];

	/*
	 * Option 81.  With the E flag the wire-format name is turned into
	 * dotted text ("host.example.com", no trailing dot even when the
	 * name ended with the root label; the root name alone is ".").  In a
	 * label, '.', '\' and NUL are written "\.", "\\" and "\000" (RFC 1035
	 * 5.1, the same text form as DNS names elsewhere in edgewatch), so
	 * one label cannot pose as two and this text holds no NUL.  Without
	 * E the (deprecated) ASCII name is kept as sent.  A name that cannot
	 * be decoded is not kept: has_fqdn stays false.
	 */
	bool has_fqdn;
	uint8_t fqdn_flags; /* DHCP_FQDN_FLAG_* */
	char fqdn[DHCP_FQDN_MAX + 1];
	size_t fqdn_len;

	/*
	 * Option 161 (RFC 8520): the URL of the manufacturer's usage
	 * description for this device, bytes as sent.  It names the maker
	 * and often the model and firmware: "https://mud.example.com/cam-1.2".
	 */
	char mud_url[DHCP_MUD_URL_MAX + 1];
	size_t mud_url_len;

	/*
	 * Every option code present, in the order sent, repeats included,
	 * pad and end left out: "53,61,57,55" (another fingerprint).  Codes
	 * from an overloaded file or sname field follow those of the options
	 * field.  At most DHCP_ORDER_MAX codes are listed.
	 */
	char options_order[DHCP_CODE_TEXT_SIZE(DHCP_ORDER_MAX)];

	/*
	 * Something was longer than kept and was cut: host name, vendor
	 * class, FQDN text, MUD URL, a (concatenated) request list over DHCP_PRL_MAX
	 * codes, or more than DHCP_ORDER_MAX options.
	 */
	bool truncated_field;
};

/*
 * Parses len bytes of UDP payload at payload into *out, which is
 * overwritten whatever the result.  On DHCP_NOT_DHCP and DHCP_TRUNCATED
 * *out is all zero; on DHCP_BAD_OPTION and DHCP_BAD_VALUE it holds what
 * could be parsed (see enum dhcp_result).  payload may be NULL when len
 * is 0.
 */
enum dhcp_result dhcp_parse(const uint8_t *payload, size_t len, struct dhcp_info *out);

/* A stable dotted name for a result ("dhcp.bad_option"), for counters and logs. */
const char *dhcp_result_name(enum dhcp_result r);

#endif /* EW_FINGERPRINT_DHCP_H */
