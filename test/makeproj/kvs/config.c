/* config.c -- kvs: configuration parser with typed known keys. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const struct {
	const char *name;
	enum log_level level;
} s_levels[] = {
    {"error", LOG_ERROR},
    {"warn", LOG_WARN},
    {"info", LOG_INFO},
    {"debug", LOG_DEBUG},
};

static unsigned s_parsed_lines;

static void defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->name = xstrdup("kvs");
	cfg->port = 7000;
	cfg->max_entries = 1024;
	cfg->nbuckets = 64;
	cfg->level = LOG_WARN;
	cfg->evict = 1;
}

static void add_opt(struct config *cfg, const char *k, size_t klen, const char *v, size_t vlen,
		    unsigned line)
{
	if (cfg->nopts == cfg->capopts) {
		size_t ncap = cfg->capopts ? 2 * cfg->capopts : 4;
		cfg->opts = realloc(cfg->opts, ncap * sizeof *cfg->opts);
		if (!cfg->opts)
			die("out of memory reading the configuration");
		cfg->capopts = ncap;
	}
	struct config_opt *o = &cfg->opts[cfg->nopts++];
	o->key = strndup(k, klen);
	o->value = strndup(v, vlen);
	if (!o->key || !o->value)
		die("out of memory reading the configuration");
	o->line = line;
}

static int parse_uint(const char *v, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long n = strtoul(v, &end, 10);
	if (end == v || *end || n > max)
		return -1;
	*out = n;
	return 0;
}

/* Applies one known key to cfg; unknown keys are kept in opts only. */
static int apply(struct config *cfg, const char *k, const char *v, struct sbuf *err, unsigned line)
{
	unsigned long n;
	if (!strcmp(k, "name")) {
		free(cfg->name);
		cfg->name = strdup(v);
		return cfg->name ? 0 : -1;
	}
	if (!strcmp(k, "port") || !strcmp(k, "max_entries") || !strcmp(k, "buckets")) {
		if (parse_uint(v, 1000000, &n) != 0) {
			sbuf_printf(err, "line %u: %s: '%s' is not a number up to 1000000\n", line,
				    k, v);
			return -1;
		}
		if (k[0] == 'p')
			cfg->port = (unsigned)n;
		else if (k[0] == 'm')
			cfg->max_entries = n;
		else
			cfg->nbuckets = n;
		return 0;
	}
	if (!strcmp(k, "log_level")) {
		for (size_t i = 0; i < sizeof s_levels / sizeof s_levels[0]; i++)
			if (!strcmp(v, s_levels[i].name)) {
				cfg->level = s_levels[i].level;
				return 0;
			}
		sbuf_printf(err, "line %u: log_level: unknown level '%s'\n", line, v);
		return -1;
	}
	if (!strcmp(k, "evict") || !strcmp(k, "verbose")) {
		int on = !strcmp(v, "yes") || !strcmp(v, "1");
		if (k[0] == 'e')
			cfg->evict = on;
		else
			cfg->verbose = on;
	}
	return 0;
}

static const char *skip_space(const char *p, const char *end)
{
	while (p < end && isspace((unsigned char)*p))
		p++;
	return p;
}

static const char *trim_end(const char *start, const char *end)
{
	while (end > start && isspace((unsigned char)end[-1]))
		end--;
	return end;
}

/* Parses one line [p, end); returns 0 or -1 (message in err). */
static int parse_line(struct config *cfg, const char *p, const char *end, unsigned line,
		      struct sbuf *err)
{
	p = skip_space(p, end);
	if (p == end || *p == '#')
		return 0;
	const char *eq = memchr(p, '=', (size_t)(end - p));
	if (!eq) {
		sbuf_printf(err, "line %u: expected 'key = value'\n", line);
		return -1;
	}
	const char *kend = trim_end(p, eq);
	const char *v = skip_space(eq + 1, end);
	const char *vend = trim_end(v, end);
	if (kend == p) {
		sbuf_printf(err, "line %u: empty key\n", line);
		return -1;
	}
	add_opt(cfg, p, (size_t)(kend - p), v, (size_t)(vend - v), line);
	struct config_opt *o = &cfg->opts[cfg->nopts - 1];
	s_parsed_lines++;
	return apply(cfg, o->key, o->value, err, line);
}

int config_parse(struct config *cfg, const char *text, struct sbuf *err)
{
	int rc = 0;
	unsigned line = 0;
	defaults(cfg);
	while (*text) {
		const char *nl = strchr(text, '\n');
		const char *end = nl ? nl : text + strlen(text);
		if (parse_line(cfg, text, end, ++line, err) != 0)
			rc = -1;
		text = nl ? nl + 1 : end;
	}
	return rc;
}

const char *config_get(const struct config *cfg, const char *key)
{
	for (size_t i = cfg->nopts; i-- > 0;)
		if (!strcmp(cfg->opts[i].key, key))
			return cfg->opts[i].value;
	return NULL;
}

void config_free(struct config *cfg)
{
	for (size_t i = 0; i < cfg->nopts; i++) {
		free(cfg->opts[i].key);
		free(cfg->opts[i].value);
	}
	free(cfg->opts);
	free(cfg->name);
	memset(cfg, 0, sizeof *cfg);
}
