/*
 * util-cidr.h - address blocks ("10.0.0.0/8", "fd00::/8") and lists of
 * them: what the configuration's home_networks and dns_servers hold, and
 * the one membership test every "is this address local?" question uses.
 *
 * Ownership: a struct ew_cidr_list owns its array; the holder frees it
 * with ew_cidr_list_free (a zeroed list is a valid empty list).  Nothing
 * here keeps a pointer to the caller's memory.  Nothing here prints.
 */
#ifndef EW_UTIL_CIDR_H
#define EW_UTIL_CIDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "packet.h"

/* An address block; IPv4 blocks are kept in the v4-mapped space (::ffff:a.b.c.d), prefix 96+n. */
struct ew_cidr {
	struct ew_addr addr;
	uint8_t prefix; /* 0..128, in the 16-byte space */
};

/* A list owned by its holder; grow with ew_cidr_list_add, free with ew_cidr_list_free. */
struct ew_cidr_list {
	struct ew_cidr *v;
	size_t n, cap;
};

/* Longest text form of a block ("ffff:...:ffff/128"), with its NUL. */
#define EW_CIDR_STRLEN (EW_ADDR_STRLEN + 4)

/*
 * "10.0.0.0/8", "192.168.1.7" (/32), "fd00::/8", "::1" (/128).  Host bits
 * beyond the prefix are cleared.  -1 on a bad block (message in err: e.g.
 * "prefix 33 is out of range for IPv4 (0..32)").
 */
int ew_cidr_parse(const char *text, struct ew_cidr *out, char *err, size_t errlen);

/* Appends a copy of *c.  -1 when out of memory (the list is unchanged). */
int ew_cidr_list_add(struct ew_cidr_list *l, const struct ew_cidr *c);

/* Whether a lies inside block c / inside any block of l (false for EW_AF_NONE). */
bool ew_cidr_contains(const struct ew_cidr *c, const struct ew_addr *a);
bool ew_cidr_list_contains(const struct ew_cidr_list *l, const struct ew_addr *a);

/*
 * 169.254.0.0/16 or fe80::/10: an address that routers never forward
 * (RFC 3927, RFC 4291), so a packet from one was sent by the machine
 * whose MAC it carries.
 */
bool ew_addr_is_link_local(const struct ew_addr *a);

/* Same blocks in the same order (used to refuse changing a non-reloadable list). */
bool ew_cidr_list_equal(const struct ew_cidr_list *a, const struct ew_cidr_list *b);

/*
 * Deep copy of src into dst.  dst is overwritten as if uninitialised (so a
 * struct just copied by assignment can be made independent); free an
 * owning dst first.  -1 when out of memory (dst left empty).
 */
int ew_cidr_list_copy(struct ew_cidr_list *dst, const struct ew_cidr_list *src);

/* Frees the array; accepts NULL; leaves the list empty and reusable. */
void ew_cidr_list_free(struct ew_cidr_list *l);

/* "10.0.0.0/8", "fe80::/10" into buf (EW_CIDR_STRLEN bytes is always enough). */
void ew_cidr_format(const struct ew_cidr *c, char *buf, size_t len);

#endif /* EW_UTIL_CIDR_H */
