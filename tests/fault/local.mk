# tests/fault: processes that die, memory that is scribbled, input that is
# bad, and system calls that fail (shared/FORMAT.md; issue 5).
EXTRA_DIST += tests/fault/fault.h

fault_tests = \
	tests/fault/test_corrupt

check_PROGRAMS += $(fault_tests)
TESTS += $(fault_tests)

tests_fault_test_corrupt_SOURCES = tests/fault/test_corrupt.c tests/fault/fault.h
tests_fault_test_corrupt_CFLAGS = $(test_cflags)
tests_fault_test_corrupt_LDADD = $(test_libs)
tests_fault_test_corrupt_LDFLAGS = $(test_ldflags)
