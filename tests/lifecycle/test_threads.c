/*
 * Threads of one process on one share, each through handles of its own.
 * tests/lifecycle/tsan.sh runs it again built with -fsanitize=thread: a
 * handle's lock record read by one thread while another changes it is a
 * race only the sanitizer sees.
 */
#include <pthread.h>

#include "harness.h"

#define ROUNDS 2000

struct locker {
	share_t *share;
	int rc;
	int done;		/* atomic: the rounds are over */
};

/* Take and give back LOCK_SH through a handle of this thread's own. */
static void *lock_and_unlock(void *arg)
{
	struct locker *l = arg;

	for (int i = 0; i < ROUNDS && l->rc == 0; i++)
		if (share_lock(l->share, LOCK_SH) < 0 || share_unlock(l->share) < 0)
			l->rc = -1;
	__atomic_store_n(&l->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * share_remove() refuses (EDEADLK) while this thread holds a lock through
 * another handle, and looks at every handle of the process to know: also
 * at those another thread is locking and unlocking meanwhile, all the
 * while it does.
 */
static void test_remove_looks_at_handles_other_threads_lock(void **unused)
{
	key_t key = test_use_key(0);
	share_t *held = test_open(key, 0, IPC_CREAT | 0600);
	share_t *removing = test_open(key, 0, 0);
	struct locker other = { .share = test_open(key, 0, 0) };
	pthread_t thread;
	long tries = 0, refused = 0;

	(void)unused;
	assert_int_equal(share_lock(held, LOCK_SH), 0);
	assert_int_equal(pthread_create(&thread, NULL, lock_and_unlock, &other), 0);
	while (!__atomic_load_n(&other.done, __ATOMIC_ACQUIRE)) {
		tries++;
		errno = 0;
		if (share_remove(removing) == -1 && errno == EDEADLK)
			refused++;
	}
	assert_int_equal(pthread_join(thread, NULL), 0);
	assert_int_equal(other.rc, 0);
	assert_int_equal(refused, tries);
	assert_int_equal(share_unlock(held), 0);
	assert_int_equal(share_remove(removing), 0);
}

static int clean_up_rc = -2;

static void *clean_up(void *unused)
{
	(void)unused;
	__atomic_store_n(&clean_up_rc, share_clean_up(), __ATOMIC_RELAXED);
	return NULL;
}

/* A stuck close ends the program through the harness's watchdog (SIGALRM),
 * brought forward to this many seconds: a failure, not a hang. */
#define CLOSE_GUARD_SECONDS 20

/*
 * This thread holds LOCK_EX through one handle (not created here, so the
 * clean-up passes it over) while another thread's share_clean_up() waits
 * for that lock to remove the share through the handle that created it.
 * Closing that handle must not wait for the clean-up, which waits for this
 * thread: the close is left to the clean-up, which finishes it once this
 * thread lets the lock go.
 */
static void test_close_during_clean_up_waiting_for_our_lock(void **unused)
{
	key_t key = test_use_key(0);
	share_t *created = share_new(key, 0, IPC_CREAT | IPC_EXCL | 0600);
	share_t *locked = test_open(key, 0, 0);
	pthread_t thread;
	unsigned int watchdog;

	(void)unused;
	assert_non_null(created);
	assert_int_equal(share_lock(locked, LOCK_EX), 0);
	assert_int_equal(pthread_create(&thread, NULL, clean_up, NULL), 0);
	/* The clean-up asleep on our lock (it cannot end before). */
	while (test_waiters(locked) == 0)
		usleep(1000);
	watchdog = alarm(CLOSE_GUARD_SECONDS);
	assert_int_equal(share_close(created), 0);
	alarm(watchdog);
	assert_int_equal(share_unlock(locked), 0);
	assert_int_equal(pthread_join(thread, NULL), 0);
	assert_int_equal(__atomic_load_n(&clean_up_rc, __ATOMIC_RELAXED), 0);
	assert_true(test_key_gone(key));
	assert_fails(share_lock(locked, LOCK_SH), -1, EIDRM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		test_case(test_remove_looks_at_handles_other_threads_lock),
		test_case(test_close_during_clean_up_waiting_for_our_lock),
	};

	return test_run(tests);
}
