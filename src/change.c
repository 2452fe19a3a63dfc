/*
 * change.c - change detection on top of any memory format: fetch only when
 * the version moved, and wait for it to move.
 */
#include <errno.h>
#include <time.h>

#include "internal.h"
#include "fetch.h"
#include "format.h"
#include "deadline.h"

/* Waiting polls the version: from 100 us, doubling up to 10 ms. */
#define POLL_FIRST_NS 100000L
#define POLL_MAX_NS 10000000L

SHARELITE_EXPORT int share_fetch_if_changed(share_t *share, unsigned int *version,
					    void **data, size_t *length)
{
	unsigned int now;
	ssize_t n;

	/* First, so that every error leaves no copy to free, nor a length. */
	if (data)
		*data = NULL;
	if (length)
		*length = 0;
	if (!share_usable(share))
		return -1;
	if (!version || !data || !length) {
		errno = EINVAL;
		return -1;
	}
	if (sl_handle_version(share, &now) < 0)
		return -1;
	if (now == *version)
		return 0;
	/* Changed: the value and the version it goes with, under one lock. */
	n = sl_handle_fetch(share, data, &now);
	if (n < 0)
		return -1;
	*version = now;
	*length = (size_t)n;
	return 1;
}

SHARELITE_EXPORT int share_wait_change(share_t *share, unsigned int version, int timeout_ms)
{
	struct timespec deadline;
	long pause = POLL_FIRST_NS;
	unsigned int now;

	if (!share_usable(share))
		return -1;
	if (timeout_ms < -1) {
		errno = EINVAL;
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	if (timeout_ms > 0)
		deadline = deadline_after(deadline, timeout_ms);
	/* A format that can wake waiters sleeps until a store. */
	if (share->format->wait_change)
		return share->format->wait_change(share, version, timeout_ms < 0 ? NULL : &deadline);
	for (;;) {
		struct timespec nap = { 0, 0 };
		long left = POLL_MAX_NS;

		if (sl_handle_version(share, &now) < 0)
			return -1;
		if (now != version)
			return 1;
		if (timeout_ms >= 0) {
			struct timespec t;

			clock_gettime(CLOCK_MONOTONIC, &t);
			left = deadline_ns_left(&deadline, &t, POLL_MAX_NS);
			if (left <= 0)
				return 0;
		}
		if (pause > left)
			pause = left;
		nap.tv_nsec = pause;	/* at most POLL_MAX_NS, under a second */
		if (nanosleep(&nap, NULL) < 0)
			return -1;	/* EINTR: a signal handler wants the caller back */
		if (pause < POLL_MAX_NS)
			pause *= 2;
	}
}
