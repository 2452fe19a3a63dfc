/*
 * semrw.h - a readers-writer lock on a SysV semaphore set, the same for
 * every memory format: each transition is one semop(2) call, so it is
 * atomic against every other process, and SEM_UNDO on every step gives a
 * dying holder's lock back. A format says where its semaphores sit in its
 * set, and whether a lock it has to wait for spins first.
 */
#ifndef SHARELITE_SEMRW_H
#define SHARELITE_SEMRW_H

#include <time.h>

struct sl_semrw_layout {
	unsigned short readers;	/* shared locks held */
	unsigned short writer;	/* 1 while the exclusive lock is held */
	/* Writers waiting for LOCK_EX, whom new shared locks wait behind;
	 * read only with SL_SEMRW_QUEUED. */
	unsigned short writers_waiting;
	/* How long a lock that must be waited for is retried without
	 * sleeping before the call sleeps in semop(); 0: it sleeps at once. */
	long spin_ns;
};

/* Flags of sl_semrw_change() */
#define SL_SEMRW_NONBLOCK 1	/* fail with EWOULDBLOCK instead of waiting */
#define SL_SEMRW_RESTART 2	/* wait on through signals instead of EINTR */
#define SL_SEMRW_QUEUED 4	/* this set has the writers_waiting semaphore */
/* A set of two semaphores, with no room for a count: a writer that must
 * wait first claims the writer semaphore, which new shared locks wait
 * for, then waits for the readers already in (semrw.c, "Claims"). */
#define SL_SEMRW_CLAIM 8
/* With SL_SEMRW_CLAIM: the process holds LOCK_SH on this set through
 * another handle, so a claimer may be waiting for it; a shared lock then
 * joins the readers while any reader holds, claim or not. */
#define SL_SEMRW_JOIN 16

/*
 * Go from lock `from` to lock `to` (each 0, LOCK_SH or LOCK_EX) on the set
 * semid laid out as *layout, and store in *held the lock held afterwards,
 * on failure too: a blocking upgrade from LOCK_SH releases first, as
 * flock(2) does, and may end holding nothing. A wait ends at deadline, a
 * CLOCK_MONOTONIC time, with ETIMEDOUT (NULL: no limit); a deadline past
 * still takes a lock that is free, and signals restarted by
 * SL_SEMRW_RESTART do not move it. With SL_SEMRW_QUEUED or
 * SL_SEMRW_CLAIM a writer that waits holds off new shared locks.
 * Errors: EWOULDBLOCK, ETIMEDOUT, EINTR, EIDRM (the set is gone), and
 * semop(2)'s own.
 */
int sl_semrw_change(const struct sl_semrw_layout *layout, int semid, int from, int to,
		    int flags, const struct timespec *deadline, int *held);

#endif /* SHARELITE_SEMRW_H */
