# Interop tests: Perl's IPC::ShareLite 0.17 and libsharelite on one share.
# Each t_*.pl mixes slp.pl (the Perl module) and slc (this tree's library)
# processes; perl-test.sh runs it, or skips it where Perl or the module is
# missing.
check_PROGRAMS += tests/interop/slc
tests_interop_slc_SOURCES = tests/interop/slc.c
tests_interop_slc_LDADD = src/libsharelite.la
# -no-install: a real binary, not a libtool wrapper, for the sanitizers.
tests_interop_slc_LDFLAGS = -no-install

interop_tests = \
	tests/interop/t_values.pl \
	tests/interop/t_sizes.pl \
	tests/interop/t_locks.pl \
	tests/interop/t_counter.pl \
	tests/interop/t_shrink.pl \
	tests/interop/t_remove.pl \
	tests/interop/t_keys.pl \
	tests/interop/t_fairness.pl

TESTS += $(interop_tests)
TEST_EXTENSIONS += .pl
PL_LOG_COMPILER = $(SHELL) $(srcdir)/tests/interop/perl-test.sh
AM_PL_LOG_FLAGS = '$(PERL)'
EXTRA_DIST += $(interop_tests) tests/interop/perl-test.sh \
	tests/interop/Interop.pm tests/interop/slp.pl
