/*
 * Memory scribbled by another process, and keys taken by what is not a
 * share: every call fails cleanly (EBADMSG, EEXIST, EIDRM), never crashes,
 * hangs, or touches a segment that is not the share's, and a store repairs
 * the chain it can no longer follow.
 */
#include <sys/mman.h>

#include "fault.h"

#define SEGSZ 64		/* 48 data bytes a segment */
#define DATA (SEGSZ - SHARELITE_HEADER_SIZE)

static unsigned char value[DATA * 3 + 5];

static int setup(void **unused)
{
	(void)unused;
	test_value_fill(value, 42, sizeof(value));
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

/* A share holding `value` in four segments. */
static share_t *four_segments(void)
{
	share_t *s = test_private(SEGSZ);

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
	test_assert_fetches(s, value, sizeof(value));
	assert_int_equal(share_num_segments(s), 4);
	assert_int_equal(share_store(s, "x", 1), 0);
	assert_int_equal(share_num_segments(s), 1);
	test_assert_fetches(s, "x", 1);
	assert_int_equal(share_store(s, value, sizeof(value)), 0);
	assert_int_equal(share_num_segments(s), 4);
	test_assert_locks(s, 0, 0);
}

static void test_negative_length(void **unused)
{
	(void)unused;
	share_t *s = four_segments();

	test_poke(test_info(s).shmid, length, -5);
	assert_fetch_fails(s, EBADMSG);
	test_poke(test_info(s).shmid, length, INT32_MIN);
	assert_fetch_fails(s, EBADMSG);
	assert_int_equal(share_num_segments(s), 4);
	test_assert_locks(s, 0, 0);
	assert_store_repairs(s);
	assert_int_equal(test_close(s), 0);
}

static void test_length_beyond_chain(void **unused)
{
	(void)unused;
	share_t *s = four_segments();

	/* A length the chain is too short for: no 2 GiB allocation, no read
	 * past the last segment. */
	test_poke(test_info(s).shmid, length, INT32_MAX);
	assert_fetch_fails(s, EBADMSG);
	test_poke(test_info(s).shmid, length, DATA * 4 + 1);
	assert_fetch_fails(s, EBADMSG);
	/* The longest value the chain holds is still read. */
	test_poke(test_info(s).shmid, length, DATA * 4);
	void *got = NULL;
	assert_int_equal(share_fetch(s, &got), DATA * 4);
	free(got);
	assert_store_repairs(s);
	assert_int_equal(test_close(s), 0);
}

/* Point segment `from` of the chain at `to`, then check every call copes. */
static void check_bad_link(share_t *s, int from, int to, int fetch_sees_it)
{
	test_poke(test_segment_id(s, from), next_shmid, to);
	if (fetch_sees_it)
		assert_fetch_fails(s, EBADMSG);
	errno = 0;
	assert_int_equal(share_num_segments(s), -1);
	assert_int_equal(errno, EBADMSG);
	struct share_info info = test_info(s);
	assert_int_equal(info.segments, -1);
	test_assert_locks(s, 0, 0);
	assert_store_repairs(s);
	/* The segments the bad link cut off are the corruption's leak. */
	test_remove_leaked(getpid(), s);
}

static void test_link_to_segment_of_other_size(void **unused)
{
	(void)unused;
	share_t *s = four_segments();
	int foreign = shmget(IPC_PRIVATE, SEGSZ * 2, IPC_CREAT | 0600);
	struct segment_header *h;

	assert_true(foreign >= 0);
	h = test_map(foreign);
	memset(h, 0x5a, SEGSZ * 2);
	h->next_shmid = -1;
	check_bad_link(s, 0, foreign, 1);
	check_bad_link(s, 2, foreign, 1);
	check_bad_link(s, 3, foreign, 0);
	/* Never written, never removed: it is not the share's. */
	assert_true(test_shm_exists(foreign));
	assert_int_equal(h->next_shmid, -1);
	for (size_t i = 4; i < SEGSZ * 2; i++)
		assert_int_equal(((unsigned char *)h)[i], 0x5a);
	shmdt(h);
	assert_int_equal(test_close(s), 0);
	assert_true(test_shm_exists(foreign));
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
	assert_int_equal(test_close(s), 0);
}

static void test_cycles(void **unused)
{
	(void)unused;
	share_t *s = four_segments();
	int head = test_info(s).shmid;

	check_bad_link(s, 0, head, 1);		/* the head to itself */
	check_bad_link(s, 3, head, 0);		/* the tail to the head */
	check_bad_link(s, 2, test_segment_id(s, 2), 1);	/* a segment to itself */
	check_bad_link(s, 3, test_segment_id(s, 1), 0);	/* back to the middle */
	assert_int_equal(test_close(s), 0);
}

/* A link rewritten behind the back of a handle that had the chain mapped. */
static void test_link_changed_under_cached_mapping(void **unused)
{
	(void)unused;
	share_t *s = four_segments();
	int foreign = shmget(IPC_PRIVATE, SEGSZ + 8, IPC_CREAT | 0600);

	assert_true(foreign >= 0);
	test_assert_fetches(s, value, sizeof(value));	/* now mapped */
	int second = test_segment_id(s, 1);
	test_poke(test_info(s).shmid, next_shmid, foreign);
	assert_fetch_fails(s, EBADMSG);
	/* Put back: the chain is whole again. */
	test_poke(test_info(s).shmid, next_shmid, second);
	test_assert_fetches(s, value, sizeof(value));
	shmctl(foreign, IPC_RMID, NULL);
	assert_int_equal(test_close(s), 0);
}

static void test_state_and_version_fields(void **unused)
{
	(void)unused;
	share_t *s = four_segments();
	int head = test_info(s).shmid;

	test_poke(head, shm_state, 0xdeadbeef);
	test_assert_fetches(s, value, sizeof(value));
	test_poke(head, version, 0xfffffffe);
	assert_int_equal(share_version(s), 0xfffffffe);
	assert_int_equal(share_store(s, "y", 1), 0);
	assert_int_equal(share_version(s), 0xffffffff);
	/* It wraps past 0, which share_version() keeps for errors. */
	assert_int_equal(share_store(s, "z", 1), 0);
	assert_int_equal(share_version(s), 1);
	assert_int_equal(share_num_segments(s), 1);
	assert_int_equal(test_close(s), 0);
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
	assert_true(test_shm_exists(tiny));
	shmctl(tiny, IPC_RMID, NULL);
	semctl(sem, 0, IPC_RMID);

	int big = shmget(key, 100000, IPC_CREAT | IPC_EXCL | 0600);
	assert_true(big >= 0);
	assert_refused(key, 0, IPC_CREAT, EEXIST);
	assert_true(test_shm_exists(big));
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
	assert_int_equal(test_close(s), 0);
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
	assert_int_equal(test_close(b), 0);
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
		int semid = test_info(s).semid, ids[4];

		for (int i = 0; i < 4; i++)
			ids[i] = test_segment_id(s, i);
		share_set_destroy(s, 0);
		assert_int_equal(share_lock(s, lock), 0);
		assert_int_equal(semctl(semid, 0, IPC_RMID), 0);
		for (int i = 0; i < 4; i++)
			shmctl(ids[i], IPC_RMID, NULL);
		assert_gone(s);
	}
}

/*
 * Whether the kernel maps the segment with pages larger than the base page,
 * as /proc/self/smaps says of a mapping that nothing has touched.
 */
static int of_huge_pages(int shmid)
{
	void *addr = shmat(shmid, NULL, SHM_RDONLY);
	unsigned long start, end, kib = 0;
	char line[256];
	int in_mapping = 0;
	FILE *f;

	if (addr == (void *)-1)
		return 0;
	f = fopen("/proc/self/smaps", "r");
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2)
			in_mapping = start == (unsigned long)addr;
		else if (in_mapping && sscanf(line, "KernelPageSize: %lu kB", &kib) == 1)
			break;
	}
	if (f)
		fclose(f);
	shmdt(addr);
	return kib * 1024 > (unsigned long)sysconf(_SC_PAGESIZE);
}

/*
 * A segment of huge pages with none reserved (SHM_HUGETLB|SHM_NORESERVE),
 * whose first touch dies of SIGBUS while no huge page is free; -1, after
 * saying why, where this system cannot make one or has huge pages free.
 */
static int hugetlb_segment(key_t key, size_t size)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	long free_pages = -1;
	int id;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "HugePages_Free: %ld", &free_pages) == 1)
			break;
	if (f)
		fclose(f);
	if (free_pages != 0) {
		printf("skipped: %s huge pages free; a read would not fault\n",
		       free_pages < 0 ? "no count of" : "some");
		return -1;
	}
	id = shmget(key, size, IPC_CREAT | IPC_EXCL | SHM_HUGETLB | SHM_NORESERVE | 0600);
	if (id < 0) {
		printf("skipped: shmget(SHM_HUGETLB): %s (needs root or "
		       "hugetlb_shm_group)\n", strerror(errno));
		return -1;
	}
	if (!of_huge_pages(id)) {
		printf("skipped: shmget(SHM_HUGETLB) made a segment of small pages "
		       "(valgrind drops the flag)\n");
		shmctl(id, IPC_RMID, NULL);
		return -1;
	}
	return id;
}

/*
 * Whether the child exited with 0, not killed by a signal (SIGBUS). The
 * huge page segment goes first: a teardown that read it would die too.
 */
static void assert_child_passed(pid_t pid, int huge)
{
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(test_shm_exists(huge));
	shmctl(huge, IPC_RMID, NULL);
	if (WIFSIGNALED(status))
		fail_msg("child killed by signal %d", WTERMSIG(status));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77)
		skip();		/* the child said why */
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/*
 * A huge page segment linked into the chain is not the chain's: readers
 * get EBADMSG instead of SIGBUS, and a store cuts the link, as for any
 * other stranger.
 */
static void test_link_to_hugetlb_segment(void **unused)
{
	(void)unused;
	share_t *s = four_segments();
	int huge = hugetlb_segment(IPC_PRIVATE, SEGSZ);
	pid_t pid;

	if (huge < 0)
		skip();
	test_poke(test_segment_id(s, 2), next_shmid, huge);
	pid = test_fork(NULL);
	if (pid == 0) {
		struct share_info info;

		signal(SIGBUS, SIG_DFL);	/* not cmocka's: die of it */
		void *got = NULL;
		char buf[8];

		errno = 0;
		child_check(share_fetch(s, &got) == -1 && errno == EBADMSG && !got);
		errno = 0;
		child_check(share_fetch_into(s, buf, sizeof(buf)) == -1 && errno == EBADMSG);
		errno = 0;
		child_check(share_num_segments(s) == -1 && errno == EBADMSG);
		child_check(share_stat(s, &info) == 0 && info.segments == -1);
		child_check(share_store(s, value, sizeof(value)) == 0);
		_exit(0);
	}
	assert_child_passed(pid, huge);
	/* The child's store cut the link to the stranger. */
	test_assert_fetches(s, value, sizeof(value));
	assert_int_equal(share_num_segments(s), 4);
	assert_int_equal(test_close(s), 0);
}

/*
 * In a process that locks all its memory (mlockall(MCL_FUTURE)), where
 * every new mapping is locked, the share's own segments are read as ever,
 * and a huge page segment is still refused.
 */
static void test_locked_process(void **unused)
{
	(void)unused;
	key_t key = test_key(5);
	share_t *s = share_new(key, SEGSZ, IPC_CREAT | IPC_EXCL);
	int huge = hugetlb_segment(IPC_PRIVATE, SEGSZ), third;
	pid_t pid;

	assert_non_null(s);
	share_set_destroy(s, 1);
	assert_int_equal(share_store(s, value, sizeof(value)), 0);
	third = test_segment_id(s, 2);
	if (huge < 0)
		skip();
	pid = test_fork(NULL);
	if (pid == 0) {
		struct segment_header *h;
		share_t *o;
		void *got = NULL;

		signal(SIGBUS, SIG_DFL);
		if (mlockall(MCL_CURRENT | MCL_FUTURE) < 0) {
			printf("skipped: mlockall: %s\n", strerror(errno));
			_exit(77);
		}
		/* A handle of its own, which maps every segment now. */
		o = share_new(key, 0, 0);
		child_check(o != NULL);
		child_check(share_fetch(o, &got) == (ssize_t)sizeof(value));
		child_check(memcmp(got, value, sizeof(value)) == 0);
		free(got);
		got = NULL;
		h = shmat(third, NULL, 0);
		child_check(h != (void *)-1);
		h->next_shmid = huge;
		shmdt(h);
		errno = 0;
		child_check(share_fetch(o, &got) == -1 && errno == EBADMSG);
		_exit(0);
	}
	assert_child_passed(pid, huge);
	assert_int_equal(test_close(s), 0);
	test_remove_key(key);
}

/* Nor is one planted under a key, with a share's semaphores, a head. */
static void test_hugetlb_segment_under_key(void **unused)
{
	(void)unused;
	key_t key = test_key(4);
	int huge, sem;
	pid_t pid;

	test_remove_key(key);
	huge = hugetlb_segment(key, SEGSZ);
	if (huge < 0)
		skip();
	sem = semget(key, 3, IPC_CREAT | IPC_EXCL | 0600);
	assert_true(sem >= 0);
	assert_int_equal(semctl(sem, 0, SETVAL, 1), 0);
	pid = test_fork(NULL);
	if (pid == 0) {
		signal(SIGBUS, SIG_DFL);
		errno = 0;
		child_check(share_new(key, 0, 0) == NULL && errno == EEXIST);
		errno = 0;
		child_check(share_new(key, 0, IPC_CREAT) == NULL && errno == EEXIST);
		_exit(0);
	}
	assert_child_passed(pid, huge);
	semctl(sem, 0, IPC_RMID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		test_case_sweep(test_negative_length),
		test_case_sweep(test_length_beyond_chain),
		test_case_sweep(test_link_to_segment_of_other_size),
		test_case_sweep(test_link_to_removed_or_bogus_id),
		test_case_sweep(test_cycles),
		test_case_sweep(test_link_changed_under_cached_mapping),
		test_case_sweep(test_state_and_version_fields),
		test_case_sweep(test_foreign_segment_under_key),
		test_case_sweep(test_foreign_semaphores_under_key),
		test_case_sweep(test_removed_by_another_handle),
		test_case_sweep(test_removed_while_locked),
		test_case_sweep(test_link_to_hugetlb_segment),
		test_case_sweep(test_hugetlb_segment_under_key),
		test_case_sweep(test_locked_process),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
