/* control.c -- the control thread: a poll loop over the listening socket and its client
 * connections. */
#define _GNU_SOURCE
#include "control.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "quiesce.h"
#include "requests.h"
#include "rundir.h"
#include "threads.h"
#include "update.h"

#define MAX_CONNS 16

struct conn {
	int fd;
	size_t got, need;  /* bytes in buf, bytes of the frame being read */
	uint64_t deadline; /* ms: the frame (or the idle connection) times out */
	unsigned char buf[sizeof(struct ttst_msg_hdr) + 64];
};

static struct {
	int listen_fd;
	pid_t owner; /* pid the socket path belongs to */
	char dir[4096];
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct conn conns[MAX_CONNS];
	size_t nconns;
	int holding;	     /* a park is held ... */
	uint64_t hold_until; /* ... until then (ms) */
} ctl = {.listen_fd = -1};

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Sends one reply frame without blocking; returns 0 or -1. */
static int send_reply(int fd, const struct ttst_reply *r)
{
	struct {
		struct ttst_msg_hdr h;
		char text[TTST_REPLY_MAX];
	} f;
	ttst_msg_init(&f.h, r->type, r->len);
	memcpy(f.text, r->text, r->len);
	size_t total = sizeof f.h + r->len;
	ssize_t w = send(fd, &f, total, MSG_NOSIGNAL | MSG_DONTWAIT);
	return w == (ssize_t)total ? 0 : -1;
}

static void drop_conn(size_t i)
{
	if (ctl.conns[i].fd >= 0) /* -1: handed over to the update transaction */
		close(ctl.conns[i].fd);
	ctl.conns[i] = ctl.conns[--ctl.nconns];
}

/* Sends an ERROR reply to a fresh connection and closes it. */
static void refuse(int fd, const char *msg)
{
	struct ttst_reply r;
	ttst_reply_error(&r, "%s", msg);
	send_reply(fd, &r);
	close(fd);
}

/* Why the peer of fd may not talk to us, or NULL if it may. */
static const char *peer_denied(int fd, char *buf, size_t n)
{
	struct ucred cr;
	socklen_t len = sizeof cr;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0) {
		snprintf(buf, n, "cannot read the peer's credentials: %s", strerror(errno));
		return buf;
	}
	if (cr.uid == 0 || cr.uid == geteuid())
		return NULL;
	snprintf(buf, n,
		 "permission denied: uid %u may not control pid %d (owner uid %u); run ttst-ctl "
		 "as that user or as root",
		 (unsigned)cr.uid, (int)getpid(), (unsigned)geteuid());
	ttst_info("refused control connection from uid %u", (unsigned)cr.uid);
	return buf;
}

/* Accepts every pending connection; checks the peer's uid. */
static void accept_all(uint64_t now)
{
	for (;;) {
		int fd = accept4(ctl.listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		char why[256];
		if (peer_denied(fd, why, sizeof why)) {
			refuse(fd, why);
			continue;
		}
		if (ctl.nconns == MAX_CONNS) {
			refuse(fd, "too many control connections; try again");
			continue;
		}
		struct conn *c = &ctl.conns[ctl.nconns++];
		c->fd = fd;
		c->got = 0;
		c->need = sizeof(struct ttst_msg_hdr);
		c->deadline = now + TTST_PROTO_REQUEST_TIMEOUT_MS;
	}
}

/* A complete header arrived: validates it and sets the frame length.
 * Returns 0, 1 for an UPDATE (its payload is read by update_v1.c), or -1
 * after filling an ERROR reply. */
static int header_done(struct conn *c, struct ttst_reply *r)
{
	struct ttst_msg_hdr h;
	memcpy(&h, c->buf, sizeof h);
	char err[160];
	if (ttst_msg_check(&h, err, sizeof err) < 0) {
		ttst_reply_error(r, "%s", err);
		return -1;
	}
	if (h.type == TTST_MSG_UPDATE)
		return 1;
	if (h.type == TTST_MSG_PARK && ttst_is_updating()) { /* would stop its transfer */
		ttst_reply_error(r,
				 "pid %d is a new version being started by a live update; PARK it "
				 "once that update has committed",
				 (int)getpid());
		return -1;
	}
	long want = ttst_request_payload_size(h.type);
	if (want < 0) {
		ttst_reply_error(r, "unknown request type %u", (unsigned)h.type);
		return -1;
	}
	if (h.length != (uint32_t)want) {
		ttst_reply_error(r, "request type %u with a %u-byte payload; expected %ld bytes",
				 (unsigned)h.type, (unsigned)h.length, want);
		return -1;
	}
	c->need = sizeof h + (size_t)want;
	return 0;
}

/* Reads what c has; handles a complete request.  Returns 0 to keep the
 * connection, -1 to drop it. */
static int serve(struct conn *c, uint64_t now)
{
	struct ttst_reply r;
	ssize_t n = read(c->fd, c->buf + c->got, c->need - c->got);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	if (n == 0) {
		if (!c->got)
			return -1;
		ttst_reply_error(&r, "truncated request: connection closed after %zu of %zu bytes",
				 c->got, c->need);
		send_reply(c->fd, &r);
		return -1;
	}
	c->got += (size_t)n;
	if (c->got == sizeof(struct ttst_msg_hdr) && c->need == c->got) {
		int hd = header_done(c, &r);
		if (hd < 0)
			send_reply(c->fd, &r);
		if (hd > 0) { /* the update transaction takes the connection */
			ttst_update_v1_begin(c->fd, (const struct ttst_msg_hdr *)c->buf,
					     ctl.holding);
			c->fd = -1;
		}
		if (hd)
			return -1;
	}
	if (c->got < c->need)
		return 0;
	ttst_request_handle((const struct ttst_msg_hdr *)c->buf,
			    c->buf + sizeof(struct ttst_msg_hdr), ctl.holding, &r);
	if (r.parked) {
		ctl.holding = 1;
		ctl.hold_until = now_ms() + r.hold_ms;
	}
	c->got = 0;
	c->need = sizeof(struct ttst_msg_hdr);
	c->deadline = now + TTST_PROTO_REQUEST_TIMEOUT_MS;
	if (send_reply(c->fd, &r) < 0 || r.close)
		return -1;
	return 0;
}

/* Fills pfd for the listener and every connection; returns the poll timeout. */
static int prepare_poll(struct pollfd *pfd, uint64_t now)
{
	pfd[0] = (struct pollfd){ctl.listen_fd, POLLIN, 0};
	uint64_t next = ctl.holding ? ctl.hold_until : now + 60000;
	for (size_t i = 0; i < ctl.nconns; i++) {
		pfd[i + 1] = (struct pollfd){ctl.conns[i].fd, POLLIN, 0};
		if (ctl.conns[i].deadline < next)
			next = ctl.conns[i].deadline;
	}
	return next > now ? (int)(next - now) : 0;
}

/* Drops connections past their deadline: an incomplete frame gets an error. */
static void expire(uint64_t now)
{
	for (size_t i = ctl.nconns; i-- > 0;) {
		struct conn *c = &ctl.conns[i];
		if (c->deadline > now)
			continue;
		if (c->got) {
			struct ttst_reply r;
			ttst_reply_error(&r,
					 "request not complete within %u ms (got %zu of %zu bytes)",
					 TTST_PROTO_REQUEST_TIMEOUT_MS, c->got, c->need);
			send_reply(c->fd, &r);
		}
		drop_conn(i);
	}
}

static void *control_main(void *arg)
{
	(void)arg;
	ttst_rundir_sweep(ctl.dir);
	struct pollfd pfd[MAX_CONNS + 1];
	for (;;) {
		uint64_t now = now_ms();
		int timeout = prepare_poll(pfd, now);
		size_t n = ctl.nconns;
		int r = poll(pfd, n + 1, timeout);
		now = now_ms();
		if (ctl.holding && now >= ctl.hold_until) {
			ctl.holding = 0;
			ttst_quiesce_release();
		}
		if (r < 0)
			continue;
		/* connections first: accept_all may reorder nothing below n */
		for (size_t i = n; i-- > 0;)
			if (pfd[i + 1].revents && serve(&ctl.conns[i], now) < 0)
				drop_conn(i);
		expire(now);
		if (pfd[0].revents & POLLIN)
			accept_all(now);
	}
	return NULL;
}

/* Creates, binds and listens on the socket; returns 0 or -1 with err. */
static int open_socket(char *err, size_t n)
{
	if (ttst_rundir_path(ctl.dir, sizeof ctl.dir, err, n) < 0 ||
	    ttst_rundir_prepare(ctl.dir, err, n) < 0)
		return -1;
	int w = snprintf(ctl.path, sizeof ctl.path, "%s/%d%s", ctl.dir, (int)getpid(),
			 TTST_PROTO_SOCK_SUFFIX);
	if (w < 0 || (size_t)w >= sizeof ctl.path) {
		snprintf(err, n, "socket path %.300s/<pid>.sock is too long (set TTST_RUNDIR)",
			 ctl.dir);
		return -1;
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, n, "socket: %s", strerror(errno));
		return -1;
	}
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	memcpy(a.sun_path, ctl.path, (size_t)w + 1);
	unlink(ctl.path); /* stale: an earlier process with our pid */
	if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || chmod(ctl.path, 0600) < 0 ||
	    listen(fd, 64) < 0) {
		snprintf(err, n, "control socket %s: %s", ctl.path, strerror(errno));
		close(fd);
		return -1;
	}
	ctl.listen_fd = fd;
	ctl.owner = getpid();
	return 0;
}

void ttst_control_start(void)
{
	char err[512];
	if (open_socket(err, sizeof err) < 0) {
		ttst_warn("%s; this process cannot be updated or inspected by ttst-ctl", err);
		return;
	}
	pthread_t th;
	int r = ttst_runtime_thread(&th, control_main, NULL);
	if (r) {
		ttst_warn("cannot start the control thread: %s; this process cannot be updated",
			  strerror(r));
		unlink(ctl.path);
		close(ctl.listen_fd);
		ctl.listen_fd = -1;
		return;
	}
	pthread_detach(th);
	ttst_debug("control socket %s", ctl.path);
}

const char *ttst_control_path(void)
{
	return ctl.listen_fd >= 0 ? ctl.path : NULL;
}

void ttst_control_unlink_pid(pid_t pid)
{
	char path[sizeof ctl.path + 16];
	if (ctl.listen_fd >= 0 && pid > 0 &&
	    snprintf(path, sizeof path, "%s/%d%s", ctl.dir, (int)pid, TTST_PROTO_SOCK_SUFFIX) <
		(int)sizeof path)
		unlink(path);
}

void ttst_control_stop(void)
{
	if (ctl.listen_fd >= 0 && ctl.owner == getpid())
		unlink(ctl.path);
}

void ttst_control_fork_child(void)
{
	if (ctl.listen_fd >= 0)
		close(ctl.listen_fd);
	for (size_t i = 0; i < ctl.nconns; i++)
		close(ctl.conns[i].fd);
	ctl.listen_fd = -1;
	ctl.nconns = 0;
	ctl.holding = 0;
	ttst_control_start();
}
