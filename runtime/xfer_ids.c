/* xfer_ids.c -- program-level state and site IDs for the engine (meta.h qualification of same-basename TUs). */
#include <string.h>

#include "sites.h"
#include "ttst/meta.h"
#include "xfer_int.h"

/* One TU whose IDs are qualified because another TU of its program shares its
 * basename: the qualified static and site IDs, indexed like its records. */
struct xf_qtu {
	const struct ttst_tu_hdr *tu;
	char **sid; /* nstatics entries; NULL = the raw ID stands */
	char **aid; /* nsites entries */
	uint32_t nsid, naid; /* kept: a source TU's blob may be gone when they are freed */
};

/* The qualified form of ID string off of tu, or NULL if it stands as it is.
 * Returns (char *)-1 when out of memory. */
static char *qualified(const struct ttst_tu_hdr *tu, uint32_t off, const char *tag)
{
	char buf[1024];
	const char *path = ttst_meta_str(tu, tu->file);
	if (ttst_meta_qualify_id(ttst_meta_str(tu, off), path, tag, buf, sizeof buf) <= 0)
		return NULL; /* unchanged, or too long to qualify (stays unique per TU) */
	size_t n = strlen(buf) + 1;
	char *s = xf_alloc(n);
	return s ? memcpy(s, buf, n) : (char *)-1;
}

/* Adds TU tu (tag longer than its basename) to x's qualified list. */
static int add_qtu(struct xf *x, const struct ttst_tu_hdr *tu, const char *tag)
{
	struct xf_qtu *q = xf_realloc(x->qtus, (x->nq + 1) * sizeof *q);
	if (!q)
		return -1;
	x->qtus = q;
	q = &x->qtus[x->nq++];
	q->tu = tu;
	q->nsid = q->naid = 0;
	q->sid = xf_calloc(tu->nstatics ? tu->nstatics : 1, sizeof *q->sid);
	q->aid = xf_calloc(tu->nsites ? tu->nsites : 1, sizeof *q->aid);
	if (!q->sid || !q->aid)
		return -1;
	q->nsid = tu->nstatics;
	q->naid = tu->nsites;
	for (uint32_t i = 0; i < tu->nstatics; i++)
		if ((q->sid[i] = qualified(tu, ttst_meta_statics(tu)[i].id, tag)) == (char *)-1)
			return q->sid[i] = NULL, -1;
	for (uint32_t i = 0; i < tu->nsites; i++)
		if ((q->aid[i] = qualified(tu, ttst_meta_sites(tu)[i].id, tag)) == (char *)-1)
			return q->aid[i] = NULL, -1;
	return 0;
}

/* Qualifies the TUs of one program (tus[0..n)) that need it. */
static int qualify_side(struct xf *x, const struct ttst_tu_hdr *const *tus, size_t n)
{
	const char **paths = xf_alloc((n ? n : 1) * sizeof *paths);
	int rc = -1;
	if (!paths)
		return -1;
	for (size_t i = 0; i < n; i++)
		paths[i] = ttst_meta_str(tus[i], tus[i]->file);
	for (size_t i = 0; i < n; i++) {
		const char *tag = ttst_meta_tu_tag(paths, n, i);
		const char *base = strrchr(paths[i], '/');
		if (tag != (base ? base + 1 : paths[i]) && add_qtu(x, tus[i], tag) < 0)
			goto out;
	}
	rc = 0;
out:
	xf_free(paths);
	return rc;
}

static int collect_tu(const struct ttst_tu_ent *e, void *arg)
{
	struct xf *x = arg;
	const struct ttst_tu_hdr **n = xf_realloc(x->tus, (x->ntus + 1) * sizeof *n);
	if (!n)
		return -1;
	x->tus = n;
	x->tus[x->ntus++] = e->tu;
	return 0;
}

int xf_ids_init(struct xf *x)
{
	if (ttst_site_foreach_tu(collect_tu, x) < 0 ||
	    qualify_side(x, x->src->tus, x->src->ntus) < 0 ||
	    qualify_side(x, x->tus, x->ntus) < 0)
		return xf_fail(x, "out of memory qualifying state IDs");
	return 0;
}

/* The qualified-ID entry of tu, or NULL. */
static const struct xf_qtu *find_qtu(const struct xf *x, const struct ttst_tu_hdr *tu)
{
	for (size_t i = 0; i < x->nq; i++)
		if (x->qtus[i].tu == tu)
			return &x->qtus[i];
	return NULL;
}

const char *xf_static_id(const struct xf *x, const struct ttst_tu_hdr *tu, uint32_t i)
{
	const struct xf_qtu *q = x->nq ? find_qtu(x, tu) : NULL;
	if (q && i < tu->nstatics && q->sid[i])
		return q->sid[i];
	return ttst_meta_str(tu, ttst_meta_statics(tu)[i].id);
}

const char *xf_site_id(const struct xf *x, const struct ttst_tu_hdr *tu, uint32_t i)
{
	const struct xf_qtu *q = x->nq ? find_qtu(x, tu) : NULL;
	if (q && i < tu->nsites && q->aid[i])
		return q->aid[i];
	return ttst_meta_str(tu, ttst_meta_sites(tu)[i].id);
}

void xf_ids_free(struct xf *x)
{
	for (size_t i = 0; i < x->nq; i++) {
		for (uint32_t k = 0; k < x->qtus[i].nsid; k++)
			xf_free(x->qtus[i].sid[k]);
		for (uint32_t k = 0; k < x->qtus[i].naid; k++)
			xf_free(x->qtus[i].aid[k]);
		xf_free(x->qtus[i].sid);
		xf_free(x->qtus[i].aid);
	}
	xf_free(x->qtus);
}
