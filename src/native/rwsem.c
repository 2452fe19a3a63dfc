/*
 * rwsem.c - lock transitions on the native format's two semaphores, each
 * one semop(2) call, so each is atomic against every other process.
 */
#define _GNU_SOURCE		/* semtimedop(2) */
#include <errno.h>
#include <sys/ipc.h>
#include <sys/sem.h>

#include "sharelite_const.h"
#include "rwsem.h"
#include "deadline.h"

#define R RWSEM_READERS
#define W RWSEM_WRITER

/* The longest single semtimedop() wait; the loop waits on to the deadline. */
#define SLICE_NS (DEADLINE_NS_PER_S - 1)

static int rwsem_op(int semid, struct sembuf *ops, size_t nops, int flags,
		    const struct timespec *deadline)
{
	for (;;) {
		struct timespec now, left = { 0, 0 };
		int rc;

		if (deadline) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			left.tv_nsec = deadline_ns_left(deadline, &now, SLICE_NS);
			rc = semtimedop(semid, ops, nops, &left);
			/* A slice ended but the deadline has not come: wait on. */
			if (rc < 0 && errno == EAGAIN && left.tv_nsec == SLICE_NS)
				continue;
		} else {
			rc = semop(semid, ops, nops);
		}
		if (rc == 0)
			return 0;
		if (errno == EINTR && (flags & RWSEM_RESTART))
			continue;
		if (errno == EAGAIN)
			errno = deadline ? ETIMEDOUT : EWOULDBLOCK;
		if (errno == EINVAL)	/* the id names no set any more */
			errno = EIDRM;
		return -1;
	}
}

static int acquire(int semid, int to, int flags, const struct timespec *deadline)
{
	short nw = (flags & RWSEM_NONBLOCK) ? IPC_NOWAIT : 0;
	struct sembuf shared[] = {
		{ W, 0, nw },			/* no writer */
		{ R, 1, SEM_UNDO | nw },	/* one more reader */
	};
	struct sembuf exclusive[] = {
		{ R, 0, nw },			/* no reader */
		{ W, 0, nw },			/* no writer */
		{ W, 1, SEM_UNDO | nw },	/* the writer is us */
	};

	if (nw)
		deadline = NULL;	/* EWOULDBLOCK, not ETIMEDOUT */
	if (to == LOCK_SH)
		return rwsem_op(semid, shared, 2, flags, deadline);
	return rwsem_op(semid, exclusive, 3, flags, deadline);
}

static int release(int semid, int from, int flags)
{
	struct sembuf op = { from == LOCK_SH ? R : W, -1, SEM_UNDO | IPC_NOWAIT };

	return rwsem_op(semid, &op, 1, flags, NULL);
}

int sl_rwsem_change(int semid, int from, int to, int flags,
		    const struct timespec *deadline, int *held)
{
	*held = from;
	if (from == to)
		return 0;
	if (to == 0) {
		if (release(semid, from, flags) < 0)
			return -1;
	} else if (from == 0) {
		if (acquire(semid, to, flags, deadline) < 0)
			return -1;
	} else if (to == LOCK_SH) {
		/* Downgrade: never waits, and no writer slips in between. */
		struct sembuf ops[] = {
			{ W, -1, SEM_UNDO | IPC_NOWAIT },
			{ R, 1, SEM_UNDO | IPC_NOWAIT },
		};
		if (rwsem_op(semid, ops, 2, flags, NULL) < 0)
			return -1;
	} else if (flags & RWSEM_NONBLOCK) {
		/* Atomic, so a refusal keeps LOCK_SH. */
		struct sembuf ops[] = {
			{ R, -1, SEM_UNDO | IPC_NOWAIT },
			{ R, 0, IPC_NOWAIT },
			{ W, 0, IPC_NOWAIT },
			{ W, 1, SEM_UNDO | IPC_NOWAIT },
		};
		if (rwsem_op(semid, ops, 4, flags, NULL) < 0)
			return -1;
	} else {
		/* Holding LOCK_SH while waiting would deadlock two upgraders. */
		if (release(semid, LOCK_SH, flags) < 0)
			return -1;
		*held = 0;
		if (acquire(semid, LOCK_EX, flags, deadline) < 0)
			return -1;
	}
	*held = to;
	return 0;
}

int sl_rwsem_free(int semid)
{
	struct sembuf ops[] = {
		{ R, 0, IPC_NOWAIT },
		{ W, 0, IPC_NOWAIT },
	};

	if (rwsem_op(semid, ops, 2, 0, NULL) == 0)
		return 1;
	return errno == EWOULDBLOCK ? 0 : -1;
}

int sl_rwsem_value(int semid, int num)
{
	int v = semctl(semid, num, GETVAL);

	if (v < 0 && errno == EINVAL)
		errno = EIDRM;
	return v;
}
