/*
 * mutex.h - the robust, process-shared mutexes of a native head (the
 * writers', head.h, and a private share's lock table's): made alike, and
 * taken so that one written over fails with EBADMSG rather than crash or
 * hang the caller (sharelite(7), "Native format").
 */
#ifndef SHARELITE_NATIVE_MUTEX_H
#define SHARELITE_NATIVE_MUTEX_H

#include <pthread.h>
#include <time.h>

/*
 * While a taker waits, it looks every SL_NATIVE_OWNER_SLICE_MS at the
 * owner the mutex names; once that owner has been missing from this PID
 * namespace, the mutex unchanged, for SL_NATIVE_OWNER_GONE_MS, the mutex
 * was written over (mutex.c says why that long).
 */
#define SL_NATIVE_OWNER_SLICE_MS 250
#define SL_NATIVE_OWNER_GONE_MS 10000

/* Make a mutex in the head robust, process-shared and error-checking. */
int sl_native_mutex_init(pthread_mutex_t *m);

/*
 * Take a mutex of the head, waiting until deadline, or when there is none
 * for timeout_ms (-1: no limit; 0: only if it is free). -1 with ETIMEDOUT,
 * or EBADMSG for a mutex written over: of another kind, or one whose
 * owner is missing for SL_NATIVE_OWNER_GONE_MS.
 */
int sl_native_mutex_lock(pthread_mutex_t *m, const struct timespec *deadline, int timeout_ms);

#endif /* SHARELITE_NATIVE_MUTEX_H */
