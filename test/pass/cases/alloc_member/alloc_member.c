/* alloc_member.c -- corpus: allocations stored into struct members through
 * a local pointer, a nested member, and a member of a struct local. */
#include <stdlib.h>
#include <string.h>

struct buf {
	size_t len; /* 0 */
	char *data; /* 8 */
};                  /* size 16 */

struct session {
	int id;               /* 0 */
	struct buf *in;       /* 8 */
	struct buf *out;      /* 16 */
	struct session *next; /* 24 */
	double *stats;        /* 32 */
};                            /* size 40 */

int main(void)
{
	struct session *s = malloc(sizeof *s); /*@s*/
	if (!s)
		return 1;
	s->in = malloc(sizeof *s->in); /*@in*/
	s->out = malloc(sizeof(struct buf)); /*@out*/
	s->next = malloc(sizeof(struct session)); /*@next*/
	s->stats = calloc(4, sizeof(double)); /*@stats*/
	if (!s->in || !s->out || !s->next || !s->stats)
		return 1;
	s->in->data = malloc(64); /*@data*/
	if (!s->in->data)
		return 1;
	strcpy(s->in->data, "request");
	s->in->len = strlen(s->in->data);
	s->out->len = 0;
	s->out->data = NULL;
	s->next->next = NULL;
	s->stats[3] = 1.5;
	int ok = s->in->len == 7 && s->stats[3] == 1.5 && s->stats[0] == 0.0;
	free(s->in->data);
	free(s->in);
	free(s->out);
	free(s->next);
	free(s->stats);
	free(s);
	return !ok;
}
