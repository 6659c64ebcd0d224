/*
 * main-load.c - what the command loads at start and again on SIGHUP: the
 * fingerprint and detection rules, the models, the segmentation policy,
 * the saved inventory and baselines, the quarantine key and policy, the
 * MAC vendor names (see main-private.h).  A file named by the operator
 * must load; a bad one on reload keeps the running one.
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

/* DIR/inventory.state into buf; false when no state directory is set. */
bool state_path(const char *dir, const char *file, char *buf, size_t len)
{
	if (dir == NULL)
		return false;
	if ((size_t)snprintf(buf, len, "%s/%s", dir, file) >= len)
		fatalx(EXIT_CONFIG, "%s: state directory path too long", dir);
	return true;
}

/* Loads the saved inventory; problems are reported, never fatal. */
void load_state(struct engine *e, const char *path, bool quiet)
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

/* Loads the saved baselines; problems are reported, never fatal. */
void load_baselines(struct engine *e, const char *path, bool quiet)
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
struct device_rules *load_rules(const struct options *o, const struct ew_conf *conf)
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
 * detection.threshold_percent: every score threshold of the model scaled
 * alike, so the bands keep their order and an anomalous bin stays at
 * least medium (model_load_dir() checked both).
 */
static void scale_thresholds(const struct ew_conf *conf, struct model *m)
{
	double k = (double)conf->threshold_percent / 100.0;

	if (conf->threshold_percent == 100)
		return;
	m->anomaly_score *= k;
	m->prior_anomaly_score *= k;
	m->severity_medium *= k;
	m->severity_high *= k;
	m->severity_critical *= k;
}

/*
 * The behavioural model.  A directory named by --models must load (status
 * 3); the installed one may be absent, which leaves the built-in values.
 */
void load_models(const struct options *o, const struct ew_conf *conf, struct model *m)
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
		scale_thresholds(conf, m);
		return;
	}
	if (model_load_dir(m, dir, err) != 0)
		fatalx(EXIT_CONFIG, "%s", err);
	scale_thresholds(conf, m);
}

/* The detection rules at start: as the fingerprint rules. */
struct detect_rules *load_detections(const struct options *o, const struct ew_conf *conf)
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
void reload_rules(struct run *r)
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
struct policy *load_policy(const struct options *o, const struct ew_conf *conf)
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
void reload_policy(struct run *r)
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
void reload(struct run *r)
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
 * Quarantine requests, when the configuration enables them: the key from
 * its file (never inline), the policy's settings from the configuration.
 * Any problem stops the start (status 3): an operator who asked for
 * quarantine must know it is not running.
 */
void setup_quarantine(struct engine *e, const struct ew_conf *conf, struct output_sink *redis,
		      struct output_sink *via, bool live, struct qkey *key)
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
	/* Live, the enforcement points' reports are read back; offline they are in the past. */
	if (engine_set_quarantine(e, &qs, redis, via, conf->quarantine_stream,
				  live ? conf->quarantine_enforcement_stream : NULL, err,
				  sizeof(err)) != 0)
		fatalx(EXIT_CONFIG, "quarantine: %s", err);
}

/* MAC vendor names; without them the sensor still runs (vendors unknown). */
struct oui_db *load_vendors(void)
{
	char err[256];
	struct oui_db *db = oui_db_load(IEEE_DATA_DIR, err, sizeof(err));

	if (db == NULL)
		log_warnx("MAC vendors unknown: %s (install the Debian package ieee-data)", err);
	return db;
}
