/* cmd.h -- kvs: the command dispatcher (a table of handlers). */
#ifndef KVS_CMD_H
#define KVS_CMD_H

#include "session.h"

#define CMD_MAX_ARGS 8

struct cmd_ctx {
	struct session *sess;
	struct kv_table *store;
	struct sbuf *out; /* the reply is appended here */
};

typedef int (*cmd_fn)(struct cmd_ctx *ctx, int argc, char **argv);

struct command {
	const char *name;
	cmd_fn fn;
	unsigned min_args : 4; /* including the command name */
	unsigned max_args : 4;
	unsigned admin : 1; /* admin sessions only */
	const char *help;
};

/* Executes one command line for the session; the reply (one line ending in
 * '\n', "ERR ..." on failure) is appended to ctx->out.  Returns 0 or -1. */
int cmd_execute(struct cmd_ctx *ctx, const char *line);
/* Commands executed / failed so far. */
unsigned long cmd_executed(void);
unsigned long cmd_failed(void);

#endif
