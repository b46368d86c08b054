/* consume.c -- end-to-end test that a park loses nothing a blocked thread would consume: starts
 * csrv, parks it with a hold, and while it is held connects a new client, sends data on an
 * existing connection and sends SIGUSR2; checks that all of it is still in the kernel (listen
 * backlog and receive queue from /proc/net/tcp, SIGUSR2 pending in /proc/PID/status) and
 * served after the release; then that a real SIGUSR1 still gives read() its EINTR.
 * Usage: consume CSRV */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "ttst/proto.h"

enum { ACCEPTED, BYTES, EINTRS, CONN_TID, SIGUSR2S, OTHER_SIG, NSLOTS };

static int failures;
static pid_t child = -1;
static volatile uint64_t *counter;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                       \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
			failures++;                                                                \
		}                                                                                  \
	} while (0)

static void msleep(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
	nanosleep(&ts, NULL);
}

/* Starts csrv; returns its port (and *guard), or -1. */
static int spawn(const char *csrv, int *guard)
{
	int p[2];
	if (pipe(p) < 0)
		return -1;
	child = fork();
	if (child == 0) {
		dup2(p[1], 1);
		close(p[0]);
		execl(csrv, csrv, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	char buf[64] = {0};
	size_t got = 0;
	struct pollfd pf = {p[0], POLLIN, 0};
	while (got < sizeof buf - 1 && !strchr(buf, '\n') && poll(&pf, 1, 5000) > 0) {
		ssize_t r = read(p[0], buf + got, sizeof buf - 1 - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(p[0]);
	int port = -1;
	if (sscanf(buf, "port %d guard %d", &port, guard) != 2)
		return -1;
	return port;
}

static int tcp_connect(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons((uint16_t)port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0)
		return -1;
	return fd;
}

static int local_port(int fd)
{
	struct sockaddr_in a;
	socklen_t len = sizeof a;
	return getsockname(fd, (struct sockaddr *)&a, &len) < 0 ? -1 : ntohs(a.sin_port);
}

/* Reads one reply line within ms; returns its number, or -1. */
static long reply(int fd, int ms)
{
	char buf[32] = {0};
	size_t got = 0;
	struct pollfd p = {fd, POLLIN, 0};
	while (got < sizeof buf - 1 && !strchr(buf, '\n') && poll(&p, 1, ms) > 0) {
		ssize_t r = read(fd, buf + got, 1);
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return strchr(buf, '\n') ? strtol(buf, NULL, 10) : -1;
}

static long send_and_reply(int fd, const char *s, int ms)
{
	size_t n = strlen(s);
	return write(fd, s, n) == (ssize_t)n ? reply(fd, ms) : -1;
}

/* rx_queue of the 127.0.0.1 TCP socket with local port lport, remote port
 * rport (0: a listener, whose rx_queue is its accept backlog); -1 if absent. */
static long rx_queue(int lport, int rport)
{
	FILE *f = fopen("/proc/net/tcp", "r");
	char line[512];
	long q = -1;
	while (f && q < 0 && fgets(line, sizeof line, f)) {
		unsigned la, lp, ra, rp, st;
		unsigned long tx, rx;
		if (sscanf(line, " %*d: %x:%x %x:%x %x %lx:%lx", &la, &lp, &ra, &rp, &st, &tx, &rx) ==
			    7 &&
		    (int)lp == lport && (rport ? (int)rp == rport && st == 1 : st == 0x0a))
			q = (long)rx;
	}
	if (f)
		fclose(f);
	return q;
}

/* Non-zero if signal sig is pending for the whole of process pid. */
static int pending_shared(pid_t pid, int sig)
{
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	unsigned long long mask = 0;
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, "ShdPnd:", 7))
			mask = strtoull(line + 7, NULL, 16);
	if (f)
		fclose(f);
	return (int)((mask >> (sig - 1)) & 1);
}

static int park(unsigned timeout_ms, unsigned hold_ms, char *text, size_t n)
{
	char err[512];
	struct ttst_park_req req = {timeout_ms, hold_ms};
	int fd = ctl_client_connect(child, err, sizeof err);
	struct ctl_reply r;
	if (fd < 0 ||
	    ctl_client_request(fd, TTST_MSG_PARK, &req, sizeof req, 10000, &r, err, sizeof err) < 0) {
		snprintf(text, n, "%s", err);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	snprintf(text, n, "%s", r.text);
	free(r.text);
	return r.type;
}

static long kv(const char *text, const char *key)
{
	char v[64];
	return ctl_kv_get(text, key, v, sizeof v) ? strtol(v, NULL, 10) : -1;
}

static uint64_t get(int k)
{
	return __atomic_load_n(&counter[k], __ATOMIC_SEQ_CST);
}

/* While held: the new connection, the data and SIGUSR2 stay in the kernel. */
static void check_held(int port, int c1)
{
	int c2 = tcp_connect(port);
	CHECK(c2 >= 0, "cannot connect while parked (the kernel completes the handshake)");
	CHECK(write(c1, "hello", 5) == 5, "cannot send while parked");
	CHECK(kill(child, SIGUSR2) == 0, "cannot send SIGUSR2");
	msleep(300);
	CHECK(get(ACCEPTED) == 1 && get(BYTES) == 2 && get(SIGUSR2S) == 0,
	      "the program ran while parked: accepted %llu bytes %llu sigusr2 %llu",
	      (unsigned long long)get(ACCEPTED), (unsigned long long)get(BYTES),
	      (unsigned long long)get(SIGUSR2S));
	long backlog = rx_queue(port, 0), queued = rx_queue(port, local_port(c1));
	CHECK(backlog == 1, "accept() consumed the new connection while parked (backlog %ld)",
	      backlog);
	CHECK(queued == 5, "read() consumed the data while parked (receive queue %ld of 5)", queued);
	CHECK(pending_shared(child, SIGUSR2),
	      "sigwaitinfo() consumed SIGUSR2 while parked (not pending)");
	/* after the hold (1.5 s): everything is served */
	CHECK(reply(c1, 3000) == 5, "the data sent while parked was not served after the release");
	CHECK(c2 < 0 || send_and_reply(c2, "x", 3000) == 1,
	      "the connection made while parked was not served after the release");
	for (int i = 0; i < 100 && get(SIGUSR2S) == 0; i++)
		msleep(10);
	CHECK(get(SIGUSR2S) == 1, "SIGUSR2 sent while parked was not taken after the release");
	CHECK(get(ACCEPTED) == 2 && get(EINTRS) == 0 && get(OTHER_SIG) == 0,
	      "after the release: accepted %llu (2), EINTR seen %llu (0), other signals %llu (0)",
	      (unsigned long long)get(ACCEPTED), (unsigned long long)get(EINTRS),
	      (unsigned long long)get(OTHER_SIG));
	/* a real signal still interrupts read() with EINTR for the program */
	/* (a SIGUSR1 that comes before the thread is back in read() interrupts
	 * nothing: send again every 50 ms, at most 40 times) */
	pid_t tid = (pid_t)get(CONN_TID);
	CHECK(tid > 0, "no connection thread id");
	for (int i = 0; tid > 0 && i < 40 && get(EINTRS) == 0; i++) {
		CHECK(syscall(SYS_tgkill, child, tid, SIGUSR1) == 0, "cannot signal thread %d",
		      (int)tid);
		for (int j = 0; j < 5 && get(EINTRS) == 0; j++)
			msleep(10);
	}
	CHECK(get(EINTRS) == 1, "SIGUSR1 did not give read() its EINTR (%llu)",
	      (unsigned long long)get(EINTRS));
	CHECK(c2 < 0 || send_and_reply(c2, "yz", 3000) == 2, "no reply after the EINTR");
	if (c2 >= 0)
		close(c2);
}

static void scenario(int port)
{
	char text[4096];
	int c1 = tcp_connect(port);
	CHECK(c1 >= 0 && send_and_reply(c1, "ab", 3000) == 2, "csrv does not answer");
	for (int i = 0; i < 100 && get(CONN_TID) == 0; i++)
		msleep(10);
	int t = park(3000, 1500, text, sizeof text);
	CHECK(t == TTST_MSG_OK, "PARK failed: %s", text);
	long threads = kv(text, "threads"), parked = kv(text, "parked"),
	     blocked = kv(text, "blocked");
	CHECK(threads == 4 && parked == 3 && blocked == 1,
	      "PARK: threads %ld parked %ld blocked %ld, expected 4 = 3 interrupted + main", threads,
	      parked, blocked);
	if (t == TTST_MSG_OK)
		check_held(port, c1);
	for (int round = 0; round < 5; round++) { /* parks in a row, no hold */
		t = park(3000, 0, text, sizeof text);
		CHECK(t == TTST_MSG_OK, "PARK %d failed: %s", round, text);
		CHECK(send_and_reply(c1, "abc", 3000) == 3, "no reply after PARK %d", round);
	}
	CHECK(get(EINTRS) == 1, "the program saw an EINTR of the park signal (%llu EINTRs)",
	      (unsigned long long)get(EINTRS));
	close(c1);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: consume CSRV\n");
		return 2;
	}
	char dir[] = "/tmp/ttst-consume-XXXXXX", cpath[300], rundir[300], cmd[400];
	if (!mkdtemp(dir))
		return 2;
	snprintf(rundir, sizeof rundir, "%s/run", dir);
	snprintf(cpath, sizeof cpath, "%s/counter", dir);
	setenv("TTST_RUNDIR", rundir, 1);
	setenv("QSRV_COUNTER", cpath, 1);
	int cfd = open(cpath, O_RDWR | O_CREAT, 0600);
	if (cfd < 0 || ftruncate(cfd, NSLOTS * 8) < 0)
		return 2;
	counter = mmap(NULL, NSLOTS * 8, PROT_READ | PROT_WRITE, MAP_SHARED, cfd, 0);
	close(cfd);
	int guard = 0, port = spawn(argv[1], &guard);
	CHECK(port > 0, "csrv did not start");
	CHECK(guard == 1, "sigaction was allowed to change the park signal");
	char path[256], err[512];
	int found = -1;
	for (int i = 0; port > 0 && found < 0 && i < 100; i++, msleep(50))
		found = ctl_client_find(child, path, sizeof path, err, sizeof err);
	CHECK(found == 0, "no control socket: %s", err);
	if (port > 0 && found == 0)
		scenario(port);
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "consume: cannot remove %s\n", dir);
	printf("quiesce consume: %s\n", failures ? "FAILED" : "ok");
	return failures ? 1 : 0;
}
