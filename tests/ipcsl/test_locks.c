/*
 * Locks on a set made as Perl makes it, three semaphores, which has no
 * count of waiting writers: readers never queue behind a waiting writer
 * there, as in IPC::ShareLite.
 */
#include <sys/file.h>	/* first: the LOCK_* values must agree with ours */
#include "ipcsl.h"

static void test_perl_set_keeps_unqueued_readers(void **unused)
{
	(void)unused;
	key_t key = test_use_key(2);
	struct share_info info;
	struct test_chan c;
	share_t *s;
	pid_t writer, reader;
	int semid = semget(key, TEST_SEM_WRITERS_WAITING, IPC_CREAT | IPC_EXCL | 0600);

	assert_true(semid >= 0);
	s = test_open(key, 0, IPC_CREAT);
	assert_int_equal(share_stat(s, &info), 0);
	assert_int_equal(info.semid, semid);
	assert_int_equal(info.writers_waiting, -1);	/* not counted */
	assert_int_equal(share_store(s, "before", 6), 0);
	assert_int_equal(share_lock(s, LOCK_SH), 0);

	writer = test_fork(&c);
	if (writer == 0) {
		share_t *h = share_new(key, 0, 0);

		child_check(h != NULL);
		child_check(share_store(h, "child", 5) == 0);
		child_check(share_close(h) == 0);
		child_check(test_send(&c, 'd') == 0);
		_exit(0);
	}
	assert_int_equal(test_child_waits(&c, s), 1);
	/* A new reader still gets in beside the one that holds LOCK_SH. */
	reader = test_fork(NULL);
	if (reader == 0) {
		share_t *h = share_new(key, 0, 0);

		child_check(h != NULL);
		child_check(share_lock(h, LOCK_SH | LOCK_NB) == 0);
		child_check(share_close(h) == 0);
		_exit(0);
	}
	assert_int_equal(test_wait(reader), 0);
	assert_int_equal(share_unlock(s), 0);
	assert_int_equal(test_recv(&c), 'd');
	assert_int_equal(test_wait(writer), 0);
	test_assert_value(s, "child");
	assert_int_equal(test_close(s), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		test_case(test_perl_set_keeps_unqueued_readers),
	};

	return test_run(tests);
}
