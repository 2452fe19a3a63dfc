# tests/redis: share_open()'s names, and shares on a Redis server or
# cluster that the test starts itself (server.c); the server tests skip only
# where redis-server (and, for the cluster, redis-cli) is not installed.
check_PROGRAMS += tests/redis/test_redis_names
TESTS += tests/redis/test_redis_names
tests_redis_test_redis_names_CFLAGS = $(test_cflags)
tests_redis_test_redis_names_LDADD = $(test_libs)
tests_redis_test_redis_names_LDFLAGS = $(test_ldflags)

if HAVE_REDIS
check_PROGRAMS += tests/redis/test_redis
TESTS += tests/redis/test_redis
tests_redis_test_redis_SOURCES = tests/redis/test_redis.c \
	tests/redis/server.c tests/redis/server.h tests/redis/group.c tests/redis/group.h \
	tests/redis/cases.c tests/redis/cases.h
tests_redis_test_redis_CFLAGS = $(test_cflags)
tests_redis_test_redis_LDADD = $(test_libs)
tests_redis_test_redis_LDFLAGS = $(test_ldflags)
# And on a Redis Cluster of three servers, made with redis-cli.
check_PROGRAMS += tests/redis/test_redis_cluster
TESTS += tests/redis/test_redis_cluster
tests_redis_test_redis_cluster_SOURCES = tests/redis/test_redis_cluster.c \
	tests/redis/server.c tests/redis/server.h tests/redis/cases.c tests/redis/cases.h
tests_redis_test_redis_cluster_CFLAGS = $(test_cflags)
tests_redis_test_redis_cluster_LDADD = $(test_libs)
tests_redis_test_redis_cluster_LDFLAGS = $(test_ldflags)
# The reading of a node's redirections, built in from the library's source.
check_PROGRAMS += tests/redis/test_redis_redirect
TESTS += tests/redis/test_redis_redirect
tests_redis_test_redis_redirect_SOURCES = tests/redis/test_redis_redirect.c \
	src/redis/cluster.c
tests_redis_test_redis_redirect_CFLAGS = $(test_cflags) $(HIREDIS_CFLAGS)
tests_redis_test_redis_redirect_LDADD = $(test_libs)
tests_redis_test_redis_redirect_LDFLAGS = $(test_ldflags)
endif
