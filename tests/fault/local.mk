# tests/fault: processes that die, memory that is scribbled, input that is
# bad, and system calls that fail (sharelite(7), "Storing and fetching").
EXTRA_DIST += tests/fault/fault.h

fault_tests = \
	tests/fault/test_corrupt \
	tests/fault/test_kill \
	tests/fault/test_signals \
	tests/fault/test_modes \
	tests/fault/test_leaks \
	tests/fault/test_churn

check_PROGRAMS += $(fault_tests)
TESTS += $(fault_tests)

tests_fault_test_corrupt_SOURCES = tests/fault/test_corrupt.c tests/fault/fault.h
tests_fault_test_corrupt_CFLAGS = $(test_cflags)
tests_fault_test_corrupt_LDADD = $(test_libs)
tests_fault_test_corrupt_LDFLAGS = $(test_ldflags)

tests_fault_test_kill_SOURCES = tests/fault/test_kill.c tests/fault/fault.h
tests_fault_test_kill_CFLAGS = $(test_cflags)
tests_fault_test_kill_LDADD = $(test_libs)
tests_fault_test_kill_LDFLAGS = $(test_ldflags)

tests_fault_test_signals_SOURCES = tests/fault/test_signals.c tests/fault/fault.h
tests_fault_test_signals_CFLAGS = $(test_cflags)
tests_fault_test_signals_LDADD = $(test_libs)
tests_fault_test_signals_LDFLAGS = $(test_ldflags)

tests_fault_test_modes_SOURCES = tests/fault/test_modes.c tests/fault/fault.h
tests_fault_test_modes_CFLAGS = $(test_cflags)
tests_fault_test_modes_LDADD = $(test_libs)
tests_fault_test_modes_LDFLAGS = $(test_ldflags)

tests_fault_test_leaks_SOURCES = tests/fault/test_leaks.c tests/fault/fault.h
tests_fault_test_leaks_CFLAGS = $(test_cflags)
tests_fault_test_leaks_LDADD = $(test_libs)
tests_fault_test_leaks_LDFLAGS = $(test_ldflags)

tests_fault_test_churn_SOURCES = tests/fault/test_churn.c tests/fault/fault.h
tests_fault_test_churn_CFLAGS = $(test_cflags)
tests_fault_test_churn_LDADD = $(test_libs)
tests_fault_test_churn_LDFLAGS = $(test_ldflags)

# The library's sources built into the test, their system calls wrapped.
fault_wrap = -Wl,--wrap=shmget -Wl,--wrap=shmat \
	-Wl,--wrap=semget -Wl,--wrap=semctl -Wl,--wrap=semop -Wl,--wrap=semtimedop \
	-Wl,--wrap=malloc -Wl,--wrap=calloc -Wl,--wrap=realloc
check_PROGRAMS += tests/fault/test_chaos
TESTS += tests/fault/test_chaos
tests_fault_test_chaos_SOURCES = tests/fault/test_chaos.c tests/fault/fault.h \
	tests/fault/inject.c tests/fault/inject.h $(src_libsharelite_la_SOURCES)
tests_fault_test_chaos_CFLAGS = $(test_cflags)
tests_fault_test_chaos_LDADD = $(test_harness) $(CMOCKA_LIBS)
tests_fault_test_chaos_LDFLAGS = $(test_ldflags) $(fault_wrap)

# The fuzz target for the chain walk; CI runs fuzz/run.sh (clang, libFuzzer).
EXTRA_DIST += fuzz/fuzz_chain.c fuzz/run.sh fuzz/corpus

# Removal raced by a chmod, or refused part-way: shmctl() and semctl()
# wrapped in the library's sources built into the test.
check_PROGRAMS += tests/fault/test_removal
TESTS += tests/fault/test_removal
tests_fault_test_removal_SOURCES = tests/fault/test_removal.c tests/fault/fault.h \
	$(src_libsharelite_la_SOURCES)
tests_fault_test_removal_CFLAGS = $(test_cflags)
tests_fault_test_removal_LDADD = $(test_harness) $(CMOCKA_LIBS)
tests_fault_test_removal_LDFLAGS = $(test_ldflags) -Wl,--wrap=shmctl -Wl,--wrap=semctl
