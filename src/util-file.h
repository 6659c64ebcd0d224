/*
 * util-file.h - read a whole (small) file into memory, with a cap.
 *
 * For the files edgewatch loads at start-up: configuration, rules, the
 * IEEE registries.  The cap is checked before reading where the size is
 * known (fstat of a regular file), so a wrong path (a capture, /dev/zero)
 * is refused without being read, and reading otherwise stops one byte
 * past the cap.
 */
#ifndef EW_UTIL_FILE_H
#define EW_UTIL_FILE_H

#include <stddef.h>
#include <stdio.h>

/*
 * Reads all of fd (or the file at path) into *text (malloc'd, with a NUL
 * after the *len bytes; the caller frees it).  -1 with errno set on error:
 * EFBIG when the content is longer than max bytes.
 */
int ew_read_fd(int fd, size_t max, char **text, size_t *len);
int ew_read_file(const char *path, size_t max, char **text, size_t *len);

/*
 * Replaces path atomically with what write(fp, ctx) writes: a temporary
 * file in the same directory, fsync, rename, fsync of the directory, so a
 * crash leaves the old file or the new one, never half of one.  write
 * returns 0, or -1 to abandon the file (the old one stays).  -1 with a
 * message in err on failure.
 */
int ew_write_atomic(const char *path, int (*write)(FILE *fp, void *ctx), void *ctx, char *err,
		    size_t errlen);

/*
 * Renames a damaged file to "path.suffix" for a person to look at;
 * appends "; set aside as ..." to err when it worked.
 */
void ew_set_aside(const char *path, const char *suffix, char *err, size_t errlen);

#endif /* EW_UTIL_FILE_H */
