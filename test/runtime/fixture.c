/* fixture.c -- builds the test TU blob of fixture.h, laid out exactly as abi.h draws it. */
#include "fixture.h"

#include <string.h>

#include "ttst/interface.h"

struct strtab {
	char buf[1024];
	uint32_t len;
};

/* Appends s (with its NUL) and returns its offset. */
static uint32_t str(struct strtab *t, const char *s)
{
	uint32_t off = t->len;
	size_t n = strlen(s) + 1;
	memcpy(t->buf + t->len, s, n);
	t->len += (uint32_t)n;
	return off;
}

static uint32_t align8(uint32_t x)
{
	return (x + 7u) & ~7u;
}

static void fill_types(struct ttst_type_rec *ty, struct ttst_member_rec *m, struct strtab *s)
{
	ty[FX_T_INT] =
	    (struct ttst_type_rec){str(s, "int"), TTST_K_INT, TTST_TF_SIGNED, 4, 11, 0, 0};
	ty[FX_T_NODE] =
	    (struct ttst_type_rec){str(s, "struct node"), TTST_K_STRUCT, 0, 16, 12, 0, 2};
	ty[FX_T_NODEPTR] =
	    (struct ttst_type_rec){str(s, "struct node *"), TTST_K_POINTER, 0, 8, 13, FX_T_NODE, 0};
	ty[FX_T_CHAR] = (struct ttst_type_rec){
	    str(s, "char"), TTST_K_INT, TTST_TF_SIGNED | TTST_TF_CHAR, 1, 14, 0, 0};
	ty[FX_T_ARR] =
	    (struct ttst_type_rec){str(s, "int[4]"), TTST_K_ARRAY, 0, 16, 15, FX_T_INT, 4};
	ty[FX_T_FN] =
	    (struct ttst_type_rec){str(s, "int (void)"), TTST_K_FUNCTION, 0, 0, 16, FX_T_INT, 0};
	m[0] = (struct ttst_member_rec){str(s, "a"), FX_T_INT, 0, 0, 0, 0};
	m[1] = (struct ttst_member_rec){str(s, "next"), FX_T_NODEPTR, 8, 0, 0, 0};
}

static void fill_statics(struct ttst_static_rec *st, struct strtab *s, uint32_t file)
{
	st[FX_S_NODE] = (struct ttst_static_rec){
	    str(s, "g_node"), str(s, "g_node"), TTST_S_VARIABLE, 0, FX_T_NODE, file, 3};
	st[FX_S_ARR] = (struct ttst_static_rec){str(s, "fx.c:g_arr"),
						str(s, "g_arr"),
						TTST_S_VARIABLE,
						TTST_SF_INTERNAL,
						FX_T_ARR,
						file,
						4};
	st[FX_S_LOCAL_X] = (struct ttst_static_rec){
	    str(s, "main:x"), str(s, "x"), TTST_S_LOCAL, 0, FX_T_INT, file, 10};
	st[FX_S_LOCAL_Y] = (struct ttst_static_rec){
	    str(s, "main:y"), str(s, "y"), TTST_S_LOCAL, 0, FX_T_NODE, file, 11};
	st[FX_S_FUNC] = (struct ttst_static_rec){
	    str(s, "fx_func"), str(s, "fx_func"), TTST_S_FUNCTION, 0, FX_T_FN, file, 20};
}

static void fill_sites(struct ttst_site_rec *si, struct strtab *s, uint32_t file)
{
	uint32_t fn = str(s, "main"), mal = str(s, "malloc");
	si[FX_SITE_NODE] =
	    (struct ttst_site_rec){str(s, "main:n:0"), fn, file, 30, mal, FX_T_NODE, 0, 0};
	si[FX_SITE_BUF] =
	    (struct ttst_site_rec){str(s, "main:buf:0"), fn, file, 31, mal, TTST_NO_TYPE, 0, 0};
	si[FX_SITE_STR] = (struct ttst_site_rec){str(s, "main:s:0"), fn,	file, 32,
						 str(s, "strdup"),   FX_T_CHAR, 0,    0};
	si[FX_SITE_WRAP_NODE] = (struct ttst_site_rec){
	    str(s, "main:w:0"), fn, file, 33, str(s, "xmalloc"), FX_T_NODE, TTST_XF_WRAPPER, 0};
	si[FX_SITE_WRAP_UNTYPED] = (struct ttst_site_rec){
	    str(s, "xmalloc:p:0"), fn, file, 34, str(s, "xalloc"), TTST_NO_TYPE,
	    TTST_XF_WRAPPER,	   0};
	si[FX_SITE_MMAP] = (struct ttst_site_rec){str(s, "main:m:0"), fn,	file, 35,
						  str(s, "mmap"),     FX_T_INT, 0,    0};
}

size_t fixture_build(void *buf, size_t cap, const char *file, void *const addrs[FX_NSTATICS])
{
	struct strtab s = {{0}, 1}; /* offset 0 is "" */
	struct ttst_type_rec ty[FX_NTYPES];
	struct ttst_member_rec m[2];
	struct ttst_static_rec st[FX_NSTATICS];
	struct ttst_site_rec si[FX_NSITES];
	uint32_t f = str(&s, file);
	fill_types(ty, m, &s);
	fill_statics(st, &s, f);
	fill_sites(si, &s, f);
	s.len = align8(s.len);

	struct ttst_tu_hdr h;
	memset(&h, 0, sizeof h);
	h.magic = TTST_META_MAGIC;
	h.abi_version = TTST_ABI_VERSION;
	h.hdr_size = sizeof h;
	h.file = f;
	uint32_t off = sizeof h;
	h.ntypes = FX_NTYPES, h.off_types = off, off += sizeof ty;
	h.nmembers = 2, h.off_members = off, off += sizeof m;
	h.nenums = 0, h.off_enums = off;
	h.nstatics = FX_NSTATICS, h.off_statics = off, off += sizeof st;
	h.nsites = FX_NSITES, h.off_sites = off, off += sizeof si;
	h.strings_size = s.len, h.off_strings = off, off += s.len;
	h.off_addrs = off;
	h.total_size = off + (FX_NSTATICS + 1) * (uint32_t)sizeof(void *);
	if (h.total_size > cap)
		return 0;
	char *b = buf;
	memcpy(b + h.off_types, ty, sizeof ty);
	memcpy(b + h.off_members, m, sizeof m);
	memcpy(b + h.off_statics, st, sizeof st);
	memcpy(b + h.off_sites, si, sizeof si);
	memcpy(b + h.off_strings, s.buf, s.len);
	void **a = (void **)(b + h.off_addrs);
	for (int i = 0; i < FX_NSTATICS; i++)
		a[i] = addrs[i];
	a[FX_NSTATICS] = &__ttst_abi_check_v1;
	memcpy(b, &h, sizeof h);
	((struct ttst_tu_hdr *)b)->checksum = ttst_blob_checksum((struct ttst_tu_hdr *)b);
	return h.total_size;
}
