/* rename/v2.c -- e2e case: v1's g_requests is g_request_count, g_config is g_settings (a file
 * static now), and its member max_clients is conn_limit: renamed by annotation. */
#include <ttst.h>

#include "drv.h"

struct config {
	int conn_limit;
	int port;
};

const char case_version[] = "v2";
long g_request_count;
static struct config g_settings;
static const char *g_mode;
TTST_RENAME("g_requests", "g_request_count")
TTST_RENAME("g_config", "case.c:g_settings")
TTST_RENAME_MEMBER("struct config", "max_clients", "conn_limit")

void case_setup(void)
{
	g_request_count = 123456789;
	g_settings = (struct config){77, 8080};
	g_mode = "fast";
}

void case_dump(FILE *out)
{
	fprintf(out, "requests=%ld port=%d max=%d mode=%s\n", g_request_count, g_settings.port,
		g_settings.conn_limit, g_mode);
}

int main(int argc, char **argv)
{
	return drv_main(argc, argv);
}
