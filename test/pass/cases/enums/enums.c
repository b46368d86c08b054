/* enums.c -- corpus: enums (explicit and implicit values, negative values,
 * an enum wider than int, an anonymous enum named by its typedef). */
#include <stddef.h>

enum color { RED, GREEN = 5, BLUE };
enum sign { NEG = -3, ZERO = 0, BIG = 100000 };
enum wide { W_SMALL = 1, W_HUGE = 0x100000000LL }; /* needs 8 bytes */
typedef enum { MODE_A = 10, MODE_B = 20 } mode_kind;

struct pixel {
	enum color c;        /* 0 */
	unsigned char alpha; /* 4 */
	enum sign s;         /* 8 */
	mode_kind m;         /* 12 */
};                           /* size 16 */

_Static_assert(sizeof(struct pixel) == 16 && offsetof(struct pixel, s) == 8, "pixel");
_Static_assert(sizeof(enum wide) == 8, "wide");

enum color g_color = BLUE;
static enum sign s_sign = NEG;
enum wide g_wide = W_HUGE;
struct pixel g_pixels[2];
mode_kind g_mode = MODE_B;

int main(void)
{
	g_pixels[0] = (struct pixel){GREEN, 255, BIG, MODE_A};
	g_pixels[1] = (struct pixel){g_color, 0, s_sign, g_mode};
	long long sum = (long long)g_pixels[0].c + g_pixels[1].c + g_pixels[0].s + g_pixels[1].s;
	if (sum != 5 + 6 + 100000 - 3)
		return 1;
	return !(g_wide == W_HUGE && g_pixels[1].m == MODE_B);
}
