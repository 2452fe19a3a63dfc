/*
 * handle.c - a handle's life, the same for every memory format: which
 * format a key holds, the open loop, and the close policy.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "format.h"
#include "deadline.h"

#define DEFAULT_MODE 0600

/*
 * The formats a share may be kept in. Opening uses the first whose objects
 * the key holds; creating picks the Perl format, or the native one for
 * SHARE_NATIVE. The native format probes first: the Perl format's probe
 * takes any semaphore set under the key for its own.
 */
static const struct sl_format *const formats[] = {
	&sl_format_native,
	&sl_format_ipcsl,
};

#define N_FORMATS (sizeof(formats) / sizeof(formats[0]))

/* How close treats the share. */
enum close_mode {
	CLOSE_KEEP,
	CLOSE_REMOVE,		/* remove it now */
	CLOSE_REMOVE_IF_LAST,	/* remove it if no other process is attached */
};

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

/* The format a new share is created in. */
static const struct sl_format *format_to_create(const share_t *share)
{
	return share->flags & SHARE_NATIVE ? &sl_format_native : &sl_format_ipcsl;
}

/*
 * The format of the share the handle is to open: the first whose objects
 * the key holds. A key that holds none gets the format to create, whose
 * open then creates the share or fails with ENOENT. Creating a share under a
 * key that holds any format's objects fails with EEXIST, as it would with
 * one format. NULL with errno if the key cannot be probed.
 */
static const struct sl_format *format_for(const share_t *share)
{
	int exclusive = (share->flags & IPC_CREAT) && (share->flags & IPC_EXCL);
	size_t i;

	if (share->key == IPC_PRIVATE)
		return format_to_create(share);
	for (i = 0; i < N_FORMATS; i++) {
		int holds = formats[i]->probe(share->key);

		if (holds < 0)
			return NULL;
		if (!holds)
			continue;
		if (exclusive) {
			errno = EEXIST;
			return NULL;
		}
		return formats[i];
	}
	return format_to_create(share);
}

/*
 * Open in the format the key holds, or in the handle's own for a named
 * share. An open that found the share removed
 * or made by another opener in between starts again, probe included: the
 * key may hold another format by then.
 */
static int open_share(share_t *share, size_t segment_size)
{
	struct timespec buf;
	/* One bound for the whole open, however often it starts again. */
	const struct timespec *deadline = deadline_in(share->timeout_ms, &buf);
	struct sl_opened opened;
	int rc, err;

	for (;;) {
		if (!share->name)
			share->format = format_for(share);
		if (!share->format)
			return -1;
		share->state = calloc(1, share->format->state_size);
		if (!share->state)
			return -1;
		memset(&opened, 0, sizeof(opened));
		rc = share->format->open(share, segment_size, deadline, &opened);
		if (rc == 0)
			break;
		err = errno;
		free(share->state);
		share->state = NULL;
		errno = err;
		if (rc != SL_OPEN_AGAIN)
			return -1;
	}
	share->created = opened.created;
	share->segment_size = opened.segment_size;
	share->mode = opened.mode;
	share->lock_object_id = opened.lock_object_id;
	share->identity = opened.identity;
	return 0;
}

/* A handle on the share of key or name (format given), opened. */
static share_t *handle_new(key_t key, const struct sl_format *format, const char *name,
			   size_t segment_size, int flags, int timeout_ms)
{
	share_t *share;

	pthread_once(&process_set_up, set_up_process);
	share = calloc(1, sizeof(*share));
	if (!share)
		return NULL;
	share->key = key;
	share->format = format;
	if (name && !(share->name = strdup(name))) {
		free(share);
		return NULL;
	}
	share->flags = flags;
	share->mode = (flags & SHARE_MODE_BITS) ? (mode_t)(flags & SHARE_MODE_BITS)
						: DEFAULT_MODE;
	share->opener = sl_process_token();
	share->timeout_ms = timeout_ms;
	share_set_held_lock(share, 0);
	if (open_share(share, segment_size) < 0) {
		int err = errno;

		free(share->name);
		free(share);
		errno = err;
		return NULL;
	}
	sl_registry_add(share);
	return share;
}

share_t *sl_handle_new(key_t key, size_t segment_size, int flags, int timeout_ms)
{
	return handle_new(key, NULL, NULL, segment_size, flags, timeout_ms);
}

share_t *sl_handle_new_named(const struct sl_format *format, const char *name,
			     size_t segment_size, int flags, int timeout_ms)
{
	return handle_new(IPC_PRIVATE, format, name, segment_size, flags, timeout_ms);
}

/*
 * A share made with IPC_PRIVATE has no key to be opened by again: once no
 * process is attached nothing can reach it, so the last one to close it
 * removes it, destroy flag or not (a named share has a name instead, and is
 * kept as a keyed one is). The destroy flag removes a keyed share at
 * close in the process that opened it; a handle a child inherited through
 * fork() removes it only if it is the last attached.
 */
static enum close_mode close_mode(const share_t *share)
{
	if (share->key == IPC_PRIVATE && !share->name)
		return CLOSE_REMOVE_IF_LAST;
	if (!share->destroy)
		return CLOSE_KEEP;
	if (share->opener != sl_process_token())
		return CLOSE_REMOVE_IF_LAST;
	return CLOSE_REMOVE;
}

/* Remove the share as close_mode() says, then give back the lock held. */
static int close_share(share_t *share)
{
	const struct sl_format *format = share->format;
	enum close_mode how = close_mode(share);
	int rc = 0, held = share_held_lock(share);

	/* Closing, the handle has no use for LOCK_SH: give it up now rather
	 * than take it back if the wait for LOCK_EX fails. */
	if (how == CLOSE_REMOVE && held == LOCK_SH &&
	    format->lock(share, held, 0, SL_LOCK_RESTART, NULL, &held) == 0)
		share_set_held_lock(share, 0);
	if (how == CLOSE_REMOVE) {
		rc = sl_handle_remove(share);
	} else if (how == CLOSE_REMOVE_IF_LAST) {
		rc = format->remove_if_last(share, held, &held);
		share_set_held_lock(share, held);
	}
	/* Kept, or the removal failed: give back the lock held. */
	held = share_held_lock(share);
	if (held) {
		int err = errno;

		if (format->lock(share, held, 0, SL_LOCK_RESTART, NULL, &held) < 0)
			rc = -1;
		else
			errno = err;
	}
	return rc;
}

void sl_handle_free(share_t *share)
{
	/* A view ends with its handle; close_share() gave its lock back. */
	sl_view_forget(share);
	share->format->close(share);
	free(share->state);
	free(share->name);
	free(share);
}

int sl_handle_finish_close(share_t *share)
{
	int rc = 0, err;

	/* After share_remove() only the handle's memory is left. */
	if (!share_removed(share))
		rc = close_share(share);
	err = errno;
	sl_handle_free(share);
	errno = err;
	if (rc < 0 && errno == EIDRM)
		rc = 0;		/* already gone: nothing is left to release */
	return rc;
}

int sl_handle_close(share_t *share)
{
	/* A clean-up at work on the handle finishes the close: waiting for
	 * it could be waiting for a lock this very thread holds. */
	if (sl_registry_del(share))
		return 0;
	return sl_handle_finish_close(share);
}
