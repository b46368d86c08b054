/* inspect.h -- the renderers of `ttst-ctl inspect` (text in inspect.c, JSON in inspect_json.c). */
#ifndef TTST_CTL_INSPECT_H
#define TTST_CTL_INSPECT_H

#include <stdio.h>

#include "model.h"

/* Counts the allocation sites (deallocations excluded) and how many of
 * them have no type. */
void ctl_count_sites(const struct ctl_model *m, size_t *nalloc, size_t *nuntyped);

/* Writes the model of binary `path` as human-readable text: every type,
 * static object, address-taken function and allocation site, then how many
 * allocation sites are untyped and where.  Returns 0, or -1 if writing to f
 * failed. */
int ctl_inspect_text(const struct ctl_model *m, const char *path, FILE *f);

/* Writes the whole model of binary `path` as ONE JSON object and a newline
 * (schema: /work/briefs/README-inspect.md, merged into the README).
 * Returns 0, or -1 if writing to f failed. */
int ctl_inspect_json(const struct ctl_model *m, const char *path, FILE *f);

#endif /* TTST_CTL_INSPECT_H */
