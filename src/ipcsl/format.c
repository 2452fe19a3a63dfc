/*
 * format.c - IPC::ShareLite 0.17's memory format and lock protocol
 * (sharelite(7)), with the Perl module's bugs left out: attaching needs
 * no size, errors give back the lock and what the call created, overflow
 * segments take no key, and nothing read from shared memory is trusted.
 * These are the ops of format.h; what every format shares, the rules of
 * the API, is done above them (lock.c, handle.c).
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>

#include "format.h"
#include "chain.h"
#include "rights.h"
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

_Static_assert(SL_LOCK_NONBLOCK == SEMLOCK_NONBLOCK && SL_LOCK_RESTART == SEMLOCK_RESTART,
	       "the lock op passes its flags to semlock.c as they are");

static struct ipcsl *state_of(const share_t *share)
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
 * count in the low 32 bits, the process token it belongs to in the high
 * ones (a child holds none of its parent's locks). A process that holds one
 * takes more without queueing behind waiting writers, who wait for the one
 * it holds: queued, a second handle in the same thread would wait for
 * itself. Relaxed atomics suffice: a thread reads its own changes in
 * program order, and another thread's count can only spare it the queue.
 */
static uint64_t shared_held_here;

static uint32_t shared_held_now(void)
{
	return sl_process_count(&shared_held_here);
}

static void count_shared_held(int delta)
{
	sl_process_count_add(&shared_held_here, delta);
}

/*
 * Change the lock in the set's own protocol, waiting until deadline at
 * most (NULL: no limit). A release counts as done even when it fails with
 * EIDRM: with the set, the lock is gone.
 */
static int change_lock(const struct ipcsl *st, int from, int to, int flags,
		       const struct timespec *deadline, int *held)
{
	int queued = st->queued, rc, now_shared;

	if (!queued)
		return sl_semlock_change_until(st->semid, from, to, flags, deadline, held);
	if (to == LOCK_SH && shared_held_now() > 0)
		queued = 0;
	rc = sl_semlock_change_until(st->semid, from, to, flags | queued, deadline, held);
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

/* Permission bits for the group and for others. */
#define OTHERS_BITS 0077

/*
 * Whether the set and the head belong together: one owner, and a set that
 * lets others do no more than the head does. Another user who made the set
 * under the key before the share existed could otherwise lock the owner's
 * share, or remove it. Overflow segments belong to whoever stored: left out.
 * SHARE_ANY_OWNER opens such a share all the same.
 */
static int owned_alike(const share_t *share, int semid, int shmid)
{
	struct semid_ds sds;
	union semun arg = { .buf = &sds };
	struct shmid_ds hds;

	if (share->flags & SHARE_ANY_OWNER)
		return 0;
	if (semctl(semid, 0, IPC_STAT, arg) < 0 || shmctl(shmid, IPC_STAT, &hds) < 0) {
		if (errno == EINVAL)	/* the id names nothing any more */
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

/* A lock held does not mean the share is still there: ask the set. */
static int still_there(int semid)
{
	return sem_get(semid, SEMLOCK_INIT) < 0 ? -1 : 0;
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
 * Whether the set says the share is initialised: semaphore 0 taken down and
 * up again in one semop(2), which changes nothing but, like every lock,
 * needs write (alter) permission on the set. So an opener that could not
 * lock the share fails at once with EACCES, as the slow path's lock would.
 * 1: initialised; 0: not, or gone (the slow path sees which); -1: EACCES.
 */
static int initialised_and_lockable(int semid)
{
	struct sembuf down_up[] = {
		{ SEMLOCK_INIT, -1, IPC_NOWAIT },	/* EAGAIN while it is 0 */
		{ SEMLOCK_INIT, 1, IPC_NOWAIT },
	};

	if (semop(semid, down_up, 2) == 0)
		return 1;
	return errno == EACCES ? -1 : 0;
}

/*
 * An initialised share is attached without its lock, so that opening never
 * waits for a process that holds it. 1: attached; 0: take the slow path.
 */
static int attach_initialised(const share_t *share, struct ipcsl *st)
{
	int shmid, err, initialised = initialised_and_lockable(st->semid);

	if (initialised <= 0)
		return initialised;
	shmid = shmget(share->key, 0, 0);
	if (shmid < 0)
		return errno == ENOENT ? 0 : -1;
	if (sl_chain_open_head(&st->chain, shmid) == 0) {
		if (owned_alike(share, st->semid, shmid) == 0)
			return 1;
		err = errno;
		sl_chain_close(&st->chain);
		errno = err;
	}
	/* Removed since shmget(): the slow path waits for the remover and
	 * starts again. */
	return errno == EINVAL || errno == EIDRM ? 0 : -1;
}

/*
 * Under the exclusive lock: find or create the head and initialise it.
 * *created is the id of a head this call created, else -1.
 */
static int attach_locked(const share_t *share, struct ipcsl *st, size_t segment_size,
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
	/* Before the set is touched; a head made here, the caller removes. */
	if (owned_alike(share, st->semid, shmid) < 0)
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

/* A share of this format has its semaphore set under the key. */
static int ipcsl_probe(key_t key)
{
	if (semget(key, 0, 0) >= 0)
		return 1;
	return errno == ENOENT ? 0 : -1;
}

static int ipcsl_open(const share_t *share, size_t segment_size,
		      const struct timespec *deadline, struct sl_opened *opened)
{
	struct ipcsl *st = state_of(share);
	int created_sem, created_shm, held, err;

	st->semid = find_semaphores(share->key, share->flags, share->mode, &created_sem,
				    &st->queued);
	if (st->semid < 0)
		return -1;
	if (!created_sem) {
		int rc = attach_initialised(share, st);

		if (rc > 0)
			goto opened;
		if (rc < 0)
			return -1;
	}
	if (change_lock(st, 0, LOCK_EX, SEMLOCK_RESTART, deadline, &held) < 0) {
		/* Removed before we got the lock, even one we made: another
		 * opener may have taken it over and removed it since. */
		if (errno == EIDRM)
			return SL_OPEN_AGAIN;
		/* Timed out: another process holds the lock of the set we
		 * made, so it uses it as a share; it is not ours to remove. */
		if (errno == ETIMEDOUT)
			created_sem = 0;
		goto give_back;
	}
	/* Another opener may have found the set we made and initialised the
	 * share before we got the lock: it is a share like any other now,
	 * with a head that is not "from before", and not ours to remove. */
	if (created_sem && sem_get(st->semid, SEMLOCK_INIT) == 1)
		created_sem = 0;
	if (attach_locked(share, st, segment_size, created_sem, &created_shm) == 0) {
		change_lock(st, LOCK_EX, 0, SEMLOCK_RESTART, NULL, &held);
		opened->created = created_shm >= 0;
		if (share->key == IPC_PRIVATE)
			shmctl(st->chain.segs[0].shmid, IPC_RMID, NULL);	/* see closing_turn() */
		goto opened;
	}
	err = errno;
	if (st->chain.segs)
		sl_chain_close(&st->chain);
	if (created_shm >= 0)
		shmctl(created_shm, IPC_RMID, NULL);
	if (!created_sem)
		change_lock(st, LOCK_EX, 0, SEMLOCK_RESTART, NULL, &held);
	if (err == EIDRM && sem_get(st->semid, SEMLOCK_INIT) < 0)
		return SL_OPEN_AGAIN;	/* the set went while we held its lock: ipcrm */
	errno = err;
give_back:
	if (created_sem) {
		err = errno;
		semctl(st->semid, 0, IPC_RMID);
		errno = err;
	}
	return -1;

opened:
	opened->segment_size = st->chain.segment_size;
	opened->mode = st->chain.mode;
	opened->lock_object_id = st->semid;
	return 0;
}

/*
 * Under the exclusive lock: remove every segment, then the semaphores, which
 * releases the lock. On failure nothing is removed and the lock is held,
 * but for SL_REMOVED_PARTLY: the set was refused after the segments went
 * (its owner changed in between). The handle has nothing mapped then, so
 * it gives back its lock and the core takes the share for removed; the set
 * stays, a set with no head, which an opener with IPC_CREAT makes a share
 * of again.
 */
static int remove_locked(const share_t *share)
{
	struct ipcsl *st = state_of(share);
	struct semid_ds ds;
	union semun arg = { .buf = &ds };
	int held, err;

	/* The set goes last: check first that it can go at all, so a refusal
	 * leaves the value whole. */
	if (semctl(st->semid, 0, IPC_STAT, arg) < 0)
		return -1;
	if (!sl_may_remove(&ds.sem_perm)) {
		errno = EPERM;
		return -1;
	}
	if (sl_chain_remove(&st->chain) < 0)
		return -1;
	if (semctl(st->semid, 0, IPC_RMID) == 0)
		return 0;
	if (errno == EINVAL || errno == EIDRM)
		return 0;	/* removed by another (ipcrm): gone all the same */
	err = errno;
	change_lock(st, LOCK_EX, 0, SEMLOCK_RESTART, NULL, &held);
	errno = err;
	return SL_REMOVED_PARTLY;
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
 * lock (`held`), detaches, and only then looks. Of two last closers, the
 * later to detach sees nobody left. *now: the lock held at the end.
 */
static int remove_if_last(const share_t *share, int held, int *now)
{
	struct ipcsl *st = state_of(share);
	int shmid = st->chain.segs[0].shmid, rc;
	struct shmid_ds ds;

	*now = held;
	if (held && change_lock(st, held, 0, SEMLOCK_RESTART, NULL, now) < 0)
		return -1;
	sl_chain_close(&st->chain);
	if (shmctl(shmid, IPC_STAT, &ds) < 0)
		return errno == EINVAL || errno == EIDRM ? 0 : -1;	/* gone already */
	if (ds.shm_nattch != 0)
		return 0;	/* the last of the others removes it */
	/* Nobody is attached; one who holds the lock now is opening the share
	 * and keeps it. */
	if (change_lock(st, 0, LOCK_EX, SEMLOCK_NONBLOCK | SEMLOCK_RESTART, NULL, now) < 0)
		return errno == EWOULDBLOCK || errno == EIDRM ? 0 : -1;
	/* From here the core gives back the lock held at the end. */
	if (sl_chain_open_head(&st->chain, shmid) < 0)
		return -1;
	if (!attached_alone(st))
		return 0;	/* opened meanwhile: its opener's now */
	rc = remove_locked(share);
	if (rc < 0)
		return -1;
	*now = 0;	/* it went with the set, or was given back */
	return rc == SL_REMOVED_PARTLY ? -1 : 0;
}

/*
 * A private share's head is marked for removal (IPC_RMID) as soon as its
 * creator has mapped it: the kernel keeps it while any process of the family
 * maps it, fork() hands the mapping on, and the last process to unmap it,
 * closing or killed, removes it. The overflow segments cannot be marked: one
 * that no process happened to map would go while the chain still links it.
 * Nor can the set. The last closer removes them, but cannot look at the head
 * once it has unmapped it, so closers take turns on semaphore 0, which a
 * private share no longer needs once initialised: in its turn a closer looks
 * while it is still attached, and either finds itself alone and removes the
 * share, or detaches. A turn waits for nothing, so closing never waits for a
 * lock, only for another closer's turn; SEM_UNDO ends the turn of a closer
 * that dies.
 */
static int closing_turn(int semid, int take)
{
	struct sembuf op = { SEMLOCK_INIT, take ? -1 : 1, SEM_UNDO };

	while (semop(semid, &op, 1) < 0) {
		if (errno == EINVAL)	/* the id names no set any more */
			errno = EIDRM;
		if (errno != EINTR)
			return -1;
	}
	return 0;
}

static int remove_private_if_last(const share_t *share, int held, int *now)
{
	struct ipcsl *st = state_of(share);
	int rc = 0, err;
	struct shmid_ds ds;

	*now = held;
	if (held && change_lock(st, held, 0, SEMLOCK_RESTART, NULL, now) < 0)
		return -1;
	if (closing_turn(st->semid, 1) < 0)
		return -1;	/* EIDRM: removed already */
	if (shmctl(st->chain.segs[0].shmid, IPC_STAT, &ds) < 0) {
		rc = -1;
	} else if (ds.shm_nattch == 1) {
		/* Alone: nobody is left to hold the lock, so this never waits. */
		rc = change_lock(st, 0, LOCK_EX, SEMLOCK_NONBLOCK | SEMLOCK_RESTART, NULL, now);
		if (rc == 0)
			rc = remove_locked(share);
		if (rc == 0) {
			*now = 0;
			return 0;	/* the turn and the lock went with the set */
		}
		if (rc == SL_REMOVED_PARTLY)
			*now = 0;	/* given back */
		rc = -1;
	}
	/* Detach before the turn ends: the next closer sees us gone. */
	err = errno;
	sl_chain_close(&st->chain);
	closing_turn(st->semid, 0);
	errno = err;
	return rc;
}

static int ipcsl_remove_if_last(const share_t *share, int held, int *now)
{
	if (share->key == IPC_PRIVATE)
		return remove_private_if_last(share, held, now);
	return remove_if_last(share, held, now);
}

static void ipcsl_close(const share_t *share)
{
	sl_chain_close(&state_of(share)->chain);
}

static int ipcsl_lock(const share_t *share, int from, int to, int flags,
		      const struct timespec *deadline, int *held)
{
	const struct ipcsl *st = state_of(share);

	if (from == to) {
		*held = from;
		return still_there(st->semid);
	}
	return change_lock(st, from, to, flags, deadline, held);
}

/*
 * What a reader can see after a writer was killed at any instant: the old
 * value, the new one, or an empty value (killed while copying); always
 * whole. Killed after the copy, the chain may stay longer than the value
 * and the version unbumped until the next store.
 */
static int ipcsl_store(const share_t *share, const void *data, size_t length)
{
	struct ipcsl *st = state_of(share);
	struct chain *c = &st->chain;
	unsigned int version;
	size_t nsegs;

	sl_chain_sync(c);
	nsegs = sl_chain_segments_for(c, length);
	/* Every segment the value needs is had before the old value is
	 * touched: a store that fails leaves it whole. */
	if (sl_chain_reserve(c, nsegs) < 0)
		return -1;
	/* A writer that dies while copying leaves an empty value, not a torn one. */
	chain_store(chain_head(c)->length, 0);
	sl_chain_write(c, data, length);
	chain_store(chain_head(c)->length, (int32_t)length);
	/* The value is stored; a chain that cannot be trimmed now stays
	 * longer, whole, for the next store to trim. */
	sl_chain_trim(c, nsegs);
	version = sl_version_after(chain_load(chain_head(c)->version));
	chain_store(chain_head(c)->version, version);
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

static ssize_t ipcsl_fetch(const share_t *share, struct sl_fetch *f)
{
	struct chain *c = &state_of(share)->chain;
	ssize_t length = locked_length(c);

	if (length < 0 || sl_fetch_room(f, (size_t)length) < 0)
		return -1;
	sl_chain_read(c, f->buf, (size_t)length < f->size ? (size_t)length : f->size);
	f->version = chain_load(chain_head(c)->version);
	return length;
}

/* A value in the head is viewed there; a longer one spans segments
 * mapped apart, so the core copies it out. */
static ssize_t ipcsl_view(const share_t *share, const void **data)
{
	struct chain *c = &state_of(share)->chain;
	ssize_t length = locked_length(c);

	if (length >= 0 && (size_t)length <= c->data_size)
		*data = c->segs[0].addr + SHARELITE_HEADER_SIZE;
	return length;
}

static int ipcsl_version(const share_t *share, unsigned int *version)
{
	struct ipcsl *st = state_of(share);

	/* The set goes last when a share is removed: asking it tells us. */
	if (sem_get(st->semid, SEMLOCK_INIT) < 0)
		return -1;
	*version = chain_load(chain_head(&st->chain)->version);
	return 0;
}

static int ipcsl_num_segments(const share_t *share)
{
	struct chain *c = &state_of(share)->chain;

	sl_chain_sync(c);
	return sl_chain_count(c);
}

/* writers_waiting took one of the reserved longs: the size stays. */
_Static_assert(offsetof(struct share_info, writers_waiting) % _Alignof(long) == 0 &&
	       sizeof(struct share_info) ==
	       offsetof(struct share_info, writers_waiting) + 8 * sizeof(long),
	       "struct share_info changed size");

static int ipcsl_stat(const share_t *share, int held, struct share_info *info)
{
	struct ipcsl *st = state_of(share);
	struct chain *c = &st->chain;
	struct segment_header *head = chain_head(c);
	struct shmid_ds ds;
	int32_t length;
	int now, err;

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
		info->segments = still_there(st->semid) < 0 ? -1 : ipcsl_num_segments(share);
	else if (change_lock(st, 0, LOCK_SH, SEMLOCK_NONBLOCK | SEMLOCK_RESTART, NULL, &now) == 0) {
		info->segments = ipcsl_num_segments(share);
		err = errno;
		change_lock(st, LOCK_SH, 0, SEMLOCK_RESTART, NULL, &now);
		errno = err;
	}
	/* A segment the caller may not map: no permission, not a broken chain. */
	if (info->segments < 0 && errno == EACCES)
		return -1;
	length = chain_load(head->length);
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

const struct sl_format sl_format_ipcsl = {
	.name = "IPC::ShareLite 0.17",
	.id = SHARE_FORMAT_PERL,
	.state_size = sizeof(struct ipcsl),
	.probe = ipcsl_probe,
	.open = ipcsl_open,
	.close = ipcsl_close,
	.lock = ipcsl_lock,
	.store = ipcsl_store,
	.fetch = ipcsl_fetch,
	.view = ipcsl_view,
	.version = ipcsl_version,
	.num_segments = ipcsl_num_segments,
	.stat = ipcsl_stat,
	.remove = remove_locked,
	.remove_if_last = ipcsl_remove_if_last,
};
