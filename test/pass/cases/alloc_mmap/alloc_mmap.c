/* alloc_mmap.c -- corpus: anonymous mmap into typed and char pointers,
 * partial and full munmap. */
#include <string.h>
#include <sys/mman.h>

struct page {
	char bytes[4096]; /* 0 */
};                        /* size 4096 */

int main(void)
{
	struct page *pg = mmap(NULL, sizeof *pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0); /*@pg*/
	char *region = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0); /*@region*/
	if (pg == MAP_FAILED || region == MAP_FAILED)
		return 1;
	memset(pg->bytes, 'p', sizeof pg->bytes);
	memset(region, 'r', 3 * 4096);
	int ok = pg->bytes[4095] == 'p' && region[3 * 4096 - 1] == 'r';
	if (munmap(region + 4096, 4096) != 0) /*@unmap_mid*/
		return 1;
	region[0] = 'a';
	region[2 * 4096] = 'b';
	ok = ok && region[0] + 1 == region[2 * 4096];
	if (munmap(region, 4096) != 0 || munmap(region + 2 * 4096, 4096) != 0)
		return 1;
	if (munmap(pg, sizeof *pg) != 0) /*@unmap_pg*/
		return 1;
	return !ok;
}
