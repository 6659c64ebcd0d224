/*
 * output-file.c - JSON lines to a file or stdout.
 *
 * Lines are written through a large stdio buffer: a write per event would
 * dominate the cost of an offline run.  A failed write (disk full, closed
 * pipe) is remembered and reported by the caller; the packet path goes on.
 *
 * Log rotation: after `mv events.json events.json.1`, this sink still
 * writes to the renamed file (the descriptor follows the inode), until
 * reopen() opens the path again.  The reopen appends, so a SIGHUP with no
 * rotation before it does not truncate what was written.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

#define OUTPUT_FILE_BUFFER_BYTES (256u * 1024u)

struct file_sink {
	struct output_sink base; /* first: the ops pointer */
	FILE *fp;
	bool is_stdout;
	char *path; /* owned; NULL for stdout */
	char *buffer;
	char error[256];
};

static int file_fail(struct file_sink *fs, const char *what)
{
	if (fs->error[0] == '\0')
		snprintf(fs->error, sizeof(fs->error), "%s: %s", what, strerror(errno));
	return -1;
}

static int file_write_line(struct output_sink *s, const char *line, size_t len)
{
	struct file_sink *fs = (struct file_sink *)s;

	if (fwrite(line, 1, len, fs->fp) != len || putc('\n', fs->fp) == EOF)
		return file_fail(fs, "write");
	return 0;
}

static int file_flush(struct output_sink *s)
{
	struct file_sink *fs = (struct file_sink *)s;

	if (fflush(fs->fp) != 0)
		return file_fail(fs, "write");
	return 0;
}

static int file_close(struct output_sink *s, char *err, size_t errlen)
{
	struct file_sink *fs = (struct file_sink *)s;
	int rc = 0;

	if (fs == NULL)
		return 0;
	if (fflush(fs->fp) != 0)
		file_fail(fs, "write");
	if (!fs->is_stdout && fclose(fs->fp) != 0)
		file_fail(fs, "close");
	if (fs->error[0] != '\0') {
		snprintf(err, errlen, "%s", fs->error);
		rc = -1;
	}
	free(fs->buffer);
	free(fs->path);
	free(fs);
	return rc;
}

/*
 * Opens the path first and lets go of the old stream only once that
 * worked: when the directory has become unwritable, lines keep going to
 * the old file rather than nowhere.  The stdio buffer moves to the new
 * stream, which is allowed because fclose() has released it and the new
 * stream has had no I/O yet.
 */
static int file_reopen(struct output_sink *s)
{
	struct file_sink *fs = (struct file_sink *)s;
	FILE *fp;
	int rc = 0;

	if (fs->is_stdout)
		return 0;
	fp = fopen(fs->path, "a");
	if (fp == NULL)
		return file_fail(fs, "reopen");
	if (fclose(fs->fp) != 0)
		rc = file_fail(fs, "write");
	fs->fp = fp;
	if (fs->buffer != NULL)
		setvbuf(fs->fp, fs->buffer, _IOFBF, OUTPUT_FILE_BUFFER_BYTES);
	return rc;
}

static const char *file_error(const struct output_sink *s)
{
	return ((const struct file_sink *)s)->error;
}

static const struct output_ops file_ops = {
	.name = "file",
	.write_line = file_write_line,
	.flush = file_flush,
	.close = file_close,
	.error = file_error,
	.reopen = file_reopen,
};

struct output_sink *output_file_open(const char *path, char *err, size_t errlen)
{
	struct file_sink *fs = calloc(1, sizeof(*fs));

	if (fs == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	fs->base.ops = &file_ops;
	if (strcmp(path, "-") == 0) {
		fs->fp = stdout;
		fs->is_stdout = true;
	} else {
		fs->path = strdup(path);
		if (fs->path == NULL) {
			snprintf(err, errlen, "%s: out of memory", path);
			free(fs);
			return NULL;
		}
		fs->fp = fopen(path, "w");
		if (fs->fp == NULL) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			free(fs->path);
			free(fs);
			return NULL;
		}
	}
	if (fs->is_stdout) {
		/* stdout outlives the sink, so its buffer must too. */
		static char stdout_buffer[OUTPUT_FILE_BUFFER_BYTES];
		setvbuf(stdout, stdout_buffer, _IOFBF, sizeof(stdout_buffer));
	} else if ((fs->buffer = malloc(OUTPUT_FILE_BUFFER_BYTES)) != NULL) {
		setvbuf(fs->fp, fs->buffer, _IOFBF, OUTPUT_FILE_BUFFER_BYTES);
	}
	return &fs->base;
}
