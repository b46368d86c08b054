/* ctlraw.c -- sends well-formed or deliberately malformed frames to a process's control socket and
 * checks the answer.  Usage: ctlraw PID MODE
 *   status     STATUS; expects an OK reply with pid=PID
 *   garbage    64 bytes that are no frame            -> ERROR "bad magic", then EOF
 *   truncated  half a header, then EOF from us        -> ERROR "truncated", then EOF
 *   oversized  a header announcing 1 MiB              -> ERROR "exceeds the limit", then EOF
 *   version    protocol version 99                    -> ERROR "protocol version 99", then EOF
 *   unknown    request type 77                        -> ERROR "unknown request type", then EOF
 *   badlen     STATUS with a 4-byte payload           -> ERROR "payload", then EOF
 *   slowloris  half a header, then silence            -> ERROR "not complete within" after >= 1.5 s
 *   idle       connects and holds the connection 3 s without sending (for connection floods)
 * Exit 0 when the answer is as expected, 1 otherwise (with a message). */
#define _GNU_SOURCE
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "ttst/proto.h"

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads one reply frame within ms; returns its type or -1; text gets the payload. */
static int read_reply(int fd, int ms, char *text, size_t n)
{
	char buf[sizeof(struct ttst_msg_hdr) + 4096];
	size_t got = 0;
	long long end = now_ms() + ms;
	struct pollfd p = {fd, POLLIN, 0};
	while (now_ms() < end && poll(&p, 1, (int)(end - now_ms())) > 0) {
		ssize_t r = read(fd, buf + got, sizeof buf - got);
		if (r <= 0)
			break;
		got += (size_t)r;
		struct ttst_msg_hdr h;
		if (got >= sizeof h) {
			memcpy(&h, buf, sizeof h);
			if (got >= sizeof h + h.length && h.length < 4096) {
				snprintf(text, n, "%.*s", (int)h.length, buf + sizeof h);
				return h.type;
			}
		}
	}
	snprintf(text, n, "(no complete reply: %zu bytes)", got);
	return -1;
}

/* Non-zero if the server closed the connection within ms. */
static int closed_by_server(int fd, int ms)
{
	char c;
	struct pollfd p = {fd, POLLIN, 0};
	return poll(&p, 1, ms) > 0 && read(fd, &c, 1) <= 0; /* EOF, or reset: unread data */
}

static int expect_error(int fd, const char *want, int ms)
{
	char text[4096];
	int t = read_reply(fd, ms, text, sizeof text);
	if (t != TTST_MSG_ERROR || !strstr(text, want)) {
		fprintf(stderr, "ctlraw: expected an ERROR containing '%s', got type %d: %s\n",
			want, t, text);
		return 1;
	}
	if (!closed_by_server(fd, 2000)) {
		fprintf(stderr, "ctlraw: the server did not close the connection after '%s'\n",
			text);
		return 1;
	}
	printf("ctlraw: error reply as expected: %s\n", text);
	return 0;
}

static int send_hdr(int fd, uint32_t magic, uint16_t version, uint16_t type, uint32_t len)
{
	struct ttst_msg_hdr h = {magic, version, type, len};
	return send(fd, &h, sizeof h, MSG_NOSIGNAL) == (ssize_t)sizeof h ? 0 : -1;
}

static int do_status(int fd, pid_t pid)
{
	char text[4096];
	send_hdr(fd, TTST_PROTO_MAGIC, TTST_PROTO_VERSION, TTST_MSG_STATUS, 0);
	int t = read_reply(fd, 5000, text, sizeof text);
	char v[32];
	if (t != TTST_MSG_OK || !ctl_kv_get(text, "pid", v, sizeof v) || atoi(v) != pid) {
		fprintf(stderr, "ctlraw: STATUS failed (type %d): %s\n", t, text);
		return 1;
	}
	return 0;
}

static int do_slowloris(int fd)
{
	long long t0 = now_ms();
	if (send(fd, "TSTC\1\0", 6, MSG_NOSIGNAL) != 6)
		return 1;
	int rc = expect_error(fd, "not complete within", 6000);
	long long waited = now_ms() - t0;
	if (waited < 1500) {
		fprintf(stderr, "ctlraw: slow client dropped after only %lld ms\n", waited);
		return 1;
	}
	return rc;
}

static int run(int fd, pid_t pid, const char *mode)
{
	if (!strcmp(mode, "status"))
		return do_status(fd, pid);
	if (!strcmp(mode, "garbage")) {
		char junk[64];
		for (size_t i = 0; i < sizeof junk; i++)
			junk[i] = (char)(i * 37 + 11);
		send(fd, junk, sizeof junk, MSG_NOSIGNAL);
		return expect_error(fd, "bad magic", 5000);
	}
	if (!strcmp(mode, "truncated")) {
		send(fd, "TSTC\1\0", 6, MSG_NOSIGNAL);
		shutdown(fd, SHUT_WR);
		return expect_error(fd, "truncated", 5000);
	}
	if (!strcmp(mode, "oversized")) {
		send_hdr(fd, TTST_PROTO_MAGIC, TTST_PROTO_VERSION, TTST_MSG_STATUS, 1u << 20);
		return expect_error(fd, "exceeds the limit", 5000);
	}
	if (!strcmp(mode, "version")) {
		send_hdr(fd, TTST_PROTO_MAGIC, 99, TTST_MSG_STATUS, 0);
		return expect_error(fd, "protocol version 99", 5000);
	}
	if (!strcmp(mode, "unknown")) {
		send_hdr(fd, TTST_PROTO_MAGIC, TTST_PROTO_VERSION, 77, 0);
		return expect_error(fd, "unknown request type 77", 5000);
	}
	if (!strcmp(mode, "badlen")) {
		send_hdr(fd, TTST_PROTO_MAGIC, TTST_PROTO_VERSION, TTST_MSG_STATUS, 4);
		return expect_error(fd, "4-byte payload", 5000);
	}
	if (!strcmp(mode, "slowloris"))
		return do_slowloris(fd);
	if (!strcmp(mode, "idle")) {
		sleep(3);
		return 0;
	}
	fprintf(stderr, "ctlraw: unknown mode %s\n", mode);
	return 2;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: ctlraw PID MODE\n");
		return 2;
	}
	pid_t pid = ctl_parse_pid(argv[1]);
	char err[512];
	int fd = pid > 0 ? ctl_client_connect(pid, err, sizeof err) : -1;
	if (fd < 0) {
		fprintf(stderr, "ctlraw: %s\n", pid > 0 ? err : "bad pid");
		return 1;
	}
	int rc = run(fd, pid, argv[2]);
	close(fd);
	return rc;
}
