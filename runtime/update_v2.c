/* update_v2.c -- the new version's side of a live update: started by v1 with $TTST_UPDATE_FD, it
 * re-initialises to its main thread's first update point, transfers v1's state and waits for the
 * commit. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "control.h"
#include "inherit.h"
#include "log.h"
#include "options.h"
#include "quiesce.h"
#include "tls.h"
#include "ttst/abi.h"
#include "update.h"
#include "update_chan.h"
#include "update_image.h"
#include "update_serve.h"
#include "update_src.h"
#include "xfer.h"

#define WAIT_FOREVER_MS (24ull * 3600 * 1000) /* v1 enforces the timeout and kills us */

static int chan = -1;		 /* our end of the update channel */
static pid_t self;		 /* our pid (v2) */
static pid_t parent;		 /* v1 */
static struct ttst_chan_msg msg; /* one message at a time (the main thread) */
static int validated;		 /* v1 will ask for our image ($TTST_UPDATE_VALIDATE) */

static void v2_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Reports why this new version cannot continue to v1 and exits (v1 rolls
 * back; our exit handlers must not run: they would act on v1's behalf). */
static void v2_fail(const char *fmt, ...)
{
	char why[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	ttst_err("live update: %s; the old version (pid %d) continues", why, (int)parent);
	if (chan >= 0)
		ttst_chan_send(chan, TTST_CH_FAILED, why, (uint32_t)strlen(why), -1);
	ttst_control_stop();
	_exit(1);
}

/* Parses a decimal environment value; returns it or -1. */
static long env_num(const char *v)
{
	char *end;
	errno = 0;
	long x = v ? strtol(v, &end, 10) : -1;
	return v && *v && !*end && !errno && x >= 0 && x <= 0x7fffffff ? x : -1;
}

void ttst_update_v2_init(void)
{
	const char *fdv = getenv("TTST_UPDATE_FD");
	if (!fdv)
		return;
	long fd = env_num(fdv), pp = env_num(getenv("TTST_UPDATE_PARENT"));
	const char *cl = getenv("TTST_CLOEXEC"), *val = getenv("TTST_UPDATE_VALIDATE");
	validated = val && !strcmp(val, "1");
	long objs = env_num(getenv("TTST_UPDATE_OBJS"));
	char spec[128 * 1024];
	snprintf(spec, sizeof spec, "%s", cl ? cl : "");
	unsetenv("TTST_UPDATE_FD");
	unsetenv("TTST_UPDATE_PARENT");
	unsetenv("TTST_CLOEXEC");
	unsetenv("TTST_UPDATE_VALIDATE");
	unsetenv("TTST_UPDATE_OBJS");
	parent = (pid_t)pp;
	if (fd < 0 || pp <= 0 || fcntl((int)fd, F_SETFD, FD_CLOEXEC) < 0) {
		ttst_err("live update: TTST_UPDATE_FD=%s / TTST_UPDATE_PARENT=%ld do not name an "
			 "update channel; set by ttst only -- unset them to start normally",
			 fdv, pp);
		_exit(1);
	}
	chan = (int)fd;
	self = getpid();
	if (getppid() != parent) {
		ttst_err("live update: TTST_UPDATE_PARENT=%d is not our parent (the old version "
			 "is gone); exiting",
			 (int)parent);
		_exit(1);
	}
	char err[512];
	if (ttst_inherit_init(spec, err, sizeof err) < 0)
		v2_fail("%s", err);
	/* the records, made while v1 builds its image (v2) or while v2
	 * transfers (v1'); validated, v2's go to its image afterwards: they are
	 * made large enough to hold its records (ttst_image_give) */
	if (objs > 0)
		ttst_xfer_prepare((uint64_t)objs + (validated ? ttst_image_give_slack() : 0));
	ttst_update_v2_set_phase(TTST_V2_REINIT, ttst_tls.thread);
	__atomic_store_n(&__ttst_update_pending, 1, __ATOMIC_SEQ_CST);
	struct ttst_ch_hello h = {(int32_t)getpid(), TTST_ABI_VERSION};
	if (ttst_chan_send(chan, TTST_CH_HELLO, &h, sizeof h, -1) < 0)
		_exit(1);
	ttst_info("live update: re-initialising as the new version of pid %d", (int)parent);
}

/* Receives the next message, which must be of type want (0: any; else exits). */
static void receive(uint16_t want, const char *what)
{
	char err[256];
	int r = ttst_chan_recv(chan, &msg, ttst_chan_now_ms() + WAIT_FOREVER_MS, err, sizeof err);
	if (r == 0) { /* v1 rolled back (or died): nothing to report to */
		ttst_control_stop();
		_exit(1);
	}
	if (r < 0)
		v2_fail("update channel: %s while waiting for %s", err, what);
	if (want && msg.h.type != want)
		v2_fail("protocol error: v1 sent message type 0x%x while v2 waited for %s",
			msg.h.type, what);
}

/* Waits for every other thread of this process to be quiescent. */
static void quiesce(struct ttst_thread *self, uint32_t *ms)
{
	struct ttst_park_info info;
	char err[512];
	if (self)
		__atomic_store_n(&self->state, TTST_T_PARKED, __ATOMIC_SEQ_CST);
	if (ttst_quiesce_park(ttst_opts.park_timeout_ms, &info, err, sizeof err) < 0)
		v2_fail("the new version's threads did not become quiescent: %s", err);
	*ms = info.waited_ms;
}

/* Validation (v1' only): what v1 sent in its REF and REF_MAP frames. */
struct backward {
	int on;
	const struct ttst_src_obj *objs; /* n, in the mapping of v1's state image */
	const ttst_xfer_cp *cp;		 /* n, in the mapping of v2's map */
	size_t n;
	char renames[TTST_PROTO_MAX_PAYLOAD];
	size_t renames_len;
};
static struct backward bw;

/* Maps len bytes of the memfd in msg read-only (closing it).  Exits on failure. */
static const void *map_ro(size_t len, const char *what)
{
	void *p = mmap(NULL, len ? len : 1, PROT_READ, MAP_SHARED, msg.fd, 0);
	close(msg.fd);
	msg.fd = -1;
	if (p == MAP_FAILED)
		v2_fail("cannot map %s: %s", what, strerror(errno));
	return p;
}

/* Takes the REF frame in msg (v1's state image: its objects are the
 * reference), then waits for the REF_MAP frame (v2's map of them).  Exits
 * on failure. */
static void take_ref(void)
{
	struct ttst_ch_ref r;
	if (msg.h.length < sizeof r || msg.fd < 0)
		v2_fail("protocol error: REF message without v1's state image");
	memcpy(&r, msg.payload, sizeof r);
	if (r.off_objs % 8 || r.nobjs > (SIZE_MAX - r.off_objs) / sizeof(struct ttst_src_obj) ||
	    r.off_objs + r.nobjs * sizeof(struct ttst_src_obj) > r.size)
		v2_fail("protocol error: REF of %llu objects at offset %llu of a %llu-byte image",
			(unsigned long long)r.nobjs, (unsigned long long)r.off_objs,
			(unsigned long long)r.size);
	bw.renames_len = msg.h.length - sizeof r;
	memcpy(bw.renames, msg.payload + sizeof r, bw.renames_len);
	const char *img = map_ro(r.size, "v1's state image (the validation reference)");
	bw.n = (size_t)r.nobjs;
	bw.objs = (const struct ttst_src_obj *)(img + r.off_objs);
	receive(TTST_CH_REF_MAP, "v2's map of the reference");
	struct ttst_ch_ref_map m;
	if (msg.h.length != sizeof m || msg.fd < 0)
		v2_fail("protocol error: REF_MAP message without v2's map");
	memcpy(&m, msg.payload, sizeof m);
	if (m.size / sizeof(ttst_xfer_cp) < bw.n)
		v2_fail("protocol error: a map of %llu bytes for %zu objects",
			(unsigned long long)m.size, bw.n);
	bw.cp = map_ro(m.size, "v2's map of the validation reference");
	bw.on = 1;
}

/* A memfd for the map of n counterpart records (the engine writes it).
 * Exits on failure. */
static int map_memfd(size_t n)
{
	int fd = memfd_create("ttst-map", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, (off_t)(n * sizeof(ttst_xfer_cp))) < 0)
		v2_fail("cannot create the map of %zu objects: %s", n, strerror(errno));
	return fd;
}

/* Differences found by the backward run: sent to v1 (DIFF), then we wait to be killed. */
static void report_diff(const struct ttst_xfer_diff *d)
{
	char text[4096];
	size_t k = (size_t)snprintf(
	    text, sizeof text, "%llu difference%s in %llu objects compared; first: ",
	    (unsigned long long)d->differences, d->differences == 1 ? "" : "s",
	    (unsigned long long)d->compared);
	for (uint64_t i = 0; i < d->differences && i < TTST_XFER_DIFF_SHOW && k < sizeof text; i++)
		k +=
		    (size_t)snprintf(text + k, sizeof text - k, "%s%s", i ? "; " : "", d->first[i]);
	ttst_err("live update (validation): %s", text);
	if (ttst_chan_send(chan, TTST_CH_DIFF, text, (uint32_t)strlen(text), -1) < 0)
		_exit(1);
}

/* Runs the engine on src (forward, or backward with the reference); the
 * engine's memory is kept in *keep. */
static int run(struct ttst_update_src *src, int mapfd, struct ttst_xfer_report *x,
	       struct ttst_xfer_diff *d, void **keep)
{
	struct ttst_update_src orig; /* v1's memory, for the comparison */
	ttst_update_src_reader(&orig, parent, chan);
	struct ttst_xfer_ref ref = {bw.n, bw.objs, bw.cp, ttst_update_src_read, &orig, 1};
	struct ttst_xfer_opts o = {bw.on, bw.renames, bw.renames_len, bw.on ? &ref : NULL,
				   d,	  keep,	      mapfd >= 0,     mapfd};
	int r = ttst_xfer_run_opts(&src->src, &o, x);
	ttst_update_src_free(&orig);
	return r;
}

/* What the transfer leaves to free once v1 has its report (v1' never frees
 * it: it is killed after its report, and unmapping hundreds of MB first
 * would only delay the result). */
struct leftovers {
	void *engine;
	struct ttst_update_src src;
};

static void free_leftovers(struct leftovers *l)
{
	ttst_xfer_free(l->engine);
	ttst_update_src_free(&l->src);
	memset(l, 0, sizeof *l);
}

/* Asks v1 for its state and transfers it; fills rep and *mapfd (the map of
 * the source's objects; none backward: v1 has no use for it) and *l (to
 * free after the report).  Exits on failure. */
static void transfer(struct ttst_ch_report *rep, int *mapfd, struct ttst_xfer_diff *d,
		     struct leftovers *l)
{
	if (ttst_chan_send(chan, TTST_CH_STATE_REQ, NULL, 0, -1) < 0)
		v2_fail("cannot ask v1 for its state: %s", strerror(errno));
	receive(0, "the state image");
	if (msg.h.type == TTST_CH_REF) {
		take_ref();
		receive(TTST_CH_STATE, "the state image");
	} else if (msg.h.type != TTST_CH_STATE) {
		v2_fail("protocol error: v1 sent message type 0x%x while v2 waited for the state",
			msg.h.type);
	}
	struct ttst_ch_state st;
	if (msg.h.length != sizeof st || msg.fd < 0)
		v2_fail("protocol error: state message without its image");
	memcpy(&st, msg.payload, sizeof st);
	struct ttst_update_src *src = &l->src;
	char err[512];
	uint64_t t0 = ttst_chan_now_ms();
	/* backward: the image is v2's (its header names it); reads through v1 would read v1 */
	int r = ttst_update_src_open(msg.fd, st.size, bw.on ? 0 : parent, bw.on ? -1 : chan, src,
				     err, sizeof err);
	rep->src_ms = (uint32_t)(ttst_chan_now_ms() - t0);
	close(msg.fd);
	if (r < 0)
		v2_fail("%s", err);
	if (validated && !bw.on) /* our image's memfd pages, allocated on a helper thread
				    meanwhile; its records go to the engine's (ttst_image_give) */
		ttst_image_prealloc_async(src->src.nobjs + ttst_image_estimate(), 0);
	struct ttst_xfer_report x;
	memset(&x, 0, sizeof x);
	*mapfd = -1;
	if (!bw.on)
		*mapfd = map_memfd(src->src.nobjs);
	t0 = ttst_chan_now_ms();
	r = run(src, *mapfd, &x, d, &l->engine);
	rep->xfer_ms = (uint32_t)(ttst_chan_now_ms() - t0);
	rep->chan_reads = src->via_chan ? (uint32_t)src->syscalls : 0;
	if (r < 0)
		v2_fail("%s failed: %s", bw.on ? "backward transfer" : "transfer",
			x.error[0] ? x.error : "(no reason given)");
	rep->objects = x.objects;
	rep->bytes = x.bytes;
	rep->pointers = x.pointers;
	rep->transforms = x.transforms;
	rep->conservative = x.conservative;
	rep->freed = x.freed;
	rep->diff_ms = d->ms;
	rep->compared = d->compared;
	rep->unchecked = d->unchecked;
}

/* After READY: serves v1 (our image, reads) until it sends COMMIT.  The
 * transfer's leftovers are freed once our image is served (v1' works then),
 * or at the commit; v1' keeps them (it is killed). */
static void serve_until_commit(struct leftovers *l)
{
	int window = -1;
	char err[256];
	for (;;) {
		receive(0, "the commit");
		if (msg.h.type == TTST_CH_COMMIT)
			break;
		if (msg.h.type == TTST_CH_IMAGE_REQ && !bw.on) {
			struct ttst_ch_image_req iq = {0, 0};
			memcpy(&iq, msg.payload, msg.h.length == sizeof iq ? sizeof iq : 0);
			if (iq.reader > 0) /* v1' reads us (Yama); revoked at the commit */
				prctl(PR_SET_PTRACER, (unsigned long)iq.reader);
			size_t len;
			void *recs = ttst_xfer_take_records(l->engine, &len);
			if (recs) /* their pages hold the image's records */
				ttst_image_give(recs, len);
			if (ttst_serve_image(chan, err, sizeof err) < 0)
				v2_fail("%s", err);
			free_leftovers(l);
		} else if (msg.h.type == TTST_CH_READ) {
			if (ttst_serve_read(chan, &msg, &window, err, sizeof err) < 0)
				v2_fail("%s", err);
		} else {
			v2_fail("protocol error: v1 sent message type 0x%x while v2 waited for the "
				"commit",
				msg.h.type);
		}
		if (msg.fd >= 0)
			close(msg.fd);
		msg.fd = -1;
	}
	if (window >= 0)
		close(window);
	if (!bw.on)
		free_leftovers(l);
	prctl(PR_SET_PTRACER, 0UL); /* v1' is gone: nobody but our ancestors reads us */
}

int ttst_update_v2_point(struct ttst_thread *t)
{
	if (!ttst_update_v2_is_main_reinit(t))
		return 0;
	uint64_t t0 = ttst_chan_now_ms();
	ttst_update_v2_set_phase(TTST_V2_TRANSFER, t);
	struct ttst_ch_report rep;
	memset(&rep, 0, sizeof rep);
	quiesce(t, &rep.quiesce_ms);
	int mapfd = -1;
	struct ttst_xfer_diff d;
	struct leftovers l;
	memset(&d, 0, sizeof d);
	memset(&l, 0, sizeof l);
	transfer(&rep, &mapfd, &d, &l);
	if (d.differences)
		report_diff(&d);
	else if (ttst_chan_send(chan, TTST_CH_READY, &rep, sizeof rep, mapfd) < 0)
		v2_fail("cannot report READY to v1: %s", strerror(errno));
	if (mapfd >= 0)
		close(mapfd);
	serve_until_commit(&l);
	struct ttst_ch_commit c = {0, 0, 0};
	memcpy(&c, msg.payload, msg.h.length == sizeof c ? sizeof c : 0);
	prctl(PR_SET_PDEATHSIG, 0); /* v1 exits now: we live on */
	ttst_image_prealloc_drop();
	if (ttst_chan_send(chan, TTST_CH_COMMITTED, NULL, 0, -1) < 0)
		v2_fail("cannot confirm the commit to v1: %s", strerror(errno));
	close(chan);
	chan = -1;
	struct ttst_last_update u = {1, (time_t)c.started,
				     c.elapsed_ms + (uint32_t)(ttst_chan_now_ms() - t0),
				     "committed", ""};
	ttst_update_set_last(&u);
	ttst_update_v2_set_phase(TTST_V2_NONE, NULL);
	if (t)
		__atomic_store_n(&t->state, TTST_T_RUNNING, __ATOMIC_SEQ_CST);
	ttst_quiesce_release();
	ttst_info("live update committed: pid %d replaces pid %d", (int)getpid(), (int)parent);
	return 1;
}

void ttst_update_fork_child(void)
{
	if (ttst_update_v2_phase() == TTST_V2_NONE)
		return;
	ttst_update_v2_set_phase(TTST_V2_NONE, NULL);
	if (chan >= 0)
		close(chan);
	chan = -1;
	/* a child of an uncommitted new version (a worker, a daemonizing fork) must
	 * not outlive it: a rollback kills v2 only */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != self)
		_exit(1);
}
