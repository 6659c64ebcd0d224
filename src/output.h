/*
 * output.h - where event lines go.
 *
 * An output sink is a const table of functions plus its private state, so
 * new destinations (syslog, Redis) plug in without the pipeline knowing
 * them.  Sinks receive finished lines: one JSON object without the
 * trailing newline.  Errors are returned; the sink keeps a message.
 */
#ifndef EW_OUTPUT_H
#define EW_OUTPUT_H

#include <stddef.h>

struct output_sink;

struct output_ops {
	const char *name;
	/* Writes one event line; 0 on success, -1 on error. */
	int (*write_line)(struct output_sink *s, const char *line, size_t len);
	/* Pushes buffered lines out; 0 or -1. */
	int (*flush)(struct output_sink *s);
	/*
	 * Flushes and releases everything.  Returns -1 if this or any earlier
	 * write failed, with the first error's message copied into err.
	 */
	int (*close)(struct output_sink *s, char *err, size_t errlen);
	/* The last error, or "" */
	const char *(*error)(const struct output_sink *s);
	/*
	 * Optional (NULL: nothing to do).  Lets go of the destination and
	 * opens it again by name: a file renamed away by log rotation is
	 * closed and a new one created, a syslog connection is made anew.
	 * Called between two lines, on the thread that writes.  0 or -1; on
	 * -1 the sink keeps writing where it wrote before.
	 */
	int (*reopen)(struct output_sink *s);
};

struct output_sink {
	const struct output_ops *ops;
};

/*
 * JSON lines to a file ("-" for stdout).  Returns NULL with a message in
 * err when the file cannot be opened.  The sink owns the stream.  The
 * file is truncated at open; reopen() appends to the file now at path
 * (creating it), so a rename-based rotation loses no line and a reopen
 * without rotation overwrites none.  Standard output is never reopened.
 */
struct output_sink *output_file_open(const char *path, char *err, size_t errlen);

#endif /* EW_OUTPUT_H */
