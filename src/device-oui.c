/*
 * device-oui.c - the IEEE MAC registries, loaded for vendor lookups (see device-oui.h).
 *
 * The files are the IEEE's CSV exports as Debian's ieee-data package
 * ships them: a header line, then "Registry,Assignment,Organization
 * Name,Organization Address" records, CRLF line ends, RFC 4180 quoting
 * ("" for a quote inside a quoted field).  The real files put line feeds
 * inside quoted addresses, so a record may span several lines; messages
 * name the line a record starts on.
 *
 * Layout: one sorted array per prefix length (36, 28 and 24 bits), binary
 * searched longest first, and every organisation name stored once in a
 * single string arena that entries point into by offset.  Huawei alone
 * has hundreds of prefixes; interning the names while loading shrinks the
 * arena by a third.  Debian 12's registry (46,521 prefixes) takes 1.4 MB
 * (0.74 MB of entries, 0.68 MB of names) and loads in about 20 ms; the
 * load peaks near 4.5 MB while oui.csv is in memory.
 *
 * The input is trusted only as far as its limits: a record is at most
 * OUI_MAX_LINE_BYTES, a file at most OUI_MAX_FILE_BYTES, the registry at
 * most OUI_MAX_ENTRIES rows.  Anything malformed fails the whole load with
 * the file and line, so a damaged registry is noticed rather than half
 * used.  The one exception is a prefix listed twice: the real oui.csv
 * does that (080030 three times), so the first listing wins quietly.
 *
 * Deliberately not done: the CID registry (cid.csv; CIDs have the local
 * bit set, so they never name a device's manufacturer) and the addresses,
 * which are parsed for well-formedness and dropped.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "device-oui.h"
#include "util-file.h"

/*
 * The real files are 0.4 to 3 MiB and their longest record is 340 bytes.
 * The limits leave ten times that room, and stop a wrong path (a pcap,
 * /dev/zero) or a corrupted file from being read into memory whole.
 */
#define OUI_MAX_FILE_BYTES (32u * 1024u * 1024u)
#define OUI_MAX_LINE_BYTES 1024u    /* one record, line ends inside quotes included */
#define OUI_MAX_ENTRIES 200000u     /* rows over all files; the real total is ~46,500 */
#define OUI_MAX_PATH 4096u          /* dir + "/" + file name, NUL included */

#define OUI_NFIELDS 4     /* Registry, Assignment, Organization Name, Organization Address */
#define OUI_QUOTE_MAX 32  /* bytes of a field quoted in a message */

static const char *const oui_header[OUI_NFIELDS] = {
	"Registry", "Assignment", "Organization Name", "Organization Address",
};

/* The tables, in lookup order: longest prefix first. */
enum oui_width { OUI_W36, OUI_W28, OUI_W24, OUI_NWIDTHS };

static const unsigned oui_width_bits[OUI_NWIDTHS] = { 36, 28, 24 };

/* One registry file: its name, what its rows must say and which table they fill. */
struct oui_file {
	const char *name;
	const char *registry; /* the Registry column of every row */
	enum oui_width width; /* the Assignment column has bits/4 hex digits */
	bool required;
};

/* Load order decides which of two identical 36-bit prefixes wins: MA-S, then IAB. */
static const struct oui_file oui_files[] = {
	{ "oui.csv", "MA-L", OUI_W24, true },
	{ "mam.csv", "MA-M", OUI_W28, false },
	{ "oui36.csv", "MA-S", OUI_W36, false },
	{ "iab.csv", "IAB", OUI_W36, false },
};

#define OUI_NFILES (sizeof(oui_files) / sizeof(oui_files[0]))

struct oui_entry {
	uint64_t prefix; /* the assignment's value: its top `bits` bits of a MAC */
	uint32_t name;   /* offset of the organisation's name in the arena */
	uint32_t seq;    /* row order while loading, so the first duplicate wins; free in padding */
};

struct oui_table {
	struct oui_entry *v; /* sorted by prefix, unique, once loaded */
	size_t n, cap;
};

struct oui_db {
	struct oui_table tables[OUI_NWIDTHS];
	char *names; /* NUL-terminated names back to back, each once */
	size_t names_len, names_cap;
	size_t count; /* entries over all tables */
};

/* One load in progress: the db being filled, the name index and where errors go. */
struct oui_loader {
	struct oui_db *db;
	uint32_t *intern; /* open addressing: arena offset + 1, 0 = free */
	size_t intern_cap, intern_used; /* cap is a power of two */
	size_t rows;                    /* rows stored so far, duplicates included */
	char path[OUI_MAX_PATH];        /* the file being read, for messages */
	char *err;
	size_t errlen;
};

/* One CSV record, its fields unquoted into buf. */
struct oui_record {
	char buf[OUI_MAX_LINE_BYTES + OUI_NFIELDS]; /* fields, each NUL-terminated */
	size_t off[OUI_NFIELDS], len[OUI_NFIELDS];  /* of the first OUI_NFIELDS fields */
	size_t nfields; /* all fields seen, even those past OUI_NFIELDS */
	size_t used;    /* bytes of buf in use */
	size_t line;    /* where the record starts, 1-based */
};

/* A read position in a file's text. */
struct oui_csv {
	const char *p, *end;
	size_t line; /* of p, 1-based */
};

/* ------------------------------------------------------------ errors */

/* "path:line: problem", or "path: problem" with line 0; always one line. */
__attribute__((format(printf, 3, 4)))
static void oui_set_error(struct oui_loader *ld, size_t line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (ld->err == NULL || ld->errlen == 0)
		return;
	if (line > 0)
		n = snprintf(ld->err, ld->errlen, "%s:%zu: ", ld->path, line);
	else
		n = snprintf(ld->err, ld->errlen, "%s: ", ld->path);
	if (n >= 0 && (size_t)n < ld->errlen) {
		va_start(ap, fmt);
		vsnprintf(ld->err + n, ld->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	/* A control character from the file or the path would break the one line. */
	for (char *s = ld->err; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

/* Sets the error and is -1, visibly to the compiler, so "return oui_fail(...)" reads as it does. */
#define oui_fail(ld, line, ...) (oui_set_error((ld), (line), __VA_ARGS__), -1)

/* Up to OUI_QUOTE_MAX bytes of a field for a message, "..." marking a cut. */
static const char *oui_quote(char buf[OUI_QUOTE_MAX + 4], const char *s, size_t len)
{
	size_t n = len < OUI_QUOTE_MAX ? len : OUI_QUOTE_MAX;

	memcpy(buf, s, n);
	strcpy(buf + n, len > n ? "..." : "");
	return buf;
}

/* ------------------------------------------------------------ memory */

/*
 * The array p of *cap elements of `size` bytes, with room for `need`:
 * the same block, or a bigger one (doubling from `first`).  NULL on
 * overflow or out of memory, with p still valid and *cap unchanged.
 */
static void *oui_reserve(void *p, size_t *cap, size_t need, size_t size, size_t first)
{
	size_t ncap = *cap > 0 ? *cap : first;

	if (need <= *cap)
		return p;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return NULL;
		ncap *= 2;
	}
	if (ncap > SIZE_MAX / size)
		return NULL;
	p = realloc(p, ncap * size);
	if (p != NULL)
		*cap = ncap;
	return p;
}

/* p cut to n elements, giving back what doubling over-allocated; p itself if realloc fails. */
static void *oui_shrink(void *p, size_t *cap, size_t n, size_t size)
{
	void *np;

	if (n == 0 || n == *cap)
		return p;
	np = realloc(p, n * size);
	if (np == NULL)
		return p;
	*cap = n;
	return np;
}

/* ------------------------------------------------------------ names */

static uint32_t oui_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

/* Where name s (n bytes) is, or the free slot it would take. */
static size_t oui_intern_slot(const struct oui_loader *ld, const char *s, size_t n)
{
	size_t mask = ld->intern_cap - 1;
	size_t i = oui_hash(s, n) & mask;

	for (;; i = (i + 1) & mask) {
		uint32_t slot = ld->intern[i];
		const char *cand;

		if (slot == 0)
			return i;
		/* strncmp stops at cand's NUL, so cand[n] is read only when cand is that long. */
		cand = ld->db->names + slot - 1;
		if (strncmp(cand, s, n) == 0 && cand[n] == '\0')
			return i;
	}
}

/* Doubles the name index, at most half full so that probes stay short. */
static int oui_intern_grow(struct oui_loader *ld)
{
	uint32_t *old = ld->intern;
	size_t old_cap = ld->intern_cap;
	size_t cap = old_cap > 0 ? old_cap * 2 : 4096;

	ld->intern = calloc(cap, sizeof(*ld->intern));
	if (ld->intern == NULL) {
		ld->intern = old;
		return -1;
	}
	ld->intern_cap = cap;
	for (size_t i = 0; i < old_cap; i++) {
		const char *s;

		if (old[i] == 0)
			continue;
		s = ld->db->names + old[i] - 1;
		ld->intern[oui_intern_slot(ld, s, strlen(s))] = old[i];
	}
	free(old);
	return 0;
}

/* The arena offset of name s (n bytes, no NUL inside), adding it if new. */
static int oui_intern(struct oui_loader *ld, const char *s, size_t n, uint32_t *off)
{
	struct oui_db *db = ld->db;
	char *names;
	size_t i;

	if ((ld->intern_used + 1) * 2 > ld->intern_cap && oui_intern_grow(ld) < 0)
		return oui_fail(ld, 0, "out of memory");
	i = oui_intern_slot(ld, s, n);
	if (ld->intern[i] != 0) {
		*off = ld->intern[i] - 1;
		return 0;
	}
	/* Offsets are 32 bits; the file limits keep the arena far below that. */
	if (db->names_len + n + 1 >= UINT32_MAX)
		return oui_fail(ld, 0, "organisation names exceed 4 GiB");
	names = oui_reserve(db->names, &db->names_cap, db->names_len + n + 1, 1, 64u * 1024u);
	if (names == NULL)
		return oui_fail(ld, 0, "out of memory");
	db->names = names;
	memcpy(db->names + db->names_len, s, n);
	db->names[db->names_len + n] = '\0';
	*off = (uint32_t)db->names_len;
	ld->intern[i] = *off + 1;
	ld->intern_used++;
	db->names_len += n + 1;
	return 0;
}

/* ------------------------------------------------------------ CSV */

static bool oui_at_eol(const struct oui_csv *in, size_t *n)
{
	if (in->p < in->end && in->p[0] == '\n') {
		*n = 1;
		return true;
	}
	if (in->end - in->p >= 2 && in->p[0] == '\r' && in->p[1] == '\n') {
		*n = 2;
		return true;
	}
	return false;
}

/*
 * Ends the field that started at buf offset *start and sets *start for the
 * next one.  Fields past OUI_NFIELDS are only counted.
 */
static void oui_field_end(struct oui_record *rec, size_t *start)
{
	if (rec->nfields < OUI_NFIELDS) {
		rec->off[rec->nfields] = *start;
		rec->len[rec->nfields] = rec->used - *start;
		rec->buf[rec->used++] = '\0';
	}
	rec->nfields++;
	*start = rec->used;
}

/*
 * Appends one unquoted byte to the current field.  The record's raw length
 * is checked before this, and unquoting only shrinks text, so buf cannot
 * fill; the test is a second line of defence.
 */
static void oui_field_put(struct oui_record *rec, char c)
{
	if (rec->nfields < OUI_NFIELDS && rec->used < sizeof(rec->buf) - 1)
		rec->buf[rec->used++] = c;
}

enum oui_csv_state {
	CSV_START,  /* at the start of a field */
	CSV_PLAIN,  /* in an unquoted field */
	CSV_QUOTED, /* in a quoted field */
	CSV_QUOTE,  /* a quote inside a quoted field: its end, or the first of "" */
};

/*
 * Reads the next record, skipping blank lines.  1 when a record was read,
 * 0 at the end of the text, -1 on a malformed record.
 */
static int oui_csv_next(struct oui_loader *ld, struct oui_csv *in, struct oui_record *rec)
{
	enum oui_csv_state st = CSV_START;
	size_t raw = 0, start = 0, eol;

	for (; oui_at_eol(in, &eol); in->p += eol)
		in->line++; /* blank lines */
	if (in->p == in->end)
		return 0;
	rec->line = in->line;
	rec->nfields = 0;
	rec->used = 0;
	for (;;) {
		char c;

		if (in->p == in->end && st == CSV_QUOTED)
			return oui_fail(ld, rec->line, "unterminated quoted field");
		if (in->p == in->end || (st != CSV_QUOTED && oui_at_eol(in, &eol))) {
			if (in->p != in->end) {
				in->p += eol;
				in->line++;
			}
			oui_field_end(rec, &start);
			return 1;
		}
		c = *in->p++;
		if (++raw > OUI_MAX_LINE_BYTES)
			return oui_fail(ld, rec->line, "line is longer than %u bytes%s",
					    OUI_MAX_LINE_BYTES,
					    st == CSV_QUOTED ? " (unterminated quote?)" : "");
		if (st == CSV_START) {
			st = CSV_PLAIN;
			if (c == '"') {
				st = CSV_QUOTED;
				continue;
			}
		}
		switch (st) {
		case CSV_PLAIN:
			/* RFC 4180 has no quotes here; taking one literally would hide a broken row. */
			if (c == '"')
				return oui_fail(ld, rec->line, "quote inside an unquoted field");
			if (c == ',') {
				oui_field_end(rec, &start);
				st = CSV_START;
			} else {
				oui_field_put(rec, c);
			}
			break;
		case CSV_QUOTED:
			if (c == '\n')
				in->line++;
			if (c == '"')
				st = CSV_QUOTE;
			else
				oui_field_put(rec, c);
			break;
		case CSV_QUOTE:
			if (c == '"') {
				oui_field_put(rec, '"');
				st = CSV_QUOTED;
			} else if (c == ',') {
				oui_field_end(rec, &start);
				st = CSV_START;
			} else {
				return oui_fail(ld, rec->line, "text after a closing quote");
			}
			break;
		case CSV_START:
			break;
		}
	}
}

/* ------------------------------------------------------------ rows */

static const char *oui_field(const struct oui_record *rec, size_t i)
{
	return rec->buf + rec->off[i];
}

/* The header line, exactly; anything else is not a file we know how to read. */
static int oui_check_header(struct oui_loader *ld, const struct oui_record *rec)
{
	bool ok = rec->nfields == OUI_NFIELDS;

	for (size_t i = 0; ok && i < OUI_NFIELDS; i++)
		ok = strcmp(oui_field(rec, i), oui_header[i]) == 0;
	if (ok)
		return 0;
	return oui_fail(ld, rec->line, "not an IEEE registry: expected the header '%s,%s,%s,%s'",
			    oui_header[0], oui_header[1], oui_header[2], oui_header[3]);
}

static int oui_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The Assignment column: exactly bits/4 hex digits. */
static int oui_parse_assignment(struct oui_loader *ld, const struct oui_record *rec,
				unsigned bits, uint64_t *prefix)
{
	const char *s = oui_field(rec, 1);
	size_t n = rec->len[1];
	char q[OUI_QUOTE_MAX + 4];
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++) {
		int d = oui_hex_digit(s[i]);

		if (d < 0)
			return oui_fail(ld, rec->line, "assignment '%s' is not hexadecimal",
					    oui_quote(q, s, n));
		v = (v << 4) | (uint64_t)d; /* only kept when n is right, so no overflow matters */
	}
	if (n != bits / 4)
		return oui_fail(ld, rec->line, "assignment '%s' has %zu hex digits, expected %u",
				    oui_quote(q, s, n), n, bits / 4);
	*prefix = v;
	return 0;
}

/*
 * The organisation's name, cleaned in place: tabs and line ends (there
 * are tabs in the real files) become spaces, and surrounding spaces go.
 * Sets *name and *len; an empty result is an error.
 */
static int oui_clean_name(struct oui_loader *ld, struct oui_record *rec, const char **name,
			  size_t *len)
{
	char *s = rec->buf + rec->off[2];
	size_t n = rec->len[2];

	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			s[i] = ' ';
	while (n > 0 && s[n - 1] == ' ')
		n--;
	while (n > 0 && s[0] == ' ') {
		s++;
		n--;
	}
	if (n == 0)
		return oui_fail(ld, rec->line, "empty organization name");
	*name = s;
	*len = n;
	return 0;
}

/* Checks one data row of file f and stores it. */
static int oui_add_row(struct oui_loader *ld, const struct oui_file *f, struct oui_record *rec)
{
	struct oui_table *t = &ld->db->tables[f->width];
	struct oui_entry *v;
	char q[OUI_QUOTE_MAX + 4];
	const char *name;
	size_t len;
	uint64_t prefix;
	uint32_t off;

	if (rec->nfields != OUI_NFIELDS)
		return oui_fail(ld, rec->line, "expected %u fields, found %zu", OUI_NFIELDS,
				    rec->nfields);
	/* A row of another registry means a mixed-up file, whose prefix length would be wrong. */
	if (strcmp(oui_field(rec, 0), f->registry) != 0)
		return oui_fail(ld, rec->line, "registry '%s', expected '%s'",
				    oui_quote(q, oui_field(rec, 0), rec->len[0]), f->registry);
	if (oui_parse_assignment(ld, rec, oui_width_bits[f->width], &prefix) < 0 ||
	    oui_clean_name(ld, rec, &name, &len) < 0)
		return -1;
	if (ld->rows >= OUI_MAX_ENTRIES)
		return oui_fail(ld, rec->line, "more than %u entries", OUI_MAX_ENTRIES);
	if (oui_intern(ld, name, len, &off) < 0)
		return -1;
	v = oui_reserve(t->v, &t->cap, t->n + 1, sizeof(*t->v), 1024);
	if (v == NULL)
		return oui_fail(ld, 0, "out of memory");
	t->v = v;
	t->v[t->n].prefix = prefix;
	t->v[t->n].name = off;
	t->v[t->n].seq = (uint32_t)t->n; /* < OUI_MAX_ENTRIES */
	t->n++;
	ld->rows++;
	return 0;
}

/* Parses one file's text (NUL-terminated; len bytes before the NUL). */
static int oui_parse(struct oui_loader *ld, const struct oui_file *f, const char *text,
		     size_t len)
{
	struct oui_csv in = { .p = text, .end = text + len, .line = 1 };
	struct oui_record rec;
	const char *nul = memchr(text, '\0', len);
	int rc;

	/* The fields are C strings from here on; a NUL would cut one short unnoticed. */
	if (nul != NULL) {
		size_t line = 1;

		for (const char *p = text; p < nul; p++)
			line += *p == '\n';
		return oui_fail(ld, line, "NUL byte in file");
	}
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		in.p += 3; /* a UTF-8 byte order mark, as spreadsheet programs write */
	rc = oui_csv_next(ld, &in, &rec);
	if (rc == 0)
		return oui_fail(ld, 1, "empty file, expected the header");
	if (rc < 0 || oui_check_header(ld, &rec) < 0)
		return -1;
	while ((rc = oui_csv_next(ld, &in, &rec)) > 0)
		if (oui_add_row(ld, f, &rec) < 0)
			return -1;
	return rc;
}

/* ------------------------------------------------------------ files */

/* Loads registry file f from dir; a missing optional file is skipped. */
static int oui_load_file(struct oui_loader *ld, const char *dir, const struct oui_file *f)
{
	size_t dlen = strlen(dir);
	const char *sep = dlen > 0 && dir[dlen - 1] == '/' ? "" : "/";
	char *text = NULL;
	size_t len = 0;
	int fd, rc;

	if ((size_t)snprintf(ld->path, sizeof(ld->path), "%s%s%s", dir, sep, f->name) >=
	    sizeof(ld->path)) {
		snprintf(ld->path, sizeof(ld->path), "%s", dir); /* cut short, but named */
		return oui_fail(ld, 0, "directory path is too long");
	}
	fd = open(ld->path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 && errno == ENOENT && !f->required)
		return 0;
	if (fd < 0)
		return oui_fail(ld, 0, "%s", strerror(errno));
	rc = ew_read_fd(fd, OUI_MAX_FILE_BYTES, &text, &len);
	if (rc < 0 && errno == EFBIG)
		rc = oui_fail(ld, 0, "file is larger than %u bytes", OUI_MAX_FILE_BYTES);
	else if (rc < 0)
		rc = oui_fail(ld, 0, "%s", strerror(errno));
	close(fd);
	if (rc == 0)
		rc = oui_parse(ld, f, text, len);
	free(text);
	return rc;
}

/* ------------------------------------------------------------ tables */

static int oui_entry_cmp(const void *a, const void *b)
{
	const struct oui_entry *x = a, *y = b;

	if (x->prefix != y->prefix)
		return x->prefix < y->prefix ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Sorts t, keeps the first-loaded entry of each prefix and gives back unused room. */
static void oui_table_finish(struct oui_table *t)
{
	size_t w = 0;

	if (t->n == 0)
		return;
	qsort(t->v, t->n, sizeof(*t->v), oui_entry_cmp);
	for (size_t r = 0; r < t->n; r++)
		if (w == 0 || t->v[r].prefix != t->v[w - 1].prefix)
			t->v[w++] = t->v[r];
	t->n = w;
	t->v = oui_shrink(t->v, &t->cap, t->n, sizeof(*t->v));
}

struct oui_db *oui_db_load(const char *dir, char *err, size_t errlen)
{
	struct oui_loader ld = { .err = err, .errlen = errlen, .path = "(registry)" };

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (dir == NULL) {
		oui_set_error(&ld, 0, "no registry directory given");
		return NULL;
	}
	ld.db = calloc(1, sizeof(*ld.db));
	if (ld.db == NULL) {
		snprintf(ld.path, sizeof(ld.path), "%s", dir);
		oui_set_error(&ld, 0, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < OUI_NFILES; i++)
		if (oui_load_file(&ld, dir, &oui_files[i]) < 0)
			goto fail;
	for (size_t i = 0; i < OUI_NWIDTHS; i++) {
		oui_table_finish(&ld.db->tables[i]);
		ld.db->count += ld.db->tables[i].n;
	}
	ld.db->names = oui_shrink(ld.db->names, &ld.db->names_cap, ld.db->names_len, 1);
	free(ld.intern);
	return ld.db;
fail:
	free(ld.intern);
	oui_db_free(ld.db);
	return NULL;
}

void oui_db_free(struct oui_db *db)
{
	if (db == NULL)
		return;
	for (size_t i = 0; i < OUI_NWIDTHS; i++)
		free(db->tables[i].v);
	free(db->names);
	free(db);
}

/* ------------------------------------------------------------ lookups */

/* The first `bits` bits of mac, as the registry writes an assignment. */
static uint64_t oui_mac_prefix(const uint8_t mac[6], unsigned bits)
{
	uint64_t v = 0;

	for (size_t i = 0; i < 6; i++)
		v = (v << 8) | mac[i];
	return v >> (48 - bits);
}

static const struct oui_entry *oui_table_find(const struct oui_table *t, uint64_t prefix)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->v[mid].prefix < prefix)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t->n && t->v[lo].prefix == prefix ? &t->v[lo] : NULL;
}

const char *oui_db_lookup(const struct oui_db *db, const uint8_t mac[6])
{
	/*
	 * A local or group address was not assigned by the IEEE with its
	 * prefix, so a match would be a coincidence: a random private MAC
	 * would "belong" to whoever holds those bits.  The real oui.csv does
	 * list some such prefixes (02608C, 3Com's from before the bit's
	 * meaning was fixed); they load but are never answered.
	 */
	if (db == NULL || mac_is_local_admin(mac) || mac_is_multicast(mac))
		return NULL;
	for (size_t i = 0; i < OUI_NWIDTHS; i++) {
		const struct oui_entry *e =
			oui_table_find(&db->tables[i], oui_mac_prefix(mac, oui_width_bits[i]));

		if (e != NULL)
			return db->names + e->name;
	}
	return NULL;
}

size_t oui_db_count(const struct oui_db *db)
{
	return db != NULL ? db->count : 0;
}

bool mac_is_local_admin(const uint8_t mac[6])
{
	return (mac[0] & 0x02) != 0;
}

bool mac_is_multicast(const uint8_t mac[6])
{
	return (mac[0] & 0x01) != 0;
}
