/* strings/v2.c -- e2e case: v1's strings with the tag array grown and the record reordered; the
 * literals live at other addresses in v2 and are found by content. */
#include <stdlib.h>
#include <string.h>

#include "drv.h"

struct rec {
	const char *label; /* a string literal */
	char *tail;	   /* into owned */
	char *owned;	   /* strdup'ed */
	char tag[32];
};

const char case_version[] = "v2";
static struct rec *g_recs[12];
static const char *g_unused = "a v2-only literal";
static const char *g_motd = "hello, live update";

void case_setup(void)
{
	static const char *labels[] = {"alpha", "beta", "gamma"};
	char buf[64];

	for (int i = 0; i < 12; i++) {
		struct rec *r = calloc(1, sizeof *r);

		snprintf(r->tag, sizeof r->tag, "t%d", i);
		snprintf(buf, sizeof buf, "owned string number %d of twelve", i);
		r->owned = strdup(buf);
		r->label = labels[i % 3];
		r->tail = r->owned + 6;
		g_recs[i] = r;
	}
}

void case_dump(FILE *out)
{
	for (int i = 0; i < 12; i++) {
		struct rec *r = g_recs[i];

		fprintf(out, "%s|%s|%s|%s\n", r->tag, r->owned, r->label, r->tail);
		if (r->tail != r->owned + 6)
			fprintf(out, "FAIL tail of %d\n", i);
	}
	fprintf(out, "motd=%s\n", g_motd);
	if (strcmp(g_unused, "a v2-only literal"))
		fprintf(out, "FAIL v2-only static\n");
}

int main(int argc, char **argv)
{
	return drv_main(argc, argv);
}
