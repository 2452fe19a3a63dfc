/*
 * Opening a share, and what the handle and share_stat() say about it:
 * accessors, version, segments, permission bits, the real segment size.
 */
#include <config.h>
#include "testutil.h"

static void test_accessors(void **unused)
{
	(void)unused;
	key_t key = test_use_key(1);
	share_t *s = test_open(key, 4096, IPC_CREAT | IPC_EXCL);

	assert_int_equal(share_key(s), key);
	assert_int_equal(share_flags(s), IPC_CREAT | IPC_EXCL);
	assert_int_equal(share_mode(s), 0600);	/* no permission bits given */
	assert_int_equal(test_shm_mode(test_shmid(s)), 0600);
	assert_int_equal(share_segment_size(s), 4096);
	assert_int_equal(share_get_destroy(s), 0);
	share_set_destroy(s, 42);
	assert_int_equal(share_get_destroy(s), 1);
	share_set_destroy(s, 0);
	assert_int_equal(share_get_destroy(s), 0);
	assert_int_equal(test_close(s), 0);

	s = test_private(0);
	assert_int_equal(share_key(s), IPC_PRIVATE);
	assert_int_equal(share_flags(s), IPC_CREAT);
	assert_int_equal(share_segment_size(s), SHARELITE_DEFAULT_SEGMENT_SIZE);
	assert_int_equal(share_get_destroy(s), 1);
	assert_int_equal(test_close(s), 0);
}

static void test_library_version(void **unused)
{
	(void)unused;
	assert_string_equal(sharelite_version(), SHARELITE_VERSION_STRING);
	assert_string_equal(sharelite_version(), PACKAGE_VERSION);
	assert_int_equal(SHARELITE_VERSION_NUMBER,
			 (SHARELITE_VERSION_MAJOR << 16) | (SHARELITE_VERSION_MINOR << 8) |
			 SHARELITE_VERSION_PATCH);
}

static void test_version_counts_stores(void **unused)
{
	(void)unused;
	share_t *s = test_private(64);
	unsigned char buf[70];

	test_fill(buf, sizeof(buf), 0);
	assert_int_equal(share_version(s), 1);
	for (unsigned i = 1; i <= 10; i++) {
		assert_int_equal(share_store(s, buf, i * 7), 0);
		assert_int_equal(share_version(s), 1 + i);
	}
	/* Fetching and locking change nothing. */
	free(test_fetch(s));
	assert_int_equal(share_lock(s, LOCK_EX), 0);
	assert_int_equal(share_unlock(s), 0);
	assert_int_equal(share_version(s), 11);
	/* Neither does a failed store. */
	assert_int_equal(share_store(s, NULL, 1), -1);
	assert_int_equal(share_version(s), 11);
	assert_int_equal(test_close(s), 0);
}

static void test_num_segments(void **unused)
{
	(void)unused;
	share_t *s = test_private(116);	/* 100 data bytes */
	unsigned char buf[1001];

	test_fill(buf, sizeof(buf), 5);
	assert_int_equal(share_num_segments(s), 1);
	assert_int_equal(share_store(s, buf, 100), 0);
	assert_int_equal(share_num_segments(s), 1);
	assert_int_equal(share_store(s, buf, 101), 0);
	assert_int_equal(share_num_segments(s), 2);
	assert_int_equal(share_store(s, buf, 1001), 0);
	assert_int_equal(share_num_segments(s), 11);
	assert_int_equal(share_store(s, buf, 0), 0);
	assert_int_equal(share_num_segments(s), 1);
	assert_int_equal(test_close(s), 0);
}

static void test_stat(void **unused)
{
	(void)unused;
	key_t key = test_use_key(1);
	share_t *s = test_open(key, 1040, IPC_CREAT | IPC_EXCL | 0640);
	share_t *other;
	struct share_info info;
	unsigned char buf[3000];

	test_fill(buf, sizeof(buf), 1);
	assert_int_equal(share_store(s, buf, sizeof(buf)), 0);
	memset(&info, 0x55, sizeof(info));
	assert_int_equal(share_stat(s, &info), 0);
	assert_int_equal(info.key, key);
	assert_int_equal(info.shmid, shmget(key, 0, 0));
	assert_int_equal(info.semid, semget(key, 0, 0));
	assert_int_equal(info.length, sizeof(buf));
	assert_int_equal(info.version, 2);
	assert_int_equal(info.segments, 3);	/* 1024 data bytes each */
	assert_int_equal(info.segment_size, 1040);
	assert_int_equal(info.mode, 0640);
	assert_int_equal(info.uid, geteuid());
	assert_int_equal(info.gid, getegid());
	assert_int_equal(info.cuid, geteuid());
	assert_int_equal(info.attached, 1);
	assert_int_equal(info.readers, 0);
	assert_int_equal(info.writer, 0);
	assert_int_equal(info.writers_waiting, 0);
	for (size_t i = 0; i < sizeof(info.reserved) / sizeof(info.reserved[0]); i++)
		assert_int_equal(info.reserved[i], 0);

	other = test_open(key, 0, 0);
	assert_int_equal(share_stat(other, &info), 0);
	assert_int_equal(info.attached, 2);
	assert_int_equal(info.segments, 3);

	/* The locks held show, and a holder still counts the chain. */
	assert_int_equal(share_lock(s, LOCK_SH), 0);
	assert_int_equal(share_lock(other, LOCK_SH), 0);
	assert_int_equal(share_stat(s, &info), 0);
	assert_int_equal(info.readers, 2);
	assert_int_equal(info.writer, 0);
	assert_int_equal(info.segments, 3);
	assert_int_equal(share_unlock(other), 0);
	assert_int_equal(share_lock(s, LOCK_EX), 0);
	assert_int_equal(share_stat(s, &info), 0);
	assert_int_equal(info.readers, 0);
	assert_int_equal(info.writer, 1);
	assert_int_equal(info.segments, 3);
	/* Without the lock, a writer's chain is not counted: -1. */
	assert_int_equal(share_stat(other, &info), 0);
	assert_int_equal(info.writer, 1);
	assert_int_equal(info.segments, -1);
	assert_int_equal(info.length, sizeof(buf));
	assert_int_equal(share_unlock(s), 0);

	assert_int_equal(share_store(s, "", 0), 0);
	assert_int_equal(share_stat(other, &info), 0);
	assert_int_equal(info.length, 0);
	assert_int_equal(info.version, 3);
	assert_int_equal(info.segments, 1);
	assert_int_equal(test_close(other), 0);
	assert_int_equal(test_close(s), 0);
}

/* The size asked for does not matter once the share exists. */
static void test_open_existing_any_size(void **unused)
{
	(void)unused;
	static const size_t sizes[] = {
		0, SHARELITE_HEADER_SIZE + 1, 100, 4095, 4096, 4097, 65536, 1 << 20,
		(size_t)SHARELITE_MAX_LENGTH + 1,
	};
	key_t key = test_use_key(1);
	share_t *s = test_open(key, 4096, IPC_CREAT | IPC_EXCL);
	unsigned char buf[10000];

	test_fill(buf, sizeof(buf), 2);
	assert_int_equal(share_store(s, buf, sizeof(buf)), 0);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		share_t *t = test_open(key, sizes[i], i % 2 ? IPC_CREAT : 0);
		void *got = NULL;

		assert_int_equal(share_segment_size(t), 4096);
		assert_int_equal(share_fetch(t, &got), sizeof(buf));
		assert_memory_equal(got, buf, sizeof(buf));
		free(got);
		assert_int_equal(share_num_segments(t), 3);	/* 4080 bytes each */
		assert_int_equal(share_store(t, buf, 4081), 0);
		assert_int_equal(share_num_segments(s), 2);
		assert_int_equal(share_store(t, buf, sizeof(buf)), 0);
		assert_int_equal(test_close(t), 0);
	}
	assert_int_equal(test_close(s), 0);
}

/* Permission bits given at creation, on every object of the share. */
static void test_permission_bits(void **unused)
{
	(void)unused;
	static const int modes[] = { 0640, 0604, 0666, 0660 };
	unsigned char buf[300];

	test_fill(buf, sizeof(buf), 3);
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		key_t key = test_use_key((unsigned)m);
		share_t *s = test_open(key, 64, IPC_CREAT | IPC_EXCL | modes[m]);
		share_t *t;
		struct semid_ds sds;
		int ids[16], n;

		assert_int_equal(share_mode(s), modes[m]);
		assert_int_equal(share_store(s, buf, sizeof(buf)), 0);
		n = test_chain_ids(s, ids, 16);
		assert_int_equal(n, 7);	/* 48 data bytes each */
		for (int i = 0; i < n; i++)
			assert_int_equal(test_shm_mode(ids[i]), modes[m]);
		assert_int_equal(semctl(test_semid(s), 0, IPC_STAT, &sds), 0);
		assert_int_equal(sds.sem_perm.mode & 0777, modes[m]);

		/* Another opener sees the share's bits, whatever it asks for. */
		t = test_open(key, 0, 0);
		assert_int_equal(share_mode(t), modes[m]);
		assert_int_equal(test_close(t), 0);
		t = test_open(key, 0, IPC_CREAT | 0666);
		assert_int_equal(share_mode(t), modes[m]);
		assert_int_equal(test_close(t), 0);
		assert_int_equal(test_close(s), 0);
	}
}

static void test_private_default_mode(void **unused)
{
	(void)unused;
	share_t *s = test_private(64);
	unsigned char buf[200];
	int ids[8], n;

	test_fill(buf, sizeof(buf), 4);
	assert_int_equal(share_mode(s), 0600);
	assert_int_equal(share_store(s, buf, sizeof(buf)), 0);
	n = test_chain_ids(s, ids, 8);
	assert_int_equal(n, 5);
	for (int i = 0; i < n; i++)
		assert_int_equal(test_shm_mode(ids[i]), 0600);
	assert_int_equal(test_close(s), 0);
}

/* Opening and closing without destroy leave the value to the next opener. */
static void test_reopen_keeps_value(void **unused)
{
	(void)unused;
	key_t key = test_use_key(1);
	share_t *s = test_open(key, 0, IPC_CREAT | IPC_EXCL);

	assert_int_equal(share_store(s, "stays", 5), 0);
	assert_int_equal(test_close(s), 0);
	s = test_open(key, 0, IPC_CREAT);
	test_assert_value(s, "stays");
	assert_int_equal(share_version(s), 2);
	assert_int_equal(test_close(s), 0);
}

/* An initialised share is opened without its lock: no wait for a holder. */
static void test_open_does_not_wait_for_lock(void **unused)
{
	(void)unused;
	key_t key = test_use_key(1);
	share_t *s = test_open(key, 4096, IPC_CREAT | IPC_EXCL);
	struct test_chan holder, opener;
	pid_t hpid, opid;

	assert_int_equal(share_store(s, "held", 4), 0);
	hpid = test_fork(&holder);
	if (hpid == 0) {
		share_t *h = share_new(key, 0, 0);

		child_check(h && share_lock(h, LOCK_EX) == 0);
		child_check(test_send(&holder, 'L') == 0);
		child_check(test_recv(&holder) == 'u');
		child_check(share_close(h) == 0);
		_exit(0);
	}
	assert_int_equal(test_recv(&holder), 'L');
	test_assert_locks(s, 0, 1);

	for (int flags = 0; flags <= IPC_CREAT; flags += IPC_CREAT) {
		opid = test_fork(&opener);
		if (opid == 0) {
			share_t *o = share_new(key, 65536, flags);

			child_check(o != NULL);
			child_check(share_segment_size(o) == 4096);
			child_check(share_close(o) == 0);
			child_check(test_send(&opener, 'o') == 0);
			_exit(0);
		}
		assert_int_equal(test_child_waits(&opener, test_semid(s)), 0);
		assert_int_equal(test_recv(&opener), 'o');
		assert_int_equal(test_wait(opid), 0);
	}
	assert_int_equal(test_send(&holder, 'u'), 0);
	assert_int_equal(test_wait(hpid), 0);
	test_assert_locks(s, 0, 0);
	assert_int_equal(test_close(s), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		test_case(test_accessors),
		test_case(test_library_version),
		test_case(test_version_counts_stores),
		test_case(test_num_segments),
		test_case(test_stat),
		test_case(test_open_existing_any_size),
		test_case(test_permission_bits),
		test_case(test_private_default_mode),
		test_case(test_reopen_keeps_value),
		test_case(test_open_does_not_wait_for_lock),
	};

	return test_run(tests);
}
