/*
 * proclock.h - a private native share's explicit locks (share_lock(3)) in
 * its head's table of holders (head.h), with the operations of rwsem.h,
 * so that format.c calls one interface whichever backs the share.
 */
#ifndef SHARELITE_NATIVE_PROCLOCK_H
#define SHARELITE_NATIVE_PROCLOCK_H

#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "head.h"

/* Whether process pid, started at `start` (field 22 of /proc/PID/stat; 0:
 * unknown), is gone: no such process, a zombie, or another process that
 * got its pid since. */
int sl_native_process_gone(pid_t pid, uint64_t start);

/* Make an empty table: its creator is the only process that reaches it. */
int sl_proclock_init(struct native_proclock *t);

/*
 * As sl_rwsem_change(), for the handle `handle` of this process (flags are
 * RWSEM_NONBLOCK and RWSEM_RESTART). `removed` is the head's word that
 * says the share was removed: a waiter fails with EIDRM once it is set.
 * Errors: EWOULDBLOCK, ETIMEDOUT, EINTR, EIDRM, ERANGE (the table is
 * full of live holders of LOCK_SH, as a semaphore at its maximum),
 * EBADMSG (a table written over).
 */
int sl_proclock_change(struct native_proclock *t, const uint32_t *removed, uint64_t handle,
		       int from, int to, int flags, const struct timespec *deadline, int *held);

/* The live holders of LOCK_SH and of LOCK_EX, for share_stat(). */
int sl_proclock_count(struct native_proclock *t, int *readers, int *writer);

/* Wake every waiter, to find the share removed. */
void sl_proclock_wake(struct native_proclock *t);

#endif /* SHARELITE_NATIVE_PROCLOCK_H */
