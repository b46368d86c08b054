/* sbuf.c -- kvs: growable string buffers. */
#include "sbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static size_t s_total_grown;

void sbuf_init(struct sbuf *sb)
{
	sb->data = NULL;
	sb->len = sb->cap = 0;
}

void sbuf_reserve(struct sbuf *sb, size_t extra)
{
	size_t need = sb->len + extra + 1;
	if (need <= sb->cap)
		return;
	size_t ncap = sb->cap ? sb->cap : 16;
	while (ncap < need)
		ncap *= 2;
	sb->data = realloc(sb->data, ncap);
	if (!sb->data)
		die("out of memory growing a string buffer to %zu bytes", ncap);
	s_total_grown += ncap - sb->cap;
	if (sb->cap == 0)
		sb->data[0] = 0;
	sb->cap = ncap;
}

void sbuf_append(struct sbuf *sb, const char *s, size_t n)
{
	sbuf_reserve(sb, n);
	memcpy(sb->data + sb->len, s, n);
	sb->len += n;
	sb->data[sb->len] = 0;
}

void sbuf_puts(struct sbuf *sb, const char *s)
{
	sbuf_append(sb, s, strlen(s));
}

void sbuf_printf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		die("bad format string '%s'", fmt);
	sbuf_reserve(sb, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

const char *sbuf_str(const struct sbuf *sb)
{
	return sb->data ? sb->data : "";
}

char *sbuf_detach(struct sbuf *sb)
{
	char *s = sb->data ? sb->data : xstrdup("");
	sbuf_init(sb);
	return s;
}

void sbuf_reset(struct sbuf *sb)
{
	sb->len = 0;
	if (sb->data)
		sb->data[0] = 0;
}

void sbuf_free(struct sbuf *sb)
{
	free(sb->data);
	sbuf_init(sb);
}

size_t sbuf_total_grown(void)
{
	return s_total_grown;
}
