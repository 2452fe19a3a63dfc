/*
 * test_redis.c - shares on a Redis server, against a redis-server of the
 * program's own (server.h): the share API's promises over the network
 * (sharelite(7), "Redis"), leases and fencing, waking waiters, and the
 * faults a network adds: a server killed and restarted, one that stops
 * answering, a key that holds something else.
 */
#include "group.h"
#include "cases.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <pthread.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

static struct test_redis server;
static pid_t server_owner;	/* the program's, for names of its own */

/* A share name of this program's own, the n-th (children name the same). */
static const char *name(unsigned n)
{
	static char buf[64];

	snprintf(buf, sizeof(buf), "t%ld-%u", (long)server_owner, n);
	return buf;
}

static const char *url(unsigned n, const char *options)
{
	char path[128];

	snprintf(path, sizeof(path), "%s%s", name(n), options ? options : "");
	return test_redis_url(&server, path);
}

static share_t *open_ok(unsigned n, const char *options, int flags)
{
	share_t *s = share_open(url(n, options), 0, flags);

	if (!s)
		print_error("share_open(%s): %s\n", url(n, options), strerror(errno));
	assert_non_null(s);
	return s;
}

static void raw(const char *want_prefix, int argc, const char *const *argv)
{
	char reply[256];

	assert_int_equal(test_redis_cmd(&server, reply, sizeof(reply), argc, argv), 0);
	if (strncmp(reply, want_prefix, strlen(want_prefix)) != 0)
		print_error("%s: %s\n", argv[0], reply);
	assert_true(strncmp(reply, want_prefix, strlen(want_prefix)) == 0);
}

/*
 * A value longer than format.c's STORE_BY_ARGUMENT_MAX (2 KiB) is stored
 * through the share's ":incoming" key, in a transaction; a shorter one by
 * one script call. The tests store values on both sides of it.
 */
#define STORE_BY_ARGUMENT_MAX 2048
#define BIG_VALUE_LENGTH (64 * 1024 + 3)

/* A value past STORE_BY_ARGUMENT_MAX, the same for every call. */
static const unsigned char *big_value(void)
{
	static unsigned char value[BIG_VALUE_LENGTH];
	static int filled;

	if (!filled)
		test_fill(value, sizeof(value), 7);
	filled = 1;
	return value;
}

/* The name of share n's key with this suffix (":incoming"), in a buffer
 * the next call reuses. */
static const char *key_of(unsigned n, const char *suffix)
{
	static char key[128];

	snprintf(key, sizeof(key), "sharelite:{%s}%s", name(n), suffix);
	return key;
}

/* Whether share n has a staging key left: none must ever be seen. */
static void assert_no_incoming(unsigned n)
{
	const char *exists[] = { "EXISTS", key_of(n, ":incoming") };

	raw(":0", 2, exists);
}

static void test_store_fetch_version(void **state)
{
	(void)state;
	share_t *a = open_ok(1, NULL, IPC_CREAT | IPC_EXCL);
	share_t *b = open_ok(1, NULL, 0);
	const unsigned char binary[] = { 'x', 0, 'y', 0xff, 0 };
	unsigned char small[2];
	void *data;
	size_t length;
	unsigned int v = 0;

	/* A new share is empty at version 1; each store counts. */
	assert_int_equal(share_version(a), 1);
	test_assert_value(a, "");
	assert_int_equal(share_store(a, "hello", 5), 0);
	assert_int_equal(share_version(b), 2);
	test_assert_value(b, "hello");
	assert_int_equal(share_store(b, binary, sizeof(binary)), 0);
	test_assert_fetches(a, binary, sizeof(binary));
	assert_int_equal(share_version(a), 3);
	/* fetch_into copies what fits and says how long the value is. */
	assert_int_equal(share_fetch_into(a, small, sizeof(small)), sizeof(binary));
	assert_memory_equal(small, binary, sizeof(small));
	assert_int_equal(share_fetch_if_changed(a, &v, &data, &length), 1);
	assert_int_equal(v, 3);
	assert_int_equal(length, sizeof(binary));
	free(data);
	assert_int_equal(share_fetch_if_changed(a, &v, &data, &length), 0);
	assert_null(data);
	assert_int_equal(share_num_segments(a), 1);
	assert_int_equal(share_close(b), 0);
	assert_int_equal(share_remove(a), 0);
	assert_int_equal(share_close(a), 0);
}

static void test_open_flags(void **state)
{
	(void)state;
	share_t *a, *b;

	assert_fails(share_open(url(2, NULL), 0, 0), NULL, ENOENT);
	a = open_ok(2, NULL, IPC_CREAT);
	assert_fails(share_open(url(2, NULL), 0, IPC_CREAT | IPC_EXCL), NULL, EEXIST);
	/* Without IPC_CREAT, IPC_EXCL changes nothing. */
	b = share_open(url(2, NULL), 0, IPC_EXCL);
	assert_non_null(b);
	assert_int_equal(share_close(b), 0);
	/* A Redis share has no memory format to pick. */
	assert_fails(share_open(url(2, NULL), 0, IPC_CREAT | SHARE_NATIVE), NULL, EINVAL);
	/* db 1 is another keyspace. */
	assert_fails(share_open(test_redis_url(&server, "1/nothing-here"), 0, 0), NULL, ENOENT);
	share_set_destroy(a, 1);
	assert_int_equal(share_close(a), 0);
	assert_fails(share_open(url(2, NULL), 0, 0), NULL, ENOENT);
}

static void test_databases_are_apart(void **state)
{
	(void)state;
	char path[128];
	share_t *one, *zero;

	snprintf(path, sizeof(path), "1/%s", name(3));
	one = share_open(test_redis_url(&server, path), 0, IPC_CREAT | IPC_EXCL);
	assert_non_null(one);
	assert_int_equal(share_store(one, "db1", 3), 0);
	zero = open_ok(3, NULL, IPC_CREAT | IPC_EXCL);
	test_assert_value(zero, "");
	test_assert_value(one, "db1");
	assert_int_equal(share_remove(one), 0);
	assert_int_equal(share_close(one), 0);
	assert_int_equal(share_remove(zero), 0);
	assert_int_equal(share_close(zero), 0);
}

static void test_lock_rules(void **state)
{
	(void)state;
	share_t *a = open_ok(4, NULL, IPC_CREAT | IPC_EXCL);
	share_t *b = open_ok(4, NULL, 0);
	struct share_info info;

	/* Shared with shared; not exclusive with either. */
	assert_int_equal(share_lock(a, LOCK_SH), 0);
	assert_int_equal(share_lock(b, LOCK_SH | LOCK_NB), 0);
	assert_int_equal(share_stat(a, &info), 0);
	assert_int_equal(info.format, SHARE_FORMAT_REDIS);
	assert_int_equal(info.readers, 2);
	assert_int_equal(info.writer, 0);
	assert_fails(share_lock(b, LOCK_EX | LOCK_NB), -1, EWOULDBLOCK);
	assert_int_equal(share_unlock(a), 0);
	/* The only reader upgrades at once. */
	assert_int_equal(share_lock(b, LOCK_EX | LOCK_NB), 0);
	assert_fails(share_lock(a, LOCK_SH | LOCK_NB), -1, EWOULDBLOCK);
	assert_int_equal(share_stat(a, &info), 0);
	assert_int_equal(info.readers, 0);
	assert_int_equal(info.writer, 1);
	/* A store without the lock waits for it, as long as the timeout. */
	assert_int_equal(share_set_timeout(a, 100), 0);
	assert_fails(share_store(a, "a", 1), -1, ETIMEDOUT);
	assert_fails(share_lock(a, LOCK_EX), -1, ETIMEDOUT);
	/* A fetch takes no lock: the server reads value and version at once. */
	test_assert_value(a, "");
	assert_int_equal(share_store(b, "b", 1), 0);
	/* Downgrade. */
	assert_int_equal(share_lock(b, LOCK_SH), 0);
	assert_int_equal(share_lock(a, LOCK_SH | LOCK_NB), 0);
	assert_int_equal(share_unlock(a), 0);
	assert_int_equal(share_unlock(b), 0);
	assert_int_equal(share_store(a, "a", 1), 0);
	test_assert_value(b, "a");
	assert_int_equal(share_close(b), 0);
	assert_int_equal(share_remove(a), 0);
	assert_int_equal(share_close(a), 0);
}

/* A child blocks on LOCK_EX until the parent gives it back. */
static void test_blocking_lock_across_processes(void **state)
{
	(void)state;
	redis_case_lock_across_processes(url(5, NULL), NULL);
}

/* A holder busy between calls keeps its lock: a thread renews it. */
static void test_idle_holder_keeps_its_lease(void **state)
{
	(void)state;
	share_t *a = open_ok(6, "?lease=500", IPC_CREAT | IPC_EXCL);
	share_t *b = open_ok(6, NULL, 0);

	assert_int_equal(share_lock(a, LOCK_EX), 0);
	sleep_ms(1200);
	assert_fails(share_lock(b, LOCK_SH | LOCK_NB), -1, EWOULDBLOCK);
	assert_int_equal(share_store(a, "a", 1), 0);
	/* Downgraded, the thread renews the shared lease instead. */
	assert_int_equal(share_lock(a, LOCK_SH), 0);
	sleep_ms(1200);
	assert_fails(share_lock(b, LOCK_EX | LOCK_NB), -1, EWOULDBLOCK);
	assert_int_equal(share_unlock(a), 0);
	assert_int_equal(share_lock(b, LOCK_EX | LOCK_NB), 0);
	assert_int_equal(share_unlock(b), 0);
	assert_int_equal(share_close(b), 0);
	assert_int_equal(share_remove(a), 0);
	assert_int_equal(share_close(a), 0);
}

/*
 * A holder stopped for longer than its lease (SIGSTOP: cut off, in
 * effect) loses it; another takes the lock, and the first holder's store,
 * once it goes on, is refused inside the server: the fence. The child
 * exits with the errno its store failed with, 0 if it did not fail.
 */
static void test_expired_lease_is_fenced(void **state)
{
	char plain[512];

	(void)state;
	snprintf(plain, sizeof(plain), "%s", url(20, NULL));
	redis_case_expired_lease_is_fenced(plain, url(20, "?lease=500"));
}

/* A holder killed without unlocking: its lease frees the lock. */
static void test_dead_holders_lease_expires(void **state)
{
	(void)state;
	share_t *a = open_ok(7, "?lease=300", IPC_CREAT | IPC_EXCL);
	struct timespec start;
	struct test_chan c;
	pid_t pid;

	pid = test_fork(&c);
	if (pid == 0) {
		child_check(share_lock(a, LOCK_EX) == 0);
		test_send(&c, 'l');
		pause();
		_exit(1);
	}
	assert_int_equal(test_recv(&c), 'l');
	kill(pid, SIGKILL);
	assert_int_equal(test_wait(pid), -1);
	clock_gettime(CLOCK_MONOTONIC, &start);
	assert_int_equal(share_set_timeout(a, 5000), 0);
	assert_int_equal(share_lock(a, LOCK_EX), 0);
	assert_true(ms_since(&start) < 4000);
	assert_int_equal(share_store(a, "after", 5), 0);
	assert_int_equal(share_remove(a), 0);
	assert_int_equal(share_close(a), 0);
}

static void test_wait_change_wakes(void **state)
{
	char plain[512];

	(void)state;
	snprintf(plain, sizeof(plain), "%s", url(8, NULL));
	redis_case_wait_change_wakes(plain, url(8, NULL));
}

/* A number the server works out in Lua from its own answer (INFO,
 * PUBSUB), so that the first line of the reply is all there is to read. */
static long server_number(const char *lua, const char *arg)
{
	const char *const argv[] = { "EVAL", lua, "0", arg };
	char reply[64];

	assert_int_equal(test_redis_cmd(&server, reply, sizeof(reply), 4, argv), 0);
	if (reply[0] != ':')
		print_error("EVAL: %s\n", reply);
	assert_true(reply[0] == ':');
	return strtol(reply + 1, NULL, 10);
}

/* Connections the server has accepted since it started, this ask's own
 * included. */
static long connections_received(void)
{
	return server_number("return tonumber(string.match(redis.call('INFO', 'stats'), "
			     "'total_connections_received:(%d+)'))", "");
}

/* Subscribers of share n's ":changed" channel. */
static long change_subscribers(unsigned n)
{
	char channel[128];

	snprintf(channel, sizeof(channel), "sharelite:{%s}:changed", name(n));
	return server_number("return redis.call('PUBSUB', 'NUMSUB', ARGV[1])[2]", channel);
}

/* Share n's ":changed" channel comes to have count subscribers, within
 * 5 s: a server sees a client that closed its connection a little later. */
static void assert_subscribers_become(unsigned n, long count)
{
	int tries;

	for (tries = 0; tries < 500 && change_subscribers(n) != count; tries++)
		sleep_ms(10);
	assert_int_equal(change_subscribers(n), count);
}

/* A store through a handle of another thread after a pause, while the
 * test's thread waits: on the connection that handle has, no new one. */
struct later_store {
	pthread_t thread;
	share_t *share;
	long after_ms;
	int rc;
};

static void *store_later_run(void *arg)
{
	struct later_store *l = arg;

	sleep_ms(l->after_ms);
	l->rc = share_store(l->share, "later", 5);
	return NULL;
}

static void store_later(struct later_store *l, share_t *share, long after_ms)
{
	l->share = share;
	l->after_ms = after_ms;
	l->rc = -1;
	assert_int_equal(pthread_create(&l->thread, NULL, store_later_run, l), 0);
}

static void store_later_done(struct later_store *l)
{
	assert_int_equal(pthread_join(l->thread, NULL), 0);
	assert_int_equal(l->rc, 0);
}

/* A wait on waiter, from version, ended by a store through storer
 * after_ms later (or before the wait began). */
static void assert_store_wakes(share_t *waiter, unsigned int version, share_t *storer,
			       long after_ms)
{
	struct later_store later;

	store_later(&later, storer, after_ms);
	assert_int_equal(share_wait_change(waiter, version, 10000), 1);
	store_later_done(&later);
}

/*
 * A handle keeps its subscriber from one share_wait_change() to the next:
 * a watcher that waits in short turns makes no connection per turn. What
 * was published while nobody waited is taken, and does not end a wait
 * whose version is still the share's.
 */
static void test_wait_change_keeps_its_subscriber(void **state)
{
	(void)state;
	share_t *a = open_ok(30, NULL, IPC_CREAT | IPC_EXCL);
	share_t *b = open_ok(30, NULL, 0);
	struct timespec start;
	long before;
	int i;

	assert_int_equal(share_version(b), 1);
	assert_int_equal(share_wait_change(a, 1, 0), 0);
	before = connections_received();
	for (i = 0; i < 5; i++)
		assert_int_equal(share_wait_change(a, 1, 20), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(share_store(b, "unheard", 7), 0);
	clock_gettime(CLOCK_MONOTONIC, &start);
	assert_int_equal(share_wait_change(a, 4, 100), 0);
	assert_true(ms_since(&start) >= 100);
	assert_store_wakes(a, 4, b, 50);
	assert_int_equal(share_wait_change(a, 5, 0), 0);
	/* Only the count's own connection since the first. */
	assert_int_equal(connections_received(), before + 1);
	assert_int_equal(change_subscribers(30), 1);
	assert_int_equal(share_close(b), 0);
	assert_int_equal(share_remove(a), 0);
	assert_int_equal(share_close(a), 0);
	/* Closing the handle lets it go. */
	assert_subscribers_become(30, 0);
}

/*
 * The kept subscriber closed by the server (CLIENT KILL, as a server does
 * to a subscriber whose output buffer grew past its limit), between
 * waits or during one, or gone with a server that restarted: the next
 * wait, or the same, subscribes again and is woken by a store.
 */
static void test_wait_change_resubscribes(void **state)
{
	(void)state;
	static const char *const kill_subscribers[] = { "CLIENT", "KILL", "TYPE", "pubsub" };
	share_t *a = open_ok(31, "?timeout=2000", IPC_CREAT | IPC_EXCL);
	share_t *b = open_ok(31, NULL, 0);
	int port = server.port;
	pid_t killer;

	assert_int_equal(share_wait_change(a, 1, 0), 0);
	raw(":1", 4, kill_subscribers);
	assert_store_wakes(a, 1, b, 50);
	assert_subscribers_become(31, 1);
	/* Closed while a wait listens. */
	killer = test_fork(NULL);
	if (killer == 0) {
		char reply[64];

		sleep_ms(100);
		_exit(test_redis_cmd(&server, reply, sizeof(reply), 4, kill_subscribers) == 0 &&
		      strcmp(reply, ":1") == 0 ? 0 : 1);
	}
	assert_store_wakes(a, 2, b, 400);
	assert_int_equal(test_wait(killer), 0);
	assert_subscribers_become(31, 1);
	assert_int_equal(share_close(b), 0);
	/* The server restarted: the share is gone with its memory; made
	 * again, its stores wake the same handle. */
	test_redis_kill(&server);
	assert_int_equal(test_redis_start(&server, port), 0);
	b = open_ok(31, NULL, IPC_CREAT | IPC_EXCL);
	assert_store_wakes(a, 1, b, 50);
	assert_int_equal(share_version(a), 2);
	assert_subscribers_become(31, 1);
	assert_int_equal(share_close(b), 0);
	assert_int_equal(share_remove(a), 0);
	assert_int_equal(share_close(a), 0);
}

/*
 * A child forked after its parent waited does not read the parent's
 * subscriber (each would take the other's messages): it subscribes on a
 * connection of its own, and a store wakes both.
 */
static void test_wait_change_in_a_forked_child(void **state)
{
	(void)state;
	share_t *a = open_ok(32, NULL, IPC_CREAT | IPC_EXCL);
	share_t *b = open_ok(32, NULL, 0);
	struct test_chan c;
	pid_t pid;

	assert_int_equal(share_wait_change(a, 1, 0), 0);
	pid = test_fork(&c);
	if (pid == 0) {
		test_send(&c, 'w');
		child_check(share_wait_change(a, 1, 10000) == 1);
		child_check(share_wait_change(a, 2, 0) == 0);
		_exit(0);
	}
	assert_int_equal(test_recv(&c), 'w');
	assert_subscribers_become(32, 2);
	assert_store_wakes(a, 1, b, 50);
	assert_int_equal(test_wait(pid), 0);
	/* The parent's is still its own and subscribed. */
	assert_store_wakes(a, 2, b, 50);
	assert_subscribers_become(32, 1);
	assert_int_equal(share_close(b), 0);
	assert_int_equal(share_remove(a), 0);
	assert_int_equal(share_close(a), 0);
}

/* Each descriptor of this process that is a socket, as a bit set. */
static void sockets_open(unsigned char *set, int n)
{
	struct stat st;

	memset(set, 0, (size_t)n);
	for (int fd = 0; fd < n; fd++)
		if (fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode))
			set[fd] = 1;
}

/*
 * The connections a handle makes (commands, the kept subscriber, the
 * lease renewer's) and the renewer's pipe are closed on exec: a program
 * the process runs gets none of them.
 */
static void test_connections_close_on_exec(void **state)
{
	(void)state;
	unsigned char before[256], after[256];
	share_t *s;
	int fd, made = 0;

	sockets_open(before, (int)sizeof(before));
	s = open_ok(33, NULL, IPC_CREAT | IPC_EXCL);
	assert_int_equal(share_store(s, "x", 1), 0);
	assert_int_equal(share_wait_change(s, 2, 0), 0);
	assert_int_equal(share_lock(s, LOCK_EX), 0);
	sockets_open(after, (int)sizeof(after));
	for (fd = 0; fd < (int)sizeof(after); fd++) {
		if (!after[fd] || before[fd])
			continue;
		made++;
		if (!(fcntl(fd, F_GETFD) & FD_CLOEXEC))
			fail_msg("socket %d is not close-on-exec", fd);
	}
	assert_true(made >= 2);	/* commands and the subscriber at least */
	assert_int_equal(share_unlock(s), 0);
	assert_int_equal(share_remove(s), 0);
	assert_int_equal(share_close(s), 0);
}

static void test_removed_share(void **state)
{
	(void)state;
	share_t *a = open_ok(9, NULL, IPC_CREAT | IPC_EXCL);
	share_t *b = open_ok(9, NULL, 0);
	void *data;

	assert_int_equal(share_remove(a), 0);
	test_assert_removed(a);
	/* Another handle learns it from the server. */
	assert_fails(share_version(b), 0, EIDRM);
	assert_fails(share_store(b, "x", 1), -1, EIDRM);
	assert_fails(share_fetch(b, &data), -1, EIDRM);
	assert_fails(share_lock(b, LOCK_SH), -1, EIDRM);
	assert_int_equal(share_close(b), 0);
	assert_int_equal(share_close(a), 0);
	assert_fails(share_open(url(9, NULL), 0, 0), NULL, ENOENT);
}

/* A key of the share's names that holds something else: EPROTO. */
static void test_wrong_type(void **state)
{
	(void)state;
	char key[128], value_key[128];
	const char *push[] = { "RPUSH", key, "x" };
	const char *del[] = { "DEL", key };
	const char *set_many[] = { "SET", key, "many" };
	const char *hset[] = { "HSET", key, "version", "3" };
	const char *get[] = { "GET", key };
	static const char *const odd_versions[] = {
		"0x10", "+16", " 16", "16 ", "16.0", "1e1", "016", "0", "-1", "4294967296",
		"99999999999",
	};
	const char *push_value[] = { "RPUSH", value_key, "x" };
	const char *del_value[] = { "DEL", value_key };
	const char *set_value[] = { "SET", value_key, "v" };
	struct share_info info;
	share_t *a;
	void *data;
	char buf[4];

	snprintf(key, sizeof(key), "sharelite:{%s}", name(10));
	snprintf(value_key, sizeof(value_key), "sharelite:{%s}:value", name(10));
	raw(":1", 3, push);
	assert_fails(share_open(url(10, NULL), 0, IPC_CREAT), NULL, EPROTO);
	raw(":1", 2, del);
	a = open_ok(10, NULL, IPC_CREAT | IPC_EXCL);
	raw(":1", 2, del);
	raw(":1", 3, push);
	assert_fails(share_version(a), 0, EPROTO);
	assert_fails(share_fetch(a, &data), -1, EPROTO);
	assert_fails(share_store(a, "x", 1), -1, EPROTO);
	assert_fails(share_lock(a, LOCK_EX), -1, EPROTO);
	raw(":1", 2, del);
	/* A version that is not a number, or one in a hash. */
	raw("+OK", 3, set_many);
	assert_fails(share_version(a), 0, EPROTO);
	assert_fails(share_fetch(a, &data), -1, EPROTO);
	assert_fails(share_store(a, "x", 1), -1, EPROTO);
	raw(":1", 2, del);
	/* Numbers written some other way than a version is: refused by the
	 * client and by the scripts alike, and left as they are. */
	for (size_t i = 0; i < sizeof(odd_versions) / sizeof(odd_versions[0]); i++) {
		const char *set_odd[] = { "SET", key, odd_versions[i] };

		raw("+OK", 3, set_odd);
		assert_fails(share_version(a), 0, EPROTO);
		assert_fails(share_fetch(a, &data), -1, EPROTO);
		assert_fails(share_store(a, "x", 1), -1, EPROTO);
		assert_fails(share_store(a, big_value(), BIG_VALUE_LENGTH), -1, EPROTO);
		assert_fails(share_lock(a, LOCK_EX), -1, EPROTO);
		raw(odd_versions[i], 2, get);
	}
	raw(":1", 2, del);
	raw(":1", 4, hset);
	assert_fails(share_version(a), 0, EPROTO);
	assert_fails(share_fetch(a, &data), -1, EPROTO);
	assert_fails(share_store(a, "x", 1), -1, EPROTO);
	raw(":1", 2, del);
	/* The value's key of another type, or gone beside its version: not
	 * taken for an empty value, nor written over by a store of either
	 * size. */
	assert_int_equal(share_close(a), 0);
	a = open_ok(10, NULL, IPC_CREAT | IPC_EXCL);
	raw(":1", 2, del_value);
	raw(":1", 3, push_value);
	assert_fails(share_fetch(a, &data), -1, EPROTO);
	assert_fails(share_fetch_into(a, buf, sizeof(buf)), -1, EPROTO);
	assert_fails(share_store(a, "x", 1), -1, EPROTO);
	assert_fails(share_store(a, big_value(), BIG_VALUE_LENGTH), -1, EPROTO);
	assert_fails(share_stat(a, &info), -1, EPROTO);
	raw(":1", 2, del_value);
	assert_fails(share_fetch(a, &data), -1, EPROTO);
	/* Put back, the share works again. */
	raw("+OK", 3, set_value);
	test_assert_value(a, "v");
	assert_int_equal(share_remove(a), 0);
	assert_int_equal(share_close(a), 0);
}

/* Values on both sides of STORE_BY_ARGUMENT_MAX, and far past it, come
 * back whole, each store counted once, and leave no staging key. */
static void test_values_around_the_threshold(void **state)
{
	(void)state;
	static const size_t sizes[] = {
		STORE_BY_ARGUMENT_MAX - 1, STORE_BY_ARGUMENT_MAX, STORE_BY_ARGUMENT_MAX + 1,
		2 * STORE_BY_ARGUMENT_MAX, 1024 * 1024 + 1, 0, STORE_BY_ARGUMENT_MAX + 1,
	};
	share_t *a = open_ok(26, NULL, IPC_CREAT | IPC_EXCL);
	share_t *b = open_ok(26, NULL, 0);
	unsigned char *value = malloc(1024 * 1024 + 1), *into = malloc(1024 * 1024 + 1);
	struct share_info info;
	size_t i;

	assert_non_null(value);
	assert_non_null(into);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizes[i];

		test_fill(value, n, (unsigned)i);
		assert_int_equal(share_store(a, value, n), 0);
		assert_int_equal(share_version(b), i + 2);
		test_assert_fetches(b, value, n);
		memset(into, 0, n);
		assert_int_equal(share_fetch_into(b, into, n), (ssize_t)n);
		assert_memory_equal(into, value, n);
		assert_int_equal(share_fetch_into(b, NULL, 0), (ssize_t)n);
		if (n > 0) {
			memset(into, 0, n);
			assert_int_equal(share_fetch_into(b, into, n - 1), (ssize_t)n);
			assert_memory_equal(into, value, n - 1);
		}
		assert_int_equal(share_stat(b, &info), 0);
		assert_int_equal(info.length, n);
		assert_no_incoming(26);
	}
	free(value);
	free(into);
	assert_int_equal(share_close(b), 0);
	assert_int_equal(share_remove(a), 0);
	assert_int_equal(share_close(a), 0);
}

/* A large store under a lease that lapsed is refused with ENOLCK, and
 * leaves the value it would have replaced and no staging key. */
static void test_large_store_fenced(void **state)
{
	(void)state;
	share_t *a = open_ok(27, NULL, IPC_CREAT | IPC_EXCL);
	const char *lapse[] = { "DEL", key_of(27, ":writer") };
	unsigned char other[BIG_VALUE_LENGTH];

	assert_int_equal(share_store(a, big_value(), BIG_VALUE_LENGTH), 0);
	assert_int_equal(share_lock(a, LOCK_EX), 0);
	/* The lease gone as if it had expired: renewal does not bring it back. */
	raw(":1", 2, lapse);
	test_fill(other, sizeof(other), 8);
	assert_fails(share_store(a, other, sizeof(other)), -1, ENOLCK);
	assert_no_incoming(27);
	assert_int_equal(share_unlock(a), 0);
	test_assert_fetches(a, big_value(), BIG_VALUE_LENGTH);
	assert_int_equal(share_version(a), 2);
	assert_int_equal(share_remove(a), 0);
	assert_int_equal(share_close(a), 0);
}

/* A large store with no lock held while another's lease is live is
 * refused by the server, leaving the old value and no staging key, and
 * is made once the lease is gone. */
static void test_large_store_waits_for_lease(void **state)
{
	(void)state;
	share_t *a = open_ok(28, NULL, IPC_CREAT | IPC_EXCL);
	char writer[128];
	const char *hold[] = { "SET", writer, "another-holder", "PX", "10000" };
	const char *release[] = { "DEL", writer };
	struct test_chan c;
	pid_t pid;

	snprintf(writer, sizeof(writer), "%s", key_of(28, ":writer"));
	assert_int_equal(share_store(a, "old", 3), 0);
	raw("+OK", 5, hold);
	pid = test_fork(&c);
	if (pid == 0) {
		share_t *own = share_open(url(28, NULL), 0, 0);

		child_check(own != NULL);
		test_send(&c, 's');
		child_check(share_store(own, big_value(), BIG_VALUE_LENGTH) == 0);
		child_check(share_close(own) == 0);
		_exit(0);
	}
	assert_int_equal(test_recv(&c), 's');
	sleep_ms(300);
	test_assert_value(a, "old");
	assert_int_equal(share_version(a), 2);
	assert_no_incoming(28);
	raw(":1", 2, release);
	assert_int_equal(test_wait(pid), 0);
	test_assert_fetches(a, big_value(), BIG_VALUE_LENGTH);
	assert_int_equal(share_version(a), 3);
	assert_no_incoming(28);
	assert_int_equal(share_remove(a), 0);
	assert_int_equal(share_close(a), 0);
}

/* A client that dies between its SET of the staging key and EXEC leaves
 * nothing: the server drops what it had queued. */
static void test_store_abandoned_before_exec(void **state)
{
	(void)state;
	share_t *a = open_ok(29, NULL, IPC_CREAT | IPC_EXCL);
	char incoming[128];
	const char *set[] = { "SET", incoming, "half-made" };

	snprintf(incoming, sizeof(incoming), "%s", key_of(29, ":incoming"));
	assert_int_equal(share_store(a, "old", 3), 0);
	assert_int_equal(test_redis_abandon_multi(&server, 3, set), 0);
	assert_no_incoming(29);
	test_assert_value(a, "old");
	assert_int_equal(share_version(a), 2);
	assert_int_equal(share_remove(a), 0);
	assert_int_equal(share_close(a), 0);
}

/* A server that dropped its scripts: EVAL sends them again. */
static void test_script_flush(void **state)
{
	(void)state;
	static const char *const flush[] = { "SCRIPT", "FLUSH" };
	share_t *a = open_ok(11, NULL, IPC_CREAT | IPC_EXCL);

	assert_int_equal(share_store(a, "one", 3), 0);
	raw("+OK", 2, flush);
	assert_int_equal(share_store(a, "two", 3), 0);
	test_assert_value(a, "two");
	assert_int_equal(share_version(a), 3);
	/* A large store's script fails only at EXEC, after its SET: sent
	 * again with the text, it is made once, and nothing is left. */
	raw("+OK", 2, flush);
	assert_int_equal(share_store(a, big_value(), BIG_VALUE_LENGTH), 0);
	test_assert_fetches(a, big_value(), BIG_VALUE_LENGTH);
	assert_int_equal(share_version(a), 4);
	assert_no_incoming(11);
	assert_int_equal(share_remove(a), 0);
	assert_int_equal(share_close(a), 0);
}

/*
 * The server killed and started again on its port: calls fail at once
 * while it is down, and a handle reconnects by itself once it is back,
 * to find its share gone with the server's memory.
 */
static void test_server_restart(void **state)
{
	(void)state;
	share_t *a = open_ok(12, "?timeout=2000", IPC_CREAT | IPC_EXCL);
	share_t *idle = open_ok(12, "?timeout=2000", 0);
	struct timespec start;
	int port = server.port;

	assert_int_equal(share_store(a, "before", 6), 0);
	assert_int_equal(share_version(idle), 2);
	test_redis_kill(&server);
	clock_gettime(CLOCK_MONOTONIC, &start);
	assert_fails(share_version(a), 0, ECONNREFUSED);
	assert_fails(share_store(a, "x", 1), -1, ECONNREFUSED);
	assert_fails(share_open(url(12, NULL), 0, IPC_CREAT), NULL, ECONNREFUSED);
	assert_true(ms_since(&start) < 2000);
	assert_int_equal(test_redis_start(&server, port), 0);
	/* idle's connection broke unseen: it reconnects once, transparently. */
	assert_fails(share_version(idle), 0, EIDRM);
	assert_fails(share_version(a), 0, EIDRM);
	assert_int_equal(share_close(idle), 0);
	assert_int_equal(share_close(a), 0);
	a = open_ok(12, NULL, IPC_CREAT | IPC_EXCL);
	assert_int_equal(share_store(a, "after", 5), 0);
	test_assert_value(a, "after");
	assert_int_equal(share_remove(a), 0);
	assert_int_equal(share_close(a), 0);
}

/* A server that stops answering (SIGSTOP): ETIMEDOUT, not a hang. */
static void test_server_stops_answering(void **state)
{
	(void)state;
	share_t *a = open_ok(13, "?timeout=300", IPC_CREAT | IPC_EXCL);
	struct timespec start;

	assert_int_equal(kill(server.pid, SIGSTOP), 0);
	clock_gettime(CLOCK_MONOTONIC, &start);
	errno = 0;
	assert_int_equal(share_version(a), 0);
	kill(server.pid, SIGCONT);
	assert_int_equal(errno, ETIMEDOUT);
	assert_true(ms_since(&start) < 3000);
	assert_int_equal(share_close(a), 0);
	/* Opening is bounded the same way. */
	assert_int_equal(kill(server.pid, SIGSTOP), 0);
	clock_gettime(CLOCK_MONOTONIC, &start);
	errno = 0;
	a = share_open(url(13, "?timeout=300"), 0, 0);
	kill(server.pid, SIGCONT);
	assert_null(a);
	assert_int_equal(errno, ETIMEDOUT);
	assert_true(ms_since(&start) < 3000);
	a = open_ok(13, NULL, 0);
	assert_int_equal(share_remove(a), 0);
	assert_int_equal(share_close(a), 0);
}

static void test_nobody_listening(void **state)
{
	(void)state;
	struct test_redis none = { 0 };
	char path[128];

	/* A port where a server was and is no more. */
	assert_int_equal(test_redis_start(&none, 0), 0);
	snprintf(path, sizeof(path), "redis://127.0.0.1:%d/x", none.port);
	test_redis_stop(&none);
	assert_fails(share_open(path, 0, IPC_CREAT), NULL, ECONNREFUSED);
}

/*
 * A "server" that answers whatever it reads with reply, many times over,
 * enough for every command pipelined in one write (NULL: closes at once),
 * in a child, on a free port of 127.0.0.1; its port.
 */
static int nonsense_server(const char *reply, size_t length)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	socklen_t len = sizeof(addr);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	assert_int_equal(listen(fd, 8), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
	if (test_fork(NULL) == 0) {
		char buf[4096];

		for (;;) {
			int c = accept(fd, NULL, NULL);

			if (c < 0)
				_exit(1);
			while (reply && read(c, buf, sizeof(buf)) > 0)
				for (int k = 0; k < 16; k++)
					if (write(c, reply, length) < 0)
						break;
			close(c);
		}
	}
	close(fd);
	return ntohs(addr.sin_port);
}

/* A server that replies nonsense: a clear error, in bounded time, and
 * nothing leaked (valgrind) or crashed. */
static void test_nonsense_replies(void **state)
{
	(void)state;
#define ANSWER(text, err) { text, sizeof(text) - 1, err }
	static const struct {
		const char *reply;
		size_t length;
		int err;
	} answers[] = {
		ANSWER("hello, I am no Redis\r\n", EPROTO),
		ANSWER("+OK\r\n", EPROTO),		/* a status to every command */
		ANSWER(":42\r\n", EPROTO),		/* a number */
		/* A bulk longer than any reply: waited for, then given up. */
		ANSWER("$999999999999\r\n", ETIMEDOUT),
		ANSWER("*3\r\n$1\r\nx\r\n", EPROTO),	/* an array cut short */
		ANSWER("\x00\xff\xfe\x01garbage", EPROTO),
		{ NULL, 0, EIO },			/* hangs up at once */
	};

	for (size_t i = 0; i < sizeof(answers) / sizeof(answers[0]); i++) {
		int port = nonsense_server(answers[i].reply, answers[i].length);
		char path[128];
		struct timespec start;
		share_t *s;

		snprintf(path, sizeof(path), "redis://127.0.0.1:%d/x?timeout=300", port);
		clock_gettime(CLOCK_MONOTONIC, &start);
		errno = 0;
		s = share_open(path, 0, IPC_CREAT);
		if (s)
			print_error("answer %zu: share_open succeeded\n", i);
		assert_null(s);
		if (errno != answers[i].err)
			print_error("answer %zu: %s\n", i, strerror(errno));
		assert_int_equal(errno, answers[i].err);
		assert_true(ms_since(&start) < 3000);
	}
}

/*
 * A child made while the parent holds a lock keeps copies of the parent's
 * descriptors: the parent's unlock must not wait for it to close them
 * (it waited until the child exited, here 30 s later).
 */
static void test_unlock_beside_a_forked_child(void **state)
{
	(void)state;
	share_t *a = open_ok(24, NULL, IPC_CREAT | IPC_EXCL);
	struct timespec start;
	pid_t pid;

	assert_int_equal(share_lock(a, LOCK_EX), 0);
	pid = test_fork(NULL);
	if (pid == 0) {
		sleep(30);
		_exit(0);
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	assert_int_equal(share_unlock(a), 0);
	assert_true(ms_since(&start) < 10000);
	assert_int_equal(waitpid(pid, NULL, WNOHANG), 0);	/* still asleep */
	kill(pid, SIGKILL);
	assert_int_equal(test_wait(pid), -1);
	assert_int_equal(share_remove(a), 0);
	assert_int_equal(share_close(a), 0);
}

/* The version counts past 2^32 - 1 to 1, never 0, as in SysV memory. */
static void test_version_wraps_past_zero(void **state)
{
	(void)state;
	char key[128];
	const char *set[] = { "SET", key, "4294967294" };
	share_t *a = open_ok(14, NULL, IPC_CREAT | IPC_EXCL);

	snprintf(key, sizeof(key), "sharelite:{%s}", name(14));
	raw("+OK", 3, set);
	assert_int_equal(share_store(a, "x", 1), 0);
	assert_int_equal(share_version(a), 4294967295u);
	assert_int_equal(share_store(a, "y", 1), 0);
	assert_int_equal(share_version(a), 1);
	assert_int_equal(share_store(a, "z", 1), 0);
	assert_int_equal(share_version(a), 2);
	assert_int_equal(share_remove(a), 0);
	assert_int_equal(share_close(a), 0);
}

/* user:password@ authenticates; a wrong password or a user refused the
 * commands is EACCES. */
static void test_authentication(void **state)
{
	(void)state;
	static const char *const alice[] = { "ACL", "SETUSER", "alice", "on", ">secret",
					     "~*", "&*", "+@all" };
	static const char *const bob[] = { "ACL", "SETUSER", "bob", "on", ">pw", "-@all" };
	char path[160];
	share_t *a;

	raw("+OK", 8, alice);
	raw("+OK", 6, bob);
	snprintf(path, sizeof(path), "redis://alice:secret@127.0.0.1:%d/%s", server.port, name(15));
	a = share_open(path, 0, IPC_CREAT | IPC_EXCL);
	assert_non_null(a);
	assert_int_equal(share_store(a, "mine", 4), 0);
	snprintf(path, sizeof(path), "redis://alice:wrong@127.0.0.1:%d/%s", server.port, name(15));
	assert_fails(share_open(path, 0, 0), NULL, EACCES);
	snprintf(path, sizeof(path), "redis://bob:pw@127.0.0.1:%d/%s", server.port, name(15));
	assert_fails(share_open(path, 0, 0), NULL, EACCES);
	assert_int_equal(share_remove(a), 0);
	assert_int_equal(share_close(a), 0);
}

/* share_clean_up() removes the shares this process created, on a server
 * too; share_clean_up_all() those it opened as well. */
static void test_clean_up(void **state)
{
	(void)state;
	share_t *mine = open_ok(16, NULL, IPC_CREAT | IPC_EXCL);
	share_t *theirs;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {		/* another process creates the second share */
		share_t *s = share_open(url(17, NULL), 0, IPC_CREAT | IPC_EXCL);

		_exit(s && share_close(s) == 0 ? 0 : 1);
	}
	assert_int_equal(test_wait(pid), 0);
	theirs = open_ok(17, NULL, 0);
	assert_int_equal(share_clean_up(), 0);
	test_assert_removed(mine);
	assert_fails(share_open(url(16, NULL), 0, 0), NULL, ENOENT);
	assert_int_equal(share_version(theirs), 1);
	assert_int_equal(share_clean_up_all(), 0);
	assert_fails(share_open(url(17, NULL), 0, 0), NULL, ENOENT);
	assert_int_equal(share_close(theirs), 0);
	assert_int_equal(share_close(mine), 0);
}

/* Redis keeps strings of up to 512 MiB: a longer store is refused before
 * it is sent (the bytes, mapped but never touched, are not read). */
static void test_value_too_long(void **state)
{
	(void)state;
	size_t too_long = (size_t)512 * 1024 * 1024 + 1;
	void *big = mmap(NULL, too_long, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			 -1, 0);
	share_t *a = open_ok(18, NULL, IPC_CREAT | IPC_EXCL);

	assert_true(big != MAP_FAILED);
	assert_fails(share_store(a, big, too_long), -1, EFBIG);
	assert_int_equal(share_lock(a, LOCK_EX), 0);
	assert_fails(share_store(a, big, too_long), -1, EFBIG);
	munmap(big, too_long);
	assert_int_equal(share_version(a), 1);
	assert_int_equal(share_remove(a), 0);
	assert_int_equal(share_close(a), 0);
}

/* Whether the server has the key (raw EXISTS): 1, 0, or -1. */
static int key_exists(const char *key)
{
	const char *argv[] = { "EXISTS", key };
	char reply[64];

	if (test_redis_cmd(&server, reply, sizeof(reply), 2, argv) < 0)
		return -1;
	return strcmp(reply, ":1") == 0;
}

/*
 * A writer waiting for readers keeps new readers out, so that readers
 * that keep coming cannot starve it; its mark goes when it gets the lock,
 * and when it gives up waiting.
 */
static void test_waiting_writer_goes_first(void **state)
{
	(void)state;
	share_t *reader = open_ok(19, NULL, IPC_CREAT | IPC_EXCL);
	share_t *late = open_ok(19, NULL, 0);
	char waiting[128];
	struct test_chan c;
	int tries;
	pid_t pid;

	snprintf(waiting, sizeof(waiting), "sharelite:{%s}:waiting", name(19));
	assert_int_equal(share_lock(reader, LOCK_SH), 0);
	pid = test_fork(&c);
	if (pid == 0) {
		share_t *writer = share_open(url(19, NULL), 0, 0);

		child_check(writer != NULL);
		child_check(share_lock(writer, LOCK_EX) == 0);
		child_check(share_store(writer, "writer", 6) == 0);
		child_check(share_unlock(writer) == 0);
		child_check(share_close(writer) == 0);
		_exit(0);
	}
	/* The writer is waiting once its mark is there. */
	for (tries = 0; tries < 500 && key_exists(waiting) != 1; tries++)
		sleep_ms(10);
	assert_int_equal(key_exists(waiting), 1);
	assert_fails(share_lock(late, LOCK_SH | LOCK_NB), -1, EWOULDBLOCK);
	/* The reader already in renews and goes on. */
	test_assert_value(reader, "");
	assert_int_equal(share_unlock(reader), 0);
	assert_int_equal(test_wait(pid), 0);
	assert_int_equal(key_exists(waiting), 0);
	test_assert_value(late, "writer");
	assert_int_equal(share_lock(late, LOCK_SH | LOCK_NB), 0);
	/* A writer that gives up waiting takes its mark with it. */
	assert_int_equal(share_set_timeout(reader, 100), 0);
	assert_fails(share_lock(reader, LOCK_EX), -1, ETIMEDOUT);
	assert_int_equal(key_exists(waiting), 0);
	assert_int_equal(share_lock(reader, LOCK_SH | LOCK_NB), 0);
	assert_int_equal(share_unlock(reader), 0);
	assert_int_equal(share_unlock(late), 0);
	assert_int_equal(share_close(late), 0);
	assert_int_equal(share_remove(reader), 0);
	assert_int_equal(share_close(reader), 0);
}

/*
 * Two handles of one thread on one share, by two names (other options):
 * removing through one while the other holds the lock would wait for the
 * thread itself, and fails with EDEADLK instead. The same name in another
 * database is another share.
 */
static void test_remove_under_own_lock(void **state)
{
	(void)state;
	share_t *holder = open_ok(21, "?lease=5000", IPC_CREAT | IPC_EXCL);
	share_t *other = open_ok(21, "?timeout=4000", 0);
	char path[128];
	share_t *elsewhere;

	snprintf(path, sizeof(path), "2/%s", name(21));
	elsewhere = share_open(test_redis_url(&server, path), 0, IPC_CREAT | IPC_EXCL);
	assert_non_null(elsewhere);
	assert_int_equal(share_lock(holder, LOCK_EX), 0);
	/* Bounded, so that a wait for itself would fail, not hang. */
	assert_int_equal(share_set_timeout(other, 1000), 0);
	assert_fails(share_remove(other), -1, EDEADLK);
	assert_int_equal(share_remove(elsewhere), 0);
	assert_int_equal(share_close(elsewhere), 0);
	assert_int_equal(share_unlock(holder), 0);
	assert_int_equal(share_remove(other), 0);
	test_assert_removed(other);
	assert_fails(share_version(holder), 0, EIDRM);
	assert_int_equal(share_close(other), 0);
	assert_int_equal(share_close(holder), 0);
}

/*
 * A store of a few MiB to a server that died writes to a closed socket,
 * which raises SIGPIPE; a program that never asked for a network must not
 * die of it, even with the signal's default action. The child says how
 * its store failed.
 */
static void test_no_sigpipe(void **state)
{
	(void)state;
	size_t length = (size_t)4 << 20;
	int port = server.port, status;
	struct test_chan c;
	pid_t pid;

	pid = test_fork(&c);
	if (pid == 0) {
		unsigned char *big = calloc(1, length);
		share_t *s = share_open(url(22, NULL), 0, IPC_CREAT | IPC_EXCL);

		signal(SIGPIPE, SIG_DFL);
		child_check(big != NULL && s != NULL);
		test_send(&c, 'o');
		child_check(test_recv(&c) == 'g');
		child_check(share_store(s, big, length) == -1);
		child_check(errno == EIO || errno == ECONNREFUSED);
		free(big);
		_exit(0);
	}
	assert_int_equal(test_recv(&c), 'o');
	test_redis_kill(&server);
	assert_int_equal(test_send(&c, 'g'), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status))
		fail_msg("the child died of signal %d", WTERMSIG(status));
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(test_redis_start(&server, port), 0);
}

/*
 * Whatever lets a lock waiter in is published for it (a release, a
 * downgrade), and a waiter listens while it waits, rather than only
 * trying again every 50 ms.
 */
static void test_release_wakes_lock_waiters(void **state)
{
	(void)state;
	share_t *a = open_ok(23, NULL, IPC_CREAT | IPC_EXCL);
	char channel[128];
	const char *publish[] = { "PUBLISH", channel, "0" };
	char reply[64];
	struct test_chan c;
	int fd, tries;
	pid_t pid;

	snprintf(channel, sizeof(channel), "sharelite:{%s}:unlocked", name(23));
	fd = test_redis_subscribe(&server, channel);
	assert_true(fd >= 0);
	assert_int_equal(share_lock(a, LOCK_EX), 0);
	assert_int_equal(test_redis_heard(fd, 0), 0);
	assert_int_equal(share_lock(a, LOCK_SH), 0);
	assert_int_equal(test_redis_heard(fd, 2000), 1);
	assert_int_equal(share_unlock(a), 0);
	assert_int_equal(test_redis_heard(fd, 2000), 1);
	/* Taking a lock, or a fetch, publishes nothing. */
	assert_int_equal(share_lock(a, LOCK_EX), 0);
	test_assert_value(a, "");
	assert_int_equal(test_redis_heard(fd, 100), 0);
	/* A child waiting for LOCK_EX is the second listener. */
	pid = test_fork(&c);
	if (pid == 0) {
		share_t *own = share_open(url(23, NULL), 0, 0);

		child_check(own != NULL);
		child_check(share_lock(own, LOCK_EX) == 0);
		child_check(share_close(own) == 0);
		_exit(0);
	}
	for (tries = 0; tries < 500; tries++) {
		assert_int_equal(test_redis_cmd(&server, reply, sizeof(reply), 3, publish), 0);
		if (strcmp(reply, ":2") == 0)
			break;
		sleep_ms(10);
	}
	assert_string_equal(reply, ":2");
	assert_int_equal(share_unlock(a), 0);
	assert_int_equal(test_wait(pid), 0);
	close(fd);
	assert_int_equal(share_remove(a), 0);
	assert_int_equal(share_close(a), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		test_case(test_store_fetch_version),
		test_case(test_open_flags),
		test_case(test_databases_are_apart),
		test_case(test_lock_rules),
		test_case(test_blocking_lock_across_processes),
		test_case(test_idle_holder_keeps_its_lease),
		test_case(test_expired_lease_is_fenced),
		test_case(test_dead_holders_lease_expires),
		test_case(test_wait_change_wakes),
		test_case(test_wait_change_keeps_its_subscriber),
		test_case(test_wait_change_resubscribes),
		test_case(test_wait_change_in_a_forked_child),
		test_case(test_connections_close_on_exec),
		test_case(test_removed_share),
		test_case(test_wrong_type),
		test_case(test_values_around_the_threshold),
		test_case(test_large_store_fenced),
		test_case(test_large_store_waits_for_lease),
		test_case(test_store_abandoned_before_exec),
		test_case(test_script_flush),
		test_case(test_server_restart),
		test_case(test_server_stops_answering),
		test_case(test_nobody_listening),
		test_case(test_nonsense_replies),
		test_case(test_unlock_beside_a_forked_child),
		test_case(test_version_wraps_past_zero),
		test_case(test_authentication),
		test_case(test_clean_up),
		test_case(test_value_too_long),
		test_case(test_waiting_writer_goes_first),
		test_case(test_remove_under_own_lock),
		test_case(test_no_sigpipe),
		test_case(test_release_wakes_lock_waiters),
	};

	server_owner = getpid();
	return test_redis_run(tests, &server);
}
