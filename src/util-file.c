/*
 * util-file.c - read a small file whole, with a cap (see util-file.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
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
