/*
 * testutil.h - what every test program shares: cmocka, keys that collide
 * with nobody, children that never outlive their test, and a teardown that
 * removes every SysV object a test made even when an assertion failed.
 *
 * A test that registers what it makes (test_use_key, test_open, test_private,
 * test_fork) and runs under test_case() needs no cleanup code of its own.
 * Children never call cmocka's assertions (a failure would run the rest of
 * the suite inside the child): they use child_check() and exit.
 */
#ifndef SHARELITE_TESTUTIL_H
#define SHARELITE_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#ifdef __cplusplus
extern "C" {		/* cmocka 1.1's header does not say so itself */
#endif
#include <cmocka.h>
#ifdef __cplusplus
}
#endif

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/prctl.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/wait.h>

#include "sharelite.h"

/* Semaphores of a share's set (sharelite(7)): three in Perl's sets, a
 * fourth, writers waiting, in those libsharelite makes. */
enum { TEST_SEM_INIT, TEST_SEM_READERS, TEST_SEM_WRITER, TEST_SEM_WRITERS_WAITING, TEST_NSEMS };

/*
 * A test that has not finished after this long is stuck (a lock that is never
 * given back): it fails instead of hanging make check. No test waits for
 * time to pass, so only a hang comes near it, even under valgrind.
 */
#ifndef TEST_WATCHDOG_SECONDS
#define TEST_WATCHDOG_SECONDS 600
#endif

/*
 * A key for this test program's n-th share: the pid in the middle bits, so
 * programs running at once never meet, and a 0x5 on top that says "test".
 */
static inline key_t test_key(unsigned n)
{
	return (key_t)(0x50000000u | (((unsigned)getpid() & 0xfffffu) << 8) | (n & 0xffu));
}

/*
 * Remove the segments linked from shmid on: ids read from a segment's
 * header, stopping at one whose size is not the head's (not ours).
 */
static inline void test_remove_chain(int shmid)
{
	struct shmid_ds ds;
	size_t size;

	if (shmctl(shmid, IPC_STAT, &ds) < 0)
		return;
	size = ds.shm_segsz;
	for (int i = 0; shmid >= 0 && i < 1 << 20; i++) {
		void *p;
		int next;

		if (shmctl(shmid, IPC_STAT, &ds) < 0 || ds.shm_segsz != size)
			return;
		p = shmat(shmid, NULL, SHM_RDONLY);
		if (p == (void *)-1)
			return;
		next = *(const int32_t *)p;
		shmdt(p);
		shmctl(shmid, IPC_RMID, NULL);
		shmid = next;
	}
}

/*
 * Remove whatever a test left under its key, even after a failure. The
 * objects are removed directly, not through the library: that never waits,
 * not even for a lock that a leaked handle of this process still holds.
 */
static inline void test_remove_key(key_t key)
{
	int id = semget(key, 0, 0);

	if (id >= 0)
		semctl(id, 0, IPC_RMID);
	id = shmget(key, 0, 0);
	if (id >= 0)
		test_remove_chain(id);
}

/* Number of shm segments and semaphore sets that exist on the system. */
static inline int test_ipc_objects(void)
{
	struct shm_info si;
	struct seminfo se;
	int n = 0;

	if (shmctl(0, SHM_INFO, (struct shmid_ds *)(void *)&si) >= 0)
		n += si.used_ids;
	if (semctl(0, 0, SEM_INFO, &se) >= 0)
		n += se.semusz;
	return n;
}

/* Whether a SysV object with this id is gone from the system. */
static inline int test_shm_gone(int shmid)
{
	struct shmid_ds ds;

	return shmctl(shmid, IPC_STAT, &ds) < 0 && (errno == EINVAL || errno == EIDRM);
}

static inline int test_sem_gone(int semid)
{
	return semctl(semid, 0, GETVAL) < 0 && (errno == EINVAL || errno == EIDRM);
}

/* Whether nothing of the share on this key is left: no segment, no set. */
static inline int test_key_gone(key_t key)
{
	return shmget(key, 0, 0) < 0 && errno == ENOENT &&
	       semget(key, 0, 0) < 0 && errno == ENOENT;
}

/*
 * What a test made, for test_teardown() to remove. A slot is free again
 * once there is nothing left in it to remove: a child reaped, a share
 * closed whose objects are gone.
 */
#define TEST_MAX_MADE 64
static struct {
	key_t keys[TEST_MAX_MADE];
	int nkeys;
	struct {
		int used;
		share_t *s;	/* NULL once test_close()d */
		int shmid;	/* its head and set, -1 once seen gone */
		int semid;
	} shares[TEST_MAX_MADE];
	struct {
		pid_t pid;	/* 0 once reaped */
		int fds[2];	/* this side's ends of its channel, or -1 */
	} children[TEST_MAX_MADE];
} test_made;

#define test_free_slot(array, in_use)						\
	({									\
		int slot_ = 0;							\
		while (slot_ < TEST_MAX_MADE && (in_use(test_made.array[slot_]))) \
			slot_++;						\
		assert_true(slot_ < TEST_MAX_MADE);				\
		slot_;								\
	})
#define test_share_in_use(x)						\
	((x).used && ((x).s || !test_shm_gone((x).shmid) || !test_sem_gone((x).semid)))
#define test_child_in_use(x) ((x).pid > 0)

/* test_key(n), free of leftovers and removed by the teardown. */
static inline key_t test_use_key(unsigned n)
{
	key_t key = test_key(n);

	test_remove_key(key);
	for (int i = 0; i < test_made.nkeys; i++)
		if (test_made.keys[i] == key)
			return key;
	assert_true(test_made.nkeys < TEST_MAX_MADE);
	test_made.keys[test_made.nkeys++] = key;
	return key;
}

/* share_new() that must work; the teardown removes what the test did not. */
static inline share_t *test_open(key_t key, size_t segment_size, int flags)
{
	int slot = test_free_slot(shares, test_share_in_use);
	struct share_info info;
	share_t *s = share_new(key, segment_size, flags);

	if (!s)
		fail_msg("share_new(%#x, %zu, %#o): %s", (unsigned)key, segment_size,
			 (unsigned)flags, strerror(errno));
	test_made.shares[slot].used = 1;
	test_made.shares[slot].s = s;
	test_made.shares[slot].shmid = -1;
	test_made.shares[slot].semid = -1;
	if (share_stat(s, &info) == 0) {
		test_made.shares[slot].shmid = info.shmid;
		test_made.shares[slot].semid = info.semid;
	}
	return s;
}

/* A new IPC_PRIVATE share with its destroy flag set. */
static inline share_t *test_private(size_t segment_size)
{
	share_t *s = test_open(IPC_PRIVATE, segment_size, IPC_CREAT);

	share_set_destroy(s, 1);
	return s;
}

/* share_close() of a handle from test_open(); its result. */
static inline int test_close(share_t *s)
{
	for (int i = 0; i < TEST_MAX_MADE; i++)
		if (test_made.shares[i].used && test_made.shares[i].s == s)
			test_made.shares[i].s = NULL;
	return share_close(s);
}

/* A share's semaphore set and head segment, through share_stat(). */
static inline int test_semid(share_t *s)
{
	struct share_info info;

	assert_int_equal(share_stat(s, &info), 0);
	return info.semid;
}

static inline int test_shmid(share_t *s)
{
	struct share_info info;

	assert_int_equal(share_stat(s, &info), 0);
	return info.shmid;
}

/* Ids of the chain from the head segment on, read from the headers. */
static inline int test_chain_ids(share_t *s, int *ids, int max)
{
	int n = 0;

	for (int id = test_shmid(s); id >= 0; n++) {
		void *p = shmat(id, NULL, SHM_RDONLY);

		assert_true(p != (void *)-1);
		assert_true(n < max);
		ids[n] = id;
		id = *(const int32_t *)p;
		shmdt(p);
	}
	return n;
}

/* The permission bits of a segment, from the kernel. */
static inline int test_shm_mode(int shmid)
{
	struct shmid_ds ds;

	assert_int_equal(shmctl(shmid, IPC_STAT, &ds), 0);
	return (int)(ds.shm_perm.mode & 0777);
}

/* How many shared locks and exclusive locks the share has now. */
static inline void test_assert_locks(share_t *s, int readers, int writer)
{
	struct share_info info;

	assert_int_equal(share_stat(s, &info), 0);
	assert_int_equal(info.readers, readers);
	assert_int_equal(info.writer, writer);
}

/* Processes the kernel has asleep on any semaphore of the set. */
static inline int test_sem_waiters(int semid)
{
	int n = 0;

	for (int i = 0; i < TEST_NSEMS; i++) {	/* -1 past a Perl set's three */
		int z = semctl(semid, i, GETZCNT), w = semctl(semid, i, GETNCNT);

		n += (z > 0 ? z : 0) + (w > 0 ? w : 0);
	}
	return n;
}

/* The call must fail with -1 (or NULL, or 0) and this errno. */
#define assert_fails(call, bad, err)						\
	do {									\
		errno = 0;							\
		assert_true((call) == (bad));					\
		assert_int_equal(errno, (err));					\
	} while (0)

/* Every call on a handle whose share was removed fails with EIDRM. */
static inline void test_assert_removed(share_t *s)
{
	struct share_info info;
	char buf[4];
	void *data = buf;

	assert_fails(share_remove(s), -1, EIDRM);
	assert_fails(share_store(s, "x", 1), -1, EIDRM);
	assert_fails(share_fetch(s, &data), -1, EIDRM);
	assert_null(data);
	assert_fails(share_fetch_into(s, buf, sizeof(buf)), -1, EIDRM);
	assert_fails(share_lock(s, LOCK_SH), -1, EIDRM);
	assert_fails(share_lock(s, LOCK_EX | LOCK_NB), -1, EIDRM);
	assert_fails(share_unlock(s), -1, EIDRM);
	assert_fails(share_version(s), 0u, EIDRM);
	assert_fails(share_num_segments(s), -1, EIDRM);
	assert_fails(share_stat(s, &info), -1, EIDRM);
}

/* Fetch a value that must be there, as a NUL-terminated string to free(). */
static inline char *test_fetch(share_t *s)
{
	void *data = NULL;

	if (share_fetch(s, &data) < 0)
		fail_msg("share_fetch: %s", strerror(errno));
	return (char *)data;
}

/* Whether the share holds exactly this string. */
static inline void test_assert_value(share_t *s, const char *want)
{
	char *got = test_fetch(s);

	assert_string_equal(got, want);
	free(got);
}

/*
 * Bytes that differ from offset to offset and from seed to seed, with no
 * short period: a chunk copied to another offset, even one a power of two
 * away, does not match.
 */
static inline void test_fill(unsigned char *buf, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = (unsigned char)(((uint32_t)i * 2654435761u + seed * 40503u) >> 24);
}

/* A failed check in a child: say where, and exit 1 for the parent to see. */
static inline void test_child_failed(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: in child %d: check failed: %s (errno %d: %s)\n",
		file, line, (int)getpid(), what, errno, strerror(errno));
	_exit(1);
}

#define child_check(cond)							\
	do {									\
		if (!(cond))							\
			test_child_failed(__FILE__, __LINE__, #cond);		\
	} while (0)

/*
 * One byte messages between a parent and one child, over two pipes: rd and
 * wr are this side's ends. A side that dies closes its ends, so the other
 * reads EOF instead of waiting for ever.
 */
struct test_chan {
	int rd, wr;
};

static inline int test_send(const struct test_chan *c, char msg)
{
	return write(c->wr, &msg, 1) == 1 ? 0 : -1;
}

/* The next byte, or -1 at EOF (the other side is gone). */
static inline int test_recv(const struct test_chan *c)
{
	unsigned char msg;
	ssize_t n;

	do
		n = read(c->rd, &msg, 1);
	while (n < 0 && errno == EINTR);
	return n == 1 ? msg : -1;
}

/*
 * fork() for a test: the child is killed if the test program dies, and by
 * the teardown if the test did not reap it. With a channel (c not NULL),
 * each side gets its ends of two new pipes.
 */
static inline pid_t test_fork(struct test_chan *c)
{
	pid_t parent = getpid(), pid;
	int slot = test_free_slot(children, test_child_in_use), up[2], down[2];

	if (c) {
		assert_int_equal(pipe(up), 0);
		assert_int_equal(pipe(down), 0);
	}
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		if (c) {
			close(up[0]);
			close(down[1]);
			c->rd = down[0];
			c->wr = up[1];
		}
		return 0;
	}
	test_made.children[slot].pid = pid;
	test_made.children[slot].fds[0] = -1;
	test_made.children[slot].fds[1] = -1;
	if (c) {
		close(up[1]);
		close(down[0]);
		c->rd = test_made.children[slot].fds[0] = up[0];
		c->wr = test_made.children[slot].fds[1] = down[1];
	}
	return pid;
}

/* Forget a child that is reaped, closing this side of its channel. */
static inline void test_forget_child(int slot)
{
	for (int i = 0; i < 2; i++)
		if (test_made.children[slot].fds[i] >= 0)
			close(test_made.children[slot].fds[i]);
	test_made.children[slot].pid = 0;
}

/* Reap a child; its exit status, or -1 if it did not exit (killed). */
static inline int test_wait(pid_t pid)
{
	int status;
	pid_t got;

	do
		got = waitpid(pid, &status, 0);
	while (got < 0 && errno == EINTR);
	for (int i = 0; i < TEST_MAX_MADE; i++)
		if (test_made.children[i].pid == pid)
			test_forget_child(i);
	if (got != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * Whether the child on c is asleep on the share's semaphores (1) or has
 * said something, or died, without ever sleeping there (0). Both answers
 * come from facts, the kernel's count of sleepers and the pipe, never from
 * how long anything took.
 */
static inline int test_child_waits(const struct test_chan *c, int semid)
{
	for (;;) {
		struct pollfd p;

		p.fd = c->rd;
		p.events = POLLIN;
		p.revents = 0;

		if (test_sem_waiters(semid) > 0)
			return 1;
		if (poll(&p, 1, 5) > 0)
			return 0;
	}
}

static inline void test_watchdog(int sig)
{
	(void)sig;
	fail_msg("still running after %d s: stuck", TEST_WATCHDOG_SECONDS);
}

static inline int test_setup(void **state)
{
	struct sigaction sa;

	(void)state;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = test_watchdog;
	sa.sa_flags = SA_NODEFER;	/* it leaves by longjmp */
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);	/* a dead child's pipe: EPIPE */
	alarm(TEST_WATCHDOG_SECONDS);
	return 0;
}

/* Kill the children, then remove every share and key the test made. */
static inline int test_teardown(void **state)
{
	(void)state;
	alarm(0);
	for (int i = 0; i < TEST_MAX_MADE; i++) {
		if (test_child_in_use(test_made.children[i])) {
			kill(test_made.children[i].pid, SIGKILL);
			waitpid(test_made.children[i].pid, NULL, 0);
			test_forget_child(i);
		}
	}
	for (int i = 0; i < TEST_MAX_MADE; i++) {
		int shmid = test_made.shares[i].shmid, semid = test_made.shares[i].semid;

		if (!test_share_in_use(test_made.shares[i]))
			continue;
		/* Directly, as test_remove_key() does. An id is not reused
		 * until the kernel has handed out 64K others: these are still
		 * the test's. */
		if (semid >= 0 && !test_sem_gone(semid))
			semctl(semid, 0, IPC_RMID);
		if (shmid >= 0 && !test_shm_gone(shmid))
			test_remove_chain(shmid);
		if (test_made.shares[i].s)
			share_close(test_made.shares[i].s);	/* EIDRM: frees it */
	}
	for (int i = 0; i < test_made.nkeys; i++)
		test_remove_key(test_made.keys[i]);
	memset(&test_made, 0, sizeof(test_made));
	return 0;
}

/* A test with the watchdog and the teardown. */
#define test_case(f) cmocka_unit_test_setup_teardown(f, test_setup, test_teardown)

/* Run a program's tests. */
#define test_run(tests) cmocka_run_group_tests(tests, NULL, NULL)

#endif /* SHARELITE_TESTUTIL_H */
