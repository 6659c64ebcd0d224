/*
 * fingerprint-netbios.h - host names that Windows machines, printers,
 * NAS boxes and many IoT devices announce for themselves over NetBIOS
 * name service (UDP 137) and LLMNR (UDP 5355).
 *
 * Only names a host claims as its own are returned: NetBIOS
 * registrations and refreshes (and positive answers), LLMNR answers.
 * Queries name someone else and are ignored.  The DNS-format message is
 * parsed by fingerprint-dns.c; this file decodes NetBIOS's
 * "first-level encoding" (RFC 1001 14.1: 16 bytes as 32 letters 'A'-'P').
 */
#ifndef EW_FINGERPRINT_NETBIOS_H
#define EW_FINGERPRINT_NETBIOS_H

#include <stddef.h>
#include <stdint.h>

#define NETBIOS_NAME_TEXT 16 /* 15 characters and a NUL */

/*
 * Decodes an encoded NetBIOS name label ("FEEFFDFEEFCACACACACACACACACACAAA")
 * into text without the trailing spaces and the 16th (service) byte.
 * Returns the length, or -1 when it is not a valid encoding.
 */
int netbios_decode(const char *label, char out[NETBIOS_NAME_TEXT]);

/*
 * The own names in a NetBIOS name service message (port 137) or an LLMNR
 * message (port 5355): up to max names written as NUL-terminated strings
 * into names (each NETBIOS_NAME_TEXT bytes for NetBIOS, 256 for LLMNR;
 * the caller passes buffers of 256).  Returns how many.
 */
size_t netbios_own_names(const uint8_t *msg, size_t len, char names[][256], size_t max);
size_t llmnr_own_names(const uint8_t *msg, size_t len, char names[][256], size_t max);

#endif /* EW_FINGERPRINT_NETBIOS_H */
