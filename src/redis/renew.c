/*
 * renew.c - a thread that renews a handle's lease while the handle holds a
 * lock, so that a holder busy between calls keeps it and only one that
 * dies, stops or is cut off from the server loses it.
 *
 * The thread has a connection of its own (a hiredis context serves one
 * thread) under the handle's token, renews every third of a lease, and is
 * stopped by a byte through a pipe, so that it needs no mutex: a child made by
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
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "deadline.h"
#include "redis.h"

/*
 * fork() while a renewal runs would give the child a copy of whatever the
 * thread held at that instant, such as an allocator's lock: glibc's malloc
 * takes care of its own at fork, but not every allocator does
 * (AddressSanitizer's does not). So a fork waits for a renewal in flight
 * to end, FORK_WAIT_MS at most (one stalled on the network is not waited
 * for longer), and no renewal starts until the fork is over. Seq_cst, the
 * counter's increment and the flag's load in the thread, the flag's store
 * and the counter's load in the forker: either the forker sees the
 * renewal, or the renewal sees the fork and skips its turn.
 */
#define FORK_WAIT_MS 200

static int renewals_in_flight;
static int fork_pending;

static void before_fork(void)
{
	struct timespec deadline, now, nap = { 0, 100000 };

	__atomic_store_n(&fork_pending, 1, __ATOMIC_SEQ_CST);
	deadline_in(FORK_WAIT_MS, &deadline);
	while (__atomic_load_n(&renewals_in_flight, __ATOMIC_SEQ_CST) > 0) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (deadline_ns_left(&deadline, &now, 1) == 0)
			break;
		nanosleep(&nap, NULL);
	}
}

static void after_fork_in_parent(void)
{
	__atomic_store_n(&fork_pending, 0, __ATOMIC_SEQ_CST);
}

/* The child has no renewal thread: none is in flight there. */
static void after_fork_in_child(void)
{
	__atomic_store_n(&renewals_in_flight, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&fork_pending, 0, __ATOMIC_RELAXED);
}

static void install_fork_handlers(void)
{
	pthread_atfork(before_fork, after_fork_in_parent, after_fork_in_child);
}

/* A renewal may start: 1, counted in flight until renewal_done(). */
static int renewal_may_start(void)
{
	__atomic_add_fetch(&renewals_in_flight, 1, __ATOMIC_SEQ_CST);
	if (!__atomic_load_n(&fork_pending, __ATOMIC_SEQ_CST))
		return 1;
	__atomic_sub_fetch(&renewals_in_flight, 1, __ATOMIC_SEQ_CST);
	return 0;
}

static void renewal_done(void)
{
	__atomic_sub_fetch(&renewals_in_flight, 1, __ATOMIC_SEQ_CST);
}

static void *renew_loop(void *arg)
{
	struct sl_redis_renewer *r = arg;
	struct pollfd pfd = { .fd = r->stop[0], .events = POLLIN };
	char lease[16];

	renewal_done();		/* the thread's start, counted by its creator */
	snprintf(lease, sizeof(lease), "%d", r->lease_ms);
	/* Until the owner closes the pipe's other end (POLLHUP). The thread
	 * blocks every signal, so poll() is not interrupted. A turn a fork
	 * takes is made up at the next: each renews a lease for three. */
	while (poll(&pfd, 1, r->interval_ms) == 0) {
		/* Relaxed: the kind only says which lease to renew, and the
		 * script renews it only if it is still the token's. */
		int kind = __atomic_load_n(&r->kind, __ATOMIC_RELAXED);
		char kind_s[2] = { (char)('0' + kind), '\0' };
		const char *argv[5] = { r->conn.token, kind_s, kind_s, lease, "0" };
		redisReply *reply;

		if (!renewal_may_start())
			continue;
		reply = sl_redis_script(&r->conn, SL_SCRIPT_LOCK, 1, r->keys, 5, argv, NULL);
		if (reply)
			freeReplyObject(reply);
		renewal_done();
		/* On failure the next tick tries again, connecting anew. */
	}
	/* Freeing is the allocator's work too: not beside a fork. */
	while (!renewal_may_start())
		poll(NULL, 0, 1);
	sl_redis_disconnect(&r->conn);
	renewal_done();
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
	static pthread_once_t handlers = PTHREAD_ONCE_INIT;
	sigset_t all, old;
	int rc;

	pthread_once(&handlers, install_fork_handlers);
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
	/* A thread starting allocates too (its stack, the runtime's own
	 * records): in flight until renew_loop() runs. */
	__atomic_add_fetch(&renewals_in_flight, 1, __ATOMIC_SEQ_CST);
	rc = pthread_create(&r->thread, NULL, renew_loop, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		renewal_done();
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
		/* A byte wakes the poll: closing the write end would not while
		 * a child made by fork() keeps its copy of it open. */
		while (write(r->stop[1], "", 1) < 0 && errno == EINTR)
			;
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
