/* big-parallel/v2.c -- the same program with value widened to long long and a new member:
 * 60,000 list nodes (enough for the engine to move them on two
 * threads), each pointing at its neighbours, at a string literal, at stdout (a library object)
 * and at one shared uninstrumented block (copied once, whichever thread reaches it first). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drv.h"

#define NODES 60000

struct node {
	struct node *prev, *next;
	const char *label; /* a string literal */
	FILE *out;	   /* stdout */
	char *shared;	   /* the one block from the uninstrumented allocator */
	long long value;
	int added; /* new in v2: zero after the update */
};

const char case_version[] = "v2";
static struct node *g_head;
static char *g_shared;

void case_setup(void)
{
	/* asprintf allocates inside libc, at no instrumented site: the block is copied only
	 * when pointed to */
	if (asprintf(&g_shared, "shared and %s", "lazy") < 0)
		abort();
	struct node *prev = NULL;
	for (long i = 0; i < NODES; i++) {
		struct node *n = calloc(1, sizeof *n);
		n->prev = prev;
		n->label = i % 2 ? "odd" : "even";
		n->out = stdout;
		n->shared = g_shared;
		n->value = i * 3;
		if (prev)
			prev->next = n;
		else
			g_head = n;
		prev = n;
	}
}

void case_dump(FILE *out)
{
	long n = 0, sum = 0, bad = 0;
	struct node *prev = NULL;
	for (struct node *it = g_head; it; prev = it, it = it->next, n++) {
		sum += it->value;
		bad += it->prev != prev || it->out != stdout || it->shared != g_head->shared ||
		       strcmp(it->label, n % 2 ? "odd" : "even") || it->value != n * 3 || it->added;
	}
	fprintf(out, "nodes %ld sum %ld bad %ld shared %s\n", n, sum, bad,
		g_head ? g_head->shared : "-");
}

int main(int argc, char **argv)
{
	return drv_main(argc, argv);
}
