/* alloc_strdup.c -- corpus: strdup / strndup into locals and members. */
#include <stdlib.h>
#include <string.h>

struct user {
	char *name;  /* 0 */
	char *email; /* 8 */
};                   /* size 16 */

int main(void)
{
	char *s = strdup("hello world"); /*@s*/
	if (!s)
		return 1;
	char *t = strndup(s, 5); /*@t*/
	struct user u;
	u.name = strdup(t); /*@name*/
	u.email = strndup("someone@example.org", 7); /*@email*/
	if (!t || !u.name || !u.email)
		return 1;
	int ok = strcmp(t, "hello") == 0 && strcmp(u.name, "hello") == 0 && strcmp(u.email, "someone") == 0;
	free(u.email);
	free(u.name);
	free(t);
	free(s);
	return !ok;
}
