/* staticlocals.c -- corpus: static locals in external and static functions,
 * in a nested block, of anonymous struct type, and the same name in two
 * functions. */
#include <string.h>

int f(void)
{
	static int calls;
	return ++calls;
}

static long g(void)
{
	static long calls = 10;
	calls += 10;
	return calls;
}

int h(int x)
{
	static struct {
		int n;
		int last;
	} st;
	st.n++;
	st.last = x;
	if (x > 1) {
		static char buf[8];
		memcpy(buf, "block", 6);
		return (int)strlen(buf) + st.n;
	}
	return st.n;
}

int main(void)
{
	int a = 0;
	for (int i = 0; i < 3; i++)
		a += f();
	long b = g() + g();
	int c = h(1) + h(2);
	return !(a == 6 && b == 50 && c == 8);
}
