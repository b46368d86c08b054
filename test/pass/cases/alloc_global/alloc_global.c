/* alloc_global.c -- corpus: allocations stored into globals and file
 * statics, and into a member of a struct reached through a global. */
#include <stdlib.h>
#include <string.h>

struct config {
	int port;   /* 0 */
	char *host; /* 8 */
};                  /* size 16 */

struct config *g_config;
static struct config *s_backup;
int *g_numbers;

void init(void)
{
	g_config = malloc(sizeof *g_config); /*@init*/
}

int main(void)
{
	init();
	if (!g_config)
		return 1;
	s_backup = malloc(sizeof(struct config)); /*@backup*/
	g_numbers = calloc(10, sizeof(int)); /*@numbers*/
	if (!s_backup || !g_numbers)
		return 1;
	g_config->port = 8080;
	g_config->host = strdup("localhost"); /*@host*/
	if (!g_config->host)
		return 1;
	*s_backup = *g_config;
	for (int i = 0; i < 10; i++)
		g_numbers[i] = i;
	int ok = s_backup->port == 8080 && strcmp(s_backup->host, "localhost") == 0 && g_numbers[9] == 9;
	free(g_config->host);
	free(g_config);
	free(s_backup);
	free(g_numbers);
	return !ok;
}
