/*
 * log.h - the program's diagnostics on stderr.
 *
 * Only the programs (main.c and the top of the pipeline) log; library
 * modules return errors as values and let their caller decide.  Every
 * message is one line prefixed with the program name, so an operator can
 * grep for it.  fatalx() is for start-up only: nothing read from packets,
 * files or the network may end the process.
 */
#ifndef EW_LOG_H
#define EW_LOG_H

#include <stdarg.h>

/* Sets the prefix ("edgewatch") and whether info messages are shown. */
void log_init(const char *progname, int verbose);

void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatalx(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

#endif /* EW_LOG_H */
