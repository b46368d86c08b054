/* init.c -- libttst start-up and shutdown: options, park signal, main thread, fork handlers,
 * control thread. */
#define _GNU_SOURCE
#include <pthread.h>

#include "control.h"
#include "log.h"
#include "options.h"
#include "quiesce.h"
#include "regions.h"
#include "sites.h"
#include "slots.h"
#include "threads.h"
#include "tls.h"
#include "update.h"

/* Fork: take every runtime lock in one order so that the child never
 * inherits one held by a thread that does not exist there. */
static void fork_prepare(void)
{
	ttst_threads_fork_prepare();
	ttst_site_fork_prepare();
	ttst_regions_fork_prepare();
	ttst_tls_fork_prepare();
	ttst_slot_fork_prepare();
}

static void fork_parent(void)
{
	ttst_slot_fork_parent();
	ttst_tls_fork_parent();
	ttst_regions_fork_parent();
	ttst_site_fork_parent();
	ttst_threads_fork_parent();
}

static void fork_child(void)
{
	ttst_slot_fork_child();
	ttst_tls_fork_child();
	ttst_regions_fork_child();
	ttst_site_fork_child();
	ttst_threads_fork_child();
	ttst_quiesce_fork_child();
	ttst_update_fork_child();
	ttst_control_fork_child();
}

__attribute__((constructor)) static void ttst_init(void)
{
	ttst_options_init();
	ttst_log_init(ttst_opts.log_level, ttst_opts.trace_file);
	ttst_intercept_init(); /* the park signal, before any thread can block in accept/read */
	ttst_threads_register_main();
	pthread_atfork(fork_prepare, fork_parent, fork_child);
	ttst_update_v2_init(); /* a new version started by a live update? */
	ttst_control_start();
}

__attribute__((destructor)) static void ttst_fini(void)
{
	ttst_control_stop();
}
