/*
 * Bounded waits: a handle's timeout (share_set_timeout, share_new_timeout)
 * bounds every call that waits for the lock. A call that runs out fails
 * with ETIMEDOUT and leaves the value, the version and the caller's lock
 * as they were; once the holder lets go, the same call works. No check
 * depends on how long anything took, only on the call coming back. An open
 * that meets a set not yet initialised: tests/ipcsl/test_timeout.c.
 */
#include <sys/file.h>	/* first: the LOCK_* values must agree with ours */
#include "harness.h"

#define SHORT_MS 50
#define LONG_MS (60 * 60 * 1000)	/* longer than any test runs */

/* Kept in a global, so that a child that exits holding it leaks nothing. */
static share_t *child_share;

/*
 * A child with its own handle on key that takes `operation` and holds it
 * until told: 'u' to unlock (it answers 'U') and exit. It says 'r' just
 * before it asks for the lock and 'L' once it has it. With wait_for_it the
 * parent goes on only once the child holds the lock; otherwise only once
 * it has asked.
 */
static pid_t hold(key_t key, int operation, int wait_for_it, struct test_chan *c)
{
	pid_t pid = test_fork(c);

	if (pid == 0) {
		child_share = share_new(key, 0, 0);
		child_check(child_share != NULL);
		child_check(test_send(c, 'r') == 0);
		child_check(share_lock(child_share, operation) == 0);
		child_check(test_send(c, 'L') == 0);
		child_check(test_recv(c) == 'u');
		child_check(share_unlock(child_share) == 0);
		child_check(test_send(c, 'U') == 0);
		_exit(0);
	}
	assert_int_equal(test_recv(c), 'r');
	if (wait_for_it)
		assert_int_equal(test_recv(c), 'L');
	return pid;
}

static void let_go(pid_t pid, struct test_chan *c)
{
	assert_int_equal(test_send(c, 'u'), 0);
	assert_int_equal(test_recv(c), 'U');
	assert_int_equal(test_wait(pid), 0);
}

/* Every call that may wait for the lock; REMOVE last, it ends the share. */
enum call { STORE, FETCH, FETCH_INTO, FETCH_IF_CHANGED, NUM_SEGMENTS, LOCK_SHARED,
	    LOCK_EXCL, REMOVE, NCALLS };

static const char *const call_names[NCALLS] = {
	"share_store", "share_fetch", "share_fetch_into", "share_fetch_if_changed",
	"share_num_segments", "share_lock(LOCK_SH)", "share_lock(LOCK_EX)", "share_remove",
};

/* 0 on success, -1 with errno; a lock taken is given back. */
static int call(share_t *s, enum call which)
{
	unsigned int version = 0;	/* no share has it: always "changed" */
	char buf[16];
	void *data = buf;
	size_t length = 1;
	int rc;

	switch (which) {
	case STORE:
		return share_store(s, "after", 5);
	case FETCH:
		rc = share_fetch(s, &data) < 0 ? -1 : 0;
		assert_true(rc < 0 ? data == NULL : data != NULL);
		free(rc < 0 ? NULL : data);
		return rc;
	case FETCH_INTO:
		return share_fetch_into(s, buf, sizeof(buf)) < 0 ? -1 : 0;
	case FETCH_IF_CHANGED:
		rc = share_fetch_if_changed(s, &version, &data, &length);
		if (rc < 0) {
			assert_null(data);
			assert_int_equal(length, 0);
			assert_int_equal(version, 0);
			return -1;
		}
		assert_int_equal(rc, 1);
		free(data);
		return 0;
	case NUM_SEGMENTS:
		return share_num_segments(s) < 0 ? -1 : 0;
	case LOCK_SHARED:
	case LOCK_EXCL:
		if (share_lock(s, which == LOCK_SHARED ? LOCK_SH : LOCK_EX) < 0)
			return -1;
		return share_unlock(s);
	case REMOVE:
		return share_remove(s);
	default:
		fail();
	}
	return -1;
}

/*
 * Whether the call waits behind another process's LOCK_EX: the fetches of
 * a handle that holds no lock do not, on a format whose fetches take no
 * lock (sharelite(7), "Native format"); they return the last stored value.
 */
static int waits_behind_writer(enum call which)
{
	switch (which) {
	case FETCH:
	case FETCH_INTO:
	case FETCH_IF_CHANGED:
		return test_format()->fetch_waits_for_writer;
	default:
		return 1;
	}
}

/* A keyed share holding "before"; *state is our handle on it. */
static key_t fixture_key;

static int setup_share(void **state)
{
	share_t *s;

	test_setup(state);
	fixture_key = test_use_key(1);
	s = test_open(fixture_key, 0, IPC_CREAT | IPC_EXCL);
	assert_int_equal(share_store(s, "before", 6), 0);
	assert_int_equal(share_set_timeout(s, SHORT_MS), 0);
	*state = s;
	return 0;
}

#define share_case(f) cmocka_unit_test_setup_teardown(f, setup_share, test_teardown)

static void test_settings(void **unused)
{
	(void)unused;
	key_t key = test_use_key(2);
	share_t *s = test_open(key, 0, IPC_CREAT);

	assert_int_equal(share_timeout(s), -1);	/* the default: no limit */
	assert_int_equal(share_set_timeout(s, SHORT_MS), 0);
	assert_int_equal(share_timeout(s), SHORT_MS);
	assert_int_equal(share_set_timeout(s, 0), 0);
	assert_int_equal(share_timeout(s), 0);
	assert_fails(share_set_timeout(s, -2), -1, EINVAL);
	assert_int_equal(share_timeout(s), 0);	/* unchanged */
	assert_int_equal(share_set_timeout(s, -1), 0);
	assert_int_equal(share_timeout(s), -1);
	assert_fails(share_set_timeout(NULL, 1), -1, EINVAL);
	assert_fails(share_timeout(NULL), 0, EINVAL);
	assert_int_equal(test_close(s), 0);

	assert_fails(share_new_timeout(key, 0, 0, -2), NULL, EINVAL);
	s = share_new_timeout(key, 0, 0, SHORT_MS);
	assert_non_null(s);
	assert_int_equal(share_timeout(s), SHORT_MS);
	assert_int_equal(share_close(s), 0);
	s = share_new_timeout(key, 0, 0, -1);
	assert_non_null(s);
	assert_int_equal(share_timeout(s), -1);
	assert_int_equal(share_close(s), 0);
}

/*
 * Behind another process's LOCK_EX each call times out and changes
 * nothing, but a fetch that does not wait, which returns the value stored
 * before the lock was taken; after it lets go, each works.
 */
static void assert_calls_time_out(share_t *s, int timeout_ms)
{
	unsigned int version = share_version(s);
	struct test_chan c;
	pid_t pid;

	assert_int_equal(share_set_timeout(s, timeout_ms), 0);
	pid = hold(fixture_key, LOCK_EX, 1, &c);
	for (int i = 0; i < NCALLS; i++) {
		errno = 0;
		if (!waits_behind_writer((enum call)i)) {
			if (call(s, (enum call)i) != 0)
				fail_msg("%s with timeout %d behind LOCK_EX: %s, want the value",
					 call_names[i], timeout_ms, strerror(errno));
			test_assert_value(s, "before");
		} else if (call(s, (enum call)i) != -1 || errno != ETIMEDOUT) {
			fail_msg("%s with timeout %d: errno %d (%s), want ETIMEDOUT",
				 call_names[i], timeout_ms, errno, strerror(errno));
		}
		assert_int_equal(share_version(s), version);
		test_assert_locks(s, 0, 1);	/* the holder's, and no more */
	}
	assert_int_equal(test_waiters(s), 0);
	let_go(pid, &c);
	test_assert_value(s, "before");
	assert_int_equal(share_version(s), version);
	for (int i = 0; i < NCALLS; i++) {
		if (call(s, (enum call)i) != 0)
			fail_msg("%s after the holder let go: %s", call_names[i], strerror(errno));
		if (i != REMOVE)
			test_assert_locks(s, 0, 0);
	}
	assert_true(test_key_gone(fixture_key));
}

static void test_calls_time_out(void **state)
{
	assert_calls_time_out(*state, SHORT_MS);
}

/* A timeout of 0 never waits. */
static void test_zero_never_waits(void **state)
{
	assert_calls_time_out(*state, 0);
}

/* A store waits for readers too; fetches go on beside them, also after
 * the store gave up. */
static void test_store_times_out_behind_reader(void **state)
{
	share_t *s = *state;
	unsigned int version = share_version(s);
	struct test_chan c;
	pid_t pid = hold(fixture_key, LOCK_SH, 1, &c);

	assert_fails(share_store(s, "after", 5), -1, ETIMEDOUT);
	assert_int_equal(share_version(s), version);
	test_assert_locks(s, 1, 0);
	/* The writer that gave up no longer counts as waiting, so new
	 * readers do not queue behind it (sharelite(7), "Fairness"). */
	assert_int_equal(test_info(s).writers_waiting, test_writers_waiting(0));
	assert_int_equal(share_lock(s, LOCK_SH | LOCK_NB), 0);
	assert_int_equal(share_unlock(s), 0);
	test_assert_value(s, "before");
	let_go(pid, &c);
	assert_int_equal(share_store(s, "after", 5), 0);
	test_assert_value(s, "after");
}

/*
 * A blocking upgrade gives LOCK_SH up while it waits. Behind a reader that
 * keeps its lock, it times out with LOCK_SH taken back; so does a store
 * under LOCK_SH, which upgrades for the time of the store.
 */
static void assert_upgrade_keeps_shared(share_t *s, int timeout_ms)
{
	unsigned int version = share_version(s);
	struct test_chan c;
	pid_t pid;

	assert_int_equal(share_set_timeout(s, timeout_ms), 0);
	assert_int_equal(share_lock(s, LOCK_SH), 0);
	pid = hold(fixture_key, LOCK_SH, 1, &c);
	assert_fails(share_lock(s, LOCK_EX), -1, ETIMEDOUT);
	test_assert_locks(s, 2, 0);
	assert_fails(share_store(s, "after", 5), -1, ETIMEDOUT);
	test_assert_locks(s, 2, 0);
	assert_int_equal(share_version(s), version);
	let_go(pid, &c);
	assert_int_equal(share_store(s, "after", 5), 0);
	test_assert_locks(s, 1, 0);	/* the store went back to LOCK_SH */
	assert_int_equal(share_lock(s, LOCK_EX), 0);
	test_assert_locks(s, 0, 1);
	assert_int_equal(share_unlock(s), 0);
	test_assert_value(s, "after");
}

static void test_upgrade_keeps_shared(void **state)
{
	assert_upgrade_keeps_shared(*state, SHORT_MS);
}

static void test_zero_upgrade_keeps_shared(void **state)
{
	assert_upgrade_keeps_shared(*state, 0);
}

/*
 * A writer already waiting gets LOCK_EX the moment the upgrade gives
 * LOCK_SH up (the kernel completes a waiting semop as soon as it can), and
 * keeps it: the upgrade times out, so does taking LOCK_SH back, and the
 * call says that the handle holds nothing: ENOLCK.
 */
static void assert_upgrade_loses_shared(share_t *s, enum call which)
{
	struct test_chan c;
	pid_t pid;

	assert_int_equal(share_lock(s, LOCK_SH), 0);
	pid = hold(fixture_key, LOCK_EX, 0, &c);
	assert_int_equal(test_child_waits(&c, s), 1);
	assert_fails(call(s, which), -1, ENOLCK);
	assert_int_equal(test_recv(&c), 'L');
	test_assert_locks(s, 0, 1);	/* the writer's; ours is gone */
	let_go(pid, &c);
	test_assert_locks(s, 0, 0);
	assert_int_equal(share_lock(s, LOCK_EX), 0);	/* holding nothing, it works */
	assert_int_equal(share_unlock(s), 0);
}

static void test_upgrade_loses_shared(void **state)
{
	assert_upgrade_loses_shared(*state, LOCK_EXCL);
	assert_upgrade_loses_shared(*state, STORE);
	test_assert_value(*state, "before");
}

/*
 * share_close() with the destroy flag waits for the lock to remove the
 * share: on timeout the handle is closed, its lock given back, and the
 * share stays.
 */
static void test_close_times_out(void **state)
{
	static const int ours[] = { 0, LOCK_SH };
	share_t *s = *state;
	struct test_chan c;
	pid_t pid;

	for (int i = 0; i < 2; i++) {
		if (!s) {
			s = test_open(fixture_key, 0, 0);
			assert_int_equal(share_set_timeout(s, SHORT_MS), 0);
		}
		share_set_destroy(s, 1);
		if (ours[i])
			assert_int_equal(share_lock(s, ours[i]), 0);
		pid = hold(fixture_key, ours[i] ? LOCK_SH : LOCK_EX, 1, &c);
		assert_fails(test_close(s), -1, ETIMEDOUT);
		s = NULL;
		assert_false(test_key_gone(fixture_key));
		let_go(pid, &c);
		s = test_open(fixture_key, 0, 0);
		test_assert_locks(s, 0, 0);	/* the closed handle's is gone too */
		test_assert_value(s, "before");
		assert_int_equal(test_close(s), 0);
		s = NULL;
	}
}

/* share_clean_up() removes through each handle, under its timeout. */
static void test_clean_up_times_out(void **state)
{
	share_t *s = *state;
	struct test_chan c;
	pid_t pid = hold(fixture_key, LOCK_EX, 1, &c);

	assert_fails(share_clean_up(), -1, ETIMEDOUT);
	assert_false(test_key_gone(fixture_key));
	let_go(pid, &c);
	test_assert_value(s, "before");
	assert_int_equal(share_clean_up(), 0);
	assert_true(test_key_gone(fixture_key));
}

static void on_signal(int sig)
{
	(void)sig;
}

/*
 * Signals, with no SA_RESTART, arriving again and again: share_lock()
 * still gives EINTR, and the other calls still wait on, but no longer than
 * the timeout: a signal does not start it afresh.
 */
static void test_signals_keep_the_bound(void **state)
{
	share_t *s = *state;
	struct sigaction sa;
	struct test_chan c;
	pid_t holder, pest, parent = getpid();

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGUSR1, &sa, NULL), 0);
	holder = hold(fixture_key, LOCK_EX, 1, &c);
	pest = test_fork(NULL);
	if (pest == 0) {
		for (;;) {
			kill(parent, SIGUSR1);
			usleep(1000);
		}
	}
	assert_int_equal(share_set_timeout(s, LONG_MS), 0);
	assert_fails(share_lock(s, LOCK_SH), -1, EINTR);
	assert_fails(share_lock(s, LOCK_EX), -1, EINTR);
	assert_int_equal(share_set_timeout(s, SHORT_MS), 0);
	assert_fails(share_store(s, "after", 5), -1, ETIMEDOUT);
	assert_fails(share_num_segments(s), -1, ETIMEDOUT);
	assert_int_equal(kill(pest, SIGKILL), 0);
	assert_int_equal(test_wait(pest), -1);
	test_assert_locks(s, 0, 1);
	let_go(holder, &c);
	test_assert_value(s, "before");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		test_case(test_settings),
		share_case(test_calls_time_out),
		share_case(test_zero_never_waits),
		share_case(test_store_times_out_behind_reader),
		share_case(test_upgrade_keeps_shared),
		share_case(test_zero_upgrade_keeps_shared),
		share_case(test_upgrade_loses_shared),
		share_case(test_close_times_out),
		share_case(test_clean_up_times_out),
		share_case(test_signals_keep_the_bound),
	};

	return test_run(tests);
}
