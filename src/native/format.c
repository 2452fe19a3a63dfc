/*
 * format.c - the native memory format's ops (format.h): a head segment
 * holding the value in two slots (head.h, value.c) and a set of two
 * semaphores for share_lock(3)'s explicit locks (rwsem.c), both under the
 * key (sharelite(7), "Native format"). A private share has no set: its
 * locks are in a table in its head (proclock.c), so that nothing of it
 * outlives the last process of its family, however that process ends.
 *
 * Stores and fetches by a handle that holds no lock take no semaphore: a
 * store takes the writers' robust mutex in the head, a fetch no lock at
 * all. Explicit locks must still keep stores out, so every taker of a
 * semaphore lock sets the head's `locked` word under the mutex; a store
 * that finds it set goes the slow way, through the semaphores, and clears
 * it once it holds them for itself alone.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/sem.h>
#include <sys/shm.h>

#include "native.h"
#include "proclock.h"
#include "rights.h"
#include "rwsem.h"
#include "deadline.h"

union semun {			/* the caller defines it, says semctl(2) */
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

_Static_assert(SL_LOCK_NONBLOCK == RWSEM_NONBLOCK && SL_LOCK_RESTART == RWSEM_RESTART,
	       "the lock op passes its flags to rwsem.c as they are");

/* Permission bits for the group and for others. */
#define OTHERS_BITS 0077

static struct native *state_of(const share_t *share)
{
	return share->state;
}

/* The number of semaphores in a set; -1 with EIDRM once it is gone. */
static int set_size(int semid)
{
	struct semid_ds ds;
	union semun arg = { .buf = &ds };

	if (semctl(semid, 0, IPC_STAT, arg) < 0) {
		if (errno == EINVAL)
			errno = EIDRM;
		return -1;
	}
	return (int)ds.sem_nsems;
}

/* A native share has a set of RWSEM_NSEMS semaphores under its key. */
static int native_probe(key_t key)
{
	int semid = semget(key, 0, 0), n;

	if (semid < 0)
		return errno == ENOENT ? 0 : -1;
	n = set_size(semid);
	if (n < 0)
		return errno == EIDRM ? 0 : -1;	/* gone: nothing there */
	return n == RWSEM_NSEMS;
}

/*
 * A private head's slots span gigabytes that no value touched: a core dump
 * would read them all, and make the kernel allocate every page. The value
 * is the share's, not the process's state: leave the slots out. Inherited
 * by fork(2); a failure costs only a larger core.
 */
static void leave_out_of_core_dumps(const struct native *st)
{
	long page = sysconf(_SC_PAGESIZE);
	uintptr_t start, end;

	if (page <= 0)
		return;
	start = ((uintptr_t)st->data[0] + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
	end = ((uintptr_t)st->head + st->size) & ~((uintptr_t)page - 1);
	if (end > start)
		madvise((void *)start, end - start, MADV_DONTDUMP);
}

/* Map the head segment and learn its size and mode from the kernel. */
static int attach_head(struct native *st, int shmid)
{
	struct shmid_ds ds;
	void *addr;

	if (shmctl(shmid, IPC_STAT, &ds) < 0)
		return -1;
	if (ds.shm_segsz < (st->private_share ? NATIVE_PRIVATE_MIN_SIZE : NATIVE_MIN_SIZE)) {
		errno = EEXIST;	/* too small to be a native head */
		return -1;
	}
	addr = shmat(shmid, NULL, 0);
	if (addr == (void *)-1)
		return -1;
	st->shmid = shmid;
	st->head = addr;
	st->size = ds.shm_segsz;
	st->slot_size = native_slot_size(ds.shm_segsz, st->private_share);
	st->table = st->private_share ?
		(struct native_proclock *)((unsigned char *)addr + NATIVE_DATA_OFFSET) : NULL;
	st->data[0] = (unsigned char *)addr + native_data_offset(st->private_share);
	st->data[1] = st->data[0] + st->slot_size;
	st->mode = ds.shm_perm.mode & 0777;
	if (st->private_share)
		leave_out_of_core_dumps(st);
	return 0;
}

static void detach_head(struct native *st)
{
	if (st->head)
		shmdt(st->head);
	st->head = NULL;
}

/*
 * Whether the mapped head is a native share's: 1 if so, 0 if its creator
 * has not finished it (magic still 0), -1 with EEXIST for another
 * program's segment, EBADMSG for a head written over or made by a process
 * of another ABI.
 */
static int head_state(const struct native *st)
{
	const struct native_head *h = st->head;
	/* Acquire: pairs with the creator's release store of magic, after
	 * which every field below, the mutex included, is initialised. */
	uint32_t magic = __atomic_load_n(&h->magic, __ATOMIC_ACQUIRE);

	if (magic == 0)
		return 0;
	if (magic != NATIVE_MAGIC) {
		errno = EEXIST;
		return -1;
	}
	if (__atomic_load_n(&h->format_version, __ATOMIC_RELAXED) != NATIVE_FORMAT_VERSION ||
	    __atomic_load_n(&h->mutex_size, __ATOMIC_RELAXED) != sizeof(pthread_mutex_t) ||
	    __atomic_load_n(&h->slot_size, __ATOMIC_RELAXED) != st->slot_size) {
		errno = EBADMSG;
		return -1;
	}
	return 1;
}

/*
 * Make the mapped head a new share's: the empty value, version 1. Its
 * caller holds the semaphores' LOCK_EX, or is the only process that can
 * reach the head, so nobody else writes it meanwhile.
 */
static int init_head(struct native *st)
{
	struct native_head *h = st->head;

	memset(h, 0, sizeof(*h));
	if (st->table && sl_proclock_init(st->table) < 0)
		return -1;
	if (sl_native_mutex_init(&h->writer.mutex) < 0)
		return -1;
	h->format_version = NATIVE_FORMAT_VERSION;
	h->mutex_size = sizeof(pthread_mutex_t);
	h->slot_size = st->slot_size;
	h->slot[0].version = 1;
	h->slot[0].shmid = h->slot[1].shmid = -1;
	h->orphan[0] = h->orphan[1] = -1;
	h->current = native_current(1, 0);
	h->wake = 1;
	/* Release: an opener that sees the magic sees all of the above. */
	__atomic_store_n(&h->magic, NATIVE_MAGIC, __ATOMIC_RELEASE);
	return 0;
}

/*
 * Whether the set and the head belong together: one owner, and a set that
 * lets others do no more than the head does (as the Perl format checks;
 * SHARE_ANY_OWNER opens such a share all the same).
 */
static int owned_alike(const share_t *share, const struct native *st)
{
	struct semid_ds sds;
	union semun arg = { .buf = &sds };
	struct shmid_ds hds;

	if (share->flags & SHARE_ANY_OWNER)
		return 0;
	if (semctl(st->semid, 0, IPC_STAT, arg) < 0 || shmctl(st->shmid, IPC_STAT, &hds) < 0) {
		if (errno == EINVAL)
			errno = EIDRM;
		return -1;
	}
	if (sds.sem_perm.uid != hds.shm_perm.uid ||
	    (sds.sem_perm.mode & ~hds.shm_perm.mode & OTHERS_BITS)) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

/* The size to create a head with: as asked, but at least the smallest. */
static size_t head_size(size_t segment_size)
{
	return segment_size < NATIVE_MIN_SIZE ? NATIVE_MIN_SIZE : segment_size;
}

/* Create a head of size bytes under key, with extra shmget(2) flags, then
 * map and initialise it. */
static int create_head(const share_t *share, struct native *st, size_t size, int extra)
{
	int shmid = shmget(share->key, size, IPC_CREAT | IPC_EXCL | extra | share->mode);

	if (shmid < 0)
		return -1;
	if (attach_head(st, shmid) < 0 || init_head(st) < 0) {
		int err = errno;

		detach_head(st);
		shmctl(shmid, IPC_RMID, NULL);
		errno = err;
		return -1;
	}
	return 0;
}

/*
 * A private head is made large enough for two values of the largest
 * length, so that no value ever needs a segment of its own: a segment made
 * after the fork would be kept alive only by the processes that attached
 * it, and die with its writer. SHM_NORESERVE and the kernel's lazy pages
 * make that cost address space, not memory: a slot holds only the pages its
 * value touched (value.c gives back those a shorter value leaves). Where
 * the system refuses a segment that large (SHMMAX, SHMALL, no
 * overcommit), the head has the size asked for, and a longer value fails
 * with ENOSPC.
 */
static size_t private_reservation(void)
{
	uint64_t whole = NATIVE_PRIVATE_DATA_OFFSET + 2 * ((uint64_t)SHARELITE_MAX_LENGTH + 8);

	/* A 32-bit process has no room for 4 GiB: 256 MiB there. */
	return whole <= SIZE_MAX / 4 ? (size_t)whole : (size_t)256 << 20;
}

/*
 * A private share: nobody else can reach it before this returns. Its head
 * is marked for removal at once, so the kernel removes it when the last
 * process of the family unmaps it, killed or not; it has no other object.
 */
static int open_private(const share_t *share, struct native *st, size_t segment_size)
{
	size_t asked = segment_size < NATIVE_PRIVATE_MIN_SIZE ? NATIVE_PRIVATE_MIN_SIZE
							     : segment_size;

	size_t whole = private_reservation();

	st->semid = -1;
	st->private_share = 1;
	if (create_head(share, st, whole > asked ? whole : asked, SHM_NORESERVE) < 0) {
		if (errno != EINVAL && errno != ENOSPC && errno != ENOMEM)
			return -1;
		if (create_head(share, st, asked, 0) < 0)
			return -1;
	}
	shmctl(st->shmid, IPC_RMID, NULL);
	return 0;
}

/* What find_set() returns for a set of another size, not an id nor -1. */
#define SET_NOT_OURS (-2)

/*
 * The set under the key: found, or created (*created); -1 with errno; or
 * SET_NOT_OURS if the key holds a set of another size, which the probe
 * then sends to another format.
 */
static int find_set(const share_t *share, int *created)
{
	*created = 0;
	for (;;) {
		int semid = semget(share->key, 0, 0), n;

		if (semid >= 0) {
			if ((share->flags & IPC_CREAT) && (share->flags & IPC_EXCL)) {
				errno = EEXIST;
				return -1;
			}
			n = set_size(semid);
			if (n == RWSEM_NSEMS)
				return semid;
			if (n >= 0)
				return SET_NOT_OURS;
			if (errno != EIDRM)
				return -1;
			continue;
		}
		if (errno != ENOENT || !(share->flags & IPC_CREAT))
			return -1;
		semid = semget(share->key, RWSEM_NSEMS, IPC_CREAT | IPC_EXCL | share->mode);
		if (semid >= 0) {
			*created = 1;
			return semid;
		}
		if (errno != EEXIST)	/* EEXIST: another opener was quicker */
			return -1;
	}
}

/* An initialised share is attached without its lock. 1: attached; 0: take
 * the slow path. */
static int attach_initialised(const share_t *share, struct native *st)
{
	int shmid = shmget(share->key, 0, 0), rc, err;

	if (shmid < 0)
		return errno == ENOENT ? 0 : -1;
	if (attach_head(st, shmid) < 0)
		return errno == EINVAL || errno == EIDRM ? 0 : -1;
	rc = head_state(st);
	if (rc > 0 && owned_alike(share, st) == 0)
		return 1;
	err = errno;
	detach_head(st);
	errno = err;
	return rc;
}

/*
 * A set this call did not make, with no head: wait for its creator to lock
 * it, which it does right after making it, at most CREATOR_WAIT_MS. A set
 * nobody ever locked is another program's: EEXIST, and it is left untouched.
 */
#define CREATOR_WAIT_MS 1000

static int wait_for_creator(int semid, const struct timespec *deadline)
{
	struct timespec start, now, nap = { 0, 1000000 };
	struct semid_ds ds;
	union semun arg = { .buf = &ds };

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		if (semctl(semid, 0, IPC_STAT, arg) < 0) {
			if (errno == EINVAL)
				errno = EIDRM;
			return -1;
		}
		if (ds.sem_otime != 0)
			return 0;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((deadline && deadline_ns_left(deadline, &now, 1) == 0) ||
		    (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 >=
			    CREATOR_WAIT_MS) {
			errno = EEXIST;
			return -1;
		}
		nanosleep(&nap, NULL);
	}
}

/* Under LOCK_EX: find the head and finish it, or create it. *created: 1
 * if this call created it. */
static int attach_locked(const share_t *share, struct native *st, size_t segment_size,
			 int created_set, int *created)
{
	int shmid = shmget(share->key, 0, 0), rc;

	*created = 0;
	if (shmid < 0) {
		if (errno != ENOENT)
			return -1;
		/* Its creator makes the head under this lock: a set without
		 * one is another program's, or its creator died. */
		if (!created_set) {
			errno = EEXIST;
			return -1;
		}
		if (create_head(share, st, head_size(segment_size), 0) < 0)
			return -1;
		*created = 1;
		return owned_alike(share, st);
	}
	if (attach_head(st, shmid) < 0)
		return -1;
	if (owned_alike(share, st) < 0)
		return -1;
	rc = head_state(st);
	if (rc != 0)
		return rc > 0 ? 0 : -1;
	/* Magic 0: a creator died before it finished the head; but one that
	 * was there before our set belongs to another program. */
	if (created_set) {
		errno = EEXIST;
		return -1;
	}
	return init_head(st);
}

static int native_open(const share_t *share, size_t segment_size,
		       const struct timespec *deadline, struct sl_opened *opened)
{
	struct native *st = state_of(share);
	int created_set, created_head = 0, held, rc, err;

	st->shmid = -1;
	if (share->key == IPC_PRIVATE) {
		if (open_private(share, st, segment_size) < 0)
			return -1;
		created_head = 1;
		goto opened;
	}
	st->semid = find_set(share, &created_set);
	if (st->semid == SET_NOT_OURS)
		return SL_OPEN_AGAIN;	/* probe again */
	if (st->semid < 0)
		return -1;
	if (!created_set) {
		rc = attach_initialised(share, st);
		if (rc > 0)
			goto opened;
		if (rc < 0 || wait_for_creator(st->semid, deadline) < 0)
			return errno == EIDRM ? SL_OPEN_AGAIN : -1;
	}
	if (sl_rwsem_change(st->semid, 0, LOCK_EX, RWSEM_RESTART, deadline, &held) < 0) {
		if (errno == EIDRM)
			return SL_OPEN_AGAIN;
		/* Timed out: another process holds the lock of the set we
		 * made, so it uses it as a share; not ours to remove. */
		if (errno == ETIMEDOUT)
			created_set = 0;
		goto give_back;
	}
	rc = attach_locked(share, st, segment_size, created_set, &created_head);
	err = errno;
	sl_rwsem_change(st->semid, LOCK_EX, 0, RWSEM_RESTART, NULL, &held);
	if (rc == 0)
		goto opened;
	detach_head(st);
	if (created_head)
		shmctl(st->shmid, IPC_RMID, NULL);
	if (err == EIDRM && sl_rwsem_value(st->semid, RWSEM_WRITER) < 0)
		return SL_OPEN_AGAIN;	/* removed while we held its lock: ipcrm */
	errno = err;
give_back:
	if (created_set) {
		err = errno;
		semctl(st->semid, 0, IPC_RMID);
		errno = err;
	}
	return -1;

opened:
	opened->created = created_head;
	opened->segment_size = st->size;
	opened->mode = st->mode;
	/* A private share has no set: its head's id names it while it lives. */
	opened->lock_object_id = st->private_share ? st->shmid : st->semid;
	return 0;
}

static void native_close(const share_t *share)
{
	sl_native_unmap_values(state_of(share));
	detach_head(state_of(share));
}

/* A lock held does not mean the share is still there. */
static int still_there(const struct native *st)
{
	if (sl_native_removed(st))
		return -1;
	if (st->private_share)
		return 0;	/* its head lives as long as our mapping */
	return sl_rwsem_value(st->semid, RWSEM_WRITER) < 0 ? -1 : 0;
}

/* sl_rwsem_change(), or for a private share its table's: the one way
 * every op changes a handle's lock. */
static int change_lock(const share_t *share, int from, int to, int flags,
		       const struct timespec *deadline, int *held)
{
	struct native *st = state_of(share);

	if (st->private_share)
		return sl_proclock_change(st->table, &st->head->removed,
					  (uint64_t)(uintptr_t)share, from, to, flags, deadline,
					  held);
	return sl_rwsem_change(st->semid, from, to, flags, deadline, held);
}

/*
 * Say in the head that a semaphore lock may be held, under the writers'
 * mutex: a store that looked before has finished, one that looks after
 * takes the semaphores and waits for the lock.
 */
static int mark_locked(struct native *st, const struct timespec *deadline)
{
	if (sl_native_writer_lock(st, deadline, -1) < 0)
		return -1;
	/* Relaxed: the mutex orders it with the stores' loads. */
	__atomic_store_n(&st->head->locked, 1, __ATOMIC_RELAXED);
	sl_native_writer_unlock(st);
	return 0;
}

static int native_lock(const share_t *share, int from, int to, int flags,
		       const struct timespec *deadline, int *held)
{
	struct native *st = state_of(share);
	int err, now;

	if (from == to) {
		*held = from;
		return still_there(st);
	}
	if (change_lock(share, from, to, flags, deadline, held) < 0)
		return -1;
	/* Taken (not a release or a downgrade): keep the stores out. */
	if (to == 0 || (from == LOCK_EX && to == LOCK_SH))
		return 0;
	if (mark_locked(st, deadline) == 0)
		return 0;
	err = errno;
	if (change_lock(share, to, 0, RWSEM_RESTART, NULL, &now) == 0)
		*held = 0;
	errno = err;
	return -1;
}

/*
 * A store by a handle that holds no lock: under the writers' mutex alone,
 * unless a semaphore lock may be held (SL_STORE_LOCKED: the core takes
 * LOCK_EX and calls store).
 */
static int native_store_unlocked(const share_t *share, const void *data, size_t length)
{
	struct native *st = state_of(share);
	int rc;

	if (sl_native_writer_lock(st, NULL, share->timeout_ms) < 0)
		return -1;
	if (sl_native_removed(st))
		rc = -1;
	else if (__atomic_load_n(&st->head->locked, __ATOMIC_RELAXED))
		rc = SL_STORE_LOCKED;
	else
		rc = sl_native_write(st, data, length);
	sl_native_writer_unlock(st);
	return rc;
}

/* Holding LOCK_EX: no store runs but those of this handle. */
static int native_store(const share_t *share, const void *data, size_t length)
{
	struct native *st = state_of(share);
	int rc;

	if (sl_native_writer_lock(st, NULL, share->timeout_ms) < 0)
		return -1;
	rc = sl_native_write(st, data, length);
	/* Taken for this store only, LOCK_EX means nobody else holds a
	 * semaphore lock: the stores after this one may skip them again.
	 * A taker after us sets the word again, under the mutex. */
	if (!share_held_lock(share))
		__atomic_store_n(&st->head->locked, 0, __ATOMIC_RELAXED);
	sl_native_writer_unlock(st);
	return rc;
}


static ssize_t native_view(const share_t *share, const void **data)
{
	return sl_native_view(state_of(share), data);
}

static int native_version(const share_t *share, unsigned int *version)
{
	const struct native *st = state_of(share);

	if (sl_native_removed(st))
		return -1;
	/* Acquire: a version seen is one whose value a fetch then finds. */
	*version = native_current_version(__atomic_load_n(&st->head->current, __ATOMIC_ACQUIRE));
	return 0;
}

static int native_wait_change(const share_t *share, unsigned int version,
			      const struct timespec *deadline)
{
	return sl_native_wait(state_of(share), version, deadline);
}

/* The head, and the value segments of both slots. */
static int native_num_segments(const share_t *share)
{
	return 1 + sl_native_value_segments(state_of(share));
}

static int native_stat(const share_t *share, int held, struct share_info *info)
{
	struct native *st = state_of(share);
	struct shmid_ds ds;

	(void)held;	/* counting segments needs no lock */
	/* Writers that wait to claim the set wait as queued readers do, on
	 * the writer semaphore: nothing tells them apart (sharelite(7),
	 * "Fairness"). */
	info->writers_waiting = -1;
	if (st->private_share) {
		if (sl_native_removed(st) ||
		    sl_proclock_count(st->table, &info->readers, &info->writer) < 0)
			return -1;
	} else if (sl_rwsem_holders(st->semid, &info->readers, &info->writer) < 0) {
		return -1;
	}
	if (shmctl(st->shmid, IPC_STAT, &ds) < 0)
		return -1;
	if (sl_native_published(st, &info->version, &info->length) < 0)
		return -1;
	info->segments = native_num_segments(share);
	info->shmid = st->shmid;
	info->semid = st->semid;
	info->segment_size = st->size;
	info->mode = ds.shm_perm.mode & 0777;
	info->uid = ds.shm_perm.uid;
	info->gid = ds.shm_perm.gid;
	info->cuid = ds.shm_perm.cuid;
	info->attached = (unsigned long)ds.shm_nattch;
	return 0;
}

/*
 * Holding LOCK_EX: remove the head, then the set, which releases the lock
 * (a private share's lock is given back from its table). Processes that
 * still map the head see `removed` and fail with EIDRM.
 */
static int native_remove(const share_t *share)
{
	struct native *st = state_of(share);
	struct semid_ds ds;
	union semun arg = { .buf = &ds };
	int now, err;

	/* The set goes last: check first that it can go at all, so a
	 * refusal leaves the share whole. */
	if (!st->private_share) {
		if (semctl(st->semid, 0, IPC_STAT, arg) < 0)
			return -1;
		if (!sl_may_remove(&ds.sem_perm)) {
			errno = EPERM;
			return -1;
		}
	}
	if (shmctl(st->shmid, IPC_RMID, NULL) < 0)
		return -1;
	sl_native_remove_values(st);
	/* Release: pairs with sl_native_removed()'s acquire load. */
	__atomic_store_n(&st->head->removed, 1, __ATOMIC_RELEASE);
	/* Waiters in share_wait_change() wake to find it gone: the word
	 * changes, so none can go to sleep on it unwoken. */
	sl_native_wake(st, __atomic_load_n(&st->head->wake, __ATOMIC_RELAXED) + 1);
	if (st->private_share) {
		/* The lock's waiters too, to fail with EIDRM. */
		change_lock(share, LOCK_EX, 0, RWSEM_RESTART, NULL, &now);
		sl_proclock_wake(st->table);
		return 0;
	}
	if (semctl(st->semid, 0, IPC_RMID) == 0 || errno == EINVAL || errno == EIDRM)
		return 0;	/* removed, by us or by another (ipcrm) */
	/* Refused after the head went (its owner changed in between): no
	 * step back is left, so the lock goes back and the core takes the
	 * share for removed. */
	err = errno;
	change_lock(share, LOCK_EX, 0, RWSEM_RESTART, NULL, &now);
	errno = err;
	return SL_REMOVED_PARTLY;
}

/* Whether this handle's process is the only one attached to the head. */
static int attached_alone(const struct native *st)
{
	struct shmid_ds ds;

	return shmctl(st->shmid, IPC_STAT, &ds) == 0 && ds.shm_nattch == 1;
}

/* As the Perl format's: give back, detach, then look; see its format.c. */
static int remove_keyed_if_last(const share_t *share, int held, int *now)
{
	struct native *st = state_of(share);
	struct shmid_ds ds;
	int rc;

	*now = held;
	if (held && change_lock(share, held, 0, RWSEM_RESTART, NULL, now) < 0)
		return -1;
	detach_head(st);
	if (shmctl(st->shmid, IPC_STAT, &ds) < 0)
		return errno == EINVAL || errno == EIDRM ? 0 : -1;	/* gone already */
	if (ds.shm_nattch != 0)
		return 0;	/* the last of the others removes it */
	if (change_lock(share, 0, LOCK_EX, RWSEM_NONBLOCK | RWSEM_RESTART, NULL, now) < 0)
		return errno == EWOULDBLOCK || errno == EIDRM ? 0 : -1;
	if (attach_head(st, st->shmid) < 0)
		return -1;
	if (!attached_alone(st))
		return 0;	/* opened meanwhile: its opener's now */
	rc = native_remove(share);
	if (rc < 0)
		return -1;
	*now = 0;	/* given back, or gone with the set */
	return rc == SL_REMOVED_PARTLY ? -1 : 0;
}

/*
 * The head was marked for removal at its creation and holds every byte of
 * the share: the kernel removes it once the last process of the family
 * detaches, so a closer only gives its lock back.
 */
static int remove_private_if_last(const share_t *share, int held, int *now)
{
	*now = held;
	return held ? change_lock(share, held, 0, RWSEM_RESTART, NULL, now) : 0;
}

static int native_remove_if_last(const share_t *share, int held, int *now)
{
	if (share->key == IPC_PRIVATE)
		return remove_private_if_last(share, held, now);
	return remove_keyed_if_last(share, held, now);
}

const struct sl_format sl_format_native = {
	.name = "native",
	.id = SHARE_FORMAT_NATIVE,
	.state_size = sizeof(struct native),
	.probe = native_probe,
	.open = native_open,
	.close = native_close,
	.lock = native_lock,
	.store = native_store,
	.fetch = sl_native_fetch,
	.view = native_view,
	.version = native_version,
	.num_segments = native_num_segments,
	.stat = native_stat,
	.remove = native_remove,
	.remove_if_last = native_remove_if_last,
	.store_unlocked = native_store_unlocked,
	.fetch_unlocked = sl_native_fetch,
	.wait_change = native_wait_change,
};
