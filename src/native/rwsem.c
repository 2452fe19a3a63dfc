/*
 * rwsem.c - the native format's two semaphores as semrw.c's layout. The
 * explicit locks are rare next to the lock-free stores and fetches, so a
 * lock that must wait sleeps at once rather than spin.
 */
#include <errno.h>
#include <sys/ipc.h>
#include <sys/sem.h>

#include "rwsem.h"
#include "semrw.h"

static const struct sl_semrw_layout native_layout = {
	.readers = RWSEM_READERS,
	.writer = RWSEM_WRITER,
	.spin_ns = 0,
};

_Static_assert(RWSEM_NONBLOCK == SL_SEMRW_NONBLOCK && RWSEM_RESTART == SL_SEMRW_RESTART,
	       "rwsem.h's flags are semrw.h's");

int sl_rwsem_change(int semid, int from, int to, int flags,
		    const struct timespec *deadline, int *held)
{
	return sl_semrw_change(&native_layout, semid, from, to, flags, deadline, held);
}

int sl_rwsem_free(int semid)
{
	return sl_semrw_free(&native_layout, semid);
}

int sl_rwsem_value(int semid, int num)
{
	int v = semctl(semid, num, GETVAL);

	if (v < 0 && errno == EINVAL)
		errno = EIDRM;
	return v;
}
