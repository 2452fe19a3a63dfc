/*
 * Several processes on one share: counting under LOCK_EX, large values
 * written by one and read by another, the chain shrinking under readers,
 * and IPC_PRIVATE shares used across fork().
 */
#include "ipcsl.h"

#define WORKERS 4
#define INCREMENTS 500

/* Kept in a global, so that no child's exit leaks it. */
static share_t *child_share;

static void test_counter_under_exclusive_lock(void **unused)
{
	(void)unused;
	key_t key = test_use_key(1);
	share_t *s = test_open(key, 0, IPC_CREAT | IPC_EXCL);
	struct test_chan c[WORKERS];
	pid_t pids[WORKERS];

	assert_int_equal(share_store(s, "0", 1), 0);
	for (int w = 0; w < WORKERS; w++) {
		pids[w] = test_fork(&c[w]);
		if (pids[w] == 0) {
			child_share = share_new(key, 0, 0);
			child_check(child_share != NULL);
			child_check(test_recv(&c[w]) == 'g');	/* all at once */
			for (int i = 0; i < INCREMENTS; i++) {
				char *value = NULL, next[24];

				child_check(share_lock(child_share, LOCK_EX) == 0);
				child_check(share_fetch(child_share, (void **)&value) > 0);
				snprintf(next, sizeof(next), "%ld", strtol(value, NULL, 10) + 1);
				free(value);
				child_check(share_store(child_share, next, strlen(next)) == 0);
				child_check(share_unlock(child_share) == 0);
			}
			child_check(share_close(child_share) == 0);
			_exit(0);
		}
	}
	for (int w = 0; w < WORKERS; w++)
		assert_int_equal(test_send(&c[w], 'g'), 0);
	for (int w = 0; w < WORKERS; w++)
		assert_int_equal(test_wait(pids[w]), 0);
	char want[16];

	snprintf(want, sizeof(want), "%d", WORKERS * INCREMENTS);
	test_assert_value(s, want);
	assert_int_equal(share_version(s), 2 + WORKERS * INCREMENTS);
	test_assert_locks(s, 0, 0);
	assert_int_equal(test_close(s), 0);
}

/*
 * Processes that open a missing key at once: one creates and initialises
 * the share, the others attach to it (with IPC_CREAT), or fail with EEXIST
 * (with IPC_CREAT|IPC_EXCL); no store is lost to a second initialisation.
 */
#define RACE_ROUNDS 20

static int child_opens_and_counts(key_t key, const struct test_chan *c, int flags)
{
	char *value = NULL, next[24];

	child_check(test_recv(c) == 'g');
	child_share = share_new(key, 0, flags);
	if (!child_share) {
		child_check(errno == EEXIST && (flags & IPC_EXCL));
		return 3;
	}
	child_check(share_lock(child_share, LOCK_EX) == 0);
	child_check(share_fetch(child_share, (void **)&value) >= 0);
	snprintf(next, sizeof(next), "%ld", strtol(value, NULL, 10) + 1);
	free(value);
	child_check(share_store(child_share, next, strlen(next)) == 0);
	child_check(share_close(child_share) == 0);
	return 0;
}

static void race_to_open(int flags)
{
	for (unsigned round = 0; round < RACE_ROUNDS; round++) {
		key_t key = test_use_key(round);
		struct test_chan c[WORKERS];
		pid_t pids[WORKERS];
		int opened = 0;
		share_t *s;
		char want[16];

		for (int w = 0; w < WORKERS; w++) {
			pids[w] = test_fork(&c[w]);
			if (pids[w] == 0)
				_exit(child_opens_and_counts(key, &c[w], flags));
		}
		for (int w = 0; w < WORKERS; w++)
			assert_int_equal(test_send(&c[w], 'g'), 0);
		for (int w = 0; w < WORKERS; w++) {
			int status = test_wait(pids[w]);

			assert_true(status == 0 || status == 3);
			opened += status == 0;
		}
		assert_int_equal(opened, flags & IPC_EXCL ? 1 : WORKERS);
		s = test_open(key, 0, 0);
		snprintf(want, sizeof(want), "%d", opened);
		test_assert_value(s, want);
		assert_int_equal(share_version(s), 1 + opened);
		assert_int_equal(share_remove(s), 0);
		assert_int_equal(test_close(s), 0);
	}
}

static void test_processes_race_to_create(void **unused)
{
	(void)unused;
	race_to_open(IPC_CREAT);
	race_to_open(IPC_CREAT | IPC_EXCL);
}

/*
 * Processes that open (creating) and remove one key over and over: an open
 * that meets a removal half-way must start again, never fail with
 * EINVAL or EIDRM; a removal may find the share gone already.
 */
#define CHURN_ROUNDS 300

static int open_and_remove_churn(key_t key, const struct test_chan *c)
{
	child_check(test_recv(c) == 'g');
	for (int i = 0; i < CHURN_ROUNDS; i++) {
		child_share = share_new(key, 0, IPC_CREAT);
		if (!child_share)
			return 10 + (errno & 0xff) % 100;	/* says which errno */
		if (share_remove(child_share) < 0)
			child_check(errno == EIDRM);
		child_check(share_close(child_share) == 0);
		child_share = NULL;
	}
	return 0;
}

static void test_open_races_removal(void **unused)
{
	(void)unused;
	key_t key = test_use_key(RACE_ROUNDS);
	struct test_chan c[WORKERS];
	pid_t pids[WORKERS];

	for (int w = 0; w < WORKERS; w++) {
		pids[w] = test_fork(&c[w]);
		if (pids[w] == 0)
			_exit(open_and_remove_churn(key, &c[w]));
	}
	for (int w = 0; w < WORKERS; w++)
		assert_int_equal(test_send(&c[w], 'g'), 0);
	for (int w = 0; w < WORKERS; w++)
		assert_int_equal(test_wait(pids[w]), 0);
}

#define BIG (1024 * 1024)
#define PAGE_SEGMENT 4096

/* A child that opens the share by key and stores BIG bytes of seed. */
static void store_big_elsewhere(key_t key, size_t length, unsigned seed)
{
	pid_t pid = test_fork(NULL);

	if (pid == 0) {
		unsigned char *buf = malloc(length ? length : 1);

		child_share = share_new(key, PAGE_SEGMENT, IPC_CREAT);
		child_check(child_share && buf);
		test_fill(buf, length, seed);
		child_check(share_store(child_share, buf, length) == 0);
		free(buf);
		child_check(share_close(child_share) == 0);
		_exit(0);
	}
	assert_int_equal(test_wait(pid), 0);
}

/* A child that opens the share by key and checks it holds length bytes of seed. */
static void check_elsewhere(key_t key, size_t length, unsigned seed)
{
	pid_t pid = test_fork(NULL);

	if (pid == 0) {
		unsigned char *want = malloc(length ? length : 1);
		void *got = NULL;

		child_share = share_new(key, 0, 0);
		child_check(child_share && want);
		test_fill(want, length, seed);
		child_check(share_fetch(child_share, &got) == (ssize_t)length);
		child_check(memcmp(got, want, length) == 0);
		free(got);
		free(want);
		child_check(share_close(child_share) == 0);
		_exit(0);
	}
	assert_int_equal(test_wait(pid), 0);
}

static void assert_holds(share_t *s, size_t length, unsigned seed)
{
	unsigned char *want = malloc(length ? length : 1);
	void *got = NULL;

	assert_non_null(want);
	test_fill(want, length, seed);
	assert_int_equal(share_fetch(s, &got), (ssize_t)length);
	assert_memory_equal(got, want, length);
	free(got);
	free(want);
}

static int segments_for(size_t length)
{
	size_t data = PAGE_SEGMENT - SHARELITE_HEADER_SIZE;

	return length ? (int)((length + data - 1) / data) : 1;
}

static void test_big_value_between_processes(void **unused)
{
	(void)unused;
	key_t key = test_use_key(1);
	share_t *s;

	store_big_elsewhere(key, BIG, 1);
	check_elsewhere(key, BIG, 1);
	s = test_open(key, 0, 0);
	assert_int_equal(share_segment_size(s), PAGE_SEGMENT);
	assert_int_equal(share_num_segments(s), segments_for(BIG));
	assert_holds(s, BIG, 1);
	/* Another size, over the same chain, seen by the next reader. */
	store_big_elsewhere(key, BIG - 12345, 2);
	check_elsewhere(key, BIG - 12345, 2);
	assert_holds(s, BIG - 12345, 2);
	assert_int_equal(test_close(s), 0);
}

static void test_chain_shrinks_under_reader(void **unused)
{
	(void)unused;
	key_t key = test_use_key(1);
	share_t *s;
	int *ids = malloc(sizeof(int) * 512), n;

	assert_non_null(ids);
	store_big_elsewhere(key, BIG, 3);
	s = test_open(key, 0, 0);
	assert_holds(s, BIG, 3);	/* this process maps the whole chain */
	n = test_chain_ids(s, ids, 512);
	assert_int_equal(n, segments_for(BIG));

	store_big_elsewhere(key, 100, 4);
	/* This handle learns of it, and lets go of the freed segments. */
	assert_holds(s, 100, 4);
	assert_int_equal(share_num_segments(s), 1);
	assert_int_equal(test_chain_ids(s, ids, 1), 1);
	for (int i = 1; i < n; i++)
		if (!test_shm_gone(ids[i]))
			fail_msg("segment %d of %d (shmid %d) is still there", i, n, ids[i]);

	/* The chain grows again for the next reader. */
	store_big_elsewhere(key, 3 * PAGE_SEGMENT, 5);
	assert_holds(s, 3 * PAGE_SEGMENT, 5);
	check_elsewhere(key, 3 * PAGE_SEGMENT, 5);
	assert_int_equal(share_num_segments(s), segments_for(3 * PAGE_SEGMENT));
	free(ids);
	assert_int_equal(test_close(s), 0);
}

/*
 * Readers never see a torn value while a writer grows and shrinks the
 * chain under them: every value is a run of test_fill() whose seed is its
 * length, so a reader can check any value it gets.
 */
#define ROUNDS 300
#define READERS 2

static int child_reads_whole_values(key_t key)
{
	child_share = share_new(key, 0, 0);
	child_check(child_share != NULL);
	for (int i = 0; i < ROUNDS; i++) {
		unsigned char *got = NULL, want[64 * 12];
		ssize_t n = share_fetch(child_share, (void **)&got);

		child_check(n >= 0 && (size_t)n <= sizeof(want));
		test_fill(want, (size_t)n, (unsigned)n);
		child_check(memcmp(got, want, (size_t)n) == 0);
		free(got);
	}
	child_check(share_close(child_share) == 0);
	return 0;
}

static void test_readers_see_whole_values(void **unused)
{
	(void)unused;
	key_t key = test_use_key(1);
	share_t *s = test_open(key, 64, IPC_CREAT | IPC_EXCL);
	pid_t readers[READERS];

	for (int r = 0; r < READERS; r++) {
		readers[r] = test_fork(NULL);
		if (readers[r] == 0)
			_exit(child_reads_whole_values(key));
	}
	for (unsigned i = 0; i < ROUNDS; i++) {
		unsigned char buf[64 * 12];
		size_t n = (i * 97) % sizeof(buf);

		test_fill(buf, n, (unsigned)n);
		assert_int_equal(share_store(s, buf, n), 0);
	}
	for (int r = 0; r < READERS; r++)
		assert_int_equal(test_wait(readers[r]), 0);
	assert_int_equal(test_close(s), 0);
}

/* IPC_PRIVATE: the child reaches the share only through the inherited handle. */
static void test_private_share_across_fork(void **unused)
{
	(void)unused;
	share_t *s = test_private(64);
	unsigned char buf[5000];
	pid_t pid;
	int ids[128], n;

	/* The child grows the chain; the parent follows. */
	pid = test_fork(NULL);
	if (pid == 0) {
		test_fill(buf, sizeof(buf), 77);
		_exit(share_store(s, buf, sizeof(buf)) == 0 ? 0 : 1);
	}
	assert_int_equal(test_wait(pid), 0);
	test_fill(buf, sizeof(buf), 77);
	assert_holds(s, sizeof(buf), 77);
	assert_int_equal(share_version(s), 2);
	n = test_chain_ids(s, ids, 128);
	assert_int_equal(n, 105);	/* 48 data bytes each */
	for (int i = 1; i < n; i++)
		assert_int_equal(test_shm_mode(ids[i]), 0600);

	/* The parent shrinks it under a child that inherited the long chain. */
	struct test_chan c;

	pid = test_fork(&c);
	if (pid == 0) {
		void *got = NULL;

		child_check(test_recv(&c) == 's');
		child_check(share_fetch(s, &got) == 5 && memcmp(got, "short", 5) == 0);
		free(got);
		child_check(share_num_segments(s) == 1);
		child_check(test_send(&c, 'f') == 0);
		child_check(test_recv(&c) == 'g');
		child_check(share_store(s, buf, 1000) == 0);
		_exit(0);
	}
	assert_int_equal(share_store(s, "short", 5), 0);
	assert_int_equal(test_send(&c, 's'), 0);
	assert_int_equal(test_recv(&c), 'f');
	/* Both processes have let go of the freed segments. */
	for (int i = 1; i < n; i++)
		assert_true(test_shm_gone(ids[i]));
	assert_int_equal(test_send(&c, 'g'), 0);
	assert_int_equal(test_wait(pid), 0);
	test_fill(buf, 1000, 77);
	assert_holds(s, 1000, 77);
	assert_int_equal(share_num_segments(s), 21);
	assert_int_equal(test_close(s), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		test_case(test_counter_under_exclusive_lock),
		test_case(test_processes_race_to_create),
		test_case(test_open_races_removal),
		test_case(test_big_value_between_processes),
		test_case(test_chain_shrinks_under_reader),
		test_case(test_readers_see_whole_values),
		test_case(test_private_share_across_fork),
	};

	return test_run(tests);
}
