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

/*
 * Reads all of fd (or the file at path) into *text (malloc'd, with a NUL
 * after the *len bytes; the caller frees it).  -1 with errno set on error:
 * EFBIG when the content is longer than max bytes.
 */
int ew_read_fd(int fd, size_t max, char **text, size_t *len);
int ew_read_file(const char *path, size_t max, char **text, size_t *len);

#endif /* EW_UTIL_FILE_H */
