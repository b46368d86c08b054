/* driver.c -- end-to-end quiescence test: starts qsrv, parks it over the control socket, checks
 * that every thread stays put while parked and works afterwards; with a spinning thread, checks
 * that the park times out naming it and that the process keeps serving.  Usage: driver QSRV
 * normal|spin */
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
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "ttst/proto.h"

static int failures;
static pid_t child = -1;

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

static void reap(void)
{
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		child = -1;
	}
}

/* Starts qsrv; returns the TCP port it printed, or -1. */
static int spawn(const char *qsrv, const char *mode)
{
	int p[2];
	if (pipe(p) < 0)
		return -1;
	child = fork();
	if (child == 0) {
		dup2(p[1], 1);
		close(p[0]);
		execl(qsrv, qsrv, mode, (char *)NULL);
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
	if (sscanf(buf, "port %d", &port) != 1)
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

/* Reads the echo "<k>\n" within ms; returns 0 if it came, -1 if not. */
static int expect_echo(int fd, int k, int ms)
{
	char buf[2];
	size_t got = 0;
	struct pollfd p = {fd, POLLIN, 0};
	while (got < 2 && poll(&p, 1, ms) > 0) {
		ssize_t r = read(fd, buf + got, 2 - got);
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return got == 2 && buf[0] == '0' + k && buf[1] == '\n' ? 0 : -1;
}

static int poke(int fd, int k, int ms)
{
	return write(fd, "x", 1) == 1 ? expect_echo(fd, k, ms) : -1;
}

/* Sends one control request to the child; returns the reply type (or -1) and text. */
static int request(uint16_t type, const void *payload, uint32_t len, char *text, size_t n)
{
	char err[512];
	int fd = ctl_client_connect(child, err, sizeof err);
	if (fd < 0) {
		snprintf(text, n, "%s", err);
		return -1;
	}
	struct ctl_reply r;
	int rc = ctl_client_request(fd, type, payload, len, 10000, &r, err, sizeof err);
	close(fd);
	if (rc < 0) {
		snprintf(text, n, "%s", err);
		return -1;
	}
	snprintf(text, n, "%s", r.text);
	free(r.text);
	return r.type;
}

static int park(unsigned timeout_ms, unsigned hold_ms, char *text, size_t n)
{
	struct ttst_park_req req = {timeout_ms, hold_ms};
	return request(TTST_MSG_PARK, &req, sizeof req, text, n);
}

static long kv(const char *text, const char *key)
{
	char v[64];
	return ctl_kv_get(text, key, v, sizeof v) ? strtol(v, NULL, 10) : -1;
}

static volatile uint64_t *counter;

/* Non-zero if the looper's counter (or the spinner's, k = 1) moves within ms. */
static int counter_moves_k(int k, int ms)
{
	uint64_t c0 = counter[k];
	msleep(ms);
	return counter[k] != c0;
}

static int counter_moves(int ms)
{
	return counter_moves_k(0, ms);
}

/* Waits for the child's control socket (created before its main runs). */
static int wait_socket(void)
{
	char path[256], err[512];
	for (int i = 0; i < 100; i++) {
		if (ctl_client_find(child, path, sizeof path, err, sizeof err) == 0)
			return 0;
		msleep(50);
	}
	fprintf(stderr, "driver: %s\n", err);
	return -1;
}

static void scenario_normal(int port)
{
	char text[4096];
	int c1 = tcp_connect(port), c2 = tcp_connect(port);
	CHECK(c1 >= 0 && c2 >= 0, "cannot connect to qsrv");
	CHECK(poke(c1, 1, 3000) == 0, "reader does not echo before the park");
	CHECK(poke(c2, 2, 3000) == 0, "poller does not echo before the park");
	CHECK(counter_moves(100), "looper does not run before the park");

	int t = park(3000, 1000, text, sizeof text);
	CHECK(t == TTST_MSG_OK, "PARK failed: %s", text);
	long threads = kv(text, "threads"), parked = kv(text, "parked"),
	     blocked = kv(text, "blocked");
	CHECK(threads == 6, "PARK: %ld threads registered, expected 6 (main + 5)", threads);
	CHECK(parked >= 1 && parked + blocked == threads, "PARK: parked %ld + blocked %ld != %ld",
	      parked, blocked, threads);
	/* while parked: nothing of the program runs, even when its read() gets data */
	CHECK(!counter_moves(250), "looper ran while parked");
	CHECK(write(c1, "x", 1) == 1 && expect_echo(c1, 1, 300) < 0,
	      "reader answered while parked (it must park when its read returns)");
	int s = request(TTST_MSG_STATUS, NULL, 0, text, sizeof text);
	CHECK(s == TTST_MSG_OK && kv(text, "parked") == 1 && kv(text, "update_points") >= 1,
	      "STATUS while parked: %s", text);
	/* after the hold: the pending echo arrives and everything runs again */
	CHECK(expect_echo(c1, 1, 3000) == 0, "reader did not continue after the park");
	CHECK(counter_moves(200), "looper did not continue after the park");
	CHECK(poke(c2, 2, 3000) == 0, "poller did not continue after the park");
	int c3 = tcp_connect(port);
	CHECK(c3 >= 0 && poke(c3, 3, 3000) == 0,
	      "acceptor / waiter (cond_wait) did not continue after the park");
	/* parking again works (the park machinery resets) */
	t = park(3000, 0, text, sizeof text);
	CHECK(t == TTST_MSG_OK, "second PARK failed: %s", text);
	CHECK(poke(c1, 1, 3000) == 0, "reader does not echo after the second park");
	close(c1);
	close(c2);
	if (c3 >= 0)
		close(c3);
}

static void scenario_spin(int port)
{
	char text[4096];
	int c1 = tcp_connect(port);
	CHECK(c1 >= 0 && poke(c1, 1, 3000) == 0, "reader does not echo");
	/* a thread that has not started yet would (rightly) park at its start */
	CHECK(counter_moves_k(1, 100), "the spinner does not spin");
	for (int round = 0; round < 2; round++) {
		int t = park(400, 0, text, sizeof text);
		CHECK(t == TTST_MSG_ERROR, "PARK with a spinning thread did not fail: %s", text);
		CHECK(strstr(text, "timed out") && strstr(text, "(spinner)") &&
			  !strstr(text, "(looper)"),
		      "the failure does not name (only) the spinning thread: %s", text);
	}
	int s = request(TTST_MSG_STATUS, NULL, 0, text, sizeof text);
	CHECK(s == TTST_MSG_OK && kv(text, "parked") == 0, "STATUS after the failed park: %s",
	      text);
	CHECK(counter_moves(200), "looper does not run after the failed park");
	CHECK(poke(c1, 1, 3000) == 0, "reader does not echo after the failed park");
	close(c1);
}

int main(int argc, char **argv)
{
	if (argc != 3 || (strcmp(argv[2], "normal") && strcmp(argv[2], "spin"))) {
		fprintf(stderr, "usage: driver QSRV normal|spin\n");
		return 2;
	}
	char dir[] = "/tmp/ttst-quiesce-XXXXXX", cpath[300], rundir[300];
	if (!mkdtemp(dir))
		return 2;
	snprintf(rundir, sizeof rundir, "%s/run", dir);
	snprintf(cpath, sizeof cpath, "%s/counter", dir);
	setenv("TTST_RUNDIR", rundir, 1);
	setenv("QSRV_COUNTER", cpath, 1);
	int cfd = open(cpath, O_RDWR | O_CREAT, 0600);
	if (cfd < 0 || ftruncate(cfd, 16) < 0)
		return 2;
	counter = mmap(NULL, 16, PROT_READ | PROT_WRITE, MAP_SHARED, cfd, 0);
	int port = spawn(argv[1], argv[2]);
	CHECK(port > 0, "qsrv did not start");
	if (port > 0 && wait_socket() == 0) {
		if (!strcmp(argv[2], "normal"))
			scenario_normal(port);
		else
			scenario_spin(port);
	} else {
		failures++;
	}
	reap();
	unlink(cpath);
	char sock[400];
	snprintf(sock, sizeof sock, "rm -rf '%s'", dir);
	if (system(sock) != 0)
		fprintf(stderr, "driver: cannot remove %s\n", dir);
	printf("quiesce %s: %s\n", argv[2], failures ? "FAILED" : "ok");
	return failures ? 1 : 0;
}
