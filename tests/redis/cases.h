/*
 * cases.h - test cases that hold for a share on a lone Redis server and on
 * a Redis Cluster alike (test_redis.c, test_redis_cluster.c). Each takes
 * the names that reach the share: on a lone server the same name, on a
 * cluster names that give different nodes. Each creates the share by its
 * first name and removes it.
 */
#ifndef SHARELITE_TEST_REDIS_CASES_H
#define SHARELITE_TEST_REDIS_CASES_H

#include <time.h>

void sleep_ms(long ms);
long ms_since(const struct timespec *start);

/* A child waits for LOCK_EX while the parent holds it, then stores: on
 * the handle it inherited when child_url is NULL, else on its own. */
void redis_case_lock_across_processes(const char *url, const char *child_url);

/* A child that takes LOCK_EX through leased_url (a name with
 * ?lease=500) is stopped past its lease: its store is refused with
 * ENOLCK, whether another took the lock meanwhile or not. */
void redis_case_expired_lease_is_fenced(const char *url, const char *leased_url);

/* share_wait_change() through url is woken by a store through other_url,
 * and by a removal; otherwise it waits for its timeout. */
void redis_case_wait_change_wakes(const char *url, const char *other_url);

#endif
