/*
 * semlock.c - lock transitions as single semop(2) calls, so that each one is
 * atomic against every other process, Perl's IPC::ShareLite included.
 */
#define _GNU_SOURCE		/* semtimedop(2) */
#include <errno.h>
#include <time.h>
#include <sys/ipc.h>
#include <sys/sem.h>

#include "sharelite_const.h"
#include "semlock.h"

#define R SEMLOCK_READERS
#define W SEMLOCK_WRITER

#define NS_PER_S 1000000000L

/* What is left until deadline, 0 once it is past: semtimedop() wants it so. */
static const struct timespec *time_left(const struct timespec *deadline, struct timespec *left)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	left->tv_sec = deadline->tv_sec - now.tv_sec;
	left->tv_nsec = deadline->tv_nsec - now.tv_nsec;
	if (left->tv_nsec < 0) {
		left->tv_sec--;
		left->tv_nsec += NS_PER_S;
	}
	if (left->tv_sec < 0)
		left->tv_sec = left->tv_nsec = 0;
	return left;
}

/* Only operations that may wait get a deadline; NULL waits for ever. */
static int semlock_op(int semid, struct sembuf *ops, size_t nops, int flags,
		      const struct timespec *deadline)
{
	for (;;) {
		struct timespec left;
		int rc = deadline ? semtimedop(semid, ops, nops, time_left(deadline, &left))
				  : semop(semid, ops, nops);

		if (rc == 0)
			return 0;
		if (errno == EINTR && (flags & SEMLOCK_RESTART))
			continue;
		if (errno == EAGAIN && deadline)	/* semtimedop's "time is up" */
			errno = ETIMEDOUT;
		if (errno == EINVAL)	/* the id names no set any more */
			errno = EIDRM;
		return -1;
	}
}

static int semlock_acquire(int semid, int to, int flags, const struct timespec *deadline)
{
	short nw = (flags & SEMLOCK_NONBLOCK) ? IPC_NOWAIT : 0;

	if (nw)
		deadline = NULL;	/* EWOULDBLOCK, not ETIMEDOUT */

	if (to == LOCK_SH) {
		struct sembuf ops[] = {
			{ W, 0, nw },			/* no writer */
			{ R, 1, SEM_UNDO | nw },	/* one more reader */
		};
		return semlock_op(semid, ops, 2, flags, deadline);
	} else {
		struct sembuf ops[] = {
			{ R, 0, nw },			/* no reader */
			{ W, 0, nw },			/* no writer */
			{ W, 1, SEM_UNDO | nw },	/* the writer is us */
		};
		return semlock_op(semid, ops, 3, flags, deadline);
	}
}

static int semlock_release(int semid, int from, int flags)
{
	struct sembuf op = { from == LOCK_SH ? R : W, -1, SEM_UNDO | IPC_NOWAIT };

	return semlock_op(semid, &op, 1, flags, NULL);
}

int sl_semlock_change(int semid, int from, int to, int flags, int *held)
{
	return sl_semlock_change_until(semid, from, to, flags, NULL, held);
}

int sl_semlock_change_until(int semid, int from, int to, int flags,
			 const struct timespec *deadline, int *held)
{
	*held = from;
	if (from == to)
		return 0;

	if (to == 0) {
		if (semlock_release(semid, from, flags) < 0)
			return -1;
	} else if (from == 0) {
		if (semlock_acquire(semid, to, flags, deadline) < 0)
			return -1;
	} else if (to == LOCK_SH) {
		/* Downgrade: never waits, and no writer slips in between. */
		struct sembuf ops[] = {
			{ W, -1, SEM_UNDO | IPC_NOWAIT },
			{ R, 1, SEM_UNDO | IPC_NOWAIT },
		};
		if (semlock_op(semid, ops, 2, flags, NULL) < 0)
			return -1;
	} else if (flags & SEMLOCK_NONBLOCK) {
		/* Upgrade that would not wait: atomic, so a refusal keeps LOCK_SH. */
		struct sembuf ops[] = {
			{ R, -1, SEM_UNDO | IPC_NOWAIT },
			{ R, 0, IPC_NOWAIT },
			{ W, 0, IPC_NOWAIT },
			{ W, 1, SEM_UNDO | IPC_NOWAIT },
		};
		if (semlock_op(semid, ops, 4, flags, NULL) < 0)
			return -1;
	} else {
		/* Upgrade that waits: holding LOCK_SH while waiting for the
		 * readers to leave would deadlock two upgraders, so release
		 * first, as flock(2) does. */
		if (semlock_release(semid, LOCK_SH, flags) < 0)
			return -1;
		*held = 0;
		if (semlock_acquire(semid, LOCK_EX, flags, deadline) < 0)
			return -1;
	}
	*held = to;
	return 0;
}
