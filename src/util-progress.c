/*
 * util-progress.c - terminal progress bar (see util-progress.h).
 */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "util-progress.h"

#define PROGRESS_WIDTH 30
#define PROGRESS_MIN_INTERVAL_S 0.2

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void progress_init(struct progress *pg, bool want)
{
	pg->enabled = want && isatty(STDERR_FILENO);
	pg->drawn = false;
	pg->last_draw_s = 0;
	pg->label = "";
}

void progress_set_label(struct progress *pg, const char *label)
{
	pg->label = label;
}

void progress_update(struct progress *pg, uint64_t pos, uint64_t size, uint64_t packets)
{
	char bar[PROGRESS_WIDTH + 1];
	double now;
	int filled = 0;

	if (!pg->enabled)
		return;
	now = mono_s();
	if (now - pg->last_draw_s < PROGRESS_MIN_INTERVAL_S)
		return;
	pg->last_draw_s = now;
	if (size > 0 && pos <= size)
		filled = (int)((double)pos / (double)size * PROGRESS_WIDTH);
	for (int i = 0; i < PROGRESS_WIDTH; i++)
		bar[i] = i < filled ? '#' : '.';
	bar[PROGRESS_WIDTH] = '\0';
	if (size > 0)
		fprintf(stderr, "\r[%s] %3d%% %llu packets  %.40s", bar,
			(int)((double)pos * 100.0 / (double)size), (unsigned long long)packets,
			pg->label);
	else
		fprintf(stderr, "\r%llu packets  %.40s", (unsigned long long)packets, pg->label);
	fflush(stderr);
	pg->drawn = true;
}

void progress_clear(struct progress *pg)
{
	if (!pg->enabled || !pg->drawn)
		return;
	fprintf(stderr, "\r\033[K");
	fflush(stderr);
	pg->drawn = false;
}
