/* inspect_json.c -- `ttst-ctl inspect --json`: the program model as one JSON object. */
#include "inspect.h"

#include "json.h"
#include "ttst/abi.h"

/* Writes key: the id of global type t, or null. */
static void type_ref(struct ctl_json *j, const struct ctl_model *m, const char *key, uint32_t t)
{
	const struct ctl_type *ct = ctl_model_type(m, t);
	ctl_json_str(j, key, ct ? ct->id : NULL);
}

/* Writes the members of a struct or union. */
static void members(struct ctl_json *j, const struct ctl_model *m, const struct ctl_type *t)
{
	ctl_json_arr(j, "members");
	for (uint32_t k = 0; k < t->n; k++) {
		const struct ctl_member *mb = &m->members[t->first + k];
		ctl_json_obj(j, NULL);
		ctl_json_str(j, "name", mb->name);
		ctl_json_uint(j, "offset", mb->offset);
		type_ref(j, m, "type", mb->type);
		if (mb->flags & TTST_MF_BITFIELD) {
			ctl_json_uint(j, "bit_offset", mb->bit_offset);
			ctl_json_uint(j, "bit_size", mb->bit_size);
		}
		if (mb->flags & TTST_MF_IXFER)
			ctl_json_bool(j, "ixfer", 1);
		if (mb->flags & TTST_MF_PXFER)
			ctl_json_bool(j, "pxfer", 1);
		if (mb->flags & TTST_MF_ANON)
			ctl_json_bool(j, "anonymous", 1);
		ctl_json_obj_end(j);
	}
	ctl_json_arr_end(j);
}

/* Writes the enumerators of an enum. */
static void enumerators(struct ctl_json *j, const struct ctl_model *m, const struct ctl_type *t)
{
	ctl_json_arr(j, "enumerators");
	for (uint32_t k = 0; k < t->n; k++) {
		ctl_json_obj(j, NULL);
		ctl_json_str(j, "name", m->enums[t->first + k].name);
		ctl_json_int(j, "value", m->enums[t->first + k].value);
		ctl_json_obj_end(j);
	}
	ctl_json_arr_end(j);
}

/* Writes one type object. */
static void type_obj(struct ctl_json *j, const struct ctl_model *m, const struct ctl_type *t)
{
	ctl_json_obj(j, NULL);
	ctl_json_str(j, "id", t->id);
	ctl_json_str(j, "name", t->name);
	ctl_json_str(j, "kind", ctl_kind_name(t->kind));
	ctl_json_uint(j, "size", t->size);
	switch (t->kind) {
	case TTST_K_STRUCT:
	case TTST_K_UNION:
		members(j, m, t);
		break;
	case TTST_K_ARRAY:
		type_ref(j, m, "element", t->ref);
		ctl_json_uint(j, "count", t->count);
		break;
	case TTST_K_POINTER:
		type_ref(j, m, "pointee", t->ref);
		if (t->flags & TTST_TF_FUNCPTR)
			ctl_json_bool(j, "function_pointer", 1);
		break;
	case TTST_K_FUNCTION:
		type_ref(j, m, "return", t->ref);
		break;
	case TTST_K_ENUM:
		ctl_json_bool(j, "signed", (t->flags & TTST_TF_SIGNED) != 0);
		enumerators(j, m, t);
		break;
	case TTST_K_INT:
		ctl_json_bool(j, "signed", (t->flags & TTST_TF_SIGNED) != 0);
		if (t->flags & TTST_TF_BOOL)
			ctl_json_bool(j, "bool", 1);
		if (t->flags & TTST_TF_CHAR)
			ctl_json_bool(j, "char", 1);
		break;
	default:
		break;
	}
	if (t->flags & TTST_TF_ANON)
		ctl_json_bool(j, "anonymous", 1);
	if (t->flags & TTST_TF_INCOMPLETE)
		ctl_json_bool(j, "incomplete", 1);
	if (t->flags & TTST_TF_IXFER)
		ctl_json_bool(j, "ixfer", 1);
	ctl_json_obj_end(j);
}

/* Writes one static object. */
static void static_obj(struct ctl_json *j, const struct ctl_model *m, const struct ctl_static *s)
{
	static const char *const kinds[] = {"variable", "function", "local"};
	ctl_json_obj(j, NULL);
	ctl_json_str(j, "id", s->id);
	ctl_json_str(j, "name", s->name);
	ctl_json_str(j, "kind", s->kind <= TTST_S_LOCAL ? kinds[s->kind] : "?");
	type_ref(j, m, "type", s->type);
	ctl_json_uint(j, "size", s->size);
	ctl_json_str(j, "file", s->file);
	ctl_json_uint(j, "line", s->line);
	ctl_json_str(j, "linkage",
		     s->kind == TTST_S_LOCAL	     ? "none"
		     : (s->flags & TTST_SF_INTERNAL) ? "internal"
						     : "external");
	if (s->flags & TTST_SF_CONST)
		ctl_json_bool(j, "const", 1);
	if (s->flags & TTST_SF_TLS)
		ctl_json_bool(j, "tls", 1);
	if (s->flags & TTST_SF_STRING)
		ctl_json_bool(j, "string", 1);
	if (s->flags & TTST_SF_IXFER)
		ctl_json_bool(j, "ixfer", 1);
	if (s->flags & TTST_SF_PXFER)
		ctl_json_bool(j, "pxfer", 1);
	ctl_json_obj_end(j);
}

/* Writes one allocation site. */
static void site_obj(struct ctl_json *j, const struct ctl_model *m, const struct ctl_site *s)
{
	ctl_json_obj(j, NULL);
	ctl_json_str(j, "id", s->id);
	ctl_json_str(j, "function", s->func);
	ctl_json_str(j, "file", s->file);
	ctl_json_uint(j, "line", s->line);
	ctl_json_str(j, "allocator", s->allocator);
	type_ref(j, m, "type", s->type);
	if (s->flags & TTST_XF_FREE)
		ctl_json_bool(j, "free", 1);
	if (s->flags & TTST_XF_WRAPPER)
		ctl_json_bool(j, "wrapper", 1);
	if (s->flags & TTST_XF_SIZE_MISMATCH)
		ctl_json_bool(j, "size_mismatch", 1);
	if (s->flags & TTST_XF_ARRAY)
		ctl_json_bool(j, "array", 1);
	if (s->flags & TTST_XF_CONST_SIZE)
		ctl_json_uint(j, "const_size", s->const_size);
	ctl_json_obj_end(j);
}

int ctl_inspect_json(const struct ctl_model *m, const char *path, FILE *f)
{
	struct ctl_json j;
	size_t nalloc, nuntyped;
	ctl_count_sites(m, &nalloc, &nuntyped);
	ctl_json_init(&j, f);
	ctl_json_obj(&j, NULL);
	ctl_json_str(&j, "binary", path);
	ctl_json_uint(&j, "abi_version", TTST_ABI_VERSION);
	ctl_json_uint(&j, "tus", m->ntus);
	ctl_json_uint(&j, "untyped_sites", nuntyped);
	ctl_json_uint(&j, "allocation_sites", nalloc);
	ctl_json_arr(&j, "types");
	for (size_t i = 0; i < m->ntypes; i++)
		type_obj(&j, m, &m->types[i]);
	ctl_json_arr_end(&j);
	ctl_json_arr(&j, "statics");
	for (size_t i = 0; i < m->nstatics; i++)
		static_obj(&j, m, &m->statics[i]);
	ctl_json_arr_end(&j);
	ctl_json_arr(&j, "sites");
	for (size_t i = 0; i < m->nsites; i++)
		site_obj(&j, m, &m->sites[i]);
	ctl_json_arr_end(&j);
	ctl_json_obj_end(&j);
	fputc('\n', f);
	return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}
