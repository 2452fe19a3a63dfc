# Tests: cmocka programs, one per subject, run by make check. Each links
# the static library, so it tests this tree's code and nothing installed.
test_cflags = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
test_libs = src/libsharelite.la $(CMOCKA_LIBS)
# -no-install: real binaries, not libtool wrappers, so valgrind runs them.
test_ldflags = -no-install
# Each program is built from tests/NAME.c (automake's default source).
EXTRA_DIST += tests/testutil.h

core_tests = \
	tests/test_errors \
	tests/test_open \
	tests/test_keys \
	tests/test_store_fetch \
	tests/test_locks \
	tests/test_timeout \
	tests/test_multiprocess \
	tests/test_destroy \
	tests/test_access \
	tests/test_native \
	tests/test_cplusplus

check_PROGRAMS += $(core_tests)
TESTS += $(core_tests)

tests_test_errors_CFLAGS = $(test_cflags)
tests_test_errors_LDADD = $(test_libs)
tests_test_errors_LDFLAGS = $(test_ldflags)

tests_test_open_CFLAGS = $(test_cflags)
tests_test_open_LDADD = $(test_libs)
tests_test_open_LDFLAGS = $(test_ldflags)

tests_test_keys_CFLAGS = $(test_cflags)
tests_test_keys_LDADD = $(test_libs)
tests_test_keys_LDFLAGS = $(test_ldflags)

tests_test_store_fetch_CFLAGS = $(test_cflags)
tests_test_store_fetch_LDADD = $(test_libs)
tests_test_store_fetch_LDFLAGS = $(test_ldflags)

tests_test_locks_CFLAGS = $(test_cflags)
tests_test_locks_LDADD = $(test_libs)
tests_test_locks_LDFLAGS = $(test_ldflags)

tests_test_timeout_CFLAGS = $(test_cflags)
tests_test_timeout_LDADD = $(test_libs)
tests_test_timeout_LDFLAGS = $(test_ldflags)

tests_test_multiprocess_CFLAGS = $(test_cflags)
tests_test_multiprocess_LDADD = $(test_libs)
tests_test_multiprocess_LDFLAGS = $(test_ldflags)

tests_test_destroy_CFLAGS = $(test_cflags)
tests_test_destroy_LDADD = $(test_libs)
tests_test_destroy_LDFLAGS = $(test_ldflags)

tests_test_access_CFLAGS = $(test_cflags)
tests_test_access_LDADD = $(test_libs)
tests_test_access_LDFLAGS = $(test_ldflags)

tests_test_native_CFLAGS = $(test_cflags)
tests_test_native_LDADD = $(test_libs)
tests_test_native_LDFLAGS = $(test_ldflags)

# The header from C++, beside <sys/file.h>.
tests_test_cplusplus_SOURCES = tests/test_cplusplus.cc tests/testutil.h
tests_test_cplusplus_CXXFLAGS = $(AM_CXXFLAGS) $(CMOCKA_CFLAGS)
tests_test_cplusplus_LDADD = $(test_libs)
tests_test_cplusplus_LDFLAGS = $(test_ldflags)
