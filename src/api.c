/*
 * api.c - every exported function: check the arguments, then hand the call
 * to the share's memory format. Errors are -1 (or NULL) with errno.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "internal.h"

#define MODE_BITS 0777
#define DEFAULT_MODE 0600
#define OPEN_FLAGS (IPC_CREAT | IPC_EXCL | MODE_BITS)
/* Segments above 2 GiB could not hold more: the length is an int32. */
#define MAX_SEGMENT_SIZE ((size_t)SHARELITE_MAX_LENGTH + 1)

volatile unsigned int sharelite_fork_epoch;
static pthread_once_t fork_hook_once = PTHREAD_ONCE_INIT;

static void forked_child(void)
{
	sharelite_fork_epoch++;
	sl_registry_after_fork();
}

static void install_fork_hook(void)
{
	pthread_atfork(sl_registry_before_fork, sl_registry_after_fork, forked_child);
}

SHARELITE_EXPORT share_t *share_new(key_t key, size_t segment_size, int flags)
{
	share_t *share;

	if ((flags & ~OPEN_FLAGS) ||
	    (segment_size != 0 &&
	     (segment_size <= SHARELITE_HEADER_SIZE || segment_size > MAX_SEGMENT_SIZE))) {
		errno = EINVAL;
		return NULL;
	}
	pthread_once(&fork_hook_once, install_fork_hook);
	share = calloc(1, sizeof(*share));
	if (!share)
		return NULL;
	share->format = &sl_format_ipcsl;
	share->key = key;
	share->flags = flags;
	share->mode = (flags & MODE_BITS) ? (mode_t)(flags & MODE_BITS) : DEFAULT_MODE;
	share->opener = getpid();
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
	if (share->opener != getpid())
		return SHARE_CLOSE_REMOVE_IF_LAST;
	return SHARE_CLOSE_REMOVE;
}

SHARELITE_EXPORT int share_close(share_t *share)
{
	int rc;

	if (!share) {
		errno = EINVAL;
		return -1;
	}
	sl_registry_del(share);
	rc = share->format->close(share, share->removed ? SHARE_CLOSE_KEEP : close_mode(share));
	if (rc < 0 && errno == EIDRM)
		rc = 0;		/* already gone: nothing is left to release */
	free(share);
	return rc;
}

SHARELITE_EXPORT int share_remove(share_t *share)
{
	if (!share_usable(share))
		return -1;
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

SHARELITE_EXPORT const char *sharelite_version(void)
{
	return SHARELITE_VERSION_STRING;
}
