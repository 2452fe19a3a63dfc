/*
 * oracle_ipcsl.c - the Perl format as the tests see it (sharelite(7),
 * "Memory format"): a share is a semaphore set and a chain of segments on
 * one key; each segment's header starts with the id of the next one. The
 * oracle asks the kernel, never the library.
 */
#include "ipcsl.h"

/* A segment's link to the next one: the first field of its header. */
static int next_shmid(const void *segment)
{
	return *(const int32_t *)segment;
}

int test_shm_gone(int shmid)
{
	struct shmid_ds ds;

	return shmctl(shmid, IPC_STAT, &ds) < 0 && (errno == EINVAL || errno == EIDRM);
}

int test_sem_gone(int semid)
{
	return semctl(semid, 0, GETVAL) < 0 && (errno == EINVAL || errno == EIDRM);
}

int test_shm_exists(int shmid)
{
	struct shmid_ds ds;

	return shmctl(shmid, IPC_STAT, &ds) == 0;
}

int test_shm_mode(int shmid)
{
	struct shmid_ds ds;

	assert_int_equal(shmctl(shmid, IPC_STAT, &ds), 0);
	return (int)(ds.shm_perm.mode & 0777);
}

int test_semid(share_t *s)
{
	return test_info(s).semid;
}

int test_shmid(share_t *s)
{
	return test_info(s).shmid;
}

int test_sem(share_t *s, int num)
{
	return semctl(test_semid(s), num, GETVAL);
}

int test_sem_waiters(int semid)
{
	int n = 0;

	for (int i = 0; i < TEST_NSEMS; i++) {	/* -1 past a Perl set's three */
		int z = semctl(semid, i, GETZCNT), w = semctl(semid, i, GETNCNT);

		n += (z > 0 ? z : 0) + (w > 0 ? w : 0);
	}
	return n;
}

struct segment_header *test_map(int shmid)
{
	void *p = shmat(shmid, NULL, 0);

	assert_true(p != (void *)-1);
	return (struct segment_header *)p;
}

int test_chain_ids(share_t *s, int *ids, int max)
{
	int n = 0;

	for (int id = test_shmid(s); id >= 0; n++) {
		void *p = shmat(id, NULL, SHM_RDONLY);

		assert_true(p != (void *)-1);
		assert_true(n < max);
		ids[n] = id;
		id = next_shmid(p);
		shmdt(p);
	}
	return n;
}

int test_segment_id(share_t *s, int i)
{
	int id = test_shmid(s);

	while (i-- > 0) {
		struct segment_header *h = test_map(id);

		id = h->next_shmid;
		shmdt(h);
		assert_true(id >= 0);
	}
	return id;
}

int test_in_chain(share_t *s, int shmid)
{
	int id = test_shmid(s);

	while (id >= 0) {
		struct segment_header *h;

		if (id == shmid)
			return 1;
		h = test_map(id);
		id = h->next_shmid;
		shmdt(h);
	}
	return 0;
}

void test_remove_chain(int shmid)
{
	struct shmid_ds ds;
	size_t size;

	if (shmctl(shmid, IPC_STAT, &ds) < 0)
		return;
	size = ds.shm_segsz;
	for (int i = 0; shmid >= 0 && i < 1 << 20; i++) {
		void *p;
		int next;

		if (shmctl(shmid, IPC_STAT, &ds) < 0 || ds.shm_segsz != size)
			return;
		p = shmat(shmid, NULL, SHM_RDONLY);
		if (p == (void *)-1)
			return;
		next = next_shmid(p);
		shmdt(p);
		shmctl(shmid, IPC_RMID, NULL);
		shmid = next;
	}
}

/* Every segment a process created, handed to keep(); how many were removed. */
static int remove_created(pid_t creator, int (*keep)(share_t *, int, size_t), share_t *s)
{
	struct shm_info info;
	int highest = shmctl(0, SHM_INFO, (struct shmid_ds *)(void *)&info), n = 0;

	for (int i = 0; i <= highest; i++) {
		struct shmid_ds ds;
		int id = shmctl(i, SHM_STAT, &ds);

		if (id >= 0 && ds.shm_cpid == creator &&
		    !(keep && keep(s, id, ds.shm_segsz))) {
			shmctl(id, IPC_RMID, NULL);
			n++;
		}
	}
	return n;
}

/* A segment of another size, or one of s's chain, is not a leak of s's. */
static int not_leaked(share_t *s, int shmid, size_t size)
{
	return size != share_segment_size(s) || test_in_chain(s, shmid);
}

int test_remove_leaked(pid_t creator, share_t *s)
{
	return remove_created(creator, s ? not_leaked : NULL, s);
}

struct test_ipc_counts test_ipc_counts(void)
{
	struct test_ipc_counts n;
	struct shm_info shm;
	struct seminfo sem;

	assert_true(shmctl(0, SHM_INFO, (struct shmid_ds *)(void *)&shm) >= 0);
	assert_true(semctl(0, 0, SEM_INFO, (void *)&sem) >= 0);
	n.segments = (int)shm.used_ids;
	n.sets = sem.semusz;
	return n;
}

/* The oracle */

static int key_gone(key_t key)
{
	return shmget(key, 0, 0) < 0 && errno == ENOENT &&
	       semget(key, 0, 0) < 0 && errno == ENOENT;
}

static int gone(const struct test_ids *ids)
{
	return (ids->shmid < 0 || test_shm_gone(ids->shmid)) &&
	       (ids->semid < 0 || test_sem_gone(ids->semid));
}

void test_remove_key_with(key_t key, void (*remove_head)(int shmid))
{
	int id = semget(key, 0, 0);

	if (id >= 0)
		semctl(id, 0, IPC_RMID);
	id = shmget(key, 0, 0);
	if (id >= 0)
		remove_head(id);
}

void test_remove_ids_with(const struct test_ids *ids, void (*remove_head)(int shmid))
{
	if (ids->semid >= 0 && !test_sem_gone(ids->semid))
		semctl(ids->semid, 0, IPC_RMID);
	if (ids->shmid >= 0 && !test_shm_gone(ids->shmid))
		remove_head(ids->shmid);
}

static void remove_key(key_t key)
{
	test_remove_key_with(key, test_remove_chain);
}

static void remove_ids(const struct test_ids *ids)
{
	test_remove_ids_with(ids, test_remove_chain);
}

static int locks(const struct test_ids *ids, int *readers, int *writer)
{
	*readers = semctl(ids->semid, TEST_SEM_READERS, GETVAL);
	*writer = semctl(ids->semid, TEST_SEM_WRITER, GETVAL);
	return *readers < 0 || *writer < 0 ? -1 : 0;
}

static int waiters(const struct test_ids *ids)
{
	return test_sem_waiters(ids->semid);
}

static void sweep(void)
{
	remove_created(getpid(), NULL, NULL);
}

static size_t segment_size(key_t key, size_t asked)
{
	(void)key;
	return asked;
}

/* A chain of as many segments as the value fills, at least the head. */
static int segments(key_t key, size_t segment_size, size_t length, size_t previous)
{
	size_t data = segment_size - SHARELITE_HEADER_SIZE;

	(void)key;
	(void)previous;	/* the chain is cut to the new value's length */
	return length ? (int)((length + data - 1) / data) : 1;
}

/* A value in the head segment, after its header. */
static int views_in_place(size_t length, size_t segment_size)
{
	return length <= segment_size - SHARELITE_HEADER_SIZE;
}

const struct test_format test_format_ipcsl = {
	.name = "ipcsl",
	.open = share_new,
	.key_gone = key_gone,
	.gone = gone,
	.remove_key = remove_key,
	.remove = remove_ids,
	.locks = locks,
	.waiters = waiters,
	.sweep = sweep,
	.flags = 0,
	.segment_size = segment_size,
	.segments = segments,
	.fetch_waits_for_writer = 1,
	.writers_queue = 1,
	.counts_waiting_writers = 1,
	.views_in_place = views_in_place,
};
