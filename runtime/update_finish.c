/* update_finish.c -- after a commit: the pid file names v2, and systemd learns MAINPID. */
#define _GNU_SOURCE
#include "update_finish.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int ttst_finish_pidfile(const char *pidfile, pid_t pid, char *err, size_t n)
{
	char tmp[4200], line[32];
	if (snprintf(tmp, sizeof tmp, "%s.ttst-%d", pidfile, (int)getpid()) >= (int)sizeof tmp) {
		snprintf(err, n, "pid file %s: path too long", pidfile);
		return -1;
	}
	int len = snprintf(line, sizeof line, "%d\n", (int)pid);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, n, "pid file %s: cannot create %s: %s", pidfile, tmp,
			 strerror(errno));
		return -1;
	}
	ssize_t w = write(fd, line, (size_t)len);
	int e = w == len ? 0 : w < 0 ? errno : EIO;
	if (close(fd) < 0 && !e)
		e = errno;
	if (!e && rename(tmp, pidfile) < 0)
		e = errno;
	if (e) {
		unlink(tmp);
		snprintf(err, n, "pid file %s: cannot rewrite it: %s", pidfile, strerror(e));
		return -1;
	}
	return 0;
}

int ttst_finish_notify(pid_t pid, char *err, size_t n)
{
	const char *path = getenv("NOTIFY_SOCKET");
	if (!path || !*path)
		return 0;
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	size_t len = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || len >= sizeof a.sun_path) {
		snprintf(err, n, "NOTIFY_SOCKET=%s: not a socket path or abstract name", path);
		return -1;
	}
	memcpy(a.sun_path, path, len);
	if (path[0] == '@')
		a.sun_path[0] = 0;
	char msg[64];
	int ml = snprintf(msg, sizeof msg, "MAINPID=%d\n", (int)pid);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	socklen_t al = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + (path[0] == '/'));
	if (fd < 0 ||
	    sendto(fd, msg, (size_t)ml, MSG_NOSIGNAL, (struct sockaddr *)&a, al) != (ssize_t)ml) {
		snprintf(err, n, "NOTIFY_SOCKET=%s: cannot send MAINPID=%d: %s", path, (int)pid,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}
