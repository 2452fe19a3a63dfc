/*
 * The native format's writer queue (sharelite(7), "Fairness"), seen in
 * its own objects: on a keyed share a waiting writer claims the writer
 * semaphore before the readers have gone, and on a private one it waits
 * in an entry of the head's lock table. Readers taking turns cannot
 * starve it, a claimer killed or timed out lets the readers in again, and
 * a process's count of its own shared locks, stale, never puts a reader
 * beside a writer. The neutral half is tests/test_locks.c.
 */
#include <poll.h>
#include <sys/sem.h>

#include "ipcsl.h"		/* test_semid() */
#include "native/head.h"	/* the lock table's layout */

enum { SEM_READERS, SEM_WRITER };	/* a keyed native share's set */

/* Long enough for a reader to go to sleep behind the writer first. */
#define CLAIM_TIMEOUT_MS 1000

/* A keyed share (its children open their own handles), or a private one
 * (they use the handle they inherit). */
static share_t *open_share(int keyed, unsigned n)
{
	if (keyed)
		return test_open(test_use_key(n), 0, IPC_CREAT | IPC_EXCL);
	return test_private(0);
}

static share_t *child_handle(share_t *s)
{
	share_t *h = share_key(s) == IPC_PRIVATE ? s : share_new(share_key(s), 0, 0);

	child_check(h != NULL);
	return h;
}

/* A semaphore of a keyed share's set, from the kernel. */
static int sem_value(share_t *s, int num)
{
	return semctl(test_semid(s), num, GETVAL);
}

/* Live entries of any kind in a private share's lock table, holders and
 * waiting writers alike, read from the head. */
static int table_entries(share_t *s)
{
	struct test_ids ids = test_ids(s);
	const unsigned char *head = shmat(ids.shmid, NULL, SHM_RDONLY);
	const struct native_proclock *t;
	int n = 0;

	assert_true(head != (void *)-1);
	t = (const struct native_proclock *)(const void *)(head + NATIVE_DATA_OFFSET);
	for (int i = 0; i < NATIVE_HOLDERS; i++)
		n += __atomic_load_n(&t->holder[i].pid, __ATOMIC_RELAXED) != 0;
	shmdt(head);
	return n;
}

/*
 * Until n processes sleep waiting for the share's locks (1), or the child
 * on c has said something (0, the message left unread). A private share's
 * waiters wake now and then to look again: they are all asleep at once
 * soon enough. The watchdog ends a hang.
 */
static int await_sleepers(share_t *s, int n, const struct test_chan *c)
{
	for (;;) {
		struct pollfd p = { .fd = c ? c->rd : -1, .events = POLLIN };

		if (test_waiters(s) >= n)
			return 1;
		if (poll(&p, 1, 5) > 0)
			return 0;
	}
}

/* The result of another process's LOCK_NB request: 0 or its errno. */
static int lock_elsewhere(share_t *s, int operation)
{
	struct test_chan c;
	pid_t pid = test_fork(&c);

	if (pid == 0) {
		share_t *h = child_handle(s);
		int rc = share_lock(h, operation);

		child_check(test_send(&c, (char)(rc == 0 ? 0 : errno)) == 0);
		child_check(share_unlock(h) == 0);
		_exit(0);
	}
	int err = test_recv(&c);

	assert_int_equal(test_wait(pid), 0);
	return err;
}

/*
 * A reader that takes LOCK_SH on 's' ('L' once it holds it) and releases
 * it on 'u' ('U'), until told 'q' (a sibling forked later holds our end
 * of its pipe too: no EOF) or its parent is gone.
 */
static pid_t start_reader(share_t *s, struct test_chan *c)
{
	pid_t pid = test_fork(c);

	if (pid == 0) {
		share_t *h = child_handle(s);

		for (int cmd; (cmd = test_recv(c)) > 0 && cmd != 'q';) {
			if (cmd == 's')
				child_check(share_lock(h, LOCK_SH) == 0 && test_send(c, 'L') == 0);
			else
				child_check(share_unlock(h) == 0 && test_send(c, 'U') == 0);
		}
		_exit(0);
	}
	return pid;
}

/* A writer that stores "writer" under LOCK_EX, waiting at most timeout_ms
 * (-1: no limit), and says 'X' once done or 't' if its wait timed out. */
static pid_t start_writer(share_t *s, int timeout_ms, struct test_chan *c)
{
	pid_t pid = test_fork(c);

	if (pid == 0) {
		share_t *h = child_handle(s);

		share_set_timeout(h, timeout_ms);
		if (share_lock(h, LOCK_EX) < 0) {
			child_check(errno == ETIMEDOUT);
			child_check(test_send(c, 't') == 0);
			_exit(0);
		}
		child_check(share_store(h, "writer", 6) == 0);
		child_check(share_unlock(h) == 0);
		child_check(test_send(c, 'X') == 0);
		_exit(0);
	}
	return pid;
}

static void stop_reader(pid_t pid, struct test_chan *c)
{
	assert_int_equal(test_send(c, 'q'), 0);
	assert_int_equal(test_wait(pid), 0);
}

/*
 * Two readers take turns so that one always holds LOCK_SH: the next takes
 * it before the other lets go. A writer that waits meanwhile gets the lock
 * in the first turn: the next reader queues behind it. Without the queue
 * the readers would keep it out for as long as they went on.
 */
static void readers_take_turns(share_t *s)
{
	enum { TURNS = 6 };
	struct test_chan rc[2], wc;
	pid_t reader[2], writer;

	assert_int_equal(share_store(s, "before", 6), 0);
	for (int i = 0; i < 2; i++)
		reader[i] = start_reader(s, &rc[i]);
	assert_int_equal(test_send(&rc[0], 's'), 0);
	assert_int_equal(test_recv(&rc[0]), 'L');
	writer = start_writer(s, -1, &wc);
	assert_int_equal(await_sleepers(s, 1, &wc), 1);
	for (int turn = 0; turn < TURNS; turn++) {
		struct test_chan *next = &rc[(turn + 1) % 2], *cur = &rc[turn % 2];

		/* The next reader holds LOCK_SH, or sleeps behind the
		 * writer, before the current one lets go. */
		assert_int_equal(test_send(next, 's'), 0);
		await_sleepers(s, 2, next);
		assert_int_equal(test_send(cur, 'u'), 0);
		assert_int_equal(test_recv(cur), 'U');
		assert_int_equal(test_recv(next), 'L');
	}
	/* The writer stored while the readers went on taking turns. */
	test_assert_value(s, "writer");
	assert_int_equal(test_recv(&wc), 'X');
	assert_int_equal(test_wait(writer), 0);
	assert_int_equal(test_send(&rc[TURNS % 2], 'u'), 0);
	assert_int_equal(test_recv(&rc[TURNS % 2]), 'U');
	for (int i = 0; i < 2; i++)
		stop_reader(reader[i], &rc[i]);
	test_assert_locks(s, 0, 0);
}

static void test_turn_taking_readers_keyed(void **unused)
{
	(void)unused;
	readers_take_turns(open_share(1, 1));
}

static void test_turn_taking_readers_private(void **unused)
{
	(void)unused;
	readers_take_turns(open_share(0, 0));
}

/*
 * A writer waiting behind our LOCK_SH, killed with SIGKILL: on a keyed
 * share it had claimed the writer semaphore (CLAIM) and was waiting for
 * the readers (DRAIN), and SEM_UNDO gives the claim back; on a private
 * one its waiting entry is cleared as a dead holder's. Either way new
 * readers get in again.
 */
static void claimer_killed(share_t *s)
{
	int keyed = share_key(s) != IPC_PRIVATE;
	struct test_chan c;
	pid_t writer;

	assert_int_equal(share_lock(s, LOCK_SH), 0);
	writer = start_writer(s, -1, &c);
	assert_int_equal(await_sleepers(s, 1, &c), 1);
	if (keyed) {
		assert_int_equal(sem_value(s, SEM_WRITER), 1);	/* claimed */
		assert_int_equal(sem_value(s, SEM_READERS), 1);
	} else {
		assert_int_equal(table_entries(s), 2);	/* ours and its own */
	}
	test_assert_locks(s, 1, 0);	/* a claim holds nothing */
	assert_int_equal(lock_elsewhere(s, LOCK_SH | LOCK_NB), EWOULDBLOCK);

	assert_int_equal(kill(writer, SIGKILL), 0);
	assert_int_equal(test_wait(writer), -1);
	if (keyed)
		assert_int_equal(sem_value(s, SEM_WRITER), 0);
	assert_int_equal(lock_elsewhere(s, LOCK_SH | LOCK_NB), 0);
	if (!keyed)
		assert_int_equal(table_entries(s), 1);	/* the dead entry cleared */
	test_assert_locks(s, 1, 0);
	test_assert_value(s, "");
	assert_int_equal(share_unlock(s), 0);
	assert_int_equal(lock_elsewhere(s, LOCK_EX | LOCK_NB), 0);
}

static void test_claimer_killed_keyed(void **unused)
{
	(void)unused;
	claimer_killed(open_share(1, 2));
}

static void test_claimer_killed_private(void **unused)
{
	(void)unused;
	claimer_killed(open_share(0, 0));
}

/*
 * A writer whose wait times out gives its claim up: the reader queued
 * behind it gets LOCK_SH beside ours, and nothing of the writer is left.
 */
static void claimer_times_out(share_t *s)
{
	struct test_chan wc, rc;
	pid_t writer, reader;

	assert_int_equal(share_lock(s, LOCK_SH), 0);
	writer = start_writer(s, CLAIM_TIMEOUT_MS, &wc);
	assert_int_equal(await_sleepers(s, 1, &wc), 1);
	reader = start_reader(s, &rc);
	assert_int_equal(test_send(&rc, 's'), 0);
	/* Queued behind the writer, before its timeout. */
	assert_int_equal(await_sleepers(s, 2, &rc), 1);
	assert_int_equal(test_recv(&wc), 't');
	assert_int_equal(test_wait(writer), 0);
	assert_int_equal(test_recv(&rc), 'L');
	test_assert_locks(s, 2, 0);
	if (share_key(s) != IPC_PRIVATE)
		assert_int_equal(sem_value(s, SEM_WRITER), 0);
	else
		assert_int_equal(table_entries(s), 2);	/* the two readers */
	assert_int_equal(test_send(&rc, 'u'), 0);
	assert_int_equal(test_recv(&rc), 'U');
	stop_reader(reader, &rc);
	assert_int_equal(share_unlock(s), 0);
	test_assert_locks(s, 0, 0);
}

static void test_claimer_times_out_keyed(void **unused)
{
	(void)unused;
	claimer_times_out(open_share(1, 3));
}

static void test_claimer_times_out_private(void **unused)
{
	(void)unused;
	claimer_times_out(open_share(0, 0));
}

/*
 * Writers that wait together do not wait for each other: each gets the
 * lock in turn once the reader goes, new readers queue behind them
 * meanwhile, and nothing of their waits is left: on a keyed share one
 * claims and the others wait to claim, on a private one each waits in an
 * entry of the table.
 */
static void waiting_writers(share_t *s)
{
	enum { WRITERS = 3 };
	int keyed = share_key(s) != IPC_PRIVATE;
	struct test_chan c[WRITERS];
	pid_t writer[WRITERS];

	assert_int_equal(share_lock(s, LOCK_SH), 0);
	for (int i = 0; i < WRITERS; i++) {
		writer[i] = start_writer(s, -1, &c[i]);
		assert_int_equal(await_sleepers(s, i + 1, &c[i]), 1);
	}
	if (keyed)
		assert_int_equal(sem_value(s, SEM_WRITER), 1);
	else
		assert_int_equal(table_entries(s), 1 + WRITERS);
	assert_int_equal(lock_elsewhere(s, LOCK_SH | LOCK_NB), EWOULDBLOCK);
	assert_int_equal(share_unlock(s), 0);
	for (int i = 0; i < WRITERS; i++) {
		assert_int_equal(test_recv(&c[i]), 'X');
		assert_int_equal(test_wait(writer[i]), 0);
	}
	if (keyed)
		assert_int_equal(sem_value(s, SEM_WRITER), 0);
	else
		assert_int_equal(table_entries(s), 0);
	test_assert_locks(s, 0, 0);
	test_assert_value(s, "writer");
}

static void test_waiting_writers_keyed(void **unused)
{
	(void)unused;
	waiting_writers(open_share(1, 5));
}

static void test_waiting_writers_private(void **unused)
{
	(void)unused;
	waiting_writers(open_share(0, 0));
}

/*
 * A process whose count of its own shared locks says it holds one when
 * it holds none (here: its reader given back behind the library's back)
 * may try to join the readers, but with no reader there it cannot: it
 * waits for the writer like anyone else.
 */
static void test_stale_count_cannot_join_a_writer(void **unused)
{
	(void)unused;
	share_t *s = open_share(1, 4), *second = test_open(share_key(s), 0, 0);
	struct sembuf give_back = { SEM_READERS, -1, SEM_UNDO | IPC_NOWAIT };
	struct sembuf take_again = { SEM_READERS, 1, SEM_UNDO | IPC_NOWAIT };
	struct test_chan c;
	pid_t writer;

	assert_int_equal(share_lock(s, LOCK_SH), 0);
	assert_int_equal(semop(test_semid(s), &give_back, 1), 0);
	/* A writer gets in: the kernel has no reader. */
	writer = test_fork(&c);
	if (writer == 0) {
		share_t *h = child_handle(s);

		child_check(share_lock(h, LOCK_EX | LOCK_NB) == 0);
		child_check(test_send(&c, 'X') == 0);
		child_check(test_recv(&c) == 'u');
		child_check(share_unlock(h) == 0);
		child_check(test_send(&c, 'U') == 0);
		_exit(0);
	}
	assert_int_equal(test_recv(&c), 'X');
	assert_fails(share_lock(second, LOCK_SH | LOCK_NB), -1, EWOULDBLOCK);
	share_set_timeout(second, 50);
	assert_fails(share_lock(second, LOCK_SH), -1, ETIMEDOUT);
	test_assert_locks(s, 0, 1);
	assert_int_equal(test_send(&c, 'u'), 0);
	assert_int_equal(test_recv(&c), 'U');
	assert_int_equal(test_wait(writer), 0);
	/* Ours back, as the library believes it to be, and let go. */
	assert_int_equal(semop(test_semid(s), &take_again, 1), 0);
	assert_int_equal(share_unlock(s), 0);
	test_assert_locks(s, 0, 0);
	assert_int_equal(test_close(second), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		test_case(test_turn_taking_readers_keyed),
		test_case(test_turn_taking_readers_private),
		test_case(test_claimer_killed_keyed),
		test_case(test_claimer_killed_private),
		test_case(test_claimer_times_out_keyed),
		test_case(test_claimer_times_out_private),
		test_case(test_waiting_writers_keyed),
		test_case(test_waiting_writers_private),
		test_case(test_stale_count_cannot_join_a_writer),
	};

	/* The harness's oracle for this format: test_open() adds SHARE_NATIVE. */
	setenv("SHARELITE_TEST_FORMAT", "native", 1);
	return test_run(tests);
}
