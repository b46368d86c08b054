/* ctlsrv.c -- an idle program linked with libttst for the control-socket tests: it reaches an update
 * point every 50 ms and ends itself after 60 s.  Prints "ready" once running. */
#include <stdio.h>
#include <ttst.h>
#include <unistd.h>

int main(void)
{
	puts("ready");
	fflush(stdout);
	for (int i = 0; i < 1200; i++) {
		ttst_update_point();
		usleep(50000);
	}
	return 0;
}
