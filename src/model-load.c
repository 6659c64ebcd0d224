/*
 * model-load.c - reads models/scoring.yaml and models/classes.yaml (see
 * model.h; every key is documented in models/README.md).
 *
 * As in every edgewatch loader, the text is read in two passes over
 * libyaml's events (util-yaml.h): the first only checks that it is YAML
 * we are willing to interpret (no anchors, aliases or tags, bounded
 * nesting), the second walks the one shape each file has.  Both stop at
 * the first problem, so an error is one line with the place of the node
 * at fault.  Values go into a copy that replaces the model only when the
 * whole text is good.
 *
 * scoring.yaml is table-driven like conf.c: one row per setting with its
 * dotted key, type, bounds and field; relations between settings (the
 * severity bands) are checked once the whole file is read.
 *
 * classes.yaml replaces the model's classes.  "default" starts from the
 * built-in default class (model.c), every other class from the file's
 * "default", whatever the order of the classes in the file: each class
 * remembers which values the file gave it, and the rest are filled in at
 * the end.
 *
 * Numbers are plain decimals: integers as yread_decimal() reads them, and
 * reals as [-]D[.D][e[+-]D] where D is a run of digits and the integer
 * part has no leading zero.  YAML's .inf and .nan, hexadecimal, "1_000"
 * and "+5" are refused, so a value means what it looks like and can never
 * be infinite or NaN.
 */
#define _POSIX_C_SOURCE 200809L

#include <locale.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "util-yaml.h"

/* scoring.yaml nests three mappings (root included), classes.yaml five; room to spare. */
#define MODEL_MAX_DEPTH 8

/* Longest real we read: enough for any double written out in full, and a bound on the copy. */
#define MODEL_NUMBER_MAX 64

/* Room for a dotted key, NUL included ("classes.building-controller.features..."). */
#define MODEL_KEY_MAX 96

/*
 * Bounds, each with its reason.  Scores are in units of standard
 * deviations; past 1000 nothing would ever reach a threshold.  Counts per
 * bin stop at 10^12: a trillion bytes a minute is 133 Gbit/s, beyond any
 * link an edge sensor watches.
 */
#define MODEL_BIN_MAX_S 3600u           /* an hour: coarser bins hide the bursts we look for */
#define MODEL_LEARN_MAX_S 2592000u      /* 30 days: a device unjudged for longer is unwatched */
#define MODEL_BINS_MAX 1000000u         /* ~2 years of minute bins */
#define MODEL_WARMUP_MIN_BINS 2u        /* a level and a trend need two points */
#define MODEL_QUIET_MAX_S 86400u        /* a day: longer merges unrelated incidents */
#define MODEL_SCORE_MAX 1000.0
#define MODEL_COUNT_MAX 1e12

static const char *sv(const yaml_event_t *ev)
{
	return (const char *)ev->data.scalar.value;
}

static size_t sn(const yaml_event_t *ev)
{
	return ev->data.scalar.length;
}

/* Does the scalar ev spell exactly s? (length-aware: a key may hold a NUL) */
static bool is_word(const yaml_event_t *ev, const char *s)
{
	return ev->type == YAML_SCALAR_EVENT && strlen(s) == sn(ev) && memcmp(s, sv(ev), sn(ev)) == 0;
}

/* ------------------------------------------------------------ numbers */

/* A run of digits from v[*i]; false if empty. */
static bool digits(const char *v, size_t n, size_t *i)
{
	size_t start = *i;

	while (*i < n && v[*i] >= '0' && v[*i] <= '9')
		(*i)++;
	return *i > start;
}

/* [-]D[.D][e[+-]D], the integer part without a leading zero. */
static bool real_syntax(const char *v, size_t n)
{
	size_t i = v[0] == '-', start = i;
	uint64_t ignored;

	if (!digits(v, n, &i) || !yread_decimal(v + start, i - start, &ignored))
		return false;
	if (i < n && v[i] == '.') {
		i++;
		if (!digits(v, n, &i))
			return false;
	}
	if (i < n && (v[i] == 'e' || v[i] == 'E')) {
		i++;
		if (i < n && (v[i] == '+' || v[i] == '-'))
			i++;
		if (!digits(v, n, &i))
			return false;
	}
	return i == n;
}

/*
 * Converts text already checked by real_syntax().  strtod() reads the
 * locale's decimal point; edgewatch never sets a locale, but a library
 * must not assume that, so a '.' is swapped for the locale's own.
 */
static double real_value(const char *v, size_t n)
{
	char buf[MODEL_NUMBER_MAX + 1];
	const char *point = localeconv()->decimal_point;

	memcpy(buf, v, n);
	buf[n] = '\0';
	if (point != NULL && point[0] != '\0' && point[1] == '\0') {
		char *dot = strchr(buf, '.');

		if (dot != NULL)
			*dot = point[0];
	}
	/* 1e999 gives HUGE_VAL, which the range check refuses; -0 becomes 0. */
	return strtod(buf, NULL) + 0.0;
}

/* Bounds of a real: [lo, hi], or (lo, hi] when lo_open. */
struct real_range {
	double lo, hi;
	bool lo_open;
};

static const struct real_range range_unit_open = { 0, 1, true };   /* (0, 1] */
static const struct real_range range_unit = { 0, 1, false };       /* [0, 1] */
static const struct real_range range_score = { 0, MODEL_SCORE_MAX, true };
static const struct real_range range_count = { 0, MODEL_COUNT_MAX, false };
static const struct real_range range_spread = { 0, MODEL_COUNT_MAX, true };

/* Reads the scalar ev as a real within r into *out; key names it in messages. */
static int read_real(struct yread *y, const char *key, const yaml_event_t *ev,
		     const struct real_range *r, double *out)
{
	char q[YREAD_QUOTE_MAX + 4];
	double x;

	if (yread_is_null(ev))
		return yread_error_at(y, ev->start_mark, "%s: a value is required", key);
	if (sn(ev) > MODEL_NUMBER_MAX)
		return yread_error_at(y, ev->start_mark, "%s: number is longer than %d characters",
				      key, MODEL_NUMBER_MAX);
	if (!real_syntax(sv(ev), sn(ev)))
		return yread_error_at(y, ev->start_mark,
				      "%s: '%s' is not a decimal number (such as 0.25 or 1.5e6)",
				      key, yread_quote(q, sv(ev), sn(ev)));
	x = real_value(sv(ev), sn(ev));
	if (!(x <= r->hi && (r->lo_open ? x > r->lo : x >= r->lo)))
		return yread_error_at(y, ev->start_mark, "%s: %s is out of range %c%g, %g]", key,
				      yread_quote(q, sv(ev), sn(ev)), r->lo_open ? '(' : '[',
				      r->lo, r->hi);
	*out = x;
	return 0;
}

static int read_u32(struct yread *y, const char *key, const yaml_event_t *ev, uint32_t lo,
		    uint32_t hi, uint32_t *out)
{
	/* "-5" is a number, just out of range; say so rather than "not a number". */
	size_t minus = sn(ev) > 1 && sv(ev)[0] == '-' && sv(ev)[1] >= '1' && sv(ev)[1] <= '9';
	char q[YREAD_QUOTE_MAX + 4];
	uint64_t x;

	if (yread_is_null(ev))
		return yread_error_at(y, ev->start_mark, "%s: a value is required", key);
	if (!yread_decimal(sv(ev) + minus, sn(ev) - minus, &x))
		return yread_error_at(y, ev->start_mark, "%s: '%s' is not a plain decimal integer",
				      key, yread_quote(q, sv(ev), sn(ev)));
	if (minus || x < lo || x > hi)
		return yread_error_at(y, ev->start_mark, "%s: %s is out of range %u..%u", key,
				      yread_quote(q, sv(ev), sn(ev)), lo, hi);
	*out = (uint32_t)x;
	return 0;
}

/* ------------------------------------------------------ the document */

/*
 * A stream of no document (empty, or comments only: nothing changes) or
 * of one whose root is a mapping with the single key top, whose value
 * walk() reads (its first event already taken into *ev).
 */
typedef int (*top_walk)(void *ld, const yaml_event_t *ev);

struct doc_ctx {
	struct yread *y;
	const char *top;
	top_walk walk;
	void *ld;
};

static int doc_top(struct doc_ctx *d)
{
	char q[YREAD_QUOTE_MAX + 4];
	bool seen = false;

	for (;;) {
		yaml_event_t ev;
		int rc = 0;

		if (yread_next(d->y, &ev) < 0)
			return -1;
		if (ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			return 0;
		}
		if (ev.type != YAML_SCALAR_EVENT)
			rc = yread_error_at(d->y, ev.start_mark, "a key must be a scalar, not %s",
					    yread_node_kind(&ev));
		else if (!is_word(&ev, d->top))
			rc = yread_error_at(d->y, ev.start_mark, "unknown key '%s' (valid: %s)",
					    yread_quote(q, sv(&ev), sn(&ev)), d->top);
		else if (seen)
			rc = yread_error_at(d->y, ev.start_mark, "duplicate key '%s'", d->top);
		yaml_event_delete(&ev);
		if (rc < 0 || yread_next(d->y, &ev) < 0)
			return -1;
		seen = true;
		rc = d->walk(d->ld, &ev);
		yaml_event_delete(&ev);
		if (rc < 0)
			return -1;
	}
}

static int doc_root(struct doc_ctx *d)
{
	yaml_event_t ev;
	int rc = 0;

	if (yread_next(d->y, &ev) < 0)
		return -1;
	if (ev.type == YAML_MAPPING_START_EVENT)
		rc = doc_top(d);
	else if (!yread_is_null(&ev))
		rc = yread_error_at(d->y, ev.start_mark, "the top level must be a mapping with '%s'",
				    d->top);
	yaml_event_delete(&ev);
	return rc;
}

static int doc_stream(void *ctx)
{
	struct doc_ctx *d = ctx;
	yaml_event_t ev;

	if (yread_next(d->y, &ev) < 0) /* stream start */
		return -1;
	yaml_event_delete(&ev);
	for (int docs = 0;; docs++) {
		if (yread_next(d->y, &ev) < 0)
			return -1;
		if (ev.type == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			return 0;
		}
		if (docs > 0) {
			yread_error_at(d->y, ev.start_mark, "only one YAML document is allowed");
			yaml_event_delete(&ev);
			return -1;
		}
		yaml_event_delete(&ev); /* document start */
		if (doc_root(d) < 0 || yread_next(d->y, &ev) < 0)
			return -1;
		yaml_event_delete(&ev); /* document end */
	}
}

/* Both passes over text; walk reads the value of the top key. */
static int load_document(struct yread *y, const char *top, top_walk walk, void *ld)
{
	struct doc_ctx d = { y, top, walk, ld };

	if (y->len > MODEL_FILE_MAX_BYTES)
		return yread_error(y, "file is larger than %u bytes", MODEL_FILE_MAX_BYTES);
	if (yread_check(y, MODEL_MAX_DEPTH) < 0)
		return -1;
	return yread_run(y, doc_stream, &d);
}

/* ---------------------------------------------------- scoring.yaml */

enum setting_type { SET_U32, SET_REAL };

struct setting {
	const char *key; /* dotted, from the top */
	enum setting_type type;
	size_t offset;   /* of the field in struct model */
	uint32_t lo, hi; /* SET_U32 */
	const struct real_range *range; /* SET_REAL */
};

#define U32(k, f, l, h) { (k), SET_U32, offsetof(struct model, f), (l), (h), NULL }
#define REAL(k, f, r) { (k), SET_REAL, offsetof(struct model, f), 0, 0, &(r) }

/* Every setting; models/README.md documents each, scoring.yaml argues for its default. */
static const struct setting settings[] = {
	U32("scoring.bin", bin_s, 1, MODEL_BIN_MAX_S),
	U32("scoring.learn", learn_s, 0, MODEL_LEARN_MAX_S),
	U32("scoring.adapt_half_life", adapt_half_life_bins, 1, MODEL_BINS_MAX),
	U32("scoring.forecast.warmup", forecast_warmup_bins, MODEL_WARMUP_MIN_BINS,
	    MODEL_BINS_MAX),
	REAL("scoring.forecast.alpha", forecast_alpha, range_unit_open),
	REAL("scoring.forecast.beta", forecast_beta, range_unit_open),
	REAL("scoring.thresholds.anomaly", anomaly_score, range_score),
	REAL("scoring.thresholds.prior_anomaly", prior_anomaly_score, range_score),
	REAL("scoring.severity.medium", severity_medium, range_score),
	REAL("scoring.severity.high", severity_high, range_score),
	REAL("scoring.severity.critical", severity_critical, range_score),
	U32("scoring.incident.quiet", incident_quiet_s, 1, MODEL_QUIET_MAX_S),
	U32("scoring.novelty.settle", novelty_settle_bins, 1, MODEL_BINS_MAX),
	REAL("scoring.novelty.score", novelty_score, range_score),
};

#undef U32
#undef REAL

#define NSETTINGS (sizeof(settings) / sizeof(settings[0]))

/* Settings and sections: every key the file may hold, each at most once. */
#define SCORING_KEYS_MAX (2 * NSETTINGS)

struct scoring_loader {
	struct yread y;
	struct model *work;
	char path[MODEL_KEY_MAX];          /* dotted key of the node being read */
	bool set[NSETTINGS];               /* given in this file */
	yaml_mark_t mark[NSETTINGS];       /* where */
	char seen[SCORING_KEYS_MAX][MODEL_KEY_MAX];
	size_t nseen;
};

static double *setting_real(struct model *m, const struct setting *s)
{
	return (double *)(void *)((char *)m + s->offset);
}

static uint32_t *setting_u32(struct model *m, const struct setting *s)
{
	return (uint32_t *)(void *)((char *)m + s->offset);
}

static int setting_index(const char *key)
{
	for (size_t i = 0; i < NSETTINGS; i++)
		if (strcmp(settings[i].key, key) == 0)
			return (int)i;
	return -1;
}

/* Is key a mapping that holds settings ("scoring", "scoring.forecast")? */
static bool is_section(const char *key)
{
	size_t n = strlen(key);

	for (size_t i = 0; i < NSETTINGS; i++)
		if (strncmp(settings[i].key, key, n) == 0 && settings[i].key[n] == '.')
			return true;
	return false;
}

/* "bin, learn, forecast, ...": the keys a mapping at section may hold, for messages. */
static const char *valid_keys(const char *section, char *buf, size_t size)
{
	size_t n = strlen(section), used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < NSETTINGS; i++) {
		const char *k = settings[i].key, *child, *end;
		size_t len;
		bool dup = false;

		if (strncmp(k, section, n) != 0 || k[n] != '.')
			continue;
		child = k + n + 1;
		end = strchr(child, '.');
		len = end != NULL ? (size_t)(end - child) : strlen(child);
		/* A section shows up once per setting in it; name it once. */
		for (size_t j = 0; j < i && !dup; j++)
			dup = strncmp(settings[j].key, section, n) == 0 &&
			      settings[j].key[n] == '.' &&
			      strncmp(settings[j].key + n + 1, child, len) == 0 &&
			      (settings[j].key[n + 1 + len] == '.' ||
			       settings[j].key[n + 1 + len] == '\0');
		if (dup || used + len + 3 > size)
			continue;
		if (used > 0) {
			memcpy(buf + used, ", ", 2);
			used += 2;
		}
		memcpy(buf + used, child, len);
		used += len;
		buf[used] = '\0';
	}
	return buf;
}

static int scoring_value(struct scoring_loader *ld, size_t plen);

/* Appends the key event to ld->path (plen bytes long); *len is the new length. */
static int scoring_key(struct scoring_loader *ld, const yaml_event_t *ev, size_t plen, size_t *len)
{
	char q[YREAD_QUOTE_MAX + 4], valid[160];
	size_t n;

	if (ev->type != YAML_SCALAR_EVENT)
		return yread_error_at(&ld->y, ev->start_mark, "a key must be a scalar, not %s",
				      yread_node_kind(ev));
	n = sn(ev);
	if (memchr(sv(ev), '.', n) == NULL && memchr(sv(ev), '\0', n) == NULL &&
	    plen + 1 + n < sizeof(ld->path)) {
		ld->path[plen] = '.';
		memcpy(ld->path + plen + 1, sv(ev), n);
		ld->path[plen + 1 + n] = '\0';
		*len = plen + 1 + n;
		if (setting_index(ld->path) >= 0 || is_section(ld->path))
			goto known;
	}
	ld->path[plen] = '\0';
	return yread_error_at(&ld->y, ev->start_mark, "unknown key '%s' in %s (valid: %s)",
			      yread_quote(q, sv(ev), n), ld->path,
			      valid_keys(ld->path, valid, sizeof(valid)));
known:
	for (size_t i = 0; i < ld->nseen; i++)
		if (strcmp(ld->seen[i], ld->path) == 0)
			return yread_error_at(&ld->y, ev->start_mark, "duplicate key '%s'", ld->path);
	/* Every accepted key is a setting or a section, so the array cannot fill. */
	if (ld->nseen < SCORING_KEYS_MAX)
		strcpy(ld->seen[ld->nseen++], ld->path);
	return 0;
}

/* The mapping at ld->path (plen bytes long), after its start event. */
static int scoring_mapping(struct scoring_loader *ld, size_t plen)
{
	for (;;) {
		yaml_event_t key;
		size_t len = 0;
		int rc;

		if (yread_next(&ld->y, &key) < 0)
			return -1;
		if (key.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&key);
			return 0;
		}
		rc = scoring_key(ld, &key, plen, &len);
		yaml_event_delete(&key);
		if (rc < 0 || scoring_value(ld, len) < 0)
			return -1;
	}
}

/* Sets setting i from the scalar ev. */
static int scoring_set(struct scoring_loader *ld, size_t i, const yaml_event_t *ev)
{
	const struct setting *s = &settings[i];
	int rc;

	if (s->type == SET_U32)
		rc = read_u32(&ld->y, s->key, ev, s->lo, s->hi, setting_u32(ld->work, s));
	else
		rc = read_real(&ld->y, s->key, ev, s->range, setting_real(ld->work, s));
	if (rc == 0) {
		ld->set[i] = true;
		ld->mark[i] = ev->start_mark;
	}
	return rc;
}

/* A value: of a setting (a scalar) or of a section (a mapping, or nothing). */
static int scoring_node(struct scoring_loader *ld, const yaml_event_t *ev, size_t plen)
{
	int i = setting_index(ld->path);

	if (i >= 0 && ev->type == YAML_SCALAR_EVENT)
		return scoring_set(ld, (size_t)i, ev);
	if (i >= 0)
		return yread_error_at(&ld->y, ev->start_mark, "%s: expected a number, found %s",
				      ld->path, yread_node_kind(ev));
	if (ev->type == YAML_MAPPING_START_EVENT)
		return scoring_mapping(ld, plen);
	if (yread_is_null(ev))
		return 0; /* "forecast:" with every line under it commented out */
	return yread_error_at(&ld->y, ev->start_mark, "%s: expected a mapping, found %s", ld->path,
			      yread_node_kind(ev));
}

static int scoring_value(struct scoring_loader *ld, size_t plen)
{
	yaml_event_t ev;
	int rc;

	if (yread_next(&ld->y, &ev) < 0)
		return -1;
	rc = scoring_node(ld, &ev, plen);
	yaml_event_delete(&ev);
	return rc;
}

static int scoring_top(void *ctx, const yaml_event_t *ev)
{
	struct scoring_loader *ld = ctx;

	strcpy(ld->path, "scoring");
	return scoring_node(ld, ev, strlen(ld->path));
}

/* Was the setting at a given in the file after the one at b? */
static bool mark_after(yaml_mark_t a, yaml_mark_t b)
{
	return a.line > b.line || (a.line == b.line && a.column > b.column);
}

/*
 * settings[lo] < settings[hi] (<= unless strict).  Two values are only
 * wrong together, so the message goes where the file made them wrong: at
 * whichever of the two it gave last (the model was consistent before).
 */
static int scoring_order(struct scoring_loader *ld, size_t lo, size_t hi, bool strict)
{
	const char *klo = settings[lo].key, *khi = settings[hi].key;
	double a = *setting_real(ld->work, &settings[lo]);
	double b = *setting_real(ld->work, &settings[hi]);

	if (strict ? a < b : a <= b)
		return 0;
	if (ld->set[hi] && (!ld->set[lo] || mark_after(ld->mark[hi], ld->mark[lo])))
		return yread_error_at(&ld->y, ld->mark[hi], "%s (%g) must be %s %s (%g)", khi, b,
				      strict ? "above" : "at least", klo, a);
	return yread_error_at(&ld->y, ld->mark[lo], "%s (%g) must be %s %s (%g)", klo, a,
			      strict ? "below" : "at most", khi, b);
}

/* The bands must rise, and a window anomalous enough to report is at least medium. */
static int scoring_relations(struct scoring_loader *ld)
{
	int anomaly = setting_index("scoring.thresholds.anomaly");
	int medium = setting_index("scoring.severity.medium");
	int high = setting_index("scoring.severity.high");
	int critical = setting_index("scoring.severity.critical");

	if (scoring_order(ld, (size_t)anomaly, (size_t)medium, false) < 0 ||
	    scoring_order(ld, (size_t)medium, (size_t)high, true) < 0 ||
	    scoring_order(ld, (size_t)high, (size_t)critical, true) < 0)
		return -1;
	return 0;
}

int model_load_scoring_buffer(struct model *m, const char *name, const char *text, size_t len,
			      char err[MODEL_ERRLEN])
{
	struct scoring_loader *ld = calloc(1, sizeof(*ld));
	struct model work = *m; /* the class array is shared, and left alone */
	int rc;

	if (ld == NULL) {
		struct yread y;

		yread_init(&y, name != NULL ? name : "(scoring)", NULL, 0, err, MODEL_ERRLEN);
		return yread_error(&y, "out of memory");
	}
	yread_init(&ld->y, name != NULL ? name : "(scoring)", text, len, err, MODEL_ERRLEN);
	ld->work = &work;
	rc = load_document(&ld->y, "scoring", scoring_top, ld);
	if (rc == 0)
		rc = scoring_relations(ld);
	free(ld);
	if (rc == 0)
		*m = work;
	return rc;
}

/* ---------------------------------------------------- classes.yaml */

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

static const struct real_range *prior_range(enum prior_key k)
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
		   const struct real_range *r, double *out)
{
	yaml_event_t ev;
	int rc;

	if (yread_next(&ld->y, &ev) < 0)
		return -1;
	if (ev.type != YAML_SCALAR_EVENT)
		rc = yread_error_at(&ld->y, ev.start_mark, "%s: expected a number, found %s",
				    ld->path, yread_node_kind(&ev));
	else
		rc = read_real(&ld->y, ld->path, &ev, r, out);
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
		if (!is_word(ev, lv->key(i)))
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

/*
 * The value at ld->path: a mapping of lv's keys, or nothing at all
 * ("camera:" alone: everything inherited).
 */
static int cl_mapping(struct classes_loader *ld, struct class_draft *dr,
		      const struct cl_level *lv, int parent)
{
	size_t plen = strlen(ld->path);
	uint32_t seen = 0;
	yaml_event_t ev;
	int rc = 0;

	if (yread_next(&ld->y, &ev) < 0)
		return -1;
	if (ev.type != YAML_MAPPING_START_EVENT && !yread_is_null(&ev))
		rc = yread_error_at(&ld->y, ev.start_mark, "%s: expected a mapping, found %s",
				    ld->path, yread_node_kind(&ev));
	if (ev.type != YAML_MAPPING_START_EVENT) {
		yaml_event_delete(&ev);
		return rc;
	}
	yaml_event_delete(&ev);
	for (;;) {
		int k = -1;

		if (yread_next(&ld->y, &ev) < 0)
			return -1;
		if (ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			return 0;
		}
		rc = cl_key(ld, lv, &ev, &seen, &k);
		yaml_event_delete(&ev);
		if (rc < 0)
			return -1;
		snprintf(ld->path + plen, sizeof(ld->path) - plen, ".%s", lv->key(k));
		rc = lv->read(ld, dr, parent, k);
		ld->path[plen] = '\0';
		if (rc < 0)
			return -1;
	}
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
	if (is_word(ev, "default")) {
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
		if (is_word(ev, ld->draft[i].c.name))
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

/* The value of the top key: class name -> class mapping, or nothing. */
static int cl_top(void *ctx, const yaml_event_t *ev)
{
	struct classes_loader *ld = ctx;

	if (yread_is_null(ev))
		return 0;
	if (ev->type != YAML_MAPPING_START_EVENT)
		return yread_error_at(&ld->y, ev->start_mark, "classes: expected a mapping, found %s",
				      yread_node_kind(ev));
	for (;;) {
		struct class_draft *dr = NULL;
		yaml_event_t key;
		int rc;

		if (yread_next(&ld->y, &key) < 0)
			return -1;
		if (key.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&key);
			return 0;
		}
		rc = cl_draft_for(ld, &key, &dr);
		yaml_event_delete(&key);
		if (rc < 0)
			return -1;
		snprintf(ld->path, sizeof(ld->path), "classes.%s", dr->c.name);
		if (cl_mapping(ld, dr, &level_class, -1) < 0)
			return -1;
	}
}

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
	if (load_document(&ld->y, "classes", cl_top, ld) < 0)
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
