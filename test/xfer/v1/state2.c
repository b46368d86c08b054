/* v1/state2.c -- a second translation unit: a file static with the same name as one in state.c. */
static int file_static = 22;
long g_only_v1 = 5;

void state2_setup(void)
{
	file_static++;
	g_only_v1++;
}
