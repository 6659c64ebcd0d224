/*
 * fingerprint-lldp.c - LLDPDU reader (fingerprint-lldp.h).
 *
 * One pass over the TLVs: a 16-bit header of 7 bits of type and 9 of
 * length, then the value.  Each value gets a cursor of its own, exactly
 * as long as its header says, once those bytes are known to be there, so
 * a value can never be read past its TLV or the frame.  The End TLV (type
 * 0) ends the walk; bytes after it are padding.  A repeated TLV keeps its
 * first value: 802.1AB allows one of each kind here.
 */
#include <stdio.h>
#include <string.h>

#include "fingerprint-lldp.h"
#include "util-bytes.h"

#define TLV_END 0
#define TLV_SYSTEM_NAME 5
#define TLV_SYSTEM_DESCRIPTION 6
#define TLV_SYSTEM_CAPABILITIES 7
#define TLV_ORG_SPECIFIC 127

/* RFC 8520 10: the MUD URL is IANA's (OUI 00-00-5E) subtype 1. */
static const uint8_t iana_oui[3] = { 0x00, 0x00, 0x5e };
#define IANA_SUBTYPE_MUD_URL 1

/* Copies the rest of val into dst (cap bytes at most), once: a second copy of a TLV is ignored. */
static void keep_text(struct ew_cursor *val, char *dst, size_t *len, bool *cut)
{
	size_t n = ew_cursor_left(val);

	if (*len > 0 || n == 0)
		return;
	if (n > LLDP_TEXT_MAX) {
		n = LLDP_TEXT_MAX;
		*cut = true;
	}
	(void)ew_copy(val, dst, n);
	dst[n] = '\0';
	*len = n;
}

enum lldp_result lldp_parse(const uint8_t *p, size_t len, struct lldp_info *out)
{
	enum lldp_result result = LLDP_OK;
	struct ew_cursor c;

	memset(out, 0, sizeof(*out));
	ew_cursor_init(&c, p, len);
	while (ew_cursor_left(&c) > 0) {
		uint16_t hdr;
		unsigned type, vlen;
		struct ew_cursor val;

		if (ew_cursor_left(&c) < 2)
			return LLDP_TRUNCATED;
		hdr = ew_be16(&c);
		type = hdr >> 9;
		vlen = hdr & 0x1ff;
		if (type == TLV_END)
			break;
		if (ew_cursor_left(&c) < vlen)
			return LLDP_TRUNCATED;
		ew_cursor_init(&val, c.p, vlen);
		(void)ew_skip(&c, vlen);
		switch (type) {
		case TLV_SYSTEM_NAME:
			keep_text(&val, out->name, &out->name_len, &out->truncated_field);
			break;
		case TLV_SYSTEM_DESCRIPTION:
			keep_text(&val, out->description, &out->description_len,
				  &out->truncated_field);
			break;
		case TLV_SYSTEM_CAPABILITIES:
			if (vlen != 4) {
				result = LLDP_BAD_VALUE;
				break;
			}
			if (!out->has_caps) {
				out->has_caps = true;
				out->caps = ew_be16(&val);
				out->enabled = ew_be16(&val);
			}
			break;
		case TLV_ORG_SPECIFIC:
			if (vlen >= 4 && memcmp(val.p, iana_oui, sizeof(iana_oui)) == 0 &&
			    val.p[3] == IANA_SUBTYPE_MUD_URL) {
				(void)ew_skip(&val, 4);
				keep_text(&val, out->mud_url, &out->mud_url_len,
					  &out->truncated_field);
			}
			break;
		default:
			break;
		}
	}
	return result;
}

void lldp_caps_text(uint16_t caps, char *buf, size_t size)
{
	static const char *const names[] = { "other",	      "repeater",     "bridge",
					     "wlan-access-point", "router",	      "telephone",
					     "docsis-cable",  "station-only", "c-vlan",
					     "s-vlan",	      "tpmr" };
	size_t at = 0;

	if (size == 0)
		return;
	buf[0] = '\0';
	for (unsigned bit = 0; bit < 16; bit++) {
		char reserved[8];
		const char *name;
		int n;

		if (!(caps & (1u << bit)))
			continue;
		if (bit < sizeof(names) / sizeof(names[0])) {
			name = names[bit];
		} else {
			snprintf(reserved, sizeof(reserved), "bit%u", bit);
			name = reserved;
		}
		n = snprintf(buf + at, size - at, "%s%s", at > 0 ? "," : "", name);
		if (n < 0 || (size_t)n >= size - at) {
			buf[at] = '\0'; /* no room for the whole name: stop before it */
			return;
		}
		at += (size_t)n;
	}
}

const char *lldp_result_name(enum lldp_result r)
{
	static const char *const names[LLDP_RESULT_MAX] = {
		[LLDP_OK] = "lldp.ok",
		[LLDP_TRUNCATED] = "lldp.truncated",
		[LLDP_BAD_VALUE] = "lldp.bad_value",
	};

	return (unsigned)r < LLDP_RESULT_MAX ? names[r] : "lldp.unknown";
}
