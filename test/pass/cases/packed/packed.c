/* packed.c -- corpus: packed structs (misaligned members, packed
 * bitfields), an over-aligned member, a packed struct nested in another. */
#include <stddef.h>
#include <string.h>

struct __attribute__((packed)) wire {
	unsigned char tag;     /* 0 */
	unsigned int len;      /* 1 */
	unsigned short port;   /* 5 */
	unsigned long long id; /* 7 */
	unsigned flags : 3;    /* bits 120-122: byte 15, bit 0 */
	unsigned kind : 7;     /* bits 123-129: byte 15, bit 3 */
};                             /* 130 bits: 17 bytes */

struct aligned16 {
	char c;                           /* 0 */
	int x __attribute__((aligned(16))); /* 16 */
};                                    /* size 32 */

struct __attribute__((packed)) outer {
	char a;        /* 0 */
	struct wire w; /* 1 */
	short b;       /* 18 */
};                     /* size 20 */

_Static_assert(sizeof(struct wire) == 17 && offsetof(struct wire, id) == 7, "wire");
_Static_assert(sizeof(struct aligned16) == 32 && offsetof(struct aligned16, x) == 16, "a16");
_Static_assert(sizeof(struct outer) == 20 && offsetof(struct outer, b) == 18, "outer");

struct wire g_wire;
struct aligned16 g_a16[2];
struct outer g_outer;

int main(void)
{
	g_wire.tag = 1;
	g_wire.len = 0x01020304;
	g_wire.port = 80;
	g_wire.id = 0x1122334455667788ULL;
	g_wire.flags = 5;
	g_wire.kind = 100;
	g_outer.w = g_wire;
	g_outer.b = -2;
	g_a16[1].x = 3;
	unsigned char raw[17];
	memcpy(raw, &g_wire, sizeof raw);
	return !(raw[1] == 4 && raw[7] == 0x88 && raw[15] == (5 | (100 & 31) << 3) && raw[16] == (100 >> 5) &&
		 g_outer.w.kind == 100 && g_outer.b == -2 && g_a16[1].x == 3);
}
