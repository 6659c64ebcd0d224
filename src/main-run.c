/*
 * main-run.c - the run itself: reading files or a live interface through
 * the engine, the signals (stop, reload, stats), the periodic stats
 * events and the privilege drop after the capture is open (see
 * main-private.h).
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

static volatile sig_atomic_t reload_requested, stats_requested;

double mono_s(void)
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
void install_signals(void)
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
	engine_enforcement_poll(r->engine, (uint64_t)(now_us / 1000));
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
void run_live(struct run *r, const struct options *o)
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

void read_inputs(struct run *r, const struct options *o, const char *filter)
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
 * Reading files, the privacy counters must not depend on how far the
 * output thread has got: the queue is drained first, so that they count
 * exactly the lines before the stats event.  Only with privacy on: a
 * drain waits for every output.
 */
static void privacy_drained(struct run *r)
{
	struct output_sink *out = outputs_sink(r->outs);
	uint64_t lines, dropped;

	if (outputs_privacy_stats(r->outs, &lines, &dropped) && out->ops->flush(out) != 0)
		log_warnx("output: flush before the stats event failed");
}

/*
 * A `stats` event.  Live, with the kernel's counters, the outputs' and the
 * process's, stamped with the wall clock; reading files, only what follows
 * from the packets, stamped with packet time (see output-stats.h).
 */
void write_stats(struct run *r, const char *reason)
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
		privacy_drained(r);
	}
	x.has_privacy = outputs_privacy_stats(r->outs, &x.privacy_lines, &x.privacy_dropped);
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

/* The -i options over the configuration's capture.* settings. */
struct capture_live *open_live(const struct options *o, const struct ew_conf *conf,
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
void drop_privileges(const struct ew_conf *conf, const char *state_dir,
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
