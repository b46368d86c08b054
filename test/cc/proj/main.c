/* main.c -- the ttst-cc build test program: counts words in a bounded loop with an update point. */
#include <stdio.h>
#include <ttst.h>

#include "util.h"

struct counter *g_counters; /* a global, recorded by the pass */

int main(void)
{
	static const char *const words[] = {"get", "put", "get", "del", "get"};
	for (int i = 0; i < 50; i++) {
		ttst_update_point();
		struct counter *c = counter_get(&g_counters, words[i % 5]);
		if (!c)
			return 1;
		c->value++;
	}
	long gets = counter_get(&g_counters, "get")->value;
	counter_free_all(g_counters);
	if (gets != 30 || ttst_is_updating())
		return 1;
	puts("ccproj ok");
	return 0;
}
