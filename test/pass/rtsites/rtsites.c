/* rtsites.c -- pass/runtime integration: allocations from typed sites of
 * every allocator kind, a wrapper site, an untyped buffer and an mmap region;
 * after setting them up the program writes the file named by argv[1] and
 * waits at an update point until the file named by argv[2] exists (at most
 * ~10 s), then frees everything and exits 0. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ttst.h>
#include <unistd.h>

struct a {
	long x, y; /* 16 bytes */
};

struct b {
	char c[40]; /* 40 bytes */
};

struct a *g_a[8];
struct b *g_b;
char *g_s;
double *g_d;
struct a *g_wrapped;
struct b *g_al;
void *g_raw;
char *g_map;

static void *xmalloc(size_t n)
{
	void *p = malloc(n);
	if (!p)
		abort();
	return p;
}

static int setup(void)
{
	for (int i = 0; i < 8; i++)
		if (!(g_a[i] = malloc(sizeof *g_a[i]))) /* 8 x 16 typed */
			return -1;
	g_b = calloc(1, sizeof *g_b); /* 40 typed */
	g_s = strdup("hello"); /* 6 typed (char) */
	g_d = malloc(4 * sizeof *g_d);
	if (!g_b || !g_s || !g_d)
		return -1;
	g_d = realloc(g_d, 8 * sizeof *g_d); /* 64 typed, still one object */
	g_wrapped = xmalloc(sizeof *g_wrapped); /* 16, typed by the wrapper site */
	if (!g_d || posix_memalign((void **)&g_al, 64, sizeof *g_al) != 0) /* 40 typed */
		return -1;
	g_raw = malloc(100); /* untyped */
	g_map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return g_raw && g_map != MAP_FAILED ? 0 : -1;
}

int main(int argc, char **argv)
{
	if (argc != 3 || setup() != 0)
		return 2;
	int fd = creat(argv[1], 0600); /* "ready" */
	if (fd < 0)
		return 3;
	close(fd);
	for (int i = 0; i < 1000 && access(argv[2], F_OK) != 0; i++) {
		ttst_update_point();
		usleep(10000);
	}
	munmap(g_map, 4096);
	for (int i = 0; i < 8; i++)
		free(g_a[i]);
	free(g_b);
	free(g_s);
	free(g_d);
	free(g_wrapped);
	free(g_al);
	free(g_raw);
	return 0;
}
