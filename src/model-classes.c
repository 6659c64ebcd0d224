/*
 * model-classes.c - reads models/classes.yaml: the per-class priors (see
 * model.h; every key is documented in models/README.md).
 *
 * The file replaces the model's classes.  "default" starts from the
 * built-in default class (model.c), every other class from the file's
 * "default", whatever the order of the classes in the file: each class
 * remembers which values the file gave it, and the rest are filled in at
 * the end.
 *
 * The document around the classes, the safety pass and the numbers are
 * model-load.c's (model-private.h).  The first problem stops the load with
 * one message at the node at fault, and the model changes only when the
 * whole text is good.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model-private.h"
#include "util-yaml.h"

/*
 * Counts per bin stop at 10^12: a trillion bytes a minute is 133 Gbit/s,
 * beyond any link an edge sensor watches.
 */
#define MODEL_COUNT_MAX 1e12

static const struct model_real_range range_unit = { 0, 1, false }; /* [0, 1] */
static const struct model_real_range range_count = { 0, MODEL_COUNT_MAX, false };
static const struct model_real_range range_spread = { 0, MODEL_COUNT_MAX, true };

static const char *sv(const yaml_event_t *ev)
{
	return (const char *)ev->data.scalar.value;
}

static size_t sn(const yaml_event_t *ev)
{
	return ev->data.scalar.length;
}

/* Keys of a feature's prior; bits of class_draft.set at 4 * feature + key. */
enum prior_key { PK_MEAN = 0, PK_SPREAD, PK_MIN_SPREAD, PK_WEIGHT, PK_COUNT };

#define NOVELTY_BIT(c) (4 * BLF_COUNT + (c))
_Static_assert(4 * BLF_COUNT + BLC_COUNT <= 64, "class_draft.set must hold every value");

/* A class being read. */
struct class_draft {
	struct model_class c;
	uint64_t set;  /* values given in the file: bits as above */
	uint32_t line; /* of its name, for "first on line" */
};

struct classes_loader {
	struct yread y;
	struct class_draft draft[MODEL_MAX_CLASSES]; /* [0] is "default" */
	size_t n;
	bool default_seen;
	char path[MODEL_KEY_MAX]; /* dotted key of the node being read */
};

static double *prior_field(struct model_feature_prior *p, enum prior_key k)
{
	switch (k) {
	case PK_MEAN:
		return &p->mean;
	case PK_SPREAD:
		return &p->spread;
	case PK_MIN_SPREAD:
		return &p->min_spread;
	default:
		return &p->weight;
	}
}

static const struct model_real_range *prior_range(enum prior_key k)
{
	switch (k) {
	case PK_MEAN:
		return &range_count;
	case PK_SPREAD:
	case PK_MIN_SPREAD:
		/* A score divides by them: 0 would make any change infinitely anomalous. */
		return &range_spread;
	default:
		return &range_unit;
	}
}

/*
 * The mappings inside a class: the class itself, its features, one
 * feature's prior, its novelty weights.  Each has a fixed list of keys,
 * each key at most once; read() reads the value of key k (parent: the
 * key of the mapping above, the feature for a prior).
 */
struct cl_level {
	int nkeys;
	const char *(*key)(int k);
	const char *what; /* "key", "feature", "category": for messages */
	const char *hint; /* where the valid keys are said */
	int (*read)(struct classes_loader *ld, struct class_draft *dr, int parent, int k);
};

static int cl_mapping(struct classes_loader *ld, struct class_draft *dr,
		      const struct cl_level *lv, int parent);

static const char *class_key(int k)
{
	return k == 0 ? "features" : "novelty";
}

static const char *feature_key(int k)
{
	return model_feature_name((enum bl_feature)k);
}

static const char *category_key(int k)
{
	return model_category_name((enum bl_category)k);
}

static const char *prior_key(int k)
{
	static const char *const keys[PK_COUNT] = { "mean", "spread", "min_spread", "weight" };

	return keys[k];
}

/* A real scalar into *out; marks bit in dr->set. */
static int cl_real(struct classes_loader *ld, struct class_draft *dr, unsigned bit,
		   const struct model_real_range *r, double *out)
{
	yaml_event_t ev;
	int rc;

	if (yread_next(&ld->y, &ev) < 0)
		return -1;
	if (ev.type != YAML_SCALAR_EVENT)
		rc = yread_error_at(&ld->y, ev.start_mark, "%s: expected a number, found %s",
				    ld->path, yread_node_kind(&ev));
	else
		rc = model_read_real(&ld->y, ld->path, &ev, r, out);
	yaml_event_delete(&ev);
	if (rc == 0)
		dr->set |= (uint64_t)1 << bit;
	return rc;
}

static int read_prior_value(struct classes_loader *ld, struct class_draft *dr, int f, int k)
{
	return cl_real(ld, dr, (unsigned)(4 * f + k), prior_range((enum prior_key)k),
		       prior_field(&dr->c.feature[f], (enum prior_key)k));
}

static int read_novelty_value(struct classes_loader *ld, struct class_draft *dr, int parent, int c)
{
	(void)parent;
	return cl_real(ld, dr, (unsigned)NOVELTY_BIT(c), &range_unit, &dr->c.novelty_weight[c]);
}

static const struct cl_level level_prior = {
	PK_COUNT, prior_key, "key", "(valid: mean, spread, min_spread, weight)", read_prior_value,
};

static int read_prior(struct classes_loader *ld, struct class_draft *dr, int parent, int f)
{
	(void)parent;
	return cl_mapping(ld, dr, &level_prior, f);
}

static const struct cl_level level_features = {
	BLF_COUNT, feature_key, "feature", "(the features are listed in models/README.md)",
	read_prior,
};

static const struct cl_level level_novelty = {
	BLC_COUNT, category_key, "category",
	"(valid: endpoint, app_proto, server_port, ja3, service)", read_novelty_value,
};

static int read_section(struct classes_loader *ld, struct class_draft *dr, int parent, int k)
{
	(void)parent;
	return cl_mapping(ld, dr, k == 0 ? &level_features : &level_novelty, -1);
}

static const struct cl_level level_class = {
	2, class_key, "key", "(valid: features, novelty)", read_section,
};

/* Reads one key of lv's mapping into *k: known and not seen before (bits of *seen). */
static int cl_key(struct classes_loader *ld, const struct cl_level *lv, const yaml_event_t *ev,
		  uint32_t *seen, int *k)
{
	char q[YREAD_QUOTE_MAX + 4];

	if (ev->type != YAML_SCALAR_EVENT)
		return yread_error_at(&ld->y, ev->start_mark, "a key must be a scalar, not %s",
				      yread_node_kind(ev));
	for (int i = 0; i < lv->nkeys; i++) {
		if (!yread_is_word(ev, lv->key(i)))
			continue;
		if (*seen & (1u << i))
			return yread_error_at(&ld->y, ev->start_mark, "duplicate key '%s.%s'",
					      ld->path, lv->key(i));
		*seen |= 1u << i;
		*k = i;
		return 0;
	}
	return yread_error_at(&ld->y, ev->start_mark, "unknown %s '%s' in %s %s", lv->what,
			      yread_quote(q, sv(ev), sn(ev)), ld->path, lv->hint);
}

/* A mapping of lv's keys being read, at ld->path (plen bytes long). */
struct cl_map {
	struct classes_loader *ld;
	struct class_draft *dr;
	const struct cl_level *lv;
	int parent;
	size_t plen;
	uint32_t seen; /* 1 << key index */
};

static int cl_pair(void *ctx, const yaml_event_t *key)
{
	struct cl_map *m = ctx;
	struct classes_loader *ld = m->ld;
	int k = -1, rc;

	if (cl_key(ld, m->lv, key, &m->seen, &k) < 0)
		return -1;
	snprintf(ld->path + m->plen, sizeof(ld->path) - m->plen, ".%s", m->lv->key(k));
	rc = m->lv->read(ld, m->dr, m->parent, k);
	ld->path[m->plen] = '\0';
	return rc;
}

/*
 * The value at ld->path: a mapping of lv's keys, or nothing at all
 * ("camera:" alone: everything inherited).
 */
static int cl_mapping(struct classes_loader *ld, struct class_draft *dr,
		      const struct cl_level *lv, int parent)
{
	struct cl_map m = { ld, dr, lv, parent, strlen(ld->path), 0 };
	yaml_event_t ev;
	int rc = 0;

	if (yread_next(&ld->y, &ev) < 0)
		return -1;
	if (ev.type == YAML_MAPPING_START_EVENT)
		rc = yread_mapping(&ld->y, cl_pair, &m);
	else if (!yread_is_null(&ev))
		rc = yread_error_at(&ld->y, ev.start_mark, "%s: expected a mapping, found %s",
				    ld->path, yread_node_kind(&ev));
	yaml_event_delete(&ev);
	return rc;
}

/* 1 to MODEL_CLASS_NAME_MAX - 1 of [a-z0-9-] from a letter on, as the rules spell classes. */
static bool class_name_ok(const char *s, size_t n)
{
	if (n == 0 || n >= MODEL_CLASS_NAME_MAX || s[0] < 'a' || s[0] > 'z')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

/* Finds or makes the draft for the class named by the key event ev. */
static int cl_draft_for(struct classes_loader *ld, const yaml_event_t *ev, struct class_draft **out)
{
	char q[YREAD_QUOTE_MAX + 4];
	uint32_t line = (uint32_t)ev->start_mark.line + 1;
	struct class_draft *dr;

	if (ev->type != YAML_SCALAR_EVENT)
		return yread_error_at(&ld->y, ev->start_mark, "a key must be a scalar, not %s",
				      yread_node_kind(ev));
	if (sn(ev) >= MODEL_CLASS_NAME_MAX)
		return yread_error_at(&ld->y, ev->start_mark, "class name '%s' is longer than %d bytes",
				      yread_quote(q, sv(ev), sn(ev)), MODEL_CLASS_NAME_MAX - 1);
	if (!class_name_ok(sv(ev), sn(ev)))
		return yread_error_at(&ld->y, ev->start_mark,
				      "class name '%s' is not a lower-case letter then letters, digits or '-'",
				      yread_quote(q, sv(ev), sn(ev)));
	if (yread_is_word(ev, "default")) {
		if (ld->default_seen)
			return yread_error_at(&ld->y, ev->start_mark,
					      "duplicate class 'default' (first on line %u)",
					      (unsigned)ld->draft[0].line);
		ld->default_seen = true;
		ld->draft[0].line = line;
		*out = &ld->draft[0];
		return 0;
	}
	for (size_t i = 1; i < ld->n; i++)
		if (yread_is_word(ev, ld->draft[i].c.name))
			return yread_error_at(&ld->y, ev->start_mark,
					      "duplicate class '%s' (first on line %u)",
					      ld->draft[i].c.name, (unsigned)ld->draft[i].line);
	if (ld->n == MODEL_MAX_CLASSES)
		return yread_error_at(&ld->y, ev->start_mark,
				      "more than %d classes (\"default\" included)", MODEL_MAX_CLASSES);
	dr = &ld->draft[ld->n++];
	memset(dr, 0, sizeof(*dr));
	memcpy(dr->c.name, sv(ev), sn(ev));
	dr->c.name[sn(ev)] = '\0';
	dr->line = line;
	*out = dr;
	return 0;
}

/* One class: its name, then its mapping. */
static int cl_class_pair(void *ctx, const yaml_event_t *key)
{
	struct classes_loader *ld = ctx;
	struct class_draft *dr = NULL;

	if (cl_draft_for(ld, key, &dr) < 0)
		return -1;
	snprintf(ld->path, sizeof(ld->path), "classes.%s", dr->c.name);
	return cl_mapping(ld, dr, &level_class, -1);
}

/* The value of the top key, after its start event: class name -> class mapping. */
static int cl_top(void *ctx, const yaml_event_t *start)
{
	struct classes_loader *ld = ctx;

	(void)start;
	return yread_mapping(&ld->y, cl_class_pair, ld);
}

/* "classes:" and nothing else; an empty file, or "classes:" alone, leaves one class, "default". */
static const struct yread_root_key classes_root = {
	.key = "classes",
	.value = YAML_MAPPING_START_EVENT,
	.optional = true,
	.no_document = NULL,
	.not_mapping = "the top level must be a mapping with 'classes'",
	.unknown = " (valid: classes)",
	.read = cl_top,
};

/* Fills what each class left out from "default". */
static void cl_inherit(struct classes_loader *ld)
{
	struct class_draft *def = &ld->draft[0];

	for (size_t i = 1; i < ld->n; i++) {
		struct class_draft *dr = &ld->draft[i];

		for (int f = 0; f < BLF_COUNT; f++)
			for (int k = 0; k < PK_COUNT; k++)
				if (!(dr->set & ((uint64_t)1 << (4 * f + k))))
					*prior_field(&dr->c.feature[f], (enum prior_key)k) =
						*prior_field(&def->c.feature[f], (enum prior_key)k);
		for (int c = 0; c < BLC_COUNT; c++)
			if (!(dr->set & ((uint64_t)1 << NOVELTY_BIT(c))))
				dr->c.novelty_weight[c] = def->c.novelty_weight[c];
	}
}

int model_load_classes_buffer(struct model *m, const char *name, const char *text, size_t len,
			      char err[MODEL_ERRLEN])
{
	struct classes_loader *ld = calloc(1, sizeof(*ld));
	struct model builtin;
	struct model_class *classes = NULL;
	int rc = -1;

	if (ld == NULL || model_init_defaults(&builtin) < 0) {
		struct yread y;

		free(ld);
		yread_init(&y, name != NULL ? name : "(classes)", NULL, 0, err, MODEL_ERRLEN);
		return yread_error(&y, "out of memory");
	}
	yread_init(&ld->y, name != NULL ? name : "(classes)", text, len, err, MODEL_ERRLEN);
	ld->draft[0].c = builtin.classes[0];
	ld->n = 1;
	model_free(&builtin);
	if (model_load_document(&ld->y, &classes_root, ld) < 0)
		goto out;
	cl_inherit(ld);
	classes = malloc(ld->n * sizeof(*classes));
	if (classes == NULL) {
		yread_error(&ld->y, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < ld->n; i++)
		classes[i] = ld->draft[i].c;
	free(m->classes);
	m->classes = classes;
	m->nclasses = ld->n;
	rc = 0;
out:
	free(ld);
	return rc;
}
