# src/cli: the sharelite command, its man page and its tests.
bin_PROGRAMS += src/cli/sharelite
src_cli_sharelite_SOURCES = \
	src/cli/cli.h \
	src/cli/main.c \
	src/cli/usage.c \
	src/cli/options.c \
	src/cli/keyarg.c \
	src/cli/number.c \
	src/cli/report.c \
	src/cli/named.c \
	src/cli/permission.c \
	src/cli/open.c \
	src/cli/format_name.c \
	src/cli/io.c \
	src/cli/sysvipc.c src/cli/sysvipc.h \
	src/cli/cmd_store.c \
	src/cli/cmd_fetch.c \
	src/cli/cmd_info.c \
	src/cli/cmd_rm.c \
	src/cli/cmd_ls.c \
	src/cli/cmd_watch.c \
	src/cli/cmd_bench.c
src_cli_sharelite_LDADD = src/libsharelite.la
if HAVE_JANSSON
src_cli_sharelite_SOURCES += src/cli/json_jansson.c
src_cli_sharelite_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
src_cli_sharelite_LDADD += $(JANSSON_LIBS)
else
src_cli_sharelite_SOURCES += src/cli/json_none.c
endif

dist_man_MANS += man/sharelite.1

# The tests run the command as a user would. SHARELITE names the command
# under test: the build tree's by default, the installed one for installcheck.
cli_tests = \
	tests/cli/store_fetch.sh \
	tests/cli/fetch_terminal.sh \
	tests/cli/store_rollback.sh \
	tests/cli/store_hint.sh \
	tests/cli/info.sh \
	tests/cli/native.sh \
	tests/cli/ls.sh \
	tests/cli/rm.sh \
	tests/cli/errors.sh \
	tests/cli/watch.sh \
	tests/cli/timeout.sh \
	tests/cli/json.sh \
	tests/cli/bench.sh \
	tests/cli/help.sh \
	tests/cli/permission.sh \
	tests/cli/perl_interop.sh \
	tests/cli/redis.sh

TESTS += $(cli_tests)
EXTRA_DIST += $(cli_tests) tests/cli/common.sh

# Under installcheck (and so make distcheck) the same scripts run the
# installed command. installcheck-local gets only a prerequisite here, so
# that other fragments can hang their own checks on it too.
installcheck-local: installcheck-cli
installcheck-cli:
	@failed=0; for t in $(cli_tests); do \
	  log=$${t%.sh}.installcheck.log; \
	  $(MKDIR_P) "$$(dirname "$$log")"; \
	  SHARELITE='$(DESTDIR)$(bindir)/sharelite' srcdir='$(srcdir)' \
	    $(SHELL) '$(srcdir)/'$$t >"$$log" 2>&1; \
	  case $$? in \
	    0) echo "PASS (installed): $$t";; \
	    77) echo "SKIP (installed): $$t";; \
	    *) echo "FAIL (installed): $$t"; cat "$$log"; failed=1;; \
	  esac; \
	done; test $$failed = 0
CLEANFILES += tests/cli/*.installcheck.log
.PHONY: installcheck-cli
