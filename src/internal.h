/*
 * internal.h - what the files of libsharelite share with each other and
 * nobody else: the handle, and the interface every memory format implements.
 */
#ifndef SHARELITE_INTERNAL_H
#define SHARELITE_INTERNAL_H

#include <errno.h>
#include <pthread.h>
#include <sys/types.h>
#include "sharelite.h"

/*
 * Marks a definition as part of the ABI; everything else stays hidden from
 * the shared library. A static archive shows every global name, so those
 * that are not API start with sl_ (tests/check-exports.sh checks it).
 */
#define SHARELITE_EXPORT __attribute__((visibility("default")))

/*
 * A memory format: how a share's bytes and locks are laid out in the
 * kernel's objects. Today there is one, IPC::ShareLite 0.17's (format_ipcsl.c).
 * api.c has checked the arguments before any of these is called.
 */
struct share_format {
	const char *name;
	/* Open or create the share; fill in share->state and share->mode. */
	int (*open)(share_t *share, size_t segment_size);
	/* Release the lock held, detach, free share->state; remove as told. */
	int (*close)(share_t *share, int how);
	/* Remove the share from the system; the handle stays open (and dead). */
	int (*remove)(share_t *share);
	/* LOCK_SH or LOCK_EX, maybe with LOCK_NB, or LOCK_UN. */
	int (*lock)(share_t *share, int operation);
	int (*store)(share_t *share, const void *data, size_t length);
	/* The value, and if version is not NULL the version it was stored
	 * as, both read under one lock. */
	ssize_t (*fetch)(share_t *share, void **data, unsigned int *version);
	ssize_t (*fetch_into)(share_t *share, void *buf, size_t size);
	int (*version)(share_t *share, unsigned int *version);
	int (*num_segments)(share_t *share);
	int (*stat)(share_t *share, struct share_info *info);
};

/* How a format's close() treats the share. */
enum {
	SHARE_CLOSE_KEEP,
	SHARE_CLOSE_REMOVE,		/* remove it now */
	SHARE_CLOSE_REMOVE_IF_LAST,	/* remove it if no other process is attached */
};

extern const struct share_format sl_format_ipcsl;

struct share {
	const struct share_format *format;
	void *state;		/* the format's own */
	key_t key;
	int flags;		/* as given to share_new() */
	mode_t mode;		/* permission bits of the share */
	size_t segment_size;	/* real size, from the kernel */
	int destroy;
	int timeout_ms;		/* longest wait for the lock; -1: no limit */
	unsigned int opener;	/* sl_process_token() of share_new()'s caller */
	int created;		/* share_new() created the share */
	share_t *next_open;	/* this process's open handles: registry.c */
	share_t *prev_open;
	int removed;		/* share_remove() succeeded */
	/* The kernel object the format keeps the share's lock in (for
	 * IPC::ShareLite's, the semaphore set): see share_same_share(). */
	int lock_object_id;
	/* Lock this handle holds: 0, LOCK_SH or LOCK_EX; see share_held_lock(). */
	int lock;
	unsigned int lock_owner;	/* sl_process_token() of the lock's taker */
	pthread_t lock_thread;		/* and the thread that took it */
	/* registry.c, under its mutex: the clean-up calls at this handle, and
	 * whether one of them is removing its share. */
	int pins;
	int busy;
};

/*
 * process.c: a number that tells this process from its ancestors and
 * descendants, for the cost of a memory read. sl_process_token_init() runs
 * once, before the first handle is made.
 */
void sl_process_token_init(void);
unsigned int sl_process_token(void);

/* registry.c: the handles open in this process, for share_clean_up(). */
void sl_registry_add(share_t *share);
void sl_registry_del(share_t *share);
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
	return a->format == b->format && a->key == b->key &&
	       a->lock_object_id == b->lock_object_id;
}

/* Whether calls may use a handle: EINVAL for NULL; EIDRM once
 * share_remove() removed its share, whose ids the kernel may reuse. */
static inline int share_usable(const share_t *share)
{
	if (!share) {
		errno = EINVAL;
		return 0;
	}
	if (share->removed) {
		errno = EIDRM;
		return 0;
	}
	return 1;
}

/*
 * The lock this handle holds in this process. The kernel hands no SEM_UNDO
 * lock to a child, so a lock recorded by another process, the parent of a
 * child that inherited the handle, is not held here.
 */
static inline int share_held_lock(const share_t *share)
{
	return share->lock_owner == sl_process_token() ? share->lock : 0;
}

static inline void share_set_held_lock(share_t *share, int lock)
{
	share->lock = lock;
	share->lock_owner = sl_process_token();
	share->lock_thread = pthread_self();
}

#endif /* SHARELITE_INTERNAL_H */
