/*
 * The native memory format (SHARE_NATIVE): chosen at creation, found at
 * open, lock-free fetches, stores that a killed writer cannot tear,
 * explicit locks that keep stores out, and a head that is not trusted.
 */
#define _GNU_SOURCE		/* unshare(2) */
#include <sched.h>
#include <signal.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "ipcsl.h"		/* test_semid(), test_sem_gone() */
#include "native/head.h"	/* the layout, to write over it */

#define NATIVE (IPC_CREAT | SHARE_NATIVE)

/* The number of semaphores in a set. */
static int nsems(int semid)
{
	struct semid_ds ds;
	union {
		int val;
		struct semid_ds *buf;
	} arg = { .buf = &ds };

	if (semctl(semid, 0, IPC_STAT, arg) < 0)
		return -1;
	return (int)ds.sem_nsems;
}

/*
 * Segments that exist and were created by one of these processes: what a
 * test made, whatever other test programs make at the same time.
 */
static int segments_made_by(const pid_t *pids, int n)
{
	struct shm_info info;
	int highest = shmctl(0, SHM_INFO, (struct shmid_ds *)(void *)&info), count = 0;

	for (int i = 0; i <= highest; i++) {
		struct shmid_ds ds;

		if (shmctl(i, SHM_STAT, &ds) < 0)
			continue;
		for (int k = 0; k < n; k++)
			count += ds.shm_cpid == pids[k];
	}
	return count;
}

/* Close a share (private, or with its destroy flag) and check that
 * nothing of it is left: a private share has no set at all. */
static void assert_closed_and_gone(share_t *s, const pid_t *pids, int n)
{
	int semid = test_semid(s);

	if (share_key(s) == IPC_PRIVATE)
		assert_int_equal(semid, -1);
	assert_int_equal(test_close(s), 0);
	assert_true(semid == -1 || test_sem_gone(semid));
	assert_int_equal(segments_made_by(pids, n), 0);
}

/* A self-checking value (test_value_fill()) of seed; its length. One in
 * three is small enough for a small copy, so that stores move between
 * the copies and the slots. */
#define VALUE_MAX 3000
static size_t value_max(uint32_t seed)
{
	return seed % 3 ? VALUE_MAX : NATIVE_SMALL;
}

static size_t make_value(unsigned char *buf, uint32_t seed)
{
	size_t length = test_value_length(seed, value_max(seed));

	test_value_fill(buf, seed, length);
	return length;
}

/* Whether buf holds exactly a value make_value() made; its seed in *seed. */
static int whole_value(const unsigned char *buf, size_t length, uint32_t *seed)
{
	uint32_t made;

	*seed = 0;
	if (length < 4)
		return 0;
	memcpy(&made, buf, 4);
	if (!test_value_ok(buf, length, value_max(made)))
		return 0;
	*seed = made;
	return 1;
}

static void test_created_native_and_found_again(void **unused)
{
	(void)unused;
	key_t key = test_use_key(1);
	share_t *a = test_open(key, 0, NATIVE | 0600), *b;
	struct share_info info;
	void *data = NULL;

	assert_int_equal(share_stat(a, &info), 0);
	/* Fewer than three semaphores: IPC::ShareLite refuses the key. */
	assert_int_equal(nsems(info.semid), 2);
	assert_int_equal(shmget(key, 0, 0), info.shmid);
	assert_int_equal(info.version, 1);
	assert_int_equal(info.length, 0);
	assert_int_equal(info.segments, 1);
	assert_int_equal(info.format, SHARE_FORMAT_NATIVE);
	/* Its set has no semaphore that counts them. */
	assert_int_equal(info.writers_waiting, -1);
	assert_int_equal(share_version(a), 1);
	assert_int_equal(share_fetch(a, &data), 0);
	assert_string_equal(data, "");
	free(data);

	assert_int_equal(share_store(a, "hello", 5), 0);
	assert_int_equal(share_version(a), 2);
	/* Found without the flag, and with it. */
	b = test_open(key, 0, 0);
	assert_int_equal(share_stat(b, &info), 0);
	assert_int_equal(info.format, SHARE_FORMAT_NATIVE);
	assert_int_equal(share_fetch(b, &data), 5);
	assert_string_equal(data, "hello");
	free(data);
	assert_int_equal(share_store(b, "bye", 3), 0);
	test_assert_value(a, "bye");
	assert_int_equal(share_version(a), 3);
	assert_int_equal(test_close(b), 0);
	b = test_open(key, 0, NATIVE);
	test_assert_value(b, "bye");
	assert_int_equal(test_close(b), 0);
	/* It exists, in whichever format. */
	assert_fails(share_new(key, 0, NATIVE | IPC_EXCL), NULL, EEXIST);
	assert_fails(share_new(key, 0, IPC_CREAT | IPC_EXCL), NULL, EEXIST);

	share_set_destroy(a, 1);
	assert_int_equal(test_close(a), 0);
	assert_true(test_key_gone(key));
}

/* SHARE_NATIVE on a key that holds a Perl-format share opens that share. */
static void test_flag_opens_perl_format_share(void **unused)
{
	(void)unused;
	key_t key = test_use_key(2);
	/* Not test_open(): that makes a native share. */
	share_t *a = share_new(key, 0, IPC_CREAT | 0600), *b;
	struct share_info info;

	assert_non_null(a);
	test_adopt(a);
	/* libsharelite's Perl-format sets: three, and the writer queue. */
	assert_int_equal(share_stat(a, &info), 0);
	assert_int_equal(nsems(info.semid), 4);
	assert_int_equal(info.format, SHARE_FORMAT_PERL);
	assert_int_equal(share_store(a, "perl", 4), 0);
	b = test_open(key, 0, NATIVE);
	assert_int_equal(share_stat(b, &info), 0);
	assert_int_equal(nsems(info.semid), 4);
	assert_int_equal(info.format, SHARE_FORMAT_PERL);
	test_assert_value(b, "perl");
	assert_int_equal(test_close(b), 0);
	share_set_destroy(a, 1);
	assert_int_equal(test_close(a), 0);
}

static void test_fetch_into_and_sizes(void **unused)
{
	(void)unused;
	share_t *s = test_open(IPC_PRIVATE, 4096, NATIVE);
	unsigned char value[1000], buf[1010];
	size_t room = share_segment_size(s);

	share_set_destroy(s, 1);
	assert_true(room >= 4096);
	test_fill(value, sizeof(value), 3);
	assert_int_equal(share_store(s, value, sizeof(value)), 0);
	memset(buf, 0xee, sizeof(buf));
	assert_int_equal(share_fetch_into(s, buf, sizeof(buf)), 1000);
	assert_memory_equal(buf, value, 1000);
	assert_int_equal(buf[1000], 0xee);
	memset(buf, 0xee, sizeof(buf));
	assert_int_equal(share_fetch_into(s, buf, 10), 1000);
	assert_memory_equal(buf, value, 10);
	assert_int_equal(buf[10], 0xee);
	assert_int_equal(share_store(s, "", 0), 0);
	assert_int_equal(share_fetch_into(s, buf, sizeof(buf)), 0);
	assert_int_equal(test_close(s), 0);
}

/* Store size, then check it from this handle and from another process's. */
static void assert_stores(share_t *s, size_t size, unsigned seed)
{
	unsigned char *value = malloc(size ? size : 1);
	void *data = NULL;
	pid_t pid;

	assert_non_null(value);
	test_fill(value, size, seed);
	assert_int_equal(share_store(s, value, size), 0);
	assert_int_equal(share_fetch(s, &data), (ssize_t)size);
	assert_memory_equal(data, value, size);
	free(data);
	pid = test_fork(NULL);
	if (pid == 0) {
		child_check(share_fetch(s, &data) == (ssize_t)size);
		child_check(memcmp(data, value, size) == 0);
		_exit(0);
	}
	assert_int_equal(test_wait(pid), 0);
	free(value);
}

/*
 * Values longer than a slot of a keyed share go in a segment of the slot's
 * own, which grows, is reused, and shrinks; nothing is left after the share.
 */
static void test_values_of_any_size(void **unused)
{
	(void)unused;
	share_t *s = test_open(test_use_key(10), 1024, NATIVE | 0600);
	pid_t self = getpid();
	size_t slot = (size_t)native_slot_size(share_segment_size(s), 0);
	const size_t sizes[] = { 0, 1, slot, slot + 1, 5000, 4000, 1 << 20, 64 << 20, 10,
				 3 << 20, 2 << 20, 100 };

	share_set_destroy(s, 1);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		assert_stores(s, sizes[i], (unsigned)i);
	/* 100 bytes in the slot, 2 MiB in the other slot's segment. */
	assert_int_equal(share_num_segments(s), 2);
	assert_stores(s, 7, 1);
	assert_int_equal(share_num_segments(s), 1);
	/* Both slots in the head again: no segment but the head is left,
	 * not even one a mapping kept alive after its removal. */
	assert_stores(s, 8, 2);
	assert_int_equal(segments_made_by(&self, 1), 1);
	assert_closed_and_gone(s, &self, 1);
}

/*
 * A pattern for values too large for test_fill() to be cheap: each 8-byte
 * word is its index, mixed, with no zero byte, so that a byte copied to
 * another offset, or not copied into zeroed memory, does not match.
 */
static uint64_t pattern_word(size_t i)
{
	return (i * UINT64_C(0x9e3779b97f4a7c15)) | UINT64_C(0x0101010101010101);
}

static void pattern_fill(unsigned char *buf, size_t n)
{
	size_t words = n / 8;

	for (size_t i = 0; i < words; i++) {
		uint64_t w = pattern_word(i);

		memcpy(buf + i * 8, &w, 8);
	}
	for (size_t k = words * 8; k < n; k++)
		buf[k] = (unsigned char)(pattern_word(words) >> (8 * (k % 8)));
}

/* The first offset at which buf differs from the pattern, or n. */
static size_t pattern_differs(const unsigned char *buf, size_t n)
{
	size_t words = n / 8;

	for (size_t i = 0; i < words; i++) {
		uint64_t w;

		memcpy(&w, buf + i * 8, 8);
		if (w != pattern_word(i))
			return i * 8;
	}
	for (size_t k = words * 8; k < n; k++)
		if (buf[k] != (unsigned char)(pattern_word(words) >> (8 * (k % 8))))
			return k;
	return n;
}

/* Zeroed memory of its own mapping: freed to the system at once. */
static unsigned char *map_buffer(size_t n)
{
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(p != MAP_FAILED);
	return p;
}

/*
 * Store a pattern of `size` bytes, fetch it whole into zeroed memory and
 * check every byte; then the segments: as many as the format promises
 * after a value of `previous` bytes, counted by the kernel.
 */
static void assert_stores_pattern(share_t *s, size_t size, size_t previous)
{
	pid_t self = getpid();
	unsigned char *value = map_buffer(size + 1), *got;

	pattern_fill(value, size);
	assert_int_equal(share_store(s, value, size), 0);
	munmap(value, size + 1);
	got = map_buffer(size + 1);
	got[size] = 0xa5;
	assert_int_equal(share_fetch_into(s, got, size), (ssize_t)size);
	assert_int_equal(pattern_differs(got, size), size);
	assert_int_equal(got[size], 0xa5);
	munmap(got, size + 1);
	assert_int_equal(test_info(s).length, size);
	assert_int_equal(share_num_segments(s), test_segments(s, size, previous));
	assert_int_equal(segments_made_by(&self, 1), test_segments(s, size, previous));
}

/*
 * A value of 1 GiB + 1 byte, and values around it that cross the slot's
 * size and the value segment's, each fetched whole; the 1 GiB segment is
 * gone once neither slot holds that value.
 */
static void test_gigabyte_value(void **unused)
{
	(void)unused;
	/* Keyed: a private share keeps every value in its head. */
	share_t *s = test_open(test_use_key(11), 4096, NATIVE | 0600);
	pid_t self = getpid();
	size_t slot = (size_t)native_slot_size(share_segment_size(s), 0);
	const size_t sizes[] = {
		0, slot, slot + 1, ((size_t)1 << 30) + 1, slot + 1, slot, 16,
	};
	size_t previous = 0;

	share_set_destroy(s, 1);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		assert_stores_pattern(s, sizes[i], previous);
		previous = sizes[i];
	}
	assert_int_equal(segments_made_by(&self, 1), 1);	/* the head alone */
	assert_closed_and_gone(s, &self, 1);
}

/*
 * A private share reaches a forked child, and is gone after the last close.
 * A value of any length is in its head: the child's outlives the child.
 */
static void test_private_across_fork(void **unused)
{
	(void)unused;
	share_t *s = test_open(IPC_PRIVATE, 0, NATIVE);
	static unsigned char big[100000], got[100000];
	struct test_chan c;
	pid_t pid, pids[2] = { getpid(), 0 };

	assert_int_equal(share_store(s, "parent", 6), 0);
	pid = test_fork(&c);
	if (pid == 0) {
		void *data = NULL;

		child_check(share_fetch(s, &data) == 6 && strcmp(data, "parent") == 0);
		/* In a segment the child makes, which outlives it. */
		test_fill(big, sizeof(big), 9);
		child_check(share_store(s, big, sizeof(big)) == 0);
		child_check(share_close(s) == 0);
		_exit(0);
	}
	pids[1] = pid;
	assert_int_equal(test_wait(pid), 0);
	test_fill(big, sizeof(big), 9);
	assert_int_equal(share_fetch_into(s, got, sizeof(got)), (ssize_t)sizeof(big));
	assert_memory_equal(got, big, sizeof(big));
	assert_int_equal(share_num_segments(s), 1);
	assert_int_equal(share_store(s, "child", 5), 0);
	test_assert_value(s, "child");
	assert_closed_and_gone(s, pids, 2);
}

/*
 * A fetch that holds no lock takes none: it returns the last value while
 * another process holds LOCK_EX, even with a timeout of 0; a store waits
 * for the lock, and for LOCK_SH too.
 */
static void test_explicit_locks_keep_stores_out(void **unused)
{
	(void)unused;
	key_t key = test_use_key(3);
	share_t *s = test_open(key, 0, NATIVE | 0600);
	struct test_chan c;
	pid_t pid;

	assert_int_equal(share_store(s, "before", 6), 0);
	pid = test_fork(&c);
	if (pid == 0) {
		share_t *t = share_new(key, 0, 0);

		child_check(t != NULL);
		for (int op; (op = test_recv(&c)) > 0;) {
			child_check(share_lock(t, op) == 0);
			test_send(&c, 'k');
		}
		_exit(0);
	}
	share_set_timeout(s, 0);
	for (int i = 0; i < 2; i++) {
		int op = i ? LOCK_SH : LOCK_EX;

		assert_int_equal(test_send(&c, (char)op), 0);
		assert_int_equal(test_recv(&c), 'k');
		test_assert_value(s, "before");
		assert_fails(share_store(s, "during", 6), -1, ETIMEDOUT);
		assert_int_equal(share_lock(s, LOCK_EX | LOCK_NB), -1);
		assert_int_equal(errno, EWOULDBLOCK);
		assert_int_equal(test_send(&c, LOCK_UN), 0);
		assert_int_equal(test_recv(&c), 'k');
		/* Released: the store goes through, and the next ones too. */
		assert_int_equal(share_store(s, "after", 5), 0);
		assert_int_equal(share_store(s, "before", 6), 0);
	}
	/* This handle's own LOCK_EX: its stores go on, others wait. */
	assert_int_equal(share_lock(s, LOCK_EX), 0);
	assert_int_equal(share_store(s, "mine", 4), 0);
	test_assert_value(s, "mine");
	assert_int_equal(share_unlock(s), 0);
	close(c.wr);
	assert_int_equal(test_wait(pid), 0);
	share_set_destroy(s, 1);
	assert_int_equal(test_close(s), 0);
	assert_true(test_key_gone(key));
}

/* A lock holder that dies gives its lock back; stores go on. */
static void test_dead_lock_holder(void **unused)
{
	(void)unused;
	key_t key = test_use_key(4);
	share_t *s = test_open(key, 0, NATIVE | 0600);
	struct test_chan c;
	pid_t pid = test_fork(&c);

	if (pid == 0) {
		share_t *t = share_new(key, 0, 0);

		child_check(t != NULL && share_lock(t, LOCK_EX) == 0);
		test_send(&c, 'k');
		pause();
		_exit(0);
	}
	assert_int_equal(test_recv(&c), 'k');
	share_set_timeout(s, 0);
	assert_fails(share_store(s, "x", 1), -1, ETIMEDOUT);
	kill(pid, SIGKILL);
	assert_int_equal(test_wait(pid), -1);
	assert_int_equal(share_store(s, "x", 1), 0);
	test_assert_value(s, "x");
	share_set_destroy(s, 1);
	assert_int_equal(test_close(s), 0);
}

/* The system's shared memory segments and semaphore sets, from /proc. */
static int sysvipc_objects(void)
{
	const char *files[] = { "/proc/sysvipc/shm", "/proc/sysvipc/sem" };
	int count = 0;

	for (int i = 0; i < 2; i++) {
		FILE *f = fopen(files[i], "r");
		char line[512];

		if (!f)
			return -1;
		while (fgets(line, sizeof(line), f))
			count++;
		fclose(f);
		count--;	/* the heading */
	}
	return count;
}

/* Values that fill a slot's worth and more, so that on a format that keeps
 * long values in segments of their own both slots name one. */
#define LARGE_VALUE (256 * 1024)

/*
 * The family of the test below, in a process of its own: the creator
 * stores large values, forks a child that takes LOCK_SH and one that
 * waits for LOCK_EX behind it, and writes 'k' to fd once they are there.
 * Each dies with its parent, should the test fail first.
 */
static void family(int fd)
{
	static unsigned char big[LARGE_VALUE];
	share_t *s = share_new(IPC_PRIVATE, 0, NATIVE);
	int up[2];
	char b;

	child_check(s != NULL && pipe(up) == 0);
	for (unsigned i = 0; i < 2; i++) {
		test_fill(big, sizeof(big) - i, i);
		child_check(share_store(s, big, sizeof(big) - i) == 0);
	}
	if (fork() == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		child_check(share_lock(s, LOCK_SH) == 0);
		child_check(write(up[1], "s", 1) == 1);
		pause();
	}
	child_check(read(up[0], &b, 1) == 1);
	if (fork() == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		child_check(write(up[1], "e", 1) == 1);
		child_check(share_lock(s, LOCK_EX) == 0);	/* killed while waiting */
		pause();
	}
	child_check(read(up[0], &b, 1) == 1);
	child_check(write(fd, "k", 1) == 1);
	pause();
}

/*
 * A private share is gone from the system once its whole family is killed
 * with SIGKILL, holders and waiters of its locks and its creator alike:
 * counted in an IPC namespace of the test's own, so that nothing else runs
 * there. Its namespace goes with the test's process, leftovers and all.
 */
static void test_private_gone_when_family_killed(void **unused)
{
	(void)unused;
	pid_t pid = test_fork(NULL);

	if (pid == 0) {
		int before, after, status, up[2];
		pid_t root;
		char b;

		if (test_private_ipc() < 0)
			_exit(77);
		/* The family's orphans become ours, to reap: a process is
		 * done with its mappings once it can be reaped. */
		child_check(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
		before = sysvipc_objects();
		child_check(before >= 0 && pipe(up) == 0);
		root = fork();
		child_check(root >= 0);
		if (root == 0) {
			/* The family is a process group: one kill takes it all. */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			setpgid(0, 0);
			family(up[1]);
			_exit(0);
		}
		setpgid(root, root);
		close(up[1]);
		child_check(read(up[0], &b, 1) == 1 && b == 'k');
		child_check(kill(-root, SIGKILL) == 0);
		while (waitpid(-1, &status, 0) > 0 || errno == EINTR)
			;
		after = sysvipc_objects();
		if (after != before)
			fprintf(stderr, "System V objects: %d before, %d after\n", before, after);
		child_check(after == before);
		_exit(0);
	}
	{
		int rc = test_wait(pid);

		if (rc == 77) {
			print_message("SKIP: no IPC namespace of our own\n");
			skip();
		}
		assert_int_equal(rc, 0);
	}
}

/* Bytes of segment shmid in memory now (mincore(2) on a mapping of ours). */
static size_t resident_bytes(int shmid)
{
	long page = sysconf(_SC_PAGESIZE);
	struct shmid_ds ds;
	unsigned char *addr, *vec;
	size_t pages, count = 0;

	assert_int_equal(shmctl(shmid, IPC_STAT, &ds), 0);
	pages = (ds.shm_segsz + (size_t)page - 1) / (size_t)page;
	addr = shmat(shmid, NULL, SHM_RDONLY);
	vec = malloc(pages);
	assert_true(addr != (void *)-1 && vec != NULL);
	assert_int_equal(mincore(addr, ds.shm_segsz, vec), 0);
	for (size_t i = 0; i < pages; i++)
		count += vec[i] & 1;
	free(vec);
	shmdt(addr);
	return count * (size_t)page;
}

/* Store size and fetch it back, in this process only. */
static void assert_stores_here(share_t *s, size_t size, unsigned seed)
{
	unsigned char *value = malloc(size ? size : 1);

	assert_non_null(value);
	test_fill(value, size, seed);
	assert_int_equal(share_store(s, value, size), 0);
	test_assert_fetches(s, value, size);
	free(value);
}

/*
 * A private share keeps a value of any length in its head, its only
 * segment, and gives the pages of long values back once shorter ones
 * have replaced them in both slots. No child here: under valgrind, a
 * child's leak check at exit reads every page it maps, and so makes the
 * kernel allocate them all.
 */
static void test_private_values_in_head(void **unused)
{
	(void)unused;
	share_t *s = test_open(IPC_PRIVATE, 1024, NATIVE);
	pid_t self = getpid();
	const size_t sizes[] = { 0, 1, 5000, 1 << 20, 64 << 20, 10, 3 << 20, 100 };
	int shmid = test_ids(s).shmid;

	share_set_destroy(s, 1);
	if (sizeof(size_t) > 4)
		assert_true(share_segment_size(s) >= 2 * ((size_t)SHARELITE_MAX_LENGTH + 1));
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		assert_stores_here(s, sizes[i], (unsigned)i);
		assert_int_equal(share_num_segments(s), 1);
	}
	assert_int_equal(segments_made_by(&self, 1), 1);
	assert_stores_here(s, 8 << 20, 1);
	assert_stores_here(s, 8 << 20, 2);
	assert_true(resident_bytes(shmid) >= (size_t)16 << 20);
	assert_stores_here(s, 10, 3);
	assert_stores_here(s, 10, 4);
	assert_true(resident_bytes(shmid) < (size_t)1 << 20);
	assert_closed_and_gone(s, &self, 1);
}

/*
 * A child in an IPC namespace of its own, with one of the namespace's
 * limits (a file under /proc/sys/kernel) set to value: 0 in the child, its
 * pid in the parent. Only root may set them: the test is skipped otherwise.
 */
static pid_t fork_with_ipc_limit(const char *name, const char *value)
{
	char path[64];
	pid_t pid;
	FILE *f;

	if (geteuid() != 0) {
		print_message("SKIP: an IPC namespace and its limits need root\n");
		skip();
	}
	pid = test_fork(NULL);
	if (pid != 0)
		return pid;
	snprintf(path, sizeof(path), "/proc/sys/kernel/%s", name);
	child_check(unshare(CLONE_NEWIPC) == 0);
	f = fopen(path, "w");
	child_check(f != NULL);
	child_check(fprintf(f, "%s\n", value) > 0 && fclose(f) == 0);
	return 0;
}

/*
 * Where the system refuses a head large enough for any value (SHMMAX
 * lowered, in an IPC namespace of the child's own), a private share gets
 * the size asked for, and a value longer than its slot fails with ENOSPC,
 * leaving the share whole and nothing behind.
 */
static void test_private_head_refused(void **unused)
{
	(void)unused;
	pid_t pid = fork_with_ipc_limit("shmmax", "1048576");

	if (pid == 0) {
		static unsigned char big[5000];
		share_t *s = share_new(IPC_PRIVATE, 4096, NATIVE);

		child_check(s != NULL && share_segment_size(s) == 4096);
		child_check(share_store(s, "small", 5) == 0);
		errno = 0;
		child_check(share_store(s, big, sizeof(big)) == -1 && errno == ENOSPC);
		errno = 0;
		child_check(share_store(s, big, sizeof(big)) == -1 && errno == ENOSPC);
		child_check(share_fetch_into(s, big, sizeof(big)) == 5 &&
			    memcmp(big, "small", 5) == 0);
		child_check(share_close(s) == 0);
		child_check(sysvipc_objects() == 0);
		_exit(0);
	}
	assert_int_equal(test_wait(pid), 0);
}

/* Whether process pid is asleep in futex(2) (from /proc): the lock's wait. */
static int in_futex(pid_t pid);

/* Wait until process pid sleeps in futex(2), as /proc tells. */
static void wait_until_asleep(pid_t pid)
{
	int seen;

	for (int i = 0; (seen = in_futex(pid)) == 0; i++) {
		assert_true(i < 10000);
		usleep(1000);
	}
	if (seen < 0)
		print_message("cannot read /proc/PID/syscall: not checking the sleep\n");
}

/*
 * A private share's locks, kept in its head: a live holder keeps LOCK_NB
 * out (EWOULDBLOCK) and a timeout runs out (ETIMEDOUT); a holder killed
 * with SIGKILL, even one not reaped yet, never leaves the share locked,
 * whether it held LOCK_EX or LOCK_SH, for a waiter already asleep too.
 */
static void test_private_lock_dies_with_holder(void **unused)
{
	(void)unused;
	share_t *s = test_open(IPC_PRIVATE, 0, NATIVE);

	share_set_destroy(s, 1);
	for (int round = 0; round < 2; round++) {
		int held = round ? LOCK_SH : LOCK_EX;
		struct test_chan c, w;
		pid_t holder = test_fork(&c), waiter;

		if (holder == 0) {
			child_check(share_lock(s, held) == 0);
			test_send(&c, 'k');
			pause();
			_exit(0);
		}
		assert_int_equal(test_recv(&c), 'k');
		test_assert_locks(s, held == LOCK_SH, held == LOCK_EX);
		assert_int_equal(test_semid(s), -1);
		assert_fails(share_lock(s, LOCK_EX | LOCK_NB), -1, EWOULDBLOCK);
		share_set_timeout(s, 30);
		assert_fails(share_lock(s, LOCK_EX), -1, ETIMEDOUT);
		assert_fails(share_store(s, "x", 1), -1, ETIMEDOUT);
		if (held == LOCK_SH) {
			/* Shared with a live LOCK_SH holder: fine. */
			assert_int_equal(share_lock(s, LOCK_SH | LOCK_NB), 0);
			assert_int_equal(share_unlock(s), 0);
		} else {
			assert_fails(share_lock(s, LOCK_SH | LOCK_NB), -1, EWOULDBLOCK);
		}
		/* A family member asleep waiting for LOCK_EX. */
		waiter = test_fork(&w);
		if (waiter == 0) {
			share_set_timeout(s, 20000);
			child_check(share_lock(s, LOCK_EX) == 0);
			child_check(share_store(s, "waiter", 6) == 0);
			child_check(share_unlock(s) == 0);
			test_send(&w, 'k');
			_exit(0);
		}
		wait_until_asleep(waiter);
		/* Killed, and left a zombie: its parent is us, waiting below. */
		assert_int_equal(kill(holder, SIGKILL), 0);
		assert_int_equal(test_recv(&w), 'k');
		assert_int_equal(test_wait(waiter), 0);
		test_assert_value(s, "waiter");
		share_set_timeout(s, 20000);
		assert_int_equal(share_lock(s, LOCK_EX), 0);
		assert_int_equal(share_unlock(s), 0);
		assert_int_equal(test_wait(holder), -1);
		share_set_timeout(s, -1);
	}
	test_assert_locks(s, 0, 0);
	assert_int_equal(test_close(s), 0);
}

/*
 * Upgrades and downgrades of a private share's lock, as flock(2)'s: a
 * refused LOCK_NB upgrade keeps LOCK_SH, a blocking one waits for the
 * other holder, a downgrade lets shared takers in and keeps writers out.
 */
static void test_private_lock_changes(void **unused)
{
	(void)unused;
	share_t *s = test_open(IPC_PRIVATE, 0, NATIVE);
	struct test_chan c;
	pid_t pid;

	share_set_destroy(s, 1);
	assert_int_equal(share_lock(s, LOCK_SH), 0);
	pid = test_fork(&c);
	if (pid == 0) {
		for (int op; (op = test_recv(&c)) > 0;) {
			errno = 0;
			test_send(&c, share_lock(s, op) == 0 ? 'k' : errno == EWOULDBLOCK ? 'w' : 'e');
		}
		_exit(0);
	}
	assert_int_equal(test_send(&c, LOCK_SH | LOCK_NB), 0);
	assert_int_equal(test_recv(&c), 'k');
	test_assert_locks(s, 2, 0);
	assert_fails(share_lock(s, LOCK_EX | LOCK_NB), -1, EWOULDBLOCK);
	test_assert_locks(s, 2, 0);	/* ours kept */
	/* Blocking: gives LOCK_SH up and waits for the child's to go. */
	share_set_timeout(s, 30);
	assert_fails(share_lock(s, LOCK_EX), -1, ETIMEDOUT);
	test_assert_locks(s, 2, 0);	/* and taken back */
	share_set_timeout(s, -1);
	assert_int_equal(test_send(&c, LOCK_UN), 0);
	assert_int_equal(test_recv(&c), 'k');
	assert_int_equal(share_lock(s, LOCK_EX), 0);
	test_assert_locks(s, 0, 1);
	assert_int_equal(test_send(&c, LOCK_SH | LOCK_NB), 0);
	assert_int_equal(test_recv(&c), 'w');
	assert_int_equal(share_lock(s, LOCK_SH), 0);	/* downgrade */
	assert_int_equal(test_send(&c, LOCK_SH | LOCK_NB), 0);
	assert_int_equal(test_recv(&c), 'k');
	test_assert_locks(s, 2, 0);
	assert_int_equal(test_send(&c, LOCK_EX | LOCK_NB), 0);
	assert_int_equal(test_recv(&c), 'w');
	assert_int_equal(share_unlock(s), 0);
	assert_int_equal(test_send(&c, LOCK_EX | LOCK_NB), 0);	/* its upgrade */
	assert_int_equal(test_recv(&c), 'k');
	test_assert_locks(s, 0, 1);
	close(c.wr);
	assert_int_equal(test_wait(pid), 0);	/* exits holding LOCK_EX */
	assert_int_equal(share_lock(s, LOCK_EX | LOCK_NB), 0);
	assert_int_equal(test_close(s), 0);
}

/*
 * The table has room for NATIVE_HOLDERS holders: the one beyond gets
 * ERANGE (as at SEMVMX shared locks), until a holder goes, by dying here. A forked child
 * never holds or gives back its parent's lock.
 */
static void test_private_lock_table_full(void **unused)
{
	(void)unused;
	share_t *s = test_open(IPC_PRIVATE, 0, NATIVE);
	static pid_t holders[NATIVE_HOLDERS];
	struct test_chan c;
	pid_t child;

	share_set_destroy(s, 1);
	for (int i = 0; i < NATIVE_HOLDERS; i++) {
		int up[2];
		char b;

		assert_int_equal(pipe(up), 0);
		holders[i] = fork();
		assert_true(holders[i] >= 0);
		if (holders[i] == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			child_check(share_lock(s, LOCK_SH) == 0);
			child_check(write(up[1], "k", 1) == 1);
			pause();
			_exit(0);
		}
		close(up[1]);
		assert_int_equal(read(up[0], &b, 1), 1);
		close(up[0]);
	}
	assert_fails(share_lock(s, LOCK_SH), -1, ERANGE);
	assert_fails(share_num_segments(s), -1, ERANGE);
	assert_fails(share_lock(s, LOCK_EX | LOCK_NB), -1, EWOULDBLOCK);
	kill(holders[0], SIGKILL);
	assert_int_equal(waitpid(holders[0], NULL, 0), holders[0]);
	assert_int_equal(share_lock(s, LOCK_SH), 0);
	for (int i = 1; i < NATIVE_HOLDERS; i++) {
		kill(holders[i], SIGKILL);
		waitpid(holders[i], NULL, 0);
	}
	/* The parent's LOCK_SH is not the child's: the child's LOCK_UN gives
	 * nothing back, and its LOCK_EX waits for the parent. */
	child = test_fork(&c);
	if (child == 0) {
		child_check(share_unlock(s) == 0);
		errno = 0;
		child_check(share_lock(s, LOCK_EX | LOCK_NB) == -1 && errno == EWOULDBLOCK);
		child_check(share_lock(s, LOCK_SH | LOCK_NB) == 0);
		_exit(0);	/* holding LOCK_SH: dies with it */
	}
	assert_int_equal(test_wait(child), 0);
	assert_int_equal(share_lock(s, LOCK_EX | LOCK_NB), 0);
	assert_int_equal(share_unlock(s), 0);
	assert_int_equal(test_close(s), 0);
}

/* Removed by another handle: calls fail with EIDRM, and the key is free. */
static void test_removed_under_a_reader(void **unused)
{
	(void)unused;
	key_t key = test_use_key(5);
	share_t *a = test_open(key, 0, NATIVE | 0600), *b = test_open(key, 0, 0);
	void *data = NULL;

	assert_int_equal(share_store(a, "v", 1), 0);
	assert_int_equal(share_remove(a), 0);
	assert_true(test_key_gone(key));
	assert_fails(share_fetch(b, &data), -1, EIDRM);
	assert_fails(share_store(b, "w", 1), -1, EIDRM);
	assert_int_equal(share_version(b), 0);
	assert_int_equal(test_close(b), 0);
	assert_int_equal(test_close(a), 0);
}

/*
 * One writer stores value after value while the parent fetches: each
 * fetch is one whole stored value, with the version it was stored as.
 */
static void fetches_never_torn(share_t *s)
{
	unsigned char value[VALUE_MAX];
	unsigned int version = 0;
	int changes = 0;
	pid_t pid;

	share_set_destroy(s, 1);
	assert_int_equal(share_store(s, value, make_value(value, 1)), 0);	/* version 2 */
	pid = test_fork(NULL);
	if (pid == 0) {
		for (uint32_t seed = 2; seed < 20000; seed++)
			child_check(share_store(s, value, make_value(value, seed)) == 0);
		_exit(0);
	}
	for (;;) {
		void *data = NULL;
		size_t length = 0;
		uint32_t seed;
		int rc = share_fetch_if_changed(s, &version, &data, &length);

		assert_true(rc >= 0);
		if (rc) {
			assert_true(whole_value(data, length, &seed));
			assert_int_equal(version, seed + 1);
			changes++;
		}
		free(data);
		if (version == 20000)
			break;
	}
	assert_int_equal(test_wait(pid), 0);
	assert_true(changes > 0);
	assert_int_equal(test_close(s), 0);
}

/*
 * Small values only, stored by a timer's signal handler through a second
 * handle, two at a time: the handler runs at whatever instruction of the
 * fetch the timer interrupts, between its loads of current and of the
 * small copy too, and rewrites that copy before the fetch goes on. Each
 * fetch is still one whole value with its version. (A store from a signal
 * handler is safe here only because the interrupted code is a lock-free
 * fetch, which holds no lock the store takes.)
 */
#define SMALL_FETCHES 300000
#define SMALL_INTERRUPTS 1000
#define SMALL_SECONDS 20
static share_t *interrupter;
static uint32_t next_seed = 2;
static volatile sig_atomic_t interrupts;

/* make_value(), always small. */
static size_t make_small_value(unsigned char *buf, uint32_t seed)
{
	size_t length = test_value_length(seed, NATIVE_SMALL);

	test_value_fill(buf, seed, length);
	return length;
}

static void store_two(int sig)
{
	unsigned char value[NATIVE_SMALL];
	int err = errno;

	(void)sig;
	for (int k = 0; k < 2; k++, next_seed++)
		if (share_store(interrupter, value, make_small_value(value, next_seed)) != 0)
			abort();
	interrupts++;
	errno = err;
}

static void test_small_fetches_never_torn(void **unused)
{
	(void)unused;
	key_t key = test_use_key(18);
	share_t *s = test_open(key, 1024, NATIVE | 0600);
	struct itimerspec every = { { 0, 20000 }, { 0, 20000 } }, never = { { 0, 0 }, { 0, 0 } };
	struct sigevent how = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGRTMIN };
	struct sigaction on = { .sa_handler = store_two }, off = { .sa_handler = SIG_IGN };
	timer_t timer;
	time_t deadline;
	int whole = 1;
	unsigned char value[NATIVE_SMALL];

	share_set_destroy(s, 1);
	interrupter = test_open(key, 0, 0);
	/* Version 2; seed n is stored as version n + 1. */
	assert_int_equal(share_store(s, value, make_small_value(value, 1)), 0);
	sigemptyset(&on.sa_mask);
	sigemptyset(&off.sa_mask);
	on.sa_flags = SA_RESTART;
	/* A timer of its own, not SIGALRM's: the watchdog has that. */
	assert_int_equal(sigaction(SIGRTMIN, &on, NULL), 0);
	assert_int_equal(timer_create(CLOCK_MONOTONIC, &how, &timer), 0);
	assert_int_equal(timer_settime(timer, 0, &every, NULL), 0);
	/*
	 * Checked in the loop, asserted after the timer stops, so that a
	 * failure leaves no handler storing through a closed handle. Until
	 * enough interrupts too, or a time: valgrind delivers signals only
	 * now and then.
	 */
	deadline = time(NULL) + SMALL_SECONDS;
	for (int i = 0; whole && (i < SMALL_FETCHES || interrupts < SMALL_INTERRUPTS) &&
			(i % 1024 || time(NULL) < deadline); i++) {
		void *data = NULL;
		size_t length = 0;
		uint32_t seed = 0;
		/* 0 is no version: each call fetches, with the version. */
		unsigned int version = 0;

		whole = share_fetch_if_changed(s, &version, &data, &length) == 1 &&
			test_value_ok(data, length, NATIVE_SMALL);
		if (whole) {
			memcpy(&seed, data, 4);
			whole = version == seed + 1;
		}
		free(data);
	}
	assert_int_equal(timer_settime(timer, 0, &never, NULL), 0);
	assert_int_equal(timer_delete(timer), 0);
	assert_int_equal(sigaction(SIGRTMIN, &off, NULL), 0);	/* drops one pending */
	assert_true(whole);
	/* Interrupted often enough to have met the copy being rewritten. */
	assert_true(interrupts >= SMALL_INTERRUPTS / 10);
	assert_int_equal(test_close(interrupter), 0);
	assert_int_equal(test_close(s), 0);
}

/* Slots of 416 bytes: values go in the slots and in segments. */
static void test_fetches_never_torn(void **unused)
{
	(void)unused;
	fetches_never_torn(test_open(test_use_key(12), 1024, NATIVE | 0600));
}

/* A private share: every value in the head. */
static void test_fetches_never_torn_private(void **unused)
{
	(void)unused;
	fetches_never_torn(test_open(IPC_PRIVATE, 1024, NATIVE));
}

/* Values longer than a reader's lock-free tries allow for (value.c,
 * LONG_COPY): a reader beside a writer that stores back to back still
 * finishes each fetch, and with one whole value. */
#define LONG_VALUE_MAX (512 * 1024)
static void test_long_fetches_beside_a_writer(void **unused)
{
	(void)unused;
	share_t *s = test_open(test_use_key(14), 4096, NATIVE | 0600);
	unsigned char *value = malloc(LONG_VALUE_MAX);
	int fetches = 0;
	pid_t pid;

	assert_non_null(value);
	share_set_destroy(s, 1);
	test_value_fill(value, 1, test_value_length(1, LONG_VALUE_MAX));
	assert_int_equal(share_store(s, value, test_value_length(1, LONG_VALUE_MAX)), 0);
	pid = test_fork(NULL);
	if (pid == 0) {
		for (uint32_t seed = 2;; seed++) {	/* until killed */
			size_t n = test_value_length(seed, LONG_VALUE_MAX);

			test_value_fill(value, seed, n);
			child_check(share_store(s, value, n) == 0);
		}
	}
	while (fetches < 200) {
		void *data = NULL;
		ssize_t n = share_fetch(s, &data);

		assert_true(n >= 0);
		assert_true(test_value_ok(data, (size_t)n, LONG_VALUE_MAX));
		free(data);
		fetches++;
	}
	kill(pid, SIGKILL);
	assert_int_equal(test_wait(pid), -1);
	free(value);
	assert_int_equal(test_close(s), 0);
}

/*
 * Writers killed at any instruction: every fetch after is one whole value,
 * and the next writer goes on at once (no timeout waits for the dead).
 */
static void killed_writers(share_t *s)
{
	unsigned char value[VALUE_MAX];
	struct timespec start, now;
	static pid_t pids[2001];
	int kills = 0;

	share_set_destroy(s, 1);
	share_set_timeout(s, 5000);
	clock_gettime(CLOCK_MONOTONIC, &start);
	srand((unsigned)start.tv_nsec);
	do {
		pid_t pid = test_fork(NULL);
		void *data = NULL;
		uint32_t seed;
		ssize_t n;

		if (pid == 0) {
			for (uint32_t i = (uint32_t)rand();; i++)
				share_store(s, value, make_value(value, i));
		}
		pids[kills] = pid;
		usleep((useconds_t)(rand() % 2000));
		kill(pid, SIGKILL);
		assert_int_equal(test_wait(pid), -1);
		kills++;
		n = share_fetch(s, &data);
		assert_true(n >= 0);
		assert_true(whole_value(data, (size_t)n, &seed) ||
			    (kills == 1 && n == 0));	/* killed before its first store */
		free(data);
		assert_int_equal(share_store(s, value, make_value(value, 7)), 0);
		assert_int_equal(share_fetch(s, &data), (ssize_t)make_value(value, 7));
		assert_memory_equal(data, value, make_value(value, 7));
		free(data);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec - start.tv_sec < 2 && kills < 2000);
	/* No segment left behind by a writer killed while replacing one. */
	pids[kills++] = getpid();
	assert_closed_and_gone(s, pids, kills);
}

/*
 * A share whose two slots both hold values long enough for readers to
 * hold (value.c, LONG_COPY), and its head mapped: the slot published and
 * the mapping through which the test holds it as a reader does.
 */
#define HELD_LENGTH 100000
static struct native_head *two_long_values(share_t *s, unsigned int *slot)
{
	unsigned char *v = malloc(HELD_LENGTH);
	struct native_head *h;

	assert_non_null(v);
	share_set_destroy(s, 1);
	for (unsigned seed = 1; seed <= 2; seed++) {
		test_fill(v, HELD_LENGTH, seed);
		assert_int_equal(share_store(s, v, HELD_LENGTH), 0);
	}
	free(v);
	h = shmat(test_info(s).shmid, NULL, 0);
	assert_true(h != (void *)-1);
	*slot = native_current_index(__atomic_load_n(&h->current, __ATOMIC_ACQUIRE));
	return h;
}

/* A child that stores twice: into the free slot, then into the held one. */
static pid_t store_twice(share_t *s, struct test_chan *c)
{
	pid_t pid = test_fork(c);

	if (pid == 0) {
		static unsigned char v[HELD_LENGTH];

		test_fill(v, sizeof(v), 3);
		child_check(share_store(s, v, sizeof(v)) == 0);
		child_check(test_send(c, 'a') == 0);
		child_check(share_store(s, v, sizeof(v)) == 0);
		child_check(test_send(c, 'b') == 0);
		_exit(0);
	}
	return pid;
}

/* A writer leaves a slot that a reader holds be until it lets go. */
static void test_writer_leaves_a_held_slot_be(void **unused)
{
	(void)unused;
	share_t *s = test_open(test_use_key(15), 4096, NATIVE | 0600);
	unsigned int i, version;
	struct native_head *h = two_long_values(s, &i);
	uint32_t seq = __atomic_load_n(&h->slot[i].seq, __ATOMIC_ACQUIRE);
	struct test_chan c;
	pid_t pid;

	__atomic_add_fetch(&h->slot[i].holds, 1, __ATOMIC_SEQ_CST);
	version = share_version(s);
	pid = store_twice(s, &c);
	assert_int_equal(test_recv(&c), 'a');
	/* Given time to write the held slot, the writer has not begun. */
	usleep(50000);
	assert_int_equal(__atomic_load_n(&h->slot[i].seq, __ATOMIC_ACQUIRE), seq);
	assert_int_equal(share_version(s), version + 1);
	__atomic_sub_fetch(&h->slot[i].holds, 1, __ATOMIC_RELEASE);
	syscall(SYS_futex, &h->slot[i].holds, FUTEX_WAKE, 1, NULL, NULL, 0);
	assert_int_equal(test_recv(&c), 'b');
	assert_int_equal(test_wait(pid), 0);
	assert_int_equal(share_version(s), version + 2);
	shmdt(h);
	assert_int_equal(test_close(s), 0);
}

/* A hold its reader never lets go (killed) delays one store, once. */
static void test_writer_clears_a_dead_hold(void **unused)
{
	(void)unused;
	share_t *s = test_open(test_use_key(16), 4096, NATIVE | 0600);
	unsigned int i, version;
	struct native_head *h = two_long_values(s, &i);
	struct test_chan c;
	pid_t pid;

	__atomic_add_fetch(&h->slot[i].holds, 1, __ATOMIC_SEQ_CST);
	version = share_version(s);
	pid = store_twice(s, &c);
	assert_int_equal(test_recv(&c), 'a');
	assert_int_equal(test_recv(&c), 'b');
	assert_int_equal(test_wait(pid), 0);
	assert_int_equal(share_version(s), version + 2);
	assert_int_equal(__atomic_load_n(&h->slot[i].holds, __ATOMIC_ACQUIRE), 0);
	shmdt(h);
	assert_int_equal(test_close(s), 0);
}

/* Slots of 416 bytes: writers killed while making, filling or replacing
 * a value's segment too. */
static void test_killed_writers(void **unused)
{
	(void)unused;
	killed_writers(test_open(test_use_key(13), 1024, NATIVE | 0600));
}

static void test_killed_writers_private(void **unused)
{
	(void)unused;
	killed_writers(test_open(IPC_PRIVATE, 1024, NATIVE));
}

/* Whether process pid sleeps in futex(2) now, as /proc tells; -1 if it cannot tell. */
static int in_futex(pid_t pid)
{
	char path[64], line[256];
	FILE *f;
	long nr = -1;

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fgets(line, sizeof(line), f))
		nr = strtol(line, NULL, 10);
	fclose(f);
	return nr == SYS_futex;
}

/*
 * A waiter sleeps in futex(2) until a store wakes it, and a removal wakes
 * it with EIDRM; a wait with nothing stored times out.
 */
static void test_wait_change_sleeps_until_a_store(void **unused)
{
	(void)unused;
	key_t key = test_use_key(8);
	share_t *s = test_open(key, 0, NATIVE | 0600);
	struct test_chan c;
	pid_t pid;
	int seen;

	assert_int_equal(share_wait_change(s, 1, 0), 0);
	assert_int_equal(share_wait_change(s, 1, 20), 0);
	assert_int_equal(share_wait_change(s, 7, -1), 1);
	pid = test_fork(&c);
	if (pid == 0) {
		share_t *t = share_new(key, 0, 0);

		child_check(t != NULL);
		test_send(&c, 'r');
		child_check(share_wait_change(t, 1, -1) == 1);
		child_check(share_version(t) == 2);
		test_send(&c, 'w');
		errno = 0;
		child_check(share_wait_change(t, 2, -1) == -1 && errno == EIDRM);
		_exit(0);
	}
	assert_int_equal(test_recv(&c), 'r');
	/* Asleep in the kernel, not polling: wait until /proc says so (a
	 * poller would be seen in nanosleep, for ever: 10 s is plenty). */
	for (int i = 0; (seen = in_futex(pid)) == 0; i++) {
		assert_true(i < 10000);
		usleep(1000);
	}
	if (seen < 0)
		print_message("cannot read /proc/PID/syscall: not checking the sleep\n");
	assert_int_equal(share_store(s, "x", 1), 0);
	assert_int_equal(test_recv(&c), 'w');
	for (int i = 0; in_futex(pid) == 0; i++) {
		assert_true(i < 10000);
		usleep(1000);
	}
	assert_int_equal(share_remove(s), 0);
	assert_int_equal(test_wait(pid), 0);
	assert_int_equal(test_close(s), 0);
}

/*
 * Creating the set fails (no semaphore set may be made: SEMMNI 0, in an
 * IPC namespace of the child's own): share_new() fails with ENOSPC at
 * once, rather than starting the open again for ever.
 */
static void test_create_fails_cleanly(void **unused)
{
	(void)unused;
	pid_t pid = fork_with_ipc_limit("sem", "250 32000 32 0");

	if (pid == 0) {
		signal(SIGALRM, SIG_DFL);	/* not the parent's watchdog */
		alarm(10);	/* a loop for ever ends here, as a failure */
		errno = 0;
		child_check(share_new(test_key(9), 0, NATIVE | 0600) == NULL && errno == ENOSPC);
		_exit(0);
	}
	assert_int_equal(test_wait(pid), 0);
}

/*
 * A head written over so that it names a live process as a writer that
 * died creating a value segment: the next store removes none of that
 * process's segments, however well they match, and keeps the record until
 * the process is gone (a zombie is); then the segments it left are removed.
 */
static int theirs = -1;	/* the other program's segment, until removed */

static int remove_theirs(void **state)
{
	int rc = test_teardown(state);

	if (theirs >= 0)
		shmctl(theirs, IPC_RMID, NULL);
	theirs = -1;
	return rc;
}

static void test_head_names_a_live_creator(void **unused)
{
	(void)unused;
	key_t key = test_use_key(17);
	share_t *s = test_open(key, 4096, NATIVE | 0600);
	struct native_head *h = shmat(shmget(key, 0, 0), NULL, 0);
	struct test_chan c;
	struct shmid_ds ds;
	pid_t pid;

	assert_true(h != (void *)-1);
	/* Another program's segment, as a value segment of this share would
	 * be: private, unattached, the head's mode, made after "since". */
	pid = test_fork(&c);
	if (pid == 0) {
		int id = shmget(IPC_PRIVATE, 8192, IPC_CREAT | 0600);

		child_check(id >= 0);
		child_check(write(c.wr, &id, sizeof(id)) == (ssize_t)sizeof(id));
		test_recv(&c);	/* until told, or the parent is gone */
		_exit(0);
	}
	assert_int_equal(read(c.rd, &theirs, sizeof(theirs)), (ssize_t)sizeof(theirs));
	h->creating_size = 8192;
	h->creating_since = (int64_t)time(NULL) - 60;
	h->creator = pid;
	assert_int_equal(share_store(s, "one", 3), 0);
	assert_int_equal(share_store(s, "two", 3), 0);
	assert_int_equal(shmctl(theirs, IPC_STAT, &ds), 0);
	assert_false(ds.shm_perm.mode & SHM_DEST);
	assert_int_equal(h->creator, pid);
	/* Gone, a zombie not reaped yet as a killed writer often is: its
	 * segment is taken for what a dead writer left. */
	assert_int_equal(test_send(&c, 'q'), 0);
	{
		siginfo_t info;

		assert_int_equal(waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT), 0);
	}
	assert_int_equal(share_store(s, "three", 5), 0);
	assert_int_equal(test_wait(pid), 0);
	assert_fails(shmctl(theirs, IPC_STAT, &ds), -1, EINVAL);
	theirs = -1;
	assert_int_equal(h->creator, 0);
	test_assert_value(s, "three");
	shmdt(h);
	assert_int_equal(test_close(s), 0);
}

/* Nothing read from the head is trusted. */
static void test_scribbled_head(void **unused)
{
	(void)unused;
	key_t key = test_use_key(6);
	share_t *s = test_open(key, 4096, NATIVE | 0600);
	unsigned char *head = shmat(shmget(key, 0, 0), NULL, 0);
	struct native_head *h = (struct native_head *)(void *)head;
	/* Longer than a small copy holds: these live in a slot. */
	const char *value = "a value of more than sixteen bytes";
	const char *again = "again, more than sixteen bytes";
	void *data = NULL;
	char buf[64];

	assert_true(head != (void *)-1);
	assert_int_equal(share_store(s, value, strlen(value)), 0);
	/* Every slot's length past its size. */
	for (int i = 0; i < 2; i++)
		h->slot[i].length = ~(uint64_t)0;
	assert_fails(share_fetch(s, &data), -1, EBADMSG);
	assert_fails(share_fetch_into(s, buf, sizeof(buf)), -1, EBADMSG);
	/* A store writes the other slot whole again. */
	assert_int_equal(share_store(s, again, strlen(again)), 0);
	test_assert_value(s, again);
	/* A slot that names a segment too short for its length, or none. */
	{
		int small = shmget(IPC_PRIVATE, 100, IPC_CREAT | 0600);
		unsigned i = (unsigned)(h->current & 1);

		assert_true(small >= 0);
		h->slot[i].shmid = small;
		h->slot[i].length = 5000;
		assert_fails(share_fetch(s, &data), -1, EBADMSG);
		shmctl(small, IPC_RMID, NULL);
		assert_fails(share_fetch(s, &data), -1, EBADMSG);
		h->slot[i].shmid = -1;
		h->slot[i].length = strlen(again);
		test_assert_value(s, again);
	}
	/* A small copy longer than a copy holds, or of another version. */
	{
		unsigned i;
		uint32_t version;

		assert_int_equal(share_store(s, "small", 5), 0);
		i = (unsigned)(h->current & 1);
		assert_true(h->current & NATIVE_IN_SMALL);
		h->small[i].length = NATIVE_SMALL + 1;
		assert_fails(share_fetch(s, &data), -1, EBADMSG);
		assert_fails(share_fetch_into(s, buf, sizeof(buf)), -1, EBADMSG);
		assert_fails(share_view(s, (const void **)&data), -1, EBADMSG);
		h->small[i].length = ~(uint32_t)0;
		assert_fails(share_fetch(s, &data), -1, EBADMSG);
		h->small[i].length = 5;
		test_assert_value(s, "small");
		version = h->small[i].version;
		h->small[i].version = version + 1;
		assert_fails(share_fetch(s, &data), -1, EBADMSG);
		assert_fails(share_fetch_into(s, buf, sizeof(buf)), -1, EBADMSG);
		h->small[i].version = version;
		test_assert_value(s, "small");
		/* A store writes the other copy whole again. */
		h->small[i].length = NATIVE_SMALL + 1;
		assert_int_equal(share_store(s, "small again", 11), 0);
		test_assert_value(s, "small again");
	}
	/* A slot that names a segment that is no value segment: another
	 * program's (another mode), or the head. Fetching it fails; a store
	 * into that slot neither writes into it nor removes it. */
	{
		int other = shmget(IPC_PRIVATE, 8192, IPC_CREAT | 0640);
		unsigned char *o = shmat(other, NULL, 0), big[6000];
		unsigned i;
		struct shmid_ds ds;

		assert_true(other >= 0 && o != (void *)-1);
		assert_int_equal(share_store(s, again, strlen(again)), 0);
		i = (unsigned)(h->current & 1);
		h->slot[i].shmid = other;
		h->slot[i].length = 5000;
		assert_fails(share_fetch(s, &data), -1, EBADMSG);
		h->slot[i].shmid = shmget(key, 0, 0);
		assert_fails(share_fetch(s, &data), -1, EBADMSG);
		h->slot[i].shmid = other;
		h->slot[1 - i].shmid = other;	/* where the next store goes */
		test_fill(big, sizeof(big), 3);
		assert_int_equal(share_store(s, big, sizeof(big)), 0);
		test_assert_fetches(s, big, sizeof(big));
		/* Small: slot i gives back what it names, not this. */
		assert_int_equal(share_store(s, "small", 5), 0);
		test_assert_value(s, "small");
		for (size_t k = 0; k < 8192; k++)
			assert_int_equal(o[k], 0);
		assert_int_equal(shmctl(other, IPC_STAT, &ds), 0);
		assert_false(ds.shm_perm.mode & SHM_DEST);
		shmdt(o);
		shmctl(other, IPC_RMID, NULL);
	}
	/* Not a native head: refused. */
	memset(head, 0xff, 4);
	assert_fails(share_new(key, 0, 0), NULL, EEXIST);
	memset(head, 0, 4);
	shmdt(head);
	share_set_destroy(s, 1);
	assert_int_equal(test_close(s), 0);
}

#ifdef __GLIBC__
/*
 * A writers' mutex written over into another kind (here priority
 * inheritance, held by a thread that does not exist), where glibc's code
 * would abort the process: every call that takes it fails with EBADMSG.
 * In a child, so that an abort fails the test and no more.
 */
static void test_scribbled_mutex_kind(void **unused)
{
	(void)unused;
	share_t *s;
	struct test_ids ids;
	struct native_head *h;
	pthread_mutex_t saved;
	pid_t pid;

	s = test_open(IPC_PRIVATE, 4096, NATIVE);
	share_set_destroy(s, 1);
	ids = test_ids(s);
	h = shmat(ids.shmid, NULL, 0);
	assert_true(h != (void *)-1);
	memcpy(&saved, &h->writer.mutex, sizeof(saved));
	h->writer.mutex.__data.__kind |= 32;		/* PTHREAD_MUTEX_PRIO_INHERIT_NP */
	h->writer.mutex.__data.__lock = 0x3ffffff0;	/* a thread id nobody has */
	h->writer.mutex.__data.__owner = 0x3ffffff0;
	pid = test_fork(NULL);
	if (pid == 0) {
		child_check(share_set_timeout(s, 100) == 0);
		child_check(share_store(s, "x", 1) == -1 && errno == EBADMSG);
		child_check(share_lock(s, LOCK_EX) == -1 && errno == EBADMSG);
		_exit(0);
	}
	assert_int_equal(test_wait(pid), 0);
	memcpy(&h->writer.mutex, &saved, sizeof(saved));
	shmdt(h);
	assert_int_equal(share_store(s, "y", 1), 0);
	test_assert_value(s, "y");
	assert_int_equal(test_close(s), 0);
}
#endif

/* IPC::ShareLite, which wants three semaphores, refuses a native key. */
static void test_perl_refuses(void **unused)
{
	(void)unused;
	key_t key = test_use_key(7);
	share_t *s = test_open(key, 0, NATIVE | 0600);
	char cmd[512];
	int rc;

	if (system("perl -MIPC::ShareLite -e 1 2>/dev/null") != 0) {
		share_set_destroy(s, 1);
		test_close(s);
		print_message("SKIP: Perl's IPC::ShareLite is not installed\n");
		skip();
	}
	assert_int_equal(share_store(s, "native", 6), 0);
	for (int create = 0; create < 2; create++) {
		snprintf(cmd, sizeof(cmd),
			 "perl -MIPC::ShareLite -e 'my $s = IPC::ShareLite->new(-key => %d, "
			 "-create => %s, -destroy => 0) or exit 3; $s->store(\"perl\"); exit 0' "
			 "2>/dev/null",
			 (int)key, create ? "1" : "0");
		rc = system(cmd);
		assert_true(WIFEXITED(rc));
		assert_int_not_equal(WEXITSTATUS(rc), 0);
	}
	test_assert_value(s, "native");
	assert_int_equal(share_version(s), 2);
	share_set_destroy(s, 1);
	assert_int_equal(test_close(s), 0);
	assert_true(test_key_gone(key));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		test_case(test_created_native_and_found_again),
		test_case(test_flag_opens_perl_format_share),
		test_case(test_fetch_into_and_sizes),
		test_case(test_values_of_any_size),
		test_case(test_gigabyte_value),
		test_case(test_private_across_fork),
		test_case(test_explicit_locks_keep_stores_out),
		test_case(test_dead_lock_holder),
		test_case(test_private_gone_when_family_killed),
		test_case(test_private_lock_dies_with_holder),
		test_case(test_private_lock_changes),
		test_case(test_private_lock_table_full),
		test_case(test_private_values_in_head),
		test_case(test_private_head_refused),
		test_case(test_removed_under_a_reader),
		test_case(test_fetches_never_torn),
		test_case(test_small_fetches_never_torn),
		test_case(test_fetches_never_torn_private),
		test_case(test_long_fetches_beside_a_writer),
		test_case(test_writer_leaves_a_held_slot_be),
		test_case(test_writer_clears_a_dead_hold),
		test_case_sweep(test_killed_writers),
		test_case_sweep(test_killed_writers_private),
		test_case(test_wait_change_sleeps_until_a_store),
		test_case(test_create_fails_cleanly),
		cmocka_unit_test_setup_teardown(test_head_names_a_live_creator, test_setup,
						remove_theirs),
		test_case(test_scribbled_head),
#ifdef __GLIBC__
		test_case(test_scribbled_mutex_kind),
#endif
		test_case(test_perl_refuses),
	};

	/* The harness's oracle for this format: its teardown removes a
	 * failed test's value segments too, and test_open() adds SHARE_NATIVE. */
	setenv("SHARELITE_TEST_FORMAT", "native", 1);
	return test_run(tests);
}
