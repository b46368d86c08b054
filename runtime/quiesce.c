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
};

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

static void scan_one(const struct ttst_thread *t, void *arg)
{
	struct scan *s = arg;
	int st = __atomic_load_n(&t->state, __ATOMIC_SEQ_CST);
	s->info.threads++;
	if (st == TTST_T_PARKED)
		s->info.parked++;
	else if (st == TTST_T_BLOCKED)
		s->info.blocked++;
	else if (s->list && s->len < s->size) {
		char name[32];
		pid_t tid = __atomic_load_n(&t->tid, __ATOMIC_RELAXED);
		if (tid)
			thread_name(tid, name, sizeof name);
		int w = tid ? snprintf(s->list + s->len, s->size - s->len, "%s%d (%s)",
				       s->len ? ", " : "", (int)tid, name)
			    : snprintf(s->list + s->len, s->size - s->len,
				       "%sa thread not yet started", s->len ? ", " : "");
		s->len += w > 0 ? (size_t)w : 0;
	}
}

/* Counts thread states; lists the running ones into list if not NULL. */
static struct ttst_park_info scan_threads(char *list, size_t size)
{
	struct scan s = {{0, 0, 0, 0}, list, size, 0};
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
	__atomic_store_n(&__ttst_update_pending, 1, __ATOMIC_SEQ_CST);
	ttst_trace("park requested (timeout %u ms)", timeout_ms);
	for (;;) {
		struct ttst_park_info s = scan_threads(NULL, 0);
		uint64_t waited = now_ms() - t0;
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
	struct ttst_park_info s = scan_threads(list, sizeof list);
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
