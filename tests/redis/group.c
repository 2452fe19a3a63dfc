/*
 * group.c - the redis-server of a whole cmocka program (group.h).
 */
#include "group.h"

static struct test_redis *group_server;
static pid_t group_owner;

/* At exit too, but only in the process that started it, not a child. */
static void stop_server(void)
{
	if (group_server && getpid() == group_owner)
		test_redis_stop(group_server);
}

static int group_setup(void **state)
{
	(void)state;
	return test_redis_start(group_server, 0);
}

static int group_teardown(void **state)
{
	(void)state;
	stop_server();
	return 0;
}

int test_redis_run_group(const char *name, const struct CMUnitTest *tests, size_t count,
			 struct test_redis *server)
{
	if (!test_redis_installed()) {
		puts("SKIP: redis-server is not installed");
		return 77;
	}
	group_server = server;
	group_owner = getpid();
	atexit(stop_server);
	return _cmocka_run_group_tests(name, tests, count, group_setup, group_teardown);
}
