/*
 * cleanup.h - every IPC object the benchmark makes is private and listed
 * here, so that exit() and a stopping signal (SIGINT, SIGTERM, SIGHUP,
 * SIGPIPE) leave nothing behind in `ipcs`.
 */
#ifndef BENCH_CLEANUP_H
#define BENCH_CLEANUP_H

#include <signal.h>
#include <stddef.h>

#include "sharelite.h"

/* The stopping signal received, or 0; measurements stop when it is set. */
extern volatile sig_atomic_t bench_signal;

/* Catch the stopping signals and remove everything at exit(). */
void cleanup_install(void);
/* An IPC_PRIVATE share (segment_size 0: the default), removed at exit. */
share_t *cleanup_share_new(size_t segment_size);
/* Remove the share now and forget it. */
void cleanup_share_remove(share_t *share);
/* A private set of three semaphores, like a share's, removed at exit. */
int cleanup_semset_new(void);
/* In a child of the benchmark: die of the stopping signals, and with the
 * parent; remove nothing (a child leaves with _exit). */
void cleanup_in_child(void);
/* Remove everything still listed; then die of the signal if one came. */
void cleanup_all(void);
void cleanup_and_reraise(void);

#endif /* BENCH_CLEANUP_H */
