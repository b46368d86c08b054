/* update_v1.c -- the old version's side of a live update: a runtime thread parks the program,
 * starts v2, answers it, and commits (exits) or rolls back (continues).
 *
 * Phases (one EVENT frame each to ttst-ctl, then one RESULT frame):
 *   park      every registered thread quiescent (quiesce.c)
 *   spawn     clone + execve of the new binary until its runtime says HELLO
 *   reinit    v2 runs its initialisation up to its main thread's update point
 *   transfer  v1 sends its state image, v2 transfers the state (ttst_xfer_run)
 *   commit    v2 continues, v1 rewrites the pid file, tells systemd, _exit(0)s
 * Validation (v1' and the backward transfer) goes between transfer and commit:
 * it is one more entry in the steps[] table.  Any failure before commit kills
 * and reaps v2 and releases v1's threads: v1 only answered reads.
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
#include "update_spawn.h"

enum { PH_PARK, PH_SPAWN, PH_REINIT, PH_TRANSFER, PH_COMMIT, PH_N };
static const char *const phase_id[PH_N] = {"park", "spawn", "reinit", "transfer", "commit"};
static const char *const phase_name[PH_N] = {"park", "spawn", "re-initialisation", "transfer",
					     "commit"};

#define CTL_SEND_TIMEOUT_MS 5000
#define EXIT_GRACE_MS 1000 /* after EOF on the channel, wait this long for v2's status */

struct txn {
	int ctl; /* connection to ttst-ctl */
	struct ttst_update_args a;
	unsigned timeout_ms;
	uint64_t t0, phase_t0, deadline;
	time_t wall0;
	int phase, parked;
	uint32_t phase_ms[PH_N];
	struct ttst_spawn v2;
	pid_t v2pid; /* 0 until v2 runs (v2.pid is -1 once it is reaped) */
	struct ttst_ch_report rep;
	struct ttst_image_job image; /* built while v2 starts */
	int window;		     /* memfd for v2's READ requests, -1 until the first */
	int dumpable;		     /* PR_GET_DUMPABLE before the update, -1 if unchanged */
	char reason[600];
	char warning[600];
	struct ttst_chan_msg msg;
};

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
static void event(struct txn *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void event(struct txn *t, const char *fmt, ...)
{
	uint64_t now = ttst_chan_now_ms();
	t->phase_ms[t->phase] = (uint32_t)(now - t->phase_t0);
	char detail[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	struct kv k = {.len = 0};
	kv_put(&k, "phase=%s\nelapsed_ms=%llu\nphase_ms=%u\n", phase_id[t->phase],
	       (unsigned long long)(now - t->t0), t->phase_ms[t->phase]);
	kv_text(&k, "detail", detail);
	ttst_chan_send(t->ctl, TTST_MSG_EVENT, k.buf, (uint32_t)k.len, -1);
	ttst_trace("update: %s done in %u ms: %s", phase_id[t->phase], t->phase_ms[t->phase],
		   detail);
	t->phase_t0 = now;
}

static void enter(struct txn *t, int phase)
{
	t->phase = phase;
	t->phase_t0 = ttst_chan_now_ms();
}

/* Sends the RESULT frame. */
static void result(struct txn *t, int committed)
{
	struct kv k = {.len = 0};
	uint64_t total = ttst_chan_now_ms() - t->t0;
	kv_put(&k, "outcome=%s\npid=%d\nold_pid=%d\nnew_pid=%d\nphase=%s\n",
	       committed ? "committed" : "rolled back", committed ? (int)t->v2pid : (int)getpid(),
	       (int)getpid(), (int)t->v2pid, phase_id[t->phase]);
	kv_text(&k, "reason", committed ? "" : t->reason);
	kv_put(&k, "total_ms=%llu\n", (unsigned long long)total);
	for (int p = 0; p < PH_N; p++)
		kv_put(&k, "%s_ms=%u\n", phase_id[p], t->phase_ms[p]);
	kv_put(&k, "objects=%llu\nbytes=%llu\npointers=%llu\ntransforms=%llu\n",
	       (unsigned long long)t->rep.objects, (unsigned long long)t->rep.bytes,
	       (unsigned long long)t->rep.pointers, (unsigned long long)t->rep.transforms);
	kv_put(&k, "conservative=%llu\nfreed=%llu\n", (unsigned long long)t->rep.conservative,
	       (unsigned long long)t->rep.freed);
	kv_text(&k, "warning", t->warning);
	ttst_chan_send(t->ctl, TTST_MSG_RESULT, k.buf, (uint32_t)k.len, -1);
	struct ttst_last_update u = {1, t->wall0, (uint32_t)total, "", ""};
	snprintf(u.outcome, sizeof u.outcome, "%s", committed ? "committed" : "rolled back");
	snprintf(u.detail, sizeof u.detail, "%s", committed ? "" : t->reason);
	ttst_update_set_last(&u);
}

static int fail(struct txn *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Records the reason of a rollback; returns -1. */
static int fail(struct txn *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->reason, sizeof t->reason, fmt, ap);
	va_end(ap);
	return -1;
}

/* --- waiting for v2 ------------------------------------------------------ */

/* Describes v2's wait status as a rollback reason. */
static int died(struct txn *t, int status)
{
	const char *ph = phase_name[t->phase];
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && t->phase == PH_REINIT)
		return fail(t,
			    "v2 exited with status 0 during %s (a server that daemonizes must "
			    "skip that while ttst_is_updating())",
			    ph);
	if (WIFEXITED(status))
		return fail(t, "v2 exited with status %d during %s", WEXITSTATUS(status), ph);
	int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	const char *abbrev = sig ? sigabbrev_np(sig) : NULL;
	int crash = sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE ||
		    sig == SIGABRT || sig == SIGTRAP || sig == SIGSYS;
	return fail(t, "v2 %s during %s: SIG%s", crash ? "crashed" : "was killed", ph,
		    abbrev ? abbrev : "?");
}

/* After EOF on the channel: v2's exit status if it comes soon. */
static int closed(struct txn *t)
{
	uint64_t end = ttst_chan_now_ms() + EXIT_GRACE_MS;
	int status;
	while (ttst_chan_now_ms() < end) {
		if (ttst_spawn_exited(&t->v2, &status))
			return died(t, status);
		struct pollfd p = {t->v2.pidfd, POLLIN, 0};
		ttst_chan_poll(&p, t->v2.pidfd >= 0 ? 1 : 0, ttst_chan_now_ms() + 20);
	}
	return fail(t, "v2 closed the update channel during %s", phase_name[t->phase]);
}

/* Non-zero if the payload of t->msg has exactly size bytes (else fails). */
static int sized(struct txn *t, size_t size)
{
	if (t->msg.h.length == size)
		return 1;
	fail(t, "protocol error: v2's message 0x%x has %u bytes, expected %zu", t->msg.h.type,
	     t->msg.h.length, size);
	return 0;
}

/* Answers v2's READ (it may not read our memory itself): copies the bytes
 * into the window with pwrite, which reports unmapped bytes as EFAULT
 * instead of faulting.  Returns 0 or -1 (fails). */
static int serve_read(struct txn *t)
{
	struct ttst_ch_read r;
	if (!sized(t, sizeof r))
		return -1;
	memcpy(&r, t->msg.payload, sizeof r);
	if (r.len > TTST_CH_WINDOW)
		return fail(t, "protocol error: v2 asked to read %llu bytes at once",
			    (unsigned long long)r.len);
	int pass = -1;
	if (t->window < 0) {
		t->window = memfd_create("ttst-window", MFD_CLOEXEC);
		if (t->window < 0 || ftruncate(t->window, TTST_CH_WINDOW) < 0)
			return fail(t, "cannot create the read window: %s", strerror(errno));
		pass = t->window;
	}
	struct ttst_ch_data d = {0, 0, 0};
	while (d.len < r.len) {
		ssize_t k = pwrite(t->window, (const char *)(uintptr_t)r.addr + d.len,
				   r.len - d.len, (off_t)d.len);
		if (k <= 0) {
			d.err = k < 0 ? errno : EFAULT;
			break;
		}
		d.len += (uint64_t)k;
	}
	if (ttst_chan_send(t->v2.chan, TTST_CH_DATA, &d, sizeof d, pass) < 0)
		return fail(t, "cannot answer v2's read: %s", strerror(errno));
	return 0;
}

/* Waits for the next message from v2, which must be of type want.
 * Returns 0 with t->msg filled, or -1 with t->reason (v2 died, closed the
 * channel, timed out, failed, or sent something else). */
static int expect(struct txn *t, uint16_t want)
{
	char err[256];
	for (;;) {
		struct pollfd p[2] = {{t->v2.chan, POLLIN, 0}, {t->v2.pidfd, POLLIN, 0}};
		uint64_t wake = t->deadline;
		if (t->v2.pidfd < 0 && ttst_chan_now_ms() + 50 < wake)
			wake = ttst_chan_now_ms() + 50; /* no pidfd: poll the status */
		int r = ttst_chan_poll(p, t->v2.pidfd >= 0 ? 2 : 1, wake);
		int status;
		if (r < 0)
			return fail(t, "poll on the update channel: %s", strerror(errno));
		if (r == 0 && ttst_chan_now_ms() >= t->deadline)
			return fail(t, "timeout after %u ms in %s", t->timeout_ms,
				    phase_name[t->phase]);
		if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR))) {
			if ((r > 0 || t->v2.pidfd < 0) && ttst_spawn_exited(&t->v2, &status))
				return died(t, status);
			continue;
		}
		r = ttst_chan_recv(t->v2.chan, &t->msg, t->deadline, err, sizeof err);
		if (r == 0)
			return closed(t);
		if (r < 0)
			return fail(t, "update channel during %s: %s", phase_name[t->phase], err);
		if (t->msg.fd >= 0) { /* v2 never sends descriptors */
			close(t->msg.fd);
			t->msg.fd = -1;
		}
		if (t->msg.h.type == want)
			return 0;
		if (t->msg.h.type == TTST_CH_READ && want == TTST_CH_READY) {
			if (serve_read(t) < 0)
				return -1;
			continue;
		}
		if (t->msg.h.type == TTST_CH_FAILED)
			return fail(t, "%s", t->msg.payload);
		return fail(t,
			    "protocol error: v2 sent message type 0x%x during %s (expected 0x%x)",
			    t->msg.h.type, phase_name[t->phase], want);
	}
}

/* --- the steps ----------------------------------------------------------- */

static int step_park(struct txn *t)
{
	struct ttst_park_info info;
	char err[512];
	if (ttst_quiesce_park(ttst_opts.park_timeout_ms, &info, err, sizeof err) < 0)
		return fail(t, "%s", err);
	t->parked = 1;
	event(t, "%u threads quiescent (%u at update points, %u in blocking calls) after %u ms",
	      info.threads, info.parked, info.blocked, info.waited_ms);
	return 0;
}

static int step_spawn(struct txn *t)
{
	char err[512];
	t->deadline = ttst_chan_now_ms() + t->timeout_ms;
	if (ttst_inherit_save_flags() < 0)
		return fail(t, "out of memory saving descriptor flags");
	/* v2 reads our memory: a non-dumpable process (e.g. one that keeps secrets
	 * out of core files) allows that to nobody; restored on rollback */
	int d = prctl(PR_GET_DUMPABLE);
	if (d != 1 && prctl(PR_SET_DUMPABLE, 1) == 0)
		t->dumpable = d;
	ttst_image_start(&t->image); /* our state does not change any more: describe it now */
	if (ttst_spawn_v2(&t->a, ttst_control_path(), &t->v2, t->deadline, err, sizeof err) < 0)
		return fail(t, "%s", err);
	t->v2pid = t->v2.pid;
	if (expect(t, TTST_CH_HELLO) < 0 || !sized(t, sizeof(struct ttst_ch_hello)))
		return -1;
	struct ttst_ch_hello h;
	memcpy(&h, t->msg.payload, sizeof h);
	if (h.pid != t->v2pid || h.abi_version != TTST_ABI_VERSION)
		return fail(t, "v2 greeted as pid %d with metadata ABI %u; expected pid %d, ABI %d",
			    (int)h.pid, h.abi_version, (int)t->v2pid, TTST_ABI_VERSION);
	event(t, "v2 is pid %d (%s)", (int)t->v2pid, t->a.binary);
	return 0;
}

static int step_reinit(struct txn *t)
{
	if (expect(t, TTST_CH_STATE_REQ) < 0)
		return -1;
	event(t, "v2 reached its main thread's update point");
	return 0;
}

static int step_transfer(struct txn *t)
{
	uint64_t t0 = ttst_chan_now_ms();
	int fd = ttst_image_wait(&t->image);
	unsigned waited = (unsigned)(ttst_chan_now_ms() - t0);
	uint64_t size = t->image.size, nobjs = t->image.nobjs;
	if (fd < 0)
		return fail(t, "%s", t->image.err);
	struct ttst_ch_state st = {size};
	int r = ttst_chan_send(t->v2.chan, TTST_CH_STATE, &st, sizeof st, fd);
	int e = errno;
	close(fd);
	if (r < 0)
		return fail(t, "cannot send the state image to v2: %s", strerror(e));
	if (expect(t, TTST_CH_READY) < 0 || !sized(t, sizeof t->rep))
		return -1;
	memcpy(&t->rep, t->msg.payload, sizeof t->rep);
	char via[96] = "";
	if (t->rep.chan_reads)
		snprintf(via, sizeof via,
			 " (process_vm_readv refused: %u reads through the update channel)",
			 t->rep.chan_reads);
	event(t,
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
		return fail(t, "cannot send COMMIT to v2: %s", strerror(errno));
	if (expect(t, TTST_CH_COMMITTED) < 0)
		return -1;
	ttst_inherit_drop_flags();
	char err[512];
	size_t wl = 0;
	if (t->a.pidfile[0] && ttst_finish_pidfile(t->a.pidfile, t->v2pid, err, sizeof err) < 0)
		wl += (size_t)snprintf(t->warning, sizeof t->warning, "%s", err);
	if (ttst_finish_notify(t->v2pid, err, sizeof err) < 0)
		snprintf(t->warning + wl, sizeof t->warning - wl, "%s%s", wl ? "; " : "", err);
	event(t, "pid %d serves now; pid %d exits", (int)t->v2pid, (int)getpid());
	ttst_control_stop();
	result(t, 1);
	_exit(0);
}

static int (*const steps[])(struct txn *) = {step_park, step_spawn, step_reinit, step_transfer,
					     step_commit};

/* Undoes everything after a failure: v2 killed and reaped, threads released. */
static void rollback(struct txn *t)
{
	if (t->v2pid) {
		ttst_spawn_reap(&t->v2);
		ttst_control_unlink_pid(t->v2pid); /* a killed v2 leaves its socket file */
	}
	if (t->image.state == 1 && ttst_image_wait(&t->image) >= 0)
		close(t->image.fd);
	if (t->dumpable >= 0)
		prctl(PR_SET_DUMPABLE, t->dumpable);
	t->dumpable = -1;
	unsigned fixed = ttst_inherit_restore_flags();
	if (fixed)
		ttst_info("update: restored the status flags of %u descriptors v2 changed", fixed);
	if (t->parked)
		ttst_quiesce_release();
	t->parked = 0;
	ttst_info("update rolled back in %s: %s", phase_name[t->phase], t->reason);
	result(t, 0);
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
	if (t->a.validate) {
		snprintf(err, sizeof err,
			 "validation is not implemented yet; use --no-validate (pid %d untouched)",
			 (int)getpid());
		goto refuse;
	}
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
	t->v2 = (struct ttst_spawn){-1, -1, -1};
	t->window = t->dumpable = -1;
	if (take_request(t) == 0) {
		t->t0 = t->phase_t0 = ttst_chan_now_ms();
		t->wall0 = time(NULL);
		ttst_info("update to %s requested", t->a.binary);
		for (int p = 0; p < PH_N; p++) {
			enter(t, p);
			if (steps[p](t) < 0) {
				rollback(t);
				break;
			}
		}
	}
	close(t->ctl);
	if (t->window >= 0)
		close(t->window);
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
