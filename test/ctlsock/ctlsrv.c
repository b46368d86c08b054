/* ctlsrv.c -- an idle program linked with libttst for the control-socket tests: it reaches an
 * update point every 50 ms and ends itself after 60 s.  Prints "ready" once running; with argument
 * "fork" it first forks, and the parent prints "ready child=<pid>" (both then idle the same way).
 */
#include <stdio.h>
#include <string.h>
#include <ttst.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "fork")) {
		pid_t child = fork();
		if (child < 0) {
			perror("fork");
			return 1;
		}
		if (child > 0)
			printf("ready child=%d\n", (int)child);
	} else {
		puts("ready");
	}
	fflush(stdout);
	for (int i = 0; i < 1200; i++) {
		ttst_update_point();
		usleep(50000);
	}
	return 0;
}
