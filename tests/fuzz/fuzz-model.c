/*
 * fuzz-model.c - libFuzzer target for the model file loaders.
 *
 * Feeds the same arbitrary bytes to model_load_scoring_buffer() and
 * model_load_classes_buffer(), each over a fresh built-in model.  Besides
 * what the sanitizers catch, it checks the loaders' promises: a failure
 * leaves the model as it was and a one-line "fuzz:..." message; a
 * success leaves an empty message and every value within the bounds
 * models/README.md states (written out here again, not taken from the
 * loader), the severity bands rising, "default" first, at most
 * MODEL_MAX_CLASSES distinct, well-formed class names, and
 * model_class_for() finding each.  Seed it with models/scoring.yaml and
 * models/classes.yaml.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Checked even in release builds: a fuzz target must not rely on assert(). */
static void check(int ok)
{
	if (!ok)
		abort();
}

static int in(double x, double lo, double hi)
{
	return isfinite(x) && x >= lo && x <= hi;
}

static void check_failed(const char *err, const struct model *m, const struct model *ref,
			 const struct model_class *classes_before)
{
	check(memchr(err, '\0', MODEL_ERRLEN) != NULL);
	check(strncmp(err, "fuzz:", 5) == 0);
	check(strchr(err, '\n') == NULL);
	check(m->classes == classes_before && m->nclasses == ref->nclasses);
	check(memcmp(m->classes, ref->classes, ref->nclasses * sizeof(*ref->classes)) == 0);
	check(m->bin_s == ref->bin_s && m->learn_s == ref->learn_s);
	check(m->anomaly_score == ref->anomaly_score);
	check(m->severity_critical == ref->severity_critical);
}

static void check_settings(const struct model *m)
{
	check(m->bin_s >= 1 && m->bin_s <= 3600);
	check(m->learn_s <= 2592000);
	check(m->adapt_half_life_bins >= 1 && m->adapt_half_life_bins <= 1000000);
	check(m->forecast_warmup_bins >= 2 && m->forecast_warmup_bins <= 1000000);
	check(in(m->forecast_alpha, 0, 1) && m->forecast_alpha > 0);
	check(in(m->forecast_beta, 0, 1) && m->forecast_beta > 0);
	check(in(m->anomaly_score, 0, 1000) && m->anomaly_score > 0);
	check(in(m->prior_anomaly_score, 0, 1000) && m->prior_anomaly_score > 0);
	check(in(m->severity_critical, 0, 1000));
	check(m->anomaly_score <= m->severity_medium);
	check(m->severity_medium < m->severity_high && m->severity_high < m->severity_critical);
	check(m->incident_quiet_s >= 1 && m->incident_quiet_s <= 86400);
	check(m->novelty_settle_bins >= 1 && m->novelty_settle_bins <= 1000000);
	check(in(m->novelty_score, 0, 1000) && m->novelty_score > 0);
}

static void check_classes(const struct model *m)
{
	check(m->nclasses >= 1 && m->nclasses <= MODEL_MAX_CLASSES);
	check(strcmp(m->classes[0].name, "default") == 0);
	for (size_t i = 0; i < m->nclasses; i++) {
		const struct model_class *c = &m->classes[i];
		size_t n = strnlen(c->name, MODEL_CLASS_NAME_MAX);

		check(n > 0 && n < MODEL_CLASS_NAME_MAX);
		check(strspn(c->name, "abcdefghijklmnopqrstuvwxyz0123456789-") == n);
		check(model_class_for(m, c->name) == c);
		for (int f = 0; f < BLF_COUNT; f++) {
			check(in(c->feature[f].mean, 0, 1e12));
			check(in(c->feature[f].spread, 0, 1e12) && c->feature[f].spread > 0);
			check(in(c->feature[f].min_spread, 0, 1e12) && c->feature[f].min_spread > 0);
			check(in(c->feature[f].weight, 0, 1));
		}
		for (int k = 0; k < BLC_COUNT; k++)
			check(in(c->novelty_weight[k], 0, 1));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (int which = 0; which < 2; which++) {
		struct model m, ref;
		struct model_class *before;
		char err[MODEL_ERRLEN];
		int rc;

		if (model_init_defaults(&m) < 0 || model_init_defaults(&ref) < 0)
			abort();
		before = m.classes;
		memset(err, 'x', sizeof(err));
		rc = which == 0 ? model_load_scoring_buffer(&m, "fuzz", (const char *)data, size, err)
				: model_load_classes_buffer(&m, "fuzz", (const char *)data, size, err);
		if (rc < 0) {
			check(rc == -1);
			check_failed(err, &m, &ref, before);
		} else {
			check(rc == 0 && err[0] == '\0');
			check_settings(&m);
			check_classes(&m);
		}
		model_free(&m);
		model_free(&ref);
	}
	return 0;
}
