/* localtypes.c -- corpus: structs that DWARF describes although no global,
 * allocation site or local of main uses them: a local of an ordinary
 * function, a parameter type, a type behind a void * callback argument, a
 * va_list local.  inspect must still list their exact layouts. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct only_local {
	int n;      /* 0 */
	long total; /* 8 */
};                  /* size 16 */

struct only_param {
	short a;  /* 0 */
	double b; /* 8 */
	char c;   /* 16 */
};                /* size 24 */

struct cb_arg {
	unsigned hits; /* 0 */
	char last[12]; /* 4 */
};                     /* size 16 */

static long sum_to(int n)
{
	struct only_local acc = {0, 0};
	for (acc.n = 0; acc.n <= n; acc.n++)
		acc.total += acc.n;
	return acc.total;
}

static double weigh(const struct only_param *p)
{
	return p->a + p->b + p->c;
}

static void visit(const char *word, void *arg)
{
	struct cb_arg *a = arg;
	a->hits++;
	snprintf(a->last, sizeof a->last, "%s", word);
}

static void each_word(void (*fn)(const char *, void *), void *arg, ...)
{
	va_list ap;
	va_start(ap, arg);
	for (const char *w = va_arg(ap, const char *); w; w = va_arg(ap, const char *))
		fn(w, arg);
	va_end(ap);
}

static int run(void)
{
	struct only_param p = {1, 2.5, 3};
	struct cb_arg counter = {0, ""};
	each_word(visit, &counter, "alpha", "beta", "gamma", (const char *)NULL);
	return sum_to(4) == 10 && weigh(&p) == 6.5 && counter.hits == 3 && strcmp(counter.last, "gamma") == 0;
}

int main(void)
{
	return !run();
}
