/*
 * mutex.h - the robust, process-shared mutexes of a native head (the
 * writers', head.h, and a private share's lock table's): made alike, and
 * taken so that one written over fails with EBADMSG rather than abort
 * the caller (sharelite(7), "Native format").
 */
#ifndef SHARELITE_NATIVE_MUTEX_H
#define SHARELITE_NATIVE_MUTEX_H

#include <pthread.h>
#include <time.h>

/* Make a mutex in the head robust, process-shared and error-checking. */
int sl_native_mutex_init(pthread_mutex_t *m);

/*
 * Take a mutex of the head, waiting until deadline, or when there is none
 * for timeout_ms (-1: no limit; 0: only if it is free). -1 with ETIMEDOUT,
 * or EBADMSG for a mutex written over.
 */
int sl_native_mutex_lock(pthread_mutex_t *m, const struct timespec *deadline, int timeout_ms);

#endif /* SHARELITE_NATIVE_MUTEX_H */
