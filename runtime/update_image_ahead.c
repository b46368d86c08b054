/* update_image_ahead.c -- the memfd and the record pool of the next state image, created and
 * populated ahead (or given: ttst_image_give) while other work runs. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "locals.h"
#include "regions.h"
#include "slots.h"
#include "threads.h"
#include "update_image.h"
#include "update_image_int.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif

/* The memfd and the pile pool of the next image, created ahead so that
 * another thread can allocate their pages (fallocate, MADV_POPULATE_WRITE)
 * while the image is collected; one image at a time per process. */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t done;
	int fd;				/* not taken yet, -1 */
	struct ttst_image_obj *pool;	/* not taken yet, NULL */
	size_t pool_recs;
	struct ttst_image_obj *fill;	/* the pool the allocation populates */
	size_t fill_recs;
	int busy;   /* descriptors handed out whose allocation has not ended */
	int helper; /* th runs (v2: allocates during its transfer) */
	pthread_t th;
	void *gift; /* memory given for the next pool (ttst_image_give), its pages touched */
	size_t gift_len;
	uint64_t wpos; /* the object list is written up to here (WPOS_NONE: not yet) */
	void *spent;   /* the last build's pool, until ttst_image_release */
	size_t spent_len;
} pre = {.lock = PTHREAD_MUTEX_INITIALIZER,
	 .done = PTHREAD_COND_INITIALIZER,
	 .fd = -1,
	 .wpos = UINT64_MAX}; /* WPOS_NONE */

#define WPOS_NONE UINT64_MAX

/* A pool for n heap records (pages used as they come), or NULL. */
static struct ttst_image_obj *map_pool(size_t n)
{
	void *m = mmap(NULL, n * sizeof(struct ttst_image_obj), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	return m == MAP_FAILED ? NULL : m;
}

int ttst_image_open_ahead(uint64_t nobjs)
{
	pthread_mutex_lock(&pre.lock);
	if (pre.fd < 0)
		pre.fd = memfd_create("ttst-state", MFD_CLOEXEC);
	if (!pre.pool) {
		pre.pool_recs = (size_t)nobjs + SLACK_RECS;
		pre.fill = pre.pool = map_pool(pre.pool_recs);
		pre.fill_recs = pre.pool ? pre.pool_recs : 0;
	}
	int d = pre.fd >= 0 ? fcntl(pre.fd, F_DUPFD_CLOEXEC, 0) : -1;
	pre.busy += d >= 0;
	__atomic_store_n(&pre.wpos, WPOS_NONE, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&pre.lock);
	return d;
}

uint64_t ttst_image_estimate(void)
{
	size_t nregions, rbytes;
	ttst_regions_count(&nregions, &rbytes);
	return (uint64_t)ttst_slot_used() + ttst_locals_count() + nregions + 4096;
}

#define PREALLOC_STEP (2u << 20)	   /* bytes per fallocate while the records are collected */
#define PREALLOC_STEP_WRITING (256u << 10) /* once written: each holds the memfd's lock less */
#define PREALLOC_LEAD (1u << 20)	   /* the writer this close allocates the rest itself */

void ttst_image_writing(uint64_t off)
{
	__atomic_store_n(&pre.wpos, off, __ATOMIC_RELAXED);
}

void ttst_image_prealloc(int fd, uint64_t nobjs)
{
	if (fd < 0)
		return;
	pthread_mutex_lock(&pre.lock);
	char *pool = (char *)pre.fill; /* stays mapped until busy drops to 0 */
	size_t plen = pre.fill_recs * sizeof(struct ttst_image_obj);
	pre.fill = NULL;
	pthread_mutex_unlock(&pre.lock);
	/* the pool first (the walk fills it from the start), then the memfd; in
	 * steps, so that the image thread's own faults and writes interleave; on
	 * failure the image thread allocates the pages as it goes */
	for (size_t off = 0; pool && off < plen; off += PREALLOC_STEP)
		if (madvise(pool + off, plen - off < PREALLOC_STEP ? plen - off : PREALLOC_STEP,
			    MADV_POPULATE_WRITE) < 0)
			break;
	/* The memfd from its end down: the image thread writes the object list
	 * from the front once it is collected, each pwrite waiting for the
	 * memfd's lock that a fallocate holds (from the front, the writer
	 * followed the allocation, waiting ~15 ms of its ~20 at 1M keys);
	 * where the two would meet, the writer allocates the rest. */
	off_t end = (off_t)(nobjs * sizeof(struct ttst_image_obj) + (1u << 20));
	while (end > 0) {
		uint64_t w = __atomic_load_n(&pre.wpos, __ATOMIC_RELAXED);
		off_t step = w == WPOS_NONE ? PREALLOC_STEP : PREALLOC_STEP_WRITING;
		off_t start = end > step ? end - step : 0;
		if (w != WPOS_NONE && (uint64_t)start < w + PREALLOC_LEAD)
			break;
		if (fallocate(fd, 0, start, end - start) < 0)
			break;
		end = start;
	}
	close(fd);
	pthread_mutex_lock(&pre.lock);
	pre.busy--;
	pthread_cond_broadcast(&pre.done);
	pthread_mutex_unlock(&pre.lock);
}

void ttst_image_wait_prealloc(void)
{
	pthread_mutex_lock(&pre.lock);
	while (pre.busy > 0)
		pthread_cond_wait(&pre.done, &pre.lock);
	pthread_mutex_unlock(&pre.lock);
}

static void *pre_main(void *arg)
{
	uint64_t a = (uint64_t)(uintptr_t)arg;
	ttst_image_prealloc((int)(a >> 40), a & ((1ull << 40) - 1));
	return NULL;
}

void ttst_image_prealloc_async(uint64_t nobjs, int pool)
{
	if (pre.helper)
		return;
	int fd = ttst_image_open_ahead(nobjs);
	if (fd < 0)
		return;
	if (!pool) { /* the pool's pages come from ttst_image_give */
		pthread_mutex_lock(&pre.lock);
		pre.fill = NULL;
		pthread_mutex_unlock(&pre.lock);
	}
	uint64_t a = ((uint64_t)fd << 40) | (nobjs & ((1ull << 40) - 1));
	pre.helper = ttst_runtime_thread(&pre.th, pre_main, (void *)(uintptr_t)a) == 0;
	if (!pre.helper)
		ttst_image_prealloc(fd, nobjs);
}

void ttst_image_join_helper(void)
{
	if (pre.helper)
		pthread_join(pre.th, NULL);
	pre.helper = 0;
}

int ttst_image_take_fd(void)
{
	pthread_mutex_lock(&pre.lock);
	int fd = pre.fd;
	pre.fd = -1;
	pthread_mutex_unlock(&pre.lock);
	return fd >= 0 ? fd : memfd_create("ttst-state", MFD_CLOEXEC);
}

void ttst_image_give(void *m, size_t len)
{
	pthread_mutex_lock(&pre.lock);
	void *old = pre.gift;
	size_t olen = pre.gift_len;
	pre.gift = m;
	pre.gift_len = len;
	pthread_mutex_unlock(&pre.lock);
	if (old)
		munmap(old, olen);
}

size_t ttst_image_give_slack(void)
{
	return 1 + SLACK_RECS; /* the build asks for its heap blocks and these */
}

struct ttst_image_obj *ttst_image_take_pool(size_t need, size_t *recs, size_t *len)
{
	const size_t rec = sizeof(struct ttst_image_obj);
	struct ttst_image_obj *a;
	pthread_mutex_lock(&pre.lock);
	void *gift = pre.gift;
	size_t glen = pre.gift_len;
	pre.gift = NULL;
	if (gift && glen / rec >= need) {
		a = gift; /* a pool made ahead stays for ttst_image_prealloc_drop */
		*recs = glen / rec;
		*len = glen;
		gift = NULL;
	} else {
		a = pre.pool;
		*recs = pre.pool_recs;
		*len = pre.pool_recs * rec;
		pre.pool = NULL;
	}
	pthread_mutex_unlock(&pre.lock);
	if (gift)
		munmap(gift, glen);
	if (!a) {
		*recs = need;
		*len = need * rec;
		a = map_pool(need);
	}
	return a;
}

void ttst_image_spent(void *m, size_t len)
{
	ttst_image_release();
	pthread_mutex_lock(&pre.lock);
	pre.spent = m;
	pre.spent_len = len;
	pthread_mutex_unlock(&pre.lock);
}

void ttst_image_release(void)
{
	pthread_mutex_lock(&pre.lock);
	void *m = pre.spent;
	size_t len = pre.spent_len;
	pre.spent = NULL;
	pthread_mutex_unlock(&pre.lock);
	if (m)
		munmap(m, len);
}

void ttst_image_prealloc_drop(void)
{
	ttst_image_release();
	ttst_image_join_helper();
	ttst_image_wait_prealloc();
	pthread_mutex_lock(&pre.lock);
	int fd = pre.fd;
	struct ttst_image_obj *pool = pre.pool;
	size_t len = pre.pool_recs * sizeof *pool;
	void *gift = pre.gift;
	size_t glen = pre.gift_len;
	pre.fd = -1;
	pre.pool = NULL;
	pre.gift = NULL;
	pthread_mutex_unlock(&pre.lock);
	if (fd >= 0)
		close(fd);
	if (pool)
		munmap(pool, len);
	if (gift)
		munmap(gift, glen);
}
