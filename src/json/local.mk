# src/json: libsharelite-json, JSON data structures through a share. Built
# only where configure found jansson; the core library never needs it.
if HAVE_JANSSON
# Interface version, current:revision:age, kept by the same libtool rules
# as SHARELITE_LT_VERSION in src/local.mk, but for this library's own ABI.
SHARELITE_JSON_LT_VERSION = 0:0:0

include_HEADERS += include/sharelite_json.h
lib_LTLIBRARIES += src/json/libsharelite-json.la
pkgconfig_DATA += sharelite-json.pc
src_json_libsharelite_json_la_SOURCES = \
	src/json/api.c \
	src/json/codec.c src/json/codec.h \
	src/json/edit.c src/json/edit.h \
	src/process.c src/process.h
src_json_libsharelite_json_la_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) -fvisibility=hidden
src_json_libsharelite_json_la_LIBADD = src/libsharelite.la $(JANSSON_LIBS)
src_json_libsharelite_json_la_LDFLAGS = -version-info $(SHARELITE_JSON_LT_VERSION) \
	-no-undefined -Wl,--version-script=$(srcdir)/src/json/libsharelite-json.map
EXTRA_src_json_libsharelite_json_la_DEPENDENCIES = src/json/libsharelite-json.map libdir.txt
EXTRA_DIST += src/json/libsharelite-json.map

dist_man_MANS += \
	man/share_json_open.3 man/share_json_close.3 \
	man/share_json_get.3 \
	man/share_json_set.3 man/share_json_set_new.3 \
	man/share_json_object_set.3 man/share_json_object_set_new.3 \
	man/share_json_object_del.3 \
	man/share_json_array_append.3 man/share_json_array_append_new.3 \
	man/share_json_lock.3 man/share_json_unlock.3

# Tests: cmocka programs (see tests/local.mk), plus the export list and a
# C++ program that proves the header works from C++.
json_test_cflags = $(test_cflags) $(JANSSON_CFLAGS) -I$(top_srcdir)/tests
json_test_libs = src/json/libsharelite-json.la $(test_libs) $(JANSSON_LIBS)
json_tests = \
	tests/json/test_json_locks \
	tests/json/test_json_interrupted \
	tests/json/test_json_native \
	tests/json/test_json_cxx
check_PROGRAMS += $(json_tests)
TESTS += $(json_tests) tests/json/exports.sh
# Run once per memory format (tests/local.mk).
json_neutral_tests = \
	tests/json/test_json_values \
	tests/json/test_json_updates \
	tests/json/test_json_concurrent
check_PROGRAMS += $(json_neutral_tests)
neutral_tests += $(json_neutral_tests)
EXTRA_DIST += tests/json/exports.sh

tests_json_test_json_values_SOURCES = tests/json/test_json_values.c tests/json/jsontest.h
tests_json_test_json_values_CFLAGS = $(json_test_cflags)
tests_json_test_json_values_LDADD = $(json_test_libs)
tests_json_test_json_values_LDFLAGS = $(test_ldflags)
tests_json_test_json_updates_SOURCES = tests/json/test_json_updates.c tests/json/jsontest.h
tests_json_test_json_updates_CFLAGS = $(json_test_cflags)
tests_json_test_json_updates_LDADD = $(json_test_libs)
tests_json_test_json_updates_LDFLAGS = $(test_ldflags)
tests_json_test_json_locks_SOURCES = tests/json/test_json_locks.c tests/json/jsontest.h
tests_json_test_json_locks_CFLAGS = $(json_test_cflags)
tests_json_test_json_locks_LDADD = $(json_test_libs)
tests_json_test_json_locks_LDFLAGS = $(test_ldflags)
tests_json_test_json_concurrent_SOURCES = tests/json/test_json_concurrent.c tests/json/jsontest.h
tests_json_test_json_concurrent_CFLAGS = $(json_test_cflags)
tests_json_test_json_concurrent_LDADD = $(json_test_libs)
tests_json_test_json_concurrent_LDFLAGS = $(test_ldflags)
tests_json_test_json_interrupted_SOURCES = tests/json/test_json_interrupted.c \
	tests/json/jsontest.h
tests_json_test_json_interrupted_CFLAGS = $(json_test_cflags)
tests_json_test_json_interrupted_LDADD = $(json_test_libs)
tests_json_test_json_interrupted_LDFLAGS = $(test_ldflags)
tests_json_test_json_native_SOURCES = tests/json/test_json_native.c tests/json/jsontest.h
tests_json_test_json_native_CFLAGS = $(json_test_cflags)
tests_json_test_json_native_LDADD = $(json_test_libs)
tests_json_test_json_native_LDFLAGS = $(test_ldflags)
# On a share on a Redis server the test starts itself (tests/redis/group.h).
if HAVE_REDIS
check_PROGRAMS += tests/json/test_json_redis
TESTS += tests/json/test_json_redis
tests_json_test_json_redis_SOURCES = tests/json/test_json_redis.c tests/json/jsontest.h \
	tests/redis/server.c tests/redis/server.h tests/redis/group.c tests/redis/group.h
tests_json_test_json_redis_CFLAGS = $(json_test_cflags) -I$(top_srcdir)/tests/redis
tests_json_test_json_redis_LDADD = $(json_test_libs)
tests_json_test_json_redis_LDFLAGS = $(test_ldflags)
endif
tests_json_test_json_cxx_SOURCES = tests/json/test_json_cxx.cc
tests_json_test_json_cxx_CXXFLAGS = $(AM_CXXFLAGS) $(JANSSON_CFLAGS)
tests_json_test_json_cxx_LDADD = src/json/libsharelite-json.la src/libsharelite.la $(JANSSON_LIBS)
tests_json_test_json_cxx_LDFLAGS = $(test_ldflags)
endif
