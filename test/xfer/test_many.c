/* test_many.c -- the xfer performance test: 1M heap objects of a changed type, timed, then verified. */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "registry.h"
#include "update_image.h"

#include "v2/many.h"
#include "xt_src.h"

/* Generous for a shared 2-core machine; the budget of the whole update is 500 ms. */
#define LIMIT_MS 1500.0

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int verify(void)
{
	unsigned n = 0;
	for (unsigned b = 0; b < NBUCKETS; b++)
		for (struct kv *e = g_table[b]; e; e = e->next, n++) {
			unsigned k;
			memcpy(&k, e->key, sizeof k);
			if (k % NBUCKETS != b || e->val != (long)k || e->hits || e->key[16]) {
				fprintf(stderr, "xfer-many: bad entry in bucket %u: key %u val %ld\n", b, k,
					e->val);
				return -1;
			}
		}
	if (n != NKEYS || g_count != NKEYS) {
		fprintf(stderr, "xfer-many: %u entries (count %u), want %u\n", n, g_count, NKEYS);
		return -1;
	}
	return 0;
}

/* Frees every entry (the counterparts carved on two threads: glibc aborts
 * on a chunk header it does not accept) and gives the free memory back. */
static int free_all(void)
{
	for (unsigned b = 0; b < NBUCKETS; b++)
		for (struct kv *e = g_table[b], *n; e; e = n) {
			n = e->next;
			free(e);
		}
	memset(g_table, 0, sizeof g_table);
	g_count = 0;
	malloc_trim(0);
	struct mallinfo2 mi = mallinfo2();
	if (mi.uordblks > (4u << 20)) {
		fprintf(stderr, "xfer-many: %zu bytes still in use after freeing every entry\n",
			mi.uordblks);
		return -1;
	}
	return 0;
}

static int count_heap(const struct ttst_obj *o, void *arg)
{
	*(size_t *)arg += o->kind == TTST_OBJ_HEAP;
	return 0;
}

/* v2's way after a validated transfer: the run's per-object records are
 * given to the image of this process, whose every heap object must then be
 * in it, sorted. */
static int give_and_build(void *kept)
{
	size_t len = 0, live = 0, heap = 0, unsorted = 0;
	void *recs = ttst_xfer_take_records(kept, &len);
	if (!recs || len < (size_t)NKEYS * sizeof(struct ttst_image_obj)) {
		fprintf(stderr, "xfer-many: the run gave %zu bytes of records\n", len);
		return -1;
	}
	ttst_image_give(recs, len);
	ttst_xfer_free(kept);
	uint64_t size, nobjs;
	char err[512];
	int fd = ttst_image_build(&size, &nobjs, err, sizeof err);
	if (fd < 0) {
		fprintf(stderr, "xfer-many: %s\n", err);
		return -1;
	}
	const char *map = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return -1;
	const struct ttst_image_hdr *h = (const void *)map;
	const struct ttst_image_obj *o = (const void *)(map + h->off_objs);
	for (size_t i = 0; i < nobjs; i++) {
		unsorted += i && o[i].addr < o[i - 1].addr;
		heap += o[i].kind == TTST_OBJ_HEAP;
	}
	munmap((void *)map, size);
	ttst_registry_foreach(count_heap, &live);
	if (unsorted || heap != live || live < NKEYS) {
		fprintf(stderr, "xfer-many: image of %zu heap objects (%zu live), %zu unsorted\n",
			heap, live, unsorted);
		return -1;
	}
	printf("xfer-many: image of %zu heap objects collected in the run's records\n", heap);
	return 0;
}

int xt_many_main(int argc, char **argv)
{
	struct xt t;
	struct ttst_xfer_report rep;
	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: %s V1_PROGRAM [prepare-fit|prepare-short|give]\n", argv[0]);
		return 2;
	}
	double t0 = now_ms();
	if (xt_start(&t, argv[1], "") < 0)
		return 1;
	/* the per-object records prepared ahead (v1''s way): enough for the run
	 * (taken while the preparing thread may still touch them), or too few
	 * (unmapped, the run maps its own) */
	int give = argc == 3 && !strcmp(argv[2], "give");
	if (argc == 3 && !give)
		ttst_xfer_prepare(strcmp(argv[2], "prepare-short") ? 2ull * NKEYS : NKEYS / 4);
	double t1 = now_ms();
	void *kept = NULL;
	struct ttst_xfer_opts opts = {0};
	opts.keep = give ? &kept : NULL;
	int r = ttst_xfer_run_opts(&t.src, &opts, &rep);
	double t2 = now_ms();
	xt_stop(&t);
	if (r < 0) {
		fprintf(stderr, "xfer-many: transfer failed: %s\n", rep.error);
		return 1;
	}
	printf("xfer-many: %llu objects, %llu MB read, %llu pointers, %llu transforms: "
	       "transfer %.1f ms (setup of the old version %.1f ms)\n",
	       (unsigned long long)rep.objects, (unsigned long long)(rep.bytes >> 20),
	       (unsigned long long)rep.pointers, (unsigned long long)rep.transforms, t2 - t1, t1 - t0);
	if (verify() < 0 || (give && give_and_build(kept) < 0) || free_all() < 0)
		return 1;
	if (t2 - t1 > LIMIT_MS) {
		fprintf(stderr, "xfer-many: transfer took %.1f ms (limit %.0f ms)\n", t2 - t1, LIMIT_MS);
		return 1;
	}
	return 0;
}
