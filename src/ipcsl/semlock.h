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

/* Flags for sl_semlock_change_until(), semrw.h's SL_SEMRW_* */
#define SEMLOCK_NONBLOCK 1	/* fail with EWOULDBLOCK instead of waiting */
#define SEMLOCK_RESTART 2	/* wait on through signals instead of EINTR */
#define SEMLOCK_QUEUED 4	/* the set has SEMLOCK_WRITERS_WAITING */

/*
 * sl_semrw_change() (semrw.h) on a set laid out as above: go from lock
 * `from` to lock `to`, waiting until deadline at most (NULL: no limit). A
 * lock that must be waited for is retried without sleeping for a few
 * microseconds first. With SEMLOCK_QUEUED a writer that waits holds off
 * new shared locks.
 */
int sl_semlock_change_until(int semid, int from, int to, int flags,
			    const struct timespec *deadline, int *held);

#endif /* SHARELITE_SEMLOCK_H */
