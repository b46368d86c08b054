/* locals.c -- __ttst_local / __ttst_local_exit: the live activations of main and TTST_STATEFUL
 * functions. */
#define _GNU_SOURCE
#include "locals.h"

#include <string.h>

#include "alloc.h"
#include "log.h"
#include "sites.h"
#include "ttst/interface.h"

/* Length of the function part of a local's state ID ("main:x" -> 4, "f.c:g:x" -> 5). */
static size_t func_len(const char *id)
{
	const char *c = strrchr(id, ':');
	return c ? (size_t)(c - id) : 0;
}

/* Non-zero if locals a and b (same tu) belong to the same function. */
static int same_func(const struct ttst_tu_hdr *tu, uint32_t a, uint32_t b)
{
	const struct ttst_static_rec *s = ttst_meta_statics(tu);
	const char *ia = ttst_meta_str(tu, s[a].id), *ib = ttst_meta_str(tu, s[b].id);
	size_t la = func_len(ia);
	return la == func_len(ib) && !memcmp(ia, ib, la);
}

TTST_EXPORT void __ttst_local(struct ttst_tu_hdr *tu, uint32_t index, void *addr)
{
	uint32_t b = __atomic_load_n(&tu->rt_site_base, __ATOMIC_ACQUIRE);
	if (b == 0)
		b = ttst_site_attach(tu);
	if (b == 0 || b == TTST_SITE_BAD)
		return; /* malformed blob, already reported */
	if (index >= tu->nstatics || ttst_meta_statics(tu)[index].kind != TTST_S_LOCAL) {
		ttst_warn("__ttst_local: static record %u of blob %p is not a local; ignored",
			  index, (void *)tu);
		return;
	}
	struct ttst_tls *t = &ttst_tls;
	ttst_tls_attach(t);
	struct ttst_local *l = __libc_malloc(sizeof *l);
	if (!l) {
		ttst_err("out of memory registering local %s",
			 ttst_meta_str(tu, ttst_meta_statics(tu)[index].id));
		return;
	}
	struct ttst_local *h = t->locals;
	/* a new activation starts unless this continues the newest one */
	int cont = h && h->tu == tu && h->index < index && same_func(tu, h->index, index);
	*l = (struct ttst_local){tu, index, !cont, addr, h};
	__atomic_store_n(&t->locals, l, __ATOMIC_RELEASE);
	__atomic_add_fetch(&t->nlocals, 1, __ATOMIC_RELAXED);
}

TTST_EXPORT void __ttst_local_exit(struct ttst_tu_hdr *tu)
{
	struct ttst_tls *t = &ttst_tls;
	struct ttst_local *l = t->locals;
	if (!l || l->tu != tu)
		return; /* the function registered no local */
	for (;;) {
		t->locals = l->next;
		__atomic_sub_fetch(&t->nlocals, 1, __ATOMIC_RELAXED);
		int first = l->first;
		__libc_free(l);
		l = t->locals;
		if (first || !l)
			break;
	}
}

void ttst_locals_drop(struct ttst_tls *t)
{
	struct ttst_local *l = t->locals, *n;
	t->locals = NULL;
	t->nlocals = 0;
	for (; l; l = n) {
		n = l->next;
		__libc_free(l);
	}
}

struct each_ctx {
	int (*fn)(const struct ttst_local *, void *);
	void *arg;
	int r;
};

static void each_thread(struct ttst_tls *t, void *arg)
{
	struct each_ctx *c = arg;
	for (struct ttst_local *l = t->locals; l && !c->r; l = l->next)
		c->r = c->fn(l, c->arg);
}

static void count_thread(struct ttst_tls *t, void *arg)
{
	*(size_t *)arg += __atomic_load_n(&t->nlocals, __ATOMIC_RELAXED);
}

size_t ttst_locals_count(void)
{
	size_t n = 0;
	ttst_tls_foreach(count_thread, &n);
	return n;
}

int ttst_locals_foreach(int (*fn)(const struct ttst_local *, void *), void *arg)
{
	struct each_ctx c = {fn, arg, 0};
	ttst_tls_foreach(each_thread, &c);
	return c.r;
}
