/* fixture_blob.c -- serialises the two fixture TU blobs described in fixture_blob.h. */
#include "fixture_blob.h"

#include <stdint.h>
#include <string.h>

#include "ttst/abi.h"

#define NO TTST_NO_TYPE

/* A TU under construction. */
struct fb {
	struct ttst_type_rec types[32];
	struct ttst_member_rec members[32];
	struct ttst_enum_rec enums[8];
	struct ttst_static_rec statics[8];
	struct ttst_site_rec sites[8];
	char strings[1024];
	const char *file; /* the TU's source file */
	uint32_t nt, nm, ne, ns, nsi, slen;
};

/* Adds string s to the table; returns its offset. */
static uint32_t str(struct fb *b, const char *s)
{
	uint32_t off = b->slen;
	size_t n = strlen(s) + 1;
	memcpy(b->strings + off, s, n);
	b->slen += (uint32_t)n;
	return off;
}

/* Adds a type; its hash covers name, kind, flags and size. */
static uint32_t type(struct fb *b, const char *name, unsigned kind, unsigned flags, uint64_t size,
		     uint32_t ref, uint32_t count)
{
	struct ttst_type_rec *t = &b->types[b->nt];
	uint64_t h = ttst_fnv1a(TTST_FNV_OFFSET, name, strlen(name));
	uint64_t k[3] = {kind, flags, size};
	t->name = str(b, name);
	t->kind = (uint16_t)kind;
	t->flags = (uint16_t)flags;
	t->size = size;
	t->hash = ttst_fnv1a(h, k, sizeof(k));
	t->ref = ref;
	t->count = count;
	return b->nt++;
}

/* Adds a member to the member array; returns its index. */
static uint32_t member(struct fb *b, const char *name, uint32_t type, uint64_t off,
		       unsigned bit_off, unsigned bits, unsigned flags)
{
	struct ttst_member_rec *m = &b->members[b->nm];
	m->name = str(b, name);
	m->type = type;
	m->offset = off;
	m->bit_offset = (uint16_t)bit_off;
	m->bit_size = (uint16_t)bits;
	m->flags = flags | (bits ? TTST_MF_BITFIELD : 0);
	return b->nm++;
}

/* Adds a static record. */
static void add_static(struct fb *b, const char *id, const char *name, unsigned kind,
		       unsigned flags, uint32_t type, const char *file, uint32_t line)
{
	struct ttst_static_rec *s = &b->statics[b->ns++];
	s->id = str(b, id);
	s->name = str(b, name);
	s->kind = (uint16_t)kind;
	s->flags = (uint16_t)flags;
	s->type = type;
	s->file = str(b, file);
	s->line = line;
}

/* Adds an allocation-site record. */
static void site(struct fb *b, const char *id, const char *func, uint32_t line, const char *alloc,
		 uint32_t type, uint32_t flags, uint32_t const_size)
{
	struct ttst_site_rec *s = &b->sites[b->nsi++];
	s->id = str(b, id);
	s->func = str(b, func);
	s->file = str(b, b->file);
	s->line = line;
	s->allocator = str(b, alloc);
	s->type = type;
	s->flags = flags;
	s->const_size = const_size;
}

/* Fills b with fixture TU A. */
static void build_a(struct fb *b)
{
	uint32_t t_int = type(b, "int", TTST_K_INT, TTST_TF_SIGNED, 4, 0, 0);
	uint32_t t_uint = type(b, "unsigned int", TTST_K_INT, 0, 4, 0, 0);
	uint32_t t_char = type(b, "char", TTST_K_INT, TTST_TF_SIGNED | TTST_TF_CHAR, 1, 0, 0);
	uint32_t t_pchar = type(b, "char *", TTST_K_POINTER, 0, 8, t_char, 0);
	uint32_t m_i = member(b, "i", t_int, 0, 0, 0, 0);
	member(b, "p", t_pchar, 0, 0, 0, TTST_MF_PXFER);
	uint32_t t_val = type(b, "union val", TTST_K_UNION, 0, 8, m_i, 2);
	uint32_t t_entry = type(b, "struct entry", TTST_K_STRUCT, 0, 40, b->nm, 6);
	uint32_t t_pentry = type(b, "struct entry *", TTST_K_POINTER, 0, 8, t_entry, 0);
	member(b, "key", t_int, 0, 0, 0, 0);
	member(b, "val", t_pchar, 8, 0, 0, 0);
	member(b, "next", t_pentry, 16, 0, 0, 0);
	member(b, "flags", t_uint, 24, 0, 3, 0);
	member(b, "mode", t_uint, 24, 3, 2, 0);
	member(b, "u", t_val, 32, 0, 0, TTST_MF_IXFER);
	b->enums[0] = (struct ttst_enum_rec){str(b, "RED"), 0, 0};
	b->enums[1] = (struct ttst_enum_rec){str(b, "GREEN"), 0, -7};
	b->ne = 2;
	uint32_t t_color = type(b, "enum color", TTST_K_ENUM, TTST_TF_SIGNED, 4, 0, 2);
	uint32_t t_arr = type(b, "int[4]", TTST_K_ARRAY, 0, 16, t_int, 4);
	type(b, "void *", TTST_K_POINTER, 0, 8, NO, 0);
	uint32_t t_fn = type(b, "int (int)", TTST_K_FUNCTION, 0, 0, t_int, 0);
	type(b, "int (*)(int)", TTST_K_POINTER, TTST_TF_FUNCPTR, 8, t_fn, 0);
	type(b, "double", TTST_K_FLOAT, 0, 8, 0, 0);
	uint32_t t_long = type(b, "long", TTST_K_INT, TTST_TF_SIGNED, 8, 0, 0);
	type(b, "struct opaque", TTST_K_STRUCT, 0, 8, member(b, "x", t_long, 0, 0, 0, 0), 1);

	add_static(b, "g_table", "g_table", TTST_S_VARIABLE, 0, t_pentry, "fixture_a.c", 10);
	add_static(b, "fixture_a.c:counter", "counter", TTST_S_VARIABLE, TTST_SF_INTERNAL, t_int,
		   "fixture_a.c", 11);
	add_static(b, "g_color", "g_color", TTST_S_VARIABLE, 0, t_color, "fixture_a.c", 12);
	add_static(b, "g_hist", "g_hist", TTST_S_VARIABLE, TTST_SF_IXFER, t_arr, "fixture_a.c", 13);
	add_static(b, "handler", "handler", TTST_S_FUNCTION, 0, t_fn, "fixture_a.c", 20);
	add_static(b, "main:argc", "argc", TTST_S_LOCAL, 0, t_int, "fixture_a.c", 30);

	site(b, "kv_put:e:0", "kv_put", 40, "malloc", t_entry, TTST_XF_CONST_SIZE, 40);
	site(b, "kv_put:?:0", "kv_put", 41, "malloc", NO, 0, 0);
	site(b, "kv_del:e:0", "kv_del", 50, "free", NO, TTST_XF_FREE, 0);
	site(b, "vec_grow:v->items:0", "vec_grow", 60, "realloc", t_int, TTST_XF_ARRAY, 0);
	site(b, "mk_name:s:0", "mk_name", 70, "xstrdup", t_char, TTST_XF_WRAPPER, 0);
}

/* Fills b with fixture TU B. */
static void build_b(struct fb *b)
{
	uint32_t t_int = type(b, "int", TTST_K_INT, TTST_TF_SIGNED, 4, 0, 0);
	uint32_t t_op = type(b, "struct opaque", TTST_K_STRUCT, TTST_TF_INCOMPLETE, 0, 0, 0);
	uint32_t t_pop = type(b, "struct opaque *", TTST_K_POINTER, 0, 8, t_op, 0);
	add_static(b, "fixture_b.c:counter", "counter", TTST_S_VARIABLE, TTST_SF_INTERNAL, t_int,
		   "fixture_b.c", 5);
	add_static(b, "g_opaque", "g_opaque", TTST_S_VARIABLE, 0, t_pop, "fixture_b.c", 6);
	site(b, "b_alloc:?:0", "b_alloc", 9, "calloc", NO, 0, 0);
}

/* Appends n bytes at p to out at *pos (8-aligned); returns the start offset. */
static uint32_t put(unsigned char *out, size_t *pos, const void *p, size_t n)
{
	uint32_t at = (uint32_t)*pos;
	memcpy(out + at, p, n);
	*pos = (at + n + 7) & ~(size_t)7;
	return at;
}

size_t fixture_blob_build(enum fixture_tu which, unsigned char *buf, size_t cap)
{
	static struct fb b;
	memset(&b, 0, sizeof(b));
	b.slen = 1; /* offset 0 is "" */
	b.file = which == FIXTURE_A ? "fixture_a.c" : "fixture_b.c";
	if (which == FIXTURE_A)
		build_a(&b);
	else
		build_b(&b);
	struct ttst_tu_hdr h = {
	    .magic = TTST_META_MAGIC, .abi_version = TTST_ABI_VERSION, .hdr_size = sizeof(h)};
	h.file = str(&b, b.file);
	size_t need = sizeof(h) + sizeof(b) + 8 * (b.ns + 1) + 64;
	if (cap < need)
		return 0;
	memset(buf, 0, need);
	size_t pos = sizeof(h);
	h.ntypes = b.nt, h.off_types = put(buf, &pos, b.types, b.nt * sizeof(b.types[0]));
	h.nmembers = b.nm, h.off_members = put(buf, &pos, b.members, b.nm * sizeof(b.members[0]));
	h.nenums = b.ne, h.off_enums = put(buf, &pos, b.enums, b.ne * sizeof(b.enums[0]));
	h.nstatics = b.ns, h.off_statics = put(buf, &pos, b.statics, b.ns * sizeof(b.statics[0]));
	h.nsites = b.nsi, h.off_sites = put(buf, &pos, b.sites, b.nsi * sizeof(b.sites[0]));
	h.strings_size = (b.slen + 7) & ~7u;
	h.off_strings = put(buf, &pos, b.strings, h.strings_size);
	h.off_addrs = (uint32_t)pos;
	h.total_size = (uint32_t)(pos + 8 * (b.ns + 1));
	memcpy(buf, &h, sizeof(h));
	fixture_blob_reseal(buf);
	return h.total_size;
}

void fixture_blob_reseal(unsigned char *buf)
{
	struct ttst_tu_hdr *h = (struct ttst_tu_hdr *)buf;
	h->checksum = ttst_blob_checksum(h);
}
