/* v1/disk/util.c -- same basename as v1/net/util.c, same static name: IDs must stay apart. */
static int counter = 22;
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
