/*
 * baseline-store.c - baselines on disk (see baseline-store.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline-store.h"
#include "util-file.h"
#include "util-hash.h"

#define STORE_MAGIC "EWBASEL" /* with its NUL: 8 bytes */
#define STORE_CHECK_SEED 0x636865636bULL
/* The most baselines a file may announce: far past any device cap, far below overflow. */
#define STORE_MAX_RECORDS (1u << 24)

struct store_header {
	char magic[8];
	uint32_t version, record_size, bin_s, zero;
	uint64_t count;
};

struct save_ctx {
	uint32_t bin_s;
	uint64_t count;
	unsigned char *rec; /* key, record, check */
	size_t rec_len;
	FILE *fp;
	int failed;
};

static uint64_t record_check(const unsigned char *rec, size_t len)
{
	return ew_hash64(rec, len, STORE_CHECK_SEED);
}

static void count_one(void *ctx, uint64_t key, struct baseline *b)
{
	(void)key;
	(void)b;
	((struct save_ctx *)ctx)->count++;
}

static void write_one(void *ctx, uint64_t key, struct baseline *b)
{
	struct save_ctx *sc = ctx;
	size_t body = sizeof(key) + baseline_record_size();
	uint64_t check;

	memcpy(sc->rec, &key, sizeof(key));
	baseline_to_record(b, sc->rec + sizeof(key));
	check = record_check(sc->rec, body);
	memcpy(sc->rec + body, &check, sizeof(check));
	if (fwrite(sc->rec, sc->rec_len, 1, sc->fp) != 1)
		sc->failed = 1;
}

struct write_args {
	struct baseline_table *t;
	struct save_ctx sc;
};

static int write_all(FILE *fp, void *ctx)
{
	struct write_args *wa = ctx;
	struct store_header h;

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, STORE_MAGIC, sizeof(h.magic));
	h.version = BASELINE_STORE_VERSION;
	h.record_size = (uint32_t)baseline_record_size();
	h.bin_s = wa->sc.bin_s;
	h.count = wa->sc.count;
	if (fwrite(&h, sizeof(h), 1, fp) != 1)
		return -1;
	wa->sc.fp = fp;
	baseline_table_foreach(wa->t, write_one, &wa->sc);
	return wa->sc.failed ? -1 : 0;
}

enum baseline_store_result baseline_store_save(struct baseline_table *t, uint32_t bin_s,
					       const char *path, char *err, size_t errlen)
{
	struct write_args wa = { .t = t };
	int rc;

	wa.sc.bin_s = bin_s;
	wa.sc.rec_len = sizeof(uint64_t) * 2 + baseline_record_size();
	wa.sc.rec = calloc(1, wa.sc.rec_len);
	if (wa.sc.rec == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return BASELINE_STORE_IO_ERROR;
	}
	baseline_table_foreach(t, count_one, &wa.sc);
	rc = ew_write_atomic(path, write_all, &wa, err, errlen);
	free(wa.sc.rec);
	return rc == 0 ? BASELINE_STORE_OK : BASELINE_STORE_IO_ERROR;
}

/* Reads the records after the header; -1 with err on damage. */
static int read_records(struct baseline_table *t, FILE *fp, const char *path, uint64_t count,
			size_t *loaded, char *err, size_t errlen)
{
	size_t body = sizeof(uint64_t) + baseline_record_size();
	size_t rec_len = body + sizeof(uint64_t);
	unsigned char *rec = malloc(rec_len);
	int rc = -1;

	if (rec == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	for (uint64_t i = 0; i < count; i++) {
		uint64_t key, check;
		struct baseline *b;
		char why[128];

		if (fread(rec, rec_len, 1, fp) != 1) {
			snprintf(err, errlen, "%s: record %llu of %llu is cut short", path,
				 (unsigned long long)i + 1, (unsigned long long)count);
			goto out;
		}
		memcpy(&key, rec, sizeof(key));
		memcpy(&check, rec + body, sizeof(check));
		if (check != record_check(rec, body)) {
			snprintf(err, errlen, "%s: record %llu fails its check", path,
				 (unsigned long long)i + 1);
			goto out;
		}
		b = baseline_from_record(rec + sizeof(key), baseline_record_size(), why,
					 sizeof(why));
		if (b == NULL) {
			snprintf(err, errlen, "%s: record %llu: %s", path,
				 (unsigned long long)i + 1, why);
			goto out;
		}
		if (baseline_table_put(t, key, b) != 0) {
			snprintf(err, errlen, "%s: out of memory", path);
			goto out;
		}
		(*loaded)++;
	}
	if (fgetc(fp) != EOF) {
		snprintf(err, errlen, "%s: bytes after the last record", path);
		goto out;
	}
	rc = 0;
out:
	free(rec);
	return rc;
}

enum baseline_store_result baseline_store_load(struct baseline_table *t, uint32_t bin_s,
					       const char *path, size_t *loaded, char *err,
					       size_t errlen)
{
	struct store_header h;
	FILE *fp;
	enum baseline_store_result r = BASELINE_STORE_CORRUPT;

	*loaded = 0;
	if ((fp = fopen(path, "rb")) == NULL) {
		if (errno == ENOENT)
			return BASELINE_STORE_MISSING;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return BASELINE_STORE_IO_ERROR;
	}
	if (fread(&h, sizeof(h), 1, fp) != 1 || memcmp(h.magic, STORE_MAGIC, sizeof(h.magic)) != 0) {
		snprintf(err, errlen, "%s: not an edgewatch baseline file", path);
	} else if (h.version != BASELINE_STORE_VERSION ||
		   h.record_size != baseline_record_size()) {
		snprintf(err, errlen, "%s: version %u with %u-byte records; this edgewatch reads "
			 "version %u with %zu-byte records", path, h.version, h.record_size,
			 BASELINE_STORE_VERSION, baseline_record_size());
		r = BASELINE_STORE_INCOMPATIBLE;
	} else if (h.bin_s != bin_s) {
		snprintf(err, errlen, "%s: learned with %u s bins, the model now has %u s", path,
			 h.bin_s, bin_s);
		r = BASELINE_STORE_INCOMPATIBLE;
	} else if (h.count > STORE_MAX_RECORDS) {
		snprintf(err, errlen, "%s: announces %llu records", path,
			 (unsigned long long)h.count);
	} else if (read_records(t, fp, path, h.count, loaded, err, errlen) == 0) {
		r = BASELINE_STORE_OK;
	}
	fclose(fp);
	if (r != BASELINE_STORE_OK) {
		/* Half a file is worse than none: the devices learn again from scratch. */
		baseline_table_clear(t);
		*loaded = 0;
	}
	if (r != BASELINE_STORE_OK)
		ew_set_aside(path, r == BASELINE_STORE_INCOMPATIBLE ? "incompatible" : "corrupt",
			     err, errlen);
	return r;
}
