/* memcpy.c -- eval/update baseline: copies BYTES bytes held in OBJECTS separately malloc'ed objects
 * of (nearly) equal size into as many destination objects, and prints the best time of REPS runs
 * in microseconds: the floor a state transfer of that many objects and bytes is compared with.
 * usage: update-memcpy OBJECTS BYTES [REPS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* Allocates n blocks of the sizes in size[] (filled with a pattern if fill); NULL on failure. */
static char **alloc_all(size_t n, const size_t *size, int fill)
{
	char **v = calloc(n, sizeof(*v));

	for (size_t i = 0; v && i < n; i++) {
		v[i] = malloc(size[i] ? size[i] : 1);
		if (!v[i])
			return NULL; /* the process exits right after: nothing to free */
		if (fill)
			memset(v[i], (int)(i & 0xff), size[i]);
	}
	return v;
}

int main(int argc, char **argv)
{
	size_t n, bytes, *size, sum = 0;
	char **src, **dst;
	double best = -1;
	int reps;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: update-memcpy OBJECTS BYTES [REPS]\n");
		return 2;
	}
	n = strtoul(argv[1], NULL, 10);
	bytes = strtoul(argv[2], NULL, 10);
	reps = argc == 4 ? atoi(argv[3]) : 3;
	if (!n || reps < 1) {
		fprintf(stderr, "update-memcpy: OBJECTS and REPS must be positive\n");
		return 2;
	}
	size = malloc(n * sizeof(*size));
	if (!size)
		goto oom;
	for (size_t i = 0; i < n; i++)
		size[i] = bytes / n + (i < bytes % n);
	src = alloc_all(n, size, 1);
	dst = alloc_all(n, size, 0);
	if (!src || !dst)
		goto oom;
	for (int r = 0; r < reps; r++) {
		double t0 = now_us(), t;

		for (size_t i = 0; i < n; i++)
			memcpy(dst[i], src[i], size[i]);
		t = now_us() - t0;
		if (best < 0 || t < best)
			best = t;
	}
	for (size_t i = 0; i < n; i += n / 64 + 1)
		sum += (unsigned char)dst[i][0]; /* keeps the copies observable */
	printf("%.1f %zu\n", best, sum);
	return 0;
oom:
	fprintf(stderr, "update-memcpy: out of memory for %zu objects of %zu bytes\n", n, bytes);
	return 1;
}
