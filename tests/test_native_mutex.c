/*
 * The mutexes of a native head (the writers', a private share's lock
 * table's) written over to name an owner that does not exist: nothing
 * would ever hand them on, and a call that takes one fails with EBADMSG
 * after SL_NATIVE_OWNER_GONE_MS instead of waiting for ever. A live owner
 * that holds one longer than that is still waited for.
 */
#include <time.h>
#include <sys/shm.h>

#include "harness.h"
#include "native/head.h"	/* the layout, to write over it */
#include "native/mutex.h"	/* SL_NATIVE_OWNER_GONE_MS, _SLICE_MS */

#ifdef __GLIBC__
#define NATIVE (IPC_CREAT | SHARE_NATIVE)
/* How much later than SL_NATIVE_OWNER_GONE_MS a call may end: two slices
 * and a margin for a loaded machine. */
#define LATE_MS 3000
/* A child still waiting this long after it should have failed is hung. */
#define HUNG_S 5

static long ms_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000;
}

/* The share's head, mapped here (and in children forked later). */
static struct native_head *map_head(share_t *s)
{
	struct native_head *h = shmat(test_ids(s).shmid, NULL, 0);

	assert_true(h != (void *)-1);
	return h;
}

/* A private head's lock table (head.h). */
static struct native_proclock *lock_table(struct native_head *h)
{
	return (struct native_proclock *)(void *)((unsigned char *)h + NATIVE_DATA_OFFSET);
}

/* A pid nobody has: a child's, once reaped. */
static pid_t reaped_pid(void)
{
	pid_t pid = test_fork(NULL);

	if (pid == 0)
		_exit(0);
	assert_int_equal(test_wait(pid), 0);
	return pid;
}

/* A thread id above any this system gives. */
static pid_t tid_above_pid_max(void)
{
	FILE *f = fopen("/proc/sys/kernel/pid_max", "r");
	long max = 4 * 1024 * 1024;	/* the kernel's limit */

	if (f) {
		if (fscanf(f, "%ld", &max) != 1)
			max = 4 * 1024 * 1024;
		fclose(f);
	}
	return (pid_t)(max + 1);
}

/* Write over m as another program could: held by thread tid. */
static void name_owner(pthread_mutex_t *m, pid_t tid)
{
	__atomic_store_n(&m->__data.__lock, (int)tid, __ATOMIC_RELAXED);
	__atomic_store_n(&m->__data.__owner, (int)tid, __ATOMIC_RELAXED);
}

static int store_x(share_t *s)
{
	return share_store(s, "x", 1);
}

static int lock_ex(share_t *s)
{
	return share_lock(s, LOCK_EX);
}

/*
 * In a child whose handle has a timeout of timeout_ms (-1: none), call(s)
 * fails with err after min_ms to max_ms. The child has an alarm: a call
 * that waits for ever fails the test instead of hanging it.
 */
static void assert_fails_in_time(share_t *s, int (*call)(share_t *), int timeout_ms, int err,
				 long min_ms, long max_ms)
{
	pid_t pid = test_fork(NULL);

	if (pid == 0) {
		struct timespec start;
		long ms;
		int rc, got;

		/* Killed by it: the harness's handler would run the
		 * rest of the suite in this child. */
		signal(SIGALRM, SIG_DFL);
		alarm((unsigned)(max_ms / 1000 + HUNG_S));
		child_check(share_set_timeout(s, timeout_ms) == 0);
		clock_gettime(CLOCK_MONOTONIC, &start);
		errno = 0;
		rc = call(s);
		got = errno;
		ms = ms_since(&start);
		child_check(rc == -1 && got == err);
		child_check(ms >= min_ms && ms <= max_ms);
		_exit(0);
	}
	assert_int_equal(test_wait(pid), 0);
}

/* call(s) ends at a timeout shorter than the bound (ETIMEDOUT), and with
 * none fails with EBADMSG once the owner was missing for the bound. */
static void assert_written_over(share_t *s, int (*call)(share_t *))
{
	assert_fails_in_time(s, call, 300, ETIMEDOUT, 300, SL_NATIVE_OWNER_GONE_MS - 1);
	assert_fails_in_time(s, call, -1, EBADMSG, SL_NATIVE_OWNER_GONE_MS,
			     SL_NATIVE_OWNER_GONE_MS + LATE_MS);
}

/*
 * The table's mutex written over into another kind (priority inheritance),
 * as test_native's test_scribbled_mutex_kind writes the writers': glibc's
 * code for that kind would abort the process, and share_lock() fails with
 * EBADMSG at once instead.
 */
static void test_table_mutex_of_another_kind(void **unused)
{
	(void)unused;
	share_t *s = test_open(IPC_PRIVATE, 0, NATIVE);
	struct test_ids ids = test_ids(s);
	struct native_head *h = map_head(s);
	pthread_mutex_t *m = &lock_table(h)->table.mutex;

	m->__data.__kind |= 32;		/* PTHREAD_MUTEX_PRIO_INHERIT_NP */
	name_owner(m, tid_above_pid_max());
	assert_fails_in_time(s, lock_ex, -1, EBADMSG, 0, 1000);
	assert_int_equal(shmdt(h), 0);
	assert_int_equal(test_close(s), 0);
	assert_true(test_share_gone(&ids));
}

static void test_writer_mutex_of_a_missing_owner(void **unused)
{
	(void)unused;
	key_t key = test_use_key(1);
	share_t *s = test_open(key, 0, NATIVE | 0600);
	struct native_head *h = map_head(s);

	assert_int_equal(share_store(s, "before", 6), 0);
	name_owner(&h->writer.mutex, reaped_pid());
	assert_written_over(s, store_x);
	/* Fetches take no mutex. */
	test_assert_value(s, "before");
	/* Removal takes LOCK_EX, which keeps stores out under the mutex:
	 * it fails too, and the handle closes without it; the objects are
	 * left for ipcrm(1), as the harness removes them here. */
	assert_fails_in_time(s, share_remove, 300, ETIMEDOUT, 300, SL_NATIVE_OWNER_GONE_MS - 1);
	assert_int_equal(shmdt(h), 0);
	assert_int_equal(test_close(s), 0);
	assert_false(test_key_gone(key));
	test_remove_key(key);
	assert_true(test_key_gone(key));
}

static void test_table_mutex_of_a_missing_owner(void **unused)
{
	(void)unused;
	share_t *s = test_open(IPC_PRIVATE, 0, NATIVE);
	struct test_ids ids = test_ids(s);
	struct native_head *h = map_head(s);

	name_owner(&lock_table(h)->table.mutex, tid_above_pid_max());
	assert_written_over(s, lock_ex);
	/* The writers' mutex is whole: stores go on. */
	assert_int_equal(share_store(s, "after", 5), 0);
	test_assert_value(s, "after");
	/* Removal takes the lock, in the table: it fails too. The head was
	 * marked for removal at its creation: the last detach removes it. */
	assert_fails_in_time(s, share_remove, 300, ETIMEDOUT, 300, SL_NATIVE_OWNER_GONE_MS - 1);
	share_set_destroy(s, 0);
	assert_int_equal(shmdt(h), 0);
	assert_int_equal(test_close(s), 0);
	assert_true(test_share_gone(&ids));
}

/*
 * A live process that holds the writers' mutex longer than the bound, in
 * many slices, is waited for: its thread id is found, so the mutex is not
 * taken for one written over.
 */
static void test_live_owner_waited_for(void **unused)
{
	(void)unused;
	share_t *s = test_open(test_use_key(2), 0, NATIVE | 0600);
	struct native_head *h = map_head(s);
	struct timespec start;
	struct test_chan c;
	pid_t pid = test_fork(&c);

	if (pid == 0) {
		long ms = SL_NATIVE_OWNER_GONE_MS + 2 * SL_NATIVE_OWNER_SLICE_MS;
		struct timespec hold = { ms / 1000, ms % 1000 * 1000000L };

		child_check(pthread_mutex_lock(&h->writer.mutex) == 0);
		child_check(test_send(&c, 'k') == 0);
		while (nanosleep(&hold, &hold) < 0 && errno == EINTR)
			;
		child_check(pthread_mutex_unlock(&h->writer.mutex) == 0);
		_exit(0);
	}
	assert_int_equal(test_recv(&c), 'k');
	clock_gettime(CLOCK_MONOTONIC, &start);
	assert_int_equal(share_store(s, "parent", 6), 0);
	assert_true(ms_since(&start) >= SL_NATIVE_OWNER_GONE_MS);
	test_assert_value(s, "parent");
	assert_int_equal(test_wait(pid), 0);
	assert_int_equal(shmdt(h), 0);
	share_set_destroy(s, 1);
	assert_int_equal(test_close(s), 0);
}

#endif /* __GLIBC__ */

int main(void)
{
#ifdef __GLIBC__
	const struct CMUnitTest tests[] = {
		test_case(test_table_mutex_of_another_kind),
		test_case(test_writer_mutex_of_a_missing_owner),
		test_case(test_table_mutex_of_a_missing_owner),
		test_case(test_live_owner_waited_for),
	};

	setenv("SHARELITE_TEST_FORMAT", "native", 1);
	return test_run(tests);
#else
	return 77;	/* the tests write glibc's mutex layout */
#endif
}
