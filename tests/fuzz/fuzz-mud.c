/*
 * fuzz-mud.c - libFuzzer target for the RFC 8520 MUD file reader and the
 * judging of flows against what it read.
 *
 * Feeds arbitrary bytes to policy_mud_load_buffer().  Besides what the
 * sanitizers catch, it checks the reader's promises: a failure returns
 * nothing and one line "fuzz:..."; a success keeps the ACE cap, a
 * mud-url within POLICY_MUD_URL_MAX, and judges a few flows both ways
 * (IPv4 and IPv6, named and not, remote ends announcing MUD URLs and
 * not), each verdict with a reason when it is a violation.  Seed it with
 * the files in tests/mud.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy-mud.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Checked even in release builds: a fuzz target must not rely on assert(). */
static void check(int ok)
{
	if (!ok)
		abort();
}

#define NVIEWS 4

static struct policy_view views[NVIEWS];
static struct ew_cidr_list home;

static void init(void)
{
	static bool done;
	static const char *const addrs[NVIEWS][2] = {
		{ "192.168.1.20", "198.51.100.7" },
		{ "192.168.1.21", "192.168.1.10" },
		{ "fd00::20", "2001:db8::1" },
		{ "203.0.113.9", "192.168.1.20" },
	};
	static const char *const urls[NVIEWS] = {
		NULL, "https://mud.example.com/cam.json", NULL, "https://MUD.example.com/x",
	};
	struct ew_cidr c;
	char err[128];

	if (done)
		return;
	done = true;
	check(ew_cidr_parse("192.168.0.0/16", &c, err, sizeof(err)) == 0);
	check(ew_cidr_list_add(&home, &c) == 0);
	for (int i = 0; i < NVIEWS; i++) {
		struct policy_view *v = &views[i];

		check(ew_cidr_parse(addrs[i][0], &c, err, sizeof(err)) == 0);
		v->client = c.addr;
		check(ew_cidr_parse(addrs[i][1], &c, err, sizeof(err)) == 0);
		v->server = c.addr;
		v->proto = i % 2 == 0 ? 6 : 17;
		v->client_port = (uint16_t)(40000 + i);
		v->server_port = i == 0 ? 443 : (uint16_t)(23 * i);
		v->server_name = i == 0 ? "cloud.example.com" : NULL;
		v->client_name = i == 3 ? "scanner.example" : NULL;
		v->server_mud_url = urls[i];
		v->client_mud_url = urls[(i + 1) % NVIEWS];
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256], why[192];
	struct policy_mud *m;

	init();
	err[0] = '\0';
	m = policy_mud_load_buffer("fuzz", (const char *)data, size, err, sizeof(err));
	if (m == NULL) {
		check(strncmp(err, "fuzz:", 5) == 0 && strchr(err, '\n') == NULL);
		return 0;
	}
	check(strlen(policy_mud_url(m)) <= POLICY_MUD_URL_MAX);
	for (int d = 0; d < POLICY_MUD_DIRS; d++) {
		check(policy_mud_ace_count(m, (enum policy_mud_dir)d) <= POLICY_MUD_ACES_MAX);
		for (int i = 0; i < NVIEWS; i++) {
			why[0] = '\0';
			if (!policy_mud_allows(m, (enum policy_mud_dir)d, &home, &views[i], why,
					       sizeof(why)))
				check(why[0] != '\0');
		}
	}
	check(policy_mud_unsupported(m) <= 2 * POLICY_MUD_ACES_MAX);
	policy_mud_free(m);
	return 0;
}
