/* kvclient_io.c -- kvclient: connection to 127.0.0.1, sends and line/byte reads with deadlines. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "kvclient.h"

#define LINE_MAX_BYTES 65536 /* a longer reply line is a protocol error */

/* Monotonic time in seconds. */
double kc_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Connects to 127.0.0.1:port.  Returns 0, or -1 with the reason in k->err (k->fd = -1).
 * The caller owns k and releases it with kc_close. */
int kc_connect(struct kc *k, int port, int timeout_ms)
{
	struct sockaddr_in sa;
	int one = 1;

	memset(k, 0, sizeof(*k));
	k->port = port;
	k->timeout_ms = timeout_ms;
	k->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (k->fd < 0)
		goto err;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(k->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto err;
	setsockopt(k->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (fcntl(k->fd, F_SETFL, fcntl(k->fd, F_GETFL) | O_NONBLOCK) < 0)
		goto err;
	return 0;
err:
	snprintf(k->err, sizeof(k->err), "connect to 127.0.0.1:%d: %s", port, strerror(errno));
	if (k->fd >= 0)
		close(k->fd);
	k->fd = -1;
	return -1;
}

/* Closes the connection and frees its buffer; k can be connected again. */
void kc_close(struct kc *k)
{
	if (k->fd >= 0)
		close(k->fd);
	k->fd = -1;
	free(k->buf);
	k->buf = NULL;
	k->off = k->len = k->cap = 0;
}

/* Waits until fd is ready for events or the deadline (kc_now() time) passes.
 * Returns 0 when ready, -1 on timeout or error (k->err). */
static int kc_wait(struct kc *k, short events, double deadline)
{
	for (;;) {
		struct pollfd p = {k->fd, events, 0};
		double left = deadline - kc_now();
		int r;

		if (left <= 0) {
			snprintf(k->err, sizeof(k->err), "no progress within %d ms", k->timeout_ms);
			return -1;
		}
		r = poll(&p, 1, (int)(left * 1000) + 1);
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR) {
			snprintf(k->err, sizeof(k->err), "poll: %s", strerror(errno));
			return -1;
		}
	}
}

/* Sends all n bytes within the deadline.  Returns 0, or -1 with k->err. */
int kc_send(struct kc *k, const void *p, size_t n)
{
	const char *s = p;
	double deadline = kc_now() + k->timeout_ms / 1000.0;

	while (n) {
		ssize_t w = send(k->fd, s, n, MSG_NOSIGNAL);

		if (w > 0) {
			s += w;
			n -= (size_t)w;
		} else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (kc_wait(k, POLLOUT, deadline) < 0)
				return -1;
		} else if (w < 0 && errno != EINTR) {
			snprintf(k->err, sizeof(k->err), "send: %s", strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Formats and sends one request (up to 4 KiB).  Returns 0, or -1 with k->err. */
int kc_sendf(struct kc *k, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf)) {
		snprintf(k->err, sizeof(k->err), "request too long");
		return -1;
	}
	return kc_send(k, buf, (size_t)n);
}

/* Makes room for at least one more byte in k->buf.  Returns 0, or -1 (k->err). */
static int kc_reserve(struct kc *k)
{
	size_t cap;
	char *nb;

	if (k->off == k->len)
		k->off = k->len = 0;
	if (k->len < k->cap)
		return 0;
	if (k->off) {
		memmove(k->buf, k->buf + k->off, k->len - k->off);
		k->len -= k->off;
		k->off = 0;
		return 0;
	}
	cap = k->cap ? k->cap * 2 : 65536;
	nb = realloc(k->buf, cap);
	if (!nb) {
		snprintf(k->err, sizeof(k->err), "out of memory");
		return -1;
	}
	k->buf = nb;
	k->cap = cap;
	return 0;
}

/* Reads more bytes into k->buf before the deadline (pointers into it become invalid).
 * Returns 0, -2 if the server closed the connection, or -1 on error or timeout (k->err). */
static int kc_fill(struct kc *k, double deadline)
{
	if (kc_reserve(k) < 0)
		return -1;
	for (;;) {
		ssize_t r = read(k->fd, k->buf + k->len, k->cap - k->len);

		if (r > 0) {
			k->len += (size_t)r;
			return 0;
		}
		if (r == 0 || errno == ECONNRESET) {
			snprintf(k->err, sizeof(k->err), "server closed the connection");
			return -2;
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			if (kc_wait(k, POLLIN, deadline) < 0)
				return -1;
		} else if (errno != EINTR) {
			snprintf(k->err, sizeof(k->err), "read: %s", strerror(errno));
			return -1;
		}
	}
}

/* Reads one reply line.  *line points to it without its \r\n, NUL-terminated, valid until
 * the next read on k.  Returns its length, or -1 with k->err. */
long kc_line(struct kc *k, const char **line)
{
	double deadline = kc_now() + k->timeout_ms / 1000.0;
	size_t scanned = 0;

	for (;;) {
		char *s = k->buf ? k->buf + k->off : NULL;
		char *nl = s && k->len > k->off + scanned
			       ? memchr(s + scanned, '\n', k->len - k->off - scanned)
			       : NULL;

		if (nl) {
			size_t n = (size_t)(nl - s);

			if (n && s[n - 1] == '\r')
				n--;
			s[n] = '\0';
			k->off += (size_t)(nl - s) + 1;
			*line = s;
			return (long)n;
		}
		scanned = k->len - k->off;
		if (scanned > LINE_MAX_BYTES) {
			snprintf(k->err, sizeof(k->err), "reply line longer than %d bytes",
				 LINE_MAX_BYTES);
			return -1;
		}
		if (kc_fill(k, deadline) < 0)
			return -1;
	}
}

/* Reads exactly n bytes; *p points to them, valid until the next read on k.  Returns 0, or
 * -1 with k->err. */
int kc_bytes(struct kc *k, size_t n, const char **p)
{
	double deadline = kc_now() + k->timeout_ms / 1000.0;

	while (k->len - k->off < n)
		if (kc_fill(k, deadline) < 0)
			return -1;
	*p = k->buf + k->off;
	k->off += n;
	return 0;
}

/* Waits for the server to close the connection.  Returns 0 if it did, -1 if data came or
 * the deadline passed (k->err). */
int kc_eof(struct kc *k)
{
	double deadline = kc_now() + k->timeout_ms / 1000.0;
	int r;

	if (k->len == k->off) {
		r = kc_fill(k, deadline);
		if (r == -2)
			return 0;
		if (r == -1)
			return -1;
	}
	snprintf(k->err, sizeof(k->err), "unexpected bytes instead of end of stream");
	return -1;
}

/* Reads one line and compares it with want.  Returns 0 if equal, 1 if not (k->err says
 * what came), -1 on an I/O error (k->err). */
int kc_expect_line(struct kc *k, const char *want)
{
	const char *line;

	if (kc_line(k, &line) < 0)
		return -1;
	if (strcmp(line, want) == 0)
		return 0;
	snprintf(k->err, sizeof(k->err), "expected '%.60s', got '%.60s'", want, line);
	return 1;
}

/* Reads the reply to `get key` (one key).  Copies up to cap value bytes into val and sets
 * *vlen to the full value length.  Returns 1 if found, 0 if missing, -1 on a malformed reply
 * or I/O error (k->err). */
int kc_get(struct kc *k, const char *key, char *val, size_t cap, long *vlen)
{
	const char *line, *data;
	char rkey[256];
	unsigned flags;
	long n;

	if (kc_line(k, &line) < 0)
		return -1;
	if (strcmp(line, "END") == 0)
		return 0;
	if (sscanf(line, "VALUE %255s %u %ld", rkey, &flags, &n) != 3 || n < 0 ||
	    strcmp(rkey, key) != 0) {
		snprintf(k->err, sizeof(k->err), "get %.40s: bad reply '%.60s'", key, line);
		return -1;
	}
	if (kc_bytes(k, (size_t)n + 2, &data) < 0)
		return -1;
	if (data[n] != '\r' || data[n + 1] != '\n') {
		snprintf(k->err, sizeof(k->err), "get %.40s: value not followed by \\r\\n", key);
		return -1;
	}
	memcpy(val, data, (size_t)n < cap ? (size_t)n : cap);
	*vlen = n;
	if (kc_expect_line(k, "END") != 0)
		return -1;
	return 1;
}
