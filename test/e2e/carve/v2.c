/* carve/v2.c -- the same program with a new member (zero after the update: its counterparts
 * need zeroing) and 30,000 records of 0..1,024 data bytes and 300 of 1,100..40,000 (over 4 MB):
 * v2's counterparts are carved from blocks taken from glibc ahead (runtime/xfer_heap.c).  Every
 * dump first churns the heap without changing the state (each third record freed and replaced by
 * an equal new one, each fifth grown by realloc and shrunk back, malloc_trim), so in v2 glibc's
 * free, realloc and trim run over the carved chunks and would abort on a bad chunk header. */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drv.h"

#define SMALL 30000
#define LARGE 300
#define RECS (SMALL + LARGE)

struct rec {
	struct rec *next; /* the list in index order */
	uint32_t len, seed;
	uint64_t added; /* new in v2 */
	unsigned char data[];
};

const char case_version[] = "v2";
static struct rec *g_recs[RECS];

static uint32_t rec_len(uint32_t i)
{
	return i < SMALL ? (i * 37) % 1025 : 1100 + ((i - SMALL) * 4099) % 38900;
}

static struct rec *rec_new(uint32_t i)
{
	uint32_t len = rec_len(i);
	struct rec *r = malloc(sizeof *r + len);
	if (!r)
		abort();
	r->len = len;
	r->seed = i * 2654435761u;
	r->added = 0;
	for (uint32_t k = 0; k < len; k++)
		r->data[k] = (unsigned char)(r->seed >> (k % 24)) ^ (unsigned char)k;
	return r;
}

static void relink(void)
{
	for (uint32_t i = 0; i < RECS; i++)
		g_recs[i]->next = i + 1 < RECS ? g_recs[i + 1] : NULL;
}

void case_setup(void)
{
	for (uint32_t i = 0; i < RECS; i++)
		g_recs[i] = rec_new(i);
	relink();
}

static void churn(void)
{
	for (uint32_t i = 0; i < RECS; i += 3) {
		free(g_recs[i]);
		g_recs[i] = rec_new(i);
	}
	for (uint32_t i = 1; i < RECS; i += 5) {
		size_t n = sizeof(struct rec) + g_recs[i]->len;
		struct rec *r = realloc(g_recs[i], n + 4096);
		if (!r || !(r = realloc(r, n)))
			abort();
		g_recs[i] = r;
	}
	relink();
	malloc_trim(0);
}

void case_dump(FILE *out)
{
	churn();
	uint64_t bytes = 0, sum = 0;
	long n = 0, bad = 0;
	for (struct rec *r = g_recs[0]; r; r = r->next, n++) {
		bad += r->added != 0 || r->len != rec_len((uint32_t)n) ||
		       r->seed != (uint32_t)n * 2654435761u;
		for (uint32_t k = 0; k < r->len && k < rec_len((uint32_t)n); k++) {
			bad += r->data[k] != ((unsigned char)(r->seed >> (k % 24)) ^ (unsigned char)k);
			sum += r->data[k];
		}
		bytes += r->len;
	}
	fprintf(out, "records %ld bytes %llu sum %llu bad %ld\n", n, (unsigned long long)bytes,
		(unsigned long long)sum, bad);
}

int main(int argc, char **argv)
{
	return drv_main(argc, argv);
}
