/* rename/v1.c -- e2e case: globals and a member that v2 renames (TTST_RENAME, TTST_RENAME_MEMBER). */
#include "drv.h"

struct config {
	int port;
	int max_clients;
};

const char case_version[] = "v1";
long g_requests;
struct config g_config;
static const char *g_mode;

void case_setup(void)
{
	g_requests = 123456789;
	g_config = (struct config){8080, 77};
	g_mode = "fast";
}

void case_dump(FILE *out)
{
	fprintf(out, "requests=%ld port=%d max=%d mode=%s\n", g_requests, g_config.port,
		g_config.max_clients, g_mode);
}

int main(int argc, char **argv)
{
	return drv_main(argc, argv);
}
