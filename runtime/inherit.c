/* inherit.c -- descriptors across a live update: bind()/listen() interposition in v2, its
 * close-on-exec flags, and v1's file status flags (restored after a rollback).
 *
 * While v2 re-initialises, bind(fd, addr) to an address that an inherited
 * socket holds (same family and type; a listening stream socket, or a bound
 * unconnected datagram socket) dup3()s that socket onto fd and returns 0;
 * listen() on it then returns 0 without touching the backlog.  A stream
 * bind to port 0 takes the inherited listening socket on the same IP
 * address if there is exactly one (servers started with an ephemeral port).
 * The fresh socket's O_NONBLOCK is applied to the shared socket; v1 puts
 * its own status flags back if the update is rolled back.  unlink() of the
 * file an inherited unix socket is bound to (servers remove a stale socket
 * file before bind) does nothing while updating: the file stays reachable.
 */
#define _GNU_SOURCE
#include "inherit.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "alloc.h"
#include "log.h"
#include "update.h"

struct inh_sock {
	int fd;	      /* inherited descriptor */
	int has_file; /* a unix socket bound to a path that exists: */
	dev_t dev;    /* ... that file */
	ino_t ino;
	int type;	/* SOCK_STREAM, SOCK_DGRAM, ... */
	int claimed_by; /* descriptor bind() gave it to, -1 if none yet */
	socklen_t len;
	struct sockaddr_storage addr;
};

struct fd_flags {
	int fd, flags;
	dev_t dev;
	ino_t ino;
};

static pthread_mutex_t inh_lock = PTHREAD_MUTEX_INITIALIZER;
static struct inh_sock *socks;
static size_t nsocks;
static unsigned nclaimed;

static struct fd_flags *saved; /* v1: status flags before the update */
static size_t nsaved;

/* Calls fn(fd, arg) for every open descriptor but the directory's own
 * (raw getdents64: usable before the program's allocator is up). */
static void for_each_fd(void (*fn)(int, void *), void *arg)
{
	int dir =
	    (int)syscall(SYS_openat, AT_FDCWD, "/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char d[4096];
	long n;
	while (dir >= 0 && (n = syscall(SYS_getdents64, dir, d, sizeof d)) > 0) {
		for (long off = 0; off < n;) {
			unsigned short reclen;
			memcpy(&reclen, d + off + 16, sizeof reclen);
			const char *name = d + off + 19;
			off += reclen;
			if (name[0] < '0' || name[0] > '9')
				continue;
			int fd = 0;
			for (const char *p = name; *p >= '0' && *p <= '9'; p++)
				fd = fd * 10 + (*p - '0');
			if (fd != dir)
				fn(fd, arg);
		}
	}
	if (dir >= 0)
		close(dir);
}

/* Records fd if it is a listening stream or bound unconnected datagram socket. */
static void scan_one(int fd, void *arg)
{
	(void)arg;
	struct inh_sock s = {.fd = fd, .claimed_by = -1, .len = sizeof s.addr};
	socklen_t l = sizeof s.type;
	int acc = 0;
	socklen_t al = sizeof acc;
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &s.type, &l) < 0 ||
	    getsockname(fd, (struct sockaddr *)&s.addr, &s.len) < 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &al) < 0)
		return;
	if (s.type == SOCK_STREAM || s.type == SOCK_SEQPACKET) {
		if (!acc)
			return;
	} else {
		struct sockaddr_storage peer;
		socklen_t pl = sizeof peer;
		if (getpeername(fd, (struct sockaddr *)&peer, &pl) == 0)
			return; /* connected: not a server's socket */
	}
	struct stat st;
	const struct sockaddr_un *u = (const struct sockaddr_un *)&s.addr;
	if (u->sun_family == AF_UNIX && s.len > offsetof(struct sockaddr_un, sun_path) &&
	    u->sun_path[0] && stat(u->sun_path, &st) == 0 && S_ISSOCK(st.st_mode)) {
		s.has_file = 1;
		s.dev = st.st_dev;
		s.ino = st.st_ino;
	}
	if ((nsocks & (nsocks + 1)) == 0) { /* full at 0, 1, 3, 7, ...: grow */
		struct inh_sock *n = __libc_realloc(socks, (nsocks + 1) * 2 * sizeof *n);
		if (!n)
			return;
		socks = n;
	}
	socks[nsocks++] = s;
}

/* Sets FD_CLOEXEC on every descriptor of spec; returns 0 or -1. */
static int restore_cloexec(const char *spec, char *err, size_t n)
{
	const char *p = spec;
	while (p && *p) {
		char *end;
		long lo = strtol(p, &end, 10), hi = lo;
		if (end == p || lo < 0)
			goto bad;
		if (*end == '-') {
			p = end + 1;
			hi = strtol(p, &end, 10);
			if (end == p || hi < lo)
				goto bad;
		}
		for (long fd = lo; fd <= hi; fd++) {
			int fl = fcntl((int)fd, F_GETFD);
			if (fl >= 0)
				fcntl((int)fd, F_SETFD, fl | FD_CLOEXEC);
		}
		if (*end == ',')
			end++;
		else if (*end)
			goto bad;
		p = end;
	}
	return 0;
bad:
	snprintf(err, n, "TTST_CLOEXEC='%.200s' is malformed near '%.20s'", spec, p);
	return -1;
}

int ttst_inherit_init(const char *spec, char *err, size_t n)
{
	if (restore_cloexec(spec, err, n) < 0)
		return -1;
	for_each_fd(scan_one, NULL);
	ttst_debug("%zu inherited server sockets", nsocks);
	return 0;
}

unsigned ttst_inherit_claimed(void)
{
	return __atomic_load_n(&nclaimed, __ATOMIC_RELAXED);
}

/* Port of an AF_INET/AF_INET6 address (0 for other families). */
static unsigned port_of(const struct sockaddr *a)
{
	if (a->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)a)->sin_port);
	if (a->sa_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)a)->sin6_port);
	return 0;
}

/* Compares a requested address with an inherited one; any_port ignores
 * the ports.  Returns 1 if they name the same local address. */
static int same_addr(const struct sockaddr *a, socklen_t al, const struct inh_sock *s, int any_port)
{
	const struct sockaddr *b = (const struct sockaddr *)&s->addr;
	if (a->sa_family != b->sa_family)
		return 0;
	if (a->sa_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
		return al >= sizeof *x && x->sin_addr.s_addr == y->sin_addr.s_addr &&
		       (any_port || x->sin_port == y->sin_port);
	}
	if (a->sa_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
		return al >= sizeof *x && !memcmp(&x->sin6_addr, &y->sin6_addr, 16) &&
		       x->sin6_scope_id == y->sin6_scope_id &&
		       (any_port || x->sin6_port == y->sin6_port);
	}
	if (a->sa_family == AF_UNIX) {
		size_t off = offsetof(struct sockaddr_un, sun_path);
		if (al <= off || s->len <= off)
			return 0;
		const char *x = ((const struct sockaddr_un *)a)->sun_path;
		const char *y = ((const struct sockaddr_un *)b)->sun_path;
		size_t xl = al - off, yl = s->len - off;
		if (x[0] && y[0]) /* path names: compare up to the NUL */
			return !strncmp(x, y, xl < yl ? xl : yl) &&
			       strnlen(x, xl) == strnlen(y, yl);
		return xl == yl && !memcmp(x, y, xl); /* abstract names: every byte */
	}
	return 0;
}

/* The unclaimed inherited socket for a bind of fd (type) to a, or NULL. */
static struct inh_sock *find_match(const struct sockaddr *a, socklen_t al, int type)
{
	struct inh_sock *any = NULL;
	unsigned nany = 0;
	int ephemeral = type == SOCK_STREAM &&
			(a->sa_family == AF_INET || a->sa_family == AF_INET6) && port_of(a) == 0;
	for (size_t i = 0; i < nsocks; i++) {
		struct inh_sock *s = &socks[i];
		if (s->claimed_by >= 0 || s->type != type)
			continue;
		if (!ephemeral && same_addr(a, al, s, 0))
			return s;
		if (ephemeral && same_addr(a, al, s, 1)) {
			any = s;
			nany++;
		}
	}
	return nany == 1 ? any : NULL;
}

/* bind() while updating: hands out an inherited socket.  Returns 0 if fd
 * is now that socket, -1 if the real bind should run. */
static int bind_inherited(int fd, const struct sockaddr *a, socklen_t al)
{
	int type;
	socklen_t l = sizeof type;
	if (!a || al < sizeof(sa_family_t) || getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &l) < 0)
		return -1;
	pthread_mutex_lock(&inh_lock);
	struct inh_sock *s = find_match(a, al, type);
	int r = -1;
	if (s) {
		int fdfl = fcntl(fd, F_GETFD), stfl = fcntl(fd, F_GETFL);
		int ofl = fcntl(s->fd, F_GETFL);
		if (fdfl >= 0 && stfl >= 0 && ofl >= 0 &&
		    dup3(s->fd, fd, fdfl & FD_CLOEXEC ? O_CLOEXEC : 0) == fd) {
			if ((ofl ^ stfl) & O_NONBLOCK)
				fcntl(fd, F_SETFL, (ofl & ~O_NONBLOCK) | (stfl & O_NONBLOCK));
			s->claimed_by = fd;
			__atomic_add_fetch(&nclaimed, 1, __ATOMIC_RELAXED);
			ttst_debug("bind(%d): inherited socket %d holds that address", fd, s->fd);
			r = 0;
		}
	}
	pthread_mutex_unlock(&inh_lock);
	return r;
}

/* Interposed: see the top of the file. */
TTST_EXPORT int bind(int fd, const struct sockaddr *a, socklen_t al)
{
	if (ttst_unlikely(ttst_is_updating()) && nsocks && bind_inherited(fd, a, al) == 0)
		return 0;
	return (int)syscall(SYS_bind, fd, a, al);
}

/* Interposed: listen() on a socket bind() took from v1 succeeds as is. */
TTST_EXPORT int listen(int fd, int backlog)
{
	if (ttst_unlikely(ttst_is_updating()) && nsocks) {
		pthread_mutex_lock(&inh_lock);
		int found = 0;
		for (size_t i = 0; i < nsocks && !found; i++)
			found = socks[i].claimed_by == fd;
		pthread_mutex_unlock(&inh_lock);
		if (found)
			return 0;
	}
	return (int)syscall(SYS_listen, fd, backlog);
}

/* Non-zero if path (relative to dirfd) is the file of an inherited unix socket. */
static int inherited_file(int dirfd, const char *path)
{
	struct stat st;
	if (fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISSOCK(st.st_mode))
		return 0;
	for (size_t i = 0; i < nsocks; i++)
		if (socks[i].has_file && socks[i].dev == st.st_dev && socks[i].ino == st.st_ino)
			return 1;
	return 0;
}

/* Interposed: see the top of the file. */
TTST_EXPORT int unlinkat(int dirfd, const char *path, int flags)
{
	if (ttst_unlikely(ttst_is_updating()) && nsocks && !(flags & AT_REMOVEDIR) &&
	    inherited_file(dirfd, path)) {
		ttst_debug("unlink(%s): an inherited socket is bound there; kept", path);
		return 0;
	}
	return (int)syscall(SYS_unlinkat, dirfd, path, flags);
}

/* Interposed: see the top of the file. */
TTST_EXPORT int unlink(const char *path)
{
	return unlinkat(AT_FDCWD, path, 0);
}

static void save_one(int fd, void *arg)
{
	int *fail = arg;
	struct stat st;
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fstat(fd, &st) < 0)
		return;
	if ((nsaved & (nsaved - 1)) == 0) { /* 0, 1, 2, 4, ...: grow */
		struct fd_flags *n = __libc_realloc(saved, (nsaved ? nsaved * 2 : 1) * sizeof *n);
		if (!n) {
			*fail = 1;
			return;
		}
		saved = n;
	}
	saved[nsaved++] = (struct fd_flags){fd, fl, st.st_dev, st.st_ino};
}

int ttst_inherit_save_flags(void)
{
	int fail = 0;
	ttst_inherit_drop_flags();
	for_each_fd(save_one, &fail);
	if (fail)
		ttst_inherit_drop_flags();
	return fail ? -1 : 0;
}

unsigned ttst_inherit_restore_flags(void)
{
	unsigned changed = 0;
	for (size_t i = 0; i < nsaved; i++) {
		struct stat st;
		const struct fd_flags *f = &saved[i];
		int fl = fcntl(f->fd, F_GETFL);
		if (fl < 0 || fl == f->flags || fstat(f->fd, &st) < 0 || st.st_dev != f->dev ||
		    st.st_ino != f->ino)
			continue;
		fcntl(f->fd, F_SETFL, f->flags);
		changed++;
	}
	ttst_inherit_drop_flags();
	return changed;
}

void ttst_inherit_drop_flags(void)
{
	__libc_free(saved);
	saved = NULL;
	nsaved = 0;
}
