/* util.c -- named counters: the helper module of the ttst-cc build test project. */
#include "util.h"

#include <stdlib.h>
#include <string.h>

static unsigned long created; /* a file static, recorded by the pass */

struct counter *counter_get(struct counter **list, const char *name)
{
	for (struct counter *c = *list; c; c = c->next)
		if (!strcmp(c->name, name))
			return c;
	struct counter *c = malloc(sizeof(*c));
	if (!c)
		return NULL;
	c->name = strdup(name);
	if (!c->name) {
		free(c);
		return NULL;
	}
	c->value = 0;
	c->next = *list;
	*list = c;
	created++;
	return c;
}

void counter_free_all(struct counter *list)
{
	while (list) {
		struct counter *next = list->next;
		free(list->name);
		free(list);
		list = next;
	}
}
