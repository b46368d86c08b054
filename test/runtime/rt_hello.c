/* rt_hello.c -- the smallest program using libttst: prints whether it is re-initialising for an
 * update. */
#include <stdio.h>
#include <ttst.h>

int main(void)
{
	printf("hello updating=%d\n", ttst_is_updating());
	return 0;
}
