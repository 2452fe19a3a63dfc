/*
 * The mutexes of a native head (the writers', a private share's lock
 * table's) written over: a call that takes one fails with EBADMSG.
 */
#include <time.h>
#include <sys/shm.h>

#include "harness.h"
#include "native/head.h"	/* the layout, to write over it */

#ifdef __GLIBC__
#define NATIVE (IPC_CREAT | SHARE_NATIVE)
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

#endif /* __GLIBC__ */

int main(void)
{
#ifdef __GLIBC__
	const struct CMUnitTest tests[] = {
		test_case(test_table_mutex_of_another_kind),
	};

	setenv("SHARELITE_TEST_FORMAT", "native", 1);
	return test_run(tests);
#else
	return 77;	/* the tests write glibc's mutex layout */
#endif
}
