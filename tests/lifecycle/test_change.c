/* Change detection: fetch only when the version moved, wait for it to move. */
#include "ipcsl.h"

static int setup(void **state)
{
	share_t *s = share_new(IPC_PRIVATE, 64, IPC_CREAT);

	if (!s)
		return -1;
	share_set_destroy(s, 1);
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	return share_close(*state);
}

static void test_fetch_if_changed(void **state)
{
	share_t *s = *state;
	unsigned int seen = 0;
	void *data;
	size_t length;

	/* Never seen: fetches the empty value and learns version 1. */
	assert_int_equal(share_fetch_if_changed(s, &seen, &data, &length), 1);
	assert_int_equal(seen, 1);
	assert_int_equal(length, 0);
	free(data);
	/* Nothing stored since: no copy at all. */
	assert_int_equal(share_fetch_if_changed(s, &seen, &data, &length), 0);
	assert_null(data);
	assert_int_equal(length, 0);

	assert_int_equal(share_store(s, "one hundred bytes and more, to span two segments of 48 data bytes each", 71), 0);
	assert_int_equal(share_fetch_if_changed(s, &seen, &data, &length), 1);
	assert_int_equal(seen, 2);
	assert_int_equal(length, 71);
	assert_memory_equal(data, "one hundred", 11);
	free(data);
	assert_int_equal(share_fetch_if_changed(s, &seen, &data, &length), 0);
}

static void test_fetch_if_changed_keeps_callers_lock(void **state)
{
	share_t *s = *state;
	unsigned int seen = 0;
	void *data;
	size_t length;

	assert_int_equal(share_lock(s, LOCK_EX), 0);
	assert_int_equal(share_store(s, "x", 1), 0);
	assert_int_equal(share_fetch_if_changed(s, &seen, &data, &length), 1);
	free(data);
	/* Still ours: a non-blocking LOCK_EX on a second handle is refused. */
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(share_lock(s, LOCK_EX | LOCK_NB) == -1 && errno == EWOULDBLOCK ? 0 : 1);
	assert_int_equal(test_wait(pid), 0);
	assert_int_equal(share_unlock(s), 0);
}

static void test_bad_arguments(void **state)
{
	share_t *s = *state;
	unsigned int seen = 0;
	void *data;
	size_t length;

	errno = 0;
	assert_int_equal(share_fetch_if_changed(NULL, &seen, &data, &length), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(share_fetch_if_changed(s, NULL, &data, &length), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(share_fetch_if_changed(s, &seen, NULL, &length), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(share_fetch_if_changed(s, &seen, &data, NULL), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(share_wait_change(NULL, 1, 0), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(share_wait_change(s, 1, -2), -1);
	assert_int_equal(errno, EINVAL);
}

/* What the error paths leave: sentinels show what they did not touch. */
static void *const untouched_data = (void *)&untouched_data;
#define UNTOUCHED_LENGTH ((size_t)12345)

/* Fails with err, *data NULL, *length 0 and *version unchanged. */
static void assert_fetch_if_changed_fails(share_t *s, int err)
{
	unsigned int seen = 7;
	void *data = untouched_data;
	size_t length = UNTOUCHED_LENGTH;

	errno = 0;
	assert_int_equal(share_fetch_if_changed(s, &seen, &data, &length), -1);
	assert_int_equal(errno, err);
	assert_null(data);
	assert_int_equal(length, 0);
	assert_int_equal(seen, 7);
}

static void test_fetch_if_changed_error_paths(void **state)
{
	share_t *s = *state, *gone;
	unsigned int seen = 0;
	void *data = untouched_data;
	size_t length = UNTOUCHED_LENGTH;
	int32_t *head;
	int shmid;

	assert_fetch_if_changed_fails(NULL, EINVAL);

	/* A NULL pointer: what can be set still is. */
	errno = 0;
	assert_int_equal(share_fetch_if_changed(s, NULL, &data, &length), -1);
	assert_int_equal(errno, EINVAL);
	assert_null(data);
	assert_int_equal(length, 0);
	length = UNTOUCHED_LENGTH;
	errno = 0;
	assert_int_equal(share_fetch_if_changed(s, &seen, NULL, &length), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(length, 0);
	data = untouched_data;
	errno = 0;
	assert_int_equal(share_fetch_if_changed(s, &seen, &data, NULL), -1);
	assert_int_equal(errno, EINVAL);
	assert_null(data);
	assert_int_equal(seen, 0);

	/* Removed through this handle, and removed by another process. */
	gone = share_new(IPC_PRIVATE, 0, IPC_CREAT);
	assert_non_null(gone);
	assert_int_equal(share_remove(gone), 0);
	assert_fetch_if_changed_fails(gone, EIDRM);
	assert_int_equal(share_close(gone), 0);
	gone = share_new(IPC_PRIVATE, 0, IPC_CREAT);
	assert_non_null(gone);
	shmid = test_shmid(gone);
	assert_int_equal(semctl(test_semid(gone), 0, IPC_RMID), 0);
	assert_fetch_if_changed_fails(gone, EIDRM);
	assert_int_equal(share_close(gone), 0);
	test_remove_chain(shmid);

	/* The fetch fails: a length no value has (the head's second field). */
	head = shmat(test_shmid(s), NULL, 0);
	assert_true(head != (void *)-1);
	__atomic_store_n(&head[1], -1, __ATOMIC_RELAXED);
	assert_fetch_if_changed_fails(s, EBADMSG);
	__atomic_store_n(&head[1], 0, __ATOMIC_RELAXED);
	shmdt(head);
}

static void test_wait_times_out_without_change(void **state)
{
	share_t *s = *state;

	assert_int_equal(share_wait_change(s, share_version(s), 0), 0);
	assert_int_equal(share_wait_change(s, share_version(s), 30), 0);
	/* A version the caller has not seen returns at once. */
	assert_int_equal(share_wait_change(s, share_version(s) - 1, -1), 1);
}

static void test_wait_sees_another_process_store(void **state)
{
	share_t *s = *state;
	unsigned int v = share_version(s);
	int go[2];
	pid_t pid;

	assert_int_equal(pipe(go), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char c;

		close(go[1]);
		/* Store only once the parent is about to wait. */
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		_exit(share_store(s, "changed", 7) == 0 ? 0 : 1);
	}
	close(go[0]);
	assert_int_equal(write(go[1], "g", 1), 1);
	close(go[1]);
	/* No timeout: only the child's store can end this wait. */
	assert_int_equal(share_wait_change(s, v, -1), 1);
	assert_int_equal(share_version(s), v + 1);
	assert_int_equal(test_wait(pid), 0);
}

static void test_wait_on_removed_share(void **state)
{
	(void)state;
	share_t *s = share_new(IPC_PRIVATE, 0, IPC_CREAT);

	assert_non_null(s);
	/* The child removes the share through the handle it inherited. */
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(share_remove(s) == 0 ? 0 : 1);
	assert_int_equal(test_wait(pid), 0);
	assert_int_equal(share_wait_change(s, 1, -1), -1);
	assert_int_equal(errno, EIDRM);
	assert_int_equal(share_close(s), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fetch_if_changed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fetch_if_changed_keeps_callers_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fetch_if_changed_error_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wait_times_out_without_change, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wait_sees_another_process_store, setup, teardown),
		cmocka_unit_test(test_wait_on_removed_share),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
