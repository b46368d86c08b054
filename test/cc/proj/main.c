/* main.c -- the ttst-cc build test program: counts words in a bounded loop with an update point. */
#include <stdio.h>
#include <string.h>
#include <ttst.h>
#include <unistd.h>

#include "util.h"

struct counter *g_counters; /* a global, recorded by the pass */

/* With argument "hold": after the run, stays at an update point for up to 30 s
 * (the test reads ttst-ctl status, then kills it by pid). */
int main(int argc, char **argv)
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
	fflush(stdout);
	for (int i = 0; argc > 1 && !strcmp(argv[1], "hold") && i < 300; i++) {
		ttst_update_point();
		usleep(100000);
	}
	return 0;
}
