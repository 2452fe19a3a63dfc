/*
 * server.h - a redis-server of the test's own: on a free port of
 * 127.0.0.1, in a temporary directory, with no persistence, killed with
 * the test program if that dies first. And a few raw commands, sent
 * without the library, to set up what the library must cope with.
 */
#ifndef SHARELITE_TEST_REDIS_SERVER_H
#define SHARELITE_TEST_REDIS_SERVER_H

#include <stddef.h>
#include <sys/types.h>

struct test_redis {
	pid_t pid;		/* 0: not running */
	int port;
	char dir[64];		/* its working directory, "" once removed */
};

/* Whether redis-server is on PATH. */
int test_redis_installed(void);

/* Start a server on port (0: a free one) and wait until it answers PING.
 * 0, or -1 having left nothing behind. */
int test_redis_start(struct test_redis *r, int port);
/* Kill the server (SIGKILL: no persistence to lose) and reap it. */
void test_redis_kill(struct test_redis *r);
/* test_redis_kill(), and its directory removed. */
void test_redis_stop(struct test_redis *r);

/* "redis://127.0.0.1:PORT/" + path (such as "NAME?lease=200"). */
const char *test_redis_url(const struct test_redis *r, const char *path);

/*
 * One command, its arguments as strings; the first line of the reply
 * ("+OK", ":1", "-WRONGTYPE ...") in reply, or -1.
 */
int test_redis_cmd(const struct test_redis *r, char *reply, size_t size, int argc,
		   const char *const *argv);

/*
 * MULTI and then the command on one connection, closed once the server
 * has queued the command, before any EXEC: a client that died in the
 * middle of a transaction. 0, or -1.
 */
int test_redis_abandon_multi(const struct test_redis *r, int argc, const char *const *argv);

/*
 * A raw subscriber to channel: its socket, once the server has confirmed
 * the subscription, or -1. test_redis_heard() says whether a message came
 * within timeout_ms (1) or not (0), and takes what came.
 */
int test_redis_subscribe(const struct test_redis *r, const char *channel);
int test_redis_heard(int fd, int timeout_ms);

/*
 * A Redis Cluster of three masters, each a server as above with
 * cluster mode on, its slots given by redis-cli --cluster create; started
 * once every node says cluster_state:ok. 0, or -1 having left nothing.
 */
#define TEST_CLUSTER_NODES 3
/* Whether redis-server and redis-cli are installed. */
int test_redis_cluster_installed(void);
int test_redis_cluster_start(struct test_redis node[TEST_CLUSTER_NODES]);
void test_redis_cluster_stop(struct test_redis node[TEST_CLUSTER_NODES]);

#endif
