/* mainlocals/v1.c -- e2e case: state in the locals of main (a counter, a heap list head, an array,
 * a pointer to another local), live on the stack across the update point. */
#include <stdlib.h>

#include <ttst.h>

#include "drv.h"

struct item {
	int v;
	struct item *next;
};

struct view {
	long *counter;	   /* main's counter */
	struct item **head; /* main's head */
	int *arr;	   /* main's arr */
};

const char case_version[] = "v1";

/* Unused: main builds its own state. */
void case_setup(void)
{
}

void case_dump(FILE *out)
{
	(void)out;
}

static struct item *build(int n)
{
	struct item *head = NULL;

	for (int i = 0; i < n; i++) {
		struct item *it = malloc(sizeof *it);

		it->v = i * 5 + 1;
		it->next = head;
		head = it;
	}
	return head;
}

static void dump(FILE *out, void *ctx)
{
	struct view *w = ctx;
	long sum = 0, n = 0;

	for (struct item *it = *w->head; it; it = it->next, n++)
		sum += it->v;
	fprintf(out, "counter=%ld items=%ld sum=%ld\n", *w->counter, n, sum);
	for (int i = 0; i < 6; i++)
		fprintf(out, "arr[%d]=%d\n", i, w->arr[i]);
}

int main(int argc, char **argv)
{
	long counter = 0;
	struct item *head = NULL;
	int arr[6] = {0};
	struct view w = {&counter, &head, arr};

	if (!ttst_is_updating()) {
		head = build(40);
		counter = 4242;
		for (int i = 0; i < 6; i++)
			arr[i] = i * i + 3;
	}
	if (drv_open(argc, argv) < 0)
		return 1;
	for (;;) {
		ttst_update_point();
		drv_serve_once(dump, &w);
	}
}
