/*
 * Churn: several processes open, store, fetch, remove and close shares on
 * two keys at once, for a fixed number of steps each, with values that grow
 * and shrink the chain. Every fetch sees a whole value or an empty one, and
 * once all are done and the shares removed, the system holds as many
 * segments and semaphore sets as before: nothing was left behind. The counts
 * are the system's, in an IPC namespace of this test's own.
 */
#include "fault.h"

#define WORKERS 6
#define STEPS 3000
#define KEYS 2
#define SEGSZ 64
#define MAX_VALUE (48 * 5)	/* one to five segments */

/* The parent's keys: test_key() in a worker would give the worker's own. */
static key_t keys[KEYS];

static uint32_t next_random(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

/* A call on a share that another worker may have removed meanwhile. */
#define worker_check(call)						\
	do {								\
		if ((call) < 0)						\
			child_check(errno == EIDRM);			\
	} while (0)

static void store(share_t *s, uint32_t seed)
{
	unsigned char buf[MAX_VALUE];
	size_t n = test_value_length(seed, MAX_VALUE);

	test_value_fill(buf, seed, n);
	worker_check(share_store(s, buf, n));
}

static void fetch(share_t *s)
{
	void *got = NULL;
	ssize_t n = share_fetch(s, &got);

	if (n < 0)
		child_check(errno == EIDRM);
	else
		child_check(n == 0 || test_value_ok(got, (size_t)n, MAX_VALUE));
	free(got);
}

/* One worker's steps, each on one of the keys, chosen by its seed. */
static void worker(uint32_t seed)
{
	share_t *open[KEYS] = { NULL };

	for (int step = 0; step < STEPS; step++) {
		uint32_t r = next_random(&seed);
		int k = (int)(r % KEYS);
		share_t **s = &open[k];

		if (!*s) {
			*s = share_new(keys[k], SEGSZ, IPC_CREAT | 0600);
			child_check(*s != NULL);
			continue;
		}
		switch ((r >> 8) % 8) {
		case 0: case 1: case 2:
			store(*s, next_random(&seed));
			break;
		case 3: case 4:
			fetch(*s);
			break;
		case 5:
			worker_check(share_num_segments(*s));
			break;
		case 6:
			worker_check(share_remove(*s));
			/* fall through */
		case 7:
			share_set_destroy(*s, r >> 16 & 1);
			worker_check(test_close(*s));
			*s = NULL;
			break;
		}
	}
	for (int k = 0; k < KEYS; k++)
		if (open[k])
			child_check(test_close(open[k]) == 0);
}

static void test_churn_leaves_nothing(void **unused)
{
	(void)unused;
	struct test_ipc_counts before, after;
	pid_t pids[WORKERS];

	for (unsigned k = 0; k < KEYS; k++) {
		keys[k] = test_key(k);
		test_remove_key(keys[k]);
	}
	before = test_ipc_counts();
	for (int i = 0; i < WORKERS; i++) {
		pids[i] = test_fork(NULL);
		if (pids[i] == 0) {
			worker(0x9e3779b9u * (uint32_t)(i + 1));
			_exit(0);
		}
	}
	for (int i = 0; i < WORKERS; i++) {
		int status;

		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	/* What the workers left on the keys goes the ordinary way. */
	for (unsigned k = 0; k < KEYS; k++) {
		share_t *s = share_new(keys[k], 0, 0);

		if (s) {
			assert_int_equal(share_remove(s), 0);
			assert_int_equal(test_close(s), 0);
		} else {
			assert_int_equal(errno, ENOENT);
		}
		assert_true(test_key_gone(keys[k]));
	}
	after = test_ipc_counts();
	assert_int_equal(after.segments, before.segments);
	assert_int_equal(after.sets, before.sets);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		test_case_sweep(test_churn_leaves_nothing),
	};

	if (test_private_ipc() < 0) {
		printf("skipped: no IPC namespace of our own (%s), so the system's "
		       "counts would include other programs'\n", strerror(errno));
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
