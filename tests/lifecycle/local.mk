# Tests of a share's life: change detection, clean-up, fork.
lifecycle_tests = \
	tests/lifecycle/test_change \
	tests/lifecycle/test_clean_up \
	tests/lifecycle/test_fork \
	tests/lifecycle/test_fork_no_wipeonfork \
	tests/lifecycle/test_deadline \
	tests/lifecycle/test_threads
check_PROGRAMS += $(lifecycle_tests)
TESTS += $(lifecycle_tests)

lifecycle_cflags = $(test_cflags)
lifecycle_libs = $(test_libs)

tests_lifecycle_test_change_CFLAGS = $(lifecycle_cflags)
tests_lifecycle_test_change_LDADD = $(lifecycle_libs)
tests_lifecycle_test_change_LDFLAGS = -no-install

# A thread cleans up while the main one forks.
tests_lifecycle_test_clean_up_CFLAGS = $(lifecycle_cflags) -pthread
tests_lifecycle_test_clean_up_LDADD = $(lifecycle_libs)
tests_lifecycle_test_clean_up_LDFLAGS = -no-install -pthread

# Threads of one process on one share.
tests_lifecycle_test_threads_CFLAGS = $(lifecycle_cflags) -pthread
tests_lifecycle_test_threads_LDADD = $(lifecycle_libs)
tests_lifecycle_test_threads_LDFLAGS = -no-install -pthread

tests_lifecycle_test_fork_CFLAGS = $(lifecycle_cflags)
tests_lifecycle_test_fork_LDADD = $(lifecycle_libs)
tests_lifecycle_test_fork_LDFLAGS = -no-install

# The same, with the library's sources and madvise(MADV_WIPEONFORK) failing.
tests_lifecycle_test_fork_no_wipeonfork_SOURCES = tests/lifecycle/test_fork.c \
	$(src_libsharelite_la_SOURCES)
tests_lifecycle_test_fork_no_wipeonfork_CFLAGS = $(lifecycle_cflags) -DNO_WIPEONFORK
tests_lifecycle_test_fork_no_wipeonfork_LDADD = $(test_harness) $(CMOCKA_LIBS)
tests_lifecycle_test_fork_no_wipeonfork_LDFLAGS = -no-install -Wl,--wrap=madvise

tests_lifecycle_test_deadline_CFLAGS = $(lifecycle_cflags)
tests_lifecycle_test_deadline_LDADD = $(lifecycle_libs)
tests_lifecycle_test_deadline_LDFLAGS = -no-install

TESTS += tests/lifecycle/example_anonymous_fork.sh
EXTRA_DIST += tests/lifecycle/example_anonymous_fork.sh

# test_threads again, under ThreadSanitizer (built by the script itself).
TESTS += tests/lifecycle/tsan.sh
EXTRA_DIST += tests/lifecycle/tsan.sh
