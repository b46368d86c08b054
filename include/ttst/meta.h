/* meta.h -- validated access to ttst_meta TU blobs (shared by libttst and ttst-ctl).
 *
 * A reader first validates a blob with ttst_meta_check() (or walks a whole
 * section with ttst_meta_walk(), which checks every blob), then reads it
 * through the accessors below.  After a successful check every record
 * array lies inside the blob and is aligned, every string offset stored in
 * a record is inside the string table (and the table ends with a NUL),
 * every type index is < ntypes or TTST_NO_TYPE, every member/enumerator
 * range of a type is inside its array, and the checksum matches.
 *
 * Nothing here allocates memory except ttst_meta_walk() on a section that
 * is not 8-byte aligned (never the case for a linked ttst_meta section).
 */
#ifndef TTST_META_H
#define TTST_META_H

#include <stddef.h>
#include <stdint.h>

#include "abi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Validates the TU blob at p (8-byte aligned; at most avail bytes
 * readable).  offset_for_msgs is the blob's offset in its section, used
 * only in messages.  Returns the blob's total_size, or -1 with a one-line
 * reason in err ("TU blob at offset N: <what>"; the caller adds the file
 * name).  err may be NULL when errlen is 0.  Never reads outside
 * [p, p + avail). */
long ttst_meta_check(const void *p, size_t avail, size_t offset_for_msgs, char *err, size_t errlen);

/* Walks a whole ttst_meta section (TU blobs concatenated by the linker,
 * possibly separated by zero padding words), validating each blob and
 * calling fn(hdr, arg) for it.  Stops at the first malformed blob (returns
 * -1, reason in err) or when fn returns non-zero (returns that value).
 * Returns 0 when the whole section was walked (an empty or all-zero section
 * has no blobs).  start needs no particular alignment: if it is not 8-byte
 * aligned the section is copied to a temporary heap buffer, and the hdr
 * pointers passed to fn are valid only during the call (returns -1 with
 * "out of memory" if the copy cannot be made).  fn may write
 * hdr->rt_site_base of an aligned, writable section (the runtime does). */
int ttst_meta_walk(const void *start, size_t len, int (*fn)(const struct ttst_tu_hdr *, void *),
		   void *arg, char *err, size_t errlen);

/* --- Accessors for a blob that passed ttst_meta_check() ------------------ */

/* The type records, ntypes of them. */
static inline const struct ttst_type_rec *ttst_meta_types(const struct ttst_tu_hdr *h)
{
	return (const struct ttst_type_rec *)((const char *)h + h->off_types);
}

/* The member records (of all structs and unions), nmembers of them. */
static inline const struct ttst_member_rec *ttst_meta_members(const struct ttst_tu_hdr *h)
{
	return (const struct ttst_member_rec *)((const char *)h + h->off_members);
}

/* The enumerator records (of all enums), nenums of them. */
static inline const struct ttst_enum_rec *ttst_meta_enums(const struct ttst_tu_hdr *h)
{
	return (const struct ttst_enum_rec *)((const char *)h + h->off_enums);
}

/* The static-object records, nstatics of them. */
static inline const struct ttst_static_rec *ttst_meta_statics(const struct ttst_tu_hdr *h)
{
	return (const struct ttst_static_rec *)((const char *)h + h->off_statics);
}

/* The allocation-site records, nsites of them. */
static inline const struct ttst_site_rec *ttst_meta_sites(const struct ttst_tu_hdr *h)
{
	return (const struct ttst_site_rec *)((const char *)h + h->off_sites);
}

/* The NUL-terminated string at offset off of the string table; "" when off
 * is outside the table, so a stray offset can never read out of bounds. */
static inline const char *ttst_meta_str(const struct ttst_tu_hdr *h, uint32_t off)
{
	const char *tab = (const char *)h + h->off_strings;
	return off < h->strings_size ? tab + off : tab + h->strings_size - 1;
}

/* The relocated address array: nstatics + 1 entries, entry i is the address
 * of static i (NULL for locals), the last is &__ttst_abi_check_v1.  Only
 * meaningful in a running process (zero or link-time values on disk). */
static inline void *const *ttst_meta_addrs(const struct ttst_tu_hdr *h)
{
	return (void *const *)((const char *)h + h->off_addrs);
}

/* The type record for index idx, or NULL for TTST_NO_TYPE. */
static inline const struct ttst_type_rec *ttst_meta_type(const struct ttst_tu_hdr *h, uint32_t idx)
{
	return idx < h->ntypes ? ttst_meta_types(h) + idx : (const struct ttst_type_rec *)0;
}

/* --- Program-level state IDs ---------------------------------------------
 * The file part of a file-scope state ID ("util.c:counter", a static string
 * "util.c:.str#...", a site in a static function "util.c:make:p:0") is the
 * basename of its TU's source file, so that IDs do not depend on the
 * directory a version is built in.  When several TUs of one program share a
 * basename, each of them is told apart by the shortest path suffix that is
 * unique among them ("net/util.c:counter" vs "disk/util.c:counter").
 * Readers that merge TUs (ttst-ctl, the runtime) apply this to every ID. */

/* Returns the tag of TU i among the n TUs whose source paths are paths[]
 * (ttst_tu_hdr.file strings): a pointer to a suffix of paths[i] -- its
 * basename, or a longer suffix when another TU has the same basename.
 * Never fails; the result lives as long as paths[i]. */
const char *ttst_meta_tu_tag(const char *const *paths, size_t n, size_t i);

/* Qualifies one ID of TU path `path` whose tag is `tag`: when tag is longer
 * than the basename and id starts with "<basename>:", writes "<tag>:<rest>"
 * into buf and returns 1; otherwise returns 0 and leaves buf alone (the ID
 * stands as it is).  Returns -1 if buf (len bytes) is too small. */
int ttst_meta_qualify_id(const char *id, const char *path, const char *tag, char *buf,
			 size_t len);

#ifdef __cplusplus
}
#endif

#endif /* TTST_META_H */
