/*
 * fuzz-detect.c - libFuzzer target for the detection rule loader and
 * matcher.
 *
 * Feeds arbitrary bytes to detect_rules_load_buffer() with two variables,
 * $DNS_SERVERS (one resolver) and $HOME_NET (empty, so rules using it
 * load disabled).  Besides what the sanitizers catch, it checks the
 * loader's promises: a failure returns no set and a one-line "fuzz:..."
 * message; a success leaves an empty message, at most DETECT_RULES_MAX
 * rules and consistent rule information.  Every set that loads is then
 * matched, with a small threshold table (so that eviction is exercised),
 * against views of every stage, including hostile ones (a long server
 * name of odd bytes, a long class name, IPv6, every risk bit), and each
 * hit must keep its promises: a terminated explanation within its
 * bound, a rule of the set, a severity in range.  Seed it with
 * rules/detections.yaml.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "detect-rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Checked even in release builds: a fuzz target must not rely on assert(). */
static void check(int ok)
{
	if (!ok)
		abort();
}

#define NVIEWS 6
#define MAXHITS 4

static struct detect_view views[NVIEWS];
static struct ew_cidr_list dns_list, home_list;
static char junk[300];

static void set_v4(struct ew_addr *a, uint8_t x, uint8_t y, uint8_t z, uint8_t w)
{
	const uint8_t v4[4] = { x, y, z, w };

	ew_addr_set_v4(a, v4);
}

static void init(void)
{
	static bool done;
	struct ew_cidr c;
	uint8_t v6[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x20 };

	if (done)
		return;
	done = true;
	check(ew_cidr_parse("192.168.1.1", &c, NULL, 0) == 0);
	check(ew_cidr_list_add(&dns_list, &c) == 0);
	for (size_t i = 0; i < sizeof(junk) - 1; i++)
		junk[i] = "ab*?.\xff\x80%s\\"[i % 10];
	junk[sizeof(junk) - 1] = '\0';
	for (int i = 0; i < NVIEWS; i++) {
		struct detect_view *v = &views[i];

		v->stage = (uint8_t)(i % DETECT_NSTAGES);
		v->proto = i % 2 ? 17 : 6;
		set_v4(&v->client_addr, 192, 168, 1, (uint8_t)(20 + i));
		set_v4(&v->server_addr, 203, 0, 113, 5);
		v->client_port = 40000;
		v->server_port = (uint16_t)(i == 3 ? 53 : 23);
		v->client_internal = true;
		v->client_class = i == 4 ? junk : "camera";
		v->server_class = "";
		v->client_device_key = (uint64_t)i;
		v->tcp_seq = 0xcb007105; /* the Mirai trait for 203.0.113.5 */
		v->app = i == 5 ? junk : "TLS.Google";
		v->ndpi_risk = i == 2 ? ~0ull : 1ull << 36;
		v->bytes_toserver = 1000;
		v->answered = i % 2 == 0;
		v->server_name = junk;
		v->ts = 1700000000000000ull;
	}
	ew_addr_set_v6(&views[5].client_addr, v6);
	views[5].server_addr = views[5].client_addr;
	views[5].server_addr.bytes[0] = 0x20;
}

static void check_set(const struct detect_rules *r)
{
	size_t disabled = 0;

	check(detect_rules_count(r) <= DETECT_RULES_MAX);
	for (size_t i = 0; i < detect_rules_count(r); i++) {
		struct detect_rule_info info;

		check(detect_rules_info(r, i, &info) == 0);
		check(info.id != NULL && info.title != NULL && info.reason != NULL);
		check(info.severity <= DETECT_SEV_CRITICAL && info.stage < DETECT_NSTAGES);
		check(info.disabled == (info.reason[0] != '\0'));
		disabled += info.disabled;
	}
	check(disabled == detect_rules_disabled_count(r));
}

static void check_hits(const struct detect_hit *hits, size_t n, const struct detect_view *v)
{
	check(n <= MAXHITS);
	for (size_t i = 0; i < n; i++) {
		check(hits[i].rule_id != NULL && hits[i].title != NULL);
		check(hits[i].severity <= DETECT_SEV_CRITICAL);
		check(hits[i].stage == v->stage);
		check(memchr(hits[i].explain, '\0', DETECT_EXPLAIN_MAX) != NULL);
		check(strstr(hits[i].explain, hits[i].rule_id) != NULL);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct detect_var vars[] = { { "DNS_SERVERS", &dns_list }, { "HOME_NET", &home_list } };
	char err[DETECT_RULES_ERRLEN];
	struct detect_rules *r;
	struct detect_state *st;

	init();
	memset(err, 'x', sizeof(err));
	r = detect_rules_load_buffer("fuzz", (const char *)data, size, vars, 2, err, sizeof(err));
	if (r == NULL) {
		check(memchr(err, '\0', sizeof(err)) != NULL);
		check(strncmp(err, "fuzz:", 5) == 0);
		check(strchr(err, '\n') == NULL);
		return 0;
	}
	check(err[0] == '\0');
	check_set(r);
	st = detect_state_create(2);
	check(st != NULL);
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < NVIEWS; i++) {
			struct detect_hit hits[MAXHITS];
			size_t n = detect_rules_match(r, st, &views[i], hits, MAXHITS);

			check_hits(hits, n, &views[i]);
		}
	}
	check(detect_state_stats(st)->entries <= 2);
	detect_state_destroy(st);
	detect_rules_free(r);
	return 0;
}
