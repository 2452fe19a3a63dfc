/*
 * cleanup.h - every IPC object the benchmark makes is private and listed
 * here, as is its one temporary directory (the LMDB environment's), so that
 * exit() and a stopping signal (SIGINT, SIGTERM, SIGHUP, SIGPIPE) leave
 * nothing behind in `ipcs` or on the file system.
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
/* An IPC_PRIVATE share (segment_size 0: the default) in the format that
 * flags names (0, or SHARE_NATIVE), removed at exit. */
share_t *cleanup_share_new(size_t segment_size, int flags);
/* Remove the share now and forget it. */
void cleanup_share_remove(share_t *share);
/* A private set of three semaphores, like a share's, removed at exit. */
int cleanup_semset_new(void);
/* A new directory of mode 0700 under parent, removed with the files in it
 * at exit; NULL with errno. One at a time. */
const char *cleanup_dir_new(const char *parent);
/* Remove the directory and its files now and forget it. */
void cleanup_dir_remove(void);
/* In a child of the benchmark: die of the stopping signals, and with the
 * parent; remove nothing (a child leaves with _exit). */
void cleanup_in_child(void);
/* Remove everything still listed; then die of the signal if one came. */
void cleanup_all(void);
void cleanup_and_reraise(void);

#endif /* BENCH_CLEANUP_H */
