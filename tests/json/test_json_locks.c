/*
 * Locks: while the handle holds one, reads come from one local copy and
 * changes under LOCK_EX reach the share once, at unlock; without one, every
 * call is atomic on its own.
 */
#define _GNU_SOURCE		/* CLONE_NEWPID */
#include "jsontest.h"
#include "ipcsl.h"	/* poke() writes into the head segment */
#include <sched.h>
#include <sys/syscall.h>
#include <sys/time.h>

/* Change the share's bytes behind every lock, as a process that ignores
 * the protocol would: same length, in the head segment. */
static void poke(share_t *share, const char *text)
{
	struct share_info info;
	char *head;

	assert_int_equal(share_stat(share, &info), 0);
	assert_int_equal(info.length, strlen(text));
	head = shmat(info.shmid, NULL, 0);
	assert_true(head != (void *)-1);
	memcpy(head + SHARELITE_HEADER_SIZE, text, strlen(text));
	assert_int_equal(shmdt(head), 0);
}

static void test_locked_reads_use_one_copy(void **state)
{
	struct fixture *f = *state;

	store_text(f->share, "{\"n\":1}");
	for (int op = LOCK_SH; op <= LOCK_EX; op++) {
		assert_int_equal(share_json_lock(f->sj, op), 0);
		assert_value(f->sj, "{\"n\":1}");
		poke(f->share, "{\"n\":2}");
		assert_bytes(f->share, "{\"n\":2}");
		assert_value(f->sj, "{\"n\":1}");
		assert_int_equal(share_json_unlock(f->sj), 0);
		/* Nothing was changed through the handle: nothing written. */
		assert_bytes(f->share, "{\"n\":2}");
		assert_value(f->sj, "{\"n\":2}");
		poke(f->share, "{\"n\":1}");
	}
}

/* Many changes under one LOCK_EX: one store, at unlock. */
static void test_changes_written_once_at_unlock(void **state)
{
	struct fixture *f = *state;
	unsigned int version = share_version(f->share);
	char key[16];

	assert_int_equal(share_json_lock(f->sj, LOCK_EX), 0);
	assert_int_equal(share_json_set_new(f->sj, json_pack("{s:[]}", "list")), 0);
	for (int i = 0; i < 100; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		assert_int_equal(share_json_object_set_new(f->sj, key, json_integer(i)), 0);
	}
	for (int i = 0; i < 100; i += 2) {
		snprintf(key, sizeof(key), "k%d", i);
		assert_int_equal(share_json_object_del(f->sj, key), 0);
	}
	assert_value(f->sj, "{\"list\":[],\"k1\":1,\"k3\":3,\"k5\":5,\"k7\":7,\"k9\":9,"
		     "\"k11\":11,\"k13\":13,\"k15\":15,\"k17\":17,\"k19\":19,\"k21\":21,"
		     "\"k23\":23,\"k25\":25,\"k27\":27,\"k29\":29,\"k31\":31,\"k33\":33,"
		     "\"k35\":35,\"k37\":37,\"k39\":39,\"k41\":41,\"k43\":43,\"k45\":45,"
		     "\"k47\":47,\"k49\":49,\"k51\":51,\"k53\":53,\"k55\":55,\"k57\":57,"
		     "\"k59\":59,\"k61\":61,\"k63\":63,\"k65\":65,\"k67\":67,\"k69\":69,"
		     "\"k71\":71,\"k73\":73,\"k75\":75,\"k77\":77,\"k79\":79,\"k81\":81,"
		     "\"k83\":83,\"k85\":85,\"k87\":87,\"k89\":89,\"k91\":91,\"k93\":93,"
		     "\"k95\":95,\"k97\":97,\"k99\":99}");
	/* Nothing has reached the share yet. */
	assert_int_equal(share_version(f->share), version);
	assert_bytes(f->share, "");
	assert_int_equal(share_json_unlock(f->sj), 0);
	assert_int_equal(share_version(f->share), version + 1);
	assert_int_equal(share_json_object_del(f->sj, "list"), 0);
	assert_int_equal(share_version(f->share), version + 2);
}

/* A write-back that fails is reported by unlock; the lock is gone. */
static void test_failed_write_back_is_reported(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(share_json_lock(f->sj, LOCK_EX), 0);
	assert_int_equal(share_json_object_set_new(f->sj, "k", json_true()), 0);
	assert_int_equal(share_remove(f->share), 0);
	errno = 0;
	assert_int_equal(share_json_unlock(f->sj), -1);
	assert_int_equal(errno, EIDRM);
	/* Released: a second unlock has nothing left to do. */
	assert_int_equal(share_json_unlock(f->sj), 0);
	assert_int_equal(share_json_close(f->sj), 0);
	f->sj = NULL;
}

/* close releases the lock as unlock does, changes written first. */
static void test_close_writes_back(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(share_json_lock(f->sj, LOCK_EX), 0);
	assert_int_equal(share_json_array_append_new(f->sj, json_string("last")), 0);
	assert_int_equal(share_json_close(f->sj), 0);
	f->sj = NULL;
	assert_bytes(f->share, "[\"last\"]");
	assert_int_equal(share_lock(f->share, LOCK_EX | LOCK_NB), 0);
	assert_int_equal(share_unlock(f->share), 0);
}

static void test_no_writes_under_a_shared_lock(void **state)
{
	struct fixture *f = *state;
	json_t *v = json_true();

	assert_int_equal(share_json_lock(f->sj, LOCK_SH), 0);
	errno = 0;
	assert_int_equal(share_json_set(f->sj, v), -1);
	assert_int_equal(errno, EPERM);
	errno = 0;
	assert_int_equal(share_json_object_set(f->sj, "k", v), -1);
	assert_int_equal(errno, EPERM);
	errno = 0;
	assert_int_equal(share_json_object_del(f->sj, "k"), -1);
	assert_int_equal(errno, EPERM);
	errno = 0;
	assert_int_equal(share_json_array_append(f->sj, v), -1);
	assert_int_equal(errno, EPERM);
	assert_int_equal(share_json_unlock(f->sj), 0);
	assert_int_equal(share_version(f->share), 1);
	json_decref(v);
}

/* Upgrade, then downgrade: the changes go out at the downgrade. */
static void test_upgrade_and_downgrade(void **state)
{
	struct fixture *f = *state;

	store_text(f->share, "[1]");
	assert_int_equal(share_json_lock(f->sj, LOCK_SH), 0);
	assert_value(f->sj, "[1]");
	assert_int_equal(share_json_lock(f->sj, LOCK_EX), 0);
	assert_int_equal(share_json_array_append_new(f->sj, json_integer(2)), 0);
	assert_int_equal(share_json_lock(f->sj, LOCK_EX | LOCK_NB), 0);	/* held */
	assert_bytes(f->share, "[1]");
	assert_int_equal(share_json_lock(f->sj, LOCK_SH), 0);
	assert_bytes(f->share, "[1,2]");
	assert_int_equal(share_version(f->share), 3);
	assert_value(f->sj, "[1,2]");
	assert_int_equal(share_json_lock(f->sj, LOCK_UN), 0);
	assert_int_equal(share_version(f->share), 3);
}

/* After an upgrade the value is read again: the lock was let go. */
static void test_upgrade_reads_afresh(void **state)
{
	struct fixture *f = *state;

	store_text(f->share, "{\"n\":1}");
	assert_int_equal(share_json_lock(f->sj, LOCK_SH), 0);
	assert_value(f->sj, "{\"n\":1}");
	poke(f->share, "{\"n\":3}");
	assert_value(f->sj, "{\"n\":1}");
	assert_int_equal(share_json_lock(f->sj, LOCK_EX), 0);
	assert_value(f->sj, "{\"n\":3}");
	assert_int_equal(share_json_unlock(f->sj), 0);
}

/* A downgrade whose write fails keeps LOCK_EX and the changes. */
static void test_failed_downgrade_keeps_the_lock(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(share_json_lock(f->sj, LOCK_EX), 0);
	assert_int_equal(share_json_array_append_new(f->sj, json_integer(1)), 0);
	assert_int_equal(share_remove(f->share), 0);
	errno = 0;
	assert_int_equal(share_json_lock(f->sj, LOCK_SH), -1);
	assert_int_equal(errno, EIDRM);
	/* Still LOCK_EX: writes are taken, into the copy. */
	assert_int_equal(share_json_array_append_new(f->sj, json_integer(2)), 0);
	assert_value(f->sj, "[1,2]");
	errno = 0;
	assert_int_equal(share_json_unlock(f->sj), -1);
	assert_int_equal(errno, EIDRM);
}

static int to_holder[2], from_holder[2];

/* Child: take LOCK_SH, say so, and keep it until told, then exit. */
static int hold_shared(struct fixture *f, int i)
{
	char c;

	(void)i;
	if (share_lock(f->share, LOCK_SH) < 0 || write(from_holder[1], "L", 1) != 1)
		return -1;
	return read(to_holder[0], &c, 1) == 1 ? 0 : -1;
}

/* An upgrade that times out keeps LOCK_SH, and the JSON handle knows it. */
static void test_timed_out_upgrade_keeps_shared(void **state)
{
	struct fixture *f = *state;
	char c;

	assert_int_equal(pipe(to_holder), 0);
	assert_int_equal(pipe(from_holder), 0);
	assert_int_equal(share_json_lock(f->sj, LOCK_SH), 0);
	fork_child(f, 0, hold_shared);
	assert_int_equal(read(from_holder[0], &c, 1), 1);
	assert_int_equal(share_set_timeout(f->share, 50), 0);
	errno = 0;
	assert_int_equal(share_json_lock(f->sj, LOCK_EX), -1);
	assert_int_equal(errno, ETIMEDOUT);
	test_assert_locks(f->share, 2, 0);
	assert_int_equal(share_json_unlock(f->sj), 0);
	test_assert_locks(f->share, 1, 0);	/* the holder's only */
	assert_int_equal(write(to_holder[1], "u", 1), 1);
	wait_child(f, 0);
	for (int i = 0; i < 2; i++) {
		close(to_holder[i]);
		close(from_holder[i]);
	}
}

/* Signals that a wait restarted through; the timer stops after STOP_AFTER. */
#define TICK_US 20000
#define STOP_AFTER 100
static volatile sig_atomic_t ticks;

static void tick(int sig)
{
	static const struct itimerval off;

	(void)sig;
	if (++ticks == STOP_AFTER)
		setitimer(ITIMER_REAL, &off, NULL);
}

/*
 * A keyed change waits for the lock through signals, but the handle's
 * timeout bounds the whole wait: a signal every 20 ms must not start
 * 100 ms again each time, so the call fails long before the timer stops.
 */
static void test_signals_do_not_restart_the_timeout(void **state)
{
	struct fixture *f = *state;
	const struct itimerval every = { { 0, TICK_US }, { 0, TICK_US } }, off = { { 0, 0 }, { 0, 0 } };
	struct sigaction sa = { .sa_handler = tick }, old;
	json_t *one = json_integer(1);
	int rc, err;
	char c;

	assert_non_null(one);
	assert_int_equal(pipe(to_holder), 0);
	assert_int_equal(pipe(from_holder), 0);
	fork_child(f, 0, hold_shared);
	assert_int_equal(read(from_holder[0], &c, 1), 1);
	assert_int_equal(share_set_timeout(f->share, 100), 0);
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGALRM, &sa, &old), 0);
	ticks = 0;
	assert_int_equal(setitimer(ITIMER_REAL, &every, NULL), 0);
	rc = share_json_object_set(f->sj, "k", one);
	err = errno;
	setitimer(ITIMER_REAL, &off, NULL);
	sigaction(SIGALRM, &old, NULL);
	json_decref(one);
	assert_int_equal(rc, -1);
	assert_int_equal(err, ETIMEDOUT);
	/* 100 ms is 5 ticks; the timer stopping ended the wait, before. */
	assert_true(ticks < STOP_AFTER / 2);
	assert_int_equal(write(to_holder[1], "u", 1), 1);
	wait_child(f, 0);
	for (int i = 0; i < 2; i++) {
		close(to_holder[i]);
		close(from_holder[i]);
	}
}

/* A child in a new pid namespace, where it is pid 1: fork() by clone(). */
static pid_t fork_as_pid_1(void)
{
	return (pid_t)syscall(SYS_clone, (unsigned long)(CLONE_NEWPID | SIGCHLD),
			      0UL, 0UL, 0UL, 0UL);
}

/* In the grandchild: the handle holds nothing here, whatever its pid. */
static int use_inherited_handle(struct fixture *f)
{
	json_t *got;

	/* Read from the share, which the parent locks: not its copy. */
	errno = 0;
	got = share_json_get(f->sj);
	child_check(!got && errno == ETIMEDOUT);
	child_check(share_json_unlock(f->sj) == 0);	/* nothing to write back */
	child_check(share_json_lock(f->sj, LOCK_SH | LOCK_NB) == -1 && errno == EWOULDBLOCK);
	return 0;
}

/* In the child, pid 1: lock, change, and fork a grandchild, pid 1 too. */
static int lock_and_fork_same_pid(struct fixture *f, int i)
{
	json_t *one = json_integer(1);
	int status;
	pid_t pid;

	(void)i;
	child_check(getpid() == 1);
	child_check(share_set_timeout(f->share, 100) == 0);
	child_check(share_json_lock(f->sj, LOCK_EX) == 0);
	child_check(share_json_object_set_new(f->sj, "k", one) == 0);
	pid = fork_as_pid_1();
	child_check(pid >= 0);
	if (pid == 0)
		_exit(use_inherited_handle(f) == 0 ? 0 : 1);
	child_check(waitpid(pid, &status, 0) == pid);
	child_check(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	child_check(share_json_unlock(f->sj) == 0);
	return 0;
}

/*
 * A process's pid is no mark of the lock's taker: a child in a new pid
 * namespace has its parent's pid 1. The grandchild must see the share's
 * value, not its parent's unwritten change, and write nothing back.
 */
static void test_child_with_the_lockers_pid_holds_nothing(void **state)
{
	struct fixture *f = *state;
	pid_t pid = fork_as_pid_1();

	if (pid < 0)
		skip();		/* no CAP_SYS_ADMIN for a pid namespace */
	if (pid == 0)
		_exit(0);
	test_wait(pid);
	/* Not test_fork(): its child checks getppid(), 0 across namespaces.
	 * The fixture kills the children it lists. */
	fflush(NULL);
	pid = fork_as_pid_1();
	assert_true(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		_exit(lock_and_fork_same_pid(f, 0) == 0 ? 0 : 1);
	}
	f->children[0] = pid;
	wait_child(f, 0);
	assert_value(f->sj, "{\"k\":1}");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_locked_reads_use_one_copy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_changes_written_once_at_unlock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_write_back_is_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_writes_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_writes_under_a_shared_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_upgrade_and_downgrade, setup, teardown),
		cmocka_unit_test_setup_teardown(test_upgrade_reads_afresh, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_downgrade_keeps_the_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timed_out_upgrade_keeps_shared, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signals_do_not_restart_the_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_child_with_the_lockers_pid_holds_nothing,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
