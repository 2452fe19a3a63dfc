/*
 * sharelite.h - share byte strings between processes through SysV shared
 * memory, in the memory format of Perl's IPC::ShareLite 0.17 or in
 * libsharelite's own (SHARE_NATIVE), or on a Redis server (share_open()).
 *
 * On error a function returns -1 (share_new(): NULL) and sets errno, but
 * share_version() and the accessors (share_key() to share_get_destroy())
 * return 0 and set errno; share_set_destroy() and sharelite_version() cannot
 * fail. The errors each function can set are listed on its man page. See
 * sharelite(7).
 */
#ifndef SHARELITE_H
#define SHARELITE_H

#include <stddef.h>
#include <sys/types.h>
#include <sharelite_const.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A process's handle on a share. One thread at a time per handle. */
typedef struct share share_t;

/* What share_stat() reports. */
struct share_info {
	key_t key;
	int shmid;		/* head segment */
	int semid;		/* semaphore set */
	size_t length;		/* bytes in the value */
	unsigned int version;	/* bumped by every store */
	int segments;		/* chain length, -1 if a writer held the lock */
	size_t segment_size;	/* bytes per segment, header included */
	mode_t mode;		/* permission bits */
	uid_t uid;		/* owner of the head segment */
	gid_t gid;
	uid_t cuid;		/* creator of the head segment */
	unsigned long attached;	/* processes attached to the head segment */
	int readers;		/* shared locks held */
	int writer;		/* 1 while an exclusive lock is held */
	int writers_waiting;	/* waiting for LOCK_EX; -1: not counted */
	long format;		/* SHARE_FORMAT_PERL, _NATIVE or _REDIS */
	long reserved[6];	/* room to grow without breaking the ABI */
};

/* Open and close */
share_t *share_new(key_t key, size_t segment_size, int flags);
share_t *share_new_timeout(key_t key, size_t segment_size, int flags, int timeout_ms);
/* A share named by "sysv:KEY", "sysv+native:KEY" or "redis://HOST/NAME". */
share_t *share_open(const char *name, size_t segment_size, int flags);
int share_close(share_t *share);
int share_remove(share_t *share);
void share_set_destroy(share_t *share, int destroy);

/* Data */
int share_store(share_t *share, const void *data, size_t length);
ssize_t share_fetch(share_t *share, void **data);
ssize_t share_fetch_into(share_t *share, void *buf, size_t size);
/* The value where it lies, no copy: valid until share_view_end(). */
ssize_t share_view(share_t *share, const void **data);
int share_view_end(share_t *share);

/* Locks */
int share_lock(share_t *share, int operation);
int share_unlock(share_t *share);
/* How long each call may wait for the lock: -1 (the default) for ever,
 * 0 not at all; past it the call fails with ETIMEDOUT. */
int share_set_timeout(share_t *share, int timeout_ms);
int share_timeout(const share_t *share);

/* State */
unsigned int share_version(share_t *share);
int share_num_segments(share_t *share);
int share_stat(share_t *share, struct share_info *info);

/* Change detection */
int share_fetch_if_changed(share_t *share, unsigned int *version,
			   void **data, size_t *length);
int share_wait_change(share_t *share, unsigned int version, int timeout_ms);

/* Clean-up: remove the shares this process created, or opened */
int share_clean_up(void);
int share_clean_up_all(void);

/* Accessors: what the handle was opened with */
key_t share_key(const share_t *share);
int share_flags(const share_t *share);
mode_t share_mode(const share_t *share);
size_t share_segment_size(const share_t *share);
int share_get_destroy(const share_t *share);

/* Keys */
int share_key_from_string(const char *str, key_t *key);
/* The same, but 0x and hexadecimal digits is a number, as ipcs shows keys. */
int share_key_parse(const char *text, key_t *key);

/* The library's version at run time, e.g. "0.1.0". */
const char *sharelite_version(void);

#ifdef __cplusplus
}
#endif

#endif /* SHARELITE_H */
