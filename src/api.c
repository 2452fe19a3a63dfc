/*
 * api.c - every exported function: check the arguments, then hand the call
 * to the share's memory format. Errors are -1 (or NULL) with errno.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "internal.h"

#define MODE_BITS 0777
#define DEFAULT_MODE 0600
#define OPEN_FLAGS (IPC_CREAT | IPC_EXCL | MODE_BITS | SHARE_ANY_OWNER)
/* Segments above 2 GiB could not hold more: the length is an int32. */
#define MAX_SEGMENT_SIZE ((size_t)SHARELITE_MAX_LENGTH + 1)

static pthread_once_t process_set_up = PTHREAD_ONCE_INIT;

/*
 * Once, before the first handle. Locks need no fork handler:
 * sl_process_token() tells a child from its parent however it was forked.
 * The registry's mutex does: fork() must not copy it into the child held
 * by another thread.
 */
static void set_up_process(void)
{
	sl_process_token_init();
	sl_registry_install_fork_handlers();
}

SHARELITE_EXPORT share_t *share_new_timeout(key_t key, size_t segment_size, int flags,
					    int timeout_ms)
{
	share_t *share;

	if ((flags & ~OPEN_FLAGS) || timeout_ms < -1 ||
	    (segment_size != 0 &&
	     (segment_size <= SHARELITE_HEADER_SIZE || segment_size > MAX_SEGMENT_SIZE))) {
		errno = EINVAL;
		return NULL;
	}
	pthread_once(&process_set_up, set_up_process);
	share = calloc(1, sizeof(*share));
	if (!share)
		return NULL;
	share->format = &sl_format_ipcsl;
	share->key = key;
	share->flags = flags;
	share->mode = (flags & MODE_BITS) ? (mode_t)(flags & MODE_BITS) : DEFAULT_MODE;
	share->opener = sl_process_token();
	share->timeout_ms = timeout_ms;
	share_set_held_lock(share, 0);
	if (share->format->open(share, segment_size ? segment_size
				: SHARELITE_DEFAULT_SEGMENT_SIZE) < 0) {
		int err = errno;

		free(share);
		errno = err;
		return NULL;
	}
	sl_registry_add(share);
	return share;
}

SHARELITE_EXPORT share_t *share_new(key_t key, size_t segment_size, int flags)
{
	return share_new_timeout(key, segment_size, flags, -1);
}

/*
 * A share made with IPC_PRIVATE has no key to be opened by again: once no
 * process is attached nothing can reach it, so the last one to close it
 * removes it, destroy flag or not. The destroy flag removes a keyed share at
 * close in the process that opened it; a handle a child inherited through
 * fork() removes it only if it is the last attached.
 */
static int close_mode(const share_t *share)
{
	if (share->key == IPC_PRIVATE)
		return SHARE_CLOSE_REMOVE_IF_LAST;
	if (!share->destroy)
		return SHARE_CLOSE_KEEP;
	if (share->opener != sl_process_token())
		return SHARE_CLOSE_REMOVE_IF_LAST;
	return SHARE_CLOSE_REMOVE;
}

SHARELITE_EXPORT int share_close(share_t *share)
{
	int rc, how, self_wait;

	if (!share) {
		errno = EINVAL;
		return -1;
	}
	sl_registry_del(share);
	how = share->removed ? SHARE_CLOSE_KEEP : close_mode(share);
	/* Removing would wait for a lock this process holds: close, keep. */
	self_wait = how == SHARE_CLOSE_REMOVE && sl_registry_lock_held_elsewhere(share);
	if (self_wait)
		how = SHARE_CLOSE_KEEP;
	rc = share->format->close(share, how);
	if (rc < 0 && errno == EIDRM)
		rc = 0;		/* already gone: nothing is left to release */
	if (self_wait && rc == 0) {
		rc = -1;
		errno = EDEADLK;
	}
	free(share);
	return rc;
}

SHARELITE_EXPORT int share_remove(share_t *share)
{
	if (!share_usable(share))
		return -1;
	/* Locks belong to handles: one held through another handle of this
	 * process would be waited for by the very thread that holds it. */
	if (sl_registry_lock_held_elsewhere(share)) {
		errno = EDEADLK;
		return -1;
	}
	if (share->format->remove(share) < 0)
		return -1;
	share->removed = 1;
	return 0;
}

SHARELITE_EXPORT void share_set_destroy(share_t *share, int destroy)
{
	if (share)
		share->destroy = destroy != 0;
}

SHARELITE_EXPORT int share_set_timeout(share_t *share, int timeout_ms)
{
	if (!share || timeout_ms < -1) {
		errno = EINVAL;
		return -1;
	}
	share->timeout_ms = timeout_ms;
	return 0;
}

SHARELITE_EXPORT int share_store(share_t *share, const void *data, size_t length)
{
	if (!share_usable(share))
		return -1;
	if (!data && length) {
		errno = EINVAL;
		return -1;
	}
	if (length > SHARELITE_MAX_LENGTH) {
		errno = EFBIG;
		return -1;
	}
	return share->format->store(share, data ? data : "", length);
}

SHARELITE_EXPORT ssize_t share_fetch(share_t *share, void **data)
{
	if (!data) {
		errno = EINVAL;
		return -1;
	}
	*data = NULL;
	if (!share_usable(share))
		return -1;
	return share->format->fetch(share, data, NULL);
}

SHARELITE_EXPORT ssize_t share_fetch_into(share_t *share, void *buf, size_t size)
{
	if (!share_usable(share))
		return -1;
	if (!buf && size) {
		errno = EINVAL;
		return -1;
	}
	return share->format->fetch_into(share, buf, size);
}

static int valid_lock_operation(int operation)
{
	switch (operation) {
	case LOCK_SH:
	case LOCK_EX:
	case LOCK_SH | LOCK_NB:
	case LOCK_EX | LOCK_NB:
	case LOCK_UN:
	case LOCK_UN | LOCK_NB:
		return 1;
	default:
		return 0;
	}
}

SHARELITE_EXPORT int share_lock(share_t *share, int operation)
{
	if (!share_usable(share))
		return -1;
	if (!valid_lock_operation(operation)) {
		errno = EINVAL;
		return -1;
	}
	return share->format->lock(share, operation);
}

SHARELITE_EXPORT int share_unlock(share_t *share)
{
	return share_lock(share, LOCK_UN);
}

SHARELITE_EXPORT unsigned int share_version(share_t *share)
{
	unsigned int version;

	if (!share_usable(share) || share->format->version(share, &version) < 0)
		return 0;
	return version;
}

SHARELITE_EXPORT int share_num_segments(share_t *share)
{
	if (!share_usable(share))
		return -1;
	return share->format->num_segments(share);
}

SHARELITE_EXPORT int share_stat(share_t *share, struct share_info *info)
{
	if (!share_usable(share))
		return -1;
	if (!info) {
		errno = EINVAL;
		return -1;
	}
	return share->format->stat(share, info);
}

/* Accessors: a NULL handle gives 0 with errno EINVAL. */
#define ACCESSOR(type, name, expr)						\
	SHARELITE_EXPORT type name(const share_t *share)			\
	{									\
		if (!share) {							\
			errno = EINVAL;						\
			return 0;						\
		}								\
		return expr;							\
	}

ACCESSOR(key_t, share_key, share->key)
ACCESSOR(int, share_flags, share->flags)
ACCESSOR(mode_t, share_mode, share->mode)
ACCESSOR(size_t, share_segment_size, share->segment_size)
ACCESSOR(int, share_get_destroy, share->destroy)
ACCESSOR(int, share_timeout, share->timeout_ms)

SHARELITE_EXPORT const char *sharelite_version(void)
{
	return SHARELITE_VERSION_STRING;
}
