# tests/ipcsl: white-box cases of the Perl format. They create, read and
# change its segments and semaphores directly (tests/harness/ipcsl.h), so
# they run once, not once per format. The neutral half of each subject is
# the program of the same name in tests/.
ipcsl_tests = \
	tests/ipcsl/test_errors \
	tests/ipcsl/test_locks \
	tests/ipcsl/test_open \
	tests/ipcsl/test_store_fetch \
	tests/ipcsl/test_timeout

check_PROGRAMS += $(ipcsl_tests)
TESTS += $(ipcsl_tests)

tests_ipcsl_test_errors_CFLAGS = $(test_cflags)
tests_ipcsl_test_errors_LDADD = $(test_libs)
tests_ipcsl_test_errors_LDFLAGS = $(test_ldflags)

tests_ipcsl_test_locks_CFLAGS = $(test_cflags)
tests_ipcsl_test_locks_LDADD = $(test_libs)
tests_ipcsl_test_locks_LDFLAGS = $(test_ldflags)

tests_ipcsl_test_open_CFLAGS = $(test_cflags)
tests_ipcsl_test_open_LDADD = $(test_libs)
tests_ipcsl_test_open_LDFLAGS = $(test_ldflags)

tests_ipcsl_test_store_fetch_CFLAGS = $(test_cflags)
tests_ipcsl_test_store_fetch_LDADD = $(test_libs)
tests_ipcsl_test_store_fetch_LDFLAGS = $(test_ldflags)

tests_ipcsl_test_timeout_CFLAGS = $(test_cflags)
tests_ipcsl_test_timeout_LDADD = $(test_libs)
tests_ipcsl_test_timeout_LDFLAGS = $(test_ldflags)
