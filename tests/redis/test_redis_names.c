/*
 * test_redis_names.c - share_open()'s names, no server needed: "sysv:KEY"
 * and "sysv+native:KEY" open what share_new() opens, a redis:// name that
 * is not well formed is EINVAL before any connection, and a backend this
 * build does not have is EPROTONOSUPPORT.
 */
#include "config.h"
#include "harness.h"

#include <sys/sem.h>

/* The semaphores of the share's set: 4 for the Perl format, 2 native. */
static int semaphores(share_t *s)
{
	struct semid_ds ds;
	struct share_info info = test_info(s);

	assert_int_equal(semctl(info.semid, 0, IPC_STAT, &ds), 0);
	return (int)ds.sem_nsems;
}

static void test_sysv_names(void **state)
{
	(void)state;
	key_t key = test_use_key(1), native_key = test_use_key(2);
	char name[64];
	share_t *s, *again;

	snprintf(name, sizeof(name), "sysv:0x%x", (unsigned)key);
	s = share_open(name, 0, IPC_CREAT | IPC_EXCL);
	assert_non_null(s);
	assert_int_equal(share_key(s), key);
	assert_int_equal(semaphores(s), 4);
	assert_int_equal(share_store(s, "x", 1), 0);
	/* The same share, by number or through share_new(). */
	snprintf(name, sizeof(name), "sysv:%d", (int)key);
	again = share_open(name, 0, 0);
	assert_non_null(again);
	test_assert_value(again, "x");
	assert_int_equal(share_close(again), 0);
	assert_int_equal(share_close(s), 0);

	snprintf(name, sizeof(name), "sysv+native:0x%x", (unsigned)native_key);
	s = share_open(name, 4096, IPC_CREAT | IPC_EXCL);
	assert_non_null(s);
	assert_int_equal(semaphores(s), 2);
	assert_int_equal(share_close(s), 0);
}

/* Each name must fail with err. */
static void assert_names_fail(const char *const *names, size_t n, int err)
{
	size_t i;

	for (i = 0; i < n; i++) {
		errno = 0;
		if (share_open(names[i], 0, IPC_CREAT) != NULL || errno != err)
			fail_msg("share_open(\"%s\"): errno %d, not %d", names[i], errno, err);
	}
}

static void test_bad_names(void **state)
{
	(void)state;
	static const char *const invalid[] = {
		"", "demo", "sysv", "sysv:", "sysv:0xZZ", "sysv+native:", ":x",
	};
	static const char *const invalid_redis[] = {
		"redis:", "redis://", "redis://host", "redis://host/", "redis:///name",
		"redis://host:0/name", "redis://host:65536/name", "redis://host:x/name",
		"redis://host/{name}", "redis://host/na me", "redis://user@host/name",
		"redis://host/name?lease=0", "redis://host/name?lease=x",
		"redis://host/name?timeout=", "redis://host/name?other=1",
		"redis://host/name?lease=1&lease=2", "redis://[::1/name",
		"redis://host/2/", "redis://host/99999999999/name",
	};
#ifdef HAVE_REDIS
	const int redis_err = EINVAL;
#else
	/* Without the backend, every redis name is one it cannot serve. */
	const int redis_err = EPROTONOSUPPORT;
#endif

	assert_names_fail(invalid, sizeof(invalid) / sizeof(invalid[0]), EINVAL);
	assert_names_fail(invalid_redis, sizeof(invalid_redis) / sizeof(invalid_redis[0]),
			  redis_err);
	assert_fails(share_open(NULL, 0, 0), NULL, EINVAL);
	assert_fails(share_open("redis://host/name", 0, 0x40000000), NULL, EINVAL);
	assert_fails(share_open("redis://host/name", 8, IPC_CREAT), NULL, EINVAL);
	/* A backend this library does not have. */
	assert_fails(share_open("memcached://host/name", 0, IPC_CREAT), NULL, EPROTONOSUPPORT);
	assert_fails(share_open("rediss://host/name", 0, IPC_CREAT), NULL, EPROTONOSUPPORT);
#ifndef HAVE_REDIS
	assert_fails(share_open("redis://127.0.0.1/name", 0, IPC_CREAT), NULL, EPROTONOSUPPORT);
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		test_case(test_sysv_names),
		test_case(test_bad_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
