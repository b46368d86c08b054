/* smoke.c -- pass smoke test program: each construct below is checked by passsmoke.sh. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <ttst.h>

struct item {
	struct item *next;
	long v;
};

union value {
	long i;
	char *s;
	struct item *items;
	double *vec;
};

struct slot {
	int kind;
	union value val;
};

struct pair {
	int a, b;
};

static struct pair *g_lit = &(struct pair){1, 2};
static int *g_ints = (int[]){1, 2, 3};
IXFER(long) g_raw;
const char *g_greeting = "hello";
struct item *g_items;

/* Same-file wrapper: returns fresh memory or NULL. */
static struct item *get_item(int fresh)
{
	struct item *it = fresh ? malloc(sizeof *it) : NULL;
	return it;
}

/* Lookup-or-create: may return existing memory, so it is no wrapper. */
static struct item *find_item(void)
{
	if (!g_items)
		g_items = calloc(1, sizeof *g_items);
	return g_items;
}

static int sum(struct slot *a)
{
	a[0].val.items = malloc(sizeof(struct item)); /* union member chosen by its uses */
	a[0].val.items->next = NULL;
	a[0].val.items->v = 5;
	a[1].val.vec = calloc(4, sizeof(double));
	a[1].val.vec[3] = 0.5;
	get_item(1)->v = 7; /* wrapper result without a destination */
	find_item()->v = 1;
	int r = (int)(a[0].val.items->v + a[1].val.vec[3] * 2);
	free(a[0].val.items);
	free(a[1].val.vec);
	return r;
}

TTST_STATEFUL int serve(int rounds)
{
	int handled = 0;
	for (int i = 0; i < rounds; i++)
		handled += i;
	return handled;
}

/* One call to every other allocation function: the link test then proves
 * that the runtime defines each __ttst_* entry point the pass calls. */
static int every_allocator(void)
{
	long *v = malloc(2 * sizeof *v);
	long *w = realloc(v, 4 * sizeof *v);
	long *x = reallocarray(w, 8, sizeof *w);
	char *s = strndup("abcdef", 3);
	void *p = NULL;
	int rc = posix_memalign(&p, 64, 128);
	double *d = aligned_alloc(64, 8 * sizeof *d);
	char *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int ok = x && s && strlen(s) == 3 && rc == 0 && p && d && m != MAP_FAILED;
	if (m != MAP_FAILED)
		munmap(m, 4096);
	free(d);
	free(p);
	free(s);
	free(x);
	return ok;
}

int main(int argc, char **argv)
{
	struct slot *slots = calloc(2, sizeof *slots);
	char *copy = strdup(g_greeting);
	int r = sum(slots) + serve(3) + g_lit->b + g_ints[2];
	(void)argv;
	g_raw = argc;
	free(copy);
	free(slots);
	return r == 6 + 3 + 2 + 3 && every_allocator() ? 0 : 1;
}
