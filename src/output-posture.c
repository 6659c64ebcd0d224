/*
 * output-posture.c - posture events and the table of devices by finding
 * (see output-posture.h).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "output-device.h"
#include "output-posture.h"
#include "util-time.h"

#define TABLE_NAMES_MAX 4 /* devices named per finding in the table */

static void put_time(struct json_buf *jb, const char *key, ew_usec_t ts)
{
	char buf[EW_TIMESTAMP_LEN];

	ew_time_format(ts, buf);
	json_string(jb, key, buf);
}

void output_posture_members(struct json_buf *jb, const struct posture_device *pd)
{
	char a[EW_ADDR_STRLEN];

	json_open_array(jb, "findings");
	for (unsigned f = 0; f < PF_COUNT; f++) {
		const struct posture_item *it = &pd->item[f];

		if (!(pd->findings & (1u << f)))
			continue;
		json_open_object(jb, NULL);
		json_string(jb, "name", posture_finding_name((enum posture_finding)f));
		put_time(jb, "first_seen", it->first_us);
		put_time(jb, "last_seen", it->last_us);
		json_uint(jb, "count", it->count);
		json_string(jb, "example", it->example);
		json_close_object(jb);
	}
	json_close_array(jb);
	json_open_array(jb, "dns_resolvers");
	/* nresolvers is the table's; bounded again so a bad record cannot read past. */
	for (unsigned i = 0; i < pd->nresolvers && i < POSTURE_RESOLVERS; i++) {
		ew_addr_format(&pd->resolver[i], a, sizeof(a));
		json_string(jb, NULL, a);
	}
	json_close_array(jb);
}

int output_posture_event(struct json_buf *jb, ew_usec_t ts, const struct device *d,
			 const struct posture_device *pd, uint32_t fresh)
{
	char key[17];

	json_reset(jb);
	json_open_object(jb, NULL);
	put_time(jb, "timestamp", ts);
	json_string(jb, "event_type", "posture");
	json_open_object(jb, "device");
	if (d != NULL) {
		output_device_identity(jb, d);
	} else {
		snprintf(key, sizeof(key), "%016" PRIx64, pd->key);
		json_string(jb, "device_key", key);
	}
	json_close_object(jb);
	json_open_object(jb, "posture");
	json_open_array(jb, "new");
	for (unsigned f = 0; f < PF_COUNT; f++)
		if (fresh & (1u << f))
			json_string(jb, NULL, posture_finding_name((enum posture_finding)f));
	json_close_array(jb);
	output_posture_members(jb, pd);
	json_close_object(jb);
	json_close_object(jb);
	return jb->err ? -1 : 0;
}

struct table_ctx {
	unsigned finding;
	unsigned count;
	char names[TABLE_NAMES_MAX][96];
	const char *(*name_of)(void *ctx, uint64_t key, char *buf, size_t len);
	void *ctx;
};

static void table_one(void *ctx, const struct posture_device *d)
{
	struct table_ctx *tc = ctx;

	if (!(d->findings & (1u << tc->finding)))
		return;
	if (tc->count < TABLE_NAMES_MAX)
		tc->name_of(tc->ctx, d->key, tc->names[tc->count], sizeof(tc->names[0]));
	tc->count++;
}

void output_posture_table(FILE *out, const struct posture *p,
			  const char *(*name_of)(void *ctx, uint64_t key, char *buf, size_t len),
			  void *ctx)
{
	bool any = false;

	for (unsigned f = 0; f < PF_COUNT; f++) {
		struct table_ctx tc = { .finding = f, .name_of = name_of, .ctx = ctx };

		posture_foreach(p, table_one, &tc);
		if (tc.count == 0)
			continue;
		if (!any)
			fprintf(out, "posture: devices by finding\n");
		any = true;
		fprintf(out, "  %-30s %3u device%s:", posture_finding_name((enum posture_finding)f),
			tc.count, tc.count == 1 ? " " : "s");
		for (unsigned i = 0; i < tc.count && i < TABLE_NAMES_MAX; i++)
			fprintf(out, "%s %s", i ? "," : "", tc.names[i]);
		fprintf(out, "%s\n", tc.count > TABLE_NAMES_MAX ? ", ..." : "");
	}
	if (!any)
		fprintf(out, "posture: no finding\n");
}
