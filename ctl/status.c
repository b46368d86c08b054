/* status.c -- `ttst-ctl status [--json] PID`: asks a running process for its STATUS and prints it.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "commands.h"
#include "json.h"
#include "ttst/proto.h"

#define STATUS_TIMEOUT_MS 5000

/* Labels of the STATUS keys for text output, in print order. */
static const struct {
	const char *key, *label;
} fields[] = {
    {"pid", "pid"},
    {"program", "program"},
    {"abi_version", "ABI version"},
    {"modules", "modules"},
    {"tus", "translation units"},
    {"static_objects", "static objects"},
    {"functions", "functions"},
    {"locals", "locals"},
    {"heap_objects_typed", "heap objects, typed"},
    {"heap_bytes_typed", "heap bytes, typed"},
    {"heap_objects_untyped", "heap objects, untyped"},
    {"heap_bytes_untyped", "heap bytes, untyped"},
    {"mmap_regions", "mmap regions"},
    {"mmap_bytes", "mmap bytes"},
    {"threads", "registered threads"},
    {"update_points", "update points reached"},
    {"parked", "parked now"},
    {"last_update", "last update"},
    {"last_update_time", "last update time"},
    {"last_update_ms", "last update duration ms"},
    {"last_update_detail", "last update detail"},
    {"timeout_ms", "update timeout ms"},
    {"park_timeout_ms", "park timeout ms"},
    {"validate", "validation"},
};

static int usage(void)
{
	fprintf(stderr, "usage: ttst-ctl status [--json] PID\n");
	return CTL_EXIT_USAGE;
}

/* Non-zero if v is a non-empty string of decimal digits (with an optional '-'). */
static int is_number(const char *v)
{
	if (*v == '-')
		v++;
	if (!*v || strlen(v) > 18)
		return 0;
	return strspn(v, "0123456789") == strlen(v);
}

static void print_json(const char *text)
{
	struct ctl_json j;
	ctl_json_init(&j, stdout);
	ctl_json_obj(&j, NULL);
	for (const char *l = text; *l;) {
		const char *nl = strchr(l, '\n'), *eq = strchr(l, '=');
		const char *end = nl ? nl : l + strlen(l);
		if (eq && eq < end) {
			char key[64], val[4096];
			snprintf(key, sizeof key, "%.*s", (int)(eq - l), l);
			if (ctl_kv_get(l, key, val, sizeof val)) {
				if (is_number(val))
					ctl_json_int(&j, key, strtoll(val, NULL, 10));
				else
					ctl_json_str(&j, key, val);
			}
		}
		l = nl ? nl + 1 : end;
	}
	ctl_json_obj_end(&j);
	putchar('\n');
}

static void print_text(const char *text)
{
	char val[4096];
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		if (ctl_kv_get(text, fields[i].key, val, sizeof val))
			printf("%-26s %s\n", fields[i].label, val);
}

int cmd_status(int argc, char **argv)
{
	int json = 0;
	const char *arg = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("usage: ttst-ctl status [--json] PID\n"
			       "Prints the program, ABI version, objects, threads and last update "
			       "of a\n"
			       "process built with ttst-cc.  Exit 3 if it is not running or not "
			       "instrumented.\n");
			return CTL_EXIT_OK;
		} else if (!arg)
			arg = argv[i];
		else
			return usage();
	}
	if (!arg)
		return usage();
	pid_t pid = ctl_parse_pid(arg);
	if (pid < 0) {
		fprintf(stderr, "ttst-ctl: status: '%s' is not a process id\n", arg);
		return CTL_EXIT_USAGE;
	}
	char err[512];
	int fd = ctl_client_connect(pid, err, sizeof err);
	if (fd < 0) {
		fprintf(stderr, "ttst-ctl: %s\n", err);
		return CTL_EXIT_UNREACHABLE;
	}
	struct ctl_reply rep;
	int r = ctl_client_request(fd, TTST_MSG_STATUS, NULL, 0, STATUS_TIMEOUT_MS, &rep, err,
				   sizeof err);
	close(fd);
	if (r < 0) {
		fprintf(stderr, "ttst-ctl: pid %d: %s\n", (int)pid, err);
		return CTL_EXIT_UNREACHABLE;
	}
	if (rep.type != TTST_MSG_OK) {
		fprintf(stderr, "ttst-ctl: pid %d: %s\n", (int)pid, rep.text);
		free(rep.text);
		return CTL_EXIT_UNREACHABLE;
	}
	if (json)
		print_json(rep.text);
	else
		print_text(rep.text);
	free(rep.text);
	return CTL_EXIT_OK;
}
