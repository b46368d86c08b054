/* bench.c -- the TTST allocator microbenchmark.  Built twice from this file: plainly (glibc) and
 * with ttst-cc (every malloc/free/mmap/munmap below becomes a __ttst_* call with its site, exactly
 * as the pass emits it, in a process running libttst).  run.sh runs both and prints the ratios.
 *
 *   bench alloc PAIRS [SIZE...]  per size (default: 0 to 16 MiB): PAIRS malloc/free pairs in
 *                        batches; prints "malloc SIZE NS" and "free SIZE NS" (ns per call)
 *   bench mmap PAIRS     PAIRS mmap/munmap pairs of 4 pages; prints "mmap BYTES NS", "munmap BYTES
 * NS" bench rss COUNT SIZE holds COUNT objects of SIZE (32 or 64) bytes in a linked list; prints
 *                        "rss SIZE TOTAL_KB GROWTH_KB" (VmRSS after, and its growth) */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

static const size_t sizes[] = {0, 16, 64, 256, 4096, 65536, 1 << 20, 16 << 20};

#define BATCH_MAX 100
static void *slots[BATCH_MAX];

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Keeps the compiler from eliding the allocations. */
static void barrier(void)
{
	__asm__ volatile("" ::: "memory");
}

/* Times pairs malloc/free of size in batches; adds ns to *m and *f. */
static void run_size(size_t size, long pairs, long long *m, long long *f)
{
	int batch = size >= (1 << 20) ? 10 : BATCH_MAX;
	for (long done = 0; done < pairs; done += batch) {
		long long t0 = now_ns();
		for (int i = 0; i < batch; i++)
			slots[i] = malloc(size);
		barrier();
		long long t1 = now_ns();
		for (int i = 0; i < batch; i++)
			free(slots[i]);
		barrier();
		long long t2 = now_ns();
		*m += t1 - t0;
		*f += t2 - t1;
	}
}

static void bench_size(size_t size, long pairs)
{
	long long m = 0, f = 0;
	run_size(size, pairs / 10 + 1, &m, &f); /* warm-up */
	m = f = 0;
	run_size(size, pairs, &m, &f);
	printf("malloc %zu %.2f\nfree %zu %.2f\n", size, (double)m / (double)pairs, size,
	       (double)f / (double)pairs);
}

static void bench_alloc(long pairs, int nsizes, char **list)
{
	if (!nsizes)
		for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++)
			bench_size(sizes[k], pairs);
	for (int k = 0; k < nsizes; k++)
		bench_size((size_t)atol(list[k]), pairs);
}

static void bench_mmap(long pairs)
{
	size_t len = 4 * 4096;
	long long m = 0, u = 0;
	for (long done = 0; done < pairs; done += BATCH_MAX) {
		long long t0 = now_ns();
		for (int i = 0; i < BATCH_MAX; i++)
			slots[i] = mmap(NULL, len, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		long long t1 = now_ns();
		for (int i = 0; i < BATCH_MAX; i++)
			munmap(slots[i], len);
		long long t2 = now_ns();
		m += t1 - t0;
		u += t2 - t1;
	}
	long n = (pairs + BATCH_MAX - 1) / BATCH_MAX * BATCH_MAX;
	printf("mmap %zu %.2f\nmunmap %zu %.2f\n", len, (double)m / (double)n, len,
	       (double)u / (double)n);
}

struct obj32 {
	long a, b, c;
	struct obj32 *next;
};

struct obj64 {
	long a, b, c, d, e, f, g;
	struct obj64 *next;
};

static long vm_rss_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

/* Holds count objects of 32 or 64 bytes, typed (the sites store into typed pointers). */
static void bench_rss(long count, int size)
{
	long before = vm_rss_kb();
	struct obj32 *l32 = NULL;
	struct obj64 *l64 = NULL;
	for (long i = 0; i < count; i++) {
		if (size == 32) {
			struct obj32 *o = malloc(sizeof *o);
			o->a = i;
			o->next = l32;
			l32 = o;
		} else {
			struct obj64 *o = malloc(sizeof *o);
			o->a = i;
			o->next = l64;
			l64 = o;
		}
	}
	long after = vm_rss_kb();
	printf("rss %d %ld %ld\n", size, after, after - before);
	barrier();
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "alloc"))
		bench_alloc(atol(argv[2]), argc - 3, argv + 3);
	else if (argc >= 3 && !strcmp(argv[1], "mmap"))
		bench_mmap(atol(argv[2]));
	else if (argc >= 4 && !strcmp(argv[1], "rss") &&
		 (atoi(argv[3]) == 32 || atoi(argv[3]) == 64))
		bench_rss(atol(argv[2]), atoi(argv[3]));
	else {
		fprintf(stderr,
			"usage: bench alloc PAIRS [SIZE...] | mmap PAIRS | rss COUNT 32|64\n");
		return 2;
	}
	return 0;
}
