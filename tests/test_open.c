/*
 * Opening a share, and what the handle says about it: version, segments,
 * the size asked for once the share exists, an open that never waits for
 * a lock. What the format's objects look like: tests/ipcsl/test_open.c.
 */
#include <config.h>
#include "harness.h"

static void test_library_version(void **unused)
{
	(void)unused;
	assert_string_equal(sharelite_version(), SHARELITE_VERSION_STRING);
	assert_string_equal(sharelite_version(), PACKAGE_VERSION);
	assert_int_equal(SHARELITE_VERSION_NUMBER,
			 (SHARELITE_VERSION_MAJOR << 16) | (SHARELITE_VERSION_MINOR << 8) |
			 SHARELITE_VERSION_PATCH);
}

static void test_version_counts_stores(void **unused)
{
	(void)unused;
	share_t *s = test_private(64);
	unsigned char buf[70];

	test_fill(buf, sizeof(buf), 0);
	assert_int_equal(share_version(s), 1);
	for (unsigned i = 1; i <= 10; i++) {
		assert_int_equal(share_store(s, buf, i * 7), 0);
		assert_int_equal(share_version(s), 1 + i);
	}
	/* Fetching and locking change nothing. */
	free(test_fetch(s));
	assert_int_equal(share_lock(s, LOCK_EX), 0);
	assert_int_equal(share_unlock(s), 0);
	assert_int_equal(share_version(s), 11);
	/* Neither does a failed store. */
	assert_int_equal(share_store(s, NULL, 1), -1);
	assert_int_equal(share_version(s), 11);
	assert_int_equal(test_close(s), 0);
}

static void test_num_segments(void **unused)
{
	(void)unused;
	/* 100 data bytes a segment in the Perl format; 64 a slot, the
	 * smallest head, in the native one. */
	share_t *s = test_private(116);
	static const size_t lengths[] = { 100, 101, 1001, 0 };
	unsigned char buf[1001];
	size_t previous = 0;

	test_fill(buf, sizeof(buf), 5);
	assert_int_equal(share_num_segments(s), 1);
	for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
		assert_int_equal(share_store(s, buf, lengths[i]), 0);
		assert_int_equal(share_num_segments(s), test_segments(s, lengths[i], previous));
		previous = lengths[i];
	}
	assert_int_equal(test_close(s), 0);
}

/* The size asked for does not matter once the share exists. */
static void test_open_existing_any_size(void **unused)
{
	(void)unused;
	static const size_t sizes[] = {
		0, SHARELITE_HEADER_SIZE + 1, 100, 4095, 4096, 4097, 65536, 1 << 20,
		(size_t)SHARELITE_MAX_LENGTH + 1,
	};
	key_t key = test_use_key(1);
	share_t *s = test_open(key, 4096, IPC_CREAT | IPC_EXCL);
	unsigned char buf[10000];

	test_fill(buf, sizeof(buf), 2);
	assert_int_equal(share_store(s, buf, sizeof(buf)), 0);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		share_t *t = test_open(key, sizes[i], i % 2 ? IPC_CREAT : 0);
		void *got = NULL;

		assert_int_equal(share_segment_size(t), 4096);
		assert_int_equal(share_fetch(t, &got), sizeof(buf));
		assert_memory_equal(got, buf, sizeof(buf));
		free(got);
		assert_int_equal(share_num_segments(t),
				 test_segments(t, sizeof(buf), i == 0 ? 0 : sizeof(buf)));
		assert_int_equal(share_store(t, buf, 4081), 0);
		assert_int_equal(share_num_segments(s), test_segments(s, 4081, sizeof(buf)));
		assert_int_equal(share_store(t, buf, sizeof(buf)), 0);
		assert_int_equal(test_close(t), 0);
	}
	assert_int_equal(test_close(s), 0);
}

/* Opening and closing without destroy leave the value to the next opener. */
static void test_reopen_keeps_value(void **unused)
{
	(void)unused;
	key_t key = test_use_key(1);
	share_t *s = test_open(key, 0, IPC_CREAT | IPC_EXCL);

	assert_int_equal(share_store(s, "stays", 5), 0);
	assert_int_equal(test_close(s), 0);
	s = test_open(key, 0, IPC_CREAT);
	test_assert_value(s, "stays");
	assert_int_equal(share_version(s), 2);
	assert_int_equal(test_close(s), 0);
}

/* An initialised share is opened without its lock: no wait for a holder. */
static void test_open_does_not_wait_for_lock(void **unused)
{
	(void)unused;
	key_t key = test_use_key(1);
	share_t *s = test_open(key, 4096, IPC_CREAT | IPC_EXCL);
	struct test_chan holder, opener;
	pid_t hpid, opid;

	assert_int_equal(share_store(s, "held", 4), 0);
	hpid = test_fork(&holder);
	if (hpid == 0) {
		share_t *h = share_new(key, 0, 0);

		child_check(h && share_lock(h, LOCK_EX) == 0);
		child_check(test_send(&holder, 'L') == 0);
		child_check(test_recv(&holder) == 'u');
		child_check(share_close(h) == 0);
		_exit(0);
	}
	assert_int_equal(test_recv(&holder), 'L');
	test_assert_locks(s, 0, 1);

	for (int flags = 0; flags <= IPC_CREAT; flags += IPC_CREAT) {
		opid = test_fork(&opener);
		if (opid == 0) {
			share_t *o = share_new(key, 65536, flags);

			child_check(o != NULL);
			child_check(share_segment_size(o) == 4096);
			child_check(share_close(o) == 0);
			child_check(test_send(&opener, 'o') == 0);
			_exit(0);
		}
		assert_int_equal(test_child_waits(&opener, s), 0);
		assert_int_equal(test_recv(&opener), 'o');
		assert_int_equal(test_wait(opid), 0);
	}
	assert_int_equal(test_send(&holder, 'u'), 0);
	assert_int_equal(test_wait(hpid), 0);
	test_assert_locks(s, 0, 0);
	assert_int_equal(test_close(s), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		test_case(test_library_version),
		test_case(test_version_counts_stores),
		test_case(test_num_segments),
		test_case(test_open_existing_any_size),
		test_case(test_reopen_keeps_value),
		test_case(test_open_does_not_wait_for_lock),
	};

	return test_run(tests);
}
