/*
 * model-load.c - reads models/scoring.yaml (see model.h; every key is
 * documented in models/README.md), and holds what the classes.yaml
 * loader (model-classes.c) shares with it: the document walk and numbers.
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

#include "model-private.h"
#include "util-yaml.h"

/* scoring.yaml nests three mappings (root included), classes.yaml five; room to spare. */
#define MODEL_MAX_DEPTH 8

/* Longest real we read: enough for any double written out in full, and a bound on the copy. */
#define MODEL_NUMBER_MAX 64

/*
 * Bounds, each with its reason.  Scores are in units of standard
 * deviations; past 1000 nothing would ever reach a threshold.  (The
 * bounds of the priors are model-classes.c's.)
 */
#define MODEL_BIN_MAX_S 3600u           /* an hour: coarser bins hide the bursts we look for */
#define MODEL_LEARN_MAX_S 2592000u      /* 30 days: a device unjudged for longer is unwatched */
#define MODEL_BINS_MAX 1000000u         /* ~2 years of minute bins */
#define MODEL_WARMUP_MIN_BINS 2u        /* a level and a trend need two points */
#define MODEL_QUIET_MAX_S 86400u        /* a day: longer merges unrelated incidents */
#define MODEL_SCORE_MAX 1000.0

static const char *sv(const yaml_event_t *ev)
{
	return (const char *)ev->data.scalar.value;
}

static size_t sn(const yaml_event_t *ev)
{
	return ev->data.scalar.length;
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

static const struct model_real_range range_unit_open = { 0, 1, true }; /* (0, 1] */
static const struct model_real_range range_score = { 0, MODEL_SCORE_MAX, true };

int model_read_real(struct yread *y, const char *key, const yaml_event_t *ev,
		    const struct model_real_range *r, double *out)
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

/* ------------------------------------------------------ the document */

struct doc_ctx {
	struct yread *y;
	const struct yread_root_key *rk;
	void *ld;
};

static int doc_pass(void *ctx)
{
	struct doc_ctx *d = ctx;

	return yread_root_key_walk(d->y, d->rk, d->ld);
}

int model_load_document(struct yread *y, const struct yread_root_key *rk, void *ld)
{
	struct doc_ctx d = { y, rk, ld };

	if (y->len > MODEL_FILE_MAX_BYTES)
		return yread_error(y, "file is larger than %u bytes", MODEL_FILE_MAX_BYTES);
	if (yread_check(y, MODEL_MAX_DEPTH) < 0)
		return -1;
	return yread_run(y, doc_pass, &d);
}

/* ---------------------------------------------------- scoring.yaml */

enum setting_type { SET_U32, SET_REAL };

struct setting {
	const char *key; /* dotted, from the top */
	enum setting_type type;
	size_t offset;   /* of the field in struct model */
	uint32_t lo, hi; /* SET_U32 */
	const struct model_real_range *range; /* SET_REAL */
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

/* A mapping being read: the load, and the length of its dotted key in ld->path. */
struct scoring_map {
	struct scoring_loader *ld;
	size_t plen;
};

static int scoring_pair(void *ctx, const yaml_event_t *key)
{
	struct scoring_map *m = ctx;
	size_t len = 0;

	if (scoring_key(m->ld, key, m->plen, &len) < 0)
		return -1;
	return scoring_value(m->ld, len);
}

/* The mapping at ld->path (plen bytes long), after its start event. */
static int scoring_mapping(struct scoring_loader *ld, size_t plen)
{
	struct scoring_map m = { ld, plen };

	return yread_mapping(&ld->y, scoring_pair, &m);
}

static int scoring_u32(struct scoring_loader *ld, const struct setting *s, const yaml_event_t *ev)
{
	uint64_t x;

	if (yread_is_null(ev))
		return yread_error_at(&ld->y, ev->start_mark, "%s: a value is required", s->key);
	if (yread_uint(&ld->y, s->key, ev, s->lo, s->hi, &x) < 0)
		return -1;
	*setting_u32(ld->work, s) = (uint32_t)x;
	return 0;
}

/* Sets setting i from the scalar ev. */
static int scoring_set(struct scoring_loader *ld, size_t i, const yaml_event_t *ev)
{
	const struct setting *s = &settings[i];
	int rc;

	if (s->type == SET_U32)
		rc = scoring_u32(ld, s, ev);
	else
		rc = model_read_real(&ld->y, s->key, ev, s->range, setting_real(ld->work, s));
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

/* The value of the top key, after its start event. */
static int scoring_top(void *ctx, const yaml_event_t *start)
{
	struct scoring_loader *ld = ctx;

	(void)start;
	strcpy(ld->path, "scoring");
	return scoring_mapping(ld, strlen(ld->path));
}

/* "scoring:" and nothing else; an empty file, or "scoring:" alone, changes nothing. */
static const struct yread_root_key scoring_root = {
	.key = "scoring",
	.value = YAML_MAPPING_START_EVENT,
	.optional = true,
	.no_document = NULL,
	.not_mapping = "the top level must be a mapping with 'scoring'",
	.unknown = " (valid: scoring)",
	.read = scoring_top,
};

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
	rc = model_load_document(&ld->y, &scoring_root, ld);
	if (rc == 0)
		rc = scoring_relations(ld);
	free(ld);
	if (rc == 0)
		*m = work;
	return rc;
}

