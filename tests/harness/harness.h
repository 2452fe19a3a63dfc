/*
 * harness.h - what every test program shares, built once into
 * tests/libtestharness.a: cmocka, keys that collide with nobody, children
 * that never outlive their test, a teardown that removes every share a
 * test made even when an assertion failed, and an oracle that says, for the
 * memory format under test, whether a share is gone and which locks it has.
 *
 * A test that registers what it makes (test_use_key, test_open,
 * test_private, test_fork) and runs under test_case() needs no cleanup code
 * of its own. Children never call cmocka's assertions (a failure would run
 * the rest of the suite inside the child): they use child_check() and exit.
 *
 * Format-neutral tests use this header alone. Tests that reach into one
 * format's objects include that format's header as well (ipcsl.h).
 */
#ifndef SHARELITE_HARNESS_H
#define SHARELITE_HARNESS_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "sharelite.h"

#ifdef __cplusplus
extern "C" {		/* cmocka 1.1's header does not say so itself */
#endif
#include <cmocka.h>

/*
 * Where a share lives in the system, as share_stat() reports it while a
 * handle is open: enough for the format's oracle to find it again once the
 * handle is closed. Only the oracle reads shmid and semid.
 */
struct test_ids {
	key_t key;
	int shmid;
	int semid;
};

/*
 * A memory format as the tests see it: how to make a share in it, and an
 * oracle that answers from the system's own objects, never through the
 * library, so that it can tell when the library is wrong.
 */
struct test_format {
	const char *name;
	/* A handle on a share in this format: share_new()'s arguments. */
	share_t *(*open)(key_t key, size_t segment_size, int flags);
	/* Whether nothing is left of the share on key. */
	int (*key_gone)(key_t key);
	/* Whether nothing is left of the share these ids name. */
	int (*gone)(const struct test_ids *ids);
	/* Remove what is on key, or what the ids name: directly, never
	 * waiting for a lock, not even one a leaked handle still holds. */
	void (*remove_key)(key_t key);
	void (*remove)(const struct test_ids *ids);
	/* The shared and exclusive locks held on the share, or -1. */
	int (*locks)(const struct test_ids *ids, int *readers, int *writer);
	/* How many processes are asleep waiting for the share's locks. */
	int (*waiters)(const struct test_ids *ids);
	/* Remove every object that this process created and left. */
	void (*sweep)(void);
	/* Whether share_view() shows a value of this length where it lies,
	 * in a share of segments of segment_size bytes, rather than a copy. */
	int (*views_in_place)(size_t length, size_t segment_size);

	/* What the format promises, for the cases where formats differ. */
	/* Flags its open adds to share_new()'s, as share_flags() reports. */
	int flags;
	/* The segment size of a share created with this size (not 0). */
	size_t (*segment_size)(key_t key, size_t asked);
	/* share_num_segments() once length bytes are stored on a share of
	 * segment_size, when the value stored before was previous bytes. */
	int (*segments)(key_t key, size_t segment_size, size_t length, size_t previous);
	/* Whether a fetch by a handle that holds no lock waits while
	 * another holds LOCK_EX (0: it returns the last stored value). */
	int fetch_waits_for_writer;
	/* Whether processes waiting for LOCK_EX hold off new shared locks
	 * (sharelite(7), "Fairness"). */
	int writers_queue;
	/* Whether share_stat() counts them (writers_waiting; else -1). */
	int counts_waiting_writers;
};

extern const struct test_format test_format_ipcsl;
extern const struct test_format test_format_native;

/*
 * The format under test: SHARELITE_TEST_FORMAT names it (ipcsl, the
 * default, or native). A name no format has ends the program with exit
 * status 99.
 */
const struct test_format *test_format(void);

/* Keys */

/*
 * A key for this test program's n-th share: the pid in the middle bits, so
 * programs running at once never meet, and a 0x5 on top that says "test".
 */
key_t test_key(unsigned n);
/* test_key(n), free of leftovers and removed by the teardown. */
key_t test_use_key(unsigned n);
/* Remove whatever is left on key now, directly (the format's remove_key). */
void test_remove_key(key_t key);

/* Shares */

/* share_new() in the format under test that must work; registered. */
share_t *test_open(key_t key, size_t segment_size, int flags);
/* A new IPC_PRIVATE share with its destroy flag set; registered. */
share_t *test_private(size_t segment_size);
/* Register a share made otherwise, for the teardown to remove. */
void test_adopt(share_t *s);
/* Register what the ids name (a share no handle of ours is open on). */
void test_adopt_ids(const struct test_ids *ids);
/* share_close() of a registered handle; its result. */
int test_close(share_t *s);

/* The oracle */

/* share_stat(), which must work. */
struct share_info test_info(share_t *s);
/* Where the share lives (share_stat() must work). */
struct test_ids test_ids(share_t *s);
/* Whether nothing of the share is left: by ids, by key. */
int test_share_gone(const struct test_ids *ids);
int test_key_gone(key_t key);
/* The locks held now, as share_stat() reports them and the system has them. */
void test_assert_locks(share_t *s, int readers, int writer);
/* Processes asleep waiting for the share's locks. */
int test_waiters(share_t *s);
/* The format's promises (struct test_format): share_segment_size() of a
 * share created asking for `asked` bytes; share_num_segments() after a
 * store of length bytes on s, the value before being previous bytes. */
size_t test_segment_size(key_t key, size_t asked);
int test_segments(share_t *s, size_t length, size_t previous);
/* share_stat()'s writers_waiting while n processes wait for LOCK_EX. */
int test_writers_waiting(int n);

/* Checks */

/* The call must fail with -1 (or NULL, or 0) and this errno. */
#define assert_fails(call, bad, err)						\
	do {									\
		errno = 0;							\
		assert_true((call) == (bad));					\
		assert_int_equal(errno, (err));					\
	} while (0)

/* Every call on a handle whose share was removed fails with EIDRM. */
void test_assert_removed(share_t *s);
/* Fetch a value that must be there, as a NUL-terminated string to free(). */
char *test_fetch(share_t *s);
/* Whether the share holds exactly this string. */
void test_assert_value(share_t *s, const char *want);
/* Whether the share holds exactly these n bytes (fetched NUL-terminated). */
void test_assert_fetches(share_t *s, const void *want, size_t n);

/*
 * Bytes that differ from offset to offset and from seed to seed, with no
 * short period: a chunk copied to another offset, even one a power of two
 * away, does not match.
 */
void test_fill(unsigned char *buf, size_t n, unsigned seed);

/*
 * A self-checking value: its length and bytes follow from its first four,
 * its seed, so that a reader can tell a whole value from a torn one.
 */
size_t test_value_length(uint32_t seed, size_t max);
void test_value_fill(unsigned char *buf, uint32_t seed, size_t length);
/* Whether buf holds a whole value test_value_fill() wrote (max as given). */
int test_value_ok(const unsigned char *buf, size_t length, size_t max);

/* Children */

/* A failed check in a child: say where, and exit 1 for the parent to see. */
void test_child_failed(const char *file, int line, const char *what);

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

int test_send(const struct test_chan *c, char msg);
/* The next byte, or -1 at EOF (the other side is gone). */
int test_recv(const struct test_chan *c);

/*
 * fork() for a test: the child is killed if the test program dies, and by
 * the teardown if the test did not reap it. With a channel (c not NULL),
 * each side gets its ends of two new pipes. test_fork_by() makes the child
 * with another call that forks, such as _Fork(). The test may reap the
 * child with test_wait() or with waitpid().
 */
pid_t test_fork_by(pid_t (*forker)(void), struct test_chan *c);
pid_t test_fork(struct test_chan *c);
/* Reap a child; its exit status, or -1 if it did not exit (killed). */
int test_wait(pid_t pid);

/*
 * Whether the child on c is asleep waiting for the share's locks (1) or
 * has said something, or died, without ever sleeping there (0). Both
 * answers come from facts, the oracle's count of sleepers and the pipe,
 * never from how long anything took.
 */
int test_child_waits(const struct test_chan *c, share_t *s);

/* Running tests */

/*
 * Put this process in an IPC namespace of its own, so that the system's
 * counts of IPC objects are this test's alone, whatever else runs. Root
 * gets one directly; another user through a user namespace of its own,
 * where the kernel allows that. -1 (with errno) where neither works.
 */
int test_private_ipc(void);

/*
 * A test that has not finished after this long is stuck (a lock that is never
 * given back): it fails instead of hanging make check. No test waits for
 * time to pass, so only a hang comes near it, even under valgrind.
 */
#define TEST_WATCHDOG_SECONDS 600

/* The watchdog on; SIGPIPE off (a dead child's pipe gives EPIPE). */
int test_setup(void **state);
/* Kill the children, then remove every share and key the test made. */
int test_teardown(void **state);
/*
 * test_teardown(), then also what is under test_key(0) to test_key(15) and
 * every object this process created: for tests whose failures can leave
 * objects that nothing registered (killed writers, scribbled chains).
 */
int test_teardown_sweep(void **state);

/* A test with the watchdog and the teardown. */
#define test_case(f) cmocka_unit_test_setup_teardown(f, test_setup, test_teardown)
#define test_case_sweep(f) \
	cmocka_unit_test_setup_teardown(f, test_setup, test_teardown_sweep)

/* Run a program's tests, after checking the format is one we know. */
#define test_run(tests) (test_format(), cmocka_run_group_tests(tests, NULL, NULL))

#ifdef __cplusplus
}
#endif

#endif /* SHARELITE_HARNESS_H */
