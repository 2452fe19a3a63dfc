/*
 * A child holds none of its parent's locks, however it was forked: fork(),
 * _Fork(), which runs no pthread_atfork() handler, or the bare system call.
 * The parent here is single-threaded, so each child may call the library.
 *
 * Built a second time with the library's sources and NO_WIPEONFORK, where
 * madvise(MADV_WIPEONFORK) fails as on kernels before 4.14, so that the
 * library falls back to getpid().
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/syscall.h>

#include "ipcsl.h"

#ifdef NO_WIPEONFORK
int __real_madvise(void *addr, size_t length, int advice);
int __wrap_madvise(void *addr, size_t length, int advice);
static int wipeonfork_refused;

int __wrap_madvise(void *addr, size_t length, int advice)
{
	if (advice == MADV_WIPEONFORK) {
		wipeonfork_refused++;
		errno = EINVAL;
		return -1;
	}
	return __real_madvise(addr, length, advice);
}
#endif

static pid_t fork_by_libc(void)
{
	return fork();
}

static pid_t fork_by_underscore(void)
{
	return _Fork();
}

#ifdef SYS_fork
static pid_t fork_by_syscall(void)
{
	return (pid_t)syscall(SYS_fork);
}
#endif

/* clone() as fork(): a new process, SIGCHLD at its exit, nothing shared. */
static pid_t fork_by_clone(void)
{
	return (pid_t)syscall(SYS_clone, (unsigned long)SIGCHLD, 0UL, 0UL, 0UL, 0UL);
}

static const struct {
	const char *name;
	pid_t (*fork)(void);
} forkers[] = {
	{ "fork()", fork_by_libc },
	{ "_Fork()", fork_by_underscore },
#ifdef SYS_fork
	{ "syscall(SYS_fork)", fork_by_syscall },
#endif
	{ "syscall(SYS_clone, SIGCHLD)", fork_by_clone },
};

enum child_act { CHILD_UNLOCKS, CHILD_CLOSES };

/* Whether a third process, forked by fork(), gets LOCK_EX|LOCK_NB: its errno. */
static int exclusive_elsewhere(share_t *s)
{
	pid_t pid = test_fork(NULL);

	if (pid == 0) {
		if (share_lock(s, LOCK_EX | LOCK_NB) == 0)
			_exit(0);
		_exit(errno == EWOULDBLOCK ? 1 : 2);
	}
	switch (test_wait(pid)) {
	case 0:
		return 0;
	case 1:
		return EWOULDBLOCK;
	default:
		return -1;
	}
}

/*
 * The parent holds `lock`; a child made by `forker` tries to take the
 * exclusive lock without waiting, then unlocks or closes its copy of the
 * handle, and stays alive: a process's SEM_UNDO adjustments are undone when
 * it exits, so only while it lives would a lock it gave back show.
 */
static void child_keeps_parents_lock(share_t *s, int forker, int lock, enum child_act act)
{
	struct test_chan c;
	pid_t pid;

	print_message("%s child, parent holds %s, child %s\n", forkers[forker].name,
		      lock == LOCK_EX ? "LOCK_EX" : "LOCK_SH",
		      act == CHILD_UNLOCKS ? "unlocks" : "closes");
	assert_int_equal(share_lock(s, lock), 0);
	pid = test_fork_by(forkers[forker].fork, &c);
	if (pid == 0) {
		child_check(share_lock(s, LOCK_EX | LOCK_NB) == -1 && errno == EWOULDBLOCK);
		if (act == CHILD_UNLOCKS) {
			child_check(share_unlock(s) == 0);
			child_check(share_lock(s, LOCK_UN | LOCK_NB) == 0);
		} else {
			child_check(share_close(s) == 0);
		}
		child_check(test_send(&c, 'd') == 0);
		test_recv(&c);	/* until the parent has looked */
		_exit(0);
	}
	assert_int_equal(test_recv(&c), 'd');
	test_assert_locks(s, lock == LOCK_SH, lock == LOCK_EX);
	assert_int_equal(exclusive_elsewhere(s), EWOULDBLOCK);
	assert_int_equal(test_send(&c, 'x'), 0);
	assert_int_equal(test_wait(pid), 0);
	/* Still the parent's to give back. */
	test_assert_locks(s, lock == LOCK_SH, lock == LOCK_EX);
	assert_int_equal(share_unlock(s), 0);
	test_assert_locks(s, 0, 0);
	assert_int_equal(exclusive_elsewhere(s), 0);
}

static void test_child_never_releases_parents_lock(void **unused)
{
	static const int locks[] = { LOCK_EX, LOCK_SH };
	share_t *s = test_open(test_use_key(0), 0, IPC_CREAT | IPC_EXCL);

	(void)unused;
	for (size_t f = 0; f < sizeof(forkers) / sizeof(forkers[0]); f++)
		for (int l = 0; l < 2; l++) {
			child_keeps_parents_lock(s, (int)f, locks[l], CHILD_UNLOCKS);
			child_keeps_parents_lock(s, (int)f, locks[l], CHILD_CLOSES);
		}
	assert_int_equal(test_close(s), 0);
#ifdef NO_WIPEONFORK
	assert_int_equal(wipeonfork_refused, 1);	/* the fallback was tested */
#endif
}

/*
 * The destroy flag and share_clean_up() act in the process that opened the
 * share, never in a child, however it was forked.
 */
static void test_child_never_removes_parents_share(void **unused)
{
	share_t *s = test_open(test_use_key(1), 0, IPC_CREAT | IPC_EXCL);
	struct share_info info;

	(void)unused;
	share_set_destroy(s, 1);
	assert_int_equal(share_stat(s, &info), 0);
	for (size_t f = 0; f < sizeof(forkers) / sizeof(forkers[0]); f++) {
		pid_t pid = test_fork_by(forkers[f].fork, NULL);

		if (pid == 0) {
			child_check(share_clean_up() == 0);
			child_check(share_clean_up_all() == 0);
			child_check(share_close(s) == 0);
			_exit(0);
		}
		assert_int_equal(test_wait(pid), 0);
		assert_false(test_shm_gone(info.shmid));
		assert_false(test_sem_gone(info.semid));
	}
	assert_int_equal(test_close(s), 0);
	assert_true(test_key_gone(test_key(1)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		test_case(test_child_never_releases_parents_lock),
		test_case(test_child_never_removes_parents_share),
	};

	return test_run(tests);
}
