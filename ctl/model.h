/* model.h -- one program model merged from all TU blobs of a ttst_meta section. */
#ifndef TTST_CTL_MODEL_H
#define TTST_CTL_MODEL_H

#include <stddef.h>
#include <stdint.h>

/* A global type index meaning "none / unknown" (void * pointee, untyped site). */
#define CTL_NO_TYPE UINT32_MAX

/* A struct/union member; type is a global type index or CTL_NO_TYPE. */
struct ctl_member {
	const char *name;
	uint32_t type;
	uint32_t flags; /* TTST_MF_* */
	uint64_t offset;
	uint16_t bit_offset, bit_size;
};

/* An enumerator. */
struct ctl_enumerator {
	const char *name;
	int64_t value;
};

/* A type, deduplicated over all TUs by its structural hash. */
struct ctl_type {
	char id[17]; /* the hash as 16 lowercase hex digits */
	uint64_t hash;
	const char *name;
	uint16_t kind, flags; /* enum ttst_kind, TTST_TF_* */
	uint64_t size;
	uint32_t ref;	   /* pointee / element / return type (global index), or CTL_NO_TYPE */
	uint32_t count;	   /* array: element count (0 = flexible) */
	uint32_t first, n; /* struct/union: members[first..], enum: enumerators[first..] */
	int resolved;	   /* internal: refs already translated to global indices */
};

/* A static object: variable, address-taken function, or local of main. */
struct ctl_static {
	const char *id, *name, *file;
	uint16_t kind, flags; /* enum ttst_static_kind, TTST_SF_* */
	uint32_t type;	      /* global type index or CTL_NO_TYPE */
	uint32_t line;
	uint32_t tu;   /* index of its TU (ctl_model.tu_paths) */
	uint64_t size; /* size of the type (0 for functions and unknown types) */
};

/* An allocation (or deallocation) site. */
struct ctl_site {
	const char *id, *func, *file, *allocator;
	uint32_t line, flags, const_size; /* TTST_XF_* flags */
	uint32_t type;			  /* global type index or CTL_NO_TYPE */
	uint32_t tu;			  /* index of its TU (ctl_model.tu_paths) */
};

/* The merged model.  Every string points into `section`, which it owns. */
struct ctl_model {
	char *section;
	size_t section_len;
	unsigned ntus;
	struct ctl_type *types;
	size_t ntypes, cap_types;
	struct ctl_member *members;
	size_t nmembers, cap_members;
	struct ctl_enumerator *enums;
	size_t nenums, cap_enums;
	struct ctl_static *statics;
	size_t nstatics, cap_statics;
	struct ctl_site *sites;
	size_t nsites, cap_sites;
	const char **tu_paths; /* source file of each TU, ntus of them */
	char **owned;	       /* IDs qualified by ttst_meta_qualify_id, owned */
	size_t nowned;
	uint32_t *slots; /* hash table: hash -> type index + 1 (0 = empty) */
	size_t nslots;
};

/* Builds the model from a section already validated by ctl_image_load();
 * takes ownership of section (freed by ctl_model_free, also on failure).
 * Returns NULL with a message in err on failure (out of memory, or a
 * section that does not validate). */
struct ctl_model *ctl_model_build(char *section, size_t len, char *err, size_t errlen);

/* Loads path with ctl_image_load() and builds its model.  Returns NULL with
 * a one-line "ttst-ctl: <path>: ..." message in err on failure. */
struct ctl_model *ctl_model_load(const char *path, char *err, size_t errlen);

/* Frees the model and the section it owns; NULL is allowed. */
void ctl_model_free(struct ctl_model *m);

/* The type with global index i, or NULL for CTL_NO_TYPE. */
const struct ctl_type *ctl_model_type(const struct ctl_model *m, uint32_t i);

/* The JSON/text name of a type kind ("struct", "int", ...); "?" if unknown. */
const char *ctl_kind_name(unsigned kind);

#endif /* TTST_CTL_MODEL_H */
