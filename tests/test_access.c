/*
 * Who may do what: another user against the permission bits of a share.
 * The other user is a child that became nobody, so these tests need root;
 * without it they are skipped, as nothing else can play a second user.
 */
#include <grp.h>
#include "testutil.h"

#define NOBODY 65534

static void need_root(void)
{
	if (geteuid() != 0)
		skip();
}

/* A child that runs as nobody from here on. */
static pid_t fork_nobody(struct test_chan *c)
{
	pid_t pid = test_fork(c);

	if (pid == 0) {
		child_check(setgroups(0, NULL) == 0);
		child_check(setgid(NOBODY) == 0);
		child_check(setuid(NOBODY) == 0);
	}
	return pid;
}

static share_t *share_with_mode(int mode)
{
	share_t *s = test_open(test_use_key(1), 0, IPC_CREAT | IPC_EXCL | mode);

	assert_int_equal(share_store(s, "owner's", 7), 0);
	return s;
}

/* Nobody's share_new() on s is refused with EACCES; then s is closed. */
static void assert_nobody_refused(share_t *s)
{
	key_t key = share_key(s);
	pid_t pid = fork_nobody(NULL);

	if (pid == 0) {
		errno = 0;
		child_check(share_new(key, 0, 0) == NULL && errno == EACCES);
		errno = 0;
		child_check(share_new(key, 0, IPC_CREAT) == NULL && errno == EACCES);
		_exit(0);
	}
	assert_int_equal(test_wait(pid), 0);
	/* Refused, it changed nothing and holds nothing. */
	test_assert_value(s, "owner's");
	test_assert_locks(s, 0, 0);
	assert_int_equal(share_version(s), 2);
	assert_int_equal(test_close(s), 0);
	test_remove_key(key);
}

static void test_other_user_without_permission(void **unused)
{
	(void)unused;
	static const int modes[] = { 0600, 0640, 0604, 0644 };

	need_root();
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		assert_nobody_refused(share_with_mode(modes[i]));
}

/* Set the permission bits of a semaphore set or a segment. */
static void set_sem_mode(int semid, int mode)
{
	struct semid_ds ds;

	assert_int_equal(semctl(semid, 0, IPC_STAT, &ds), 0);
	ds.sem_perm.mode = (unsigned short)mode;
	assert_int_equal(semctl(semid, 0, IPC_SET, &ds), 0);
}

static void set_shm_mode(int shmid, int mode)
{
	struct shmid_ds ds;

	assert_int_equal(shmctl(shmid, IPC_STAT, &ds), 0);
	ds.shm_perm.mode = (unsigned short)mode;
	assert_int_equal(shmctl(shmid, IPC_SET, &ds), 0);
}

/*
 * Opening needs read and write permission on both the semaphore set (every
 * lock writes to it) and the head segment (attached read-write): read-only
 * permission on either one is refused, even on an initialised share, which
 * is attached without taking the lock.
 */
static void test_read_only_object_refused(void **unused)
{
	(void)unused;
	static const struct {
		int sem_mode, shm_mode;
	} modes[] = { { 0644, 0666 }, { 0666, 0644 } };

	need_root();
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		share_t *s = share_with_mode(0666);

		set_sem_mode(test_semid(s), modes[i].sem_mode);
		set_shm_mode(test_shmid(s), modes[i].shm_mode);
		assert_nobody_refused(s);
	}
}

/* The owner takes the permission away from a user who has the share open. */
static void test_permission_taken_away(void **unused)
{
	(void)unused;
	share_t *s;
	struct test_chan c;
	struct semid_ds sds;
	pid_t pid;

	need_root();
	s = share_with_mode(0666);
	pid = fork_nobody(&c);
	if (pid == 0) {
		share_t *o = share_new(share_key(s), 0, 0);
		struct share_info info;
		void *data = NULL;

		child_check(o != NULL);
		child_check(test_send(&c, 'o') == 0);
		child_check(test_recv(&c) == 't');
		errno = 0;
		child_check(share_version(o) == 0 && errno == EACCES);
		errno = 0;
		child_check(share_lock(o, LOCK_SH) == -1 && errno == EACCES);
		errno = 0;
		child_check(share_fetch(o, &data) == -1 && errno == EACCES);
		errno = 0;
		child_check(share_store(o, "x", 1) == -1 && errno == EACCES);
		errno = 0;
		child_check(share_stat(o, &info) == -1 && errno == EACCES);
		child_check(share_close(o) == 0);
		_exit(0);
	}
	assert_int_equal(test_recv(&c), 'o');
	assert_int_equal(semctl(test_semid(s), 0, IPC_STAT, &sds), 0);
	sds.sem_perm.mode = 0600;
	assert_int_equal(semctl(test_semid(s), 0, IPC_SET, &sds), 0);
	assert_int_equal(test_send(&c, 't'), 0);
	assert_int_equal(test_wait(pid), 0);
	test_assert_value(s, "owner's");
	test_assert_locks(s, 0, 0);
	assert_int_equal(test_close(s), 0);
}

/* With 0666, another user reads and writes, but may not remove. */
static void test_other_user_may_not_remove(void **unused)
{
	(void)unused;
	share_t *s;
	pid_t pid;

	need_root();
	s = share_with_mode(0666);
	pid = fork_nobody(NULL);
	if (pid == 0) {
		share_t *o = share_new(share_key(s), 0, 0);
		void *data = NULL;

		child_check(o != NULL);
		child_check(share_fetch(o, &data) == 7 && memcmp(data, "owner's", 7) == 0);
		free(data);
		child_check(share_store(o, "nobody's", 8) == 0);
		errno = 0;
		child_check(share_remove(o) == -1 && errno == EPERM);
		share_set_destroy(o, 1);
		child_check(share_close(o) == -1 && errno == EPERM);
		_exit(0);
	}
	assert_int_equal(test_wait(pid), 0);
	/* The share stays, whole, and unlocked. */
	test_assert_value(s, "nobody's");
	test_assert_locks(s, 0, 0);
	assert_int_equal(share_version(s), 3);
	assert_int_equal(test_close(s), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		test_case(test_other_user_without_permission),
		test_case(test_read_only_object_refused),
		test_case(test_permission_taken_away),
		test_case(test_other_user_may_not_remove),
	};

	return test_run(tests);
}
