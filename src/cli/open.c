/*
 * open.c - getting a handle on a share. Only store creates one, and it
 * creates with IPC_EXCL so that it knows whether the share is its own to
 * take back when the store fails.
 */
#include <errno.h>

#include "cli.h"

/* Another process may remove or create the share between our two tries. */
#define OPEN_TRIES 3

int open_timeout_ms = -1;

/* share_open() has no timeout: the handle is given it once open. */
static share_t *open_named(const char *name, size_t segment_size, int flags)
{
	share_t *share = share_open(name, segment_size, flags);

	int err;

	if (share && share_set_timeout(share, open_timeout_ms) < 0) {
		err = errno;
		share_close(share);
		errno = err;
		return NULL;
	}
	return share;
}

static share_t *open_by(const struct keyarg *k, size_t segment_size, int flags)
{
	if (k->name)
		return open_named(k->name, segment_size, flags);
	return share_new_timeout(k->key, segment_size, flags, open_timeout_ms);
}

share_t *open_existing(const struct keyarg *k)
{
	return open_by(k, 0, 0);
}

share_t *open_or_report(const struct keyarg *k, const char *cmd)
{
	share_t *share = open_existing(k);

	if (!share)
		report_key_error(k, cmd);
	return share;
}

share_t *open_or_create(const struct keyarg *k, size_t segment_size, mode_t mode,
			int flags, int *created)
{
	share_t *share = NULL;
	int i;

	*created = 0;
	for (i = 0; i < OPEN_TRIES; i++) {
		share = open_existing(k);
		if (share || errno != ENOENT)
			return share;
		share = open_by(k, segment_size, IPC_CREAT | IPC_EXCL | (int)mode | flags);
		if (share) {
			*created = 1;
			return share;
		}
		if (errno != EEXIST)
			return NULL;
		/* EEXIST: someone created it meanwhile, or the key is taken by
		 * objects that are no share; the next open tells which. */
	}
	return NULL;
}
