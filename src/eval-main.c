/*
 * eval-main.c - the edgewatch-eval command: options, running edgewatch,
 * and the report.
 *
 * The scoring itself is src/eval.c (documented in docs/detection.md,
 * "Evaluation"); this file only gathers its inputs, prints its result
 * as a table or one JSON object, and turns the --require/--max options
 * into the exit status.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "eval.h"
#include "log.h"
#include "util-json.h"

enum {
	EXIT_OK = 0,        /* the evaluation ran, whatever its results */
	EXIT_UNMET = 1,     /* a --require/--max limit was not met */
	EXIT_USAGE = 2,     /* bad usage, labels or events */
	EXIT_EDGEWATCH = 3, /* edgewatch could not run or failed */
};

#define EW_ARGS_MAX 64  /* EDGEWATCH-ARGS after "--" */
#define LIMIT_S_MAX 1e9 /* seconds: any larger tolerance or limit is a typo */

struct options {
	const char *labels, *events, *capture, *edgewatch;
	char **ew_args;
	int n_ew_args;
	int64_t tolerance_us;
	bool json;
	struct eval_limits lim;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: edgewatch-eval --labels FILE [--events FILE | -r CAPTURE [-- EDGEWATCH-ARGS...]]\n"
		"                      [--edgewatch PATH] [--tolerance SECONDS] [--json]\n"
		"                      [--require-detected] [--max-latency S] [--max-median S]\n"
		"                      [--max-false-per-100dd N]\n"
		"\n"
		"Scores edgewatch's anomaly and alert events against labelled attacks.\n"
		"\n"
		"  --labels FILE        CSV: device,start,end,scenario (MAC or IP, Unix seconds)\n"
		"  --events FILE        edgewatch's JSON lines (- for stdin), or:\n"
		"  -r CAPTURE           run edgewatch -q -r CAPTURE -o TMP [EDGEWATCH-ARGS...]\n"
		"  --edgewatch PATH     edgewatch to run (default: $EDGEWATCH, else the one\n"
		"                       next to this program, else edgewatch in PATH)\n"
		"  --tolerance SECONDS  a detection up to this long after an attack's end\n"
		"                       still counts (default 60)\n"
		"  --json               one JSON object instead of the table\n"
		"  --require-detected   exit 1 unless every scenario was detected\n"
		"  --max-latency S      exit 1 unless every scenario was detected within S s\n"
		"  --max-median S       exit 1 unless the median latency is at most S s\n"
		"  --max-false-per-100dd N  exit 1 if false alerts per 100 device-days exceed N\n"
		"\n"
		"Scoring:\n"
		"  An anomaly or alert event whose incident is \"opened\" or \"escalated\" is a\n"
		"  detection of its device at its timestamp.  A scenario is detected by the\n"
		"  first detection naming its device in [start, end + tolerance]; latency is\n"
		"  that time - start, or 0 (\"already open\") when an incident of the device\n"
		"  opened before start was still open at start.  Each \"opened\" incident is\n"
		"  on target (in a window of its own device), collateral (in another device's\n"
		"  window: e.g. the victims of an ARP spoof; not false) or a false alert.\n"
		"  Device-days = distinct devices named in device, anomaly and alert events\n"
		"  x (last - first event timestamp) / 86400.\n"
		"\n"
		"Exit status: 0 the evaluation ran; 1 a --require/--max limit not met;\n"
		"2 bad usage, labels or events; 3 edgewatch failed.\n");
}

/* A non-negative decimal of seconds (at most 6 decimals), at most LIMIT_S_MAX. */
static int parse_seconds_opt(const char *name, const char *s, int64_t *us)
{
	if (eval_seconds_parse(s, strlen(s), us) < 0 || *us > (int64_t)(LIMIT_S_MAX * 1e6)) {
		log_warnx("%s: '%s' is not a number of seconds (0 to %.0f, at most 6 decimals)",
			  name, s, LIMIT_S_MAX);
		return -1;
	}
	return 0;
}

static int parse_limit(const char *name, const char *s, double *out)
{
	int64_t us;

	if (parse_seconds_opt(name, s, &us) < 0)
		return -1;
	*out = (double)us / 1e6;
	return 0;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	enum { OPT_LABELS = 256, OPT_EVENTS, OPT_EDGEWATCH, OPT_TOLERANCE, OPT_JSON,
	       OPT_REQUIRE, OPT_MAX_LAT, OPT_MAX_MEDIAN, OPT_MAX_FALSE };
	static const struct option longopts[] = {
		{ "labels", required_argument, NULL, OPT_LABELS },
		{ "events", required_argument, NULL, OPT_EVENTS },
		{ "read", required_argument, NULL, 'r' },
		{ "edgewatch", required_argument, NULL, OPT_EDGEWATCH },
		{ "tolerance", required_argument, NULL, OPT_TOLERANCE },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "require-detected", no_argument, NULL, OPT_REQUIRE },
		{ "max-latency", required_argument, NULL, OPT_MAX_LAT },
		{ "max-median", required_argument, NULL, OPT_MAX_MEDIAN },
		{ "max-false-per-100dd", required_argument, NULL, OPT_MAX_FALSE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch, rc = 0;

	o->tolerance_us = EVAL_TOLERANCE_DEFAULT_US;
	o->lim.max_latency_s = o->lim.max_median_s = o->lim.max_false_per_100dd = -1;
	/* "+": stop at the first non-option, so that "--" ends ours and starts edgewatch's. */
	while ((ch = getopt_long(argc, argv, "+r:h", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_LABELS: o->labels = optarg; break;
		case OPT_EVENTS: o->events = optarg; break;
		case 'r': o->capture = optarg; break;
		case OPT_EDGEWATCH: o->edgewatch = optarg; break;
		case OPT_TOLERANCE:
			rc |= parse_seconds_opt("--tolerance", optarg, &o->tolerance_us);
			break;
		case OPT_JSON: o->json = true; break;
		case OPT_REQUIRE: o->lim.require_detected = true; break;
		case OPT_MAX_LAT:
			rc |= parse_limit("--max-latency", optarg, &o->lim.max_latency_s);
			break;
		case OPT_MAX_MEDIAN:
			rc |= parse_limit("--max-median", optarg, &o->lim.max_median_s);
			break;
		case OPT_MAX_FALSE:
			rc |= parse_limit("--max-false-per-100dd", optarg,
					  &o->lim.max_false_per_100dd);
			break;
		case 'h':
			usage(stdout);
			exit(EXIT_OK);
		default:
			return -1;
		}
	}
	if (rc != 0)
		return -1;
	if (optind < argc) {
		if (strcmp(argv[optind - 1], "--") != 0 || o->capture == NULL) {
			log_warnx("unexpected argument '%s'%s", argv[optind],
				  o->capture ? "" : " (arguments after -- go to edgewatch with -r)");
			return -1;
		}
		if (argc - optind > EW_ARGS_MAX) {
			log_warnx("more than %d arguments for edgewatch", EW_ARGS_MAX);
			return -1;
		}
		o->ew_args = argv + optind;
		o->n_ew_args = argc - optind;
	}
	if (o->labels == NULL || (o->events == NULL) == (o->capture == NULL)) {
		log_warnx("%s", o->labels == NULL ? "--labels is required"
						  : "give one of --events FILE and -r CAPTURE");
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ running edgewatch */

static bool executable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/*
 * --edgewatch, else $EDGEWATCH, else the edgewatch beside this program
 * (so a build tree runs its own), else the first in PATH.  buf holds the
 * path when it had to be built.
 */
static const char *find_edgewatch(const struct options *o, char *buf, size_t len)
{
	const char *env = getenv("EDGEWATCH"), *path = getenv("PATH");
	ssize_t n;
	char *slash;

	if (o->edgewatch != NULL)
		return o->edgewatch;
	if (env != NULL && env[0] != '\0')
		return env;
	n = readlink("/proc/self/exe", buf, len - 1);
	if (n > 0) {
		buf[n] = '\0';
		if ((slash = strrchr(buf, '/')) != NULL &&
		    (size_t)(slash - buf) + sizeof("/edgewatch") <= len) {
			strcpy(slash, "/edgewatch");
			if (executable(buf))
				return buf;
		}
	}
	for (const char *p = path ? path : "/usr/local/bin:/usr/bin:/bin"; *p != '\0';) {
		size_t dl = strcspn(p, ":");
		int w = snprintf(buf, len, "%.*s/edgewatch", dl ? (int)dl : 1, dl ? p : ".");

		if (w > 0 && (size_t)w < len && executable(buf))
			return buf;
		p += dl + (p[dl] == ':');
	}
	return NULL;
}

/* Runs edgewatch on the capture into tmp; 0, or -1 after saying why. */
static int run_edgewatch(const struct options *o, const char *tmp)
{
	char buf[4096];
	const char *exe = find_edgewatch(o, buf, sizeof(buf));
	const char *argv[7 + EW_ARGS_MAX + 1];
	int argc = 0, status;
	struct sigaction ign = { .sa_handler = SIG_IGN }, old_int;
	pid_t pid;

	if (exe == NULL) {
		log_warnx("edgewatch not found (use --edgewatch PATH or $EDGEWATCH)");
		return -1;
	}
	argv[argc++] = exe;
	argv[argc++] = "-q";
	argv[argc++] = "-r";
	argv[argc++] = o->capture;
	argv[argc++] = "-o";
	argv[argc++] = tmp;
	for (int i = 0; i < o->n_ew_args; i++)
		argv[argc++] = o->ew_args[i];
	argv[argc] = NULL;
	fflush(NULL);
	/* ^C reaches edgewatch (same process group); we stay to remove the temporary file. */
	sigemptyset(&ign.sa_mask);
	sigaction(SIGINT, &ign, &old_int);
	if ((pid = fork()) < 0) {
		sigaction(SIGINT, &old_int, NULL);
		log_warnx("fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		sigaction(SIGINT, &old_int, NULL);
		/* execv's argv is char *const[] for historical reasons; it does not write to it. */
		execv(exe, (char *const *)(uintptr_t)argv);
		fprintf(stderr, "edgewatch-eval: %s: %s\n", exe, strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			sigaction(SIGINT, &old_int, NULL);
			log_warnx("waitpid: %s", strerror(errno));
			return -1;
		}
	}
	sigaction(SIGINT, &old_int, NULL);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		log_warnx("%s failed on %s: exit status %d", exe, o->capture, WEXITSTATUS(status));
	else
		log_warnx("%s failed on %s: killed by signal %d", exe, o->capture,
			  WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	return -1;
}

/* ------------------------------------------------------------ the report */

static void text_row(FILE *out, const struct eval_row *w)
{
	char dev[EVAL_DEV_STRLEN], lat[32];
	const struct eval_label *l = w->label;

	eval_dev_format(&l->dev, dev);
	if (w->detected)
		snprintf(lat, sizeof(lat), "%.3f", (double)w->latency_us / 1e6);
	else
		snprintf(lat, sizeof(lat), "-");
	fprintf(out, "%-20s %-17s %10" PRId64 ".%06" PRId64 " %-8s %9s  %-24s %-9s %10" PRIu64 "%s\n",
		l->scenario, dev, l->start_us / 1000000, l->start_us % 1000000,
		w->detected ? "yes" : "no", lat, w->detected ? w->cause : "-",
		w->detected && w->severity[0] ? w->severity : "-", w->collateral,
		w->already_open ? "  already open" : "");
}

/* "%.3f" of v, or "n/a" for NaN. */
static const char *num3(char buf[32], double v)
{
	if (isnan(v))
		return "n/a";
	snprintf(buf, 32, "%.3f", v);
	return buf;
}

static void report_text(FILE *out, const struct eval_result *r, const struct eval_counts *c)
{
	char a[32], b[32];

	fprintf(out, "%-20s %-17s %17s %-8s %9s  %-24s %-9s %10s\n", "scenario", "device", "start",
		"detected", "latency_s", "cause", "severity", "collateral");
	for (size_t i = 0; i < r->n; i++)
		text_row(out, &r->row[i]);
	fprintf(out, "\n");
	fprintf(out, "detected: %zu of %zu\n", r->detected, r->n);
	fprintf(out, "latency: median %s%s, max %s%s\n", num3(a, r->latency_median_s),
		isnan(r->latency_median_s) ? "" : " s", num3(b, r->latency_max_s),
		isnan(r->latency_max_s) ? "" : " s");
	fprintf(out, "false alerts: %" PRIu64 " (opened incidents %" PRIu64 ": %" PRIu64
		" on target, %" PRIu64 " collateral, %" PRIu64 " false)\n",
		r->false_alerts, r->opened, r->on_target, r->collateral, r->false_alerts);
	fprintf(out, "device-days: %s (%" PRIu64 " devices x %.3f s span / 86400)\n",
		num3(a, r->device_days), r->devices, r->span_s);
	fprintf(out, "false alerts per 100 device-days: %s\n", num3(a, r->false_per_100dd));
	fprintf(out, "collateral: %" PRIu64 "\n", r->collateral);
	fprintf(out, "events: %" PRIu64 " lines, %" PRIu64 " used, %" PRIu64 " too long, %" PRIu64
		" malformed, %" PRIu64 " unusable, %" PRIu64 " dropped\n",
		c->lines, c->events, c->too_long, c->malformed, c->unusable,
		c->dropped + c->devices_dropped);
}

static void json_row(struct json_buf *jb, const struct eval_row *w)
{
	char dev[EVAL_DEV_STRLEN];
	const struct eval_label *l = w->label;

	eval_dev_format(&l->dev, dev);
	json_reset(jb);
	json_open_object(jb, NULL);
	json_string(jb, "scenario", l->scenario);
	json_string(jb, "device", dev);
	json_int(jb, "start_us", l->start_us);
	json_int(jb, "end_us", l->end_us);
	json_uint(jb, "line", l->line);
	json_bool(jb, "detected", w->detected);
	if (w->detected) {
		json_double(jb, "latency_s", (double)w->latency_us / 1e6);
		json_bool(jb, "already_open", w->already_open);
		json_string(jb, "cause", w->cause);
		if (w->severity[0] != '\0')
			json_string(jb, "severity", w->severity);
	}
	json_uint(jb, "collateral", w->collateral);
	json_close_object(jb);
}

static void json_summary(struct json_buf *jb, const struct eval_result *r,
			 const struct eval_counts *c, int64_t tolerance_us)
{
	json_reset(jb);
	json_open_object(jb, NULL);
	json_uint(jb, "scenarios", r->n);
	json_uint(jb, "detected", r->detected);
	json_double(jb, "latency_median_s", r->latency_median_s);
	json_double(jb, "latency_max_s", r->latency_max_s);
	json_double(jb, "tolerance_s", (double)tolerance_us / 1e6);
	json_uint(jb, "opened", r->opened);
	json_uint(jb, "on_target", r->on_target);
	json_uint(jb, "collateral", r->collateral);
	json_uint(jb, "false_alerts", r->false_alerts);
	json_uint(jb, "devices", r->devices);
	json_double(jb, "span_s", r->span_s);
	json_double(jb, "device_days", r->device_days);
	json_double(jb, "false_per_100_device_days", r->false_per_100dd);
	json_open_object(jb, "events");
	json_uint(jb, "lines", c->lines);
	json_uint(jb, "used", c->events);
	json_uint(jb, "too_long", c->too_long);
	json_uint(jb, "malformed", c->malformed);
	json_uint(jb, "unusable", c->unusable);
	json_uint(jb, "dropped", c->dropped + c->devices_dropped);
	json_close_object(jb);
	json_close_object(jb);
}

/*
 * One object: {"scenarios":[...],"summary":{...}}.  Written a row at a
 * time, so that the number of rows is not bounded by the writer's cap
 * on one buffer.
 */
static int report_json(FILE *out, const struct eval_result *r, const struct eval_counts *c,
		       int64_t tolerance_us)
{
	struct json_buf jb;
	int rc = 0;

	json_init(&jb);
	fputs("{\"scenarios\":[", out);
	for (size_t i = 0; i < r->n && rc == 0; i++) {
		json_row(&jb, &r->row[i]);
		if (jb.err)
			rc = -1;
		else
			fprintf(out, "%s%s", i ? "," : "", jb.data);
	}
	json_summary(&jb, r, c, tolerance_us);
	if (jb.err)
		rc = -1;
	else
		fprintf(out, "],\"summary\":%s}\n", jb.data);
	json_free(&jb);
	return rc;
}

/* ------------------------------------------------------------ main */

/* Reads the events (from path, "-" = stdin) into e; 0 or -1 after saying why. */
static int read_events(struct eval *e, const char *path)
{
	char err[EVAL_ERRLEN];
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	int rc;

	if (f == NULL) {
		log_warnx("%s: %s", path, strerror(errno));
		return -1;
	}
	rc = eval_read(e, f, err, sizeof(err));
	if (rc < 0)
		log_warnx("%s: %s", path, err);
	if (f != stdin)
		fclose(f);
	return rc;
}

/* The events of a run of edgewatch on the capture; the exit status on failure. */
static int events_from_capture(const struct options *o, struct eval *e)
{
	const char *dir = getenv("TMPDIR");
	char tmp[4096];
	int fd, rc = EXIT_OK;

	if (snprintf(tmp, sizeof(tmp), "%s/edgewatch-eval.XXXXXX",
		     dir && dir[0] ? dir : "/tmp") >= (int)sizeof(tmp)) {
		log_warnx("TMPDIR is too long");
		return EXIT_USAGE;
	}
	if ((fd = mkstemp(tmp)) < 0) {
		log_warnx("%s: %s", tmp, strerror(errno));
		return EXIT_EDGEWATCH;
	}
	close(fd);
	if (run_edgewatch(o, tmp) < 0)
		rc = EXIT_EDGEWATCH;
	else if (read_events(e, tmp) < 0)
		rc = EXIT_USAGE;
	unlink(tmp);
	return rc;
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	struct eval_labels labels = { 0 };
	struct eval_result r = { 0 };
	struct eval *e = NULL;
	char err[EVAL_ERRLEN];
	int status;

	log_init("edgewatch-eval", 0);
	if (parse_options(argc, argv, &o) < 0) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (eval_labels_load(o.labels, &labels, err, sizeof(err)) < 0)
		fatalx(EXIT_USAGE, "%s", err);
	if ((e = eval_create()) == NULL)
		fatalx(EXIT_USAGE, "out of memory");
	if (o.capture != NULL)
		status = events_from_capture(&o, e);
	else
		status = read_events(e, o.events) < 0 ? EXIT_USAGE : EXIT_OK;
	if (status != EXIT_OK)
		goto done;
	if (eval_score(e, &labels, o.tolerance_us, &r, err, sizeof(err)) < 0) {
		log_warnx("%s", err);
		status = EXIT_USAGE;
		goto done;
	}
	if (!o.json)
		report_text(stdout, &r, eval_counts(e));
	else if (report_json(stdout, &r, eval_counts(e), o.tolerance_us) < 0) {
		log_warnx("out of memory writing the JSON report");
		status = EXIT_USAGE;
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		log_warnx("stdout: %s", strerror(errno));
		status = EXIT_USAGE;
	} else if (status == EXIT_OK && eval_check(&r, &o.lim, err, sizeof(err)) < 0) {
		log_warnx("limit not met: %s", err);
		status = EXIT_UNMET;
	}
done:
	eval_result_free(&r);
	eval_labels_free(&labels);
	eval_destroy(e);
	return status;
}
