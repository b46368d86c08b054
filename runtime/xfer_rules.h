/* xfer_rules.h -- pure rules for state transfer between two versions of a type: member matching,
 * leaf conversions, and the classification `ttst-ctl diff` prints.
 *
 * No process state: everything works on checked TU blobs (meta.h) given by
 * the caller, so ttst-ctl links xfer_rules.c alone (with runtime/meta.c).
 * "a" is always the old side, "b" the new side; the same rules serve a
 * backward transfer with the roles swapped.
 *
 *   verdict      meaning (what ttst-ctl diff prints)
 *   SAME         identical layout (same structural hash): bytes + pointers
 *   AUTO         handled automatically (members by name, widening,
 *                checked narrowing, enums by name, arrays resized, ...)
 *   ANNOTATE     needs IXFER / PXFER or a callback (pointer<->integer,
 *                a changed union with pointer members, ...)
 *   IMPOSSIBLE   no rule covers it (struct became int, ...)
 */
#ifndef TTST_RT_XFER_RULES_H
#define TTST_RT_XFER_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "ttst/meta.h"

/* A type: blob + index (idx may be TTST_NO_TYPE: void / unknown). */
struct ttst_tref {
	const struct ttst_tu_hdr *tu;
	uint32_t idx;
};

enum ttst_verdict {
	TTST_V_SAME = 0,
	TTST_V_AUTO = 1,
	TTST_V_ANNOTATE = 2,
	TTST_V_IMPOSSIBLE = 3,
};

/* How one value of the old type becomes a value of the new type. */
enum ttst_conv {
	TTST_C_COPY,   /* same representation, no pointers inside: copy bytes */
	TTST_C_INT,    /* integer / enum / bool to integer / enum: range checked */
	TTST_C_ENUM,   /* enum to enum: by enumerator name */
	TTST_C_FLOAT,  /* float <-> float / integer: value must survive exactly */
	TTST_C_PTR,    /* pointer (or PXFER integer) to pointer (or PXFER integer) */
	TTST_C_BYTES,  /* IXFER: raw bytes (shorter copy, rest zero) */
	TTST_C_UNION,  /* union: raw bytes, refused at run time if it holds a pointer */
	TTST_C_STRUCT, /* struct to struct: members by name */
	TTST_C_ARRAY,  /* array to array: element by element, resized */
	TTST_C_REFUSE, /* needs an annotation or impossible (reason given) */
};

/* Annotation flags of the place holding a value (member or variable). */
#define TTST_RF_IXFER 0x1u /* copy bytes */
#define TTST_RF_PXFER 0x2u /* integer holding a pointer */

/* A rename: member `from` of type `type` is member `to` in the new version
 * (type NULL: state ID `from` is state ID `to`). */
struct ttst_rule_rename {
	const char *type;
	const char *from;
	const char *to;
};

/* The renames in force (may be empty: n == 0, v == NULL). */
struct ttst_rule_renames {
	const struct ttst_rule_rename *v;
	size_t n;
};

/* Rule flags of a member record (TTST_MF_*) and of a static record (TTST_SF_*). */
uint32_t ttst_rule_mflags(uint32_t member_flags);
uint32_t ttst_rule_sflags(uint32_t static_flags);

/* The type record of t, or NULL for void / unknown. */
const struct ttst_type_rec *ttst_rule_type(struct ttst_tref t);

/* The name of t ("void" for none). The string lives in t's blob. */
const char *ttst_rule_type_name(struct ttst_tref t);

/* Non-zero if a value of type t can hold a pointer (pointers, PXFER
 * members, and aggregates containing them; unions count their members). */
int ttst_rule_has_ptr(struct ttst_tref t);

/* Decides how a value of type a in a place with flags fa (TTST_RF_*)
 * becomes a value of type b in a place with flags fb.  Sets *v to the
 * verdict of this step alone (aggregates: SAME or AUTO for the step; their
 * members are the caller's recursion) and, for AUTO / ANNOTATE /
 * IMPOSSIBLE, writes a one-line reason to why (may be NULL when n is 0). */
enum ttst_conv ttst_rule_conv(struct ttst_tref a, uint32_t fa, struct ttst_tref b, uint32_t fb,
			      enum ttst_verdict *v, char *why, size_t n);

/* The index (0-based, among b's members) of the member of struct/union b
 * that member i of a becomes: same name (or renamed by rn for a's type
 * name), or for anonymous members the same ordinal among anonymous
 * members.  Returns -1 if the member was dropped. */
long ttst_rule_match(struct ttst_tref a, uint32_t i, struct ttst_tref b,
		     const struct ttst_rule_renames *rn);

/* Classifies the change from a to b recursively (member by member) and
 * returns the worst verdict.  why receives one line for the first member
 * with the worst verdict, naming the member path: e.g.
 * "struct entry.hits: added (zero)" or "struct conn.peer: pointer became
 * integer 'long'; annotate it PXFER to keep the pointer". */
enum ttst_verdict ttst_rules_classify(struct ttst_tref a, struct ttst_tref b,
				      const struct ttst_rule_renames *rn, char *why, size_t n);

/* "same" / "automatic" / "needs annotation" / "impossible". */
const char *ttst_verdict_name(enum ttst_verdict v);

#endif /* TTST_RT_XFER_RULES_H */
