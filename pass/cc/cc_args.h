/* cc_args.h -- classification of a C compiler command line for ttst-cc. */
#ifndef TTST_CC_ARGS_H
#define TTST_CC_ARGS_H

/* What a compiler invocation does, as far as ttst-cc needs to know. */
struct cc_class {
	int compile_only; /* -c */
	int asm_only;	  /* -S */
	int preprocess;	  /* -E */
	int syntax_only;  /* -fsyntax-only */
	int deps_only;	  /* -M or -MM (they imply -E) */
	int query;	  /* -print-*, --version, -dumpversion, -dumpmachine, --help */
	int shared;	  /* -shared */
	int relocatable;  /* -r: a partial link; the final link adds ttst's parts */
	int c_sources;	  /* inputs compiled from C to code: .c, .i, or -x c / -x cpp-output */
	int compiled;	  /* inputs that go through the compiler at all (any source language) */
	int inputs;	  /* every input, object files and libraries included */
	int lang_at_end;  /* a -x language other than none is still in force after the last word */
};

/* Classifies argv[1..argc-1] into *cl.  Response files (@file) are read and
 * their words classified as if they were inline (a missing one is left to
 * clang, which reports it).  Never fails. */
void cc_classify(int argc, char **argv, struct cc_class *cl);

/* The command adds ttst's compile flags (-g, -I<home>/include). */
int cc_wants_compile_flags(const struct cc_class *cl);
/* The command compiles C to code: it needs the pass plugin. */
int cc_wants_plugin(const struct cc_class *cl);
/* The command links a program or shared library: it needs ttst_module.o and
 * libttst. */
int cc_wants_link(const struct cc_class *cl);

#endif /* TTST_CC_ARGS_H */
