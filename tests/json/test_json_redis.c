/*
 * test_json_redis.c - libsharelite-json on a share kept on a Redis server,
 * a redis-server of the program's own (tests/redis/server.h):
 * share_json_open() takes the handle share_open() gave, values go in and
 * come back, other handles find them by name, share_json_lock() keeps other
 * writers out until its changes are written back, updates of several
 * processes at once lose nothing, and a lock whose lease lapsed writes
 * nothing back.
 */
#include "jsontest.h"
#include "group.h"

#define CHILDREN 4
#define UPDATES 20
#define MAX_HANDLES 4

static struct test_redis server;
static pid_t server_owner;	/* the program's, for names of its own */

/*
 * The handles a test opened, closed by the teardown even when the test
 * fails. Kept here rather than only in the test's locals, so that a forked
 * child that exits at once still reaches them: valgrind counts what only
 * a popped stack frame pointed to as lost.
 */
static share_t *shares[MAX_HANDLES];
static share_json_t *jsons[MAX_HANDLES];

/* The n-th share of this program, by its name on the server. */
static const char *url(unsigned n)
{
	char path[64];

	snprintf(path, sizeof(path), "json%ld-%u", (long)server_owner, n);
	return test_redis_url(&server, path);
}

static share_t *open_ok(unsigned n, int flags)
{
	int i;

	for (i = 0; i < MAX_HANDLES && shares[i]; i++)
		;
	assert_true(i < MAX_HANDLES);
	shares[i] = share_open(url(n), 0, flags);
	if (!shares[i])
		print_error("share_open(%s): %s\n", url(n), strerror(errno));
	assert_non_null(shares[i]);
	return shares[i];
}

static share_json_t *json_on(share_t *share)
{
	int i;

	for (i = 0; i < MAX_HANDLES && jsons[i]; i++)
		;
	assert_true(i < MAX_HANDLES);
	jsons[i] = share_json_open(share);
	assert_non_null(jsons[i]);
	return jsons[i];
}

/* The harness's teardown (children killed), then every JSON handle
 * closed, every share removed from the server and closed: -1 when a
 * close failed. */
static int teardown_redis(void **state)
{
	int i, rc = test_teardown(state);

	for (i = 0; i < MAX_HANDLES; i++) {
		if (jsons[i] && share_json_close(jsons[i]) < 0)
			rc = -1;
		jsons[i] = NULL;
	}
	for (i = 0; i < MAX_HANDLES; i++) {
		/* Each test's shares are its own: removed, whoever else had them. */
		if (shares[i] && share_remove(shares[i]) < 0 && errno != EIDRM)
			rc = -1;
		if (shares[i] && share_close(shares[i]) < 0)
			rc = -1;
		shares[i] = NULL;
	}
	return rc;
}

static void test_set_get(void **unused)
{
	(void)unused;
	share_t *share = open_ok(1, IPC_CREAT | IPC_EXCL), *again;
	share_json_t *sj = json_on(share), *sj2;

	/* A new share reads as null, as a new SysV one does. */
	assert_first_values(share, sj);

	/* Another handle, opened by the name, reads and changes it. */
	again = open_ok(1, 0);
	sj2 = json_on(again);
	assert_value(sj2, "{\"a\":[1,2],\"b\":true}");
	assert_int_equal(share_json_set_new(sj2, json_pack("[i]", 7)), 0);
	assert_int_equal(share_json_array_append_new(sj2, json_integer(8)), 0);
	assert_value(sj, "[7,8]");

	/* An empty value stored over a document is no document. */
	assert_int_equal(share_store(again, "", 0), 0);
	assert_null(share_json_get(sj));
	assert_int_equal(errno, ENODATA);
	assert_int_equal(share_json_set_new(sj, json_integer(1)), 0);
	assert_value(sj2, "1");

}

/*
 * Under LOCK_EX, changes stay in the handle until the unlock writes them:
 * another handle reads the old value and cannot lock, and a child, which
 * holds none of its parent's locks, cannot write meanwhile.
 */
static void test_lock_writes_back_at_unlock(void **unused)
{
	(void)unused;
	share_t *share = open_ok(2, IPC_CREAT | IPC_EXCL), *other = open_ok(2, 0);
	share_json_t *sj = json_on(share), *sj2 = json_on(other);
	pid_t pid;

	assert_int_equal(share_json_set_new(sj, json_pack("{s:i}", "n", 1)), 0);
	assert_int_equal(share_json_lock(sj, LOCK_EX), 0);
	assert_int_equal(share_json_object_set_new(sj, "n", json_integer(2)), 0);
	assert_value(sj, "{\"n\":2}");
	assert_bytes(other, "{\"n\":1}");
	assert_fails(share_json_lock(sj2, LOCK_EX | LOCK_NB), -1, EWOULDBLOCK);

	pid = test_fork(NULL);
	if (pid == 0) {
		json_t *got;

		child_check(share_set_timeout(share, 100) == 0);
		got = share_json_get(sj);
		child_check(got && json_integer_value(json_object_get(got, "n")) == 1);
		json_decref(got);
		child_check(share_json_set_new(sj, json_integer(0)) == -1 &&
			    errno == ETIMEDOUT);
		_exit(0);
	}
	assert_int_equal(test_wait(pid), 0);

	assert_int_equal(share_json_unlock(sj), 0);
	assert_bytes(other, "{\"n\":2}");
	assert_int_equal(share_json_lock(sj2, LOCK_SH | LOCK_NB), 0);
	assert_fails(share_json_set_new(sj2, json_null()), -1, EPERM);
	assert_value(sj2, "{\"n\":2}");
	assert_int_equal(share_json_unlock(sj2), 0);

}

/* The n-th share's name with options such as "?lease=500". */
static const char *url_with(unsigned n, const char *options)
{
	char path[128];

	snprintf(path, sizeof(path), "json%ld-%u%s", (long)server_owner, n, options);
	return test_redis_url(&server, path);
}

/*
 * A holder stopped past its lease loses the lock: its changes made under
 * LOCK_EX are refused at the write-back (ENOLCK), and the value stays the
 * one the next holder stored.
 */
static void test_lapsed_lease_loses_changes(void **unused)
{
	(void)unused;
	share_t *share = open_ok(4, IPC_CREAT | IPC_EXCL);
	share_json_t *sj = json_on(share);
	struct test_chan c;
	pid_t pid;

	assert_int_equal(share_json_set_new(sj, json_integer(1)), 0);
	pid = test_fork(&c);
	if (pid == 0) {
		share_t *mine = share_open(url_with(4, "?lease=300"), 0, 0);
		share_json_t *held = mine ? share_json_open(mine) : NULL;

		child_check(held != NULL);
		child_check(share_json_lock(held, LOCK_EX) == 0);
		child_check(share_json_set_new(held, json_integer(2)) == 0);
		test_send(&c, 'l');
		child_check(test_recv(&c) == 'g');
		child_check(share_json_unlock(held) == -1 && errno == ENOLCK);
		child_check(share_json_close(held) == 0);
		child_check(share_close(mine) == 0);
		_exit(0);
	}
	assert_int_equal(test_recv(&c), 'l');
	assert_int_equal(kill(pid, SIGSTOP), 0);
	/* Stopped, its renewals stop too: the lock is free once the lease is
	 * over, and this handle takes it and stores. */
	assert_int_equal(share_set_timeout(share, 5000), 0);
	assert_int_equal(share_json_lock(sj, LOCK_EX), 0);
	assert_int_equal(share_json_set_new(sj, json_integer(3)), 0);
	assert_int_equal(share_json_unlock(sj), 0);
	assert_int_equal(kill(pid, SIGCONT), 0);
	assert_int_equal(test_send(&c, 'g'), 0);
	assert_int_equal(test_wait(pid), 0);
	assert_value(sj, "3");
}

/* A child's updates: a counter read and written under its lock, and a
 * member of its own set without one. 0 when every call succeeded. */
static int update(int child)
{
	share_t *share = share_open(url(3), 0, 0);
	share_json_t *sj = share ? share_json_open(share) : NULL;
	int i, rc = sj ? 0 : -1;

	for (i = 0; i < UPDATES && rc == 0; i++) {
		json_t *all;
		char member[32];

		rc = share_json_lock(sj, LOCK_EX);
		all = rc == 0 ? share_json_get(sj) : NULL;
		if (!all ||
		    share_json_object_set_new(sj, "count", json_integer(json_integer_value(
			    json_object_get(all, "count")) + 1)) < 0 ||
		    share_json_unlock(sj) < 0)
			rc = -1;
		json_decref(all);
		snprintf(member, sizeof(member), "c%d-%d", child, i);
		if (rc == 0 && share_json_object_set_new(sj, member, json_true()) < 0)
			rc = -1;
	}
	if (sj && share_json_close(sj) < 0)
		rc = -1;
	if (share && share_close(share) < 0)
		rc = -1;
	return rc;
}

static void test_concurrent_updates(void **unused)
{
	(void)unused;
	share_t *share = open_ok(3, IPC_CREAT | IPC_EXCL);
	share_json_t *sj = json_on(share);
	pid_t pids[CHILDREN];
	json_t *all;
	int c, i;

	assert_int_equal(share_json_set_new(sj, json_pack("{s:i}", "count", 0)), 0);
	for (c = 0; c < CHILDREN; c++) {
		pids[c] = test_fork(NULL);
		if (pids[c] == 0)
			_exit(update(c) == 0 ? 0 : 1);
	}
	for (c = 0; c < CHILDREN; c++)
		assert_int_equal(test_wait(pids[c]), 0);

	/* No update lost: every increment, and every child's every member. */
	all = share_json_get(sj);
	assert_non_null(all);
	assert_int_equal(json_integer_value(json_object_get(all, "count")), CHILDREN * UPDATES);
	assert_int_equal(json_object_size(all), CHILDREN * UPDATES + 1);
	for (c = 0; c < CHILDREN; c++) {
		for (i = 0; i < UPDATES; i++) {
			char member[32];

			snprintf(member, sizeof(member), "c%d-%d", c, i);
			assert_true(json_is_true(json_object_get(all, member)));
		}
	}
	json_decref(all);
}

#define redis_case(f) cmocka_unit_test_setup_teardown(f, test_setup, teardown_redis)

int main(void)
{
	const struct CMUnitTest tests[] = {
		redis_case(test_set_get),
		redis_case(test_lock_writes_back_at_unlock),
		redis_case(test_concurrent_updates),
		redis_case(test_lapsed_lease_loses_changes),
	};

	server_owner = getpid();
	return test_redis_run(tests, &server);
}
