/*
 * format_ipcsl.c - IPC::ShareLite 0.17's memory format and lock protocol
 * (sharelite(7)), with the Perl module's bugs left out: attaching needs
 * no size, errors give back the lock and what the call created, overflow
 * segments take no key, and nothing read from shared memory is trusted.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>

#include "internal.h"
#include "chain.h"
#include "semlock.h"

union semun {			/* the caller defines it, says semctl(2) */
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

struct ipcsl {
	int semid;
	int queued;		/* SEMLOCK_QUEUED if the set counts waiting writers */
	struct chain chain;
};

static struct ipcsl *state_of(share_t *share)
{
	return share->state;
}

static int sem_get(int semid, int num)
{
	int v = semctl(semid, num, GETVAL);

	if (v < 0 && errno == EINVAL)
		errno = EIDRM;
	return v;
}

/*
 * Shared locks this process holds on queued sets, through any handle: the
 * count in the low 32 bits, the fork epoch it belongs to in the high ones
 * (a child holds no lock). A process that holds one takes more without
 * queueing behind waiting writers, who wait for the one it holds: queued,
 * a second handle in the same thread would wait for itself. Relaxed
 * atomics suffice: a thread reads its own changes in program order, and
 * another thread's count can only spare it the queue.
 */
static uint64_t shared_held_here;

static uint32_t shared_held_now(void)
{
	uint64_t w = __atomic_load_n(&shared_held_here, __ATOMIC_RELAXED);

	return (uint32_t)(w >> 32) == sharelite_fork_epoch ? (uint32_t)w : 0;
}

static void count_shared_held(int delta)
{
	uint64_t w = __atomic_load_n(&shared_held_here, __ATOMIC_RELAXED), next;

	do {
		uint32_t n = (uint32_t)(w >> 32) == sharelite_fork_epoch ? (uint32_t)w : 0;

		if (delta < 0 && n == 0)
			return;
		n += (uint32_t)delta;
		next = (uint64_t)sharelite_fork_epoch << 32 | n;
	} while (!__atomic_compare_exchange_n(&shared_held_here, &w, next, 0,
					      __ATOMIC_RELAXED, __ATOMIC_RELAXED));
}

/*
 * Change this handle's lock in the set's own protocol. A release counts
 * as done even when it fails with EIDRM: with the set, the lock is gone.
 */
static int change_lock(struct ipcsl *st, int from, int to, int flags, int *held)
{
	int queued = st->queued, rc, now_shared;

	if (!queued)
		return sl_semlock_change(st->semid, from, to, flags, held);
	if (to == LOCK_SH && shared_held_now() > 0)
		queued = 0;
	rc = sl_semlock_change(st->semid, from, to, flags | queued, held);
	now_shared = *held == LOCK_SH && !(rc < 0 && to == 0 && errno == EIDRM);
	if (now_shared != (from == LOCK_SH))
		count_shared_held(now_shared ? 1 : -1);
	return rc;
}

/*
 * Whether a set found under the key can be a share's: three semaphores
 * (Perl's) or four (ours), the flag and the writer count each 0 or 1.
 * Anything else is another program's. *queued says which kind it is.
 */
static int looks_like_share(int semid, int *queued)
{
	struct semid_ds ds;
	union semun arg = { .buf = &ds };
	int init, writer;

	if (semctl(semid, 0, IPC_STAT, arg) < 0) {
		if (errno == EINVAL)	/* the id names no set any more */
			errno = EIDRM;
		return -1;
	}
	init = sem_get(semid, SEMLOCK_INIT);
	writer = sem_get(semid, SEMLOCK_WRITER);
	if (init < 0 || writer < 0)
		return -1;
	*queued = ds.sem_nsems == SEMLOCK_NSEMS_QUEUED ? SEMLOCK_QUEUED : 0;
	return (ds.sem_nsems == SEMLOCK_NSEMS || ds.sem_nsems == SEMLOCK_NSEMS_QUEUED) &&
	       init <= 1 && writer <= 1;
}

/* A lock held does not mean the share is still there: ask the set. */
static int still_there(int semid)
{
	return sem_get(semid, SEMLOCK_INIT) < 0 ? -1 : 0;
}

/* Take the lock `to` if this handle holds less; *took says what to undo. */
static int lock_for(share_t *share, int to, int *took)
{
	int held = share_held_lock(share), now;

	*took = 0;
	if (held == LOCK_EX || held == to)
		return still_there(state_of(share)->semid);
	if (change_lock(state_of(share), held, to, SEMLOCK_RESTART, &now) < 0) {
		/* A failed upgrade from LOCK_SH released it: take it back. */
		int err = errno;

		if (now != held)
			change_lock(state_of(share), now, held, SEMLOCK_RESTART, &now);
		share_set_held_lock(share, now);
		errno = err;
		return -1;
	}
	*took = 1;
	return 0;
}

/* Give back what lock_for() took, keeping errno. */
static void unlock_for(share_t *share, int to, int took)
{
	int err = errno, now;

	if (took)
		change_lock(state_of(share), to, share_held_lock(share), SEMLOCK_RESTART, &now);
	errno = err;
}

/*
 * The share's set, found or created; *queued says whether it counts waiting
 * writers. Sets made here do (four semaphores); Perl's (three) do not.
 */
static int find_semaphores(key_t key, int flags, mode_t mode, int *created, int *queued)
{
	*created = 0;
	*queued = SEMLOCK_QUEUED;
	if (key == IPC_PRIVATE) {
		*created = 1;
		return semget(IPC_PRIVATE, SEMLOCK_NSEMS_QUEUED, IPC_CREAT | mode);
	}
	for (;;) {
		int semid = semget(key, SEMLOCK_NSEMS, 0);

		if (semid >= 0) {
			if ((flags & IPC_CREAT) && (flags & IPC_EXCL)) {
				errno = EEXIST;
				return -1;
			}
			switch (looks_like_share(semid, queued)) {
			case 1:
				return semid;
			case 0:
				errno = EEXIST;	/* a set that is not a share's */
				return -1;
			}
			if (errno != EIDRM)
				return -1;
			continue;	/* removed in between: look again */
		}
		if (errno == EINVAL)	/* fewer semaphores: not a share's */
			errno = EEXIST;
		if (errno != ENOENT || !(flags & IPC_CREAT))
			return -1;
		semid = semget(key, SEMLOCK_NSEMS_QUEUED, IPC_CREAT | IPC_EXCL | mode);
		if (semid >= 0) {
			*queued = SEMLOCK_QUEUED;
			*created = 1;
			return semid;
		}
		if (errno != EEXIST)	/* EEXIST: another opener was quicker */
			return -1;
	}
}

/*
 * An initialised share is attached without its lock, so that opening never
 * waits for a process that holds it. 1: attached; 0: take the slow path.
 */
static int attach_initialised(share_t *share, struct ipcsl *st)
{
	int shmid;

	if (sem_get(st->semid, SEMLOCK_INIT) != 1)
		return 0;
	shmid = shmget(share->key, 0, 0);
	if (shmid < 0)
		return errno == ENOENT ? 0 : -1;
	if (sl_chain_open_head(&st->chain, shmid) == 0)
		return 1;
	/* Removed since shmget(): the slow path waits for the remover and
	 * starts again. */
	return errno == EINVAL || errno == EIDRM ? 0 : -1;
}

/*
 * Under the exclusive lock: find or create the head and initialise it.
 * *created is the id of a head this call created, else -1.
 */
static int attach_locked(share_t *share, struct ipcsl *st, size_t segment_size,
			 int created_sem, int *created)
{
	union semun one = { .val = 1 };
	int shmid = -1, initialised;

	*created = -1;
	if (share->key != IPC_PRIVATE) {
		shmid = shmget(share->key, 0, 0);
		if (shmid >= 0 && created_sem) {
			errno = EEXIST;	/* a segment from before the share */
			return -1;
		}
		if (shmid < 0 && (errno != ENOENT || !(share->flags & IPC_CREAT)))
			return -1;
	}
	if (shmid < 0) {
		shmid = shmget(share->key, segment_size, IPC_CREAT | IPC_EXCL | share->mode);
		if (shmid < 0)
			return -1;
		*created = shmid;
	}
	if (sl_chain_open_head(&st->chain, shmid) < 0)
		return -1;
	initialised = sem_get(st->semid, SEMLOCK_INIT);
	if (initialised < 0)
		return -1;
	if (*created >= 0 || initialised == 0) {
		sl_chain_init_head(&st->chain);
		if (semctl(st->semid, SEMLOCK_INIT, SETVAL, one) < 0)
			return -1;
	}
	return 0;
}

static int ipcsl_open(share_t *share, size_t segment_size)
{
	struct ipcsl *st = calloc(1, sizeof(*st));
	int created_sem, created_shm, held, err;

	if (!st)
		return -1;
again:
	st->semid = find_semaphores(share->key, share->flags, share->mode, &created_sem,
				    &st->queued);
	if (st->semid < 0)
		goto fail;
	if (!created_sem) {
		int rc = attach_initialised(share, st);

		if (rc > 0)
			goto opened;
		if (rc < 0)
			goto fail;
	}
	if (change_lock(st, 0, LOCK_EX, SEMLOCK_RESTART, &held) < 0) {
		/* Removed before we got the lock, even one we made: another
		 * opener may have taken it over and removed it since. */
		if (errno == EIDRM)
			goto again;
		goto give_back;
	}
	/* Another opener may have found the set we made and initialised the
	 * share before we got the lock: it is a share like any other now,
	 * with a head that is not "from before", and not ours to remove. */
	if (created_sem && sem_get(st->semid, SEMLOCK_INIT) == 1)
		created_sem = 0;
	if (attach_locked(share, st, segment_size, created_sem, &created_shm) == 0) {
		change_lock(st, LOCK_EX, 0, SEMLOCK_RESTART, &held);
		share->created = created_shm >= 0;
		goto opened;
	}
	err = errno;
	if (st->chain.segs)
		sl_chain_close(&st->chain);
	if (created_shm >= 0)
		shmctl(created_shm, IPC_RMID, NULL);
	if (!created_sem)
		change_lock(st, LOCK_EX, 0, SEMLOCK_RESTART, &held);
	if (err == EIDRM && sem_get(st->semid, SEMLOCK_INIT) < 0)
		goto again;	/* the set went while we held its lock: ipcrm */
	errno = err;
give_back:
	if (created_sem) {
		err = errno;
		semctl(st->semid, 0, IPC_RMID);
		errno = err;
	}
fail:
	free(st);
	return -1;

opened:
	share->state = st;
	share->segment_size = st->chain.segment_size;
	share->mode = st->chain.mode;
	return 0;
}

/*
 * Under the exclusive lock: remove every segment, then the semaphores, which
 * releases the lock. On failure nothing is removed and the lock is held.
 */
static int remove_locked(share_t *share)
{
	struct ipcsl *st = state_of(share);
	struct semid_ds ds;
	union semun arg = { .buf = &ds };

	/* The set goes last: check first that it can go at all (IPC_SET
	 * needs IPC_RMID's right), so a refusal leaves the value whole. */
	if (semctl(st->semid, 0, IPC_STAT, arg) < 0 || semctl(st->semid, 0, IPC_SET, arg) < 0)
		return -1;
	if (sl_chain_remove(&st->chain) < 0)
		return -1;
	share_set_held_lock(share, 0);
	return semctl(st->semid, 0, IPC_RMID) < 0 ? -1 : 0;
}

static int ipcsl_remove(share_t *share)
{
	int took;

	if (lock_for(share, LOCK_EX, &took) < 0)
		return -1;
	if (remove_locked(share) == 0)
		return 0;
	unlock_for(share, LOCK_EX, took);
	return -1;
}

/* Whether this handle's process is the only one attached to the head. */
static int attached_alone(struct ipcsl *st)
{
	struct shmid_ds ds;

	return shmctl(st->chain.segs[0].shmid, IPC_STAT, &ds) == 0 && ds.shm_nattch == 1;
}

/*
 * Remove the share if no other process is attached. A process that holds a
 * lock is attached, so this never waits for one: it gives back its own
 * lock, detaches, and only then looks. Of two last closers, the later to
 * detach sees nobody left.
 */
static int remove_if_last(share_t *share)
{
	struct ipcsl *st = state_of(share);
	int shmid = st->chain.segs[0].shmid, held = share_held_lock(share);
	struct shmid_ds ds;

	if (held && change_lock(st, held, 0, SEMLOCK_RESTART, &held) < 0)
		return -1;
	share_set_held_lock(share, 0);
	sl_chain_close(&st->chain);
	if (shmctl(shmid, IPC_STAT, &ds) < 0)
		return errno == EINVAL || errno == EIDRM ? 0 : -1;	/* gone already */
	if (ds.shm_nattch != 0)
		return 0;	/* the last of the others removes it */
	/* Nobody is attached; one who holds the lock now is opening the share
	 * and keeps it. */
	if (change_lock(st, 0, LOCK_EX, SEMLOCK_NONBLOCK | SEMLOCK_RESTART, &held) < 0)
		return errno == EWOULDBLOCK || errno == EIDRM ? 0 : -1;
	share_set_held_lock(share, LOCK_EX);	/* ipcsl_close() gives it back */
	if (sl_chain_open_head(&st->chain, shmid) < 0)
		return -1;
	if (!attached_alone(st))
		return 0;	/* opened meanwhile: its opener's now */
	return remove_locked(share);
}

static int ipcsl_close(share_t *share, int how)
{
	struct ipcsl *st = state_of(share);
	int rc = 0, held;

	if (!share->removed && st->chain.segs) {
		if (how == SHARE_CLOSE_REMOVE)
			rc = ipcsl_remove(share);
		else if (how == SHARE_CLOSE_REMOVE_IF_LAST)
			rc = remove_if_last(share);
		/* Kept, or the removal failed: give back the lock held. */
		held = share_held_lock(share);
		if (held) {
			int err = errno;

			if (change_lock(st, held, 0, SEMLOCK_RESTART, &held) < 0)
				rc = -1;
			else
				errno = err;
		}
	}
	sl_chain_close(&st->chain);
	free(st);
	share->state = NULL;
	return rc;
}

static int ipcsl_lock(share_t *share, int operation)
{
	int to = operation & LOCK_UN ? 0 : operation & (LOCK_SH | LOCK_EX);
	int flags = operation & LOCK_NB ? SEMLOCK_NONBLOCK : 0, held, rc;

	if (to == share_held_lock(share))
		return still_there(state_of(share)->semid);
	rc = change_lock(state_of(share), share_held_lock(share), to, flags, &held);
	share_set_held_lock(share, held);
	return rc;
}

/*
 * What a reader can see after a writer was killed at any instant: the old
 * value, the new one, or an empty value (killed while copying); always
 * whole. Killed after the copy, the chain may stay longer than the value
 * and the version unbumped until the next store.
 */
static int ipcsl_store(share_t *share, const void *data, size_t length)
{
	struct ipcsl *st = state_of(share);
	struct chain *c = &st->chain;
	size_t nsegs;
	int took;

	if (lock_for(share, LOCK_EX, &took) < 0)
		return -1;
	sl_chain_sync(c);
	nsegs = sl_chain_segments_for(c, length);
	/* Every segment the value needs is had before the old value is
	 * touched: a store that fails leaves it whole. */
	if (sl_chain_reserve(c, nsegs) < 0) {
		unlock_for(share, LOCK_EX, took);
		return -1;
	}
	/* A writer that dies while copying leaves an empty value, not a torn one. */
	chain_head(c)->length = 0;
	sl_chain_write(c, data, length);
	chain_head(c)->length = (int32_t)length;
	/* The value is stored; a chain that cannot be trimmed now stays
	 * longer, whole, for the next store to trim. */
	sl_chain_trim(c, nsegs);
	/* The counter wraps past 0, which share_version() keeps for errors. */
	if (++chain_head(c)->version == 0)
		chain_head(c)->version = 1;
	unlock_for(share, LOCK_EX, took);
	return 0;
}

/* Under a lock: check the head's length and map the segments holding it. */
static ssize_t locked_length(struct chain *c)
{
	int32_t length;

	sl_chain_sync(c);
	length = chain_load(chain_head(c)->length);
	if (length < 0) {
		errno = EBADMSG;
		return -1;
	}
	if (sl_chain_attach(c, sl_chain_segments_for(c, (size_t)length)) < 0)
		return -1;
	return length;
}

static ssize_t ipcsl_fetch(share_t *share, void **data, unsigned int *version)
{
	struct chain *c = &state_of(share)->chain;
	ssize_t length;
	int took;
	char *buf = NULL;

	if (lock_for(share, LOCK_SH, &took) < 0)
		return -1;
	length = locked_length(c);
	if (length >= 0) {
		buf = malloc((size_t)length + 1);
		if (buf) {
			sl_chain_read(c, buf, (size_t)length);
			buf[length] = '\0';
			if (version)
				*version = chain_load(chain_head(c)->version);
		} else {
			length = -1;
		}
	}
	unlock_for(share, LOCK_SH, took);
	*data = buf;
	return length;
}

static ssize_t ipcsl_fetch_into(share_t *share, void *buf, size_t size)
{
	struct chain *c = &state_of(share)->chain;
	ssize_t length;
	int took;

	if (lock_for(share, LOCK_SH, &took) < 0)
		return -1;
	length = locked_length(c);
	if (length >= 0)
		sl_chain_read(c, buf, (size_t)length < size ? (size_t)length : size);
	unlock_for(share, LOCK_SH, took);
	return length;
}

static int ipcsl_version(share_t *share, unsigned int *version)
{
	struct ipcsl *st = state_of(share);

	/* The set goes last when a share is removed: asking it tells us. */
	if (sem_get(st->semid, SEMLOCK_INIT) < 0)
		return -1;
	*version = chain_load(chain_head(&st->chain)->version);
	return 0;
}

static int ipcsl_num_segments(share_t *share)
{
	struct chain *c = &state_of(share)->chain;
	int took, n;

	if (lock_for(share, LOCK_SH, &took) < 0)
		return -1;
	sl_chain_sync(c);
	n = sl_chain_count(c);
	unlock_for(share, LOCK_SH, took);
	return n;
}

/* writers_waiting took one of the reserved longs: the size stays. */
_Static_assert(offsetof(struct share_info, writers_waiting) % _Alignof(long) == 0 &&
	       sizeof(struct share_info) ==
	       offsetof(struct share_info, writers_waiting) + 8 * sizeof(long),
	       "struct share_info changed size");

static int ipcsl_stat(share_t *share, struct share_info *info)
{
	struct ipcsl *st = state_of(share);
	struct chain *c = &st->chain;
	struct segment_header *head = chain_head(c);
	struct shmid_ds ds;
	int32_t length;
	int held = share_held_lock(share), now;

	memset(info, 0, sizeof(*info));
	info->readers = sem_get(st->semid, SEMLOCK_READERS);
	info->writer = sem_get(st->semid, SEMLOCK_WRITER);
	info->writers_waiting = st->queued ? sem_get(st->semid, SEMLOCK_WRITERS_WAITING) : -1;
	if (info->readers < 0 || info->writer < 0 || (st->queued && info->writers_waiting < 0))
		return -1;
	if (shmctl(c->segs[0].shmid, IPC_STAT, &ds) < 0)
		return -1;
	/* Count the chain only if that needs no waiting for a writer. */
	info->segments = -1;
	if (held)
		info->segments = ipcsl_num_segments(share);
	else if (change_lock(st, 0, LOCK_SH, SEMLOCK_NONBLOCK | SEMLOCK_RESTART, &now) == 0) {
		sl_chain_sync(c);
		info->segments = sl_chain_count(c);
		change_lock(st, LOCK_SH, 0, SEMLOCK_RESTART, &now);
	}
	length = chain_load(head->length);
	info->key = share->key;
	info->shmid = c->segs[0].shmid;
	info->semid = st->semid;
	info->length = length < 0 ? 0 : (size_t)length;
	info->version = chain_load(head->version);
	info->segment_size = c->segment_size;
	info->mode = ds.shm_perm.mode & 0777;
	info->uid = ds.shm_perm.uid;
	info->gid = ds.shm_perm.gid;
	info->cuid = ds.shm_perm.cuid;
	info->attached = (unsigned long)ds.shm_nattch;
	return 0;
}

const struct share_format sl_format_ipcsl = {
	.name = "IPC::ShareLite 0.17",
	.open = ipcsl_open,
	.close = ipcsl_close,
	.remove = ipcsl_remove,
	.lock = ipcsl_lock,
	.store = ipcsl_store,
	.fetch = ipcsl_fetch,
	.fetch_into = ipcsl_fetch_into,
	.version = ipcsl_version,
	.num_segments = ipcsl_num_segments,
	.stat = ipcsl_stat,
};
