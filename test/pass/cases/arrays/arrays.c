/* arrays.c -- corpus: arrays of structs (globals, members, 2-D), arrays of
 * pointers to structs, a 2-D int array member. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

struct item {
	char name[12];  /* 0 */
	unsigned qty;   /* 12 */
	double price;   /* 16 */
};                      /* size 24 */

struct inventory {
	int n;                 /* 0 */
	struct item items[4];  /* 8 .. 104 */
	struct item *extra[2]; /* 104 .. 120 */
	int grid[3][5];        /* 120 .. 180 */
};                             /* size 184 */

_Static_assert(sizeof(struct item) == 24, "item");
_Static_assert(offsetof(struct inventory, extra) == 104 && sizeof(struct inventory) == 184, "inv");

struct item g_items[8];
struct item g_matrix[2][3];
static struct inventory inv;

int main(void)
{
	for (int i = 0; i < 8; i++) {
		snprintf(g_items[i].name, sizeof g_items[i].name, "item%d", i);
		g_items[i].qty = (unsigned)i;
		g_items[i].price = i * 1.5;
	}
	for (int r = 0; r < 2; r++)
		for (int c = 0; c < 3; c++)
			g_matrix[r][c] = g_items[r * 3 + c];
	inv.n = 4;
	memcpy(inv.items, g_items, sizeof inv.items);
	inv.extra[0] = &g_matrix[1][2];
	inv.extra[1] = &inv.items[3];
	for (int r = 0; r < 3; r++)
		for (int c = 0; c < 5; c++)
			inv.grid[r][c] = r * 5 + c;
	unsigned total = 0;
	for (int i = 0; i < inv.n; i++)
		total += inv.items[i].qty;
	if (total != 6 || inv.extra[0]->qty != 5 || inv.grid[2][4] != 14)
		return 1;
	return strcmp(inv.extra[1]->name, "item3") != 0;
}
