# Tests: cmocka programs, one per part of the API, run by make check.
# Each links the static library, so it tests this tree's code and nothing
# installed; tests that need the installed command say so.
test_cflags = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
test_libs = src/libsharelite.la $(CMOCKA_LIBS)
# -no-install: real binaries, not libtool wrappers, so valgrind runs them.
test_ldflags = -no-install
EXTRA_DIST += tests/testutil.h

core_tests = \
	tests/test_store_fetch

check_PROGRAMS += $(core_tests)
TESTS += $(core_tests)

tests_test_store_fetch_SOURCES = tests/test_store_fetch.c tests/testutil.h
tests_test_store_fetch_CFLAGS = $(test_cflags)
tests_test_store_fetch_LDADD = $(test_libs)
tests_test_store_fetch_LDFLAGS = $(test_ldflags)
