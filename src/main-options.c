/*
 * main-options.c - the command line (usage, options) and the
 * configuration file of the edgewatch command (see main-private.h).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "main-private.h"

void usage(FILE *out)
{
	fprintf(out,
		"usage: edgewatch -r FILE [-r FILE ...] [-f BPF] [-c CONFIG] [-o FILE] [-q]\n"
		"       edgewatch -i IFACE [--snaplen N] [--buffer-mib N] [--no-promisc]\n"
		"                [--immediate] [-f BPF] [-c CONFIG] [-o FILE] [-q]\n"
		"                [--inventory] [--inventory-json FILE]\n"
		"       edgewatch -n [-c CONFIG]\n"
		"       edgewatch --dump-config | --version | --help\n"
		"\n"
		"  -r, --read FILE      read a pcap/pcapng capture; a directory means its\n"
		"                       capture files in name order; - reads stdin\n"
		"  -f, --filter BPF     only packets matching this BPF filter\n"
		"  -c, --config FILE    YAML configuration (default: built in)\n"
		"  -o, --output FILE    write JSON lines here (default: stdout)\n"
		"  -q, --quiet          no progress bar and no summary\n"
		"      --inventory      print the device inventory as a table at the end\n"
		"      --inventory-json FILE\n"
		"                       write the device inventory as JSON lines to FILE\n"
		"      --state-dir DIR  keep the device inventory in DIR across runs\n"
		"      --rules FILE     device fingerprint rules (default: the installed ones)\n"
		"      --detections FILE\n"
		"                       detection and policy rules (default: the installed ones)\n"
		"      --policy FILE    segmentation policy: zones and allowed flows (docs/policy.md)\n"
		"      --export-policy FILE\n"
		"                       at the end, write the zones and flows seen as a policy\n"
		"      --models DIR     behavioural model settings and class priors\n"
		"                       (default: the installed ones, else built-in values)\n"
		"      --state DIR      the same as --state-dir: inventory and baselines\n"
		"      --learn          build baselines from a clean capture; raise no anomaly,\n"
		"                       and end learning so the next run detects at once\n"
		"      --no-scoring     no behavioural scoring (rules still run): measures its cost\n"
		"      --redis URL      also add events to Redis streams (redis://host:port/db or\n"
		"                       unix:///path); overrides output.redis.url\n"
		"  -i, --interface IFACE\n"
		"                       capture live from IFACE (a mirrored port) until SIGINT or\n"
		"                       SIGTERM; one interface per process; drops root to\n"
		"                       daemon.user; SIGHUP reloads, SIGUSR1 writes a stats event\n"
		"      --snaplen N      bytes kept of each packet (default 262144)\n"
		"      --buffer-mib N   kernel capture buffer in MiB (default 64)\n"
		"      --no-promisc     do not put the interface in promiscuous mode\n"
		"      --immediate      deliver each packet at once (lower latency)\n"
		"  -n, --check-config   check the configuration and exit\n"
		"      --dump-config    print the documented default configuration\n"
		"      --version        print versions and exit\n"
		"  -h, --help           this help\n"
		"\n"
		"Exit status: 0 ok, 1 output or runtime error, 2 usage, 3 bad configuration\n"
		"or filter, 4 an input could not be read, 5 an input was damaged,\n"
		"6 interrupted by a signal.\n");
}

/* A whole decimal number within [lo, hi]; anything else ends the run (status 2). */
static long number_arg(const char *what, const char *text, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || v < lo || v > hi)
		fatalx(EXIT_USAGE, "%s: '%s' is not a number from %ld to %ld", what, text, lo, hi);
	return v;
}

int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "read", required_argument, NULL, 'r' },
		{ "filter", required_argument, NULL, 'f' },
		{ "config", required_argument, NULL, 'c' },
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "check-config", no_argument, NULL, 'n' },
		{ "dump-config", no_argument, NULL, 'D' },
		{ "inventory", no_argument, NULL, 'I' },
		{ "inventory-json", required_argument, NULL, 'J' },
		{ "state-dir", required_argument, NULL, 'S' },
		{ "rules", required_argument, NULL, 'R' },
		{ "state", required_argument, NULL, 'S' },
		{ "models", required_argument, NULL, 'M' },
		{ "detections", required_argument, NULL, 'T' },
		{ "policy", required_argument, NULL, 'Y' },
		{ "export-policy", required_argument, NULL, 'Z' },
		{ "learn", no_argument, NULL, 'L' },
		{ "no-scoring", no_argument, NULL, 'N' },
		{ "redis", required_argument, NULL, 'X' },
		{ "interface", required_argument, NULL, 'i' },
		{ "snaplen", required_argument, NULL, 'P' },
		{ "buffer-mib", required_argument, NULL, 'B' },
		{ "no-promisc", no_argument, NULL, 'Q' },
		{ "immediate", no_argument, NULL, 'E' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "r:i:f:c:o:qnh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			if (o->ninputs == MAX_INPUTS)
				fatalx(EXIT_USAGE, "too many -r inputs (at most %d)", MAX_INPUTS);
			o->inputs[o->ninputs++] = optarg;
			break;
		case 'f': o->filter = optarg; break;
		case 'c': o->config = optarg; break;
		case 'o': o->output = optarg; break;
		case 'q': o->quiet = true; break;
		case 'I': o->inventory = true; break;
		case 'J': o->inventory_json = optarg; break;
		case 'S': o->state_dir = optarg; break;
		case 'R': o->rules = optarg; break;
		case 'M': o->models = optarg; break;
		case 'T': o->detections = optarg; break;
		case 'Y': o->policy = optarg; break;
		case 'Z': o->export_policy = optarg; break;
		case 'L': o->learn = true; break;
		case 'N': o->no_scoring = true; break;
		case 'X': o->redis_url = optarg; break;
		case 'i': o->iface = optarg; break;
		case 'P': o->snaplen = (int)number_arg("--snaplen", optarg, 64, 262144); break;
		case 'B':
			o->buffer_mib = (uint32_t)number_arg("--buffer-mib", optarg, 1, 2047);
			break;
		case 'Q': o->no_promisc = true; break;
		case 'E': o->immediate = true; break;
		case 'n': o->check_only = true; break;
		case 'D':
			fputs(conf_default_yaml(), stdout);
			exit(EXIT_OK);
		case 'V':
			printf("edgewatch %s (nDPI %s)\n", PACKAGE_VERSION, dpi_version());
			exit(EXIT_OK);
		case 'h':
			usage(stdout);
			exit(EXIT_OK);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		log_warnx("unexpected argument '%s'", argv[optind]);
		return -1;
	}
	return 0;
}

void load_config(struct ew_conf *conf, const struct options *o)
{
	char err[EW_CONF_ERRLEN];

	conf_init_defaults(conf);
	if (o->config && conf_load_file(conf, o->config, err) != 0)
		fatalx(EXIT_CONFIG, "%s", err);
}
