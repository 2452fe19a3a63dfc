/*
 * semlock.h - IPC::ShareLite's lock protocol on a share's semaphore set
 * (sharelite(7), "Locking"). SEM_UNDO on every step is what makes a dying
 * process give its lock back.
 */
#ifndef SHARELITE_SEMLOCK_H
#define SHARELITE_SEMLOCK_H

#include <time.h>

enum {
	SEMLOCK_INIT = 0,	/* 1 once the creator has written the head */
	SEMLOCK_READERS = 1,	/* shared locks held */
	SEMLOCK_WRITER = 2,	/* 1 while an exclusive lock is held */
	SEMLOCK_NSEMS = 3,	/* a set as Perl makes it */
	/* Only in sets libsharelite makes: writers waiting for LOCK_EX,
	 * whom new shared locks wait behind. Perl never looks at it. */
	SEMLOCK_WRITERS_WAITING = 3,
	SEMLOCK_NSEMS_QUEUED = 4
};

/* Flags for sl_semlock_change() */
#define SEMLOCK_NONBLOCK 1	/* fail with EWOULDBLOCK instead of waiting */
#define SEMLOCK_RESTART 2	/* wait on through signals instead of EINTR */
#define SEMLOCK_QUEUED 4	/* the set has SEMLOCK_WRITERS_WAITING */

/*
 * Go from lock `from` to lock `to` (each 0, LOCK_SH or LOCK_EX) and store in
 * *held the lock held afterwards, on failure too: a blocking upgrade from
 * LOCK_SH releases first, as flock(2) does, and may end holding nothing.
 * A lock that must be waited for is retried without sleeping for a few
 * microseconds first. With SEMLOCK_QUEUED a writer that waits holds off
 * new shared locks.
 * Errors: EWOULDBLOCK, EINTR, EIDRM (the set is gone), and semop(2)'s own.
 */
int sl_semlock_change(int semid, int from, int to, int flags, int *held);

/*
 * sl_semlock_change() that gives up waiting at deadline, a CLOCK_MONOTONIC
 * time, with ETIMEDOUT; a NULL deadline waits for ever. A deadline already
 * past still takes a lock that is free. Signals restarted by
 * SEMLOCK_RESTART do not move the deadline.
 */
int sl_semlock_change_until(int semid, int from, int to, int flags,
			 const struct timespec *deadline, int *held);

#endif /* SHARELITE_SEMLOCK_H */
