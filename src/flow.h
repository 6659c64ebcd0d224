/*
 * flow.h - the flow record: one bidirectional conversation.
 *
 * A flow is keyed by (VLAN ids, IP protocol, the two addresses, the two
 * ports); see flow-key.h.  Its "client" (src in events) is the side that
 * sent the first packet, except that a TCP flow first seen with SYN+ACK is
 * turned round so the SYN sender is the client.
 *
 * Memory: a record is a fixed size plus an optional server name (at most
 * FLOW_SERVER_NAME_MAX bytes).  Per-flow nDPI state hangs off `dpi` only
 * while detection runs; dpi-ndpi.c frees it as soon as the protocol is
 * decided or detection gives up.  The flow table owns every record.
 */
#ifndef EW_FLOW_H
#define EW_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "packet.h"
#include "util-list.h"

#define FLOW_SERVER_NAME_MAX 255 /* a DNS name's longest text form */
#define FLOW_USER_AGENT_MAX 255  /* bytes kept of an HTTP User-Agent */

struct flow_key {
	uint8_t addr[2][16]; /* canonical order: addr[0]/port[0] <= addr[1]/port[1] */
	uint16_t port[2];
	uint16_t vlan[EW_MAX_VLAN_TAGS];
	uint8_t proto;  /* IP protocol */
	uint8_t family; /* EW_AF_INET or EW_AF_INET6, for printing */
};

/* Directions, indexes of the per-direction counters. */
enum flow_dir { FLOW_TOSERVER = 0, FLOW_TOCLIENT = 1 };

/* Why a flow record was ended; reported as flow.reason in events. */
enum flow_end_reason {
	FLOW_END_TIMEOUT = 0, /* idle longer than its protocol's timeout */
	FLOW_END_EVICTED,     /* table full: the oldest idle flow made room */
	FLOW_END_REUSED,      /* closed TCP flow's 5-tuple reused by a new SYN */
	FLOW_END_SHUTDOWN,    /* end of input */
};

/* nDPI detection progress for the flow. */
enum flow_dpi_state {
	FLOW_DPI_NONE = 0, /* no packet with payload inspected yet */
	FLOW_DPI_RUNNING,  /* nDPI state allocated, detection in progress */
	FLOW_DPI_DONE,     /* protocol decided (and extra dissection finished) */
	FLOW_DPI_GAVE_UP,  /* packet budget spent or flow ended undecided */
	FLOW_DPI_SKIPPED,  /* not inspected: fragments, or state cap reached */
};

/* TCP teardown bits. */
#define FLOW_TCP_FIN_TOSERVER 0x01
#define FLOW_TCP_FIN_TOCLIENT 0x02
#define FLOW_TCP_RST 0x04
#define FLOW_TCP_ANSWERED 0x08 /* the server side has sent a packet */
#define FLOW_TCP_DATA 0x10     /* a segment carried payload */

/* flow.login: the client's first payload was looked at for a login in clear. */
#define FLOW_LOGIN_CHECKED 0x01u
#define FLOW_LOGIN_CLEAR 0x02u /* a password crossed the wire in clear (MQTT, HTTP Basic) */
#define FLOW_LOGIN_WEAK 0x04u  /* and it is a default, empty or the user name */

struct flow {
	struct flow_key key;
	uint8_t client_side; /* index into key.addr/port of the client */
	uint8_t tcp_close;   /* FLOW_TCP_* bits */
	uint8_t tcp_flags[2];
	uint8_t timeout_class; /* private to flow-table.c */
	uint8_t dpi_state;     /* enum flow_dpi_state */
	uint8_t dpi_packets;   /* packets given to nDPI */
	bool fragmented;       /* holds IP fragments (no ports) */

	uint64_t id; /* stable: hash of key and first-seen time */
	ew_usec_t first_ts, last_ts;
	uint64_t pkts[2], bytes[2]; /* indexed by enum flow_dir */

	/* nDPI results, copied out of the detection state. */
	uint16_t master_proto, app_proto, category;
	bool proto_guessed;
	uint64_t risk; /* nDPI risk bitmap */
	char *server_name; /* owned; NULL when none seen */
	char *user_agent;  /* owned; HTTP User-Agent, NULL when none seen */
	char ja3_client[33]; /* "" when none */
	/* A login the client sent in clear (engine-posture.c): FLOW_LOGIN_* bits. */
	uint8_t login;

	void *dpi; /* nDPI state while detection runs; owned by dpi-ndpi.c */

	/* Source MAC of each direction's first packet (client, server), when known. */
	uint8_t mac[2][6];
	uint8_t has_mac; /* bit per enum flow_dir */
	ew_usec_t dev_seen_ts[2]; /* when each end last refreshed its device */

	/*
	 * Behavioural scoring's memory of each end (client 0, server 1): the
	 * device and baseline it feeds and the hash of the remote address,
	 * worked out at the flow's first packet instead of at every packet.
	 * Valid while score_gen equals the scorer's generation, which moves
	 * whenever a device or baseline is freed.  Private to score.c.
	 */
	void *score_dev[2], *score_bl[2];
	uint64_t score_remote[2];
	uint64_t score_gen;
	uint8_t score_valid; /* bit per end */

	/* Table links, private to flow-table.c. */
	struct flow *hash_next;
	struct ew_list_node lru; /* on its timeout class's idle list */
};

#endif /* EW_FLOW_H */
