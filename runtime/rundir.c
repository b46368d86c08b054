/* rundir.c -- chooses, creates and checks the control-socket directory; removes stale sockets. */
#define _GNU_SOURCE
#include "rundir.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "ttst/proto.h"

int ttst_rundir_path(char *buf, size_t n, char *err, size_t errlen)
{
	const char *env = getenv("TTST_RUNDIR");
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	int w;
	if (env && *env)
		w = snprintf(buf, n, "%s", env);
	else if (geteuid() == 0)
		w = snprintf(buf, n, "/run/ttst");
	else if (xdg && *xdg)
		w = snprintf(buf, n, "%s/ttst", xdg);
	else
		w = snprintf(buf, n, "/tmp/ttst-%u", (unsigned)geteuid());
	if (w < 0 || (size_t)w >= n) {
		snprintf(err, errlen,
			 "run directory path is too long (set TTST_RUNDIR to a shorter one)");
		return -1;
	}
	return 0;
}

int ttst_rundir_prepare(const char *dir, char *err, size_t errlen)
{
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create run directory %s: %s (set TTST_RUNDIR)", dir,
			 strerror(errno));
		return -1;
	}
	struct stat st;
	if (lstat(dir, &st) < 0) {
		snprintf(err, errlen, "run directory %s: %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "run directory %s is not a directory (set TTST_RUNDIR)", dir);
		return -1;
	}
	if (st.st_uid != geteuid()) {
		snprintf(err, errlen,
			 "run directory %s belongs to uid %u, not to us (uid %u); "
			 "set TTST_RUNDIR to a directory of our own",
			 dir, (unsigned)st.st_uid, (unsigned)geteuid());
		return -1;
	}
	if (st.st_mode & 077) {
		snprintf(err, errlen,
			 "run directory %s has mode %04o; it must be 0700 (chmod 700 %s)", dir,
			 (unsigned)(st.st_mode & 07777), dir);
		return -1;
	}
	return 0;
}

/* Parses "<pid>.sock"; returns the pid or 0. */
static pid_t sock_pid(const char *name)
{
	char *end;
	long pid = strtol(name, &end, 10);
	if (end == name || pid <= 0 || strcmp(end, TTST_PROTO_SOCK_SUFFIX))
		return 0;
	return (pid_t)pid;
}

void ttst_rundir_sweep(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		pid_t pid = sock_pid(e->d_name);
		if (!pid || pid == getpid())
			continue;
		if (kill(pid, 0) < 0 && errno == ESRCH) {
			char path[4200];
			snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
			if (unlink(path) == 0)
				ttst_debug("removed stale control socket %s", path);
		}
	}
	closedir(d);
}
