/*
 * main-private.h - what the parts of the edgewatch command share: the
 * options, the run's state and the functions each part gives the others.
 * The command is main.c (the run from start to end), main-options.c
 * (the command line and the configuration file), main-load.c (rules,
 * models, policy and state at start and on SIGHUP) and main-run.c
 * (reading files or an interface, signals, stats events, privilege drop).
 * Only these files include it; the library knows nothing of it.
 */
#ifndef EW_MAIN_PRIVATE_H
#define EW_MAIN_PRIVATE_H

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

/* Packet-time seconds between saves of the baselines during a run (and one at the end). */
#define BASELINE_SAVE_EVERY_S 3600u

void usage(FILE *out);
double mono_s(void);
void run_status(struct run *r, int st);
void install_signals(void);
void run_live(struct run *r, const struct options *o);
void read_inputs(struct run *r, const struct options *o, const char *filter);
int write_inventory(const struct options *o, struct engine *e);
bool state_path(const char *dir, const char *file, char *buf, size_t len);
void load_state(struct engine *e, const char *path, bool quiet);
void load_baselines(struct engine *e, const char *path, bool quiet);
struct device_rules *load_rules(const struct options *o, const struct ew_conf *conf);
void load_models(const struct options *o, const struct ew_conf *conf, struct model *m);
struct detect_rules *load_detections(const struct options *o, const struct ew_conf *conf);
void reload_rules(struct run *r);
struct policy *load_policy(const struct options *o, const struct ew_conf *conf);
void reload_policy(struct run *r);
void reload(struct run *r);
void write_stats(struct run *r, const char *reason);
void report_outputs(const struct outputs_summary *sum, const char *file);
void setup_quarantine(struct engine *e, const struct ew_conf *conf, struct output_sink *redis,
		      struct output_sink *via, bool live, struct qkey *key);
struct oui_db *load_vendors(void);
int parse_options(int argc, char **argv, struct options *o);
void load_config(struct ew_conf *conf, const struct options *o);
struct capture_live *open_live(const struct options *o, const struct ew_conf *conf,
				      const char *iface, const char *filter);
void drop_privileges(const struct ew_conf *conf, const char *state_dir,
			    const char *output_path, bool quiet, struct privsep_pidfile *pf);

#endif /* EW_MAIN_PRIVATE_H */
