/* xfer_ann.c -- renames and transfer callbacks registered by the program (annotations/ttst.h). */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "grow.h"
#include "alloc.h"
#include "log.h"
#include "xfer_int.h"

struct named_cb {
	const char *name;
	ttst_xfer_cb fn;
};

static pthread_mutex_t ann_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ttst_rule_rename *renames; /* type == NULL: state IDs */
static size_t nrenames, caprenames;
static struct named_cb *tcbs, *ocbs;
static size_t ntcbs, captcbs, nocbs, capocbs;
static int (**inits)(void);
static size_t ninits, capinits;
static struct xf *current;

static void add_rename(const char *type, const char *from, const char *to)
{
	if (!from || !to) {
		ttst_err("ttst_register_rename: NULL name ignored");
		return;
	}
	pthread_mutex_lock(&ann_lock);
	if (TTST_GROW(renames, nrenames, caprenames, 16) == 0)
		renames[nrenames++] = (struct ttst_rule_rename){type, from, to};
	else
		ttst_err("out of memory registering the rename %s -> %s", from, to);
	pthread_mutex_unlock(&ann_lock);
}

TTST_EXPORT void ttst_register_rename(const char *old_id, const char *new_id)
{
	add_rename(NULL, old_id, new_id);
}

TTST_EXPORT void ttst_register_member_rename(const char *type, const char *old_name,
					     const char *new_name)
{
	if (!type) {
		ttst_err("ttst_register_member_rename: NULL type ignored");
		return;
	}
	add_rename(type, old_name, new_name);
}

static void add_cb(struct named_cb **v, size_t *n, size_t *cap, const char *name, ttst_xfer_cb fn,
		   const char *what)
{
	if (!name || !fn) {
		ttst_err("ttst_register_%s_callback: NULL argument ignored", what);
		return;
	}
	pthread_mutex_lock(&ann_lock);
	if (TTST_GROW(*v, *n, *cap, 16) == 0)
		(*v)[(*n)++] = (struct named_cb){name, fn};
	else
		ttst_err("out of memory registering the %s callback for %s", what, name);
	pthread_mutex_unlock(&ann_lock);
}

TTST_EXPORT void ttst_register_type_callback(const char *type, ttst_xfer_cb fn)
{
	add_cb(&tcbs, &ntcbs, &captcbs, type, fn, "type");
}

TTST_EXPORT void ttst_register_object_callback(const char *id, ttst_xfer_cb fn)
{
	add_cb(&ocbs, &nocbs, &capocbs, id, fn, "object");
}

TTST_EXPORT void ttst_register_init_callback(int (*fn)(void))
{
	if (!fn) {
		ttst_err("ttst_register_init_callback: NULL ignored");
		return;
	}
	pthread_mutex_lock(&ann_lock);
	if (TTST_GROW(inits, ninits, capinits, 16) == 0)
		inits[ninits++] = fn;
	else
		ttst_err("out of memory registering an init callback");
	pthread_mutex_unlock(&ann_lock);
}

TTST_EXPORT void *ttst_xfer_translate(const void *old_ptr)
{
	struct xf *x = current;
	uint64_t out = 0;
	if (!x || !old_ptr)
		return NULL;
	char saved[sizeof x->etail];
	memcpy(saved, x->etail, sizeof saved);
	if (xf_ptr(x, (uint64_t)(uintptr_t)old_ptr, 0, &out) < 0)
		out = 0;
	memcpy(x->etail, saved, sizeof saved);
	return (void *)(uintptr_t)out;
}

/* The member renames, as the rules module wants them.  Valid until the next
 * registration (the engine runs when registration is over). */
const struct ttst_rule_renames *xf_ann_member_renames(void)
{
	static struct ttst_rule_renames rn;
	rn.v = renames;
	rn.n = nrenames;
	return &rn;
}

const char *xf_ann_rename(const char *id)
{
	if (current && current->backward) {
		for (size_t i = 0; i < current->rn.n; i++)
			if (!current->rn.v[i].type && !strcmp(current->rn.v[i].from, id))
				return current->rn.v[i].to;
		return id;
	}
	for (size_t i = 0; i < nrenames; i++)
		if (!renames[i].type && !strcmp(renames[i].from, id))
			return renames[i].to;
	return id;
}

ttst_xfer_cb xf_ann_type_cb(const char *type)
{
	if (current && current->backward)
		return NULL; /* our callbacks convert from our predecessor, not from the source */
	for (size_t i = 0; i < ntcbs; i++)
		if (!strcmp(tcbs[i].name, type))
			return tcbs[i].fn;
	return NULL;
}

uint32_t xf_ann_obj_cb(const char *id)
{
	if (current && current->backward)
		return 0;
	for (size_t i = 0; i < nocbs; i++)
		if (!strcmp(ocbs[i].name, id))
			return (uint32_t)i + 1;
	return 0;
}

int xf_ann_obj_cbs(const struct xf *x)
{
	return !x->backward && nocbs > 0;
}

ttst_xfer_cb xf_ann_obj_cb_fn(uint32_t k)
{
	return k && k <= nocbs ? ocbs[k - 1].fn : NULL;
}

int xf_ann_call(struct xf *x, ttst_xfer_cb cb, const struct ttst_xfer_obj *o, const char *what)
{
	x->dirty = 1;
	int r = cb(o);
	if (r) {
		char nm[256];
		return xf_fail(x, "%s: %s callback for %s failed (returned %d)",
			       xf_obj_name(x, x->cur, nm, sizeof nm), what,
			       o->new_type[0] ? o->new_type : o->id, r);
	}
	return 0;
}

int xf_ann_run_init(struct xf *x)
{
	if (x->backward)
		return 0;
	for (size_t i = 0; i < ninits; i++) {
		x->dirty = 1;
		int r = inits[i]();
		if (r)
			return xf_fail(x, "init callback %zu of %zu failed (returned %d)", i + 1,
				       ninits, r);
	}
	return 0;
}

void xf_ann_set_current(struct xf *x)
{
	current = x;
}

size_t ttst_xfer_renames_export(char *buf, size_t n)
{
	size_t len = 0;
	pthread_mutex_lock(&ann_lock);
	for (size_t i = 0; i < nrenames; i++) {
		const char *f[3] = {renames[i].type ? renames[i].type : "", renames[i].from,
				    renames[i].to};
		for (int k = 0; k < 3; k++) {
			size_t l = strlen(f[k]) + 1;
			if (len + l <= n)
				memcpy(buf + len, f[k], l);
			len += l;
		}
	}
	pthread_mutex_unlock(&ann_lock);
	return len;
}

int xf_ann_inverse(struct xf *x, const char *buf, size_t len)
{
	size_t n = 0, k = 0;
	for (size_t i = 0; i < len; i++)
		n += buf[i] == '\0';
	if (len && (buf[len - 1] != '\0' || n % 3))
		return xf_fail(x, "malformed rename table from the new version (%zu bytes)", len);
	x->inv_buf = xf_alloc(len + 1);
	x->inv = xf_calloc(n / 3 + 1, sizeof *x->inv);
	if (!x->inv_buf || !x->inv)
		return xf_fail(x, "out of memory for the new version's renames");
	memcpy(x->inv_buf, buf, len);
	for (const char *p = x->inv_buf; p < x->inv_buf + len; k++) {
		const char *type = p, *from = type + strlen(type) + 1,
			   *to = from + strlen(from) + 1;
		p = to + strlen(to) + 1;
		x->inv[k] = (struct ttst_rule_rename){type[0] ? type : NULL, to, from};
	}
	x->rn.v = x->inv;
	x->rn.n = k;
	return 0;
}
