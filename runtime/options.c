/* options.c -- parses TTST_OPTIONS against the table in options.def. */
#define _GNU_SOURCE
#include "options.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void __libc_free(void *);

struct ttst_options ttst_opts = {
#define TTST_OPT(name, kind, def, help) .name = def,
#include "options.def"
#undef TTST_OPT
};

/* The private copy of the spec that PATH values point into. */
static char *spec_copy;

static const char valid_keys[] = ""
#define TTST_OPT(name, kind, def, help) ", " #name
#include "options.def"
#undef TTST_OPT
    ;

static int parse_MS(const char *v, unsigned *out)
{
	char *end;
	errno = 0;
	unsigned long x = strtoul(v, &end, 10);
	if (*v < '0' || *v > '9' || *end || errno || x < 1 || x > 3600000)
		return -1;
	*out = (unsigned)x;
	return 0;
}

static int parse_BOOL(const char *v, int *out)
{
	if (!strcmp(v, "0") || !strcmp(v, "1")) {
		*out = *v - '0';
		return 0;
	}
	return -1;
}

static int parse_LEVEL(const char *v, int *out)
{
	static const char *names[] = {"error", "warn", "info", "debug"};
	for (int i = 0; i < 4; i++)
		if (!strcmp(v, names[i])) {
			*out = i;
			return 0;
		}
	return -1;
}

static int parse_PATH(const char *v, const char **out)
{
	if (!*v)
		return -1;
	*out = v;
	return 0;
}

static const char *expect_MS = "a number of milliseconds from 1 to 3600000";
static const char *expect_BOOL = "0 or 1";
static const char *expect_LEVEL = "error, warn, info or debug";
static const char *expect_PATH = "a non-empty path";

/* Applies one key=value item; returns 0 or -1 with err set. */
static int apply_item(char *item, struct ttst_options *o, char *err, size_t n)
{
	char *eq = strchr(item, '=');
	if (!eq) {
		snprintf(err, n, "TTST_OPTIONS: '%s' is not key=value; valid keys: %s", item,
			 valid_keys + 2);
		return -1;
	}
	*eq = 0;
	const char *key = item, *val = eq + 1;
#define TTST_OPT(name, kind, def, help)                                                            \
	if (!strcmp(key, #name)) {                                                                 \
		if (parse_##kind(val, &o->name) == 0)                                              \
			return 0;                                                                  \
		snprintf(err, n, "TTST_OPTIONS: bad value '%s' for %s (expected %s)", val, key,    \
			 expect_##kind);                                                           \
		return -1;                                                                         \
	}
#include "options.def"
#undef TTST_OPT
	snprintf(err, n, "TTST_OPTIONS: unknown key '%s'; valid keys: %s", key, valid_keys + 2);
	return -1;
}

int ttst_options_parse(const char *spec, struct ttst_options *out, char *err, size_t n)
{
	struct ttst_options o = {
#define TTST_OPT(name, kind, def, help) .name = def,
#include "options.def"
#undef TTST_OPT
	};
	if (spec_copy)
		__libc_free(spec_copy);
	spec_copy = NULL;
	if (spec && *spec) {
		size_t len = strlen(spec);
		spec_copy = __libc_malloc(len + 1);
		if (!spec_copy) {
			snprintf(err, n, "TTST_OPTIONS: out of memory");
			return -1;
		}
		memcpy(spec_copy, spec, len + 1);
		char *save = NULL;
		for (char *it = strtok_r(spec_copy, ":", &save); it;
		     it = strtok_r(NULL, ":", &save))
			if (apply_item(it, &o, err, n) < 0)
				return -1;
	}
	*out = o;
	return 0;
}

void ttst_options_init(void)
{
	char err[512];
	if (ttst_options_parse(getenv("TTST_OPTIONS"), &ttst_opts, err, sizeof err) < 0) {
		char line[600];
		int len = snprintf(line, sizeof line, "ttst: %s\n", err);
		if (write(2, line, (size_t)len) < 0) {
			/* nothing else to do: we are exiting */
		}
		_exit(2);
	}
}
