/*
 * device-store.c - save and load the device inventory (see device-store.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "device-store.h"

#define STORE_MAGIC "edgewatch-inventory 1"
#define STORE_MAX_FIELDS 12

/* ------------------------------------------------------------ writing */

static void put_escaped(FILE *fp, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c <= 0x20 || c > 0x7e || c == '%')
			fprintf(fp, "%%%02X", c);
		else
			fputc(c, fp);
	}
}

static void put_addr(FILE *fp, const struct device_addr *a)
{
	char text[EW_ADDR_STRLEN];

	ew_addr_format(&a->addr, text, sizeof(text));
	fprintf(fp, "A %s %u %" PRIu64 " %" PRIu64 "\n", text, a->source, a->first_ts, a->last_ts);
}

static void save_device(void *ctx, const struct device *d)
{
	FILE *fp = ctx;

	fprintf(fp, "D %02x:%02x:%02x:%02x:%02x:%02x %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64
		" %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n",
		d->mac[0], d->mac[1], d->mac[2], d->mac[3], d->mac[4], d->mac[5], d->first_ts,
		d->last_ts, d->pkts_out, d->bytes_out, d->pkts_in, d->bytes_in, d->flows_out,
		d->flows_in, d->routed_pkts);
	for (int i = 0; i < d->naddr; i++)
		put_addr(fp, &d->addr[i]);
	for (int k = 0; k < SIG_KIND_MAX; k++)
		for (int i = 0; i < d->sig[k].n; i++) {
			const struct device_signal *s = &d->sig[k].slot[i];
			fprintf(fp, "S %s %u %" PRIu64 " %" PRIu64 " ",
				device_signal_kind_name((enum device_signal_kind)k), s->count,
				s->first_ts, s->last_ts);
			put_escaped(fp, s->value);
			fputc('\n', fp);
		}
}

/* fsync of the directory makes the rename itself durable. */
static int sync_dir_of(const char *path)
{
	char *copy = strdup(path);
	int fd, rc = -1;

	if (copy == NULL)
		return -1;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
	if (fd >= 0) {
		rc = fsync(fd);
		close(fd);
	}
	free(copy);
	return rc;
}

enum device_store_result device_store_save(const struct device_table *dt, const char *path,
					   char *err, size_t errlen)
{
	char tmp[4096];
	FILE *fp;
	int fd;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", path) >= sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", path);
		return STORE_IO_ERROR;
	}
	if ((fd = mkstemp(tmp)) < 0 || (fp = fdopen(fd, "w")) == NULL) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		return STORE_IO_ERROR;
	}
	fprintf(fp, "%s\n", STORE_MAGIC);
	device_table_foreach(dt, save_device, fp);
	if (fflush(fp) != 0 || fsync(fileno(fp)) != 0 || ferror(fp)) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		fclose(fp);
		unlink(tmp);
		return STORE_IO_ERROR;
	}
	if (fclose(fp) != 0 || rename(tmp, path) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return STORE_IO_ERROR;
	}
	sync_dir_of(path);
	return STORE_OK;
}

/* ------------------------------------------------------------ reading */

struct loader {
	struct device_table *dt;
	const char *path;
	unsigned long line;
	struct device *cur;
	size_t loaded;
	char *err;
	size_t errlen;
};

static int bad(struct loader *ld, const char *what)
{
	snprintf(ld->err, ld->errlen, "%s:%lu: %s", ld->path, ld->line, what);
	return -1;
}

/* Splits line in place on single spaces; returns the field count or -1. */
static int split(char *line, char *fields[STORE_MAX_FIELDS])
{
	int n = 0;
	char *p = line;

	while (n < STORE_MAX_FIELDS) {
		fields[n++] = p;
		p = strchr(p, ' ');
		if (p == NULL)
			return n;
		*p++ = '\0';
	}
	return -1;
}

static bool parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno == 0 && *end == '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Undoes put_escaped in place; false on a bad escape or a NUL. */
static bool unescape(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (*s != '%') {
			*out++ = *s;
			continue;
		}
		int hi = hexval(s[1]), lo = hi < 0 ? -1 : hexval(s[2]);
		if (lo < 0 || (hi == 0 && lo == 0))
			return false;
		*out++ = (char)(hi * 16 + lo);
		s += 2;
	}
	*out = '\0';
	return true;
}

static int load_device(struct loader *ld, char **f, int n)
{
	unsigned m[6];
	uint8_t mac[6];
	uint64_t v[9];
	char tail;

	if (n != 11)
		return bad(ld, "a D line has 11 fields");
	if (sscanf(f[1], "%2x:%2x:%2x:%2x:%2x:%2x%c", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5],
		   &tail) != 6)
		return bad(ld, "bad MAC address");
	for (int i = 0; i < 9; i++)
		if (!parse_u64(f[i + 2], &v[i]))
			return bad(ld, "bad number");
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)m[i];
	if ((ld->cur = device_table_restore(ld->dt, mac, v[0], v[1])) == NULL)
		return bad(ld, "not a device MAC address");
	ld->cur->pkts_out = v[2];
	ld->cur->bytes_out = v[3];
	ld->cur->pkts_in = v[4];
	ld->cur->bytes_in = v[5];
	ld->cur->flows_out = v[6];
	ld->cur->flows_in = v[7];
	ld->cur->routed_pkts = v[8];
	ld->loaded++;
	return 0;
}

static int load_addr(struct loader *ld, char **f, int n)
{
	struct device_addr *a;
	uint64_t src, first, last;
	uint8_t buf[16];

	if (ld->cur == NULL)
		return bad(ld, "an A line before any D line");
	if (n != 5 || !parse_u64(f[2], &src) || src >= ADDR_FROM_MAX || !parse_u64(f[3], &first) ||
	    !parse_u64(f[4], &last))
		return bad(ld, "bad A line");
	if (ld->cur->naddr >= DEVICE_MAX_ADDRS)
		return bad(ld, "too many addresses for one device");
	a = &ld->cur->addr[ld->cur->naddr];
	if (inet_pton(AF_INET, f[1], buf) == 1)
		ew_addr_set_v4(&a->addr, buf);
	else if (inet_pton(AF_INET6, f[1], buf) == 1)
		ew_addr_set_v6(&a->addr, buf);
	else
		return bad(ld, "bad address");
	a->source = (uint8_t)src;
	a->first_ts = first;
	a->last_ts = last;
	ld->cur->naddr++;
	return 0;
}

static int load_signal(struct loader *ld, char **f, int n)
{
	uint64_t count, first, last;
	int kind;

	if (ld->cur == NULL)
		return bad(ld, "an S line before any D line");
	if (n != 6 || !parse_u64(f[2], &count) || count > UINT32_MAX || !parse_u64(f[3], &first) ||
	    !parse_u64(f[4], &last))
		return bad(ld, "bad S line");
	if ((kind = device_signal_kind_from_name(f[1])) < 0)
		return bad(ld, "unknown signal kind");
	if (!unescape(f[5]))
		return bad(ld, "bad escape in a value");
	if (!device_table_restore_signal(ld->cur, (enum device_signal_kind)kind, f[5],
					 (uint32_t)count, first, last))
		return bad(ld, "signal value not accepted (empty, too long or set full)");
	return 0;
}

static int load_line(struct loader *ld, char *line)
{
	char *f[STORE_MAX_FIELDS];
	int n = split(line, f);

	if (n < 0)
		return bad(ld, "too many fields");
	if (strcmp(f[0], "D") == 0)
		return load_device(ld, f, n);
	if (strcmp(f[0], "A") == 0)
		return load_addr(ld, f, n);
	if (strcmp(f[0], "S") == 0)
		return load_signal(ld, f, n);
	return bad(ld, "unknown record type");
}

static int load_stream(struct loader *ld, FILE *fp)
{
	char line[DEVICE_STORE_LINE_MAX + 2];

	while (fgets(line, sizeof(line), fp) != NULL) {
		size_t len = strlen(line);
		ld->line++;
		if (len == 0 || line[len - 1] != '\n')
			return bad(ld, feof(fp) ? "last line not terminated (file cut short?)"
						: "line too long");
		line[len - 1] = '\0';
		if (ld->line == 1) {
			if (strcmp(line, STORE_MAGIC) != 0)
				return bad(ld, "not an edgewatch inventory of version 1");
			continue;
		}
		if (load_line(ld, line) != 0)
			return -1;
	}
	if (ferror(fp))
		return bad(ld, "read error");
	if (ld->line == 0)
		return bad(ld, "empty file");
	return 0;
}

enum device_store_result device_store_load(struct device_table *dt, const char *path,
					   size_t *loaded, char *err, size_t errlen)
{
	struct loader ld = { .dt = dt, .path = path, .err = err, .errlen = errlen };
	char aside[4096];
	FILE *fp;

	*loaded = 0;
	if ((fp = fopen(path, "r")) == NULL) {
		if (errno == ENOENT)
			return STORE_MISSING;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return STORE_IO_ERROR;
	}
	if (load_stream(&ld, fp) == 0) {
		fclose(fp);
		*loaded = ld.loaded;
		return STORE_OK;
	}
	fclose(fp);
	/*
	 * What was read before the damage is in the table; keeping half a
	 * record set would be worse than none, but the table cannot drop
	 * records, so the caller starts over with a fresh table.
	 */
	if ((size_t)snprintf(aside, sizeof(aside), "%s.corrupt", path) < sizeof(aside) &&
	    rename(path, aside) == 0) {
		size_t used = strlen(err);
		snprintf(err + used, errlen - used, "; set aside as %s", aside);
	}
	return STORE_CORRUPT;
}
