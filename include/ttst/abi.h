/* abi.h -- the ttst metadata format: the single definition shared by the
 * LLVM pass (which writes it), the runtime (which reads it from memory) and
 * ttst-ctl (which reads it from a binary on disk).
 *
 * Every translation unit compiled by ttst-cc contributes one *TU blob* to the
 * ELF section `ttst_meta` (writable, 8-byte aligned, kept via llvm.used).
 * Blobs are concatenated by the linker; a reader walks them from
 * __start_ttst_meta (or the section start on disk) using total_size.
 *
 *   TU blob layout (all offsets are relative to the start of the blob):
 *
 *   +--------------------------------+  0
 *   | struct ttst_tu_hdr   (96 B)    |
 *   +--------------------------------+  off_types
 *   | struct ttst_type_rec[ntypes]   |  32 B each
 *   +--------------------------------+  off_members
 *   | struct ttst_member_rec[nmemb]  |  24 B each
 *   +--------------------------------+  off_enums
 *   | struct ttst_enum_rec[nenums]   |  16 B each
 *   +--------------------------------+  off_statics
 *   | struct ttst_static_rec[nstat]  |  24 B each
 *   +--------------------------------+  off_sites
 *   | struct ttst_site_rec[nsites]   |  32 B each
 *   +--------------------------------+  off_strings
 *   | string table: NUL-terminated,  |  offset 0 is always "" (empty)
 *   | padded with NULs to 8 bytes    |
 *   +--------------------------------+  off_addrs   (== checksummed_size)
 *   | void *addrs[nstatics + 1]      |  relocated addresses; NULL for locals;
 *   |                                |  the last is &__ttst_abi_check_v1
 *   +--------------------------------+  total_size
 *
 * Everything before off_addrs is position independent and covered by the
 * checksum (FNV-1a 64 over bytes [0, off_addrs) with the `checksum` and
 * `rt_site_base` fields taken as zero).  The addrs array holds relocated
 * pointers: valid in a running process, meaningless on disk.
 *
 * Type references (ttst_type_rec.ref, ttst_member_rec.type, ...) are indices
 * into the same blob's type array; TTST_NO_TYPE means "none / unknown".
 * Identical types from several TUs are merged by readers using `hash`.
 */
#ifndef TTST_ABI_H
#define TTST_ABI_H

#include <stdint.h>

#ifdef __cplusplus
#define TTST_STATIC_ASSERT static_assert
#else
#define TTST_STATIC_ASSERT _Static_assert
#endif

#define TTST_META_MAGIC 0x4D545354u /* "TSTM" little-endian */
#define TTST_ABI_VERSION 1
#define TTST_META_SECTION "ttst_meta"
#define TTST_NO_TYPE 0xFFFFFFFFu
#define TTST_BLOB_ALIGN 8

/* A symbol whose name carries the ABI version: every object the pass
 * instruments references it, the runtime defines it, so a pass/runtime
 * mismatch is a link error rather than silent corruption. */
#define TTST_ABI_CHECK_SYMBOL "__ttst_abi_check_v1"

/* Type kinds (ttst_type_rec.kind).  Typedefs and qualifiers are resolved by
 * the pass; they never appear. */
enum ttst_kind {
	TTST_K_VOID = 0,
	TTST_K_INT = 1,      /* integers, bool, char; TTST_TF_SIGNED/BOOL */
	TTST_K_FLOAT = 2,    /* float, double, long double */
	TTST_K_ENUM = 3,     /* ref = first enumerator, count = #enumerators */
	TTST_K_POINTER = 4,  /* ref = pointee type (TTST_NO_TYPE for void *) */
	TTST_K_FUNCTION = 5, /* ref = return type; size 0 */
	TTST_K_ARRAY = 6,    /* ref = element type, count = elements (0 = flexible) */
	TTST_K_STRUCT = 7,   /* ref = first member, count = #members */
	TTST_K_UNION = 8,    /* ref = first member, count = #members */
	TTST_K_MAX
};

/* ttst_type_rec.flags */
#define TTST_TF_SIGNED 0x1u    /* INT/ENUM: signed */
#define TTST_TF_BOOL 0x2u      /* INT: _Bool */
#define TTST_TF_CHAR 0x4u      /* INT: char, signed char, unsigned char */
#define TTST_TF_ANON 0x8u      /* STRUCT/UNION/ENUM: anonymous in source */
#define TTST_TF_INCOMPLETE 0x10u /* declared but never defined in this TU */
#define TTST_TF_FUNCPTR 0x20u  /* POINTER whose pointee is a FUNCTION */
#define TTST_TF_IXFER 0x40u    /* type tagged IXFER: copy bytes */

struct ttst_type_rec {
	uint32_t name;  /* string: C name, e.g. "struct entry", "unsigned int",
	                   "struct entry *", "int[16]", "struct outer::u" */
	uint16_t kind;  /* enum ttst_kind */
	uint16_t flags; /* TTST_TF_* */
	uint64_t size;  /* bytes (0 for void, function, incomplete) */
	uint64_t hash;  /* structural hash; equal hash => identical type */
	uint32_t ref;   /* kind-specific, see enum ttst_kind */
	uint32_t count; /* kind-specific, see enum ttst_kind */
};

/* ttst_member_rec.flags */
#define TTST_MF_IXFER 0x1u    /* IXFER: always copy bytes */
#define TTST_MF_PXFER 0x2u    /* PXFER: integer that holds a pointer */
#define TTST_MF_BITFIELD 0x4u /* bit_offset/bit_size are meaningful */
#define TTST_MF_ANON 0x8u     /* anonymous struct/union member */

struct ttst_member_rec {
	uint32_t name;       /* string; "" for an anonymous member */
	uint32_t type;       /* type index */
	uint64_t offset;     /* byte offset in the aggregate (for a bitfield:
	                        the byte holding its first bit) */
	uint16_t bit_offset; /* bitfield: first bit within that byte (0..7) */
	uint16_t bit_size;   /* bitfield: width in bits; 0 otherwise */
	uint32_t flags;      /* TTST_MF_* */
};

struct ttst_enum_rec {
	uint32_t name; /* string: enumerator name */
	uint32_t reserved;
	int64_t value;
};

/* ttst_static_rec.kind */
enum ttst_static_kind {
	TTST_S_VARIABLE = 0, /* global, file static, or static local */
	TTST_S_FUNCTION = 1, /* function whose address is taken (or main) */
	TTST_S_LOCAL = 2,    /* automatic local of main or a TTST_STATEFUL function */
};

/* ttst_static_rec.flags */
#define TTST_SF_INTERNAL 0x1u /* internal linkage (file static) */
#define TTST_SF_CONST 0x2u    /* read-only storage */
#define TTST_SF_TLS 0x4u      /* thread-local storage */
#define TTST_SF_STRING 0x8u   /* string literal / anonymous constant */
#define TTST_SF_IXFER 0x10u   /* variable tagged IXFER: copy bytes */
#define TTST_SF_PXFER 0x20u   /* variable tagged PXFER: integer holding a pointer */

struct ttst_static_rec {
	uint32_t id;    /* string: state ID -- "name" (external linkage),
	                   "file.c:name" (internal; file.c is the basename
	                   of the TU's source file, so IDs do not depend on the
	                   build directory), "func:name" (static local;
	                   "file.c:func:name" if func is itself static),
	                   "main:name" (local of main) */
	uint32_t name;  /* string: source name */
	uint16_t kind;  /* enum ttst_static_kind */
	uint16_t flags; /* TTST_SF_* */
	uint32_t type;  /* type index (FUNCTION type for functions) */
	uint32_t file;  /* string: source file as given to the compiler */
	uint32_t line;
};

/* ttst_site_rec.flags */
#define TTST_XF_SIZE_MISMATCH 0x1u /* constant size is not a multiple of the type */
#define TTST_XF_WRAPPER 0x2u       /* call to an allocator wrapper */
#define TTST_XF_FREE 0x4u          /* a deallocation (free, munmap) */
#define TTST_XF_ARRAY 0x8u         /* size is a multiple > 1 of the type */
#define TTST_XF_CONST_SIZE 0x10u   /* const_size is meaningful */

struct ttst_site_rec {
	uint32_t id;        /* string: "caller:target:ordinal", e.g. "kv_put:e:0" */
	uint32_t func;      /* string: calling function (state-ID form) */
	uint32_t file;      /* string: source file */
	uint32_t line;
	uint32_t allocator; /* string: callee name, e.g. "malloc", "xmalloc" */
	uint32_t type;      /* inferred element type index, or TTST_NO_TYPE */
	uint32_t flags;     /* TTST_XF_* */
	uint32_t const_size; /* constant byte size if TTST_XF_CONST_SIZE (capped) */
};

struct ttst_tu_hdr {
	uint32_t magic;       /* TTST_META_MAGIC */
	uint16_t abi_version; /* TTST_ABI_VERSION */
	uint16_t hdr_size;    /* sizeof(struct ttst_tu_hdr) */
	uint32_t total_size;  /* whole blob, multiple of TTST_BLOB_ALIGN */
	uint32_t file;        /* string: this TU's main source file */
	uint32_t ntypes, off_types;
	uint32_t nmembers, off_members;
	uint32_t nenums, off_enums;
	uint32_t nstatics, off_statics;
	uint32_t nsites, off_sites;
	uint32_t strings_size, off_strings;
	uint32_t off_addrs;    /* start of the relocated address array */
	uint32_t flags;        /* reserved, 0 */
	uint64_t checksum;     /* FNV-1a 64, see top of file */
	uint32_t rt_site_base; /* written by the runtime: global number of site 0
	                          (0 = not yet attached); 0 on disk */
	uint32_t reserved0;
	uint64_t reserved1;
};

TTST_STATIC_ASSERT(sizeof(struct ttst_type_rec) == 32, "ttst_type_rec layout");
TTST_STATIC_ASSERT(sizeof(struct ttst_member_rec) == 24, "ttst_member_rec layout");
TTST_STATIC_ASSERT(sizeof(struct ttst_enum_rec) == 16, "ttst_enum_rec layout");
TTST_STATIC_ASSERT(sizeof(struct ttst_static_rec) == 24, "ttst_static_rec layout");
TTST_STATIC_ASSERT(sizeof(struct ttst_site_rec) == 32, "ttst_site_rec layout");
TTST_STATIC_ASSERT(sizeof(struct ttst_tu_hdr) == 96, "ttst_tu_hdr layout");

/* FNV-1a 64 parameters for ttst_tu_hdr.checksum and structural hashes. */
#define TTST_FNV_OFFSET 0xcbf29ce484222325ull
#define TTST_FNV_PRIME 0x100000001b3ull

/* FNV-1a 64 over n bytes, continuing from h (start with TTST_FNV_OFFSET). */
static inline uint64_t ttst_fnv1a(uint64_t h, const void *p, uint64_t n)
{
	const unsigned char *b = (const unsigned char *)p;
	for (uint64_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= TTST_FNV_PRIME;
	}
	return h;
}

/* The checksum a blob must carry: FNV-1a 64 over bytes [0, off_addrs) with
 * the header's checksum and rt_site_base fields read as zero.  The caller
 * has checked that off_addrs lies within the blob. */
static inline uint64_t ttst_blob_checksum(const struct ttst_tu_hdr *h)
{
	struct ttst_tu_hdr copy = *h;
	copy.checksum = 0;
	copy.rt_site_base = 0;
	uint64_t sum = ttst_fnv1a(TTST_FNV_OFFSET, &copy, sizeof(copy));
	return ttst_fnv1a(sum, (const char *)h + sizeof(copy), h->off_addrs - sizeof(copy));
}

#endif /* TTST_ABI_H */
