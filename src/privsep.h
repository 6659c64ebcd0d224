/*
 * privsep.h - who the live sensor runs as: the drop from root to an
 * unprivileged user once the capture is open, its check, and the pid file.
 *
 * The order, decided in main.c: open the capture (CAP_NET_RAW), the
 * outputs, the state directory and the key file as root; then
 * privsep_drop() switches groups, gid and uid, and verifies that root
 * cannot be regained and no capability is left.  A sensor started
 * without root (a service manager's User= with CAP_NET_RAW as an ambient
 * capability) calls privsep_clear_caps() right after the capture opens
 * instead.  Nothing here prints: errors are values with a one-line
 * message.
 *
 * Ownership: struct privsep_user is plain data; struct privsep_pidfile
 * holds an open descriptor until privsep_pidfile_remove().
 */
#ifndef EW_PRIVSEP_H
#define EW_PRIVSEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PRIVSEP_ERRLEN 256
#define PRIVSEP_FALLBACK_USER "nobody"

struct privsep_user {
	char name[33]; /* a Linux user name is at most 32 bytes */
	uid_t uid;
	gid_t gid;     /* the user's primary group */
};

/* Looks the user up (getpwnam_r).  0, or -1 with "user NAME: does not exist" and the like. */
int privsep_lookup(const char *name, struct privsep_user *u, char err[PRIVSEP_ERRLEN]);

/*
 * Becomes u for good: supplementary groups (initgroups), gid, uid (real,
 * effective and saved), then checks the result with privsep_check().
 * Needs root.  -1 with a message when any step or the check fails: the
 * caller must then stop, since it cannot know what it still holds.
 */
int privsep_drop(const struct privsep_user *u, char err[PRIVSEP_ERRLEN]);

/*
 * Verifies the process runs as uid/gid with no way back: real, effective
 * and saved ids are the target, setuid(0) and setgid(0) fail, and the
 * effective and permitted capability sets are empty.  0, or -1 naming
 * what is wrong.
 */
int privsep_check(uid_t uid, gid_t gid, char err[PRIVSEP_ERRLEN]);

/*
 * Drops every capability of a process that is not root: the ambient set
 * (PR_CAP_AMBIENT_CLEAR_ALL), then effective, permitted and inheritable
 * (capset).  The capability sets are per thread: call it before any
 * thread is started.  0, or -1 with a message.
 */
int privsep_clear_caps(char err[PRIVSEP_ERRLEN]);

/*
 * The capability sets of this thread from /proc/self/status (CapEff and
 * CapPrm), for checks and tests.  -1 when they cannot be read.
 */
int privsep_caps(uint64_t *effective, uint64_t *permitted);

/*
 * A directory or file the user must write to after the drop (the state
 * directory; the output file, reopened by name on SIGHUP): when root owns
 * it, it is given to the user (chown, while still root).  Anything owned
 * by someone else, and anything but a directory or a regular file, is
 * left alone; a symbolic link is refused.  *changed says whether it was
 * given.  0, or -1 with a message.
 */
int privsep_give_path(const char *path, const struct privsep_user *u, bool *changed,
		      char err[PRIVSEP_ERRLEN]);

struct privsep_pidfile {
	int fd;           /* held open (and locked) until removal; -1: none */
	char path[4096];
};

/*
 * Writes getpid() to path, created with mode 0644, and holds it open with
 * an exclusive lock, so a second sensor with the same pid file refuses to
 * start ("held by another process").  0, or -1 with a message.
 */
int privsep_pidfile_write(struct privsep_pidfile *pf, const char *path,
			  char err[PRIVSEP_ERRLEN]);

/*
 * At exit: removes the file.  When the directory no longer lets this
 * process remove it (the file was written as root before the drop), the
 * file is emptied instead so no stale pid remains, and -1 says so.
 * Accepts a pid file never written (fd -1).
 */
int privsep_pidfile_remove(struct privsep_pidfile *pf, char err[PRIVSEP_ERRLEN]);

#endif /* EW_PRIVSEP_H */
