/* kvclient_hammer.c -- kvclient hammer: a bounded, verified get/set/incr loop on one connection. */
#define _GNU_SOURCE
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kvclient.h"

#define HK 32	     /* hammer keys (get/set) */
#define HC 8	     /* hammer counters (incr) */
#define HVAL 64	     /* longest hammer value + 1 */
#define HIST 3776    /* latency histogram buckets (see hbucket) */
#define REPORT_MAX 5 /* failures printed in detail */

/* What the server must hold for each hammer key: the value, or vlen -1 = absent. */
struct model {
	char val[HK][HVAL];
	int vlen[HK];
	uint64_t ctr[HC];
};

/* Latencies of a set of requests: count, maximum and histogram (see hbucket). */
struct lat {
	uint64_t requests, max_us;
	uint64_t hist[HIST];
};

struct hammer {
	struct kc k;
	const struct kc_opts *o;
	struct model m;
	uint64_t rng;
	unsigned pid;
	double deadline;
	uint64_t failures, reconnects;
	struct lat all, in, out; /* every request; during / outside update windows */
};

/* Update windows flagged by a driver script: SIGUSR1 opens one, SIGUSR2 closes it; SIGTERM
 * ends the run early (the report is still printed). */
static volatile sig_atomic_t g_window, g_window_starts, g_stop;

static void on_window(int sig)
{
	if (sig == SIGUSR1) {
		g_window = 1;
		g_window_starts++;
	} else if (sig == SIGUSR2) {
		g_window = 0;
	} else {
		g_stop = 1;
	}
}

/* Window state when a request starts: bit 0 = a window is open, the rest = windows opened. */
static long window_mark(void)
{
	return (long)g_window | (long)g_window_starts << 1;
}

/* Log-linear bucket of a latency in microseconds: exact below 128, then 64 per power of 2. */
static unsigned hbucket(uint64_t v)
{
	int msb;

	if (v < 128)
		return (unsigned)v;
	msb = 63 - __builtin_clzll(v);
	return (unsigned)((msb - 5) * 64 + ((v >> (msb - 6)) & 63));
}

/* Largest latency that falls into bucket b. */
static uint64_t hbucket_top(unsigned b)
{
	unsigned shift;

	if (b < 128)
		return b;
	shift = b / 64 + 5 - 6;
	return (((uint64_t)(b % 64 + 64) + 1) << shift) - 1;
}

static uint64_t percentile(const struct lat *l, double p)
{
	uint64_t want = (uint64_t)(p * (double)l->requests + 0.999999), seen = 0;
	unsigned b;

	for (b = 0; b < HIST; b++) {
		seen += l->hist[b];
		if (seen >= want && seen)
			return hbucket_top(b) < l->max_us ? hbucket_top(b) : l->max_us;
	}
	return l->max_us;
}

static uint64_t next_rand(struct hammer *h)
{
	h->rng ^= h->rng << 13;
	h->rng ^= h->rng >> 7;
	h->rng ^= h->rng << 17;
	return h->rng;
}

static void lat_add(struct lat *l, uint64_t us)
{
	l->requests++;
	l->hist[hbucket(us)]++;
	if (us > l->max_us)
		l->max_us = us;
}

/* Records a request that started at t0 with window_mark() mark: it counts as during an
 * update if a window was open when it started or ended, or one opened meanwhile. */
static void record(struct hammer *h, double t0, long mark)
{
	uint64_t us = (uint64_t)((kc_now() - t0) * 1e6);

	lat_add(&h->all, us);
	lat_add(mark != window_mark() || (mark & 1) ? &h->in : &h->out, us);
}

/* Counts a failure and prints the first few.  Returns r (so callers can return it). */
static int fail(struct hammer *h, int r, const char *what)
{
	if (h->failures++ < REPORT_MAX)
		fprintf(stderr, "kvclient: hammer: %s: %s\n", what, h->k.err);
	return r;
}

/* Clears the hammer keys and zeroes the counters.  Returns 0, or -1 if the connection broke. */
static int hammer_setup(struct hammer *h)
{
	const char *line;
	int j;

	for (j = 0; j < HK; j++) {
		double t0 = kc_now();
		long mark = window_mark();

		if (kc_sendf(&h->k, "delete hk%u-%d\r\n", h->pid, j) < 0 ||
		    kc_line(&h->k, &line) < 0)
			return fail(h, -1, "setup delete");
		record(h, t0, mark);
		if (strcmp(line, "DELETED") != 0 && strcmp(line, "NOT_FOUND") != 0) {
			snprintf(h->k.err, sizeof(h->k.err), "reply '%.60s'", line);
			fail(h, 0, "setup delete");
		}
		h->m.vlen[j] = -1;
	}
	for (j = 0; j < HC; j++) {
		double t0 = kc_now();
		long mark = window_mark();
		int r;

		if (kc_sendf(&h->k, "set hc%u-%d 0 0 1\r\n0\r\n", h->pid, j) < 0)
			return fail(h, -1, "setup set");
		r = kc_expect_line(&h->k, "STORED");
		if (r)
			fail(h, r, "setup set");
		if (r < 0)
			return -1;
		record(h, t0, mark);
		h->m.ctr[j] = 0;
	}
	return 0;
}

/* get of hammer key j or of loaded key i (j < 0): verified against the model. */
static int op_get(struct hammer *h, int j, uint64_t i)
{
	char key[48], want[KC_VALUE_MAX], got[KC_VALUE_MAX];
	long wlen, glen;
	int r;

	if (j >= 0) {
		snprintf(key, sizeof(key), "hk%u-%d", h->pid, j);
		wlen = h->m.vlen[j];
		if (wlen > 0)
			memcpy(want, h->m.val[j], (size_t)wlen);
	} else {
		kc_key(i, key, sizeof(key));
		wlen = (long)kc_value(i, want);
	}
	if (kc_sendf(&h->k, "get %s\r\n", key) < 0)
		return fail(h, -1, key);
	r = kc_get(&h->k, key, got, sizeof(got), &glen);
	if (r < 0)
		return fail(h, -1, key);
	if ((r == 0 && wlen >= 0) ||
	    (r == 1 && (glen != wlen || memcmp(got, want, (size_t)glen)))) {
		snprintf(h->k.err, sizeof(h->k.err), "get: %s, expected %s",
			 r ? "wrong value" : "missing",
			 j < 0	    ? "its loaded value"
			 : wlen < 0 ? "no value"
				    : "the value hammer set");
		return fail(h, 0, key);
	}
	return 0;
}

/* set of hammer key j to a fresh random value. */
static int op_set(struct hammer *h, int j)
{
	char buf[HVAL + 64];
	int len = 1 + (int)(next_rand(h) % (HVAL - 2)), n, r, i;

	n = snprintf(buf, sizeof(buf), "set hk%u-%d 0 0 %d\r\n", h->pid, j, len);
	for (i = 0; i < len; i++)
		h->m.val[j][i] = (char)('A' + next_rand(h) % 26);
	memcpy(buf + n, h->m.val[j], (size_t)len);
	memcpy(buf + n + len, "\r\n", 2);
	h->m.vlen[j] = len;
	if (kc_send(&h->k, buf, (size_t)(n + len + 2)) < 0)
		return fail(h, -1, "set");
	r = kc_expect_line(&h->k, "STORED");
	return r ? fail(h, r < 0 ? -1 : 0, "set") : 0;
}

/* incr of counter j by a random delta, verified against the model. */
static int op_incr(struct hammer *h, int j)
{
	uint64_t delta = next_rand(h) % 1000;
	char want[32];
	int r;

	h->m.ctr[j] += delta;
	snprintf(want, sizeof(want), "%" PRIu64, h->m.ctr[j]);
	if (kc_sendf(&h->k, "incr hc%u-%d %" PRIu64 "\r\n", h->pid, j, delta) < 0)
		return fail(h, -1, "incr");
	r = kc_expect_line(&h->k, want);
	return r ? fail(h, r < 0 ? -1 : 0, "incr") : 0;
}

/* One random request.  Returns 0, or -1 if the connection broke. */
static int hammer_op(struct hammer *h)
{
	uint64_t r = next_rand(h);
	int pick = (int)(r % 100), j = (int)((r >> 8) % HK);
	double t0 = kc_now();
	long mark = window_mark();
	int rc;

	if (pick < 40 || (pick >= 80 && !h->o->keys))
		rc = op_get(h, j, 0);
	else if (pick < 65)
		rc = op_set(h, j);
	else if (pick < 80)
		rc = op_incr(h, j % HC);
	else
		rc = op_get(h, -1, (r >> 16) % h->o->keys);
	if (rc == 0)
		record(h, t0, mark);
	return rc;
}

/* Opens a new connection after a broken one (each counts as a failure already) and sets the
 * model up again.  Returns 0, or -1 if no connection could be made before the deadline. */
static int hammer_reconnect(struct hammer *h)
{
	struct timespec pause = {0, 100 * 1000 * 1000};

	kc_close(&h->k);
	while (!g_stop && kc_now() < h->deadline) {
		h->reconnects++;
		if (kc_connect(&h->k, h->o->port, h->o->timeout_ms) == 0 && hammer_setup(h) == 0)
			return 0;
		if (h->k.fd < 0)
			fail(h, 0, "reconnect");
		kc_close(&h->k);
		nanosleep(&pause, NULL);
	}
	return -1;
}

/* Installs the update-window and stop signal handlers (SA_RESTART; kc_io retries on EINTR). */
static void window_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_window;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* hammer: requests on one persistent connection until --seconds or --max-requests.
 * SIGUSR1/SIGUSR2 open/close an update window; if any was opened, a second line splits the
 * latencies into during and outside the windows.  SIGTERM stops early, with the report.
 * Returns 0 if every reply was right and the connection never broke, else 1. */
int kc_cmd_hammer(const struct kc_opts *o)
{
	struct hammer *h = calloc(1, sizeof(*h));
	double t0 = kc_now(), secs;
	int rc;

	if (!h)
		return 1;
	window_signals();
	h->o = o;
	h->pid = (unsigned)getpid();
	h->rng = 0x2545f4914f6cdd1dull ^ h->pid;
	h->deadline = t0 + o->seconds;
	if (kc_connect(&h->k, o->port, o->timeout_ms) < 0 || hammer_setup(h) < 0) {
		fprintf(stderr, "kvclient: hammer: %s\n", h->k.err);
		kc_close(&h->k);
		free(h);
		return 1;
	}
	while (!g_stop && h->all.requests < o->max_requests && kc_now() < h->deadline)
		if (hammer_op(h) < 0 && hammer_reconnect(h) < 0)
			break;
	secs = kc_now() - t0;
	printf("hammer: requests=%" PRIu64 " failures=%" PRIu64 " reconnects=%" PRIu64
	       " seconds=%.2f rps=%.0f p50_us=%" PRIu64 " p99_us=%" PRIu64 " max_us=%" PRIu64 "\n",
	       h->all.requests, h->failures, h->reconnects, secs, (double)h->all.requests / secs,
	       percentile(&h->all, 0.50), percentile(&h->all, 0.99), h->all.max_us);
	if (g_window_starts)
		printf("hammer: windows=%d in_requests=%" PRIu64 " in_p50_us=%" PRIu64
		       " in_p99_us=%" PRIu64 " in_max_us=%" PRIu64 " out_requests=%" PRIu64
		       " out_p50_us=%" PRIu64 " out_p99_us=%" PRIu64 " out_max_us=%" PRIu64 "\n",
		       (int)g_window_starts, h->in.requests, percentile(&h->in, 0.50),
		       percentile(&h->in, 0.99), h->in.max_us, h->out.requests,
		       percentile(&h->out, 0.50), percentile(&h->out, 0.99), h->out.max_us);
	rc = h->failures || !h->all.requests ? 1 : 0;
	kc_close(&h->k);
	free(h);
	return rc;
}
