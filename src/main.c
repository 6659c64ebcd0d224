/*
 * main.c - the edgewatch command: options, configuration, and the run.
 *
 * Offline analysis: every -r input is read in order through one engine,
 * so flows that span consecutive files stay whole.  Problems with one
 * input are reported and the others still read; the exit status says
 * what went wrong (see docs/edgewatch.8).
 *
 * Live capture (-i) is the daemon: it opens the interface, the outputs
 * and the state as root, then runs as an unprivileged user (privsep.h);
 * SIGHUP reloads the configuration and the rules, SIGUSR1 writes a
 * `stats` event, SIGTERM ends it with everything saved.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture-file.h"
#include "capture-live.h"
#include "output-setup.h"
#include "quarantine-sign.h"
#include "quarantine.h"
#include "conf.h"
#include "device-oui.h"
#include "device-rules.h"
#include "dpi.h"
#include "engine.h"
#include "engine-policy.h"
#include "log.h"
#include "output.h"
#include "output-device.h"
#include "output-posture.h"
#include "output-stats.h"
#include "privsep.h"
#include "stats.h"
#include "util-progress.h"

#include "config.h"

/* Exit statuses, documented in docs/edgewatch.8. */
enum {
	EXIT_OK = 0,
	EXIT_RUNTIME = 1, /* output could not be written, or out of memory */
	EXIT_USAGE = 2,
	EXIT_CONFIG = 3,  /* configuration file or BPF filter invalid */
	EXIT_INPUT = 4,   /* an input could not be read at all */
	EXIT_DAMAGED = 5, /* an input was damaged; read up to the damage */
	EXIT_INTERRUPTED = 6, /* stopped by SIGINT/SIGTERM; what was read is written */
};

#define MAX_INPUTS 256

struct options {
	const char *inputs[MAX_INPUTS];
	size_t ninputs;
	const char *filter;
	const char *config;
	const char *output;
	const char *inventory_json; /* --inventory-json FILE */
	const char *state_dir;      /* --state-dir DIR */
	const char *rules;          /* --rules FILE */
	const char *models;         /* --models DIR */
	const char *detections;     /* --detections FILE */
	const char *policy;         /* --policy FILE: overrides policy.file */
	const char *export_policy;  /* --export-policy FILE: the learned policy, at the end */
	bool learn;                 /* --learn: build baselines, raise no anomaly */
	bool no_scoring;            /* --no-scoring: behavioural scoring off */
	const char *redis_url;      /* --redis URL: overrides output.redis.url */
	/* Live capture (-i): one interface per process.  0 / false: the configuration's. */
	const char *iface;
	int snaplen;                /* --snaplen */
	uint32_t buffer_mib;        /* --buffer-mib */
	bool no_promisc;            /* --no-promisc */
	bool immediate;             /* --immediate */
	bool inventory;             /* --inventory: table on stdout at the end */
	bool quiet;
	bool check_only;
};

struct run {
	struct engine *engine;
	const struct options *o;
	struct ew_conf *conf;       /* running; SIGHUP exchanges its reloadable settings */
	struct outputs *outs;
	struct capture_live *live;  /* NULL reading files */
	const char *iface;          /* the live interface, or NULL */
	double t0;                  /* monotonic start, for uptime */
	double next_stats_mono;     /* live: the next periodic stats event (monotonic s) */
	ew_usec_t next_stats_ts;    /* files: the next one (packet time); 0 before the first */
	uint32_t stats_interval_s;  /* the interval the deadlines were set with */
	uint64_t dropped_reported;  /* kernel drops already logged */
	struct device_rules *rules;          /* running fingerprint rules (owned) */
	struct detect_rules *detections;     /* running detection rules (owned) */
	struct policy *policy;               /* running segmentation policy (owned); NULL: none */
	struct progress progress;
	uint64_t packets;
	struct run_info info;
	int status;
};

static void usage(FILE *out)
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

/* Keeps the most serious status: runtime > input > damaged > interrupted > ok. */
static void run_status(struct run *r, int st)
{
	static const int rank[] = { [EXIT_OK] = 0, [EXIT_INTERRUPTED] = 1, [EXIT_DAMAGED] = 2,
				    [EXIT_INPUT] = 3, [EXIT_RUNTIME] = 4 };
	if (rank[st] > rank[r->status])
		r->status = st;
}

static volatile sig_atomic_t reload_requested, stats_requested;

static void reload(struct run *r);
static void write_stats(struct run *r, const char *reason);

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* What the signal handlers asked for, done between two packets. */
static void signal_work(struct run *r)
{
	if (reload_requested) {
		reload_requested = 0;
		reload(r);
	}
	if (stats_requested) {
		stats_requested = 0;
		write_stats(r, "signal");
	}
}

/*
 * Reading files, the periodic stats events follow packet time, so a
 * replay gives the same events at the same points on every run.
 */
static void stats_by_packet_time(struct run *r, ew_usec_t ts)
{
	ew_usec_t every = (ew_usec_t)r->conf->stats_interval_s * EW_USEC_PER_SEC;

	if (every == 0)
		return;
	if (r->next_stats_ts == 0 || r->stats_interval_s != r->conf->stats_interval_s) {
		r->stats_interval_s = r->conf->stats_interval_s;
		r->next_stats_ts = ts + every;
		return;
	}
	if (ts < r->next_stats_ts)
		return;
	write_stats(r, "interval");
	/* A gap in the capture gives one event, not one per missed interval. */
	r->next_stats_ts += every * ((ts - r->next_stats_ts) / every + 1);
}

static void on_packet(void *ctx, int dlt, ew_usec_t ts, const uint8_t *data, uint32_t caplen,
		      uint32_t wirelen)
{
	struct run *r = ctx;

	signal_work(r);
	engine_packet(r->engine, dlt, ts, data, caplen, wirelen);
	r->packets++;
	if (r->live == NULL)
		stats_by_packet_time(r, ts);
}

static void on_progress(void *ctx, uint64_t pos, uint64_t size)
{
	struct run *r = ctx;

	progress_update(&r->progress, pos, size, r->packets);
}

static void on_signal(int sig)
{
	(void)sig;
	capture_request_stop();
}

static void on_hup(int sig)
{
	(void)sig;
	reload_requested = 1;
	outputs_reopen(); /* log rotation: the file is reopened between two lines */
}

static void on_usr1(int sig)
{
	(void)sig;
	stats_requested = 1;
}

/*
 * SIGINT/SIGTERM stop the reading after the current packet; the handler is
 * installed without SA_RESTART so a read blocked on an idle pipe returns,
 * and resets itself so a second signal ends the process at once.
 * SIGPIPE is ignored: a closed output becomes a write error, reported with
 * the summary, instead of a silent death.  SIGHUP reloads the
 * configuration and the rules before the next packet (reload()); SIGUSR1
 * asks for a stats event.  A live capture sees either within 100 ms: its
 * wait for packets ends with EINTR or its timeout.
 */
static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* SIGHUP asks for the rules again; reads resume (SA_RESTART). */
	sa.sa_handler = on_hup;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void read_one(struct run *r, const char *path, const char *filter)
{
	struct capture_file_result res;
	char err[CAPTURE_ERRLEN];
	enum capture_status st;

	progress_set_label(&r->progress, path);
	st = capture_file_run(path, filter, on_packet, on_progress, r, &res, err);
	if (st == CAPTURE_OK || st == CAPTURE_TRUNCATED)
		r->info.files_ok++;
	else
		r->info.files_failed++;
	if (st == CAPTURE_OK)
		return;
	progress_clear(&r->progress);
	log_warnx("%s", err);
	run_status(r, st == CAPTURE_TRUNCATED ? EXIT_DAMAGED : EXIT_INPUT);
}

static void on_idle(void *ctx, ew_usec_t now_us)
{
	struct run *r = ctx;
	double now = mono_s();

	signal_work(r);
	engine_tick(r->engine, now_us);
	/* Live, the periodic stats events follow the wall clock: a quiet wire still reports. */
	if (r->conf->stats_interval_s == 0)
		return;
	if (r->stats_interval_s != r->conf->stats_interval_s) {
		r->stats_interval_s = r->conf->stats_interval_s;
		r->next_stats_mono = now + r->stats_interval_s;
	}
	if (now >= r->next_stats_mono) {
		write_stats(r, "interval");
		r->next_stats_mono = now + r->stats_interval_s;
	}
}

/*
 * -i: capture until SIGINT/SIGTERM (the interface was opened by
 * open_live()).  The kernel's counters are reported at the end: packets
 * the pipeline never saw are counted, not lost silently.
 */
static void run_live(struct run *r, const struct options *o)
{
	struct capture_live_stats st;
	char err[CAPTURE_ERRLEN];

	if (!o->quiet)
		log_info("capturing on %s (link type %d); SIGINT or SIGTERM stops", r->iface,
			 capture_live_dlt(r->live));
	r->stats_interval_s = r->conf->stats_interval_s;
	r->next_stats_mono = mono_s() + r->stats_interval_s;
	if (capture_live_run(r->live, on_packet, on_idle, r, err) != CAPTURE_OK) {
		log_warnx("%s", err);
		run_status(r, EXIT_INPUT);
	}
	capture_live_stats(r->live, &st);
	if (!o->quiet || st.dropped > 0 || st.if_dropped > 0)
		log_info("capture %s: %llu packets received, %llu dropped by the kernel, %llu by the "
			 "interface", r->iface, (unsigned long long)st.received,
			 (unsigned long long)st.dropped, (unsigned long long)st.if_dropped);
	r->info.files_ok++;
}

static void read_inputs(struct run *r, const struct options *o, const char *filter)
{
	for (size_t i = 0; i < o->ninputs && !capture_stop_requested(); i++) {
		char err[CAPTURE_ERRLEN];
		char **paths;
		size_t n;

		if (capture_expand_path(o->inputs[i], &paths, &n, err) != 0) {
			progress_clear(&r->progress);
			log_warnx("%s", err);
			r->info.files_failed++;
			run_status(r, EXIT_INPUT);
			continue;
		}
		for (size_t k = 0; k < n && !capture_stop_requested(); k++)
			read_one(r, paths[k], filter);
		capture_paths_free(paths, n);
	}
}

struct inventory_ctx {
	FILE *fp;
	const struct device_rules *rules;
	struct engine *engine; /* for the devices' baselines */
	struct json_buf jb;
	bool first;
	int failed;
};

static void inventory_row(void *ctx, const struct device *d)
{
	struct inventory_ctx *ic = ctx;

	output_device_table_row(ic->fp, d, ic->first);
	ic->first = false;
}

static void inventory_line(void *ctx, const struct device *d)
{
	struct inventory_ctx *ic = ctx;
	struct baseline_summary bs;
	bool has = scorer_summary(engine_scorer(ic->engine), d, engine_counters(ic->engine)->last_ts,
				  &bs);

	if (output_device_inventory(&ic->jb, d, ic->rules, has ? &bs : NULL) != 0 ||
	    fprintf(ic->fp, "%s\n", ic->jb.data) < 0)
		ic->failed = 1;
}

/* --inventory and --inventory-json, after the run; 0 or -1 (logged). */
static int write_inventory(const struct options *o, struct engine *e)
{
	struct inventory_ctx ic = { .first = true, .rules = engine_rules(e), .engine = e };
	int rc = 0;

	if (o->inventory) {
		ic.fp = stdout;
		device_table_foreach(engine_devices(e), inventory_row, &ic);
		if (ic.first)
			printf("no devices seen\n");
		fflush(stdout);
	}
	if (o->inventory_json == NULL)
		return 0;
	if ((ic.fp = fopen(o->inventory_json, "w")) == NULL) {
		log_warnx("%s: %s", o->inventory_json, strerror(errno));
		return -1;
	}
	json_init(&ic.jb);
	device_table_foreach(engine_devices(e), inventory_line, &ic);
	json_free(&ic.jb);
	if (fclose(ic.fp) != 0 || ic.failed) {
		log_warnx("%s: could not write the inventory", o->inventory_json);
		rc = -1;
	}
	return rc;
}

/* DIR/inventory.state into buf; false when no state directory is set. */
static bool state_path(const char *dir, const char *file, char *buf, size_t len)
{
	if (dir == NULL)
		return false;
	if ((size_t)snprintf(buf, len, "%s/%s", dir, file) >= len)
		fatalx(EXIT_CONFIG, "%s: state directory path too long", dir);
	return true;
}

/* Loads the saved inventory; problems are reported, never fatal. */
static void load_state(struct engine *e, const char *path, bool quiet)
{
	char err[512];
	size_t n = 0;

	switch (engine_load_inventory(e, path, &n, err, sizeof(err))) {
	case STORE_OK:
		if (!quiet)
			log_info("inventory: %zu devices loaded from %s", n, path);
		break;
	case STORE_MISSING:
		break;
	case STORE_CORRUPT:
		log_warnx("inventory damaged, rebuilding it from traffic: %s", err);
		break;
	case STORE_IO_ERROR:
		log_warnx("inventory not loaded: %s", err);
		break;
	}
}

/* Packet-time seconds between saves of the baselines during a run (and one at the end). */
#define BASELINE_SAVE_EVERY_S 3600u

/* Loads the saved baselines; problems are reported, never fatal. */
static void load_baselines(struct engine *e, const char *path, bool quiet)
{
	char err[512];
	size_t n = 0;

	switch (engine_load_baselines(e, path, &n, err, sizeof(err))) {
	case BASELINE_STORE_OK:
		if (!quiet)
			log_info("baselines: %zu devices loaded from %s", n, path);
		break;
	case BASELINE_STORE_MISSING:
		break;
	case BASELINE_STORE_CORRUPT:
		log_warnx("baselines damaged, devices learn again: %s", err);
		break;
	case BASELINE_STORE_INCOMPATIBLE:
		log_warnx("baselines not usable, devices learn again: %s", err);
		break;
	case BASELINE_STORE_IO_ERROR:
		log_warnx("baselines not loaded: %s", err);
		break;
	}
}

/*
 * A rules file in force: the one named by an option or the configuration,
 * else the installed default when it exists (NULL: none, said once).
 */
static const char *rules_path(const char *named, const char *installed, const char *what,
			      const char *option, bool quiet)
{
	if (named != NULL)
		return named;
	if (access(installed, F_OK) == 0)
		return installed;
	if (!quiet)
		log_info("%s off: none at %s (use %s FILE)", what, installed, option);
	return NULL;
}

static const char *device_rules_path(const struct options *o, const struct ew_conf *conf)
{
	return rules_path(o->rules ? o->rules : conf->device_rules, EW_DEFAULT_RULES_FILE,
			  "device classes", "--rules", o->quiet);
}

static const char *detections_path(const struct options *o, const struct ew_conf *conf)
{
	return rules_path(o->detections ? o->detections : conf->detection_rules,
			  EW_DEFAULT_DETECTIONS_FILE, "detection rules", "--detections", o->quiet);
}

/* The detection rules, with the configuration's address lists as their variables. */
static struct detect_rules *detections_load(const char *path, const struct ew_conf *conf,
					    char *err, size_t errlen)
{
	const struct detect_var vars[] = {
		{ "HOME_NET", &conf->home_networks },
		{ "DNS_SERVERS", &conf->dns_servers },
	};

	return detect_rules_load_file(path, vars, sizeof(vars) / sizeof(vars[0]), err, errlen);
}

/*
 * The fingerprint rules at start.  A file named by --rules or the
 * configuration must load (status 3 otherwise: the operator asked for
 * it); the installed default may be absent, which only turns classes off.
 */
static struct device_rules *load_rules(const struct options *o, const struct ew_conf *conf)
{
	const char *path = device_rules_path(o, conf);
	char err[DEVICE_RULES_ERRLEN];
	struct device_rules *r;

	if (path == NULL)
		return NULL;
	if ((r = device_rules_load_file(path, err, sizeof(err))) == NULL)
		fatalx(EXIT_CONFIG, "%s", err);
	return r;
}

/*
 * The behavioural model.  A directory named by --models must load (status
 * 3); the installed one may be absent, which leaves the built-in values.
 */
static void load_models(const struct options *o, const struct ew_conf *conf, struct model *m)
{
	const char *named = o->models ? o->models : conf->models_dir;
	const char *dir = named ? named : EW_DEFAULT_MODELS_DIR;
	char err[MODEL_ERRLEN];

	if (model_init_defaults(m) != 0)
		fatalx(EXIT_RUNTIME, "out of memory");
	if (named == NULL && access(dir, F_OK) != 0) {
		if (!o->quiet)
			log_info("behavioural model: built-in values (no %s; use --models DIR)",
				 dir);
		return;
	}
	if (model_load_dir(m, dir, err) != 0)
		fatalx(EXIT_CONFIG, "%s", err);
}

/* The detection rules at start: as the fingerprint rules. */
static struct detect_rules *load_detections(const struct options *o, const struct ew_conf *conf)
{
	const char *path = detections_path(o, conf);
	char err[DETECT_RULES_ERRLEN];
	struct detect_rules *r;

	if (path == NULL)
		return NULL;
	if ((r = detections_load(path, conf, err, sizeof(err))) == NULL)
		fatalx(EXIT_CONFIG, "%s", err);
	return r;
}

/*
 * SIGHUP: both rule files again.  Each is swapped in only if it loads
 * whole; a bad file is reported (FILE:LINE:COL: problem) and the running
 * rules stay.  Device classes are worked out again with the new rules.
 */
static void reload_rules(struct run *r)
{
	const char *path = device_rules_path(r->o, r->conf);
	char err[DETECT_RULES_ERRLEN > DEVICE_RULES_ERRLEN ? DETECT_RULES_ERRLEN
							   : DEVICE_RULES_ERRLEN];

	if (path != NULL) {
		struct device_rules *fresh = device_rules_load_file(path, err, sizeof(err));

		if (fresh == NULL) {
			log_warnx("fingerprint rules not reloaded, the running ones stay: %s", err);
		} else {
			engine_set_rules(r->engine, fresh);
			device_rules_free(r->rules);
			r->rules = fresh;
			log_info("fingerprint rules reloaded from %s", path);
		}
	}
	path = detections_path(r->o, r->conf);
	if (path != NULL) {
		struct detect_rules *fresh = detections_load(path, r->conf, err, sizeof(err));

		if (fresh == NULL) {
			log_warnx("detection rules not reloaded, the running ones stay: %s", err);
		} else if (engine_set_detections(r->engine, fresh) != 0) {
			log_warnx("detection rules not reloaded: out of memory");
			detect_rules_free(fresh);
		} else {
			detect_rules_free(r->detections);
			r->detections = fresh;
			log_info("detection rules reloaded from %s", path);
		}
	}
}

/* --policy, else policy.file; NULL (or an empty setting): no policy. */
static const char *policy_path(const struct options *o, const struct ew_conf *conf)
{
	const char *p = o->policy != NULL ? o->policy : conf->policy_file;

	return p != NULL && p[0] != '\0' ? p : NULL;
}

/* The segmentation policy at start: a bad file stops the start with its place. */
static struct policy *load_policy(const struct options *o, const struct ew_conf *conf)
{
	const char *path = policy_path(o, conf);
	char err[POLICY_ERRLEN];
	struct policy *p;

	if (path == NULL)
		return NULL;
	if ((p = policy_load_file(path, &conf->home_networks, err, sizeof(err))) == NULL)
		fatalx(EXIT_CONFIG, "%s", err);
	return p;
}

/* SIGHUP: the policy again, swapped in only if it loads whole. */
static void reload_policy(struct run *r)
{
	const char *path = policy_path(r->o, r->conf);
	char err[POLICY_ERRLEN];
	struct policy *fresh;

	if (path == NULL)
		return;
	if ((fresh = policy_load_file(path, &r->conf->home_networks, err, sizeof(err))) == NULL) {
		log_warnx("policy not reloaded, the running one stays: %s", err);
	} else if (engine_set_policy(r->engine, fresh) != 0) {
		log_warnx("policy not reloaded: out of memory");
		policy_free(fresh);
	} else {
		policy_free(r->policy);
		r->policy = fresh;
		log_info("policy reloaded from %s", path);
	}
}

/* Each setting a reload found changed: applied, or waiting for a restart. */
static void on_conf_changed(void *ctx, const char *key, bool applied)
{
	(void)ctx;
	if (applied)
		log_info("configuration: %s changed", key);
	else
		log_warnx("configuration: %s changed: takes effect at restart", key);
}

/*
 * SIGHUP: the configuration file, then the rules it names.  The file is
 * loaded whole into a new struct first; a bad one is reported with its
 * place and nothing at all is reloaded (the rules' paths come from it).
 * A good one has its reloadable settings exchanged into the running
 * struct, which the engine and the rest borrow (conf_take_reloadable()).
 */
static void reload(struct run *r)
{
	struct ew_conf fresh;
	char err[EW_CONF_ERRLEN];

	if (r->o->config != NULL) {
		conf_init_defaults(&fresh);
		if (conf_load_file(&fresh, r->o->config, err) != 0) {
			log_warnx("configuration not reloaded, the running one stays: %s", err);
			conf_free(&fresh);
			return;
		}
		conf_take_reloadable(r->conf, &fresh, on_conf_changed, r);
		conf_free(&fresh);
		engine_conf_changed(r->engine);
		log_info("configuration reloaded from %s", r->o->config);
	}
	reload_rules(r);
	reload_policy(r);
}

/*
 * "capture IFACE: the kernel dropped N packets since the last report",
 * when drops start or grow; called with each stats event, so at most once
 * an interval (and on SIGUSR1).
 */
static void note_drops(struct run *r, const struct capture_live_stats *st)
{
	uint64_t lost = st->dropped + st->if_dropped;

	if (lost > r->dropped_reported)
		log_warnx("capture %s: the kernel dropped %llu packets since the last report "
			  "(%llu in all)", r->iface, (unsigned long long)(lost - r->dropped_reported),
			  (unsigned long long)lost);
	r->dropped_reported = lost;
}

/* Lines waiting in the output queue up to which a stats event is flushed at once. */
#define STATS_FLUSH_MAX_DEPTH 256u

static ew_usec_t wall_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (ew_usec_t)ts.tv_sec * EW_USEC_PER_SEC + (ew_usec_t)ts.tv_nsec / 1000u;
}

/*
 * A `stats` event.  Live, with the kernel's counters, the outputs' and the
 * process's, stamped with the wall clock; reading files, only what follows
 * from the packets, stamped with packet time (see output-stats.h).
 */
static void write_stats(struct run *r, const char *reason)
{
	struct stats_extra x;

	memset(&x, 0, sizeof(x));
	x.reason = reason;
	if (r->live != NULL) {
		struct capture_live_stats st;
		struct output_queue_stats q;
		struct redis_out_stats rs;

		capture_live_stats(r->live, &st);
		note_drops(r, &st);
		x.ts_us = wall_now_us();
		x.interface = r->iface;
		x.kernel_received = st.received;
		x.kernel_dropped = st.dropped;
		x.if_dropped = st.if_dropped;
		x.has_process = true;
		x.uptime_s = mono_s() - r->t0;
		stats_memory_kb(&x.rss_kb, &x.peak_rss_kb);
		outputs_stats(r->outs, &q, &rs, &x.has_redis);
		x.has_queue = true;
		x.queue_depth = q.depth;
		x.queue_depth_max = q.depth_max;
		x.queue_dropped = q.dropped;
		x.queue_written = q.written;
		x.redis_connected = rs.state == REDIS_OUT_CONNECTED;
		x.redis_spool_pending = rs.spool_pending;
		x.redis_spool_bytes = rs.spool_bytes;
		x.redis_dropped = rs.dropped;
	} else {
		x.ts_us = engine_counters(r->engine)->last_ts;
	}
	engine_write_stats(r->engine, &x);
	/*
	 * Live, a health report is wanted now, not when the file's buffer
	 * fills: flush, but only when the outputs keep up; a flush waits for
	 * the queue to drain, and the capture must not wait on a stalled output.
	 */
	if (r->live != NULL && x.queue_depth <= STATS_FLUSH_MAX_DEPTH) {
		struct output_sink *out = outputs_sink(r->outs);

		if (out->ops->flush(out) != 0)
			log_warnx("output: flush after the stats event failed");
	}
}

/*
 * A device as the posture table names it: its name (printable bytes only:
 * names come from packets) and its MAC or address.
 */
static const char *posture_name(void *ctx, uint64_t key, char *buf, size_t len)
{
	const struct engine *e = ctx;
	const struct device *d = NULL;
	char id[EW_ADDR_STRLEN > 18 ? EW_ADDR_STRLEN : 18];
	const char *name = "";
	size_t n = 0;

	if (!(key >> 63)) {
		uint8_t mac[6];

		for (int i = 5; i >= 0; i--)
			mac[i] = (uint8_t)(key >> (8 * (5 - i)));
		d = device_table_find(engine_devices(e), mac);
		output_mac_text(mac, id);
	} else {
		snprintf(id, sizeof(id), "device %016llx", (unsigned long long)key);
	}
	if (d != NULL) {
		name = output_device_name(d);
		if (d->key_kind == DEVICE_KEY_IP)
			ew_addr_format(&d->ip, id, sizeof(id));
	}
	for (const char *c = name; *c && n + 1 < len && n < 32; c++)
		buf[n++] = (unsigned char)*c >= 0x20 && (unsigned char)*c < 0x7f ? *c : '?';
	snprintf(buf + n, len - n, "%s%s", n ? " " : "", id);
	return buf;
}

/* Notices from the outputs (Redis reconnects, spool drops), from the output thread. */
static void output_notice(void *ctx, const char *msg)
{
	(void)ctx;
	log_warnx("%s", msg);
}

/* One line per thing the outputs lost or failed at. */
static void report_outputs(const struct outputs_summary *sum, const char *file)
{
	const struct output_queue_stats *q = &sum->queue;

	if (q->dropped > 0)
		log_warnx("output: %llu events dropped: the queue was full",
			  (unsigned long long)q->dropped);
	if (q->abandoned > 0)
		log_warnx("output: %llu events not written: the outputs did not drain in time",
			  (unsigned long long)q->abandoned);
	for (size_t i = 0; i < q->nsinks; i++)
		if (q->sink[i].errors > 0)
			log_warnx("output %s: %s (%llu lines failed)",
				  strcmp(q->sink[i].name, "file") == 0 ? file : q->sink[i].name,
				  q->sink[i].last_error, (unsigned long long)q->sink[i].errors);
	if (sum->error[0] != '\0')
		log_warnx("output: %s", sum->error);
}

/*
 * Quarantine requests, when the configuration enables them: the key from
 * its file (never inline), the policy's settings from the configuration.
 * Any problem stops the start (status 3): an operator who asked for
 * quarantine must know it is not running.
 */
static void setup_quarantine(struct engine *e, const struct ew_conf *conf, struct output_sink *redis,
			     struct qkey *key)
{
	static const char *causes[64], *allow[64];
	char host[65] = "", err[512];
	struct quarantine_settings qs;

	if (conf->quarantine_key_file == NULL)
		fatalx(EXIT_CONFIG, "quarantine.enabled needs quarantine.key_file");
	if (qkey_read_file(conf->quarantine_key_file, key, err, sizeof(err)) != 0)
		fatalx(EXIT_CONFIG, "%s", err);
	if (redis == NULL && !conf->quarantine_dry_run)
		log_warnx("quarantine is on but there is no Redis output: requests cannot be sent");
	gethostname(host, sizeof(host) - 1);
	memset(&qs, 0, sizeof(qs));
	qs.enabled = true;
	qs.dry_run = conf->quarantine_dry_run;
	qs.sensor_id = conf->quarantine_sensor_id != NULL ? conf->quarantine_sensor_id : host;
	qs.min_severity = (uint8_t)conf->quarantine_min_severity;
	for (size_t i = 0; i < conf->quarantine_causes.n && i < 64; i++)
		causes[qs.ncauses++] = conf->quarantine_causes.v[i];
	qs.causes = causes;
	qs.action = conf->quarantine_action == EW_QUARANTINE_RESTRICT ? QREQ_RESTRICT : QREQ_ISOLATE;
	qs.ttl_s = conf->quarantine_ttl_s;
	qs.release_on_close = conf->quarantine_release_on_close;
	for (size_t i = 0; i < conf->quarantine_allow.n && i < 64; i++)
		allow[qs.nallow++] = conf->quarantine_allow.v[i];
	qs.allow = allow;
	qs.max_per_hour = conf->quarantine_max_per_hour;
	qs.dns_servers = &conf->dns_servers;
	qs.key = key;
	if (engine_set_quarantine(e, &qs, redis, conf->quarantine_stream, err, sizeof(err)) != 0)
		fatalx(EXIT_CONFIG, "quarantine: %s", err);
}

/* MAC vendor names; without them the sensor still runs (vendors unknown). */
static struct oui_db *load_vendors(void)
{
	char err[256];
	struct oui_db *db = oui_db_load(IEEE_DATA_DIR, err, sizeof(err));

	if (db == NULL)
		log_warnx("MAC vendors unknown: %s (install the Debian package ieee-data)", err);
	return db;
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

static int parse_options(int argc, char **argv, struct options *o)
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

static void load_config(struct ew_conf *conf, const struct options *o)
{
	char err[EW_CONF_ERRLEN];

	conf_init_defaults(conf);
	if (o->config && conf_load_file(conf, o->config, err) != 0)
		fatalx(EXIT_CONFIG, "%s", err);
}

/* The -i options over the configuration's capture.* settings. */
static struct capture_live *open_live(const struct options *o, const struct ew_conf *conf,
				      const char *iface, const char *filter)
{
	struct capture_live_options lo;
	struct capture_live *c;
	char err[CAPTURE_ERRLEN];

	capture_live_defaults(&lo);
	lo.iface = iface;
	lo.bpf = filter;
	lo.snaplen = o->snaplen != 0 ? o->snaplen : (int)conf->capture_snaplen;
	lo.buffer_mib = o->buffer_mib != 0 ? o->buffer_mib : conf->capture_buffer_mib;
	lo.promiscuous = conf->capture_promiscuous && !o->no_promisc;
	lo.immediate = o->immediate || conf->capture_immediate;
	c = capture_live_open(&lo, err);
	if (c == NULL)
		fatalx(EXIT_INPUT, "%s", err);
	return c;
}

/* daemon.user, or nobody (warned) when the default user was never created. */
static void target_user(const struct ew_conf *conf, struct privsep_user *u)
{
	char err[PRIVSEP_ERRLEN], err2[PRIVSEP_ERRLEN];
	const char *name = conf->daemon_user != NULL ? conf->daemon_user : EW_DEFAULT_DAEMON_USER;

	if (privsep_lookup(name, u, err) == 0)
		return;
	if (strcmp(name, EW_DEFAULT_DAEMON_USER) != 0)
		fatalx(EXIT_CONFIG, "daemon.user: %s", err);
	if (privsep_lookup(PRIVSEP_FALLBACK_USER, u, err2) != 0)
		fatalx(EXIT_CONFIG, "daemon.user: %s, and %s", err, err2);
	log_warnx("%s (make install creates it); running as %s instead", err,
		  PRIVSEP_FALLBACK_USER);
}

/*
 * The live sensor's privileges, once the capture, the outputs, the state
 * and the key file are open.  As root: the state directory is given to
 * the user when root owns it, the pid file is written (root may write
 * where the user cannot), then the switch to daemon.user, checked
 * (privsep_drop()).  Not root: nothing to switch; the capabilities were
 * dropped when the capture opened.  Any failure stops the start: a
 * sensor that cannot tell what rights it holds must not run.
 */
static void drop_privileges(const struct ew_conf *conf, const char *state_dir,
			    const char *output_path, bool quiet, struct privsep_pidfile *pf)
{
	char err[PRIVSEP_ERRLEN];
	struct privsep_user u;
	bool given;

	if (geteuid() != 0 || conf->daemon_allow_root) {
		if (conf->daemon_pid_file != NULL && privsep_pidfile_write(pf, conf->daemon_pid_file, err) != 0)
			fatalx(EXIT_RUNTIME, "daemon.pid_file: %s", err);
		if (geteuid() == 0)
			log_warnx("running as root: daemon.allow_root is set");
		return;
	}
	target_user(conf, &u);
	if (u.uid == 0)
		fatalx(EXIT_CONFIG, "daemon.user %s is root: set daemon.allow_root to run as root",
		       u.name);
	if (state_dir != NULL) {
		if (privsep_give_path(state_dir, &u, &given, err) != 0)
			log_warnx("state directory: %s", err);
		else if (given && !quiet)
			log_info("state directory %s given to %s", state_dir, u.name);
	}
	if (strcmp(output_path, "-") != 0) {
		if (privsep_give_path(output_path, &u, &given, err) != 0)
			log_warnx("output: %s", err);
		else if (given && !quiet)
			log_info("output %s given to %s", output_path, u.name);
	}
	if (conf->daemon_pid_file != NULL && privsep_pidfile_write(pf, conf->daemon_pid_file, err) != 0)
		fatalx(EXIT_RUNTIME, "daemon.pid_file: %s", err);
	if (privsep_drop(&u, err) != 0)
		fatalx(EXIT_RUNTIME, "cannot drop privileges: %s", err);
	if (state_dir != NULL && access(state_dir, W_OK | X_OK) != 0)
		log_warnx("state directory %s: not writable by %s: the state will not be saved",
			  state_dir, u.name);
	/* SIGHUP reopens the output file (log rotation) by its name, as the user. */
	if (strcmp(output_path, "-") != 0 && access(output_path, W_OK) != 0)
		log_warnx("output %s: not writable by %s: reopening it on SIGHUP will fail",
			  output_path, u.name);
	if (!quiet)
		log_info("running as %s (uid %u, gid %u) with no capabilities", u.name,
			 (unsigned)u.uid, (unsigned)u.gid);
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	struct run r = { 0 };
	struct ew_conf conf;
	struct outputs *outs;
	struct outputs_summary outsum;
	struct qkey qkey;
	char err[CAPTURE_ERRLEN];
	const char *filter, *output_path, *iface;
	struct oui_db *vendors;
	struct device_rules *rules;
	struct detect_rules *detections;
	struct policy *policy;
	struct model model;
	struct privsep_pidfile pidfile = { .fd = -1 };
	char state_file[4096] = "", baselines_file[4096] = "";
	const char *state_dir;

	log_init("edgewatch", 1);
	if (parse_options(argc, argv, &o) != 0)
		return EXIT_USAGE;
	load_config(&conf, &o);
	filter = o.filter ? o.filter : conf.bpf_filter;
	if (filter && capture_check_filter(filter, err) != 0)
		fatalx(EXIT_CONFIG, "%s", err);
	rules = load_rules(&o, &conf);
	detections = load_detections(&o, &conf);
	policy = load_policy(&o, &conf);
	load_models(&o, &conf, &model);
	if (o.check_only) {
		if (!o.quiet)
			printf("%s: configuration OK\n", o.config ? o.config : "built-in defaults");
		device_rules_free(rules);
		detect_rules_free(detections);
		policy_free(policy);
		model_free(&model);
		conf_free(&conf);
		return EXIT_OK;
	}
	if (o.iface != NULL && o.ninputs > 0)
		fatalx(EXIT_USAGE, "-i and -r do not mix: one live interface or capture files");
	/* capture.interface stands in for -i only when no file is named. */
	iface = o.iface != NULL ? o.iface : o.ninputs == 0 ? conf.capture_interface : NULL;
	if (o.ninputs == 0 && iface == NULL) {
		usage(stderr);
		fatalx(EXIT_USAGE, "no input: give a capture with -r FILE");
	}
	r.t0 = mono_s();
	if (iface != NULL) {
		r.live = open_live(&o, &conf, iface, filter);
		r.iface = iface;
		/* Not root: the capture was all CAP_NET_RAW was for; before any thread starts. */
		if (geteuid() != 0 && privsep_clear_caps(err) != 0)
			fatalx(EXIT_RUNTIME, "%s", err);
	}
	/* conf.output_file is NULL only if start-up ran out of memory: stdout then. */
	output_path = o.output ? o.output : conf.output_file ? conf.output_file : "-";
	state_dir = o.state_dir ? o.state_dir : conf.state_dir;
	/* hiredis writes with write(): a server closing the socket must not kill the sensor. */
	signal(SIGPIPE, SIG_IGN);
	outs = outputs_open(&(struct outputs_request){ .conf = &conf, .file = output_path,
						       .redis_url = o.redis_url,
						       .state_dir = state_dir,
						       .live = iface != NULL,
						       .notice = output_notice },
			    err, sizeof(err));
	if (outs == NULL)
		fatalx(EXIT_RUNTIME, "%s", err);
	r.outs = outs;
	vendors = load_vendors();
	r.engine = engine_create(&conf, outputs_sink(outs), vendors, err, sizeof(err));
	if (r.engine == NULL)
		fatalx(EXIT_RUNTIME, "%s", err);
	engine_set_rules(r.engine, rules);
	r.o = &o;
	r.conf = &conf;
	r.rules = rules;
	r.detections = detections;
	r.policy = policy;
	if (engine_set_model(r.engine, &model, o.learn) != 0 ||
	    engine_set_detections(r.engine, detections) != 0 ||
	    engine_set_policy(r.engine, policy) != 0 ||
	    (o.export_policy != NULL &&
	     engine_policy_learn(r.engine, POLICY_LEARN_DEFAULT_MAX) != 0))
		fatalx(EXIT_RUNTIME, "out of memory");
	scorer_set_enabled(engine_scorer(r.engine), !o.no_scoring);
	engine_set_alert_min_severity(r.engine, (enum ew_severity)conf.min_severity);
	memset(&qkey, 0, sizeof(qkey));
	if (conf.quarantine_enabled)
		setup_quarantine(r.engine, &conf, outputs_redis(outs), &qkey);
	if (state_path(state_dir, DEVICE_STORE_FILE, state_file, sizeof(state_file)))
		load_state(r.engine, state_file, o.quiet);
	if (state_path(state_dir, BASELINE_STORE_FILE, baselines_file, sizeof(baselines_file))) {
		load_baselines(r.engine, baselines_file, o.quiet);
		if (engine_set_baselines_file(r.engine, baselines_file, BASELINE_SAVE_EVERY_S) != 0)
			fatalx(EXIT_RUNTIME, "out of memory");
	}
	/* Everything that needs root is open: from here on the sensor runs unprivileged. */
	if (r.live != NULL)
		drop_privileges(&conf, state_dir, output_path, o.quiet, &pidfile);
	install_signals();
	progress_init(&r.progress, !o.quiet);

	if (r.live != NULL)
		run_live(&r, &o);
	else
		read_inputs(&r, &o, filter);
	engine_finish(r.engine);
	write_stats(&r, "exit");
	capture_live_close(r.live);
	r.live = NULL;
	progress_clear(&r.progress);
	/* A live capture ends by a signal: that is its normal end. */
	if (capture_stop_requested() && iface == NULL) {
		log_warnx("interrupted: stopped reading early; everything read so far was written");
		run_status(&r, EXIT_INTERRUPTED);
	}
	if (engine_counters(r.engine)->untracked) {
		log_warnx("out of memory: %llu packets were not tracked in flows",
			  (unsigned long long)engine_counters(r.engine)->untracked);
		run_status(&r, EXIT_RUNTIME);
	}
	r.info.wall_s = mono_s() - r.t0;
	if (outputs_close(outs, &outsum) != 0) {
		report_outputs(&outsum, output_path);
		run_status(&r, EXIT_RUNTIME);
	}
	if (write_inventory(&o, r.engine) != 0)
		run_status(&r, EXIT_RUNTIME);
	if (state_file[0] != '\0' &&
	    engine_save_inventory(r.engine, state_file, err, sizeof(err)) != STORE_OK) {
		log_warnx("inventory not saved: %s", err);
		run_status(&r, EXIT_RUNTIME);
	}
	if (baselines_file[0] != '\0' &&
	    engine_save_baselines(r.engine, baselines_file, err, sizeof(err)) != BASELINE_STORE_OK) {
		log_warnx("baselines not saved: %s", err);
		run_status(&r, EXIT_RUNTIME);
	}
	if (o.export_policy != NULL &&
	    engine_export_policy(r.engine, o.export_policy, err, sizeof(err)) != 0) {
		log_warnx("policy not exported: %s", err);
		run_status(&r, EXIT_RUNTIME);
	}
	if (privsep_pidfile_remove(&pidfile, err) != 0)
		log_warnx("daemon.pid_file: %s", err);
	stats_fill_rusage(&r.info);
	if (!o.quiet) {
		stats_write_summary(stderr, "edgewatch", r.engine, &r.info);
		output_posture_table(stderr, engine_posture(r.engine), posture_name, r.engine);
	}
	engine_destroy(r.engine);
	/* The rules in force at the end: SIGHUP may have replaced the first ones. */
	device_rules_free(r.rules);
	detect_rules_free(r.detections);
	policy_free(r.policy);
	model_free(&model);
	qkey_wipe(&qkey);
	oui_db_free(vendors);
	conf_free(&conf);
	return r.status;
}
