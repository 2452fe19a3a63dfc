/*
 * Who removes a share: share_remove(), the opener's close with the destroy
 * flag, and for IPC_PRIVATE shares and inherited handles, the last process
 * attached. A removed share leaves no segment and no semaphore set.
 */
#include <pthread.h>
#include <stdint.h>
#include "ipcsl.h"

/* Kept in a global, so that no child's exit leaks it. */
static share_t *child_share;

/* The ids of a share with a chain, to see every one of them go. */
struct ids {
	int shm[64];
	int nshm;
	int sem;
};

static void store_chain(share_t *s, struct ids *ids)
{
	unsigned char buf[500];

	test_fill(buf, sizeof(buf), 1);
	assert_int_equal(share_store(s, buf, sizeof(buf)), 0);
	ids->nshm = test_chain_ids(s, ids->shm, 64);
	assert_true(ids->nshm > 1);
	ids->sem = test_semid(s);
}

static void assert_all_gone(const struct ids *ids)
{
	for (int i = 0; i < ids->nshm; i++)
		if (!test_shm_gone(ids->shm[i]))
			fail_msg("segment %d (shmid %d) is still there", i, ids->shm[i]);
	assert_true(test_sem_gone(ids->sem));
}

static void assert_none_gone(const struct ids *ids)
{
	for (int i = 0; i < ids->nshm; i++)
		assert_false(test_shm_gone(ids->shm[i]));
	assert_false(test_sem_gone(ids->sem));
}

/* A child that closes its inherited handle on 'c', then says 'd'. */
static pid_t child_closes_on_cue(share_t *s, struct test_chan *c)
{
	pid_t pid = test_fork(c);

	if (pid == 0) {
		child_check(test_recv(c) == 'c');
		child_check(share_close(s) == 0);
		child_check(test_send(c, 'd') == 0);
		_exit(0);
	}
	return pid;
}

static void test_close_with_destroy_removes_everything(void **unused)
{
	(void)unused;
	key_t key = test_use_key(1);
	share_t *s = test_open(key, 64, IPC_CREAT | IPC_EXCL);
	struct ids ids;

	store_chain(s, &ids);
	share_set_destroy(s, 1);
	assert_int_equal(test_close(s), 0);
	assert_true(test_key_gone(key));
	assert_all_gone(&ids);
}

static void test_close_without_destroy_keeps(void **unused)
{
	(void)unused;
	key_t key = test_use_key(1);
	share_t *s = test_open(key, 64, IPC_CREAT | IPC_EXCL);
	struct ids ids;

	store_chain(s, &ids);
	share_set_destroy(s, 1);
	share_set_destroy(s, 0);
	assert_int_equal(test_close(s), 0);
	assert_none_gone(&ids);
	s = test_open(key, 0, 0);
	assert_int_equal(share_num_segments(s), ids.nshm);
	assert_int_equal(share_remove(s), 0);
	assert_int_equal(test_close(s), 0);
	assert_true(test_key_gone(key));
	assert_all_gone(&ids);
}

static void test_remove_private(void **unused)
{
	(void)unused;
	share_t *s = test_private(64);
	struct ids ids;

	store_chain(s, &ids);
	assert_int_equal(share_remove(s), 0);
	assert_all_gone(&ids);
	assert_int_equal(test_close(s), 0);
}

/* The opener's close with destroy removes it under other processes too. */
static void test_opener_destroys_under_others(void **unused)
{
	(void)unused;
	key_t key = test_use_key(1);
	share_t *s = test_open(key, 64, IPC_CREAT | IPC_EXCL);
	struct test_chan c;
	struct ids ids;
	pid_t pid;

	store_chain(s, &ids);
	pid = test_fork(&c);
	if (pid == 0) {
		void *data = NULL;

		child_share = share_new(key, 0, 0);
		child_check(child_share != NULL);
		child_check(share_fetch(child_share, &data) == 500);
		free(data);
		child_check(test_send(&c, 'a') == 0);
		child_check(test_recv(&c) == 'c');
		errno = 0;
		child_check(share_store(child_share, "x", 1) == -1 && errno == EIDRM);
		errno = 0;
		child_check(share_fetch(child_share, &data) == -1 && errno == EIDRM);
		errno = 0;
		child_check(share_lock(child_share, LOCK_SH) == -1 && errno == EIDRM);
		errno = 0;
		child_check(share_version(child_share) == 0 && errno == EIDRM);
		child_check(share_close(child_share) == 0);
		_exit(0);
	}
	assert_int_equal(test_recv(&c), 'a');
	share_set_destroy(s, 1);
	assert_int_equal(test_close(s), 0);
	assert_true(test_key_gone(key));
	assert_int_equal(test_send(&c, 'c'), 0);
	assert_int_equal(test_wait(pid), 0);
	assert_all_gone(&ids);
}

/* A share removed by another process: EIDRM here, and close still works. */
static void test_removed_by_another_process(void **unused)
{
	(void)unused;
	key_t key = test_use_key(1);
	share_t *s = test_open(key, 0, IPC_CREAT | IPC_EXCL);
	pid_t pid;

	assert_int_equal(share_store(s, "doomed", 6), 0);
	pid = test_fork(NULL);
	if (pid == 0) {
		child_share = share_new(key, 0, 0);
		child_check(child_share && share_remove(child_share) == 0);
		child_check(share_close(child_share) == 0);
		_exit(0);
	}
	assert_int_equal(test_wait(pid), 0);
	test_assert_removed(s);
	assert_int_equal(test_close(s), 0);
	assert_true(test_key_gone(key));
}

/*
 * A handle on a removed share never reaches the share created under the
 * same key since: it has the old ids, not the key.
 */
static void test_stale_handle_leaves_new_share(void **unused)
{
	(void)unused;
	key_t key = test_use_key(1);
	share_t *old = test_open(key, 64, IPC_CREAT | IPC_EXCL);
	share_t *stale = test_open(key, 0, 0);
	share_t *fresh;
	unsigned char buf[200];

	test_fill(buf, sizeof(buf), 2);
	assert_int_equal(share_store(stale, buf, sizeof(buf)), 0);
	assert_int_equal(share_remove(old), 0);
	assert_int_equal(test_close(old), 0);
	fresh = test_open(key, 64, IPC_CREAT | IPC_EXCL);
	assert_int_equal(share_store(fresh, "new", 3), 0);

	test_assert_removed(stale);
	share_set_destroy(stale, 1);
	assert_int_equal(test_close(stale), 0);
	test_assert_value(fresh, "new");
	assert_int_equal(share_version(fresh), 2);
	test_assert_locks(fresh, 0, 0);
	share_set_destroy(fresh, 1);
	assert_int_equal(test_close(fresh), 0);
	assert_true(test_key_gone(key));
}

/* IPC_PRIVATE with destroy: a child that closes first leaves it be. */
static void test_private_child_closes_first(void **unused)
{
	(void)unused;
	share_t *s = test_private(64);
	struct ids ids;
	pid_t pid;

	store_chain(s, &ids);
	pid = test_fork(NULL);
	if (pid == 0) {
		void *data = NULL;

		child_check(share_get_destroy(s) == 1);
		child_check(share_fetch(s, &data) == 500);
		free(data);
		child_check(share_close(s) == 0);
		_exit(0);
	}
	assert_int_equal(test_wait(pid), 0);
	assert_none_gone(&ids);
	assert_int_equal(share_num_segments(s), ids.nshm);
	assert_int_equal(share_store(s, "still here", 10), 0);
	test_assert_value(s, "still here");
	assert_int_equal(test_close(s), 0);
	assert_all_gone(&ids);
}

/* The parent closes first and leaves it to the child, the last, which
 * removes it with the destroy flag given or not: without a key nothing
 * could reach it afterwards. */
static void parent_closes_first(int destroy)
{
	share_t *s = test_private(64);
	struct test_chan c;
	struct ids ids;
	pid_t pid;

	share_set_destroy(s, destroy);
	store_chain(s, &ids);
	pid = test_fork(&c);
	if (pid == 0) {
		void *data = NULL;

		child_check(test_recv(&c) == 'c');
		child_check(share_fetch(s, &data) == 500);
		free(data);
		child_check(share_store(s, "child's", 7) == 0);
		child_check(share_close(s) == 0);
		_exit(0);
	}
	assert_int_equal(test_close(s), 0);
	assert_none_gone(&ids);
	assert_int_equal(test_send(&c, 'c'), 0);
	assert_int_equal(test_wait(pid), 0);
	assert_all_gone(&ids);
}

static void test_private_parent_closes_first(void **unused)
{
	(void)unused;
	parent_closes_first(1);
}

static void test_private_without_destroy_parent_closes_first(void **unused)
{
	(void)unused;
	parent_closes_first(0);
}

/* IPC_PRIVATE without destroy, in one process: its close removes it. */
static void test_private_removed_without_destroy(void **unused)
{
	(void)unused;
	share_t *s = test_private(64);
	struct ids ids;

	share_set_destroy(s, 0);
	store_chain(s, &ids);
	assert_int_equal(test_close(s), 0);
	assert_all_gone(&ids);
}

/* Parent and child closing at once: exactly one of them removes it. */
#define CLOSE_ROUNDS 50

static void test_private_both_close_at_once(void **unused)
{
	(void)unused;
	for (int round = 0; round < CLOSE_ROUNDS; round++) {
		share_t *s = test_private(64);
		struct test_chan c;
		struct ids ids;
		pid_t pid;

		store_chain(s, &ids);
		pid = child_closes_on_cue(s, &c);
		assert_int_equal(test_send(&c, 'c'), 0);
		assert_int_equal(test_close(s), 0);
		assert_int_equal(test_wait(pid), 0);
		assert_all_gone(&ids);
	}
}

/* What a family's creator tells the test of the share it made. */
struct family {
	int shmid, semid;
	pid_t grandchild;
};

/* The ids of the chain from the head on, read from a segment's headers. */
static void chain_ids_from(int shmid, struct ids *ids)
{
	for (ids->nshm = 0; shmid >= 0; ids->nshm++) {
		void *p = shmat(shmid, NULL, SHM_RDONLY);

		assert_true(p != (void *)-1);
		assert_true(ids->nshm < 64);
		ids->shm[ids->nshm] = shmid;
		shmid = *(const int32_t *)p;
		shmdt(p);
	}
}

/* Leave to the teardown what a dead family left, in case the test fails. */
static void teardown_removes(int semid, int first_shmid)
{
	struct test_ids ids = { IPC_PRIVATE, first_shmid, semid };

	test_adopt_ids(&ids);
}

/*
 * A family killed with SIGKILL closes nothing. The head of its private share
 * goes with the last of them all the same; the semaphore set and the
 * overflow segments stay, as sharelite(7) says, until removed by hand.
 */
static void test_private_family_killed(void **unused)
{
	(void)unused;
	struct test_chan c;
	struct family f;
	struct ids ids;
	pid_t pid = test_fork(&c);

	if (pid == 0) {
		share_t *s = share_new(IPC_PRIVATE, 64, IPC_CREAT);
		unsigned char buf[500];
		struct share_info info;

		child_check(s != NULL);
		test_fill(buf, sizeof(buf), 1);
		child_check(share_store(s, buf, sizeof(buf)) == 0);
		child_check(share_stat(s, &info) == 0);
		f.shmid = info.shmid;
		f.semid = info.semid;
		f.grandchild = fork();
		child_check(f.grandchild >= 0);
		if (f.grandchild == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			for (;;)
				pause();
		}
		child_check(write(c.wr, &f, sizeof(f)) == (ssize_t)sizeof(f));
		child_check(test_recv(&c) == 'w');
		child_check(waitpid(f.grandchild, NULL, 0) == f.grandchild);
		child_check(test_send(&c, 'g') == 0);
		for (;;)
			pause();
	}
	assert_int_equal(read(c.rd, &f, sizeof(f)), (ssize_t)sizeof(f));
	chain_ids_from(f.shmid, &ids);
	assert_true(ids.nshm > 1);
	ids.sem = f.semid;
	teardown_removes(f.semid, ids.shm[1]);

	assert_int_equal(kill(f.grandchild, SIGKILL), 0);
	assert_int_equal(test_send(&c, 'w'), 0);
	assert_int_equal(test_recv(&c), 'g');
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(test_wait(pid), -1);

	assert_true(test_shm_gone(ids.shm[0]));
	for (int i = 1; i < ids.nshm; i++)
		assert_false(test_shm_gone(ids.shm[i]));
	assert_false(test_sem_gone(ids.sem));
	/* What ipcrm(1) would do. */
	for (int i = 1; i < ids.nshm; i++)
		assert_int_equal(shmctl(ids.shm[i], IPC_RMID, NULL), 0);
	assert_int_equal(semctl(ids.sem, 0, IPC_RMID), 0);
}

/* A child's close of an inherited handle keeps the parent's keyed share. */
static void test_inherited_close_keeps_keyed(void **unused)
{
	(void)unused;
	key_t key = test_use_key(1);
	share_t *s = test_open(key, 64, IPC_CREAT | IPC_EXCL);
	struct ids ids;
	pid_t pid;

	store_chain(s, &ids);
	share_set_destroy(s, 1);
	pid = test_fork(NULL);
	if (pid == 0) {
		child_check(share_close(s) == 0);
		_exit(0);
	}
	assert_int_equal(test_wait(pid), 0);
	assert_none_gone(&ids);
	assert_int_equal(share_num_segments(s), ids.nshm);
	assert_int_equal(test_close(s), 0);	/* the opener's: removes it */
	assert_true(test_key_gone(key));
	assert_all_gone(&ids);
}

/*
 * ...unless that child is the last process attached. Another process with
 * a handle of its own counts as attached.
 */
static void test_inherited_close_by_last_removes(void **unused)
{
	(void)unused;
	key_t key = test_use_key(1);
	share_t *s = test_open(key, 64, IPC_CREAT | IPC_EXCL);
	struct test_chan heir, other;
	struct ids ids;
	pid_t heir_pid, other_pid;

	store_chain(s, &ids);
	share_set_destroy(s, 1);
	heir_pid = child_closes_on_cue(s, &heir);
	other_pid = test_fork(&other);
	if (other_pid == 0) {
		child_share = share_new(key, 0, 0);
		child_check(child_share != NULL);
		child_check(test_send(&other, 'a') == 0);
		child_check(test_recv(&other) == 'c');
		child_check(share_close(child_share) == 0);
		child_check(test_send(&other, 'd') == 0);
		_exit(0);
	}
	assert_int_equal(test_recv(&other), 'a');
	share_set_destroy(s, 0);
	assert_int_equal(test_close(s), 0);	/* the parent lets go */
	assert_none_gone(&ids);

	/* The heir closes while the other process is still attached. */
	assert_int_equal(test_send(&heir, 'c'), 0);
	assert_int_equal(test_recv(&heir), 'd');
	assert_int_equal(test_wait(heir_pid), 0);
	assert_none_gone(&ids);
	assert_int_equal(test_send(&other, 'c'), 0);
	assert_int_equal(test_recv(&other), 'd');
	assert_int_equal(test_wait(other_pid), 0);
	assert_none_gone(&ids);	/* no destroy flag: it stays */

	/* Alone, a child with an inherited destroy flag removes it. */
	s = test_open(key, 0, 0);
	share_set_destroy(s, 1);
	heir_pid = child_closes_on_cue(s, &heir);
	share_set_destroy(s, 0);
	assert_int_equal(test_close(s), 0);
	assert_none_gone(&ids);
	assert_int_equal(test_send(&heir, 'c'), 0);
	assert_int_equal(test_wait(heir_pid), 0);
	assert_true(test_key_gone(key));
	assert_all_gone(&ids);
}

/*
 * Locks belong to handles: removing a share through one handle while
 * another handle of this process holds a lock on it would wait for this
 * process itself. share_remove() and a close with the destroy flag fail
 * with EDEADLK at once and leave the share as it was. Before, they waited:
 * for ever, or until ETIMEDOUT under the timeout these handles get, which
 * a call that does not wait never meets.
 */
#define SELF_WAIT_MS 2000

/* Two handles on one new share with a chain: *a bounded, *b not. */
static void open_twice(share_t **a, share_t **b, struct ids *ids)
{
	key_t key = test_use_key(7);

	*a = test_open(key, 64, IPC_CREAT | IPC_EXCL);
	*b = test_open(key, 0, 0);
	assert_int_equal(share_set_timeout(*a, SELF_WAIT_MS), 0);
	store_chain(*a, ids);
}

static void test_remove_never_waits_for_own_lock(void **unused)
{
	(void)unused;
	share_t *a, *b;
	struct ids ids;

	open_twice(&a, &b, &ids);
	for (int op = LOCK_SH; op <= LOCK_EX; op += LOCK_EX - LOCK_SH) {
		assert_int_equal(share_lock(b, op), 0);
		assert_fails(share_remove(a), -1, EDEADLK);
		/* Nor when a holds a lock of its own: b's still blocks it. */
		if (op == LOCK_SH) {
			assert_int_equal(share_lock(a, LOCK_SH), 0);
			assert_fails(share_remove(a), -1, EDEADLK);
			test_assert_locks(a, 2, 0);
			assert_int_equal(share_unlock(a), 0);
		}
		assert_none_gone(&ids);
		test_assert_locks(a, op == LOCK_SH, op == LOCK_EX);
		assert_int_equal(share_unlock(b), 0);
	}
	/* Through the holder itself, an upgrade: no wait for itself. */
	assert_int_equal(share_lock(a, LOCK_SH), 0);
	assert_int_equal(share_remove(a), 0);
	assert_true(test_key_gone(test_key(7)));
	assert_int_equal(test_close(b), 0);	/* its mappings held the head */
	assert_int_equal(test_close(a), 0);
	assert_all_gone(&ids);
}

static void *lock_shared(void *handle)
{
	return (void *)(intptr_t)share_lock(handle, LOCK_SH);
}

/*
 * A lock another thread took through another handle is that thread's to
 * give back: the removal waits for it, as for another process's, and
 * does not call it a deadlock.
 */
static void test_remove_waits_for_other_threads_lock(void **unused)
{
	(void)unused;
	share_t *a, *b;
	struct ids ids;
	pthread_t thread;
	void *rc;

	open_twice(&a, &b, &ids);
	assert_int_equal(pthread_create(&thread, NULL, lock_shared, b), 0);
	assert_int_equal(pthread_join(thread, &rc), 0);
	assert_int_equal((intptr_t)rc, 0);
	assert_int_equal(share_set_timeout(a, 50), 0);
	assert_fails(share_remove(a), -1, ETIMEDOUT);
	assert_none_gone(&ids);
	assert_int_equal(share_unlock(b), 0);
	assert_int_equal(share_remove(a), 0);
	assert_int_equal(test_close(b), 0);
	assert_int_equal(test_close(a), 0);
	assert_all_gone(&ids);
}

static void test_close_destroy_never_waits_for_own_lock(void **unused)
{
	(void)unused;
	share_t *a, *b;
	struct ids ids;

	open_twice(&a, &b, &ids);
	assert_int_equal(share_lock(a, LOCK_SH), 0);
	assert_int_equal(share_lock(b, LOCK_SH), 0);
	share_set_destroy(a, 1);
	/* Closed all the same, giving its own lock back; the share stays. */
	assert_fails(test_close(a), -1, EDEADLK);
	assert_none_gone(&ids);
	test_assert_locks(b, 1, 0);
	assert_int_equal(share_unlock(b), 0);
	share_set_destroy(b, 1);
	assert_int_equal(test_close(b), 0);
	assert_all_gone(&ids);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		test_case(test_close_with_destroy_removes_everything),
		test_case(test_close_without_destroy_keeps),
		test_case(test_remove_private),
		test_case(test_opener_destroys_under_others),
		test_case(test_removed_by_another_process),
		test_case(test_stale_handle_leaves_new_share),
		test_case(test_private_child_closes_first),
		test_case(test_private_parent_closes_first),
		test_case(test_private_removed_without_destroy),
		test_case(test_private_without_destroy_parent_closes_first),
		test_case(test_private_both_close_at_once),
		test_case(test_private_family_killed),
		test_case(test_inherited_close_keeps_keyed),
		test_case(test_inherited_close_by_last_removes),
		test_case(test_remove_never_waits_for_own_lock),
		test_case(test_close_destroy_never_waits_for_own_lock),
		test_case(test_remove_waits_for_other_threads_lock),
	};

	return test_run(tests);
}
