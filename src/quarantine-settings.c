/*
 * quarantine-settings.c - the policy's settings (see quarantine.h):
 * checked and copied at create time, so that a bad entry is reported as
 * "quarantine.FIELD: problem" and the engine never sees it; and the two
 * matches made on every incident against them: the cause patterns and
 * the allowlist.  Every string here may come from a hostile network
 * (causes, class and host names), so globs go through the rules module's
 * checked matcher and messages quote text escaped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "device-rules-private.h" /* rules_glob_check/match: globs safe on hostile names */
#include "quarantine-private.h"

/*
 * Copies n bytes of hostile text into dst (size bytes, NUL-terminated) as
 * printable ASCII, other bytes as \xNN, never cutting an escape in half.
 */
void quarantine_escape(char *dst, size_t size, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t at = 0;

	if (size == 0)
		return;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '\\') {
			if (at + 1 >= size)
				break;
			dst[at++] = (char)c;
		} else {
			if (at + 4 >= size)
				break;
			dst[at++] = '\\';
			dst[at++] = 'x';
			dst[at++] = hex[c >> 4];
			dst[at++] = hex[c & 15];
		}
	}
	dst[at] = '\0';
}


/* "aa:bb:cc:dd:ee:ff" or "AA-BB-..." into mac; false if it is neither. */
static bool parse_mac_any(const char *s, uint8_t mac[6])
{
	if (strlen(s) != QREQ_MAC_LEN)
		return false;
	for (int i = 0; i < 6; i++) {
		unsigned v = 0;

		for (int j = 0; j < 2; j++) {
			char c = s[3 * i + j];

			if (c >= '0' && c <= '9')
				v = v * 16 + (unsigned)(c - '0');
			else if (c >= 'a' && c <= 'f')
				v = v * 16 + (unsigned)(c - 'a' + 10);
			else if (c >= 'A' && c <= 'F')
				v = v * 16 + (unsigned)(c - 'A' + 10);
			else
				return false;
		}
		if (i < 5 && s[3 * i + 2] != ':' && s[3 * i + 2] != '-')
			return false;
		mac[i] = (uint8_t)v;
	}
	return true;
}

/* ---- creating ---- */

static int parse_allow_entry(const char *text, size_t i, struct allow_entry *e, char *err,
			     size_t errlen)
{
	char q[64];
	char why[128];
	const char *glob_why;

	quarantine_escape(q, sizeof q, text, strlen(text));
	memset(e, 0, sizeof *e);
	e->text = strdup(text);
	if (e->text == NULL) {
		qerr(err, errlen, "quarantine.allow: out of memory");
		return -1;
	}
	if (strncmp(text, "mac:", 4) == 0) {
		e->kind = ALLOW_MAC;
		e->arg = e->text + 4;
		if (!parse_mac_any(e->arg, e->mac))
			goto bad;
	} else if (strncmp(text, "ip:", 3) == 0) {
		e->kind = ALLOW_IP;
		e->arg = e->text + 3;
		if (ew_cidr_parse(e->arg, &e->cidr, why, sizeof why) != 0) {
			qerr(err, errlen, "quarantine.allow[%zu]: \"%s\": %s", i, q, why);
			return -1;
		}
	} else if (strncmp(text, "class:", 6) == 0) {
		e->kind = ALLOW_CLASS;
		e->arg = e->text + 6;
		if (e->arg[0] == '\0')
			goto bad;
	} else if (strncmp(text, "name:", 5) == 0) {
		e->kind = ALLOW_NAME;
		e->arg = e->text + 5;
		glob_why = rules_glob_check(e->arg, strlen(e->arg));
		if (e->arg[0] == '\0' || glob_why != NULL) {
			qerr(err, errlen, "quarantine.allow[%zu]: \"%s\" %s", i, q,
				  glob_why != NULL ? glob_why : "names no device");
			return -1;
		}
	} else {
		goto bad;
	}
	return 0;
bad:
	qerr(err, errlen,
		  "quarantine.allow[%zu]: \"%s\" is not mac:MAC, ip:CIDR, class:NAME or name:GLOB",
		  i, q);
	return -1;
}

/*
 * The isolate allow list: udp/53 (DNS) and udp/67 (the DHCP server, by
 * the rule the same hosts) for each single-host block of
 * dns_servers.  A wider block names no server an enforcer could open a
 * hole for, so it is left out rather than opened whole.
 */
static int build_isolate_allow(struct quarantine *q, const struct ew_cidr_list *dns, char *err,
			       size_t errlen)
{
	size_t at = 0, entries = 0;

	q->isolate_allow[0] = '\0';
	for (size_t i = 0; dns != NULL && i < dns->n; i++) {
		const struct ew_cidr *c = &dns->v[i];
		char a[EW_ADDR_STRLEN];
		int n;

		if (c->prefix != 128)
			continue;
		if (entries + 2 > QREQ_ALLOW_ENTRIES_MAX) {
			qerr(err, errlen, "network.dns_servers: more than %d servers",
				  QREQ_ALLOW_ENTRIES_MAX / 2);
			return -1;
		}
		ew_addr_format(&c->addr, a, sizeof a);
		n = snprintf(q->isolate_allow + at, sizeof q->isolate_allow - at,
			     "%sudp/%s/53,udp/%s/67", at > 0 ? "," : "", a, a);
		if (n < 0 || (size_t)n >= sizeof q->isolate_allow - at) {
			q->isolate_allow[at] = '\0';
			qerr(err, errlen, "network.dns_servers: too many servers");
			return -1;
		}
		at += (size_t)n;
		entries += 2;
	}
	return 0;
}

int quarantine_settings_copy(struct quarantine *q, const struct quarantine_settings *s,
			     char *err, size_t errlen)
{
	size_t n;

	q->enabled = s->enabled;
	q->dry_run = s->dry_run;
	q->release_on_close = s->release_on_close;
	n = s->sensor_id != NULL ? strlen(s->sensor_id) : 0;
	if (n == 0 || n > QREQ_SENSOR_ID_MAX || strspn(s->sensor_id,
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != n)
		return qerr(err, errlen, "quarantine.sensor_id: not 1..%d of [A-Za-z0-9._-]",
				 QREQ_SENSOR_ID_MAX);
	memcpy(q->sensor_id, s->sensor_id, n + 1);
	if (s->min_severity >= SEV_COUNT)
		return qerr(err, errlen, "quarantine.min_severity: not 0..4");
	q->min_severity = s->min_severity;
	q->min_score = s->min_score;
	if (s->action != QREQ_ISOLATE && s->action != QREQ_RESTRICT)
		return qerr(err, errlen, "quarantine.action: not isolate or restrict");
	q->action = s->action;
	if (s->ttl_s == 0 || s->ttl_s > QUARANTINE_TTL_S_MAX)
		return qerr(err, errlen, "quarantine.ttl: not 1..%d seconds",
				 QUARANTINE_TTL_S_MAX);
	q->ttl_us = (ew_usec_t)s->ttl_s * EW_USEC_PER_SEC;
	if (s->max_per_hour > QUARANTINE_PER_HOUR_MAX)
		return qerr(err, errlen, "quarantine.max_per_hour: over %d",
				 QUARANTINE_PER_HOUR_MAX);
	q->max_per_hour = s->max_per_hour;
	if (s->ncauses > QUARANTINE_CAUSES_MAX || s->nallow > QUARANTINE_ALLOW_MAX)
		return qerr(err, errlen, "quarantine.%s: over %d entries",
				 s->ncauses > QUARANTINE_CAUSES_MAX ? "causes" : "allow",
				 s->ncauses > QUARANTINE_CAUSES_MAX ? QUARANTINE_CAUSES_MAX
								    : QUARANTINE_ALLOW_MAX);
	if (s->ncauses > 0) {
		q->causes = calloc(s->ncauses, sizeof *q->causes);
		if (q->causes == NULL)
			return qerr(err, errlen, "quarantine: out of memory");
	}
	for (size_t i = 0; i < s->ncauses; i++) {
		const char *why = rules_glob_check(s->causes[i], strlen(s->causes[i]));
		char qt[64];

		if (s->causes[i][0] == '\0' || why != NULL) {
			quarantine_escape(qt, sizeof qt, s->causes[i], strlen(s->causes[i]));
			return qerr(err, errlen, "quarantine.causes[%zu]: \"%s\" %s", i, qt,
					 why != NULL ? why : "is empty");
		}
		q->causes[i] = strdup(s->causes[i]);
		if (q->causes[i] == NULL)
			return qerr(err, errlen, "quarantine: out of memory");
		q->ncauses = i + 1;
	}
	if (s->nallow > 0) {
		q->allow = calloc(s->nallow, sizeof *q->allow);
		if (q->allow == NULL)
			return qerr(err, errlen, "quarantine: out of memory");
	}
	for (size_t i = 0; i < s->nallow; i++) {
		int rc = parse_allow_entry(s->allow[i], i, &q->allow[i], err, errlen);

		q->nallow = i + 1; /* the entry's text is freed with the others even on failure */
		if (rc != 0)
			return -1;
	}
	if (build_isolate_allow(q, s->dns_servers, err, errlen) != 0)
		return -1;
	if (s->key != NULL && s->key->len > 0 &&
	    qkey_set(&q->key, s->key->bytes, s->key->len, err, errlen) != 0)
		return -1;
	/* A dry run may go without a key: what it reports is never sent. */
	if (q->enabled && !q->dry_run && q->key.len == 0)
		return qerr(err, errlen, "quarantine.key_file: no key");
	return 0;
}

void quarantine_settings_free(struct quarantine *q)
{
	for (size_t i = 0; i < q->ncauses; i++)
		free(q->causes[i]);
	free(q->causes);
	q->causes = NULL;
	q->ncauses = 0;
	for (size_t i = 0; i < q->nallow; i++)
		free(q->allow[i].text);
	free(q->allow);
	q->allow = NULL;
	q->nallow = 0;
	qkey_wipe(&q->key);
}

/* ---- matching ---- */

/* Whether some configured pattern matches the cause. */
bool quarantine_cause_allowed(const struct quarantine *q, const char *cause)
{
	for (size_t i = 0; i < q->ncauses; i++)
		if (rules_glob_match(q->causes[i], cause))
			return true;
	return false;
}

/* The allowlist entry that protects the device, or NULL. */
const struct allow_entry *quarantine_allowlisted(const struct quarantine *q,
						 const struct quarantine_device *dev)
{
	for (size_t i = 0; i < q->nallow; i++) {
		const struct allow_entry *e = &q->allow[i];

		switch (e->kind) {
		case ALLOW_MAC:
			if (dev->has_mac && memcmp(dev->mac, e->mac, 6) == 0)
				return e;
			break;
		case ALLOW_IP:
			for (size_t j = 0; j < dev->naddrs; j++)
				if (ew_cidr_contains(&e->cidr, &dev->addrs[j]))
					return e;
			break;
		case ALLOW_CLASS:
			if (dev->class_name != NULL && strcasecmp(dev->class_name, e->arg) == 0)
				return e;
			break;
		case ALLOW_NAME:
			if (dev->name != NULL && dev->name[0] != '\0' &&
			    rules_glob_match(e->arg, dev->name))
				return e;
			break;
		default:
			break;
		}
	}
	return NULL;
}

