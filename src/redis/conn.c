/*
 * conn.c - a connection to a Redis server that bounds every wait (the
 * address's timeout, for connecting and for each command), reconnects
 * once after a server restart, runs the scripts by their SHA1 digest, and
 * turns every failure into one errno.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>

#include "internal.h"
#include "redis.h"

int sl_redis_errno(const redisContext *ctx, int saved_errno)
{
	if (!ctx)
		return ENOMEM;	/* hiredis could not allocate a context */
	switch (ctx->err) {
	case REDIS_ERR_IO:
		switch (saved_errno) {
		case ECONNREFUSED:
		case ETIMEDOUT:
			return saved_errno;
		case EAGAIN:	/* SO_RCVTIMEO or SO_SNDTIMEO ran out */
		case EINPROGRESS:
			return ETIMEDOUT;
		case ENETUNREACH:
		case EHOSTUNREACH:
			return EHOSTUNREACH;
		default:
			return EIO;
		}
	case REDIS_ERR_PROTOCOL:
		return EPROTO;
	case REDIS_ERR_OOM:
		return ENOMEM;
#ifdef REDIS_ERR_TIMEOUT		/* hiredis 1.0 on tells timeouts apart */
	case REDIS_ERR_TIMEOUT:
		return ETIMEDOUT;
#endif
	default:		/* EOF: the server closed the connection */
		return EIO;
	}
}

/* The errno of an error reply. */
static int reply_errno(const redisReply *reply)
{
	static const char *const refused[] = { "NOAUTH", "WRONGPASS", "NOPERM" };
	size_t i;

	if (strncmp(reply->str, "WRONGTYPE", 9) == 0)
		return EPROTO;
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (strncmp(reply->str, refused[i], strlen(refused[i])) == 0)
			return EACCES;
	return EIO;
}

/*
 * hiredis writes with write(2): to a socket the server has closed, that
 * raises SIGPIPE, which would kill a program that never asked for a
 * network. The signal is blocked around each call and a SIGPIPE that the
 * call raised is taken before the mask comes back.
 */
struct pipe_guard {
	sigset_t pipe, old;
	int was_pending;
};

static void pipe_guard_begin(struct pipe_guard *g)
{
	sigset_t pending;

	sigemptyset(&g->pipe);
	sigaddset(&g->pipe, SIGPIPE);
	sigpending(&pending);
	g->was_pending = sigismember(&pending, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &g->pipe, &g->old);
}

static void pipe_guard_end(struct pipe_guard *g)
{
	int err = errno;

	if (!g->was_pending) {
		sigset_t pending;
		const struct timespec zero = { 0, 0 };

		sigpending(&pending);
		if (sigismember(&pending, SIGPIPE))
			sigtimedwait(&g->pipe, NULL, &zero);
	}
	pthread_sigmask(SIG_SETMASK, &g->old, NULL);
	errno = err;
}

static struct timeval timeval_of_ms(int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	return tv;
}

/* A reply of the type wanted, or NULL with errno (the reply freed). */
static redisReply *expect(redisReply *reply, int type)
{
	int err;

	if (reply->type == type)
		return reply;
	err = reply->type == REDIS_REPLY_ERROR ? reply_errno(reply) : EPROTO;
	freeReplyObject(reply);
	errno = err;
	return NULL;
}

/* One command on ctx, its reply of the type wanted: as expect(). */
static redisReply *run(redisContext *ctx, int type, int argc, const char **argv,
		       const size_t *lens)
{
	redisReply *reply = redisCommandArgv(ctx, argc, argv, lens);

	if (!reply) {
		errno = sl_redis_errno(ctx, errno);
		return NULL;
	}
	return expect(reply, type);
}

/* AUTH and SELECT as the address says. */
static int set_up(redisContext *ctx, const struct sl_redis_address *a)
{
	redisReply *reply;
	char db[16];

	if (a->password) {
		const char *argv[3] = { "AUTH", a->user ? a->user : a->password, a->password };

		reply = run(ctx, REDIS_REPLY_STATUS, a->user ? 3 : 2, argv, NULL);
		if (!reply)
			return -1;
		freeReplyObject(reply);
	}
	if (a->db >= 0) {
		const char *argv[2] = { "SELECT", db };

		snprintf(db, sizeof(db), "%d", a->db);
		reply = run(ctx, REDIS_REPLY_STATUS, 2, argv, NULL);
		if (!reply)
			return -1;
		freeReplyObject(reply);
	}
	return 0;
}

/* A context to host:port (the address's for a port of 0), set up as the
 * address says. */
static redisContext *connect_new(const struct sl_redis_address *a,
				 const struct sl_redis_node *node)
{
	struct timeval tv = timeval_of_ms(a->timeout_ms);
	struct pipe_guard guard;
	redisContext *ctx;
	int err;

	if (node && node->port)
		ctx = redisConnectWithTimeout(node->host, node->port, tv);
	else
		ctx = redisConnectWithTimeout(a->host, a->port, tv);
	if (!ctx || ctx->err) {
		err = sl_redis_errno(ctx, errno);
		goto fail;
	}
	/* A program the process runs gets no connection of ours. hiredis
	 * 0.14 cannot open the socket so: a fork() and exec() in another
	 * thread right now would pass this one on. */
	fcntl(ctx->fd, F_SETFD, FD_CLOEXEC);
	if (redisSetTimeout(ctx, tv) != REDIS_OK) {
		err = sl_redis_errno(ctx, errno);
		goto fail;
	}
	pipe_guard_begin(&guard);
	err = set_up(ctx, a) < 0 ? errno : 0;
	pipe_guard_end(&guard);
	if (err)
		goto fail;
	return ctx;
fail:
	if (ctx)
		redisFree(ctx);
	errno = err;
	return NULL;
}

redisContext *sl_redis_subscriber(const struct sl_redis_address *a, const char *channel)
{
	redisContext *ctx = connect_new(a, NULL);
	const char *argv[2] = { "SUBSCRIBE", channel };
	struct pipe_guard guard;
	redisReply *reply;

	if (!ctx)
		return NULL;
	pipe_guard_begin(&guard);
	reply = run(ctx, REDIS_REPLY_ARRAY, 2, argv, NULL);
	pipe_guard_end(&guard);
	if (!reply) {
		int err = errno;

		redisFree(ctx);
		errno = err;
		return NULL;
	}
	freeReplyObject(reply);
	return ctx;
}

/* 128 bits no other client has: random, or failing that this process's
 * id, the time and a count, which still tell it from every other. */
static void make_token(char token[33])
{
	static unsigned long count;
	uint64_t bits[2];
	struct timespec now;

	if (getrandom(bits, sizeof(bits), GRND_NONBLOCK) != (ssize_t)sizeof(bits)) {
		clock_gettime(CLOCK_REALTIME, &now);
		bits[0] = ((uint64_t)getpid() << 32) ^ (uint64_t)now.tv_nsec;
		bits[1] = ((uint64_t)now.tv_sec << 20) ^
			  __atomic_add_fetch(&count, 1, __ATOMIC_RELAXED);
	}
	snprintf(token, 33, "%016llx%016llx", (unsigned long long)bits[0],
		 (unsigned long long)bits[1]);
}

/* SCRIPT LOAD of every script, pipelined: the digests EVALSHA names. */
static int load_scripts(struct sl_redis_conn *conn)
{
	int i, rc = 0, err = 0;

	for (i = 0; i < SL_N_SCRIPTS; i++)
		if (redisAppendCommand(conn->ctx, "SCRIPT LOAD %s", sl_redis_scripts[i]) != REDIS_OK)
			break;
	if (i < SL_N_SCRIPTS) {
		errno = ENOMEM;
		return -1;
	}
	/* Every reply is read, so that none is left for the next command. */
	for (i = 0; i < SL_N_SCRIPTS; i++) {
		void *r = NULL;
		redisReply *reply;

		if (redisGetReply(conn->ctx, &r) != REDIS_OK) {
			errno = sl_redis_errno(conn->ctx, errno);
			return -1;
		}
		reply = expect(r, REDIS_REPLY_STRING);
		if (!reply || reply->len != 40) {
			if (reply) {
				freeReplyObject(reply);
				errno = EPROTO;
			}
			if (!err)
				err = errno;
			rc = -1;
			continue;
		}
		memcpy(conn->sha[i], reply->str, 40);
		conn->sha[i][40] = '\0';
		freeReplyObject(reply);
	}
	if (rc < 0)
		errno = err;
	return rc;
}

void sl_redis_disconnect(struct sl_redis_conn *conn)
{
	if (conn->ctx)
		redisFree(conn->ctx);
	conn->ctx = NULL;
}

int sl_redis_connect(struct sl_redis_conn *conn)
{
	unsigned int process = sl_process_token();
	struct pipe_guard guard;
	int rc;

	/* A child's copy of its parent's socket is the parent's to use, and
	 * its parent's locks are not its own. */
	if (conn->process != process || !conn->token[0]) {
		sl_redis_disconnect(conn);
		make_token(conn->token);
		conn->process = process;
	}
	if (conn->ctx)
		return 0;
	conn->ctx = connect_new(conn->address, &conn->node);
	if (!conn->ctx) {
		/* A node a redirection named that is gone: the next call
		 * starts again at the address's, which knows the new owner. */
		conn->node.port = 0;
		return -1;
	}
	pipe_guard_begin(&guard);
	rc = load_scripts(conn);
	pipe_guard_end(&guard);
	if (rc < 0) {
		int err = errno;

		sl_redis_disconnect(conn);
		errno = err;
	}
	return rc;
}

/* What is sent as one: a command, or several inside MULTI/EXEC. */
struct request {
	int n;
	const struct sl_redis_cmd *cmds;
};

/*
 * The request on ctx: a command's reply; for a transaction, EXEC's (an
 * array of the commands' replies), or else the first error a command got
 * as it was queued (a redirection, which made EXEC fail with EXECABORT),
 * so that it is followed as a command's would be. A redirection of the
 * whole transaction, by EXEC, is EXEC's reply. NULL with errno for a
 * connection that failed, which is out of step and not to be used again.
 */
static redisReply *send_request(redisContext *ctx, const struct request *req)
{
	const struct sl_redis_cmd *cmd = req->cmds;
	redisReply *exec = NULL, *refused = NULL;
	int i, replies = req->n + 2;

	if (req->n == 1) {
		exec = redisCommandArgv(ctx, cmd->argc, cmd->argv, cmd->lens);
		if (!exec)
			errno = sl_redis_errno(ctx, errno);
		return exec;
	}
	/* Written at once: one round trip for the whole transaction. */
	if (redisAppendCommand(ctx, "MULTI") != REDIS_OK)
		goto no_memory;
	for (i = 0; i < req->n; i++)
		if (redisAppendCommandArgv(ctx, cmd[i].argc, cmd[i].argv, cmd[i].lens) != REDIS_OK)
			goto no_memory;
	if (redisAppendCommand(ctx, "EXEC") != REDIS_OK)
		goto no_memory;
	/* Every reply is read, so that none is left for the next request. */
	for (i = 0; i < replies; i++) {
		void *r = NULL;

		if (redisGetReply(ctx, &r) != REDIS_OK) {
			errno = sl_redis_errno(ctx, errno);
			freeReplyObject(refused);
			return NULL;
		}
		if (i == replies - 1)
			exec = r;
		else if (!refused && ((redisReply *)r)->type == REDIS_REPLY_ERROR)
			refused = r;
		else
			freeReplyObject(r);
	}
	if (refused) {
		freeReplyObject(exec);
		return refused;
	}
	return exec;
no_memory:
	errno = ENOMEM;
	return NULL;
}

/* One try: the reply, or NULL with errno; a broken connection dropped. */
static redisReply *command_once(struct sl_redis_conn *conn, const struct request *req)
{
	struct pipe_guard guard;
	redisReply *reply;
	int err;

	if (sl_redis_connect(conn) < 0)
		return NULL;
	pipe_guard_begin(&guard);
	reply = send_request(conn->ctx, req);
	err = errno;
	pipe_guard_end(&guard);
	if (!reply) {
		sl_redis_disconnect(conn);	/* hiredis cannot use it again */
		errno = err;
	}
	return reply;
}

/*
 * The request once on the node an -ASK named, after ASKING, on a
 * connection of its own: the slot stays the first node's for every other
 * command until its move ends with -MOVED. ASKING holds for a whole
 * MULTI, up to its EXEC. The scripts may not be cached there: NOSCRIPT
 * sends sl_redis_script() to EVAL.
 */
static redisReply *command_asking(struct sl_redis_conn *conn, const struct sl_redis_node *to,
				  const struct request *req)
{
	const char *asking[] = { "ASKING" };
	redisContext *ctx = connect_new(conn->address, to);
	struct pipe_guard guard;
	redisReply *reply;
	int err;

	if (!ctx)
		return NULL;
	pipe_guard_begin(&guard);
	reply = run(ctx, REDIS_REPLY_STATUS, 1, asking, NULL);
	if (reply) {
		freeReplyObject(reply);
		reply = send_request(ctx, req);
	}
	err = errno;
	pipe_guard_end(&guard);
	redisFree(ctx);
	errno = err;
	return reply;
}

#define TRYAGAIN_MAX_MS 100

static void sleep_ms(int ms)
{
	struct timespec nap = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&nap, NULL);
}

/*
 * Follow what a node of a Redis Cluster answers instead of running the
 * command (cluster.c), up to SL_REDIS_MAX_REDIRECTS moves. Each of these
 * replies says the command did not run, so sending it again is safe even
 * for a store.
 */
static redisReply *follow_redirects(struct sl_redis_conn *conn, redisReply *reply,
				    const struct request *req)
{
	int moves = 0, waited_ms = 0, nap_ms = 5;

	while (reply && reply->type == REDIS_REPLY_ERROR) {
		struct sl_redis_node to;
		enum sl_redis_redirect kind = sl_redis_redirection(reply->str, &to);

		if (kind == SL_REDIRECT_NONE)
			break;
		freeReplyObject(reply);
		/* Only -MOVED can go round in circles: an -ASK leads to
		 * the command's result, -TRYAGAIN or -MOVED. */
		if (kind == SL_REDIRECT_MOVED && ++moves > SL_REDIS_MAX_REDIRECTS) {
			errno = EIO;
			return NULL;
		}
		/* An empty host is the one that answered. */
		if (kind != SL_REDIRECT_TRYAGAIN && !to.host[0])
			strcpy(to.host, conn->node.port ? conn->node.host : conn->address->host);
		switch (kind) {
		case SL_REDIRECT_MOVED:
			sl_redis_disconnect(conn);
			conn->node = to;
			reply = command_once(conn, req);
			break;
		case SL_REDIRECT_ASK:
			reply = command_asking(conn, &to, req);
			break;
		default:
			/* While a slot moves, a script whose keys are not all
			 * on one side runs nowhere: wait for the move to end,
			 * up to the address's timeout. */
			if (waited_ms >= conn->address->timeout_ms) {
				errno = ETIMEDOUT;
				return NULL;
			}
			nap_ms = nap_ms * 2 > TRYAGAIN_MAX_MS ? TRYAGAIN_MAX_MS : nap_ms * 2;
			sleep_ms(nap_ms);
			waited_ms += nap_ms;
			reply = command_once(conn, req);
			break;
		}
	}
	return reply;
}

/* The reply, error replies included, or NULL with errno. */
static redisReply *command_raw(struct sl_redis_conn *conn, int retry, const struct request *req)
{
	/* Only a connection that had worked is worth a second try: a fresh
	 * one that fails says the server is not there. */
	int had_worked = conn->ctx && conn->process == sl_process_token();
	redisReply *reply = command_once(conn, req);

	if (!reply && retry && had_worked && errno == EIO)
		reply = command_once(conn, req);
	return follow_redirects(conn, reply, req);
}

/* An error reply becomes NULL with its errno. */
static redisReply *no_error(redisReply *reply)
{
	if (reply && reply->type == REDIS_REPLY_ERROR) {
		int err = reply_errno(reply);

		freeReplyObject(reply);
		errno = err;
		return NULL;
	}
	return reply;
}

redisReply *sl_redis_command(struct sl_redis_conn *conn, int retry, int argc,
			     const char **argv, const size_t *lens)
{
	const struct sl_redis_cmd cmd = { argc, argv, lens };
	const struct request req = { 1, &cmd };

	return no_error(command_raw(conn, retry, &req));
}

#define MAX_SCRIPT_ARGS 5
#define STR(x) #x
#define XSTR(x) STR(x)

/* The arguments of a script's EVALSHA, in room for all of them. */
struct script_call {
	const char *args[3 + SL_REDIS_N_KEYS + MAX_SCRIPT_ARGS];
	size_t lens[3 + SL_REDIS_N_KEYS + MAX_SCRIPT_ARGS];
	struct sl_redis_cmd cmd;
};

/* EVALSHA of the script with the keys and arguments given: 0, or -1
 * with errno. Connected first: conn->sha is filled by connecting. */
static int script_call_make(struct script_call *call, struct sl_redis_conn *conn,
			    enum sl_redis_script script, const char *const keys[SL_REDIS_N_KEYS],
			    int argc, const char **argv, const size_t *lens)
{
	int i, n = 0;

	if (argc > MAX_SCRIPT_ARGS) {
		errno = EINVAL;
		return -1;
	}
	if (sl_redis_connect(conn) < 0)
		return -1;
	call->args[n++] = "EVALSHA";
	call->args[n++] = conn->sha[script];
	call->args[n++] = XSTR(SL_REDIS_N_KEYS);
	for (i = 0; i < SL_REDIS_N_KEYS; i++)
		call->args[n++] = keys[i];
	for (i = 0; i < n; i++)
		call->lens[i] = strlen(call->args[i]);
	for (i = 0; i < argc; i++, n++) {
		call->args[n] = argv[i];
		call->lens[n] = lens ? lens[i] : strlen(argv[i]);
	}
	call->cmd.argc = n;
	call->cmd.argv = call->args;
	call->cmd.lens = call->lens;
	return 0;
}

/* Not in the server's cache (SCRIPT FLUSH, or a restart behind a
 * connection that stayed up): EVAL sends the text, which caches it. */
static int no_script(const redisReply *reply)
{
	return reply && reply->type == REDIS_REPLY_ERROR && strncmp(reply->str, "NOSCRIPT", 8) == 0;
}

static void script_call_by_text(struct script_call *call, enum sl_redis_script script)
{
	call->args[0] = "EVAL";
	call->args[1] = sl_redis_scripts[script];
	call->lens[0] = strlen(call->args[0]);
	call->lens[1] = strlen(call->args[1]);
}

redisReply *sl_redis_script(struct sl_redis_conn *conn, enum sl_redis_script script,
			    int retry, const char *const keys[SL_REDIS_N_KEYS], int argc,
			    const char **argv, const size_t *lens)
{
	struct script_call call;
	struct request req = { 1, &call.cmd };
	redisReply *reply;

	if (script_call_make(&call, conn, script, keys, argc, argv, lens) < 0)
		return NULL;
	reply = command_raw(conn, retry, &req);
	if (no_script(reply)) {
		freeReplyObject(reply);
		script_call_by_text(&call, script);
		reply = command_raw(conn, retry, &req);
	}
	return no_error(reply);
}

/* Whether an EXEC reply holds the n replies of a transaction. */
static int exec_holds(const redisReply *reply, size_t n)
{
	return reply && reply->type == REDIS_REPLY_ARRAY && reply->elements == n;
}

redisReply *sl_redis_script_between(struct sl_redis_conn *conn, enum sl_redis_script script,
				    const char *const keys[SL_REDIS_N_KEYS], int argc,
				    const char **argv, const size_t *lens,
				    const struct sl_redis_cmd *before,
				    const struct sl_redis_cmd *after)
{
	struct script_call call;
	struct sl_redis_cmd cmds[3];
	struct request req = { 3, cmds };
	redisReply *reply, *result;
	int err;

	if (script_call_make(&call, conn, script, keys, argc, argv, lens) < 0)
		return NULL;
	cmds[0] = *before;
	cmds[1] = call.cmd;
	cmds[2] = *after;
	/* NOSCRIPT comes from EXEC, once before has run: the transaction
	 * is sent again with the script's text, and after has cleaned up. */
	reply = command_raw(conn, 0, &req);
	if (exec_holds(reply, 3) && no_script(reply->element[1])) {
		freeReplyObject(reply);
		script_call_by_text(&call, script);
		cmds[1] = call.cmd;
		reply = command_raw(conn, 0, &req);
	}
	reply = no_error(reply);
	if (!reply)
		return NULL;
	if (!exec_holds(reply, 3)) {
		freeReplyObject(reply);
		errno = EPROTO;
		return NULL;
	}
	if (reply->element[0]->type == REDIS_REPLY_ERROR ||
	    reply->element[2]->type == REDIS_REPLY_ERROR) {
		err = reply_errno(reply->element[reply->element[0]->type == REDIS_REPLY_ERROR ? 0 : 2]);
		freeReplyObject(reply);
		errno = err;
		return NULL;
	}
	result = reply->element[1];
	reply->element[1] = NULL;	/* the caller's: freeReplyObject() skips NULL */
	freeReplyObject(reply);
	return no_error(result);
}
