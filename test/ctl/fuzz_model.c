/* fuzz_model.c -- mutation test: randomly corrupted, re-checksummed fixture blobs either fail
 * validation or build a model that renders without a memory error (built with ASan/UBSan). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture_blob.h"
#include "inspect.h"
#include "model.h"
#include "ttst/meta.h"

#define HDR ((size_t)sizeof(struct ttst_tu_hdr))

/* A small deterministic PRNG (xorshift64), so failures reproduce. */
static uint64_t rnd(void)
{
	static uint64_t s = 0x9e3779b97f4a7c15ull;
	s ^= s << 13;
	s ^= s >> 7;
	s ^= s << 17;
	return s;
}

/* Corrupts 1..4 bytes of blob copy p (header fields before the checksum, or
 * records and strings), then re-seals it when its layout allows. */
static void mutate(unsigned char *p, size_t n, uint32_t off_addrs)
{
	int k = 1 + (int)(rnd() % 4);
	for (int j = 0; j < k; j++) {
		size_t at = rnd() % 4 == 0 ? rnd() % 88 : HDR + rnd() % (off_addrs - HDR);
		if (rnd() % 2)
			p[at] ^= (unsigned char)(1u << (rnd() % 8));
		else
			p[at] = rnd() % 3 == 0 ? 0xff : (unsigned char)rnd();
	}
	const struct ttst_tu_hdr *h = (const void *)p;
	if (h->off_addrs >= HDR && h->off_addrs <= n)
		fixture_blob_reseal(p);
}

int main(int argc, char **argv)
{
	static unsigned char a[16384] __attribute__((aligned(8)));
	long iters = argc > 1 ? atol(argv[1]) : 20000, valid = 0;
	size_t n = fixture_blob_build(FIXTURE_A, a, sizeof(a));
	uint32_t off_addrs = ((const struct ttst_tu_hdr *)a)->off_addrs;
	FILE *null = fopen("/dev/null", "w");
	if (!n || !null)
		return 1;
	for (long it = 0; it < iters; it++) {
		char err[256], *sec = malloc(n);
		if (!sec)
			return 1;
		memcpy(sec, a, n);
		mutate((unsigned char *)sec, n, off_addrs);
		struct ctl_model *m = ctl_model_build(sec, n, err, sizeof(err)); /* owns sec */
		if (!m)
			continue;
		valid++;
		if (ctl_inspect_json(m, "fuzz", null) || ctl_inspect_text(m, "fuzz", null))
			return 1;
		ctl_model_free(m);
	}
	printf("%ld of %ld mutated blobs passed validation and rendered\n", valid, iters);
	return valid > 0 && valid < iters ? 0 : 1; /* both paths must have been exercised */
}
