/*
 * cases.c - test cases for a share on a lone server or a cluster
 * (cases.h).
 */
#include "harness.h"
#include "cases.h"

#include <sys/file.h>

/* Room for a name: the callers' are from one static buffer each. */
#define URL_SIZE 512

void sleep_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&t, &t) < 0 && errno == EINTR)
		;
}

long ms_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000L + (now.tv_nsec - start->tv_nsec) / 1000000L;
}

static share_t *create(const char *url)
{
	share_t *s = share_open(url, 0, IPC_CREAT | IPC_EXCL);

	if (!s)
		print_error("share_open(%s): %s\n", url, strerror(errno));
	assert_non_null(s);
	return s;
}

void redis_case_lock_across_processes(const char *url, const char *child_url)
{
	char own_url[URL_SIZE];
	share_t *a = create(url);
	struct test_chan c;
	pid_t pid;

	snprintf(own_url, sizeof(own_url), "%s", child_url ? child_url : "");
	assert_int_equal(share_lock(a, LOCK_EX), 0);
	pid = test_fork(&c);
	if (pid == 0) {
		/* The handle inherited: the child's own connection and token. */
		share_t *h = child_url ? share_open(own_url, 0, 0) : a;

		child_check(h != NULL);
		child_check(share_lock(h, LOCK_EX | LOCK_NB) == -1 && errno == EWOULDBLOCK);
		test_send(&c, 'r');
		child_check(share_lock(h, LOCK_EX) == 0);
		child_check(share_store(h, "child", 5) == 0);
		child_check(share_unlock(h) == 0);
		child_check(h == a || share_close(h) == 0);
		_exit(0);
	}
	assert_int_equal(test_recv(&c), 'r');
	/* The child cannot store while this lock is held. */
	sleep_ms(100);
	test_assert_value(a, "");
	assert_int_equal(share_store(a, "parent", 6), 0);
	assert_int_equal(share_unlock(a), 0);
	assert_int_equal(test_wait(pid), 0);
	test_assert_value(a, "child");
	assert_int_equal(share_version(a), 3);
	assert_int_equal(share_remove(a), 0);
	assert_int_equal(share_close(a), 0);
}

void redis_case_expired_lease_is_fenced(const char *url, const char *leased_url)
{
	char leased[URL_SIZE];
	share_t *b = create(url);
	int take_over;

	snprintf(leased, sizeof(leased), "%s", leased_url);
	for (take_over = 1; take_over >= 0; take_over--) {
		struct test_chan c;
		pid_t pid = test_fork(&c);
		int status;

		if (pid == 0) {
			share_t *a = share_open(leased, 0, 0);
			int err = 0;

			child_check(a != NULL);
			child_check(share_lock(a, LOCK_EX) == 0);
			child_check(share_store(a, "a1", 2) == 0);
			test_send(&c, 'l');
			child_check(test_recv(&c) == 'g');
			if (share_store(a, "a2", 2) < 0)
				err = errno;
			/* Giving a lost lock back works, and leaves b's. */
			child_check(share_unlock(a) == 0);
			child_check(share_close(a) == 0);
			_exit(err);
		}
		assert_int_equal(test_recv(&c), 'l');
		assert_fails(share_lock(b, LOCK_EX | LOCK_NB), -1, EWOULDBLOCK);
		assert_int_equal(kill(pid, SIGSTOP), 0);
		sleep_ms(1200);
		if (take_over) {
			assert_int_equal(share_lock(b, LOCK_EX | LOCK_NB), 0);
			assert_int_equal(share_store(b, "b", 1), 0);
		}
		assert_int_equal(kill(pid, SIGCONT), 0);
		assert_int_equal(test_send(&c, 'g'), 0);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), ENOLCK);
		/* Lapsed with nobody else: refused too, the lock is not its own. */
		test_assert_value(b, take_over ? "b" : "a1");
		if (take_over) {
			struct share_info info;

			/* The child's unlock left b's lock alone. */
			assert_int_equal(share_stat(b, &info), 0);
			assert_int_equal(info.writer, 1);
			assert_int_equal(share_unlock(b), 0);
		}
	}
	assert_int_equal(share_remove(b), 0);
	assert_int_equal(share_close(b), 0);
}

void redis_case_wait_change_wakes(const char *url, const char *other_url)
{
	char other[URL_SIZE];
	share_t *a = create(url);
	struct timespec start;
	struct test_chan c;
	pid_t pid;

	snprintf(other, sizeof(other), "%s", other_url);
	/* Changed already: at once. Unchanged: the timeout. */
	assert_int_equal(share_wait_change(a, 0, -1), 1);
	clock_gettime(CLOCK_MONOTONIC, &start);
	assert_int_equal(share_wait_change(a, 1, 150), 0);
	assert_true(ms_since(&start) >= 150);
	assert_int_equal(share_wait_change(a, 1, 0), 0);
	pid = test_fork(&c);
	if (pid == 0) {
		share_t *own = share_open(other, 0, 0);

		child_check(own != NULL);
		child_check(test_recv(&c) == 'g');
		child_check(share_store(own, "news", 4) == 0);
		child_check(share_close(own) == 0);
		_exit(0);
	}
	assert_int_equal(test_send(&c, 'g'), 0);
	/* No timeout: only the child's store can end this wait. */
	assert_int_equal(share_wait_change(a, 1, -1), 1);
	assert_int_equal(share_version(a), 2);
	assert_int_equal(test_wait(pid), 0);
	/* A removal wakes a waiter too, which finds the share gone. */
	pid = test_fork(&c);
	if (pid == 0) {
		child_check(test_recv(&c) == 'g');
		sleep_ms(50);
		child_check(share_remove(a) == 0);
		_exit(0);
	}
	assert_int_equal(test_send(&c, 'g'), 0);
	assert_fails(share_wait_change(a, 2, -1), -1, EIDRM);
	assert_int_equal(test_wait(pid), 0);
	assert_int_equal(share_close(a), 0);
}
