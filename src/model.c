/*
 * model.c - the model's vocabulary, built-in defaults and class look-up
 * (see model.h); reading the YAML files is model-load.c's and
 * model-classes.c's job.
 *
 * The built-in values here are what edgewatch scores with when no model
 * file is read, and they are also what models/scoring.yaml and the
 * "default" class of models/classes.yaml ship: tests/test-model.c loads
 * the shipped files and checks that they give exactly these values, so
 * the two cannot drift.  The reasons for each value are written in the
 * YAML files, next to the values an operator would change.
 */
#define _POSIX_C_SOURCE 200809L

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "util-yaml.h"

static const char *const feature_names[BLF_COUNT] = {
	[BLF_BYTES_OUT] = "bytes_out",
	[BLF_BYTES_IN] = "bytes_in",
	[BLF_PKTS_OUT] = "pkts_out",
	[BLF_PKTS_IN] = "pkts_in",
	[BLF_FLOWS_OUT] = "flows_out",
	[BLF_FLOWS_IN] = "flows_in",
	[BLF_REMOTE_ADDRS] = "remote_addrs",
	[BLF_REMOTE_PORTS] = "remote_ports",
	[BLF_DNS_QUERIES] = "dns_queries",
	[BLF_DNS_NAMES] = "dns_names",
	[BLF_FAILED_CONNS] = "failed_conns",
	[BLF_INTERNAL_FANOUT] = "internal_fanout",
	[BLF_EXTERNAL_FANOUT] = "external_fanout",
};

static const char *const category_names[BLC_COUNT] = {
	[BLC_ENDPOINT] = "endpoint",
	[BLC_APP_PROTO] = "app_proto",
	[BLC_SERVER_PORT] = "server_port",
	[BLC_JA3] = "ja3",
	[BLC_SERVICE] = "service",
};

/* The index of name in names[0..n), or -1 (NULL too). */
static int name_index(const char *const *names, int n, const char *name)
{
	for (int i = 0; name != NULL && i < n; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -1;
}

const char *model_feature_name(enum bl_feature f)
{
	/* Compared as unsigned so that a negative value is out of range too. */
	return (unsigned)f < BLF_COUNT ? feature_names[f] : NULL;
}

int model_feature_from_name(const char *name)
{
	return name_index(feature_names, BLF_COUNT, name);
}

const char *model_category_name(enum bl_category c)
{
	return (unsigned)c < BLC_COUNT ? category_names[c] : NULL;
}

int model_category_from_name(const char *name)
{
	return name_index(category_names, BLC_COUNT, name);
}

/*
 * The "default" class: a device whose class is unknown, or a class that
 * classes.yaml leaves a feature of unsaid.  Per 60 s bin
 * (MODEL_PRIOR_BIN_S); models/classes.yaml says why each value.
 */
#define P(mean, spread, floor, w) { (mean), (spread), (floor), (w) }

static const struct model_class default_class = {
	.name = "default",
	.feature = {
		[BLF_BYTES_OUT] = P(50000, 200000, 20000, 0.5),
		[BLF_BYTES_IN] = P(100000, 500000, 20000, 0.3),
		[BLF_PKTS_OUT] = P(100, 300, 20, 0.3),
		[BLF_PKTS_IN] = P(100, 300, 20, 0.3),
		[BLF_FLOWS_OUT] = P(3, 5, 3, 1),
		[BLF_FLOWS_IN] = P(0.5, 2, 2, 0.5),
		[BLF_REMOTE_ADDRS] = P(3, 4, 3, 1),
		[BLF_REMOTE_PORTS] = P(2, 2, 2, 1),
		[BLF_DNS_QUERIES] = P(2, 4, 3, 0.5),
		[BLF_DNS_NAMES] = P(1, 2, 2, 0.5),
		[BLF_FAILED_CONNS] = P(0.2, 1, 2, 1),
		[BLF_INTERNAL_FANOUT] = P(0.5, 1, 2, 1),
		[BLF_EXTERNAL_FANOUT] = P(2, 3, 3, 1),
	},
	.novelty_weight = {
		[BLC_ENDPOINT] = 0.8,
		[BLC_APP_PROTO] = 0.5,
		[BLC_SERVER_PORT] = 0.5,
		[BLC_JA3] = 0.5,
		[BLC_SERVICE] = 0.8,
	},
};

#undef P

int model_init_defaults(struct model *m)
{
	memset(m, 0, sizeof(*m));
	m->bin_s = MODEL_DEFAULT_BIN_S;
	m->learn_s = MODEL_DEFAULT_LEARN_S;
	m->adapt_half_life_bins = MODEL_DEFAULT_ADAPT_HALF_LIFE_BINS;
	m->forecast_warmup_bins = MODEL_DEFAULT_FORECAST_WARMUP_BINS;
	m->forecast_alpha = MODEL_DEFAULT_FORECAST_ALPHA;
	m->forecast_beta = MODEL_DEFAULT_FORECAST_BETA;
	m->anomaly_score = MODEL_DEFAULT_ANOMALY_SCORE;
	m->prior_anomaly_score = MODEL_DEFAULT_PRIOR_ANOMALY_SCORE;
	m->severity_medium = MODEL_DEFAULT_SEVERITY_MEDIUM;
	m->severity_high = MODEL_DEFAULT_SEVERITY_HIGH;
	m->severity_critical = MODEL_DEFAULT_SEVERITY_CRITICAL;
	m->incident_quiet_s = MODEL_DEFAULT_INCIDENT_QUIET_S;
	m->novelty_settle_bins = MODEL_DEFAULT_NOVELTY_SETTLE_BINS;
	m->novelty_score = MODEL_DEFAULT_NOVELTY_SCORE;
	m->classes = malloc(sizeof(*m->classes));
	if (m->classes == NULL)
		return -1;
	m->classes[0] = default_class;
	m->nclasses = 1;
	return 0;
}

const struct model_class *model_class_for(const struct model *m, const char *class_name)
{
	if (m->classes == NULL || m->nclasses == 0)
		return NULL;
	/* At most MODEL_MAX_CLASSES short names: a scan is as fast as anything cleverer. */
	for (size_t i = 1; class_name != NULL && i < m->nclasses; i++)
		if (strcmp(m->classes[i].name, class_name) == 0)
			return &m->classes[i];
	return &m->classes[0];
}

void model_free(struct model *m)
{
	if (m == NULL)
		return;
	free(m->classes);
	m->classes = NULL;
	m->nclasses = 0;
}

/* ------------------------------------------------------------ files */

typedef int (*model_loader)(struct model *m, const char *name, const char *text, size_t len,
			    char err[MODEL_ERRLEN]);

/* Reads dir/file and loads it into m with load. */
static int model_load_one(struct model *m, const char *dir, const char *file, model_loader load,
			  char err[MODEL_ERRLEN])
{
	char path[PATH_MAX];
	struct yread y;
	char *text;
	size_t len;
	int n, rc;

	n = snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		yread_init(&y, file, NULL, 0, err, MODEL_ERRLEN);
		return yread_error(&y, "directory name is too long");
	}
	/* The cap keeps a wrong directory (a capture named scoring.yaml) from being read whole. */
	if (yread_file(path, MODEL_FILE_MAX_BYTES, "file is larger than", &text, &len, err,
		       MODEL_ERRLEN) < 0)
		return -1;
	rc = load(m, path, text, len, err);
	free(text);
	return rc;
}

int model_load_dir(struct model *m, const char *dir, char err[MODEL_ERRLEN])
{
	struct model work = *m;

	/*
	 * Both files go into one copy so that a good scoring.yaml is not
	 * kept with a bad classes.yaml.  The scoring loader leaves the class
	 * array alone and the classes loader replaces it only on success, so
	 * work shares m's array until then and *m is untouched on failure.
	 */
	if (model_load_one(&work, dir, "scoring.yaml", model_load_scoring_buffer, err) < 0)
		return -1;
	if (model_load_one(&work, dir, "classes.yaml", model_load_classes_buffer, err) < 0)
		return -1;
	*m = work;
	return 0;
}
