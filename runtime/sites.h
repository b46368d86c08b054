/* sites.h -- the table of attached TU blobs and the process-wide site numbers they own. */
#ifndef TTST_RT_SITES_H
#define TTST_RT_SITES_H

#include <stddef.h>
#include <stdint.h>

#include "ttst/meta.h"

/* rt_site_base of a blob that failed validation: its sites count as unknown. */
#define TTST_SITE_BAD 0xFFFFFFFFu

/* One attached TU blob. */
struct ttst_tu_ent {
	const struct ttst_tu_hdr *tu;
	uint32_t base;	    /* global number of its site 0 */
	uint32_t nsites;    /* numbers reserved (>= 1) */
	int valid;	    /* passed ttst_meta_check */
	int registered;	    /* seen by __ttst_register_module (its statics count) */
	const char *module; /* file name of the module (NULL until registered) */
};

/* Attaches tu (validating it) under the table lock if it is not yet attached:
 * assigns a range of site numbers and writes tu->rt_site_base.  Returns the
 * base, or 0 if the blob is malformed (reported once; its sites are unknown). */
uint32_t ttst_site_attach(struct ttst_tu_hdr *tu);

/* Global site number for (tu, site) and whether that site has a type.
 * Unknown / out of range sites give 0 (untyped). */
static inline uint32_t ttst_site_number(struct ttst_tu_hdr *tu, uint32_t site, unsigned *typed)
{
	uint32_t b = __atomic_load_n(&tu->rt_site_base, __ATOMIC_ACQUIRE);
	if (__builtin_expect(b == 0 || b == TTST_SITE_BAD, 0)) {
		b = ttst_site_attach(tu);
		if (!b) {
			*typed = 0;
			return 0;
		}
	}
	if (__builtin_expect(site >= tu->nsites, 0)) {
		*typed = 0;
		return 0;
	}
	*typed = ttst_meta_sites(tu)[site].type != TTST_NO_TYPE;
	return b + site;
}

/* Marks tu as registered by module `module` (attaching it first). Returns 0,
 * or -1 if the blob is malformed. */
int ttst_site_register(struct ttst_tu_hdr *tu, const char *module);

/* Looks up global site number s: fills *tu and *index and returns 0, or -1
 * if s is 0 or unknown.  The blob stays valid for the life of the process
 * (modules are never unloaded while registered). */
int ttst_site_lookup(uint32_t s, const struct ttst_tu_hdr **tu, uint32_t *index);

/* Type index of global site s in its blob, TTST_NO_TYPE if unknown. */
uint32_t ttst_site_type(uint32_t s, const struct ttst_tu_hdr **tu);

/* Calls fn for every valid registered TU (table locked; fn must not attach). */
int ttst_site_foreach_tu(int (*fn)(const struct ttst_tu_ent *, void *), void *arg);

void ttst_site_fork_prepare(void);
void ttst_site_fork_parent(void);
void ttst_site_fork_child(void);

#endif /* TTST_RT_SITES_H */
