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

#define REF_CHUNK 8192 /* records per read and write */

/* Reads chunk [i, i + k) of our image's objects and of v2's map of them. */
static int read_chunk(struct txn *t, uint64_t off_objs, uint64_t i, size_t k,
		      struct ttst_image_obj *o, struct ttst_xfer_cp *cp)
{
	if (ttst_fd_rw_all(t->imgfd, o, k * sizeof *o, (off_t)(off_objs + i * sizeof *o), 0) < 0)
		return txn_fail(t, "cannot read our state image back: %s", strerror(errno));
	if (ttst_fd_rw_all(t->fmapfd, cp, k * sizeof *cp, (off_t)(i * sizeof *cp), 0) < 0)
		return txn_fail(t, "cannot read v2's map of our objects: %s", strerror(errno));
	return 0;
}

/* Writes the reference for v1' into our image's memfd, over the image (v2
 * is done with it; its pages are reused, none allocated): each of our
 * objects that v2 transferred or points to, and its counterpart in v2.  The
 * image and v2's map are read in chunks; reference record k lands below
 * image record i >= k, which lies past the header: nothing unread is
 * overwritten.  Returns the memfd (t->imgfd, now the caller's), cut to *n
 * records, or -1 (fails). */
static int build_ref(struct txn *t, uint64_t *n)
{
	struct stat st;
	struct ttst_image_hdr h;
	size_t mlen = (size_t)t->imgobjs * sizeof(struct ttst_xfer_cp), cnt = 0;
	if (t->fmapfd < 0 || fstat(t->fmapfd, &st) < 0 || (uint64_t)st.st_size < mlen)
		return txn_fail(t,
				"protocol error: v2's READY came without its map of our %llu "
				"objects",
				(unsigned long long)t->imgobjs);
	if (ttst_fd_rw_all(t->imgfd, &h, sizeof h, 0, 0) < 0)
		return txn_fail(t, "cannot read our state image back: %s", strerror(errno));
	assert(h.nobjs == t->imgobjs && h.off_objs >= sizeof(struct ttst_xfer_ref_obj));
	struct ttst_image_obj *o = __libc_malloc(REF_CHUNK * sizeof *o);
	struct ttst_xfer_cp *cp = __libc_malloc(REF_CHUNK * sizeof *cp);
	struct ttst_xfer_ref_obj *ref = __libc_malloc(REF_CHUNK * sizeof *ref);
	int fd = -1;
	if (!o || !cp || !ref) {
		txn_fail(t, "out of memory building the validation reference");
		goto out;
	}
	for (uint64_t i = 0; i < t->imgobjs; i += REF_CHUNK) {
		size_t k = t->imgobjs - i < REF_CHUNK ? (size_t)(t->imgobjs - i) : REF_CHUNK, m = 0;
		if (read_chunk(t, h.off_objs, i, k, o, cp) < 0)
			goto out;
		for (size_t j = 0; j < k; j++)
			if (cp[j].how != TTST_CP_NONE)
				ref[m++] = (struct ttst_xfer_ref_obj){o[j].addr, o[j].size,
								      cp[j].addr, cp[j].how, 0};
		for (size_t j = 0; j < m; j++)
			t->compared += ref[j].how == TTST_CP_XFER;
		if (ttst_fd_rw_all(t->imgfd, ref, m * sizeof *ref, (off_t)(cnt * sizeof *ref), 1) <
		    0) {
			txn_fail(t, "cannot write the validation reference: %s", strerror(errno));
			goto out;
		}
		cnt += m;
	}
	if (ftruncate(t->imgfd, (off_t)(cnt * sizeof *ref)) < 0) {
		txn_fail(t, "cannot size the validation reference (%zu objects): %s", cnt,
			 strerror(errno));
		goto out;
	}
	*n = cnt;
	fd = t->imgfd;
	t->imgfd = -1;
out:
	__libc_free(o);
	__libc_free(cp);
	__libc_free(ref);
	return fd;
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

/* Sends v1' the reference (with v2's renames) and v2's image. */
static int send_v1r(struct txn *t, int ref, uint64_t nref, const struct renames *rn, int img,
		    uint64_t size)
{
	struct ttst_ch_ref r = {nref * sizeof(struct ttst_xfer_ref_obj), nref};
	char *p = __libc_malloc(sizeof r + rn->len);
	if (!p)
		return txn_fail(t, "out of memory forwarding v2's renames");
	memcpy(p, &r, sizeof r);
	memcpy(p + sizeof r, rn->p, rn->len);
	int rc = ttst_chan_send(t->v1r.chan, TTST_CH_REF, p, (uint32_t)(sizeof r + rn->len), ref);
	__libc_free(p);
	struct ttst_ch_state st = {size};
	if (rc < 0 || ttst_chan_send(t->v1r.chan, TTST_CH_STATE, &st, sizeof st, img) < 0)
		return txn_fail(t, "cannot send the state to v1': %s", strerror(errno));
	return 0;
}

int ttst_txn_validate(struct txn *t)
{
	if (!t->a.validate)
		return 0;
	uint64_t t0 = ttst_chan_now_ms(), size = 0, nref = 0;
	int img = -1, ref = -1, rc = -1; /* memfds: closed after the result (freeing takes time) */
	struct renames rn = {NULL, 0};
	t->deadline = t0 + t->timeout_ms; /* the backward transfer gets its own timeout */
	if (!t->v1rpid && ttst_txn_spawn_v1r(t) < 0) /* its pid goes to v2 (Yama) */
		goto out;
	struct ttst_ch_image_req iq = {(int32_t)t->v1rpid, 0};
	if (ttst_chan_send(t->v2.chan, TTST_CH_IMAGE_REQ, &iq, sizeof iq, -1) < 0) {
		txn_fail(t, "cannot ask v2 for its state image: %s", strerror(errno));
		goto out;
	}
	if ((ref = build_ref(t, &nref)) < 0) /* while v2 builds its image */
		goto out;
	uint64_t t1 = ttst_chan_now_ms();
	if ((img = v2_image(t, &size, &rn)) < 0)
		goto out;
	uint64_t t2 = ttst_chan_now_ms();
	if (start_v1r(t) < 0)
		goto out;
	uint64_t t3 = ttst_chan_now_ms();
	if (send_v1r(t, ref, nref, &rn, img, size) < 0 ||
	    txn_expect(t, &t->v1r, "v1'", TTST_CH_READY) < 0)
		goto out;
	if (t->msg.fd >= 0)
		close(t->msg.fd);
	t->msg.fd = -1;
	struct ttst_ch_report r = {0};
	memcpy(&r, t->msg.payload, t->msg.h.length == sizeof r ? sizeof r : 0);
	pid_t v1r = t->v1rpid;
	if (t->v1r.pid > 0) /* it dies meanwhile; reaped after the result */
		kill(t->v1r.pid, SIGKILL);
	txn_event(
	    t,
	    "state equal after v1 -> v2 -> v1': %llu objects compared (%llu moved back and "
	    "compared in %u ms by v1' pid %d, heap objects as they arrived, the rest in %u ms "
	    "after); reference %u ms, v2's image %u ms more, v1' ready %u ms later",
	    (unsigned long long)t->compared, (unsigned long long)r.objects, r.xfer_ms, (int)v1r,
	    r.diff_ms, (unsigned)(t1 - t0), (unsigned)(t2 - t1), (unsigned)(t3 - t2));
	rc = 0;
out:
	t->valfd[0] = img;
	t->valfd[1] = ref;
	__libc_free(rn.p);
	return rc;
}
