/* inspect.c -- `ttst-ctl inspect [--json] BINARY`: shows the metadata recorded in a binary. */
#include "inspect.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "ttst/abi.h"

#define SYNOPSIS "usage: ttst-ctl inspect [--json] BINARY"

/* Prints the command's usage to f. */
static void usage(FILE *f)
{
	fprintf(f, SYNOPSIS
		"\n"
		"Shows every type, static object, address-taken function and allocation site\n"
		"that ttst-cc recorded in BINARY (an executable, shared library or object), and\n"
		"which allocation sites are untyped.  --json prints one JSON object instead.\n");
}

void ctl_count_sites(const struct ctl_model *m, size_t *nalloc, size_t *nuntyped)
{
	*nalloc = *nuntyped = 0;
	for (size_t i = 0; i < m->nsites; i++) {
		if (m->sites[i].flags & TTST_XF_FREE)
			continue;
		++*nalloc;
		if (m->sites[i].type == CTL_NO_TYPE)
			++*nuntyped;
	}
}

int cmd_inspect(int argc, char **argv)
{
	int json = 0, opts = 1;
	const char *path = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (opts && !strcmp(a, "--json")) {
			json = 1;
		} else if (opts && (!strcmp(a, "-h") || !strcmp(a, "--help"))) {
			usage(stdout);
			return CTL_EXIT_OK;
		} else if (opts && !strcmp(a, "--")) {
			opts = 0;
		} else if (opts && a[0] == '-' && a[1]) {
			fprintf(stderr, "ttst-ctl: inspect: unknown option '%s'; %s\n", a,
				SYNOPSIS);
			return CTL_EXIT_USAGE;
		} else if (path) {
			fprintf(stderr,
				"ttst-ctl: inspect: one BINARY only ('%s' and '%s' given)\n", path,
				a);
			return CTL_EXIT_USAGE;
		} else {
			path = a;
		}
	}
	if (!path) {
		fprintf(stderr, "ttst-ctl: inspect: missing BINARY; %s\n", SYNOPSIS);
		return CTL_EXIT_USAGE;
	}
	char err[1024];
	struct ctl_model *m = ctl_model_load(path, err, sizeof(err));
	if (!m) {
		fprintf(stderr, "%s\n", err);
		return CTL_EXIT_USAGE;
	}
	int rc = json ? ctl_inspect_json(m, path, stdout) : ctl_inspect_text(m, path, stdout);
	ctl_model_free(m);
	if (rc) {
		fprintf(stderr, "ttst-ctl: inspect: cannot write the output: %s\n",
			strerror(errno));
		return CTL_EXIT_USAGE;
	}
	return CTL_EXIT_OK;
}
