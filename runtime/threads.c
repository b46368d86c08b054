/* threads.c -- registers application threads: the main thread at start, others via pthread_create.
 */
#define _GNU_SOURCE
#include "threads.h"

#include <dlfcn.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "alloc.h"
#include "log.h"
#include "quiesce.h"
#include "tls.h"

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ttst_thread *threads;
static size_t nthreads;

typedef int (*create_fn)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);

int ttst_real_pthread_create(pthread_t *th, const pthread_attr_t *attr, void *(*fn)(void *),
			     void *arg)
{
	static create_fn real;
	create_fn f = __atomic_load_n(&real, __ATOMIC_ACQUIRE);
	if (!f) {
		f = (create_fn)dlsym(RTLD_NEXT, "pthread_create");
		if (!f) {
			ttst_err("cannot find glibc's pthread_create (dlsym: %s)", dlerror());
			abort();
		}
		__atomic_store_n(&real, f, __ATOMIC_RELEASE);
	}
	return f(th, attr, fn, arg);
}

/* Creates a thread with every signal blocked (they are the program's). */
static int create_blocked(pthread_t *th, const pthread_attr_t *attr, void *(*fn)(void *),
			  void *arg)
{
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int r = ttst_real_pthread_create(th, attr, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return r;
}

int ttst_runtime_thread(pthread_t *th, void *(*fn)(void *), void *arg)
{
	return create_blocked(th, NULL, fn, arg);
}

/* A helper started by ttst_runtime_thread_beside: it restores the affinity
 * it was created without, then runs. */
struct beside {
	void *(*fn)(void *);
	void *arg;
	cpu_set_t mask;
};

static void *beside_main(void *p)
{
	struct beside b = *(struct beside *)p;
	__libc_free(p);
	sched_setaffinity(0, sizeof b.mask, &b.mask); /* it runs elsewhere already */
	return b.fn(b.arg);
}

int ttst_runtime_thread_beside(pthread_t *th, void *(*fn)(void *), void *arg)
{
	int cpu = sched_getcpu();
	struct beside *b = cpu >= 0 ? __libc_malloc(sizeof *b) : NULL;
	if (!b || sched_getaffinity(0, sizeof b->mask, &b->mask) < 0 ||
	    CPU_COUNT(&b->mask) < 2 || !CPU_ISSET(cpu, &b->mask)) {
		__libc_free(b);
		return ttst_runtime_thread(th, fn, arg);
	}
	b->fn = fn;
	b->arg = arg;
	cpu_set_t other = b->mask;
	CPU_CLR(cpu, &other);
	pthread_attr_t attr;
	int r = pthread_attr_init(&attr);
	if (r == 0 && (r = pthread_attr_setaffinity_np(&attr, sizeof other, &other)) == 0)
		r = create_blocked(th, &attr, beside_main, b);
	pthread_attr_destroy(&attr);
	if (r != 0) {
		__libc_free(b);
		return ttst_runtime_thread(th, fn, arg);
	}
	return 0;
}

static void add(struct ttst_thread *t)
{
	pthread_mutex_lock(&reg_lock);
	t->prev = NULL;
	t->next = threads;
	if (threads)
		threads->prev = t;
	threads = t;
	nthreads++;
	pthread_mutex_unlock(&reg_lock);
}

static void remove_locked(struct ttst_thread *t)
{
	if (t->prev)
		t->prev->next = t->next;
	else
		threads = t->next;
	if (t->next)
		t->next->prev = t->prev;
	nthreads--;
}

void ttst_thread_exit(struct ttst_thread *t)
{
	pthread_mutex_lock(&reg_lock);
	remove_locked(t);
	pthread_mutex_unlock(&reg_lock);
	__libc_free(t);
}

void ttst_threads_register_main(void)
{
	struct ttst_tls *tls = &ttst_tls;
	if (tls->thread)
		return;
	struct ttst_thread *t = __libc_calloc(1, sizeof *t);
	if (!t) {
		ttst_err("out of memory registering the main thread; updates will not wait for it");
		return;
	}
	t->tid = gettid();
	ttst_tls_attach(tls);
	tls->thread = t;
	add(t);
}

/* Start routine of every application thread: registers, parks if an update is
 * pending (nothing of the program ran yet), then runs the real routine. */
static void *trampoline(void *arg)
{
	struct ttst_thread *t = arg;
	struct ttst_tls *tls = &ttst_tls;
	__atomic_store_n(&t->tid, gettid(), __ATOMIC_RELAXED);
	ttst_tls_attach(tls);
	tls->thread = t;
	ttst_quiesce_checkpoint(t);
	return t->fn(t->arg);
}

/* Interposed: the new thread is registered before it exists, so a park
 * request can never miss it. */
TTST_EXPORT int pthread_create(pthread_t *th, const pthread_attr_t *attr, void *(*fn)(void *),
			       void *arg)
{
	struct ttst_thread *t = __libc_calloc(1, sizeof *t);
	if (!t)
		return ttst_real_pthread_create(th, attr, fn, arg);
	t->fn = fn;
	t->arg = arg;
	add(t);
	int r = ttst_real_pthread_create(th, attr, trampoline, t);
	if (r) {
		ttst_thread_exit(t);
		return r;
	}
	return 0;
}

void ttst_threads_foreach(void (*fn)(struct ttst_thread *, void *), void *arg)
{
	pthread_mutex_lock(&reg_lock);
	for (struct ttst_thread *t = threads; t; t = t->next)
		fn(t, arg);
	pthread_mutex_unlock(&reg_lock);
}

size_t ttst_threads_count(void)
{
	pthread_mutex_lock(&reg_lock);
	size_t n = nthreads;
	pthread_mutex_unlock(&reg_lock);
	return n;
}

void ttst_threads_fork_prepare(void)
{
	pthread_mutex_lock(&reg_lock);
}

void ttst_threads_fork_parent(void)
{
	pthread_mutex_unlock(&reg_lock);
}

void ttst_threads_fork_child(void)
{
	/* only the forking thread survives; the other records are dropped (their
	 * memory is leaked: freeing could race with nothing, but is not needed) */
	struct ttst_thread *self = ttst_tls.thread;
	threads = NULL;
	nthreads = 0;
	pthread_mutex_init(&reg_lock, NULL);
	if (self) {
		self->tid = gettid();
		self->depth = 0;
		self->state = TTST_T_RUNNING;
		add(self);
	}
}
