/* main.c -- ttst-ctl entry point: dispatches to the subcommand table; usage is generated from it.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "ttst/abi.h"

#ifndef TTST_VERSION
#error "TTST_VERSION must be defined by the build (ctl/CMakeLists.txt)"
#endif

/* One subcommand: its name, entry point, argument synopsis and one-line help. */
struct ctl_command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *args;
	const char *help;
};

static const struct ctl_command commands[] = {
    {"inspect", cmd_inspect, "[--json] BINARY",
     "types, static objects, functions and allocation sites recorded in BINARY"},
    {"diff", cmd_diff, "[--json] OLD NEW",
     "what changes between two versions; automatic, needs annotation or impossible"},
    {"status", cmd_status, "[--json] PID",
     "version, objects, last update and its outcome of a running process"},
    {"update", cmd_update, "[opts] PID [BIN]",
     "replace a running process by a new version of it, keeping its state"},
    {"check", cmd_check, "[opts] PID BIN",
     "the whole validated update of PID to BIN, never committed (PID keeps serving)"},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* Prints the usage, generated from the command table, to f. */
static void usage(FILE *f)
{
	fprintf(f, "usage: ttst-ctl COMMAND [ARGS...]\n\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-8s %-16s %s\n", commands[i].name, commands[i].args,
			commands[i].help);
	fprintf(f, "\n'ttst-ctl COMMAND --help' describes one command.\n"
		   "exit codes: 0 ok, 1 rolled back / check failed, 2 bad usage or input,\n"
		   "            3 process unreachable or not instrumented\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return CTL_EXIT_USAGE;
	}
	const char *name = argv[1];
	if (!strcmp(name, "help") || !strcmp(name, "--help") || !strcmp(name, "-h")) {
		usage(stdout);
		return CTL_EXIT_OK;
	}
	if (!strcmp(name, "--version")) {
		printf("ttst-ctl %s (metadata ABI %d)\n", TTST_VERSION, TTST_ABI_VERSION);
		return CTL_EXIT_OK;
	}
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(name, commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "ttst-ctl: unknown command '%s'; run 'ttst-ctl help' for the list\n", name);
	return CTL_EXIT_USAGE;
}
