/*
 * rwsem.h - the native format's explicit locks (share_lock(3)) on a SysV
 * semaphore set of two semaphores: the readers and the writer, which a
 * writer that waits claims first, so that new readers wait behind it.
 * SEM_UNDO on every step gives a dying holder's lock back. Fewer than three semaphores
 * also make IPC::ShareLite, which asks for three, refuse the key.
 */
#ifndef SHARELITE_NATIVE_RWSEM_H
#define SHARELITE_NATIVE_RWSEM_H

#include <time.h>

enum {
	RWSEM_READERS = 0,	/* shared locks held */
	RWSEM_WRITER = 1,	/* 1 while an exclusive lock is held */
	RWSEM_NSEMS = 2,	/* a keyed share's set */
};

/* Flags of sl_rwsem_change(), as format.h's SL_LOCK_* and semrw.h's SL_SEMRW_*. */
#define RWSEM_NONBLOCK 1
#define RWSEM_RESTART 2

/*
 * Go from lock `from` to lock `to` (each 0, LOCK_SH or LOCK_EX), waiting
 * until deadline (CLOCK_MONOTONIC; NULL: no limit). *held is the lock held
 * afterwards, on failure too: a blocking upgrade gives LOCK_SH up first, as
 * flock(2) does. Errors: EWOULDBLOCK, ETIMEDOUT, EINTR, EIDRM, semop(2)'s.
 */
int sl_rwsem_change(int semid, int from, int to, int flags,
		    const struct timespec *deadline, int *held);

/* A semaphore's value, EIDRM once the set is gone. */
int sl_rwsem_value(int semid, int num);

/*
 * The shared locks held and whether a writer holds the exclusive one
 * (1 or 0): a writer that has claimed the set but waits for readers to
 * leave does not hold it yet. -1 with EIDRM once the set is gone.
 */
int sl_rwsem_holders(int semid, int *readers, int *writer);

#endif /* SHARELITE_NATIVE_RWSEM_H */
