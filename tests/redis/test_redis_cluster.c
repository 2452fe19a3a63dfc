/*
 * test_redis_cluster.c - shares on a Redis Cluster of the program's own,
 * three masters (server.h): a name may give any node, the client follows
 * -MOVED and -ASK to the node that has the share's slot, and the share
 * keeps its promises (sharelite(7), "Redis") there and while its slot
 * moves to another node.
 */
#include "harness.h"
#include "server.h"
#include "cases.h"

#include <sys/file.h>
#include <time.h>

static struct test_redis node[TEST_CLUSTER_NODES];
static pid_t cluster_owner;

/* At exit too, but only in the process that started it, not a child. */
static void stop_cluster(void)
{
	if (getpid() == cluster_owner)
		test_redis_cluster_stop(node);
}

/* A share name of this program's own, the n-th (children name the same). */
static const char *name(unsigned n)
{
	static char buf[64];

	snprintf(buf, sizeof(buf), "c%ld-%u", (long)cluster_owner, n);
	return buf;
}

/* The name of share n on node i, with options ("?lease=500") or none. */
static const char *url_on(int i, unsigned n, const char *options)
{
	char path[128];

	snprintf(path, sizeof(path), "%s%s", name(n), options ? options : "");
	return test_redis_url(&node[i], path);
}

static share_t *open_on(int i, unsigned n, const char *options, int flags)
{
	share_t *s = share_open(url_on(i, n, options), 0, flags);

	if (!s)
		print_error("share_open(%s): %s\n", url_on(i, n, options), strerror(errno));
	assert_non_null(s);
	return s;
}

/* A command on node i, the first line of its reply. */
static const char *raw_on(int i, int argc, const char *const *argv)
{
	static char reply[256];

	assert_int_equal(test_redis_cmd(&node[i], reply, sizeof(reply), argc, argv), 0);
	return reply;
}

static void raw_ok(int i, int argc, const char *const *argv)
{
	const char *reply = raw_on(i, argc, argv);

	if (reply[0] != '+')
		print_error("%s %s: %s\n", argv[0], argc > 1 ? argv[1] : "", reply);
	assert_true(reply[0] == '+');
}

/* "sharelite:{NAME}": the key of share n's version, there while it is. */
static const char *version_key(unsigned n)
{
	static char key[96];

	snprintf(key, sizeof(key), "sharelite:{%s}", name(n));
	return key;
}

/* "sharelite:{NAME}:value": the key of share n's value. */
static const char *value_key(unsigned n)
{
	static char key[96];

	snprintf(key, sizeof(key), "sharelite:{%s}:value", name(n));
	return key;
}

/* "sharelite:{NAME}:incoming": where a large store's value waits inside
 * its transaction, never seen outside it. */
static const char *incoming_key(unsigned n)
{
	static char key[96];

	snprintf(key, sizeof(key), "sharelite:{%s}:incoming", name(n));
	return key;
}

/* The node that has share n's slot: the one that does not redirect. */
static int owner_of(unsigned n)
{
	const char *argv[2] = { "EXISTS", version_key(n) };
	int i, owner = -1;

	for (i = 0; i < TEST_CLUSTER_NODES; i++)
		if (raw_on(i, 2, argv)[0] == ':') {
			assert_int_equal(owner, -1);
			owner = i;
		}
	assert_true(owner >= 0);
	return owner;
}

static const char *slot_of(unsigned n)
{
	static char slot[16];
	const char *argv[3] = { "CLUSTER", "KEYSLOT", version_key(n) };
	const char *reply = raw_on(0, 3, argv);

	assert_true(reply[0] == ':');
	snprintf(slot, sizeof(slot), "%ld", strtol(reply + 1, NULL, 10));
	return slot;
}

static const char *id_of(int i)
{
	static char id[TEST_CLUSTER_NODES][64];
	const char *argv[2] = { "CLUSTER", "MYID" };

	snprintf(id[i], sizeof(id[i]), "%.63s", raw_on(i, 2, argv));
	assert_int_equal(strlen(id[i]), 40);
	return id[i];
}

/* The first half of moving share n's slot from node `from` to node `to`:
 * both told, the keys still on `from`. */
static void begin_move(unsigned n, int from, int to)
{
	const char *importing[5] = { "CLUSTER", "SETSLOT", slot_of(n), "IMPORTING", id_of(from) };
	const char *migrating[5] = { "CLUSTER", "SETSLOT", slot_of(n), "MIGRATING", id_of(to) };

	raw_ok(to, 5, importing);
	raw_ok(from, 5, migrating);
}

/* Then the keys moved, the slot still open on both sides. */
static void move_keys(unsigned n, int from, int to)
{
	static const char *const suffix[6] = {
		"", ":writer", ":readers", ":waiting", ":value", ":incoming"
	};
	char keys[6][128], port[16];
	const char *migrate[13] = { "MIGRATE", "127.0.0.1", port, "", "0", "5000", "KEYS" };
	const char *reply;
	int i;

	snprintf(port, sizeof(port), "%d", node[to].port);
	for (i = 0; i < 6; i++) {
		snprintf(keys[i], sizeof(keys[i]), "%.100s%s", version_key(n), suffix[i]);
		migrate[7 + i] = keys[i];
	}
	reply = raw_on(from, 13, migrate);
	assert_true(strcmp(reply, "+OK") == 0 || strcmp(reply, "+NOKEY") == 0);
}

/* And every node told the new owner. */
static void end_move(unsigned n, int from, int to)
{
	const char *setslot[5] = { "CLUSTER", "SETSLOT", slot_of(n), "NODE", id_of(to) };
	int i;

	/* The new owner first, as redis-cli --cluster reshard does. */
	raw_ok(to, 5, setslot);
	raw_ok(from, 5, setslot);
	for (i = 0; i < TEST_CLUSTER_NODES; i++)
		if (i != from && i != to)
			raw_ok(i, 5, setslot);
}

/* A name that gives a node other than the owner: the client must follow
 * -MOVED there, and the keys are the owner's alone. */
static void test_store_fetch_through_other_node(void **state)
{
	(void)state;
	int owner = owner_of(1), other = (owner + 1) % TEST_CLUSTER_NODES;
	share_t *a = open_on(other, 1, NULL, IPC_CREAT | IPC_EXCL);
	share_t *b = open_on((owner + 2) % TEST_CLUSTER_NODES, 1, NULL, 0);
	const char *get[2] = { "GET", value_key(1) };
	const char *exists[2] = { "EXISTS", version_key(1) };
	unsigned int v = 0;
	void *data;
	size_t length;

	assert_int_equal(share_version(a), 1);
	test_assert_value(a, "");
	assert_int_equal(share_store(a, "hello", 5), 0);
	assert_int_equal(share_version(b), 2);
	test_assert_value(b, "hello");
	assert_string_equal(raw_on(owner, 2, get), "hello");
	assert_string_equal(raw_on(owner, 2, exists), ":1");
	assert_int_equal(strncmp(raw_on(other, 2, exists), "-MOVED ", 7), 0);
	assert_int_equal(share_fetch_if_changed(b, &v, &data, &length), 1);
	assert_int_equal(v, 2);
	assert_int_equal(length, 5);
	free(data);
	assert_fails(share_open(url_on(other, 1, NULL), 0, IPC_CREAT | IPC_EXCL), NULL, EEXIST);
	assert_int_equal(share_remove(b), 0);
	assert_fails(share_version(a), 0, EIDRM);
	assert_int_equal(share_close(a), 0);
	assert_int_equal(share_close(b), 0);
	assert_fails(share_open(url_on(other, 1, NULL), 0, 0), NULL, ENOENT);
	assert_string_equal(raw_on(owner, 2, exists), ":0");
}

static void test_lock_across_processes(void **state)
{
	char first[512];
	int owner = owner_of(2);

	(void)state;
	snprintf(first, sizeof(first), "%s", url_on((owner + 1) % TEST_CLUSTER_NODES, 2, NULL));
	redis_case_lock_across_processes(first, url_on((owner + 2) % TEST_CLUSTER_NODES, 2, NULL));
}

/* The holder's name gives a node other than the owner, its rival's the owner. */
static void test_expired_lease_is_fenced(void **state)
{
	char first[512];
	int owner = owner_of(3);

	(void)state;
	snprintf(first, sizeof(first), "%s", url_on(owner, 3, NULL));
	redis_case_expired_lease_is_fenced(first, url_on((owner + 1) % TEST_CLUSTER_NODES, 3,
							 "?lease=500"));
}

/* The waiter subscribes on the node its name gives, not the owner: a
 * cluster's PUBLISH reaches every node's subscribers. */
static void test_wait_change_through_other_node(void **state)
{
	char first[512];
	int owner = owner_of(4);

	(void)state;
	snprintf(first, sizeof(first), "%s", url_on((owner + 1) % TEST_CLUSTER_NODES, 4, NULL));
	redis_case_wait_change_wakes(first, url_on((owner + 2) % TEST_CLUSTER_NODES, 4, NULL));
}

/* A child that opens the share by url, then stores the value when told
 * 'g' and exits 0: its pid, once it has the share open. */
static pid_t fork_storer(struct test_chan *c, const char *url, const void *value, size_t length)
{
	pid_t pid = test_fork(c);

	if (pid == 0) {
		share_t *own = share_open(url, 0, 0);

		child_check(own != NULL);
		test_send(c, 'o');
		child_check(test_recv(c) == 'g');
		child_check(share_store(own, value, length) == 0);
		child_check(share_close(own) == 0);
		_exit(0);
	}
	assert_int_equal(test_recv(c), 'o');
	return pid;
}

/*
 * The share's slot moves to another node while it is in use: a store
 * sent mid-move waits for it to end and is made once, and a lock held
 * across the move stays its holder's (its renewal follows the slot).
 */
static void test_slot_moves(void **state)
{
	(void)state;
	int from = owner_of(5), to = (from + 1) % TEST_CLUSTER_NODES;
	share_t *a = open_on(from, 5, "?lease=600", IPC_CREAT | IPC_EXCL);
	const char *exists[2] = { "EXISTS", version_key(5) };
	const char *get[2] = { "GET", value_key(5) };
	struct share_info info;
	char buf[16];
	struct test_chan c;
	pid_t pid;

	assert_int_equal(share_store(a, "before", 6), 0);
	pid = fork_storer(&c, url_on(from, 5, NULL), "during", 6);
	begin_move(5, from, to);
	/* A single-key read is served by the node whose keys they still are. */
	assert_int_equal(share_version(a), 2);
	assert_int_equal(test_send(&c, 'g'), 0);
	sleep_ms(200);
	/* The store waits for the move: it has not been made on either side. */
	assert_string_equal(raw_on(from, 2, get), "before");
	/* The keys gone, a single-key read is asked of their new node. */
	move_keys(5, from, to);
	assert_int_equal(strncmp(raw_on(from, 2, exists), "-ASK ", 5), 0);
	assert_int_equal(share_version(a), 2);
	/* So is a fetch, into a buffer from a reply read the usual way. */
	memset(buf, 0, sizeof(buf));
	assert_int_equal(share_fetch_into(a, buf, sizeof(buf)), 6);
	assert_memory_equal(buf, "before", 6);
	end_move(5, from, to);
	assert_int_equal(test_wait(pid), 0);
	assert_string_equal(raw_on(to, 2, exists), ":1");
	test_assert_value(a, "during");
	assert_int_equal(share_version(a), 3);

	/* Moved back under a lock held for longer than its lease. */
	assert_int_equal(share_lock(a, LOCK_EX), 0);
	begin_move(5, to, from);
	move_keys(5, to, from);
	end_move(5, to, from);
	sleep_ms(1000);
	assert_int_equal(share_stat(a, &info), 0);
	assert_int_equal(info.writer, 1);
	assert_int_equal(share_store(a, "after", 5), 0);
	assert_int_equal(share_unlock(a), 0);
	assert_string_equal(raw_on(from, 2, exists), ":1");
	test_assert_value(a, "after");
	assert_int_equal(share_remove(a), 0);
	assert_int_equal(share_close(a), 0);
}

/*
 * A store of a value too long for one script call, sent mid-move: its
 * transaction is sent where each refusal says until the move ends, made
 * once, and seen by no one half-made.
 */
static void test_large_store_while_slot_moves(void **state)
{
	(void)state;
	int from = owner_of(9), to = (from + 1) % TEST_CLUSTER_NODES;
	share_t *a = open_on(from, 9, NULL, IPC_CREAT | IPC_EXCL);
	const char *get[2] = { "GET", value_key(9) };
	const char *incoming[2] = { "EXISTS", incoming_key(9) };
	static unsigned char big[64 * 1024 + 3];
	struct test_chan c;
	pid_t pid;

	test_fill(big, sizeof(big), 9);
	assert_int_equal(share_store(a, "before", 6), 0);
	pid = fork_storer(&c, url_on(to, 9, NULL), big, sizeof(big));
	begin_move(9, from, to);
	assert_int_equal(test_send(&c, 'g'), 0);
	sleep_ms(200);
	assert_string_equal(raw_on(from, 2, get), "before");
	/* Not there: a key of a moving slot that is not there is asked of
	 * the slot's new node. */
	assert_int_equal(strncmp(raw_on(from, 2, incoming), "-ASK ", 5), 0);
	move_keys(9, from, to);
	sleep_ms(100);
	end_move(9, from, to);
	assert_int_equal(test_wait(pid), 0);
	test_assert_fetches(a, big, sizeof(big));
	assert_int_equal(share_version(a), 3);
	assert_string_equal(raw_on(to, 2, incoming), ":0");
	assert_int_equal(share_remove(a), 0);
	assert_int_equal(share_close(a), 0);
}

/* Two nodes that each say the slot is the other's: EIO after a bounded
 * number of -MOVED, not a loop. */
static void test_redirection_loop(void **state)
{
	(void)state;
	int owner = owner_of(6), other = (owner + 1) % TEST_CLUSTER_NODES;
	const char *give[5] = { "CLUSTER", "SETSLOT", slot_of(6), "NODE", id_of(other) };
	const char *take[5] = { "CLUSTER", "SETSLOT", slot_of(6), "NODE", id_of(owner) };
	const char *exists[2] = { "EXISTS", version_key(6) };

	/* The slot is empty: its owner may give it up with no one taking it. */
	raw_ok(owner, 5, give);
	assert_int_equal(strncmp(raw_on(owner, 2, exists), "-MOVED ", 7), 0);
	assert_int_equal(strncmp(raw_on(other, 2, exists), "-MOVED ", 7), 0);
	assert_fails(share_open(url_on(owner, 6, NULL), 0, IPC_CREAT), NULL, EIO);
	raw_ok(owner, 5, take);
	assert_string_equal(raw_on(owner, 2, exists), ":0");
}

/* A move that does not end: a store waits for the name's timeout, then
 * fails with ETIMEDOUT, having been made nowhere. */
static void test_slot_stuck_moving(void **state)
{
	(void)state;
	int from = owner_of(8), to = (from + 1) % TEST_CLUSTER_NODES;
	share_t *a = open_on(from, 8, "?timeout=300", IPC_CREAT | IPC_EXCL);
	const char *get[2] = { "GET", value_key(8) };
	const char *stable[4] = { "CLUSTER", "SETSLOT", slot_of(8), "STABLE" };
	struct timespec start;

	begin_move(8, from, to);
	clock_gettime(CLOCK_MONOTONIC, &start);
	assert_fails(share_store(a, "x", 1), -1, ETIMEDOUT);
	assert_true(ms_since(&start) >= 300 && ms_since(&start) < 3000);
	assert_string_equal(raw_on(from, 2, get), "");
	/* The move called off, the share works again. */
	raw_ok(from, 4, stable);
	raw_ok(to, 4, stable);
	assert_int_equal(share_store(a, "x", 1), 0);
	test_assert_value(a, "x");
	assert_int_equal(share_remove(a), 0);
	assert_int_equal(share_close(a), 0);
}

/* A cluster has database 0 alone: a name that gives another is refused. */
static void test_database_other_than_0(void **state)
{
	(void)state;
	char path[128];
	share_t *s;

	snprintf(path, sizeof(path), "1/%s", name(7));
	assert_fails(share_open(test_redis_url(&node[0], path), 0, IPC_CREAT), NULL, EIO);
	snprintf(path, sizeof(path), "0/%s", name(7));
	s = share_open(test_redis_url(&node[0], path), 0, IPC_CREAT | IPC_EXCL);
	assert_non_null(s);
	assert_int_equal(share_remove(s), 0);
	assert_int_equal(share_close(s), 0);
}

static int group_setup(void **state)
{
	(void)state;
	return test_redis_cluster_start(node);
}

static int group_teardown(void **state)
{
	(void)state;
	stop_cluster();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		test_case(test_store_fetch_through_other_node),
		test_case(test_lock_across_processes),
		test_case(test_expired_lease_is_fenced),
		test_case(test_wait_change_through_other_node),
		test_case(test_slot_moves),
		test_case(test_large_store_while_slot_moves),
		test_case(test_redirection_loop),
		test_case(test_slot_stuck_moving),
		test_case(test_database_other_than_0),
	};

	if (!test_redis_cluster_installed()) {
		puts("SKIP: redis-server or redis-cli is not installed");
		return 77;
	}
	cluster_owner = getpid();
	atexit(stop_cluster);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
