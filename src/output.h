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
};

struct output_sink {
	const struct output_ops *ops;
};

/*
 * JSON lines to a file ("-" for stdout).  Returns NULL with a message in
 * err when the file cannot be opened.  The sink owns the stream.
 */
struct output_sink *output_file_open(const char *path, char *err, size_t errlen);

#endif /* EW_OUTPUT_H */
