/*
 * util-progress.h - a progress bar on the terminal while files are read.
 *
 * Drawn on stderr only when stderr is a terminal and the user did not ask
 * for quiet; redrawn at most a few times a second (wall clock: this is
 * display only and never touches the output or its timing).
 */
#ifndef EW_UTIL_PROGRESS_H
#define EW_UTIL_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct progress {
	bool enabled;
	bool drawn;
	double last_draw_s;
	const char *label; /* borrowed: the file being read */
};

void progress_init(struct progress *pg, bool want);
void progress_set_label(struct progress *pg, const char *label);
void progress_update(struct progress *pg, uint64_t pos, uint64_t size, uint64_t packets);
/* Clears the bar's line so the summary starts clean. */
void progress_clear(struct progress *pg);

#endif /* EW_UTIL_PROGRESS_H */
