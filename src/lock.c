/*
 * lock.c - the lock a handle holds, recorded here for every format, and
 * the calls that use the share under it. A format only moves its lock
 * from one state to another (format.h); what a handle holds and in which
 * process, how long it may wait, and what each call takes and gives back
 * are decided here.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "format.h"
#include "fetch.h"
#include "deadline.h"

/*
 * Change this handle's lock from `from` to `to`, waiting no longer than its
 * timeout allows (ETIMEDOUT). A timeout of 0 never waits, so it upgrades
 * atomically, as LOCK_NB does, and never gives LOCK_SH up.
 */
static int change_bounded(const share_t *share, int from, int to, int flags, int *held)
{
	int may_wait = to == LOCK_EX || (to == LOCK_SH && from == 0);
	struct timespec buf;

	if (share->timeout_ms == 0 && may_wait && !(flags & SL_LOCK_NONBLOCK)) {
		if (share->format->lock(share, from, to, flags | SL_LOCK_NONBLOCK, NULL, held) == 0)
			return 0;
		if (errno == EWOULDBLOCK)
			errno = ETIMEDOUT;
		return -1;
	}
	return share->format->lock(share, from, to, flags,
				   deadline_in(share->timeout_ms, &buf), held);
}

/*
 * A blocking upgrade gave LOCK_SH up and then failed with err: take LOCK_SH
 * back, waiting at most one more timeout, for a writer that got in between.
 * If that fails too, the handle holds no lock and errno says so: ENOLCK, or
 * EIDRM for a share that is gone.
 */
static void take_back_shared(share_t *share, int err)
{
	int now;

	if (change_bounded(share, 0, LOCK_SH, SL_LOCK_RESTART, &now) == 0) {
		share_set_held_lock(share, LOCK_SH);
		errno = err;
		return;
	}
	share_set_held_lock(share, 0);
	if (errno != EIDRM)
		errno = ENOLCK;
}

/*
 * Take the lock `to` for one call if this handle holds less. *back is the
 * lock to go back to after the call, or -1 if nothing was taken.
 */
static int lock_for(share_t *share, int to, int *back)
{
	int held = share_held_lock(share), now;

	*back = -1;
	if (held == LOCK_EX || held == to)	/* is the share still there? */
		return share->format->lock(share, held, held, 0, NULL, &now);
	if (change_bounded(share, held, to, SL_LOCK_RESTART, &now) < 0) {
		if (now != held)
			take_back_shared(share, errno);
		return -1;
	}
	*back = held;
	return 0;
}

/* Give back what lock_for() took, keeping errno. */
static void unlock_for(share_t *share, int to, int back)
{
	int err = errno, now;

	if (back >= 0)
		share->format->lock(share, to, back, SL_LOCK_RESTART, NULL, &now);
	errno = err;
}

int sl_handle_lock(share_t *share, int operation)
{
	int to = operation & LOCK_UN ? 0 : operation & (LOCK_SH | LOCK_EX);
	int flags = operation & LOCK_NB ? SL_LOCK_NONBLOCK : 0, held, rc;
	int from = share_held_lock(share);

	if (to == from)		/* is the share still there? */
		return share->format->lock(share, from, from, 0, NULL, &held);
	rc = change_bounded(share, from, to, flags, &held);
	share_set_held_lock(share, held);
	/* A timeout gives back what the call took; a signal does not, as
	 * flock(2)'s upgrade does not. */
	if (rc < 0 && errno == ETIMEDOUT && held != from)
		take_back_shared(share, ETIMEDOUT);
	return rc;
}

int sl_handle_store(share_t *share, const void *data, size_t length)
{
	int back, rc;

	/* A format that locks itself needs no lock from us. */
	if (share->format->store_unlocked && !share_held_lock(share)) {
		rc = share->format->store_unlocked(share, data, length);
		if (rc != SL_STORE_LOCKED)
			return rc;
	}
	if (lock_for(share, LOCK_EX, &back) < 0)
		return -1;
	rc = share->format->store(share, data, length);
	unlock_for(share, LOCK_EX, back);
	return rc;
}

ssize_t sl_fetch_any_way(share_t *share, struct sl_fetch *f)
{
	ssize_t length;
	int back;

	if (share->format->fetch_unlocked && !share_held_lock(share))
		return share->format->fetch_unlocked(share, f);
	if (lock_for(share, LOCK_SH, &back) < 0)
		return -1;
	length = share->format->fetch(share, f);
	unlock_for(share, LOCK_SH, back);
	return length;
}

int sl_handle_version(share_t *share, unsigned int *version)
{
	return share->format->version(share, version);
}

int sl_handle_num_segments(share_t *share)
{
	int back, n;

	if (lock_for(share, LOCK_SH, &back) < 0)
		return -1;
	n = share->format->num_segments(share);
	unlock_for(share, LOCK_SH, back);
	return n;
}

int sl_handle_stat(share_t *share, struct share_info *info)
{
	memset(info, 0, sizeof(*info));
	info->key = share->key;
	info->format = share->format->id;
	return share->format->stat(share, share_held_lock(share), info);
}

int sl_handle_remove(share_t *share)
{
	int back, rc;

	/* Locks belong to handles: one this thread took through another
	 * handle would be waited for by the very thread that holds it. */
	if (sl_registry_lock_held_elsewhere(share)) {
		errno = EDEADLK;
		return -1;
	}
	if (lock_for(share, LOCK_EX, &back) < 0)
		return -1;
	rc = share->format->remove(share);
	if (rc == 0 || rc == SL_REMOVED_PARTLY) {
		share_set_held_lock(share, 0);	/* it went with the share */
		share_mark_removed(share);
		return rc == 0 ? 0 : -1;
	}
	unlock_for(share, LOCK_EX, back);
	return -1;
}
