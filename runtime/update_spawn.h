/* update_spawn.h -- v1 starts v2: the update channel, a clone()d child that inherits every
 * descriptor except the runtime's own, and execve(). */
#ifndef TTST_RT_UPDATE_SPAWN_H
#define TTST_RT_UPDATE_SPAWN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "update_req.h"

/* A started v2. */
struct ttst_spawn {
	pid_t pid;
	int pidfd; /* readable when v2 exits; -1 if the kernel has no CLONE_PIDFD */
	int chan;  /* v1's end of the update channel */
};

/* Starts a->binary with a->argv and this process's environment plus
 * TTST_UPDATE_FD, TTST_UPDATE_PARENT, TTST_CLOEXEC and, if a->validate,
 * TTST_UPDATE_VALIDATE=1 (v1 will ask for v2's image).  The child gets
 * default signal dispositions, an empty signal mask, SIGKILL as its
 * parent-death signal, every descriptor of this process with close-on-exec
 * cleared (those that had it are listed in TTST_CLOEXEC) except the
 * control socket's (unix sockets named ctl_path), the trace file and the
 * channel's other end.  The child is a clone with no exit signal: only
 * waitpid(pid, .., __WALL) reaps it, so the program's own wait(-1) never
 * does.  Waits until the execve succeeded or deadline (ms, monotonic).
 * Returns 0 with *s filled (the caller owns the descriptors and must reap
 * the child), or -1 with the reason in err (nothing left behind).  The
 * caller names the child that may read our memory (PR_SET_PTRACER, Yama):
 * v2 during the forward transfer, v1' during the backward one. */
int ttst_spawn_v2(const struct ttst_update_args *a, const char *ctl_path, struct ttst_spawn *s,
		  uint64_t deadline, char *err, size_t n);

/* Kills v2 (SIGKILL) if it still runs, reaps it and closes s's descriptors.
 * Returns its wait status (or -1 if it could not be reaped within 5 s). */
int ttst_spawn_reap(struct ttst_spawn *s);

/* Reaps v2 if it has exited (non-blocking): returns 1 with *status, else 0. */
int ttst_spawn_exited(struct ttst_spawn *s, int *status);

#endif /* TTST_RT_UPDATE_SPAWN_H */
