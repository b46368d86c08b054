/* a.c -- deepnames corpus case, TU 1: a chain top -> mid -> leaf of
 * structs whose names b.c reuses; only the leaf differs (4 bytes here). */
struct leaf {
	int x; /* 0 */
};             /* size 4 */
struct mid {
	struct leaf *l; /* 0 */
};
struct top {
	struct mid *m; /* 0 */
};

static struct leaf s_leaf = {1};
static struct mid s_mid = {&s_leaf};
static struct top s_top = {&s_mid};
static struct top *root = &s_top;

int a_value(void)
{
	return root->m->l->x;
}
