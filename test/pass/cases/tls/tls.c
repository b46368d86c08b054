/* tls.c -- corpus: thread-local variables, const globals, an array defined
 * here and declared with unknown size in user.c, a sig_atomic_t flag. */
#include <signal.h>

_Thread_local int t_counter;
static _Thread_local struct tstate {
	int a;  /* 0 */
	long b; /* 8 */
} t_state;
const int g_table[4] = {1, 2, 3, 4};
static const char *const s_names[] = {"zero", "one", "two"};
int g_ext[3] = {7, 8, 9};
volatile sig_atomic_t g_flag;
char g_buf[100];

int tls_bump(void)
{
	t_counter++;
	t_state.a += 2;
	t_state.b += t_counter;
	g_flag = 1;
	g_buf[99] = 'z';
	return t_counter + t_state.a + (int)t_state.b + g_table[3] + (s_names[2][0] == 't');
}
