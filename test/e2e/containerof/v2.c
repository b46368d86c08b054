/* containerof/v2.c -- e2e case: v1's intrusive lists with the embedded nodes moved to other
 * offsets (reordered members, a name buffer added in front): every interior pointer must be
 * re-targeted to the new offset of its node. */
#include <stddef.h>
#include <stdlib.h>

#include "drv.h"

struct lnode {
	struct lnode *prev, *next;
};

struct item {
	char name[24];
	struct lnode hot;
	long weight;
	struct lnode all;
	int id;
};

#define container_of(p, T, m) ((T *)((char *)(p) - offsetof(T, m)))

const char case_version[] = "v2";
static struct lnode g_all = {&g_all, &g_all};
static struct lnode g_hot = {&g_hot, &g_hot};

static void push(struct lnode *head, struct lnode *n)
{
	n->next = head;
	n->prev = head->prev;
	head->prev->next = n;
	head->prev = n;
}

void case_setup(void)
{
	for (int i = 0; i < 150; i++) {
		struct item *it = calloc(1, sizeof *it);

		it->id = i;
		it->weight = 1000 - i;
		push(&g_all, &it->all);
		if (i % 3 == 0)
			push(&g_hot, &it->hot);
	}
}

/* Walks a list both ways through container_of and checks the links. */
static void walk(FILE *out, const char *name, struct lnode *head, size_t off)
{
	long n = 0, sum = 0;

	for (struct lnode *l = head->next; l != head && n < 1000; l = l->next, n++) {
		struct item *it = (struct item *)((char *)l - off);

		if (l->next->prev != l || l->prev->next != l)
			fprintf(out, "FAIL %s links at %d\n", name, it->id);
		fprintf(out, "%s %d %ld\n", name, it->id, it->weight);
		if (it->name[0])
			fprintf(out, "FAIL name not empty\n");
		sum += it->weight;
	}
	fprintf(out, "%s n=%ld sum=%ld\n", name, n, sum);
}

void case_dump(FILE *out)
{
	walk(out, "all", &g_all, offsetof(struct item, all));
	walk(out, "hot", &g_hot, offsetof(struct item, hot));
	if (container_of(g_all.next, struct item, all)->id != 0)
		fprintf(out, "FAIL first item\n");
}

int main(int argc, char **argv)
{
	return drv_main(argc, argv);
}
