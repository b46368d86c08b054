/* quiesce.h -- parking every registered thread at update points or in quiescent blocking calls. */
#ifndef TTST_RT_QUIESCE_H
#define TTST_RT_QUIESCE_H

#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "threads.h"

/* Exported (ttst.h): non-zero while a park is requested. */
extern volatile int __ttst_update_pending;

/* Park outcome, filled by ttst_quiesce_park. */
struct ttst_park_info {
	unsigned threads;   /* registered threads */
	unsigned parked;    /* parked at an update point (or right after a blocking call) */
	unsigned blocked;   /* inside a quiescent (waiting) blocking call */
	unsigned waited_ms; /* time until every thread was quiescent */
};

/* Consuming calls (accept, read, recv*, wait*, sigwait*) take something out of
 * a kernel queue when they return.  A thread inside one is not quiescent: a
 * park sends it the park signal (ttst_quiesce_signo) and counts it only once
 * it has parked from the interrupted call, which consumed nothing; the wrapper
 * then re-issues the call.  Fast path: one state store before, one exchange
 * after (the same cost as a seq_cst store on x86-64). */

/* Marks registered thread t as entering a consuming call. */
static inline void ttst_quiesce_consume_enter(struct ttst_thread *t)
{
	if (!t->depth++)
		__atomic_store_n(&t->state, TTST_T_CONSUMING, __ATOMIC_SEQ_CST);
}

/* Slow part of ttst_quiesce_consume_leave (the park signal came). */
int ttst_quiesce_consume_kicked(struct ttst_thread *t, int eintr);

/* The consuming call returned (eintr: it failed with EINTR).  Returns 1 if
 * the park signal interrupted it: the thread has parked (if the park is still
 * on) and the caller must re-issue the call, hiding that EINTR.  Returns 0
 * when the caller returns the call's result: a result that was complete when
 * the signal came is never held by a parked thread -- the thread runs on to
 * its next update point or quiescent call. */
static inline int ttst_quiesce_consume_leave(struct ttst_thread *t, int eintr)
{
	if (--t->depth)
		return 0;
	int old = __atomic_exchange_n(&t->state, TTST_T_RUNNING, __ATOMIC_SEQ_CST);
	if (__builtin_expect(!(old & TTST_T_KICKED), 1))
		return 0;
	return ttst_quiesce_consume_kicked(t, eintr);
}

/* The runtime-reserved park signal (SIGRTMAX-1), 0 before ttst_quiesce_signal_init. */
int ttst_quiesce_signo(void);

/* Installs the park signal's handler (SA_SIGINFO, no SA_RESTART) with
 * real_sigaction and unblocks the signal in the calling thread.  On failure,
 * logs a warning: threads in consuming calls then never park. */
void ttst_quiesce_signal_init(int (*real_sigaction)(int, const struct sigaction *,
						    struct sigaction *));

/* intercept.c: installs the park signal's handler with glibc's sigaction
 * (the interposed one refuses to touch the park signal). */
void ttst_intercept_init(void);

/* Marks the calling thread as entering a quiescent blocking call (t may be
 * NULL: unregistered threads are never waited for). */
static inline void ttst_quiesce_enter(struct ttst_thread *t)
{
	if (t && !t->depth++)
		__atomic_store_n(&t->state, TTST_T_BLOCKED, __ATOMIC_SEQ_CST);
}

/* Slow part of ttst_quiesce_leave: parks until the request is over.  If m is
 * not NULL (pthread_cond_wait), m is unlocked while parked and locked again. */
void ttst_quiesce_park_self(struct ttst_thread *t, pthread_mutex_t *m, int at_update_point);

/* The blocking call returned: the thread runs again, unless a park is in
 * progress, in which case it parks before returning to its caller. */
static inline void ttst_quiesce_leave(struct ttst_thread *t, pthread_mutex_t *m)
{
	if (!t || --t->depth)
		return;
	__atomic_store_n(&t->state, TTST_T_RUNNING, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&__ttst_update_pending, __ATOMIC_SEQ_CST))
		ttst_quiesce_park_self(t, m, 0);
}

/* Parks t now if a park is pending (thread start). */
void ttst_quiesce_checkpoint(struct ttst_thread *t);

/* Requests a park and waits up to timeout_ms for every registered thread to
 * be parked or in a quiescent (waiting) call; threads in consuming calls are
 * sent the park signal until they park.  Returns 0 with info filled: the threads
 * stay parked until ttst_quiesce_release().  Returns -1 with a message in err
 * naming the threads that did not park (tid and name), after releasing
 * everyone; or if another park is already in progress. */
int ttst_quiesce_park(unsigned timeout_ms, struct ttst_park_info *info, char *err, size_t n);

/* Ends a successful park: every parked thread continues. */
void ttst_quiesce_release(void);

/* Number of times a thread parked at ttst_update_point(). */
uint64_t ttst_quiesce_update_points(void);

/* Clears any pending request in a forked child. */
void ttst_quiesce_fork_child(void);

#endif /* TTST_RT_QUIESCE_H */
