/*
 * redis.h - what the files of the Redis format share: the address a
 * redis:// name gives (address.c), a connection that reconnects and maps
 * every failure to an errno (conn.c), following a Redis Cluster's
 * redirections (cluster.c), the Lua scripts that keep a share's value,
 * version and lock leases consistent inside the server (scripts.c), the
 * thread that renews a held lock's lease (renew.c), the subscriber a
 * handle keeps for share_wait_change() (waiter.c), and a reply read
 * straight into the caller's buffer (into.c). format.c puts them
 * together as the format's ops.
 */
#ifndef SHARELITE_REDIS_H
#define SHARELITE_REDIS_H

#include <pthread.h>
#include <stddef.h>
#include <hiredis/hiredis.h>

/* Defaults a name's ?lease=MS and ?timeout=MS change. */
#define SL_REDIS_DEFAULT_LEASE_MS 10000
#define SL_REDIS_DEFAULT_TIMEOUT_MS 5000
#define SL_REDIS_DEFAULT_PORT 6379
/* How long a waiting writer's mark keeps new readers out unless its next
 * try renews it: well above the 50 ms between tries, short enough that a
 * writer that died waiting holds readers up for no more than this. */
#define SL_REDIS_WAITING_MS 1000

/*
 * redis://[user:password@]host[:port][/db]/NAME[?lease=MS&timeout=MS],
 * parsed. The strings point into one buffer, owned by the address.
 */
struct sl_redis_address {
	char *buf;
	const char *host;
	int port;
	int db;			/* -1: none given, the server's default */
	const char *user;	/* NULL: none */
	const char *password;	/* NULL: none */
	const char *name;	/* the share's name on the server */
	int lease_ms;		/* how long a lock lives without renewal */
	int timeout_ms;		/* bound on connecting and on each command */
	int tls;		/* rediss:// */
};

/* 0, or -1 with EINVAL for a name that is not of that form (ENOMEM). */
int sl_redis_address_parse(const char *url, struct sl_redis_address *address);
void sl_redis_address_free(struct sl_redis_address *address);

/* The scripts, by index into sl_redis_scripts[]. */
enum sl_redis_script {
	SL_SCRIPT_OPEN,
	SL_SCRIPT_STORE,
	SL_SCRIPT_FETCH,
	SL_SCRIPT_LOCK,
	SL_SCRIPT_REMOVE,
	SL_SCRIPT_STAT,
	SL_N_SCRIPTS
};
extern const char *const sl_redis_scripts[SL_N_SCRIPTS];

/* The keys every script gets (scripts.c). */
#define SL_REDIS_N_KEYS 6

/* Script results that are not values (every script's are integers). */
#define SL_REDIS_GONE (-1)	/* the share is not there: EIDRM */
#define SL_REDIS_LOST (-2)	/* the caller's lease has expired: ENOLCK */
#define SL_REDIS_BUSY (-3)	/* another holds a lock that conflicts */
#define SL_REDIS_EXISTS (-4)	/* open: there already, and IPC_EXCL */
#define SL_REDIS_NOT_SHARE (-5)	/* the key holds something else: EPROTO */

/* A node of a Redis Cluster, as a redirection names it. */
struct sl_redis_node {
	char host[256];		/* "": the node that sent the redirection */
	int port;
};

enum sl_redis_redirect {
	SL_REDIRECT_NONE,	/* an error like any other */
	SL_REDIRECT_MOVED,	/* the slot is another node's */
	SL_REDIRECT_ASK,	/* the slot is moving: ask the other node once */
	SL_REDIRECT_TRYAGAIN	/* a migration has split the keys: again soon */
};

/* How many -MOVED replies one command follows before it fails with EIO:
 * a slot moves at most once or twice while one command is sent. */
#define SL_REDIS_MAX_REDIRECTS 8

/* What an error reply's text asks for (cluster.c); to is set for MOVED
 * and ASK. */
enum sl_redis_redirect sl_redis_redirection(const char *error, struct sl_redis_node *to);

/*
 * A connection to the server of an address, or to the node of a Redis
 * Cluster that the last -MOVED reply named. It connects on first use and
 * again in a child after fork(), whose copy of the parent's socket it
 * must not use; its token, which names this process's locks on the
 * server, is made anew there too.
 */
struct sl_redis_conn {
	const struct sl_redis_address *address;
	redisContext *ctx;
	unsigned int process;	/* sl_process_token() of ctx's and token's maker */
	char token[33];		/* 128 random bits in hex */
	char sha[SL_N_SCRIPTS][41];
	struct sl_redis_node node;	/* port 0: the address's host and port */
};

/*
 * Run a command, each argument of argv with its length. retry: the
 * command may run twice, so after a connection that had worked breaks
 * (the server restarted) it reconnects once and sends it again. A reply
 * is returned to free with freeReplyObject(); an error reply becomes
 * NULL with errno: EPROTO for a key of the wrong type, EACCES for one
 * refused by authentication or ACLs, EIO for any other. NULL with
 * ECONNREFUSED, EHOSTUNREACH, ETIMEDOUT, EIO, EPROTO or ENOMEM when the
 * connection fails.
 */
redisReply *sl_redis_command(struct sl_redis_conn *conn, int retry, int argc,
			     const char **argv, const size_t *lens);

/*
 * Run a script with the share's keys and the arguments given (EVALSHA,
 * with EVAL when the server no longer has it) and return its integer
 * result, or its array for fetch and stat: as sl_redis_command().
 */
redisReply *sl_redis_script(struct sl_redis_conn *conn, enum sl_redis_script script,
			    int retry, const char *const keys[SL_REDIS_N_KEYS], int argc,
			    const char **argv, const size_t *lens);

/* Where a reply's value is wanted: element of the reply's array, copied
 * into buf, as much as fits in size (into.c). */
struct sl_redis_into {
	unsigned char *buf;
	size_t size;
	int element;
};

/*
 * A command that may be sent twice, as sl_redis_command(), whose reply is
 * an array whose element into->element, a string, is copied into
 * into->buf as it is read: that element's str is then NULL, its len the
 * value's. A reply that came otherwise (a redirection, a hiredis of
 * another version) has its string as usual.
 */
redisReply *sl_redis_command_into(struct sl_redis_conn *conn, int argc, const char **argv,
				  const struct sl_redis_into *into);

/* One command: its arguments, each with its length (lens NULL: strlen). */
struct sl_redis_cmd {
	int argc;
	const char **argv;
	const size_t *lens;
};

/*
 * Run a script as sl_redis_script() does, never sent twice, inside one
 * MULTI/EXEC after the command `before` and before `after`, all written
 * at once: one round trip, and no other client sees what before leaves
 * for the script and after takes away. A redirection of any of them
 * sends the whole transaction where it says. The script's reply, or NULL
 * with errno (an error reply of before or after too).
 */
redisReply *sl_redis_script_between(struct sl_redis_conn *conn, enum sl_redis_script script,
				    const char *const keys[SL_REDIS_N_KEYS], int argc,
				    const char **argv, const size_t *lens,
				    const struct sl_redis_cmd *before,
				    const struct sl_redis_cmd *after);

/*
 * A thread that renews a handle's lease while it holds a lock (renew.c).
 * sl_redis_renewer_hold() starts it, or changes the kind of lock it
 * renews (LOCK_SH or LOCK_EX), under the owner connection's token;
 * sl_redis_renewer_stop() stops it and waits for it, and in a child only
 * lets go of what it inherited. Zeroed is stopped.
 */
struct sl_redis_renewer {
	int started;
	unsigned int process;	/* sl_process_token() of the starter */
	pthread_t thread;
	int stop[2];		/* closing stop[1] tells the thread to end */
	int kind;		/* read atomically by the thread */
	int lease_ms, interval_ms;
	const char *const *keys;
	struct sl_redis_conn conn;	/* the thread's own */
};

int sl_redis_renewer_hold(struct sl_redis_renewer *r, const struct sl_redis_conn *owner,
			  const char *const keys[SL_REDIS_N_KEYS], int lease_ms, int kind);
void sl_redis_renewer_stop(struct sl_redis_renewer *r);

/* Make sure the connection is made (and is this process's): 0 or -1. */
int sl_redis_connect(struct sl_redis_conn *conn);
void sl_redis_disconnect(struct sl_redis_conn *conn);

/* A new connection of its own to the server, subscribed to channel (its
 * SUBSCRIBE answered): for a waiter. NULL with errno. */
redisContext *sl_redis_subscriber(const struct sl_redis_address *address, const char *channel);

/*
 * The subscriber a handle keeps to its share's ":changed" channel for
 * share_wait_change(), from the first wait to the handle's close
 * (waiter.c). Zeroed: none yet.
 */
struct sl_redis_waiter {
	redisContext *ctx;	/* NULL: none, or dropped after it failed */
	unsigned int process;	/* sl_process_token() of ctx's maker */
};

/*
 * Subscribed to channel with nothing left unread from before: the kept
 * subscriber once what came since the last wait is taken, or a new one
 * (*made 1) for one that broke or is a parent's. 0, or -1 with errno.
 */
int sl_redis_waiter_ready(struct sl_redis_waiter *w, const struct sl_redis_address *address,
			  const char *channel, int *made);
/*
 * Wait for a message, no later than deadline (NULL: none): 1 heard, 0
 * once the deadline has passed, or -1 with errno: EINTR (kept), or the
 * subscriber failed (dropped: w->ctx NULL).
 */
int sl_redis_waiter_listen(struct sl_redis_waiter *w, const struct timespec *deadline);
void sl_redis_waiter_close(struct sl_redis_waiter *w);

/* Milliseconds to deadline, rounded up, for poll(): 0 once passed, -1
 * for none (NULL). */
int sl_redis_ms_left(const struct timespec *deadline);

/* The errno of a context's failure (see sl_redis_command()). */
int sl_redis_errno(const redisContext *ctx, int saved_errno);

#endif /* SHARELITE_REDIS_H */
