/* v2/disk/util.c -- same basename as v2/net/util.c, same static name: IDs must stay apart. */
static int counter = 0;
static long *pool;

int disk_counter(void)
{
	return counter;
}

long disk_pool(void)
{
	return pool ? *pool : -1;
}

void disk_set_pool(long *p)
{
	pool = p;
}
