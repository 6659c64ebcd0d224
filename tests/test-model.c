/*
 * test-model.c - unit tests of the behavioural model files (src/model.c,
 * src/model-load.c, models/scoring.yaml, models/classes.yaml).
 *
 * The vocabulary (names both ways), the built-in defaults, the shipped
 * files (they load, they equal the built-in defaults, they name every
 * class the brief asks for and only classes the fingerprint rules know,
 * their priors judge the worked examples as models/README.md says),
 * inheritance from "default", and a table of bad inputs, hostile YAML
 * included, each with the exact one-line message expected, line and
 * column worked out by hand from the text.  Every failed load must leave
 * the model exactly as it was.  Run under ASan to catch leaks.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "device-rules-private.h" /* rules_class_index(): the classes the rules know */
#include "model.h"

#define SNAME "s.yaml"
#define CNAME "c.yaml"

/* ------------------------------------------------------------ helpers */

static int load_scoring(struct model *m, const char *text, char *err)
{
	return model_load_scoring_buffer(m, SNAME, text, strlen(text), err);
}

static int load_classes(struct model *m, const char *text, char *err)
{
	return model_load_classes_buffer(m, CNAME, text, strlen(text), err);
}

static void init_ok(struct model *m)
{
	assert_int_equal(model_init_defaults(m), 0);
}

static void scoring_ok(struct model *m, const char *text)
{
	char err[MODEL_ERRLEN];

	if (load_scoring(m, text, err) < 0)
		fail_msg("unexpected error: %s", err);
	assert_string_equal(err, "");
}

static void classes_ok(struct model *m, const char *text)
{
	char err[MODEL_ERRLEN];

	if (load_classes(m, text, err) < 0)
		fail_msg("unexpected error: %s", err);
	assert_string_equal(err, "");
}

/* Exact equality, doubles included: the loader must reproduce values, not approximate them. */
static void assert_class_equal(const struct model_class *a, const struct model_class *b)
{
	assert_string_equal(a->name, b->name);
	for (int f = 0; f < BLF_COUNT; f++) {
		assert_true(a->feature[f].mean == b->feature[f].mean);
		assert_true(a->feature[f].spread == b->feature[f].spread);
		assert_true(a->feature[f].min_spread == b->feature[f].min_spread);
		assert_true(a->feature[f].weight == b->feature[f].weight);
	}
	for (int c = 0; c < BLC_COUNT; c++)
		assert_true(a->novelty_weight[c] == b->novelty_weight[c]);
}

static void assert_settings_equal(const struct model *a, const struct model *b)
{
	assert_int_equal(a->bin_s, b->bin_s);
	assert_int_equal(a->learn_s, b->learn_s);
	assert_int_equal(a->adapt_half_life_bins, b->adapt_half_life_bins);
	assert_int_equal(a->forecast_warmup_bins, b->forecast_warmup_bins);
	assert_true(a->forecast_alpha == b->forecast_alpha);
	assert_true(a->forecast_beta == b->forecast_beta);
	assert_true(a->anomaly_score == b->anomaly_score);
	assert_true(a->prior_anomaly_score == b->prior_anomaly_score);
	assert_true(a->severity_medium == b->severity_medium);
	assert_true(a->severity_high == b->severity_high);
	assert_true(a->severity_critical == b->severity_critical);
	assert_int_equal(a->incident_quiet_s, b->incident_quiet_s);
	assert_int_equal(a->novelty_settle_bins, b->novelty_settle_bins);
	assert_true(a->novelty_score == b->novelty_score);
}

static void assert_model_equal(const struct model *a, const struct model *b)
{
	assert_settings_equal(a, b);
	assert_int_equal(a->nclasses, b->nclasses);
	for (size_t i = 0; i < a->nclasses; i++)
		assert_class_equal(&a->classes[i], &b->classes[i]);
}

/*
 * A model unlike the defaults in every setting and with a second class,
 * valid (bands rising), so that "unchanged" and "set by the file" are
 * both visible.
 */
static void init_perturbed(struct model *m)
{
	init_ok(m);
	classes_ok(m, "classes:\n  default:\n    novelty: {endpoint: 0.125}\n"
		      "  camera:\n    features:\n      flows_out: {mean: 7}\n");
	m->bin_s = 7;
	m->learn_s = 7;
	m->adapt_half_life_bins = 7;
	m->forecast_warmup_bins = 7;
	m->forecast_alpha = 0.7;
	m->forecast_beta = 0.7;
	m->anomaly_score = 7;
	m->prior_anomaly_score = 7;
	m->severity_medium = 7;
	m->severity_high = 8;
	m->severity_critical = 9;
	m->incident_quiet_s = 7;
	m->novelty_settle_bins = 7;
	m->novelty_score = 7;
}

/* A deep copy, to compare against after a load. */
static void copy_model(struct model *dst, const struct model *src)
{
	*dst = *src;
	dst->classes = malloc(src->nclasses * sizeof(*dst->classes));
	assert_non_null(dst->classes);
	memcpy(dst->classes, src->classes, src->nclasses * sizeof(*dst->classes));
}

/* models/ in the source tree: $EW_SRCDIR (set by make check), else next to this file. */
static void models_dir(char *buf, size_t size)
{
	const char *srcdir = getenv("EW_SRCDIR");
	const char *slash = strrchr(__FILE__, '/');

	if (srcdir != NULL)
		snprintf(buf, size, "%s/models", srcdir);
	else if (slash != NULL)
		snprintf(buf, size, "%.*s/../models", (int)(slash - __FILE__), __FILE__);
	else
		snprintf(buf, size, "../models");
}

static void load_shipped(struct model *m)
{
	char dir[4096], err[MODEL_ERRLEN];

	models_dir(dir, sizeof(dir));
	if (model_load_dir(m, dir, err) < 0)
		fail_msg("%s", err);
}

/* ------------------------------------------------------- vocabulary */

static void test_names(void **state)
{
	(void)state;
	/* Spelled out, as the YAML files and docs spell them. */
	assert_string_equal(model_feature_name(BLF_BYTES_OUT), "bytes_out");
	assert_string_equal(model_feature_name(BLF_PKTS_IN), "pkts_in");
	assert_string_equal(model_feature_name(BLF_REMOTE_PORTS), "remote_ports");
	assert_string_equal(model_feature_name(BLF_FAILED_CONNS), "failed_conns");
	assert_string_equal(model_feature_name(BLF_EXTERNAL_FANOUT), "external_fanout");
	assert_string_equal(model_category_name(BLC_ENDPOINT), "endpoint");
	assert_string_equal(model_category_name(BLC_SERVER_PORT), "server_port");
	assert_string_equal(model_category_name(BLC_SERVICE), "service");
	/* Round trip, and every name distinct. */
	for (int f = 0; f < BLF_COUNT; f++) {
		assert_non_null(model_feature_name((enum bl_feature)f));
		assert_int_equal(model_feature_from_name(model_feature_name((enum bl_feature)f)), f);
	}
	for (int c = 0; c < BLC_COUNT; c++) {
		assert_non_null(model_category_name((enum bl_category)c));
		assert_int_equal(model_category_from_name(model_category_name((enum bl_category)c)),
				 c);
	}
	/* Out of range, unknown, near misses. */
	assert_null(model_feature_name(BLF_COUNT));
	assert_null(model_feature_name((enum bl_feature)-1));
	assert_null(model_category_name(BLC_COUNT));
	assert_null(model_category_name((enum bl_category)-1));
	assert_int_equal(model_feature_from_name("bytes"), -1);
	assert_int_equal(model_feature_from_name("bytes_out "), -1);
	assert_int_equal(model_feature_from_name("BYTES_OUT"), -1);
	assert_int_equal(model_feature_from_name(""), -1);
	assert_int_equal(model_feature_from_name(NULL), -1);
	assert_int_equal(model_category_from_name("endpoints"), -1);
	assert_int_equal(model_category_from_name(NULL), -1);
}

static void test_defaults(void **state)
{
	struct model m;

	(void)state;
	init_ok(&m);
	assert_int_equal(m.bin_s, 60);
	assert_int_equal(m.learn_s, 86400);
	assert_int_equal(m.adapt_half_life_bins, 1440);
	assert_int_equal(m.forecast_warmup_bins, 30);
	assert_true(m.forecast_alpha == 0.2);
	assert_true(m.forecast_beta == 0.05);
	assert_true(m.anomaly_score == 6.0);
	assert_true(m.prior_anomaly_score == 24.0);
	assert_true(m.severity_medium == 6.0);
	assert_true(m.severity_high == 12.0);
	assert_true(m.severity_critical == 24.0);
	assert_int_equal(m.incident_quiet_s, 3600);
	assert_int_equal(m.novelty_settle_bins, 240);
	assert_true(m.novelty_score == 8.0);
	assert_int_equal(m.nclasses, 1);
	assert_string_equal(m.classes[0].name, "default");
	/* The built-in bands obey the rules the loader enforces. */
	assert_true(m.anomaly_score <= m.severity_medium);
	assert_true(m.severity_medium < m.severity_high && m.severity_high < m.severity_critical);
	for (int f = 0; f < BLF_COUNT; f++) {
		assert_true(m.classes[0].feature[f].spread > 0);
		assert_true(m.classes[0].feature[f].min_spread > 0);
		assert_true(m.classes[0].feature[f].weight >= 0 &&
			    m.classes[0].feature[f].weight <= 1);
	}
	model_free(&m);
	assert_null(m.classes);
	model_free(&m); /* twice is harmless */
	model_free(NULL);
}

static void test_class_for(void **state)
{
	struct model m;

	(void)state;
	init_ok(&m);
	classes_ok(&m, "classes:\n  camera: {}\n  plc: {}\n");
	assert_int_equal(m.nclasses, 3);
	assert_string_equal(model_class_for(&m, "camera")->name, "camera");
	assert_string_equal(model_class_for(&m, "plc")->name, "plc");
	assert_ptr_equal(model_class_for(&m, "plc"), &m.classes[2]);
	/* Unknown, empty, a prefix, a different case, NULL: the default. */
	assert_ptr_equal(model_class_for(&m, "toaster"), &m.classes[0]);
	assert_ptr_equal(model_class_for(&m, ""), &m.classes[0]);
	assert_ptr_equal(model_class_for(&m, "cam"), &m.classes[0]);
	assert_ptr_equal(model_class_for(&m, "Camera"), &m.classes[0]);
	assert_ptr_equal(model_class_for(&m, NULL), &m.classes[0]);
	assert_ptr_equal(model_class_for(&m, "default"), &m.classes[0]);
	model_free(&m);
	/* An emptied model answers NULL rather than reading freed memory. */
	assert_null(model_class_for(&m, "camera"));
}

/* -------------------------------------------------- the shipped files */

static void test_shipped_equal_defaults(void **state)
{
	struct model m, def;

	(void)state;
	/*
	 * Start from values unlike every default: a key missing from
	 * scoring.yaml would leave its 7 in place and fail the comparison.
	 */
	init_perturbed(&m);
	load_shipped(&m);
	init_ok(&def);
	assert_settings_equal(&m, &def);
	assert_int_equal(m.bin_s, MODEL_DEFAULT_BIN_S);
	assert_int_equal(m.learn_s, MODEL_DEFAULT_LEARN_S);
	assert_true(m.anomaly_score == MODEL_DEFAULT_ANOMALY_SCORE);
	assert_true(m.novelty_score == MODEL_DEFAULT_NOVELTY_SCORE);
	/* classes.yaml's "default" is the built-in one. */
	assert_class_equal(&m.classes[0], &def.classes[0]);
	model_free(&m);
	model_free(&def);
}

static void test_shipped_classes(void **state)
{
	static const char *const required[] = {
		"camera", "nvr", "doorbell", "smart-plug", "smart-switch", "bulb",
		"light-bridge", "hub", "speaker", "streamer", "tv", "thermostat", "sensor",
		"lock", "appliance", "iot-module", "printer", "nas", "router", "access-point",
		"plc", "hmi", "building-controller", "voip-phone", "game-console", "phone",
		"tablet", "computer", "wearable",
	};
	struct model m;

	(void)state;
	init_ok(&m);
	load_shipped(&m);
	assert_true(m.nclasses >= 1 + sizeof(required) / sizeof(required[0]));
	assert_true(m.nclasses <= MODEL_MAX_CLASSES);
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		const struct model_class *c = model_class_for(&m, required[i]);

		if (strcmp(c->name, required[i]) != 0)
			fail_msg("class %s missing from classes.yaml", required[i]);
	}
	/* A misspelt class would never be looked up: each is one the rules can give. */
	for (size_t i = 1; i < m.nclasses; i++) {
		const char *n = m.classes[i].name;

		if (rules_class_index(n, strlen(n)) < 0)
			fail_msg("classes.yaml class %s is not a class of the fingerprint rules", n);
		for (int f = 0; f < BLF_COUNT; f++) {
			const struct model_feature_prior *p = &m.classes[i].feature[f];

			assert_true(p->mean >= 0 && p->spread > 0 && p->min_spread > 0);
			assert_true(p->weight >= 0 && p->weight <= 1);
		}
	}
	model_free(&m);
}

/* A feature's score as classes.yaml defines it: |x - mean| / max(spread, min_spread). */
static double feature_score(const struct model_class *c, enum bl_feature f, double x)
{
	const struct model_feature_prior *p = &c->feature[f];
	double d = x > p->mean ? x - p->mean : p->mean - x;

	return d / (p->spread > p->min_spread ? p->spread : p->min_spread);
}

/* The worked examples of classes.yaml and models/README.md, on the shipped priors. */
static void test_shipped_priors_judge(void **state)
{
	const struct model_class *plug, *plc, *camera, *computer;
	struct model m;

	(void)state;
	init_ok(&m);
	load_shipped(&m);
	plug = model_class_for(&m, "smart-plug");
	plc = model_class_for(&m, "plc");
	camera = model_class_for(&m, "camera");
	computer = model_class_for(&m, "computer");
	/*
	 * Plug, flows_out mean 1, spread 1, min_spread 2: 3 flows (+2) score
	 * 2 / max(1, 2) = 1, under anomaly 6; 51 flows (+50) score 50 / 2 =
	 * 25, over prior_anomaly 24 even before the device is learned.
	 */
	assert_true(feature_score(plug, BLF_FLOWS_OUT, 3) == 1.0);
	assert_true(feature_score(plug, BLF_FLOWS_OUT, 3) < m.anomaly_score);
	assert_true(feature_score(plug, BLF_FLOWS_OUT, 51) == 25.0);
	assert_true(feature_score(plug, BLF_FLOWS_OUT, 51) >= m.prior_anomaly_score);
	/*
	 * A Mirai-style telnet scan from the plug: 300 external addresses a
	 * minute, external_fanout mean 1, floor 2: 299 / 2 = 149.5.
	 */
	assert_true(feature_score(plug, BLF_EXTERNAL_FANOUT, 300) == 149.5);
	/*
	 * Camera streaming 4 Mbit/s = 3e7 bytes a minute: bytes_out mean
	 * 15e6, spread 15e6: (3e7 - 1.5e7) / 1.5e7 = 1, normal; an upload at
	 * 50 Mbit/s (3.75e8 a minute) scores 3.6e8 / 1.5e7 = 24.
	 */
	assert_true(feature_score(camera, BLF_BYTES_OUT, 3e7) == 1.0);
	assert_true(feature_score(camera, BLF_BYTES_OUT, 3.75e8) == 24.0);
	/*
	 * PLC: 600 packets a minute, spread 30, floor 60; 660 (+10 %) scores
	 * 60 / 60 = 1; a PLC that starts talking to the internet (6 external
	 * addresses a minute, mean 0.01, floor 1) scores 5.99, and 7 scores
	 * 6.99, over the threshold of 6.
	 */
	assert_true(feature_score(plc, BLF_PKTS_OUT, 660) == 1.0);
	assert_true(feature_score(plc, BLF_EXTERNAL_FANOUT, 7) > m.anomaly_score);
	/* Novelty: single-purpose devices count a new endpoint, general-purpose ones do not. */
	assert_true(plug->novelty_weight[BLC_ENDPOINT] >= 0.8);
	assert_true(plc->novelty_weight[BLC_ENDPOINT] >= 0.8);
	assert_true(camera->novelty_weight[BLC_ENDPOINT] >= 0.8);
	assert_true(computer->novelty_weight[BLC_ENDPOINT] <= 0.1);
	assert_true(model_class_for(&m, "phone")->novelty_weight[BLC_ENDPOINT] <= 0.1);
	assert_true(model_class_for(&m, "tablet")->novelty_weight[BLC_ENDPOINT] <= 0.1);
	model_free(&m);
}

/* ------------------------------------------------- good files */

static void test_scoring_values(void **state)
{
	struct model m;

	(void)state;
	init_ok(&m);
	scoring_ok(&m, "# partial\n"
		       "scoring:\n"
		       "  bin: 30\n"
		       "  learn: 0\n"
		       "  forecast: {alpha: 1, beta: 1.25e-1}\n"
		       "  thresholds:\n"
		       "    anomaly: 7.5\n"
		       "  severity: {medium: 7.5, high: 8, critical: 1000}\n"
		       "  incident:\n"
		       "  novelty:\n"
		       "    settle: 1000000\n");
	assert_int_equal(m.bin_s, 30);
	assert_int_equal(m.learn_s, 0);
	assert_true(m.forecast_alpha == 1.0);
	assert_true(m.forecast_beta == 0.125);
	assert_true(m.anomaly_score == 7.5);
	assert_true(m.severity_medium == 7.5); /* equal to anomaly is allowed */
	assert_true(m.severity_high == 8.0);
	assert_true(m.severity_critical == 1000.0);
	assert_int_equal(m.novelty_settle_bins, 1000000);
	/* What the file left out keeps its value. */
	assert_int_equal(m.adapt_half_life_bins, MODEL_DEFAULT_ADAPT_HALF_LIFE_BINS);
	assert_int_equal(m.incident_quiet_s, MODEL_DEFAULT_INCIDENT_QUIET_S);
	assert_true(m.prior_anomaly_score == MODEL_DEFAULT_PRIOR_ANOMALY_SCORE);
	/* The class array is not the scoring file's business. */
	assert_int_equal(m.nclasses, 1);
	/* Empty, comments only, an empty document, "scoring:" alone: nothing changes. */
	scoring_ok(&m, "");
	scoring_ok(&m, "# nothing\n");
	scoring_ok(&m, "---\n");
	scoring_ok(&m, "scoring:\n");
	assert_int_equal(m.bin_s, 30);
	/* Bands that rise may move together past the old ones, in any order of keys. */
	scoring_ok(&m, "scoring:\n  severity: {critical: 90, high: 60, medium: 30}\n"
		       "  thresholds: {anomaly: 30}\n");
	assert_true(m.severity_medium == 30.0 && m.severity_critical == 90.0);
	model_free(&m);
}

static void test_classes_inherit(void **state)
{
	struct model m, builtin;
	const struct model_class *cam, *def;

	(void)state;
	init_ok(&m);
	init_ok(&builtin);
	/*
	 * The camera comes before "default" in the text and still inherits
	 * the file's default (flows_in weight 0.25), not the built-in one.
	 */
	classes_ok(&m, "classes:\n"
		       "  camera:\n"
		       "    features:\n"
		       "      bytes_out: {mean: 1.5e7, spread: 1e7}\n"
		       "    novelty: {service: 0}\n"
		       "  default:\n"
		       "    features:\n"
		       "      flows_in: {weight: 0.25}\n"
		       "      bytes_out: {min_spread: 123}\n"
		       "    novelty: {ja3: 0.75}\n");
	assert_int_equal(m.nclasses, 2);
	def = model_class_for(&m, "default");
	cam = model_class_for(&m, "camera");
	assert_string_equal(cam->name, "camera");
	/* The default: built-in values but for the three it sets. */
	assert_true(def->feature[BLF_FLOWS_IN].weight == 0.25);
	assert_true(def->feature[BLF_FLOWS_IN].mean == builtin.classes[0].feature[BLF_FLOWS_IN].mean);
	assert_true(def->feature[BLF_BYTES_OUT].min_spread == 123.0);
	assert_true(def->novelty_weight[BLC_JA3] == 0.75);
	/* The camera: its own two values, the file's default for the rest of bytes_out... */
	assert_true(cam->feature[BLF_BYTES_OUT].mean == 1.5e7);
	assert_true(cam->feature[BLF_BYTES_OUT].spread == 1e7);
	assert_true(cam->feature[BLF_BYTES_OUT].min_spread == 123.0);
	assert_true(cam->feature[BLF_BYTES_OUT].weight ==
		    builtin.classes[0].feature[BLF_BYTES_OUT].weight);
	/* ...and for every other feature and category. */
	assert_true(cam->feature[BLF_FLOWS_IN].weight == 0.25);
	for (int f = BLF_BYTES_IN; f < BLF_COUNT; f++)
		assert_true(memcmp(&cam->feature[f], &def->feature[f], sizeof(cam->feature[f])) == 0);
	assert_true(cam->novelty_weight[BLC_SERVICE] == 0.0);
	assert_true(cam->novelty_weight[BLC_JA3] == 0.75);
	assert_true(cam->novelty_weight[BLC_ENDPOINT] == builtin.classes[0].novelty_weight[BLC_ENDPOINT]);

	/*
	 * A classes file replaces the classes: the camera is gone, and the
	 * default starts again from the built-in one (ja3 back to its value).
	 */
	classes_ok(&m, "classes:\n  plc: {features: {pkts_out: {mean: 600}}}\n");
	assert_int_equal(m.nclasses, 2);
	assert_string_equal(model_class_for(&m, "camera")->name, "default");
	assert_class_equal(&m.classes[0], &builtin.classes[0]);
	assert_true(model_class_for(&m, "plc")->feature[BLF_PKTS_OUT].mean == 600.0);
	/* Empty files and "classes:" alone leave only the built-in default. */
	classes_ok(&m, "");
	assert_int_equal(m.nclasses, 1);
	classes_ok(&m, "classes:\n  camera:\n  nvr: {features: , novelty: }\n");
	assert_int_equal(m.nclasses, 3);
	/* A class given as nothing at all is the default under its own name. */
	assert_string_equal(m.classes[1].name, "camera");
	assert_true(memcmp(m.classes[1].feature, builtin.classes[0].feature,
			   sizeof(m.classes[1].feature)) == 0);
	assert_true(memcmp(m.classes[2].novelty_weight, builtin.classes[0].novelty_weight,
			   sizeof(m.classes[2].novelty_weight)) == 0);
	classes_ok(&m, "classes:\n");
	assert_int_equal(m.nclasses, 1);
	model_free(&m);
	model_free(&builtin);
}

/* Numbers as the loader reads them, exactly. */
static void test_numbers(void **state)
{
	static const struct {
		const char *text;
		double want;
	} cases[] = {
		{ "0", 0.0 },
		{ "-0", 0.0 },          /* in range [0, ...], read as 0 */
		{ "0.0", 0.0 },
		{ "1", 1.0 },
		{ "0.05", 0.05 },       /* the same double as the C literal */
		{ "1.5e6", 1.5e6 },
		{ "15e6", 1.5e7 },
		{ "2E+3", 2000.0 },
		{ "2500e-3", 2.5 },
		{ "1e12", 1e12 },       /* the bound itself */
		{ "0.000001", 1e-6 },
		{ "1e-400", 0.0 },      /* underflows to 0, which is in range for a mean */
		{ "1000000000000.0", 1e12 },
	};
	struct model m;
	char text[256], err[MODEL_ERRLEN];

	(void)state;
	init_ok(&m);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "classes:\n  camera: {features: {dns_names: {mean: %s}}}\n",
			 cases[i].text);
		if (load_classes(&m, text, err) < 0)
			fail_msg("%s: %s", cases[i].text, err);
		if (model_class_for(&m, "camera")->feature[BLF_DNS_NAMES].mean != cases[i].want)
			fail_msg("%s read as %.17g", cases[i].text,
				 model_class_for(&m, "camera")->feature[BLF_DNS_NAMES].mean);
	}
	model_free(&m);
}

/* ------------------------------------------------------- bad input */

struct bad_case {
	int classes; /* 0: scoring loader ("s.yaml"), 1: classes loader ("c.yaml") */
	const char *text;
	const char *msg; /* without the "NAME:" prefix */
};

#define S 0
#define C 1
#define CAM "classes:\n  camera:\n    features:\n" /* what follows is on line 4 */
#define VALID_SCORING "(valid: bin, learn, adapt_half_life, forecast, thresholds, severity, incident, novelty)"

/*
 * Each text with the message it must give.  Columns by hand: in
 * "  bin: X" the value starts at column 8; in "    alpha: X" at 12; in
 * "    anomaly: X" at 14; in "      flows_out: {spread: X}" the '{' is
 * at column 18, "spread" at 19 and the value at 27.
 */
static const struct bad_case bad_cases[] = {
	/* Shape. */
	{ S, "- 1\n", "1:1: the top level must be a mapping with 'scoring'" },
	{ S, "score:\n  bin: 60\n", "1:1: unknown key 'score' (valid: scoring)" },
	{ S, "scoring: {}\nscoring: {}\n", "2:1: duplicate key 'scoring'" },
	{ S, "scoring:\n  bins: 60\n", "2:3: unknown key 'bins' in scoring " VALID_SCORING },
	{ S, "scoring:\n  forecast:\n    gamma: 1\n",
	  "3:5: unknown key 'gamma' in scoring.forecast (valid: warmup, alpha, beta)" },
	{ S, "scoring:\n  forecast.alpha: 1\n",
	  "2:3: unknown key 'forecast.alpha' in scoring " VALID_SCORING },
	{ S, "scoring:\n  bin: 60\n  bin: 30\n", "3:3: duplicate key 'scoring.bin'" },
	{ S, "scoring:\n  bin: [60]\n", "2:8: scoring.bin: expected a number, found a sequence" },
	{ S, "scoring:\n  forecast: 5\n",
	  "2:13: scoring.forecast: expected a mapping, found a scalar" },
	{ S, "scoring:\n  [bin]: 60\n", "2:3: a key must be a scalar, not a sequence" },
	{ S, "scoring:\n  bin: 60\n---\nscoring: {}\n", "3:1: only one YAML document is allowed" },
	/* Integers. */
	{ S, "scoring:\n  bin: 0\n", "2:8: scoring.bin: 0 is out of range 1..3600" },
	{ S, "scoring:\n  bin: 3601\n", "2:8: scoring.bin: 3601 is out of range 1..3600" },
	{ S, "scoring:\n  bin: -5\n", "2:8: scoring.bin: -5 is out of range 1..3600" },
	{ S, "scoring:\n  bin: 99999999999999999999999\n",
	  "2:8: scoring.bin: 99999999999999999999999 is out of range 1..3600" },
	{ S, "scoring:\n  bin: 0x10\n", "2:8: scoring.bin: '0x10' is not a plain decimal integer" },
	{ S, "scoring:\n  bin: 060\n", "2:8: scoring.bin: '060' is not a plain decimal integer" },
	{ S, "scoring:\n  bin: 60.5\n", "2:8: scoring.bin: '60.5' is not a plain decimal integer" },
	{ S, "scoring:\n  bin: ~\n", "2:8: scoring.bin: a value is required" },
	{ S, "scoring:\n  learn: 2592001\n",
	  "2:10: scoring.learn: 2592001 is out of range 0..2592000" },
	{ S, "scoring:\n  forecast:\n    warmup: 1\n",
	  "3:13: scoring.forecast.warmup: 1 is out of range 2..1000000" },
	{ S, "scoring:\n  novelty:\n    settle: 0\n",
	  "3:13: scoring.novelty.settle: 0 is out of range 1..1000000" },
	{ S, "scoring:\n  incident: {quiet: 86401}\n",
	  "2:21: scoring.incident.quiet: 86401 is out of range 1..86400" },
	/* Reals: NaN, infinities, huge, negative, YAML 1.1 spellings. */
	{ S, "scoring:\n  forecast:\n    alpha: 0\n",
	  "3:12: scoring.forecast.alpha: 0 is out of range (0, 1]" },
	{ S, "scoring:\n  forecast:\n    alpha: 1.5\n",
	  "3:12: scoring.forecast.alpha: 1.5 is out of range (0, 1]" },
	{ S, "scoring:\n  forecast:\n    alpha: .nan\n",
	  "3:12: scoring.forecast.alpha: '.nan' is not a decimal number (such as 0.25 or 1.5e6)" },
	{ S, "scoring:\n  forecast:\n    alpha: NaN\n",
	  "3:12: scoring.forecast.alpha: 'NaN' is not a decimal number (such as 0.25 or 1.5e6)" },
	{ S, "scoring:\n  forecast:\n    alpha: .5\n",
	  "3:12: scoring.forecast.alpha: '.5' is not a decimal number (such as 0.25 or 1.5e6)" },
	{ S, "scoring:\n  forecast:\n    alpha: 5.\n",
	  "3:12: scoring.forecast.alpha: '5.' is not a decimal number (such as 0.25 or 1.5e6)" },
	{ S, "scoring:\n  forecast:\n    alpha: +0.5\n",
	  "3:12: scoring.forecast.alpha: '+0.5' is not a decimal number (such as 0.25 or 1.5e6)" },
	{ S, "scoring:\n  forecast:\n    alpha: 1e\n",
	  "3:12: scoring.forecast.alpha: '1e' is not a decimal number (such as 0.25 or 1.5e6)" },
	{ S, "scoring:\n  forecast:\n    beta: 0.0_5\n",
	  "3:11: scoring.forecast.beta: '0.0_5' is not a decimal number (such as 0.25 or 1.5e6)" },
	{ S, "scoring:\n  thresholds:\n    anomaly: .inf\n",
	  "3:14: scoring.thresholds.anomaly: '.inf' is not a decimal number (such as 0.25 or 1.5e6)" },
	{ S, "scoring:\n  thresholds:\n    anomaly: -.inf\n",
	  "3:14: scoring.thresholds.anomaly: '-.inf' is not a decimal number (such as 0.25 or 1.5e6)" },
	{ S, "scoring:\n  thresholds:\n    anomaly: 1e999\n",
	  "3:14: scoring.thresholds.anomaly: 1e999 is out of range (0, 1000]" },
	{ S, "scoring:\n  thresholds:\n    anomaly: -3\n",
	  "3:14: scoring.thresholds.anomaly: -3 is out of range (0, 1000]" },
	{ S, "scoring:\n  thresholds:\n    anomaly: 1000.0001\n",
	  "3:14: scoring.thresholds.anomaly: 1000.0001 is out of range (0, 1000]" },
	{ S, "scoring:\n  thresholds:\n    anomaly: "
	     "10000000000000000000000000000000000000000000000000000000000000000\n",
	  "3:14: scoring.thresholds.anomaly: number is longer than 64 characters" },
	/*
	 * Relations between settings, loaded over init_perturbed()'s values
	 * (anomaly 7, medium 7, high 8, critical 9).
	 */
	{ S, "scoring:\n  severity:\n    high: 5\n",
	  "3:11: scoring.severity.high (5) must be above scoring.severity.medium (7)" },
	{ S, "scoring:\n  severity:\n    high: 12\n    medium: 12\n",
	  "4:13: scoring.severity.medium (12) must be below scoring.severity.high (12)" },
	{ S, "scoring:\n  severity:\n    critical: 20\n    high: 22\n",
	  "4:11: scoring.severity.high (22) must be below scoring.severity.critical (20)" },
	{ S, "scoring:\n  thresholds:\n    anomaly: 8\n",
	  "3:14: scoring.thresholds.anomaly (8) must be at most scoring.severity.medium (7)" },
	{ S, "scoring:\n  severity: {medium: 5}\n",
	  "2:22: scoring.severity.medium (5) must be at least scoring.thresholds.anomaly (7)" },
	/* Hostile YAML. */
	{ S, "scoring:\n  bin: &a 60\n", "2:8: anchors are not allowed" },
	{ S, "scoring:\n  bin: *a\n", "2:8: aliases are not allowed" },
	{ S, "scoring:\n  bin: !!int 60\n", "2:8: tags are not allowed" },
	{ S, "scoring: [[[[[[[[[]]]]]]]]]\n", "1:17: nesting is deeper than 8 levels" },
	{ S, "scoring:\n  \xff: 1\n", "2:3: invalid leading UTF-8 octet" },
	{ S, "scoring:\n  \"b\\0in\": 1\n", "2:3: unknown key 'b?in' in scoring " VALID_SCORING },
	{ S, "scoring:\n  bin: 60\n\t\n", "3:1: found a tab character that violates indentation" },
	{ S, "scoring: {bin: 60\n", "2:1: did not find expected ',' or '}'" },

	/* classes.yaml: shape. */
	{ C, "classez: {}\n", "1:1: unknown key 'classez' (valid: classes)" },
	{ C, "classes: [camera]\n", "1:10: classes: expected a mapping, found a sequence" },
	{ C, "classes:\n  camera: 5\n", "2:11: classes.camera: expected a mapping, found a scalar" },
	{ C, "classes:\n  [a]: {}\n", "2:3: a key must be a scalar, not a sequence" },
	{ C, "classes:\n  camera:\n    feature: {}\n",
	  "3:5: unknown key 'feature' in classes.camera (valid: features, novelty)" },
	{ C, "classes:\n  camera:\n    features: {}\n    features: {}\n",
	  "4:5: duplicate key 'classes.camera.features'" },
	{ C, CAM "      flows_out: 3\n",
	  "4:18: classes.camera.features.flows_out: expected a mapping, found a scalar" },
	{ C, CAM "      flow_out: {mean: 1}\n",
	  "4:7: unknown feature 'flow_out' in classes.camera.features (the features are listed in models/README.md)" },
	{ C, CAM "      flows_out: {avg: 1}\n",
	  "4:19: unknown key 'avg' in classes.camera.features.flows_out (valid: mean, spread, min_spread, weight)" },
	{ C, CAM "      flows_out: {mean: 1}\n      flows_out: {mean: 2}\n",
	  "5:7: duplicate key 'classes.camera.features.flows_out'" },
	{ C, CAM "      flows_out: {mean: 1, mean: 2}\n",
	  "4:28: duplicate key 'classes.camera.features.flows_out.mean'" },
	{ C, CAM "      flows_out: {mean: [1]}\n",
	  "4:25: classes.camera.features.flows_out.mean: expected a number, found a sequence" },
	{ C, "classes:\n  camera:\n    novelty: {endpoints: 1}\n",
	  "3:15: unknown category 'endpoints' in classes.camera.novelty (valid: endpoint, app_proto, server_port, ja3, service)" },
	{ C, "classes:\n  camera:\n    novelty: {ja3: 1, ja3: 1}\n",
	  "3:23: duplicate key 'classes.camera.novelty.ja3'" },
	/* Class names. */
	{ C, "classes:\n  camera: {}\n  nvr: {}\n  camera: {}\n",
	  "4:3: duplicate class 'camera' (first on line 2)" },
	{ C, "classes:\n  default: {}\n  default: {}\n",
	  "3:3: duplicate class 'default' (first on line 2)" },
	{ C, "classes:\n  a-very-long-class-name-here: {}\n",
	  "2:3: class name 'a-very-long-class-name-here' is longer than 23 bytes" },
	{ C, "classes:\n  Camera: {}\n",
	  "2:3: class name 'Camera' is not a lower-case letter then letters, digits or '-'" },
	{ C, "classes:\n  smart_plug: {}\n",
	  "2:3: class name 'smart_plug' is not a lower-case letter then letters, digits or '-'" },
	{ C, "classes:\n  \"\": {}\n",
	  "2:3: class name '' is not a lower-case letter then letters, digits or '-'" },
	{ C, "classes:\n  \"cam\\0era\": {}\n",
	  "2:3: class name 'cam?era' is not a lower-case letter then letters, digits or '-'" },
	/* Values. */
	{ C, CAM "      flows_out: {spread: 0}\n",
	  "4:27: classes.camera.features.flows_out.spread: 0 is out of range (0, 1e+12]" },
	{ C, CAM "      flows_out: {spread: -1}\n",
	  "4:27: classes.camera.features.flows_out.spread: -1 is out of range (0, 1e+12]" },
	{ C, CAM "      flows_out: {min_spread: 0}\n",
	  "4:31: classes.camera.features.flows_out.min_spread: 0 is out of range (0, 1e+12]" },
	{ C, CAM "      flows_out: {weight: 1.5}\n",
	  "4:27: classes.camera.features.flows_out.weight: 1.5 is out of range [0, 1]" },
	{ C, CAM "      flows_out: {mean: -1}\n",
	  "4:25: classes.camera.features.flows_out.mean: -1 is out of range [0, 1e+12]" },
	{ C, CAM "      flows_out: {mean: 1e309}\n",
	  "4:25: classes.camera.features.flows_out.mean: 1e309 is out of range [0, 1e+12]" },
	{ C, CAM "      flows_out: {mean: .inf}\n",
	  "4:25: classes.camera.features.flows_out.mean: '.inf' is not a decimal number (such as 0.25 or 1.5e6)" },
	{ C, CAM "      flows_out: {mean: .NaN}\n",
	  "4:25: classes.camera.features.flows_out.mean: '.NaN' is not a decimal number (such as 0.25 or 1.5e6)" },
	{ C, CAM "      flows_out: {mean: }\n",
	  "4:25: classes.camera.features.flows_out.mean: a value is required" },
	{ C, "classes:\n  camera:\n    novelty: {service: 2}\n",
	  "3:24: classes.camera.novelty.service: 2 is out of range [0, 1]" },
	/* Hostile YAML. */
	{ C, "classes:\n  camera: &c {}\n  nvr: *c\n", "2:11: anchors are not allowed" },
	{ C, "classes:\n  cam\xc3: {}\n", "2:7: invalid trailing UTF-8 octet" },
	{ C, "classes: {a: {features: {b: {c: {d: {e: {f: {}}}}}}}}\n",
	  "1:45: nesting is deeper than 8 levels" },
};

static void test_bad_input(void **state)
{
	size_t failed = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *b = &bad_cases[i];
		struct model m, before;
		char err[MODEL_ERRLEN], want[MODEL_ERRLEN];
		struct model_class *classes_before;
		int rc;

		init_perturbed(&m);
		copy_model(&before, &m);
		classes_before = m.classes;
		memset(err, 'x', sizeof(err));
		rc = b->classes ? load_classes(&m, b->text, err) : load_scoring(&m, b->text, err);
		snprintf(want, sizeof(want), "%s:%s", b->classes ? CNAME : SNAME, b->msg);
		if (rc != -1 || strcmp(err, want) != 0) {
			print_error("case %zu: %s\n  got:  %s\n  want: %s\n", i, b->text,
				    rc == 0 ? "(loaded)" : err, want);
			failed++;
		}
		/* A failed load leaves the model as it was, down to the class array's address. */
		assert_ptr_equal(m.classes, classes_before);
		assert_model_equal(&m, &before);
		model_free(&m);
		model_free(&before);
	}
	assert_int_equal(failed, 0);
}

/* A NUL inside the text is named, at its place. */
static void test_nul(void **state)
{
	static const char text[] = "scoring:\n  bin: 6\0" "0\n";
	struct model m;
	char err[MODEL_ERRLEN];

	(void)state;
	init_ok(&m);
	assert_int_equal(model_load_scoring_buffer(&m, "n", text, sizeof(text) - 1, err), -1);
	assert_string_equal(err, "n:2:9: NUL byte in input");
	assert_int_equal(model_load_classes_buffer(&m, "n", text, sizeof(text) - 1, err), -1);
	assert_string_equal(err, "n:2:9: NUL byte in input");
	assert_int_equal(m.bin_s, 60);
	model_free(&m);
}

/* MODEL_MAX_CLASSES counts "default": 63 others load, the 64th is refused at its name. */
static void test_too_many_classes(void **state)
{
	size_t size = 16 + MODEL_MAX_CLASSES * 16;
	char *text = malloc(size), err[MODEL_ERRLEN];
	struct model m;
	size_t used;

	(void)state;
	assert_non_null(text);
	init_ok(&m);
	used = (size_t)snprintf(text, size, "classes:\n");
	for (int i = 0; i < MODEL_MAX_CLASSES - 1; i++)
		used += (size_t)snprintf(text + used, size - used, "  c%d: {}\n", i);
	classes_ok(&m, text);
	assert_int_equal(m.nclasses, MODEL_MAX_CLASSES);
	assert_string_equal(m.classes[MODEL_MAX_CLASSES - 1].name, "c62");
	/* "default" named too does not take a slot of its own. */
	snprintf(text + used, size - used, "  default: {}\n");
	classes_ok(&m, text);
	assert_int_equal(m.nclasses, MODEL_MAX_CLASSES);
	/* One more: line 1 is "classes:", class i is on line i + 2, so c63 is on line 65. */
	snprintf(text + used, size - used, "  c63: {}\n");
	assert_int_equal(load_classes(&m, text, err), -1);
	assert_string_equal(err, "c.yaml:65:3: more than 64 classes (\"default\" included)");
	assert_int_equal(m.nclasses, MODEL_MAX_CLASSES);
	free(text);
	model_free(&m);
}

static void test_too_large(void **state)
{
	size_t len = MODEL_FILE_MAX_BYTES + 1;
	char *text = malloc(len), err[MODEL_ERRLEN];
	struct model m;

	(void)state;
	assert_non_null(text);
	memset(text, '#', len); /* one long comment: valid YAML, only too long */
	init_ok(&m);
	assert_int_equal(model_load_scoring_buffer(&m, "big", text, len, err), -1);
	assert_string_equal(err, "big: file is larger than 1048576 bytes");
	assert_int_equal(model_load_classes_buffer(&m, "big", text, len, err), -1);
	assert_string_equal(err, "big: file is larger than 1048576 bytes");
	/* One byte less is read (and is nothing but a comment). */
	assert_int_equal(model_load_scoring_buffer(&m, "big", text, len - 1, err), 0);
	free(text);
	model_free(&m);
}

/* ------------------------------------------------------ directories */

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void remove_file(const char *dir, const char *name)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
}

static void test_load_dir(void **state)
{
	char dir[] = "/tmp/test-model-XXXXXX", err[MODEL_ERRLEN], want[MODEL_ERRLEN];
	struct model m, before;

	(void)state;
	assert_non_null(mkdtemp(dir));
	init_perturbed(&m);
	copy_model(&before, &m);

	/* Neither file: the first one read is named. */
	assert_int_equal(model_load_dir(&m, dir, err), -1);
	snprintf(want, sizeof(want), "%s/scoring.yaml: %s", dir, strerror(ENOENT));
	assert_string_equal(err, want);

	/* A good scoring.yaml is not kept when classes.yaml is bad. */
	write_file(dir, "scoring.yaml", "scoring: {bin: 30}\n");
	write_file(dir, "classes.yaml", "classes:\n  camera: {novelty: {ja3: 2}}\n");
	assert_int_equal(model_load_dir(&m, dir, err), -1);
	snprintf(want, sizeof(want), "%s/classes.yaml:2:27: classes.camera.novelty.ja3: 2 is out of range [0, 1]", dir);
	assert_string_equal(err, want);
	assert_model_equal(&m, &before);

	/* Both good: both taken. */
	write_file(dir, "classes.yaml", "classes:\n  camera: {novelty: {ja3: 0.5}}\n");
	assert_int_equal(model_load_dir(&m, dir, err), 0);
	assert_int_equal(m.bin_s, 30);
	assert_int_equal(m.learn_s, 7); /* the rest of the settings as they were */
	assert_int_equal(m.nclasses, 2);
	assert_true(model_class_for(&m, "camera")->novelty_weight[BLC_JA3] == 0.5);

	/* A directory in place of a file. */
	remove_file(dir, "classes.yaml");
	{
		char sub[4096];

		snprintf(sub, sizeof(sub), "%s/classes.yaml", dir);
		assert_int_equal(mkdir(sub, 0700), 0);
		assert_int_equal(model_load_dir(&m, dir, err), -1);
		assert_non_null(strstr(err, "/classes.yaml: "));
		rmdir(sub);
	}
	remove_file(dir, "scoring.yaml");
	rmdir(dir);
	model_free(&m);
	model_free(&before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_class_for),
		cmocka_unit_test(test_shipped_equal_defaults),
		cmocka_unit_test(test_shipped_classes),
		cmocka_unit_test(test_shipped_priors_judge),
		cmocka_unit_test(test_scoring_values),
		cmocka_unit_test(test_classes_inherit),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_nul),
		cmocka_unit_test(test_too_many_classes),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_load_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
