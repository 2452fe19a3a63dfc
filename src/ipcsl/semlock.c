/*
 * semlock.c - lock transitions as single semop(2) calls, so that each one is
 * atomic against every other process, Perl's IPC::ShareLite included.
 */
#define _GNU_SOURCE		/* semtimedop(2) */
#include <errno.h>
#include <sched.h>
#include <time.h>
#include <sys/ipc.h>
#include <sys/sem.h>

#include "sharelite_const.h"
#include "semlock.h"

#define R SEMLOCK_READERS
#define W SEMLOCK_WRITER
#define Q SEMLOCK_WRITERS_WAITING

/*
 * How long a lock that is taken retries without sleeping before it sleeps
 * in semop(). A store or fetch of a small value holds the lock for its
 * copy and one release call, a microsecond or two where each system call
 * flushes the TLB and a fraction of that where calls are cheap; a sleep
 * and a wake-up cost more (on the 2-CPU VM of the README's figures, one
 * reader beside one writer ran 5 to 14 us per operation sleeping, 4 us
 * spinning). Spinning about as long as a sleep costs is the classic bound
 * (it never costs more than twice the better choice), and 20 us also
 * covers the copy of a value of several hundred KiB. A time, not a number
 * of tries: where a call costs a microsecond a count spins ten times
 * longer than where it costs 100 ns. sharelite-bench's readers table
 * compared 0, 5, 20 and 50 us with and without yielding, three runs
 * each, all with the writer queue: any spin lifted one reader beside one
 * writer from about 0.35 to 0.4-0.7 of the solo rates, the yield kept a
 * writer beside four readers at 0.07-0.3 of its rate instead of
 * 0.01-0.07, and 5 to 50 us differed by less than the runs did. (Against
 * the lock before the queue, which already ran one reader and one writer
 * at 0.4 here, the README's table shows no gain there, only the CPU cost.)
 */
#ifndef SEMLOCK_SPIN_NS
#define SEMLOCK_SPIN_NS 20000
#endif

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

/* The ops once, without waiting: -1 with EAGAIN if they would wait. */
static int semlock_try(int semid, struct sembuf *ops, size_t nops, int flags)
{
	size_t i;
	int rc;

	for (i = 0; i < nops; i++)
		ops[i].sem_flg |= IPC_NOWAIT;
	rc = semlock_op(semid, ops, nops, flags, NULL);
	for (i = 0; i < nops; i++)
		ops[i].sem_flg &= (short)~IPC_NOWAIT;
	return rc;
}

static long long ns_of(const struct timespec *ts)
{
	return (long long)ts->tv_sec * NS_PER_S + ts->tv_nsec;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);	/* the vDSO: no system call, mostly */
	return ns_of(&ts);
}

/*
 * Wait for the ops to go through: retry them without sleeping for up to
 * SEMLOCK_SPIN_NS, then sleep in semop() as Perl does. The caller has
 * tried them once already. Between tries the CPU goes to any process
 * ready to run on it: with more lockers than CPUs, that is often the
 * holder, preempted, whom spinning would only keep waiting; alone on its
 * CPU, the yield returns at once. The spin ends at the deadline too; the
 * sleep that follows is then a semtimedop() with no time left, which
 * still takes the lock if it has just come free and else says ETIMEDOUT.
 */
static int semlock_wait(int semid, struct sembuf *ops, size_t nops, int flags,
			const struct timespec *deadline)
{
	long long until = now_ns() + SEMLOCK_SPIN_NS;

	if (deadline && ns_of(deadline) < until)
		until = ns_of(deadline);
	do {
		if (semlock_try(semid, ops, nops, flags) == 0)
			return 0;
		if (errno != EAGAIN)
			return -1;
		sched_yield();
	} while (now_ns() < until);
	return semlock_op(semid, ops, nops, flags, deadline);
}

/*
 * A writer that has to wait counts itself in Q, which new shared locks
 * wait for, and takes the lock and uncounts itself in one call. SEM_UNDO
 * uncounts a writer killed while waiting; one that gives up (a signal,
 * its deadline) uncounts itself.
 */
static int semlock_wait_as_writer(int semid, struct sembuf *ops, int flags,
				  const struct timespec *deadline)
{
	struct sembuf counted[] = { ops[0], ops[1], ops[2], { Q, -1, SEM_UNDO } };
	struct sembuf count = { Q, 1, SEM_UNDO | IPC_NOWAIT };
	struct sembuf uncount = { Q, -1, SEM_UNDO | IPC_NOWAIT };
	int err;

	if (semlock_op(semid, &count, 1, flags, NULL) < 0) {
		if (errno == EIDRM)
			return -1;
		/* Q at its maximum: wait uncounted, as on Perl's sets. */
		return semlock_wait(semid, ops, 3, flags, deadline);
	}
	if (semlock_wait(semid, counted, 4, flags, deadline) == 0)
		return 0;
	err = errno;
	if (err != EIDRM)
		semlock_op(semid, &uncount, 1, flags, NULL);
	errno = err;
	return -1;
}

static int semlock_acquire(int semid, int to, int flags, const struct timespec *deadline)
{
	struct sembuf shared[] = {
		{ W, 0, 0 },		/* no writer */
		{ Q, 0, 0 },		/* no writer waiting (queued sets only) */
		{ R, 1, SEM_UNDO },	/* one more reader */
	};
	struct sembuf exclusive[] = {
		{ R, 0, 0 },		/* no reader */
		{ W, 0, 0 },		/* no writer */
		{ W, 1, SEM_UNDO },	/* the writer is us */
	};
	struct sembuf *ops = to == LOCK_SH ? shared : exclusive;
	size_t nops = 3;

	if (to == LOCK_SH && !(flags & SEMLOCK_QUEUED)) {
		shared[1] = shared[2];
		nops = 2;
	}
	/* Alone on the share, the first try is the only call; with LOCK_NB
	 * it is the only try. */
	if (semlock_try(semid, ops, nops, flags) == 0)
		return 0;
	if (errno != EAGAIN || (flags & SEMLOCK_NONBLOCK))
		return -1;
	if (to == LOCK_EX && (flags & SEMLOCK_QUEUED))
		return semlock_wait_as_writer(semid, ops, flags, deadline);
	return semlock_wait(semid, ops, nops, flags, deadline);
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
