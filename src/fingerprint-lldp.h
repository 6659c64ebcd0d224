/*
 * fingerprint-lldp.h - read an LLDP frame (IEEE 802.1AB) into the signals
 * that identify the device that sent it.
 *
 * Switches, IP phones, PLCs, HMIs and many building controllers announce
 * themselves with LLDP every 30 s: a system name, a free-text system
 * description ("Siemens, SIMATIC S7, CPU 1516-3 PN/DP, ... FW: V2.9"),
 * the capabilities they enable (bridge, router, telephone ...), and, for
 * RFC 8520 devices, their MUD URL (an organisationally specific TLV of
 * IANA's OUI 00-00-5E, subtype 1).  nDPI does not read LLDP.
 *
 * The input is the LLDPDU (what follows ethertype 0x88cc), hostile: every
 * TLV's length is checked against the bytes captured, and nothing past
 * them is read.  lldp_parse() copies what it keeps into *out, so nothing
 * in the result points into the frame; it never allocates or prints.
 * Strings are the bytes as sent (may hold NUL or control bytes: use the
 * _len fields; each also has a NUL after its last byte); escaping is the
 * output stage's job.
 */
#ifndef EW_FINGERPRINT_LLDP_H
#define EW_FINGERPRINT_LLDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LLDP_TEXT_MAX 255 /* system name, description, MUD URL kept, bytes */
/* Room for the names of every capability bit: lldp_caps_text(). */
#define LLDP_CAPS_TEXT_SIZE 144

enum lldp_result {
	LLDP_OK = 0,
	/* A TLV's header or value runs past the bytes captured: parsing stopped there. */
	LLDP_TRUNCATED,
	/* A TLV of a fixed size with another (capabilities not 4 bytes): that TLV ignored. */
	LLDP_BAD_VALUE,
	LLDP_RESULT_MAX
};

struct lldp_info {
	char name[LLDP_TEXT_MAX + 1]; /* System Name (TLV 5) */
	size_t name_len;
	char description[LLDP_TEXT_MAX + 1]; /* System Description (TLV 6) */
	size_t description_len;
	char mud_url[LLDP_TEXT_MAX + 1]; /* RFC 8520 MUD URL (TLV 127, 00-00-5E / 1) */
	size_t mud_url_len;
	bool has_caps;    /* System Capabilities (TLV 7) */
	uint16_t caps;    /* the capabilities it has */
	uint16_t enabled; /* those enabled */
	bool truncated_field; /* a string was longer than kept and was cut */
};

/* Reads len bytes of an LLDPDU.  *out is always written. */
enum lldp_result lldp_parse(const uint8_t *p, size_t len, struct lldp_info *out);

/*
 * The names of the capability bits set in caps, in bit order, joined by
 * ',' ("bridge,router"); "" when none.  Names of IEEE 802.1AB 8.5.8: other,
 * repeater, bridge, wlan-access-point, router, telephone, docsis-cable,
 * station-only, c-vlan, s-vlan, tpmr; a reserved bit is "bit11" ...
 * Always NUL-terminates buf (size >= LLDP_CAPS_TEXT_SIZE fits them all).
 */
void lldp_caps_text(uint16_t caps, char *buf, size_t size);

/* A stable name for r ("lldp.truncated"). */
const char *lldp_result_name(enum lldp_result r);

#endif /* EW_FINGERPRINT_LLDP_H */
