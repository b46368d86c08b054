/* updtool.c -- helpers for the update tests.
 *   updtool reap CMD [ARGS...]      runs CMD as a child subreaper: every orphan (a committed v2
 *                                   whose parent v1 exited) is reaped here; when CMD ends, the
 *                                   orphans still running are killed by pid and reaped; exits
 *                                   with CMD's status
 *   updtool notify PATH MS          binds a unix datagram socket at PATH, prints the first
 *                                   datagram received within MS ms (exit 1 if none)
 *   updtool raw PID FLAGS BINARY PIDFILE ARG...
 *                                   sends an UPDATE request straight to PID's control socket
 *                                   (no ttst-ctl checks) and prints every reply frame as
 *                                   "ERROR|EVENT|RESULT <text on one line>" until EOF
 *   updtool rawbad PID              sends an UPDATE whose strings do not match its argc
 *   updtool park PID                sends PARK (hold 0) and prints the reply: "OK|ERROR <text>"
 *   updtool unix PATH               connects to the unix stream socket PATH and relays: each
 *                                   line read from stdin is sent, one reply line printed
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "client.h"
#include "ttst/proto.h"

/* Kills (SIGKILL, by pid) every remaining child of this process. */
static int kill_children(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;
	while (d && (e = readdir(d))) {
		char path[300], buf[512];
		snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
		FILE *f = fopen(path, "re");
		if (!f)
			continue;
		int pid, ppid;
		char state;
		if (fgets(buf, sizeof buf, f) && strrchr(buf, ')') &&
		    sscanf(strrchr(buf, ')') + 2, "%c %d", &state, &ppid) == 2 &&
		    ppid == (int)getpid() && sscanf(buf, "%d", &pid) == 1) {
			kill(pid, SIGKILL);
			n++;
		}
		fclose(f);
	}
	if (d)
		closedir(d);
	return n;
}

static int cmd_reap(char **argv)
{
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	pid_t main_pid = fork();
	if (main_pid < 0)
		return 2;
	if (main_pid == 0) {
		execvp(argv[0], argv);
		perror(argv[0]);
		_exit(127);
	}
	int status, rc = 2;
	pid_t p;
	while ((p = waitpid(-1, &status, 0)) > 0 || errno == EINTR) {
		if (p != main_pid)
			continue;
		rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		if (kill_children())
			fprintf(stderr, "updtool: killed processes the test left running\n");
	}
	return rc;
}

static int cmd_notify(const char *path, int ms)
{
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		perror(path);
		return 2;
	}
	printf("ready\n");
	fflush(stdout);
	struct pollfd p = {fd, POLLIN, 0};
	char buf[512];
	ssize_t n = poll(&p, 1, ms) > 0 ? recv(fd, buf, sizeof buf - 1, 0) : -1;
	unlink(path);
	if (n <= 0)
		return 1;
	buf[n] = 0;
	printf("%s%s", buf, n && buf[n - 1] == '\n' ? "" : "\n");
	return 0;
}

/* Prints every frame of the reply stream until EOF. */
static int print_stream(int fd)
{
	struct ttst_msg_hdr h;
	static char text[TTST_PROTO_MAX_PAYLOAD + 1];
	for (;;) {
		ssize_t k = recv(fd, &h, sizeof h, MSG_WAITALL);
		if (k == 0)
			return 0;
		if (k != (ssize_t)sizeof h || h.length > TTST_PROTO_MAX_PAYLOAD ||
		    (h.length && recv(fd, text, h.length, MSG_WAITALL) != (ssize_t)h.length))
			return 1;
		text[h.length] = 0;
		for (char *c = text; *c; c++)
			if (*c == '\n')
				*c = ' ';
		printf("%s %s\n",
		       h.type == TTST_MSG_ERROR	   ? "ERROR"
		       : h.type == TTST_MSG_EVENT  ? "EVENT"
		       : h.type == TTST_MSG_RESULT ? "RESULT"
						   : "OTHER",
		       text);
	}
}

static int cmd_raw(pid_t pid, char **argv, int argc, int bad)
{
	char err[512], buf[8192];
	int fd = ctl_client_connect(pid, err, sizeof err);
	if (fd < 0) {
		fprintf(stderr, "updtool: %s\n", err);
		return 3;
	}
	struct ttst_update_req q = {0, bad ? 0 : (uint32_t)atoi(argv[0]),
				    bad ? 2u : (uint32_t)(argc - 3), 0};
	size_t len = sizeof q;
	memcpy(buf, &q, sizeof q);
	for (int i = bad ? 0 : 1; i < (bad ? 0 : argc); i++) {
		size_t l = strlen(argv[i]) + 1;
		if (len + l > sizeof buf)
			return 2;
		memcpy(buf + len, argv[i], l);
		len += l;
	}
	if (bad) /* "a\0b" -- two strings, four announced (binary, pid file, 2 arguments) */
		memcpy(buf + len, "a\0b", 4), len += 4;
	struct ttst_msg_hdr h;
	ttst_msg_init(&h, TTST_MSG_UPDATE, (uint32_t)len);
	if (send(fd, &h, sizeof h, MSG_NOSIGNAL) < 0 || send(fd, buf, len, MSG_NOSIGNAL) < 0)
		perror("send");
	int rc = print_stream(fd);
	close(fd);
	return rc;
}

static int cmd_park(pid_t pid)
{
	char err[512];
	struct ttst_park_req q = {1000, 0};
	struct ctl_reply rep;
	int fd = ctl_client_connect(pid, err, sizeof err);
	if (fd < 0 ||
	    ctl_client_request(fd, TTST_MSG_PARK, &q, sizeof q, 5000, &rep, err, sizeof err) < 0) {
		printf("FAILED %s\n", err);
		return 1;
	}
	for (char *c = rep.text; *c; c++)
		if (*c == '\n')
			*c = ' ';
	printf("%s %s\n", rep.type == TTST_MSG_OK ? "OK" : "ERROR", rep.text);
	free(rep.text);
	close(fd);
	return 0;
}

static int cmd_unix(const char *path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		printf("connect: %s\n", strerror(errno));
		return 1;
	}
	FILE *in = fdopen(fd, "r");
	char line[256];
	while (in && fgets(line, sizeof line, stdin)) {
		if (send(fd, line, strlen(line), MSG_NOSIGNAL) < 0 || !fgets(line, sizeof line, in))
			snprintf(line, sizeof line, "closed\n");
		fputs(line, stdout);
		fflush(stdout);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "reap"))
		return cmd_reap(argv + 2);
	if (argc == 4 && !strcmp(argv[1], "notify"))
		return cmd_notify(argv[2], atoi(argv[3]));
	if (argc >= 7 && !strcmp(argv[1], "raw"))
		return cmd_raw((pid_t)atoi(argv[2]), argv + 3, argc - 3, 0);
	if (argc == 3 && !strcmp(argv[1], "rawbad"))
		return cmd_raw((pid_t)atoi(argv[2]), NULL, 0, 1);
	if (argc == 3 && !strcmp(argv[1], "unix"))
		return cmd_unix(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "park"))
		return cmd_park((pid_t)atoi(argv[2]));
	fprintf(stderr, "usage: updtool reap CMD... | notify PATH MS | raw PID FLAGS BINARY "
			"PIDFILE ARG... | rawbad PID | unix PATH | park PID\n");
	return 2;
}
