/*
 * rwsem.c - the native format's two semaphores as semrw.c's layout, with
 * claims (semrw.c, "Claims"): a writer that waits holds off new shared
 * locks, though the set has no third semaphore to count it in. The
 * explicit locks are rare next to the lock-free stores and fetches, so a
 * lock that must wait sleeps at once rather than spin.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/ipc.h>
#include <sys/sem.h>

#include "sharelite_const.h"
#include "process.h"
#include "rwsem.h"
#include "semrw.h"

static const struct sl_semrw_layout native_layout = {
	.readers = RWSEM_READERS,
	.writer = RWSEM_WRITER,
	.spin_ns = 0,
};

_Static_assert(RWSEM_NONBLOCK == SL_SEMRW_NONBLOCK && RWSEM_RESTART == SL_SEMRW_RESTART,
	       "rwsem.h's flags are semrw.h's");

/*
 * Shared locks this process holds, by set: a set counts in bucket semid %
 * HELD_BUCKETS, as a count of the process's (process.h: a child holds
 * none of its parent's locks). A process that holds one on a set joins
 * the readers there instead of queueing behind a claimer, who may be
 * waiting for it. Two sets in one bucket only count too many, which lets
 * a reader in ahead of a claimer, never beside a writer (semrw.c,
 * "Claims"); never too few, which could make a second handle wait for the
 * process itself. Relaxed atomics suffice: a thread reads its own changes
 * in program order, and another thread's count can only spare it the
 * queue.
 */
#define HELD_BUCKETS 64

static uint64_t shared_held_here[HELD_BUCKETS];

static uint64_t *bucket_of(int semid)
{
	return &shared_held_here[(unsigned int)semid % HELD_BUCKETS];
}

static uint32_t shared_held_now(int semid)
{
	return sl_process_count(bucket_of(semid));
}

static void count_shared_held(int semid, int delta)
{
	sl_process_count_add(bucket_of(semid), delta);
}

/* A release counts as done even when it fails with EIDRM: with the set,
 * the lock is gone. */
int sl_rwsem_change(int semid, int from, int to, int flags,
		    const struct timespec *deadline, int *held)
{
	int rc, now_shared;

	flags |= SL_SEMRW_CLAIM;
	if (to == LOCK_SH && shared_held_now(semid) > 0)
		flags |= SL_SEMRW_JOIN;
	rc = sl_semrw_change(&native_layout, semid, from, to, flags, deadline, held);
	now_shared = *held == LOCK_SH && !(rc < 0 && to == 0 && errno == EIDRM);
	if (now_shared != (from == LOCK_SH)) {
		int err = errno;

		count_shared_held(semid, now_shared ? 1 : -1);
		errno = err;
	}
	return rc;
}

int sl_rwsem_value(int semid, int num)
{
	int v = semctl(semid, num, GETVAL);

	if (v < 0 && errno == EINVAL)
		errno = EIDRM;
	return v;
}

int sl_rwsem_holders(int semid, int *readers, int *writer)
{
	int w;

	*readers = sl_rwsem_value(semid, RWSEM_READERS);
	w = sl_rwsem_value(semid, RWSEM_WRITER);
	if (*readers < 0 || w < 0)
		return -1;
	/* Readers beside the writer semaphore: it is a claim (semrw.c). */
	*writer = w && !*readers;
	return 0;
}
