/* proto.c -- kvstore v2: the memcached-style text protocol and its table of command handlers. */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ttst.h>

#include "kvstore.h"

#define RELATIVE_MAX (60 * 60 * 24 * 30) /* exptimes up to 30 days are relative */

/* v1 called this global g_stats: a live update maps v1's g_stats onto it, so the counters
 * (and `uptime`, counted from `started`) carry on across the update. */
struct stats g_server_stats;
TTST_RENAME("g_stats", "g_server_stats")

static const char BAD_FORMAT[] = "CLIENT_ERROR bad command line format\r\n";

static int reply(struct conn *c, const char *s)
{
	conn_out(c, s, strlen(s));
	return KV_DONE;
}

/* Parses a decimal unsigned 64-bit number (digits only).  Returns 0, or -1 if malformed
 * or out of range. */
static int parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* Parses a decimal signed 64-bit number.  Returns 0, or -1 if malformed or out of range. */
static int parse_i64(const char *s, int64_t *out)
{
	uint64_t v;
	int neg = *s == '-';

	if (parse_u64(s + neg, &v) < 0 || v > (uint64_t)INT64_MAX)
		return -1;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}

static int key_ok(const char *key)
{
	size_t n = strlen(key);

	return n > 0 && n <= KV_KEY_MAX;
}

/* Converts a protocol exptime (0 never, < 0 already expired, up to 30 days relative, else
 * absolute unix time) into an absolute time (0 = never). */
static int64_t expires_at(int64_t exptime, int64_t now)
{
	if (exptime == 0)
		return 0;
	if (exptime < 0)
		return 1;
	if (exptime <= RELATIVE_MAX)
		return now + exptime;
	return exptime;
}

static int cmd_get(struct conn *c, struct request *r)
{
	int64_t now = (int64_t)time(NULL);
	int i;

	if (r->argc < 2)
		return reply(c, "ERROR\r\n");
	for (i = 1; i < r->argc; i++)
		if (!key_ok(r->argv[i]))
			return reply(c, BAD_FORMAT);
	for (i = 1; i < r->argc; i++) {
		struct entry *e = table_get(r->argv[i], now);

		g_server_stats.cmd_get++;
		if (!e) {
			g_server_stats.get_misses++;
			continue;
		}
		g_server_stats.get_hits++;
		conn_printf(c, "VALUE %s %" PRIu32 " %" PRId64 "\r\n", e->key, e->flags, e->vlen);
		conn_out(c, e->value, (size_t)e->vlen);
		conn_out(c, "\r\n", 2);
	}
	return reply(c, "END\r\n");
}

/* set <key> <flags> <exptime> <bytes>\r\n<data>\r\n */
static int cmd_set(struct conn *c, struct request *r)
{
	uint64_t flags, bytes;
	int64_t exptime;

	if (r->argc != 5 || parse_u64(r->argv[2], &flags) < 0 || flags > UINT32_MAX ||
	    parse_i64(r->argv[3], &exptime) < 0 || parse_u64(r->argv[4], &bytes) < 0)
		return reply(c, BAD_FORMAT);
	if (bytes > KV_VALUE_MAX) {
		c->swallow = bytes > UINT64_MAX - 2 ? UINT64_MAX : bytes + 2;
		return reply(c, "SERVER_ERROR object too large for cache\r\n");
	}
	if (r->avail < bytes + 2)
		return KV_MORE;
	r->used = bytes + 2;
	if (r->data[bytes] != '\r' || r->data[bytes + 1] != '\n') {
		reply(c, "CLIENT_ERROR bad data chunk\r\n");
		return KV_CLOSE; /* the stream is out of step: drop the connection */
	}
	if (!key_ok(r->argv[1]))
		return reply(c, BAD_FORMAT);
	g_server_stats.cmd_set++;
	if (table_set(r->argv[1], (uint32_t)flags, expires_at(exptime, (int64_t)time(NULL)),
		      r->data, (int64_t)bytes) < 0)
		return reply(c, "SERVER_ERROR out of memory storing object\r\n");
	return reply(c, "STORED\r\n");
}

static int cmd_delete(struct conn *c, struct request *r)
{
	if (r->argc != 2 || !key_ok(r->argv[1]))
		return reply(c, BAD_FORMAT);
	g_server_stats.cmd_delete++;
	return reply(c, table_delete(r->argv[1]) ? "DELETED\r\n" : "NOT_FOUND\r\n");
}

/* incr <key> <delta>: the value must be a decimal number; wraps around at 2^64. */
static int cmd_incr(struct conn *c, struct request *r)
{
	char num[32];
	uint64_t delta, v;
	struct entry *e;
	int n;

	if (r->argc != 3 || !key_ok(r->argv[1]))
		return reply(c, BAD_FORMAT);
	if (parse_u64(r->argv[2], &delta) < 0)
		return reply(c, "CLIENT_ERROR invalid numeric delta argument\r\n");
	g_server_stats.cmd_incr++;
	e = table_get(r->argv[1], (int64_t)time(NULL));
	if (!e)
		return reply(c, "NOT_FOUND\r\n");
	if (e->vlen <= 0 || e->vlen >= (int64_t)sizeof(num))
		goto nonnumeric;
	memcpy(num, e->value, (size_t)e->vlen);
	num[e->vlen] = '\0';
	if (parse_u64(num, &v) < 0)
		goto nonnumeric;
	n = snprintf(num, sizeof(num), "%" PRIu64, v + delta);
	if (table_set_value(e, num, n) < 0)
		return reply(c, "SERVER_ERROR out of memory\r\n");
	conn_printf(c, "%s\r\n", num);
	return KV_DONE;
nonnumeric:
	return reply(c, "CLIENT_ERROR cannot increment or decrement non-numeric value\r\n");
}

static int cmd_stats(struct conn *c, struct request *r)
{
	int64_t now = (int64_t)time(NULL);

	if (r->argc != 1)
		return reply(c, BAD_FORMAT);
	conn_printf(c, "STAT pid %ld\r\n", (long)getpid());
	conn_printf(c, "STAT uptime %" PRId64 "\r\n", now - g_server_stats.started);
	conn_printf(c, "STAT time %" PRId64 "\r\n", now);
	conn_printf(c, "STAT version %d\r\n", KV_VERSION);
	conn_printf(c, "STAT curr_items %" PRIu64 "\r\n", table_count());
	conn_printf(c, "STAT bytes %" PRIu64 "\r\n", table_bytes());
	conn_printf(c, "STAT curr_conns %d\r\n", net_conn_count());
	conn_printf(c, "STAT total_conns %" PRIu64 "\r\n", g_server_stats.total_conns);
	conn_printf(c, "STAT cmd_get %" PRIu64 "\r\n", g_server_stats.cmd_get);
	conn_printf(c, "STAT cmd_set %" PRIu64 "\r\n", g_server_stats.cmd_set);
	conn_printf(c, "STAT cmd_delete %" PRIu64 "\r\n", g_server_stats.cmd_delete);
	conn_printf(c, "STAT cmd_incr %" PRIu64 "\r\n", g_server_stats.cmd_incr);
	conn_printf(c, "STAT get_hits %" PRIu64 "\r\n", g_server_stats.get_hits);
	conn_printf(c, "STAT get_misses %" PRIu64 "\r\n", g_server_stats.get_misses);
	conn_printf(c, "STAT evictions %" PRIu64 "\r\n", g_server_stats.evictions);
	conn_printf(c, "STAT cmd_hits %" PRIu64 "\r\n", g_server_stats.cmd_hits);
	conn_printf(c, "STAT hits_total %" PRIu64 "\r\n", g_hits_total);
	conn_printf(c, "STAT table_grows %" PRIu64 "\r\n", table_grows());
	conn_printf(c, "STAT conn_requests %" PRIu64 "\r\n", c->requests);
	conn_printf(c, "STAT conn_prev_cmd %s\r\n", proto_cmd_name(c->last_cmd));
	return reply(c, "END\r\n");
}

static int cmd_version(struct conn *c, struct request *r)
{
	(void)r;
	conn_printf(c, "VERSION kvstore-%d\r\n", KV_VERSION);
	return KV_DONE;
}

/* v2 only: hits <key> -> HITS <key> <hits> <atime> | NOT_FOUND (the access is not counted). */
static int cmd_hits(struct conn *c, struct request *r)
{
	struct entry *e;

	if (r->argc != 2 || !key_ok(r->argv[1]))
		return reply(c, BAD_FORMAT);
	g_server_stats.cmd_hits++;
	e = table_peek(r->argv[1], (int64_t)time(NULL));
	if (!e)
		return reply(c, "NOT_FOUND\r\n");
	conn_printf(c, "HITS %s %" PRIu64 " %" PRId64 "\r\n", e->key, e->hits, e->atime);
	return KV_DONE;
}

static int cmd_quit(struct conn *c, struct request *r)
{
	(void)c;
	(void)r;
	return KV_CLOSE;
}

/* The command table.  A connection's last_cmd points into it, so v2 keeps v1's rows in v1's
 * order and appends its new command (hits) after them. */
static const struct cmd cmd_table[] = {
    {"get", cmd_get},	{"set", cmd_set},     {"delete", cmd_delete},
    {"incr", cmd_incr}, {"stats", cmd_stats}, {"version", cmd_version},
    {"quit", cmd_quit}, {"hits", cmd_hits},   {NULL, NULL},
};
static const struct cmd *g_cmds = cmd_table;

/* Name of a command-table row, "none" for NULL. */
const char *proto_cmd_name(const struct cmd *cmd)
{
	return cmd ? cmd->name : "none";
}

static const struct cmd *cmd_find(const char *name)
{
	const struct cmd *cmd;

	for (cmd = g_cmds; cmd->name; cmd++)
		if (strcmp(cmd->name, name) == 0)
			return cmd;
	return NULL;
}

/* Splits line into words in place.  Returns the word count, or -1 if there are too many. */
static int tokenize(char *line, char **argv)
{
	int argc = 0;
	char *save = NULL, *w;

	for (w = strtok_r(line, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (argc == KV_MAX_TOKENS)
			return -1;
		argv[argc++] = w;
	}
	return argc;
}

/* Runs the command at the start of buf.  Returns the bytes consumed, 0 if the command is
 * not complete yet, or -1 if the connection must close (a reply may be queued). */
static long proto_one(struct conn *c, const char *buf, size_t len)
{
	char line[KV_LINE_MAX + 1], *argv[KV_MAX_TOKENS];
	struct request r = {0, argv, NULL, 0, 0};
	const struct cmd *cmd;
	const char *nl = memchr(buf, '\n', len < KV_LINE_MAX ? len : KV_LINE_MAX);
	size_t n;
	int rc;

	if (!nl) {
		if (len < KV_LINE_MAX)
			return 0;
		reply(c, "CLIENT_ERROR line too long\r\n");
		return -1;
	}
	n = (size_t)(nl - buf);
	memcpy(line, buf, n);
	line[n > 0 && line[n - 1] == '\r' ? n - 1 : n] = '\0';
	r.argc = tokenize(line, argv);
	if (r.argc < 0) {
		reply(c, BAD_FORMAT);
		return (long)n + 1;
	}
	cmd = r.argc ? cmd_find(argv[0]) : NULL;
	if (!cmd) {
		reply(c, "ERROR\r\n");
		return (long)n + 1;
	}
	r.data = nl + 1;
	r.avail = len - n - 1;
	rc = cmd->fn(c, &r);
	if (rc == KV_MORE)
		return 0;
	c->last_cmd = cmd;
	c->requests++;
	return rc == KV_CLOSE ? -1 : (long)(n + 1 + r.used);
}

/* Drops the first n bytes of c's input; shrinks a large, now empty input buffer. */
static void conn_consume(struct conn *c, size_t n)
{
	if (n) {
		memmove(c->rbuf, c->rbuf + n, c->rlen - n);
		c->rlen -= n;
	}
	if (c->rlen == 0 && c->rcap > 65536) {
		free(c->rbuf);
		c->rbuf = NULL;
		c->rcap = 0;
	}
}

/* Runs every complete command in c's input (while its output queue is below KV_WBUF_HIGH),
 * queueing the replies; sets c->need_input when the rest is an incomplete command. */
void proto_process(struct conn *c)
{
	size_t off = 0;

	c->need_input = 0;
	while (!c->closing && c->wlen - c->woff < KV_WBUF_HIGH) {
		long used;

		if (c->swallow) {
			size_t k = c->rlen - off < c->swallow ? c->rlen - off : (size_t)c->swallow;

			off += k;
			c->swallow -= k;
		}
		if (off == c->rlen) {
			c->need_input = 1;
			break;
		}
		used = proto_one(c, c->rbuf + off, c->rlen - off);
		if (used == 0) {
			c->need_input = 1;
			break;
		}
		if (used < 0) {
			c->closing = 1;
			break;
		}
		off += (size_t)used;
	}
	conn_consume(c, off);
}
