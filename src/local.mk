# The library. Its interface version, current:revision:age, follows libtool:
# - code changed, interfaces not: revision++
# - interfaces added, removed or changed: current++, revision = 0
# - interfaces added: age++;  removed or changed: age = 0
SHARELITE_LT_VERSION = 0:0:0

include_HEADERS = include/sharelite.h include/sharelite_const.h
lib_LTLIBRARIES += src/libsharelite.la
src_libsharelite_la_SOURCES = \
	src/internal.h \
	src/api.c \
	src/handle.c src/lock.c src/fetch.h src/view.c \
	src/format.h \
	src/key.c \
	src/change.c src/deadline.h \
	src/registry.c \
	src/process.c src/process.h \
	src/rights.c src/rights.h \
	src/semrw.c src/semrw.h \
	src/ipcsl/format.c \
	src/ipcsl/chain.c src/ipcsl/chain.h \
	src/ipcsl/semlock.c src/ipcsl/semlock.h \
	src/native/format.c src/native/native.h src/native/head.h \
	src/native/value.c \
	src/native/mutex.c src/native/mutex.h \
	src/native/rwsem.c src/native/rwsem.h \
	src/native/proclock.c src/native/proclock.h
src_libsharelite_la_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden
# share_open() (src/open/) and the backends a name reaches (a Redis server,
# where configure found hiredis), apart from the sources above, which some
# tests and the fuzzers build into themselves (src/*.c and the formats'
# folders) without hiredis.
noinst_LTLIBRARIES += src/libsharelite_open.la
src_libsharelite_open_la_SOURCES = src/open/open.c
src_libsharelite_open_la_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden
src_libsharelite_open_la_LIBADD =
if HAVE_REDIS
src_libsharelite_open_la_SOURCES += \
	src/redis/redis.h src/redis/format.c src/redis/conn.c \
	src/redis/address.c src/redis/scripts.c src/redis/renew.c \
	src/redis/cluster.c src/redis/into.c src/redis/waiter.c
src_libsharelite_open_la_CFLAGS += $(HIREDIS_CFLAGS)
src_libsharelite_open_la_LIBADD += $(HIREDIS_LIBS)
endif
src_libsharelite_la_LIBADD = src/libsharelite_open.la
src_libsharelite_la_LDFLAGS = -version-info $(SHARELITE_LT_VERSION) -no-undefined \
	-Wl,--version-script=$(srcdir)/src/libsharelite.map
EXTRA_src_libsharelite_la_DEPENDENCIES = src/libsharelite.map libdir.txt
EXTRA_DIST += src/libsharelite.map

# Pages of the functions in this fragment's files open/open.c, change.c and registry.c
# (the rest of man/ is listed in man/local.mk).
dist_man_MANS += man/share_open.3 \
	man/share_fetch_if_changed.3 man/share_wait_change.3 \
	man/share_clean_up.3 man/share_clean_up_all.3
