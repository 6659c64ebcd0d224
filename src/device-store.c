/*
 * device-store.c - save and load the device inventory (see device-store.h).
 *
 * Version 2 of the format (written since devices may be keyed by IP)
 * differs from version 1 (still read) in three ways:
 *
 *   D <mac> ... <routed> <outside_srcs> <inside_srcs>   two more fields:
 *       the router evidence (device.h), so a router stays one with its reason
 *   I <address> <first_us> <last_us> <pkts_out> <bytes_out> <pkts_in>
 *     <bytes_in> <flows_out> <flows_in>                 a device keyed by IP
 *   A <address> <source> <first_us> <last_us> <owned>   owned: 1 when bound
 *       by ARP, DHCP or NDP (device_addr.owned)
 *
 * A version 1 file has no I lines; its addresses count as owned when
 * their first source was ARP, DHCP or NDP, which is what version 1 knew.
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

#define STORE_MAGIC "edgewatch-inventory 2"
#define STORE_MAGIC_V1 "edgewatch-inventory 1"
#define STORE_MAX_FIELDS 14

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
	fprintf(fp, "A %s %u %" PRIu64 " %" PRIu64 " %u\n", text, a->source, a->first_ts, a->last_ts,
		a->owned ? 1u : 0u);
}

static void save_device(void *ctx, const struct device *d)
{
	FILE *fp = ctx;
	char ip[EW_ADDR_STRLEN];

	if (d->key_kind == DEVICE_KEY_IP) {
		ew_addr_format(&d->ip, ip, sizeof(ip));
		fprintf(fp, "I %s %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64
			" %" PRIu64 " %" PRIu64 " %" PRIu64 "\n",
			ip, d->first_ts, d->last_ts, d->pkts_out, d->bytes_out, d->pkts_in,
			d->bytes_in, d->flows_out, d->flows_in);
	} else {
		fprintf(fp, "D %02x:%02x:%02x:%02x:%02x:%02x %" PRIu64 " %" PRIu64 " %" PRIu64
			" %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64
			" %u %u\n",
			d->mac[0], d->mac[1], d->mac[2], d->mac[3], d->mac[4], d->mac[5],
			d->first_ts, d->last_ts, d->pkts_out, d->bytes_out, d->pkts_in, d->bytes_in,
			d->flows_out, d->flows_in, d->routed_pkts, d->outside_srcs, d->inside_srcs);
	}
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
	int version; /* of the file: 1 or 2 */
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

/* The counters shared by D and I lines, from v[2..7]. */
static void set_counters(struct device *d, const uint64_t v[8])
{
	d->pkts_out = v[2];
	d->bytes_out = v[3];
	d->pkts_in = v[4];
	d->bytes_in = v[5];
	d->flows_out = v[6];
	d->flows_in = v[7];
}

static int load_device(struct loader *ld, char **f, int n)
{
	unsigned m[6];
	uint8_t mac[6];
	uint64_t v[11];
	int want = ld->version == 1 ? 11 : 13;
	char tail;

	if (n != want)
		return bad(ld, ld->version == 1 ? "a D line has 11 fields" : "a D line has 13 fields");
	if (sscanf(f[1], "%2x:%2x:%2x:%2x:%2x:%2x%c", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5],
		   &tail) != 6)
		return bad(ld, "bad MAC address");
	for (int i = 0; i < want - 2; i++)
		if (!parse_u64(f[i + 2], &v[i]))
			return bad(ld, "bad number");
	/* The evidence counts saturate at DEVICE_SRC_TRACK; more is not what we wrote. */
	if (want == 13 && (v[9] > DEVICE_SRC_TRACK || v[10] > DEVICE_SRC_TRACK))
		return bad(ld, "router evidence count out of range");
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)m[i];
	if ((ld->cur = device_table_restore(ld->dt, mac, v[0], v[1])) == NULL)
		return bad(ld, "not a device MAC address");
	set_counters(ld->cur, v);
	ld->cur->routed_pkts = v[8];
	if (want == 13) {
		ld->cur->outside_srcs = (uint32_t)v[9];
		ld->cur->inside_srcs = (uint32_t)v[10];
	}
	ld->loaded++;
	return 0;
}

static bool parse_addr(const char *text, struct ew_addr *a)
{
	uint8_t buf[16];

	if (inet_pton(AF_INET, text, buf) == 1)
		ew_addr_set_v4(a, buf);
	else if (inet_pton(AF_INET6, text, buf) == 1)
		ew_addr_set_v6(a, buf);
	else
		return false;
	return true;
}

/* A device keyed by IP (version 2). */
static int load_ip_device(struct loader *ld, char **f, int n)
{
	struct ew_addr a;
	uint64_t v[8];

	if (ld->version == 1)
		return bad(ld, "unknown record type");
	if (n != 10)
		return bad(ld, "an I line has 10 fields");
	if (!parse_addr(f[1], &a))
		return bad(ld, "bad address");
	for (int i = 0; i < 8; i++)
		if (!parse_u64(f[i + 2], &v[i]))
			return bad(ld, "bad number");
	if ((ld->cur = device_table_restore_ip(ld->dt, &a, v[0], v[1])) == NULL)
		return bad(ld, "not a device address");
	set_counters(ld->cur, v);
	ld->loaded++;
	return 0;
}

static int load_addr(struct loader *ld, char **f, int n)
{
	struct device_addr *a;
	uint64_t src, first, last, owned = 0;

	if (ld->cur == NULL)
		return bad(ld, "an A line before any D or I line");
	if (n != (ld->version == 1 ? 5 : 6) || !parse_u64(f[2], &src) || src >= ADDR_FROM_MAX ||
	    !parse_u64(f[3], &first) || !parse_u64(f[4], &last) ||
	    (n == 6 && (!parse_u64(f[5], &owned) || owned > 1)))
		return bad(ld, "bad A line");
	if (ld->cur->naddr >= DEVICE_MAX_ADDRS)
		return bad(ld, "too many addresses for one device");
	a = &ld->cur->addr[ld->cur->naddr];
	if (!parse_addr(f[1], &a->addr))
		return bad(ld, "bad address");
	a->owned = ld->version == 1 ? src != ADDR_FROM_TRAFFIC : owned == 1;
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
		return bad(ld, "an S line before any D or I line");
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
	if (strcmp(f[0], "I") == 0)
		return load_ip_device(ld, f, n);
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
			if (strcmp(line, STORE_MAGIC) == 0)
				ld->version = 2;
			else if (strcmp(line, STORE_MAGIC_V1) == 0)
				ld->version = 1;
			else
				return bad(ld, "not an edgewatch inventory of version 1 or 2");
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
