/* b.c -- deepnames corpus case, TU 2: the same chain with a 16-byte leaf. */
struct leaf {
	double x; /* 0 */
	double y; /* 8 */
};                /* size 16 */
struct mid {
	struct leaf *l; /* 0 */
};
struct top {
	struct mid *m; /* 0 */
};

static struct leaf s_leaf = {2.0, 3.0};
static struct mid s_mid = {&s_leaf};
static struct top s_top = {&s_mid};
static struct top *root = &s_top;

int a_value(void);

int main(void)
{
	return !(a_value() == 1 && root->m->l->y == 3.0);
}
