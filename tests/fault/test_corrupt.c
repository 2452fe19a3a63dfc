/*
 * Memory scribbled by another process, and keys taken by what is not a
 * share: every call fails cleanly (EBADMSG, EEXIST, EIDRM), never crashes,
 * hangs, or touches a segment that is not the share's, and a store repairs
 * the chain it can no longer follow.
 */
#include "fault.h"

#define SEGSZ 64		/* 48 data bytes a segment */
#define DATA (SEGSZ - SHARELITE_HEADER_SIZE)

static unsigned char value[DATA * 3 + 5];

static int setup(void **unused)
{
	(void)unused;
	fault_value_fill(value, 42, sizeof(value));
	return 0;
}

static void assert_fetch_fails(share_t *s, int err)
{
	void *got = (void *)1;
	char buf[8];

	errno = 0;
	assert_int_equal(share_fetch(s, &got), -1);
	assert_int_equal(errno, err);
	assert_null(got);
	errno = 0;
	assert_int_equal(share_fetch_into(s, buf, sizeof(buf)), -1);
	assert_int_equal(errno, err);
}

static void assert_fetches(share_t *s, const void *want, size_t n)
{
	void *got = NULL;

	assert_int_equal(share_fetch(s, &got), (ssize_t)n);
	assert_memory_equal(got, want, n);
	free(got);
}

/* A share holding `value` in four segments. */
static share_t *four_segments(void)
{
	share_t *s = fault_share(SEGSZ);

	assert_int_equal(share_store(s, value, sizeof(value)), 0);
	assert_int_equal(share_num_segments(s), 4);
	return s;
}

/*
 * After corruption: a store repairs the share, which then counts right.
 * It ends holding `value` in four segments again.
 */
static void assert_store_repairs(share_t *s)
{
	assert_int_equal(share_store(s, value, sizeof(value)), 0);
	assert_fetches(s, value, sizeof(value));
	assert_int_equal(share_num_segments(s), 4);
	assert_int_equal(share_store(s, "x", 1), 0);
	assert_int_equal(share_num_segments(s), 1);
	assert_fetches(s, "x", 1);
	assert_int_equal(share_store(s, value, sizeof(value)), 0);
	assert_int_equal(share_num_segments(s), 4);
	fault_assert_unlocked(s);
}

static void test_negative_length(void **unused)
{
	(void)unused;
	share_t *s = four_segments();

	fault_poke(fault_info(s).shmid, length, -5);
	assert_fetch_fails(s, EBADMSG);
	fault_poke(fault_info(s).shmid, length, INT32_MIN);
	assert_fetch_fails(s, EBADMSG);
	assert_int_equal(share_num_segments(s), 4);
	fault_assert_unlocked(s);
	assert_store_repairs(s);
	assert_int_equal(share_close(s), 0);
}

static void test_length_beyond_chain(void **unused)
{
	(void)unused;
	share_t *s = four_segments();

	/* A length the chain is too short for: no 2 GiB allocation, no read
	 * past the last segment. */
	fault_poke(fault_info(s).shmid, length, INT32_MAX);
	assert_fetch_fails(s, EBADMSG);
	fault_poke(fault_info(s).shmid, length, DATA * 4 + 1);
	assert_fetch_fails(s, EBADMSG);
	/* The longest value the chain holds is still read. */
	fault_poke(fault_info(s).shmid, length, DATA * 4);
	void *got = NULL;
	assert_int_equal(share_fetch(s, &got), DATA * 4);
	free(got);
	assert_store_repairs(s);
	assert_int_equal(share_close(s), 0);
}

/* Point segment `from` of the chain at `to`, then check every call copes. */
static void check_bad_link(share_t *s, int from, int to, int fetch_sees_it)
{
	fault_poke(fault_segment_id(s, from), next_shmid, to);
	if (fetch_sees_it)
		assert_fetch_fails(s, EBADMSG);
	errno = 0;
	assert_int_equal(share_num_segments(s), -1);
	assert_int_equal(errno, EBADMSG);
	struct share_info info = fault_info(s);
	assert_int_equal(info.segments, -1);
	fault_assert_unlocked(s);
	assert_store_repairs(s);
	/* The segments the bad link cut off are the corruption's leak. */
	fault_remove_leaked(getpid(), s);
}

static void test_link_to_segment_of_other_size(void **unused)
{
	(void)unused;
	share_t *s = four_segments();
	int foreign = shmget(IPC_PRIVATE, SEGSZ * 2, IPC_CREAT | 0600);
	struct segment_header *h;

	assert_true(foreign >= 0);
	h = fault_map(foreign);
	memset(h, 0x5a, SEGSZ * 2);
	h->next_shmid = -1;
	check_bad_link(s, 0, foreign, 1);
	check_bad_link(s, 2, foreign, 1);
	check_bad_link(s, 3, foreign, 0);
	/* Never written, never removed: it is not the share's. */
	assert_true(fault_shm_exists(foreign));
	assert_int_equal(h->next_shmid, -1);
	for (size_t i = 4; i < SEGSZ * 2; i++)
		assert_int_equal(((unsigned char *)h)[i], 0x5a);
	shmdt(h);
	assert_int_equal(share_close(s), 0);
	assert_true(fault_shm_exists(foreign));
	shmctl(foreign, IPC_RMID, NULL);
}

static void test_link_to_removed_or_bogus_id(void **unused)
{
	(void)unused;
	share_t *s = four_segments();
	int gone = shmget(IPC_PRIVATE, SEGSZ, IPC_CREAT | 0600);

	assert_true(gone >= 0);
	shmctl(gone, IPC_RMID, NULL);
	check_bad_link(s, 0, gone, 1);
	check_bad_link(s, 1, gone, 1);
	check_bad_link(s, 1, INT32_MAX, 1);
	check_bad_link(s, 3, 0x12345, 0);
	assert_int_equal(share_close(s), 0);
}

static void test_cycles(void **unused)
{
	(void)unused;
	share_t *s = four_segments();
	int head = fault_info(s).shmid;

	check_bad_link(s, 0, head, 1);		/* the head to itself */
	check_bad_link(s, 3, head, 0);		/* the tail to the head */
	check_bad_link(s, 2, fault_segment_id(s, 2), 1);	/* a segment to itself */
	check_bad_link(s, 3, fault_segment_id(s, 1), 0);	/* back to the middle */
	assert_int_equal(share_close(s), 0);
}

/* A link rewritten behind the back of a handle that had the chain mapped. */
static void test_link_changed_under_cached_mapping(void **unused)
{
	(void)unused;
	share_t *s = four_segments();
	int foreign = shmget(IPC_PRIVATE, SEGSZ + 8, IPC_CREAT | 0600);

	assert_true(foreign >= 0);
	assert_fetches(s, value, sizeof(value));	/* now mapped */
	int second = fault_segment_id(s, 1);
	fault_poke(fault_info(s).shmid, next_shmid, foreign);
	assert_fetch_fails(s, EBADMSG);
	/* Put back: the chain is whole again. */
	fault_poke(fault_info(s).shmid, next_shmid, second);
	assert_fetches(s, value, sizeof(value));
	shmctl(foreign, IPC_RMID, NULL);
	assert_int_equal(share_close(s), 0);
}

static void test_state_and_version_fields(void **unused)
{
	(void)unused;
	share_t *s = four_segments();
	int head = fault_info(s).shmid;

	fault_poke(head, shm_state, 0xdeadbeef);
	assert_fetches(s, value, sizeof(value));
	fault_poke(head, version, 0xfffffffe);
	assert_int_equal(share_version(s), 0xfffffffe);
	assert_int_equal(share_store(s, "y", 1), 0);
	assert_int_equal(share_version(s), 0xffffffff);
	/* It wraps past 0, which share_version() keeps for errors. */
	assert_int_equal(share_store(s, "z", 1), 0);
	assert_int_equal(share_version(s), 1);
	assert_int_equal(share_num_segments(s), 1);
	assert_int_equal(share_close(s), 0);
}

/* Segments this process created that still exist. */
static int own_segments(void)
{
	struct shm_info info;
	int highest = shmctl(0, SHM_INFO, (struct shmid_ds *)&info), n = 0;

	for (int i = 0; i <= highest; i++) {
		struct shmid_ds ds;

		n += shmctl(i, SHM_STAT, &ds) >= 0 && ds.shm_cpid == getpid();
	}
	return n;
}

/* A refused share_new() leaves the objects under the key as they were. */
static void assert_refused(key_t key, size_t size, int flags, int err)
{
	int shm = shmget(key, 0, 0), sem = semget(key, 0, 0), own = own_segments();

	errno = 0;
	assert_null(share_new(key, size, flags));
	assert_int_equal(errno, err);
	assert_int_equal(shmget(key, 0, 0), shm);
	assert_int_equal(semget(key, 0, 0), sem);
	assert_int_equal(own_segments(), own);
}

static void test_foreign_segment_under_key(void **unused)
{
	(void)unused;
	key_t key = test_key(1);
	int tiny = shmget(key, SHARELITE_HEADER_SIZE, IPC_CREAT | IPC_EXCL | 0600);

	assert_true(tiny >= 0);
	/* No semaphore set: a segment from before, not a share. */
	assert_refused(key, 0, IPC_CREAT, EEXIST);
	assert_refused(key, 0, 0, ENOENT);
	/* With a set, the segment is too small to be a share's head. */
	int sem = semget(key, 3, IPC_CREAT | IPC_EXCL | 0600);
	assert_true(sem >= 0);
	assert_int_equal(semctl(sem, 0, SETVAL, 1), 0);
	assert_refused(key, 0, 0, EEXIST);
	assert_refused(key, 0, IPC_CREAT, EEXIST);
	assert_true(fault_shm_exists(tiny));
	shmctl(tiny, IPC_RMID, NULL);
	semctl(sem, 0, IPC_RMID);

	int big = shmget(key, 100000, IPC_CREAT | IPC_EXCL | 0600);
	assert_true(big >= 0);
	assert_refused(key, 0, IPC_CREAT, EEXIST);
	assert_true(fault_shm_exists(big));
	shmctl(big, IPC_RMID, NULL);
	test_remove_key(key);
}

static void test_foreign_semaphores_under_key(void **unused)
{
	(void)unused;
	key_t key = test_key(2);

	for (int nsems = 1; nsems <= 5; nsems++) {
		if (nsems == 3 || nsems == 4)	/* Perl's sets and ours */
			continue;
		int sem = semget(key, nsems, IPC_CREAT | IPC_EXCL | 0600);
		assert_true(sem >= 0);
		assert_refused(key, 0, IPC_CREAT, EEXIST);
		assert_refused(key, 0, 0, EEXIST);
		semctl(sem, 0, IPC_RMID);
	}
	/* Three semaphores, but values no share's set ever has. */
	int sem = semget(key, 3, IPC_CREAT | IPC_EXCL | 0600);
	assert_true(sem >= 0);
	assert_int_equal(semctl(sem, 0, SETVAL, 7), 0);
	assert_refused(key, 0, IPC_CREAT, EEXIST);
	assert_int_equal(semctl(sem, 0, SETVAL, 1), 0);
	assert_int_equal(semctl(sem, 2, SETVAL, 2), 0);
	assert_refused(key, 0, IPC_CREAT, EEXIST);
	assert_int_equal(shmget(key, 0, 0), -1);
	semctl(sem, 0, IPC_RMID);
	test_remove_key(key);
}

/* Every call on a handle whose share another process removed. */
static void assert_gone(share_t *s)
{
	unsigned char buf[4];
	struct share_info info;

	errno = 0;
	assert_int_equal(share_store(s, "a", 1), -1);
	assert_int_equal(errno, EIDRM);
	assert_fetch_fails(s, EIDRM);
	(void)buf;
	errno = 0;
	assert_int_equal(share_lock(s, LOCK_SH), -1);
	assert_int_equal(errno, EIDRM);
	errno = 0;
	assert_int_equal(share_unlock(s), -1);
	assert_int_equal(errno, EIDRM);
	errno = 0;
	assert_int_equal(share_version(s), 0);
	assert_int_equal(errno, EIDRM);
	errno = 0;
	assert_int_equal(share_num_segments(s), -1);
	assert_int_equal(errno, EIDRM);
	errno = 0;
	assert_int_equal(share_stat(s, &info), -1);
	assert_int_equal(errno, EIDRM);
	errno = 0;
	assert_int_equal(share_remove(s), -1);
	assert_int_equal(errno, EIDRM);
	assert_int_equal(share_close(s), 0);
}

static void test_removed_by_another_handle(void **unused)
{
	(void)unused;
	key_t key = test_key(3);
	share_t *a = share_new(key, SEGSZ, IPC_CREAT | IPC_EXCL);
	share_t *b = share_new(key, 0, 0);

	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(share_store(a, value, sizeof(value)), 0);
	assert_int_equal(share_remove(b), 0);
	assert_int_equal(share_close(b), 0);
	assert_gone(a);
	assert_int_equal(shmget(key, 0, 0), -1);
	test_remove_key(key);
}

/* ipcrm while this handle holds a lock: no semop is needed, still EIDRM. */
static void test_removed_while_locked(void **unused)
{
	(void)unused;
	for (int lock = LOCK_SH; lock <= LOCK_EX; lock++) {
		share_t *s = four_segments();
		int semid = fault_info(s).semid, ids[4];

		for (int i = 0; i < 4; i++)
			ids[i] = fault_segment_id(s, i);
		share_set_destroy(s, 0);
		assert_int_equal(share_lock(s, lock), 0);
		assert_int_equal(semctl(semid, 0, IPC_RMID), 0);
		for (int i = 0; i < 4; i++)
			shmctl(ids[i], IPC_RMID, NULL);
		assert_gone(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		fault_test(test_negative_length),
		fault_test(test_length_beyond_chain),
		fault_test(test_link_to_segment_of_other_size),
		fault_test(test_link_to_removed_or_bogus_id),
		fault_test(test_cycles),
		fault_test(test_link_changed_under_cached_mapping),
		fault_test(test_state_and_version_fields),
		fault_test(test_foreign_segment_under_key),
		fault_test(test_foreign_semaphores_under_key),
		fault_test(test_removed_by_another_handle),
		fault_test(test_removed_while_locked),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
