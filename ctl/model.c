/* model.c -- merges the TU blobs of a ttst_meta section into one program model. */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "ttst/meta.h"

/* Makes room for `need` elements of size elsz in (*p, *cap).  Returns 0 or -1. */
static int grow(void **p, size_t *cap, size_t need, size_t elsz)
{
	if (need <= *cap)
		return 0;
	size_t ncap = *cap ? *cap : 16;
	while (ncap < need)
		ncap *= 2;
	void *np = realloc(*p, ncap * elsz);
	if (!np)
		return -1;
	*p = np;
	*cap = ncap;
	return 0;
}

/* Mixes a 64-bit hash into a slot number. */
static size_t slot_of(uint64_t h, size_t nslots)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return (size_t)h & (nslots - 1);
}

/* Returns the global index of the type with hash h, or CTL_NO_TYPE. */
static uint32_t lookup(const struct ctl_model *m, uint64_t h)
{
	if (!m->nslots)
		return CTL_NO_TYPE;
	for (size_t s = slot_of(h, m->nslots);; s = (s + 1) & (m->nslots - 1)) {
		uint32_t v = m->slots[s];
		if (!v)
			return CTL_NO_TYPE;
		if (m->types[v - 1].hash == h)
			return v - 1;
	}
}

/* Inserts type index i (hash h) into the table, growing it to keep the load
 * under one half.  Returns 0 or -1 (out of memory). */
static int insert(struct ctl_model *m, uint64_t h, uint32_t i)
{
	if ((m->ntypes + 1) * 2 > m->nslots) {
		size_t n = m->nslots ? m->nslots * 2 : 64;
		uint32_t *ns = calloc(n, sizeof(*ns));
		if (!ns)
			return -1;
		uint32_t *old = m->slots;
		size_t oldn = m->nslots;
		m->slots = ns;
		m->nslots = n;
		for (size_t s = 0; s < oldn; s++)
			if (old[s])
				insert(m, m->types[old[s] - 1].hash, old[s] - 1);
		free(old);
	}
	size_t s = slot_of(h, m->nslots);
	while (m->slots[s])
		s = (s + 1) & (m->nslots - 1);
	m->slots[s] = i + 1;
	return 0;
}

/* Maps a TU-local type index to a global one through map. */
static uint32_t gidx(const uint32_t *map, uint32_t ntypes, uint32_t local)
{
	return local < ntypes ? map[local] : CTL_NO_TYPE;
}

/* Pass 1 over one TU: finds or appends every type; fills map. */
static int add_types(struct ctl_model *m, const struct ttst_tu_hdr *h, uint32_t *map)
{
	const struct ttst_type_rec *t = ttst_meta_types(h);
	for (uint32_t i = 0; i < h->ntypes; i++) {
		uint32_t g = lookup(m, t[i].hash);
		if (g == CTL_NO_TYPE) {
			if (m->ntypes >= CTL_NO_TYPE - 1 || grow((void **)&m->types, &m->cap_types,
								 m->ntypes + 1, sizeof(*m->types)))
				return -1;
			g = (uint32_t)m->ntypes;
			struct ctl_type *ct = &m->types[g];
			memset(ct, 0, sizeof(*ct));
			snprintf(ct->id, sizeof(ct->id), "%016llx", (unsigned long long)t[i].hash);
			ct->hash = t[i].hash;
			ct->name = ttst_meta_str(h, t[i].name);
			ct->kind = t[i].kind;
			ct->flags = t[i].flags;
			ct->size = t[i].size;
			ct->ref = CTL_NO_TYPE;
			m->ntypes++;
			if (insert(m, t[i].hash, g))
				return -1;
		}
		map[i] = g;
	}
	return 0;
}

/* Copies the members of local struct/union type t into the model. */
static int add_members(struct ctl_model *m, const struct ttst_tu_hdr *h,
		       const struct ttst_type_rec *t, const uint32_t *map, struct ctl_type *ct)
{
	const struct ttst_member_rec *mr = ttst_meta_members(h) + t->ref;
	if (grow((void **)&m->members, &m->cap_members, m->nmembers + t->count,
		 sizeof(*m->members)))
		return -1;
	ct->first = (uint32_t)m->nmembers;
	ct->n = t->count;
	for (uint32_t k = 0; k < t->count; k++) {
		struct ctl_member *cm = &m->members[m->nmembers++];
		cm->name = ttst_meta_str(h, mr[k].name);
		cm->type = gidx(map, h->ntypes, mr[k].type);
		cm->flags = mr[k].flags;
		cm->offset = mr[k].offset;
		cm->bit_offset = mr[k].bit_offset;
		cm->bit_size = mr[k].bit_size;
	}
	return 0;
}

/* Copies the enumerators of local enum type t into the model. */
static int add_enums(struct ctl_model *m, const struct ttst_tu_hdr *h,
		     const struct ttst_type_rec *t, struct ctl_type *ct)
{
	const struct ttst_enum_rec *er = ttst_meta_enums(h) + t->ref;
	if (grow((void **)&m->enums, &m->cap_enums, m->nenums + t->count, sizeof(*m->enums)))
		return -1;
	ct->first = (uint32_t)m->nenums;
	ct->n = t->count;
	for (uint32_t k = 0; k < t->count; k++) {
		m->enums[m->nenums].name = ttst_meta_str(h, er[k].name);
		m->enums[m->nenums++].value = er[k].value;
	}
	return 0;
}

/* Pass 2 over one TU: translates the references of the types it added. */
static int resolve_types(struct ctl_model *m, const struct ttst_tu_hdr *h, const uint32_t *map)
{
	const struct ttst_type_rec *t = ttst_meta_types(h);
	for (uint32_t i = 0; i < h->ntypes; i++) {
		struct ctl_type *ct = &m->types[map[i]];
		if (ct->resolved)
			continue;
		ct->resolved = 1;
		switch (t[i].kind) {
		case TTST_K_POINTER:
		case TTST_K_FUNCTION:
			ct->ref = gidx(map, h->ntypes, t[i].ref);
			break;
		case TTST_K_ARRAY:
			ct->ref = gidx(map, h->ntypes, t[i].ref);
			ct->count = t[i].count;
			break;
		case TTST_K_STRUCT:
		case TTST_K_UNION:
			if (add_members(m, h, &t[i], map, ct))
				return -1;
			break;
		case TTST_K_ENUM:
			if (add_enums(m, h, &t[i], ct))
				return -1;
			break;
		default:
			break;
		}
	}
	return 0;
}

/* Copies one TU's statics and sites into the model. */
static int add_objects(struct ctl_model *m, const struct ttst_tu_hdr *h, const uint32_t *map)
{
	const struct ttst_static_rec *s = ttst_meta_statics(h);
	const struct ttst_site_rec *a = ttst_meta_sites(h);
	if (grow((void **)&m->statics, &m->cap_statics, m->nstatics + h->nstatics,
		 sizeof(*m->statics)) ||
	    grow((void **)&m->sites, &m->cap_sites, m->nsites + h->nsites, sizeof(*m->sites)))
		return -1;
	for (uint32_t i = 0; i < h->nstatics; i++) {
		struct ctl_static *cs = &m->statics[m->nstatics++];
		cs->id = ttst_meta_str(h, s[i].id);
		cs->name = ttst_meta_str(h, s[i].name);
		cs->file = ttst_meta_str(h, s[i].file);
		cs->kind = s[i].kind;
		cs->flags = s[i].flags;
		cs->type = gidx(map, h->ntypes, s[i].type);
		cs->line = s[i].line;
		cs->tu = m->ntus;
	}
	for (uint32_t i = 0; i < h->nsites; i++) {
		struct ctl_site *cs = &m->sites[m->nsites++];
		cs->id = ttst_meta_str(h, a[i].id);
		cs->func = ttst_meta_str(h, a[i].func);
		cs->file = ttst_meta_str(h, a[i].file);
		cs->allocator = ttst_meta_str(h, a[i].allocator);
		cs->line = a[i].line;
		cs->flags = a[i].flags;
		cs->const_size = a[i].const_size;
		cs->type = gidx(map, h->ntypes, a[i].type);
		cs->tu = m->ntus;
	}
	return 0;
}

/* ttst_meta_walk() callback: merges one TU blob into the model. */
static int add_tu(const struct ttst_tu_hdr *h, void *arg)
{
	struct ctl_model *m = arg;
	uint32_t *map = malloc((h->ntypes ? h->ntypes : 1) * sizeof(*map));
	int rc = -1;
	if (!map)
		return -1;
	const char **paths = realloc(m->tu_paths, (m->ntus + 1) * sizeof(*paths));
	if (!paths)
		goto out;
	m->tu_paths = paths;
	paths[m->ntus] = ttst_meta_str(h, h->file);
	if (add_types(m, h, map) || resolve_types(m, h, map) || add_objects(m, h, map))
		goto out;
	m->ntus++;
	rc = 0;
out:
	free(map);
	return rc;
}

/* Returns the one complete struct/union/enum named like incomplete type t,
 * or CTL_NO_TYPE if there is none or more than one. */
static uint32_t complete_twin(const struct ctl_model *m, const struct ctl_type *t)
{
	uint32_t found = CTL_NO_TYPE;
	for (size_t i = 0; i < m->ntypes; i++) {
		const struct ctl_type *c = &m->types[i];
		if (c->kind != t->kind || (c->flags & TTST_TF_INCOMPLETE) ||
		    strcmp(c->name, t->name))
			continue;
		if (found != CTL_NO_TYPE)
			return CTL_NO_TYPE;
		found = (uint32_t)i;
	}
	return found;
}

/* Re-points references to incomplete aggregates (e.g. a pointer to a struct
 * that one TU only declares) to their unique complete definition. */
static int complete_refs(struct ctl_model *m)
{
	uint32_t *to = malloc((m->ntypes ? m->ntypes : 1) * sizeof(*to));
	if (!to)
		return -1;
	for (size_t i = 0; i < m->ntypes; i++)
		to[i] = (m->types[i].flags & TTST_TF_INCOMPLETE) ? complete_twin(m, &m->types[i])
								 : CTL_NO_TYPE;
#define FIX(x)                                                                                     \
	do {                                                                                       \
		if ((x) != CTL_NO_TYPE && to[(x)] != CTL_NO_TYPE)                                  \
			(x) = to[(x)];                                                             \
	} while (0)
	for (size_t i = 0; i < m->ntypes; i++)
		FIX(m->types[i].ref);
	for (size_t i = 0; i < m->nmembers; i++)
		FIX(m->members[i].type);
	for (size_t i = 0; i < m->nstatics; i++)
		FIX(m->statics[i].type);
	for (size_t i = 0; i < m->nsites; i++)
		FIX(m->sites[i].type);
#undef FIX
	free(to);
	return 0;
}

/* Replaces *id by its program-level form (meta.h) when its TU shares its
 * basename with another TU.  Returns 0, or -1 when out of memory. */
static int qualify(struct ctl_model *m, const char **id, uint32_t tu, const char *const *tags)
{
	char buf[1024];
	int r = ttst_meta_qualify_id(*id, m->tu_paths[tu], tags[tu], buf, sizeof(buf));
	if (r <= 0)
		return 0; /* unchanged (an over-long ID stays as it is: still unique per TU) */
	char **owned = realloc(m->owned, (m->nowned + 1) * sizeof(*owned));
	if (!owned)
		return -1;
	m->owned = owned;
	if (!(owned[m->nowned] = strdup(buf)))
		return -1;
	*id = owned[m->nowned++];
	return 0;
}

/* Qualifies the IDs of TUs that share a source basename (meta.h). */
static int qualify_ids(struct ctl_model *m)
{
	const char **tags = malloc((m->ntus ? m->ntus : 1) * sizeof(*tags));
	int rc = -1;
	if (!tags)
		return -1;
	for (unsigned i = 0; i < m->ntus; i++)
		tags[i] = ttst_meta_tu_tag(m->tu_paths, m->ntus, i);
	for (size_t i = 0; i < m->nstatics; i++)
		if (qualify(m, &m->statics[i].id, m->statics[i].tu, tags))
			goto out;
	for (size_t i = 0; i < m->nsites; i++)
		if (qualify(m, &m->sites[i].id, m->sites[i].tu, tags) ||
		    qualify(m, &m->sites[i].func, m->sites[i].tu, tags))
			goto out;
	rc = 0;
out:
	free(tags);
	return rc;
}

struct ctl_model *ctl_model_build(char *section, size_t len, char *err, size_t errlen)
{
	struct ctl_model *m = calloc(1, sizeof(*m));
	char why[256] = "out of memory";
	if (!m) {
		free(section);
		goto fail;
	}
	m->section = section;
	m->section_len = len;
	if (ttst_meta_walk(section, len, add_tu, m, why, sizeof(why)) != 0 || complete_refs(m) ||
	    qualify_ids(m))
		goto fail;
	for (size_t i = 0; i < m->nstatics; i++) {
		const struct ctl_type *t = ctl_model_type(m, m->statics[i].type);
		m->statics[i].size = t && m->statics[i].kind != TTST_S_FUNCTION ? t->size : 0;
	}
	return m;
fail:
	snprintf(err, errlen, "ttst-ctl: %s: %s", TTST_META_SECTION, why);
	ctl_model_free(m);
	return NULL;
}

struct ctl_model *ctl_model_load(const char *path, char *err, size_t errlen)
{
	char *sec;
	size_t len;
	if (ctl_image_load(path, &sec, &len, err, errlen))
		return NULL;
	struct ctl_model *m = ctl_model_build(sec, len, err, errlen);
	if (!m) {
		char why[512];
		snprintf(why, sizeof(why), "%s", err);
		snprintf(err, errlen, "ttst-ctl: %s: %s", path, why + strlen("ttst-ctl: "));
	}
	return m;
}

void ctl_model_free(struct ctl_model *m)
{
	if (!m)
		return;
	free(m->section);
	free(m->types);
	free(m->members);
	free(m->enums);
	free(m->statics);
	free(m->sites);
	free(m->slots);
	for (size_t i = 0; i < m->nowned; i++)
		free(m->owned[i]);
	free(m->owned);
	free(m->tu_paths);
	free(m);
}

const struct ctl_type *ctl_model_type(const struct ctl_model *m, uint32_t i)
{
	return i < m->ntypes ? &m->types[i] : NULL;
}

const char *ctl_kind_name(unsigned kind)
{
	static const char *const names[TTST_K_MAX] = {
	    [TTST_K_VOID] = "void",   [TTST_K_INT] = "int",	    [TTST_K_FLOAT] = "float",
	    [TTST_K_ENUM] = "enum",   [TTST_K_POINTER] = "pointer", [TTST_K_FUNCTION] = "function",
	    [TTST_K_ARRAY] = "array", [TTST_K_STRUCT] = "struct",   [TTST_K_UNION] = "union",
	};
	return kind < TTST_K_MAX ? names[kind] : "?";
}
