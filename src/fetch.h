/*
 * fetch.h - the core's two fetches (the rules of lock.c), inline in the
 * API calls that make them: a lock-free fetch of a small value costs
 * little more than the calls it passes through, so it passes through as
 * few as it can, one indirect call to the format's own fetch.
 */
#ifndef SHARELITE_FETCH_H
#define SHARELITE_FETCH_H

#include <errno.h>
#include <stdlib.h>

#include "internal.h"
#include "format.h"

/* lock.c: the value as f says, under a lock (the format's own, if it
 * locks itself). */
ssize_t sl_fetch_any_way(share_t *share, struct sl_fetch *f);

/* sl_fetch_any_way(), with its most common case inline: no lock recorded
 * in the handle, and a format that locks itself. */
static inline ssize_t sl_fetch_locked(share_t *share, struct sl_fetch *f)
{
	if (!__atomic_load_n(&share->lock, __ATOMIC_RELAXED) && share->format->fetch_unlocked)
		return share->format->fetch_unlocked(share, f);
	return sl_fetch_any_way(share, f);
}

/* share_fetch(), with a version pointer that may be NULL. */
static inline ssize_t sl_handle_fetch(share_t *share, void **data, unsigned int *version)
{
	struct sl_fetch f;
	ssize_t length;

	/* Field by field: version is the format's to set. */
	f.allocate = 1;
	f.buf = NULL;
	f.size = 0;
	length = sl_fetch_locked(share, &f);
	if (length < 0) {
		int err = errno;

		free(f.buf);	/* a failed fetch hands back no buffer */
		errno = err;
		return -1;
	}
	*data = f.buf;
	if (version)
		*version = f.version;
	return length;
}

static inline ssize_t sl_handle_fetch_into(share_t *share, void *buf, size_t size)
{
	struct sl_fetch f;

	f.allocate = 0;
	f.buf = buf;
	f.size = size;
	return sl_fetch_locked(share, &f);
}

#endif /* SHARELITE_FETCH_H */
