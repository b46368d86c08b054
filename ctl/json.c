/* json.c -- a tiny streaming JSON writer (escaping correct for every byte). */
#include "json.h"

#include <assert.h>
#include <inttypes.h>

void ctl_json_init(struct ctl_json *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	j->first[0] = 1;
}

/* Writes the separator and the key (if any) before a value. */
static void pre(struct ctl_json *j, const char *key)
{
	if (!j->first[j->depth])
		fputc(',', j->f);
	j->first[j->depth] = 0;
	if (key) {
		ctl_json_quote(j->f, key);
		fputc(':', j->f);
	}
}

/* Opens a container with bracket c. */
static void open_(struct ctl_json *j, const char *key, int c)
{
	pre(j, key);
	fputc(c, j->f);
	assert(j->depth + 1 < CTL_JSON_MAX_DEPTH);
	j->first[++j->depth] = 1;
}

/* Closes a container with bracket c. */
static void close_(struct ctl_json *j, int c)
{
	assert(j->depth > 0);
	j->depth--;
	fputc(c, j->f);
}

void ctl_json_obj(struct ctl_json *j, const char *key)
{
	open_(j, key, '{');
}
void ctl_json_obj_end(struct ctl_json *j)
{
	close_(j, '}');
}
void ctl_json_arr(struct ctl_json *j, const char *key)
{
	open_(j, key, '[');
}
void ctl_json_arr_end(struct ctl_json *j)
{
	close_(j, ']');
}

/* Length of the valid UTF-8 sequence at s (2..4), or 0 if s does not start
 * one (overlong forms, surrogates and code points above U+10FFFF are
 * invalid). */
static int utf8_len(const unsigned char *s)
{
	unsigned c = s[0];
	int n;
	uint32_t cp, min;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2, cp = c & 0x1F, min = 0x80;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3, cp = c & 0x0F, min = 0x800;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4, cp = c & 0x07, min = 0x10000;
	else
		return 0;
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80) /* also stops at the NUL terminator */
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

void ctl_json_quote(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	fputc('"', f);
	while (*s) {
		unsigned c = *s;
		int n;
		if (c == '"' || c == '\\') {
			fputc('\\', f);
			fputc((int)c, f);
		} else if (c == '\n') {
			fputs("\\n", f);
		} else if (c == '\t') {
			fputs("\\t", f);
		} else if (c < 0x20 || c == 0x7F) {
			fprintf(f, "\\u%04x", c);
		} else if (c < 0x80) {
			fputc((int)c, f);
		} else if ((n = utf8_len(s)) > 0) {
			fwrite(s, 1, (size_t)n, f);
			s += n;
			continue;
		} else {
			fprintf(f, "\\u%04x", c); /* a stray byte, shown as Latin-1 */
		}
		s++;
	}
	fputc('"', f);
}

void ctl_json_str(struct ctl_json *j, const char *key, const char *s)
{
	pre(j, key);
	if (s)
		ctl_json_quote(j->f, s);
	else
		fputs("null", j->f);
}

void ctl_json_int(struct ctl_json *j, const char *key, int64_t v)
{
	pre(j, key);
	fprintf(j->f, "%" PRId64, v);
}

void ctl_json_uint(struct ctl_json *j, const char *key, uint64_t v)
{
	pre(j, key);
	fprintf(j->f, "%" PRIu64, v);
}

void ctl_json_bool(struct ctl_json *j, const char *key, int v)
{
	pre(j, key);
	fputs(v ? "true" : "false", j->f);
}

void ctl_json_null(struct ctl_json *j, const char *key)
{
	pre(j, key);
	fputs("null", j->f);
}
