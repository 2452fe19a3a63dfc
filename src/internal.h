/*
 * internal.h - what the files of libsharelite share with each other and
 * nobody else: the handle, and the rules of the public API that every
 * memory format shares (the formats' interface is format.h).
 */
#ifndef SHARELITE_INTERNAL_H
#define SHARELITE_INTERNAL_H

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/types.h>
#include "sharelite.h"

/*
 * Marks a definition as part of the ABI; everything else stays hidden from
 * the shared library. A static archive shows every global name, so those
 * that are not API start with sl_ (tests/check-exports.sh checks it).
 */
#define SHARELITE_EXPORT __attribute__((visibility("default")))

/* The permission bits in share_new()'s flags. */
#define SHARE_MODE_BITS 0777

#define SL_OPEN_FLAGS (IPC_CREAT | IPC_EXCL | SHARE_MODE_BITS | SHARE_ANY_OWNER | SHARE_NATIVE)
/* Segments above 2 GiB could not hold more: the length is an int32. */
#define SL_MAX_SEGMENT_SIZE ((size_t)SHARELITE_MAX_LENGTH + 1)

/* Whether share_new_timeout()'s and share_open()'s arguments are valid. */
static inline int sl_open_args_valid(size_t segment_size, int flags, int timeout_ms)
{
	return !(flags & ~SL_OPEN_FLAGS) && timeout_ms >= -1 &&
	       (segment_size == 0 ||
		(segment_size > SHARELITE_HEADER_SIZE && segment_size <= SL_MAX_SEGMENT_SIZE));
}

struct sl_format;

struct share {
	const struct sl_format *format;
	void *state;		/* the format's: all of the handle it writes */
	key_t key;
	/* The share's name on a server, for a format opened by name
	 * (share_open()); NULL for a SysV key. Owned by the handle. */
	char *name;
	/* Where the named share lives, as its format puts it (struct
	 * sl_opened): one string for every name of the share. */
	const char *identity;
	int flags;		/* as given to share_new() */
	mode_t mode;		/* permission bits of the share */
	size_t segment_size;	/* real size, from the kernel */
	int destroy;
	int timeout_ms;		/* longest wait for the lock; -1: no limit */
	unsigned int opener;	/* sl_process_token() of share_new()'s caller */
	int created;		/* share_new() created the share */
	share_t *next_open;	/* this process's open handles: registry.c */
	share_t *prev_open;
	int removed;		/* share_remove() succeeded: share_removed() */
	/* The kernel object the format keeps the share's lock in (for
	 * IPC::ShareLite's, the semaphore set): see share_same_share(). */
	int lock_object_id;
	/* Lock this handle holds: 0, LOCK_SH or LOCK_EX; see share_held_lock(). */
	int lock;
	unsigned int lock_owner;	/* sl_process_token() of the lock's taker */
	pthread_t lock_thread;		/* and the thread that took it */
	/* view.c: the view open in process view_owner, if viewing. */
	int viewing;
	unsigned int view_owner;
	int view_took_lock;	/* the view took LOCK_SH, to give back */
	const void *view_data;
	size_t view_length;
	void *view_copy;	/* the value copied out, where it could not be viewed in place */
	/* registry.c, under its mutex: the clean-up calls at this handle,
	 * whether one of them is removing its share, and whether
	 * share_close() left the close to the last of them. */
	int pins;
	int busy;
	int closing;
};

/* process.c: sl_process_token_init() runs before the first handle is made. */
#include "process.h"

/*
 * handle.c: a handle's life. sl_handle_new() takes share_new()'s checked
 * arguments; sl_handle_close() closes the share as the handle's destroy
 * flag says, and frees the handle.
 */
share_t *sl_handle_new(key_t key, size_t segment_size, int flags, int timeout_ms);
/* The same for a format that names its shares (share_open()): the handle
 * keeps a copy of name, and its key is IPC_PRIVATE. */
share_t *sl_handle_new_named(const struct sl_format *format, const char *name,
			     size_t segment_size, int flags, int timeout_ms);
int sl_handle_close(share_t *share);
/* The close after the registry let go of the handle; sl_handle_free()
 * only detaches and frees, as in a child for a close its parent asked. */
int sl_handle_finish_close(share_t *share);
void sl_handle_free(share_t *share);

/*
 * lock.c: the calls that use the share, each under the lock it needs,
 * with the API's checks done. sl_handle_lock() takes share_lock()'s
 * operation. The fetches are in fetch.h.
 */
int sl_handle_lock(share_t *share, int operation);
int sl_handle_store(share_t *share, const void *data, size_t length);
int sl_handle_version(share_t *share, unsigned int *version);
int sl_handle_num_segments(share_t *share);
int sl_handle_stat(share_t *share, struct share_info *info);
int sl_handle_remove(share_t *share);

/*
 * view.c: share_view() and share_view_end(). sl_view_open() says whether
 * this process has a view open on the handle: while it does, the calls
 * that could change the value or drop the lock under it fail with EBUSY.
 * sl_view_forget() frees what a view holds, for share_close().
 */
ssize_t sl_handle_view(share_t *share, const void **data);
int sl_handle_view_end(share_t *share);
void sl_view_forget(share_t *share);

static inline int sl_view_open(const share_t *share)
{
	return share->viewing && share->view_owner == sl_process_token();
}

/* registry.c: the handles open in this process, for share_clean_up(). */
void sl_registry_add(share_t *share);
/* 1 if a clean-up holds the handle: the last to let go closes it. */
int sl_registry_del(share_t *share);
void sl_registry_install_fork_handlers(void);
/* Whether another open handle of this process on share's share holds a
 * lock: removing through share would wait for this process itself. */
int sl_registry_lock_held_elsewhere(const share_t *share);

/*
 * Whether two handles are on one share: a key names a share only until it
 * is removed, and IPC_PRIVATE names none, but the object that holds the
 * lock is the share's alone while it exists.
 */
static inline int share_same_share(const share_t *a, const share_t *b)
{
	if (a->identity || b->identity)
		return a->format == b->format && a->identity && b->identity &&
		       strcmp(a->identity, b->identity) == 0;
	return a->format == b->format && a->key == b->key &&
	       a->lock_object_id == b->lock_object_id;
}

/*
 * Whether share_remove() removed the handle's share. A clean-up in another
 * thread may mark it (registry.c), so it is an atomic; relaxed, as the
 * removal itself is seen through the kernel's objects, not this flag.
 */
static inline int share_removed(const share_t *share)
{
	return __atomic_load_n(&share->removed, __ATOMIC_RELAXED);
}

static inline void share_mark_removed(share_t *share)
{
	__atomic_store_n(&share->removed, 1, __ATOMIC_RELAXED);
}

/* Whether calls may use a handle: EINVAL for NULL; EIDRM once
 * share_remove() removed its share, whose ids the kernel may reuse. */
static inline int share_usable(const share_t *share)
{
	if (!share) {
		errno = EINVAL;
		return 0;
	}
	if (share_removed(share)) {
		errno = EIDRM;
		return 0;
	}
	return 1;
}

/*
 * The lock record (lock, lock_owner, lock_thread) is written only by the
 * thread that uses the handle, but read by others too: the registry asks
 * every handle whether the asking thread holds a lock through it
 * (sl_registry_lock_held_elsewhere(), share_clean_up()). So each field is
 * an atomic, and relaxed suffices: the answer matters only for records
 * this thread wrote, which it reads back in program order; from a record
 * another thread is changing, any mix of old and new fields names that
 * thread or one before it, never this one anew, and the registry's answer
 * for it is advisory (a lock that thread gives back as it pleases).
 */

/*
 * The lock this handle holds in this process. The kernel hands no SEM_UNDO
 * lock to a child, so a lock recorded by another process, the parent of a
 * child that inherited the handle, is not held here.
 */
static inline int share_held_lock(const share_t *share)
{
	int lock = __atomic_load_n(&share->lock, __ATOMIC_RELAXED);

	/* No lock, the common case, needs no process token. */
	if (!lock || __atomic_load_n(&share->lock_owner, __ATOMIC_RELAXED) != sl_process_token())
		return 0;
	return lock;
}

/* The thread that last recorded the handle's lock. */
static inline pthread_t share_lock_thread(const share_t *share)
{
	pthread_t thread;

	__atomic_load(&share->lock_thread, &thread, __ATOMIC_RELAXED);
	return thread;
}

static inline void share_set_held_lock(share_t *share, int lock)
{
	pthread_t self = pthread_self();

	__atomic_store(&share->lock_thread, &self, __ATOMIC_RELAXED);
	__atomic_store_n(&share->lock_owner, sl_process_token(), __ATOMIC_RELAXED);
	__atomic_store_n(&share->lock, lock, __ATOMIC_RELAXED);
}

#endif /* SHARELITE_INTERNAL_H */
