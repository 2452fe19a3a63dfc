/*
 * renew.c - a thread that renews a handle's lease while the handle holds a
 * lock, so that a holder busy between calls keeps it and only one that
 * dies, stops or is cut off from the server loses it.
 *
 * The thread has a connection of its own (a hiredis context serves one
 * thread) under the handle's token, renews every third of a lease, and is
 * stopped through a pipe, so that it needs no mutex: a child made by
 * fork() copies no thread and must not wait on its parent's, and a mutex
 * copied while that thread held it would never be let go. What it must
 * renew, LOCK_SH or LOCK_EX, it reads atomically at each renewal.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "redis.h"

static void *renew_loop(void *arg)
{
	struct sl_redis_renewer *r = arg;
	struct pollfd pfd = { .fd = r->stop[0], .events = POLLIN };
	char lease[16];

	snprintf(lease, sizeof(lease), "%d", r->lease_ms);
	/* Until the owner closes the pipe's other end (POLLHUP). The thread
	 * blocks every signal, so poll() is not interrupted. */
	while (poll(&pfd, 1, r->interval_ms) == 0) {
		/* Relaxed: the kind only says which lease to renew, and the
		 * script renews it only if it is still the token's. */
		int kind = __atomic_load_n(&r->kind, __ATOMIC_RELAXED);
		char kind_s[2] = { (char)('0' + kind), '\0' };
		const char *argv[5] = { r->conn.token, kind_s, kind_s, lease, "0" };
		redisReply *reply;

		reply = sl_redis_script(&r->conn, SL_SCRIPT_LOCK, 1, r->keys, 5, argv, NULL);
		if (reply)
			freeReplyObject(reply);
		/* On failure the next tick tries again, connecting anew. */
	}
	sl_redis_disconnect(&r->conn);
	return NULL;
}

/* Whether the thread runs, in this process: a child has none. */
static int running(const struct sl_redis_renewer *r)
{
	return r->started && r->process == sl_process_token();
}

int sl_redis_renewer_hold(struct sl_redis_renewer *r, const struct sl_redis_conn *owner,
			  const char *const keys[SL_REDIS_N_KEYS], int lease_ms, int kind)
{
	sigset_t all, old;
	int rc;

	if (running(r)) {
		__atomic_store_n(&r->kind, kind, __ATOMIC_RELAXED);
		return 0;
	}
	sl_redis_renewer_stop(r);	/* a parent's, in a child: its fds */
	if (pipe(r->stop) < 0)
		return -1;
	/* Not left to a program that execs. */
	fcntl(r->stop[0], F_SETFD, FD_CLOEXEC);
	fcntl(r->stop[1], F_SETFD, FD_CLOEXEC);
	memset(&r->conn, 0, sizeof(r->conn));
	r->conn.address = owner->address;
	r->conn.node = owner->node;	/* the node that has the share's slot */
	memcpy(r->conn.token, owner->token, sizeof(r->conn.token));
	r->conn.process = sl_process_token();	/* keep the owner's token */
	r->keys = keys;
	r->lease_ms = lease_ms;
	r->interval_ms = lease_ms / 3 > 0 ? lease_ms / 3 : 1;
	r->kind = kind;
	/* The thread takes no signal: the program's handlers run in its
	 * own threads, and SIGPIPE never reaches anyone from here. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&r->thread, NULL, renew_loop, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		close(r->stop[0]);
		close(r->stop[1]);
		errno = rc == EAGAIN ? ENOMEM : rc;
		return -1;
	}
	r->started = 1;
	r->process = sl_process_token();
	return 0;
}

void sl_redis_renewer_stop(struct sl_redis_renewer *r)
{
	int err = errno;

	if (!r->started)
		return;
	if (running(r)) {
		/* Closing the write end wakes the poll with POLLHUP. */
		close(r->stop[1]);
		pthread_join(r->thread, NULL);
	} else {
		/* In a child: the parent's thread is not here, and what it
		 * left (its pipe, its connection) is this process's copy. */
		close(r->stop[1]);
		sl_redis_disconnect(&r->conn);
	}
	close(r->stop[0]);
	r->started = 0;
	errno = err;
}
