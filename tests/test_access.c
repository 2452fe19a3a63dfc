/*
 * Who may do what: another user against the permission bits of a share,
 * and against a share whose objects are not all its owner's. The other
 * user is a child that became nobody, so most tests need root; without it
 * they are skipped, as nothing else can play a second user.
 */
#include <grp.h>
#include "ipcsl.h"

#define NOBODY 65534

static void need_root(void)
{
	if (geteuid() != 0) {
		print_message("skipped: only root can play a second user\n");
		skip();
	}
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

/* Nothing of a share under the key: no head; the set, if any, untouched. */
static void assert_nothing_made(key_t key, int semid)
{
	assert_fails(shmget(key, 0, 0), -1, ENOENT);
	assert_int_equal(semget(key, 0, 0), semid);
	for (int i = 0; i < TEST_NSEMS; i++)
		assert_int_equal(semctl(semid, i, GETVAL), 0);
}

/*
 * Another user made a set under the key before the share existed, open to
 * all and zeroed, as a new share's: the owner's share on it would be that
 * user's to lock or remove. Refused, leaving nothing made; opted in, it
 * opens, and later openers that do not opt in are refused.
 */
static void test_squatted_set_refused(void **unused)
{
	(void)unused;
	key_t key = test_use_key(2);
	share_t *s;
	pid_t pid;
	int semid;

	need_root();
	pid = test_fork(NULL);
	if (pid == 0) {
		child_check(seteuid(NOBODY) == 0);
		child_check(semget(key, TEST_NSEMS, IPC_CREAT | IPC_EXCL | 0666) >= 0);
		_exit(0);
	}
	assert_int_equal(test_wait(pid), 0);
	semid = semget(key, 0, 0);
	assert_true(semid >= 0);
	assert_fails(share_new(key, 0, IPC_CREAT | 0600), NULL, EPERM);
	assert_nothing_made(key, semid);
	assert_fails(share_new(key, 0, IPC_CREAT | 0666), NULL, EPERM);
	assert_nothing_made(key, semid);

	s = test_open(key, 0, IPC_CREAT | SHARE_ANY_OWNER | 0600);
	assert_int_equal(test_semid(s), semid);
	assert_int_equal(share_flags(s), IPC_CREAT | SHARE_ANY_OWNER | 0600);
	assert_int_equal(share_store(s, "x", 1), 0);
	test_assert_value(s, "x");
	assert_int_equal(test_close(s), 0);
	assert_fails(share_new(key, 0, 0), NULL, EPERM);
	assert_fails(share_new(key, 0, IPC_CREAT), NULL, EPERM);
}

/* One owner, but a set that lets others do more than the head does. */
static void test_set_wider_than_head_refused(void **unused)
{
	(void)unused;
	key_t key = test_use_key(3);
	struct semid_ds sds;
	struct shmid_ds hds;
	share_t *s;
	int semid;

	/* Made before the share: its head would be 0600 on a 0666 set. */
	semid = semget(key, TEST_NSEMS, IPC_CREAT | IPC_EXCL | 0666);
	assert_true(semid >= 0);
	assert_fails(share_new(key, 0, IPC_CREAT | 0600), NULL, EPERM);
	assert_nothing_made(key, semid);
	assert_int_equal(semctl(semid, 0, IPC_RMID), 0);

	/* A share whose set was opened up since it was made. */
	s = test_open(key, 0, IPC_CREAT | 0600);
	semid = test_semid(s);
	assert_int_equal(test_close(s), 0);
	assert_int_equal(semctl(semid, 0, IPC_STAT, &sds), 0);
	sds.sem_perm.mode = 0666;
	assert_int_equal(semctl(semid, 0, IPC_SET, &sds), 0);
	assert_fails(share_new(key, 0, 0), NULL, EPERM);
	s = test_open(key, 0, SHARE_ANY_OWNER);
	assert_int_equal(test_close(s), 0);

	/* Narrower is no danger: a 0600 set under a 0666 head opens. */
	sds.sem_perm.mode = 0600;
	assert_int_equal(semctl(semid, 0, IPC_SET, &sds), 0);
	assert_int_equal(shmctl(shmget(key, 0, 0), IPC_STAT, &hds), 0);
	hds.shm_perm.mode = 0666;
	assert_int_equal(shmctl(shmget(key, 0, 0), IPC_SET, &hds), 0);
	s = test_open(key, 0, 0);
	assert_int_equal(test_close(s), 0);
}

/*
 * A share of nobody's whose second overflow segment root set to mode 0:
 * nobody may not attach it. Every call that needs it fails with
 * EACCES and changes nothing; none takes it for a broken chain and cuts it.
 */
static void test_overflow_segment_not_readable(void **unused)
{
	(void)unused;
	key_t key = test_use_key(4);
	unsigned char value[3 * 48];
	int before[8], after[8], n;
	struct shmid_ds ds;
	struct test_chan c;
	share_t *s;
	pid_t pid;

	need_root();
	test_fill(value, sizeof(value), 3);
	pid = fork_nobody(&c);
	if (pid == 0) {
		share_t *o = share_new(key, 64, IPC_CREAT | IPC_EXCL | 0600);
		struct share_info info;
		void *data = NULL;
		char buf[8];

		child_check(o != NULL);
		child_check(share_store(o, value, sizeof(value)) == 0);
		/* A handle keeps what it mapped: only a new one meets the
		 * segment it may not attach. */
		child_check(share_close(o) == 0);
		child_check(test_send(&c, 's') == 0);
		child_check(test_recv(&c) == 'o');
		o = share_new(key, 0, 0);
		child_check(o != NULL);
		errno = 0;
		child_check(share_fetch(o, &data) == -1 && errno == EACCES && !data);
		errno = 0;
		child_check(share_fetch_into(o, buf, sizeof(buf)) == -1 && errno == EACCES);
		errno = 0;
		child_check(share_store(o, "x", 1) == -1 && errno == EACCES);
		errno = 0;
		child_check(share_store(o, value, sizeof(value) - 1) == -1 && errno == EACCES);
		errno = 0;
		child_check(share_num_segments(o) == -1 && errno == EACCES);
		errno = 0;
		child_check(share_stat(o, &info) == -1 && errno == EACCES);
		errno = 0;
		child_check(share_remove(o) == -1 && errno == EACCES);
		child_check(share_close(o) == 0);
		_exit(0);
	}
	assert_int_equal(test_recv(&c), 's');
	s = test_open(key, 0, 0);
	n = test_chain_ids(s, before, 8);
	assert_int_equal(n, 3);
	assert_int_equal(shmctl(before[2], IPC_STAT, &ds), 0);
	ds.shm_perm.mode = 0;
	assert_int_equal(shmctl(before[2], IPC_SET, &ds), 0);
	assert_int_equal(test_send(&c, 'o'), 0);
	assert_int_equal(test_wait(pid), 0);
	/* The chain, its value and its version are as nobody stored them. */
	assert_int_equal(test_chain_ids(s, after, 8), n);
	assert_memory_equal(after, before, sizeof(int) * (size_t)n);
	assert_int_equal(share_version(s), 2);
	{
		void *got = NULL;

		assert_int_equal(share_fetch(s, &got), (ssize_t)sizeof(value));
		assert_memory_equal(got, value, sizeof(value));
		free(got);
	}
	test_assert_locks(s, 0, 0);
	assert_int_equal(share_remove(s), 0);
	for (int i = 0; i < n; i++)
		assert_true(test_shm_gone(before[i]));
	assert_int_equal(test_close(s), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		test_case(test_other_user_without_permission),
		test_case(test_read_only_object_refused),
		test_case(test_permission_taken_away),
		test_case(test_other_user_may_not_remove),
		test_case(test_squatted_set_refused),
		test_case(test_set_wider_than_head_refused),
		test_case(test_overflow_segment_not_readable),
	};

	return test_run(tests);
}
