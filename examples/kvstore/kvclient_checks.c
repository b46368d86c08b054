/* kvclient_checks.c -- kvclient proto (protocol conformance per version) and v2check (v2 is live).
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "kvclient.h"

#define VALUE_MAX (1024 * 1024) /* the server's largest value */

/* One request and the exact reply, for server versions [vmin, vmax]. */
struct pcase {
	int vmin, vmax;
	const char *send, *expect;
};

#define K31 "k123456789012345678901234567890"
#define K32 K31 "x"
#define K63 K32 "1234567890123456789012345678901"
#define K64 K63 "y"

static const struct pcase cases[] = {
    {1, 2, "delete p:a\r\ndelete p:n\r\ndelete p:crlf\r\n", NULL},
    {1, 2, "set p:a 5 0 3\r\nabc\r\n", "STORED\r\n"},
    {1, 2, "get p:a\r\n", "VALUE p:a 5 3\r\nabc\r\nEND\r\n"},
    {1, 2, "get p:a p:none p:a\r\n", "VALUE p:a 5 3\r\nabc\r\nVALUE p:a 5 3\r\nabc\r\nEND\r\n"},
    {1, 2, "get p:none\r\n", "END\r\n"},
    {1, 2, "get\r\n", "ERROR\r\n"},
    {1, 2, "incr p:a 1\r\n", "CLIENT_ERROR cannot increment or decrement non-numeric value\r\n"},
    {1, 2, "set p:n 0 0 2\r\n41\r\n", "STORED\r\n"},
    {1, 2, "incr p:n 1\r\n", "42\r\n"},
    {1, 2, "incr p:n 18446744073709551615\r\n", "41\r\n"},
    {1, 2, "incr p:n x\r\n", "CLIENT_ERROR invalid numeric delta argument\r\n"},
    {1, 2, "incr p:none 1\r\n", "NOT_FOUND\r\n"},
    {1, 2, "delete p:a\r\n", "DELETED\r\n"},
    {1, 2, "delete p:a\r\n", "NOT_FOUND\r\n"},
    {1, 2, "get p:a\r\n", "END\r\n"},
    {1, 2, "bogus\r\n", "ERROR\r\n"},
    {1, 2, "\r\n", "ERROR\r\n"},
    {1, 2, "set p:crlf 0 0 4\r\na\r\nb\r\n", "STORED\r\n"},
    {1, 2, "get p:crlf\n", "VALUE p:crlf 0 4\r\na\r\nb\r\nEND\r\n"},
    {1, 2, "set p:e 0 -1 1\r\nx\r\nget p:e\r\n", "STORED\r\nEND\r\n"},
    {1, 2, "set p:t 0 100 1\r\ny\r\nget p:t\r\n", "STORED\r\nVALUE p:t 0 1\r\ny\r\nEND\r\n"},
    {1, 2, "set p:f 4294967295 0 1\r\nz\r\nget p:f\r\n",
     "STORED\r\nVALUE p:f 4294967295 1\r\nz\r\nEND\r\n"},
    {1, 2, "set p:f 4294967296 0 1\r\nz\r\n", "CLIENT_ERROR bad command line format\r\nERROR\r\n"},
    {1, 2, "set p:z 0 0 0\r\n\r\nget p:z\r\n", "STORED\r\nVALUE p:z 0 0\r\n\r\nEND\r\n"},
    {1, 2, "set " K31 " 0 0 1\r\n1\r\n", "STORED\r\n"},
    {1, 1, "set " K32 " 0 0 1\r\n2\r\n", "CLIENT_ERROR bad command line format\r\n"},
    {1, 1, "get " K32 "\r\n", "CLIENT_ERROR bad command line format\r\n"},
    {2, 2, "set " K32 " 0 0 1\r\n2\r\nget " K32 "\r\n",
     "STORED\r\nVALUE " K32 " 0 1\r\n2\r\nEND\r\n"},
    {2, 2, "set " K63 " 0 0 1\r\n3\r\n", "STORED\r\n"},
    {1, 2, "set " K64 " 0 0 1\r\n4\r\n", "CLIENT_ERROR bad command line format\r\n"},
    {1, 1, "hits p:n\r\n", "ERROR\r\n"},
    {2, 2, "hits p:none\r\n", "NOT_FOUND\r\n"},
    {1, 1, "version\r\n", "VERSION kvstore-1\r\n"},
    {2, 2, "version\r\n", "VERSION kvstore-2\r\n"},
};

/* Prints up to 80 bytes of s with \r and \n escaped. */
static void put_escaped(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < 80; i++) {
		if (s[i] == '\r')
			fputs("\\r", stderr);
		else if (s[i] == '\n')
			fputs("\\n", stderr);
		else
			fputc(s[i], stderr);
	}
}

/* Reads exactly strlen(expect) bytes and compares.  Returns 0, or -1 (reported as case i). */
static int expect_bytes(struct kc *k, int i, const char *expect)
{
	size_t n = strlen(expect);
	const char *got;

	if (kc_bytes(k, n, &got) < 0) {
		fprintf(stderr, "kvclient: proto case %d: %s\n", i, k->err);
		return -1;
	}
	if (memcmp(got, expect, n) != 0) {
		fprintf(stderr, "kvclient: proto case %d: expected '", i);
		put_escaped(expect, n);
		fputs("', got '", stderr);
		put_escaped(got, n);
		fputs("'\n", stderr);
		return -1;
	}
	return 0;
}

/* Runs the table for version v, up to the first failed case (the reply stream is out of step
 * after it).  Returns 0 if all passed, 1 after a failed case, -1 if the connection broke. */
static int run_cases(struct kc *k, int v)
{
	const char *line, *p;
	int i, failed = 0;

	for (i = 0; i < (int)(sizeof(cases) / sizeof(cases[0])); i++) {
		if (v < cases[i].vmin || v > cases[i].vmax)
			continue;
		if (kc_send(k, cases[i].send, strlen(cases[i].send)) < 0)
			return -1;
		if (cases[i].expect) {
			if (expect_bytes(k, i, cases[i].expect) < 0)
				return 1;
			continue;
		}
		for (p = cases[i].send; (p = strchr(p, '\n')) != NULL; p++) {
			if (kc_line(k, &line) < 0)
				return -1; /* setup: one reply per line, the key may or may not
					      exist */
			if (strcmp(line, "DELETED") != 0 && strcmp(line, "NOT_FOUND") != 0) {
				fprintf(stderr, "kvclient: proto case %d: reply '%.60s'\n", i,
					line);
				failed++;
			}
		}
	}
	return failed;
}

/* stats: every v1 counter present, "STAT version 2" exactly in v2.  Returns 0 or -1. */
static int check_stats(struct kc *k, int v)
{
	static const char *const names[] = {"curr_items", "total_conns", "cmd_get",
					    "cmd_set",	  "get_hits",	 "get_misses"};
	unsigned seen = 0, i;
	int version = 0;
	const char *line;

	if (kc_send(k, "stats\r\n", 7) < 0)
		return -1;
	while (kc_line(k, &line) >= 0 && strcmp(line, "END") != 0) {
		if (strncmp(line, "STAT ", 5) != 0) {
			fprintf(stderr, "kvclient: proto stats: bad line '%.60s'\n", line);
			return -1;
		}
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strncmp(line + 5, names[i], strlen(names[i])) == 0 &&
			    line[5 + strlen(names[i])] == ' ')
				seen |= 1u << i;
		if (strncmp(line, "STAT version ", 13) == 0)
			version = atoi(line + 13);
	}
	if (seen != (1u << (sizeof(names) / sizeof(names[0]))) - 1 || version != (v == 2 ? 2 : 0)) {
		fprintf(stderr, "kvclient: proto stats: counters seen 0x%x, version %d (%s)\n",
			seen, version, k->err[0] ? k->err : "END");
		return -1;
	}
	return 0;
}

/* A value of exactly the largest size round-trips; one byte more is refused and skipped;
 * a set whose data arrives in two writes completes.  Returns 0 or -1 (reported). */
static int check_sizes(struct kc *k)
{
	char hdr[64], *big = malloc(VALUE_MAX + 3);
	const char *p;
	int rc = -1, n;

	if (!big)
		return -1;
	memset(big, 'q', VALUE_MAX + 1);
	memcpy(big + VALUE_MAX + 1, "\r\n", 2);
	n = snprintf(hdr, sizeof(hdr), "set p:big 0 0 %d\r\n", VALUE_MAX);
	if (kc_send(k, hdr, (size_t)n) < 0 || kc_send(k, big + 1, VALUE_MAX + 2) < 0 ||
	    expect_bytes(k, 100, "STORED\r\n") < 0 || kc_send(k, "get p:big\r\n", 11) < 0 ||
	    expect_bytes(k, 101, "VALUE p:big 0 1048576\r\n") < 0 ||
	    kc_bytes(k, VALUE_MAX + 2, &p) < 0 || memcmp(p, big + 1, VALUE_MAX + 2) != 0 ||
	    expect_bytes(k, 102, "END\r\n") < 0)
		goto out;
	n = snprintf(hdr, sizeof(hdr), "set p:big2 0 0 %d\r\n", VALUE_MAX + 1);
	if (kc_send(k, hdr, (size_t)n) < 0 || kc_send(k, big, VALUE_MAX + 3) < 0 ||
	    kc_send(k, "get p:big2\r\n", 12) < 0 ||
	    expect_bytes(k, 103, "SERVER_ERROR object too large for cache\r\nEND\r\n") < 0)
		goto out;
	if (kc_send(k, "set p:s 0 0 10\r\nhello", 21) < 0 || usleep(50000) < 0 ||
	    kc_send(k, "world\r\nget p:s\r\n", 16) < 0 ||
	    expect_bytes(k, 104, "STORED\r\nVALUE p:s 0 10\r\nhelloworld\r\nEND\r\n") < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0 && k->err[0])
		fprintf(stderr, "kvclient: proto sizes: %s\n", k->err);
	free(big);
	return rc;
}

/* Pipelines NGET gets of the 1 MiB value p:big (set by check_sizes) and reads nothing for
 * a while: the server must hold back input once KV_WBUF_HIGH (4 MiB) of output is queued,
 * then resume, and every reply must arrive intact.  Returns 0 or -1 (reported). */
static int check_backpressure(struct kc *k)
{
	enum { NGET = 12 };
	static const char hdr[] = "VALUE p:big 0 1048576\r\n";
	char req[NGET * 11 + 1];
	const char *p;
	size_t len = 0;
	int i, j;

	for (i = 0; i < NGET; i++)
		len += (size_t)sprintf(req + len, "get p:big\r\n");
	if (kc_send(k, req, len) < 0 || usleep(300000) < 0)
		goto err;
	for (i = 0; i < NGET; i++) {
		if (expect_bytes(k, 300 + i, hdr) < 0 || kc_bytes(k, VALUE_MAX, &p) < 0)
			return -1;
		for (j = 0; j < VALUE_MAX; j++)
			if (p[j] != 'q') {
				fprintf(stderr, "kvclient: proto backpressure: get %d: byte %d\n",
					i, j);
				return -1;
			}
		if (expect_bytes(k, 300 + i, "\r\nEND\r\n") < 0)
			return -1;
	}
	return 0;
err:
	fprintf(stderr, "kvclient: proto backpressure: %s\n", k->err);
	return -1;
}

/* Sends req on a new connection and expects reply followed by the server closing it.
 * Returns 0 or -1 (reported). */
static int check_close(const struct kc_opts *o, const char *req, const char *reply)
{
	struct kc k;
	int rc = -1;

	if (kc_connect(&k, o->port, 2000) < 0 || kc_send(&k, req, strlen(req)) < 0 ||
	    (reply && expect_bytes(&k, 200, reply) < 0) || kc_eof(&k) < 0)
		fprintf(stderr, "kvclient: proto close after '%.20s': %s\n", req, k.err);
	else
		rc = 0;
	kc_close(&k);
	return rc;
}

/* Sends exactly 16 KiB of commands (the server's first input buffer size) and then end of
 * stream: one set (18 bytes), NHIT gets of it (9 bytes each) and NMISS gets of a missing key
 * (10 bytes each).  Every command must still get its reply, then the server closes.
 * Returns 0 or -1 (reported). */
static int check_half_close(const struct kc_opts *o)
{
	enum { NHIT = 1814, NMISS = 4, TOTAL = 18 + 9 * NHIT + 10 * NMISS };
	char *req = malloc(TOTAL + 16), val[4];
	size_t len = (size_t)sprintf(req ? req : val, "%s", req ? "set p:h 0 0 1\r\nx\r\n" : "");
	struct kc k = {.fd = -1};
	long vlen;
	int i, rc = -1, one = 1;

	_Static_assert(TOTAL == 16384, "the half-close request must fill 16 KiB exactly");
	if (!req || kc_connect(&k, o->port, 3000) < 0)
		goto out;
	for (i = 0; i < NHIT + NMISS; i++)
		len += (size_t)sprintf(req + len, i < NHIT ? "get p:h\r\n" : "get p:hh\r\n");
	/* Corked, the data waits in the socket and the FIN joins it: the server reads all of it
	 * and the end of stream in one go, whatever the scheduling. */
	if (len != TOTAL || setsockopt(k.fd, IPPROTO_TCP, TCP_CORK, &one, sizeof(one)) < 0 ||
	    kc_send(&k, req, len) < 0 || shutdown(k.fd, SHUT_WR) < 0 ||
	    kc_expect_line(&k, "STORED") != 0)
		goto out;
	for (i = 0; i < NHIT + NMISS; i++)
		if (kc_get(&k, i < NHIT ? "p:h" : "p:hh", val, sizeof(val), &vlen) != (i < NHIT))
			goto out;
	rc = kc_eof(&k);
out:
	if (rc < 0)
		fprintf(stderr, "kvclient: proto half-close after 16 KiB: %s\n",
			!req	   ? "out of memory"
			: k.err[0] ? k.err
				   : "wrong reply");
	kc_close(&k);
	free(req);
	return rc;
}

/* proto: runs the conformance cases of --version V.  Returns 0 if all pass, else 1. */
int kc_cmd_proto(const struct kc_opts *o)
{
	char longline[5000];
	struct kc k;
	int failed;

	if (kc_connect(&k, o->port, 3000) < 0) {
		fprintf(stderr, "kvclient: proto: %s\n", k.err);
		return 1;
	}
	failed = run_cases(&k, o->version);
	if (failed == 0)
		failed = (check_stats(&k, o->version) < 0) ||
			 (check_sizes(&k) < 0 || check_backpressure(&k) < 0);
	kc_close(&k);
	if (failed < 0) {
		fprintf(stderr, "kvclient: proto: %s\n", k.err);
		return 1;
	}
	memset(longline, 'L', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	failed += check_close(o, "quit\r\n", NULL) < 0;
	failed +=
	    check_close(o, "set p:bad 0 0 3\r\nabcd\r\n", "CLIENT_ERROR bad data chunk\r\n") < 0;
	failed += check_close(o, longline, "CLIENT_ERROR line too long\r\n") < 0;
	failed += check_half_close(o) < 0;
	printf("proto: version %d: %s\n", o->version, failed ? "FAILED" : "ok");
	return failed ? 1 : 0;
}

/* The v2-only hits command on a fresh 48-byte key (v1 accepts 31 bytes at most): after three
 * gets it must report 3 hits and an access time close to now.  Returns 0 or -1 (reported). */
static int check_hits(struct kc *k)
{
	char key[49], val[16], want[128];
	const char *line;
	long vlen;
	int i, n;

	n = snprintf(key, sizeof(key), "v2check-%u-", (unsigned)getpid());
	memset(key + n, 'x', sizeof(key) - 1 - (size_t)n);
	key[sizeof(key) - 1] = '\0';
	if (kc_sendf(k, "set %s 0 0 8\r\nhello-v2\r\n", key) < 0 ||
	    kc_expect_line(k, "STORED") != 0) {
		fprintf(stderr, "kvclient: v2check: set of a 48-byte key: %s\n", k->err);
		return -1;
	}
	for (i = 0; i < 3; i++)
		if (kc_sendf(k, "get %s\r\n", key) < 0 ||
		    kc_get(k, key, val, sizeof(val), &vlen) != 1 || vlen != 8 ||
		    memcmp(val, "hello-v2", 8) != 0) {
			fprintf(stderr, "kvclient: v2check: get of the 48-byte key: %s\n",
				k->err[0] ? k->err : "missing or wrong value");
			return -1;
		}
	snprintf(want, sizeof(want), "HITS %s 3 ", key);
	if (kc_sendf(k, "hits %s\r\n", key) < 0 || kc_line(k, &line) < 0 ||
	    strncmp(line, want, strlen(want)) != 0 ||
	    llabs(atoll(line + strlen(want)) - (long long)time(NULL)) > 120) {
		fprintf(stderr, "kvclient: v2check: hits: expected '%s<now>', got '%.100s'\n", want,
			k->err[0] ? k->err : line);
		return -1;
	}
	if (kc_sendf(k, "delete %s\r\n", key) < 0 || kc_expect_line(k, "DELETED") != 0 ||
	    kc_sendf(k, "hits %s\r\n", key) < 0 || kc_expect_line(k, "NOT_FOUND") != 0) {
		fprintf(stderr, "kvclient: v2check: delete/hits of the 48-byte key: %s\n", k->err);
		return -1;
	}
	return 0;
}

/* With --keys N: key0 and key<N-1> (stored by v1 before the update) hold their values, and
 * hits counts the get.  Returns 0 or -1 (reported). */
static int check_loaded(struct kc *k, uint64_t n)
{
	uint64_t pick[2] = {0, n - 1};
	int i;

	for (i = 0; i < 2; i++) {
		char key[32], want[KC_VALUE_MAX], got[KC_VALUE_MAX], prefix[48];
		size_t wlen = kc_value(pick[i], want);
		const char *line;
		long glen;

		kc_key(pick[i], key, sizeof(key));
		snprintf(prefix, sizeof(prefix), "HITS %s ", key);
		if (kc_sendf(k, "get %s\r\n", key) < 0 ||
		    kc_get(k, key, got, sizeof(got), &glen) != 1 || (size_t)glen != wlen ||
		    memcmp(got, want, wlen) != 0 || kc_sendf(k, "hits %s\r\n", key) < 0 ||
		    kc_line(k, &line) < 0 || strncmp(line, prefix, strlen(prefix)) != 0 ||
		    atoll(line + strlen(prefix)) < 1) {
			fprintf(stderr, "kvclient: v2check: loaded %s: %s\n", key,
				k->err[0] ? k->err : "missing, wrong value or no hit counted");
			return -1;
		}
	}
	return 0;
}

/* v2check: the server is kvstore v2 (STAT version 2, the hits command, 48-byte keys) and,
 * with --keys N, still holds the keys loaded before.  Returns 0 if so, else 1. */
int kc_cmd_v2check(const struct kc_opts *o)
{
	struct kc k;
	const char *line;
	int version = 0, rc = 1;

	if (kc_connect(&k, o->port, o->timeout_ms) < 0 || kc_send(&k, "stats\r\n", 7) < 0) {
		fprintf(stderr, "kvclient: v2check: %s\n", k.err);
		goto out;
	}
	while (kc_line(&k, &line) >= 0 && strcmp(line, "END") != 0)
		if (strncmp(line, "STAT version ", 13) == 0)
			version = atoi(line + 13);
	if (version != 2) {
		fprintf(stderr,
			"kvclient: v2check: stats %s 'STAT version 2' (version %d): the "
			"server is not kvstore v2\n",
			k.err[0] ? k.err : "has no", version);
		goto out;
	}
	if (check_hits(&k) < 0 || (o->keys && check_loaded(&k, o->keys) < 0))
		goto out;
	printf("v2check: ok: STAT version 2, hits counted on a 48-byte key%s\n",
	       o->keys ? ", loaded keys present" : "");
	rc = 0;
out:
	kc_close(&k);
	return rc;
}
