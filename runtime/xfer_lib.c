/* xfer_lib.c -- pointers into no source object: stdio streams, functions of shared libraries, refusals. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "alloc.h"
#include "xfer_int.h"

/* Parses one /proc/PID/maps line into e (path copied).  Returns 0 or -1. */
static int parse_line(const char *line, struct xf_mapent *e)
{
	unsigned long long s, en, off;
	char perms[8];
	int pos = 0;
	if (sscanf(line, "%llx-%llx %7s %llx %*s %*s%n", &s, &en, perms, &off, &pos) < 4)
		return -1;
	const char *p = line + pos;
	while (*p == ' ' || *p == '\t')
		p++;
	size_t n = strcspn(p, "\n");
	e->path = xf_alloc(n + 1);
	if (!e->path)
		return -1;
	memcpy(e->path, p, n);
	e->path[n] = '\0';
	e->start = s;
	e->end = en;
	e->off = off;
	memcpy(e->perms, perms, 4);
	e->perms[4] = '\0';
	return 0;
}

/* Loads /proc/<pid>/maps (pid 0: this process) once. */
static int maps_load(struct xf_maps *m, int pid)
{
	if (m->loaded)
		return m->loaded > 0 ? 0 : -1;
	char path[64], line[4352];
	if (pid)
		snprintf(path, sizeof path, "/proc/%d/maps", pid);
	else
		snprintf(path, sizeof path, "/proc/self/maps");
	m->loaded = -1;
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	size_t cap = 0;
	while (fgets(line, sizeof line, f)) {
		if (TTST_GROW(m->v, m->n, cap, 128) < 0)
			goto err;
		if (parse_line(line, &m->v[m->n]) == 0)
			m->n++;
	}
	fclose(f);
	m->loaded = 1;
	return 0;
err:
	fclose(f);
	return -1;
}

void xf_maps_free(struct xf_maps *m)
{
	for (size_t i = 0; i < m->n; i++)
		xf_free(m->v[i].path);
	xf_free(m->v);
	memset(m, 0, sizeof *m);
}

static const struct xf_mapent *maps_find(const struct xf_maps *m, uint64_t a)
{
	size_t lo = 0, hi = m->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (m->v[mid].end <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < m->n && m->v[lo].start <= a ? &m->v[lo] : NULL;
}

/* The mapping of the source process holding a, or NULL (maps unreadable). */
const struct xf_mapent *xf_src_map(struct xf *x, uint64_t a)
{
	if (!x->src->pid || maps_load(&x->smaps, x->src->pid) < 0)
		return NULL;
	return maps_find(&x->smaps, a);
}

/* The same byte of the same file in this process: a library mapped here too. */
static int same_file_here(struct xf *x, const struct xf_mapent *sm, uint64_t v, uint64_t *here)
{
	if (maps_load(&x->hmaps, 0) < 0)
		return -1;
	uint64_t fo = sm->off + (v - sm->start);
	for (size_t i = 0; i < x->hmaps.n; i++) {
		const struct xf_mapent *h = &x->hmaps.v[i];
		if (!strcmp(h->path, sm->path) && fo >= h->off && fo - h->off < h->end - h->start &&
		    !strcmp(h->perms, sm->perms)) {
			*here = h->start + (fo - h->off);
			return 0;
		}
	}
	return -1;
}

/* A translated library address: a stdio stream or the start of a function. */
static int lib_target(struct xf *x, const struct xf_mapent *sm, uint64_t v, uint64_t here,
		      uint64_t *out)
{
	if (here == (uint64_t)(uintptr_t)stdin || here == (uint64_t)(uintptr_t)stdout ||
	    here == (uint64_t)(uintptr_t)stderr) {
		*out = here;
		x->rep->pointers++;
		return 0;
	}
	Dl_info di;
	if (sm->perms[2] == 'x') {
		/* Code of the same file at the same offset: the same function.  A
		 * named entry point is re-resolved by name (interposition); an
		 * IFUNC implementation has no exported name and keeps its offset. */
		void *p = NULL;
		if (dladdr((void *)(uintptr_t)here, &di) && di.dli_sname &&
		    (uint64_t)(uintptr_t)di.dli_saddr == here)
			p = dlsym(RTLD_DEFAULT, di.dli_sname);
		*out = p ? (uint64_t)(uintptr_t)p : here;
		x->rep->pointers++;
		return 0;
	}
	(void)v;
	return xf_err(x,
		      "points into %s (data of a library ttst does not describe); annotate the "
		      "member IXFER to copy the address unchanged, or set it in a transfer "
		      "callback",
		      sm->path);
}

/* Non-zero if v is inside the source's argument / environment strings
 * (/proc/PID/stat fields arg_start .. env_end). */
static int in_args(struct xf *x, uint64_t v)
{
	if (!x->args_loaded) {
		char path[64], buf[2048];
		x->args_loaded = 1;
		snprintf(path, sizeof path, "/proc/%d/stat", x->src->pid);
		FILE *f = fopen(path, "re");
		if (!f)
			return 0;
		size_t n = fread(buf, 1, sizeof buf - 1, f);
		fclose(f);
		buf[n] = '\0';
		char *p = strrchr(buf, ')'); /* fields after the command name */
		unsigned long long fld[52] = {0};
		int k = 2;
		for (char *t = p ? strtok(p + 1, " ") : NULL; t && k < 52; t = strtok(NULL, " "))
			fld[++k] = strtoull(t, NULL, 10);
		x->arg_lo = fld[48];
		x->arg_hi = fld[51];
	}
	return v >= x->arg_lo && v < x->arg_hi;
}

/* A pointer into an argument or environment string: a copy of the string
 * (one per source address), since the new version's strings lie elsewhere. */
static int copy_arg(struct xf *x, uint64_t v, uint64_t *out)
{
	for (size_t i = 0; i < x->nargcopies; i++)
		if (x->argcopies[i][0] == v) {
			*out = x->argcopies[i][1];
			return 0;
		}
	char buf[4096];
	size_t n = x->arg_hi - v < sizeof buf ? (size_t)(x->arg_hi - v) : sizeof buf;
	if (x->src->read(x->src->read_ctx, v, buf, n) < 0)
		return xf_err(x, "cannot read the argument string at 0x%llx", (unsigned long long)v);
	size_t len = strnlen(buf, n);
	uint64_t(*c)[2] = xf_realloc(x->argcopies, (x->nargcopies + 1) * sizeof *c);
	char *p = c ? ttst_alloc_block(len + 1, 0, 0) : NULL;
	if (c)
		x->argcopies = c;
	if (!p)
		return xf_err(x, "out of memory copying an argument string");
	memcpy(p, buf, len);
	p[len] = '\0';
	x->argcopies[x->nargcopies][0] = v;
	x->argcopies[x->nargcopies++][1] = (uint64_t)(uintptr_t)p;
	*out = (uint64_t)(uintptr_t)p;
	x->rep->pointers++;
	return 0;
}

int xf_ptr_lib(struct xf *x, uint64_t v, uint64_t *out)
{
	const struct xf_mapent *sm = xf_src_map(x, v);
	uint64_t here;
	if (!sm) {
		if (!x->src->pid || x->smaps.loaded < 0)
			return xf_err(x,
				      "pointer 0x%llx points into no object of the old version "
				      "(dangling?)",
				      (unsigned long long)v);
		return xf_err(x, "dangling pointer 0x%llx: nothing is mapped there in the old version",
			      (unsigned long long)v);
	}
	if (!sm->path[0] || !strcmp(sm->path, "[heap]"))
		return xf_err(x,
			      "dangling pointer 0x%llx: it points into no live object of the old "
			      "version (freed memory?)",
			      (unsigned long long)v);
	if (!strcmp(sm->path, "[stack]") && in_args(x, v))
		return copy_arg(x, v, out);
	if (!strcmp(sm->path, "[stack]") || !strncmp(sm->path, "[stack:", 7))
		return xf_err(x,
			      "pointer 0x%llx points into the old version's stack, not into a "
			      "local that is part of the state (mark its function TTST_STATEFUL)",
			      (unsigned long long)v);
	if (sm->path[0] == '[' || strstr(sm->path, " (deleted)"))
		return xf_err(x, "pointer 0x%llx points into %s of the old version, which cannot "
				 "be transferred",
			      (unsigned long long)v, sm->path);
	if (same_file_here(x, sm, v, &here) < 0)
		return xf_err(x,
			      "points into %s, which the new version does not map (a library "
			      "object or code ttst does not describe)",
			      sm->path);
	return lib_target(x, sm, v, here, out);
}
