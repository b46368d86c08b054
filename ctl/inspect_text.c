/* inspect_text.c -- `ttst-ctl inspect` without --json: the program model as readable text. */
#include "inspect.h"

#include <inttypes.h>

#include "ttst/abi.h"

/* The name of global type t, or `none` for CTL_NO_TYPE. */
static const char *tname(const struct ctl_model *m, uint32_t t, const char *none)
{
	const struct ctl_type *ct = ctl_model_type(m, t);
	return ct ? ct->name : none;
}

/* Prints the member table of a struct or union. */
static void text_members(const struct ctl_model *m, const struct ctl_type *t, FILE *f)
{
	for (uint32_t k = 0; k < t->n; k++) {
		const struct ctl_member *mb = &m->members[t->first + k];
		char pos[48];
		if (mb->flags & TTST_MF_BITFIELD)
			snprintf(pos, sizeof(pos), "%" PRIu64 ".%u:%u", mb->offset, mb->bit_offset,
				 mb->bit_size);
		else
			snprintf(pos, sizeof(pos), "%" PRIu64, mb->offset);
		fprintf(f, "      %-10s %-20s %s%s%s\n", pos,
			mb->name[0] ? mb->name : "(anonymous)", tname(m, mb->type, "?"),
			(mb->flags & TTST_MF_IXFER) ? "  [IXFER]" : "",
			(mb->flags & TTST_MF_PXFER) ? "  [PXFER]" : "");
	}
}

/* Prints the enumerators of an enum on one line. */
static void text_enums(const struct ctl_model *m, const struct ctl_type *t, FILE *f)
{
	fprintf(f, "      ");
	for (uint32_t k = 0; k < t->n; k++)
		fprintf(f, "%s%s = %" PRId64, k ? ", " : "", m->enums[t->first + k].name,
			m->enums[t->first + k].value);
	fprintf(f, "\n");
}

/* Prints one type: a header line, then members or enumerators. */
static void text_type(const struct ctl_model *m, const struct ctl_type *t, FILE *f)
{
	fprintf(f, "  %s  (%s", t->name, ctl_kind_name(t->kind));
	switch (t->kind) {
	case TTST_K_POINTER:
		fprintf(f, " to %s", tname(m, t->ref, "void"));
		break;
	case TTST_K_ARRAY:
		fprintf(f, " of %" PRIu32 " x %s", t->count, tname(m, t->ref, "?"));
		break;
	case TTST_K_FUNCTION:
		fprintf(f, " returning %s", tname(m, t->ref, "void"));
		break;
	case TTST_K_INT:
	case TTST_K_ENUM:
		fprintf(f, ", %s", (t->flags & TTST_TF_SIGNED) ? "signed" : "unsigned");
		break;
	default:
		break;
	}
	fprintf(f, ", size %" PRIu64 "%s, id %s)\n", t->size,
		(t->flags & TTST_TF_INCOMPLETE) ? ", incomplete" : "", t->id);
	if (t->kind == TTST_K_STRUCT || t->kind == TTST_K_UNION)
		text_members(m, t, f);
	else if (t->kind == TTST_K_ENUM && t->n)
		text_enums(m, t, f);
}

/* Prints the static objects of one kind (variables and locals, or functions). */
static void text_statics(const struct ctl_model *m, int functions, FILE *f)
{
	size_t n = 0;
	for (size_t i = 0; i < m->nstatics; i++)
		n += (m->statics[i].kind == TTST_S_FUNCTION) == functions;
	fprintf(f, "\n%s (%zu):\n", functions ? "address-taken functions" : "static objects", n);
	for (size_t i = 0; i < m->nstatics; i++) {
		const struct ctl_static *s = &m->statics[i];
		if ((s->kind == TTST_S_FUNCTION) != functions)
			continue;
		const char *kind = s->kind == TTST_S_LOCAL ? "local" : "variable";
		const char *link = s->kind == TTST_S_LOCAL	   ? ""
				   : (s->flags & TTST_SF_INTERNAL) ? "internal"
								   : "external";
		if (functions)
			fprintf(f, "  %-28s %-30s %s:%" PRIu32 "  %s\n", s->id,
				tname(m, s->type, "?"), s->file, s->line, link);
		else
			fprintf(f,
				"  %-8s %-28s %-24s size %-6" PRIu64 " %s:%" PRIu32 "  %s%s%s%s\n",
				kind, s->id, tname(m, s->type, "?"), s->size, s->file, s->line,
				link, (s->flags & TTST_SF_TLS) ? "  [thread-local]" : "",
				(s->flags & TTST_SF_IXFER) ? "  [IXFER]" : "",
				(s->flags & TTST_SF_PXFER) ? "  [PXFER]" : "");
	}
}

/* Prints the allocation sites (or the deallocation sites). */
static void text_sites(const struct ctl_model *m, int frees, FILE *f)
{
	size_t n = 0;
	for (size_t i = 0; i < m->nsites; i++)
		n += ((m->sites[i].flags & TTST_XF_FREE) != 0) == frees;
	fprintf(f, "\n%s (%zu):\n", frees ? "deallocation sites" : "allocation sites", n);
	for (size_t i = 0; i < m->nsites; i++) {
		const struct ctl_site *s = &m->sites[i];
		if (((s->flags & TTST_XF_FREE) != 0) != frees)
			continue;
		fprintf(f, "  %-32s %s:%" PRIu32 "  %s", s->id, s->file, s->line, s->allocator);
		if (!frees)
			fprintf(f, "  %s%s%s%s", tname(m, s->type, "untyped"),
				(s->flags & TTST_XF_ARRAY) ? " (array)" : "",
				(s->flags & TTST_XF_WRAPPER) ? " (wrapper)" : "",
				(s->flags & TTST_XF_SIZE_MISMATCH) ? " (size mismatch)" : "");
		fputc('\n', f);
	}
}

int ctl_inspect_text(const struct ctl_model *m, const char *path, FILE *f)
{
	size_t nalloc, nuntyped;
	fprintf(f, "%s: ttst metadata ABI %d, %u translation unit%s\n", path, TTST_ABI_VERSION,
		m->ntus, m->ntus == 1 ? "" : "s");
	fprintf(f, "\ntypes (%zu):\n", m->ntypes);
	for (size_t i = 0; i < m->ntypes; i++)
		text_type(m, &m->types[i], f);
	text_statics(m, 0, f);
	text_statics(m, 1, f);
	text_sites(m, 0, f);
	text_sites(m, 1, f);
	ctl_count_sites(m, &nalloc, &nuntyped);
	fprintf(f, "\n%zu of %zu allocation sites are untyped%s\n", nuntyped, nalloc,
		nuntyped ? ":" : ".");
	for (size_t i = 0; i < m->nsites; i++) {
		const struct ctl_site *s = &m->sites[i];
		if (!(s->flags & TTST_XF_FREE) && s->type == CTL_NO_TYPE)
			fprintf(f, "  %s:%" PRIu32 "  %s  (%s in %s)%s\n", s->file, s->line, s->id,
				s->allocator, s->func,
				(s->flags & TTST_XF_SIZE_MISMATCH)
				    ? ", size does not match the type"
				    : "");
	}
	return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}
