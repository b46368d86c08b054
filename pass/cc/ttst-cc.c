/* ttst-cc.c -- drop-in C compiler for ttst: runs clang-16 with debug info, the metadata pass and
 * the runtime. */
#define _DEFAULT_SOURCE /* readlink */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cc_args.h"

#ifndef TTST_INSTALL_PREFIX
#error "TTST_INSTALL_PREFIX must be defined by the build (pass/cc/CMakeLists.txt)"
#endif

#define PART_PLUGIN "lib/libttst-pass.so"
#define PART_RUNTIME "lib/libttst.so"
#define PART_MODULE "lib/ttst_module.o"
#define PART_HEADER "include/ttst.h"
#define FALLBACK_CLANG "/usr/lib/llvm-16/bin/clang"

/* Returns 1 if path names an executable regular file. */
static int is_exe(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* Returns 1 if <home>/<part> exists. */
static int has_part(const char *home, const char *part)
{
	char p[PATH_MAX];
	return snprintf(p, sizeof(p), "%s/%s", home, part) < (int)sizeof(p) && access(p, R_OK) == 0;
}

/* The ttst home: $TTST_HOME, else the directory above this executable if
 * it holds ttst's parts (build/bin and <prefix>/bin both work), else the
 * compiled-in install prefix.  Returns a static buffer. */
static const char *find_home(void)
{
	static char home[PATH_MAX];
	const char *env = getenv("TTST_HOME");
	if (env && *env) {
		snprintf(home, sizeof(home), "%s", env);
		return home;
	}
	ssize_t n = readlink("/proc/self/exe", home, sizeof(home) - 1);
	if (n > 0) {
		home[n] = '\0';
		for (int up = 0; up < 2; up++) { /* strip "/ttst-cc", then "/bin" */
			char *slash = strrchr(home, '/');
			if (!slash)
				break;
			*slash = '\0';
		}
		if (home[0] && has_part(home, PART_PLUGIN))
			return home;
	}
	snprintf(home, sizeof(home), "%s", TTST_INSTALL_PREFIX);
	return home;
}

/* The clang-16 to run: $TTST_CLANG, else clang-16 in PATH, else the Debian
 * LLVM 16 location.  Exits with a message if there is none. */
static const char *find_clang(void)
{
	static char path[PATH_MAX];
	const char *env = getenv("TTST_CLANG");
	if (env && *env) {
		if (is_exe(env))
			return env;
		fprintf(stderr,
			"ttst-cc: TTST_CLANG=%s is not an executable; point it at clang-16\n", env);
		exit(1);
	}
	const char *dirs = getenv("PATH");
	while (dirs && *dirs) {
		size_t len = strcspn(dirs, ":");
		if (len &&
		    snprintf(path, sizeof(path), "%.*s/clang-16", (int)len, dirs) <
			(int)sizeof(path) &&
		    is_exe(path))
			return path;
		dirs += len + (dirs[len] == ':');
	}
	if (is_exe(FALLBACK_CLANG))
		return FALLBACK_CLANG;
	fprintf(stderr, "ttst-cc: clang-16 not found; install it (scripts/install-deps.sh / "
			"apt-get install clang-16) or set TTST_CLANG\n");
	exit(1);
}

/* Returns "<home>/<part>" (heap; lives until exec), exiting with a message
 * naming the file if it is missing. */
static char *part(const char *home, const char *name)
{
	size_t n = strlen(home) + strlen(name) + 2;
	char *p = malloc(n);
	if (!p) {
		fprintf(stderr, "ttst-cc: out of memory\n");
		exit(1);
	}
	snprintf(p, n, "%s/%s", home, name);
	if (access(p, R_OK) != 0) {
		fprintf(stderr, "ttst-cc: %s not found; set TTST_HOME to the ttst install prefix\n",
			p);
		exit(1);
	}
	return p;
}

/* Returns a heap string "<prefix><s>", exiting on out-of-memory. */
static char *cat(const char *prefix, const char *s)
{
	size_t n = strlen(prefix) + strlen(s) + 1;
	char *p = malloc(n);
	if (!p) {
		fprintf(stderr, "ttst-cc: out of memory\n");
		exit(1);
	}
	snprintf(p, n, "%s%s", prefix, s);
	return p;
}

/* Writes word to stdout quoted for a POSIX shell when it needs quoting. */
static void print_quoted(const char *word)
{
	if (*word && strspn(word, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				  "0123456789-_./=,:+@%") == strlen(word)) {
		fputs(word, stdout);
		return;
	}
	putchar('\'');
	for (; *word; word++)
		if (*word == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*word);
	putchar('\'');
}

/* Builds clang's argv: the user's arguments, then -g and -I<home>/include
 * for compiles, the plugin when C is compiled to code, and ttst_module.o
 * plus libttst (after the user's objects) when linking. */
static char **build_argv(int argc, char **argv, const char *clang, const struct cc_class *cl)
{
	char **out = calloc((size_t)argc + 12, sizeof(*out));
	int n = 0;
	if (!out) {
		fprintf(stderr, "ttst-cc: out of memory\n");
		exit(1);
	}
	out[n++] = (char *)clang;
	for (int i = 1; i < argc; i++)
		out[n++] = argv[i];
	int compile = cc_wants_compile_flags(cl), plugin = cc_wants_plugin(cl);
	int link = cc_wants_link(cl);
	if (!compile && !plugin && !link)
		return out; /* pure passthrough: queries, -v alone, ... */
	const char *home = find_home();
	if (compile) {
		part(home, PART_HEADER);
		out[n++] = "-g";
		out[n++] = cat("-I", cat(home, "/include"));
	}
	if (plugin)
		out[n++] = cat("-fpass-plugin=", part(home, PART_PLUGIN));
	if (link) {
		if (cl->lang_at_end) { /* else clang would read ttst_module.o as source */
			out[n++] = "-x";
			out[n++] = "none";
		}
		out[n++] = part(home, PART_MODULE);
		part(home, PART_RUNTIME);
		out[n++] = cat("-L", cat(home, "/lib"));
		out[n++] = "-lttst";
		out[n++] = cat("-Wl,-rpath,", cat(home, "/lib"));
	}
	return out;
}

int main(int argc, char **argv)
{
	struct cc_class cl;
	cc_classify(argc, argv, &cl);
	const char *clang = find_clang();
	char **args = build_argv(argc, argv, clang, &cl);
	const char *dry = getenv("TTST_CC_DRYRUN");
	if (dry && *dry && strcmp(dry, "0")) {
		for (int i = 0; args[i]; i++) {
			if (i)
				putchar(' ');
			print_quoted(args[i]);
		}
		putchar('\n');
		return fflush(stdout) ? 1 : 0;
	}
	execv(clang, args);
	fprintf(stderr, "ttst-cc: cannot run %s: %s\n", clang, strerror(errno));
	return 1;
}
