/*
 * Signals without SA_RESTART, arriving again and again: store and fetch
 * complete whatever they interrupt, and a blocking share_lock() does what
 * flock(2) does: it fails with EINTR, holding no lock (a blocking upgrade
 * from LOCK_SH has given its shared lock up first, as flock's does).
 */
#include "fault.h"

#define SEGSZ 4096
#define BIG (SEGSZ * 300)	/* 300 segments and more */
#define ROUNDS 30

static volatile sig_atomic_t signals_seen;

static void on_signal(int sig)
{
	(void)sig;
	signals_seen++;
}

/* SIGUSR1 to this process with no SA_RESTART. */
static void catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGUSR1, &sa, NULL), 0);
}

/* A child that sends SIGUSR1 to target until it is killed. */
static pid_t start_pestering(pid_t target)
{
	pid_t pid = test_fork(NULL);

	if (pid == 0) {
		for (;;) {
			kill(target, SIGUSR1);
			usleep(200);
		}
	}
	return pid;
}

static void stop(pid_t pid)
{
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
}

static void test_store_and_fetch_complete(void **unused)
{
	(void)unused;
	share_t *s = test_private(SEGSZ);
	unsigned char *buf = malloc(BIG);
	pid_t pest;

	assert_non_null(buf);
	catch_signals();
	signals_seen = 0;
	pest = start_pestering(getpid());
	for (int r = 0; r < ROUNDS; r++) {
		size_t n = BIG - (size_t)r * 7919;
		void *got = NULL;

		test_value_fill(buf, (uint32_t)r, n);
		assert_int_equal(share_store(s, buf, n), 0);
		assert_int_equal(share_fetch(s, &got), (ssize_t)n);
		assert_memory_equal(got, buf, n);
		free(got);
		assert_int_equal(share_store(s, "small", 5), 0);
		assert_int_equal(share_fetch_into(s, buf, 5), 5);
		assert_memory_equal(buf, "small", 5);
	}
	stop(pest);
	print_message("%d signals during %d rounds\n", (int)signals_seen, ROUNDS);
	test_assert_locks(s, 0, 0);
	free(buf);
	assert_int_equal(test_close(s), 0);
}

/* A child that takes `lock` and holds it until it is killed. */
static pid_t start_holding(share_t *s, int lock)
{
	int ready[2];
	char c;
	pid_t pid;

	assert_int_equal(pipe(ready), 0);
	pid = test_fork(NULL);
	if (pid == 0) {
		close(ready[0]);
		if (share_lock(s, lock) != 0 || write(ready[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(ready[1]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	return pid;
}

static void test_lock_wait_is_interrupted(void **unused)
{
	(void)unused;
	share_t *s = test_private(SEGSZ);
	pid_t holder = start_holding(s, LOCK_EX), pest;

	catch_signals();
	pest = start_pestering(getpid());
	for (int op = LOCK_SH; op <= LOCK_EX; op++) {
		errno = 0;
		assert_int_equal(share_lock(s, op), -1);
		assert_int_equal(errno, EINTR);
		assert_int_equal(test_sem(s, 1), 0);
		assert_int_equal(test_sem(s, 2), 1);	/* the holder's */
	}
	/* Store and fetch wait through the signals instead. */
	stop(pest);
	stop(holder);
	test_assert_locks(s, 0, 0);
	assert_int_equal(share_lock(s, LOCK_EX), 0);
	assert_int_equal(share_unlock(s), 0);
	assert_int_equal(test_close(s), 0);
}

static void test_upgrade_wait_is_interrupted(void **unused)
{
	(void)unused;
	share_t *s = test_private(SEGSZ);
	pid_t holder = start_holding(s, LOCK_SH), pest;

	catch_signals();
	assert_int_equal(share_lock(s, LOCK_SH), 0);
	assert_int_equal(test_sem(s, 1), 2);
	pest = start_pestering(getpid());
	errno = 0;
	assert_int_equal(share_lock(s, LOCK_EX), -1);
	assert_int_equal(errno, EINTR);
	stop(pest);
	/* Like flock(2): the shared lock was given up before the wait. */
	assert_int_equal(test_sem(s, 1), 1);
	assert_int_equal(share_unlock(s), 0);
	assert_int_equal(test_sem(s, 1), 1);
	stop(holder);
	test_assert_locks(s, 0, 0);
	assert_int_equal(test_close(s), 0);
}

/* A store that has to wait for a reader's lock waits through signals. */
static void test_store_waits_through_signals(void **unused)
{
	(void)unused;
	share_t *s = test_private(SEGSZ);
	pid_t holder = start_holding(s, LOCK_SH), pest, writer;

	catch_signals();
	writer = test_fork(NULL);
	if (writer == 0)
		_exit(share_store(s, "after", 5) == 0 ? 0 : 1);
	pest = start_pestering(writer);
	/* The writer's store waits for the reader, which lets go later. */
	usleep(20000);
	stop(holder);
	assert_int_equal(test_wait(writer), 0);
	stop(pest);
	char buf[5];
	assert_int_equal(share_fetch_into(s, buf, 5), 5);
	assert_memory_equal(buf, "after", 5);
	test_assert_locks(s, 0, 0);
	assert_int_equal(test_close(s), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		test_case_sweep(test_store_and_fetch_complete),
		test_case_sweep(test_lock_wait_is_interrupted),
		test_case_sweep(test_upgrade_wait_is_interrupted),
		test_case_sweep(test_store_waits_through_signals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
