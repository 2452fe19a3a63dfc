/*
 * group.h - one redis-server (server.h) for every test of a cmocka
 * program: started before the first test, stopped after the last and at
 * exit, even when a test fails, by the process that started it and never
 * by a child.
 */
#ifndef SHARELITE_TEST_REDIS_GROUP_H
#define SHARELITE_TEST_REDIS_GROUP_H

#include "harness.h"
#include "server.h"

/* Run tests against *server on a free port: cmocka's result, or 77
 * where redis-server is not installed. */
int test_redis_run_group(const char *name, const struct CMUnitTest *tests, size_t count,
			 struct test_redis *server);
#define test_redis_run(tests, server) \
	test_redis_run_group(#tests, tests, sizeof(tests) / sizeof((tests)[0]), server)

#endif
