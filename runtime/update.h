/* update.h -- the live-update transaction: the new version's phase, the hooks other runtime files
 * call, and the last update's record.
 *
 * Files: update.c (shared state), update_v1.c (old version: the transaction
 * thread), update_req.c (checks an UPDATE request), update_spawn.c (starts
 * v2), update_image.c (v1's state image), update_chan.c (framed I/O),
 * update_finish.c (pid file, sd_notify), update_v2.c (new version),
 * update_src.c (struct ttst_src from the image), update_validate.c (v1's
 * validation step: v1', backward transfer, comparison), update_serve.c
 * (reads and images served to a peer), inherit.c (bind/listen, close-on-exec
 * flags).
 */
#ifndef TTST_RT_UPDATE_H
#define TTST_RT_UPDATE_H

#include <stdint.h>
#include <time.h>

#include "ttst/proto.h"

struct ttst_thread;

/* The last update this process took part in (as the old version, or as the
 * new version that was committed). */
struct ttst_last_update {
	int happened; /* 0: none yet (outcome "none") */
	time_t when;  /* wall-clock start */
	uint32_t duration_ms;
	char outcome[32]; /* "none", "committed", "rolled back" */
	char detail[640]; /* reason of a rollback, empty otherwise */
};

/* Copies the last update's record into out. */
void ttst_update_last(struct ttst_last_update *out);

/* Replaces the last update's record. */
void ttst_update_set_last(const struct ttst_last_update *u);

/* --- New version (v2) ----------------------------------------------------- */

/* Public (ttst.h): 1 while this process is a new version re-initialising. */
int ttst_is_updating(void);

/* Where this process is in an update it takes part in as the new version. */
enum ttst_v2_phase {
	TTST_V2_NONE = 0,     /* not a new version (or committed) */
	TTST_V2_REINIT = 1,   /* re-initialising up to the main thread's update point */
	TTST_V2_TRANSFER = 2, /* the main thread transfers the state */
};

/* Current phase (atomic read). */
int ttst_update_v2_phase(void);

/* Sets the phase and ttst_is_updating()'s answer (1 unless TTST_V2_NONE). */
void ttst_update_v2_set_phase(int phase, const struct ttst_thread *main_thread);

/* True if t is v2's main thread and the transfer has not started. */
int ttst_update_v2_is_main_reinit(const struct ttst_thread *t);

/* init.c hook, called by the constructor before the control socket starts:
 * if $TTST_UPDATE_FD is set this process is a new version started by a live
 * update -- restores close-on-exec flags, removes the TTST_UPDATE_* variables,
 * greets v1 and makes the main thread's first ttst_update_point() run the
 * transfer.  A broken environment is reported and the process exits (1):
 * v1 then rolls back. */
void ttst_update_v2_init(void);

/* quiesce.c hook for a thread that would park on its way out of a
 * quiescent call (or at thread start): returns 1 if it must not park --
 * every thread while v2 re-initialises, and v2's main thread during the
 * transfer -- else 0. */
int ttst_update_v2_no_park(const struct ttst_thread *t);

/* quiesce.c hook at the top of ttst_update_point()'s slow path: if t is
 * v2's main thread re-initialising, runs the transfer and the commit
 * handshake and returns 1 (the thread then continues as the committed
 * version; on any failure the process reports it to v1 and exits).  Returns
 * 0 for every other thread. */
int ttst_update_v2_point(struct ttst_thread *t);

/* init.c hook in a forked child: the child is not the new version.  A child
 * forked before the commit gets SIGKILL as its parent-death signal, so that
 * a rolled-back v2 (killed by v1) leaves none of its children behind. */
void ttst_update_fork_child(void);

/* --- Old version (v1) ----------------------------------------------------- */

/* control.c hook: an UPDATE header (h, already checked) arrived on control
 * connection fd, which is handed over (this module closes it).  park_held:
 * a PARK request holds the threads now.  Reads the payload and runs the
 * transaction on a runtime thread; a second update is refused. */
void ttst_update_v1_begin(int fd, const struct ttst_msg_hdr *h, int park_held);

#endif /* TTST_RT_UPDATE_H */
