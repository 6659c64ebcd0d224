/*
 * fuzz-baseline.c - libFuzzer target for restoring saved baselines.
 *
 * A baselines file is the sensor's own memory written to disk; a damaged
 * one must be refused, and one that passes baseline_from_record() must be
 * safe to use.  The input is one record (padded with zeros or cut to the
 * record size) followed by bytes that drive observations: each 16 bytes
 * are one call (packet, flow start, failure, DNS query, item or tick) at
 * a time that only moves forward.  The sanitizers watch the reads and
 * writes; the target checks that every report is within its bounds.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
	if (!ok)
		abort();
}

static void check_report(const struct baseline_report *r)
{
	check(r->nfeatures <= BASELINE_REPORT_FEATURES);
	check(r->nnovel <= BASELINE_REPORT_NOVEL);
	for (size_t i = 0; i < r->nnovel; i++)
		check(memchr(r->novel[i].item, '\0', sizeof(r->novel[i].item)) != NULL);
	check(r->window_start <= r->window_end);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct model m;
	static bool ready;
	size_t rec_size = baseline_record_size();
	unsigned char *rec = calloc(1, rec_size);
	struct baseline_env env;
	struct baseline_report r;
	struct baseline *b;
	char why[128];
	ew_usec_t ts = 1772438400ULL * EW_USEC_PER_SEC;

	if (!ready) {
		check(model_init_defaults(&m) == 0);
		m.learn_s = 600;
		m.forecast_warmup_bins = 2;
		ready = true;
	}
	check(rec != NULL);
	memcpy(rec, data, size < rec_size ? size : rec_size);
	b = baseline_from_record(rec, rec_size, why, sizeof(why));
	free(rec);
	if (b == NULL) {
		check(memchr(why, '\0', sizeof(why)) != NULL);
		return 0;
	}
	env.model = &m;
	env.cls = baseline_class(b, &m, "camera");
	env.learn_only = false;
	for (size_t off = rec_size; off + 16 <= size; off += 16) {
		const uint8_t *op = data + off;
		uint64_t key;
		bool rep = false;
		char label[8];

		memcpy(&key, op + 8, sizeof(key));
		/* Up to about 18 hours forward per call: bins, silences, learning's end. */
		ts += ((uint64_t)op[1] << 16 | (uint64_t)op[2] << 8 | op[3]) * 1000u * (op[4] & 7);
		snprintf(label, sizeof(label), "%02x%02x", op[5], op[6]);
		switch (op[0] % 6) {
		case 0:
			rep = baseline_packet(b, &env, ts, op[5] & 1, op[6] * 17u, key, &r);
			break;
		case 1:
			rep = baseline_flow_start(b, &env, ts, op[5] & 1, key, op[6] & 1, key >> 3,
						  label, op[7] & 1 ? 6 : 17, (uint16_t)key, op[6] & 2,
						  &r);
			break;
		case 2:
			rep = baseline_failed(b, &env, ts, &r);
			break;
		case 3:
			rep = baseline_dns_query(b, &env, ts, key, &r);
			break;
		case 4:
			rep = baseline_item(b, &env, ts, (enum bl_category)(op[5] % (BLC_COUNT + 1)),
					    label, &r);
			break;
		default:
			rep = baseline_tick(b, &env, ts, &r);
			break;
		}
		if (rep)
			check_report(&r);
	}
	baseline_destroy(b);
	return 0;
}
