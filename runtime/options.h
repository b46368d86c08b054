/* options.h -- runtime options parsed from TTST_OPTIONS="key=value:key=value" (table: options.def).
 */
#ifndef TTST_RT_OPTIONS_H
#define TTST_RT_OPTIONS_H

#include <stddef.h>

#include "log.h"

typedef unsigned ttst_opt_MS;
typedef int ttst_opt_BOOL;
typedef int ttst_opt_LEVEL;
typedef const char *ttst_opt_PATH;

struct ttst_options {
#define TTST_OPT(name, kind, def, help) ttst_opt_##kind name;
#include "options.def"
#undef TTST_OPT
};

/* The current options (defaults until ttst_options_init ran). */
extern struct ttst_options ttst_opts;

/* Parses spec (the value of TTST_OPTIONS; NULL or "" means defaults) into out.
 * Returns 0, or -1 with one message in err naming the key/value and listing the
 * valid keys.  Strings in out point into a private copy owned by the parser
 * (freed on the next call with the same out). */
int ttst_options_parse(const char *spec, struct ttst_options *out, char *err, size_t n);

/* Parses $TTST_OPTIONS into ttst_opts; on error prints the message on stderr and
 * calls _exit(2) -- a misconfigured process must not run half-configured. */
void ttst_options_init(void);

#endif /* TTST_RT_OPTIONS_H */
