// The public header from C++, beside <sys/file.h>: both define LOCK_*, and
// the values must agree whichever comes first.
#include <sharelite.h>
#include <sys/file.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
extern "C" {		// cmocka 1.1's header does not say so itself
#include <cmocka.h>
}

static_assert(LOCK_SH == 1 && LOCK_EX == 2 && LOCK_NB == 4 && LOCK_UN == 8,
	      "flock(2)'s values");

static void test_store_fetch(void **)
{
	share_t *s = share_new(IPC_PRIVATE, 0, IPC_CREAT | 0600);
	assert_non_null(s);
	share_set_destroy(s, 1);

	std::string value("from C++");
	assert_int_equal(share_lock(s, LOCK_EX | LOCK_NB), 0);
	assert_int_equal(share_store(s, value.data(), value.size()), 0);
	assert_int_equal(share_unlock(s), 0);

	void *data = nullptr;
	ssize_t n = share_fetch(s, &data);
	assert_int_equal(n, static_cast<ssize_t>(value.size()));
	assert_string_equal(static_cast<char *>(data), value.c_str());
	std::free(data);

	struct share_info info;
	assert_int_equal(share_stat(s, &info), 0);
	assert_int_equal(info.version, 2);
	assert_int_equal(share_version(s), 2u);
	assert_int_equal(share_mode(s), 0600);
	assert_int_equal(share_close(s), 0);
}

static void test_keys_and_errors(void **)
{
	key_t key = 0;
	assert_int_equal(share_key_from_string("1234", &key), 0);
	assert_int_equal(key, 1234);
	errno = 0;
	assert_null(share_new(IPC_PRIVATE, 8, IPC_CREAT));
	assert_int_equal(errno, EINVAL);
	assert_string_equal(sharelite_version(), SHARELITE_VERSION_STRING);
}

int main()
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_store_fetch),
		cmocka_unit_test(test_keys_and_errors),
	};

	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
