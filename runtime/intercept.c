/* intercept.c -- interposed blocking calls (waiting and consuming) and the guards that keep the
 * park signal installed and unblocked. */
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

/* Defines real_NAME(): glibc's NAME (version VER, or the default one). */
#define TTST_REAL(VER, RET, NAME, PARAMS)                                                          \
	static RET(*real_##NAME(void)) PARAMS                                                      \
	{                                                                                          \
		static RET(*p) PARAMS;                                                             \
		RET(*f) PARAMS = __atomic_load_n(&p, __ATOMIC_RELAXED);                            \
		if (ttst_unlikely(!f)) {                                                           \
			f = (RET(*) PARAMS)resolve(#NAME, VER);                                    \
			__atomic_store_n(&p, f, __ATOMIC_RELAXED);                                 \
		}                                                                                  \
		return f;                                                                          \
	}

/* Defines an interposed *waiting* function `ret name params` (it consumes
 * nothing): glibc's `name args` runs with the calling thread marked as inside
 * a quiescent call, and the thread parks on the way out if a park is in
 * progress.  errno of the real call is kept. */
#define TTST_QUIESCENT(VER, RET, NAME, PARAMS, ARGS)                                               \
	TTST_REAL(VER, RET, NAME, PARAMS)                                                          \
	TTST_EXPORT RET NAME PARAMS                                                                \
	{                                                                                          \
		RET(*ttst_f_) PARAMS = real_##NAME();                                              \
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

/* Defines an interposed *consuming* function (accept, read, ...; it returns
 * -1/EINTR when interrupted, having consumed nothing): a park interrupts it
 * with the park signal, the thread parks, and the call is re-issued; the
 * program never sees that EINTR (one from its own signals it does see). */
#define TTST_CONSUMING(VER, RET, NAME, PARAMS, ARGS)                                               \
	TTST_REAL(VER, RET, NAME, PARAMS)                                                          \
	TTST_EXPORT RET NAME PARAMS                                                                \
	{                                                                                          \
		RET(*ttst_f_) PARAMS = real_##NAME();                                              \
		struct ttst_thread *ttst_t_ = ttst_tls.thread;                                     \
		if (!ttst_t_)                                                                      \
			return ttst_f_ ARGS;                                                       \
		RET ttst_r_;                                                                       \
		int ttst_e_;                                                                       \
		do {                                                                               \
			ttst_quiesce_consume_enter(ttst_t_);                                       \
			ttst_r_ = ttst_f_ ARGS;                                                    \
			ttst_e_ = errno;                                                           \
		} while (ttst_quiesce_consume_leave(ttst_t_, ttst_r_ < 0 && ttst_e_ == EINTR));    \
		errno = ttst_e_;                                                                   \
		return ttst_r_;                                                                    \
	}

TTST_CONSUMING(NULL, int, accept, (int fd, struct sockaddr *a, socklen_t *l), (fd, a, l))
TTST_CONSUMING(NULL, int, accept4, (int fd, struct sockaddr *a, socklen_t *l, int fl),
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
TTST_CONSUMING(NULL, ssize_t, read, (int fd, void *buf, size_t n), (fd, buf, n))
TTST_CONSUMING(NULL, ssize_t, recv, (int fd, void *buf, size_t n, int fl), (fd, buf, n, fl))
TTST_CONSUMING(NULL, ssize_t, recvfrom,
	       (int fd, void *buf, size_t n, int fl, struct sockaddr *a, socklen_t *l),
	       (fd, buf, n, fl, a, l))
TTST_CONSUMING(NULL, ssize_t, recvmsg, (int fd, struct msghdr *m, int fl), (fd, m, fl))
TTST_QUIESCENT(NULL, int, nanosleep, (const struct timespec *req, struct timespec *rem), (req, rem))
TTST_QUIESCENT(NULL, int, clock_nanosleep,
	       (clockid_t c, int fl, const struct timespec *req, struct timespec *rem),
	       (c, fl, req, rem))
TTST_QUIESCENT(NULL, unsigned, sleep, (unsigned s), (s))
TTST_QUIESCENT(NULL, int, usleep, (useconds_t us), (us))
TTST_QUIESCENT(NULL, int, pthread_join, (pthread_t th, void **ret), (th, ret))
TTST_CONSUMING(NULL, pid_t, waitpid, (pid_t pid, int *st, int opt), (pid, st, opt))
TTST_CONSUMING(NULL, pid_t, wait, (int *st), (st))
TTST_QUIESCENT(NULL, int, pause, (void), ())

/* Returns set without the park signal (in *copy) when set would block or wait
 * for it, else set itself. */
static const sigset_t *without_park_signal(int how, const sigset_t *set, sigset_t *copy)
{
	int sig = ttst_quiesce_signo();
	if (!set || !sig || how == SIG_UNBLOCK || !sigismember(set, sig))
		return set;
	*copy = *set;
	sigdelset(copy, sig);
	return copy;
}

TTST_REAL(NULL, int, sigtimedwait,
	  (const sigset_t *set, siginfo_t *info, const struct timespec *ts))

/* sigtimedwait as a consuming call; never waits for (and so never takes) the
 * park signal. */
static int wait_signal(const sigset_t *set, siginfo_t *info, const struct timespec *ts)
{
	sigset_t copy;
	set = without_park_signal(SIG_BLOCK, set, &copy);
	int (*f)(const sigset_t *, siginfo_t *, const struct timespec *) = real_sigtimedwait();
	struct ttst_thread *t = ttst_tls.thread;
	if (!t)
		return f(set, info, ts);
	int r, e;
	do {
		ttst_quiesce_consume_enter(t);
		r = f(set, info, ts);
		e = errno;
	} while (ttst_quiesce_consume_leave(t, r < 0 && e == EINTR));
	errno = e;
	return r;
}

TTST_EXPORT int sigtimedwait(const sigset_t *set, siginfo_t *info, const struct timespec *ts)
{
	return wait_signal(set, info, ts);
}

TTST_EXPORT int sigwaitinfo(const sigset_t *set, siginfo_t *info)
{
	return wait_signal(set, info, NULL);
}

/* sigwait never fails with EINTR (as glibc's, which loops on sigtimedwait). */
TTST_EXPORT int sigwait(const sigset_t *set, int *sig)
{
	int r;
	do
		r = wait_signal(set, NULL, NULL);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return errno;
	*sig = r;
	return 0;
}

/* The park signal stays installed and unblocked: sigaction/signal refuse to
 * change it (EINVAL, as glibc does for its own internal signals), the mask
 * functions never block it. */
TTST_REAL(NULL, int, sigaction, (int sig, const struct sigaction *act, struct sigaction *old))
TTST_REAL(NULL, sighandler_t, signal, (int sig, sighandler_t h))
TTST_REAL(NULL, int, sigprocmask, (int how, const sigset_t *set, sigset_t *old))
TTST_REAL(NULL, int, pthread_sigmask, (int how, const sigset_t *set, sigset_t *old))

TTST_EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	if (act && sig && sig == ttst_quiesce_signo()) {
		errno = EINVAL;
		return -1;
	}
	return real_sigaction()(sig, act, old);
}

TTST_EXPORT sighandler_t signal(int sig, sighandler_t h)
{
	if (sig && sig == ttst_quiesce_signo()) {
		errno = EINVAL;
		return SIG_ERR;
	}
	return real_signal()(sig, h);
}

TTST_EXPORT int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
	sigset_t copy;
	return real_sigprocmask()(how, without_park_signal(how, set, &copy), old);
}

TTST_EXPORT int pthread_sigmask(int how, const sigset_t *set, sigset_t *old)
{
	sigset_t copy;
	return real_pthread_sigmask()(how, without_park_signal(how, set, &copy), old);
}

/* Installs the park signal's handler (init.c). */
void ttst_intercept_init(void)
{
	ttst_quiesce_signal_init(real_sigaction());
}

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
