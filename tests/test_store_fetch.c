/* Store and fetch: values of every size, the chain growing and shrinking. */
#include "testutil.h"

static share_t *private_share(size_t segment_size)
{
	share_t *s = share_new(IPC_PRIVATE, segment_size, IPC_CREAT);

	assert_non_null(s);
	share_set_destroy(s, 1);
	return s;
}

static void fill(unsigned char *buf, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = (unsigned char)(i * 131 + seed);
}

static void assert_fetches(share_t *s, const void *want, size_t n)
{
	void *got = NULL;

	assert_int_equal(share_fetch(s, &got), (ssize_t)n);
	assert_non_null(got);
	assert_memory_equal(got, want, n);
	assert_int_equal(((char *)got)[n], '\0');
	free(got);
}

static void test_new_share_is_empty(void **unused)
{
	(void)unused;
	share_t *s = private_share(0);
	void *got = NULL;

	assert_int_equal(share_fetch(s, &got), 0);
	assert_non_null(got);
	assert_int_equal(((char *)got)[0], '\0');
	free(got);
	assert_int_equal(share_version(s), 1);
	assert_int_equal(share_num_segments(s), 1);
	assert_int_equal(share_segment_size(s), SHARELITE_DEFAULT_SEGMENT_SIZE);
	assert_int_equal(share_mode(s), 0600);
	assert_int_equal(share_close(s), 0);
}

static void test_chain_grows_and_shrinks(void **unused)
{
	(void)unused;
	/* 116 data bytes per segment */
	share_t *s = private_share(132);
	struct shmid_ds ds;
	struct share_info info;
	size_t big = 116 * 40 + 7;
	unsigned char *buf = malloc(big);
	int overflow_ids[64], n = 0;

	assert_non_null(buf);
	fill(buf, big, 3);
	assert_int_equal(share_store(s, buf, big), 0);
	assert_int_equal(share_num_segments(s), 41);
	assert_int_equal(share_version(s), 2);
	assert_fetches(s, buf, big);

	/* Remember the overflow segments to see them go. */
	assert_int_equal(share_stat(s, &info), 0);
	for (int id = info.shmid; id >= 0 && n < 64;) {
		void *p = shmat(id, NULL, SHM_RDONLY);

		assert_true(p != (void *)-1);
		int next = *(int32_t *)p;
		shmdt(p);
		if (id != info.shmid)
			overflow_ids[n++] = id;
		id = next;
	}
	assert_int_equal(n, 40);

	assert_int_equal(share_store(s, "tiny", 4), 0);
	assert_int_equal(share_num_segments(s), 1);
	assert_fetches(s, "tiny", 4);
	for (int i = 0; i < n; i++) {
		errno = 0;
		assert_int_equal(shmctl(overflow_ids[i], IPC_STAT, &ds), -1);
		assert_true(errno == EINVAL || errno == EIDRM);
	}
	free(buf);
	assert_int_equal(share_close(s), 0);
}

static void test_exact_multiples(void **unused)
{
	(void)unused;
	share_t *s = private_share(32);	/* 16 data bytes */
	unsigned char buf[16 * 3];

	fill(buf, sizeof(buf), 9);
	for (size_t n = 0; n <= sizeof(buf); n++) {
		assert_int_equal(share_store(s, buf, n), 0);
		assert_int_equal(share_num_segments(s), n ? (int)((n + 15) / 16) : 1);
		assert_fetches(s, buf, n);
	}
	assert_int_equal(share_close(s), 0);
}

static void test_close_with_destroy_removes_everything(void **unused)
{
	(void)unused;
	key_t key = test_key(1);
	share_t *s = share_new(key, 64, IPC_CREAT | IPC_EXCL);
	unsigned char buf[1000];

	assert_non_null(s);
	fill(buf, sizeof(buf), 1);
	assert_int_equal(share_store(s, buf, sizeof(buf)), 0);
	share_set_destroy(s, 1);
	assert_int_equal(share_close(s), 0);
	assert_int_equal(shmget(key, 0, 0), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(semget(key, 0, 0), -1);
	assert_int_equal(errno, ENOENT);
	test_remove_key(key);
}

static void test_forked_child_grows_private_chain(void **unused)
{
	(void)unused;
	share_t *s = private_share(64);
	unsigned char buf[5000];
	pid_t pid;

	fill(buf, sizeof(buf), 77);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(share_store(s, buf, sizeof(buf)) == 0 ? 0 : 1);
	assert_int_equal(test_wait(pid), 0);
	assert_fetches(s, buf, sizeof(buf));
	assert_int_equal(share_version(s), 2);
	assert_int_equal(share_close(s), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_share_is_empty),
		cmocka_unit_test(test_chain_grows_and_shrinks),
		cmocka_unit_test(test_exact_multiples),
		cmocka_unit_test(test_close_with_destroy_removes_everything),
		cmocka_unit_test(test_forked_child_grows_private_chain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
