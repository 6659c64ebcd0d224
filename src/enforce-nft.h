/*
 * enforce-nft.h - the nftables table the enforcement point owns, as
 * script text, and the one way that text reaches the kernel.
 *
 * The table (default "inet edgewatch") holds five sets with timeouts:
 *
 *   isolated_mac  ether_addr                      devices cut off, by MAC
 *   isolated_v4   ipv4_addr                       ... by IPv4 address
 *   isolated_v6   ipv6_addr                       ... by IPv6 address
 *   allow_v4      ipv4_addr . ipv4_addr . inet_proto . inet_service
 *   allow_v6      ipv6_addr . ipv6_addr . inet_proto . inet_service
 *                 (device . destination . protocol . port it may still use)
 *
 * and one chain, "forward" (hook forward, priority filter - 1, policy
 * accept), which accepts a quarantined device's allowed flows (both
 * directions) and drops every other forwarded packet from or to it.
 * Anything not quarantined passes untouched: the chain never drops on
 * its own account.
 *
 * Every element is written from binary values (MAC bytes, struct ew_addr,
 * protocol and port numbers) that the caller parsed from a verified
 * request, so no byte of request text ever reaches nft; the table name is
 * checked by enft_table_name_valid().
 *
 * Idempotence: "add element" of an existing element leaves its old
 * timeout, and "delete element" of a missing one fails the whole
 * transaction, so every element is written as add (no timeout), delete,
 * and, to set it, add with its timeout, all in one nft transaction.  The
 * result is the same whatever was there before, and a script run twice
 * changes nothing the second time.
 *
 * Memory: a struct enft_buf owns its text (enft_buf_free); it grows up to
 * ENFT_SCRIPT_MAX bytes and then refuses.  Nothing here prints.
 */
#ifndef EW_ENFORCE_NFT_H
#define EW_ENFORCE_NFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "packet.h"
#include "quarantine-sign.h"

#define ENFT_TABLE_MAX 32            /* bytes of a table name */
#define ENFT_SCRIPT_MAX (1u << 20)   /* bytes of one script: 16 addrs x 64 allows fit */
#define ENFT_ERR_MAX 256             /* bytes of nft's error kept in a message */
#define ENFT_NFT_PATH "/usr/sbin/nft"

/* One device as the table sees it: the parsed, checked fields of a request. */
struct enft_target {
	bool has_mac;
	uint8_t mac[6];
	size_t n_addrs;
	struct ew_addr addrs[QREQ_ADDRS_ENTRIES_MAX];
	size_t n_allow;
	struct qreq_dest allow[QREQ_ALLOW_ENTRIES_MAX]; /* proto, addr, port */
};

/* A growing script text, always NUL-terminated once anything is written. */
struct enft_buf {
	char *text;
	size_t len, cap;
	bool overflow; /* a write would have passed ENFT_SCRIPT_MAX */
};

void enft_buf_reset(struct enft_buf *b);
void enft_buf_free(struct enft_buf *b);

/* [A-Za-z][A-Za-z0-9_]*, at most ENFT_TABLE_MAX bytes. */
bool enft_table_name_valid(const char *name);

/*
 * Whether two targets name the same device: the same MAC, or any address
 * in common.
 */
bool enft_target_overlaps(const struct enft_target *a, const struct enft_target *b);

/*
 * Appends to b the script that creates the table, its sets and chain if
 * missing and (re)loads the chain's rules, keeping the sets' elements (the
 * quarantines in force survive a restart of the enforcer).  0, or -1 if
 * the script would not fit.
 */
int enft_script_setup(struct enft_buf *b, const char *table);

/*
 * Appends the script that quarantines t for timeout_ms: its MAC and
 * addresses in the isolated sets, and for each address the allow entries
 * of the same family.  old (may be NULL) is what an earlier request put
 * in the table for the same device: its entries are removed first, so
 * the new request's allow list replaces the old one rather than adding
 * to it.  0, or -1 if the script would not fit.
 */
int enft_script_apply(struct enft_buf *b, const char *table, const struct enft_target *old,
		      const struct enft_target *t, uint64_t timeout_ms);

/* Appends the script that removes t's and old's (may be NULL) elements.  0 or -1. */
int enft_script_release(struct enft_buf *b, const char *table, const struct enft_target *old,
			const struct enft_target *t);

/*
 * Runs "nft -f -" (nft_path, normally ENFT_NFT_PATH) with the script on
 * its standard input, by fork and execv: no shell, no arguments taken from
 * requests.  0 when nft exits 0; else -1 with a one-line message (nft's
 * first error line, control bytes replaced) in err.
 */
int enft_run(const char *nft_path, const char *script, size_t len, char *err, size_t errlen);

#endif /* EW_ENFORCE_NFT_H */
