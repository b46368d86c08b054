/* containerof/v1.c -- e2e case: items on two intrusive lists (embedded list nodes, container_of),
 * with static sentinels; every item is on the "all" list, every third one also on "hot". */
#include <stddef.h>
#include <stdlib.h>

#include "drv.h"

struct lnode {
	struct lnode *prev, *next;
};

struct item {
	int id;
	struct lnode all;
	int weight;
	struct lnode hot;
};

#define container_of(p, T, m) ((T *)((char *)(p) - offsetof(T, m)))

const char case_version[] = "v1";
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
		fprintf(out, "%s %d %d\n", name, it->id, it->weight);
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
