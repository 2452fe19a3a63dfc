/*
 * Processes that die: a process SIGKILLed while it holds a lock, or inside
 * store or fetch, leaves no lock held, and readers never see a torn value.
 * What a reader can see after a writer was killed at any instant: the old
 * value, the new one, or an empty value (killed while copying); whole, in
 * every case. A killed writer may leave one segment unlinked (killed
 * between creating and linking it, or unlinking and removing it).
 *
 * And fork(): a child's copy of a handle never holds, nor gives back, the
 * parent's lock.
 */
#include <stdio.h>

#include "fault.h"

#define SEGSZ 256
#define MAX_VALUE 2000		/* up to 9 segments */
#define READS 1500
#define KILLS 25

static void store_value(share_t *s, uint32_t seed)
{
	unsigned char buf[MAX_VALUE];
	size_t n = test_value_length(seed, MAX_VALUE);

	test_value_fill(buf, seed, n);
	if (share_store(s, buf, n) != 0)
		_exit(3);
}

/* 1 if the share holds a whole value or is empty, 0 if torn, -1 on error. */
static int value_whole(share_t *s)
{
	void *got = NULL;
	ssize_t n = share_fetch(s, &got);
	int ok = n == 0 || (n > 0 && test_value_ok(got, (size_t)n, MAX_VALUE));

	free(got);
	return n < 0 ? -1 : ok;
}

/* A child that stores self-checking values until it is killed. */
static pid_t spawn_writer(share_t *s, uint32_t first_seed)
{
	pid_t pid = test_fork(NULL);

	if (pid == 0) {
		for (uint32_t seed = first_seed;; seed++)
			store_value(s, seed);
	}
	return pid;
}

/* Kill a child at a random instant of its work, and reap it. */
static void kill_soon(pid_t pid, unsigned *rng)
{
	usleep((useconds_t)(rand_r(rng) % 3000));
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
}

static void test_killed_holding_a_lock(void **unused)
{
	(void)unused;
	share_t *s = test_private(SEGSZ);
	static const int locks[] = { LOCK_SH, LOCK_EX };

	for (size_t i = 0; i < 2; i++) {
		int ready[2];
		char c;
		pid_t pid;

		assert_int_equal(pipe(ready), 0);
		pid = test_fork(NULL);
		if (pid == 0) {
			close(ready[0]);
			if (share_lock(s, locks[i]) != 0)
				_exit(1);
			if (write(ready[1], "x", 1) != 1)
				_exit(1);
			for (;;)
				pause();
		}
		close(ready[1]);
		assert_int_equal(read(ready[0], &c, 1), 1);
		close(ready[0]);
		assert_int_equal(test_sem(s, locks[i] == LOCK_SH ? 1 : 2), 1);
		kill(pid, SIGKILL);
		assert_int_equal(waitpid(pid, NULL, 0), pid);
		test_assert_locks(s, 0, 0);
		assert_int_equal(share_lock(s, LOCK_EX | LOCK_NB), 0);
		assert_int_equal(share_unlock(s), 0);
	}
	assert_int_equal(test_close(s), 0);
}

/* A writer killed again and again: what is left is whole, and unlocked. */
static void test_writer_killed_at_any_instant(void **unused)
{
	(void)unused;
	share_t *s = test_private(SEGSZ);
	unsigned rng = (unsigned)getpid();
	int leaked = 0, empty = 0;

	store_value(s, 1);
	for (int k = 0; k < KILLS; k++) {
		pid_t pid = spawn_writer(s, (uint32_t)k * 100000u);

		kill_soon(pid, &rng);
		test_assert_locks(s, 0, 0);
		int whole = value_whole(s);
		assert_int_not_equal(whole, 0);
		assert_int_equal(whole, 1);
		empty += share_fetch_into(s, NULL, 0) == 0;
		assert_true(share_num_segments(s) >= 1);
		leaked += test_remove_leaked(pid, s);
		/* A store after the death repairs whatever was left. */
		store_value(s, (uint32_t)k);
		assert_int_equal(value_whole(s), 1);
	}
	/* At most one segment per death. */
	assert_true(leaked <= KILLS);
	print_message("%d deaths: %d empty values, %d segments leaked\n", KILLS, empty, leaked);
	assert_int_equal(test_close(s), 0);
}

/* A reader killed inside fetch takes its shared lock with it. */
static void test_reader_killed_inside_fetch(void **unused)
{
	(void)unused;
	share_t *s = test_private(SEGSZ);
	unsigned rng = (unsigned)getpid() * 7u;

	store_value(s, 5);
	for (int k = 0; k < KILLS; k++) {
		pid_t pid = test_fork(NULL);

		if (pid == 0) {
			for (;;)
				if (value_whole(s) != 1)
					_exit(1);
		}
		kill_soon(pid, &rng);
		test_assert_locks(s, 0, 0);
		assert_int_equal(value_whole(s), 1);
	}
	assert_int_equal(test_close(s), 0);
}

/*
 * Two writers store while two readers check every value they fetch, and
 * the parent kills a writer at random instants and starts a new one.
 */
static void test_no_torn_value_under_load(void **unused)
{
	(void)unused;
	share_t *s = test_private(SEGSZ);
	unsigned rng = (unsigned)getpid() * 13u;
	pid_t writers[2], readers[2], dead[KILLS];
	int status, leaked = 0;

	store_value(s, 7);
	for (int i = 0; i < 2; i++)
		writers[i] = spawn_writer(s, (uint32_t)i << 28);
	for (int i = 0; i < 2; i++) {
		readers[i] = test_fork(NULL);
		if (readers[i] == 0) {
			for (int r = 0; r < READS; r++)
				if (value_whole(s) != 1)
					_exit(1);
			_exit(0);
		}
	}
	for (int k = 0; k < KILLS; k++) {
		int w = k % 2;

		kill_soon(writers[w], &rng);
		dead[k] = writers[w];
		writers[w] = spawn_writer(s, (uint32_t)(k + 2) << 24);
	}
	for (int i = 0; i < 2; i++)
		assert_int_equal(test_wait(readers[i]), 0);
	for (int i = 0; i < 2; i++) {
		kill(writers[i], SIGKILL);
		assert_int_equal(waitpid(writers[i], &status, 0), writers[i]);
		/* A writer that exited by itself failed a store. */
		assert_true(WIFSIGNALED(status));
		leaked += test_remove_leaked(writers[i], s);
	}
	for (int k = 0; k < KILLS; k++)
		leaked += test_remove_leaked(dead[k], s);
	assert_true(leaked <= KILLS + 2);
	test_assert_locks(s, 0, 0);
	assert_int_equal(value_whole(s), 1);
	assert_int_equal(test_close(s), 0);
}

/*
 * A process killed while it creates, opens or removes a share: the next
 * opener finds a share it can use, whatever half of one was left.
 */
static void test_killed_opening_or_removing(void **unused)
{
	(void)unused;
	key_t key = test_key(1);
	unsigned rng = (unsigned)getpid() * 17u;

	for (int k = 0; k < KILLS; k++) {
		pid_t pid = test_fork(NULL);
		share_t *s;

		if (pid == 0) {
			for (;;) {
				share_t *c = share_new(key, SEGSZ, IPC_CREAT);

				if (!c)
					_exit(1);
				store_value(c, (uint32_t)k);
				share_remove(c);
				test_close(c);
			}
		}
		kill_soon(pid, &rng);
		s = share_new(key, 0, IPC_CREAT);
		assert_non_null(s);
		test_assert_locks(s, 0, 0);
		assert_int_equal(value_whole(s), 1);
		store_value(s, 9);
		assert_int_equal(value_whole(s), 1);
		assert_int_equal(share_remove(s), 0);
		assert_int_equal(test_close(s), 0);
		/* What the dead process had made and not yet linked. */
		test_remove_leaked(pid, NULL);
	}
	assert_int_equal(shmget(key, 0, 0), -1);
	assert_int_equal(semget(key, 0, 0), -1);
}

/* A child's copy of the handle: the parent's lock is not its to give. */
static void test_fork_does_not_hand_over_locks(void **unused)
{
	(void)unused;
	static const int locks[] = { LOCK_SH, LOCK_EX };

	for (size_t i = 0; i < 2; i++) {
		share_t *s = test_private(SEGSZ);
		int sem = locks[i] == LOCK_SH ? 1 : 2;
		pid_t pid;

		assert_int_equal(share_lock(s, locks[i]), 0);
		pid = test_fork(NULL);
		if (pid == 0) {
			/* It holds nothing: unlock is a no-op, and the
			 * parent's lock stands in its way like anyone's. */
			if (share_unlock(s) != 0 || share_lock(s, LOCK_UN) != 0)
				_exit(1);
			if (locks[i] == LOCK_EX &&
			    (share_lock(s, LOCK_SH | LOCK_NB) != -1 || errno != EWOULDBLOCK))
				_exit(2);
			if (share_lock(s, LOCK_EX | LOCK_NB) != -1 || errno != EWOULDBLOCK)
				_exit(3);
			share_set_destroy(s, 0);
			_exit(test_close(s) == 0 ? 0 : 4);
		}
		assert_int_equal(test_wait(pid), 0);
		assert_int_equal(test_sem(s, sem), 1);
		/* A child that dies without closing gives back nothing of ours. */
		pid = test_fork(NULL);
		if (pid == 0)
			_exit(0);
		assert_int_equal(test_wait(pid), 0);
		assert_int_equal(test_sem(s, sem), 1);
		assert_int_equal(share_unlock(s), 0);
		test_assert_locks(s, 0, 0);
		assert_int_equal(test_close(s), 0);
	}
}

/* A child that takes a lock of its own and dies gives that one back. */
static void test_child_lock_is_its_own(void **unused)
{
	(void)unused;
	share_t *s = test_private(SEGSZ);
	pid_t pid = test_fork(NULL);

	if (pid == 0)
		_exit(share_lock(s, LOCK_EX) == 0 ? 0 : 1);
	assert_int_equal(test_wait(pid), 0);
	test_assert_locks(s, 0, 0);
	/* The parent's handle was never locked: its unlock changes nothing. */
	assert_int_equal(share_unlock(s), 0);
	assert_int_equal(share_lock(s, LOCK_SH), 0);
	assert_int_equal(test_sem(s, 1), 1);
	assert_int_equal(test_close(s), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		test_case_sweep(test_killed_holding_a_lock),
		test_case_sweep(test_writer_killed_at_any_instant),
		test_case_sweep(test_reader_killed_inside_fetch),
		test_case_sweep(test_no_torn_value_under_load),
		test_case_sweep(test_killed_opening_or_removing),
		test_case_sweep(test_fork_does_not_hand_over_locks),
		test_case_sweep(test_child_lock_is_its_own),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
