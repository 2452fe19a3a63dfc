/*
 * A removal that other processes race or refuse part-way. The library's
 * sources are built into this program with shmctl() and semctl() wrapped:
 * right after the library reads an object's permissions (IPC_STAT), a
 * "chmod" by another process lands, as it could at any instant; and an
 * IPC_RMID can be refused, as it is once another user took the object
 * over. The library must change no permission it did not mean to, and a
 * handle whose share went half-way must fail cleanly afterwards.
 */
#include "fault.h"

#define SEGSZ 64		/* 48 data bytes a segment */
#define MODE 0600
#define RACED_MODE 0640		/* what the racing chmod sets */

int __real_shmctl(int shmid, int cmd, struct shmid_ds *buf);
int __real_semctl(int semid, int num, int cmd, ...);
int __wrap_shmctl(int shmid, int cmd, struct shmid_ds *buf);
int __wrap_semctl(int semid, int num, int cmd, ...);

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

/* Armed ids, -1 when not: chmod once, right after the next IPC_STAT of
 * it, and refuse IPC_RMID of it with EPERM. */
static int chmod_shm = -1, chmod_sem = -1, refuse_shm = -1, refuse_sem = -1;

static void disarm(void)
{
	chmod_shm = chmod_sem = refuse_shm = refuse_sem = -1;
}

int __wrap_shmctl(int shmid, int cmd, struct shmid_ds *buf)
{
	struct shmid_ds ds;
	int rc;

	if (cmd == IPC_RMID && shmid == refuse_shm) {
		errno = EPERM;
		return -1;
	}
	rc = __real_shmctl(shmid, cmd, buf);
	if (rc == 0 && cmd == IPC_STAT && shmid == chmod_shm &&
	    __real_shmctl(shmid, IPC_STAT, &ds) == 0) {
		chmod_shm = -1;
		ds.shm_perm.mode = RACED_MODE;
		__real_shmctl(shmid, IPC_SET, &ds);
	}
	return rc;
}

int __wrap_semctl(int semid, int num, int cmd, ...)
{
	union semun arg = { .val = 0 };
	struct semid_ds ds;
	va_list ap;
	int rc;

	if (cmd == IPC_RMID) {
		if (semid == refuse_sem) {
			errno = EPERM;
			return -1;
		}
		return __real_semctl(semid, num, cmd);
	}
	if (cmd == GETVAL)
		return __real_semctl(semid, num, cmd);
	va_start(ap, cmd);
	arg = va_arg(ap, union semun);
	va_end(ap);
	rc = __real_semctl(semid, num, cmd, arg);
	if (rc == 0 && cmd == IPC_STAT && semid == chmod_sem) {
		union semun mine = { .buf = &ds };

		chmod_sem = -1;
		if (__real_semctl(semid, 0, IPC_STAT, mine) == 0) {
			ds.sem_perm.mode = RACED_MODE;
			__real_semctl(semid, 0, IPC_SET, mine);
		}
	}
	return rc;
}

static int sem_mode(int semid)
{
	struct semid_ds ds;
	union semun arg = { .buf = &ds };

	if (__real_semctl(semid, 0, IPC_STAT, arg) < 0)
		return -1;
	return ds.sem_perm.mode & 0777;
}

static share_t *two_segment_share(key_t key)
{
	static unsigned char value[SEGSZ + 20];
	share_t *s = test_open(key, SEGSZ, IPC_CREAT | MODE);

	test_value_fill(value, 7, sizeof(value));
	assert_int_equal(share_store(s, value, sizeof(value)), 0);
	assert_int_equal(share_num_segments(s), 2);
	return s;
}

/*
 * A removal refused at the last overflow segment keeps the rest; a chmod
 * of the head that landed while the removal looked at it stays.
 */
static void test_chmod_during_refused_removal_stays(void **unused)
{
	key_t key = test_use_key(0);
	share_t *s = two_segment_share(key);
	int head = test_shmid(s);

	(void)unused;
	refuse_shm = test_segment_id(s, 1);
	chmod_shm = head;
	assert_fails(share_remove(s), -1, EPERM);
	disarm();
	assert_int_equal(test_shm_mode(head), RACED_MODE);
	assert_int_equal(share_num_segments(s), 2);
	test_assert_locks(s, 0, 0);
}

/* The same for the set, refused at its own IPC_RMID. */
static void assert_chmod_of_set_stays(share_t *s)
{
	int semid = test_semid(s);

	chmod_sem = semid;
	refuse_sem = semid;
	share_remove(s);
	disarm();
	assert_int_equal(sem_mode(semid), RACED_MODE);
}

static void test_chmod_of_set_during_refused_removal_stays(void **unused)
{
	(void)unused;
	assert_chmod_of_set_stays(two_segment_share(test_use_key(0)));
}

/*
 * The set refused after the segments went: nothing is left to map, so the
 * handle fails with EIDRM from then on, holds no lock, and closes.
 */
static void test_set_refused_after_segments_went(void **unused)
{
	key_t key = test_use_key(0);
	share_t *s = two_segment_share(key);
	struct test_ids ids = test_ids(s);
	int head = test_shmid(s), next = test_segment_id(s, 1), readers, writer;

	(void)unused;
	refuse_sem = ids.semid;
	assert_fails(share_remove(s), -1, EPERM);
	disarm();
	assert_true(test_shm_gone(head));
	assert_true(test_shm_gone(next));
	assert_false(test_sem_gone(ids.semid));
	assert_int_equal(test_format()->locks(&ids, &readers, &writer), 0);
	assert_int_equal(readers, 0);
	assert_int_equal(writer, 0);
	test_assert_removed(s);
	assert_int_equal(test_close(s), 0);
}

/* A native share (sharelite(7), "Native format"): the same rules. */
static share_t *native_share(key_t key)
{
	share_t *s = share_new(key, 0, IPC_CREAT | SHARE_NATIVE | MODE);

	assert_non_null(s);
	test_adopt(s);
	assert_int_equal(share_store(s, "value", 5), 0);
	return s;
}

static void test_native_chmod_of_set_during_refused_removal_stays(void **unused)
{
	(void)unused;
	assert_chmod_of_set_stays(native_share(test_use_key(1)));
}

/* The set refused after the head went: the handle fails with EIDRM from
 * then on, holds no lock, and closes. */
static void test_native_set_refused_after_head_went(void **unused)
{
	share_t *s = native_share(test_use_key(1));
	int head = test_shmid(s), semid = test_semid(s);

	(void)unused;
	refuse_sem = semid;
	assert_fails(share_remove(s), -1, EPERM);
	disarm();
	assert_false(test_sem_gone(semid));
	assert_int_equal(__real_semctl(semid, 1, GETVAL), 0);	/* no writer */
	test_assert_removed(s);
	assert_int_equal(test_close(s), 0);
	assert_true(test_shm_gone(head));	/* marked, then detached */
	__real_semctl(semid, 0, IPC_RMID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		test_case_sweep(test_chmod_during_refused_removal_stays),
		test_case_sweep(test_chmod_of_set_during_refused_removal_stays),
		test_case_sweep(test_set_refused_after_segments_went),
		test_case_sweep(test_native_chmod_of_set_during_refused_removal_stays),
		test_case_sweep(test_native_set_refused_after_head_went),
	};

	return test_run(tests);
}
