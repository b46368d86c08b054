/* update_src.c -- v2's view of v1's state: the image's blobs and objects, and a process_vm_readv
 * reader. */
#define _GNU_SOURCE
#include "update_src.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "alloc.h"
#include "log.h"
#include "registry.h"
#include "threads.h"
#include "ttst/meta.h"
#include "ttst/proto.h"

_Static_assert(sizeof(struct ttst_image_obj) == sizeof(struct ttst_src_obj),
	       "image object and source object differ");
_Static_assert(offsetof(struct ttst_image_obj, ordinal) == offsetof(struct ttst_src_obj, ordinal),
	       "image object and source object differ");
_Static_assert(offsetof(struct ttst_image_obj, kind) == offsetof(struct ttst_src_obj, kind),
	       "image object and source object differ");

#define MAX_IOV 1024
#define CHUNK (1u << 30) /* bytes per iovec: process_vm_readv returns ssize_t */

static int chan_read_locked(struct ttst_update_src *s, uint64_t addr, void *buf, size_t n);

/* Reads through v1: READ requests answered in its window, one at a time.
 * Returns 0 or -1. */
static int chan_read(struct ttst_update_src *s, uint64_t addr, void *buf, size_t n)
{
	pthread_mutex_lock(&s->chan_lock);
	int r = chan_read_locked(s, addr, buf, n);
	pthread_mutex_unlock(&s->chan_lock);
	return r;
}

static int chan_read_locked(struct ttst_update_src *s, uint64_t addr, void *buf, size_t n)
{
	char err[256];
	if (!s->msg && !(s->msg = __libc_malloc(sizeof *s->msg))) {
		errno = ENOMEM;
		return -1;
	}
	while (n) {
		struct ttst_ch_read r = {addr, n < TTST_CH_WINDOW ? n : TTST_CH_WINDOW};
		struct ttst_ch_data d;
		__atomic_add_fetch(&s->syscalls, 1, __ATOMIC_RELAXED);
		if (ttst_chan_send(s->chan, TTST_CH_READ, &r, sizeof r, -1) < 0 ||
		    ttst_chan_recv(s->chan, s->msg, ttst_chan_now_ms() + 3600000, err, sizeof err) <
			1 ||
		    s->msg->h.type != TTST_CH_DATA || s->msg->h.length != sizeof d) {
			errno = EPIPE;
			return -1;
		}
		memcpy(&d, s->msg->payload, sizeof d);
		if (s->msg->fd >= 0) {
			void *w = mmap(NULL, TTST_CH_WINDOW, PROT_READ, MAP_SHARED, s->msg->fd, 0);
			close(s->msg->fd);
			if (w != MAP_FAILED && !s->window)
				s->window = w;
			else if (w != MAP_FAILED)
				munmap(w, TTST_CH_WINDOW);
		}
		if (d.err || d.len != r.len || !s->window) {
			errno = d.err ? d.err : EIO;
			return -1;
		}
		memcpy(buf, s->window, r.len);
		addr += r.len;
		buf = (char *)buf + r.len;
		n -= r.len;
	}
	return 0;
}

int ttst_update_src_read(void *ctx, uint64_t addr, void *buf, size_t n)
{
	struct ttst_update_src *s = ctx;
	__atomic_add_fetch(&s->reads, 1, __ATOMIC_RELAXED);
	if (__atomic_load_n(&s->via_chan, __ATOMIC_RELAXED))
		return chan_read(s, addr, buf, n);
	while (n) {
		struct iovec local[MAX_IOV], remote[MAX_IOV];
		size_t k = 0, total = 0;
		for (; k < MAX_IOV && total < n; k++) {
			size_t len = n - total < CHUNK ? n - total : CHUNK;
			local[k] = (struct iovec){(char *)buf + total, len};
			remote[k] = (struct iovec){(void *)(uintptr_t)(addr + total), len};
			total += len;
		}
		__atomic_add_fetch(&s->syscalls, 1, __ATOMIC_RELAXED);
		ssize_t r = process_vm_readv(s->pid, local, k, remote, k, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EPERM || errno == ENOSYS) && s->chan >= 0) {
			if (!__atomic_exchange_n(&s->via_chan, 1, __ATOMIC_RELAXED))
				ttst_info("live update: process_vm_readv on pid %d refused (%s); "
					  "reading through the update channel",
					  (int)s->pid, strerror(errno));
			return chan_read(s, addr, buf, n);
		}
		if (r < 0)
			return -1;
		if (r == 0) { /* the first byte is not mapped */
			errno = EFAULT;
			return -1;
		}
		addr += (uint64_t)r;
		buf = (char *)buf + r;
		n -= (size_t)r;
	}
	return 0;
}

/* Checks the header's offsets against the image size. */
static int check_hdr(const struct ttst_image_hdr *h, uint64_t size, char *err, size_t n)
{
	const char *why = NULL;
	if (size < sizeof *h || h->magic != TTST_IMAGE_MAGIC)
		why = "bad magic";
	else if (h->version != TTST_IMAGE_VERSION)
		why = "another image version (old and new runtimes differ too much)";
	else if (h->size != size || h->off_tus % 8 || h->off_objs % 8 || h->off_tus > size ||
		 h->ntus > (size - h->off_tus) / sizeof(struct ttst_image_tu) ||
		 h->off_objs > size ||
		 h->nobjs != (size - h->off_objs) / sizeof(struct ttst_image_obj) ||
		 (size - h->off_objs) % sizeof(struct ttst_image_obj))
		why = "sizes and offsets do not fit the image";
	if (!why)
		return 0;
	snprintf(err, n, "state image from v1: %s", why);
	return -1;
}

/* Checks every blob and points s->src.tus at them. */
static int check_tus(struct ttst_update_src *s, const struct ttst_image_hdr *h, char *err, size_t n)
{
	const char *img = s->map;
	const struct ttst_image_tu *t = (const struct ttst_image_tu *)(img + h->off_tus);
	s->src.tus = __libc_calloc(h->ntus ? h->ntus : 1, sizeof *s->src.tus);
	if (!s->src.tus) {
		snprintf(err, n, "out of memory for %u TU blobs", h->ntus);
		return -1;
	}
	for (uint32_t i = 0; i < h->ntus; i++) {
		char why[256];
		int outside = t[i].off % 8 || t[i].off > h->size || t[i].size > h->size - t[i].off;
		if (outside)
			snprintf(why, sizeof why, "outside the image");
		if (outside || ttst_meta_check(img + t[i].off, t[i].size, 0, why, sizeof why) < 0) {
			snprintf(err, n, "state image from v1: TU blob %u: %s", i, why);
			return -1;
		}
		s->src.tus[i] = (const struct ttst_tu_hdr *)(img + t[i].off);
	}
	s->src.ntus = h->ntus;
	return 0;
}

/* Checks objects [lo, hi) of s (each names an existing record / site; the
 * list is sorted); adds the chunk bytes of the heap objects with a site to
 * *chunks.  Returns the first bad object's index and sets *why, or hi. */
static size_t check_range(const struct ttst_update_src *s, size_t lo, size_t hi,
			  uint64_t *chunks, const char **why)
{
	const struct ttst_src_obj *o = s->src.objs;
	uint64_t sum = 0;
	*why = NULL;
	for (size_t i = lo; i < hi; i++) {
		if (o[i].kind == TTST_OBJ_HEAP && o[i].tu != UINT32_MAX)
			sum += ttst_chunk_bytes(o[i].size);
		int heap = o[i].kind == TTST_OBJ_HEAP || o[i].kind == TTST_OBJ_MMAP;
		if (o[i].kind > TTST_OBJ_MMAP)
			*why = "unknown kind";
		else if (i && o[i].addr < o[i - 1].addr)
			*why = "not sorted by address";
		else if (o[i].tu == UINT32_MAX ? !heap : o[i].tu >= s->src.ntus)
			*why = "TU index out of range";
		else if (o[i].tu != UINT32_MAX &&
			 o[i].index >=
			     (heap ? s->src.tus[o[i].tu]->nsites : s->src.tus[o[i].tu]->nstatics))
			*why = heap ? "site index out of range" : "static index out of range";
		if (*why)
			return i;
	}
	*chunks += sum;
	return hi;
}

#define CHECK_PAR_MIN 100000 /* objects: fewer are checked on one thread */

struct check_half {
	const struct ttst_update_src *s;
	size_t lo, hi, bad;
	uint64_t chunks;
	const char *why;
};

static void *check_main(void *arg)
{
	struct check_half *h = arg;
	h->bad = check_range(h->s, h->lo, h->hi, &h->chunks, &h->why);
	return NULL;
}

/* Checks every object (check_range: the second half on a helper thread when
 * there are many, the first pass over the image's pages) and counts the
 * chunk bytes of the heap objects with a site (the transfer takes that room
 * for their counterparts: one pass less). */
static int check_objs(struct ttst_update_src *s, char *err, size_t n)
{
	size_t nobjs = s->src.nobjs, bad;
	uint64_t chunks = 0;
	const char *why;
	struct check_half h = {s, nobjs / 2, nobjs, nobjs, 0, NULL};
	pthread_t th;
	int two = nobjs >= CHECK_PAR_MIN && sysconf(_SC_NPROCESSORS_ONLN) > 1 &&
		  ttst_runtime_thread_beside(&th, check_main, &h) == 0;
	bad = check_range(s, 0, two ? h.lo : nobjs, &chunks, &why);
	if (two) {
		pthread_join(th, NULL);
		chunks += h.chunks;
		if (!why && h.why) { /* the first half's error, if any, comes first */
			bad = h.bad;
			why = h.why;
		}
	}
	if (why) {
		snprintf(err, n, "state image from v1: object %zu at 0x%llx: %s", bad,
			 (unsigned long long)s->src.objs[bad].addr, why);
		return -1;
	}
	s->src.heap_chunks = chunks;
	return 0;
}

void ttst_update_src_reader(struct ttst_update_src *s, pid_t pid, int chan)
{
	memset(s, 0, sizeof *s);
	pthread_mutex_init(&s->chan_lock, NULL);
	s->pid = pid;
	s->chan = chan;
}

int ttst_update_src_open(int fd, uint64_t size, pid_t pid, int chan, struct ttst_update_src *s,
			 char *err, size_t n)
{
	ttst_update_src_reader(s, pid, chan);
	if (size < sizeof(struct ttst_image_hdr) || size > SIZE_MAX / 2) {
		snprintf(err, n, "state image from v1: impossible size %llu",
			 (unsigned long long)size);
		return -1;
	}
	s->map = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (s->map == MAP_FAILED) {
		s->map = NULL;
		snprintf(err, n, "cannot map the %llu-byte state image: %s",
			 (unsigned long long)size, strerror(errno));
		return -1;
	}
	s->map_size = (size_t)size;
	const struct ttst_image_hdr *h = s->map;
	if (check_hdr(h, size, err, n) < 0 || check_tus(s, h, err, n) < 0)
		goto err;
	if (!pid) /* the process that built the image */
		s->pid = pid = h->pid;
	s->src.pid = pid;
	s->src.nobjs = (size_t)h->nobjs;
	s->src.objs = (struct ttst_src_obj *)((char *)s->map + h->off_objs);
	if (check_objs(s, err, n) < 0)
		goto err;
	s->src.read = ttst_update_src_read;
	s->src.read_ctx = s;
	s->src.read_mt = 1;
	return 0;
err:
	ttst_update_src_free(s);
	return -1;
}

void ttst_update_src_free(struct ttst_update_src *s)
{
	if (s->map)
		munmap(s->map, s->map_size);
	if (s->window)
		munmap((void *)s->window, TTST_CH_WINDOW);
	__libc_free(s->msg);
	__libc_free((void *)s->src.tus);
	pthread_mutex_destroy(&s->chan_lock);
	memset(s, 0, sizeof *s);
}
