/*
 * value.c - the native format's value: stores under the writers' robust
 * mutex into the slot (or small copy) not published, published with one
 * atomic store; fetches that take no lock, validated by the slot's
 * sequence number or, for a small copy, by current itself (sharelite(7),
 * "Native format").
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/syscall.h>

#include "native.h"
#include "proclock.h"
#include "deadline.h"

/* Lock-free tries before a fetch takes the writers' mutex to finish; for
 * a value longer than LONG_COPY bytes, LONG_COPY_TRIES, then one holding
 * the slot. */
#define READ_TRIES 64
#define LONG_COPY (64 * 1024)
#define LONG_COPY_TRIES 2
/* The longest a writer waits for the holders of a slot (value.c,
 * read_held()): a holder killed meanwhile is waited for this long once. */
#define HOLD_WAIT_MS 100

/* A slot's value segment is replaced when it is more than this many times
 * larger than the value, so that a share shrinks again. */
#define SHRINK_FACTOR 4

/* A slot gives its pages past a shorter value back to the system when
 * that frees at least this much (a private head's slots hold gigabytes). */
#define GIVE_BACK_MIN (64 * 1024)

static void unmap(struct native_map *m)
{
	if (m->addr)
		shmdt(m->addr);
	m->addr = NULL;
}

void sl_native_unmap_values(struct native *st)
{
	unmap(&st->map[0]);
	unmap(&st->map[1]);
}

/*
 * The mapping of value segment shmid, which slot i names, at least length
 * bytes long; NULL with errno (EIDRM, EINVAL: removed; EBADMSG: too short,
 * or not a value segment). A mapping is kept until the slot names another
 * segment, so a fetch of a value already mapped makes no system call. The
 * size is asked after attaching: an attached segment keeps its id, however
 * ids are reused. The head is not trusted: a segment that is not
 * IPC_PRIVATE with the head's mode, as a writer creates them, is another
 * program's, and a store never writes into it.
 */
static unsigned char *map_value(struct native *st, unsigned int i, int shmid, uint64_t length)
{
	struct native_map *m = &st->map[i];
	struct shmid_ds ds;
	void *addr;

	if (m->addr && m->shmid == shmid)
		goto check;
	unmap(m);
	if (shmid == st->shmid) {
		errno = EBADMSG;	/* the head is no value segment */
		return NULL;
	}
	addr = shmat(shmid, NULL, 0);
	if (addr == (void *)-1)
		return NULL;
	if (shmctl(shmid, IPC_STAT, &ds) < 0) {
		shmdt(addr);
		return NULL;
	}
	if (ds.shm_perm.__key != IPC_PRIVATE || (mode_t)(ds.shm_perm.mode & 0777) != st->mode) {
		shmdt(addr);
		errno = EBADMSG;
		return NULL;
	}
	m->shmid = shmid;
	m->addr = addr;
	m->size = ds.shm_segsz;
check:
	if (length > m->size) {
		errno = EBADMSG;
		return NULL;
	}
	return m->addr;
}

/* Whether a slot names segment shmid. */
static int named_by_slot(const struct native_head *h, int shmid)
{
	return __atomic_load_n(&h->slot[0].shmid, __ATOMIC_RELAXED) == shmid ||
	       __atomic_load_n(&h->slot[1].shmid, __ATOMIC_RELAXED) == shmid;
}

/*
 * Under the mutex: remove the segments a killed writer left recorded that
 * no slot names. The head is not trusted, so only an IPC_PRIVATE segment
 * with the head's mode, as a writer creates them, is removed.
 */
static void remove_segment_if_value(const struct native *st, int shmid)
{
	struct shmid_ds head, seg;

	if (shmid < 0 || shmid == st->shmid)
		return;
	if (shmctl(st->shmid, IPC_STAT, &head) < 0 || shmctl(shmid, IPC_STAT, &seg) < 0)
		return;
	if (seg.shm_perm.__key == IPC_PRIVATE &&
	    (seg.shm_perm.mode & 0777) == (head.shm_perm.mode & 0777))
		shmctl(shmid, IPC_RMID, NULL);
}

/*
 * A writer killed between creating a segment and recording its id: its
 * segments (by creator pid) that nobody maps and no slot names are the
 * one it made. Rare, so a walk over the system's segments is cheap enough.
 */
static void remove_unrecorded(const struct native *st, pid_t creator)
{
	const struct native_head *h = st->head;
	uint64_t size = __atomic_load_n(&h->creating_size, __ATOMIC_RELAXED);
	int64_t since = __atomic_load_n(&h->creating_since, __ATOMIC_RELAXED);
	struct shm_info info;
	int highest = shmctl(0, SHM_INFO, (struct shmid_ds *)(void *)&info);

	for (int i = 0; i <= highest; i++) {
		struct shmid_ds ds;
		int id = shmctl(i, SHM_STAT, &ds);

		if (id >= 0 && ds.shm_cpid == creator && ds.shm_segsz == size &&
		    (int64_t)ds.shm_ctime >= since && ds.shm_nattch == 0 &&
		    !named_by_slot(h, id))
			remove_segment_if_value(st, id);
	}
}

static void remove_orphans(struct native *st)
{
	struct native_head *h = st->head;
	pid_t creator = __atomic_load_n(&h->creator, __ATOMIC_RELAXED);
	/*
	 * A creator still alive is no writer that died holding the mutex: a
	 * head written over names it, or its pid was given again. Its
	 * segments are not ours to remove, and the record stays for a store
	 * after it is gone (a zombie is: it stores nothing more). One in
	 * another PID namespace looks gone.
	 */
	int alive = 0;

	if (creator > 0 && creator != getpid()) {
		alive = !sl_native_process_gone(creator, 0);
		if (!alive)
			remove_unrecorded(st, creator);
	}
	if (!alive)
		__atomic_store_n(&h->creator, 0, __ATOMIC_RELAXED);

	for (int k = 0; k < 2; k++) {
		/* Relaxed, here and for every orphan store: only holders of
		 * the mutex use them, and it orders them. */
		int id = __atomic_load_n(&h->orphan[k], __ATOMIC_RELAXED);

		if (id >= 0 && !named_by_slot(h, id))
			remove_segment_if_value(st, id);
		__atomic_store_n(&h->orphan[k], -1, __ATOMIC_RELAXED);
	}
}

/* Whether remove_orphans() has anything to do: almost never, so a store
 * that finds nothing recorded writes none of those words. Relaxed, as
 * remove_orphans(): the mutex orders them. */
static inline int orphans_recorded(const struct native_head *h)
{
	return __atomic_load_n(&h->creator, __ATOMIC_RELAXED) != 0 ||
	       __atomic_load_n(&h->orphan[0], __ATOMIC_RELAXED) != -1 ||
	       __atomic_load_n(&h->orphan[1], __ATOMIC_RELAXED) != -1;
}

void sl_native_remove_values(struct native *st)
{
	struct native_head *h = st->head;

	remove_orphans(st);
	for (int i = 0; i < 2; i++)
		remove_segment_if_value(st, __atomic_load_n(&h->slot[i].shmid, __ATOMIC_RELAXED));
	sl_native_unmap_values(st);
}

int sl_native_value_segments(const struct native *st)
{
	const struct native_head *h = st->head;

	return (__atomic_load_n(&h->slot[0].shmid, __ATOMIC_RELAXED) >= 0) +
	       (__atomic_load_n(&h->slot[1].shmid, __ATOMIC_RELAXED) >= 0);
}

/*
 * Under the mutex: where slot j's next value of `length` bytes goes. A
 * value that fits goes in the slot (*shmid -1); a longer one in the slot's
 * segment if it is large enough and not too large, else in a new one,
 * recorded in orphan[0] until a slot names it. NULL with errno.
 */
static unsigned char *place_value(struct native *st, unsigned int j, size_t length, int *shmid)
{
	struct native_head *h = st->head;
	int old = __atomic_load_n(&h->slot[j].shmid, __ATOMIC_RELAXED), id;
	unsigned char *addr;

	*shmid = -1;
	if (length <= st->slot_size) {
		/* The slot's segment goes; a mapping would keep it alive. */
		if (st->map[j].addr)
			unmap(&st->map[j]);
		return st->data[j];
	}
	if (st->private_share) {
		/* Its head could not be made whole (format.c): a segment of
		 * the value's own would die with its writer. */
		errno = ENOSPC;
		return NULL;
	}
	if (old >= 0 && (addr = map_value(st, j, old, length)) &&
	    st->map[j].size / SHRINK_FACTOR <= length) {
		*shmid = old;
		return addr;
	}
	/* SIGKILL lands as shmget() returns as easily as anywhere: say
	 * first who creates, so the next writer can find the segment. */
	__atomic_store_n(&h->creating_size, (uint64_t)length, __ATOMIC_RELAXED);
	__atomic_store_n(&h->creating_since, (int64_t)time(NULL), __ATOMIC_RELAXED);
	__atomic_store_n(&h->creator, getpid(), __ATOMIC_RELAXED);
	id = shmget(IPC_PRIVATE, length, IPC_CREAT | IPC_EXCL | st->mode);
	if (id >= 0)
		__atomic_store_n(&h->orphan[0], id, __ATOMIC_RELAXED);
	__atomic_store_n(&h->creator, 0, __ATOMIC_RELAXED);
	if (id < 0)
		return NULL;
	addr = map_value(st, j, id, length);
	if (!addr) {
		int err = errno;

		shmctl(id, IPC_RMID, NULL);
		__atomic_store_n(&h->orphan[0], -1, __ATOMIC_RELAXED);
		errno = err;
		return NULL;
	}
	*shmid = id;
	return addr;
}

/* Wake every process asleep in sl_native_wait() on the head's wake word. */
static void wake_sleepers(struct native_head *h)
{
	syscall(SYS_futex, &h->wake, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

/*
 * While slot j is being written (seq odd): give back the pages of its data
 * from byte `from` to byte `to`, which its last value used and the new one
 * does not. A reader that copies them meanwhile reads zeros, and its
 * sequence check throws the copy away.
 */
static __attribute__((noinline))
void give_back_pages(const struct native *st, unsigned int j, uint64_t from, uint64_t to)
{
	uintptr_t base = (uintptr_t)st->data[j], start, end;
	long page;

	if (to > st->slot_size)
		to = st->slot_size;	/* read from the head: not trusted */
	if (to < from || to - from < GIVE_BACK_MIN)
		return;
	page = sysconf(_SC_PAGESIZE);
	if (page <= 0)
		return;
	start = (base + (uintptr_t)from + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
	end = (base + (uintptr_t)to) & ~((uintptr_t)page - 1);
	if (end > start)
		madvise((void *)start, end - start, MADV_REMOVE);
}

/*
 * Under the writers' mutex, before writing slot s: wait, HOLD_WAIT_MS at
 * most, for the readers that hold it (read_held()). Called only where the
 * slot's last value was long, the only ones readers hold.
 */
static void wait_for_holds(struct native_slot *s)
{
	struct timespec deadline, now;
	uint32_t n;

	/* Seq_cst: pairs with the holder's seq_cst increment and reload of
	 * current. Either it sees the commit that made this slot free to
	 * write and lets go, or this load sees its hold. Acquire: its copy
	 * comes before our writes. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	n = __atomic_load_n(&s->holds, __ATOMIC_ACQUIRE);
	if (n == 0)
		return;
	deadline_in(HOLD_WAIT_MS, &deadline);
	while (n != 0) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (deadline_ns_left(&deadline, &now, 1) == 0) {
			/* A holder killed, or too slow: write anyway. Its copy
			 * fails its sequence check, and it finishes under the
			 * mutex; a count left by the dead is cleared here. */
			__atomic_store_n(&s->holds, 0, __ATOMIC_RELAXED);
			return;
		}
		syscall(SYS_futex, &s->holds, FUTEX_WAIT_BITSET, n, &deadline, NULL,
			FUTEX_BITSET_MATCH_ANY);
		n = __atomic_load_n(&s->holds, __ATOMIC_ACQUIRE);
	}
}

/*
 * Under the writers' mutex: write slot j, which is not published, with
 * the value of `length` bytes, version `version`. Until the release store
 * of current names it, no reader looks at the slot (but one that lost a
 * race, which its sequence check sends back), so a writer killed anywhere
 * here leaves the published value whole. *old: the segment the slot named
 * before, or -1.
 */
static int write_slot(struct native *st, unsigned int j, unsigned int version,
		      const void *data, size_t length, int *old)
{
	struct native_head *h = st->head;
	struct native_slot *s = &h->slot[j];
	uint32_t seq = __atomic_load_n(&s->seq, __ATOMIC_RELAXED);
	/* Odd while writing; odd already if a writer died here. */
	uint32_t odd = (seq & 1) ? seq + 2 : seq + 1;
	/* The slot's last length: with *old, which pages it used. */
	uint64_t old_length = __atomic_load_n(&s->length, __ATOMIC_RELAXED);
	unsigned char *dest;
	int shmid;

	*old = __atomic_load_n(&s->shmid, __ATOMIC_RELAXED);
	if (old_length > LONG_COPY)
		wait_for_holds(s);
	dest = place_value(st, j, length, &shmid);
	if (!dest)
		return -1;
	/* The slot's old segment, once the slot names another: removed
	 * below, or by the next writer if this one is killed first. */
	if (*old >= 0 && *old != shmid)
		__atomic_store_n(&h->orphan[1], *old, __ATOMIC_RELAXED);
	__atomic_store_n(&s->seq, odd, __ATOMIC_RELAXED);
	/* A reader that sees any store below also sees seq odd (or later):
	 * this fence pairs with the acquire fence before its second load of
	 * seq, so its check fails and it tries again. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&s->version, version, __ATOMIC_RELAXED);
	__atomic_store_n(&s->length, (uint64_t)length, __ATOMIC_RELAXED);
	__atomic_store_n(&s->shmid, shmid, __ATOMIC_RELAXED);
	if (length)
		memcpy(dest, data, length);
	/* The test first, inline: most stores give nothing back. */
	if (shmid < 0 && *old < 0 && old_length > length && old_length - length >= GIVE_BACK_MIN)
		give_back_pages(st, j, length, old_length);
	/* Release: a reader whose acquire load sees this even seq sees the
	 * slot's descriptor and data written above. */
	__atomic_store_n(&s->seq, odd + 1, __ATOMIC_RELEASE);
	return 0;
}

/* Whether slot s keeps memory that a slot emptied would give back: a
 * segment, or pages in the head past what an empty slot uses. */
static inline int slot_holds_memory(const struct native_slot *s)
{
	return __atomic_load_n(&s->shmid, __ATOMIC_RELAXED) >= 0 ||
	       __atomic_load_n(&s->length, __ATOMIC_RELAXED) >= GIVE_BACK_MIN;
}

/*
 * Under the writers' mutex: write small copy j, which is not published,
 * with a value of at most NATIVE_SMALL bytes. As for a slot, no reader
 * uses what it reads of the copy until current names it, and a writer
 * killed here leaves the published value whole.
 */
static void write_small(struct native_small *c, unsigned int version, const void *data,
			size_t length)
{
	uint64_t word[NATIVE_SMALL / 8] = { 0 };

	if (length)
		memcpy(word, data, length);
	/*
	 * A reader that loads any word stored below also sees, when it loads
	 * current again, the commit after the one it read (the commit this
	 * writer found when it loaded current, under the mutex): this fence
	 * pairs with the acquire fence before that reload. So it throws away
	 * what it read, as the sequence check does for a slot.
	 */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&c->version, version, __ATOMIC_RELAXED);
	__atomic_store_n(&c->length, (uint32_t)length, __ATOMIC_RELAXED);
	for (size_t k = 0; k < NATIVE_SMALL / 8; k++)
		__atomic_store_n(&c->word[k], word[k], __ATOMIC_RELAXED);
}

/*
 * Under the writers' mutex: write the value where the published one is
 * not, then publish it. A value of at most NATIVE_SMALL bytes goes in a
 * small copy, on the line readers read anyway; the slot of the same index
 * then gives back what it holds, as a store into it would.
 */
int sl_native_write(struct native *st, const void *data, size_t length)
{
	struct native_head *h = st->head;
	/* Relaxed: only holders of the mutex write current, and the mutex
	 * orders this load after the last holder's store. */
	uint64_t cur = __atomic_load_n(&h->current, __ATOMIC_RELAXED);
	unsigned int j = 1 - native_current_index(cur);
	unsigned int version = sl_version_after(native_current_version(cur));
	int old = -1, shmid = -1;
	uint64_t next;

	if (orphans_recorded(h))
		remove_orphans(st);
	if (length <= NATIVE_SMALL) {
		if (slot_holds_memory(&h->slot[j]) && write_slot(st, j, version, NULL, 0, &old) < 0)
			return -1;
		write_small(&h->small[j], version, data, length);
		next = native_current_small(version, j);
	} else {
		if (write_slot(st, j, version, data, length, &old) < 0)
			return -1;
		shmid = __atomic_load_n(&h->slot[j].shmid, __ATOMIC_RELAXED);
		next = native_current(version, j);
	}
	/* The commit, one atomic store. Release: a reader whose acquire load
	 * of current names this slot or copy and version sees it whole. */
	__atomic_store_n(&h->current, next, __ATOMIC_RELEASE);
	/*
	 * After the commit, so that a woken waiter finds the new value.
	 * Relaxed, and no fence between the two: a waiter counts itself in
	 * waiters under this mutex (sl_native_wait), so either it did so
	 * before we took the mutex and this load sees it, or its loads of
	 * wake and current come after our unlock and see this store.
	 * FUTEX_WAKE orders the store before its own look for sleepers.
	 */
	__atomic_store_n(&h->wake, version, __ATOMIC_RELAXED);
	if (__atomic_load_n(&h->waiters, __ATOMIC_RELAXED))
		wake_sleepers(h);
	/* Readers still copying from the old segment keep it mapped; those
	 * that attach it too late fail, and try again with current. Only a
	 * store that met a segment has recorded one since the check above. */
	if ((old >= 0 || shmid >= 0) && orphans_recorded(h))
		remove_orphans(st);
	return 0;
}


/* A small copy as loaded: its length and bytes. */
struct small_value {
	uint32_t length;
	uint64_t word[NATIVE_SMALL / 8];
};

/*
 * Load small copy index(cur), which cur, loaded with acquire, names: 1
 * with *v whole, 0 if a writer committed meanwhile (try again), -1 with
 * EBADMSG if nothing moved and the copy is not cur's (written over).
 */
static inline __attribute__((always_inline))
int load_small(const struct native_head *h, uint64_t cur, struct small_value *v)
{
	const struct native_small *c = &h->small[native_current_index(cur)];
	uint32_t version = __atomic_load_n(&c->version, __ATOMIC_RELAXED);

	v->length = __atomic_load_n(&c->length, __ATOMIC_RELAXED);
	for (size_t k = 0; k < NATIVE_SMALL / 8; k++)
		v->word[k] = __atomic_load_n(&c->word[k], __ATOMIC_RELAXED);
	/* Orders the loads above before the reload of current: pairs with
	 * the release fence of any writer whose store one of them saw
	 * (write_small()), whose commit the reload then sees. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (__atomic_load_n(&h->current, __ATOMIC_RELAXED) != cur)
		return 0;
	if (version != native_current_version(cur) || v->length > NATIVE_SMALL) {
		errno = EBADMSG;
		return -1;
	}
	return 1;
}

/* Copy n <= NATIVE_SMALL (16) bytes as a few overlapping words, with no call. */
static inline void copy_small(unsigned char *to, const unsigned char *from, size_t n)
{
	if (n >= 8) {
		uint64_t head, tail;

		memcpy(&head, from, 8);
		memcpy(&tail, from + n - 8, 8);
		memcpy(to, &head, 8);
		memcpy(to + n - 8, &tail, 8);
	} else if (n >= 4) {
		uint32_t head, tail;

		memcpy(&head, from, 4);
		memcpy(&tail, from + n - 4, 4);
		memcpy(to, &head, 4);
		memcpy(to + n - 4, &tail, 4);
	} else if (n) {
		to[0] = from[0];
		to[n / 2] = from[n / 2];
		to[n - 1] = from[n - 1];
	}
}

/* The published small value into f, made room for: as read_slot(). */
static int read_copy(struct native *st, struct sl_fetch *f, ssize_t *length, uint64_t cur)
{
	const struct native_head *h = st->head;
	unsigned int i = native_current_index(cur);
	struct small_value v;
	int rc = load_small(h, cur, &v);

	if (rc <= 0)
		return rc;
	/* Slot i gave back its segment when small copy i was written: a
	 * mapping of it kept by this handle would keep it alive. */
	if (st->map[i].addr &&
	    __atomic_load_n(&h->slot[i].shmid, __ATOMIC_RELAXED) != st->map[i].shmid)
		unmap(&st->map[i]);
	if (sl_fetch_room(f, v.length) < 0)
		return -1;
	copy_small(f->buf, (const unsigned char *)v.word, v.length < f->size ? v.length : f->size);
	f->version = native_current_version(cur);
	*length = (ssize_t)v.length;
	return 1;
}

/*
 * One try at copying the published value out: 1 done, 0 lost a race with
 * a writer (try again), -1 with errno. Inlined: a fetch of a small value
 * is a few dozen instructions, and a call's cost shows in it.
 *
 * The copy is a plain memcpy() from memory a writer may be writing at the
 * same moment: the seqlock's known data race. What a racing copy read is
 * never used: the second load of seq tells, and the buffer is written
 * again or the call fails.
 */
static inline __attribute__((always_inline))
int read_slot(struct native *st, struct sl_fetch *f, ssize_t *length, uint64_t cur)
{
	const struct native_head *h = st->head;
	uint64_t len;
	unsigned int i, v, version;
	const struct native_slot *s;
	const unsigned char *src;
	uint32_t s1, s2;
	int shmid;

	if (native_current_is_small(cur))
		return read_copy(st, f, length, cur);
	i = native_current_index(cur);
	v = native_current_version(cur);
	s = &h->slot[i];
	/* Acquire: pairs with the release store that ended the slot's last
	 * write, whose descriptor and data the loads below then see. */
	s1 = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);
	if (s1 & 1)
		return 0;	/* current was two stores old: the slot is rewritten */
	version = __atomic_load_n(&s->version, __ATOMIC_RELAXED);
	len = __atomic_load_n(&s->length, __ATOMIC_RELAXED);
	shmid = __atomic_load_n(&s->shmid, __ATOMIC_RELAXED);
	src = st->data[i];
	if (shmid >= 0 && len <= SHARELITE_MAX_LENGTH) {
		/* Mapped, or mapped now: either way at least len bytes. */
		src = map_value(st, i, shmid, len);
		if (!src) {
			if (errno != EIDRM && errno != EINVAL && errno != EBADMSG)
				return -1;	/* EACCES, ENOMEM: no retry helps */
			len = ~(uint64_t)0;	/* a failure, unless seq moved */
		}
	} else if (len > st->slot_size) {
		len = ~(uint64_t)0;
	} else if (shmid < 0 && st->map[i].addr) {
		unmap(&st->map[i]);	/* removed: keep it alive no longer */
	}
	if (len != ~(uint64_t)0) {
		if (sl_fetch_room(f, (size_t)len) < 0)
			return -1;
		size_t n = len < f->size ? (size_t)len : f->size;

		if (n)
			memcpy(f->buf, src, n);
	}
	/* Orders the loads above before the reload of seq: pairs with the
	 * writer's release fence after it made seq odd. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	s2 = __atomic_load_n(&s->seq, __ATOMIC_RELAXED);
	if (s2 != s1 || version != v) {
		*length = len != ~(uint64_t)0 ? (ssize_t)len : -1;
		return 0;	/* rewritten meanwhile, or current is stale */
	}
	if (len == ~(uint64_t)0) {
		errno = EBADMSG;	/* stable, and wrong: written over */
		return -1;
	}
	f->version = v;
	*length = (ssize_t)len;
	return 1;
}

static inline __attribute__((always_inline))
int try_read(struct native *st, struct sl_fetch *f, ssize_t *length)
{
	if (sl_native_removed(st))
		return -1;
	/* Acquire: pairs with the writer's release store of current. */
	return read_slot(st, f, length, __atomic_load_n(&st->head->current, __ATOMIC_ACQUIRE));
}

/* Let go of a hold on slot i, waking the writer that waits for the last. */
static void release_hold(struct native_head *h, unsigned int i)
{
	uint32_t *holds = &h->slot[i].holds;
	uint32_t n = __atomic_load_n(holds, __ATOMIC_RELAXED);

	/* Release: the copy made under the hold comes before the writer's
	 * overwrite, whose acquire load sees the count drop. Never below 0:
	 * a writer that waited its longest cleared the count. */
	while (n > 0 && !__atomic_compare_exchange_n(holds, &n, n - 1, 0, __ATOMIC_RELEASE,
						      __ATOMIC_RELAXED))
		;
	if (n == 1)
		syscall(SYS_futex, holds, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

/*
 * A fetch that lost to writers storing faster than it copies: hold the
 * published slot, which a writer then leaves be while this copies it
 * (wait_for_holds()), and copy it. 1, 0 (a writer waited its longest and
 * wrote the slot anyway), or -1 with errno.
 */
static int read_held(struct native *st, struct sl_fetch *f, ssize_t *length)
{
	struct native_head *h = st->head;
	uint64_t cur;
	unsigned int i;
	int rc;

	for (;;) {
		if (sl_native_removed(st))
			return -1;
		cur = __atomic_load_n(&h->current, __ATOMIC_ACQUIRE);
		i = native_current_index(cur);
		/*
		 * Seq_cst, as the reload of current: with the writer's seq_cst
		 * fence before it reads holds, either that writer sees this
		 * hold, or this reload sees the commit it made before its fence
		 * (and the slot may be written: let go and look again).
		 */
		__atomic_add_fetch(&h->slot[i].holds, 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&h->current, __ATOMIC_SEQ_CST) == cur)
			break;
		release_hold(h, i);
	}
	/* The value cur published, current or not by now: it was current
	 * after the call began, so returning it is returning a stored value. */
	rc = read_slot(st, f, length, cur);
	release_hold(h, i);
	return rc;
}

/*
 * Copy the published value out. Lock-free: no lock, no system call. A
 * reader whose copy is long and that loses LONG_COPY_TRIES races (a writer
 * that stores faster than it copies would beat it every time) holds the
 * slot it copies, which writers then leave be. One that still loses, or
 * loses READ_TRIES short races in a row, takes the writers' mutex, which
 * no writer holds for longer than one copy and one wait for holders.
 */
static __attribute__((noinline))
ssize_t read_again(struct native *st, int timeout_ms, struct sl_fetch *f, ssize_t length)
{
	int tries, rc = 0;

	for (tries = 1; tries < READ_TRIES; tries++) {
		if (length > LONG_COPY && tries >= LONG_COPY_TRIES) {
			rc = read_held(st, f, &length);
			break;
		}
		rc = try_read(st, f, &length);
		if (rc != 0)
			break;
	}
	if (rc == 0) {
		if (sl_native_writer_lock(st, NULL, timeout_ms) < 0)
			return -1;
		rc = try_read(st, f, &length);
		sl_native_writer_unlock(st);
		if (rc == 0)
			errno = EBADMSG;	/* no writer runs: a head written over */
	}
	return rc > 0 ? length : -1;
}

/* The general fetch: any value, wherever it lies, however long it takes. */
static __attribute__((noinline))
ssize_t fetch_any(const share_t *share, struct sl_fetch *f)
{
	struct native *st = share->state;
	ssize_t length = -1;
	int rc = try_read(st, f, &length);

	if (rc > 0)
		return length;
	if (rc < 0)
		return -1;
	return read_again(st, share->timeout_ms, f, length);
}

/*
 * The most common fetch, apart from the rest so that it makes no call and
 * saves few registers: a small value, copied into f->buf (room bytes at
 * most) at the first try. 1 done, 0 for anything else (fetch_any() then
 * starts over, and says what went wrong).
 */
static inline __attribute__((always_inline))
int read_small(const struct native *st, struct sl_fetch *f, size_t room, ssize_t *length)
{
	const struct native_head *h = st->head;
	struct small_value v;
	uint64_t cur;

	if (__atomic_load_n(&h->removed, __ATOMIC_ACQUIRE))
		return 0;
	/* Acquire: pairs with the writer's release store of current. */
	cur = __atomic_load_n(&h->current, __ATOMIC_ACQUIRE);
	if (!native_current_is_small(cur) || st->map[native_current_index(cur)].addr ||
	    load_small(h, cur, &v) <= 0)
		return 0;	/* read_copy() lets go of a mapping */
	copy_small(f->buf, (const unsigned char *)v.word, v.length < room ? v.length : room);
	f->version = native_current_version(cur);
	*length = (ssize_t)v.length;
	return 1;
}

/* Whether the published value looks small: a hint, read with no
 * ordering, that read_small() then checks. */
static inline int looks_small(const struct native *st)
{
	return native_current_is_small(__atomic_load_n(&st->head->current, __ATOMIC_RELAXED));
}

/*
 * share_fetch(): a value that looks small gets its room first, before
 * the copy (a malloc() between the loads of current would widen the
 * window a writer can spoil), and room for any small value, as malloc()
 * gives no less for 1 byte than for 17. Apart, so that share_fetch_into(),
 * which calls nothing, saves fewer registers.
 */
static __attribute__((noinline))
ssize_t fetch_copy(const share_t *share, struct sl_fetch *f)
{
	const struct native *st = share->state;
	ssize_t length;

	/* Not sl_fetch_room(): f->buf is NULL as a fetch begins. */
	if (looks_small(st) && (f->buf = malloc(NATIVE_SMALL + 1)) &&
	    read_small(st, f, NATIVE_SMALL, &length)) {
		f->buf[length] = '\0';
		f->size = (size_t)length;
		return length;
	}
	return fetch_any(share, f);	/* which makes room again */
}

ssize_t sl_native_fetch(const share_t *share, struct sl_fetch *f)
{
	ssize_t length;

	if (f->allocate)
		return fetch_copy(share, f);
	if (read_small(share->state, f, f->size, &length))
		return length;
	return fetch_any(share, f);
}

/*
 * The published value where it lies, for share_view(). Called holding a
 * semaphore lock, which keeps every store out (format.c, mark_locked), so
 * the slot or small copy cannot change: a slot being written, or a
 * descriptor out of bounds, is a head written over (EBADMSG).
 */
ssize_t sl_native_view(struct native *st, const void **data)
{
	const struct native_head *h = st->head;
	const struct native_slot *s;
	uint64_t cur, len;
	unsigned int i;
	int shmid;

	if (sl_native_removed(st))
		return -1;
	/* Acquire, as in try_read(): the last commit's stores are seen. */
	cur = __atomic_load_n(&h->current, __ATOMIC_ACQUIRE);
	i = native_current_index(cur);
	if (native_current_is_small(cur)) {
		const struct native_small *c = &h->small[i];

		len = __atomic_load_n(&c->length, __ATOMIC_RELAXED);
		if (__atomic_load_n(&c->version, __ATOMIC_RELAXED) != native_current_version(cur) ||
		    len > NATIVE_SMALL) {
			errno = EBADMSG;
			return -1;
		}
		*data = c->word;
		return (ssize_t)len;
	}
	s = &h->slot[i];
	len = __atomic_load_n(&s->length, __ATOMIC_RELAXED);
	shmid = __atomic_load_n(&s->shmid, __ATOMIC_RELAXED);
	if ((__atomic_load_n(&s->seq, __ATOMIC_ACQUIRE) & 1) ||
	    __atomic_load_n(&s->version, __ATOMIC_RELAXED) != native_current_version(cur) ||
	    len > SHARELITE_MAX_LENGTH || (shmid < 0 && len > st->slot_size)) {
		errno = EBADMSG;
		return -1;
	}
	if (shmid < 0) {
		*data = st->data[i];
		return (ssize_t)len;
	}
	*data = map_value(st, i, shmid, len);
	if (!*data) {
		if (errno == EINVAL || errno == EIDRM)
			errno = EBADMSG;	/* named, yet gone: written over */
		return -1;
	}
	return (ssize_t)len;
}

/*
 * The published version and length, for share_stat(): as try_read()
 * without the copy. 0, or -1 with EBADMSG or EIDRM.
 */
int sl_native_published(struct native *st, unsigned int *version, size_t *length)
{
	struct sl_fetch none = { .allocate = 0, .buf = NULL, .size = 0 };
	ssize_t n = -1;
	int i, rc;

	for (i = 0; i < READ_TRIES; i++) {
		rc = try_read(st, &none, &n);
		if (rc < 0)
			return -1;
		if (rc > 0) {
			*version = none.version;
			*length = (size_t)n;
			return 0;
		}
	}
	errno = EBADMSG;
	return -1;
}

/*
 * Wake the processes in sl_native_wait(), if any, without the writers'
 * mutex (share_remove()). Seq_cst, as the waiter's increment of waiters and
 * load of wake: of this store of wake and a waiter's increment, whichever
 * comes first in their single total order, the other side sees it, so
 * either this sees the waiter and wakes it or the waiter sees the new wake
 * and does not sleep (futex(2) compares wake atomically with going to
 * sleep). Stores, which hold the mutex, wake more cheaply: see
 * sl_native_write().
 */
void sl_native_wake(struct native *st, unsigned int version)
{
	struct native_head *h = st->head;

	__atomic_store_n(&h->wake, version, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&h->waiters, __ATOMIC_SEQ_CST))
		wake_sleepers(h);
}

/*
 * Sleep on the futex word wake, in the head (a shared futex, not a
 * private one: the head is mapped by other processes), until current's
 * version differs from `version` or deadline passes: 1, 0, or -1 with
 * EINTR or EIDRM. A waiter killed here leaves waiters counting it: the
 * stores after it make one needless system call each.
 */
int sl_native_wait(struct native *st, unsigned int version, const struct timespec *deadline)
{
	struct native_head *h = st->head;
	int rc = 0;

	/*
	 * Counted under the writers' mutex, which every store holds while it
	 * stores wake and reads waiters: that store either sees us or is
	 * over, its wake and current stored, before our loads below. Seq_cst
	 * still, for sl_native_wake() without the mutex. The mutex not had by
	 * the deadline: look once, as if the wait had run out. A mutex
	 * written over (EBADMSG) fails stores too: count without it.
	 */
	if (sl_native_writer_lock(st, deadline, -1) == 0) {
		__atomic_add_fetch(&h->waiters, 1, __ATOMIC_SEQ_CST);
		sl_native_writer_unlock(st);
	} else if (errno == ETIMEDOUT) {
		uint64_t cur = __atomic_load_n(&h->current, __ATOMIC_ACQUIRE);

		if (sl_native_removed(st))
			return -1;
		return native_current_version(cur) != version;
	} else {
		__atomic_add_fetch(&h->waiters, 1, __ATOMIC_SEQ_CST);
	}
	for (;;) {
		/* wake first: a wake seen new means current is new too (the
		 * writer stored it before, with release). */
		uint32_t w = __atomic_load_n(&h->wake, __ATOMIC_SEQ_CST);
		uint64_t cur = __atomic_load_n(&h->current, __ATOMIC_ACQUIRE);

		if (sl_native_removed(st)) {
			rc = -1;
			break;
		}
		if (native_current_version(cur) != version) {
			rc = 1;
			break;
		}
		/* Sleeps while wake is still w; a store changes it and wakes
		 * us. A wake left behind by a writer that died before storing
		 * it is simply older: the next store changes it. */
		if (syscall(SYS_futex, &h->wake, FUTEX_WAIT_BITSET, w, deadline, NULL,
			    FUTEX_BITSET_MATCH_ANY) == 0)
			continue;
		if (errno == EAGAIN)
			continue;	/* changed before we slept */
		if (errno == ETIMEDOUT) {
			rc = 0;
			break;
		}
		if (errno == EINTR) {
			rc = -1;
			break;
		}
		/* No futex(2) here (ENOSYS): look again in a millisecond. */
		{
			struct timespec nap = { 0, 1000000 }, now;

			if (deadline) {
				clock_gettime(CLOCK_MONOTONIC, &now);
				if (deadline_ns_left(deadline, &now, 1) == 0) {
					rc = 0;
					break;
				}
			}
			if (nanosleep(&nap, NULL) < 0) {
				rc = -1;
				break;
			}
		}
	}
	{
		int err = errno;

		__atomic_sub_fetch(&h->waiters, 1, __ATOMIC_SEQ_CST);
		errno = err;
	}
	return rc;
}
