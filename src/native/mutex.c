/*
 * mutex.c - the robust, process-shared mutexes of a native head, and the
 * one way they are taken (mutex.h): a mutex another program wrote over
 * gives EBADMSG, never an abort or a wait without end.
 *
 * A robust mutex whose owner dies is handed on (EOWNERDEAD) by the
 * kernel, which walks the dead thread's list of robust mutexes. A mutex
 * written over to name as owner a thread that never took it is on no such
 * list: nothing will ever hand it on, and pthread_mutex_lock() would wait
 * for ever. So a taker waits in slices and, between two, looks at the
 * owner: one missing for long enough ends the wait with EBADMSG.
 */
#define _GNU_SOURCE		/* pthread_mutex_clocklock() */
#include <errno.h>
#include <signal.h>
#include <linux/futex.h>

#include "mutex.h"
#include "deadline.h"

/*
 * How long the owner must be missing. A process in another PID namespace
 * that shares our IPC namespace (docker --ipc=host) holds the mutex under
 * a thread id that means nothing here, so a live owner can look missing:
 * the bound must be longer than any live holder keeps a mutex. A writer
 * holds the writers' mutex for one copy of its value (about 0.1 s per GiB)
 * and one wait for holders of the slot (HOLD_WAIT_MS, value.c, 0.1 s); a
 * taker of the lock table's holds it for one pass over 128 entries. Ten
 * seconds is the copy of a 100 GiB value, which no share holds in
 * practice; a holder stopped or descheduled longer than that, under a
 * thread id we cannot see, is taken for a mutex written over.
 */
_Static_assert(SL_NATIVE_OWNER_GONE_MS >= 10000, "longer than any live holder");
_Static_assert(SL_NATIVE_OWNER_SLICE_MS > 0 && SL_NATIVE_OWNER_SLICE_MS < 1000,
	       "a slice is under a second");

/* The kernel's PID_MAX_LIMIT: no thread id is larger. */
#define TID_LIMIT (4 * 1024 * 1024)

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

/* What a waiter saw of the owner at its last look. */
struct owner_watch {
	int missing;			/* the owner was missing */
	unsigned int word;		/* in this lock word */
	struct timespec gone_at;	/* when it will count as written over */
};

#ifdef __GLIBC__
/*
 * glibc's lock word, less the bit that waiters set (FUTEX_WAITERS, ours
 * among them): the owner's thread id, and FUTEX_OWNER_DIED. Relaxed: the
 * word is only compared and its id asked about, never used to reach
 * memory, and any value is handled.
 */
static unsigned int owner_word(const pthread_mutex_t *m)
{
	return (unsigned int)__atomic_load_n(&m->__data.__lock, __ATOMIC_RELAXED) &
	       ~(unsigned int)FUTEX_WAITERS;
}

/* Whether no thread of this PID namespace has the id the word names. An id
 * 0 (kill(0) would signal our group) or beyond any id is written over. */
static int owner_missing(unsigned int word)
{
	unsigned int tid = word & FUTEX_TID_MASK;

	if (tid == 0 || tid > TID_LIMIT)
		return 1;
	/* EPERM: it lives, another user's. */
	return kill((pid_t)tid, 0) < 0 && errno == ESRCH;
}
#endif

/*
 * A look at the owner of a mutex still busy at `now`: whether it has been
 * missing, the lock word unchanged, for SL_NATIVE_OWNER_GONE_MS. A word
 * that changed was taken by someone meanwhile: the count starts again.
 */
static int owner_gone(const pthread_mutex_t *m, struct owner_watch *w, const struct timespec *now)
{
#ifdef __GLIBC__
	unsigned int word = owner_word(m);

	if (!owner_missing(word)) {
		w->missing = 0;
		return 0;
	}
	if (!w->missing || word != w->word) {
		w->missing = 1;
		w->word = word;
		w->gone_at = deadline_after(*now, SL_NATIVE_OWNER_GONE_MS);
		return 0;
	}
	return deadline_ns_left(&w->gone_at, now, 1) == 0;
#else
	/* Where the owner cannot be read, the wait is the deadline's. */
	(void)m;
	(void)w;
	(void)now;
	return 0;
#endif
}

/*
 * Wait for a mutex that was busy, until deadline (NULL: none), in slices:
 * pthread_mutex_clocklock()'s result, or EBADMSG once owner_gone().
 */
static int wait_for_owner(pthread_mutex_t *m, const struct timespec *deadline)
{
	struct owner_watch watch = { 0 };
	struct timespec now, slice_end;

	for (;;) {
		int rc;

		clock_gettime(CLOCK_MONOTONIC, &now);
		slice_end = deadline_after(now, SL_NATIVE_OWNER_SLICE_MS);
		if (deadline && deadline_ns_left(deadline, &slice_end, 1) == 0)
			slice_end = *deadline;
		rc = pthread_mutex_clocklock(m, CLOCK_MONOTONIC, &slice_end);
		if (rc != ETIMEDOUT)
			return rc;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (deadline && deadline_ns_left(deadline, &now, 1) == 0)
			return ETIMEDOUT;
		if (owner_gone(m, &watch, &now))
			return EBADMSG;
	}
}

/* The mutex taken by trylock's rc, or waited for: sl_native_mutex_lock()
 * but for its first try. */
static __attribute__((noinline))
int lock_after_try(pthread_mutex_t *m, int rc, const struct timespec *deadline, int timeout_ms)
{
	struct timespec buf;

	if (rc == EBUSY) {
		if (!deadline && timeout_ms == 0)
			rc = ETIMEDOUT;
		else
			rc = wait_for_owner(m, deadline ? deadline : deadline_in(timeout_ms, &buf));
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

int sl_native_mutex_lock(pthread_mutex_t *m, const struct timespec *deadline, int timeout_ms)
{
	int rc;

	if (!mutex_kind_ok(m)) {
		errno = EBADMSG;
		return -1;
	}
	rc = pthread_mutex_trylock(m);
	if (rc == 0)
		return 0;	/* the common case, with nothing else to do */
	return lock_after_try(m, rc, deadline, timeout_ms);
}
