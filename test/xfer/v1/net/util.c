/* v1/net/util.c -- same basename as v1/disk/util.c, same static name: IDs must stay apart. */
static int counter = 11;
static long *pool;

int net_counter(void)
{
	return counter;
}

long net_pool(void)
{
	return pool ? *pool : -1;
}

void net_set_pool(long *p)
{
	pool = p;
}
