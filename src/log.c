/*
 * log.c - one-line diagnostics on stderr (see log.h).
 */
#include <stdio.h>
#include <stdlib.h>

#include "log.h"

static const char *log_progname = "edgewatch";
static int log_verbose = 1;

void log_init(const char *progname, int verbose)
{
	log_progname = progname;
	log_verbose = verbose;
}

static void log_vline(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

static void log_vline(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", log_progname);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	log_vline(fmt, ap);
	va_end(ap);
}

void fatalx(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(fmt, ap);
	va_end(ap);
	exit(status);
}
