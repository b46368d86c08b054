/* regions.c -- __ttst_mmap/__ttst_munmap: a sorted, mutex-protected list of mapped regions. */
#define _GNU_SOURCE
#include "grow.h"
#include "regions.h"

#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "alloc.h"
#include "log.h"
#include "sites.h"
#include "ttst/interface.h"

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ttst_region *regs; /* sorted by start, non-overlapping */
static size_t nregs, cap;

static size_t page_round(size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	return (len + page - 1) & ~(page - 1);
}

/* Makes room for one more entry (lock held); -1 if out of memory. */
static int reserve_locked(void)
{
	return TTST_GROW(regs, nregs, cap, 32);
}

/* Removes [start, end) from every region (trimming or splitting); lock held.
 * Returns -1 if a split needed memory that was not available (the region is
 * then trimmed to its lower part). */
static int cut_locked(uintptr_t start, uintptr_t end)
{
	int rc = 0;
	for (size_t i = 0; i < nregs; i++) {
		struct ttst_region *r = &regs[i];
		uintptr_t rs = r->start, re = r->start + r->len;
		if (re <= start || rs >= end)
			continue;
		if (rs < start && re > end) { /* split in two */
			if (reserve_locked() < 0) {
				rc = -1;
				regs[i].len = start - rs;
				continue;
			}
			r = &regs[i];
			memmove(&regs[i + 2], &regs[i + 1], (nregs - i - 1) * sizeof *regs);
			regs[i + 1] = *r;
			regs[i + 1].start = end;
			regs[i + 1].len = re - end;
			r->len = start - rs;
			nregs++;
			i++;
		} else if (rs < start) {
			r->len = start - rs;
		} else if (re > end) {
			r->len = re - end;
			r->start = end;
		} else {
			memmove(r, r + 1, (nregs - i - 1) * sizeof *regs);
			nregs--;
			i--;
		}
	}
	return rc;
}

/* Inserts a region in address order (lock held); -1 if out of memory. */
static int insert_locked(const struct ttst_region *n)
{
	if (reserve_locked() < 0)
		return -1;
	size_t i = nregs;
	while (i > 0 && regs[i - 1].start > n->start)
		i--;
	memmove(&regs[i + 1], &regs[i], (nregs - i) * sizeof *regs);
	regs[i] = *n;
	nregs++;
	return 0;
}

TTST_EXPORT void *__ttst_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off,
			      struct ttst_tu_hdr *tu, uint32_t site)
{
	void *p = mmap(addr, len, prot, flags, fd, off);
	if (p == MAP_FAILED || len == 0)
		return p;
	unsigned typed;
	uint32_t s = ttst_site_number(tu, site, &typed);
	uint32_t pend = ttst_tls.pending;
	if (!typed && pend) {
		s = pend >> 1;
		typed = pend & 1;
	}
	struct ttst_region r = {(uintptr_t)p, page_round(len), s, typed, prot, flags};
	pthread_mutex_lock(&reg_lock);
	int rc = cut_locked(r.start, r.start + r.len);
	if (insert_locked(&r) < 0)
		rc = -1;
	pthread_mutex_unlock(&reg_lock);
	if (rc < 0)
		ttst_err("out of memory tracking mmap region %p (%zu bytes); it will not be "
			 "transferred by an update",
			 p, len);
	return p;
}

TTST_EXPORT int __ttst_munmap(void *addr, size_t len, struct ttst_tu_hdr *tu, uint32_t site)
{
	(void)tu;
	(void)site;
	int r = munmap(addr, len);
	if (r == 0 && len) {
		pthread_mutex_lock(&reg_lock);
		int rc = cut_locked((uintptr_t)addr, (uintptr_t)addr + page_round(len));
		pthread_mutex_unlock(&reg_lock);
		if (rc < 0)
			ttst_err("out of memory splitting mmap region at %p", addr);
	}
	return r;
}

int ttst_regions_foreach(int (*fn)(const struct ttst_region *, void *), void *arg)
{
	int r = 0;
	pthread_mutex_lock(&reg_lock);
	for (size_t i = 0; i < nregs && !r; i++)
		r = fn(&regs[i], arg);
	pthread_mutex_unlock(&reg_lock);
	return r;
}

void ttst_regions_count(size_t *n, size_t *bytes)
{
	pthread_mutex_lock(&reg_lock);
	*n = nregs;
	*bytes = 0;
	for (size_t i = 0; i < nregs; i++)
		*bytes += regs[i].len;
	pthread_mutex_unlock(&reg_lock);
}

void ttst_regions_fork_prepare(void)
{
	pthread_mutex_lock(&reg_lock);
}

void ttst_regions_fork_parent(void)
{
	pthread_mutex_unlock(&reg_lock);
}

void ttst_regions_fork_child(void)
{
	pthread_mutex_init(&reg_lock, NULL);
}
