/* cmd.c -- kvs: command table and handlers. */
#include "cmd.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static unsigned long s_executed, s_failed;

static int reply_value(struct sbuf *out, const struct kv_entry *e)
{
	switch ((enum kv_type)e->type) {
	case KV_INT:
		sbuf_printf(out, "%lld\n", e->val.i);
		return 0;
	case KV_STR:
		sbuf_printf(out, "\"%s\"\n", e->val.s);
		return 0;
	case KV_BLOB:
		sbuf_printf(out, "blob %zu\n", e->val.blob->len);
		return 0;
	case KV_LIST:
		sbuf_printf(out, "list %zu\n", kv_list_len(e));
		return 0;
	case KV_NONE:
		break;
	}
	sbuf_puts(out, "nil\n");
	return 0;
}

static int c_get(struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)argc;
	struct kv_entry *e = kv_get(ctx->store, argv[1]);
	if (!e) {
		sbuf_puts(ctx->out, "nil\n");
		return 0;
	}
	return reply_value(ctx->out, e);
}

static int is_integer(const char *s)
{
	if (*s == '-')
		s++;
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

static int c_set(struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)argc;
	if (ctx->sess->limits.max_keys && ctx->store->count >= ctx->sess->limits.max_keys &&
	    !kv_get(ctx->store, argv[1])) {
		sbuf_puts(ctx->out, "ERR key limit reached\n");
		return -1;
	}
	if (is_integer(argv[2]))
		kv_set_int(ctx->store, argv[1], strtoll(argv[2], NULL, 10));
	else
		kv_set_str(ctx->store, argv[1], argv[2]);
	sbuf_puts(ctx->out, "OK\n");
	return 0;
}

static int c_del(struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)argc;
	int rc = kv_del(ctx->store, argv[1]);
	sbuf_puts(ctx->out, rc == 0 ? "1\n" : "0\n");
	return 0;
}

static int c_incr(struct cmd_ctx *ctx, int argc, char **argv)
{
	long long by = argc > 2 ? strtoll(argv[2], NULL, 10) : 1;
	struct kv_entry *e = kv_get(ctx->store, argv[1]);
	if (e && e->type != KV_INT) {
		sbuf_printf(ctx->out, "ERR %s holds a %s\n", argv[1],
			    kv_type_name((enum kv_type)e->type));
		return -1;
	}
	long long v = (e ? e->val.i : 0) + by;
	kv_set_int(ctx->store, argv[1], v);
	sbuf_printf(ctx->out, "%lld\n", v);
	return 0;
}

static int c_push(struct cmd_ctx *ctx, int argc, char **argv)
{
	size_t n = 0;
	for (int i = 2; i < argc; i++)
		n = kv_push(ctx->store, argv[1], strtoll(argv[i], NULL, 10));
	sbuf_printf(ctx->out, "%zu\n", n);
	return 0;
}

static int c_blob(struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)argc;
	size_t len = strlen(argv[2]);
	kv_set_blob(ctx->store, argv[1], argv[2], len);
	sbuf_printf(ctx->out, "%zu\n", len);
	return 0;
}

static int c_pin(struct cmd_ctx *ctx, int argc, char **argv)
{
	int on = argc < 3 || strcmp(argv[2], "off") != 0;
	if (kv_pin(ctx->store, argv[1], on) != 0) {
		sbuf_printf(ctx->out, "ERR no key %s\n", argv[1]);
		return -1;
	}
	sbuf_puts(ctx->out, "OK\n");
	return 0;
}

static int c_stats(struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	const struct kv_stats *st = &ctx->store->stats;
	sbuf_printf(
	    ctx->out, "keys=%zu gets=%lu hits=%lu misses=%lu sets=%lu dels=%lu evictions=%lu\n",
	    ctx->store->count, st->gets, st->hits, st->misses, st->sets, st->dels, st->evictions);
	return 0;
}

struct sum_arg {
	long long sum;
	unsigned n;
};

static int sum_ints(struct kv_entry *e, void *arg)
{
	struct sum_arg *a = arg;
	if (e->type == KV_INT) {
		a->sum += e->val.i;
		a->n++;
	}
	return 0;
}

static int c_sum(struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	struct sum_arg a = {0, 0};
	kv_foreach(ctx->store, sum_ints, &a);
	sbuf_printf(ctx->out, "%lld over %u\n", a.sum, a.n);
	return 0;
}

static int c_flush(struct cmd_ctx *ctx, int argc, char **argv);

static const struct command s_commands[] = {
    {"get", c_get, 2, 2, 0, "get KEY"},
    {"set", c_set, 3, 3, 0, "set KEY VALUE"},
    {"del", c_del, 2, 2, 0, "del KEY"},
    {"incr", c_incr, 2, 3, 0, "incr KEY [BY]"},
    {"push", c_push, 3, 8, 0, "push KEY INT..."},
    {"blob", c_blob, 3, 3, 0, "blob KEY BYTES"},
    {"pin", c_pin, 2, 3, 1, "pin KEY [on|off]"},
    {"stats", c_stats, 1, 1, 0, "stats"},
    {"sum", c_sum, 1, 1, 0, "sum"},
    {"flush", c_flush, 1, 1, 1, "flush"},
};

static int collect_key(struct kv_entry *e, void *arg)
{
	struct sbuf *keys = arg;
	if (!e->pinned)
		sbuf_printf(keys, "%s\n", e->key);
	return 0;
}

static int c_flush(struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	struct sbuf keys;
	unsigned n = 0;
	sbuf_init(&keys);
	kv_foreach(ctx->store, collect_key, &keys);
	char *list = sbuf_detach(&keys);
	for (char *k = strtok(list, "\n"); k; k = strtok(NULL, "\n"))
		n += kv_del(ctx->store, k) == 0;
	free(list);
	sbuf_printf(ctx->out, "%u\n", n);
	return 0;
}

static const struct command *lookup(const char *name)
{
	for (size_t i = 0; i < sizeof s_commands / sizeof s_commands[0]; i++)
		if (!strcmp(s_commands[i].name, name))
			return &s_commands[i];
	return NULL;
}

/* Splits a copy of line on blanks; returns argc (argv[0] owns the copy). */
static int tokenize(const char *line, char **argv)
{
	char *copy = xstrdup(line);
	int argc = 0;
	for (char *t = strtok(copy, " \t"); t && argc < CMD_MAX_ARGS; t = strtok(NULL, " \t"))
		argv[argc++] = t;
	if (argc == 0)
		free(copy);
	return argc;
}

int cmd_execute(struct cmd_ctx *ctx, const char *line)
{
	char **argv = xcalloc(CMD_MAX_ARGS + 1, sizeof *argv);
	int argc = tokenize(line, argv), rc = -1;
	const struct command *c = argc ? lookup(argv[0]) : NULL;
	s_executed++;
	if (!c)
		sbuf_printf(ctx->out, "ERR unknown command '%s'\n", argc ? argv[0] : "");
	else if (argc < (int)c->min_args || argc > (int)c->max_args)
		sbuf_printf(ctx->out, "ERR usage: %s\n", c->help);
	else if (c->admin && !ctx->sess->is_admin)
		sbuf_printf(ctx->out, "ERR %s needs an admin session\n", c->name);
	else
		rc = c->fn(ctx, argc, argv);
	if (rc != 0)
		s_failed++;
	if (ctx->sess->nreq < 0xFFFFF)
		ctx->sess->nreq++;
	if (argc)
		free(argv[0]);
	free(argv);
	return rc;
}

unsigned long cmd_executed(void)
{
	return s_executed;
}

unsigned long cmd_failed(void)
{
	return s_failed;
}
