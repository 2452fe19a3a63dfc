/*
 * Errors that only another program can cause in the Perl format: a key
 * taken by objects that are no share, a head segment removed by hand,
 * semaphores reset or filled, a chain removed through another handle.
 */
#include "ipcsl.h"

/* A key's semaphores or segment that some other program made. */
static void test_key_of_something_else(void **unused)
{
	(void)unused;
	key_t key = test_use_key(1);
	int semid, shmid;

	semid = semget(key, 1, IPC_CREAT | IPC_EXCL | 0600);
	assert_true(semid >= 0);
	assert_fails(share_new(key, 0, IPC_CREAT), NULL, EEXIST);
	assert_int_equal(semctl(semid, 0, IPC_RMID), 0);

	shmid = shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600);
	assert_true(shmid >= 0);
	assert_fails(share_new(key, 0, IPC_CREAT), NULL, EEXIST);
	/* The segment is left alone, and no set is left behind. */
	assert_false(test_shm_gone(shmid));
	assert_true(semget(key, 0, 0) < 0 && errno == ENOENT);
	assert_int_equal(shmctl(shmid, IPC_RMID, NULL), 0);
}

/* The head segment removed by hand: the set alone is no share to open. */
static void test_head_removed_by_hand(void **unused)
{
	(void)unused;
	key_t key = test_use_key(1);
	share_t *s = test_open(key, 0, IPC_CREAT | IPC_EXCL);

	assert_int_equal(test_close(s), 0);
	assert_int_equal(shmctl(shmget(key, 0, 0), IPC_RMID, NULL), 0);
	assert_fails(share_new(key, 0, 0), NULL, ENOENT);
	assert_fails(share_new(key, 0, IPC_EXCL), NULL, ENOENT);
}

/* Another process reset the semaphore that records this handle's lock. */
static void test_lock_semaphore_reset(void **unused)
{
	(void)unused;
	share_t *s = test_private(0);
	int semid = test_semid(s);

	assert_int_equal(share_lock(s, LOCK_SH), 0);
	assert_int_equal(semctl(semid, TEST_SEM_READERS, SETVAL, 0), 0);
	assert_fails(share_unlock(s), -1, EAGAIN);

	s = test_private(0);
	semid = test_semid(s);
	assert_int_equal(share_lock(s, LOCK_EX), 0);
	assert_int_equal(semctl(semid, TEST_SEM_WRITER, SETVAL, 0), 0);
	assert_fails(share_lock(s, LOCK_SH), -1, EAGAIN);	/* downgrade */
	assert_fails(share_unlock(s), -1, EAGAIN);
}

/* SEMVMX shared locks: no room for one more. */
static void test_too_many_shared_locks(void **unused)
{
	(void)unused;
	share_t *s = test_private(0);
	int semid = test_semid(s);
	void *data = NULL;
	char buf[4];

	assert_int_equal(share_store(s, "full", 4), 0);
	assert_int_equal(semctl(semid, TEST_SEM_READERS, SETVAL, 32767), 0);
	assert_fails(share_lock(s, LOCK_SH), -1, ERANGE);
	assert_fails(share_lock(s, LOCK_SH | LOCK_NB), -1, ERANGE);
	assert_fails(share_fetch(s, &data), -1, ERANGE);
	assert_null(data);
	assert_fails(share_fetch_into(s, buf, sizeof(buf)), -1, ERANGE);
	assert_fails(share_num_segments(s), -1, ERANGE);
	test_assert_locks(s, 32767, 0);

	/* A downgrade that finds no room keeps the exclusive lock. */
	assert_int_equal(semctl(semid, TEST_SEM_READERS, SETVAL, 0), 0);
	assert_int_equal(share_lock(s, LOCK_EX), 0);
	assert_int_equal(semctl(semid, TEST_SEM_READERS, SETVAL, 32767), 0);
	assert_fails(share_lock(s, LOCK_SH), -1, ERANGE);
	test_assert_locks(s, 32767, 1);
	test_assert_value(s, "full");	/* still ours to read */
	assert_int_equal(share_unlock(s), 0);
	test_assert_locks(s, 32767, 0);
}

static void test_removed_through_other_handle(void **unused)
{
	(void)unused;
	key_t key = test_use_key(1);
	share_t *a = test_open(key, 128, IPC_CREAT | IPC_EXCL);
	share_t *b = test_open(key, 0, 0);
	unsigned char buf[120];
	int ids[16], n;

	test_fill(buf, sizeof(buf), 1);
	assert_int_equal(share_store(a, buf, sizeof(buf)), 0);
	free(test_fetch(b));	/* b maps the whole chain */
	n = test_chain_ids(a, ids, 16);
	assert_int_equal(n, 2);
	assert_int_equal(share_remove(a), 0);
	assert_true(test_key_gone(key));

	test_assert_removed(b);
	assert_int_equal(test_close(b), 0);
	/* The segments b had mapped went with its close. */
	for (int i = 0; i < n; i++)
		assert_true(test_shm_gone(ids[i]));
	assert_int_equal(test_close(a), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		test_case(test_key_of_something_else),
		test_case(test_head_removed_by_hand),
		test_case(test_lock_semaphore_reset),
		test_case(test_too_many_shared_locks),
		test_case(test_removed_through_other_handle),
	};

	return test_run(tests);
}
