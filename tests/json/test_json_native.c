/*
 * libsharelite-json on a native share (SHARE_NATIVE): share_json_open()
 * takes the handle share_new() gave, whatever its format; values go in and
 * come back, other processes find them by key, and share_json_lock() keeps
 * other writers out (and, under LOCK_EX, other readers on the old value)
 * though the format's fetches and stores take no lock of their own.
 */
#include "jsontest.h"

/* Each child's updates in test_locked_counter. */
#define INCREMENTS 50
#define COUNTERS 4

/* A native share under the test's n-th key. */
static share_t *new_native(unsigned n)
{
	share_t *share = test_open(test_use_key(n), 0, IPC_CREAT | SHARE_NATIVE | 0600);

	assert_int_equal(test_info(share).format, SHARE_FORMAT_NATIVE);
	return share;
}

/* A JSON handle on share, which must open. */
static share_json_t *json_on(share_t *share)
{
	share_json_t *sj = share_json_open(share);

	assert_non_null(sj);
	return sj;
}

static void test_open_set_get(void **unused)
{
	(void)unused;
	share_t *share = new_native(1), *again;
	share_json_t *sj = json_on(share), *sj2;

	/* A new native share reads as null, as a new Perl-format one does. */
	assert_first_values(share, sj);

	/* Another handle, opened by key without the flag, reads and changes it. */
	again = test_open(share_key(share), 0, 0);
	assert_int_equal(test_info(again).format, SHARE_FORMAT_NATIVE);
	sj2 = share_json_open(again);
	assert_non_null(sj2);
	assert_value(sj2, "{\"a\":[1,2],\"b\":true}");
	assert_int_equal(share_json_set_new(sj2, json_pack("[i]", 7)), 0);
	assert_int_equal(share_json_array_append_new(sj2, json_integer(8)), 0);
	assert_value(sj, "[7,8]");
	assert_int_equal(share_json_close(sj2), 0);
	assert_int_equal(test_close(again), 0);
	assert_int_equal(share_json_close(sj), 0);
}

/*
 * The child of the lock tests: opens the share by key and, at each byte
 * from the parent, reads the value and tries a change that may not wait.
 * It answers 'y' when the change went through, 'n' when it timed out, and
 * exits 1 (through child_check) on anything else.
 */
static void child_probe(key_t key, const struct test_chan *c)
{
	share_t *share = share_new(key, 0, 0);
	share_json_t *sj;
	int msg;

	child_check(share != NULL);
	child_check(share_set_timeout(share, 0) == 0);
	sj = share_json_open(share);
	child_check(sj != NULL);
	while ((msg = test_recv(c)) > 0) {
		json_t *got = share_json_get(sj);
		int rc;

		/* The parent says which value it wants the child to read. */
		child_check(got != NULL && json_is_integer(json_object_get(got, "n")));
		child_check(json_integer_value(json_object_get(got, "n")) == msg - '0');
		json_decref(got);
		errno = 0;
		rc = share_json_object_set_new(sj, "child", json_integer(msg - '0'));
		child_check(rc == 0 || errno == ETIMEDOUT);
		child_check(test_send(c, rc == 0 ? 'y' : 'n') == 0);
	}
	child_check(share_json_close(sj) == 0);
	child_check(share_close(share) == 0);
	_exit(0);
}

/* Ask the child to read n and try a change; whether the change went in. */
static int probe(const struct test_chan *c, int n)
{
	int answer;

	assert_int_equal(test_send(c, (char)('0' + n)), 0);
	answer = test_recv(c);
	assert_true(answer == 'y' || answer == 'n');
	return answer == 'y';
}

/* The share under key n holding {"n": value}, and a probing child on c
 * (forked first, so that it inherits no JSON handle to leak at exit). */
static share_json_t *open_with_probe(unsigned n, int value, share_t **share,
				     struct test_chan *c, pid_t *pid)
{
	share_json_t *sj;

	*share = new_native(n);
	*pid = test_fork(c);
	if (*pid == 0)
		child_probe(share_key(*share), c);
	sj = json_on(*share);
	assert_int_equal(share_json_set_new(sj, json_pack("{s:i}", "n", value)), 0);
	return sj;
}

/* Close the child's channel and expect it to end well. */
static void end_probe(pid_t pid, struct test_chan *c)
{
	close(c->wr);
	assert_int_equal(test_wait(pid), 0);
	close(c->rd);
}

static void test_exclusive_lock(void **unused)
{
	(void)unused;
	share_t *share;
	struct test_chan c;
	pid_t pid;
	share_json_t *sj = open_with_probe(2, 1, &share, &c, &pid);

	assert_true(probe(&c, 1));
	assert_value(sj, "{\"n\":1,\"child\":1}");

	assert_int_equal(share_json_lock(sj, LOCK_EX), 0);
	assert_int_equal(share_json_object_set_new(sj, "n", json_integer(2)), 0);
	/* Held: the change is the handle's alone until unlock, and another
	 * process's change times out. */
	assert_false(probe(&c, 1));
	assert_value(sj, "{\"n\":2,\"child\":1}");
	assert_int_equal(share_json_unlock(sj), 0);
	assert_bytes(share, "{\"n\":2,\"child\":1}");
	assert_true(probe(&c, 2));
	assert_value(sj, "{\"n\":2,\"child\":2}");
	end_probe(pid, &c);
	assert_int_equal(share_json_close(sj), 0);
}

static void test_shared_lock(void **unused)
{
	(void)unused;
	share_t *share;
	struct test_chan c;
	pid_t pid;
	share_json_t *sj = open_with_probe(3, 5, &share, &c, &pid);

	assert_int_equal(share_json_lock(sj, LOCK_SH), 0);
	assert_value(sj, "{\"n\":5}");
	/* Readers read on; a writer waits for the shared lock to go. */
	assert_false(probe(&c, 5));
	assert_value(sj, "{\"n\":5}");
	/* Upgraded, then released: the change is written once. */
	assert_int_equal(share_json_lock(sj, LOCK_EX), 0);
	assert_int_equal(share_json_object_set_new(sj, "n", json_integer(6)), 0);
	assert_false(probe(&c, 5));
	assert_int_equal(share_json_unlock(sj), 0);
	assert_true(probe(&c, 6));
	assert_value(sj, "{\"n\":6,\"child\":6}");
	end_probe(pid, &c);
	assert_int_equal(share_json_close(sj), 0);
}

/* One child's increments, each a read and a write under LOCK_EX. */
static void count_up(key_t key)
{
	share_t *share = share_new(key, 0, 0);
	share_json_t *sj;

	child_check(share != NULL);
	sj = share_json_open(share);
	child_check(sj != NULL);
	for (int i = 0; i < INCREMENTS; i++) {
		json_t *got;

		child_check(share_json_lock(sj, LOCK_EX) == 0);
		got = share_json_get(sj);
		child_check(got != NULL && json_is_integer(got));
		child_check(share_json_set_new(sj, json_integer(json_integer_value(got) + 1)) == 0);
		json_decref(got);
		child_check(share_json_unlock(sj) == 0);
	}
	child_check(share_json_close(sj) == 0);
	child_check(share_close(share) == 0);
	_exit(0);
}

/* Read-modify-write under the lock from several processes loses nothing. */
static void test_locked_counter(void **unused)
{
	(void)unused;
	share_t *share = new_native(4);
	share_json_t *sj;
	pid_t pids[COUNTERS];
	char want[16];

	/* Stored plainly, and the JSON handle opened after the forks, so that
	 * no child inherits one to leak at exit. */
	store_text(share, "0");
	for (int i = 0; i < COUNTERS; i++) {
		pids[i] = test_fork(NULL);
		if (pids[i] == 0)
			count_up(share_key(share));
	}
	for (int i = 0; i < COUNTERS; i++)
		assert_int_equal(test_wait(pids[i]), 0);
	snprintf(want, sizeof(want), "%d", COUNTERS * INCREMENTS);
	sj = json_on(share);
	assert_value(sj, want);
	assert_int_equal(share_version(share), 2 + COUNTERS * INCREMENTS);
	assert_int_equal(share_json_close(sj), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		test_case(test_open_set_get),
		test_case(test_exclusive_lock),
		test_case(test_shared_lock),
		test_case(test_locked_counter),
	};

	/* The harness's oracle for this format, as test_native uses it. */
	setenv("SHARELITE_TEST_FORMAT", "native", 1);
	return test_run(tests);
}
