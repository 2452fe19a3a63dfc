/*
 * Who can read and write: a share is 0600 unless the caller asks for more,
 * and every overflow segment has the head's mode (as it is when the
 * segment is made) and no key, so that no other program can open it by key
 * or collide with it.
 */
#include "fault.h"

#define SEGSZ 64

static int sem_mode(int semid)
{
	struct semid_ds ds;

	assert_int_equal(semctl(semid, 0, IPC_STAT, &ds), 0);
	return ds.sem_perm.mode & 0777;
}

/* Every segment of s's chain: mode as asked, key only on the head. */
static void assert_chain_modes(share_t *s, int mode, key_t key)
{
	struct share_info info = test_info(s);
	int segments = 0;

	assert_int_equal(info.mode, mode);
	assert_int_equal(sem_mode(info.semid), mode);
	for (int id = info.shmid; id >= 0; segments++) {
		struct shmid_ds ds;
		struct segment_header *h;

		assert_int_equal(shmctl(id, IPC_STAT, &ds), 0);
		assert_int_equal(ds.shm_perm.mode & 0777, mode);
		assert_int_equal(ds.shm_perm.__key, segments == 0 ? key : IPC_PRIVATE);
		h = test_map(id);
		id = h->next_shmid;
		shmdt(h);
	}
	assert_int_equal(segments, 10);
}

static void test_modes(void **unused)
{
	(void)unused;
	static const int modes[] = { 0, 0600, 0640, 0666, 0400 };
	unsigned char value[48 * 10];

	test_value_fill(value, 3, sizeof(value));
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		for (int keyed = 0; keyed <= 1; keyed++) {
			key_t key = keyed ? test_key((unsigned)i) : IPC_PRIVATE;
			share_t *s = share_new(key, SEGSZ, IPC_CREAT | IPC_EXCL | modes[i]);
			int want = modes[i] ? modes[i] : 0600;

			/* Using a share takes read and write: only root may open a
			 * share without owner write, even one it has just made.
			 * The refusal leaves nothing under the key. */
			if (!(want & 0200) && geteuid() != 0) {
				assert_null(s);
				assert_int_equal(errno, EACCES);
				assert_true(!keyed || test_key_gone(key));
				continue;
			}
			assert_non_null(s);
			share_set_destroy(s, 1);
			assert_int_equal(share_mode(s), want);
			/* Root may write a 0400 share; others could not. */
			if (share_store(s, value, sizeof(value)) == 0)
				assert_chain_modes(s, want, key);
			assert_int_equal(test_close(s), 0);
			test_remove_key(key);
		}
	}
}

/*
 * The owner tightens the head's mode while another handle has the share
 * open: the segments that handle then makes take the mode the head has now.
 */
static void test_mode_changed_while_open(void **unused)
{
	(void)unused;
	key_t key = test_key(9);
	share_t *s = share_new(key, SEGSZ, IPC_CREAT | IPC_EXCL | 0666), *other;
	unsigned char value[48 * 10];
	struct shmid_ds ds;

	assert_non_null(s);
	share_set_destroy(s, 1);
	other = share_new(key, 0, 0);
	assert_non_null(other);
	assert_int_equal(share_store(other, "x", 1), 0);
	assert_int_equal(shmctl(test_info(s).shmid, IPC_STAT, &ds), 0);
	ds.shm_perm.mode = 0600;
	assert_int_equal(shmctl(test_info(s).shmid, IPC_SET, &ds), 0);
	test_value_fill(value, 4, sizeof(value));
	assert_int_equal(share_store(other, value, sizeof(value)), 0);
	for (int i = 1; i < 10; i++)
		assert_int_equal(test_shm_mode(test_segment_id(s, i)), 0600);
	assert_int_equal(test_close(other), 0);
	assert_int_equal(test_close(s), 0);
	test_remove_key(key);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		test_case_sweep(test_modes),
		test_case_sweep(test_mode_changed_while_open),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
