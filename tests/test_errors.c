/*
 * Bad arguments to every public function, each with its exact errno, and
 * nothing changed or held afterwards. Errors that come from another
 * program changing the format's objects: tests/ipcsl/test_errors.c.
 */
#include <limits.h>
#include "harness.h"

static void test_null_handle(void **unused)
{
	(void)unused;
	struct share_info info;
	char buf[4];
	void *data = buf;

	assert_fails(share_close(NULL), -1, EINVAL);
	assert_fails(share_remove(NULL), -1, EINVAL);
	assert_fails(share_store(NULL, "x", 1), -1, EINVAL);
	assert_fails(share_fetch(NULL, &data), -1, EINVAL);
	assert_null(data);	/* safe to free() */
	assert_fails(share_fetch_into(NULL, buf, sizeof(buf)), -1, EINVAL);
	assert_fails(share_lock(NULL, LOCK_SH), -1, EINVAL);
	assert_fails(share_unlock(NULL), -1, EINVAL);
	assert_fails(share_version(NULL), 0u, EINVAL);
	assert_fails(share_num_segments(NULL), -1, EINVAL);
	assert_fails(share_stat(NULL, &info), -1, EINVAL);
	assert_fails(share_key(NULL), 0, EINVAL);
	assert_fails(share_flags(NULL), 0, EINVAL);
	assert_fails(share_mode(NULL), 0u, EINVAL);
	assert_fails(share_segment_size(NULL), 0u, EINVAL);
	assert_fails(share_get_destroy(NULL), 0, EINVAL);
	share_set_destroy(NULL, 1);	/* nothing to set: no crash */
}

static void test_null_arguments(void **unused)
{
	(void)unused;
	share_t *s = test_private(0);
	key_t key;

	assert_int_equal(share_store(s, "keep", 4), 0);
	assert_fails(share_fetch(s, NULL), -1, EINVAL);
	assert_fails(share_fetch_into(s, NULL, 1), -1, EINVAL);
	assert_fails(share_stat(s, NULL), -1, EINVAL);
	assert_fails(share_store(s, NULL, 1), -1, EINVAL);
	assert_fails(share_key_from_string(NULL, &key), -1, EINVAL);
	assert_fails(share_key_from_string("data", NULL), -1, EINVAL);
	/* None of them touched the value or left a lock. */
	test_assert_value(s, "keep");
	assert_int_equal(share_version(s), 2);
	test_assert_locks(s, 0, 0);
	assert_int_equal(test_close(s), 0);
}

static void test_null_data_without_length(void **unused)
{
	(void)unused;
	share_t *s = test_private(0);

	assert_int_equal(share_store(s, "old", 3), 0);
	assert_int_equal(share_store(s, NULL, 0), 0);
	test_assert_value(s, "");
	/* NULL with size 0 asks for the length only. */
	assert_int_equal(share_store(s, "four", 4), 0);
	assert_int_equal(share_fetch_into(s, NULL, 0), 4);
	assert_int_equal(test_close(s), 0);
}

static void test_invalid_flags(void **unused)
{
	(void)unused;
	static const int bad[] = {
		04000,			/* IPC_NOWAIT */
		010000,			/* SHM_NORESERVE */
		IPC_CREAT | 04000,
		IPC_CREAT | 0600 | 0100000,
		1 << 20,
		INT_MIN,
		-1,
	};
	key_t key = test_use_key(1);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_fails(share_new(key, 0, bad[i]), NULL, EINVAL);
		assert_fails(share_new(IPC_PRIVATE, 0, bad[i]), NULL, EINVAL);
	}
	assert_true(test_key_gone(key));
}

static void test_invalid_segment_sizes(void **unused)
{
	(void)unused;
	key_t key = test_use_key(1);

	for (size_t size = 1; size <= SHARELITE_HEADER_SIZE; size++) {
		assert_fails(share_new(key, size, IPC_CREAT), NULL, EINVAL);
		assert_fails(share_new(IPC_PRIVATE, size, IPC_CREAT), NULL, EINVAL);
	}
#if SIZE_MAX > 0x80000000u
	static const size_t huge[] = {
		(size_t)0x80000000u + 1, (size_t)1 << 32, (size_t)1 << 40, SIZE_MAX,
	};
	for (size_t i = 0; i < sizeof(huge) / sizeof(huge[0]); i++) {
		assert_fails(share_new(key, huge[i], IPC_CREAT), NULL, EINVAL);
		assert_fails(share_new(IPC_PRIVATE, huge[i], IPC_CREAT), NULL, EINVAL);
	}
#endif
	assert_true(test_key_gone(key));
}

static void test_smallest_segment_size(void **unused)
{
	(void)unused;
	/* One data byte per segment, in the Perl format. */
	share_t *s = test_private(SHARELITE_HEADER_SIZE + 1);

	assert_int_equal(share_segment_size(s), test_segment_size(IPC_PRIVATE, SHARELITE_HEADER_SIZE + 1));
	assert_int_equal(share_store(s, "0123456789", 10), 0);
	assert_int_equal(share_num_segments(s), test_segments(s, 10, 0));
	test_assert_value(s, "0123456789");
	assert_int_equal(test_close(s), 0);
}

static void test_create_exclusive_existing(void **unused)
{
	(void)unused;
	key_t key = test_use_key(1);
	share_t *s = test_open(key, 0, IPC_CREAT | IPC_EXCL);

	assert_int_equal(share_store(s, "first", 5), 0);
	assert_fails(share_new(key, 0, IPC_CREAT | IPC_EXCL), NULL, EEXIST);
	assert_fails(share_new(key, 4096, IPC_CREAT | IPC_EXCL | 0644), NULL, EEXIST);
	/* The share is as it was, and the failed opens left no lock. */
	test_assert_value(s, "first");
	assert_int_equal(share_version(s), 2);
	test_assert_locks(s, 0, 0);
	assert_int_equal(test_close(s), 0);
}

static void test_missing_key_without_create(void **unused)
{
	(void)unused;
	key_t key = test_use_key(1);

	assert_fails(share_new(key, 0, 0), NULL, ENOENT);
	assert_fails(share_new(key, 4096, 0640), NULL, ENOENT);
	assert_true(test_key_gone(key));	/* nothing was created */
}

static void test_invalid_lock_operations(void **unused)
{
	(void)unused;
	static const int bad[] = {
		0,
		LOCK_NB,
		LOCK_SH | LOCK_EX,
		LOCK_SH | LOCK_EX | LOCK_NB,
		LOCK_UN | LOCK_SH,
		LOCK_UN | LOCK_EX,
		LOCK_UN | LOCK_SH | LOCK_NB,
		16,
		LOCK_SH | 16,
		LOCK_EX | 0x100,
		INT_MIN,
		-1,
	};
	share_t *s = test_private(0);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_fails(share_lock(s, bad[i]), -1, EINVAL);
		test_assert_locks(s, 0, 0);
	}
	/* Nor does a bad operation drop a lock that is held. */
	assert_int_equal(share_lock(s, LOCK_SH), 0);
	assert_fails(share_lock(s, LOCK_UN | LOCK_EX), -1, EINVAL);
	assert_fails(share_lock(s, 0), -1, EINVAL);
	test_assert_locks(s, 1, 0);
	assert_int_equal(share_unlock(s), 0);
	assert_int_equal(test_close(s), 0);
}

static void test_value_too_large(void **unused)
{
	(void)unused;
	share_t *s = test_private(0);
	char small[8] = "small";

	assert_int_equal(share_store(s, "keep", 4), 0);
	/* The length is checked before a byte is read. */
	assert_fails(share_store(s, small, (size_t)SHARELITE_MAX_LENGTH + 1), -1, EFBIG);
	assert_fails(share_store(s, small, SIZE_MAX), -1, EFBIG);
	assert_fails(share_store(s, small, (size_t)-1 / 2 + 1), -1, EFBIG);
	test_assert_value(s, "keep");
	assert_int_equal(share_version(s), 2);
	test_assert_locks(s, 0, 0);
	assert_int_equal(test_close(s), 0);
}

static void test_removed_handle(void **unused)
{
	(void)unused;
	key_t key = test_use_key(1);
	share_t *s = test_open(key, 0, IPC_CREAT | IPC_EXCL | 0640);

	assert_int_equal(share_store(s, "gone", 4), 0);
	assert_int_equal(share_remove(s), 0);
	assert_true(test_key_gone(key));

	test_assert_removed(s);
	/* What it was opened with is still known. */
	assert_int_equal(share_key(s), key);
	assert_int_equal(share_flags(s), IPC_CREAT | IPC_EXCL | 0640 | test_format()->flags);
	assert_int_equal(share_mode(s), 0640);
	assert_int_equal(share_segment_size(s), SHARELITE_DEFAULT_SEGMENT_SIZE);
	assert_int_equal(test_close(s), 0);
}

/* A lock held when the share is removed goes with it. */
static void test_remove_while_locked(void **unused)
{
	(void)unused;
	share_t *s = test_private(0);

	assert_int_equal(share_lock(s, LOCK_SH), 0);
	assert_int_equal(share_remove(s), 0);
	assert_fails(share_unlock(s), -1, EIDRM);
	assert_int_equal(test_close(s), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		test_case(test_null_handle),
		test_case(test_null_arguments),
		test_case(test_null_data_without_length),
		test_case(test_invalid_flags),
		test_case(test_invalid_segment_sizes),
		test_case(test_smallest_segment_size),
		test_case(test_create_exclusive_existing),
		test_case(test_missing_key_without_create),
		test_case(test_invalid_lock_operations),
		test_case(test_value_too_large),
		test_case(test_removed_handle),
		test_case(test_remove_while_locked),
	};

	return test_run(tests);
}
