/* update_chan.c -- framed messages on the update channel and the ttst-ctl stream (raw syscalls). */
#define _GNU_SOURCE
#include "update_chan.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

uint64_t ttst_chan_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int ttst_chan_poll(struct pollfd *p, unsigned n, uint64_t deadline)
{
	for (;;) {
		uint64_t now = ttst_chan_now_ms();
		uint64_t left = deadline > now ? deadline - now : 0;
		struct timespec ts = {(time_t)(left / 1000), (long)(left % 1000) * 1000000};
		long r = syscall(SYS_ppoll, p, (unsigned long)n, &ts, NULL, (size_t)(_NSIG / 8));
		if (r >= 0)
			return (int)r;
		if (errno != EINTR)
			return -1;
	}
}

int ttst_chan_send(int fd, uint16_t type, const void *p, uint32_t len, int pass_fd)
{
	struct ttst_msg_hdr h;
	ttst_msg_init(&h, type, len);
	struct iovec iov[2] = {{&h, sizeof h}, {(void *)p, len}};
	union {
		struct cmsghdr c;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = len ? 2 : 1};
	if (pass_fd >= 0) {
		memset(&ctl, 0, sizeof ctl);
		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof ctl.buf;
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &pass_fd, sizeof(int));
	}
	size_t total = sizeof h + len;
	while (total) {
		ssize_t w = sendmsg(fd, &mh, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		total -= (size_t)w;
		mh.msg_control = NULL; /* the descriptor went with the first byte */
		mh.msg_controllen = 0;
		while (mh.msg_iovlen && (size_t)w >= mh.msg_iov[0].iov_len) {
			w -= (ssize_t)mh.msg_iov[0].iov_len;
			mh.msg_iov++;
			mh.msg_iovlen--;
		}
		if (mh.msg_iovlen) {
			mh.msg_iov[0].iov_base = (char *)mh.msg_iov[0].iov_base + w;
			mh.msg_iov[0].iov_len -= (size_t)w;
		}
	}
	return 0;
}

int ttst_chan_sendf(int fd, uint16_t type, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;
	va_start(ap, fmt);
	int w = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	size_t len = w < 0 ? 0 : (size_t)w >= sizeof buf ? sizeof buf - 1 : (size_t)w;
	return ttst_chan_send(fd, type, buf, (uint32_t)len, -1);
}

/* Takes the descriptor out of a received control message (closing extras). */
static void take_fds(struct msghdr *mh, int *out)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
			if (*out < 0)
				*out = fd;
			else
				close(fd);
		}
	}
}

/* Reads exactly n bytes into buf before deadline, collecting a passed
 * descriptor into *fd.  Returns n, 0 on EOF before the first byte, -1 with
 * err (EOF later, timeout, error). */
static long read_full(int s, void *buf, size_t n, int *fd, uint64_t deadline, char *err,
		      size_t errlen)
{
	size_t got = 0;
	while (got < n) {
		struct pollfd p = {s, POLLIN, 0};
		int r = ttst_chan_poll(&p, 1, deadline);
		if (r < 0) {
			snprintf(err, errlen, "poll: %s", strerror(errno));
			return -1;
		}
		if (r == 0) {
			snprintf(err, errlen, "timed out after %zu of %zu bytes", got, n);
			return -1;
		}
		union {
			struct cmsghdr c;
			char buf[CMSG_SPACE(4 * sizeof(int))];
		} ctl;
		struct iovec iov = {(char *)buf + got, n - got};
		struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof ctl.buf;
		long k = syscall(SYS_recvmsg, s, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
		if (k < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (k > 0)
			take_fds(&mh, fd);
		if (k == 0 && got == 0)
			return 0;
		if (k <= 0) {
			snprintf(err, errlen, "%s after %zu of %zu bytes",
				 k ? strerror(errno) : "connection closed", got, n);
			return -1;
		}
		got += (size_t)k;
	}
	return (long)n;
}

int ttst_chan_recv_payload(int fd, struct ttst_chan_msg *m, uint64_t deadline, char *err, size_t n)
{
	if (m->h.length) {
		long r = read_full(fd, m->payload, m->h.length, &m->fd, deadline, err, n);
		if (r == 0)
			snprintf(err, n, "connection closed after a %zu-byte header", sizeof m->h);
		if (r <= 0) {
			if (m->fd >= 0)
				close(m->fd);
			m->fd = -1;
			return -1;
		}
	}
	m->payload[m->h.length] = 0;
	return 1;
}

int ttst_chan_recv(int fd, struct ttst_chan_msg *m, uint64_t deadline, char *err, size_t n)
{
	m->fd = -1;
	long r = read_full(fd, &m->h, sizeof m->h, &m->fd, deadline, err, n);
	if (r <= 0)
		return (int)r;
	char why[160];
	if (ttst_msg_check(&m->h, why, sizeof why) < 0) {
		snprintf(err, n, "malformed message: %s", why);
		if (m->fd >= 0)
			close(m->fd);
		m->fd = -1;
		return -1;
	}
	return ttst_chan_recv_payload(fd, m, deadline, err, n);
}
