/*
 * internal.h - what the files of libsharelite share with each other and
 * nobody else: the handle, and the interface every memory format implements.
 */
#ifndef SHARELITE_INTERNAL_H
#define SHARELITE_INTERNAL_H

#include <errno.h>
#include <sys/types.h>
#include "sharelite.h"

/* Marks a definition as part of the ABI; everything else stays hidden. */
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
	pid_t opener;		/* process that called share_new() */
	int created;		/* share_new() created the share */
	share_t *next_open;	/* this process's open handles: registry.c */
	share_t *prev_open;
	int removed;		/* share_remove() succeeded */
	/* Lock this handle holds: 0, LOCK_SH or LOCK_EX; see share_held_lock(). */
	int lock;
	unsigned int lock_epoch;
};

/*
 * Bumped in the child by fork(). The kernel does not hand SEM_UNDO locks to
 * a child, so a lock recorded in an older epoch is not held by this process.
 */
extern volatile unsigned int sharelite_fork_epoch;

/* registry.c: the handles open in this process, for share_clean_up(). */
void sl_registry_add(share_t *share);
void sl_registry_del(share_t *share);
void sl_registry_before_fork(void);
void sl_registry_after_fork(void);

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

static inline int share_held_lock(const share_t *share)
{
	return share->lock_epoch == sharelite_fork_epoch ? share->lock : 0;
}

static inline void share_set_held_lock(share_t *share, int lock)
{
	share->lock = lock;
	share->lock_epoch = sharelite_fork_epoch;
}

#endif /* SHARELITE_INTERNAL_H */
