/* fptr/v2.c -- e2e case: v1's handlers at other addresses (a new function before them, a row
 * appended to the table, the job struct reordered): function pointers map by name. */
#include <stdlib.h>

#include "drv.h"

typedef long (*op_fn)(long a, long b);

struct op {
	const char *name;
	op_fn fn;
};

struct job {
	long a, b;
	const struct op *op; /* a row of g_ops */
	int flags;
	op_fn fn;
};

const char case_version[] = "v2";
static long op_div(long a, long b) { return b ? a / b : 0; }
static long op_add(long a, long b) { return a + b; }
static long op_mul(long a, long b) { return a * b; }
static long op_sub(long a, long b) { return a - b; }
static const struct op g_ops[] = {{"add", op_add}, {"mul", op_mul}, {"sub", op_sub}, {"div", op_div}};
static struct job *g_jobs[9];
static op_fn g_default = op_mul;

void case_setup(void)
{
	for (int i = 0; i < 9; i++) {
		struct job *j = malloc(sizeof *j);

		j->op = &g_ops[i % 3];
		j->fn = g_ops[(i + 1) % 3].fn;
		j->a = i + 10;
		j->b = i + 3;
		g_jobs[i] = j;
	}
}

void case_dump(FILE *out)
{
	for (int i = 0; i < 9; i++) {
		struct job *j = g_jobs[i];

		fprintf(out, "job %d: fn=%ld op=%s:%ld row=%ld\n", i, j->fn(j->a, j->b), j->op->name,
			j->op->fn(j->a, j->b), (long)(j->op - g_ops));
	}
	fprintf(out, "default=%ld\n", g_default(6, 7));
}

int main(int argc, char **argv)
{
	return drv_main(argc, argv);
}
