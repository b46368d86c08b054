/* update.c -- `ttst-ctl update [--json] [--timeout MS] [--no-validate] [--pidfile F] PID
 * [NEW_BINARY [ARGS...]]`: checks the new binary, sends UPDATE and follows the phases. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "commands.h"
#include "image.h"
#include "json.h"
#include "ttst/abi.h"
#include "ttst/proto.h"

#define SYNOPSIS                                                                                   \
	"usage: ttst-ctl update [--json] [--timeout MS] [--no-validate] [--pidfile F] PID "        \
	"[NEW_BINARY [ARGS...]]"
#define STATUS_TIMEOUT_MS 5000
#define SLACK_MS 15000 /* on top of the process's own timeouts */
#define CLEANUP_MS 5000 /* a server that continues closes the connection after its cleanup */

struct opts {
	int json, validate, check;
	unsigned timeout_ms;
	const char *pidfile;
	pid_t pid;
	const char *binary; /* as given, NULL: the process's own */
	char **args;	    /* ARGS (nargs of them), NULL: the process's own argv */
	int nargs;
};

/* Everything the request carries, resolved. */
struct request {
	char binary[PATH_MAX];
	char pidfile[PATH_MAX];
	char *argbuf; /* NUL-separated arguments (the process's cmdline or ARGS) */
	size_t arglen;
	unsigned argc;
	unsigned timeout_ms, park_ms; /* effective, from the process's STATUS */
};

static const char *cmdname = "update"; /* or "check" (messages) */

static void usage(FILE *f)
{
	fprintf(f, SYNOPSIS
		"\n"
		"Replaces the running process PID (built with ttst-cc) by NEW_BINARY without\n"
		"losing its state or connections; default NEW_BINARY: the file PID was started\n"
		"from (replace it on disk first), default ARGS: PID's own arguments ('--' after\n"
		"NEW_BINARY: none).  Progress is printed per phase; --json prints one JSON object\n"
		"per line.  --timeout MS bounds the update (default: the process's timeout_ms),\n"
		"--pidfile F is rewritten with the new pid on commit.  Before committing, the\n"
		"state v2 received is transferred back into a fresh instance of the old version\n"
		"and compared with the original (any difference rolls back); --no-validate\n"
		"skips that.  'ttst-ctl check PID NEW_BINARY' does everything but commit.\n"
		"exit: 0 committed, 1 rolled back (the old version still serves), 2 bad usage or\n"
		"input (nothing started), 3 process unreachable or not instrumented.\n");
}

static int bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "ttst-ctl: %s: ", cmdname);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "; see 'ttst-ctl %s --help'\n", cmdname);
	return CTL_EXIT_USAGE;
}

/* Parses the command line into o; returns -1 (ok) or an exit code. */
static int parse(int argc, char **argv, struct opts *o)
{
	memset(o, 0, sizeof *o);
	o->validate = 1;
	int i = 1;
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--json"))
			o->json = 1;
		else if (!strcmp(a, "--no-validate"))
			o->validate = 0;
		else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return CTL_EXIT_OK;
		} else if (!strcmp(a, "--timeout") || !strcmp(a, "--pidfile")) {
			if (i + 1 == argc)
				return bad_usage("%s needs a value", a);
			const char *v = argv[++i];
			char *end;
			long ms = strtol(v, &end, 10);
			if (a[2] == 'p')
				o->pidfile = v;
			else if (*v < '0' || *v > '9' || *end || ms < 1 || ms > 3600000)
				return bad_usage(
				    "--timeout '%s': expected milliseconds, 1 to 3600000", v);
			else
				o->timeout_ms = (unsigned)ms;
		} else if (!strcmp(a, "--")) {
			i++;
			break;
		} else
			return bad_usage("unknown option '%s'", a);
	}
	if (i == argc)
		return bad_usage("missing PID%s", "");
	o->pid = ctl_parse_pid(argv[i]);
	if (o->pid < 0)
		return bad_usage("'%s' is not a process id", argv[i]);
	if (++i < argc)
		o->binary = argv[i++];
	if (i < argc && !strcmp(argv[i], "--"))
		i++, o->args = argv + i; /* explicit, possibly empty */
	else if (i < argc)
		o->args = argv + i;
	o->nargs = o->args ? argc - i : 0;
	return -1;
}

/* Reads /proc/<pid>/cmdline into r->argbuf. */
static int own_cmdline(pid_t pid, struct request *r, char *err, size_t n)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = TTST_PROTO_MAX_PAYLOAD;
	r->argbuf = malloc(cap);
	ssize_t k;
	r->arglen = 0;
	while (fd >= 0 && r->argbuf && r->arglen < cap &&
	       (k = read(fd, r->argbuf + r->arglen, cap - r->arglen)) > 0)
		r->arglen += (size_t)k;
	if (fd >= 0)
		close(fd);
	if (fd < 0 || !r->argbuf || !r->arglen || r->arglen == cap) {
		snprintf(err, n, "pid %d: cannot read its arguments (%s)%s", (int)pid, path,
			 r->arglen == cap ? ": too long" : "");
		return -1;
	}
	if (r->argbuf[r->arglen - 1]) /* a process that rewrote its cmdline */
		r->argbuf[r->arglen++ - 1] = 0;
	r->argc = 0;
	for (size_t i = 0; i < r->arglen; i++)
		r->argc += !r->argbuf[i];
	return 0;
}

/* The file pid runs (without " (deleted)": the replaced binary's path). */
static int own_binary(pid_t pid, char *buf, size_t n, char *err, size_t errlen)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/exe", (int)pid);
	ssize_t k = readlink(path, buf, n - 1);
	if (k <= 0) {
		snprintf(err, errlen, "pid %d: cannot read %s: %s", (int)pid, path,
			 strerror(errno));
		return -1;
	}
	buf[k] = 0;
	const char *del = " (deleted)";
	size_t dl = strlen(del);
	if ((size_t)k > dl && !strcmp(buf + k - dl, del))
		buf[k - dl] = 0;
	return 0;
}

/* Checks the binary before anything starts: exists, regular, executable,
 * valid ttst_meta of this ABI version.  Returns 0 or -1 with err. */
static int check_binary(const char *given, char *abs, char *err, size_t n)
{
	struct stat st;
	if (stat(given, &st) < 0) {
		snprintf(err, n, "%s: %s", given, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode) || access(given, X_OK) < 0) {
		snprintf(err, n, "%s: not an executable file", given);
		return -1;
	}
	if (!realpath(given, abs)) {
		snprintf(err, n, "%s: %s", given, strerror(errno));
		return -1;
	}
	char *meta;
	size_t len;
	char why[1024];
	if (ctl_image_load(abs, &meta, &len, why, sizeof why) < 0) {
		snprintf(err, n, "%s", why + (strncmp(why, "ttst-ctl: ", 10) ? 0 : 10));
		return -1;
	}
	free(meta);
	return 0;
}

/* Makes the pid file's path absolute (its directory must exist). */
static int resolve_pidfile(const char *given, char *abs, char *err, size_t n)
{
	char d[PATH_MAX], b[PATH_MAX], dir[PATH_MAX];
	snprintf(d, sizeof d, "%s", given);
	snprintf(b, sizeof b, "%s", given);
	const char *base = basename(b);
	if (!realpath(dirname(d), dir) || !*base || !strcmp(base, "/") ||
	    snprintf(abs, PATH_MAX, "%s/%s", strcmp(dir, "/") ? dir : "", base) >= PATH_MAX) {
		snprintf(err, n, "--pidfile %s: bad path: %s", given,
			 strerror(errno ? errno : EINVAL));
		return -1;
	}
	return 0;
}

/* Asks the process for STATUS: ABI version and timeouts.  Returns 0, or an
 * exit code with err. */
static int ask_status(pid_t pid, struct request *r, char *err, size_t n)
{
	char why[512], v[64];
	int fd = ctl_client_connect(pid, why, sizeof why);
	struct ctl_reply rep = {0, 0, NULL};
	if (fd < 0 ||
	    ctl_client_request(fd, TTST_MSG_STATUS, NULL, 0, STATUS_TIMEOUT_MS, &rep, why,
			       sizeof why) < 0 ||
	    rep.type != TTST_MSG_OK) {
		snprintf(err, n, "%s", rep.text ? rep.text : why);
		if (fd >= 0)
			close(fd);
		free(rep.text);
		return CTL_EXIT_UNREACHABLE;
	}
	close(fd);
	int rc = 0;
	if (!ctl_kv_get(rep.text, "abi_version", v, sizeof v) || atoi(v) != TTST_ABI_VERSION) {
		snprintf(err, n,
			 "pid %d: its runtime speaks metadata ABI version %s; this ttst-ctl speaks "
			 "%d",
			 (int)pid, ctl_kv_get(rep.text, "abi_version", v, sizeof v) ? v : "?",
			 TTST_ABI_VERSION);
		rc = CTL_EXIT_USAGE;
	}
	r->timeout_ms = ctl_kv_get(rep.text, "timeout_ms", v, sizeof v) ? (unsigned)atoi(v) : 0;
	r->park_ms = ctl_kv_get(rep.text, "park_timeout_ms", v, sizeof v) ? (unsigned)atoi(v) : 0;
	free(rep.text);
	return rc;
}

/* Resolves defaults and checks the input; returns -1 (ok) or an exit code. */
static int prepare(const struct opts *o, struct request *r, char *err, size_t n)
{
	int rc = ask_status(o->pid, r, err, n);
	if (rc)
		return rc;
	char own[PATH_MAX];
	const char *bin = o->binary;
	if (!bin) {
		if (own_binary(o->pid, own, sizeof own, err, n) < 0)
			return CTL_EXIT_UNREACHABLE;
		bin = own;
	}
	if (check_binary(bin, r->binary, err, n) < 0)
		return CTL_EXIT_USAGE;
	r->pidfile[0] = 0;
	if (o->pidfile && resolve_pidfile(o->pidfile, r->pidfile, err, n) < 0)
		return CTL_EXIT_USAGE;
	if (!o->args)
		return own_cmdline(o->pid, r, err, n) < 0 ? CTL_EXIT_UNREACHABLE : -1;
	r->arglen = strlen(bin) + 1; /* argv[0] = NEW_BINARY as given */
	for (int i = 0; i < o->nargs; i++)
		r->arglen += strlen(o->args[i]) + 1;
	r->argbuf = malloc(r->arglen);
	if (!r->argbuf) {
		snprintf(err, n, "out of memory");
		return CTL_EXIT_USAGE;
	}
	size_t pos = 0;
	for (int i = -1; i < o->nargs; i++) {
		const char *s = i < 0 ? bin : o->args[i];
		memcpy(r->argbuf + pos, s, strlen(s) + 1);
		pos += strlen(s) + 1;
	}
	r->argc = (unsigned)o->nargs + 1;
	return -1;
}

/* Builds the UPDATE payload into *out (malloc'ed); returns its length or 0. */
static size_t payload(const struct opts *o, const struct request *r, char **out, char *err,
		      size_t n)
{
	uint32_t flags =
	    (o->validate ? TTST_UPDATE_VALIDATE : 0) | (o->check ? TTST_UPDATE_CHECK : 0);
	struct ttst_update_req q = {o->timeout_ms, flags, r->argc, 0};
	size_t bl = strlen(r->binary) + 1, pl = strlen(r->pidfile) + 1;
	size_t len = sizeof q + bl + pl + r->arglen;
	if (len > TTST_PROTO_MAX_PAYLOAD) {
		snprintf(err, n, "the arguments are too long (%zu bytes; at most %u)", len,
			 TTST_PROTO_MAX_PAYLOAD);
		return 0;
	}
	char *p = malloc(len);
	if (!p) {
		snprintf(err, n, "out of memory");
		return 0;
	}
	memcpy(p, &q, sizeof q);
	memcpy(p + sizeof q, r->binary, bl);
	memcpy(p + sizeof q + bl, r->pidfile, pl);
	memcpy(p + sizeof q + bl + pl, r->argbuf, r->arglen);
	*out = p;
	return len;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads n bytes before deadline; returns 0, 1 on EOF before the first byte, -1 otherwise. */
static int read_all(int fd, void *buf, size_t n, long long deadline)
{
	size_t got = 0;
	while (got < n) {
		struct pollfd p = {fd, POLLIN, 0};
		long long left = deadline - now_ms();
		int r = left > 0 ? poll(&p, 1, (int)(left > INT_MAX ? INT_MAX : left)) : 0;
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		ssize_t k = read(fd, (char *)buf + got, n - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k == 0 && got == 0 ? 1 : -1;
		got += (size_t)k;
	}
	return 0;
}

/* Reads one frame: returns 0 with *h and text (malloc'ed), 1 on EOF, -1 on error. */
static int read_frame(int fd, struct ttst_msg_hdr *h, char **text, long long deadline)
{
	char why[160];
	int r = read_all(fd, h, sizeof *h, deadline);
	if (r)
		return r;
	if (ttst_msg_check(h, why, sizeof why) < 0)
		return -1;
	*text = malloc((size_t)h->length + 1);
	if (!*text || read_all(fd, *text, h->length, deadline)) {
		free(*text);
		*text = NULL;
		return -1;
	}
	(*text)[h->length] = 0;
	return 0;
}

/* Value of key in a key=value text as a number (0 if absent). */
static long long num(const char *text, const char *key)
{
	char v[32];
	return ctl_kv_get(text, key, v, sizeof v) ? strtoll(v, NULL, 10) : 0;
}

static const char *const phases[] = {"park", "spawn", "reinit", "transfer", "validate", "commit"};
#define NPHASES (sizeof phases / sizeof phases[0])

static void print_event(const char *text, int json)
{
	char phase[32], detail[1024];
	if (!ctl_kv_get(text, "phase", phase, sizeof phase))
		snprintf(phase, sizeof phase, "?");
	if (!ctl_kv_get(text, "detail", detail, sizeof detail))
		detail[0] = 0;
	if (!json) {
		printf("  %-9s %6lld ms  %s\n", phase, num(text, "phase_ms"), detail);
		fflush(stdout);
		return;
	}
	struct ctl_json j;
	ctl_json_init(&j, stdout);
	ctl_json_obj(&j, NULL);
	ctl_json_str(&j, "type", "event");
	ctl_json_str(&j, "phase", phase);
	ctl_json_int(&j, "elapsed_ms", num(text, "elapsed_ms"));
	ctl_json_int(&j, "phase_ms", num(text, "phase_ms"));
	ctl_json_str(&j, "detail", detail);
	ctl_json_obj_end(&j);
	putchar('\n');
	fflush(stdout);
}

static void result_json(const char *text, const char *outcome, const char *phase,
			const char *reason, const char *warning)
{
	struct ctl_json j;
	ctl_json_init(&j, stdout);
	ctl_json_obj(&j, NULL);
	ctl_json_str(&j, "type", "result");
	ctl_json_str(&j, "outcome", outcome);
	ctl_json_int(&j, "pid", num(text, "pid"));
	ctl_json_int(&j, "old_pid", num(text, "old_pid"));
	ctl_json_int(&j, "new_pid", num(text, "new_pid"));
	ctl_json_str(&j, "phase", phase);
	ctl_json_str(&j, "reason", reason);
	ctl_json_int(&j, "total_ms", num(text, "total_ms"));
	ctl_json_obj(&j, "phases_ms");
	for (size_t i = 0; i < NPHASES; i++) {
		char key[32];
		snprintf(key, sizeof key, "%s_ms", phases[i]);
		ctl_json_int(&j, phases[i], num(text, key));
	}
	ctl_json_obj_end(&j);
	static const char *const counters[] = {"objects",    "bytes",	     "pointers",
					       "transforms", "conservative", "freed"};
	for (size_t i = 0; i < sizeof counters / sizeof counters[0]; i++)
		ctl_json_int(&j, counters[i], num(text, counters[i]));
	ctl_json_int(&j, "validated", num(text, "validated"));
	ctl_json_int(&j, "compared", num(text, "compared"));
	ctl_json_int(&j, "v1r_pid", num(text, "v1r_pid"));
	ctl_json_str(&j, "warning", warning);
	ctl_json_obj_end(&j);
	putchar('\n');
}

/* Prints the RESULT; returns the exit code. */
static int print_result(const char *text, int json)
{
	char outcome[32], phase[32], reason[1024], warning[1024];
	if (!ctl_kv_get(text, "outcome", outcome, sizeof outcome))
		outcome[0] = 0;
	if (!ctl_kv_get(text, "phase", phase, sizeof phase))
		phase[0] = 0;
	if (!ctl_kv_get(text, "reason", reason, sizeof reason))
		reason[0] = 0;
	if (!ctl_kv_get(text, "warning", warning, sizeof warning))
		warning[0] = 0;
	int ok = !strcmp(outcome, "committed") || !strcmp(outcome, "checked");
	if (json)
		result_json(text, outcome, phase, reason, warning);
	else if (ok && outcome[1] == 'h')
		printf("check passed in %lld ms: the update validates (%lld objects compared); "
		       "nothing committed, pid %lld still serves\n",
		       num(text, "total_ms"), num(text, "compared"), num(text, "old_pid"));
	else if (ok)
		printf("committed in %lld ms: pid %lld serves now (was %lld; %s)\n",
		       num(text, "total_ms"), num(text, "new_pid"), num(text, "old_pid"),
		       num(text, "validated") ? "validated" : "not validated");
	else
		printf("rolled back in %s after %lld ms: %s\npid %lld still serves\n", phase,
		       num(text, "total_ms"), reason, num(text, "old_pid"));
	if (warning[0])
		fprintf(stderr, "ttst-ctl: %s: warning: %s\n", cmdname, warning);
	return ok ? CTL_EXIT_OK : CTL_EXIT_FAILED;
}

/* Prints a refusal (ERROR reply, or a check failed here); returns rc. */
static int refused(const struct opts *o, int rc, const char *msg)
{
	fprintf(stderr, "ttst-ctl: %s: %s\n", cmdname, msg);
	if (o->json) {
		struct ctl_json j;
		ctl_json_init(&j, stdout);
		ctl_json_obj(&j, NULL);
		ctl_json_str(&j, "type", "error");
		ctl_json_int(&j, "exit", rc);
		ctl_json_str(&j, "message", msg);
		ctl_json_obj_end(&j);
		putchar('\n');
	}
	return rc;
}

/* Waits until the server closes the connection (or the deadline): after a
 * rollback or a check it does so once v2, v1' and the state images are gone,
 * so that whoever runs ttst-ctl next sees the server as it was. */
static void wait_closed(int fd, long long deadline)
{
	char buf[256];
	for (long long now = now_ms(); now < deadline; now = now_ms()) {
		struct pollfd p = {fd, POLLIN, 0};
		int r = poll(&p, 1, (int)(deadline - now));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || read(fd, buf, sizeof buf) <= 0)
			return;
	}
}

/* Sends the request and follows the stream until the RESULT. */
static int run(const struct opts *o, const struct request *r, const char *p, size_t len)
{
	char err[1024];
	int fd = ctl_client_connect(o->pid, err, sizeof err);
	if (fd < 0)
		return refused(o, CTL_EXIT_UNREACHABLE, err);
	struct ttst_msg_hdr h;
	ttst_msg_init(&h, TTST_MSG_UPDATE, (uint32_t)len);
	unsigned budget = (o->timeout_ms ? o->timeout_ms : r->timeout_ms) + r->park_ms + SLACK_MS;
	/* a refusing server answers and closes at once: its reply is read below */
	if (send(fd, &h, sizeof h, MSG_NOSIGNAL) == (ssize_t)sizeof h)
		send(fd, p, len, MSG_NOSIGNAL);
	int rc = CTL_EXIT_UNREACHABLE, events = 0;
	for (;;) {
		char *text = NULL;
		int k = read_frame(fd, &h, &text, now_ms() + budget);
		if (k) {
			snprintf(err, sizeof err,
				 "pid %d %s %s; check whether it still runs (ttst-ctl status %d)",
				 (int)o->pid, k > 0 ? "closed the connection" : "stopped answering",
				 events ? "during the update" : "before the update started",
				 (int)o->pid);
			rc = refused(o, CTL_EXIT_UNREACHABLE, err);
			break;
		}
		if (h.type == TTST_MSG_EVENT) {
			if (!events++ && !o->json)
				printf("%s pid %d to %s (%s)\n",
				       o->check ? "checking an update of" : "updating", (int)o->pid,
				       r->binary, o->validate ? "validated" : "not validated");
			print_event(text, o->json);
			free(text);
			continue;
		}
		if (h.type == TTST_MSG_RESULT) {
			char outcome[32];
			rc = print_result(text, o->json);
			fflush(stdout);
			if (!ctl_kv_get(text, "outcome", outcome, sizeof outcome) ||
			    strcmp(outcome, "committed"))
				wait_closed(fd, now_ms() + CLEANUP_MS);
		} else
			rc = refused(o, CTL_EXIT_USAGE, text);
		free(text);
		break;
	}
	close(fd);
	return rc;
}

int ctl_update_main(int argc, char **argv, int check)
{
	struct opts o;
	int rc = parse(argc, argv, &o);
	if (rc >= 0)
		return rc;
	o.check = check;
	cmdname = check ? "check" : "update";
	struct request r;
	memset(&r, 0, sizeof r);
	char err[2048], *p = NULL;
	rc = prepare(&o, &r, err, sizeof err);
	size_t len = rc < 0 ? payload(&o, &r, &p, err, sizeof err) : 0;
	if (rc < 0 && !len)
		rc = CTL_EXIT_USAGE;
	if (rc >= 0)
		rc = refused(&o, rc, err);
	else
		rc = run(&o, &r, p, len);
	free(r.argbuf);
	free(p);
	return rc;
}

int cmd_update(int argc, char **argv)
{
	return ctl_update_main(argc, argv, 0);
}
