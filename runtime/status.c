/* status.c -- builds the STATUS reply from the runtime's counters (no park needed). */
#define _GNU_SOURCE
#include "status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "locals.h"
#include "options.h"
#include "quiesce.h"
#include "regions.h"
#include "sites.h"
#include "threads.h"
#include "tls.h"
#include "update.h"

struct out {
	char *buf;
	size_t n, len;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	if (o->len >= o->n - 1)
		return;
	va_list ap;
	va_start(ap, fmt);
	int w = vsnprintf(o->buf + o->len, o->n - o->len, fmt, ap);
	va_end(ap);
	if (w > 0)
		o->len += (size_t)w < o->n - o->len ? (size_t)w : o->n - o->len - 1;
}

/* key=<text value with bytes < 0x20 and '\' escaped as \xNN> */
static void put_text(struct out *o, const char *key, const char *v)
{
	put(o, "%s=", key);
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (*p < 0x20 || *p == '\\')
			put(o, "\\x%02x", *p);
		else
			put(o, "%c", *p);
	put(o, "\n");
}

struct count_ctx {
	struct ttst_static_counts *c;
	const char *last_module;
};

static int count_tu(const struct ttst_tu_ent *e, void *arg)
{
	struct count_ctx *x = arg;
	x->c->tus++;
	if (e->module != x->last_module) {
		x->c->modules++;
		x->last_module = e->module;
	}
	const struct ttst_static_rec *s = ttst_meta_statics(e->tu);
	for (uint32_t i = 0; i < e->tu->nstatics; i++) {
		if (s[i].kind == TTST_S_VARIABLE)
			x->c->variables++;
		else if (s[i].kind == TTST_S_FUNCTION)
			x->c->functions++;
	}
	return 0;
}

void ttst_static_counts(struct ttst_static_counts *c)
{
	memset(c, 0, sizeof *c);
	struct count_ctx x = {c, NULL};
	ttst_site_foreach_tu(count_tu, &x);
}

/* Objects of the program: statics, locals, heap, mmap. */
static void put_objects(struct out *o)
{
	struct ttst_static_counts c;
	ttst_static_counts(&c);
	put(o, "modules=%zu\ntus=%zu\nstatic_objects=%zu\nfunctions=%zu\nlocals=%zu\n", c.modules,
	    c.tus, c.variables, c.functions, ttst_locals_count());
	int64_t objs[2], bytes[2];
	ttst_tls_counters(objs, bytes);
	put(o, "heap_objects_typed=%lld\nheap_bytes_typed=%lld\n", (long long)objs[1],
	    (long long)bytes[1]);
	put(o, "heap_objects_untyped=%lld\nheap_bytes_untyped=%lld\n", (long long)objs[0],
	    (long long)bytes[0]);
	size_t nreg, regbytes;
	ttst_regions_count(&nreg, &regbytes);
	put(o, "mmap_regions=%zu\nmmap_bytes=%zu\n", nreg, regbytes);
}

size_t ttst_status_text(char *buf, size_t n, int parked)
{
	struct out o = {buf, n, 0};
	buf[0] = 0;
	char exe[4096];
	ssize_t r = readlink("/proc/self/exe", exe, sizeof exe - 1);
	exe[r > 0 ? r : 0] = 0;
	put(&o, "pid=%d\n", (int)getpid());
	put_text(&o, "program", exe);
	put(&o, "abi_version=%d\n", TTST_ABI_VERSION);
	put_objects(&o);
	put(&o, "threads=%zu\nupdate_points=%llu\nparked=%d\n", ttst_threads_count(),
	    (unsigned long long)ttst_quiesce_update_points(), parked);
	struct ttst_last_update u;
	ttst_update_last(&u);
	put_text(&o, "last_update", u.happened ? u.outcome : "none");
	put(&o, "last_update_time=%lld\nlast_update_ms=%u\n", (long long)(u.happened ? u.when : 0),
	    u.duration_ms);
	put_text(&o, "last_update_detail", u.detail);
	put(&o, "timeout_ms=%u\npark_timeout_ms=%u\nvalidate=%d\n", ttst_opts.timeout_ms,
	    ttst_opts.park_timeout_ms, ttst_opts.validate);
	return o.len;
}
