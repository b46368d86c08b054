/* xfer_rules.c -- pure type-change rules: leaf conversions, member matching, classification. */
#include "xfer_rules.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define PTR_SIZE 8u

uint32_t ttst_rule_mflags(uint32_t mf)
{
	return ((mf & TTST_MF_IXFER) ? TTST_RF_IXFER : 0) | ((mf & TTST_MF_PXFER) ? TTST_RF_PXFER : 0);
}

uint32_t ttst_rule_sflags(uint32_t sf)
{
	return ((sf & TTST_SF_IXFER) ? TTST_RF_IXFER : 0) | ((sf & TTST_SF_PXFER) ? TTST_RF_PXFER : 0);
}

const struct ttst_type_rec *ttst_rule_type(struct ttst_tref t)
{
	return t.tu ? ttst_meta_type(t.tu, t.idx) : NULL;
}

const char *ttst_rule_type_name(struct ttst_tref t)
{
	const struct ttst_type_rec *r = ttst_rule_type(t);
	return r ? ttst_meta_str(t.tu, r->name) : "void";
}

const char *ttst_verdict_name(enum ttst_verdict v)
{
	static const char *const names[] = {"same", "automatic", "needs annotation", "impossible"};
	return (unsigned)v < 4 ? names[v] : "?";
}

/* Formats a reason into why (if any). */
static void say(char *why, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *why, size_t n, const char *fmt, ...)
{
	if (!why || !n)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, n, fmt, ap);
	va_end(ap);
}

static int has_ptr_depth(struct ttst_tref t, int depth)
{
	const struct ttst_type_rec *r = ttst_rule_type(t);
	if (!r || depth > 64)
		return 0;
	switch (r->kind) {
	case TTST_K_POINTER:
		return 1;
	case TTST_K_ARRAY:
		return has_ptr_depth((struct ttst_tref){t.tu, r->ref}, depth + 1);
	case TTST_K_STRUCT:
	case TTST_K_UNION: {
		const struct ttst_member_rec *m = ttst_meta_members(t.tu) + r->ref;
		for (uint32_t i = 0; i < r->count; i++)
			if ((m[i].flags & TTST_MF_PXFER) ||
			    (!(m[i].flags & TTST_MF_IXFER) &&
			     has_ptr_depth((struct ttst_tref){t.tu, m[i].type}, depth + 1)))
				return 1;
		return 0;
	}
	default:
		return 0;
	}
}

int ttst_rule_has_ptr(struct ttst_tref t)
{
	return has_ptr_depth(t, 0);
}

static int is_intlike(const struct ttst_type_rec *r)
{
	return r->kind == TTST_K_INT || r->kind == TTST_K_ENUM;
}

/* Non-zero if a value of r in a place with flags f is a pointer. */
static int is_ptrlike(const struct ttst_type_rec *r, uint32_t f)
{
	return r->kind == TTST_K_POINTER || (is_intlike(r) && (f & TTST_RF_PXFER));
}

/* Pointer <-> pointer-like; only called when at least one side is a pointer. */
static enum ttst_conv conv_ptr(const struct ttst_type_rec *ra, uint32_t fa,
			       const struct ttst_type_rec *rb, uint32_t fb, enum ttst_verdict *v,
			       char *why, size_t n)
{
	int pa = is_ptrlike(ra, fa), pb = is_ptrlike(rb, fb);
	if (pa && pb) {
		if (ra->size != PTR_SIZE || rb->size != PTR_SIZE) {
			*v = TTST_V_IMPOSSIBLE;
			say(why, n, "a PXFER integer must be pointer-sized (%u bytes), not %llu", PTR_SIZE,
			    (unsigned long long)(ra->size != PTR_SIZE ? ra->size : rb->size));
			return TTST_C_REFUSE;
		}
		*v = (ra->hash == rb->hash && fa == fb) ? TTST_V_SAME : TTST_V_AUTO;
		say(why, n, "pointer translated");
		return TTST_C_PTR;
	}
	if (pa && is_intlike(rb)) {
		*v = TTST_V_ANNOTATE;
		say(why, n,
		    "pointer became integer type; annotate it PXFER to keep the pointer, or IXFER "
		    "to copy the old address");
		return TTST_C_REFUSE;
	}
	if (pb && is_intlike(ra)) {
		*v = TTST_V_ANNOTATE;
		say(why, n,
		    "integer became a pointer; annotate the old member PXFER if it held a pointer, "
		    "or set it in a transfer callback");
		return TTST_C_REFUSE;
	}
	return TTST_C_REFUSE; /* the caller reports "X became Y" */
}

/* Integer / enum / bool to integer / enum / bool. */
static enum ttst_conv conv_int(const struct ttst_type_rec *ra, const struct ttst_type_rec *rb,
			       enum ttst_verdict *v, char *why, size_t n)
{
	if (ra->kind == TTST_K_ENUM && rb->kind == TTST_K_ENUM) {
		if (ra->hash == rb->hash) {
			*v = TTST_V_SAME;
			return TTST_C_COPY;
		}
		*v = TTST_V_AUTO;
		say(why, n, "enum changed: values mapped by enumerator name");
		return TTST_C_ENUM;
	}
	unsigned sa = ra->flags & (TTST_TF_SIGNED | TTST_TF_BOOL);
	unsigned sb = rb->flags & (TTST_TF_SIGNED | TTST_TF_BOOL);
	if (ra->size == rb->size && sa == sb) {
		*v = ra->kind == rb->kind ? TTST_V_SAME : TTST_V_AUTO;
		say(why, n, "enum <-> integer of the same size");
		return TTST_C_COPY;
	}
	*v = TTST_V_AUTO;
	if (rb->size > ra->size && (sa == sb || !(ra->flags & TTST_TF_SIGNED)))
		say(why, n, "widened from %llu to %llu bytes", (unsigned long long)ra->size,
		    (unsigned long long)rb->size);
	else
		say(why, n, "narrowed or changed signedness (%llu to %llu bytes): values range-checked",
		    (unsigned long long)ra->size, (unsigned long long)rb->size);
	return TTST_C_INT;
}

/* Everything that is neither pointer-like nor IXFER. */
static enum ttst_conv conv_value(struct ttst_tref a, const struct ttst_type_rec *ra,
				 struct ttst_tref b, const struct ttst_type_rec *rb,
				 enum ttst_verdict *v, char *why, size_t n)
{
	int same = ra->hash == rb->hash;
	unsigned ka = ra->kind, kb = rb->kind;
	if (is_intlike(ra) && is_intlike(rb))
		return conv_int(ra, rb, v, why, n);
	if ((ka == TTST_K_FLOAT || is_intlike(ra)) && (kb == TTST_K_FLOAT || is_intlike(rb))) {
		*v = same ? TTST_V_SAME : TTST_V_AUTO;
		say(why, n, "numeric conversion: the value must convert exactly");
		return same ? TTST_C_COPY : TTST_C_FLOAT;
	}
	if (ka == kb && (ka == TTST_K_STRUCT || ka == TTST_K_UNION || ka == TTST_K_ARRAY)) {
		if ((ra->flags | rb->flags) & TTST_TF_INCOMPLETE) {
			*v = TTST_V_IMPOSSIBLE;
			say(why, n, "'%s' is incomplete (declared but not defined)",
			    ttst_rule_type_name(ra->flags & TTST_TF_INCOMPLETE ? a : b));
			return TTST_C_REFUSE;
		}
		*v = same ? TTST_V_SAME : TTST_V_AUTO;
		if (ka == TTST_K_STRUCT)
			return TTST_C_STRUCT;
		if (ka == TTST_K_ARRAY) {
			say(why, n, "array %s from %u to %u elements",
			    rb->count >= ra->count ? "grown" : "truncated (dropped elements must be zero)",
			    ra->count, rb->count);
			return TTST_C_ARRAY;
		}
		if (!same && (ttst_rule_has_ptr(a) || ttst_rule_has_ptr(b))) {
			*v = TTST_V_ANNOTATE;
			say(why, n, "union with pointer members changed; annotate it IXFER or PXFER");
		} else {
			say(why, n, "union copied as bytes (refused if it holds a pointer)");
		}
		return TTST_C_UNION;
	}
	*v = TTST_V_IMPOSSIBLE;
	say(why, n, "type '%s' became '%s'", ttst_rule_type_name(a), ttst_rule_type_name(b));
	return TTST_C_REFUSE;
}

enum ttst_conv ttst_rule_conv(struct ttst_tref a, uint32_t fa, struct ttst_tref b, uint32_t fb,
			      enum ttst_verdict *v, char *why, size_t n)
{
	const struct ttst_type_rec *ra = ttst_rule_type(a), *rb = ttst_rule_type(b);
	say(why, n, "%s", "");
	if (!ra || !rb || ra->kind == TTST_K_VOID || rb->kind == TTST_K_VOID ||
	    ra->kind == TTST_K_FUNCTION || rb->kind == TTST_K_FUNCTION) {
		*v = TTST_V_IMPOSSIBLE;
		say(why, n, "no transferable type ('%s' to '%s')", ttst_rule_type_name(a),
		    ttst_rule_type_name(b));
		return TTST_C_REFUSE;
	}
	if (((fa | fb) & TTST_RF_IXFER) || ((ra->flags | rb->flags) & TTST_TF_IXFER)) {
		*v = ra->hash == rb->hash ? TTST_V_SAME : TTST_V_AUTO;
		say(why, n, "IXFER: copied as bytes");
		return TTST_C_BYTES;
	}
	if (is_ptrlike(ra, fa) || is_ptrlike(rb, fb)) {
		enum ttst_conv c = conv_ptr(ra, fa, rb, fb, v, why, n);
		if (c != TTST_C_REFUSE || (why && why[0]))
			return c;
		*v = TTST_V_IMPOSSIBLE;
		say(why, n, "type '%s' became '%s'", ttst_rule_type_name(a), ttst_rule_type_name(b));
		return TTST_C_REFUSE;
	}
	return conv_value(a, ra, b, rb, v, why, n);
}

/* Number of anonymous members among the first i members of r. */
static uint32_t anon_ordinal(const struct ttst_member_rec *m, uint32_t i)
{
	uint32_t k = 0;
	for (uint32_t j = 0; j < i; j++)
		k += m[j].name == 0 || (m[j].flags & TTST_MF_ANON);
	return k;
}

/* The new name of member `name` of type a (renamed by rn), or name. */
static const char *renamed(struct ttst_tref a, struct ttst_tref b, const char *name,
			   const struct ttst_rule_renames *rn)
{
	const char *na = ttst_rule_type_name(a), *nb = ttst_rule_type_name(b);
	for (size_t i = 0; rn && i < rn->n; i++) {
		const struct ttst_rule_rename *r = &rn->v[i];
		if (r->type && (!strcmp(r->type, na) || !strcmp(r->type, nb)) &&
		    !strcmp(r->from, name))
			return r->to;
	}
	return name;
}

long ttst_rule_match(struct ttst_tref a, uint32_t i, struct ttst_tref b,
		     const struct ttst_rule_renames *rn)
{
	const struct ttst_type_rec *ra = ttst_rule_type(a), *rb = ttst_rule_type(b);
	if (!ra || !rb || i >= ra->count)
		return -1;
	const struct ttst_member_rec *ma = ttst_meta_members(a.tu) + ra->ref;
	const struct ttst_member_rec *mb = ttst_meta_members(b.tu) + rb->ref;
	const char *name = ttst_meta_str(a.tu, ma[i].name);
	if (!name[0] || (ma[i].flags & TTST_MF_ANON)) {
		uint32_t k = anon_ordinal(ma, i);
		for (uint32_t j = 0; j < rb->count; j++)
			if ((mb[j].name == 0 || (mb[j].flags & TTST_MF_ANON)) &&
			    anon_ordinal(mb, j) == k)
				return j;
		return -1;
	}
	name = renamed(a, b, name, rn);
	for (uint32_t j = 0; j < rb->count; j++)
		if (!strcmp(ttst_meta_str(b.tu, mb[j].name), name))
			return j;
	return -1;
}

/* Classification state: the worst verdict so far and its reason. */
struct cls {
	const struct ttst_rule_renames *rn;
	enum ttst_verdict worst;
	char *why;
	size_t n;
};

static void note(struct cls *c, enum ttst_verdict v, const char *path, const char *what)
{
	if (v > c->worst || (v == c->worst && v != TTST_V_SAME && c->why && c->n && !c->why[0])) {
		c->worst = v;
		say(c->why, c->n, "%s: %s", path, what);
	}
}

static void walk(struct cls *c, struct ttst_tref a, uint32_t fa, struct ttst_tref b, uint32_t fb,
		 const char *path, int depth);

/* Members of two structs/unions (the conversion step said STRUCT). */
static void walk_members(struct cls *c, struct ttst_tref a, struct ttst_tref b, const char *path,
			 int depth)
{
	const struct ttst_type_rec *ra = ttst_rule_type(a), *rb = ttst_rule_type(b);
	const struct ttst_member_rec *ma = ttst_meta_members(a.tu) + ra->ref;
	const struct ttst_member_rec *mb = ttst_meta_members(b.tu) + rb->ref;
	unsigned char seen[1024] = {0};
	char sub[512];
	for (uint32_t i = 0; i < ra->count; i++) {
		long j = ttst_rule_match(a, i, b, c->rn);
		snprintf(sub, sizeof sub, "%s.%s", path, ttst_meta_str(a.tu, ma[i].name));
		if (j < 0) {
			note(c, TTST_V_AUTO, sub, "dropped");
			continue;
		}
		if (j < (long)sizeof seen)
			seen[j] = 1;
		if ((ma[i].flags ^ mb[j].flags) & TTST_MF_BITFIELD || ma[i].bit_size != mb[j].bit_size)
			note(c, TTST_V_AUTO, sub, "bitfield width changed: values range-checked");
		walk(c, (struct ttst_tref){a.tu, ma[i].type}, ttst_rule_mflags(ma[i].flags),
		     (struct ttst_tref){b.tu, mb[j].type}, ttst_rule_mflags(mb[j].flags), sub, depth + 1);
	}
	for (uint32_t j = 0; j < rb->count && j < sizeof seen; j++)
		if (!seen[j]) {
			snprintf(sub, sizeof sub, "%s.%s", path, ttst_meta_str(b.tu, mb[j].name));
			note(c, TTST_V_AUTO, sub, "added (zero, or set by a callback)");
		}
}

static void walk(struct cls *c, struct ttst_tref a, uint32_t fa, struct ttst_tref b, uint32_t fb,
		 const char *path, int depth)
{
	enum ttst_verdict v;
	char why[256];
	if (depth > 64)
		return;
	enum ttst_conv k = ttst_rule_conv(a, fa, b, fb, &v, why, sizeof why);
	const struct ttst_type_rec *ra = ttst_rule_type(a), *rb = ttst_rule_type(b);
	if (k == TTST_C_STRUCT) {
		if (v != TTST_V_SAME)
			walk_members(c, a, b, path, depth);
		return;
	}
	if (k == TTST_C_ARRAY) {
		char sub[512];
		if (ra->count != rb->count)
			note(c, TTST_V_AUTO, path, why);
		snprintf(sub, sizeof sub, "%s[]", path);
		walk(c, (struct ttst_tref){a.tu, ra->ref}, fa, (struct ttst_tref){b.tu, rb->ref}, fb,
		     sub, depth + 1);
		return;
	}
	note(c, v, path, why);
}

enum ttst_verdict ttst_rules_classify(struct ttst_tref a, struct ttst_tref b,
				      const struct ttst_rule_renames *rn, char *why, size_t n)
{
	struct cls c = {rn, TTST_V_SAME, why, n};
	say(why, n, "%s", "");
	walk(&c, a, 0, b, 0, ttst_rule_type_name(a), 0);
	if (c.worst == TTST_V_SAME)
		say(why, n, "%s: identical layout", ttst_rule_type_name(a));
	return c.worst;
}
