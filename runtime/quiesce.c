/* quiesce.c -- the park machinery: update points, parked threads, and the controller's wait. */
#define _GNU_SOURCE
#include "quiesce.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "alloc.h"
#include "log.h"
#include "tls.h"
#include "update.h"

TTST_EXPORT volatile int __ttst_update_pending;

static int park_busy;	       /* one controller at a time */
static uint64_t update_points; /* parks at ttst_update_point() */
static int kick_signo;	       /* the park signal, 0 until installed */

/* A thread seen in a consuming call on two scans in a row (1 ms apart) gets
 * the park signal, again every KICK_EVERY_MS while it stays there (a signal
 * that came just before the call blocked interrupted nothing). */
#define KICK_EVERY_MS 10

static void futex_wait(volatile int *addr, int val)
{
	syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

static void futex_wake_all(volatile int *addr)
{
	syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

/* Blocks asynchronous signals while parked, so no handler runs program code
 * in the middle of a park; they are delivered when the thread continues. */
static void block_signals(sigset_t *old)
{
	sigset_t all;
	sigfillset(&all);
	static const int sync_sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGABRT};
	for (size_t i = 0; i < sizeof sync_sigs / sizeof sync_sigs[0]; i++)
		sigdelset(&all, sync_sigs[i]);
	pthread_sigmask(SIG_BLOCK, &all, old);
}

void ttst_quiesce_park_self(struct ttst_thread *t, pthread_mutex_t *m, int at_update_point)
{
	if (!at_update_point && ttst_update_v2_no_park(t)) /* a new version re-initialising */
		return;
	sigset_t old;
	block_signals(&old);
	if (m)
		pthread_mutex_unlock(m);
	if (t)
		__atomic_store_n(&t->state, TTST_T_PARKED, __ATOMIC_SEQ_CST);
	if (at_update_point)
		__atomic_add_fetch(&update_points, 1, __ATOMIC_RELAXED);
	while (__atomic_load_n(&__ttst_update_pending, __ATOMIC_SEQ_CST))
		futex_wait(&__ttst_update_pending, 1);
	if (t)
		__atomic_store_n(&t->state, TTST_T_RUNNING, __ATOMIC_SEQ_CST);
	if (m)
		pthread_mutex_lock(m);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

TTST_EXPORT void __ttst_update_point_slow(void)
{
	struct ttst_thread *t = ttst_tls.thread;
	if (ttst_update_v2_point(t)) /* a new version's main thread: transfer, commit */
		return;
	if (__atomic_load_n(&__ttst_update_pending, __ATOMIC_SEQ_CST))
		ttst_quiesce_park_self(t, NULL, 1);
}

void ttst_quiesce_checkpoint(struct ttst_thread *t)
{
	if (__atomic_load_n(&__ttst_update_pending, __ATOMIC_SEQ_CST))
		ttst_quiesce_park_self(t, NULL, 0);
}

int ttst_quiesce_consume_kicked(struct ttst_thread *t, int eintr)
{
	if (!eintr) /* the call completed before the signal: keep its result */
		return 0;
	if (__atomic_load_n(&__ttst_update_pending, __ATOMIC_SEQ_CST))
		ttst_quiesce_park_self(t, NULL, 0);
	return 1;
}

/* The park signal's handler: flags the thread's state; the interrupted call
 * returns EINTR to its wrapper, which reads the flag.  Signals that this
 * process did not send itself with tgkill are not ours: no flag. */
static void on_park_signal(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	if (si->si_code != SI_TKILL || si->si_pid != getpid())
		return;
	struct ttst_thread *t = ttst_tls.thread;
	if (t)
		__atomic_fetch_or(&t->state, TTST_T_KICKED, __ATOMIC_SEQ_CST);
}

int ttst_quiesce_signo(void)
{
	return __atomic_load_n(&kick_signo, __ATOMIC_RELAXED);
}

void ttst_quiesce_signal_init(int (*real_sigaction)(int, const struct sigaction *,
						    struct sigaction *))
{
	int sig = SIGRTMAX - 1;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_park_signal;
	sa.sa_flags = SA_SIGINFO; /* no SA_RESTART: the signal must interrupt accept, read... */
	sigemptyset(&sa.sa_mask);
	if (real_sigaction(sig, &sa, NULL) < 0) {
		ttst_warn("cannot install the park signal %d (%s); threads blocked in accept/read "
			  "will make parks time out",
			  sig, strerror(errno));
		return;
	}
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, sig);
	syscall(SYS_rt_sigprocmask, SIG_UNBLOCK, &set, NULL, _NSIG / 8);
	__atomic_store_n(&kick_signo, sig, __ATOMIC_RELAXED);
}

uint64_t ttst_quiesce_update_points(void)
{
	return __atomic_load_n(&update_points, __ATOMIC_RELAXED);
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct scan {
	struct ttst_park_info info;
	char *list; /* names of running threads, NULL when only counting */
	size_t size, len;
	uint64_t now; /* when counting: signal consuming threads (ms), 0 = do not */
};

/* Sends the park signal to t (in a consuming call) if it is due. */
static void kick(struct ttst_thread *t, uint64_t now)
{
	pid_t tid = __atomic_load_n(&t->tid, __ATOMIC_RELAXED);
	if (!tid || !kick_signo || t->seen++ < 1)
		return;
	if (t->kick_ms && now - t->kick_ms < KICK_EVERY_MS)
		return;
	t->kick_ms = now;
	syscall(SYS_tgkill, getpid(), tid, kick_signo);
}

static void reset_one(struct ttst_thread *t, void *arg)
{
	(void)arg;
	t->seen = 0;
	t->kick_ms = 0;
}

/* Reads /proc/self/task/<tid>/comm into buf ("?" if unavailable). */
static void thread_name(pid_t tid, char *buf, size_t n)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/self/task/%d/comm", (int)tid);
	int fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
	ssize_t r = fd >= 0 ? syscall(SYS_read, fd, buf, n - 1) : -1;
	if (fd >= 0)
		syscall(SYS_close, fd);
	if (r <= 0)
		r = snprintf(buf, n, "?");
	buf[r] = 0;
	buf[strcspn(buf, "\n")] = 0;
}

static void scan_one(struct ttst_thread *t, void *arg)
{
	struct scan *s = arg;
	int st = __atomic_load_n(&t->state, __ATOMIC_SEQ_CST) & TTST_T_MASK;
	s->info.threads++;
	if (st != TTST_T_CONSUMING)
		t->seen = 0;
	if (st == TTST_T_PARKED)
		s->info.parked++;
	else if (st == TTST_T_BLOCKED)
		s->info.blocked++;
	else if (st == TTST_T_CONSUMING && s->now)
		kick(t, s->now);
	else if (s->list && s->len < s->size) {
		char name[32];
		pid_t tid = __atomic_load_n(&t->tid, __ATOMIC_RELAXED);
		if (tid)
			thread_name(tid, name, sizeof name);
		int w = tid ? snprintf(s->list + s->len, s->size - s->len, "%s%d (%s)%s",
				       s->len ? ", " : "", (int)tid, name,
				       st == TTST_T_CONSUMING
					       ? " in accept/read/recv/wait/sigwait, not interrupted "
						 "by the park signal (blocked with a raw syscall?)"
					       : "")
			    : snprintf(s->list + s->len, s->size - s->len,
				       "%sa thread not yet started", s->len ? ", " : "");
		s->len += w > 0 ? (size_t)w : 0;
	}
}

/* Counts thread states; lists the running ones into list if not NULL; if now
 * is not 0, signals the threads in consuming calls that are due. */
static struct ttst_park_info scan_threads(char *list, size_t size, uint64_t now)
{
	struct scan s = {{0, 0, 0, 0}, list, size, 0, now};
	if (list && size)
		list[0] = 0;
	ttst_threads_foreach(scan_one, &s);
	return s.info;
}

int ttst_quiesce_park(unsigned timeout_ms, struct ttst_park_info *info, char *err, size_t n)
{
	if (__atomic_exchange_n(&park_busy, 1, __ATOMIC_ACQUIRE)) {
		snprintf(err, n, "a park or update is already in progress");
		return -1;
	}
	uint64_t t0 = now_ms();
	ttst_threads_foreach(reset_one, NULL);
	__atomic_store_n(&__ttst_update_pending, 1, __ATOMIC_SEQ_CST);
	ttst_trace("park requested (timeout %u ms)", timeout_ms);
	for (;;) {
		uint64_t now = now_ms();
		struct ttst_park_info s = scan_threads(NULL, 0, now ? now : 1);
		uint64_t waited = now - t0;
		if (s.parked + s.blocked == s.threads) {
			*info = s;
			info->waited_ms = (unsigned)waited;
			ttst_trace("parked %u threads in %u ms", s.threads, info->waited_ms);
			return 0;
		}
		if (waited >= timeout_ms)
			break;
		struct timespec ts = {0, 1000000};
		syscall(SYS_nanosleep, &ts, NULL);
	}
	char list[512];
	struct ttst_park_info s = scan_threads(list, sizeof list, 0);
	if (s.parked + s.blocked == s.threads) { /* everyone arrived at the deadline */
		*info = s;
		info->waited_ms = (unsigned)(now_ms() - t0);
		return 0;
	}
	snprintf(err, n,
		 "park timed out after %u ms: %u of %u threads did not reach an update point or a "
		 "blocking call: %s",
		 timeout_ms, s.threads - s.parked - s.blocked, s.threads, list);
	ttst_quiesce_release();
	ttst_info("%s", err);
	return -1;
}

void ttst_quiesce_release(void)
{
	__atomic_store_n(&__ttst_update_pending, 0, __ATOMIC_SEQ_CST);
	futex_wake_all(&__ttst_update_pending);
	__atomic_store_n(&park_busy, 0, __ATOMIC_RELEASE);
	ttst_trace("park released");
}

void ttst_quiesce_fork_child(void)
{
	__ttst_update_pending = 0;
	park_busy = 0;
}
