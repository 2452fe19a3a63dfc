# Tests: cmocka programs, one per subject, run by make check. Each links
# the static library, so it tests this tree's code and nothing installed,
# and the test harness, built once for them all.
test_cflags = $(AM_CFLAGS) $(CMOCKA_CFLAGS) -I$(top_srcdir)/tests/harness
test_harness = tests/libtestharness.a
test_libs = $(test_harness) src/libsharelite.la $(CMOCKA_LIBS)
# -no-install: real binaries, not libtool wrappers, so valgrind runs them.
test_ldflags = -no-install
# Each program is built from tests/NAME.c (automake's default source).

# The harness: registry and teardown, children, checks (harness.c), and
# the oracle of each memory format (oracle_*.c).
check_LIBRARIES = $(test_harness)
tests_libtestharness_a_SOURCES = \
	tests/harness/harness.c tests/harness/harness.h \
	tests/harness/oracle_ipcsl.c tests/harness/ipcsl.h \
	tests/harness/oracle_native.c
tests_libtestharness_a_CFLAGS = $(test_cflags)

# White-box programs: they also read or change a format's own objects
# (the Perl format's, or the native format's in test_native).
core_tests = \
	tests/test_multiprocess \
	tests/test_destroy \
	tests/test_access \
	tests/test_native \
	tests/test_native_wake \
	tests/test_native_mutex

check_PROGRAMS += $(core_tests)
TESTS += $(core_tests)

# Format-neutral programs: the public API and the harness's oracle only.
core_neutral_tests = \
	tests/test_errors \
	tests/test_open \
	tests/test_store_fetch \
	tests/test_timeout \
	tests/test_keys \
	tests/test_locks \
	tests/test_view \
	tests/test_cplusplus
check_PROGRAMS += $(core_neutral_tests)
neutral_tests += $(core_neutral_tests)

# Each neutral program runs once per format: the tests
# tests/NAME-FORMAT.FORMAT are stamps, and format-test.sh runs tests/NAME
# with SHARELITE_TEST_FORMAT set (and under LOG_COMPILER, if one is
# given). The stamp's name carries the format twice: automake names a
# test's log after the stamp without its extension, and each format's run
# needs a log of its own. A new format adds its extension, its
# LOG_COMPILER and its stamps, as these.
TEST_EXTENSIONS += .ipcsl .native
IPCSL_LOG_COMPILER = $(SHELL) $(srcdir)/tests/harness/format-test.sh ipcsl
AM_IPCSL_LOG_FLAGS = $(LOG_COMPILER)
NATIVE_LOG_COMPILER = $(SHELL) $(srcdir)/tests/harness/format-test.sh native
AM_NATIVE_LOG_FLAGS = $(LOG_COMPILER)
neutral_ipcsl = $(neutral_tests:=-ipcsl.ipcsl)
neutral_native = $(neutral_tests:=-native.native)
TESTS += $(neutral_ipcsl) $(neutral_native)
CLEANFILES += $(neutral_ipcsl) $(neutral_native)
EXTRA_DIST += tests/harness/format-test.sh
$(neutral_ipcsl) $(neutral_native): $(neutral_tests:=$(EXEEXT))
	$(AM_V_GEN)echo '$@: run by tests/harness/format-test.sh' > $@

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

tests_test_view_CFLAGS = $(test_cflags)
tests_test_view_LDADD = $(test_libs)
tests_test_view_LDFLAGS = $(test_ldflags)

tests_test_multiprocess_CFLAGS = $(test_cflags)
tests_test_multiprocess_LDADD = $(test_libs)
tests_test_multiprocess_LDFLAGS = $(test_ldflags)

tests_test_destroy_CFLAGS = $(test_cflags)
tests_test_destroy_LDADD = $(test_libs)
tests_test_destroy_LDFLAGS = $(test_ldflags)

tests_test_access_CFLAGS = $(test_cflags)
tests_test_access_LDADD = $(test_libs)
tests_test_access_LDFLAGS = $(test_ldflags)

tests_test_native_wake_CFLAGS = $(test_cflags)
tests_test_native_wake_LDADD = $(test_libs)
tests_test_native_wake_LDFLAGS = $(test_ldflags)

tests_test_native_mutex_CFLAGS = $(test_cflags)
tests_test_native_mutex_LDADD = $(test_libs)
tests_test_native_mutex_LDFLAGS = $(test_ldflags)

tests_test_native_CFLAGS = $(test_cflags)
tests_test_native_LDADD = $(test_libs)
tests_test_native_LDFLAGS = $(test_ldflags)

# The header from C++, beside <sys/file.h>.
tests_test_cplusplus_SOURCES = tests/test_cplusplus.cc
tests_test_cplusplus_CXXFLAGS = $(AM_CXXFLAGS) $(CMOCKA_CFLAGS) -I$(top_srcdir)/tests/harness
tests_test_cplusplus_LDADD = $(test_libs)
tests_test_cplusplus_LDFLAGS = $(test_ldflags)
