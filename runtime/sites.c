/* sites.c -- attaches TU blobs: assigns each a range of process-wide site numbers; maps numbers
 * back. */
#define _GNU_SOURCE
#include "grow.h"
#include "sites.h"

#include <pthread.h>
#include <string.h>

#include "alloc.h"
#include "log.h"

static pthread_mutex_t tu_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ttst_tu_ent *tus; /* sorted by base (appended in order) */
static size_t ntus, cap;
static uint32_t next_site = 1; /* 0 means "unknown site" */

/* Index of tu in the table or -1 (lock held). */
static long find_locked(const struct ttst_tu_hdr *tu)
{
	for (size_t i = ntus; i-- > 0;)
		if (tus[i].tu == tu)
			return (long)i;
	return -1;
}

/* Appends an entry for tu (lock held); returns it or NULL (out of memory). */
static struct ttst_tu_ent *append_locked(struct ttst_tu_hdr *tu)
{
	if (TTST_GROW(tus, ntus, cap, 64) < 0)
		return NULL;
	char err[256];
	struct ttst_tu_ent *e = &tus[ntus];
	memset(e, 0, sizeof *e);
	e->tu = tu;
	e->valid = ttst_meta_check(tu, tu->total_size, 0, err, sizeof err) >= 0;
	e->nsites = e->valid && tu->nsites ? tu->nsites : 1;
	if (next_site > 0x7FFFFFFFu - e->nsites) { /* pending sites store s << 1 */
		ttst_err("out of allocation site numbers; blob at %p left unattached", (void *)tu);
		return NULL;
	}
	e->base = next_site;
	next_site += e->nsites;
	ntus++;
	if (!e->valid)
		ttst_err("ttst_meta blob at %p is malformed (%s); its allocations are untyped -- "
			 "rebuild the module with ttst-cc",
			 (void *)tu, err);
	__atomic_store_n(&tu->rt_site_base, e->valid ? e->base : TTST_SITE_BAD, __ATOMIC_RELEASE);
	return e;
}

/* Entry for tu, attaching it if needed (lock held); NULL on failure. */
static struct ttst_tu_ent *get_locked(struct ttst_tu_hdr *tu)
{
	long i = find_locked(tu);
	return i >= 0 ? &tus[i] : append_locked(tu);
}

uint32_t ttst_site_attach(struct ttst_tu_hdr *tu)
{
	pthread_mutex_lock(&tu_lock);
	struct ttst_tu_ent *e = get_locked(tu);
	uint32_t b = e && e->valid ? e->base : 0;
	pthread_mutex_unlock(&tu_lock);
	return b;
}

int ttst_site_register(struct ttst_tu_hdr *tu, const char *module)
{
	pthread_mutex_lock(&tu_lock);
	struct ttst_tu_ent *e = get_locked(tu);
	int ok = e && e->valid;
	if (ok) {
		e->registered = 1;
		e->module = module;
	}
	pthread_mutex_unlock(&tu_lock);
	return ok ? 0 : -1;
}

/* Entry whose range holds s (lock held) or NULL. */
static struct ttst_tu_ent *range_locked(uint32_t s)
{
	size_t lo = 0, hi = ntus;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (s < tus[mid].base)
			hi = mid;
		else if (s >= tus[mid].base + tus[mid].nsites)
			lo = mid + 1;
		else
			return &tus[mid];
	}
	return NULL;
}

int ttst_site_lookup(uint32_t s, const struct ttst_tu_hdr **tu, uint32_t *index)
{
	if (!s)
		return -1;
	pthread_mutex_lock(&tu_lock);
	struct ttst_tu_ent *e = range_locked(s);
	int ok = e && e->valid && s - e->base < e->tu->nsites;
	if (ok) {
		*tu = e->tu;
		*index = s - e->base;
	}
	pthread_mutex_unlock(&tu_lock);
	return ok ? 0 : -1;
}

uint32_t ttst_site_type(uint32_t s, const struct ttst_tu_hdr **tu)
{
	uint32_t idx;
	if (ttst_site_lookup(s, tu, &idx) < 0) {
		*tu = NULL;
		return TTST_NO_TYPE;
	}
	return ttst_meta_sites(*tu)[idx].type;
}

int ttst_site_foreach_tu(int (*fn)(const struct ttst_tu_ent *, void *), void *arg)
{
	int r = 0;
	pthread_mutex_lock(&tu_lock);
	for (size_t i = 0; i < ntus && !r; i++)
		if (tus[i].valid && tus[i].registered)
			r = fn(&tus[i], arg);
	pthread_mutex_unlock(&tu_lock);
	return r;
}

void ttst_site_fork_prepare(void)
{
	pthread_mutex_lock(&tu_lock);
}

void ttst_site_fork_parent(void)
{
	pthread_mutex_unlock(&tu_lock);
}

void ttst_site_fork_child(void)
{
	pthread_mutex_init(&tu_lock, NULL);
}
