/*
 * waiter.c - the subscriber a handle keeps to its share's ":changed"
 * channel from its first share_wait_change() to its close, so that a
 * wait costs no connection and no SUBSCRIBE round trip, and a watcher
 * that waits in short bounded turns does not reconnect at each.
 *
 * Between waits nobody reads it: what is published meanwhile piles up in
 * its socket, and a server whose output buffer for it grows past its
 * client-output-buffer-limit closes it. So each wait first takes what
 * came, without blocking, and makes a new subscriber when the kept one
 * broke (the server restarted or closed it) or has too much waiting. What
 * it takes only says that a store may have happened: the version the wait
 * reads next tells. A child made by fork() must not read its parent's
 * socket (each would take messages meant for the other): it makes its own.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "deadline.h"
#include "redis.h"

/* Reads (hiredis takes up to 16 KiB at each) that a wait spends on what
 * piled up before it: some thousands of messages. Past that, a new
 * subscriber costs less than reading the rest. */
#define DRAIN_MAX_READS 16

int sl_redis_ms_left(const struct timespec *deadline)
{
	struct timespec now;
	long long ns;

	if (!deadline)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ns = (long long)(deadline->tv_sec - now.tv_sec) * DEADLINE_NS_PER_S +
	     (deadline->tv_nsec - now.tv_nsec);
	if (ns <= 0)
		return 0;
	ns = (ns + DEADLINE_NS_PER_MS - 1) / DEADLINE_NS_PER_MS;
	return ns > INT_MAX ? INT_MAX : (int)ns;
}

void sl_redis_waiter_close(struct sl_redis_waiter *w)
{
	/* In a child, this frees its copy and closes its copy of the
	 * descriptor: the parent's socket is untouched. */
	if (w->ctx)
		redisFree(w->ctx);
	w->ctx = NULL;
}

/* The subscriber failed: dropped, -1 with err. */
static int broken(struct sl_redis_waiter *w, int err)
{
	sl_redis_waiter_close(w);
	errno = err;
	return -1;
}

/* A message of the channel: ["message", channel, payload]. */
static int is_message(const redisReply *r)
{
	return r->type == REDIS_REPLY_ARRAY && r->elements == 3 &&
	       r->element[0]->type == REDIS_REPLY_STRING &&
	       strcmp(r->element[0]->str, "message") == 0;
}

/* The messages read whole so far, taken: how many, or -1 with errno for
 * a subscriber that failed or sent something else (dropped). */
static int take_messages(struct sl_redis_waiter *w)
{
	int count = 0;

	for (;;) {
		void *reply = NULL;

		if (redisGetReplyFromReader(w->ctx, &reply) != REDIS_OK)
			return broken(w, sl_redis_errno(w->ctx, errno));
		if (!reply)
			return count;
		if (!is_message(reply)) {
			freeReplyObject(reply);
			return broken(w, EPROTO);
		}
		freeReplyObject(reply);
		if (count < INT_MAX)
			count++;
	}
}

/* What came since the last wait, taken without blocking: 0, or -1 with
 * the subscriber dropped. */
static int drain(struct sl_redis_waiter *w)
{
	int reads;

	for (reads = 0;; reads++) {
		struct pollfd pfd = { .fd = w->ctx->fd, .events = POLLIN };

		if (take_messages(w) < 0)
			return -1;
		/* Nothing more (or a signal: the rest waits for the wait). */
		if (poll(&pfd, 1, 0) <= 0)
			return 0;
		if (reads == DRAIN_MAX_READS)
			return broken(w, EIO);
		/* EOF here is a server that closed it while nobody waited. */
		if (redisBufferRead(w->ctx) != REDIS_OK)
			return broken(w, sl_redis_errno(w->ctx, errno));
	}
}

int sl_redis_waiter_ready(struct sl_redis_waiter *w, const struct sl_redis_address *address,
			  const char *channel, int *made)
{
	unsigned int process = sl_process_token();

	*made = 0;
	if (w->ctx && w->process != process)
		sl_redis_waiter_close(w);	/* the parent's */
	if (w->ctx && drain(w) == 0)
		return 0;
	w->ctx = sl_redis_subscriber(address, channel);
	if (!w->ctx)
		return -1;
	w->process = process;
	*made = 1;
	/* Kept for the handle's life: a server gone silently (a host that
	 * died) is found by the kernel. Failing changes only that. */
	redisEnableKeepAlive(w->ctx);
	return 0;
}

int sl_redis_waiter_listen(struct sl_redis_waiter *w, const struct timespec *deadline)
{
	for (;;) {
		struct pollfd pfd = { .fd = w->ctx->fd, .events = POLLIN };
		int heard = take_messages(w), n;

		if (heard != 0)
			return heard < 0 ? -1 : 1;
		n = poll(&pfd, 1, sl_redis_ms_left(deadline));
		if (n < 0)
			return -1;	/* EINTR: a handler wants the caller back */
		if (n == 0)
			return 0;
		if (redisBufferRead(w->ctx) != REDIS_OK)
			return broken(w, sl_redis_errno(w->ctx, errno));
	}
}
