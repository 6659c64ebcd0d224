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
	/*
	 * The remote end is a device that announced a MUD URL (DHCP option
	 * 161) of this authority (manufacturer, or same-manufacturer: the
	 * file's own mud-url's), or exactly this URL (model); "": no such match.
	 */
	char manufacturer[POLICY_MUD_DNSNAME_MAX + 1];
	char model[POLICY_MUD_URL_MAX + 1];
	bool unsupported;     /* holds a match we cannot evaluate: never matches */
};

/* The ACEs one direction's policy names, in order. */
struct mud_side {
	bool present;         /* the file has this direction's policy */
	struct mud_ace *ace;
	size_t nace, cap;
	uint32_t unsupported;
};

/*
 * The authority of a URL ("mud.example.com" of "https://mud.example.com/x"):
 * its length, with *start pointing at it inside url; 0 when url has no
 * "scheme://" or an empty authority.
 */
size_t mud_url_authority(const char *url, const char **start);

struct policy_mud {
	struct mud_side side[POLICY_MUD_DIRS];
	char url[POLICY_MUD_URL_MAX + 1]; /* its `mud-url`; "" when the file has none */
};

#endif /* EW_POLICY_MUD_PRIVATE_H */
