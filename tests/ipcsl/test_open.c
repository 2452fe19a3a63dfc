/*
 * Opening a share in the Perl format: the segments and the semaphore set
 * it makes, their permission bits, and share_stat()'s ids for them.
 */
#include "ipcsl.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		test_case(test_accessors),
		test_case(test_stat),
		test_case(test_permission_bits),
		test_case(test_private_default_mode),
	};

	return test_run(tests);
}
