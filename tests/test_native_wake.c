/* share_wait_change() on a native share loses no wake-up: a store that
 * races a waiter going to sleep on the futex always wakes it. */
#include "harness.h"

/* Rounds of "waiter ready, store at once": each round is one chance for a
 * wake-up to be lost between the waiter's look and its sleep. */
#define ROUNDS 3000
/* A waiter that misses its wake-up sleeps this long, then the test fails. */
#define LOST_MS 10000

static void test_no_lost_wake_up(void **unused)
{
	(void)unused;
	share_t *s = share_new(IPC_PRIVATE, 0, IPC_CREAT | SHARE_NATIVE | 0600);
	struct test_chan c;
	pid_t pid;

	assert_non_null(s);
	test_adopt(s);
	pid = test_fork(&c);
	if (pid == 0) {
		for (int i = 0; i < ROUNDS; i++) {
			unsigned int v = share_version(s);

			child_check(v != 0);
			child_check(test_send(&c, 'r') == 0);
			/* 1: changed; 0 would be a wake-up lost for LOST_MS. */
			child_check(share_wait_change(s, v, LOST_MS) == 1);
			child_check(share_version(s) != v);
		}
		_exit(0);
	}
	for (int i = 0; i < ROUNDS; i++) {
		assert_int_equal(test_recv(&c), 'r');
		assert_int_equal(share_store(s, &i, sizeof(i)), 0);
	}
	assert_int_equal(test_wait(pid), 0);
	assert_int_equal(test_close(s), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		test_case(test_no_lost_wake_up),
	};

	return test_run(tests);
}
