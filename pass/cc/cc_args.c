/* cc_args.c -- classifies a C compiler command line: mode, inputs, languages (for ttst-cc). */
#include "cc_args.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RSP_MAX_DEPTH 8
#define RSP_MAX_BYTES (1u << 20)

/* Options whose value is the next word (when not joined to the option). */
static const char *const takes_value[] = {
    "-o",
    "-I",
    "-L",
    "-D",
    "-U",
    "-l",
    "-x",
    "-MF",
    "-MT",
    "-MQ",
    "-MJ",
    "-include",
    "-imacros",
    "-isystem",
    "-idirafter",
    "-iquote",
    "-iprefix",
    "-iwithprefix",
    "-iwithprefixbefore",
    "-isysroot",
    "-Xlinker",
    "-Xpreprocessor",
    "-Xassembler",
    "-Xclang",
    "-mllvm",
    "-target",
    "-arch",
    "-u",
    "-z",
    "-T",
    "-e",
    "--param",
    "-B",
    "--sysroot",
    "-resource-dir",
    "-gcc-toolchain",
    "-dependency-file",
    "-serialize-diagnostics",
    "-aux-info",
    "-dumpbase",
    "-dumpdir",
    "-wrapper",
    "-Xopenmp-target",
    "-F",
    "-G",
    "-working-directory",
    "-ivfsoverlay",
    "-iframework",
    "-isystem-after",
    "-module-dependency-dir",
    NULL,
};

/* Options that only ask the driver something: nothing is compiled or linked. */
static const char *const queries[] = {
    "--version", "-dumpversion", "-dumpfullversion", "-dumpmachine",
    "--help",	 "-help",	 "--help-hidden",    NULL,
};

/* Source extensions that go through the compiler (C ones are listed first). */
static const char *const c_exts[] = {".c", ".i", NULL};
static const char *const other_src_exts[] = {".h",   ".s",  ".S",   ".cc", ".cpp", ".cxx",
					     ".c++", ".C",  ".ii",  ".m",  ".mi",  ".mm",
					     ".M",   ".hh", ".hpp", ".sx", NULL};

/* Classification state while walking words (and response files). */
struct walk {
	struct cc_class *cl;
	char lang[32]; /* current -x language, "" or "none" = by extension */
	int depth;     /* response-file nesting */
};

/* Returns 1 if s is one of the NULL-terminated list. */
static int in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return 1;
	return 0;
}

/* Classifies one input file (or "-") by the current -x language or its extension. */
static void input(struct walk *w, const char *path)
{
	w->cl->inputs++;
	if (w->lang[0] && strcmp(w->lang, "none")) {
		w->cl->compiled++;
		if (!strcmp(w->lang, "c") || !strcmp(w->lang, "cpp-output"))
			w->cl->c_sources++;
		return;
	}
	const char *base = strrchr(path, '/');
	const char *ext = strrchr(base ? base + 1 : path, '.');
	if (!strcmp(path, "-")) {
		w->cl->compiled++; /* clang insists on -x for stdin */
	} else if (ext && in_list(ext, c_exts)) {
		w->cl->compiled++;
		w->cl->c_sources++;
	} else if (ext && in_list(ext, other_src_exts)) {
		w->cl->compiled++;
	}
}

/* Sets the -x language (truncated names are never C, so no harm done). */
static void set_lang(struct walk *w, const char *lang)
{
	snprintf(w->lang, sizeof(w->lang), "%s", lang ? lang : "");
}

/* Classifies one option word that takes no separate value. */
static void option(struct walk *w, const char *a)
{
	struct cc_class *cl = w->cl;
	if (!strcmp(a, "-c"))
		cl->compile_only = 1;
	else if (!strcmp(a, "-S"))
		cl->asm_only = 1;
	else if (!strcmp(a, "-E"))
		cl->preprocess = 1;
	else if (!strcmp(a, "-fsyntax-only"))
		cl->syntax_only = 1;
	else if (!strcmp(a, "-M") || !strcmp(a, "-MM"))
		cl->deps_only = 1;
	else if (!strcmp(a, "-shared"))
		cl->shared = 1;
	else if (!strcmp(a, "-r"))
		cl->relocatable = 1;
	else if (!strncmp(a, "-print-", 7) || !strncmp(a, "--print-", 8) || in_list(a, queries))
		cl->query = 1;
	else if (!strncmp(a, "-x", 2))
		set_lang(w, a + 2);
}

static void walk_words(struct walk *w, int n, char **words);

/* Splits the response file at path into words (GNU rules: whitespace,
 * '...' and "..." quoting, backslash escapes) and classifies them.  A file
 * that cannot be read is ignored: clang reports it. */
static void response_file(struct walk *w, const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = malloc(RSP_MAX_BYTES + 1), *out = buf, **words = NULL;
	int n = 0;
	if (!f || !buf || w->depth >= RSP_MAX_DEPTH)
		goto out;
	size_t len = fread(buf, 1, RSP_MAX_BYTES, f);
	words = malloc(sizeof(*words) * (len / 2 + 1));
	if (!words)
		goto out;
	for (size_t i = 0; i < len;) {
		while (i < len && strchr(" \t\r\n\f\v", buf[i]))
			i++;
		if (i >= len)
			break;
		words[n++] = out;
		for (char q = 0; i < len && (q || !strchr(" \t\r\n\f\v", buf[i])); i++) {
			if (buf[i] == '\\' && i + 1 < len && q != '\'')
				*out++ = buf[++i];
			else if (q && buf[i] == q)
				q = 0;
			else if (!q && (buf[i] == '\'' || buf[i] == '"'))
				q = buf[i];
			else
				*out++ = buf[i];
		}
		*out++ = '\0'; /* never overtakes the reader: each word ends a char later */
	}
	w->depth++;
	walk_words(w, n, words);
	w->depth--;
out:
	if (f)
		fclose(f);
	free(words);
	free(buf);
}

/* Classifies n words. */
static void walk_words(struct walk *w, int n, char **words)
{
	for (int i = 0; i < n; i++) {
		const char *a = words[i];
		if (a[0] == '@' && a[1]) {
			response_file(w, a + 1);
		} else if (a[0] != '-' || !a[1]) {
			input(w, a);
		} else if (in_list(a, takes_value)) {
			if (!strcmp(a, "-x"))
				set_lang(w, i + 1 < n ? words[i + 1] : NULL);
			i++;
		} else {
			option(w, a);
		}
	}
}

void cc_classify(int argc, char **argv, struct cc_class *cl)
{
	struct walk w = {.cl = cl};
	memset(cl, 0, sizeof(*cl));
	walk_words(&w, argc - 1, argv + 1);
	cl->lang_at_end = w.lang[0] && strcmp(w.lang, "none") != 0;
}

int cc_wants_compile_flags(const struct cc_class *cl)
{
	return !cl->query && cl->compiled > 0;
}

int cc_wants_plugin(const struct cc_class *cl)
{
	return !cl->query && !cl->preprocess && !cl->deps_only && !cl->syntax_only &&
	       cl->c_sources > 0;
}

int cc_wants_link(const struct cc_class *cl)
{
	return !cl->query && !cl->compile_only && !cl->asm_only && !cl->preprocess &&
	       !cl->syntax_only && !cl->deps_only && !cl->relocatable &&
	       (cl->inputs > 0 || cl->shared);
}
