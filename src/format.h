/*
 * format.h - the interface every memory format implements: how a share's
 * value, its version and its lock are kept in the kernel's objects. Each
 * format has a folder of its own (src/ipcsl/: IPC::ShareLite 0.17's).
 *
 * The rules of the public API live above this interface, once for every
 * format, in what this file calls the core: api.c checks the arguments;
 * lock.c keeps the record of the lock a handle holds, and in which
 * process, applies the handle's timeout and takes and gives back the lock
 * each call needs; handle.c picks the format, runs the open loop and
 * decides the close policy.
 *
 * So a format writes only its own state, share->state: every op gets a
 * const handle, and what the core must know (the lock held now, what open
 * found) it reports through the op's results. It may read the handle's
 * key, flags and mode, and its name: a format that names its shares (one
 * on a server, opened by share_open()) has a name rather than a key, and
 * has no probe.
 *
 * Unless its contract says otherwise, an op returns 0 (or a length) on
 * success and -1 with errno on failure, and EIDRM means the share is gone:
 * removed, its ids free for the kernel to give to other objects. An op
 * sets only the errno values that the pages of the API calls it serves
 * list (share_store(3) for store), so that none escapes undocumented.
 */
#ifndef SHARELITE_FORMAT_H
#define SHARELITE_FORMAT_H

#include <stdlib.h>
#include <time.h>
#include <sys/types.h>

#include "internal.h"

/* Flags of the lock op. */
#define SL_LOCK_NONBLOCK 1	/* fail with EWOULDBLOCK rather than wait */
#define SL_LOCK_RESTART 2	/* wait on through signals rather than fail with EINTR */

/* What open returns when the share changed under it: see open. */
#define SL_OPEN_AGAIN 1

/* What store_unlocked returns when the share's own lock must be taken. */
#define SL_STORE_LOCKED 1

/* What remove returns when the share went only in part: see remove. */
#define SL_REMOVED_PARTLY 1

/* What open found, for the core to record in the handle. */
struct sl_opened {
	int created;		/* this open created the share */
	size_t segment_size;	/* the share's, as the kernel has it */
	mode_t mode;		/* the share's permission bits */
	int lock_object_id;	/* names the share's lock: see share_same_share() */
	/* A named share's place, the same string for every name that
	 * reaches it (options and password aside), in share->state: see
	 * share_same_share(). NULL for a keyed share. */
	const char *identity;
};

/*
 * Where fetch puts a value. share_fetch() has a buffer allocated for it
 * (allocate; buf is then NULL as the fetch begins), share_fetch_into()
 * gives its own (buf, size). Once it knows the length, fetch calls
 * sl_fetch_room(), copies the first min(length, size) bytes of the value
 * to buf, and sets version.
 */
struct sl_fetch {
	int allocate;
	unsigned char *buf;
	size_t size;
	unsigned int version;	/* the version the value was stored as */
};

/*
 * Room for a value of `length` bytes. Allocated, it is length + 1 bytes, a
 * NUL after the value, so that a string comes back as one; an earlier
 * room is freed (a format may read again after the length changed). The
 * core frees the room of a fetch that fails. 0, or -1 with ENOMEM.
 */
static inline int sl_fetch_room(struct sl_fetch *f, size_t length)
{
	if (!f->allocate)
		return 0;
	if (f->buf)
		free(f->buf);
	f->buf = malloc(length + 1);
	if (!f->buf)
		return -1;
	f->buf[length] = '\0';
	f->size = length;
	return 0;
}

/* The version a store gives after `version`: share_version() returns 0
 * for an error, so the counter wraps past it. */
static inline unsigned int sl_version_after(unsigned int version)
{
	return version + 1 ? version + 1 : 1;
}

/*
 * A format's ops, as SQLite's sqlite3_io_methods: each says what it may
 * assume and what it must leave, not how a format does it. Every format
 * is built into the library, so the table needs no version number: an op
 * added later is added to every format in the same change.
 *
 * Once share_remove() has removed a handle's share, the core calls only
 * close; after a failed open, none. "Holding" a lock means the handle
 * holds it in this process.
 */
struct sl_format {
	const char *name;
	long id;		/* SHARE_FORMAT_*, which share_stat() reports */
	/* Bytes of share->state, which the core allocates zeroed before
	 * open and frees after close or a failed open. */
	size_t state_size;

	/*
	 * Whether the key holds objects of this format's kind: 1 if so
	 * (open then finds whether they make a share or are another
	 * program's), 0 if not, -1 with errno if it cannot tell. Changes
	 * nothing.
	 */
	int (*probe)(key_t key);

	/*
	 * Open the share under share->key, or create it as share->flags
	 * say (IPC_CREAT, IPC_EXCL, SHARE_ANY_OWNER) with share->mode and
	 * segments of segment_size bytes; an IPC_PRIVATE key always creates.
	 * Waits for nothing past deadline (CLOCK_MONOTONIC; NULL: no limit),
	 * then fails with ETIMEDOUT. On success fills *opened and holds no
	 * lock. On failure, or SL_OPEN_AGAIN when the share was removed or
	 * made by another opener in between, it leaves nothing behind:
	 * what it created is removed, what it attached detached, the state
	 * holds nothing to release. The core calls open again after
	 * SL_OPEN_AGAIN, with the same deadline.
	 */
	int (*open)(const share_t *share, size_t segment_size,
		    const struct timespec *deadline, struct sl_opened *opened);

	/* Detach and release what open took. Called once, last, when the
	 * core has given back the lock held; never fails. */
	void (*close)(const share_t *share);

	/*
	 * Change the lock from `from` to `to` (each 0, LOCK_SH or LOCK_EX),
	 * with SL_LOCK_NONBLOCK and SL_LOCK_RESTART as flags, waiting until
	 * deadline at most (NULL: no limit; a deadline past still takes a
	 * lock that is free). *held is the lock held afterwards, on failure
	 * too: a blocking upgrade gives LOCK_SH up first, as flock(2) does,
	 * so that two upgraders do not deadlock, and may end with none.
	 * from == to changes nothing but says whether the share is still
	 * there (EIDRM if not). The core reads EWOULDBLOCK, ETIMEDOUT and
	 * EIDRM; EINTR comes only without SL_LOCK_RESTART. Only the core
	 * records the result.
	 */
	int (*lock)(const share_t *share, int from, int to, int flags,
		    const struct timespec *deadline, int *held);

	/*
	 * Called holding LOCK_EX: store the value and, with it, the version
	 * sl_version_after() gives for the last one. A reader sees the old
	 * value or the new one whole, each with its version; a failed store
	 * leaves the old value and version whole.
	 */
	int (*store)(const share_t *share, const void *data, size_t length);

	/*
	 * Called holding LOCK_SH or LOCK_EX: copy the value out as struct
	 * sl_fetch says and return its whole length; EBADMSG for a value
	 * that does not hold together in shared memory.
	 */
	ssize_t (*fetch)(const share_t *share, struct sl_fetch *f);

	/*
	 * Optional (NULL: the core copies the value out with fetch):
	 * called holding LOCK_SH or LOCK_EX, point *data at the value where
	 * it lies in shared memory and return its whole length, or set
	 * *data to NULL where the value is not in one piece (the core then
	 * copies it out). The bytes stay where they are, unchanged, while
	 * the lock is held and the handle stores nothing; the handle's
	 * other ops may run meanwhile but must not unmap them.
	 */
	ssize_t (*view)(const share_t *share, const void **data);

	/* The version of the value stored last, read with no lock held or
	 * taken: EIDRM once the share is gone. */
	int (*version)(const share_t *share, unsigned int *version);

	/* Called holding a lock: the kernel objects that hold the value. */
	int (*num_segments)(const share_t *share);

	/*
	 * Fill in *info, which the core has zeroed, but for key and format,
	 * which it has set; `held` is the lock held. A count that needs a lock the
	 * handle does not hold is made only if taking that lock waits for
	 * nobody, else it is -1; what it takes it gives back.
	 */
	int (*stat)(const share_t *share, int held, struct share_info *info);

	/*
	 * Called holding LOCK_EX: remove every object of the share. On
	 * success no lock is held any more; on failure nothing is removed,
	 * the value is whole and LOCK_EX still held. A removal refused
	 * after the value's objects went, when no step back is left,
	 * returns SL_REMOVED_PARTLY with errno saying why, holding no lock:
	 * the core then takes the handle's share for removed (EIDRM), as
	 * after success, and share_remove() fails with that errno.
	 */
	int (*remove)(const share_t *share);

	/*
	 * The handle is being closed: give up `held`, then remove the share
	 * if no other process has it open, waiting for no lock. *now is the
	 * lock held afterwards, which the core gives back. Then only close
	 * is called.
	 */
	int (*remove_if_last)(const share_t *share, int held, int *now);

	/*
	 * Optional, for a format that makes its stores and fetches atomic
	 * itself (NULL: the core takes the lock as for every other call).
	 * The core calls them instead of store and fetch when the handle
	 * holds no lock; they follow those ops' contracts otherwise. They
	 * may read share->timeout_ms, to bound what they wait for, and
	 * store may read share_held_lock(). store_unlocked returns
	 * SL_STORE_LOCKED, having changed nothing, when a lock taken through
	 * the lock op may be held: the core then takes LOCK_EX and calls
	 * store.
	 */
	int (*store_unlocked)(const share_t *share, const void *data, size_t length);
	ssize_t (*fetch_unlocked)(const share_t *share, struct sl_fetch *f);

	/*
	 * Optional (NULL: the core polls version): sleep until the version
	 * differs from `version` (1) or deadline (CLOCK_MONOTONIC; NULL: no
	 * limit) passes (0), holding and taking no lock. EINTR when a signal
	 * handler ran; EIDRM once the share is gone.
	 */
	int (*wait_change)(const share_t *share, unsigned int version,
			   const struct timespec *deadline);
};

/* The formats (handle.c lists which a key may hold). */
extern const struct sl_format sl_format_ipcsl;
extern const struct sl_format sl_format_native;
/* Shares on a Redis server (src/redis), where configure found hiredis. */
extern const struct sl_format sl_format_redis;

#endif /* SHARELITE_FORMAT_H */
