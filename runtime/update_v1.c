/* update_v1.c -- the old version's side of a live update: a runtime thread parks the program,
 * starts v2, answers it, and commits (exits) or rolls back (continues).
 *
 * Phases (one EVENT frame each to ttst-ctl, then one RESULT frame):
 *   park      every registered thread quiescent (quiesce.c)
 *   spawn     clone + execve of the new binary until its runtime says HELLO
 *   reinit    v2 runs its initialisation up to its main thread's update point
 *   transfer  v1 sends its state image, v2 transfers the state (ttst_xfer_run); with
 *             validation, v1' (v1's own binary) is started meanwhile and re-initialises
 *   validate  (unless --no-validate) v2 serves its own image, v1 waits for v1' to be ready,
 *             v1' transfers v2's state back and compares it with ours (update_validate.c)
 *   commit    v2 continues, v1 rewrites the pid file, tells systemd, _exit(0)s
 *             (ttst-ctl check: v2 and v1' are stopped instead, v1 continues)
 * Any failure before commit kills and reaps v1' and v2 and releases v1's
 * threads: v1 only answered reads.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "alloc.h"
#include "control.h"
#include "inherit.h"
#include "log.h"
#include "options.h"
#include "quiesce.h"
#include "threads.h"
#include "ttst/abi.h"
#include "update.h"
#include "update_chan.h"
#include "update_finish.h"
#include "update_image.h"
#include "update_req.h"
#include "update_serve.h"
#include "update_spawn.h"
#include "update_txn.h"

const char *const ttst_txn_phase_id[PH_N] = {"park",	 "spawn",    "reinit",
					     "transfer", "validate", "commit"};
const char *const ttst_txn_phase_name[PH_N] = {
    "park", "spawn", "re-initialisation", "transfer", "backward transfer", "commit"};

static int busy; /* an update is running */

/* --- ttst-ctl stream ----------------------------------------------------- */

struct kv {
	char buf[4096];
	size_t len;
};

static void kv_put(struct kv *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void kv_put(struct kv *k, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int w = vsnprintf(k->buf + k->len, sizeof k->buf - k->len, fmt, ap);
	va_end(ap);
	if (w > 0)
		k->len +=
		    (size_t)w < sizeof k->buf - k->len ? (size_t)w : sizeof k->buf - k->len - 1;
}

/* key=<value with bytes below 0x20 and '\' as \xNN> */
static void kv_text(struct kv *k, const char *key, const char *v)
{
	kv_put(k, "%s=", key);
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (*p < 0x20 || *p == '\\')
			kv_put(k, "\\x%02x", *p);
		else
			kv_put(k, "%c", *p);
	kv_put(k, "\n");
}

/* Ends the current phase: records its duration and sends an EVENT. */
void txn_event(struct txn *t, const char *fmt, ...)
{
	uint64_t now = ttst_chan_now_ms();
	t->phase_ms[t->phase] = (uint32_t)(now - t->phase_t0);
	char detail[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	struct kv k = {.len = 0};
	kv_put(&k, "phase=%s\nelapsed_ms=%llu\nphase_ms=%u\n", ttst_txn_phase_id[t->phase],
	       (unsigned long long)(now - t->t0), t->phase_ms[t->phase]);
	kv_text(&k, "detail", detail);
	ttst_chan_send(t->ctl, TTST_MSG_EVENT, k.buf, (uint32_t)k.len, -1);
	ttst_trace("update: %s done in %u ms: %s", ttst_txn_phase_id[t->phase],
		   t->phase_ms[t->phase], detail);
	t->phase_t0 = now;
}

static void enter(struct txn *t, int phase)
{
	t->phase = phase;
	t->phase_t0 = ttst_chan_now_ms();
}

/* Sends the RESULT frame. */
static void result(struct txn *t, int how)
{
	static const char *const outcome[] = {"rolled back", "committed", "checked"};
	struct kv k = {.len = 0};
	uint64_t total = ttst_chan_now_ms() - t->t0;
	kv_put(&k, "outcome=%s\npid=%d\nold_pid=%d\nnew_pid=%d\nphase=%s\n", outcome[how],
	       how == 1 ? (int)t->v2pid : (int)getpid(), (int)getpid(), (int)t->v2pid,
	       ttst_txn_phase_id[t->phase]);
	kv_text(&k, "reason", how ? "" : t->reason);
	kv_put(&k, "total_ms=%llu\n", (unsigned long long)total);
	for (int p = 0; p < PH_N; p++)
		kv_put(&k, "%s_ms=%u\n", ttst_txn_phase_id[p], t->phase_ms[p]);
	kv_put(&k, "objects=%llu\nbytes=%llu\npointers=%llu\ntransforms=%llu\n",
	       (unsigned long long)t->rep.objects, (unsigned long long)t->rep.bytes,
	       (unsigned long long)t->rep.pointers, (unsigned long long)t->rep.transforms);
	kv_put(&k, "conservative=%llu\nfreed=%llu\n", (unsigned long long)t->rep.conservative,
	       (unsigned long long)t->rep.freed);
	kv_put(&k, "validated=%d\ncompared=%llu\nunchecked=%llu\nv1r_pid=%d\n",
	       t->a.validate && how != 0, (unsigned long long)t->compared,
	       (unsigned long long)t->unchecked, (int)t->v1rpid);
	kv_text(&k, "warning", t->warning);
	ttst_chan_send(t->ctl, TTST_MSG_RESULT, k.buf, (uint32_t)k.len, -1);
	struct ttst_last_update u = {1, t->wall0, (uint32_t)total, "", ""};
	snprintf(u.outcome, sizeof u.outcome, "%s", outcome[how]);
	snprintf(u.detail, sizeof u.detail, "%s", how ? "" : t->reason);
	ttst_update_set_last(&u);
}

/* Records the reason of a rollback; returns -1. */
int txn_fail(struct txn *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->reason, sizeof t->reason, fmt, ap);
	va_end(ap);
	return -1;
}

/* --- waiting for v2 or v1' ------------------------------------------------ */

/* The phase as the user knows it: validation is the backward transfer. */
static const char *ph_name(const struct txn *t)
{
	return ttst_txn_phase_name[t->phase];
}

/* Describes a peer's wait status as a rollback reason. */
static int txn_died(struct txn *t, const char *who, int status)
{
	const char *ph = ph_name(t);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && t->phase == PH_REINIT)
		return txn_fail(t,
				"%s exited with status 0 during %s (a server that daemonizes must "
				"skip that while ttst_is_updating())",
				who, ph);
	if (WIFEXITED(status))
		return txn_fail(t, "%s exited with status %d during %s", who, WEXITSTATUS(status),
				ph);
	int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	const char *abbrev = sig ? sigabbrev_np(sig) : NULL;
	int crash = sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE ||
		    sig == SIGABRT || sig == SIGTRAP || sig == SIGSYS;
	return txn_fail(t, "%s %s during %s: SIG%s", who, crash ? "crashed" : "was killed", ph,
			abbrev ? abbrev : "?");
}

/* After EOF on the channel: the peer's exit status if it comes soon. */
static int closed(struct txn *t, struct ttst_spawn *s, const char *who)
{
	uint64_t end = ttst_chan_now_ms() + EXIT_GRACE_MS;
	int status;
	while (ttst_chan_now_ms() < end) {
		if (ttst_spawn_exited(s, &status))
			return txn_died(t, who, status);
		struct pollfd p = {s->pidfd, POLLIN, 0};
		ttst_chan_poll(&p, s->pidfd >= 0 ? 1 : 0, ttst_chan_now_ms() + 20);
	}
	return txn_fail(t, "%s closed the update channel during %s", who, ph_name(t));
}

/* Non-zero if the payload of t->msg has exactly size bytes (else fails). */
static int sized(struct txn *t, size_t size)
{
	if (t->msg.h.length == size)
		return 1;
	txn_fail(t, "protocol error: message 0x%x has %u bytes, expected %zu", t->msg.h.type,
		 t->msg.h.length, size);
	return 0;
}

/* Handles a frame that is not the one awaited; returns 1 to wait on, else -1. */
static int other(struct txn *t, struct ttst_spawn *s, const char *who, uint16_t want)
{
	char err[256];
	if (t->msg.h.type == TTST_CH_READ && want == TTST_CH_READY) {
		if (ttst_serve_read(s->chan, &t->msg, &t->window, err, sizeof err) < 0)
			return txn_fail(t, "%s: %s", who, err);
		return 1;
	}
	if (t->msg.h.type == TTST_CH_FAILED)
		return txn_fail(t, "%s", t->msg.payload);
	if (t->msg.h.type == TTST_CH_DIFF && s == &t->v1r)
		return txn_fail(t, "validation failed: the state differs after v1 -> v2 -> v1': %s",
				t->msg.payload);
	return txn_fail(t, "protocol error: %s sent message type 0x%x during %s (expected 0x%x)",
			who, t->msg.h.type, ph_name(t), want);
}

int txn_expect(struct txn *t, struct ttst_spawn *s, const char *who, uint16_t want)
{
	char err[256];
	for (;;) {
		struct pollfd p[2] = {{s->chan, POLLIN, 0}, {s->pidfd, POLLIN, 0}};
		uint64_t wake = t->deadline;
		if (s->pidfd < 0 && ttst_chan_now_ms() + 50 < wake)
			wake = ttst_chan_now_ms() + 50; /* no pidfd: poll the status */
		int r = ttst_chan_poll(p, s->pidfd >= 0 ? 2 : 1, wake);
		int status;
		if (r < 0)
			return txn_fail(t, "poll on the update channel: %s", strerror(errno));
		if (r == 0 && ttst_chan_now_ms() >= t->deadline)
			return txn_fail(t, "timeout after %u ms in %s (waiting for %s)",
					t->timeout_ms, ph_name(t), who);
		if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR))) {
			if ((r > 0 || s->pidfd < 0) && ttst_spawn_exited(s, &status))
				return txn_died(t, who, status);
			continue;
		}
		r = ttst_chan_recv(s->chan, &t->msg, t->deadline, err, sizeof err);
		if (r == 0)
			return closed(t, s, who);
		if (r < 0)
			return txn_fail(t, "update channel to %s during %s: %s", who, ph_name(t),
					err);
		int keep =
		    t->msg.h.type == want && (want == TTST_CH_STATE || want == TTST_CH_READY);
		if (t->msg.fd >= 0 && !keep) { /* descriptors come only with STATE and READY */
			close(t->msg.fd);
			t->msg.fd = -1;
		}
		if (t->msg.h.type == want)
			return 0;
		if (other(t, s, who, want) < 0)
			return -1;
	}
}

/* --- the steps ----------------------------------------------------------- */

static int step_park(struct txn *t)
{
	struct ttst_park_info info;
	char err[512];
	if (ttst_quiesce_park(ttst_opts.park_timeout_ms, &info, err, sizeof err) < 0)
		return txn_fail(t, "%s", err);
	t->parked = 1;
	txn_event(t, "%u threads quiescent (%u at update points, %u in blocking calls) after %u ms",
		  info.threads, info.parked, info.blocked, info.waited_ms);
	return 0;
}

static int step_spawn(struct txn *t)
{
	char err[512];
	t->deadline = ttst_chan_now_ms() + t->timeout_ms;
	if (ttst_inherit_save_flags() < 0)
		return txn_fail(t, "out of memory saving descriptor flags");
	/* v2 reads our memory: a non-dumpable process (e.g. one that keeps secrets
	 * out of core files) allows that to nobody; restored on rollback */
	int d = prctl(PR_GET_DUMPABLE);
	if (d != 1 && prctl(PR_SET_DUMPABLE, 1) == 0)
		t->dumpable = d;
	/* our state does not change any more: describe it now, while v2 starts and
	 * this thread allocates the image's pages */
	uint64_t est = ttst_image_estimate();
	int pfd = ttst_image_open_ahead(est);
	ttst_image_start(&t->image);
	/* v2 faults its object records in while it waits for the image (an idle-priority
	   thread: it takes a CPU that the image build leaves idle, ~20 ms at 1M keys) */
	t->a.objs = est;
	int r = ttst_spawn_v2(&t->a, ttst_control_path(), &t->v2, t->deadline, err, sizeof err);
	ttst_image_prealloc(pfd, est); /* always: the image thread waits for it */
	if (r < 0)
		return txn_fail(t, "%s", err);
	t->v2pid = t->v2.pid;
	prctl(PR_SET_PTRACER, (unsigned long)t->v2pid); /* v2 reads our memory (Yama) */
	if (txn_expect(t, &t->v2, "v2", TTST_CH_HELLO) < 0 ||
	    !sized(t, sizeof(struct ttst_ch_hello)))
		return -1;
	struct ttst_ch_hello h;
	memcpy(&h, t->msg.payload, sizeof h);
	if (h.pid != t->v2pid || h.abi_version != TTST_ABI_VERSION)
		return txn_fail(
		    t, "v2 greeted as pid %d with metadata ABI %u; expected pid %d, ABI %d",
		    (int)h.pid, h.abi_version, (int)t->v2pid, TTST_ABI_VERSION);
	txn_event(t, "v2 is pid %d (%s)", (int)t->v2pid, t->a.binary);
	return 0;
}

static int step_reinit(struct txn *t)
{
	if (txn_expect(t, &t->v2, "v2", TTST_CH_STATE_REQ) < 0)
		return -1;
	txn_event(t, "v2 reached its main thread's update point");
	return 0;
}

static int step_transfer(struct txn *t)
{
	uint64_t t0 = ttst_chan_now_ms();
	int fd = ttst_image_wait(&t->image);
	unsigned waited = (unsigned)(ttst_chan_now_ms() - t0);
	uint64_t size = t->image.size, nobjs = t->image.nobjs;
	if (fd < 0)
		return txn_fail(t, "%s", t->image.err);
	struct ttst_ch_state st = {size};
	int r = ttst_chan_send(t->v2.chan, TTST_CH_STATE, &st, sizeof st, fd);
	int e = errno;
	ttst_image_release();
	t->imgfd = fd; /* validation: v1' reads our object list there (its reference) */
	t->imgsize = size;
	t->imgobjs = nobjs;
	if (r < 0)
		return txn_fail(t, "cannot send the state image to v2: %s", strerror(e));
	/* v1' (validation) starts now: its exec and re-initialisation overlap v2's
	 * transfer (not the image build); it then waits for its state */
	if (t->a.validate && ttst_txn_spawn_v1r(t) < 0)
		return -1;
	if (txn_expect(t, &t->v2, "v2", TTST_CH_READY) < 0 || !sized(t, sizeof t->rep))
		return -1;
	t->fmapfd = t->msg.fd;
	t->msg.fd = -1;
	memcpy(&t->rep, t->msg.payload, sizeof t->rep);
	char via[96] = "";
	if (t->rep.chan_reads)
		snprintf(via, sizeof via,
			 " (process_vm_readv refused: %u reads through the update channel)",
			 t->rep.chan_reads);
	txn_event(
	    t,
	    "%llu objects, %llu bytes, %llu pointers, %llu transformed members, %llu freed; "
	    "image of %llu objects (%llu bytes) built in %u ms while v2 started (%u ms waited), "
	    "mapped by v2 in %u ms; v2 quiesced in %u ms, transferred in %u ms%s",
	    (unsigned long long)t->rep.objects, (unsigned long long)t->rep.bytes,
	    (unsigned long long)t->rep.pointers, (unsigned long long)t->rep.transforms,
	    (unsigned long long)t->rep.freed, (unsigned long long)nobjs, (unsigned long long)size,
	    t->image.ms, waited, t->rep.src_ms, t->rep.quiesce_ms, t->rep.xfer_ms, via);
	return 0;
}

/* The point of no return: v2 continues, this process exits. */
static int step_commit(struct txn *t)
{
	struct ttst_ch_commit c = {(int64_t)t->wall0, (uint32_t)(ttst_chan_now_ms() - t->t0), 0};
	if (ttst_chan_send(t->v2.chan, TTST_CH_COMMIT, &c, sizeof c, -1) < 0)
		return txn_fail(t, "cannot send COMMIT to v2: %s", strerror(errno));
	if (txn_expect(t, &t->v2, "v2", TTST_CH_COMMITTED) < 0)
		return -1;
	ttst_inherit_drop_flags();
	char err[512];
	size_t wl = 0;
	if (t->a.pidfile[0] && ttst_finish_pidfile(t->a.pidfile, t->v2pid, err, sizeof err) < 0)
		wl += (size_t)snprintf(t->warning, sizeof t->warning, "%s", err);
	if (ttst_finish_notify(t->v2pid, err, sizeof err) < 0)
		snprintf(t->warning + wl, sizeof t->warning - wl, "%s%s", wl ? "; " : "", err);
	txn_event(t, "pid %d serves now; pid %d exits", (int)t->v2pid, (int)getpid());
	ttst_control_stop();
	result(t, 1);
	ttst_txn_reap_v1r(t); /* killed after validation; no zombie left to our parent */
	_exit(0);
}

static int (*const steps[])(struct txn *) = {step_park,	    step_spawn,	       step_reinit,
					     step_transfer, ttst_txn_validate, step_commit};

/* Undoes everything after a failure (or a check): v1' and v2 killed and
 * reaped, threads released. */
static void undo(struct txn *t)
{
	ttst_txn_reap_v1r(t);
	if (t->v2pid) {
		ttst_spawn_reap(&t->v2);
		ttst_control_unlink_pid(t->v2pid); /* a killed v2 leaves its socket file */
	}
	if (t->image.state == 1 && ttst_image_wait(&t->image) >= 0)
		close(t->image.fd);
	ttst_image_prealloc_drop();
	if (t->dumpable >= 0)
		prctl(PR_SET_DUMPABLE, t->dumpable);
	t->dumpable = -1;
	unsigned fixed = ttst_inherit_restore_flags();
	if (fixed)
		ttst_info("update: restored the status flags of %u descriptors v2 changed", fixed);
	if (t->parked)
		ttst_quiesce_release();
	t->parked = 0;
}

static void rollback(struct txn *t)
{
	undo(t);
	ttst_info("update rolled back in %s: %s", ttst_txn_phase_name[t->phase], t->reason);
	result(t, 0);
}

/* ttst-ctl check: everything validated, nothing committed. */
static void checked(struct txn *t)
{
	undo(t);
	ttst_info("update check passed: v2 and v1' stopped, pid %d continues", (int)getpid());
	result(t, 2);
}

/* --- request ------------------------------------------------------------- */

/* Reads and checks the request; returns 0, or -1 after an ERROR reply. */
static int take_request(struct txn *t)
{
	char err[1024];
	uint64_t deadline = ttst_chan_now_ms() + TTST_PROTO_REQUEST_TIMEOUT_MS;
	if (ttst_chan_recv_payload(t->ctl, &t->msg, deadline, err, sizeof err) < 0 ||
	    ttst_update_req_parse(t->msg.payload, t->msg.h.length, &t->a, err, sizeof err) < 0 ||
	    ttst_update_req_check(&t->a, err, sizeof err) < 0)
		goto refuse;
	t->timeout_ms = t->a.timeout_ms ? t->a.timeout_ms : ttst_opts.timeout_ms;
	if (t->timeout_ms > 3600000)
		t->timeout_ms = 3600000;
	return 0;
refuse:
	ttst_chan_send(t->ctl, TTST_MSG_ERROR, err, (uint32_t)strlen(err), -1);
	return -1;
}

static void *txn_main(void *arg)
{
	struct txn *t = arg;
	t->v2 = t->v1r = (struct ttst_spawn){-1, -1, -1};
	t->window = t->dumpable = t->imgfd = t->fmapfd = t->valfd = -1;
	if (take_request(t) == 0) {
		t->t0 = t->phase_t0 = ttst_chan_now_ms();
		t->wall0 = time(NULL);
		ttst_info("update to %s requested", t->a.binary);
		for (int p = 0; p < PH_N; p++) {
			if (p == PH_COMMIT && t->a.validate == 2) {
				checked(t);
				break;
			}
			enter(t, p);
			if (steps[p](t) < 0) {
				rollback(t);
				break;
			}
		}
	}
	if (t->window >= 0)
		close(t->window);
	if (t->imgfd >= 0)
		close(t->imgfd);
	if (t->fmapfd >= 0)
		close(t->fmapfd);
	if (t->valfd >= 0)
		close(t->valfd);
	close(t->ctl); /* last: ttst-ctl waits for it (our descriptors are as before) */
	ttst_update_req_free(&t->a);
	__libc_free(t);
	__atomic_store_n(&busy, 0, __ATOMIC_RELEASE);
	return NULL;
}

/* Sends an ERROR frame on a control connection and closes it. */
static void refuse(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void refuse(int fd, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	ttst_chan_send(fd, TTST_MSG_ERROR, msg, (uint32_t)strlen(msg), -1);
	close(fd);
}

/* Blocking I/O with a send timeout on the handed-over control connection. */
static void prepare_ctl(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	struct timeval tv = {CTL_SEND_TIMEOUT_MS / 1000, 0};
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

void ttst_update_v1_begin(int fd, const struct ttst_msg_hdr *h, int park_held)
{
	prepare_ctl(fd);
	int pid = (int)getpid();
	if (park_held) {
		refuse(fd, "pid %d: a PARK request holds its threads; retry when it ends", pid);
		return;
	}
	if (ttst_is_updating()) {
		refuse(fd,
		       "pid %d is itself a new version being started by a live update; retry once "
		       "that update has committed",
		       pid);
		return;
	}
	if (__atomic_exchange_n(&busy, 1, __ATOMIC_ACQUIRE)) {
		refuse(fd, "pid %d: an update is already in progress", pid);
		return;
	}
	struct txn *t = __libc_calloc(1, sizeof *t);
	if (!t) {
		__atomic_store_n(&busy, 0, __ATOMIC_RELEASE);
		refuse(fd, "pid %d: out of memory starting the update", pid);
		return;
	}
	t->ctl = fd;
	t->msg.h = *h;
	t->msg.fd = -1;
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_t th;
	int r = ttst_real_pthread_create(&th, &attr, txn_main, t);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r) {
		__libc_free(t);
		__atomic_store_n(&busy, 0, __ATOMIC_RELEASE);
		refuse(fd, "pid %d: cannot start the update thread: %s", pid, strerror(r));
	}
}
