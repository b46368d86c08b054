/* scalars.c -- corpus: every scalar type of C on x86-64 as struct members
 * (names, kinds, sizes, signedness, alignment of long double / __int128). */
#include <stdatomic.h>
#include <stddef.h>
#include <uchar.h>
#include <wchar.h>

struct scalars {
	_Bool b;                 /* 0 */
	char c;                  /* 1 */
	signed char sc;          /* 2 */
	unsigned char uc;        /* 3 */
	short s;                 /* 4 */
	unsigned short us;       /* 6 */
	int i;                   /* 8 */
	unsigned u;              /* 12 */
	long l;                  /* 16 */
	unsigned long ul;        /* 24 */
	long long ll;            /* 32 */
	unsigned long long ull;  /* 40 */
	float f;                 /* 48 */
	double d;                /* 56 */
	long double ld;          /* 64, 16 bytes, align 16 */
	__int128 i128;           /* 80 */
	unsigned __int128 u128;  /* 96 */
	_Complex double cd;      /* 112, 16 bytes */
	wchar_t wc;              /* 128: int */
	char16_t c16;            /* 132: unsigned short */
	size_t sz;               /* 136: unsigned long */
	ptrdiff_t pd;            /* 144: long */
	_Atomic int ai;          /* 152: int */
	int *volatile vp;        /* 160: int * */
};                               /* size 176 (align 16) */

_Static_assert(offsetof(struct scalars, ld) == 64 && offsetof(struct scalars, cd) == 112, "ld");
_Static_assert(offsetof(struct scalars, vp) == 160 && sizeof(struct scalars) == 176, "size");

struct scalars g_sc;
long double g_ld = 1.5L;
_Complex float g_cf;

int main(void)
{
	g_sc.b = 1;
	g_sc.c = -1;
	g_sc.uc = 255;
	g_sc.ld = g_ld * 2;
	g_sc.i128 = (__int128)1 << 100;
	g_sc.cd = 1.0 + 2.0 * 1.0i;
	atomic_store(&g_sc.ai, 7);
	g_sc.vp = &g_sc.i;
	g_cf = 3.0f;
	return !(g_sc.ld == 3.0L && (g_sc.i128 >> 100) == 1 && atomic_load(&g_sc.ai) == 7 && g_sc.c < 0 &&
		 __imag__ g_sc.cd == 2.0 && g_sc.vp == &g_sc.i);
}
