/* commands.h -- ttst-ctl subcommands (one file each) and the exit codes of DESIGN.md §6. */
#ifndef TTST_CTL_COMMANDS_H
#define TTST_CTL_COMMANDS_H

/* Exit codes shared by every subcommand. */
enum ctl_exit {
	CTL_EXIT_OK = 0,	  /* done (update committed, check passed) */
	CTL_EXIT_FAILED = 1,	  /* rolled back / check failed; the old version still serves */
	CTL_EXIT_USAGE = 2,	  /* bad usage or bad input (file, binary, metadata) */
	CTL_EXIT_UNREACHABLE = 3, /* process unreachable or not instrumented */
};

/* Each command gets argv[0] = its own name and returns an exit code. */

/* ctl/inspect.c: ttst-ctl inspect [--json] BINARY */
int cmd_inspect(int argc, char **argv);
/* ctl/diff.c: ttst-ctl diff [--json] OLD NEW */
int cmd_diff(int argc, char **argv);
/* ctl/status.c: ttst-ctl status [--json] PID */
int cmd_status(int argc, char **argv);
/* ctl/update.c: ttst-ctl update [--json] [--timeout MS] [--no-validate] [--pidfile F] PID
 * [NEW_BINARY [ARGS...]] */
int cmd_update(int argc, char **argv);
/* ctl/update.c: update (check 0) or check (1) after the command's own checks. */
int ctl_update_main(int argc, char **argv, int check);
/* ctl/check.c: ttst-ctl check [--json] [--timeout MS] PID NEW_BINARY [ARGS...] */
int cmd_check(int argc, char **argv);

#endif /* TTST_CTL_COMMANDS_H */
