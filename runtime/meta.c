/* meta.c -- validation and walking of ttst_meta TU blobs (see include/ttst/meta.h). */
#include "ttst/meta.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HDR_SIZE ((uint64_t)sizeof(struct ttst_tu_hdr))
#define ADDR_SIZE ((uint64_t)sizeof(void *))

/* Formats "TU blob at offset N: <fmt...>" into err (if any); returns -1. */
static int fail(char *err, size_t errlen, size_t blob_off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, size_t blob_off, const char *fmt, ...)
{
	if (!err || errlen == 0)
		return -1;
	int n = snprintf(err, errlen, "TU blob at offset %zu: ", blob_off);
	if (n < 0 || (size_t)n >= errlen)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* Checks that the array of n records of recsize bytes at off lies inside
 * [HDR_SIZE, end) and is 8-byte aligned.  An empty array is not checked:
 * readers never dereference it. */
static int check_array(const char *what, uint32_t n, uint32_t off, uint64_t recsize, uint64_t end,
		       size_t bo, char *err, size_t errlen)
{
	if (n == 0)
		return 0;
	if (off % TTST_BLOB_ALIGN)
		return fail(err, errlen, bo, "%s array at %u is not 8-byte aligned", what, off);
	if (off < HDR_SIZE || off > end || (uint64_t)n * recsize > end - off)
		return fail(err, errlen, bo,
			    "%s array (%u records at %u) does not fit in the blob "
			    "(records end at %llu; oversize count?)",
			    what, n, off, (unsigned long long)end);
	return 0;
}

/* Checks the header fields that locate everything else; on success the
 * checksum can be computed and every array can be read. */
static int check_layout(const struct ttst_tu_hdr *h, size_t avail, size_t bo, char *err,
			size_t errlen)
{
	uint64_t total = h->total_size, aoff = h->off_addrs;

	if (h->hdr_size != HDR_SIZE)
		return fail(err, errlen, bo, "header size %u (expected %llu)", h->hdr_size,
			    (unsigned long long)HDR_SIZE);
	if (total % TTST_BLOB_ALIGN || total < HDR_SIZE)
		return fail(err, errlen, bo,
			    "total_size %u is not a multiple of 8 of at least %llu", h->total_size,
			    (unsigned long long)HDR_SIZE);
	if (total > avail)
		return fail(err, errlen, bo,
			    "total_size %u exceeds the %zu bytes left in the section (truncated?)",
			    h->total_size, avail);
	if (aoff % TTST_BLOB_ALIGN || aoff < HDR_SIZE || aoff > total ||
	    ((uint64_t)h->nstatics + 1) * ADDR_SIZE != total - aoff)
		return fail(err, errlen, bo,
			    "address array at %u does not hold nstatics + 1 = %llu entries "
			    "up to total_size %u",
			    h->off_addrs, (unsigned long long)h->nstatics + 1, h->total_size);
	if (check_array("type", h->ntypes, h->off_types, sizeof(struct ttst_type_rec), aoff, bo,
			err, errlen) ||
	    check_array("member", h->nmembers, h->off_members, sizeof(struct ttst_member_rec), aoff,
			bo, err, errlen) ||
	    check_array("enumerator", h->nenums, h->off_enums, sizeof(struct ttst_enum_rec), aoff,
			bo, err, errlen) ||
	    check_array("static", h->nstatics, h->off_statics, sizeof(struct ttst_static_rec), aoff,
			bo, err, errlen) ||
	    check_array("site", h->nsites, h->off_sites, sizeof(struct ttst_site_rec), aoff, bo,
			err, errlen))
		return -1;
	if (h->strings_size == 0)
		return fail(err, errlen, bo, "empty string table");
	if (check_array("string", h->strings_size, h->off_strings, 1, aoff, bo, err, errlen))
		return -1;
	return 0;
}

/* Checks the string table's framing: starts with "" and ends with a NUL. */
static int check_strtab(const struct ttst_tu_hdr *h, size_t bo, char *err, size_t errlen)
{
	const char *tab = (const char *)h + h->off_strings;
	if (tab[0] != '\0')
		return fail(err, errlen, bo, "string table does not start with an empty string");
	if (tab[h->strings_size - 1] != '\0')
		return fail(err, errlen, bo, "string table does not end with a NUL byte");
	return 0;
}

/* Validation context for the record checks of one blob. */
struct vctx {
	const struct ttst_tu_hdr *h;
	size_t bo;
	char *err;
	size_t errlen;
};

/* Checks string offset s of record `what` #i (field `field`). */
static int check_str(const struct vctx *v, const char *what, uint32_t i, const char *field,
		     uint32_t s)
{
	if (s >= v->h->strings_size)
		return fail(v->err, v->errlen, v->bo,
			    "%s %u: %s string offset %u outside the string table (%u bytes)", what,
			    i, field, s, v->h->strings_size);
	return 0;
}

/* Checks type index t of record `what` #i (field `field`). */
static int check_tref(const struct vctx *v, const char *what, uint32_t i, const char *field,
		      uint32_t t)
{
	if (t != TTST_NO_TYPE && t >= v->h->ntypes)
		return fail(v->err, v->errlen, v->bo,
			    "%s %u: %s type index %u out of range (%u types)", what, i, field, t,
			    v->h->ntypes);
	return 0;
}

/* Checks that [first, first + count) lies inside an array of n records. */
static int check_range(const struct vctx *v, uint32_t i, const char *what, uint32_t first,
		       uint32_t count, uint32_t n)
{
	if (count == 0)
		return 0;
	if ((uint64_t)first + count > n)
		return fail(v->err, v->errlen, v->bo,
			    "type %u: %s range %u..%llu outside the %u %ss", i, what, first,
			    (unsigned long long)first + count - 1, n, what);
	return 0;
}

/* Checks the header's own string: the TU's source file name. */
static int check_file(const struct vctx *v)
{
	return check_str(v, "header", 0, "file", v->h->file);
}

/* Checks every type record: kind, name, kind-specific ref/count. */
static int check_types(const struct vctx *v)
{
	const struct ttst_type_rec *t = ttst_meta_types(v->h);
	for (uint32_t i = 0; i < v->h->ntypes; i++) {
		if (t[i].kind >= TTST_K_MAX)
			return fail(v->err, v->errlen, v->bo, "type %u: unknown kind %u", i,
				    t[i].kind);
		if (check_str(v, "type", i, "name", t[i].name))
			return -1;
		switch (t[i].kind) {
		case TTST_K_ENUM:
			if (check_range(v, i, "enumerator", t[i].ref, t[i].count, v->h->nenums))
				return -1;
			break;
		case TTST_K_STRUCT:
		case TTST_K_UNION:
			if (check_range(v, i, "member", t[i].ref, t[i].count, v->h->nmembers))
				return -1;
			break;
		case TTST_K_POINTER:
		case TTST_K_FUNCTION:
		case TTST_K_ARRAY:
			if (check_tref(v, "type", i, "referenced", t[i].ref))
				return -1;
			break;
		default:
			break;
		}
	}
	return 0;
}

/* Checks member and enumerator records. */
static int check_members_enums(const struct vctx *v)
{
	const struct ttst_member_rec *m = ttst_meta_members(v->h);
	for (uint32_t i = 0; i < v->h->nmembers; i++) {
		if (check_str(v, "member", i, "name", m[i].name) ||
		    check_tref(v, "member", i, "member", m[i].type))
			return -1;
		if ((m[i].flags & TTST_MF_BITFIELD) && m[i].bit_offset > 7)
			return fail(v->err, v->errlen, v->bo,
				    "member %u: bit offset %u is not in 0..7", i, m[i].bit_offset);
	}
	const struct ttst_enum_rec *e = ttst_meta_enums(v->h);
	for (uint32_t i = 0; i < v->h->nenums; i++)
		if (check_str(v, "enumerator", i, "name", e[i].name))
			return -1;
	return 0;
}

/* Checks static-object and allocation-site records. */
static int check_statics_sites(const struct vctx *v)
{
	const struct ttst_static_rec *s = ttst_meta_statics(v->h);
	for (uint32_t i = 0; i < v->h->nstatics; i++) {
		if (s[i].kind > TTST_S_LOCAL)
			return fail(v->err, v->errlen, v->bo, "static %u: unknown kind %u", i,
				    s[i].kind);
		if (check_str(v, "static", i, "id", s[i].id) ||
		    check_str(v, "static", i, "name", s[i].name) ||
		    check_str(v, "static", i, "file", s[i].file) ||
		    check_tref(v, "static", i, "its", s[i].type))
			return -1;
	}
	const struct ttst_site_rec *a = ttst_meta_sites(v->h);
	for (uint32_t i = 0; i < v->h->nsites; i++) {
		if (check_str(v, "site", i, "id", a[i].id) ||
		    check_str(v, "site", i, "function", a[i].func) ||
		    check_str(v, "site", i, "file", a[i].file) ||
		    check_str(v, "site", i, "allocator", a[i].allocator) ||
		    check_tref(v, "site", i, "its", a[i].type))
			return -1;
	}
	return 0;
}

long ttst_meta_check(const void *p, size_t avail, size_t bo, char *err, size_t errlen)
{
	const struct ttst_tu_hdr *h = p;

	if ((uintptr_t)p % TTST_BLOB_ALIGN)
		return fail(err, errlen, bo, "blob is not 8-byte aligned in memory");
	if (avail < HDR_SIZE)
		return fail(err, errlen, bo, "truncated header (%zu bytes left, need %llu)", avail,
			    (unsigned long long)HDR_SIZE);
	if (h->magic != TTST_META_MAGIC)
		return fail(err, errlen, bo, "bad magic 0x%08x (expected 0x%08x)", h->magic,
			    TTST_META_MAGIC);
	if (h->abi_version != TTST_ABI_VERSION)
		return fail(err, errlen, bo, "ABI version %u; this ttst understands %d",
			    h->abi_version, TTST_ABI_VERSION);
	if (check_layout(h, avail, bo, err, errlen))
		return -1;
	if (ttst_blob_checksum(h) != h->checksum)
		return fail(err, errlen, bo, "checksum mismatch (corrupted section)");
	struct vctx v = {h, bo, err, errlen};
	if (check_strtab(h, bo, err, errlen) || check_file(&v) || check_types(&v) ||
	    check_members_enums(&v) || check_statics_sites(&v))
		return -1;
	return (long)h->total_size;
}

/* Returns 1 if the n bytes at p are all zero. */
static int all_zero(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

/* ttst_meta_walk() on an 8-byte aligned section. */
static int walk_aligned(const char *s, size_t len, int (*fn)(const struct ttst_tu_hdr *, void *),
			void *arg, char *err, size_t errlen)
{
	size_t pos = 0;
	while (pos < len) {
		size_t left = len - pos;
		size_t word = left < TTST_BLOB_ALIGN ? left : TTST_BLOB_ALIGN;
		if (all_zero(s + pos, word)) { /* linker padding between blobs */
			pos += word;
			continue;
		}
		long n = ttst_meta_check(s + pos, left, pos, err, errlen);
		if (n < 0)
			return -1;
		int rc = fn((const struct ttst_tu_hdr *)(s + pos), arg);
		if (rc)
			return rc;
		pos += (size_t)n;
	}
	return 0;
}

int ttst_meta_walk(const void *start, size_t len, int (*fn)(const struct ttst_tu_hdr *, void *),
		   void *arg, char *err, size_t errlen)
{
	if ((uintptr_t)start % TTST_BLOB_ALIGN == 0)
		return walk_aligned(start, len, fn, arg, err, errlen);
	char *copy = malloc(len ? len : 1);
	if (!copy) {
		if (err && errlen)
			snprintf(err, errlen, "out of memory copying a %zu-byte ttst_meta section",
				 len);
		return -1;
	}
	memcpy(copy, start, len);
	int rc = walk_aligned(copy, len, fn, arg, err, errlen);
	free(copy);
	return rc;
}

/* The basename of path (after its last '/'). */
static const char *base_of(const char *path)
{
	const char *b = strrchr(path, '/');
	return b ? b + 1 : path;
}

/* The suffix of path made of its last k components (the whole path when it
 * has fewer). */
static const char *suffix_of(const char *path, unsigned k)
{
	const char *p = path + strlen(path);
	while (p > path) {
		if (p[-1] == '/' && --k == 0)
			return p;
		p--;
	}
	return path;
}

const char *ttst_meta_tu_tag(const char *const *paths, size_t n, size_t i)
{
	const char *me = paths[i];
	const char *base = base_of(me);
	for (unsigned k = 1;; k++) {
		const char *mine = suffix_of(me, k);
		int clash = 0;
		for (size_t j = 0; j < n && !clash; j++)
			clash = j != i && strcmp(paths[j], me) != 0 &&
				strcmp(base_of(paths[j]), base) == 0 &&
				strcmp(suffix_of(paths[j], k), mine) == 0;
		if (!clash || mine == me)
			return mine;
	}
}

int ttst_meta_qualify_id(const char *id, const char *path, const char *tag, char *buf,
			 size_t len)
{
	const char *base = base_of(path);
	size_t bl = strlen(base);
	if (tag == base || strncmp(id, base, bl) != 0 || id[bl] != ':')
		return 0;
	int w = snprintf(buf, len, "%s%s", tag, id + bl);
	return w < 0 || (size_t)w >= len ? -1 : 1;
}
