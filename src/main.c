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

#include "main-private.h"

/* Keeps the most serious status: runtime > input > damaged > interrupted > ok. */
void run_status(struct run *r, int st)
{
	static const int rank[] = { [EXIT_OK] = 0, [EXIT_INTERRUPTED] = 1, [EXIT_DAMAGED] = 2,
				    [EXIT_INPUT] = 3, [EXIT_RUNTIME] = 4 };
	if (rank[st] > rank[r->status])
		r->status = st;
}

struct inventory_ctx {
	FILE *fp;
	const struct device_rules *rules;
	struct engine *engine; /* for the devices' baselines and posture records */
	struct json_buf jb;
	bool first;
	int failed;
};

/* The device's posture audit record, or NULL (audit off, or nothing seen of it). */
static const struct posture_device *inventory_posture(const struct inventory_ctx *ic,
						      const struct device *d)
{
	const struct posture *p = engine_posture(ic->engine);

	return p != NULL ? posture_find(p, scorer_device_key(d)) : NULL;
}

static void inventory_row(void *ctx, const struct device *d)
{
	struct inventory_ctx *ic = ctx;

	output_device_table_row(ic->fp, d, inventory_posture(ic, d), ic->first);
	ic->first = false;
}

static void inventory_line(void *ctx, const struct device *d)
{
	struct inventory_ctx *ic = ctx;
	struct baseline_summary bs;
	bool has = scorer_summary(engine_scorer(ic->engine), d, engine_counters(ic->engine)->last_ts,
				  &bs);

	if (output_device_inventory(&ic->jb, d, ic->rules, has ? &bs : NULL,
				    inventory_posture(ic, d)) != 0 ||
	    fprintf(ic->fp, "%s\n", ic->jb.data) < 0)
		ic->failed = 1;
}

/* --inventory and --inventory-json, after the run; 0 or -1 (logged). */
int write_inventory(const struct options *o, struct engine *e)
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
void report_outputs(const struct outputs_summary *sum, const char *file)
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
		setup_quarantine(r.engine, &conf, outputs_redis(outs), outputs_sink(outs),
				 o.iface != NULL, &qkey);
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
