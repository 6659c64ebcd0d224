/*
 * dpi.h - application protocol detection (nDPI behind a narrow API).
 *
 * dpi-ndpi.c is the only file that includes nDPI.  One struct dpi per
 * packet-processing thread (nDPI's detection module is not thread-safe).
 *
 * Memory discipline: per-flow nDPI state (several hundred bytes plus what
 * dissectors allocate) exists only while detection runs.  It is allocated
 * at the flow's first packet with payload (handshake-only flows, such as
 * a SYN flood, never cost any), freed as soon as the protocol is decided
 * and nDPI has nothing more to extract, or when the packet budget
 * (dpi.max_packets) is spent.  At most dpi.max_active flows hold state at
 * once; beyond that, new flows are not inspected (counted).  The results
 * worth keeping (protocol ids, server name, JA3, risks) are copied into
 * the flow record first.
 */
#ifndef EW_DPI_H
#define EW_DPI_H

#include <stddef.h>
#include <stdint.h>

#include "flow.h"
#include "packet.h"

struct dpi;

struct dpi_stats {
	uint64_t active;       /* flows holding nDPI state now */
	uint64_t peak_active;
	uint64_t started;      /* flows that got nDPI state */
	uint64_t detected;     /* finished with a protocol */
	uint64_t gave_up;      /* finished by budget or flow end */
	uint64_t cap_reached;  /* flows not inspected: max_active reached */
	uint64_t alloc_failed;
};

/* Creates the detection module.  NULL with a message in err on failure. */
struct dpi *dpi_create(uint32_t max_packets, uint32_t max_active, char *err, size_t errlen);
void dpi_destroy(struct dpi *d);

/* Gives nDPI one packet of flow f (an IP packet, dir as accounted). */
void dpi_packet(struct dpi *d, struct flow *f, const struct ew_packet *pkt, enum flow_dir dir);

/* Ends detection for a flow that is ending: guesses, copies results, frees state. */
void dpi_flow_end(struct dpi *d, struct flow *f);

/* Protocol names as nDPI spells them ("TLS", "Google"); "Unknown" for 0. */
const char *dpi_proto_name(const struct dpi *d, uint16_t proto_id);
const char *dpi_category_name(const struct dpi *d, uint16_t category);

/*
 * Names of the risks set in an nDPI risk bitmap, in bit order; returns
 * how many were written to names (at most max).
 */
size_t dpi_risk_names(uint64_t risk, const char **names, size_t max);

const struct dpi_stats *dpi_stats(const struct dpi *d);

/* nDPI's version string, for --version. */
const char *dpi_version(void);

/*
 * The bit index of an nDPI risk named by name: its ndpi_risk2str() text
 * ("Clear-Text Credentials", compared ignoring ASCII case) or the short
 * snake_case alias dpi_risk_alias() gives ("clear_text_credentials").
 * -1 for an unknown name, NULL, or bit 0 ("no risk").
 */
int dpi_risk_from_name(const char *name);

/* The snake_case alias of risk bit i ("possible_exploit"); NULL outside 1..63 or unknown. */
const char *dpi_risk_alias(int bit);

/* nDPI's own text for risk bit i ("Possible Exploit Detected"); NULL outside 1..63 or unknown. */
const char *dpi_risk_text(int bit);

#endif /* EW_DPI_H */
