/* update_txn.h -- the old version's update transaction (update_v1.c) as the validation step
 * (update_validate.c) sees it: its state, the phases, and the helpers both use. */
#ifndef TTST_RT_UPDATE_TXN_H
#define TTST_RT_UPDATE_TXN_H

#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "ttst/proto.h"
#include "update_chan.h"
#include "update_image.h"
#include "update_req.h"
#include "update_spawn.h"

enum { PH_PARK, PH_SPAWN, PH_REINIT, PH_TRANSFER, PH_VALIDATE, PH_COMMIT, PH_N };

#define CTL_SEND_TIMEOUT_MS 5000
#define EXIT_GRACE_MS 1000 /* after EOF on the channel, wait this long for the peer's status */

struct txn {
	int ctl; /* connection to ttst-ctl */
	struct ttst_update_args a;
	unsigned timeout_ms;
	uint64_t t0, phase_t0, deadline;
	time_t wall0;
	int phase, parked;
	uint32_t phase_ms[PH_N];
	struct ttst_spawn v2;
	pid_t v2pid;	       /* 0 until v2 runs (v2.pid is -1 once it is reaped) */
	struct ttst_spawn v1r; /* v1' (validation) */
	pid_t v1rpid;	       /* 0 until v1' runs */
	struct ttst_ch_report rep;
	struct ttst_image_job image; /* built while v2 starts */
	int imgfd;		     /* our image (validation turns it into the reference), -1 */
	uint64_t imgsize, imgobjs;
	int fmapfd;		      /* v2's map of our objects (READY), -1 */
	int window;		      /* memfd for READ requests, -1 until the first */
	int dumpable;		      /* PR_GET_DUMPABLE before the update, -1 if unchanged */
	int valfd;		      /* v2's image (validation), -1 */
	uint64_t compared, unchecked; /* validation counters */
	char reason[600];
	char warning[600];
	struct ttst_chan_msg msg;
};

/* Phase names: the id in EVENT/RESULT frames, and for messages. */
extern const char *const ttst_txn_phase_id[PH_N];
extern const char *const ttst_txn_phase_name[PH_N];

/* Records the reason of a rollback; returns -1. */
int txn_fail(struct txn *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Ends the current phase: records its duration and sends an EVENT. */
void txn_event(struct txn *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Waits for the next message from peer s (named who: "v2", "v1'"), which must
 * be of type want; READ requests are served meanwhile when want is READY.
 * Returns 0 with t->msg filled (t->msg.fd is the caller's if want is STATE
 * or READY), or -1 with t->reason (the peer died, closed the channel, timed
 * out, failed, reported differences, or sent something else). */
int txn_expect(struct txn *t, struct ttst_spawn *s, const char *who, uint16_t want);

/* The validation step (update_validate.c): v2's image, v1' (started now
 * unless ttst_txn_spawn_v1r did earlier), the backward transfer and the
 * comparison; v1' is killed afterwards (ttst_txn_reap_v1r reaps it) and
 * v2's image memfd is left in t->valfd for the caller to close.  Returns
 * 0 (equal, or validation off), or -1 with t->reason. */
int ttst_txn_validate(struct txn *t);

/* Starts v1' (this process's own binary and arguments) without waiting for
 * it: it re-initialises and then asks for its state, which the validation
 * step sends.  Returns 0 (t->v1rpid set; v1' is killed and reaped by
 * ttst_txn_reap_v1r), or -1 with t->reason. */
int ttst_txn_spawn_v1r(struct txn *t);

/* Kills and reaps v1' if it runs (and removes its socket file). */
void ttst_txn_reap_v1r(struct txn *t);

#endif /* TTST_RT_UPDATE_TXN_H */
