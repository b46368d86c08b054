/* xfer.c -- corpus: IXFER / PXFER transfer annotations on struct members
 * and globals (via #include <ttst.h>), next to unannotated ones. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <ttst.h>

union val {
	long l;
	void *p;
};

struct conn {
	int fd;                  /* 0 */
	PXFER(uintptr_t) peer;   /* 8: an integer holding a pointer */
	IXFER(union val) v;      /* 16: copy bytes */
	IXFER(char *) raw;       /* 24: copy bytes, do not translate */
	void *plain;             /* 32 */
};                               /* size 40 */

_Static_assert(sizeof(struct conn) == 40 && offsetof(struct conn, raw) == 24, "conn");

struct conn g_conns[2];
PXFER(uintptr_t) g_peer;
IXFER(char *) g_raw;

int main(void)
{
	static char text[] = "payload";
	g_conns[0].fd = 4;
	g_conns[0].peer = (uintptr_t)&g_conns[1];
	g_conns[0].v.l = 42;
	g_conns[0].raw = text;
	g_conns[0].plain = &g_conns[0];
	g_conns[1].fd = 5;
	g_peer = g_conns[0].peer;
	g_raw = text;
	struct conn *peer = (struct conn *)g_peer;
	return !(peer->fd == 5 && strcmp(g_conns[0].raw, "payload") == 0 && g_conns[0].v.l == 42);
}
