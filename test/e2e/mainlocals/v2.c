/* mainlocals/v2.c -- e2e case: v1's locals of main, in another order, with the counter widened and
 * the item type grown; the view's pointers to the locals must point to v2's locals. */
#include <stdlib.h>

#include <ttst.h>

#include "drv.h"

struct item {
	struct item *next;
	long extra;
	long v;
};

struct view {
	long *counter;	   /* main's counter */
	struct item **head; /* main's head */
	int *arr;	   /* main's arr */
};

const char case_version[] = "v2";

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
		it->extra = 0;
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
	int arr[6] = {0};
	struct item *head = NULL;
	long counter = 0;
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
