/*
 * A store interrupted while copying (its writer killed) leaves the share
 * empty, with the version of the last complete store. That is not a new
 * share: every read and keyed update fails with ENODATA and leaves the
 * share as it is, instead of starting a new document in its place, and
 * share_json_set() of a whole new document recovers.
 */
#include <sys/mman.h>

#include "jsontest.h"
#include "ipcsl.h"

#define MEMBERS 2000

/* A document worth losing: an object of MEMBERS members. */
static void store_big(struct fixture *f)
{
	json_t *all = json_object();
	char name[16];

	assert_non_null(all);
	for (int i = 0; i < MEMBERS; i++) {
		snprintf(name, sizeof(name), "m%d", i);
		assert_int_equal(json_object_set_new(all, name, json_integer(i)), 0);
	}
	assert_int_equal(share_json_set_new(f->sj, all), 0);
}

static int head_shmid(struct fixture *f)
{
	return test_info(f->share).shmid;
}

/* Every call that reads the value fails with ENODATA, and writes nothing. */
static void assert_interrupted(struct fixture *f)
{
	unsigned int version = share_version(f->share);
	json_t *one = json_integer(1);

	assert_fails(share_json_get(f->sj), NULL, ENODATA);
	assert_fails(share_json_object_set(f->sj, "k", one), -1, ENODATA);
	assert_fails(share_json_object_set_new(f->sj, "k", json_integer(2)), -1, ENODATA);
	assert_fails(share_json_object_del(f->sj, "m1"), -1, ENODATA);
	assert_fails(share_json_array_append(f->sj, one), -1, ENODATA);
	assert_fails(share_json_array_append_new(f->sj, json_integer(2)), -1, ENODATA);
	/* Under a lock too; releasing it then writes nothing. */
	assert_int_equal(share_json_lock(f->sj, LOCK_EX), 0);
	assert_fails(share_json_get(f->sj), NULL, ENODATA);
	assert_fails(share_json_object_set(f->sj, "k", one), -1, ENODATA);
	assert_fails(share_json_array_append(f->sj, one), -1, ENODATA);
	assert_int_equal(share_json_unlock(f->sj), 0);
	assert_int_equal(share_json_lock(f->sj, LOCK_SH), 0);
	assert_fails(share_json_get(f->sj), NULL, ENODATA);
	assert_int_equal(share_json_unlock(f->sj), 0);
	json_decref(one);
	/* The share is left as the interrupted store left it. */
	assert_int_equal(share_version(f->share), version);
	assert_bytes(f->share, "");
	test_assert_locks(f->share, 0, 0);
}

/* share_json_set() does not read the value: it starts a new document. */
static void assert_recovers(struct fixture *f)
{
	assert_int_equal(share_json_set_new(f->sj, json_pack("{s:i}", "fresh", 1)), 0);
	assert_value(f->sj, "{\"fresh\":1}");
	assert_int_equal(share_json_object_set_new(f->sj, "k", json_integer(2)), 0);
	assert_value(f->sj, "{\"fresh\":1,\"k\":2}");
}

/* Exactly what a writer killed while copying leaves: the head's length 0,
 * the version not bumped. */
static void test_head_left_empty(void **state)
{
	struct fixture *f = *state;
	unsigned int version;

	store_big(f);
	version = share_version(f->share);
	test_poke(head_shmid(f), length, 0);
	assert_int_equal(share_version(f->share), version);
	assert_interrupted(f);
	assert_recovers(f);
}

/* The same through the core API: an empty value stored over a document. */
static void test_empty_value_stored(void **state)
{
	struct fixture *f = *state;

	store_big(f);
	assert_int_equal(share_store(f->share, "", 0), 0);
	assert_interrupted(f);
	assert_recovers(f);
}

static int stuck_fd = -1;

/* Inside share_store(), the lock held and the value half copied: tell the
 * parent, and wait there for its SIGKILL. */
static void stuck_in_store(int sig)
{
	char msg = 'k';

	(void)sig;
	if (write(stuck_fd, &msg, 1) != 1)
		_exit(2);
	for (;;)
		pause();
}

/* A real writer, SIGKILLed in the middle of its copy: the second page of
 * the value it stores cannot be read, so the copy stops there. */
static void test_writer_killed(void **state)
{
	struct fixture *f = *state;
	long page = sysconf(_SC_PAGESIZE);
	struct test_chan c;
	unsigned int version;
	pid_t pid;

	store_big(f);
	version = share_version(f->share);
	pid = test_fork(&c);
	if (pid == 0) {
		unsigned char *buf = mmap(NULL, 2 * (size_t)page, PROT_READ | PROT_WRITE,
					  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		struct sigaction sa;

		child_check(buf != MAP_FAILED);
		memset(buf, '1', (size_t)page);
		child_check(mprotect(buf + page, (size_t)page, PROT_NONE) == 0);
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = stuck_in_store;
		stuck_fd = c.wr;
		child_check(sigaction(SIGSEGV, &sa, NULL) == 0);
		share_store(f->share, buf, 2 * (size_t)page);
		_exit(3);	/* not reached: the copy faults */
	}
	assert_int_equal(test_recv(&c), 'k');
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(test_wait(pid), -1);
	assert_int_equal(share_version(f->share), version);
	assert_interrupted(f);
	assert_recovers(f);
}

/*
 * The version skips 0 when it wraps, to 1, a new share's. A JSON store
 * never ends there, so a store interrupted after it is still told from a
 * new share: through share_json_set(), a keyed update and an unlock.
 */
static void test_version_wrap(void **state)
{
	struct fixture *f = *state;

	store_big(f);
	test_poke(head_shmid(f), version, UINT32_MAX);
	assert_int_equal(share_json_set_new(f->sj, json_pack("{s:i}", "a", 1)), 0);
	assert_int_equal(share_version(f->share), 2);

	test_poke(head_shmid(f), version, UINT32_MAX);
	assert_int_equal(share_json_object_set_new(f->sj, "b", json_integer(2)), 0);
	assert_int_equal(share_version(f->share), 2);

	assert_int_equal(share_json_lock(f->sj, LOCK_EX), 0);
	assert_int_equal(share_json_object_set_new(f->sj, "c", json_integer(3)), 0);
	test_poke(head_shmid(f), version, UINT32_MAX);
	assert_int_equal(share_json_unlock(f->sj), 0);
	assert_int_equal(share_version(f->share), 2);
	assert_value(f->sj, "{\"a\":1,\"b\":2,\"c\":3}");

	test_poke(head_shmid(f), length, 0);
	assert_interrupted(f);
	assert_recovers(f);
}

/* A new share is empty too, with version 1: it takes the first keyed
 * update (test_json_values: it reads as null). */
static void test_new_share_is_not_interrupted(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(share_json_object_set_new(f->sj, "k", json_integer(1)), 0);
	assert_value(f->sj, "{\"k\":1}");
}

/* Another program's counter may wrap to 0, which libsharelite skips: the
 * value is read all the same, and an interrupted store told as ever. */
static void test_version_zero(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(share_json_set_new(f->sj, json_pack("{s:i}", "a", 1)), 0);
	test_poke(head_shmid(f), version, 0);
	assert_value(f->sj, "{\"a\":1}");
	assert_int_equal(share_json_object_set_new(f->sj, "b", json_integer(2)), 0);
	assert_value(f->sj, "{\"a\":1,\"b\":2}");
	test_poke(head_shmid(f), version, 0);
	test_poke(head_shmid(f), length, 0);
	assert_interrupted(f);
	assert_recovers(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_head_left_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_value_stored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writer_killed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_version_wrap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_version_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_share_is_not_interrupted, setup,
						teardown),
	};

	return test_run(tests);
}
