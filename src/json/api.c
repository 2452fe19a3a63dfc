/*
 * api.c - libsharelite-json's exported functions: check the arguments, then
 * change the share's value in one locked read-modify-write, or change the
 * copy this handle keeps while it holds a lock.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "sharelite_json.h"
#include "codec.h"
#include "edit.h"
#include "process.h"

/* Marks a definition as part of the ABI; everything else stays hidden. */
#define SHARE_JSON_EXPORT __attribute__((visibility("default")))

#define LOCK_MODES (LOCK_SH | LOCK_EX)

struct share_json {
	share_t *share;		/* borrowed */
	int lock;		/* taken by share_json_lock(): 0, LOCK_SH or LOCK_EX */
	unsigned int locker;	/* sl_process_token() of the process that took it */
	json_t *value;		/* under a lock: the value once read, else NULL */
	int dirty;		/* value changed under LOCK_EX: store it at unlock */
};

/* Release a reference, keeping errno (free() may not). */
static void release(json_t *value)
{
	int err = errno;

	json_decref(value);
	errno = err;
}

static void forget_lock(share_json_t *sj)
{
	release(sj->value);
	sj->value = NULL;
	sj->dirty = 0;
	sj->lock = 0;
}

/*
 * SysV locks are not inherited through fork(): a child holds nothing, and
 * its parent's unwritten changes are not the child's to write. A pid would
 * not tell: a child in a new pid namespace, or one given a dead locker's
 * pid, has the locker's. The process token tells every child, however
 * forked, from its ancestors.
 */
static int held(share_json_t *sj)
{
	if (sj->lock && sj->locker != sl_process_token())
		forget_lock(sj);
	return sj->lock;
}

/* Under a lock: the value, read once; a borrowed reference. */
static json_t *locked_value(share_json_t *sj)
{
	if (!sj->value)
		sj->value = sl_json_read(sj->share);
	return sj->value;
}

static int write_back(share_json_t *sj)
{
	if (sj->dirty && sl_json_write(sj->share, sj->value) < 0)
		return -1;
	sj->dirty = 0;
	return 0;
}

/* Writing under LOCK_SH would mean giving the lock up on the way: refused. */
static int may_write(share_json_t *sj)
{
	if (held(sj) == LOCK_SH) {
		errno = EPERM;
		return 0;
	}
	return 1;
}

static int invalid(void)
{
	errno = EINVAL;
	return -1;
}

/* Milliseconds from start to now on CLOCK_MONOTONIC. */
static long long ms_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)(now.tv_sec - start->tv_sec) * 1000 +
	       (now.tv_nsec - start->tv_nsec) / 1000000;
}

/*
 * For one call without a lock held. A signal does not end the wait, as
 * with share_store(), nor start the handle's timeout again: share_lock()
 * fails with EINTR, and each new try waits only for what is left of it.
 */
static int lock_exclusive(share_t *share)
{
	int timeout = share_timeout(share), rc, err;
	struct timespec start;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while ((rc = share_lock(share, LOCK_EX)) < 0 && errno == EINTR) {
		if (timeout > 0) {
			long long left = timeout - ms_since(&start);

			/* 0 still takes a lock that is free, then fails. */
			share_set_timeout(share, left > 0 ? (int)left : 0);
		}
	}
	err = errno;
	share_set_timeout(share, timeout);
	errno = err;
	return rc;
}

/* Release what lock_exclusive() took; the call's result rc, and its errno. */
static int unlock_exclusive(share_t *share, int rc)
{
	int err = errno;

	/* Only a share removed meanwhile fails here; what was written stands. */
	share_unlock(share);
	errno = err;
	return rc;
}

/* Store value under a lock of its own: sl_json_write() needs LOCK_EX. */
static int write_alone(share_t *share, const json_t *value)
{
	if (lock_exclusive(share) < 0)
		return -1;
	return unlock_exclusive(share, sl_json_write(share, value));
}

SHARE_JSON_EXPORT share_json_t *share_json_open(share_t *share)
{
	share_json_t *sj;

	if (!share) {
		errno = EINVAL;
		return NULL;
	}
	sl_process_token_init();
	sj = calloc(1, sizeof(*sj));
	if (sj)
		sj->share = share;
	return sj;
}

SHARE_JSON_EXPORT int share_json_close(share_json_t *sj)
{
	int rc, err;

	if (!sj)
		return invalid();
	rc = share_json_unlock(sj);
	err = errno;
	free(sj);
	errno = err;
	return rc;
}

SHARE_JSON_EXPORT json_t *share_json_get(share_json_t *sj)
{
	json_t *copy;

	if (!sj) {
		errno = EINVAL;
		return NULL;
	}
	if (!held(sj))
		return sl_json_read(sj->share);
	if (!locked_value(sj))
		return NULL;
	/* The caller's to change; the copy kept stays what the share holds. */
	copy = json_deep_copy(sj->value);
	if (!copy)
		errno = ENOMEM;
	return copy;
}

SHARE_JSON_EXPORT int share_json_set(share_json_t *sj, const json_t *value)
{
	json_t *copy;

	if (!sj || !value)
		return invalid();
	if (!may_write(sj))
		return -1;
	if (!held(sj))
		return write_alone(sj->share, value);
	copy = sl_json_copy(value);
	if (!copy)
		return -1;
	release(sj->value);
	sj->value = copy;
	sj->dirty = 1;
	return 0;
}

/*
 * One keyed change: to the copy kept under LOCK_EX, or else read, change and
 * written back under LOCK_EX, so that no concurrent change is lost.
 */
static int change(share_json_t *sj, sl_json_edit *edit, const char *key, const json_t *member)
{
	json_t *copy = NULL, *value;
	int rc;

	if (!may_write(sj))
		return -1;
	if (member && !(copy = sl_json_copy(member)))
		return -1;
	if (held(sj) == LOCK_EX) {
		if (!locked_value(sj)) {
			release(copy);
			return -1;
		}
		if (edit(&sj->value, key, copy) < 0)
			return -1;
		sj->dirty = 1;
		return 0;
	}
	if (lock_exclusive(sj->share) < 0) {
		release(copy);
		return -1;
	}
	value = sl_json_read(sj->share);
	if (!value)
		release(copy);
	rc = value ? edit(&value, key, copy) : -1;
	if (rc == 0)
		rc = sl_json_write(sj->share, value);
	release(value);
	return unlock_exclusive(sj->share, rc);
}

SHARE_JSON_EXPORT int share_json_object_set(share_json_t *sj, const char *key,
					    const json_t *value)
{
	if (!sj || !key || !value)
		return invalid();
	return change(sj, sl_json_object_set, key, value);
}

SHARE_JSON_EXPORT int share_json_object_del(share_json_t *sj, const char *key)
{
	if (!sj || !key)
		return invalid();
	return change(sj, sl_json_object_del, key, NULL);
}

SHARE_JSON_EXPORT int share_json_array_append(share_json_t *sj, const json_t *value)
{
	if (!sj || !value)
		return invalid();
	return change(sj, sl_json_array_append, NULL, value);
}

/* The *_new functions steal value, as jansson's do, even on error. */
static int stolen(json_t *value, int rc)
{
	release(value);
	return rc;
}

SHARE_JSON_EXPORT int share_json_set_new(share_json_t *sj, json_t *value)
{
	return stolen(value, share_json_set(sj, value));
}

SHARE_JSON_EXPORT int share_json_object_set_new(share_json_t *sj, const char *key,
						json_t *value)
{
	return stolen(value, share_json_object_set(sj, key, value));
}

SHARE_JSON_EXPORT int share_json_array_append_new(share_json_t *sj, json_t *value)
{
	return stolen(value, share_json_array_append(sj, value));
}

static int valid_operation(int operation)
{
	int mode = operation & LOCK_MODES;

	if (operation & ~(LOCK_MODES | LOCK_NB | LOCK_UN))
		return 0;
	return operation & LOCK_UN ? mode == 0 : mode == LOCK_SH || mode == LOCK_EX;
}

SHARE_JSON_EXPORT int share_json_lock(share_json_t *sj, int operation)
{
	int from, to = operation & LOCK_MODES;

	if (!sj || !valid_operation(operation))
		return invalid();
	if (operation & LOCK_UN)
		return share_json_unlock(sj);
	from = held(sj);
	if (from == to)
		return 0;
	/* Downgrade: the changes go out first, and stay if they cannot. */
	if (from == LOCK_EX && write_back(sj) < 0)
		return -1;
	if (share_lock(sj->share, operation) < 0) {
		/* A blocking upgrade gives LOCK_SH up first, as flock(2) does,
		 * and takes it back only after a timeout. */
		if (from == LOCK_SH && !(operation & LOCK_NB) && errno != ETIMEDOUT)
			forget_lock(sj);
		return -1;
	}
	if (from == LOCK_SH) {
		/* A blocking upgrade let writers in between: read afresh. */
		release(sj->value);
		sj->value = NULL;
	}
	sj->lock = to;
	sj->locker = sl_process_token();
	return 0;
}

SHARE_JSON_EXPORT int share_json_unlock(share_json_t *sj)
{
	int rc, err;

	if (!sj)
		return invalid();
	if (!held(sj))
		return 0;
	/* Released even when the write-back fails: the changes are then lost,
	 * and the caller told so; the share keeps its value from before. */
	rc = write_back(sj);
	err = errno;
	if (share_unlock(sj->share) < 0 && rc == 0) {
		rc = -1;
		err = errno;
	}
	forget_lock(sj);
	errno = err;
	return rc;
}
