/* Clean-up and the life of a share across fork(). */
#include <poll.h>
#include <pthread.h>

#include "ipcsl.h"

static int group_teardown(void **state)
{
	(void)state;
	for (unsigned n = 0; n < 7; n++)
		test_remove_key(test_key(n));
	return 0;
}

/* Create a share under key in a child that exits without removing it. */
static void create_elsewhere(key_t key)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		share_t *s = share_new(key, 0, IPC_CREAT | IPC_EXCL);

		_exit(s && share_close(s) == 0 ? 0 : 1);
	}
	assert_int_equal(test_wait(pid), 0);
}

static void test_clean_up_removes_only_what_we_created(void **unused)
{
	(void)unused;
	share_t *mine = share_new(test_key(0), 0, IPC_CREAT | IPC_EXCL);
	share_t *theirs;
	struct share_info mi, ti;

	assert_non_null(mine);
	create_elsewhere(test_key(1));
	theirs = share_new(test_key(1), 0, 0);
	assert_non_null(theirs);
	assert_int_equal(share_stat(mine, &mi), 0);
	assert_int_equal(share_stat(theirs, &ti), 0);

	assert_int_equal(share_clean_up(), 0);
	assert_true(test_shm_gone(mi.shmid));
	assert_true(test_sem_gone(mi.semid));
	assert_false(test_shm_gone(ti.shmid));
	assert_false(test_sem_gone(ti.semid));
	/* The handle stays valid to close; using it says the share is gone. */
	assert_int_equal(share_store(mine, "x", 1), -1);
	assert_int_equal(errno, EIDRM);

	assert_int_equal(share_clean_up_all(), 0);
	assert_true(test_shm_gone(ti.shmid));
	assert_true(test_sem_gone(ti.semid));
	assert_int_equal(share_close(mine), 0);
	assert_int_equal(share_close(theirs), 0);
}

static void test_child_never_cleans_up_parents_shares(void **unused)
{
	(void)unused;
	share_t *s = share_new(test_key(2), 0, IPC_CREAT | IPC_EXCL);
	struct share_info info;
	pid_t pid;

	assert_non_null(s);
	assert_int_equal(share_stat(s, &info), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(share_clean_up() == 0 && share_clean_up_all() == 0 ? 0 : 1);
	assert_int_equal(test_wait(pid), 0);
	assert_false(test_shm_gone(info.shmid));
	assert_false(test_sem_gone(info.semid));
	assert_int_equal(share_store(s, "still here", 10), 0);
	assert_int_equal(share_remove(s), 0);
	assert_int_equal(share_close(s), 0);
}

static void test_closed_handles_are_forgotten(void **unused)
{
	(void)unused;
	share_t *s = share_new(test_key(3), 0, IPC_CREAT | IPC_EXCL);
	share_t *again;

	assert_non_null(s);
	assert_int_equal(share_close(s), 0);
	/* Closed without destroy: the share outlives the handle, and
	 * share_clean_up() no longer knows it. */
	assert_int_equal(share_clean_up(), 0);
	again = share_new(test_key(3), 0, 0);
	assert_non_null(again);
	assert_int_equal(share_remove(again), 0);
	assert_int_equal(share_close(again), 0);
}

static void test_private_share_removed_by_last_closer(void **unused)
{
	(void)unused;
	share_t *s = share_new(IPC_PRIVATE, 32, IPC_CREAT);
	struct share_info info;
	int go[2], done[2];
	char c;
	pid_t pid;

	assert_non_null(s);
	share_set_destroy(s, 1);
	assert_int_equal(share_stat(s, &info), 0);
	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(done), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(go[1]);
		close(done[0]);
		/* Grow the chain past its first segment, then wait for the
		 * parent to close before closing last. */
		if (share_store(s, "a value longer than sixteen bytes", 33) < 0)
			_exit(1);
		if (write(done[1], "s", 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(2);
		_exit(share_close(s) == 0 ? 0 : 3);
	}
	close(go[0]);
	close(done[1]);
	assert_int_equal(read(done[0], &c, 1), 1);
	assert_int_equal(share_close(s), 0);
	/* The child is still attached: the parent's close left it. */
	assert_false(test_shm_gone(info.shmid));
	assert_false(test_sem_gone(info.semid));
	assert_int_equal(write(go[1], "g", 1), 1);
	assert_int_equal(test_wait(pid), 0);
	assert_true(test_shm_gone(info.shmid));
	assert_true(test_sem_gone(info.semid));
	close(go[1]);
	close(done[0]);
}

/*
 * A child closing an inherited destroy handle while its parent holds a lock
 * and waits for it: the child must not wait for the lock (that would
 * deadlock both), and must leave the share to the parent.
 */
static void test_child_close_never_waits_for_parents_lock(void **unused)
{
	(void)unused;
	share_t *s = share_new(IPC_PRIVATE, 0, IPC_CREAT);
	struct share_info info;
	pid_t pid;

	assert_non_null(s);
	share_set_destroy(s, 1);
	assert_int_equal(share_stat(s, &info), 0);
	assert_int_equal(share_lock(s, LOCK_SH), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		alarm(60);	/* a regression fails here instead of hanging */
		_exit(share_close(s) == 0 ? 0 : 1);
	}
	assert_int_equal(test_wait(pid), 0);
	assert_false(test_shm_gone(info.shmid));
	assert_false(test_sem_gone(info.semid));
	assert_int_equal(share_close(s), 0);	/* the last one: removes it */
	assert_true(test_shm_gone(info.shmid));
	assert_true(test_sem_gone(info.semid));
}

/* Static: a failed test leaves the thread running after its frame is gone. */
static int clean_up_rc;

static void *clean_up_thread(void *unused)
{
	(void)unused;
	clean_up_rc = share_clean_up();
	return NULL;
}

/*
 * How long the holder below keeps the lock when nobody asks for it: only a
 * call stuck behind the clean-up makes it wait that long, so the bound
 * fails a stuck call, never a slow machine.
 */
#define HOLD_UNASKED_S 20

/*
 * A clean-up waiting for another process's lock must not hold up fork(),
 * nor share_new() and share_close() of another handle, in another thread.
 * The holder gives the lock back when asked, which happens only once those
 * calls returned, and says whether the ask came before HOLD_UNASKED_S
 * seconds ran out: event order, not timing.
 */
static void test_fork_never_waits_for_clean_up(void **unused)
{
	share_t *s = test_open(test_use_key(4), 0, IPC_CREAT | IPC_EXCL), *other;
	struct share_info info;
	struct test_chan holder;
	pthread_t thread;
	pid_t hpid, pid;

	(void)unused;
	assert_int_equal(share_stat(s, &info), 0);
	hpid = test_fork(&holder);
	if (hpid == 0) {
		struct pollfd p = { .fd = holder.rd, .events = POLLIN };
		int asked;

		child_check(share_lock(s, LOCK_EX) == 0);
		child_check(test_send(&holder, 'L') == 0);
		asked = poll(&p, 1, HOLD_UNASKED_S * 1000) > 0;
		child_check(share_unlock(s) == 0);
		test_recv(&holder);	/* the ask, in time or late */
		child_check(test_send(&holder, asked ? 'y' : 'n') == 0);
		_exit(0);
	}
	assert_int_equal(test_recv(&holder), 'L');
	clean_up_rc = -2;
	assert_int_equal(pthread_create(&thread, NULL, clean_up_thread, NULL), 0);
	/* The clean-up is asleep on the lock. */
	while (test_sem_waiters(info.semid) == 0)
		usleep(1000);

	pid = test_fork(NULL);
	if (pid == 0) {
		/* The registry is usable here: nothing in it is held. */
		share_t *p = share_new(IPC_PRIVATE, 0, IPC_CREAT);

		child_check(p && share_close(p) == 0);
		child_check(share_close(s) == 0);
		_exit(0);
	}
	/* Nor do opening and closing another handle in this thread. */
	other = test_private(0);
	assert_int_equal(test_close(other), 0);
	assert_int_equal(test_send(&holder, 'r'), 0);
	assert_int_equal(test_recv(&holder), 'y');	/* all that came first */
	assert_int_equal(test_wait(pid), 0);
	assert_int_equal(test_wait(hpid), 0);
	assert_int_equal(pthread_join(thread, NULL), 0);
	assert_int_equal(clean_up_rc, 0);
	assert_true(test_shm_gone(info.shmid));
	assert_true(test_sem_gone(info.semid));
	assert_int_equal(test_close(s), 0);
}

/*
 * Locks belong to handles: a process that holds a lock through one handle
 * and removes the share through another would wait for itself. The
 * clean-ups remove a share through the handle that holds its lock, and
 * fail it with EDEADLK, promptly, when no one handle can: two hold locks,
 * or the holder is one they pass over. They go on with the other shares.
 * Before, each case here waited for itself: for ever, or, with the
 * timeout these handles get, until ETIMEDOUT. A call that does not wait
 * never meets the timeout, so its length does not matter.
 */
#define SELF_WAIT_MS 2000

static share_t *open_bounded(key_t key, int flags)
{
	share_t *s = test_open(key, 0, flags);

	assert_int_equal(share_set_timeout(s, SELF_WAIT_MS), 0);
	return s;
}

static void test_clean_up_all_removes_through_lock_holder(void **unused)
{
	(void)unused;
	key_t key = test_use_key(5);
	share_t *holder = open_bounded(key, IPC_CREAT | IPC_EXCL);
	share_t *idle = open_bounded(key, 0);	/* comes first in the list */

	assert_int_equal(share_lock(holder, LOCK_SH), 0);
	assert_int_equal(share_clean_up_all(), 0);
	assert_true(test_key_gone(key));
	test_assert_removed(holder);
	test_assert_removed(idle);
	assert_int_equal(test_close(idle), 0);
	assert_int_equal(test_close(holder), 0);
}

static void test_clean_up_all_two_lock_holders(void **unused)
{
	(void)unused;
	key_t key = test_use_key(5), other_key = test_use_key(6);
	share_t *a = open_bounded(key, IPC_CREAT | IPC_EXCL);
	share_t *b = open_bounded(key, 0);
	share_t *other = open_bounded(other_key, IPC_CREAT | IPC_EXCL);

	assert_int_equal(share_store(a, "kept", 4), 0);
	assert_int_equal(share_lock(a, LOCK_SH), 0);
	assert_int_equal(share_lock(b, LOCK_SH), 0);
	assert_fails(share_clean_up_all(), -1, EDEADLK);
	/* That share stays, whole, and locked as it was; the other went. */
	assert_false(test_key_gone(key));
	test_assert_value(b, "kept");
	test_assert_locks(a, 2, 0);
	assert_true(test_key_gone(other_key));
	test_assert_removed(other);
	/* One lock given back, the handle that holds the other removes it. */
	assert_int_equal(share_unlock(b), 0);
	assert_int_equal(share_clean_up_all(), 0);
	assert_true(test_key_gone(key));
	test_assert_removed(a);
	test_assert_removed(b);
	assert_int_equal(test_close(other), 0);
	assert_int_equal(test_close(b), 0);
	assert_int_equal(test_close(a), 0);
}

static void test_clean_up_passes_over_lock_holder(void **unused)
{
	(void)unused;
	key_t key = test_use_key(5);
	share_t *mine = open_bounded(key, IPC_CREAT | IPC_EXCL);
	share_t *opened = open_bounded(key, 0);	/* not created: passed over */

	assert_int_equal(share_lock(opened, LOCK_EX), 0);
	assert_fails(share_clean_up(), -1, EDEADLK);
	assert_false(test_key_gone(key));
	test_assert_locks(mine, 0, 1);
	assert_int_equal(share_unlock(opened), 0);
	assert_int_equal(share_clean_up(), 0);
	assert_true(test_key_gone(key));
	assert_int_equal(test_close(opened), 0);
	assert_int_equal(test_close(mine), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_up_removes_only_what_we_created),
		cmocka_unit_test(test_child_never_cleans_up_parents_shares),
		cmocka_unit_test(test_closed_handles_are_forgotten),
		cmocka_unit_test(test_private_share_removed_by_last_closer),
		cmocka_unit_test(test_child_close_never_waits_for_parents_lock),
		test_case(test_fork_never_waits_for_clean_up),
		test_case(test_clean_up_all_removes_through_lock_holder),
		test_case(test_clean_up_all_two_lock_holders),
		test_case(test_clean_up_passes_over_lock_holder),
	};

	return cmocka_run_group_tests(tests, NULL, group_teardown);
}
