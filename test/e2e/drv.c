/* drv.c -- the e2e test servers' driver (see drv.h): listening socket, clients kept across updates, dumps. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ttst.h>

#include "drv.h"

#define DRV_MAX_CONNS 8
#define DRV_LINE 256

static int g_lfd = -1;			     /* listening socket (v2: v1's, inherited) */
static int g_conn[DRV_MAX_CONNS];	     /* client fd + 1, 0 = free */
static char g_in[DRV_MAX_CONNS][DRV_LINE]; /* partial command lines */
static int g_inlen[DRV_MAX_CONNS];

static void close_conn(int i)
{
	close(g_conn[i] - 1);
	g_conn[i] = 0;
	g_inlen[i] = 0;
}

/* Sends all of buf; returns 0 or -1. */
static int send_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Answers one command line; returns 0, or -1 to close the client. */
static int answer(int fd, const char *line, void (*dump)(FILE *, void *), void *ctx)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out;
	int rc;

	if (!strcmp(line, "quit"))
		return -1;
	out = open_memstream(&text, &len);
	if (!out)
		return -1;
	if (!strcmp(line, "dump")) {
		dump(out, ctx);
		fputs("END\n", out);
	} else if (!strcmp(line, "version")) {
		fprintf(out, "VERSION %s\n", case_version);
	} else {
		fprintf(out, "ERROR unknown command '%s'\n", line);
	}
	fclose(out);
	rc = send_all(fd, text, len);
	free(text);
	return rc;
}

/* Reads what client i sent and answers every complete line; closes it on EOF or error. */
static void serve_conn(int i, void (*dump)(FILE *, void *), void *ctx)
{
	int fd = g_conn[i] - 1;
	ssize_t n = read(fd, g_in[i] + g_inlen[i], (size_t)(DRV_LINE - 1 - g_inlen[i]));
	char *nl;

	if (n <= 0) {
		close_conn(i);
		return;
	}
	g_inlen[i] += (int)n;
	g_in[i][g_inlen[i]] = '\0';
	while ((nl = strchr(g_in[i], '\n'))) {
		*nl = '\0';
		if (nl > g_in[i] && nl[-1] == '\r')
			nl[-1] = '\0';
		if (answer(fd, g_in[i], dump, ctx) < 0) {
			close_conn(i);
			return;
		}
		g_inlen[i] -= (int)(nl + 1 - g_in[i]);
		memmove(g_in[i], nl + 1, (size_t)g_inlen[i] + 1);
	}
	if (g_inlen[i] >= DRV_LINE - 1)
		close_conn(i);
}

static void accept_conn(void)
{
	int fd = accept(g_lfd, NULL, NULL);

	if (fd < 0)
		return;
	for (int i = 0; i < DRV_MAX_CONNS; i++) {
		if (!g_conn[i]) {
			g_conn[i] = fd + 1;
			return;
		}
	}
	close(fd);
}

/* Waits up to 100 ms for clients and answers them (see drv.h). */
void drv_serve_once(void (*dump)(FILE *out, void *ctx), void *ctx)
{
	struct pollfd p[DRV_MAX_CONNS + 1];
	int idx[DRV_MAX_CONNS + 1], n = 0;

	p[n] = (struct pollfd){.fd = g_lfd, .events = POLLIN};
	idx[n++] = -1;
	for (int i = 0; i < DRV_MAX_CONNS; i++) {
		if (g_conn[i]) {
			p[n] = (struct pollfd){.fd = g_conn[i] - 1, .events = POLLIN};
			idx[n++] = i;
		}
	}
	if (poll(p, (nfds_t)n, 100) <= 0)
		return;
	for (int k = 0; k < n; k++) {
		if (!(p[k].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		if (idx[k] < 0)
			accept_conn();
		else
			serve_conn(idx[k], dump, ctx);
	}
}

/* Listens on 127.0.0.1 and writes the port file (see drv.h). */
int drv_open(int argc, char **argv)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof a;
	int one = 1;
	FILE *f;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s PORTFILE [PORT]\n", argv[0]);
		return -1;
	}
	a.sin_port = htons((unsigned short)(argc == 3 ? atoi(argv[2]) : 0));
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	g_lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (g_lfd < 0 || setsockopt(g_lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    bind(g_lfd, (struct sockaddr *)&a, sizeof a) < 0 || listen(g_lfd, 16) < 0 ||
	    getsockname(g_lfd, (struct sockaddr *)&a, &len) < 0) {
		fprintf(stderr, "e2e: cannot listen on 127.0.0.1:%d: %s\n", ntohs(a.sin_port),
			strerror(errno));
		return -1;
	}
	if (ttst_is_updating())
		return 0;
	f = fopen(argv[1], "w");
	if (!f || fprintf(f, "%d\n", ntohs(a.sin_port)) < 0 || fclose(f) != 0) {
		fprintf(stderr, "e2e: cannot write the port file %s\n", argv[1]);
		return -1;
	}
	return 0;
}

/* Descriptors of the server (see drv.h). */
int drv_fds(int *lfd, int *conns, int max)
{
	int n = 0;

	*lfd = g_lfd;
	for (int i = 0; i < DRV_MAX_CONNS && n < max; i++)
		if (g_conn[i])
			conns[n++] = g_conn[i] - 1;
	return n;
}

static void dump_case(FILE *out, void *ctx)
{
	(void)ctx;
	case_dump(out);
}

/* The standard server (see drv.h). */
int drv_main(int argc, char **argv)
{
	if (!ttst_is_updating())
		case_setup();
	if (drv_open(argc, argv) < 0)
		return argc < 2 || argc > 3 ? 2 : 1;
	for (;;) {
		ttst_update_point();
		drv_serve_once(dump_case, NULL);
	}
}
