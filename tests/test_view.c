/* share_view(): the value read where it lies, under a lock that keeps
 * stores out until share_view_end(), and dies with its process. */
#include "harness.h"

/* Whether p lies in a System V shared memory mapping of this process. */
static int in_shared_memory(const void *p)
{
	FILE *maps = fopen("/proc/self/maps", "r");
	char line[512];
	int found = 0;

	assert_non_null(maps);
	while (!found && fgets(line, sizeof(line), maps)) {
		unsigned long lo, hi;
		char path[256] = "";

		if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %255s", &lo, &hi, path) >= 2 &&
		    (uintptr_t)p >= lo && (uintptr_t)p < hi)
			found = strncmp(path, "/SYSV", 5) == 0;
	}
	fclose(maps);
	return found;
}

static void test_bad_arguments(void **unused)
{
	(void)unused;
	share_t *s = test_private(0);
	const void *data = &data;

	assert_fails(share_view(NULL, &data), -1, EINVAL);
	assert_null(data);
	assert_fails(share_view(s, NULL), -1, EINVAL);
	assert_fails(share_view_end(NULL), -1, EINVAL);
	/* No view open. */
	assert_fails(share_view_end(s), -1, EINVAL);
	assert_int_equal(test_close(s), 0);
}

/* Values of several sizes, each seen whole, in place where the format
 * keeps it in one piece. */
static void test_view_sizes(void **unused)
{
	(void)unused;
	size_t sizes[] = { 0, 16, 4000, 65536, 1 << 20 };
	share_t *s = test_private(0);
	unsigned char *value = malloc(1 << 20);

	assert_non_null(value);
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		const void *data = NULL, *again = NULL;
		size_t n = sizes[k];

		test_fill(value, n, (unsigned)k);
		assert_int_equal(share_store(s, value, n), 0);
		assert_int_equal(share_view(s, &data), (ssize_t)n);
		assert_non_null(data);
		assert_memory_equal(data, value, n);
		assert_int_equal(in_shared_memory(data),
				 test_format()->views_in_place(n, share_segment_size(s)));
		/* Inside one view, the same answer. */
		assert_int_equal(share_view(s, &again), (ssize_t)n);
		assert_ptr_equal(again, data);
		assert_int_equal(share_view_end(s), 0);
		assert_fails(share_view_end(s), -1, EINVAL);
	}
	free(value);
	assert_int_equal(test_close(s), 0);
}

/* While a view is open its handle neither stores nor changes its lock;
 * reading goes on. */
static void test_busy_while_viewing(void **unused)
{
	(void)unused;
	share_t *s = test_private(0);
	const void *data;
	char *copy;

	assert_int_equal(share_store(s, "seen", 4), 0);
	assert_int_equal(share_view(s, &data), 4);
	test_assert_locks(s, 1, 0);
	assert_fails(share_store(s, "x", 1), -1, EBUSY);
	assert_fails(share_lock(s, LOCK_EX), -1, EBUSY);
	assert_fails(share_lock(s, LOCK_SH), -1, EBUSY);
	assert_fails(share_unlock(s), -1, EBUSY);
	assert_fails(share_remove(s), -1, EBUSY);
	copy = test_fetch(s);
	assert_string_equal(copy, "seen");
	free(copy);
	assert_int_equal(share_version(s), 2);
	assert_memory_equal(data, "seen", 4);
	assert_int_equal(share_view_end(s), 0);
	test_assert_locks(s, 0, 0);
	assert_int_equal(share_store(s, "next", 4), 0);
	test_assert_value(s, "next");
	assert_int_equal(test_close(s), 0);
}

/* A view inside a lock the caller took leaves that lock held. */
static void test_view_inside_lock(void **unused)
{
	(void)unused;
	share_t *s = test_private(0);
	const void *data;

	assert_int_equal(share_store(s, "v", 1), 0);
	assert_int_equal(share_lock(s, LOCK_EX), 0);
	assert_int_equal(share_view(s, &data), 1);
	assert_fails(share_store(s, "w", 1), -1, EBUSY);
	assert_int_equal(share_view_end(s), 0);
	test_assert_locks(s, 0, 1);
	assert_int_equal(share_store(s, "w", 1), 0);
	assert_int_equal(share_lock(s, LOCK_SH), 0);	/* downgrade */
	assert_int_equal(share_view(s, &data), 1);
	assert_memory_equal(data, "w", 1);
	assert_int_equal(share_view_end(s), 0);
	test_assert_locks(s, 1, 0);
	assert_int_equal(share_unlock(s), 0);
	assert_int_equal(test_close(s), 0);
}

/* Another process's store waits for the view; its fetch does not. */
static void test_view_keeps_stores_out(void **unused)
{
	(void)unused;
	key_t key = test_use_key(1);
	share_t *s = test_open(key, 0, IPC_CREAT | 0600);
	struct test_chan c;
	const void *data;
	pid_t pid;

	assert_int_equal(share_store(s, "before", 6), 0);
	assert_int_equal(share_view(s, &data), 6);
	pid = test_fork(&c);
	if (pid == 0) {
		share_t *t = share_new(key, 0, 0);
		char buf[8];

		child_check(t != NULL);
		child_check(share_set_timeout(t, 0) == 0);
		child_check(share_store(t, "after", 5) < 0 && errno == ETIMEDOUT);
		child_check(share_fetch_into(t, buf, sizeof(buf)) == 6);
		child_check(memcmp(buf, "before", 6) == 0);
		test_send(&c, 'w');
		child_check(test_recv(&c) == 'e');	/* the view ended */
		child_check(share_store(t, "after", 5) == 0);
		child_check(share_close(t) == 0);
		_exit(0);
	}
	assert_int_equal(test_recv(&c), 'w');
	assert_memory_equal(data, "before", 6);
	assert_int_equal(share_view_end(s), 0);
	assert_int_equal(test_send(&c, 'e'), 0);
	assert_int_equal(test_wait(pid), 0);
	test_assert_value(s, "after");
	assert_int_equal(test_close(s), 0);
}

/* A viewer killed with its view open leaves the share unlocked. */
static void test_view_dies_with_holder(void **unused)
{
	(void)unused;
	key_t key = test_use_key(2);
	share_t *s = test_open(key, 0, IPC_CREAT | 0600);
	struct test_chan c;
	pid_t pid;

	assert_int_equal(share_store(s, "held", 4), 0);
	pid = test_fork(&c);
	if (pid == 0) {
		share_t *t = share_new(key, 0, 0);
		const void *data;

		child_check(t != NULL);
		child_check(share_view(t, &data) == 4);
		test_send(&c, 'v');
		pause();
		_exit(0);
	}
	assert_int_equal(test_recv(&c), 'v');
	assert_int_equal(share_set_timeout(s, 0), 0);
	assert_fails(share_store(s, "x", 1), -1, ETIMEDOUT);
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(test_wait(pid), -1);
	assert_int_equal(share_store(s, "freed", 5), 0);
	test_assert_value(s, "freed");
	assert_int_equal(test_close(s), 0);
}

/* A view that cannot have its lock in time opens nothing. */
static void test_view_times_out(void **unused)
{
	(void)unused;
	key_t key = test_use_key(3);
	share_t *s = test_open(key, 0, IPC_CREAT | 0600);
	struct test_chan c;
	const void *data = &data;
	pid_t pid;

	pid = test_fork(&c);
	if (pid == 0) {
		share_t *t = share_new(key, 0, 0);

		child_check(t != NULL && share_lock(t, LOCK_EX) == 0);
		test_send(&c, 'x');
		test_recv(&c);
		child_check(share_close(t) == 0);
		_exit(0);
	}
	assert_int_equal(test_recv(&c), 'x');
	assert_int_equal(share_set_timeout(s, 0), 0);
	assert_fails(share_view(s, &data), -1, ETIMEDOUT);
	assert_null(data);
	assert_fails(share_view_end(s), -1, EINVAL);
	test_send(&c, 'q');
	assert_int_equal(test_wait(pid), 0);
	assert_int_equal(test_close(s), 0);
}

/* Closing a handle ends its view and gives its lock back. */
static void test_close_ends_view(void **unused)
{
	(void)unused;
	key_t key = test_use_key(4);
	share_t *s = test_open(key, 0, IPC_CREAT | 0600);
	share_t *t = test_open(key, 0, 0);
	const void *data;

	assert_int_equal(share_store(s, "abc", 3), 0);
	assert_int_equal(share_view(t, &data), 3);
	assert_int_equal(test_close(t), 0);
	assert_int_equal(share_set_timeout(s, 0), 0);
	assert_int_equal(share_store(s, "def", 3), 0);
	test_assert_value(s, "def");
	assert_int_equal(test_close(s), 0);
}

/* A child does not inherit its parent's view; it may open its own. */
static void test_fork_does_not_inherit_view(void **unused)
{
	(void)unused;
	share_t *s = test_private(0);
	const void *data;
	pid_t pid;

	assert_int_equal(share_store(s, "parent", 6), 0);
	assert_int_equal(share_view(s, &data), 6);
	pid = test_fork(NULL);
	if (pid == 0) {
		const void *mine;

		child_check(share_view_end(s) < 0 && errno == EINVAL);
		child_check(share_view(s, &mine) == 6);
		child_check(memcmp(mine, "parent", 6) == 0);
		child_check(share_view_end(s) == 0);
		_exit(0);
	}
	assert_int_equal(test_wait(pid), 0);
	test_assert_locks(s, 1, 0);	/* the parent's, still */
	assert_memory_equal(data, "parent", 6);
	assert_int_equal(share_view_end(s), 0);
	assert_int_equal(test_close(s), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		test_case(test_bad_arguments),
		test_case(test_view_sizes),
		test_case(test_busy_while_viewing),
		test_case(test_view_inside_lock),
		test_case(test_view_keeps_stores_out),
		test_case(test_view_dies_with_holder),
		test_case(test_view_times_out),
		test_case(test_close_ends_view),
		test_case(test_fork_does_not_inherit_view),
	};

	return test_run(tests);
}
