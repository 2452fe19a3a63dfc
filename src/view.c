/*
 * view.c - share_view(): the value read where it lies in shared memory,
 * with no copy, as a read transaction of LMDB's. The view holds LOCK_SH
 * (or the lock the handle already held) until share_view_end(), so no
 * store changes the bytes under it, and, as every lock does, it dies with
 * its process. A format that cannot show a value in one piece has it
 * copied out once, into memory the view owns.
 */
#include <errno.h>
#include <stdlib.h>

#include "internal.h"
#include "format.h"

/* The value in place, or copied out when the format cannot show it so. */
static ssize_t view_value(share_t *share)
{
	struct sl_fetch f = { .allocate = 1 };
	const void *data = NULL;
	ssize_t length = -1;

	if (share->format->view)
		length = share->format->view(share, &data);
	if (!data && (!share->format->view || length >= 0)) {
		length = share->format->fetch(share, &f);
		if (length < 0) {
			int err = errno;

			free(f.buf);
			errno = err;
			return -1;
		}
		data = f.buf;
		share->view_copy = f.buf;
	}
	if (length < 0)
		return -1;
	share->view_data = data;
	share->view_length = (size_t)length;
	return length;
}

ssize_t sl_handle_view(share_t *share, const void **data)
{
	ssize_t length;

	/* Inside one view the value cannot change: the same answer. */
	if (sl_view_open(share)) {
		*data = share->view_data;
		return (ssize_t)share->view_length;
	}
	sl_view_forget(share);	/* a view the parent had open before fork() */
	share->view_took_lock = !share_held_lock(share);
	if (share->view_took_lock && sl_handle_lock(share, LOCK_SH) < 0)
		return -1;
	length = view_value(share);
	if (length < 0) {
		int err = errno;

		if (share->view_took_lock)
			sl_handle_lock(share, LOCK_UN);
		errno = err;
		return -1;
	}
	share->viewing = 1;
	share->view_owner = sl_process_token();
	*data = share->view_data;
	return length;
}

int sl_handle_view_end(share_t *share)
{
	int took_lock = share->view_took_lock;

	if (!sl_view_open(share)) {
		errno = EINVAL;
		return -1;
	}
	sl_view_forget(share);
	/* EIDRM: the share was removed by another process meanwhile, and
	 * its lock went with it. */
	if (took_lock && sl_handle_lock(share, LOCK_UN) < 0 && errno != EIDRM)
		return -1;
	return 0;
}

void sl_view_forget(share_t *share)
{
	free(share->view_copy);
	share->view_copy = NULL;
	share->view_data = NULL;
	share->view_length = 0;
	share->viewing = 0;
	share->view_took_lock = 0;
}
