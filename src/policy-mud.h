/*
 * policy-mud.h - RFC 8520 MUD files as the allowed behaviour of a device
 * class: the policy loader (policy-load.c) reads one per class named
 * under `mud:`, and policy_check() (policy.c) asks whether a flow the
 * device opened is one its from-device-policy accepts, and whether a
 * flow opened to it is one its to-device-policy accepts.  Only policy*.c
 * and the unit tests include this header.
 *
 * What is read: the `ietf-mud:mud` container's mud-url (which a device
 * may announce in DHCP option 161 or LLDP to name this file), from-device-policy
 * and to-device-policy, and the `ietf-access-control-list:acls` ACLs they
 * name.  Of each ACE: ipv4/ipv6 `protocol`, the remote end's block and
 * name (`destination-ipv4-network` / `destination-ipv6-network` /
 * `ietf-acldns:dst-dnsname` in a from-device ACE, the `source-` /
 * `src-` ones in a to-device ACE), tcp/udp `source-port` and
 * `destination-port` (lower-port/upper-port, or operator lte, gte, eq or
 * neq and port), `ietf-mud:direction-initiated`, the MUD matches
 * `local-networks` (the remote end in the home networks) and
 * manufacturer, same-manufacturer and model (on the MUD URL the remote
 * end announced in DHCP or LLDP), and `actions.forwarding` accept or drop.
 * Matches on the device's own end, the MUD matches controller and
 * my-controller, same-manufacturer in a file without a mud-url, and other
 * headers need facts edgewatch does not have: an ACE holding one is skipped - it never matches, so a flow only
 * it would accept is reported - and counted (policy_mud_unsupported()).
 *
 * The file is hostile input: it goes through the JSON reader of
 * eval-json.h (bounded depth and size) and every field is checked; the
 * first problem stops the load with "FILE:LINE:COL: problem".
 *
 * Ownership: a struct policy_mud owns its entries and keeps no pointer
 * into the text it was read from.  Nothing prints.
 */
#ifndef EW_POLICY_MUD_H
#define EW_POLICY_MUD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"

#define POLICY_MUD_FILE_MAX (256u * 1024u) /* bytes of a MUD file */
#define POLICY_MUD_ACES_MAX 256            /* ACEs of one direction's ACLs, all together */
#define POLICY_MUD_ACLS_MAX 32             /* ACLs of a file */
#define POLICY_MUD_NAME_MAX 63             /* bytes of an ACL or ACE name */
#define POLICY_MUD_DNSNAME_MAX 253         /* bytes of a DNS name (RFC 1035 2.3.4) */
#define POLICY_MUD_URL_MAX 255             /* bytes of its mud-url (DHCP option 161's limit) */

struct policy_mud;

/* NULL with "NAME:LINE:COL: problem" in err (lines and columns 1-based). */
struct policy_mud *policy_mud_load_buffer(const char *name, const char *text, size_t len,
					  char *err, size_t errlen);
/* As above; "PATH: reason" when the file cannot be read. */
struct policy_mud *policy_mud_load_file(const char *path, char *err, size_t errlen);

void policy_mud_free(struct policy_mud *m); /* accepts NULL */

/* Whether the file has a policy for direction dir (a from-device one always). */
bool policy_mud_judges(const struct policy_mud *m, enum policy_mud_dir dir);

/*
 * Whether the profile accepts flow v: for POLICY_MUD_FROM_DEVICE a flow
 * the device opened (it is v's client), for POLICY_MUD_TO_DEVICE one
 * opened to it (v's server).  The first ACE of that direction, in file
 * order, whose matches all hold decides; none is a drop.  home holds the
 * local networks.  True when the file has no policy for dir.  On false,
 * why says what did not match (bounded to whylen).
 */
bool policy_mud_allows(const struct policy_mud *m, enum policy_mud_dir dir,
		       const struct ew_cidr_list *home, const struct policy_view *v, char *why,
		       size_t whylen);

size_t policy_mud_ace_count(const struct policy_mud *m, enum policy_mud_dir dir);
/*
 * The file's `mud-url` (RFC 8520 2: where it is published, and what a
 * device announcing it in DHCP option 161 or LLDP points to); "" when it has none.
 */
const char *policy_mud_url(const struct policy_mud *m);
uint32_t policy_mud_unsupported(const struct policy_mud *m); /* ACEs skipped, both directions */

#endif /* EW_POLICY_MUD_H */
