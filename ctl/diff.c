/* diff.c -- `ttst-ctl diff [--json] OLD NEW`: what changes between two versions of a program and how
 * a live update handles each change (the engine's own rules, runtime/xfer_rules.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../runtime/xfer_rules.h"
#include "commands.h"
#include "json.h"
#include "model.h"
#include "ttst/abi.h"
#include "ttst/meta.h"

#define SYNOPSIS "usage: ttst-ctl diff [--json] OLD NEW"
#define WHY_LEN 512

/* A named type of one side and where its record lives (for the rules). */
struct dnamed {
	const char *name;
	struct ttst_tref t;
};

/* One version: its model plus, in the model's order, the blob records of its statics and sites. */
struct dside {
	struct ctl_model *m;
	struct ttst_tref *st, *si; /* per model static / site: blob + its type index */
	uint32_t *sflags;	   /* per model static: TTST_SF_* */
	struct dnamed *named;
	size_t nnamed, ist, isi;
};

/* One reported change. */
struct dchange {
	const char *what;   /* type name, state ID or site ID */
	const char *change; /* "added", "dropped", "changed" */
	enum ttst_verdict v;
	char why[WHY_LEN];
};

/* All changes of one category. */
struct dlist {
	struct dchange *v;
	size_t n, cap;
};

static const struct dnamed *find_named(const struct dside *s, const char *name)
{
	for (size_t i = 0; i < s->nnamed; i++)
		if (!strcmp(s->named[i].name, name))
			return &s->named[i];
	return NULL;
}

/* ttst_meta_walk() callback: records the blob records of one TU. */
static int index_tu(const struct ttst_tu_hdr *h, void *arg)
{
	struct dside *s = arg;
	const struct ttst_type_rec *t = ttst_meta_types(h);
	const struct ttst_static_rec *st = ttst_meta_statics(h);
	const struct ttst_site_rec *si = ttst_meta_sites(h);

	for (uint32_t i = 0; i < h->ntypes; i++) {
		const char *name = ttst_meta_str(h, t[i].name);

		if ((t[i].kind != TTST_K_STRUCT && t[i].kind != TTST_K_UNION &&
		     t[i].kind != TTST_K_ENUM) ||
		    (t[i].flags & (TTST_TF_ANON | TTST_TF_INCOMPLETE)) || !name || !*name ||
		    find_named(s, name))
			continue;
		s->named[s->nnamed++] = (struct dnamed){name, {h, i}};
	}
	for (uint32_t i = 0; i < h->nstatics && s->ist < s->m->nstatics; i++, s->ist++) {
		s->st[s->ist] = (struct ttst_tref){h, st[i].type};
		s->sflags[s->ist] = st[i].flags;
	}
	for (uint32_t i = 0; i < h->nsites && s->isi < s->m->nsites; i++, s->isi++)
		s->si[s->isi] = (struct ttst_tref){h, si[i].type};
	return 0;
}

/* Loads path into s.  Returns 0, or -1 with the message (as inspect's) in err. */
static int side_load(struct dside *s, const char *path, char *err, size_t errlen)
{
	char why[256];

	memset(s, 0, sizeof(*s));
	s->m = ctl_model_load(path, err, errlen);
	if (!s->m)
		return -1;
	s->st = calloc(s->m->nstatics + 1, sizeof(*s->st));
	s->si = calloc(s->m->nsites + 1, sizeof(*s->si));
	s->sflags = calloc(s->m->nstatics + 1, sizeof(*s->sflags));
	s->named = calloc(s->m->ntypes + 1, sizeof(*s->named));
	if (!s->st || !s->si || !s->sflags || !s->named) {
		snprintf(err, errlen, "ttst-ctl: diff: %s: out of memory", path);
		return -1;
	}
	/* the model owns an aligned heap copy of the section, so the blob pointers stay valid */
	if (ttst_meta_walk(s->m->section, s->m->section_len, index_tu, s, why, sizeof(why)) != 0 ||
	    s->ist != s->m->nstatics || s->isi != s->m->nsites) {
		snprintf(err, errlen, "ttst-ctl: %s: ttst_meta: %s", path, why);
		return -1;
	}
	return 0;
}

static void side_free(struct dside *s)
{
	ctl_model_free(s->m);
	free(s->st);
	free(s->si);
	free(s->sflags);
	free(s->named);
}

/* Appends a change; returns it, or NULL when out of memory. */
static struct dchange *add(struct dlist *l, const char *what, const char *change,
			   enum ttst_verdict v)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct dchange *nv = realloc(l->v, cap * sizeof(*nv));

		if (!nv)
			return NULL;
		l->v = nv;
		l->cap = cap;
	}
	l->v[l->n] = (struct dchange){what, change, v, ""};
	return &l->v[l->n++];
}

/* The structural hash of a type reference (0 for none). */
static uint64_t hash_of(struct ttst_tref t)
{
	const struct ttst_type_rec *r = ttst_rule_type(t);

	return r ? r->hash : 0;
}

/* Classifies a type change from a to b into c (SAME if the layouts are equal). */
static void classify(struct dchange *c, struct ttst_tref a, struct ttst_tref b)
{
	if (!ttst_rule_type(a) || !ttst_rule_type(b)) {
		c->v = ttst_rule_type(a) && ttst_rule_has_ptr(a) ? TTST_V_ANNOTATE : TTST_V_AUTO;
		snprintf(c->why, WHY_LEN, "%s became %s%s", ttst_rule_type_name(a),
			 ttst_rule_type(b) ? ttst_rule_type_name(b) : "untyped",
			 c->v == TTST_V_ANNOTATE ? "; its pointers need a transfer callback"
						 : " (bytes copied)");
		return;
	}
	c->v = ttst_rules_classify(a, b, NULL, c->why, WHY_LEN);
	if (c->v == TTST_V_SAME)
		snprintf(c->why, WHY_LEN, "same layout under another type record");
}

/* Types by name: added, dropped, changed (structural hash differs). */
static int diff_types(const struct dside *o, const struct dside *n, struct dlist *l)
{
	struct dchange *c;

	for (size_t i = 0; i < o->nnamed; i++) {
		const struct dnamed *b = find_named(n, o->named[i].name);

		if (b && hash_of(b->t) == hash_of(o->named[i].t))
			continue;
		c = add(l, o->named[i].name, b ? "changed" : "dropped", TTST_V_AUTO);
		if (!c)
			return -1;
		if (b)
			classify(c, o->named[i].t, b->t);
		else
			snprintf(c->why, WHY_LEN, "no longer defined (values of it are dropped)");
	}
	for (size_t i = 0; i < n->nnamed; i++) {
		if (find_named(o, n->named[i].name))
			continue;
		if (!(c = add(l, n->named[i].name, "added", TTST_V_AUTO)))
			return -1;
		snprintf(c->why, WHY_LEN, "new type");
	}
	return 0;
}

/* The index of the static with state ID id in s, or -1. */
static long find_static(const struct dside *s, const char *id)
{
	for (size_t i = 0; i < s->m->nstatics; i++)
		if (!strcmp(s->m->statics[i].id, id))
			return (long)i;
	return -1;
}

/* Statics that carry state: variables and locals (not functions, not string literals). */
static int stateful(const struct dside *s, size_t i)
{
	return s->m->statics[i].kind != TTST_S_FUNCTION && !(s->sflags[i] & TTST_SF_STRING) &&
	       !(s->sflags[i] & TTST_SF_CONST);
}

/* An added static of n with the same type name as old static i (a rename candidate), or NULL. */
static const char *rename_hint(const struct dside *o, size_t i, const struct dside *n)
{
	const char *tn = ttst_rule_type_name(o->st[i]);

	for (size_t k = 0; k < n->m->nstatics; k++)
		if (stateful(n, k) && find_static(o, n->m->statics[k].id) < 0 &&
		    !strcmp(ttst_rule_type_name(n->st[k]), tn))
			return n->m->statics[k].id;
	return NULL;
}

/* Statics by state ID. */
static int diff_statics(const struct dside *o, const struct dside *n, struct dlist *l)
{
	struct dchange *c;

	for (size_t i = 0; i < o->m->nstatics; i++) {
		long k = find_static(n, o->m->statics[i].id);
		const char *hint;

		if (!stateful(o, i) || (k >= 0 && hash_of(n->st[k]) == hash_of(o->st[i])))
			continue;
		if (!(c = add(l, o->m->statics[i].id, k >= 0 ? "changed" : "dropped", TTST_V_AUTO)))
			return -1;
		if (k >= 0) {
			classify(c, o->st[i], n->st[k]);
		} else if ((hint = rename_hint(o, i, n))) {
			snprintf(c->why, WHY_LEN,
				 "dropped (its value is discarded); if it is now %s, annotate "
				 "TTST_RENAME(\"%s\", \"%s\") in the new version",
				 hint, o->m->statics[i].id, hint);
		} else {
			snprintf(c->why, WHY_LEN, "dropped (its value is discarded)");
		}
	}
	for (size_t k = 0; k < n->m->nstatics; k++) {
		if (!stateful(n, k) || find_static(o, n->m->statics[k].id) >= 0)
			continue;
		if (!(c = add(l, n->m->statics[k].id, "added", TTST_V_AUTO)))
			return -1;
		snprintf(c->why, WHY_LEN, "new (keeps the value the new version gives it)");
	}
	return 0;
}

static long find_site(const struct dside *s, const char *id)
{
	for (size_t i = 0; i < s->m->nsites; i++)
		if (!(s->m->sites[i].flags & TTST_XF_FREE) && !strcmp(s->m->sites[i].id, id))
			return (long)i;
	return -1;
}

/* Allocation sites by site ID (deallocation sites hold no objects). */
static int diff_sites(const struct dside *o, const struct dside *n, struct dlist *l)
{
	struct dchange *c;

	for (size_t i = 0; i < o->m->nsites; i++) {
		long k;

		if (o->m->sites[i].flags & TTST_XF_FREE)
			continue;
		k = find_site(n, o->m->sites[i].id);
		if (k >= 0 && hash_of(n->si[k]) == hash_of(o->si[i]))
			continue;
		if (!(c = add(l, o->m->sites[i].id, k >= 0 ? "changed" : "dropped", TTST_V_AUTO)))
			return -1;
		if (k >= 0) {
			classify(c, o->si[i], n->si[k]);
		} else if (ttst_rule_type(o->si[i]) && ttst_rule_has_ptr(o->si[i])) {
			c->v = TTST_V_ANNOTATE;
			snprintf(c->why, WHY_LEN,
				 "site dropped and its objects (%s) hold pointers; keep the site or "
				 "transfer them in a callback",
				 ttst_rule_type_name(o->si[i]));
		} else {
			snprintf(c->why, WHY_LEN, "site dropped; its objects (%s) are copied as bytes",
				 ttst_rule_type(o->si[i]) ? ttst_rule_type_name(o->si[i]) : "untyped");
		}
	}
	for (size_t k = 0; k < n->m->nsites; k++) {
		if ((n->m->sites[k].flags & TTST_XF_FREE) || find_site(o, n->m->sites[k].id) >= 0)
			continue;
		if (!(c = add(l, n->m->sites[k].id, "added", TTST_V_AUTO)))
			return -1;
		snprintf(c->why, WHY_LEN, "new site");
	}
	return 0;
}

/* Which annotation a reason asks for, or NULL. */
static const char *annotation_of(const struct dchange *c)
{
	if (c->v != TTST_V_ANNOTATE)
		return NULL;
	if (strstr(c->why, "PXFER"))
		return "PXFER";
	if (strstr(c->why, "IXFER"))
		return "IXFER";
	if (strstr(c->why, "TTST_RENAME"))
		return "rename";
	return "callback";
}

static const char *verdict_word(enum ttst_verdict v)
{
	return v == TTST_V_ANNOTATE ? "needs annotation" : ttst_verdict_name(v);
}

static void print_text(FILE *f, const char *title, const struct dlist *l)
{
	fprintf(f, "%s: %zu changed\n", title, l->n);
	for (size_t i = 0; i < l->n; i++) {
		const struct dchange *c = &l->v[i];
		const char *ann = annotation_of(c);

		fprintf(f, "  %-8s %s: %s%s%s%s -- %s\n", c->change, c->what, verdict_word(c->v),
			ann ? " (" : "", ann ? ann : "", ann ? ")" : "", c->why);
	}
}

static void print_json(struct ctl_json *j, const char *key, const struct dlist *l)
{
	ctl_json_arr(j, key);
	for (size_t i = 0; i < l->n; i++) {
		const struct dchange *c = &l->v[i];

		ctl_json_obj(j, NULL);
		ctl_json_str(j, !strcmp(key, "types") ? "name" : "id", c->what);
		ctl_json_str(j, "change", c->change);
		ctl_json_str(j, "verdict", verdict_word(c->v));
		if (annotation_of(c))
			ctl_json_str(j, "annotation", annotation_of(c));
		else
			ctl_json_null(j, "annotation");
		ctl_json_str(j, "reason", c->why);
		ctl_json_obj_end(j);
	}
	ctl_json_arr_end(j);
}

/* Counts verdicts over the three lists: [0] automatic (incl. same), [1] annotation, [2] impossible. */
static void count(const struct dlist *l, size_t nl, size_t out[3])
{
	out[0] = out[1] = out[2] = 0;
	for (size_t k = 0; k < nl; k++)
		for (size_t i = 0; i < l[k].n; i++)
			out[l[k].v[i].v == TTST_V_ANNOTATE	 ? 1
			    : l[k].v[i].v == TTST_V_IMPOSSIBLE ? 2
							       : 0]++;
}

/* Prints the report; returns 0, or -1 if the output cannot be written. */
static int report(FILE *f, int json, const struct dlist l[3], const size_t sum[3])
{
	static const char *const keys[3] = {"types", "statics", "sites"};
	struct ctl_json j;

	if (json) {
		ctl_json_init(&j, f);
		ctl_json_obj(&j, NULL);
		for (int k = 0; k < 3; k++)
			print_json(&j, keys[k], &l[k]);
		ctl_json_obj(&j, "summary");
		ctl_json_uint(&j, "automatic", sum[0]);
		ctl_json_uint(&j, "annotation", sum[1]);
		ctl_json_uint(&j, "impossible", sum[2]);
		ctl_json_obj_end(&j);
		ctl_json_obj_end(&j);
		fputc('\n', f);
	} else {
		for (int k = 0; k < 3; k++)
			print_text(f, keys[k], &l[k]);
		fprintf(f, "summary: %zu automatic, %zu need an annotation, %zu impossible\n", sum[0],
			sum[1], sum[2]);
	}
	return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}

/* Parses the arguments; returns -1 after printing the usage error, 1 for --help, else 0. */
static int parse(int argc, char **argv, int *json, const char *path[2])
{
	int opts = 1, np = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (opts && !strcmp(a, "--json")) {
			*json = 1;
		} else if (opts && (!strcmp(a, "-h") || !strcmp(a, "--help"))) {
			printf(SYNOPSIS "\n"
			       "Lists the types (by name), static objects (by state ID) and allocation\n"
			       "sites (by site ID) that differ between the binaries OLD and NEW, and for each\n"
			       "whether a live update handles it automatically, needs an annotation (IXFER,\n"
			       "PXFER, TTST_RENAME, a callback) or cannot do it.  Exit 0: all automatic;\n"
			       "1: something needs an annotation or is impossible; 2: bad input.\n");
			return 1;
		} else if (opts && !strcmp(a, "--")) {
			opts = 0;
		} else if (opts && a[0] == '-' && a[1]) {
			fprintf(stderr, "ttst-ctl: diff: unknown option '%s'; %s\n", a, SYNOPSIS);
			return -1;
		} else if (np == 2) {
			fprintf(stderr, "ttst-ctl: diff: two binaries only ('%s' is a third); %s\n", a,
				SYNOPSIS);
			return -1;
		} else {
			path[np++] = a;
		}
	}
	if (np != 2) {
		fprintf(stderr, "ttst-ctl: diff: missing %s; %s\n", np ? "NEW" : "OLD and NEW",
			SYNOPSIS);
		return -1;
	}
	return 0;
}

int cmd_diff(int argc, char **argv)
{
	const char *path[2] = {NULL, NULL};
	struct dside o, n;
	struct dlist l[3] = {{0}};
	size_t sum[3];
	char err[1024];
	int json = 0, rc = CTL_EXIT_USAGE, p = parse(argc, argv, &json, path);

	if (p)
		return p > 0 ? CTL_EXIT_OK : CTL_EXIT_USAGE;
	memset(&n, 0, sizeof(n));
	if (side_load(&o, path[0], err, sizeof(err)) || side_load(&n, path[1], err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	if (diff_types(&o, &n, &l[0]) || diff_statics(&o, &n, &l[1]) ||
	    diff_sites(&o, &n, &l[2])) {
		fprintf(stderr, "ttst-ctl: diff: out of memory comparing %s and %s\n", path[0],
			path[1]);
		goto out;
	}
	count(l, 3, sum);
	if (report(stdout, json, l, sum)) {
		fprintf(stderr, "ttst-ctl: diff: cannot write the output: %s\n", strerror(errno));
		goto out;
	}
	rc = sum[1] || sum[2] ? CTL_EXIT_FAILED : CTL_EXIT_OK;
out:
	for (int k = 0; k < 3; k++)
		free(l[k].v);
	side_free(&o);
	side_free(&n);
	return rc;
}
