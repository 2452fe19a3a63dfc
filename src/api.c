/*
 * api.c - every exported function: check the arguments, then hand the call
 * to the rules every memory format shares (handle.c, lock.c). Errors are
 * -1 (or NULL) with errno.
 */
#include <errno.h>

#include "internal.h"
#include "fetch.h"

SHARELITE_EXPORT share_t *share_new_timeout(key_t key, size_t segment_size, int flags,
					    int timeout_ms)
{
	if (!sl_open_args_valid(segment_size, flags, timeout_ms)) {
		errno = EINVAL;
		return NULL;
	}
	return sl_handle_new(key, segment_size ? segment_size : SHARELITE_DEFAULT_SEGMENT_SIZE,
			     flags, timeout_ms);
}

SHARELITE_EXPORT share_t *share_new(key_t key, size_t segment_size, int flags)
{
	return share_new_timeout(key, segment_size, flags, -1);
}

SHARELITE_EXPORT int share_close(share_t *share)
{
	if (!share) {
		errno = EINVAL;
		return -1;
	}
	return sl_handle_close(share);
}

/*
 * Whether a call that could change the value under an open view, or give
 * up the lock that keeps it, may go on: EBUSY while this process has a
 * view open on the handle.
 */
static int not_viewing(const share_t *share)
{
	if (sl_view_open(share)) {
		errno = EBUSY;
		return 0;
	}
	return 1;
}

SHARELITE_EXPORT int share_remove(share_t *share)
{
	if (!share_usable(share) || !not_viewing(share))
		return -1;
	return sl_handle_remove(share);
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
	if (!share_usable(share) || !not_viewing(share))
		return -1;
	if (!data && length) {
		errno = EINVAL;
		return -1;
	}
	if (length > SHARELITE_MAX_LENGTH) {
		errno = EFBIG;
		return -1;
	}
	return sl_handle_store(share, data ? data : "", length);
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
	return sl_handle_fetch(share, data, NULL);
}

SHARELITE_EXPORT ssize_t share_fetch_into(share_t *share, void *buf, size_t size)
{
	if (!share_usable(share))
		return -1;
	if (!buf && size) {
		errno = EINVAL;
		return -1;
	}
	return sl_handle_fetch_into(share, buf, size);
}

SHARELITE_EXPORT ssize_t share_view(share_t *share, const void **data)
{
	if (!data) {
		errno = EINVAL;
		return -1;
	}
	*data = NULL;
	if (!share_usable(share))
		return -1;
	return sl_handle_view(share, data);
}

SHARELITE_EXPORT int share_view_end(share_t *share)
{
	if (!share) {
		errno = EINVAL;
		return -1;
	}
	return sl_handle_view_end(share);
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
	if (!share_usable(share) || !not_viewing(share))
		return -1;
	if (!valid_lock_operation(operation)) {
		errno = EINVAL;
		return -1;
	}
	return sl_handle_lock(share, operation);
}

SHARELITE_EXPORT int share_unlock(share_t *share)
{
	return share_lock(share, LOCK_UN);
}

SHARELITE_EXPORT unsigned int share_version(share_t *share)
{
	unsigned int version;

	if (!share_usable(share) || sl_handle_version(share, &version) < 0)
		return 0;
	return version;
}

SHARELITE_EXPORT int share_num_segments(share_t *share)
{
	if (!share_usable(share))
		return -1;
	return sl_handle_num_segments(share);
}

SHARELITE_EXPORT int share_stat(share_t *share, struct share_info *info)
{
	if (!share_usable(share))
		return -1;
	if (!info) {
		errno = EINVAL;
		return -1;
	}
	return sl_handle_stat(share, info);
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
