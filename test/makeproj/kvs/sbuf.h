/* sbuf.h -- kvs: growable NUL-terminated string buffers. */
#ifndef KVS_SBUF_H
#define KVS_SBUF_H

#include <stddef.h>

struct sbuf {
	char *data; /* NUL-terminated when cap > 0 */
	size_t len;
	size_t cap;
};

void sbuf_init(struct sbuf *sb);
/* Makes room for extra more bytes plus the NUL. */
void sbuf_reserve(struct sbuf *sb, size_t extra);
void sbuf_append(struct sbuf *sb, const char *s, size_t n);
void sbuf_puts(struct sbuf *sb, const char *s);
void sbuf_printf(struct sbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns the contents ("" if empty); valid until the next change. */
const char *sbuf_str(const struct sbuf *sb);
/* Hands the heap string to the caller (who frees it); sb becomes empty. */
char *sbuf_detach(struct sbuf *sb);
void sbuf_reset(struct sbuf *sb);
void sbuf_free(struct sbuf *sb);
/* Total bytes by which all buffers have grown. */
size_t sbuf_total_grown(void);

#endif
