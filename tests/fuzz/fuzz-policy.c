/*
 * fuzz-policy.c - libFuzzer target for the segmentation policy loader,
 * its verdicts and the learned export.
 *
 * Feeds arbitrary bytes to policy_load_buffer() with home networks
 * 192.168.0.0/16 and fd00::/8.  Besides what the sanitizers catch, it
 * checks the loader's promises: a failure returns no policy and one line
 * "fuzz:..."; a success stays within the caps.  Every policy that loads
 * judges a few flows (IPv4 and IPv6, tagged and not, classified and not,
 * multicast), each verdict naming zones and, for a rule, its id; the
 * flows are learned under it and exported to a scratch file, which must
 * load back and then allow each of those flows.  Seed it with the
 * examples of docs/policy.md.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Checked even in release builds: a fuzz target must not rely on assert(). */
static void check(int ok)
{
	if (!ok)
		abort();
}

#define NVIEWS 6

static struct policy_view views[NVIEWS];
static struct ew_cidr_list home;
static char scratch[64];

static void init(void)
{
	static bool done;
	static const char *const addrs[NVIEWS][2] = {
		{ "192.168.1.20", "198.51.100.7" }, { "192.168.1.21", "192.168.1.10" },
		{ "10.9.9.9", "192.168.1.20" },     { "fd00::20", "2001:db8::1" },
		{ "192.168.1.22", "224.0.0.251" },  { "192.168.5.5", "255.255.255.255" },
	};
	struct ew_cidr c;

	if (done)
		return;
	done = true;
	check(ew_cidr_parse("192.168.0.0/16", &c, NULL, 0) == 0 && ew_cidr_list_add(&home, &c) == 0);
	check(ew_cidr_parse("fd00::/8", &c, NULL, 0) == 0 && ew_cidr_list_add(&home, &c) == 0);
	for (int i = 0; i < NVIEWS; i++) {
		struct policy_view *v = &views[i];

		check(ew_cidr_parse(addrs[i][0], &c, NULL, 0) == 0);
		v->client = c.addr;
		check(ew_cidr_parse(addrs[i][1], &c, NULL, 0) == 0);
		v->server = c.addr;
		v->proto = (uint8_t)(i == 2 ? 1 : i % 2 ? 17 : 6);
		v->server_port = (uint16_t)(i * 1000 + 443);
		v->vlan = (uint16_t)(i == 1 ? 20 : i == 4 ? 4094 : 0);
		v->client_class = i == 0 ? "camera" : i == 3 ? NULL : "";
	}
	snprintf(scratch, sizeof(scratch), "/tmp/fuzz-policy-%ld.yaml", (long)getpid());
}

static void check_verdict(const struct policy_verdict *vd)
{
	check(vd->client_zone != NULL && vd->server_zone != NULL);
	check(vd->result <= POLICY_DENY_DEFAULT);
	check((vd->result == POLICY_DENY_RULE) <= (vd->rule_id != NULL));
	check(vd->rule_id == NULL || (strlen(vd->rule_id) >= 1 &&
				      strlen(vd->rule_id) <= POLICY_NAME_MAX));
	check(vd->severity <= 4);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[POLICY_ERRLEN];
	struct policy *p, *back;
	struct policy_learn *l;

	init();
	memset(err, 'x', sizeof(err));
	p = policy_load_buffer("fuzz", (const char *)data, size, &home, err, sizeof(err));
	if (p == NULL) {
		check(memchr(err, '\0', sizeof(err)) != NULL);
		check(strncmp(err, "fuzz:", 5) == 0);
		check(strchr(err, '\n') == NULL);
		return 0;
	}
	check(policy_zone_count(p) <= POLICY_ZONES_MAX);
	check(policy_rule_count(p) <= POLICY_RULES_MAX);
	l = policy_learn_create(NVIEWS);
	check(l != NULL);
	for (int i = 0; i < NVIEWS; i++) {
		struct policy_verdict vd;

		policy_check(p, &views[i], &vd);
		check_verdict(&vd);
		check(policy_learn_flow(l, p, &views[i]) == 0);
	}
	/* The export of what was seen loads back and allows all of it. */
	check(policy_export(p, l, scratch, err, sizeof(err)) == 0);
	back = policy_load_file(scratch, &home, err, sizeof(err));
	check(back != NULL);
	for (int i = 0; i < NVIEWS; i++) {
		struct policy_verdict vd;

		policy_check(back, &views[i], &vd);
		check(vd.result == POLICY_ALLOW);
	}
	unlink(scratch);
	policy_free(back);
	policy_learn_destroy(l);
	policy_free(p);
	return 0;
}
