/*
 * pcapgen.c - ew-pcapgen: writes deterministic test captures and their
 * ground truth.
 *
 *   ew-pcapgen SCENARIO -o FILE|- [--truth FILE] [--link NAME]
 *              [--format pcap|pcapng] [--ipv6] [--seed N] [--packets N]
 *              [--flows N] [--duration SECONDS] [--sites N] [--warmup SECONDS]
 *              [--gap SECONDS] [--attack NAME]... [--labels FILE] [--slice BYTES]
 *
 * This file owns the command line and the output stage: a reorder buffer
 * that takes the scenario's frames in any order after the last announced
 * horizon and writes them sorted by time, through libpcap's writer for
 * pcap or our own block writer for pcapng (libpcap cannot write pcapng).
 * Each frame written is also counted into the ground truth, so the .truth
 * file always describes the capture exactly.  The attacks scenario's
 * labels go to a CSV file as each attack ends.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "gen-attack.h"
#include "gen-build.h"
#include "gen-scenario.h"
#include "gen-truth.h"

#define SNAPLEN 262144 /* the usual "whole packet" snapshot length */
#define STDIO_BUF (1 << 20)
/* attacks stores bulk payloads (exfiltration, flood, clips, music) cut to
 * this many bytes unless --slice says otherwise, to stay near 40 MB. */
#define ATTACKS_SLICE_BYTES 80

enum format { FORMAT_PCAP, FORMAT_PCAPNG };

/* A frame waiting in the reorder buffer. */
struct pending {
	uint64_t ts_us, seq;
	struct gen_meta meta;
	size_t len;
	uint8_t data[];
};

struct writer {
	enum format format;
	pcap_t *dead;
	pcap_dumper_t *dumper;
	FILE *file; /* the pcapng stream, or the one under the dumper */
	struct gen_truth *truth;
	struct pending **heap;
	size_t n, cap;
	uint64_t seq, horizon_us, written, max_packets;
	uint64_t last_us;  /* time of the last frame written */
	size_t slice;      /* bulk frames stored cut to this (0: whole) */
	FILE *labels;      /* the attacks' CSV, or NULL */
	int failed; /* errno-style once writing failed; stops the run */
};

static const char *prog = "ew-pcapgen";

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* ------------------------------------------------------------ pcapng */

static void le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void le32(uint8_t *p, uint32_t v)
{
	le16(p, (uint16_t)v);
	le16(p + 2, (uint16_t)(v >> 16));
}

/* An option: code, length, value padded to 32 bits. Returns bytes used. */
static size_t ng_option(uint8_t *p, uint16_t code, const void *val, uint16_t len)
{
	size_t padded = (len + 3u) & ~3u;

	le16(p, code);
	le16(p + 2, len);
	memset(p + 4, 0, padded);
	if (len > 0)
		memcpy(p + 4, val, len);
	return 4 + padded;
}

static int ng_block(FILE *f, uint32_t type, const uint8_t *body, size_t len)
{
	uint8_t head[8], tail[4];

	le32(head, type);
	le32(head + 4, (uint32_t)(len + 12));
	memcpy(tail, head + 4, 4);
	if (fwrite(head, 1, 8, f) != 8 || fwrite(body, 1, len, f) != len || fwrite(tail, 1, 4, f) != 4)
		return -1;
	return 0;
}

/* Section header and the one interface (microsecond timestamps). */
static int ng_start(FILE *f, uint16_t linktype)
{
	static const char app[] = "ew-pcapgen";
	static const uint8_t tsresol = 6;
	uint8_t b[128];
	size_t n = 0;

	le32(b, 0x1a2b3c4d); /* byte-order magic: we write little-endian */
	le16(b + 4, 1);
	le16(b + 6, 0);
	memset(b + 8, 0xff, 8); /* section length not given */
	n = 16;
	n += ng_option(b + n, 4, app, sizeof(app) - 1); /* shb_userappl */
	n += ng_option(b + n, 0, NULL, 0);
	if (ng_block(f, 0x0a0d0d0a, b, n) != 0)
		return -1;
	le16(b, linktype);
	le16(b + 2, 0);
	le32(b + 4, SNAPLEN);
	n = 8;
	n += ng_option(b + n, 2, "eth0", 4);        /* if_name */
	n += ng_option(b + n, 9, &tsresol, 1);      /* if_tsresol */
	n += ng_option(b + n, 0, NULL, 0);
	return ng_block(f, 1, b, n);
}

static int ng_packet(FILE *f, uint64_t ts_us, const uint8_t *data, size_t len, size_t wire_len)
{
	static const uint8_t pad[4];
	size_t padded = (len + 3) & ~(size_t)3;
	uint8_t head[28];

	le32(head, 6); /* enhanced packet block */
	le32(head + 4, (uint32_t)(32 + padded));
	le32(head + 8, 0);
	le32(head + 12, (uint32_t)(ts_us >> 32));
	le32(head + 16, (uint32_t)ts_us);
	le32(head + 20, (uint32_t)len);
	le32(head + 24, (uint32_t)wire_len);
	if (fwrite(head, 1, 28, f) != 28 || fwrite(data, 1, len, f) != len ||
	    fwrite(pad, 1, padded - len, f) != padded - len || fwrite(head + 4, 1, 4, f) != 4)
		return -1;
	return 0;
}

/* ------------------------------------------------------------ reorder */

static bool pending_before(const struct pending *a, const struct pending *b)
{
	return a->ts_us < b->ts_us || (a->ts_us == b->ts_us && a->seq < b->seq);
}

static void heap_push(struct writer *w, struct pending *p)
{
	size_t i;

	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 4096;
		struct pending **h = realloc(w->heap, cap * sizeof(*h));

		if (!h)
			die("out of memory");
		w->heap = h;
		w->cap = cap;
	}
	for (i = w->n++; i > 0 && pending_before(p, w->heap[(i - 1) / 2]); i = (i - 1) / 2)
		w->heap[i] = w->heap[(i - 1) / 2];
	w->heap[i] = p;
}

static struct pending *heap_pop(struct writer *w)
{
	struct pending *top = w->heap[0], *last = w->heap[--w->n];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= w->n)
			break;
		if (c + 1 < w->n && pending_before(w->heap[c + 1], w->heap[c]))
			c++;
		if (!pending_before(w->heap[c], last))
			break;
		w->heap[i] = w->heap[c];
		i = c;
	}
	if (w->n > 0)
		w->heap[i] = last;
	return top;
}

static void out_frame(void *ctx, uint64_t ts_us, const uint8_t *data, size_t len,
		      const struct gen_meta *meta)
{
	struct writer *w = ctx;
	struct pending *p;

	/* A frame behind the horizon would have to be written out of order:
	 * a scenario bug, not something to paper over. */
	if (ts_us < w->horizon_us)
		die("internal error: frame at %" PRIu64 " behind horizon %" PRIu64, ts_us,
		    w->horizon_us);
	p = malloc(sizeof(*p) + len);
	if (!p)
		die("out of memory");
	p->ts_us = ts_us;
	p->seq = w->seq++;
	p->meta = *meta;
	p->len = len;
	memcpy(p->data, data, len);
	heap_push(w, p);
}

static int write_one(struct writer *w, const struct pending *p)
{
	/* Sliced as a snap length would cut it: the wire length stays. */
	size_t caplen = p->meta.bulk && w->slice && p->len > w->slice ? w->slice : p->len;

	w->last_us = p->ts_us;
	if (w->format == FORMAT_PCAP) {
		struct pcap_pkthdr h;

		h.ts.tv_sec = (time_t)(p->ts_us / 1000000);
		h.ts.tv_usec = (suseconds_t)(p->ts_us % 1000000);
		h.caplen = (bpf_u_int32)caplen;
		h.len = (bpf_u_int32)p->len;
		pcap_dump((u_char *)w->dumper, &h, p->data);
		return ferror(w->file) ? -1 : 0;
	}
	return ng_packet(w->file, p->ts_us, p->data, caplen, p->len);
}

/* One CSV row: device,start,end,scenario (times with microseconds). */
static void out_label(void *ctx, const uint8_t mac[6], uint64_t start_us, uint64_t end_us,
		      const char *scenario)
{
	struct writer *w = ctx;

	if (!w->labels)
		return;
	fprintf(w->labels, "%02x:%02x:%02x:%02x:%02x:%02x,%" PRIu64 ".%06" PRIu64 ",%" PRIu64
		".%06" PRIu64 ",%s\n", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5],
		start_us / 1000000, start_us % 1000000, end_us / 1000000, end_us % 1000000, scenario);
}

static int out_horizon(void *ctx, uint64_t ts_us)
{
	struct writer *w = ctx;

	while (w->n > 0 && w->heap[0]->ts_us < ts_us) {
		struct pending *p = heap_pop(w);

		if (write_one(w, p) != 0) {
			w->failed = errno ? errno : EIO;
			free(p);
			return -1;
		}
		if (gen_truth_account(w->truth, p->ts_us, p->len, &p->meta) != 0) {
			fprintf(stderr, "%s: %s\n", prog, gen_truth_error(w->truth));
			free(p);
			return -1;
		}
		free(p);
		if (++w->written == w->max_packets)
			return 1;
	}
	w->horizon_us = ts_us;
	return 0;
}

/* ------------------------------------------------------------ command line */

struct args {
	struct gen_options opt;
	const char *output, *truth, *labels;
	enum format format;
	long slice; /* -1: the scenario's default */
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s SCENARIO -o FILE|- [--truth FILE] [--link LINK] [--format pcap|pcapng]\n"
		"       [--ipv6] [--seed N] [--packets N] [--flows N] [--duration SECONDS]\n"
		"       [--sites N] [--warmup SECONDS] [--gap SECONDS] [--attack NAME]...\n"
		"       [--labels FILE] [--slice BYTES]\n"
		"scenarios: smart-home  a home LAN for %d simulated seconds, per-flow truth\n"
		"           bench       %d homes and long video/upload flows, streamed;\n"
		"                       stops after --packets (default %d)\n"
		"           flood       --flows SYNs (default %d) from distinct sources, 1 us apart\n"
		"           benign      --sites homes (default 1) living for --duration\n"
		"                       (default %d s), streamed; prints the device-days\n"
		"           attacks     one home; after --warmup (default %d s) the attacks one\n"
		"                       at a time, --gap (default %d s) apart, each 60-180 s;\n"
		"                       --attack NAME (repeatable) picks some; --labels FILE\n"
		"                       writes device,start,end,scenario rows\n"
		"attacks: mirai_scan telnet_bruteforce c2_beacon dns_tunnel exfiltration\n"
		"         udp_flood arp_spoof lateral_scan new_service\n"
		"links: ether vlan qinq sll sll2 raw null loop (default ether; attacks needs ARP)\n"
		"--packets N stops after N frames like tcpdump -c; --duration shortens\n"
		"smart-home or bounds the others; --slice N stores bulk payload frames cut\n"
		"to N bytes (attacks default %d, others 0: whole); the default seed is %d.\n",
		prog, GEN_SMART_HOME_S, GEN_BENCH_SITES, GEN_BENCH_PACKETS, GEN_FLOOD_FLOWS,
		GEN_BENIGN_S, GEN_ATTACK_WARMUP_S, GEN_ATTACK_GAP_S, ATTACKS_SLICE_BYTES,
		GEN_DEFAULT_SEED);
}

static uint64_t parse_count(const char *opt, const char *s, uint64_t max)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || s[0] == '-' || v > max)
		die("%s: bad number '%s'", opt, s);
	return v;
}

static void parse_args(int argc, char **argv, struct args *a)
{
	enum { OPT_TRUTH = 256, OPT_LINK, OPT_FORMAT, OPT_IPV6, OPT_SEED, OPT_PACKETS, OPT_FLOWS,
	       OPT_DURATION, OPT_SITES, OPT_WARMUP, OPT_GAP, OPT_ATTACK, OPT_LABELS, OPT_SLICE };
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "truth", required_argument, NULL, OPT_TRUTH },
		{ "link", required_argument, NULL, OPT_LINK },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "ipv6", no_argument, NULL, OPT_IPV6 },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "packets", required_argument, NULL, OPT_PACKETS },
		{ "flows", required_argument, NULL, OPT_FLOWS },
		{ "duration", required_argument, NULL, OPT_DURATION },
		{ "sites", required_argument, NULL, OPT_SITES },
		{ "warmup", required_argument, NULL, OPT_WARMUP },
		{ "gap", required_argument, NULL, OPT_GAP },
		{ "attack", required_argument, NULL, OPT_ATTACK },
		{ "labels", required_argument, NULL, OPT_LABELS },
		{ "slice", required_argument, NULL, OPT_SLICE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum attack_id id;
	int c;

	memset(a, 0, sizeof(*a));
	a->opt.seed = GEN_DEFAULT_SEED;
	a->opt.link = GEN_LINK_ETHER;
	a->opt.warmup_s = GEN_ATTACK_WARMUP_S;
	a->opt.gap_s = GEN_ATTACK_GAP_S;
	a->slice = -1;
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': a->output = optarg; break;
		case OPT_TRUTH: a->truth = optarg; break;
		case OPT_LINK:
			if (gen_link_from_name(optarg, &a->opt.link) != 0)
				die("unknown link type '%s'", optarg);
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "pcap") == 0)
				a->format = FORMAT_PCAP;
			else if (strcmp(optarg, "pcapng") == 0)
				a->format = FORMAT_PCAPNG;
			else
				die("unknown format '%s'", optarg);
			break;
		case OPT_IPV6: a->opt.ipv6 = true; break;
		case OPT_SEED: a->opt.seed = parse_count("--seed", optarg, UINT64_MAX); break;
		case OPT_PACKETS: a->opt.max_packets = parse_count("--packets", optarg, UINT64_MAX); break;
		case OPT_FLOWS: a->opt.flows = parse_count("--flows", optarg, UINT64_MAX); break;
		case OPT_DURATION:
			a->opt.duration_s = (uint32_t)parse_count("--duration", optarg, 100000000);
			break;
		case OPT_SITES:
			a->opt.sites = (uint32_t)parse_count("--sites", optarg, GEN_BENIGN_SITES_MAX);
			if (a->opt.sites == 0)
				die("--sites: at least 1");
			break;
		case OPT_WARMUP: a->opt.warmup_s = (uint32_t)parse_count("--warmup", optarg, 10000000); break;
		case OPT_GAP: a->opt.gap_s = (uint32_t)parse_count("--gap", optarg, 10000000); break;
		case OPT_ATTACK:
			if (attack_from_name(optarg, &id) != 0)
				die("unknown attack '%s'", optarg);
			a->opt.attack_mask |= 1u << id;
			break;
		case OPT_LABELS: a->labels = optarg; break;
		case OPT_SLICE: a->slice = (long)parse_count("--slice", optarg, SNAPLEN); break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		exit(2);
	}
	if (gen_scenario_from_name(argv[optind], &a->opt.scenario) != 0)
		die("unknown scenario '%s'", argv[optind]);
	if (!a->output)
		die("no output: give -o FILE or -o -");
	if (a->opt.scenario == GEN_FLOOD && a->opt.flows == 0)
		a->opt.flows = GEN_FLOOD_FLOWS;
	if (a->opt.scenario == GEN_BENCH && a->opt.max_packets == 0)
		a->opt.max_packets = GEN_BENCH_PACKETS;
	if (a->truth && strcmp(a->truth, "-") == 0 && strcmp(a->output, "-") == 0)
		die("the capture and the truth cannot both go to stdout");
	if (a->opt.scenario == GEN_BENIGN || a->opt.scenario == GEN_ATTACKS) {
		/* The long-running home has no IPv6 habits (yet). */
		if (a->opt.ipv6)
			die("%s: no --ipv6", argv[optind]);
		if (a->opt.scenario == GEN_ATTACKS && !gen_link_has_arp(a->opt.link))
			die("attacks: link '%s' carries no ARP (arp_spoof, lateral_scan)",
			    gen_link_name(a->opt.link));
	}
	if (a->slice < 0)
		a->slice = a->opt.scenario == GEN_ATTACKS ? ATTACKS_SLICE_BYTES : 0;
	/* Slicing below the headers would hide them: link (up to 22 bytes),
	 * IPv4 (20), TCP with timestamps (32) and a TLS record header (5). */
	if (a->slice > 0 && a->slice < 80)
		die("--slice: 0 or at least 80 bytes");
}

/* ------------------------------------------------------------ main */

static bool host_little_endian(void)
{
	const uint16_t one = 1;

	return *(const uint8_t *)&one == 1;
}

static void open_output(struct writer *w, const struct args *a)
{
	bool to_stdout = strcmp(a->output, "-") == 0;
	int dlt = gen_link_dlt(a->opt.link);

	w->file = to_stdout ? stdout : fopen(a->output, "wb");
	if (!w->file)
		die("%s: %s", a->output, strerror(errno));
	setvbuf(w->file, NULL, _IOFBF, STDIO_BUF);
	if (a->format == FORMAT_PCAPNG) {
		if (ng_start(w->file, (uint16_t)gen_link_linktype(a->opt.link)) != 0)
			die("%s: %s", a->output, strerror(errno));
		return;
	}
	w->dead = pcap_open_dead_with_tstamp_precision(dlt, SNAPLEN, PCAP_TSTAMP_PRECISION_MICRO);
	if (!w->dead)
		die("pcap_open_dead failed");
	w->dumper = pcap_dump_fopen(w->dead, w->file);
	if (!w->dumper)
		die("%s: %s", a->output, pcap_geterr(w->dead));
}

static int close_output(struct writer *w)
{
	int rc = 0;

	if (w->dumper) {
		if (pcap_dump_flush(w->dumper) != 0)
			rc = -1;
		pcap_dump_close(w->dumper); /* closes w->file too */
		pcap_close(w->dead);
	} else if (w->file) {
		if (fflush(w->file) != 0 || ferror(w->file))
			rc = -1;
		if (w->file != stdout && fclose(w->file) != 0)
			rc = -1;
	}
	return rc;
}

static int write_truth(const struct writer *w, const struct args *a)
{
	FILE *f = strcmp(a->truth, "-") == 0 ? stdout : fopen(a->truth, "w");
	int rc;

	if (!f)
		return -1;
	rc = gen_truth_write(w->truth, f, gen_link_name(a->opt.link),
			     a->format == FORMAT_PCAP ? "pcap" : "pcapng");
	if (f == stdout)
		return fflush(f) != 0 ? -1 : rc;
	return fclose(f) != 0 ? -1 : rc;
}

int main(int argc, char **argv)
{
	struct args a;
	struct writer w;
	struct gen_output out = { out_frame, out_horizon, &w, out_label };
	double device_days;
	int rc;

	parse_args(argc, argv, &a);
	memset(&w, 0, sizeof(w));
	w.format = a.format;
	w.max_packets = a.opt.max_packets ? a.opt.max_packets : UINT64_MAX;
	w.slice = (size_t)a.slice;
	if (a.labels) {
		w.labels = strcmp(a.labels, "-") == 0 ? stdout : fopen(a.labels, "w");
		if (!w.labels || (w.labels == stdout && strcmp(a.output, "-") == 0))
			die("%s: %s", a.labels, w.labels ? "stdout holds the capture" : strerror(errno));
		fprintf(w.labels, "device,start,end,scenario\n");
	}
	/* DLT_NULL's family is in the writer's byte order: libpcap writes pcap
	 * in host order, our pcapng is little-endian. */
	a.opt.null_le = a.format == FORMAT_PCAPNG || host_little_endian();
	w.truth = gen_truth_new(gen_truth_mode_for(a.opt.scenario), gen_link_vlan(a.opt.link));
	if (!w.truth)
		die("out of memory");
	open_output(&w, &a);
	rc = gen_scenario_run(&a.opt, &out);
	while (w.n > 0) /* left behind by a packet limit */
		free(heap_pop(&w));
	free(w.heap);
	if (close_output(&w) != 0 && !w.failed)
		w.failed = errno ? errno : EIO;
	if (w.failed)
		die("%s: write failed: %s", a.output, strerror(w.failed));
	if (rc != 0)
		die("generation failed");
	if (w.labels && (fflush(w.labels) != 0 || ferror(w.labels) ||
			 (w.labels != stdout && fclose(w.labels) != 0)))
		die("%s: %s", a.labels, strerror(errno));
	device_days = gen_scenario_device_days(&a.opt, w.last_us);
	if (device_days > 0) {
		gen_truth_set_device_days(w.truth, device_days);
		fprintf(stderr, "%s: %s: %.2f device-days (%u devices x %u sites x %.3f days)\n",
			prog, argv[optind], device_days, (unsigned)GEN_DEVICES_PER_SITE,
			a.opt.scenario == GEN_BENIGN && a.opt.sites ? a.opt.sites : 1,
			device_days / GEN_DEVICES_PER_SITE /
				(a.opt.scenario == GEN_BENIGN && a.opt.sites ? a.opt.sites : 1));
	}
	if (a.truth && write_truth(&w, &a) != 0)
		die("%s: %s", a.truth, strerror(errno));
	gen_truth_free(w.truth);
	return 0;
}
