/* drv.h -- the e2e test servers' driver: a TCP server on 127.0.0.1 whose clients ask for a state dump.
 *
 * Every case is a v1/v2 pair of programs built with ttst-cc that link drv.c.  v1 builds its
 * state in case_setup(); both versions print it with case_dump() in a canonical, type-independent
 * text form (values, lengths, sums, invariants such as "node->parent->child == node"), so the
 * test compares v1's dump with the dump v2 computes from the state it received.
 * Protocol, one line each: "dump" -> the dump lines then "END"; "version" -> "VERSION <v>";
 * "quit" closes.  Connections stay open across an update.
 */
#ifndef TTST_E2E_DRV_H
#define TTST_E2E_DRV_H
#include <stdio.h>

/* Defined by each case: builds the state (only in a fresh start, never when re-initialising
 * for an update; the state then comes from the old version). */
void case_setup(void);
/* Defined by each case: writes the state to out, one item per line. */
void case_dump(FILE *out);
/* Defined by each case: the version string ("v1", "v2"). */
extern const char case_version[];

/* Runs the server: listens on 127.0.0.1 (port argv[2] if given, else ephemeral), runs
 * case_setup() unless updating, writes the port to the file argv[1] and serves forever with an
 * update point per round.  Returns 2 on bad usage, 1 if it cannot listen (message on stderr). */
int drv_main(int argc, char **argv);

/* The pieces of drv_main, for cases that keep state in main's locals: drv_open listens and
 * writes the port file (0, or -1 with a message); drv_serve_once waits up to 100 ms and answers
 * what the clients sent, dumping with dump(out, ctx).  Never fails (errors close a client). */
int drv_open(int argc, char **argv);
void drv_serve_once(void (*dump)(FILE *out, void *ctx), void *ctx);
/* The listening socket, and up to max client sockets in conns; returns how many clients. */
int drv_fds(int *lfd, int *conns, int max);
#endif
