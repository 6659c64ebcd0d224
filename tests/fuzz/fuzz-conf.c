/*
 * fuzz-conf.c - libFuzzer target for the configuration loader.
 *
 * Feeds arbitrary bytes to conf_load_buffer() on a fresh default
 * configuration.  Besides what the sanitizers catch, it checks the
 * loader's promises: a failure leaves the configuration untouched and a
 * one-line "fuzz:..." message; a success leaves every value in bounds.
 * Seed it with the embedded default (edgewatch --dump-config).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Checked even in release builds: a fuzz target must not rely on assert(). */
static void check(int ok)
{
	if (!ok)
		abort();
}

static int same_string(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void check_unchanged(const struct ew_conf *c, const struct ew_conf *ref)
{
	check(c->max_flows == ref->max_flows);
	check(c->tcp_timeout_s == ref->tcp_timeout_s);
	check(c->tcp_new_timeout_s == ref->tcp_new_timeout_s);
	check(c->tcp_closed_timeout_s == ref->tcp_closed_timeout_s);
	check(c->udp_timeout_s == ref->udp_timeout_s);
	check(c->icmp_timeout_s == ref->icmp_timeout_s);
	check(c->other_timeout_s == ref->other_timeout_s);
	check(c->dpi_max_packets == ref->dpi_max_packets);
	check(c->dpi_max_active == ref->dpi_max_active);
	check(same_string(c->bpf_filter, ref->bpf_filter));
	check(same_string(c->output_file, ref->output_file));
	check(ew_cidr_list_equal(&c->home_networks, &ref->home_networks));
	check(ew_cidr_list_equal(&c->dns_servers, &ref->dns_servers));
	check(c->min_severity == ref->min_severity);
}

static void check_in_bounds(const struct ew_conf *c)
{
	check(c->max_flows >= 1 && c->max_flows <= 16777216);
	check(c->tcp_timeout_s >= 1 && c->tcp_timeout_s <= 86400);
	check(c->tcp_new_timeout_s >= 1 && c->tcp_new_timeout_s <= 86400);
	check(c->tcp_closed_timeout_s <= 3600);
	check(c->udp_timeout_s >= 1 && c->udp_timeout_s <= 86400);
	check(c->icmp_timeout_s >= 1 && c->icmp_timeout_s <= 86400);
	check(c->other_timeout_s >= 1 && c->other_timeout_s <= 86400);
	check(c->dpi_max_packets >= 1 && c->dpi_max_packets <= 255);
	check(c->dpi_max_active <= 16777216);
	check(c->bpf_filter == NULL ||
	      (c->bpf_filter[0] != '\0' && strlen(c->bpf_filter) <= EW_CONF_MAX_STRING));
	check(c->output_file != NULL && c->output_file[0] != '\0' &&
	      strlen(c->output_file) <= EW_CONF_MAX_STRING);
	/* The lists keep their bounds: home networks 1..64 blocks, the rest at most 64 items. */
	check(c->home_networks.n >= 1 && c->home_networks.n <= 64);
	check(c->dns_servers.n <= 64);
	check(c->quarantine_causes.n <= 64 && c->quarantine_allow.n <= 64);
	for (size_t i = 0; i < c->quarantine_allow.n; i++)
		check(c->quarantine_allow.v[i] != NULL);
	check(c->min_severity <= 4 && c->quarantine_min_severity <= 4);
	check(c->syslog_facility <= 23);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ew_conf c, ref;
	char err[EW_CONF_ERRLEN];

	conf_init_defaults(&c);
	conf_init_defaults(&ref);
	memset(err, 'x', sizeof(err));
	if (conf_load_buffer(&c, "fuzz", (const char *)data, size, err) == 0) {
		check(err[0] == '\0');
		check_in_bounds(&c);
	} else {
		check(memchr(err, '\0', sizeof(err)) != NULL);
		check(strncmp(err, "fuzz:", 5) == 0);
		check(strchr(err, '\n') == NULL);
		check_unchanged(&c, &ref);
	}
	conf_free(&c);
	conf_free(&ref);
	return 0;
}
