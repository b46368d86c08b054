/* threads.h -- registry of application threads (for quiescence), pthread_create interposition. */
#ifndef TTST_RT_THREADS_H
#define TTST_RT_THREADS_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum ttst_thread_state {
	TTST_T_RUNNING = 0, /* may touch program state */
	TTST_T_BLOCKED = 1, /* inside a known-quiescent blocking call */
	TTST_T_PARKED = 2, /* parked at an update point (or on its way back from a blocking call) */
	TTST_T_CONSUMING = 3, /* inside a call that consumes what it waits for (accept, read, ...):
				 quiescent only once interrupted by the park signal */
	TTST_T_KICKED = 0x100, /* flag or-ed in by the park signal's handler */
	TTST_T_MASK = 0xff,    /* the state without the flag */
};

struct ttst_thread {
	int state; /* enum ttst_thread_state, atomic */
	int depth; /* nesting of quiescent calls (owner thread only) */
	pid_t tid; /* 0 until the thread runs */
	void *(*fn)(void *);
	void *arg;
	/* controller's bookkeeping (under the registry lock, quiesce.c) */
	unsigned seen;	 /* consecutive scans that found the thread consuming */
	uint64_t kick_ms; /* when the park signal was last sent to it */
	struct ttst_thread *next, *prev;
};

/* Registers the calling thread as the main thread (constructor). */
void ttst_threads_register_main(void);

/* Removes t from the registry and frees it (thread-exit destructor). */
void ttst_thread_exit(struct ttst_thread *t);

/* Calls fn for every registered thread with the registry locked (fn may
 * update the controller's bookkeeping fields, nothing else). */
void ttst_threads_foreach(void (*fn)(struct ttst_thread *, void *), void *arg);

/* Number of registered threads. */
size_t ttst_threads_count(void);

/* glibc's pthread_create, for runtime-internal threads (not registered). */
int ttst_real_pthread_create(pthread_t *th, const pthread_attr_t *attr, void *(*fn)(void *),
			     void *arg);

/* Starts a runtime-internal thread running fn(arg) with every signal
 * blocked, so that the program's handlers run on program threads only.
 * Returns 0 or an errno value (as pthread_create). */
int ttst_runtime_thread(pthread_t *th, void *(*fn)(void *), void *arg);

/* ttst_runtime_thread for a helper that works beside the caller: created
 * to run on another CPU than the caller's (then free to move).  A new
 * thread otherwise starts on the caller's CPU when the other is busy at
 * that moment, and stays there ~10-20 ms after the other goes idle. */
int ttst_runtime_thread_beside(pthread_t *th, void *(*fn)(void *), void *arg);

void ttst_threads_fork_prepare(void);
void ttst_threads_fork_parent(void);
void ttst_threads_fork_child(void);

#endif /* TTST_RT_THREADS_H */
