/*
 * Lock semantics, within a process and between processes. Who waits for
 * whom is proved with the kernel's count of processes asleep on the share's
 * semaphores and with the order of messages on pipes, never with timing.
 */
#include <sys/file.h>	/* first: the LOCK_* values must agree with ours */
#include <poll.h>
#include "harness.h"

/* What a child uses: its own handle on key, or the one it inherited. */
struct target {
	share_t *s;
	key_t key;
	int inherited;
};

/* Kept in a global, so that a child that exits holding it leaks nothing. */
static share_t *child_share;

static share_t *child_handle(const struct target *t)
{
	child_share = t->inherited ? t->s : share_new(t->key, 0, 0);
	child_check(child_share != NULL);
	return child_share;
}

/* The result of a LOCK_NB request by another process: 0 or its errno. */
static int lock_elsewhere(const struct target *t, int operation)
{
	struct test_chan c;
	pid_t pid = test_fork(&c);

	if (pid == 0) {
		share_t *s = child_handle(t);
		int rc = share_lock(s, operation);
		char err = (char)(rc == 0 ? 0 : errno);

		child_check(rc == 0 || errno != 0);
		child_check(share_unlock(s) == 0);
		child_check(test_send(&c, err) == 0);
		_exit(0);
	}
	int err = test_recv(&c);

	assert_int_equal(test_wait(pid), 0);
	return err;
}

/*
 * A child that takes the lock and holds it until told: 'u' to unlock, 'x'
 * to exit holding it, or until it is killed.
 */
static pid_t hold_elsewhere(const struct target *t, int operation, struct test_chan *c)
{
	pid_t pid = test_fork(c);

	if (pid == 0) {
		share_t *s = child_handle(t);

		child_check(share_lock(s, operation) == 0);
		child_check(test_send(c, 'L') == 0);
		switch (test_recv(c)) {
		case 'x':
			_exit(0);
		case 'u':
			child_check(share_unlock(s) == 0);
			child_check(test_send(c, 'U') == 0);
			_exit(0);
		default:
			_exit(1);
		}
	}
	assert_int_equal(test_recv(c), 'L');
	return pid;
}

static void release_elsewhere(pid_t pid, struct test_chan *c)
{
	assert_int_equal(test_send(c, 'u'), 0);
	assert_int_equal(test_recv(c), 'U');
	assert_int_equal(test_wait(pid), 0);
}

/*
 * A child that stores "child" ('s') or fetches ('f'). It says 'r' just
 * before the call, then 'd' once stored, or the first byte of what it
 * fetched: 'b' for "before", 'p' for "parent".
 */
static pid_t call_elsewhere(const struct target *t, char call, struct test_chan *c)
{
	pid_t pid = test_fork(c);

	if (pid == 0) {
		share_t *s = child_handle(t);
		void *data = NULL;
		char said;

		child_check(test_send(c, 'r') == 0);
		if (call == 's') {
			child_check(share_store(s, "child", 5) == 0);
			said = 'd';
		} else {
			child_check(share_fetch(s, &data) >= 0);
			said = *(char *)data;
			free(data);
		}
		child_check(test_send(c, said) == 0);
		_exit(0);
	}
	assert_int_equal(test_recv(c), 'r');
	return pid;
}

/* The share's count of writers waiting for LOCK_EX (sharelite(7), "Fairness"). */
static int writers_waiting(share_t *s)
{
	return test_info(s).writers_waiting;
}

/*
 * What another process's LOCK_SH|LOCK_NB gets while a writer waits: it
 * queues behind the writer where the format counts waiting writers
 * (sharelite(7), "Fairness"), else it joins the readers.
 */
static int new_reader_behind_writer(void)
{
	return test_format()->writers_queue ? EWOULDBLOCK : 0;
}

/* Until a reader sleeps behind the one waiting writer (the watchdog ends
 * a hang). */
static void await_queued_reader(share_t *s)
{
	while (test_waiters(s) < 2)
		assert_int_equal(poll(NULL, 0, 5), 0);
}

/*
 * Most tests start from a keyed share holding "before", which children
 * open for themselves; *state is its struct target.
 */
static struct target fixture;

static int setup_share(void **state)
{
	test_setup(state);
	fixture.key = test_use_key(1);
	fixture.inherited = 0;
	fixture.s = test_open(fixture.key, 0, IPC_CREAT | IPC_EXCL);
	assert_int_equal(share_store(fixture.s, "before", 6), 0);
	*state = &fixture;
	return 0;
}

#define share_case(f) cmocka_unit_test_setup_teardown(f, setup_share, test_teardown)

/* Take the lock, then start the child's call and see it wait for us. */
static pid_t call_waiting(struct target *t, int operation, char call, struct test_chan *c)
{
	pid_t pid;

	assert_int_equal(share_lock(t->s, operation), 0);
	pid = call_elsewhere(t, call, c);
	assert_int_equal(test_child_waits(c, t->s), 1);
	return pid;
}

/* Unlock, and see the child's call go through: 'd' or what it fetched. */
static void let_call_through(share_t *s, char call, pid_t pid, struct test_chan *c)
{
	assert_int_equal(share_unlock(s), 0);
	assert_int_equal(test_recv(c), call == 's' ? 'd' : 'p');
	assert_int_equal(test_wait(pid), 0);
	test_assert_value(s, call == 's' ? "child" : "parent");
}

/*
 * The child's call waits for our LOCK_EX: what we store before unlocking is
 * what its fetch sees, and its store lands after ours.
 */
static void assert_waits_for_us(struct target *t, char call)
{
	struct test_chan c;
	pid_t pid;

	assert_int_equal(share_store(t->s, "before", 6), 0);
	pid = call_waiting(t, LOCK_EX, call, &c);
	assert_int_equal(share_store(t->s, "parent", 6), 0);
	let_call_through(t->s, call, pid, &c);
}

/*
 * The child's fetch behind our LOCK_EX: it waits for us where the format's
 * fetches lock; else it returns at once the last value stored, before our
 * store and after it, while we still hold the lock (sharelite(7), "Native
 * format").
 */
static void assert_fetch_behind_us(struct target *t)
{
	struct test_chan c;
	pid_t pid;

	if (test_format()->fetch_waits_for_writer) {
		assert_waits_for_us(t, 'f');
		return;
	}
	assert_int_equal(share_store(t->s, "before", 6), 0);
	assert_int_equal(share_lock(t->s, LOCK_EX), 0);
	pid = call_elsewhere(t, 'f', &c);
	assert_int_equal(test_recv(&c), 'b');
	assert_int_equal(test_wait(pid), 0);
	assert_int_equal(share_store(t->s, "parent", 6), 0);
	pid = call_elsewhere(t, 'f', &c);
	assert_int_equal(test_recv(&c), 'p');
	assert_int_equal(test_wait(pid), 0);
	test_assert_locks(t->s, 0, 1);
	assert_int_equal(share_unlock(t->s), 0);
}

static void test_flock_values(void **unused)
{
	(void)unused;
	/* <sys/file.h> came first; sharelite_const.h kept its values. */
	assert_int_equal(LOCK_SH, 1);
	assert_int_equal(LOCK_EX, 2);
	assert_int_equal(LOCK_NB, 4);
	assert_int_equal(LOCK_UN, 8);
}

static void test_lock_transitions(void **unused)
{
	(void)unused;
	share_t *s = test_private(0);

	test_assert_locks(s, 0, 0);
	assert_int_equal(share_lock(s, LOCK_SH), 0);
	test_assert_locks(s, 1, 0);
	assert_int_equal(share_lock(s, LOCK_SH), 0);	/* not counted twice */
	test_assert_locks(s, 1, 0);
	assert_int_equal(share_lock(s, LOCK_EX), 0);	/* upgrade */
	test_assert_locks(s, 0, 1);
	assert_int_equal(share_lock(s, LOCK_EX | LOCK_NB), 0);
	test_assert_locks(s, 0, 1);
	assert_int_equal(share_lock(s, LOCK_SH | LOCK_NB), 0);	/* downgrade */
	test_assert_locks(s, 1, 0);
	assert_int_equal(share_lock(s, LOCK_EX | LOCK_NB), 0);	/* alone: no wait */
	test_assert_locks(s, 0, 1);
	assert_int_equal(share_lock(s, LOCK_UN), 0);
	test_assert_locks(s, 0, 0);
	assert_int_equal(share_lock(s, LOCK_UN), 0);	/* nothing held: fine */
	assert_int_equal(share_lock(s, LOCK_SH | LOCK_NB), 0);
	assert_int_equal(share_lock(s, LOCK_UN | LOCK_NB), 0);
	test_assert_locks(s, 0, 0);
	assert_int_equal(test_close(s), 0);
}

static void test_unlock_is_lock_un(void **unused)
{
	(void)unused;
	share_t *s = test_private(0);
	static const int ops[] = { LOCK_SH, LOCK_EX };

	for (int i = 0; i < 2; i++) {
		assert_int_equal(share_lock(s, ops[i]), 0);
		assert_int_equal(share_unlock(s), 0);
		test_assert_locks(s, 0, 0);
		assert_int_equal(share_lock(s, ops[i]), 0);
		assert_int_equal(share_lock(s, LOCK_UN), 0);
		test_assert_locks(s, 0, 0);
	}
	assert_int_equal(share_unlock(s), share_lock(s, LOCK_UN));
	assert_int_equal(share_remove(s), 0);
	assert_fails(share_unlock(s), -1, EIDRM);
	assert_fails(share_lock(s, LOCK_UN), -1, EIDRM);
	assert_int_equal(test_close(s), 0);
}

static void test_exclusive_excludes_others(void **state)
{
	struct target *t = *state;
	share_t *s = t->s;
	struct test_chan c;
	pid_t pid = hold_elsewhere(t, LOCK_EX, &c);

	assert_fails(share_lock(s, LOCK_EX | LOCK_NB), -1, EWOULDBLOCK);
	assert_fails(share_lock(s, LOCK_SH | LOCK_NB), -1, EWOULDBLOCK);
	assert_int_equal(lock_elsewhere(t, LOCK_SH | LOCK_NB), EWOULDBLOCK);
	assert_int_equal(lock_elsewhere(t, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	test_assert_locks(s, 0, 1);	/* the holder's, and no other */

	release_elsewhere(pid, &c);
	test_assert_locks(s, 0, 0);
	assert_int_equal(share_lock(s, LOCK_EX | LOCK_NB), 0);
}

static void test_shared_locks_coexist(void **state)
{
	struct target *t = *state;
	share_t *s = t->s;
	struct test_chan c, rc;
	pid_t pid, reader;

	assert_int_equal(share_lock(s, LOCK_SH), 0);
	pid = hold_elsewhere(t, LOCK_SH | LOCK_NB, &c);
	test_assert_locks(s, 2, 0);
	assert_int_equal(lock_elsewhere(t, LOCK_SH | LOCK_NB), 0);
	assert_int_equal(lock_elsewhere(t, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	/* Readers do not wait for each other. */
	reader = call_elsewhere(t, 'f', &rc);
	assert_int_equal(test_child_waits(&rc, s), 0);
	assert_int_equal(test_recv(&rc), 'b');
	assert_int_equal(test_wait(reader), 0);

	release_elsewhere(pid, &c);
	test_assert_locks(s, 1, 0);
}

static void test_exclusive_blocks_store_and_fetch(void **state)
{
	assert_waits_for_us(*state, 's');
	assert_fetch_behind_us(*state);
}

static void test_shared_blocks_store(void **state)
{
	struct target *t = *state;
	struct test_chan c;
	pid_t pid = call_waiting(t, LOCK_SH, 's', &c);

	test_assert_value(t->s, "before");	/* a reader still reads */
	let_call_through(t->s, 's', pid, &c);
}

/* LOCK_EX to LOCK_SH lets no writer in between. */
static void test_downgrade_is_atomic(void **state)
{
	struct target *t = *state;
	share_t *s = t->s;
	struct test_chan c;
	pid_t pid = call_waiting(t, LOCK_EX, 's', &c);

	assert_int_equal(share_store(s, "parent", 6), 0);
	assert_int_equal(share_lock(s, LOCK_SH), 0);
	/* Had the writer slipped in, it would have stored "child". */
	test_assert_value(s, "parent");
	test_assert_locks(s, 1, 0);
	/* A new reader queues behind the waiting writer where the format
	 * counts them (sharelite(7), "Fairness"); the writer waits on. */
	assert_int_equal(lock_elsewhere(t, LOCK_SH | LOCK_NB), new_reader_behind_writer());
	assert_int_equal(test_child_waits(&c, s), 1);
	let_call_through(s, 's', pid, &c);
}

static void test_nonblocking_upgrade_keeps_shared(void **state)
{
	struct target *t = *state;
	share_t *s = t->s;
	struct test_chan c;
	pid_t pid;

	assert_int_equal(share_lock(s, LOCK_SH), 0);
	pid = hold_elsewhere(t, LOCK_SH, &c);
	assert_fails(share_lock(s, LOCK_EX | LOCK_NB), -1, EWOULDBLOCK);
	test_assert_locks(s, 2, 0);	/* ours is still there */
	assert_int_equal(lock_elsewhere(t, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	release_elsewhere(pid, &c);
	test_assert_locks(s, 1, 0);
	assert_int_equal(lock_elsewhere(t, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	/* Alone now, the same upgrade works. */
	assert_int_equal(share_lock(s, LOCK_EX | LOCK_NB), 0);
	test_assert_locks(s, 0, 1);
}

/* A blocking upgrade waits for the other readers, then gets LOCK_EX. */
static void test_blocking_upgrade_waits(void **state)
{
	struct target *t = *state;
	share_t *s = t->s;
	struct test_chan c;
	pid_t pid = test_fork(&c);

	if (pid == 0) {
		share_t *h = child_handle(t);

		child_check(share_lock(h, LOCK_SH) == 0);
		child_check(test_send(&c, 'S') == 0);
		child_check(test_recv(&c) == 'e');
		child_check(share_lock(h, LOCK_EX) == 0);
		child_check(share_store(h, "child", 5) == 0);
		child_check(test_send(&c, 'X') == 0);
		child_check(test_recv(&c) == 'u');
		child_check(share_close(h) == 0);
		_exit(0);
	}
	assert_int_equal(share_lock(s, LOCK_SH), 0);
	assert_int_equal(test_recv(&c), 'S');
	test_assert_locks(s, 2, 0);
	assert_int_equal(test_send(&c, 'e'), 0);
	assert_int_equal(test_child_waits(&c, s), 1);
	/* It waits as a writer: counted, and new readers queue behind it,
	 * where the format counts writers. */
	assert_int_equal(writers_waiting(s), test_writers_waiting(1));
	assert_int_equal(lock_elsewhere(t, LOCK_SH | LOCK_NB), new_reader_behind_writer());
	test_assert_value(s, "before");
	assert_int_equal(share_unlock(s), 0);
	assert_int_equal(test_recv(&c), 'X');
	test_assert_locks(s, 0, 1);
	assert_int_equal(test_send(&c, 'u'), 0);
	assert_int_equal(test_wait(pid), 0);
	test_assert_locks(s, 0, 0);
	test_assert_value(s, "child");
}

/*
 * Calls that lock for themselves leave the caller's own lock as it was:
 * store (growing and shrinking the chain), fetch, fetch_into, num_segments
 * and stat, under `held`; `excluded` is what another process cannot get.
 */
static void assert_calls_keep(struct target *t, int held, int excluded, int allowed)
{
	share_t *s = t->s;
	struct share_info info;
	char buf[16];
	unsigned char big[5000];

	test_fill(big, sizeof(big), 8);
	assert_int_equal(share_lock(s, held), 0);
	assert_int_equal(share_store(s, big, sizeof(big)), 0);
	assert_int_equal(share_store(s, "kept", 4), 0);
	test_assert_value(s, "kept");
	assert_int_equal(share_fetch_into(s, buf, sizeof(buf)), 4);
	assert_int_equal(share_num_segments(s), 1);
	assert_int_equal(share_stat(s, &info), 0);
	test_assert_locks(s, held == LOCK_SH, held == LOCK_EX);
	assert_int_equal(lock_elsewhere(t, excluded | LOCK_NB), EWOULDBLOCK);
	if (allowed)
		assert_int_equal(lock_elsewhere(t, allowed | LOCK_NB), 0);
	assert_int_equal(share_unlock(s), 0);
}

static void test_calls_keep_held_lock(void **state)
{
	assert_calls_keep(*state, LOCK_SH, LOCK_EX, LOCK_SH);
	assert_calls_keep(*state, LOCK_EX, LOCK_SH, 0);
}

/* SEM_UNDO: a process that ends, however it ends, gives its lock back. */
static void test_dead_holder_releases(void **state)
{
	struct target *t = *state;
	share_t *s = t->s;
	static const int ops[] = { LOCK_EX, LOCK_SH };
	struct test_chan c;
	pid_t pid;

	for (int i = 0; i < 2; i++) {
		pid = hold_elsewhere(t, ops[i], &c);
		test_assert_locks(s, ops[i] == LOCK_SH, ops[i] == LOCK_EX);
		assert_int_equal(test_send(&c, 'x'), 0);	/* exit holding it */
		assert_int_equal(test_wait(pid), 0);
		test_assert_locks(s, 0, 0);

		pid = hold_elsewhere(t, ops[i], &c);
		test_assert_locks(s, ops[i] == LOCK_SH, ops[i] == LOCK_EX);
		assert_int_equal(kill(pid, SIGKILL), 0);
		assert_int_equal(test_wait(pid), -1);
		test_assert_locks(s, 0, 0);
		assert_int_equal(share_lock(s, LOCK_EX | LOCK_NB), 0);
		assert_int_equal(share_unlock(s), 0);
	}
	/* A writer killed while it waits leaves nothing behind either. */
	pid = call_waiting(t, LOCK_SH, 's', &c);
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(test_wait(pid), -1);
	assert_int_equal(test_waiters(s), 0);
	test_assert_locks(s, 1, 0);
	/* ... not even its count among the waiting writers (SEM_UNDO). */
	assert_int_equal(writers_waiting(s), test_writers_waiting(0));
	assert_int_equal(lock_elsewhere(t, LOCK_SH | LOCK_NB), 0);
	assert_int_equal(share_unlock(s), 0);
	test_assert_value(s, "before");
}

/*
 * A lock is the handle's, not the process's: a second handle on the share
 * in this process is excluded like another process would be.
 */
static void test_two_handles_exclude_each_other(void **state)
{
	struct target *t = *state;
	share_t *h = test_open(t->key, 0, 0);

	assert_int_equal(share_lock(t->s, LOCK_EX), 0);
	assert_fails(share_lock(h, LOCK_SH | LOCK_NB), -1, EWOULDBLOCK);
	assert_fails(share_lock(h, LOCK_EX | LOCK_NB), -1, EWOULDBLOCK);
	test_assert_locks(t->s, 0, 1);

	/* Shared with shared goes; an upgrade through one handle is refused
	 * while the other holds its shared lock, which it keeps. */
	assert_int_equal(share_lock(t->s, LOCK_SH), 0);
	assert_int_equal(share_lock(h, LOCK_SH | LOCK_NB), 0);
	test_assert_locks(t->s, 2, 0);
	assert_fails(share_lock(h, LOCK_EX | LOCK_NB), -1, EWOULDBLOCK);
	test_assert_locks(t->s, 2, 0);

	assert_int_equal(share_unlock(t->s), 0);
	assert_int_equal(share_lock(h, LOCK_EX | LOCK_NB), 0);
	assert_fails(share_lock(t->s, LOCK_SH | LOCK_NB), -1, EWOULDBLOCK);
	assert_int_equal(test_close(h), 0);
	assert_int_equal(share_lock(t->s, LOCK_EX | LOCK_NB), 0);
	assert_int_equal(share_unlock(t->s), 0);
}

/* Closing a handle gives back the lock it holds. */
static void test_close_releases_lock(void **state)
{
	struct target *t = *state;
	static const int ops[] = { LOCK_EX, LOCK_SH };

	for (int i = 0; i < 2; i++) {
		share_t *h = test_open(t->key, 0, 0);

		assert_int_equal(share_lock(h, ops[i]), 0);
		test_assert_locks(t->s, ops[i] == LOCK_SH, ops[i] == LOCK_EX);
		assert_int_equal(test_close(h), 0);
		test_assert_locks(t->s, 0, 0);
		assert_int_equal(lock_elsewhere(t, LOCK_EX | LOCK_NB), 0);
	}
}

/*
 * A process that took and gave back locks in every way, then exits, takes
 * nothing from the lock another process holds by then: each step's undo
 * record (SEM_UNDO) balances.
 */
static void test_exit_after_unlock_keeps_others_lock(void **state)
{
	struct target *t = *state;
	struct test_chan c;
	pid_t pid = test_fork(&c);

	if (pid == 0) {
		share_t *h = child_handle(t);

		child_check(share_lock(h, LOCK_EX) == 0);
		child_check(share_lock(h, LOCK_SH) == 0);
		child_check(share_lock(h, LOCK_EX | LOCK_NB) == 0);
		child_check(share_store(h, "child", 5) == 0);
		child_check(share_unlock(h) == 0);
		child_check(share_lock(h, LOCK_SH) == 0);
		child_check(share_store(h, "child", 5) == 0);
		child_check(share_lock(h, LOCK_EX) == 0);
		child_check(share_lock(h, LOCK_UN) == 0);
		child_check(test_send(&c, 'u') == 0);
		child_check(test_recv(&c) == 'x');
		_exit(0);
	}
	assert_int_equal(test_recv(&c), 'u');
	test_assert_locks(t->s, 0, 0);
	assert_int_equal(share_lock(t->s, LOCK_EX), 0);
	assert_int_equal(test_send(&c, 'x'), 0);
	assert_int_equal(test_wait(pid), 0);
	test_assert_locks(t->s, 0, 1);
	assert_int_equal(lock_elsewhere(t, LOCK_SH | LOCK_NB), EWOULDBLOCK);
	assert_int_equal(share_lock(t->s, LOCK_SH), 0);
	assert_int_equal(share_unlock(t->s), 0);
	test_assert_locks(t->s, 0, 0);
}

/*
 * fork() hands no lock to the child: through the handle it inherited, its
 * calls wait for the parent, and its unlock and close give back nothing
 * of the parent's.
 */
static void test_fork_hands_no_lock(void **state)
{
	struct target *t = *state;
	share_t *s = t->s;
	static const int ops[] = { LOCK_EX, LOCK_SH };

	t->inherited = 1;
	assert_waits_for_us(t, 's');
	assert_fetch_behind_us(t);
	for (int i = 0; i < 2; i++) {
		pid_t pid;

		assert_int_equal(share_lock(s, ops[i]), 0);
		pid = test_fork(NULL);
		if (pid == 0) {
			child_check(share_unlock(s) == 0);
			child_check(share_lock(s, LOCK_UN | LOCK_NB) == 0);
			child_check(share_close(s) == 0);
			_exit(0);
		}
		assert_int_equal(test_wait(pid), 0);
		test_assert_locks(s, ops[i] == LOCK_SH, ops[i] == LOCK_EX);
		assert_int_equal(lock_elsewhere(t, LOCK_EX | LOCK_NB), EWOULDBLOCK);
		assert_int_equal(share_unlock(s), 0);
		test_assert_locks(s, 0, 0);
	}
}

/*
 * Readers that take turns so that some reader always holds LOCK_SH cannot
 * hold a writer off: once it waits, new readers queue behind it. Here A
 * holds LOCK_SH, the writer waits, and B's LOCK_SH|LOCK_NB is refused;
 * B's blocking fetch then reads what the writer stored.
 */
static void test_waiting_writer_goes_before_new_readers(void **state)
{
	struct target *t = *state;
	share_t *s = t->s;
	struct test_chan wc, rc;
	struct share_info info;
	pid_t writer, reader;
	int queued = test_format()->writers_queue && test_format()->fetch_waits_for_writer;

	assert_int_equal(share_lock(s, LOCK_SH), 0);
	/* A writer that would not wait never counts itself. */
	assert_int_equal(lock_elsewhere(t, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	assert_int_equal(writers_waiting(s), test_writers_waiting(0));
	assert_int_equal(lock_elsewhere(t, LOCK_SH | LOCK_NB), 0);

	writer = call_elsewhere(t, 's', &wc);
	assert_int_equal(test_child_waits(&wc, s), 1);
	assert_int_equal(writers_waiting(s), test_writers_waiting(1));
	assert_int_equal(share_stat(s, &info), 0);
	assert_int_equal(info.writers_waiting, test_writers_waiting(1));
	assert_int_equal(lock_elsewhere(t, LOCK_SH | LOCK_NB), new_reader_behind_writer());
	reader = call_elsewhere(t, 'f', &rc);
	/* Elsewhere the fetch returns at once the value before the store:
	 * it takes no lock, or its shared lock joins ours. */
	if (queued)
		await_queued_reader(s);
	else
		assert_int_equal(test_recv(&rc), 'b');
	test_assert_locks(s, 1, 0);

	assert_int_equal(share_unlock(s), 0);
	assert_int_equal(test_recv(&wc), 'd');
	assert_int_equal(test_wait(writer), 0);
	if (queued)
		assert_int_equal(test_recv(&rc), 'c');	/* "child": after the store */
	assert_int_equal(test_wait(reader), 0);
	assert_int_equal(writers_waiting(s), test_writers_waiting(0));
	test_assert_locks(s, 0, 0);
}

/*
 * A process that holds LOCK_SH takes it again through a second handle
 * without queueing: the waiting writer waits for the first handle, and
 * the second, queued, would wait for ever. Other processes still queue.
 */
static void test_second_handle_does_not_queue_behind_writer(void **state)
{
	struct target *t = *state;
	share_t *s = t->s, *second = test_open(t->key, 0, 0);
	struct test_chan c, rc;
	pid_t writer, reader;

	assert_int_equal(share_lock(s, LOCK_SH), 0);
	writer = call_elsewhere(t, 's', &c);
	assert_int_equal(test_child_waits(&c, s), 1);
	assert_int_equal(writers_waiting(s), test_writers_waiting(1));
	assert_int_equal(lock_elsewhere(t, LOCK_SH | LOCK_NB), new_reader_behind_writer());
	assert_int_equal(share_lock(second, LOCK_SH | LOCK_NB), 0);
	assert_int_equal(share_unlock(second), 0);
	test_assert_value(second, "before");	/* a blocking LOCK_SH */
	assert_int_equal(share_unlock(s), 0);
	assert_int_equal(test_recv(&c), 'd');
	assert_int_equal(test_wait(writer), 0);
	/* Holding nothing any more, the process queues again. */
	reader = hold_elsewhere(t, LOCK_SH, &rc);
	writer = call_elsewhere(t, 's', &c);
	assert_int_equal(test_child_waits(&c, s), 1);
	if (new_reader_behind_writer()) {
		assert_fails(share_lock(second, LOCK_SH | LOCK_NB), -1, EWOULDBLOCK);
	} else {
		assert_int_equal(share_lock(second, LOCK_SH | LOCK_NB), 0);
		assert_int_equal(share_unlock(second), 0);
	}
	release_elsewhere(reader, &rc);
	assert_int_equal(test_recv(&c), 'd');
	assert_int_equal(test_wait(writer), 0);
	assert_int_equal(test_close(second), 0);
}

static void on_signal(int sig)
{
	(void)sig;
}

/*
 * A writer whose wait a signal ends gets EINTR and no longer counts as
 * waiting; one whose share is removed while it waits gets EIDRM, and so
 * does a reader queued behind it, where the format queues readers behind
 * writers (elsewhere the reader gets its lock at once).
 */
static void test_waiting_writer_interrupted_or_removed(void **state)
{
	struct target *t = *state;
	share_t *s = t->s;
	struct test_chan c, rc;
	pid_t pid, reader;

	assert_int_equal(share_lock(s, LOCK_SH), 0);
	pid = test_fork(&c);
	if (pid == 0) {
		struct sigaction sa;
		struct share_info info;
		share_t *h = child_handle(t);

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;	/* no SA_RESTART */
		child_check(sigaction(SIGUSR1, &sa, NULL) == 0);
		child_check(share_lock(h, LOCK_EX) == -1 && errno == EINTR);
		child_check(share_stat(h, &info) == 0 && info.writers_waiting == test_writers_waiting(0));
		child_check(share_lock(h, LOCK_SH | LOCK_NB) == 0);	/* holds nothing */
		child_check(share_close(h) == 0);
		child_check(test_send(&c, 'i') == 0);
		_exit(0);
	}
	assert_int_equal(test_child_waits(&c, s), 1);
	assert_int_equal(kill(pid, SIGUSR1), 0);
	assert_int_equal(test_recv(&c), 'i');
	assert_int_equal(test_wait(pid), 0);
	assert_int_equal(writers_waiting(s), test_writers_waiting(0));
	test_assert_locks(s, 1, 0);

	pid = call_elsewhere(t, 's', &c);
	assert_int_equal(test_child_waits(&c, s), 1);
	reader = test_fork(&rc);
	if (reader == 0) {
		share_t *h = child_handle(t);

		child_check(test_send(&rc, 'r') == 0);
		if (new_reader_behind_writer())
			child_check(share_lock(h, LOCK_SH) == -1 && errno == EIDRM);
		else
			child_check(share_lock(h, LOCK_SH) == 0 && test_send(&rc, 'l') == 0);
		child_check(test_send(&rc, 'e') == 0);
		_exit(0);
	}
	assert_int_equal(test_recv(&rc), 'r');
	if (new_reader_behind_writer())
		await_queued_reader(s);
	else
		assert_int_equal(test_recv(&rc), 'l');
	/* As ipcrm(1) would: share_remove() would let the writer in first. */
	test_remove_key(t->key);
	assert_int_equal(test_recv(&rc), 'e');
	assert_int_equal(test_wait(reader), 0);
	assert_int_equal(test_wait(pid), 1);	/* its store failed: EIDRM */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		test_case(test_flock_values),
		test_case(test_lock_transitions),
		test_case(test_unlock_is_lock_un),
		share_case(test_exclusive_excludes_others),
		share_case(test_shared_locks_coexist),
		share_case(test_exclusive_blocks_store_and_fetch),
		share_case(test_shared_blocks_store),
		share_case(test_downgrade_is_atomic),
		share_case(test_nonblocking_upgrade_keeps_shared),
		share_case(test_blocking_upgrade_waits),
		share_case(test_calls_keep_held_lock),
		share_case(test_dead_holder_releases),
		share_case(test_two_handles_exclude_each_other),
		share_case(test_close_releases_lock),
		share_case(test_exit_after_unlock_keeps_others_lock),
		share_case(test_fork_hands_no_lock),
		share_case(test_waiting_writer_goes_before_new_readers),
		share_case(test_second_handle_does_not_queue_behind_writer),
		share_case(test_waiting_writer_interrupted_or_removed),
	};

	return test_run(tests);
}
