/* log.h -- the runtime's messages: "ttst: " on stderr, filtered by log_level, all copied to
 * trace_file. */
#ifndef TTST_RT_LOG_H
#define TTST_RT_LOG_H

enum ttst_log_level {
	TTST_LOG_ERROR = 0,
	TTST_LOG_WARN = 1,
	TTST_LOG_INFO = 2,
	TTST_LOG_DEBUG = 3,
};

/* Sets the stderr threshold and opens the trace file (path may be "" for none).
 * Returns 0, or -1 if the trace file cannot be opened (reported on stderr). */
int ttst_log_init(int level, const char *trace_path);

/* Formats one message, prefixes it with "ttst: " and writes it with a single
 * write(2) to stderr (if level <= the threshold) and to the trace file.  Never
 * allocates; long messages are truncated.  Safe in any thread. */
void ttst_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Writes a message to the trace file only (no-op without trace_file). */
void ttst_trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The trace file's descriptor, -1 without trace_file (a live update must
 * not hand it to the new version). */
int ttst_log_trace_fd(void);

/* Closes the trace file descriptor (used in a forked child that must not share it). */
void ttst_log_fini(void);

#define ttst_err(...) ttst_log(TTST_LOG_ERROR, __VA_ARGS__)
#define ttst_warn(...) ttst_log(TTST_LOG_WARN, __VA_ARGS__)
#define ttst_info(...) ttst_log(TTST_LOG_INFO, __VA_ARGS__)
#define ttst_debug(...) ttst_log(TTST_LOG_DEBUG, __VA_ARGS__)

#endif /* TTST_RT_LOG_H */
