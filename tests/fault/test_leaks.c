/*
 * Nothing is left behind: removing a share removes every segment its chain
 * has now, even through a handle whose mappings are from an older chain,
 * and a store that shortens the chain never unlinks a segment it may not
 * remove. The counts are the system's, in an IPC namespace of this test's
 * own.
 */
#include "fault.h"

#define SEGSZ 64
#define DATA (SEGSZ - SHARELITE_HEADER_SIZE)

static unsigned char value[DATA * 2 + 1];	/* three segments */
static unsigned char value_long[DATA * 4 + 1];	/* five segments */

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
		assert_int_equal(share_close(stale), 0);
		break;
	case BY_CLOSE_DESTROY:
		share_set_destroy(stale, 1);
		assert_int_equal(share_close(stale), 0);
		break;
	case BY_CLEAN_UP:
		assert_int_equal(share_clean_up(), 0);
		assert_int_equal(share_close(stale), 0);
		break;
	}
	assert_true(test_key_gone(key));
	assert_int_equal(share_close(other), 0);
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

/* Two users with no rights over each other's segments: neither is root. */
#define NOBODY 65534
#define OTHER_USER 65533

/*
 * A child that becomes `uid` (effective only: enough for SysV rights),
 * opens the share under key and stores `length` bytes of value; its exit
 * status says whether all went well.
 */
static void store_as(uid_t uid, key_t key, size_t length)
{
	pid_t pid = test_fork(NULL);
	int status;

	if (pid == 0) {
		share_t *o;

		if (seteuid(uid) != 0)
			_exit(1);
		o = share_new(key, 0, 0);
		if (!o || share_store(o, value_long, length) != 0)
			_exit(2);
		_exit(share_close(o) == 0 ? 0 : 3);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* Every segment in the system is one of s's chain: none is orphaned. */
static void assert_no_orphan(share_t *s)
{
	struct shm_info info;
	int highest = shmctl(0, SHM_INFO, (struct shmid_ds *)(void *)&info);

	assert_true(highest >= 0);
	for (int i = 0; i <= highest; i++) {
		struct shmid_ds ds;
		int id = shmctl(i, SHM_STAT, &ds);

		if (id >= 0)
			assert_true(test_in_chain(s, id));
	}
}

static uid_t creator_of(int shmid)
{
	struct shmid_ds ds;

	assert_int_equal(shmctl(shmid, IPC_STAT, &ds), 0);
	return ds.shm_perm.cuid;
}

/* s holds exactly the first `length` bytes of value_long. */
static void assert_holds(share_t *s, size_t length)
{
	void *got = NULL;

	assert_int_equal(share_fetch(s, &got), (ssize_t)length);
	assert_memory_equal(got, value_long, length);
	free(got);
}

/*
 * On a 0666 share, nobody's store makes overflow segments that are
 * nobody's; another user's shorter store may not remove them, and so must
 * not unlink them either: the chain stays as long as the last of them,
 * and only that user's own segments after them go. Nobody's next short
 * store removes them, and the root owner removes everything.
 */
static void test_shorter_store_keeps_others_segments(void **unused)
{
	(void)unused;
	struct test_ipc_counts before = test_ipc_counts(), after;
	key_t key = test_use_key(1);
	share_t *s;

	if (geteuid() != 0) {
		print_message("skipped: only root can play two other users\n");
		skip();
	}
	s = share_new(key, SEGSZ, IPC_CREAT | IPC_EXCL | 0666);
	assert_non_null(s);

	store_as(NOBODY, key, DATA * 2 + 1);		/* 3 segments */
	store_as(OTHER_USER, key, DATA * 4 + 1);	/* 2 more, its own */
	assert_int_equal(share_num_segments(s), 5);
	assert_int_equal(creator_of(test_segment_id(s, 2)), NOBODY);
	assert_int_equal(creator_of(test_segment_id(s, 4)), OTHER_USER);

	/* Its own two go; nobody's two stay, linked. */
	store_as(OTHER_USER, key, 1);
	assert_int_equal(share_num_segments(s), 3);
	assert_int_equal(test_ipc_counts().segments, before.segments + 3);
	assert_no_orphan(s);
	assert_holds(s, 1);

	/* Nobody's next store may remove them, and does. */
	store_as(NOBODY, key, 2);
	assert_int_equal(share_num_segments(s), 1);
	assert_int_equal(test_ipc_counts().segments, before.segments + 1);
	assert_no_orphan(s);
	assert_holds(s, 2);

	/* Nobody's again, for the owner to remove with the share. */
	store_as(NOBODY, key, DATA * 2 + 1);
	assert_int_equal(share_num_segments(s), 3);

	/* A privileged process removes every segment, whoever made it. */
	assert_int_equal(share_remove(s), 0);
	assert_int_equal(share_close(s), 0);
	assert_true(test_key_gone(key));
	after = test_ipc_counts();
	assert_int_equal(after.segments, before.segments);
	assert_int_equal(after.sets, before.sets);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		test_case_sweep(test_remove_through_stale_handle),
		test_case_sweep(test_close_destroy_through_stale_handle),
		test_case_sweep(test_clean_up_through_stale_handle),
		test_case_sweep(test_shorter_store_keeps_others_segments),
	};

	if (test_private_ipc() < 0) {
		printf("skipped: no IPC namespace of our own (%s), so the system's "
		       "counts would include other programs'\n", strerror(errno));
		return 77;
	}
	test_value_fill(value, 7, sizeof(value));
	test_value_fill(value_long, 8, sizeof(value_long));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
