/* intercept.c -- interposed blocking calls: a registered thread inside one counts as quiescent. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "alloc.h"
#include "log.h"
#include "quiesce.h"
#include "tls.h"

/* Resolves glibc's definition of name (version ver, or the default one). */
static void *resolve(const char *name, const char *ver)
{
	void *p = ver ? dlvsym(RTLD_NEXT, name, ver) : dlsym(RTLD_NEXT, name);
	if (!p) {
		ttst_err("cannot find glibc's %s (dlsym: %s)", name, dlerror());
		abort();
	}
	return p;
}

/* Defines an interposed function `ret name params` that calls glibc's `name
 * args` with the calling thread marked as inside a quiescent call, and parks
 * on the way out if a park is in progress.  errno of the real call is kept. */
#define TTST_QUIESCENT(VER, RET, NAME, PARAMS, ARGS)                                               \
	TTST_EXPORT RET NAME PARAMS                                                                \
	{                                                                                          \
		static RET(*ttst_real_) PARAMS;                                                    \
		RET(*ttst_f_) PARAMS = __atomic_load_n(&ttst_real_, __ATOMIC_RELAXED);             \
		if (ttst_unlikely(!ttst_f_)) {                                                     \
			ttst_f_ = (RET(*) PARAMS)resolve(#NAME, VER);                              \
			__atomic_store_n(&ttst_real_, ttst_f_, __ATOMIC_RELAXED);                  \
		}                                                                                  \
		struct ttst_thread *ttst_t_ = ttst_tls.thread;                                     \
		if (!ttst_t_)                                                                      \
			return ttst_f_ ARGS;                                                       \
		ttst_quiesce_enter(ttst_t_);                                                       \
		RET ttst_r_ = ttst_f_ ARGS;                                                        \
		int ttst_e_ = errno;                                                               \
		ttst_quiesce_leave(ttst_t_, NULL);                                                 \
		errno = ttst_e_;                                                                   \
		return ttst_r_;                                                                    \
	}

TTST_QUIESCENT(NULL, int, accept, (int fd, struct sockaddr *a, socklen_t *l), (fd, a, l))
TTST_QUIESCENT(NULL, int, accept4, (int fd, struct sockaddr *a, socklen_t *l, int fl),
	       (fd, a, l, fl))
TTST_QUIESCENT(NULL, int, poll, (struct pollfd * fds, nfds_t n, int ms), (fds, n, ms))
TTST_QUIESCENT(NULL, int, ppoll,
	       (struct pollfd * fds, nfds_t n, const struct timespec *ts, const sigset_t *m),
	       (fds, n, ts, m))
TTST_QUIESCENT(NULL, int, select, (int n, fd_set *r, fd_set *w, fd_set *x, struct timeval *tv),
	       (n, r, w, x, tv))
TTST_QUIESCENT(NULL, int, pselect,
	       (int n, fd_set *r, fd_set *w, fd_set *x, const struct timespec *ts,
		const sigset_t *m),
	       (n, r, w, x, ts, m))
TTST_QUIESCENT(NULL, int, epoll_wait, (int fd, struct epoll_event *ev, int n, int ms),
	       (fd, ev, n, ms))
TTST_QUIESCENT(NULL, int, epoll_pwait,
	       (int fd, struct epoll_event *ev, int n, int ms, const sigset_t *m),
	       (fd, ev, n, ms, m))
TTST_QUIESCENT(NULL, ssize_t, read, (int fd, void *buf, size_t n), (fd, buf, n))
TTST_QUIESCENT(NULL, ssize_t, recv, (int fd, void *buf, size_t n, int fl), (fd, buf, n, fl))
TTST_QUIESCENT(NULL, ssize_t, recvfrom,
	       (int fd, void *buf, size_t n, int fl, struct sockaddr *a, socklen_t *l),
	       (fd, buf, n, fl, a, l))
TTST_QUIESCENT(NULL, ssize_t, recvmsg, (int fd, struct msghdr *m, int fl), (fd, m, fl))
TTST_QUIESCENT(NULL, int, nanosleep, (const struct timespec *req, struct timespec *rem), (req, rem))
TTST_QUIESCENT(NULL, int, clock_nanosleep,
	       (clockid_t c, int fl, const struct timespec *req, struct timespec *rem),
	       (c, fl, req, rem))
TTST_QUIESCENT(NULL, unsigned, sleep, (unsigned s), (s))
TTST_QUIESCENT(NULL, int, usleep, (useconds_t us), (us))
TTST_QUIESCENT(NULL, int, pthread_join, (pthread_t th, void **ret), (th, ret))
TTST_QUIESCENT(NULL, pid_t, waitpid, (pid_t pid, int *st, int opt), (pid, st, opt))
TTST_QUIESCENT(NULL, pid_t, wait, (int *st), (st))
TTST_QUIESCENT(NULL, int, sigwait, (const sigset_t *set, int *sig), (set, sig))
TTST_QUIESCENT(NULL, int, sigwaitinfo, (const sigset_t *set, siginfo_t *info), (set, info))
TTST_QUIESCENT(NULL, int, sigtimedwait,
	       (const sigset_t *set, siginfo_t *info, const struct timespec *ts), (set, info, ts))
TTST_QUIESCENT(NULL, int, pause, (void), ())

/* pthread_cond_wait / timedwait: glibc's current symbol version (dlsym would
 * return the 2.2.5 compatibility one).  While parked after the wait, the
 * mutex is released (as in a spurious wakeup) so that no thread blocks on it. */
typedef int (*cond_wait_fn)(pthread_cond_t *, pthread_mutex_t *);
typedef int (*cond_timedwait_fn)(pthread_cond_t *, pthread_mutex_t *, const struct timespec *);

TTST_EXPORT int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
	static cond_wait_fn real;
	cond_wait_fn f = __atomic_load_n(&real, __ATOMIC_RELAXED);
	if (ttst_unlikely(!f)) {
		f = (cond_wait_fn)resolve("pthread_cond_wait", "GLIBC_2.3.2");
		__atomic_store_n(&real, f, __ATOMIC_RELAXED);
	}
	struct ttst_thread *t = ttst_tls.thread;
	ttst_quiesce_enter(t);
	int r = f(c, m);
	ttst_quiesce_leave(t, m);
	return r;
}

TTST_EXPORT int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m,
				       const struct timespec *ts)
{
	static cond_timedwait_fn real;
	cond_timedwait_fn f = __atomic_load_n(&real, __ATOMIC_RELAXED);
	if (ttst_unlikely(!f)) {
		f = (cond_timedwait_fn)resolve("pthread_cond_timedwait", "GLIBC_2.3.2");
		__atomic_store_n(&real, f, __ATOMIC_RELAXED);
	}
	struct ttst_thread *t = ttst_tls.thread;
	ttst_quiesce_enter(t);
	int r = f(c, m, ts);
	ttst_quiesce_leave(t, m);
	return r;
}
