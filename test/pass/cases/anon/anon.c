/* anon.c -- corpus: anonymous struct/union members (C11), named members of
 * anonymous type, nesting of anonymous members, a variable of anonymous
 * struct type. */
#include <stddef.h>
#include <string.h>

struct conn {
	int fd; /* 0 */
	union {
		int ival;
		float fval;
	}; /* anonymous member 0: offset 4, size 4 */
	struct {
		short port;
		short flags;
	}; /* anonymous member 1: offset 8, size 4 */
	struct {
		char host[16];
	} addr; /* 12, size 16 */
	union {
		long l;
		void *p;
	} u; /* 32, size 8 */
};           /* size 40 */

struct deep {
	int k; /* 0 */
	struct {
		int m; /* 0 */
		union {
			char c;
			int n;
		}; /* 4 */
	};         /* 4, size 8 */
};                 /* size 12 */

_Static_assert(offsetof(struct conn, port) == 8 && offsetof(struct conn, u) == 32, "conn");
_Static_assert(sizeof(struct conn) == 40 && offsetof(struct deep, n) == 8, "deep");

struct conn g_conn;
struct deep g_deep;
struct {
	int a;
	long b;
} g_anon_pair;

int main(void)
{
	g_conn.fd = 3;
	g_conn.ival = 7;
	g_conn.port = 8080;
	g_conn.flags = 1;
	strcpy(g_conn.addr.host, "127.0.0.1");
	g_conn.u.p = &g_conn;
	g_deep.k = 1;
	g_deep.m = 2;
	g_deep.n = 3;
	g_anon_pair.a = 4;
	g_anon_pair.b = 5;
	if (g_conn.u.p != &g_conn || strcmp(g_conn.addr.host, "127.0.0.1") != 0)
		return 1;
	return g_conn.fd + g_conn.ival + g_conn.port + g_deep.k + g_deep.m + g_deep.n + g_anon_pair.a +
		       (int)g_anon_pair.b != 3 + 7 + 8080 + 1 + 2 + 3 + 4 + 5;
}
