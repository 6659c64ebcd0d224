/*
 * test-baseline.c - a device's baseline and scoring, incidents, the ARP
 * watch and the baselines file, with expected values worked out by hand.
 *
 * The model used here: 60 s bins, 600 s of learning (10 bins), forecast
 * warm-up 5 bins, anomaly score 6, prior anomaly score 12, novelty settled
 * after 3 bins, novelty score 8.  The class weighs flows_out only (prior
 * 2 +/- 1, floor 1) and endpoints (novelty weight 1), so each expected
 * score below follows from one feature.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "baseline-store.h"
#include "baseline-table.h"
#include "baseline.h"
#include "detect-arp.h"
#include "incident.h"
#include "model.h"

/* cmocka 1.1 has no assert_double_equal: a comparison that says what it got. */
#define assert_double_equal(got, want, tol) near((got), (want), (tol), #got)

static void near(double got, double want, double tol, const char *what)
{
	if (!(fabs(got - want) <= tol))
		fail_msg("%s: got %.17g, want %.17g (+/- %g)", what, got, want, tol);
}

#define SEC EW_USEC_PER_SEC
#define BIN (60 * SEC)
/* Bin 100 000 000 from the epoch: any aligned start will do. */
#define T0 ((ew_usec_t)100000000 * BIN)

static struct model test_model;
static struct model_class test_class;

static void setup_model(bool learn_only, struct baseline_env *env)
{
	model_free(&test_model);
	assert_int_equal(model_init_defaults(&test_model), 0);
	test_model.bin_s = 60;
	test_model.learn_s = 600;
	test_model.forecast_warmup_bins = 5;
	test_model.anomaly_score = 6;
	test_model.prior_anomaly_score = 12;
	test_model.novelty_settle_bins = 3;
	test_model.novelty_score = 8;
	memset(&test_class, 0, sizeof(test_class));
	snprintf(test_class.name, sizeof(test_class.name), "test");
	for (unsigned f = 0; f < BLF_COUNT; f++)
		test_class.feature[f] = (struct model_feature_prior){ 1, 1, 1, 0 };
	test_class.feature[BLF_FLOWS_OUT] = (struct model_feature_prior){ 2, 1, 1, 1 };
	test_class.novelty_weight[BLC_ENDPOINT] = 1;
	env->model = &test_model;
	env->cls = &test_class;
	env->learn_only = learn_only;
}

/* One flow opened at ts to endpoint ep (its own remote address). */
static bool flow(struct baseline *b, const struct baseline_env *env, ew_usec_t ts, uint64_t ep,
		 const char *label, struct baseline_report *r)
{
	return baseline_flow_start(b, env, ts, true, ep, false, ep, label, 6, 443, true, r);
}

/* Bins 0..9 (learning) with three flows each to endpoint 1; returns the baseline. */
static struct baseline *learned_baseline(const struct baseline_env *env)
{
	struct baseline *b = baseline_create(T0);
	struct baseline_report r;

	assert_non_null(b);
	for (int bin = 0; bin < 10; bin++)
		for (int i = 0; i < 3; i++)
			assert_false(flow(b, env, T0 + bin * BIN + (i + 1) * SEC, 1, "cloud", &r));
	return b;
}

/*
 * Learning: judged on the prior at half scale (6 / 12).  Flow n gives
 * z = (n - 2) / 1 and score z / 2, which reaches 6 at n = 14.
 */
static void test_prior_early(void **state)
{
	struct baseline_env env;
	struct baseline_report r;
	struct baseline *b;

	(void)state;
	setup_model(false, &env);
	b = baseline_create(T0);
	for (int n = 1; n <= 13; n++)
		assert_false(flow(b, &env, T0 + (ew_usec_t)n * SEC, (uint64_t)n, "x", &r));
	assert_true(flow(b, &env, T0 + 14 * SEC, 14, "x", &r));
	assert_true(r.early);
	assert_true(r.learning);
	assert_int_equal(r.nfeatures, 1);
	assert_int_equal(r.feature[0].feature, BLF_FLOWS_OUT);
	assert_true(r.feature[0].prior);
	assert_double_equal(r.feature[0].observed, 14, 1e-9);
	assert_double_equal(r.feature[0].mean, 2, 1e-9);
	assert_double_equal(r.feature[0].spread, 1, 1e-9);
	assert_double_equal(r.feature[0].z, 12, 1e-9);
	assert_double_equal(r.score, 6, 1e-9);
	assert_int_equal(r.window_start, T0);
	assert_int_equal(r.window_end, T0 + 14 * SEC);
	/* Reported once per feature and bin. */
	assert_false(flow(b, &env, T0 + 15 * SEC, 15, "x", &r));
	baseline_destroy(b);
}

/*
 * Detecting: ten bins of exactly 3 flows give mean 3, spread 0 (floored
 * to 1), forecast 3, envelope 3 (its judge divides by max(0.25 * 3, 1)
 * = 1).  In bin 10, flow n gives z = n - 3: 9 flows reach 6.
 */
static void test_learned_threshold(void **state)
{
	struct baseline_env env;
	struct baseline_report r;
	struct baseline *b;
	double mean, spread;
	uint32_t n;

	(void)state;
	setup_model(false, &env);
	b = learned_baseline(&env);
	for (int i = 1; i <= 8; i++)
		assert_false(flow(b, &env, T0 + 10 * BIN + (ew_usec_t)i * SEC, 1, "cloud", &r));
	baseline_feature_stat(b, BLF_FLOWS_OUT, &mean, &spread, &n);
	assert_int_equal(n, 10);
	assert_double_equal(mean, 3, 1e-9);
	assert_double_equal(spread, 0, 1e-9);
	assert_true(flow(b, &env, T0 + 10 * BIN + 9 * SEC, 1, "cloud", &r));
	assert_false(r.learning);
	assert_false(r.feature[0].prior);
	assert_double_equal(r.feature[0].observed, 9, 1e-9);
	assert_double_equal(r.feature[0].mean, 3, 1e-9);
	assert_double_equal(r.feature[0].spread, 1, 1e-9);
	assert_double_equal(r.score, 6, 1e-9);
	assert_int_equal(r.bins_learned, 10);

	/*
	 * The first flow of bin 11 closes bin 10, which reports its whole
	 * picture once more: 9 flows over [bin 10, bin 11).
	 */
	assert_true(flow(b, &env, T0 + 11 * BIN + SEC, 1, "cloud", &r));
	assert_false(r.early);
	assert_int_equal(r.window_start, T0 + 10 * BIN);
	assert_double_equal(r.feature[0].observed, 9, 1e-9);
	/*
	 * The anomalous bin 10 stays out of the statistics: bin 11's three
	 * flows make n 11 with the mean still 3, and its close (by a tick in
	 * bin 12) reports nothing.
	 */
	for (int i = 2; i <= 3; i++)
		assert_false(flow(b, &env, T0 + 11 * BIN + (ew_usec_t)i * SEC, 1, "cloud", &r));
	assert_false(baseline_tick(b, &env, T0 + 12 * BIN, &r));
	baseline_feature_stat(b, BLF_FLOWS_OUT, &mean, &spread, &n);
	assert_int_equal(n, 11);
	assert_double_equal(mean, 3, 1e-9);
	baseline_destroy(b);
}

/* A closing anomalous bin reports its whole picture once, with the window's bounds. */
static void test_close_report(void **state)
{
	struct baseline_env env;
	struct baseline_report r;
	struct baseline *b;

	(void)state;
	setup_model(false, &env);
	b = learned_baseline(&env);
	for (int i = 1; i <= 20; i++)
		(void)flow(b, &env, T0 + 10 * BIN + (ew_usec_t)i * SEC, 1, "cloud", &r);
	assert_true(baseline_tick(b, &env, T0 + 11 * BIN, &r));
	assert_false(r.early);
	assert_int_equal(r.window_start, T0 + 10 * BIN);
	assert_int_equal(r.window_end, T0 + 11 * BIN);
	/* z = (20 - 3) / 1 = 17. */
	assert_double_equal(r.feature[0].observed, 20, 1e-9);
	assert_double_equal(r.score, 17, 1e-9);
	baseline_destroy(b);
}

/* Silent bins are zeros: 5 silent bins after 10 learned ones make n 15 (and the mean drop). */
static void test_silence(void **state)
{
	struct baseline_env env;
	struct baseline_report r;
	struct baseline *b;
	double mean, spread;
	uint32_t n;

	(void)state;
	setup_model(false, &env);
	b = learned_baseline(&env);
	/* Bin 9 closes at the tick in bin 15: bins 10..14 were silent. */
	assert_false(baseline_tick(b, &env, T0 + 15 * BIN, &r));
	baseline_feature_stat(b, BLF_FLOWS_OUT, &mean, &spread, &n);
	assert_int_equal(n, 15);
	assert_true(mean < 3);
	baseline_destroy(b);
}

/*
 * Novelty: endpoint 1 was new in bin 0 only, so by bin 10 the profile has
 * gone 9 closed bins without a new item: settled (9 >= 3), score 8 * 1 * 1.
 * A new endpoint while learning scores nothing.
 */
static void test_novelty(void **state)
{
	struct baseline_env env;
	struct baseline_report r;
	struct baseline *b;

	(void)state;
	setup_model(false, &env);
	b = baseline_create(T0);
	assert_false(flow(b, &env, T0 + SEC, 1, "cloud", &r));
	assert_false(flow(b, &env, T0 + 2 * BIN, 2, "second-cloud", &r)); /* learning */
	for (int bin = 3; bin < 10; bin++)
		assert_false(flow(b, &env, T0 + bin * BIN + SEC, 1, "cloud", &r));
	assert_false(flow(b, &env, T0 + 10 * BIN + SEC, 1, "cloud", &r));
	assert_true(flow(b, &env, T0 + 10 * BIN + 2 * SEC, 3, "evil.example", &r));
	assert_int_equal(r.nnovel, 1);
	assert_int_equal(r.novel[0].category, BLC_ENDPOINT);
	assert_string_equal(r.novel[0].item, "evil.example");
	assert_int_equal(r.novel[0].known, 2);
	/* second-cloud was new in bin 2: bins 3..9 closed without one, 7 of them. */
	assert_int_equal(r.novel[0].settled_bins, 7);
	assert_double_equal(r.score, 8, 1e-9);
	/* Known now: a second contact is not novel. */
	assert_false(flow(b, &env, T0 + 11 * BIN + SEC, 3, "evil.example", &r));
	baseline_destroy(b);
}

/* --learn: nothing is reported and every bin is folded, however wild. */
static void test_learn_only(void **state)
{
	struct baseline_env env;
	struct baseline_report r;
	struct baseline *b;
	double mean, spread;
	uint32_t n;

	(void)state;
	setup_model(true, &env);
	b = learned_baseline(&env);
	for (int i = 1; i <= 100; i++)
		assert_false(flow(b, &env, T0 + 10 * BIN + (ew_usec_t)i * 100000, (uint64_t)i + 10,
				  "x", &r));
	assert_false(baseline_tick(b, &env, T0 + 11 * BIN, &r));
	baseline_feature_stat(b, BLF_FLOWS_OUT, &mean, &spread, &n);
	assert_int_equal(n, 11);
	/* Weight of sample 11 is max(alpha, 1/11) = 1/11: mean = 3 + (100 - 3) / 11. */
	assert_double_equal(mean, 3 + 97.0 / 11, 1e-9);
	baseline_end_learning(b);
	assert_false(baseline_learning(b, &test_model, T0));
	baseline_destroy(b);
}

/*
 * A jump back in time restarts the open bin instead of counting into a
 * bin of the future: bin 9 (open, 3 flows) is dropped, bins 0..8 stay
 * folded (n 9); the packet's bin 2 is open and folds when bin 3 begins.
 */
static void test_time_back(void **state)
{
	struct baseline_env env;
	struct baseline_report r;
	struct baseline *b;
	double mean, spread;
	uint32_t n;

	(void)state;
	setup_model(false, &env);
	b = learned_baseline(&env);
	assert_false(flow(b, &env, T0 + 2 * BIN, 1, "cloud", &r));
	baseline_feature_stat(b, BLF_FLOWS_OUT, &mean, &spread, &n);
	assert_int_equal(n, 9);
	assert_false(baseline_tick(b, &env, T0 + 3 * BIN, &r));
	baseline_feature_stat(b, BLF_FLOWS_OUT, &mean, &spread, &n);
	assert_int_equal(n, 10);
	/* Samples 3 (x9) then 1: weight 1/10, mean 3 - 2/10. */
	assert_double_equal(mean, 2.8, 1e-9);
	baseline_destroy(b);
}

static struct ew_addr v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	const uint8_t bytes[4] = { a, b, c, d };
	struct ew_addr x;

	ew_addr_set_v4(&x, bytes);
	return x;
}

/*
 * The pair rate.  Learning: one packet a second out to A for bins 0..9.
 * The rate at scale lambda 1 right after a packet of a steady 1/s stream
 * is ln2 * (1 + 1/2 + 1/4 + ...) = 2 ln2 = 1.3863 pkt/s: every bin's peak
 * pair rate (bin 0's is short of it by 2^-59), so the learned mean and the
 * envelope are 1.3863 and the spread is floored to 5; the rate's gain is
 * 0.5, so the level is 1.3863 + 5 * 6 / 0.5 = 61.386 pkt/s.  Bin 10: 60-byte
 * packets IN from B every millisecond.  After k of them the pair's rate is
 * ln2 (1 - q^k) / (1 - q), q = 2^-0.001: 61.16 at k = 91, 61.80 at k = 92,
 * so the 92nd packet reports.  The device's own rate counts packets out
 * only and stays quiet.
 */
static void test_pair_rate(void **state)
{
	struct baseline_env env;
	struct baseline_report r;
	struct baseline *b;
	struct ew_addr a = v4(198, 51, 100, 1), bb = v4(203, 0, 113, 66);
	int k;

	(void)state;
	setup_model(false, &env);
	b = baseline_create(T0);
	for (int i = 1; i < 600; i++)
		assert_false(baseline_packet(b, &env, T0 + (ew_usec_t)i * SEC, true, 100, 1, &a, &r));
	for (k = 1; k <= 91; k++)
		assert_false(baseline_packet(b, &env, T0 + 10 * BIN + (ew_usec_t)k * 1000, false, 60,
					     2, &bb, &r));
	assert_true(baseline_packet(b, &env, T0 + 10 * BIN + (ew_usec_t)k * 1000, false, 60, 2,
				    &bb, &r));
	assert_true(r.early);
	assert_int_equal(r.nfeatures, 1);
	assert_int_equal(r.feature[0].feature, BASELINE_PAIR_RATE);
	assert_double_equal(r.feature[0].mean, 2 * log(2), 1e-9);
	assert_double_equal(r.feature[0].spread, 5, 1e-12);
	assert_double_equal(r.feature[0].observed,
			    log(2) * (1 - pow(2, -0.092)) / (1 - pow(2, -0.001)), 1e-6);
	assert_double_equal(r.score, 0.5 * (r.feature[0].observed - 2 * log(2)) / 5, 1e-9);
	assert_true(r.feature[0].has_remote);
	assert_memory_equal(r.feature[0].remote.bytes, bb.bytes, 16);
	assert_true(r.feature[0].has_shape);
	assert_double_equal(r.feature[0].size_mean, 60, 1e-9);
	assert_double_equal(r.feature[0].size_sd, 0, 1e-5);
	assert_double_equal(r.feature[0].gap_mean, 0.001, 1e-12);
	assert_double_equal(r.feature[0].gap_sd, 0, 1e-6);
	/* Reported once per bin. */
	assert_false(baseline_packet(b, &env, T0 + 10 * BIN + 93000, false, 60, 2, &bb, &r));
	baseline_destroy(b);
}

/* A flow to dest (server port `port`) at ts, from endpoint ep. */
static bool flow_to(struct baseline *b, const struct baseline_env *env, ew_usec_t ts,
		    uint64_t ep, const struct ew_addr *dest, uint8_t proto, uint16_t port,
		    struct baseline_report *r)
{
	bool rep = baseline_flow_start(b, env, ts, true, ep, false, ep, ep == 1 ? "cloud" : "x",
				       proto, port, true, r);

	baseline_destination(b, ts, dest, proto, port);
	return rep;
}

/*
 * Destinations for restrict: D1 (tcp/443) used 3 times a bin while
 * learning; bin 10 is anomalous (a new endpoint, novelty 8 >= 6) and its
 * D2 (tcp/23) is forgotten; bin 11 uses D3 (tcp/8883) 3 times without
 * anything anomalous: it joins, but is listed only an hour after its first
 * use.  Most used first.
 */
static void test_destinations(void **state)
{
	struct baseline_env env;
	struct baseline_report r;
	struct baseline_dest out[BASELINE_DESTS_MAX];
	struct baseline *b;
	struct ew_addr d1 = v4(198, 51, 100, 10), d2 = v4(203, 0, 113, 23),
		       d3 = v4(198, 51, 100, 30);

	(void)state;
	setup_model(false, &env);
	b = baseline_create(T0);
	for (int bin = 0; bin < 10; bin++)
		for (int i = 0; i < 3; i++)
			assert_false(flow_to(b, &env, T0 + bin * BIN + (i + 1) * SEC, 1, &d1, 6,
					     443, &r));
	assert_true(flow_to(b, &env, T0 + 10 * BIN + SEC, 2, &d2, 6, 23, &r));
	assert_int_equal(r.nnovel, 1);
	/* While bin 10 is open, D2 is not a baseline destination. */
	assert_int_equal(baseline_destinations(b, T0 + 10 * BIN + 2 * SEC, out, 16), 1);
	for (int i = 0; i < 3; i++)
		(void)flow_to(b, &env, T0 + 11 * BIN + (i + 1) * SEC, 1, &d3, 6, 8883, &r);
	assert_false(baseline_tick(b, &env, T0 + 12 * BIN, &r));
	assert_int_equal(baseline_destinations(b, T0 + 12 * BIN, out, 16), 1);
	assert_memory_equal(out[0].addr.bytes, d1.bytes, 16);
	assert_int_equal(out[0].port, 443);
	assert_int_equal(out[0].flows, 30);
	/* An hour after its first use D3 is listed, after D1 (30 flows against 3). */
	assert_int_equal(baseline_destinations(b, T0 + 11 * BIN + SEC + 3600 * SEC, out, 16), 2);
	assert_int_equal(out[0].port, 443);
	assert_memory_equal(out[1].addr.bytes, d3.bytes, 16);
	assert_int_equal(out[1].port, 8883);
	assert_int_equal(out[1].proto, 6);
	assert_int_equal(out[1].flows, 3);
	assert_int_equal(out[1].first_us, T0 + 11 * BIN + SEC);
	/* A shorter list keeps the most used. */
	assert_int_equal(baseline_destinations(b, T0 + 11 * BIN + SEC + 3600 * SEC, out, 1), 1);
	assert_int_equal(out[0].port, 443);
	/* --learn's end makes what it saw baseline at once, the open bin's D4 too. */
	(void)flow_to(b, &env, T0 + 12 * BIN + SEC, 1, &d2, 17, 123, &r);
	assert_int_equal(baseline_destinations(b, T0 + 12 * BIN + SEC, out, 16), 1);
	baseline_end_learning(b);
	assert_int_equal(baseline_destinations(b, T0 + 12 * BIN + SEC, out, 16), 3);
	assert_int_equal(out[2].proto, 17);
	assert_int_equal(out[2].port, 123);
	baseline_destroy(b);
}

/* Records: a round trip is exact; damaged fields are refused. */
static void test_records(void **state)
{
	struct baseline_env env;
	struct baseline *b, *c;
	size_t len = baseline_record_size();
	unsigned char *rec = malloc(len), *rec2 = malloc(len);
	char why[128];

	(void)state;
	setup_model(false, &env);
	b = learned_baseline(&env);
	baseline_to_record(b, rec);
	c = baseline_from_record(rec, len, why, sizeof(why));
	assert_non_null(c);
	baseline_to_record(c, rec2);
	assert_memory_equal(rec, rec2, len);
	baseline_destroy(c);
	assert_null(baseline_from_record(rec, len - 1, why, sizeof(why)));
	assert_non_null(strstr(why, "bytes, expected"));
	/* Every byte 0xff: booleans of 255, NaN doubles, oversized sets. */
	memset(rec2, 0xff, len);
	assert_null(baseline_from_record(rec2, len, why, sizeof(why)));
	assert_string_equal(why, "a field holds an impossible value");
	baseline_destroy(b);
	free(rec);
	free(rec2);
}

/* ------------------------------------------------------------ incidents */

static int closed_count, forced_count;
static char closed_cause[INCIDENT_CAUSE_MAX];

static void on_close(void *ctx, const struct incident *inc, bool forced)
{
	(void)ctx;
	closed_count++;
	forced_count += forced;
	snprintf(closed_cause, sizeof(closed_cause), "%s", inc->cause);
}

static void test_incidents(void **state)
{
	struct incident_table *t = incident_table_create(2, 300, on_close, NULL);
	struct incident *inc;
	char long_cause[100];

	(void)state;
	closed_count = forced_count = 0;
	assert_int_equal(incident_hit(t, 1, "anomaly", SEV_MEDIUM, 6, T0, &inc), INCIDENT_OPENED);
	assert_int_equal(inc->hits, 1);
	/* Same severity, score below twice the reported 6: suppressed. */
	assert_int_equal(incident_hit(t, 1, "anomaly", SEV_MEDIUM, 11.9, T0 + SEC, &inc),
			 INCIDENT_SUPPRESSED);
	assert_int_equal(inc->suppressed, 1);
	/* Score 12 = 2 x 6: escalated. */
	assert_int_equal(incident_hit(t, 1, "anomaly", SEV_MEDIUM, 12, T0 + 2 * SEC, &inc),
			 INCIDENT_ESCALATED);
	/* Severity up: escalated; then the same high: suppressed. */
	assert_int_equal(incident_hit(t, 1, "anomaly", SEV_HIGH, 1, T0 + 3 * SEC, &inc),
			 INCIDENT_ESCALATED);
	assert_int_equal(incident_hit(t, 1, "anomaly", SEV_HIGH, 1, T0 + 4 * SEC, &inc),
			 INCIDENT_SUPPRESSED);
	assert_int_equal(inc->hits, 5);
	assert_int_equal(inc->reports, 3);
	assert_int_equal(inc->severity, SEV_HIGH);
	assert_double_equal(inc->score_max, 12, 1e-9);
	/* Another cause of the same device is another incident. */
	assert_int_equal(incident_hit(t, 1, "arp-spoof", SEV_HIGH, 0, T0 + 5 * SEC, &inc),
			 INCIDENT_OPENED);
	/* Quiet for 300 s after its last hit (T0 + 4 s) closes "anomaly" only after T0 + 304 s. */
	incident_expire(t, T0 + 304 * SEC);
	assert_int_equal(closed_count, 0);
	incident_expire(t, T0 + 304 * SEC + 1);
	assert_int_equal(closed_count, 1);
	assert_string_equal(closed_cause, "anomaly");
	/* The cap is 2: a third open incident forces the quietest (arp-spoof) closed. */
	assert_int_equal(incident_hit(t, 2, "x", SEV_LOW, 0, T0 + 400 * SEC, &inc),
			 INCIDENT_OPENED);
	assert_int_equal(incident_hit(t, 3, "y", SEV_LOW, 0, T0 + 401 * SEC, &inc),
			 INCIDENT_OPENED);
	assert_int_equal(closed_count, 2);
	assert_int_equal(forced_count, 1);
	assert_string_equal(closed_cause, "arp-spoof");
	/* A cause longer than the record keeps is cut the same way each time: one incident. */
	memset(long_cause, 'c', sizeof(long_cause) - 1);
	long_cause[sizeof(long_cause) - 1] = '\0';
	assert_int_equal(incident_hit(t, 3, long_cause, SEV_LOW, 0, T0 + 402 * SEC, &inc),
			 INCIDENT_OPENED);
	assert_int_equal(strlen(inc->cause), INCIDENT_CAUSE_MAX - 1);
	assert_int_equal(incident_hit(t, 3, long_cause, SEV_LOW, 0, T0 + 403 * SEC, &inc),
			 INCIDENT_SUPPRESSED);
	incident_flush(t);
	assert_int_equal(incident_table_stats(t)->active, 0);
	incident_table_destroy(t);
}

/* ------------------------------------------------------------ ARP watch */

static struct ew_arp arp(uint16_t op, uint8_t mac_last, const uint8_t ip[4])
{
	struct ew_arp a;

	memset(&a, 0, sizeof(a));
	a.op = op;
	a.sha[0] = 0x02;
	a.sha[5] = mac_last;
	memcpy(a.spa, ip, 4);
	return a;
}

static void test_arp_watch(void **state)
{
	static const uint8_t gw[4] = { 192, 168, 1, 1 }, zero[4] = { 0, 0, 0, 0 };
	struct arp_watch *w = arp_watch_create(16, 300);
	struct arp_conflict c;
	struct ew_arp a;

	(void)state;
	a = arp(2, 1, gw);
	assert_false(arp_watch_packet(w, &a, T0, &c));
	assert_false(arp_watch_packet(w, &a, T0 + SEC, &c));
	/* Another MAC claims the gateway 10 s after it last did: a conflict. */
	a = arp(2, 9, gw);
	assert_true(arp_watch_packet(w, &a, T0 + 11 * SEC, &c));
	assert_int_equal(c.claimant_mac[5], 9);
	assert_int_equal(c.holder_mac[5], 1);
	assert_int_equal(c.holder_claims, 2);
	assert_int_equal(c.holder_last_us, T0 + SEC);
	assert_true(c.reply);
	/* The holder keeps the address: the next claim conflicts again. */
	assert_true(arp_watch_packet(w, &a, T0 + 12 * SEC, &c));
	/* A probe claims nothing. */
	a = arp(1, 7, zero);
	assert_false(arp_watch_packet(w, &a, T0 + 13 * SEC, &c));
	/* 301 s after the holder's last claim, the address passes on silently. */
	a = arp(2, 9, gw);
	assert_false(arp_watch_packet(w, &a, T0 + SEC + 301 * SEC, &c));
	assert_int_equal(arp_watch_stats(w)->handovers, 1);
	assert_int_equal(arp_watch_stats(w)->conflicts, 2);
	arp_watch_destroy(w);
}

/* ------------------------------------------------------------ baselines file */

static void test_store(void **state)
{
	struct baseline_env env;
	struct baseline_table *t = baseline_table_create(8), *u;
	char dir[] = "/tmp/ew-test-baseline-XXXXXX", path[256], aside[300], err[512];
	size_t loaded = 0;
	FILE *fp;
	long size;

	(void)state;
	setup_model(false, &env);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/%s", dir, BASELINE_STORE_FILE);
	assert_non_null(baseline_table_get(t, 0x001122334455ULL, T0, true));
	assert_non_null(baseline_table_get(t, 0x0011223344aaULL, T0, true));
	assert_int_equal(baseline_store_save(t, 60, path, err, sizeof(err)), BASELINE_STORE_OK);

	u = baseline_table_create(8);
	assert_int_equal(baseline_store_load(u, 60, path, &loaded, err, sizeof(err)),
			 BASELINE_STORE_OK);
	assert_int_equal(loaded, 2);
	assert_non_null(baseline_table_get(u, 0x0011223344aaULL, 0, false));
	baseline_table_destroy(u);

	/* Another bin length: incompatible, set aside. */
	u = baseline_table_create(8);
	assert_int_equal(baseline_store_load(u, 30, path, &loaded, err, sizeof(err)),
			 BASELINE_STORE_INCOMPATIBLE);
	snprintf(aside, sizeof(aside), "%s.incompatible", path);
	assert_int_equal(access(aside, F_OK), 0);
	assert_int_equal(access(path, F_OK), -1);
	assert_non_null(strstr(err, "learned with 60 s bins, the model now has 30 s"));
	baseline_table_destroy(u);

	/* Cut short by one byte: corrupt, nothing kept, set aside. */
	assert_int_equal(baseline_store_save(t, 60, path, err, sizeof(err)), BASELINE_STORE_OK);
	fp = fopen(path, "r+");
	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	size = ftell(fp);
	fclose(fp);
	assert_int_equal(truncate(path, size - 1), 0);
	u = baseline_table_create(8);
	assert_int_equal(baseline_store_load(u, 60, path, &loaded, err, sizeof(err)),
			 BASELINE_STORE_CORRUPT);
	assert_int_equal(baseline_table_stats(u)->active, 0);
	assert_non_null(strstr(err, "record 2 of 2 is cut short"));
	snprintf(aside, sizeof(aside), "%s.corrupt", path);
	assert_int_equal(access(aside, F_OK), 0);
	baseline_table_destroy(u);

	/* No file: a first run. */
	u = baseline_table_create(8);
	assert_int_equal(baseline_store_load(u, 60, path, &loaded, err, sizeof(err)),
			 BASELINE_STORE_MISSING);
	baseline_table_destroy(u);
	baseline_table_destroy(t);
	unlink(aside);
	snprintf(aside, sizeof(aside), "%s.incompatible", path);
	unlink(aside);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prior_early),   cmocka_unit_test(test_learned_threshold),
		cmocka_unit_test(test_close_report),  cmocka_unit_test(test_silence),
		cmocka_unit_test(test_novelty),       cmocka_unit_test(test_learn_only),
		cmocka_unit_test(test_time_back),     cmocka_unit_test(test_records),
		cmocka_unit_test(test_incidents),     cmocka_unit_test(test_arp_watch),
		cmocka_unit_test(test_store),         cmocka_unit_test(test_pair_rate),
		cmocka_unit_test(test_destinations),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	model_free(&test_model);
	return rc;
}
