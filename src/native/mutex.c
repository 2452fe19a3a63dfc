/*
 * mutex.c - the robust, process-shared mutexes of a native head, and the
 * one way they are taken (mutex.h): a mutex another program wrote over
 * gives EBADMSG, never an abort.
 */
#define _GNU_SOURCE		/* pthread_mutex_clocklock() */
#include <errno.h>

#include "mutex.h"
#include "deadline.h"

int sl_native_mutex_init(pthread_mutex_t *m)
{
	pthread_mutexattr_t attr;
	int rc;

	if (pthread_mutexattr_init(&attr) != 0)
		return -1;
	/* Robust: a holder that dies hands it on with EOWNERDEAD. Error-
	 * checking: a mutex that names this thread as its owner (written
	 * over) fails with EDEADLK rather than hanging. */
	rc = pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	if (rc == 0)
		rc = pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
	if (rc == 0)
		rc = pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
	if (rc == 0)
		rc = pthread_mutex_init(m, &attr);
	pthread_mutexattr_destroy(&attr);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	return 0;
}

#ifdef __GLIBC__
/* The kind of a mutex made as every head's is; 0 until one was made
 * (a robust, process-shared kind is never 0). */
static int model_kind(void)
{
	static int kind;
	/* Relaxed: every thread that makes the model finds the same kind,
	 * and only this word is shared. */
	int k = __atomic_load_n(&kind, __ATOMIC_RELAXED);
	pthread_mutex_t model;

	if (k == 0 && sl_native_mutex_init(&model) == 0) {
		k = model.__data.__kind;
		pthread_mutex_destroy(&model);
		__atomic_store_n(&kind, k, __ATOMIC_RELAXED);
	}
	return k;
}
#endif

/*
 * Whether a mutex of the head is still of the kind its creator made. glibc
 * keeps the kind in the mutex, and a head written over can make it one
 * whose code aborts the process (priority inheritance, whose futex(2)
 * calls then fail) rather than fail. This sees a head written before the
 * call, not one written while glibc reads it: no mutex in shared memory
 * is safe from a writer that runs beside it.
 */
static int mutex_kind_ok(const pthread_mutex_t *m)
{
#ifdef __GLIBC__
	int kind = model_kind();

	/* Relaxed: only this word is compared, and any value is handled. */
	return kind != 0 && __atomic_load_n(&m->__data.__kind, __ATOMIC_RELAXED) == kind;
#else
	(void)m;
	return 1;
#endif
}

int sl_native_mutex_lock(pthread_mutex_t *m, const struct timespec *deadline, int timeout_ms)
{
	struct timespec buf;
	int rc;

	if (!mutex_kind_ok(m)) {
		errno = EBADMSG;
		return -1;
	}
	rc = pthread_mutex_trylock(m);

	if (rc == EBUSY) {
		if (!deadline && timeout_ms == 0)
			rc = ETIMEDOUT;
		else if (!deadline && timeout_ms < 0)
			rc = pthread_mutex_lock(m);
		else
			rc = pthread_mutex_clocklock(m, CLOCK_MONOTONIC,
						     deadline ? deadline : deadline_in(timeout_ms, &buf));
	}
	if (rc == EOWNERDEAD) {
		/* A holder died. The writers': the slot it was filling was
		 * never published, and the next store writes it again from
		 * the start. The table's: see proclock.c. */
		pthread_mutex_consistent(m);
		rc = 0;
	}
	if (rc == 0)
		return 0;
	/* Anything else means a mutex another program wrote over. */
	errno = rc == ETIMEDOUT ? ETIMEDOUT : EBADMSG;
	return -1;
}
