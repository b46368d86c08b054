/* vla.c -- corpus: a variable-length array among main's locals (its size
 * is only known at run time); the other locals must be unaffected. */
#include <string.h>

int main(int argc, char **argv)
{
	(void)argv;
	int n = argc + 3;
	int vla[n];
	long fixed[2] = {1, 2};
	for (int i = 0; i < n; i++)
		vla[i] = i * i;
	memset(fixed, 0, sizeof fixed);
	return !(vla[n - 1] == 9 && fixed[1] == 0);
}
