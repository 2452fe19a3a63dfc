/*
 * oracle_native.c - the native format as the tests see it (sharelite(7),
 * "Native format"): on one key, a set of two semaphores (readers, writer)
 * and a head segment whose two slots may each name a value segment of
 * their own; a private share has its head alone, with a table of the
 * locks' holders in it. The oracle asks the kernel and reads the head,
 * never through the library, and trusts nothing it reads.
 */
#include <sys/sem.h>
#include <sys/shm.h>

#include "ipcsl.h"		/* test_shm_gone(), test_sem_gone(), test_remove_chain() */
#include "native/head.h"	/* the layout of the head */

enum { NATIVE_SEM_READERS, NATIVE_SEM_WRITER };

static share_t *open_native(key_t key, size_t segment_size, int flags)
{
	return share_new(key, segment_size, flags | SHARE_NATIVE);
}

/*
 * Remove a head segment and the value segments its slots name. A segment
 * that is no native head is removed as a Perl-format chain: SHARE_NATIVE
 * opens such a share too, and a test may have made one.
 */
static void remove_head(int shmid)
{
	struct shmid_ds ds;
	struct native_head *h;
	int values[4];

	if (shmctl(shmid, IPC_STAT, &ds) < 0)
		return;
	if (ds.shm_segsz < sizeof(*h)) {
		test_remove_chain(shmid);
		return;
	}
	h = shmat(shmid, NULL, SHM_RDONLY);
	if (h == (void *)-1)
		return;
	if (__atomic_load_n(&h->magic, __ATOMIC_ACQUIRE) != NATIVE_MAGIC) {
		shmdt(h);
		test_remove_chain(shmid);
		return;
	}
	/* The slots' value segments, and those a killed writer left.
	 * Relaxed: the test's writers have stopped by now, and an id read
	 * here is only handed to IPC_RMID (a scribbled one fails there). */
	for (int i = 0; i < 2; i++) {
		values[i] = __atomic_load_n(&h->slot[i].shmid, __ATOMIC_RELAXED);
		values[2 + i] = __atomic_load_n(&h->orphan[i], __ATOMIC_RELAXED);
	}
	shmdt(h);
	for (int i = 0; i < 4; i++)
		if (values[i] >= 0 && values[i] != shmid)
			shmctl(values[i], IPC_RMID, NULL);
	shmctl(shmid, IPC_RMID, NULL);
}

/* Gone as the Perl format's share is: no segment and no set left. */
static int key_gone(key_t key)
{
	return test_format_ipcsl.key_gone(key);
}

static int gone(const struct test_ids *ids)
{
	return test_format_ipcsl.gone(ids);
}

static void remove_key(key_t key)
{
	test_remove_key_with(key, remove_head);
}

static void remove_ids(const struct test_ids *ids)
{
	test_remove_ids_with(ids, remove_head);
}

/*
 * A private share's lock table, mapped read-only, or NULL. Its entries are
 * read relaxed, without the table's mutex: a count taken while a holder
 * comes or goes may be either, as a semaphore's would.
 */
static const struct native_proclock *map_table(const struct test_ids *ids)
{
	struct shmid_ds ds;
	const unsigned char *head;

	if (shmctl(ids->shmid, IPC_STAT, &ds) < 0 || ds.shm_segsz < NATIVE_PRIVATE_MIN_SIZE)
		return NULL;
	head = shmat(ids->shmid, NULL, SHM_RDONLY);
	if (head == (void *)-1)
		return NULL;
	return (const struct native_proclock *)(const void *)(head + NATIVE_DATA_OFFSET);
}

static void unmap_table(const struct native_proclock *t)
{
	shmdt((const unsigned char *)t - NATIVE_DATA_OFFSET);
}

static int table_locks(const struct test_ids *ids, int *readers, int *writer)
{
	const struct native_proclock *t = map_table(ids);

	*readers = *writer = 0;
	if (!t)
		return -1;
	for (int i = 0; i < NATIVE_HOLDERS; i++) {
		uint32_t lock = __atomic_load_n(&t->holder[i].lock, __ATOMIC_RELAXED);

		if (__atomic_load_n(&t->holder[i].pid, __ATOMIC_RELAXED) == 0)
			continue;
		if (lock == LOCK_SH)
			(*readers)++;
		else if (lock != NATIVE_WAITING_EX)	/* a waiting writer holds nothing */
			(*writer)++;
	}
	unmap_table(t);
	return 0;
}

static int locks(const struct test_ids *ids, int *readers, int *writer)
{
	if (ids->semid < 0)
		return table_locks(ids, readers, writer);
	*readers = semctl(ids->semid, NATIVE_SEM_READERS, GETVAL);
	*writer = semctl(ids->semid, NATIVE_SEM_WRITER, GETVAL);
	if (*readers < 0 || *writer < 0)
		return -1;
	/* The writer semaphore beside readers is a writer's claim: it holds
	 * off new readers, and holds nothing until the readers are gone. */
	*writer = *writer && !*readers;
	return 0;
}

/* Sleepers on the lock semaphores, or on a private share's futex word. */
static int waiters(const struct test_ids *ids)
{
	int n = 0;

	if (ids->semid < 0) {
		const struct native_proclock *t = map_table(ids);

		if (!t)
			return 0;
		n = (int)__atomic_load_n(&t->waiters, __ATOMIC_RELAXED);
		unmap_table(t);
		return n;
	}

	for (int i = NATIVE_SEM_READERS; i <= NATIVE_SEM_WRITER; i++) {
		int z = semctl(ids->semid, i, GETZCNT), w = semctl(ids->semid, i, GETNCNT);

		n += (z > 0 ? z : 0) + (w > 0 ? w : 0);
	}
	return n;
}

static void sweep(void)
{
	test_remove_leaked(getpid(), NULL);
}

/*
 * A head is never smaller than room for 64 bytes in each slot. A private
 * one is made large enough for two values of the largest length, where
 * the system allows a segment that large (this machine's tests need it).
 */
static size_t segment_size(key_t key, size_t asked)
{
	if (key == IPC_PRIVATE)
		return NATIVE_PRIVATE_DATA_OFFSET + 2 * ((size_t)SHARELITE_MAX_LENGTH + 8);
	return asked < NATIVE_MIN_SIZE ? NATIVE_MIN_SIZE : asked;
}

/* The head, and a value segment for each slot whose value does not fit in
 * it: the new value's, and the one before, kept in the other slot. A
 * private share keeps every value in its head. */
static int segments(key_t key, size_t segment_size, size_t length, size_t previous)
{
	uint64_t slot = native_slot_size(segment_size, 0);

	if (key == IPC_PRIVATE)
		return 1;
	return 1 + (length > slot) + (previous > slot);
}

/* Every value lies whole in a slot or in the slot's segment. */
static int views_in_place(size_t length, size_t segment_size)
{
	(void)length;
	(void)segment_size;
	return 1;
}

const struct test_format test_format_native = {
	.name = "native",
	.open = open_native,
	.key_gone = key_gone,
	.gone = gone,
	.remove_key = remove_key,
	.remove = remove_ids,
	.locks = locks,
	.waiters = waiters,
	.sweep = sweep,
	.flags = SHARE_NATIVE,
	.segment_size = segment_size,
	.segments = segments,
	.fetch_waits_for_writer = 0,
	/* A writer that waits claims the writer semaphore, or an entry of
	 * the table, first; waiting writers are not counted: on the set they
	 * wait as queued readers do. */
	.writers_queue = 1,
	.counts_waiting_writers = 0,
	.views_in_place = views_in_place,
};
