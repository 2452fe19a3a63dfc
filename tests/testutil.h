/*
 * testutil.h - what every test program shares: cmocka, keys that collide
 * with nobody, and counting the SysV objects a test leaves behind.
 */
#ifndef SHARELITE_TESTUTIL_H
#define SHARELITE_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/wait.h>

#include "sharelite.h"

/*
 * A key for this test program's n-th share: the pid in the high bits, so
 * programs running at once never meet, and a tag that says "test".
 */
static inline key_t test_key(unsigned n)
{
	return (key_t)(0x5e000000u | (((unsigned)getpid() & 0x3fffu) << 8) | (n & 0xffu));
}

/* Remove whatever a test left under its key, even after a failure. */
static inline void test_remove_key(key_t key)
{
	share_t *s = share_new(key, 0, 0);

	if (s) {
		share_remove(s);
		share_close(s);
		return;
	}
	/* Not a share (any more): remove the objects themselves. */
	int id = shmget(key, 0, 0);
	if (id >= 0)
		shmctl(id, IPC_RMID, NULL);
	id = semget(key, 0, 0);
	if (id >= 0)
		semctl(id, 0, IPC_RMID);
}

/* Number of shm segments and semaphore sets that exist on the system. */
static inline int test_ipc_objects(void)
{
	struct shm_info si;
	struct seminfo se;
	int n = 0;

	if (shmctl(0, SHM_INFO, (struct shmid_ds *)&si) >= 0)
		n += si.used_ids;
	if (semctl(0, 0, SEM_INFO, &se) >= 0)
		n += se.semusz;
	return n;
}

/* Wait for a child and return its exit status, or -1 if it did not exit. */
static inline int test_wait(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

#endif /* SHARELITE_TESTUTIL_H */
