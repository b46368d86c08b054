/* user.c -- corpus tls case: uses the array declared with unknown size. */
extern int g_ext[];
int tls_bump(void);

int main(void)
{
	int a = tls_bump(); /* 1 + 2 + 1 + 4 + 1 */
	int b = tls_bump(); /* 2 + 4 + 3 + 4 + 1 */
	return !(a == 9 && b == 14 && g_ext[2] == 9);
}
