/* nested.c -- corpus: structs nested by value (three levels, with padding),
 * a named member of anonymous struct type, a self-referential list node. */
#include <stddef.h>
#include <string.h>

struct point {
	short x; /* 0 */
	short y; /* 2 */
};           /* size 4, align 2 */

struct rect {
	struct point tl; /* 0 */
	struct point br; /* 4 */
	char tag;        /* 8 */
};                   /* size 10 (align 2) */

struct shape {
	int id;          /* 0 */
	struct rect box; /* 4 .. 14 */
	double area;     /* 16 */
	struct {
		char c;  /* 0 */
		long l;  /* 8 */
	} extra;         /* 24, size 16 */
};                       /* size 40 */

struct node {
	int v;             /* 0 */
	struct node *next; /* 8 */
	struct shape s;    /* 16 */
};                         /* size 56 */

_Static_assert(sizeof(struct rect) == 10 && offsetof(struct rect, tag) == 8, "rect");
_Static_assert(sizeof(struct shape) == 40 && offsetof(struct shape, extra) == 24, "shape");
_Static_assert(sizeof(struct node) == 56 && offsetof(struct node, s) == 16, "node");

struct shape g_shape;
static struct rect s_rects[3];
static struct node s_nodes[2];
struct node *g_head;

static long area_of(const struct rect *r)
{
	return (long)(r->br.x - r->tl.x) * (r->br.y - r->tl.y);
}

int main(void)
{
	for (int i = 0; i < 3; i++) {
		s_rects[i].tl = (struct point){(short)i, (short)i};
		s_rects[i].br = (struct point){(short)(i + 2), (short)(i + 3)};
		s_rects[i].tag = (char)('a' + i);
	}
	g_shape.id = 7;
	g_shape.box = s_rects[1];
	g_shape.area = (double)area_of(&g_shape.box);
	g_shape.extra.c = 'x';
	g_shape.extra.l = 1234567890L;
	s_nodes[0].v = 1;
	s_nodes[0].next = &s_nodes[1];
	s_nodes[1].v = 2;
	s_nodes[1].s = g_shape;
	g_head = &s_nodes[0];
	long sum = 0;
	for (struct node *n = g_head; n; n = n->next)
		sum += n->v + n->s.id;
	if (sum != 10 || g_shape.area != 6.0 || s_nodes[1].s.box.tag != 'b')
		return 1;
	return memcmp(&s_nodes[1].s.box, &s_rects[1], sizeof(struct rect)) != 0;
}
