/* net.c -- kvstore v2: listening socket, poll() event loop step, per-connection buffers. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ttst.h>

#include "kvstore.h"

#define RBUF_MIN 16384 /* initial input buffer and the free space kept for one read */
#define RBUF_MAX (KV_LINE_MAX + KV_VALUE_MAX + 2 * RBUF_MIN)
#define ACCEPT_BATCH 64 /* connections accepted per loop step */

static int g_listen_fd = -1;
static struct conn **g_conns; /* g_maxconn slots, the first g_nconns in use */
static int g_nconns;
static int g_maxconn;
static struct pollfd *g_pfds; /* g_maxconn + 1: the listener, then one per connection */

/* Creates the listening socket on addr:port (port 0 = ephemeral), prints
 * "kvstore: listening on ADDR:PORT" and allocates the connection table.
 * Returns 0, or -1 with a message on stderr. */
int net_init(const char *addr, int port, int maxconn)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int one = 1;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
		fprintf(stderr, "kvstore: --bind %s: not an IPv4 address\n", addr);
		return -1;
	}
	g_listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (g_listen_fd < 0)
		goto err;
	if (setsockopt(g_listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(g_listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(g_listen_fd, 1024) < 0 ||
	    getsockname(g_listen_fd, (struct sockaddr *)&sa, &len) < 0)
		goto err;
	g_maxconn = maxconn;
	g_conns = calloc((size_t)maxconn, sizeof(*g_conns));
	g_pfds = calloc((size_t)maxconn + 1, sizeof(*g_pfds));
	if (!g_conns || !g_pfds) {
		fprintf(stderr, "kvstore: out of memory for %d connections (lower --maxconn)\n",
			maxconn);
		return -1;
	}
	/* A new version re-initialising during a live update gets the old version's listening
	 * socket back from bind(); say so instead of announcing a fresh start. */
	if (ttst_is_updating())
		printf("kvstore: version %d re-initialising for a live update on %s:%d\n",
		       KV_VERSION, addr, ntohs(sa.sin_port));
	else
		printf("kvstore: listening on %s:%d\n", addr, ntohs(sa.sin_port));
	fflush(stdout);
	return 0;
err:
	fprintf(stderr,
		"kvstore: listen on %s:%d: %s (is the port in use? choose another --port)\n", addr,
		port, strerror(errno));
	return -1;
}

/* Queues n bytes of output on c.  Returns 0, or -1 if out of memory (c is then closed
 * once its queued output is flushed). */
int conn_out(struct conn *c, const void *p, size_t n)
{
	if (c->wlen + n > c->wcap) {
		size_t cap = c->wcap ? c->wcap : 4096;
		char *nb;

		while (cap < c->wlen + n)
			cap *= 2;
		nb = realloc(c->wbuf, cap);
		if (!nb) {
			c->closing = 1;
			return -1;
		}
		c->wbuf = nb;
		c->wcap = cap;
	}
	memcpy(c->wbuf + c->wlen, p, n);
	c->wlen += n;
	return 0;
}

/* Formats and queues output on c (lines up to KV_LINE_MAX).  Returns 0 or -1 as conn_out. */
int conn_printf(struct conn *c, const char *fmt, ...)
{
	char buf[KV_LINE_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	return conn_out(c, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

static void conn_free(struct conn *c)
{
	close(c->fd);
	free(c->rbuf);
	free(c->wbuf);
	free(c);
}

/* Closes connection i; the last connection takes its slot. */
static void conn_close(int i)
{
	conn_free(g_conns[i]);
	g_conns[i] = g_conns[--g_nconns];
	g_conns[g_nconns] = NULL;
}

/* Writes queued output.  Returns 0, or -1 if the peer is gone. */
static int conn_flush(struct conn *c)
{
	while (c->woff < c->wlen) {
		ssize_t n = send(c->fd, c->wbuf + c->woff, c->wlen - c->woff, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n <= 0)
			return -1;
		c->woff += (size_t)n;
	}
	c->woff = c->wlen = 0;
	if (c->wcap > 1024 * 1024) {
		free(c->wbuf);
		c->wbuf = NULL;
		c->wcap = 0;
	}
	return 0;
}

/* Reads what is available.  Returns 0, or -1 on end of input or error (c->peer_done is set;
 * complete commands already read still get their replies). */
static int conn_read(struct conn *c)
{
	for (;;) {
		ssize_t n;

		if (c->rcap - c->rlen < RBUF_MIN) {
			size_t cap = c->rcap ? c->rcap * 2 : RBUF_MIN;
			char *nb;

			if (c->rcap >= RBUF_MAX)
				return 0; /* full: proto_process must consume first */
			if (cap > RBUF_MAX)
				cap = RBUF_MAX;
			nb = realloc(c->rbuf, cap);
			if (!nb)
				return -1;
			c->rbuf = nb;
			c->rcap = cap;
		}
		n = read(c->fd, c->rbuf + c->rlen, c->rcap - c->rlen);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n <= 0) {
			c->peer_done = 1;
			return -1;
		}
		c->rlen += (size_t)n;
		if (c->rlen < c->rcap)
			return 0;
	}
}

/* Handles poll events of connection i.  Returns 1 if it was closed, else 0. */
static int conn_event(int i, short revents)
{
	struct conn *c = g_conns[i];

	if (revents & (POLLERR | POLLNVAL))
		goto close;
	if (revents & (POLLIN | POLLHUP)) {
		conn_read(c);
		proto_process(c);
	} else if (!c->need_input && c->wlen - c->woff < KV_WBUF_HIGH) {
		proto_process(c); /* input held back by output pressure */
	}
	if (conn_flush(c) < 0)
		goto close;
	if ((c->closing || (c->peer_done && c->need_input)) && c->woff == c->wlen)
		goto close;
	return 0;
close:
	conn_close(i);
	return 1;
}

/* Accepts pending connections; beyond --maxconn they get an error line and are closed. */
static void net_accept(void)
{
	static const char full[] = "SERVER_ERROR too many connections\r\n";
	int k;

	for (k = 0; k < ACCEPT_BATCH; k++) {
		int fd = accept4(g_listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct conn *c;

		if (fd < 0)
			return;
		if (g_nconns == g_maxconn || !(c = calloc(1, sizeof(*c)))) {
			if (send(fd, full, sizeof(full) - 1, MSG_NOSIGNAL) < 0)
				(void)0; /* the refused client may already be gone */
			close(fd);
			continue;
		}
		c->fd = fd;
		c->need_input = 1;
		g_conns[g_nconns++] = c;
		g_server_stats.total_conns++;
	}
}

/* Fills g_pfds for the listener and every connection.  Returns 1 if some connection has
 * buffered commands it can run without waiting (poll must not block), else 0. */
static int net_fill_pfds(void)
{
	int i, runnable = 0;

	g_pfds[0].fd = g_listen_fd;
	g_pfds[0].events = POLLIN;
	for (i = 0; i < g_nconns; i++) {
		struct conn *c = g_conns[i];
		size_t queued = c->wlen - c->woff;

		g_pfds[i + 1].fd = c->fd;
		g_pfds[i + 1].events = 0;
		g_pfds[i + 1].revents = 0;
		if (!c->closing && !c->peer_done && queued < KV_WBUF_HIGH)
			g_pfds[i + 1].events |= POLLIN;
		if (queued)
			g_pfds[i + 1].events |= POLLOUT;
		if (!c->closing && !c->need_input && c->rlen && queued < KV_WBUF_HIGH)
			runnable = 1;
	}
	return runnable;
}

/* One step of the event loop: waits up to timeout_ms, then serves every ready connection and
 * accepts new ones.  Returns 0, or -1 on a fatal poll error (reported). */
int net_run_once(int timeout_ms)
{
	int n = g_nconns, i, ready;

	if (net_fill_pfds())
		timeout_ms = 0;
	ready = poll(g_pfds, (nfds_t)n + 1, timeout_ms);
	if (ready < 0 && errno == EINTR)
		return 0;
	if (ready < 0) {
		fprintf(stderr, "kvstore: poll: %s\n", strerror(errno));
		return -1;
	}
	/* Downwards: closing i moves the last connection (already served or new) into slot i. */
	for (i = n - 1; i >= 0; i--) {
		short ev = g_pfds[i + 1].revents;
		struct conn *c = g_conns[i];

		if (ev || (!c->need_input && c->rlen))
			conn_event(i, ev);
	}
	if (g_pfds[0].revents & POLLIN)
		net_accept();
	return 0;
}

/* Number of open client connections (counted from the table, not kept as a counter). */
int net_conn_count(void)
{
	return g_nconns;
}

/* Closes every connection and the listener and frees the connection table. */
void net_shutdown(void)
{
	while (g_nconns > 0)
		conn_close(g_nconns - 1);
	if (g_listen_fd >= 0)
		close(g_listen_fd);
	g_listen_fd = -1;
	free(g_conns);
	free(g_pfds);
	g_conns = NULL;
	g_pfds = NULL;
}
