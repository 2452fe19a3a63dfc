# tests/native: white-box cases of the native format's locks. They read
# its semaphores and its private heads' lock tables directly, so they run
# once, not once per format; tests/test_native is the format's other
# white-box program, and tests/test_locks the neutral half of this one.
native_tests = tests/native/test_locks

check_PROGRAMS += $(native_tests)
TESTS += $(native_tests)

tests_native_test_locks_CFLAGS = $(test_cflags)
tests_native_test_locks_LDADD = $(test_libs)
tests_native_test_locks_LDFLAGS = $(test_ldflags)
