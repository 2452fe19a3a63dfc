/*
 * test_redis_redirect.c - how a Redis Cluster node's redirection replies
 * are read (src/redis/cluster.c), no server needed: the forms a node
 * sends, and malformed ones, which must read as an ordinary error rather
 * than send the client anywhere.
 */
#include "harness.h"
#include "redis/redis.h"

static void test_moved_and_ask(void **state)
{
	(void)state;
	struct sl_redis_node to;

	assert_int_equal(sl_redis_redirection("MOVED 3999 127.0.0.1:6381", &to),
			 SL_REDIRECT_MOVED);
	assert_string_equal(to.host, "127.0.0.1");
	assert_int_equal(to.port, 6381);
	assert_int_equal(sl_redis_redirection("ASK 16383 node-2.example:7000", &to),
			 SL_REDIRECT_ASK);
	assert_string_equal(to.host, "node-2.example");
	assert_int_equal(to.port, 7000);
	/* An IPv6 address: the port is after the last colon. */
	assert_int_equal(sl_redis_redirection("MOVED 0 ::1:7001", &to), SL_REDIRECT_MOVED);
	assert_string_equal(to.host, "::1");
	assert_int_equal(to.port, 7001);
	/* No address known to the node: the one that answered. */
	assert_int_equal(sl_redis_redirection("MOVED 12 :7002", &to), SL_REDIRECT_MOVED);
	assert_string_equal(to.host, "");
	assert_int_equal(to.port, 7002);
	assert_int_equal(sl_redis_redirection("MOVED 12 ?:7002", &to), SL_REDIRECT_MOVED);
	assert_string_equal(to.host, "");
	assert_int_equal(sl_redis_redirection("TRYAGAIN Multiple keys request during "
					      "rehashing of slot", &to), SL_REDIRECT_TRYAGAIN);
}

static void test_other_errors(void **state)
{
	(void)state;
	static const char *const errors[] = {
		"ERR unknown command", "WRONGTYPE Operation", "CLUSTERDOWN The cluster is down",
		"MOVED", "MOVED 3999", "MOVED 3999 ", "MOVED 3999 127.0.0.1",
		"MOVED 3999 127.0.0.1:", "MOVED 3999 127.0.0.1:0", "MOVED 3999 127.0.0.1:65536",
		"MOVED 3999 127.0.0.1:63x", "ASK 1 host:-1", "MOVEDX 1 a:1",
	};
	struct sl_redis_node to;
	char long_host[400];
	size_t i;

	for (i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		if (sl_redis_redirection(errors[i], &to) != SL_REDIRECT_NONE)
			print_error("read as a redirection: %s\n", errors[i]);
		assert_int_equal(sl_redis_redirection(errors[i], &to), SL_REDIRECT_NONE);
	}
	/* A host longer than any name: not cut to fit. */
	snprintf(long_host, sizeof(long_host), "MOVED 1 %0300d:7000", 0);
	assert_int_equal(sl_redis_redirection(long_host, &to), SL_REDIRECT_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_moved_and_ask),
		cmocka_unit_test(test_other_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
