/* passdump.c -- validates a raw ttst_meta section dump (meta.c) and prints its records one per
 * line. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ttst/meta.h"

/* Name of type index i of blob h, "-" for TTST_NO_TYPE. */
static const char *tname(const struct ttst_tu_hdr *h, uint32_t i)
{
	const struct ttst_type_rec *t = ttst_meta_type(h, i);
	return t ? ttst_meta_str(h, t->name) : "-";
}

static void dump_types(const struct ttst_tu_hdr *h)
{
	const struct ttst_type_rec *t = ttst_meta_types(h);
	for (uint32_t i = 0; i < h->ntypes; i++) {
		printf("T %s kind=%u size=%" PRIu64 " flags=%#x count=%u hash=%016" PRIx64,
		       tname(h, i), t[i].kind, t[i].size, t[i].flags, t[i].count, t[i].hash);
		if (t[i].kind == TTST_K_POINTER || t[i].kind == TTST_K_ARRAY ||
		    t[i].kind == TTST_K_FUNCTION)
			printf(" ref=%s", tname(h, t[i].ref));
		printf("\n");
		for (uint32_t k = 0; t[i].kind >= TTST_K_STRUCT && k < t[i].count; k++) {
			const struct ttst_member_rec *m = ttst_meta_members(h) + t[i].ref + k;
			printf("M %s .%s @%" PRIu64 ":%u:%u flags=%#x type=%s\n", tname(h, i),
			       ttst_meta_str(h, m->name), m->offset, m->bit_offset, m->bit_size,
			       m->flags, tname(h, m->type));
		}
		for (uint32_t k = 0; t[i].kind == TTST_K_ENUM && k < t[i].count; k++) {
			const struct ttst_enum_rec *e = ttst_meta_enums(h) + t[i].ref + k;
			printf("E %s %s=%" PRId64 "\n", tname(h, i), ttst_meta_str(h, e->name),
			       e->value);
		}
	}
}

/* Prints one blob; fails (returns 1) on two types with the same hash. */
static int dump_blob(const struct ttst_tu_hdr *h, void *arg)
{
	const struct ttst_type_rec *t = ttst_meta_types(h);
	const struct ttst_static_rec *s = ttst_meta_statics(h);
	const struct ttst_site_rec *x = ttst_meta_sites(h);
	(void)arg;
	for (uint32_t i = 0; i < h->ntypes; i++)
		for (uint32_t j = i + 1; j < h->ntypes; j++)
			if (t[i].hash == t[j].hash) {
				fprintf(stderr,
					"passdump: types %u and %u (%s) share hash %016" PRIx64
					"\n",
					i, j, tname(h, i), t[i].hash);
				return 1;
			}
	printf("U %s types=%u statics=%u sites=%u\n", ttst_meta_str(h, h->file), h->ntypes,
	       h->nstatics, h->nsites);
	dump_types(h);
	for (uint32_t i = 0; i < h->nstatics; i++)
		printf("S %s kind=%u name=%s flags=%#x type=%s at=%s:%u\n",
		       ttst_meta_str(h, s[i].id), s[i].kind, ttst_meta_str(h, s[i].name),
		       s[i].flags, tname(h, s[i].type), ttst_meta_str(h, s[i].file), s[i].line);
	for (uint32_t i = 0; i < h->nsites; i++)
		printf("X %s func=%s alloc=%s type=%s flags=%#x size=%u at=%s:%u\n",
		       ttst_meta_str(h, x[i].id), ttst_meta_str(h, x[i].func),
		       ttst_meta_str(h, x[i].allocator), tname(h, x[i].type), x[i].flags,
		       x[i].const_size, ttst_meta_str(h, x[i].file), x[i].line);
	return 0;
}

int main(int argc, char **argv)
{
	char err[256];
	if (argc == 3 && strcmp(argv[1], "--fnv") == 0) { /* the hash in a string literal's ID */
		printf("%016" PRIx64 "\n",
		       ttst_fnv1a(TTST_FNV_OFFSET, argv[2], strlen(argv[2]) + 1));
		return 0;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: passdump SECTION.bin | passdump --fnv TEXT\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "rb");
	if (!f) {
		fprintf(stderr, "passdump: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	static uint64_t buf[1 << 20]; /* 8 MiB, 8-aligned */
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	if (n == 0 || n == sizeof buf) {
		fprintf(stderr, "passdump: %s: empty or larger than 8 MiB\n", argv[1]);
		return 2;
	}
	int rc = ttst_meta_walk(buf, n, dump_blob, NULL, err, sizeof err);
	if (rc < 0)
		fprintf(stderr, "passdump: %s: %s\n", argv[1], err);
	return rc == 0 ? 0 : 1;
}
