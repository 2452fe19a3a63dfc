// The public header from C++, beside <sys/file.h>: both define LOCK_*, and
// the values must agree whichever comes first (test_locks.c has the other
// order).
#include <sharelite.h>
#include <sys/file.h>

#include <cerrno>
#include <cstdlib>
#include <string>

#include "harness.h"

static_assert(LOCK_SH == 1 && LOCK_EX == 2 && LOCK_NB == 4 && LOCK_UN == 8,
	      "flock(2)'s values");

static void test_store_fetch(void **)
{
	share_t *s = test_private(0);
	std::string value("from C++");

	assert_int_equal(share_lock(s, LOCK_EX | LOCK_NB), 0);
	assert_int_equal(share_store(s, value.data(), value.size()), 0);
	assert_int_equal(share_unlock(s), 0);

	void *data = nullptr;
	assert_int_equal(share_fetch(s, &data), static_cast<ssize_t>(value.size()));
	assert_string_equal(static_cast<char *>(data), value.c_str());
	std::free(data);

	struct share_info info;
	assert_int_equal(share_stat(s, &info), 0);
	assert_int_equal(info.version, 2);
	assert_int_equal(share_version(s), 2u);
	assert_int_equal(share_mode(s), 0600);
	assert_int_equal(test_close(s), 0);
}

static void test_keys_and_errors(void **)
{
	key_t key = 0;

	assert_int_equal(share_key_from_string("1234", &key), 0);
	assert_int_equal(key, 1234);
	assert_fails(share_new(IPC_PRIVATE, 8, IPC_CREAT), nullptr, EINVAL);
	assert_string_equal(sharelite_version(), SHARELITE_VERSION_STRING);
}

int main()
{
	const struct CMUnitTest tests[] = {
		test_case(test_store_fetch),
		test_case(test_keys_and_errors),
	};

	return test_run(tests);
}
