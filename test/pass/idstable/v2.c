/* v2.c -- idstable: version 2 of v1.c.  Edits: this longer comment (every
 * line moves), a new function with its own allocation placed first, tally
 * defined before rec_new, a free() added before an existing allocation, a
 * new allocation into another target placed before existing ones, and a
 * second allocation into an existing target appended after it.
 *
 * None of them may change an ID that v1 has.
 */
#include <stdlib.h>
#include <string.h>

struct rec {
	int id;
	char *name;
};

struct rec *g_recs[4];
static int s_count;
static char *s_log;

void extra(void)
{
	s_log = malloc(64);
	if (s_log)
		s_log[0] = 0;
}

int tally(void)
{
	static int calls;
	return ++calls + s_count;
}

static struct rec *rec_new(int id, const char *name)
{
	struct rec *r = malloc(sizeof *r);
	if (!r)
		abort();
	r->id = id;
	r->name = strdup(name);
	return r;
}

int main(void)
{
	long *counter = malloc(sizeof *counter);
	char *buf = malloc(16);
	free(counter);
	struct rec *tmp = malloc(sizeof *tmp);
	if (!buf || !tmp)
		return 1;
	tmp = realloc(tmp, 2 * sizeof *tmp);
	extra();
	for (int i = 0; i < 4; i++)
		g_recs[i] = rec_new(i, "r");
	s_count = 4;
	int ok = tally() == 5;
	for (int i = 0; i < 4; i++) {
		free(g_recs[i]->name);
		free(g_recs[i]);
	}
	free(tmp);
	buf = malloc(32);
	free(buf);
	free(s_log);
	return !ok;
}
