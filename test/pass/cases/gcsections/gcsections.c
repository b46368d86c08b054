/* gcsections.c -- corpus: built with -ffunction-sections -fdata-sections and
 * linked with --gc-sections: ttst_meta survives, and so do the statics it
 * describes (even unused ones); also compound-literal and string-literal
 * targets of global pointers, a GNU zero-length array, a global in a named
 * section, main with envp. */
#include <string.h>

struct pt {
	int x, y; /* 0, 4 */
};                /* size 8 */

struct zbuf {
	unsigned n; /* 0 */
	char z[0];  /* 4 (GNU zero-length array) */
};                  /* size 4 */

struct pt *g_p = &(struct pt){1, 2};
const char *g_msg = "hello";
int g_unused_global = 42;
static int s_unused_static = 7;
__attribute__((section("my_data"), used)) int g_in_section = 5;
struct zbuf g_zb;

static int unused_function(void)
{
	return s_unused_static;
}

int (*g_keep)(void) = 0;

int main(int argc, char **argv, char **envp)
{
	(void)argv;
	(void)envp;
	if (argc > 99)
		g_keep = unused_function;
	g_p->y += 40;
	return !(g_p->y == 42 && strcmp(g_msg, "hello") == 0 && g_in_section == 5 && g_zb.n == 0);
}
