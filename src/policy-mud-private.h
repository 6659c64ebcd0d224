/*
 * policy-mud-private.h - a MUD profile as read (policy-mud.c) and as
 * judged (policy-mud-match.c).  Nothing else includes it.
 */
#ifndef EW_POLICY_MUD_PRIVATE_H
#define EW_POLICY_MUD_PRIVATE_H

#include "policy-mud.h"

#define MUD_PROTO_ANY (-1)

/* A port match of RFC 8519 (port-range-or-operator): lo..hi, or all but lo (neq). */
struct mud_ports {
	bool set;
	bool neq;
	uint16_t lo, hi;
};

struct mud_ace {
	char acl[POLICY_MUD_NAME_MAX + 1];
	char name[POLICY_MUD_NAME_MAX + 1];
	bool accept;
	uint8_t family;       /* 4, 6, or 0: either (no ipv4/ipv6 container) */
	int proto;            /* 0..255 or MUD_PROTO_ANY */
	bool has_net;
	struct ew_cidr net;   /* the remote end's block */
	char dnsname[POLICY_MUD_DNSNAME_MAX + 1]; /* the remote end's name; "": any */
	bool local;           /* ietf-mud local-networks: the remote end in the home networks */
	struct mud_ports src_port, dst_port; /* of the first packet: client's, server's */
	int initiated;        /* direction-initiated: -1 either, else enum policy_mud_dir */
	bool unsupported;     /* holds a match we cannot evaluate: never matches */
};

/* The ACEs one direction's policy names, in order. */
struct mud_side {
	bool present;         /* the file has this direction's policy */
	struct mud_ace *ace;
	size_t nace, cap;
	uint32_t unsupported;
};

struct policy_mud {
	struct mud_side side[POLICY_MUD_DIRS];
	char url[POLICY_MUD_URL_MAX + 1]; /* its `mud-url`; "" when the file has none */
};

#endif /* EW_POLICY_MUD_PRIVATE_H */
