/* unions.c -- corpus: unions (standalone, inside structs, arrays of tagged
 * unions), union with an array member larger than its widest scalar. */
#include <stddef.h>
#include <string.h>

union val {
	int i;
	double d;
	char *s;
	unsigned char raw[12];
}; /* size 16: 12 rounded up to align 8 */

enum vkind { VK_INT, VK_DBL, VK_STR };

struct tagged {
	enum vkind kind; /* 0 */
	union val v;     /* 8 */
};                       /* size 24 */

union small {
	char c;
	short s;
}; /* size 2 */

struct holder {
	char a;        /* 0 */
	union small u; /* 2 */
	int b;         /* 4 */
};                     /* size 8 */

_Static_assert(sizeof(union val) == 16 && sizeof(struct tagged) == 24, "val");
_Static_assert(offsetof(struct holder, u) == 2 && sizeof(struct holder) == 8, "holder");

struct tagged g_vals[4];
union val g_single;
static struct holder s_holder;

static double as_double(const struct tagged *t)
{
	switch (t->kind) {
	case VK_INT: return t->v.i;
	case VK_DBL: return t->v.d;
	case VK_STR: return (double)strlen(t->v.s);
	}
	return -1;
}

int main(void)
{
	static char text[] = "four";
	g_vals[0] = (struct tagged){VK_INT, {.i = 3}};
	g_vals[1] = (struct tagged){VK_DBL, {.d = 2.5}};
	g_vals[2] = (struct tagged){VK_STR, {.s = text}};
	g_vals[3].kind = VK_INT;
	memset(g_vals[3].v.raw, 0, sizeof g_vals[3].v.raw);
	g_single.d = 1.0;
	s_holder.a = 1;
	s_holder.u.s = 0x0102;
	s_holder.b = 3;
	double sum = 0;
	for (int i = 0; i < 4; i++)
		sum += as_double(&g_vals[i]);
	return !(sum == 9.5 && g_single.raw[7] == 0x3f && s_holder.u.s + s_holder.b == 0x105);
}
