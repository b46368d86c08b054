/* kvclient.c -- kvclient: command line, deterministic keys and values, pipelined load and check. */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvclient.h"

#define BATCH 1000	   /* requests per pipelined batch */
#define REPORT_MAX 5	   /* mismatches printed in detail */
#define KEYS_MAX 100000000 /* most keys load/check accept */

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* Writes the name of key i ("key<i>") into buf.  Returns its length. */
size_t kc_key(uint64_t i, char *buf, size_t cap)
{
	return (size_t)snprintf(buf, cap, "key%" PRIu64, i);
}

/* Writes the deterministic value of key i (10 to 86 bytes, at most KC_VALUE_MAX) into buf.
 * Returns its length. */
size_t kc_value(uint64_t i, char *buf)
{
	uint64_t h = mix(i);
	size_t n = (size_t)snprintf(buf, KC_VALUE_MAX, "v%" PRIu64 "-", i);
	size_t len = n + 8 + h % 57;

	while (n < len) {
		h = mix(h);
		buf[n++] = (char)('a' + h % 26);
	}
	return n;
}

/* Sends `set` for keys [base, base + cnt) in one write.  Returns 0, or -1 (reported). */
static int load_batch(struct kc *k, char *buf, uint64_t base, uint64_t cnt)
{
	size_t len = 0;
	uint64_t i;

	for (i = base; i < base + cnt; i++) {
		char key[32], val[KC_VALUE_MAX];
		size_t vlen = kc_value(i, val);

		kc_key(i, key, sizeof(key));
		len += (size_t)sprintf(buf + len, "set %s 0 0 %zu\r\n", key, vlen);
		memcpy(buf + len, val, vlen);
		len += vlen;
		memcpy(buf + len, "\r\n", 2);
		len += 2;
	}
	if (kc_send(k, buf, len) < 0) {
		fprintf(stderr, "kvclient: load: %s\n", k->err);
		return -1;
	}
	return 0;
}

/* load N: stores key0..keyN-1 with their deterministic values, pipelined in batches.
 * Returns 0, or 1 if a set failed or the connection broke. */
int kc_cmd_load(const struct kc_opts *o, uint64_t n)
{
	struct kc k;
	char *buf = malloc(BATCH * (KC_VALUE_MAX + 64));
	uint64_t base, i, errors = 0;
	double t0 = kc_now();
	int rc = 1;

	if (!buf || kc_connect(&k, o->port, o->timeout_ms) < 0) {
		fprintf(stderr, "kvclient: load: %s\n", buf ? k.err : "out of memory");
		free(buf);
		return 1;
	}
	for (base = 0; base < n; base += BATCH) {
		uint64_t cnt = n - base < BATCH ? n - base : BATCH;

		if (load_batch(&k, buf, base, cnt) < 0)
			goto out;
		for (i = 0; i < cnt; i++) {
			int r = kc_expect_line(&k, "STORED");

			if (r < 0) {
				fprintf(stderr, "kvclient: load: key%" PRIu64 ": %s\n", base + i,
					k.err);
				goto out;
			}
			if (r > 0 && errors++ < REPORT_MAX)
				fprintf(stderr, "kvclient: load: key%" PRIu64 ": %s\n", base + i,
					k.err);
		}
	}
	printf("load: %" PRIu64 " keys stored in %.3f s (%.0f sets/s), %" PRIu64 " errors\n", n,
	       kc_now() - t0, (double)n / (kc_now() - t0 + 1e-9), errors);
	rc = errors ? 1 : 0;
out:
	kc_close(&k);
	free(buf);
	return rc;
}

/* Reads the replies of one check batch.  Returns 0, or -1 if the connection broke. */
static int check_replies(struct kc *k, uint64_t base, uint64_t cnt, uint64_t *missing,
			 uint64_t *wrong)
{
	uint64_t i;

	for (i = base; i < base + cnt; i++) {
		char key[32], want[KC_VALUE_MAX], got[KC_VALUE_MAX];
		size_t wlen = kc_value(i, want);
		long glen;
		int r;

		kc_key(i, key, sizeof(key));
		r = kc_get(k, key, got, sizeof(got), &glen);
		if (r < 0) {
			fprintf(stderr, "kvclient: check: %s: %s\n", key, k->err);
			return -1;
		}
		if (r == 0 && (*missing)++ + *wrong < REPORT_MAX)
			fprintf(stderr, "kvclient: check: %s: missing\n", key);
		if (r == 1 && ((size_t)glen != wlen || memcmp(got, want, wlen) != 0) &&
		    (*wrong)++ + *missing < REPORT_MAX)
			fprintf(stderr, "kvclient: check: %s: wrong value '%.*s'\n", key,
				(int)(glen < 40 ? glen : 40), got);
	}
	return 0;
}

/* check N: gets key0..keyN-1 and compares each value with the deterministic one.
 * Returns 0 if all match, 1 on any mismatch or a broken connection. */
int kc_cmd_check(const struct kc_opts *o, uint64_t n)
{
	struct kc k;
	char *buf = malloc(BATCH * 48);
	uint64_t base, i, missing = 0, wrong = 0;
	double t0 = kc_now();
	int rc = 1;

	if (!buf || kc_connect(&k, o->port, o->timeout_ms) < 0) {
		fprintf(stderr, "kvclient: check: %s\n", buf ? k.err : "out of memory");
		free(buf);
		return 1;
	}
	for (base = 0; base < n; base += BATCH) {
		uint64_t cnt = n - base < BATCH ? n - base : BATCH;
		size_t len = 0;

		for (i = base; i < base + cnt; i++)
			len += (size_t)sprintf(buf + len, "get key%" PRIu64 "\r\n", i);
		if (kc_send(&k, buf, len) < 0) {
			fprintf(stderr, "kvclient: check: %s\n", k.err);
			goto out;
		}
		if (check_replies(&k, base, cnt, &missing, &wrong) < 0)
			goto out;
	}
	printf("check: %" PRIu64 " keys in %.3f s, %" PRIu64 " mismatches (%" PRIu64
	       " missing, %" PRIu64 " wrong)\n",
	       n, kc_now() - t0, missing + wrong, missing, wrong);
	rc = missing + wrong ? 1 : 0;
out:
	kc_close(&k);
	free(buf);
	return rc;
}

/* stats: prints the server's counters as "name value" lines.  Returns 0, or 1 on error. */
static int kc_cmd_stats(const struct kc_opts *o)
{
	struct kc k;
	const char *line;
	int rc = 1;

	if (kc_connect(&k, o->port, o->timeout_ms) < 0 || kc_send(&k, "stats\r\n", 7) < 0)
		goto out;
	while (kc_line(&k, &line) >= 0) {
		if (strcmp(line, "END") == 0) {
			rc = 0;
			break;
		}
		if (strncmp(line, "STAT ", 5) != 0) {
			snprintf(k.err, sizeof(k.err), "bad reply line '%.60s'", line);
			break;
		}
		printf("%s\n", line + 5);
	}
out:
	if (rc)
		fprintf(stderr, "kvclient: stats: %s\n", k.err);
	kc_close(&k);
	return rc;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: kvclient --port P [--timeout-ms T] COMMAND\n"
		   "  load N        store key0..keyN-1 with deterministic values (pipelined)\n"
		   "  check N       get key0..keyN-1, verify every value; exit 1 on any mismatch\n"
		   "  hammer [--seconds S] [--max-requests R] [--keys N]\n"
		   "                one connection, get/set/incr until S seconds or R requests,\n"
		   "                verifying every reply (and key0..keyN-1 if --keys); reports\n"
		   "                requests, failures, reconnects and p50/p99/max latency\n"
		   "  v2check [--keys N]  check kvstore v2's hits command and STAT version 2\n"
		   "  proto [--version V] protocol conformance of kvstore version V (1 or 2)\n"
		   "  stats         print the server's counters, one \"name value\" per line\n"
		   "Connects to 127.0.0.1 only.  Exit: 0 ok, 1 check failed, 2 usage.\n");
}

/* Parses an unsigned decimal argument.  Returns 0, or -1 with a message. */
static int arg_u64(const char *name, const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	if (!*s || *end || *s == '-' || v > max) {
		fprintf(stderr, "kvclient: %s %s: expected a number from 0 to %" PRIu64 "\n", name,
			s, max);
		return -1;
	}
	*out = v;
	return 0;
}

/* Sets option a (with its value val) in o.  Returns 0, or -1 on bad usage (reported). */
static int parse_opt(struct kc_opts *o, const char *a, const char *val)
{
	uint64_t v;
	char *end;

	if (strcmp(a, "--port") == 0) {
		if (arg_u64(a, val, 65535, &v) < 0)
			return -1;
		o->port = (int)v;
	} else if (strcmp(a, "--timeout-ms") == 0) {
		if (arg_u64(a, val, 3600000, &v) < 0)
			return -1;
		o->timeout_ms = (int)v;
	} else if (strcmp(a, "--keys") == 0) {
		if (arg_u64(a, val, KEYS_MAX, &o->keys) < 0)
			return -1;
	} else if (strcmp(a, "--max-requests") == 0) {
		if (arg_u64(a, val, UINT64_MAX, &o->max_requests) < 0)
			return -1;
	} else if (strcmp(a, "--version") == 0) {
		if (strcmp(val, "1") != 0 && strcmp(val, "2") != 0) {
			fprintf(stderr, "kvclient: --version %s: expected 1 or 2\n", val);
			return -1;
		}
		o->version = val[0] - '0';
	} else if (strcmp(a, "--seconds") == 0) {
		o->seconds = strtod(val, &end);
		if (!*val || *end || !(o->seconds > 0 && o->seconds <= 86400)) {
			fprintf(stderr, "kvclient: --seconds %s: expected a number in (0, 86400]\n",
				val);
			return -1;
		}
	} else {
		fprintf(stderr, "kvclient: unknown option %s\n", a);
		return -1;
	}
	return 0;
}

/* Parses the options (anywhere on the line) into o and the words into pos.
 * Returns the number of words, or -1 on bad usage (reported). */
static int parse(int argc, char **argv, struct kc_opts *o, char **pos)
{
	int i, npos = 0;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (a[0] != '-') {
			if (npos == 2)
				goto extra;
			pos[npos++] = argv[i];
			continue;
		}
		if (!val && strcmp(a, "--help") != 0) {
			fprintf(stderr, "kvclient: %s needs a value\n", a);
			return -1;
		}
		if (strcmp(a, "--help") == 0) {
			usage(stdout);
			exit(0);
		}
		if (parse_opt(o, a, val) < 0)
			return -1;
		i++;
	}
	return npos;
extra:
	fprintf(stderr, "kvclient: unexpected argument '%s'\n", argv[i]);
	return -1;
}

/* The subcommands that take no word after their name. */
static const struct {
	const char *name;
	int (*fn)(const struct kc_opts *o);
} plain_cmds[] = {
    {"hammer", kc_cmd_hammer},
    {"v2check", kc_cmd_v2check},
    {"proto", kc_cmd_proto},
    {"stats", kc_cmd_stats},
};

/* Runs the subcommand named by pos[0].  Returns its exit status, 2 on bad usage. */
static int dispatch(const struct kc_opts *o, char **pos, int npos)
{
	uint64_t n = 0;
	size_t i;

	if (strcmp(pos[0], "load") == 0 || strcmp(pos[0], "check") == 0) {
		if (npos != 2) {
			fprintf(stderr, "kvclient: %s needs the number of keys N\n", pos[0]);
			return 2;
		}
		if (arg_u64(pos[0], pos[1], KEYS_MAX, &n) < 0)
			return 2;
		return pos[0][0] == 'l' ? kc_cmd_load(o, n) : kc_cmd_check(o, n);
	}
	for (i = 0; i < sizeof(plain_cmds) / sizeof(plain_cmds[0]); i++) {
		if (strcmp(pos[0], plain_cmds[i].name) != 0)
			continue;
		if (npos == 1)
			return plain_cmds[i].fn(o);
		fprintf(stderr, "kvclient: %s takes no argument '%s'\n", pos[0], pos[1]);
		return 2;
	}
	fprintf(stderr, "kvclient: unknown command '%s'\n", pos[0]);
	return 2;
}

int main(int argc, char **argv)
{
	struct kc_opts o = {0, 15000, 0, 1, 1000000, 1};
	char *pos[2] = {NULL, NULL};
	int npos = parse(argc, argv, &o, pos), rc;

	if (npos >= 0 && (npos < 1 || o.port == 0))
		fprintf(stderr, "kvclient: %s\n", npos < 1 ? "no command" : "--port is required");
	if (npos < 1 || o.port == 0) {
		usage(stderr);
		return 2;
	}
	rc = dispatch(&o, pos, npos);
	if (rc == 2)
		fprintf(stderr, "run 'kvclient --help' for the usage\n");
	return rc;
}
