/* main.c -- kvstore v1: command line, signals and the event loop with its update point. */
#define _GNU_SOURCE
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ttst.h>

#include "kvstore.h"

#define INITIAL_BUCKETS 1024

struct config g_cfg = {"127.0.0.1", 11311, 1024, 1024ull * 1024 * 1024};
static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
	(void)sig;
	g_stop = 1;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: kvstore [--bind ADDR] [--port N] [--maxconn N] [--maxbytes N]\n"
		   "  --bind ADDR    IPv4 address to listen on (default 127.0.0.1)\n"
		   "  --port N       TCP port, 0 = ephemeral (default 11311)\n"
		   "  --maxconn N    most concurrent connections (default 1024)\n"
		   "  --maxbytes N   evict least recently used entries above N bytes,\n"
		   "                 0 = never (default 1 GiB)\n");
}

/* Parses a decimal option value in [lo, hi].  Returns 0, or -1 with a message. */
static int opt_num(const char *name, const char *s, long long lo, long long hi, long long *out)
{
	char *end;
	long long v = strtoll(s, &end, 10);

	if (!*s || *end || v < lo || v > hi) {
		fprintf(stderr, "kvstore: --%s %s: expected a number from %lld to %lld\n", name, s,
			lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}

/* Fills g_cfg from argv.  Returns 0, 1 after --help, or -1 on bad usage (reported). */
static int parse_args(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"bind", required_argument, NULL, 'b'},    {"port", required_argument, NULL, 'p'},
	    {"maxconn", required_argument, NULL, 'c'}, {"maxbytes", required_argument, NULL, 'm'},
	    {"help", no_argument, NULL, 'h'},	       {NULL, 0, NULL, 0},
	};
	long long v;
	int o;

	while ((o = getopt_long(argc, argv, "b:p:c:m:h", opts, NULL)) != -1) {
		if (o == 'b' && strlen(optarg) < sizeof(g_cfg.bind)) {
			strcpy(g_cfg.bind, optarg);
		} else if (o == 'p' && opt_num("port", optarg, 0, 65535, &v) == 0) {
			g_cfg.port = (int)v;
		} else if (o == 'c' && opt_num("maxconn", optarg, 1, 65536, &v) == 0) {
			g_cfg.maxconn = (int)v;
		} else if (o == 'm' && opt_num("maxbytes", optarg, 0, INT64_MAX, &v) == 0) {
			g_cfg.maxbytes = (uint64_t)v;
		} else if (o == 'h') {
			usage(stdout);
			return 1;
		} else {
			if (o == 'b')
				fprintf(stderr, "kvstore: --bind %s: address too long\n", optarg);
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "kvstore: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return -1;
	}
	return 0;
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

int main(int argc, char **argv)
{
	int rc = parse_args(argc, argv);

	if (rc != 0)
		return rc < 0 ? 2 : 0;
	install_signals();
	g_stats.started = (int64_t)time(NULL);
	if (table_init(INITIAL_BUCKETS) < 0) {
		fprintf(stderr, "kvstore: out of memory for the hash table\n");
		return 1;
	}
	if (net_init(g_cfg.bind, g_cfg.port, g_cfg.maxconn) < 0) {
		table_free();
		return 1;
	}
	while (!g_stop) {
		ttst_update_point();
		if (net_run_once(KV_POLL_MS) < 0) {
			rc = 1;
			break;
		}
	}
	net_shutdown();
	table_free();
	return rc;
}
