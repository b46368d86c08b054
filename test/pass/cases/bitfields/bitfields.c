/* bitfields.c -- corpus: bitfields (unnamed padding, straddling, :0,
 * 64-bit base type, signed, _Bool) mixed with ordinary members. */
#include <stddef.h>

struct flags {
	unsigned a : 1;            /* bit 0:   byte 0, bit 0 */
	unsigned : 2;              /* padding, bits 1-2 */
	unsigned b : 3;            /* bits 3-5:   byte 0, bit 3 */
	unsigned c : 6;            /* bits 6-11:  byte 0, bit 6 */
	unsigned d : 12;           /* bits 12-23: byte 1, bit 4 */
	unsigned e : 8;            /* bits 24-31: byte 3, bit 0 */
	unsigned f : 5;            /* bits 32-36: byte 4, bit 0 */
	int g;                     /* byte 8 */
	unsigned char h : 3;       /* bit 96: byte 12, bit 0 */
	unsigned char i : 7;       /* 99+7 > 104 straddles: bit 104, byte 13 */
	unsigned : 0;              /* next unsigned unit: bit 128 */
	unsigned long long j : 40; /* bits 128-167: byte 16, bit 0 */
	signed char k : 4;         /* bits 168-171: byte 21, bit 0 */
	short l : 9;               /* 172+9 > 176 straddles: bit 176, byte 22 */
};                                 /* 185 bits, align 8: 24 bytes */

struct hdr {
	unsigned ver : 4;   /* byte 0, bit 0 */
	unsigned ihl : 4;   /* byte 0, bit 4 */
	unsigned char tos;  /* byte 1 */
	unsigned short len; /* byte 2 */
	_Bool on : 1;       /* byte 4, bit 0 */
	int neg : 5;        /* byte 4, bit 1 */
};                          /* size 8 (align 4) */

union ubits {
	unsigned a : 3;  /* byte 0, bit 0 */
	unsigned b : 5;  /* byte 0, bit 0 */
	unsigned short w;
};                       /* size 4 (align of unsigned) */

struct wide {
	unsigned long long lo : 60; /* bits 0-59 */
	unsigned long long hi : 10; /* 60+10 > 64 straddles: bit 64, byte 8 */
	enum { WA, WB, WC } e : 2;  /* bits 74-75: byte 9, bit 2 */
};                                  /* size 16 */

_Static_assert(sizeof(struct flags) == 24 && offsetof(struct flags, g) == 8, "flags");
_Static_assert(sizeof(struct hdr) == 8 && offsetof(struct hdr, len) == 2, "hdr");

struct flags g_flags;
struct hdr g_hdrs[2];
union ubits g_ubits;
struct wide g_wide;

int main(void)
{
	g_flags.a = 1;
	g_flags.b = 5;
	g_flags.c = 63;
	g_flags.d = 4095;
	g_flags.e = 200;
	g_flags.f = 17;
	g_flags.g = -9;
	g_flags.h = 6;
	g_flags.i = 100;
	g_flags.j = 0xABCDEF1234ULL;
	g_flags.k = -3;
	g_flags.l = -200;
	g_hdrs[1].ver = 4;
	g_hdrs[1].ihl = 5;
	g_hdrs[1].tos = 0x10;
	g_hdrs[1].len = 1500;
	g_hdrs[1].on = 1;
	g_hdrs[1].neg = -16;
	g_ubits.b = 17;
	g_wide.lo = 1ULL << 59;
	g_wide.hi = 1000;
	g_wide.e = WC;
	if (g_ubits.a != 1 || g_wide.hi != 1000 || g_wide.e != WC || g_wide.lo >> 59 != 1)
		return 1;
	const unsigned char *raw = (const unsigned char *)&g_hdrs[1];
	if (raw[0] != 0x54 || raw[1] != 0x10)
		return 1;
	if (g_flags.a + g_flags.b + g_flags.c + g_flags.d + g_flags.e + g_flags.f != 4381)
		return 1;
	if (g_flags.k != -3 || g_flags.l != -200 || g_flags.j != 0xABCDEF1234ULL || g_flags.i != 100)
		return 1;
	return !(g_hdrs[1].neg == -16 && g_hdrs[1].on && g_flags.g == -9);
}
