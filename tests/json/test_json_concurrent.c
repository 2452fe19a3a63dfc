/*
 * Several processes at once: keyed updates lose nothing, a lock keeps the
 * others out until it is released, and a child does not inherit its
 * parent's lock. Pipes say when a child holds its lock; nothing is timed.
 */
#include "jsontest.h"

#define WORKERS 4
#define UPDATES 50

static int ready[2] = { -1, -1 }, go[2] = { -1, -1 };

static int pipes_setup(void **state)
{
	if (pipe(ready) < 0 || pipe(go) < 0)
		return -1;
	return setup(state);
}

static int pipes_teardown(void **state)
{
	for (int i = 0; i < 2; i++) {
		close(ready[i]);
		close(go[i]);
	}
	return teardown(state);
}

static int set_members(struct fixture *f, int worker)
{
	char key[32];

	for (int i = 0; i < UPDATES; i++) {
		snprintf(key, sizeof(key), "w%d-%d", worker, i);
		if (share_json_object_set_new(f->sj, key, json_integer(worker * 1000 + i)) < 0)
			return -1;
	}
	return 0;
}

static int append_pairs(struct fixture *f, int worker)
{
	for (int i = 0; i < UPDATES; i++)
		if (share_json_array_append_new(f->sj, json_pack("[i,i]", worker, i)) < 0)
			return -1;
	return 0;
}

/* Read, add one, write: safe only because the lock spans all three. */
static int count_under_lock(struct fixture *f, int worker)
{
	(void)worker;
	for (int i = 0; i < UPDATES; i++) {
		json_t *n;

		if (share_json_lock(f->sj, LOCK_EX) < 0)
			return -1;
		n = share_json_get(f->sj);
		if (!json_is_integer(n) ||
		    share_json_set_new(f->sj, json_integer(json_integer_value(n) + 1)) < 0) {
			json_decref(n);
			return -1;
		}
		json_decref(n);
		if (share_json_unlock(f->sj) < 0)
			return -1;
	}
	return 0;
}

static void run_workers(struct fixture *f, int (*work)(struct fixture *, int))
{
	for (int w = 0; w < WORKERS; w++)
		fork_child(f, w, work);
	for (int w = 0; w < WORKERS; w++)
		wait_child(f, w);
}

static void test_object_sets_lose_nothing(void **state)
{
	struct fixture *f = *state;
	json_t *got;
	char key[32];

	run_workers(f, set_members);
	got = share_json_get(f->sj);
	assert_int_equal(json_object_size(got), WORKERS * UPDATES);
	for (int w = 0; w < WORKERS; w++) {
		for (int i = 0; i < UPDATES; i++) {
			snprintf(key, sizeof(key), "w%d-%d", w, i);
			assert_int_equal(json_integer_value(json_object_get(got, key)), w * 1000 + i);
		}
	}
	json_decref(got);
	assert_int_equal(share_version(f->share), 1 + WORKERS * UPDATES);
}

static void test_appends_lose_nothing(void **state)
{
	struct fixture *f = *state;
	int seen[WORKERS][UPDATES] = { { 0 } };
	int last[WORKERS];
	json_t *got, *pair;
	size_t i;

	run_workers(f, append_pairs);
	got = share_json_get(f->sj);
	assert_int_equal(json_array_size(got), WORKERS * UPDATES);
	for (int w = 0; w < WORKERS; w++)
		last[w] = -1;
	json_array_foreach(got, i, pair) {
		int w = (int)json_integer_value(json_array_get(pair, 0));
		int n = (int)json_integer_value(json_array_get(pair, 1));

		assert_in_range(w, 0, WORKERS - 1);
		assert_in_range(n, 0, UPDATES - 1);
		assert_int_equal(seen[w][n]++, 0);
		/* Each worker's appends stay in its order. */
		assert_true(n > last[w]);
		last[w] = n;
	}
	json_decref(got);
}

static void test_locked_counter_loses_nothing(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(share_json_set_new(f->sj, json_integer(0)), 0);
	run_workers(f, count_under_lock);
	assert_value(f->sj, "200");
	/* One store per unlock. */
	assert_int_equal(share_version(f->share), 2 + WORKERS * UPDATES);
}

/* Child 0: take LOCK_EX, say so, wait to be told, then write and go. */
static int hold_lock_until_told(struct fixture *f, int worker)
{
	char c = 'x';

	(void)worker;
	if (share_json_lock(f->sj, LOCK_EX) < 0 ||
	    share_json_object_set_new(f->sj, "child", json_true()) < 0 ||
	    write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) != 1)
		return -1;
	return share_json_unlock(f->sj);
}

static void test_lock_keeps_others_out(void **state)
{
	struct fixture *f = *state;
	char c = 'x';

	fork_child(f, 0, hold_lock_until_told);
	/* Only the child's ends stay open: its death ends our reads. */
	close(ready[1]);
	close(go[0]);
	ready[1] = go[0] = -1;
	assert_int_equal(read(ready[0], &c, 1), 1);
	errno = 0;
	assert_int_equal(share_json_lock(f->sj, LOCK_SH | LOCK_NB), -1);
	assert_true(errno == EWOULDBLOCK || errno == EAGAIN);
	assert_int_equal(share_json_lock(f->sj, LOCK_EX | LOCK_NB), -1);
	assert_true(errno == EWOULDBLOCK || errno == EAGAIN);
	/* The child's change is its own until it unlocks. */
	assert_int_equal(share_version(f->share), 1);
	assert_int_equal(write(go[1], &c, 1), 1);
	wait_child(f, 0);
	assert_value(f->sj, "{\"child\":true}");
	assert_int_equal(share_version(f->share), 2);
}

static int set_member_b(struct fixture *f, int worker)
{
	(void)worker;
	return share_json_object_set_new(f->sj, "b", json_integer(2));
}

/* A keyed update that waited for a lock applies on top of its changes. */
static void test_update_waits_for_lock(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(share_json_lock(f->sj, LOCK_EX), 0);
	assert_int_equal(share_json_object_set_new(f->sj, "a", json_integer(1)), 0);
	fork_child(f, 0, set_member_b);
	assert_int_equal(share_json_object_set_new(f->sj, "c", json_integer(3)), 0);
	assert_int_equal(share_json_unlock(f->sj), 0);
	wait_child(f, 0);
	assert_value(f->sj, "{\"a\":1,\"c\":3,\"b\":2}");
	assert_int_equal(share_version(f->share), 3);
}

/* In a child the parent's lock is not held: it cannot write the parent's
 * changes, and a lock it asks for is a new one. */
static int check_no_lock_inherited(struct fixture *f, int worker)
{
	(void)worker;
	errno = 0;
	if (share_json_lock(f->sj, LOCK_EX | LOCK_NB) != -1 ||
	    (errno != EWOULDBLOCK && errno != EAGAIN))
		return -1;
	return share_json_unlock(f->sj);
}

static void test_child_does_not_inherit_lock(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(share_json_lock(f->sj, LOCK_EX), 0);
	assert_int_equal(share_json_set_new(f->sj, json_string("parent")), 0);
	fork_child(f, 0, check_no_lock_inherited);
	wait_child(f, 0);
	assert_int_equal(share_version(f->share), 1);
	assert_int_equal(share_json_unlock(f->sj), 0);
	assert_int_equal(share_version(f->share), 2);
	assert_value(f->sj, "\"parent\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_object_sets_lose_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_appends_lose_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_locked_counter_loses_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock_keeps_others_out,
						pipes_setup, pipes_teardown),
		cmocka_unit_test_setup_teardown(test_update_waits_for_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_child_does_not_inherit_lock, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
