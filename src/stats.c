/*
 * stats.c - end-of-run summary (see stats.h).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "output-flow.h"
#include "stats.h"

#define STATS_TOP_APPS 12

void stats_fill_rusage(struct run_info *ri)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return;
	ri->cpu_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
		    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	ri->peak_rss_kb = (uint64_t)ru.ru_maxrss; /* Linux reports KiB */
}

void stats_memory_kb(uint64_t *rss_kb, uint64_t *peak_rss_kb)
{
	struct rusage ru;
	unsigned long long size_pages, resident_pages;
	long page = sysconf(_SC_PAGESIZE);
	FILE *fp = fopen("/proc/self/statm", "re");

	*rss_kb = 0;
	*peak_rss_kb = 0;
	if (fp != NULL) {
		if (fscanf(fp, "%llu %llu", &size_pages, &resident_pages) == 2 && page > 0)
			*rss_kb = (uint64_t)resident_pages * (uint64_t)page / 1024u;
		fclose(fp);
	}
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		*peak_rss_kb = (uint64_t)ru.ru_maxrss; /* Linux reports KiB */
}

static void write_decode(FILE *out, const struct decode_stats *ds, int errors)
{
	int n = 0;

	for (int ev = DE_NONE + 1; ev < DE_MAX; ev++) {
		if (ds->events[ev] == 0 || decode_event_is_error((enum decode_event)ev) != errors)
			continue;
		fprintf(out, "%s %s %" PRIu64, n++ ? "," : errors ? "decode errors:" : "decode notes:",
			decode_event_name((enum decode_event)ev), ds->events[ev]);
	}
	if (n)
		fputc('\n', out);
	else if (errors)
		fprintf(out, "decode errors: none\n");
}

/* Prints the most frequent applications, most flows first (ties by id). */
static void write_apps(FILE *out, const struct engine *e)
{
	const struct engine_counters *c = engine_counters(e);
	const struct dpi *d = engine_dpi(e);
	bool shown[ENGINE_APP_SLOTS] = { false };
	int printed = 0;

	fprintf(out, "applications:");
	for (int k = 0; k < STATS_TOP_APPS; k++) {
		int best = -1;
		for (int i = 0; i < ENGINE_APP_SLOTS; i++)
			if (!shown[i] && c->flows_by_app[i] &&
			    (best < 0 || c->flows_by_app[i] > c->flows_by_app[best]))
				best = i;
		if (best < 0)
			break;
		shown[best] = true;
		fprintf(out, "%s %s %" PRIu64, printed++ ? "," : "",
			best ? dpi_proto_name(d, (uint16_t)best) : "Unknown", c->flows_by_app[best]);
	}
	fprintf(out, "%s\n", printed ? "" : " none");
}

void stats_write_summary(FILE *out, const char *prog, const struct engine *e,
			 const struct run_info *ri)
{
	const struct engine_counters *c = engine_counters(e);
	const struct flow_table_stats *fs = engine_flow_stats(e);
	const struct dpi_stats *ds = dpi_stats(engine_dpi(e));
	double pps = ri->wall_s > 0 ? (double)c->packets / ri->wall_s : 0;

	fprintf(out, "%s: %u file(s) read, %u failed; %" PRIu64 " packets, %" PRIu64
		" bytes; capture spans %.3f s\n",
		prog, ri->files_ok, ri->files_failed, c->packets, c->bytes,
		c->last_ts > c->first_ts ? (double)(c->last_ts - c->first_ts) / 1e6 : 0.0);
	fprintf(out, "packets: ip %" PRIu64 ", arp %" PRIu64 ", other %" PRIu64
		", malformed %" PRIu64 "\n",
		c->ip_packets, c->arp_packets, c->other_packets, c->decode_errors);
	write_decode(out, engine_decode_stats(e), 1);
	write_decode(out, engine_decode_stats(e), 0);
	fprintf(out, "flows: %" PRIu64 " (peak %" PRIu64 " at once); ended by timeout %" PRIu64
		", evicted %" PRIu64 ", reused %" PRIu64 ", end of input %" PRIu64 "\n",
		fs->created, fs->peak_active, fs->ended[FLOW_END_TIMEOUT],
		fs->ended[FLOW_END_EVICTED], fs->ended[FLOW_END_REUSED],
		fs->ended[FLOW_END_SHUTDOWN]);
	write_apps(out, e);
	{
		const struct device_table_stats *dv = device_table_stats(engine_devices(e));
		fprintf(out, "devices: %" PRIu64 " seen (peak %" PRIu64 " at once), %" PRIu64
			" gone, %" PRIu64 " evicted; %" PRIu64 " device events\n",
			dv->created, dv->peak_active, dv->gone, dv->evicted, c->device_events);
	}
	fprintf(out, "dpi: %" PRIu64 " flows inspected, %" PRIu64 " detected, %" PRIu64
		" undecided, peak %" PRIu64 " states, %" PRIu64 " not inspected (cap), %" PRIu64
		" not inspected (out of memory)\n",
		ds->started, ds->detected, ds->gave_up, ds->peak_active, ds->cap_reached,
		ds->alloc_failed);
	if (c->untracked)
		fprintf(out, "untracked: %" PRIu64 " IP packets (flow table out of memory)\n",
			c->untracked);
	fprintf(out, "events: %" PRIu64 " written, %" PRIu64 " dropped, %" PRIu64
		" output errors\n",
		c->events_written, c->events_dropped, c->output_errors);
	fprintf(out, "time: %.3f s wall, %.3f s cpu, %.0f packets/s; peak memory %.1f MiB\n",
		ri->wall_s, ri->cpu_s, pps, (double)ri->peak_rss_kb / 1024.0);
}
