/* main.c -- kvs: an in-memory key-value store driven by a scripted set of
 * client sessions; checks every reply and exits 0 when all are as expected. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__has_include)
#if __has_include(<ttst.h>)
#include <ttst.h>
#define HAVE_TTST 1
#endif
#endif
#ifndef HAVE_TTST
static inline void ttst_update_point(void)
{
}
#endif

#include "cmd.h"
#include "config.h"
#include "kv.h"
#include "session.h"
#include "util.h"

static const char s_config_text[] = "# kvs test configuration\n"
				    "name = test-store\n"
				    "port = 7101\n"
				    "max_entries = 6\n"
				    "buckets = 2\n"
				    "log_level = info\n"
				    "evict = yes\n"
				    "motd = hello there\n";

static const char s_bad_config[] = "port = abc\nlog_level = loud\nno equals sign\n";

struct step {
	unsigned session; /* index into s_sessions */
	const char *cmd;
	const char *reply; /* without the trailing newline */
};

static const struct step s_script[] = {
    {1, "set a 1", "OK"},
    {1, "set b hello", "OK"},
    {1, "get a", "1"},
    {1, "get b", "\"hello\""},
    {2, "incr a 5", "6"},
    {2, "incr c", "1"},
    {2, "incr b", "ERR b holds a str"},
    {1, "push l 1 2 3", "3"},
    {1, "get l", "list 3"},
    {1, "blob bl abcdef", "6"},
    {1, "get bl", "blob 6"},
    {1, "pin a", "ERR pin needs an admin session"},
    {0, "pin a", "OK"},
    {1, "get nope", "nil"},
    {1, "del b", "1"},
    {1, "del b", "0"},
    {1, "bogus x", "ERR unknown command 'bogus'"},
    {1, "get", "ERR usage: get KEY"},
    {0, "sum", "7 over 2"},
    {1, "set k1 x", "OK"},
    {1, "set k2 y", "OK"},
    {1, "set k3 z", "OK"}, /* the store is full: evicts c, the oldest unpinned */
    {1, "get c", "nil"},
    {1, "get a", "6"}, /* pinned: survives eviction */
    {0, "stats", "keys=6 gets=10 hits=7 misses=3 sets=11 dels=1 evictions=1"},
    {2, "flush", "ERR flush needs an admin session"},
    {0, "flush", "5"},
    {0, "get a", "6"},
    {0, "stats", "keys=1 gets=11 hits=8 misses=3 sets=11 dels=6 evictions=1"},
};

struct config g_config;
struct kv_table *g_store;
static struct session *s_sessions[3];
static unsigned s_failures;

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "kvs: check failed: %s\n", what);
		s_failures++;
	}
}

static void run_script(void)
{
	for (size_t i = 0; i < sizeof s_script / sizeof s_script[0]; i++) {
		const struct step *st = &s_script[i];
		struct session *s = s_sessions[st->session];
		struct cmd_ctx ctx = {s, g_store, &s->out};
		sbuf_reset(&s->out);
		cmd_execute(&ctx, st->cmd);
		const char *got = sbuf_str(&s->out);
		size_t n = strlen(st->reply);
		if (strncmp(got, st->reply, n) != 0 || strcmp(got + n, "\n") != 0) {
			fprintf(stderr, "kvs: step %zu '%s': expected '%s', got '%s'\n", i + 1,
				st->cmd, st->reply, got);
			s_failures++;
		}
		ttst_update_point();
	}
}

static void check_config(void)
{
	struct sbuf err;
	struct config bad;
	sbuf_init(&err);
	check(config_parse(&g_config, s_config_text, &err) == 0, "the configuration parses");
	check(strcmp(g_config.name, "test-store") == 0 && g_config.port == 7101, "name and port");
	check(g_config.max_entries == 6 && g_config.nbuckets == 2, "max_entries and buckets");
	check(g_config.level == LOG_INFO && g_config.evict && !g_config.verbose, "level and flags");
	check(g_config.nopts == 7, "seven options recorded");
	const char *motd = config_get(&g_config, "motd");
	check(motd && strcmp(motd, "hello there") == 0, "unknown keys are kept");
	check(config_parse(&bad, s_bad_config, &err) == -1, "a bad configuration is rejected");
	check(strstr(sbuf_str(&err), "line 1: port") &&
		  strstr(sbuf_str(&err), "line 2: log_level") &&
		  strstr(sbuf_str(&err), "line 3: expected"),
	      "each bad line is reported");
	config_free(&bad);
	sbuf_free(&err);
}

/* Fills a second, unbounded store with many keys to exercise rehashing. */
static void check_bulk(void)
{
	struct kv_table *t = kv_create(4, 0);
	char key[32];
	for (int i = 0; i < 500; i++) {
		snprintf(key, sizeof key, "key:%d", i);
		if (i % 3 == 0)
			kv_set_str(t, key, key);
		else
			kv_set_int(t, key, i);
		ttst_update_point();
	}
	check(t->count == 500 && t->stats.resizes >= 6, "500 keys after rehashing");
	for (int i = 0; i < 500; i += 2) {
		snprintf(key, sizeof key, "key:%d", i);
		check(kv_del(t, key) == 0, "delete an even key");
	}
	long long sum = 0;
	for (int i = 1; i < 500; i += 2) {
		snprintf(key, sizeof key, "key:%d", i);
		struct kv_entry *e = kv_get(t, key);
		if (e && e->type == KV_INT)
			sum += e->val.i;
		else if (e && e->type == KV_STR)
			sum += strcmp(e->val.s, key) == 0 ? i : -1;
	}
	check(t->count == 250 && sum == 62500, "the odd keys keep their values");
	kv_destroy(t);
}

static void check_sessions(void)
{
	check(session_count() == 3, "three sessions open");
	check(session_find(s_sessions[1]->id) == s_sessions[1], "sessions are found by id");
	check(session_advance(s_sessions[2]) == SESS_AUTH &&
		  session_advance(s_sessions[2]) == SESS_ACTIVE,
	      "sessions advance to active");
	check(session_advance(s_sessions[2]) == SESS_ACTIVE, "active is final until close");
	check(strcmp(session_state_name(SESS_AUTH), "auth") == 0, "state names");
	check(s_sessions[1]->nreq == 19, "requests counted per session");
	session_close(s_sessions[2]);
	s_sessions[2] = NULL;
	check(session_count() == 2 && !session_find(3), "a closed session is gone");
}

int main(int argc, char **argv)
{
	int verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
	check_config();
	g_store = kv_create(g_config.nbuckets, g_config.max_entries);
	s_sessions[0] = session_open(g_store, "root", 1);
	s_sessions[1] = session_open(g_store, "alice", 0);
	s_sessions[2] = session_open(g_store, "bob", 0);
	run_script();
	check(g_store->stats.resizes >= 1, "the small store was resized");
	check(cmd_executed() == sizeof s_script / sizeof s_script[0] && cmd_failed() == 5,
	      "executed and failed command counts");
	check_sessions();
	check_bulk();
	check(sbuf_total_grown() > 0 && util_alloc_count() > 500, "allocation statistics");
	if (verbose)
		printf("%s: %lu commands, %u failures\n", g_config.name, cmd_executed(),
		       s_failures);
	check(session_close_all() == 2, "the remaining sessions close");
	kv_destroy(g_store);
	config_free(&g_config);
	if (s_failures)
		fprintf(stderr, "kvs: %u check(s) failed\n", s_failures);
	return s_failures ? 1 : 0;
}
