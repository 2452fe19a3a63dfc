/*
 * semlock.c - IPC::ShareLite's lock protocol: its semaphore set as
 * semrw.c's layout, and how long a lock spins before it sleeps.
 */
#include "semlock.h"
#include "semrw.h"

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

static const struct sl_semrw_layout perl_layout = {
	.readers = SEMLOCK_READERS,
	.writer = SEMLOCK_WRITER,
	.writers_waiting = SEMLOCK_WRITERS_WAITING,
	.spin_ns = SEMLOCK_SPIN_NS,
};

_Static_assert(SEMLOCK_NONBLOCK == SL_SEMRW_NONBLOCK && SEMLOCK_RESTART == SL_SEMRW_RESTART &&
	       SEMLOCK_QUEUED == SL_SEMRW_QUEUED, "semlock.h's flags are semrw.h's");

int sl_semlock_change_until(int semid, int from, int to, int flags,
			    const struct timespec *deadline, int *held)
{
	return sl_semrw_change(&perl_layout, semid, from, to, flags, deadline, held);
}
