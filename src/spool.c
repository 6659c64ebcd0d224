/*
 * spool.c - the bounded on-disk journal (format and policy in spool.h).
 *
 * The file is read and written only with pread/pwrite at offsets this
 * module tracks (head, tail), so a record is never written over another
 * and a short write can be undone by cutting the file back to the old
 * tail.  Everything read back is treated as hostile: lengths are checked
 * against SPOOL_RECORD_MAX and the file's size before any allocation.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "spool.h"
#include "util-hash.h"

static const char spool_magic[8] = {'E', 'W', 'S', 'P', 'O', 'O', 'L', '1'};

struct spool {
	int fd;
	char *path;
	uint64_t cap_bytes;
	uint64_t head;           /* first record not consumed */
	uint64_t tail;           /* end of the last whole record = file size */
	uint64_t pending;        /* records in [head, tail) */
	unsigned unsynced;       /* appends since the last fsync */
	uint64_t last_sync_ms;
	unsigned char *buf;      /* one record's payload for spool_read */
	size_t buf_size;
	struct spool_stats st;
	char error[SPOOL_ERRLEN];
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void put_le32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void put_le64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_le32(const unsigned char *p)
{
	uint32_t v = 0;

	for (int i = 3; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static uint64_t get_le64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

__attribute__((format(printf, 2, 3)))
static int spool_fail(struct spool *sp, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(sp->error, sizeof(sp->error), "%s: ", sp->path);

	if (n > 0 && (size_t)n < sizeof(sp->error)) {
		va_start(ap, fmt);
		vsnprintf(sp->error + n, sizeof(sp->error) - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* pread/pwrite of exactly n bytes; -1 with errno (EIO for a short read). */
static int read_at(int fd, void *p, size_t n, uint64_t off)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = pread(fd, (char *)p + done, n - done, (off_t)(off + done));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = EIO;
			return -1;
		}
		done += (size_t)r;
	}
	return 0;
}

static int write_at(int fd, const void *p, size_t n, uint64_t off)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = pwrite(fd, (const char *)p + done, n - done, (off_t)(off + done));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		done += (size_t)r;
	}
	return 0;
}

/* The head field and its checksum, at offset 8. */
static int write_head(struct spool *sp)
{
	unsigned char b[16];

	put_le64(b, sp->head);
	put_le64(b + 8, ew_hash64(b, 8, SPOOL_SEED));
	if (write_at(sp->fd, b, sizeof(b), 8) != 0)
		return spool_fail(sp, "write: %s", strerror(errno));
	return 0;
}

static int write_header(struct spool *sp)
{
	if (write_at(sp->fd, spool_magic, sizeof(spool_magic), 0) != 0)
		return spool_fail(sp, "write: %s", strerror(errno));
	return write_head(sp);
}

/* Cuts the file at off, counting what was lost as damage. */
static int cut_damaged_tail(struct spool *sp, uint64_t off, uint64_t size)
{
	sp->st.corrupt_bytes += size - off;
	sp->st.corrupt_tails++;
	if (ftruncate(sp->fd, (off_t)off) != 0)
		return spool_fail(sp, "truncate: %s", strerror(errno));
	sp->tail = off;
	return 0;
}

/*
 * Checks the record at off (file size size): 1 and its payload length
 * when whole and its checksum matches, 0 when damaged, -1 on I/O error.
 * Fills sp->buf with the payload.
 */
static int check_record(struct spool *sp, uint64_t off, uint64_t size, size_t *len)
{
	unsigned char h[SPOOL_RECORD_HEADER_BYTES];
	uint32_t n;

	if (size - off < SPOOL_RECORD_HEADER_BYTES)
		return 0;
	if (read_at(sp->fd, h, sizeof(h), off) != 0)
		return spool_fail(sp, "read: %s", strerror(errno));
	n = get_le32(h);
	if (n > SPOOL_RECORD_MAX || size - off - SPOOL_RECORD_HEADER_BYTES < n)
		return 0;
	if (n > sp->buf_size) {
		unsigned char *nb = realloc(sp->buf, n);

		if (nb == NULL)
			return spool_fail(sp, "out of memory");
		sp->buf = nb;
		sp->buf_size = n;
	}
	if (n > 0 && read_at(sp->fd, sp->buf, n, off + SPOOL_RECORD_HEADER_BYTES) != 0)
		return spool_fail(sp, "read: %s", strerror(errno));
	if (ew_hash64(sp->buf, n, SPOOL_SEED) != get_le64(h + 4))
		return 0;
	*len = n;
	return 1;
}

/* Reads the header of an existing file, then counts (and checks) the records. */
static int load_existing(struct spool *sp, uint64_t size)
{
	unsigned char h[SPOOL_HEADER_BYTES];
	uint64_t off;
	size_t len;
	int r;

	if (read_at(sp->fd, h, sizeof(h), 0) != 0)
		return spool_fail(sp, "read: %s", strerror(errno));
	if (memcmp(h, spool_magic, sizeof(spool_magic)) != 0)
		return spool_fail(sp, "not an edgewatch spool journal (left alone)");
	sp->head = get_le64(h + 8);
	/*
	 * A head that fails its checksum or points outside the records is
	 * replaced by the first record: repeats are allowed, losses are not.
	 */
	if (ew_hash64(h + 8, 8, SPOOL_SEED) != get_le64(h + 16) || sp->head < SPOOL_HEADER_BYTES ||
	    sp->head > size)
		sp->head = SPOOL_HEADER_BYTES;
	sp->tail = size;
	for (off = sp->head; off < size; off += SPOOL_RECORD_HEADER_BYTES + len) {
		r = check_record(sp, off, size, &len);
		if (r < 0)
			return -1;
		if (r == 0)
			return cut_damaged_tail(sp, off, size);
		sp->pending++;
	}
	return 0;
}

/* With nothing pending, the file goes back to a bare header. */
static int reset_if_empty(struct spool *sp)
{
	if (sp->pending != 0 || sp->tail == SPOOL_HEADER_BYTES)
		return 0;
	if (ftruncate(sp->fd, SPOOL_HEADER_BYTES) != 0)
		return spool_fail(sp, "truncate: %s", strerror(errno));
	sp->head = sp->tail = SPOOL_HEADER_BYTES;
	return write_head(sp);
}

static int open_file(struct spool *sp)
{
	struct stat stb;
	unsigned char h[sizeof(spool_magic)];
	size_t have;

	sp->fd = open(sp->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (sp->fd < 0)
		return spool_fail(sp, "%s", strerror(errno));
	if (fstat(sp->fd, &stb) != 0)
		return spool_fail(sp, "%s", strerror(errno));
	if (!S_ISREG(stb.st_mode))
		return spool_fail(sp, "not a regular file");
	if ((uint64_t)stb.st_size >= SPOOL_HEADER_BYTES) {
		if (load_existing(sp, (uint64_t)stb.st_size) != 0)
			return -1;
		return reset_if_empty(sp);
	}
	/*
	 * New, or a header cut short by a crash while it was being created:
	 * (re)write it, but only over bytes that are a prefix of ours.
	 */
	have = (size_t)stb.st_size < sizeof(h) ? (size_t)stb.st_size : sizeof(h);
	if (have > 0 && (read_at(sp->fd, h, have, 0) != 0 || memcmp(h, spool_magic, have) != 0))
		return spool_fail(sp, "not an edgewatch spool journal (left alone)");
	sp->head = sp->tail = SPOOL_HEADER_BYTES;
	if (ftruncate(sp->fd, 0) != 0)
		return spool_fail(sp, "truncate: %s", strerror(errno));
	if (write_header(sp) != 0)
		return -1;
	if (fsync(sp->fd) != 0)
		return spool_fail(sp, "fsync: %s", strerror(errno));
	return 0;
}

struct spool *spool_open(const char *path, uint64_t cap_bytes, char *err, size_t errlen)
{
	struct spool *sp = calloc(1, sizeof(*sp));

	if (sp == NULL || (sp->path = strdup(path)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		free(sp);
		return NULL;
	}
	sp->fd = -1;
	sp->cap_bytes = cap_bytes < SPOOL_HEADER_BYTES ? SPOOL_HEADER_BYTES : cap_bytes;
	sp->last_sync_ms = now_ms();
	if (open_file(sp) != 0)
		goto fail;
	return sp;
fail:
	snprintf(err, errlen, "%s", sp->error);
	if (sp->fd >= 0)
		close(sp->fd);
	free(sp->path);
	free(sp->buf);
	free(sp);
	return NULL;
}

static int sync_now(struct spool *sp)
{
	sp->last_sync_ms = now_ms();
	sp->unsynced = 0;
	sp->st.fsyncs++;
	if (fdatasync(sp->fd) != 0)
		return spool_fail(sp, "fsync: %s", strerror(errno));
	return 0;
}

int spool_append(struct spool *sp, const void *data, size_t len)
{
	unsigned char h[SPOOL_RECORD_HEADER_BYTES];
	struct iovec iov[2];
	size_t want = SPOOL_RECORD_HEADER_BYTES + len;
	ssize_t w;

	if (len > SPOOL_RECORD_MAX)
		return spool_fail(sp, "record of %zu bytes is longer than %u", len,
				  SPOOL_RECORD_MAX);
	if (sp->tail + want > sp->cap_bytes) {
		sp->st.refused_full++;
		return 1;
	}
	put_le32(h, (uint32_t)len);
	put_le64(h + 4, ew_hash64(data, len, SPOOL_SEED));
	iov[0].iov_base = h;
	iov[0].iov_len = sizeof(h);
	iov[1].iov_base = (void *)(uintptr_t)data; /* pwritev only reads it */
	iov[1].iov_len = len;
	do
		w = pwritev(sp->fd, iov, 2, (off_t)sp->tail);
	while (w < 0 && errno == EINTR);
	if (w < 0 || (size_t)w != want) {
		int e = w < 0 ? errno : ENOSPC;

		/* A half record would end the journal at the next open: undo it. */
		if (ftruncate(sp->fd, (off_t)sp->tail) != 0) {
			/* The tail check at the next open will cut it instead. */
		}
		return spool_fail(sp, "write: %s", strerror(e));
	}
	sp->tail += want;
	sp->pending++;
	sp->st.appended++;
	if (++sp->unsynced >= SPOOL_FSYNC_RECORDS ||
	    now_ms() - sp->last_sync_ms >= SPOOL_FSYNC_INTERVAL_MS)
		return sync_now(sp);
	return 0;
}

uint64_t spool_head(const struct spool *sp)
{
	return sp->head;
}

/* Records in [from, to), all checked before: their lengths are trusted. */
static uint64_t count_records(struct spool *sp, uint64_t from, uint64_t to)
{
	unsigned char h[SPOOL_RECORD_HEADER_BYTES];
	uint64_t n = 0;

	while (from < to && read_at(sp->fd, h, sizeof(h), from) == 0) {
		from += SPOOL_RECORD_HEADER_BYTES + get_le32(h);
		n++;
	}
	return n;
}

int spool_read(struct spool *sp, uint64_t *pos, const void **data, size_t *len)
{
	int r;

	if (*pos < sp->head || *pos >= sp->tail)
		return 0;
	r = check_record(sp, *pos, sp->tail, len);
	if (r < 0)
		return -1;
	if (r == 0) {
		/* Damaged since open (someone wrote to the file): the rest is lost. */
		cut_damaged_tail(sp, *pos, sp->tail);
		sp->pending = count_records(sp, sp->head, *pos);
		return spool_fail(sp, "damaged record at offset %llu: the rest is cut",
				  (unsigned long long)*pos);
	}
	*data = sp->buf;
	*pos += SPOOL_RECORD_HEADER_BYTES + *len;
	return 1;
}

int spool_consume(struct spool *sp, uint64_t pos, uint64_t nrecords)
{
	if (pos < sp->head || pos > sp->tail || nrecords > sp->pending)
		return spool_fail(sp, "consume past the journal's end");
	sp->head = pos;
	sp->pending -= nrecords;
	sp->st.consumed += nrecords;
	if (sp->pending == 0)
		return reset_if_empty(sp);
	return write_head(sp);
}

int spool_sync(struct spool *sp)
{
	if (sp->unsynced == 0)
		return 0;
	return sync_now(sp);
}

uint64_t spool_pending(const struct spool *sp)
{
	return sp->pending;
}

void spool_get_stats(const struct spool *sp, struct spool_stats *st)
{
	*st = sp->st;
	st->records = sp->pending;
	st->file_bytes = sp->tail;
}

const char *spool_error(const struct spool *sp)
{
	return sp->error;
}

void spool_close(struct spool *sp)
{
	if (sp == NULL)
		return;
	if (sp->fd >= 0) {
		spool_sync(sp);
		close(sp->fd);
	}
	free(sp->path);
	free(sp->buf);
	free(sp);
}
