/*
 * device-oui.h - the MAC vendor registry: who was assigned a MAC prefix.
 *
 * Loads the IEEE registries as Debian's ieee-data package ships them (the
 * CSV files in /usr/share/ieee-data) and answers "which organisation owns
 * this MAC address" by longest-prefix match, with no allocation per lookup.
 *
 * Errors are values: oui_db_load() returns NULL and leaves one line,
 * "FILE:LINE: problem" (or "FILE: problem" when no line is involved), in
 * err; nothing is printed here.
 *
 * Ownership: the db owns every organisation name; a string returned by
 * oui_db_lookup() is valid until oui_db_free().  A loaded db is never
 * modified, so lookups from several threads at once are safe.
 */
#ifndef EW_DEVICE_OUI_H
#define EW_DEVICE_OUI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct oui_db;

/*
 * Loads every registry file present in dir: oui.csv (MA-L, 24-bit
 * prefixes) is required; mam.csv (MA-M, 28-bit), oui36.csv (MA-S, 36-bit)
 * and iab.csv (IAB, 36-bit) are optional.  NULL with "FILE:LINE: problem"
 * in err (errlen bytes, always NUL-terminated when errlen > 0) on a
 * malformed line, a limit exceeded, an I/O error or out of memory.
 * A prefix listed twice keeps its first organisation.
 */
struct oui_db *oui_db_load(const char *dir, char *err, size_t errlen);

/* Releases db and all its names; accepts NULL. */
void oui_db_free(struct oui_db *db);

/*
 * Longest-prefix match: MA-S/IAB (36 bits) before MA-M (28) before MA-L
 * (24).  The organisation's name, trimmed; valid as long as db.  NULL when
 * the prefix is unknown, and for addresses that are not universally
 * administered unicast addresses (see below): their leading bytes name no
 * manufacturer.
 */
const char *oui_db_lookup(const struct oui_db *db, const uint8_t mac[6]);

/* Prefixes loaded, over all registries, duplicates not counted. */
size_t oui_db_count(const struct oui_db *db);

/*
 * The locally administered bit (bit 1 of the first byte): set in
 * randomised "private" MACs of phones and laptops, in VMs and containers.
 * Lookups of such MACs return NULL.
 */
bool mac_is_local_admin(const uint8_t mac[6]);

/* The group bit (bit 0 of the first byte): multicast and broadcast.  Lookups return NULL. */
bool mac_is_multicast(const uint8_t mac[6]);

#endif /* EW_DEVICE_OUI_H */
