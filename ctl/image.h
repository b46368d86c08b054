/* image.h -- reading the ttst_meta section of an ELF file on disk (libelf). */
#ifndef TTST_CTL_IMAGE_H
#define TTST_CTL_IMAGE_H

#include <stddef.h>

/* Reads the bytes of section ttst_meta of the ELF file at path into a new
 * 8-byte aligned heap buffer (*out, *len; the caller frees *out) and checks
 * every TU blob in it with ttst_meta_walk().  Returns 0, or -1 with a
 * one-line message in err that starts with "ttst-ctl: <path>: " (missing
 * file, not ELF, no ttst_meta section, malformed section); *out is then
 * NULL. */
int ctl_image_load(const char *path, char **out, size_t *len, char *err, size_t errlen);

#endif /* TTST_CTL_IMAGE_H */
