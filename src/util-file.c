/*
 * util-file.c - read a small file whole, with a cap; replace one
 * atomically (see util-file.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util-file.h"

#define FILE_READ_CHUNK (64u * 1024u) /* first buffer when the size is unknown */

/*
 * Reads the whole file at fd, NUL-terminated, into *text.  -1 with errno
 * set on error; EFBIG past max.  The size from fstat() is
 * only a first guess: a pipe has none and a file may grow while read.
 */
int ew_read_fd(int fd, size_t max, char **text, size_t *len)
{
	struct stat st;
	size_t cap = FILE_READ_CHUNK, n = 0;
	char *buf;

	if (fstat(fd, &st) < 0)
		return -1;
	if (S_ISREG(st.st_mode)) {
		if ((uint64_t)st.st_size > max) {
			errno = EFBIG;
			return -1;
		}
		cap = (size_t)st.st_size + 2; /* the file, a byte to meet its end, the NUL */
	}
	buf = malloc(cap);
	if (buf == NULL)
		return -1;
	for (;;) {
		ssize_t r;

		/* Full but for the NUL: grow, up to one byte past the limit to tell "too big". */
		if (n + 1 == cap) {
			size_t ncap = cap > (max + 2) / 2 ? max + 2 : cap * 2;
			char *nbuf;

			if (n > max)
				break;
			nbuf = realloc(buf, ncap);
			if (nbuf == NULL) {
				free(buf);
				errno = ENOMEM;
				return -1;
			}
			buf = nbuf;
			cap = ncap;
		}
		r = read(fd, buf + n, cap - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			free(buf);
			errno = e;
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > max) {
		free(buf);
		errno = EFBIG;
		return -1;
	}
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return 0;
}

int ew_read_file(const char *path, size_t max, char **text, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	int rc, e;

	if (fd < 0)
		return -1;
	rc = ew_read_fd(fd, max, text, len);
	e = errno;
	close(fd);
	errno = e;
	return rc;
}

/* fsync of the directory makes the rename itself durable. */
static void sync_dir_of(const char *path)
{
	char *copy = strdup(path);
	int fd;

	if (copy == NULL)
		return;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	free(copy);
}

int ew_write_atomic(const char *path, int (*write)(FILE *fp, void *ctx), void *ctx, char *err,
		    size_t errlen)
{
	char tmp[4096];
	FILE *fp;
	int fd;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", path) >= sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	fd = mkstemp(tmp);
	if (fd < 0 || (fp = fdopen(fd, "w")) == NULL) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		return -1;
	}
	if (write(fp, ctx) != 0) {
		snprintf(err, errlen, "%s: could not build the file", path);
		fclose(fp);
		unlink(tmp);
		return -1;
	}
	if (fflush(fp) != 0 || fsync(fileno(fp)) != 0 || ferror(fp)) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		fclose(fp);
		unlink(tmp);
		return -1;
	}
	if (fclose(fp) != 0 || rename(tmp, path) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	sync_dir_of(path);
	return 0;
}

void ew_set_aside(const char *path, const char *suffix, char *err, size_t errlen)
{
	char aside[4096];
	size_t used;

	if ((size_t)snprintf(aside, sizeof(aside), "%s.%s", path, suffix) >= sizeof(aside) ||
	    rename(path, aside) != 0)
		return;
	used = strnlen(err, errlen);
	if (used + 1 < errlen)
		snprintf(err + used, errlen - used, "; set aside as %s", aside);
}
