/* v1.c -- idstable: version 1 of a small program; v2.c is the same program
 * after edits that must not change any existing state ID or site ID. */
#include <stdlib.h>
#include <string.h>

struct rec {
	int id;
	char *name;
};

struct rec *g_recs[4];
static int s_count;

static struct rec *rec_new(int id, const char *name)
{
	struct rec *r = malloc(sizeof *r);
	if (!r)
		abort();
	r->id = id;
	r->name = strdup(name);
	return r;
}

int tally(void)
{
	static int calls;
	return ++calls + s_count;
}

int main(void)
{
	char *buf = malloc(16);
	struct rec *tmp = malloc(sizeof *tmp);
	if (!buf || !tmp)
		return 1;
	tmp = realloc(tmp, 2 * sizeof *tmp);
	for (int i = 0; i < 4; i++)
		g_recs[i] = rec_new(i, "r");
	s_count = 4;
	int ok = tally() == 5;
	for (int i = 0; i < 4; i++) {
		free(g_recs[i]->name);
		free(g_recs[i]);
	}
	free(tmp);
	free(buf);
	return !ok;
}
