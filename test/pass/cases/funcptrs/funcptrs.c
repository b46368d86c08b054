/* funcptrs.c -- corpus: function pointers, tables of them (arrays of
 * pointers, arrays of structs holding pointers), a vtable struct, and which
 * functions count as address-taken. */
#include <stddef.h>
#include <string.h>

typedef int (*op_fn)(int, int);

static int add(int a, int b) { return a + b; }
static int sub(int a, int b) { return a - b; }
int mul(int a, int b) { return a * b; }
static int square(int a) { return a * a; } /* only called directly */

int handler(int code, char *msg)
{
	return code + (int)strlen(msg);
}

struct op {
	const char *name; /* 0 */
	op_fn fn;         /* 8 */
};                        /* size 16 */

struct vtable {
	void (*open)(struct vtable *);                    /* 0 */
	int (*read)(struct vtable *, char *, unsigned long); /* 8 */
	void (*close)(void);                              /* 16 */
	int opened;                                       /* 24 */
};                                                        /* size 32 */

static const struct op ops[] = {{"add", add}, {"sub", sub}, {"mul", mul}};
op_fn g_table[4] = {add, sub, mul, 0};
int (*g_handler)(int, char *) = handler;

static void vt_open(struct vtable *vt) { vt->opened = 1; }
static int vt_read(struct vtable *vt, char *buf, unsigned long n)
{
	memset(buf, 'r', n);
	return vt->opened ? (int)n : -1;
}
static void vt_close(void) {}
struct vtable g_vt = {vt_open, vt_read, vt_close, 0};

int main(void)
{
	char buf[4];
	int acc = 0;
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
		acc += ops[i].fn(6, 3);
	for (int i = 0; g_table[i]; i++)
		acc += g_table[i](2, 1);
	g_vt.open(&g_vt);
	acc += g_vt.read(&g_vt, buf, sizeof buf);
	g_vt.close();
	acc += g_handler(1, "abc") + square(2);
	return acc != 9 + 3 + 18 + 3 + 1 + 2 + 4 + 4 + 4;
}
