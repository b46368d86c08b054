/* handle.c -- opaque corpus case: the only definition of struct handle. */
#include "handle.h"

struct handle {
	int id;          /* 0 */
	double weight;   /* 8 */
	char label[8];   /* 16 */
};                       /* size 24 */

size_t handle_size(void)
{
	return sizeof(struct handle);
}

void handle_init(struct handle *h, int id)
{
	h->id = id;
	h->weight = 0.5;
	h->label[0] = 0;
}

int handle_id(const struct handle *h)
{
	return h->id;
}
