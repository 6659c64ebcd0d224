/*
 * baseline.c - a device's behavioural baseline and its scoring (see baseline.h).
 *
 * All work per observation is O(1): a counter or a sketch bit, and the
 * judgement of the one feature that moved.  Closing a bin judges the
 * BLF_COUNT features once.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline-private.h"
#include "util-hash.h"

/*
 * Silent bins are folded as zeros in O(1) into the means; the forecaster
 * has no closed form, so it sees at most this many of them (a day-long
 * silence then reads as "quiet for a while", which is what matters).
 */
#define HOLT_ZERO_BINS_MAX 64u

/* The short-term rate: damped scale 2 (lambda 1/s, a half-life of 0.69 s). */
#define RATE_SCALE 2u
/*
 * Floor on the spread of the learned peak rate, packets per second: a
 * device that peaks at 2 pkt/s must reach 2 + 6 * 5 = 32 pkt/s before its
 * rate alone is anomalous; bursts below that are everyday life (a page
 * load, a firmware check).
 */
#define RATE_MIN_SPREAD_PPS 5.0
/*
 * Share of the short-term rate in the score: half, as the thinnest of the
 * features (one burst of a TCP window can reach it), so it must reach
 * twice the z of a counted feature alone.
 */
#define RATE_WEIGHT 0.5

/* Server ports from here up are clients' ephemeral ports (Linux starts at 32768). */
#define EPHEMERAL_PORT_MIN 32768u

#define SPREAD_EPSILON 1e-6

/*
 * The envelope: the most a feature reached in any bin, decaying by half a
 * week.  Mean and spread describe a device's usual minute; the envelope
 * remembers its busiest ones (the camera's motion clip, the hub pulling a
 * stream, the nightly backup), which a heavy-tailed feature reaches now
 * and then without anything being wrong.  A value is only anomalous once
 * it is past the envelope by threshold times a quarter of the envelope:
 * 2.5 times the busiest minute at the default threshold 6.
 */
#define ENVELOPE_HALF_LIFE_S (7u * 86400u)
#define ENVELOPE_SPREAD_SHARE 0.25

const uint8_t baseline_profile_caps[BLC_COUNT] = {
	[BLC_ENDPOINT] = 16, [BLC_APP_PROTO] = 16, [BLC_SERVER_PORT] = 16,
	[BLC_JA3] = 8,       [BLC_SERVICE] = 16,
};

uint8_t baseline_profile_cap(enum bl_category c)
{
	return (unsigned)c < BLC_COUNT ? baseline_profile_caps[c] : 0;
}

struct baseline *baseline_create(ew_usec_t first_us)
{
	struct baseline *b = calloc(1, sizeof(*b));

	if (b == NULL)
		return NULL;
	b->first_us = first_us;
	for (unsigned f = 0; f < BLF_COUNT; f++) {
		ew_stat_init(&b->stat[f]);
		holt_init(&b->holt[f]);
	}
	ew_stat_init(&b->peak_rate_stat);
	ew_stat_init(&b->peak_pair_rate_stat);
	damped_init(&b->rate);
	damped_init(&b->gap);
	damped_pairs_init(&b->pairs);
	for (unsigned c = 0; c < BLC_COUNT; c++)
		profile_init(&b->prof[c], baseline_profile_caps[c]);
	periodic_set_init(&b->periodic);
	return b;
}

void baseline_destroy(struct baseline *b)
{
	free(b);
}

static uint64_t bin_us(const struct model *m)
{
	return (uint64_t)m->bin_s * EW_USEC_PER_SEC;
}

bool baseline_learning(const struct baseline *b, const struct model *m, ew_usec_t now)
{
	return !b->learned && now < b->first_us + (uint64_t)m->learn_s * EW_USEC_PER_SEC;
}

void baseline_end_learning(struct baseline *b)
{
	b->learned = true;
	/*
	 * Everything seen so far was the clean capture, the open bin too (in
	 * --learn every bin is folded): its destinations are the baseline.
	 */
	for (unsigned i = 0; i < b->ndest && i < BASELINE_DESTS_MAX; i++) {
		struct bl_dest *d = &b->dest[i];

		if (d->in_open_bin && d->bins == 0)
			d->bins = 1;
		d->learned = d->learned || d->bins > 0;
	}
}

uint32_t baseline_bins_learned(const struct baseline *b)
{
	return b->bins_learned;
}

const struct profile *baseline_profile(const struct baseline *b, enum bl_category c)
{
	return (unsigned)c < BLC_COUNT ? &b->prof[c] : NULL;
}

void baseline_feature_stat(const struct baseline *b, enum bl_feature f, double *mean,
			   double *spread, uint32_t *n)
{
	*mean = b->stat[f].mean;
	*spread = ew_stat_spread(&b->stat[f]);
	*n = b->stat[f].n;
}

/* The open bin's value of a feature. */
static double feature_value(const struct baseline *b, enum bl_feature f)
{
	switch (f) {
	case BLF_REMOTE_ADDRS:
		return sketch_estimate(&b->sk_remote);
	case BLF_REMOTE_PORTS:
		return sketch_estimate(&b->sk_ports);
	case BLF_DNS_NAMES:
		return sketch_estimate(&b->sk_names);
	case BLF_INTERNAL_FANOUT:
		return sketch_estimate(&b->sk_internal);
	case BLF_EXTERNAL_FANOUT:
		return sketch_estimate(&b->sk_external);
	default:
		return b->count[f];
	}
}

static double max3(double a, double b, double c)
{
	double m = a > b ? a : b;

	return m > c ? m : c;
}

/*
 * A feature is judged by up to three judges, each an expectation and the
 * spread to divide by; the feature is as anomalous as the least alarmed
 * judge says, times a gain (its weight, scaled while on priors).  Keeping
 * the judges as data lets the same numbers give both a judgement and the
 * level at which a count growing in the open bin would become anomalous.
 */
enum judge_kind { JUDGE_MEAN = 0, JUDGE_FORECAST, JUDGE_ENVELOPE };

struct judges {
	unsigned n;
	double mean[3], spread[3];
	uint8_t kind[3];
	double gain;  /* score = gain * z; 0: not judged */
	bool prior;   /* the mean is the class prior's */
};

static void judges_add(struct judges *j, enum judge_kind kind, double mean, double spread)
{
	j->kind[j->n] = (uint8_t)kind;
	j->mean[j->n] = mean;
	j->spread[j->n] = spread;
	j->n++;
}

/*
 * The judges of judged value f (BASELINE_JUDGED) at now.  Against the
 * class prior while the device learns (or has too few bins folded to
 * trust), on a gain that makes the stricter prior threshold meet the
 * common one; else against the learned mean and robust spread, the
 * forecast and the envelope.  The short-term rates have no prior: they
 * are judged once learned, against the learned peak of each bin.
 */
static void judges_of(const struct baseline *b, const struct baseline_env *env, ew_usec_t now,
		      unsigned f, struct judges *j)
{
	const struct model *m = env->model;
	bool learning = baseline_learning(b, m, now);
	double fc, fspread;

	memset(j, 0, sizeof(*j));
	if (f == BASELINE_RATE || f == BASELINE_PAIR_RATE) {
		const struct ew_stat *s =
			f == BASELINE_RATE ? &b->peak_rate_stat : &b->peak_pair_rate_stat;

		if (learning || s->n < m->forecast_warmup_bins)
			return;
		judges_add(j, JUDGE_MEAN, s->mean,
			   max3(ew_stat_spread(s), s->mean, RATE_MIN_SPREAD_PPS));
		judges_add(j, JUDGE_ENVELOPE, b->envelope[f],
			   max3(ENVELOPE_SPREAD_SHARE * b->envelope[f], RATE_MIN_SPREAD_PPS,
				SPREAD_EPSILON));
		j->gain = RATE_WEIGHT;
		return;
	}
	const struct model_feature_prior *p = &env->cls->feature[f];
	const struct ew_stat *s = &b->stat[f];
	/*
	 * Priors are written per MODEL_PRIOR_BIN_S; other bins scale the mean
	 * with their length and the spreads with its square root, as the mean
	 * and spread of a count of independent events do.
	 */
	double scale = (double)m->bin_s / MODEL_PRIOR_BIN_S;
	double min_spread = p->min_spread * sqrt(scale);

	if (!(p->weight > 0))
		return;
	if (learning || s->n < m->forecast_warmup_bins) {
		j->prior = true;
		judges_add(j, JUDGE_MEAN, p->mean * scale,
			   max3(p->spread * sqrt(scale), min_spread, SPREAD_EPSILON));
		j->gain = p->weight * (m->anomaly_score / m->prior_anomaly_score);
		return;
	}
	judges_add(j, JUDGE_MEAN, s->mean, max3(ew_stat_spread(s), min_spread, SPREAD_EPSILON));
	if (holt_forecast(&b->holt[f], m->forecast_warmup_bins, &fc, &fspread))
		judges_add(j, JUDGE_FORECAST, fc, max3(fspread, min_spread, SPREAD_EPSILON));
	judges_add(j, JUDGE_ENVELOPE, b->envelope[f],
		   max3(ENVELOPE_SPREAD_SHARE * b->envelope[f], min_spread, SPREAD_EPSILON));
	j->gain = p->weight;
}

/* Judges x: the least alarmed judge's z, times the gain. */
static void judge(const struct baseline *b, const struct baseline_env *env, ew_usec_t now,
		  unsigned f, double x, struct baseline_feature_report *fr)
{
	struct judges j;
	unsigned best = 0;

	judges_of(b, env, now, f, &j);
	memset(fr, 0, sizeof(*fr));
	fr->feature = (uint8_t)f;
	fr->observed = x;
	if (j.n == 0 || !(j.gain > 0))
		return;
	for (unsigned i = 1; i < j.n; i++)
		if ((x - j.mean[i]) / j.spread[i] < (x - j.mean[best]) / j.spread[best])
			best = i;
	fr->prior = j.prior;
	fr->forecast = j.kind[best] == JUDGE_FORECAST;
	fr->envelope = j.kind[best] == JUDGE_ENVELOPE;
	fr->mean = j.mean[best];
	fr->spread = j.spread[best];
	fr->z = (x - fr->mean) / fr->spread;
	fr->score = j.gain * fr->z;
	if (!(fr->score > 0) || !isfinite(fr->score))
		fr->score = 0;
}

/*
 * The least value of f at which judge() would reach the anomaly score:
 * every judge must see z >= threshold / gain.  Infinite when f is not
 * judged.  Counts only grow within a bin, so comparing the count with
 * this level is the whole early check for a packet that changes nothing
 * else.
 */
static double trip_level(const struct baseline *b, const struct baseline_env *env,
			 ew_usec_t now, unsigned f)
{
	struct judges j;
	double level = -INFINITY, need;

	judges_of(b, env, now, f, &j);
	if (j.n == 0 || !(j.gain > 0))
		return INFINITY;
	need = env->model->anomaly_score / j.gain;
	for (unsigned i = 0; i < j.n; i++)
		if (j.mean[i] + j.spread[i] * need > level)
			level = j.mean[i] + j.spread[i] * need;
	return isfinite(level) ? level : INFINITY;
}

static void compute_trips(struct baseline *b, const struct baseline_env *env, ew_usec_t now)
{
	for (unsigned f = 0; f < BASELINE_JUDGED; f++)
		b->trip[f] = trip_level(b, env, now, f);
	b->trips_valid = true;
}

static void report_init(const struct baseline *b, const struct baseline_env *env, ew_usec_t now,
			ew_usec_t start, ew_usec_t end, bool early, struct baseline_report *r)
{
	memset(r, 0, sizeof(*r));
	r->window_start = start;
	r->window_end = end;
	r->early = early;
	r->learning = baseline_learning(b, env->model, now);
	r->threshold = env->model->anomaly_score;
	r->bins_learned = b->bins_learned;
}

/* Keeps the highest-scoring features, in order. */
static void report_add_feature(struct baseline_report *r, const struct baseline_feature_report *fr)
{
	size_t i;

	if (fr->score > r->score)
		r->score = fr->score;
	if (fr->score <= 0)
		return;
	for (i = r->nfeatures; i > 0 && r->feature[i - 1].score < fr->score; i--)
		if (i < BASELINE_REPORT_FEATURES)
			r->feature[i] = r->feature[i - 1];
	if (i >= BASELINE_REPORT_FEATURES)
		return;
	r->feature[i] = *fr;
	if (r->nfeatures < BASELINE_REPORT_FEATURES)
		r->nfeatures++;
}

static ew_usec_t bin_start(const struct baseline *b, const struct model *m)
{
	return b->bin * bin_us(m);
}

/*
 * Decays the envelope by k bins and lifts it to this bin's values (x, of
 * BASELINE_JUDGED values; NULL: silent bins, zeros).
 */
static void envelope_fold(struct baseline *b, const struct model *m, const double *x, uint32_t k)
{
	double half_life_bins = (double)ENVELOPE_HALF_LIFE_S / m->bin_s;
	double decay = pow(2.0, -(double)k / half_life_bins);

	for (unsigned f = 0; f < BASELINE_JUDGED; f++) {
		double v = x != NULL ? x[f] : 0;

		b->envelope[f] *= decay;
		if (v > b->envelope[f] && isfinite(v))
			b->envelope[f] = v;
	}
}

/*
 * The shape of the traffic behind a rate, for the report: packet size and
 * gap between packets over the last seconds (the rate's own scale).  The
 * pair is the busiest of the bin, if it is still tracked.
 */
static void add_shape(struct baseline *b, ew_usec_t now, struct baseline_feature_report *fr)
{
	if (fr->feature == BASELINE_RATE) {
		fr->has_shape = true;
		damped_read(&b->rate, now, RATE_SCALE, NULL, &fr->size_mean, &fr->size_sd);
		damped_read(&b->gap, now, RATE_SCALE, NULL, &fr->gap_mean, &fr->gap_sd);
	} else if (fr->feature == BASELINE_PAIR_RATE) {
		const struct damped_pair *p = damped_pairs_find(&b->pairs, b->peak_pair_key);
		struct damped_pair_view v;

		fr->has_remote = true;
		fr->remote = b->peak_pair_addr;
		if (p == NULL)
			return; /* replaced since: the address is all that is left */
		damped_pair_read(p, now, DAMPED_PAIR_RATE_SCALE, &v);
		fr->has_shape = true;
		fr->size_mean = v.size_mean;
		fr->size_sd = v.size_sd;
		fr->gap_mean = v.gap_mean;
		fr->gap_sd = v.gap_sd;
	}
}

/* Judges judged value f at x and adds it to the report. */
static void judge_into(struct baseline *b, const struct baseline_env *env, ew_usec_t now,
		       unsigned f, double x, struct baseline_report *r)
{
	struct baseline_feature_report fr;

	judge(b, env, now, f, x, &fr);
	if (fr.score > 0)
		add_shape(b, now, &fr);
	report_add_feature(r, &fr);
}

/*
 * A bin closed: its destinations join the baseline (as learned ones while
 * the device learns), or are forgotten if it was anomalous.
 */
static void dests_bin_closed(struct baseline *b, bool anomalous, bool learning)
{
	unsigned kept = 0;

	for (unsigned i = 0; i < b->ndest && i < BASELINE_DESTS_MAX; i++) {
		struct bl_dest *d = &b->dest[i];

		if (d->in_open_bin) {
			d->in_open_bin = false;
			if (!anomalous && d->bins < UINT32_MAX)
				d->bins++;
			if (!anomalous && learning)
				d->learned = true;
			if (anomalous && d->bins == 0)
				continue; /* first met in an anomalous bin: not baseline */
		}
		b->dest[kept++] = *d;
	}
	if (kept < b->ndest)
		memset(&b->dest[kept], 0, (b->ndest - kept) * sizeof(b->dest[0]));
	b->ndest = (uint8_t)kept;
}

/* Scores and folds the open bin; true (with *r) when it was anomalous and active. */
static bool close_bin(struct baseline *b, const struct baseline_env *env, struct baseline_report *r)
{
	const struct model *m = env->model;
	ew_usec_t start = bin_start(b, m), end = start + bin_us(m);
	ew_usec_t judged_at = end - 1;
	double alpha = ew_alpha_for_half_life((double)m->adapt_half_life_bins);
	double x[BASELINE_JUDGED];
	bool anomalous;

	report_init(b, env, judged_at, start, end, false, r);
	for (unsigned f = 0; f < BLF_COUNT; f++)
		x[f] = feature_value(b, (enum bl_feature)f);
	x[BASELINE_RATE] = b->peak_rate;
	x[BASELINE_PAIR_RATE] = b->peak_pair_rate;
	for (unsigned f = 0; f < BASELINE_JUDGED; f++)
		if (f < BLF_COUNT || x[f] > 0)
			judge_into(b, env, judged_at, f, x[f], r);
	anomalous = !env->learn_only && (b->bin_anomalous || r->score >= m->anomaly_score);
	if (!anomalous) {
		for (unsigned f = 0; f < BLF_COUNT; f++) {
			ew_stat_add(&b->stat[f], x[f], alpha);
			holt_update(&b->holt[f], x[f], m->forecast_alpha, m->forecast_beta);
		}
		ew_stat_add(&b->peak_rate_stat, x[BASELINE_RATE], alpha);
		ew_stat_add(&b->peak_pair_rate_stat, x[BASELINE_PAIR_RATE], alpha);
		envelope_fold(b, m, x, 1);
		b->bins_learned++;
	}
	dests_bin_closed(b, anomalous, baseline_learning(b, m, judged_at));
	for (unsigned c = 0; c < BLC_COUNT; c++)
		profile_bin_closed(&b->prof[c]);
	/* An anomalous bin was reported as it grew; report its whole picture once more. */
	return anomalous && b->bin_active && r->score >= m->anomaly_score;
}

static void reset_bin(struct baseline *b, uint64_t bin)
{
	b->bin = bin;
	b->bin_active = false;
	b->bin_anomalous = false;
	b->early_fired = 0;
	b->trips_valid = false; /* worked out at the bin's first check, with the env then */
	memset(b->count, 0, sizeof(b->count));
	sketch_clear(&b->sk_remote);
	sketch_clear(&b->sk_ports);
	sketch_clear(&b->sk_names);
	sketch_clear(&b->sk_internal);
	sketch_clear(&b->sk_external);
	b->peak_rate = 0;
	b->peak_pair_rate = 0;
	for (unsigned i = 0; i < b->ndest && i < BASELINE_DESTS_MAX; i++)
		b->dest[i].in_open_bin = false;
}

/* Folds k silent bins: zeros into every feature. */
static void fold_silence(struct baseline *b, const struct baseline_env *env, uint64_t k)
{
	const struct model *m = env->model;
	double alpha = ew_alpha_for_half_life((double)m->adapt_half_life_bins);
	uint32_t k32 = k > UINT32_MAX ? UINT32_MAX : (uint32_t)k;
	uint32_t settle = m->novelty_settle_bins + 1;

	for (unsigned f = 0; f < BLF_COUNT; f++) {
		ew_stat_add_zeros(&b->stat[f], k32, alpha);
		for (uint32_t i = 0; i < k32 && i < HOLT_ZERO_BINS_MAX; i++)
			holt_update(&b->holt[f], 0, m->forecast_alpha, m->forecast_beta);
	}
	ew_stat_add_zeros(&b->peak_rate_stat, k32, alpha);
	ew_stat_add_zeros(&b->peak_pair_rate_stat, k32, alpha);
	envelope_fold(b, m, NULL, k32);
	/* Only whether the profiles reach "settled" matters: no need to count past it. */
	for (unsigned c = 0; c < BLC_COUNT; c++)
		for (uint32_t i = 0; i < k32 && i < settle; i++)
			profile_bin_closed(&b->prof[c]);
	b->bins_learned = b->bins_learned + k32 < b->bins_learned ? UINT32_MAX
								   : b->bins_learned + k32;
}

/*
 * Moves the open bin to the one holding ts, closing what ended.  True
 * with *r when the bin that closed was anomalous.
 */
static bool advance(struct baseline *b, const struct baseline_env *env, ew_usec_t ts,
		    struct baseline_report *r)
{
	uint64_t bin = ts / bin_us(env->model);
	bool report = false;

	if (!b->started) {
		b->started = true;
		reset_bin(b, bin);
		return false;
	}
	if (bin < b->bin) {
		/*
		 * Packet time went back before the open bin: a clock stepped back
		 * under a live capture, or an older capture read with this state.
		 * What was learned stays; the open bin and the short-term state
		 * (rates, beacon timing), which assume time moves on, start over.
		 */
		b->time_jumps++;
		reset_bin(b, bin);
		damped_init(&b->rate);
		damped_init(&b->gap);
		damped_pairs_init(&b->pairs);
		periodic_set_init(&b->periodic);
		return false;
	}
	if (bin == b->bin)
		return false;
	report = close_bin(b, env, r);
	if (bin - b->bin > 1)
		fold_silence(b, env, bin - b->bin - 1);
	reset_bin(b, bin);
	return report;
}

/* x reached the open bin's trip level of f: judge it, and report if it is anomalous. */
static bool early_judge(struct baseline *b, const struct baseline_env *env, ew_usec_t ts,
			unsigned f, double x, struct baseline_report *r)
{
	struct baseline_feature_report fr;

	judge(b, env, ts, f, x, &fr);
	if (fr.score < env->model->anomaly_score) {
		/* The level was set with the state at the bin's start (learning, class). */
		b->trip[f] = trip_level(b, env, ts, f);
		return false;
	}
	b->early_fired |= 1u << f;
	b->bin_anomalous = true;
	report_init(b, env, ts, bin_start(b, env->model), ts, true, r);
	add_shape(b, ts, &fr);
	report_add_feature(r, &fr);
	return true;
}

/*
 * The feature f just grew: judge its value so far in the open bin.  Counts
 * only grow within a bin, so a partial count over threshold is already an
 * anomalous bin.  Reported once per feature and bin.  Inline: a count
 * below its trip level (nearly always) costs two comparisons and no call.
 */
static inline bool early_check(struct baseline *b, const struct baseline_env *env,
			       ew_usec_t ts, unsigned f, double x, struct baseline_report *r)
{
	if (env->learn_only || (b->early_fired & (1u << f)))
		return false;
	if (!b->trips_valid)
		compute_trips(b, env, ts);
	if (x < b->trip[f])
		return false;
	return early_judge(b, env, ts, f, x, r);
}

/*
 * Counts more of a counted feature and judges it.  judge_it is false when
 * this observation already owes a report (*r is taken): the count still
 * grows, and the feature is judged at its next change or at the bin's end.
 */
static bool bump(struct baseline *b, const struct baseline_env *env, ew_usec_t ts,
		 enum bl_feature f, double by, bool judge_it, struct baseline_report *r)
{
	b->count[f] += by;
	b->bin_active = true;
	return judge_it && early_check(b, env, ts, f, b->count[f], r);
}

/* Adds to a distinct feature; judges it only when the sketch changed. */
static bool distinct(struct baseline *b, const struct baseline_env *env, ew_usec_t ts,
		     enum bl_feature f, struct sketch *sk, uint64_t hash, bool judge_it,
		     struct baseline_report *r)
{
	b->bin_active = true;
	if (!sketch_add(sk, hash))
		return false;
	return judge_it && early_check(b, env, ts, f, sketch_estimate(sk), r);
}

/* Seconds from a stream's last update to ts (0 if none or not later). */
static double gap_s(const struct damped *d, ew_usec_t ts)
{
	return d->last_us != 0 && ts > d->last_us
		       ? (double)(ts - d->last_us) / (double)EW_USEC_PER_SEC
		       : 0.0;
}

/*
 * The pair (the device and one remote end): its size and gap streams and
 * its short-term packet rate, both ways.  A flood to or from one end
 * stands out here even when the device's other traffic hides it in the
 * totals.
 */
static bool pair_packet(struct baseline *b, const struct baseline_env *env, ew_usec_t ts,
			uint32_t bytes, uint64_t remote_hash, const struct ew_addr *remote,
			bool judge_it, struct baseline_report *r)
{
	struct damped_pair *p = damped_pairs_get(&b->pairs, remote_hash);
	double rate;

	damped_pair_update(p, ts, bytes);
	rate = damped_pair_rate(p, ts, DAMPED_PAIR_RATE_SCALE);
	if (!(rate > b->peak_pair_rate))
		return false;
	b->peak_pair_rate = rate;
	b->peak_pair_key = remote_hash;
	if (remote != NULL)
		b->peak_pair_addr = *remote;
	else
		memset(&b->peak_pair_addr, 0, sizeof(b->peak_pair_addr));
	return judge_it && early_check(b, env, ts, BASELINE_PAIR_RATE, rate, r);
}

bool baseline_packet(struct baseline *b, const struct baseline_env *env, ew_usec_t ts, bool out,
		     uint32_t bytes, uint64_t remote_hash, const struct ew_addr *remote,
		     struct baseline_report *r)
{
	bool rep = advance(b, env, ts, r);

	if (out) {
		double rate;

		rep = bump(b, env, ts, BLF_PKTS_OUT, 1, !rep, r) || rep;
		rep = bump(b, env, ts, BLF_BYTES_OUT, bytes, !rep, r) || rep;
		if (b->rate.last_us == 0)
			damped_update(&b->rate, ts, bytes);
		else
			damped_update2(&b->rate, bytes, &b->gap, gap_s(&b->rate, ts), ts);
		rate = damped_rate(&b->rate, ts, RATE_SCALE);
		if (rate > b->peak_rate) {
			b->peak_rate = rate;
			rep = (!rep && early_check(b, env, ts, BASELINE_RATE, rate, r)) || rep;
		}
	} else {
		rep = bump(b, env, ts, BLF_PKTS_IN, 1, !rep, r) || rep;
		rep = bump(b, env, ts, BLF_BYTES_IN, bytes, !rep, r) || rep;
	}
	rep = pair_packet(b, env, ts, bytes, remote_hash, remote, !rep, r) || rep;
	return distinct(b, env, ts, BLF_REMOTE_ADDRS, &b->sk_remote, remote_hash, !rep, r) || rep;
}

/* What a profile held before a first-seen item changed it. */
struct profile_before {
	double settled;
	uint32_t known, settled_bins;
};

static void profile_state(const struct profile *p, const struct model *m,
			  struct profile_before *pb)
{
	pb->settled = profile_settledness(p, m->novelty_settle_bins);
	pb->known = p->n;
	pb->settled_bins = p->bins_since_new;
}

/*
 * A first-seen item (or a new recurring contact, settled 1): its score,
 * by how settled the profile was and how much novelty counts for the
 * device's class.  Nothing is novel while the device learns.
 */
static bool novelty(struct baseline *b, const struct baseline_env *env, ew_usec_t ts,
		    enum bl_category c, const char *label, const struct profile_before *pb,
		    bool periodic, double period_s, struct baseline_report *r)
{
	const struct model *m = env->model;
	double score = m->novelty_score * env->cls->novelty_weight[c] * pb->settled;
	struct baseline_novel_report *nv;

	if (env->learn_only || baseline_learning(b, m, ts) || !(score >= m->anomaly_score))
		return false;
	b->bin_anomalous = true;
	report_init(b, env, ts, bin_start(b, m), ts, true, r);
	r->score = score;
	nv = &r->novel[r->nnovel++];
	nv->category = (uint8_t)c;
	nv->periodic = periodic;
	nv->period_s = period_s;
	snprintf(nv->item, sizeof(nv->item), "%s", label ? label : "");
	nv->known = pb->known;
	nv->settled_bins = pb->settled_bins;
	nv->score = score;
	return true;
}

/* Records an item; judges it when it is new (unless a report is already due: judge false). */
static bool observe_item(struct baseline *b, const struct baseline_env *env, ew_usec_t ts,
			 enum bl_category c, uint64_t key, const char *label, bool judge_it,
			 struct baseline_report *r)
{
	struct profile *p = &b->prof[c];
	struct profile_before pb;
	size_t len = label ? strlen(label) : 0;
	const char *kept = label;

	/* The profile's state is read before the item unsettles it. */
	profile_state(p, env->model, &pb);
	b->bin_active = true;
	/* A long name keeps its end, where the domain a person knows is. */
	if (len > PROFILE_LABEL_MAX - 1) {
		kept = label + len - (PROFILE_LABEL_MAX - 1);
		len = PROFILE_LABEL_MAX - 1;
	}
	if (profile_observe(p, key, kept, len, ts) != PROFILE_NEW)
		return false;
	return judge_it && novelty(b, env, ts, c, label, &pb, false, 0, r);
}

static uint64_t label_hash(const char *label)
{
	return ew_hash64(label, strlen(label), 0x6c6162656c000000ULL);
}

bool baseline_flow_start(struct baseline *b, const struct baseline_env *env, ew_usec_t ts,
			 bool out, uint64_t remote_hash, bool remote_internal,
			 uint64_t endpoint_hash, const char *endpoint_label, uint8_t proto,
			 uint16_t server_port, bool profile, struct baseline_report *r)
{
	const struct model *m = env->model;
	struct periodic_params pp;
	uint64_t port_key = ((uint64_t)proto << 16) | server_port;
	char port_label[16];
	bool rep = advance(b, env, ts, r);

	snprintf(port_label, sizeof(port_label), "%s/%u%s",
		 proto == EW_IPPROTO_TCP ? "tcp" : proto == EW_IPPROTO_UDP ? "udp" : "ip",
		 server_port >= EPHEMERAL_PORT_MIN ? EPHEMERAL_PORT_MIN : (unsigned)server_port,
		 server_port >= EPHEMERAL_PORT_MIN ? "+" : "");
	if (!out)
		return bump(b, env, ts, BLF_FLOWS_IN, 1, !rep, r) || rep;
	rep = bump(b, env, ts, BLF_FLOWS_OUT, 1, !rep, r) || rep;
	rep = distinct(b, env, ts, BLF_REMOTE_PORTS, &b->sk_ports, ew_hash64_u64(port_key, 1),
		       !rep, r) || rep;
	if (remote_internal)
		rep = distinct(b, env, ts, BLF_INTERNAL_FANOUT, &b->sk_internal, remote_hash, !rep,
			       r) || rep;
	else
		rep = distinct(b, env, ts, BLF_EXTERNAL_FANOUT, &b->sk_external, remote_hash, !rep,
			       r) || rep;
	if (!profile)
		return rep;
	if (server_port >= EPHEMERAL_PORT_MIN)
		port_key = ((uint64_t)proto << 16) | EPHEMERAL_PORT_MIN;
	/* Only TCP and UDP have ports; ICMP and the rest are endpoints only. */
	if (proto == EW_IPPROTO_TCP || proto == EW_IPPROTO_UDP)
		rep = observe_item(b, env, ts, BLC_SERVER_PORT, port_key, port_label, !rep, r) ||
		      rep;
	rep = observe_item(b, env, ts, BLC_ENDPOINT, endpoint_hash, endpoint_label, !rep, r) || rep;

	/*
	 * A contact that turns periodic after learning, to an end first met
	 * after learning: a beacon.  Reported the first time it turns regular
	 * only (a contact may fall out of rhythm and back many times).
	 */
	periodic_params_default(&pp);
	if (periodic_observe(&b->periodic, endpoint_hash, ts, &pp) == PERIODIC_EV_BECAME_REGULAR &&
	    !rep && periodic_find(&b->periodic, endpoint_hash) != NULL &&
	    periodic_find(&b->periodic, endpoint_hash)->n <= pp.regular_after + 1) {
		const struct profile_item *it = profile_find(&b->prof[BLC_ENDPOINT], endpoint_hash);
		const struct periodic_entry *pe = periodic_find(&b->periodic, endpoint_hash);
		ew_usec_t learned_at = b->first_us + (uint64_t)m->learn_s * EW_USEC_PER_SEC;

		struct profile_before pb = { .settled = 1.0, .known = b->prof[BLC_ENDPOINT].n };

		if (it != NULL && pe != NULL && it->first_us >= learned_at)
			rep = novelty(b, env, ts, BLC_ENDPOINT, endpoint_label, &pb, true,
				      pe->period_s, r);
	}
	return rep;
}

static bool same_dest(const struct bl_dest *d, const struct ew_addr *addr, uint8_t proto,
		      uint16_t port)
{
	return d->proto == proto && d->port == port && d->addr.family == addr->family &&
	       memcmp(d->addr.bytes, addr->bytes, sizeof(addr->bytes)) == 0;
}

/*
 * The slot a new destination takes when the list is full: one never
 * confirmed if any, else the one used least recently (first of equals).
 */
static struct bl_dest *dest_victim(struct baseline *b)
{
	struct bl_dest *v = &b->dest[0];

	for (unsigned i = 1; i < BASELINE_DESTS_MAX; i++) {
		struct bl_dest *d = &b->dest[i];

		if ((d->bins == 0) != (v->bins == 0)) {
			if (d->bins == 0)
				v = d;
		} else if (d->last_us < v->last_us) {
			v = d;
		}
	}
	return v;
}

void baseline_destination(struct baseline *b, ew_usec_t ts, const struct ew_addr *addr,
			  uint8_t proto, uint16_t port)
{
	struct bl_dest *d = NULL;

	if (proto != EW_IPPROTO_TCP && proto != EW_IPPROTO_UDP)
		return;
	for (unsigned i = 0; i < b->ndest && i < BASELINE_DESTS_MAX; i++)
		if (same_dest(&b->dest[i], addr, proto, port)) {
			d = &b->dest[i];
			break;
		}
	if (d == NULL) {
		d = b->ndest < BASELINE_DESTS_MAX ? &b->dest[b->ndest++] : dest_victim(b);
		memset(d, 0, sizeof(*d));
		d->addr = *addr;
		d->proto = proto;
		d->port = port;
		d->first_us = ts;
	}
	if (d->flows < UINT32_MAX)
		d->flows++;
	if (ts > d->last_us)
		d->last_us = ts;
	d->in_open_bin = true;
}

size_t baseline_destinations(const struct baseline *b, ew_usec_t now, struct baseline_dest *out,
			     size_t max)
{
	ew_usec_t settle = (ew_usec_t)BASELINE_DEST_SETTLE_S * EW_USEC_PER_SEC;
	size_t n = 0;

	for (unsigned i = 0; i < b->ndest && i < BASELINE_DESTS_MAX; i++) {
		const struct bl_dest *d = &b->dest[i];
		size_t at;

		if (d->bins == 0 || !(d->learned || d->first_us + settle <= now))
			continue;
		/* Insertion by flows, most first; the list is at most 16 long. */
		for (at = n < max ? n : max; at > 0 && out[at - 1].flows < d->flows; at--)
			if (at < max)
				out[at] = out[at - 1];
		if (at >= max)
			continue;
		out[at] = (struct baseline_dest){ .addr = d->addr, .proto = d->proto,
						  .port = d->port, .flows = d->flows,
						  .first_us = d->first_us, .last_us = d->last_us };
		if (n < max)
			n++;
	}
	return n;
}

bool baseline_failed(struct baseline *b, const struct baseline_env *env, ew_usec_t ts,
		     struct baseline_report *r)
{
	bool rep = advance(b, env, ts, r);

	return bump(b, env, ts, BLF_FAILED_CONNS, 1, !rep, r) || rep;
}

bool baseline_dns_query(struct baseline *b, const struct baseline_env *env, ew_usec_t ts,
			uint64_t name_hash, struct baseline_report *r)
{
	bool rep = advance(b, env, ts, r);

	rep = bump(b, env, ts, BLF_DNS_QUERIES, 1, !rep, r) || rep;
	return distinct(b, env, ts, BLF_DNS_NAMES, &b->sk_names, name_hash, !rep, r) || rep;
}

bool baseline_item(struct baseline *b, const struct baseline_env *env, ew_usec_t ts,
		   enum bl_category c, const char *label, struct baseline_report *r)
{
	bool rep = advance(b, env, ts, r);

	if ((unsigned)c >= BLC_COUNT || label == NULL || label[0] == '\0')
		return rep;
	return observe_item(b, env, ts, c, label_hash(label), label, !rep, r) || rep;
}

bool baseline_tick(struct baseline *b, const struct baseline_env *env, ew_usec_t now,
		   struct baseline_report *r)
{
	struct periodic_params pp;
	unsigned late[PERIODIC_SLOTS];

	/*
	 * A beacon that misses its beat is marked overdue (once) and counted;
	 * the inventory shows it.  It is not scored: a device switched off
	 * breaks every period, and "gone" already says so.
	 */
	periodic_params_default(&pp);
	b->overdue_total += (uint32_t)periodic_overdue(&b->periodic, now, &pp, late, PERIODIC_SLOTS);
	return advance(b, env, now, r);
}
