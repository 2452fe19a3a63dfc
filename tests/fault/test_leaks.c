/*
 * Nothing is left behind: removing a share removes every segment its chain
 * has now, even through a handle whose mappings are from an older chain.
 * The counts are the system's, in an IPC namespace of this test's own.
 */
#include "fault.h"

#define SEGSZ 64
#define DATA (SEGSZ - SHARELITE_HEADER_SIZE)

static unsigned char value[DATA * 2 + 1];	/* three segments */

enum how { BY_REMOVE, BY_CLOSE_DESTROY, BY_CLEAN_UP };

/*
 * A handle maps a three-segment chain; another handle stores one byte,
 * which removes the overflow segments, then three segments again, which
 * makes new ones. The first handle, still mapping the old ones, removes
 * the share.
 */
static void remove_through_stale_handle(enum how how)
{
	struct test_ipc_counts before = test_ipc_counts(), after;
	key_t key = test_use_key(0);
	share_t *stale = share_new(key, SEGSZ, IPC_CREAT | IPC_EXCL), *other;

	assert_non_null(stale);
	assert_int_equal(share_store(stale, value, sizeof(value)), 0);
	assert_int_equal(share_num_segments(stale), 3);
	other = share_new(key, 0, 0);
	assert_non_null(other);
	assert_int_equal(share_store(other, "x", 1), 0);
	assert_int_equal(share_store(other, value, sizeof(value)), 0);

	switch (how) {
	case BY_REMOVE:
		assert_int_equal(share_remove(stale), 0);
		assert_int_equal(test_close(stale), 0);
		break;
	case BY_CLOSE_DESTROY:
		share_set_destroy(stale, 1);
		assert_int_equal(test_close(stale), 0);
		break;
	case BY_CLEAN_UP:
		assert_int_equal(share_clean_up(), 0);
		assert_int_equal(test_close(stale), 0);
		break;
	}
	assert_true(test_key_gone(key));
	assert_int_equal(test_close(other), 0);
	after = test_ipc_counts();
	assert_int_equal(after.segments, before.segments);
	assert_int_equal(after.sets, before.sets);
}

static void test_remove_through_stale_handle(void **unused)
{
	(void)unused;
	remove_through_stale_handle(BY_REMOVE);
}

static void test_close_destroy_through_stale_handle(void **unused)
{
	(void)unused;
	remove_through_stale_handle(BY_CLOSE_DESTROY);
}

static void test_clean_up_through_stale_handle(void **unused)
{
	(void)unused;
	remove_through_stale_handle(BY_CLEAN_UP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		test_case_sweep(test_remove_through_stale_handle),
		test_case_sweep(test_close_destroy_through_stale_handle),
		test_case_sweep(test_clean_up_through_stale_handle),
	};

	if (test_private_ipc() < 0) {
		printf("skipped: no IPC namespace of our own (%s), so the system's "
		       "counts would include other programs'\n", strerror(errno));
		return 77;
	}
	test_value_fill(value, 7, sizeof(value));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
