/* update_validate.c -- v1's validation step: v2 serves its image, v1 starts v1' (its own binary),
 * v1' transfers v2's state back and compares it with v1's (time-traveling state transfer).  v1'
 * is usually started during the forward transfer (ttst_txn_spawn_v1r) and has re-initialised
 * by then. */
#define _GNU_SOURCE
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "control.h"
#include "fdio.h"
#include "log.h"
#include "update_txn.h"
#include "xfer.h"

#define V1R_BINARY "/proc/self/exe" /* v1's own program, even if replaced on disk */
#define CMDLINE_MAX (64u * 1024)

void ttst_txn_reap_v1r(struct txn *t)
{
	if (!t->v1rpid || t->v1r.pid < 0)
		return;
	ttst_spawn_reap(&t->v1r);
	ttst_control_unlink_pid(t->v1rpid); /* a killed v1' leaves its socket file */
}

/* Checks what v1' gets as its reference: our state image (the memfd v2
 * got, t->imgsize bytes: its objects at *off_objs) and v2's map of its
 * objects (READY, *mapsize bytes).  Returns 0 or -1 (fails). */
static int check_ref(struct txn *t, uint64_t *off_objs, uint64_t *mapsize)
{
	struct stat ms;
	struct ttst_image_hdr h;
	if (t->fmapfd < 0 || fstat(t->fmapfd, &ms) < 0 ||
	    (uint64_t)ms.st_size / sizeof(ttst_xfer_cp) < t->imgobjs)
		return txn_fail(t,
				"protocol error: v2's READY came without its map of our %llu "
				"objects",
				(unsigned long long)t->imgobjs);
	if (t->imgfd < 0 || ttst_fd_rw_all(t->imgfd, &h, sizeof h, 0, 0) < 0)
		return txn_fail(t, "cannot read our state image back: %s", strerror(errno));
	assert(h.nobjs == t->imgobjs &&
	       h.off_objs + h.nobjs * sizeof(struct ttst_src_obj) <= t->imgsize);
	*off_objs = h.off_objs;
	*mapsize = (uint64_t)ms.st_size;
	return 0;
}

/* Our own arguments (for v1'), in a __libc block *buf.  Returns argc, or -1. */
static int own_args(char ***argv, char **buf)
{
	int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
	size_t len = 0;
	*buf = __libc_malloc(CMDLINE_MAX + 1);
	if (fd < 0 || !*buf)
		goto err;
	for (ssize_t r; len < CMDLINE_MAX && (r = read(fd, *buf + len, CMDLINE_MAX - len)) > 0;)
		len += (size_t)r;
	close(fd);
	fd = -1;
	(*buf)[len] = '\0';
	int argc = 0;
	for (size_t i = 0; i < len; i++)
		argc += (*buf)[i] == '\0';
	*argv = __libc_calloc((size_t)argc + 1, sizeof **argv);
	if (!argc || !*argv)
		goto err;
	char *p = *buf;
	for (int k = 0; k < argc; k++, p += strlen(p) + 1)
		(*argv)[k] = p;
	return argc;
err:
	if (fd >= 0)
		close(fd);
	__libc_free(*buf);
	*buf = NULL;
	return -1;
}

int ttst_txn_spawn_v1r(struct txn *t)
{
	struct ttst_update_args a = {0};
	char *buf = NULL, err[512];
	int argc = own_args(&a.argv, &buf);
	if (argc < 0)
		return txn_fail(t, "cannot read this process's arguments for v1': %s",
				strerror(errno));
	a.binary = V1R_BINARY;
	a.pidfile = "";
	a.argc = (uint32_t)argc;
	a.objs = t->imgobjs; /* about v2's count: v1' prepares while v2 transfers */
	int r = ttst_spawn_v2(&a, ttst_control_path(), &t->v1r, t->deadline, err, sizeof err);
	__libc_free(a.argv);
	__libc_free(buf);
	if (r < 0)
		return txn_fail(t, "cannot start v1': %s", err);
	t->v1rpid = t->v1r.pid;
	return 0;
}

/* Lets v1' (started already) read our memory and waits until it asks for
 * the state.  Returns 0 or -1. */
static int start_v1r(struct txn *t)
{
	prctl(PR_SET_PTRACER, (unsigned long)t->v1rpid); /* it compares with our memory (Yama) */
	if (txn_expect(t, &t->v1r, "v1'", TTST_CH_HELLO) < 0)
		return -1;
	struct ttst_ch_hello h = {0, 0};
	memcpy(&h, t->msg.payload, t->msg.h.length == sizeof h ? sizeof h : 0);
	if (h.pid != t->v1rpid)
		return txn_fail(t, "v1' greeted as pid %d; expected pid %d", (int)h.pid,
				(int)t->v1rpid);
	return txn_expect(t, &t->v1r, "v1'", TTST_CH_STATE_REQ);
}

/* v2's renames (ttst_xfer_renames_export format), forwarded to v1'. */
struct renames {
	char *p; /* __libc block */
	size_t len;
};

/* Receives the image v2 was asked for: returns the memfd with *size, and
 * its renames in *rn; -1 on failure. */
static int v2_image(struct txn *t, uint64_t *size, struct renames *rn)
{
	if (txn_expect(t, &t->v2, "v2", TTST_CH_STATE) < 0)
		return -1;
	struct ttst_ch_state st;
	if (t->msg.fd < 0 || t->msg.h.length < sizeof st)
		return txn_fail(t, "protocol error: v2's state image came without its memfd");
	memcpy(&st, t->msg.payload, sizeof st);
	*size = st.size;
	int fd = t->msg.fd;
	t->msg.fd = -1;
	rn->len = t->msg.h.length - sizeof st;
	rn->p = __libc_malloc(rn->len + 1);
	if (!rn->p) {
		close(fd);
		return txn_fail(t, "out of memory keeping v2's renames");
	}
	memcpy(rn->p, t->msg.payload + sizeof st, rn->len);
	return fd;
}

/* Sends v1' its reference (our image and v2's map of it, with v2's renames)
 * and v2's image. */
static int send_v1r(struct txn *t, const struct renames *rn, int img, uint64_t size)
{
	uint64_t off = 0, msize = 0;
	if (check_ref(t, &off, &msize) < 0)
		return -1;
	struct ttst_ch_ref r = {t->imgsize, t->imgobjs, off};
	struct ttst_ch_ref_map m = {msize};
	char *p = __libc_malloc(sizeof r + rn->len);
	if (!p)
		return txn_fail(t, "out of memory forwarding v2's renames");
	memcpy(p, &r, sizeof r);
	memcpy(p + sizeof r, rn->p, rn->len);
	int rc =
	    ttst_chan_send(t->v1r.chan, TTST_CH_REF, p, (uint32_t)(sizeof r + rn->len), t->imgfd);
	__libc_free(p);
	struct ttst_ch_state st = {size};
	if (rc < 0 || ttst_chan_send(t->v1r.chan, TTST_CH_REF_MAP, &m, sizeof m, t->fmapfd) < 0 ||
	    ttst_chan_send(t->v1r.chan, TTST_CH_STATE, &st, sizeof st, img) < 0)
		return txn_fail(t, "cannot send the state to v1': %s", strerror(errno));
	return 0;
}

int ttst_txn_validate(struct txn *t)
{
	if (!t->a.validate)
		return 0;
	uint64_t t0 = ttst_chan_now_ms(), size = 0;
	int img = -1, rc = -1; /* v2's image: closed after the result (freeing takes time) */
	struct renames rn = {NULL, 0};
	t->deadline = t0 + t->timeout_ms; /* the backward transfer gets its own timeout */
	if (!t->v1rpid && ttst_txn_spawn_v1r(t) < 0) /* its pid goes to v2 (Yama) */
		goto out;
	struct ttst_ch_image_req iq = {(int32_t)t->v1rpid, 0};
	if (ttst_chan_send(t->v2.chan, TTST_CH_IMAGE_REQ, &iq, sizeof iq, -1) < 0) {
		txn_fail(t, "cannot ask v2 for its state image: %s", strerror(errno));
		goto out;
	}
	if ((img = v2_image(t, &size, &rn)) < 0)
		goto out;
	uint64_t t2 = ttst_chan_now_ms();
	if (start_v1r(t) < 0)
		goto out;
	uint64_t t3 = ttst_chan_now_ms();
	if (send_v1r(t, &rn, img, size) < 0 || txn_expect(t, &t->v1r, "v1'", TTST_CH_READY) < 0)
		goto out;
	if (t->msg.fd >= 0)
		close(t->msg.fd);
	t->msg.fd = -1;
	struct ttst_ch_report r = {0};
	memcpy(&r, t->msg.payload, t->msg.h.length == sizeof r ? sizeof r : 0);
	t->compared = r.compared;
	t->unchecked = r.unchecked;
	pid_t v1r = t->v1rpid;
	if (t->v1r.pid > 0) /* it dies meanwhile; reaped after the result */
		kill(t->v1r.pid, SIGKILL);
	txn_event(
	    t,
	    "state equal after v1 -> v2 -> v1': %llu objects compared (%llu moved back and "
	    "compared in %u ms by v1' pid %d, heap objects as they arrived, the rest in %u ms "
	    "after); v2's image %u ms, v1' ready %u ms later",
	    (unsigned long long)t->compared, (unsigned long long)r.objects, r.xfer_ms, (int)v1r,
	    r.diff_ms, (unsigned)(t2 - t0), (unsigned)(t3 - t2));
	rc = 0;
out:
	t->valfd = img;
	__libc_free(rn.p);
	return rc;
}
