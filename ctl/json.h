/* json.h -- a tiny streaming JSON writer for ttst-ctl's --json output. */
#ifndef TTST_CTL_JSON_H
#define TTST_CTL_JSON_H

#include <stdint.h>
#include <stdio.h>

#define CTL_JSON_MAX_DEPTH 32

/* Writer state: commas are inserted automatically.  Inside an object every
 * value takes a key; inside an array (or at top level) key must be NULL. */
struct ctl_json {
	FILE *f;
	int depth;
	unsigned char first[CTL_JSON_MAX_DEPTH]; /* no element yet at this depth */
};

/* Starts writing to f (compact output, no trailing newline). */
void ctl_json_init(struct ctl_json *j, FILE *f);

/* Opens / closes an object or an array.  Nesting deeper than
 * CTL_JSON_MAX_DEPTH is a programming error (assert). */
void ctl_json_obj(struct ctl_json *j, const char *key);
void ctl_json_obj_end(struct ctl_json *j);
void ctl_json_arr(struct ctl_json *j, const char *key);
void ctl_json_arr_end(struct ctl_json *j);

/* Scalar values.  ctl_json_str writes null for a NULL string; every byte is
 * escaped as needed (control characters, quotes, backslash; bytes that are
 * not valid UTF-8 become \u00XX, so the output is always valid JSON). */
void ctl_json_str(struct ctl_json *j, const char *key, const char *s);
void ctl_json_int(struct ctl_json *j, const char *key, int64_t v);
void ctl_json_uint(struct ctl_json *j, const char *key, uint64_t v);
void ctl_json_bool(struct ctl_json *j, const char *key, int v);
void ctl_json_null(struct ctl_json *j, const char *key);

/* Writes s as a quoted, escaped JSON string to f. */
void ctl_json_quote(FILE *f, const char *s);

#endif /* TTST_CTL_JSON_H */
