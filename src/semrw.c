/*
 * semrw.c - lock transitions as single semop(2) calls on a set laid out as
 * the caller says, so that each one is atomic against every other process,
 * Perl's IPC::ShareLite included.
 */
#define _GNU_SOURCE		/* semtimedop(2) */
#include <errno.h>
#include <sched.h>
#include <time.h>
#include <sys/ipc.h>
#include <sys/sem.h>

#include "sharelite_const.h"
#include "semrw.h"
#include "deadline.h"

/* What is left until deadline, 0 once it is past: semtimedop() wants it so. */
static const struct timespec *time_left(const struct timespec *deadline, struct timespec *left)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	left->tv_sec = deadline->tv_sec - now.tv_sec;
	left->tv_nsec = deadline->tv_nsec - now.tv_nsec;
	if (left->tv_nsec < 0) {
		left->tv_sec--;
		left->tv_nsec += DEADLINE_NS_PER_S;
	}
	if (left->tv_sec < 0)
		left->tv_sec = left->tv_nsec = 0;
	return left;
}

/* Only operations that may wait get a deadline; NULL waits for ever. */
static int semrw_op(int semid, struct sembuf *ops, size_t nops, int flags,
		    const struct timespec *deadline)
{
	for (;;) {
		struct timespec left;
		int rc = deadline ? semtimedop(semid, ops, nops, time_left(deadline, &left))
				  : semop(semid, ops, nops);

		if (rc == 0)
			return 0;
		if (errno == EINTR && (flags & SL_SEMRW_RESTART))
			continue;
		if (errno == EAGAIN && deadline)	/* semtimedop's "time is up" */
			errno = ETIMEDOUT;
		if (errno == EINVAL)	/* the id names no set any more */
			errno = EIDRM;
		return -1;
	}
}

/* The ops once, without waiting: -1 with EAGAIN if they would wait. */
static int semrw_try(int semid, struct sembuf *ops, size_t nops, int flags)
{
	size_t i;
	int rc;

	for (i = 0; i < nops; i++)
		ops[i].sem_flg |= IPC_NOWAIT;
	rc = semrw_op(semid, ops, nops, flags, NULL);
	for (i = 0; i < nops; i++)
		ops[i].sem_flg &= (short)~IPC_NOWAIT;
	return rc;
}

static long long ns_of(const struct timespec *ts)
{
	return (long long)ts->tv_sec * DEADLINE_NS_PER_S + ts->tv_nsec;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);	/* the vDSO: no system call, mostly */
	return ns_of(&ts);
}

/*
 * Wait for the ops to go through: retry them without sleeping for up to
 * the layout's spin_ns, then sleep in semop(). The caller has tried them
 * once already. Between tries the CPU goes to any process ready to run on
 * it: with more lockers than CPUs, that is often the holder, preempted,
 * whom spinning would only keep waiting; alone on its CPU, the yield
 * returns at once. The spin ends at the deadline too; the sleep that
 * follows is then a semtimedop() with no time left, which still takes the
 * lock if it has just come free and else says ETIMEDOUT.
 */
static int semrw_wait(const struct sl_semrw_layout *layout, int semid, struct sembuf *ops,
		      size_t nops, int flags, const struct timespec *deadline)
{
	long long until = now_ns() + layout->spin_ns;

	if (deadline && ns_of(deadline) < until)
		until = ns_of(deadline);
	do {
		if (semrw_try(semid, ops, nops, flags) == 0)
			return 0;
		if (errno != EAGAIN)
			return -1;
		sched_yield();
	} while (now_ns() < until);
	return semrw_op(semid, ops, nops, flags, deadline);
}

/*
 * A writer that has to wait counts itself in writers_waiting, which new
 * shared locks wait for, and takes the lock and uncounts itself in one
 * call. SEM_UNDO uncounts a writer killed while waiting; one that gives up
 * (a signal, its deadline) uncounts itself.
 */
static int semrw_wait_as_writer(const struct sl_semrw_layout *layout, int semid,
				struct sembuf *ops, int flags, const struct timespec *deadline)
{
	unsigned short q = layout->writers_waiting;
	struct sembuf counted[] = { ops[0], ops[1], ops[2], { q, -1, SEM_UNDO } };
	struct sembuf count = { q, 1, SEM_UNDO | IPC_NOWAIT };
	struct sembuf uncount = { q, -1, SEM_UNDO | IPC_NOWAIT };
	int err;

	if (semrw_op(semid, &count, 1, flags, NULL) < 0) {
		if (errno == EIDRM)
			return -1;
		/* writers_waiting at its maximum: wait uncounted, as on Perl's sets. */
		return semrw_wait(layout, semid, ops, 3, flags, deadline);
	}
	if (semrw_wait(layout, semid, counted, 4, flags, deadline) == 0)
		return 0;
	err = errno;
	if (err != EIDRM)
		semrw_op(semid, &uncount, 1, flags, NULL);
	errno = err;
	return -1;
}

/*
 * Claims: a set of two semaphores (SL_SEMRW_CLAIM) has no room for a count
 * of waiting writers, so a writer that must wait takes the writer
 * semaphore W before the readers R have gone: CLAIM, (W, 0), (W, +1,
 * SEM_UNDO), after which new shared locks, (W, 0), (R, +1), wait; then
 * DRAIN, (R, 0), for the readers already in. Why that is safe:
 *
 * - Exclusion. A writer holds once it has seen R = 0 with W its own (its
 *   first try, or DRAIN). From then on nothing raises R: the shared lock
 *   needs W = 0, the join below needs R >= 1, the LOCK_NB upgrade needs
 *   W = 0, and the downgrade is the holder's own. So R >= 1 with W = 1
 *   means a claim, never a holder, and a join, which needs R >= 1, never
 *   puts a reader beside a writer, even with a count of the process's
 *   shared locks that is wrong: a wrong count only lets a reader in ahead
 *   of a claimer.
 * - Two writers: CLAIM is one semop(2), so one claims and the others wait
 *   at CLAIM until W is 0 again: released, given up, or undone.
 * - An upgrade that waits gives LOCK_SH back before it claims, so it never
 *   holds a reader the claimer waits for while it waits for the claimer;
 *   a LOCK_NB upgrade does not wait (W = 1 refuses it).
 * - A claimer killed anywhere after CLAIM: SEM_UNDO takes its +1 off W
 *   and the readers queued at (W, 0) go on. One that gives up (its
 *   deadline, EINTR) releases the claim itself, (W, -1, SEM_UNDO |
 *   IPC_NOWAIT); with EIDRM there is no set left, and every waiter, reader
 *   or writer, fails with EIDRM too.
 * - Deadlock: a claimer waits for readers that hold already, and a reader
 *   waits at (W, 0) only for a claimer or a holder. A reader that holds
 *   and waits for more is a process that asks for a second shared lock
 *   through another handle: it joins (SL_SEMRW_JOIN) instead of queueing,
 *   or it would wait for the claimer that waits for it.
 */
static int semrw_sleep(const struct sl_semrw_layout *layout, int semid, struct sembuf *ops,
		       size_t nops, int flags, const struct timespec *deadline)
{
	if (layout->spin_ns == 0)
		return semrw_op(semid, ops, nops, flags, deadline);
	return semrw_wait(layout, semid, ops, nops, flags, deadline);
}

/* CLAIM, then DRAIN; the first try of the lock has failed. */
static int semrw_claim(const struct sl_semrw_layout *layout, int semid, int flags,
		       const struct timespec *deadline)
{
	unsigned short r = layout->readers, w = layout->writer;
	struct sembuf claim[] = { { w, 0, 0 }, { w, 1, SEM_UNDO } };
	struct sembuf drain = { r, 0, 0 };
	struct sembuf unclaim = { w, -1, SEM_UNDO | IPC_NOWAIT };
	int err;

	if (semrw_sleep(layout, semid, claim, 2, flags, deadline) < 0)
		return -1;
	if (semrw_sleep(layout, semid, &drain, 1, flags, deadline) == 0)
		return 0;
	err = errno;
	if (err != EIDRM)
		semrw_op(semid, &unclaim, 1, flags, NULL);
	errno = err;
	return -1;
}

/*
 * A shared lock beside a reader that holds, claim or not: (R, -1,
 * SEM_UNDO), (R, +2, SEM_UNDO), one more reader if there is one already
 * (the undo nets -1, as a plain shared lock's). EAGAIN if none holds:
 * then nobody waits for this process's reader either.
 */
static int semrw_join(const struct sl_semrw_layout *layout, int semid, int flags)
{
	struct sembuf ops[] = {
		{ layout->readers, -1, SEM_UNDO | IPC_NOWAIT },
		{ layout->readers, 2, SEM_UNDO | IPC_NOWAIT },
	};

	return semrw_op(semid, ops, 2, flags, NULL);
}

static int semrw_acquire(const struct sl_semrw_layout *layout, int semid, int to, int flags,
			 const struct timespec *deadline)
{
	unsigned short r = layout->readers, w = layout->writer;
	struct sembuf shared[] = {
		{ w, 0, 0 },				/* no writer */
		{ layout->writers_waiting, 0, 0 },	/* no writer waiting (queued sets only) */
		{ r, 1, SEM_UNDO },			/* one more reader */
	};
	struct sembuf exclusive[] = {
		{ r, 0, 0 },		/* no reader */
		{ w, 0, 0 },		/* no writer */
		{ w, 1, SEM_UNDO },	/* the writer is us */
	};
	struct sembuf *ops = to == LOCK_SH ? shared : exclusive;
	size_t nops = 3;

	if (to == LOCK_SH && !(flags & SL_SEMRW_QUEUED)) {
		shared[1] = shared[2];
		nops = 2;
	}
	if (to == LOCK_SH && (flags & SL_SEMRW_JOIN)) {
		if (semrw_join(layout, semid, flags) == 0)
			return 0;
		if (errno != EAGAIN)
			return -1;
	}
	if (to == LOCK_EX && (flags & SL_SEMRW_CLAIM) && !(flags & SL_SEMRW_NONBLOCK)) {
		if (semrw_try(semid, ops, nops, flags) == 0)
			return 0;
		if (errno != EAGAIN)
			return -1;
		return semrw_claim(layout, semid, flags, deadline);
	}
	/* A layout that does not spin sleeps in its first call. */
	if (layout->spin_ns == 0 && !(flags & SL_SEMRW_NONBLOCK))
		return semrw_op(semid, ops, nops, flags, deadline);
	/* Alone on the share, the first try is the only call; with LOCK_NB
	 * it is the only try. */
	if (semrw_try(semid, ops, nops, flags) == 0)
		return 0;
	if (errno != EAGAIN || (flags & SL_SEMRW_NONBLOCK))
		return -1;
	if (to == LOCK_EX && (flags & SL_SEMRW_QUEUED))
		return semrw_wait_as_writer(layout, semid, ops, flags, deadline);
	return semrw_wait(layout, semid, ops, nops, flags, deadline);
}

static int semrw_release(const struct sl_semrw_layout *layout, int semid, int from, int flags)
{
	struct sembuf op = {
		from == LOCK_SH ? layout->readers : layout->writer, -1, SEM_UNDO | IPC_NOWAIT
	};

	return semrw_op(semid, &op, 1, flags, NULL);
}

int sl_semrw_change(const struct sl_semrw_layout *layout, int semid, int from, int to,
		    int flags, const struct timespec *deadline, int *held)
{
	unsigned short r = layout->readers, w = layout->writer;

	*held = from;
	if (from == to)
		return 0;

	if (to == 0) {
		if (semrw_release(layout, semid, from, flags) < 0)
			return -1;
	} else if (from == 0) {
		if (semrw_acquire(layout, semid, to, flags, deadline) < 0)
			return -1;
	} else if (to == LOCK_SH) {
		/* Downgrade: never waits, and no writer slips in between. */
		struct sembuf ops[] = {
			{ w, -1, SEM_UNDO | IPC_NOWAIT },
			{ r, 1, SEM_UNDO | IPC_NOWAIT },
		};
		if (semrw_op(semid, ops, 2, flags, NULL) < 0)
			return -1;
	} else if (flags & SL_SEMRW_NONBLOCK) {
		/* Upgrade that would not wait: atomic, so a refusal keeps LOCK_SH. */
		struct sembuf ops[] = {
			{ r, -1, SEM_UNDO | IPC_NOWAIT },
			{ r, 0, IPC_NOWAIT },
			{ w, 0, IPC_NOWAIT },
			{ w, 1, SEM_UNDO | IPC_NOWAIT },
		};
		if (semrw_op(semid, ops, 4, flags, NULL) < 0)
			return -1;
	} else {
		/* Upgrade that waits: holding LOCK_SH while waiting for the
		 * readers to leave would deadlock two upgraders, so release
		 * first, as flock(2) does. */
		if (semrw_release(layout, semid, LOCK_SH, flags) < 0)
			return -1;
		*held = 0;
		if (semrw_acquire(layout, semid, LOCK_EX, flags, deadline) < 0)
			return -1;
	}
	*held = to;
	return 0;
}
