/*
 * privsep.c - dropping root after start-up, and the pid file (see privsep.h).
 *
 * Only the kernel's interfaces: no libcap.  glibc applies setresuid(),
 * setresgid() and setgroups() to every thread of the process (its
 * set*id broadcast), and the kernel clears the permitted and effective
 * capabilities of each thread whose uids all leave 0, so the output
 * thread started before the drop loses them as well.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "privsep.h"

/* getpwnam_r's buffer: sysconf may say "no limit" (-1); 16 KiB covers any real entry. */
#define PRIVSEP_PWBUF_BYTES 16384

int privsep_lookup(const char *name, struct privsep_user *u, char err[PRIVSEP_ERRLEN])
{
	char *buf = malloc(PRIVSEP_PWBUF_BYTES);
	struct passwd pw, *res = NULL;
	int rc;

	if (buf == NULL) {
		snprintf(err, PRIVSEP_ERRLEN, "user %s: out of memory", name);
		return -1;
	}
	if (strlen(name) >= sizeof(u->name)) {
		snprintf(err, PRIVSEP_ERRLEN, "user %.40s...: name longer than %zu bytes", name,
			 sizeof(u->name) - 1);
		free(buf);
		return -1;
	}
	rc = getpwnam_r(name, &pw, buf, PRIVSEP_PWBUF_BYTES, &res);
	if (res == NULL) {
		snprintf(err, PRIVSEP_ERRLEN, "user %s: %s", name,
			 rc == 0 ? "does not exist" : strerror(rc));
		free(buf);
		return -1;
	}
	snprintf(u->name, sizeof(u->name), "%s", name);
	u->uid = pw.pw_uid;
	u->gid = pw.pw_gid;
	free(buf);
	return 0;
}

/* CapEff and CapPrm of this thread: hexadecimal masks in /proc/self/status. */
int privsep_caps(uint64_t *effective, uint64_t *permitted)
{
	FILE *fp = fopen("/proc/self/status", "re");
	char line[256];
	int found = 0;

	if (fp == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (sscanf(line, "CapEff: %" SCNx64, effective) == 1)
			found |= 1;
		else if (sscanf(line, "CapPrm: %" SCNx64, permitted) == 1)
			found |= 2;
	}
	fclose(fp);
	return found == 3 ? 0 : -1;
}

int privsep_check(uid_t uid, gid_t gid, char err[PRIVSEP_ERRLEN])
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;
	uint64_t eff = 0, prm = 0;

	if (getresuid(&ru, &eu, &su) != 0 || getresgid(&rg, &eg, &sg) != 0) {
		snprintf(err, PRIVSEP_ERRLEN, "cannot read the process ids: %s", strerror(errno));
		return -1;
	}
	if (ru != uid || eu != uid || su != uid || rg != gid || eg != gid || sg != gid) {
		snprintf(err, PRIVSEP_ERRLEN,
			 "ids are uid %u/%u/%u gid %u/%u/%u, not uid %u gid %u", (unsigned)ru,
			 (unsigned)eu, (unsigned)su, (unsigned)rg, (unsigned)eg, (unsigned)sg,
			 (unsigned)uid, (unsigned)gid);
		return -1;
	}
	/* The test that matters: the way back to root must be shut. */
	if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		snprintf(err, PRIVSEP_ERRLEN, "root could be regained after the switch");
		return -1;
	}
	if (gid != 0 && (setgid(0) == 0 || setegid(0) == 0)) {
		snprintf(err, PRIVSEP_ERRLEN, "group root could be regained after the switch");
		return -1;
	}
	if (privsep_caps(&eff, &prm) != 0) {
		snprintf(err, PRIVSEP_ERRLEN, "cannot read the capabilities in /proc/self/status");
		return -1;
	}
	if (eff != 0 || prm != 0) {
		snprintf(err, PRIVSEP_ERRLEN,
			 "capabilities left after the switch: effective %016" PRIx64
			 ", permitted %016" PRIx64, eff, prm);
		return -1;
	}
	return 0;
}

int privsep_drop(const struct privsep_user *u, char err[PRIVSEP_ERRLEN])
{
	/* Groups first: once the uid is not 0 the process may no longer change them. */
	if (initgroups(u->name, u->gid) != 0) {
		snprintf(err, PRIVSEP_ERRLEN, "user %s: cannot set the groups: %s", u->name,
			 strerror(errno));
		return -1;
	}
	if (setresgid(u->gid, u->gid, u->gid) != 0) {
		snprintf(err, PRIVSEP_ERRLEN, "user %s: cannot set gid %u: %s", u->name,
			 (unsigned)u->gid, strerror(errno));
		return -1;
	}
	if (setresuid(u->uid, u->uid, u->uid) != 0) {
		snprintf(err, PRIVSEP_ERRLEN, "user %s: cannot set uid %u: %s", u->name,
			 (unsigned)u->uid, strerror(errno));
		return -1;
	}
	/* No ambient capabilities survive a uid change from 0, but say so explicitly. */
	(void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (privsep_check(u->uid, u->gid, err) != 0)
		return -1;
	return 0;
}

int privsep_clear_caps(char err[PRIVSEP_ERRLEN])
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[2];
	uint64_t eff = 1, prm = 1;

	memset(data, 0, sizeof(data));
	/* EINVAL: a kernel without ambient capabilities (before 4.3) has none to clear. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
		snprintf(err, PRIVSEP_ERRLEN, "cannot clear the ambient capabilities: %s",
			 strerror(errno));
		return -1;
	}
	if (syscall(SYS_capset, &hdr, data) != 0) {
		snprintf(err, PRIVSEP_ERRLEN, "cannot drop the capabilities: %s", strerror(errno));
		return -1;
	}
	if (privsep_caps(&eff, &prm) != 0 || eff != 0 || prm != 0) {
		snprintf(err, PRIVSEP_ERRLEN, "capabilities left after dropping them");
		return -1;
	}
	return 0;
}

int privsep_give_path(const char *path, const struct privsep_user *u, bool *changed,
		      char err[PRIVSEP_ERRLEN])
{
	struct stat st;
	int fd;

	*changed = false;
	/*
	 * O_NOFOLLOW: a symbolic link planted in the path's place must not
	 * redirect the chown; O_NONBLOCK: a FIFO there must not hang the start.
	 */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, PRIVSEP_ERRLEN, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		snprintf(err, PRIVSEP_ERRLEN, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (st.st_uid == 0 && u->uid != 0 && (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode))) {
		if (fchown(fd, u->uid, u->gid) != 0) {
			snprintf(err, PRIVSEP_ERRLEN, "%s: cannot give it to %s: %s", path, u->name,
				 strerror(errno));
			close(fd);
			return -1;
		}
		*changed = true;
	}
	close(fd);
	return 0;
}

int privsep_pidfile_write(struct privsep_pidfile *pf, const char *path,
			  char err[PRIVSEP_ERRLEN])
{
	char text[32];
	int n;

	pf->fd = -1;
	if ((size_t)snprintf(pf->path, sizeof(pf->path), "%s", path) >= sizeof(pf->path)) {
		snprintf(err, PRIVSEP_ERRLEN, "pid file path too long");
		return -1;
	}
	pf->fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (pf->fd < 0) {
		snprintf(err, PRIVSEP_ERRLEN, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* The lock, not the file's presence, says a sensor runs: a stale file after a crash is no obstacle. */
	if (flock(pf->fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EWOULDBLOCK)
			snprintf(err, PRIVSEP_ERRLEN, "%s: held by another process", path);
		else
			snprintf(err, PRIVSEP_ERRLEN, "%s: cannot lock it: %s", path, strerror(errno));
		close(pf->fd);
		pf->fd = -1;
		return -1;
	}
	n = snprintf(text, sizeof(text), "%ld\n", (long)getpid());
	if (ftruncate(pf->fd, 0) != 0 || write(pf->fd, text, (size_t)n) != n) {
		snprintf(err, PRIVSEP_ERRLEN, "%s: %s", path, strerror(errno));
		close(pf->fd);
		pf->fd = -1;
		return -1;
	}
	return 0;
}

int privsep_pidfile_remove(struct privsep_pidfile *pf, char err[PRIVSEP_ERRLEN])
{
	int rc = 0;

	if (pf->fd < 0)
		return 0;
	if (unlink(pf->path) != 0) {
		snprintf(err, PRIVSEP_ERRLEN, "%.160s: cannot remove it (%s); emptied instead", pf->path,
			 strerror(errno));
		if (ftruncate(pf->fd, 0) != 0)
			snprintf(err, PRIVSEP_ERRLEN, "%.160s: cannot remove or empty it: %s", pf->path,
				 strerror(errno));
		rc = -1;
	}
	close(pf->fd);
	pf->fd = -1;
	return rc;
}
