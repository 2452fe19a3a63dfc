/*
 * Timeouts where the Perl format's semaphores are set by hand: an open
 * that finds the set not yet initialised waits at most its timeout.
 */
#include "ipcsl.h"

#define SHORT_MS 50

/*
 * The slow open path, for a share whose creator has not initialised it
 * yet, waits for the creator's lock: share_new_timeout() bounds it, and
 * leaves the share alone. A raw semop stands for the creator.
 */
static void test_open_times_out(void **unused)
{
	(void)unused;
	key_t key = test_use_key(1);
	share_t *s = test_open(key, 0, IPC_CREAT | IPC_EXCL);
	int semid = test_semid(s);
	struct test_chan c;
	pid_t pid;

	assert_int_equal(share_store(s, "before", 6), 0);
	assert_int_equal(test_close(s), 0);
	assert_int_equal(semctl(semid, TEST_SEM_INIT, SETVAL, 0), 0);
	pid = test_fork(&c);
	if (pid == 0) {
		struct sembuf take[] = {
			{ TEST_SEM_READERS, 0, 0 },
			{ TEST_SEM_WRITER, 0, 0 },
			{ TEST_SEM_WRITER, 1, SEM_UNDO },
		};

		child_check(semop(semid, take, 3) == 0);
		child_check(test_send(&c, 'L') == 0);
		child_check(test_recv(&c) == 'u');
		_exit(0);	/* SEM_UNDO gives the lock back */
	}
	assert_int_equal(test_recv(&c), 'L');
	assert_fails(share_new_timeout(key, 0, 0, SHORT_MS), NULL, ETIMEDOUT);
	assert_fails(share_new_timeout(key, 0, IPC_CREAT, 0), NULL, ETIMEDOUT);
	assert_int_equal(semget(key, 0, 0), semid);	/* still there */
	assert_int_equal(semctl(semid, TEST_SEM_WRITER, GETVAL), 1);
	assert_int_equal(test_sem_waiters(semid), 0);

	assert_int_equal(test_send(&c, 'u'), 0);
	assert_int_equal(test_wait(pid), 0);
	s = share_new_timeout(key, 0, 0, SHORT_MS);
	assert_non_null(s);
	assert_int_equal(share_timeout(s), SHORT_MS);
	assert_int_equal(semctl(semid, TEST_SEM_INIT, GETVAL), 1);
	assert_int_equal(share_close(s), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		test_case(test_open_times_out),
	};

	return test_run(tests);
}
