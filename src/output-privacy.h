/*
 * output-privacy.h - what an event line may say about the hosts inside the
 * home networks (output.privacy; docs/privacy.md is the field-by-field
 * contract).
 *
 * A filter reads each finished line back (eval-json.h, the reader built
 * for hostile text), walks the tree and writes it again (util-json.h),
 * replacing or dropping values by their place in the event:
 *
 *   pseudonymised: MACs (everywhere, also inside free text), device keys,
 *     addresses inside the home networks (in any string, also inside free
 *     text such as explanations), host names of inside devices (device
 *     names, DHCP/mDNS/NetBIOS/LLMNR names) and names of inside servers
 *     (server_name of a flow whose server is inside, local names such as
 *     *.local) become "p:" + the first 16 hex digits of
 *     HMAC-SHA256(key, value): the same value under the same key gives the
 *     same pseudonym in every event and every run.  Outside addresses and
 *     names are kept: they are the evidence.
 *   minimal: the same, and every name, server name, explanation, reason,
 *     allowlist and name-like inventory signal (DHCP, mDNS, NetBIOS,
 *     LLMNR, SSDP, SNI, DNS queries, user agents) is dropped.
 *
 * A line that does not parse, nests deeper than the writer allows or
 * grows past JSON_MAX_EVENT_BYTES is dropped and counted, never passed on
 * unfiltered.  Numbers are written again from their double value:
 * integers up to 2^53 exactly (every integer edgewatch writes is below
 * that), others with json_double()'s 6 significant digits (as written).
 *
 * Ownership: a filter owns copies of the key and the address list; the
 * caller's may go away after create.  A filtered line stays valid until
 * the next call on the same filter.  A wrapping sink owns its filter and,
 * once made, the inner sink (its close closes the inner one).  A filter
 * is not thread-safe: one per thread (the output thread owns the sinks).
 * Nothing here prints.
 */
#ifndef EW_OUTPUT_PRIVACY_H
#define EW_OUTPUT_PRIVACY_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "output.h"
#include "util-cidr.h"

#define OUTPUT_PRIVACY_PSEUDONYM_LEN 18 /* "p:" and 16 hex digits (64 bits of the HMAC) */

/* Counters several wrapping sinks may share; read them from any thread. */
struct output_privacy_tally {
	atomic_uint_fast64_t lines;   /* lines filtered and passed on */
	atomic_uint_fast64_t dropped; /* lines dropped: did not parse, too deep, too long */
};

struct output_privacy_config {
	enum ew_output_privacy level;            /* PSEUDONYMISED or MINIMAL; FULL is refused */
	const unsigned char *key;                /* the HMAC key, key_len bytes (copied) */
	size_t key_len;                          /* 1..QKEY_MAX_BYTES */
	const struct ew_cidr_list *home_networks; /* what "inside" means (copied) */
	struct output_privacy_tally *tally;      /* optional, shared; must outlive the filter */
};

struct output_privacy;

/* NULL with a message in err on a bad config or when out of memory. */
struct output_privacy *output_privacy_create(const struct output_privacy_config *cfg, char *err,
					     size_t errlen);
/* Wipes the key; accepts NULL. */
void output_privacy_destroy(struct output_privacy *p);

/*
 * Rewrites one line (len bytes, no newline).  0 with the new line in
 * *out and *out_len (valid until the next call); -1 when the line is dropped
 * (counted; output_privacy_error() says why).
 */
int output_privacy_filter(struct output_privacy *p, const char *line, size_t len,
			  const char **out, size_t *out_len);

/* Why the latest line was dropped, or "". */
const char *output_privacy_error(const struct output_privacy *p);

/* Lines passed on and dropped by this filter. */
uint64_t output_privacy_lines(const struct output_privacy *p);
uint64_t output_privacy_dropped(const struct output_privacy *p);

/*
 * The pseudonym of len bytes of value under key: "p:" and the first 16
 * lower-case hex digits of HMAC-SHA256(key, value), NUL-terminated.  0, or
 * -1 if libcrypto fails.
 */
int output_privacy_pseudonym(const void *key, size_t key_len, const void *value, size_t len,
			     char out[OUTPUT_PRIVACY_PSEUDONYM_LEN + 1]);

/*
 * A sink that filters each line and writes the result to inner.  On
 * success it owns inner; on NULL (message in err) the caller still does.
 * A dropped line makes write_line return -1 with the reason in error(),
 * so the queue counts it against this sink, and close returns -1 if any
 * line was dropped.
 */
struct output_sink *output_privacy_wrap(struct output_sink *inner,
					const struct output_privacy_config *cfg, char *err,
					size_t errlen);

#endif /* EW_OUTPUT_PRIVACY_H */
