/* check.c -- `ttst-ctl check [--json] [--timeout MS] PID NEW_BINARY [ARGS...]`: the whole update
 * transaction (forward, backward, diff) without committing; exit 0 if it validates. */
#include <stdio.h>
#include <string.h>

#include "commands.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ttst-ctl check [--json] [--timeout MS] PID NEW_BINARY [ARGS...]\n"
		"Runs everything a live update of PID to NEW_BINARY would do -- start the new\n"
		"version, transfer the state, transfer it back into a fresh instance of the old\n"
		"version and compare -- then stops both: PID keeps serving, untouched.\n"
		"exit: 0 the update validates, 1 it does not (the reason is printed), 2 bad\n"
		"usage or input, 3 process unreachable or not instrumented.\n");
}

int cmd_check(int argc, char **argv)
{
	int pos = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return CTL_EXIT_OK;
		}
		if (!strcmp(a, "--no-validate") || !strcmp(a, "--pidfile")) {
			fprintf(stderr,
				"ttst-ctl: check: %s makes no sense for a check (it always "
				"validates and never commits); see 'ttst-ctl check --help'\n",
				a);
			return CTL_EXIT_USAGE;
		}
		if (!strcmp(a, "--timeout"))
			i++;
		else if (a[0] != '-' || !a[1])
			pos++;
		else if (!strcmp(a, "--"))
			break;
	}
	if (pos < 2) {
		fprintf(stderr, "ttst-ctl: check: needs PID and NEW_BINARY; see 'ttst-ctl check "
				"--help'\n");
		return CTL_EXIT_USAGE;
	}
	return ctl_update_main(argc, argv, 1);
}
