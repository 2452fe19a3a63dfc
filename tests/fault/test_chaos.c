/*
 * Every system call and allocation the library makes, made to fail in
 * turn: call n fails, then n + 1, until the operation meets no failure.
 * After each failure the share is as it was: the old value whole, no lock
 * held, no SysV object left behind. A semop() that a signal interrupts is
 * restarted by store, fetch and the others; share_lock() gives EINTR.
 * Each walk runs with no timeout (semop) and with one that never runs out
 * (semtimedop), since the two wait through different calls.
 */
#include "fault.h"
#include "inject.h"

#define SEGSZ 64		/* 48 data bytes a segment */

static unsigned char small_value[60], big_value[48 * 5 + 7];

/* The timeout of the handles under test: -1, or one that never runs out. */
#define NEVER_MS (60 * 60 * 1000)
static int timeout_ms;

static int setup(void **unused)
{
	(void)unused;
	test_value_fill(small_value, 1, sizeof(small_value));
	test_value_fill(big_value, 2, sizeof(big_value));
	return 0;
}

/* What a failed call must not have changed. */
struct snapshot {
	const void *value;
	size_t length;
	unsigned int version;
	int segments;
	int objects;
};

static struct snapshot take(share_t *s, const void *value, size_t length)
{
	struct snapshot snap = {
		.value = value, .length = length,
		.version = share_version(s),
		.segments = share_num_segments(s),
		.objects = inject_live_objects(),
	};

	return snap;
}

static void assert_unchanged(share_t *s, const struct snapshot *snap)
{
	test_assert_fetches(s, snap->value, snap->length);
	assert_int_equal(share_version(s), snap->version);
	assert_int_equal(share_num_segments(s), snap->segments);
	assert_int_equal(inject_live_objects(), snap->objects);
	test_assert_locks(s, 0, 0);
}

/* The operations walked, each on a share holding `from`. */
enum op { STORE_BIG, STORE_SMALL, FETCH, FETCH_INTO, COUNT, STAT, LOCK_EXCL, UPGRADE, REMOVE };

static int run(share_t *s, enum op op)
{
	unsigned char buf[sizeof(big_value)];
	struct share_info info;
	void *got = NULL;
	ssize_t n;

	switch (op) {
	case STORE_BIG:
		return share_store(s, big_value, sizeof(big_value));
	case STORE_SMALL:
		return share_store(s, small_value, sizeof(small_value));
	case FETCH:
		n = share_fetch(s, &got);
		assert_true(n < 0 ? got == NULL : got != NULL);
		free(got);
		return n < 0 ? -1 : 0;
	case FETCH_INTO:
		return share_fetch_into(s, buf, sizeof(buf)) < 0 ? -1 : 0;
	case COUNT:
		return share_num_segments(s) < 0 ? -1 : 0;
	case STAT:
		return share_stat(s, &info);
	case LOCK_EXCL:
		return share_lock(s, LOCK_EX);
	case UPGRADE:
		return share_lock(s, LOCK_EX);
	case REMOVE:
		return share_remove(s);
	}
	return -1;
}

/* After a successful op on s: what it did, and nothing left locked. */
static void assert_done(share_t *owner, share_t *s, enum op op,
			const struct snapshot *before)
{
	switch (op) {
	case STORE_BIG:
		test_assert_fetches(owner, big_value, sizeof(big_value));
		assert_int_equal(share_version(owner), before->version + 1);
		break;
	case STORE_SMALL:
		test_assert_fetches(owner, small_value, sizeof(small_value));
		/* A trim that failed leaves the chain longer, never torn. */
		assert_true(share_num_segments(owner) == 2 || inject_fired());
		assert_int_equal(share_version(owner), before->version + 1);
		break;
	case LOCK_EXCL:
	case UPGRADE:
		assert_int_equal(test_sem(owner, 2), 1);
		assert_int_equal(test_sem(owner, 1), 0);
		assert_int_equal(share_unlock(s), 0);
		/* fall through */
	default:
		assert_unchanged(owner, before);
		return;
	case REMOVE:
		/* Gone from the system; the segments live on only while the
		 * owner still has them mapped. */
		assert_int_equal(shmget(share_key(owner), 0, 0), -1);
		assert_int_equal(semget(share_key(owner), 0, 0), -1);
		return;
	}
	test_assert_locks(owner, 0, 0);
}

/*
 * Walk every failure of op on a share that holds `from`: a new share each
 * time, so that what one failure did cannot hide the next. The op runs on a
 * handle of its own, with nothing mapped yet (fresh) or with the whole
 * chain mapped; the checks run on the handle that created the share.
 */
static void walk(enum op op, const void *from, size_t length, int eintr, int fresh)
{
	key_t key = test_key(10);

	for (long n = 1;; n++) {
		share_t *owner = share_new(key, SEGSZ, IPC_CREAT | IPC_EXCL), *s;
		struct snapshot before;
		int rc, err;

		assert_non_null(owner);
		share_set_destroy(owner, 1);
		assert_int_equal(share_store(owner, from, length), 0);
		s = share_new_timeout(key, 0, 0, timeout_ms);
		assert_non_null(s);
		if (!fresh)
			assert_true(share_num_segments(s) > 0);
		if (op == UPGRADE)
			assert_int_equal(share_lock(s, LOCK_SH), 0);
		before = take(owner, from, length);
		inject_eintr(eintr);
		inject_arm(n);
		rc = run(s, op);
		err = errno;
		inject_disarm();
		inject_eintr(0);
		if (rc == 0) {
			assert_done(owner, s, op, &before);
		} else {
			assert_true(inject_fired());
			if (eintr)
				assert_int_equal(err, EINTR);
			else
				assert_true(err == ENOSPC || err == ENOMEM || err == EACCES);
			/* A failed upgrade from LOCK_SH may end holding nothing. */
			if (op == UPGRADE)
				assert_int_equal(share_unlock(s), 0);
			assert_unchanged(owner, &before);
		}
		assert_int_equal(test_close(s), 0);
		assert_int_equal(test_close(owner), 0);
		assert_int_equal(inject_live_objects(), 0);
		if (!inject_fired())
			return;		/* call n never came: all walked */
		if (eintr && op != LOCK_EXCL && op != UPGRADE)
			assert_int_equal(rc, 0);	/* restarted, not failed */
	}
}

static void walk_both(enum op op, const void *from, size_t length, int eintr)
{
	for (timeout_ms = -1;; timeout_ms = NEVER_MS) {
		walk(op, from, length, eintr, 1);
		walk(op, from, length, eintr, 0);
		if (timeout_ms == NEVER_MS)
			break;
	}
}

static void test_store_growing(void **unused)
{
	(void)unused;
	walk_both(STORE_BIG, small_value, sizeof(small_value), 0);
}

static void test_store_shrinking(void **unused)
{
	(void)unused;
	walk_both(STORE_SMALL, big_value, sizeof(big_value), 0);
}

static void test_reads(void **unused)
{
	(void)unused;
	for (enum op op = FETCH; op <= STAT; op++)
		walk_both(op, big_value, sizeof(big_value), 0);
}

static void test_locks(void **unused)
{
	(void)unused;
	walk_both(LOCK_EXCL, big_value, sizeof(big_value), 0);
	walk_both(UPGRADE, big_value, sizeof(big_value), 0);
}

static void test_remove(void **unused)
{
	(void)unused;
	walk_both(REMOVE, big_value, sizeof(big_value), 0);
}

static void test_signals_restart_or_interrupt(void **unused)
{
	(void)unused;
	for (enum op op = STORE_BIG; op <= REMOVE; op++)
		walk_both(op, small_value, sizeof(small_value), 1);
}

/* share_new() creating a share, or opening one: all or nothing. */
static void test_new(void **unused)
{
	(void)unused;
	key_t key = test_key(1);

	for (int run = 0; run < 4; run++) {
		int keyed = run & 1, timeout = run & 2 ? NEVER_MS : -1;

		for (long n = 1;; n++) {
			int objects = inject_live_objects();
			share_t *s;

			inject_arm(n);
			s = share_new_timeout(keyed ? key : IPC_PRIVATE, SEGSZ,
					      IPC_CREAT | IPC_EXCL, timeout);
			inject_disarm();
			if (!s) {
				assert_true(inject_fired());
				assert_int_equal(inject_live_objects(), objects);
				assert_int_equal(shmget(key, 0, 0), -1);
				assert_int_equal(semget(key, 0, 0), -1);
				continue;
			}
			test_assert_locks(s, 0, 0);
			assert_int_equal(share_version(s), 1);
			share_set_destroy(s, 1);
			assert_int_equal(test_close(s), 0);
			assert_int_equal(inject_live_objects(), 0);
			if (!inject_fired())
				break;
		}
	}
	test_remove_key(key);
}

static void test_open_existing(void **unused)
{
	(void)unused;
	key_t key = test_key(2);
	share_t *owner = share_new(key, SEGSZ, IPC_CREAT | IPC_EXCL);

	assert_non_null(owner);
	share_set_destroy(owner, 1);
	assert_int_equal(share_store(owner, big_value, sizeof(big_value)), 0);
	struct snapshot before = take(owner, big_value, sizeof(big_value));
	for (long n = 1;; n++) {
		share_t *s;

		inject_arm(n);
		s = share_new(key, 0, 0);
		inject_disarm();
		if (s) {
			test_assert_fetches(s, big_value, sizeof(big_value));
			assert_int_equal(test_close(s), 0);
		}
		assert_unchanged(owner, &before);
		if (!inject_fired())
			break;
	}
	assert_int_equal(test_close(owner), 0);
	test_remove_key(key);
}

/* close() with destroy: the share goes whole, or stays whole and unlocked. */
static void test_close_destroy(void **unused)
{
	(void)unused;
	key_t key = test_key(3);

	for (long n = 1;; n++) {
		share_t *s = share_new(key, SEGSZ, IPC_CREAT | IPC_EXCL), *other;
		int rc;

		assert_non_null(s);
		assert_int_equal(share_store(s, big_value, sizeof(big_value)), 0);
		assert_int_equal(share_lock(s, LOCK_EX), 0);
		share_set_destroy(s, 1);
		inject_arm(n);
		rc = test_close(s);
		inject_disarm();
		other = share_new(key, 0, 0);
		if (rc == 0) {
			assert_null(other);
		} else {
			assert_true(inject_fired());
			assert_non_null(other);
			test_assert_fetches(other, big_value, sizeof(big_value));
			test_assert_locks(other, 0, 0);
			assert_int_equal(share_remove(other), 0);
			assert_int_equal(test_close(other), 0);
		}
		assert_int_equal(inject_live_objects(), 0);
		if (!inject_fired())
			break;
	}
}

/*
 * A LOCK_NB request that cannot have the lock makes one semop() call: it
 * never retries, sleeps, or counts itself as a waiting writer. The parent
 * holds LOCK_EX; its child asks through the handle it inherited.
 */
static void test_nonblocking_tries_once(void **unused)
{
	(void)unused;
	share_t *s = test_private(SEGSZ);
	int semid = test_info(s).semid;
	pid_t pid;

	assert_int_equal(share_lock(s, LOCK_EX), 0);
	pid = test_fork(NULL);
	if (pid == 0) {
		long before = inject_semop_calls();
		int sh = share_lock(s, LOCK_SH | LOCK_NB) == -1 && errno == EWOULDBLOCK;
		long after_sh = inject_semop_calls();
		int ex = share_lock(s, LOCK_EX | LOCK_NB) == -1 && errno == EWOULDBLOCK;
		long after_ex = inject_semop_calls();

		child_check(sh && ex);
		child_check(after_sh - before == 1 && after_ex - after_sh == 1);
		child_check(semctl(semid, TEST_SEM_WRITERS_WAITING, GETVAL) == 0);
		_exit(0);
	}
	assert_int_equal(test_wait(pid), 0);
	assert_int_equal(share_unlock(s), 0);
	assert_int_equal(test_close(s), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		test_case_sweep(test_store_growing),
		test_case_sweep(test_store_shrinking),
		test_case_sweep(test_reads),
		test_case_sweep(test_locks),
		test_case_sweep(test_remove),
		test_case_sweep(test_signals_restart_or_interrupt),
		test_case_sweep(test_new),
		test_case_sweep(test_open_existing),
		test_case_sweep(test_close_destroy),
		test_case_sweep(test_nonblocking_tries_once),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
